/* SPDX-License-Identifier: MIT */
/*
 * keys.c - sampling keys by popularity. Zipf uses Hörmann and Derflinger's
 * rejection-inversion method: O(1) memory and expected time for any
 * number of keys, exact for every exponent s >= 0. H below is the integral
 * of h(x) = x^-s, written through expm1/log1p so s near 1 stays accurate.
 */
#include "models/keys.h"

#include <math.h>
#include <stdio.h>

#define KEYS_MAX_COUNT 1000000000000ULL /* 10^12 keys */

static const cyaml_strval_t kind_names[] = {
    {"uniform", KEYS_UNIFORM},
    {"zipf", KEYS_ZIPF},
    {"hotspot", KEYS_HOTSPOT},
};

const cyaml_schema_field_t keys_fields[] = {
    CYAML_FIELD_ENUM("dist", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct keys_config, dist, kind_names,
                     CYAML_ARRAY_LEN(kind_names)),
    CYAML_FIELD_UINT_PTR("count", CYAML_FLAG_OPTIONAL, struct keys_config,
                         count),
    CYAML_FIELD_FLOAT_PTR("s", CYAML_FLAG_OPTIONAL, struct keys_config, s),
    CYAML_FIELD_FLOAT_PTR("hot_fraction", CYAML_FLAG_OPTIONAL,
                          struct keys_config, hot_fraction),
    CYAML_FIELD_FLOAT_PTR("hot_probability", CYAML_FLAG_OPTIONAL,
                          struct keys_config, hot_probability),
    CYAML_FIELD_END
};

/* log1p(t)/t and expm1(t)/t, continuous through t = 0. */
static double log1p_ratio(double t)
{
    return fabs(t) > 1e-8 ? log1p(t) / t : 1.0 - t / 2.0;
}

static double expm1_ratio(double t)
{
    return fabs(t) > 1e-8 ? expm1(t) / t : 1.0 + t / 2.0;
}

static double zipf_h(double s, double x)
{
    return exp(-s * log(x));
}

static double zipf_big_h(double s, double x)
{
    double lx = log(x);

    return expm1_ratio((1.0 - s) * lx) * lx;
}

static double zipf_big_h_inv(double s, double y)
{
    return exp(log1p_ratio((1.0 - s) * y) * y);
}

static void zipf_setup(struct keys *k)
{
    k->h_x1 = zipf_big_h(k->s, 1.5) - 1.0;
    k->h_n = zipf_big_h(k->s, (double)k->count + 0.5);
    k->s_bound = 2.0 - zipf_big_h_inv(k->s, zipf_big_h(k->s, 2.5) -
                                                zipf_h(k->s, 2.0));
}

static uint64_t zipf_sample(const struct keys *k, gsl_rng *r)
{
    for (;;) {
        double u = k->h_n + gsl_rng_uniform(r) * (k->h_x1 - k->h_n);
        double x = zipf_big_h_inv(k->s, u);
        double rank = floor(x + 0.5);

        if (rank < 1.0)
            rank = 1.0;
        else if (rank > (double)k->count)
            rank = (double)k->count;
        if (rank - x <= k->s_bound ||
            u >= zipf_big_h(k->s, rank + 0.5) - zipf_h(k->s, rank))
            return (uint64_t)rank - 1;
    }
}

static int check_unit_interval(struct sim_cfg *cfg, const char *path,
                               const char *key, const double *v, bool open)
{
    char sub[256];

    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (v == NULL) {
        sim_cfg_error(cfg, path, "hot-spot popularity needs \"%s\"", key);
        return SIM_EINVAL;
    }
    if (open ? !(*v > 0.0 && *v < 1.0) : !(*v >= 0.0 && *v <= 1.0)) {
        sim_cfg_error(cfg, sub, "%g is outside %s", *v,
                      open ? "(0, 1)" : "[0, 1]");
        return SIM_EINVAL;
    }
    return 0;
}

static int build_hotspot(struct sim_cfg *cfg, const char *path,
                         const struct keys_config *c, struct keys *k)
{
    int rc = check_unit_interval(cfg, path, "hot_fraction",
                                 c->hot_fraction, true);

    if (check_unit_interval(cfg, path, "hot_probability",
                            c->hot_probability, false) != 0)
        rc = SIM_EINVAL;
    if (rc != 0)
        return rc;
    k->n_hot = (uint64_t)llround(*c->hot_fraction * (double)k->count);
    if (k->n_hot < 1 || k->n_hot >= k->count) {
        sim_cfg_error(cfg, path, "hot_fraction %g of %llu keys leaves no "
                      "hot or no cold key", *c->hot_fraction,
                      (unsigned long long)k->count);
        return SIM_EINVAL;
    }
    k->p_hot = *c->hot_probability;
    return 0;
}

/* Records a key that the chosen popularity does not use. */
static int unused(struct sim_cfg *cfg, const char *path, const char *key,
                  const void *v, const char *kind)
{
    char sub[256];

    if (v == NULL)
        return 0;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    sim_cfg_error(cfg, sub, "not used by %s popularity", kind);
    return SIM_EINVAL;
}

int keys_build(struct sim_cfg *cfg, const char *path,
               const struct keys_config *c, struct keys *k)
{
    char sub[256];
    int rc = 0;

    *k = (struct keys){.kind = KEYS_UNIFORM, .count = KEYS_DEFAULT_COUNT};
    if (c == NULL)
        return 0;
    k->kind = c->dist == KEYS_DEFAULT ? KEYS_UNIFORM : c->dist;
    if (c->count != NULL)
        k->count = *c->count;
    snprintf(sub, sizeof sub, "%s.count", path);
    if (k->count < 1 || k->count > KEYS_MAX_COUNT) {
        sim_cfg_error(cfg, sub, "must be between 1 and 10^12");
        return SIM_EINVAL;
    }
    if (k->kind != KEYS_ZIPF)
        rc |= unused(cfg, path, "s", c->s, k->kind == KEYS_UNIFORM ?
                     "uniform" : "hot-spot");
    if (k->kind != KEYS_HOTSPOT) {
        const char *kind = k->kind == KEYS_ZIPF ? "Zipf" : "uniform";

        rc |= unused(cfg, path, "hot_fraction", c->hot_fraction, kind);
        rc |= unused(cfg, path, "hot_probability", c->hot_probability, kind);
    }
    if (k->kind == KEYS_HOTSPOT && build_hotspot(cfg, path, c, k) != 0)
        rc = SIM_EINVAL;
    if (k->kind == KEYS_ZIPF) {
        snprintf(sub, sizeof sub, "%s.s", path);
        k->s = c->s != NULL ? *c->s : 1.0;
        if (!(k->s >= 0.0 && k->s <= 10.0)) {
            sim_cfg_error(cfg, sub, "%g is outside [0, 10]", k->s);
            rc = SIM_EINVAL;
        }
        zipf_setup(k);
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

uint64_t keys_sample(const struct keys *k, gsl_rng *r)
{
    switch (k->kind) {
    case KEYS_ZIPF:
        return zipf_sample(k, r);
    case KEYS_HOTSPOT:
        if (gsl_rng_uniform(r) < k->p_hot)
            return (uint64_t)(gsl_rng_uniform(r) * (double)k->n_hot);
        return k->n_hot + (uint64_t)(gsl_rng_uniform(r) *
                                     (double)(k->count - k->n_hot));
    default:
        return (uint64_t)(gsl_rng_uniform(r) * (double)k->count);
    }
}

double keys_pmf(const struct keys *k, uint64_t i)
{
    double norm = 0.0;

    if (i >= k->count)
        return 0.0;
    switch (k->kind) {
    case KEYS_ZIPF:
        for (uint64_t j = 1; j <= k->count; j++)
            norm += zipf_h(k->s, (double)j);
        return zipf_h(k->s, (double)(i + 1)) / norm;
    case KEYS_HOTSPOT:
        if (i < k->n_hot)
            return k->p_hot / (double)k->n_hot;
        return (1.0 - k->p_hot) / (double)(k->count - k->n_hot);
    default:
        return 1.0 / (double)k->count;
    }
}

const char *keys_describe(const struct keys *k, char *buf, size_t n_buf)
{
    unsigned long long n = (unsigned long long)k->count;

    if (k->kind == KEYS_ZIPF)
        snprintf(buf, n_buf, "zipf(s %.6g) over %llu keys", k->s, n);
    else if (k->kind == KEYS_HOTSPOT)
        snprintf(buf, n_buf, "hotspot(hot_fraction %.6g, hot_probability "
                 "%.6g) over %llu keys", (double)k->n_hot / (double)k->count,
                 k->p_hot, n);
    else
        snprintf(buf, n_buf, "uniform over %llu keys", n);
    return buf;
}
