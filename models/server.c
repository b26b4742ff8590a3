/* SPDX-License-Identifier: MIT */
/*
 * server.c - an application server: a queueing station (c workers in
 * front of one FIFO queue) that may, after its own service, call other
 * components one after another while its worker waits, and then answer
 * or hand the request on to a next server with the configured
 * probabilities.
 *
 * Simplifications: FIFO only, one request per worker, no preemption; a
 * call holds its worker (thread-per-request), so the worker's busy time,
 * and "service time", include the calls; a failed or timed-out call fails
 * the request with the call's reason. A crash loses every request on the
 * node, queued, in service or waiting on a call, alike (dropped with
 * reason "crash": their callers learn only by timing out), and the node
 * restarts empty. A health-check probe (req->is_probe) is answered at
 * once, bypassing the queue and the figures.
 */
#include "models/server.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/deadlines.h"
#include "models/station.h"

#define SERVER_MAX_COUNT 10000
/* Nodes of a scenario at most, counted as servers are added (each node
   keeps its statistics per window: 10^5 of them take gigabytes). */
#define SERVER_MAX_NODES 100000
#define SERVER_MAX_CALLS 16
#define SERVER_DEFAULT_CALL_TIMEOUT SIM_S

enum server_event {
    SERVER_EV_DONE = SIM_EV_USER,       /* payload.ptr: the request */
    SERVER_EV_CALL_TIMEOUT,             /* the earliest call deadline */
};

enum server_op_bits {
    SERVER_OP_READ = 1 << SIM_OP_READ,
    SERVER_OP_WRITE = 1 << SIM_OP_WRITE,
    SERVER_OP_CAS = 1 << SIM_OP_CAS,
};

struct server_queue_config {
    unsigned *capacity;                 /* waiting room; absent: unbounded */
};

struct server_route_config {
    char *to;                           /* server (or group) name */
    double *p;                          /* probability of this hand-off */
};

struct server_call_config {
    char *to;                           /* component called */
    enum server_op_bits *ops;           /* for these operations; NULL: all */
};

struct server_config {
    char *name;
    unsigned *count;                    /* instances; default 1 */
    unsigned *workers;                  /* per instance; default 1 */
    struct server_queue_config *queue;
    struct sim_dist_config *service;    /* default service time */
    struct station_per_op_config *service_per_op;
    struct server_call_config *calls;
    unsigned calls_count;               /* entries in calls */
    char *call_timeout;                 /* per call, default 1s */
    struct server_route_config *next;
    unsigned next_count;                /* entries in next */
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

static const cyaml_strval_t op_names[] = {
    {"read", SERVER_OP_READ},
    {"write", SERVER_OP_WRITE},
    {"cas", SERVER_OP_CAS},
};

static const cyaml_schema_field_t call_fields[] = {
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_POINTER,
                           struct server_call_config, to, 1, 255),
    CYAML_FIELD_FLAGS_PTR("ops", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                          struct server_call_config, ops, op_names,
                          CYAML_ARRAY_LEN(op_names)),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t call_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct server_call_config,
                        call_fields),
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
                            station_per_op_fields),
    CYAML_FIELD_SEQUENCE("calls", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct server_config, calls, &call_schema, 1,
                         SERVER_MAX_CALLS),
    CYAML_FIELD_STRING_PTR("call_timeout", CYAML_FLAG_OPTIONAL,
                           struct server_config, call_timeout, 1, 64),
    CYAML_FIELD_SEQUENCE("next", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct server_config, next, &route_schema, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t server_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct server_config,
                        server_fields),
};

/* A name as configured, resolved to its members at start. */
struct server_link {
    char *to;
    unsigned ops;                       /* calls: operation bits */
    double p_cum;                       /* routes: cumulative probability */
    const uint32_t *members;
    size_t n_members;
};

/* What a worker waiting on calls is doing. */
struct server_call {
    struct sim_req *parent;             /* the request being served */
    struct sim_req *child;              /* the call in flight, or NULL */
    unsigned step;                      /* index of that call */
    uint64_t deadline;                  /* its entry in the deadlines */
};

struct server_group;

struct server {
    struct server_group *group;
    uint32_t id;                        /* entity id */
    struct station st;
    struct server_call *calls;          /* one per worker */
    struct deadlines deadlines;         /* of calls in flight */
};

struct server_group {
    char *name;
    unsigned n_inst;
    unsigned workers;
    uint64_t capacity;                  /* UINT64_MAX when unbounded */
    sim_time call_timeout;
    struct sim_dist *service[SIM_OP_N]; /* per operation */
    struct server_link *calls;
    size_t n_calls;
    struct server_link *routes;
    size_t n_routes;
    struct server *inst;
};

static void links_free(struct server_link *links, size_t n)
{
    for (size_t i = 0; links != NULL && i < n; i++)
        free(links[i].to);
    free(links);
}

static void server_destroy(void *state)
{
    struct server_group *g = state;

    if (g == NULL)
        return;
    for (unsigned i = 0; g->inst != NULL && i < g->n_inst; i++) {
        station_release(&g->inst[i].st);
        free(g->inst[i].calls);
        deadlines_release(&g->inst[i].deadlines);
    }
    free(g->inst);
    station_service_free(g->service);
    links_free(g->calls, g->n_calls);
    links_free(g->routes, g->n_routes);
    free(g->name);
    free(g);
}

static uint32_t pick_member(struct sim *sim, const struct server *s,
                            const struct server_link *l)
{
    if (l->n_members == 1)
        return l->members[0];
    return l->members[gsl_rng_uniform_int(sim_rng(sim, s->id),
                                          l->n_members)];
}

/* The next hop after service, or SIM_NO_ENTITY to answer. */
static uint32_t pick_route(struct sim *sim, struct server *s)
{
    const struct server_group *g = s->group;
    double u;

    if (g->n_routes == 0)
        return SIM_NO_ENTITY;
    u = gsl_rng_uniform(sim_rng(sim, s->id));
    for (size_t i = 0; i < g->n_routes; i++)
        if (u < g->routes[i].p_cum)
            return pick_member(sim, s, &g->routes[i]);
    return SIM_NO_ENTITY;
}

/* The worker is free; req goes on, or is answered with status. */
static void leave(struct sim *sim, struct server *s, struct sim_req *req,
                  int status)
{
    uint32_t next;

    station_finish(&s->st, sim, req);
    next = status == SIM_REQ_OK ? pick_route(sim, s) : SIM_NO_ENTITY;
    if (next != SIM_NO_ENTITY) {
        sim_req_forward(sim, s->id, next, req);
        return;
    }
    req->status = (uint8_t)status;
    sim_req_reply(sim, s->id, req);
}

/* The first call at or after step that applies to the operation. */
static size_t next_call(const struct server_group *g, size_t step, int op)
{
    while (step < g->n_calls && g->calls[step].ops != 0 &&
           !(g->calls[step].ops & (1u << op)))
        step++;
    return step;
}

/* Makes call `step` for the request held by worker slot w, or leaves. */
static void make_call(struct sim *sim, struct server *s, unsigned w,
                      size_t step)
{
    struct server_call *call = &s->calls[w];
    struct sim_req *parent = call->parent, *child;

    step = next_call(s->group, step, parent->op);
    if (step == s->group->n_calls) {
        call->parent = NULL;
        leave(sim, s, parent, SIM_REQ_OK);
        return;
    }
    child = sim_req_new(sim, s->id);
    if (child == NULL)
        return;
    child->op = parent->op;
    child->key = parent->key;
    child->value = parent->value;
    child->session = parent->session;
    child->tag.u64 = w;
    call->child = child;
    call->step = (unsigned)step;
    call->deadline = deadlines_add(&s->deadlines, sim, child);
    sim_req_call(sim, s->id, pick_member(sim, s, &s->group->calls[step]),
                 child);
}

static void on_done(struct sim *sim, struct server *s, struct sim_req *req)
{
    unsigned w = (unsigned)req->hop_tag.u64;

    if (next_call(s->group, 0, req->op) == s->group->n_calls) {
        leave(sim, s, req, SIM_REQ_OK);
        return;
    }
    station_hold(&s->st, req);
    s->calls[w].parent = req;
    make_call(sim, s, w, 0);
}

/* A call ended (answered, or timed out with status timeout). */
static void call_ended(struct sim *sim, struct server *s,
                       struct sim_req *child, int status)
{
    unsigned w = (unsigned)child->tag.u64;
    struct server_call *call = &s->calls[w];
    struct sim_req *parent = call->parent;

    call->child = NULL;
    parent->wait_ns += child->wait_ns;
    if (status == SIM_REQ_OK && child->store != 0) {
        parent->store = child->store;
        parent->version = child->version;
    }
    sim_req_release(sim, child);
    if (status != SIM_REQ_OK) {
        call->parent = NULL;
        leave(sim, s, parent, status);
        return;
    }
    make_call(sim, s, w, call->step + 1);
}

static void on_reply(struct sim *sim, struct server *s, struct sim_req *req)
{
    if (!req->is_held)
        return;
    deadlines_clear(&s->deadlines, s->calls[req->tag.u64].deadline);
    call_ended(sim, s, req, req->status);
}

static void on_call_expired(void *ctx, struct sim *sim, struct sim_req *req)
{
    call_ended(sim, ctx, req, SIM_FAIL_TIMEOUT);
}

static void on_request(struct sim *sim, struct server *s, struct sim_req *req)
{
    if (req->is_probe) {
        req->status = SIM_REQ_OK;
        sim_req_reply(sim, s->id, req);
        return;
    }
    if (station_arrive(&s->st, sim, req) == STATION_FULL) {
        req->status = SIM_FAIL_REJECTED;
        sim_req_reply(sim, s->id, req);
    }
}

struct server_crash {
    struct sim *sim;
    struct server *s;
};

/* Calls in flight for requests the crash drops are let go. */
static void drop_call(void *ctx, struct sim_req *req)
{
    struct server_crash *k = ctx;
    struct server_call *call = &k->s->calls[req->hop_tag.u64];

    if (call->parent != req)
        return;
    if (call->child != NULL)
        sim_req_release(k->sim, call->child);
    call->parent = call->child = NULL;
}

static void on_crash(struct sim *sim, struct server *s)
{
    struct server_crash k = {sim, s};

    station_crash(&s->st, sim, drop_call, &k);
    deadlines_clear_all(&s->deadlines);
}

static void server_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct server *s = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_request(sim, s, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_reply(sim, s, ev->payload.ptr);
        break;
    case SERVER_EV_DONE:
        on_done(sim, s, ev->payload.ptr);
        break;
    case SERVER_EV_CALL_TIMEOUT:
        deadlines_fire(&s->deadlines, sim, on_call_expired, s);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, s);
        break;
    default:
        break;
    }
}

static int build_routes(struct sim_cfg *cfg, const char *path,
                        const struct server_config *c, struct server_group *g)
{
    double sum = 0;
    int rc = 0;

    g->routes = calloc(c->next_count + 1, sizeof *g->routes);
    if (g->routes == NULL)
        return SIM_ENOMEM;
    for (unsigned i = 0; i < c->next_count; i++) {
        char sub[256];
        double p = *c->next[i].p;

        snprintf(sub, sizeof sub, "%s.next[%u].p", path, i);
        if (!(p > 0.0 && p <= 1.0)) {
            sim_cfg_error(cfg, sub, "%.10g is not a probability in (0, 1]", p);
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

static int build_calls(struct sim_cfg *cfg, const char *path,
                       const struct server_config *c, struct server_group *g)
{
    char sub[256];

    g->calls = calloc(c->calls_count + 1, sizeof *g->calls);
    if (g->calls == NULL)
        return SIM_ENOMEM;
    for (unsigned i = 0; i < c->calls_count; i++) {
        const enum server_op_bits *ops = c->calls[i].ops;

        g->calls[i].to = strdup(c->calls[i].to);
        g->calls[i].ops = ops != NULL ? *ops : 0;
        g->n_calls++;
        if (g->calls[i].to == NULL)
            return SIM_ENOMEM;
        if (ops != NULL && *ops == 0) {
            snprintf(sub, sizeof sub, "%s.calls[%u].ops", path, i);
            sim_cfg_error(cfg, sub, "is empty, so the call would never be "
                          "made: list read, write or cas, or leave \"ops\" "
                          "out to call for every operation");
            return SIM_EINVAL;
        }
    }
    snprintf(sub, sizeof sub, "%s.call_timeout", path);
    if (sim_cfg_duration(cfg, sub, c->call_timeout,
                         SERVER_DEFAULT_CALL_TIMEOUT, &g->call_timeout) != 0)
        return SIM_EINVAL;
    if (g->call_timeout <= 0) {
        sim_cfg_error(cfg, sub, "must be above 0");
        return SIM_EINVAL;
    }
    if (c->call_timeout != NULL && c->calls_count == 0) {
        sim_cfg_error(cfg, sub, "there are no \"calls\" to time out");
        return SIM_EINVAL;
    }
    return 0;
}

static int check_limits(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, const struct server_config *c,
                        struct server_group *g)
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
    } else if (sim_n_entities(sim) + g->n_inst > SERVER_MAX_NODES) {
        sim_cfg_error(cfg, sub, "%u more would make %zu nodes in all, more "
                      "than %d", g->n_inst, sim_n_entities(sim) + g->n_inst,
                      SERVER_MAX_NODES);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.workers", path);
    if (g->workers < 1 || g->workers > STATION_MAX_WORKERS) {
        sim_cfg_error(cfg, sub, "must be between 1 and %d",
                      STATION_MAX_WORKERS);
        rc = SIM_EINVAL;
    }
    if (rc == 0 &&
        (uint64_t)g->n_inst * g->workers > STATION_MAX_WORKERS_IN_ALL) {
        sim_cfg_error(cfg, sub, "%u instances of %u workers make %llu "
                      "workers in all, more than %d; lower count or workers",
                      g->n_inst, g->workers,
                      (unsigned long long)g->n_inst * g->workers,
                      STATION_MAX_WORKERS_IN_ALL);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.queue.capacity", path);
    if (g->capacity != UINT64_MAX && g->capacity > STATION_MAX_CAPACITY) {
        sim_cfg_error(cfg, sub, "must be at most %u (leave it out for an "
                      "unbounded queue)", STATION_MAX_CAPACITY);
        rc = SIM_EINVAL;
    }
    return rc;
}

static int add_instance(struct sim *sim, struct server_group *g, unsigned i,
                        uint32_t *id)
{
    struct server *s = &g->inst[i];
    struct station_params p = {
        .done_type = SERVER_EV_DONE, .workers = g->workers,
        .capacity = g->capacity, .service = g->service,
    };
    char name[80];

    s->group = g;
    if (g->n_inst == 1)
        snprintf(name, sizeof name, "%s", g->name);
    else
        snprintf(name, sizeof name, "%s.%u", g->name, i);
    s->id = *id = sim_entity_add(sim, name, server_handle, s);
    if (s->id == SIM_NO_ENTITY)
        return SIM_EINVAL;
    p.owner = s->id;
    deadlines_init(&s->deadlines, s->id, SERVER_EV_CALL_TIMEOUT,
                   g->call_timeout);
    s->calls = calloc(g->workers, sizeof *s->calls);
    if (s->calls == NULL || station_init(&s->st, sim, &p) != 0)
        return SIM_ENOMEM;
    return 0;
}

static int add_instances(struct sim *sim, struct sim_cfg *cfg,
                         const char *path, struct server_group *g)
{
    uint32_t *ids = calloc(g->n_inst, sizeof *ids);
    int rc = 0;

    g->inst = calloc(g->n_inst, sizeof *g->inst);
    if (g->inst == NULL || ids == NULL) {
        free(ids);
        return SIM_ENOMEM;
    }
    for (unsigned i = 0; i < g->n_inst && rc == 0; i++) {
        rc = add_instance(sim, g, i, &ids[i]);
        if (rc == SIM_EINVAL)
            sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                          g->name);
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

    if (g == NULL || (g->name = strdup(c->name)) == NULL) {
        server_destroy(g);
        return SIM_ENOMEM;
    }
    snprintf(sub, sizeof sub, "%s.name", path);
    if (sim_cfg_name(cfg, sub, c->name) != 0)
        rc = SIM_EINVAL;
    if (check_limits(sim, cfg, path, c, g) != 0)
        rc = SIM_EINVAL;
    if (station_service_build(cfg, path, c->service, c->service_per_op,
                              g->service) != 0)
        rc = SIM_EINVAL;
    if (build_routes(cfg, path, c, g) != 0)
        rc = SIM_EINVAL;
    if (build_calls(cfg, path, c, g) != 0)
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

/* Resolves the names of links to their members. */
static int resolve(struct sim *sim, struct sim_cfg *cfg, const char *path,
                   const char *what, struct server_link *links, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        char sub[256];

        snprintf(sub, sizeof sub, "%s.%s[%zu].to", path, what, i);
        links[i].n_members = sim_resolve(sim, cfg, sub, links[i].to,
                                         &links[i].members);
        if (links[i].n_members == 0)
            rc = SIM_EINVAL;
    }
    return rc;
}

/* Declares the links that resolved, of one kind, for the check of routes. */
static int declare_links(struct sim *sim, const char *path, const char *what,
                         enum sim_route_kind kind, uint32_t from,
                         const struct server_link *links, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double p = links[i].p_cum - (i > 0 ? links[i - 1].p_cum : 0);
        char sub[256];

        snprintf(sub, sizeof sub, "%s.%s[%zu].to", path, what, i);
        if (sim_route_add(sim_route(sim), from, kind, p, links[i].members,
                          links[i].n_members, sub) != 0)
            return SIM_ENOMEM;
    }
    return 0;
}

/* The group as one component of routes, with its hand-offs and calls. */
static int declare_routes(struct sim *sim, const char *path,
                          const struct server_group *g)
{
    uint32_t *ids = malloc(g->n_inst * sizeof *ids);
    int rc;

    if (ids == NULL)
        return SIM_ENOMEM;
    for (unsigned i = 0; i < g->n_inst; i++)
        ids[i] = g->inst[i].id;
    rc = sim_route_component(sim_route(sim), g->name, ids, g->n_inst, false);
    free(ids);
    if (rc == 0)
        rc = declare_links(sim, path, "next", SIM_ROUTE_NEXT, g->inst[0].id,
                           g->routes, g->n_routes);
    if (rc == 0)
        rc = declare_links(sim, path, "calls", SIM_ROUTE_CALL, g->inst[0].id,
                           g->calls, g->n_calls);
    return rc;
}

static int server_start(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, void *state)
{
    struct server_group *g = state;
    int rc = resolve(sim, cfg, path, "next", g->routes, g->n_routes);

    if (resolve(sim, cfg, path, "calls", g->calls, g->n_calls) != 0)
        rc = SIM_EINVAL;
    if (declare_routes(sim, path, g) != 0)
        return SIM_ENOMEM;
    return rc;
}

static void server_reset(struct sim *sim, void *state)
{
    struct server_group *g = state;

    for (unsigned i = 0; i < g->n_inst; i++)
        station_reset(&g->inst[i].st, sim_now(sim));
}

/* The group's utilisation and queue length, window by window. */
static void report_series(struct sim *sim, const struct server_group *g,
                          const char *scope, struct sim_report *rep)
{
    size_t n = sim_n_windows(sim);
    double *busy = calloc(n + 1, sizeof *busy);
    double *queued = calloc(n + 1, sizeof *queued);
    double *v = calloc(n + 1, sizeof *v);

    if (busy == NULL || queued == NULL || v == NULL) {
        rep->status = SIM_ENOMEM;
        goto done;
    }
    for (unsigned i = 0; i < g->n_inst; i++) {
        station_add_busy_series(&g->inst[i].st, sim, 1.0 / g->n_inst, busy);
        sim_wtwa_means(&g->inst[i].st.win_queued, sim_now(sim), v);
        for (size_t w = 0; w < n; w++)
            queued[w] += v[w];
    }
    sim_report_series(rep, scope, "utilisation", "ratio", busy, n);
    sim_report_series(rep, scope, "queue_length", "requests", queued, n);
done:
    free(busy);
    free(queued);
    free(v);
}

/* "call 2": "orders for write, cas", or "orders" for every operation. */
static void report_call(const struct server_link *call, size_t i,
                        const char *scope, struct sim_report *rep)
{
    struct sim_report_list ops;
    char key[32];

    snprintf(key, sizeof key, "call %zu", i + 1);
    if (call->ops == 0) {
        sim_report_setting(rep, scope, key, "%s", call->to);
        return;
    }
    sim_report_list_init(&ops);
    for (int op = 0; op < SIM_OP_N; op++)
        if (call->ops & (1u << op))
            sim_report_list_add(&ops, "%s", sim_op_name(op));
    sim_report_setting(rep, scope, key, "%s for %s", call->to, ops.text);
}

/* The group's effective configuration, defaults included. */
static void report_settings(const struct server_group *g, const char *scope,
                            struct sim_report *rep)
{
    char key[32];

    sim_report_setting(rep, scope, "count", "%u", g->n_inst);
    sim_report_setting(rep, scope, "workers", "%u", g->workers);
    station_report_settings(rep, scope, g->capacity, g->service);
    for (size_t i = 0; i < g->n_calls; i++)
        report_call(&g->calls[i], i, scope, rep);
    if (g->n_calls > 0)
        sim_report_setting_duration(rep, scope, "call timeout",
                                    g->call_timeout);
    for (size_t i = 0; i < g->n_routes; i++) {
        snprintf(key, sizeof key, "next %zu", i + 1);
        sim_report_setting(rep, scope, key, "%s with probability %.4g",
                           g->routes[i].to, g->routes[i].p_cum -
                           (i > 0 ? g->routes[i - 1].p_cum : 0));
    }
}

/*
 * The group's figures: its single instance's, or, for several, the
 * figures of a station that merges theirs, then each instance's.
 */
static void server_report(struct sim *sim, void *state,
                          struct sim_report *rep)
{
    struct server_group *g = state;
    char scope[96];

    snprintf(scope, sizeof scope, "server %s", g->name);
    if (g->n_inst == 1) {
        station_report(&g->inst[0].st, sim, scope, rep);
    } else {
        const struct station **parts = malloc(g->n_inst * sizeof *parts);

        if (parts == NULL) {
            rep->status = SIM_ENOMEM;
            return;
        }
        for (unsigned i = 0; i < g->n_inst; i++)
            parts[i] = &g->inst[i].st;
        station_report_merged(parts, g->n_inst, sim, scope, rep);
        free(parts);
    }
    report_series(sim, g, scope, rep);
    report_settings(g, scope, rep);
    for (unsigned i = 0; g->n_inst > 1 && i < g->n_inst; i++) {
        snprintf(scope, sizeof scope, "server %s.%u", g->name, i);
        station_report(&g->inst[i].st, sim, scope, rep);
    }
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
