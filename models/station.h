/* SPDX-License-Identifier: MIT */
/*
 * station.h - a queueing station: c identical workers in front of one FIFO
 * queue of bounded capacity, with a service time per operation. Its owner
 * entity feeds it requests and gets one completion event per service. The
 * books always balance: present at the start + arrived = completed +
 * rejected + dropped + present now.
 */
#ifndef MODELS_STATION_H
#define MODELS_STATION_H

#include "sim/sim.h"

#define STATION_MAX_WORKERS 100000
/*
 * Workers over all the instances of one component (a server group, a
 * database's replicas): each has its own slot, so this bounds memory.
 */
#define STATION_MAX_WORKERS_IN_ALL 1000000
#define STATION_MAX_CAPACITY 100000000U

/* Service times per operation as loaded: {read: {...}, write: {...}}. */
struct station_per_op_config {
    struct sim_dist_config *read;       /* each NULL when absent */
    struct sim_dist_config *write;
    struct sim_dist_config *cas;
};

/* libcyaml fields of that mapping, for CYAML_FIELD_MAPPING_PTR. */
extern const cyaml_schema_field_t station_per_op_fields[];

/*
 * Compiles the service time of each operation: its service_per_op entry,
 * else the default `service`. Problems are recorded in cfg under path
 * ("databases[0]"), a missing default as "missing \"service\" (or a
 * service_per_op entry for read)". Returns 0 and fills out (free with
 * station_service_free), or SIM_EINVAL / SIM_ENOMEM with out all NULL.
 */
int station_service_build(struct sim_cfg *cfg, const char *path,
                          const struct sim_dist_config *service,
                          const struct station_per_op_config *per_op,
                          struct sim_dist *out[SIM_OP_N]);

/* Frees what station_service_build made (shared entries once). */
void station_service_free(struct sim_dist *service[SIM_OP_N]);

/*
 * Adds the settings of a queue and its service ("queue capacity",
 * "service (read)" ...) under scope: the scenario as run.
 */
void station_report_settings(struct sim_report *rep, const char *scope,
                             uint64_t capacity,
                             struct sim_dist *const service[SIM_OP_N]);

/* How a station is set up; the station borrows `service`. */
struct station_params {
    uint32_t owner;                     /* entity owning its rng and events */
    uint32_t done_type;                 /* event type of a service completion */
    unsigned workers;                   /* 1 .. STATION_MAX_WORKERS */
    uint64_t capacity;                  /* queue room; UINT64_MAX: unbounded */
    struct sim_dist *const *service;    /* SIM_OP_N distributions */
};

/* Observations since the last reset (the end of the warm-up). */
struct station_stats {
    struct sim_tally wait;              /* queueing wait, s */
    struct sim_tally service;           /* service time, s */
    struct sim_tally sojourn;           /* wait + service, s */
    struct sim_hist *wait_hist;         /* s */
    struct sim_hist *sojourn_hist;      /* s */
    struct sim_twa busy;                /* busy workers */
    struct sim_twa queued;              /* requests waiting */
    uint64_t n_arrived;
    uint64_t n_queued;                  /* arrivals that had to wait */
    uint64_t n_rejected;                /* arrivals turned away: queue full */
    uint64_t n_completed;               /* services finished */
    uint64_t n_dropped;                 /* lost in a crash */
    uint64_t n_present_start;           /* in the station at the reset */
};

/* A worker's current job, so that a crash can cancel its completion. */
struct station_slot {
    struct sim_req *req;                /* NULL when the worker is idle */
    uint64_t done_event;                /* its completion event */
};

/*
 * A station. Callers embed it and read only `stats`; the rest is private.
 * While a request is in the station its hop_tag belongs to the station.
 */
struct station {
    struct station_params p;
    struct sim_req **fifo;              /* ring of waiting requests */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo: 0 or a power of two */
    struct station_slot *slots;         /* one per worker */
    unsigned *idle;                     /* stack of idle worker indices */
    unsigned n_busy;                    /* workers serving */
    struct station_stats stats;
    struct sim_wtwa win_busy;           /* busy workers, per window */
    struct sim_wtwa win_queued;         /* requests waiting, per window */
};

/* Fills st for a run of sim. Returns 0 or SIM_ENOMEM (st then released). */
int station_init(struct station *st, struct sim *sim,
                 const struct station_params *p);

/* Frees what station_init allocated; requests still inside are not touched. */
void station_release(struct station *st);

enum station_admit {
    STATION_STARTED,                    /* a worker took it at once */
    STATION_QUEUED,                     /* it waits for a worker */
    STATION_FULL,                       /* no room: the owner must answer it */
};

/* A request arrives now. A full station counts the request as rejected. */
enum station_admit station_arrive(struct station *st, struct sim *sim,
                                  struct sim_req *req);

/*
 * The owner received done_type for req: its worker becomes free and takes
 * the next waiting request, if any. The owner then decides what to do
 * with req (answer it, pass it on).
 */
void station_finish(struct station *st, struct sim *sim, struct sim_req *req);

/*
 * The completion event of req has come, but its worker stays busy: the
 * owner now waits on calls it made for req. A crash will not cancel that
 * event again; station_finish frees the worker when the owner is done.
 */
void station_hold(struct station *st, struct sim_req *req);

/* Called for each request a crash is about to drop. */
typedef void (*station_drop_fn)(void *ctx, struct sim_req *req);

/*
 * The owner crashed: every request inside, waiting or in service, is
 * dropped with reason "crash" after on_drop (may be NULL) has seen it, and
 * pending completions are cancelled. The station is empty afterwards.
 */
void station_crash(struct station *st, struct sim *sim,
                   station_drop_fn on_drop, void *ctx);

/* Requests inside now, waiting or in service. */
uint64_t station_n_present(const struct station *st);

/* Forgets observations at the end of the warm-up; the queue stays. */
void station_reset(struct station *st, sim_time now);

/*
 * Adds the station's figures under scope: throughput, utilisation,
 * queue_length.mean, waiting_time.mean and .p99, service_time.mean,
 * response_time.mean and .p99 (time spent at the station), p_wait,
 * p_reject, and the books (arrived, completed, rejected, dropped,
 * present_start, present_end).
 */
void station_report(const struct station *st, struct sim *sim,
                    const char *scope, struct sim_report *rep);

/*
 * Adds the figures of n stations seen as one under scope: counts and
 * times pooled, utilisation the mean of theirs, queue length the sum.
 */
void station_report_merged(const struct station *const *parts, size_t n,
                           struct sim *sim, const char *scope,
                           struct sim_report *rep);

/*
 * Adds the mean fraction of busy workers in each series window to out[w]
 * (sim_n_windows values), multiplied by weight. Returns 0 or SIM_ENOMEM.
 */
int station_add_busy_series(const struct station *st, struct sim *sim,
                            double weight, double *out);

#endif
