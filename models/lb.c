/* SPDX-License-Identifier: MIT */
/*
 * lb.c - a load balancer: a proxy between clients and a pool of backends.
 *
 * Each request goes to one backend, chosen by the policy among those not
 * ejected, through sim_req_call, so its answer comes back through the LB,
 * which passes it on unchanged. The LB adds no service time and has no
 * capacity limit. "In flight" means sent by this LB and not yet answered;
 * a request still unanswered after backend_timeout is forgotten (no longer
 * counted, its late answer discarded, its client times out).
 *
 * Health checks probe every backend each interval through the network; a
 * probe unanswered within timeout fails. unhealthy_after failures in a row
 * eject a backend and healthy_after successes bring it back. With every
 * backend ejected a request is answered at once with "no_backend".
 *
 * An active-passive pair is two entities, NAME.active and NAME.standby,
 * and a group NAME holding the one with the address. The holder sends the
 * other a heartbeat every failover_after / 4; the other takes the address
 * when it has heard none for failover_after. Each node keeps its own
 * counts and health view. Simplifications: the address moves at once, and
 * while the two cannot hear each other they take it from each other in
 * turn, every failover_after.
 *
 * A crash of an LB node loses what it has in flight: the requests stay at
 * their backends but their answers are dropped on arrival, so their
 * clients time out. Its probes and timers go too; it restarts with every
 * backend healthy and nothing in flight.
 */
#include "models/lb.h"
#include "sim/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LB_MAX_BACKENDS 10000
#define LB_MAX_NAMES 256                /* names in a backends list */
#define LB_MAX_WEIGHT 1000000U
#define LB_MAX_VNODES 10000U
#define LB_MAX_RING 1000000U            /* backends x vnodes */
#define LB_MAX_CHECKS 1000U             /* unhealthy_after, healthy_after */
#define LB_MAX_SERIES ((size_t)1 << 22) /* backends x windows */
#define LB_MAX_NOTES 1000               /* timeline entries kept per LB */
#define LB_MIN_PERIOD SIM_MS
#define LB_MAX_PERIOD (3600 * SIM_S)
#define LB_NONE UINT32_MAX              /* no backend */

enum lb_event {
    LB_EV_PROBE_TICK = SIM_EV_USER,     /* a round of health probes */
    LB_EV_PROBE_TIMEOUT,                /* payload.u64: backend index */
    LB_EV_BEAT,                         /* pair: heartbeat period */
    LB_EV_TAKEOVER,                     /* pair: nothing heard for long */
    LB_EV_SWEEP,                        /* forget requests out too long */
};

enum lb_policy {
    LB_POLICY_DEFAULT,                  /* absent: round robin */
    LB_ROUND_ROBIN,
    LB_WEIGHTED,
    LB_RANDOM,
    LB_LEAST_CONN,
    LB_POWER_OF_D,
    LB_CONSISTENT_HASH,
};

struct lb_health_config {
    char *interval;                     /* between probe rounds; 1s */
    char *timeout;                      /* a probe's deadline; 200ms */
    unsigned *unhealthy_after;          /* failures that eject; 3 */
    unsigned *healthy_after;            /* successes that restore; 2 */
};

struct lb_config {
    char *name;                         /* the LB, or its pair's group */
    enum lb_policy policy;              /* absent: round robin */
    char *backends;                     /* "app", or "a, b, c" */
    unsigned *weights;                  /* weighted round robin */
    unsigned weights_count;             /* entries of weights */
    unsigned *d;                        /* power of d; default 2 */
    unsigned *vnodes;                   /* consistent hash; default 100 */
    struct lb_health_config *health;    /* absent: no health checks */
    bool *standby;                      /* an active-passive pair */
    char *failover_after;               /* pair only; default 2s */
    char *backend_timeout;              /* default 30s */
};

static const cyaml_strval_t policy_names[] = {
    {"round-robin", LB_ROUND_ROBIN},
    {"weighted-round-robin", LB_WEIGHTED},
    {"random", LB_RANDOM},
    {"least-connections", LB_LEAST_CONN},
    {"power-of-d", LB_POWER_OF_D},
    {"consistent-hash", LB_CONSISTENT_HASH},
};

static const cyaml_schema_field_t health_fields[] = {
    CYAML_FIELD_STRING_PTR("interval", CYAML_FLAG_OPTIONAL,
                           struct lb_health_config, interval, 1, 64),
    CYAML_FIELD_STRING_PTR("timeout", CYAML_FLAG_OPTIONAL,
                           struct lb_health_config, timeout, 1, 64),
    CYAML_FIELD_UINT_PTR("unhealthy_after", CYAML_FLAG_OPTIONAL,
                         struct lb_health_config, unhealthy_after),
    CYAML_FIELD_UINT_PTR("healthy_after", CYAML_FLAG_OPTIONAL,
                         struct lb_health_config, healthy_after),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t weight_schema = {
    CYAML_VALUE_UINT(CYAML_FLAG_DEFAULT, unsigned),
};

static const cyaml_schema_field_t lb_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct lb_config,
                           name, 1, 63),
    CYAML_FIELD_ENUM("policy", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct lb_config, policy, policy_names,
                     CYAML_ARRAY_LEN(policy_names)),
    CYAML_FIELD_STRING_PTR("backends", CYAML_FLAG_POINTER, struct lb_config,
                           backends, 1, 4095),
    CYAML_FIELD_SEQUENCE("weights", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct lb_config, weights, &weight_schema, 1,
                         LB_MAX_BACKENDS),
    CYAML_FIELD_UINT_PTR("d", CYAML_FLAG_OPTIONAL, struct lb_config, d),
    CYAML_FIELD_UINT_PTR("vnodes", CYAML_FLAG_OPTIONAL, struct lb_config,
                         vnodes),
    CYAML_FIELD_MAPPING_PTR("health", CYAML_FLAG_OPTIONAL, struct lb_config,
                            health, health_fields),
    CYAML_FIELD_BOOL_PTR("standby", CYAML_FLAG_OPTIONAL, struct lb_config,
                         standby),
    CYAML_FIELD_STRING_PTR("failover_after", CYAML_FLAG_OPTIONAL,
                           struct lb_config, failover_after, 1, 64),
    CYAML_FIELD_STRING_PTR("backend_timeout", CYAML_FLAG_OPTIONAL,
                           struct lb_config, backend_timeout, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t lb_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lb_config, lb_fields),
};

/* A request a node has sent to a backend and not yet seen answered. */
struct lb_entry {
    uint64_t id;                        /* request id; 0: free slot */
    sim_time t_sent;                    /* when it left for the backend */
    uint32_t backend;                   /* index into lb->backends */
};

/* Open-addressing table of entries by request id, linear probing. */
struct lb_flight {
    struct lb_entry *slots;             /* cap of them */
    size_t cap;                         /* 0 or a power of two */
    size_t n;                           /* slots in use */
};

/* One node's view of one backend. */
struct lb_view {
    uint32_t in_flight;                 /* sent by this node, unanswered */
    uint16_t n_fails;                   /* failed probes in a row */
    uint16_t n_oks;                     /* answered probes in a row */
    bool is_ejected;                    /* by this node's health checks */
    int64_t credit;                     /* smooth weighted round robin */
    struct sim_req *probe;              /* outstanding probe, or NULL */
    uint64_t probe_timeout;             /* its deadline event, or 0 */
};

struct lb;

/* An entity: the LB itself, or one node of an active-passive pair. */
struct lb_node {
    struct lb *lb;                      /* what the nodes share */
    uint32_t id;                        /* entity id */
    uint32_t peer;                      /* other node, or SIM_NO_ENTITY */
    struct lb_flight flight;            /* requests out at backends */
    struct lb_view *view;               /* one per backend */
    uint32_t *healthy;                  /* backends not ejected, any order */
    uint32_t n_healthy;                 /* entries of healthy */
    uint32_t cursor;                    /* backend to consider first */
    uint64_t ev_probe;                  /* next probe round, or 0 */
    uint64_t ev_sweep;                  /* next sweep, or 0 */
    uint64_t ev_beat;                   /* next heartbeat period, or 0 */
    uint64_t ev_takeover;               /* watcher's deadline, or 0 */
};

/* A backend as the LB as a whole counts it (measured period). */
struct lb_backend {
    uint32_t id;                        /* entity id */
    uint32_t weight;                    /* weighted round robin */
    uint64_t n_sent;                    /* requests sent to it */
    uint64_t n_answered;                /* answers passed on */
    uint64_t n_lost;                    /* forgotten, or lost in a crash */
    uint64_t n_present_start;           /* in flight at the warm-up's end */
    struct sim_twa ejected;             /* 1 while the holder ejects it */
};

/* A point of the consistent-hash ring. */
struct lb_point {
    uint64_t hash;                      /* position on the ring */
    uint32_t backend;                   /* owner of the arc ending here */
};

enum lb_note_kind {
    LB_NOTE_EJECT,
    LB_NOTE_RETURN,
    LB_NOTE_FAILOVER,
};

/* A timeline entry, kept until the report. */
struct lb_note {
    sim_time t;                         /* when, ns */
    uint32_t node;                      /* entity that acted */
    uint32_t subject;                   /* backend index, or old holder */
    uint8_t kind;                       /* enum lb_note_kind */
};

/* Picks a backend index for req, or LB_NONE when none is healthy. */
typedef uint32_t (*lb_pick_fn)(struct sim *sim, struct lb_node *node,
                               const struct sim_req *req);

struct lb {
    char *name;                         /* as configured */
    enum lb_policy policy;              /* never LB_POLICY_DEFAULT */
    lb_pick_fn pick;                    /* the policy's choice */
    char **names;                       /* backends list, as written */
    size_t n_names;                     /* entries of names */
    unsigned *weights;                  /* as configured, or NULL */
    size_t n_weights;                   /* entries of weights */
    unsigned d;                         /* power of d */
    unsigned vnodes;                    /* consistent hash, per backend */
    bool has_health;                    /* health checks run */
    sim_time interval;                  /* between probe rounds, ns */
    sim_time probe_timeout;             /* a probe's deadline, ns */
    unsigned unhealthy_after;           /* failed probes that eject */
    unsigned healthy_after;             /* good probes that restore */
    bool has_standby;                   /* an active-passive pair */
    sim_time failover_after;            /* silence before takeover, ns */
    sim_time backend_timeout;           /* wait for an answer, ns */
    struct lb_backend *backends;        /* resolved at start */
    uint32_t n_backends;                /* entries of backends */
    struct lb_point *ring;              /* sorted by hash */
    size_t n_ring;                      /* entries of ring */
    struct lb_node node[2];             /* [0] alone, or active, standby */
    unsigned n_nodes;                   /* 1, or 2 for a pair */
    unsigned holder;                    /* node with the address */
    uint32_t *win_sent;                 /* per backend, per window */
    size_t n_windows;                   /* series windows of the run */
    struct lb_note *notes;              /* the timeline, in time order */
    size_t n_notes, cap_notes;          /* used and allocated */
    uint64_t n_notes_lost;              /* past LB_MAX_NOTES */
    uint64_t n_arrived;                 /* measured period from here */
    uint64_t n_completed;               /* answers passed on */
    uint64_t n_rejected;                /* answered no_backend at once */
    uint64_t n_dropped;                 /* forgotten, or lost in a crash */
    uint64_t n_present_start;           /* in flight at warm-up's end */
    uint64_t n_failovers;               /* address moves */
};

static const union sim_payload lb_none_payload = {.u64 = 0};

/* A fixed 64-bit mixing function (the splitmix64 finaliser). */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* ---- requests in flight ---- */

static size_t flight_home(const struct lb_flight *f, uint64_t id)
{
    return (size_t)mix64(id) & (f->cap - 1);
}

/* The slot holding id, or SIZE_MAX. */
static size_t flight_find(const struct lb_flight *f, uint64_t id)
{
    if (f->n == 0)
        return SIZE_MAX;
    for (size_t i = flight_home(f, id);; i = (i + 1) & (f->cap - 1)) {
        if (f->slots[i].id == id)
            return i;
        if (f->slots[i].id == 0)
            return SIZE_MAX;
    }
}

static void flight_insert(struct lb_flight *f, const struct lb_entry *e)
{
    size_t i = flight_home(f, e->id);

    while (f->slots[i].id != 0)
        i = (i + 1) & (f->cap - 1);
    f->slots[i] = *e;
    f->n++;
}

/* Makes room for one more entry, keeping the table at most half full. */
static bool flight_reserve(struct lb_flight *f)
{
    struct lb_flight grown = {NULL, f->cap ? f->cap * 2 : 64, 0};

    if ((f->n + 1) * 2 <= f->cap)
        return true;
    grown.slots = calloc(grown.cap, sizeof *grown.slots);
    if (grown.slots == NULL)
        return false;
    for (size_t i = 0; i < f->cap; i++)
        if (f->slots[i].id != 0)
            flight_insert(&grown, &f->slots[i]);
    free(f->slots);
    *f = grown;
    return true;
}

/* Empties slot i, moving back the entries that had probed past it. */
static void flight_remove_at(struct lb_flight *f, size_t i)
{
    size_t mask = f->cap - 1, j = i;

    for (;;) {
        size_t home;

        j = (j + 1) & mask;
        if (f->slots[j].id == 0)
            break;
        home = flight_home(f, f->slots[j].id);
        /* the entry at j may fill i unless its home lies in (i, j] */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            f->slots[i] = f->slots[j];
            i = j;
        }
    }
    f->slots[i].id = 0;
    f->n--;
}

/* ---- life cycle ---- */

static void lb_destroy(void *state)
{
    struct lb *lb = state;

    if (lb == NULL)
        return;
    for (unsigned i = 0; i < 2; i++) {
        free(lb->node[i].flight.slots);
        free(lb->node[i].view);
        free(lb->node[i].healthy);
    }
    for (size_t i = 0; i < lb->n_names; i++)
        free(lb->names[i]);
    free(lb->names);
    free(lb->weights);
    free(lb->backends);
    free(lb->ring);
    free(lb->win_sent);
    free(lb->notes);
    free(lb->name);
    free(lb);
}

static void note_add(struct sim *sim, struct lb *lb, struct lb_note note)
{
    if (lb->n_notes == LB_MAX_NOTES) {
        lb->n_notes_lost++;
        return;
    }
    if (lb->n_notes == lb->cap_notes) {
        size_t cap = lb->cap_notes ? lb->cap_notes * 2 : 16;
        struct lb_note *grown = realloc(lb->notes, cap * sizeof *grown);

        if (grown == NULL) {
            sim_fail(sim, SIM_ENOMEM, "out of memory for the timeline of "
                     "load balancer \"%s\"", lb->name);
            return;
        }
        lb->notes = grown;
        lb->cap_notes = cap;
    }
    lb->notes[lb->n_notes++] = note;
}

/* ---- health ---- */

static bool is_holder(const struct lb_node *node)
{
    return &node->lb->node[node->lb->holder] == node;
}

static void rebuild_healthy(struct lb_node *node)
{
    node->n_healthy = 0;
    for (uint32_t b = 0; b < node->lb->n_backends; b++)
        if (!node->view[b].is_ejected)
            node->healthy[node->n_healthy++] = b;
}

/* Ejected time follows the view of the node holding the address. */
static void track_ejected(struct sim *sim, struct lb *lb)
{
    const struct lb_node *h = &lb->node[lb->holder];

    for (uint32_t b = 0; b < lb->n_backends; b++)
        sim_twa_set(&lb->backends[b].ejected, sim_now(sim),
                    h->view[b].is_ejected ? 1.0 : 0.0);
}

static void set_ejected(struct sim *sim, struct lb_node *node, uint32_t b,
                        bool is_ejected)
{
    struct lb_note note = {
        .t = sim_now(sim), .node = node->id, .subject = b,
        .kind = is_ejected ? LB_NOTE_EJECT : LB_NOTE_RETURN,
    };

    node->view[b].is_ejected = is_ejected;
    node->view[b].n_fails = node->view[b].n_oks = 0;
    rebuild_healthy(node);
    if (!is_holder(node))
        return;                         /* a standby's view stays private */
    sim_twa_set(&node->lb->backends[b].ejected, sim_now(sim),
                is_ejected ? 1.0 : 0.0);
    note_add(sim, node->lb, note);
}

static void probe_result(struct sim *sim, struct lb_node *node, uint32_t b,
                         bool is_ok)
{
    struct lb *lb = node->lb;
    struct lb_view *v = &node->view[b];

    if (is_ok) {
        v->n_fails = 0;
        if (v->is_ejected && ++v->n_oks >= lb->healthy_after)
            set_ejected(sim, node, b, false);
        return;
    }
    v->n_oks = 0;
    if (!v->is_ejected && ++v->n_fails >= lb->unhealthy_after)
        set_ejected(sim, node, b, true);
}

static void send_probe(struct sim *sim, struct lb_node *node, uint32_t b)
{
    struct lb_view *v = &node->view[b];
    struct sim_req *p = sim_req_new(sim, node->id);

    if (p == NULL)
        return;
    p->is_probe = true;
    p->tag.u64 = b;
    v->probe = p;
    v->probe_timeout = sim_schedule(sim, node->lb->probe_timeout, node->id,
                                    LB_EV_PROBE_TIMEOUT,
                                    (union sim_payload){.u64 = b});
    sim_req_call(sim, node->id, node->lb->backends[b].id, p);
}

static void on_probe_tick(struct sim *sim, struct lb_node *node)
{
    for (uint32_t b = 0; b < node->lb->n_backends; b++)
        if (node->view[b].probe == NULL)
            send_probe(sim, node, b);
    node->ev_probe = sim_schedule(sim, node->lb->interval, node->id,
                                  LB_EV_PROBE_TICK, lb_none_payload);
}

static void on_probe_timeout(struct sim *sim, struct lb_node *node,
                             uint32_t b)
{
    struct lb_view *v = &node->view[b];

    v->probe_timeout = 0;
    sim_req_release(sim, v->probe);
    v->probe = NULL;
    probe_result(sim, node, b, false);
}

/* The answer to a probe or heartbeat this node sent. */
static void on_own_reply(struct sim *sim, struct lb_node *node,
                         struct sim_req *req)
{
    uint32_t b = (uint32_t)req->tag.u64;
    bool is_ok = req->status == SIM_REQ_OK;
    struct lb_view *v;

    /* a heartbeat, or a probe that already timed out */
    if (!req->is_held)
        return;
    v = &node->view[b];
    sim_cancel(sim, v->probe_timeout);
    v->probe_timeout = 0;
    v->probe = NULL;
    sim_req_release(sim, req);
    probe_result(sim, node, b, is_ok);
}

/* ---- policies ---- */

static uint32_t pick_round_robin(struct sim *sim, struct lb_node *node,
                                 const struct sim_req *req)
{
    uint32_t n = node->lb->n_backends;

    (void)sim;
    (void)req;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t b = (node->cursor + k) % n;

        if (!node->view[b].is_ejected) {
            node->cursor = (b + 1) % n;
            return b;
        }
    }
    return LB_NONE;
}

/*
 * Smooth weighted round robin (as in nginx): every pick adds each healthy
 * backend's weight to its credit, takes the backend with the most credit
 * (the first on ties) and takes the total weight off its credit. Over any
 * run of picks summing to the total weight, each backend gets exactly its
 * weight, spread out rather than in bursts.
 */
static uint32_t pick_weighted(struct sim *sim, struct lb_node *node,
                              const struct sim_req *req)
{
    const struct lb *lb = node->lb;
    uint32_t best = LB_NONE;
    int64_t total = 0;

    (void)sim;
    (void)req;
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        struct lb_view *v = &node->view[b];

        if (v->is_ejected)
            continue;
        v->credit += lb->backends[b].weight;
        total += lb->backends[b].weight;
        if (best == LB_NONE || v->credit > node->view[best].credit)
            best = b;
    }
    if (best != LB_NONE)
        node->view[best].credit -= total;
    return best;
}

static uint32_t pick_random(struct sim *sim, struct lb_node *node,
                            const struct sim_req *req)
{
    (void)req;
    if (node->n_healthy == 0)
        return LB_NONE;
    return node->healthy[gsl_rng_uniform_int(sim_rng(sim, node->id),
                                             node->n_healthy)];
}

/* Fewest in flight; ties go round robin, from the cursor on. */
static uint32_t pick_least_conn(struct sim *sim, struct lb_node *node,
                                const struct sim_req *req)
{
    uint32_t n = node->lb->n_backends, best = LB_NONE;

    (void)sim;
    (void)req;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t b = (node->cursor + k) % n;

        if (node->view[b].is_ejected)
            continue;
        if (best == LB_NONE ||
            node->view[b].in_flight < node->view[best].in_flight)
            best = b;
    }
    if (best != LB_NONE)
        node->cursor = (best + 1) % n;
    return best;
}

/*
 * d distinct healthy backends drawn uniformly (a partial Fisher-Yates
 * shuffle of the healthy list, which stays a permutation of it); the one
 * with fewest in flight wins, the first drawn on ties.
 */
static uint32_t pick_power_of_d(struct sim *sim, struct lb_node *node,
                                const struct sim_req *req)
{
    gsl_rng *r = sim_rng(sim, node->id);
    uint32_t n = node->n_healthy, best = LB_NONE;
    uint32_t m = node->lb->d < n ? node->lb->d : n;

    (void)req;
    for (uint32_t k = 0; k < m; k++) {
        uint32_t j = k + (uint32_t)gsl_rng_uniform_int(r, n - k);
        uint32_t b = node->healthy[j];

        node->healthy[j] = node->healthy[k];
        node->healthy[k] = b;
        if (best == LB_NONE ||
            node->view[b].in_flight < node->view[best].in_flight)
            best = b;
    }
    return best;
}

/* The first ring point at or after h, wrapping round to the start. */
static size_t ring_find(const struct lb *lb, uint64_t h)
{
    size_t lo = 0, hi = lb->n_ring;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (lb->ring[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == lb->n_ring ? 0 : lo;
}

/* The owner of the key's point, walking on past ejected backends. */
static uint32_t pick_hash(struct sim *sim, struct lb_node *node,
                          const struct sim_req *req)
{
    const struct lb *lb = node->lb;
    size_t i;

    (void)sim;
    if (node->n_healthy == 0)
        return LB_NONE;
    i = ring_find(lb, mix64(req->key));
    while (node->view[lb->ring[i].backend].is_ejected)
        i = (i + 1) % lb->n_ring;
    return lb->ring[i].backend;
}

static const lb_pick_fn lb_picks[] = {
    [LB_ROUND_ROBIN] = pick_round_robin,
    [LB_WEIGHTED] = pick_weighted,
    [LB_RANDOM] = pick_random,
    [LB_LEAST_CONN] = pick_least_conn,
    [LB_POWER_OF_D] = pick_power_of_d,
    [LB_CONSISTENT_HASH] = pick_hash,
};

/* ---- the pair ---- */

static void arm_takeover(struct sim *sim, struct lb_node *node)
{
    if (node->ev_takeover != 0)
        sim_cancel(sim, node->ev_takeover);
    node->ev_takeover = sim_schedule(sim, node->lb->failover_after, node->id,
                                     LB_EV_TAKEOVER, lb_none_payload);
}

/* A heartbeat: a probe the peer needs only receive, never answered to. */
static void send_beat(struct sim *sim, struct lb_node *node)
{
    struct sim_req *beat = sim_req_new(sim, node->id);

    if (beat == NULL)
        return;
    beat->is_probe = true;
    sim_req_call(sim, node->id, node->peer, beat);
    sim_req_release(sim, beat);
}

static void on_beat_tick(struct sim *sim, struct lb_node *node)
{
    if (is_holder(node))
        send_beat(sim, node);
    else if (node->ev_takeover == 0)
        arm_takeover(sim, node);        /* lost the address: now watches */
    node->ev_beat = sim_schedule(sim, node->lb->failover_after / 4, node->id,
                                 LB_EV_BEAT, lb_none_payload);
}

static void on_takeover(struct sim *sim, struct lb_node *node)
{
    struct lb *lb = node->lb;
    struct lb_note note = {
        .t = sim_now(sim), .node = node->id,
        .subject = lb->node[lb->holder].id, .kind = LB_NOTE_FAILOVER,
    };

    node->ev_takeover = 0;
    if (is_holder(node))
        return;
    if (sim_group_set(sim, lb->name, &node->id, 1) != 0) {
        sim_fail(sim, SIM_EINTERNAL, "load balancer \"%s\" lost its group",
                 lb->name);
        return;
    }
    lb->holder = (unsigned)(node - lb->node);
    lb->n_failovers++;
    track_ejected(sim, lb);
    note_add(sim, lb, note);
    send_beat(sim, node);
}

/* ---- requests ---- */

/* Stops waiting for the request in slot i: it counts as lost. */
static void forget(struct lb_node *node, size_t i)
{
    struct lb *lb = node->lb;
    uint32_t b = node->flight.slots[i].backend;

    node->view[b].in_flight--;
    lb->backends[b].n_lost++;
    lb->n_dropped++;
    flight_remove_at(&node->flight, i);
}

static void on_sweep(struct sim *sim, struct lb_node *node)
{
    struct lb_flight *f = &node->flight;
    sim_time now = sim_now(sim);

    for (size_t i = 0; i < f->cap && f->n > 0;) {
        if (f->slots[i].id != 0 &&
            now - f->slots[i].t_sent >= node->lb->backend_timeout)
            forget(node, i);            /* slot i may hold another now */
        else
            i++;
    }
    node->ev_sweep = sim_schedule(sim, node->lb->backend_timeout / 4,
                                  node->id, LB_EV_SWEEP, lb_none_payload);
}

/* Probes and heartbeats are answered at once. */
static void answer_probe(struct sim *sim, struct lb_node *node,
                         struct sim_req *req)
{
    if (req->origin == node->peer && !is_holder(node))
        arm_takeover(sim, node);
    req->status = SIM_REQ_OK;
    sim_req_reply(sim, node->id, req);
}

static void on_request(struct sim *sim, struct lb_node *node,
                       struct sim_req *req)
{
    struct lb *lb = node->lb;
    struct lb_entry e = {req->id, sim_now(sim), 0};

    if (req->is_probe) {
        answer_probe(sim, node, req);
        return;
    }
    lb->n_arrived++;
    e.backend = lb->pick(sim, node, req);
    if (e.backend == LB_NONE) {
        lb->n_rejected++;
        req->status = SIM_FAIL_NO_BACKEND;
        sim_req_reply(sim, node->id, req);
        return;
    }
    if (!flight_reserve(&node->flight)) {
        sim_fail(sim, SIM_ENOMEM, "out of memory in load balancer \"%s\"",
                 lb->name);
        return;
    }
    flight_insert(&node->flight, &e);
    node->view[e.backend].in_flight++;
    lb->backends[e.backend].n_sent++;
    lb->win_sent[(size_t)e.backend * lb->n_windows +
                 sim_window_of(sim, e.t_sent)]++;
    sim_req_call(sim, node->id, lb->backends[e.backend].id, req);
}

static void on_reply(struct sim *sim, struct lb_node *node,
                     struct sim_req *req)
{
    struct lb *lb = node->lb;
    size_t i;
    uint32_t b;

    if (req->origin == node->id) {
        on_own_reply(sim, node, req);
        return;
    }
    i = flight_find(&node->flight, req->id);
    if (i != SIZE_MAX &&
        sim_now(sim) - node->flight.slots[i].t_sent >= lb->backend_timeout) {
        forget(node, i);
        i = SIZE_MAX;
    }
    if (i == SIZE_MAX) {
        /* forgotten, or sent before this node crashed: nobody waits */
        sim_req_drop(sim, req, SIM_FAIL_TIMEOUT);
        return;
    }
    b = node->flight.slots[i].backend;
    flight_remove_at(&node->flight, i);
    node->view[b].in_flight--;
    lb->backends[b].n_answered++;
    lb->n_completed++;
    sim_req_reply(sim, node->id, req);
}

/* ---- crashes ---- */

static void cancel_timer(struct sim *sim, uint64_t *id)
{
    if (*id != 0)
        sim_cancel(sim, *id);
    *id = 0;
}

static void arm_timers(struct sim *sim, struct lb_node *node)
{
    struct lb *lb = node->lb;

    node->ev_sweep = sim_schedule(sim, lb->backend_timeout / 4, node->id,
                                  LB_EV_SWEEP, lb_none_payload);
    if (lb->has_health)
        node->ev_probe = sim_schedule(sim, 0, node->id, LB_EV_PROBE_TICK,
                                      lb_none_payload);
    if (node->peer == SIM_NO_ENTITY)
        return;
    node->ev_beat = sim_schedule(sim, 0, node->id, LB_EV_BEAT,
                                 lb_none_payload);
    if (!is_holder(node))
        arm_takeover(sim, node);
}

static void on_crash(struct sim *sim, struct lb_node *node)
{
    struct lb_flight *f = &node->flight;

    for (size_t i = 0; i < f->cap && f->n > 0;) {
        if (f->slots[i].id != 0)
            forget(node, i);
        else
            i++;
    }
    for (uint32_t b = 0; b < node->lb->n_backends; b++) {
        struct lb_view *v = &node->view[b];

        if (v->probe == NULL)
            continue;
        cancel_timer(sim, &v->probe_timeout);
        sim_req_release(sim, v->probe);
        v->probe = NULL;
    }
    cancel_timer(sim, &node->ev_probe);
    cancel_timer(sim, &node->ev_sweep);
    cancel_timer(sim, &node->ev_beat);
    cancel_timer(sim, &node->ev_takeover);
}

/* A restarted node trusts every backend again and has nothing in flight. */
static void on_restart(struct sim *sim, struct lb_node *node)
{
    memset(node->view, 0, node->lb->n_backends * sizeof *node->view);
    rebuild_healthy(node);
    node->cursor = 0;
    if (is_holder(node))
        track_ejected(sim, node->lb);
    arm_timers(sim, node);
}

static void lb_handle(struct sim *sim, void *state,
                      const struct sim_event *ev)
{
    struct lb_node *node = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_request(sim, node, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_reply(sim, node, ev->payload.ptr);
        break;
    case LB_EV_PROBE_TICK:
        on_probe_tick(sim, node);
        break;
    case LB_EV_PROBE_TIMEOUT:
        on_probe_timeout(sim, node, (uint32_t)ev->payload.u64);
        break;
    case LB_EV_BEAT:
        on_beat_tick(sim, node);
        break;
    case LB_EV_TAKEOVER:
        on_takeover(sim, node);
        break;
    case LB_EV_SWEEP:
        on_sweep(sim, node);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, node);
        break;
    case SIM_EV_RESTART:
        on_restart(sim, node);
        break;
    default:
        break;
    }
}

/* ---- configuration ---- */

/* Checks a duration at path against [LB_MIN_PERIOD, LB_MAX_PERIOD]. */
static int build_period(struct sim_cfg *cfg, const char *path,
                        const char *key, const char *text, sim_time dflt,
                        sim_time *out)
{
    char sub[320];

    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (sim_cfg_duration(cfg, sub, text, dflt, out) != 0)
        return SIM_EINVAL;
    if (*out < LB_MIN_PERIOD || *out > LB_MAX_PERIOD) {
        sim_cfg_error(cfg, sub, "\"%s\" must be between 1ms and 1h", text);
        return SIM_EINVAL;
    }
    return 0;
}

/* Checks an optional whole number at path.key against [1, max]. */
static int build_count(struct sim_cfg *cfg, const char *path,
                       const char *key, const unsigned *value,
                       unsigned dflt, unsigned max, unsigned *out)
{
    char sub[320];

    *out = value != NULL ? *value : dflt;
    if (*out >= 1 && *out <= max)
        return 0;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    sim_cfg_error(cfg, sub, "must be between 1 and %u", max);
    return SIM_EINVAL;
}

/* Splits "a, b, c" into names; every name must be there. */
static int parse_backends(struct sim_cfg *cfg, const char *path,
                          const char *text, struct lb *lb)
{
    const char *p = text;
    char sub[256];

    snprintf(sub, sizeof sub, "%s.backends", path);
    lb->names = calloc(LB_MAX_NAMES, sizeof *lb->names);
    if (lb->names == NULL)
        return SIM_ENOMEM;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            sim_cfg_error(cfg, sub, "\"%s\" has an empty name (separate "
                          "names with commas)", text);
            return SIM_EINVAL;
        }
        if (lb->n_names == LB_MAX_NAMES) {
            sim_cfg_error(cfg, sub, "lists more than %d names (name a "
                          "group instead)", LB_MAX_NAMES);
            return SIM_EINVAL;
        }
        lb->names[lb->n_names] = strndup(p, len);
        if (lb->names[lb->n_names++] == NULL)
            return SIM_ENOMEM;
        if (end == NULL)
            return 0;
        p = end + 1;
    }
}

/* A policy-specific key given under another policy is a mistake. */
static int check_only(struct sim_cfg *cfg, const char *path, const char *key,
                      bool is_given, bool is_allowed, const char *policy)
{
    char sub[256];

    if (!is_given || is_allowed)
        return 0;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    sim_cfg_error(cfg, sub, "\"%s\" needs policy: %s", key, policy);
    return SIM_EINVAL;
}

static int build_weights(struct sim_cfg *cfg, const char *path,
                         const struct lb_config *c, struct lb *lb)
{
    char sub[256];
    int rc = 0;

    if (c->weights == NULL) {
        snprintf(sub, sizeof sub, "%s.policy", path);
        sim_cfg_error(cfg, sub, "weighted-round-robin needs \"weights\", "
                      "one per backend");
        return SIM_EINVAL;
    }
    lb->weights = malloc(c->weights_count * sizeof *lb->weights);
    if (lb->weights == NULL)
        return SIM_ENOMEM;
    lb->n_weights = c->weights_count;
    for (unsigned i = 0; i < c->weights_count; i++) {
        lb->weights[i] = c->weights[i];
        if (c->weights[i] >= 1 && c->weights[i] <= LB_MAX_WEIGHT)
            continue;
        snprintf(sub, sizeof sub, "%s.weights[%u]", path, i);
        sim_cfg_error(cfg, sub, "must be between 1 and %u", LB_MAX_WEIGHT);
        rc = SIM_EINVAL;
    }
    return rc;
}

static int build_policy(struct sim_cfg *cfg, const char *path,
                        const struct lb_config *c, struct lb *lb)
{
    int rc = 0;

    lb->policy = c->policy == LB_POLICY_DEFAULT ? LB_ROUND_ROBIN : c->policy;
    lb->pick = lb_picks[lb->policy];
    rc |= check_only(cfg, path, "weights", c->weights != NULL,
                     lb->policy == LB_WEIGHTED, "weighted-round-robin");
    rc |= check_only(cfg, path, "d", c->d != NULL,
                     lb->policy == LB_POWER_OF_D, "power-of-d");
    rc |= check_only(cfg, path, "vnodes", c->vnodes != NULL,
                     lb->policy == LB_CONSISTENT_HASH, "consistent-hash");
    rc |= build_count(cfg, path, "d", c->d, 2, LB_MAX_BACKENDS, &lb->d);
    rc |= build_count(cfg, path, "vnodes", c->vnodes, 100, LB_MAX_VNODES,
                      &lb->vnodes);
    if (lb->policy == LB_WEIGHTED) {
        int wrc = build_weights(cfg, path, c, lb);

        if (wrc == SIM_ENOMEM)
            return wrc;
        rc |= wrc;
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

static int build_health(struct sim_cfg *cfg, const char *path,
                        const struct lb_health_config *h, struct lb *lb)
{
    char sub[256], shown[64];
    int rc = 0;

    lb->has_health = h != NULL;
    if (h == NULL)
        return 0;
    snprintf(sub, sizeof sub, "%s.health", path);
    rc |= build_period(cfg, sub, "interval", h->interval, SIM_S,
                       &lb->interval);
    rc |= build_count(cfg, sub, "unhealthy_after", h->unhealthy_after, 3,
                      LB_MAX_CHECKS, &lb->unhealthy_after);
    rc |= build_count(cfg, sub, "healthy_after", h->healthy_after, 2,
                      LB_MAX_CHECKS, &lb->healthy_after);
    if (rc != 0)
        return SIM_EINVAL;
    snprintf(sub, sizeof sub, "%s.health.timeout", path);
    if (sim_cfg_duration(cfg, sub, h->timeout, 200 * SIM_MS,
                         &lb->probe_timeout) != 0)
        return SIM_EINVAL;
    if (h->timeout == NULL && lb->probe_timeout > lb->interval)
        lb->probe_timeout = lb->interval;
    if (lb->probe_timeout > lb->interval) {
        sim_cfg_error(cfg, sub, "\"%s\" is longer than the interval (%s)",
                      h->timeout, sim_units_format_duration(lb->interval,
                      shown, sizeof shown));
        return SIM_EINVAL;
    }
    return 0;
}

static int build_pair(struct sim_cfg *cfg, const char *path,
                      const struct lb_config *c, struct lb *lb)
{
    char sub[256];

    lb->has_standby = c->standby != NULL && *c->standby;
    if (!lb->has_standby && c->failover_after != NULL) {
        snprintf(sub, sizeof sub, "%s.failover_after", path);
        sim_cfg_error(cfg, sub, "\"failover_after\" needs standby: true");
        return SIM_EINVAL;
    }
    return build_period(cfg, path, "failover_after", c->failover_after,
                        2 * SIM_S, &lb->failover_after);
}

static int build_lb(struct sim_cfg *cfg, const char *path,
                    const struct lb_config *c, struct lb *lb)
{
    char sub[256];
    int rc = 0, step;

    snprintf(sub, sizeof sub, "%s.name", path);
    rc |= sim_cfg_name(cfg, sub, c->name);
    step = parse_backends(cfg, path, c->backends, lb);
    if (step == SIM_ENOMEM)
        return step;
    rc |= step;
    step = build_policy(cfg, path, c, lb);
    if (step == SIM_ENOMEM)
        return step;
    rc |= step;
    rc |= build_health(cfg, path, c->health, lb);
    rc |= build_pair(cfg, path, c, lb);
    rc |= build_period(cfg, path, "backend_timeout", c->backend_timeout,
                       30 * SIM_S, &lb->backend_timeout);
    return rc != 0 ? SIM_EINVAL : 0;
}

static int add_nodes(struct sim *sim, struct sim_cfg *cfg, const char *path,
                     struct lb *lb)
{
    static const char *const role[] = {"active", "standby"};
    char name[80];

    lb->n_nodes = lb->has_standby ? 2 : 1;
    for (unsigned i = 0; i < lb->n_nodes; i++) {
        struct lb_node *node = &lb->node[i];

        node->lb = lb;
        node->peer = SIM_NO_ENTITY;
        if (lb->has_standby)
            snprintf(name, sizeof name, "%s.%s", lb->name, role[i]);
        else
            snprintf(name, sizeof name, "%s", lb->name);
        node->id = sim_entity_add(sim, name, lb_handle, node);
        if (node->id == SIM_NO_ENTITY) {
            sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                          name);
            return SIM_EINVAL;
        }
    }
    if (!lb->has_standby)
        return 0;
    lb->node[0].peer = lb->node[1].id;
    lb->node[1].peer = lb->node[0].id;
    if (sim_group_add(sim, lb->name, &lb->node[0].id, 1) != 0) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                      lb->name);
        return SIM_EINVAL;
    }
    return 0;
}

static int lb_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                   const void *config, void **state)
{
    const struct lb_config *c = config;
    struct lb *lb = calloc(1, sizeof *lb);
    int rc;

    if (lb == NULL)
        return SIM_ENOMEM;
    lb->name = strdup(c->name);
    rc = lb->name == NULL ? SIM_ENOMEM : build_lb(cfg, path, c, lb);
    if (rc == 0)
        rc = add_nodes(sim, cfg, path, lb);
    if (rc != 0) {
        lb_destroy(lb);
        return rc;
    }
    *state = lb;
    return 0;
}

/* ---- start: the pool of backends ---- */

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* Resolves every name; groups stand for their members. */
static int resolve_backends(struct sim *sim, struct sim_cfg *cfg,
                            const char *path, struct lb *lb)
{
    const uint32_t *members;
    size_t total = 0;
    char sub[256];
    int rc = 0;

    snprintf(sub, sizeof sub, "%s.backends", path);
    for (size_t i = 0; i < lb->n_names; i++) {
        size_t n = sim_resolve(sim, cfg, sub, lb->names[i], &members);

        rc |= n == 0 ? SIM_EINVAL : 0;
        total += n;
    }
    if (rc != 0)
        return SIM_EINVAL;
    if (total > LB_MAX_BACKENDS) {
        sim_cfg_error(cfg, sub, "names %zu backends, more than %d", total,
                      LB_MAX_BACKENDS);
        return SIM_EINVAL;
    }
    lb->backends = calloc(total, sizeof *lb->backends);
    if (lb->backends == NULL)
        return SIM_ENOMEM;
    for (size_t i = 0; i < lb->n_names; i++) {
        size_t n = sim_lookup(sim, lb->names[i], &members);

        for (size_t k = 0; k < n; k++)
            lb->backends[lb->n_backends++].id = members[k];
    }
    return 0;
}

/* No backend twice, and never the LB itself. */
static int check_distinct(struct sim *sim, struct sim_cfg *cfg,
                          const char *path, const struct lb *lb)
{
    uint32_t *ids = malloc(lb->n_backends * sizeof *ids);
    char sub[256];
    int rc = 0;

    if (ids == NULL)
        return SIM_ENOMEM;
    snprintf(sub, sizeof sub, "%s.backends", path);
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        ids[b] = lb->backends[b].id;
        for (unsigned i = 0; i < lb->n_nodes && rc == 0; i++) {
            if (ids[b] != lb->node[i].id)
                continue;
            sim_cfg_error(cfg, sub, "\"%s\" cannot be its own backend",
                          sim_entity_name(sim, ids[b]));
            rc = SIM_EINVAL;
        }
    }
    qsort(ids, lb->n_backends, sizeof *ids, cmp_id);
    for (uint32_t b = 1; b < lb->n_backends && rc == 0; b++) {
        if (ids[b] != ids[b - 1])
            continue;
        sim_cfg_error(cfg, sub, "\"%s\" is listed more than once",
                      sim_entity_name(sim, ids[b]));
        rc = SIM_EINVAL;
    }
    free(ids);
    return rc;
}

/* Bounds that depend on how many backends the names stand for. */
static int check_pool(struct sim *sim, struct sim_cfg *cfg, const char *path,
                      struct lb *lb)
{
    uint32_t n = lb->n_backends;
    char sub[256];

    if (lb->policy == LB_WEIGHTED && lb->n_weights != n) {
        snprintf(sub, sizeof sub, "%s.weights", path);
        sim_cfg_error(cfg, sub, "has %zu weights for %u backends",
                      lb->n_weights, n);
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.d", path);
    if (lb->policy == LB_POWER_OF_D && lb->d > n) {
        sim_cfg_error(cfg, sub, "%u is more than the %u backends", lb->d, n);
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.vnodes", path);
    if (lb->policy == LB_CONSISTENT_HASH &&
        (uint64_t)n * lb->vnodes > LB_MAX_RING) {
        sim_cfg_error(cfg, sub, "%u backends with %u vnodes each make more "
                      "than %u ring points", n, lb->vnodes, LB_MAX_RING);
        return SIM_EINVAL;
    }
    lb->n_windows = sim_n_windows(sim);
    snprintf(sub, sizeof sub, "%s.backends", path);
    if ((uint64_t)n * lb->n_windows > LB_MAX_SERIES) {
        sim_cfg_error(cfg, sub, "%u backends over %zu windows make more "
                      "than %zu series values (use a wider window)", n,
                      lb->n_windows, LB_MAX_SERIES);
        return SIM_EINVAL;
    }
    return 0;
}

static int cmp_point(const void *a, const void *b)
{
    const struct lb_point *x = a, *y = b;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->backend > y->backend) - (x->backend < y->backend);
}

/* vnodes points per backend, placed by the backend's name. */
static int build_ring(struct sim *sim, struct lb *lb)
{
    lb->n_ring = (size_t)lb->n_backends * lb->vnodes;
    lb->ring = malloc(lb->n_ring * sizeof *lb->ring);
    if (lb->ring == NULL)
        return SIM_ENOMEM;
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        uint64_t h = sim_hash_str(sim_entity_name(sim, lb->backends[b].id));

        for (unsigned v = 0; v < lb->vnodes; v++) {
            struct lb_point *p = &lb->ring[(size_t)b * lb->vnodes + v];

            p->hash = mix64(h + (v + 1) * 0x9e3779b97f4a7c15ULL);
            p->backend = b;
        }
    }
    qsort(lb->ring, lb->n_ring, sizeof *lb->ring, cmp_point);
    return 0;
}

static int alloc_pool(struct sim *sim, struct lb *lb)
{
    uint32_t n = lb->n_backends;

    for (uint32_t b = 0; b < n; b++) {
        lb->backends[b].weight = lb->weights ? lb->weights[b] : 1;
        sim_twa_init(&lb->backends[b].ejected, sim_now(sim), 0);
    }
    for (unsigned i = 0; i < lb->n_nodes; i++) {
        lb->node[i].view = calloc(n, sizeof *lb->node[i].view);
        lb->node[i].healthy = malloc(n * sizeof *lb->node[i].healthy);
        if (lb->node[i].view == NULL || lb->node[i].healthy == NULL)
            return SIM_ENOMEM;
        rebuild_healthy(&lb->node[i]);
    }
    lb->win_sent = calloc((size_t)n * lb->n_windows + 1,
                          sizeof *lb->win_sent);
    if (lb->win_sent == NULL)
        return SIM_ENOMEM;
    if (lb->policy == LB_CONSISTENT_HASH)
        return build_ring(sim, lb);
    return 0;
}

/* Declares the balancer and its backends for the check of routes. */
static int declare_routes(struct sim *sim, const char *path,
                          const struct lb *lb)
{
    uint32_t nodes[2] = {lb->node[0].id, lb->node[1].id};
    uint32_t *ids = malloc((lb->n_backends + 1) * sizeof *ids);
    char sub[256];
    int rc;

    if (ids == NULL)
        return SIM_ENOMEM;
    for (uint32_t b = 0; b < lb->n_backends; b++)
        ids[b] = lb->backends[b].id;
    snprintf(sub, sizeof sub, "%s.backends", path);
    rc = sim_route_component(sim_route(sim), lb->name, nodes, lb->n_nodes,
                             false);
    if (rc == 0)
        rc = sim_route_add(sim_route(sim), nodes[0], SIM_ROUTE_PASS, 1, ids,
                           lb->n_backends, sub);
    free(ids);
    return rc;
}

static int lb_start(struct sim *sim, struct sim_cfg *cfg, const char *path,
                    void *state)
{
    struct lb *lb = state;
    int rc;

    rc = resolve_backends(sim, cfg, path, lb);
    if (rc == 0)
        rc = check_distinct(sim, cfg, path, lb);
    if (rc == 0)
        rc = check_pool(sim, cfg, path, lb);
    if (rc == 0)
        rc = alloc_pool(sim, lb);
    if (rc == 0)
        rc = declare_routes(sim, path, lb);
    if (rc != 0) {
        /* The pool was never built: report no backend of it. */
        lb->n_backends = 0;
        return rc;
    }
    for (unsigned i = 0; i < lb->n_nodes; i++)
        arm_timers(sim, &lb->node[i]);
    return 0;
}

/* ---- figures ---- */

static void lb_reset(struct sim *sim, void *state)
{
    struct lb *lb = state;

    lb->n_arrived = lb->n_completed = lb->n_rejected = 0;
    lb->n_dropped = lb->n_failovers = lb->n_present_start = 0;
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        struct lb_backend *be = &lb->backends[b];

        be->n_sent = be->n_answered = be->n_lost = 0;
        be->n_present_start = 0;
        sim_twa_reset(&be->ejected, sim_now(sim));
        for (unsigned i = 0; i < lb->n_nodes; i++)
            be->n_present_start += lb->node[i].view[b].in_flight;
    }
    for (unsigned i = 0; i < lb->n_nodes; i++)
        lb->n_present_start += lb->node[i].flight.n;
}

static void report_backend(struct sim *sim, const struct lb *lb, uint32_t b,
                           const char *scope, struct sim_report *rep)
{
    static const char *const what[] = {
        "sent", "answered", "lost", "in_flight_start", "in_flight_end",
    };
    const struct lb_backend *be = &lb->backends[b];
    const char *name = sim_entity_name(sim, be->id);
    double span = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));
    double value[5] = {
        (double)be->n_sent, (double)be->n_answered, (double)be->n_lost,
        (double)be->n_present_start, 0,
    };
    char key[160];

    for (unsigned i = 0; i < lb->n_nodes; i++)
        value[4] += lb->node[i].view[b].in_flight;
    for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
        snprintf(key, sizeof key, "backend.%s.%s", name, what[k]);
        sim_report_add(rep, scope, key, "count", value[k]);
    }
    if (!lb->has_health)
        return;
    snprintf(key, sizeof key, "backend.%s.ejected_time", name);
    sim_report_add(rep, scope, key, "s",
                   sim_twa_mean(&be->ejected, sim_now(sim)) * span);
}

/* Requests sent to each backend, window by window. */
static void report_series(struct sim *sim, const struct lb *lb,
                          const char *scope, struct sim_report *rep)
{
    double *v = malloc((lb->n_windows + 1) * sizeof *v);
    char key[160];

    if (v == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        const uint32_t *row = &lb->win_sent[(size_t)b * lb->n_windows];

        for (size_t w = 0; w < lb->n_windows; w++)
            v[w] = row[w];
        snprintf(key, sizeof key, "backend.%s.sent",
                 sim_entity_name(sim, lb->backends[b].id));
        sim_report_series(rep, scope, key, "count", v, lb->n_windows);
    }
    free(v);
}

static void report_notes(struct sim *sim, const struct lb *lb,
                         struct sim_report *rep)
{
    for (size_t i = 0; i < lb->n_notes; i++) {
        const struct lb_note *n = &lb->notes[i];
        const char *node = sim_entity_name(sim, n->node);
        double t = sim_time_to_s(n->t);

        if (n->kind == LB_NOTE_FAILOVER)
            sim_report_note(rep, t, "failover", "%s takes over \"%s\" from "
                            "%s", node, lb->name,
                            sim_entity_name(sim, n->subject));
        else if (n->kind == LB_NOTE_EJECT)
            sim_report_note(rep, t, "ejection", "%s ejects %s after %u "
                            "failed health checks", node,
                            sim_entity_name(sim, lb->backends[n->subject].id),
                            lb->unhealthy_after);
        else
            sim_report_note(rep, t, "return", "%s brings back %s after %u "
                            "good health checks", node,
                            sim_entity_name(sim, lb->backends[n->subject].id),
                            lb->healthy_after);
    }
    if (lb->n_notes_lost > 0)
        sim_report_note(rep, sim_time_to_s(sim_now(sim)), "ejection",
                        "%s: %llu more ejections, returns and failovers not "
                        "shown", lb->name,
                        (unsigned long long)lb->n_notes_lost);
}

static const char *const policy_text[] = {
    [LB_POLICY_DEFAULT] = "round-robin", [LB_ROUND_ROBIN] = "round-robin",
    [LB_WEIGHTED] = "weighted-round-robin", [LB_RANDOM] = "random",
    [LB_LEAST_CONN] = "least-connections", [LB_POWER_OF_D] = "power-of-d",
    [LB_CONSISTENT_HASH] = "consistent-hash",
};

/* Health checks: none, or how often, how long a probe waits, how many. */
static void report_health(const struct lb *lb, const char *scope,
                          struct sim_report *rep)
{
    if (!lb->has_health) {
        sim_report_setting(rep, scope, "health checks", "none");
        return;
    }
    sim_report_setting_duration(rep, scope, "health interval", lb->interval);
    sim_report_setting_duration(rep, scope, "health timeout",
                                lb->probe_timeout);
    sim_report_setting(rep, scope, "unhealthy after", "%u failed checks",
                       lb->unhealthy_after);
    sim_report_setting(rep, scope, "healthy after", "%u good checks",
                       lb->healthy_after);
}

/* The LB's effective configuration, defaults included. */
static void report_settings(struct sim *sim, const struct lb *lb,
                            const char *scope, struct sim_report *rep)
{
    struct sim_report_list backends;

    sim_report_setting(rep, scope, "policy", "%s", policy_text[lb->policy]);
    if (lb->policy == LB_POWER_OF_D)
        sim_report_setting(rep, scope, "d", "%u", lb->d);
    if (lb->policy == LB_CONSISTENT_HASH)
        sim_report_setting(rep, scope, "vnodes", "%u", lb->vnodes);
    sim_report_list_init(&backends);
    for (uint32_t b = 0; b < lb->n_backends; b++) {
        const char *name = sim_entity_name(sim, lb->backends[b].id);

        if (lb->policy == LB_WEIGHTED)
            sim_report_list_add(&backends, "%s weight %u", name,
                                lb->backends[b].weight);
        else
            sim_report_list_add(&backends, "%s", name);
    }
    sim_report_setting_list(rep, scope, "backends", &backends);
    report_health(lb, scope, rep);
    sim_report_setting(rep, scope, "standby", "%s", lb->has_standby
                       ? "yes (active-passive)" : "no");
    if (lb->has_standby)
        sim_report_setting_duration(rep, scope, "failover after",
                                    lb->failover_after);
    sim_report_setting_duration(rep, scope, "backend timeout",
                                lb->backend_timeout);
}

static void lb_report(struct sim *sim, void *state, struct sim_report *rep)
{
    const struct lb *lb = state;
    uint64_t present = 0;
    char scope[96];

    for (unsigned i = 0; i < lb->n_nodes; i++)
        present += lb->node[i].flight.n;
    snprintf(scope, sizeof scope, "load_balancer %s", lb->name);
    sim_report_add(rep, scope, "arrived", "count", (double)lb->n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)lb->n_completed);
    sim_report_add(rep, scope, "rejected", "count", (double)lb->n_rejected);
    sim_report_add(rep, scope, "dropped", "count", (double)lb->n_dropped);
    sim_report_add(rep, scope, "present_start", "count",
                   (double)lb->n_present_start);
    sim_report_add(rep, scope, "present_end", "count", (double)present);
    if (lb->has_standby)
        sim_report_add(rep, scope, "failovers", "count",
                       (double)lb->n_failovers);
    for (uint32_t b = 0; b < lb->n_backends; b++)
        report_backend(sim, lb, b, scope, rep);
    report_series(sim, lb, scope, rep);
    report_notes(sim, lb, rep);
    report_settings(sim, lb, scope, rep);
}

const struct sim_model_ops lb_ops = {
    .section = "load_balancers",
    .kind = "load_balancer",
    .schema = &lb_schema,
    .init = lb_init,
    .start = lb_start,
    .reset = lb_reset,
    .report = lb_report,
    .destroy = lb_destroy,
};
