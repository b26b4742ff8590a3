/* SPDX-License-Identifier: MIT */
/*
 * dist.c - validating, compiling and sampling duration distributions.
 * sim_dist_build checks a loaded mapping once, records every problem, and
 * precomputes what sampling needs, so that sim_dist_sample only draws and
 * rounds: it never allocates, and every sample lies in [0, 2^62] ns.
 */
#include "sim/dist.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "sim/error.h"
#include "sim/infile.h"
#include "sim/units.h"

#define DIST_MAX_NS ((sim_time)10000000 * SIM_S) /* longest duration */
#define DIST_TOO_LONG "too long (at most 10^7 s, about 4 months)"
#define DIST_MAX_SHAPE 1000.0           /* largest shape, k, cv */
/*
 * Tails past these bounds give samples of absurd size often enough to
 * matter (a Weibull of shape 0.001 takes scale * E^1000): the largest
 * lognormal sigma, the smallest Weibull, Pareto and gamma shapes (a
 * gamma of shape 1e-9 draws 0 nearly always, and else a time past any
 * run, for the same mean).
 */
#define DIST_MAX_SIGMA 5.0
#define DIST_MIN_WEIBULL_SHAPE 0.2
#define DIST_MIN_GAMMA_SHAPE 0.05
#define DIST_MIN_PARETO_SHAPE 0.5
#define DIST_MAX_RATE 1e9               /* per second: a 1ns mean */
#define DIST_MAX_FILE_VALUES 10000000   /* values in one file */
#define DIST_MAX_FILE_BYTES ((uint64_t)1 << 30) /* size of that file */
#define DIST_MAX_BAD_LINES 10           /* bad lines reported one by one */
#define DIST_MAX_DEPTH 16               /* mixtures within mixtures */
#define DIST_WEIGHT_SLACK 1e-9          /* allowed |sum of weights - 1| */
#define DIST_Z99 2.3263478740408408     /* 99th percentile of N(0, 1) */
#define DIST_PATH_MAX 256               /* key paths in messages */
#define DIST_DESC_MAX 256               /* descriptions, with "..." */
#define DIST_NAME_MAX 32                /* longest name worth a suggestion */

/* The keys of a distribution mapping besides "dist", as bits. */
enum dist_key {
    KEY_VALUE = 1u << 0,
    KEY_MIN = 1u << 1,
    KEY_MAX = 1u << 2,
    KEY_MEAN = 1u << 3,
    KEY_SD = 1u << 4,
    KEY_RATE = 1u << 5,
    KEY_MEDIAN = 1u << 6,
    KEY_P99 = 1u << 7,
    KEY_MU = 1u << 8,
    KEY_SIGMA = 1u << 9,
    KEY_UNIT = 1u << 10,
    KEY_SHAPE = 1u << 11,
    KEY_SCALE = 1u << 12,
    KEY_K = 1u << 13,
    KEY_CV = 1u << 14,
    KEY_VALUES = 1u << 15,
    KEY_FILE = 1u << 16,
    KEY_WEIGHT = 1u << 17,
    KEY_COMPONENTS = 1u << 18,
};

/* In the order the fields appear in struct sim_dist_config. */
static const char *const key_names[] = {
    "value", "min", "max", "mean", "sd", "rate", "median", "p99", "mu",
    "sigma", "unit", "shape", "scale", "k", "cv", "values", "file",
    "weight", "components",
};

#define DIST_N_KEYS (sizeof key_names / sizeof key_names[0])

/*
 * Kinds, in the order messages list them. The sampler parameters a and b
 * of struct sim_dist mean, per kind (durations in seconds):
 *   uniform      a = min, b = max
 *   exponential  a = mean
 *   normal       a = mean, b = sd, both before truncation at zero
 *   lognormal    a = ln(median / 1s), b = sigma
 *   gamma        a = shape, b = scale
 *   weibull      a = shape, b = scale
 *   pareto       a = shape, b = scale (the minimum)
 *   erlang       a = k, b = mean of one phase
 * Constant and empirical keep nanoseconds; hyperexponential and mixture
 * keep their components.
 */
enum dist_kind {
    DIST_CONSTANT,
    DIST_UNIFORM,
    DIST_EXPONENTIAL,
    DIST_NORMAL,
    DIST_LOGNORMAL,
    DIST_GAMMA,
    DIST_WEIBULL,
    DIST_PARETO,
    DIST_ERLANG,
    DIST_HYPEREXPONENTIAL,
    DIST_EMPIRICAL,
    DIST_MIXTURE,
};

struct sim_dist {
    enum dist_kind kind;
    double a, b;                        /* sampler parameters, see above */
    sim_time value_ns;                  /* constant: the value */
    double mean_s;                      /* E[X] in s; may be inf */
    double moment2_s2;                  /* E[X^2] in s^2; may be inf */
    size_t n;                           /* components, or values */
    double *cum_weights;                /* running sums of the weights */
    struct sim_dist **parts;            /* components, owned */
    sim_time *values_ns;                /* empirical: the values */
    char *desc;                         /* what sim_dist_describe gives */
};

/* The state of one sim_dist_build call. */
struct build {
    struct sim_cfg *cfg;                /* where problems go */
    size_t n_bad;                       /* problems recorded so far */
    bool is_nomem;                      /* an allocation failed */
    int depth;                          /* mixtures entered */
};

/* One mapping's keys, parsed as far as they are valid. */
struct dist_params {
    const struct sim_dist_config *c;    /* the mapping as loaded */
    const char *kind;                   /* its kind's name */
    unsigned present;                   /* KEY_* bits given */
    unsigned allowed;                   /* KEY_* bits the kind takes */
    unsigned valid;                     /* KEY_* bits that parsed well */
    sim_time value_ns, min_ns, max_ns;  /* constant, uniform */
    sim_time mean_ns, sd_ns;            /* several kinds */
    sim_time median_ns, p99_ns;         /* lognormal */
    sim_time scale_ns, unit_ns;         /* scale; unit (0 when absent) */
    double rate_per_s;                  /* exponential */
    double mu, sigma, shape, k, cv;     /* unitless numbers */
};

typedef int (*dist_build_fn)(struct build *b, const char *path,
                             const struct dist_params *p,
                             struct sim_dist *d);

struct dist_kind_info {
    const char *name;                   /* as written after "dist:" */
    unsigned keys;                      /* KEY_* bits it takes */
    dist_build_fn build;                /* validates and fills */
};

/*
 * The libcyaml schema. A component is a mapping of this same schema; the
 * entry refers to sim_dist_fields through its declaration in dist.h, which
 * is all libcyaml 1.3.1 needs to load a recursive structure.
 */
static const cyaml_schema_value_t dist_value_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_value_t dist_component_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct sim_dist_config,
                        sim_dist_fields),
};

#define DIST_STR(key, member)                                             \
    CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_OPTIONAL,                      \
                           struct sim_dist_config, member, 0,             \
                           CYAML_UNLIMITED)
#define DIST_REAL(key, member)                                            \
    CYAML_FIELD_FLOAT_PTR(key, CYAML_FLAG_OPTIONAL,                       \
                          struct sim_dist_config, member)
#define DIST_LIST(key, member, count, entry)                              \
    CYAML_FIELD_SEQUENCE_COUNT(key,                                       \
                               CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER,  \
                               struct sim_dist_config, member, count,     \
                               entry, 0, CYAML_UNLIMITED)

const cyaml_schema_field_t sim_dist_fields[] = {
    DIST_STR("dist", dist),
    DIST_STR("value", value),
    DIST_STR("min", min),
    DIST_STR("max", max),
    DIST_STR("mean", mean),
    DIST_STR("sd", sd),
    DIST_STR("rate", rate),
    DIST_STR("median", median),
    DIST_STR("p99", p99),
    DIST_REAL("mu", mu),
    DIST_REAL("sigma", sigma),
    DIST_STR("unit", unit),
    DIST_REAL("shape", shape),
    DIST_STR("scale", scale),
    DIST_REAL("k", k),
    DIST_REAL("cv", cv),
    DIST_LIST("values", values, n_values, &dist_value_entry),
    DIST_STR("file", file),
    DIST_REAL("weight", weight),
    DIST_LIST("components", components, n_components,
              &dist_component_entry),
    CYAML_FIELD_END
};

/* ---- building blocks ------------------------------------------------- */

/*
 * Records a problem at path. The message is formatted whole (a file name
 * may be long), so that cfg can shorten what it echoes and keep the reason.
 */
static __attribute__((format(printf, 3, 4)))
void problem(struct build *b, const char *path, const char *fmt, ...)
{
    char *msg;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    msg = malloc(n < 0 ? 1 : (size_t)n + 1);
    if (msg != NULL) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sim_cfg_error(b->cfg, path, "%s", msg);
        free(msg);
    }
    b->n_bad++;
}

/* Marks the build as out of memory; returns SIM_ENOMEM for the caller. */
static int nomem(struct build *b)
{
    b->is_nomem = true;
    return SIM_ENOMEM;
}

static const char *key_name(unsigned key)
{
    for (size_t i = 0; i < DIST_N_KEYS; i++)
        if (key == 1u << i)
            return key_names[i];
    return "?";
}

/*
 * Writes a key path into buf (DIST_PATH_MAX bytes) and returns buf. A path
 * too long for it ends in "...", which is still clear enough to read.
 */
static __attribute__((format(printf, 2, 3)))
const char *make_path(char *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, DIST_PATH_MAX, fmt, ap);
    va_end(ap);
    if (n >= DIST_PATH_MAX)
        memcpy(buf + DIST_PATH_MAX - 4, "...", 4);
    return buf;
}

static const char *key_path(char *buf, const char *path, const char *key)
{
    return make_path(buf, "%s.%s", path, key);
}

/*
 * The KEY_* bits of the keys c gives. A list counts when its pointer or
 * its count is set; libcyaml leaves both empty for "values: []", so an
 * empty list in YAML reads as an absent one.
 */
static unsigned present_keys(const struct sim_dist_config *c)
{
    const void *fields[] = {
        c->value, c->min, c->max, c->mean, c->sd, c->rate, c->median,
        c->p99, c->mu, c->sigma, c->unit, c->shape, c->scale, c->k, c->cv,
        c->values, c->file, c->weight, c->components,
    };
    unsigned keys = 0;

    for (size_t i = 0; i < DIST_N_KEYS; i++)
        if (fields[i] != NULL)
            keys |= 1u << i;
    if (c->n_values > 0)
        keys |= KEY_VALUES;
    if (c->n_components > 0)
        keys |= KEY_COMPONENTS;
    return keys;
}

/* Rounds a sample in seconds to ns, capping it at SIM_DIST_CAP. */
static inline sim_time dist_round(double s)
{
    sim_time t;

    if (sim_time_from_s(s, &t) && t < SIM_DIST_CAP)
        return t;
    return SIM_DIST_CAP;
}

/* Durations in descriptions, as "2ms" or "1.5s". */
static const char *fmt_ns(sim_time t, char *buf, size_t n_buf)
{
    return sim_units_format_duration(t, buf, n_buf);
}

static const char *fmt_s(double s, char *buf, size_t n_buf)
{
    return fmt_ns(dist_round(s), buf, n_buf);
}

/* Appends to a description, ending it in "..." once it is full. */
static __attribute__((format(printf, 3, 4)))
void desc_add(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= DIST_DESC_MAX - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, DIST_DESC_MAX - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= DIST_DESC_MAX - *len) {
        memcpy(buf + DIST_DESC_MAX - 4, "...", 4);
        *len = DIST_DESC_MAX - 1;
        return;
    }
    *len += (size_t)n;
}

/* Replaces d's description; SIM_ENOMEM when it cannot be copied. */
static __attribute__((format(printf, 2, 3)))
int set_desc(struct sim_dist *d, const char *fmt, ...)
{
    char buf[DIST_DESC_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(d->desc);
    d->desc = strdup(buf);
    return d->desc != NULL ? 0 : SIM_ENOMEM;
}

static struct sim_dist *dist_alloc(enum dist_kind kind)
{
    struct sim_dist *d = calloc(1, sizeof *d);

    if (d != NULL)
        d->kind = kind;
    return d;
}

/* ---- reading one key ------------------------------------------------- */

/*
 * Parses a duration key that the kind takes. value and min may be zero;
 * every other duration must be positive. All must be at most 10^7 s.
 */
static void parse_duration(struct build *b, const char *path,
                           struct dist_params *p, unsigned key,
                           const char *text, sim_time *out)
{
    char kp[DIST_PATH_MAX];
    bool is_zero_ok = key == KEY_VALUE || key == KEY_MIN;

    if (text == NULL || !(p->allowed & key))
        return;
    key_path(kp, path, key_name(key));
    if (sim_cfg_duration(b->cfg, kp, text, 0, out) != 0) {
        b->n_bad++;
        return;
    }
    if (*out == 0 && !is_zero_ok)
        problem(b, kp, "\"%s\": must be greater than zero", text);
    else if (*out > DIST_MAX_NS)
        problem(b, kp, "\"%s\": " DIST_TOO_LONG, text);
    else
        p->valid |= key;
}

/*
 * Parses "rate", kept only when its mean interval 1 / rate lies between
 * 1ns and 10^7 s, the same bounds a mean written as a duration has.
 */
static void parse_rate(struct build *b, const char *path,
                       struct dist_params *p)
{
    const char *text = p->c->rate;
    char kp[DIST_PATH_MAX];
    double r;

    if (text == NULL || !(p->allowed & KEY_RATE))
        return;
    key_path(kp, path, "rate");
    if (sim_cfg_rate(b->cfg, kp, text, 0, &r) != 0) {
        b->n_bad++;
        return;
    }
    if (r == 0)
        problem(b, kp, "\"%s\": must be greater than zero", text);
    else if (r * 1e7 < 1)
        problem(b, kp, "\"%s\": too low (the mean interval would be over "
                "10^7 s, about 4 months)", text);
    else if (r > DIST_MAX_RATE)
        problem(b, kp, "\"%s\": too high (the mean interval would be below "
                "1ns)", text);
    else {
        p->rate_per_s = r;
        p->valid |= KEY_RATE;
    }
}

/*
 * Checks a unitless number: finite everywhere; mu may be any such value;
 * k is whole; cv at least 1; the others positive. sigma is at most
 * DIST_MAX_SIGMA, the rest but mu at most DIST_MAX_SHAPE.
 */
static void parse_real(struct build *b, const char *path,
                       struct dist_params *p, unsigned key, const double *v,
                       double *out)
{
    const char *why = NULL;
    char kp[DIST_PATH_MAX];

    if (v == NULL || !(p->allowed & key))
        return;
    if (!isfinite(*v))
        why = "not a finite number";
    else if (key == KEY_K && *v != floor(*v))
        why = "not a whole number";
    else if (key == KEY_CV && *v < 1)
        why = "must be at least 1 (for less variable times use gamma or "
              "erlang)";
    else if (key == KEY_K && *v < 1)
        why = "must be at least 1";
    else if (key != KEY_MU && *v <= 0)
        why = "must be greater than zero";
    else if (key == KEY_SIGMA && *v > DIST_MAX_SIGMA)
        why = "too large (at most 5; wider spreads give samples of absurd "
              "size)";
    else if (key != KEY_MU && *v > DIST_MAX_SHAPE)
        why = "too large (at most 1000)";
    if (why != NULL) {
        problem(b, key_path(kp, path, key_name(key)), "\"%g\": %s", *v, why);
        return;
    }
    *out = *v;
    p->valid |= key;
}

/*
 * Parses every key the kind takes, reporting each bad value, and marks
 * the good ones in p->valid. Whether a kind has what it needs is left to
 * its builder, so a bad value is reported once, never again as missing.
 */
static void parse_params(struct build *b, const char *path,
                         struct dist_params *p)
{
    const struct sim_dist_config *c = p->c;

    parse_duration(b, path, p, KEY_VALUE, c->value, &p->value_ns);
    parse_duration(b, path, p, KEY_MIN, c->min, &p->min_ns);
    parse_duration(b, path, p, KEY_MAX, c->max, &p->max_ns);
    parse_duration(b, path, p, KEY_MEAN, c->mean, &p->mean_ns);
    parse_duration(b, path, p, KEY_SD, c->sd, &p->sd_ns);
    parse_rate(b, path, p);
    parse_duration(b, path, p, KEY_MEDIAN, c->median, &p->median_ns);
    parse_duration(b, path, p, KEY_P99, c->p99, &p->p99_ns);
    parse_real(b, path, p, KEY_MU, c->mu, &p->mu);
    parse_real(b, path, p, KEY_SIGMA, c->sigma, &p->sigma);
    parse_duration(b, path, p, KEY_UNIT, c->unit, &p->unit_ns);
    parse_real(b, path, p, KEY_SHAPE, c->shape, &p->shape);
    parse_duration(b, path, p, KEY_SCALE, c->scale, &p->scale_ns);
    parse_real(b, path, p, KEY_K, c->k, &p->k);
    parse_real(b, path, p, KEY_CV, c->cv, &p->cv);
    /* Lists and files are checked entry by entry by their kind. */
    p->valid |= p->present & p->allowed & (KEY_VALUES | KEY_FILE |
                                           KEY_COMPONENTS);
}

/* Reports keys the kind does not take; "weight" only fits a component. */
static void check_keys(struct build *b, const char *path,
                       const struct dist_params *p)
{
    unsigned extra = p->present & ~p->allowed;
    char kp[DIST_PATH_MAX];

    for (size_t i = 0; i < DIST_N_KEYS; i++) {
        if (!(extra & 1u << i))
            continue;
        key_path(kp, path, key_names[i]);
        if (1u << i == KEY_WEIGHT)
            problem(b, kp, "only used in the components of a mixture");
        else
            problem(b, kp, "not used by the %s distribution", p->kind);
    }
}

/* ---- presence rules -------------------------------------------------- */

/* Reports key when absent; true when it is present and valid. */
static bool need(struct build *b, const char *path,
                 const struct dist_params *p, unsigned key)
{
    if (!(p->present & key)) {
        problem(b, path, "the %s distribution needs \"%s\"", p->kind,
                key_name(key));
        return false;
    }
    return (p->valid & key) != 0;
}

/*
 * Exactly one of k1 and k2 must be given. Returns the valid one, or 0 when
 * neither or both are given (reported) or the one given is invalid.
 */
static unsigned need_one(struct build *b, const char *path,
                         const struct dist_params *p, unsigned k1,
                         unsigned k2)
{
    unsigned given = p->present & (k1 | k2);

    if (given == (k1 | k2))
        problem(b, path, "the %s distribution takes \"%s\" or \"%s\", not "
                "both", p->kind, key_name(k1), key_name(k2));
    else if (given == 0)
        problem(b, path, "the %s distribution needs \"%s\" or \"%s\"",
                p->kind, key_name(k1), key_name(k2));
    else if (p->valid & given)
        return given;
    return 0;
}

/* Reports key when given without the key it depends on. */
static void only_with(struct build *b, const char *path,
                      const struct dist_params *p, unsigned key,
                      unsigned needed)
{
    char kp[DIST_PATH_MAX];

    if ((p->present & key) && !(p->present & needed))
        problem(b, key_path(kp, path, key_name(key)),
                "only used with \"%s\"", key_name(needed));
}

/* ---- kinds with parameters ------------------------------------------- */

/* A constant may be zero: a step that takes no time. */
static int build_constant(struct build *b, const char *path,
                          const struct dist_params *p, struct sim_dist *d)
{
    char v[32];

    if (!need(b, path, p, KEY_VALUE))
        return SIM_EINVAL;
    d->value_ns = p->value_ns;
    d->mean_s = sim_time_to_s(p->value_ns);
    d->moment2_s2 = d->mean_s * d->mean_s;
    return set_desc(d, "constant(%s)", fmt_ns(p->value_ns, v, sizeof v));
}

/* E[X] = (a + b) / 2 and E[X^2] = (a^2 + ab + b^2) / 3 on [a, b]. */
static int build_uniform(struct build *b, const char *path,
                         const struct dist_params *p, struct sim_dist *d)
{
    bool has_min = need(b, path, p, KEY_MIN);
    bool has_max = need(b, path, p, KEY_MAX);
    char lo[32], hi[32], kp[DIST_PATH_MAX];

    if (!has_min || !has_max)
        return SIM_EINVAL;
    if (p->min_ns >= p->max_ns) {
        problem(b, key_path(kp, path, "max"), "\"%s\": must be greater "
                "than min \"%s\"", p->c->max, p->c->min);
        return SIM_EINVAL;
    }
    d->a = sim_time_to_s(p->min_ns);
    d->b = sim_time_to_s(p->max_ns);
    d->mean_s = (d->a + d->b) / 2;
    d->moment2_s2 = (d->a * d->a + d->a * d->b + d->b * d->b) / 3;
    return set_desc(d, "uniform(min %s, max %s)",
                    fmt_ns(p->min_ns, lo, sizeof lo),
                    fmt_ns(p->max_ns, hi, sizeof hi));
}

/* An exponential of mean m has E[X^2] = 2 m^2. */
static void set_exponential(struct sim_dist *d, double mean_s)
{
    d->a = mean_s;
    d->mean_s = mean_s;
    d->moment2_s2 = 2 * mean_s * mean_s;
}

/* A rate is stored as its mean, so that sampling never divides. */
static int build_exponential(struct build *b, const char *path,
                             const struct dist_params *p,
                             struct sim_dist *d)
{
    unsigned given = need_one(b, path, p, KEY_MEAN, KEY_RATE);
    char m[32];

    if (given == KEY_RATE) {
        set_exponential(d, 1 / p->rate_per_s);
        return set_desc(d, "exponential(rate %g/s)", p->rate_per_s);
    }
    if (given == KEY_MEAN) {
        set_exponential(d, sim_time_to_s(p->mean_ns));
        return set_desc(d, "exponential(mean %s)",
                        fmt_ns(p->mean_ns, m, sizeof m));
    }
    return SIM_EINVAL;
}

/*
 * The normal distribution truncated at zero: with z = mean / sd and
 * lambda = phi(z) / Phi(z), E[X] = mean + sd lambda and
 * E[X^2] = mean^2 + sd^2 + mean sd lambda.
 */
static int build_normal(struct build *b, const char *path,
                        const struct dist_params *p, struct sim_dist *d)
{
    bool has_mean = need(b, path, p, KEY_MEAN);
    bool has_sd = need(b, path, p, KEY_SD);
    double lambda;
    char m[32], s[32];

    if (!has_mean || !has_sd)
        return SIM_EINVAL;
    d->a = sim_time_to_s(p->mean_ns);
    d->b = sim_time_to_s(p->sd_ns);
    lambda = gsl_ran_ugaussian_pdf(d->a / d->b) /
             gsl_cdf_ugaussian_P(d->a / d->b);
    d->mean_s = d->a + d->b * lambda;
    d->moment2_s2 = d->a * d->a + d->b * d->b + d->a * d->b * lambda;
    return set_desc(d, "normal(mean %s, sd %s)",
                    fmt_ns(p->mean_ns, m, sizeof m),
                    fmt_ns(p->sd_ns, s, sizeof s));
}

/* Reports a combination of lognormal keys that is none of the 3 forms. */
static bool lognormal_form_ok(struct build *b, const char *path,
                              const struct dist_params *p)
{
    size_t n_bad = b->n_bad;

    if ((p->present & (KEY_MU | KEY_MEDIAN)) == (KEY_MU | KEY_MEDIAN))
        need_one(b, path, p, KEY_MU, KEY_MEDIAN);
    else if (p->present & KEY_MU) {
        need(b, path, p, KEY_SIGMA);
        /* mu is of ln(x / unit): without the unit it means nothing. */
        if (!(p->present & KEY_UNIT))
            problem(b, path, "\"mu\" needs \"unit\": mu and sigma are of "
                    "ln(x / unit), as in unit: 1ms");
    }
    else if (p->present & KEY_MEDIAN)
        need_one(b, path, p, KEY_SIGMA, KEY_P99);
    else
        need_one(b, path, p, KEY_MEDIAN, KEY_MU);
    only_with(b, path, p, KEY_UNIT, KEY_MU);
    only_with(b, path, p, KEY_P99, KEY_MEDIAN);
    return b->n_bad == n_bad;
}

static int lognormal_desc(const struct dist_params *p, struct sim_dist *d)
{
    char x[32], y[32];

    if (p->present & KEY_MU)
        return set_desc(d, "lognormal(mu %g, sigma %g, unit %s)", p->mu,
                        p->sigma,
                        fmt_ns(p->unit_ns, x, sizeof x));
    if (p->present & KEY_P99)
        return set_desc(d, "lognormal(median %s, p99 %s)",
                        fmt_ns(p->median_ns, x, sizeof x),
                        fmt_ns(p->p99_ns, y, sizeof y));
    return set_desc(d, "lognormal(median %s, sigma %g)",
                    fmt_ns(p->median_ns, x, sizeof x), p->sigma);
}

/*
 * ln(X / 1s) ~ N(zeta, sigma^2), where zeta = mu + ln(unit / 1s), or
 * ln(median / 1s); from a p99, sigma = ln(p99 / median) / z(0.99).
 */
static int build_lognormal(struct build *b, const char *path,
                           const struct dist_params *p, struct sim_dist *d)
{
    double zeta, sigma = p->sigma;
    char kp[DIST_PATH_MAX];

    if (!lognormal_form_ok(b, path, p) ||
        (p->present & ~p->valid & p->allowed))
        return SIM_EINVAL;
    if (p->present & KEY_MU) {
        zeta = p->mu + log(sim_time_to_s(p->unit_ns));
        if (!(exp(zeta) <= sim_time_to_s(DIST_MAX_NS))) {
            problem(b, key_path(kp, path, "mu"), "\"%g\": gives a median "
                    "over 10^7 s, about 4 months", p->mu);
            return SIM_EINVAL;
        }
    } else
        zeta = log(sim_time_to_s(p->median_ns));
    if (p->present & KEY_P99) {
        if (p->p99_ns <= p->median_ns) {
            problem(b, key_path(kp, path, "p99"), "\"%s\": must be greater "
                    "than the median \"%s\"", p->c->p99, p->c->median);
            return SIM_EINVAL;
        }
        sigma = log((double)p->p99_ns / (double)p->median_ns) / DIST_Z99;
        if (sigma > DIST_MAX_SIGMA) {
            problem(b, key_path(kp, path, "p99"), "\"%s\": too far above the "
                    "median \"%s\" (sigma would be %.3g, at most 5: a p99 "
                    "at most %.0f times the median)", p->c->p99,
                    p->c->median, sigma, exp(DIST_MAX_SIGMA * DIST_Z99));
            return SIM_EINVAL;
        }
    }
    d->a = zeta;
    d->b = sigma;
    d->mean_s = exp(zeta + sigma * sigma / 2);
    d->moment2_s2 = exp(2 * zeta + 2 * sigma * sigma);
    return lognormal_desc(p, d);
}

/*
 * With a mean instead of a scale, scale = mean / shape. E[X] = k s and
 * E[X^2] = k (k + 1) s^2 for shape k and scale s.
 */
static int build_gamma(struct build *b, const char *path,
                       const struct dist_params *p, struct sim_dist *d)
{
    bool has_shape = need(b, path, p, KEY_SHAPE);
    unsigned given = need_one(b, path, p, KEY_SCALE, KEY_MEAN);
    char s[32], kp[DIST_PATH_MAX];

    if (has_shape && p->shape < DIST_MIN_GAMMA_SHAPE) {
        problem(b, key_path(kp, path, "shape"), "\"%g\": too small for the "
                "gamma distribution (at least %g; smaller shapes give "
                "samples of absurd size)", p->shape, DIST_MIN_GAMMA_SHAPE);
        return SIM_EINVAL;
    }
    if (!has_shape || given == 0)
        return SIM_EINVAL;
    d->a = p->shape;
    if (given == KEY_SCALE)
        d->b = sim_time_to_s(p->scale_ns);
    else
        d->b = sim_time_to_s(p->mean_ns) / p->shape;
    d->mean_s = d->a * d->b;
    d->moment2_s2 = d->a * (d->a + 1) * d->b * d->b;
    return set_desc(d, "gamma(shape %g, scale %s)", d->a,
                    fmt_s(d->b, s, sizeof s));
}

/*
 * Shape and scale, both required: Weibull and Pareto, whose shape must be
 * at least min_shape.
 */
static bool need_shape_scale(struct build *b, const char *path,
                             const struct dist_params *p, double min_shape,
                             struct sim_dist *d)
{
    bool has_shape = need(b, path, p, KEY_SHAPE);
    bool has_scale = need(b, path, p, KEY_SCALE);
    char kp[DIST_PATH_MAX];

    if (has_shape && p->shape < min_shape) {
        problem(b, key_path(kp, path, "shape"), "\"%g\": too small for the "
                "%s distribution (at least %g; smaller shapes give samples "
                "of absurd size)", p->shape, p->kind, min_shape);
        return false;
    }
    if (!has_shape || !has_scale)
        return false;
    d->a = p->shape;
    d->b = sim_time_to_s(p->scale_ns);
    return true;
}

/* Shapes of at least 0.2 keep tgamma(1 + 2 / shape) finite. */
static int build_weibull(struct build *b, const char *path,
                         const struct dist_params *p, struct sim_dist *d)
{
    char s[32];

    if (!need_shape_scale(b, path, p, DIST_MIN_WEIBULL_SHAPE, d))
        return SIM_EINVAL;
    d->mean_s = d->b * tgamma(1 + 1 / d->a);
    d->moment2_s2 = d->b * d->b * tgamma(1 + 2 / d->a);
    return set_desc(d, "weibull(shape %g, scale %s)", d->a,
                    fmt_s(d->b, s, sizeof s));
}

/*
 * For shape a and minimum s, E[X] = a s / (a - 1) when a > 1 and
 * E[X^2] = a s^2 / (a - 2) when a > 2; below that they are infinite,
 * which is allowed: such tails are what Pareto is chosen for.
 */
static int build_pareto(struct build *b, const char *path,
                        const struct dist_params *p, struct sim_dist *d)
{
    char s[32];

    if (!need_shape_scale(b, path, p, DIST_MIN_PARETO_SHAPE, d))
        return SIM_EINVAL;
    d->mean_s = d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
    d->moment2_s2 = d->a > 2 ? d->a * d->b * d->b / (d->a - 2) : INFINITY;
    return set_desc(d, "pareto(shape %g, scale %s)", d->a,
                    fmt_s(d->b, s, sizeof s));
}

/*
 * k exponential phases of mean / k each: E[X^2] = mean^2 (1 + 1 / k).
 * The mean is of the whole, as users think of a service time.
 */
static int build_erlang(struct build *b, const char *path,
                        const struct dist_params *p, struct sim_dist *d)
{
    bool has_k = need(b, path, p, KEY_K);
    bool has_mean = need(b, path, p, KEY_MEAN);
    char m[32];

    if (!has_k || !has_mean)
        return SIM_EINVAL;
    d->a = p->k;
    d->b = sim_time_to_s(p->mean_ns) / p->k;
    d->mean_s = sim_time_to_s(p->mean_ns);
    d->moment2_s2 = d->mean_s * d->mean_s * (1 + 1 / p->k);
    return set_desc(d, "erlang(k %g, mean %s)", p->k,
                    fmt_ns(p->mean_ns, m, sizeof m));
}

/* ---- mixtures and hyperexponentials ---------------------------------- */

/* Room for n components; on failure d is left for sim_dist_free. */
static int alloc_parts(struct build *b, struct sim_dist *d, size_t n)
{
    d->parts = calloc(n, sizeof *d->parts);
    d->cum_weights = calloc(n, sizeof *d->cum_weights);
    if (d->parts == NULL || d->cum_weights == NULL)
        return nomem(b);
    d->n = n;
    return 0;
}

/*
 * Checks that the weights (all valid and positive) sum to 1, then turns
 * them into running sums and the mixture's moments. Weights are never
 * rescaled: 0.9 and 0.05 is a mistake to report, not to fix.
 */
static int finish_weights(struct build *b, const char *path,
                          const double *weights, struct sim_dist *d)
{
    char kp[DIST_PATH_MAX];
    double sum = 0;

    for (size_t i = 0; i < d->n; i++)
        sum += weights[i];
    if (fabs(sum - 1) > DIST_WEIGHT_SLACK) {
        problem(b, key_path(kp, path, "components"),
                "the weights sum to %.12g, not 1", sum);
        return SIM_EINVAL;
    }
    sum = 0;
    for (size_t i = 0; i < d->n; i++) {
        sum += weights[i];
        d->cum_weights[i] = sum;
        d->mean_s += weights[i] * d->parts[i]->mean_s;
        d->moment2_s2 += weights[i] * d->parts[i]->moment2_s2;
    }
    return 0;
}

/* Reads a component's weight into *w; false (reported) when bad. */
static bool read_weight(struct build *b, const char *sub, const char *kind,
                        const struct sim_dist_config *c, double *w)
{
    char kp[DIST_PATH_MAX];

    if (c->weight == NULL) {
        problem(b, sub, "a %s component needs \"weight\"", kind);
        return false;
    }
    if (!isfinite(*c->weight) || *c->weight <= 0) {
        problem(b, key_path(kp, sub, "weight"), "\"%g\": must be a finite "
                "number greater than zero", *c->weight);
        return false;
    }
    *w = *c->weight;
    return true;
}

/* Lists the weights and descriptions of the components in d's desc. */
static int parts_desc(struct sim_dist *d, const char *kind,
                      const double *weights)
{
    char buf[DIST_DESC_MAX], m[32];
    size_t len = 0;

    desc_add(buf, &len, "%s(", kind);
    for (size_t i = 0; i < d->n; i++) {
        const struct sim_dist *part = d->parts[i];

        desc_add(buf, &len, "%s%g ", i > 0 ? ", " : "", weights[i]);
        if (d->kind == DIST_HYPEREXPONENTIAL)
            desc_add(buf, &len, "mean %s", fmt_s(part->mean_s, m, sizeof m));
        else
            desc_add(buf, &len, "%s", part->desc);
    }
    desc_add(buf, &len, ")");
    return set_desc(d, "%s", buf);
}

static struct sim_dist *build_any(struct build *b, const char *path,
                                  const struct sim_dist_config *c,
                                  bool is_part);

/* Builds each component at "<path>.components[i]" and checks weights. */
static int build_parts(struct build *b, const char *path,
                       const struct sim_dist_config *c, struct sim_dist *d,
                       double *weights)
{
    char sub[DIST_PATH_MAX];
    bool is_ok = true;

    for (size_t i = 0; i < d->n; i++) {
        make_path(sub, "%s.components[%zu]", path, i);
        is_ok &= read_weight(b, sub, "mixture", &c->components[i],
                             &weights[i]);
        d->parts[i] = build_any(b, sub, &c->components[i], true);
        if (b->is_nomem)
            return SIM_ENOMEM;
        is_ok &= d->parts[i] != NULL;
    }
    if (!is_ok)
        return SIM_EINVAL;
    return finish_weights(b, path, weights, d);
}

/*
 * Components are built with the same rules as a distribution on its own,
 * plus a weight; the depth cap keeps a hostile file from exhausting the
 * stack through recursion.
 */
static int build_mixture(struct build *b, const char *path,
                         const struct dist_params *p, struct sim_dist *d)
{
    size_t n = p->c->n_components;
    double *weights;
    int rc;

    if (!need(b, path, p, KEY_COMPONENTS))
        return SIM_EINVAL;
    if (n == 0 || b->depth >= DIST_MAX_DEPTH) {
        problem(b, path, n == 0 ? "the mixture has no components" :
                "mixtures nested more than 16 deep");
        return SIM_EINVAL;
    }
    weights = calloc(n, sizeof *weights);
    if (weights == NULL || alloc_parts(b, d, n) != 0) {
        free(weights);
        return nomem(b);
    }
    b->depth++;
    rc = build_parts(b, path, p->c, d, weights);
    b->depth--;
    if (rc == 0)
        rc = parts_desc(d, "mixture", weights);
    free(weights);
    return rc;
}

/* Fills component i of a hyperexponential as an exponential phase. */
static int add_phase(struct build *b, struct sim_dist *d, size_t i,
                     double mean_s)
{
    d->parts[i] = sim_dist_exponential(mean_s);
    return d->parts[i] != NULL ? 0 : nomem(b);
}

/* Reports the keys of a phase other than "weight" and "mean". */
static void check_phase_keys(struct build *b, const char *sub,
                             const struct sim_dist_config *c)
{
    unsigned extra = present_keys(c) & ~(KEY_WEIGHT | KEY_MEAN);
    char kp[DIST_PATH_MAX];

    for (size_t k = 0; k < DIST_N_KEYS + 1; k++) {
        const char *key = k < DIST_N_KEYS ? key_names[k] : "dist";
        bool is_given = k < DIST_N_KEYS ? (extra & 1u << k) != 0 :
                                          c->dist != NULL;

        if (is_given)
            problem(b, key_path(kp, sub, key), "not used in a "
                    "hyperexponential component (it takes \"weight\" and "
                    "\"mean\")");
    }
}

/*
 * Reads phase i of a hyperexponential, a mapping of "weight" and "mean",
 * into *weight and d->parts[i].
 */
static int build_phase(struct build *b, const char *path,
                       const struct sim_dist_config *c, size_t i,
                       struct sim_dist *d, double *weight)
{
    char sub[DIST_PATH_MAX], kp[DIST_PATH_MAX];
    sim_time mean_ns;
    bool is_ok;

    make_path(sub, "%s.components[%zu]", path, i);
    check_phase_keys(b, sub, c);
    is_ok = read_weight(b, sub, "hyperexponential", c, weight);
    if (c->mean == NULL) {
        problem(b, sub, "a hyperexponential component needs \"mean\"");
        return SIM_EINVAL;
    }
    key_path(kp, sub, "mean");
    if (sim_cfg_duration(b->cfg, kp, c->mean, 0, &mean_ns) != 0) {
        b->n_bad++;
        return SIM_EINVAL;
    }
    if (mean_ns == 0 || mean_ns > DIST_MAX_NS) {
        problem(b, kp, "\"%s\": %s", c->mean, mean_ns == 0 ?
                "must be greater than zero" : DIST_TOO_LONG);
        return SIM_EINVAL;
    }
    if (!is_ok)
        return SIM_EINVAL;
    return add_phase(b, d, i, sim_time_to_s(mean_ns));
}

/* A hyperexponential from explicit phases: components of weight, mean. */
static int build_phases(struct build *b, const char *path,
                        const struct dist_params *p, struct sim_dist *d)
{
    const struct sim_dist_config *c = p->c;
    double *weights;
    int rc = 0;

    if (c->n_components == 0) {
        problem(b, path, "the hyperexponential has no components");
        return SIM_EINVAL;
    }
    weights = calloc(c->n_components, sizeof *weights);
    if (weights == NULL || alloc_parts(b, d, c->n_components) != 0) {
        free(weights);
        return nomem(b);
    }
    for (size_t i = 0; i < d->n && !b->is_nomem; i++)
        if (build_phase(b, path, &c->components[i], i, d, &weights[i]) != 0)
            rc = b->is_nomem ? SIM_ENOMEM : SIM_EINVAL;
    if (rc == 0)
        rc = finish_weights(b, path, weights, d);
    if (rc == 0)
        rc = parts_desc(d, "hyperexponential", weights);
    free(weights);
    return rc;
}

/*
 * The balanced-means two-phase fit: phase i has probability p_i and mean
 * mean / (2 p_i), so each phase carries half the mean, and
 * p_1 = (1 + s) / 2 with s = sqrt((cv^2 - 1) / (cv^2 + 1)). p_2 is
 * computed as 1 / ((cv^2 + 1)(1 + s)), which equals (1 - s) / 2 without
 * its cancellation when cv is large.
 */
static int build_fit(struct build *b, const struct dist_params *p,
                     struct sim_dist *d)
{
    double mean_s = sim_time_to_s(p->mean_ns), c2 = p->cv * p->cv;
    double s = sqrt((c2 - 1) / (c2 + 1));
    double w[2] = {0, 1 / ((c2 + 1) * (1 + s))};
    char m[32];
    int rc;

    w[0] = 1 - w[1];
    rc = alloc_parts(b, d, 2);
    for (size_t i = 0; i < 2 && rc == 0; i++)
        rc = add_phase(b, d, i, mean_s / (2 * w[i]));
    if (rc != 0)
        return rc;
    d->cum_weights[0] = w[0];
    d->cum_weights[1] = 1;
    for (size_t i = 0; i < 2; i++) {
        d->mean_s += w[i] * d->parts[i]->mean_s;
        d->moment2_s2 += w[i] * d->parts[i]->moment2_s2;
    }
    return set_desc(d, "hyperexponential(mean %s, cv %g)",
                    fmt_ns(p->mean_ns, m, sizeof m), p->cv);
}

/* Two forms: explicit components, or a fit to (mean, cv). */
static int build_hyperexponential(struct build *b, const char *path,
                                  const struct dist_params *p,
                                  struct sim_dist *d)
{
    bool has_mean, has_cv;

    if (p->present & KEY_COMPONENTS) {
        if (p->present & (KEY_MEAN | KEY_CV)) {
            problem(b, path, "the hyperexponential distribution takes "
                    "\"components\" or \"mean\" and \"cv\", not both");
            return SIM_EINVAL;
        }
        return build_phases(b, path, p, d);
    }
    if (!(p->present & (KEY_MEAN | KEY_CV))) {
        problem(b, path, "the hyperexponential distribution needs "
                "\"components\" (a list that is not empty), or \"mean\" "
                "and \"cv\"");
        return SIM_EINVAL;
    }
    has_mean = need(b, path, p, KEY_MEAN);
    has_cv = need(b, path, p, KEY_CV);
    if (!has_mean || !has_cv)
        return SIM_EINVAL;
    return build_fit(b, p, d);
}

/* ---- empirical ------------------------------------------------------- */

/*
 * A value from a list or a file: a duration with its unit, or, when unit
 * is given (unit_ns > 0), also a plain number of units. Same rules as
 * sim_units_duration, and at most 10^7 s.
 */
static int parse_value(const char *text, sim_time unit_ns, sim_time *out,
                       char *why, size_t n_why)
{
    const char *err = NULL;
    double v, ns;

    if (unit_ns > 0 && sim_units_number(text, &v, NULL, 0) == 0) {
        ns = v * (double)unit_ns;
        if (v < 0 || signbit(v))
            err = "must not be negative";
        else if (ns > 0 && ns < 0.5)
            err = "below the 1ns resolution of time";
        else if (!(ns < 9.2e18))
            err = "too large (at most 292 years)";
        else
            *out = (sim_time)(ns + 0.5);
    } else if (sim_units_duration(text, out, why, n_why) != 0)
        return SIM_EINVAL;
    if (err == NULL && *out > DIST_MAX_NS)
        err = DIST_TOO_LONG;
    if (err != NULL) {
        snprintf(why, n_why, "%s", err);
        return SIM_EINVAL;
    }
    return 0;
}

/* Reads the "values" list, reporting each bad entry at its index. */
static int read_values(struct build *b, const char *path,
                       const struct dist_params *p, struct sim_dist *d)
{
    const struct sim_dist_config *c = p->c;
    char kp[DIST_PATH_MAX], why[160];
    int rc = 0;

    if (c->n_values == 0) {
        problem(b, key_path(kp, path, "values"), "the list is empty");
        return SIM_EINVAL;
    }
    d->values_ns = malloc(c->n_values * sizeof *d->values_ns);
    if (d->values_ns == NULL)
        return nomem(b);
    d->n = c->n_values;
    for (size_t i = 0; i < d->n; i++) {
        if (parse_value(c->values[i], p->unit_ns, &d->values_ns[i], why,
                        sizeof why) == 0)
            continue;
        make_path(kp, "%s.values[%zu]", path, i);
        problem(b, kp, "\"%s\": %s", c->values[i], why);
        rc = SIM_EINVAL;
    }
    return rc;
}

/* The state of reading one file of values. */
struct value_file {
    struct build *b;
    const char *key;                    /* "<path>.file", for messages */
    const char *name;                   /* the file as opened */
    sim_time unit_ns;                   /* plain numbers' unit, or 0 */
    size_t n_bad_lines;                 /* lines that did not parse */
    size_t cap;                         /* allocated values */
};

/* Appends t, doubling the array up to the file limit. */
static int push_value(struct value_file *f, struct sim_dist *d, sim_time t)
{
    if (d->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        sim_time *grown;

        if (cap > DIST_MAX_FILE_VALUES)
            cap = DIST_MAX_FILE_VALUES;
        grown = realloc(d->values_ns, cap * sizeof *grown);
        if (grown == NULL)
            return nomem(f->b);
        d->values_ns = grown;
        f->cap = cap;
    }
    d->values_ns[d->n++] = t;
    return 0;
}

/* Strips a comment and surrounding blanks; returns the value's text. */
static char *line_text(char *line)
{
    char *hash = strchr(line, '#'), *end;

    if (hash != NULL)
        *hash = '\0';
    while (isspace((unsigned char)*line))
        line++;
    end = line + strlen(line);
    while (end > line && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return line;
}

/*
 * Parses one line of len bytes; SIM_ELIMIT when it is one value too many.
 * A NUL byte in it is a bad line, not the end of the value.
 */
static int read_line(struct value_file *f, struct sim_dist *d, char *line,
                     size_t len, size_t line_no)
{
    char *text, why[160];
    sim_time t;

    if (memchr(line, '\0', len) != NULL) {
        if (++f->n_bad_lines <= DIST_MAX_BAD_LINES)
            problem(f->b, f->key, "%s:%zu: holds a NUL byte; a file of values "
                    "is text", f->name, line_no);
        return 0;
    }
    text = line_text(line);
    if (*text == '\0')
        return 0;
    if (d->n == DIST_MAX_FILE_VALUES) {
        problem(f->b, f->key, "%s: more than 10^7 values (the limit)",
                f->name);
        return SIM_ELIMIT;
    }
    if (parse_value(text, f->unit_ns, &t, why, sizeof why) != 0) {
        if (++f->n_bad_lines <= DIST_MAX_BAD_LINES)
            problem(f->b, f->key, "%s:%zu: \"%.60s\": %s", f->name, line_no,
                    text, why);
        return 0;
    }
    return push_value(f, d, t);
}

/*
 * Reads every line of fp. The first DIST_MAX_BAD_LINES bad lines are
 * reported one by one and the rest counted, so a wrong file (a CSV, say)
 * gives a few useful lines rather than thousands.
 */
static int read_stream(struct value_file *f, struct sim_dist *d, FILE *fp)
{
    char *line = NULL, err[128];
    size_t n_line = 0, line_no = 0;
    ssize_t len;
    int rc = 0;

    errno = 0;
    while (rc == 0 && (len = getline(&line, &n_line, fp)) >= 0)
        rc = read_line(f, d, line, (size_t)len, ++line_no);
    if (rc == 0 && ferror(fp)) {
        strerror_r(errno, err, sizeof err);
        problem(f->b, f->key, "cannot read \"%s\": %s", f->name, err);
        rc = SIM_EIO;
    }
    free(line);
    if (f->n_bad_lines > DIST_MAX_BAD_LINES)
        problem(f->b, f->key, "%s: %zu more bad lines not shown", f->name,
                f->n_bad_lines - DIST_MAX_BAD_LINES);
    if (rc == 0 && d->n == 0 && f->n_bad_lines == 0)
        problem(f->b, f->key, "\"%s\" holds no values", f->name);
    return rc;
}

/* name relative to the scenario's directory, unless it is absolute. */
static bool resolve_file(const struct sim_cfg *cfg, const char *name,
                         char *out, size_t n_out)
{
    const char *scenario = sim_cfg_file(cfg);
    const char *slash = strrchr(scenario, '/');
    int len;

    if (name[0] == '/' || slash == NULL)
        len = snprintf(out, n_out, "%s", name);
    else
        len = snprintf(out, n_out, "%.*s/%s", (int)(slash - scenario),
                       scenario, name);
    return len >= 0 && (size_t)len < n_out;
}

/* Reads "file"; messages name the file as opened, relative to the cwd. */
static int read_file(struct build *b, const char *path,
                     const struct dist_params *p, struct sim_dist *d)
{
    char kp[DIST_PATH_MAX], name[4096], err[128];
    struct value_file f = {b, kp, name, p->unit_ns, 0, 0};
    FILE *fp;
    int rc;

    key_path(kp, path, "file");
    if (!resolve_file(b->cfg, p->c->file, name, sizeof name)) {
        problem(b, kp, "\"%.60s...\": file name too long", p->c->file);
        return SIM_EINVAL;
    }
    fp = sim_infile_open(name, DIST_MAX_FILE_BYTES, NULL, err, sizeof err);
    if (fp == NULL) {
        problem(b, kp, "cannot read \"%s\": %s", name, err);
        return SIM_EINVAL;
    }
    rc = read_stream(&f, d, fp);
    fclose(fp);
    return rc;
}

/*
 * The values, from a list or a file; the moments are those of the values
 * themselves, since a sample is one of them chosen uniformly.
 */
static int build_empirical(struct build *b, const char *path,
                           const struct dist_params *p, struct sim_dist *d)
{
    unsigned given = need_one(b, path, p, KEY_VALUES, KEY_FILE);
    char v[32];
    int rc;

    if (given == 0 || (p->present & ~p->valid & KEY_UNIT))
        return SIM_EINVAL;
    rc = given == KEY_VALUES ? read_values(b, path, p, d) :
                               read_file(b, path, p, d);
    if (rc != 0 || d->n == 0)
        return rc != 0 ? rc : SIM_EINVAL;
    for (size_t i = 0; i < d->n; i++) {
        double s = sim_time_to_s(d->values_ns[i]);

        d->mean_s += s;
        d->moment2_s2 += s * s;
    }
    d->mean_s /= (double)d->n;
    d->moment2_s2 /= (double)d->n;
    if (given == KEY_FILE)
        return set_desc(d, "empirical(%zu values from \"%s\")", d->n,
                        p->c->file);
    return set_desc(d, "empirical(%zu values, mean %s)", d->n,
                    fmt_s(d->mean_s, v, sizeof v));
}

/* ---- kinds and dispatch ---------------------------------------------- */

/* Indexed by enum dist_kind; the order is the one messages list. */
static const struct dist_kind_info kinds[] = {
    [DIST_CONSTANT] = {"constant", KEY_VALUE, build_constant},
    [DIST_UNIFORM] = {"uniform", KEY_MIN | KEY_MAX, build_uniform},
    [DIST_EXPONENTIAL] = {"exponential", KEY_MEAN | KEY_RATE,
                          build_exponential},
    [DIST_NORMAL] = {"normal", KEY_MEAN | KEY_SD, build_normal},
    [DIST_LOGNORMAL] = {"lognormal", KEY_MU | KEY_SIGMA | KEY_UNIT |
                        KEY_MEDIAN | KEY_P99, build_lognormal},
    [DIST_GAMMA] = {"gamma", KEY_SHAPE | KEY_SCALE | KEY_MEAN, build_gamma},
    [DIST_WEIBULL] = {"weibull", KEY_SHAPE | KEY_SCALE, build_weibull},
    [DIST_PARETO] = {"pareto", KEY_SHAPE | KEY_SCALE, build_pareto},
    [DIST_ERLANG] = {"erlang", KEY_K | KEY_MEAN, build_erlang},
    [DIST_HYPEREXPONENTIAL] = {"hyperexponential", KEY_COMPONENTS |
                               KEY_MEAN | KEY_CV, build_hyperexponential},
    [DIST_EMPIRICAL] = {"empirical", KEY_VALUES | KEY_FILE | KEY_UNIT,
                        build_empirical},
    [DIST_MIXTURE] = {"mixture", KEY_COMPONENTS, build_mixture},
};

#define DIST_N_KINDS (sizeof kinds / sizeof kinds[0])

/* Levenshtein distance, ignoring case; both strings are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t row[DIST_NAME_MAX + 1], len_b = strlen(b);

    for (size_t j = 0; j <= len_b; j++)
        row[j] = j;
    for (size_t i = 1; *a != '\0'; a++, i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= len_b; j++) {
            size_t up = row[j];
            bool is_same = tolower((unsigned char)*a) ==
                           tolower((unsigned char)b[j - 1]);
            size_t best = diag + !is_same;

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[len_b];
}

/* Whether name begins with prefix, ignoring case. */
static bool is_prefix(const char *prefix, const char *name)
{
    for (; *prefix != '\0'; prefix++, name++)
        if (tolower((unsigned char)*prefix) != tolower((unsigned char)*name))
            return false;
    return true;
}

/*
 * The kind a mistyped name most likely meant: one it begins (3 letters
 * or more), or one within 1 edit (2 for names of 6 letters or more).
 */
static const char *suggest_kind(const char *name)
{
    size_t len = strlen(name), best = len >= 6 ? 3 : 2, d;
    const char *found = NULL;

    if (len == 0 || len > DIST_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < DIST_N_KINDS; i++) {
        if (len >= 3 && is_prefix(name, kinds[i].name))
            return kinds[i].name;
        d = edit_distance(name, kinds[i].name);
        if (d < best) {
            best = d;
            found = kinds[i].name;
        }
    }
    return found;
}

/*
 * The kind named by "dist". An unknown name gets a suggestion when one is
 * close, and the full list of kinds otherwise.
 */
static const struct dist_kind_info *find_kind(struct build *b,
                                              const char *path,
                                              const char *name)
{
    char kp[DIST_PATH_MAX], list[DIST_DESC_MAX];
    const char *guess;
    size_t len = 0;

    if (name == NULL) {
        problem(b, path, "missing key \"dist\"");
        return NULL;
    }
    for (size_t i = 0; i < DIST_N_KINDS; i++)
        if (strcmp(name, kinds[i].name) == 0)
            return &kinds[i];
    key_path(kp, path, "dist");
    guess = suggest_kind(name);
    if (guess != NULL) {
        problem(b, kp, "unknown distribution \"%.60s\"; did you mean "
                "\"%s\"?", name, guess);
        return NULL;
    }
    for (size_t i = 0; i < DIST_N_KINDS; i++)
        desc_add(list, &len, "%s%s", i > 0 ? ", " : "", kinds[i].name);
    problem(b, kp, "unknown distribution \"%.60s\"; use one of: %s", name,
            list);
    return NULL;
}

/*
 * Validates and compiles the mapping c at path. Returns NULL when c has
 * any problem (all of them recorded) or memory ran out (b->is_nomem).
 */
static struct sim_dist *build_any(struct build *b, const char *path,
                                  const struct sim_dist_config *c,
                                  bool is_part)
{
    const struct dist_kind_info *kind;
    struct dist_params p = {.c = c};
    size_t n_bad = b->n_bad;
    struct sim_dist *d;
    int rc;

    kind = find_kind(b, path, c->dist);
    if (kind == NULL)
        return NULL;
    p.kind = kind->name;
    p.present = present_keys(c);
    p.allowed = kind->keys | (is_part ? KEY_WEIGHT : 0);
    check_keys(b, path, &p);
    parse_params(b, path, &p);
    d = dist_alloc((enum dist_kind)(kind - kinds));
    if (d == NULL) {
        nomem(b);
        return NULL;
    }
    rc = kind->build(b, path, &p, d);
    if (rc != 0 || b->n_bad != n_bad || b->is_nomem) {
        sim_dist_free(d);
        return NULL;
    }
    return d;
}

/* ---- public functions ------------------------------------------------ */

/*
 * build_any returns NULL on any problem; is_nomem alone tells a failed
 * allocation (SIM_ENOMEM) from bad input (SIM_EINVAL, all of it reported).
 */
int sim_dist_build(struct sim_cfg *cfg, const char *path,
                   const struct sim_dist_config *c, struct sim_dist **out)
{
    static const struct sim_dist_config none;
    struct build b = {.cfg = cfg};
    struct sim_dist *d;

    d = build_any(&b, path, c != NULL ? c : &none, false);
    if (b.is_nomem)
        return SIM_ENOMEM;
    if (d == NULL)
        return SIM_EINVAL;
    *out = d;
    return 0;
}

struct sim_dist *sim_dist_constant(sim_time value)
{
    struct sim_dist *d = dist_alloc(DIST_CONSTANT);
    char v[32];

    if (d == NULL)
        return NULL;
    d->value_ns = value;
    d->mean_s = sim_time_to_s(value);
    d->moment2_s2 = d->mean_s * d->mean_s;
    if (set_desc(d, "constant(%s)", fmt_ns(value, v, sizeof v)) != 0) {
        sim_dist_free(d);
        return NULL;
    }
    return d;
}

struct sim_dist *sim_dist_exponential(double mean_s)
{
    struct sim_dist *d = dist_alloc(DIST_EXPONENTIAL);
    char m[32];

    if (d == NULL)
        return NULL;
    set_exponential(d, mean_s);
    if (set_desc(d, "exponential(mean %s)", fmt_s(mean_s, m, sizeof m))) {
        sim_dist_free(d);
        return NULL;
    }
    return d;
}

void sim_dist_free(struct sim_dist *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; d->parts != NULL && i < d->n; i++)
        sim_dist_free(d->parts[i]);
    free(d->parts);
    free(d->cum_weights);
    free(d->values_ns);
    free(d->desc);
    free(d);
}

/* A component index drawn with the mixture's weights. */
static size_t pick_part(const struct sim_dist *d, gsl_rng *r)
{
    double u = gsl_rng_uniform(r);
    size_t i = 0;

    while (i + 1 < d->n && u >= d->cum_weights[i])
        i++;
    return i;
}

/* The normal distribution truncated at zero, by rejection (>= 1/2 kept). */
static double sample_normal(const struct sim_dist *d, gsl_rng *r)
{
    double x;

    do
        x = d->a + gsl_ran_gaussian_ziggurat(r, d->b);
    while (x < 0);
    return x;
}

/*
 * Every case is one GSL draw and one rounding. The parameters were fixed
 * at build time, so nothing here divides by a constant; GSL's own Weibull
 * and Pareto samplers take 1 / shape per call, which is small beside the
 * pow they also call. gsl_ran_erlang(r, a, n) is a gamma of shape n and
 * scale a. Exponential, the hot path, is one uniform and one log1p.
 */
sim_time sim_dist_sample(const struct sim_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_EXPONENTIAL:
        return dist_round(gsl_ran_exponential(r, d->a));
    case DIST_CONSTANT:
        return d->value_ns;
    case DIST_UNIFORM:
        return dist_round(gsl_ran_flat(r, d->a, d->b));
    case DIST_NORMAL:
        return dist_round(sample_normal(d, r));
    case DIST_LOGNORMAL:
        return dist_round(gsl_ran_lognormal(r, d->a, d->b));
    case DIST_GAMMA:
        return dist_round(gsl_ran_gamma(r, d->a, d->b));
    case DIST_WEIBULL:
        return dist_round(gsl_ran_weibull(r, d->b, d->a));
    case DIST_PARETO:
        return dist_round(gsl_ran_pareto(r, d->a, d->b));
    case DIST_ERLANG:
        return dist_round(gsl_ran_erlang(r, d->b, d->a));
    case DIST_EMPIRICAL:
        return d->values_ns[gsl_rng_uniform_int(r, d->n)];
    case DIST_HYPEREXPONENTIAL:
    case DIST_MIXTURE:
        return sim_dist_sample(d->parts[pick_part(d, r)], r);
    }
    return 0;
}

double sim_dist_mean(const struct sim_dist *d)
{
    return d->mean_s;
}

double sim_dist_moment2(const struct sim_dist *d)
{
    return d->moment2_s2;
}

const char *sim_dist_describe(const struct sim_dist *d, char *buf,
                              size_t n_buf)
{
    snprintf(buf, n_buf, "%s", d->desc);
    return buf;
}
