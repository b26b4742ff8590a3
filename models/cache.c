/* SPDX-License-Identifier: MIT */
/*
 * cache.c - a key-value cache in front of a backend (a database, a server
 * or another cache). Invariant: at most `capacity` items (and bytes) are
 * resident, and every operation on the store is O(1).
 *
 * A read finds a fresh copy (a hit, served in hit_time by one of the
 * workers) or fetches it from the backend with a child request and stores
 * the answer (another hit_time) before answering. Cache-aside is modelled
 * with the cache node doing the fetch on the application's behalf: the
 * same messages, one hop placed differently; read-through and refresh-ahead
 * read the same way. Writes: cache-aside, read-through and refresh-ahead
 * write the backend and then drop the key; write-through writes the
 * backend, then stores the new version; write-behind stores at once,
 * answers, and writes back flush_after later, coalescing repeated writes
 * to a key. A compare-and-set always goes to the backend, then drops the
 * key. Stampede protection: coalesce keeps one fetch per key in flight and
 * answers every waiter from it; early-refresh (XFetch) makes a read of a
 * live item refetch, with a probability that grows as expiry nears. A
 * backend call that fails or outlives backend_timeout answers its waiters
 * with the failure and stores nothing (a failed write drops the key).
 *
 * A request that waits for a backend call takes on the call's queueing
 * and service (the child request's wait_ns and service_ns, so queueing
 * behind the cache shows in its client's waiting time), and those of
 * storing the answer; one that joined a fetch already in flight takes no
 * more of them than the time it waited.
 *
 * Simplifications: the lookup itself takes no time; a TTL counts from the
 * moment a value is stored, and expired items leave in expiry order before
 * any eviction; a fetched value overwrites the cached one whatever their
 * versions (as a plain "set" does), except over writes not yet written
 * back; a write-behind item that is evicted, expires or is dropped is
 * written back at once; a failed or timed-out write-back is counted, not
 * retried. A read of an item with writes not yet written back carries no
 * version (store 0): it is newer than anything the backend acknowledged.
 * A ring of caches (a's backend b, b's backend a) is not detected when
 * loaded: every miss then goes round until the request cap stops the run.
 *
 * A crash loses the whole store and every request on the node (dropped
 * with reason "crash"; callers learn by timing out). Writes acknowledged
 * but not yet written back are lost and counted in "lost_writes"; a
 * write-back already sent is not. Backend answers arriving after the
 * crash are ignored; the node restarts empty.
 */
#include "models/cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAX_CAPACITY 10000000ULL  /* items; about 100 bytes each */
#define CACHE_MAX_BYTES ((uint64_t)1 << 50)     /* 1 PiB */
#define CACHE_MAX_ITEM_BYTES ((uint64_t)1 << 30) /* 1 GiB */
#define CACHE_MAX_WORKERS 100000U
#define CACHE_MAX_BETA 1000.0
#define CACHE_MAX_TIME (10000000 * SIM_S)       /* any duration key */
#define CACHE_NIL UINT32_MAX
#define CACHE_FLUSH_AFTER_DEFAULT SIM_S
#define CACHE_REFRESH_AT_DEFAULT 0.8
#define CACHE_BETA_DEFAULT 1.0
#define CACHE_TIMEOUT_DEFAULT SIM_S

enum cache_event {
    CACHE_EV_DONE = SIM_EV_USER,        /* payload.u64: worker index */
    CACHE_EV_TIMEOUT,                   /* payload.u64: call index */
    CACHE_EV_FLUSH,                     /* payload.u64: entry index */
};

enum cache_policy {
    CACHE_POLICY_DEFAULT,               /* absent: LRU */
    CACHE_POLICY_LRU,
    CACHE_POLICY_LFU,
    CACHE_POLICY_FIFO,
    CACHE_POLICY_RANDOM,
};

enum cache_strategy {
    CACHE_STRATEGY_DEFAULT,             /* absent: cache-aside */
    CACHE_STRATEGY_CACHE_ASIDE,
    CACHE_STRATEGY_READ_THROUGH,
    CACHE_STRATEGY_WRITE_THROUGH,
    CACHE_STRATEGY_WRITE_BEHIND,
    CACHE_STRATEGY_REFRESH_AHEAD,
};

enum cache_stampede {
    CACHE_STAMPEDE_DEFAULT,             /* absent: none */
    CACHE_STAMPEDE_NONE,
    CACHE_STAMPEDE_COALESCE,
    CACHE_STAMPEDE_EARLY_REFRESH,
};

struct cache_range_config {
    char *min, *max;                    /* sizes, as "1KiB" */
};

struct cache_config {
    char *name;
    enum cache_policy policy;
    unsigned long long *capacity;       /* items */
    char *capacity_bytes;               /* optional size */
    struct cache_range_config *item_bytes;
    char *ttl;                          /* optional duration */
    enum cache_strategy strategy;
    char *flush_after;                  /* write-behind */
    double *refresh_at;                 /* refresh-ahead, fraction of ttl */
    enum cache_stampede stampede;
    double *beta;                       /* early-refresh */
    char *backend;
    struct sim_dist_config *hit_time;
    unsigned *workers;
    char *backend_timeout;
};

static const cyaml_strval_t policy_names[] = {
    {"lru", CACHE_POLICY_LRU},
    {"lfu", CACHE_POLICY_LFU},
    {"fifo", CACHE_POLICY_FIFO},
    {"random", CACHE_POLICY_RANDOM},
};

static const cyaml_strval_t strategy_names[] = {
    {"cache-aside", CACHE_STRATEGY_CACHE_ASIDE},
    {"read-through", CACHE_STRATEGY_READ_THROUGH},
    {"write-through", CACHE_STRATEGY_WRITE_THROUGH},
    {"write-behind", CACHE_STRATEGY_WRITE_BEHIND},
    {"refresh-ahead", CACHE_STRATEGY_REFRESH_AHEAD},
};

static const cyaml_strval_t stampede_names[] = {
    {"none", CACHE_STAMPEDE_NONE},
    {"coalesce", CACHE_STAMPEDE_COALESCE},
    {"early-refresh", CACHE_STAMPEDE_EARLY_REFRESH},
};

static const cyaml_schema_field_t range_fields[] = {
    CYAML_FIELD_STRING_PTR("min", CYAML_FLAG_OPTIONAL,
                           struct cache_range_config, min, 1, 64),
    CYAML_FIELD_STRING_PTR("max", CYAML_FLAG_OPTIONAL,
                           struct cache_range_config, max, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t cache_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct cache_config,
                           name, 1, 63),
    CYAML_FIELD_ENUM("policy", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct cache_config, policy, policy_names,
                     CYAML_ARRAY_LEN(policy_names)),
    CYAML_FIELD_UINT_PTR("capacity", CYAML_FLAG_POINTER,
                         struct cache_config, capacity),
    CYAML_FIELD_STRING_PTR("capacity_bytes", CYAML_FLAG_OPTIONAL,
                           struct cache_config, capacity_bytes, 1, 64),
    CYAML_FIELD_MAPPING_PTR("item_bytes", CYAML_FLAG_OPTIONAL,
                            struct cache_config, item_bytes, range_fields),
    CYAML_FIELD_STRING_PTR("ttl", CYAML_FLAG_OPTIONAL, struct cache_config,
                           ttl, 1, 64),
    CYAML_FIELD_ENUM("strategy", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct cache_config, strategy, strategy_names,
                     CYAML_ARRAY_LEN(strategy_names)),
    CYAML_FIELD_STRING_PTR("flush_after", CYAML_FLAG_OPTIONAL,
                           struct cache_config, flush_after, 1, 64),
    CYAML_FIELD_FLOAT_PTR("refresh_at", CYAML_FLAG_OPTIONAL,
                          struct cache_config, refresh_at),
    CYAML_FIELD_ENUM("stampede", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct cache_config, stampede, stampede_names,
                     CYAML_ARRAY_LEN(stampede_names)),
    CYAML_FIELD_FLOAT_PTR("beta", CYAML_FLAG_OPTIONAL, struct cache_config,
                          beta),
    CYAML_FIELD_STRING_PTR("backend", CYAML_FLAG_POINTER,
                           struct cache_config, backend, 1, 255),
    CYAML_FIELD_MAPPING_PTR("hit_time", CYAML_FLAG_OPTIONAL,
                            struct cache_config, hit_time, sim_dist_fields),
    CYAML_FIELD_UINT_PTR("workers", CYAML_FLAG_OPTIONAL, struct cache_config,
                         workers),
    CYAML_FIELD_STRING_PTR("backend_timeout", CYAML_FLAG_OPTIONAL,
                           struct cache_config, backend_timeout, 1, 64),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t cache_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct cache_config,
                        cache_fields),
};

/* A doubly linked list of entries (or buckets) by index. */
struct cache_list {
    uint32_t head, tail;                /* newest, oldest; CACHE_NIL: empty */
};

struct cache_links {
    uint32_t prev, next;                /* towards head, towards tail */
};

/* One resident item. Free slots are chained through order.next. */
struct cache_entry {
    uint64_t key;
    int64_t value;                      /* the value held */
    uint64_t version;                   /* version held; 0 when unknown */
    sim_time expires_at;                /* ns; unused without a ttl */
    sim_time fetch_ns;                  /* how long its last fetch took */
    uint64_t flush_event;               /* pending write-back, or 0 */
    uint32_t store;                     /* truth store of version, or 0 */
    uint32_t n_dirty;                   /* acknowledged, not written back */
    uint32_t size_bytes;                /* fixed per key */
    uint32_t hash_next;                 /* next in its index chain, + 1 */
    uint32_t aux;                       /* LFU: bucket; random: dense slot */
    struct cache_links order;           /* policy list */
    struct cache_links expiry;          /* expiry list (ttl only) */
};

/* LFU: the entries used freq times, least recently used at the tail. */
struct cache_bucket {
    uint64_t freq;                      /* uses while resident */
    struct cache_links links;           /* neighbours by increasing freq */
    struct cache_list items;
};

enum cache_call_kind {
    CACHE_CALL_FILL,                    /* a read missed */
    CACHE_CALL_REFRESH,                 /* refresh-ahead, in the background */
    CACHE_CALL_WRITE,                   /* a write or CAS passed on */
    CACHE_CALL_FLUSH,                   /* a write-behind write-back */
};

/*
 * A child request to the backend and the requests waiting for it, chained
 * through their hop_tag.ptr (the cache holds them, so the field is ours).
 */
struct cache_call {
    uint64_t key;
    int64_t value;                      /* written, or read back */
    uint64_t version;                   /* from the backend's answer */
    struct sim_req *child;              /* in flight, or NULL */
    struct sim_req *first, *last;       /* waiters, oldest first */
    uint64_t timeout_event;             /* pending timeout, or 0 */
    sim_time t_sent;                    /* ns */
    sim_time fetch_ns;                  /* round trip of the answer, ns */
    sim_time child_wait_ns;             /* the child's queueing, ns */
    sim_time child_service_ns;          /* the child's service, ns */
    sim_time t_store_queued;            /* its answer joined the queue, ns */
    sim_time store_wait_ns;             /* the answer waited for a worker */
    sim_time store_ns;                  /* storing the answer took, ns */
    uint32_t store;                     /* from the backend's answer */
    uint32_t n_writes;                  /* flush: client writes it carries */
    uint32_t hash_next;                 /* in-flight index chain, + 1 */
    uint32_t next_free;
    uint8_t kind;                       /* enum cache_call_kind */
    uint8_t op;                         /* WRITE: the client's operation */
    uint8_t status;                     /* enum sim_outcome of the call */
    bool is_live;
    bool is_mapped;                     /* in the in-flight index */
};

/* Work for a worker: a request to serve, or a call's answer to store. */
struct cache_job {
    struct sim_req *req;                /* NULL for a store */
    uint32_t call;                      /* the store's call */
};

struct cache_slot {
    struct cache_job job;
    uint64_t done_event;                /* 0 while the worker is idle */
};

struct cache_stats {
    uint64_t n_arrived, n_completed, n_dropped, n_present_start;
    uint64_t n_failed_replies;          /* answers carrying a failure */
    uint64_t n_reads, n_writes, n_hits, n_misses;
    uint64_t n_evictions, n_expirations, n_invalidations, n_coalesced;
    uint64_t n_fetches;                 /* reads sent to the backend */
    uint64_t n_refreshes;               /* early or ahead of expiry */
    uint64_t n_backend_writes;          /* writes and CAS passed on */
    uint64_t n_write_backs;             /* write-behind flushes sent */
    uint64_t n_lost_writes;             /* acknowledged, lost in a crash */
    uint64_t n_backend_failures;        /* calls that failed or timed out */
};

/* What a crash destroyed, for the timeline. */
struct cache_crash {
    double t_s;
    uint64_t n_writes, n_keys;
};

struct cache;

/* An eviction policy; every operation is O(1). */
struct cache_policy_ops {
    void (*insert)(struct sim *sim, struct cache *c, uint32_t e);
    void (*touch)(struct sim *sim, struct cache *c, uint32_t e);
    void (*remove)(struct sim *sim, struct cache *c, uint32_t e);
    uint32_t (*victim)(struct sim *sim, struct cache *c);
};

struct cache {
    char *name;
    uint32_t id;                        /* entity id */
    const struct cache_policy_ops *policy;
    enum cache_strategy strategy;
    enum cache_stampede stampede;
    uint64_t capacity;                  /* items */
    uint64_t capacity_bytes;            /* UINT64_MAX when not limited */
    uint64_t item_min, item_max;        /* bytes per key */
    sim_time ttl;                       /* ns; 0: no expiry */
    sim_time flush_after;               /* write-behind delay, ns */
    sim_time refresh_after;             /* refresh-ahead age, ns */
    sim_time timeout;                   /* backend calls, ns */
    double beta;                        /* early-refresh eagerness */
    struct sim_dist *hit_time;
    unsigned workers;
    char *backend_name;
    const uint32_t *backends;           /* resolved at start */
    size_t n_backends;

    struct cache_entry *entries;        /* capacity slots */
    uint32_t n_touched;                 /* slots ever used */
    uint32_t free_entry;                /* recycled slots */
    uint32_t *index;                    /* key hash -> entry + 1 */
    uint64_t index_mask;
    struct cache_list order;            /* LRU, FIFO: newest at head */
    struct cache_list expiry;           /* latest expiry at head */
    struct cache_bucket *buckets;       /* LFU: capacity + 1 */
    uint32_t n_buckets_touched, free_bucket;
    uint32_t lowest;                    /* LFU: bucket of least freq */
    uint32_t *dense;                    /* random: resident entries */
    uint64_t n_items, n_bytes;

    struct cache_call *calls;           /* grown by doubling */
    uint32_t n_calls_touched, cap_calls, free_call;
    uint32_t *call_index;               /* key hash -> call + 1 */
    uint64_t call_mask;
    uint32_t n_mapped;

    struct cache_slot *slots;           /* one per worker */
    unsigned *idle;                     /* stack of idle workers */
    unsigned n_busy;
    struct cache_job *fifo;             /* ring of waiting jobs */
    size_t fifo_head, n_fifo, cap_fifo; /* cap_fifo: a power of two */

    uint64_t n_present;                 /* client requests held */
    struct cache_stats st;
    size_t n_windows;
    uint64_t *win_hits, *win_misses, *win_fetches; /* per window */
    struct cache_crash *crashes;
    size_t n_crashes, cap_crashes;
};

/* --- lists and the key index ------------------------------------------- */

static struct cache_links *links_of(struct cache *c, uint32_t e,
                                    bool is_expiry)
{
    return is_expiry ? &c->entries[e].expiry : &c->entries[e].order;
}

static void list_push(struct cache *c, struct cache_list *l, uint32_t e,
                      bool is_expiry)
{
    struct cache_links *k = links_of(c, e, is_expiry);

    k->prev = CACHE_NIL;
    k->next = l->head;
    if (l->head != CACHE_NIL)
        links_of(c, l->head, is_expiry)->prev = e;
    else
        l->tail = e;
    l->head = e;
}

static void list_unlink(struct cache *c, struct cache_list *l, uint32_t e,
                        bool is_expiry)
{
    struct cache_links *k = links_of(c, e, is_expiry);

    if (k->prev != CACHE_NIL)
        links_of(c, k->prev, is_expiry)->next = k->next;
    else
        l->head = k->next;
    if (k->next != CACHE_NIL)
        links_of(c, k->next, is_expiry)->prev = k->prev;
    else
        l->tail = k->prev;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static uint32_t entry_find(const struct cache *c, uint64_t key)
{
    uint32_t i = c->index[mix64(key) & c->index_mask];

    while (i != 0 && c->entries[i - 1].key != key)
        i = c->entries[i - 1].hash_next;
    return i - 1;                       /* CACHE_NIL when i == 0 */
}

static void index_add(struct cache *c, uint32_t e)
{
    uint32_t *head = &c->index[mix64(c->entries[e].key) & c->index_mask];

    c->entries[e].hash_next = *head;
    *head = e + 1;
}

static void index_del(struct cache *c, uint32_t e)
{
    uint32_t *p = &c->index[mix64(c->entries[e].key) & c->index_mask];

    while (*p != e + 1)
        p = &c->entries[*p - 1].hash_next;
    *p = c->entries[e].hash_next;
}

/* --- eviction policies ------------------------------------------------- */

static void order_insert(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    list_push(c, &c->order, e, false);
}

static void order_remove(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    list_unlink(c, &c->order, e, false);
}

static void lru_touch(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    list_unlink(c, &c->order, e, false);
    list_push(c, &c->order, e, false);
}

/* FIFO and random ignore use. */
static void no_touch(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    (void)c;
    (void)e;
}

static uint32_t order_victim(struct sim *sim, struct cache *c)
{
    (void)sim;
    return c->order.tail;
}

/*
 * LFU buckets are linked by increasing frequency from c->lowest; each
 * resident entry sits in the bucket of its count, so at most capacity + 1
 * buckets exist (one more while an entry moves up).
 */
static uint32_t bucket_new(struct cache *c, uint64_t freq, uint32_t prev,
                           uint32_t next)
{
    uint32_t b = c->free_bucket;
    struct cache_bucket *bk;

    if (b != CACHE_NIL)
        c->free_bucket = c->buckets[b].links.next;
    else
        b = c->n_buckets_touched++;
    bk = &c->buckets[b];
    bk->freq = freq;
    bk->items.head = bk->items.tail = CACHE_NIL;
    bk->links.prev = prev;
    bk->links.next = next;
    if (prev != CACHE_NIL)
        c->buckets[prev].links.next = b;
    else
        c->lowest = b;
    if (next != CACHE_NIL)
        c->buckets[next].links.prev = b;
    return b;
}

/* Takes entry e out of its bucket, freeing the bucket if it empties. */
static void bucket_leave(struct cache *c, uint32_t e)
{
    uint32_t b = c->entries[e].aux;
    struct cache_bucket *bk = &c->buckets[b];

    list_unlink(c, &bk->items, e, false);
    if (bk->items.head != CACHE_NIL)
        return;
    if (bk->links.prev != CACHE_NIL)
        c->buckets[bk->links.prev].links.next = bk->links.next;
    else
        c->lowest = bk->links.next;
    if (bk->links.next != CACHE_NIL)
        c->buckets[bk->links.next].links.prev = bk->links.prev;
    bk->links.next = c->free_bucket;
    c->free_bucket = b;
}

static void lfu_insert(struct sim *sim, struct cache *c, uint32_t e)
{
    uint32_t b = c->lowest;

    (void)sim;
    if (b == CACHE_NIL || c->buckets[b].freq != 1)
        b = bucket_new(c, 1, CACHE_NIL, b);
    c->entries[e].aux = b;
    list_push(c, &c->buckets[b].items, e, false);
}

static void lfu_touch(struct sim *sim, struct cache *c, uint32_t e)
{
    uint32_t b = c->entries[e].aux, up = c->buckets[b].links.next;
    uint64_t freq = c->buckets[b].freq + 1;

    (void)sim;
    if (up == CACHE_NIL || c->buckets[up].freq != freq)
        up = bucket_new(c, freq, b, up);
    bucket_leave(c, e);
    c->entries[e].aux = up;
    list_push(c, &c->buckets[up].items, e, false);
}

static void lfu_remove(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    bucket_leave(c, e);
}

static uint32_t lfu_victim(struct sim *sim, struct cache *c)
{
    (void)sim;
    return c->buckets[c->lowest].items.tail;
}

/* Random keeps the resident entries dense, so a victim is one draw. */
static void random_insert(struct sim *sim, struct cache *c, uint32_t e)
{
    (void)sim;
    c->entries[e].aux = (uint32_t)c->n_items;
    c->dense[c->n_items] = e;
}

static void random_remove(struct sim *sim, struct cache *c, uint32_t e)
{
    uint32_t slot = c->entries[e].aux, last = c->dense[c->n_items - 1];

    (void)sim;
    c->dense[slot] = last;
    c->entries[last].aux = slot;
}

static uint32_t random_victim(struct sim *sim, struct cache *c)
{
    return c->dense[gsl_rng_uniform_int(sim_rng(sim, c->id), c->n_items)];
}

static const struct cache_policy_ops lru_ops = {
    order_insert, lru_touch, order_remove, order_victim,
};

static const struct cache_policy_ops fifo_ops = {
    order_insert, no_touch, order_remove, order_victim,
};

static const struct cache_policy_ops lfu_ops = {
    lfu_insert, lfu_touch, lfu_remove, lfu_victim,
};

static const struct cache_policy_ops random_ops = {
    random_insert, no_touch, random_remove, random_victim,
};

/* --- backend calls ----------------------------------------------------- */

static uint32_t call_find(const struct cache *c, uint64_t key)
{
    uint32_t i = c->call_index[mix64(key) & c->call_mask];

    while (i != 0 && c->calls[i - 1].key != key)
        i = c->calls[i - 1].hash_next;
    return i - 1;
}

static void call_index_put(struct cache *c, uint32_t k)
{
    uint32_t *head = &c->call_index[mix64(c->calls[k].key) & c->call_mask];

    c->calls[k].hash_next = *head;
    *head = k + 1;
}

/* Doubles the in-flight index when it holds more calls than chains. */
static bool call_index_grow(struct cache *c)
{
    uint64_t n = (c->call_mask + 1) * 2;
    uint32_t *grown = calloc(n, sizeof *grown);

    if (grown == NULL)
        return false;
    free(c->call_index);
    c->call_index = grown;
    c->call_mask = n - 1;
    for (uint32_t k = 0; k < c->n_calls_touched; k++)
        if (c->calls[k].is_live && c->calls[k].is_mapped)
            call_index_put(c, k);
    return true;
}

/* Makes call k the one in flight for its key, for others to join. */
static void call_map(struct sim *sim, struct cache *c, uint32_t k)
{
    if (c->n_mapped + 1 > c->call_mask + 1 && !call_index_grow(c)) {
        sim_fail(sim, SIM_ENOMEM, "out of memory in cache \"%s\"", c->name);
        return;
    }
    c->calls[k].is_mapped = true;
    call_index_put(c, k);
    c->n_mapped++;
}

static void call_unmap(struct cache *c, uint32_t k)
{
    uint32_t *p = &c->call_index[mix64(c->calls[k].key) & c->call_mask];

    while (*p != k + 1)
        p = &c->calls[*p - 1].hash_next;
    *p = c->calls[k].hash_next;
    c->calls[k].is_mapped = false;
    c->n_mapped--;
}

/* A new call, or CACHE_NIL (the run then stops) when out of memory. */
static uint32_t call_new(struct sim *sim, struct cache *c, int kind,
                         uint64_t key)
{
    uint32_t k = c->free_call;

    if (k != CACHE_NIL) {
        c->free_call = c->calls[k].next_free;
    } else if (c->n_calls_touched < c->cap_calls) {
        k = c->n_calls_touched++;
    } else {
        uint32_t cap = c->cap_calls ? c->cap_calls * 2 : 64;
        struct cache_call *grown = NULL;

        if (c->cap_calls < UINT32_MAX / 4)
            grown = realloc(c->calls, cap * sizeof *grown);
        if (grown == NULL) {
            sim_fail(sim, SIM_ENOMEM, "out of memory in cache \"%s\"",
                     c->name);
            return CACHE_NIL;
        }
        c->calls = grown;
        c->cap_calls = cap;
        k = c->n_calls_touched++;
    }
    memset(&c->calls[k], 0, sizeof c->calls[k]);
    c->calls[k].key = key;
    c->calls[k].kind = (uint8_t)kind;
    c->calls[k].is_live = true;
    return k;
}

static void call_free(struct cache *c, uint32_t k)
{
    if (c->calls[k].is_mapped)
        call_unmap(c, k);
    c->calls[k].is_live = false;
    c->calls[k].next_free = c->free_call;
    c->free_call = k;
}

/* req waits for call k from now on (its t_enqueued says since when). */
static void call_wait(struct sim *sim, struct cache *c, uint32_t k,
                      struct sim_req *req)
{
    struct cache_call *call = &c->calls[k];

    req->t_enqueued = sim_now(sim);
    req->hop_tag.ptr = NULL;
    if (call->last != NULL)
        call->last->hop_tag.ptr = req;
    else
        call->first = req;
    call->last = req;
}

/* Sends call k's child request to a backend, with a timeout. */
static void call_send(struct sim *sim, struct cache *c, uint32_t k,
                      const struct sim_req *like)
{
    struct sim_req *child = sim_req_new(sim, c->id);
    struct cache_call *call = &c->calls[k];
    uint32_t to = c->backends[0];

    if (child == NULL)
        return;                         /* the run stops: a cap was hit */
    child->op = call->kind == CACHE_CALL_WRITE ? call->op
              : call->kind == CACHE_CALL_FLUSH ? SIM_OP_WRITE : SIM_OP_READ;
    child->key = call->key;
    child->value = call->value;
    child->session = like != NULL ? like->session : 0;
    if (like != NULL && like->op == SIM_OP_CAS)
        child->version = like->version;
    child->tag.u64 = k;
    call->child = child;
    call->t_sent = sim_now(sim);
    call->timeout_event = sim_schedule(sim, c->timeout, c->id,
                                       CACHE_EV_TIMEOUT,
                                       (union sim_payload){.u64 = k});
    if (c->n_backends > 1)
        to = c->backends[gsl_rng_uniform_int(sim_rng(sim, c->id),
                                             c->n_backends)];
    sim_req_call(sim, c->id, to, child);
}

/* --- the store --------------------------------------------------------- */

/* Writes entry e's unflushed writes back now. */
static void write_back(struct sim *sim, struct cache *c, uint32_t e)
{
    struct cache_entry *en = &c->entries[e];
    uint32_t k;

    if (en->flush_event != 0)
        sim_cancel(sim, en->flush_event);
    en->flush_event = 0;
    k = call_new(sim, c, CACHE_CALL_FLUSH, en->key);
    if (k == CACHE_NIL)
        return;
    c->calls[k].value = en->value;
    c->calls[k].n_writes = en->n_dirty;
    en->n_dirty = 0;
    c->st.n_write_backs++;
    call_send(sim, c, k, NULL);
}

/* Takes entry e out of the store; unflushed writes go back first. */
static void entry_remove(struct sim *sim, struct cache *c, uint32_t e)
{
    struct cache_entry *en = &c->entries[e];

    if (en->n_dirty > 0)
        write_back(sim, c, e);
    index_del(c, e);
    c->policy->remove(sim, c, e);
    if (c->ttl > 0)
        list_unlink(c, &c->expiry, e, true);
    c->n_items--;
    c->n_bytes -= en->size_bytes;
    en->order.next = c->free_entry;
    c->free_entry = e;
}

/* Removes every item whose time has come, soonest first. */
static void expire_due(struct sim *sim, struct cache *c)
{
    sim_time now = sim_now(sim);

    while (c->expiry.tail != CACHE_NIL &&
           c->entries[c->expiry.tail].expires_at <= now) {
        entry_remove(sim, c, c->expiry.tail);
        c->st.n_expirations++;
    }
}

/* The size of key's item: uniform over the range, fixed by the key. */
static uint32_t item_size(const struct cache *c, uint64_t key)
{
    uint64_t span = c->item_max - c->item_min + 1;

    return (uint32_t)(c->item_min + mix64(key ^ 0x5bd1e995ULL) % span);
}

static void make_room(struct sim *sim, struct cache *c, uint32_t size)
{
    while (c->n_items >= c->capacity ||
           c->n_bytes + size > c->capacity_bytes) {
        entry_remove(sim, c, c->policy->victim(sim, c));
        c->st.n_evictions++;
    }
}

static uint32_t entry_alloc(struct cache *c, uint64_t key, uint32_t size)
{
    uint32_t e = c->free_entry;
    struct cache_entry *en;

    if (e != CACHE_NIL)
        c->free_entry = c->entries[e].order.next;
    else
        e = c->n_touched++;
    en = &c->entries[e];
    memset(en, 0, sizeof *en);
    en->key = key;
    en->size_bytes = size;
    return e;
}

/*
 * The entry of key, created (evicting as needed) if absent, with its ttl
 * renewed. is_access says whether a client used it (the policy hears).
 */
static uint32_t entry_put(struct sim *sim, struct cache *c, uint64_t key,
                          bool is_access)
{
    uint32_t e, size;

    expire_due(sim, c);
    e = entry_find(c, key);
    if (e == CACHE_NIL) {
        size = item_size(c, key);
        make_room(sim, c, size);
        e = entry_alloc(c, key, size);
        index_add(c, e);
        c->policy->insert(sim, c, e);
        c->n_items++;
        c->n_bytes += size;
    } else if (is_access) {
        c->policy->touch(sim, c, e);
    }
    if (c->ttl > 0) {
        if (c->entries[e].expires_at != 0)
            list_unlink(c, &c->expiry, e, true);
        c->entries[e].expires_at = sim_now(sim) + c->ttl;
        list_push(c, &c->expiry, e, true);
    }
    return e;
}

static void invalidate(struct sim *sim, struct cache *c, uint64_t key)
{
    uint32_t e = entry_find(c, key);

    if (e == CACHE_NIL)
        return;
    entry_remove(sim, c, e);
    c->st.n_invalidations++;
}

/* --- workers ----------------------------------------------------------- */

static bool fifo_push(struct sim *sim, struct cache *c, struct cache_job job)
{
    if (c->n_fifo == c->cap_fifo) {
        size_t cap = c->cap_fifo ? c->cap_fifo * 2 : 64;
        struct cache_job *grown = malloc(cap * sizeof *grown);

        if (grown == NULL) {
            sim_fail(sim, SIM_ENOMEM, "out of memory in cache \"%s\"",
                     c->name);
            return false;
        }
        for (size_t i = 0; i < c->n_fifo; i++)
            grown[i] = c->fifo[(c->fifo_head + i) & (c->cap_fifo - 1)];
        free(c->fifo);
        c->fifo = grown;
        c->fifo_head = 0;
        c->cap_fifo = cap;
    }
    c->fifo[(c->fifo_head + c->n_fifo) & (c->cap_fifo - 1)] = job;
    c->n_fifo++;
    return true;
}

static struct cache_job fifo_pop(struct cache *c)
{
    struct cache_job job = c->fifo[c->fifo_head];

    c->fifo_head = (c->fifo_head + 1) & (c->cap_fifo - 1);
    c->n_fifo--;
    return job;
}

/* Puts a worker on job for one hit_time. */
static void occupy(struct sim *sim, struct cache *c, struct cache_job job)
{
    unsigned i = c->idle[c->workers - 1 - c->n_busy];
    sim_time service = sim_dist_sample(c->hit_time, sim_rng(sim, c->id));

    c->n_busy++;
    if (job.req != NULL)
        job.req->service_ns += service;
    else
        c->calls[job.call].store_ns = service;
    c->slots[i].job = job;
    c->slots[i].done_event = sim_schedule(sim, service, c->id,
                                          CACHE_EV_DONE,
                                          (union sim_payload){.u64 = i});
}

/* --- answering --------------------------------------------------------- */

static void answer(struct sim *sim, struct cache *c, struct sim_req *req)
{
    c->n_present--;
    c->st.n_completed++;
    if (req->status != SIM_REQ_OK)
        c->st.n_failed_replies++;
    sim_req_reply(sim, c->id, req);
}

static void drop(struct sim *sim, struct cache *c, struct sim_req *req,
                 int reason)
{
    c->n_present--;
    c->st.n_dropped++;
    sim_req_drop(sim, req, reason);
}

/* x, but no more than room (and nothing when room is negative). */
static sim_time share(sim_time x, sim_time room)
{
    return room <= 0 ? 0 : x < room ? x : room;
}

/*
 * What a waiter of call k spent queued and in service: the backend's
 * share (all of it for the request that started the call; for one that
 * joined later, no more than it waited, counted back from the answer:
 * service, then queueing), then storing the answer, likewise.
 */
static void charge_waiter(struct sim *sim, const struct cache_call *call,
                          struct sim_req *req)
{
    sim_time in_fetch = call->t_sent + call->fetch_ns - req->t_enqueued;
    sim_time in_store = sim_now(sim) - (req->t_enqueued > call->t_store_queued
                                        ? req->t_enqueued
                                        : call->t_store_queued);
    sim_time service = share(call->child_service_ns, in_fetch);
    sim_time wait = share(call->child_wait_ns, in_fetch - service);
    sim_time store = share(call->store_ns, in_store);

    req->service_ns += service + store;
    req->wait_ns += wait + share(call->store_wait_ns, in_store - store);
}

/* Answers everyone waiting on call k with its outcome, then frees it. */
static void call_finish(struct sim *sim, struct cache *c, uint32_t k)
{
    struct cache_call *call = &c->calls[k];
    struct sim_req *req = call->first, *next;

    for (; req != NULL; req = next) {
        next = req->hop_tag.ptr;
        charge_waiter(sim, call, req);
        req->status = call->status;
        if (call->status == SIM_REQ_OK) {
            req->version = call->version;
            req->store = call->store;
            if (req->op == SIM_OP_READ)
                req->value = call->value;
        }
        answer(sim, c, req);
    }
    call_free(c, k);
}

/* A worker finished storing call k's answer: apply it, then answer. */
static void store_answer(struct sim *sim, struct cache *c, uint32_t k)
{
    struct cache_call call = c->calls[k];
    struct cache_entry *en;
    uint32_t e;

    if (call.kind == CACHE_CALL_WRITE &&
        (c->strategy != CACHE_STRATEGY_WRITE_THROUGH ||
         call.op != SIM_OP_WRITE)) {
        invalidate(sim, c, call.key);
    } else {
        e = entry_find(c, call.key);
        if (e == CACHE_NIL || c->entries[e].n_dirty == 0 ||
            call.kind == CACHE_CALL_WRITE) {
            e = entry_put(sim, c, call.key, call.kind == CACHE_CALL_WRITE);
            en = &c->entries[e];
            en->value = call.value;
            en->version = call.version;
            en->store = call.store;
            if (call.kind != CACHE_CALL_WRITE)
                en->fetch_ns = call.fetch_ns;
        }
    }
    call_finish(sim, c, k);
}

/* A write-behind write: stored now, written back flush_after later. */
static void store_write_behind(struct sim *sim, struct cache *c,
                               struct sim_req *req)
{
    uint32_t e = entry_put(sim, c, req->key, true);
    struct cache_entry *en = &c->entries[e];

    en->value = req->value;
    en->n_dirty++;
    if (en->flush_event == 0)
        en->flush_event = sim_schedule(sim, c->flush_after, c->id,
                                       CACHE_EV_FLUSH,
                                       (union sim_payload){.u64 = e});
    req->version = 0;
    req->store = 0;
    req->status = SIM_REQ_OK;
}

/* --- serving requests -------------------------------------------------- */

static void send_fetch(struct sim *sim, struct cache *c, uint32_t k,
                       const struct sim_req *like)
{
    c->st.n_fetches++;
    c->win_fetches[sim_window_of(sim, sim_now(sim))]++;
    call_send(sim, c, k, like);
}

/* A read the store cannot answer: join a fetch in flight, or start one. */
static void fetch_for(struct sim *sim, struct cache *c, struct sim_req *req)
{
    uint32_t k = CACHE_NIL;

    if (c->stampede == CACHE_STAMPEDE_COALESCE)
        k = call_find(c, req->key);
    if (k != CACHE_NIL) {
        call_wait(sim, c, k, req);
        c->st.n_coalesced++;
        return;
    }
    k = call_new(sim, c, CACHE_CALL_FILL, req->key);
    if (k == CACHE_NIL) {
        drop(sim, c, req, SIM_FAIL_REJECTED);
        return;
    }
    if (c->stampede == CACHE_STAMPEDE_COALESCE)
        call_map(sim, c, k);
    call_wait(sim, c, k, req);
    send_fetch(sim, c, k, req);
}

/* Refresh-ahead: fetch key in the background unless already fetching. */
static void refresh_ahead(struct sim *sim, struct cache *c,
                          const struct sim_req *req)
{
    uint32_t k;

    if (call_find(c, req->key) != CACHE_NIL)
        return;
    k = call_new(sim, c, CACHE_CALL_REFRESH, req->key);
    if (k == CACHE_NIL)
        return;
    call_map(sim, c, k);
    c->st.n_refreshes++;
    send_fetch(sim, c, k, req);
}

/*
 * Early refresh (XFetch): refetch when now - fetch_ns * beta * ln(u)
 * reaches the expiry, u uniform in (0, 1]; likelier as expiry nears and
 * for items slow to fetch. An item stored by a write, never fetched, has
 * no fetch time and is not refreshed early.
 */
static bool is_early_refresh_due(struct sim *sim, struct cache *c,
                                 const struct cache_entry *en)
{
    double gap_ns;

    if (c->stampede != CACHE_STAMPEDE_EARLY_REFRESH || en->fetch_ns <= 0)
        return false;
    gap_ns = -(double)en->fetch_ns * c->beta *
             log(gsl_rng_uniform_pos(sim_rng(sim, c->id)));
    return gap_ns >= (double)(en->expires_at - sim_now(sim));
}

/* A hit: the answer is taken now and sent after hit_time. */
static void hit(struct sim *sim, struct cache *c, struct sim_req *req,
                uint32_t e)
{
    struct cache_entry *en = &c->entries[e];
    sim_time age;

    c->st.n_hits++;
    c->win_hits[sim_window_of(sim, sim_now(sim))]++;
    c->policy->touch(sim, c, e);
    req->value = en->value;
    req->version = en->n_dirty > 0 ? 0 : en->version;
    req->store = en->n_dirty > 0 ? 0 : en->store;
    req->status = SIM_REQ_OK;
    if (c->strategy != CACHE_STRATEGY_REFRESH_AHEAD)
        return;
    age = sim_now(sim) - (en->expires_at - c->ttl);
    if (age >= c->refresh_after)
        refresh_ahead(sim, c, req);
}

/* Returns whether the read needs a worker (a hit) or went to a fetch. */
static bool serve_read(struct sim *sim, struct cache *c, struct sim_req *req)
{
    uint32_t e;

    c->st.n_reads++;
    expire_due(sim, c);
    e = entry_find(c, req->key);
    if (e != CACHE_NIL && !is_early_refresh_due(sim, c, &c->entries[e])) {
        hit(sim, c, req, e);
        return true;
    }
    if (e != CACHE_NIL)
        c->st.n_refreshes++;
    c->st.n_misses++;
    c->win_misses[sim_window_of(sim, sim_now(sim))]++;
    fetch_for(sim, c, req);
    return false;
}

/* Returns whether the request needs a worker now. */
static bool serve(struct sim *sim, struct cache *c, struct sim_req *req)
{
    uint32_t k;

    if (req->op == SIM_OP_READ)
        return serve_read(sim, c, req);
    c->st.n_writes++;
    if (req->op == SIM_OP_WRITE &&
        c->strategy == CACHE_STRATEGY_WRITE_BEHIND)
        return true;
    k = call_new(sim, c, CACHE_CALL_WRITE, req->key);
    if (k == CACHE_NIL) {
        drop(sim, c, req, SIM_FAIL_REJECTED);
        return false;
    }
    c->calls[k].op = req->op;
    c->calls[k].value = req->value;
    call_wait(sim, c, k, req);
    c->st.n_backend_writes++;
    call_send(sim, c, k, req);
    return false;
}

/* Starts waiting jobs while workers are free. */
static void run_jobs(struct sim *sim, struct cache *c)
{
    while (c->n_busy < c->workers && c->n_fifo > 0) {
        struct cache_job job = fifo_pop(c);

        if (job.req != NULL) {
            job.req->wait_ns += sim_now(sim) - job.req->t_enqueued;
            if (!serve(sim, c, job.req))
                continue;
        } else {
            c->calls[job.call].store_wait_ns =
                sim_now(sim) - c->calls[job.call].t_store_queued;
        }
        occupy(sim, c, job);
    }
}

static void on_request(struct sim *sim, struct cache *c, struct sim_req *req)
{
    c->st.n_arrived++;
    c->n_present++;
    req->t_enqueued = sim_now(sim);
    if (fifo_push(sim, c, (struct cache_job){.req = req}))
        run_jobs(sim, c);
    else
        drop(sim, c, req, SIM_FAIL_REJECTED);
}

static void on_done(struct sim *sim, struct cache *c, unsigned i)
{
    struct cache_job job = c->slots[i].job;

    c->slots[i].done_event = 0;
    c->n_busy--;
    c->idle[c->workers - 1 - c->n_busy] = i;
    if (job.req == NULL) {
        store_answer(sim, c, job.call);
    } else {
        if (job.req->op == SIM_OP_WRITE)
            store_write_behind(sim, c, job.req);
        answer(sim, c, job.req);
    }
    run_jobs(sim, c);
}

/* --- backend answers --------------------------------------------------- */

/* A flush came back: the entry, if still clean, learns its version. */
static void flush_done(struct cache *c, const struct cache_call *call)
{
    uint32_t e;

    if (call->status != SIM_REQ_OK)
        return;
    e = entry_find(c, call->key);
    if (e != CACHE_NIL && c->entries[e].n_dirty == 0) {
        c->entries[e].version = call->version;
        c->entries[e].store = call->store;
    }
}

/* Call k has its outcome (status set); store it or pass it on. */
static void call_done(struct sim *sim, struct cache *c, uint32_t k)
{
    struct cache_call *call = &c->calls[k];

    if (call->status != SIM_REQ_OK)
        c->st.n_backend_failures++;
    if (call->kind == CACHE_CALL_FLUSH) {
        flush_done(c, call);
        call_free(c, k);
        return;
    }
    if (call->status == SIM_REQ_OK) {
        call->t_store_queued = sim_now(sim);
        if (fifo_push(sim, c, (struct cache_job){.call = k}))
            run_jobs(sim, c);
        return;
    }
    if (call->kind == CACHE_CALL_WRITE)
        invalidate(sim, c, call->key);
    call_finish(sim, c, k);
}

static void on_reply(struct sim *sim, struct cache *c, struct sim_req *child)
{
    uint32_t k = (uint32_t)child->tag.u64;
    struct cache_call *call;

    if (!child->is_held || child->origin != c->id)
        return;                         /* given up on: ignore */
    call = &c->calls[k];
    sim_cancel(sim, call->timeout_event);
    call->timeout_event = 0;
    call->status = child->status;
    call->version = child->version;
    call->store = child->store;
    if (call->kind == CACHE_CALL_FILL || call->kind == CACHE_CALL_REFRESH)
        call->value = child->value;
    call->fetch_ns = sim_now(sim) - call->t_sent;
    call->child_wait_ns = child->wait_ns;
    call->child_service_ns = child->service_ns;
    call->child = NULL;
    sim_req_release(sim, child);
    call_done(sim, c, k);
}

static void on_timeout(struct sim *sim, struct cache *c, uint32_t k)
{
    struct cache_call *call = &c->calls[k];

    call->timeout_event = 0;
    call->status = SIM_FAIL_TIMEOUT;
    if (call->child != NULL)
        sim_req_release(sim, call->child);
    call->child = NULL;
    call_done(sim, c, k);
}

static void on_flush(struct sim *sim, struct cache *c, uint32_t e)
{
    c->entries[e].flush_event = 0;
    write_back(sim, c, e);
}

/* --- crashes ----------------------------------------------------------- */

/* Drops every request the node holds and abandons every call. */
static void crash_requests(struct sim *sim, struct cache *c)
{
    for (unsigned i = 0; i < c->workers; i++) {
        struct cache_slot *slot = &c->slots[i];

        if (slot->done_event == 0)
            continue;
        sim_cancel(sim, slot->done_event);
        slot->done_event = 0;
        if (slot->job.req != NULL)
            drop(sim, c, slot->job.req, SIM_FAIL_CRASH);
    }
    while (c->n_fifo > 0) {
        struct cache_job job = fifo_pop(c);

        if (job.req != NULL)
            drop(sim, c, job.req, SIM_FAIL_CRASH);
    }
    for (uint32_t k = 0; k < c->n_calls_touched; k++) {
        struct cache_call *call = &c->calls[k];
        struct sim_req *req, *next;

        if (!call->is_live)
            continue;
        if (call->timeout_event != 0)
            sim_cancel(sim, call->timeout_event);
        if (call->child != NULL)
            sim_req_release(sim, call->child);
        for (req = call->first; req != NULL; req = next) {
            next = req->hop_tag.ptr;
            drop(sim, c, req, SIM_FAIL_CRASH);
        }
        call->is_live = false;
    }
}

/* Counts the writes that were never written back, and notes them. */
static void crash_writes(struct sim *sim, struct cache *c)
{
    struct cache_crash lost = {.t_s = sim_time_to_s(sim_now(sim))};

    for (uint32_t e = 0; e < c->n_touched; e++) {
        struct cache_entry *en = &c->entries[e];

        if (en->n_dirty == 0)
            continue;
        sim_cancel(sim, en->flush_event);
        lost.n_writes += en->n_dirty;
        lost.n_keys++;
    }
    c->st.n_lost_writes += lost.n_writes;
    if (lost.n_writes == 0)
        return;
    if (c->n_crashes == c->cap_crashes) {
        size_t cap = c->cap_crashes ? c->cap_crashes * 2 : 4;
        struct cache_crash *grown = realloc(c->crashes, cap * sizeof *grown);

        if (grown == NULL)
            return;                     /* the figure still counts them */
        c->crashes = grown;
        c->cap_crashes = cap;
    }
    c->crashes[c->n_crashes++] = lost;
}

/* Empties the store's lists and counters (not the indexes). */
static void empty_store(struct cache *c)
{
    c->n_touched = 0;
    c->free_entry = CACHE_NIL;
    c->order.head = c->order.tail = CACHE_NIL;
    c->expiry.head = c->expiry.tail = CACHE_NIL;
    c->n_buckets_touched = 0;
    c->free_bucket = c->lowest = CACHE_NIL;
    c->n_items = c->n_bytes = 0;
    c->n_calls_touched = c->n_mapped = 0;
    c->free_call = CACHE_NIL;
    c->n_busy = 0;
    for (unsigned i = 0; i < c->workers; i++)
        c->idle[i] = i;
}

/* Forgets every item and call: the node's memory is gone. */
static void clear_store(struct cache *c)
{
    memset(c->index, 0, (c->index_mask + 1) * sizeof *c->index);
    memset(c->call_index, 0, (c->call_mask + 1) * sizeof *c->call_index);
    empty_store(c);
}

static void on_crash(struct sim *sim, struct cache *c)
{
    crash_requests(sim, c);
    crash_writes(sim, c);
    clear_store(c);
}

static void cache_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    struct cache *c = state;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        on_request(sim, c, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_reply(sim, c, ev->payload.ptr);
        break;
    case CACHE_EV_DONE:
        on_done(sim, c, (unsigned)ev->payload.u64);
        break;
    case CACHE_EV_TIMEOUT:
        on_timeout(sim, c, (uint32_t)ev->payload.u64);
        break;
    case CACHE_EV_FLUSH:
        on_flush(sim, c, (uint32_t)ev->payload.u64);
        break;
    case SIM_EV_CRASH:
        on_crash(sim, c);
        break;
    default:
        break;                          /* a restart: nothing to re-arm */
    }
}

/* --- configuration ----------------------------------------------------- */

static void key_path(char *buf, size_t n, const char *path, const char *key)
{
    snprintf(buf, n, "%s.%s", path, key);
}

/* An optional duration, at most CACHE_MAX_TIME; *out keeps its default. */
static int parse_time(struct sim_cfg *cfg, const char *path, const char *key,
                      const char *text, sim_time *out)
{
    char sub[256];

    key_path(sub, sizeof sub, path, key);
    if (sim_cfg_duration(cfg, sub, text, *out, out) != 0)
        return SIM_EINVAL;
    if (*out > CACHE_MAX_TIME) {
        sim_cfg_error(cfg, sub, "\"%s\" is more than the limit of "
                      "10000000s (about 115 days)", text);
        return SIM_EINVAL;
    }
    return 0;
}

static int check_times(struct sim_cfg *cfg, const char *path,
                       const struct cache_config *cc, struct cache *c)
{
    char sub[256];
    int rc = 0;

    c->flush_after = CACHE_FLUSH_AFTER_DEFAULT;
    c->timeout = CACHE_TIMEOUT_DEFAULT;
    rc |= parse_time(cfg, path, "ttl", cc->ttl, &c->ttl);
    if (cc->ttl != NULL && c->ttl == 0 && rc == 0) {
        key_path(sub, sizeof sub, path, "ttl");
        sim_cfg_error(cfg, sub, "must be above 0 (leave it out for no "
                      "expiry)");
        rc = SIM_EINVAL;
    }
    rc |= parse_time(cfg, path, "flush_after", cc->flush_after,
                     &c->flush_after);
    if (parse_time(cfg, path, "backend_timeout", cc->backend_timeout,
                   &c->timeout) != 0) {
        rc = SIM_EINVAL;
    } else if (c->timeout == 0) {
        key_path(sub, sizeof sub, path, "backend_timeout");
        sim_cfg_error(cfg, sub, "must be above 0");
        rc = SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "hit_time");
    if (cc->hit_time != NULL)
        rc |= sim_dist_build(cfg, sub, cc->hit_time, &c->hit_time);
    else if ((c->hit_time = sim_dist_constant(0)) == NULL)
        return SIM_ENOMEM;
    return rc != 0 ? SIM_EINVAL : 0;
}

/* item_bytes: {min, max}, both sizes, min <= max <= capacity_bytes. */
static int check_item_bytes(struct sim_cfg *cfg, const char *path,
                            const struct cache_range_config *r,
                            const char *capacity_text, struct cache *c)
{
    char sub[256];
    int rc = 0;

    key_path(sub, sizeof sub, path, "item_bytes");
    if (r->min == NULL || r->max == NULL) {
        sim_cfg_error(cfg, sub, "missing \"%s\" (as in item_bytes: {min: "
                      "1KiB, max: 16KiB})", r->min == NULL ? "min" : "max");
        return SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "item_bytes.min");
    rc |= sim_cfg_size(cfg, sub, r->min, 0, &c->item_min);
    if (rc == 0 && c->item_min == 0) {
        sim_cfg_error(cfg, sub, "must be above 0");
        rc = SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "item_bytes.max");
    if (sim_cfg_size(cfg, sub, r->max, 0, &c->item_max) != 0)
        return SIM_EINVAL;
    if (c->item_max > CACHE_MAX_ITEM_BYTES) {
        sim_cfg_error(cfg, sub, "\"%s\" is more than the limit of 1GiB",
                      r->max);
        return SIM_EINVAL;
    }
    if (c->item_max > c->capacity_bytes) {
        sim_cfg_error(cfg, sub, "\"%s\" is more than capacity_bytes (\"%s\")"
                      ": such an item would never fit", r->max,
                      capacity_text);
        return SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "item_bytes");
    if (rc == 0 && c->item_min > c->item_max) {
        sim_cfg_error(cfg, sub, "\"min\" (%s) is more than \"max\" (%s)",
                      r->min, r->max);
        rc = SIM_EINVAL;
    }
    return rc;
}

static int check_sizes(struct sim_cfg *cfg, const char *path,
                       const struct cache_config *cc, struct cache *c)
{
    char sub[256];

    c->capacity = *cc->capacity;
    c->capacity_bytes = UINT64_MAX;
    c->item_min = c->item_max = 1;
    key_path(sub, sizeof sub, path, "capacity");
    if (c->capacity < 1 || c->capacity > CACHE_MAX_CAPACITY) {
        sim_cfg_error(cfg, sub, "must be between 1 and %llu items",
                      CACHE_MAX_CAPACITY);
        return SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "item_bytes");
    if (cc->capacity_bytes == NULL && cc->item_bytes != NULL) {
        sim_cfg_error(cfg, sub, "item sizes only matter with "
                      "\"capacity_bytes\"");
        return SIM_EINVAL;
    }
    if (cc->capacity_bytes == NULL)
        return 0;
    key_path(sub, sizeof sub, path, "capacity_bytes");
    if (sim_cfg_size(cfg, sub, cc->capacity_bytes, 0, &c->capacity_bytes) != 0)
        return SIM_EINVAL;
    if (c->capacity_bytes < 1 || c->capacity_bytes > CACHE_MAX_BYTES) {
        sim_cfg_error(cfg, sub, "\"%s\" must be above 0 and at most 1PiB "
                      "(2^50 bytes)", cc->capacity_bytes);
        return SIM_EINVAL;
    }
    if (cc->item_bytes == NULL) {
        sim_cfg_error(cfg, sub, "needs \"item_bytes\" (as in item_bytes: "
                      "{min: 1KiB, max: 16KiB})");
        return SIM_EINVAL;
    }
    return check_item_bytes(cfg, path, cc->item_bytes, cc->capacity_bytes,
                            c);
}

/* Records that key (given) belongs to another strategy or stampede. */
static int misplaced(struct sim_cfg *cfg, const char *path, const char *key,
                     const char *owner)
{
    char sub[256];

    key_path(sub, sizeof sub, path, key);
    sim_cfg_error(cfg, sub, "only %s uses \"%s\"", owner, key);
    return SIM_EINVAL;
}

static int check_refresh(struct sim_cfg *cfg, const char *path,
                         const struct cache_config *cc, struct cache *c)
{
    double at = cc->refresh_at ? *cc->refresh_at : CACHE_REFRESH_AT_DEFAULT;
    char sub[256];

    if (c->strategy != CACHE_STRATEGY_REFRESH_AHEAD)
        return cc->refresh_at ? misplaced(cfg, path, "refresh_at",
                                          "strategy: refresh-ahead") : 0;
    key_path(sub, sizeof sub, path, "refresh_at");
    if (!(at > 0.0 && at < 1.0)) {
        sim_cfg_error(cfg, sub, "%g is not a fraction of the ttl in (0, 1)",
                      at);
        return SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "strategy");
    if (c->ttl == 0) {
        sim_cfg_error(cfg, sub, "refresh-ahead needs a \"ttl\" to refresh "
                      "ahead of");
        return SIM_EINVAL;
    }
    sim_time_from_s(at * sim_time_to_s(c->ttl), &c->refresh_after);
    return 0;
}

static int check_stampede(struct sim_cfg *cfg, const char *path,
                          const struct cache_config *cc, struct cache *c)
{
    char sub[256];

    c->beta = cc->beta ? *cc->beta : CACHE_BETA_DEFAULT;
    if (c->stampede != CACHE_STAMPEDE_EARLY_REFRESH)
        return cc->beta ? misplaced(cfg, path, "beta",
                                    "stampede: early-refresh") : 0;
    key_path(sub, sizeof sub, path, "beta");
    if (!(c->beta > 0.0 && c->beta <= CACHE_MAX_BETA)) {
        sim_cfg_error(cfg, sub, "%g must be above 0 and at most 1000",
                      c->beta);
        return SIM_EINVAL;
    }
    key_path(sub, sizeof sub, path, "stampede");
    if (c->ttl == 0) {
        sim_cfg_error(cfg, sub, "early-refresh needs a \"ttl\" to refresh "
                      "before");
        return SIM_EINVAL;
    }
    return 0;
}

static int check_modes(struct sim_cfg *cfg, const char *path,
                       const struct cache_config *cc, struct cache *c)
{
    static const struct cache_policy_ops *const policies[] = {
        [CACHE_POLICY_DEFAULT] = &lru_ops, [CACHE_POLICY_LRU] = &lru_ops,
        [CACHE_POLICY_LFU] = &lfu_ops, [CACHE_POLICY_FIFO] = &fifo_ops,
        [CACHE_POLICY_RANDOM] = &random_ops,
    };
    char sub[256];
    int rc = 0;

    c->policy = policies[cc->policy];
    c->strategy = cc->strategy ? cc->strategy : CACHE_STRATEGY_CACHE_ASIDE;
    c->stampede = cc->stampede ? cc->stampede : CACHE_STAMPEDE_NONE;
    if (c->strategy != CACHE_STRATEGY_WRITE_BEHIND && cc->flush_after)
        rc |= misplaced(cfg, path, "flush_after", "strategy: write-behind");
    rc |= check_refresh(cfg, path, cc, c);
    rc |= check_stampede(cfg, path, cc, c);
    c->workers = cc->workers ? *cc->workers : 1;
    key_path(sub, sizeof sub, path, "workers");
    if (c->workers < 1 || c->workers > CACHE_MAX_WORKERS) {
        sim_cfg_error(cfg, sub, "must be between 1 and %u",
                      CACHE_MAX_WORKERS);
        rc = SIM_EINVAL;
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

/* --- life cycle -------------------------------------------------------- */

static void cache_destroy(void *state)
{
    struct cache *c = state;

    if (c == NULL)
        return;
    sim_dist_free(c->hit_time);
    free(c->entries);
    free(c->index);
    free(c->buckets);
    free(c->dense);
    free(c->calls);
    free(c->call_index);
    free(c->slots);
    free(c->idle);
    free(c->fifo);
    free(c->win_hits);
    free(c->win_misses);
    free(c->win_fetches);
    free(c->crashes);
    free(c->backend_name);
    free(c->name);
    free(c);
}

/*
 * Sizes every structure from the capacity. calloc leaves untouched pages
 * unmapped, so a large cache costs memory only for the items it fills.
 */
static int alloc_store(struct sim *sim, struct cache *c)
{
    uint64_t n_index = 16;

    while (n_index < c->capacity)
        n_index *= 2;
    c->entries = calloc(c->capacity, sizeof *c->entries);
    c->index = calloc(n_index, sizeof *c->index);
    c->index_mask = n_index - 1;
    c->call_index = calloc(64, sizeof *c->call_index);
    c->call_mask = 63;
    if (c->policy == &lfu_ops)
        c->buckets = calloc(c->capacity + 1, sizeof *c->buckets);
    if (c->policy == &random_ops)
        c->dense = calloc(c->capacity, sizeof *c->dense);
    c->slots = calloc(c->workers, sizeof *c->slots);
    c->idle = calloc(c->workers, sizeof *c->idle);
    c->n_windows = sim_n_windows(sim);
    c->win_hits = calloc(c->n_windows + 1, sizeof *c->win_hits);
    c->win_misses = calloc(c->n_windows + 1, sizeof *c->win_misses);
    c->win_fetches = calloc(c->n_windows + 1, sizeof *c->win_fetches);
    if (c->entries == NULL || c->index == NULL || c->call_index == NULL ||
        (c->policy == &lfu_ops && c->buckets == NULL) ||
        (c->policy == &random_ops && c->dense == NULL) ||
        c->slots == NULL || c->idle == NULL || c->win_hits == NULL ||
        c->win_misses == NULL || c->win_fetches == NULL)
        return SIM_ENOMEM;
    empty_store(c);
    return 0;
}

static int cache_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                      const void *config, void **state)
{
    const struct cache_config *cc = config;
    struct cache *c = calloc(1, sizeof *c);
    char sub[256];
    int rc = 0;

    if (c == NULL)
        return SIM_ENOMEM;
    c->name = strdup(cc->name);
    c->backend_name = strdup(cc->backend);
    if (c->name == NULL || c->backend_name == NULL) {
        cache_destroy(c);
        return SIM_ENOMEM;
    }
    key_path(sub, sizeof sub, path, "name");
    rc |= sim_cfg_name(cfg, sub, cc->name);
    rc |= check_sizes(cfg, path, cc, c);
    rc |= check_times(cfg, path, cc, c);
    rc |= check_modes(cfg, path, cc, c);
    if (rc == 0)
        rc = alloc_store(sim, c);
    if (rc == 0 && (c->id = sim_entity_add(sim, c->name, cache_handle, c))
                   == SIM_NO_ENTITY) {
        sim_cfg_error(cfg, path, "the name \"%s\" is already taken", c->name);
        rc = SIM_EINVAL;
    }
    if (rc != 0) {
        cache_destroy(c);
        return rc == SIM_ENOMEM ? rc : SIM_EINVAL;
    }
    *state = c;
    return 0;
}

static int cache_start(struct sim *sim, struct sim_cfg *cfg,
                       const char *path, void *state)
{
    struct cache *c = state;
    char sub[256];

    key_path(sub, sizeof sub, path, "backend");
    c->n_backends = sim_resolve(sim, cfg, sub, c->backend_name,
                                &c->backends);
    if (c->n_backends == 0)
        return SIM_EINVAL;
    for (size_t i = 0; i < c->n_backends; i++) {
        if (c->backends[i] == c->id) {
            sim_cfg_error(cfg, sub, "a cache cannot be its own backend");
            return SIM_EINVAL;
        }
    }
    /* Misses and writes go on: for the check of routes, all of them. */
    if (sim_route_component(sim_route(sim), c->name, &c->id, 1, false) != 0 ||
        sim_route_add(sim_route(sim), c->id, SIM_ROUTE_PASS, 1, c->backends,
                      c->n_backends, sub) != 0)
        return SIM_ENOMEM;
    return 0;
}

static void cache_reset(struct sim *sim, void *state)
{
    struct cache *c = state;

    (void)sim;
    memset(&c->st, 0, sizeof c->st);
    c->st.n_present_start = c->n_present;
}

static double ratio(uint64_t part, uint64_t whole)
{
    return whole > 0 ? (double)part / (double)whole : NAN;
}

static void report_books(const struct cache *c, const char *scope,
                         struct sim_report *rep)
{
    const struct cache_stats *st = &c->st;

    sim_report_add(rep, scope, "arrived", "count", (double)st->n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)st->n_completed);
    sim_report_add(rep, scope, "failed_replies", "count",
                   (double)st->n_failed_replies);
    sim_report_add(rep, scope, "rejected", "count", 0.0);
    sim_report_add(rep, scope, "dropped", "count", (double)st->n_dropped);
    sim_report_add(rep, scope, "present_start", "count",
                   (double)st->n_present_start);
    sim_report_add(rep, scope, "present_end", "count",
                   (double)c->n_present);
}

static void report_counts(struct sim *sim, const struct cache *c,
                          const char *scope, struct sim_report *rep)
{
    double span_s = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));
    const struct cache_stats *st = &c->st;
    const struct {
        const char *name;
        uint64_t value;
    } counts[] = {
        {"reads", st->n_reads}, {"writes", st->n_writes},
        {"hits", st->n_hits}, {"misses", st->n_misses},
        {"evictions", st->n_evictions},
        {"expirations", st->n_expirations},
        {"invalidations", st->n_invalidations},
        {"coalesced", st->n_coalesced},
        {"backend_fetches", st->n_fetches},
        {"refreshes", st->n_refreshes},
        {"backend_writes", st->n_backend_writes},
        {"write_backs", st->n_write_backs},
        {"lost_writes", st->n_lost_writes},
        {"backend_failures", st->n_backend_failures},
        {"items", c->n_items},
    };

    sim_report_add(rep, scope, "hit_ratio", "ratio",
                   ratio(st->n_hits, st->n_hits + st->n_misses));
    sim_report_add(rep, scope, "backend_fetch_rate", "1/s",
                   (double)st->n_fetches / span_s);
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        sim_report_add(rep, scope, counts[i].name, "count",
                       (double)counts[i].value);
    if (c->capacity_bytes != UINT64_MAX)
        sim_report_add(rep, scope, "bytes", "bytes", (double)c->n_bytes);
}

static void report_series(struct sim *sim, const struct cache *c,
                          const char *scope, struct sim_report *rep)
{
    double *v = malloc((c->n_windows + 1) * sizeof *v);
    double width_s = sim_time_to_s(sim_window_width(sim));

    if (v == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    for (size_t w = 0; w < c->n_windows; w++)
        v[w] = ratio(c->win_hits[w], c->win_hits[w] + c->win_misses[w]);
    sim_report_series(rep, scope, "hit_ratio", "ratio", v, c->n_windows);
    for (size_t w = 0; w < c->n_windows; w++) {
        sim_time t0 = (sim_time)w * sim_window_width(sim);
        double span_s = width_s;

        if (t0 + sim_window_width(sim) > sim_run_end(sim))
            span_s = sim_time_to_s(sim_run_end(sim) - t0);
        v[w] = (double)c->win_fetches[w] / span_s;
    }
    sim_report_series(rep, scope, "backend_fetch_rate", "1/s", v,
                      c->n_windows);
    free(v);
}

static const char *const strategy_text[] = {
    [CACHE_STRATEGY_DEFAULT] = "cache-aside",
    [CACHE_STRATEGY_CACHE_ASIDE] = "cache-aside",
    [CACHE_STRATEGY_READ_THROUGH] = "read-through",
    [CACHE_STRATEGY_WRITE_THROUGH] = "write-through",
    [CACHE_STRATEGY_WRITE_BEHIND] = "write-behind",
    [CACHE_STRATEGY_REFRESH_AHEAD] = "refresh-ahead",
};

static const char *const stampede_text[] = {
    [CACHE_STAMPEDE_DEFAULT] = "none", [CACHE_STAMPEDE_NONE] = "none",
    [CACHE_STAMPEDE_COALESCE] = "coalesce",
    [CACHE_STAMPEDE_EARLY_REFRESH] = "early-refresh",
};

static const char *policy_text(const struct cache *c)
{
    if (c->policy == &lfu_ops)
        return "lfu";
    if (c->policy == &fifo_ops)
        return "fifo";
    if (c->policy == &random_ops)
        return "random";
    return "lru";
}

/* How much the cache holds: items, and bytes when limited. */
static void report_capacity(const struct cache *c, const char *scope,
                            struct sim_report *rep)
{
    char lo[32], hi[32];

    sim_report_setting(rep, scope, "capacity", "%llu items",
                       (unsigned long long)c->capacity);
    if (c->capacity_bytes == UINT64_MAX) {
        sim_report_setting(rep, scope, "capacity bytes", "unlimited");
        return;
    }
    sim_report_setting(rep, scope, "capacity bytes", "%s",
                       sim_units_format_size(c->capacity_bytes, lo,
                                             sizeof lo));
    sim_report_setting(rep, scope, "item bytes", "%s to %s",
                       sim_units_format_size(c->item_min, lo, sizeof lo),
                       sim_units_format_size(c->item_max, hi, sizeof hi));
}

/* The strategy with its own timing, and the stampede protection. */
static void report_modes(const struct cache *c, const char *scope,
                         struct sim_report *rep)
{
    char buf[64];

    sim_report_setting(rep, scope, "strategy", "%s",
                       strategy_text[c->strategy]);
    if (c->strategy == CACHE_STRATEGY_WRITE_BEHIND)
        sim_report_setting_duration(rep, scope, "flush after", c->flush_after);
    if (c->strategy == CACHE_STRATEGY_REFRESH_AHEAD)
        sim_report_setting(rep, scope, "refresh at", "%.4g of the ttl (%s)",
                           (double)c->refresh_after / (double)c->ttl,
                           sim_units_format_duration(c->refresh_after, buf,
                                                     sizeof buf));
    sim_report_setting(rep, scope, "stampede", "%s",
                       stampede_text[c->stampede]);
    if (c->stampede == CACHE_STAMPEDE_EARLY_REFRESH)
        sim_report_setting(rep, scope, "beta", "%.6g", c->beta);
}

/* The cache's effective configuration, defaults included. */
static void report_settings(const struct cache *c, const char *scope,
                            struct sim_report *rep)
{
    char buf[256];

    sim_report_setting(rep, scope, "eviction", "%s", policy_text(c));
    report_capacity(c, scope, rep);
    sim_report_setting(rep, scope, "ttl", "%s", c->ttl == 0 ? "none"
                       : sim_units_format_duration(c->ttl, buf, sizeof buf));
    report_modes(c, scope, rep);
    sim_report_setting(rep, scope, "workers", "%u", c->workers);
    sim_report_setting(rep, scope, "hit time", "%s",
                       sim_dist_describe(c->hit_time, buf, sizeof buf));
    sim_report_setting(rep, scope, "backend", "%s", c->backend_name);
    sim_report_setting_duration(rep, scope, "backend timeout", c->timeout);
}

static void cache_report(struct sim *sim, void *state, struct sim_report *rep)
{
    struct cache *c = state;
    char scope[96];

    snprintf(scope, sizeof scope, "cache %s", c->name);
    report_counts(sim, c, scope, rep);
    report_books(c, scope, rep);
    report_series(sim, c, scope, rep);
    report_settings(c, scope, rep);
    for (size_t i = 0; i < c->n_crashes; i++)
        sim_report_note(rep, c->crashes[i].t_s, "lost_writes",
                        "cache %s crashed before writing back %llu "
                        "acknowledged writes to %llu keys: they are lost",
                        c->name,
                        (unsigned long long)c->crashes[i].n_writes,
                        (unsigned long long)c->crashes[i].n_keys);
}

const struct sim_model_ops cache_ops = {
    .section = "caches",
    .kind = "cache",
    .schema = &cache_schema,
    .init = cache_init,
    .start = cache_start,
    .reset = cache_reset,
    .report = cache_report,
    .destroy = cache_destroy,
};
