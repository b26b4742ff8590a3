/* SPDX-License-Identifier: MIT */
/*
 * expect.c - parsing and judging expectations. The grammar is
 *   [KIND NAME] METRIC OP VALUE
 * where METRIC is a figure name ("response_time.p99") or a short alias
 * ("p99"), OP one of < <= > >=, and VALUE a duration, a percentage, a
 * rate or a plain number, whichever matches the figure's unit.
 */
#include "sim/expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/suggest.h"
#include "sim/summary.h"
#include "sim/units.h"

#define EXPECT_MAX_WORDS 6

struct expect_alias {
    const char *alias;
    const char *metric;
};

static const struct expect_alias aliases[] = {
    {"p50", "response_time.p50"},    {"p90", "response_time.p90"},
    {"p99", "response_time.p99"},    {"p99.9", "response_time.p999"},
    {"p999", "response_time.p999"},  {"max", "response_time.max"},
    {"mean", "response_time.mean"},  {"response_time",
                                      "response_time.mean"},
    {"stale_reads", "stale_read_rate"},
    {NULL, NULL},
};

static const char *const op_texts[] = {"<", "<=", ">", ">="};

const char *sim_expect_op_text(enum sim_expect_op op)
{
    return op_texts[op];
}

const char *sim_expect_status_name(enum sim_expect_status status)
{
    return status == SIM_EXPECT_MET ? "met"
           : status == SIM_EXPECT_MISSED ? "missed" : "unsure";
}

static const char *resolve_alias(const char *word)
{
    for (const struct expect_alias *a = aliases; a->alias != NULL; a++)
        if (strcmp(a->alias, word) == 0)
            return a->metric;
    return word;
}

static bool parse_op(const char *word, enum sim_expect_op *op)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(word, op_texts[i]) == 0) {
            *op = (enum sim_expect_op)i;
            return true;
        }
    }
    return false;
}

/* The threshold in base units, and the unit its form implies. */
static int parse_value(const char *text, double *v, char *unit, size_t n,
                       char *why, size_t n_why)
{
    sim_time t;

    if (strchr(text, '%') != NULL) {
        snprintf(unit, n, "ratio");
        return sim_units_percent(text, v, why, n_why);
    }
    if (strchr(text, '/') != NULL) {
        snprintf(unit, n, "1/s");
        return sim_units_rate(text, v, why, n_why);
    }
    if (sim_units_number(text, v, why, n_why) == 0) {
        snprintf(unit, n, "%s", "");
        return 0;
    }
    snprintf(unit, n, "s");
    if (sim_units_duration(text, &t, why, n_why) != 0)
        return SIM_EINVAL;
    *v = sim_time_to_s(t);
    return 0;
}

/* Splits a copy of text into at most EXPECT_MAX_WORDS words. */
static size_t split_words(char *copy, char **words)
{
    size_t n = 0;

    for (char *w = strtok(copy, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        if (n == EXPECT_MAX_WORDS)
            return n + 1;
        words[n++] = w;
    }
    return n;
}

/*
 * "[KIND NAME] linearizable": the figure "linearizable" (1 when the
 * history checked out) must be 1 in every replication.
 */
static int expect_linearizable(struct sim_expect *e, const char *text,
                               char **scope)
{
    e->op = SIM_EXPECT_GE;
    e->threshold = 1.0;
    snprintf(e->unit, sizeof e->unit, "ratio");
    e->text = strdup(text);
    e->metric = strdup("linearizable");
    if (scope != NULL) {
        e->scope = malloc(strlen(scope[0]) + strlen(scope[1]) + 2);
        if (e->scope != NULL)
            sprintf(e->scope, "%s %s", scope[0], scope[1]);
    }
    return e->text && e->metric && (scope == NULL || e->scope) ? 0
                                                               : SIM_ENOMEM;
}

int sim_expect_parse(struct sim_cfg *cfg, const char *path, const char *text,
                     struct sim_expect *e)
{
    char *copy = strdup(text), *words[EXPECT_MAX_WORDS], why[160];
    size_t n;
    int rc = 0;

    memset(e, 0, sizeof *e);
    if (copy == NULL)
        return SIM_ENOMEM;
    snprintf(e->path, sizeof e->path, "%s", path);
    n = split_words(copy, words);
    if ((n == 1 || n == 3) && strcmp(words[n - 1], "linearizable") == 0) {
        rc = expect_linearizable(e, text, n == 3 ? words : NULL);
        free(copy);
        if (rc != 0)
            sim_expect_release(e);
        return rc;
    }
    if ((n != 3 && n != 5) || !parse_op(words[n - 2], &e->op) ||
        (n == 5 && (parse_op(words[1], &e->op) ||
                    parse_op(words[2], &e->op) ||
                    !parse_op(words[3], &e->op)))) {
        sim_cfg_error(cfg, path, "\"%s\" is not an expectation like \"p99 < "
                      "80ms\" or \"server db utilisation < 70%%\"", text);
        rc = SIM_EINVAL;
    } else if (parse_value(words[n - 1], &e->threshold, e->unit,
                           sizeof e->unit, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", words[n - 1], why);
        rc = SIM_EINVAL;
    } else {
        e->text = strdup(text);
        e->metric = strdup(resolve_alias(words[n - 3]));
        if (n == 5) {
            e->scope = malloc(strlen(words[0]) + strlen(words[1]) + 2);
            if (e->scope != NULL)
                sprintf(e->scope, "%s %s", words[0], words[1]);
        }
        if (e->text == NULL || e->metric == NULL ||
            (n == 5 && e->scope == NULL))
            rc = SIM_ENOMEM;
    }
    free(copy);
    if (rc != 0)
        sim_expect_release(e);
    return rc;
}

void sim_expect_release(struct sim_expect *e)
{
    free(e->text);
    free(e->scope);
    free(e->metric);
    memset(e, 0, sizeof *e);
}

/* Whether a figure's unit can be compared with the threshold's. */
static bool units_agree(const char *figure, const char *threshold)
{
    if (strcmp(figure, threshold) == 0)
        return true;
    if (threshold[0] == '\0')           /* plain numbers: counts */
        return strcmp(figure, "count") == 0 || strcmp(figure, "1") == 0 ||
               strcmp(figure, "requests") == 0;
    return strcmp(threshold, "ratio") == 0 && strcmp(figure, "1") == 0;
}

static const char *unit_example(const char *unit)
{
    if (strcmp(unit, "s") == 0)
        return "a duration such as 80ms";
    if (strcmp(unit, "1/s") == 0)
        return "a rate such as 500/s";
    if (strcmp(unit, "ratio") == 0)
        return "a percentage such as 99.5%";
    return "a plain number";
}

/* Whether guess is word itself, or an alias of it. */
static bool is_same_word(const char *guess, const char *word)
{
    return strcmp(guess, word) == 0 || strcmp(resolve_alias(guess), word) == 0;
}

/*
 * Records an unknown scope or metric, with a suggestion when close. A
 * figure is looked for among those of scope, or of every scope when it is
 * NULL; the word itself is never suggested.
 */
static void unknown_name(struct sim_cfg *cfg, const char *path,
                         const char *what, const char *word,
                         const struct sim_report *names, bool is_scope,
                         const char *scope)
{
    struct sim_suggest sg;
    const char *guess;

    sim_suggest_init(&sg, word);
    for (size_t i = 0; !is_scope && aliases[i].alias != NULL; i++)
        sim_suggest_add(&sg, aliases[i].alias);
    for (size_t i = 0; i < names->n_metrics; i++) {
        const struct sim_metric *m = &names->metrics[i];

        if (is_scope)
            sim_suggest_add(&sg, m->scope);
        else if (scope == NULL || strcmp(m->scope, scope) == 0)
            sim_suggest_add(&sg, m->name);
    }
    guess = sim_suggest_result(&sg);
    if (guess != NULL && !is_same_word(guess, word))
        sim_cfg_error(cfg, path, "no %s \"%s\"; did you mean \"%s\"?", what,
                      word, guess);
    else
        sim_cfg_error(cfg, path, "no %s \"%s\"", what, word);
}

/*
 * Lists up to three scopes that report metric, as "client a, client b and
 * 2 more", into buf; returns how many scopes do.
 */
static size_t list_reporters(const struct sim_report *names,
                             const char *metric, char *buf, size_t n_buf)
{
    size_t n = 0, len = 0, total = 0;
    const char *shown[3];

    buf[0] = '\0';
    for (size_t i = 0; i < names->n_metrics; i++) {
        const struct sim_metric *m = &names->metrics[i];

        if (strcmp(m->name, metric) != 0)
            continue;
        total++;
        if (n < 3)
            shown[n++] = m->scope;
    }
    for (size_t i = 0; i < n && len < n_buf; i++) {
        const char *sep = i == 0 ? "" : i + 1 < n || total > n ? ", "
                                                              : " and ";
        int w = snprintf(buf + len, n_buf - len, "%s%s", sep, shown[i]);

        len += w > 0 ? (size_t)w : 0;
    }
    if (total > n && len < n_buf)
        snprintf(buf + len, n_buf - len, " and %zu more", total - n);
    return total;
}

/*
 * A scope that has no such figure: say who reports it instead, if anyone
 * does, else what the scope has that is close.
 */
static void not_in_scope(struct sim_cfg *cfg, const struct sim_expect *e,
                         const struct sim_report *names)
{
    char who[160];
    size_t n = list_reporters(names, e->metric, who, sizeof who);

    if (n == 0) {
        unknown_name(cfg, e->path, "figure", e->metric, names, false,
                     e->scope);
        return;
    }
    sim_cfg_error(cfg, e->path, "\"%s\" has no figure \"%s\"; %s report%s "
                  "it", e->scope, e->metric, who, n == 1 ? "s" : "");
}

/* Whether v satisfies the expectation's comparison. */
static bool holds(const struct sim_expect *e, double v)
{
    switch (e->op) {
    case SIM_EXPECT_LT:
        return v < e->threshold;
    case SIM_EXPECT_LE:
        return v <= e->threshold;
    case SIM_EXPECT_GT:
        return v > e->threshold;
    default:
        return v >= e->threshold;
    }
}

/*
 * Met when the whole interval satisfies the comparison, missed when none
 * of it does. A figure the same in every replication has an interval of
 * width 0; one replication gives no interval at all, and so no verdict.
 */
static enum sim_expect_status judge(const struct sim_expect *e, double mean,
                                    double hw)
{
    double lo, hi;

    if (isnan(mean) || !isfinite(hw))
        return SIM_EXPECT_UNSURE;
    lo = mean - hw;
    hi = mean + hw;
    if (holds(e, lo) && holds(e, hi))
        return SIM_EXPECT_MET;
    if (!holds(e, lo) && !holds(e, hi))
        return SIM_EXPECT_MISSED;
    return SIM_EXPECT_UNSURE;
}

/*
 * Whether an expectation without a scope should look at clients only: it
 * does when some client has the figure ("p99 < 80ms" means what users
 * see, not what each server sees).
 */
static bool clients_only(const struct sim_expect *e,
                         const struct sim_summary *s)
{
    if (e->scope != NULL)
        return false;
    for (size_t i = 0; i < s->n_rows; i++)
        if (strcmp(s->rows[i].name, e->metric) == 0 &&
            strncmp(s->rows[i].scope, "client ", 7) == 0)
            return true;
    return false;
}

/*
 * The values a figure of this unit can take, when they are bounded: a
 * ratio lies in [0, 1]; durations, rates and counts are never negative.
 */
static bool unit_range(const char *unit, double *lo, double *hi)
{
    *lo = 0;
    *hi = strcmp(unit, "ratio") == 0 ? 1 : INFINITY;
    return strcmp(unit, "ratio") == 0 || strcmp(unit, "s") == 0 ||
           strcmp(unit, "1/s") == 0 || strcmp(unit, "count") == 0;
}

/* An expectation that holds for every value the figure can take, or none. */
static int check_range(struct sim_cfg *cfg, const struct sim_expect *e,
                       const char *unit)
{
    double lo, hi;
    bool is_ratio = strcmp(unit, "ratio") == 0;

    if (!unit_range(unit, &lo, &hi) || holds(e, lo) != holds(e, hi))
        return 0;
    sim_cfg_error(cfg, e->path, "\"%s\" is %s met: \"%s\" %s", e->text,
                  holds(e, lo) ? "always" : "never", e->metric,
                  is_ratio ? "lies between 0% and 100%" : "is never negative");
    return SIM_EINVAL;
}

/* Whether the figure name of scope can have no value (see report.h). */
static const struct sim_absent *find_absent(const struct sim_report *names,
                                            const char *scope,
                                            const char *name)
{
    for (size_t i = 0; i < names->n_absent; i++)
        if (strcmp(names->absent[i].scope, scope) == 0 &&
            strcmp(names->absent[i].name, name) == 0)
            return &names->absent[i];
    return NULL;
}

/*
 * An expectation whose figure no scope it applies to can give a value:
 * the scope named, or else the clients that report it (or, when none
 * does, every scope that does), as sim_expect_eval picks them.
 */
static int check_absent(struct sim_cfg *cfg, const struct sim_expect *e,
                        const struct sim_report *names)
{
    const struct sim_absent *why = NULL;
    bool is_clients = false;

    for (size_t i = 0; e->scope == NULL && i < names->n_metrics; i++)
        is_clients |= strcmp(names->metrics[i].name, e->metric) == 0 &&
                      strncmp(names->metrics[i].scope, "client ", 7) == 0;
    for (size_t i = 0; i < names->n_metrics; i++) {
        const struct sim_metric *m = &names->metrics[i];

        if (strcmp(m->name, e->metric) != 0 ||
            (e->scope != NULL && strcmp(m->scope, e->scope) != 0) ||
            (is_clients && strncmp(m->scope, "client ", 7) != 0))
            continue;
        why = find_absent(names, m->scope, m->name);
        if (why == NULL)
            return 0;
    }
    if (why == NULL)
        return 0;
    sim_cfg_error(cfg, e->path, "\"%s\" can have no value here: %s",
                  e->metric, why->why);
    return SIM_EINVAL;
}

int sim_expect_check(struct sim_cfg *cfg, const struct sim_expect *e,
                     const struct sim_report *names, bool is_partial)
{
    const struct sim_metric *found = NULL;
    bool has_scope = e->scope == NULL;

    for (size_t i = 0; i < names->n_metrics; i++) {
        const struct sim_metric *m = &names->metrics[i];

        if (e->scope != NULL && strcmp(m->scope, e->scope) != 0)
            continue;
        has_scope = true;
        if (strcmp(m->name, e->metric) == 0 && found == NULL)
            found = m;
    }
    if (!has_scope) {
        unknown_name(cfg, e->path, "component", e->scope, names, true, NULL);
        return SIM_EINVAL;
    }
    if (found == NULL && e->scope != NULL) {
        not_in_scope(cfg, e, names);
        return SIM_EINVAL;
    }
    if (found == NULL) {
        if (is_partial)
            return 0;
        unknown_name(cfg, e->path, "figure", e->metric, names, false, NULL);
        return SIM_EINVAL;
    }
    if (!units_agree(found->unit, e->unit)) {
        sim_cfg_error(cfg, e->path, "\"%s\" is measured in \"%s\": compare "
                      "it with %s", e->metric, found->unit,
                      unit_example(found->unit));
        return SIM_EINVAL;
    }
    if (check_range(cfg, e, found->unit) != 0)
        return SIM_EINVAL;
    return is_partial ? 0 : check_absent(cfg, e, names);
}

int sim_expect_eval(const struct sim_expect *e, const struct sim_summary *s,
                    struct sim_expect_result **out, size_t *n_out)
{
    bool is_clients = clients_only(e, s);

    for (size_t i = 0; i < s->n_rows; i++) {
        const struct sim_summary_row *r = &s->rows[i];
        struct sim_expect_result *grown;

        if (strcmp(r->name, e->metric) != 0 ||
            (e->scope != NULL && strcmp(r->scope, e->scope) != 0) ||
            (is_clients && strncmp(r->scope, "client ", 7) != 0))
            continue;
        grown = realloc(*out, (*n_out + 1) * sizeof *grown);
        if (grown == NULL)
            return SIM_ENOMEM;
        *out = grown;
        grown[*n_out] = (struct sim_expect_result){
            .expect = e, .scope = r->scope, .mean = r->ci.mean,
            .half_width = r->ci.half_width,
            .status = judge(e, r->ci.mean, r->ci.half_width),
        };
        (*n_out)++;
    }
    return 0;
}
