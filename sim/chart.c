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
 * names every column and its unit; a line's header up to " (" is its name
 * in the key, as a reader knows it: a component's name from the scenario,
 * "p99", "read". Scenario text reaches gnuplot only as data or as an
 * argument value, never as script text.
 *
 * Axes are chosen here too. A panel over time whose largest value is more
 * than SIM_CHART_LOG_RATIO (30) times its smallest positive one has a log
 * y axis: on a linear axis the lowest line would then lie in the bottom
 * thirtieth of the plot (about 10 pixels of 330), where its changes cannot
 * be seen, as happens to p50 when a partition sends p99.9 up a hundredfold.
 * Below that ratio a linear axis reads more easily, and the usual spread of
 * a healthy service (p99.9 some 5 to 20 times p50) stays linear. A curve
 * chart's x range runs from the decade below its first point to the decade
 * above the point where every curve has reached CHART_FRESH (and stays
 * there), or where its data end; a curve always that fresh shows all its
 * data.
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
#define CHART_FRESH 0.99                /* a visibility curve "reached 1" */

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
 * How many series named as ser is have a scope that is a shard of ser's
 * database: "database orders.0", "database orders.1", ...; plen is the
 * length of "database orders.".
 */
static size_t n_shards(const struct sim_summary *s,
                       const struct sim_summary_series *ser, size_t plen)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n_series; i++) {
        const struct sim_summary_series *o = &s->series[i];

        n += strcmp(o->name, ser->name) == 0 &&
             strncmp(o->scope, ser->scope, plen) == 0 &&
             strchr(o->scope + plen, '.') == NULL;
    }
    return n;
}

/*
 * The name a reader knows a series' component by: "client web" gives
 * "web"; the shard "database orders.1" gives "orders shard 1", or
 * "orders" when the database has one shard.
 */
static void scope_label(const struct sim_summary *s,
                        const struct sim_summary_series *ser, char *buf,
                        size_t n)
{
    const char *who = scope_name(ser->scope);
    const char *dot = strchr(who, '.');

    if (!is_prefix(ser->scope, "database ") || dot == NULL ||
        strchr(dot + 1, '.') != NULL)
        snprintf(buf, n, "%s", who);
    else if (n_shards(s, ser, (size_t)(dot + 1 - ser->scope)) > 1)
        snprintf(buf, n, "%.*s shard %s", (int)(dot - who), who, dot + 1);
    else
        snprintf(buf, n, "%.*s", (int)(dot - who), who);
}

/*
 * Lines for every series named name in a scope starting with scope_kind,
 * each labelled with its component. Returns how many.
 */
static size_t add_matching(struct prep *p, const char *scope_kind,
                           const char *name, double scale, double cap,
                           const char *unit)
{
    size_t before = p->n_lines;
    char label[96];

    for (size_t i = 0; i < p->s->n_series; i++) {
        const struct sim_summary_series *ser = &p->s->series[i];

        if (!is_prefix(ser->scope, scope_kind) ||
            strcmp(ser->name, name) != 0)
            continue;
        scope_label(p->s, ser, label, sizeof label);
        add_series_line(p, label, ser, scale, cap, unit);
    }
    return p->n_lines - before;
}

/*
 * Chooses panel k's y axis from its n lines starting at first: log when
 * their values span more than SIM_CHART_LOG_RATIO, its floor then the
 * power of ten at or below the smallest positive value.
 */
static void choose_y_axis(struct prep *p, struct sim_chart *c, int k,
                          size_t first, size_t n)
{
    double lo = INFINITY, hi = 0;

    for (size_t i = first; i < first + n; i++) {
        const struct line *l = &p->lines[i];

        for (size_t w = 0; w < l->ser->n_values; w++) {
            double v = l->ser->mean[w] * l->scale;

            if (!isfinite(v) || v <= 0)
                continue;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    c->is_log_y[k] = hi > 0 && hi > SIM_CHART_LOG_RATIO * lo;
    c->y_floor[k] = c->is_log_y[k] ? pow(10, floor(log10(lo))) : 0;
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

/* What a chart builder hands to emit. */
struct spec {
    const char *name;                   /* of the chart and its data file */
    const char *script;
    const char *what;                   /* the title's end */
    const char *caption;
    const char *scope_kind;             /* two panels: of the series */
    size_t n_lines[2];                  /* lines per panel, in p->lines */
    bool may_log[2];                    /* a panel of times: log allowed */
    bool is_curve;
};

/* Adds the chart, chooses its axes and writes its data from p->lines. */
static int emit(struct prep *p, const struct spec *sp)
{
    struct sim_chart *c = add_chart(p, sp->name, sp->script, sp->what);
    char file[128];

    if (c == NULL)
        return sim_error_set(p->err, SIM_ENOMEM, "out of memory");
    snprintf(c->counts, sizeof c->counts, "%zu %zu", sp->n_lines[0],
             sp->n_lines[1]);
    snprintf(c->caption, sizeof c->caption, "%s", sp->caption);
    snprintf(file, sizeof file, "%s.tsv", sp->name);
    if (sp->is_curve)
        return write_curve_table(p, file, strcmp(sp->script, "cdf") == 0
                                 ? "probability" : "fresh", "ratio");
    for (int k = 0; k < 2; k++)
        if (sp->may_log[k])
            choose_y_axis(p, c, k, k == 0 ? 0 : sp->n_lines[0],
                          sp->n_lines[k]);
    return write_series_table(p, file);
}

static int chart_latency(struct prep *p)
{
    static const char *const names[] = {
        "response_time.p50", "response_time.p99", "response_time.p999",
    };
    static const char *const labels[] = {"p50", "p99", "p99.9"};
    char name[96], what[128], caption[320];
    struct spec sp = {.name = name, .script = "latency", .what = what,
                      .caption = caption, .may_log = {true, false}};
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
        snprintf(caption, sizeof caption, "Response time of client %s "
                 "(from its send to its receipt of the answer) in each "
                 "window: p50, p99 and p99.9, in ms.", who);
        sp.n_lines[0] = p->n_lines;
        rc = emit(p, &sp);
    }
    return rc;
}

/* A chart of two panels: lines of names[0] over those of names[1]. */
static int chart_two(struct prep *p, struct spec *sp,
                     const char *const names[2], const double scales[2],
                     const char *const units[2])
{
    p->n_lines = 0;
    for (int k = 0; k < 2; k++)
        sp->n_lines[k] = add_matching(p, sp->scope_kind, names[k], scales[k],
                                      scales[k] == 100 ? 100 : INFINITY,
                                      units[k]);
    if (p->n_lines == 0)
        return 0;
    return emit(p, sp);
}

static int chart_throughput(struct prep *p)
{
    static const char *const names[] = {"throughput", "availability"};
    static const double scales[] = {1, 100};
    static const char *const units[] = {"1/s", "%"};
    struct spec sp = {
        .name = "throughput", .script = "throughput", .scope_kind = "client ",
        .what = "throughput and availability", .caption = "Throughput "
        "(requests answered per second) and availability (the share of "
        "requests that ended in an answer) of every client, in each "
        "window.",
    };

    return chart_two(p, &sp, names, scales, units);
}

static int chart_servers(struct prep *p)
{
    static const char *const names[] = {"queue_length", "utilisation"};
    static const double scales[] = {1, 100};
    static const char *const units[] = {"requests", "%"};
    struct spec sp = {
        .name = "servers", .script = "servers", .scope_kind = "server ",
        .what = "queue length and utilisation", .caption = "Mean number "
        "of requests waiting (time-weighted), and the share of workers "
        "busy, of every server group in each window.",
       
    };

    return chart_two(p, &sp, names, scales, units);
}

static int chart_cache(struct prep *p)
{
    struct spec sp = {
        .name = "cache", .script = "cache", .what = "cache hit ratio",
        .caption = "Share of cache lookups that found the item, per cache, "
        "in each window.",
    };

    p->n_lines = 0;
    sp.n_lines[0] = add_matching(p, "", "hit_ratio", 100, 100, "%");
    return sp.n_lines[0] == 0 ? 0 : emit(p, &sp);
}

static int chart_consistency(struct prep *p)
{
    static const char *const names[] = {"stale_read_rate",
                                        "replication_lag"};
    static const double scales[] = {100, 1e3};
    static const char *const units[] = {"%", "ms"};
    struct spec sp = {
        .name = "consistency", .script = "consistency", .scope_kind = "",
        .what = "stale reads and replication lag", .caption = "Share of "
        "each client's reads that returned a version older than the "
        "newest committed one, and the replication lag of each database "
        "shard (how long the oldest write a follower has not applied has "
        "been waiting, averaged over its followers), in ms, in each "
        "window.",
        .may_log = {false, true},
    };
    static const char *const whats[] = {"replication lag", "stale reads"};

    p->n_lines = 0;
    for (int k = 0; k < 2; k++)
        sp.n_lines[k] = add_matching(p, sp.scope_kind, names[k], scales[k],
                                     k == 0 ? 100 : INFINITY, units[k]);
    if (p->n_lines == 0)
        return 0;
    if (sp.n_lines[1] == 0)
        sp.caption = "Share of each client's reads that returned a version "
                     "older than the newest committed one, in each window.";
    if (sp.n_lines[0] == 0 || sp.n_lines[1] == 0)
        sp.what = whats[sp.n_lines[0] > 0];
    return emit(p, &sp);
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

/* Whether a curve has a time above 0, which a log time axis can show. */
static bool has_positive_x(const struct sim_curve_summary *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->x[i] > 0)
            return true;
    return false;
}

static int chart_cdf(struct prep *p)
{
    static const char base[] = "response_time.cdf";
    char name[96], what[128], caption[320];
    struct spec sp = {.name = name, .script = "cdf", .what = what,
                      .caption = caption, .is_curve = true};
    int rc = 0;

    for (size_t i = 0; i < p->s->n_curves && rc == 0; i++) {
        const struct sim_curve_summary *c = &p->s->curves[i];
        const char *who = scope_name(c->scope);

        if (!is_prefix(c->scope, "client ") || strcmp(c->name, base) != 0 ||
            !has_positive_x(c))
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
        snprintf(caption, sizeof caption, "Distribution of the response "
                 "time of client %s: of every request, and of each kind of "
                 "operation; the response time (ms, log scale) below which "
                 "a given share of requests lies.", who);
        sp.n_lines[0] = p->n_lines;
        rc = emit(p, &sp);
    }
    return rc;
}

/*
 * Where line l's curve has reached CHART_FRESH for good, or its data end
 * (axis unit); its first point with data into *first. A curve that never
 * falls short of CHART_FRESH shows all its data: it is fresh at every age
 * its reads had. NaN without data.
 */
static double reach_of(const struct line *l, double *first)
{
    const struct sim_curve_summary *c = l->cur;
    double reach = NAN, last = NAN;
    bool is_fresh = false, was_stale = false;

    *first = NAN;
    for (size_t k = 0; k < c->n; k++) {
        if (!isfinite(c->y[k]) || !isfinite(c->x[k]))
            continue;
        last = c->x[k] * l->scale;
        if (!isfinite(*first))
            *first = last;
        if (!is_fresh || c->y[k] < CHART_FRESH)
            reach = last;
        is_fresh = c->y[k] >= CHART_FRESH;
        was_stale = was_stale || !is_fresh;
    }
    return was_stale ? reach : last;
}

/* The x range of the visibility curves, in decades (see the top). */
static void choose_x_range(const struct prep *p, struct sim_chart *c)
{
    double lo = INFINITY, hi = 0;

    for (size_t i = 0; i < p->n_lines; i++) {
        double first, reach = reach_of(&p->lines[i], &first);

        if (!isfinite(reach) || first <= 0)
            continue;
        lo = first < lo ? first : lo;
        hi = reach > hi ? reach : hi;
    }
    if (hi <= 0)
        return;
    c->x_lo = pow(10, floor(log10(lo)));
    c->x_hi = pow(10, ceil(log10(hi)));
    if (c->x_hi <= c->x_lo)
        c->x_hi = c->x_lo * 10;
}

static int chart_visibility(struct prep *p)
{
    struct spec sp = {
        .name = "visibility", .script = "visibility",
        .what = "t-visibility", .caption = "Probability that a client's "
        "read returns the newest committed version, against the time "
        "since that version's commit (ms, log scale).", .is_curve = true,
    };
    int rc;

    p->n_lines = 0;
    for (size_t i = 0; i < p->s->n_curves; i++) {
        const struct sim_curve_summary *c = &p->s->curves[i];

        if (strcmp(c->name, "t_visibility") == 0)
            add_curve_line(p, scope_name(c->scope), c);
    }
    if (p->n_lines == 0)
        return 0;
    sp.n_lines[0] = p->n_lines;
    rc = emit(p, &sp);
    if (rc == 0)
        choose_x_range(p, &p->set->charts[p->set->n - 1]);
    return rc;
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
    sim_strbuf_printf(sb, "\t%s", label);
}

/*
 * Fault labels stand upright at their window's start; one that would
 * stand on an earlier one (faults from the same moment) moves right by a
 * fiftieth of the run, so that each stays readable.
 */
static int write_shading(struct prep *p, const struct sim_timeline *tl)
{
    struct sim_strbuf sb;
    double warm = sim_time_to_s(p->sc->warmup);
    double gap_s = sim_time_to_s(p->sc->duration) / 50, label_s = -INFINITY;

    sim_strbuf_init(&sb);
    sim_strbuf_printf(&sb, "start (s)\tend (s)\tcolour (rgb)\tlabel\t"
                      "label at (s)\n");
    p->set->n_shading = 0;
    if (warm > 0) {
        sim_strbuf_printf(&sb, "0\t%.9g\t%u\twarm-up\t%.9g\n", warm,
                          0xa0a0a0u, warm / 2);
        p->set->n_shading++;
    }
    for (size_t i = 0; tl != NULL && i < tl->n_windows; i++) {
        const struct sim_timeline_window *w = &tl->windows[i];

        label_s = fmax(w->start_s, label_s + gap_s);
        sim_strbuf_printf(&sb, "%.9g\t%.9g\t%u", w->start_s, w->end_s,
                          shade_colour(w->kind));
        put_label(&sb, w->kind, w->text);
        sim_strbuf_printf(&sb, "\t%.9g\n", label_s);
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

/*
 * v as a script argument: gnuplot's real() reads "1e-05" as 1 followed by
 * junk, so a mantissa always gets its decimal point ("1.0e-05").
 */
static char *gp_number(double v, char *buf, size_t n)
{
    char plain[32], *e;

    snprintf(plain, sizeof plain, "%.9g", v);
    e = strchr(plain, 'e');
    if (e != NULL && memchr(plain, '.', (size_t)(e - plain)) == NULL)
        snprintf(buf, n, "%.*s.0%s", (int)(e - plain), plain, e);
    else
        snprintf(buf, n, "%s", plain);
    return buf;
}

int sim_chart_draw(const char *dir, const char *scripts, unsigned parallel,
                   struct sim_chart_set *set, struct sim_strbuf *problems,
                   struct sim_error *err)
{
    struct sim_gnuplot_job *jobs = calloc(set->n + 1, sizeof *jobs);
    char (*text)[4][4200] = calloc(set->n + 1, sizeof *text);
    char shading[16], bands[4], run_s[32];
    int rc;

    if (jobs == NULL || text == NULL) {
        free(jobs);
        free(text);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    snprintf(shading, sizeof shading, "%u", set->n_shading);
    snprintf(bands, sizeof bands, "%d", set->has_bands);
    gp_number(set->run_s, run_s, sizeof run_s);
    for (size_t i = 0; i < set->n; i++) {
        const struct sim_chart *c = &set->charts[i];
        char floor0[32], floor1[32], x_lo[32], x_hi[32];

        snprintf(text[i][0], sizeof text[i][0], "%s/%s.gp", scripts,
                 c->script);
        snprintf(text[i][1], sizeof text[i][1], "%s/%s.tsv", SIM_CHART_DIR,
                 c->name);
        snprintf(text[i][2], sizeof text[i][2], "%s/%s.%s", SIM_CHART_DIR,
                 c->name, set->ext);
        snprintf(text[i][3], sizeof text[i][3], "%s %d %s %d %s %s %s",
                 c->counts, c->is_log_y[0],
                 gp_number(c->y_floor[0], floor0, sizeof floor0),
                 c->is_log_y[1],
                 gp_number(c->y_floor[1], floor1, sizeof floor1),
                 gp_number(c->x_lo, x_lo, sizeof x_lo),
                 gp_number(c->x_hi, x_hi, sizeof x_hi));
        jobs[i] = (struct sim_gnuplot_job){
            .script = text[i][0],
            .args = {text[i][1], text[i][2], set->ext, c->title,
                     SIM_CHART_DIR "/shading.tsv", shading, bands, run_s,
                     text[i][3], NULL},
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
