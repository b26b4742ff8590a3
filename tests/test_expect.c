/* SPDX-License-Identifier: MIT */
/*
 * test_expect.c - expectations: parsing the forms people write, judging a
 * figure by its whole interval (met, missed, unsure), unscoped
 * expectations looking at clients, and the exit code of a run.
 */
#include "sim/expect.h"

#include <math.h>
#include <stdlib.h>

#include "sim/outdir.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/spawn.h"

static void test_expect__parses_aliases_scopes_and_units(void)
{
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    struct sim_expect e;

    CHECK_EQ_INT(sim_expect_parse(cfg, "expect[0]", "p99 < 80ms", &e), 0);
    CHECK_EQ_STR(e.metric, "response_time.p99");
    CHECK(e.scope == NULL);
    CHECK_EQ_INT(e.op, SIM_EXPECT_LT);
    CHECK_NEAR(e.threshold, 0.080, 1e-15);
    CHECK_EQ_STR(e.unit, "s");
    sim_expect_release(&e);
    CHECK_EQ_INT(sim_expect_parse(cfg, "expect[1]", "server db utilisation "
                                  ">= 99.5%", &e), 0);
    CHECK_EQ_STR(e.scope, "server db");
    CHECK_EQ_STR(e.metric, "utilisation");
    CHECK_NEAR(e.threshold, 0.995, 1e-15);
    CHECK_EQ_STR(e.unit, "ratio");
    sim_expect_release(&e);
    CHECK_EQ_INT(sim_expect_parse(cfg, "expect[2]", "throughput > 12k/s",
                                  &e), 0);
    CHECK_NEAR(e.threshold, 12000, 0);
    sim_expect_release(&e);
    CHECK(sim_expect_parse(cfg, "expect[3]", "p99 80ms", &e) != 0);
    CHECK(sim_expect_parse(cfg, "expect[4]", "p99 < 80xs", &e) != 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 2);
    sim_cfg_free(cfg);
}

/* A summary with one figure per scope, mean and half-width given. */
static struct sim_summary_row row(const char *scope, double mean, double hw)
{
    struct sim_summary_row r = {
        .scope = scope, .name = "response_time.p99", .unit = "s",
        .ci = {.n = 5, .mean = mean, .half_width = hw},
    };

    return r;
}

static void test_expect__judges_by_the_whole_interval(void)
{
    struct sim_summary_row rows[] = {
        row("client a", 0.070, 0.005),  /* 65..75 < 80: met */
        row("client b", 0.090, 0.005),  /* 85..95: missed */
        row("client c", 0.078, 0.005),  /* 73..83: unsure */
        row("server s", 0.500, 0.0),    /* not a client: not judged */
    };
    struct sim_summary s = {.rows = rows, .n_rows = 4, .n_reps = 5};
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    struct sim_expect_result *res = NULL;
    struct sim_expect e;
    size_t n = 0;

    CHECK_EQ_INT(sim_expect_parse(cfg, "expect[0]", "p99 < 80ms", &e), 0);
    CHECK_EQ_INT(sim_expect_eval(&e, &s, &res, &n), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(res[0].status, SIM_EXPECT_MET);
    CHECK_EQ_INT(res[1].status, SIM_EXPECT_MISSED);
    CHECK_EQ_INT(res[2].status, SIM_EXPECT_UNSURE);
    CHECK_EQ_STR(sim_expect_status_name(res[2].status), "unsure");
    free(res);
    sim_expect_release(&e);
    sim_cfg_free(cfg);
}

/* The figures a small scenario reports, as the loader sees them. */
static void names_init(struct sim_report *names)
{
    sim_report_init(names);
    sim_report_add(names, "client c", "availability", "ratio", NAN);
    sim_report_add(names, "client c", "stale_read_rate", "ratio", NAN);
    sim_report_add(names, "client c", "rejected", "count", 0);
    sim_report_add(names, "server s", "utilisation", "ratio", 0);
    sim_report_absent(names, "client c", "stale_read_rate", "no database");
}

/* Parses text and checks it against names; returns the first problem. */
static const char *check_one(const char *text, const struct sim_report *names,
                             bool is_partial, char *buf, size_t n)
{
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    struct sim_expect e;

    CHECK_EQ_INT(sim_expect_parse(cfg, "expect[0]", text, &e), 0);
    sim_expect_check(cfg, &e, names, is_partial);
    sim_cfg_format(cfg, 0, buf, n);
    sim_expect_release(&e);
    sim_cfg_free(cfg);
    return buf;
}

static void test_expect__never_or_always_met_is_refused(void)
{
    struct sim_report names;
    char buf[512];

    names_init(&names);
    CHECK_EQ_STR(check_one("availability >= 150%", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: \"availability >= 150%\" is never "
                 "met: \"availability\" lies between 0% and 100%");
    CHECK_EQ_STR(check_one("server s utilisation >= 0%", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: \"server s utilisation >= 0%\" is "
                 "always met: \"utilisation\" lies between 0% and 100%");
    CHECK_EQ_STR(check_one("client c rejected < 0", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: \"client c rejected < 0\" is never "
                 "met: \"rejected\" is never negative");
    CHECK_EQ_STR(check_one("availability > 0%", &names, false, buf,
                           sizeof buf), "");
    sim_report_release(&names);
}

static void test_expect__a_figure_without_a_value_is_refused(void)
{
    struct sim_report names;
    char buf[512];

    names_init(&names);
    CHECK_EQ_STR(check_one("stale_reads < 2%", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: \"stale_read_rate\" can have no "
                 "value here: no database");
    /* Some components missing: the figure may well come from them. */
    CHECK_EQ_STR(check_one("stale_reads < 2%", &names, true, buf,
                           sizeof buf), "");
    CHECK_EQ_STR(check_one("p99 < 2ms", &names, true, buf, sizeof buf), "");
    sim_report_release(&names);
}

static void test_expect__a_figure_of_another_kind_names_who_reports_it(void)
{
    struct sim_report names;
    char buf[512];

    names_init(&names);
    sim_report_add(&names, "client d", "availability", "ratio", NAN);
    CHECK_EQ_STR(check_one("server s availability > 50%", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: \"server s\" has no figure "
                 "\"availability\"; client c and client d report it");
    CHECK_EQ_STR(check_one("server s utilisaton < 50%", &names, false, buf,
                           sizeof buf),
                 "t.yaml: expect[0]: no figure \"utilisaton\"; did you "
                 "mean \"utilisation\"?");
    sim_report_release(&names);
}

/* Constant service and evenly spaced arrivals: every response is 1ms. */
static void test_expect__run_exits_1_when_one_is_not_met(void)
{
    static const char *const head =
        "name: t\nduration: 2s\nreplications: 2\nclients:\n  - name: c\n"
        "    arrival: {process: fixed, rate: 100/s}\n    target: s\n"
        "servers:\n  - name: s\n    service: {dist: constant, value: 1ms}\n";
    const char *path = "tests/scenarios/.test_expect.yaml";
    struct spawn_out o;
    FILE *f;

    f = fopen(path, "w");
    fprintf(f, "%sexpect: [p99 < 2ms, availability >= 99%%]\n", head);
    fclose(f);
    spawn_distsim((const char *[]){"run", path, "-q", "--force", "-o",
                                   TEST_TMP "distsim-expect", NULL}, &o);
    CHECK_EQ_INT(o.status, 0);
    spawn_release(&o);
    f = fopen(path, "w");
    fprintf(f, "%sexpect: [p99 < 2ms, p99 < 500us]\n", head);
    fclose(f);
    spawn_distsim((const char *[]){"run", path, "--force", "-o",
                                   TEST_TMP "distsim-expect", NULL}, &o);
    CHECK_EQ_INT(o.status, 1);
    CHECK(strstr(o.out, "missed  p99 < 500us  (client c: 1 ms ± 0)") !=
          NULL);
    spawn_release(&o);
    remove(path);
    sim_outdir_remove_tree(TEST_TMP "distsim-expect");
}

CHECK_MAIN(CHECK_TEST(test_expect__parses_aliases_scopes_and_units),
           CHECK_TEST(test_expect__judges_by_the_whole_interval),
           CHECK_TEST(test_expect__never_or_always_met_is_refused),
           CHECK_TEST(test_expect__a_figure_without_a_value_is_refused),
           CHECK_TEST(
               test_expect__a_figure_of_another_kind_names_who_reports_it),
           CHECK_TEST(test_expect__run_exits_1_when_one_is_not_met))
