/* SPDX-License-Identifier: MIT */
/*
 * variant.h - a scenario loaded with extra assignments on top of the
 * user's --set overrides: one point of a sweep, one value tried by a plan.
 * Problems come back as printable lines, without repeats, so the problems
 * of many variants can be pooled and shown once each.
 */
#ifndef SIM_VARIANT_H
#define SIM_VARIANT_H

#include <stddef.h>

#include "sim/scenario.h"

/* Problem lines, each "file:line:col: key.path: message", owned. */
struct sim_variant_problems {
    char **lines;
    size_t n;
};

/* What to load. */
struct sim_variant_request {
    const char *file;                   /* the scenario */
    const char *const *sets;            /* the user's --set, in order */
    size_t n_sets;
    const char *const *extra;           /* "key=value" of the variant */
    size_t n_extra;
    const int *lines, *cols;            /* where each extra was written in
                                           the file; NULL: command line */
    const struct sim_model_ops *const *kinds;
    size_t n_kinds;
};

/*
 * Loads the variant. Returns 0 and sets *out (free with
 * sim_scenario_free), SIM_EINVAL with its problems added to probs, or
 * SIM_ENOMEM / SIM_EIO with err filled.
 */
int sim_variant_load(const struct sim_variant_request *rq,
                     struct sim_scenario **out,
                     struct sim_variant_problems *probs,
                     struct sim_error *err);

/* Adds a copy of line unless it is there already. Returns 0 or ENOMEM. */
int sim_variant_problems_add(struct sim_variant_problems *probs,
                             const char *line);

void sim_variant_problems_release(struct sim_variant_problems *probs);

#endif
