/* SPDX-License-Identifier: MIT */
/*
 * sweepdoc.c - the words of a sweep's capacity report. What a sweep can
 * answer depends on what it varies: an offered load alone has a most load
 * that still meets the expectations, a knee and an SLO crossing; a number
 * such as workers has a smallest and a largest value that meet them;
 * named values (policies, replication modes), zipped points and grids
 * have the list of points that meet them. A point meets an expectation
 * only when the whole 95% interval of its figure does.
 */
#include "sim/sweepdoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/capreport.h"
#include "sim/strbuf.h"

/* Points named in a sentence or given margins, at most. */
#define SWEEPDOC_MAX_LISTED 12

/* What the sweep varies, which decides its question. */
enum kind {
    KIND_LOAD,                          /* one parameter, an offered load */
    KIND_NUMBER,                        /* one numeric parameter */
    KIND_NAMED,                         /* one parameter of named values */
    KIND_ZIP,                           /* several, zipped */
    KIND_GRID,                          /* several, every combination */
};

static enum kind kind_of(const struct sim_sweepout *s)
{
    if (s->n_params > 1)
        return strcmp(s->combine, "zip") == 0 ? KIND_ZIP : KIND_GRID;
    if (s->is_load)
        return KIND_LOAD;
    return s->params[0].is_numeric ? KIND_NUMBER : KIND_NAMED;
}

static bool has_expects(const struct sim_sweepout *s)
{
    return s->n_rows > 0 && s->rows[0].point.n_expects > 0;
}

static bool is_met(const struct sim_sweepout *s, size_t r)
{
    return s->rows[r].point.n_expects > 0 && s->rows[r].point.is_met;
}

static void para_sb(struct sim_capreport_doc *d, struct sim_strbuf *sb)
{
    char *text = sim_strbuf_take(sb);

    sim_capreport_doc_para(d, text ? text : "");
    free(text);
}

/* Appends point r's name: "workers=4, rate=2k/s". */
static void put_point(struct sim_strbuf *sb, const struct sim_sweepout *s,
                      size_t r)
{
    char name[512];

    sim_strbuf_printf(sb, "%s", sim_sweepout_point_name(s, r, name,
                                                        sizeof name));
}

/* Appends the swept values of a one-parameter sweep, or their ends. */
static void put_values(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    if (s->n_rows > 8 && s->params[0].is_numeric) {
        sim_strbuf_printf(sb, "from %s to %s", s->rows[0].values[0],
                          s->rows[s->n_rows - 1].values[0]);
        return;
    }
    sim_strbuf_printf(sb, "over");
    for (size_t r = 0; r < s->n_rows; r++)
        sim_strbuf_printf(sb, "%s %s", r ? "," : "", s->rows[r].values[0]);
}

/* Appends the keys: "a and b", "a, b and c". */
static void put_keys(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    for (size_t j = 0; j < s->n_params; j++)
        sim_strbuf_printf(sb, "%s%s", j == 0 ? "" : j + 1 == s->n_params
                          ? " and " : ", ", s->params[j].key);
}

static void question(struct sim_capreport_doc *d,
                     const struct sim_sweepout *s)
{
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    put_keys(&sb, s);
    switch (kind_of(s)) {
    case KIND_LOAD:
        sim_strbuf_printf(&sb, ", the offered load, swept ");
        put_values(&sb, s);
        sim_strbuf_printf(&sb, " (%zu points): how much load does the "
                          "design carry while meeting every expectation, "
                          "where is the knee of its throughput-latency "
                          "curve, and at what throughput does the SLO "
                          "break?", s->n_rows);
        break;
    case KIND_NUMBER:
        sim_strbuf_printf(&sb, " swept ");
        put_values(&sb, s);
        sim_strbuf_printf(&sb, " (%zu points) at the load the scenario "
                          "sets: which values meet every expectation, and "
                          "which are the smallest and the largest that do?",
                          s->n_rows);
        break;
    case KIND_NAMED:
        sim_strbuf_printf(&sb, " swept ");
        put_values(&sb, s);
        sim_strbuf_printf(&sb, ": which of these meet every expectation, "
                          "and with how much room?");
        break;
    case KIND_ZIP:
        sim_strbuf_printf(&sb, " swept together (zipped: point i takes the "
                          "i-th value of each; %zu points): which of the "
                          "points meet every expectation?", s->n_rows);
        break;
    case KIND_GRID:
        sim_strbuf_printf(&sb, " swept as a grid (every combination; %zu "
                          "points): which combinations meet every "
                          "expectation?", s->n_rows);
        break;
    }
    para_sb(d, &sb);
}

/* Appends why point r does not meet every expectation. */
static void why_not(struct sim_strbuf *sb, const struct sim_sweepout *s,
                    size_t r)
{
    const struct sim_pointdir *p = &s->rows[r].point;
    size_t k = 0;
    char fig[96];

    sim_strbuf_printf(sb, " At ");
    put_point(sb, s, r);
    for (size_t i = 0; i < p->n_expects; i++) {
        const struct sim_pointdir_expect *e = &p->expects[i];

        if (e->status == SIM_EXPECT_MET)
            continue;
        sim_capreport_figure(e->metric, sim_capreport_expect_unit(p, e),
                             e->mean, e->half_width, fig, sizeof fig);
        sim_strbuf_printf(sb, "%s \"%s\" at %s is %s (%s)", k++ ? ";" : ",",
                          e->text, e->scope,
                          sim_expect_status_name(e->status), fig);
    }
    sim_strbuf_printf(sb, ".");
}

/* Appends the points that meet every expectation, by name. */
static size_t put_met(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    size_t n_met = 0;

    for (size_t r = 0; r < s->n_rows; r++)
        n_met += is_met(s, r);
    sim_strbuf_printf(sb, "%zu of %zu points meet every expectation (a "
                      "point meets one only when the whole 95%% interval "
                      "of its figure does)", n_met, s->n_rows);
    for (size_t r = 0, k = 0; r < s->n_rows; r++) {
        if (!is_met(s, r))
            continue;
        if (k++ == SWEEPDOC_MAX_LISTED) {
            sim_strbuf_printf(sb, " and %zu more", n_met - SWEEPDOC_MAX_LISTED);
            break;
        }
        sim_strbuf_printf(sb, "%s ", k > 1 ? ";" : ":");
        put_point(sb, s, r);
    }
    sim_strbuf_printf(sb, ".");
    return n_met;
}

/* The row of the smallest (or largest) number that meets, or n_rows. */
static size_t extreme_met(const struct sim_sweepout *s, bool is_largest)
{
    size_t best = s->n_rows;

    for (size_t r = 0; r < s->n_rows; r++) {
        double x = s->rows[r].numbers[0];

        if (is_met(s, r) && (best == s->n_rows ||
                             (is_largest ? x > s->rows[best].numbers[0]
                                         : x < s->rows[best].numbers[0])))
            best = r;
    }
    return best;
}

/* The row nearest to row r beyond it (above or below) that fails. */
static size_t failing_beyond(const struct sim_sweepout *s, size_t r,
                             bool is_above)
{
    double x0 = s->rows[r].numbers[0];
    size_t best = s->n_rows;

    for (size_t q = 0; q < s->n_rows; q++) {
        double x = s->rows[q].numbers[0];

        if (is_met(s, q) || (is_above ? !(x > x0) : !(x < x0)))
            continue;
        if (best == s->n_rows || (is_above ? x < s->rows[best].numbers[0]
                                           : x > s->rows[best].numbers[0]))
            best = q;
    }
    return best;
}

/* Appends the points between lo and hi (numbers) that fail. */
static void put_gaps(struct sim_strbuf *sb, const struct sim_sweepout *s,
                     size_t lo, size_t hi)
{
    size_t k = 0;

    for (size_t r = 0; r < s->n_rows; r++) {
        double x = s->rows[r].numbers[0];

        if (is_met(s, r) || !(x > s->rows[lo].numbers[0]) ||
            !(x < s->rows[hi].numbers[0]))
            continue;
        sim_strbuf_printf(sb, "%s", k++ ? ", " : " Not every value between "
                          "them does: ");
        sim_strbuf_printf(sb, "%s", s->rows[r].values[0]);
    }
    if (k > 0)
        sim_strbuf_printf(sb, " %s not.", k == 1 ? "does" : "do");
}

/* The smallest and largest values that meet, for one numeric parameter. */
static void answer_range(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    size_t lo = extreme_met(s, false), hi = extreme_met(s, true), f;

    if (lo == s->n_rows)
        return;
    if (kind_of(s) == KIND_LOAD)
        sim_strbuf_printf(sb, " The most load swept that meets every "
                          "expectation is %s=%s.", sim_sweepout_param_name(
                          s, 0), s->rows[hi].values[0]);
    else if (lo == hi)
        sim_strbuf_printf(sb, " The only value of %s that meets every "
                          "expectation is %s.", s->params[0].key,
                          s->rows[lo].values[0]);
    else
        sim_strbuf_printf(sb, " The smallest value of %s that meets every "
                          "expectation is %s, the largest %s.",
                          s->params[0].key, s->rows[lo].values[0],
                          s->rows[hi].values[0]);
    put_gaps(sb, s, lo, hi);
    if (kind_of(s) != KIND_LOAD &&
        (f = failing_beyond(s, lo, false)) < s->n_rows)
        why_not(sb, s, f);
    if ((f = failing_beyond(s, hi, true)) < s->n_rows)
        why_not(sb, s, f);
}

/* Why the points that fail do, for named values, zips and grids. */
static void answer_misses(struct sim_strbuf *sb,
                          const struct sim_sweepout *s)
{
    for (size_t r = 0, k = 0; r < s->n_rows; r++) {
        if (is_met(s, r))
            continue;
        if (k++ == SWEEPDOC_MAX_LISTED) {
            sim_strbuf_printf(sb, " The other points that miss are in "
                              "the table below.");
            return;
        }
        why_not(sb, s, r);
    }
}

static void answer_knee(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    const struct sim_sweepout_knee *k = &s->knee;
    char base[64];

    if (kind_of(s) != KIND_LOAD || !s->has_curve || s->n_rows < 2)
        return;
    sim_capreport_value("s", k->base_s, base, sizeof base);
    if (k->has_knee)
        sim_strbuf_printf(sb, " The knee, where %s of %s first reaches %g "
                          "times its value at the lowest load (%s), is at "
                          "about %.4g/s of throughput, interpolated between "
                          "the points on either side.", k->latency,
                          k->scope, SIM_SWEEPOUT_KNEE_FACTOR, base,
                          k->x_per_s);
    else
        sim_strbuf_printf(sb, " %s of %s never reaches %g times its value "
                          "at the lowest load (%s): no knee within the "
                          "sweep.", k->latency, k->scope,
                          SIM_SWEEPOUT_KNEE_FACTOR, base);
}

static void answer(struct sim_capreport_doc *d, const struct sim_sweepout *s)
{
    enum kind kind = kind_of(s);
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    if (!has_expects(s)) {
        sim_strbuf_printf(&sb, "The scenario states no expectations, so no "
                          "point can be said to meet or miss them.");
    } else {
        put_met(&sb, s);
        if (kind == KIND_LOAD || kind == KIND_NUMBER)
            answer_range(&sb, s);
        else
            answer_misses(&sb, s);
    }
    answer_knee(&sb, s);
    para_sb(d, &sb);
}

/* The SLO sentence of a load sweep: where the latency crosses it. */
static void slo_crossing(struct sim_capreport_doc *d,
                         const struct sim_sweepout *s)
{
    const struct sim_sweepout_knee *k = &s->knee;
    char thr[64], line[512];

    if (kind_of(s) != KIND_LOAD || !s->has_curve || !isfinite(k->slo_s) ||
        s->n_rows < 2)
        return;
    sim_capreport_value("s", k->slo_s, thr, sizeof thr);
    if (k->n_above_slo == 0)
        snprintf(line, sizeof line, "The mean of %s stays below the SLO "
                 "(%s < %s at %s) at every throughput swept.", k->latency,
                 k->latency, thr, k->scope);
    else if (k->n_above_slo == k->n_curve)
        snprintf(line, sizeof line, "The mean of %s is above the SLO "
                 "(%s < %s at %s) at every throughput swept: no point of "
                 "this sweep meets it.", k->latency, k->latency, thr,
                 k->scope);
    else if (k->has_slo_cross && !k->is_first_above_slo)
        snprintf(line, sizeof line, "The SLO (%s < %s at %s) breaks at "
                 "about %.4g/s of throughput: the mean crosses the "
                 "threshold there, interpolated between the points on "
                 "either side.", k->latency, thr, k->scope, k->slo_x_per_s);
    else
        snprintf(line, sizeof line, "The mean of %s is above the SLO "
                 "(%s < %s at %s) at %zu of the %zu throughputs swept, "
                 "the lowest among them: see the points above.",
                 k->latency, k->latency, thr, k->scope, k->n_above_slo,
                 k->n_curve);
    sim_capreport_doc_para(d, line);
}

static void headroom(struct sim_capreport_doc *d,
                     const struct sim_sweepout *s)
{
    size_t rows[SWEEPDOC_MAX_LISTED], n = 0, n_met = 0;
    char line[1024], name[512];

    slo_crossing(d, s);
    if (!has_expects(s)) {
        sim_capreport_doc_para(d, "The scenario states no expectations, so "
                               "there are no margins to measure.");
        return;
    }
    for (size_t r = 0; r < s->n_rows; r++) {
        n_met += is_met(s, r);
        if (is_met(s, r) && n < SWEEPDOC_MAX_LISTED)
            rows[n++] = r;
    }
    if (n == 0) {
        sim_capreport_doc_para(d, "No point meets every expectation, so "
                               "there is no headroom to measure.");
        return;
    }
    if (kind_of(s) == KIND_LOAD) {
        rows[0] = extreme_met(s, true);
        n = 1;
        snprintf(line, sizeof line, "Margins at %s, the most load swept "
                 "that meets every expectation.",
                 sim_sweepout_point_name(s, rows[0], name, sizeof name));
    } else {
        snprintf(line, sizeof line, "Margins at each point that meets every "
                 "expectation%s.", n < n_met ? " (the first 12; every "
                 "figure of every point is in sweep.tsv)" : "");
    }
    sim_capreport_doc_para(d, line);
    sim_capreport_doc_margins(d, s, rows, n);
}

static void analytic_section(struct sim_capreport_doc *d,
                             const struct sim_sweepout *s)
{
    size_t *rows = malloc((s->n_rows + 1) * sizeof *rows);

    sim_capreport_doc_heading(d, "Analytic values beside the simulated "
                              "ones");
    if (rows == NULL)
        return;
    for (size_t r = 0; r < s->n_rows; r++)
        rows[r] = r;
    sim_capreport_doc_analytic(d, s, rows, s->n_rows);
    free(rows);
}

/* Whether the curve's latency is also an expectation's figure. */
static bool latency_is_expected(const struct sim_sweepout *s)
{
    const struct sim_pointdir *p = &s->rows[0].point;

    for (size_t i = 0; i < p->n_expects; i++)
        if (strcmp(p->expects[i].scope, s->knee.scope) == 0 &&
            strcmp(p->expects[i].metric, s->knee.latency) == 0)
            return true;
    return false;
}

/* Whether an expectation's text is written more than once (one text can
 * be judged at several scopes). */
static bool is_repeated(const struct sim_pointdir *p, size_t i)
{
    for (size_t k = 0; k < p->n_expects; k++)
        if (k != i && strcmp(p->expects[k].text, p->expects[i].text) == 0)
            return true;
    return false;
}

static void points_head(struct sim_capreport_doc *d,
                        const struct sim_sweepout *s)
{
    const struct sim_pointdir *p = &s->rows[0].point;
    struct sim_strbuf sb;
    char *text;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "point");
    for (size_t j = 0; j < s->n_params; j++)
        sim_strbuf_printf(&sb, "\t%s", sim_sweepout_param_name(s, j));
    if (s->has_curve)
        sim_strbuf_printf(&sb, "\tthroughput");
    if (s->has_curve && !latency_is_expected(s))
        sim_strbuf_printf(&sb, "\t%s", s->knee.latency);
    for (size_t i = 0; i < p->n_expects; i++) {
        sim_strbuf_printf(&sb, "\t%s", p->expects[i].text);
        if (is_repeated(p, i))
            sim_strbuf_printf(&sb, " (%s)", p->expects[i].scope);
    }
    sim_strbuf_printf(&sb, "\tverdict");
    text = sim_strbuf_take(&sb);
    sim_capreport_doc_row(d, text ? text : "", true);
    free(text);
}

/* Appends a figure of point r, formatted, as a cell. */
static void put_figure(struct sim_strbuf *sb, const struct sim_pointdir *p,
                       const char *scope, const char *name)
{
    const struct sim_pointdir_figure *f = sim_pointdir_find(p, scope, name);
    char fig[96] = "n/a";

    if (f != NULL)
        sim_capreport_figure(f->name, f->unit, f->mean, f->half_width, fig,
                             sizeof fig);
    sim_strbuf_printf(sb, "\t%s", fig);
}

/* Appends expectation i of the first point, as judged at p, as a cell. */
static void put_expect(struct sim_strbuf *sb, const struct sim_pointdir *p,
                       const struct sim_pointdir_expect *want)
{
    char fig[96];

    for (size_t i = 0; i < p->n_expects; i++) {
        const struct sim_pointdir_expect *e = &p->expects[i];

        if (strcmp(e->text, want->text) != 0 ||
            strcmp(e->scope, want->scope) != 0)
            continue;
        sim_capreport_figure(e->metric, sim_capreport_expect_unit(p, e),
                             e->mean, e->half_width, fig, sizeof fig);
        sim_strbuf_printf(sb, "\t%s (%s)", fig,
                          sim_expect_status_name(e->status));
        return;
    }
    sim_strbuf_printf(sb, "\tn/a");
}

static void points_row(struct sim_capreport_doc *d,
                       const struct sim_sweepout *s, size_t r)
{
    const struct sim_pointdir *p = &s->rows[r].point;
    const struct sim_pointdir *first = &s->rows[0].point;
    struct sim_strbuf sb;
    char *text;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "%zu", r);
    for (size_t j = 0; j < s->n_params; j++)
        sim_strbuf_printf(&sb, "\t%s", s->rows[r].values[j]);
    if (s->has_curve)
        put_figure(&sb, p, s->knee.scope, "throughput");
    if (s->has_curve && !latency_is_expected(s))
        put_figure(&sb, p, s->knee.scope, s->knee.latency);
    for (size_t i = 0; i < first->n_expects; i++)
        put_expect(&sb, p, &first->expects[i]);
    sim_strbuf_printf(&sb, "\t%s", sim_pointdir_verdict(p));
    text = sim_strbuf_take(&sb);
    sim_capreport_doc_row(d, text ? text : "", false);
    free(text);
}

static void points_table(struct sim_capreport_doc *d,
                         const struct sim_sweepout *s)
{
    char line[512];

    sim_capreport_doc_heading(d, "Points");
    if (s->n_rows == 0)
        return;
    snprintf(line, sizeof line, "Each figure is the mean over the "
             "replications ± the half-width of its 95%% interval%s%s; each "
             "expectation's column shows its figure and its verdict at "
             "that point.", s->has_curve ? ". Throughput is that of " : "",
             s->has_curve ? s->knee.scope : "");
    sim_capreport_doc_para(d, line);
    sim_capreport_doc_table(d, true);
    points_head(d, s);
    for (size_t r = 0; r < s->n_rows; r++)
        points_row(d, s, r);
    sim_capreport_doc_table(d, false);
}

/* Why the report has no throughput-latency chart, when it has none. */
static void curve_note(struct sim_capreport_doc *d,
                       const struct sim_sweepout *s)
{
    if (kind_of(s) == KIND_LOAD || !s->has_curve)
        return;
    sim_capreport_doc_para(d, "There is no throughput-latency chart and no "
                           "knee: they describe how latency grows with "
                           "the offered load, and this sweep does not vary "
                           "the load alone. Each chart shows a figure "
                           "against the swept values instead.");
}

int sim_sweepdoc_write(const struct sim_sweepout *s, const char *dir,
                       struct sim_error *err)
{
    struct sim_capreport_doc d;

    sim_capreport_doc_init(&d, s->name);
    sim_capreport_doc_heading(&d, "Question");
    question(&d, s);
    sim_capreport_doc_heading(&d, "Answer");
    answer(&d, s);
    sim_capreport_doc_heading(&d, "Headroom");
    headroom(&d, s);
    analytic_section(&d, s);
    points_table(&d, s);
    sim_capreport_doc_charts(&d, s, dir);
    curve_note(&d, s);
    return sim_capreport_doc_save(&d, dir, err);
}
