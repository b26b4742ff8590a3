/* SPDX-License-Identifier: MIT */
/*
 * test_sweepout.c - the data of a sweep's charts, on points made up here:
 * named values at evenly spaced positions with their names as tick
 * labels (one block per series of a grid), zipped points as one series
 * labelled by both values, and the knee looked for only when the offered
 * load alone is swept.
 */
#include "sim/sweepout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/check.h"
#include "tests/spawn.h"

#define N_ROWS 4

struct fixture {
    struct sim_sweepout s;
    struct sim_sweepout_param params[2];
    struct sim_sweepout_row rows[N_ROWS];
    struct sim_pointdir_figure figs[N_ROWS][2];
    const char *values[N_ROWS][2];
    double numbers[N_ROWS][2];
};

/* Four points whose p99 is 1, 2, 3, 4 ms, with given first values. */
static void fixture_init(struct fixture *f, const char *combine,
                         const char *const *first, const char *const *second)
{
    memset(f, 0, sizeof *f);
    for (size_t r = 0; r < N_ROWS; r++) {
        f->figs[r][0] = (struct sim_pointdir_figure){
            "client c", "throughput", "1/s", 100.0 * (double)(r + 1), 1.0};
        f->figs[r][1] = (struct sim_pointdir_figure){
            "client c", "response_time.p99", "s", 1e-3 * (double)(r + 1),
            1e-4};
        f->rows[r].point.figs = f->figs[r];
        f->rows[r].point.n_figs = 2;
        f->rows[r].point.n_reps = 2;
        f->values[r][0] = first[r];
        f->values[r][1] = second[r];
        f->numbers[r][0] = strtod(first[r], NULL);
        f->numbers[r][1] = strtod(second[r], NULL);
        f->rows[r].values = f->values[r];
        f->rows[r].numbers = f->numbers[r];
    }
    f->s.name = "made-up";
    f->s.combine = combine;
    f->s.params = f->params;
    f->s.n_params = 2;
    f->s.rows = f->rows;
    f->s.n_rows = N_ROWS;
}

/* Draws the charts of f into dir; the p99 chart's data. */
static char *p99_data(struct fixture *f, const char *dir)
{
    struct sim_error err = {0};
    char path[512];

    setenv("DISTSIM_PLOTS", "plots", 0);
    mkdir(dir, 0755);
    sim_sweepout_analyse(&f->s);
    CHECK_EQ_INT(sim_sweepout_charts(&f->s, dir, &err), 0);
    snprintf(path, sizeof path, "%s/charts/client-c-response-time-p99.tsv",
             dir);
    return spawn_read_file(path, NULL);
}

static void test_sweepout__named_values_chart_as_evenly_spaced_ticks(void)
{
    static const char *const policy[N_ROWS] = {
        "round_robin", "least_conn", "round_robin", "least_conn"};
    static const char *const workers[N_ROWS] = {"2", "2", "4", "4"};
    struct fixture f;
    char *data;

    fixture_init(&f, "grid", policy, workers);
    f.params[0] = (struct sim_sweepout_param){"lb.policy", "", false};
    f.params[1] = (struct sim_sweepout_param){"servers.s.workers", "", true};
    data = p99_data(&f, TEST_TMP "distsim-sweepout-named");
    CHECK(data != NULL);
    CHECK_EQ_STR(data,
                 "x\tworkers=2\thalf_width\tlabel\n"
                 "0\t0.001\t0.0001\tround_robin\n"
                 "1\t0.002\t0.0001\tleast_conn\n"
                 "\n\n"
                 "x\tworkers=4\thalf_width\tlabel\n"
                 "0\t0.0030000000000000001\t0.0001\tround_robin\n"
                 "1\t0.0040000000000000001\t0.0001\tleast_conn\n");
    CHECK(!f.s.is_load);
    free(data);
}

static void test_sweepout__zipped_points_are_one_series_named_by_both(void)
{
    static const char *const workers[N_ROWS] = {"2", "4", "8", "16"};
    static const char *const rate[N_ROWS] = {
        "1k/s", "2k/s", "4k/s", "8k/s"};
    struct fixture f;
    char *data;

    fixture_init(&f, "zip", workers, rate);
    f.params[0] = (struct sim_sweepout_param){"servers.s.workers", "", true};
    f.params[1] = (struct sim_sweepout_param){"clients.c.arrival.rate",
                                              "/s", true};
    data = p99_data(&f, TEST_TMP "distsim-sweepout-zip");
    CHECK(data != NULL);
    CHECK_EQ_STR(data,
                 "x\tmean, 95% interval\thalf_width\tlabel\n"
                 "0\t0.001\t0.0001\tworkers=2, rate=1k/s\n"
                 "1\t0.002\t0.0001\tworkers=4, rate=2k/s\n"
                 "2\t0.0030000000000000001\t0.0001\tworkers=8, rate=4k/s\n"
                 "3\t0.0040000000000000001\t0.0001\tworkers=16, rate=8k/s\n");
    /* The load varies with the workers: no knee, no curve. */
    CHECK(!f.s.is_load);
    CHECK(spawn_read_file(TEST_TMP "distsim-sweepout-zip/charts/"
                          "throughput-latency.tsv", NULL) == NULL);
    free(data);
}

static void test_sweepout__load_keys_are_client_rates_speeds_and_users(void)
{
    CHECK(sim_sweepout_is_load_key("clients.web.arrival.rate"));
    CHECK(sim_sweepout_is_load_key("clients[0].arrival.rate"));
    CHECK(sim_sweepout_is_load_key("clients.replay.arrival.speed"));
    CHECK(sim_sweepout_is_load_key("clients.users.users"));
    CHECK(!sim_sweepout_is_load_key("servers.app.workers"));
    CHECK(!sim_sweepout_is_load_key("clients.web.timeout"));
    CHECK(!sim_sweepout_is_load_key("faults[0].rate"));
}

CHECK_MAIN(
    CHECK_TEST(test_sweepout__named_values_chart_as_evenly_spaced_ticks),
    CHECK_TEST(test_sweepout__zipped_points_are_one_series_named_by_both),
    CHECK_TEST(test_sweepout__load_keys_are_client_rates_speeds_and_users))
