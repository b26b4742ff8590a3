/* SPDX-License-Identifier: MIT */
/*
 * pointdir.h - the result of one point of a sweep or a plan, kept as a
 * directory (summary.json, metrics.tsv, scenario.yaml) that appears whole
 * or not at all, and read back from there. Everything made from points
 * is made from what was read back, so a resumed sweep ends with the same
 * bytes as one that ran straight through.
 */
#ifndef SIM_POINTDIR_H
#define SIM_POINTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/batch.h"
#include "sim/expect.h"

/* One figure of a point. Strings owned. */
struct sim_pointdir_figure {
    char *scope, *name, *unit;
    double mean, half_width;            /* half-width of the 95% interval */
};

/* One judged expectation of a point. Strings owned. */
struct sim_pointdir_expect {
    char *text, *scope, *metric;
    enum sim_expect_op op;
    double threshold;                   /* in the figure's unit */
    double mean, half_width;
    enum sim_expect_status status;
};

/* A point as read back. */
struct sim_pointdir {
    struct sim_pointdir_figure *figs;
    size_t n_figs;
    struct sim_pointdir_expect *expects;
    size_t n_expects;
    struct sim_report settings;         /* only its settings are used */
    unsigned n_reps;
    bool is_met;                        /* every expectation met */
};

/*
 * Merges the replications of b, judges sc's expectations and writes the
 * point into dir (a path that must not exist yet) through a temporary
 * sibling renamed into place. Returns 0 or a negative status with err.
 */
int sim_pointdir_write(const char *dir, const struct sim_scenario *sc,
                       const struct sim_batch *b, struct sim_error *err);

/* Reads the point in dir. Returns 0 (release with sim_pointdir_release),
 * or SIM_EIO / SIM_ENOMEM with err filled. */
int sim_pointdir_read(const char *dir, struct sim_pointdir *p,
                      struct sim_error *err);

void sim_pointdir_release(struct sim_pointdir *p);

/*
 * The point's verdict, the one word used wherever points are listed:
 * "met" when every expectation is met, "missed" when one is missed, else
 * "unsure"; "none" without expectations.
 */
const char *sim_pointdir_verdict(const struct sim_pointdir *p);

/* The figure (scope, name) of p, or NULL. */
const struct sim_pointdir_figure *sim_pointdir_find(
    const struct sim_pointdir *p, const char *scope, const char *name);

#endif
