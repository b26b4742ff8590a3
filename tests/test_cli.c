/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c - the distsim program as a user meets it: help, version and
 * usage errors with their exit codes; the same scenario and seed giving
 * the same bytes, whatever the number of worker processes; --set and
 * --seed; the output directory replaced whole, and refused when it is not
 * a distsim output; a runaway scenario stopped with exit code 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/outdir.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define SMALL "tests/scenarios/small.yaml"

static void run_expect(const char *const *args, int status,
                       struct spawn_out *o)
{
    spawn_distsim(args, o);
    if (o->status != status)
        printf("  stderr: %s", o->err);
    CHECK_EQ_INT(o->status, status);
}

static void test_cli__version_and_help(void)
{
    struct spawn_out o;

    run_expect((const char *[]){"--version", NULL}, 0, &o);
    CHECK(strncmp(o.out, "distsim ", 8) == 0);
    spawn_release(&o);
    run_expect((const char *[]){"--help", NULL}, 0, &o);
    CHECK(strstr(o.out, "run SCENARIO.yaml") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"run", "--help", NULL}, 0, &o);
    CHECK(strstr(o.out, "--replications N") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"validate", "-h", NULL}, 0, &o);
    CHECK(strstr(o.out, "usage: distsim validate") != NULL);
    spawn_release(&o);
}

static void test_cli__usage_errors_exit_2(void)
{
    struct spawn_out o;

    run_expect((const char *[]){NULL}, 2, &o);
    spawn_release(&o);
    run_expect((const char *[]){"frobnicate", NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: unknown command \"frobnicate\" (see "
                        "distsim --help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "--bogus", NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: unknown option \"--bogus\" (see distsim "
                        "run --help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: missing the scenario file (see distsim "
                        "run --help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "--jobs", "0", NULL}, 2, &o);
    spawn_release(&o);
    run_expect((const char *[]){"validate", "/nonexistent.yaml", NULL}, 2,
               &o);
    CHECK(strstr(o.err, "cannot read") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"validate", SMALL, "-o", "x", NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: option --output does not apply to this "
                        "command (see distsim validate --help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "--seed", "1", "--seed", "2",
                                NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: --seed given twice (see distsim run "
                        "--help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "-o", "a", "--output=b",
                                NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: --output given twice (see distsim run "
                        "--help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"plan", SMALL, "--param", "seed", "--param",
                                "seed", NULL}, 2, &o);
    CHECK_EQ_STR(o.err, "distsim: --param given twice (see distsim plan "
                        "--help)\n");
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "--set", "sweep.combine=zip",
                                NULL}, 2, &o);
    CHECK(strstr(o.err, "a sweep is read from the file only") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"--version", "extra", NULL}, 2, &o);
    spawn_release(&o);
}

/* -o naming the scenario or a directory above it is refused, even forced. */
static void test_cli__output_never_replaces_the_scenario(void)
{
    const char *dir = TEST_TMP "distsim-cli-home";
    const char *path = TEST_TMP "distsim-cli-home/s.yaml";
    char *text = spawn_read_file(SMALL, NULL);
    struct spawn_out o;
    struct stat st;
    FILE *f;

    mkdir(dir, 0755);
    f = fopen(path, "w");
    CHECK(f != NULL && text != NULL);
    fputs(text, f);
    fclose(f);
    free(text);
    run_expect((const char *[]){"run", path, "-o", dir, "--force", NULL}, 2,
               &o);
    CHECK(strstr(o.err, "holds the scenario file") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"run", path, "-o", path, "--force", NULL}, 2,
               &o);
    spawn_release(&o);
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    sim_outdir_remove_tree(dir);
}

/* validate checks every point of a sweep, as sweep would before running. */
static void test_cli__validate_checks_a_sweep(void)
{
    const char *path = TEST_TMP "distsim-cli-sweep.yaml";
    FILE *f = fopen(path, "w");
    struct spawn_out o;

    CHECK(f != NULL);
    fputs("name: s\nduration: 1s\n"
          "clients: [{name: c, arrival: {process: poisson, rate: 10/s}, "
          "target: s}]\n"
          "servers: [{name: s, service: {dist: constant, value: 1ms}}]\n"
          "sweep:\n  params:\n    - {key: servers.s.workers, "
          "values: [2, 0]}\n", f);
    fclose(f);
    run_expect((const char *[]){"validate", path, NULL}, 2, &o);
    CHECK(strstr(o.err, ":7:44: servers[0].workers: ") != NULL);
    CHECK(strstr(o.err, "(swept value servers.s.workers=0)") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"validate", path, "--set",
                                "servers.s.workers=3", NULL}, 2, &o);
    CHECK(strstr(o.err, "already set by --set 'servers.s.workers=3'")
          != NULL);
    spawn_release(&o);
    remove(path);
}

/* Runs SMALL into dir with extra arguments; returns summary.json. */
static char *run_small(const char *dir, const char *a1, const char *a2)
{
    struct spawn_out o;
    char path[512];

    run_expect((const char *[]){"run", SMALL, "-q", "--force", "-o", dir,
                                a1, a2, NULL}, 0, &o);
    spawn_release(&o);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    return spawn_read_file(path, NULL);
}

static bool same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char pa[512], pb[512];
    size_t la = 0, lb = 0;
    char *a, *b;
    bool is_same;

    snprintf(pa, sizeof pa, "%s/%s", a_dir, name);
    snprintf(pb, sizeof pb, "%s/%s", b_dir, name);
    a = spawn_read_file(pa, &la);
    b = spawn_read_file(pb, &lb);
    is_same = a && b && la == lb && memcmp(a, b, la) == 0;
    free(a);
    free(b);
    return is_same;
}

static void test_cli__same_seed_same_bytes_for_any_jobs(void)
{
    static const char *const files[] = {
        "summary.json", "metrics.tsv", "series.tsv", "scenario.yaml",
    };
    char *a = run_small(TEST_TMP "distsim-cli-a", "--jobs", "1");
    char *b = run_small(TEST_TMP "distsim-cli-b", "--jobs", "4");
    char *c = run_small(TEST_TMP "distsim-cli-c", "--jobs", "1");

    CHECK(a && b && c);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        CHECK(same_file(TEST_TMP "distsim-cli-a", TEST_TMP "distsim-cli-b",
                        files[i]));
        CHECK(same_file(TEST_TMP "distsim-cli-a", TEST_TMP "distsim-cli-c",
                        files[i]));
    }
    free(a);
    free(b);
    free(c);
    a = run_small(TEST_TMP "distsim-cli-d", "--seed", "4");
    CHECK(!same_file(TEST_TMP "distsim-cli-a", TEST_TMP "distsim-cli-d",
                     "metrics.tsv"));
    free(a);
    for (int i = 0; i < 4; i++) {
        char dir[64];

        snprintf(dir, sizeof dir, TEST_TMP "distsim-cli-%c", 'a' + i);
        sim_outdir_remove_tree(dir);
    }
}

static void test_cli__books_balance_and_table_shows_intervals(void)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", SMALL, "-o", TEST_TMP "distsim-cli-t",
                                "--force", NULL}, 0, &o);
    CHECK(strstr(o.out, "client web") != NULL);
    CHECK(strstr(o.out, "response time p99.9") != NULL);
    CHECK(strstr(o.out, "±") != NULL);
    CHECK(strstr(o.out, "DO NOT BALANCE") == NULL);
    CHECK(strstr(o.out, "(balanced)") != NULL);
    spawn_release(&o);
    sim_outdir_remove_tree(TEST_TMP "distsim-cli-t");
}

static void test_cli__set_changes_the_run(void)
{
    char *a = run_small(TEST_TMP "distsim-cli-s1", "--replications", "2");
    char *b = run_small(TEST_TMP "distsim-cli-s2", "--set",
                        "clients[0].arrival.rate=100/s");

    CHECK(a && b);
    CHECK(strstr(a, "\"replications\": 2") != NULL);
    CHECK(strcmp(a, b) != 0);
    free(a);
    free(b);
    sim_outdir_remove_tree(TEST_TMP "distsim-cli-s1");
    sim_outdir_remove_tree(TEST_TMP "distsim-cli-s2");
}

static void test_cli__output_directory_is_replaced_whole(void)
{
    const char *dir = TEST_TMP "distsim-cli-out";
    struct spawn_out o;
    struct stat st;
    FILE *f;

    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    f = fopen(TEST_TMP "distsim-cli-out/precious.txt", "w");
    fputs("keep me\n", f);
    fclose(f);
    run_expect((const char *[]){"run", SMALL, "-q", "-o", dir, NULL}, 2, &o);
    CHECK(strstr(o.err, "is not a distsim output") != NULL);
    CHECK(stat(TEST_TMP "distsim-cli-out/precious.txt", &st) == 0);
    spawn_release(&o);
    run_expect((const char *[]){"run", SMALL, "-q", "-o", dir, "--force",
                                NULL}, 0, &o);
    CHECK(stat(TEST_TMP "distsim-cli-out/precious.txt", &st) != 0);
    CHECK(stat(TEST_TMP "distsim-cli-out/summary.json", &st) == 0);
    spawn_release(&o);
    /* A distsim output is replaced without --force. */
    run_expect((const char *[]){"run", SMALL, "-q", "-o", dir, NULL}, 0, &o);
    spawn_release(&o);
    sim_outdir_remove_tree(dir);
}

/* --force replaces only a directory, never one holding the home directory. */
static void test_cli__force_spares_files_and_the_home_directory(void)
{
    const char *file = TEST_TMP "distsim-cli-file.txt";
    const char *home = TEST_TMP "distsim-cli-home2";
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *text;
    struct spawn_out o;
    struct stat st;
    FILE *f = fopen(file, "w");

    CHECK(f != NULL);
    fputs("keep me\n", f);
    fclose(f);
    run_expect((const char *[]){"run", SMALL, "-q", "-o", file, "--force",
                                NULL}, 2, &o);
    CHECK(strstr(o.err, "is not a directory; distsim replaces only "
                 "directories") != NULL);
    spawn_release(&o);
    text = spawn_read_file(file, NULL);
    CHECK(text != NULL && strcmp(text, "keep me\n") == 0);
    free(text);
    remove(file);
    mkdir(home, 0755);
    setenv("HOME", home, 1);
    run_expect((const char *[]){"run", SMALL, "-q", "-o", home, "--force",
                                NULL}, 2, &o);
    if (old_home != NULL)
        setenv("HOME", old_home, 1);
    free(old_home);
    CHECK(strstr(o.err, "holds the working or the home directory") != NULL);
    spawn_release(&o);
    CHECK(stat(home, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(home);
}

/*
 * A directory holding a file the scenario reads is never replaced, not
 * even an earlier output of distsim, not even with --force.
 */
static void test_cli__force_spares_the_scenarios_data(void)
{
    const char *dir = TEST_TMP "distsim-cli-data";
    const char *values = TEST_TMP "distsim-cli-data/v.txt";
    const char *path = TEST_TMP "distsim-cli-data.yaml";
    struct spawn_out o;
    struct stat st;
    FILE *f;

    /* An earlier output of distsim, which a run may otherwise replace. */
    run_expect((const char *[]){"run", "tests/scenarios/small.yaml", "-q",
                                "-o", dir, "--charts", "none", NULL}, 0, &o);
    spawn_release(&o);
    f = fopen(values, "w");
    CHECK(f != NULL);
    fputs("1ms\n2ms\n", f);
    fclose(f);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("name: d\nduration: 1s\nclients: [{name: c, arrival: {process: "
          "poisson, rate: 10/s}, target: s}]\nservers: [{name: s, service: "
          "{dist: empirical, file: distsim-cli-data/v.txt}}]\n", f);
    fclose(f);
    run_expect((const char *[]){"run", path, "-q", "-o", dir, NULL}, 2,
               &o);
    CHECK(strstr(o.err, "holds a file the scenario reads") != NULL);
    spawn_release(&o);
    run_expect((const char *[]){"run", path, "-q", "-o", dir, "--force",
                                NULL}, 2, &o);
    CHECK(strstr(o.err, "holds a file the scenario reads") != NULL);
    spawn_release(&o);
    CHECK(stat(values, &st) == 0 && S_ISREG(st.st_mode));
    sim_outdir_remove_tree(dir);
    remove(path);
}

static void test_cli__runaway_stops_with_exit_3(void)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", SMALL, "-q", "-o",
                                TEST_TMP "distsim-cli-run", "--set",
                                "limits.requests=50", "--set",
                                "clients[0].arrival.rate=50k/s", NULL}, 3,
               &o);
    CHECK(strstr(o.err, "more than 50 requests in flight") != NULL);
    spawn_release(&o);
}

/*
 * Five users that think for no time before four workers with no waiting
 * room: the fifth is rejected at once, again and again, at one instant.
 */
static void test_cli__closed_loop_standing_still_stops_with_exit_3(void)
{
    struct spawn_out o;
    struct stat st;

    run_expect((const char *[]){"run", SMALL, "-q", "-o",
                                TEST_TMP "distsim-cli-still", "--set",
                                "clients[1].think=~", "--set",
                                "servers.app.queue.capacity=0", NULL}, 3,
               &o);
    CHECK(strstr(o.err, "client \"batch\": simulated time stands still "
                 "at 0s") != NULL);
    CHECK(stat(TEST_TMP "distsim-cli-still", &st) != 0);
    spawn_release(&o);
}

CHECK_MAIN(CHECK_TEST(test_cli__version_and_help),
           CHECK_TEST(test_cli__usage_errors_exit_2),
           CHECK_TEST(test_cli__validate_checks_a_sweep),
           CHECK_TEST(test_cli__output_never_replaces_the_scenario),
           CHECK_TEST(test_cli__same_seed_same_bytes_for_any_jobs),
           CHECK_TEST(test_cli__books_balance_and_table_shows_intervals),
           CHECK_TEST(test_cli__set_changes_the_run),
           CHECK_TEST(test_cli__output_directory_is_replaced_whole),
           CHECK_TEST(test_cli__force_spares_files_and_the_home_directory),
           CHECK_TEST(test_cli__force_spares_the_scenarios_data),
           CHECK_TEST(test_cli__runaway_stops_with_exit_3),
           CHECK_TEST(test_cli__closed_loop_standing_still_stops_with_exit_3))
