/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - a scenario file, loaded and checked: the run parameters
 * (name, seed, duration, warm-up, replications, limits) and one list of
 * component configurations per model kind. The model kinds are supplied
 * by the caller, so this module knows none of them.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/expect.h"
#include "sim/sim.h"

#define SIM_SCENARIO_MAX_KINDS 16

/* A list of component configurations, as libcyaml fills it. */
struct sim_scenario_section {
    void *items;                        /* array of the kind's config */
    unsigned count;
};

/* Run parameters with defaults applied. Readable by callers. */
struct sim_scenario {
    char *file;                         /* as given */
    char *name;                         /* the scenario's name */
    uint64_t seed;
    sim_time duration;                  /* whole run, ns */
    sim_time warmup;                    /* discarded first part, ns */
    sim_time window;                    /* width of series windows, ns */
    unsigned replications;
    uint64_t max_events;                /* limits.events */
    size_t max_requests;                /* limits.requests */
    struct sim_expect *expects;         /* parsed expectations */
    unsigned n_expects;
    const struct sim_model_ops *const *kinds; /* the caller's table */
    size_t n_kinds;
    struct sim_scenario_section sections[SIM_SCENARIO_MAX_KINDS];
    uint64_t hash;                      /* FNV-1a of the text as run */
    char *text;                         /* the scenario as run, YAML */
    void *priv;                         /* loader state, private */
};

/*
 * Loads path, applies the --set overrides (n_sets of them, "key=value"),
 * checks it against the schema built from kinds, and applies defaults.
 * Every problem goes to cfg. Returns 0 and sets *out (free it with
 * sim_scenario_free), SIM_EINVAL when cfg holds problems, or SIM_EIO /
 * SIM_ENOMEM with err filled.
 */
int sim_scenario_load(struct sim_cfg *cfg, const char *path,
                      const char *const *sets, size_t n_sets,
                      const struct sim_model_ops *const *kinds,
                      size_t n_kinds, struct sim_scenario **out,
                      struct sim_error *err);

void sim_scenario_free(struct sim_scenario *sc);

/*
 * Builds the simulation of replication rep: creates every component
 * (recording configuration problems in cfg) and starts them. Returns 0
 * and sets *out, or a negative status (SIM_EINVAL when cfg holds
 * problems).
 */
int sim_scenario_build(const struct sim_scenario *sc, struct sim_cfg *cfg,
                       uint32_t rep, struct sim **out,
                       struct sim_error *err);

#endif
