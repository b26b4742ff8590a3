/* SPDX-License-Identifier: MIT */
/*
 * capreport.c - the blocks of a capacity report. Every block is written
 * twice as it is added: as Markdown, and as HTML with every chart's SVG
 * inlined so the page needs nothing beside it. Text from the scenario is
 * escaped in both. Figures are formatted by the run report's rules
 * (sim_summary_format_figure), so the same number reads the same in both.
 */
#include "sim/capreport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/shape.h"
#include "sim/strbuf.h"
#include "sim/summary.h"

static void esc_html(struct sim_strbuf *sb, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '<')
            sim_strbuf_printf(sb, "&lt;");
        else if (*s == '>')
            sim_strbuf_printf(sb, "&gt;");
        else if (*s == '&')
            sim_strbuf_printf(sb, "&amp;");
        else if (*s == '"')
            sim_strbuf_printf(sb, "&quot;");
        else
            sim_strbuf_add(sb, s, 1);
    }
}

static void esc_md(struct sim_strbuf *sb, const char *s)
{
    for (; *s != '\0'; s++) {
        if (strchr("\\`*_[]<>|#", *s) != NULL)
            sim_strbuf_add(sb, "\\", 1);
        sim_strbuf_add(sb, s, 1);
    }
}

void sim_capreport_doc_heading(struct sim_capreport_doc *d,
                               const char *text)
{
    sim_strbuf_printf(&d->md, "\n## ");
    esc_md(&d->md, text);
    sim_strbuf_printf(&d->md, "\n\n");
    sim_strbuf_printf(&d->html, "<h2>");
    esc_html(&d->html, text);
    sim_strbuf_printf(&d->html, "</h2>\n");
}

void sim_capreport_doc_para(struct sim_capreport_doc *d, const char *text)
{
    esc_md(&d->md, text);
    sim_strbuf_printf(&d->md, "\n\n");
    sim_strbuf_printf(&d->html, "<p>");
    esc_html(&d->html, text);
    sim_strbuf_printf(&d->html, "</p>\n");
}

/* One cell of a row, text[0..len) (empty cells are kept). */
static void doc_cell(struct sim_capreport_doc *d, const char *text,
                     size_t len, bool is_head)
{
    char *cell = strndup(text, len);

    if (cell == NULL)
        return;
    sim_strbuf_printf(&d->md, " ");
    esc_md(&d->md, cell);
    sim_strbuf_printf(&d->md, " |");
    sim_strbuf_printf(&d->html, is_head ? "<th>" : "<td>");
    esc_html(&d->html, cell);
    sim_strbuf_printf(&d->html, is_head ? "</th>" : "</td>");
    free(cell);
}

void sim_capreport_doc_row(struct sim_capreport_doc *d, const char *text,
                           bool is_head)
{
    size_t n = 0;

    sim_strbuf_printf(&d->md, "|");
    sim_strbuf_printf(&d->html, "<tr>");
    for (const char *c = text;; n++) {
        size_t len = strcspn(c, "\t");

        doc_cell(d, c, len, is_head);
        if (c[len] == '\0')
            break;
        c += len + 1;
    }
    sim_strbuf_printf(&d->md, "\n");
    if (is_head) {
        sim_strbuf_printf(&d->md, "|");
        for (size_t i = 0; i <= n; i++)
            sim_strbuf_printf(&d->md, "---|");
        sim_strbuf_printf(&d->md, "\n");
    }
    sim_strbuf_printf(&d->html, "</tr>\n");
}

void sim_capreport_doc_table(struct sim_capreport_doc *d, bool is_start)
{
    sim_strbuf_printf(&d->html, is_start ? "<table>\n" : "</table>\n");
}

/* Splits "4.66 ms" after the number: the unit label, or "". */
static const char *label_of(const char *value)
{
    const char *space = strchr(value, ' ');

    return space != NULL ? space + 1 : "";
}

const char *sim_capreport_figure(const char *name, const char *unit,
                                 double mean, double hw, char *buf,
                                 size_t n_buf)
{
    struct sim_summary_text t;
    const char *label;

    sim_summary_format_figure(name, unit, mean, hw, &t);
    label = label_of(t.value);
    if (t.half[0] == '\0')
        snprintf(buf, n_buf, "%s", t.value);
    else
        snprintf(buf, n_buf, "%.*s ± %s%s%s",
                 (int)(label[0] ? (size_t)(label - 1 - t.value)
                                : strlen(t.value)),
                 t.value, t.half, label[0] ? " " : "", label);
    return buf;
}

const char *sim_capreport_value(const char *unit, double v, char *buf,
                                size_t n_buf)
{
    struct sim_summary_text t;
    char *end, *p;

    sim_summary_format_figure(NULL, unit, v, NAN, &t);
    snprintf(buf, n_buf, "%s", t.value);
    end = buf + strcspn(buf, " ");
    if (memchr(buf, '.', (size_t)(end - buf)) == NULL)
        return buf;
    for (p = end; p > buf && p[-1] == '0'; p--)
        continue;
    if (p > buf && p[-1] == '.')
        p--;
    memmove(p, end, strlen(end) + 1);
    return buf;
}

const char *sim_capreport_expect_unit(const struct sim_pointdir *p,
                                      const struct sim_pointdir_expect *e)
{
    const struct sim_pointdir_figure *f =
        sim_pointdir_find(p, e->scope, e->metric);

    return f != NULL ? f->unit : "1";
}

double sim_capreport_margin(const struct sim_pointdir_expect *e)
{
    double hw = isfinite(e->half_width) ? e->half_width : 0;

    if (e->op == SIM_EXPECT_LT || e->op == SIM_EXPECT_LE)
        return e->threshold - (e->mean + hw);
    return e->mean - hw - e->threshold;
}

double sim_capreport_margin_ratio(const struct sim_pointdir_expect *e)
{
    return e->threshold != 0 ? sim_capreport_margin(e) / fabs(e->threshold)
                             : NAN;
}

/* One expectation's margin at a point, as a row. */
static void margin_row(struct sim_capreport_doc *d, const char *point,
                       const struct sim_pointdir *p,
                       const struct sim_pointdir_expect *e)
{
    const char *unit = sim_capreport_expect_unit(p, e);
    char line[1024], fig[96], thr[64], room[64], share[32] = "n/a";
    double ratio = sim_capreport_margin_ratio(e);

    sim_capreport_figure(e->metric, unit, e->mean, e->half_width, fig,
                         sizeof fig);
    sim_capreport_value(unit, e->threshold, thr, sizeof thr);
    sim_capreport_value(unit, sim_capreport_margin(e), room, sizeof room);
    /* Two digits of a share under 1%, so that a thin margin shows. */
    if (isfinite(ratio) && fabs(ratio) < 0.01 && ratio != 0)
        snprintf(share, sizeof share, "%.2g%%", 100 * ratio);
    else if (isfinite(ratio))
        snprintf(share, sizeof share, "%.1f%%", 100 * ratio);
    snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%s %s\t%s\t%s", point,
             e->text, e->scope, fig, sim_expect_op_text(e->op), thr, room,
             share);
    sim_capreport_doc_row(d, line, false);
}

void sim_capreport_doc_margins(struct sim_capreport_doc *d,
                               const struct sim_sweepout *s,
                               const size_t *rows, size_t n_rows)
{
    char name[512];

    sim_capreport_doc_para(d, "The margin of an expectation is the distance "
                           "from its threshold to the far end of the 95% "
                           "interval of its figure (the threshold minus the "
                           "upper end for < and <=, the lower end minus the "
                           "threshold for > and >=), in the figure's unit "
                           "and as a share of the threshold: how far the "
                           "figure can still move, at the very least, "
                           "before the expectation is missed.");
    sim_capreport_doc_table(d, true);
    sim_capreport_doc_row(d, "point\texpectation\tscope\tsimulated (95% "
                          "interval)\tthreshold\tmargin\tmargin (share of "
                          "the threshold)", true);
    for (size_t i = 0; i < n_rows; i++) {
        const struct sim_pointdir *p = &s->rows[rows[i]].point;

        sim_sweepout_point_name(s, rows[i], name, sizeof name);
        for (size_t k = 0; k < p->n_expects; k++)
            margin_row(d, name, p, &p->expects[k]);
    }
    sim_capreport_doc_table(d, false);
}

/* One figure the model predicts, beside the simulated one. */
static void analytic_row(struct sim_capreport_doc *d, const char *point,
                         const char *model, const struct sim_pointdir *p,
                         const struct sim_shape_figure *f)
{
    const struct sim_pointdir_figure *sim =
        sim_pointdir_find(p, f->scope, f->name);
    const char *unit = sim != NULL ? sim->unit : "1";
    const char *inside = "n/a";
    char line[1200], an[64], fig[96] = "n/a";

    sim_capreport_value(unit, f->value, an, sizeof an);
    if (sim != NULL) {
        sim_capreport_figure(f->name, unit, sim->mean, sim->half_width, fig,
                             sizeof fig);
        if (isfinite(sim->half_width) && isfinite(sim->mean))
            inside = fabs(f->value - sim->mean) <= sim->half_width ? "yes"
                                                                   : "no";
    }
    snprintf(line, sizeof line, "%s\t%s\t%s %s\t%s\t%s\t%s", point, model,
             f->scope, f->name, an, fig, inside);
    sim_capreport_doc_row(d, line, false);
}

/* Appends to sb the points no model describes, and why. */
static void analytic_none(struct sim_strbuf *sb, const struct sim_sweepout *s,
                          const size_t *rows, size_t n_rows, size_t n_none)
{
    struct sim_shape sh, first = {.why = ""};
    char name[512];
    bool is_same = true;

    for (size_t i = 0, k = 0; i < n_rows; i++) {
        sim_shape_match(&s->rows[rows[i]].point.settings, &sh);
        if (sh.n_figs > 0 && !sh.is_unstable)
            continue;
        if (k++ == 0)
            first = sh;
        else
            is_same = is_same && strcmp(first.why, sh.why) == 0;
    }
    if (n_none == n_rows && is_same) {
        sim_strbuf_printf(sb, "No analytic model applies%s: %s.",
                          n_rows > 1 ? " at any point" : "", first.why);
        return;
    }
    sim_strbuf_printf(sb, "No analytic model applies at");
    for (size_t i = 0, k = 0; i < n_rows; i++) {
        sim_shape_match(&s->rows[rows[i]].point.settings, &sh);
        if (sh.n_figs > 0 && !sh.is_unstable)
            continue;
        sim_strbuf_printf(sb, "%s %s (%s)", k++ ? ";" : "",
                          sim_sweepout_point_name(s, rows[i], name,
                                                  sizeof name), sh.why);
    }
    sim_strbuf_printf(sb, ".");
}

/* The table of the points a model describes; how many it describes. */
static size_t analytic_table(struct sim_capreport_doc *d,
                             const struct sim_sweepout *s,
                             const size_t *rows, size_t n_rows)
{
    struct sim_shape sh;
    char name[512];
    size_t n_fit = 0;

    for (size_t i = 0; i < n_rows; i++) {
        sim_shape_match(&s->rows[rows[i]].point.settings, &sh);
        if (sh.n_figs == 0 || sh.is_unstable)
            continue;
        if (n_fit++ == 0) {
            sim_capreport_doc_table(d, true);
            sim_capreport_doc_row(d, "point\tmodel\tfigure\tanalytic\t"
                                  "simulated (95% interval)\tanalytic "
                                  "inside the interval", true);
        }
        sim_sweepout_point_name(s, rows[i], name, sizeof name);
        for (size_t k = 0; k < sh.n_figs; k++)
            analytic_row(d, name, k == 0 ? sh.model : "",
                         &s->rows[rows[i]].point, &sh.figs[k]);
    }
    if (n_fit > 0)
        sim_capreport_doc_table(d, false);
    return n_fit;
}

void sim_capreport_doc_analytic(struct sim_capreport_doc *d,
                                const struct sim_sweepout *s,
                                const size_t *rows, size_t n_rows)
{
    struct sim_strbuf sb;
    size_t n_fit;
    char *text;

    n_fit = analytic_table(d, s, rows, n_rows);
    if (n_fit > 0)
        sim_capreport_doc_para(d, "A 95% interval misses the true value "
                               "one time in twenty, so a few \"no\" among "
                               "many rows are expected; many, or far "
                               "outside, mean the model does not fit.");
    if (n_fit == n_rows)
        return;
    sim_strbuf_init(&sb);
    analytic_none(&sb, s, rows, n_rows, n_rows - n_fit);
    text = sim_strbuf_take(&sb);
    sim_capreport_doc_para(d, text ? text : "");
    free(text);
}

/* Appends the SVG of a chart, without its XML prologue, to the page. */
static void inline_svg(struct sim_strbuf *sb, const char *dir,
                       const char *file)
{
    char path[4200], chunk[8192];
    struct sim_strbuf svg;
    const char *start;
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    sim_strbuf_init(&svg);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sim_strbuf_add(&svg, chunk, n);
    fclose(f);
    start = svg.data ? strstr(svg.data, "<svg") : NULL;
    if (start != NULL)
        sim_strbuf_printf(sb, "<figure>%s</figure>\n", start);
    sim_strbuf_release(&svg);
}

void sim_capreport_doc_charts(struct sim_capreport_doc *d,
                              const struct sim_sweepout *s, const char *dir)
{
    sim_capreport_doc_heading(d, "Charts");
    if (s->chart_note[0] != '\0')
        sim_capreport_doc_para(d, s->chart_note);
    for (size_t i = 0; i < s->n_charts; i++) {
        sim_strbuf_printf(&d->md, "![");
        esc_md(&d->md, s->charts[i].title);
        sim_strbuf_printf(&d->md, "](%s)\n\n", s->charts[i].file);
        inline_svg(&d->html, dir, s->charts[i].file);
    }
}

static int save(struct sim_strbuf *sb, const char *dir, const char *name,
                struct sim_error *err)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return sim_strbuf_save(sb, path, err);
}

void sim_capreport_doc_init(struct sim_capreport_doc *d, const char *name)
{
    sim_strbuf_init(&d->md);
    sim_strbuf_init(&d->html);
    sim_strbuf_printf(&d->md, "# Capacity report: ");
    esc_md(&d->md, name);
    sim_strbuf_printf(&d->md, "\n");
    sim_strbuf_printf(&d->html, "<!DOCTYPE html>\n<html><head><meta "
                      "charset=\"utf-8\"><title>Capacity report</title>"
                      "<style>body{font-family:sans-serif;max-width:60em;"
                      "margin:auto}table{border-collapse:collapse}td,th{"
                      "border:1px solid #999;padding:2px 6px}</style>"
                      "</head><body>\n<h1>Capacity report: ");
    esc_html(&d->html, name);
    sim_strbuf_printf(&d->html, "</h1>\n");
}

int sim_capreport_doc_save(struct sim_capreport_doc *d, const char *dir,
                           struct sim_error *err)
{
    int rc;

    sim_strbuf_printf(&d->html, "</body></html>\n");
    rc = save(&d->md, dir, "report.md", err);
    if (rc == 0)
        rc = save(&d->html, dir, "report.html", err);
    sim_strbuf_release(&d->md);
    sim_strbuf_release(&d->html);
    return rc;
}
