/* SPDX-License-Identifier: MIT */
/*
 * tasks.c - a pool of forked workers over a list of replications.
 *
 * The next task to take is a counter in memory shared by every worker;
 * each worker claims one with an atomic increment, so a long task never
 * holds up the rest. A worker sends each result down its own pipe as a
 * record of sim_batch_pack; the parent polls every pipe, cuts the stream
 * into whole records and hands each to the caller.
 */
#define _DEFAULT_SOURCE
#include "sim/tasks.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/batch.h"

#define TASKS_MAX_JOBS 256
#define TASKS_CHUNK 65536

/* What one worker has sent that is not yet cut into records. */
struct inbox {
    unsigned char *data;
    size_t len, cap;
};

/* The parent's view of the pool. */
struct pool {
    int fds[TASKS_MAX_JOBS];            /* read ends; -1 when closed */
    pid_t pids[TASKS_MAX_JOBS];         /* the workers it started */
    struct inbox in[TASKS_MAX_JOBS];
    unsigned n_workers;
    atomic_size_t *next;                /* shared: the next task to take */
};

static bool write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* The body of a worker: takes tasks until none is left. Never returns. */
static void worker_main(const struct sim_task *tasks, size_t n,
                        atomic_size_t *next, int fd)
{
    for (;;) {
        size_t i = atomic_fetch_add(next, 1);
        struct sim_report rep;
        struct sim_error err = {0};
        unsigned char *data;
        size_t len;
        int rc;

        if (i >= n)
            break;
        sim_report_init(&rep);
        rc = sim_batch_run_one(tasks[i].sc, tasks[i].rep, &rep, &err);
        if (sim_batch_pack((unsigned)i, rc, &rep, &err, &data, &len) != 0)
            _exit(3);
        sim_report_release(&rep);
        if (!write_all(fd, data, len))
            _exit(3);
        free(data);
    }
    close(fd);
    _exit(0);
}

static int in_process(const struct sim_task *tasks, size_t n,
                      sim_tasks_done_fn done, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        struct sim_report rep;
        struct sim_error err = {0};
        int rc, r;

        sim_report_init(&rep);
        rc = sim_batch_run_one(tasks[i].sc, tasks[i].rep, &rep, &err);
        if (rc != 0)
            sim_report_release(&rep);
        r = done(ctx, i, rc, &rep, &err);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Appends n bytes to an inbox. */
static int inbox_add(struct inbox *in, const unsigned char *p, size_t n)
{
    if (in->len + n > in->cap) {
        size_t cap = in->cap ? in->cap : TASKS_CHUNK;
        unsigned char *grown;

        while (cap < in->len + n)
            cap *= 2;
        grown = realloc(in->data, cap);
        if (grown == NULL)
            return SIM_ENOMEM;
        in->data = grown;
        in->cap = cap;
    }
    memcpy(in->data + in->len, p, n);
    in->len += n;
    return 0;
}

/* Hands every whole record of an inbox to done, keeping the rest. */
static int inbox_deliver(struct inbox *in, size_t n_tasks,
                         sim_tasks_done_fn done, void *ctx)
{
    size_t pos = 0;
    uint32_t len;
    int r = 0;

    while (r == 0 && in->len - pos >= sizeof len) {
        struct sim_report rep;
        struct sim_error err = {0};
        unsigned index;
        int rc;

        memcpy(&len, in->data + pos, sizeof len);
        if (in->len - pos - sizeof len < len)
            break;
        sim_report_init(&rep);
        if (sim_batch_unpack(in->data + pos, sizeof len + len, &index, &rc,
                             &rep, &err) != 0 || index >= n_tasks) {
            sim_report_release(&rep);
            return SIM_EINTERNAL;
        }
        pos += sizeof len + len;
        if (rc != 0)
            sim_report_release(&rep);
        r = done(ctx, index, rc, &rep, &err);
    }
    memmove(in->data, in->data + pos, in->len - pos);
    in->len -= pos;
    return r;
}

/* Reads what is ready on pipe w; closes it at its end. */
static int pool_read(struct pool *p, unsigned w, size_t n_tasks,
                     sim_tasks_done_fn done, void *ctx)
{
    unsigned char chunk[TASKS_CHUNK];
    ssize_t r = read(p->fds[w], chunk, sizeof chunk);

    if (r < 0 && errno == EINTR)
        return 0;
    if (r <= 0) {
        close(p->fds[w]);
        p->fds[w] = -1;
        return 0;
    }
    if (inbox_add(&p->in[w], chunk, (size_t)r) != 0)
        return SIM_ENOMEM;
    return inbox_deliver(&p->in[w], n_tasks, done, ctx);
}

/* Polls every open pipe until all are closed or done fails. */
static int pool_drain(struct pool *p, size_t n_tasks,
                      sim_tasks_done_fn done, void *ctx)
{
    struct pollfd pfd[TASKS_MAX_JOBS];
    unsigned n_open = p->n_workers;
    int rc = 0;

    while (n_open > 0 && rc == 0) {
        for (unsigned w = 0; w < p->n_workers; w++)
            pfd[w] = (struct pollfd){.fd = p->fds[w], .events = POLLIN};
        if (poll(pfd, p->n_workers, -1) < 0) {
            if (errno == EINTR)
                continue;
            return SIM_EIO;
        }
        for (unsigned w = 0; w < p->n_workers && rc == 0; w++) {
            if (pfd[w].fd < 0 || pfd[w].revents == 0)
                continue;
            rc = pool_read(p, w, n_tasks, done, ctx);
            n_open -= p->fds[w] < 0;
        }
    }
    return rc;
}

/* Starts the workers; the parent keeps the read end of each pipe. */
static int pool_start(struct pool *p, const struct sim_task *tasks,
                      size_t n, unsigned jobs)
{
    fflush(NULL);
    for (unsigned w = 0; w < jobs; w++) {
        int fd[2];

        if (pipe(fd) != 0)
            return SIM_EIO;
        p->pids[w] = fork();
        if (p->pids[w] < 0) {
            close(fd[0]);
            close(fd[1]);
            return SIM_EIO;
        }
        if (p->pids[w] == 0) {
            close(fd[0]);
            for (unsigned k = 0; k < w; k++)
                close(p->fds[k]);
            worker_main(tasks, n, p->next, fd[1]);
        }
        close(fd[1]);
        p->fds[w] = fd[0];
        p->n_workers++;
    }
    return 0;
}

/* Ends the pool: stops workers early when failed, reaps every one. */
static int pool_finish(struct pool *p, bool is_failed)
{
    int rc = 0, status;

    for (unsigned w = 0; w < p->n_workers; w++) {
        if (is_failed)
            kill(p->pids[w], SIGKILL);
        if (p->fds[w] >= 0)
            close(p->fds[w]);
        while (waitpid(p->pids[w], &status, 0) < 0 && errno == EINTR)
            continue;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = SIM_EINTERNAL;
        free(p->in[w].data);
    }
    return rc;
}

int sim_tasks_run(const struct sim_task *tasks, size_t n, unsigned jobs,
                  sim_tasks_done_fn done, void *ctx, struct sim_error *err)
{
    struct pool p;
    int rc, end;

    if (jobs > n)
        jobs = (unsigned)n;
    if (jobs > TASKS_MAX_JOBS)
        jobs = TASKS_MAX_JOBS;
    if (jobs <= 1)
        return in_process(tasks, n, done, ctx);
    memset(&p, 0, sizeof p);
    p.next = mmap(NULL, sizeof *p.next, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p.next == MAP_FAILED)
        return sim_error_set(err, SIM_EIO, "cannot share memory with the "
                             "workers: %s", strerror(errno));
    atomic_init(p.next, 0);
    rc = pool_start(&p, tasks, n, jobs);
    if (rc != 0)
        sim_error_set(err, rc, "cannot start a worker: %s",
                      strerror(errno));
    else
        rc = pool_drain(&p, n, done, ctx);
    end = pool_finish(&p, rc != 0);
    if (rc == 0 && end != 0)
        rc = sim_error_set(err, end, "a worker process died");
    else if (rc == SIM_EIO || rc == SIM_ENOMEM || rc == SIM_EINTERNAL)
        if (err != NULL && err->code == 0)
            sim_error_set(err, rc, "the worker pool failed");
    munmap(p.next, sizeof *p.next);
    return rc;
}
