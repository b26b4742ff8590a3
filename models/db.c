/* SPDX-License-Identifier: MIT */
/*
 * db.c - a replicated, sharded key-value database: its configuration,
 * life cycle and reports (db_route.c and db_repl.c hold its behaviour).
 *
 * Callers send reads and writes to the front door "<name>", which adds no
 * service time but is one network hop. It maps the key to a shard (hash:
 * a fixed 64-bit mix of the key modulo the shard count; range: keys 0 ..
 * key_space-1 cut into equal ranges, larger keys on the last shard;
 * consistent-hash: a ring of vnodes points per shard) and sends the
 * request to a replica, or coordinates a quorum. Each replica is a
 * station (workers, a FIFO queue, service times per operation).
 *
 * Replication. async: the leader acknowledges a write once it applied it,
 * then ships it. sync: once every follower applied it; semi-sync: once
 * `acks` followers did. A follower applies entries in log order, apply_lag
 * after receiving them; until a write is acknowledged nobody serves it,
 * and a write still unacknowledged after write_timeout fails (no_quorum)
 * and never becomes visible. quorum: no leader; as in Dynamo and Riak, the
 * front door sends every read and write to all n replicas of the shard; it
 * acknowledges a write after w applied it (each applies apply_lag after
 * its service) and answers a read with the newest of the first r versions
 * (read_repair then sends it to the ones that answered older versions).
 * So an operation succeeds whenever w (r) replicas are up and reachable,
 * and every replica serves every operation (the late ones too, which
 * shows in their utilisation). multi-leader: every replica accepts
 * writes (the one in the caller's zone, else one at random), acknowledges
 * them at once and ships them to the others; replicas keep the write with
 * the larger (clock of the accepting node, node id), last-writer-wins.
 * A follower that acknowledged nothing new for a whole 100 ms tick is
 * sent again what it lacks (a lost message, a healed partition); one that
 * fell more than 2^17 entries behind, or that holds writes a new leader
 * lacks, gets a snapshot of the sender's state instead.
 *
 * Consistency figures. conflicts counts pairs of writes to one key that
 * were accepted on different replicas, neither having seen the other.
 * lost_writes counts acknowledged writes that disappear: under multi-
 * leader, those overwritten everywhere by a write acknowledged before them
 * (a larger stamp, often from a skewed clock); on failover, those the new
 * leader lacks (lost: discard), or, with lost: keep, those kept aside by
 * the old leader that could not be merged back when it rejoined because
 * the key was written again meanwhile (a merged write keeps its version).
 * unavailable_time is the time a shard had no working leader: from the
 * leader's crash (or, when a partition hid it, its last heartbeat answer)
 * to its restart or the election of a successor.
 *
 * Failover (leader-based modes): the front door sends heartbeats every
 * detect_after/4 and deposes a leader silent for detect_after; writes to
 * the shard then fail (node_down) until it promotes the most up-to-date
 * follower it hears from (or any), at once. A deposed leader rejoins as a
 * follower when it answers heartbeats again. The front door is the only
 * judge, like a coordination service: no split brain, no votes.
 *
 * Waiting and service time. A caller's request routed to one replica
 * carries that replica's queueing and service; a quorum operation carries
 * those of the answer that decided it (the r-th or w-th), not a sum over
 * replicas, since that is what the caller waited for. Replication messages
 * skip the replicas' queues, so the time a write waits for followers'
 * acknowledgements (sync, semi-sync) is neither: it shows only in the
 * response time.
 *
 * A crash drops every request a replica holds (queued, in service, or a
 * write waiting for acks) and the replication messages it had not yet
 * applied; what it applied survives. A crashed front door drops the
 * quorum operations it coordinates. Requests lost on the way (a crashed
 * replica, a partition) stay in present_end: the front door never learns.
 */
#include "models/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/db_state.h"

#define DB_MAX_VNODES 1024
#define DB_MAX_KEY_SPACE 1000000000000ULL /* 10^12 keys */
#define DB_DEFAULT_KEY_SPACE 1000       /* the clients' default key count */
#define DB_DEFAULT_VNODES 64
#define DB_MAX_TIMEOUT ((sim_time)3600 * SIM_S)
#define DB_MAX_NOTES 10000

struct db_quorum_config {
    unsigned *n, *w, *r;
    bool *read_repair;
};

struct db_failover_config {
    char *detect_after;                 /* a duration */
    enum db_elect elect;
    enum db_lost lost;
};

struct db_queue_config {
    unsigned *capacity;                 /* absent: unbounded */
};

struct db_config {
    char *name;
    unsigned *shards;
    enum db_shard_kind sharding;
    unsigned *vnodes;
    unsigned long long *key_space;
    unsigned *replicas;
    enum db_replication replication;
    unsigned *acks;
    struct db_quorum_config *quorum;
    struct sim_dist_config *apply_lag;
    enum db_reads reads;
    enum db_writes writes;
    struct db_failover_config *failover;
    unsigned *workers;
    struct db_queue_config *queue;
    struct sim_dist_config *service;
    struct station_per_op_config *service_per_op;
    char *write_timeout;                /* a duration */
};

static const cyaml_strval_t sharding_names[] = {
    {"hash", DB_SHARD_HASH},
    {"range", DB_SHARD_RANGE},
    {"consistent-hash", DB_SHARD_RING},
};

static const cyaml_strval_t replication_names[] = {
    {"async", DB_REPL_ASYNC},
    {"sync", DB_REPL_SYNC},
    {"semi-sync", DB_REPL_SEMI_SYNC},
    {"quorum", DB_REPL_QUORUM},
    {"multi-leader", DB_REPL_MULTI},
};

static const cyaml_strval_t reads_names[] = {
    {"leader", DB_READS_LEADER},
    {"any", DB_READS_ANY},
    {"nearest", DB_READS_NEAREST},
    {"quorum", DB_READS_QUORUM},
};

static const cyaml_strval_t writes_names[] = {
    {"leader", DB_WRITES_LEADER},
    {"quorum", DB_WRITES_QUORUM},
};

static const cyaml_strval_t elect_names[] = {
    {"most-up-to-date", DB_ELECT_UP_TO_DATE},
    {"any", DB_ELECT_ANY},
};

static const cyaml_strval_t lost_names[] = {
    {"discard", DB_LOST_DISCARD},
    {"keep", DB_LOST_KEEP},
};

#define DB_ENUM(key, type, field, names)                                  \
    CYAML_FIELD_ENUM(key, CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, type,  \
                     field, names, CYAML_ARRAY_LEN(names))

static const cyaml_schema_field_t quorum_fields[] = {
    CYAML_FIELD_UINT_PTR("n", CYAML_FLAG_OPTIONAL, struct db_quorum_config,
                         n),
    CYAML_FIELD_UINT_PTR("w", CYAML_FLAG_OPTIONAL, struct db_quorum_config,
                         w),
    CYAML_FIELD_UINT_PTR("r", CYAML_FLAG_OPTIONAL, struct db_quorum_config,
                         r),
    CYAML_FIELD_BOOL_PTR("read_repair", CYAML_FLAG_OPTIONAL,
                         struct db_quorum_config, read_repair),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t failover_fields[] = {
    CYAML_FIELD_STRING_PTR("detect_after", CYAML_FLAG_OPTIONAL,
                           struct db_failover_config, detect_after, 1, 64),
    DB_ENUM("elect", struct db_failover_config, elect, elect_names),
    DB_ENUM("lost", struct db_failover_config, lost, lost_names),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t queue_fields[] = {
    CYAML_FIELD_UINT_PTR("capacity", CYAML_FLAG_OPTIONAL,
                         struct db_queue_config, capacity),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t db_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct db_config,
                           name, 1, 63),
    CYAML_FIELD_UINT_PTR("shards", CYAML_FLAG_OPTIONAL, struct db_config,
                         shards),
    DB_ENUM("sharding", struct db_config, sharding, sharding_names),
    CYAML_FIELD_UINT_PTR("vnodes", CYAML_FLAG_OPTIONAL, struct db_config,
                         vnodes),
    CYAML_FIELD_UINT_PTR("key_space", CYAML_FLAG_OPTIONAL, struct db_config,
                         key_space),
    CYAML_FIELD_UINT_PTR("replicas", CYAML_FLAG_OPTIONAL, struct db_config,
                         replicas),
    DB_ENUM("replication", struct db_config, replication, replication_names),
    CYAML_FIELD_UINT_PTR("acks", CYAML_FLAG_OPTIONAL, struct db_config,
                         acks),
    CYAML_FIELD_MAPPING_PTR("quorum", CYAML_FLAG_OPTIONAL, struct db_config,
                            quorum, quorum_fields),
    CYAML_FIELD_MAPPING_PTR("apply_lag", CYAML_FLAG_OPTIONAL,
                            struct db_config, apply_lag, sim_dist_fields),
    DB_ENUM("reads", struct db_config, reads, reads_names),
    DB_ENUM("writes", struct db_config, writes, writes_names),
    CYAML_FIELD_MAPPING_PTR("failover", CYAML_FLAG_OPTIONAL,
                            struct db_config, failover, failover_fields),
    CYAML_FIELD_UINT_PTR("workers", CYAML_FLAG_OPTIONAL, struct db_config,
                         workers),
    CYAML_FIELD_MAPPING_PTR("queue", CYAML_FLAG_OPTIONAL, struct db_config,
                            queue, queue_fields),
    CYAML_FIELD_MAPPING_PTR("service", CYAML_FLAG_OPTIONAL, struct db_config,
                            service, sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("service_per_op", CYAML_FLAG_OPTIONAL,
                            struct db_config, service_per_op,
                            station_per_op_fields),
    CYAML_FIELD_STRING_PTR("write_timeout", CYAML_FLAG_OPTIONAL,
                           struct db_config, write_timeout, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t db_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct db_config, db_fields),
};

/* --- helpers shared by the database's files ------------------------------ */

struct db_replica *db_replica_of(struct db *db, uint32_t id)
{
    uint32_t n = db->c.n_replicas, i;

    if (id < db->first_replica ||
        id - db->first_replica >= db->c.n_shards * n)
        return NULL;
    i = id - db->first_replica;
    return &db->shards[i / n].rep[i % n];
}

enum db_msg db_msg_kind(const struct db *db, const struct sim_req *req)
{
    uint32_t o = req->origin;

    if (o != db->router && (o < db->first_replica ||
                            o - db->first_replica >=
                                db->c.n_shards * db->c.n_replicas))
        return DB_MSG_CLIENT;
    return (enum db_msg)(req->tag.u64 >> DB_MSG_SHIFT);
}

void db_note_add(struct db *db, sim_time t, enum db_note_kind kind,
                 unsigned shard, unsigned replica, uint64_t n_writes)
{
    struct db_note *n;

    if (db->n_notes == db->cap_notes) {
        size_t cap = db->cap_notes ? db->cap_notes * 2 : 16;
        void *grown;

        if (cap > DB_MAX_NOTES)
            return;
        grown = realloc(db->notes, cap * sizeof *db->notes);
        if (grown == NULL)
            return;
        db->notes = grown;
        db->cap_notes = cap;
    }
    n = &db->notes[db->n_notes++];
    n->t = t;
    n->kind = kind;
    n->shard = shard;
    n->replica = replica;
    n->n_writes = n_writes;
}

void db_count_lost(struct db *db, const struct sim_req *req)
{
    db->n_in_flight--;
    db->books.n_dropped++;
    db->shards[db_shard_of(&db->map, req->key)].st.n_failed[SIM_FAIL_CRASH]++;
}

void db_outage_end(struct sim *sim, struct db_shard *s)
{
    sim_time from = s->t_outage, now = sim_now(sim);

    if (from == SIM_TIME_NEVER)
        return;
    if (from < sim_warmup_end(sim))
        from = sim_warmup_end(sim);
    if (now > from)
        s->st.unavailable += now - from;
    s->t_outage = SIM_TIME_NEVER;
}

/* --- checking the configuration ------------------------------------------ */

static const char *key_path(char *buf, size_t n, const char *path,
                            const char *key)
{
    snprintf(buf, n, "%s.%s", path, key);
    return buf;
}

/* Records "must be between lo and hi" at path.key when v is outside. */
static int check_range(struct sim_cfg *cfg, const char *path,
                       const char *key, unsigned long long v,
                       unsigned long long lo, unsigned long long hi)
{
    char sub[256];

    if (v >= lo && v <= hi)
        return 0;
    sim_cfg_error(cfg, key_path(sub, sizeof sub, path, key),
                  "must be between %llu and %llu", lo, hi);
    return SIM_EINVAL;
}

static int check_sizes(struct sim_cfg *cfg, const char *path,
                       const struct db_config *c, struct db_conf *k)
{
    char sub[256];
    int rc = 0;

    k->n_shards = c->shards ? *c->shards : 1;
    k->n_replicas = c->replicas ? *c->replicas : 1;
    rc |= check_range(cfg, path, "shards", k->n_shards, 1, DB_MAX_SHARDS);
    rc |= check_range(cfg, path, "replicas", k->n_replicas, 1,
                      DB_MAX_REPLICAS);
    if (rc == 0 && k->n_shards * k->n_replicas > DB_MAX_NODES) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "shards"),
                      "%u shards of %u replicas make %u replicas in all, "
                      "more than %d", k->n_shards, k->n_replicas,
                      k->n_shards * k->n_replicas, DB_MAX_NODES);
        rc = SIM_EINVAL;
    }
    return rc ? SIM_EINVAL : 0;
}

static int check_sharding(struct sim_cfg *cfg, const char *path,
                          const struct db_config *c)
{
    char sub[256];
    int rc = 0;

    if (c->vnodes != NULL && c->sharding != DB_SHARD_RING) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "vnodes"),
                      "only sharding: consistent-hash uses \"vnodes\"");
        rc = SIM_EINVAL;
    } else if (c->vnodes != NULL) {
        rc |= check_range(cfg, path, "vnodes", *c->vnodes, 1,
                          DB_MAX_VNODES);
    }
    if (c->key_space != NULL && c->sharding != DB_SHARD_RANGE) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "key_space"),
                      "only sharding: range uses \"key_space\"");
        rc = SIM_EINVAL;
    } else if (c->key_space != NULL) {
        rc |= check_range(cfg, path, "key_space", *c->key_space, 1,
                          DB_MAX_KEY_SPACE);
    }
    if (rc == 0 && c->sharding == DB_SHARD_RANGE && c->shards != NULL &&
        *c->shards <= DB_MAX_SHARDS &&
        (c->key_space ? *c->key_space : DB_DEFAULT_KEY_SPACE) < *c->shards) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "key_space"),
                      "%s%llu keys cannot fill %u ranges: some shards would "
                      "hold no key", c->key_space ? "" : "the default, ",
                      c->key_space ? *c->key_space : DB_DEFAULT_KEY_SPACE,
                      *c->shards);
        rc = SIM_EINVAL;
    }
    return rc ? SIM_EINVAL : 0;
}

static int check_acks(struct sim_cfg *cfg, const char *path,
                      const struct db_config *c, struct db_conf *k)
{
    char sub[256];

    k->acks = c->acks ? *c->acks : 1;
    if (c->acks != NULL && k->repl != DB_REPL_SEMI_SYNC) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "acks"),
                      "only replication: semi-sync uses \"acks\"");
        return SIM_EINVAL;
    }
    if (k->repl != DB_REPL_SEMI_SYNC)
        return 0;
    if (k->n_replicas < 2) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "replication"),
                      "semi-sync needs at least 2 replicas");
        return SIM_EINVAL;
    }
    return check_range(cfg, path, "acks", k->acks, 1, k->n_replicas - 1);
}

static int check_quorum(struct sim_cfg *cfg, const char *path,
                        const struct db_config *c, struct db_conf *k)
{
    const struct db_quorum_config *q = c->quorum;
    char sub[256], qpath[128];
    unsigned n = k->n_replicas;
    int rc = 0;

    if (q != NULL && k->repl != DB_REPL_QUORUM) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "quorum"),
                      "only replication: quorum uses \"quorum\"");
        return SIM_EINVAL;
    }
    k->q_w = q != NULL && q->w != NULL ? *q->w : n / 2 + 1;
    k->q_r = q != NULL && q->r != NULL ? *q->r : n / 2 + 1;
    k->has_read_repair = q != NULL && q->read_repair != NULL &&
                         *q->read_repair;
    if (q == NULL)
        return 0;
    key_path(qpath, sizeof qpath, path, "quorum");
    if (q->n != NULL && *q->n != n) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, qpath, "n"),
                      "must equal replicas (%u)", n);
        rc = SIM_EINVAL;
    }
    rc |= check_range(cfg, qpath, "w", k->q_w, 1, n);
    rc |= check_range(cfg, qpath, "r", k->q_r, 1, n);
    return rc ? SIM_EINVAL : 0;
}

/* reads: and writes: against the replication mode, with their defaults. */
static int check_policies(struct sim_cfg *cfg, const char *path,
                          const struct db_config *c, struct db_conf *k)
{
    bool is_quorum = k->repl == DB_REPL_QUORUM;
    char sub[256];
    int rc = 0;

    k->reads = c->reads ? c->reads : is_quorum ? DB_READS_QUORUM
                                               : DB_READS_LEADER;
    k->writes = c->writes ? c->writes : is_quorum ? DB_WRITES_QUORUM
                                                  : DB_WRITES_LEADER;
    key_path(sub, sizeof sub, path, "reads");
    if (k->reads == DB_READS_QUORUM && !is_quorum) {
        sim_cfg_error(cfg, sub, "reads: quorum needs replication: quorum");
        rc = SIM_EINVAL;
    } else if (k->reads == DB_READS_LEADER && is_quorum) {
        sim_cfg_error(cfg, sub, "replication: quorum has no leader; read "
                      "from a quorum, any or the nearest replica");
        rc = SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "writes");
    if (k->writes == DB_WRITES_QUORUM && !is_quorum) {
        sim_cfg_error(cfg, sub, "writes: quorum needs replication: quorum");
        rc = SIM_EINVAL;
    } else if (k->writes == DB_WRITES_LEADER && is_quorum) {
        sim_cfg_error(cfg, sub, "replication: quorum has no leader; writes "
                      "go to a quorum");
        rc = SIM_EINVAL;
    }
    return rc;
}

static int check_failover(struct sim_cfg *cfg, const char *path,
                          const struct db_config *c, struct db_conf *k)
{
    const struct db_failover_config *f = c->failover;
    char sub[256], fpath[128];

    k->has_failover = f != NULL;
    if (f == NULL)
        return 0;
    key_path(fpath, sizeof fpath, path, "failover");
    if (k->repl == DB_REPL_QUORUM || k->repl == DB_REPL_MULTI) {
        sim_cfg_error(cfg, fpath, "failover needs a leader (replication: "
                      "async, sync or semi-sync)");
        return SIM_EINVAL;
    }
    if (k->n_replicas < 2) {
        sim_cfg_error(cfg, fpath, "failover needs at least 2 replicas");
        return SIM_EINVAL;
    }
    k->elect = f->elect ? f->elect : DB_ELECT_UP_TO_DATE;
    k->lost = f->lost ? f->lost : DB_LOST_DISCARD;
    key_path(sub, sizeof sub, fpath, "detect_after");
    if (sim_cfg_duration(cfg, sub, f->detect_after, 3 * SIM_S,
                         &k->detect_after) != 0)
        return SIM_EINVAL;
    if (k->detect_after < SIM_MS || k->detect_after > DB_MAX_TIMEOUT) {
        sim_cfg_error(cfg, sub, "\"%s\" must be at least 1ms and at most "
                      "1h", f->detect_after);
        return SIM_EINVAL;
    }
    k->heartbeat = k->detect_after / 4;
    return 0;
}

static int check_station(struct sim_cfg *cfg, const char *path,
                         const struct db_config *c, struct db_conf *k)
{
    char qpath[128];
    int rc = 0;

    k->workers = c->workers ? *c->workers : 1;
    rc |= check_range(cfg, path, "workers", k->workers, 1,
                      STATION_MAX_WORKERS);
    k->capacity = UINT64_MAX;
    if (c->queue != NULL && c->queue->capacity != NULL) {
        k->capacity = *c->queue->capacity;
        key_path(qpath, sizeof qpath, path, "queue");
        rc |= check_range(cfg, qpath, "capacity", k->capacity, 0,
                          STATION_MAX_CAPACITY);
    }
    if (station_service_build(cfg, path, c->service, c->service_per_op,
                              k->service) != 0)
        rc = SIM_EINVAL;
    return rc ? SIM_EINVAL : 0;
}

static int check_timing(struct sim_cfg *cfg, const char *path,
                        const struct db_config *c, struct db_conf *k)
{
    char sub[256];
    int rc = 0;

    key_path(sub, sizeof sub, path, "write_timeout");
    if (sim_cfg_duration(cfg, sub, c->write_timeout, SIM_S,
                         &k->write_timeout) != 0) {
        rc = SIM_EINVAL;
    } else if (k->write_timeout < 1 || k->write_timeout > DB_MAX_TIMEOUT) {
        sim_cfg_error(cfg, sub, "\"%s\" must be above 0 and at most 1h",
                      c->write_timeout);
        rc = SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "apply_lag");
    if (c->apply_lag != NULL &&
        sim_dist_build(cfg, sub, c->apply_lag, &k->apply_lag) != 0)
        rc = SIM_EINVAL;
    return rc;
}

/* Checks everything, recording every problem; fills k. */
static int check_config(struct sim_cfg *cfg, const char *path,
                        const struct db_config *c, struct db_conf *k)
{
    char sub[256];
    int rc = 0;

    k->repl = c->replication ? c->replication : DB_REPL_ASYNC;
    rc |= sim_cfg_name(cfg, key_path(sub, sizeof sub, path, "name"),
                       c->name);
    rc |= check_sizes(cfg, path, c, k);
    rc |= check_sharding(cfg, path, c);
    if (rc == 0) {
        rc |= check_acks(cfg, path, c, k);
        rc |= check_quorum(cfg, path, c, k);
        rc |= check_failover(cfg, path, c, k);
    }
    rc |= check_policies(cfg, path, c, k);
    rc |= check_station(cfg, path, c, k);
    rc |= check_timing(cfg, path, c, k);
    if (rc == 0 && (uint64_t)k->n_shards * k->n_replicas * k->workers >
                   STATION_MAX_WORKERS_IN_ALL) {
        sim_cfg_error(cfg, key_path(sub, sizeof sub, path, "workers"),
                      "%u replicas of %u workers make %llu workers in all, "
                      "more than %d; lower shards, replicas or workers",
                      k->n_shards * k->n_replicas, k->workers,
                      (unsigned long long)k->n_shards * k->n_replicas *
                          k->workers, STATION_MAX_WORKERS_IN_ALL);
        rc = SIM_EINVAL;
    }
    return rc ? SIM_EINVAL : 0;
}

/* --- building the instance ----------------------------------------------- */

static void log_release(struct db_log *log)
{
    free(log->ring);
    free(log->peers);
}

static int log_init(struct db_log *log, unsigned n_peers)
{
    memset(log, 0, sizeof *log);
    log->base = 1;
    log->peers = calloc(n_peers, sizeof *log->peers);
    if (log->peers == NULL)
        return SIM_ENOMEM;
    for (unsigned f = 0; f < n_peers; f++)
        log->peers[f].t_behind = SIM_TIME_NEVER;
    return 0;
}

static void replica_release(struct db_replica *r)
{
    station_release(&r->st);
    db_store_release(&r->store);
    if (r->own_log != NULL)
        log_release(r->own_log);
    free(r->own_log);
    free(r->held);
    free(r->free_held);
}

static void shard_release(struct db_shard *s, unsigned n_replicas)
{
    for (unsigned r = 0; s->rep != NULL && r < n_replicas; r++)
        replica_release(&s->rep[r]);
    free(s->rep);
    log_release(&s->log);
    free(s->heard);
    free(s->orphans);
    sim_hist_free(s->st.lag_hist);
    free(s->win_requests);
    free(s->win_lag_sum);
}

static void db_destroy(void *state)
{
    struct db *db = state;

    if (db == NULL)
        return;
    for (unsigned k = 0; db->shards != NULL && k < db->c.n_shards; k++)
        shard_release(&db->shards[k], db->c.n_replicas);
    free(db->shards);
    station_service_free(db->c.service);
    sim_dist_free(db->c.apply_lag);
    db_shard_map_release(&db->map);
    db_store_release(&db->lww);
    db_route_release(db);
    record_free(db->record);
    free(db->notes);
    free(db->name);
    free(db);
}

static int shard_init(struct db *db, struct db_shard *s, unsigned index)
{
    unsigned n = db->c.n_replicas;
    size_t w = db->n_windows;

    s->index = index;
    s->leader = db->c.repl == DB_REPL_QUORUM || db->c.repl == DB_REPL_MULTI
                    ? DB_NO_LEADER : 0;
    s->t_outage = SIM_TIME_NEVER;
    s->rep = calloc(n, sizeof *s->rep);
    s->heard = calloc(n, sizeof *s->heard);
    s->st.lag_hist = sim_hist_new();
    s->win_requests = calloc(w + 1, sizeof *s->win_requests);
    s->win_lag_sum = calloc(w + 1, sizeof *s->win_lag_sum);
    if (log_init(&s->log, n) != 0 || s->rep == NULL || s->heard == NULL ||
        s->st.lag_hist == NULL || s->win_requests == NULL ||
        s->win_lag_sum == NULL)
        return SIM_ENOMEM;
    return 0;
}

static int replica_init(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, struct db *db,
                        struct db_replica *r)
{
    struct station_params sp = {
        .done_type = DB_EV_DONE, .workers = db->c.workers,
        .capacity = db->c.capacity, .service = db->c.service,
    };
    char name[96];

    r->db = db;
    r->t_down = SIM_TIME_NEVER;
    db_store_init(&r->store);
    snprintf(name, sizeof name, "%s.%u.%u", db->name, r->shard, r->index);
    r->id = sim_entity_add(sim, name, db_repl_handle, r);
    if (r->id == SIM_NO_ENTITY) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken", name);
        return SIM_EINVAL;
    }
    sp.owner = r->id;
    if (station_init(&r->st, sim, &sp) != 0)
        return SIM_ENOMEM;
    if (db->c.repl != DB_REPL_MULTI)
        return 0;
    r->own_log = malloc(sizeof *r->own_log);
    if (r->own_log == NULL || log_init(r->own_log, db->c.n_replicas) != 0)
        return SIM_ENOMEM;
    r->own_log->owner = r->index;
    return 0;
}

/* The shard's replicas, and the group "<name>.<shard>" naming them. */
static int add_shard(struct sim *sim, struct sim_cfg *cfg, const char *path,
                     struct db *db, unsigned k)
{
    struct db_shard *s = &db->shards[k];
    uint32_t ids[DB_MAX_REPLICAS];
    char name[96];
    int rc = shard_init(db, s, k);

    for (unsigned r = 0; rc == 0 && r < db->c.n_replicas; r++) {
        s->rep[r].shard = k;
        s->rep[r].index = r;
        rc = replica_init(sim, cfg, path, db, &s->rep[r]);
        ids[r] = s->rep[r].id;
        if (rc == 0 && k == 0 && r == 0)
            db->first_replica = s->rep[r].id;
    }
    snprintf(name, sizeof name, "%s.%u", db->name, k);
    if (rc == 0 && sim_group_add(sim, name, ids, db->c.n_replicas) != 0) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken", name);
        rc = SIM_EINVAL;
    }
    return rc;
}

static uint64_t name_salt(const char *name)
{
    uint64_t h = 0;

    for (; *name; name++)
        h = db_shard_mix(h ^ (unsigned char)*name);
    return h;
}

static int build(struct sim *sim, struct sim_cfg *cfg, const char *path,
                 const struct db_config *c, struct db *db)
{
    uint64_t key_space = c->key_space ? *c->key_space : DB_DEFAULT_KEY_SPACE;
    unsigned vnodes = c->vnodes ? *c->vnodes : DB_DEFAULT_VNODES;
    int rc;

    db->c.sharding = c->sharding ? c->sharding : DB_SHARD_HASH;
    db->c.vnodes = vnodes;
    db->c.key_space = key_space;
    db->n_windows = sim_n_windows(sim);
    db->free_op = UINT32_MAX;
    db_store_init(&db->lww);
    db->store = sim_truth_store(sim_truth(sim), db->name);
    if (db->store == 0 ||
        db_shard_map_init(&db->map, c->sharding, db->c.n_shards, key_space,
                          vnodes, name_salt(db->name)) != 0)
        return SIM_ENOMEM;
    db->router = sim_entity_add(sim, db->name, db_route_handle, db);
    if (db->router == SIM_NO_ENTITY) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                      db->name);
        return SIM_EINVAL;
    }
    db->shards = calloc(db->c.n_shards, sizeof *db->shards);
    if (db->shards == NULL)
        return SIM_ENOMEM;
    rc = 0;
    for (unsigned k = 0; rc == 0 && k < db->c.n_shards; k++)
        rc = add_shard(sim, cfg, path, db, k);
    return rc;
}

static int db_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                   const void *config, void **state)
{
    const struct db_config *c = config;
    struct db *db = calloc(1, sizeof *db);
    int rc;

    if (db == NULL)
        return SIM_ENOMEM;
    db->name = strdup(c->name);
    if (db->name == NULL) {
        free(db);
        return SIM_ENOMEM;
    }
    rc = check_config(cfg, path, c, &db->c);
    if (rc == 0)
        rc = build(sim, cfg, path, c, db);
    if (rc == 0 && sim_is_recording(sim) &&
        (db->record = record_new()) == NULL)
        rc = SIM_ENOMEM;
    if (rc != 0) {
        db_destroy(db);
        return rc;
    }
    *state = db;
    return 0;
}

static int db_start(struct sim *sim, struct sim_cfg *cfg, const char *path,
                    void *state)
{
    struct db *db = state;

    (void)cfg;
    (void)path;
    for (unsigned k = 0; k < db->c.n_shards; k++)
        for (unsigned r = 0; r < db->c.n_replicas; r++)
            db_repl_start(sim, &db->shards[k].rep[r]);
    db_route_start(sim, db);
    return 0;
}

static void db_reset(struct sim *sim, void *state)
{
    struct db *db = state;
    sim_time now = sim_now(sim);

    memset(&db->books, 0, sizeof db->books);
    db->books.n_present_start = db->n_in_flight;
    for (unsigned k = 0; k < db->c.n_shards; k++) {
        struct db_shard *s = &db->shards[k];
        struct sim_hist *h = s->st.lag_hist;

        memset(&s->st, 0, sizeof s->st);
        s->st.lag_hist = h;
        sim_hist_reset(h);
        sim_tally_init(&s->st.lag);
        for (unsigned r = 0; r < db->c.n_replicas; r++)
            station_reset(&s->rep[r].st, now);
    }
}

/* --- reports ------------------------------------------------------------- */

/* Time without a leader in the measured period, ongoing outage included. */
static double unavailable_s(const struct sim *sim, const struct db_shard *s)
{
    sim_time t = s->st.unavailable, from = s->t_outage;

    if (from != SIM_TIME_NEVER) {
        if (from < sim_warmup_end(sim))
            from = sim_warmup_end(sim);
        if (sim_now(sim) > from)
            t += sim_now(sim) - from;
    }
    return sim_time_to_s(t);
}

static void merge_stats(struct db_shard_stats *sum,
                        const struct db_shard_stats *st)
{
    sum->n_reads += st->n_reads;
    sum->n_writes += st->n_writes;
    for (int i = 0; i < SIM_OUTCOME_N; i++)
        sum->n_failed[i] += st->n_failed[i];
    sum->n_lost += st->n_lost;
    sum->n_orphaned += st->n_orphaned;
    sum->n_restored += st->n_restored;
    sum->n_conflicts += st->n_conflicts;
    sum->n_failovers += st->n_failovers;
    sum->unavailable += st->unavailable;
    sim_tally_merge(&sum->lag, &st->lag);
    sim_hist_merge(sum->lag_hist, st->lag_hist);
}

/* Figures a shard and the whole database both have. */
static void report_stats(const struct db_shard_stats *st, double unavail,
                         const char *scope, struct sim_report *rep)
{
    uint64_t failed = 0;
    char name[64];

    sim_report_add(rep, scope, "reads", "count", (double)st->n_reads);
    sim_report_add(rep, scope, "writes", "count", (double)st->n_writes);
    for (int r = SIM_FAIL_REJECTED; r < SIM_OUTCOME_N; r++)
        failed += st->n_failed[r];
    sim_report_add(rep, scope, "failed", "count", (double)failed);
    for (int r = SIM_FAIL_REJECTED; r < SIM_OUTCOME_N; r++) {
        snprintf(name, sizeof name, "failed.%s", sim_outcome_name(r));
        sim_report_add(rep, scope, name, "count", (double)st->n_failed[r]);
    }
    sim_report_add(rep, scope, "lost_writes", "count", (double)st->n_lost);
    sim_report_add(rep, scope, "orphaned_writes", "count",
                   (double)st->n_orphaned);
    sim_report_add(rep, scope, "restored_writes", "count",
                   (double)st->n_restored);
    sim_report_add(rep, scope, "conflicts", "count",
                   (double)st->n_conflicts);
    sim_report_add(rep, scope, "replication_lag.mean", "s",
                   st->lag.n ? st->lag.mean : NAN);
    sim_report_add(rep, scope, "replication_lag.p99", "s",
                   sim_hist_quantile(st->lag_hist, 0.99));
    sim_report_add(rep, scope, "unavailable_time", "s", unavail);
    sim_report_add(rep, scope, "failovers", "count",
                   (double)st->n_failovers);
}

static void report_books(struct sim *sim, const struct db *db,
                         const char *scope, struct sim_report *rep)
{
    const struct db_books *b = &db->books;
    double span = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));

    sim_report_add(rep, scope, "throughput", "1/s",
                   (double)b->n_completed / span);
    sim_report_add(rep, scope, "read_repairs", "count",
                   (double)b->n_read_repairs);
    sim_report_add(rep, scope, "arrived", "count", (double)b->n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)b->n_completed);
    sim_report_add(rep, scope, "rejected", "count", (double)b->n_rejected);
    sim_report_add(rep, scope, "dropped", "count", (double)b->n_dropped);
    sim_report_add(rep, scope, "present_start", "count",
                   (double)b->n_present_start);
    sim_report_add(rep, scope, "present_end", "count",
                   (double)db->n_in_flight);
}

/* The length of window w, the last one cut at the run's end, in s. */
static double window_s(struct sim *sim, size_t w)
{
    sim_time width = sim_window_width(sim);
    sim_time end = (sim_time)(w + 1) * width;

    if (end > sim_run_end(sim))
        end = sim_run_end(sim);
    return sim_time_to_s(end - (sim_time)w * width);
}

/*
 * Per window: requests routed to the shard; its replication lag, the
 * time-average over the window and the followers of how long the oldest
 * entry a follower has not applied has been waiting (0 when it has them
 * all; a follower cut off keeps falling behind), when the replicas follow
 * a log; its utilisation.
 */
static void report_series(struct sim *sim, const struct db *db,
                          const struct db_shard *s, const char *scope,
                          struct sim_report *rep)
{
    size_t n = db->n_windows;
    double *v = calloc(n + 1, sizeof *v);
    unsigned n_streams = db_repl_lag_streams(db);

    if (v == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    for (size_t w = 0; w < n; w++)
        v[w] = (double)s->win_requests[w] / window_s(sim, w);
    sim_report_series(rep, scope, "requests", "1/s", v, n);
    for (size_t w = 0; w < n && n_streams > 0; w++)
        v[w] = s->win_lag_sum[w] / (n_streams * window_s(sim, w));
    if (n_streams > 0)
        sim_report_series(rep, scope, "replication_lag", "s", v, n);
    memset(v, 0, n * sizeof *v);
    for (unsigned r = 0; r < db->c.n_replicas; r++)
        if (station_add_busy_series(&s->rep[r].st, sim,
                                    1.0 / db->c.n_replicas, v) != 0)
            rep->status = SIM_ENOMEM;
    sim_report_series(rep, scope, "utilisation", "ratio", v, n);
    free(v);
}

static void report_notes(const struct db *db, struct sim_report *rep)
{
    for (size_t i = 0; i < db->n_notes; i++) {
        const struct db_note *n = &db->notes[i];
        double t = sim_time_to_s(n->t);

        if (n->kind == DB_NOTE_LOST)
            sim_report_note(rep, t, "leader lost", "%s.%u: leader %s.%u.%u "
                            "silent", db->name, n->shard, db->name,
                            n->shard, n->replica);
        else if (n->kind == DB_NOTE_ELECTED)
            sim_report_note(rep, t, "leader elected", "%s.%u: %s.%u.%u "
                            "leads, lacking %llu acknowledged writes",
                            db->name, n->shard, db->name, n->shard,
                            n->replica, (unsigned long long)n->n_writes);
        else
            sim_report_note(rep, t, "rejoined", "%s.%u.%u follows again, "
                            "%llu writes restored", db->name, n->shard,
                            n->replica, (unsigned long long)n->n_writes);
    }
}

static void report_shard(struct sim *sim, const struct db *db,
                         const struct db_shard *s, struct sim_report *rep)
{
    char scope[128];

    snprintf(scope, sizeof scope, "database %s.%u", db->name, s->index);
    report_stats(&s->st, unavailable_s(sim, s), scope, rep);
    report_series(sim, db, s, scope, rep);
    for (unsigned r = 0; r < db->c.n_replicas; r++) {
        snprintf(scope, sizeof scope, "database %s.%u.%u", db->name,
                 s->index, r);
        station_report(&s->rep[r].st, sim, scope, rep);
    }
}

static const char *const sharding_text[] = {
    [DB_SHARD_DEFAULT] = "hash", [DB_SHARD_HASH] = "hash",
    [DB_SHARD_RANGE] = "range", [DB_SHARD_RING] = "consistent-hash",
};

static const char *const replication_text[] = {
    [DB_REPL_DEFAULT] = "async", [DB_REPL_ASYNC] = "async",
    [DB_REPL_SYNC] = "sync", [DB_REPL_SEMI_SYNC] = "semi-sync",
    [DB_REPL_QUORUM] = "quorum", [DB_REPL_MULTI] = "multi-leader",
};

static const char *const reads_text[] = {
    [DB_READS_DEFAULT] = "leader", [DB_READS_LEADER] = "leader",
    [DB_READS_ANY] = "any", [DB_READS_NEAREST] = "nearest",
    [DB_READS_QUORUM] = "quorum",
};

static const char *const writes_text[] = {
    [DB_WRITES_DEFAULT] = "leader", [DB_WRITES_LEADER] = "leader",
    [DB_WRITES_QUORUM] = "quorum",
};

static const char *const elect_text[] = {
    [DB_ELECT_DEFAULT] = "most-up-to-date",
    [DB_ELECT_UP_TO_DATE] = "most-up-to-date", [DB_ELECT_ANY] = "any",
};

static const char *const lost_text[] = {
    [DB_LOST_DEFAULT] = "discard", [DB_LOST_DISCARD] = "discard",
    [DB_LOST_KEEP] = "keep",
};

/* Shards and how keys are placed on them. */
static void report_sharding(const struct db_conf *k, const char *scope,
                            struct sim_report *rep)
{
    sim_report_setting(rep, scope, "shards", "%u", k->n_shards);
    sim_report_setting(rep, scope, "sharding", "%s",
                       sharding_text[k->sharding]);
    if (k->sharding == DB_SHARD_RING)
        sim_report_setting(rep, scope, "vnodes", "%u per shard", k->vnodes);
    if (k->sharding == DB_SHARD_RANGE)
        sim_report_setting(rep, scope, "key space", "%llu keys",
                           (unsigned long long)k->key_space);
}

/* Replicas, the replication mode with its parameters, and routing. */
static void report_replication(const struct db_conf *k, const char *scope,
                               struct sim_report *rep)
{
    char buf[256];

    sim_report_setting(rep, scope, "replicas", "%u per shard",
                       k->n_replicas);
    sim_report_setting(rep, scope, "replication", "%s",
                       replication_text[k->repl]);
    if (k->repl == DB_REPL_SEMI_SYNC)
        sim_report_setting(rep, scope, "acks", "%u follower%s", k->acks,
                           k->acks == 1 ? "" : "s");
    if (k->repl == DB_REPL_QUORUM) {
        sim_report_setting(rep, scope, "quorum", "n %u, w %u, r %u",
                           k->n_replicas, k->q_w, k->q_r);
        sim_report_setting(rep, scope, "read repair", "%s",
                           k->has_read_repair ? "yes" : "no");
    }
    sim_report_setting(rep, scope, "apply lag", "%s", k->apply_lag == NULL
                       ? "none" : sim_dist_describe(k->apply_lag, buf,
                                                    sizeof buf));
    sim_report_setting(rep, scope, "reads", "%s", reads_text[k->reads]);
    sim_report_setting(rep, scope, "writes", "%s", writes_text[k->writes]);
    sim_report_setting_duration(rep, scope, "write timeout", k->write_timeout);
}

/* Failure detection and election, when the leader-based modes have it. */
static void report_failover(const struct db_conf *k, const char *scope,
                            struct sim_report *rep)
{
    if (!k->has_failover) {
        sim_report_setting(rep, scope, "failover", "none");
        return;
    }
    sim_report_setting_duration(rep, scope, "failover detect after",
                                k->detect_after);
    sim_report_setting_duration(rep, scope, "failover heartbeat",
                                k->heartbeat);
    sim_report_setting(rep, scope, "failover elect", "%s",
                       elect_text[k->elect]);
    sim_report_setting(rep, scope, "failover lost writes", "%s",
                       lost_text[k->lost]);
}

/* Each replica as a station: workers, queue and service per operation. */
static void report_station(const struct db_conf *k, const char *scope,
                           struct sim_report *rep)
{
    sim_report_setting(rep, scope, "workers", "%u per replica", k->workers);
    station_report_settings(rep, scope, k->capacity, k->service);
}

static void db_report(struct sim *sim, void *state, struct sim_report *rep)
{
    struct db *db = state;
    struct db_shard_stats sum = {0};
    double unavail = 0;
    char scope[96];

    sum.lag_hist = sim_hist_new();
    if (sum.lag_hist == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    sim_tally_init(&sum.lag);
    for (unsigned k = 0; k < db->c.n_shards; k++) {
        merge_stats(&sum, &db->shards[k].st);
        unavail += unavailable_s(sim, &db->shards[k]);
    }
    snprintf(scope, sizeof scope, "database %s", db->name);
    report_stats(&sum, unavail, scope, rep);
    report_books(sim, db, scope, rep);
    if (db->record != NULL)
        record_report(db->record, sim, scope, rep);
    sim_hist_free(sum.lag_hist);
    for (unsigned k = 0; k < db->c.n_shards; k++)
        db_repl_lag_finish(sim, &db->shards[k]);
    for (unsigned k = 0; db->c.n_shards > 1 && k < db->c.n_shards; k++)
        report_shard(sim, db, &db->shards[k], rep);
    if (db->c.n_shards == 1)
        report_shard(sim, db, &db->shards[0], rep);
    report_notes(db, rep);
    report_sharding(&db->c, scope, rep);
    report_replication(&db->c, scope, rep);
    report_failover(&db->c, scope, rep);
    report_station(&db->c, scope, rep);
}

const struct sim_model_ops db_ops = {
    .section = "databases",
    .kind = "database",
    .schema = &db_schema,
    .init = db_init,
    .start = db_start,
    .reset = db_reset,
    .report = db_report,
    .destroy = db_destroy,
};
