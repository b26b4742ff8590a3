/* SPDX-License-Identifier: MIT */
/*
 * variant.c - loading a scenario with extra assignments. The assignments
 * are applied as --set overrides after the user's own; when they were
 * written in the file (a sweep's values), their problems are moved to
 * that place, so the user is pointed at the line to fix.
 */
#include "sim/variant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_variant_problems_add(struct sim_variant_problems *probs,
                             const char *line)
{
    char **grown;

    for (size_t i = 0; i < probs->n; i++)
        if (strcmp(probs->lines[i], line) == 0)
            return 0;
    grown = realloc(probs->lines, (probs->n + 1) * sizeof *grown);
    if (grown == NULL)
        return SIM_ENOMEM;
    probs->lines = grown;
    grown[probs->n] = strdup(line);
    if (grown[probs->n] == NULL)
        return SIM_ENOMEM;
    probs->n++;
    return 0;
}

void sim_variant_problems_release(struct sim_variant_problems *probs)
{
    for (size_t i = 0; i < probs->n; i++)
        free(probs->lines[i]);
    free(probs->lines);
    probs->lines = NULL;
    probs->n = 0;
}

/* Copies every problem of cfg into probs, placing the variant's first. */
static int collect(struct sim_cfg *cfg, const struct sim_variant_request *rq,
                   struct sim_variant_problems *probs)
{
    char line[1024], note[512];

    for (size_t i = 0; rq->lines != NULL && i < rq->n_extra; i++) {
        snprintf(note, sizeof note, "(swept value %s)", rq->extra[i]);
        sim_cfg_place_override(cfg, (unsigned)(rq->n_sets + i + 1),
                               rq->lines[i], rq->cols[i], note);
    }
    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
        if (sim_variant_problems_add(probs, sim_cfg_format(cfg, i, line,
                                                           sizeof line)))
            return SIM_ENOMEM;
    return 0;
}

int sim_variant_load(const struct sim_variant_request *rq,
                     struct sim_scenario **out,
                     struct sim_variant_problems *probs,
                     struct sim_error *err)
{
    size_t n = rq->n_sets + rq->n_extra;
    const char **sets = calloc(n + 1, sizeof *sets);
    struct sim_cfg *cfg = sim_cfg_new(rq->file);
    int rc = SIM_ENOMEM;

    *out = NULL;
    if (sets == NULL || cfg == NULL)
        goto done;
    for (size_t i = 0; i < rq->n_sets; i++)
        sets[i] = rq->sets[i];
    for (size_t i = 0; i < rq->n_extra; i++)
        sets[rq->n_sets + i] = rq->extra[i];
    rc = sim_scenario_load(cfg, rq->file, sets, n, rq->kinds, rq->n_kinds,
                           out, err);
    if (rc == SIM_EINVAL || (rc != 0 && sim_cfg_n_errors(cfg) > 0)) {
        rc = SIM_EINVAL;
        if (collect(cfg, rq, probs) != 0)
            rc = SIM_ENOMEM;
    }
done:
    if (rc == SIM_ENOMEM && err != NULL && err->code == 0)
        sim_error_set(err, rc, "out of memory");
    sim_cfg_free(cfg);
    free(sets);
    return rc;
}
