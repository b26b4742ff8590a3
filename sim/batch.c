/* SPDX-License-Identifier: MIT */
/*
 * batch.c - replications in parallel worker processes.
 *
 * Worker w runs replications first + w, first + w + jobs, ... and writes
 * down its own pipe length-prefixed records of two types: a report
 * (replication index, status, then the figures or the error text), and,
 * at most ten times a second while a replication runs, a progress record
 * (replication index, simulated time reached). The parent drains every
 * pipe with poll so no worker ever blocks on a full pipe, follows the
 * progress records as they come, and at the end decodes the reports into
 * the slot of their replication. Doubles travel as their 8 raw bytes, so
 * values are bit-identical to an in-process run; progress never touches
 * a result.
 */
#include "sim/batch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX_JOBS 256
#define BATCH_REC_REPORT 1              /* record types */
#define BATCH_REC_PROGRESS 2
#define BATCH_PROGRESS_NS 100000000     /* wall time between progress words */

/* The parent's view of how far every replication has got. */
struct tracker {
    sim_batch_progress_fn fn;           /* NULL: nobody is watching */
    void *ctx;
    unsigned first;                     /* index of replication 0 */
    double duration_s;
    double *at_s;                       /* per replication, simulated s */
    struct sim_batch_progress p;
};

/* What a running replication says about itself, and where to. */
struct run_watch {
    int fd;                             /* a worker's pipe, or -1 */
    unsigned index;                     /* the replication */
    struct timespec last;               /* wall time of the last word */
    struct tracker *tracker;            /* in process: the parent's view */
};

/* A growable byte buffer, for encoding and for what a pipe delivers. */
struct buf {
    unsigned char *data;
    size_t len, cap;
    size_t pos;                         /* read position when decoding */
    bool is_bad;                        /* allocation failed or overrun */
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
    if (b->is_bad)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        unsigned char *grown;

        while (cap < b->len + n)
            cap *= 2;
        grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->is_bad = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_put_u32(struct buf *b, uint32_t v)
{
    buf_put(b, &v, sizeof v);
}

static void buf_put_str(struct buf *b, const char *s)
{
    uint32_t len = (uint32_t)strlen(s);

    buf_put_u32(b, len);
    buf_put(b, s, len);
}

static void buf_get(struct buf *b, void *p, size_t n)
{
    if (b->is_bad || b->pos + n > b->len) {
        b->is_bad = true;
        memset(p, 0, n);
        return;
    }
    memcpy(p, b->data + b->pos, n);
    b->pos += n;
}

static uint32_t buf_get_u32(struct buf *b)
{
    uint32_t v;

    buf_get(b, &v, sizeof v);
    return v;
}

/* A string read into a malloc'd copy, or NULL when the buffer is bad. */
static char *buf_get_str(struct buf *b)
{
    uint32_t len = buf_get_u32(b);
    char *s;

    if (b->is_bad || b->pos + len > b->len) {
        b->is_bad = true;
        return NULL;
    }
    s = malloc((size_t)len + 1);
    if (s == NULL) {
        b->is_bad = true;
        return NULL;
    }
    memcpy(s, b->data + b->pos, len);
    s[len] = '\0';
    b->pos += len;
    return s;
}

/* Replication i reached at_s simulated seconds (is_done: finished). */
static void tracker_update(struct tracker *t, unsigned i, double at_s,
                           bool is_done)
{
    if (t->at_s == NULL || i >= t->p.n_reps)
        return;
    t->p.sim_s += at_s - t->at_s[i];
    t->at_s[i] = at_s;
    if (is_done)
        t->p.n_done++;
    if (t->fn != NULL)
        t->fn(t->ctx, &t->p);
}

/* Whether at least BATCH_PROGRESS_NS passed since *last (then reset). */
static bool is_time_to_tell(struct timespec *last)
{
    struct timespec now;
    long long ns;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (long long)(now.tv_sec - last->tv_sec) * 1000000000LL +
         (now.tv_nsec - last->tv_nsec);
    if (ns < BATCH_PROGRESS_NS)
        return false;
    *last = now;
    return true;
}

static bool write_all(int fd, const unsigned char *p, size_t n);

/* The engine's progress hook: a record down the pipe, or the tracker. */
static void on_progress(void *ctx, sim_time now)
{
    struct run_watch *w = ctx;
    unsigned char rec[20];
    uint32_t word[3] = {16, BATCH_REC_PROGRESS, w->index};
    int64_t t = now;

    if (!is_time_to_tell(&w->last))
        return;
    if (w->fd < 0) {
        tracker_update(w->tracker, w->index - w->tracker->first,
                       sim_time_to_s(now), false);
        return;
    }
    memcpy(rec, word, sizeof word);
    memcpy(rec + sizeof word, &t, sizeof t);
    write_all(w->fd, rec, sizeof rec);
}

/* One replication, telling watch (when not NULL) how it goes. */
static int run_one(const struct sim_scenario *sc, unsigned rep_index,
                   struct sim_report *rep, struct run_watch *watch,
                   struct sim_error *err)
{
    struct sim_cfg *cfg = sim_cfg_new(sc->file);
    struct sim *sim = NULL;
    char line[512];
    int rc;

    if (cfg == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    rc = sim_scenario_build(sc, cfg, rep_index, &sim, err);
    if (rc == SIM_EINVAL)
        sim_error_set(err, rc, "%s", sim_cfg_format(cfg, 0, line,
                                                    sizeof line));
    if (rc == 0 && watch != NULL) {
        clock_gettime(CLOCK_MONOTONIC, &watch->last);
        sim_set_progress(sim, on_progress, watch);
    }
    if (rc == 0)
        rc = sim_run(sim, err);
    if (rc == 0) {
        sim_report(sim, rep);
        rc = rep->status;
        if (rc != 0)
            sim_error_set(err, rc, "out of memory");
    }
    sim_free(sim);
    sim_cfg_free(cfg);
    return rc;
}

int sim_batch_run_one(const struct sim_scenario *sc, unsigned rep_index,
                      struct sim_report *rep, struct sim_error *err)
{
    return run_one(sc, rep_index, rep, NULL, err);
}

static void encode_curves(struct buf *b, const struct sim_report *rep)
{
    buf_put_u32(b, (uint32_t)rep->n_curves);
    for (size_t i = 0; i < rep->n_curves; i++) {
        const struct sim_curve *c = &rep->curves[i];

        buf_put_str(b, c->scope);
        buf_put_str(b, c->name);
        buf_put_str(b, c->x_unit);
        buf_put_str(b, c->y_unit);
        buf_put_u32(b, (uint32_t)c->n);
        buf_put(b, c->x, c->n * sizeof *c->x);
        buf_put(b, c->y, c->n * sizeof *c->y);
    }
}

static void encode_rep(struct buf *b, unsigned index, int rc,
                       const struct sim_report *rep,
                       const struct sim_error *err)
{
    buf_put_u32(b, BATCH_REC_REPORT);
    buf_put_u32(b, index);
    buf_put_u32(b, (uint32_t)rc);
    if (rc != 0) {
        buf_put_str(b, err->msg);
        return;
    }
    buf_put_u32(b, (uint32_t)rep->n_metrics);
    for (size_t i = 0; i < rep->n_metrics; i++) {
        const struct sim_metric *m = &rep->metrics[i];

        buf_put_str(b, m->scope);
        buf_put_str(b, m->name);
        buf_put_str(b, m->unit);
        buf_put(b, &m->value, sizeof m->value);
    }
    buf_put_u32(b, (uint32_t)rep->n_series);
    for (size_t i = 0; i < rep->n_series; i++) {
        const struct sim_series *s = &rep->series[i];

        buf_put_str(b, s->scope);
        buf_put_str(b, s->name);
        buf_put_str(b, s->unit);
        buf_put_u32(b, (uint32_t)s->n_values);
        buf_put(b, s->values, s->n_values * sizeof *s->values);
    }
    encode_curves(b, rep);
    buf_put_u32(b, (uint32_t)rep->n_notes);
    for (size_t i = 0; i < rep->n_notes; i++) {
        buf_put(b, &rep->notes[i].t_s, sizeof rep->notes[i].t_s);
        buf_put_str(b, rep->notes[i].kind);
        buf_put_str(b, rep->notes[i].text);
    }
    buf_put_u32(b, (uint32_t)rep->n_settings);
    for (size_t i = 0; i < rep->n_settings; i++) {
        buf_put_str(b, rep->settings[i].scope);
        buf_put_str(b, rep->settings[i].key);
        buf_put_str(b, rep->settings[i].value);
    }
}

static bool write_all(int fd, const unsigned char *p, size_t n)
{
    if (fd < 0)
        return false;
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

/* The body of worker w: never returns. */
static void worker_main(const struct sim_scenario *sc, unsigned first,
                        unsigned n, unsigned w, unsigned jobs, int fd)
{
    struct buf b = {0};

    for (unsigned i = w; i < n; i += jobs) {
        struct sim_report rep;
        struct sim_error err = {0};
        struct run_watch watch = {.fd = fd, .index = first + i};
        int rc;

        sim_report_init(&rep);
        rc = run_one(sc, first + i, &rep, &watch, &err);
        b.len = 0;
        buf_put_u32(&b, 0);
        encode_rep(&b, first + i, rc, &rep, &err);
        sim_report_release(&rep);
        if (!b.is_bad) {
            uint32_t len = (uint32_t)(b.len - sizeof len);

            memcpy(b.data, &len, sizeof len);
        }
        if (b.is_bad || !write_all(fd, b.data, b.len))
            _exit(3);
    }
    free(b.data);
    close(fd);
    _exit(0);
}

static void decode_series(struct buf *b, struct sim_report *rep)
{
    uint32_t n = buf_get_u32(b);

    for (uint32_t i = 0; i < n && !b->is_bad; i++) {
        char *scope = buf_get_str(b), *name = buf_get_str(b);
        char *unit = buf_get_str(b);
        uint32_t len = buf_get_u32(b);
        double *v = NULL;

        if (!b->is_bad && (size_t)len * sizeof *v <= b->len - b->pos) {
            v = malloc((len ? len : 1) * sizeof *v);
            if (v == NULL)
                b->is_bad = true;
            else
                buf_get(b, v, len * sizeof *v);
        } else {
            b->is_bad = true;
        }
        if (!b->is_bad)
            sim_report_series(rep, scope, name, unit, v, len);
        free(v);
        free(scope);
        free(name);
        free(unit);
    }
}

/* n doubles into a malloc'd array, or NULL with b marked bad. */
static double *get_doubles(struct buf *b, uint32_t n)
{
    double *v;

    if (b->is_bad || (size_t)n * sizeof *v > b->len - b->pos) {
        b->is_bad = true;
        return NULL;
    }
    v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        b->is_bad = true;
    else
        buf_get(b, v, n * sizeof *v);
    return v;
}

static void decode_curves(struct buf *b, struct sim_report *rep)
{
    uint32_t n = buf_get_u32(b);

    for (uint32_t i = 0; i < n && !b->is_bad; i++) {
        char *scope = buf_get_str(b), *name = buf_get_str(b);
        char *x_unit = buf_get_str(b), *y_unit = buf_get_str(b);
        uint32_t len = buf_get_u32(b);
        double *x = get_doubles(b, len);
        double *y = get_doubles(b, len);

        if (!b->is_bad)
            sim_report_curve(rep, scope, name, x_unit, y_unit, x, y, len);
        free(x);
        free(y);
        free(scope);
        free(name);
        free(x_unit);
        free(y_unit);
    }
}

static void decode_notes(struct buf *b, struct sim_report *rep)
{
    uint32_t n = buf_get_u32(b);

    for (uint32_t i = 0; i < n && !b->is_bad; i++) {
        double t;
        char *kind, *text;

        buf_get(b, &t, sizeof t);
        kind = buf_get_str(b);
        text = buf_get_str(b);
        if (!b->is_bad)
            sim_report_note(rep, t, kind, "%s", text);
        free(kind);
        free(text);
    }
}

static void decode_settings(struct buf *b, struct sim_report *rep)
{
    uint32_t n = buf_get_u32(b);

    for (uint32_t i = 0; i < n && !b->is_bad; i++) {
        char *scope = buf_get_str(b), *key = buf_get_str(b);
        char *value = buf_get_str(b);

        if (!b->is_bad)
            sim_report_setting(rep, scope, key, "%s", value);
        free(scope);
        free(key);
        free(value);
    }
}

/* Decodes every record of one worker into its replication's slot. */
static int decode_all(struct buf *b, unsigned first, struct sim_batch *out,
                      int *rcs, struct sim_error *errs)
{
    while (b->pos < b->len && !b->is_bad) {
        uint32_t len = buf_get_u32(b);
        size_t end = b->pos + len;
        unsigned idx;

        if (end > b->len)
            return SIM_EINTERNAL;
        if (buf_get_u32(b) == BATCH_REC_PROGRESS) {
            b->pos = end;
            continue;
        }
        idx = buf_get_u32(b) - first;
        int rc = (int)buf_get_u32(b);
        uint32_t n;

        if (b->is_bad || idx >= out->n_reps)
            return SIM_EINTERNAL;
        rcs[idx] = rc;
        if (rc != 0) {
            char *msg = buf_get_str(b);

            sim_error_set(&errs[idx], rc, "%s", msg ? msg : "");
            free(msg);
            continue;
        }
        n = buf_get_u32(b);
        for (uint32_t i = 0; i < n && !b->is_bad; i++) {
            char *scope = buf_get_str(b), *name = buf_get_str(b);
            char *unit = buf_get_str(b);
            double v;

            buf_get(b, &v, sizeof v);
            if (!b->is_bad)
                sim_report_add(&out->reports[idx], scope, name, unit, v);
            free(scope);
            free(name);
            free(unit);
        }
        decode_series(b, &out->reports[idx]);
        decode_curves(b, &out->reports[idx]);
        decode_notes(b, &out->reports[idx]);
        decode_settings(b, &out->reports[idx]);
    }
    return b->is_bad ? SIM_EINTERNAL : 0;
}

/* Follows the records of b that have arrived whole since *scanned. */
static void scan_frames(const struct buf *b, size_t *scanned,
                        struct tracker *t)
{
    uint32_t word[3];
    int64_t now;

    while (*scanned + sizeof word <= b->len) {
        memcpy(word, b->data + *scanned, sizeof word);
        if (*scanned + sizeof word[0] + word[0] > b->len)
            break;
        if (word[1] == BATCH_REC_PROGRESS &&
            word[0] == sizeof word - sizeof word[0] + sizeof now) {
            memcpy(&now, b->data + *scanned + sizeof word, sizeof now);
            tracker_update(t, word[2] - t->first, sim_time_to_s(now),
                           false);
        } else if (word[1] == BATCH_REC_REPORT) {
            tracker_update(t, word[2] - t->first, t->duration_s, true);
        }
        *scanned += sizeof word[0] + word[0];
    }
}

/* Reads every pipe to its end, following progress as records complete. */
static int drain(int *fds, struct buf *bufs, unsigned jobs,
                 struct tracker *t)
{
    struct pollfd pfd[BATCH_MAX_JOBS];
    size_t scanned[BATCH_MAX_JOBS] = {0};
    unsigned n_open = jobs;
    unsigned char chunk[65536];

    for (unsigned w = 0; w < jobs; w++)
        pfd[w] = (struct pollfd){.fd = fds[w], .events = POLLIN};
    while (n_open > 0) {
        if (poll(pfd, jobs, -1) < 0) {
            if (errno == EINTR)
                continue;
            return SIM_EIO;
        }
        for (unsigned w = 0; w < jobs; w++) {
            ssize_t r;

            if (pfd[w].fd < 0 || pfd[w].revents == 0)
                continue;
            r = read(pfd[w].fd, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR)
                continue;
            if (r > 0) {
                buf_put(&bufs[w], chunk, (size_t)r);
                scan_frames(&bufs[w], &scanned[w], t);
                continue;
            }
            close(pfd[w].fd);
            pfd[w].fd = -1;
            n_open--;
        }
    }
    return 0;
}

static int first_failure(const int *rcs, const struct sim_error *errs,
                         unsigned n, struct sim_error *err)
{
    for (unsigned i = 0; i < n; i++) {
        if (rcs[i] == 0)
            continue;
        if (err != NULL)
            sim_error_set(err, rcs[i], "replication %u: %s", i,
                          errs[i].msg);
        return rcs[i];
    }
    return 0;
}

static int run_in_process(const struct sim_scenario *sc, unsigned first,
                          struct sim_batch *out, int *rcs,
                          struct sim_error *errs, struct tracker *t)
{
    for (unsigned i = 0; i < out->n_reps; i++) {
        struct run_watch watch = {.fd = -1, .index = first + i,
                                  .tracker = t};

        rcs[i] = run_one(sc, first + i, &out->reports[i],
                         t->fn != NULL ? &watch : NULL, &errs[i]);
        if (rcs[i] != 0)
            return 0;
        tracker_update(t, i, t->duration_s, true);
    }
    return 0;
}

/* Forks the workers; collects and decodes what they send. */
static int run_forked(const struct sim_scenario *sc, unsigned first,
                      unsigned jobs, struct sim_batch *out, int *rcs,
                      struct sim_error *errs, struct tracker *t)
{
    int fds[BATCH_MAX_JOBS];
    pid_t pids[BATCH_MAX_JOBS];
    struct buf bufs[BATCH_MAX_JOBS];
    int rc = 0, status;

    memset(bufs, 0, sizeof bufs);
    fflush(NULL);
    for (unsigned w = 0; w < jobs; w++) {
        int p[2];

        if (pipe(p) != 0)
            return SIM_EIO;
        pids[w] = fork();
        if (pids[w] < 0)
            return SIM_EIO;
        if (pids[w] == 0) {
            close(p[0]);
            for (unsigned k = 0; k < w; k++)
                close(fds[k]);
            worker_main(sc, first, out->n_reps, w, jobs, p[1]);
        }
        close(p[1]);
        fds[w] = p[0];
    }
    rc = drain(fds, bufs, jobs, t);
    for (unsigned w = 0; w < jobs; w++) {
        while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
            ;
        if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
            rc = SIM_EINTERNAL;
        if (rc == 0)
            rc = decode_all(&bufs[w], first, out, rcs, errs);
        free(bufs[w].data);
    }
    return rc;
}

int sim_batch_run(const struct sim_scenario *sc, unsigned first, unsigned n,
                  unsigned jobs, sim_batch_progress_fn progress, void *ctx,
                  struct sim_batch *out, struct sim_error *err)
{
    struct sim_error *errs = calloc(n ? n : 1, sizeof *errs);
    int *rcs = calloc(n ? n : 1, sizeof *rcs);
    struct tracker t = {
        .fn = progress, .ctx = ctx, .first = first,
        .duration_s = sim_time_to_s(sc->duration),
        .at_s = calloc(n ? n : 1, sizeof(double)),
        .p = {.n_reps = n, .sim_total_s = n * sim_time_to_s(sc->duration)},
    };
    int rc;

    out->n_reps = n;
    out->reports = calloc(n ? n : 1, sizeof *out->reports);
    if (errs == NULL || rcs == NULL || out->reports == NULL ||
        t.at_s == NULL) {
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    if (jobs > n)
        jobs = n;
    if (jobs > BATCH_MAX_JOBS)
        jobs = BATCH_MAX_JOBS;
    if (jobs <= 1) {
        rc = run_in_process(sc, first, out, rcs, errs, &t);
    } else {
        rc = run_forked(sc, first, jobs, out, rcs, errs, &t);
    }
    if (rc != 0)
        sim_error_set(err, rc, "a replication worker failed (%s)",
                      rc == SIM_EIO ? strerror(errno) : "it died");
    else
        rc = first_failure(rcs, errs, n, err);

done:
    free(errs);
    free(rcs);
    free(t.at_s);
    if (rc != 0)
        sim_batch_release(out);
    return rc;
}

void sim_batch_release(struct sim_batch *b)
{
    for (unsigned i = 0; b->reports != NULL && i < b->n_reps; i++)
        sim_report_release(&b->reports[i]);
    free(b->reports);
    b->reports = NULL;
    b->n_reps = 0;
}

int sim_batch_pack(unsigned index, int rc, const struct sim_report *rep,
                   const struct sim_error *err, unsigned char **data,
                   size_t *len)
{
    struct buf b = {0};
    uint32_t n;

    buf_put_u32(&b, 0);
    encode_rep(&b, index, rc, rep, err);
    if (b.is_bad) {
        free(b.data);
        return SIM_ENOMEM;
    }
    n = (uint32_t)(b.len - sizeof n);
    memcpy(b.data, &n, sizeof n);
    *data = b.data;
    *len = b.len;
    return 0;
}

int sim_batch_unpack(const unsigned char *data, size_t len, unsigned *index,
                     int *rc, struct sim_report *rep, struct sim_error *err)
{
    /* The decoder only reads; the buffer is not modified. */
    struct buf b = {(unsigned char *)data, len, len, 0, false};
    struct sim_batch one = {1, rep};
    uint32_t word;

    /* A record: length, type, replication index, status, ... */
    if (len < 4 * sizeof word)
        return SIM_EINTERNAL;
    memcpy(&word, data + 2 * sizeof word, sizeof word);
    *index = word;
    *rc = 0;
    if (decode_all(&b, word, &one, rc, err) != 0 || b.pos != len)
        return SIM_EINTERNAL;
    return 0;
}
