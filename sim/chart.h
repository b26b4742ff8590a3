/* SPDX-License-Identifier: MIT */
/*
 * chart.h - the charts of a run: which ones its data allow, the data
 * files their gnuplot scripts read (charts/<name>.tsv, already scaled to
 * the units on the axes, intervals already turned into bounds, fault
 * windows already paired), and drawing them. The scripts in plots/ only
 * format; every number they show is computed here.
 */
#ifndef SIM_CHART_H
#define SIM_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/scenario.h"
#include "sim/strbuf.h"
#include "sim/summary.h"
#include "sim/timeline.h"

#define SIM_CHART_DIR "charts"
#define SIM_CHART_TITLE_MAX 200         /* bytes of a chart's title */

/*
 * A panel over time whose largest value is more than this many times its
 * smallest positive one gets a log y axis (see chart.c for why 30).
 */
#define SIM_CHART_LOG_RATIO 30.0

/*
 * One chart: charts/<name>.tsv drawn by plots/<script>.gp. Callers may
 * read every field; the axis fields are what the script is told.
 */
struct sim_chart {
    char name[96];                      /* "latency-web" */
    const char *script;                 /* "latency" */
    char title[SIM_CHART_TITLE_MAX];    /* above the chart */
    char caption[320];                  /* what it shows, for the report */
    char counts[32];                    /* lines per panel: "2 2", "3 0" */
    bool is_log_y[2];                   /* per panel: a log y axis */
    double y_floor[2];                  /* a log panel's bottom, axis unit */
    double x_lo, x_hi;                  /* a curve chart's x range, axis
                                           unit; 0 and 0: the data's */
    bool is_drawn;                      /* its image exists */
};

struct sim_chart_set {
    struct sim_chart *charts;
    size_t n, cap;
    const char *ext;                    /* "png" or "svg" */
    unsigned n_shading;                 /* rows of charts/shading.tsv */
    bool has_bands;                     /* intervals: replications > 1 */
    double run_s;                       /* the run's length, s */
};

/*
 * Chooses the charts that sc->plot_charts asks for and the summary has
 * data for, and writes their data into dir/charts/ (created here), with
 * the fault windows of tl in charts/shading.tsv. format is an enum
 * sim_plot_format other than SIM_PLOT_NONE. Returns 0, SIM_ENOMEM or
 * SIM_EIO with err filled; release set in every case.
 */
int sim_chart_prepare(const char *dir, const struct sim_scenario *sc,
                      const struct sim_summary *s,
                      const struct sim_timeline *tl, int format,
                      struct sim_chart_set *set, struct sim_error *err);

/*
 * Draws every chart of set with the scripts in scripts (absolute),
 * running up to parallel gnuplot processes in dir. A chart gnuplot fails
 * on stays undrawn, and a line saying why is added to problems. Returns 0
 * or SIM_EIO (gnuplot could not be started) with err filled.
 */
int sim_chart_draw(const char *dir, const char *scripts, unsigned parallel,
                   struct sim_chart_set *set, struct sim_strbuf *problems,
                   struct sim_error *err);

void sim_chart_release(struct sim_chart_set *set);

/*
 * The title of a chart about what: the scenario's title (or name) made
 * one line, cut to fit, then ": what". Into buf.
 */
void sim_chart_title(const struct sim_scenario *sc, const char *what,
                     char *buf, size_t n);

#endif
