/* SPDX-License-Identifier: MIT */
/*
 * targets.h - what a scenario names when it points at entities: a zone, a
 * group ("app" for app.0 .. app.3), an entity name, or a glob such as
 * "orders.*.0", several of them joined by '+'. The network's zones and the
 * fault schedule's targets resolve through here, at start.
 */
#ifndef MODELS_TARGETS_H
#define MODELS_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* Entity ids, sorted and without repeats. Callers may read both fields. */
struct targets {
    uint32_t *ids;                      /* owned; NULL when n is 0 */
    size_t n;
};

/*
 * Whether name matches pattern, where each '*' stands for any run of
 * characters (none included) and every other character for itself.
 */
bool targets_glob_match(const char *pattern, const char *name);

/*
 * Resolves text, found at key path `path`: names and globs joined by '+'.
 * A glob matches entity names only; a plain name is looked up as a group
 * or an entity. The entity `skip` (a model's own, or SIM_NO_ENTITY) is
 * never part of the result and cannot be named. Every problem is recorded
 * in cfg: an empty name, an unknown name, a glob matching nothing (each
 * with a suggestion when one is close). A name or glob that may stand for
 * a component that could not be built (sim_name_is_unbuilt) cannot be
 * judged: it fails the call without a problem of its own. Returns 0 and
 * fills out (release it with targets_release), SIM_EINVAL, or SIM_ENOMEM;
 * out is empty on failure.
 */
int targets_resolve(const struct sim *sim, struct sim_cfg *cfg,
                    const char *path, const char *text, uint32_t skip,
                    struct targets *out);

/* Frees the ids; t is empty afterwards. */
void targets_release(struct targets *t);

/* Whether the sorted sets a and b share an entity; sets *shared to it. */
bool targets_overlap(const struct targets *a, const struct targets *b,
                     uint32_t *shared);

#endif
