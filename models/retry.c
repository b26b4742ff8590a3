/* SPDX-License-Identifier: MIT */
/*
 * retry.c - exponential backoff with jitter. Wait n is
 * min(max_backoff, backoff * multiplier^(n-1)), then jittered: "full"
 * draws uniformly below it, "equal" keeps half and draws the other half,
 * "none" keeps it all. Full jitter is the default because it spreads a
 * crowd of clients that failed together.
 */
#include "models/retry.h"

#include <math.h>
#include <stdio.h>

#define RETRY_MAX_RETRIES 100
#define RETRY_MAX_MULTIPLIER 100.0

static const cyaml_strval_t jitter_names[] = {
    {"none", RETRY_JITTER_NONE},
    {"full", RETRY_JITTER_FULL},
    {"equal", RETRY_JITTER_EQUAL},
};

const cyaml_schema_field_t retry_fields[] = {
    CYAML_FIELD_UINT_PTR("max", CYAML_FLAG_OPTIONAL, struct retry_config,
                         max),
    CYAML_FIELD_STRING_PTR("backoff", CYAML_FLAG_OPTIONAL,
                           struct retry_config, backoff, 1, 64),
    CYAML_FIELD_FLOAT_PTR("multiplier", CYAML_FLAG_OPTIONAL,
                          struct retry_config, multiplier),
    CYAML_FIELD_STRING_PTR("max_backoff", CYAML_FLAG_OPTIONAL,
                           struct retry_config, max_backoff, 1, 64),
    CYAML_FIELD_ENUM("jitter", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct retry_config, jitter, jitter_names,
                     CYAML_ARRAY_LEN(jitter_names)),
    CYAML_FIELD_END
};

int retry_build(struct sim_cfg *cfg, const char *path,
                const struct retry_config *c, struct retry *r)
{
    char sub[256];
    int rc = 0;

    *r = (struct retry){.multiplier = 2.0, .jitter = RETRY_JITTER_FULL,
                        .backoff = 100 * SIM_MS};
    if (c == NULL)
        return 0;
    r->max = c->max ? *c->max : 1;
    if (c->jitter != RETRY_JITTER_DEFAULT)
        r->jitter = c->jitter;
    snprintf(sub, sizeof sub, "%s.max", path);
    if (r->max > RETRY_MAX_RETRIES) {
        sim_cfg_error(cfg, sub, "must be at most %d", RETRY_MAX_RETRIES);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.backoff", path);
    rc |= sim_cfg_duration(cfg, sub, c->backoff, r->backoff, &r->backoff);
    snprintf(sub, sizeof sub, "%s.multiplier", path);
    if (c->multiplier != NULL)
        r->multiplier = *c->multiplier;
    if (!(r->multiplier >= 1.0 && r->multiplier <= RETRY_MAX_MULTIPLIER)) {
        sim_cfg_error(cfg, sub, "%g is outside [1, %g]", r->multiplier,
                      RETRY_MAX_MULTIPLIER);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.max_backoff", path);
    if (sim_cfg_duration(cfg, sub, c->max_backoff, 100 * r->backoff,
                         &r->max_backoff) != 0) {
        rc = SIM_EINVAL;
    } else if (r->max_backoff < r->backoff) {
        sim_cfg_error(cfg, sub, "\"%s\" is shorter than the backoff",
                      c->max_backoff);
        rc = SIM_EINVAL;
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

sim_time retry_wait(const struct retry *r, unsigned n, gsl_rng *g)
{
    double wait = (double)r->backoff * pow(r->multiplier, (double)n - 1.0);

    if (!(wait < (double)r->max_backoff))
        wait = (double)r->max_backoff;
    switch (r->jitter) {
    case RETRY_JITTER_NONE:
        break;
    case RETRY_JITTER_EQUAL:
        wait = wait / 2.0 + gsl_rng_uniform(g) * wait / 2.0;
        break;
    default:
        wait = gsl_rng_uniform(g) * wait;
        break;
    }
    return (sim_time)(wait + 0.5);
}
