/* SPDX-License-Identifier: MIT */
/*
 * req.h - a request: a pooled object that travels hop by hop and comes
 * back along the reply path its callers pushed. Each request has exactly
 * one holder at a time (a queue, a message in flight, a worker), and the
 * entity that created it (its origin) keeps a separate hold until it has
 * concluded; it returns to the pool when both are gone.
 */
#ifndef SIM_REQ_H
#define SIM_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/queue.h"
#include "sim/time.h"

enum sim_op {
    SIM_OP_READ,
    SIM_OP_WRITE,
    SIM_OP_CAS,                         /* compare-and-set */
    SIM_OP_N
};

/* How a request ended; SIM_REQ_OK or a reason for failure. */
enum sim_outcome {
    SIM_REQ_OK,
    SIM_FAIL_REJECTED,                  /* a full queue turned it away */
    SIM_FAIL_TIMEOUT,                   /* the origin stopped waiting */
    SIM_FAIL_NODE_DOWN,                 /* delivered to a crashed node */
    SIM_FAIL_CRASH,                     /* its node crashed while it was there */
    SIM_FAIL_PARTITION,                 /* a network partition cut it off */
    SIM_FAIL_LOSS,                      /* the network lost it */
    SIM_FAIL_NO_BACKEND,                /* no healthy backend to send it to */
    SIM_FAIL_NO_QUORUM,                 /* too few replicas answered */
    SIM_FAIL_CONFLICT,                  /* a compare-and-set found another value */
    SIM_OUTCOME_N
};

#define SIM_REQ_MAX_HOPS 16             /* depth of the reply path */

/*
 * Fields are public: models read and write them. The engine maintains
 * is_held, in_system and the reply path; models use the rest.
 */
struct sim_req {
    uint64_t id;                        /* unique in a replication, from 1 */
    uint32_t origin;                    /* entity that created it */
    uint32_t session;                   /* client session (user) index */
    uint8_t op;                         /* enum sim_op */
    uint8_t status;                     /* enum sim_outcome, set on answer */
    uint8_t n_path;                     /* entries used in reply_path */
    bool is_reply;                      /* travelling back to its caller */
    bool is_held;                       /* origin still refers to it */
    bool in_system;                     /* a node or a message holds it */
    bool is_probe;                      /* a health check: answered at once */
    uint16_t attempt;                   /* 1 for the first try */
    uint64_t key;                       /* data item it reads or writes */
    int64_t value;                      /* value written, or read back */
    uint64_t version;                   /* version written, or read back */
    uint32_t store;                     /* truth store that answered, or 0 */
    sim_time t_created;                 /* the operation began, ns */
    sim_time t_sent;                    /* this attempt left its origin, ns */
    sim_time t_enqueued;                /* it joined its current queue, ns */
    sim_time t_service;                 /* its current service began, ns */
    sim_time wait_ns;                   /* total time spent queued */
    sim_time service_ns;                /* total time spent in service */
    uint64_t timeout_id;                /* origin's timeout event, or 0 */
    union sim_payload tag;              /* for the origin's own use */
    union sim_payload hop_tag;          /* for the current holder's use */
    uint32_t reply_path[SIM_REQ_MAX_HOPS]; /* callers, innermost last */
    uint32_t hop_from;                  /* sender of the current message */
    sim_time t_hop_sent;                /* when it was sent, ns */
    struct sim_req *next_free;          /* pool link, engine only */
};

/* Lowercase names: "read", "write", "cas". */
const char *sim_op_name(int op);

/* Lowercase names for reports: "ok", "rejected", "timeout", ... */
const char *sim_outcome_name(int outcome);

#endif
