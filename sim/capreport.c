/* SPDX-License-Identifier: MIT */
/*
 * capreport.c - writing the capacity report. The text is built once as a
 * list of blocks (heading, paragraph, table) and written twice: as
 * Markdown, and as HTML with every chart's SVG inlined so the page needs
 * nothing beside it. Text from the scenario is escaped in both.
 */
#include "sim/capreport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/shape.h"
#include "sim/strbuf.h"

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

void sim_capreport_doc_row(struct sim_capreport_doc *d, const char *text,
                           bool is_head)
{
    char *copy = strdup(text), *save = NULL;
    size_t n = 0;

    if (copy == NULL)
        return;
    sim_strbuf_printf(&d->md, "|");
    sim_strbuf_printf(&d->html, "<tr>");
    for (char *c = strtok_r(copy, "\t", &save); c != NULL;
         c = strtok_r(NULL, "\t", &save), n++) {
        sim_strbuf_printf(&d->md, " ");
        esc_md(&d->md, c);
        sim_strbuf_printf(&d->md, " |");
        sim_strbuf_printf(&d->html, is_head ? "<th>" : "<td>");
        esc_html(&d->html, c);
        sim_strbuf_printf(&d->html, is_head ? "</th>" : "</td>");
    }
    sim_strbuf_printf(&d->md, "\n");
    if (is_head) {
        sim_strbuf_printf(&d->md, "|");
        for (size_t i = 0; i < n; i++)
            sim_strbuf_printf(&d->md, "---|");
        sim_strbuf_printf(&d->md, "\n");
    }
    sim_strbuf_printf(&d->html, "</tr>\n");
    free(copy);
}

void sim_capreport_doc_table(struct sim_capreport_doc *d, bool is_start)
{
    sim_strbuf_printf(&d->html, is_start ? "<table>\n" : "</table>\n");
}

static void fmt_ci(char *buf, size_t n, const struct sim_pointdir_figure *f)
{
    if (f == NULL || isnan(f->mean))
        snprintf(buf, n, "n/a");
    else if (isfinite(f->half_width))
        snprintf(buf, n, "%.5g ± %.2g %s", f->mean, f->half_width, f->unit);
    else
        snprintf(buf, n, "%.5g %s", f->mean, f->unit);
}

size_t sim_capreport_analytic(const struct sim_pointdir *p,
                              struct sim_strbuf *sb)
{
    struct sim_shape sh;
    char ci[96];

    sim_shape_match(&p->settings, &sh);
    if (sh.n_figs == 0 || sh.is_unstable) {
        sim_strbuf_printf(sb, "no analytic model applies: %s", sh.why);
        return 0;
    }
    sim_strbuf_printf(sb, "%s:", sh.model);
    for (size_t i = 0; i < sh.n_figs; i++) {
        const struct sim_shape_figure *f = &sh.figs[i];

        fmt_ci(ci, sizeof ci, sim_pointdir_find(p, f->scope, f->name));
        sim_strbuf_printf(sb, "%s %s %s analytic %.5g, simulated %s",
                          i ? ";" : "", f->scope, f->name, f->value, ci);
    }
    return sh.n_figs;
}

/* The answer to the sweep's question: which points meet every
 * expectation, the knee, and where the SLO breaks. */
static void answer(struct sim_capreport_doc *d,
                   const struct sim_sweepout *s)
{
    struct sim_strbuf sb;
    size_t n_met = 0;
    char *text;

    sim_strbuf_init(&sb);
    for (size_t r = 0; r < s->n_rows; r++)
        n_met += s->rows[r].point.n_expects > 0 && s->rows[r].point.is_met;
    if (s->n_rows > 0 && s->rows[0].point.n_expects > 0) {
        sim_strbuf_printf(&sb, "%zu of %zu points meet every expectation "
                          "(a point meets one only when its whole 95%% "
                          "interval does)", n_met, s->n_rows);
        for (size_t r = 0, k = 0; r < s->n_rows && k < 12; r++) {
            if (!s->rows[r].point.is_met)
                continue;
            sim_strbuf_printf(&sb, "%s point %zu", k++ ? "," : ":", r);
        }
        sim_strbuf_printf(&sb, ". ");
    } else {
        sim_strbuf_printf(&sb, "The scenario states no expectations. ");
    }
    if (s->has_curve && s->knee.has_knee)
        sim_strbuf_printf(&sb, "The knee (where %s of %s first reaches %g "
                          "times its low-load value of %.4g ms) is at "
                          "%.4g/s.", s->knee.latency, s->knee.scope,
                          SIM_SWEEPOUT_KNEE_FACTOR, 1e3 * s->knee.base_s,
                          s->knee.x_per_s);
    else if (s->has_curve)
        sim_strbuf_printf(&sb, "The latency never reached %g times its "
                          "low-load value: no knee within the sweep.",
                          SIM_SWEEPOUT_KNEE_FACTOR);
    text = sim_strbuf_take(&sb);
    sim_capreport_doc_para(d, text ? text : "");
    free(text);
}

/* Headroom: where the SLO breaks, and each expectation's margin at the
 * last point that meets them all. */
static void headroom(struct sim_capreport_doc *d,
                     const struct sim_sweepout *s)
{
    const struct sim_sweepout_knee *k = &s->knee;
    size_t best = s->n_rows;
    char line[512];

    if (s->has_curve && isfinite(k->slo_s)) {
        if (k->has_slo_cross)
            snprintf(line, sizeof line, "The SLO (%s < %.4g ms) breaks at "
                     "about %.4g/s of throughput (interpolated between "
                     "points).", k->latency, 1e3 * k->slo_s, k->slo_x_per_s);
        else
            snprintf(line, sizeof line, "The SLO (%s < %.4g ms) holds at "
                     "every throughput swept.", k->latency, 1e3 * k->slo_s);
        sim_capreport_doc_para(d, line);
    }
    for (size_t r = 0; r < s->n_rows; r++)
        if (s->rows[r].point.n_expects > 0 && s->rows[r].point.is_met)
            best = r;
    if (best == s->n_rows)
        return;
    snprintf(line, sizeof line, "Margins at point %zu, the last that "
             "meets every expectation:", best);
    sim_capreport_doc_para(d, line);
    sim_capreport_doc_table(d, true);
    sim_capreport_doc_row(d, "expectation\tscope\tsimulated (95%)\tmargin",
                          true);
    for (size_t i = 0; i < s->rows[best].point.n_expects; i++) {
        const struct sim_pointdir_expect *e = &s->rows[best].point.expects[i];

        snprintf(line, sizeof line, "%s\t%s\t%.5g ± %.2g\t%.1f%% of the "
                 "threshold", e->text, e->scope, e->mean, e->half_width,
                 100 * fabs(e->threshold - e->mean) / fabs(e->threshold));
        sim_capreport_doc_row(d, line, false);
    }
    sim_capreport_doc_table(d, false);
}

static void analytic_section(struct sim_capreport_doc *d,
                             const struct sim_sweepout *s)
{
    sim_capreport_doc_heading(d, "Analytic expectation beside the simulation");
    for (size_t r = 0; r < s->n_rows; r++) {
        struct sim_strbuf sb;
        char *text;

        sim_strbuf_init(&sb);
        sim_strbuf_printf(&sb, "Point %zu: ", r);
        sim_capreport_analytic(&s->rows[r].point, &sb);
        text = sim_strbuf_take(&sb);
        sim_capreport_doc_para(d, text ? text : "");
        free(text);
    }
}

static void points_table(struct sim_capreport_doc *d,
                         const struct sim_sweepout *s)
{
    char line[2048], ci[96];
    size_t len;

    sim_capreport_doc_heading(d, "Points (mean ± half-width of the 95% "
                              "interval)");
    sim_capreport_doc_table(d, true);
    len = (size_t)snprintf(line, sizeof line, "point");
    for (size_t j = 0; j < s->n_params && len < sizeof line; j++)
        len += (size_t)snprintf(line + len, sizeof line - len, "\t%s",
                                s->params[j].key);
    if (s->has_curve && len < sizeof line)
        snprintf(line + len, sizeof line - len, "\tthroughput\t%s\t"
                 "expectations", s->knee.latency);
    else if (len < sizeof line)
        snprintf(line + len, sizeof line - len, "\texpectations");
    sim_capreport_doc_row(d, line, true);
    for (size_t r = 0; r < s->n_rows; r++) {
        const struct sim_pointdir *p = &s->rows[r].point;

        len = (size_t)snprintf(line, sizeof line, "%zu", r);
        for (size_t j = 0; j < s->n_params && len < sizeof line; j++)
            len += (size_t)snprintf(line + len, sizeof line - len, "\t%s",
                                    s->rows[r].values[j]);
        if (s->has_curve && len < sizeof line) {
            fmt_ci(ci, sizeof ci, sim_pointdir_find(p, s->knee.scope,
                                                    "throughput"));
            len += (size_t)snprintf(line + len, sizeof line - len, "\t%s",
                                    ci);
            fmt_ci(ci, sizeof ci, sim_pointdir_find(p, s->knee.scope,
                                                    s->knee.latency));
            len += (size_t)snprintf(line + len, sizeof line - len, "\t%s",
                                    ci);
        }
        if (len < sizeof line)
            snprintf(line + len, sizeof line - len, "\t%s",
                     sim_pointdir_verdict(p));
        sim_capreport_doc_row(d, line, false);
    }
    sim_capreport_doc_table(d, false);
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

int sim_capreport_sweep(const struct sim_sweepout *s, const char *dir,
                        struct sim_error *err)
{
    struct sim_capreport_doc d;
    char line[1024];
    size_t len = 0;

    sim_capreport_doc_init(&d, s->name);
    sim_capreport_doc_heading(&d, "Question");
    for (size_t j = 0; j < s->n_params && len < sizeof line; j++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s",
                                j ? ", " : "", s->params[j].key);
    snprintf(line + len, sizeof line - len, " swept (%s, %zu points): "
             "where does the design meet its expectations, where is the "
             "knee, and how much load does it take before the SLO breaks?",
             s->combine, s->n_rows);
    sim_capreport_doc_para(&d, line);
    sim_capreport_doc_heading(&d, "Answer");
    answer(&d, s);
    sim_capreport_doc_heading(&d, "Headroom");
    headroom(&d, s);
    analytic_section(&d, s);
    points_table(&d, s);
    sim_capreport_doc_charts(&d, s, dir);
    return sim_capreport_doc_save(&d, dir, err);
}
