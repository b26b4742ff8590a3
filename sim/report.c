/* SPDX-License-Identifier: MIT */
/*
 * report.c - a growable list of named figures. Order of insertion is kept:
 * it is the order of the tables and files written from it.
 */
#include "sim/report.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/grow.h"
#include "sim/units.h"

void sim_report_init(struct sim_report *rep)
{
    memset(rep, 0, sizeof *rep);
}

static void free_curve(struct sim_curve *c)
{
    free(c->scope);
    free(c->name);
    free(c->x_unit);
    free(c->y_unit);
    free(c->x);
    free(c->y);
}

void sim_report_release(struct sim_report *rep)
{
    for (size_t i = 0; i < rep->n_metrics; i++) {
        free(rep->metrics[i].scope);
        free(rep->metrics[i].name);
        free(rep->metrics[i].unit);
    }
    free(rep->metrics);
    for (size_t i = 0; i < rep->n_series; i++) {
        free(rep->series[i].scope);
        free(rep->series[i].name);
        free(rep->series[i].unit);
        free(rep->series[i].values);
    }
    free(rep->series);
    for (size_t i = 0; i < rep->n_curves; i++)
        free_curve(&rep->curves[i]);
    free(rep->curves);
    for (size_t i = 0; i < rep->n_notes; i++) {
        free(rep->notes[i].kind);
        free(rep->notes[i].text);
    }
    free(rep->notes);
    for (size_t i = 0; i < rep->n_settings; i++) {
        free(rep->settings[i].scope);
        free(rep->settings[i].key);
        free(rep->settings[i].value);
    }
    free(rep->settings);
    for (size_t i = 0; i < rep->n_absent; i++) {
        free(rep->absent[i].scope);
        free(rep->absent[i].name);
        free(rep->absent[i].why);
    }
    free(rep->absent);
    sim_report_init(rep);
}

/* Makes room for one more element of size elem; false on failure. */
static bool reserve(struct sim_report *rep, void **arr, size_t n,
                    size_t *cap, size_t elem)
{
    if (sim_grow(arr, cap, elem, n + 1))
        return true;
    rep->status = SIM_ENOMEM;
    return false;
}

void sim_report_series(struct sim_report *rep, const char *scope,
                       const char *name, const char *unit,
                       const double *values, size_t n)
{
    struct sim_series *s;

    if (!reserve(rep, (void **)&rep->series, rep->n_series,
                 &rep->cap_series, sizeof *rep->series))
        return;
    s = &rep->series[rep->n_series];
    s->scope = strdup(scope);
    s->name = strdup(name);
    s->unit = strdup(unit);
    s->values = malloc((n ? n : 1) * sizeof *values);
    s->n_values = n;
    if (s->scope == NULL || s->name == NULL || s->unit == NULL ||
        s->values == NULL) {
        free(s->scope);
        free(s->name);
        free(s->unit);
        free(s->values);
        rep->status = SIM_ENOMEM;
        return;
    }
    memcpy(s->values, values, n * sizeof *values);
    rep->n_series++;
}

void sim_report_curve(struct sim_report *rep, const char *scope,
                      const char *name, const char *x_unit,
                      const char *y_unit, const double *x, const double *y,
                      size_t n)
{
    struct sim_curve *c;

    if (!reserve(rep, (void **)&rep->curves, rep->n_curves,
                 &rep->cap_curves, sizeof *rep->curves))
        return;
    c = &rep->curves[rep->n_curves];
    c->scope = strdup(scope);
    c->name = strdup(name);
    c->x_unit = strdup(x_unit);
    c->y_unit = strdup(y_unit);
    c->x = malloc((n ? n : 1) * sizeof *x);
    c->y = malloc((n ? n : 1) * sizeof *y);
    c->n = n;
    if (c->scope == NULL || c->name == NULL || c->x_unit == NULL ||
        c->y_unit == NULL || c->x == NULL || c->y == NULL) {
        free_curve(c);
        rep->status = SIM_ENOMEM;
        return;
    }
    memcpy(c->x, x, n * sizeof *x);
    memcpy(c->y, y, n * sizeof *y);
    rep->n_curves++;
}

static void add_note(struct sim_report *rep, double t_s, const char *kind,
                     bool is_fault, const char *fmt, va_list ap)
{
    struct sim_note *note;
    char text[512];

    if (!reserve(rep, (void **)&rep->notes, rep->n_notes, &rep->cap_notes,
                 sizeof *rep->notes))
        return;
    vsnprintf(text, sizeof text, fmt, ap);
    note = &rep->notes[rep->n_notes];
    note->t_s = t_s;
    note->is_fault = is_fault;
    note->kind = strdup(kind);
    note->text = strdup(text);
    if (note->kind == NULL || note->text == NULL) {
        free(note->kind);
        free(note->text);
        rep->status = SIM_ENOMEM;
        return;
    }
    rep->n_notes++;
}

void sim_report_note(struct sim_report *rep, double t_s, const char *kind,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_note(rep, t_s, kind, false, fmt, ap);
    va_end(ap);
}

void sim_report_fault(struct sim_report *rep, double t_s, const char *kind,
                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_note(rep, t_s, kind, true, fmt, ap);
    va_end(ap);
}

void sim_report_add(struct sim_report *rep, const char *scope,
                    const char *name, const char *unit, double value)
{
    struct sim_metric *m;

    if (rep->n_metrics == rep->cap_metrics) {
        size_t cap = rep->cap_metrics ? rep->cap_metrics * 2 : 64;
        struct sim_metric *grown = realloc(rep->metrics, cap * sizeof *m);

        if (grown == NULL) {
            rep->status = SIM_ENOMEM;
            return;
        }
        rep->metrics = grown;
        rep->cap_metrics = cap;
    }
    m = &rep->metrics[rep->n_metrics];
    m->scope = strdup(scope);
    m->name = strdup(name);
    m->unit = strdup(unit);
    m->value = value;
    if (m->scope == NULL || m->name == NULL || m->unit == NULL) {
        free(m->scope);
        free(m->name);
        free(m->unit);
        rep->status = SIM_ENOMEM;
        return;
    }
    rep->n_metrics++;
}

void sim_report_setting(struct sim_report *rep, const char *scope,
                        const char *key, const char *fmt, ...)
{
    struct sim_setting *st;
    char value[512];
    va_list ap;

    if (!reserve(rep, (void **)&rep->settings, rep->n_settings,
                 &rep->cap_settings, sizeof *rep->settings))
        return;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    st = &rep->settings[rep->n_settings];
    st->scope = strdup(scope);
    st->key = strdup(key);
    st->value = strdup(value);
    if (st->scope == NULL || st->key == NULL || st->value == NULL) {
        free(st->scope);
        free(st->key);
        free(st->value);
        rep->status = SIM_ENOMEM;
        return;
    }
    rep->n_settings++;
}

void sim_report_absent(struct sim_report *rep, const char *scope,
                       const char *name, const char *why)
{
    struct sim_absent *a;

    if (!reserve(rep, (void **)&rep->absent, rep->n_absent,
                 &rep->cap_absent, sizeof *rep->absent))
        return;
    a = &rep->absent[rep->n_absent];
    a->scope = strdup(scope);
    a->name = strdup(name);
    a->why = strdup(why);
    if (a->scope == NULL || a->name == NULL || a->why == NULL) {
        free(a->scope);
        free(a->name);
        free(a->why);
        rep->status = SIM_ENOMEM;
        return;
    }
    rep->n_absent++;
}

/* Whether note a belongs after note b: later, or a model's after a fault. */
static bool is_after(const struct sim_note *a, const struct sim_note *b)
{
    return a->t_s > b->t_s ||
           (a->t_s == b->t_s && !a->is_fault && b->is_fault);
}

void sim_report_sort_notes(struct sim_report *rep)
{
    /* Insertion sort: stable, and notes are few and mostly in order. */
    for (size_t i = 1; i < rep->n_notes; i++) {
        struct sim_note note = rep->notes[i];
        size_t j = i;

        while (j > 0 && is_after(&rep->notes[j - 1], &note)) {
            rep->notes[j] = rep->notes[j - 1];
            j--;
        }
        rep->notes[j] = note;
    }
}

void sim_report_list_init(struct sim_report_list *l)
{
    memset(l, 0, sizeof *l);
}

void sim_report_list_add(struct sim_report_list *l, const char *fmt, ...)
{
    const char *sep = l->n_items > 0 ? ", " : "";
    char item[256];
    size_t need;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(item, sizeof item, fmt, ap);
    va_end(ap);
    need = strlen(sep) + strlen(item);
    /* Once one item is left out, the rest are too: the order stays true. */
    if (l->n_left_out > 0 || l->len + need >= sizeof l->text) {
        l->n_left_out++;
        return;
    }
    snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s", sep, item);
    l->len += need;
    l->n_items++;
}

void sim_report_setting_duration(struct sim_report *rep, const char *scope,
                                 const char *key, sim_time t)
{
    char buf[64];

    sim_report_setting(rep, scope, key, "%s",
                       sim_units_format_duration(t, buf, sizeof buf));
}

void sim_report_setting_list(struct sim_report *rep, const char *scope,
                             const char *key,
                             const struct sim_report_list *l)
{
    if (l->n_items == 0 && l->n_left_out == 0)
        sim_report_setting(rep, scope, key, "none");
    else if (l->n_left_out == 0)
        sim_report_setting(rep, scope, key, "%s", l->text);
    else
        sim_report_setting(rep, scope, key, "%s and %zu more", l->text,
                           l->n_left_out);
}
