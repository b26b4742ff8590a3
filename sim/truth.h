/* SPDX-License-Identifier: MIT */
/*
 * truth.h - the ground truth of data: for every store (a database) and
 * key, the sequence of versions acknowledged to writers, numbered 1, 2, 3
 * in acknowledgement order, each with its time. Version 0 means "never
 * written". Stores record here; readers compare what they got against it,
 * so a stale answer is recognised wherever it comes from (a lagging
 * replica, a cache).
 */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include <stdint.h>

#include "sim/time.h"

struct sim_truth;

/* An empty truth, or NULL when out of memory. */
struct sim_truth *sim_truth_new(void);

void sim_truth_free(struct sim_truth *t);

/*
 * Registers a store by name and returns its id (>= 1), or 0 when out of
 * memory. Registering the same name again returns the same id.
 */
uint32_t sim_truth_store(struct sim_truth *t, const char *name);

/* How many stores have registered: none means no data is versioned. */
uint32_t sim_truth_n_stores(const struct sim_truth *t);

/*
 * Records that a write to key of store was acknowledged at time at, and
 * returns its version (the previous latest + 1), or 0 when out of memory.
 * Times must not decrease for a key.
 */
uint64_t sim_truth_commit(struct sim_truth *t, uint32_t store, uint64_t key,
                          sim_time at);

/*
 * The newest version of key acknowledged at or before at (0 if none) and,
 * through *committed_at when not NULL, when it was.
 */
uint64_t sim_truth_latest(const struct sim_truth *t, uint32_t store,
                          uint64_t key, sim_time at, sim_time *committed_at);

/* When version v of key was acknowledged, or SIM_TIME_NEVER. */
sim_time sim_truth_commit_time(const struct sim_truth *t, uint32_t store,
                               uint64_t key, uint64_t v);

#endif
