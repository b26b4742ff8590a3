/* SPDX-License-Identifier: MIT */
/*
 * dist.h - probability distributions of durations, as written in a
 * scenario ({dist: lognormal, median: 2ms, p99: 15ms}), validated once and
 * then sampled in nanoseconds. A sample is drawn as a double in seconds
 * and rounded once to a sim_time; it is never negative.
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <cyaml/cyaml.h>
#include <gsl/gsl_rng.h>

#include "sim/cfg.h"
#include "sim/time.h"

/*
 * A distribution as loaded by libcyaml. Quantities with units are strings,
 * parsed strictly by sim_dist_build; unitless numbers are pointers so that
 * absent can be told from zero. Every field is NULL (or 0) when absent.
 */
struct sim_dist_config {
    char *dist;                         /* kind: "exponential", ... */
    char *value;                        /* constant */
    char *min, *max;                    /* uniform bounds */
    char *mean, *sd;                    /* several kinds */
    char *rate;                         /* exponential, as "1k/s" */
    char *median, *p99;                 /* lognormal */
    double *mu, *sigma;                 /* lognormal, of ln(x / unit) */
    char *unit;                         /* unit of mu, or of file values */
    double *shape;                      /* gamma, Weibull, Pareto (alpha) */
    char *scale;                        /* gamma, Weibull; Pareto minimum */
    unsigned *k;                        /* Erlang phases */
    double *cv;                         /* hyperexponential by mean and cv */
    char **values;                      /* empirical */
    unsigned n_values;
    char *file;                         /* empirical, one value per line */
    double *weight;                     /* within a mixture's components */
    struct sim_dist_config *components; /* mixture, hyperexponential */
    unsigned n_components;
};

/*
 * The libcyaml fields of a distribution mapping, to embed with
 * CYAML_FIELD_MAPPING_PTR in a model's schema.
 */
extern const cyaml_schema_field_t sim_dist_fields[];

struct sim_dist;

/*
 * Validates c (found at key path `path`, used in messages) and compiles
 * it. Every problem is recorded in cfg. Relative file names are resolved
 * against the directory of sim_cfg_file(cfg). Returns 0 and sets *out
 * (free with sim_dist_free), or SIM_EINVAL / SIM_ENOMEM.
 */
int sim_dist_build(struct sim_cfg *cfg, const char *path,
                   const struct sim_dist_config *c, struct sim_dist **out);

/* Programmatic constructors for tests and defaults; NULL when no memory. */
struct sim_dist *sim_dist_constant(sim_time value);
struct sim_dist *sim_dist_exponential(double mean_s);

void sim_dist_free(struct sim_dist *d);

/* A sample in nanoseconds, >= 0, drawn from r. */
sim_time sim_dist_sample(const struct sim_dist *d, gsl_rng *r);

/* Mean and second moment in seconds and seconds squared (may be inf). */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_moment2(const struct sim_dist *d);

/*
 * A short description for reports, e.g. "lognormal(median 2ms, p99
 * 15ms)", written into buf. Returns buf.
 */
const char *sim_dist_describe(const struct sim_dist *d, char *buf,
                              size_t n_buf);

#endif
