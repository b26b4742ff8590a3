/* SPDX-License-Identifier: MIT */
/*
 * test_theory.c - the simulator against queueing theory, through the whole
 * pipeline (YAML scenario, models, statistics, replications).
 *
 * Each check prints the analytic value beside the simulated one and
 * passes when theory lies inside the simulated 99% confidence interval
 * (Student's t over independent replications) and that interval is tight
 * enough to mean something: its half-width under 2% of the value. Run
 * lengths were chosen from the asymptotic variance of each estimator so
 * that the 2% is reached with margin; the seeds are fixed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "models/client.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/run.h"

#define LEVEL 0.99
#define MAX_REL_HALF_WIDTH 0.02

static const struct sim_model_ops *const kinds[] = {&client_ops, &server_ops};

/* Runs a scenario given as YAML text with this file's model kinds. */
static void run_text(const char *yaml, struct run *r)
{
    run_yaml(yaml, kinds, 2, 2, r);
}

/* Theory must lie inside the 99% interval, which must be tight. */
static void expect_theory(const struct run *r, const char *scope,
                          const char *name, double theory, const char *what)
{
    const struct sim_summary_row *row = sim_summary_find(&r->sum, scope,
                                                         name);
    struct sim_ci ci;

    CHECK(row != NULL);
    sim_ci_compute(row->values, r->sum.n_reps, LEVEL, &ci);
    printf("  %-28s theory %-12.6g simulated %.6g +- %.3g (99%%, %.2f%%)\n",
           what, theory, ci.mean, ci.half_width,
           100 * ci.half_width / fabs(theory));
    CHECK(fabs(ci.mean - theory) <= ci.half_width);
    CHECK(ci.half_width < MAX_REL_HALF_WIDTH * fabs(theory));
}

static double factorial_ratio(double a, int k)
{
    double v = 1;

    for (int i = 1; i <= k; i++)
        v *= a / i;
    return v;
}

/* Erlang C: probability of waiting with c servers and load a erlangs. */
static double erlang_c(int c, double a)
{
    double sum = 0, top = factorial_ratio(a, c) * c / (c - a);

    for (int k = 0; k < c; k++)
        sum += factorial_ratio(a, k);
    return top / (sum + top);
}

/* Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(int c, double a)
{
    double b = 1;

    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static void mm1(double rho, double duration_s)
{
    const double mu = 1000.0, lambda = rho * mu;
    char yaml[1024];
    struct run r;

    snprintf(yaml, sizeof yaml,
             "name: mm1\nseed: 11\nduration: %gs\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: %g/s}\n    target: s\n"
             "servers:\n  - name: s\n    service: {dist: exponential, "
             "mean: 1ms}\n", duration_s, lambda);
    printf("  M/M/1, utilisation %.1f\n", rho);
    run_text(yaml, &r);
    expect_theory(&r, "client c", "response_time.mean", 1 / (mu - lambda),
                  "mean response time (s)");
    expect_theory(&r, "client c", "response_time.p99",
                  log(100.0) / (mu - lambda), "p99 response time (s)");
    expect_theory(&r, "server s", "waiting_time.mean",
                  rho / (mu - lambda), "mean wait (s)");
    expect_theory(&r, "server s", "utilisation", rho, "utilisation");
    run_release(&r);
}

static void test_theory__mm1_at_half_load(void)
{
    mm1(0.5, 420);
}

static void test_theory__mm1_at_80_percent(void)
{
    mm1(0.8, 1020);
}

static void test_theory__mm1_at_90_percent(void)
{
    mm1(0.9, 2020);
}

static void mmc(int c, double rho, double duration_s)
{
    const double mu = 1000.0, lambda = rho * c * mu, a = lambda / mu;
    double pw = erlang_c(c, a);
    char yaml[1024];
    struct run r;

    snprintf(yaml, sizeof yaml,
             "name: mmc\nseed: 12\nduration: %gs\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: %g/s}\n    target: s\n"
             "servers:\n  - name: s\n    workers: %d\n    service: {dist: "
             "exponential, mean: 1ms}\n", duration_s, lambda, c);
    printf("  M/M/%d, utilisation %.2f (Erlang C)\n", c, rho);
    run_text(yaml, &r);
    expect_theory(&r, "server s", "p_wait", pw, "probability of waiting");
    expect_theory(&r, "server s", "waiting_time.mean", pw / (c * mu - lambda),
                  "mean wait (s)");
    run_release(&r);
}

static void test_theory__mmc_with_two_servers(void)
{
    mmc(2, 0.8, 320);
}

static void test_theory__mmc_with_eight_servers(void)
{
    mmc(8, 0.8, 220);
}

/* M/G/1 by Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)). */
static void mg1(const char *service, double cv, double duration_s)
{
    const double es = 1e-3, rho = 0.7, lambda = rho / es;
    double wq = lambda * es * es * (1 + cv * cv) / (2 * (1 - rho));
    char yaml[1024];
    struct run r;

    snprintf(yaml, sizeof yaml,
             "name: mg1\nseed: 13\nduration: %gs\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: %g/s}\n    target: s\n"
             "servers:\n  - name: s\n    service: %s\n",
             duration_s, lambda, service);
    printf("  M/G/1, service cv %.1f, utilisation %.1f (Pollaczek-Khinchine)"
           "\n", cv, rho);
    run_text(yaml, &r);
    expect_theory(&r, "server s", "waiting_time.mean", wq, "mean wait (s)");
    expect_theory(&r, "client c", "response_time.mean", wq + es,
                  "mean response time (s)");
    run_release(&r);
}

static void test_theory__md1(void)
{
    mg1("{dist: constant, value: 1ms}", 0.0, 120);
}

static void test_theory__mg1_with_cv_one_half(void)
{
    mg1("{dist: erlang, k: 4, mean: 1ms}", 0.5, 120);
}

static void test_theory__mg1_with_cv_two(void)
{
    mg1("{dist: hyperexponential, mean: 1ms, cv: 2}", 2.0, 1020);
}

static void test_theory__mm1k_blocking(void)
{
    const double rho = 0.9;
    const int k = 5;                    /* one in service, four waiting */
    double block = (1 - rho) * pow(rho, k) / (1 - pow(rho, k + 1));
    struct run r;

    printf("  M/M/1/%d, utilisation %.1f\n", k, rho);
    run_text("name: mm1k\nseed: 14\nduration: 220s\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: 900/s}\n    target: s\n"
             "servers:\n  - name: s\n    queue: {capacity: 4}\n"
             "    service: {dist: exponential, mean: 1ms}\n", &r);
    expect_theory(&r, "server s", "p_reject", block, "blocking probability");
    run_release(&r);
}

static void test_theory__erlang_b_blocking(void)
{
    const int c = 10;
    const double a = 7.0;
    struct run r;

    printf("  M/M/%d/%d loss system, %.0f erlangs (Erlang B)\n", c, c, a);
    run_text("name: erlangb\nseed: 15\nduration: 420s\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: 700/s}\n    target: s\n"
             "servers:\n  - name: s\n    workers: 10\n    queue: {capacity: "
             "0}\n    service: {dist: exponential, mean: 10ms}\n", &r);
    expect_theory(&r, "server s", "p_reject", erlang_b(c, a),
                  "blocking probability");
    run_release(&r);
}

/*
 * Exact Mean Value Analysis of a closed network: n users with think time
 * z, two single-server FCFS stations visited once each (cpu, then disk).
 */
static void mva(int n, double z, const double *demand, int n_stations,
                double *x_out, double *r_out)
{
    double q[8] = {0}, x = 0, rsum = 0;

    for (int users = 1; users <= n; users++) {
        double rk[8];

        rsum = 0;
        for (int k = 0; k < n_stations; k++) {
            rk[k] = demand[k] * (1 + q[k]);
            rsum += rk[k];
        }
        x = users / (z + rsum);
        for (int k = 0; k < n_stations; k++)
            q[k] = x * rk[k];
    }
    *x_out = x;
    *r_out = rsum;
}

static void test_theory__closed_network_matches_mva(void)
{
    static const double demand[] = {0.05, 0.08};
    double x, resp;
    struct run r;

    mva(10, 1.0, demand, 2, &x, &resp);
    printf("  closed network, 10 users, think 1s, cpu 50ms, disk 80ms "
           "(exact MVA)\n");
    run_text("name: mva\nseed: 16\nduration: 4020s\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: users\n    users: 10\n    think: {dist: "
             "exponential, mean: 1s}\n    target: cpu\n"
             "servers:\n  - name: cpu\n    service: {dist: exponential, "
             "mean: 50ms}\n    next: [{to: disk, p: 1}]\n"
             "  - name: disk\n    service: {dist: exponential, "
             "mean: 80ms}\n", &r);
    expect_theory(&r, "client users", "throughput", x, "throughput (1/s)");
    expect_theory(&r, "client users", "response_time.mean", resp,
                  "mean response time (s)");
    run_release(&r);
}

static void test_theory__tandem_network(void)
{
    const double lambda = 500, mu1 = 1000, mu2 = 1000 / 1.5;
    struct run r;

    printf("  two M/M/1 stations in tandem (Burke), 500/s\n");
    run_text("name: tandem\nseed: 17\nduration: 620s\nwarmup: 20s\n"
             "replications: 20\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: 500/s}\n    target: a\n"
             "servers:\n  - name: a\n    service: {dist: exponential, "
             "mean: 1ms}\n    next: [{to: b, p: 1}]\n"
             "  - name: b\n    service: {dist: exponential, "
             "mean: 1.5ms}\n", &r);
    expect_theory(&r, "server a", "response_time.mean", 1 / (mu1 - lambda),
                  "station a time (s)");
    expect_theory(&r, "server b", "response_time.mean", 1 / (mu2 - lambda),
                  "station b time (s)");
    expect_theory(&r, "client c", "response_time.mean",
                  1 / (mu1 - lambda) + 1 / (mu2 - lambda),
                  "end-to-end response (s)");
    run_release(&r);
}

CHECK_MAIN(CHECK_TEST(test_theory__mm1_at_half_load),
           CHECK_TEST(test_theory__mm1_at_80_percent),
           CHECK_TEST(test_theory__mm1_at_90_percent),
           CHECK_TEST(test_theory__mmc_with_two_servers),
           CHECK_TEST(test_theory__mmc_with_eight_servers),
           CHECK_TEST(test_theory__md1),
           CHECK_TEST(test_theory__mg1_with_cv_one_half),
           CHECK_TEST(test_theory__mg1_with_cv_two),
           CHECK_TEST(test_theory__mm1k_blocking),
           CHECK_TEST(test_theory__erlang_b_blocking),
           CHECK_TEST(test_theory__closed_network_matches_mva),
           CHECK_TEST(test_theory__tandem_network))
