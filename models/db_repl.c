/* SPDX-License-Identifier: MIT */
/*
 * db_repl.c - the replicas of a database: serving reads and writes through
 * their station, shipping log entries, applying them after apply_lag, and
 * changing leaders. A follower applies a log strictly in order, so what it
 * holds is always a prefix of its leader's log.
 */
#include "models/db_state.h"

#include <stdlib.h>
#include <string.h>

static struct db_shard *shard_of(const struct db_replica *r)
{
    return &r->db->shards[r->shard];
}

static bool is_leader_mode(const struct db *db)
{
    return db->c.repl == DB_REPL_ASYNC || db->c.repl == DB_REPL_SYNC ||
           db->c.repl == DB_REPL_SEMI_SYNC;
}

/* Follower acknowledgements a leader-based write waits for. */
static unsigned acks_needed(const struct db *db)
{
    switch (db->c.repl) {
    case DB_REPL_SYNC:
        return db->c.n_replicas - 1;
    case DB_REPL_SEMI_SYNC:
        return db->c.acks;
    default:
        return 0;
    }
}

/* The log that messages from replica src of shard s belong to. */
static struct db_log *log_from(struct db_shard *s, unsigned src)
{
    return s->rep[src].own_log != NULL ? s->rep[src].own_log : &s->log;
}

static struct db_entry *entry_at(const struct db_log *log, uint64_t seq)
{
    return &log->ring[seq & (log->cap - 1)];
}

/*
 * Peer p will get a snapshot: the log keeps the entries after its last
 * one, which the peer will lack once it has the snapshot.
 */
static void want_snapshot(struct db_peer *p, const struct db_log *log)
{
    p->needs_snapshot = true;
    p->snapshot_last = log->last;
}

static void out_of_memory(struct sim *sim, const struct db *db)
{
    sim_fail(sim, SIM_ENOMEM, "out of memory in database \"%s\"", db->name);
}

/* Answers a request held by r. */
static void answer(struct sim *sim, struct db_replica *r, struct sim_req *req,
                   int status, uint64_t version)
{
    req->status = (uint8_t)status;
    req->version = version;
    req->store = r->db->store;
    sim_req_reply(sim, r->id, req);
}

/* --- what a replica holds ------------------------------------------------ */

static void record_lag(struct db_shard *s, sim_time lag)
{
    double lag_s = sim_time_to_s(lag);

    sim_tally_add(&s->st.lag, lag_s);
    sim_hist_add(s->st.lag_hist, lag_s);
}

/*
 * Makes a version visible on r if it is newer than what r serves; with a
 * stamp, if the stamp wins (last-writer-wins). Every version applied
 * counts as seen, winner or not. t_commit >= 0 records the lag.
 */
static void apply_version(struct sim *sim, struct db_replica *r, uint64_t key,
                          uint64_t version, const struct db_stamp *stamp,
                          sim_time t_commit)
{
    struct db_item *it = db_store_get(&r->store, key);

    if (it == NULL) {
        out_of_memory(sim, r->db);
        return;
    }
    if (version > it->seen)
        it->seen = version;
    if (stamp != NULL) {
        if (it->version != 0 && !db_store_stamp_wins(stamp, &it->stamp))
            return;
        it->stamp = *stamp;
    } else if (version <= it->version) {
        return;
    }
    it->version = version;
    it->t_visible = sim_now(sim);
    if (t_commit >= 0)
        record_lag(shard_of(r), sim_now(sim) - t_commit);
}

void db_repl_make_visible(struct sim *sim, struct db_replica *r,
                          uint64_t key, uint64_t version, sim_time t_commit)
{
    apply_version(sim, r, key, version, NULL, t_commit);
}

static bool grow_held(struct db_replica *r)
{
    size_t cap = r->cap_held ? r->cap_held * 2 : 16;
    struct db_held *held = realloc(r->held, cap * sizeof *held);
    unsigned *free_held;

    if (held == NULL)
        return false;
    r->held = held;
    free_held = realloc(r->free_held, cap * sizeof *free_held);
    if (free_held == NULL)
        return false;
    r->free_held = free_held;
    r->cap_held = cap;
    return true;
}

/* Keeps req in a slot (its hop_tag); event 0 means out of order. */
static bool hold(struct db_replica *r, struct sim_req *req, uint64_t event)
{
    unsigned i;

    if (r->n_free_held > 0) {
        i = r->free_held[--r->n_free_held];
    } else {
        if (r->n_held == r->cap_held && !grow_held(r))
            return false;
        i = (unsigned)r->n_held++;
    }
    r->held[i].req = req;
    r->held[i].event = event;
    req->hop_tag.u64 = i;
    if (event == 0)
        r->n_waiting++;
    return true;
}

static void unhold(struct db_replica *r, struct sim_req *req)
{
    unsigned i = (unsigned)req->hop_tag.u64;

    if (r->held[i].event == 0)
        r->n_waiting--;
    r->held[i].req = NULL;
    r->held[i].event = 0;
    r->free_held[r->n_free_held++] = i;
}

/* A crash loses every held message and its pending apply. */
static void drop_held(struct sim *sim, struct db_replica *r)
{
    for (size_t i = 0; i < r->n_held; i++) {
        struct db_held *h = &r->held[i];

        if (h->req == NULL)
            continue;
        if (h->event != 0)
            sim_cancel(sim, h->event);
        sim_req_drop(sim, h->req, SIM_FAIL_CRASH);
        h->req = NULL;
    }
    r->n_held = r->n_free_held = r->n_waiting = 0;
}

/* --- replication lag over time ------------------------------------------ */

/*
 * Adds to s's windows the integral over [from, to) of t - since, the lag
 * of a follower that has lacked an entry appended at since, in s^2.
 */
static void lag_add(struct sim *sim, struct db_shard *s, sim_time since,
                    sim_time from, sim_time to)
{
    sim_time width = sim_window_width(sim);

    while (from < to) {
        size_t w = sim_window_of(sim, from);
        sim_time end = (sim_time)(w + 1) * width;
        double a, b;

        if (end > to || end <= from)
            end = to;
        a = sim_time_to_s(from - since);
        b = sim_time_to_s(end - since);
        s->win_lag_sum[w] += (b * b - a * a) / 2;
        from = end;
    }
}

/*
 * Adds every follower's lag on log up to now, then notes since when each
 * lacks an entry: the append time of the first entry it has not applied,
 * or SIM_TIME_NEVER when it has them all. Called whenever an entry is
 * appended or a follower's applied position moves, so that between calls
 * a follower's lag grows at one second per second: one that receives
 * nothing keeps falling behind, whatever happens to the others.
 */
static void lag_follow(struct sim *sim, struct db_shard *s,
                       struct db_log *log)
{
    sim_time now = sim_now(sim);

    for (unsigned f = 0; f < s->rep[0].db->c.n_replicas; f++) {
        struct db_peer *p = &log->peers[f];
        uint64_t next = p->applied + 1;

        if (p->t_behind != SIM_TIME_NEVER)
            lag_add(sim, s, p->t_behind, p->t_lag, now);
        p->t_lag = now;
        if (f == log->owner || next > log->last)
            p->t_behind = SIM_TIME_NEVER;
        else if (next >= log->base)
            p->t_behind = entry_at(log, next)->t_append;
        else if (p->t_behind == SIM_TIME_NEVER)
            p->t_behind = now;      /* forgotten entries: from now on */
    }
}

/* Adds the lag of every follower of log up to the end of the run. */
static void lag_finish_log(struct sim *sim, struct db_shard *s,
                           struct db_log *log)
{
    sim_time end = sim_run_end(sim);

    for (unsigned f = 0; f < s->rep[0].db->c.n_replicas; f++) {
        struct db_peer *p = &log->peers[f];

        if (p->t_behind != SIM_TIME_NEVER && p->t_lag < end)
            lag_add(sim, s, p->t_behind, p->t_lag, end);
        p->t_lag = end;
    }
}

void db_repl_lag_finish(struct sim *sim, struct db_shard *s)
{
    const struct db *db = s->rep[0].db;

    if (db->c.repl == DB_REPL_MULTI) {
        for (unsigned r = 0; r < db->c.n_replicas; r++)
            lag_finish_log(sim, s, s->rep[r].own_log);
    } else if (is_leader_mode(db)) {
        lag_finish_log(sim, s, &s->log);
    }
}

unsigned db_repl_lag_streams(const struct db *db)
{
    unsigned n = db->c.n_replicas;

    if (n < 2 || !(is_leader_mode(db) || db->c.repl == DB_REPL_MULTI))
        return 0;
    return db->c.repl == DB_REPL_MULTI ? n * (n - 1) : n - 1;
}

/* --- logs ---------------------------------------------------------------- */

static bool log_grow(struct db_log *log)
{
    uint64_t cap = log->cap ? log->cap * 2 : 64;
    struct db_entry *ring = calloc(cap, sizeof *ring);

    if (ring == NULL)
        return false;
    for (uint64_t seq = log->base; seq <= log->last; seq++)
        ring[seq & (cap - 1)] = *entry_at(log, seq);
    free(log->ring);
    log->ring = ring;
    log->cap = cap;
    return true;
}

/*
 * A log at its size limit forgets its older half (never an entry still
 * waiting for acks); peers that had not applied it need a snapshot.
 */
static bool log_make_room(struct db_log *log, unsigned n_peers)
{
    uint64_t keep = log->last - log->cap / 2;

    if (log->cap < DB_LOG_MAX)
        return log_grow(log);
    if (keep > log->decided)
        keep = log->decided;
    if (keep + 1 <= log->base)
        return false;
    for (unsigned f = 0; f < n_peers; f++)
        if (f != log->owner && log->peers[f].acked < keep)
            want_snapshot(&log->peers[f], log);
    log->base = keep + 1;
    return true;
}

/*
 * Appends to shard s's log an entry, zeroed but for its append time;
 * NULL when no room can be made.
 */
static struct db_entry *log_append(struct sim *sim, struct db_shard *s,
                                   struct db_log *log)
{
    unsigned n_peers = s->rep[0].db->c.n_replicas;
    struct db_entry *e;

    if (log->last + 1 - log->base == log->cap &&
        !log_make_room(log, n_peers))
        return NULL;
    log->last++;
    e = entry_at(log, log->last);
    memset(e, 0, sizeof *e);
    e->t_append = sim_now(sim);
    log->peers[log->owner].recv = log->last;
    log->peers[log->owner].applied = log->last;
    lag_follow(sim, s, log);
    return e;
}

/*
 * Forgets entries that need no more decision and that every peer applied
 * or, for a peer waiting for a snapshot, that the snapshot will hold.
 */
static void log_trim(struct db_log *log, unsigned n_peers)
{
    uint64_t keep = log->decided;

    for (unsigned f = 0; f < n_peers; f++) {
        const struct db_peer *p = &log->peers[f];
        uint64_t has = p->needs_snapshot ? p->snapshot_last : p->acked;

        if (f != log->owner && has < keep)
            keep = has;
    }
    if (keep + 1 > log->base)
        log->base = keep + 1;
}

/* Sends one of the database's messages from r to replica index f. */
static void send_msg(struct sim *sim, struct db_replica *r, unsigned f,
                     enum db_msg kind, uint64_t lo, uint64_t hi)
{
    struct db_shard *s = shard_of(r);
    struct db_log *log = log_from(s, r->index);
    struct sim_req *m = sim_req_new(sim, r->id);

    if (m == NULL)
        return;
    m->tag.u64 = (uint64_t)kind << DB_MSG_SHIFT;
    m->key = lo;
    m->version = hi;
    m->value = log->term;
    sim_req_call(sim, r->id, s->rep[f].id, m);
    sim_req_release(sim, m);
}

/* Ships entry seq to every peer that is not waiting for a snapshot. */
static void ship_new(struct sim *sim, struct db_replica *r,
                     const struct db_log *log, uint64_t seq)
{
    for (unsigned f = 0; f < r->db->c.n_replicas; f++)
        if (f != log->owner && !log->peers[f].needs_snapshot)
            send_msg(sim, r, f, DB_MSG_SHIP, seq, seq);
}

/* Applies r's entries of log up to hi, in order. */
static void apply_upto(struct sim *sim, struct db_replica *r,
                       struct db_log *log, uint64_t hi)
{
    struct db_peer *p = &log->peers[r->index];
    bool is_lww = r->db->c.repl == DB_REPL_MULTI;

    if (hi > log->last)
        hi = log->last;
    for (uint64_t seq = p->applied + 1; seq <= hi; seq++) {
        const struct db_entry *e;

        if (seq < log->base)
            continue;
        e = entry_at(log, seq);
        if (!e->is_failed && e->version != 0)
            apply_version(sim, r, e->key, e->version,
                          is_lww ? &e->stamp : NULL, e->t_commit);
    }
    if (hi > p->applied)
        p->applied = hi;
    lag_follow(sim, shard_of(r), log);
}

/* --- leader-based writes ------------------------------------------------- */

static unsigned count_acks(const struct db_log *log, unsigned n_peers,
                           uint64_t seq)
{
    unsigned n = 0;

    for (unsigned f = 0; f < n_peers; f++)
        n += f != log->owner && log->peers[f].acked >= seq;
    return n;
}

/* Acknowledges entry seq: a truth version, visible wherever applied. */
static void commit(struct sim *sim, struct db_shard *s, uint64_t seq)
{
    struct db *db = s->rep[0].db;
    struct db_log *log = &s->log;
    struct db_entry *e = entry_at(log, seq);
    sim_time now = sim_now(sim);

    e->version = sim_truth_commit(sim_truth(sim), db->store, e->key, now);
    if (e->version == 0) {
        out_of_memory(sim, db);
        return;
    }
    e->t_commit = now;
    for (unsigned f = 0; f < db->c.n_replicas; f++) {
        if (f == log->owner)
            apply_version(sim, &s->rep[f], e->key, e->version, NULL, -1);
        else if (log->peers[f].applied >= seq)
            apply_version(sim, &s->rep[f], e->key, e->version, NULL, now);
    }
    if (e->req != NULL) {
        if (e->timeout_event != 0)
            sim_cancel(sim, e->timeout_event);
        answer(sim, &s->rep[log->owner], e->req, SIM_REQ_OK, e->version);
        e->req = NULL;
        e->timeout_event = 0;
    }
}

/* Decides entries in order: acknowledged once enough followers applied. */
static void try_commit(struct sim *sim, struct db_shard *s)
{
    struct db *db = s->rep[0].db;
    struct db_log *log = &s->log;
    unsigned need = acks_needed(db);

    while (log->decided < log->last) {
        uint64_t seq = log->decided + 1;
        const struct db_entry *e = entry_at(log, seq);

        if (!e->is_failed && e->version == 0) {
            if (count_acks(log, db->c.n_replicas, seq) < need)
                break;
            commit(sim, s, seq);
        }
        log->decided = seq;
    }
    log_trim(log, db->c.n_replicas);
}

static void leader_write(struct sim *sim, struct db_replica *r,
                         struct sim_req *req)
{
    struct db *db = r->db;
    struct db_shard *s = shard_of(r);
    struct db_entry *e;
    uint64_t seq;

    if (s->leader != r->index) {
        answer(sim, r, req, SIM_FAIL_NODE_DOWN, 0);
        return;
    }
    e = log_append(sim, s, &s->log);
    if (e == NULL) {
        answer(sim, r, req, SIM_FAIL_NO_QUORUM, 0);
        return;
    }
    seq = s->log.last;
    e->key = req->key;
    e->req = req;
    if (acks_needed(db) > 0)
        e->timeout_event = sim_schedule(sim, db->c.write_timeout, r->id,
                                        DB_EV_WRITE_TIMEOUT,
                                        (union sim_payload){.u64 = seq});
    try_commit(sim, s);
    ship_new(sim, r, &s->log, seq);
}

static void on_write_timeout(struct sim *sim, struct db_replica *r,
                             uint64_t seq)
{
    struct db_shard *s = shard_of(r);
    struct db_log *log = &s->log;
    struct db_entry *e;

    if (log->owner != r->index || seq < log->base || seq > log->last)
        return;
    e = entry_at(log, seq);
    if (e->req == NULL)
        return;
    e->timeout_event = 0;
    e->is_failed = true;
    answer(sim, r, e->req, SIM_FAIL_NO_QUORUM, 0);
    e->req = NULL;
    try_commit(sim, s);
}

/*
 * Every write still waiting for acks fails: answered no_quorum by a
 * deposed leader, or dropped when the leader crashed.
 */
static void fail_pending(struct sim *sim, struct db_shard *s, bool is_crash)
{
    struct db_log *log = &s->log;
    struct db_replica *owner = &s->rep[log->owner];

    for (uint64_t seq = log->decided + 1; seq <= log->last; seq++) {
        struct db_entry *e = entry_at(log, seq);

        if (e->version == 0)
            e->is_failed = true;
        if (e->req == NULL)
            continue;
        if (e->timeout_event != 0)
            sim_cancel(sim, e->timeout_event);
        if (is_crash) {
            db_count_lost(owner->db, e->req);
            sim_req_drop(sim, e->req, SIM_FAIL_CRASH);
        } else {
            answer(sim, owner, e->req, SIM_FAIL_NO_QUORUM, 0);
        }
        e->req = NULL;
        e->timeout_event = 0;
    }
    log->decided = log->last;
}

/* --- multi-leader and quorum writes -------------------------------------- */

/*
 * A write is lost to last-writer-wins when a write to the same key that
 * was acknowledged before it carries a larger stamp.
 */
static void count_lww_loss(struct sim *sim, struct db_replica *r,
                           uint64_t key, const struct db_stamp *stamp,
                           uint64_t version)
{
    struct db_item *g = db_store_get(&r->db->lww, key);

    if (g == NULL) {
        out_of_memory(sim, r->db);
        return;
    }
    if (g->version != 0 && db_store_stamp_wins(&g->stamp, stamp)) {
        shard_of(r)->st.n_lost++;
        return;
    }
    g->stamp = *stamp;
    g->version = version;
}

static void multi_write(struct sim *sim, struct db_replica *r,
                        struct sim_req *req)
{
    struct db *db = r->db;
    struct db_log *log = r->own_log;
    struct db_stamp stamp = {sim_entity_clock(sim, r->id), r->id};
    const struct db_item *it = db_store_find(&r->store, req->key);
    uint64_t seen = it != NULL ? it->seen : 0, v;
    struct db_entry *e = log_append(sim, shard_of(r), log);

    if (e == NULL) {
        answer(sim, r, req, SIM_FAIL_NO_QUORUM, 0);
        return;
    }
    v = sim_truth_commit(sim_truth(sim), db->store, req->key, sim_now(sim));
    if (v == 0) {
        out_of_memory(sim, db);
        return;
    }
    /* Every write acknowledged before this one that r had not seen. */
    shard_of(r)->st.n_conflicts += v - 1 - seen;
    count_lww_loss(sim, r, req->key, &stamp, v);
    e->key = req->key;
    e->version = v;
    e->t_commit = sim_now(sim);
    e->stamp = stamp;
    log->decided = log->last;
    apply_version(sim, r, req->key, v, &stamp, -1);
    answer(sim, r, req, SIM_REQ_OK, v);
    ship_new(sim, r, log, log->last);
    log_trim(log, db->c.n_replicas);
}

/*
 * A replica applies its part of a quorum write. The coordinator fills in
 * the version once the write is acknowledged; until then it is not
 * visible (value 1 tells the coordinator it was applied).
 */
static void quorum_apply(struct sim *sim, struct db_replica *r,
                         struct sim_req *req)
{
    sim_time t;

    req->value = 1;
    if (req->version != 0) {
        t = sim_truth_commit_time(sim_truth(sim), r->db->store, req->key,
                                  req->version);
        apply_version(sim, r, req->key, req->version, NULL, t);
    }
    answer(sim, r, req, SIM_REQ_OK, req->version);
}

/*
 * Holds req until now + apply_lag, and not before *apply_at when given
 * (which then becomes the new time: a stream applies in order). Returns
 * false when out of memory.
 */
static bool delay_apply(struct sim *sim, struct db_replica *r,
                        struct sim_req *req, sim_time *apply_at)
{
    sim_time now = sim_now(sim), at;

    at = now + sim_dist_sample(r->db->c.apply_lag, sim_rng(sim, r->id));
    if (apply_at != NULL && at < *apply_at)
        at = *apply_at;
    if (!hold(r, req, 0)) {
        out_of_memory(sim, r->db);
        return false;
    }
    r->n_waiting--;
    r->held[req->hop_tag.u64].event =
        sim_schedule(sim, at - now, r->id, DB_EV_APPLY,
                     (union sim_payload){.ptr = req});
    if (apply_at != NULL)
        *apply_at = at;
    return true;
}

static void quorum_write(struct sim *sim, struct db_replica *r,
                         struct sim_req *req)
{
    if (r->db->c.apply_lag == NULL)
        quorum_apply(sim, r, req);
    else if (!delay_apply(sim, r, req, NULL))
        sim_req_drop(sim, req, SIM_FAIL_CRASH);
}

/* --- receiving a log ----------------------------------------------------- */

static void ack(struct sim *sim, struct db_replica *r, struct sim_req *req,
                uint64_t applied)
{
    req->version = applied;
    req->status = SIM_REQ_OK;
    sim_req_reply(sim, r->id, req);
}

/* Whether message m still belongs to the current term of its log. */
static bool is_current(const struct db_log *log, unsigned src,
                       const struct sim_req *m)
{
    return log->owner == src && (uint32_t)m->value == log->term;
}

/* Entries key..version arrive in order: receive them, apply after lag. */
static void accept(struct sim *sim, struct db_replica *r, struct db_log *log,
                   struct sim_req *m)
{
    struct db_peer *p = &log->peers[r->index];

    p->recv = m->version;
    if (r->db->c.apply_lag == NULL) {
        apply_upto(sim, r, log, m->version);
        ack(sim, r, m, p->applied);
        return;
    }
    if (!delay_apply(sim, r, m, &p->apply_at))
        ack(sim, r, m, p->applied);
}

static unsigned source_of(const struct db *db, const struct sim_req *m)
{
    return (m->origin - db->first_replica) % db->c.n_replicas;
}

/* Out-of-order messages of log that can now be received, or dismissed. */
static void drain(struct sim *sim, struct db_replica *r, struct db_log *log)
{
    struct db_shard *s = shard_of(r);
    struct db_peer *p = &log->peers[r->index];
    bool is_moved = true;

    while (r->n_waiting > 0 && is_moved) {
        is_moved = false;
        for (size_t i = 0; i < r->n_held; i++) {
            struct sim_req *m = r->held[i].req;
            unsigned src;

            if (m == NULL || r->held[i].event != 0)
                continue;
            src = source_of(r->db, m);
            if (log_from(s, src) != log || m->key > p->recv + 1)
                continue;
            unhold(r, m);
            is_moved = true;
            if (!is_current(log, src, m) || m->version <= p->recv)
                ack(sim, r, m, p->applied);
            else
                accept(sim, r, log, m);
        }
    }
}

/* Answers every out-of-order message r holds (a new term voids them). */
static void dismiss_waiting(struct sim *sim, struct db_replica *r)
{
    for (size_t i = 0; i < r->n_held && r->n_waiting > 0; i++) {
        struct sim_req *m = r->held[i].req;

        if (m == NULL || r->held[i].event != 0)
            continue;
        unhold(r, m);
        ack(sim, r, m, 0);
    }
}

static void on_ship(struct sim *sim, struct db_replica *r, struct sim_req *m)
{
    unsigned src = source_of(r->db, m);
    struct db_log *log = log_from(shard_of(r), src);
    struct db_peer *p = &log->peers[r->index];

    if (!is_current(log, src, m) || m->version <= p->recv) {
        ack(sim, r, m, p->applied);
        return;
    }
    if (m->key > p->recv + 1) {
        if (r->n_waiting >= DB_MAX_WAITING || !hold(r, m, 0))
            ack(sim, r, m, p->applied);
        return;
    }
    accept(sim, r, log, m);
    drain(sim, r, log);
}

/*
 * A snapshot makes r's state the sender's: an exact copy of the leader's
 * in leader-based modes, a last-writer-wins merge in multi-leader.
 */
static void copy_state(struct sim *sim, struct db_replica *r,
                       const struct db_replica *from)
{
    const struct db_item *src;
    struct db_item *it;
    size_t pos = 0;

    if (r->own_log != NULL) {
        while ((src = db_store_next(&from->store, &pos)) != NULL)
            apply_version(sim, r, src->key, src->version, &src->stamp, -1);
        return;
    }
    while ((it = db_store_next(&r->store, &pos)) != NULL) {
        src = db_store_find(&from->store, it->key);
        if ((src != NULL ? src->version : 0) != it->version) {
            it->version = src != NULL ? src->version : 0;
            it->t_visible = sim_now(sim);
        }
    }
    pos = 0;
    while ((src = db_store_next(&from->store, &pos)) != NULL) {
        if (db_store_find(&r->store, src->key) != NULL)
            continue;
        apply_version(sim, r, src->key, src->version, NULL, -1);
    }
}

static void apply_snapshot(struct sim *sim, struct db_replica *r,
                           struct sim_req *m)
{
    unsigned src = source_of(r->db, m);
    struct db_log *log = log_from(shard_of(r), src);
    struct db_peer *p = &log->peers[r->index];

    if (is_current(log, src, m)) {
        copy_state(sim, r, &shard_of(r)->rep[src]);
        p->recv = p->applied = log->last;
        lag_follow(sim, shard_of(r), log);
        drain(sim, r, log);
    }
    ack(sim, r, m, p->applied);
}

static void on_snapshot(struct sim *sim, struct db_replica *r,
                        struct sim_req *m)
{
    unsigned src = source_of(r->db, m);
    struct db_peer *p = &log_from(shard_of(r), src)->peers[r->index];

    if (r->db->c.apply_lag == NULL)
        apply_snapshot(sim, r, m);
    else if (!delay_apply(sim, r, m, &p->apply_at))
        ack(sim, r, m, p->applied);
}

/* --- the sender's side --------------------------------------------------- */

/* The log r writes now, or NULL when it writes none. */
static struct db_log *own_log(struct db_replica *r)
{
    struct db_shard *s = shard_of(r);

    if (r->own_log != NULL)
        return r->own_log;
    if (is_leader_mode(r->db) && s->leader == r->index)
        return &s->log;
    return NULL;
}

/*
 * Peer f has applied a snapshot: it lacks the entries written since it was
 * taken, which were not shipped to it while it waited, so they go now.
 */
static void catch_up(struct sim *sim, struct db_replica *r,
                     struct db_log *log, unsigned f)
{
    struct db_peer *p = &log->peers[f];

    p->needs_snapshot = false;
    p->was_behind = false;
    p->acked_prev = p->acked;
    if (p->acked < log->last && p->acked + 1 >= log->base)
        send_msg(sim, r, f, DB_MSG_SHIP, p->acked + 1, log->last);
}

/* A peer acknowledged a shipment or a snapshot. */
static void on_ack(struct sim *sim, struct db_replica *r, struct sim_req *m)
{
    struct db_log *log = own_log(r);
    struct db_replica *from = db_replica_of(r->db, m->hop_from);
    struct db_peer *p;

    if (log == NULL || from == NULL || (uint32_t)m->value != log->term)
        return;
    p = &log->peers[from->index];
    if (m->version > p->acked && m->version <= log->last)
        p->acked = m->version;
    if (db_msg_kind(r->db, m) == DB_MSG_SNAPSHOT && p->needs_snapshot)
        catch_up(sim, r, log, from->index);
    if (r->own_log == NULL)
        try_commit(sim, shard_of(r));
    else
        log_trim(log, r->db->c.n_replicas);
}

/*
 * Once per tick: a peer that made no progress for a whole tick gets what
 * it lacks again (a lost message, a healed partition), or a snapshot.
 */
static void resend(struct sim *sim, struct db_replica *r, struct db_log *log)
{
    sim_time now = sim_now(sim);

    for (unsigned f = 0; f < r->db->c.n_replicas; f++) {
        struct db_peer *p = &log->peers[f];
        bool is_behind = p->acked < log->last;

        if (f == log->owner)
            continue;
        if (p->acked + 1 < log->base && !p->needs_snapshot)
            want_snapshot(p, log);
        if (p->needs_snapshot) {
            if (now - p->t_snapshot >= DB_SNAPSHOT_RETRY_NS) {
                p->t_snapshot = now;
                p->snapshot_last = log->last;
                send_msg(sim, r, f, DB_MSG_SNAPSHOT, 0, log->last);
            }
            continue;
        }
        if (is_behind && p->was_behind && p->acked == p->acked_prev)
            send_msg(sim, r, f, DB_MSG_SHIP, p->acked + 1, log->last);
        p->was_behind = is_behind;
        p->acked_prev = p->acked;
    }
}

static void on_tick(struct sim *sim, struct db_replica *r)
{
    struct db_log *log = own_log(r);

    r->tick_event = sim_schedule(sim, DB_RESEND_NS, r->id, DB_EV_TICK,
                                 (union sim_payload){.u64 = 0});
    if (log != NULL)
        resend(sim, r, log);
}

void db_repl_start(struct sim *sim, struct db_replica *r)
{
    if (r->db->c.repl != DB_REPL_QUORUM && r->db->c.n_replicas > 1)
        r->tick_event = sim_schedule(sim, DB_RESEND_NS, r->id, DB_EV_TICK,
                                     (union sim_payload){.u64 = 0});
}

/* --- requests and events ------------------------------------------------- */

/* After service: reads answer at once, writes follow the replication. */
static void on_done(struct sim *sim, struct db_replica *r, struct sim_req *req)
{
    station_finish(&r->st, sim, req);
    if (req->op == SIM_OP_READ) {
        answer(sim, r, req, SIM_REQ_OK,
               db_store_version(&r->store, req->key));
        return;
    }
    switch (r->db->c.repl) {
    case DB_REPL_QUORUM:
        quorum_write(sim, r, req);
        break;
    case DB_REPL_MULTI:
        multi_write(sim, r, req);
        break;
    default:
        leader_write(sim, r, req);
        break;
    }
}

static void on_request(struct sim *sim, struct db_replica *r,
                       struct sim_req *req)
{
    switch (db_msg_kind(r->db, req)) {
    case DB_MSG_HEARTBEAT:
        answer(sim, r, req, SIM_REQ_OK, 0);
        break;
    case DB_MSG_SHIP:
        on_ship(sim, r, req);
        break;
    case DB_MSG_SNAPSHOT:
        on_snapshot(sim, r, req);
        break;
    case DB_MSG_REPAIR:
        apply_version(sim, r, req->key, req->version, NULL, -1);
        answer(sim, r, req, SIM_REQ_OK, req->version);
        break;
    default:
        if (station_arrive(&r->st, sim, req) == STATION_FULL)
            answer(sim, r, req, SIM_FAIL_REJECTED, 0);
        break;
    }
}

/* A held message's apply_lag is over. */
static void on_apply(struct sim *sim, struct db_replica *r,
                     struct sim_req *m)
{
    unsigned src;
    struct db_log *log;

    unhold(r, m);
    switch (db_msg_kind(r->db, m)) {
    case DB_MSG_QUORUM:
        quorum_apply(sim, r, m);
        return;
    case DB_MSG_SNAPSHOT:
        apply_snapshot(sim, r, m);
        return;
    default:
        break;
    }
    src = source_of(r->db, m);
    log = log_from(shard_of(r), src);
    if (is_current(log, src, m))
        apply_upto(sim, r, log, m->version);
    ack(sim, r, m, log->peers[r->index].applied);
}

static void drop_client(void *ctx, struct sim_req *req)
{
    struct db_replica *r = ctx;

    if (db_msg_kind(r->db, req) == DB_MSG_CLIENT)
        db_count_lost(r->db, req);
}

/* What r received but had not applied is gone with the crash. */
static void forget_received(struct db_replica *r)
{
    struct db_shard *s = shard_of(r);
    struct db_peer *p;

    if (r->own_log == NULL) {
        p = &s->log.peers[r->index];
        if (s->log.owner != r->index)
            p->recv = p->applied;
        return;
    }
    for (unsigned src = 0; src < r->db->c.n_replicas; src++) {
        p = &s->rep[src].own_log->peers[r->index];
        if (src != r->index)
            p->recv = p->applied;
    }
}

/*
 * A crash drops every request the replica holds, queued or in service,
 * and every replication message it had not yet applied; a leader's writes
 * waiting for acks are dropped too. What it applied survives (a disk).
 */
static void on_crash(struct sim *sim, struct db_replica *r)
{
    struct db_shard *s = shard_of(r);

    station_crash(&r->st, sim, drop_client, r);
    drop_held(sim, r);
    if (is_leader_mode(r->db) && s->leader == r->index) {
        fail_pending(sim, s, true);
        s->t_outage = sim_now(sim);
    }
    forget_received(r);
    if (r->tick_event != 0)
        sim_cancel(sim, r->tick_event);
    r->tick_event = 0;
    r->t_down = sim_now(sim);
}

static void on_restart(struct sim *sim, struct db_replica *r)
{
    struct db_shard *s = shard_of(r);

    r->t_down = SIM_TIME_NEVER;
    if (is_leader_mode(r->db) && s->leader == r->index)
        db_outage_end(sim, s);
    db_repl_start(sim, r);
}

void db_repl_handle(struct sim *sim, void *state, const struct sim_event *ev)
{
    struct db_replica *r = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_request(sim, r, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_ack(sim, r, ev->payload.ptr);
        break;
    case DB_EV_DONE:
        on_done(sim, r, ev->payload.ptr);
        break;
    case DB_EV_APPLY:
        on_apply(sim, r, ev->payload.ptr);
        break;
    case DB_EV_TICK:
        on_tick(sim, r);
        break;
    case DB_EV_WRITE_TIMEOUT:
        on_write_timeout(sim, r, ev->payload.u64);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, r);
        break;
    case SIM_EV_RESTART:
        on_restart(sim, r);
        break;
    default:
        break;
    }
}

/* --- changes of leader --------------------------------------------------- */

void db_repl_depose(struct sim *sim, struct db_shard *s)
{
    if (s->leader == DB_NO_LEADER)
        return;
    s->rep[s->leader].is_deposed = true;
    fail_pending(sim, s, false);
    s->leader = DB_NO_LEADER;
}

/*
 * Acknowledged entries after p that the new leader lacks: kept aside as
 * orphans of the old leader (lost: keep), or counted lost (discard).
 */
static uint64_t set_aside(struct sim *sim, struct db_shard *s, uint64_t p)
{
    struct db *db = s->rep[0].db;
    struct db_log *log = &s->log;
    uint64_t n = 0;

    for (uint64_t seq = p + 1; seq <= log->last; seq++) {
        const struct db_entry *e = entry_at(log, seq);
        struct db_orphan *o;

        if (seq < log->base || e->is_failed || e->version == 0)
            continue;
        n++;
        if (db->c.lost != DB_LOST_KEEP)
            continue;
        if (s->n_orphans == s->cap_orphans) {
            size_t cap = s->cap_orphans ? s->cap_orphans * 2 : 64;
            void *grown = realloc(s->orphans, cap * sizeof *s->orphans);

            if (grown == NULL) {
                out_of_memory(sim, db);
                break;
            }
            s->orphans = grown;
            s->cap_orphans = cap;
        }
        o = &s->orphans[s->n_orphans++];
        o->key = e->key;
        o->version = e->version;
        o->from = log->owner;
    }
    return n;
}

/* Every follower restarts from the new history at position p. */
static void reset_peers(struct sim *sim, struct db_shard *s, uint64_t p)
{
    struct db_log *log = &s->log;

    for (unsigned f = 0; f < s->rep[0].db->c.n_replicas; f++) {
        struct db_peer *q = &log->peers[f];

        q->needs_snapshot = q->applied > p;
        q->snapshot_last = p;
        if (q->applied > p)
            q->applied = p;
        q->recv = q->applied;
        q->acked = q->acked_prev = q->applied;
        q->was_behind = false;
        q->t_snapshot = sim_now(sim) - DB_SNAPSHOT_RETRY_NS;
        q->apply_at = sim_now(sim);
        dismiss_waiting(sim, &s->rep[f]);
    }
}

uint64_t db_repl_promote(struct sim *sim, struct db_shard *s, unsigned r)
{
    struct db_log *log = &s->log;
    struct db_replica *nl = &s->rep[r];
    uint64_t p, lacked;

    apply_upto(sim, nl, log, log->peers[r].recv);
    p = log->peers[r].applied;
    lacked = set_aside(sim, s, p);
    if (nl->db->c.lost == DB_LOST_KEEP)
        s->st.n_orphaned += lacked;
    else
        s->st.n_lost += lacked;
    log->last = p;
    log->decided = p;
    if (log->base > p + 1)
        log->base = p + 1;
    log->term++;
    log->owner = r;
    s->leader = r;
    reset_peers(sim, s, p);
    lag_follow(sim, s, log);
    return lacked;
}

/*
 * An orphan comes back when the key has not been written since the
 * failover: the leader then still serves an older version, and takes the
 * orphan as a new log entry with its original truth version.
 */
static bool restore(struct sim *sim, struct db_shard *s,
                    const struct db_orphan *o)
{
    struct db_replica *l = &s->rep[s->leader];
    struct db_entry *e;

    if (db_store_version(&l->store, o->key) >= o->version)
        return false;
    e = log_append(sim, s, &s->log);
    if (e == NULL)
        return false;
    e->key = o->key;
    e->version = o->version;
    e->t_commit = sim_now(sim);
    apply_version(sim, l, o->key, o->version, NULL, -1);
    ship_new(sim, l, &s->log, s->log.last);
    return true;
}

uint64_t db_repl_rejoin(struct sim *sim, struct db_shard *s, unsigned r)
{
    uint64_t n_restored = 0;
    size_t kept = 0;

    if (s->leader == DB_NO_LEADER)
        return 0;
    s->rep[r].is_deposed = false;
    for (size_t i = 0; i < s->n_orphans; i++) {
        const struct db_orphan *o = &s->orphans[i];

        if (o->from != r) {
            s->orphans[kept++] = *o;
        } else if (restore(sim, s, o)) {
            n_restored++;
            s->st.n_restored++;
        } else {
            s->st.n_lost++;
        }
    }
    s->n_orphans = kept;
    return n_restored;
}

uint64_t db_repl_position(const struct db_shard *s, unsigned r)
{
    return s->log.peers[r].recv;
}
