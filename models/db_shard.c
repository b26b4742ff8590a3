/* SPDX-License-Identifier: MIT */
/*
 * db_shard.c - key placement. The ring is a sorted array of positions; a
 * key belongs to the first position at or after its hash, wrapping
 * around, so adding a shard moves only the keys its new positions take.
 */
#include "models/db_shard.h"

#include <stdlib.h>

#include "sim/error.h"

struct ring_point {
    uint64_t pos;
    uint32_t shard;
};

uint64_t db_shard_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 29;
    x *= 0xcf1bbcdcb7a56463ULL;
    x ^= x >> 32;
    return x;
}

static int compare_points(const void *a, const void *b)
{
    const struct ring_point *p = a, *q = b;

    if (p->pos != q->pos)
        return p->pos < q->pos ? -1 : 1;
    return p->shard < q->shard ? -1 : p->shard > q->shard;
}

static int build_ring(struct db_shard_map *m, unsigned vnodes, uint64_t salt)
{
    size_t n = (size_t)m->n_shards * vnodes;
    struct ring_point *tmp = malloc(n * sizeof *tmp);

    m->points = malloc(n * sizeof *m->points);
    m->owners = malloc(n * sizeof *m->owners);
    if (tmp == NULL || m->points == NULL || m->owners == NULL) {
        free(tmp);
        return SIM_ENOMEM;
    }
    for (unsigned s = 0; s < m->n_shards; s++) {
        for (unsigned v = 0; v < vnodes; v++) {
            uint64_t id = (uint64_t)s << 32 | v;

            tmp[(size_t)s * vnodes + v].pos = db_shard_mix(salt ^
                                                           db_shard_mix(id));
            tmp[(size_t)s * vnodes + v].shard = s;
        }
    }
    qsort(tmp, n, sizeof *tmp, compare_points);
    for (size_t i = 0; i < n; i++) {
        m->points[i] = tmp[i].pos;
        m->owners[i] = tmp[i].shard;
    }
    m->n_points = n;
    free(tmp);
    return 0;
}

int db_shard_map_init(struct db_shard_map *m, enum db_shard_kind kind,
                      unsigned n_shards, uint64_t key_space, unsigned vnodes,
                      uint64_t salt)
{
    int rc = 0;

    m->kind = kind == DB_SHARD_DEFAULT ? DB_SHARD_HASH : kind;
    m->n_shards = n_shards;
    m->range_width = key_space / n_shards + (key_space % n_shards != 0);
    if (m->range_width == 0)
        m->range_width = 1;
    m->points = NULL;
    m->owners = NULL;
    m->n_points = 0;
    if (m->kind == DB_SHARD_RING)
        rc = build_ring(m, vnodes, salt);
    if (rc != 0)
        db_shard_map_release(m);
    return rc;
}

void db_shard_map_release(struct db_shard_map *m)
{
    free(m->points);
    free(m->owners);
    m->points = NULL;
    m->owners = NULL;
    m->n_points = 0;
}

/* The first ring position at or after h, wrapping to the first one. */
static unsigned ring_owner(const struct db_shard_map *m, uint64_t h)
{
    size_t lo = 0, hi = m->n_points;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (m->points[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return m->owners[lo == m->n_points ? 0 : lo];
}

unsigned db_shard_of(const struct db_shard_map *m, uint64_t key)
{
    uint64_t s;

    if (m->n_shards <= 1)
        return 0;
    switch (m->kind) {
    case DB_SHARD_RANGE:
        s = key / m->range_width;
        return s < m->n_shards ? (unsigned)s : m->n_shards - 1;
    case DB_SHARD_RING:
        return ring_owner(m, db_shard_mix(key));
    default:
        return (unsigned)(db_shard_mix(key) % m->n_shards);
    }
}
