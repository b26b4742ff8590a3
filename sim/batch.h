/* SPDX-License-Identifier: MIT */
/*
 * batch.h - running the replications of a scenario, in this process or in
 * worker processes. Results come back indexed by replication, so what a
 * caller sees never depends on how many workers ran them.
 */
#ifndef SIM_BATCH_H
#define SIM_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/scenario.h"
#include "sim/sim.h"

/* The reports of every replication, in replication order. */
struct sim_batch {
    unsigned n_reps;
    struct sim_report *reports;         /* n_reps of them */
};

/* How far a batch has got, for a progress display. */
struct sim_batch_progress {
    unsigned n_reps;                    /* replications in the batch (or
                                           points, in a sweep's) */
    unsigned n_done;                    /* of which finished */
    bool counts_points;                 /* a sweep's: n_reps are points */
    double sim_s;                       /* simulated seconds run, summed */
    double sim_total_s;                 /* n_reps times the duration */
};

/*
 * Called in the parent process as replications advance and finish (in
 * order of completion, not of index); for progress display only.
 */
typedef void (*sim_batch_progress_fn)(void *ctx,
                                      const struct sim_batch_progress *p);

/* Adds up how far tasks (replications) have run, for fn. */
struct sim_batch_tracker {
    sim_batch_progress_fn fn;           /* NULL: nobody is watching */
    void *ctx;
    double *at_s;                       /* per task: simulated s reached */
    size_t n_tasks;
    struct sim_batch_progress p;
};

/*
 * Task i has reached at_s simulated seconds; p.n_done grows by one when
 * is_done. Then tells fn, when there is one.
 */
void sim_batch_track(struct sim_batch_tracker *t, size_t i, double at_s,
                     bool is_done);

/*
 * Runs replications first .. first + n - 1 of sc with up to jobs worker
 * processes (1: in this process). Returns 0 and fills out (release with
 * sim_batch_release), or the status of the lowest-numbered replication
 * that failed, with err filled (for example SIM_ELIMIT from a runaway).
 */
int sim_batch_run(const struct sim_scenario *sc, unsigned first, unsigned n,
                  unsigned jobs, sim_batch_progress_fn progress, void *ctx,
                  struct sim_batch *out, struct sim_error *err);

void sim_batch_release(struct sim_batch *b);

/* Runs one replication in this process into rep (initialised by caller). */
int sim_batch_run_one(const struct sim_scenario *sc, unsigned rep_index,
                      struct sim_report *rep, struct sim_error *err);

/* The same, with the engine calling fn(ctx, now) as the run goes on. */
int sim_batch_run_watched(const struct sim_scenario *sc, unsigned rep_index,
                          struct sim_report *rep, sim_progress_fn fn,
                          void *ctx, struct sim_error *err);

/*
 * One replication's outcome as bytes, in the record form the workers send
 * down their pipes: *data (malloc'd, the caller frees it) holds index, rc
 * and the report (or err's message when rc is not 0). Returns 0 or
 * SIM_ENOMEM. Other transports (MPI) carry results with it.
 */
int sim_batch_pack(unsigned index, int rc, const struct sim_report *rep,
                   const struct sim_error *err, unsigned char **data,
                   size_t *len);

/*
 * Reads a record made by sim_batch_pack: *index, *rc, and either the
 * report into rep (initialised by the caller) or the message into err.
 * Returns 0, or SIM_EINTERNAL when the bytes are not one whole record.
 */
int sim_batch_unpack(const unsigned char *data, size_t len, unsigned *index,
                     int *rc, struct sim_report *rep, struct sim_error *err);

/* The size of a progress record. */
#define SIM_BATCH_PROGRESS_LEN 20

/*
 * A progress record, in the same stream as sim_batch_pack's: task index
 * has reached simulated time now. rec holds SIM_BATCH_PROGRESS_LEN bytes.
 */
void sim_batch_pack_progress(unsigned index, sim_time now,
                             unsigned char *rec);

/*
 * Whether the whole record at data (len bytes, its length word included)
 * is a progress record; if so, fills *index and *now.
 */
bool sim_batch_is_progress(const unsigned char *data, size_t len,
                           unsigned *index, sim_time *now);

#endif
