/* SPDX-License-Identifier: MIT */
/*
 * test_plan.c - distsim plan through the program: its answers against the
 * exact ones of sim/analytic (Erlang C, Erlang B, exact MVA), the verdict
 * of an unsure point at the cap, both ends of a range, bad input with its
 * exact messages, and the same bytes for one and two workers.
 */
#include "sim/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/analytic.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define ERLANG_C "tests/scenarios/plan-erlang-c.yaml"
#define ERLANG_B "tests/scenarios/plan-erlang-b.yaml"
#define MVA "tests/scenarios/plan-mva.yaml"

/* Runs distsim with args; checks its exit code and returns its stdout. */
static char *run_plan(const char *const *args, int want_status)
{
    struct spawn_out o;
    char *out;

    spawn_distsim(args, &o);
    if (o.status != want_status)
        printf("  stderr: %s\n", o.err);
    CHECK_EQ_INT(o.status, want_status);
    out = o.out;
    free(o.err);
    return out;
}

/* The plan's summary.json in dir, parsed. */
static json_t *load_summary(const char *dir)
{
    char path[256];
    json_error_t jerr;
    json_t *root;

    snprintf(path, sizeof path, "%s/summary.json", dir);
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        printf("  %s: %s\n", path, jerr.text);
    CHECK(root != NULL);
    return root;
}

static const char *text_at(const json_t *root, const char *a, const char *b)
{
    const char *s = json_string_value(json_object_get(
        json_object_get(root, a), b));

    return s != NULL ? s : "(absent)";
}

/*
 * Checks that the deciding figure, at the answer and at its failing
 * neighbour, lies at least min_hw half-widths of its interval from the
 * threshold: the premise that makes the simulated answer the exact one.
 */
static void check_separated(const json_t *root, double min_hw)
{
    const json_t *d = json_object_get(root, "deciding");
    double threshold = json_number_value(json_object_get(d, "threshold"));
    const char *const at[] = {"at_answer", "at_neighbour"};

    for (size_t i = 0; i < 2; i++) {
        const json_t *x = json_object_get(d, at[i]);
        double mean = json_number_value(json_object_get(x, "mean"));
        double hw = json_number_value(json_object_get(x,
                                                      "ci95_half_width"));

        printf("  %s: %.6g +- %.2g, %.1f half-widths from %.6g\n", at[i],
               mean, hw, fabs(mean - threshold) / hw, threshold);
        CHECK(hw > 0 && fabs(mean - threshold) >= min_hw * hw);
    }
}

/* Checks the plan's answer and neighbour against the exact answer. */
static void check_answer(const json_t *root, long exact, long neighbour)
{
    char want[32], want_nb[32];

    snprintf(want, sizeof want, "%ld", exact);
    snprintf(want_nb, sizeof want_nb, "%ld", neighbour);
    CHECK_EQ_STR(json_string_value(json_object_get(root, "outcome")),
                 "found");
    CHECK_EQ_STR(text_at(root, "answer", "value"), want);
    CHECK_EQ_STR(text_at(root, "failing_neighbour", "value"), want_nb);
    CHECK_EQ_STR(text_at(root, "analytic", "answer"), want);
}

/*
 * M/M/c at 4 erlangs: the fewest servers with P(wait) < 0.2 is 7
 * (C(7, 4) = 0.135, C(6, 4) = 0.285, both 0.065 or more from 0.2). Each
 * replication sees 72 000 arrivals, so p_wait varies between replications
 * by about 0.006; the interval over 5 replications (t = 2.78) is about
 * 0.008 wide on each side, so both values lie about 9 half-widths from the
 * threshold (measured: 9.2 and 9.9). The interval would straddle 0.2 only
 * if the mean were off by 8 half-widths, which it is not, with any seed,
 * except with negligible probability. The test asserts 3. With -q, the
 * plan prints only its answer.
 */
static void test_plan__fewest_servers_for_p_wait_is_erlang_cs(void)
{
    const char *args[] = {"plan", ERLANG_C, "--param", "servers.s.workers",
                          "--from", "1", "--to", "16", "-q", "--force",
                          "--charts", "none", "-o", TEST_TMP "distsim-plan-c",
                          NULL};
    long exact = 0;
    json_t *root;
    char *out;

    for (unsigned c = 1; c <= 16 && exact == 0; c++)
        if (sim_analytic_erlang_c(c, 4.0) < 0.2)
            exact = c;
    CHECK_EQ_INT(exact, 7);
    out = run_plan(args, 0);
    CHECK_EQ_STR(out, "answer: servers.s.workers=7 (servers.s.workers=6 "
                 "does not meet them)\nanalytic answer: 7 (M/M/7 (Erlang C), "
                 "4 erlangs offered, mean service 1 ms)\n");
    free(out);
    root = load_summary(TEST_TMP "distsim-plan-c");
    check_answer(root, exact, exact - 1);
    check_separated(root, 3);
    json_decref(root);
}

/*
 * Erlang B at 1.6 erlangs: the fewest trunks with blocking under 1% is 6
 * (B(6) = 0.0047, B(5) = 0.0178). With 45 000 arrivals a replication,
 * blocking varies between replications by about 0.0005 at 6 trunks and
 * 0.001 at 5, giving half-widths near 0.0006 and 0.0012 over 5
 * replications: 8.3 and 6.8 half-widths from the threshold, measured.
 */
static void test_plan__fewest_trunks_for_one_percent_is_erlang_bs(void)
{
    const char *args[] = {"plan", ERLANG_B, "--param",
                          "servers.trunks.workers", "--from", "1", "--to",
                          "12", "-q", "--force", "--charts", "none", "-o",
                          TEST_TMP "distsim-plan-b", NULL};
    long exact = 0;
    json_t *root;

    for (unsigned c = 1; c <= 12 && exact == 0; c++)
        if (sim_analytic_erlang_b(c, 1.6) < 0.01)
            exact = c;
    CHECK_EQ_INT(exact, 6);
    free(run_plan(args, 0));
    root = load_summary(TEST_TMP "distsim-plan-b");
    check_answer(root, exact, exact - 1);
    check_separated(root, 3);
    json_decref(root);
}

/*
 * A closed network (think 50 ms, stations of 10 ms and 4 ms): the largest
 * population with a mean response time under 42.5 ms is 8 (R(8) = 39.06
 * ms, R(9) = 45.91 ms by exact MVA, 3.4 ms either side). Each replication
 * completes about 17 000 requests; the replications' means vary by about
 * 0.4 ms, so the half-widths are near 0.5 ms: 7.1 and 5.5 half-widths
 * from the bound, measured.
 */
static void test_plan__largest_population_within_bound_is_mvas(void)
{
    const char *args[] = {"plan", MVA, "--param", "clients.users.users",
                          "--from", "1", "--to", "30", "--largest", "-q",
                          "--force", "--charts", "none", "-o",
                          TEST_TMP "distsim-plan-mva", NULL};
    const double demand_s[] = {0.010, 0.004};
    struct sim_analytic_mva m;
    long exact = 0;
    json_t *root;

    for (unsigned n = 1; n <= 30; n++) {
        CHECK_EQ_INT(sim_analytic_mva(n, 0.050, demand_s, 2, &m), 0);
        if (m.response_s < 0.0425)
            exact = n;
    }
    CHECK_EQ_INT(exact, 8);
    free(run_plan(args, 0));
    root = load_summary(TEST_TMP "distsim-plan-mva");
    check_answer(root, exact, exact + 1);
    check_separated(root, 3);
    json_decref(root);
}

/*
 * A threshold on the true value (C(7, 4) = 0.1351 against 13.5%) keeps
 * 7 servers unsure: the interval (half-width near 0.006) contains 0.135
 * unless it misses the true value too. At the cap of 8 replications
 * (5, then 8) it counts as not meeting, so the answer becomes 8.
 */
/* Starting from 4 replications (--replications), doubling stops at 8. */
static void test_plan__unsure_at_the_cap_counts_as_not_met(void)
{
    const char *args[] = {"plan", ERLANG_C, "--param", "servers.s.workers",
                          "--from", "6", "--to", "9", "--set",
                          "expect[0]=p_wait < 13.5%", "--max-replications",
                          "8", "--replications", "4", "--force", "--charts",
                          "none", "-o", TEST_TMP "distsim-plan-unsure",
                          NULL};
    const json_t *pts;
    char *out, *md;
    json_t *root;

    out = run_plan(args, 0);
    CHECK(strstr(out, "servers.s.workers=7: still unsure at the cap: "
                      "counts as not meeting them (8 replications)") != NULL);
    free(out);
    root = load_summary(TEST_TMP "distsim-plan-unsure");
    CHECK_EQ_STR(text_at(root, "answer", "value"), "8");
    CHECK_EQ_STR(text_at(root, "failing_neighbour", "value"), "7");
    CHECK_EQ_STR(text_at(root, "failing_neighbour", "verdict"),
                 "unsure_at_cap");
    pts = json_object_get(root, "points");
    CHECK_EQ_INT(json_integer_value(json_object_get(
        json_array_get(pts, 1), "replications")), 8);
    json_decref(root);
    md = spawn_read_file(TEST_TMP "distsim-plan-unsure/report.md", NULL);
    CHECK(md != NULL && strstr(md, "At servers.s.workers = 7 the verdict "
                               "was still unsure after 8 replications")
                        != NULL);
    free(md);
}

static void test_plan__range_without_an_answer_exits_1(void)
{
    const char *args[] = {"plan", ERLANG_C, "--param", "servers.s.workers",
                          "--from", "1", "--to", "5", "--force", "--charts",
                          "none", "-o", TEST_TMP "distsim-plan-none", NULL};
    char *out = run_plan(args, 1);
    json_t *root;

    CHECK(strstr(out, "answer: none in the range (servers.s.workers=5 does "
                      "not meet them)") != NULL);
    free(out);
    root = load_summary(TEST_TMP "distsim-plan-none");
    CHECK_EQ_STR(json_string_value(json_object_get(root, "outcome")),
                 "none");
    CHECK(json_is_null(json_object_get(root, "answer")));
    CHECK_EQ_INT(json_array_size(json_object_get(root, "points")), 1);
    CHECK_EQ_STR(text_at(root, "analytic", "outcome"), "none");
    json_decref(root);
}

static void test_plan__other_end_already_meeting_is_said(void)
{
    const char *args[] = {"plan", ERLANG_C, "--param", "servers.s.workers",
                          "--from", "8", "--to", "10", "--force", "--charts",
                          "none", "-o", TEST_TMP "distsim-plan-end", NULL};
    char *out = run_plan(args, 0);
    json_t *root;

    CHECK(strstr(out, "answer: servers.s.workers=8, an end of the range: "
                      "the answer may lie beyond it") != NULL);
    free(out);
    root = load_summary(TEST_TMP "distsim-plan-end");
    CHECK_EQ_STR(json_string_value(json_object_get(root, "outcome")),
                 "at_end");
    CHECK_EQ_STR(text_at(root, "answer", "value"), "8");
    CHECK_EQ_STR(text_at(root, "analytic", "outcome"), "at_end");
    json_decref(root);
}

/* Runs plan with extra arguments and checks stderr and exit code 2. */
static void check_bad(const char *param, const char *from, const char *to,
                      const char *want)
{
    const char *args[16] = {"plan", ERLANG_C};
    struct spawn_out o;
    size_t n = 2;

    if (param != NULL) {
        args[n++] = "--param";
        args[n++] = param;
    }
    if (from != NULL) {
        args[n++] = "--from";
        args[n++] = from;
    }
    if (to != NULL) {
        args[n++] = "--to";
        args[n++] = to;
    }
    args[n++] = "-o";
    args[n++] = TEST_TMP "distsim-plan-bad";
    args[n] = NULL;
    spawn_distsim(args, &o);
    CHECK_EQ_STR(o.err, want);
    CHECK_EQ_INT(o.status, 2);
    CHECK(access(TEST_TMP "distsim-plan-bad", F_OK) != 0);
    spawn_release(&o);
}

static void test_plan__bad_param_from_to_are_reported(void)
{
    check_bad("servers.s.wrokers", "1", "4", "--param servers.s.wrokers=1: "
              "servers[0].wrokers: unknown key; did you mean \"workers\"?\n");
    check_bad("servers.x.workers", "1", "4", "--param servers.x.workers=1: "
              "servers.x: no element of the list is named \"x\"; did you "
              "mean \"s\"?\n");
    check_bad("replications", "2", "4", "distsim: --param \"replications\" "
              "cannot be planned: plan sets it itself\n");
    check_bad("seed", "1", "4", "distsim: --param \"seed\" cannot be "
              "planned: it changes no measure of the design\n");
    check_bad(NULL, "1", "4", "distsim: missing --param KEY (see distsim "
              "plan --help)\n");
    check_bad("servers.s.workers", NULL, "4", "distsim: missing --from "
              "VALUE (see distsim plan --help)\n");
    check_bad("servers.s.workers", "1", NULL, "distsim: missing --to VALUE "
              "(see distsim plan --help)\n");
    check_bad("servers.s.workers", "abc", "4", "distsim: --from: \"abc\" "
              "does not start with a number\n");
    check_bad("servers.s.workers", "1", "4x", "distsim: --from \"1\" and "
              "--to \"4x\" must be in the same unit\n");
    check_bad("servers.s.workers", "9", "2", "distsim: --from \"9\" must be "
              "below --to \"2\"\n");
    check_bad("servers.s.workers", "1.5", "4", "--param "
              "servers.s.workers=1.5: servers[0].workers: \"1.5\" is not a "
              "whole number\n");
    check_bad("clients.c.arrival.rate", "100/s", "5ms", "distsim: --from "
              "\"100/s\" and --to \"5ms\" must be in the same unit\n");
}

static void test_plan__scenario_without_expectations_is_refused(void)
{
    const char *yaml = TEST_TMP "distsim-plan-noexp.yaml";
    const char *args[] = {"plan", yaml, "--param", "servers.s.workers",
                          "--from", "1", "--to", "4", "-o",
                          TEST_TMP "distsim-plan-bad", NULL};
    struct spawn_out o;
    FILE *f = fopen(yaml, "w");

    CHECK(f != NULL);
    fputs("name: noexp\nduration: 2s\nclients:\n  - name: c\n"
          "    arrival: {process: poisson, rate: 100/s}\n    target: s\n"
          "servers:\n  - name: s\n"
          "    service: {dist: exponential, mean: 1ms}\n", f);
    fclose(f);
    spawn_distsim(args, &o);
    CHECK_EQ_STR(o.err, "distsim: " TEST_TMP "distsim-plan-noexp.yaml: the "
                 "scenario states no expectations (expect:): a plan needs "
                 "at least one to meet\n");
    CHECK_EQ_INT(o.status, 2);
    spawn_release(&o);
    unlink(yaml);
}

/* Compares one file of two outputs byte for byte. */
static void check_same_file(const char *a, const char *b, const char *name)
{
    char pa[256], pb[256];
    size_t na = 0, nb = 0;
    char *x, *y;

    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    x = spawn_read_file(pa, &na);
    y = spawn_read_file(pb, &nb);
    if (x == NULL || y == NULL || na != nb || memcmp(x, y, na) != 0)
        printf("  differs: %s\n", name);
    CHECK(x != NULL && y != NULL && na == nb && memcmp(x, y, na) == 0);
    free(x);
    free(y);
}

static void test_plan__same_bytes_for_one_and_two_workers(void)
{
    const char *a1[] = {"plan", ERLANG_C, "--param", "clients.c.arrival.rate",
                        "--from", "1000/s", "--to", "7000/s", "--largest",
                        "--resolution", "200/s", "--jobs", "1", "-q",
                        "--force", "-o", TEST_TMP "distsim-plan-j1", NULL};
    const char *a2[] = {"plan", ERLANG_C, "--param", "clients.c.arrival.rate",
                        "--from", "1000/s", "--to", "7000/s", "--largest",
                        "--resolution", "200/s", "--jobs", "2", "-q",
                        "--force", "-o", TEST_TMP "distsim-plan-j2", NULL};
    static const char *const files[] = {
        "summary.json", "points.tsv", "report.md", "report.html",
        "points/0000/summary.json", "points/0002/metrics.tsv",
        "charts/server-s-p-wait.tsv",
    };

    free(run_plan(a1, 0));
    free(run_plan(a2, 0));
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        check_same_file(TEST_TMP "distsim-plan-j1", TEST_TMP "distsim-plan-j2",
                        files[i]);
}

CHECK_MAIN(CHECK_TEST(test_plan__fewest_servers_for_p_wait_is_erlang_cs),
           CHECK_TEST(test_plan__fewest_trunks_for_one_percent_is_erlang_bs),
           CHECK_TEST(test_plan__largest_population_within_bound_is_mvas),
           CHECK_TEST(test_plan__unsure_at_the_cap_counts_as_not_met),
           CHECK_TEST(test_plan__range_without_an_answer_exits_1),
           CHECK_TEST(test_plan__other_end_already_meeting_is_said),
           CHECK_TEST(test_plan__bad_param_from_to_are_reported),
           CHECK_TEST(test_plan__scenario_without_expectations_is_refused),
           CHECK_TEST(test_plan__same_bytes_for_one_and_two_workers))
