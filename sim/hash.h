/* SPDX-License-Identifier: MIT */
/*
 * hash.h - FNV-1a, the one string hash of distsim: names to table slots,
 * random-stream seeds, ring positions, the identity of a scenario. Its
 * values are part of the output (seeds, hashes in summary.json), so it
 * never changes.
 */
#ifndef SIM_HASH_H
#define SIM_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SIM_HASH_INIT 0xcbf29ce484222325ULL

/* Continues hash h over n bytes at p. */
static inline uint64_t sim_hash_more(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The hash of n bytes at p. */
static inline uint64_t sim_hash_bytes(const void *p, size_t n)
{
    return sim_hash_more(SIM_HASH_INIT, p, n);
}

/* The hash of a NUL-terminated string, without its NUL. */
static inline uint64_t sim_hash_str(const char *s)
{
    uint64_t h = SIM_HASH_INIT;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

#endif
