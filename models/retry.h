/* SPDX-License-Identifier: MIT */
/*
 * retry.h - a retry policy: how many times a failed request is tried
 * again, and how long to wait before each try (exponential backoff, capped,
 * with jitter). Written in YAML as
 *   retry: {max: 3, backoff: 50ms, multiplier: 2, max_backoff: 2s,
 *           jitter: full}
 */
#ifndef MODELS_RETRY_H
#define MODELS_RETRY_H

#include "sim/sim.h"

enum retry_jitter {
    RETRY_JITTER_DEFAULT,               /* absent: full */
    RETRY_JITTER_NONE,                  /* wait exactly the backoff */
    RETRY_JITTER_FULL,                  /* uniform in [0, backoff] */
    RETRY_JITTER_EQUAL,                 /* backoff/2 + uniform [0, b/2] */
};

struct retry_config {
    unsigned *max;                      /* retries after the first try */
    char *backoff;                      /* first wait, "50ms" */
    double *multiplier;                 /* growth per retry, default 2 */
    char *max_backoff;                  /* cap on one wait */
    enum retry_jitter jitter;
};

/* libcyaml fields of the mapping, for CYAML_FIELD_MAPPING_PTR. */
extern const cyaml_schema_field_t retry_fields[];

/* A validated policy. Fields are readable. */
struct retry {
    unsigned max;                       /* 0: never retry */
    sim_time backoff;                   /* ns */
    double multiplier;
    sim_time max_backoff;               /* ns */
    enum retry_jitter jitter;
};

/*
 * Validates c (NULL: never retry) found at path, recording problems in
 * cfg, and fills r. Returns 0 or SIM_EINVAL.
 */
int retry_build(struct sim_cfg *cfg, const char *path,
                const struct retry_config *c, struct retry *r);

/* The wait before retry number n (1 for the first retry), drawn from g. */
sim_time retry_wait(const struct retry *r, unsigned n, gsl_rng *g);

#endif
