/* SPDX-License-Identifier: MIT */
/*
 * pointdir.c - writing a point's directory atomically and reading its
 * summary.json back. Doubles are written with 17 significant digits, so
 * what is read back is bit for bit what was computed.
 */
#include "sim/pointdir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sim/outdir.h"
#include "sim/strbuf.h"
#include "sim/summary.h"

/* Writes the files of a point into the directory tmp. */
static int write_files(const char *tmp, const struct sim_scenario *sc,
                       const struct sim_summary *sum, struct sim_error *err)
{
    char path[4200];
    int rc;

    snprintf(path, sizeof path, "%.4000s/summary.json", tmp);
    rc = sim_summary_write_json(sum, sc, path, err);
    if (rc != 0)
        return rc;
    snprintf(path, sizeof path, "%.4000s/metrics.tsv", tmp);
    rc = sim_summary_write_tsv(sum, path, err);
    if (rc != 0)
        return rc;
    snprintf(path, sizeof path, "%.4000s/scenario.yaml", tmp);
    return sim_file_write(path, sc->text, strlen(sc->text), err);
}

int sim_pointdir_write(const char *dir, const struct sim_scenario *sc,
                       const struct sim_batch *b, struct sim_error *err)
{
    struct sim_summary sum;
    char tmp[4000];
    int rc;

    snprintf(tmp, sizeof tmp, "%.3990s.tmp", dir);
    sim_outdir_remove_tree(tmp);
    if (mkdir(tmp, 0755) != 0)
        return sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s", tmp,
                             strerror(errno));
    rc = sim_summary_build(b, &sum, err);
    if (rc != 0)
        return rc;
    if (sim_summary_judge(&sum, sc) < 0)
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
    if (rc == 0)
        rc = write_files(tmp, sc, &sum, err);
    sim_summary_release(&sum);
    if (rc == 0 && rename(tmp, dir) != 0)
        rc = sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s", dir,
                           strerror(errno));
    return rc;
}

static double number_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : NAN;
}

static char *text_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return strdup(s != NULL ? s : "");
}

/* Whether m is a figure as a point's summary.json holds it. */
static bool is_figure(const json_t *m)
{
    return json_is_object(m) &&
           json_is_string(json_object_get(m, "scope")) &&
           json_is_string(json_object_get(m, "name")) &&
           json_is_string(json_object_get(m, "unit"));
}

/* The figures; SIM_EIO when the file is not a point's summary. */
static int read_figures(const json_t *root, struct sim_pointdir *p)
{
    const json_t *list = json_object_get(root, "metrics"), *m;
    double n = number_of(json_array_get(list, 0), "n");
    size_t i;

    if (!json_is_array(list) || n != floor(n) ||
        !(n >= 1 && n <= SIM_SCENARIO_MAX_REPLICATIONS))
        return SIM_EIO;
    p->n_reps = (unsigned)n;
    p->figs = calloc(json_array_size(list) + 1, sizeof *p->figs);
    if (p->figs == NULL)
        return SIM_ENOMEM;
    json_array_foreach(list, i, m) {
        struct sim_pointdir_figure *f = &p->figs[p->n_figs++];

        if (!is_figure(m))
            return SIM_EIO;
        f->scope = text_of(m, "scope");
        f->name = text_of(m, "name");
        f->unit = text_of(m, "unit");
        f->mean = number_of(m, "mean");
        f->half_width = number_of(m, "ci95_half_width");
        if (f->scope == NULL || f->name == NULL || f->unit == NULL)
            return SIM_ENOMEM;
    }
    return 0;
}

static enum sim_expect_status status_of(const char *s)
{
    return strcmp(s, "met") == 0 ? SIM_EXPECT_MET
           : strcmp(s, "missed") == 0 ? SIM_EXPECT_MISSED
                                      : SIM_EXPECT_UNSURE;
}

static enum sim_expect_op op_of(const char *s)
{
    for (int op = SIM_EXPECT_LT; op <= SIM_EXPECT_GE; op++)
        if (strcmp(s, sim_expect_op_text((enum sim_expect_op)op)) == 0)
            return (enum sim_expect_op)op;
    return SIM_EXPECT_LT;
}

static int read_expects(const json_t *root, struct sim_pointdir *p)
{
    const json_t *list = json_object_get(root, "expectations"), *e;
    size_t i;

    p->expects = calloc(json_array_size(list) + 1, sizeof *p->expects);
    if (p->expects == NULL)
        return SIM_ENOMEM;
    p->is_met = true;
    json_array_foreach(list, i, e) {
        struct sim_pointdir_expect *x = &p->expects[p->n_expects++];
        const char *op = json_string_value(json_object_get(e, "op"));
        const char *st = json_string_value(json_object_get(e, "status"));

        x->text = text_of(e, "text");
        x->scope = text_of(e, "scope");
        x->metric = text_of(e, "metric");
        x->op = op_of(op ? op : "");
        x->threshold = number_of(e, "threshold");
        x->mean = number_of(e, "mean");
        x->half_width = number_of(e, "ci95_half_width");
        x->status = status_of(st ? st : "");
        p->is_met = p->is_met && x->status == SIM_EXPECT_MET;
        if (x->text == NULL || x->scope == NULL || x->metric == NULL)
            return SIM_ENOMEM;
    }
    return 0;
}

static void read_settings(const json_t *root, struct sim_pointdir *p)
{
    const json_t *all = json_object_get(root, "settings"), *scope, *v;
    const char *name, *key;

    sim_report_init(&p->settings);
    json_object_foreach((json_t *)all, name, scope) {
        json_object_foreach((json_t *)scope, key, v)
            sim_report_setting(&p->settings, name, key, "%s",
                               json_string_value(v) ? json_string_value(v)
                                                    : "");
    }
}

int sim_pointdir_read(const char *dir, struct sim_pointdir *p,
                      struct sim_error *err)
{
    char path[4200];
    json_error_t jerr;
    json_t *root;
    int rc;

    memset(p, 0, sizeof *p);
    sim_report_init(&p->settings);
    snprintf(path, sizeof path, "%.4000s/summary.json", dir);
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return sim_error_set(err, SIM_EIO, "cannot read \"%s\": %s", path,
                             jerr.text);
    rc = read_figures(root, p);
    if (rc == 0)
        rc = read_expects(root, p);
    if (rc == 0)
        read_settings(root, p);
    json_decref(root);
    if (rc == 0 && p->settings.status != 0)
        rc = SIM_ENOMEM;
    if (rc != 0) {
        sim_pointdir_release(p);
        return rc == SIM_EIO
                   ? sim_error_set(err, rc, "\"%s\" is not the summary of "
                                   "a point", path)
                   : sim_error_set(err, rc, "out of memory");
    }
    return 0;
}

void sim_pointdir_release(struct sim_pointdir *p)
{
    for (size_t i = 0; i < p->n_figs; i++) {
        free(p->figs[i].scope);
        free(p->figs[i].name);
        free(p->figs[i].unit);
    }
    free(p->figs);
    for (size_t i = 0; i < p->n_expects; i++) {
        free(p->expects[i].text);
        free(p->expects[i].scope);
        free(p->expects[i].metric);
    }
    free(p->expects);
    sim_report_release(&p->settings);
    memset(p, 0, sizeof *p);
}

const char *sim_pointdir_verdict(const struct sim_pointdir *p)
{
    bool is_missed = false;

    if (p->n_expects == 0)
        return "none";
    for (size_t i = 0; i < p->n_expects; i++)
        is_missed = is_missed || p->expects[i].status == SIM_EXPECT_MISSED;
    return p->is_met ? "met" : is_missed ? "missed" : "unsure";
}

const struct sim_pointdir_figure *sim_pointdir_find(
    const struct sim_pointdir *p, const char *scope, const char *name)
{
    for (size_t i = 0; i < p->n_figs; i++)
        if (strcmp(p->figs[i].scope, scope) == 0 &&
            strcmp(p->figs[i].name, name) == 0)
            return &p->figs[i];
    return NULL;
}
