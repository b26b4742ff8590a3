/* SPDX-License-Identifier: MIT */
/*
 * page.c - report.html and report.md from one outline.
 *
 * The sections (expectations, summary, fault timeline, charts, the
 * scenario as run) are built once through a small writer of headings,
 * paragraphs, tables, figures and code blocks, whose two back ends emit
 * HTML or Markdown. Every text that comes from a scenario or a model goes
 * through the back end's escaping; only the writer's own markup does not.
 * The figures come from summary.json, read back, so the report shows
 * exactly what programs see.
 */
#include "sim/page.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/strbuf.h"
#include "sim/summary.h"
#include "sim/units.h"

/* The document being written, in one of two languages. */
struct out {
    struct sim_strbuf sb;
    bool is_md;                         /* Markdown, else HTML */
};

static const char page_style[] =
    "body{font-family:sans-serif;max-width:70em;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.4}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;"
    "margin-top:2em}\n"
    ".meta{color:#555}nav a{margin-right:1em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;"
    "vertical-align:top}\nth{background:#f2f2f2}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.met td:first-child{background:#d8f0d8}"
    "tr.missed td:first-child{background:#f6d0d0}"
    "tr.unsure td:first-child{background:#f8ecc8}\n"
    "figure{margin:1em 0 2em}figure img{max-width:100%;height:auto;"
    "border:1px solid #ddd}\nfigcaption{color:#444;font-size:.95em}\n"
    "pre{background:#f6f6f6;padding:1em;overflow-x:auto}\n"
    ".cols{display:flex;flex-wrap:wrap;gap:0 2em}\n";

/* Text made safe: HTML entities, or Markdown's special characters. */
static void put_text(struct out *o, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c == 0x7f)
            sim_strbuf_add(&o->sb, " ", 1);
        else if (!o->is_md && c == '&')
            sim_strbuf_printf(&o->sb, "&amp;");
        else if (!o->is_md && c == '<')
            sim_strbuf_printf(&o->sb, "&lt;");
        else if (!o->is_md && c == '>')
            sim_strbuf_printf(&o->sb, "&gt;");
        else if (!o->is_md && c == '"')
            sim_strbuf_printf(&o->sb, "&quot;");
        else if (!o->is_md && c == '\'')
            sim_strbuf_printf(&o->sb, "&#39;");
        else if (o->is_md && strchr("\\`*_[]<>|#!~{}", c) != NULL)
            sim_strbuf_printf(&o->sb, "\\%c", c);
        else
            sim_strbuf_add(&o->sb, s, 1);
    }
}

/* A heading; id (HTML only, NULL for none) is ours, not escaped. */
static void heading(struct out *o, int level, const char *id,
                    const char *text)
{
    if (o->is_md) {
        sim_strbuf_printf(&o->sb, "%.*s ", level, "######");
        put_text(o, text);
        sim_strbuf_printf(&o->sb, "\n\n");
        return;
    }
    if (id != NULL)
        sim_strbuf_printf(&o->sb, "<h%d id=\"%s\">", level, id);
    else
        sim_strbuf_printf(&o->sb, "<h%d>", level);
    put_text(o, text);
    sim_strbuf_printf(&o->sb, "</h%d>\n", level);
}

/* A group of blocks laid out side by side (HTML only). */
static void group(struct out *o, const char *markup)
{
    if (!o->is_md)
        sim_strbuf_printf(&o->sb, "%s\n", markup);
}

static void para(struct out *o, const char *cls, const char *text)
{
    if (!o->is_md)
        sim_strbuf_printf(&o->sb, "<p class=\"%s\">", cls);
    put_text(o, text);
    sim_strbuf_printf(&o->sb, o->is_md ? "\n\n" : "</p>\n");
}

static void table_head(struct out *o, const char *const *cols, size_t n)
{
    sim_strbuf_printf(&o->sb, o->is_md ? "|" : "<table><thead><tr>");
    for (size_t i = 0; i < n; i++) {
        sim_strbuf_printf(&o->sb, o->is_md ? " " : "<th>");
        put_text(o, cols[i]);
        sim_strbuf_printf(&o->sb, o->is_md ? " |" : "</th>");
    }
    if (!o->is_md) {
        sim_strbuf_printf(&o->sb, "</tr></thead><tbody>\n");
        return;
    }
    sim_strbuf_printf(&o->sb, "\n|");
    for (size_t i = 0; i < n; i++)
        sim_strbuf_printf(&o->sb, "---|");
    sim_strbuf_printf(&o->sb, "\n");
}

/* A row; cells whose text starts with a digit are set as numbers. */
static void table_row(struct out *o, const char *cls,
                      const char *const *cells, size_t n)
{
    if (o->is_md)
        sim_strbuf_printf(&o->sb, "|");
    else
        sim_strbuf_printf(&o->sb, "<tr class=\"%s\">", cls);
    for (size_t i = 0; i < n; i++) {
        bool is_num = (cells[i][0] >= '0' && cells[i][0] <= '9') ||
                      (cells[i][0] == '-' && cells[i][1] >= '0');

        if (!o->is_md)
            sim_strbuf_printf(&o->sb, "<td%s>", is_num ? " class=\"num\""
                                                       : "");
        else
            sim_strbuf_printf(&o->sb, " ");
        put_text(o, cells[i][0] != '\0' || !o->is_md ? cells[i] : " ");
        sim_strbuf_printf(&o->sb, o->is_md ? " |" : "</td>");
    }
    sim_strbuf_printf(&o->sb, o->is_md ? "\n" : "</tr>\n");
}

static void table_end(struct out *o)
{
    sim_strbuf_printf(&o->sb, o->is_md ? "\n" : "</tbody></table>\n");
}

/* An image file of the output directory (src is ours, not escaped). */
static void figure(struct out *o, const char *src, const char *alt,
                   const char *caption)
{
    if (o->is_md) {
        sim_strbuf_printf(&o->sb, "![");
        put_text(o, alt);
        sim_strbuf_printf(&o->sb, "](%s)\n\n", src);
        put_text(o, caption);
        sim_strbuf_printf(&o->sb, "\n\n");
        return;
    }
    sim_strbuf_printf(&o->sb, "<figure><img src=\"%s\" alt=\"", src);
    put_text(o, alt);
    sim_strbuf_printf(&o->sb, "\"><figcaption>");
    put_text(o, caption);
    sim_strbuf_printf(&o->sb, "</figcaption></figure>\n");
}

/* A code block, kept verbatim (Markdown: a fence longer than any run). */
static void code(struct out *o, const char *text)
{
    size_t run = 0, longest = 0;

    if (!o->is_md) {
        sim_strbuf_printf(&o->sb, "<pre>");
        for (const char *s = text; *s; s++) {
            char one[2] = {*s, '\0'};

            if (*s == '\n' || *s == '\t')
                sim_strbuf_add(&o->sb, s, 1);
            else
                put_text(o, one);
        }
        sim_strbuf_printf(&o->sb, "</pre>\n");
        return;
    }
    for (const char *s = text; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    longest = longest < 3 ? 3 : longest + 1 > 32 ? 32 : longest + 1;
    sim_strbuf_printf(&o->sb, "%.*s\n%s%s%.*s\n\n", (int)longest,
                      "````````````````````````````````", text,
                      text[0] != '\0' && text[strlen(text) - 1] != '\n'
                      ? "\n" : "", (int)longest,
                      "````````````````````````````````");
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

static double jnum(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The metric (scope, name) of summary.json, or NULL. */
static const json_t *find_metric(const json_t *root, const char *scope,
                                 const char *name)
{
    const json_t *m;
    size_t i;

    json_array_foreach(json_object_get(root, "metrics"), i, m) {
        if (strcmp(jstr(m, "scope"), scope) == 0 &&
            strcmp(jstr(m, "name"), name) == 0)
            return m;
    }
    return NULL;
}

/* "12.3 ms ± 0.41" (or without the interval) into buf. */
static void figure_text(const char *name, double mean, double hw,
                        const char *unit, char *buf, size_t n)
{
    struct sim_summary_text t;

    sim_summary_format_figure(name, unit, mean, hw, &t);
    snprintf(buf, n, "%s%s%s", t.value, t.half[0] ? " ± " : "", t.half);
}

/* The sum of a count over the replications, 0 when it is absent. */
static double sum_of(const json_t *m)
{
    const json_t *v;
    double sum = 0;
    size_t i;

    json_array_foreach(m != NULL ? json_object_get(m, "replications")
                                 : NULL, i, v)
        sum += json_is_number(v) ? json_number_value(v) : 0;
    return sum;
}

/* One scope's figures: metrics[first, last) of the summary, in order. */
struct scope_run {
    const json_t *metrics;
    size_t first, last;
};

static const json_t *run_find(const struct scope_run *r, const char *name)
{
    for (size_t i = r->first; i < r->last; i++) {
        const json_t *m = json_array_get(r->metrics, i);

        if (strcmp(jstr(m, "name"), name) == 0)
            return m;
    }
    return NULL;
}

static double total(const struct scope_run *r, const char *name)
{
    return sum_of(run_find(r, name));
}

static void sec_head(struct out *o, const struct sim_page *pg,
                     const json_t *root)
{
    const struct sim_scenario *sc = pg->sc;
    char line[512], dur[32], wu[32], warm[64], win[32];
    unsigned n = sc->replications;

    heading(o, 1, "top", sc->title != NULL ? sc->title : sc->name);
    if (sc->warmup > 0)
        snprintf(warm, sizeof warm, "the first %s a warm-up",
                 sim_units_format_duration(sc->warmup, wu, sizeof wu));
    else
        snprintf(warm, sizeof warm, "no warm-up");
    snprintf(line, sizeof line, "Scenario %s, seed %llu: %u replication%s "
             "of %s (%s), series windows of %s. "
             "distsim %s, scenario hash %s.", sc->name,
             (unsigned long long)sc->seed, n, n == 1 ? "" : "s",
             sim_units_format_duration(sc->duration, dur, sizeof dur), warm,
             sim_units_format_duration(sc->window, win, sizeof win),
             jstr(root, "distsim"),
             jstr(json_object_get(root, "scenario"), "hash"));
    para(o, "meta", line);
    if (!o->is_md)
        sim_strbuf_printf(&o->sb, "<nav><a href=\"#expectations\">"
                          "Expectations</a><a href=\"#summary\">Summary</a>"
                          "<a href=\"#timeline\">Fault timeline</a>"
                          "<a href=\"#charts\">Charts</a><a href=\""
                          "#scenario\">Scenario as run</a></nav>\n");
}

/* "80.00 ms" -> "80 ms", "0.0500 s" -> "0.05 s": a threshold as typed. */
static void trim_zeros(char *buf)
{
    char *end = buf + strcspn(buf, " "), *p = end;

    if (memchr(buf, '.', (size_t)(end - buf)) == NULL)
        return;
    while (p > buf && p[-1] == '0')
        p--;
    if (p > buf && p[-1] == '.')
        p--;
    memmove(p, end, strlen(end) + 1);
}

/* One expectation of summary.json as a row. */
static void expect_row(struct out *o, const json_t *root, const json_t *e)
{
    const json_t *m = find_metric(root, jstr(e, "scope"), jstr(e, "metric"));
    const char *unit = m != NULL ? jstr(m, "unit") : "1";
    const char *status = jstr(e, "status");
    char measured[160], threshold[160];
    const char *cells[5];

    figure_text(jstr(e, "metric"), jnum(e, "mean"),
                jnum(e, "ci95_half_width"), unit, measured, sizeof measured);
    figure_text(NULL, jnum(e, "threshold"), NAN, unit, threshold,
                sizeof threshold);
    trim_zeros(threshold);
    cells[0] = status;
    cells[1] = jstr(e, "text");
    cells[2] = jstr(e, "scope");
    cells[3] = measured;
    cells[4] = threshold;
    table_row(o, strcmp(status, "met") == 0 ? "met"
                 : strcmp(status, "missed") == 0 ? "missed" : "unsure",
              cells, 5);
}

static void sec_expect(struct out *o, const struct sim_page *pg,
                       const json_t *root)
{
    static const char *const cols[] = {
        "result", "expectation", "scope", "measured (95% interval)",
        "threshold",
    };
    const json_t *list = json_object_get(root, "expectations"), *e;
    size_t i, n_met = 0, n = json_array_size(list);
    char line[128];

    heading(o, 2, "expectations", "Expectations");
    if (n == 0) {
        para(o, "note", pg->sc->n_expects > 0
             ? "The scenario's expectations were not evaluated."
             : "The scenario states no expectations.");
        for (unsigned k = 0; k < pg->sc->n_expects && n == 0; k++)
            para(o, "note", pg->sc->expects[k].text);
        return;
    }
    json_array_foreach(list, i, e)
        n_met += strcmp(jstr(e, "status"), "met") == 0;
    snprintf(line, sizeof line, "%zu of %zu expectation%s met.", n_met, n,
             n == 1 ? "" : "s");
    para(o, n_met == n ? "pass" : "fail", line);
    table_head(o, cols, 5);
    json_array_foreach(list, i, e)
        expect_row(o, root, e);
    table_end(o);
}

/* Whether scope is an instance ("server app.2") of a listed group. */
static bool is_instance(const json_t *metrics, const char *scope)
{
    const char *dot = strrchr(scope, '.');
    const json_t *m;
    size_t i, len;

    if (dot == NULL || dot[1] == '\0' ||
        strspn(dot + 1, "0123456789") != strlen(dot + 1))
        return false;
    len = (size_t)(dot - scope);
    json_array_foreach(metrics, i, m) {
        const char *other = jstr(m, "scope");

        if (strlen(other) == len && strncmp(other, scope, len) == 0)
            return true;
    }
    return false;
}

/* A row of the summary: figure m under the name label. */
static void figure_row(struct out *o, const json_t *m, const char *label)
{
    struct sim_summary_text t;
    const char *cells[3] = {label, t.value, t.half};

    sim_summary_format_figure(jstr(m, "name"), jstr(m, "unit"),
                              jnum(m, "mean"), jnum(m, "ci95_half_width"),
                              &t);
    table_row(o, "", cells, 3);
}

/* Rows "utilisation app.0", ... for the instances of the group scope. */
static void instance_rows(struct out *o, const json_t *metrics,
                          const char *scope)
{
    size_t len = strlen(scope), i;
    const json_t *m;
    char label[160];

    json_array_foreach(metrics, i, m) {
        const char *other = jstr(m, "scope");

        if (strncmp(other, scope, len) != 0 || other[len] != '.' ||
            strcmp(jstr(m, "name"), "utilisation") != 0 ||
            !is_instance(metrics, other))
            continue;
        snprintf(label, sizeof label, "utilisation %s",
                 strrchr(other, ' ') + 1);
        figure_row(o, m, label);
    }
}

/* The books line of a scope that counts arrivals, as the table has it. */
static void books_para(struct out *o, const struct scope_run *r)
{
    bool is_client = run_find(r, "in_flight_end") != NULL;
    struct sim_summary_books b = {
        .start = total(r, is_client ? "in_flight_start" : "present_start"),
        .arrived = total(r, "arrived"),
        .completed = total(r, "completed"),
        .rejected = total(r, "rejected"),
        .lost = total(r, is_client ? "failed" : "dropped"),
        .end = total(r, is_client ? "in_flight_end" : "present_end"),
        .lost_name = is_client ? "failed" : "dropped",
    };
    char line[256], text[320];

    if (run_find(r, "arrived") == NULL)
        return;
    sim_summary_books_text(&b, line, sizeof line);
    snprintf(text, sizeof text, "Books (all replications): %s.", line);
    para(o, "note", text);
}

/* The table of one scope's figures, from metric index *i on. */
static void scope_table(struct out *o, const json_t *root, size_t *i)
{
    static const char *const cols[] = {"figure", "value", "± 95% interval"};
    const json_t *metrics = json_object_get(root, "metrics");
    const char *scope = jstr(json_array_get(metrics, *i), "scope");
    struct scope_run run = {.metrics = metrics, .first = *i};
    char name[96];

    group(o, "<div>");
    heading(o, 3, NULL, scope);
    table_head(o, cols, 3);
    for (; *i < json_array_size(metrics); (*i)++) {
        const json_t *m = json_array_get(metrics, *i);

        if (strcmp(jstr(m, "scope"), scope) != 0)
            break;
        if (!sim_summary_is_shown(jstr(m, "name"), jstr(m, "unit"),
                                  jnum(m, "mean")))
            continue;
        sim_summary_display_name(jstr(m, "name"), name, sizeof name);
        figure_row(o, m, name);
    }
    run.last = *i;
    instance_rows(o, metrics, scope);
    table_end(o);
    books_para(o, &run);
    group(o, "</div>");
}

/* The engine's line of the table: events, and requests dropped by why. */
static void engine_para(struct out *o, const json_t *root)
{
    const json_t *metrics = json_object_get(root, "metrics"), *m;
    const json_t *ev = find_metric(root, "engine", "events");
    struct sim_strbuf sb;
    size_t i;
    bool any = false;

    if (ev == NULL)
        return;
    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "Engine: %.0f events per replication",
                      jnum(ev, "mean"));
    json_array_foreach(metrics, i, m) {
        const char *name = jstr(m, "name");
        double n;

        if (strcmp(jstr(m, "scope"), "engine") != 0 ||
            strncmp(name, "dropped.", 8) != 0 || (n = sum_of(m)) == 0)
            continue;
        sim_strbuf_printf(&sb, "%s %s %.0f", any ? "," : "; dropped:",
                          name + 8, n);
        any = true;
    }
    sim_strbuf_printf(&sb, "%s.", any ? " (all replications)" : "");
    para(o, "note", sb.data != NULL ? sb.data : "");
    sim_strbuf_release(&sb);
}

static void sec_summary(struct out *o, const struct sim_page *pg,
                        const json_t *root)
{
    const json_t *metrics = json_object_get(root, "metrics");
    size_t i = 0;

    heading(o, 2, "summary", "Summary");
    para(o, "note", pg->sc->replications > 1
         ? "Means over the replications, with the half-width of their 95% "
           "confidence interval (Student's t). Response time runs from a "
           "client's send to its receipt of the answer; waiting time is "
           "time spent queued."
         : "One replication: no confidence intervals (run 2 or more).");
    if (!json_is_true(json_object_get(root, "books_balance")))
        para(o, "fail", "The books do not balance: requests went missing. "
             "This is a bug in distsim.");
    group(o, "<div class=\"cols\">");
    while (i < json_array_size(metrics)) {
        const char *scope = jstr(json_array_get(metrics, i), "scope");

        if (strcmp(scope, "engine") == 0 || is_instance(metrics, scope))
            i++;
        else
            scope_table(o, root, &i);
    }
    group(o, "</div>");
    engine_para(o, root);
}

/* A time of the timeline in whole nanoseconds, as it happened. */
static sim_time ns_of(double t_s)
{
    sim_time ns = 0;

    sim_time_from_s(t_s, &ns);
    return ns;
}

/* "58.5 s": exact, without the noise of a double. */
static void time_text(sim_time ns, char *buf, size_t n)
{
    char t[48];

    snprintf(buf, n, "%s s", sim_units_format_seconds(ns, t, sizeof t));
}

static void window_row(struct out *o, const struct sim_timeline_window *w)
{
    char from[64], to[96], end[64], lasted[64];
    const char *cells[5] = {w->kind, w->text, from, to, lasted};

    time_text(ns_of(w->start_s), from, sizeof from);
    time_text(ns_of(w->end_s), end, sizeof end);
    time_text(ns_of(w->end_s) - ns_of(w->start_s), lasted, sizeof lasted);
    if (w->end_kind != NULL)
        snprintf(to, sizeof to, "%s", end);
    else
        snprintf(to, sizeof to, "not ended (run ends at %s)", end);
    table_row(o, "", cells, 5);
}

static void sec_timeline(struct out *o, const struct sim_page *pg)
{
    static const char *const wcols[] = {"fault", "what", "from", "to",
                                        "lasted"};
    static const char *const ecols[] = {"time", "event", "what"};
    const struct sim_timeline *tl = pg->timeline;

    heading(o, 2, "timeline", "Fault timeline");
    para(o, "note", "What happened when, in replication 0 (faults are "
         "scheduled, so they happen alike in every replication).");
    if (tl->n_windows == 0 && tl->n_events == 0)
        para(o, "note", "No faults and no events.");
    if (tl->n_windows > 0) {
        table_head(o, wcols, 5);
        for (size_t i = 0; i < tl->n_windows; i++)
            window_row(o, &tl->windows[i]);
        table_end(o);
    }
    if (tl->n_events == 0)
        return;
    table_head(o, ecols, 3);
    for (size_t i = 0; i < tl->n_events; i++) {
        char t[64];
        const char *cells[3] = {t, tl->events[i]->kind,
                                tl->events[i]->text};

        time_text(ns_of(tl->events[i]->t_s), t, sizeof t);
        table_row(o, "", cells, 3);
    }
    table_end(o);
}

/* Says why some or all charts are missing. */
static void charts_missing(struct out *o, const struct sim_page *pg,
                           size_t n_drawn)
{
    const struct sim_chart_set *set = pg->charts;
    char line[512];

    if (pg->format == SIM_PLOT_NONE) {
        para(o, "note", "No charts were asked for (--charts none, or "
             "plots: {format: none}).");
        return;
    }
    if (set->n == 0) {
        para(o, "note", "None of the chosen charts has data in this run.");
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (set->charts[i].is_drawn)
            continue;
        snprintf(line, sizeof line, "Chart %s was not drawn%s; its data is "
                 "in charts/%s.tsv.", set->charts[i].name,
                 n_drawn == 0 ? " (see the run's messages)" : "",
                 set->charts[i].name);
        para(o, "note", line);
    }
}

static void sec_charts(struct out *o, const struct sim_page *pg)
{
    const struct sim_chart_set *set = pg->charts;
    size_t n_drawn = 0;
    char src[160], caption[512];

    heading(o, 2, "charts", "Charts");
    for (size_t i = 0; i < set->n; i++) {
        const struct sim_chart *c = &set->charts[i];

        if (!c->is_drawn)
            continue;
        n_drawn++;
        snprintf(src, sizeof src, "%s/%s.%s", SIM_CHART_DIR, c->name,
                 set->ext);
        snprintf(caption, sizeof caption, "%s%s Data: %s/%s.tsv.",
                 c->caption, set->has_bands ? " Bands and bars: 95% "
                 "intervals over the replications." : "", SIM_CHART_DIR,
                 c->name);
        figure(o, src, c->title, caption);
    }
    if (n_drawn > 0 && set->n_shading > 0)
        para(o, "note", "In charts over time, grey shades the warm-up and "
             "colours shade the faults, each labelled.");
    if (n_drawn < set->n || set->n == 0)
        charts_missing(o, pg, n_drawn);
}

static void sec_scenario(struct out *o, const struct sim_page *pg,
                         const json_t *root)
{
    static const char *const cols[] = {"setting", "value"};
    json_t *settings = json_object_get(root, "settings"), *keys, *v;
    const char *scope, *key;

    heading(o, 2, "scenario", "Scenario as run");
    para(o, "note", "Every setting each component runs with, defaults "
         "included, then the scenario file with every override applied.");
    group(o, "<div class=\"cols\">");
    json_object_foreach(settings, scope, keys) {
        group(o, "<div>");
        heading(o, 3, NULL, scope);
        table_head(o, cols, 2);
        json_object_foreach(keys, key, v) {
            const char *cells[2] = {key, jstr(keys, key)};

            table_row(o, "", cells, 2);
        }
        table_end(o);
        group(o, "</div>");
    }
    group(o, "</div>");
    heading(o, 3, NULL, "scenario.yaml");
    code(o, pg->sc->text != NULL ? pg->sc->text : "");
}

/* The whole document, in o's language. */
static void outline(struct out *o, const struct sim_page *pg,
                    const json_t *root)
{
    if (!o->is_md) {
        sim_strbuf_printf(&o->sb, "<!DOCTYPE html>\n<html lang=\"en\">\n"
                          "<head>\n<meta charset=\"utf-8\">\n<title>");
        put_text(o, pg->sc->title != NULL ? pg->sc->title : pg->sc->name);
        sim_strbuf_printf(&o->sb, " - distsim</title>\n<style>\n%s</style>"
                          "\n</head>\n<body>\n", page_style);
    }
    sec_head(o, pg, root);
    sec_expect(o, pg, root);
    sec_summary(o, pg, root);
    sec_timeline(o, pg);
    sec_charts(o, pg);
    sec_scenario(o, pg, root);
    if (!o->is_md)
        sim_strbuf_printf(&o->sb, "</body>\n</html>\n");
}

static int write_doc(const struct sim_page *pg, const json_t *root,
                     bool is_md, struct sim_error *err)
{
    struct out o = {.is_md = is_md};
    char path[4200];

    sim_strbuf_init(&o.sb);
    outline(&o, pg, root);
    snprintf(path, sizeof path, "%s/%s", pg->dir,
             is_md ? "report.md" : "report.html");
    return sim_strbuf_save(&o.sb, path, err);
}

int sim_page_write(const struct sim_page *pg, struct sim_error *err)
{
    char path[4200];
    json_error_t jerr;
    json_t *root;
    int rc;

    snprintf(path, sizeof path, "%s/summary.json", pg->dir);
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return sim_error_set(err, SIM_EIO, "cannot read \"%s\": %s", path,
                             jerr.text);
    rc = write_doc(pg, root, false, err);
    if (rc == 0)
        rc = write_doc(pg, root, true, err);
    json_decref(root);
    return rc;
}
