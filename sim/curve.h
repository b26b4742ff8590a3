/* SPDX-License-Identifier: MIT */
/*
 * curve.h - curves across replications: the fixed grid of probability
 * levels on which a model reports a CDF, the point-by-point merge of a
 * curve over replications (mean and 95% interval of x and of y at each
 * point), and curves.tsv.
 */
#ifndef SIM_CURVE_H
#define SIM_CURVE_H

#include <stddef.h>

#include "sim/error.h"
#include "sim/report.h"
#include "sim/stats.h"

/* Levels of the CDF grid, from 0.001 to 0.9999. */
#define SIM_CURVE_CDF_N 108

/* Fills out (SIM_CURVE_CDF_N entries) with the CDF grid, increasing. */
void sim_curve_cdf_levels(double *out);

/*
 * Reports h as a CDF curve: x the value at each level of the grid (NaN
 * when h is empty), y the level. x_unit is the unit of h's values.
 */
void sim_curve_report_cdf(struct sim_report *rep, const char *scope,
                          const char *name, const char *x_unit,
                          const struct sim_hist *h);

/* One curve across replications. Strings borrow from replication 0. */
struct sim_curve_summary {
    const char *scope;
    const char *name;
    const char *x_unit;
    const char *y_unit;
    size_t n;                           /* points */
    double *x, *x_hw;                   /* mean and 95% half-width of x */
    double *y, *y_hw;                   /* the same of y */
};

/*
 * Merges curve i of every report into (*out)[i]. Returns 0, SIM_ENOMEM,
 * or SIM_EINTERNAL when the reports disagree on their curves.
 */
int sim_curve_merge(const struct sim_report *reps, unsigned n_reps,
                    struct sim_curve_summary **out, size_t *n_out,
                    struct sim_error *err);

void sim_curve_summary_free(struct sim_curve_summary *c, size_t n);

/* Writes curves.tsv at path: one line per curve and point. */
int sim_curve_write_tsv(const struct sim_curve_summary *c, size_t n,
                        const char *path, struct sim_error *err);

#endif
