/* SPDX-License-Identifier: MIT */
/*
 * test_summary.c - finding a figure in a merged summary: through the hash
 * index a summary builds, every (scope, name) is found, the first of two
 * equal rows wins as in a pass over the rows, and a summary with 10^4
 * components still balances its books in a fraction of a second.
 */
#include "sim/summary.h"

#include <stdio.h>
#include <time.h>

#include "tests/check.h"

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
    clock_t start = clock();
    double cpu_s;

    fill(&reps[0], N_SCOPES);
    fill(&reps[1], N_SCOPES);
    CHECK_EQ_INT(sim_summary_build(&b, &s, NULL), 0);
    cpu_s = (double)(clock() - start) / CLOCKS_PER_SEC;
    CHECK(s.is_balanced);
    CHECK(s.index != NULL);
    row = sim_summary_find(&s, "server s.9999", "arrived");
    CHECK(row != NULL);
    CHECK_NEAR(row->ci.mean, 9999, 0);
    row = sim_summary_find(&s, "server s.17", "completed");
    CHECK(row != NULL && row->values[1] == 17);
    CHECK(sim_summary_find(&s, "server s.10000", "arrived") == NULL);
    CHECK(sim_summary_find(&s, "server s.1", "nothing") == NULL);
    /* quadratic lookups took tens of seconds here; linear ones take ms */
    CHECK(cpu_s < 1.0);
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

CHECK_MAIN(CHECK_TEST(test_summary__finds_every_figure_through_its_index),
           CHECK_TEST(test_summary__the_first_of_equal_rows_is_found))
