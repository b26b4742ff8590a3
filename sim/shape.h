/* SPDX-License-Identifier: MIT */
/*
 * shape.h - recognising, from the settings a run reports, a scenario that
 * an analytic model describes exactly: one Poisson client in front of one
 * group of exponential servers (M/M/c: Erlang C, or Erlang B without a
 * waiting room), or one closed-loop client cycling through single-server
 * exponential stations (exact MVA). Anything else: no model applies.
 */
#ifndef SIM_SHAPE_H
#define SIM_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/report.h"

#define SIM_SHAPE_MAX_FIGS 6

/* A figure the model predicts, named as the simulation reports it. */
struct sim_shape_figure {
    char scope[96];
    char name[48];
    double value;                       /* in the figure's unit */
};

struct sim_shape {
    char model[200];                    /* the model and its parameters */
    struct sim_shape_figure figs[SIM_SHAPE_MAX_FIGS];
    size_t n_figs;                      /* 0: none applies, see why */
    bool is_unstable;                   /* the model applies but has no
                                           steady state (why says so):
                                           figs hold its limits */
    char why[200];                      /* why no model applies */
};

/* Matches the settings of rep (one run's) against the models. */
void sim_shape_match(const struct sim_report *rep, struct sim_shape *out);

#endif
