/* SPDX-License-Identifier: MIT */
/*
 * report.h - the figures one replication produces. A model adds named
 * values under a scope ("server app.0"); every replication of a scenario
 * adds the same names in the same order, which is how replications are
 * merged into means and confidence intervals. Besides single figures a
 * report holds series (one value per time window), curves (y against x
 * on a grid fixed by the model) and a timeline of notes.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/time.h"

/* One figure. Strings are owned by the report. */
struct sim_metric {
    char *scope;                        /* "client shoppers", "server app.0" */
    char *name;                         /* "response_time.p99" */
    char *unit;                         /* "s", "1/s", "ratio", "count" */
    double value;
};

/* A figure per time window of the run (see sim_window_width). */
struct sim_series {
    char *scope;
    char *name;
    char *unit;
    double *values;                     /* one per window; NaN: undefined */
    size_t n_values;
};

/*
 * A curve of n points: a CDF (x the response time, y its probability on a
 * fixed grid of levels) or a probability against a fixed grid of times.
 * Every replication gives the same n; points are merged one by one.
 */
struct sim_curve {
    char *scope;
    char *name;                         /* "response_time.cdf.read" */
    char *x_unit;                       /* "s" */
    char *y_unit;                       /* "ratio" */
    double *x, *y;                      /* n each; NaN: undefined */
    size_t n;
};

/* Something that happened, for the timeline: a fault, a failover. */
struct sim_note {
    double t_s;                         /* simulated time, s */
    char *kind;                         /* "partition", "crash", ... */
    char *text;                         /* what and whom, for people */
    bool is_fault;                      /* the fault schedule's doing */
};

/* One effective setting of a component, defaults included, as text. */
struct sim_setting {
    char *scope;                        /* "server app" */
    char *key;                          /* "workers" */
    char *value;                        /* "8" */
};

/*
 * A figure a component reports that can have no value in this scenario
 * (stale reads with no database, say), and why; checked at load.
 */
struct sim_absent {
    char *scope;
    char *name;
    char *why;                          /* for people: what it would need */
};

struct sim_report {
    struct sim_metric *metrics;
    size_t n_metrics, cap_metrics;
    struct sim_series *series;
    size_t n_series, cap_series;
    struct sim_curve *curves;
    size_t n_curves, cap_curves;
    struct sim_note *notes;
    size_t n_notes, cap_notes;
    struct sim_setting *settings;
    size_t n_settings, cap_settings;
    struct sim_absent *absent;          /* kept out of every output */
    size_t n_absent, cap_absent;
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

/*
 * Appends a series of n values (copied), one per time window. Every
 * replication must give the same series with the same n.
 */
void sim_report_series(struct sim_report *rep, const char *scope,
                       const char *name, const char *unit,
                       const double *values, size_t n);

/*
 * Appends a curve of n points (x and y copied). Every replication must
 * give the same curves with the same n.
 */
void sim_report_curve(struct sim_report *rep, const char *scope,
                      const char *name, const char *x_unit,
                      const char *y_unit, const double *x, const double *y,
                      size_t n);

/* Appends a timeline entry at t_s seconds; text is printf-formatted. */
void sim_report_note(struct sim_report *rep, double t_s, const char *kind,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * As sim_report_note, for what the fault schedule did (a partition, a
 * crash, a restart): a cause from outside, so it precedes what the models
 * noted at the same instant (a restart before the rejoin it allows).
 */
void sim_report_fault(struct sim_report *rep, double t_s, const char *kind,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Says that the figure name of scope, which the component reports all the
 * same, can have no value in this scenario, and why (copied). An
 * expectation on it is then refused at load instead of staying unsure.
 */
void sim_report_absent(struct sim_report *rep, const char *scope,
                       const char *name, const char *why);

/*
 * Puts the notes in time order and, at one instant, the fault schedule's
 * before the others; otherwise notes keep the order they were added in.
 */
void sim_report_sort_notes(struct sim_report *rep);

/*
 * Records the value a component runs with for key, defaults included
 * ("the scenario as run"); value is printf-formatted.
 */
void sim_report_setting(struct sim_report *rep, const char *scope,
                        const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A setting that is a duration, written as a scenario would ("250ms"). */
void sim_report_setting_duration(struct sim_report *rep, const char *scope,
                                 const char *key, sim_time t);

/*
 * A setting's value made of items ("app.0 weight 3, app.1 weight 1"),
 * built one item at a time. Items past what a value holds are counted,
 * not shown, so a long list stays one readable line.
 */
struct sim_report_list {
    char text[400];                     /* items so far, ", " between */
    size_t len;                         /* bytes of text used */
    size_t n_items;                     /* items shown */
    size_t n_left_out;                  /* items that did not fit */
};

/* Empties l. */
void sim_report_list_init(struct sim_report_list *l);

/* Appends one printf-formatted item to l, or counts it when full. */
void sim_report_list_add(struct sim_report_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Records l as the setting key of scope: its items, then "and N more"
 * for those left out; "none" when l is empty.
 */
void sim_report_setting_list(struct sim_report *rep, const char *scope,
                             const char *key,
                             const struct sim_report_list *l);

#endif
