/* SPDX-License-Identifier: MIT */
/*
 * db_shard.h - which shard holds a key: by a fixed 64-bit hash of the key
 * modulo the shard count, by equal ranges of a key space, or by a
 * consistent-hash ring with virtual nodes. The placement depends only on
 * the configuration, never on the run's seed.
 */
#ifndef MODELS_DB_SHARD_H
#define MODELS_DB_SHARD_H

#include <stddef.h>
#include <stdint.h>

enum db_shard_kind {
    DB_SHARD_DEFAULT,                   /* absent: hash */
    DB_SHARD_HASH,
    DB_SHARD_RANGE,
    DB_SHARD_RING,                      /* consistent hashing */
};

/* A placement; fields are private. */
struct db_shard_map {
    enum db_shard_kind kind;
    unsigned n_shards;
    uint64_t range_width;               /* range: keys per shard */
    uint64_t *points;                   /* ring: sorted positions */
    uint32_t *owners;                   /* ring: shard of each position */
    size_t n_points;
};

/* A fixed mixing function of 64 bits (a bijection). */
uint64_t db_shard_mix(uint64_t x);

/*
 * Builds a placement over n_shards (>= 1). Range placement cuts keys
 * 0 .. key_space-1 into equal ranges (the last takes any larger key);
 * ring placement puts vnodes points per shard on the ring, at positions
 * drawn from salt (so two databases of different names differ). Returns 0
 * or SIM_ENOMEM.
 */
int db_shard_map_init(struct db_shard_map *m, enum db_shard_kind kind,
                      unsigned n_shards, uint64_t key_space, unsigned vnodes,
                      uint64_t salt);

void db_shard_map_release(struct db_shard_map *m);

/* The shard (0 .. n_shards-1) that holds key. */
unsigned db_shard_of(const struct db_shard_map *m, uint64_t key);

#endif
