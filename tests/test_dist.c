/* SPDX-License-Identifier: MIT */
/*
 * test_dist.c - distributions: moments against closed forms, sample means
 * and Kolmogorov-Smirnov distances against theory, determinism, loading
 * through libcyaml (nested mixtures included), and the exact text of every
 * validation message. Statistical checks use fixed seeds.
 */
#include "sim/dist.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "sim/error.h"
#include "sim/rng.h"
#include "tests/check.h"

#define N_SAMPLES 200000
#define Z999 3.2905267314919255         /* two-sided 99.9% normal quantile */
#define KS999 1.9494746752403966        /* sqrt(ln(2 / 0.001) / 2) */
#define ROUND_S 0.5e-9                  /* largest bias of ns rounding */
#define PATH "servers[0].service"

/* A wrapper document "d: {...}" so a test can load a distribution alone. */
struct wrap {
    struct sim_dist_config *d;
};

static const cyaml_schema_field_t wrap_fields[] = {
    CYAML_FIELD_MAPPING_PTR("d", CYAML_FLAG_POINTER, struct wrap, d,
                            sim_dist_fields),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t wrap_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct wrap, wrap_fields),
};

static char cyaml_log_text[512];        /* libcyaml's last complaint */

static void quiet_log(cyaml_log_t level, void *ctx, const char *fmt,
                      va_list ap)
{
    (void)level;
    (void)ctx;
    vsnprintf(cyaml_log_text, sizeof cyaml_log_text, fmt, ap);
}

static const cyaml_config_t cyaml_cfg = {
    .log_fn = quiet_log,
    .mem_fn = cyaml_mem,
    .log_level = CYAML_LOG_ERROR,
};

/* Loads a wrapper document from text; fails the test if libcyaml does. */
static struct wrap *load(const char *yaml)
{
    struct wrap *w = NULL;
    cyaml_err_t err;

    err = cyaml_load_data((const uint8_t *)yaml, strlen(yaml), &cyaml_cfg,
                          &wrap_schema, (cyaml_data_t **)&w, NULL);
    if (err != CYAML_OK)
        printf("  cyaml: %s: %s", cyaml_strerror(err), cyaml_log_text);
    CHECK_EQ_INT(err, CYAML_OK);
    CHECK(w != NULL);
    return w;
}

static void unload(struct wrap *w)
{
    cyaml_free(&cyaml_cfg, &wrap_schema, w, 0);
}

/* Loads "d: <yaml>" and builds it at PATH; returns the status. */
static int build_in(struct sim_cfg *cfg, const char *yaml,
                    struct sim_dist **out)
{
    char doc[1024];
    struct wrap *w;
    int rc;

    snprintf(doc, sizeof doc, "d: %s\n", yaml);
    w = load(doc);
    *out = NULL;
    rc = sim_dist_build(cfg, PATH, w->d, out);
    unload(w);
    return rc;
}

/* Builds yaml, which must be valid; the caller frees the result. */
static struct sim_dist *build_ok(const char *yaml)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_dist *d = NULL;
    char line[512];
    int rc;

    CHECK(cfg != NULL);
    rc = build_in(cfg, yaml, &d);
    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
        printf("  %s\n", sim_cfg_format(cfg, i, line, sizeof line));
    sim_cfg_free(cfg);
    CHECK_EQ_INT(rc, 0);
    CHECK(d != NULL);
    return d;
}

/*
 * Builds yaml in a scenario named file and checks that it fails with
 * exactly the problems want[0..n_want), each after "file: ".
 */
static void expect_in(const char *file, const char *yaml,
                      const char *const *want, size_t n_want)
{
    struct sim_cfg *cfg = sim_cfg_new(file);
    struct sim_dist *d = NULL;
    char got[600], expected[600];
    size_t n_got;
    int rc;

    CHECK(cfg != NULL);
    rc = build_in(cfg, yaml, &d);
    n_got = sim_cfg_n_errors(cfg);
    for (size_t i = 0; i < n_got || i < n_want; i++) {
        snprintf(expected, sizeof expected, "%s: %s", file,
                 i < n_want ? want[i] : "(nothing)");
        sim_cfg_format(cfg, i, got, sizeof got);
        if (i >= n_got)
            snprintf(got, sizeof got, "(nothing)");
        if (strcmp(got, expected) != 0) {
            sim_cfg_free(cfg);
            CHECK_EQ_STR(got, expected);
        }
    }
    sim_cfg_free(cfg);
    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK(d == NULL);
}

#define EXPECT(yaml, ...)                                                 \
    do {                                                                  \
        static const char *const want_[] = {__VA_ARGS__};                 \
        expect_in("s.yaml", yaml, want_, sizeof want_ / sizeof *want_);   \
    } while (0)

/*
 * A stream with the suite's fixed seed and its own name. GSL's default
 * error handler aborts, so it is turned off here, as the program does.
 */
static gsl_rng *rng(const char *name)
{
    gsl_rng *r;

    gsl_set_error_handler_off();
    r = sim_rng_new(20240611, 0, name);
    CHECK(r != NULL);
    return r;
}

/* Draws N_SAMPLES in seconds into a new array. */
static double *draw(const struct sim_dist *d, const char *name)
{
    double *x = malloc(N_SAMPLES * sizeof *x);
    gsl_rng *r = rng(name);

    CHECK(x != NULL);
    for (size_t i = 0; i < N_SAMPLES; i++)
        x[i] = sim_time_to_s(sim_dist_sample(d, r));
    gsl_rng_free(r);
    return x;
}

/*
 * Checks d's mean and second moment against closed forms (relative error
 * rel), then that the mean of N_SAMPLES draws lies in the 99.9%
 * normal-theory interval mean +- z sqrt(var / n), with var the analytic
 * variance m2 - mean^2, widened only by the 0.5ns bias rounding can add.
 */
static void check_moments(struct sim_dist *d, double mean_s, double m2_s2,
                          double rel, const char *name)
{
    double *x, sum = 0, tol;

    CHECK_NEAR(sim_dist_mean(d), mean_s, rel * mean_s);
    CHECK_NEAR(sim_dist_moment2(d), m2_s2, rel * m2_s2);
    x = draw(d, name);
    for (size_t i = 0; i < N_SAMPLES; i++)
        sum += x[i];
    free(x);
    tol = Z999 * sqrt((m2_s2 - mean_s * mean_s) / N_SAMPLES) + ROUND_S;
    CHECK_NEAR(sum / N_SAMPLES, mean_s, tol);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/*
 * The Kolmogorov-Smirnov distance of N_SAMPLES draws from cdf, checked
 * against the asymptotic 99.9% critical value KS999 / sqrt(n). Rounding to
 * 1ns moves the CDF by under 1e-6 for the ms-scale laws used here, far
 * below the 0.0044 critical value.
 */
static void check_ks(struct sim_dist *d, const char *name,
                     double (*cdf)(double x, const double *par),
                     const double *par)
{
    double *x = draw(d, name), dist = 0;

    qsort(x, N_SAMPLES, sizeof *x, cmp_double);
    for (size_t i = 0; i < N_SAMPLES; i++) {
        double f = cdf(x[i], par);
        double above = (double)(i + 1) / N_SAMPLES - f;
        double below = f - (double)i / N_SAMPLES;

        dist = fmax(dist, fmax(above, below));
    }
    free(x);
    CHECK(dist < KS999 / sqrt(N_SAMPLES));
}

/* ---- moments and sample means, kind by kind --------------------------- */

static void test_dist__constant_returns_its_value_exactly(void)
{
    struct sim_dist *d = build_ok("{dist: constant, value: 1234567ns}");
    gsl_rng *r = rng("constant");
    char buf[64];

    for (int i = 0; i < 1000; i++)
        CHECK_EQ_INT(sim_dist_sample(d, r), 1234567);
    CHECK_NEAR(sim_dist_mean(d), 1.234567e-3, 1e-18);
    CHECK_NEAR(sim_dist_moment2(d), 1.234567e-3 * 1.234567e-3, 1e-21);
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf), "constant(1.235ms)");
    gsl_rng_free(r);
    sim_dist_free(d);
}

static void test_dist__uniform_mean_matches_theory(void)
{
    struct sim_dist *d = build_ok("{dist: uniform, min: 1ms, max: 5ms}");

    check_moments(d, 3e-3, (1e-6 + 5e-6 + 25e-6) / 3, 1e-12, "uniform");
    sim_dist_free(d);
}

static void test_dist__exponential_mean_matches_theory(void)
{
    struct sim_dist *d = build_ok("{dist: exponential, mean: 2ms}");

    check_moments(d, 2e-3, 2 * 4e-6, 1e-12, "exponential");
    sim_dist_free(d);
}

static void test_dist__exponential_rate_is_one_over_mean(void)
{
    struct sim_dist *d = build_ok("{dist: exponential, rate: 2k/s}");

    check_moments(d, 0.5e-3, 2 * 0.25e-6, 1e-12, "exponential rate");
    sim_dist_free(d);
}

/* Simpson's rule for the integral of x^power times the N(mu, sd) density. */
static double normal_integral(double mu, double sd, int power, double hi)
{
    const int n = 20000;
    double h = hi / n, sum = 0;

    for (int i = 0; i <= n; i++) {
        double x = i * h;
        double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);

        sum += w * pow(x, power) * gsl_ran_gaussian_pdf(x - mu, sd);
    }
    return sum * h / 3;
}

/*
 * Truncation at zero matters for mean = sd; the reference moments come
 * from numerical integration, independent of the library's closed form.
 */
static void test_dist__normal_truncated_moments(void)
{
    struct sim_dist *d = build_ok("{dist: normal, mean: 5ms, sd: 5ms}");
    double mu = 5e-3, sd = 5e-3, hi = mu + 12 * sd;
    double z = normal_integral(mu, sd, 0, hi);
    double m1 = normal_integral(mu, sd, 1, hi) / z;
    double m2 = normal_integral(mu, sd, 2, hi) / z;

    CHECK(m1 > mu * 1.05);
    check_moments(d, m1, m2, 1e-9, "normal");
    sim_dist_free(d);
}

static void test_dist__lognormal_median_p99_mean_matches_theory(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, median: 2ms, p99: 15ms}");
    double sigma = log(7.5) / gsl_cdf_ugaussian_Pinv(0.99);
    double zeta = log(2e-3);

    check_moments(d, exp(zeta + sigma * sigma / 2),
                  exp(2 * zeta + 2 * sigma * sigma), 1e-12, "lognormal");
    sim_dist_free(d);
}

static void test_dist__lognormal_mu_sigma_unit_form(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, mu: 0.5, sigma: 0.25, unit: 1ms}");
    double zeta = 0.5 + log(1e-3), s2 = 0.25 * 0.25;
    char buf[80];

    check_moments(d, exp(zeta + s2 / 2), exp(2 * zeta + 2 * s2), 1e-12,
                  "lognormal mu");
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf),
                 "lognormal(mu 0.5, sigma 0.25, unit 1ms)");
    sim_dist_free(d);
}

static void test_dist__lognormal_median_sigma_form(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, median: 3ms, sigma: 0.5}");
    double zeta = log(3e-3);

    check_moments(d, exp(zeta + 0.125), exp(2 * zeta + 0.5), 1e-12,
                  "lognormal median");
    sim_dist_free(d);
}

static void test_dist__gamma_scale_and_mean_forms(void)
{
    struct sim_dist *d = build_ok("{dist: gamma, shape: 2.5, scale: 1ms}");
    struct sim_dist *e = build_ok("{dist: gamma, shape: 0.5, mean: 3ms}");

    check_moments(d, 2.5e-3, 2.5 * 3.5 * 1e-6, 1e-12, "gamma");
    check_moments(e, 3e-3, 0.5 * 1.5 * 36e-6, 1e-12, "gamma mean");
    sim_dist_free(d);
    sim_dist_free(e);
}

static void test_dist__weibull_mean_matches_theory(void)
{
    struct sim_dist *d = build_ok("{dist: weibull, shape: 1.5, scale: 2ms}");

    check_moments(d, 2e-3 * tgamma(1 + 1 / 1.5),
                  4e-6 * tgamma(1 + 2 / 1.5), 1e-12, "weibull");
    sim_dist_free(d);
}

/* Shape 4.5 keeps the fourth moment finite, so the normal CI holds. */
static void test_dist__pareto_mean_matches_theory(void)
{
    struct sim_dist *d = build_ok("{dist: pareto, shape: 4.5, scale: 1ms}");

    check_moments(d, 4.5e-3 / 3.5, 4.5e-6 / 2.5, 1e-12, "pareto");
    sim_dist_free(d);
}

static void test_dist__pareto_heavy_tail_has_infinite_moments(void)
{
    struct sim_dist *d = build_ok("{dist: pareto, shape: 0.8, scale: 1ms}");
    struct sim_dist *e = build_ok("{dist: pareto, shape: 1.5, scale: 1ms}");
    gsl_rng *r = rng("pareto tail");

    CHECK(isinf(sim_dist_mean(d)) && isinf(sim_dist_moment2(d)));
    CHECK_NEAR(sim_dist_mean(e), 3e-3, 1e-15);
    CHECK(isinf(sim_dist_moment2(e)));
    for (int i = 0; i < N_SAMPLES; i++) {
        sim_time t = sim_dist_sample(d, r);

        CHECK(t >= 1000000 && t <= SIM_DIST_CAP);
    }
    gsl_rng_free(r);
    sim_dist_free(d);
    sim_dist_free(e);
}

static void test_dist__erlang_mean_is_of_the_whole(void)
{
    struct sim_dist *d = build_ok("{dist: erlang, k: 3, mean: 3ms}");

    check_moments(d, 3e-3, 9e-6 * (1 + 1.0 / 3), 1e-12, "erlang");
    sim_dist_free(d);
}

static void test_dist__hyperexponential_components_mean(void)
{
    struct sim_dist *d = build_ok(
        "{dist: hyperexponential, components: [{weight: 0.3, mean: 1ms}, "
        "{weight: 0.7, mean: 5ms}]}");
    char buf[80];

    check_moments(d, 3.8e-3, 2 * (0.3e-6 + 0.7 * 25e-6), 1e-12, "hyper");
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf),
                 "hyperexponential(0.3 mean 1ms, 0.7 mean 5ms)");
    sim_dist_free(d);
}

/*
 * The balanced-means fit must give the requested cv exactly in closed
 * form, and the sample second moment must agree with E[X^2] within a
 * 99.9% interval built from Var(X^2) = E[X^4] - E[X^2]^2, where an
 * exponential phase of mean m has E[X^4] = 24 m^4.
 */
static void test_dist__hyperexponential_fit_gives_requested_cv(void)
{
    struct sim_dist *d =
        build_ok("{dist: hyperexponential, mean: 2ms, cv: 2}");
    double mean = 2e-3, c2 = 4, s = sqrt((c2 - 1) / (c2 + 1));
    double p[2] = {(1 + s) / 2, (1 - s) / 2}, m4 = 0, m2 = 0, sum2 = 0;
    double *x;

    CHECK_NEAR(sqrt(sim_dist_moment2(d) / pow(sim_dist_mean(d), 2) - 1),
               2.0, 1e-9);
    for (int i = 0; i < 2; i++) {
        double m = mean / (2 * p[i]);

        m2 += p[i] * 2 * m * m;
        m4 += p[i] * 24 * pow(m, 4);
    }
    CHECK_NEAR(m2, (1 + c2) * mean * mean, 1e-18);
    check_moments(d, mean, m2, 1e-9, "hyper fit");
    x = draw(d, "hyper fit 2");
    for (size_t i = 0; i < N_SAMPLES; i++)
        sum2 += x[i] * x[i];
    free(x);
    CHECK_NEAR(sum2 / N_SAMPLES, m2, Z999 * sqrt((m4 - m2 * m2) / N_SAMPLES));
    sim_dist_free(d);
}

static void test_dist__hyperexponential_cv_one_is_exponential(void)
{
    struct sim_dist *d =
        build_ok("{dist: hyperexponential, mean: 2ms, cv: 1}");

    check_moments(d, 2e-3, 8e-6, 1e-12, "hyper cv1");
    sim_dist_free(d);
}

static void test_dist__empirical_values_mean(void)
{
    struct sim_dist *d =
        build_ok("{dist: empirical, values: [1ms, 2ms, 6000us]}");
    gsl_rng *r = rng("empirical set");

    check_moments(d, 3e-3, (1e-6 + 4e-6 + 36e-6) / 3, 1e-12, "empirical");
    for (int i = 0; i < 1000; i++) {
        sim_time t = sim_dist_sample(d, r);

        CHECK(t == 1000000 || t == 2000000 || t == 6000000);
    }
    gsl_rng_free(r);
    sim_dist_free(d);
}

static void test_dist__mixture_mean_matches_theory(void)
{
    struct sim_dist *d = build_ok(
        "{dist: mixture, components: [{weight: 0.9, dist: exponential, "
        "mean: 1ms}, {weight: 0.1, dist: constant, value: 50ms}]}");
    char buf[120];

    check_moments(d, 5.9e-3, 0.9 * 2e-6 + 0.1 * 2500e-6, 1e-12, "mixture");
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf),
                 "mixture(0.9 exponential(mean 1ms), 0.1 constant(50ms))");
    sim_dist_free(d);
}

/* ---- shapes of distributions ----------------------------------------- */

static double exp_cdf(double x, const double *par)
{
    return gsl_cdf_exponential_P(x, par[0]);
}

static double lognormal_cdf(double x, const double *par)
{
    return gsl_cdf_lognormal_P(x, par[0], par[1]);
}

static double weibull_cdf(double x, const double *par)
{
    return gsl_cdf_weibull_P(x, par[0], par[1]);
}

static void test_dist__exponential_passes_ks(void)
{
    struct sim_dist *d = build_ok("{dist: exponential, mean: 2ms}");
    double par[] = {2e-3};

    check_ks(d, "ks exponential", exp_cdf, par);
    sim_dist_free(d);
}

static void test_dist__lognormal_passes_ks(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, median: 2ms, p99: 15ms}");
    double par[] = {log(2e-3), log(7.5) / gsl_cdf_ugaussian_Pinv(0.99)};

    check_ks(d, "ks lognormal", lognormal_cdf, par);
    sim_dist_free(d);
}

/*
 * The share of draws at or below the p99 is binomial: 0.99 within
 * z sqrt(0.99 * 0.01 / n) at 99.9%.
 */
static void test_dist__lognormal_p99_is_the_99th_percentile(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, median: 2ms, p99: 15ms}");
    gsl_rng *r = rng("lognormal p99");
    size_t n_below = 0, n_median = 0;

    for (int i = 0; i < N_SAMPLES; i++) {
        sim_time t = sim_dist_sample(d, r);

        n_below += t <= 15 * SIM_MS;
        n_median += t <= 2 * SIM_MS;
    }
    CHECK_NEAR((double)n_below / N_SAMPLES, 0.99,
               Z999 * sqrt(0.99 * 0.01 / N_SAMPLES));
    CHECK_NEAR((double)n_median / N_SAMPLES, 0.5,
               Z999 * sqrt(0.25 / N_SAMPLES));
    gsl_rng_free(r);
    sim_dist_free(d);
}

static void test_dist__weibull_passes_ks(void)
{
    struct sim_dist *d = build_ok("{dist: weibull, shape: 1.5, scale: 2ms}");
    double par[] = {2e-3, 1.5};

    check_ks(d, "ks weibull", weibull_cdf, par);
    sim_dist_free(d);
}

/* Each share is binomial: p within z sqrt(p (1 - p) / n) at 99.9%. */
static void check_shares(struct sim_dist *d, const char *name,
                         const sim_time *values, const double *p, size_t n)
{
    size_t counts[8] = {0};
    gsl_rng *r = rng(name);

    for (int i = 0; i < N_SAMPLES; i++) {
        sim_time t = sim_dist_sample(d, r);
        size_t j = 0;

        while (j < n && values[j] != t)
            j++;
        CHECK(j < n);
        counts[j]++;
    }
    gsl_rng_free(r);
    for (size_t j = 0; j < n; j++)
        CHECK_NEAR((double)counts[j] / N_SAMPLES, p[j],
                   Z999 * sqrt(p[j] * (1 - p[j]) / N_SAMPLES));
}

/* Constant components make each draw tell which component it came from. */
static void test_dist__mixture_weights_are_honoured(void)
{
    struct sim_dist *d = build_ok(
        "{dist: mixture, components: [{weight: 0.9, dist: constant, "
        "value: 1ms}, {weight: 0.1, dist: constant, value: 5ms}]}");
    static const sim_time values[] = {SIM_MS, 5 * SIM_MS};
    static const double p[] = {0.9, 0.1};

    check_shares(d, "mixture shares", values, p, 2);
    sim_dist_free(d);
}

static void test_dist__nested_mixture_weights_multiply(void)
{
    struct sim_dist *d = build_ok(
        "{dist: mixture, components: ["
        "{weight: 0.5, dist: constant, value: 1ms}, "
        "{weight: 0.5, dist: mixture, components: ["
        "{weight: 0.4, dist: constant, value: 2ms}, "
        "{weight: 0.6, dist: constant, value: 3ms}]}]}");
    static const sim_time values[] = {SIM_MS, 2 * SIM_MS, 3 * SIM_MS};
    static const double p[] = {0.5, 0.2, 0.3};

    check_shares(d, "nested shares", values, p, 3);
    CHECK_NEAR(sim_dist_mean(d), 0.5e-3 + 0.4e-3 + 0.9e-3, 1e-15);
    sim_dist_free(d);
}

/* ---- determinism and construction ------------------------------------ */

/* Two streams of one name agree draw for draw; another name does not. */
static void test_dist__same_seed_gives_same_sequence(void)
{
    struct sim_dist *d = build_ok(
        "{dist: mixture, components: ["
        "{weight: 0.2, dist: exponential, mean: 1ms}, "
        "{weight: 0.2, dist: normal, mean: 1ms, sd: 2ms}, "
        "{weight: 0.2, dist: gamma, shape: 0.7, scale: 1ms}, "
        "{weight: 0.2, dist: empirical, values: [1ms, 2ms, 3ms]}, "
        "{weight: 0.2, dist: hyperexponential, mean: 1ms, cv: 3}]}");
    gsl_rng *a = rng("same"), *b = rng("same"), *c = rng("other");
    int n_differ = 0;

    for (int i = 0; i < 10000; i++) {
        sim_time x = sim_dist_sample(d, a);

        CHECK_EQ_INT(x, sim_dist_sample(d, b));
        n_differ += x != sim_dist_sample(d, c);
    }
    CHECK(n_differ > 5000);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    sim_dist_free(d);
}

static void test_dist__constructors_build_working_distributions(void)
{
    struct sim_dist *c = sim_dist_constant(7 * SIM_US);
    struct sim_dist *e = sim_dist_exponential(1e-3);
    gsl_rng *r = rng("constructors");
    char buf[64];

    CHECK(c != NULL && e != NULL);
    CHECK_EQ_INT(sim_dist_sample(c, r), 7000);
    CHECK_EQ_STR(sim_dist_describe(c, buf, sizeof buf), "constant(7us)");
    CHECK_EQ_STR(sim_dist_describe(e, buf, sizeof buf),
                 "exponential(mean 1ms)");
    check_moments(e, 1e-3, 2e-6, 1e-12, "constructor exponential");
    gsl_rng_free(r);
    sim_dist_free(c);
    sim_dist_free(e);
}

/*
 * A draw beyond 2^62 ns is capped there rather than overflowing. With the
 * widest lognormal allowed (median 10^7 s, sigma 5) a draw passes 2^62 ns
 * (4.61e9 s) with probability P(Z > ln(461) / 5) = 0.110: of 1000 draws,
 * 110 are expected, sd 9.9, so "more than 50" fails only 6 sd below.
 */
static void test_dist__huge_samples_are_capped(void)
{
    struct sim_dist *d =
        build_ok("{dist: lognormal, median: 10000000s, sigma: 5}");
    gsl_rng *r = rng("cap");
    int n_capped = 0;

    for (int i = 0; i < 1000; i++) {
        sim_time t = sim_dist_sample(d, r);

        CHECK(t >= 0 && t <= SIM_DIST_CAP);
        n_capped += t == SIM_DIST_CAP;
    }
    CHECK(n_capped > 50);
    gsl_rng_free(r);
    sim_dist_free(d);
}

/* libcyaml loads a recursive schema: a mixture inside a mixture. */
static void test_dist__cyaml_loads_nested_mixture(void)
{
    struct wrap *w = load(
        "d:\n"
        "  dist: mixture\n"
        "  components:\n"
        "    - {weight: 0.25, dist: exponential, rate: 1k/s}\n"
        "    - weight: 0.75\n"
        "      dist: mixture\n"
        "      components:\n"
        "        - {weight: 0.5, dist: erlang, k: 2, mean: 4ms}\n"
        "        - {weight: 0.5, dist: empirical, values: [1ms, 3ms]}\n");
    const struct sim_dist_config *inner;
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_dist *d = NULL;
    char buf[200];

    CHECK_EQ_STR(w->d->dist, "mixture");
    CHECK_EQ_INT(w->d->n_components, 2);
    CHECK_NEAR(*w->d->components[0].weight, 0.25, 0);
    CHECK_EQ_STR(w->d->components[0].rate, "1k/s");
    inner = &w->d->components[1];
    CHECK_EQ_INT(inner->n_components, 2);
    CHECK_NEAR(*inner->components[0].k, 2, 0);
    CHECK_EQ_INT(inner->components[1].n_values, 2);
    CHECK_EQ_STR(inner->components[1].values[1], "3ms");
    CHECK(w->d->mean == NULL && w->d->sigma == NULL);
    CHECK_EQ_INT(sim_dist_build(cfg, PATH, w->d, &d), 0);
    unload(w);
    sim_cfg_free(cfg);
    CHECK_NEAR(sim_dist_mean(d), 0.25e-3 + 0.75 * (2e-3 + 1e-3), 1e-15);
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf),
                 "mixture(0.25 exponential(rate 1000/s), 0.75 mixture(0.5 "
                 "erlang(k 2, mean 4ms), 0.5 empirical(2 values, mean 2ms)))");
    sim_dist_free(d);
}

/* ---- files ----------------------------------------------------------- */

/* A scratch directory holding one data file beside a scenario name. */
struct tmp {
    char dir[64];                       /* a fresh directory */
    char scenario[128];                 /* <dir>/s.yaml, never written */
};

static void tmp_make(struct tmp *t, const char *data_name, const char *text)
{
    char name[200];
    FILE *fp;

    snprintf(t->dir, sizeof t->dir, TEST_TMP "test_dist.XXXXXX");
    CHECK(mkdtemp(t->dir) != NULL);
    snprintf(t->scenario, sizeof t->scenario, "%s/s.yaml", t->dir);
    snprintf(name, sizeof name, "%s/%s", t->dir, data_name);
    fp = fopen(name, "w");
    CHECK(fp != NULL);
    fputs(text, fp);
    CHECK_EQ_INT(fclose(fp), 0);
}

static void tmp_remove(struct tmp *t, const char *data_name)
{
    char name[200];

    snprintf(name, sizeof name, "%s/%s", t->dir, data_name);
    unlink(name);
    rmdir(t->dir);
}

/*
 * The file sits beside the scenario, not in the current directory; it mixes
 * comments, blank lines, CRLF, tabs, values with units and plain numbers.
 */
static void test_dist__empirical_file_relative_to_scenario(void)
{
    struct tmp t;
    struct sim_cfg *cfg;
    struct sim_dist *d = NULL;
    gsl_rng *r = rng("file");
    char buf[80];
    int rc;

    tmp_make(&t, "lat.txt", "# service times\n\n1ms\n  2   # plain, in us\n"
             "3.5\r\n\t500ns\t\n");
    cfg = sim_cfg_new(t.scenario);
    rc = build_in(cfg, "{dist: empirical, file: lat.txt, unit: 1us}", &d);
    sim_cfg_free(cfg);
    tmp_remove(&t, "lat.txt");
    CHECK_EQ_INT(rc, 0);
    CHECK_NEAR(sim_dist_mean(d), (1e-3 + 2e-6 + 3.5e-6 + 0.5e-6) / 4, 1e-15);
    CHECK_EQ_STR(sim_dist_describe(d, buf, sizeof buf),
                 "empirical(4 values from \"lat.txt\")");
    for (int i = 0; i < 1000; i++) {
        sim_time x = sim_dist_sample(d, r);

        CHECK(x == SIM_MS || x == 2000 || x == 3500 || x == 500);
    }
    gsl_rng_free(r);
    sim_dist_free(d);
}

/* Bad lines are named file:line, and every one of them is reported. */
static void test_dist__error_bad_line_in_file(void)
{
    struct tmp t;
    char want[2][200];
    const char *wants[2] = {want[0], want[1]};

    tmp_make(&t, "lat.txt", "1ms\n# fine\nabc\n\n5\n");
    snprintf(want[0], sizeof want[0], PATH ".file: %s/lat.txt:3: \"abc\": "
             "not a number", t.dir);
    snprintf(want[1], sizeof want[1], PATH ".file: %s/lat.txt:5: \"5\": "
             "missing unit (write it as in \"250ms\")", t.dir);
    expect_in(t.scenario, "{dist: empirical, file: lat.txt}", wants, 2);
    tmp_remove(&t, "lat.txt");
}

/* A file path as messages show it: whole, or its last 40 characters. */
static const char *shown(char *buf, size_t n, const char *dir,
                         const char *file)
{
    char path[300];
    size_t len;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    len = strlen(path);
    snprintf(buf, n, "%s%s", len > 40 ? "..." : "",
             len > 40 ? path + len - 40 : path);
    return buf;
}

static void test_dist__error_unreadable_file(void)
{
    struct tmp t;
    char want[400], name[320];
    const char *wants[1] = {want};

    tmp_make(&t, "other.txt", "1ms\n");
    snprintf(want, sizeof want, PATH ".file: cannot read \"%s\": "
             "No such file or directory",
             shown(name, sizeof name, t.dir, "none.txt"));
    expect_in(t.scenario, "{dist: empirical, file: none.txt}", wants, 1);
    tmp_remove(&t, "other.txt");
}

static void test_dist__error_file_without_values(void)
{
    struct tmp t;
    char want[400], name[320];
    const char *wants[1] = {want};

    tmp_make(&t, "empty.txt", "# nothing yet\n\n");
    snprintf(want, sizeof want, PATH ".file: \"%s\" holds no values",
             shown(name, sizeof name, t.dir, "empty.txt"));
    expect_in(t.scenario, "{dist: empirical, file: empty.txt}", wants, 1);
    tmp_remove(&t, "empty.txt");
}

/* ---- validation messages --------------------------------------------- */

static void test_dist__error_unknown_kind_suggests_close_name(void)
{
    EXPECT("{dist: expo, mean: 1ms}",
           PATH ".dist: unknown distribution \"expo\"; did you mean "
           "\"exponential\"?");
    EXPECT("{dist: weibul, shape: 1, scale: 1ms}",
           PATH ".dist: unknown distribution \"weibul\"; did you mean "
           "\"weibull\"?");
    EXPECT("{dist: Log-Normal}",
           PATH ".dist: unknown distribution \"Log-Normal\"; did you mean "
           "\"lognormal\"?");
}

static void test_dist__error_unknown_kind_lists_kinds(void)
{
    EXPECT("{dist: zipf}",
           PATH ".dist: unknown distribution \"zipf\"; use one of: "
           "constant, uniform, exponential, normal, lognormal, gamma, "
           "weibull, pareto, erlang, hyperexponential, empirical, mixture");
}

static void test_dist__error_missing_kind(void)
{
    EXPECT("{mean: 1ms}", PATH ": missing key \"dist\"");
}

static void test_dist__error_key_not_used_by_kind(void)
{
    EXPECT("{dist: exponential, mean: 1ms, sd: 1ms}",
           PATH ".sd: not used by the exponential distribution");
    EXPECT("{dist: exponential, mean: 1ms, weight: 1}",
           PATH ".weight: only used in the components of a mixture");
}

static void test_dist__error_missing_parameter(void)
{
    EXPECT("{dist: uniform, min: 1ms}",
           PATH ": the uniform distribution needs \"max\"");
    EXPECT("{dist: erlang}",
           PATH ": the erlang distribution needs \"k\"",
           PATH ": the erlang distribution needs \"mean\"");
    EXPECT("{dist: exponential}",
           PATH ": the exponential distribution needs \"mean\" or \"rate\"");
    EXPECT("{dist: lognormal, median: 2ms}",
           PATH ": the lognormal distribution needs \"sigma\" or \"p99\"");
}

static void test_dist__error_conflicting_parameters(void)
{
    EXPECT("{dist: exponential, mean: 1ms, rate: 2k/s}",
           PATH ": the exponential distribution takes \"mean\" or \"rate\", "
           "not both");
    EXPECT("{dist: gamma, shape: 2, scale: 1ms, mean: 2ms}",
           PATH ": the gamma distribution takes \"scale\" or \"mean\", not "
           "both");
    EXPECT("{dist: lognormal, median: 2ms, sigma: 1, p99: 9ms}",
           PATH ": the lognormal distribution takes \"sigma\" or \"p99\", "
           "not both");
    EXPECT("{dist: lognormal, mu: 1, sigma: 1, unit: 1ms, p99: 9ms}",
           PATH ".p99: only used with \"median\"");
    EXPECT("{dist: lognormal, median: 2ms, sigma: 1, unit: 1ms}",
           PATH ".unit: only used with \"mu\"");
    EXPECT("{dist: hyperexponential, mean: 1ms, cv: 2, components: "
           "[{weight: 1, mean: 1ms}]}",
           PATH ": the hyperexponential distribution takes \"components\" "
           "or \"mean\" and \"cv\", not both");
}

/* mu and sigma are of ln(x / unit): no unit is taken for granted. */
static void test_dist__error_lognormal_mu_needs_a_unit(void)
{
    EXPECT("{dist: lognormal, mu: 0, sigma: 1}",
           PATH ": \"mu\" needs \"unit\": mu and sigma are of ln(x / unit), "
           "as in unit: 1ms");
}

static void test_dist__error_non_positive_values(void)
{
    EXPECT("{dist: exponential, mean: 0ms}",
           PATH ".mean: \"0ms\": must be greater than zero");
    EXPECT("{dist: normal, mean: -1ms, sd: 0s}",
           PATH ".mean: \"-1ms\": must not be negative",
           PATH ".sd: \"0s\": must be greater than zero");
    EXPECT("{dist: gamma, shape: -2, scale: 1ms}",
           PATH ".shape: \"-2\": must be greater than zero");
    EXPECT("{dist: exponential, rate: 0/s}",
           PATH ".rate: \"0/s\": must be greater than zero");
    EXPECT("{dist: erlang, k: 0, mean: 1ms}",
           PATH ".k: \"0\": must be at least 1");
    EXPECT("{dist: hyperexponential, mean: 1ms, cv: 0.5}",
           PATH ".cv: \"0.5\": must be at least 1 (for less variable times "
           "use gamma or erlang)");
}

static void test_dist__error_non_finite_and_fractional_numbers(void)
{
    EXPECT("{dist: gamma, shape: nan, scale: 1ms}",
           PATH ".shape: \"nan\": not a finite number");
    EXPECT("{dist: lognormal, mu: 1e400, sigma: 1, unit: 1s}",
           PATH ".mu: \"inf\": not a finite number");
    EXPECT("{dist: erlang, k: 2.5, mean: 1ms}",
           PATH ".k: \"2.5\": not a whole number");
}

static void test_dist__error_units_keep_parser_wording(void)
{
    EXPECT("{dist: exponential, mean: 5}",
           PATH ".mean: \"5\": missing unit (write it as in \"250ms\")");
    EXPECT("{dist: uniform, min: 1ms, max: 5 ms}",
           PATH ".max: \"5 ms\": unknown unit \" ms\" (write it as in "
           "\"250ms\")");
    EXPECT("{dist: exponential, rate: 2k}",
           PATH ".rate: \"2k\": missing period (write a rate as in \"500/s\" "
           "or \"2k/s\")");
}

/* Values that parse but cannot be meant: over 4 months, shapes over 1000. */
static void test_dist__error_absurd_values(void)
{
    EXPECT("{dist: exponential, mean: 5000h}",
           PATH ".mean: \"5000h\": too long (at most 10^7 s, about 4 "
           "months)");
    EXPECT("{dist: weibull, shape: 5000, scale: 1ms}",
           PATH ".shape: \"5000\": too large (at most 1000)");
    EXPECT("{dist: weibull, shape: 0.001, scale: 1ms}",
           PATH ".shape: \"0.001\": too small for the weibull distribution "
           "(at least 0.2; smaller shapes give samples of absurd size)");
    EXPECT("{dist: pareto, shape: 0.01, scale: 1ms}",
           PATH ".shape: \"0.01\": too small for the pareto distribution (at "
           "least 0.5; smaller shapes give samples of absurd size)");
    EXPECT("{dist: lognormal, median: 1ms, p99: 1000s}",
           PATH ".p99: \"1000s\": too far above the median \"1ms\" (sigma "
           "would be 5.94, at most 5: a p99 at most 112616 times the "
           "median)");
    EXPECT("{dist: lognormal, median: 1ms, sigma: 1001}",
           PATH ".sigma: \"1001\": too large (at most 5; wider spreads give "
           "samples of absurd size)");
    EXPECT("{dist: hyperexponential, mean: 1ms, cv: 2000}",
           PATH ".cv: \"2000\": too large (at most 1000)");
    EXPECT("{dist: lognormal, mu: 30, sigma: 1, unit: 1s}",
           PATH ".mu: \"30\": gives a median over 10^7 s, about 4 months");
    EXPECT("{dist: exponential, rate: 0.00000001/s}",
           PATH ".rate: \"0.00000001/s\": too low (the mean interval would "
           "be over 10^7 s, about 4 months)");
    EXPECT("{dist: exponential, rate: 2G/s}",
           PATH ".rate: \"2G/s\": too high (the mean interval would be "
           "below 1ns)");
}

static void test_dist__error_order_of_bounds(void)
{
    EXPECT("{dist: uniform, min: 5ms, max: 5ms}",
           PATH ".max: \"5ms\": must be greater than min \"5ms\"");
    EXPECT("{dist: lognormal, median: 5ms, p99: 2ms}",
           PATH ".p99: \"2ms\": must be greater than the median \"5ms\"");
}

static void test_dist__error_weights_must_sum_to_one(void)
{
    EXPECT("{dist: mixture, components: [{weight: 0.9, dist: constant, "
           "value: 1ms}, {weight: 0.05, dist: constant, value: 2ms}]}",
           PATH ".components: the weights sum to 0.95, not 1");
    EXPECT("{dist: hyperexponential, components: [{weight: 0.5, mean: 1ms}, "
           "{weight: 0.6, mean: 2ms}]}",
           PATH ".components: the weights sum to 1.1, not 1");
}

static void test_dist__error_inside_components(void)
{
    EXPECT("{dist: mixture, components: [{weight: 0.5, dist: exponential, "
           "mean: 1ms}, {dist: exponential, mean: 5}, {weight: -1, dist: "
           "constant, value: 1ms}]}",
           PATH ".components[1]: a mixture component needs \"weight\"",
           PATH ".components[1].mean: \"5\": missing unit (write it as in "
           "\"250ms\")",
           PATH ".components[2].weight: \"-1\": must be a finite number "
           "greater than zero");
    EXPECT("{dist: hyperexponential, components: [{weight: 1, mean: 1ms, "
           "dist: exponential, sd: 1ms}]}",
           PATH ".components[0].sd: not used in a hyperexponential "
           "component (it takes \"weight\" and \"mean\")",
           PATH ".components[0].dist: not used in a hyperexponential "
           "component (it takes \"weight\" and \"mean\")");
}

/*
 * A list given but empty is only possible from C: libcyaml loads "[]" as
 * absent, which the YAML cases below show, with a message that still fits.
 */
static void test_dist__error_empty_lists(void)
{
    static char *none[1];
    struct sim_dist_config c = {.dist = "empirical", .values = none};
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_dist *d = NULL;
    char line[200];

    CHECK_EQ_INT(sim_dist_build(cfg, PATH, &c, &d), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, line, sizeof line),
                 "s.yaml: " PATH ".values: the list is empty");
    sim_cfg_free(cfg);
    EXPECT("{dist: empirical, values: []}",
           PATH ": the empirical distribution needs \"values\" or \"file\"");
    EXPECT("{dist: mixture, components: []}",
           PATH ": the mixture distribution needs \"components\"");
}

static void test_dist__error_bad_list_values(void)
{
    EXPECT("{dist: empirical, values: [1ms, 2, -3ms, 3000h]}",
           PATH ".values[1]: \"2\": missing unit (write it as in \"250ms\")",
           PATH ".values[2]: \"-3ms\": must not be negative",
           PATH ".values[3]: \"3000h\": too long (at most 10^7 s, about 4 "
           "months)");
}

/* One mapping with several mistakes reports each of them. */
static void test_dist__error_every_problem_is_reported(void)
{
    EXPECT("{dist: normal, mean: 5, sd: -1ms, rate: 1/s, shape: 2}",
           PATH ".rate: not used by the normal distribution",
           PATH ".shape: not used by the normal distribution",
           PATH ".mean: \"5\": missing unit (write it as in \"250ms\")",
           PATH ".sd: \"-1ms\": must not be negative");
}

static void test_dist__error_null_config_is_missing_kind(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_dist *d = NULL;
    char line[200];

    CHECK_EQ_INT(sim_dist_build(cfg, PATH, NULL, &d), SIM_EINVAL);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, line, sizeof line),
                 "s.yaml: " PATH ": missing key \"dist\"");
    sim_cfg_free(cfg);
}

CHECK_MAIN(CHECK_TEST(test_dist__constant_returns_its_value_exactly),
           CHECK_TEST(test_dist__uniform_mean_matches_theory),
           CHECK_TEST(test_dist__exponential_mean_matches_theory),
           CHECK_TEST(test_dist__exponential_rate_is_one_over_mean),
           CHECK_TEST(test_dist__normal_truncated_moments),
           CHECK_TEST(test_dist__lognormal_median_p99_mean_matches_theory),
           CHECK_TEST(test_dist__lognormal_mu_sigma_unit_form),
           CHECK_TEST(test_dist__lognormal_median_sigma_form),
           CHECK_TEST(test_dist__gamma_scale_and_mean_forms),
           CHECK_TEST(test_dist__weibull_mean_matches_theory),
           CHECK_TEST(test_dist__pareto_mean_matches_theory),
           CHECK_TEST(test_dist__pareto_heavy_tail_has_infinite_moments),
           CHECK_TEST(test_dist__erlang_mean_is_of_the_whole),
           CHECK_TEST(test_dist__hyperexponential_components_mean),
           CHECK_TEST(test_dist__hyperexponential_fit_gives_requested_cv),
           CHECK_TEST(test_dist__hyperexponential_cv_one_is_exponential),
           CHECK_TEST(test_dist__empirical_values_mean),
           CHECK_TEST(test_dist__mixture_mean_matches_theory),
           CHECK_TEST(test_dist__exponential_passes_ks),
           CHECK_TEST(test_dist__lognormal_passes_ks),
           CHECK_TEST(test_dist__lognormal_p99_is_the_99th_percentile),
           CHECK_TEST(test_dist__weibull_passes_ks),
           CHECK_TEST(test_dist__mixture_weights_are_honoured),
           CHECK_TEST(test_dist__nested_mixture_weights_multiply),
           CHECK_TEST(test_dist__same_seed_gives_same_sequence),
           CHECK_TEST(test_dist__constructors_build_working_distributions),
           CHECK_TEST(test_dist__huge_samples_are_capped),
           CHECK_TEST(test_dist__cyaml_loads_nested_mixture),
           CHECK_TEST(test_dist__empirical_file_relative_to_scenario),
           CHECK_TEST(test_dist__error_bad_line_in_file),
           CHECK_TEST(test_dist__error_unreadable_file),
           CHECK_TEST(test_dist__error_file_without_values),
           CHECK_TEST(test_dist__error_unknown_kind_suggests_close_name),
           CHECK_TEST(test_dist__error_unknown_kind_lists_kinds),
           CHECK_TEST(test_dist__error_missing_kind),
           CHECK_TEST(test_dist__error_key_not_used_by_kind),
           CHECK_TEST(test_dist__error_missing_parameter),
           CHECK_TEST(test_dist__error_conflicting_parameters),
           CHECK_TEST(test_dist__error_lognormal_mu_needs_a_unit),
           CHECK_TEST(test_dist__error_non_positive_values),
           CHECK_TEST(test_dist__error_non_finite_and_fractional_numbers),
           CHECK_TEST(test_dist__error_units_keep_parser_wording),
           CHECK_TEST(test_dist__error_absurd_values),
           CHECK_TEST(test_dist__error_order_of_bounds),
           CHECK_TEST(test_dist__error_weights_must_sum_to_one),
           CHECK_TEST(test_dist__error_inside_components),
           CHECK_TEST(test_dist__error_empty_lists),
           CHECK_TEST(test_dist__error_bad_list_values),
           CHECK_TEST(test_dist__error_every_problem_is_reported),
           CHECK_TEST(test_dist__error_null_config_is_missing_kind))
