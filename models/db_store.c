/* SPDX-License-Identifier: MIT */
/*
 * db_store.c - the replica's key table: linear probing in a power-of-two
 * array kept at most half full, so every probe ends at an empty slot.
 */
#include "models/db_store.h"

#include <stdlib.h>

#define STORE_FIRST_CAP 64

static size_t slot_of(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

void db_store_init(struct db_store *s)
{
    s->slots = NULL;
    s->n_items = 0;
    s->cap = 0;
}

void db_store_release(struct db_store *s)
{
    free(s->slots);
    db_store_init(s);
}

static struct db_item *probe(const struct db_store *s, uint64_t key)
{
    size_t i = slot_of(key, s->cap);

    while (s->slots[i].is_used && s->slots[i].key != key)
        i = (i + 1) & (s->cap - 1);
    return &s->slots[i];
}

const struct db_item *db_store_find(const struct db_store *s, uint64_t key)
{
    const struct db_item *it;

    if (s->cap == 0)
        return NULL;
    it = probe(s, key);
    return it->is_used ? it : NULL;
}

uint64_t db_store_version(const struct db_store *s, uint64_t key)
{
    const struct db_item *it = db_store_find(s, key);

    return it != NULL ? it->version : 0;
}

static bool grow(struct db_store *s)
{
    struct db_store bigger;

    bigger.cap = s->cap ? s->cap * 2 : STORE_FIRST_CAP;
    bigger.n_items = s->n_items;
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (bigger.slots == NULL)
        return false;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].is_used)
            *probe(&bigger, s->slots[i].key) = s->slots[i];
    free(s->slots);
    *s = bigger;
    return true;
}

struct db_item *db_store_get(struct db_store *s, uint64_t key)
{
    struct db_item *it;

    if (s->cap > 0) {
        it = probe(s, key);
        if (it->is_used)
            return it;
    }
    if ((s->n_items + 1) * 2 > s->cap && !grow(s))
        return NULL;
    it = probe(s, key);
    it->key = key;
    it->is_used = true;
    s->n_items++;
    return it;
}

struct db_item *db_store_next(const struct db_store *s, size_t *pos)
{
    while (*pos < s->cap) {
        struct db_item *it = &s->slots[(*pos)++];

        if (it->is_used)
            return it;
    }
    return NULL;
}

bool db_store_stamp_wins(const struct db_stamp *a, const struct db_stamp *b)
{
    if (a->clock != b->clock)
        return a->clock > b->clock;
    return a->node > b->node;
}
