/* SPDX-License-Identifier: MIT */
/*
 * tasks.c - a pool of forked workers over a list of replications.
 *
 * The next task to take is a counter in memory shared by every worker;
 * each worker claims one with an atomic increment, so a long task never
 * holds up the rest. A worker sends each result down its own pipe as a
 * record of sim_batch_pack and, when someone watches, at most ten times a
 * second while a task runs, a progress record; the parent polls every
 * pipe, cuts the stream into whole records and hands each to the caller.
 * Progress never touches a result.
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
#include <time.h>
#include <unistd.h>

#include "sim/batch.h"

#define TASKS_MAX_JOBS 256
#define TASKS_CHUNK 65536
#define TASKS_PROGRESS_NS 100000000     /* wall time between progress words */

/* Whom the pool reports to. */
struct calls {
    sim_tasks_done_fn done;
    sim_tasks_progress_fn progress;     /* NULL: nobody is watching */
    void *ctx;
};

/* How a running task tells its progress: down a pipe, or straight on. */
struct watch {
    int fd;                             /* a worker's pipe, or -1 */
    size_t task;
    struct timespec last;               /* wall time of the last word */
    const struct calls *calls;          /* in process */
};

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

/* Whether TASKS_PROGRESS_NS passed since *last (then reset). */
static bool is_time_to_tell(struct timespec *last)
{
    struct timespec now;
    long long ns;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (long long)(now.tv_sec - last->tv_sec) * 1000000000LL +
         (now.tv_nsec - last->tv_nsec);
    if (ns < TASKS_PROGRESS_NS)
        return false;
    *last = now;
    return true;
}

/* The engine's progress hook: a record down the pipe, or the caller. */
static void on_progress(void *ctx, sim_time now)
{
    struct watch *w = ctx;
    unsigned char rec[SIM_BATCH_PROGRESS_LEN];

    if (!is_time_to_tell(&w->last))
        return;
    if (w->fd < 0) {
        w->calls->progress(w->calls->ctx, w->task, now);
        return;
    }
    sim_batch_pack_progress((unsigned)w->task, now, rec);
    write_all(w->fd, rec, sizeof rec);
}

/* Runs task i, watched when w is not NULL. */
static int run_task(const struct sim_task *t, size_t i, struct watch *w,
                    struct sim_report *rep, struct sim_error *err)
{
    if (w == NULL)
        return sim_batch_run_one(t->sc, t->rep, rep, err);
    w->task = i;
    clock_gettime(CLOCK_MONOTONIC, &w->last);
    return sim_batch_run_watched(t->sc, t->rep, rep, on_progress, w, err);
}

/* The body of a worker: takes tasks until none is left. Never returns. */
static void worker_main(const struct sim_task *tasks, size_t n,
                        atomic_size_t *next, int fd, bool is_watched)
{
    struct watch watch = {.fd = fd};

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
        rc = run_task(&tasks[i], i, is_watched ? &watch : NULL, &rep, &err);
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
                      const struct calls *calls)
{
    struct watch watch = {.fd = -1, .calls = calls};

    for (size_t i = 0; i < n; i++) {
        struct sim_report rep;
        struct sim_error err = {0};
        int rc, r;

        sim_report_init(&rep);
        rc = run_task(&tasks[i], i, calls->progress ? &watch : NULL, &rep,
                      &err);
        if (rc != 0)
            sim_report_release(&rep);
        r = calls->done(calls->ctx, i, rc, &rep, &err);
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

/* Hands one whole record to the caller. */
static int deliver(const unsigned char *data, size_t len, size_t n_tasks,
                   const struct calls *calls)
{
    struct sim_report rep;
    struct sim_error err = {0};
    unsigned index;
    sim_time now;
    int rc;

    if (sim_batch_is_progress(data, len, &index, &now)) {
        if (index < n_tasks && calls->progress != NULL)
            calls->progress(calls->ctx, index, now);
        return 0;
    }
    sim_report_init(&rep);
    if (sim_batch_unpack(data, len, &index, &rc, &rep, &err) != 0 ||
        index >= n_tasks) {
        sim_report_release(&rep);
        return SIM_EINTERNAL;
    }
    if (rc != 0)
        sim_report_release(&rep);
    return calls->done(calls->ctx, index, rc, &rep, &err);
}

/* Hands every whole record of an inbox on, keeping the rest. */
static int inbox_deliver(struct inbox *in, size_t n_tasks,
                         const struct calls *calls)
{
    size_t pos = 0;
    uint32_t len;
    int r = 0;

    while (r == 0 && in->len - pos >= sizeof len) {
        memcpy(&len, in->data + pos, sizeof len);
        if (in->len - pos - sizeof len < len)
            break;
        r = deliver(in->data + pos, sizeof len + len, n_tasks, calls);
        pos += sizeof len + len;
    }
    memmove(in->data, in->data + pos, in->len - pos);
    in->len -= pos;
    return r;
}

/* Reads what is ready on pipe w; closes it at its end. */
static int pool_read(struct pool *p, unsigned w, size_t n_tasks,
                     const struct calls *calls)
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
    return inbox_deliver(&p->in[w], n_tasks, calls);
}

/* Polls every open pipe until all are closed or done fails. */
static int pool_drain(struct pool *p, size_t n_tasks,
                      const struct calls *calls)
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
            rc = pool_read(p, w, n_tasks, calls);
            n_open -= p->fds[w] < 0;
        }
    }
    return rc;
}

/* Starts the workers; the parent keeps the read end of each pipe. */
static int pool_start(struct pool *p, const struct sim_task *tasks,
                      size_t n, unsigned jobs, bool is_watched)
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
            worker_main(tasks, n, p->next, fd[1], is_watched);
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

int sim_tasks_run_watched(const struct sim_task *tasks, size_t n,
                          unsigned jobs, sim_tasks_done_fn done,
                          sim_tasks_progress_fn progress, void *ctx,
                          struct sim_error *err)
{
    struct calls calls = {done, progress, ctx};
    struct pool p;
    int rc, end;

    if (jobs > n)
        jobs = (unsigned)n;
    if (jobs > TASKS_MAX_JOBS)
        jobs = TASKS_MAX_JOBS;
    if (jobs <= 1)
        return in_process(tasks, n, &calls);
    memset(&p, 0, sizeof p);
    p.next = mmap(NULL, sizeof *p.next, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p.next == MAP_FAILED)
        return sim_error_set(err, SIM_EIO, "cannot share memory with the "
                             "workers: %s", strerror(errno));
    atomic_init(p.next, 0);
    rc = pool_start(&p, tasks, n, jobs, progress != NULL);
    if (rc != 0)
        sim_error_set(err, rc, "cannot start a worker: %s",
                      strerror(errno));
    else
        rc = pool_drain(&p, n, &calls);
    end = pool_finish(&p, rc != 0);
    if (rc == 0 && end != 0)
        rc = sim_error_set(err, end, "a worker process died");
    else if (rc == SIM_EIO || rc == SIM_ENOMEM || rc == SIM_EINTERNAL)
        if (err != NULL && err->code == 0)
            sim_error_set(err, rc, "the worker pool failed");
    munmap(p.next, sizeof *p.next);
    return rc;
}

int sim_tasks_run(const struct sim_task *tasks, size_t n, unsigned jobs,
                  sim_tasks_done_fn done, void *ctx, struct sim_error *err)
{
    return sim_tasks_run_watched(tasks, n, jobs, done, NULL, ctx, err);
}
