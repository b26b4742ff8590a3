/* SPDX-License-Identifier: MIT */
/*
 * summary.c - merging replications and writing the results.
 *
 * Every replication reports the same figures in the same order; row i of
 * the summary is figure i of every replication. A figure's value is the
 * mean over replications and its interval comes from Student's t. The
 * table shows a value with as many decimals as its interval supports (two
 * significant digits of the half-width), a percentile no more than its
 * histogram resolves (three significant digits); the files keep every
 * digit.
 */
#include "sim/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/hash.h"
#include "sim/jsontext.h"
#include "sim/strbuf.h"
#include "sim/units.h"
#include "sim/version.h"

#define SUMMARY_LEVEL 0.95

/* FNV-1a over scope, a byte no name holds, and name. */
static size_t row_hash(const char *scope, const char *name)
{
    static const unsigned char sep = 0xff;
    uint64_t h = sim_hash_more(sim_hash_str(scope), &sep, 1);

    return (size_t)sim_hash_more(h, name, strlen(name));
}

static bool row_is(const struct sim_summary_row *row, const char *scope,
                   const char *name)
{
    return strcmp(row->scope, scope) == 0 && strcmp(row->name, name) == 0;
}

/*
 * Indexes the rows by (scope, name) in an open-addressing table at most
 * half full, so that a lookup costs the same with 10 rows or 10^6 (the
 * books look up every scope's counts). The first of equal rows wins, as
 * in a pass over the rows. Without memory, lookups stay linear.
 */
static void build_index(struct sim_summary *s)
{
    size_t cap = 16, j;

    while (cap < 2 * s->n_rows)
        cap *= 2;
    s->index = calloc(cap, sizeof *s->index);
    if (s->index == NULL)
        return;
    s->index_mask = cap - 1;
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *row = &s->rows[i];

        j = row_hash(row->scope, row->name) & s->index_mask;
        while (s->index[j] != 0 &&
               !row_is(&s->rows[s->index[j] - 1], row->scope, row->name))
            j = (j + 1) & s->index_mask;
        if (s->index[j] == 0)
            s->index[j] = i + 1;
    }
}

/* Sum over replications of a count, 0 when the figure is absent. */
static double total(const struct sim_summary *s, const char *scope,
                    const char *name)
{
    const struct sim_summary_row *row = sim_summary_find(s, scope, name);
    double t = 0;

    for (unsigned r = 0; row != NULL && r < s->n_reps; r++)
        t += row->values[r];
    return t;
}

static void books_of(const struct sim_summary *s, const char *scope,
                     struct sim_summary_books *b)
{
    bool is_client = sim_summary_find(s, scope, "in_flight_end") != NULL;

    b->lost_name = is_client ? "failed" : "dropped";
    b->start = total(s, scope, is_client ? "in_flight_start"
                                         : "present_start");
    b->end = total(s, scope, is_client ? "in_flight_end" : "present_end");
    b->arrived = total(s, scope, "arrived");
    b->completed = total(s, scope, "completed");
    b->rejected = total(s, scope, "rejected");
    b->lost = total(s, scope, b->lost_name);
}

static bool books_balance(const struct sim_summary_books *b)
{
    return b->start + b->arrived ==
           b->completed + b->rejected + b->lost + b->end;
}

void sim_summary_books_text(const struct sim_summary_books *b, char *buf,
                            size_t n)
{
    snprintf(buf, n, "%.0f present + %.0f arrived = %.0f completed + %.0f "
             "rejected + %.0f %s + %.0f present %s", b->start, b->arrived,
             b->completed, b->rejected, b->lost, b->lost_name, b->end,
             books_balance(b) ? "(balanced)" : "(DO NOT BALANCE)");
}

/* Whether every scope that counts arrivals balances its books. */
static bool all_books_balance(const struct sim_summary *s)
{
    for (size_t i = 0; i < s->n_rows; i++) {
        struct sim_summary_books b;

        if (strcmp(s->rows[i].name, "arrived") != 0)
            continue;
        books_of(s, s->rows[i].scope, &b);
        if (!books_balance(&b))
            return false;
    }
    return true;
}

/* Merges series i of every replication window by window. */
static int merge_series(const struct sim_batch *b, size_t i,
                        struct sim_summary_series *out)
{
    const struct sim_series *first = &b->reports[0].series[i];
    double *v = malloc(b->n_reps * sizeof *v);

    out->scope = first->scope;
    out->name = first->name;
    out->unit = first->unit;
    out->n_values = first->n_values;
    out->mean = malloc((first->n_values + 1) * sizeof *out->mean);
    out->half_width = malloc((first->n_values + 1) * sizeof *out->mean);
    if (v == NULL || out->mean == NULL || out->half_width == NULL) {
        free(v);
        return SIM_ENOMEM;
    }
    for (size_t w = 0; w < first->n_values; w++) {
        struct sim_ci ci;

        for (unsigned r = 0; r < b->n_reps; r++) {
            const struct sim_series *sr = &b->reports[r].series[i];

            v[r] = w < sr->n_values ? sr->values[w] : NAN;
        }
        sim_ci_compute(v, b->n_reps, SUMMARY_LEVEL, &ci);
        out->mean[w] = ci.mean;
        out->half_width[w] = ci.half_width;
    }
    free(v);
    return 0;
}

static int build_series(const struct sim_batch *b, struct sim_summary *s,
                        struct sim_error *err)
{
    const struct sim_report *first = &b->reports[0];

    s->series = calloc(first->n_series + 1, sizeof *s->series);
    if (s->series == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < first->n_series; i++) {
        for (unsigned r = 1; r < b->n_reps; r++) {
            const struct sim_report *rep = &b->reports[r];

            if (rep->n_series != first->n_series ||
                strcmp(rep->series[i].name, first->series[i].name) != 0) {
                sim_summary_release(s);
                return sim_error_set(err, SIM_EINTERNAL, "replication %u "
                                     "reports different series", r);
            }
        }
        s->n_series++;
        if (merge_series(b, i, &s->series[i]) != 0) {
            sim_summary_release(s);
            return sim_error_set(err, SIM_ENOMEM, "out of memory");
        }
    }
    return 0;
}

int sim_summary_build(const struct sim_batch *b, struct sim_summary *s,
                      struct sim_error *err)
{
    const struct sim_report *first = &b->reports[0];

    memset(s, 0, sizeof *s);
    s->n_reps = b->n_reps;
    s->rows = calloc(first->n_metrics ? first->n_metrics : 1,
                     sizeof *s->rows);
    if (s->rows == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < first->n_metrics; i++) {
        struct sim_summary_row *row = &s->rows[i];
        double *v = malloc(b->n_reps * sizeof *v);

        if (v == NULL) {
            sim_summary_release(s);
            return sim_error_set(err, SIM_ENOMEM, "out of memory");
        }
        row->scope = first->metrics[i].scope;
        row->name = first->metrics[i].name;
        row->unit = first->metrics[i].unit;
        row->values = v;
        s->n_rows++;
        for (unsigned r = 0; r < b->n_reps; r++) {
            const struct sim_report *rep = &b->reports[r];

            if (rep->n_metrics != first->n_metrics ||
                strcmp(rep->metrics[i].name, row->name) != 0 ||
                strcmp(rep->metrics[i].scope, row->scope) != 0) {
                sim_summary_release(s);
                return sim_error_set(err, SIM_EINTERNAL, "replication %u "
                                     "reports different figures", r);
            }
            v[r] = rep->metrics[i].value;
        }
        sim_ci_compute(v, b->n_reps, SUMMARY_LEVEL, &row->ci);
    }
    build_index(s);
    s->is_balanced = all_books_balance(s);
    s->first = first;
    if (sim_curve_merge(b->reports, b->n_reps, &s->curves, &s->n_curves,
                        err) != 0) {
        sim_summary_release(s);
        return err != NULL ? err->code : SIM_ENOMEM;
    }
    return build_series(b, s, err);
}

void sim_summary_release(struct sim_summary *s)
{
    for (size_t i = 0; i < s->n_rows; i++)
        free((double *)s->rows[i].values);
    free(s->rows);
    free(s->index);
    for (size_t i = 0; i < s->n_series; i++) {
        free(s->series[i].mean);
        free(s->series[i].half_width);
    }
    free(s->series);
    free(s->expects);
    sim_curve_summary_free(s->curves, s->n_curves);
    memset(s, 0, sizeof *s);
}

int sim_summary_judge(struct sim_summary *s, const struct sim_scenario *sc)
{
    int n_not_met = 0;

    for (unsigned i = 0; i < sc->n_expects; i++)
        if (sim_expect_eval(&sc->expects[i], s, &s->expects,
                            &s->n_expects) != 0)
            return SIM_ENOMEM;
    for (size_t i = 0; i < s->n_expects; i++)
        n_not_met += s->expects[i].status != SIM_EXPECT_MET;
    return n_not_met;
}

const struct sim_summary_row *sim_summary_find(const struct sim_summary *s,
                                               const char *scope,
                                               const char *name)
{
    size_t j;

    if (s->index == NULL) {
        for (size_t i = 0; i < s->n_rows; i++)
            if (row_is(&s->rows[i], scope, name))
                return &s->rows[i];
        return NULL;
    }
    j = row_hash(scope, name) & s->index_mask;
    while (s->index[j] != 0 && !row_is(&s->rows[s->index[j] - 1], scope,
                                       name))
        j = (j + 1) & s->index_mask;
    return s->index[j] != 0 ? &s->rows[s->index[j] - 1] : NULL;
}

/* Display factor and label for a figure of this unit and size. */
static double display_scale(const char *unit, double v, const char **label)
{
    double a = fabs(v);

    if (strcmp(unit, "s") == 0) {
        if (a > 0 && a < 1e-6) {
            *label = "ns";
            return 1e9;
        }
        if (a > 0 && a < 1e-3) {
            *label = "us";
            return 1e6;
        }
        if (a < 1.0) {
            *label = "ms";
            return 1e3;
        }
        *label = "s";
        return 1.0;
    }
    if (strcmp(unit, "1/s") == 0) {
        *label = "/s";
        return 1.0;
    }
    if (strcmp(unit, "ratio") == 0) {
        *label = "%";
        return 100.0;
    }
    *label = strcmp(unit, "requests") == 0 || strcmp(unit, "1") == 0 ||
             strcmp(unit, "count") == 0 ? "" : unit;
    return 1.0;
}

/* Whether a figure's name ends in a percentile: ".p50", ".p99", ".p999". */
static bool is_percentile(const char *name)
{
    const char *dot = name != NULL ? strrchr(name, '.') : NULL;

    return dot != NULL && dot[1] == 'p' && dot[2] != '\0' &&
           strspn(dot + 2, "0123456789") == strlen(dot + 2);
}

/*
 * Decimals for a value v with half-width hw (both as displayed): two
 * significant digits of hw; none for an exact whole number (hw 0); else
 * four significant digits of v. A percentile never gets more than three
 * significant digits: its histogram resolves about 0.8% of the value.
 */
static int decimals_for(double v, double hw, bool is_pct)
{
    int d;

    if (isfinite(hw) && hw > 0)
        d = 1 - (int)floor(log10(hw));
    else if (hw == 0 && v == floor(v))
        d = 0;
    else if (v != 0 && isfinite(v))
        d = 3 - (int)floor(log10(fabs(v)));
    else
        d = 0;
    if (is_pct && v != 0 && isfinite(v)) {
        int most = 2 - (int)floor(log10(fabs(v)));

        d = d < most ? d : most;
    }
    return d < 0 ? 0 : d > 6 ? 6 : d;
}

void sim_summary_display_name(const char *name, char *buf, size_t n)
{
    size_t j = 0;

    for (size_t i = 0; name[i] != '\0' && j + 1 < n; i++) {
        char c = name[i];

        if (strcmp(name + i, "p999") == 0) {
            snprintf(buf + j, n - j, "p99.9");
            return;
        }
        buf[j++] = (c == '_' || c == '.') ? ' ' : c;
    }
    buf[j] = '\0';
}

static void format_as(bool is_pct, double mean, double hw, const char *unit,
                      struct sim_summary_text *out)
{
    const char *label;
    double f = display_scale(unit, mean, &label);
    double v = mean * f, h = hw * f;
    int d = decimals_for(v, h, is_pct);

    if (isnan(v))
        snprintf(out->value, sizeof out->value, "n/a");
    else
        snprintf(out->value, sizeof out->value, "%.*f%s%s", d, v,
                 label[0] ? " " : "", label);
    if (isfinite(h) && !isnan(v))
        snprintf(out->half, sizeof out->half, "%.*f", d, h);
    else
        out->half[0] = '\0';
}

void sim_summary_format_figure(const char *name, const char *unit,
                               double mean, double hw,
                               struct sim_summary_text *out)
{
    format_as(is_percentile(name), mean, hw, unit, out);
}

void sim_summary_format(double mean, double hw, const char *unit,
                        char *value, size_t n_value, char *half,
                        size_t n_half)
{
    struct sim_summary_text t;

    format_as(false, mean, hw, unit, &t);
    snprintf(value, n_value, "%s", t.value);
    snprintf(half, n_half, "%s", t.half);
}

/* The counts the table shows: they say what went wrong with the data. */
static bool is_notable(const char *name)
{
    static const char *const notable[] = {
        "lost_writes", "conflicts", "failovers", "ryw_violations",
        "monotonic_violations", "session_unjudged",
    };

    for (size_t i = 0; i < sizeof notable / sizeof notable[0]; i++)
        if (strcmp(name, notable[i]) == 0)
            return true;
    return false;
}

bool sim_summary_is_shown(const char *name, const char *unit, double mean)
{
    return !isnan(mean) && (strcmp(unit, "count") != 0 || is_notable(name));
}

static void table_row(struct sim_strbuf *sb, const struct sim_summary_row *r,
                      bool has_ci)
{
    struct sim_summary_text t;
    char name[64];

    sim_summary_display_name(r->name, name, sizeof name);
    sim_summary_format_figure(r->name, r->unit, r->ci.mean,
                              has_ci ? r->ci.half_width : NAN, &t);
    sim_strbuf_printf(sb, "  %-26s %16s", name, t.value);
    if (t.half[0] != '\0')
        sim_strbuf_printf(sb, "  ± %s", t.half);
    sim_strbuf_printf(sb, "\n");
}

/* The books of a scope: what came in against what became of it. */
static void table_books(struct sim_strbuf *sb, const struct sim_summary *s,
                        const char *scope)
{
    struct sim_summary_books b;
    char line[256];

    if (sim_summary_find(s, scope, "arrived") == NULL)
        return;
    books_of(s, scope, &b);
    sim_summary_books_text(&b, line, sizeof line);
    sim_strbuf_printf(sb, "  books: %s\n", line);
}

static void table_engine(struct sim_strbuf *sb, const struct sim_summary *s)
{
    const struct sim_summary_row *ev = sim_summary_find(s, "engine",
                                                        "events");
    bool any = false;

    if (ev == NULL)
        return;
    sim_strbuf_printf(sb, "engine: %.0f events per replication",
                      ev->ci.mean);
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *r = &s->rows[i];

        if (strcmp(r->scope, "engine") != 0 ||
            strncmp(r->name, "dropped.", 8) != 0 ||
            total(s, "engine", r->name) == 0)
            continue;
        sim_strbuf_printf(sb, "%s %s %.0f", any ? "," : "; dropped:",
                          r->name + 8, total(s, "engine", r->name));
        any = true;
    }
    sim_strbuf_printf(sb, "%s\n", any ? " (all replications)" : "");
}

static void table_expects(struct sim_strbuf *sb, const struct sim_summary *s)
{
    if (s->n_expects == 0)
        return;
    sim_strbuf_printf(sb, "expectations (met only if the whole 95%% "
                      "interval is)\n");
    for (size_t i = 0; i < s->n_expects; i++) {
        const struct sim_expect_result *r = &s->expects[i];
        const struct sim_summary_row *row = sim_summary_find(s, r->scope,
                                                             r->expect->
                                                             metric);
        struct sim_summary_text t;

        sim_summary_format_figure(r->expect->metric, row->unit, r->mean,
                                  r->half_width, &t);
        sim_strbuf_printf(sb, "  %-7s %s  (%s: %s",
                          sim_expect_status_name(r->status), r->expect->text,
                          r->scope, t.value);
        if (t.half[0] != '\0')
            sim_strbuf_printf(sb, " ± %s", t.half);
        sim_strbuf_printf(sb, ")\n");
    }
    sim_strbuf_printf(sb, "\n");
}

static void table_notes(struct sim_strbuf *sb, const struct sim_summary *s)
{
    const struct sim_report *r = s->first;
    size_t width = 0;

    if (r == NULL || r->n_notes == 0)
        return;
    /* Times to the millisecond, kinds in one column as wide as the widest. */
    for (size_t i = 0; i < r->n_notes; i++)
        if (strlen(r->notes[i].kind) > width)
            width = strlen(r->notes[i].kind);
    sim_strbuf_printf(sb, "timeline (replication 0)\n");
    for (size_t i = 0; i < r->n_notes; i++)
        sim_strbuf_printf(sb, "  %10.3fs  %-*s  %s\n", r->notes[i].t_s,
                          (int)width, r->notes[i].kind, r->notes[i].text);
    sim_strbuf_printf(sb, "\n");
}

/*
 * Whether scope is one instance of a group that has its own scope
 * ("server app.2" beside "server app"); such instances go on one line.
 */
static bool is_instance(const struct sim_summary *s, const char *scope)
{
    const char *dot = strrchr(scope, '.');
    char group[128];

    if (dot == NULL || dot[1] < '0' || dot[1] > '9' ||
        (size_t)(dot - scope) >= sizeof group)
        return false;
    for (const char *p = dot + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    snprintf(group, sizeof group, "%.*s", (int)(dot - scope), scope);
    for (size_t i = 0; i < s->n_rows; i++)
        if (strcmp(s->rows[i].scope, group) == 0)
            return true;
    return false;
}

/* One line of the instances of group scope: their utilisation. */
static void table_instances(struct sim_strbuf *sb,
                            const struct sim_summary *s, const char *group)
{
    size_t len = strlen(group);
    bool any = false;

    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *r = &s->rows[i];

        if (strncmp(r->scope, group, len) != 0 || r->scope[len] != '.' ||
            strcmp(r->name, "utilisation") != 0 || !is_instance(s, r->scope))
            continue;
        sim_strbuf_printf(sb, "%s%s %.1f%%", any ? ", " : "  utilisation "
                          "per instance: ", strrchr(r->scope, ' ') + 1,
                          100 * r->ci.mean);
        any = true;
    }
    if (any)
        sim_strbuf_printf(sb, "\n");
}

char *sim_summary_table(const struct sim_summary *s,
                        const struct sim_scenario *sc)
{
    struct sim_strbuf sb;
    bool has_ci = s->n_reps > 1;
    char dur[32], wu[32], warm[64];

    sim_strbuf_init(&sb);
    if (sc->warmup > 0)
        snprintf(warm, sizeof warm, "first %s warm-up",
                 sim_units_format_duration(sc->warmup, wu, sizeof wu));
    else
        snprintf(warm, sizeof warm, "no warm-up");
    sim_strbuf_printf(&sb, "distsim %s: scenario %s, seed %llu, %u "
                      "replication%s of %s (%s)\n",
                      SIM_VERSION, sc->name, (unsigned long long)sc->seed,
                      s->n_reps, s->n_reps == 1 ? "" : "s",
                      sim_units_format_duration(sc->duration, dur,
                                                sizeof dur), warm);
    sim_strbuf_printf(&sb, "%s\n", has_ci
                      ? "values are means over replications, ± the "
                        "half-width of their 95% confidence interval"
                      : "one replication: no confidence interval (use "
                        "--replications 2 or more)");
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *r = &s->rows[i];
        bool is_last = i + 1 == s->n_rows ||
                       strcmp(r->scope, s->rows[i + 1].scope) != 0;
        bool is_first = i == 0 || strcmp(r->scope, s->rows[i - 1].scope) != 0;

        if (strcmp(r->scope, "engine") == 0 || is_instance(s, r->scope))
            continue;
        if (is_first)
            sim_strbuf_printf(&sb, "\n%s\n", r->scope);
        if (sim_summary_is_shown(r->name, r->unit, r->ci.mean))
            table_row(&sb, r, has_ci);
        if (is_last) {
            table_instances(&sb, s, r->scope);
            table_books(&sb, s, r->scope);
        }
    }
    sim_strbuf_printf(&sb, "\n");
    table_notes(&sb, s);
    table_expects(&sb, s);
    table_engine(&sb, s);
    return sim_strbuf_take(&sb);
}

static json_t *json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_row(const struct sim_summary_row *r, unsigned n_reps)
{
    json_t *o = json_object(), *vals = json_array();

    for (unsigned i = 0; i < n_reps; i++)
        json_array_append_new(vals, json_num(r->values[i]));
    json_object_set_new(o, "scope", json_string(r->scope));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "unit", json_string(r->unit));
    json_object_set_new(o, "mean", json_num(r->ci.mean));
    json_object_set_new(o, "ci95_half_width", json_num(r->ci.half_width));
    json_object_set_new(o, "sd", json_num(r->ci.sd));
    json_object_set_new(o, "n", json_integer((json_int_t)r->ci.n));
    json_object_set_new(o, "replications", vals);
    return o;
}

static json_t *json_scenario(const struct sim_scenario *sc)
{
    json_t *o = json_object();
    char hash[20];

    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sc->hash);
    json_object_set_new(o, "name", json_string(sc->name));
    if (sc->title != NULL)
        json_object_set_new(o, "title", json_string(sc->title));
    json_object_set_new(o, "file", json_string(sc->file));
    json_object_set_new(o, "hash", json_string(hash));
    json_object_set_new(o, "seed", json_integer((json_int_t)sc->seed));
    json_object_set_new(o, "duration_s",
                        json_real(sim_time_to_s(sc->duration)));
    json_object_set_new(o, "warmup_s", json_real(sim_time_to_s(sc->warmup)));
    json_object_set_new(o, "replications",
                        json_integer((json_int_t)sc->replications));
    json_object_set_new(o, "window_s", json_real(sim_time_to_s(sc->window)));
    json_object_set_new(o, "max_events",
                        json_integer((json_int_t)sc->max_events));
    json_object_set_new(o, "max_requests",
                        json_integer((json_int_t)sc->max_requests));
    return o;
}

/*
 * Appends value (which it takes) as jansson writes it, every line after
 * the first indented one level more: a member of the top object.
 */
static void put_json(struct sim_strbuf *sb, json_t *value)
{
    char *text = value != NULL ? sim_json_text(value) : NULL;
    const char *p, *nl;

    json_decref(value);
    if (text == NULL) {
        sb->is_failed = true;
        return;
    }
    for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        sim_strbuf_add(sb, p, (size_t)(nl - p + 1));
        sim_strbuf_add(sb, "  ", 2);
    }
    sim_strbuf_add(sb, p, strlen(p));
    free(text);
}

/*
 * The timeline, written by hand so that each time reads as the exact
 * nanoseconds it was ("58.5", not the 17 digits of its nearest double).
 */
static void put_timeline(struct sim_strbuf *sb, const struct sim_report *r)
{
    size_t n = r != NULL ? r->n_notes : 0;
    char t[48];

    if (n == 0) {
        sim_strbuf_printf(sb, "[]");
        return;
    }
    sim_strbuf_printf(sb, "[\n");
    for (size_t i = 0; i < n; i++) {
        sim_time ns = 0;

        sim_time_from_s(r->notes[i].t_s, &ns);
        sim_strbuf_printf(sb, "    {\n      \"t_s\": %s,\n      \"kind\": ",
                          sim_units_format_seconds(ns, t, sizeof t));
        put_json(sb, json_string(r->notes[i].kind));
        sim_strbuf_printf(sb, ",\n      \"text\": ");
        put_json(sb, json_string(r->notes[i].text));
        sim_strbuf_printf(sb, "\n    }%s\n", i + 1 < n ? "," : "");
    }
    sim_strbuf_printf(sb, "  ]");
}

static json_t *json_expects(const struct sim_summary *s)
{
    json_t *a = json_array();

    for (size_t i = 0; i < s->n_expects; i++) {
        const struct sim_expect_result *r = &s->expects[i];
        json_t *o = json_object();

        json_object_set_new(o, "text", json_string(r->expect->text));
        json_object_set_new(o, "scope", json_string(r->scope));
        json_object_set_new(o, "metric", json_string(r->expect->metric));
        json_object_set_new(o, "op",
                            json_string(sim_expect_op_text(r->expect->op)));
        json_object_set_new(o, "threshold", json_num(r->expect->threshold));
        json_object_set_new(o, "status",
                            json_string(sim_expect_status_name(r->status)));
        json_object_set_new(o, "mean", json_num(r->mean));
        json_object_set_new(o, "ci95_half_width", json_num(r->half_width));
        json_array_append_new(a, o);
    }
    return a;
}

/* {"server app": {"workers": "8", ...}, ...} in the order reported. */
static json_t *json_settings(const struct sim_report *r)
{
    json_t *all = json_object();

    for (size_t i = 0; r != NULL && i < r->n_settings; i++) {
        const struct sim_setting *st = &r->settings[i];
        json_t *scope = json_object_get(all, st->scope);

        if (scope == NULL) {
            scope = json_object();
            json_object_set_new(all, st->scope, scope);
        }
        json_object_set_new(scope, st->key, json_string(st->value));
    }
    return all;
}

/* Appends "  \"key\": value," (taking value), as a top-level member. */
static void put_member(struct sim_strbuf *sb, const char *key, json_t *value)
{
    sim_strbuf_printf(sb, "  \"%s\": ", key);
    put_json(sb, value);
    sim_strbuf_printf(sb, ",\n");
}

int sim_summary_write_json(const struct sim_summary *s,
                           const struct sim_scenario *sc, const char *path,
                           struct sim_error *err)
{
    json_t *rows = json_array();
    struct sim_strbuf sb;

    for (size_t i = 0; i < s->n_rows; i++)
        json_array_append_new(rows, json_row(&s->rows[i], s->n_reps));
    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "{\n");
    put_member(&sb, "distsim", json_string(SIM_VERSION));
    put_member(&sb, "scenario", json_scenario(sc));
    put_member(&sb, "confidence_level", json_real(SUMMARY_LEVEL));
    put_member(&sb, "books_balance", json_boolean(s->is_balanced));
    put_member(&sb, "metrics", rows);
    sim_strbuf_printf(&sb, "  \"timeline\": ");
    put_timeline(&sb, s->first);
    sim_strbuf_printf(&sb, ",\n");
    put_member(&sb, "settings", json_settings(s->first));
    sim_strbuf_printf(&sb, "  \"expectations\": ");
    put_json(&sb, json_expects(s));
    sim_strbuf_printf(&sb, "\n}\n");
    return sim_strbuf_save(&sb, path, err);
}

int sim_summary_write_tsv(const struct sim_summary *s, const char *path,
                          struct sim_error *err)
{
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "scope\tmetric\tunit\tmean (unit)\t"
                      "ci95_half_width (unit)\tsd (unit)\tn (replications)");
    for (unsigned r = 0; r < s->n_reps; r++)
        sim_strbuf_printf(&sb, "\trep%u (unit)", r);
    sim_strbuf_printf(&sb, "\n");
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *row = &s->rows[i];

        sim_strbuf_printf(&sb, "%s\t%s\t%s\t%.17g\t%.17g\t%.17g\t%zu",
                          row->scope, row->name, row->unit, row->ci.mean,
                          row->ci.half_width, row->ci.sd, row->ci.n);
        for (unsigned r = 0; r < s->n_reps; r++)
            sim_strbuf_printf(&sb, "\t%.17g", row->values[r]);
        sim_strbuf_printf(&sb, "\n");
    }
    return sim_strbuf_save(&sb, path, err);
}

int sim_summary_write_series(const struct sim_summary *s,
                             const struct sim_scenario *sc, const char *path,
                             struct sim_error *err)
{
    struct sim_strbuf sb;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "scope\tmetric\tunit\twindow_start (s)\t"
                      "window_end (s)\tmean (unit)\tci95_half_width (unit)"
                      "\n");
    for (size_t i = 0; i < s->n_series; i++) {
        const struct sim_summary_series *ser = &s->series[i];

        for (size_t w = 0; w < ser->n_values; w++) {
            sim_time t0 = (sim_time)w * sc->window, t1 = t0 + sc->window;

            if (t1 > sc->duration)
                t1 = sc->duration;
            sim_strbuf_printf(&sb, "%s\t%s\t%s\t%.9g\t%.9g\t%.17g\t%.17g"
                              "\n", ser->scope, ser->name, ser->unit,
                              sim_time_to_s(t0), sim_time_to_s(t1),
                              ser->mean[w], ser->half_width[w]);
        }
    }
    return sim_strbuf_save(&sb, path, err);
}
