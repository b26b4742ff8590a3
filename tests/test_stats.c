/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - tallies, histograms, time-weighted averages and
 * confidence intervals: exact where exactness is promised, within the
 * stated bound where it is not.
 */
#include "sim/stats.h"

#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "sim/rng.h"
#include "tests/check.h"

static void test_stats__tally_matches_two_pass(void)
{
    static const double x[] = {3.5, -1.0, 7.25, 0.0, 2.0, 1e-3};
    struct sim_tally t;
    double mean = 0, ss = 0;
    size_t n = sizeof x / sizeof x[0];

    sim_tally_init(&t);
    for (size_t i = 0; i < n; i++) {
        sim_tally_add(&t, x[i]);
        mean += x[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    CHECK_EQ_INT(t.n, n);
    CHECK_NEAR(t.mean, mean, 1e-12);
    CHECK_NEAR(sim_tally_var(&t), ss / (double)(n - 1), 1e-12);
    CHECK_NEAR(t.min, -1.0, 0);
    CHECK_NEAR(t.max, 7.25, 0);
}

static void test_stats__tally_merge_equals_one_tally(void)
{
    struct sim_tally all, a, b;

    sim_tally_init(&all);
    sim_tally_init(&a);
    sim_tally_init(&b);
    for (int i = 0; i < 1000; i++) {
        double x = (double)((i * 7919) % 1000) / 10.0;

        sim_tally_add(&all, x);
        sim_tally_add(i % 3 ? &a : &b, x);
    }
    sim_tally_merge(&a, &b);
    CHECK_EQ_INT(a.n, all.n);
    CHECK_NEAR(a.mean, all.mean, 1e-9);
    CHECK_NEAR(sim_tally_var(&a), sim_tally_var(&all), 1e-6);
    CHECK_NEAR(a.min, all.min, 0);
    CHECK_NEAR(a.max, all.max, 0);
}

static void test_stats__histogram_of_one_sample_reports_it_everywhere(void)
{
    static const double ps[] = {0, 0.001, 0.5, 0.9, 0.99, 0.999, 1};
    struct sim_hist *h = sim_hist_new();

    sim_hist_add(h, 0.0123456);
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        CHECK_NEAR(sim_hist_quantile(h, ps[i]), 0.0123456, 0);
    sim_hist_free(h);
}

static void test_stats__histogram_of_nothing_is_nan(void)
{
    struct sim_hist *h = sim_hist_new();

    CHECK(isnan(sim_hist_quantile(h, 0.5)));
    CHECK_EQ_INT(sim_hist_count(h), 0);
    sim_hist_free(h);
}

/*
 * Percentiles of 10^5 lognormal samples are within 1% of the exact sample
 * percentiles (the design bound is 1/128 = 0.78%), and never decrease.
 */
static void test_stats__histogram_percentiles_within_one_percent(void)
{
    enum { N = 100000 };
    gsl_rng *r = sim_rng_new(7, 0, "hist");
    struct sim_hist *h = sim_hist_new();
    double *x = malloc(N * sizeof *x), prev = 0;

    for (int i = 0; i < N; i++) {
        x[i] = gsl_ran_lognormal(r, -6.0, 1.5);
        sim_hist_add(h, x[i]);
    }
    gsl_sort(x, 1, N);
    for (int k = 1; k <= 1000; k++) {
        double p = k / 1000.0, est = sim_hist_quantile(h, p);
        size_t rank = (size_t)ceil(p * N);
        double exact = x[(rank < 1 ? 1 : rank) - 1];

        CHECK(fabs(est - exact) <= 0.01 * exact);
        CHECK(est >= prev);
        prev = est;
    }
    CHECK_NEAR(sim_hist_quantile(h, 0), x[0], 0);
    CHECK_NEAR(sim_hist_quantile(h, 1), x[N - 1], 0);
    free(x);
    sim_hist_free(h);
    gsl_rng_free(r);
}

static void test_stats__histogram_counts_zero_apart(void)
{
    struct sim_hist *h = sim_hist_new();

    for (int i = 0; i < 90; i++)
        sim_hist_add(h, 0.0);
    for (int i = 0; i < 10; i++)
        sim_hist_add(h, 2.0);
    CHECK_NEAR(sim_hist_quantile(h, 0.9), 0.0, 0);
    CHECK_NEAR(sim_hist_quantile(h, 0.91), 2.0, 0);
    CHECK_NEAR(sim_hist_cdf(h, 1.0), 0.9, 1e-12);
    sim_hist_free(h);
}

static void test_stats__histogram_merge_and_reset(void)
{
    struct sim_hist *a = sim_hist_new(), *b = sim_hist_new();

    for (int i = 1; i <= 100; i++)
        sim_hist_add(i % 2 ? a : b, (double)i);
    CHECK_EQ_INT(sim_hist_merge(a, b), 0);
    CHECK_EQ_INT(sim_hist_count(a), 100);
    CHECK_NEAR(sim_hist_min(a), 1, 0);
    CHECK_NEAR(sim_hist_max(a), 100, 0);
    CHECK_NEAR(sim_hist_quantile(a, 0.5), 50, 0.5);
    sim_hist_reset(a);
    CHECK_EQ_INT(sim_hist_count(a), 0);
    sim_hist_add(a, 3.0);
    CHECK_NEAR(sim_hist_quantile(a, 0.5), 3.0, 0);
    sim_hist_free(a);
    sim_hist_free(b);
}

static void test_stats__time_weighted_average(void)
{
    struct sim_twa w;

    sim_twa_init(&w, 0, 0);
    sim_twa_set(&w, 10, 2);             /* 0 for 10 ns */
    sim_twa_set(&w, 30, 1);             /* 2 for 20 ns */
    CHECK_NEAR(sim_twa_mean(&w, 40), (0 * 10 + 2 * 20 + 1 * 10) / 40.0,
               1e-12);
    sim_twa_reset(&w, 40);
    CHECK_NEAR(sim_twa_mean(&w, 40), 1.0, 0);
    CHECK_NEAR(sim_twa_mean(&w, 50), 1.0, 0);
}

static void test_stats__ci_uses_student_t(void)
{
    static const double x[] = {10, 12, 11, 9, 13};
    struct sim_ci ci;

    CHECK_EQ_INT(sim_ci_compute(x, 5, 0.95, &ci), 0);
    CHECK_EQ_INT(ci.n, 5);
    CHECK_NEAR(ci.mean, 11, 1e-12);
    CHECK_NEAR(ci.sd, sqrt(2.5), 1e-12);
    /* t(0.975, 4) = 2.776445. */
    CHECK_NEAR(ci.half_width, 2.776445 * sqrt(2.5) / sqrt(5), 1e-5);
    CHECK_EQ_INT(sim_ci_compute(x, 1, 0.95, &ci), 0);
    CHECK(isnan(ci.half_width));
    CHECK(sim_ci_compute(x, 5, 1.0, &ci) != 0);
}

/* Without a value the mean and sd are undefined, not 0 (metrics.tsv). */
static void test_stats__ci_of_nothing_is_nan(void)
{
    static const double x[] = {NAN, NAN};
    struct sim_ci ci;

    CHECK_EQ_INT(sim_ci_compute(x, 2, 0.95, &ci), 0);
    CHECK_EQ_INT(ci.n, 0);
    CHECK(isnan(ci.mean));
    CHECK(isnan(ci.sd));
    CHECK(isnan(ci.half_width));
}

CHECK_MAIN(CHECK_TEST(test_stats__tally_matches_two_pass),
           CHECK_TEST(test_stats__tally_merge_equals_one_tally),
           CHECK_TEST(test_stats__histogram_of_one_sample_reports_it_everywhere),
           CHECK_TEST(test_stats__histogram_of_nothing_is_nan),
           CHECK_TEST(test_stats__histogram_percentiles_within_one_percent),
           CHECK_TEST(test_stats__histogram_counts_zero_apart),
           CHECK_TEST(test_stats__histogram_merge_and_reset),
           CHECK_TEST(test_stats__time_weighted_average),
           CHECK_TEST(test_stats__ci_uses_student_t),
           CHECK_TEST(test_stats__ci_of_nothing_is_nan))
