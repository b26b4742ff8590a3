/* SPDX-License-Identifier: MIT */
/*
 * planout.h - what a plan writes once its search is over: summary.json
 * (the question, the answer, how sure it is, the headroom, every point),
 * points.tsv, the charts, and the capacity report. Everything is made from
 * the points read back from points/NNNN, so the bytes depend on nothing
 * else (not on the number of worker processes).
 */
#ifndef SIM_PLANOUT_H
#define SIM_PLANOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"

/* How a point was judged. */
enum sim_planout_verdict {
    SIM_PLANOUT_MET,                    /* every expectation met */
    SIM_PLANOUT_NOT_MET,                /* one or more missed */
    SIM_PLANOUT_UNSURE,                 /* still unsure at the cap: counts
                                           as not met */
};

/* One point tried, in the order tried (its directory is points/NNNN). */
struct sim_planout_point {
    char value[64];                     /* as --set takes it: "7", "250/s" */
    double number;                      /* the number part of value */
    unsigned n_reps;                    /* replications run */
    enum sim_planout_verdict verdict;
};

enum sim_planout_outcome {
    SIM_PLANOUT_FOUND,                  /* the answer lies in the range */
    SIM_PLANOUT_AT_END,                 /* the end that need not meet does:
                                           the answer may lie beyond it */
    SIM_PLANOUT_NONE,                   /* the end that must meet does not */
    SIM_PLANOUT_NO_MODEL,               /* analytic only: no model applies */
};

/* The same question answered by the analytic model, when one applies. */
struct sim_planout_analytic {
    enum sim_planout_outcome outcome;
    char model[200];                    /* the model, as sim/shape names it */
    char answer[64];                    /* the value, when found or at end */
    char why[200];                      /* when no model applies */
};

/* A finished search. Strings borrowed, except the fixed arrays. */
struct sim_planout {
    const char *name;                   /* the scenario's name */
    const char *file;                   /* the scenario file */
    const char *key;                    /* the parameter */
    char unit[16];                      /* of its values, or "" */
    char from[64], to[64];              /* the range, as written */
    char resolution[64];                /* where bisection stops */
    bool is_whole;                      /* a count: whole numbers only */
    bool is_largest;                    /* largest that meets, not smallest */
    unsigned n_start;                   /* replications of a first try */
    unsigned max_reps;                  /* the doubling cap */
    struct sim_planout_point *points;   /* in the order tried */
    size_t n_points;
    enum sim_planout_outcome outcome;
    size_t answer;                      /* index into points, or n_points */
    size_t neighbour;                   /* the closest point that fails, on
                                           the answer's other side; or
                                           n_points */
    struct sim_planout_analytic analytic;
};

/*
 * Reads the points back from dir/points/ and writes summary.json,
 * points.tsv, charts/ (unless !has_charts) and report.md/report.html
 * into dir. Returns 0, or SIM_EIO / SIM_ENOMEM with err filled.
 */
int sim_planout_write(const struct sim_planout *p, const char *dir,
                      bool has_charts, struct sim_error *err);

/*
 * The outcome for people, a few lines naming final_dir, or with
 * is_answer_only the answer lines alone; malloc'd (the caller frees it),
 * NULL when out of memory.
 */
char *sim_planout_text(const struct sim_planout *p, const char *final_dir,
                       bool is_answer_only);

#endif
