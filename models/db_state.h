/* SPDX-License-Identifier: MIT */
/*
 * db_state.h - the run-time state of one database, shared by the three
 * files that make the model: db.c (configuration, life cycle, reports),
 * db_route.c (the front door: routing, quorums, failure detection) and
 * db_repl.c (the replicas: service, replication, failover). Nothing else
 * includes it. Replica r of shard s is entity "<name>.s.r".
 */
#ifndef MODELS_DB_STATE_H
#define MODELS_DB_STATE_H

#include "models/db_shard.h"
#include "models/db_store.h"
#include "models/record.h"
#include "models/station.h"
#include "sim/sim.h"

#define DB_MAX_SHARDS 1024
#define DB_MAX_REPLICAS 16              /* per shard */
#define DB_MAX_NODES 4096               /* replicas over all shards */
#define DB_NO_LEADER UINT32_MAX
#define DB_RESEND_NS (100 * SIM_MS)     /* replicas' resend tick */
#define DB_SNAPSHOT_RETRY_NS (SIM_S)    /* a lost snapshot is sent again */
#define DB_LOG_MAX ((uint64_t)1 << 17)  /* entries a log keeps at most */
#define DB_MAX_WAITING 1024             /* out-of-order messages held */

enum db_replication {
    DB_REPL_DEFAULT,                    /* absent: async */
    DB_REPL_ASYNC,
    DB_REPL_SYNC,
    DB_REPL_SEMI_SYNC,
    DB_REPL_QUORUM,
    DB_REPL_MULTI,                      /* multi-leader */
};

enum db_reads {
    DB_READS_DEFAULT,                   /* absent: leader, or quorum */
    DB_READS_LEADER,
    DB_READS_ANY,
    DB_READS_NEAREST,
    DB_READS_QUORUM,
};

enum db_writes {
    DB_WRITES_DEFAULT,                  /* absent: follows replication */
    DB_WRITES_LEADER,
    DB_WRITES_QUORUM,
};

enum db_elect {
    DB_ELECT_DEFAULT,                   /* absent: most-up-to-date */
    DB_ELECT_UP_TO_DATE,
    DB_ELECT_ANY,
};

enum db_lost {
    DB_LOST_DEFAULT,                    /* absent: discard */
    DB_LOST_DISCARD,
    DB_LOST_KEEP,
};

/*
 * Messages between the database's own entities carry their kind in the
 * top byte of req->tag.u64 (the low bits hold a quorum operation's index).
 */
enum db_msg {
    DB_MSG_CLIENT,                      /* not ours: a caller's request */
    DB_MSG_HEARTBEAT,                   /* router -> replica, answered now */
    DB_MSG_QUORUM,                      /* router -> replica, a quorum's part */
    DB_MSG_SHIP,                        /* entries key..version of term value */
    DB_MSG_SNAPSHOT,                    /* the sender's whole state */
    DB_MSG_REPAIR,                      /* router -> replica: newer version */
};

#define DB_MSG_SHIFT 56

enum db_event {
    DB_EV_DONE = SIM_EV_USER,           /* replica: service ended; ptr */
    DB_EV_APPLY,                        /* replica: a held message applies */
    DB_EV_TICK,                         /* replica: resend what peers lack */
    DB_EV_WRITE_TIMEOUT,                /* replica: u64 seq of a write */
    DB_EV_OP_TIMEOUT,                   /* router: u64 quorum operation */
    DB_EV_HEARTBEAT,                    /* router: a heartbeat round */
};

/* The configuration once checked, with defaults applied. */
struct db_conf {
    unsigned n_shards;
    enum db_shard_kind sharding;        /* never DB_SHARD_DEFAULT */
    unsigned vnodes;                    /* consistent-hash: per shard */
    uint64_t key_space;                 /* range: keys cut into shards */
    unsigned n_replicas;                /* per shard */
    enum db_replication repl;
    enum db_reads reads;
    enum db_writes writes;
    unsigned acks;                      /* semi-sync: follower acks */
    unsigned q_w, q_r;                  /* quorum sizes; n is n_replicas */
    bool has_read_repair;
    bool has_failover;
    sim_time detect_after;              /* ns */
    sim_time heartbeat;                 /* detect_after / 4, ns */
    enum db_elect elect;
    enum db_lost lost;
    sim_time write_timeout;             /* ns */
    unsigned workers;                   /* per replica */
    uint64_t capacity;                  /* queue; UINT64_MAX: unbounded */
    struct sim_dist *service[SIM_OP_N]; /* owned */
    struct sim_dist *apply_lag;         /* owned; NULL: apply on arrival */
};

/* One write in a replication log. */
struct db_entry {
    uint64_t key;
    uint64_t version;                   /* truth version; 0 until acked */
    sim_time t_commit;                  /* when acknowledged, ns */
    sim_time t_append;                  /* when its writer logged it, ns */
    struct db_stamp stamp;              /* multi-leader: last-writer-wins */
    struct sim_req *req;                /* a write waiting for acks */
    uint64_t timeout_event;             /* its write_timeout, while waiting */
    bool is_failed;                     /* never acknowledged: never visible */
};

/*
 * One receiver of a log. The sender keeps the first fields, the receiver
 * the last ones; both live here because they describe the same stream.
 */
struct db_peer {
    uint64_t acked;                     /* sender: peer said it applied */
    uint64_t acked_prev;                /* sender: acked at the last tick */
    bool was_behind;                    /* sender: behind at the last tick */
    bool needs_snapshot;                /* sender: send the whole state */
    sim_time t_snapshot;                /* sender: last snapshot sent, ns */
    uint64_t snapshot_last;             /* sender: the log's last entry when
                                           the snapshot was due or last
                                           sent; kept from the next one */
    uint64_t recv;                      /* receiver: received in order */
    uint64_t applied;                   /* receiver: applied */
    sim_time apply_at;                  /* receiver: last apply scheduled */
    sim_time t_behind;                  /* receiver: t_append of the first
                                           entry not applied; NEVER: none */
    sim_time t_lag;                     /* receiver: lag added up to here */
};

/*
 * A replication log: entries base..last, in a ring. Leader-based modes
 * keep one per shard, written by the current leader; multi-leader keeps
 * one per replica for the writes it accepted.
 */
struct db_log {
    struct db_entry *ring;              /* cap entries, cap a power of two */
    uint64_t cap;
    uint64_t base;                      /* oldest entry kept */
    uint64_t last;                      /* newest entry; base - 1: empty */
    uint64_t decided;                   /* entries up to here acked/failed */
    uint32_t term;                      /* bumped by each failover */
    unsigned owner;                     /* replica index of the writer */
    struct db_peer *peers;              /* one per replica of the shard */
};

/* A message a replica holds: applying after apply_lag, or out of order. */
struct db_held {
    struct sim_req *req;                /* NULL: a free slot */
    uint64_t event;                     /* its apply event; 0: out of order */
};

struct db;

struct db_replica {
    struct db *db;
    unsigned shard;                     /* index of its shard */
    unsigned index;                     /* r: its place in the shard */
    uint32_t id;                        /* entity id */
    struct station st;
    struct db_store store;
    struct db_log *own_log;             /* multi-leader: its writes, or NULL */
    struct db_held *held;
    size_t n_held, cap_held;            /* slots in use / allocated */
    unsigned *free_held;                /* stack of free slot indices */
    size_t n_free_held;
    size_t n_waiting;                   /* held out of order */
    uint64_t tick_event;                /* pending resend tick, or 0 */
    bool is_deposed;                    /* lost its leadership; not rejoined */
    sim_time t_down;                    /* crashed at, or SIM_TIME_NEVER */
};

/* An acknowledged write that a deposed leader holds (lost: keep). */
struct db_orphan {
    uint64_t key;
    uint64_t version;                   /* its truth version */
    unsigned from;                      /* replica index of the old leader */
};

/* What a shard observed since the end of the warm-up. */
struct db_shard_stats {
    uint64_t n_reads, n_writes;         /* requests routed here */
    uint64_t n_failed[SIM_OUTCOME_N];   /* answered with an error */
    uint64_t n_lost;                    /* acknowledged writes lost */
    uint64_t n_orphaned;                /* held aside by a deposed leader */
    uint64_t n_restored;                /* orphans merged back on rejoin */
    uint64_t n_conflicts;               /* pairs of concurrent writes */
    uint64_t n_failovers;
    sim_time unavailable;               /* without a leader, ns */
    struct sim_tally lag;               /* replication lag, s */
    struct sim_hist *lag_hist;          /* s */
};

struct db_shard {
    unsigned index;
    struct db_replica *rep;             /* n_replicas of them */
    struct db_log log;                  /* leader-based modes */
    uint32_t leader;                    /* replica index, or DB_NO_LEADER */
    sim_time *heard;                    /* router: last heartbeat answer */
    sim_time t_outage;                  /* leaderless since, ns */
    struct db_orphan *orphans;
    size_t n_orphans, cap_orphans;
    struct db_shard_stats st;
    uint64_t *win_requests;             /* per window: requests routed */
    double *win_lag_sum;                /* per window: integral over time
                                           of every follower's lag, s^2 */
};

/* A quorum read or write in progress at the router. */
struct db_op {
    struct sim_req *parent;             /* the caller's; NULL: free slot */
    struct sim_req *child[DB_MAX_REPLICAS]; /* held until the op ends */
    uint8_t target[DB_MAX_REPLICAS];    /* replica index of each child */
    unsigned n_children;
    unsigned n_needed;                  /* w or r */
    unsigned n_ok;                      /* children answered ok */
    unsigned n_refused;                 /* children answered with an error */
    uint32_t answered;                  /* bit i: child i answered */
    uint64_t newest;                    /* read: newest version answered */
    uint64_t timeout_event;             /* write_timeout, until it fires */
    unsigned shard;
    uint32_t next_free;                 /* free list link */
};

enum db_note_kind {
    DB_NOTE_LOST,                       /* the router lost the leader */
    DB_NOTE_ELECTED,                    /* a new leader */
    DB_NOTE_REJOINED,                   /* a deposed leader rejoined */
};

/* A failover event, kept for the timeline. */
struct db_note {
    sim_time t;                         /* ns */
    enum db_note_kind kind;
    unsigned shard;
    unsigned replica;
    uint64_t n_writes;                  /* lost or restored writes */
};

/* The front door's books: requests from callers. */
struct db_books {
    uint64_t n_arrived;
    uint64_t n_completed;               /* answered ok */
    uint64_t n_rejected;                /* answered "rejected" */
    uint64_t n_dropped;                 /* answered with an error, or lost */
    uint64_t n_present_start;           /* in flight at the warm-up's end */
    uint64_t n_read_repairs;
};

struct db {
    char *name;
    struct db_conf c;
    struct db_shard_map map;
    uint32_t router;                    /* entity "<name>" */
    uint32_t first_replica;             /* entity of replica 0 of shard 0 */
    uint32_t store;                     /* truth store id */
    struct db_shard *shards;
    struct db_store lww;                /* multi-leader: newest acked stamp */
    struct db_op *ops;                  /* quorum operations */
    uint32_t n_ops, free_op;            /* allocated; head of free list */
    uint64_t heartbeat_event;           /* router's pending round, or 0 */
    struct db_note *notes;
    size_t n_notes, cap_notes;
    uint64_t n_in_flight;               /* at the router */
    struct db_books books;
    size_t n_windows;
    struct record *record;              /* history, when checking; or NULL */
};

/* --- db.c ---------------------------------------------------------------- */

/* The replica behind an entity id, or NULL when it is not one of db's. */
struct db_replica *db_replica_of(struct db *db, uint32_t id);

/* Which of db's messages req is (DB_MSG_CLIENT for callers' requests). */
enum db_msg db_msg_kind(const struct db *db, const struct sim_req *req);

/* Records a failover event for the timeline (silently capped). */
void db_note_add(struct db *db, sim_time t, enum db_note_kind kind,
                 unsigned shard, unsigned replica, uint64_t n_writes);

/* A caller's request vanished inside the database (a crash). */
void db_count_lost(struct db *db, const struct sim_req *req);

/*
 * The shard has a leader again: the time since s->t_outage (from the end
 * of the warm-up at the earliest) counts as unavailable.
 */
void db_outage_end(struct sim *sim, struct db_shard *s);

/* --- db_route.c ---------------------------------------------------------- */

/* The front door's event handler (state: struct db). */
void db_route_handle(struct sim *sim, void *state, const struct sim_event *ev);

/* Starts failure detection when configured. */
void db_route_start(struct sim *sim, struct db *db);

/* Frees the quorum operations. */
void db_route_release(struct db *db);

/* --- db_repl.c ----------------------------------------------------------- */

/* A replica's event handler (state: struct db_replica). */
void db_repl_handle(struct sim *sim, void *state, const struct sim_event *ev);

/* Arms the replica's resend tick. */
void db_repl_start(struct sim *sim, struct db_replica *r);

/*
 * Makes version of key visible on r now if it is newer (or, multi-leader,
 * wins by stamp). t_commit >= 0 records a replication-lag sample.
 */
void db_repl_make_visible(struct sim *sim, struct db_replica *r,
                          uint64_t key, uint64_t version, sim_time t_commit);

/*
 * Adds the replication lag of every follower of s up to the end of the
 * run to s->win_lag_sum; the report calls it once its windows are read.
 */
void db_repl_lag_finish(struct sim *sim, struct db_shard *s);

/*
 * Follower streams whose lag s->win_lag_sum adds up: one per follower of
 * each log; 0 when the replicas follow no log (quorum, or one replica).
 */
unsigned db_repl_lag_streams(const struct db *db);

/* The shard's leader stopped answering: it may lead no more. */
void db_repl_depose(struct sim *sim, struct db_shard *s);

/*
 * Replica index r becomes the shard's leader: it applies what it has
 * received; acknowledged writes it lacks are lost or kept aside. Returns
 * how many acknowledged writes it lacked.
 */
uint64_t db_repl_promote(struct sim *sim, struct db_shard *s, unsigned r);

/*
 * A deposed leader answers again: it rejoins as a follower, and (lost:
 * keep) its orphaned writes are merged into the leader. Returns how many
 * were restored.
 */
uint64_t db_repl_rejoin(struct sim *sim, struct db_shard *s, unsigned r);

/* Log positions: a follower's received entries, for elections. */
uint64_t db_repl_position(const struct db_shard *s, unsigned r);

#endif
