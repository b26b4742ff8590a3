/* SPDX-License-Identifier: MIT */
/*
 * test_capreport.c - the capacity report's blocks and the sweep report
 * built from them, on points made up here: figures in the run report's
 * units and digits, margins from the far end of the interval, the
 * question phrased for what is swept, the table cells of every
 * expectation, and zipped points named by both values.
 */
#include "sim/capreport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/sweepdoc.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define N_ROWS 3

/* A made-up sweep: one client's throughput and p99, one expectation. */
struct fixture {
    struct sim_sweepout s;
    struct sim_sweepout_param params[2];
    struct sim_sweepout_row rows[N_ROWS];
    struct sim_pointdir_figure figs[N_ROWS][2];
    struct sim_pointdir_expect expects[N_ROWS];
    const char *values[N_ROWS][2];
    double numbers[N_ROWS][2];
};

/* Point r: p99 mean_s ± hw_s against "p99 < 8ms", judged as given. */
static void fixture_point(struct fixture *f, size_t r, double mean_s,
                          double hw_s, enum sim_expect_status status)
{
    struct sim_pointdir *p = &f->rows[r].point;

    f->figs[r][0] = (struct sim_pointdir_figure){
        "client c", "throughput", "1/s", 2429.9, 19.0};
    f->figs[r][1] = (struct sim_pointdir_figure){
        "client c", "response_time.p99", "s", mean_s, hw_s};
    f->expects[r] = (struct sim_pointdir_expect){
        .text = "p99 < 8ms", .scope = "client c",
        .metric = "response_time.p99", .op = SIM_EXPECT_LT,
        .threshold = 0.008, .mean = mean_s, .half_width = hw_s,
        .status = status};
    p->figs = f->figs[r];
    p->n_figs = 2;
    p->expects = &f->expects[r];
    p->n_expects = 1;
    p->n_reps = 4;
    p->is_met = status == SIM_EXPECT_MET;
    f->rows[r].values = f->values[r];
    f->rows[r].numbers = f->numbers[r];
    snprintf(f->rows[r].dir, sizeof f->rows[r].dir, "points/%04zu", r);
}

/* A sweep of named policies, or (is_zip) of workers zipped with rates. */
static void fixture_init(struct fixture *f, bool is_zip)
{
    static const char *const policies[N_ROWS] = {
        "round_robin", "least_conn", "random"};
    static const char *const workers[N_ROWS] = {"2", "4", "8"};
    static const char *const rates[N_ROWS] = {"1k/s", "2k/s", "4k/s"};

    memset(f, 0, sizeof *f);
    fixture_point(f, 0, 0.0046597, 0.00014, SIM_EXPECT_MET);
    fixture_point(f, 1, 0.0093, 0.0004, SIM_EXPECT_MISSED);
    fixture_point(f, 2, 0.0079, 0.0003, SIM_EXPECT_UNSURE);
    for (size_t r = 0; r < N_ROWS; r++) {
        f->values[r][0] = is_zip ? workers[r] : policies[r];
        f->numbers[r][0] = is_zip ? (double)(2 << r) : NAN;
        f->values[r][1] = rates[r];
        f->numbers[r][1] = 1000.0 * (1 << r);
    }
    f->params[0] = is_zip
        ? (struct sim_sweepout_param){"servers.app.workers", "", true}
        : (struct sim_sweepout_param){"load_balancers.edge.policy", "",
                                      false};
    f->params[1] = (struct sim_sweepout_param){"clients.c.arrival.rate",
                                               "/s", true};
    f->s.name = "made-up";
    f->s.file = "made-up.yaml";
    f->s.combine = is_zip ? "zip" : "grid";
    f->s.params = f->params;
    f->s.n_params = is_zip ? 2 : 1;
    f->s.rows = f->rows;
    f->s.n_rows = N_ROWS;
    snprintf(f->s.chart_note, sizeof f->s.chart_note, "No charts here.");
    sim_sweepout_analyse(&f->s);
}

/* Writes the sweep report of f into a fresh directory; report.md. */
static char *write_report(struct fixture *f, const char *dir)
{
    struct sim_error err = {0};
    char path[512];

    mkdir(dir, 0755);
    CHECK_EQ_INT(sim_sweepdoc_write(&f->s, dir, &err), 0);
    snprintf(path, sizeof path, "%s/report.md", dir);
    return spawn_read_file(path, NULL);
}

static void test_capreport__figures_read_in_a_unit_with_the_intervals_digits(
    void)
{
    char buf[96];

    CHECK_EQ_STR(sim_capreport_figure("response_time.p99", "s", 0.0046597,
                                      0.00014, buf, sizeof buf),
                 "4.66 ± 0.14 ms");
    CHECK_EQ_STR(sim_capreport_figure("p_wait", "ratio", 0.29622, 0.0058,
                                      buf, sizeof buf), "29.62 ± 0.58 %");
    CHECK_EQ_STR(sim_capreport_figure("throughput", "1/s", 2429.9, 19.0,
                                      buf, sizeof buf), "2430 ± 19 /s");
    CHECK_EQ_STR(sim_capreport_figure("waiting_time.mean", "s", 2.272e-7,
                                      1.9e-7, buf, sizeof buf),
                 "227 ± 190 ns");
    CHECK_EQ_STR(sim_capreport_figure("utilisation", "ratio", NAN, 0.1, buf,
                                      sizeof buf), "n/a");
    CHECK_EQ_STR(sim_capreport_value("s", 0.008, buf, sizeof buf), "8 ms");
    CHECK_EQ_STR(sim_capreport_value("ratio", 0.5, buf, sizeof buf), "50 %");
    CHECK_EQ_STR(sim_capreport_value("s", 4.4571e-3, buf, sizeof buf),
                 "4.457 ms");
}

static void test_capreport__margin_is_from_the_far_end_of_the_interval(void)
{
    struct sim_pointdir_expect lt = {
        .op = SIM_EXPECT_LT, .threshold = 0.008, .mean = 0.005,
        .half_width = 0.001};
    struct sim_pointdir_expect ge = {
        .op = SIM_EXPECT_GE, .threshold = 0.99, .mean = 0.995,
        .half_width = 0.002};

    CHECK_NEAR(sim_capreport_margin(&lt), 0.002, 1e-12);
    CHECK_NEAR(sim_capreport_margin_ratio(&lt), 0.25, 1e-12);
    CHECK_NEAR(sim_capreport_margin(&ge), 0.003, 1e-12);
    lt.half_width = NAN;
    CHECK_NEAR(sim_capreport_margin(&lt), 0.003, 1e-12);
    lt.threshold = 0;
    CHECK(isnan(sim_capreport_margin_ratio(&lt)));
}

static void test_capreport__named_values_get_their_question_and_cells(void)
{
    struct fixture f;
    char *md;

    fixture_init(&f, false);
    md = write_report(&f, TEST_TMP "distsim-capreport-named");
    CHECK(md != NULL);
    CHECK(strstr(md, "load\\_balancers.edge.policy swept over round\\_robin, "
                 "least\\_conn, random: which of these meet every "
                 "expectation") != NULL);
    CHECK(strstr(md, "how much load") == NULL);
    CHECK(strstr(md, "| 0 | round\\_robin | 2430 ± 19 /s | 4.66 ± 0.14 ms "
                 "(met) | met |") != NULL);
    CHECK(strstr(md, "| 1 | least\\_conn | 2430 ± 19 /s | 9.30 ± 0.40 ms "
                 "(missed) | missed |") != NULL);
    CHECK(strstr(md, "At policy=least\\_conn, \"p99 \\< 8ms\" at client c is "
                 "missed (9.30 ± 0.40 ms).") != NULL);
    /* 8 ms - (4.6597 + 0.14) ms = 3.2003 ms, 40.0% of the threshold. */
    CHECK(strstr(md, "| policy=round\\_robin | p99 \\< 8ms | client c | "
                 "4.66 ± 0.14 ms | \\< 8 ms | 3.2 ms | 40.0% |") != NULL);
    CHECK(strstr(md, "There is no throughput-latency chart") != NULL);
    free(md);
}

/* A margin under 1% of the threshold keeps two digits, not "0.0%". */
static void test_capreport__a_thin_margin_shows(void)
{
    struct fixture f;
    char *md;

    fixture_init(&f, false);
    /* 8 ms - (7.9986 + 0.0002) ms = 0.0012 ms, 0.015% of the threshold. */
    fixture_point(&f, 0, 0.0079986, 0.0000002, SIM_EXPECT_MET);
    sim_sweepout_analyse(&f.s);
    md = write_report(&f, TEST_TMP "distsim-capreport-thin");
    CHECK(md != NULL && strstr(md, "| 0.015% |") != NULL);
    free(md);
}

static void test_capreport__zipped_points_are_named_by_both_values(void)
{
    struct fixture f;
    char *md;

    fixture_init(&f, true);
    md = write_report(&f, TEST_TMP "distsim-capreport-zip");
    CHECK(md != NULL);
    CHECK(strstr(md, "servers.app.workers and clients.c.arrival.rate swept "
                 "together (zipped") != NULL);
    CHECK(strstr(md, "1 of 3 points meet every expectation (a point meets "
                 "one only when the whole 95% interval of its figure "
                 "does): workers=2, rate=1k/s.") != NULL);
    CHECK(strstr(md, "At workers=8, rate=4k/s, \"p99 \\< 8ms\" at client c "
                 "is unsure (7.90 ± 0.30 ms).") != NULL);
    CHECK(strstr(md, "| point | workers | rate | throughput | p99 \\< 8ms | "
                 "verdict |") != NULL);
    free(md);
}

static void test_capreport__a_load_sweep_asks_how_much_load(void)
{
    struct fixture f;
    char *md;

    fixture_init(&f, true);
    f.params[0] = f.params[1];
    f.s.n_params = 1;
    for (size_t r = 0; r < N_ROWS; r++) {
        f.values[r][0] = f.values[r][1];
        f.numbers[r][0] = f.numbers[r][1];
    }
    sim_sweepout_analyse(&f.s);
    CHECK(f.s.is_load);
    md = write_report(&f, TEST_TMP "distsim-capreport-load");
    CHECK(md != NULL);
    CHECK(strstr(md, "the offered load, swept over 1k/s, 2k/s, 4k/s (3 "
                 "points): how much load does the design carry") != NULL);
    CHECK(strstr(md, "The most load swept that meets every expectation is "
                 "rate=1k/s. At rate=2k/s,") != NULL);
    CHECK(strstr(md, "Margins at rate=1k/s, the most load swept") != NULL);
    free(md);
}

/* The fixture as a load sweep, its p99 at the three loads as given. */
static char *load_sweep_report(struct fixture *f, const double *p99,
                               const char *dir)
{
    fixture_init(f, true);
    f->params[0] = f->params[1];
    f->s.n_params = 1;
    for (size_t r = 0; r < N_ROWS; r++) {
        f->values[r][0] = f->values[r][1];
        f->numbers[r][0] = f->numbers[r][1];
        fixture_point(f, r, p99[r], 0.0001,
                      p99[r] < 0.008 ? SIM_EXPECT_MET : SIM_EXPECT_MISSED);
        f->figs[r][0].mean = 1000.0 * (double)(1 << r);
    }
    sim_sweepout_analyse(&f->s);
    return write_report(f, dir);
}

/*
 * The SLO sentence says where the mean latency passes the threshold, or
 * that it never does: above it at every load is not "below it".
 */
static void test_capreport__slo_sentence_follows_the_curve(void)
{
    static const double below[N_ROWS] = {0.002, 0.003, 0.004};
    static const double above[N_ROWS] = {0.009, 0.010, 0.020};
    static const double crossing[N_ROWS] = {0.004, 0.006, 0.010};
    struct fixture f;
    char *md;

    md = load_sweep_report(&f, below, TEST_TMP "distsim-capreport-below");
    CHECK(md != NULL && strstr(md, "stays below the SLO") != NULL);
    free(md);
    md = load_sweep_report(&f, above, TEST_TMP "distsim-capreport-above");
    CHECK(md != NULL && strstr(md, "is above the SLO (response\\_time.p99 "
                               "\\< 8 ms at client c) at every throughput "
                               "swept") != NULL);
    CHECK(strstr(md, "stays below") == NULL);
    free(md);
    md = load_sweep_report(&f, crossing, TEST_TMP "distsim-capreport-cross");
    /* 6 ms at 2000/s, 10 ms at 4000/s: 8 ms is half way, at 3000/s. */
    CHECK(md != NULL && strstr(md, "breaks at about 3000/s of throughput")
                            != NULL);
    free(md);
}

CHECK_MAIN(
    CHECK_TEST(
        test_capreport__figures_read_in_a_unit_with_the_intervals_digits),
    CHECK_TEST(test_capreport__margin_is_from_the_far_end_of_the_interval),
    CHECK_TEST(test_capreport__named_values_get_their_question_and_cells),
    CHECK_TEST(test_capreport__a_thin_margin_shows),
    CHECK_TEST(test_capreport__zipped_points_are_named_by_both_values),
    CHECK_TEST(test_capreport__a_load_sweep_asks_how_much_load),
    CHECK_TEST(test_capreport__slo_sentence_follows_the_curve))
