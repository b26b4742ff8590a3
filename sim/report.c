/* SPDX-License-Identifier: MIT */
/*
 * report.c - a growable list of named figures. Order of insertion is kept:
 * it is the order of the tables and files written from it.
 */
#include "sim/report.h"

#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

void sim_report_init(struct sim_report *rep)
{
    memset(rep, 0, sizeof *rep);
}

void sim_report_release(struct sim_report *rep)
{
    for (size_t i = 0; i < rep->n_metrics; i++) {
        free(rep->metrics[i].scope);
        free(rep->metrics[i].name);
        free(rep->metrics[i].unit);
    }
    free(rep->metrics);
    sim_report_init(rep);
}

void sim_report_add(struct sim_report *rep, const char *scope,
                    const char *name, const char *unit, double value)
{
    struct sim_metric *m;

    if (rep->n_metrics == rep->cap_metrics) {
        size_t cap = rep->cap_metrics ? rep->cap_metrics * 2 : 64;
        struct sim_metric *grown = realloc(rep->metrics, cap * sizeof *m);

        if (grown == NULL) {
            rep->status = SIM_ENOMEM;
            return;
        }
        rep->metrics = grown;
        rep->cap_metrics = cap;
    }
    m = &rep->metrics[rep->n_metrics];
    m->scope = strdup(scope);
    m->name = strdup(name);
    m->unit = strdup(unit);
    m->value = value;
    if (m->scope == NULL || m->name == NULL || m->unit == NULL) {
        free(m->scope);
        free(m->name);
        free(m->unit);
        rep->status = SIM_ENOMEM;
        return;
    }
    rep->n_metrics++;
}
