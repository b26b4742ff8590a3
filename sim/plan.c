/* SPDX-License-Identifier: MIT */
/*
 * plan.c - the search of distsim plan. A point is one value of the
 * parameter, first run with the scenario's replications; while it is
 * unsure (nothing missed, something not yet met) its replications double
 * up to the cap, the earlier ones kept (replication i draws the same
 * numbers whatever the count). Bisection holds a value that meets and one
 * that does not, and halves the gap until it is within the resolution.
 */
#include "sim/plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/outdir.h"
#include "sim/planout.h"
#include "sim/pointdir.h"
#include "sim/shape.h"
#include "sim/summary.h"
#include "sim/sweep.h"

#define PLAN_UNIT_MAX 16
#define PLAN_ASSIGN_MAX 512

/* The range searched, in the parameter's unit. */
struct range {
    double from, to;                    /* from < to */
    double step;                        /* the resolution */
    char unit[PLAN_UNIT_MAX];
    bool is_whole;                      /* a count */
};

/* A plan in progress. */
struct plan {
    const struct sim_plan_request *rq;
    struct range rg;
    char *name;                         /* the scenario's name, owned */
    const char *work;                   /* the temporary output directory */
    struct sim_planout out;             /* points so far, then the answer */
    size_t cap_points;
    struct sim_variant_problems *probs;
    struct sim_error *err;
};

/* One quantity typed on the command line. */
static int parse_quantity(const char *opt, const char *text, double *v,
                          char *unit, bool *is_whole, struct sim_error *err)
{
    char why[160];

    if (sim_sweep_quantity(text, v, unit, PLAN_UNIT_MAX, is_whole, why,
                           sizeof why) != 0)
        return sim_error_set(err, SIM_EINVAL, "%s: %s", opt, why);
    return 0;
}

/* The resolution: --resolution, else 1 for a count, else 1% of the range. */
static int parse_step(const struct sim_plan_request *rq, struct range *rg,
                      struct sim_error *err)
{
    char unit[PLAN_UNIT_MAX];
    bool is_whole;
    int rc;

    rg->step = rg->is_whole ? 1 : (rg->to - rg->from) / 100;
    if (rq->resolution == NULL)
        return 0;
    rc = parse_quantity("--resolution", rq->resolution, &rg->step, unit,
                        &is_whole, err);
    if (rc != 0)
        return rc;
    if (strcmp(unit, rg->unit) != 0)
        return sim_error_set(err, SIM_EINVAL, "--resolution \"%s\" must be "
                             "in the unit of --from and --to (\"%s\")",
                             rq->resolution, rg->unit);
    if (!(rg->step > 0))
        return sim_error_set(err, SIM_EINVAL, "--resolution \"%s\" must be "
                             "above zero", rq->resolution);
    if (rg->is_whole && !is_whole)
        return sim_error_set(err, SIM_EINVAL, "--resolution \"%s\" must be "
                             "a whole number: %s is a count",
                             rq->resolution, rq->key);
    return 0;
}

/* Reads --param, --from, --to and --resolution. */
static int parse_range(const struct sim_plan_request *rq, struct range *rg,
                       struct sim_error *err)
{
    char unit[PLAN_UNIT_MAX];
    bool is_from_whole, is_to_whole;
    int rc;

    if (strcmp(rq->key, "replications") == 0)
        return sim_error_set(err, SIM_EINVAL, "--param \"replications\" "
                             "cannot be planned: plan sets it itself");
    if (strcmp(rq->key, "seed") == 0 || strcmp(rq->key, "name") == 0 ||
        strcmp(rq->key, "title") == 0)
        return sim_error_set(err, SIM_EINVAL, "--param \"%s\" cannot be "
                             "planned: it changes no measure of the design",
                             rq->key);
    if (strlen(rq->key) > PLAN_ASSIGN_MAX / 2)
        return sim_error_set(err, SIM_EINVAL, "--param \"%.40s...\" is too "
                             "long", rq->key);
    rc = parse_quantity("--from", rq->from, &rg->from, rg->unit,
                        &is_from_whole, err);
    if (rc == 0)
        rc = parse_quantity("--to", rq->to, &rg->to, unit, &is_to_whole,
                            err);
    if (rc != 0)
        return rc;
    if (strcmp(unit, rg->unit) != 0)
        return sim_error_set(err, SIM_EINVAL, "--from \"%s\" and --to \"%s\" "
                             "must be in the same unit", rq->from, rq->to);
    if (!(rg->from < rg->to))
        return sim_error_set(err, SIM_EINVAL, "--from \"%s\" must be below "
                             "--to \"%s\"", rq->from, rq->to);
    rg->is_whole = rg->unit[0] == '\0' && is_from_whole && is_to_whole;
    return parse_step(rq, rg, err);
}

/* A number of the range as --set takes it, and the number it stands for. */
static void format_value(const struct range *rg, double number, char *buf,
                         size_t n, double *used)
{
    char unit[PLAN_UNIT_MAX], why[160];
    bool is_whole;

    sim_sweep_format(number, rg->unit, rg->is_whole, buf, n);
    if (sim_sweep_quantity(buf, used, unit, sizeof unit, &is_whole, why,
                           sizeof why) != 0)
        *used = number;
}

/*
 * Adds a problem line; one in the parameter's value names --param (it
 * reaches the scenario as an override, which would otherwise say --set).
 */
static int add_problem(struct sim_variant_problems *probs, const char *line,
                       const char *assign)
{
    char prefix[PLAN_ASSIGN_MAX + 16], buf[2048];
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "--set '%s': ",
                                assign);

    if (n < sizeof prefix && strncmp(line, prefix, n) == 0) {
        snprintf(buf, sizeof buf, "--param %s: %s", assign, line + n);
        line = buf;
    }
    return sim_variant_problems_add(probs, line) != 0 ? SIM_ENOMEM : 0;
}

/*
 * Loads the scenario with the parameter at value and n_reps replications
 * (0: as the scenario says); problems go to probs.
 */
static int load_value(struct plan *pl, const char *value, unsigned n_reps,
                      struct sim_variant_problems *probs,
                      struct sim_scenario **sc, struct sim_error *err)
{
    struct sim_variant_request vr = pl->rq->base;
    struct sim_variant_problems found = {0};
    char assign[PLAN_ASSIGN_MAX], reps[64];
    const char *extra[2] = {assign, reps};
    const char **sets = calloc(vr.n_sets + 1, sizeof *sets);
    int rc;

    if (sets == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    snprintf(assign, sizeof assign, "%s=%s", pl->rq->key, value);
    snprintf(reps, sizeof reps, "replications=%u", n_reps);
    vr.extra = extra;
    vr.n_extra = n_reps > 0 ? 2 : 1;
    vr.lines = vr.cols = NULL;
    /* The doubling sets the count itself, over the user's starting one. */
    vr.n_sets = 0;
    for (size_t i = 0; i < pl->rq->base.n_sets; i++)
        if (n_reps == 0 ||
            strncmp(pl->rq->base.sets[i], "replications=", 13) != 0)
            sets[vr.n_sets++] = pl->rq->base.sets[i];
    vr.sets = sets;
    rc = sim_variant_load(&vr, sc, &found, err);
    free(sets);
    for (size_t i = 0; i < found.n && rc != SIM_ENOMEM; i++)
        if (add_problem(probs, found.lines[i], assign) != 0)
            rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
    sim_variant_problems_release(&found);
    return rc;
}

/* Runs the replications b lacks, up to sc's count, keeping those it has. */
static int run_more(struct plan *pl, const struct sim_scenario *sc,
                    struct sim_batch *b)
{
    struct sim_batch more = {0};
    struct sim_report *grown;
    int rc;

    rc = sim_batch_run(sc, b->n_reps, sc->replications - b->n_reps,
                       pl->rq->jobs, NULL, NULL, &more, pl->err);
    if (rc != 0)
        return rc;
    grown = realloc(b->reports, sc->replications * sizeof *grown);
    if (grown == NULL) {
        sim_batch_release(&more);
        return sim_error_set(pl->err, SIM_ENOMEM, "out of memory");
    }
    memcpy(grown + b->n_reps, more.reports, more.n_reps * sizeof *grown);
    b->reports = grown;
    b->n_reps += more.n_reps;
    free(more.reports);
    return 0;
}

/* The point's verdict: missed when one is, else unsure when one is. */
static int judge(struct plan *pl, const struct sim_scenario *sc,
                 const struct sim_batch *b, enum sim_expect_status *st)
{
    struct sim_summary sum;
    int rc = sim_summary_build(b, &sum, pl->err);

    if (rc != 0)
        return rc;
    if (sim_summary_judge(&sum, sc) < 0) {
        sim_summary_release(&sum);
        return sim_error_set(pl->err, SIM_ENOMEM, "out of memory");
    }
    *st = SIM_EXPECT_MET;
    for (size_t i = 0; i < sum.n_expects; i++) {
        if (sum.expects[i].status == SIM_EXPECT_MISSED)
            *st = SIM_EXPECT_MISSED;
        else if (sum.expects[i].status == SIM_EXPECT_UNSURE &&
                 *st == SIM_EXPECT_MET)
            *st = SIM_EXPECT_UNSURE;
    }
    sim_summary_release(&sum);
    return 0;
}

static const char *verdict_text(enum sim_planout_verdict v)
{
    return v == SIM_PLANOUT_MET ? "meets every expectation"
           : v == SIM_PLANOUT_NOT_MET ? "does not meet them"
                                      : "still unsure at the cap: counts "
                                        "as not meeting them";
}

/* Writes the point into points/NNNN, keeps it and tells on_point. */
static int keep_point(struct plan *pl, const struct sim_scenario *sc,
                      const struct sim_batch *b,
                      struct sim_planout_point *pt, size_t *index)
{
    struct sim_planout *o = &pl->out;
    char dir[4200], line[512];
    int rc;

    if (o->n_points == pl->cap_points) {
        size_t cap = pl->cap_points ? 2 * pl->cap_points : 16;
        struct sim_planout_point *grown = realloc(o->points,
                                                  cap * sizeof *grown);

        if (grown == NULL)
            return sim_error_set(pl->err, SIM_ENOMEM, "out of memory");
        o->points = grown;
        pl->cap_points = cap;
    }
    snprintf(dir, sizeof dir, "%.4000s/points/%04zu", pl->work, o->n_points);
    rc = sim_pointdir_write(dir, sc, b, pl->err);
    if (rc != 0)
        return rc;
    pt->n_reps = b->n_reps;
    *index = o->n_points;
    o->points[o->n_points++] = *pt;
    snprintf(line, sizeof line, "%s=%s: %s (%u replications)", pl->rq->key,
             pt->value, verdict_text(pt->verdict), pt->n_reps);
    if (pl->rq->on_point != NULL)
        pl->rq->on_point(pl->rq->ctx, line);
    return 0;
}

static enum sim_planout_verdict to_verdict(enum sim_expect_status st)
{
    return st == SIM_EXPECT_MET ? SIM_PLANOUT_MET
           : st == SIM_EXPECT_MISSED ? SIM_PLANOUT_NOT_MET
                                     : SIM_PLANOUT_UNSURE;
}

/* Says at which value a run failed. */
static void add_context(struct plan *pl, const char *value)
{
    char msg[sizeof pl->err->msg];

    snprintf(msg, sizeof msg, "%s", pl->err->msg);
    sim_error_set(pl->err, pl->err->code, "%s=%s: %s", pl->rq->key, value,
                  msg);
}

/* Tries one value of the parameter; *index is its point. */
static int evaluate(struct plan *pl, double number, size_t *index)
{
    struct sim_planout_point pt = {0};
    struct sim_scenario *sc = NULL;
    struct sim_batch b = {0};
    enum sim_expect_status st = SIM_EXPECT_UNSURE;
    unsigned n = pl->out.n_start;
    int rc;

    format_value(&pl->rg, number, pt.value, sizeof pt.value, &pt.number);
    for (;;) {
        rc = load_value(pl, pt.value, n, pl->probs, &sc, pl->err);
        if (rc == 0)
            rc = run_more(pl, sc, &b);
        if (rc == 0)
            rc = judge(pl, sc, &b, &st);
        if (rc != 0 || st != SIM_EXPECT_UNSURE || n >= pl->out.max_reps)
            break;
        n = n > pl->out.max_reps / 2 ? pl->out.max_reps : 2 * n;
        sim_scenario_free(sc);
        sc = NULL;
    }
    pt.verdict = to_verdict(st);
    if (rc == 0)
        rc = keep_point(pl, sc, &b, &pt, index);
    else if (rc != SIM_EINVAL && rc != SIM_ENOMEM)
        add_context(pl, pt.value);
    sim_batch_release(&b);
    sim_scenario_free(sc);
    return rc;
}

/* Halfway between two values of the range, as it will be written. */
static double midpoint(const struct range *rg, double a, double b)
{
    char buf[64];
    double used;

    if (rg->is_whole)
        return floor((a + b) / 2);
    format_value(rg, (a + b) / 2, buf, sizeof buf, &used);
    return used;
}

/* Whether the gap between a and b is closed (within the resolution). */
static bool is_closed(const struct range *rg, double a, double b)
{
    double mid = midpoint(rg, a, b);

    return fabs(a - b) <= rg->step || mid == a || mid == b;
}

/* Bisects between a point that meets (good) and one that does not. */
static int bisect(struct plan *pl, size_t good, size_t bad)
{
    struct sim_planout *o = &pl->out;

    while (!is_closed(&pl->rg, o->points[good].number,
                      o->points[bad].number)) {
        size_t k;
        int rc = evaluate(pl, midpoint(&pl->rg, o->points[good].number,
                                       o->points[bad].number), &k);

        if (rc != 0)
            return rc;
        if (o->points[k].verdict == SIM_PLANOUT_MET)
            good = k;
        else
            bad = k;
    }
    o->outcome = SIM_PLANOUT_FOUND;
    o->answer = good;
    o->neighbour = bad;
    return 0;
}

/*
 * Runs the end that must meet (the top of the range for the smallest
 * value, the bottom for the largest), then the other end, then bisects.
 */
static int search(struct plan *pl)
{
    const struct range *rg = &pl->rg;
    struct sim_planout *o = &pl->out;
    size_t good, bad;
    int rc;

    rc = evaluate(pl, o->is_largest ? rg->from : rg->to, &good);
    if (rc != 0)
        return rc;
    if (o->points[good].verdict != SIM_PLANOUT_MET) {
        o->outcome = SIM_PLANOUT_NONE;
        o->answer = o->n_points;
        o->neighbour = good;
        return 0;
    }
    rc = evaluate(pl, o->is_largest ? rg->to : rg->from, &bad);
    if (rc != 0)
        return rc;
    if (o->points[bad].verdict == SIM_PLANOUT_MET) {
        o->outcome = SIM_PLANOUT_AT_END;
        o->answer = bad;
        o->neighbour = o->n_points;
        return 0;
    }
    return bisect(pl, good, bad);
}

/* ---- the analytic answer ---- */

/*
 * The settings the components report at value, read from a simulation
 * built but not run: a model's shape needs nothing a run measures.
 */
static int settings_at(struct plan *pl, const char *value,
                       struct sim_report *rep)
{
    struct sim_variant_problems scratch = {0};
    struct sim_scenario *sc = NULL;
    struct sim_cfg *cfg = NULL;
    struct sim *sim = NULL;
    struct sim_error err = {0};
    int rc = load_value(pl, value, 0, &scratch, &sc, &err);

    sim_variant_problems_release(&scratch);
    if (rc == 0 && (cfg = sim_cfg_new(sc->file)) == NULL)
        rc = SIM_ENOMEM;
    if (rc == 0)
        rc = sim_scenario_build(sc, cfg, 0, &sim, &err);
    if (rc == 0) {
        sim_report(sim, rep);
        rc = rep->status;
    }
    sim_free(sim);
    sim_cfg_free(cfg);
    sim_scenario_free(sc);
    return rc;
}

static bool holds(enum sim_expect_op op, double v, double threshold)
{
    return op == SIM_EXPECT_LT ? v < threshold
           : op == SIM_EXPECT_LE ? v <= threshold
           : op == SIM_EXPECT_GT ? v > threshold : v >= threshold;
}

/* Whether the model's figures meet every expectation of p. */
static int model_meets(const struct sim_shape *sh,
                       const struct sim_pointdir *p,
                       struct sim_planout_analytic *a)
{
    for (size_t i = 0; i < p->n_expects; i++) {
        const struct sim_pointdir_expect *e = &p->expects[i];
        const struct sim_shape_figure *f = NULL;

        for (size_t k = 0; k < sh->n_figs && f == NULL; k++)
            if (strcmp(sh->figs[k].scope, e->scope) == 0 &&
                strcmp(sh->figs[k].name, e->metric) == 0)
                f = &sh->figs[k];
        if (f == NULL) {
            snprintf(a->why, sizeof a->why, "the model gives no value for "
                     "\"%.60s\" at %.60s", e->text, e->scope);
            return -1;
        }
        if (!holds(e->op, f->value, e->threshold))
            return 0;
    }
    return 1;
}

/*
 * 1 when the analytic figures at number meet every expectation of p, 0
 * when they do not, -1 when no model gives them all (a->why says why).
 */
static int analytic_meets(struct plan *pl, const struct sim_pointdir *p,
                          double number, struct sim_planout_analytic *a)
{
    struct sim_report rep;
    struct sim_shape sh;
    char value[64];
    double used;
    int rc;

    format_value(&pl->rg, number, value, sizeof value, &used);
    sim_report_init(&rep);
    rc = settings_at(pl, value, &rep);
    if (rc == 0)
        sim_shape_match(&rep, &sh);
    sim_report_release(&rep);
    if (rc != 0) {
        snprintf(a->why, sizeof a->why, "the settings at %s=%s could not "
                 "be read", pl->rq->key, value);
        return -1;
    }
    if (sh.n_figs == 0) {
        snprintf(a->why, sizeof a->why, "%s", sh.why);
        return -1;
    }
    snprintf(a->model, sizeof a->model, "%s", sh.model);
    return model_meets(&sh, p, a);
}

/* The model's answer is value: named, with the model as it is there. */
static void analytic_answer(struct plan *pl, const struct sim_pointdir *p,
                            double value, struct sim_planout_analytic *a,
                            enum sim_planout_outcome outcome)
{
    double used;

    format_value(&pl->rg, value, a->answer, sizeof a->answer, &used);
    analytic_meets(pl, p, value, a);
    a->outcome = outcome;
}

/* Bisects the model's answer as the simulation's; the outcome in a. */
static void analytic_bisect(struct plan *pl, const struct sim_pointdir *p,
                            struct sim_planout_analytic *a)
{
    const struct range *rg = &pl->rg;
    double good = pl->out.is_largest ? rg->from : rg->to;
    double bad = pl->out.is_largest ? rg->to : rg->from;
    int m_good = analytic_meets(pl, p, good, a);
    int m_bad = m_good > 0 ? analytic_meets(pl, p, bad, a) : 0;

    a->outcome = m_good < 0 || m_bad < 0 ? SIM_PLANOUT_NO_MODEL
                 : m_good == 0 ? SIM_PLANOUT_NONE : SIM_PLANOUT_FOUND;
    if (a->outcome != SIM_PLANOUT_FOUND)
        return;
    if (m_bad > 0) {
        analytic_answer(pl, p, bad, a, SIM_PLANOUT_AT_END);
        return;
    }
    while (!is_closed(rg, good, bad)) {
        double mid = midpoint(rg, good, bad);
        int m = analytic_meets(pl, p, mid, a);

        if (m < 0) {
            a->outcome = SIM_PLANOUT_NO_MODEL;
            return;
        }
        if (m > 0)
            good = mid;
        else
            bad = mid;
    }
    analytic_answer(pl, p, good, a, SIM_PLANOUT_FOUND);
}

/* The analytic answer, judged on the expectations of the first point. */
static void analytic_search(struct plan *pl)
{
    struct sim_planout_analytic *a = &pl->out.analytic;
    struct sim_pointdir p;
    struct sim_error err = {0};
    char dir[4200];

    memset(a, 0, sizeof *a);
    snprintf(dir, sizeof dir, "%.4000s/points/0000", pl->work);
    if (sim_pointdir_read(dir, &p, &err) != 0) {
        a->outcome = SIM_PLANOUT_NO_MODEL;
        snprintf(a->why, sizeof a->why, "the first point could not be "
                 "read back");
        return;
    }
    analytic_bisect(pl, &p, a);
    if (a->outcome == SIM_PLANOUT_NO_MODEL)
        a->model[0] = a->answer[0] = '\0';
    sim_pointdir_release(&p);
}

/* ---- the whole plan ---- */

/*
 * Loads both ends (the second only when the first loads, so a wrong key
 * is reported once), and checks that the scenario has expectations and a
 * replication count to start from.
 */
static int check_scenario(struct plan *pl)
{
    struct sim_scenario *lo = NULL, *hi = NULL;
    unsigned n;
    int rc = load_value(pl, pl->rq->from, 0, pl->probs, &lo, pl->err);

    if (rc == 0)
        rc = load_value(pl, pl->rq->to, 0, pl->probs, &hi, pl->err);
    if (rc == 0 && lo->n_expects == 0)
        rc = sim_error_set(pl->err, SIM_EINVAL, "%s: the scenario states no "
                           "expectations (expect:): a plan needs at least "
                           "one to meet", pl->rq->base.file);
    n = rc == 0 ? lo->replications : 0;
    if (rc == 0 && (n < 2 || n > pl->out.max_reps))
        rc = sim_error_set(pl->err, SIM_EINVAL, "a plan starts each point "
                           "with the scenario's replications, which must be "
                           "from 2 to --max-replications (%u); it has %u",
                           pl->out.max_reps, n);
    if (rc == 0 && (pl->name = strdup(lo->name)) == NULL)
        rc = sim_error_set(pl->err, SIM_ENOMEM, "out of memory");
    pl->out.n_start = n;
    sim_scenario_free(lo);
    sim_scenario_free(hi);
    return rc;
}

/* The fixed parts of the outcome: the question as it was asked. */
static void describe(struct plan *pl)
{
    const struct range *rg = &pl->rg;
    struct sim_planout *o = &pl->out;
    double used;

    o->file = pl->rq->base.file;
    o->key = pl->rq->key;
    snprintf(o->unit, sizeof o->unit, "%s", rg->unit);
    format_value(rg, rg->from, o->from, sizeof o->from, &used);
    format_value(rg, rg->to, o->to, sizeof o->to, &used);
    format_value(rg, rg->step, o->resolution, sizeof o->resolution, &used);
    o->is_whole = rg->is_whole;
    o->is_largest = pl->rq->is_largest;
    o->max_reps = pl->rq->max_reps;
}

/* Opens the output directory (out/NAME-plan unless one was given). */
static int begin_output(struct plan *pl, struct sim_outdir *od)
{
    char dir[4096], path[4200];
    int rc;

    snprintf(dir, sizeof dir, "out/%.200s-plan", pl->name);
    rc = sim_outdir_begin(od, pl->rq->dir ? pl->rq->dir : dir,
                          pl->rq->is_forced, pl->err);
    if (rc != 0)
        return rc;
    pl->work = od->tmp;
    sim_outdir_path(od, "points", path, sizeof path);
    if (mkdir(path, 0755) != 0)
        return sim_error_set(pl->err, SIM_EIO, "cannot create \"%s\": %s",
                             path, strerror(errno));
    return 0;
}

int sim_plan_run(const struct sim_plan_request *rq, bool *is_found,
                 char **text, struct sim_variant_problems *probs,
                 struct sim_error *err)
{
    struct plan pl = {.rq = rq, .probs = probs, .err = err};
    struct sim_outdir od = {0};
    int rc;

    *text = NULL;
    *is_found = false;
    pl.out.max_reps = rq->max_reps;
    rc = parse_range(rq, &pl.rg, err);
    if (rc == 0)
        rc = check_scenario(&pl);
    if (rc == 0)
        rc = begin_output(&pl, &od);
    pl.out.name = pl.name;
    describe(&pl);
    if (rc == 0)
        rc = search(&pl);
    if (rc == 0)
        analytic_search(&pl);
    if (rc == 0)
        rc = sim_planout_write(&pl.out, od.tmp, rq->has_charts, err);
    if (rc == 0)
        rc = sim_outdir_commit(&od, err);
    if (rc == 0 && (*text = sim_planout_text(&pl.out, od.final,
                                                rq->is_answer_only)) == NULL)
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
    *is_found = rc == 0 && pl.out.outcome != SIM_PLANOUT_NONE;
    sim_outdir_release(&od);
    free(pl.out.points);
    free(pl.name);
    return rc;
}
