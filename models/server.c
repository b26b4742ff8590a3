/* SPDX-License-Identifier: MIT */
/*
 * server.c - c workers in front of one FIFO queue.
 *
 * A request that finds a free worker starts service at once; otherwise it
 * waits if the queue has room, and is rejected (answered with status
 * "rejected") if not. Service times are drawn when service starts. After
 * service the request is handed to a next server with the configured
 * probabilities, or answered. Simplifications: FIFO only, one request per
 * worker, no preemption; a crash loses every request on the node, queued
 * or in service alike (dropped with reason "crash": their callers learn
 * only by timing out), and the node restarts empty. A health-check probe
 * (req->is_probe) is answered at once, bypassing queue and figures.
 */
#include "models/server.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_MAX_COUNT 10000
#define SERVER_MAX_WORKERS 100000
#define SERVER_MAX_CAPACITY 100000000U

enum server_event {
    SERVER_EV_DONE = SIM_EV_USER,       /* payload.ptr: the request */
};

struct server_queue_config {
    unsigned *capacity;                 /* waiting room; absent: unbounded */
};

struct server_route_config {
    char *to;                           /* server (or group) name */
    double *p;                          /* probability of this hand-off */
};

struct server_per_op_config {
    struct sim_dist_config *read, *write, *cas;
};

struct server_config {
    char *name;
    unsigned *count;                    /* instances; default 1 */
    unsigned *workers;                  /* per instance; default 1 */
    struct server_queue_config *queue;
    struct sim_dist_config *service;    /* default service time */
    struct server_per_op_config *service_per_op;
    struct server_route_config *next;
    unsigned next_count;               /* entries in next */
};

static const cyaml_schema_field_t queue_fields[] = {
    CYAML_FIELD_UINT_PTR("capacity", CYAML_FLAG_OPTIONAL,
                         struct server_queue_config, capacity),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t route_fields[] = {
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER,
                           struct server_route_config, to, 1, 255),
    CYAML_FIELD_FLOAT_PTR("p", CYAML_FLAG_POINTER,
                          struct server_route_config, p),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t route_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct server_route_config,
                        route_fields),
};

static const cyaml_schema_field_t per_op_fields[] = {
    CYAML_FIELD_MAPPING_PTR("read", CYAML_FLAG_OPTIONAL,
                            struct server_per_op_config, read,
                            sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("write", CYAML_FLAG_OPTIONAL,
                            struct server_per_op_config, write,
                            sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("cas", CYAML_FLAG_OPTIONAL,
                            struct server_per_op_config, cas,
                            sim_dist_fields),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t server_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct server_config,
                           name, 1, 63),
    CYAML_FIELD_UINT_PTR("count", CYAML_FLAG_OPTIONAL, struct server_config,
                         count),
    CYAML_FIELD_UINT_PTR("workers", CYAML_FLAG_OPTIONAL,
                         struct server_config, workers),
    CYAML_FIELD_MAPPING_PTR("queue", CYAML_FLAG_OPTIONAL,
                            struct server_config, queue, queue_fields),
    CYAML_FIELD_MAPPING_PTR("service", CYAML_FLAG_OPTIONAL,
                            struct server_config, service, sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("service_per_op", CYAML_FLAG_OPTIONAL,
                            struct server_config, service_per_op,
                            per_op_fields),
    CYAML_FIELD_SEQUENCE("next", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct server_config, next, &route_schema, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t server_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct server_config,
                        server_fields),
};

struct server_route {
    char *to;                           /* name as configured */
    double p_cum;                       /* cumulative probability */
    const uint32_t *members;            /* resolved at start */
    size_t n_members;
};

/* A worker's current job, so a crash can cancel its completion. */
struct server_slot {
    struct sim_req *req;                /* NULL when the worker is idle */
    uint64_t done_event;
};

struct server_stats {
    struct sim_tally wait;              /* queueing wait, s */
    struct sim_tally service;           /* service time, s */
    struct sim_tally sojourn;           /* wait + service here, s */
    struct sim_hist *wait_hist;         /* s */
    struct sim_hist *sojourn_hist;      /* s */
    struct sim_twa busy;                /* busy workers */
    struct sim_twa queued;              /* requests waiting */
    uint64_t n_arrived;
    uint64_t n_queued;                  /* arrivals that had to wait */
    uint64_t n_rejected;                /* arrivals turned away */
    uint64_t n_completed;
    uint64_t n_dropped;                 /* lost in a crash */
    uint64_t n_present_start;           /* in the node when measured from */
};

struct server_group;

/* Per-window observations, for series; never reset at the warm-up. */
struct server_windows {
    struct sim_wtwa busy;               /* busy workers */
    struct sim_wtwa queued;             /* requests waiting */
};

struct server {
    struct server_group *group;
    uint32_t id;                        /* entity id */
    struct sim_req **fifo;              /* ring of waiting requests */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo: a power of two */
    struct server_slot *slots;          /* one per worker */
    unsigned *idle;                     /* stack of idle worker indices */
    unsigned n_busy;                    /* workers minus those idle */
    struct server_stats st;
    struct server_windows win;
};

struct server_group {
    char *name;
    unsigned n_inst;
    unsigned workers;
    uint64_t capacity;                  /* UINT64_MAX when unbounded */
    struct sim_dist *service[SIM_OP_N]; /* per operation */
    struct server_route *routes;
    size_t n_routes;
    struct server *inst;
};

static int stats_init(struct server_stats *st)
{
    memset(st, 0, sizeof *st);
    st->wait_hist = sim_hist_new();
    st->sojourn_hist = sim_hist_new();
    return st->wait_hist && st->sojourn_hist ? 0 : SIM_ENOMEM;
}

static void stats_release(struct server_stats *st)
{
    sim_hist_free(st->wait_hist);
    sim_hist_free(st->sojourn_hist);
}

static void server_destroy(void *state)
{
    struct server_group *g = state;

    if (g == NULL)
        return;
    for (unsigned i = 0; g->inst != NULL && i < g->n_inst; i++) {
        free(g->inst[i].fifo);
        free(g->inst[i].slots);
        free(g->inst[i].idle);
        sim_wtwa_release(&g->inst[i].win.busy);
        sim_wtwa_release(&g->inst[i].win.queued);
        stats_release(&g->inst[i].st);
    }
    free(g->inst);
    for (int op = 0; op < SIM_OP_N; op++) {
        bool is_shared = false;

        for (int prev = 0; prev < op; prev++)
            is_shared |= g->service[prev] == g->service[op];
        if (!is_shared)
            sim_dist_free(g->service[op]);
    }
    for (size_t i = 0; i < g->n_routes; i++)
        free(g->routes[i].to);
    free(g->routes);
    free(g->name);
    free(g);
}

static void set_busy(struct server *s, sim_time now)
{
    sim_twa_set(&s->st.busy, now, s->n_busy);
    sim_wtwa_set(&s->win.busy, now, s->n_busy);
}

static void set_queued(struct server *s, sim_time now)
{
    sim_twa_set(&s->st.queued, now, (double)s->n_fifo);
    sim_wtwa_set(&s->win.queued, now, (double)s->n_fifo);
}

static struct sim_req *fifo_pop(struct server *s)
{
    struct sim_req *req = s->fifo[s->fifo_head];

    s->fifo_head = (s->fifo_head + 1) & (s->cap_fifo - 1);
    s->n_fifo--;
    return req;
}

static bool fifo_push(struct server *s, struct sim_req *req)
{
    if (s->n_fifo == s->cap_fifo) {
        size_t cap = s->cap_fifo ? s->cap_fifo * 2 : 64;
        struct sim_req **grown = malloc(cap * sizeof *grown);

        if (grown == NULL)
            return false;
        for (size_t i = 0; i < s->n_fifo; i++)
            grown[i] = s->fifo[(s->fifo_head + i) & (s->cap_fifo - 1)];
        free(s->fifo);
        s->fifo = grown;
        s->fifo_head = 0;
        s->cap_fifo = cap;
    }
    s->fifo[(s->fifo_head + s->n_fifo) & (s->cap_fifo - 1)] = req;
    s->n_fifo++;
    return true;
}

static void start_service(struct sim *sim, struct server *s,
                          struct sim_req *req)
{
    sim_time now = sim_now(sim), wait = now - req->t_enqueued, service;
    unsigned i = s->idle[s->group->workers - 1 - s->n_busy];
    struct server_slot *slot = &s->slots[i];

    service = sim_dist_sample(s->group->service[req->op], sim_rng(sim, s->id));
    s->n_busy++;
    set_busy(s, now);
    sim_tally_add(&s->st.wait, sim_time_to_s(wait));
    sim_hist_add(s->st.wait_hist, sim_time_to_s(wait));
    req->wait_ns += wait;
    req->t_service = now;
    req->hop_tag.u64 = i;
    slot->req = req;
    slot->done_event = sim_schedule(sim, service, s->id, SERVER_EV_DONE,
                                    (union sim_payload){.ptr = req});
}

static void on_request(struct sim *sim, struct server *s, struct sim_req *req)
{
    sim_time now = sim_now(sim);

    if (req->is_probe) {
        req->status = SIM_REQ_OK;
        sim_req_reply(sim, s->id, req);
        return;
    }
    s->st.n_arrived++;
    req->t_enqueued = now;
    if (s->n_busy < s->group->workers) {
        start_service(sim, s, req);
        return;
    }
    if (s->n_fifo < s->group->capacity && fifo_push(s, req)) {
        s->st.n_queued++;
        set_queued(s, now);
        return;
    }
    s->st.n_rejected++;
    req->status = SIM_FAIL_REJECTED;
    sim_req_reply(sim, s->id, req);
}

/* Picks the next hop after service, or SIM_NO_ENTITY to answer. */
static uint32_t pick_route(struct sim *sim, struct server *s)
{
    const struct server_group *g = s->group;
    gsl_rng *rng = sim_rng(sim, s->id);
    double u;

    if (g->n_routes == 0)
        return SIM_NO_ENTITY;
    u = gsl_rng_uniform(rng);
    for (size_t i = 0; i < g->n_routes; i++) {
        const struct server_route *r = &g->routes[i];

        if (u >= r->p_cum)
            continue;
        if (r->n_members == 1)
            return r->members[0];
        return r->members[gsl_rng_uniform_int(rng, r->n_members)];
    }
    return SIM_NO_ENTITY;
}

static void on_done(struct sim *sim, struct server *s, struct sim_req *req)
{
    sim_time now = sim_now(sim), service = now - req->t_service;
    double sojourn = sim_time_to_s(now - req->t_enqueued);
    uint32_t next;

    s->slots[req->hop_tag.u64].req = NULL;
    s->n_busy--;
    s->idle[s->group->workers - 1 - s->n_busy] = (unsigned)req->hop_tag.u64;
    set_busy(s, now);
    s->st.n_completed++;
    sim_tally_add(&s->st.service, sim_time_to_s(service));
    sim_tally_add(&s->st.sojourn, sojourn);
    sim_hist_add(s->st.sojourn_hist, sojourn);
    req->service_ns += service;
    next = pick_route(sim, s);
    if (next != SIM_NO_ENTITY) {
        sim_req_forward(sim, s->id, next, req);
    } else {
        req->status = SIM_REQ_OK;
        sim_req_reply(sim, s->id, req);
    }
    if (s->n_fifo > 0) {
        start_service(sim, s, fifo_pop(s));
        set_queued(s, now);
    }
}

/* Every request on the node is lost alike, whether queued or served. */
static void on_crash(struct sim *sim, struct server *s)
{
    sim_time now = sim_now(sim);

    for (unsigned i = 0; i < s->group->workers; i++) {
        struct server_slot *slot = &s->slots[i];

        if (slot->req == NULL)
            continue;
        sim_cancel(sim, slot->done_event);
        sim_req_drop(sim, slot->req, SIM_FAIL_CRASH);
        slot->req = NULL;
        s->st.n_dropped++;
    }
    for (unsigned i = 0; i < s->group->workers; i++)
        s->idle[i] = i;
    while (s->n_fifo > 0) {
        sim_req_drop(sim, fifo_pop(s), SIM_FAIL_CRASH);
        s->st.n_dropped++;
    }
    s->n_busy = 0;
    set_busy(s, now);
    set_queued(s, now);
}

static void server_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct server *s = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_request(sim, s, ev->payload.ptr);
        break;
    case SERVER_EV_DONE:
        on_done(sim, s, ev->payload.ptr);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, s);
        break;
    default:
        break;
    }
}

/* Builds the service distribution of each operation. */
static int build_service(struct sim_cfg *cfg, const char *path,
                         const struct server_config *c,
                         struct server_group *g)
{
    const struct sim_dist_config *per_op[SIM_OP_N] = {NULL};
    struct sim_dist *dflt = NULL;
    char sub[256];
    int rc = 0;

    if (c->service_per_op != NULL) {
        per_op[SIM_OP_READ] = c->service_per_op->read;
        per_op[SIM_OP_WRITE] = c->service_per_op->write;
        per_op[SIM_OP_CAS] = c->service_per_op->cas;
    }
    snprintf(sub, sizeof sub, "%s.service", path);
    if (c->service != NULL)
        rc = sim_dist_build(cfg, sub, c->service, &dflt);
    for (int op = 0; op < SIM_OP_N; op++) {
        if (per_op[op] != NULL) {
            snprintf(sub, sizeof sub, "%s.service_per_op.%s", path,
                     sim_op_name(op));
            if (sim_dist_build(cfg, sub, per_op[op], &g->service[op]) != 0)
                rc = SIM_EINVAL;
            continue;
        }
        if (c->service == NULL) {
            sim_cfg_error(cfg, path, "missing \"service\" (or a "
                          "service_per_op entry for %s)", sim_op_name(op));
            return SIM_EINVAL;
        }
        g->service[op] = dflt;
    }
    if (dflt != NULL && g->service[SIM_OP_READ] != dflt &&
        g->service[SIM_OP_WRITE] != dflt && g->service[SIM_OP_CAS] != dflt)
        sim_dist_free(dflt);
    return rc;
}

static int build_routes(struct sim_cfg *cfg, const char *path,
                        const struct server_config *c, struct server_group *g)
{
    double sum = 0;
    int rc = 0;

    g->routes = calloc(c->next_count ? c->next_count : 1, sizeof *g->routes);
    if (g->routes == NULL)
        return SIM_ENOMEM;
    for (unsigned i = 0; i < c->next_count; i++) {
        char sub[256];
        double p = *c->next[i].p;

        snprintf(sub, sizeof sub, "%s.next[%u].p", path, i);
        if (!(p > 0.0 && p <= 1.0)) {
            sim_cfg_error(cfg, sub, "%g is not a probability in (0, 1]", p);
            rc = SIM_EINVAL;
        }
        sum += p;
        g->routes[i].p_cum = sum;
        g->routes[i].to = strdup(c->next[i].to);
        g->n_routes++;
        if (g->routes[i].to == NULL)
            return SIM_ENOMEM;
    }
    if (sum > 1.0 + 1e-9) {
        sim_cfg_error(cfg, path, "the probabilities of \"next\" add up to "
                      "%.6g, more than 1", sum);
        rc = SIM_EINVAL;
    }
    return rc;
}

static int check_limits(struct sim_cfg *cfg, const char *path,
                        const struct server_config *c, struct server_group *g)
{
    char sub[256];
    int rc = 0;

    g->n_inst = c->count ? *c->count : 1;
    g->workers = c->workers ? *c->workers : 1;
    g->capacity = UINT64_MAX;
    if (c->queue != NULL && c->queue->capacity != NULL)
        g->capacity = *c->queue->capacity;
    snprintf(sub, sizeof sub, "%s.count", path);
    if (g->n_inst < 1 || g->n_inst > SERVER_MAX_COUNT) {
        sim_cfg_error(cfg, sub, "must be between 1 and %d", SERVER_MAX_COUNT);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.workers", path);
    if (g->workers < 1 || g->workers > SERVER_MAX_WORKERS) {
        sim_cfg_error(cfg, sub, "must be between 1 and %d",
                      SERVER_MAX_WORKERS);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.queue.capacity", path);
    if (g->capacity != UINT64_MAX && g->capacity > SERVER_MAX_CAPACITY) {
        sim_cfg_error(cfg, sub, "must be at most %u (leave it out for an "
                      "unbounded queue)", SERVER_MAX_CAPACITY);
        rc = SIM_EINVAL;
    }
    return rc;
}

static int add_instances(struct sim *sim, struct sim_cfg *cfg,
                         const char *path, struct server_group *g)
{
    uint32_t *ids;
    char name[80];
    int rc = 0;

    g->inst = calloc(g->n_inst, sizeof *g->inst);
    ids = calloc(g->n_inst, sizeof *ids);
    if (g->inst == NULL || ids == NULL) {
        free(ids);
        return SIM_ENOMEM;
    }
    for (unsigned i = 0; i < g->n_inst && rc == 0; i++) {
        struct server *s = &g->inst[i];

        s->group = g;
        s->slots = calloc(g->workers, sizeof *s->slots);
        s->idle = malloc(g->workers * sizeof *s->idle);
        if (s->slots == NULL || s->idle == NULL ||
            stats_init(&s->st) != 0 ||
            sim_wtwa_init(&s->win.busy, sim_n_windows(sim),
                          sim_window_width(sim), 0, 0) != 0 ||
            sim_wtwa_init(&s->win.queued, sim_n_windows(sim),
                          sim_window_width(sim), 0, 0) != 0) {
            rc = SIM_ENOMEM;
            break;
        }
        for (unsigned k = 0; k < g->workers; k++)
            s->idle[k] = k;
        if (g->n_inst == 1)
            snprintf(name, sizeof name, "%s", g->name);
        else
            snprintf(name, sizeof name, "%s.%u", g->name, i);
        s->id = ids[i] = sim_entity_add(sim, name, server_handle, s);
        if (s->id == SIM_NO_ENTITY) {
            sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                          name);
            rc = SIM_EINVAL;
        }
    }
    if (rc == 0 && g->n_inst > 1 &&
        sim_group_add(sim, g->name, ids, g->n_inst) != 0) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken", g->name);
        rc = SIM_EINVAL;
    }
    free(ids);
    return rc;
}

static int server_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                       const void *config, void **state)
{
    const struct server_config *c = config;
    struct server_group *g = calloc(1, sizeof *g);
    char sub[256];
    int rc = 0;

    if (g == NULL)
        return SIM_ENOMEM;
    g->name = strdup(c->name);
    if (g->name == NULL) {
        server_destroy(g);
        return SIM_ENOMEM;
    }
    snprintf(sub, sizeof sub, "%s.name", path);
    if (sim_cfg_name(cfg, sub, c->name) != 0)
        rc = SIM_EINVAL;
    if (check_limits(cfg, path, c, g) != 0)
        rc = SIM_EINVAL;
    if (build_service(cfg, path, c, g) != 0)
        rc = SIM_EINVAL;
    if (build_routes(cfg, path, c, g) != 0)
        rc = SIM_EINVAL;
    if (rc == 0)
        rc = add_instances(sim, cfg, path, g);
    if (rc != 0) {
        server_destroy(g);
        return rc;
    }
    *state = g;
    return 0;
}

static int server_start(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, void *state)
{
    struct server_group *g = state;
    int rc = 0;

    for (size_t i = 0; i < g->n_routes; i++) {
        struct server_route *r = &g->routes[i];
        char sub[256];

        snprintf(sub, sizeof sub, "%s.next[%zu].to", path, i);
        r->n_members = sim_resolve(sim, cfg, sub, r->to, &r->members);
        if (r->n_members == 0)
            rc = SIM_EINVAL;
    }
    for (unsigned i = 0; i < g->n_inst; i++) {
        struct server *s = &g->inst[i];

        sim_twa_init(&s->st.busy, sim_now(sim), 0);
        sim_twa_init(&s->st.queued, sim_now(sim), 0);
    }
    return rc;
}

static void server_reset(struct sim *sim, void *state)
{
    struct server_group *g = state;
    sim_time now = sim_now(sim);

    for (unsigned i = 0; i < g->n_inst; i++) {
        struct server_stats *st = &g->inst[i].st;

        st->n_arrived = st->n_queued = st->n_rejected = 0;
        st->n_completed = st->n_dropped = 0;
        st->n_present_start = g->inst[i].n_busy + g->inst[i].n_fifo;
        sim_tally_init(&st->wait);
        sim_tally_init(&st->service);
        sim_tally_init(&st->sojourn);
        sim_hist_reset(st->wait_hist);
        sim_hist_reset(st->sojourn_hist);
        sim_twa_reset(&st->busy, now);
        sim_twa_reset(&st->queued, now);
    }
}

/*
 * Figures of one instance, or of a group: busy is the mean fraction of
 * workers busy, queued the mean number of requests waiting.
 */
static void report_scope(struct sim *sim, const struct server_stats *st, double busy,
                         double queued, uint64_t present_end,
                         const char *scope, struct sim_report *rep)
{
    double span = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));
    uint64_t accepted = st->n_arrived - st->n_rejected;

    sim_report_add(rep, scope, "throughput", "1/s",
                   (double)st->n_completed / span);
    sim_report_add(rep, scope, "utilisation", "ratio", busy);
    sim_report_add(rep, scope, "queue_length.mean", "requests", queued);
    sim_report_add(rep, scope, "waiting_time.mean", "s", st->wait.mean);
    sim_report_add(rep, scope, "waiting_time.p99", "s",
                   sim_hist_quantile(st->wait_hist, 0.99));
    sim_report_add(rep, scope, "service_time.mean", "s", st->service.mean);
    sim_report_add(rep, scope, "response_time.mean", "s", st->sojourn.mean);
    sim_report_add(rep, scope, "response_time.p99", "s",
                   sim_hist_quantile(st->sojourn_hist, 0.99));
    sim_report_add(rep, scope, "p_wait", "ratio",
                   accepted ? (double)st->n_queued / (double)accepted : NAN);
    sim_report_add(rep, scope, "p_reject", "ratio",
                   st->n_arrived ? (double)st->n_rejected /
                                   (double)st->n_arrived : NAN);
    sim_report_add(rep, scope, "arrived", "count", (double)st->n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)st->n_completed);
    sim_report_add(rep, scope, "rejected", "count",
                   (double)st->n_rejected);
    sim_report_add(rep, scope, "dropped", "count", (double)st->n_dropped);
    sim_report_add(rep, scope, "present_start", "count",
                   (double)st->n_present_start);
    sim_report_add(rep, scope, "present_end", "count",
                   (double)present_end);
}

static void merge_stats(struct server_stats *sum, const struct server_stats *st)
{
    sim_tally_merge(&sum->wait, &st->wait);
    sim_tally_merge(&sum->service, &st->service);
    sim_tally_merge(&sum->sojourn, &st->sojourn);
    sim_hist_merge(sum->wait_hist, st->wait_hist);
    sim_hist_merge(sum->sojourn_hist, st->sojourn_hist);
    sum->n_arrived += st->n_arrived;
    sum->n_queued += st->n_queued;
    sum->n_rejected += st->n_rejected;
    sum->n_completed += st->n_completed;
    sum->n_dropped += st->n_dropped;
    sum->n_present_start += st->n_present_start;
}

/* The group's utilisation and queue length, window by window. */
static void report_series(struct sim *sim, const struct server_group *g,
                          const char *scope, struct sim_report *rep)
{
    size_t n = sim_n_windows(sim);
    double *v = calloc(n + 1, sizeof *v), *sum = calloc(n + 1, sizeof *v);
    double *q = calloc(n + 1, sizeof *v);

    if (v == NULL || sum == NULL || q == NULL) {
        rep->status = SIM_ENOMEM;
        goto done;
    }
    for (unsigned i = 0; i < g->n_inst; i++) {
        sim_wtwa_means(&g->inst[i].win.busy, sim_now(sim), v);
        for (size_t w = 0; w < n; w++)
            sum[w] += v[w] / (g->workers * (double)g->n_inst);
        sim_wtwa_means(&g->inst[i].win.queued, sim_now(sim), v);
        for (size_t w = 0; w < n; w++)
            q[w] += v[w];
    }
    sim_report_series(rep, scope, "utilisation", "ratio", sum, n);
    sim_report_series(rep, scope, "queue_length", "requests", q, n);
done:
    free(v);
    free(sum);
    free(q);
}

/* The group's effective configuration, defaults included. */
static void report_settings(const struct server_group *g, const char *scope,
                            struct sim_report *rep)
{
    char buf[256];

    sim_report_setting(rep, scope, "count", "%u", g->n_inst);
    sim_report_setting(rep, scope, "workers", "%u", g->workers);
    if (g->capacity == UINT64_MAX)
        sim_report_setting(rep, scope, "queue capacity", "unbounded");
    else
        sim_report_setting(rep, scope, "queue capacity", "%llu",
                           (unsigned long long)g->capacity);
    for (int op = 0; op < SIM_OP_N; op++) {
        char key[32];

        snprintf(key, sizeof key, "service (%s)", sim_op_name(op));
        sim_report_setting(rep, scope, key, "%s",
                           sim_dist_describe(g->service[op], buf,
                                             sizeof buf));
    }
    for (size_t i = 0; i < g->n_routes; i++) {
        char key[32];

        snprintf(key, sizeof key, "next %zu", i + 1);
        sim_report_setting(rep, scope, key, "%s with probability %.4g",
                           g->routes[i].to, g->routes[i].p_cum -
                           (i > 0 ? g->routes[i - 1].p_cum : 0));
    }
}

static void server_report(struct sim *sim, void *state,
                          struct sim_report *rep)
{
    struct server_group *g = state;
    struct server_stats sum;
    double busy = 0, queued = 0;
    uint64_t present = 0;
    sim_time now = sim_now(sim);
    char scope[96];

    if (stats_init(&sum) != 0) {
        rep->status = SIM_ENOMEM;
        stats_release(&sum);
        return;
    }
    for (unsigned i = 0; i < g->n_inst; i++) {
        const struct server *s = &g->inst[i];
        double b = sim_twa_mean(&s->st.busy, now) / g->workers;
        double q = sim_twa_mean(&s->st.queued, now);

        merge_stats(&sum, &s->st);
        busy += b / g->n_inst;
        queued += q;
        present += s->n_busy + s->n_fifo;
    }
    snprintf(scope, sizeof scope, "server %s", g->name);
    report_scope(sim, &sum, busy, queued, present, scope, rep);
    report_series(sim, g, scope, rep);
    report_settings(g, scope, rep);
    for (unsigned i = 0; g->n_inst > 1 && i < g->n_inst; i++) {
        const struct server *s = &g->inst[i];

        snprintf(scope, sizeof scope, "server %s.%u", g->name, i);
        report_scope(sim, &s->st,
                     sim_twa_mean(&s->st.busy, now) / g->workers,
                     sim_twa_mean(&s->st.queued, now), s->n_busy + s->n_fifo,
                     scope, rep);
    }
    stats_release(&sum);
}

const struct sim_model_ops server_ops = {
    .section = "servers",
    .kind = "server",
    .schema = &server_schema,
    .init = server_init,
    .start = server_start,
    .reset = server_reset,
    .report = server_report,
    .destroy = server_destroy,
};
