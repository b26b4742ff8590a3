/* SPDX-License-Identifier: MIT */
/*
 * test_client.c - the client model: exact arrival and retry timings with
 * constant times, the books with timeouts and retries, and trace replay
 * (a small trace of our own, and the real traces in ../shared/data when
 * they are there: request counts and distinct keys, checked exactly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/cache.h"
#include "models/client.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/run.h"

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &server_ops, &cache_ops,
};

/* Runs a scenario given as YAML text with this file's model kinds. */
static void run_text(const char *yaml, struct run *r)
{
    run_yaml(yaml, kinds, 3, 1, r);
}

/*
 * Every try times out (service 1s, timeout 10ms); two retries wait 50ms
 * then 100ms (no jitter), so a request ends 10 + 50 + 10 + 100 + 10 =
 * 180ms after it started, after three tries.
 */
static void test_client__retries_back_off_exactly(void)
{
    struct run r;

    run_text("name: t\nduration: 10s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: fixed, "
             "rate: 1/s}\n    timeout: 10ms\n    retry: {max: 2, backoff: "
             "50ms, jitter: none}\n    target: s\n"
             "servers:\n  - name: s\n    workers: 100\n    service: {dist: "
             "constant, value: 1s}\n", &r);
    CHECK_NEAR(run_figure(&r, "client c", "arrived"), 9, 0);
    CHECK_NEAR(run_figure(&r, "client c", "attempts"), 27, 0);
    CHECK_NEAR(run_figure(&r, "client c", "failed.timeout"), 9, 0);
    CHECK_NEAR(run_figure(&r, "client c", "completed"), 0, 0);
    CHECK_NEAR(run_figure(&r, "client c", "attempts_per_request"), 3, 0);
    CHECK_NEAR(run_figure(&r, "server s", "arrived"), 27, 0);
    run_release(&r);
}

/* A retry that succeeds: response time counts from the first try. */
static void test_client__response_time_includes_retries(void)
{
    struct run r;

    /* Capacity 0, one worker busy 25ms: the second of two simultaneous
     * requests is rejected, retried after 30ms, and served at once. */
    run_text("name: t\nduration: 1s\nreplications: 1\n"
             "clients:\n  - name: d\n    arrival: {process: fixed, "
             "rate: 2/s}\n    target: s\n"
             "  - name: c\n    arrival: {process: fixed, rate: 2/s}\n"
             "    retry: {max: 1, backoff: 30ms, jitter: none}\n"
             "    target: s\n"
             "servers:\n  - name: s\n    queue: {capacity: 0}\n"
             "    service: {dist: constant, value: 25ms}\n", &r);
    /* At 0.5s both send; d started first, so c is rejected, retries at
     * 0.53s, after d's service ended at 0.525s, and is done at 0.555s. */
    CHECK_NEAR(run_figure(&r, "client d", "completed"), 1, 0);
    CHECK_NEAR(run_figure(&r, "client c", "completed"), 1, 0);
    CHECK_NEAR(run_figure(&r, "client c", "attempts"), 2, 0);
    CHECK_NEAR(run_figure(&r, "client c", "response_time.max"), 0.055, 1e-12);
    run_release(&r);
}

static void test_client__plain_trace_replays_times_keys_and_ops(void)
{
    struct run r;

    run_text("name: t\nduration: 20s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: trace, file: "
             "tiny-trace.txt, speed: 2}\n    target: s\n"
             "servers:\n  - name: s\n    service: {dist: constant, value: "
             "1ms}\n", &r);
    CHECK_NEAR(run_figure(&r, "client c", "arrived"), 5, 0);
    CHECK_NEAR(run_figure(&r, "client c", "distinct_keys"), 3, 0);
    /* Two records share t = 0.5s / 2 after the first: one waits 1ms. */
    CHECK_NEAR(run_figure(&r, "server s", "waiting_time.mean"), 0.001 / 5, 1e-12);
    run_release(&r);
}

static const char *shared_dir(void)
{
    const char *d = getenv("DISTSIM_SHARED");

    return d != NULL ? d : "../shared";
}

/* Replays a shared trace and checks its record and key counts. */
static void check_shared_trace(const char *file, const char *format,
                               double n_records, double n_keys)
{
    char path[1024], yaml[2048];
    struct run r;

    snprintf(path, sizeof path, "%s/data/traces/%s", shared_dir(), file);
    if (access(path, R_OK) != 0)
        CHECK_SKIP("../shared/data absent: trace replay not checked");
    if (path[0] != '/') {
        char cwd[512];

        CHECK(getcwd(cwd, sizeof cwd) != NULL);
        snprintf(path, sizeof path, "%s/%s/data/traces/%s", cwd,
                 shared_dir(), file);
    }
    snprintf(yaml, sizeof yaml,
             "name: t\nduration: 100000s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: trace, file: "
             "\"%s\", format: %s}\n    target: s\n"
             "servers:\n  - name: s\n    workers: 1000\n    service: {dist: "
             "constant, value: 1us}\n", path, format);
    run_text(yaml, &r);
    printf("  %s: %.0f requests\n", file, run_figure(&r, "client c", "arrived"));
    CHECK_NEAR(run_figure(&r, "client c", "arrived"), n_records, 0);
    CHECK_NEAR(run_figure(&r, "client c", "completed"), n_records, 0);
    if (n_keys > 0)
        CHECK_NEAR(run_figure(&r, "client c", "distinct_keys"), n_keys, 0);
    run_release(&r);
}

static void test_client__nasa_trace_replays_exactly(void)
{
    check_shared_trace("nasa-http/nasa-19950801.tsv", "nasa", 30969, 2088);
}

static void test_client__azure_trace_replays_exactly(void)
{
    check_shared_trace("azure-llm/AzureLLMInferenceTrace_conv.csv", "azure",
                       19366, 0);
}

static void test_client__cloudphysics_trace_replays_exactly(void)
{
    check_shared_trace("cloudphysics/cloudPhysicsIO.csv", "cloudphysics",
                       113872, 48974);
}

/*
 * The NASA trace through a cache large enough for every key, with no
 * expiry and an instant backend: every request for a key already seen is
 * a hit, so the hit ratio is exactly 1 - distinct / total.
 */
static void test_client__nasa_trace_through_an_infinite_cache(void)
{
    char path[1024], yaml[2048], cwd[512];
    struct run r;

    snprintf(path, sizeof path, "%s/data/traces/nasa-http/"
             "nasa-19950801.tsv", shared_dir());
    if (access(path, R_OK) != 0)
        CHECK_SKIP("../shared/data absent: trace replay not checked");
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(yaml, sizeof yaml,
             "name: t\nduration: 100000s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: trace, file: "
             "\"%s%s%s\", format: nasa}\n    target: cache\n"
             "caches:\n  - name: cache\n    capacity: 100000\n"
             "    backend: s\n"
             "servers:\n  - name: s\n    workers: 1000\n    service: "
             "{dist: constant, value: 0ns}\n", path[0] == '/' ? "" : cwd,
             path[0] == '/' ? "" : "/", path);
    run_text(yaml, &r);
    CHECK_NEAR(run_figure(&r, "cache cache", "hit_ratio"),
               1.0 - 2088.0 / 30969.0, 1e-12);
    run_release(&r);
}

CHECK_MAIN(CHECK_TEST(test_client__retries_back_off_exactly),
           CHECK_TEST(test_client__response_time_includes_retries),
           CHECK_TEST(test_client__plain_trace_replays_times_keys_and_ops),
           CHECK_TEST(test_client__nasa_trace_replays_exactly),
           CHECK_TEST(test_client__azure_trace_replays_exactly),
           CHECK_TEST(test_client__cloudphysics_trace_replays_exactly),
           CHECK_TEST(test_client__nasa_trace_through_an_infinite_cache))
