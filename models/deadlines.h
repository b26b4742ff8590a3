/* SPDX-License-Identifier: MIT */
/*
 * deadlines.h - timeouts of requests without one event per request. When
 * every request gets the same timeout, deadlines come in the order the
 * requests were sent, so a ring of (request, deadline) and one timer for
 * the earliest suffice, and an answered request only clears its entry:
 * nothing is ever cancelled.
 */
#ifndef MODELS_DEADLINES_H
#define MODELS_DEADLINES_H

#include "sim/sim.h"

struct deadlines_entry {
    struct sim_req *req;                /* NULL once cleared */
    sim_time at;                        /* ns */
};

/* Fields are private. */
struct deadlines {
    struct deadlines_entry *ring;       /* cap entries, a power of two */
    uint64_t head, tail;                /* sequence numbers of entries */
    size_t cap;
    bool is_armed;                      /* a timer event is pending */
    uint32_t owner;                     /* entity that gets the timer */
    uint32_t type;                      /* its event type */
    sim_time timeout;                   /* ns, > 0 */
};

/* An empty ring for owner, whose timer arrives as events of type. */
void deadlines_init(struct deadlines *d, uint32_t owner, uint32_t type,
                    sim_time timeout);

void deadlines_release(struct deadlines *d);

/*
 * Starts the clock for req now. Returns the entry's sequence number, for
 * deadlines_clear; on allocation failure the run is stopped.
 */
uint64_t deadlines_add(struct deadlines *d, struct sim *sim,
                       struct sim_req *req);

/* The request of entry seq was answered: it will not time out. */
void deadlines_clear(struct deadlines *d, uint64_t seq);

/* Called for every request whose deadline has come. */
typedef void (*deadlines_fn)(void *ctx, struct sim *sim, struct sim_req *req);

/*
 * The owner received its timer event: calls expired on every request due
 * now (each exactly once), then re-arms the timer for the next one.
 */
void deadlines_fire(struct deadlines *d, struct sim *sim,
                    deadlines_fn expired, void *ctx);

/* Forgets every entry (a crash): nothing will time out. */
void deadlines_clear_all(struct deadlines *d);

#endif
