/* SPDX-License-Identifier: MIT */
/*
 * sweeprun.c - running a sweep. The partial output ("." + name +
 * ".partial" beside the output directory) holds sweep.key, the identity
 * of the sweep (a hash of every point's scenario as run), and points/NNNN
 * for each finished point, each renamed into place whole. A resumed sweep
 * runs only the points missing there; the sweep's own files are always
 * made from the points read back, so they come out the same either way.
 */
#include "sim/sweeprun.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/hash.h"
#include "sim/outdir.h"
#include "sim/strbuf.h"
#include "sim/summary.h"
#include "sim/sweepdoc.h"
#include "sim/sweepout.h"
#include "sim/tasks.h"

struct sim_sweeprun {
    char *file;                         /* the scenario file */
    struct sim_sweep *sweep;
    struct sim_scenario **scs;          /* one per point */
    size_t n_points;
    uint64_t key;                       /* identity of the sweep */
};

/* The replications of the points this process runs, as they arrive. */
struct slot {
    struct sim_batch batch;             /* reports by replication */
    unsigned n_done;
    unsigned char *packed;              /* rank > 0: records to send */
    size_t n_packed;
};

struct exec {
    struct sim_sweeprun *run;
    const char *work;                   /* the partial output directory */
    size_t *mine;                       /* points this rank runs */
    size_t *task_slot;                  /* task -> index into mine */
    struct slot *slots;
    bool is_sender;                     /* rank > 0: send, do not write */
    const struct sim_sweeprun_ranks *ranks; /* NULL: alone */
    struct sim_error *err;
    struct sim_batch_tracker t;         /* p counts this rank's points */
};

static int add_cfg_problems(struct sim_cfg *cfg,
                            struct sim_variant_problems *probs)
{
    char line[1024];

    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
        if (sim_variant_problems_add(probs, sim_cfg_format(cfg, i, line,
                                                           sizeof line)))
            return SIM_ENOMEM;
    return 0;
}

/* Loads the scenario of point p. */
static int load_point(struct sim_sweeprun *run,
                      const struct sim_variant_request *base, size_t p,
                      struct sim_variant_problems *probs,
                      struct sim_error *err)
{
    const struct sim_sweep *sw = run->sweep;
    struct sim_variant_request rq = *base;
    char **extra = calloc(sw->n_params, sizeof *extra);
    int *lines = calloc(sw->n_params, sizeof *lines);
    int *cols = calloc(sw->n_params, sizeof *cols);
    int rc = SIM_ENOMEM;

    for (size_t j = 0; extra && lines && cols && j < sw->n_params; j++) {
        const struct sim_sweep_param *par = &sw->params[j];
        size_t v = sim_sweep_value_index(sw, p, j);
        size_t n = 2 * (strlen(par->key) + strlen(par->values[v])) + 4;

        extra[j] = malloc(n);
        if (extra[j] == NULL)
            goto done;
        sim_sweep_assignment(sw, p, j, extra[j], n);
        lines[j] = par->lines[v];
        cols[j] = par->cols[v];
    }
    if (extra == NULL || lines == NULL || cols == NULL)
        goto done;
    rq.extra = (const char *const *)extra;
    rq.n_extra = sw->n_params;
    rq.lines = lines;
    rq.cols = cols;
    rc = sim_variant_load(&rq, &run->scs[p], probs, err);
done:
    for (size_t j = 0; extra != NULL && j < sw->n_params; j++)
        free(extra[j]);
    free(extra);
    free(lines);
    free(cols);
    return rc;
}

/* Loads the scenario alone, for its own problems. */
static int load_base_only(const struct sim_variant_request *base,
                          struct sim_variant_problems *probs,
                          struct sim_error *err)
{
    struct sim_variant_request rq = *base;
    struct sim_scenario *sc = NULL;
    int rc;

    rq.n_extra = 0;
    rq.lines = rq.cols = NULL;
    rc = sim_variant_load(&rq, &sc, probs, err);
    sim_scenario_free(sc);
    return rc == 0 ? SIM_EINVAL : rc;
}

int sim_sweeprun_load(const struct sim_variant_request *base,
                      struct sim_sweeprun **out,
                      struct sim_variant_problems *probs,
                      struct sim_error *err)
{
    struct sim_sweeprun *run = calloc(1, sizeof *run);
    struct sim_cfg *cfg = sim_cfg_new(base->file);
    int rc = SIM_ENOMEM;

    *out = NULL;
    if (run == NULL || cfg == NULL || (run->file = strdup(base->file)) ==
        NULL)
        goto fail;
    rc = sim_sweep_load(cfg, base->file, &run->sweep);
    if (add_cfg_problems(cfg, probs) != 0)
        rc = SIM_ENOMEM;
    if (rc == SIM_EINVAL)
        rc = load_base_only(base, probs, err);
    if (rc != 0)
        goto fail;
    run->n_points = run->sweep->n_points;
    run->scs = calloc(run->n_points, sizeof *run->scs);
    rc = run->scs == NULL ? SIM_ENOMEM : 0;
    run->key = SIM_HASH_INIT;
    for (size_t p = 0; rc != SIM_ENOMEM && rc != SIM_EIO &&
         p < run->n_points; p++) {
        int r = load_point(run, base, p, probs, err);

        rc = r != 0 ? r : rc;
        if (r == 0)
            run->key = sim_hash_more(run->key, &run->scs[p]->hash,
                                     sizeof run->scs[p]->hash);
    }
    if (rc != 0)
        goto fail;
    sim_cfg_free(cfg);
    *out = run;
    return 0;
fail:
    if (rc == SIM_ENOMEM && err != NULL && err->code == 0)
        sim_error_set(err, rc, "out of memory");
    sim_cfg_free(cfg);
    sim_sweeprun_free(run);
    return rc;
}

void sim_sweeprun_free(struct sim_sweeprun *run)
{
    if (run == NULL)
        return;
    for (size_t p = 0; run->scs != NULL && p < run->n_points; p++)
        sim_scenario_free(run->scs[p]);
    free(run->scs);
    sim_sweep_free(run->sweep);
    free(run->file);
    free(run);
}

size_t sim_sweeprun_n_points(const struct sim_sweeprun *run)
{
    return run->n_points;
}

const char *sim_sweeprun_name(const struct sim_sweeprun *run)
{
    return run->scs[0]->name;
}

static void point_dir(const char *work, size_t p, char *buf, size_t n)
{
    snprintf(buf, n, "%s/points/%04zu", work, p);
}

/*
 * Whether point p is in the partial output whole. A point directory that
 * lacks one of its files or whose summary cannot be read back (damaged by
 * hand) is removed, to be run again rather than fail the sweep at its end.
 */
static bool is_done(const char *work, size_t p)
{
    static const char *const files[] = {
        "summary.json", "metrics.tsv", "scenario.yaml",
    };
    char dir[4200], path[4300];
    struct sim_pointdir pd;
    struct sim_error err = {0};
    struct stat st;

    point_dir(work, p, dir, sizeof dir);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            sim_outdir_remove_tree(dir);
            return false;
        }
    }
    if (sim_pointdir_read(dir, &pd, &err) != 0) {
        sim_outdir_remove_tree(dir);
        return false;
    }
    sim_pointdir_release(&pd);
    return true;
}

/*
 * Checks that the partial output belongs to this sweep (writing its
 * identity when new) and makes points/.
 */
static int check_key(const struct sim_sweeprun *run, const char *work,
                     const char *dir, struct sim_error *err)
{
    char path[4200], want[64], have[64] = "";
    FILE *f;

    snprintf(want, sizeof want, "%016llx %zu\n",
             (unsigned long long)run->key, run->n_points);
    snprintf(path, sizeof path, "%s/sweep.key", work);
    f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(have, sizeof have, f) == NULL)
            have[0] = '\0';
        fclose(f);
        if (strcmp(have, want) != 0)
            return sim_error_set(err, SIM_EINVAL, "cannot resume \"%s\": "
                                 "its partial results come from another "
                                 "sweep (the scenario or an override "
                                 "changed); run without --resume", dir);
    } else if (sim_file_write(path, want, strlen(want), err) != 0) {
        return err->code;
    }
    snprintf(path, sizeof path, "%s/points", work);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s", path,
                             strerror(errno));
    return 0;
}

/* A finished point: written (rank 0) or packed to send (other ranks). */
static int point_finished(struct exec *x, size_t k)
{
    struct slot *s = &x->slots[k];
    size_t p = x->mine[k];
    char dir[4200];
    int rc = 0;

    if (!x->is_sender) {
        point_dir(x->work, p, dir, sizeof dir);
        rc = sim_pointdir_write(dir, x->run->scs[p], &s->batch, x->err);
        sim_batch_release(&s->batch);
        return rc;
    }
    for (unsigned r = 0; r < s->batch.n_reps && rc == 0; r++) {
        unsigned char *data, *grown;
        size_t len;

        rc = sim_batch_pack(r, 0, &s->batch.reports[r], NULL, &data, &len);
        if (rc != 0)
            break;
        grown = realloc(s->packed, s->n_packed + len);
        if (grown == NULL)
            rc = SIM_ENOMEM;
        else
            memcpy(grown + s->n_packed, data, len);
        if (grown != NULL) {
            s->packed = grown;
            s->n_packed += len;
        }
        free(data);
    }
    sim_batch_release(&s->batch);
    return rc == 0 ? 0 : sim_error_set(x->err, rc, "out of memory");
}

static void on_task_progress(void *ctx, size_t task, sim_time now)
{
    struct exec *x = ctx;

    sim_batch_track(&x->t, task, sim_time_to_s(now), false);
}

static int on_done(void *ctx, size_t task, int rc, struct sim_report *rep,
                   const struct sim_error *err)
{
    struct exec *x = ctx;
    size_t k = x->task_slot[task];
    struct slot *s = &x->slots[k];
    size_t p = x->mine[k];
    unsigned first = 0;
    bool is_point_done;

    if (rc != 0)
        return sim_error_set(x->err, rc, "sweep point %zu: %s", p, err->msg);
    for (size_t t = task; t > 0 && x->task_slot[t - 1] == k; t--)
        first++;
    s->batch.reports[first] = *rep;
    is_point_done = ++s->n_done == s->batch.n_reps;
    sim_batch_track(&x->t, task, sim_time_to_s(x->run->scs[p]->duration),
                    is_point_done);
    return is_point_done ? point_finished(x, k) : 0;
}

/* Runs the points in mine[0..n-1] with the worker pool. */
static int run_mine(struct exec *x, size_t n, unsigned jobs)
{
    struct sim_task *tasks;
    size_t n_tasks = 0, t = 0;
    int rc;

    for (size_t k = 0; k < n; k++)
        n_tasks += x->run->scs[x->mine[k]]->replications;
    tasks = calloc(n_tasks + 1, sizeof *tasks);
    x->task_slot = calloc(n_tasks + 1, sizeof *x->task_slot);
    x->slots = calloc(n + 1, sizeof *x->slots);
    x->t.at_s = calloc(n_tasks + 1, sizeof *x->t.at_s);
    x->t.n_tasks = n_tasks;
    if (tasks == NULL || x->task_slot == NULL || x->slots == NULL ||
        x->t.at_s == NULL) {
        free(tasks);
        return sim_error_set(x->err, SIM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++) {
        const struct sim_scenario *sc = x->run->scs[x->mine[k]];

        x->slots[k].batch.n_reps = sc->replications;
        x->slots[k].batch.reports = calloc(sc->replications,
                                           sizeof(struct sim_report));
        if (x->slots[k].batch.reports == NULL) {
            free(tasks);
            return sim_error_set(x->err, SIM_ENOMEM, "out of memory");
        }
        for (unsigned r = 0; r < sc->replications; r++, t++) {
            tasks[t] = (struct sim_task){sc, r};
            x->task_slot[t] = k;
        }
        x->t.p.sim_total_s += sc->replications *
                              sim_time_to_s(sc->duration);
    }
    x->t.p.n_reps = (unsigned)n;
    x->t.p.counts_points = true;
    rc = sim_tasks_run_watched(tasks, n_tasks, jobs, on_done,
                               x->t.fn ? on_task_progress : NULL, x,
                               x->err);
    free(tasks);
    return rc;
}

static void exec_release(struct exec *x, size_t n)
{
    for (size_t k = 0; x->slots != NULL && k < n; k++) {
        sim_batch_release(&x->slots[k].batch);
        free(x->slots[k].packed);
    }
    free(x->slots);
    free(x->task_slot);
    free(x->mine);
    free(x->t.at_s);
}

/*
 * Rank 0: reads the records of one point sent by another rank, one per
 * replication in order (each record names its replication).
 */
static int unpack_point(struct exec *x, size_t p, const unsigned char *data,
                        size_t len, struct sim_batch *b)
{
    size_t pos = 0;
    unsigned n_got = 0;
    uint32_t n;

    b->n_reps = x->run->scs[p]->replications;
    b->reports = calloc(b->n_reps, sizeof *b->reports);
    if (b->reports == NULL)
        return SIM_ENOMEM;
    while (pos + sizeof n <= len && n_got < b->n_reps) {
        struct sim_error err = {0};
        struct sim_report rep;
        unsigned index;
        int rc;

        memcpy(&n, data + pos, sizeof n);
        if (n > len - pos - sizeof n)
            return SIM_EINTERNAL;
        sim_report_init(&rep);
        if (sim_batch_unpack(data + pos, sizeof n + n, &index, &rc, &rep,
                             &err) != 0 || rc != 0 || index != n_got) {
            sim_report_release(&rep);
            return SIM_EINTERNAL;
        }
        b->reports[n_got++] = rep;
        pos += sizeof n + n;
    }
    return pos == len && n_got == b->n_reps ? 0 : SIM_EINTERNAL;
}

/* Rank 0: reads a failure notice (a status word, then the message). */
static int read_notice(struct exec *x, const unsigned char *data,
                       size_t len)
{
    int32_t rc = SIM_EINTERNAL;

    if (len >= sizeof rc)
        memcpy(&rc, data, sizeof rc);
    if (rc >= 0 || rc < SIM_EINTERNAL)
        rc = SIM_EINTERNAL;
    return sim_error_set(x->err, rc, "%.*s (on another rank)",
                         len > sizeof rc ? (int)(len - sizeof rc) : 0,
                         (const char *)data + sizeof rc);
}

/*
 * Rank 0: takes one message from another rank and writes the point it
 * carries (unless is_kept is false: rank 0 failed and only drains).
 */
static int receive_one(struct exec *x, bool is_kept)
{
    const struct sim_sweeprun_ranks *rk = x->ranks;
    size_t n_points = x->run->n_points;
    struct sim_batch b = {0};
    unsigned char *data = NULL;
    char dir[4200];
    size_t len = 0;
    int tag = -1, rc;

    rc = rk->recv(rk->ctx, &tag, &data, &len);
    if (rc == 0 && tag >= 0 && (size_t)tag >= n_points &&
        (size_t)tag < 2 * n_points)
        rc = read_notice(x, data, len);
    else if (rc == 0 && (tag < 0 || (size_t)tag >= n_points))
        rc = sim_error_set(x->err, SIM_EINTERNAL, "a rank sent a damaged "
                           "result");
    else if (rc == 0 && is_kept && unpack_point(x, (size_t)tag, data, len,
                                                &b) != 0)
        rc = sim_error_set(x->err, SIM_EINTERNAL, "a rank sent a damaged "
                           "result");
    else if (rc == 0 && is_kept) {
        point_dir(x->work, (size_t)tag, dir, sizeof dir);
        rc = sim_pointdir_write(dir, x->run->scs[tag], &b, x->err);
    } else if (rc != 0) {
        sim_error_set(x->err, rc, "cannot receive a result from a rank");
    }
    free(data);
    sim_batch_release(&b);
    return rc;
}

/*
 * Rank 0: receives the n messages the other ranks send, one per point of
 * theirs, even after a failure (its own, rc, or theirs), so that no rank
 * is left waiting to send. Returns the first failure.
 */
static int receive_points(struct exec *x, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        struct sim_error mine = *x->err;
        int r = receive_one(x, rc == 0);

        if (rc != 0)
            *x->err = mine;
        else
            rc = r;
    }
    return rc;
}

/*
 * Other ranks: sends rank 0 every point run here; when the run failed
 * (run_rc), a notice for each point instead (tag n_points + point, the
 * status and the message), so rank 0 receives all it waits for.
 */
static int send_points(struct exec *x, size_t n, int run_rc)
{
    const struct sim_sweeprun_ranks *rk = x->ranks;
    unsigned char notice[sizeof x->err->msg + sizeof(int32_t)];
    int32_t word = run_rc;
    size_t n_notice = sizeof word + strlen(x->err->msg);
    int rc = run_rc;

    memcpy(notice, &word, sizeof word);
    memcpy(notice + sizeof word, x->err->msg, n_notice - sizeof word);
    for (size_t k = 0; k < n; k++) {
        int r = run_rc == 0
                ? rk->send(rk->ctx, (int)x->mine[k], x->slots[k].packed,
                           x->slots[k].n_packed)
                : rk->send(rk->ctx, (int)(x->run->n_points + x->mine[k]),
                           notice, n_notice);

        if (r != 0 && rc == 0)
            rc = sim_error_set(x->err, r, "cannot send a result to rank 0");
    }
    return rc;
}

/*
 * Rank 0 decides what is missing and tells every rank: a status word,
 * the number of points to run, then their indices.
 */
static int share_todo(struct exec *x, int status, uint32_t **todo,
                      uint32_t *n_todo)
{
    const struct sim_sweeprun_ranks *rk = x->ranks;
    int32_t word = status;

    if (rk != NULL && rk->size > 1) {
        if (rk->bcast(rk->ctx, &word, sizeof word) != 0)
            return SIM_EINTERNAL;
        if (word != 0)
            return rk->rank == 0 ? status : word;
        if (rk->bcast(rk->ctx, n_todo, sizeof *n_todo) != 0)
            return SIM_EINTERNAL;
        if (rk->rank != 0)
            *todo = calloc(*n_todo + 1, sizeof **todo);
        if (*todo == NULL || rk->bcast(rk->ctx, *todo, *n_todo *
                                       sizeof **todo) != 0)
            return SIM_EINTERNAL;
    }
    return status;
}

/* Rank 0: the points not yet in the partial output. */
static int list_todo(struct exec *x, uint32_t **todo, uint32_t *n_todo)
{
    *n_todo = 0;
    *todo = calloc(x->run->n_points + 1, sizeof **todo);
    if (*todo == NULL)
        return sim_error_set(x->err, SIM_ENOMEM, "out of memory");
    for (size_t p = 0; p < x->run->n_points; p++)
        if (!is_done(x->work, p))
            (*todo)[(*n_todo)++] = (uint32_t)p;
    return 0;
}

/* Runs this rank's share of the missing points. */
static int run_share(struct exec *x, const uint32_t *todo, uint32_t n_todo,
                     unsigned jobs, size_t *n_mine)
{
    unsigned rank = x->ranks ? x->ranks->rank : 0;
    unsigned size = x->ranks ? x->ranks->size : 1;
    int rc;

    *n_mine = 0;
    x->mine = calloc(n_todo + 1, sizeof *x->mine);
    if (x->mine == NULL)
        return sim_error_set(x->err, SIM_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n_todo; i++)
        if (i % size == rank)
            x->mine[(*n_mine)++] = todo[i];
    rc = run_mine(x, *n_mine, jobs);
    if (x->is_sender)
        rc = send_points(x, *n_mine, rc);
    else if (size > 1)
        rc = receive_points(x, n_todo - *n_mine, rc);
    return rc;
}

/* Reads every point back into s; rows and their arrays are owned by s. */
static int read_points(const struct sim_sweeprun *run, const char *work,
                       struct sim_sweepout *s, struct sim_error *err)
{
    const struct sim_sweep *sw = run->sweep;
    size_t np = sw->n_params;
    const char **vals = calloc(run->n_points * np + 1, sizeof *vals);
    double *nums = calloc(run->n_points * np + 1, sizeof *nums);
    char dir[4200];

    s->rows = calloc(run->n_points + 1, sizeof *s->rows);
    if (vals == NULL || nums == NULL || s->rows == NULL) {
        free(vals);
        free(nums);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < run->n_points; p++) {
        struct sim_sweepout_row *row = &s->rows[p];
        int rc;

        for (size_t j = 0; j < np; j++) {
            size_t v = sim_sweep_value_index(sw, p, j);

            vals[p * np + j] = sw->params[j].values[v];
            nums[p * np + j] = sw->params[j].numbers[v];
        }
        row->values = vals + p * np;
        row->numbers = nums + p * np;
        snprintf(row->dir, sizeof row->dir, "points/%04zu", p);
        point_dir(work, p, dir, sizeof dir);
        rc = sim_pointdir_read(dir, &row->point, err);
        if (rc != 0)
            return rc;
        s->n_rows++;
    }
    return 0;
}

static void rows_release(struct sim_sweepout *s)
{
    for (size_t r = 0; r < s->n_rows; r++)
        sim_pointdir_release(&s->rows[r].point);
    if (s->rows != NULL) {
        free((void *)s->rows[0].values);
        free((void *)s->rows[0].numbers);
    }
    free(s->rows);
    s->rows = NULL;
    s->n_rows = 0;
}

/* The figure behind each expectation of a point, side by side. */
static void table_expects(struct sim_strbuf *sb, const struct sim_pointdir *p)
{
    for (size_t i = 0; i < p->n_expects; i++) {
        const struct sim_pointdir_expect *e = &p->expects[i];
        const struct sim_pointdir_figure *f =
            sim_pointdir_find(p, e->scope, e->metric);
        char value[48], half[32], name[64];

        if (f == NULL)
            continue;
        sim_summary_format(e->mean, e->half_width, f->unit, value,
                           sizeof value, half, sizeof half);
        sim_summary_display_name(e->metric, name, sizeof name);
        sim_strbuf_printf(sb, "  | %s %s %s", e->scope, name, value);
    }
}

/* Whether an expectation of p is on figure f (and shows it already). */
static bool is_expected(const struct sim_pointdir *p,
                        const struct sim_pointdir_figure *f)
{
    for (size_t i = 0; i < p->n_expects; i++)
        if (strcmp(p->expects[i].scope, f->scope) == 0 &&
            strcmp(p->expects[i].metric, f->name) == 0)
            return true;
    return false;
}

/* One line per point for people: values, verdict, the curve's figures. */
static char *make_table(const struct sim_sweepout *s, const char *dir,
                        size_t n_run)
{
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "sweep of %s: %zu point%s (%zu run now, %zu "
                      "kept from before), results in %s\n", s->name,
                      s->n_rows, s->n_rows == 1 ? "" : "s", n_run,
                      s->n_rows - n_run, dir);
    for (size_t r = 0; r < s->n_rows; r++) {
        const struct sim_pointdir *p = &s->rows[r].point;

        sim_strbuf_printf(&sb, "  %4zu", r);
        for (size_t j = 0; j < s->n_params; j++)
            sim_strbuf_printf(&sb, "  %s=%s", s->params[j].key,
                              s->rows[r].values[j]);
        sim_strbuf_printf(&sb, "  expectations: %s",
                          sim_pointdir_verdict(p));
        if (s->has_curve) {
            const struct sim_pointdir_figure *x =
                sim_pointdir_find(p, s->knee.scope, "throughput");
            const struct sim_pointdir_figure *y =
                sim_pointdir_find(p, s->knee.scope, s->knee.latency);

            /* A latency of no request at all has no value: n/a. */
            if (x != NULL && y != NULL && is_expected(p, y))
                sim_strbuf_printf(&sb, "  throughput %.4g/s", x->mean);
            else if (x != NULL && y != NULL && isnan(y->mean))
                sim_strbuf_printf(&sb, "  throughput %.4g/s  %s n/a",
                                  x->mean, y->name);
            else if (x != NULL && y != NULL)
                sim_strbuf_printf(&sb, "  throughput %.4g/s  %s %.4g ms",
                                  x->mean, y->name, 1e3 * y->mean);
        }
        table_expects(&sb, p);
        sim_strbuf_printf(&sb, "\n");
    }
    return sim_strbuf_take(&sb);
}

/* Rank 0: the sweep's own files, from the points read back. */
static int finish(struct sim_sweeprun *run, struct sim_outdir *od,
                  bool has_charts, char **table, size_t n_run,
                  struct sim_error *err)
{
    struct sim_sweepout_param *params;
    struct sim_sweepout s = {0};
    char path[4200];
    int rc;

    params = calloc(run->sweep->n_params, sizeof *params);
    if (params == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    for (size_t j = 0; j < run->sweep->n_params; j++) {
        const struct sim_sweep_param *p = &run->sweep->params[j];

        params[j] = (struct sim_sweepout_param){p->key, p->unit,
                                                p->is_numeric};
    }
    s.name = run->scs[0]->name;
    s.file = run->file;
    s.combine = run->sweep->combine == SIM_SWEEP_ZIP ? "zip" : "grid";
    s.params = params;
    s.n_params = run->sweep->n_params;
    rc = read_points(run, od->tmp, &s, err);
    if (rc == 0) {
        sim_sweepout_analyse(&s);
        rc = sim_sweepout_write_tsv(&s, sim_outdir_path(od, "sweep.tsv",
                                    path, sizeof path), err);
    }
    if (rc == 0)
        rc = sim_sweepout_write_json(&s, sim_outdir_path(od, "summary.json",
                                     path, sizeof path), err);
    if (rc == 0 && has_charts)
        rc = sim_sweepout_charts(&s, od->tmp, err);
    else if (rc == 0)
        snprintf(s.chart_note, sizeof s.chart_note, "No charts were drawn "
                 "(--charts none).");
    if (rc == 0)
        rc = sim_sweepdoc_write(&s, od->tmp, err);
    if (rc == 0)
        rc = sim_outdir_commit(od, err);
    if (rc == 0 && (*table = make_table(&s, od->final, n_run)) == NULL)
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
    rows_release(&s);
    free(params);
    return rc;
}

int sim_sweeprun_execute(struct sim_sweeprun *run,
                         const struct sim_sweeprun_opts *o, char **table,
                         size_t *n_run, struct sim_error *err)
{
    struct exec x = {.run = run, .ranks = o->ranks, .err = err,
                     .t = {.fn = o->ranks == NULL ? o->progress : NULL,
                           .ctx = o->progress_ctx}};
    struct sim_outdir od = {0};
    uint32_t *todo = NULL, n_todo = 0;
    size_t n_mine = 0;
    int rc = 0;

    *table = NULL;
    *n_run = 0;
    x.is_sender = o->ranks != NULL && o->ranks->rank != 0;
    if (!x.is_sender) {
        rc = sim_outdir_begin_kept(&od, o->dir, o->is_forced, o->is_resume,
                                   err);
        x.work = od.tmp;
        if (rc == 0)
            rc = check_key(run, od.tmp, o->dir, err);
        if (rc == 0)
            rc = list_todo(&x, &todo, &n_todo);
    }
    rc = share_todo(&x, rc, &todo, &n_todo);
    if (rc == 0)
        rc = run_share(&x, todo, n_todo, o->jobs, &n_mine);
    *n_run = n_todo;
    if (rc == 0 && !x.is_sender)
        rc = finish(run, &od, !o->skips_charts, table, n_todo, err);
    exec_release(&x, n_mine);
    free(todo);
    sim_outdir_release(&od);
    if (rc != 0 && x.is_sender && err->code == 0)
        sim_error_set(err, rc, "rank 0 stopped the sweep");
    return rc;
}
