/* SPDX-License-Identifier: MIT */
/*
 * consist.h - what a client learns about consistency from its answers.
 * A read answered with a version is compared with the ground truth (see
 * sim/truth.h): it is stale when a newer version had been acknowledged
 * before the read began, and k versions behind. Per session it also
 * checks read-your-writes (a read older than a write of the key the
 * session had had acknowledged before the read began) and monotonic
 * reads (a read older than one the session had been answered before the
 * read began). Operations of a session that overlap in time do not order
 * each other.
 */
#ifndef MODELS_CONSIST_H
#define MODELS_CONSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

/* Sessions are numbered below this (a session id takes 24 bits). */
#define CONSIST_MAX_SESSIONS ((uint32_t)1 << 24)

/* t-visibility: reads binned by how long after the newest commit they began. */
#define CONSIST_N_BINS 40

/* Counters since the last reset; fields are readable. */
struct consist_stats {
    uint64_t n_reads;                   /* successful reads with a version */
    uint64_t n_stale;                   /* of which stale */
    uint64_t versions_behind;           /* summed over stale reads */
    uint64_t max_behind;
    uint64_t n_ryw;                     /* read-your-writes violations */
    uint64_t n_monotonic;               /* monotonic-read violations */
    uint64_t n_unjudged;                /* reads the steps kept cannot
                                           judge for the two above */
    uint64_t vis_reads[CONSIST_N_BINS]; /* reads per bin of t */
    uint64_t vis_fresh[CONSIST_N_BINS]; /* of which saw that commit */
};

struct consist_entry;
struct consist_more;

struct consist {
    struct consist_entry *table;        /* open addressing */
    size_t n, cap;                      /* cap: 0 or a power of two */
    struct consist_more *more;          /* pairs with more than one step */
    size_t n_more, cap_more;
    struct consist_stats st;
    uint64_t *win_reads, *win_stale;    /* per series window */
    size_t n_windows;
};

/* Prepares c for a run of sim. Returns 0 or SIM_ENOMEM. */
int consist_init(struct consist *c, struct sim *sim);

void consist_release(struct consist *c);

/*
 * A successful answer to req arrived now. Reads with a version are
 * judged; acknowledged writes with a version update the session's state.
 * Answers without a store (from a plain server) are ignored.
 */
void consist_answer(struct consist *c, struct sim *sim,
                    const struct sim_req *req);

/* Forgets the counters (the session state stays). */
void consist_reset(struct consist *c);

/*
 * Adds the figures under scope (always the same ones, so replications
 * agree): reads checked, stale reads and their rate, how many versions
 * behind, session-guarantee violations, and the stale-read rate per
 * window; with no database in the scenario, it marks them as figures
 * that can have no value (sim_report_absent).
 */
void consist_report(const struct consist *c, struct sim *sim,
                    const char *scope, struct sim_report *rep);

/* Lower edge in seconds of t-visibility bin i (bin 0 starts at 0). */
double consist_bin_start(int i);

#endif
