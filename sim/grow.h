/* SPDX-License-Identifier: MIT */
/*
 * grow.h - arrays that grow by doubling.
 */
#ifndef SIM_GROW_H
#define SIM_GROW_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Makes *arr, an array of *cap elements of elem bytes, hold at least need
 * elements, doubling its capacity from 16. Returns false when memory runs
 * out or the size would overflow, leaving *arr and *cap as they were.
 */
bool sim_grow(void **arr, size_t *cap, size_t elem, size_t need);

#endif
