/* SPDX-License-Identifier: MIT */
/*
 * deadlines.c - the ring of deadlines. Entries are addressed by sequence
 * number modulo the capacity, which doubles when full; cleared entries are
 * skipped when they reach the head. The timer is a posted event (never
 * cancelled): when it fires with nothing due it simply re-arms.
 */
#include "models/deadlines.h"

#include <stdlib.h>
#include <string.h>

void deadlines_init(struct deadlines *d, uint32_t owner, uint32_t type,
                    sim_time timeout)
{
    memset(d, 0, sizeof *d);
    d->owner = owner;
    d->type = type;
    d->timeout = timeout;
}

void deadlines_release(struct deadlines *d)
{
    free(d->ring);
    d->ring = NULL;
    d->cap = 0;
    d->head = d->tail = 0;
}

static bool grow(struct deadlines *d)
{
    size_t cap = d->cap ? d->cap * 2 : 256;
    struct deadlines_entry *ring = malloc(cap * sizeof *ring);

    if (ring == NULL)
        return false;
    for (uint64_t q = d->head; q < d->tail; q++)
        ring[q & (cap - 1)] = d->ring[q & (d->cap - 1)];
    free(d->ring);
    d->ring = ring;
    d->cap = cap;
    return true;
}

/* Arms the timer for the first live deadline, if any. */
static void arm(struct deadlines *d, struct sim *sim)
{
    while (d->head < d->tail && d->ring[d->head & (d->cap - 1)].req == NULL)
        d->head++;
    if (d->is_armed || d->head == d->tail)
        return;
    d->is_armed = true;
    sim_post(sim, d->ring[d->head & (d->cap - 1)].at - sim_now(sim),
             d->owner, d->type, (union sim_payload){.u64 = 0});
}

uint64_t deadlines_add(struct deadlines *d, struct sim *sim,
                       struct sim_req *req)
{
    uint64_t seq = d->tail;

    if (d->tail - d->head == d->cap && !grow(d)) {
        sim_fail(sim, SIM_ENOMEM, "out of memory for timeouts");
        return seq;
    }
    d->ring[d->tail++ & (d->cap - 1)] =
        (struct deadlines_entry){req, sim_now(sim) + d->timeout};
    arm(d, sim);
    return seq;
}

void deadlines_clear(struct deadlines *d, uint64_t seq)
{
    if (seq >= d->head && seq < d->tail)
        d->ring[seq & (d->cap - 1)].req = NULL;
}

void deadlines_fire(struct deadlines *d, struct sim *sim,
                    deadlines_fn expired, void *ctx)
{
    d->is_armed = false;
    while (d->head < d->tail) {
        struct deadlines_entry e = d->ring[d->head & (d->cap - 1)];

        if (e.req != NULL && e.at > sim_now(sim))
            break;
        d->head++;
        if (e.req != NULL)
            expired(ctx, sim, e.req);
    }
    arm(d, sim);
}

void deadlines_clear_all(struct deadlines *d)
{
    d->head = d->tail;
}
