/* SPDX-License-Identifier: MIT */
/*
 * lincheck.h - decides whether a history is linearizable, key by key,
 * within a wall-clock budget. A violation comes with a small set of
 * operations of one key that no sequential order can satisfy; running out
 * of time or memory gives "unknown", never a guess.
 */
#ifndef MODELS_LINCHECK_H
#define MODELS_LINCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "models/history.h"
#include "sim/error.h"

/* The search's memory (its cache of visited states) stops here. */
#define LINCHECK_MEMORY_CAP ((size_t)512 << 20)

enum lincheck_verdict {
    LINCHECK_OK,                        /* linearizable */
    LINCHECK_VIOLATION,                 /* not linearizable */
    LINCHECK_UNKNOWN                    /* budget or memory ran out first */
};

/*
 * What a check found. Callers read every field; lincheck_result_release
 * frees the pointers.
 */
struct lincheck_result {
    int verdict;                        /* enum lincheck_verdict */
    double budget_s;                    /* the budget it was given, s */
    double elapsed_s;                   /* wall time of the whole check, s */
    double explain_s;                   /* of which spent shrinking, s */
    size_t n_ops;                       /* operations in the keys decided */
    size_t n_keys;                      /* keys decided linearizable */
    size_t n_keys_total;                /* keys in the history */
    bool is_out_of_memory;              /* unknown because of the memory cap */
    char *key;                          /* key that violated, or that was
                                           undecided; NULL when OK */
    size_t *conflict;                   /* violation: history indices of the
                                           operations shown, by invocation */
    size_t n_conflict;                  /* entries in conflict */
    bool is_minimal;                    /* no single one of them can go */
    char *explanation;                  /* violation: lines for a person,
                                           each ending in '\n'; else NULL */
};

/*
 * Checks h for linearizability, spending at most about budget_s seconds
 * of wall time (the clock is read every few thousand search steps).
 * Operations with a pending or unknown outcome may take effect at any
 * point after their invocation, or never; failed ones are ignored. Keys
 * are checked one at a time, smallest first; the first violation ends the
 * check, and what is left of the budget goes to shrinking its
 * explanation. In the kv model nil counts as "".
 *
 * Fills res (which the caller releases with lincheck_result_release, even
 * on failure) and returns 0; returns SIM_EINVAL when budget_s is not > 0,
 * or SIM_ENOMEM, with err filled.
 */
int lincheck_check(const struct history *h, double budget_s,
                   struct lincheck_result *res, struct sim_error *err);

/* Frees what res holds; it may then be reused. */
void lincheck_result_release(struct lincheck_result *res);

/*
 * The result as text for a person: a first line with the verdict, the
 * figures and the time taken, then the explanation, if any. Returns a
 * string the caller frees, or NULL when out of memory.
 */
char *lincheck_result_format(const struct lincheck_result *res);

#endif
