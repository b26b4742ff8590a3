/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - the charts and reports of a run, through the program:
 * the same bytes on a rerun and for any number of workers; the charts a
 * scenario's data allow, as PNG and SVG, chosen by plots: or --charts;
 * report.md's sections; every component's settings, defaults included,
 * in "Scenario as run"; report.html rendered by headless Chromium with
 * every chart loaded; a run without gnuplot; and a title that tries every
 * way out of gnuplot and the page.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sim/outdir.h"
#include "sim/strbuf.h"
#include "tests/check.h"
#include "tests/spawn.h"

#define SMALL "tests/scenarios/small.yaml"
#define PLOTS "tests/scenarios/plots.yaml"
#define EVIL "tests/scenarios/evil-title.yaml"
#define DB "tests/scenarios/report-db.yaml"
#define SETTINGS "tests/scenarios/settings.yaml"
#define ESC_DIR TEST_TMP "distsim-report-esc"

static const char *const small_charts[] = {
    "latency-web", "latency-batch", "throughput", "cdf-web", "cdf-batch",
    "servers",
};

#define N_SMALL (sizeof small_charts / sizeof small_charts[0])

/* Runs distsim with args and checks its exit status. */
static void run_expect(const char *const *args, int status,
                       struct spawn_out *o)
{
    spawn_distsim(args, o);
    if (o->status != status)
        printf("  stderr: %s", o->err);
    CHECK_EQ_INT(o->status, status);
}

static void run_small(const char *dir, const char *a1, const char *a2)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", SMALL, "-q", "--force", "-o", dir,
                                a1, a2, NULL}, 0, &o);
    CHECK_EQ_STR(o.err, "");
    spawn_release(&o);
}

static char *read_in(const char *dir, const char *name, size_t *len)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return spawn_read_file(path, len);
}

static bool same_file(const char *a_dir, const char *b_dir, const char *name)
{
    size_t la, lb;
    char *a = read_in(a_dir, name, &la), *b = read_in(b_dir, name, &lb);
    bool is_same = a && b && la == lb && memcmp(a, b, la) == 0;

    if (!is_same)
        printf("  differs: %s\n", name);
    free(a);
    free(b);
    return is_same;
}

/* Whether dir/charts/name.ext is an image of that format. */
static bool is_chart(const char *dir, const char *name, const char *ext)
{
    char file[160], *data;
    size_t len;
    bool is_ok;

    snprintf(file, sizeof file, "charts/%s.%s", name, ext);
    data = read_in(dir, file, &len);
    is_ok = data != NULL && len > 1000 &&
            (strcmp(ext, "png") == 0 ? memcmp(data, "\x89PNG", 4) == 0
                                     : strstr(data, "<svg") != NULL);
    free(data);
    return is_ok;
}

/* How many entries of dir (dot files included) are not in names. */
static int count_others(const char *dir, const char *const *names,
                        size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int others = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        bool is_known = strcmp(e->d_name, ".") == 0 ||
                        strcmp(e->d_name, "..") == 0;

        for (size_t i = 0; i < n && !is_known; i++)
            is_known = strcmp(e->d_name, names[i]) == 0;
        if (!is_known)
            printf("  unexpected file %s/%s\n", dir, e->d_name);
        others += !is_known;
    }
    if (d != NULL)
        closedir(d);
    return d != NULL ? others : -1;
}

static void test_report__same_bytes_on_rerun_and_for_any_jobs(void)
{
    static const char *const files[] = {
        "report.html", "report.md", "curves.tsv",
    };
    const char *a = TEST_TMP "distsim-report-a", *b = TEST_TMP "distsim-report-b";
    char name[160];

    run_small(a, "--jobs", "1");
    run_small(b, "--jobs", "3");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        CHECK(same_file(a, b, files[i]));
    for (size_t i = 0; i < N_SMALL; i++) {
        snprintf(name, sizeof name, "charts/%s.png", small_charts[i]);
        CHECK(same_file(a, b, name));
        snprintf(name, sizeof name, "charts/%s.tsv", small_charts[i]);
        CHECK(same_file(a, b, name));
    }
    run_small(b, "--jobs", "1");
    for (size_t i = 0; i < N_SMALL; i++) {
        snprintf(name, sizeof name, "charts/%s.png", small_charts[i]);
        CHECK(same_file(a, b, name));
    }
    sim_outdir_remove_tree(a);
    sim_outdir_remove_tree(b);
}

static void test_report__charts_as_png_svg_or_none(void)
{
    const char *dir = TEST_TMP "distsim-report-fmt";
    char *html;

    run_small(dir, "--charts", "png");
    for (size_t i = 0; i < N_SMALL; i++)
        CHECK(is_chart(dir, small_charts[i], "png"));
    run_small(dir, "--charts=svg", "--jobs=2");
    for (size_t i = 0; i < N_SMALL; i++)
        CHECK(is_chart(dir, small_charts[i], "svg"));
    CHECK(!is_chart(dir, "latency-web", "png"));
    run_small(dir, "--charts", "none");
    CHECK(!is_chart(dir, "latency-web", "svg"));
    html = read_in(dir, "report.html", NULL);
    CHECK(html != NULL && strstr(html, "No charts were asked for") != NULL);
    CHECK(strstr(html, "<img") == NULL);
    free(html);
    sim_outdir_remove_tree(dir);
}

static void test_report__plots_key_chooses_charts_and_format(void)
{
    static const char *const mine[] = {
        "cdf-web.svg", "cdf-web.tsv", "servers.svg", "servers.tsv",
        "shading.tsv",
    };
    const char *dir = TEST_TMP "distsim-report-plots";
    struct spawn_out o;
    char *md;

    run_expect((const char *[]){"run", PLOTS, "-q", "--force", "-o", dir,
                                NULL}, 0, &o);
    spawn_release(&o);
    CHECK_EQ_INT(count_others(TEST_TMP "distsim-report-plots/charts", mine, 5),
                 0);
    CHECK(is_chart(dir, "cdf-web", "svg"));
    md = read_in(dir, "charts/cdf-web.tsv", NULL);
    CHECK(md != NULL && strstr(md, "\tread x (ms)\t") != NULL &&
          strstr(md, "\tcas x (ms)\t") != NULL);
    free(md);
    run_expect((const char *[]){"run", PLOTS, "-q", "--force", "-o", dir,
                                "--charts", "png", NULL}, 0, &o);
    spawn_release(&o);
    CHECK(is_chart(dir, "servers", "png"));
    md = read_in(dir, "report.md", NULL);
    CHECK(md != NULL && strstr(md, "# Shop at lunch: 2 tiers\n") != NULL);
    CHECK(strstr(md, "![Shop at lunch: 2 tiers: response-time CDF of client "
                     "web](charts/cdf-web.png)") != NULL);
    free(md);
    sim_outdir_remove_tree(dir);
}

static void test_report__bad_charts_option_exits_2(void)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", SMALL, "--charts", "jpeg", NULL}, 2,
               &o);
    CHECK_EQ_STR(o.err, "distsim: --charts \"jpeg\" is not one of png, "
                        "svg, none (see distsim run --help)\n");
    spawn_release(&o);
}

static void test_report__markdown_has_every_section(void)
{
    static const char *const wanted[] = {
        "# small\n", "\n## Expectations\n", "\n## Summary\n",
        "\n### client web\n", "| figure | value | ± 95% interval |\n",
        "\n## Fault timeline\n", "\n## Charts\n",
        "![small: response time of client web](charts/latency-web.png)",
        "\n## Scenario as run\n", "| workers | 2 |", "```\nname: small\n",
    };
    const char *dir = TEST_TMP "distsim-report-md";
    char *md;

    run_small(dir, "--jobs", "2");
    md = read_in(dir, "report.md", NULL);
    CHECK(md != NULL);
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        if (strstr(md, wanted[i]) == NULL)
            printf("  missing: %s\n", wanted[i]);
        CHECK(strstr(md, wanted[i]) != NULL);
    }
    free(md);
    sim_outdir_remove_tree(dir);
}

/* Whether md holds text, saying what is missing when it does not. */
static bool md_has(const char *md, const char *text)
{
    if (strstr(md, text) != NULL)
        return true;
    printf("  report.md lacks: %s\n", text);
    return false;
}

/* Runs the settings scenario into dir with --jobs jobs and --seed seed. */
static void run_settings(const char *dir, const char *jobs, const char *seed)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", SETTINGS, "-q", "--force", "-o", dir,
                                "--charts", "none", "--jobs", jobs,
                                "--seed", seed, NULL}, 0, &o);
    spawn_release(&o);
}

/* The "settings" object of dir/summary.json as compact text. */
static char *settings_text(const char *dir)
{
    char path[256], *text = NULL;
    json_t *root;

    snprintf(path, sizeof path, "%s/summary.json", dir);
    root = json_load_file(path, 0, NULL);
    if (root != NULL)
        text = json_dumps(json_object_get(root, "settings"),
                          JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}

/* Whether summary.json's settings of scope give key exactly value. */
static bool has_setting(const json_t *settings, const char *scope,
                        const char *key, const char *value)
{
    const char *got = json_string_value(
        json_object_get(json_object_get(settings, scope), key));

    if (got != NULL && strcmp(got, value) == 0)
        return true;
    printf("  settings[\"%s\"][\"%s\"]: \"%s\", wanted \"%s\"\n", scope,
           key, got != NULL ? got : "(absent)", value);
    return false;
}

/*
 * Every component kind lists what it runs with, the defaults the scenario
 * left out among them (a cache's eviction and flush delay, a database's
 * failover detection and quorum sizes, a client's retry cap and jitter,
 * an LB's health-check timeout and failover delay); the same bytes for
 * any number of workers, and the same settings whatever the seed.
 */
static void test_report__scenario_as_run_lists_every_setting(void)
{
    static const char *const want[][3] = {
        {"client shoppers", "keys", "hotspot(hot_fraction 0.1, "
         "hot_probability 0.8) over 500 keys"},
        {"client shoppers", "retry backoff", "20ms"},
        {"client shoppers", "retry multiplier", "2"},
        {"client shoppers", "retry max backoff", "2s"},
        {"client shoppers", "retry jitter", "full"},
        {"client admins", "sessions", "3 (one per user)"},
        {"client admins", "keys", "zipf(s 1) over 500 keys"},
        {"load_balancer edge", "backends", "app.0 weight 3, app.1 weight 1"},
        {"load_balancer edge", "health timeout", "200ms"},
        {"load_balancer edge", "unhealthy after", "3 failed checks"},
        {"load_balancer edge", "failover after", "2s"},
        {"load_balancer edge", "backend timeout", "30s"},
        {"server app", "call 2", "ledger for write, cas"},
        {"server app", "call timeout", "1s"},
        {"cache cache", "eviction", "lru"},
        {"cache cache", "capacity bytes", "64KiB"},
        {"cache cache", "item bytes", "1KiB to 4KiB"},
        {"cache cache", "ttl", "none"},
        {"cache cache", "flush after", "1s"},
        {"cache cache", "stampede", "none"},
        {"cache cache", "hit time", "constant(0ns)"},
        {"database orders", "vnodes", "64 per shard"},
        {"database orders", "acks", "1 follower"},
        {"database orders", "failover detect after", "3s"},
        {"database orders", "failover heartbeat", "750ms"},
        {"database orders", "failover elect", "any"},
        {"database orders", "failover lost writes", "discard"},
        {"database orders", "queue capacity", "unbounded"},
        {"database ledger", "key space", "1000 keys"},
        {"database ledger", "quorum", "n 3, w 2, r 2"},
        {"database ledger", "reads", "quorum"},
        {"database ledger", "failover", "none"},
        {"network", "ordering", "fifo"},
        {"network", "zone far", "orders.*.*, ledger.*.* (12 entities)"},
        {"network", "latency near-far", "constant(2ms)"},
        {"network", "loss near-far", "0.001"},
        {"fault schedule", "fault 1",
         "slow near | far x3 at 1s, to the end of the run"},
        {"fault schedule", "fault 2",
         "crash orders.0.0 at 2s, restart at 2.5s"},
    };
    const char *a = TEST_TMP "distsim-report-set-a";
    const char *b = TEST_TMP "distsim-report-set-b";
    char path[256], *first, *other, *md;
    json_t *root;

    run_settings(a, "1", "11");
    run_settings(b, "2", "11");
    CHECK(same_file(a, b, "summary.json"));
    CHECK(same_file(a, b, "report.md"));
    snprintf(path, sizeof path, "%s/summary.json", a);
    root = json_load_file(path, 0, NULL);
    CHECK(root != NULL);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK(has_setting(json_object_get(root, "settings"), want[i][0],
                          want[i][1], want[i][2]));
    json_decref(root);
    md = read_in(a, "report.md", NULL);
    CHECK(md != NULL && md_has(md, "\n### cache cache\n") &&
          md_has(md, "| eviction | lru |") &&
          md_has(md, "| failover detect after | 3s |"));
    free(md);
    run_settings(b, "2", "12");
    first = settings_text(a);
    other = settings_text(b);
    CHECK(first != NULL && other != NULL && strcmp(first, other) == 0);
    free(first);
    free(other);
    sim_outdir_remove_tree(a);
    sim_outdir_remove_tree(b);
}

/* Whether report.md shows an "utilisation per instance: a 1.0%, ..." line. */
static bool md_has_instances(const char *md, const char *list)
{
    char want[128], name[64];
    bool is_ok = true;

    while (sscanf(list, " %63s", name) == 1) {
        snprintf(want, sizeof want, "| utilisation %s | ", name);
        is_ok = md_has(md, want) && is_ok;
        list = strchr(list, ',');
        if (list == NULL)
            break;
        list++;
    }
    return is_ok;
}

/*
 * Whether report.md shows one line of a scope in the table: a figure
 * "  name   value  ± half" as the row "| name | value | half |", the books
 * as a paragraph, the utilisation of each instance as a row.
 */
static bool md_has_line(const char *md, const char *line)
{
    char name[64], value[64], want[256];
    const char *half = strstr(line, "± ");

    if (strncmp(line, "  books: ", 9) == 0) {
        snprintf(want, sizeof want, "Books (all replications): %s.",
                 line + 9);
        return md_has(md, want);
    }
    if (strncmp(line, "  utilisation per instance: ", 28) == 0)
        return md_has_instances(md, line + 28);
    snprintf(name, sizeof name, "%.26s", line + 2);
    snprintf(value, sizeof value, "%.16s", line + 29);
    for (char *p = name + strlen(name); p > name && p[-1] == ' '; )
        *--p = '\0';
    snprintf(want, sizeof want, "| %s | %s | %s |", name,
             value + strspn(value, " "), half != NULL ? half + 3 : " ");
    return md_has(md, want);
}

/*
 * Every figure the table shows is in report.md: for clients, a server
 * group and a database through a failover that loses writes (the figures
 * that say what went wrong with the data among them), the books and the
 * engine's line; a client of a plain server shows no consistency figures
 * and no operations it does not send.
 */
static void test_report__markdown_has_every_figure_of_the_table(void)
{
    const char *dir = TEST_TMP "distsim-report-db";
    struct spawn_out o;
    char *md, *line, *next, *plain;
    int n_lines = 0;

    run_expect((const char *[]){"run", DB, "--force", "-o", dir, NULL}, 0,
               &o);
    md = read_in(dir, "report.md", NULL);
    CHECK(md != NULL);
    line = strstr(o.out, "\n\nclient ");
    CHECK(line != NULL);
    for (line += 2; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next = '\0';
        if (strncmp(line, "timeline", 8) == 0 ||
            strncmp(line, "engine:", 7) == 0)
            break;
        if (strncmp(line, "  ", 2) == 0) {
            CHECK(md_has_line(md, line));
            n_lines++;
        }
        if (next != NULL)
            next++;
    }
    CHECK(n_lines > 50);
    CHECK(md_has(md, "| lost writes | "));
    CHECK(md_has(md, "| failovers | 1 | 0 |"));
    CHECK(md_has(md, "| unavailable time | 1 s | 0 |"));
    CHECK(md_has(md, "Engine: "));
    plain = strstr(md, "### client plain\n");
    CHECK(plain != NULL);
    *strstr(plain, "\n### ") = '\0';
    CHECK(strstr(plain, "violations") == NULL);
    CHECK(strstr(plain, "stale") == NULL);
    CHECK(strstr(md, "availability cas") == NULL);
    free(md);
    spawn_release(&o);
    sim_outdir_remove_tree(dir);
}

static void test_report__without_gnuplot_the_rest_is_written(void)
{
    const char *dir = TEST_TMP "distsim-report-nognuplot";
    char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    struct spawn_out o;
    char *html;

    setenv("PATH", "/nonexistent-distsim-test", 1);
    spawn_distsim((const char *[]){"run", SMALL, "-q", "--force", "-o",
                                   dir, NULL}, &o);
    if (path != NULL)
        setenv("PATH", path, 1);
    free(path);
    CHECK_EQ_INT(o.status, 0);
    CHECK_EQ_STR(o.err, "distsim: gnuplot is not installed (install "
                        "gnuplot-nox): no charts drawn\n");
    spawn_release(&o);
    CHECK(!is_chart(dir, "latency-web", "png"));
    html = read_in(dir, "charts/latency-web.tsv", NULL);
    CHECK(html != NULL);
    free(html);
    html = read_in(dir, "report.html", NULL);
    CHECK(html != NULL && strstr(html, "Chart latency-web was not drawn (see "
                                       "the run&#39;s messages)") != NULL);
    free(html);
    sim_outdir_remove_tree(dir);
}

/* Every file a run may write in its directory and in charts/. */
static const char *const out_files[] = {
    ".distsim-output", "summary.json", "metrics.tsv", "series.tsv",
    "curves.tsv", "scenario.yaml", "report.html", "report.md", "charts",
};
static const char *const evil_charts[] = {
    "latency-web.png", "latency-web.svg", "latency-web.tsv", "cdf-web.png",
    "cdf-web.svg", "cdf-web.tsv", "throughput.png", "throughput.svg",
    "throughput.tsv", "servers.png", "servers.svg", "servers.tsv",
    "shading.tsv",
};

/* Nothing ran, nothing was written but the output directory's files. */
static void check_contained(void)
{
    static const char *const parent[] = {"out"};
    char path[128];
    struct stat st;

    for (int i = 1; i <= 6; i++) {
        snprintf(path, sizeof path, ESC_DIR "/pwned-%d", i);
        CHECK(stat(path, &st) != 0);
    }
    CHECK(stat(ESC_DIR "/pwned-3.png", &st) != 0);
    CHECK(stat("pwned-rel", &st) != 0);
    CHECK_EQ_INT(count_others(ESC_DIR, parent, 1), 0);
    CHECK_EQ_INT(count_others(ESC_DIR "/out", out_files,
                              sizeof out_files / sizeof out_files[0]), 0);
    CHECK_EQ_INT(count_others(ESC_DIR "/out/charts", evil_charts,
                              sizeof evil_charts / sizeof evil_charts[0]),
                 0);
}

static void run_evil(const char *format)
{
    struct spawn_out o;

    run_expect((const char *[]){"run", EVIL, "-q", "--force", "-o",
                                ESC_DIR "/out", "--charts", format, NULL},
               0, &o);
    CHECK_EQ_STR(o.err, "");
    spawn_release(&o);
    check_contained();
}

static void test_report__title_cannot_break_out(void)
{
    char *html, *md, *svg;

    sim_outdir_remove_tree(ESC_DIR);
    mkdir(ESC_DIR, 0755);
    run_evil("png");
    CHECK(is_chart(ESC_DIR "/out", "latency-web", "png"));
    run_evil("svg");
    svg = read_in(ESC_DIR "/out", "charts/latency-web.svg", NULL);
    CHECK(svg != NULL && strstr(svg, "He said \"hi\" &amp; 'bye' &lt;b>bold"
                                     "&lt;/b> `touch ") != NULL);
    free(svg);
    html = read_in(ESC_DIR "/out", "report.html", NULL);
    CHECK(html != NULL && strstr(html, "<h1 id=\"top\">He said &quot;hi&quot;"
                                       " &amp; &#39;bye&#39; &lt;b&gt;bold&lt;"
                                       "/b&gt; `touch") != NULL);
    CHECK(strstr(html, "ünïcødé ✓ 日本語 and a very long title") != NULL);
    CHECK(strstr(html, "<b>") == NULL && strstr(html, "<a href=\"http")
          == NULL);
    free(html);
    md = read_in(ESC_DIR "/out", "report.md", NULL);
    CHECK(md != NULL && strstr(md, "# He said \"hi\" & 'bye' \\<b\\>bold"
                                   "\\</b\\> \\`touch") != NULL);
    CHECK(strstr(md, "\\[link\\](http://example.invalid)") != NULL);
    free(md);
    sim_outdir_remove_tree(ESC_DIR);
}

/* Where name is on PATH, into buf; false when it is not there. */
static bool find_program(const char *name, char *buf, size_t n)
{
    const char *path = getenv("PATH");

    while (path != NULL && *path != '\0') {
        size_t len = strcspn(path, ":");

        snprintf(buf, n, "%.*s/%s", (int)len, path, name);
        if (len > 0 && access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* The standard output of argv (argv[0] a path); killed after 120 s. */
static char *output_of(const char *const *argv)
{
    char *buf = calloc(1, 1), chunk[8192];
    size_t len = 0;
    int p[2], st;
    ssize_t r;
    pid_t pid;

    if (pipe(p) != 0)
        return buf;
    pid = fork();
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY);

        dup2(p[1], 1);
        dup2(null_fd, 2);
        close(p[0]);
        alarm(120);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    while ((r = read(p[0], chunk, sizeof chunk)) > 0)
        spawn_append(&buf, &len, chunk, (size_t)r);
    close(p[0]);
    waitpid(pid, &st, 0);
    return buf;
}

/* A copy of report.html that titles itself with how many images loaded. */
static bool write_probe(const char *dir)
{
    static const char probe[] =
        "<script>addEventListener('load', function () {\n"
        "  var n = 0, all = document.images;\n"
        "  for (var i = 0; i < all.length; i++)\n"
        "    if (all[i].complete && all[i].naturalWidth > 0) n++;\n"
        "  document.title = 'LOADED ' + n + ' OF ' + all.length;\n"
        "});</script>\n";
    char *html = read_in(dir, "report.html", NULL), *end, path[256];
    FILE *f;

    end = html != NULL ? strstr(html, "</body>") : NULL;
    if (end == NULL) {
        free(html);
        return false;
    }
    snprintf(path, sizeof path, "%s/probe.html", dir);
    f = fopen(path, "w");
    fwrite(html, 1, (size_t)(end - html), f);
    fputs(probe, f);
    fputs(end, f);
    fclose(f);
    free(html);
    return true;
}

/* Renders dir/probe.html in headless Chromium; returns the DOM. */
static char *render(const char *chromium, const char *dir)
{
    char profile[] = TEST_TMP "distsim-chromium-XXXXXX", data_dir[4200];
    char url[4400];
    char *dom;

    if (mkdtemp(profile) == NULL)
        return NULL;
    snprintf(data_dir, sizeof data_dir, "--user-data-dir=%s", profile);
    snprintf(url, sizeof url, "file://%s/probe.html", dir);
    dom = output_of((const char *[]){
        chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update",
        "--disable-sync", data_dir, "--virtual-time-budget=10000",
        "--dump-dom", url, NULL});
    sim_outdir_remove_tree(profile);
    return dom;
}

static void check_renders(const char *chromium, const char *format)
{
    const char *dir = TEST_TMP "distsim-report-html";
    char *html, *dom, want[64];

    run_small(dir, "--charts", format);
    html = read_in(dir, "report.html", NULL);
    CHECK(html != NULL && strstr(html, "<script") == NULL &&
          strstr(html, "<link") == NULL && strstr(html, "src=\"http") ==
          NULL && strstr(html, "url(") == NULL);
    free(html);
    CHECK(write_probe(dir));
    dom = render(chromium, dir);
    snprintf(want, sizeof want, "<title>LOADED %zu OF %zu</title>", N_SMALL,
             N_SMALL);
    if (dom == NULL || strstr(dom, want) == NULL)
        printf("  no \"%s\" in the page Chromium rendered (%zu bytes)\n",
               want, dom != NULL ? strlen(dom) : 0);
    CHECK(dom != NULL && strstr(dom, want) != NULL);
    CHECK(strstr(dom, "<h2 id=\"charts\">Charts</h2>") != NULL);
    free(dom);
    sim_outdir_remove_tree(dir);
}

static void test_report__html_renders_with_every_chart(void)
{
    char chromium[512];

    if (!find_program("chromium", chromium, sizeof chromium))
        CHECK_SKIP("chromium is not installed (.ci/deps installs it)");
    check_renders(chromium, "png");
    check_renders(chromium, "svg");
}

/* A file that cannot be written is named with the reason (a full disk). */
static void test_report__a_failed_write_says_why(void)
{
    struct sim_error err = {0};

    CHECK_EQ_INT(sim_file_write(TEST_TMP "distsim-no-such-dir/x.txt", "x", 1,
                                &err), SIM_EIO);
    CHECK(strstr(err.msg, "distsim-no-such-dir/x.txt\": No such file or "
                 "directory") != NULL);
}

CHECK_MAIN(CHECK_TEST(test_report__same_bytes_on_rerun_and_for_any_jobs),
           CHECK_TEST(test_report__a_failed_write_says_why),
           CHECK_TEST(test_report__charts_as_png_svg_or_none),
           CHECK_TEST(test_report__plots_key_chooses_charts_and_format),
           CHECK_TEST(test_report__bad_charts_option_exits_2),
           CHECK_TEST(test_report__markdown_has_every_section),
           CHECK_TEST(test_report__markdown_has_every_figure_of_the_table),
           CHECK_TEST(test_report__scenario_as_run_lists_every_setting),
           CHECK_TEST(test_report__without_gnuplot_the_rest_is_written),
           CHECK_TEST(test_report__title_cannot_break_out),
           CHECK_TEST(test_report__html_renders_with_every_chart))
