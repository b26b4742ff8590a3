/* SPDX-License-Identifier: MIT */
/*
 * station.c - the queueing core shared by models that serve requests. A
 * request that finds an idle worker starts service at once, else it waits
 * in FIFO order if the queue has room, else it is refused. Service times
 * are drawn when service starts, from the owner's random stream.
 */
#include "models/station.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cyaml_schema_field_t station_per_op_fields[] = {
    CYAML_FIELD_MAPPING_PTR("read", CYAML_FLAG_OPTIONAL,
                            struct station_per_op_config, read,
                            sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("write", CYAML_FLAG_OPTIONAL,
                            struct station_per_op_config, write,
                            sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("cas", CYAML_FLAG_OPTIONAL,
                            struct station_per_op_config, cas,
                            sim_dist_fields),
    CYAML_FIELD_END
};

void station_service_free(struct sim_dist *service[SIM_OP_N])
{
    for (int op = 0; op < SIM_OP_N; op++) {
        bool is_shared = false;

        for (int prev = 0; prev < op; prev++)
            is_shared |= service[prev] == service[op];
        if (!is_shared)
            sim_dist_free(service[op]);
    }
    for (int op = 0; op < SIM_OP_N; op++)
        service[op] = NULL;
}

int station_service_build(struct sim_cfg *cfg, const char *path,
                          const struct sim_dist_config *service,
                          const struct station_per_op_config *per_op,
                          struct sim_dist *out[SIM_OP_N])
{
    const struct sim_dist_config *own[SIM_OP_N] = {NULL};
    struct sim_dist *dflt = NULL;
    char sub[256];
    int rc = 0;

    for (int op = 0; op < SIM_OP_N; op++)
        out[op] = NULL;
    if (per_op != NULL) {
        own[SIM_OP_READ] = per_op->read;
        own[SIM_OP_WRITE] = per_op->write;
        own[SIM_OP_CAS] = per_op->cas;
    }
    snprintf(sub, sizeof sub, "%s.service", path);
    if (service != NULL && sim_dist_build(cfg, sub, service, &dflt) != 0)
        rc = SIM_EINVAL;
    for (int op = 0; op < SIM_OP_N; op++) {
        if (own[op] != NULL) {
            snprintf(sub, sizeof sub, "%s.service_per_op.%s", path,
                     sim_op_name(op));
            if (sim_dist_build(cfg, sub, own[op], &out[op]) != 0)
                rc = SIM_EINVAL;
        } else if (service == NULL && rc == 0) {
            sim_cfg_error(cfg, path, "missing \"service\" (or a "
                          "service_per_op entry for %s)", sim_op_name(op));
            rc = SIM_EINVAL;
        } else {
            out[op] = dflt;
        }
    }
    if (dflt != NULL && out[SIM_OP_READ] != dflt &&
        out[SIM_OP_WRITE] != dflt && out[SIM_OP_CAS] != dflt)
        sim_dist_free(dflt);
    if (rc != 0)
        station_service_free(out);
    return rc;
}

static int stats_init(struct station_stats *s)
{
    memset(s, 0, sizeof *s);
    s->wait_hist = sim_hist_new();
    s->sojourn_hist = sim_hist_new();
    return s->wait_hist && s->sojourn_hist ? 0 : SIM_ENOMEM;
}

void station_release(struct station *st)
{
    free(st->fifo);
    free(st->slots);
    free(st->idle);
    sim_hist_free(st->stats.wait_hist);
    sim_hist_free(st->stats.sojourn_hist);
    sim_wtwa_release(&st->win_busy);
    sim_wtwa_release(&st->win_queued);
    memset(st, 0, sizeof *st);
}

int station_init(struct station *st, struct sim *sim,
                 const struct station_params *p)
{
    size_t n = sim_n_windows(sim);
    sim_time width = sim_window_width(sim), now = sim_now(sim);

    memset(st, 0, sizeof *st);
    st->p = *p;
    st->slots = calloc(p->workers, sizeof *st->slots);
    st->idle = malloc(p->workers * sizeof *st->idle);
    if (st->slots == NULL || st->idle == NULL ||
        stats_init(&st->stats) != 0 ||
        sim_wtwa_init(&st->win_busy, n, width, now, 0) != 0 ||
        sim_wtwa_init(&st->win_queued, n, width, now, 0) != 0) {
        station_release(st);
        return SIM_ENOMEM;
    }
    for (unsigned k = 0; k < p->workers; k++)
        st->idle[k] = k;
    sim_twa_init(&st->stats.busy, now, 0);
    sim_twa_init(&st->stats.queued, now, 0);
    return 0;
}

static void note_busy(struct station *st, sim_time now)
{
    sim_twa_set(&st->stats.busy, now, st->n_busy);
    sim_wtwa_set(&st->win_busy, now, st->n_busy);
}

static void note_queued(struct station *st, sim_time now)
{
    sim_twa_set(&st->stats.queued, now, (double)st->n_fifo);
    sim_wtwa_set(&st->win_queued, now, (double)st->n_fifo);
}

static struct sim_req *fifo_pop(struct station *st)
{
    struct sim_req *req = st->fifo[st->fifo_head];

    st->fifo_head = (st->fifo_head + 1) & (st->cap_fifo - 1);
    st->n_fifo--;
    return req;
}

/* Appends req, doubling the ring when full; false when out of memory. */
static bool fifo_push(struct station *st, struct sim_req *req)
{
    if (st->n_fifo == st->cap_fifo) {
        size_t cap = st->cap_fifo ? st->cap_fifo * 2 : 64;
        struct sim_req **grown = malloc(cap * sizeof *grown);

        if (grown == NULL)
            return false;
        for (size_t i = 0; i < st->n_fifo; i++)
            grown[i] = st->fifo[(st->fifo_head + i) & (st->cap_fifo - 1)];
        free(st->fifo);
        st->fifo = grown;
        st->fifo_head = 0;
        st->cap_fifo = cap;
    }
    st->fifo[(st->fifo_head + st->n_fifo) & (st->cap_fifo - 1)] = req;
    st->n_fifo++;
    return true;
}

static void start_service(struct station *st, struct sim *sim,
                          struct sim_req *req)
{
    sim_time now = sim_now(sim), wait = now - req->t_enqueued, service;
    unsigned i = st->idle[st->p.workers - 1 - st->n_busy];
    struct station_slot *slot = &st->slots[i];
    int op = req->op < SIM_OP_N ? req->op : SIM_OP_READ;

    service = sim_dist_sample(st->p.service[op], sim_rng(sim, st->p.owner));
    st->n_busy++;
    note_busy(st, now);
    sim_tally_add(&st->stats.wait, sim_time_to_s(wait));
    sim_hist_add(st->stats.wait_hist, sim_time_to_s(wait));
    req->wait_ns += wait;
    req->t_service = now;
    req->hop_tag.u64 = i;
    slot->req = req;
    slot->done_event = sim_schedule(sim, service, st->p.owner,
                                    st->p.done_type,
                                    (union sim_payload){.ptr = req});
}

enum station_admit station_arrive(struct station *st, struct sim *sim,
                                  struct sim_req *req)
{
    sim_time now = sim_now(sim);

    st->stats.n_arrived++;
    req->t_enqueued = now;
    if (st->n_busy < st->p.workers) {
        start_service(st, sim, req);
        return STATION_STARTED;
    }
    if (st->n_fifo < st->p.capacity && fifo_push(st, req)) {
        st->stats.n_queued++;
        note_queued(st, now);
        return STATION_QUEUED;
    }
    st->stats.n_rejected++;
    return STATION_FULL;
}

void station_finish(struct station *st, struct sim *sim, struct sim_req *req)
{
    sim_time now = sim_now(sim), service = now - req->t_service;
    double sojourn = sim_time_to_s(now - req->t_enqueued);
    unsigned i = (unsigned)req->hop_tag.u64;

    st->slots[i].req = NULL;
    st->n_busy--;
    st->idle[st->p.workers - 1 - st->n_busy] = i;
    note_busy(st, now);
    st->stats.n_completed++;
    sim_tally_add(&st->stats.service, sim_time_to_s(service));
    sim_tally_add(&st->stats.sojourn, sojourn);
    sim_hist_add(st->stats.sojourn_hist, sojourn);
    req->service_ns += service;
    if (st->n_fifo > 0) {
        start_service(st, sim, fifo_pop(st));
        note_queued(st, now);
    }
}

void station_hold(struct station *st, struct sim_req *req)
{
    st->slots[req->hop_tag.u64].done_event = 0;
}

void station_crash(struct station *st, struct sim *sim,
                   station_drop_fn on_drop, void *ctx)
{
    sim_time now = sim_now(sim);

    for (unsigned i = 0; i < st->p.workers; i++) {
        struct station_slot *slot = &st->slots[i];

        if (slot->req == NULL)
            continue;
        sim_cancel(sim, slot->done_event);
        if (on_drop != NULL)
            on_drop(ctx, slot->req);
        sim_req_drop(sim, slot->req, SIM_FAIL_CRASH);
        slot->req = NULL;
        st->stats.n_dropped++;
    }
    for (unsigned i = 0; i < st->p.workers; i++)
        st->idle[i] = i;
    while (st->n_fifo > 0) {
        struct sim_req *req = fifo_pop(st);

        if (on_drop != NULL)
            on_drop(ctx, req);
        sim_req_drop(sim, req, SIM_FAIL_CRASH);
        st->stats.n_dropped++;
    }
    st->n_busy = 0;
    note_busy(st, now);
    note_queued(st, now);
}

uint64_t station_n_present(const struct station *st)
{
    return st->n_busy + st->n_fifo;
}

void station_reset(struct station *st, sim_time now)
{
    struct station_stats *s = &st->stats;

    s->n_arrived = s->n_queued = s->n_rejected = 0;
    s->n_completed = s->n_dropped = 0;
    s->n_present_start = station_n_present(st);
    sim_tally_init(&s->wait);
    sim_tally_init(&s->service);
    sim_tally_init(&s->sojourn);
    sim_hist_reset(s->wait_hist);
    sim_hist_reset(s->sojourn_hist);
    sim_twa_reset(&s->busy, now);
    sim_twa_reset(&s->queued, now);
}

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : NAN;
}

static void report_books(const struct station_stats *s,
                         uint64_t present_end, const char *scope,
                         struct sim_report *rep)
{
    sim_report_add(rep, scope, "arrived", "count", (double)s->n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)s->n_completed);
    sim_report_add(rep, scope, "rejected", "count", (double)s->n_rejected);
    sim_report_add(rep, scope, "dropped", "count", (double)s->n_dropped);
    sim_report_add(rep, scope, "present_start", "count",
                   (double)s->n_present_start);
    sim_report_add(rep, scope, "present_end", "count",
                   (double)present_end);
}

/* The figures of stats s with the given utilisation and queue length. */
static void report_stats(const struct station_stats *s, double busy,
                         double queued, uint64_t present_end,
                         struct sim *sim, const char *scope,
                         struct sim_report *rep)
{
    double span = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));

    sim_report_add(rep, scope, "throughput", "1/s",
                   (double)s->n_completed / span);
    sim_report_add(rep, scope, "utilisation", "ratio", busy);
    sim_report_add(rep, scope, "queue_length.mean", "requests", queued);
    sim_report_add(rep, scope, "waiting_time.mean", "s", s->wait.mean);
    sim_report_add(rep, scope, "waiting_time.p99", "s",
                   sim_hist_quantile(s->wait_hist, 0.99));
    sim_report_add(rep, scope, "service_time.mean", "s", s->service.mean);
    sim_report_add(rep, scope, "response_time.mean", "s", s->sojourn.mean);
    sim_report_add(rep, scope, "response_time.p99", "s",
                   sim_hist_quantile(s->sojourn_hist, 0.99));
    sim_report_add(rep, scope, "p_wait", "ratio",
                   ratio(s->n_queued, s->n_arrived - s->n_rejected));
    sim_report_add(rep, scope, "p_reject", "ratio",
                   ratio(s->n_rejected, s->n_arrived));
    report_books(s, present_end, scope, rep);
}

void station_report(const struct station *st, struct sim *sim,
                    const char *scope, struct sim_report *rep)
{
    sim_time now = sim_now(sim);

    report_stats(&st->stats, sim_twa_mean(&st->stats.busy, now) /
                 st->p.workers, sim_twa_mean(&st->stats.queued, now),
                 station_n_present(st), sim, scope, rep);
}

/* Adds every observation of src to dst. */
static void merge_stats(struct station_stats *dst,
                        const struct station_stats *src)
{
    sim_tally_merge(&dst->wait, &src->wait);
    sim_tally_merge(&dst->service, &src->service);
    sim_tally_merge(&dst->sojourn, &src->sojourn);
    sim_hist_merge(dst->wait_hist, src->wait_hist);
    sim_hist_merge(dst->sojourn_hist, src->sojourn_hist);
    dst->n_arrived += src->n_arrived;
    dst->n_queued += src->n_queued;
    dst->n_rejected += src->n_rejected;
    dst->n_completed += src->n_completed;
    dst->n_dropped += src->n_dropped;
    dst->n_present_start += src->n_present_start;
}

void station_report_merged(const struct station *const *parts, size_t n,
                           struct sim *sim, const char *scope,
                           struct sim_report *rep)
{
    struct station_stats sum;
    double busy = 0, queued = 0;
    uint64_t present = 0;
    sim_time now = sim_now(sim);

    if (stats_init(&sum) != 0) {
        rep->status = SIM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        merge_stats(&sum, &parts[i]->stats);
        busy += sim_twa_mean(&parts[i]->stats.busy, now) /
                parts[i]->p.workers / (double)n;
        queued += sim_twa_mean(&parts[i]->stats.queued, now);
        present += station_n_present(parts[i]);
    }
    report_stats(&sum, busy, queued, present, sim, scope, rep);
done:
    sim_hist_free(sum.wait_hist);
    sim_hist_free(sum.sojourn_hist);
}

int station_add_busy_series(const struct station *st, struct sim *sim,
                            double weight, double *out)
{
    size_t n = sim_n_windows(sim);
    double *v = malloc((n + 1) * sizeof *v);

    if (v == NULL)
        return SIM_ENOMEM;
    sim_wtwa_means(&st->win_busy, sim_now(sim), v);
    for (size_t w = 0; w < n; w++)
        out[w] += weight * v[w] / st->p.workers;
    free(v);
    return 0;
}

void station_report_settings(struct sim_report *rep, const char *scope,
                             uint64_t capacity,
                             struct sim_dist *const service[SIM_OP_N])
{
    char buf[256], key[32];

    if (capacity == UINT64_MAX)
        sim_report_setting(rep, scope, "queue capacity", "unbounded");
    else
        sim_report_setting(rep, scope, "queue capacity", "%llu",
                           (unsigned long long)capacity);
    for (int op = 0; op < SIM_OP_N; op++) {
        snprintf(key, sizeof key, "service (%s)", sim_op_name(op));
        sim_report_setting(rep, scope, key, "%s",
                           sim_dist_describe(service[op], buf, sizeof buf));
    }
}
