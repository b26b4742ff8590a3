/* SPDX-License-Identifier: MIT */
/*
 * batch.c - the replications of a scenario, and the records that carry
 * their results between processes.
 *
 * sim_batch_run hands the replications to the task pool (sim/tasks) and
 * puts each report into the slot of its replication. A record is
 * length-prefixed: a report (type, replication index, status, then the
 * figures or the error text), or a progress word (type, task index,
 * simulated time reached). Doubles travel as their 8 raw bytes, so values
 * are bit-identical to an in-process run.
 */
#include "sim/batch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/tasks.h"

#define BATCH_REC_REPORT 1              /* record types */
#define BATCH_REC_PROGRESS 2
#define BATCH_STOP 1                    /* the lowest failure is known */

/* The parent's view of how far every replication has got. */
/* What sim_batch_run gathers as replications finish. */
struct collect {
    struct sim_batch *out;
    int *rcs;                           /* per replication: its status */
    struct sim_error *errs;             /* and, when it failed, why */
    bool *is_done;
    unsigned n_prefix;                  /* replications 0 .. n_prefix - 1
                                           are done and succeeded */
    struct sim_batch_tracker t;
    double duration_s;                  /* of each replication */
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

void sim_batch_track(struct sim_batch_tracker *t, size_t i, double at_s,
                     bool is_done)
{
    if (t->at_s == NULL || i >= t->n_tasks)
        return;
    t->p.sim_s += at_s - t->at_s[i];
    t->at_s[i] = at_s;
    t->p.n_done += is_done;
    if (t->fn != NULL)
        t->fn(t->ctx, &t->p);
}

/* One replication; the engine calls fn (when not NULL) as it goes. */
static int run_one(const struct sim_scenario *sc, unsigned rep_index,
                   struct sim_report *rep, sim_progress_fn fn, void *ctx,
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
    if (rc == 0 && fn != NULL)
        sim_set_progress(sim, fn, ctx);
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
    return run_one(sc, rep_index, rep, NULL, NULL, err);
}

int sim_batch_run_watched(const struct sim_scenario *sc, unsigned rep_index,
                          struct sim_report *rep, sim_progress_fn fn,
                          void *ctx, struct sim_error *err)
{
    return run_one(sc, rep_index, rep, fn, ctx, err);
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
        buf_put_u32(b, rep->notes[i].is_fault);
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
        uint32_t is_fault;
        char *kind, *text;

        buf_get(b, &t, sizeof t);
        is_fault = buf_get_u32(b);
        kind = buf_get_str(b);
        text = buf_get_str(b);
        if (!b->is_bad && is_fault)
            sim_report_fault(rep, t, kind, "%s", text);
        else if (!b->is_bad)
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

/* A replication finished: keep its report, and stop once the lowest
 * failure is known. */
static int on_done(void *ctx, size_t task, int rc, struct sim_report *rep,
                   const struct sim_error *err)
{
    struct collect *c = ctx;

    c->rcs[task] = rc;
    if (rc == 0)
        c->out->reports[task] = *rep;
    else
        c->errs[task] = *err;
    c->is_done[task] = true;
    sim_batch_track(&c->t, task, c->duration_s, true);
    while (c->n_prefix < c->out->n_reps && c->is_done[c->n_prefix]) {
        if (c->rcs[c->n_prefix] != 0)
            return BATCH_STOP;
        c->n_prefix++;
    }
    return 0;
}

static void on_progress(void *ctx, size_t task, sim_time now)
{
    struct collect *c = ctx;

    sim_batch_track(&c->t, task, sim_time_to_s(now), false);
}

/* The replications as tasks, or NULL when out of memory. */
static struct sim_task *make_tasks(const struct sim_scenario *sc,
                                   unsigned first, unsigned n)
{
    struct sim_task *tasks = calloc(n ? n : 1, sizeof *tasks);

    for (unsigned i = 0; tasks != NULL && i < n; i++)
        tasks[i] = (struct sim_task){sc, first + i};
    return tasks;
}

int sim_batch_run(const struct sim_scenario *sc, unsigned first, unsigned n,
                  unsigned jobs, sim_batch_progress_fn progress, void *ctx,
                  struct sim_batch *out, struct sim_error *err)
{
    size_t m = n ? n : 1;
    struct collect c = {
        .out = out, .rcs = calloc(m, sizeof *c.rcs),
        .errs = calloc(m, sizeof *c.errs),
        .is_done = calloc(m, sizeof *c.is_done),
        .t = {.fn = progress, .ctx = ctx,
              .at_s = calloc(m, sizeof(double)), .n_tasks = n,
              .p = {.n_reps = n,
                    .sim_total_s = n * sim_time_to_s(sc->duration)}},
        .duration_s = sim_time_to_s(sc->duration),
    };
    struct sim_task *tasks = make_tasks(sc, first, n);
    int rc;

    out->n_reps = n;
    out->reports = calloc(m, sizeof *out->reports);
    if (c.rcs == NULL || c.errs == NULL || c.is_done == NULL ||
        c.t.at_s == NULL || tasks == NULL || out->reports == NULL) {
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    rc = sim_tasks_run_watched(tasks, n, jobs, on_done,
                               progress ? on_progress : NULL, &c, err);
    if (rc == 0 || rc == BATCH_STOP)
        rc = first_failure(c.rcs, c.errs, n, err);

done:
    free(c.rcs);
    free(c.errs);
    free(c.is_done);
    free(c.t.at_s);
    free(tasks);
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

void sim_batch_pack_progress(unsigned index, sim_time now,
                             unsigned char *rec)
{
    uint32_t word[3] = {SIM_BATCH_PROGRESS_LEN - sizeof word[0],
                        BATCH_REC_PROGRESS, index};
    int64_t t = now;

    memcpy(rec, word, sizeof word);
    memcpy(rec + sizeof word, &t, sizeof t);
}

bool sim_batch_is_progress(const unsigned char *data, size_t len,
                           unsigned *index, sim_time *now)
{
    uint32_t word[3];
    int64_t t;

    if (len != SIM_BATCH_PROGRESS_LEN)
        return false;
    memcpy(word, data, sizeof word);
    if (word[0] != len - sizeof word[0] || word[1] != BATCH_REC_PROGRESS)
        return false;
    memcpy(&t, data + sizeof word, sizeof t);
    *index = word[2];
    *now = t;
    return true;
}
