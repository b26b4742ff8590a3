/* SPDX-License-Identifier: MIT */
/*
 * plan.h - distsim plan: the smallest (or largest) value of one parameter
 * at which every expectation of a scenario is met, found by bisection over
 * replicated runs. Meeting them is assumed monotone in the parameter; the
 * two ends of the range are run first, and every point tried is kept.
 */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include <stdbool.h>

#include "sim/variant.h"

/* Most replications a point may get, and the default cap. */
#define SIM_PLAN_MAX_REPS 10000
#define SIM_PLAN_DEFAULT_MAX_REPS 40

/* Called with one line for people as each point is judged. */
typedef void (*sim_plan_point_fn)(void *ctx, const char *line);

/* What the user asked for. Strings are borrowed. */
struct sim_plan_request {
    struct sim_variant_request base;    /* file, --set, model kinds; its
                                           extra fields are unused */
    const char *key;                    /* --param, as --set takes it */
    const char *from, *to;              /* the range, with the key's unit */
    const char *resolution;             /* NULL: 1 for counts, else 1% of
                                           the range */
    bool is_largest;                    /* largest value that meets */
    unsigned max_reps;                  /* doubling stops here */
    unsigned jobs;                      /* worker processes */
    const char *dir;                    /* the output directory */
    bool is_forced;                     /* replace a directory not ours */
    bool has_charts;                    /* draw the charts */
    bool is_answer_only;                /* text: the answer lines alone */
    sim_plan_point_fn on_point;         /* or NULL */
    void *ctx;                          /* for on_point */
};

/*
 * Runs the plan and writes the output directory. Returns 0 with
 * *is_found (false: no value in the range meets every expectation) and
 * *text, a summary for people (malloc'd; the caller frees it); or
 * SIM_EINVAL for bad input, with the scenario's problems in probs or a
 * message in err; or SIM_EIO / SIM_ENOMEM / SIM_ELIMIT / SIM_EINTERNAL
 * with err filled (nothing is written then).
 */
int sim_plan_run(const struct sim_plan_request *rq, bool *is_found,
                 char **text, struct sim_variant_problems *probs,
                 struct sim_error *err);

#endif
