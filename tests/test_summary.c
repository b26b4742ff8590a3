/* SPDX-License-Identifier: MIT */
/*
 * test_summary.c - figures for people and for programs, from replications
 * made by hand: the digits an interval justifies (a percentile no finer
 * than its histogram), which figures the table shows, the exact times of
 * the timeline in summary.json, and undefined figures in metrics.tsv;
 * and finding a figure through the hash index a summary builds: every
 * (scope, name) of 10^4 components is found, and the first of two equal
 * rows wins as in a pass over the rows.
 */
#include "sim/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/check.h"

#define MS ((sim_time)1000000)

/* Two replications of one client scope, with two notes in the first. */
static void two_reps(struct sim_report reps[2], struct sim_batch *b)
{
    static const double p99[2] = {0.043, 0.041};

    for (int r = 0; r < 2; r++) {
        sim_report_init(&reps[r]);
        sim_report_add(&reps[r], "client c", "throughput", "1/s", 0.1);
        sim_report_add(&reps[r], "client c", "response_time.p99", "s",
                       p99[r]);
        sim_report_add(&reps[r], "client c", "availability.cas", "ratio",
                       NAN);
        sim_report_add(&reps[r], "client c", "ryw_violations", "count",
                       NAN);
        sim_report_add(&reps[r], "client c", "lost_writes", "count", 0);
        sim_report_add(&reps[r], "client c", "attempts", "count", 9);
    }
    sim_report_fault(&reps[0], sim_time_to_s(58500 * MS), "crash", "a");
    sim_report_note(&reps[0], sim_time_to_s(85500482216LL), "rejoined",
                    "a \"quoted\" name");
    *b = (struct sim_batch){.n_reps = 2, .reports = reps};
}

static void release_reps(struct sim_report reps[2])
{
    sim_report_release(&reps[0]);
    sim_report_release(&reps[1]);
}

/* Reads a whole file into a malloc'd string. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = calloc(1, 1 << 16);

    CHECK(f != NULL && text != NULL);
    CHECK(fread(text, 1, (1 << 16) - 1, f) > 0);
    fclose(f);
    return text;
}

static void check_text(const char *name, const char *unit, double mean,
                       double hw, const char *value, const char *half)
{
    struct sim_summary_text t;

    sim_summary_format_figure(name, unit, mean, hw, &t);
    CHECK_EQ_STR(t.value, value);
    CHECK_EQ_STR(t.half, half);
}

/* The histogram resolves 0.8%: a percentile shows 3 significant digits. */
static void test_summary__percentile_keeps_three_significant_digits(void)
{
    check_text("response_time.p99", "s", 50.065814e-6, 0.000012e-6,
               "50.1 us", "0.0");
    check_text("replication_lag.p99", "s", 28.33, 0.13, "28.3 s", "0.1");
    check_text("response_time.p999", "s", 0.767, 0.121, "767 ms", "121");
    /* A mean is exact: its interval alone sets the digits. */
    check_text("response_time.mean", "s", 50.065814e-6, 0.000012e-6,
               "50.065814 us", "0.000012");
    check_text("response_time.max", "s", 1.2413, 0.00012, "1.24130 s",
               "0.00012");
}

static void test_summary__digits_follow_the_half_width(void)
{
    check_text("response_time.mean", "s", 0.0095, 0.0014, "9.5 ms", "1.4");
    check_text("availability", "ratio", 0.97291, 0.0028, "97.29 %",
               "0.28");
    /* Every replication equal: an exact whole number has no decimals. */
    check_text("failovers", "count", 1.0, 0.0, "1", "0");
    check_text("availability", "ratio", 1.0, 0.0, "100 %", "0");
    check_text("unavailable_time", "s", 3.5, 0.0, "3.500 s", "0.000");
    /* One replication: four significant digits, no interval. */
    check_text("throughput", "1/s", 0.03, NAN, "0.03000 /s", "");
    check_text("availability.cas", "ratio", NAN, NAN, "n/a", "");
}

static void test_summary__which_figures_the_table_shows(void)
{
    CHECK(sim_summary_is_shown("throughput", "1/s", 0.1));
    CHECK(sim_summary_is_shown("lost_writes", "count", 0));
    CHECK(sim_summary_is_shown("session_unjudged", "count", 0));
    CHECK(!sim_summary_is_shown("arrived", "count", 12));
    CHECK(!sim_summary_is_shown("availability.cas", "ratio", NAN));
    CHECK(!sim_summary_is_shown("ryw_violations", "count", NAN));
}

static void test_summary__a_unit_suffix_is_not_in_the_label(void)
{
    char name[64];

    sim_summary_display_name("unavailable_time", name, sizeof name);
    CHECK_EQ_STR(name, "unavailable time");
    sim_summary_display_name("response_time.p999", name, sizeof name);
    CHECK_EQ_STR(name, "response time p99.9");
}

/* The table of the hand-made replications, in full. */
static void test_summary__table_of_two_replications(void)
{
    struct sim_scenario sc = {.name = "t", .seed = 3, .duration = 10 * 1000
                              * MS, .warmup = 0};
    struct sim_report reps[2];
    struct sim_summary s;
    struct sim_batch b;
    char *table;

    two_reps(reps, &b);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    table = sim_summary_table(&s, &sc);
    CHECK(table != NULL);
    CHECK(strstr(table,
                 "\nclient c\n"
                 "  throughput                        0.1000 /s  ± 0.0000\n"
                 "  response time p99                     42 ms  ± 13\n"
                 "  lost writes                               0  ± 0\n\n")
          != NULL);
    CHECK(strstr(table, "\n      58.500s  crash     a\n"
                        "      85.500s  rejoined  a \"quoted\" name\n")
          != NULL);
    free(table);
    sim_summary_release(&s);
    release_reps(reps);
}

/* summary.json's timeline: the nanoseconds exactly, not 17 digits. */
static void test_summary__json_times_are_exact_nanoseconds(void)
{
    struct sim_scenario sc = {.name = "t", .file = "t.yaml", .seed = 3,
                              .duration = 100 * 1000 * MS};
    char path[] = TEST_TMP "distsim-summary-XXXXXX";
    struct sim_report reps[2];
    struct sim_summary s;
    struct sim_batch b;
    json_error_t jerr;
    json_t *root;
    char *text;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    two_reps(reps, &b);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    CHECK_EQ_INT(sim_summary_write_json(&s, &sc, path, NULL), 0);
    text = slurp(path);
    CHECK(strstr(text, "  \"timeline\": [\n    {\n      \"t_s\": 58.5,\n"
                       "      \"kind\": \"crash\",\n      \"text\": \"a\"\n"
                       "    },\n    {\n      \"t_s\": 85.500482216,\n")
          != NULL);
    CHECK(strstr(text, "\"text\": \"a \\\"quoted\\\" name\"\n    }\n  ],\n")
          != NULL);
    /* Figures in the fewest digits that read back exact; the whole is JSON. */
    CHECK(strstr(text, "\"mean\": 0.1,") != NULL);
    root = json_loads(text, 0, &jerr);
    CHECK(root != NULL);
    CHECK_NEAR(json_real_value(json_object_get(json_array_get(
               json_object_get(root, "timeline"), 1), "t_s")), 85.500482216,
               0);
    json_decref(root);
    free(text);
    unlink(path);
    sim_summary_release(&s);
    release_reps(reps);
}

/* A figure no replication has is nan in every column, sd included. */
static void test_summary__tsv_says_nan_for_a_figure_without_values(void)
{
    char path[] = TEST_TMP "distsim-summary-XXXXXX";
    struct sim_report reps[2];
    struct sim_summary s;
    struct sim_batch b;
    char *text;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    two_reps(reps, &b);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    CHECK_EQ_INT(sim_summary_write_tsv(&s, path, NULL), 0);
    text = slurp(path);
    CHECK(strstr(text, "\nclient c\tavailability.cas\tratio\tnan\tnan\tnan"
                       "\t0\tnan\tnan\n") != NULL);
    free(text);
    unlink(path);
    sim_summary_release(&s);
    release_reps(reps);
}

#define N_SCOPES 10000

/* One replication's report with the books of n servers. */
static void fill(struct sim_report *rep, size_t n)
{
    char scope[32];

    sim_report_init(rep);
    for (size_t i = 0; i < n; i++) {
        snprintf(scope, sizeof scope, "server s.%zu", i);
        sim_report_add(rep, scope, "present_start", "count", 0);
        sim_report_add(rep, scope, "arrived", "count", (double)i);
        sim_report_add(rep, scope, "completed", "count", (double)i);
        sim_report_add(rep, scope, "rejected", "count", 0);
        sim_report_add(rep, scope, "dropped", "count", 0);
        sim_report_add(rep, scope, "present_end", "count", 0);
    }
}

static void test_summary__finds_every_figure_through_its_index(void)
{
    struct sim_report reps[2];
    struct sim_batch b = {2, reps};
    struct sim_summary s;
    const struct sim_summary_row *row;

    fill(&reps[0], N_SCOPES);
    fill(&reps[1], N_SCOPES);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    CHECK(s.is_balanced);
    CHECK(s.index != NULL);
    row = sim_summary_find(&s, "server s.9999", "arrived");
    CHECK(row != NULL);
    CHECK_NEAR(row->ci.mean, 9999, 0);
    row = sim_summary_find(&s, "server s.17", "completed");
    CHECK(row != NULL && row->values[1] == 17);
    CHECK(sim_summary_find(&s, "server s.10000", "arrived") == NULL);
    CHECK(sim_summary_find(&s, "server s.1", "nothing") == NULL);
    sim_summary_release(&s);
    sim_report_release(&reps[0]);
    sim_report_release(&reps[1]);
}

static void test_summary__the_first_of_equal_rows_is_found(void)
{
    struct sim_report rep;
    struct sim_batch b = {1, &rep};
    struct sim_summary s;
    const struct sim_summary_row *row;

    sim_report_init(&rep);
    sim_report_add(&rep, "client c", "p99", "s", 1);
    sim_report_add(&rep, "client c", "p99", "s", 2);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    row = sim_summary_find(&s, "client c", "p99");
    CHECK(row == &s.rows[0]);
    sim_summary_release(&s);
    sim_report_release(&rep);
}

/*
 * A list setting shows the items that fit, in order, then how many more;
 * an empty one says "none".
 */
static void test_summary__a_long_setting_list_says_how_many_more(void)
{
    struct sim_report rep;
    struct sim_report_list l;
    char tail[64];

    sim_report_init(&rep);
    sim_report_list_init(&l);
    sim_report_setting_list(&rep, "load_balancer lb", "backends", &l);
    for (int i = 0; i < 1000; i++)
        sim_report_list_add(&l, "app.%d weight %d", i, i % 7 + 1);
    sim_report_setting_list(&rep, "load_balancer lb", "backends", &l);
    CHECK_EQ_INT(rep.n_settings, 2);
    CHECK_EQ_STR(rep.settings[0].value, "none");
    CHECK(strncmp(rep.settings[1].value, "app.0 weight 1, app.1 weight 2, ",
                  32) == 0);
    CHECK_EQ_INT(l.n_items + l.n_left_out, 1000);
    CHECK(l.n_items > 10 && l.n_left_out > 0);
    snprintf(tail, sizeof tail, "app.%zu weight %zu and %zu more",
             l.n_items - 1, (l.n_items - 1) % 7 + 1, l.n_left_out);
    CHECK(strstr(rep.settings[1].value, tail) != NULL);
    sim_report_release(&rep);
}

CHECK_MAIN(CHECK_TEST(test_summary__percentile_keeps_three_significant_digits),
           CHECK_TEST(test_summary__digits_follow_the_half_width),
           CHECK_TEST(test_summary__which_figures_the_table_shows),
           CHECK_TEST(test_summary__a_unit_suffix_is_not_in_the_label),
           CHECK_TEST(test_summary__table_of_two_replications),
           CHECK_TEST(test_summary__json_times_are_exact_nanoseconds),
           CHECK_TEST(test_summary__tsv_says_nan_for_a_figure_without_values),
           CHECK_TEST(test_summary__finds_every_figure_through_its_index),
           CHECK_TEST(test_summary__the_first_of_equal_rows_is_found),
           CHECK_TEST(test_summary__a_long_setting_list_says_how_many_more))
