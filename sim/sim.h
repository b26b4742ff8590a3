/* SPDX-License-Identifier: MIT */
/*
 * sim.h - the engine's public API, and the only header a model includes.
 * A simulation is a set of named entities, each with a handler, a state
 * and its own random stream, exchanging events through one clock. Events
 * run in (time, insertion order); the clock never goes back.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cyaml/cyaml.h>
#include <gsl/gsl_rng.h>

#include "sim/cfg.h"
#include "sim/curve.h"
#include "sim/dist.h"
#include "sim/error.h"
#include "sim/queue.h"
#include "sim/report.h"
#include "sim/req.h"
#include "sim/route.h"
#include "sim/stats.h"
#include "sim/time.h"
#include "sim/truth.h"
#include "sim/units.h"

struct sim;

#define SIM_NO_ENTITY UINT32_MAX

/* Event types the engine itself delivers; models number theirs from USER. */
enum sim_event_type {
    SIM_EV_REQUEST = 1,                 /* payload.ptr: struct sim_req */
    SIM_EV_REPLY,                       /* payload.ptr: struct sim_req */
    SIM_EV_CRASH,                       /* the entity goes down now */
    SIM_EV_RESTART,                     /* the entity comes back now */
    SIM_EV_USER = 16
};

typedef void (*sim_handler_fn)(struct sim *sim, void *state,
                               const struct sim_event *ev);

/* What one run is: its seed, replication and horizon. */
struct sim_params {
    uint64_t seed;                      /* the scenario's seed */
    uint32_t replication;               /* 0-based index */
    sim_time duration;                  /* the run ends here, ns */
    sim_time warmup;                    /* observations start here, ns */
    sim_time window;                    /* width of series windows, ns */
    uint64_t max_events;                /* runaway cap on events run */
    bool is_recording;                  /* stores record histories */
    size_t max_requests;                /* runaway cap on live requests */
};

/*
 * A model kind: one list of a scenario (servers:, clients:, ...). The
 * runner calls init once per list entry, then start on every instance once
 * all exist, reset at the end of the warm-up, and report at the end.
 */
struct sim_model_ops {
    const char *section;                /* scenario key: "servers" */
    const char *kind;                   /* singular, for reports: "server" */
    const cyaml_schema_value_t *schema; /* schema of one list entry */
    bool is_single;                     /* one mapping, not a list */
    bool is_source;                     /* its entries send the requests */
    /*
     * Validates config (found at path, e.g. "servers[1]"), recording every
     * problem in cfg, and creates the instance's entities. Returns 0 and
     * sets *state, or a negative status.
     */
    int (*init)(struct sim *sim, struct sim_cfg *cfg, const char *path,
                const void *config, void **state);
    /* Resolves references to other entities; schedules first events. */
    int (*start)(struct sim *sim, struct sim_cfg *cfg, const char *path,
                 void *state);
    /* Forgets observations (never state) at the end of the warm-up. */
    void (*reset)(struct sim *sim, void *state);
    /* Adds this instance's figures for the measured period. */
    void (*report)(struct sim *sim, void *state, struct sim_report *rep);
    void (*destroy)(void *state);
};

/*
 * Decides the fate of a message from one entity to another: returns true
 * and sets *delay to deliver it, or false and sets *reason (an enum
 * sim_outcome) to lose it.
 */
typedef bool (*sim_transport_fn)(void *ctx, struct sim *sim, uint32_t from,
                                 uint32_t to, const struct sim_req *req,
                                 sim_time *delay, int *reason);

/* --- life cycle --------------------------------------------------------- */

/* A new, empty simulation. Returns NULL (with err set) on failure. */
struct sim *sim_new(const struct sim_params *params, struct sim_error *err);

/* Destroys every registered model instance, then the simulation. */
void sim_free(struct sim *sim);

/*
 * Registers a model instance for start, reset, report and destroy. The
 * simulation owns state from here on. Returns 0 or SIM_ENOMEM (after
 * destroying state).
 */
int sim_model_add(struct sim *sim, const struct sim_model_ops *ops,
                  const char *path, void *state);

/*
 * Calls every instance's start, in registration order, each even when an
 * earlier one failed, so that all problems are recorded. Returns 0, or
 * the first failure (SIM_ENOMEM at once).
 */
int sim_start(struct sim *sim, struct sim_cfg *cfg);

/*
 * Runs events until the horizon, the event cap, or a fatal error.
 * Returns 0, or a negative status with err filled.
 */
int sim_run(struct sim *sim, struct sim_error *err);

/* Told the simulated time now and then while a run goes on. */
typedef void (*sim_progress_fn)(void *ctx, sim_time now);

/*
 * Has sim_run call fn(ctx, now) once every 65536 events, for a progress
 * display; fn must not touch the simulation. NULL turns it off.
 */
void sim_set_progress(struct sim *sim, sim_progress_fn fn, void *ctx);

/*
 * Collects every instance's figures, in registration order, then the
 * engine's own under scope "engine": events run and requests dropped.
 */
void sim_report(struct sim *sim, struct sim_report *rep);

/* Events dispatched so far (engine markers excluded). */
uint64_t sim_n_events(const struct sim *sim);

/*
 * Stops the run with an error (a resource cap, say); the first one wins.
 * Models call it when an engine call returned failure.
 */
void sim_fail(struct sim *sim, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Ends the run after the current event, without error. */
void sim_stop(struct sim *sim);

/* --- time and events ---------------------------------------------------- */

sim_time sim_now(const struct sim *sim);

/* The end of the warm-up, and of the run, in ns. */
sim_time sim_warmup_end(const struct sim *sim);
sim_time sim_run_end(const struct sim *sim);

/*
 * Series windows: the run [0, duration) is cut into windows of equal
 * width (the last may be shorter); models report one value per window.
 */
sim_time sim_window_width(const struct sim *sim);
size_t sim_n_windows(const struct sim *sim);

/* The window holding time t, clamped to the last one. */
size_t sim_window_of(const struct sim *sim, sim_time t);

/*
 * Whether the scenario asked for linearizability to be checked: stores
 * then record the history of what they answered.
 */
bool sim_is_recording(const struct sim *sim);

/* The replication index and scenario seed of this run. */
uint32_t sim_replication(const struct sim *sim);
uint64_t sim_seed(const struct sim *sim);

/*
 * Schedules an event for target after delay (>= 0) ns. Returns the event
 * id for sim_cancel, or 0 when a cap was hit (the run then stops).
 */
uint64_t sim_schedule(struct sim *sim, sim_time delay, uint32_t target,
                      uint32_t type, union sim_payload payload);

/*
 * Like sim_schedule for an event that will never be cancelled: cheaper,
 * and the right call for timers and hand-offs nobody takes back. Returns
 * 0 when a cap was hit (the run then stops), else a non-zero value that
 * sim_cancel refuses.
 */
uint64_t sim_post(struct sim *sim, sim_time delay, uint32_t target,
                  uint32_t type, union sim_payload payload);

/*
 * Cancels a pending event scheduled with sim_schedule. Returns false when
 * id is 0, came from sim_post, already ran, or is already cancelled.
 */
bool sim_cancel(struct sim *sim, uint64_t id);

/* --- entities ----------------------------------------------------------- */

/*
 * Adds an entity with a unique name and its own random stream. state is
 * not owned. Returns its id, or SIM_NO_ENTITY when the name is taken or
 * memory ran out.
 */
uint32_t sim_entity_add(struct sim *sim, const char *name,
                        sim_handler_fn handle, void *state);

/* The entity's id, or SIM_NO_ENTITY. */
uint32_t sim_entity_find(const struct sim *sim, const char *name);

const char *sim_entity_name(const struct sim *sim, uint32_t id);

/*
 * The state an entity was added with, provided its handler is handle;
 * NULL otherwise. Lets the instances of a model share one entity found by
 * name, and tell it from another model's entity of the same name.
 */
void *sim_entity_state(const struct sim *sim, uint32_t id,
                       sim_handler_fn handle);

size_t sim_n_entities(const struct sim *sim);

/* The entity's own random stream; never NULL for a valid id. */
gsl_rng *sim_rng(const struct sim *sim, uint32_t id);

/* Whether the entity is up (not crashed). */
bool sim_entity_is_up(const struct sim *sim, uint32_t id);

/*
 * Crashes or restarts an entity now: the handler first receives
 * SIM_EV_CRASH or SIM_EV_RESTART. While down, requests and replies
 * delivered to it are dropped (SIM_FAIL_NODE_DOWN) and its own timers are
 * discarded; it must re-arm them on SIM_EV_RESTART.
 */
void sim_entity_crash(struct sim *sim, uint32_t id);
void sim_entity_restart(struct sim *sim, uint32_t id);

/*
 * Names a group of entities ("app" for app.0 .. app.3). Returns 0, or
 * SIM_EINVAL when the name is taken, or SIM_ENOMEM.
 */
int sim_group_add(struct sim *sim, const char *name, const uint32_t *members,
                  size_t n_members);

/*
 * Replaces a group's members in place, so whoever holds the members
 * pointer from sim_lookup sees the change (a virtual address moving to a
 * standby). n_members may not exceed the group's size at creation.
 * Returns 0, or SIM_EINVAL for an unknown group or too many members.
 */
int sim_group_set(struct sim *sim, const char *name, const uint32_t *members,
                  size_t n_members);

/*
 * Zones, as the network model assigns them (0: no zone). Models that
 * prefer nearby replicas compare zones.
 */
void sim_entity_set_zone(struct sim *sim, uint32_t id, uint32_t zone);
uint32_t sim_entity_zone(const struct sim *sim, uint32_t id);

/*
 * Resolves a name to its members: a group's, or the one entity of that
 * name. Returns the count (0 if unknown) and points *members at them.
 */
size_t sim_lookup(const struct sim *sim, const char *name,
                  const uint32_t **members);

/*
 * Like sim_lookup, for a name a scenario gave at path: records "unknown
 * name" in cfg (with the closest known name as a suggestion) and returns
 * 0 when there is no such entity or group. A name that may stand for a
 * component that could not be built cannot be judged (another entity may
 * hold it by mistake): it resolves to nothing, and nothing is recorded.
 */
size_t sim_resolve(const struct sim *sim, struct sim_cfg *cfg,
                   const char *path, const char *name,
                   const uint32_t **members);

/*
 * Records that the scenario gives a component the name `name` (copied)
 * but that it could not be built: its own problems are recorded already.
 * Later references to it are then left unreported (see
 * sim_name_is_unbuilt). Returns 0 or SIM_ENOMEM.
 */
int sim_name_unbuilt(struct sim *sim, const char *name);

/*
 * Whether ref, a name or a glob, may stand for a component that could
 * not be built: its name, one of its members ("name.1"), or a glob whose
 * fixed start could lead to them. A reference that resolves to nothing is
 * then no problem of its own.
 */
bool sim_name_is_unbuilt(const struct sim *sim, const char *ref);

/* --- requests and messages ---------------------------------------------- */

/*
 * A new request originated by origin, held by it and not yet in the
 * system, with id, origin, t_created and t_sent filled and the rest zero.
 * Returns NULL when the request cap is hit (the run then stops).
 */
struct sim_req *sim_req_new(struct sim *sim, uint32_t origin);

/*
 * At load, for the check on limits.requests: n more requests will be in
 * flight at once whatever happens (the users of a closed loop). Adds n to
 * the total reserved so far, stores the new total in *total and the cap
 * in *cap (0: no cap), and returns whether the total fits the cap.
 */
bool sim_req_reserve(struct sim *sim, uint64_t n, uint64_t *total,
                     uint64_t *cap);

/*
 * The origin lets go of req (it has its answer, or gave up). The request
 * returns to the pool now if nothing else holds it, or when it leaves the
 * system.
 */
void sim_req_release(struct sim *sim, struct sim_req *req);

/*
 * Sends req from one entity to another, pushing from onto the reply path
 * so the answer comes back to it (a call), or not (a hand-off: from is
 * done with it). Crosses the transport; delivery is SIM_EV_REQUEST.
 */
void sim_req_call(struct sim *sim, uint32_t from, uint32_t to,
                  struct sim_req *req);
void sim_req_forward(struct sim *sim, uint32_t from, uint32_t to,
                     struct sim_req *req);

/*
 * Sends the answer from `from` to the entity on top of the reply path,
 * which receives SIM_EV_REPLY. req->status says how it went. When the
 * reply reaches the end of its path the request leaves the system.
 */
void sim_req_reply(struct sim *sim, uint32_t from, struct sim_req *req);

/*
 * req leaves the system where it is (a crash, a full queue with nobody to
 * tell); its origin learns only by timing out. Counted under reason.
 */
void sim_req_drop(struct sim *sim, struct sim_req *req, int reason);

/* Requests dropped so far in the measured period, by enum sim_outcome. */
uint64_t sim_n_dropped(const struct sim *sim, int reason);

/* Installs the network model that decides delay and loss per message. */
void sim_set_transport(struct sim *sim, sim_transport_fn fn, void *ctx);

/*
 * The request graph of this simulation (see route.h): models declare
 * their components and references at start; the loader checks it.
 */
struct sim_route *sim_route(struct sim *sim);

/*
 * The ground truth of stored data for this replication (see truth.h):
 * databases record acknowledged writes, readers check what they got.
 */
struct sim_truth *sim_truth(struct sim *sim);

/* --- faults on links and clocks ----------------------------------------- */

/*
 * Cuts delivery from every entity of a to every entity of b, and back
 * unless is_one_way, from now until healed: a message sent across the cut
 * is dropped (SIM_FAIL_PARTITION), and so is one in flight across it when
 * it starts. Returns a handle for sim_cut_heal, or 0 when out of memory.
 */
uint64_t sim_cut_add(struct sim *sim, const uint32_t *a, size_t n_a,
                     const uint32_t *b, size_t n_b, bool is_one_way);
void sim_cut_heal(struct sim *sim, uint64_t handle);

/*
 * Degrades the links from a to b (and back unless is_one_way): latency is
 * multiplied by factor and each message is lost with probability loss
 * (SIM_FAIL_LOSS). Rules combine: factors multiply, losses compound.
 * Returns a handle for sim_link_restore, or 0 when out of memory.
 */
uint64_t sim_link_degrade(struct sim *sim, const uint32_t *a, size_t n_a,
                          const uint32_t *b, size_t n_b, bool is_one_way,
                          double factor, double loss);
void sim_link_restore(struct sim *sim, uint64_t handle);

/*
 * The latency factor (1 without rules) and extra loss probability (0) of
 * the link from one entity to another now. Network models multiply their
 * latency by the factor; the engine applies the loss itself.
 */
void sim_link_state(const struct sim *sim, uint32_t from, uint32_t to,
                    double *factor, double *loss);

/*
 * Clock skew: an entity's own clock reads the simulated time plus its
 * offset (positive: ahead). Models that timestamp with a node's clock
 * (last-writer-wins) use sim_entity_clock; the engine always uses true
 * time.
 */
void sim_entity_set_clock_offset(struct sim *sim, uint32_t id,
                                 sim_time offset);
sim_time sim_entity_clock(const struct sim *sim, uint32_t id);

#endif
