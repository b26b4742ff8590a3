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
#define SIM_SCENARIO_TITLE_MAX 1000     /* bytes of a title */
#define SIM_SCENARIO_MAX_REPLICATIONS 10000

/* How charts are drawn (plots.format). */
enum sim_plot_format {
    SIM_PLOT_PNG,                       /* the default */
    SIM_PLOT_SVG,
    SIM_PLOT_NONE,                      /* no charts */
};

/* The chart kinds, as bits of plots.charts. */
enum sim_plot_chart {
    SIM_PLOT_LATENCY = 1 << 0,          /* percentiles over time */
    SIM_PLOT_THROUGHPUT = 1 << 1,       /* throughput and availability */
    SIM_PLOT_CDF = 1 << 2,              /* response-time CDFs */
    SIM_PLOT_SERVERS = 1 << 3,          /* queue length and utilisation */
    SIM_PLOT_CACHE = 1 << 4,            /* hit ratio over time */
    SIM_PLOT_CONSISTENCY = 1 << 5,      /* stale reads, replication lag */
    SIM_PLOT_VISIBILITY = 1 << 6,       /* t-visibility curves */
    SIM_PLOT_ALL = (1 << 7) - 1,
};

/* A list of component configurations, as libcyaml fills it. */
struct sim_scenario_section {
    void *items;                        /* array of the kind's config */
    unsigned count;
};

/* Run parameters with defaults applied. Readable by callers. */
struct sim_scenario {
    char *file;                         /* as given */
    char *name;                         /* the scenario's name */
    char *title;                        /* free text, or NULL */
    uint64_t seed;
    sim_time duration;                  /* whole run, ns */
    sim_time warmup;                    /* discarded first part, ns */
    sim_time window;                    /* width of series windows, ns */
    unsigned replications;
    uint64_t max_events;                /* limits.events */
    size_t max_requests;                /* limits.requests */
    bool is_checking;                   /* check: linearizability */
    struct sim_expect *expects;         /* parsed expectations */
    unsigned n_expects;
    int plot_format;                    /* an enum sim_plot_format */
    unsigned plot_charts;               /* enum sim_plot_chart bits */
    const struct sim_model_ops *const *kinds; /* the caller's table */
    size_t n_kinds;
    struct sim_scenario_section sections[SIM_SCENARIO_MAX_KINDS];
    uint64_t hash;                      /* FNV-1a of the text as run */
    char *text;                         /* the scenario as run, YAML */
    void *priv;                         /* loader state, private */
};

/*
 * Loads path, applies the --set overrides (n_sets of them, "key=value"),
 * checks it against the schema built from kinds, and applies defaults;
 * then builds it once and checks it as a whole: something that sends
 * requests (a kind with is_source), the request graph (see route.h) and
 * the expectations. Every problem goes to cfg. Returns 0 and sets *out
 * (free it with sim_scenario_free), SIM_EINVAL when cfg holds problems,
 * or SIM_EIO / SIM_ENOMEM with err filled.
 */
int sim_scenario_load(struct sim_cfg *cfg, const char *path,
                      const char *const *sets, size_t n_sets,
                      const struct sim_model_ops *const *kinds,
                      size_t n_kinds, struct sim_scenario **out,
                      struct sim_error *err);

void sim_scenario_free(struct sim_scenario *sc);

/*
 * Builds the simulation of replication rep: creates every component
 * (recording configuration problems in cfg) and starts them all, even
 * when some failed. Returns 0 and sets *out, or a negative status
 * (SIM_EINVAL when cfg holds problems).
 */
int sim_scenario_build(const struct sim_scenario *sc, struct sim_cfg *cfg,
                       uint32_t rep, struct sim **out,
                       struct sim_error *err);

#endif
