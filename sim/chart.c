/* SPDX-License-Identifier: MIT */
/*
 * chart.c - choosing the charts a run's data allow and writing the data
 * their scripts read.
 *
 * A time-series chart's data file has one row per series window: the
 * window's middle in seconds, then three columns per line (the mean over
 * replications, and the low and high ends of its 95% interval), scaled to
 * the unit on the axis. A curve chart's file has one row per point and
 * six columns per curve (x and its bounds, y and its bounds). The header
 * names every column and its unit; the first word of a line's header is
 * its name in the key. Scenario text reaches gnuplot only as data or as
 * an argument value, never as script text.
 */
#include "sim/chart.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/gnuplot.h"

#define CHART_TITLE_TEXT 90             /* bytes of scenario text in titles */
#define CHART_LABEL_MAX 40              /* bytes of a fault's label */

/* One line of a chart: a series (or curve coordinate) on an axis. */
struct line {
    char label[96];                     /* first word: the key's text */
    const struct sim_summary_series *ser; /* a series, or */
    const struct sim_curve_summary *cur;  /* a curve */
    double scale;                       /* to the axis unit */
    double cap;                         /* upper bound of the axis value */
    const char *unit;                   /* of the axis */
};

/* What the chart builders share. */
struct prep {
    const char *dir;
    const struct sim_scenario *sc;
    const struct sim_summary *s;
    struct sim_chart_set *set;
    struct line *lines;                 /* room for every series and curve */
    size_t n_lines;
    struct sim_error *err;
};

/*
 * Copies text made one line (controls as spaces, runs of spaces as one),
 * cut at max bytes on a character boundary with "..." when longer.
 */
static void one_line(const char *text, size_t max, char *buf, size_t n)
{
    size_t j = 0;
    bool is_cut = false;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned char c = *p < 0x20 || *p == 0x7f ? ' ' : *p;

        if (c == ' ' && (j == 0 || buf[j - 1] == ' '))
            continue;
        if (j + 1 >= n || j >= max) {
            is_cut = true;
            break;
        }
        buf[j++] = (char)c;
    }
    while (is_cut && j > 0 && ((unsigned char)buf[j] & 0xc0) == 0x80 &&
           ((unsigned char)buf[j - 1] & 0x80) != 0)
        j--;
    while (j > 0 && buf[j - 1] == ' ')
        j--;
    buf[j] = '\0';
    if (is_cut && j + 4 < n)
        strcat(buf, "...");
}

void sim_chart_title(const struct sim_scenario *sc, const char *what,
                     char *buf, size_t n)
{
    char head[CHART_TITLE_TEXT + 8];

    one_line(sc->title != NULL ? sc->title : sc->name, CHART_TITLE_TEXT,
             head, sizeof head);
    snprintf(buf, n, "%s: %s", head, what);
}

static void put_num(struct sim_strbuf *sb, double v)
{
    if (isfinite(v))
        sim_strbuf_printf(sb, "\t%.9g", v);
    else
        sim_strbuf_printf(sb, "\tnan");
}

/* Writes sb (released here) to dir/charts/name. */
static int write_file(const struct prep *p, const char *name,
                      struct sim_strbuf *sb)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/%s/%s", p->dir, SIM_CHART_DIR, name);
    return sim_strbuf_save(sb, path, p->err);
}

/* The mean and bounds of a value v with half-width hw, on line l. */
static void put_bounded(struct sim_strbuf *sb, const struct line *l,
                        double v, double hw)
{
    double lo = (v - hw) * l->scale, hi = (v + hw) * l->scale;

    put_num(sb, v * l->scale);
    put_num(sb, lo < 0 ? 0 : lo);
    put_num(sb, hi > l->cap ? l->cap : hi);
}

static int write_series_table(const struct prep *p, const char *name)
{
    const struct sim_scenario *sc = p->sc;
    struct sim_strbuf sb;
    size_t n_rows = 0;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "time (s)");
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct line *l = &p->lines[i];

        sim_strbuf_printf(&sb, "\t%s (%s)\t%s ci95 low (%s)\t%s ci95 high "
                          "(%s)", l->label, l->unit, l->label, l->unit,
                          l->label, l->unit);
        if (l->ser->n_values > n_rows)
            n_rows = l->ser->n_values;
    }
    sim_strbuf_printf(&sb, "\n");
    for (size_t w = 0; w < n_rows; w++) {
        sim_time t0 = (sim_time)w * sc->window, t1 = t0 + sc->window;

        if (t1 > sc->duration)
            t1 = sc->duration;
        sim_strbuf_printf(&sb, "%.9g", (sim_time_to_s(t0) +
                                        sim_time_to_s(t1)) / 2);
        for (size_t i = 0; i < p->n_lines; i++) {
            const struct sim_summary_series *ser = p->lines[i].ser;
            bool has = w < ser->n_values;

            put_bounded(&sb, &p->lines[i], has ? ser->mean[w] : NAN,
                        has ? ser->half_width[w] : NAN);
        }
        sim_strbuf_printf(&sb, "\n");
    }
    return write_file(p, name, &sb);
}

/* x of every curve in its line's axis unit, y (named y_name) as given. */
static int write_curve_table(const struct prep *p, const char *name,
                             const char *y_name, const char *y_unit)
{
    struct sim_strbuf sb;
    size_t n_rows = 0;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "point (index)");
    for (size_t i = 0; i < p->n_lines; i++) {
        const struct line *l = &p->lines[i];

        sim_strbuf_printf(&sb, "\t%s x (%s)\t%s x ci95 low (%s)\t%s x ci95 "
                          "high (%s)\t%s %s (%s)\t%s %s ci95 low (%s)\t%s %s "
                          "ci95 high (%s)", l->label, l->unit, l->label,
                          l->unit, l->label, l->unit, l->label, y_name,
                          y_unit, l->label, y_name, y_unit, l->label,
                          y_name, y_unit);
        if (l->cur->n > n_rows)
            n_rows = l->cur->n;
    }
    sim_strbuf_printf(&sb, "\n");
    for (size_t k = 0; k < n_rows; k++) {
        sim_strbuf_printf(&sb, "%zu", k);
        for (size_t i = 0; i < p->n_lines; i++) {
            const struct line *l = &p->lines[i];
            const struct sim_curve_summary *c = l->cur;
            struct line y_line = {.scale = 1, .cap = 1};
            bool has = k < c->n;

            put_bounded(&sb, l, has ? c->x[k] : NAN, has ? c->x_hw[k] : NAN);
            put_bounded(&sb, &y_line, has ? c->y[k] : NAN,
                        has ? c->y_hw[k] : NAN);
        }
        sim_strbuf_printf(&sb, "\n");
    }
    return write_file(p, name, &sb);
}

/* The part of a scope after its kind: "client web" -> "web". */
static const char *scope_name(const char *scope)
{
    const char *sp = strchr(scope, ' ');

    return sp != NULL ? sp + 1 : scope;
}

static bool is_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether any of the n values is a number: an empty line is left out. */
static bool has_data(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            return true;
    return false;
}

static void add_series_line(struct prep *p, const char *label,
                            const struct sim_summary_series *ser,
                            double scale, double cap, const char *unit)
{
    struct line *l = &p->lines[p->n_lines];

    if (!has_data(ser->mean, ser->n_values))
        return;
    p->n_lines++;
    memset(l, 0, sizeof *l);
    snprintf(l->label, sizeof l->label, "%s", label);
    l->ser = ser;
    l->scale = scale;
    l->cap = cap;
    l->unit = unit;
}

/*
 * Lines for every series named name (or starting with name, is_prefix)
 * in a scope starting with scope_kind; a longer name adds its rest to the
 * label ("orders/p99"). Returns how many.
 */
static size_t add_matching(struct prep *p, const char *scope_kind,
                           const char *name, bool is_name_prefix,
                           double scale, double cap, const char *unit)
{
    size_t before = p->n_lines, len = strlen(name);
    char label[96];

    for (size_t i = 0; i < p->s->n_series; i++) {
        const struct sim_summary_series *ser = &p->s->series[i];
        const char *rest = ser->name + len;

        if (!is_prefix(ser->scope, scope_kind) ||
            !(is_name_prefix ? is_prefix(ser->name, name)
                             : strcmp(ser->name, name) == 0))
            continue;
        while (*rest == '.' || *rest == '_')
            rest++;
        snprintf(label, sizeof label, "%s%s%s", scope_name(ser->scope),
                 *rest ? "/" : "", rest);
        add_series_line(p, label, ser, scale, cap, unit);
    }
    return p->n_lines - before;
}

static const struct sim_summary_series *find_series(
    const struct sim_summary *s, const char *scope, const char *name)
{
    for (size_t i = 0; i < s->n_series; i++)
        if (strcmp(s->series[i].scope, scope) == 0 &&
            strcmp(s->series[i].name, name) == 0)
            return &s->series[i];
    return NULL;
}

/* Appends a chart to the set; NULL when out of memory. */
static struct sim_chart *add_chart(struct prep *p, const char *name,
                                   const char *script, const char *what)
{
    struct sim_chart_set *set = p->set;
    struct sim_chart *c;

    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        struct sim_chart *grown = realloc(set->charts, cap * sizeof *c);

        if (grown == NULL)
            return NULL;
        set->charts = grown;
        set->cap = cap;
    }
    c = &set->charts[set->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->script = script;
    sim_chart_title(p->sc, what, c->title, sizeof c->title);
    return c;
}

/* Adds the chart and writes its data from p->lines. */
static int emit(struct prep *p, const char *name, const char *script,
                const char *what, const char *counts, const char *caption,
                bool is_curve)
{
    struct sim_chart *c = add_chart(p, name, script, what);
    char file[128];

    if (c == NULL)
        return sim_error_set(p->err, SIM_ENOMEM, "out of memory");
    snprintf(c->counts, sizeof c->counts, "%s", counts);
    snprintf(c->caption, sizeof c->caption, "%s", caption);
    snprintf(file, sizeof file, "%s.tsv", name);
    if (!is_curve)
        return write_series_table(p, file);
    return write_curve_table(p, file, strcmp(script, "cdf") == 0
                             ? "probability" : "fresh", "ratio");
}

static int chart_latency(struct prep *p)
{
    static const char *const names[] = {
        "response_time.p50", "response_time.p99", "response_time.p999",
    };
    static const char *const labels[] = {"p50", "p99", "p99.9"};
    char name[96], what[128], counts[32], caption[320];
    int rc = 0;

    for (size_t i = 0; i < p->s->n_series && rc == 0; i++) {
        const struct sim_summary_series *ser = &p->s->series[i];
        const char *who = scope_name(ser->scope);

        if (!is_prefix(ser->scope, "client ") ||
            strcmp(ser->name, names[0]) != 0)
            continue;
        p->n_lines = 0;
        for (size_t k = 0; k < 3; k++) {
            const struct sim_summary_series *f =
                find_series(p->s, ser->scope, names[k]);

            if (f != NULL)
                add_series_line(p, labels[k], f, 1e3, INFINITY, "ms");
        }
        if (p->n_lines == 0)
            continue;
        snprintf(name, sizeof name, "latency-%s", who);
        snprintf(what, sizeof what, "response time of client %s", who);
        snprintf(counts, sizeof counts, "%zu", p->n_lines);
        snprintf(caption, sizeof caption, "Response time of client %s "
                 "(from its send to its receipt of the answer) in each "
                 "window: p50, p99 and p99.9, in ms.", who);
        rc = emit(p, name, "latency", what, counts, caption, false);
    }
    return rc;
}

/* A chart of two panels: lines of name1 over those of name2. */
static int chart_two(struct prep *p, const char *kind, const char *chart,
                     const char *const names[2], const double scales[2],
                     const char *const units[2], const char *what,
                     const char *caption)
{
    size_t n1, n2;
    char counts[32];

    p->n_lines = 0;
    n1 = add_matching(p, kind, names[0], false, scales[0],
                      scales[0] == 100 ? 100 : INFINITY, units[0]);
    n2 = add_matching(p, kind, names[1], false, scales[1],
                      scales[1] == 100 ? 100 : INFINITY, units[1]);
    if (n1 + n2 == 0)
        return 0;
    snprintf(counts, sizeof counts, "%zu %zu", n1, n2);
    return emit(p, chart, chart, what, counts, caption, false);
}

static int chart_throughput(struct prep *p)
{
    static const char *const names[] = {"throughput", "availability"};
    static const double scales[] = {1, 100};
    static const char *const units[] = {"1/s", "%"};

    return chart_two(p, "client ", "throughput", names, scales, units,
                     "throughput and availability", "Throughput (requests "
                     "answered per second) and availability (the share of "
                     "requests that ended in an answer) of every client, in "
                     "each window.");
}

static int chart_servers(struct prep *p)
{
    static const char *const names[] = {"queue_length", "utilisation"};
    static const double scales[] = {1, 100};
    static const char *const units[] = {"requests", "%"};

    return chart_two(p, "server ", "servers", names, scales, units,
                     "queue length and utilisation", "Mean number of "
                     "requests waiting (time-weighted), and the share of "
                     "workers busy, of every server group in each window.");
}

static int chart_cache(struct prep *p)
{
    char counts[32];

    p->n_lines = 0;
    if (add_matching(p, "", "hit_ratio", false, 100, 100, "%") == 0)
        return 0;
    snprintf(counts, sizeof counts, "%zu", p->n_lines);
    return emit(p, "cache", "cache", "cache hit ratio", counts,
                "Share of cache lookups that found the item, per cache, in "
                "each window.", false);
}

static int chart_consistency(struct prep *p)
{
    size_t n1, n2;
    char counts[32];

    p->n_lines = 0;
    n1 = add_matching(p, "", "stale_read", true, 100, 100, "%");
    n2 = add_matching(p, "", "replication_lag", true, 1e3, INFINITY, "ms");
    if (n1 + n2 == 0)
        return 0;
    snprintf(counts, sizeof counts, "%zu %zu", n1, n2);
    return emit(p, "consistency", "consistency",
                "stale reads and replication lag", counts, "Share of reads "
                "that returned a version older than the newest committed "
                "one, and replication lag in ms, per database, in each "
                "window.", false);
}

static void add_curve_line(struct prep *p, const char *label,
                           const struct sim_curve_summary *c)
{
    struct line *l = &p->lines[p->n_lines];
    bool is_s = strcmp(c->x_unit, "s") == 0;

    if (!has_data(c->x, c->n) || !has_data(c->y, c->n))
        return;
    p->n_lines++;
    memset(l, 0, sizeof *l);
    snprintf(l->label, sizeof l->label, "%s", label);
    l->cur = c;
    l->scale = is_s ? 1e3 : 1;
    l->cap = INFINITY;
    l->unit = is_s ? "ms" : c->x_unit;
}

static int chart_cdf(struct prep *p)
{
    static const char base[] = "response_time.cdf";
    char name[96], what[128], counts[32], caption[320];
    int rc = 0;

    for (size_t i = 0; i < p->s->n_curves && rc == 0; i++) {
        const struct sim_curve_summary *c = &p->s->curves[i];
        const char *who = scope_name(c->scope);

        if (!is_prefix(c->scope, "client ") || strcmp(c->name, base) != 0)
            continue;
        p->n_lines = 0;
        for (size_t k = 0; k < p->s->n_curves; k++) {
            const struct sim_curve_summary *o = &p->s->curves[k];

            if (strcmp(o->scope, c->scope) == 0 && is_prefix(o->name, base))
                add_curve_line(p, o->name[sizeof base - 1] == '.'
                               ? o->name + sizeof base : "all", o);
        }
        if (p->n_lines == 0)
            continue;
        snprintf(name, sizeof name, "cdf-%s", who);
        snprintf(what, sizeof what, "response-time CDF of client %s", who);
        snprintf(counts, sizeof counts, "%zu", p->n_lines);
        snprintf(caption, sizeof caption, "Distribution of the response "
                 "time of client %s: of every request, and of each kind of "
                 "operation; the response time (ms, log scale) below which "
                 "a given share of requests lies.", who);
        rc = emit(p, name, "cdf", what, counts, caption, true);
    }
    return rc;
}

static int chart_visibility(struct prep *p)
{
    char counts[32], label[96];

    p->n_lines = 0;
    for (size_t i = 0; i < p->s->n_curves; i++) {
        const struct sim_curve_summary *c = &p->s->curves[i];

        if (strstr(c->name, "visibility") == NULL &&
            !is_prefix(c->name, "fresh"))
            continue;
        snprintf(label, sizeof label, "%s/%s", scope_name(c->scope),
                 c->name);
        add_curve_line(p, label, c);
    }
    if (p->n_lines == 0)
        return 0;
    snprintf(counts, sizeof counts, "%zu", p->n_lines);
    return emit(p, "visibility", "visibility", "t-visibility", counts,
                "Probability that a read returns the newest committed "
                "version, against the time since that version's commit "
                "(ms, log scale).", true);
}

/* Fill colours of the shading, per fault kind; others are pink. */
static unsigned shade_colour(const char *kind)
{
    static const struct {
        const char *kind;
        unsigned rgb;
    } colours[] = {
        {"partition", 0xe06666}, {"crash", 0xf0a040}, {"slow", 0xe0d040},
        {"lossy", 0xb080d0}, {"skew", 0x60a0e0},
    };

    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        if (strcmp(kind, colours[i].kind) == 0)
            return colours[i].rgb;
    return 0xe080b0;
}

/* A label as a data field: one line, no tabs, no double quotes. */
static void put_label(struct sim_strbuf *sb, const char *kind,
                      const char *text)
{
    char joined[512], label[CHART_LABEL_MAX + 8];

    snprintf(joined, sizeof joined, "%s %s", kind, text);
    for (char *c = joined; *c; c++)
        if (*c == '"')
            *c = '\'';
    one_line(joined, CHART_LABEL_MAX, label, sizeof label);
    sim_strbuf_printf(sb, "\t%s\n", label);
}

static int write_shading(struct prep *p, const struct sim_timeline *tl)
{
    struct sim_strbuf sb;
    double warm = sim_time_to_s(p->sc->warmup);

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "start (s)\tend (s)\tcolour (rgb)\tlabel\n");
    p->set->n_shading = 0;
    if (warm > 0) {
        sim_strbuf_printf(&sb, "0\t%.9g\t%u\twarm-up\n", warm, 0xa0a0a0u);
        p->set->n_shading++;
    }
    for (size_t i = 0; tl != NULL && i < tl->n_windows; i++) {
        const struct sim_timeline_window *w = &tl->windows[i];

        sim_strbuf_printf(&sb, "%.9g\t%.9g\t%u", w->start_s, w->end_s,
                          shade_colour(w->kind));
        put_label(&sb, w->kind, w->text);
        p->set->n_shading++;
    }
    return write_file(p, "shading.tsv", &sb);
}

int sim_chart_prepare(const char *dir, const struct sim_scenario *sc,
                      const struct sim_summary *s,
                      const struct sim_timeline *tl, int format,
                      struct sim_chart_set *set, struct sim_error *err)
{
    static const struct {
        unsigned bit;
        int (*build)(struct prep *p);
    } kinds[] = {
        {SIM_PLOT_LATENCY, chart_latency},
        {SIM_PLOT_THROUGHPUT, chart_throughput},
        {SIM_PLOT_CDF, chart_cdf},
        {SIM_PLOT_SERVERS, chart_servers},
        {SIM_PLOT_CACHE, chart_cache},
        {SIM_PLOT_CONSISTENCY, chart_consistency},
        {SIM_PLOT_VISIBILITY, chart_visibility},
    };
    struct prep p = {.dir = dir, .sc = sc, .s = s, .set = set, .err = err};
    char path[4200];
    int rc;

    memset(set, 0, sizeof *set);
    set->ext = format == SIM_PLOT_SVG ? "svg" : "png";
    set->has_bands = s->n_reps > 1;
    set->run_s = sim_time_to_s(sc->duration);
    snprintf(path, sizeof path, "%s/%s", dir, SIM_CHART_DIR);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return sim_error_set(err, SIM_EIO, "cannot create \"%s\"", path);
    p.lines = calloc(s->n_series + s->n_curves + 1, sizeof *p.lines);
    if (p.lines == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    rc = write_shading(&p, tl);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] && rc == 0; k++)
        if (sc->plot_charts & kinds[k].bit)
            rc = kinds[k].build(&p);
    free(p.lines);
    return rc;
}

int sim_chart_draw(const char *dir, const char *scripts, unsigned parallel,
                   struct sim_chart_set *set, struct sim_strbuf *problems,
                   struct sim_error *err)
{
    struct sim_gnuplot_job *jobs = calloc(set->n + 1, sizeof *jobs);
    char (*text)[5][4200] = calloc(set->n + 1, sizeof *text);
    char shading[16], bands[4], run_s[32];
    int rc;

    if (jobs == NULL || text == NULL) {
        free(jobs);
        free(text);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    snprintf(shading, sizeof shading, "%u", set->n_shading);
    snprintf(bands, sizeof bands, "%d", set->has_bands);
    snprintf(run_s, sizeof run_s, "%.9g", set->run_s);
    for (size_t i = 0; i < set->n; i++) {
        const struct sim_chart *c = &set->charts[i];

        snprintf(text[i][0], sizeof text[i][0], "%s/%s.gp", scripts,
                 c->script);
        snprintf(text[i][1], sizeof text[i][1], "%s/%s.tsv", SIM_CHART_DIR,
                 c->name);
        snprintf(text[i][2], sizeof text[i][2], "%s/%s.%s", SIM_CHART_DIR,
                 c->name, set->ext);
        jobs[i] = (struct sim_gnuplot_job){
            .script = text[i][0],
            .args = {text[i][1], text[i][2], set->ext, c->title,
                     SIM_CHART_DIR "/shading.tsv", shading, bands, run_s,
                     c->counts, NULL},
        };
    }
    rc = sim_gnuplot_run(dir, jobs, set->n, parallel, err);
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        set->charts[i].is_drawn = jobs[i].status == 0;
        if (jobs[i].status != 0)
            sim_strbuf_printf(problems, "chart %s: gnuplot failed (exit "
                              "%d): %s\n", set->charts[i].name,
                              jobs[i].status, jobs[i].message);
    }
    free(jobs);
    free(text);
    return rc;
}

void sim_chart_release(struct sim_chart_set *set)
{
    free(set->charts);
    memset(set, 0, sizeof *set);
}
