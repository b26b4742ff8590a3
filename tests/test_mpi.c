/* SPDX-License-Identifier: MIT */
/*
 * test_mpi.c - sweeps under mpirun: two ranks on loopback write the same
 * bytes as one process, a point that fails on another rank reaches rank 0
 * (exit code 3, nothing left waiting), and --version names the MPI build.
 * Every test skips, saying so, when mpirun is not installed.
 */
#include "sim/ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/spawn.h"

#define MPI_YAML TEST_TMP "distsim-mpi.yaml"

static const char yaml_text[] =
    "name: mpi\nseed: 9\nduration: 6s\nwarmup: 1s\nreplications: 3\n"
    "clients:\n  - name: c\n    arrival: {process: poisson, rate: 1k/s}\n"
    "    target: s\n"
    "servers:\n  - name: s\n    workers: 2\n"
    "    service: {dist: exponential, mean: 1ms}\n"
    "expect:\n  - p99 < 10ms\n"
    "sweep:\n  params:\n    - key: clients.c.arrival.rate\n"
    "      range: {from: 200/s, to: 1700/s, points: 4}\n";

/* Whether an executable mpirun is on PATH. */
static bool has_mpirun(void)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
    char probe[4200];
    bool is_found = false;

    for (char *dir = strtok_r(copy, ":", &save); dir != NULL && !is_found;
         dir = strtok_r(NULL, ":", &save)) {
        snprintf(probe, sizeof probe, "%s/mpirun", dir);
        is_found = access(probe, X_OK) == 0;
    }
    free(copy);
    return is_found;
}

static void write_yaml(void)
{
    FILE *f = fopen(MPI_YAML, "w");

    CHECK(f != NULL);
    fputs(yaml_text, f);
    fclose(f);
}

/*
 * Runs "mpirun -np 2 ... distsim sweep MPI_YAML -q -o dir" plus extra
 * (NULL-terminated) under a time limit, so a rank left waiting fails the
 * test instead of hanging it. The ranks talk over loopback only (the self
 * and tcp transports, tcp on lo). Under AddressSanitizer, Open MPI's own
 * allocations are still held at MPI_Finalize and would be reported as
 * leaks, so leak detection is off in the ranks, and only there (-x sets
 * it for the launched processes, not for this test or mpirun).
 */
static void run_mpirun(const char *dir, const char *const *extra,
                       struct spawn_out *o)
{
    const char *prog = getenv("DISTSIM");
    const char *argv[48] = {
        "timeout", "300", "mpirun", "-np", "2", "--oversubscribe",
        "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo",
        "-x", "ASAN_OPTIONS=detect_leaks=0",
        prog ? prog : "build/release/distsim", "sweep", MPI_YAML, "-q",
        "--jobs", "1", "-o", dir,
    };
    size_t n = 22;
    int p_out[2], p_err[2], st;
    pid_t pid;

    for (size_t i = 0; extra[i] != NULL && n < 46; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    CHECK(pipe(p_out) == 0 && pipe(p_err) == 0);
    pid = fork();
    if (pid == 0) {
        dup2(p_out[1], 1);
        dup2(p_err[1], 2);
        close(p_out[0]);
        close(p_err[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p_out[1]);
    close(p_err[1]);
    spawn_drain(p_out[0], p_err[0], o);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        continue;
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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

static void test_mpi__version_names_the_mpi_build(void)
{
    const char *args[] = {"--version", NULL};
    struct spawn_out o;

    if (!has_mpirun())
        CHECK_SKIP("mpirun is not installed");
    spawn_distsim(args, &o);
    CHECK_EQ_INT(o.status, 0);
    if (strstr(o.out, "(Open MPI ") == NULL)
        printf("  mpirun is installed but distsim says: %s", o.out);
    CHECK(strstr(o.out, "(Open MPI ") != NULL);
    spawn_release(&o);
}

static void test_mpi__two_ranks_give_the_single_process_bytes(void)
{
    const char *single[] = {"sweep", MPI_YAML, "-q", "--jobs", "1", "-o",
                            TEST_TMP "distsim-mpi-single", "--force", NULL};
    const char *const extra[] = {"--force", NULL};
    static const char *const files[] = {
        "sweep.tsv", "summary.json", "report.md", "report.html", "sweep.key",
        "charts/throughput-latency.tsv", "points/0000/summary.json",
        "points/0001/summary.json", "points/0002/metrics.tsv",
        "points/0003/summary.json", "points/0003/metrics.tsv",
    };
    struct spawn_out o;

    if (!has_mpirun())
        CHECK_SKIP("mpirun is not installed");
    write_yaml();
    spawn_distsim(single, &o);
    CHECK_EQ_INT(o.status, 0);
    spawn_release(&o);
    run_mpirun(TEST_TMP "distsim-mpi-two", extra, &o);
    if (o.status != 0)
        printf("  mpirun: %s\n", o.err);
    CHECK_EQ_INT(o.status, 0);
    spawn_release(&o);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        check_same_file(TEST_TMP "distsim-mpi-single", TEST_TMP "distsim-mpi-two",
                        files[i]);
    unlink(MPI_YAML);
}

/*
 * Point 3 (1700/s, about 41 000 events a replication) runs on rank 1 and
 * passes an event cap of 35 000 that points 0 to 2 stay under (29 000 at
 * most): rank 1 sends notices instead of results, and rank 0 says what
 * went wrong.
 */
static void test_mpi__failure_on_another_rank_reaches_rank_0(void)
{
    const char *const extra[] = {"--force", "--set", "limits.events=35000",
                                 NULL};
    struct spawn_out o;

    if (!has_mpirun())
        CHECK_SKIP("mpirun is not installed");
    write_yaml();
    run_mpirun(TEST_TMP "distsim-mpi-fail", extra, &o);
    if (o.status != 3)
        printf("  mpirun: %s\n", o.err);
    CHECK_EQ_INT(o.status, 3);
    CHECK(strstr(o.err, "distsim: sweep point 3: more than 35000 events")
          != NULL);
    CHECK(strstr(o.err, "(on another rank)") != NULL);
    spawn_release(&o);
    unlink(MPI_YAML);
}

CHECK_MAIN(CHECK_TEST(test_mpi__version_names_the_mpi_build),
           CHECK_TEST(test_mpi__two_ranks_give_the_single_process_bytes),
           CHECK_TEST(test_mpi__failure_on_another_rank_reaches_rank_0))
