/* SPDX-License-Identifier: MIT */
/*
 * gnuplot.c - chart processes. Each gnuplot runs with -d (no init files,
 * so a user's ~/.gnuplot cannot change the bytes of a chart) in the
 * output directory, so every path it is given is a fixed relative name
 * that the simulator chose. Its error output goes to a scratch file in
 * that directory, read back for the message and removed.
 */
#include "sim/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GNUPLOT_PROBE "latency.gp"      /* a script every plots/ has */

#ifndef SIM_PLOTS_DIR
#error "SIM_PLOTS_DIR, the absolute path of plots/, comes from the build"
#endif

static bool is_executable(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

bool sim_gnuplot_is_installed(void)
{
    const char *path = getenv("PATH");
    char buf[4096];

    if (path == NULL)
        path = "/usr/bin:/bin";
    while (*path != '\0') {
        size_t len = strcspn(path, ":");

        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)len, path);
        if (len > 0 && is_executable(buf))
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* dir made absolute into buf; false when it does not fit. */
static bool absolute(const char *dir, char *buf, size_t n)
{
    char cwd[4096];

    if (dir[0] == '/')
        return (size_t)snprintf(buf, n, "%s", dir) < n;
    if (getcwd(cwd, sizeof cwd) == NULL)
        return false;
    return (size_t)snprintf(buf, n, "%s/%s", cwd, dir) < n;
}

/* plots/ two levels above the running program, into buf. */
static bool beside_program(char *buf, size_t n)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (len <= 0)
        return false;
    exe[len] = '\0';
    for (int up = 0; up < 3; up++) {
        slash = strrchr(exe, '/');
        if (slash == NULL)
            return false;
        *slash = '\0';
    }
    return (size_t)snprintf(buf, n, "%s/plots", exe) < n;
}

/* Whether dir holds the chart scripts. */
static bool has_scripts(const char *dir)
{
    char probe[4200];

    snprintf(probe, sizeof probe, "%s/%s", dir, GNUPLOT_PROBE);
    return access(probe, R_OK) == 0;
}

int sim_gnuplot_scripts(char *buf, size_t n, struct sim_error *err)
{
    const char *env = getenv("DISTSIM_PLOTS");

    if (env != NULL && env[0] != '\0') {
        if (!absolute(env, buf, n))
            return sim_error_set(err, SIM_EIO, "DISTSIM_PLOTS is too "
                                 "long a path");
        if (!has_scripts(buf))
            return sim_error_set(err, SIM_EIO, "no chart scripts in "
                                 "\"%s\" (DISTSIM_PLOTS names it)", buf);
        return 0;
    }
    if (beside_program(buf, n) && has_scripts(buf))
        return 0;
    if ((size_t)snprintf(buf, n, "%s", SIM_PLOTS_DIR) < n &&
        has_scripts(buf))
        return 0;
    return sim_error_set(err, SIM_EIO, "no chart scripts in plots/ two "
                         "levels above the program nor in \"%s\", where "
                         "it was built (set DISTSIM_PLOTS to the plots "
                         "directory)", SIM_PLOTS_DIR);
}

/* In the child: the working directory and the three standard streams. */
static void child_setup(const char *dir, const char *log)
{
    int null_fd, log_fd;

    if (chdir(dir) != 0)
        _exit(126);
    null_fd = open("/dev/null", O_RDWR);
    log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || log_fd < 0)
        _exit(126);
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(log_fd, 2);
    close(null_fd);
    close(log_fd);
}

static pid_t start(const char *dir, const struct sim_gnuplot_job *job,
                   const char *log)
{
    const char *argv[SIM_GNUPLOT_MAX_ARGS + 5] = {"gnuplot", "-d", "-c",
                                                  job->script};
    size_t n = 4;
    pid_t pid;

    for (size_t i = 0; job->args[i] != NULL && i < SIM_GNUPLOT_MAX_ARGS; i++)
        argv[n++] = job->args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid != 0)
        return pid;
    child_setup(dir, log);
    execvp("gnuplot", (char *const *)argv);
    _exit(127);
}

/* The first line of the log that says something, into job->message. */
static void read_message(const char *path, struct sim_gnuplot_job *job)
{
    FILE *f = fopen(path, "r");
    char line[256];

    job->message[0] = '\0';
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strspn(line, " \t^") == strlen(line))
            continue;
        snprintf(job->message, sizeof job->message, "%s", line);
        if (strstr(line, "rror") != NULL || strstr(line, "line ") != NULL)
            break;
    }
    if (f != NULL)
        fclose(f);
}

static void finish(const char *dir, pid_t pid, struct sim_gnuplot_job *job,
                   size_t i)
{
    char log[4200];
    int st;

    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    job->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    snprintf(log, sizeof log, "%s/.gnuplot-%zu.log", dir, i);
    if (job->status != 0)
        read_message(log, job);
    unlink(log);
}

int sim_gnuplot_run(const char *dir, struct sim_gnuplot_job *jobs, size_t n,
                    unsigned parallel, struct sim_error *err)
{
    pid_t pids[64];
    char log[64];

    if (parallel < 1)
        parallel = 1;
    if (parallel > sizeof pids / sizeof pids[0])
        parallel = sizeof pids / sizeof pids[0];
    fflush(NULL);
    for (size_t at = 0; at < n; at += parallel) {
        size_t end = at + parallel < n ? at + parallel : n;
        int fork_errno = 0;

        for (size_t i = at; i < end; i++) {
            snprintf(log, sizeof log, ".gnuplot-%zu.log", i);
            jobs[i].status = 127;
            pids[i - at] = fork_errno == 0 ? start(dir, &jobs[i], log) : -1;
            if (pids[i - at] < 0 && fork_errno == 0)
                fork_errno = errno;
        }
        for (size_t i = at; i < end; i++)
            if (pids[i - at] > 0)
                finish(dir, pids[i - at], &jobs[i], i);
        if (fork_errno != 0)
            return sim_error_set(err, SIM_EIO, "cannot start gnuplot: %s",
                                 strerror(fork_errno));
    }
    return 0;
}
