/* SPDX-License-Identifier: MIT */
/*
 * queue.c - a d-ary min-heap of whole events, a FIFO for events scheduled
 * at the current instant, and a table of slots for events that may be
 * cancelled.
 *
 * An event's id is seq << 24 | slot: ordering by (time, id) is ordering
 * by (time, seq). Zero-delay events skip the heap: every FIFO entry has
 * time == now and a larger id than anything scheduled before it, so
 * merging the FIFO head with the heap top keeps the exact order. Only a
 * cancellable event has a slot (non-zero); the slot holds its id while it
 * is live and 0 once cancelled, and is recycled when the event comes out.
 * Events that can never be cancelled pay nothing for cancellation.
 */
#include "sim/queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define SLOT_BITS 24
#define SLOT_MASK (((uint64_t)1 << SLOT_BITS) - 1)
#define SEQ_MAX (((uint64_t)1 << (64 - SLOT_BITS)) - 1)

struct sim_queue {
    struct sim_event *heap;             /* ARITY-ary min-heap on (time, id) */
    size_t n_heap, cap_heap;
    struct sim_event *fifo;             /* ring of events due at `now` */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo is a power of two */
    uint64_t *slots;                    /* id of a live cancellable event,
                                           0 once cancelled; slot 0 unused */
    size_t n_slots, cap_slots;          /* slots handed out so far */
    uint32_t *free_slots;               /* recycled slots */
    size_t n_free;
    size_t n_live;                      /* pending and not cancelled */
    uint64_t next_seq;                  /* starts at 1, so ids are never 0 */
    sim_time now;
};

static bool grow(void **arr, size_t *cap, size_t elem, size_t min_cap)
{
    size_t cap_new = *cap ? *cap * 2 : min_cap;
    void *p = realloc(*arr, cap_new * elem);

    if (p == NULL)
        return false;
    *arr = p;
    *cap = cap_new;
    return true;
}

static inline bool event_less(const struct sim_event *a,
                              const struct sim_event *b)
{
    return a->time < b->time || (a->time == b->time && a->id < b->id);
}

static void heap_sift_up(struct sim_event *h, size_t i,
                         const struct sim_event *ev)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;

        if (!event_less(ev, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = *ev;
}

/* Moves the hole at the root down, filling it with ev. */
static void heap_sift_down(struct sim_event *h, size_t len,
                           const struct sim_event *ev)
{
    size_t i = 0;

    for (;;) {
        size_t first = i * ARITY + 1, best = first, last;

        if (first >= len)
            break;
        last = first + ARITY < len ? first + ARITY : len;
        for (size_t c = first + 1; c < last; c++)
            if (event_less(&h[c], &h[best]))
                best = c;
        if (!event_less(&h[best], ev))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = *ev;
}

static bool fifo_push(struct sim_queue *q, const struct sim_event *ev)
{
    if (q->n_fifo == q->cap_fifo) {
        size_t old_cap = q->cap_fifo;

        if (!grow((void **)&q->fifo, &q->cap_fifo, sizeof *q->fifo, 64))
            return false;
        /* Unwrap: entries before the head move past the old end. */
        for (size_t i = 0; i < q->fifo_head && old_cap > 0; i++)
            q->fifo[old_cap + i] = q->fifo[i];
    }
    q->fifo[(q->fifo_head + q->n_fifo) & (q->cap_fifo - 1)] = *ev;
    q->n_fifo++;
    return true;
}

/* A free slot for a cancellable event, or 0 when none can be had. */
static uint32_t slot_take(struct sim_queue *q)
{
    if (q->n_free > 0)
        return q->free_slots[--q->n_free];
    if (q->n_slots == 0)
        q->n_slots = 1;
    if (q->n_slots > SLOT_MASK)
        return 0;
    if (q->n_slots >= q->cap_slots) {
        size_t cap = q->cap_slots ? q->cap_slots * 2 : 1024;
        uint64_t *slots = realloc(q->slots, cap * sizeof *slots);
        uint32_t *spare;

        if (slots == NULL)
            return 0;
        q->slots = slots;
        spare = realloc(q->free_slots, cap * sizeof *spare);
        if (spare == NULL)
            return 0;
        q->free_slots = spare;
        q->cap_slots = cap;
    }
    return (uint32_t)q->n_slots++;
}

struct sim_queue *sim_queue_new(void)
{
    return calloc(1, sizeof(struct sim_queue));
}

void sim_queue_free(struct sim_queue *q)
{
    if (q == NULL)
        return;
    free(q->heap);
    free(q->fifo);
    free(q->slots);
    free(q->free_slots);
    free(q);
}

static uint64_t push(struct sim_queue *q, sim_time at, uint32_t target,
                     uint32_t type, union sim_payload payload, uint32_t slot)
{
    struct sim_event ev = {
        .time = at, .target = target, .type = type, .payload = payload,
    };

    assert(at >= q->now);
    if (q->next_seq == 0)
        q->next_seq = 1;
    if (q->n_heap + q->n_fifo >= SIM_QUEUE_MAX_PENDING ||
        q->next_seq > SEQ_MAX)
        return 0;
    ev.id = q->next_seq << SLOT_BITS | slot;
    if (at == q->now) {
        if (!fifo_push(q, &ev))
            return 0;
    } else {
        if (q->n_heap == q->cap_heap &&
            !grow((void **)&q->heap, &q->cap_heap, sizeof *q->heap, 1024))
            return 0;
        heap_sift_up(q->heap, q->n_heap++, &ev);
    }
    q->next_seq++;
    q->n_live++;
    return ev.id;
}

uint64_t sim_queue_push(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload)
{
    uint32_t slot = slot_take(q);
    uint64_t id;

    if (slot == 0)
        return 0;
    id = push(q, at, target, type, payload, slot);
    if (id == 0)
        q->free_slots[q->n_free++] = slot;
    else
        q->slots[slot] = id;
    return id;
}

uint64_t sim_queue_post(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload)
{
    return push(q, at, target, type, payload, 0);
}

/* Removes the next event, live or cancelled, from the FIFO or the heap. */
static bool take_next(struct sim_queue *q, struct sim_event *out)
{
    bool from_fifo = q->n_fifo > 0;

    if (from_fifo && q->n_heap > 0 && q->heap[0].time == q->now &&
        q->heap[0].id < q->fifo[q->fifo_head].id)
        from_fifo = false;
    if (from_fifo) {
        *out = q->fifo[q->fifo_head];
        q->fifo_head = (q->fifo_head + 1) & (q->cap_fifo - 1);
        q->n_fifo--;
        return true;
    }
    if (q->n_heap == 0)
        return false;
    *out = q->heap[0];
    q->n_heap--;
    if (q->n_heap > 0)
        heap_sift_down(q->heap, q->n_heap, &q->heap[q->n_heap]);
    return true;
}

/*
 * Releases the slot of a cancellable event that came out, and tells
 * whether it was cancelled meanwhile.
 */
static bool slot_was_cancelled(struct sim_queue *q, uint64_t id)
{
    uint32_t slot = (uint32_t)(id & SLOT_MASK);
    bool is_cancelled;

    if (slot == 0)
        return false;
    is_cancelled = q->slots[slot] != id;
    q->slots[slot] = 0;
    q->free_slots[q->n_free++] = slot;
    return is_cancelled;
}

bool sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
    while (take_next(q, out)) {
        if (slot_was_cancelled(q, out->id))
            continue;
        assert(out->time >= q->now);
        q->now = out->time;
        q->n_live--;
        return true;
    }
    return false;
}

bool sim_queue_cancel(struct sim_queue *q, uint64_t id)
{
    uint64_t slot = id & SLOT_MASK;

    if (slot == 0 || slot >= q->n_slots || q->slots[slot] != id)
        return false;
    q->slots[slot] = 0;
    q->n_live--;
    return true;
}

sim_time sim_queue_now(const struct sim_queue *q)
{
    return q->now;
}

/* Whether a pending event was cancelled (its slot no longer names it). */
static bool is_dead(const struct sim_queue *q, const struct sim_event *ev)
{
    uint64_t slot = ev->id & SLOT_MASK;

    return slot != 0 && q->slots[slot] != ev->id;
}

sim_time sim_queue_peek_time(struct sim_queue *q)
{
    struct sim_event ev;

    /* Drop cancelled events from the front so the answer is a live one. */
    for (;;) {
        const struct sim_event *next;

        if (q->n_fifo > 0 &&
            !(q->n_heap > 0 && q->heap[0].time == q->now &&
              q->heap[0].id < q->fifo[q->fifo_head].id))
            next = &q->fifo[q->fifo_head];
        else if (q->n_heap > 0)
            next = &q->heap[0];
        else
            return SIM_TIME_NEVER;
        if (!is_dead(q, next))
            return next->time;
        take_next(q, &ev);
        slot_was_cancelled(q, ev.id);
    }
}

size_t sim_queue_size(const struct sim_queue *q)
{
    return q->n_live;
}

uint64_t sim_queue_n_scheduled(const struct sim_queue *q)
{
    return q->next_seq > 0 ? q->next_seq - 1 : 0;
}
