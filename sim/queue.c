/* SPDX-License-Identifier: MIT */
/*
 * queue.c - a d-ary min-heap of whole events, a FIFO for events scheduled
 * at the current instant, and a set of cancelled ids.
 *
 * An event's id is its insertion sequence number, so ordering by (time,
 * id) is ordering by (time, seq). Zero-delay events skip the heap: every
 * FIFO entry has time == now and a larger id than anything scheduled
 * before it, so merging the FIFO head with the heap top keeps the exact
 * order. A cancelled event stays where it is and is dropped when it comes
 * out; the set is consulted only while it is non-empty, so runs without
 * cancellations pay nothing for them.
 */
#include "sim/queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4

struct sim_queue {
    struct sim_event *heap;             /* ARITY-ary min-heap on (time, id) */
    size_t n_heap, cap_heap;
    struct sim_event *fifo;             /* ring of events due at `now` */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo is a power of two */
    uint64_t *cancelled;                /* open addressing; 0 is empty */
    size_t n_cancelled, cap_cancelled;  /* cap is a power of two */
    size_t n_live;                      /* pending and not cancelled */
    uint64_t next_id;                   /* starts at 1, so ids are never 0 */
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

static size_t id_hash(uint64_t id, size_t cap)
{
    return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static bool set_insert(struct sim_queue *q, uint64_t id)
{
    size_t i;

    if ((q->n_cancelled + 1) * 2 > q->cap_cancelled) {
        uint64_t *old = q->cancelled;
        size_t old_cap = q->cap_cancelled;
        size_t cap = old_cap ? old_cap * 2 : 64;

        q->cancelled = calloc(cap, sizeof *q->cancelled);
        if (q->cancelled == NULL) {
            q->cancelled = old;
            return false;
        }
        q->cap_cancelled = cap;
        for (size_t k = 0; k < old_cap; k++) {
            if (old[k] == 0)
                continue;
            for (i = id_hash(old[k], cap); q->cancelled[i];
                 i = (i + 1) & (cap - 1))
                ;
            q->cancelled[i] = old[k];
        }
        free(old);
    }
    for (i = id_hash(id, q->cap_cancelled); q->cancelled[i];
         i = (i + 1) & (q->cap_cancelled - 1))
        if (q->cancelled[i] == id)
            return false;
    q->cancelled[i] = id;
    q->n_cancelled++;
    return true;
}

/* The slot holding id, or the empty slot where its probe ends. */
static size_t set_find(const struct sim_queue *q, uint64_t id)
{
    size_t mask = q->cap_cancelled - 1, i;

    for (i = id_hash(id, q->cap_cancelled); q->cancelled[i] != id;
         i = (i + 1) & mask)
        if (q->cancelled[i] == 0)
            break;
    return i;
}

/* Removes id if present (backward-shift deletion). Returns if it was. */
static bool set_remove(struct sim_queue *q, uint64_t id)
{
    size_t mask = q->cap_cancelled - 1, i = set_find(q, id), j;

    if (q->cancelled[i] != id)
        return false;
    for (j = (i + 1) & mask; q->cancelled[j] != 0; j = (j + 1) & mask) {
        size_t home = id_hash(q->cancelled[j], q->cap_cancelled);

        /* Move j into the hole at i unless its home lies in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            q->cancelled[i] = q->cancelled[j];
            i = j;
        }
    }
    q->cancelled[i] = 0;
    q->n_cancelled--;
    return true;
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
    free(q->cancelled);
    free(q);
}

uint64_t sim_queue_push(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload)
{
    struct sim_event ev = {
        .time = at, .target = target, .type = type, .payload = payload,
    };

    assert(at >= q->now);
    if (q->n_heap + q->n_fifo >= SIM_QUEUE_MAX_PENDING)
        return 0;
    if (q->next_id == 0)
        q->next_id = 1;
    ev.id = q->next_id;
    if (at == q->now) {
        if (!fifo_push(q, &ev))
            return 0;
    } else {
        if (q->n_heap == q->cap_heap &&
            !grow((void **)&q->heap, &q->cap_heap, sizeof *q->heap, 1024))
            return 0;
        heap_sift_up(q->heap, q->n_heap++, &ev);
    }
    q->next_id++;
    q->n_live++;
    return ev.id;
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

bool sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
    while (take_next(q, out)) {
        if (q->n_cancelled > 0 && set_remove(q, out->id))
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
    if (id == 0 || id >= q->next_id || q->n_live == 0 || !set_insert(q, id))
        return false;
    q->n_live--;
    return true;
}

sim_time sim_queue_now(const struct sim_queue *q)
{
    return q->now;
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
        if (q->n_cancelled == 0 ||
            q->cancelled[set_find(q, next->id)] != next->id)
            return next->time;
        take_next(q, &ev);
        set_remove(q, ev.id);
    }
}

size_t sim_queue_size(const struct sim_queue *q)
{
    return q->n_live;
}

uint64_t sim_queue_n_scheduled(const struct sim_queue *q)
{
    return q->next_id > 0 ? q->next_id - 1 : 0;
}
