/* SPDX-License-Identifier: MIT */
/*
 * sweepout.h - what a sweep (or a plan) writes from its points: the table
 * sweep.tsv, the sweep's summary.json, and the charts (each headline
 * figure against the swept parameter, and the throughput-latency curve
 * with the SLO and the knee). Everything is computed from points read
 * back from their directories, so the bytes depend on nothing else.
 */
#ifndef SIM_SWEEPOUT_H
#define SIM_SWEEPOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/pointdir.h"

#define SIM_SWEEPOUT_MAX_CHARTS 24

/* The knee factor: latency at the knee is this times its low-load value. */
#define SIM_SWEEPOUT_KNEE_FACTOR 2.0

/* A swept parameter. Strings borrowed. */
struct sim_sweepout_param {
    const char *key;                    /* key path */
    const char *unit;                   /* unit of its values, or "" */
    bool is_numeric;                    /* values are numbers + unit */
};

/* One point: its parameter values and what was read back. */
struct sim_sweepout_row {
    const char *const *values;          /* per parameter, as --set takes */
    const double *numbers;              /* per parameter; NaN: not numeric */
    char dir[32];                       /* "points/0003" */
    struct sim_pointdir point;
};

/* The throughput-latency curve and where its knee is. */
struct sim_sweepout_knee {
    char scope[96];                     /* the client it is drawn for */
    char latency[48];                   /* the latency figure's name */
    double slo_s;                       /* SLO threshold, NaN: none */
    bool has_knee;
    double x_per_s, y_s;                /* knee: throughput, latency */
    double base_s;                      /* latency at the lowest load */
    bool has_slo_cross;                 /* the latency passes the SLO */
    double slo_x_per_s;                 /* throughput where it does */
    size_t n_curve, n_above_slo;        /* points on the curve; above it */
    bool is_first_above_slo;            /* at the lowest throughput */
};

/* A chart made: its file (in the output directory) and title. */
struct sim_sweepout_chart {
    char file[80];                      /* "charts/client-c-throughput.svg" */
    char title[160];
};

struct sim_sweepout {
    const char *name;                   /* the scenario's name */
    const char *file;                   /* the scenario file */
    const char *combine;                /* "grid", "zip" or "plan" */
    const struct sim_sweepout_param *params;
    size_t n_params;
    struct sim_sweepout_row *rows;
    size_t n_rows;
    struct sim_sweepout_knee knee;      /* filled by sim_sweepout_analyse */
    bool has_curve;                     /* a client has throughput and
                                           latency: the table shows them */
    bool is_load;                       /* the one parameter is an offered
                                           load: the knee is looked for
                                           and the curve is drawn */
    struct sim_sweepout_chart charts[SIM_SWEEPOUT_MAX_CHARTS + 1];
    size_t n_charts;                    /* filled by sim_sweepout_charts */
    char chart_note[160];               /* why charts are missing, or "" */
};

/*
 * Finds the client whose throughput and latency the reports show and,
 * when the sweep varies an offered load alone, the SLO on its
 * throughput-latency curve and the knee.
 */
void sim_sweepout_analyse(struct sim_sweepout *s);

/* Writes sweep.tsv at path. Returns 0 or SIM_EIO with err. */
int sim_sweepout_write_tsv(const struct sim_sweepout *s, const char *path,
                           struct sim_error *err);

/* Writes the sweep's summary.json at path. Returns 0 or SIM_EIO. */
int sim_sweepout_write_json(const struct sim_sweepout *s, const char *path,
                            struct sim_error *err);

/*
 * Writes the chart data into dir/charts/ and draws each chart with
 * gnuplot (scripts from $DISTSIM_PLOTS, else the plots/ directory of the
 * tree the program was built in). A missing gnuplot or script is no
 * error: chart_note says so. Returns 0, or SIM_EIO with err.
 */
int sim_sweepout_charts(struct sim_sweepout *s, const char *dir,
                        struct sim_error *err);

/*
 * Whether a key path sets an offered load: a client's arrival rate,
 * trace speed or closed-loop users.
 */
bool sim_sweepout_is_load_key(const char *key);

/*
 * The name of parameter j for people: the last part of its key path
 * ("workers"), or the whole key when another parameter's last part is
 * the same. Points into the key.
 */
const char *sim_sweepout_param_name(const struct sim_sweepout *s, size_t j);

/*
 * Point r named by its values, "workers=4, rate=2k/s", into buf; returns
 * buf.
 */
const char *sim_sweepout_point_name(const struct sim_sweepout *s, size_t r,
                                    char *buf, size_t n_buf);

/* Label of a figure for people: "client c response_time.p99 (s)". */
const char *sim_sweepout_label(const struct sim_pointdir_figure *f,
                               char *buf, size_t n_buf);

#endif
