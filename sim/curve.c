/* SPDX-License-Identifier: MIT */
/*
 * curve.c - curves merged point by point. Point k of a curve means the
 * same thing in every replication (the k-th level of a CDF grid, the k-th
 * time of a fixed grid), so its x and its y are each averaged over
 * replications with a Student-t interval, NaN values skipped.
 */
#include "sim/curve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/strbuf.h"

#define CURVE_LEVEL 0.95

void sim_curve_cdf_levels(double *out)
{
    static const double low[] = {0.001, 0.002, 0.005};
    static const double high[] = {0.995, 0.998, 0.999, 0.9995, 0.9998,
                                  0.9999};
    size_t n = 0;

    for (size_t i = 0; i < sizeof low / sizeof low[0]; i++)
        out[n++] = low[i];
    for (int k = 1; k <= 99; k++)
        out[n++] = k / 100.0;
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++)
        out[n++] = high[i];
}

void sim_curve_report_cdf(struct sim_report *rep, const char *scope,
                          const char *name, const char *x_unit,
                          const struct sim_hist *h)
{
    double level[SIM_CURVE_CDF_N], x[SIM_CURVE_CDF_N];

    sim_curve_cdf_levels(level);
    for (size_t i = 0; i < SIM_CURVE_CDF_N; i++)
        x[i] = sim_hist_quantile(h, level[i]);
    sim_report_curve(rep, scope, name, x_unit, "ratio", x, level,
                     SIM_CURVE_CDF_N);
}

/* Whether every report has curve i with the same name and length. */
static bool curves_agree(const struct sim_report *reps, unsigned n_reps,
                         size_t i)
{
    const struct sim_curve *first = &reps[0].curves[i];

    for (unsigned r = 1; r < n_reps; r++) {
        const struct sim_report *rep = &reps[r];

        if (rep->n_curves != reps[0].n_curves ||
            strcmp(rep->curves[i].name, first->name) != 0 ||
            strcmp(rep->curves[i].scope, first->scope) != 0 ||
            rep->curves[i].n != first->n)
            return false;
    }
    return true;
}

/* Mean and half-width of point k of coordinate y (or x) of curve i. */
static void merge_point(const struct sim_report *reps, unsigned n_reps,
                        size_t i, size_t k, bool is_y, double *v,
                        double *mean, double *hw)
{
    struct sim_ci ci;

    for (unsigned r = 0; r < n_reps; r++) {
        const struct sim_curve *c = &reps[r].curves[i];

        v[r] = is_y ? c->y[k] : c->x[k];
    }
    sim_ci_compute(v, n_reps, CURVE_LEVEL, &ci);
    *mean = ci.mean;
    *hw = ci.half_width;
}

static int merge_one(const struct sim_report *reps, unsigned n_reps,
                     size_t i, struct sim_curve_summary *out)
{
    const struct sim_curve *first = &reps[0].curves[i];
    size_t n = first->n ? first->n : 1;
    double *v = malloc(n_reps * sizeof *v);

    out->scope = first->scope;
    out->name = first->name;
    out->x_unit = first->x_unit;
    out->y_unit = first->y_unit;
    out->n = first->n;
    out->x = malloc(n * sizeof *out->x);
    out->x_hw = malloc(n * sizeof *out->x);
    out->y = malloc(n * sizeof *out->x);
    out->y_hw = malloc(n * sizeof *out->x);
    if (v == NULL || out->x == NULL || out->x_hw == NULL || out->y == NULL ||
        out->y_hw == NULL) {
        free(v);
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < first->n; k++) {
        merge_point(reps, n_reps, i, k, false, v, &out->x[k], &out->x_hw[k]);
        merge_point(reps, n_reps, i, k, true, v, &out->y[k], &out->y_hw[k]);
    }
    free(v);
    return 0;
}

int sim_curve_merge(const struct sim_report *reps, unsigned n_reps,
                    struct sim_curve_summary **out, size_t *n_out,
                    struct sim_error *err)
{
    size_t n = n_reps > 0 ? reps[0].n_curves : 0;

    *n_out = 0;
    *out = calloc(n + 1, sizeof **out);
    if (*out == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!curves_agree(reps, n_reps, i))
            return sim_error_set(err, SIM_EINTERNAL, "replications report "
                                 "different curves");
        (*n_out)++;
        if (merge_one(reps, n_reps, i, &(*out)[i]) != 0)
            return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    return 0;
}

void sim_curve_summary_free(struct sim_curve_summary *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++) {
        free(c[i].x);
        free(c[i].x_hw);
        free(c[i].y);
        free(c[i].y_hw);
    }
    free(c);
}

int sim_curve_write_tsv(const struct sim_curve_summary *c, size_t n,
                        const char *path, struct sim_error *err)
{
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "scope\tcurve\tx_unit\ty_unit\tpoint (index)\t"
                      "x (x_unit)\tx_ci95_half_width (x_unit)\t"
                      "y (y_unit)\ty_ci95_half_width (y_unit)\n");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c[i].n; k++)
            sim_strbuf_printf(&sb, "%s\t%s\t%s\t%s\t%zu\t%.17g\t%.17g\t"
                              "%.17g\t%.17g\n", c[i].scope, c[i].name,
                              c[i].x_unit, c[i].y_unit, k, c[i].x[k],
                              c[i].x_hw[k], c[i].y[k], c[i].y_hw[k]);
    return sim_strbuf_save(&sb, path, err);
}
