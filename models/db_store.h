/* SPDX-License-Identifier: MIT */
/*
 * db_store.h - what one database replica holds: per key, the version it
 * serves, when that version became visible there, and the last-writer-wins
 * stamp that decides between concurrent writes. An open-addressing table;
 * it never shrinks, and lookups allocate nothing.
 */
#ifndef MODELS_DB_STORE_H
#define MODELS_DB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

/* A write's stamp for last-writer-wins: compared by clock, then node. */
struct db_stamp {
    sim_time clock;                     /* accepting node's clock, ns */
    uint32_t node;                      /* accepting node's entity id */
};

/* One key's state on one replica. Fields are public. */
struct db_item {
    uint64_t key;
    uint64_t version;                   /* truth version served; 0: none */
    uint64_t seen;                      /* newest version applied, won or not */
    sim_time t_visible;                 /* when version became visible, ns */
    struct db_stamp stamp;              /* stamp of version */
    bool is_used;                       /* slot holds a key */
};

struct db_store {
    struct db_item *slots;              /* 0 or a power of two of them */
    size_t n_items;                     /* keys held */
    size_t cap;                         /* slots */
};

/* An empty store (allocates nothing). */
void db_store_init(struct db_store *s);

void db_store_release(struct db_store *s);

/* The key's item, or NULL when the store never held it. */
const struct db_item *db_store_find(const struct db_store *s, uint64_t key);

/* The version served for key, 0 when none. */
uint64_t db_store_version(const struct db_store *s, uint64_t key);

/*
 * The key's item, added (all zero but the key) when new. Returns NULL
 * when out of memory. The pointer is valid until the next db_store_get.
 */
struct db_item *db_store_get(struct db_store *s, uint64_t key);

/*
 * Iteration: the used item at or after *pos, advancing *pos past it, or
 * NULL at the end. Start with *pos = 0. Order is slot order.
 */
struct db_item *db_store_next(const struct db_store *s, size_t *pos);

/* Whether stamp a wins over stamp b under last-writer-wins. */
bool db_store_stamp_wins(const struct db_stamp *a, const struct db_stamp *b);

#endif
