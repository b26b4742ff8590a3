/* SPDX-License-Identifier: MIT */
/*
 * rng.h - independent random streams, one per entity. A stream's seed is a
 * fixed hash of (scenario seed, replication index, entity name), so a
 * stream never depends on addresses, wall time, creation order or on how
 * many processes share the work.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/*
 * The 64-bit seed of the stream named name in replication rep of a
 * scenario seeded with seed. Stable across releases: changing it changes
 * every published result.
 */
uint64_t sim_rng_seed(uint64_t seed, uint32_t rep, const char *name);

/*
 * A new MT19937 stream seeded from sim_rng_seed(seed, rep, name).
 * Returns NULL when out of memory; free it with gsl_rng_free.
 */
gsl_rng *sim_rng_new(uint64_t seed, uint32_t rep, const char *name);

#endif
