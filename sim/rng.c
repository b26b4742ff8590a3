/* SPDX-License-Identifier: MIT */
/*
 * rng.c - seeding per-entity streams. The name is hashed with 64-bit
 * FNV-1a, combined with the scenario seed and replication index, and
 * finished with the splitmix64 mixer so that nearby inputs give unrelated
 * seeds. MT19937 takes 32 bits of seed; the upper and lower halves are
 * folded together so every input bit counts.
 */
#include "sim/rng.h"
#include "sim/hash.h"

#include <stddef.h>

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sim_rng_seed(uint64_t seed, uint32_t rep, const char *name)
{
    return mix64(mix64(seed) ^ mix64(sim_hash_str(name) + rep));
}

gsl_rng *sim_rng_new(uint64_t seed, uint32_t rep, const char *name)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    uint64_t s = sim_rng_seed(seed, rep, name);
    unsigned long folded = (unsigned long)((s >> 32) ^ (s & 0xffffffffULL));

    if (r == NULL)
        return NULL;
    /* GSL's MT19937 treats seed 0 as its built-in default. */
    gsl_rng_set(r, folded != 0 ? folded : 0x5eedUL);
    return r;
}
