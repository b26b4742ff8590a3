/* SPDX-License-Identifier: MIT */
/*
 * test_progress.c - the progress line of long runs: what it says, that a
 * run longer than a second shows it when standard error is a terminal (a
 * pseudo-terminal here), with replications in worker processes sending
 * progress records, and that it stays quiet when standard error is not a
 * terminal; a sweep's line counts points.
 */
#define _XOPEN_SOURCE 600

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/outdir.h"
#include "sim/progress.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define DIR TEST_TMP "distsim-progress"

/* A run of about two seconds: two replications of 1500 s, two workers. */
static const char *const long_run[] = {
    "run", "tests/scenarios/small.yaml", "--force", "-o", DIR,
    "--set", "duration=1500s", "--replications", "2", "--jobs", "2",
    "--charts", "none", NULL,
};

static void test_progress__line_says_share_replications_and_time_left(void)
{
    struct sim_batch_progress p = {
        .n_reps = 5, .n_done = 2, .sim_s = 126, .sim_total_s = 300,
    };
    char line[160];

    CHECK_EQ_STR(sim_progress_format(&p, 10, line, sizeof line),
                 "progress: 42% (2 of 5 replications done, 126s of 300s "
                 "simulated), about 14s left");
    p = (struct sim_batch_progress){.n_reps = 1, .sim_total_s = 60};
    CHECK_EQ_STR(sim_progress_format(&p, 3, line, sizeof line),
                 "progress: 0% (0 of 1 replication done, 0ns of 60s "
                 "simulated), time left unknown");
    p = (struct sim_batch_progress){.n_reps = 3, .n_done = 1,
                                    .sim_s = 3600, .sim_total_s = 36000};
    CHECK_EQ_STR(sim_progress_format(&p, 500, line, sizeof line),
                 "progress: 10% (1 of 3 replications done, 60min of 10h "
                 "simulated), about 1h15m left");
}

static void test_progress__disabled_or_early_gives_no_line(void)
{
    struct sim_batch_progress p = {.n_reps = 1, .sim_total_s = 1};
    struct sim_progress off, early;
    char line[160];

    sim_progress_start(&off, false);
    off.t_start -= 10;
    CHECK(!sim_progress_update(&off, &p, line, sizeof line));
    sim_progress_start(&early, true);
    CHECK(!sim_progress_update(&early, &p, line, sizeof line));
    early.t_start -= 2;
    CHECK(sim_progress_update(&early, &p, line, sizeof line));
    CHECK(!sim_progress_update(&early, &p, line, sizeof line));
}

static void test_progress__quiet_when_not_a_terminal(void)
{
    struct spawn_out o;
    char *summary;

    spawn_distsim(long_run, &o);
    CHECK_EQ_INT(o.status, 0);
    CHECK_EQ_STR(o.err, "");
    spawn_release(&o);
    summary = spawn_read_file(DIR "/summary.json", NULL);
    CHECK(summary != NULL);
    free(summary);
    sim_outdir_remove_tree(DIR);
}

/* Runs args with standard error on a pseudo-terminal; what it said. */
static char *run_on_terminal(const char *const *args, int *status)
{
    const char *prog = getenv("DISTSIM");
    const char *argv[32] = {prog ? prog : "build/release/distsim"};
    int master = posix_openpt(O_RDWR | O_NOCTTY), slave, st;
    char *said = calloc(1, 1), chunk[4096];
    size_t len = 0, n = 1;
    ssize_t r;
    pid_t pid;

    for (; args[n - 1] != NULL && n < 31; n++)
        argv[n] = args[n - 1];
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        return said;
    /* Opened before the fork, so the master never reads a closed side. */
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    pid = fork();
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY);

        /* Lines from the start: the test must not depend on speed. */
        setenv("DISTSIM_PROGRESS_AFTER", "0", 1);
        dup2(null_fd, 1);
        dup2(slave, 2);
        close(slave);
        close(master);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(slave);
    while ((r = read(master, chunk, sizeof chunk)) > 0 ||
           (r < 0 && errno == EINTR))
        if (r > 0)
            spawn_append(&said, &len, chunk, (size_t)r);
    close(master);
    waitpid(pid, &st, 0);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return said;
}

static void test_progress__shown_on_a_terminal(void)
{
    int status = -1;
    char *said = run_on_terminal(long_run, &status);

    CHECK_EQ_INT(status, 0);
    if (strstr(said, "progress: ") == NULL)
        printf("  the terminal got: \"%s\"\n", said);
    CHECK(strstr(said, "\rprogress: ") != NULL);
    CHECK(strstr(said, " of 2 replications done, ") != NULL);
    CHECK(strstr(said, " of 50min simulated), ") != NULL);
    CHECK(strstr(said, " left\033[K") != NULL);
    CHECK(strlen(said) >= 4 &&
          strcmp(said + strlen(said) - 4, "\r\033[K") == 0);
    free(said);
    sim_outdir_remove_tree(DIR);
}

/* A sweep counts points, over the simulated time of all of them. */
static void test_progress__sweep_shows_points_on_a_terminal(void)
{
    static const char *const sweep[] = {
        "sweep", "scenarios/mmc-sweep.yaml", "--force", "-o", DIR,
        "--jobs", "2", "--charts", "none", NULL,
    };
    int status = -1;
    char *said = run_on_terminal(sweep, &status);

    CHECK_EQ_INT(status, 0);
    if (strstr(said, " points done, ") == NULL)
        printf("  the terminal got: \"%s\"\n", said);
    CHECK(strstr(said, "\rprogress: ") != NULL);
    CHECK(strstr(said, " of 6 points done, ") != NULL);
    CHECK(strstr(said, " of 480s simulated), ") != NULL);
    CHECK(strlen(said) >= 4 &&
          strcmp(said + strlen(said) - 4, "\r\033[K") == 0);
    free(said);
    sim_outdir_remove_tree(DIR);
}

CHECK_MAIN(CHECK_TEST(
               test_progress__line_says_share_replications_and_time_left),
           CHECK_TEST(test_progress__disabled_or_early_gives_no_line),
           CHECK_TEST(test_progress__quiet_when_not_a_terminal),
           CHECK_TEST(test_progress__shown_on_a_terminal),
           CHECK_TEST(test_progress__sweep_shows_points_on_a_terminal))
