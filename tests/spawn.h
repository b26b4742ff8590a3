/* SPDX-License-Identifier: MIT */
/*
 * spawn.h - running the distsim program from a test: its path comes from
 * the DISTSIM environment variable (set by tests/run_tests.py), and its
 * standard output, standard error and exit status are captured whole.
 */
#ifndef TESTS_SPAWN_H
#define TESTS_SPAWN_H

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct spawn_out {
    char *out;                          /* standard output, NUL-terminated */
    char *err;                          /* standard error */
    int status;                         /* exit code, or 128 + signal */
};

static inline void spawn_append(char **buf, size_t *len, const char *p, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* Drains both pipes to their end. */
static inline void spawn_drain(int fd_out, int fd_err, struct spawn_out *o)
{
    struct pollfd pfd[2] = {{fd_out, POLLIN, 0}, {fd_err, POLLIN, 0}};
    size_t len[2] = {0, 0};
    char chunk[4096];
    int open = 2;

    o->out = calloc(1, 1);
    o->err = calloc(1, 1);
    while (open > 0) {
        if (poll(pfd, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            ssize_t r;

            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            r = read(pfd[i].fd, chunk, sizeof chunk);
            if (r > 0) {
                spawn_append(i ? &o->err : &o->out, &len[i], chunk,
                             (size_t)r);
                continue;
            }
            close(pfd[i].fd);
            pfd[i].fd = -1;
            open--;
        }
    }
}

/*
 * Runs the program with args (argv[0] is filled in; the list ends with
 * NULL) and captures what it says. Free with spawn_release.
 */
static inline void spawn_distsim(const char *const *args, struct spawn_out *o)
{
    const char *prog = getenv("DISTSIM");
    const char *argv[64];
    int p_out[2], p_err[2], st;
    size_t n = 1;
    pid_t pid;

    argv[0] = prog ? prog : "build/release/distsim";
    for (; args[n - 1] != NULL && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    if (pipe(p_out) != 0 || pipe(p_err) != 0)
        abort();
    pid = fork();
    if (pid == 0) {
        dup2(p_out[1], 1);
        dup2(p_err[1], 2);
        close(p_out[0]);
        close(p_err[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p_out[1]);
    close(p_err[1]);
    spawn_drain(p_out[0], p_err[0], o);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline void spawn_release(struct spawn_out *o)
{
    free(o->out);
    free(o->err);
}

/* The whole content of a file, or NULL; free it. */
static inline char *spawn_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;
    char chunk[8192];
    size_t r;

    if (f == NULL)
        return NULL;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        spawn_append(&buf, &n, chunk, r);
    fclose(f);
    if (buf == NULL)
        buf = calloc(1, 1);
    if (len != NULL)
        *len = n;
    return buf;
}

#endif
