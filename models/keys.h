/* SPDX-License-Identifier: MIT */
/*
 * keys.h - key popularity: which data item a request touches. Keys are
 * numbered 0 .. count-1 in decreasing popularity, so key 0 is the hottest
 * under Zipf and hot-spot popularity.
 */
#ifndef MODELS_KEYS_H
#define MODELS_KEYS_H

#include "sim/sim.h"

enum keys_kind {
    KEYS_DEFAULT,                       /* absent: uniform */
    KEYS_UNIFORM,
    KEYS_ZIPF,
    KEYS_HOTSPOT,
};

/* As loaded from YAML: {dist: zipf, s: 0.99, count: 100000}. */
struct keys_config {
    enum keys_kind dist;
    unsigned long long *count;          /* number of keys */
    double *s;                          /* Zipf exponent, >= 0 */
    double *hot_fraction;               /* share of keys that are hot */
    double *hot_probability;            /* share of requests they get */
};

/* libcyaml fields of that mapping, for CYAML_FIELD_MAPPING_PTR. */
extern const cyaml_schema_field_t keys_fields[];

/* A compiled popularity; fields are private. */
struct keys {
    enum keys_kind kind;
    uint64_t count;
    uint64_t n_hot;                     /* hot-spot: keys 0 .. n_hot-1 */
    double p_hot;
    double s;                           /* Zipf: exponent */
    double h_x1, h_n, s_bound;          /* Zipf: rejection-inversion */
};

/* Keys when a scenario gives none: uniform over this many. */
#define KEYS_DEFAULT_COUNT 1000

/*
 * Validates c (NULL means the default popularity) found at path,
 * recording problems in cfg, and fills k. Returns 0 or SIM_EINVAL.
 */
int keys_build(struct sim_cfg *cfg, const char *path,
               const struct keys_config *c, struct keys *k);

/* A key drawn from r. */
uint64_t keys_sample(const struct keys *k, gsl_rng *r);

/*
 * k as a user would write it, for reports: "uniform over 1000 keys",
 * "zipf(s 0.99) over 100000 keys", "hotspot(hot_fraction 0.1,
 * hot_probability 0.9) over 5000 keys". Returns buf.
 */
const char *keys_describe(const struct keys *k, char *buf, size_t n_buf);

/* Probability of key i (0-based) under k, for tests and theory. */
double keys_pmf(const struct keys *k, uint64_t i);

#endif
