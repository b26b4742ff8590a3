/* SPDX-License-Identifier: MIT */
/*
 * cache.h - the cache model: a key-value store of bounded size in front
 * of a backend, with an eviction policy, optional expiry, a write
 * strategy and protection against stampedes on a key that expires.
 */
#ifndef MODELS_CACHE_H
#define MODELS_CACHE_H

#include "sim/sim.h"

extern const struct sim_model_ops cache_ops;

#endif
