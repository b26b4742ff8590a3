/* SPDX-License-Identifier: MIT */
/*
 * test_server.c - the server model's exact behaviour with constant service
 * times and jobs arriving at exact instants (from small traces): FIFO
 * order over workers, waiting counted from arrival only, and a crash that
 * loses queued and in-service requests alike.
 */
#include "models/server.h"

#include "models/client.h"
#include "models/faults.h"
#include "tests/run.h"

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &server_ops, &faults_ops,
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* One client replaying trace into one server of `workers` workers. */
static void run_jobs(const char *trace, unsigned workers, const char *extra,
                     struct run *r)
{
    char yaml[1024];

    snprintf(yaml, sizeof yaml,
             "name: t\nduration: 100s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: trace, file: "
             "%s}\n    timeout: 50s\n    target: s\n"
             "servers:\n  - name: s\n    workers: %u\n    service: {dist: "
             "constant, value: 10s}\n%s", trace, workers, extra);
    run_yaml(yaml, kinds, N_KINDS, 1, r);
}

/* Three jobs at 0 on two workers: the third starts at 10, ends at 20. */
static void test_server__third_job_waits_for_a_worker(void)
{
    struct run r;

    run_jobs("three-at-once.txt", 2, "", &r);
    CHECK_NEAR(run_figure(&r, "client c", "response_time.max"), 20, 0);
    CHECK_NEAR(run_figure(&r, "client c", "response_time.mean"),
               (10 + 10 + 20) / 3.0, 1e-12);
    CHECK_NEAR(run_figure(&r, "server s", "waiting_time.mean"), 10 / 3.0,
               1e-12);
    CHECK_NEAR(run_figure(&r, "server s", "p_wait"), 1 / 3.0, 1e-12);
    run_release(&r);
}

/* Four equal jobs on two workers end in two waves, at 10 and at 20. */
static void test_server__four_jobs_end_in_two_waves(void)
{
    struct run r;

    run_jobs("four-at-once.txt", 2, "", &r);
    /* Each response is 10 or 20: a mean of 15 and a max of 20 mean two
     * of each (percentiles are within 1%, not exact, so not used). */
    CHECK_NEAR(run_figure(&r, "client c", "response_time.max"), 20, 0);
    CHECK_NEAR(run_figure(&r, "client c", "response_time.mean"), 15, 0);
    /* Busy 2 workers for 20s of the 100s run. */
    CHECK_NEAR(run_figure(&r, "server s", "utilisation"), 0.2, 1e-12);
    run_release(&r);
}

/* A job arriving after the worker went idle waits nothing. */
static void test_server__late_job_gets_no_credit_for_idle_time(void)
{
    struct run r;

    run_jobs("late-arrival.txt", 1, "", &r);
    CHECK_NEAR(run_figure(&r, "client c", "response_time.max"), 10, 0);
    CHECK_NEAR(run_figure(&r, "server s", "waiting_time.mean"), 0, 0);
    CHECK_NEAR(run_figure(&r, "server s", "utilisation"), 0.2, 1e-12);
    run_release(&r);
}

/*
 * A crash at 5s with one job in service and two waiting loses all three
 * alike (dropped with reason crash; their client times out at 50s), and
 * the books balance.
 */
static void test_server__crash_loses_queued_and_served_alike(void)
{
    struct run r;

    run_jobs("three-at-once.txt", 1,
             "faults:\n  - {at: 5s, crash: s, restart_at: 6s}\n", &r);
    CHECK_NEAR(run_figure(&r, "server s", "dropped"), 3, 0);
    CHECK_NEAR(run_figure(&r, "server s", "completed"), 0, 0);
    CHECK_NEAR(run_figure(&r, "engine", "dropped.crash"), 3, 0);
    CHECK_NEAR(run_figure(&r, "client c", "failed.timeout"), 3, 0);
    run_release(&r);
}

CHECK_MAIN(CHECK_TEST(test_server__third_job_waits_for_a_worker),
           CHECK_TEST(test_server__four_jobs_end_in_two_waves),
           CHECK_TEST(test_server__late_job_gets_no_credit_for_idle_time),
           CHECK_TEST(test_server__crash_loses_queued_and_served_alike))
