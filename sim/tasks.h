/* SPDX-License-Identifier: MIT */
/*
 * tasks.h - replications of many scenarios (the points of a sweep, say)
 * run by a pool of worker processes that each take the next task as soon
 * as they are free. Results reach the caller by task index, so what it
 * makes of them never depends on the number of workers.
 */
#ifndef SIM_TASKS_H
#define SIM_TASKS_H

#include <stddef.h>

#include "sim/scenario.h"

/* One replication to run. */
struct sim_task {
    const struct sim_scenario *sc;      /* loaded before the pool starts */
    unsigned rep;                       /* replication index */
};

/*
 * Called in the calling process as each task finishes, in order of
 * completion: rc is the replication's status; when it is 0, rep holds its
 * report, which the callee owns from then on (it releases it), else err
 * says what went wrong. A non-zero return stops the pool and is returned
 * by sim_tasks_run.
 */
typedef int (*sim_tasks_done_fn)(void *ctx, size_t task, int rc,
                                 struct sim_report *rep,
                                 const struct sim_error *err);

/*
 * Called in the calling process, at most ten times a second for each
 * running task, with the simulated time it has reached; for a progress
 * display only.
 */
typedef void (*sim_tasks_progress_fn)(void *ctx, size_t task, sim_time now);

/*
 * Runs tasks[0..n-1] with up to jobs worker processes (1: in this
 * process), calling done for each. Returns 0, what done returned (a
 * non-zero return stops the pool), or SIM_EIO / SIM_EINTERNAL with err
 * filled when a worker could not be started or died.
 */
int sim_tasks_run(const struct sim_task *tasks, size_t n, unsigned jobs,
                  sim_tasks_done_fn done, void *ctx, struct sim_error *err);

/* The same, also telling progress (which may be NULL) how tasks go. */
int sim_tasks_run_watched(const struct sim_task *tasks, size_t n,
                          unsigned jobs, sim_tasks_done_fn done,
                          sim_tasks_progress_fn progress, void *ctx,
                          struct sim_error *err);

#endif
