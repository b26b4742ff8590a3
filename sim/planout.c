/* SPDX-License-Identifier: MIT */
/*
 * planout.c - a plan's files. The deciding expectation is the one that
 * fails at the answer's failing neighbour (missed before unsure, else the
 * first); without a neighbour, the one with the least room at the answer.
 * A margin is the distance from the threshold to the far end of the 95%
 * interval (sim_capreport_margin): positive when the whole interval has
 * room to spare.
 */
#include "sim/jsontext.h"
#include "sim/planout.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/capreport.h"
#include "sim/shape.h"
#include "sim/strbuf.h"
#include "sim/sweepout.h"
#include "sim/version.h"

#define PLANOUT_LEVEL 0.95
#define PLANOUT_NONE SIZE_MAX

/* The points read back, and what is derived from them. */
struct out {
    const struct sim_planout *p;
    struct sim_sweepout s;              /* rows in order of value */
    struct sim_sweepout_param param;
    const char **values;                /* per row, borrowed from p */
    size_t *row_of;                     /* point (order tried) -> row */
    size_t *step_of;                    /* row -> point */
    size_t deciding;                    /* index into expects, or NONE */
};

static const struct sim_pointdir *point_of(const struct out *o, size_t k)
{
    return &o->s.rows[o->row_of[k]].point;
}

/* The expectation that decides the answer (see the top of the file). */
static size_t find_deciding(const struct out *o)
{
    const struct sim_planout *p = o->p;
    const struct sim_pointdir *at;
    size_t best = PLANOUT_NONE;

    if (p->neighbour < p->n_points) {
        at = point_of(o, p->neighbour);
        for (size_t i = 0; i < at->n_expects; i++)
            if (at->expects[i].status == SIM_EXPECT_MISSED)
                return i;
        for (size_t i = 0; i < at->n_expects; i++)
            if (at->expects[i].status != SIM_EXPECT_MET)
                return i;
        return PLANOUT_NONE;
    }
    if (p->answer >= p->n_points)
        return PLANOUT_NONE;
    at = point_of(o, p->answer);
    for (size_t i = 0; i < at->n_expects; i++)
        if (best == PLANOUT_NONE ||
            !(sim_capreport_margin_ratio(&at->expects[i]) >=
              sim_capreport_margin_ratio(&at->expects[best])))
            best = i;
    return best;
}

/* ---- reading back ---- */

/* A point's place in the order of value. */
struct by_value {
    double number;
    size_t k;                           /* the point, in order tried */
};

static int cmp_by_value(const void *a, const void *b)
{
    const struct by_value *x = a, *y = b;

    return x->number < y->number ? -1 : x->number > y->number;
}

/* Reads every point into rows, in order of value; fills row_of, step_of. */
static int read_points(struct out *o, const char *dir, struct sim_error *err)
{
    const struct sim_planout *p = o->p;
    size_t n = p->n_points;
    struct by_value *order = calloc(n + 1, sizeof *order);
    char path[4200];
    int rc = 0;

    o->s.rows = calloc(n + 1, sizeof *o->s.rows);
    o->values = calloc(n + 1, sizeof *o->values);
    o->row_of = calloc(n + 1, sizeof *o->row_of);
    o->step_of = calloc(n + 1, sizeof *o->step_of);
    if (order == NULL || o->s.rows == NULL || o->values == NULL ||
        o->row_of == NULL || o->step_of == NULL) {
        free(order);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        order[k] = (struct by_value){p->points[k].number, k};
    qsort(order, n, sizeof *order, cmp_by_value);
    for (size_t r = 0; r < n && rc == 0; r++) {
        struct sim_sweepout_row *row = &o->s.rows[r];
        size_t k = order[r].k;

        o->row_of[k] = r;
        o->step_of[r] = k;
        o->values[r] = p->points[k].value;
        row->values = &o->values[r];
        row->numbers = &p->points[k].number;
        snprintf(row->dir, sizeof row->dir, "points/%04zu", k);
        snprintf(path, sizeof path, "%.4000s/%s", dir, row->dir);
        rc = sim_pointdir_read(path, &row->point, err);
        o->s.n_rows += rc == 0;
    }
    free(order);
    return rc;
}

static void out_release(struct out *o)
{
    for (size_t r = 0; r < o->s.n_rows; r++)
        sim_pointdir_release(&o->s.rows[r].point);
    free(o->s.rows);
    free(o->values);
    free(o->row_of);
    free(o->step_of);
}

/* ---- summary.json ---- */

static json_t *json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static const char *outcome_name(enum sim_planout_outcome oc)
{
    static const char *const names[] = {"found", "at_end", "none",
                                        "no_model"};

    return names[oc];
}

static const char *verdict_name(enum sim_planout_verdict v)
{
    return v == SIM_PLANOUT_MET ? "met"
           : v == SIM_PLANOUT_NOT_MET ? "not_met" : "unsure_at_cap";
}

static json_t *json_question(const struct sim_planout *p)
{
    json_t *q = json_object();

    json_object_set_new(q, "param", json_string(p->key));
    json_object_set_new(q, "unit", json_string(p->unit));
    json_object_set_new(q, "from", json_string(p->from));
    json_object_set_new(q, "to", json_string(p->to));
    json_object_set_new(q, "goal", json_string(p->is_largest ? "largest"
                                                             : "smallest"));
    json_object_set_new(q, "whole_numbers", json_boolean(p->is_whole));
    json_object_set_new(q, "resolution", json_string(p->resolution));
    json_object_set_new(q, "first_replications",
                        json_integer((json_int_t)p->n_start));
    json_object_set_new(q, "max_replications",
                        json_integer((json_int_t)p->max_reps));
    json_object_set_new(q, "assumes_monotone", json_true());
    return q;
}

/* One point, briefly: where it is and how it was judged; null if none. */
static json_t *json_brief(const struct out *o, size_t k)
{
    const struct sim_planout_point *pt;
    json_t *x;

    if (k >= o->p->n_points)
        return json_null();
    pt = &o->p->points[k];
    x = json_object();
    json_object_set_new(x, "value", json_string(pt->value));
    json_object_set_new(x, "number", json_num(pt->number));
    json_object_set_new(x, "dir", json_string(o->s.rows[o->row_of[k]].dir));
    json_object_set_new(x, "replications", json_integer(pt->n_reps));
    json_object_set_new(x, "verdict", json_string(verdict_name(pt->verdict)));
    return x;
}

/* The deciding expectation at point k, or null. */
static json_t *json_interval(const struct out *o, size_t k)
{
    const struct sim_pointdir_expect *e;
    json_t *x;

    if (k >= o->p->n_points || o->deciding == PLANOUT_NONE)
        return json_null();
    e = &point_of(o, k)->expects[o->deciding];
    x = json_object();
    json_object_set_new(x, "value", json_string(o->p->points[k].value));
    json_object_set_new(x, "mean", json_num(e->mean));
    json_object_set_new(x, "ci95_half_width", json_num(e->half_width));
    json_object_set_new(x, "status",
                        json_string(sim_expect_status_name(e->status)));
    return x;
}

static json_t *json_deciding(const struct out *o)
{
    const struct sim_planout *p = o->p;
    size_t at = p->answer < p->n_points ? p->answer : p->neighbour;
    const struct sim_pointdir_expect *e;
    json_t *x;

    if (o->deciding == PLANOUT_NONE || at >= p->n_points)
        return json_null();
    e = &point_of(o, at)->expects[o->deciding];
    x = json_object();
    json_object_set_new(x, "text", json_string(e->text));
    json_object_set_new(x, "scope", json_string(e->scope));
    json_object_set_new(x, "metric", json_string(e->metric));
    json_object_set_new(x, "op", json_string(sim_expect_op_text(e->op)));
    json_object_set_new(x, "threshold", json_num(e->threshold));
    json_object_set_new(x, "at_answer", json_interval(o, p->answer));
    json_object_set_new(x, "at_neighbour", json_interval(o, p->neighbour));
    return x;
}

/* Every expectation's margin at the answer. */
static json_t *json_headroom(const struct out *o)
{
    const struct sim_pointdir *at;
    json_t *list = json_array();

    if (o->p->answer >= o->p->n_points)
        return list;
    at = point_of(o, o->p->answer);
    for (size_t i = 0; i < at->n_expects; i++) {
        const struct sim_pointdir_expect *e = &at->expects[i];
        json_t *x = json_object();

        json_object_set_new(x, "text", json_string(e->text));
        json_object_set_new(x, "scope", json_string(e->scope));
        json_object_set_new(x, "threshold", json_num(e->threshold));
        json_object_set_new(x, "mean", json_num(e->mean));
        json_object_set_new(x, "ci95_half_width", json_num(e->half_width));
        json_object_set_new(x, "margin", json_num(sim_capreport_margin(e)));
        json_object_set_new(x, "margin_ratio",
                            json_num(sim_capreport_margin_ratio(e)));
        json_array_append_new(list, x);
    }
    return list;
}

/* The model's value of the deciding figure at a point (NaN: none). */
static double analytic_value(const struct out *o,
                             const struct sim_pointdir *pt)
{
    const struct sim_pointdir_expect *e;
    struct sim_shape sh;

    if (o->deciding == PLANOUT_NONE)
        return NAN;
    e = &pt->expects[o->deciding];
    sim_shape_match(&pt->settings, &sh);
    for (size_t i = 0; i < sh.n_figs; i++)
        if (strcmp(sh.figs[i].scope, e->scope) == 0 &&
            strcmp(sh.figs[i].name, e->metric) == 0)
            return sh.figs[i].value;
    return NAN;
}

static json_t *json_analytic(const struct sim_planout_analytic *a)
{
    json_t *x = json_object();
    bool has_answer = a->outcome == SIM_PLANOUT_FOUND ||
                      a->outcome == SIM_PLANOUT_AT_END;

    json_object_set_new(x, "outcome", json_string(outcome_name(a->outcome)));
    json_object_set_new(x, "model", a->model[0] ? json_string(a->model)
                                                : json_null());
    json_object_set_new(x, "answer", has_answer ? json_string(a->answer)
                                                : json_null());
    json_object_set_new(x, "why", a->outcome == SIM_PLANOUT_NO_MODEL
                                  ? json_string(a->why) : json_null());
    return x;
}

/* Every point, in order of value. */
static json_t *json_points(const struct out *o)
{
    json_t *list = json_array();

    for (size_t r = 0; r < o->s.n_rows; r++) {
        const struct sim_sweepout_row *row = &o->s.rows[r];
        size_t k = o->step_of[r];
        json_t *x = json_brief(o, k);
        const struct sim_pointdir_expect *e = o->deciding == PLANOUT_NONE
            ? NULL : &row->point.expects[o->deciding];

        json_object_set_new(x, "tried", json_integer((json_int_t)k + 1));
        json_object_set_new(x, "deciding_mean", json_num(e ? e->mean : NAN));
        json_object_set_new(x, "deciding_ci95_half_width",
                            json_num(e ? e->half_width : NAN));
        json_object_set_new(x, "deciding_analytic",
                            json_num(analytic_value(o, &row->point)));
        json_array_append_new(list, x);
    }
    return list;
}

static int write_json(const struct out *o, const char *dir,
                      struct sim_error *err)
{
    const struct sim_planout *p = o->p;
    json_t *root = json_object(), *sc = json_object();
    char path[4200];
    int rc;

    json_object_set_new(root, "distsim", json_string(SIM_VERSION));
    json_object_set_new(sc, "name", json_string(p->name));
    json_object_set_new(sc, "file", json_string(p->file));
    json_object_set_new(root, "scenario", sc);
    json_object_set_new(root, "plan", json_question(p));
    json_object_set_new(root, "confidence_level", json_real(PLANOUT_LEVEL));
    json_object_set_new(root, "outcome", json_string(outcome_name(
                                                         p->outcome)));
    json_object_set_new(root, "answer", json_brief(o, p->answer));
    json_object_set_new(root, "failing_neighbour",
                        json_brief(o, p->neighbour));
    json_object_set_new(root, "deciding", json_deciding(o));
    json_object_set_new(root, "headroom", json_headroom(o));
    json_object_set_new(root, "analytic", json_analytic(&p->analytic));
    json_object_set_new(root, "points", json_points(o));
    snprintf(path, sizeof path, "%.4000s/summary.json", dir);
    rc = sim_json_save(root, path, err);
    json_decref(root);
    return rc;
}

/* ---- the report ---- */

/* Appends to sb the value of the parameter: "servers.s.workers = 7". */
static void name_value(struct sim_strbuf *sb, const struct sim_planout *p,
                       size_t k)
{
    sim_strbuf_printf(sb, "%s = %s", p->key, p->points[k].value);
}

static void para_sb(struct sim_capreport_doc *d, struct sim_strbuf *sb)
{
    char *text = sim_strbuf_take(sb);

    sim_capreport_doc_para(d, text ? text : "");
    free(text);
}

static void question(struct sim_capreport_doc *d, const struct out *o)
{
    const struct sim_planout *p = o->p;
    const struct sim_pointdir *first = &o->s.rows[0].point;
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "What is the %s value of %s from %s to %s at "
                      "which every expectation is met:",
                      p->is_largest ? "largest" : "smallest", p->key,
                      p->from, p->to);
    for (size_t i = 0; i < first->n_expects; i++)
        if (i == 0 || strcmp(first->expects[i].text,
                             first->expects[i - 1].text) != 0)
            sim_strbuf_printf(&sb, "%s \"%s\"", i ? "," : "",
                              first->expects[i].text);
    sim_strbuf_printf(&sb, "? An expectation is met only when the whole 95%% "
                      "interval of its figure satisfies it. The search "
                      "assumes that meeting them is monotone in %s (if a "
                      "value meets them, so does every value %s it), checks "
                      "both ends first, then bisects down to a resolution "
                      "of %s%s.", p->key, p->is_largest ? "below" : "above",
                      p->resolution, p->is_whole ? " (whole numbers)" : "");
    sim_strbuf_printf(&sb, " Each point starts with %u replications; one "
                      "that is unsure gets twice as many, up to %u, and "
                      "still unsure there counts as not meeting them.",
                      p->n_start, p->max_reps);
    para_sb(d, &sb);
}

/* Names a failing expectation at point k ("p99 < 8ms at client web"). */
static void failing(struct sim_strbuf *sb, const struct out *o, size_t k)
{
    const struct sim_pointdir *pt = point_of(o, k);

    if (o->deciding == PLANOUT_NONE || o->deciding >= pt->n_expects)
        return;
    sim_strbuf_printf(sb, " (\"%s\" at %s is %s)",
                      pt->expects[o->deciding].text,
                      pt->expects[o->deciding].scope,
                      sim_expect_status_name(pt->expects[o->deciding].status));
}

static void answer_found(struct sim_strbuf *sb, const struct out *o)
{
    const struct sim_planout *p = o->p;

    sim_strbuf_printf(sb, "Answer: ");
    name_value(sb, p, p->answer);
    if (p->outcome == SIM_PLANOUT_AT_END) {
        sim_strbuf_printf(sb, ", the %s end of the range, already meets "
                          "every expectation (%u replications): the %s "
                          "value that does may lie %s the range; widen it "
                          "with %s to find it.",
                          p->is_largest ? "upper" : "lower",
                          p->points[p->answer].n_reps,
                          p->is_largest ? "largest" : "smallest",
                          p->is_largest ? "above" : "below",
                          p->is_largest ? "--to" : "--from");
        return;
    }
    sim_strbuf_printf(sb, " is the %s value that meets every expectation "
                      "(%u replications); ", p->is_largest ? "largest"
                                                           : "smallest",
                      p->points[p->answer].n_reps);
    name_value(sb, p, p->neighbour);
    sim_strbuf_printf(sb, " does not (%u replications)",
                      p->points[p->neighbour].n_reps);
    failing(sb, o, p->neighbour);
    if (!p->is_whole)
        sim_strbuf_printf(sb, "; the boundary lies between the two, %s "
                          "apart at most", p->resolution);
    sim_strbuf_printf(sb, ".");
}

static void answer(struct sim_capreport_doc *d, const struct out *o)
{
    const struct sim_planout *p = o->p;
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    if (p->outcome == SIM_PLANOUT_NONE) {
        sim_strbuf_printf(&sb, "No value in the range meets every "
                          "expectation: the %s end, ", p->is_largest
                          ? "lower" : "upper");
        name_value(&sb, p, p->neighbour);
        sim_strbuf_printf(&sb, ", does not");
        failing(&sb, o, p->neighbour);
        sim_strbuf_printf(&sb, ", and by the monotonicity assumed no %s "
                          "value does either.", p->is_largest ? "larger"
                                                              : "smaller");
    } else {
        answer_found(&sb, o);
    }
    for (size_t k = 0; k < p->n_points; k++) {
        if (p->points[k].verdict != SIM_PLANOUT_UNSURE)
            continue;
        sim_strbuf_printf(&sb, " At ");
        name_value(&sb, p, k);
        sim_strbuf_printf(&sb, " the verdict was still unsure after %u "
                          "replications, so it counted as not meeting the "
                          "expectations; the answer may lie there.",
                          p->points[k].n_reps);
    }
    para_sb(d, &sb);
}

/* One row of the "how sure" table: the deciding figure at point k. */
static void sure_row(struct sim_capreport_doc *d, const struct out *o,
                     size_t k, const char *role)
{
    const struct sim_pointdir *pt;
    const struct sim_pointdir_expect *e;
    const char *unit;
    char line[768], dist[64] = "n/a", fig[96], lo[64], hi[64], thr[64];
    double hw;

    if (k >= o->p->n_points)
        return;
    pt = point_of(o, k);
    e = &pt->expects[o->deciding];
    unit = sim_capreport_expect_unit(pt, e);
    hw = isfinite(e->half_width) ? e->half_width : 0;
    if (hw > 0)
        snprintf(dist, sizeof dist, "%.1f", fabs(e->mean - e->threshold) /
                 hw);
    sim_capreport_figure(e->metric, unit, e->mean, e->half_width, fig,
                         sizeof fig);
    sim_capreport_value(unit, e->mean - hw, lo, sizeof lo);
    sim_capreport_value(unit, e->mean + hw, hi, sizeof hi);
    sim_capreport_value(unit, e->threshold, thr, sizeof thr);
    snprintf(line, sizeof line, "%s\t%s\t%u\t%s\t[%s, %s]\t%s %s\t%s\t%s",
             role, o->p->points[k].value, o->p->points[k].n_reps, fig, lo,
             hi, sim_expect_op_text(e->op), thr,
             sim_expect_status_name(e->status), dist);
    sim_capreport_doc_row(d, line, false);
}

static void how_sure(struct sim_capreport_doc *d, const struct out *o)
{
    const struct sim_planout *p = o->p;
    size_t at = p->answer < p->n_points ? p->answer : p->neighbour;
    const struct sim_pointdir_expect *e;
    char line[512];

    sim_capreport_doc_heading(d, "How sure");
    if (o->deciding == PLANOUT_NONE || at >= p->n_points) {
        sim_capreport_doc_para(d, "No expectation decides the answer.");
        return;
    }
    e = &point_of(o, at)->expects[o->deciding];
    snprintf(line, sizeof line, "The deciding expectation is \"%s\" at %s. "
             "Its 95%% interval at the answer and at the closest value "
             "that fails; the last column is the distance from the "
             "threshold in half-widths of the interval.", e->text,
             e->scope);
    sim_capreport_doc_para(d, line);
    sim_capreport_doc_table(d, true);
    snprintf(line, sizeof line, "point\t%s\treplications\t%s (mean ± "
             "half-width)\t95%% interval\tthreshold\tverdict\thalf-widths "
             "from the threshold", p->key, e->metric);
    sim_capreport_doc_row(d, line, true);
    sure_row(d, o, p->answer, "answer");
    sure_row(d, o, p->neighbour, p->answer < p->n_points ? "fails"
                                                         : "end that fails");
    sim_capreport_doc_table(d, false);
}

static void headroom(struct sim_capreport_doc *d, const struct out *o)
{
    size_t row;

    sim_capreport_doc_heading(d, "Headroom at the answer");
    if (o->p->answer >= o->p->n_points) {
        sim_capreport_doc_para(d, "There is no answer, so no headroom.");
        return;
    }
    row = o->row_of[o->p->answer];
    sim_capreport_doc_margins(d, &o->s, &row, 1);
}

static void analytic(struct sim_capreport_doc *d, const struct out *o)
{
    const struct sim_planout *p = o->p;
    const struct sim_planout_analytic *a = &p->analytic;
    struct sim_strbuf sb;

    sim_capreport_doc_heading(d, "Analytic answer beside the simulated one");
    sim_strbuf_init(&sb);
    if (a->outcome == SIM_PLANOUT_NO_MODEL) {
        sim_strbuf_printf(&sb, "No analytic answer: %s.", a->why);
    } else if (a->outcome == SIM_PLANOUT_NONE) {
        sim_strbuf_printf(&sb, "By the model (%s), no value in the range "
                          "meets every expectation.", a->model);
    } else {
        sim_strbuf_printf(&sb, "By the model (%s), %s = %s%s; the "
                          "simulation says %s.", a->model, p->key, a->answer,
                          a->outcome == SIM_PLANOUT_AT_END ? ", an end of "
                          "the range" : "", p->answer < p->n_points
                          ? p->points[p->answer].value : "none");
    }
    para_sb(d, &sb);
    if (p->answer < p->n_points && a->outcome != SIM_PLANOUT_NO_MODEL) {
        size_t row = o->row_of[p->answer];

        sim_capreport_doc_para(d, "At the simulated answer:");
        sim_capreport_doc_analytic(d, &o->s, &row, 1);
    }
}

static const char *verdict_words(enum sim_planout_verdict v)
{
    return v == SIM_PLANOUT_MET ? "met"
           : v == SIM_PLANOUT_NOT_MET ? "not met" : "unsure at the cap";
}

static void points_table(struct sim_capreport_doc *d, const struct out *o)
{
    const struct sim_pointdir_expect *e0 = NULL;
    char line[512];

    if (o->deciding != PLANOUT_NONE)
        e0 = &o->s.rows[0].point.expects[o->deciding];
    sim_capreport_doc_heading(d, "Points tried, in order of value");
    sim_capreport_doc_table(d, true);
    snprintf(line, sizeof line, "%s\ttried\treplications\t%s (95%%)\t"
             "%s, analytic\tverdict", o->p->key, e0 ? e0->metric : "-",
             e0 ? e0->metric : "-");
    sim_capreport_doc_row(d, line, true);
    for (size_t r = 0; r < o->s.n_rows; r++) {
        const struct sim_sweepout_row *row = &o->s.rows[r];
        size_t k = o->step_of[r];
        const struct sim_pointdir_expect *e = e0 == NULL ? NULL
            : &row->point.expects[o->deciding];
        double an = analytic_value(o, &row->point);
        char fig[96] = "-", model[64] = "-";

        if (e != NULL)
            sim_capreport_figure(e->metric,
                                 sim_capreport_expect_unit(&row->point, e),
                                 e->mean, e->half_width, fig, sizeof fig);
        if (e != NULL && isfinite(an))
            sim_capreport_value(sim_capreport_expect_unit(&row->point, e),
                                an, model, sizeof model);
        snprintf(line, sizeof line, "%s\t%zu\t%u\t%s\t%s\t%s",
                 o->p->points[k].value, k + 1, o->p->points[k].n_reps, fig,
                 model, verdict_words(o->p->points[k].verdict));
        sim_capreport_doc_row(d, line, false);
    }
    sim_capreport_doc_table(d, false);
}

static int write_report(const struct out *o, const char *dir,
                        struct sim_error *err)
{
    struct sim_capreport_doc d;

    sim_capreport_doc_init(&d, o->p->name);
    sim_capreport_doc_heading(&d, "Question");
    question(&d, o);
    sim_capreport_doc_heading(&d, "Answer");
    answer(&d, o);
    how_sure(&d, o);
    headroom(&d, o);
    analytic(&d, o);
    points_table(&d, o);
    sim_capreport_doc_charts(&d, &o->s, dir);
    return sim_capreport_doc_save(&d, dir, err);
}

/* ---- the whole output ---- */

int sim_planout_write(const struct sim_planout *p, const char *dir,
                      bool has_charts, struct sim_error *err)
{
    struct out o = {.p = p};
    char path[4200];
    int rc;

    o.param = (struct sim_sweepout_param){p->key, p->unit, true};
    o.s.name = p->name;
    o.s.file = p->file;
    o.s.combine = "plan";
    o.s.params = &o.param;
    o.s.n_params = 1;
    rc = read_points(&o, dir, err);
    if (rc == 0) {
        o.deciding = find_deciding(&o);
        sim_sweepout_analyse(&o.s);
        rc = write_json(&o, dir, err);
    }
    snprintf(path, sizeof path, "%.4000s/points.tsv", dir);
    if (rc == 0)
        rc = sim_sweepout_write_tsv(&o.s, path, err);
    if (rc == 0 && has_charts)
        rc = sim_sweepout_charts(&o.s, dir, err);
    else if (rc == 0)
        snprintf(o.s.chart_note, sizeof o.s.chart_note, "No charts were "
                 "drawn (--charts none).");
    if (rc == 0)
        rc = write_report(&o, dir, err);
    out_release(&o);
    return rc;
}

char *sim_planout_text(const struct sim_planout *p, const char *final_dir,
                       bool is_answer_only)
{
    const struct sim_planout_analytic *a = &p->analytic;
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    if (!is_answer_only)
        sim_strbuf_printf(&sb, "plan: the %s %s from %s to %s meeting "
                          "every expectation, %zu point%s tried\n",
                          p->is_largest ? "largest" : "smallest", p->key,
                          p->from, p->to, p->n_points,
                          p->n_points == 1 ? "" : "s");
    if (p->outcome == SIM_PLANOUT_NONE)
        sim_strbuf_printf(&sb, "answer: none in the range (%s=%s does not "
                          "meet them)\n", p->key,
                          p->points[p->neighbour].value);
    else if (p->outcome == SIM_PLANOUT_AT_END)
        sim_strbuf_printf(&sb, "answer: %s=%s, an end of the range: the "
                          "answer may lie beyond it\n", p->key,
                          p->points[p->answer].value);
    else
        sim_strbuf_printf(&sb, "answer: %s=%s (%s=%s does not meet them)\n",
                          p->key, p->points[p->answer].value, p->key,
                          p->points[p->neighbour].value);
    if (a->outcome == SIM_PLANOUT_NO_MODEL)
        sim_strbuf_printf(&sb, "analytic answer: none (%s)\n", a->why);
    else
        sim_strbuf_printf(&sb, "analytic answer: %s%s (%s)\n",
                          a->outcome == SIM_PLANOUT_NONE ? "none in the "
                          "range" : a->answer,
                          a->outcome == SIM_PLANOUT_AT_END ? ", an end of "
                          "the range" : "", a->model);
    if (!is_answer_only)
        sim_strbuf_printf(&sb, "results in %s\n", final_dir);
    return sim_strbuf_take(&sb);
}
