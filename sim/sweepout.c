/* SPDX-License-Identifier: MIT */
/*
 * sweepout.c - the files a sweep writes from its points. The knee of the
 * throughput-latency curve is, by definition here, the throughput at which
 * the latency figure first reaches SIM_SWEEPOUT_KNEE_FACTOR times its
 * value at the lowest throughput swept, interpolated linearly between the
 * two points that straddle it. gnuplot only draws what is computed here.
 */
#include "sim/jsontext.h"
#include "sim/sweepout.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/gnuplot.h"
#include "sim/strbuf.h"
#include "sim/version.h"

#define SWEEPOUT_LEVEL 0.95

/* A figure that exists in some point: the columns of sweep.tsv. */
struct column {
    const char *scope, *name, *unit;    /* borrowed from a row */
};

struct columns {
    struct column *c;
    size_t n;
};

/* Whether the throughput-latency curve is drawn and its knee looked for. */
static bool has_knee_curve(const struct sim_sweepout *s)
{
    return s->has_curve && s->is_load && s->n_rows >= 2;
}

const char *sim_sweepout_label(const struct sim_pointdir_figure *f,
                               char *buf, size_t n_buf)
{
    snprintf(buf, n_buf, "%s %s (%s)", f->scope, f->name, f->unit);
    return buf;
}

/* The union of every row's figures, in order of first appearance. */
static int columns_build(const struct sim_sweepout *s, struct columns *cols)
{
    cols->n = 0;
    cols->c = NULL;
    for (size_t r = 0; r < s->n_rows; r++) {
        const struct sim_pointdir *p = &s->rows[r].point;

        for (size_t i = 0; i < p->n_figs; i++) {
            const struct sim_pointdir_figure *f = &p->figs[i];
            struct column *grown;
            size_t k;

            for (k = 0; k < cols->n; k++)
                if (strcmp(cols->c[k].scope, f->scope) == 0 &&
                    strcmp(cols->c[k].name, f->name) == 0)
                    break;
            if (k < cols->n)
                continue;
            grown = realloc(cols->c, (cols->n + 1) * sizeof *grown);
            if (grown == NULL)
                return SIM_ENOMEM;
            cols->c = grown;
            grown[cols->n++] = (struct column){f->scope, f->name, f->unit};
        }
    }
    return 0;
}

static void tsv_header(struct sim_strbuf *sb, const struct sim_sweepout *s,
                       const struct columns *cols)
{
    sim_strbuf_printf(sb, "point");
    for (size_t j = 0; j < s->n_params; j++) {
        const struct sim_sweepout_param *p = &s->params[j];

        if (p->is_numeric)
            sim_strbuf_printf(sb, "\t%s (%s)", p->key,
                              p->unit[0] ? p->unit : "number");
        else
            sim_strbuf_printf(sb, "\t%s (text)", p->key);
    }
    for (size_t k = 0; k < cols->n; k++)
        sim_strbuf_printf(sb, "\t%s %s mean (%s)\t%s %s ci95_half_width (%s)",
                          cols->c[k].scope, cols->c[k].name, cols->c[k].unit,
                          cols->c[k].scope, cols->c[k].name,
                          cols->c[k].unit);
    sim_strbuf_printf(sb, "\texpectations (met/missed/unsure/none)\n");
}

int sim_sweepout_write_tsv(const struct sim_sweepout *s, const char *path,
                           struct sim_error *err)
{
    struct sim_strbuf sb;
    struct columns cols;

    if (columns_build(s, &cols) != 0)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    sim_strbuf_init(&sb);
    tsv_header(&sb, s, &cols);
    for (size_t r = 0; r < s->n_rows; r++) {
        const struct sim_sweepout_row *row = &s->rows[r];

        sim_strbuf_printf(&sb, "%zu", r);
        for (size_t j = 0; j < s->n_params; j++) {
            if (s->params[j].is_numeric)
                sim_strbuf_printf(&sb, "\t%.17g", row->numbers[j]);
            else
                sim_strbuf_printf(&sb, "\t%s", row->values[j]);
        }
        for (size_t k = 0; k < cols.n; k++) {
            const struct sim_pointdir_figure *f =
                sim_pointdir_find(&row->point, cols.c[k].scope,
                                  cols.c[k].name);

            sim_strbuf_printf(&sb, "\t%.17g\t%.17g", f ? f->mean : NAN,
                              f ? f->half_width : NAN);
        }
        sim_strbuf_printf(&sb, "\t%s\n", sim_pointdir_verdict(&row->point));
    }
    free(cols.c);
    return sim_strbuf_save(&sb, path, err);
}

static json_t *json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_params(const struct sim_sweepout *s)
{
    json_t *a = json_array();

    for (size_t j = 0; j < s->n_params; j++) {
        json_t *o = json_object(), *vals = json_array();

        json_object_set_new(o, "key", json_string(s->params[j].key));
        json_object_set_new(o, "unit", json_string(s->params[j].unit));
        for (size_t r = 0; r < s->n_rows; r++)
            json_array_append_new(vals, json_string(s->rows[r].values[j]));
        json_object_set_new(o, "values", vals);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *json_point(const struct sim_sweepout *s, size_t r)
{
    const struct sim_sweepout_row *row = &s->rows[r];
    json_t *o = json_object(), *vals = json_object();
    json_t *ex = json_array(), *figs = json_array();

    for (size_t j = 0; j < s->n_params; j++)
        json_object_set_new(vals, s->params[j].key,
                            json_string(row->values[j]));
    for (size_t i = 0; i < row->point.n_expects; i++) {
        const struct sim_pointdir_expect *e = &row->point.expects[i];
        json_t *x = json_object();

        json_object_set_new(x, "text", json_string(e->text));
        json_object_set_new(x, "scope", json_string(e->scope));
        json_object_set_new(x, "status",
                            json_string(sim_expect_status_name(e->status)));
        json_object_set_new(x, "mean", json_num(e->mean));
        json_object_set_new(x, "ci95_half_width", json_num(e->half_width));
        json_array_append_new(ex, x);
    }
    for (size_t i = 0; i < row->point.n_figs; i++) {
        const struct sim_pointdir_figure *f = &row->point.figs[i];
        json_t *x = json_object();

        json_object_set_new(x, "scope", json_string(f->scope));
        json_object_set_new(x, "name", json_string(f->name));
        json_object_set_new(x, "unit", json_string(f->unit));
        json_object_set_new(x, "mean", json_num(f->mean));
        json_object_set_new(x, "ci95_half_width", json_num(f->half_width));
        json_array_append_new(figs, x);
    }
    json_object_set_new(o, "index", json_integer((json_int_t)r));
    json_object_set_new(o, "dir", json_string(row->dir));
    json_object_set_new(o, "values", vals);
    json_object_set_new(o, "replications",
                        json_integer((json_int_t)row->point.n_reps));
    json_object_set_new(o, "expectations_verdict",
                        json_string(sim_pointdir_verdict(&row->point)));
    json_object_set_new(o, "expectations", ex);
    json_object_set_new(o, "metrics", figs);
    return o;
}

static json_t *json_knee(const struct sim_sweepout *s)
{
    const struct sim_sweepout_knee *k = &s->knee;
    json_t *o = json_object();

    if (!has_knee_curve(s)) {
        json_decref(o);
        return json_null();
    }
    json_object_set_new(o, "scope", json_string(k->scope));
    json_object_set_new(o, "latency", json_string(k->latency));
    json_object_set_new(o, "definition", json_string(
        "throughput at which the latency first reaches 2 times its value "
        "at the lowest throughput swept, interpolated linearly"));
    json_object_set_new(o, "low_load_latency_s", json_num(k->base_s));
    json_object_set_new(o, "slo_s", json_num(k->slo_s));
    json_object_set_new(o, "found", json_boolean(k->has_knee));
    json_object_set_new(o, "throughput_per_s",
                        json_num(k->has_knee ? k->x_per_s : NAN));
    json_object_set_new(o, "latency_s", json_num(k->has_knee ? k->y_s : NAN));
    return o;
}

int sim_sweepout_write_json(const struct sim_sweepout *s, const char *path,
                            struct sim_error *err)
{
    json_t *root = json_object(), *sc = json_object(), *sw = json_object();
    json_t *points = json_array();
    int rc;

    json_object_set_new(root, "distsim", json_string(SIM_VERSION));
    json_object_set_new(sc, "name", json_string(s->name));
    json_object_set_new(sc, "file", json_string(s->file));
    json_object_set_new(root, "scenario", sc);
    json_object_set_new(sw, "combine", json_string(s->combine));
    json_object_set_new(sw, "params", json_params(s));
    json_object_set_new(root, "sweep", sw);
    json_object_set_new(root, "confidence_level", json_real(SWEEPOUT_LEVEL));
    json_object_set_new(root, "knee", json_knee(s));
    for (size_t r = 0; r < s->n_rows; r++)
        json_array_append_new(points, json_point(s, r));
    json_object_set_new(root, "points", points);
    rc = sim_json_save(root, path, err);
    json_decref(root);
    return rc;
}

/* ---- the knee ---- */

/* The client and latency figure the curve is drawn for. */
static bool pick_curve(struct sim_sweepout *s)
{
    const struct sim_pointdir *p = &s->rows[0].point;
    struct sim_sweepout_knee *k = &s->knee;

    k->slo_s = NAN;
    for (size_t i = 0; i < p->n_expects; i++) {
        const struct sim_pointdir_expect *e = &p->expects[i];

        if (strncmp(e->scope, "client ", 7) != 0 ||
            strncmp(e->metric, "response_time.", 14) != 0 ||
            (e->op != SIM_EXPECT_LT && e->op != SIM_EXPECT_LE))
            continue;
        snprintf(k->scope, sizeof k->scope, "%s", e->scope);
        snprintf(k->latency, sizeof k->latency, "%s", e->metric);
        k->slo_s = e->threshold;
        return true;
    }
    for (size_t i = 0; i < p->n_figs; i++) {
        if (strncmp(p->figs[i].scope, "client ", 7) != 0 ||
            strcmp(p->figs[i].name, "throughput") != 0)
            continue;
        snprintf(k->scope, sizeof k->scope, "%s", p->figs[i].scope);
        snprintf(k->latency, sizeof k->latency, "response_time.mean");
        return true;
    }
    return false;
}

/* The rows of the curve in order of throughput; NULL when out of memory. */
static size_t *curve_order(const struct sim_sweepout *s)
{
    size_t *order = malloc((s->n_rows + 1) * sizeof *order);

    if (order == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_pointdir_figure *fi =
            sim_pointdir_find(&s->rows[i].point, s->knee.scope,
                              "throughput");
        size_t j = i;

        while (j > 0) {
            const struct sim_pointdir_figure *fj =
                sim_pointdir_find(&s->rows[order[j - 1]].point,
                                  s->knee.scope, "throughput");

            if (fj == NULL || fi == NULL || !(fj->mean > fi->mean))
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return order;
}

static bool curve_xy(const struct sim_sweepout *s, size_t r, double *x,
                     double *y)
{
    const struct sim_pointdir *p = &s->rows[r].point;
    const struct sim_pointdir_figure *fx, *fy;

    fx = sim_pointdir_find(p, s->knee.scope, "throughput");
    fy = sim_pointdir_find(p, s->knee.scope, s->knee.latency);
    if (fx == NULL || fy == NULL || !isfinite(fx->mean) ||
        !isfinite(fy->mean))
        return false;
    *x = fx->mean;
    *y = fy->mean;
    return true;
}

bool sim_sweepout_is_load_key(const char *key)
{
    static const char *const ends[] = {
        ".arrival.rate", ".arrival.speed", ".users",
    };
    size_t len = strlen(key);

    if (strncmp(key, "clients", 7) != 0 || (key[7] != '.' && key[7] != '['))
        return false;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t n = strlen(ends[i]);

        if (len > n && strcmp(key + len - n, ends[i]) == 0)
            return true;
    }
    return false;
}

/* Walks the curve in order of throughput: where the SLO breaks, the knee. */
static void find_knee(struct sim_sweepout *s, const size_t *order)
{
    struct sim_sweepout_knee *k = &s->knee;
    double x0 = NAN, y0 = NAN, x, y;

    k->base_s = NAN;
    for (size_t i = 0; i < s->n_rows; i++) {
        if (!curve_xy(s, order[i], &x, &y))
            continue;
        if (y > k->slo_s) {
            k->is_first_above_slo |= k->n_curve == 0;
            k->n_above_slo++;
        }
        k->n_curve++;
        if (!k->has_slo_cross && y > k->slo_s && !isnan(k->base_s) &&
            y0 <= k->slo_s) {
            k->has_slo_cross = true;
            k->slo_x_per_s = x0 + (k->slo_s - y0) / (y - y0) * (x - x0);
        }
        if (!k->has_knee && isnan(k->base_s)) {
            k->base_s = y;
        } else if (!k->has_knee && y >= SIM_SWEEPOUT_KNEE_FACTOR * k->base_s &&
                   y > y0) {
            double target = SIM_SWEEPOUT_KNEE_FACTOR * k->base_s;

            k->has_knee = true;
            k->y_s = target;
            k->x_per_s = x0 + (target - y0) / (y - y0) * (x - x0);
        }
        x0 = x;
        y0 = y;
    }
}

void sim_sweepout_analyse(struct sim_sweepout *s)
{
    size_t *order;

    memset(&s->knee, 0, sizeof s->knee);
    s->knee.slo_s = NAN;
    s->knee.base_s = NAN;
    s->is_load = s->n_params == 1 &&
                 sim_sweepout_is_load_key(s->params[0].key);
    s->has_curve = s->n_rows >= 1 && pick_curve(s);
    if (!has_knee_curve(s))
        return;
    order = curve_order(s);
    if (order == NULL) {
        s->has_curve = false;
        return;
    }
    find_knee(s, order);
    free(order);
}

const char *sim_sweepout_param_name(const struct sim_sweepout *s, size_t j)
{
    const char *key = s->params[j].key, *dot = strrchr(key, '.');
    const char *last = dot != NULL && dot[1] != '\0' ? dot + 1 : key;

    for (size_t i = 0; i < s->n_params; i++) {
        const char *other = strrchr(s->params[i].key, '.');

        other = other != NULL && other[1] != '\0' ? other + 1
                                                   : s->params[i].key;
        if (i != j && strcmp(other, last) == 0)
            return key;
    }
    return last;
}

const char *sim_sweepout_point_name(const struct sim_sweepout *s, size_t r,
                                    char *buf, size_t n_buf)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t j = 0; j < s->n_params && len + 1 < n_buf; j++) {
        snprintf(buf + len, n_buf - len, "%s%s=%s", j ? ", " : "",
                 sim_sweepout_param_name(s, j), s->rows[r].values[j]);
        len = strlen(buf);
    }
    return buf;
}

/* ---- charts ---- */

/* Where the chart scripts are: $DISTSIM_PLOTS or plots/ above the program. */
static bool find_scripts(char *buf, size_t n)
{
    struct sim_error err = {0};

    return sim_gnuplot_scripts(buf, n, &err) == 0;
}

/* Runs gnuplot -c script args... without a shell; its exit code. */
static int run_gnuplot(const char *const *argv)
{
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);

        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp("gnuplot", (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void slug(const char *text, char *buf, size_t n)
{
    size_t j = 0;

    for (const char *p = text; *p != '\0' && j + 1 < n; p++) {
        char c = *p;

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            buf[j++] = c;
        else if (c >= 'A' && c <= 'Z')
            buf[j++] = (char)(c - 'A' + 'a');
        else if (j > 0 && buf[j - 1] != '-')
            buf[j++] = '-';
    }
    buf[j] = '\0';
}

/* Whether a figure is worth a chart: headline figures and expectations. */
static bool is_headline(const struct sim_sweepout *s, const struct column *c)
{
    static const char *const client_figs[] = {
        "throughput", "response_time.mean", "response_time.p99",
        "availability", NULL};
    static const char *const server_figs[] = {
        "utilisation", "waiting_time.mean", "p_wait", "p_reject", NULL};
    const struct sim_pointdir *p = &s->rows[0].point;
    const char *dot = strrchr(c->scope, '.');
    const char *const *list = strncmp(c->scope, "client ", 7) == 0
                              ? client_figs : server_figs;

    for (size_t i = 0; i < p->n_expects; i++)
        if (strcmp(p->expects[i].scope, c->scope) == 0 &&
            strcmp(p->expects[i].metric, c->name) == 0)
            return true;
    if (strncmp(c->scope, "server ", 7) == 0 && dot != NULL &&
        dot[1] >= '0' && dot[1] <= '9')
        return false;
    if (strncmp(c->scope, "client ", 7) != 0 &&
        strncmp(c->scope, "server ", 7) != 0)
        return false;
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], c->name) == 0)
            return true;
    return false;
}

/* A zipped sweep of several parameters: its points are one series. */
static bool is_zipped(const struct sim_sweepout *s)
{
    return s->n_params > 1 && strcmp(s->combine, "zip") == 0;
}

/*
 * The x axis of the figure charts: the first parameter's numbers, or,
 * for named values and zipped points, evenly spaced positions with a
 * tick label each.
 */
struct axis {
    double *x;                          /* per row */
    char **ticks;                       /* per row; NULL: numeric axis */
    const char *scale;                  /* "linear", "log", "category",
                                           "category-slanted" */
};

/* The series a row belongs to: the values of every parameter but the
 * first; one series when there is one parameter or the sweep is zipped. */
static void series_label(const struct sim_sweepout *s, size_t r, char *buf,
                         size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t j = 1; j < s->n_params && !is_zipped(s) && len + 1 < n;
         j++) {
        snprintf(buf + len, n - len, "%s%s=%s", j > 1 ? ", " : "",
                 sim_sweepout_param_name(s, j), s->rows[r].values[j]);
        len = strlen(buf);
    }
    if (buf[0] == '\0')
        snprintf(buf, n, "%s", s->n_rows ? "mean, 95% interval" : "");
}

/* A tick label as one field of a data line: no tab, newline or quote. */
static char *tick_text(const char *text)
{
    char *t = strdup(text);

    for (char *c = t; c != NULL && *c != '\0'; c++)
        if (*c == '\t' || *c == '\n' || *c == '\r')
            *c = ' ';
        else if (*c == '"')
            *c = '\'';
    return t;
}

/* Whether the first parameter spans enough decades for a log axis. */
static bool is_log_axis(const struct sim_sweepout *s)
{
    double lo = INFINITY, hi = -INFINITY;

    for (size_t r = 0; r < s->n_rows; r++) {
        lo = fmin(lo, s->rows[r].numbers[0]);
        hi = fmax(hi, s->rows[r].numbers[0]);
    }
    return lo > 0 && hi / lo >= 50;
}

/* Positions and labels of named values: each value's first appearance. */
static int axis_categories(const struct sim_sweepout *s, struct axis *a)
{
    size_t n_pos = 0, widest = 0, total = 0;
    char name[512];

    for (size_t r = 0; r < s->n_rows; r++) {
        size_t q = 0;

        if (is_zipped(s)) {
            q = r;
        } else {
            while (q < r && strcmp(s->rows[q].values[0],
                                   s->rows[r].values[0]) != 0)
                q++;
        }
        a->x[r] = q == r ? (double)n_pos : a->x[q];
        n_pos += q == r;
        a->ticks[r] = tick_text(is_zipped(s)
            ? sim_sweepout_point_name(s, r, name, sizeof name)
            : s->rows[r].values[0]);
        if (a->ticks[r] == NULL)
            return SIM_ENOMEM;
        if (q == r) {
            widest = strlen(a->ticks[r]) > widest ? strlen(a->ticks[r])
                                                  : widest;
            total += strlen(a->ticks[r]) + 2;
        }
    }
    a->scale = widest > 16 || total > 64 ? "category-slanted" : "category";
    return 0;
}

static void axis_release(struct axis *a, size_t n_rows)
{
    for (size_t r = 0; a->ticks != NULL && r < n_rows; r++)
        free(a->ticks[r]);
    free(a->ticks);
    free(a->x);
}

static int axis_init(const struct sim_sweepout *s, struct axis *a)
{
    a->x = calloc(s->n_rows + 1, sizeof *a->x);
    a->ticks = NULL;
    a->scale = "linear";
    if (a->x == NULL)
        return SIM_ENOMEM;
    if (s->params[0].is_numeric && !is_zipped(s)) {
        for (size_t r = 0; r < s->n_rows; r++)
            a->x[r] = s->rows[r].numbers[0];
        a->scale = is_log_axis(s) ? "log" : "linear";
        return 0;
    }
    a->ticks = calloc(s->n_rows + 1, sizeof *a->ticks);
    if (a->ticks == NULL)
        return SIM_ENOMEM;
    return axis_categories(s, a);
}

/* The x axis's label: "servers.s.workers (number)", "workers, rate". */
static void axis_label(const struct sim_sweepout *s, char *buf, size_t n)
{
    const struct sim_sweepout_param *p = &s->params[0];
    size_t len = 0;

    if (!is_zipped(s)) {
        if (p->is_numeric)
            snprintf(buf, n, "%s (%s)", p->key, p->unit[0] ? p->unit
                                                           : "number");
        else
            snprintf(buf, n, "%s", p->key);
        return;
    }
    buf[0] = '\0';
    for (size_t j = 0; j < s->n_params && len + 1 < n; j++) {
        snprintf(buf + len, n - len, "%s%s", j ? ", " : "", s->params[j].key);
        len = strlen(buf);
    }
    if (len + 1 < n)
        snprintf(buf + len, n - len, " (zipped)");
}

/* One block of a figure's data: the rows of one series, by x. */
static void figure_block(struct sim_strbuf *sb, const struct sim_sweepout *s,
                         const struct axis *a, const struct column *c,
                         const char *label)
{
    bool *done = calloc(s->n_rows + 1, sizeof *done);
    char other[256];

    if (done == NULL) {
        sb->is_failed = true;
        return;
    }
    sim_strbuf_printf(sb, "x\t%s\thalf_width%s\n", label,
                      a->ticks ? "\tlabel" : "");
    for (;;) {
        const struct sim_pointdir_figure *f;
        size_t best = s->n_rows;

        for (size_t r = 0; r < s->n_rows; r++) {
            series_label(s, r, other, sizeof other);
            if (done[r] || strcmp(other, label) != 0)
                continue;
            if (best == s->n_rows || a->x[r] < a->x[best])
                best = r;
        }
        if (best == s->n_rows)
            break;
        done[best] = true;
        f = sim_pointdir_find(&s->rows[best].point, c->scope, c->name);
        sim_strbuf_printf(sb, "%.17g\t%.17g\t%.17g", a->x[best],
                          f ? f->mean : NAN, f ? f->half_width : NAN);
        if (a->ticks)
            sim_strbuf_printf(sb, "\t%s", a->ticks[best]);
        sim_strbuf_printf(sb, "\n");
    }
    free(done);
}

/* The data of one figure's chart: one block per series. */
static void figure_data(struct sim_strbuf *sb, const struct sim_sweepout *s,
                        const struct axis *a, const struct column *c)
{
    char label[256], seen[64][256];
    size_t n_seen = 0;

    for (size_t r = 0; r < s->n_rows && n_seen < 64; r++) {
        size_t k;

        series_label(s, r, label, sizeof label);
        for (k = 0; k < n_seen && strcmp(seen[k], label) != 0; k++)
            continue;
        if (k < n_seen)
            continue;
        snprintf(seen[n_seen++], sizeof seen[0], "%s", label);
        if (n_seen > 1)
            sim_strbuf_printf(sb, "\n\n");
        figure_block(sb, s, a, c, label);
    }
}

/* Runs one chart script; records the chart when it was drawn. */
static void draw(struct sim_sweepout *s, const char *scripts,
                 const char *script, const char *const *args,
                 const char *file, const char *title)
{
    char path[4200];
    const char *argv[12] = {"gnuplot", "-c", path};
    int rc;

    snprintf(path, sizeof path, "%s/%s", scripts, script);
    for (size_t i = 0; args[i] != NULL && i < 8; i++)
        argv[3 + i] = args[i];
    rc = run_gnuplot(argv);
    if (rc == 0 && s->n_charts < SIM_SWEEPOUT_MAX_CHARTS) {
        struct sim_sweepout_chart *c = &s->charts[s->n_charts++];

        snprintf(c->file, sizeof c->file, "%s", file);
        snprintf(c->title, sizeof c->title, "%s", title);
    } else if (rc != 0 && s->chart_note[0] == '\0') {
        snprintf(s->chart_note, sizeof s->chart_note, rc == 127
                 ? "gnuplot is not installed: no charts were drawn"
                 : "gnuplot failed on %s", script);
    }
}

/* Writes text to dir/name. */
static int put_file(const char *dir, const char *name, struct sim_strbuf *sb,
                    char *path, size_t n, struct sim_error *err)
{
    snprintf(path, n, "%s/%s", dir, name);
    return sim_strbuf_save(sb, path, err);
}

static int figure_chart(struct sim_sweepout *s, const char *dir,
                        const char *scripts, const struct axis *a,
                        const struct column *c)
{
    char name[96], data[4200], out[4200], file[96], title[200], x[400];
    char y[160];
    struct sim_strbuf sb;
    struct sim_error err = {0};
    const char *args[8];

    snprintf(title, sizeof title, "%s %s", c->scope, c->name);
    slug(title, name, sizeof name - 8);
    snprintf(file, sizeof file, "charts/%.60s.tsv", name);
    sim_strbuf_init(&sb);
    figure_data(&sb, s, a, c);
    if (put_file(dir, file, &sb, data, sizeof data, &err) != 0)
        return SIM_EIO;
    snprintf(file, sizeof file, "charts/%.60s.svg", name);
    snprintf(out, sizeof out, "%s/%s", dir, file);
    axis_label(s, x, sizeof x);
    snprintf(y, sizeof y, "%s (%s)", c->name, c->unit);
    args[0] = data;
    args[1] = out;
    args[2] = title;
    args[3] = x;
    args[4] = y;
    args[5] = a->scale;
    args[6] = NULL;
    draw(s, scripts, "sweep.gp", args, file, title);
    return 0;
}

/* The knee chart's data: the curve, the SLO line, the knee. */
static void knee_data(struct sim_strbuf *sb, const struct sim_sweepout *s)
{
    const struct sim_sweepout_knee *k = &s->knee;
    double lo = INFINITY, hi = -INFINITY, x, y;
    size_t *order = curve_order(s);

    if (order == NULL) {
        sb->is_failed = true;
        return;
    }
    sim_strbuf_printf(sb, "throughput\t%s %s\tx_half_width\ty_half_width\n",
                      k->scope, k->latency);
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_pointdir *p = &s->rows[order[i]].point;

        if (!curve_xy(s, order[i], &x, &y))
            continue;
        lo = fmin(lo, x);
        hi = fmax(hi, x);
        sim_strbuf_printf(sb, "%.17g\t%.17g\t%.17g\t%.17g\n", x, y,
                          sim_pointdir_find(p, k->scope,
                                            "throughput")->half_width,
                          sim_pointdir_find(p, k->scope,
                                            k->latency)->half_width);
    }
    free(order);
    sim_strbuf_printf(sb, "\n\nthroughput\tSLO %s < %.6g s\n", k->latency,
                      k->slo_s);
    if (isfinite(k->slo_s) && lo <= hi)
        sim_strbuf_printf(sb, "%.17g\t%.17g\n%.17g\t%.17g\n", lo, k->slo_s,
                          hi, k->slo_s);
    sim_strbuf_printf(sb, "\n\nthroughput\tknee (latency %g x its low-load "
                      "value)\n", SIM_SWEEPOUT_KNEE_FACTOR);
    if (k->has_knee)
        sim_strbuf_printf(sb, "%.17g\t%.17g\n", k->x_per_s, k->y_s);
}

static int knee_chart(struct sim_sweepout *s, const char *dir,
                      const char *scripts)
{
    char data[4200], out[4200], title[200], y[160];
    const char *file = "charts/throughput-latency.svg";
    struct sim_strbuf sb;
    struct sim_error err = {0};
    const char *args[6];

    sim_strbuf_init(&sb);
    knee_data(&sb, s);
    if (put_file(dir, "charts/throughput-latency.tsv", &sb, data,
                 sizeof data, &err) != 0)
        return SIM_EIO;
    snprintf(out, sizeof out, "%s/%s", dir, file);
    snprintf(title, sizeof title, "%s: throughput against %s",
             s->knee.scope, s->knee.latency);
    snprintf(y, sizeof y, "%s (s)", s->knee.latency);
    args[0] = data;
    args[1] = out;
    args[2] = title;
    args[3] = "throughput (1/s)";
    args[4] = y;
    args[5] = NULL;
    draw(s, scripts, "knee.gp", args, file, title);
    return 0;
}

int sim_sweepout_charts(struct sim_sweepout *s, const char *dir,
                        struct sim_error *err)
{
    char scripts[4096], path[4200];
    struct columns cols;
    struct axis a;
    int rc = 0;

    s->n_charts = 0;
    s->chart_note[0] = '\0';
    snprintf(path, sizeof path, "%s/charts", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s", path,
                             strerror(errno));
    if (s->n_rows == 0 || s->n_params == 0 || columns_build(s, &cols) != 0)
        return 0;
    if (axis_init(s, &a) != 0) {
        axis_release(&a, s->n_rows);
        free(cols.c);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    if (!find_scripts(scripts, sizeof scripts))
        snprintf(s->chart_note, sizeof s->chart_note, "the chart scripts "
                 "(plots/) were not found: set DISTSIM_PLOTS");
    for (size_t k = 0; k < cols.n && rc == 0 && s->chart_note[0] == '\0';
         k++)
        if (is_headline(s, &cols.c[k]))
            rc = figure_chart(s, dir, scripts, &a, &cols.c[k]);
    if (rc == 0 && has_knee_curve(s) && s->chart_note[0] == '\0')
        rc = knee_chart(s, dir, scripts);
    axis_release(&a, s->n_rows);
    free(cols.c);
    if (rc != 0)
        return sim_error_set(err, rc, "cannot write the chart data in "
                             "\"%s\"", path);
    return 0;
}
