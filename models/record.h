/* SPDX-License-Identifier: MIT */
/*
 * record.h - recording what a store answered, as a history of register
 * operations, and checking it for linearizability at the end of a run.
 * Each key is a register whose value is the version written: a write's
 * value is the version it was acknowledged with, a read returns the
 * version it saw, and version 0 (never written) is the register's initial
 * nil. An operation's interval runs from its caller's send to the store's
 * answer, so a store that behaves linearizably at its door is found so.
 * The whole run is recorded, warm-up included: a history cut at the
 * warm-up would have reads of versions whose writes it lacks.
 */
#ifndef MODELS_RECORD_H
#define MODELS_RECORD_H

#include "sim/sim.h"

struct record;

/* Budget of wall time for checking one replication's history, in s. */
#define RECORD_BUDGET_S 10.0

/* A new, empty recorder, or NULL when out of memory. */
struct record *record_new(void);

void record_free(struct record *r);

/*
 * The store answers req now (req->status and req->version set). Successful
 * reads and writes are recorded; failed writes are recorded as having had
 * no effect, which the caller must guarantee (an unacknowledged write
 * never becomes visible). Returns 0 or SIM_ENOMEM.
 */
int record_answer(struct record *r, struct sim *sim,
                  const struct sim_req *req);

/*
 * Checks the history and adds, under scope, the figure "linearizable" (1
 * yes, 0 no, NaN when undecided within RECORD_BUDGET_S) and the figure
 * "operations_checked"; a violation also becomes a timeline note with the
 * operations no order can satisfy.
 */
void record_report(struct record *r, struct sim *sim, const char *scope,
                   struct sim_report *rep);

#endif
