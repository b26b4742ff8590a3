/* SPDX-License-Identifier: MIT */
/*
 * test_sweep.c - sweeps through the program: the same bytes for any
 * number of workers and after a resume that follows a SIGKILL, grids,
 * zips and log ranges expanded as documented, and every bad sweep input
 * reported with its position and exit code 2.
 */
#include "sim/sweep.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/spawn.h"

static const char base_yaml[] =
    "name: sw\nseed: 5\nduration: %s\nwarmup: 1s\nreplications: 3\n"
    "clients:\n  - name: c\n    arrival: {process: poisson, rate: 1k/s}\n"
    "    target: s\n"
    "servers:\n  - name: s\n    workers: 2\n"
    "    service: {dist: exponential, mean: 1ms}\n"
    "expect:\n  - p99 < 10ms\n"
    "sweep:\n%s";

/* Writes a scenario with the given duration and sweep section. */
static void write_scenario(const char *path, const char *duration,
                           const char *sweep)
{
    FILE *f = fopen(path, "w");

    CHECK(f != NULL);
    fprintf(f, base_yaml, duration, sweep);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    char *const argv[] = {"rm", "-rf", (char *)dir, NULL};
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        execv("/bin/rm", argv);
        _exit(127);
    }
    waitpid(pid, &st, 0);
}

static void run_ok(const char *const *args)
{
    struct spawn_out o;

    spawn_distsim(args, &o);
    if (o.status != 0)
        printf("  stderr: %s\n", o.err);
    CHECK_EQ_INT(o.status, 0);
    spawn_release(&o);
}

/* The files two sweep outputs must share byte for byte. */
static void compare_outputs(const char *a, const char *b, size_t n_points)
{
    static const char *const files[] = {
        "sweep.tsv", "summary.json", "report.md", "report.html",
        "sweep.key", "charts/client-c-response-time-p99.tsv",
    };
    char pa[512], pb[512];

    for (size_t i = 0; i < sizeof files / sizeof files[0] + 2 * n_points;
         i++) {
        char name[64];
        char *x, *y;
        size_t nx = 0, ny = 0;

        if (i < sizeof files / sizeof files[0])
            snprintf(name, sizeof name, "%s", files[i]);
        else {
            size_t k = i - sizeof files / sizeof files[0];

            snprintf(name, sizeof name, "points/%04zu/%s", k / 2,
                     k % 2 ? "metrics.tsv" : "summary.json");
        }
        snprintf(pa, sizeof pa, "%s/%s", a, name);
        snprintf(pb, sizeof pb, "%s/%s", b, name);
        x = spawn_read_file(pa, &nx);
        y = spawn_read_file(pb, &ny);
        if (x == NULL || y == NULL || nx != ny || memcmp(x, y, nx) != 0)
            printf("  differs: %s\n", name);
        CHECK(x != NULL && y != NULL && nx == ny && memcmp(x, y, nx) == 0);
        free(x);
        free(y);
    }
}

static void test_sweep__same_bytes_for_one_and_two_workers(void)
{
    const char *yaml = TEST_TMP "distsim-sweep-jobs.yaml";
    const char *a1[] = {"sweep", yaml, "-q", "--jobs", "1", "-o",
                        TEST_TMP "distsim-sweep-j1", NULL};
    const char *a2[] = {"sweep", yaml, "-q", "--jobs", "2", "-o",
                        TEST_TMP "distsim-sweep-j2", NULL};

    write_scenario(yaml, "10s", "  combine: grid\n  params:\n"
                   "    - key: clients.c.arrival.rate\n"
                   "      range: {from: 200/s, to: 1600/s, points: 4}\n"
                   "    - key: servers.s.workers\n      values: [2, 3]\n");
    remove_dir(TEST_TMP "distsim-sweep-j1");
    remove_dir(TEST_TMP "distsim-sweep-j2");
    run_ok(a1);
    run_ok(a2);
    compare_outputs(TEST_TMP "distsim-sweep-j1", TEST_TMP "distsim-sweep-j2", 8);
    unlink(yaml);
}

static size_t count_points(const char *dir)
{
    char path[256];
    struct stat st;
    size_t n = 0;

    for (size_t p = 0; p < 100; p++) {
        snprintf(path, sizeof path, "%s/points/%04zu", dir, p);
        n += stat(path, &st) == 0;
    }
    return n;
}

/* Starts the program without waiting; its pid. */
static pid_t start(const char *const *args)
{
    const char *prog = getenv("DISTSIM");
    const char *argv[16] = {prog ? prog : "build/release/distsim"};
    pid_t pid;

    for (size_t i = 0; args[i] != NULL && i < 14; i++)
        argv[i + 1] = args[i];
    pid = fork();
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static void test_sweep__resume_after_kill_gives_the_same_bytes(void)
{
    const char *yaml = TEST_TMP "distsim-sweep-kill.yaml";
    const char *clean[] = {"sweep", yaml, "-q", "--jobs", "2", "-o",
                           TEST_TMP "distsim-sweep-clean", NULL};
    const char *killed[] = {"sweep", yaml, "-q", "--jobs", "1", "-o",
                            TEST_TMP "distsim-sweep-killed", NULL};
    const char *resume[] = {"sweep", yaml, "-q", "--jobs", "2", "-o",
                            TEST_TMP "distsim-sweep-killed", "--resume", NULL};
    struct timespec pause = {0, 20000000};
    size_t n_done = 0;
    pid_t pid;
    int st;

    write_scenario(yaml, "60s", "  params:\n"
                   "    - key: clients.c.arrival.rate\n"
                   "      range: {from: 200/s, to: 1800/s, step: 200/s}\n");
    remove_dir(TEST_TMP "distsim-sweep-clean");
    remove_dir(TEST_TMP "distsim-sweep-killed");
    remove_dir(TEST_TMP ".distsim-sweep-killed.partial");
    pid = start(killed);
    /* Kill it once some points, but not all nine, are in place. */
    for (int i = 0; i < 3000 && n_done < 2; i++) {
        nanosleep(&pause, NULL);
        n_done = count_points(TEST_TMP ".distsim-sweep-killed.partial");
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    n_done = count_points(TEST_TMP ".distsim-sweep-killed.partial");
    printf("  killed with %zu of 9 points finished\n", n_done);
    CHECK(n_done >= 2 && n_done < 9);
    run_ok(resume);
    run_ok(clean);
    compare_outputs(TEST_TMP "distsim-sweep-clean", TEST_TMP "distsim-sweep-killed",
                    9);
    unlink(yaml);
}

static void test_sweep__resume_runs_a_damaged_point_again(void)
{
    const char *yaml = TEST_TMP "distsim-sweep-damaged.yaml";
    const char *clean[] = {"sweep", yaml, "-q", "--jobs", "2", "-o",
                           TEST_TMP "distsim-sweep-whole", NULL};
    const char *resume[] = {"sweep", yaml, "-q", "--jobs", "2", "-o",
                            TEST_TMP "distsim-sweep-damaged", "--resume",
                            NULL};
    const char *partial = TEST_TMP ".distsim-sweep-damaged.partial";
    char path[256];
    FILE *f;

    write_scenario(yaml, "5s", "  params:\n"
                   "    - key: servers.s.workers\n      values: [2, 3, 4]\n");
    remove_dir(TEST_TMP "distsim-sweep-whole");
    remove_dir(TEST_TMP "distsim-sweep-damaged");
    remove_dir(partial);
    /* A finished sweep stands in for an interrupted one, one point spoilt. */
    run_ok(clean);
    CHECK_EQ_INT(rename(TEST_TMP "distsim-sweep-whole", partial), 0);
    snprintf(path, sizeof path, "%s/points/0001/summary.json", partial);
    f = fopen(path, "w");
    CHECK(f != NULL && fputs("{\"metrics\": [", f) >= 0 && fclose(f) == 0);
    /* JSON, but not a point's summary: empty, or figures without "n". */
    snprintf(path, sizeof path, "%s/points/0002/summary.json", partial);
    f = fopen(path, "w");
    CHECK(f != NULL && fputs("{}", f) >= 0 && fclose(f) == 0);
    snprintf(path, sizeof path, "%s/points/0000/summary.json", partial);
    f = fopen(path, "w");
    CHECK(f != NULL && fputs("{\"metrics\": [{\"scope\": \"x\", \"name\": "
                             "\"y\", \"unit\": \"\", \"mean\": 1}]}", f) >= 0
          && fclose(f) == 0);
    run_ok(resume);
    run_ok(clean);
    compare_outputs(TEST_TMP "distsim-sweep-whole",
                    TEST_TMP "distsim-sweep-damaged", 3);
    unlink(yaml);
}

/* Parses a sweep section given as YAML text. */
static struct sim_sweep *parse(const char *text, struct sim_cfg **cfg)
{
    struct sim_doc *doc = NULL;
    struct sim_sweep *sw = NULL;

    *cfg = sim_cfg_new("t.yaml");
    CHECK_EQ_INT(sim_doc_parse(*cfg, text, strlen(text), &doc), 0);
    sim_sweep_parse(*cfg, sim_doc_node_get(sim_doc_root(doc), "sweep"), &sw);
    sim_doc_free(doc);
    return sw;
}

static void test_sweep__grid_zip_and_log_ranges(void)
{
    struct sim_cfg *cfg;
    struct sim_sweep *sw;
    char buf[128];

    sw = parse("sweep:\n  params:\n    - key: a\n      range: {from: 1, "
               "to: 1000, points: 4, scale: log}\n    - key: b\n      "
               "values: [x, y]\n", &cfg);
    CHECK(sw != NULL);
    CHECK_EQ_INT(sw->n_points, 8);
    CHECK_EQ_STR(sw->params[0].values[1], "10");
    CHECK_EQ_STR(sw->params[0].values[3], "1000");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 5, 0, buf, sizeof buf), "a=100");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 5, 1, buf, sizeof buf), "b=y");
    sim_sweep_free(sw);
    sim_cfg_free(cfg);
    sw = parse("sweep:\n  combine: zip\n  params:\n    - key: a\n      "
               "range: {from: 0.5ms, to: 2ms, step: 0.5ms}\n    - key: b\n"
               "      values: [1, 2, 3, 4]\n", &cfg);
    CHECK(sw != NULL);
    CHECK_EQ_INT(sw->n_points, 4);
    CHECK_EQ_STR(sim_sweep_assignment(sw, 2, 0, buf, sizeof buf),
                 "a=1.5ms");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 2, 1, buf, sizeof buf), "b=3");
    CHECK(sw->params[0].is_numeric);
    CHECK_EQ_STR(sw->params[0].unit, "ms");
    sim_sweep_free(sw);
    sim_cfg_free(cfg);
}

static void test_sweep__whole_range_stepping_by_one_is_capped(void)
{
    struct sim_cfg *cfg;
    struct sim_sweep *sw;
    char buf[256];

    sw = parse("sweep:\n  params:\n    - key: a\n      range: {from: 1, "
               "to: 10000}\n", &cfg);
    CHECK(sw != NULL);
    CHECK_EQ_INT(sw->n_points, 10000);
    sim_sweep_free(sw);
    sim_cfg_free(cfg);
    sw = parse("sweep:\n  params:\n    - key: a\n      range: {from: 1, "
               "to: 1000000000000}\n", &cfg);
    CHECK(sw == NULL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, buf, sizeof buf),
                 "t.yaml:4:14: sweep.params[0].range: gives more than 10000 "
                 "values");
    sim_sweep_free(sw);
    sim_cfg_free(cfg);
}

static void test_sweep__quoted_values_stay_text(void)
{
    struct sim_cfg *cfg;
    struct sim_sweep *sw;
    char buf[128];

    sw = parse("sweep:\n  params:\n    - key: title\n      values: [\"~\", "
               "'%d', \"it's\", plain]\n", &cfg);
    CHECK(sw != NULL);
    CHECK_EQ_STR(sw->params[0].values[0], "~");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 0, 0, buf, sizeof buf),
                 "title='~'");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 1, 0, buf, sizeof buf),
                 "title='%d'");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 2, 0, buf, sizeof buf),
                 "title='it''s'");
    CHECK_EQ_STR(sim_sweep_assignment(sw, 3, 0, buf, sizeof buf),
                 "title=plain");
    sim_sweep_free(sw);
    sim_cfg_free(cfg);
}

static void test_sweep__a_value_with_a_line_break_is_refused(void)
{
    struct sim_cfg *cfg;
    struct sim_sweep *sw;
    char buf[256];

    sw = parse("sweep:\n  params:\n    - key: title\n      values: [a, "
               "\"b\\tc\"]\n", &cfg);
    CHECK(sw == NULL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, buf, sizeof buf),
                 "t.yaml:4:19: sweep.params[0].values[1]: a swept value may "
                 "not hold a tab or a line break (it names its point on one "
                 "line of sweep.tsv)");
    sim_cfg_free(cfg);
}

static void test_sweep__a_point_without_requests_says_n_a(void)
{
    const char *yaml = TEST_TMP "distsim-sweep-none.yaml";
    const char *args[] = {"sweep", yaml, "--charts", "none", "-o",
                          TEST_TMP "distsim-sweep-none", NULL};
    struct spawn_out o;

    write_scenario(yaml, "2s", "  params:\n"
                   "    - key: clients.c.arrival.rate\n"
                   "      values: [0.001/s, 100/s]\n");
    remove_dir(TEST_TMP "distsim-sweep-none");
    spawn_distsim(args, &o);
    CHECK_EQ_INT(o.status, 0);
    CHECK(strstr(o.out, "rate=0.001/s  expectations: unsure  throughput 0/s"
                 "  | client c response time p99 n/a\n") != NULL);
    CHECK(strstr(o.out, "nan") == NULL);
    spawn_release(&o);
    remove_dir(TEST_TMP "distsim-sweep-none");
    unlink(yaml);
}

static void expect_problems(const char *sweep, const char *want)
{
    const char *yaml = TEST_TMP "distsim-sweep-bad.yaml";
    const char *args[] = {"sweep", yaml, "-o", TEST_TMP "distsim-sweep-bad",
                          NULL};
    struct spawn_out o;

    write_scenario(yaml, "10s", sweep);
    spawn_distsim(args, &o);
    CHECK_EQ_INT(o.status, 2);
    CHECK_EQ_STR(o.err, want);
    spawn_release(&o);
    unlink(yaml);
}

static void test_sweep__bad_definitions_are_reported_with_positions(void)
{
    expect_problems("  combine: mesh\n  parms: []\n",
                    TEST_TMP "distsim-sweep-bad.yaml:17:3: sweep: needs params "
                    "(the parameters to sweep)\n"
                    TEST_TMP "distsim-sweep-bad.yaml:17:12: sweep.combine: "
                    "\"mesh\" is not grid or zip\n"
                    TEST_TMP "distsim-sweep-bad.yaml:18:3: sweep.parms: unknown "
                    "key; did you mean \"params\"?\n");
    expect_problems("  params:\n    - key: x\n      range: {from: 1/s, to: "
                    "5ms, points: 1}\n",
                    TEST_TMP "distsim-sweep-bad.yaml:19:30: "
                    "sweep.params[0].range: from and to must have the same "
                    "unit (\"/s\" and \"ms\")\n");
    expect_problems("  combine: zip\n  params:\n    - key: a\n      values: "
                    "[1, 2]\n    - key: a\n      values: [1]\n",
                    TEST_TMP "distsim-sweep-bad.yaml:21:12: sweep.params[1].key:"
                    " \"a\" is swept twice (also sweep.params[0])\n");
}

static void test_sweep__bad_values_point_at_the_sweep(void)
{
    expect_problems("  params:\n    - key: servers.s.workers\n"
                    "      values: [2, 0]\n"
                    "    - key: servers.s.wrokers\n      values: [1]\n",
                    TEST_TMP "distsim-sweep-bad.yaml:21:16: servers[0].wrokers: "
                    "unknown key; did you mean \"workers\"? (swept value "
                    "servers.s.wrokers=1)\n"
                    TEST_TMP "distsim-sweep-bad.yaml:19:19: servers[0].workers: "
                    "must be between 1 and 100000 (swept value "
                    "servers.s.workers=0)\n");
}

CHECK_MAIN(CHECK_TEST(test_sweep__grid_zip_and_log_ranges),
           CHECK_TEST(test_sweep__same_bytes_for_one_and_two_workers),
           CHECK_TEST(test_sweep__resume_after_kill_gives_the_same_bytes),
           CHECK_TEST(test_sweep__resume_runs_a_damaged_point_again),
           CHECK_TEST(test_sweep__whole_range_stepping_by_one_is_capped),
           CHECK_TEST(test_sweep__bad_definitions_are_reported_with_positions),
           CHECK_TEST(test_sweep__bad_values_point_at_the_sweep),
           CHECK_TEST(test_sweep__quoted_values_stay_text),
           CHECK_TEST(test_sweep__a_value_with_a_line_break_is_refused),
           CHECK_TEST(test_sweep__a_point_without_requests_says_n_a))
