/* SPDX-License-Identifier: MIT */
/*
 * run.h - running a scenario given as YAML text through the whole library
 * pipeline (load, replications, summary) from a test, and reading its
 * figures. The text is written to a scratch file of its own under
 * tests/scenarios/, so that relative file names in it resolve there.
 */
#ifndef TESTS_RUN_H
#define TESTS_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"

struct run {
    struct sim_scenario *sc;
    struct sim_batch batch;
    struct sim_summary sum;
};

/*
 * Loads yaml with the given model kinds and runs every replication with
 * jobs worker processes; a scenario that does not load fails the test
 * with its first problem printed. The books must balance.
 */
static inline void run_yaml(const char *yaml,
                            const struct sim_model_ops *const *kinds,
                            size_t n_kinds, unsigned jobs, struct run *r)
{
    char path[] = "tests/scenarios/.run-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    struct sim_cfg *cfg = sim_cfg_new(path);
    struct sim_error err = {0};
    char line[512];
    int rc;

    CHECK(f != NULL && cfg != NULL);
    fputs(yaml, f);
    fclose(f);
    rc = sim_scenario_load(cfg, path, NULL, 0, kinds, n_kinds, &r->sc, &err);
    unlink(path);
    if (rc != 0)
        printf("  %s\n", sim_cfg_n_errors(cfg) ? sim_cfg_format(cfg, 0,
               line, sizeof line) : err.msg);
    sim_cfg_free(cfg);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(sim_batch_run(r->sc, 0, r->sc->replications, jobs, NULL,
                               NULL, &r->batch, &err), 0);
    CHECK_EQ_INT(sim_summary_build(&r->batch, &r->sum, &err), 0);
    CHECK(r->sum.is_balanced);
}

static inline void run_release(struct run *r)
{
    sim_summary_release(&r->sum);
    sim_batch_release(&r->batch);
    sim_scenario_free(r->sc);
}

/* The mean over replications of a figure, which must exist. */
static inline double run_figure(const struct run *r, const char *scope,
                                const char *name)
{
    const struct sim_summary_row *row = sim_summary_find(&r->sum, scope,
                                                         name);

    if (row == NULL)
        printf("  no figure \"%s\" for \"%s\"\n", name, scope);
    CHECK(row != NULL);
    return row->ci.mean;
}

#endif
