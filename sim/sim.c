/* SPDX-License-Identifier: MIT */
/*
 * sim.c - the engine: entities, the clock and its event loop, requests and
 * their journeys, and the life cycle of model instances.
 *
 * Invariant: events are dispatched in (time, seq) order and the clock
 * never goes back. The warm-up and end-of-run markers are scheduled before
 * any model event, so at the same instant they come first: observations
 * cover [warmup, duration), and nothing runs at or after the end.
 */
#include "sim/sim.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/grow.h"
#include "sim/hash.h"
#include "sim/rng.h"
#include "sim/suggest.h"

#define ENGINE_TARGET (UINT32_MAX - 1)  /* the engine's own events */
#define REQ_CHUNK 1024                  /* requests allocated at a time */

enum engine_event {
    ENGINE_WARMUP,
    ENGINE_END,
};

struct entity {
    char *name;
    sim_handler_fn handle;
    void *state;                        /* the model's, not owned */
    gsl_rng *rng;                       /* owned */
    sim_time clock_offset;              /* skew of its own clock, ns */
    uint32_t zone;                      /* set by the network model */
    bool is_up;
};

/*
 * Ordered pairs (from in a, to in b), and (from in b, to in a) unless
 * one-way, as bitmaps over the entities that existed when it was made.
 */
struct link_set {
    uint64_t *in_a, *in_b;
    size_t n_bits;
    bool is_one_way;
};

struct cut {
    struct link_set links;
    sim_time start, end;                /* end is SIM_TIME_NEVER until healed */
};

struct degrade {
    struct link_set links;
    double factor;                      /* latency multiplier */
    double loss;                        /* probability a message is lost */
    bool is_active;
};

struct group {
    char *name;
    uint32_t *members;
    size_t n_members;
    size_t cap_members;                 /* size at creation */
};

struct model {
    const struct sim_model_ops *ops;
    char *path;                         /* "servers[1]" */
    void *state;                        /* owned through ops->destroy */
};

/* Open-addressing table from names to entities (id) or groups (~index). */
struct name_slot {
    const char *name;                   /* borrowed from entity or group */
    uint32_t id;
    bool is_group;
};

struct sim {
    struct sim_params params;
    struct sim_queue *queue;
    struct sim_truth *truth;            /* versions of stored data */
    struct sim_route *route;            /* the request graph, for the load */
    char **unbuilt;                     /* names of components not built */
    size_t n_unbuilt, cap_unbuilt;
    struct entity *entities;
    size_t n_entities, cap_entities;
    struct group *groups;
    size_t n_groups, cap_groups;
    struct name_slot *names;            /* power-of-two sized */
    size_t n_names, cap_names;
    struct model *models;
    size_t n_models, cap_models;
    struct sim_req **req_chunks;        /* all request memory */
    size_t n_req_chunks;
    struct sim_req *req_free;           /* free list */
    struct sim_req *reply_in_hand;      /* being handled; freed after */
    size_t n_req_live;
    uint64_t n_req_reserved;            /* see sim_req_reserve */
    uint64_t next_req_id;
    uint64_t n_dropped[SIM_OUTCOME_N];  /* in the measured period */
    uint64_t n_events;                  /* dispatched so far */
    sim_progress_fn progress;           /* called every 2^16 events */
    void *progress_ctx;
    sim_transport_fn transport;
    void *transport_ctx;
    struct cut *cuts;                   /* every partition, healed or not */
    size_t n_cuts, cap_cuts;
    struct degrade *degrades;
    size_t n_degrades, cap_degrades;
    size_t n_active_degrades;
    bool is_stopped;
    struct sim_error error;             /* first fatal error */
};

static struct name_slot *names_find(const struct sim *sim, const char *name)
{
    size_t mask = sim->cap_names - 1, i;

    if (sim->cap_names == 0)
        return NULL;
    for (i = sim_hash_str(name) & mask;; i = (i + 1) & mask) {
        struct name_slot *s = &sim->names[i];

        if (s->name == NULL)
            return s;
        if (strcmp(s->name, name) == 0)
            return s;
    }
}

static int names_grow(struct sim *sim)
{
    struct name_slot *old = sim->names;
    size_t old_cap = sim->cap_names;

    sim->cap_names = old_cap ? old_cap * 2 : 64;
    sim->names = calloc(sim->cap_names, sizeof *sim->names);
    if (sim->names == NULL) {
        sim->names = old;
        sim->cap_names = old_cap;
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name != NULL)
            *names_find(sim, old[i].name) = old[i];
    free(old);
    return 0;
}

/* Claims name; SIM_EINVAL when taken, SIM_ENOMEM when out of memory. */
static int names_put(struct sim *sim, const char *name, uint32_t id,
                     bool is_group)
{
    struct name_slot *s;

    if ((sim->n_names + 1) * 2 > sim->cap_names && names_grow(sim) != 0)
        return SIM_ENOMEM;
    s = names_find(sim, name);
    if (s->name != NULL)
        return SIM_EINVAL;
    s->name = name;
    s->id = id;
    s->is_group = is_group;
    sim->n_names++;
    return 0;
}

struct sim *sim_new(const struct sim_params *params, struct sim_error *err)
{
    struct sim *sim = calloc(1, sizeof *sim);

    if (sim == NULL) {
        sim_error_set(err, SIM_ENOMEM, "out of memory");
        return NULL;
    }
    sim->params = *params;
    if (sim->params.window <= 0)
        sim->params.window = sim->params.duration > 0 ? sim->params.duration
                                                      : SIM_S;
    sim->queue = sim_queue_new();
    sim->truth = sim_truth_new();
    sim->route = sim_route_new();
    if (sim->queue == NULL || sim->truth == NULL || sim->route == NULL) {
        sim_queue_free(sim->queue);
        sim_truth_free(sim->truth);
        sim_route_free(sim->route);
        free(sim);
        sim_error_set(err, SIM_ENOMEM, "out of memory");
        return NULL;
    }
    sim->next_req_id = 1;
    return sim;
}

void sim_free(struct sim *sim)
{
    if (sim == NULL)
        return;
    for (size_t i = sim->n_models; i-- > 0;) {
        if (sim->models[i].ops->destroy != NULL)
            sim->models[i].ops->destroy(sim->models[i].state);
        free(sim->models[i].path);
    }
    free(sim->models);
    for (size_t i = 0; i < sim->n_entities; i++) {
        free(sim->entities[i].name);
        gsl_rng_free(sim->entities[i].rng);
    }
    free(sim->entities);
    for (size_t i = 0; i < sim->n_groups; i++) {
        free(sim->groups[i].name);
        free(sim->groups[i].members);
    }
    free(sim->groups);
    free(sim->names);
    for (size_t i = 0; i < sim->n_cuts; i++) {
        free(sim->cuts[i].links.in_a);
        free(sim->cuts[i].links.in_b);
    }
    free(sim->cuts);
    for (size_t i = 0; i < sim->n_degrades; i++) {
        free(sim->degrades[i].links.in_a);
        free(sim->degrades[i].links.in_b);
    }
    free(sim->degrades);
    for (size_t i = 0; i < sim->n_req_chunks; i++)
        free(sim->req_chunks[i]);
    free(sim->req_chunks);
    for (size_t i = 0; i < sim->n_unbuilt; i++)
        free(sim->unbuilt[i]);
    free(sim->unbuilt);
    sim_queue_free(sim->queue);
    sim_truth_free(sim->truth);
    sim_route_free(sim->route);
    free(sim);
}

void sim_fail(struct sim *sim, int code, const char *fmt, ...)
{
    va_list ap;

    if (sim->error.code != 0)
        return;
    sim->is_stopped = true;
    sim->error.code = code;
    va_start(ap, fmt);
    vsnprintf(sim->error.msg, sizeof sim->error.msg, fmt, ap);
    va_end(ap);
}

void sim_stop(struct sim *sim)
{
    sim->is_stopped = true;
}

int sim_model_add(struct sim *sim, const struct sim_model_ops *ops,
                  const char *path, void *state)
{
    struct model *m;

    if (!sim_grow((void **)&sim->models, &sim->cap_models,
                  sizeof *sim->models, sim->n_models + 1))
        goto fail;
    m = &sim->models[sim->n_models];
    m->path = strdup(path);
    if (m->path == NULL)
        goto fail;
    m->ops = ops;
    m->state = state;
    sim->n_models++;
    return 0;

fail:
    if (ops->destroy != NULL)
        ops->destroy(state);
    return SIM_ENOMEM;
}

static uint64_t schedule_at(struct sim *sim, sim_time at, uint32_t target,
                            uint32_t type, union sim_payload payload,
                            bool is_cancellable)
{
    uint64_t id = is_cancellable
                      ? sim_queue_push(sim->queue, at, target, type, payload)
                      : sim_queue_post(sim->queue, at, target, type,
                                       payload);

    if (id == 0)
        sim_fail(sim, SIM_ELIMIT, "more than %zu events pending at %.9gs: "
                 "the scenario runs away", sim_queue_size(sim->queue),
                 sim_time_to_s(sim_now(sim)));
    return id;
}

int sim_start(struct sim *sim, struct sim_cfg *cfg)
{
    union sim_payload none = {.u64 = 0};
    int first = 0;

    if (sim->params.warmup > 0)
        schedule_at(sim, sim->params.warmup, ENGINE_TARGET, ENGINE_WARMUP,
                    none, false);
    schedule_at(sim, sim->params.duration, ENGINE_TARGET, ENGINE_END, none,
                false);
    for (size_t i = 0; i < sim->n_models; i++) {
        struct model *m = &sim->models[i];
        int rc;

        if (m->ops->start == NULL)
            continue;
        rc = m->ops->start(sim, cfg, m->path, m->state);
        if (rc == SIM_ENOMEM)
            return rc;
        if (first == 0)
            first = rc;
    }
    if (first != 0)
        return first;
    return sim->is_stopped ? sim->error.code : 0;
}

static void engine_warmup(struct sim *sim)
{
    memset(sim->n_dropped, 0, sizeof sim->n_dropped);
    for (size_t i = 0; i < sim->n_models; i++)
        if (sim->models[i].ops->reset != NULL)
            sim->models[i].ops->reset(sim, sim->models[i].state);
}

static void free_req(struct sim *sim, struct sim_req *req)
{
    assert(req->id != 0);
    req->id = 0;
    req->next_free = sim->req_free;
    sim->req_free = req;
    sim->n_req_live--;
}

/* A request or reply reached a crashed entity. */
static void deliver_to_down(struct sim *sim, const struct sim_event *ev)
{
    if (ev->type == SIM_EV_REQUEST || ev->type == SIM_EV_REPLY)
        sim_req_drop(sim, ev->payload.ptr, SIM_FAIL_NODE_DOWN);
}

static bool links_cover(const struct link_set *ls, uint32_t from,
                        uint32_t to)
{
    bool from_a, to_b, from_b, to_a;

    if (from >= ls->n_bits || to >= ls->n_bits)
        return false;
    from_a = ls->in_a[from / 64] >> (from % 64) & 1;
    to_b = ls->in_b[to / 64] >> (to % 64) & 1;
    if (from_a && to_b)
        return true;
    if (ls->is_one_way)
        return false;
    from_b = ls->in_b[from / 64] >> (from % 64) & 1;
    to_a = ls->in_a[to / 64] >> (to % 64) & 1;
    return from_b && to_a;
}

/* Whether a cut was in force between from and to at any time in [t0, t1]. */
static bool is_cut_between(const struct sim *sim, uint32_t from, uint32_t to,
                           sim_time t0, sim_time t1)
{
    for (size_t i = 0; i < sim->n_cuts; i++) {
        const struct cut *c = &sim->cuts[i];

        if (c->start <= t1 && c->end > t0 && links_cover(&c->links, from, to))
            return true;
    }
    return false;
}

static void dispatch(struct sim *sim, const struct sim_event *ev)
{
    struct entity *e = &sim->entities[ev->target];
    struct sim_req *req;

    if (!e->is_up) {
        deliver_to_down(sim, ev);
        return;
    }
    if (sim->n_cuts > 0 &&
        (ev->type == SIM_EV_REQUEST || ev->type == SIM_EV_REPLY)) {
        req = ev->payload.ptr;
        if (is_cut_between(sim, req->hop_from, ev->target, req->t_hop_sent,
                           ev->time)) {
            sim_req_drop(sim, req, SIM_FAIL_PARTITION);
            return;
        }
    }
    if (ev->type != SIM_EV_REPLY) {
        e->handle(sim, e->state, ev);
        return;
    }
    /*
     * A reply at the end of its path leaves the system on arrival. It is
     * returned to the pool only once its handler is done with it.
     */
    req = ev->payload.ptr;
    if (req->n_path == 0)
        req->in_system = false;
    sim->reply_in_hand = req;
    e->handle(sim, e->state, ev);
    sim->reply_in_hand = NULL;
    if (!req->in_system && !req->is_held)
        free_req(sim, req);
}

int sim_run(struct sim *sim, struct sim_error *err)
{
    struct sim_event ev;

    while (!sim->is_stopped && sim_queue_pop(sim->queue, &ev)) {
        if (ev.target == ENGINE_TARGET) {
            if (ev.type == ENGINE_END)
                break;
            engine_warmup(sim);
            continue;
        }
        dispatch(sim, &ev);
        if ((sim->n_events & 0xffff) == 0 && sim->progress != NULL)
            sim->progress(sim->progress_ctx, ev.time);
        if (++sim->n_events >= sim->params.max_events &&
            sim->params.max_events > 0)
            sim_fail(sim, SIM_ELIMIT, "more than %llu events by %.9gs: "
                     "the scenario runs away (raise limits.events if "
                     "intended)", (unsigned long long)sim->params.max_events,
                     sim_time_to_s(ev.time));
    }
    if (sim->is_stopped && sim->error.code != 0) {
        if (err != NULL)
            *err = sim->error;
        return sim->error.code;
    }
    return 0;
}

void sim_set_progress(struct sim *sim, sim_progress_fn fn, void *ctx)
{
    sim->progress = fn;
    sim->progress_ctx = ctx;
}

void sim_report(struct sim *sim, struct sim_report *rep)
{
    char name[64];

    for (size_t i = 0; i < sim->n_models; i++)
        if (sim->models[i].ops->report != NULL)
            sim->models[i].ops->report(sim, sim->models[i].state, rep);
    sim_report_sort_notes(rep);
    sim_report_add(rep, "engine", "events", "count", (double)sim->n_events);
    for (int r = SIM_FAIL_REJECTED; r < SIM_OUTCOME_N; r++) {
        snprintf(name, sizeof name, "dropped.%s", sim_outcome_name(r));
        sim_report_add(rep, "engine", name, "count",
                       (double)sim->n_dropped[r]);
    }
}

uint64_t sim_n_events(const struct sim *sim)
{
    return sim->n_events;
}

sim_time sim_now(const struct sim *sim)
{
    return sim_queue_now(sim->queue);
}

sim_time sim_warmup_end(const struct sim *sim)
{
    return sim->params.warmup;
}

sim_time sim_run_end(const struct sim *sim)
{
    return sim->params.duration;
}

uint32_t sim_replication(const struct sim *sim)
{
    return sim->params.replication;
}

uint64_t sim_seed(const struct sim *sim)
{
    return sim->params.seed;
}

uint64_t sim_schedule(struct sim *sim, sim_time delay, uint32_t target,
                      uint32_t type, union sim_payload payload)
{
    assert(delay >= 0);
    assert(target < sim->n_entities);
    return schedule_at(sim, sim_now(sim) + delay, target, type, payload,
                       true);
}

uint64_t sim_post(struct sim *sim, sim_time delay, uint32_t target,
                  uint32_t type, union sim_payload payload)
{
    assert(delay >= 0);
    assert(target < sim->n_entities);
    return schedule_at(sim, sim_now(sim) + delay, target, type, payload,
                       false);
}

bool sim_cancel(struct sim *sim, uint64_t id)
{
    return sim_queue_cancel(sim->queue, id);
}

uint32_t sim_entity_add(struct sim *sim, const char *name,
                        sim_handler_fn handle, void *state)
{
    struct entity *e;
    uint32_t id = (uint32_t)sim->n_entities;

    if (id >= ENGINE_TARGET ||
        !sim_grow((void **)&sim->entities, &sim->cap_entities,
                  sizeof *sim->entities, sim->n_entities + 1))
        return SIM_NO_ENTITY;
    e = &sim->entities[id];
    e->name = strdup(name);
    e->rng = sim_rng_new(sim->params.seed, sim->params.replication, name);
    if (e->name == NULL || e->rng == NULL ||
        names_put(sim, e->name, id, false) != 0) {
        free(e->name);
        if (e->rng != NULL)
            gsl_rng_free(e->rng);
        return SIM_NO_ENTITY;
    }
    e->handle = handle;
    e->state = state;
    e->clock_offset = 0;
    e->zone = 0;
    e->is_up = true;
    sim->n_entities++;
    return id;
}

uint32_t sim_entity_find(const struct sim *sim, const char *name)
{
    const struct name_slot *s = names_find(sim, name);

    return s != NULL && s->name != NULL && !s->is_group ? s->id
                                                        : SIM_NO_ENTITY;
}

const char *sim_entity_name(const struct sim *sim, uint32_t id)
{
    return id < sim->n_entities ? sim->entities[id].name : "(none)";
}

void *sim_entity_state(const struct sim *sim, uint32_t id,
                       sim_handler_fn handle)
{
    if (id >= sim->n_entities || sim->entities[id].handle != handle)
        return NULL;
    return sim->entities[id].state;
}

size_t sim_n_entities(const struct sim *sim)
{
    return sim->n_entities;
}

gsl_rng *sim_rng(const struct sim *sim, uint32_t id)
{
    assert(id < sim->n_entities);
    return sim->entities[id].rng;
}

bool sim_entity_is_up(const struct sim *sim, uint32_t id)
{
    return id < sim->n_entities && sim->entities[id].is_up;
}

static void deliver_now(struct sim *sim, uint32_t id, uint32_t type)
{
    struct entity *e = &sim->entities[id];
    struct sim_event ev = {
        .time = sim_now(sim), .target = id, .type = type,
    };

    e->handle(sim, e->state, &ev);
}

void sim_entity_crash(struct sim *sim, uint32_t id)
{
    if (id >= sim->n_entities || !sim->entities[id].is_up)
        return;
    deliver_now(sim, id, SIM_EV_CRASH);
    sim->entities[id].is_up = false;
}

void sim_entity_restart(struct sim *sim, uint32_t id)
{
    if (id >= sim->n_entities || sim->entities[id].is_up)
        return;
    sim->entities[id].is_up = true;
    deliver_now(sim, id, SIM_EV_RESTART);
}

int sim_group_add(struct sim *sim, const char *name, const uint32_t *members,
                  size_t n_members)
{
    struct group *g;
    int rc;

    if (!sim_grow((void **)&sim->groups, &sim->cap_groups,
                  sizeof *sim->groups, sim->n_groups + 1))
        return SIM_ENOMEM;
    g = &sim->groups[sim->n_groups];
    g->name = strdup(name);
    g->members = malloc((n_members ? n_members : 1) * sizeof *members);
    if (g->name == NULL || g->members == NULL) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    memcpy(g->members, members, n_members * sizeof *members);
    g->n_members = g->cap_members = n_members;
    rc = names_put(sim, g->name, (uint32_t)sim->n_groups, true);
    if (rc != 0)
        goto fail;
    sim->n_groups++;
    return 0;

fail:
    free(g->name);
    free(g->members);
    return rc;
}

size_t sim_lookup(const struct sim *sim, const char *name,
                  const uint32_t **members)
{
    const struct name_slot *s = names_find(sim, name);

    if (s == NULL || s->name == NULL)
        return 0;
    if (!s->is_group) {
        *members = &s->id;
        return 1;
    }
    *members = sim->groups[s->id].members;
    return sim->groups[s->id].n_members;
}

size_t sim_resolve(const struct sim *sim, struct sim_cfg *cfg,
                   const char *path, const char *name,
                   const uint32_t **members)
{
    size_t n;
    struct sim_suggest sg;
    const char *guess;

    if (sim_name_is_unbuilt(sim, name))
        return 0;
    n = sim_lookup(sim, name, members);
    if (n > 0)
        return n;
    /* Entities first, then groups, so ties go to the order of creation. */
    sim_suggest_init(&sg, name);
    for (size_t i = 0; i < sim->n_entities; i++)
        sim_suggest_add(&sg, sim->entities[i].name);
    for (size_t i = 0; i < sim->n_groups; i++)
        sim_suggest_add(&sg, sim->groups[i].name);
    guess = sim_suggest_result(&sg);
    if (guess != NULL)
        sim_cfg_error(cfg, path, "unknown component \"%s\"; did you mean "
                      "\"%s\"?", name, guess);
    else
        sim_cfg_error(cfg, path, "unknown component \"%s\"", name);
    return 0;
}

int sim_name_unbuilt(struct sim *sim, const char *name)
{
    char *copy = strdup(name);

    if (copy == NULL ||
        !sim_grow((void **)&sim->unbuilt, &sim->cap_unbuilt,
                  sizeof *sim->unbuilt, sim->n_unbuilt + 1)) {
        free(copy);
        return SIM_ENOMEM;
    }
    sim->unbuilt[sim->n_unbuilt++] = copy;
    return 0;
}

/* Whether ref is name, or starts with name and a dot. */
static bool is_within(const char *ref, const char *name)
{
    size_t len = strlen(name);

    return strncmp(ref, name, len) == 0 &&
           (ref[len] == '\0' || ref[len] == '.');
}

/* Whether a glob whose fixed start is ref[0, fixed) may match name. */
static bool may_match(const char *ref, size_t fixed, const char *name)
{
    size_t len = strlen(name);

    if (fixed <= len)
        return strncmp(ref, name, fixed) == 0;
    return strncmp(ref, name, len) == 0 && ref[len] == '.';
}

bool sim_name_is_unbuilt(const struct sim *sim, const char *ref)
{
    size_t fixed = strcspn(ref, "*");

    for (size_t i = 0; i < sim->n_unbuilt; i++) {
        const char *name = sim->unbuilt[i];

        if (ref[fixed] == '\0' ? is_within(ref, name)
                                : may_match(ref, fixed, name))
            return true;
    }
    return false;
}

static bool req_pool_grow(struct sim *sim)
{
    struct sim_req **chunks, *chunk;

    chunks = realloc(sim->req_chunks,
                     (sim->n_req_chunks + 1) * sizeof *chunks);
    if (chunks == NULL)
        return false;
    sim->req_chunks = chunks;
    chunk = malloc(REQ_CHUNK * sizeof *chunk);
    if (chunk == NULL)
        return false;
    sim->req_chunks[sim->n_req_chunks++] = chunk;
    for (size_t i = REQ_CHUNK; i-- > 0;) {
        chunk[i].next_free = sim->req_free;
        sim->req_free = &chunk[i];
    }
    return true;
}

struct sim_req *sim_req_new(struct sim *sim, uint32_t origin)
{
    struct sim_req *req;

    if (sim->params.max_requests > 0 &&
        sim->n_req_live >= sim->params.max_requests) {
        sim_fail(sim, SIM_ELIMIT, "more than %zu requests in flight at "
                 "%.9gs: the system is overloaded (raise limits.requests if "
                 "intended)", sim->params.max_requests,
                 sim_time_to_s(sim_now(sim)));
        return NULL;
    }
    if (sim->req_free == NULL && !req_pool_grow(sim)) {
        sim_fail(sim, SIM_ENOMEM, "out of memory for requests");
        return NULL;
    }
    req = sim->req_free;
    sim->req_free = req->next_free;
    memset(req, 0, sizeof *req);
    req->id = sim->next_req_id++;
    req->origin = origin;
    req->t_created = req->t_sent = sim_now(sim);
    req->attempt = 1;
    req->is_held = true;
    sim->n_req_live++;
    return req;
}

bool sim_req_reserve(struct sim *sim, uint64_t n, uint64_t *total,
                     uint64_t *cap)
{
    sim->n_req_reserved += n;
    *total = sim->n_req_reserved;
    *cap = sim->params.max_requests;
    return *cap == 0 || *total <= *cap;
}

void sim_req_release(struct sim *sim, struct sim_req *req)
{
    assert(req->is_held);
    req->is_held = false;
    if (!req->in_system && req != sim->reply_in_hand)
        free_req(sim, req);
}

static void send_msg(struct sim *sim, uint32_t from, uint32_t to,
                     struct sim_req *req, uint32_t type)
{
    sim_time delay = 0;
    int reason = SIM_FAIL_LOSS;

    req->in_system = true;
    req->hop_from = from;
    req->t_hop_sent = sim_now(sim);
    if (sim->n_cuts > 0 &&
        is_cut_between(sim, from, to, sim_now(sim), sim_now(sim))) {
        sim_req_drop(sim, req, SIM_FAIL_PARTITION);
        return;
    }
    if (sim->n_active_degrades > 0) {
        double factor, loss;

        sim_link_state(sim, from, to, &factor, &loss);
        if (loss > 0 && gsl_rng_uniform(sim->entities[from].rng) < loss) {
            sim_req_drop(sim, req, SIM_FAIL_LOSS);
            return;
        }
    }
    if (sim->transport != NULL &&
        !sim->transport(sim->transport_ctx, sim, from, to, req, &delay,
                        &reason)) {
        sim_req_drop(sim, req, reason);
        return;
    }
    schedule_at(sim, sim_now(sim) + delay, to, type,
                (union sim_payload){.ptr = req}, false);
}

void sim_req_call(struct sim *sim, uint32_t from, uint32_t to,
                  struct sim_req *req)
{
    if (req->n_path == SIM_REQ_MAX_HOPS) {
        sim_fail(sim, SIM_ELIMIT, "request %llu passed through more than %d "
                 "callers: is there a routing loop?",
                 (unsigned long long)req->id, SIM_REQ_MAX_HOPS);
        return;
    }
    req->reply_path[req->n_path++] = from;
    req->is_reply = false;
    send_msg(sim, from, to, req, SIM_EV_REQUEST);
}

void sim_req_forward(struct sim *sim, uint32_t from, uint32_t to,
                     struct sim_req *req)
{
    req->is_reply = false;
    send_msg(sim, from, to, req, SIM_EV_REQUEST);
}

void sim_req_reply(struct sim *sim, uint32_t from, struct sim_req *req)
{
    uint32_t to;

    if (req->n_path == 0) {
        sim_req_drop(sim, req, SIM_FAIL_LOSS);
        return;
    }
    to = req->reply_path[--req->n_path];
    req->is_reply = true;
    send_msg(sim, from, to, req, SIM_EV_REPLY);
}

void sim_req_drop(struct sim *sim, struct sim_req *req, int reason)
{
    assert(reason >= 0 && reason < SIM_OUTCOME_N);
    if (sim_now(sim) >= sim->params.warmup)
        sim->n_dropped[reason]++;
    req->in_system = false;
    if (!req->is_held && req != sim->reply_in_hand)
        free_req(sim, req);
}

uint64_t sim_n_dropped(const struct sim *sim, int reason)
{
    return reason >= 0 && reason < SIM_OUTCOME_N ? sim->n_dropped[reason]
                                                 : 0;
}

void sim_set_transport(struct sim *sim, sim_transport_fn fn, void *ctx)
{
    sim->transport = fn;
    sim->transport_ctx = ctx;
}

static int links_init(struct sim *sim, struct link_set *ls, const uint32_t *a,
                      size_t n_a, const uint32_t *b, size_t n_b,
                      bool is_one_way)
{
    size_t words = (sim->n_entities + 63) / 64 + 1;

    ls->in_a = calloc(words, sizeof *ls->in_a);
    ls->in_b = calloc(words, sizeof *ls->in_b);
    if (ls->in_a == NULL || ls->in_b == NULL) {
        free(ls->in_a);
        free(ls->in_b);
        return SIM_ENOMEM;
    }
    ls->n_bits = sim->n_entities;
    ls->is_one_way = is_one_way;
    for (size_t i = 0; i < n_a; i++)
        if (a[i] < ls->n_bits)
            ls->in_a[a[i] / 64] |= (uint64_t)1 << (a[i] % 64);
    for (size_t i = 0; i < n_b; i++)
        if (b[i] < ls->n_bits)
            ls->in_b[b[i] / 64] |= (uint64_t)1 << (b[i] % 64);
    return 0;
}

uint64_t sim_cut_add(struct sim *sim, const uint32_t *a, size_t n_a,
                     const uint32_t *b, size_t n_b, bool is_one_way)
{
    struct cut *c;

    if (!sim_grow((void **)&sim->cuts, &sim->cap_cuts, sizeof *sim->cuts,
                  sim->n_cuts + 1))
        return 0;
    c = &sim->cuts[sim->n_cuts];
    if (links_init(sim, &c->links, a, n_a, b, n_b, is_one_way) != 0)
        return 0;
    c->start = sim_now(sim);
    c->end = SIM_TIME_NEVER;
    return ++sim->n_cuts;
}

void sim_cut_heal(struct sim *sim, uint64_t handle)
{
    if (handle >= 1 && handle <= sim->n_cuts &&
        sim->cuts[handle - 1].end == SIM_TIME_NEVER)
        sim->cuts[handle - 1].end = sim_now(sim);
}

uint64_t sim_link_degrade(struct sim *sim, const uint32_t *a, size_t n_a,
                          const uint32_t *b, size_t n_b, bool is_one_way,
                          double factor, double loss)
{
    struct degrade *d;

    if (!sim_grow((void **)&sim->degrades, &sim->cap_degrades,
                  sizeof *sim->degrades, sim->n_degrades + 1))
        return 0;
    d = &sim->degrades[sim->n_degrades];
    if (links_init(sim, &d->links, a, n_a, b, n_b, is_one_way) != 0)
        return 0;
    d->factor = factor;
    d->loss = loss;
    d->is_active = true;
    sim->n_active_degrades++;
    return ++sim->n_degrades;
}

void sim_link_restore(struct sim *sim, uint64_t handle)
{
    if (handle >= 1 && handle <= sim->n_degrades &&
        sim->degrades[handle - 1].is_active) {
        sim->degrades[handle - 1].is_active = false;
        sim->n_active_degrades--;
    }
}

void sim_link_state(const struct sim *sim, uint32_t from, uint32_t to,
                    double *factor, double *loss)
{
    double keep = 1.0;

    *factor = 1.0;
    for (size_t i = 0; sim->n_active_degrades > 0 && i < sim->n_degrades;
         i++) {
        const struct degrade *d = &sim->degrades[i];

        if (!d->is_active || !links_cover(&d->links, from, to))
            continue;
        *factor *= d->factor;
        keep *= 1.0 - d->loss;
    }
    *loss = 1.0 - keep;
}

void sim_entity_set_clock_offset(struct sim *sim, uint32_t id,
                                 sim_time offset)
{
    if (id < sim->n_entities)
        sim->entities[id].clock_offset = offset;
}

sim_time sim_entity_clock(const struct sim *sim, uint32_t id)
{
    sim_time offset = id < sim->n_entities ? sim->entities[id].clock_offset
                                           : 0;

    return sim_now(sim) + offset;
}

struct sim_route *sim_route(struct sim *sim)
{
    return sim->route;
}

struct sim_truth *sim_truth(struct sim *sim)
{
    return sim->truth;
}

sim_time sim_window_width(const struct sim *sim)
{
    return sim->params.window;
}

size_t sim_n_windows(const struct sim *sim)
{
    sim_time w = sim->params.window;

    return (size_t)((sim->params.duration + w - 1) / w);
}

size_t sim_window_of(const struct sim *sim, sim_time t)
{
    size_t n = sim_n_windows(sim), i;

    if (t < 0 || n == 0)
        return 0;
    i = (size_t)(t / sim->params.window);
    return i < n ? i : n - 1;
}

int sim_group_set(struct sim *sim, const char *name, const uint32_t *members,
                  size_t n_members)
{
    const struct name_slot *s = names_find(sim, name);
    struct group *g;

    if (s == NULL || s->name == NULL || !s->is_group)
        return SIM_EINVAL;
    g = &sim->groups[s->id];
    if (n_members > g->cap_members)
        return SIM_EINVAL;
    memcpy(g->members, members, n_members * sizeof *members);
    g->n_members = n_members;
    return 0;
}

void sim_entity_set_zone(struct sim *sim, uint32_t id, uint32_t zone)
{
    if (id < sim->n_entities)
        sim->entities[id].zone = zone;
}

uint32_t sim_entity_zone(const struct sim *sim, uint32_t id)
{
    return id < sim->n_entities ? sim->entities[id].zone : 0;
}

bool sim_is_recording(const struct sim *sim)
{
    return sim->params.is_recording;
}
