/* SPDX-License-Identifier: MIT */
/*
 * expect.h - expectations a scenario states about its results, such as
 * "p99 < 80ms", "availability >= 99.5%" or "server db utilisation < 70%".
 * One is met only when the whole 95% interval of the figure satisfies it,
 * missed when the whole interval violates it, and unsure otherwise.
 */
#ifndef SIM_EXPECT_H
#define SIM_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/cfg.h"
#include "sim/report.h"

struct sim_summary;

enum sim_expect_op {
    SIM_EXPECT_LT,
    SIM_EXPECT_LE,
    SIM_EXPECT_GT,
    SIM_EXPECT_GE,
};

enum sim_expect_status {
    SIM_EXPECT_MET,
    SIM_EXPECT_MISSED,
    SIM_EXPECT_UNSURE,
};

/* A parsed expectation. Strings are owned. */
struct sim_expect {
    char *text;                         /* as written */
    char path[32];                      /* where: "expect[2]" */
    char *scope;                        /* "client web", or NULL: every */
    char *metric;                       /* figure name, aliases resolved */
    enum sim_expect_op op;
    double threshold;                   /* in the figure's base unit */
    char unit[8];                       /* "s", "ratio", "1/s" or "" */
};

/* The outcome for one scope that has the figure. */
struct sim_expect_result {
    const struct sim_expect *expect;
    const char *scope;                  /* borrowed from the summary */
    double mean, half_width;            /* of the figure, 95% */
    enum sim_expect_status status;
};

/*
 * Parses text found at path ("expect[2]"), recording problems in cfg.
 * Returns 0 and fills e (release with sim_expect_release), SIM_EINVAL or
 * SIM_ENOMEM.
 */
int sim_expect_parse(struct sim_cfg *cfg, const char *path, const char *text,
                     struct sim_expect *e);

void sim_expect_release(struct sim_expect *e);

/*
 * Checks that e names figures some component reports (names holds one
 * report of the scenario) with a unit its threshold can be compared with,
 * that it is neither always nor never met whatever the figure's value,
 * and that the figure can have a value in this scenario (see
 * sim_report_absent). Records problems at e's path, with suggestions.
 * When is_partial, some components could not be built and names misses
 * their figures: what may depend on them is not checked. Returns 0 or
 * SIM_EINVAL.
 */
int sim_expect_check(struct sim_cfg *cfg, const struct sim_expect *e,
                     const struct sim_report *names, bool is_partial);

/*
 * Evaluates e against every scope of s that has its figure, appending
 * results to *out (a growable array of *n_out entries, freed by the
 * caller). Returns 0 or SIM_ENOMEM.
 */
int sim_expect_eval(const struct sim_expect *e, const struct sim_summary *s,
                    struct sim_expect_result **out, size_t *n_out);

/* "met", "missed" or "unsure". */
const char *sim_expect_status_name(enum sim_expect_status status);

/* "<", "<=", ">" or ">=". */
const char *sim_expect_op_text(enum sim_expect_op op);

#endif
