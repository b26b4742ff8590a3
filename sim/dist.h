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
 * k is a double, not an unsigned, because libcyaml reads "k: 2.5" into an
 * unsigned field as 2 without a word; sim_dist_build rejects it instead.
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
    double *k;                          /* Erlang phases, a whole number */
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
 * CYAML_FIELD_MAPPING_PTR in a model's schema. Every key is optional here;
 * sim_dist_build decides which ones a kind needs. "components" holds
 * mappings of this same schema, so mixtures nest.
 */
extern const cyaml_schema_field_t sim_dist_fields[];

struct sim_dist;

/*
 * Validates c (found at key path `path`, used in messages) and compiles
 * it. Every problem is recorded in cfg, not just the first. Relative file
 * names are resolved against the directory of sim_cfg_file(cfg); a file
 * may hold at most 10^7 values (more is an error, never a truncation).
 * Means, scales and values above 10^7 s, shapes, k or cv above 1000,
 * sigma above 5, and Weibull shapes below 0.2 or Pareto shapes below 0.5
 * are rejected as absurd. Returns 0 and sets *out (free with
 * sim_dist_free), or SIM_EINVAL / SIM_ENOMEM with *out untouched. A NULL c
 * is reported as a missing "dist" key.
 */
int sim_dist_build(struct sim_cfg *cfg, const char *path,
                   const struct sim_dist_config *c, struct sim_dist **out);

/*
 * Programmatic constructors for tests and defaults; NULL when no memory.
 * value must be >= 0 and mean_s finite and > 0.
 */
struct sim_dist *sim_dist_constant(sim_time value);
struct sim_dist *sim_dist_exponential(double mean_s);

/* Frees d and, for a mixture, its components. NULL is allowed. */
void sim_dist_free(struct sim_dist *d);

/* Largest sample: 2^62 ns (about 146 years). */
#define SIM_DIST_CAP ((sim_time)1 << 62)

/*
 * A sample in nanoseconds drawn from r, in [0, SIM_DIST_CAP]. A draw too
 * large for that (a heavy tail) is capped, so adding a sample to any time
 * below 2^62 ns cannot overflow. It does not allocate. Constant and
 * empirical distributions return their values exactly.
 */
sim_time sim_dist_sample(const struct sim_dist *d, gsl_rng *r);

/*
 * Mean and second moment in seconds and seconds squared, before the cap;
 * they may be inf (Pareto with shape <= 1 or <= 2, for instance). For the
 * normal distribution they are those of the truncated one.
 */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_moment2(const struct sim_dist *d);

/*
 * A short description for reports, e.g. "lognormal(median 2ms, p99
 * 15ms)", written into buf. Returns buf.
 */
const char *sim_dist_describe(const struct sim_dist *d, char *buf,
                              size_t n_buf);

#endif
