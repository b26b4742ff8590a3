/* SPDX-License-Identifier: MIT */
/*
 * test_keys.c - key popularity: the Zipf sampler against its exact
 * probabilities (chi-square at the 0.1% level), hot-spot shares, and the
 * problems a bad popularity reports.
 */
#include "models/keys.h"

#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "sim/rng.h"
#include "tests/check.h"

/*
 * Draws n keys and returns the chi-square statistic against keys_pmf;
 * bins with expected counts below 5 are pooled into one.
 */
static double chi_square(const struct keys *k, uint64_t n, double *df)
{
    gsl_rng *r = sim_rng_new(99, 0, "keys");
    uint64_t *count = calloc(k->count, sizeof *count);
    double stat = 0, pooled_obs = 0, pooled_exp = 0;
    int bins = 0;

    for (uint64_t i = 0; i < n; i++)
        count[keys_sample(k, r)]++;
    for (uint64_t i = 0; i < k->count; i++) {
        double e = (double)n * keys_pmf(k, i);

        if (e < 5) {
            pooled_obs += (double)count[i];
            pooled_exp += e;
            continue;
        }
        stat += ((double)count[i] - e) * ((double)count[i] - e) / e;
        bins++;
    }
    if (pooled_exp > 0) {
        stat += (pooled_obs - pooled_exp) * (pooled_obs - pooled_exp) /
                pooled_exp;
        bins++;
    }
    *df = bins - 1;
    free(count);
    gsl_rng_free(r);
    return stat;
}

static void check_zipf(double s, unsigned long long count)
{
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    struct keys_config c = {.dist = KEYS_ZIPF, .count = &count, .s = &s};
    struct keys k;
    double df, stat;

    CHECK_EQ_INT(keys_build(cfg, "keys", &c, &k), 0);
    stat = chi_square(&k, 1000000, &df);
    CHECK(stat < gsl_cdf_chisq_Qinv(0.001, df));
    sim_cfg_free(cfg);
}

static void test_keys__zipf_matches_its_probabilities(void)
{
    check_zipf(0.8, 1000);
    check_zipf(0.99, 10000);
    check_zipf(1.0, 100);
    check_zipf(2.0, 50);
    check_zipf(0.0, 20);
}

static void test_keys__hotspot_gives_the_hot_share(void)
{
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    unsigned long long count = 1000;
    double frac = 0.1, p = 0.9, df;
    struct keys_config c = {.dist = KEYS_HOTSPOT, .count = &count,
                            .hot_fraction = &frac, .hot_probability = &p};
    struct keys k;

    CHECK_EQ_INT(keys_build(cfg, "keys", &c, &k), 0);
    CHECK_EQ_INT(k.n_hot, 100);
    CHECK_NEAR(keys_pmf(&k, 0), 0.009, 1e-15);
    CHECK_NEAR(keys_pmf(&k, 500), 0.1 / 900, 1e-15);
    CHECK(chi_square(&k, 1000000, &df) < gsl_cdf_chisq_Qinv(0.001, df));
    sim_cfg_free(cfg);
}

static void test_keys__bad_popularity_is_reported(void)
{
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    unsigned long long zero = 0, count = 10;
    double s = -1, frac = 1.5;
    struct keys_config bad_count = {.dist = KEYS_ZIPF, .count = &zero};
    struct keys_config bad_s = {.dist = KEYS_ZIPF, .count = &count, .s = &s};
    struct keys_config stray = {.dist = KEYS_UNIFORM, .hot_fraction = &frac};
    struct keys k;
    char line[256];

    CHECK(keys_build(cfg, "c.keys", &bad_count, &k) != 0);
    CHECK(keys_build(cfg, "c.keys", &bad_s, &k) != 0);
    CHECK(keys_build(cfg, "c.keys", &stray, &k) != 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 3);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, line, sizeof line),
                 "t.yaml: c.keys.count: must be between 1 and 10^12");
    CHECK_EQ_STR(sim_cfg_format(cfg, 1, line, sizeof line),
                 "t.yaml: c.keys.s: -1 is outside [0, 10]");
    CHECK_EQ_STR(sim_cfg_format(cfg, 2, line, sizeof line),
                 "t.yaml: c.keys.hot_fraction: not used by uniform "
                 "popularity");
    sim_cfg_free(cfg);
}

CHECK_MAIN(CHECK_TEST(test_keys__zipf_matches_its_probabilities),
           CHECK_TEST(test_keys__hotspot_gives_the_hot_share),
           CHECK_TEST(test_keys__bad_popularity_is_reported))
