/* SPDX-License-Identifier: MIT */
/*
 * suggest.c - closest-word search by Damerau-Levenshtein distance (the
 * optimal string alignment variant). Words are short, so the distance is
 * computed in three rows kept on the stack; nothing is allocated.
 */
#include "sim/suggest.h"

#include <stdint.h>
#include <string.h>

/* The shortest typed word the prefix rule applies to. */
#define SUGGEST_MIN_PREFIX 3

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;

    return m < c ? m : c;
}

size_t sim_suggest_distance(const char *a, const char *b)
{
    size_t rows[3][SIM_SUGGEST_MAX_LEN + 1];
    size_t la = strlen(a), lb = strlen(b);
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *spare;

    if (la > SIM_SUGGEST_MAX_LEN || lb > SIM_SUGGEST_MAX_LEN)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        unsigned char ca = fold((unsigned char)a[i - 1]);

        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned char cb = fold((unsigned char)b[j - 1]);
            size_t cost = ca == cb ? 0 : 1;

            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            /* a swap of two neighbours: "wokr" -> "work" */
            if (i > 1 && j > 1 && ca == fold((unsigned char)b[j - 2]) &&
                fold((unsigned char)a[i - 2]) == cb &&
                prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        spare = prev2;
        prev2 = prev;
        prev = cur;
        cur = spare;
    }
    return prev[lb];
}

void sim_suggest_init(struct sim_suggest *s, const char *word)
{
    s->word = word;
    s->word_len = strlen(word);
    s->max_dist = s->word_len / 3 > 1 ? s->word_len / 3 : 1;
    s->best = NULL;
    s->best_dist = SIZE_MAX;
    s->prefixed = NULL;
    s->n_prefixed = 0;
}

void sim_suggest_add(struct sim_suggest *s, const char *candidate)
{
    size_t len = strlen(candidate), d;

    if (s->word_len >= SUGGEST_MIN_PREFIX && len > s->word_len &&
        strncmp(candidate, s->word, s->word_len) == 0) {
        if (s->n_prefixed++ == 0)
            s->prefixed = candidate;
    }
    /* lengths further apart than the limit cannot be close enough */
    if ((len > s->word_len ? len - s->word_len : s->word_len - len) >
        s->max_dist)
        return;
    d = sim_suggest_distance(s->word, candidate);
    if (d < s->best_dist) {
        s->best = candidate;
        s->best_dist = d;
    }
}

const char *sim_suggest_result(const struct sim_suggest *s)
{
    if (s->best != NULL && s->best_dist <= s->max_dist)
        return s->best;
    if (s->n_prefixed == 1)
        return s->prefixed;
    return NULL;
}

const char *sim_suggest_closest(const char *word,
                                const char *const *candidates, size_t n)
{
    struct sim_suggest s;

    sim_suggest_init(&s, word);
    for (size_t i = 0; i < n; i++)
        sim_suggest_add(&s, candidates[i]);
    return sim_suggest_result(&s);
}
