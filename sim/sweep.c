/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - reading a sweep: section from the document tree, so every
 * problem points at the exact line and column it was written at. Ranges
 * are expanded here into value texts; from then on a value is only text
 * that --set accepts, so the scenario loader checks it like any override.
 */
#include "sim/sweep.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/suggest.h"
#include "sim/units.h"

#define SWEEP_PATH_MAX 192

static const char *const sweep_keys[] = {"combine", "params"};
static const char *const param_keys[] = {"key", "values", "range"};
static const char *const range_keys[] = {"from", "to", "step", "points",
                                         "scale"};

/* A range as written, before it is expanded into values. */
struct sweep_range {
    double from, to, step;              /* number parts; step 0: absent */
    size_t n_points;                    /* 0: absent */
    bool is_log;
    bool is_whole;                      /* both ends written whole */
    char unit[16];
};

static void __attribute__((format(printf, 4, 5)))
node_error(struct sim_cfg *cfg, const struct sim_doc_node *node,
           const char *path, const char *fmt, ...)
{
    int line = 0, col = 0;
    va_list ap;

    if (node != NULL)
        sim_doc_node_position(node, &line, &col);
    va_start(ap, fmt);
    sim_cfg_verror_from(cfg, 0, line, col, path, fmt, ap);
    va_end(ap);
}

/* Records every key of map that is not one of allowed[0..n-1]. */
static bool check_keys(struct sim_cfg *cfg, const struct sim_doc_node *map,
                       const char *path, const char *const *allowed,
                       size_t n)
{
    bool is_ok = true;

    for (const struct sim_doc_node *v = sim_doc_node_first(map); v != NULL;
         v = sim_doc_node_next(v)) {
        const struct sim_doc_node *key = sim_doc_node_key(v);
        const char *word = sim_doc_node_text(key, NULL);
        const char *guess;
        char at[SWEEP_PATH_MAX], list[128] = "";
        size_t k;

        for (k = 0; k < n && strcmp(word, allowed[k]) != 0; k++)
            continue;
        if (k < n)
            continue;
        is_ok = false;
        snprintf(at, sizeof at, "%.120s.%.60s", path, word);
        guess = sim_suggest_closest(word, allowed, n);
        if (guess != NULL) {
            node_error(cfg, key, at, "unknown key; did you mean \"%s\"?",
                       guess);
            continue;
        }
        for (k = 0; k < n; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list),
                     "%s%s", k ? ", " : "", allowed[k]);
        node_error(cfg, key, at, "unknown key (expected one of: %s)", list);
    }
    return is_ok;
}

/* The text of a scalar, or NULL (with a problem) for anything else. */
static const char *scalar_text(struct sim_cfg *cfg,
                               const struct sim_doc_node *node,
                               const char *path)
{
    if (sim_doc_node_kind(node) != SIM_DOC_SCALAR ||
        sim_doc_node_is_empty(node, true)) {
        node_error(cfg, node, path, "needs a single value");
        return NULL;
    }
    return sim_doc_node_text(node, NULL);
}

int sim_sweep_quantity(const char *text, double *number, char *unit,
                       size_t n_unit, bool *is_whole, char *why,
                       size_t n_why)
{
    const char *p = text;
    char num[64];
    size_t len;

    if (*p == '+' || *p == '-')
        p++;
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    if ((*p == 'e' || *p == 'E') &&
        ((p[1] >= '0' && p[1] <= '9') ||
         ((p[1] == '+' || p[1] == '-') && p[2] >= '0' && p[2] <= '9'))) {
        for (p += 2; *p >= '0' && *p <= '9'; p++)
            continue;
    }
    len = (size_t)(p - text);
    if (len == 0 || len >= sizeof num) {
        snprintf(why, n_why, "\"%s\" does not start with a number", text);
        return SIM_EINVAL;
    }
    memcpy(num, text, len);
    num[len] = '\0';
    if (sim_units_number(num, number, why, n_why) != 0)
        return SIM_EINVAL;
    if (strlen(p) >= n_unit || strchr(p, ' ') != NULL) {
        snprintf(why, n_why, "\"%s\" has an unknown unit", text);
        return SIM_EINVAL;
    }
    snprintf(unit, n_unit, "%s", p);
    *is_whole = strpbrk(num, ".eE") == NULL;
    return 0;
}

const char *sim_sweep_format(double number, const char *unit, bool is_whole,
                             char *buf, size_t n_buf)
{
    if (is_whole)
        snprintf(buf, n_buf, "%lld%s", (long long)llround(number), unit);
    else
        snprintf(buf, n_buf, "%.10g%s", number, unit);
    return buf;
}

/* Appends one value (text copied) to p. */
static int add_value(struct sim_sweep_param *p, const char *text,
                     const struct sim_doc_node *where)
{
    size_t n = p->n_values + 1;
    char **v = realloc(p->values, n * sizeof *v);
    double *num;
    int *lines, *cols;
    bool *quoted;

    if (v != NULL)
        p->values = v;
    num = realloc(p->numbers, n * sizeof *num);
    if (num != NULL)
        p->numbers = num;
    lines = realloc(p->lines, n * sizeof *lines);
    if (lines != NULL)
        p->lines = lines;
    cols = realloc(p->cols, n * sizeof *cols);
    if (cols != NULL)
        p->cols = cols;
    quoted = realloc(p->is_quoted, n * sizeof *quoted);
    if (quoted != NULL)
        p->is_quoted = quoted;
    if (v == NULL || num == NULL || lines == NULL || cols == NULL ||
        quoted == NULL || (v[p->n_values] = strdup(text)) == NULL)
        return SIM_ENOMEM;
    num[p->n_values] = NAN;
    quoted[p->n_values] = sim_doc_node_kind(where) == SIM_DOC_SCALAR &&
                          !sim_doc_node_is_plain(where);
    sim_doc_node_position(where, &lines[p->n_values], &cols[p->n_values]);
    p->n_values++;
    return 0;
}

/* Reads values: [a, b, ...]. */
static int parse_values(struct sim_cfg *cfg, const struct sim_doc_node *list,
                        const char *path, struct sim_sweep_param *p)
{
    char at[SWEEP_PATH_MAX];
    size_t i = 0;
    int rc = 0;

    if (sim_doc_node_kind(list) != SIM_DOC_SEQUENCE ||
        sim_doc_node_count(list) == 0) {
        node_error(cfg, list, path, "needs a list of at least one value");
        return SIM_EINVAL;
    }
    for (const struct sim_doc_node *v = sim_doc_node_first(list);
         v != NULL && rc != SIM_ENOMEM; v = sim_doc_node_next(v), i++) {
        const char *text;

        snprintf(at, sizeof at, "%.120s[%zu]", path, i);
        text = scalar_text(cfg, v, at);
        if (text != NULL && strpbrk(text, "\t\n\r") != NULL) {
            node_error(cfg, v, at, "a swept value may not hold a tab or a "
                       "line break (it names its point on one line of "
                       "sweep.tsv)");
            text = NULL;
        }
        if (text == NULL)
            rc = SIM_EINVAL;
        else if (add_value(p, text, v) != 0)
            rc = SIM_ENOMEM;
    }
    return rc;
}

/* Reads one end (from/to) or the step of a range. */
static int range_number(struct sim_cfg *cfg, const struct sim_doc_node *map,
                        const char *path, const char *key, double *v,
                        char *unit, bool *is_whole)
{
    const struct sim_doc_node *node = sim_doc_node_get(map, key);
    char at[SWEEP_PATH_MAX], why[160];
    const char *text;

    snprintf(at, sizeof at, "%.120s.%s", path, key);
    if (node == NULL) {
        node_error(cfg, map, path, "needs %s", key);
        return SIM_EINVAL;
    }
    text = scalar_text(cfg, node, at);
    if (text == NULL)
        return SIM_EINVAL;
    if (sim_sweep_quantity(text, v, unit, 16, is_whole, why,
                           sizeof why) != 0) {
        node_error(cfg, node, at, "%s", why);
        return SIM_EINVAL;
    }
    return 0;
}

/* Reads points: N, a whole number from 2 to SIM_SWEEP_MAX_POINTS. */
static int range_points(struct sim_cfg *cfg, const struct sim_doc_node *map,
                        const char *path, size_t *n)
{
    const struct sim_doc_node *node = sim_doc_node_get(map, "points");
    char at[SWEEP_PATH_MAX], why[160];
    const char *text;
    double v;

    *n = 0;
    if (node == NULL)
        return 0;
    snprintf(at, sizeof at, "%.120s.points", path);
    text = scalar_text(cfg, node, at);
    if (text == NULL)
        return SIM_EINVAL;
    if (sim_units_number(text, &v, why, sizeof why) != 0 || v != floor(v) ||
        v < 2 || v > SIM_SWEEP_MAX_POINTS) {
        node_error(cfg, node, at, "\"%s\" is not a whole number from 2 to "
                   "%d", text, SIM_SWEEP_MAX_POINTS);
        return SIM_EINVAL;
    }
    *n = (size_t)v;
    return 0;
}

/* Reads scale: linear | log. */
static int range_scale(struct sim_cfg *cfg, const struct sim_doc_node *map,
                       const char *path, bool *is_log)
{
    const struct sim_doc_node *node = sim_doc_node_get(map, "scale");
    char at[SWEEP_PATH_MAX];
    const char *text;

    *is_log = false;
    if (node == NULL)
        return 0;
    snprintf(at, sizeof at, "%.120s.scale", path);
    text = scalar_text(cfg, node, at);
    if (text == NULL)
        return SIM_EINVAL;
    if (strcmp(text, "log") == 0 || strcmp(text, "linear") == 0) {
        *is_log = text[1] == 'o';
        return 0;
    }
    node_error(cfg, node, at, "\"%s\" is not linear or log", text);
    return SIM_EINVAL;
}

/* Reads the step (same unit as the ends), when given. */
static int range_step(struct sim_cfg *cfg, const struct sim_doc_node *map,
                      const char *path, struct sweep_range *r)
{
    const struct sim_doc_node *node = sim_doc_node_get(map, "step");
    char unit[16], at[SWEEP_PATH_MAX + 32];
    bool is_whole;

    r->step = 0;
    if (node == NULL)
        return 0;
    snprintf(at, sizeof at, "%.120s.step", path);
    if (range_number(cfg, map, path, "step", &r->step, unit,
                     &is_whole) != 0)
        return SIM_EINVAL;
    if (strcmp(unit, r->unit) != 0) {
        node_error(cfg, node, at, "must have the unit of from and to "
                   "(\"%s\")", r->unit);
        return SIM_EINVAL;
    }
    if (!(r->step > 0)) {
        node_error(cfg, node, at, "must be above 0");
        return SIM_EINVAL;
    }
    if (r->is_whole && !is_whole) {
        node_error(cfg, node, at, "must be a whole number, as from and to "
                   "are");
        return SIM_EINVAL;
    }
    return 0;
}

/* The ways a range's keys may be combined, checked once all are read. */
static int range_combination(struct sim_cfg *cfg,
                             const struct sim_doc_node *map,
                             const char *path, struct sweep_range *r)
{
    if (r->from == r->to) {
        node_error(cfg, map, path, "from and to are the same value");
        return SIM_EINVAL;
    }
    if (r->step > 0 && r->n_points > 0) {
        node_error(cfg, map, path, "give step or points, not both");
        return SIM_EINVAL;
    }
    if (r->is_log && r->step > 0) {
        node_error(cfg, map, path, "a log range takes points, not step");
        return SIM_EINVAL;
    }
    if (r->is_log && r->n_points == 0) {
        node_error(cfg, map, path, "a log range needs points");
        return SIM_EINVAL;
    }
    if (r->is_log && !(r->from > 0 && r->to > 0)) {
        node_error(cfg, map, path, "a log range needs from and to above 0");
        return SIM_EINVAL;
    }
    if (!r->is_whole && r->step == 0 && r->n_points == 0) {
        node_error(cfg, map, path, "needs step or points (only whole "
                   "numbers step by 1 unless told)");
        return SIM_EINVAL;
    }
    /* Whole numbers without step or points step by 1. */
    if (r->n_points == 0 &&
        fabs(r->to - r->from) / (r->step > 0 ? r->step : 1) >=
        SIM_SWEEP_MAX_POINTS) {
        node_error(cfg, map, path, "gives more than %d values",
                   SIM_SWEEP_MAX_POINTS);
        return SIM_EINVAL;
    }
    return 0;
}

/* The i-th value of a range of n values (before rounding). */
static double range_value(const struct sweep_range *r, size_t i, size_t n)
{
    double dir = r->to > r->from ? 1 : -1;

    if (i + 1 == n && r->step == 0)
        return r->to;
    if (r->is_log)
        return r->from * pow(r->to / r->from, (double)i / (double)(n - 1));
    if (r->step > 0)
        return r->from + dir * r->step * (double)i;
    return r->from + (r->to - r->from) * (double)i / (double)(n - 1);
}

/* Adds the values of a range to p: whole numbers are rounded, once each. */
static int expand_range(const struct sweep_range *r,
                        const struct sim_doc_node *where,
                        struct sim_sweep_param *p)
{
    double step = r->step > 0 ? r->step : (r->n_points ? 0 : 1);
    size_t n = r->n_points;
    double last = NAN;
    char text[64];

    if (step > 0)
        n = (size_t)floor(fabs(r->to - r->from) / step * (1 + 1e-12)) + 1;
    for (size_t i = 0; i < n; i++) {
        struct sweep_range rs = *r;
        double v;

        rs.step = step;
        v = range_value(&rs, i, n);
        if (r->is_whole)
            v = (double)llround(v);
        if (v == last)
            continue;
        last = v;
        if (add_value(p, sim_sweep_format(v, r->unit, r->is_whole, text,
                                          sizeof text), where) != 0)
            return SIM_ENOMEM;
    }
    return 0;
}

/* Reads range: {from, to, step | points, scale} and expands it. */
static int parse_range(struct sim_cfg *cfg, const struct sim_doc_node *map,
                       const char *path, struct sim_sweep_param *p)
{
    struct sweep_range r = {0};
    char to_unit[16];
    bool is_whole_to;
    int rc = 0;

    if (sim_doc_node_kind(map) != SIM_DOC_MAPPING) {
        node_error(cfg, map, path, "needs a mapping like {from: 100/s, to: "
                   "1k/s, points: 5}");
        return SIM_EINVAL;
    }
    if (!check_keys(cfg, map, path, range_keys, 5))
        rc = SIM_EINVAL;
    if (range_number(cfg, map, path, "from", &r.from, r.unit,
                     &r.is_whole) != 0 ||
        range_number(cfg, map, path, "to", &r.to, to_unit,
                     &is_whole_to) != 0)
        return SIM_EINVAL;
    if (strcmp(r.unit, to_unit) != 0) {
        node_error(cfg, sim_doc_node_get(map, "to"), path, "from and to "
                   "must have the same unit (\"%s\" and \"%s\")", r.unit,
                   to_unit);
        return SIM_EINVAL;
    }
    r.is_whole = r.is_whole && is_whole_to;
    if (range_scale(cfg, map, path, &r.is_log) != 0 ||
        range_points(cfg, map, path, &r.n_points) != 0 ||
        range_step(cfg, map, path, &r) != 0 ||
        range_combination(cfg, map, path, &r) != 0 || rc != 0)
        return SIM_EINVAL;
    return expand_range(&r, map, p);
}

/* Notes whether every value is a number with one shared unit. */
static void classify(struct sim_sweep_param *p)
{
    char unit[16], why[160];
    bool is_whole;

    p->is_numeric = true;
    for (size_t i = 0; i < p->n_values; i++) {
        if (sim_sweep_quantity(p->values[i], &p->numbers[i], unit,
                               sizeof unit, &is_whole, why,
                               sizeof why) != 0) {
            p->numbers[i] = NAN;
            p->is_numeric = false;
            continue;
        }
        if (i == 0)
            snprintf(p->unit, sizeof p->unit, "%s", unit);
        else if (strcmp(unit, p->unit) != 0)
            p->is_numeric = false;
    }
    if (!p->is_numeric)
        p->unit[0] = '\0';
}

/* Reads one entry of params:. */
static int parse_param(struct sim_cfg *cfg, const struct sim_doc_node *map,
                       const char *path, struct sim_sweep_param *p)
{
    const struct sim_doc_node *key = sim_doc_node_get(map, "key");
    const struct sim_doc_node *values = sim_doc_node_get(map, "values");
    const struct sim_doc_node *range = sim_doc_node_get(map, "range");
    char at[SWEEP_PATH_MAX];
    const char *text;
    int rc = 0;

    if (sim_doc_node_kind(map) != SIM_DOC_MAPPING) {
        node_error(cfg, map, path, "needs a mapping with key and values "
                   "or range");
        return SIM_EINVAL;
    }
    if (!check_keys(cfg, map, path, param_keys, 3))
        rc = SIM_EINVAL;
    sim_doc_node_position(key != NULL ? key : map, &p->line, &p->col);
    snprintf(at, sizeof at, "%.120s.key", path);
    text = key == NULL ? NULL : scalar_text(cfg, key, at);
    if (key == NULL)
        node_error(cfg, map, path, "needs key (a key path as --set takes "
                   "it)");
    if (text != NULL && (p->key = strdup(text)) == NULL)
        return SIM_ENOMEM;
    if (text == NULL)
        rc = SIM_EINVAL;
    if ((values == NULL) == (range == NULL)) {
        node_error(cfg, map, path, "needs values or range (one of them)");
        return SIM_EINVAL;
    }
    snprintf(at, sizeof at, "%.120s.%s", path, values ? "values" : "range");
    if (values != NULL && parse_values(cfg, values, at, p) != 0)
        rc = SIM_EINVAL;
    if (range != NULL && parse_range(cfg, range, at, p) != 0)
        rc = SIM_EINVAL;
    return rc;
}

/* A key swept twice, or a key that belongs to the sweep itself. */
static int check_param_key(struct sim_cfg *cfg, const struct sim_sweep *sw,
                           size_t i, const struct sim_doc_node *node)
{
    char at[SWEEP_PATH_MAX];
    const char *key = sw->params[i].key;

    snprintf(at, sizeof at, "sweep.params[%zu].key", i);
    if (strncmp(key, "sweep", 5) == 0 &&
        (key[5] == '\0' || key[5] == '.' || key[5] == '[')) {
        node_error(cfg, node, at, "a sweep cannot sweep itself");
        return SIM_EINVAL;
    }
    for (size_t j = 0; j < i; j++) {
        if (sw->params[j].key != NULL && strcmp(sw->params[j].key, key) == 0) {
            node_error(cfg, node, at, "\"%s\" is swept twice (also "
                       "sweep.params[%zu])", key, j);
            return SIM_EINVAL;
        }
    }
    return 0;
}

/* How many points the combination gives; records when it is wrong. */
static int count_points(struct sim_cfg *cfg, const struct sim_doc_node *list,
                        struct sim_sweep *sw)
{
    size_t n = 1;

    for (size_t i = 0; i < sw->n_params; i++) {
        const struct sim_sweep_param *p = &sw->params[i];
        char at[SWEEP_PATH_MAX];

        snprintf(at, sizeof at, "sweep.params[%zu]", i);
        if (sw->combine == SIM_SWEEP_ZIP && p->n_values != sw->params[0]
            .n_values) {
            sim_cfg_error_at(cfg, p->line, p->col, at, "has %zu values but "
                             "sweep.params[0] has %zu; zip needs the same "
                             "number", p->n_values, sw->params[0].n_values);
            return SIM_EINVAL;
        }
        if (sw->combine == SIM_SWEEP_GRID)
            n = n * p->n_values > SIM_SWEEP_MAX_POINTS ? SIZE_MAX
                                                       : n * p->n_values;
        else
            n = p->n_values;
    }
    if (n > SIM_SWEEP_MAX_POINTS) {
        node_error(cfg, list, "sweep.params", "the grid has more than %d "
                   "points", SIM_SWEEP_MAX_POINTS);
        return SIM_EINVAL;
    }
    sw->n_points = n;
    return 0;
}

/* Reads combine: grid | zip. */
static int parse_combine(struct sim_cfg *cfg, const struct sim_doc_node *map,
                         struct sim_sweep *sw)
{
    const struct sim_doc_node *node = sim_doc_node_get(map, "combine");
    const char *text;

    sw->combine = SIM_SWEEP_GRID;
    if (node == NULL)
        return 0;
    text = scalar_text(cfg, node, "sweep.combine");
    if (text != NULL && strcmp(text, "zip") == 0)
        sw->combine = SIM_SWEEP_ZIP;
    else if (text != NULL && strcmp(text, "grid") != 0)
        node_error(cfg, node, "sweep.combine", "\"%s\" is not grid or zip",
                   text);
    return text != NULL && (strcmp(text, "zip") == 0 ||
                            strcmp(text, "grid") == 0) ? 0 : SIM_EINVAL;
}

/* Reads params: and every entry of it. */
static int parse_params(struct sim_cfg *cfg, const struct sim_doc_node *list,
                        struct sim_sweep *sw)
{
    size_t n = sim_doc_node_count(list), i = 0;
    int rc = 0;

    if (sim_doc_node_kind(list) != SIM_DOC_SEQUENCE || n == 0) {
        node_error(cfg, list, "sweep.params", "needs a list of at least one "
                   "parameter");
        return SIM_EINVAL;
    }
    sw->params = calloc(n, sizeof *sw->params);
    if (sw->params == NULL)
        return SIM_ENOMEM;
    for (const struct sim_doc_node *v = sim_doc_node_first(list); v != NULL;
         v = sim_doc_node_next(v), i++) {
        char at[SWEEP_PATH_MAX];
        int r;

        snprintf(at, sizeof at, "sweep.params[%zu]", i);
        sw->n_params++;
        r = parse_param(cfg, v, at, &sw->params[i]);
        if (r == SIM_ENOMEM)
            return r;
        if (sw->params[i].key != NULL &&
            check_param_key(cfg, sw, i, sim_doc_node_get(v, "key")) != 0)
            r = SIM_EINVAL;
        if (r == 0)
            classify(&sw->params[i]);
        else
            rc = r;
    }
    return rc != 0 ? rc : count_points(cfg, list, sw);
}

int sim_sweep_parse(struct sim_cfg *cfg, const struct sim_doc_node *node,
                    struct sim_sweep **out)
{
    struct sim_sweep *sw = calloc(1, sizeof *sw);
    const struct sim_doc_node *params;
    int rc = 0;

    *out = NULL;
    if (sw == NULL)
        return SIM_ENOMEM;
    if (sim_doc_node_kind(node) != SIM_DOC_MAPPING) {
        node_error(cfg, node, "sweep", "needs a mapping with params (and "
                   "combine)");
        sim_sweep_free(sw);
        return SIM_EINVAL;
    }
    if (!check_keys(cfg, node, "sweep", sweep_keys, 2))
        rc = SIM_EINVAL;
    if (parse_combine(cfg, node, sw) != 0)
        rc = SIM_EINVAL;
    params = sim_doc_node_get(node, "params");
    if (params == NULL) {
        node_error(cfg, node, "sweep", "needs params (the parameters to "
                   "sweep)");
        rc = SIM_EINVAL;
    } else {
        int r = parse_params(cfg, params, sw);

        rc = r != 0 ? r : rc;
    }
    if (rc != 0) {
        sim_sweep_free(sw);
        return rc;
    }
    *out = sw;
    return 0;
}

int sim_sweep_load(struct sim_cfg *cfg, const char *path,
                   struct sim_sweep **out)
{
    struct sim_doc *doc = NULL;
    const struct sim_doc_node *node;
    int rc;

    *out = NULL;
    rc = sim_doc_load_file(cfg, path, &doc);
    if (doc == NULL)
        return rc != 0 ? rc : SIM_EINVAL;
    node = sim_doc_node_get(sim_doc_root(doc), "sweep");
    if (node == NULL) {
        sim_cfg_error_at(cfg, 1, 1, "sweep", "the scenario has no sweep: "
                         "section");
        rc = SIM_EINVAL;
    } else {
        int r = sim_sweep_parse(cfg, node, out);

        rc = r != 0 ? r : rc;
    }
    sim_doc_free(doc);
    if (rc != 0) {
        sim_sweep_free(*out);
        *out = NULL;
    }
    return rc;
}

void sim_sweep_free(struct sim_sweep *sw)
{
    if (sw == NULL)
        return;
    for (size_t i = 0; i < sw->n_params; i++) {
        struct sim_sweep_param *p = &sw->params[i];

        for (size_t j = 0; j < p->n_values; j++)
            free(p->values[j]);
        free(p->values);
        free(p->numbers);
        free(p->lines);
        free(p->cols);
        free(p->is_quoted);
        free(p->key);
    }
    free(sw->params);
    free(sw);
}

size_t sim_sweep_value_index(const struct sim_sweep *sw, size_t point,
                             size_t param)
{
    size_t stride = 1;

    if (sw->combine == SIM_SWEEP_ZIP)
        return point;
    for (size_t j = param + 1; j < sw->n_params; j++)
        stride *= sw->params[j].n_values;
    return point / stride % sw->params[param].n_values;
}

const char *sim_sweep_assignment(const struct sim_sweep *sw, size_t point,
                                 size_t param, char *buf, size_t n_buf)
{
    const struct sim_sweep_param *p = &sw->params[param];
    size_t v = sim_sweep_value_index(sw, point, param);
    size_t len;

    if (!p->is_quoted[v]) {
        snprintf(buf, n_buf, "%s=%s", p->key, p->values[v]);
        return buf;
    }
    /* Single quotes hold any text but themselves, written twice. */
    len = (size_t)snprintf(buf, n_buf, "%s='", p->key);
    for (const char *c = p->values[v]; *c != '\0' && len + 3 < n_buf; c++) {
        if (*c == '\'')
            buf[len++] = '\'';
        buf[len++] = *c;
    }
    if (len + 2 <= n_buf)
        snprintf(buf + len, n_buf - len, "'");
    return buf;
}
