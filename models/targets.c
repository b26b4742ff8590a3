/* SPDX-License-Identifier: MIT */
/*
 * targets.c - turning the names a scenario gives into sets of entities.
 * Runs at start only, so it may allocate freely; the result is always
 * sorted and free of repeats, whatever order the names came in.
 */
#include "models/targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/suggest.h"

#define TARGETS_MAX_NAME 255            /* longest single name or glob */

/* A growing array of ids while a text is resolved. */
struct id_list {
    uint32_t *ids;
    size_t n, cap;
};

/* Strings offered to a suggestion search; they must outlive it. */
struct candidates {
    char **words;
    size_t n, cap;
};

bool targets_glob_match(const char *pattern, const char *name)
{
    const char *star = NULL;            /* last '*' seen in pattern */
    const char *resume = NULL;          /* where in name that star resumes */

    while (*name != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = name;
        } else if (*pattern == *name) {
            pattern++;
            name++;
        } else if (star != NULL) {
            pattern = star + 1;
            name = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

static int list_add(struct id_list *l, uint32_t id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        uint32_t *p = realloc(l->ids, cap * sizeof *p);

        if (p == NULL)
            return SIM_ENOMEM;
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
    return 0;
}

static int candidates_add(struct candidates *c, const char *word, size_t len)
{
    char *copy;

    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        char **p = realloc(c->words, cap * sizeof *p);

        if (p == NULL)
            return SIM_ENOMEM;
        c->words = p;
        c->cap = cap;
    }
    copy = malloc(len + 1);
    if (copy == NULL)
        return SIM_ENOMEM;
    memcpy(copy, word, len);
    copy[len] = '\0';
    c->words[c->n++] = copy;
    return 0;
}

static void candidates_release(struct candidates *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->words[i]);
    free(c->words);
}

/* Entity names and every dotted prefix of them: the likely group names. */
static int name_candidates(const struct sim *sim, uint32_t skip,
                           struct candidates *c)
{
    for (uint32_t id = 0; id < sim_n_entities(sim); id++) {
        const char *name = sim_entity_name(sim, id);

        if (id == skip)
            continue;
        for (const char *dot = strchr(name, '.'); dot != NULL;
             dot = strchr(dot + 1, '.'))
            if (candidates_add(c, name, (size_t)(dot - name)) != 0)
                return SIM_ENOMEM;
        if (candidates_add(c, name, strlen(name)) != 0)
            return SIM_ENOMEM;
    }
    return 0;
}

static size_t count_dots(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += *s == '.';
    return n;
}

/*
 * The glob the user probably meant, shaped after one entity name: where
 * a dot-separated part of the pattern holds a '*', keep the pattern's
 * part, elsewhere take the name's. Only names with as many parts count,
 * and only a guess that matches the name it came from is worth offering.
 */
static int glob_candidate(const char *pattern, const char *name,
                          struct candidates *c)
{
    char buf[2 * TARGETS_MAX_NAME + 2];
    const char *whole = name;
    size_t len = 0;

    if (count_dots(pattern) != count_dots(name))
        return 0;
    while (len < sizeof buf - 1) {
        size_t np = strcspn(pattern, "."), nn = strcspn(name, ".");
        bool is_wild = memchr(pattern, '*', np) != NULL;
        const char *part = is_wild ? pattern : name;
        size_t n = is_wild ? np : nn;

        if (len + n + 1 >= sizeof buf)
            return 0;
        memcpy(buf + len, part, n);
        len += n;
        if (pattern[np] == '\0')
            break;
        buf[len++] = '.';
        pattern += np + 1;
        name += nn + 1;
    }
    buf[len] = '\0';
    if (!targets_glob_match(buf, whole))
        return 0;
    return candidates_add(c, buf, len);
}

/* Records that piece names nothing, with the closest candidate if any. */
static int unknown(const struct sim *sim, struct sim_cfg *cfg,
                   const char *path, const char *piece, uint32_t skip)
{
    bool is_glob = strchr(piece, '*') != NULL;
    struct candidates c = {0};
    const char *guess;
    int rc = 0;

    for (uint32_t id = 0; is_glob && id < sim_n_entities(sim) && rc == 0;
         id++)
        if (id != skip)
            rc = glob_candidate(piece, sim_entity_name(sim, id), &c);
    if (!is_glob)
        rc = name_candidates(sim, skip, &c);
    if (rc != 0) {
        candidates_release(&c);
        return rc;
    }
    guess = sim_suggest_closest(piece, (const char *const *)c.words, c.n);
    sim_cfg_error(cfg, path, is_glob ? "\"%s\" matches no component%s%s%s"
                                     : "unknown component \"%s\"%s%s%s",
                  piece, guess ? "; did you mean \"" : "",
                  guess ? guess : "", guess ? "\"?" : "");
    candidates_release(&c);
    return SIM_EINVAL;
}

/* Adds the entities piece names; returns how many, or a status < 0. */
static long add_piece(const struct sim *sim, const char *piece,
                      uint32_t skip, struct id_list *l)
{
    const uint32_t *members;
    size_t before = l->n, n;

    if (strchr(piece, '*') != NULL) {
        for (uint32_t id = 0; id < sim_n_entities(sim); id++)
            if (id != skip &&
                targets_glob_match(piece, sim_entity_name(sim, id)) &&
                list_add(l, id) != 0)
                return SIM_ENOMEM;
        return (long)(l->n - before);
    }
    n = sim_lookup(sim, piece, &members);
    for (size_t i = 0; i < n; i++)
        if (members[i] != skip && list_add(l, members[i]) != 0)
            return SIM_ENOMEM;
    return (long)(l->n - before);
}

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static void sort_unique(struct id_list *l)
{
    size_t k = 0;

    if (l->n == 0)
        return;
    qsort(l->ids, l->n, sizeof *l->ids, cmp_id);
    for (size_t i = 1; i < l->n; i++)
        if (l->ids[i] != l->ids[k])
            l->ids[++k] = l->ids[i];
    l->n = k + 1;
}

/* Resolves each '+'-separated piece of text into l. */
static int resolve_pieces(const struct sim *sim, struct sim_cfg *cfg,
                          const char *path, const char *text, uint32_t skip,
                          struct id_list *l)
{
    char piece[TARGETS_MAX_NAME + 1];
    int rc = 0;

    for (const char *p = text;; p++) {
        size_t len = strcspn(p, "+");
        long n;

        if (len == 0) {
            sim_cfg_error(cfg, path, "\"%s\" has an empty name", text);
            return SIM_EINVAL;
        }
        if (len > TARGETS_MAX_NAME) {
            sim_cfg_error(cfg, path, "\"%.40s...\" has a name longer than "
                          "%d bytes", text, TARGETS_MAX_NAME);
            return SIM_EINVAL;
        }
        memcpy(piece, p, len);
        piece[len] = '\0';
        if (sim_name_is_unbuilt(sim, piece)) {
            /* A component that could not be built: nothing to judge by. */
            rc = SIM_EINVAL;
        } else {
            n = add_piece(sim, piece, skip, l);
            if (n < 0)
                return (int)n;
            if (n == 0 && (rc = unknown(sim, cfg, path, piece, skip)) ==
                          SIM_ENOMEM)
                return rc;
        }
        p += len;
        if (*p == '\0')
            return rc;
    }
}

int targets_resolve(const struct sim *sim, struct sim_cfg *cfg,
                    const char *path, const char *text, uint32_t skip,
                    struct targets *out)
{
    struct id_list l = {0};
    int rc = resolve_pieces(sim, cfg, path, text, skip, &l);

    out->ids = NULL;
    out->n = 0;
    if (rc != 0) {
        free(l.ids);
        return rc;
    }
    sort_unique(&l);
    out->ids = l.ids;
    out->n = l.n;
    return 0;
}

void targets_release(struct targets *t)
{
    free(t->ids);
    t->ids = NULL;
    t->n = 0;
}

bool targets_overlap(const struct targets *a, const struct targets *b,
                     uint32_t *shared)
{
    size_t i = 0, j = 0;

    while (i < a->n && j < b->n) {
        if (a->ids[i] == b->ids[j]) {
            *shared = a->ids[i];
            return true;
        }
        if (a->ids[i] < b->ids[j])
            i++;
        else
            j++;
    }
    return false;
}
