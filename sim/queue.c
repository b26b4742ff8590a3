/* SPDX-License-Identifier: MIT */
/*
 * queue.c - a 4-ary min-heap of (time, key) nodes beside a pool of event
 * records, plus a FIFO for events scheduled at the current instant.
 *
 * key = seq << 24 | slot: comparing keys compares insertion order, and the
 * low bits find the record. A cancelled record has its key cleared and is
 * recycled when its stale heap node comes out. Zero-delay events (the
 * common case for local hand-offs) skip the heap: every FIFO entry has
 * time == now and a larger seq than anything scheduled before it, so a
 * merge of the FIFO head with the heap top keeps the exact (time, seq)
 * order.
 */
#include "sim/queue.h"

#include <assert.h>
#include <stdlib.h>

#define SLOT_BITS 24
#define SLOT_MASK (((uint64_t)1 << SLOT_BITS) - 1)
#define SEQ_MAX (((uint64_t)1 << (64 - SLOT_BITS)) - 1)
#define ARITY 4

struct queue_node {
    sim_time time;                      /* event time, ns */
    uint64_t key;                       /* seq << SLOT_BITS | slot */
};

struct queue_record {
    uint64_t key;                       /* owner's key; 0 when cancelled */
    uint32_t target;
    uint32_t type;
    union sim_payload payload;
};

struct sim_queue {
    struct queue_node *heap;            /* 4-ary min-heap on (time, key) */
    size_t n_heap, cap_heap;
    uint64_t *fifo;                     /* ring of keys due at `now` */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo is a power of two */
    struct queue_record *records;
    size_t n_records;                   /* records ever handed out */
    uint32_t *free_slots;               /* stack of recycled slots */
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

static inline bool node_less(const struct queue_node *a,
                             const struct queue_node *b)
{
    return a->time < b->time || (a->time == b->time && a->key < b->key);
}

static void heap_sift_up(struct queue_node *h, size_t i, struct queue_node n)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;

        if (!node_less(&n, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = n;
}

/* Moves the hole at the root down, filling it with n. */
static void heap_sift_down(struct queue_node *h, size_t len,
                           struct queue_node n)
{
    size_t i = 0;

    for (;;) {
        size_t first = i * ARITY + 1, best, last;

        if (first >= len)
            break;
        best = first;
        last = first + ARITY < len ? first + ARITY : len;
        for (size_t c = first + 1; c < last; c++)
            if (node_less(&h[c], &h[best]))
                best = c;
        if (!node_less(&h[best], &n))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = n;
}

static bool fifo_push(struct sim_queue *q, uint64_t key)
{
    if (q->n_fifo == q->cap_fifo) {
        size_t old_cap = q->cap_fifo;

        if (!grow((void **)&q->fifo, &q->cap_fifo, sizeof *q->fifo, 64))
            return false;
        /* Unwrap: entries before the head move past the old end. */
        for (size_t i = 0; i < q->fifo_head && old_cap > 0; i++)
            q->fifo[old_cap + i] = q->fifo[i];
    }
    q->fifo[(q->fifo_head + q->n_fifo) & (q->cap_fifo - 1)] = key;
    q->n_fifo++;
    return true;
}

static uint32_t record_take(struct sim_queue *q)
{
    if (q->n_free > 0)
        return q->free_slots[--q->n_free];
    if (q->n_records == SIM_QUEUE_MAX_PENDING)
        return UINT32_MAX;
    if (q->n_records % 4096 == 0) {
        size_t cap = q->n_records + 4096;
        struct queue_record *r = realloc(q->records, cap * sizeof *r);
        uint32_t *f;

        if (r == NULL)
            return UINT32_MAX;
        q->records = r;
        f = realloc(q->free_slots, cap * sizeof *f);
        if (f == NULL)
            return UINT32_MAX;
        q->free_slots = f;
    }
    return (uint32_t)q->n_records++;
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
    free(q->records);
    free(q->free_slots);
    free(q);
}

uint64_t sim_queue_push(struct sim_queue *q, sim_time at, uint32_t target,
                        uint32_t type, union sim_payload payload)
{
    struct queue_record *rec;
    uint32_t slot;
    uint64_t key;

    assert(at >= q->now);
    if (q->next_seq == 0)
        q->next_seq = 1;
    if (q->next_seq > SEQ_MAX)
        return 0;
    slot = record_take(q);
    if (slot == UINT32_MAX)
        return 0;
    key = q->next_seq << SLOT_BITS | slot;
    if (at == q->now) {
        if (!fifo_push(q, key))
            goto fail;
    } else {
        if (q->n_heap == q->cap_heap &&
            !grow((void **)&q->heap, &q->cap_heap, sizeof *q->heap, 1024))
            goto fail;
        heap_sift_up(q->heap, q->n_heap++,
                     (struct queue_node){.time = at, .key = key});
    }
    q->next_seq++;
    rec = &q->records[slot];
    rec->key = key;
    rec->target = target;
    rec->type = type;
    rec->payload = payload;
    q->n_live++;
    return key;

fail:
    q->free_slots[q->n_free++] = slot;
    return 0;
}

/* Removes the next node, live or stale, from the FIFO or the heap. */
static bool take_next(struct sim_queue *q, struct queue_node *out)
{
    bool from_fifo = q->n_fifo > 0;

    if (from_fifo && q->n_heap > 0 && q->heap[0].time == q->now &&
        q->heap[0].key < q->fifo[q->fifo_head])
        from_fifo = false;
    if (from_fifo) {
        out->time = q->now;
        out->key = q->fifo[q->fifo_head];
        q->fifo_head = (q->fifo_head + 1) & (q->cap_fifo - 1);
        q->n_fifo--;
        return true;
    }
    if (q->n_heap == 0)
        return false;
    *out = q->heap[0];
    q->n_heap--;
    if (q->n_heap > 0)
        heap_sift_down(q->heap, q->n_heap, q->heap[q->n_heap]);
    return true;
}

bool sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
    struct queue_node node;

    while (take_next(q, &node)) {
        uint32_t slot = (uint32_t)(node.key & SLOT_MASK);
        struct queue_record *rec = &q->records[slot];

        q->free_slots[q->n_free++] = slot;
        if (rec->key != node.key)
            continue;
        assert(node.time >= q->now);
        q->now = node.time;
        q->n_live--;
        rec->key = 0;
        out->time = node.time;
        out->id = node.key;
        out->target = rec->target;
        out->type = rec->type;
        out->payload = rec->payload;
        return true;
    }
    return false;
}

bool sim_queue_cancel(struct sim_queue *q, uint64_t id)
{
    uint64_t slot = id & SLOT_MASK;

    if (id == 0 || slot >= q->n_records || q->records[slot].key != id)
        return false;
    q->records[slot].key = 0;
    q->n_live--;
    return true;
}

sim_time sim_queue_now(const struct sim_queue *q)
{
    return q->now;
}

sim_time sim_queue_peek_time(struct sim_queue *q)
{
    /* Drop stale nodes from the front so the answer is a live event. */
    for (;;) {
        uint64_t key;

        if (q->n_fifo > 0) {
            key = q->fifo[q->fifo_head];
            if (q->records[key & SLOT_MASK].key == key)
                return q->now;
            q->free_slots[q->n_free++] = (uint32_t)(key & SLOT_MASK);
            q->fifo_head = (q->fifo_head + 1) & (q->cap_fifo - 1);
            q->n_fifo--;
            continue;
        }
        if (q->n_heap == 0)
            return SIM_TIME_NEVER;
        key = q->heap[0].key;
        if (q->records[key & SLOT_MASK].key == key)
            return q->heap[0].time;
        q->free_slots[q->n_free++] = (uint32_t)(key & SLOT_MASK);
        q->n_heap--;
        if (q->n_heap > 0)
            heap_sift_down(q->heap, q->n_heap, q->heap[q->n_heap]);
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
