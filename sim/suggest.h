/* SPDX-License-Identifier: MIT */
/*
 * suggest.h - "did you mean" for mistyped words: keys, enum values and
 * entity names. A candidate is offered only when it is close enough that
 * the guess is likely right; otherwise there is no suggestion at all.
 */
#ifndef SIM_SUGGEST_H
#define SIM_SUGGEST_H

#include <stddef.h>

/* Words longer than this (in bytes) are never compared by distance. */
#define SIM_SUGGEST_MAX_LEN 64

/*
 * The running state of one search; fill it with sim_suggest_init, feed it
 * candidates with sim_suggest_add, read the answer with
 * sim_suggest_result. Callers may embed it but should not read its fields.
 */
struct sim_suggest {
    const char *word;                   /* what the user typed (not owned) */
    size_t word_len;                    /* strlen(word) */
    size_t max_dist;                    /* max(1, word_len / 3) */
    const char *best;                   /* closest candidate so far */
    size_t best_dist;                   /* its distance; SIZE_MAX if none */
    const char *prefixed;               /* first candidate word starts */
    size_t n_prefixed;                  /* candidates that word starts */
};

/*
 * The optimal-string-alignment Damerau-Levenshtein distance between a and
 * b: insertions, deletions, substitutions and swaps of two neighbouring
 * bytes each cost 1. ASCII letters compare without case. Returns SIZE_MAX
 * when either word is longer than SIM_SUGGEST_MAX_LEN.
 */
size_t sim_suggest_distance(const char *a, const char *b);

/* Starts a search for the candidate closest to word (kept, not copied). */
void sim_suggest_init(struct sim_suggest *s, const char *word);

/*
 * Considers one candidate (kept, not copied: it must outlive the search).
 * Earlier candidates win ties, so the answer follows the caller's order.
 */
void sim_suggest_add(struct sim_suggest *s, const char *candidate);

/*
 * The suggestion, or NULL. The closest candidate is accepted when its
 * distance is at most max(1, len / 3), len being the typed word's length.
 * Failing that, a typed word of 3 or more bytes that begins exactly one
 * candidate suggests that candidate ("least-conn" for
 * "least-connections").
 */
const char *sim_suggest_result(const struct sim_suggest *s);

/*
 * One-call form over an array of n candidates. Returns one of them, or
 * NULL when none is close enough.
 */
const char *sim_suggest_closest(const char *word,
                                const char *const *candidates, size_t n);

#endif
