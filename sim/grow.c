/* SPDX-License-Identifier: MIT */
/*
 * grow.c - arrays that grow by doubling.
 */
#include "sim/grow.h"

#include <stdint.h>
#include <stdlib.h>

bool sim_grow(void **arr, size_t *cap, size_t elem, size_t need)
{
    size_t cap_new = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return true;
    while (cap_new < need) {
        if (cap_new > SIZE_MAX / 2)
            return false;
        cap_new *= 2;
    }
    if (cap_new > SIZE_MAX / elem)
        return false;
    p = realloc(*arr, cap_new * elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = cap_new;
    return true;
}
