/* SPDX-License-Identifier: MIT */
/*
 * truth.c - versions per (store, key) in an open-addressing table. Each
 * key keeps its acknowledgement times in order, so "newest at time t" is
 * a binary search and appending a version is amortised O(1).
 */
#include "sim/truth.h"

#include <stdlib.h>
#include <string.h>

struct truth_key {
    uint32_t store;
    uint64_t key;
    sim_time *acked;                    /* acked[v - 1]: time of version v */
    uint32_t n, cap;
};

struct sim_truth {
    struct truth_key *slots;            /* power-of-two sized; store 0 free */
    size_t n_slots, cap_slots;
    char **stores;                      /* store names; id = index + 1 */
    uint32_t n_stores;
};

static size_t slot_hash(uint32_t store, uint64_t key, size_t cap)
{
    uint64_t h = (key ^ ((uint64_t)store << 48)) * 0x9e3779b97f4a7c15ULL;

    return (size_t)(h >> 20) & (cap - 1);
}

static struct truth_key *find(const struct sim_truth *t, uint32_t store,
                              uint64_t key)
{
    size_t i;

    if (t->cap_slots == 0)
        return NULL;
    for (i = slot_hash(store, key, t->cap_slots);;
         i = (i + 1) & (t->cap_slots - 1)) {
        struct truth_key *s = &t->slots[i];

        if (s->store == 0 || (s->store == store && s->key == key))
            return s;
    }
}

static int grow_table(struct sim_truth *t)
{
    struct truth_key *old = t->slots;
    size_t old_cap = t->cap_slots;

    t->cap_slots = old_cap ? old_cap * 2 : 1024;
    t->slots = calloc(t->cap_slots, sizeof *t->slots);
    if (t->slots == NULL) {
        t->slots = old;
        t->cap_slots = old_cap;
        return -1;
    }
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].store != 0)
            *find(t, old[i].store, old[i].key) = old[i];
    free(old);
    return 0;
}

struct sim_truth *sim_truth_new(void)
{
    return calloc(1, sizeof(struct sim_truth));
}

void sim_truth_free(struct sim_truth *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->cap_slots; i++)
        free(t->slots[i].acked);
    free(t->slots);
    for (uint32_t i = 0; i < t->n_stores; i++)
        free(t->stores[i]);
    free(t->stores);
    free(t);
}

uint32_t sim_truth_store(struct sim_truth *t, const char *name)
{
    char **grown;

    for (uint32_t i = 0; i < t->n_stores; i++)
        if (strcmp(t->stores[i], name) == 0)
            return i + 1;
    grown = realloc(t->stores, (t->n_stores + 1) * sizeof *grown);
    if (grown == NULL)
        return 0;
    t->stores = grown;
    t->stores[t->n_stores] = strdup(name);
    if (t->stores[t->n_stores] == NULL)
        return 0;
    return ++t->n_stores;
}

uint32_t sim_truth_n_stores(const struct sim_truth *t)
{
    return t->n_stores;
}

uint64_t sim_truth_commit(struct sim_truth *t, uint32_t store, uint64_t key,
                          sim_time at)
{
    struct truth_key *s;

    if ((t->n_slots + 1) * 2 > t->cap_slots && grow_table(t) != 0)
        return 0;
    s = find(t, store, key);
    if (s->store == 0) {
        s->store = store;
        s->key = key;
        t->n_slots++;
    }
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        sim_time *grown = realloc(s->acked, cap * sizeof *grown);

        if (grown == NULL)
            return 0;
        s->acked = grown;
        s->cap = cap;
    }
    s->acked[s->n++] = at;
    return s->n;
}

uint64_t sim_truth_latest(const struct sim_truth *t, uint32_t store,
                          uint64_t key, sim_time at, sim_time *committed_at)
{
    const struct truth_key *s = find(t, store, key);
    uint32_t lo = 0, hi;

    if (s == NULL || s->store == 0) {
        if (committed_at != NULL)
            *committed_at = SIM_TIME_NEVER;
        return 0;
    }
    /* Count the versions acknowledged at or before at. */
    hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (s->acked[mid] <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (committed_at != NULL)
        *committed_at = lo > 0 ? s->acked[lo - 1] : SIM_TIME_NEVER;
    return lo;
}

sim_time sim_truth_commit_time(const struct sim_truth *t, uint32_t store,
                               uint64_t key, uint64_t v)
{
    const struct truth_key *s = find(t, store, key);

    if (s == NULL || s->store == 0 || v < 1 || v > s->n)
        return SIM_TIME_NEVER;
    return s->acked[v - 1];
}
