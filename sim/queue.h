/* SPDX-License-Identifier: MIT */
/*
 * queue.h - the pending-event set. Events leave in (time, seq) order, seq
 * being a global insertion counter, so events at the same instant run in
 * the order they were scheduled. Time never goes back: an event may not be
 * scheduled before the time of the last one popped.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

/* A value carried by an event; models choose which member they use. */
union sim_payload {
    void *ptr;
    uint64_t u64;
    int64_t i64;
    double f64;
};

/* An event as popped. Callers may read every field. */
struct sim_event {
    sim_time time;                      /* when it happens, ns */
    uint64_t id;                        /* seq << 24 | slot, for cancelling */
    uint32_t target;                    /* entity that handles it */
    uint32_t type;                      /* event kind, meaning per target */
    union sim_payload payload;
};

/* At most this many events may be pending at once (2^24). */
#define SIM_QUEUE_MAX_PENDING ((size_t)1 << 24)

struct sim_queue;

/* An empty queue whose clock reads 0. Returns NULL when out of memory. */
struct sim_queue *sim_queue_new(void);

void sim_queue_free(struct sim_queue *q);

/*
 * Schedules an event at time at (>= sim_queue_now) that may later be
 * cancelled. Returns its id, never 0, or 0 when out of memory, when
 * SIM_QUEUE_MAX_PENDING events are already pending, or when 2^24 - 1
 * cancellable events are.
 */
uint64_t sim_queue_push(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload);

/*
 * Like sim_queue_push for an event that will never be cancelled, which
 * is cheaper: its id cannot be passed to sim_queue_cancel.
 */
uint64_t sim_queue_post(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload);

/*
 * Removes the next live event into *out and advances the clock to its
 * time. Cancelled events are skipped. Returns false when none is left.
 */
bool sim_queue_pop(struct sim_queue *q, struct sim_event *out);

/*
 * Cancels a pending event scheduled with sim_queue_push: it will be
 * skipped when its time comes. Returns false when id is 0, came from
 * sim_queue_post, already ran, or is already cancelled.
 */
bool sim_queue_cancel(struct sim_queue *q, uint64_t id);

/* Time of the last event popped (0 before the first). */
sim_time sim_queue_now(const struct sim_queue *q);

/* Time of the next live event, or SIM_TIME_NEVER when none is pending. */
sim_time sim_queue_peek_time(struct sim_queue *q);

/* Number of live (not cancelled) pending events. */
size_t sim_queue_size(const struct sim_queue *q);

/* Events scheduled so far, including cancelled ones. */
uint64_t sim_queue_n_scheduled(const struct sim_queue *q);

#endif
