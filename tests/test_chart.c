/* SPDX-License-Identifier: MIT */
/*
 * test_chart.c - charts from data made up here, so that every kind is
 * drawn, faults included, before the models that report them exist:
 * fault notes paired with their ends, curves merged point by point,
 * chart titles made one line, and every chart kind written as PNG and as
 * SVG with its data file, the shading of faults, and the reports, with
 * the expectations summary.json may hold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/chart.h"
#include "sim/gnuplot.h"
#include "sim/outdir.h"
#include "sim/page.h"
#include "sim/render.h"
#include "sim/timeline.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define N_WIN 20
#define N_REPS 3

/* The whole of a file, NUL-terminated, or NULL; *len its size. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc((size_t)n + 1, 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

static void test_chart__timeline_pairs_faults_with_their_ends(void)
{
    struct sim_report r;
    struct sim_timeline tl;

    sim_report_init(&r);
    sim_report_note(&r, 5, "partition", "east | west");
    sim_report_note(&r, 6, "crash", "db.0");
    sim_report_note(&r, 8, "crash", "db.1");
    sim_report_note(&r, 9, "restart", "db.1");
    sim_report_note(&r, 10, "heal", "east | west");
    sim_report_note(&r, 12, "failover", "db.2 takes over");
    sim_report_note(&r, 13, "skew", "app.0 by 5ms");
    sim_report_note(&r, 14, "skew-end", "app.0 by 5ms");
    sim_report_note(&r, 15, "slow", "east x3");
    CHECK_EQ_INT(sim_timeline_build(&r, 20, &tl, NULL), 0);
    CHECK_EQ_INT(tl.n_windows, 5);
    CHECK_EQ_STR(tl.windows[0].kind, "partition");
    CHECK_NEAR(tl.windows[0].end_s, 10, 0);
    CHECK_EQ_STR(tl.windows[1].text, "db.0");
    CHECK(tl.windows[1].end_kind == NULL);
    CHECK_NEAR(tl.windows[1].end_s, 20, 0);
    CHECK_EQ_STR(tl.windows[2].text, "db.1");
    CHECK_NEAR(tl.windows[2].end_s, 9, 0);
    CHECK_EQ_STR(tl.windows[3].end_kind, "skew-end");
    CHECK_NEAR(tl.windows[4].end_s, 20, 0);
    CHECK_EQ_INT(tl.n_events, 1);
    CHECK_EQ_STR(tl.events[0]->kind, "failover");
    sim_timeline_release(&tl);
    sim_report_release(&r);
}

static void test_chart__title_is_one_line_and_cut_whole(void)
{
    struct sim_scenario sc = {.name = "n"};
    char title[400], lone[200];
    size_t n;

    sc.title = "two\nlines\tand   spaces ";
    sim_chart_title(&sc, "what", title, sizeof title);
    CHECK_EQ_STR(title, "two lines and spaces: what");
    memset(lone, 0, sizeof lone);
    for (int i = 0; i < 60; i++)
        memcpy(lone + 2 * i, "\xc3\xa9", 2);
    sc.title = lone;
    sim_chart_title(&sc, "x", title, sizeof title);
    n = strlen(title);
    CHECK(n < 100);
    CHECK(strcmp(title + n - 6, "...: x") == 0);
    CHECK_EQ_INT((unsigned char)title[n - 7], 0xa9);
}

static void test_chart__curves_merge_point_by_point(void)
{
    struct sim_report r[2];
    struct sim_curve_summary *c;
    double x0[] = {1, 2}, x1[] = {3, 4}, y[] = {0.5, 0.9};
    size_t n;

    sim_report_init(&r[0]);
    sim_report_init(&r[1]);
    sim_report_curve(&r[0], "client a", "cdf", "s", "ratio", x0, y, 2);
    sim_report_curve(&r[1], "client a", "cdf", "s", "ratio", x1, y, 2);
    CHECK_EQ_INT(sim_curve_merge(r, 2, &c, &n, NULL), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_NEAR(c[0].x[0], 2, 1e-12);
    CHECK_NEAR(c[0].x[1], 3, 1e-12);
    CHECK_NEAR(c[0].x_hw[0], 12.7062047 * 1.0, 1e-6);
    CHECK_NEAR(c[0].y[1], 0.9, 1e-12);
    CHECK_NEAR(c[0].y_hw[1], 0, 1e-12);
    sim_curve_summary_free(c, n);
    sim_report_curve(&r[1], "client a", "other", "s", "ratio", x1, y, 2);
    CHECK_EQ_INT(sim_curve_merge(r, 2, &c, &n, NULL), SIM_EINTERNAL);
    sim_curve_summary_free(c, n);
    sim_report_release(&r[0]);
    sim_report_release(&r[1]);
}

/* A series of N_WIN windows around level, varying with the replication. */
static void series(struct sim_report *r, const char *scope,
                   const char *name, const char *unit, double level)
{
    double v[N_WIN];

    for (int w = 0; w < N_WIN; w++)
        v[w] = level * (1 + 0.1 * sin(w + r->n_series));
    sim_report_series(r, scope, name, unit, v, N_WIN);
}

/* One made-up replication with the data of every chart kind. */
static void fake_replication(struct sim_report *r, unsigned rep)
{
    struct sim_hist *h = sim_hist_new();
    double x[10], y[10];

    for (int i = 1; i <= 1000; i++)
        sim_hist_add(h, 0.001 * (1 + i % 97) * (1 + 0.01 * rep));
    sim_report_add(r, "client c", "throughput", "1/s", 100 + rep);
    series(r, "client c", "throughput", "1/s", 100 + rep);
    series(r, "client c", "response_time.p50", "s", 0.002);
    series(r, "client c", "response_time.p99", "s", 0.02);
    series(r, "client c", "response_time.p999", "s", 0.05);
    series(r, "client c", "availability", "ratio", 0.99);
    series(r, "server s", "queue_length", "requests", 3);
    series(r, "server s", "utilisation", "ratio", 0.6);
    series(r, "cache k", "hit_ratio", "ratio", 0.8);
    series(r, "db d", "stale_read_rate", "ratio", 0.05);
    series(r, "db d", "replication_lag", "s", 0.03);
    sim_curve_report_cdf(r, "client c", "response_time.cdf", "s", h);
    sim_curve_report_cdf(r, "client c", "response_time.cdf.read", "s", h);
    for (int i = 0; i < 10; i++) {
        x[i] = 0.01 * i;
        y[i] = 1 - exp(-i / (3.0 + rep));
    }
    sim_report_curve(r, "db d", "t_visibility", "s", "ratio", x, y, 10);
    sim_report_note(r, 4, "partition", "east | west");
    sim_report_note(r, 9, "heal", "east | west");
    sim_report_note(r, 14, "crash", "d.0");
    sim_hist_free(h);
}

static const char *const kinds[] = {
    "latency-c", "throughput", "cdf-c", "servers", "cache", "consistency",
    "visibility",
};

/* Whether dir/charts/name.ext exists and starts as its format should. */
static bool is_chart(const char *dir, const char *name, const char *ext)
{
    char path[512];
    size_t len;
    char *data;
    bool is_ok;

    snprintf(path, sizeof path, "%s/charts/%s.%s", dir, name, ext);
    data = read_file(path, &len);
    is_ok = data != NULL && len > 1000 &&
            (strcmp(ext, "png") == 0 ? memcmp(data, "\x89PNG", 4) == 0
                                     : strstr(data, "<svg") != NULL);
    free(data);
    return is_ok;
}

/* Renders the made-up batch into dir in format; returns the warnings. */
static char *render_fake(const char *dir, int format)
{
    struct sim_scenario sc = {
        .file = "fake.yaml", .name = "fake", .title = "Made up",
        .duration = 20 * SIM_S, .warmup = 2 * SIM_S, .window = SIM_S,
        .replications = N_REPS, .plot_charts = SIM_PLOT_ALL,
        .text = "name: fake\n",
    };
    struct sim_render_options o = {.format = format, .parallel = 2};
    struct sim_report reps[N_REPS];
    struct sim_batch b = {.n_reps = N_REPS, .reports = reps};
    struct sim_summary sum;
    struct sim_strbuf warnings;
    char path[512];

    for (unsigned i = 0; i < N_REPS; i++) {
        sim_report_init(&reps[i]);
        fake_replication(&reps[i], i);
    }
    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    sim_strbuf_init(&warnings);
    CHECK_EQ_INT(sim_summary_build(&b, &sum, NULL), 0);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    CHECK_EQ_INT(sim_summary_write_json(&sum, &sc, path, NULL), 0);
    CHECK_EQ_INT(sim_render_write(dir, &sc, &sum, &o, &warnings, NULL), 0);
    sim_summary_release(&sum);
    for (unsigned i = 0; i < N_REPS; i++)
        sim_report_release(&reps[i]);
    sim_strbuf_printf(&warnings, "%s", "");
    return sim_strbuf_take(&warnings);
}

static void check_every_kind(int format, const char *ext)
{
    const char *dir = TEST_TMP "distsim-test-chart";
    char *warnings = render_fake(dir, format);
    char path[256], *shading, *md;

    CHECK_EQ_STR(warnings, "");
    free(warnings);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!is_chart(dir, kinds[i], ext))
            printf("  no chart %s.%s\n", kinds[i], ext);
        CHECK(is_chart(dir, kinds[i], ext));
    }
    snprintf(path, sizeof path, "%s/charts/shading.tsv", dir);
    shading = read_file(path, NULL);
    CHECK(shading != NULL);
    CHECK(strstr(shading, "0\t2\t") != NULL);
    CHECK(strstr(shading, "\n4\t9\t") != NULL);
    CHECK(strstr(shading, "\n14\t20\t") != NULL);
    free(shading);
    snprintf(path, sizeof path, "%s/report.md", dir);
    md = read_file(path, NULL);
    CHECK(md != NULL && strstr(md, "| partition | east \\| west | 4.0 s "
                                   "| 9.0 s | 5.0 s |") != NULL);
    free(md);
    sim_outdir_remove_tree(dir);
}

static void test_chart__every_kind_as_png(void)
{
    setenv("DISTSIM_PLOTS", "plots", 1);
    check_every_kind(SIM_PLOT_PNG, "png");
}

static void test_chart__every_kind_as_svg(void)
{
    setenv("DISTSIM_PLOTS", "plots", 1);
    check_every_kind(SIM_PLOT_SVG, "svg");
}

static void test_chart__a_failing_script_is_reported(void)
{
    const char *dir = TEST_TMP "distsim-test-chart-bad";
    char *warnings;
    FILE *f;

    mkdir(TEST_TMP "distsim-test-plots", 0755);
    f = fopen(TEST_TMP "distsim-test-plots/latency.gp", "w");
    fputs("plot no_such_function(x)\n", f);
    fclose(f);
    setenv("DISTSIM_PLOTS", TEST_TMP "distsim-test-plots", 1);
    warnings = render_fake(dir, SIM_PLOT_PNG);
    CHECK(strstr(warnings, "chart latency-c: gnuplot failed (exit 1): ")
          != NULL);
    CHECK(strstr(warnings, "chart throughput: gnuplot failed") != NULL);
    free(warnings);
    CHECK(!is_chart(dir, "latency-c", "png"));
    sim_outdir_remove_tree(dir);
    sim_outdir_remove_tree(TEST_TMP "distsim-test-plots");
}

/*
 * A program away from its tree's build/<variant>/ (as this test is, one
 * level deeper) finds the scripts of the tree it was built in; a
 * DISTSIM_PLOTS without them is named in the message.
 */
static void test_chart__scripts_are_found_away_from_the_tree(void)
{
    struct sim_error err = {0};
    char dir[4096];

    unsetenv("DISTSIM_PLOTS");
    CHECK_EQ_INT(sim_gnuplot_scripts(dir, sizeof dir, &err), 0);
    CHECK_EQ_STR(dir, SIM_PLOTS_DIR);
    setenv("DISTSIM_PLOTS", TEST_TMP "distsim-no-plots-here", 1);
    CHECK_EQ_INT(sim_gnuplot_scripts(dir, sizeof dir, &err), SIM_EIO);
    CHECK(strstr(err.msg, "distsim-no-plots-here\" (DISTSIM_PLOTS names "
                 "it)") != NULL);
}

/* Runs a one-server scenario of the given service with charts; stderr. */
static char *run_charted(const char *service, const char *dir)
{
    const char *path = TEST_TMP "distsim-chart-run.yaml";
    const char *args[] = {"run", path, "-q", "--force", "-o", dir, NULL};
    struct spawn_out o;
    char *said;
    FILE *f = fopen(path, "w");

    CHECK(f != NULL);
    fprintf(f, "name: t\nduration: 20s\nreplications: 1\nclients: "
            "[{name: c, arrival: {process: poisson, rate: 200/s}, target: "
            "s}]\nservers: [{name: s, workers: 8, service: %s}]\n",
            service);
    fclose(f);
    unsetenv("DISTSIM_PLOTS");
    spawn_distsim(args, &o);
    CHECK_EQ_INT(o.status, 0);
    said = o.err;
    o.err = NULL;
    spawn_release(&o);
    remove(path);
    return said;
}

/*
 * A log axis whose floor is written with an exponent (1e-05 s) still
 * draws: gnuplot reads script arguments only with a decimal point. A
 * client whose every answer takes no time gets no CDF, whose axis is
 * logarithmic, and nothing fails.
 */
static void test_chart__tiny_and_zero_times_draw(void)
{
    const char *dir = TEST_TMP "distsim-chart-tiny";
    char *said;

    said = run_charted("{dist: mixture, components: [{weight: 0.5, dist: "
                       "constant, value: 50ns}, {weight: 0.5, dist: "
                       "constant, value: 10ms}]}", dir);
    CHECK_EQ_STR(said, "");
    CHECK(is_chart(dir, "latency-c", "png"));
    CHECK(is_chart(dir, "cdf-c", "png"));
    free(said);
    said = run_charted("{dist: constant, value: 0ms}", dir);
    CHECK_EQ_STR(said, "");
    CHECK(is_chart(dir, "latency-c", "png"));
    CHECK(!is_chart(dir, "cdf-c", "png"));
    free(said);
    sim_outdir_remove_tree(dir);
}

/* Times in every fifth window only, as from a client that rarely sends. */
static void sparse(struct sim_report *r, const char *name, double level)
{
    double v[N_WIN];

    for (int w = 0; w < N_WIN; w++)
        v[w] = w % 5 == 2 ? level * (1 + 0.1 * w) : NAN;
    sim_report_series(r, "client c", name, "s", v, N_WIN);
}

/*
 * A window with a value between two without (a client that sends a
 * request now and then) has no neighbour to join: it still shows, as a
 * dot, so the latency chart is not empty. Four windows, three lines.
 */
static void test_chart__values_between_gaps_are_drawn(void)
{
    const char *dir = TEST_TMP "distsim-test-sparse";
    struct sim_scenario sc = {
        .file = "sparse.yaml", .name = "sparse", .duration = 20 * SIM_S,
        .window = SIM_S, .replications = 1, .plot_charts = SIM_PLOT_ALL,
        .text = "name: sparse\n",
    };
    struct sim_render_options o = {.format = SIM_PLOT_SVG, .parallel = 1};
    struct sim_report r;
    struct sim_batch b = {.n_reps = 1, .reports = &r};
    struct sim_summary sum;
    struct sim_strbuf warnings;
    char path[512], *svg;
    size_t n_dots = 0;

    setenv("DISTSIM_PLOTS", "plots", 1);
    sim_report_init(&r);
    sparse(&r, "response_time.p50", 0.001);
    sparse(&r, "response_time.p99", 0.004);
    sparse(&r, "response_time.p999", 0.009);
    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    sim_strbuf_init(&warnings);
    CHECK_EQ_INT(sim_summary_build(&b, &sum, NULL), 0);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    CHECK_EQ_INT(sim_summary_write_json(&sum, &sc, path, NULL), 0);
    CHECK_EQ_INT(sim_render_write(dir, &sc, &sum, &o, &warnings, NULL), 0);
    snprintf(path, sizeof path, "%s/charts/latency-c.svg", dir);
    svg = read_file(path, NULL);
    CHECK(svg != NULL);
    for (const char *p = svg; p && (p = strstr(p, "<use xlink:href='#gpPt6' "
                                               "transform")); p++)
        n_dots++;
    /* The key shows one dot per line too. */
    CHECK_EQ_INT(n_dots, 4 * 3 + 3);
    free(svg);
    sim_strbuf_release(&warnings);
    sim_summary_release(&sum);
    sim_report_release(&r);
    sim_outdir_remove_tree(dir);
}

/* --- choices of axes and names --------------------------------------- */

/* A level with one window of it times spike (1: flat), and a band. */
static void spiky(struct sim_report *r, const char *scope, const char *name,
                  double level, double spike)
{
    double v[N_WIN];

    for (int w = 0; w < N_WIN; w++)
        v[w] = level * (w == N_WIN / 2 ? spike : 1 + 0.05 * (w % 3));
    sim_report_series(r, scope, name, "s", v, N_WIN);
}

/* A visibility curve of n points at 1us, 10us, ... (s) with shares y. */
static void visibility(struct sim_report *r, const char *scope,
                       const double *y, size_t n)
{
    double x[16];

    for (size_t i = 0; i < n; i++)
        x[i] = 1e-6 * pow(10, (double)i);
    sim_report_curve(r, scope, "t_visibility", "s", "ratio", x, y, n);
}

/* Prepares (draws nothing) the charts of one made-up replication. */
static void prepare(struct sim_report *r, struct sim_chart_set *set)
{
    const char *dir = TEST_TMP "distsim-test-axes";
    struct sim_scenario sc = {
        .file = "axes.yaml", .name = "axes", .duration = 20 * SIM_S,
        .window = SIM_S, .replications = 1, .plot_charts = SIM_PLOT_ALL,
    };
    struct sim_batch b = {.n_reps = 1, .reports = r};
    struct sim_summary sum;

    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    CHECK_EQ_INT(sim_summary_build(&b, &sum, NULL), 0);
    CHECK_EQ_INT(sim_chart_prepare(dir, &sc, &sum, NULL, SIM_PLOT_SVG, set,
                                   NULL), 0);
    sim_summary_release(&sum);
}

/*
 * Faults that start together get their labels side by side, a fiftieth
 * of the run apart, not one over the other; a later fault keeps its own
 * start when that is clear of them.
 */
static void test_chart__labels_of_faults_at_one_moment_stand_apart(void)
{
    const char *dir = TEST_TMP "distsim-test-labels";
    struct sim_scenario sc = {
        .file = "labels.yaml", .name = "labels", .duration = 20 * SIM_S,
        .window = SIM_S, .replications = 1, .plot_charts = SIM_PLOT_ALL,
    };
    struct sim_report r;
    struct sim_batch b = {.n_reps = 1, .reports = &r};
    struct sim_summary sum;
    struct sim_timeline tl;
    struct sim_chart_set set;
    char path[512], *shading;

    sim_report_init(&r);
    spiky(&r, "client c", "response_time.p50", 0.002, 1);
    sim_report_note(&r, 0, "crash", "db.2");
    sim_report_note(&r, 0, "lossy", "a | b");
    sim_report_note(&r, 0.1, "slow", "a | b");
    sim_report_note(&r, 5, "partition", "a | b");
    CHECK_EQ_INT(sim_timeline_build(&r, 20, &tl, NULL), 0);
    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    CHECK_EQ_INT(sim_summary_build(&b, &sum, NULL), 0);
    CHECK_EQ_INT(sim_chart_prepare(dir, &sc, &sum, &tl, SIM_PLOT_SVG, &set,
                                   NULL), 0);
    snprintf(path, sizeof path, "%s/charts/shading.tsv", dir);
    shading = read_file(path, NULL);
    CHECK(shading != NULL);
    CHECK_EQ_STR(shading, "start (s)\tend (s)\tcolour (rgb)\tlabel\t"
                 "label at (s)\n"
                 "0\t20\t15769664\tcrash db.2\t0\n"
                 "0\t20\t11567312\tlossy a | b\t0.4\n"
                 "0.1\t20\t14733376\tslow a | b\t0.8\n"
                 "5\t20\t14706278\tpartition a | b\t5\n");
    free(shading);
    sim_chart_release(&set);
    sim_summary_release(&sum);
    sim_timeline_release(&tl);
    sim_report_release(&r);
    sim_outdir_remove_tree(dir);
}

static const struct sim_chart *chart_named(const struct sim_chart_set *set,
                                           const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->charts[i].name, name) == 0)
            return &set->charts[i];
    printf("  no chart %s\n", name);
    CHECK(!"chart exists");
    return NULL;
}

/*
 * A client whose p99.9 jumps a hundredfold in one window gets a log axis
 * from the decade below its p50; a client whose p99.9 is 10 times its p50
 * throughout keeps a linear one. A lag that grows from 20 ms to 20 s gets
 * a log panel; stale reads never do.
 */
static void test_chart__spiky_times_get_a_log_axis_flat_ones_do_not(void)
{
    struct sim_report r;
    struct sim_chart_set set;
    const struct sim_chart *c;

    sim_report_init(&r);
    spiky(&r, "client spiky", "response_time.p50", 0.002, 1);
    spiky(&r, "client spiky", "response_time.p999", 0.01, 100);
    spiky(&r, "client flat", "response_time.p50", 0.002, 1);
    spiky(&r, "client flat", "response_time.p999", 0.02, 1.2);
    spiky(&r, "client flat", "stale_read_rate", 0.001, 500);
    spiky(&r, "database orders.0", "replication_lag", 0.02, 1000);
    prepare(&r, &set);
    c = chart_named(&set, "latency-spiky");
    CHECK(c != NULL && c->is_log_y[0]);
    CHECK_NEAR(c->y_floor[0], 1, 1e-12);
    c = chart_named(&set, "latency-flat");
    CHECK(c != NULL && !c->is_log_y[0]);
    c = chart_named(&set, "consistency");
    CHECK(c != NULL && !c->is_log_y[0] && c->is_log_y[1]);
    CHECK_NEAR(c != NULL ? c->y_floor[1] : 0, 10, 1e-12);
    sim_chart_release(&set);
    sim_report_release(&r);
    sim_outdir_remove_tree(TEST_TMP "distsim-test-axes");
}

/*
 * The visibility chart runs from the decade below the first read (1 us)
 * to where the curves reach 1 for good (100 ms, where the slower client
 * gets there after a dip at 1 ms), not over the empty or all-fresh tail;
 * a curve that is always fresh shows all its data.
 */
static void test_chart__visibility_shows_until_reads_turn_fresh(void)
{
    static const double slow[] = {0.2, 0.3, 0.995, 0.5, 0.9, 1, 1, 1,
                                  1, NAN};
    static const double fast[] = {NAN, 0.5, 1, 1, 1, 1, 1, 1, 1, 1};
    static const double fresh[] = {1, 1, 1, 1};
    struct sim_report r;
    struct sim_chart_set set;
    const struct sim_chart *c;

    sim_report_init(&r);
    visibility(&r, "client slow", slow, 10);
    visibility(&r, "client fast", fast, 10);
    prepare(&r, &set);
    c = chart_named(&set, "visibility");
    CHECK_NEAR(c != NULL ? c->x_lo : 0, 1e-3, 1e-15);
    CHECK_NEAR(c != NULL ? c->x_hi : 0, 100, 1e-12);
    sim_chart_release(&set);
    sim_report_release(&r);
    sim_report_init(&r);
    visibility(&r, "client fresh", fresh, 4);
    prepare(&r, &set);
    c = chart_named(&set, "visibility");
    CHECK_NEAR(c != NULL ? c->x_lo : 0, 1e-3, 1e-15);
    CHECK_NEAR(c != NULL ? c->x_hi : 0, 1, 1e-12);
    sim_chart_release(&set);
    sim_report_release(&r);
    sim_outdir_remove_tree(TEST_TMP "distsim-test-axes");
}

/*
 * Lines are named by component: the client, the database shard ("orders
 * shard 1", or "orders" alone), never a metric's internal name.
 */
static void test_chart__lines_are_named_by_component(void)
{
    static const double y[] = {0.5, 1};
    struct sim_report r;
    struct sim_chart_set set;
    char *tsv;

    sim_report_init(&r);
    spiky(&r, "client web", "stale_read_rate", 0.01, 1);
    spiky(&r, "database orders.0", "replication_lag", 0.01, 1);
    spiky(&r, "database orders.1", "replication_lag", 0.01, 1);
    spiky(&r, "database users.0", "replication_lag", 0.01, 1);
    visibility(&r, "client web", y, 2);
    prepare(&r, &set);
    tsv = read_file(TEST_TMP "distsim-test-axes/charts/consistency.tsv",
                    NULL);
    CHECK(tsv != NULL && strstr(tsv, "time (s)\tweb (%)\t") == tsv);
    CHECK(tsv != NULL && strstr(tsv, "\torders shard 0 (ms)\t") != NULL);
    CHECK(tsv != NULL && strstr(tsv, "\torders shard 1 (ms)\t") != NULL);
    CHECK(tsv != NULL && strstr(tsv, "\tusers (ms)\t") != NULL);
    free(tsv);
    tsv = read_file(TEST_TMP "distsim-test-axes/charts/visibility.tsv",
                    NULL);
    CHECK(tsv != NULL && strstr(tsv, "point (index)\tweb x (ms)\t") == tsv);
    free(tsv);
    sim_chart_release(&set);
    sim_report_release(&r);
    sim_outdir_remove_tree(TEST_TMP "distsim-test-axes");
}

static void test_chart__report_shows_each_expectation(void)
{
    static const char summary[] =
        "{\"distsim\": \"t\", \"books_balance\": true, \"metrics\": ["
        "{\"scope\": \"client c\", \"name\": \"response_time.p99\", "
        "\"unit\": \"s\", \"mean\": 0.0123, \"ci95_half_width\": "
        "0.0004}], \"expectations\": ["
        "{\"text\": \"p99 < 80ms\", \"scope\": \"client c\", \"metric\":"
        " \"response_time.p99\", \"status\": \"met\", \"mean\": 0.0123, "
        "\"ci95_half_width\": 0.0004, \"threshold\": 0.08},"
        "{\"text\": \"p99 < 10ms\", \"scope\": \"client c\", \"metric\":"
        " \"response_time.p99\", \"status\": \"missed\", \"mean\": "
        "0.0123, \"ci95_half_width\": 0.0004, \"threshold\": 0.01}]}";
    const char *dir = TEST_TMP "distsim-test-page";
    struct sim_scenario sc = {
        .name = "e", .duration = SIM_S, .window = SIM_MS * 10,
        .replications = 2, .text = "name: e\n",
    };
    struct sim_timeline tl = {0};
    struct sim_chart_set set = {0};
    struct sim_page pg = {.dir = dir, .sc = &sc, .timeline = &tl,
                          .charts = &set, .format = SIM_PLOT_PNG};
    char *html, *md;
    FILE *f;

    sim_outdir_remove_tree(dir);
    mkdir(dir, 0755);
    f = fopen(TEST_TMP "distsim-test-page/summary.json", "w");
    fputs(summary, f);
    fclose(f);
    CHECK_EQ_INT(sim_page_write(&pg, NULL), 0);
    html = read_file(TEST_TMP "distsim-test-page/report.html", NULL);
    md = read_file(TEST_TMP "distsim-test-page/report.md", NULL);
    CHECK(html != NULL && md != NULL);
    CHECK(strstr(html, "<p class=\"fail\">1 of 2 expectations met.</p>")
          != NULL);
    CHECK(strstr(html, "<tr class=\"met\"><td>met</td><td>p99 &lt; 80ms"
                       "</td><td>client c</td><td class=\"num\">12.3 ms "
                       "± 0.4</td><td class=\"num\">80 ms</td></tr>")
          != NULL);
    CHECK(strstr(md, "| missed | p99 \\< 10ms | client c | 12.3 ms ± 0.4 "
                     "| 10 ms |") != NULL);
    free(html);
    free(md);
    sim_outdir_remove_tree(dir);
}

CHECK_MAIN(CHECK_TEST(test_chart__timeline_pairs_faults_with_their_ends),
           CHECK_TEST(test_chart__title_is_one_line_and_cut_whole),
           CHECK_TEST(test_chart__curves_merge_point_by_point),
           CHECK_TEST(test_chart__every_kind_as_png),
           CHECK_TEST(test_chart__every_kind_as_svg),
           CHECK_TEST(test_chart__a_failing_script_is_reported),
           CHECK_TEST(test_chart__spiky_times_get_a_log_axis_flat_ones_do_not),
           CHECK_TEST(test_chart__visibility_shows_until_reads_turn_fresh),
           CHECK_TEST(test_chart__lines_are_named_by_component),
           CHECK_TEST(test_chart__report_shows_each_expectation),
           CHECK_TEST(test_chart__values_between_gaps_are_drawn),
           CHECK_TEST(test_chart__labels_of_faults_at_one_moment_stand_apart),
           CHECK_TEST(test_chart__scripts_are_found_away_from_the_tree),
           CHECK_TEST(test_chart__tiny_and_zero_times_draw))
