/* SPDX-License-Identifier: MIT */
/*
 * db_route.c - a database's front door: it finds a key's shard, picks the
 * replica that serves the request (or coordinates a quorum), and, with
 * failover on, watches every replica through heartbeats and elects a new
 * leader when the current one falls silent. It adds no service time.
 * A quorum operation goes to all n replicas and ends with the answer that
 * decides it (the w-th or r-th success, or the refusal that makes success
 * impossible): that answer's queueing and service become the caller's.
 */
#include "models/db_state.h"

#include <stdlib.h>

static struct db_shard *shard_for(struct db *db, uint64_t key)
{
    return &db->shards[db_shard_of(&db->map, key)];
}

/* Answers a caller's request and closes its books. */
static void finish(struct sim *sim, struct db *db, struct sim_req *req)
{
    struct db_shard *s = shard_for(db, req->key);

    db->n_in_flight--;
    if (req->status == SIM_REQ_OK)
        db->books.n_completed++;
    else if (req->status == SIM_FAIL_REJECTED)
        db->books.n_rejected++;
    else
        db->books.n_dropped++;
    if (req->status != SIM_REQ_OK)
        s->st.n_failed[req->status]++;
    req->store = db->store;
    if (db->record != NULL && record_answer(db->record, sim, req) != 0)
        sim_fail(sim, SIM_ENOMEM, "out of memory for the history");
    sim_req_reply(sim, db->router, req);
}

static void answer(struct sim *sim, struct db *db, struct sim_req *req,
                   int status)
{
    req->status = (uint8_t)status;
    finish(sim, db, req);
}

/* --- choosing a replica -------------------------------------------------- */

/* Whether the router believes replica r of s can serve. */
static bool is_alive(const struct db *db, const struct db_shard *s,
                     unsigned r, sim_time now)
{
    if (!db->c.has_failover)
        return true;
    return !s->rep[r].is_deposed && now - s->heard[r] <= db->c.detect_after;
}

/* Picks uniformly among n candidates; DB_NO_LEADER when there are none. */
static uint32_t pick(struct sim *sim, const struct db *db,
                     const unsigned *cand, unsigned n)
{
    if (n == 0)
        return DB_NO_LEADER;
    if (n == 1)
        return cand[0];
    return cand[gsl_rng_uniform_int(sim_rng(sim, db->router), n)];
}

static uint32_t pick_any(struct sim *sim, const struct db *db,
                         const struct db_shard *s)
{
    unsigned cand[DB_MAX_REPLICAS], n = 0;

    for (unsigned r = 0; r < db->c.n_replicas; r++)
        if (is_alive(db, s, r, sim_now(sim)))
            cand[n++] = r;
    return pick(sim, db, cand, n);
}

/* A replica in the caller's zone (0: none), or DB_NO_LEADER. */
static uint32_t pick_near(struct sim *sim, const struct db *db,
                          const struct db_shard *s, uint32_t zone)
{
    unsigned cand[DB_MAX_REPLICAS], n = 0;

    if (zone == 0)
        return DB_NO_LEADER;
    for (unsigned r = 0; r < db->c.n_replicas; r++)
        if (sim_entity_zone(sim, s->rep[r].id) == zone &&
            is_alive(db, s, r, sim_now(sim)))
            cand[n++] = r;
    return pick(sim, db, cand, n);
}

/*
 * The replica that takes the shard's writes for a caller in zone: the
 * leader; under multi-leader, one in the caller's zone, else any.
 */
static uint32_t pick_home(struct sim *sim, const struct db *db,
                          const struct db_shard *s, uint32_t zone)
{
    uint32_t r;

    if (db->c.repl != DB_REPL_MULTI)
        return s->leader;
    r = pick_near(sim, db, s, zone);
    return r != DB_NO_LEADER ? r : pick_any(sim, db, s);
}

static void send_to(struct sim *sim, struct db *db, struct db_shard *s,
                    struct sim_req *req, uint32_t r)
{
    if (r == DB_NO_LEADER)
        answer(sim, db, req, SIM_FAIL_NODE_DOWN);
    else
        sim_req_call(sim, db->router, s->rep[r].id, req);
}

/* --- quorums ------------------------------------------------------------- */

static struct db_op *op_alloc(struct db *db)
{
    uint32_t i;

    if (db->free_op == UINT32_MAX) {
        uint32_t n = db->n_ops ? db->n_ops * 2 : 64;
        struct db_op *ops = realloc(db->ops, n * sizeof *ops);

        if (ops == NULL)
            return NULL;
        for (uint32_t k = db->n_ops; k < n; k++) {
            ops[k].parent = NULL;
            ops[k].next_free = k + 1 < n ? k + 1 : UINT32_MAX;
        }
        db->free_op = db->n_ops;
        db->ops = ops;
        db->n_ops = n;
    }
    i = db->free_op;
    db->free_op = db->ops[i].next_free;
    return &db->ops[i];
}

static void op_free(struct db *db, struct db_op *op)
{
    uint32_t i = (uint32_t)(op - db->ops);

    op->parent = NULL;
    op->next_free = db->free_op;
    db->free_op = i;
}

/*
 * A quorum asks every replica of the shard, as Dynamo's coordinator asks
 * the n nodes of a key's preference list: a write is acknowledged after w
 * answers, a read answers after r. A replica that is down or cut off only
 * fails to answer, so the operation succeeds while w (r) of them can; the
 * replicas that answer late still do the work.
 */
static void choose_targets(const struct db *db, struct db_op *op,
                           bool is_write)
{
    op->n_children = db->c.n_replicas;
    op->n_needed = is_write ? db->c.q_w : db->c.q_r;
    for (unsigned i = 0; i < op->n_children; i++)
        op->target[i] = (uint8_t)i;
}

static void start_op(struct sim *sim, struct db *db, struct db_shard *s,
                     struct sim_req *req, bool is_write)
{
    struct db_op *op = op_alloc(db);
    uint32_t idx;

    if (op == NULL) {
        sim_fail(sim, SIM_ENOMEM, "out of memory in database \"%s\"",
                 db->name);
        answer(sim, db, req, SIM_FAIL_NO_QUORUM);
        return;
    }
    idx = (uint32_t)(op - db->ops);
    op->parent = req;
    op->shard = s->index;
    op->n_ok = op->n_refused = 0;
    op->answered = 0;
    op->newest = 0;
    choose_targets(db, op, is_write);
    for (unsigned i = 0; i < op->n_children; i++) {
        struct sim_req *c = sim_req_new(sim, db->router);

        op->child[i] = c;
        if (c == NULL)
            continue;
        c->op = req->op;
        c->key = req->key;
        c->session = req->session;
        c->tag.u64 = (uint64_t)DB_MSG_QUORUM << DB_MSG_SHIFT | idx;
        sim_req_call(sim, db->router, s->rep[op->target[i]].id, c);
    }
    op->timeout_event = sim_schedule(sim, db->c.write_timeout, db->router,
                                     DB_EV_OP_TIMEOUT,
                                     (union sim_payload){.u64 = idx});
}

/* Sends the newest version to the replicas that answered older ones. */
static void repair(struct sim *sim, struct db *db, const struct db_op *op)
{
    const struct db_shard *s = &db->shards[op->shard];

    for (unsigned i = 0; i < op->n_children; i++) {
        const struct sim_req *c = op->child[i];
        struct sim_req *m;

        if (!(op->answered >> i & 1) || c->status != SIM_REQ_OK ||
            c->version >= op->newest)
            continue;
        m = sim_req_new(sim, db->router);
        if (m == NULL)
            return;
        m->tag.u64 = (uint64_t)DB_MSG_REPAIR << DB_MSG_SHIFT;
        m->key = c->key;
        m->version = op->newest;
        sim_req_call(sim, db->router, s->rep[op->target[i]].id, m);
        sim_req_release(sim, m);
        db->books.n_read_repairs++;
    }
}

/*
 * An acknowledged quorum write gets its truth version. Replicas that
 * applied it already show it now; the others will when they apply it.
 */
static void commit_write(struct sim *sim, struct db *db, struct db_op *op)
{
    struct db_shard *s = &db->shards[op->shard];
    struct sim_req *p = op->parent;
    sim_time now = sim_now(sim);
    uint64_t v = sim_truth_commit(sim_truth(sim), db->store, p->key, now);

    if (v == 0) {
        sim_fail(sim, SIM_ENOMEM, "out of memory in database \"%s\"",
                 db->name);
        return;
    }
    p->version = v;
    for (unsigned i = 0; i < op->n_children; i++) {
        struct sim_req *c = op->child[i];

        if (c == NULL)
            continue;
        if (c->value == 1)
            db_repl_make_visible(sim, &s->rep[op->target[i]], p->key, v,
                                 now);
        else
            c->version = v;
    }
}

static void end_op(struct sim *sim, struct db *db, struct db_op *op,
                   int status)
{
    struct sim_req *p = op->parent;
    bool is_write = p->op != SIM_OP_READ;

    if (op->timeout_event != 0)
        sim_cancel(sim, op->timeout_event);
    if (status == SIM_REQ_OK && is_write) {
        commit_write(sim, db, op);
    } else if (status == SIM_REQ_OK) {
        p->version = op->newest;
        if (db->c.has_read_repair)
            repair(sim, db, op);
    }
    for (unsigned i = 0; i < op->n_children; i++)
        if (op->child[i] != NULL)
            sim_req_release(sim, op->child[i]);
    op_free(db, op);
    answer(sim, db, p, status);
}

static void on_child_reply(struct sim *sim, struct db *db, struct sim_req *c)
{
    struct db_op *op;
    unsigned i = 0;

    if (!c->is_held)
        return;
    op = &db->ops[c->tag.u64 & UINT32_MAX];
    while (i < op->n_children && op->child[i] != c)
        i++;
    if (op->parent == NULL || i == op->n_children)
        return;
    op->answered |= 1u << i;
    if (c->status != SIM_REQ_OK) {
        op->n_refused++;
    } else {
        op->n_ok++;
        if (c->version > op->newest)
            op->newest = c->version;
    }
    if (op->n_ok < op->n_needed &&
        op->n_children - op->n_refused >= op->n_needed)
        return;
    /* The answer that decides is the one the caller waited for. */
    op->parent->wait_ns += c->wait_ns;
    op->parent->service_ns += c->service_ns;
    end_op(sim, db, op, op->n_ok >= op->n_needed ? SIM_REQ_OK
                                                 : SIM_FAIL_NO_QUORUM);
}

static void on_op_timeout(struct sim *sim, struct db *db, uint32_t idx)
{
    struct db_op *op = &db->ops[idx];

    if (op->parent == NULL)
        return;
    op->timeout_event = 0;
    end_op(sim, db, op, SIM_FAIL_NO_QUORUM);
}

/* --- callers' requests --------------------------------------------------- */

static void route_read(struct sim *sim, struct db *db, struct db_shard *s,
                       struct sim_req *req, uint32_t zone)
{
    uint32_t r;

    switch (db->c.reads) {
    case DB_READS_QUORUM:
        start_op(sim, db, s, req, false);
        return;
    case DB_READS_ANY:
        r = pick_any(sim, db, s);
        break;
    case DB_READS_NEAREST:
        r = pick_near(sim, db, s, zone);
        if (r == DB_NO_LEADER)
            r = pick_home(sim, db, s, zone);
        break;
    default:
        r = pick_home(sim, db, s, zone);
        break;
    }
    send_to(sim, db, s, req, r);
}

static void on_client(struct sim *sim, struct db *db, struct sim_req *req)
{
    struct db_shard *s = shard_for(db, req->key);
    uint32_t zone = sim_entity_zone(sim, req->hop_from);

    db->books.n_arrived++;
    db->n_in_flight++;
    s->win_requests[sim_window_of(sim, sim_now(sim))]++;
    if (req->op == SIM_OP_READ) {
        s->st.n_reads++;
        route_read(sim, db, s, req, zone);
        return;
    }
    s->st.n_writes++;
    if (db->c.writes == DB_WRITES_QUORUM)
        start_op(sim, db, s, req, true);
    else
        send_to(sim, db, s, req, pick_home(sim, db, s, zone));
}

/* --- failure detection and elections ------------------------------------- */

static void send_heartbeats(struct sim *sim, struct db *db,
                            const struct db_shard *s)
{
    for (unsigned r = 0; r < db->c.n_replicas; r++) {
        struct sim_req *m = sim_req_new(sim, db->router);

        if (m == NULL)
            return;
        m->tag.u64 = (uint64_t)DB_MSG_HEARTBEAT << DB_MSG_SHIFT;
        sim_req_call(sim, db->router, s->rep[r].id, m);
        sim_req_release(sim, m);
    }
}

/*
 * Candidates: replicas heard from lately that are neither deposed nor
 * waiting for a snapshot. most-up-to-date takes the one that received
 * the most of the log (the lowest index on ties); any takes one at random.
 */
static uint32_t choose_leader(struct sim *sim, struct db *db,
                              const struct db_shard *s)
{
    unsigned cand[DB_MAX_REPLICAS], n = 0;
    uint32_t best = DB_NO_LEADER;

    for (unsigned r = 0; r < db->c.n_replicas; r++)
        if (is_alive(db, s, r, sim_now(sim)) &&
            !s->log.peers[r].needs_snapshot)
            cand[n++] = r;
    if (db->c.elect == DB_ELECT_ANY)
        return pick(sim, db, cand, n);
    for (unsigned i = 0; i < n; i++)
        if (best == DB_NO_LEADER ||
            db_repl_position(s, cand[i]) > db_repl_position(s, best))
            best = cand[i];
    return best;
}

static void elect(struct sim *sim, struct db *db, struct db_shard *s)
{
    uint32_t r = choose_leader(sim, db, s);
    uint64_t lacked;

    if (r == DB_NO_LEADER)
        return;
    lacked = db_repl_promote(sim, s, r);
    db_outage_end(sim, s);
    s->st.n_failovers++;
    db_note_add(db, sim_now(sim), DB_NOTE_ELECTED, s->index, r, lacked);
}

/* The leader went silent for detect_after: it is deposed. */
static void lose_leader(struct sim *sim, struct db *db, struct db_shard *s)
{
    const struct db_replica *old = &s->rep[s->leader];

    s->t_outage = old->t_down != SIM_TIME_NEVER ? old->t_down
                                                : s->heard[s->leader];
    db_note_add(db, sim_now(sim), DB_NOTE_LOST, s->index, old->index, 0);
    db_repl_depose(sim, s);
}

static void on_heartbeat_round(struct sim *sim, struct db *db)
{
    sim_time now = sim_now(sim);

    db->heartbeat_event = sim_schedule(sim, db->c.heartbeat, db->router,
                                       DB_EV_HEARTBEAT,
                                       (union sim_payload){.u64 = 0});
    for (unsigned k = 0; k < db->c.n_shards; k++) {
        struct db_shard *s = &db->shards[k];

        send_heartbeats(sim, db, s);
        if (s->leader != DB_NO_LEADER &&
            now - s->heard[s->leader] > db->c.detect_after)
            lose_leader(sim, db, s);
        if (s->leader == DB_NO_LEADER)
            elect(sim, db, s);
    }
}

static void on_heartbeat_reply(struct sim *sim, struct db *db,
                               const struct sim_req *m)
{
    struct db_replica *r = db_replica_of(db, m->hop_from);
    struct db_shard *s;
    uint64_t n;

    if (r == NULL)
        return;
    s = &db->shards[r->shard];
    s->heard[r->index] = sim_now(sim);
    if (!r->is_deposed || s->leader == DB_NO_LEADER)
        return;
    n = db_repl_rejoin(sim, s, r->index);
    db_note_add(db, sim_now(sim), DB_NOTE_REJOINED, s->index, r->index, n);
}

void db_route_start(struct sim *sim, struct db *db)
{
    if (!db->c.has_failover)
        return;
    for (unsigned k = 0; k < db->c.n_shards; k++)
        for (unsigned r = 0; r < db->c.n_replicas; r++)
            db->shards[k].heard[r] = sim_now(sim);
    db->heartbeat_event = sim_schedule(sim, db->c.heartbeat, db->router,
                                       DB_EV_HEARTBEAT,
                                       (union sim_payload){.u64 = 0});
}

/*
 * A crash of the front door fails the quorum operations it coordinates
 * (their callers' requests are dropped) and stops failure detection; on
 * restart every replica gets a fresh detect_after of grace.
 */
static void on_crash(struct sim *sim, struct db *db)
{
    for (uint32_t i = 0; i < db->n_ops; i++) {
        struct db_op *op = &db->ops[i];

        if (op->parent == NULL)
            continue;
        if (op->timeout_event != 0)
            sim_cancel(sim, op->timeout_event);
        for (unsigned k = 0; k < op->n_children; k++)
            if (op->child[k] != NULL)
                sim_req_release(sim, op->child[k]);
        db_count_lost(db, op->parent);
        sim_req_drop(sim, op->parent, SIM_FAIL_CRASH);
        op_free(db, op);
    }
    if (db->heartbeat_event != 0)
        sim_cancel(sim, db->heartbeat_event);
    db->heartbeat_event = 0;
}

static void on_reply(struct sim *sim, struct db *db, struct sim_req *req)
{
    if (req->origin != db->router) {
        finish(sim, db, req);
        return;
    }
    switch (db_msg_kind(db, req)) {
    case DB_MSG_HEARTBEAT:
        on_heartbeat_reply(sim, db, req);
        break;
    case DB_MSG_QUORUM:
        on_child_reply(sim, db, req);
        break;
    default:
        break;
    }
}

void db_route_handle(struct sim *sim, void *state, const struct sim_event *ev)
{
    struct db *db = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_client(sim, db, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_reply(sim, db, ev->payload.ptr);
        break;
    case DB_EV_OP_TIMEOUT:
        on_op_timeout(sim, db, (uint32_t)ev->payload.u64);
        break;
    case DB_EV_HEARTBEAT:
        on_heartbeat_round(sim, db);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, db);
        break;
    case SIM_EV_RESTART:
        db_route_start(sim, db);
        break;
    default:
        break;
    }
}

void db_route_release(struct db *db)
{
    free(db->ops);
    db->ops = NULL;
    db->n_ops = 0;
}
