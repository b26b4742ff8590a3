/* SPDX-License-Identifier: MIT */
/*
 * report.h - the figures one replication produces. A model adds named
 * values under a scope ("server app.0"); every replication of a scenario
 * adds the same names in the same order, which is how replications are
 * merged into means and confidence intervals.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stddef.h>

/* One figure. Strings are owned by the report. */
struct sim_metric {
    char *scope;                        /* "client shoppers", "server app.0" */
    char *name;                         /* "response_time.p99" */
    char *unit;                         /* "s", "1/s", "ratio", "count" */
    double value;
};

struct sim_report {
    struct sim_metric *metrics;
    size_t n_metrics, cap_metrics;
    int status;                         /* first failure (SIM_ENOMEM) or 0 */
};

void sim_report_init(struct sim_report *rep);

/* Frees every metric; the report can be reused after sim_report_init. */
void sim_report_release(struct sim_report *rep);

/*
 * Appends one figure, copying the strings. On allocation failure the
 * figure is lost and rep->status becomes SIM_ENOMEM.
 */
void sim_report_add(struct sim_report *rep, const char *scope,
                    const char *name, const char *unit, double value);

#endif
