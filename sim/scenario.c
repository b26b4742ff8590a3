/* SPDX-License-Identifier: MIT */
/*
 * scenario.c - loading a scenario: the YAML document is parsed with exact
 * positions, overridden by --set, checked against a schema assembled from
 * the caller's model kinds, loaded by libcyaml, and then every component
 * is built once (replication 0), its request graph and expectations
 * checked, so that all problems are reported together before anything
 * runs. A component that fails to build leaves its name behind, so that
 * nothing that refers to it is reported again.
 */
#include "sim/scenario.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/doc.h"
#include "sim/hash.h"
#include "sim/schema.h"
#include "sim/units.h"

#define DEFAULT_SEED 1
#define DEFAULT_REPLICATIONS 5
#define MAX_DURATION ((sim_time)366 * 24 * 3600 * SIM_S)
#define DEFAULT_MAX_EVENTS 10000000000ULL
#define DEFAULT_MAX_REQUESTS 4000000ULL
#define DEFAULT_WINDOWS 100             /* about this many, by default */
#define MAX_WINDOWS 100000              /* per run, at most */

enum scenario_check {
    CHECK_NONE,
    CHECK_LINEARIZABILITY,
};

static const cyaml_strval_t check_names[] = {
    {"none", CHECK_NONE},
    {"linearizability", CHECK_LINEARIZABILITY},
};

struct scenario_limits_config {
    unsigned long long *events;         /* events a replication may run */
    unsigned long long *requests;       /* requests alive at once */
};

struct scenario_plots_config {
    enum sim_plot_format *format;       /* png, svg or none */
    unsigned *charts;                   /* enum sim_plot_chart bits */
};

/* The top level of a scenario as libcyaml fills it. */
struct scenario_top {
    char *name;
    char *title;
    unsigned long long *seed;
    char *duration;
    char *warmup;
    char *window;
    unsigned *replications;
    struct scenario_limits_config *limits;
    enum scenario_check check;
    struct scenario_plots_config *plots;
    char **expect;
    unsigned expect_count;
    struct sim_scenario_section sections[SIM_SCENARIO_MAX_KINDS];
};

struct scenario_priv {
    cyaml_schema_field_t *fields;       /* top-level fields, built here */
    cyaml_schema_value_t schema;
    struct scenario_top *top;           /* loaded by libcyaml */
    struct sim_doc *doc;
};

static const cyaml_schema_field_t limits_fields[] = {
    CYAML_FIELD_UINT_PTR("events", CYAML_FLAG_OPTIONAL,
                         struct scenario_limits_config, events),
    CYAML_FIELD_UINT_PTR("requests", CYAML_FLAG_OPTIONAL,
                         struct scenario_limits_config, requests),
    CYAML_FIELD_END
};

static const cyaml_strval_t format_names[] = {
    {"png", SIM_PLOT_PNG},
    {"svg", SIM_PLOT_SVG},
    {"none", SIM_PLOT_NONE},
};

static const cyaml_strval_t chart_names[] = {
    {"latency", SIM_PLOT_LATENCY},
    {"throughput", SIM_PLOT_THROUGHPUT},
    {"cdf", SIM_PLOT_CDF},
    {"servers", SIM_PLOT_SERVERS},
    {"cache", SIM_PLOT_CACHE},
    {"consistency", SIM_PLOT_CONSISTENCY},
    {"visibility", SIM_PLOT_VISIBILITY},
};

static const cyaml_schema_field_t plots_fields[] = {
    CYAML_FIELD_ENUM_PTR("format", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                         struct scenario_plots_config, format, format_names,
                         CYAML_ARRAY_LEN(format_names)),
    CYAML_FIELD_FLAGS_PTR("charts", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                          struct scenario_plots_config, charts, chart_names,
                          CYAML_ARRAY_LEN(chart_names)),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t expect_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 1024),
};

static const cyaml_schema_field_t fixed_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct scenario_top,
                           name, 1, 63),
    CYAML_FIELD_STRING_PTR("title", CYAML_FLAG_OPTIONAL, struct scenario_top,
                           title, 1, SIM_SCENARIO_TITLE_MAX),
    CYAML_FIELD_UINT_PTR("seed", CYAML_FLAG_OPTIONAL, struct scenario_top,
                         seed),
    CYAML_FIELD_STRING_PTR("duration", CYAML_FLAG_POINTER,
                           struct scenario_top, duration, 1, 64),
    CYAML_FIELD_STRING_PTR("warmup", CYAML_FLAG_OPTIONAL,
                           struct scenario_top, warmup, 1, 64),
    CYAML_FIELD_STRING_PTR("window", CYAML_FLAG_OPTIONAL,
                           struct scenario_top, window, 1, 64),
    CYAML_FIELD_UINT_PTR("replications", CYAML_FLAG_OPTIONAL,
                         struct scenario_top, replications),
    CYAML_FIELD_MAPPING_PTR("limits", CYAML_FLAG_OPTIONAL,
                            struct scenario_top, limits, limits_fields),
    CYAML_FIELD_ENUM("check", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct scenario_top, check, check_names,
                     CYAML_ARRAY_LEN(check_names)),
    CYAML_FIELD_MAPPING_PTR("plots", CYAML_FLAG_OPTIONAL,
                            struct scenario_top, plots, plots_fields),
    CYAML_FIELD_SEQUENCE("expect", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct scenario_top, expect, &expect_entry, 0, 256),
    /* Read and checked by sim/sweep.c; a single run ignores it. */
    CYAML_FIELD_IGNORE("sweep", CYAML_FLAG_OPTIONAL),
};

#define N_FIXED (sizeof fixed_fields / sizeof fixed_fields[0])

/* The top-level schema: the fixed keys, then one list per model kind. */
static int build_schema(struct scenario_priv *p,
                        const struct sim_model_ops *const *kinds,
                        size_t n_kinds)
{
    size_t n = N_FIXED + n_kinds;

    p->fields = calloc(n + 1, sizeof *p->fields);
    if (p->fields == NULL)
        return SIM_ENOMEM;
    memcpy(p->fields, fixed_fields, sizeof fixed_fields);
    for (size_t i = 0; i < n_kinds; i++) {
        cyaml_schema_field_t *f = &p->fields[N_FIXED + i];
        size_t at = offsetof(struct scenario_top, sections) +
                    i * sizeof(struct sim_scenario_section);

        f->key = kinds[i]->section;
        f->data_offset = (uint32_t)at;
        if (kinds[i]->is_single) {
            f->value = *kinds[i]->schema;
            f->value.flags |= CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL;
            continue;
        }
        f->count_offset = (uint32_t)(at + offsetof(struct
                                                    sim_scenario_section,
                                                    count));
        f->count_size = sizeof(unsigned);
        f->value.type = CYAML_SEQUENCE;
        f->value.flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL;
        f->value.data_size = kinds[i]->schema->data_size;
        f->value.sequence.entry = kinds[i]->schema;
        f->value.sequence.min = 0;
        f->value.sequence.max = 100000;
    }
    p->schema.type = CYAML_MAPPING;
    p->schema.flags = CYAML_FLAG_POINTER;
    p->schema.data_size = sizeof(struct scenario_top);
    p->schema.mapping.fields = p->fields;
    return 0;
}

static void priv_free(struct scenario_priv *p)
{
    if (p == NULL)
        return;
    if (p->top != NULL)
        sim_schema_free(&p->schema, p->top);
    sim_doc_free(p->doc);
    free(p->fields);
    free(p);
}

void sim_scenario_free(struct sim_scenario *sc)
{
    if (sc == NULL)
        return;
    for (unsigned i = 0; i < sc->n_expects; i++)
        sim_expect_release(&sc->expects[i]);
    free(sc->expects);
    priv_free(sc->priv);
    free(sc->file);
    free(sc->text);
    free(sc);
}

/*
 * The smallest 1-2-5 width w (1ms, 2ms, 5ms, 10ms, ...) with
 * span / w <= max, in whole windows.
 */
static sim_time window_for(sim_time span, sim_time max)
{
    static const sim_time steps[] = {1, 2, 5};
    sim_time decade = SIM_MS;

    for (;;) {
        for (int i = 0; i < 3; i++) {
            if (span / (steps[i] * decade) <= max)
                return steps[i] * decade;
        }
        decade *= 10;
    }
}

/*
 * Series windows: as given, or a 1-2-5 width giving about 100 windows.
 * None shorter than 1 ms, and at most MAX_WINDOWS of them (the last one
 * may be partial), since every component keeps its series window by
 * window. Returns false when the window given is unusable: the run
 * cannot even be built with it.
 */
static bool apply_window(struct sim_cfg *cfg, struct sim_scenario *sc,
                         const struct scenario_top *t)
{
    char least[32];

    if (sc->duration <= 0)
        return true;
    if (t->window == NULL) {
        sc->window = window_for(sc->duration, DEFAULT_WINDOWS);
        return true;
    }
    if (sim_cfg_duration(cfg, "window", t->window, 0, &sc->window) != 0)
        return false;
    if (sc->window < SIM_MS) {
        sim_cfg_error(cfg, "window", "\"%s\" is shorter than 1ms, the "
                      "shortest window", t->window);
        return false;
    }
    /* (d - 1) / w + 1 is the number of windows, the last one partial */
    if ((sc->duration - 1) / sc->window >= MAX_WINDOWS) {
        sim_units_format_duration(window_for(sc->duration - 1,
                                             MAX_WINDOWS - 1),
                                  least, sizeof least);
        sim_cfg_error(cfg, "window", "\"%s\" cuts the %s run into more than "
                      "%d windows; use a wider one, such as %s", t->window,
                      t->duration, MAX_WINDOWS, least);
        return false;
    }
    return true;
}

/* Chart format and kinds: png and every kind unless the scenario says. */
static void apply_plots(struct sim_scenario *sc,
                        const struct scenario_plots_config *p)
{
    sc->plot_format = SIM_PLOT_PNG;
    sc->plot_charts = SIM_PLOT_ALL;
    if (p != NULL && p->format != NULL)
        sc->plot_format = *p->format;
    if (p != NULL && p->charts != NULL)
        sc->plot_charts = *p->charts;
}

/*
 * Defaults and ranges of the run parameters. Returns false when they
 * cannot shape a run at all, so that nothing is built from them.
 */
static bool apply_top(struct sim_cfg *cfg, struct sim_scenario *sc,
                      const struct scenario_top *t)
{
    bool is_sound;

    sc->name = t->name;
    sc->seed = t->seed ? *t->seed : DEFAULT_SEED;
    sc->replications = t->replications ? *t->replications
                                       : DEFAULT_REPLICATIONS;
    sc->is_checking = t->check == CHECK_LINEARIZABILITY;
    sc->expects = calloc(t->expect_count + 1, sizeof *sc->expects);
    for (unsigned i = 0; sc->expects != NULL && i < t->expect_count; i++) {
        char path[32];

        snprintf(path, sizeof path, "expect[%u]", i);
        if (sim_expect_parse(cfg, path, t->expect[i],
                             &sc->expects[sc->n_expects]) == 0)
            sc->n_expects++;
    }
    /* free text for people; the schema refused control characters */
    sc->title = t->title;
    apply_plots(sc, t->plots);
    if (sim_cfg_name(cfg, "name", t->name) != 0)
        return true;
    if (sim_cfg_duration(cfg, "duration", t->duration, 0, &sc->duration) ==
        0 && (sc->duration <= 0 || sc->duration > MAX_DURATION))
        sim_cfg_error(cfg, "duration", "\"%s\" must be above 0 and at most "
                      "366 days", t->duration);
    if (sim_cfg_duration(cfg, "warmup", t->warmup, 0, &sc->warmup) == 0 &&
        sc->duration > 0 && sc->warmup >= sc->duration)
        sim_cfg_error(cfg, "warmup", "\"%s\" must be shorter than the "
                      "duration (%s)", t->warmup, t->duration);
    is_sound = apply_window(cfg, sc, t);
    if (sc->replications < 1 ||
        sc->replications > SIM_SCENARIO_MAX_REPLICATIONS)
        sim_cfg_error(cfg, "replications", "must be between 1 and %d",
                      SIM_SCENARIO_MAX_REPLICATIONS);
    sc->max_events = DEFAULT_MAX_EVENTS;
    sc->max_requests = DEFAULT_MAX_REQUESTS;
    if (t->limits != NULL && t->limits->events != NULL)
        sc->max_events = *t->limits->events;
    if (t->limits != NULL && t->limits->requests != NULL)
        sc->max_requests = (size_t)*t->limits->requests;
    if (sc->max_events < 1)
        sim_cfg_error(cfg, "limits.events", "must be at least 1");
    if (sc->max_requests < 1)
        sim_cfg_error(cfg, "limits.requests", "must be at least 1");
    return is_sound;
}

/*
 * Two friendlier spellings, rewritten into what the schema takes: zones
 * as a mapping from name to members, and fault sides as lists of names
 * ({east: [a, b]} and [[a, b], [c]] become [{name: east, members: [a,
 * b]}] and ["a+b", "c"]).
 */
static int rewrite_sugar(struct sim_doc *doc)
{
    const struct sim_doc_node *root = sim_doc_root(doc), *faults;
    const struct sim_doc_node *zones, *net = sim_doc_node_get(root,
                                                              "network");
    static const char *const sided[] = {"partition", "slow", "lossy"};

    zones = net != NULL ? sim_doc_node_get(net, "zones") : NULL;
    if (zones != NULL && sim_doc_node_kind(zones) == SIM_DOC_MAPPING &&
        sim_doc_map_to_list(doc, zones, "name", "members") == SIM_ENOMEM)
        return SIM_ENOMEM;
    faults = sim_doc_node_get(root, "faults");
    if (faults == NULL || sim_doc_node_kind(faults) != SIM_DOC_SEQUENCE)
        return 0;
    for (const struct sim_doc_node *f = sim_doc_node_first(faults); f;
         f = sim_doc_node_next(f)) {
        for (size_t k = 0; k < 3; k++) {
            const struct sim_doc_node *sides = sim_doc_node_get(f, sided[k]);

            if (sides == NULL || sim_doc_node_kind(sides) != SIM_DOC_SEQUENCE)
                continue;
            for (const struct sim_doc_node *side = sim_doc_node_first(sides);
                 side; side = sim_doc_node_next(side))
                if (sim_doc_node_kind(side) == SIM_DOC_SEQUENCE &&
                    sim_doc_list_to_text(doc, side, "+") == SIM_ENOMEM)
                    return SIM_ENOMEM;
        }
    }
    return 0;
}

/* Parse, override and check the document; load it when it is sound. */
static int load_doc(struct sim_cfg *cfg, struct sim_scenario *sc,
                    const char *const *sets, size_t n_sets,
                    struct sim_error *err)
{
    struct scenario_priv *p = sc->priv;
    bool is_pruned;
    size_t len;
    int rc;

    rc = sim_doc_load_file(cfg, sc->file, &p->doc);
    if (rc == SIM_EIO || rc == SIM_ENOMEM)
        return sim_error_set(err, rc, "%s", sim_cfg_n_errors(cfg) ?
                             "cannot read the scenario" : "out of memory");
    if (rc != 0)
        return SIM_EINVAL;
    sim_cfg_set_locator(cfg, sim_doc_locate, p->doc);
    for (size_t i = 0; i < n_sets; i++)
        sim_doc_set(p->doc, cfg, sets[i]);
    if (rewrite_sugar(p->doc) != 0)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    /*
     * Problems in optional keys are pruned away so that the rest can still
     * be loaded and checked for meaning: all problems show in one run.
     */
    if (sim_schema_check_prune(cfg, p->doc, &p->schema, &is_pruned) != 0 &&
        !is_pruned)
        return SIM_EINVAL;
    rc = sim_schema_load(cfg, p->doc, &p->schema, (void **)&p->top);
    if (rc != 0)
        return rc == SIM_ENOMEM ? sim_error_set(err, rc, "out of memory")
                                : SIM_EINVAL;
    rc = sim_doc_emit(p->doc, &sc->text, &len);
    if (rc != 0)
        return sim_error_set(err, rc, "out of memory");
    sc->hash = sim_hash_bytes(sc->text, len);
    return 0;
}

/*
 * Records that a component failed to build, by the name the list entry
 * item gives it (as written in the file), or, for a section that is one
 * mapping, by its kind ("network"); an entry without a name names
 * nothing. References to it are then not reported as unknown.
 */
static int mark_unbuilt(struct sim *sim, const struct sim_model_ops *ops,
                        const struct sim_doc_node *item)
{
    const struct sim_doc_node *name;
    const char *text;

    if (ops->is_single)
        return sim_name_unbuilt(sim, ops->kind);
    name = item != NULL ? sim_doc_node_get(item, "name") : NULL;
    text = name != NULL ? sim_doc_node_text(name, NULL) : NULL;
    return text != NULL ? sim_name_unbuilt(sim, text) : 0;
}

static int init_kind(const struct sim_scenario *sc, struct sim_cfg *cfg,
                     size_t k, struct sim *sim, bool *is_failed)
{
    const struct sim_model_ops *ops = sc->kinds[k];
    const struct sim_scenario_section *sec = &sc->sections[k];
    const struct scenario_priv *p = sc->priv;
    const struct sim_doc_node *item = NULL;
    char path[96];

    if (!ops->is_single && p != NULL && p->doc != NULL)
        item = sim_doc_node_get(sim_doc_root(p->doc), ops->section);
    if (item != NULL)
        item = sim_doc_node_first(item);
    for (unsigned j = 0; j < sec->count; j++) {
        const char *config = (const char *)sec->items +
                             (size_t)j * ops->schema->data_size;
        void *state = NULL;
        int rc;

        if (ops->is_single)
            snprintf(path, sizeof path, "%s", ops->section);
        else
            snprintf(path, sizeof path, "%s[%u]", ops->section, j);
        rc = ops->init(sim, cfg, path, config, &state);
        if (rc == SIM_ENOMEM)
            return rc;
        if (rc != 0) {
            *is_failed = true;
            if (mark_unbuilt(sim, ops, item) != 0)
                return SIM_ENOMEM;
        }
        if (rc == 0 && sim_model_add(sim, ops, path, state) != 0)
            return SIM_ENOMEM;
        if (item != NULL)
            item = sim_doc_node_next(item);
    }
    return 0;
}

/*
 * Creates every component and starts them all, each even when others
 * failed, so that every problem is recorded. Sets *sim (NULL only when
 * out of memory) and *is_partial when some component could not be built.
 * Returns 0, SIM_EINVAL when cfg received problems, or SIM_ENOMEM.
 */
static int build(const struct sim_scenario *sc, struct sim_cfg *cfg,
                 uint32_t rep, struct sim **out, bool *is_partial)
{
    struct sim_params params = {
        .seed = sc->seed,
        .replication = rep,
        .duration = sc->duration,
        .warmup = sc->warmup,
        .window = sc->window,
        .max_events = sc->max_events,
        .max_requests = sc->max_requests,
        .is_recording = sc->is_checking,
    };
    struct sim *sim = sim_new(&params, NULL);
    size_t n_before = sim_cfg_n_errors(cfg);
    int rc = 0;

    *out = sim;
    *is_partial = false;
    if (sim == NULL)
        return SIM_ENOMEM;
    for (size_t k = 0; k < sc->n_kinds && rc == 0; k++)
        rc = init_kind(sc, cfg, k, sim, is_partial);
    if (rc == 0)
        rc = sim_start(sim, cfg);
    if (rc == 0 && (*is_partial || sim_cfg_n_errors(cfg) > n_before))
        rc = SIM_EINVAL;
    return rc;
}

/*
 * Whether an expectation names a component that could not be built
 * ("server NAME", or "network" for a section of one): its problems are
 * reported already, and its figures are unknown.
 */
static bool names_unbuilt(const struct sim_expect *e, const struct sim *sim)
{
    char kind[64];
    const char *name;

    if (e->scope == NULL)
        return false;
    name = strchr(e->scope, ' ');
    snprintf(kind, sizeof kind, "%.*s",
             (int)(name != NULL ? name - e->scope : 63), e->scope);
    return sim_name_is_unbuilt(sim, kind) ||
           (name != NULL && sim_name_is_unbuilt(sim, name + 1));
}

/*
 * Checks every expectation against the figures the components report.
 * When some component could not be built (is_partial), the figures are
 * incomplete, so only what cannot depend on the missing ones is checked.
 */
static int check_expects(struct sim_cfg *cfg, struct sim_scenario *sc,
                         struct sim *sim, bool is_partial)
{
    struct sim_report names;

    if (sc->n_expects == 0)
        return 0;
    sim_report_init(&names);
    sim_report(sim, &names);
    for (unsigned i = 0; i < sc->n_expects; i++)
        if (!names_unbuilt(&sc->expects[i], sim))
            sim_expect_check(cfg, &sc->expects[i], &names, is_partial);
    sim_report_release(&names);
    return names.status;
}

/*
 * Something must send requests: a scenario whose model kinds include a
 * source needs at least one entry of one. The problem is placed at the
 * first such list, or at the top of the file when it is absent.
 */
static void check_sources(struct sim_cfg *cfg, const struct sim_scenario *sc)
{
    const struct scenario_priv *p = sc->priv;
    const struct sim_model_ops *first = NULL;
    int line, col;

    for (size_t k = 0; k < sc->n_kinds; k++) {
        if (!sc->kinds[k]->is_source)
            continue;
        if (sc->sections[k].count > 0)
            return;
        if (first == NULL)
            first = sc->kinds[k];
    }
    if (first == NULL)
        return;
    if (sim_doc_node_get(sim_doc_root(p->doc), first->section) != NULL) {
        sim_cfg_error(cfg, first->section, "has no %s: nothing sends "
                      "requests", first->kind);
        return;
    }
    sim_doc_node_position(sim_doc_root(p->doc), &line, &col);
    sim_cfg_error_at(cfg, line, col, NULL, "no \"%s\": nothing sends "
                     "requests", first->section);
}

/*
 * Builds replication 0 once, so that every component's problems show now,
 * then checks what needs every component at once: the request graph and
 * the expectations.
 */
static int check_build(struct sim_cfg *cfg, struct sim_scenario *sc,
                       struct sim_error *err)
{
    struct sim *sim = NULL;
    bool is_partial = false;
    int rc = build(sc, cfg, 0, &sim, &is_partial);

    if (rc == SIM_ENOMEM)
        return sim_error_set(err, rc, "out of memory");
    check_sources(cfg, sc);
    if (sim_route_check(sim_route(sim), cfg) == SIM_ENOMEM ||
        check_expects(cfg, sc, sim, is_partial) == SIM_ENOMEM)
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
    sim_free(sim);
    if (rc == 0 && sim_cfg_n_errors(cfg) > 0)
        rc = SIM_EINVAL;
    return rc;
}

int sim_scenario_load(struct sim_cfg *cfg, const char *path,
                      const char *const *sets, size_t n_sets,
                      const struct sim_model_ops *const *kinds,
                      size_t n_kinds, struct sim_scenario **out,
                      struct sim_error *err)
{
    struct sim_scenario *sc = calloc(1, sizeof *sc);
    int rc = SIM_ENOMEM;
    bool is_sound;

    if (sc == NULL || n_kinds > SIM_SCENARIO_MAX_KINDS)
        goto fail;
    sc->file = strdup(path);
    sc->priv = calloc(1, sizeof(struct scenario_priv));
    if (sc->file == NULL || sc->priv == NULL ||
        build_schema(sc->priv, kinds, n_kinds) != 0)
        goto fail;
    sc->kinds = kinds;
    sc->n_kinds = n_kinds;
    rc = load_doc(cfg, sc, sets, n_sets, err);
    if (rc != 0)
        goto fail;
    is_sound = apply_top(cfg, sc, ((struct scenario_priv *)sc->priv)->top);
    memcpy(sc->sections, ((struct scenario_priv *)sc->priv)->top->sections,
           sizeof sc->sections);
    for (size_t k = 0; k < n_kinds; k++)
        if (kinds[k]->is_single)
            sc->sections[k].count = sc->sections[k].items != NULL;
    /*
     * Build replication 0 once, so every component's problems show now;
     * not from run parameters that cannot shape a run (an unusable window
     * would size every series wrongly).
     */
    rc = is_sound ? check_build(cfg, sc, err) : SIM_EINVAL;
    if (rc != 0)
        goto fail;
    *out = sc;
    return 0;

fail:
    if (rc == SIM_ENOMEM && err != NULL && err->code == 0)
        sim_error_set(err, rc, "out of memory");
    sim_scenario_free(sc);
    return rc;
}

int sim_scenario_build(const struct sim_scenario *sc, struct sim_cfg *cfg,
                       uint32_t rep, struct sim **out,
                       struct sim_error *err)
{
    struct sim *sim;
    bool is_partial;
    int rc = build(sc, cfg, rep, &sim, &is_partial);

    if (rc != 0) {
        if (rc == SIM_ENOMEM)
            sim_error_set(err, rc, "out of memory");
        sim_free(sim);
        return rc;
    }
    *out = sim;
    return 0;
}
