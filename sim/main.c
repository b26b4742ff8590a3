/* SPDX-License-Identifier: MIT */
/*
 * main.c - the distsim command line: the one place that prints, exits, and
 * knows every model kind. Exit codes: 0 ran and every expectation held,
 * 1 ran and an expectation failed, 2 bad input or usage, 3 could not run.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "models/cache.h"
#include "models/client.h"
#include "models/db.h"
#include "models/faults.h"
#include "models/history.h"
#include "models/lb.h"
#include "models/lincheck.h"
#include "models/network.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/doc.h"
#include "sim/outdir.h"
#include "sim/plan.h"
#include "sim/progress.h"
#include "sim/ranks.h"
#include "sim/render.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "sim/sweeprun.h"
#include "sim/version.h"

#define EXIT_EXPECT 1
#define EXIT_INPUT 2
#define EXIT_RUN 3
#define MAX_SETS 256
#define DEFAULT_BUDGET_S 10.0

static const struct sim_model_ops *const kinds[] = {
    &client_ops,
    &lb_ops,
    &server_ops,
    &cache_ops,
    &db_ops,
    &network_ops,
    &faults_ops,
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const char usage_main[] =
    "usage: distsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml       run a scenario and write its results\n"
    "  validate SCENARIO.yaml  load and check a scenario, run nothing\n"
    "  check HISTORY           check a history for linearizability\n"
    "  sweep SCENARIO.yaml     run every point of the scenario's sweep:\n"
    "  plan SCENARIO.yaml      find the least (or most) of one parameter\n"
    "                          that meets every expect:\n"
    "\n"
    "  distsim <command> --help   options of a command\n"
    "  distsim --version          the version\n";

static const char usage_run[] =
    "usage: distsim run SCENARIO.yaml [options]\n"
    "\n"
    "Runs every replication of the scenario, prints a summary table and\n"
    "writes the results to the output directory (out/<scenario name>/\n"
    "unless -o is given): summary.json, metrics.tsv, series.tsv,\n"
    "curves.tsv, scenario.yaml, the charts in charts/, report.html and\n"
    "report.md.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR        write results to DIR\n"
    "      --seed N            use seed N instead of the scenario's\n"
    "      --replications N    run N replications\n"
    "      --jobs N            use N worker processes (default: one per\n"
    "                          core); results do not depend on N\n"
    "      --set KEY.PATH=VALUE  override one value of the scenario, e.g.\n"
    "                          --set clients[0].arrival.rate=900/s\n"
    "      --charts FORMAT     png, svg or none (default: the scenario's\n"
    "                          plots.format, else png)\n"
    "      --force             replace DIR even if it is not a distsim\n"
    "                          output\n"
    "  -q, --quiet             print no table\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit code 0 every expectation met, 1 one missed or unsure, 2 bad\n"
    "input, 3 could not run (an output that cannot be written, a resource\n"
    "cap), 128 + the signal's number when interrupted (130: Ctrl-C).\n";

static const char usage_sweep[] =
    "usage: distsim sweep SCENARIO.yaml [options]\n"
    "\n"
    "Runs every point of the scenario's sweep: section (its replications\n"
    "spread over worker processes) and writes sweep.tsv, summary.json,\n"
    "points/, charts/, report.md and report.html to the output directory\n"
    "(out/<scenario name>-sweep/ unless -o is given). Under mpirun, the\n"
    "ranks share the points and rank 0 writes. Exit code 0 when it ran.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR        write results to DIR\n"
    "      --jobs N            worker processes (default: one per core)\n"
    "      --resume            keep the points an interrupted sweep into\n"
    "                          DIR finished, and run only the rest\n"
    "      --set KEY.PATH=VALUE  override one value of the scenario\n"
    "      --charts svg|none   SVG charts (the default), or none\n"
    "      --seed N, --replications N, --force: as for run\n"
    "  -q, --quiet             print no line per point\n";

static const char usage_plan[] =
    "usage: distsim plan SCENARIO.yaml --param KEY --from A --to B "
    "[options]\n"
    "\n"
    "Finds the smallest value of KEY in [A, B] (with --largest, the\n"
    "largest) at which every expect: of the scenario is met over its whole\n"
    "95% interval, by bisection, assuming that meeting them is monotone in\n"
    "KEY; the two ends are run first. A and B carry the key's unit; whole\n"
    "numbers without a unit search counts, anything else stops at the\n"
    "resolution. A point that is unsure gets twice the replications, up to\n"
    "the cap. Writes points/, summary.json, points.tsv, charts/, report.md\n"
    "and report.html to the output directory (out/<name>-plan/ unless -o).\n"
    "\n"
    "options:\n"
    "      --param KEY         the parameter, as --set takes it\n"
    "      --from A, --to B    the range searched (A below B)\n"
    "      --largest           the largest value that meets them\n"
    "      --resolution R      stop when the gap is at most R (default: 1\n"
    "                          for counts, else 1% of the range)\n"
    "      --max-replications N  the cap of the doubling (default 40)\n"
    "      -o, --output DIR    write results to DIR\n"
    "      --jobs N            worker processes (default: one per core)\n"
    "      --set KEY.PATH=VALUE  override one value of the scenario\n"
    "      --charts svg|none   SVG charts (the default), or none\n"
    "      --seed N, --replications N, --force: as for run\n"
    "  -q, --quiet             print only the answer\n"
    "\n"
    "Exit code 0 an answer was found, 1 none in the range, 2 bad input,\n"
    "3 could not run.\n";

static const char usage_validate[] =
    "usage: distsim validate SCENARIO.yaml [--set KEY.PATH=VALUE ...]\n"
    "\n"
    "Loads and checks the scenario and every component in it (with a\n"
    "sweep:, every point's scenario too), reporting every problem as\n"
    "file:line:col: key.path: message. Runs nothing.\n"
    "Exit code 0 when the scenario is sound, 2 when it is not.\n";

static const char usage_check[] =
    "usage: distsim check HISTORY [--budget SECONDS]\n"
    "\n"
    "Checks a history of register operations for linearizability: Jepsen\n"
    "log lines (process :invoke/:ok/:fail/:info :read/:write/:cas value)\n"
    "or EDN maps ({:process P, :type :invoke, :f :put, :key \"k\", :value\n"
    "\"v\"}), one per line. Keys are checked independently.\n"
    "\n"
    "options:\n"
    "      --budget SECONDS    give up with \"unknown\" after this much\n"
    "                          wall time (default 10)\n"
    "\n"
    "Exit code 0 linearizable, 1 not linearizable (with the operations no\n"
    "order can satisfy), 2 bad input, 3 unknown within the budget.\n";

struct options {
    const char *command;
    const char *file;                   /* scenario or history */
    const char *out_dir;
    const char *sets[MAX_SETS];         /* --set, --seed, --replications */
    size_t n_sets;
    char seed_set[64];
    char reps_set[64];
    unsigned jobs;                      /* 0: one per core */
    int charts;                         /* enum sim_plot_format, or -1 */
    double budget_s;                    /* check: wall-time budget */
    bool is_forced;
    bool is_quiet;
    bool is_resume;                     /* sweep: keep finished points */
    const char *param, *from, *to;      /* plan: the parameter and range */
    const char *resolution;             /* plan: NULL for the default */
    unsigned max_reps;                  /* plan: 0 for the default */
    bool is_largest;                    /* plan: the largest that meets */
    unsigned seen;                      /* options given, by once_options */
};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "distsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see distsim %s%s--help)\n", cmd ? cmd : "",
            cmd ? " " : "");
    return EXIT_INPUT;
}

/* A whole number in [lo, hi] or -1. */
static long parse_count(const char *s, long lo, long hi)
{
    char *end;
    long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    return v;
}

/* The value of option name: "--name=v" or the next argument. */
static const char *option_value(int argc, char **argv, int *i,
                                const char *arg)
{
    const char *eq = strchr(arg, '=');

    if (eq != NULL && arg[1] == '-')
        return eq + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool is_option(const char *arg, const char *s, const char *l)
{
    size_t n = strlen(l);

    return (s != NULL && strcmp(arg, s) == 0) || strcmp(arg, l) == 0 ||
           (strncmp(arg, l, n) == 0 && arg[n] == '=');
}

/* Which commands take which option; an option elsewhere is an error. */
static const struct {
    const char *short_name, *long_name;
    const char *commands;               /* space-separated */
} option_commands[] = {
    {"-o", "--output", " run sweep plan "},
    {NULL, "--jobs", " run sweep plan "},
    {NULL, "--set", " run sweep plan validate "},
    {NULL, "--seed", " run sweep plan validate "},
    {NULL, "--replications", " run sweep plan validate "},
    {NULL, "--charts", " run sweep plan "},
    {NULL, "--force", " run sweep plan "},
    {"-q", "--quiet", " run sweep plan "},
    {NULL, "--resume", " sweep "},
    {NULL, "--budget", " check "},
};

/* Usage error when arg is an option its command does not take. */
static int check_applies(const struct options *o, const char *arg)
{
    char word[32];

    snprintf(word, sizeof word, " %s ", o->command);
    for (size_t k = 0; k < sizeof option_commands /
                            sizeof option_commands[0]; k++) {
        if (!is_option(arg, option_commands[k].short_name,
                       option_commands[k].long_name))
            continue;
        if (strstr(option_commands[k].commands, word) == NULL)
            return usage_error(o->command, "option %s does not apply to "
                               "this command", option_commands[k].long_name);
        return 0;
    }
    return 0;
}

static int parse_value_option(struct options *o, const char *arg,
                              const char *val)
{
    long v;

    if (val == NULL)
        return usage_error(o->command, "option %s needs a value", arg);
    if (is_option(arg, "-o", "--output")) {
        o->out_dir = val;
    } else if (o->n_sets >= MAX_SETS && (is_option(arg, NULL, "--set") ||
               is_option(arg, NULL, "--seed") ||
               is_option(arg, NULL, "--replications"))) {
        return usage_error(o->command, "too many --set options%s", "");
    } else if (is_option(arg, NULL, "--set") && strncmp(val, "sweep", 5) == 0
               && strchr(".[=", val[5]) != NULL && val[5] != '\0') {
        return usage_error(o->command, "--set \"%s\": a sweep is read from "
                           "the file only; edit its sweep: section", val);
    } else if (is_option(arg, NULL, "--set")) {
        o->sets[o->n_sets++] = val;
    } else if (is_option(arg, NULL, "--jobs")) {
        v = parse_count(val, 1, 256);
        if (v < 0)
            return usage_error(o->command, "--jobs \"%s\" is not a whole "
                               "number from 1 to 256", val);
        o->jobs = (unsigned)v;
    } else if (is_option(arg, NULL, "--budget")) {
        char *end;

        o->budget_s = strtod(val, &end);
        if (*end != '\0' || !(o->budget_s > 0 && o->budget_s <= 86400))
            return usage_error(o->command, "--budget \"%s\" is not a number "
                               "of seconds in (0, 86400]", val);
    } else if (is_option(arg, NULL, "--charts")) {
        o->charts = strcmp(val, "png") == 0 ? SIM_PLOT_PNG
                    : strcmp(val, "svg") == 0 ? SIM_PLOT_SVG
                    : strcmp(val, "none") == 0 ? SIM_PLOT_NONE : -2;
        if (o->charts == -2)
            return usage_error(o->command, "--charts \"%s\" is not one of "
                               "png, svg, none", val);
        if (o->charts == SIM_PLOT_PNG && strcmp(o->command, "run") != 0)
            return usage_error(o->command, "the charts of a sweep or plan "
                               "are SVG, inlined in report.html: --charts "
                               "svg or none%s", "");
    } else if (is_option(arg, NULL, "--seed")) {
        snprintf(o->seed_set, sizeof o->seed_set, "seed=%s", val);
        o->sets[o->n_sets++] = o->seed_set;
    } else {
        snprintf(o->reps_set, sizeof o->reps_set, "replications=%s", val);
        o->sets[o->n_sets++] = o->reps_set;
    }
    return 0;
}

static bool is_plan_option(const struct options *o, const char *arg)
{
    static const char *const names[] = {
        "--param", "--from", "--to", "--resolution", "--max-replications",
    };

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(o->command, "plan") == 0 && is_option(arg, NULL, names[k]))
            return true;
    return false;
}

static int parse_plan_option(struct options *o, const char *arg,
                             const char *val)
{
    long v;

    if (val == NULL)
        return usage_error(o->command, "option %s needs a value", arg);
    if (is_option(arg, NULL, "--param")) {
        o->param = val;
    } else if (is_option(arg, NULL, "--from")) {
        o->from = val;
    } else if (is_option(arg, NULL, "--to")) {
        o->to = val;
    } else if (is_option(arg, NULL, "--resolution")) {
        o->resolution = val;
    } else {
        v = parse_count(val, 2, SIM_PLAN_MAX_REPS);
        if (v < 0)
            return usage_error(o->command, "--max-replications \"%s\" is "
                               "not a whole number from 2 to 10000", val);
        o->max_reps = (unsigned)v;
    }
    return 0;
}

/*
 * Usage error when -o names the scenario file or a directory holding it:
 * replacing the output there (--force) would destroy the input.
 */
static int check_out_dir(const struct options *o)
{
    if (o->out_dir != NULL && sim_outdir_holds(o->out_dir, o->file))
        return usage_error(o->command, "-o \"%s\" holds the scenario file; "
                           "write the output elsewhere", o->out_dir);
    return 0;
}

/* The options that take one value and may be given once (--set adds). */
static const char *const once_options[][2] = {
    {"-o", "--output"}, {NULL, "--jobs"}, {NULL, "--seed"},
    {NULL, "--replications"}, {NULL, "--budget"}, {NULL, "--charts"},
    {NULL, "--param"}, {NULL, "--from"}, {NULL, "--to"},
    {NULL, "--resolution"}, {NULL, "--max-replications"},
};

/* Usage error when arg is an option of once_options given before. */
static int note_once(struct options *o, const char *arg)
{
    size_t n = sizeof once_options / sizeof once_options[0];

    for (size_t k = 0; k < n; k++) {
        if (!is_option(arg, once_options[k][0], once_options[k][1]))
            continue;
        if (o->seen & 1u << k)
            return usage_error(o->command, "%s given twice",
                               once_options[k][1]);
        o->seen |= 1u << k;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const char *const valued[][2] = {
        {"-o", "--output"}, {NULL, "--set"}, {NULL, "--jobs"},
        {NULL, "--seed"}, {NULL, "--replications"}, {NULL, "--budget"},
        {NULL, "--charts"},
    };

    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool is_valued = false;

        if (check_applies(o, arg) != 0 || note_once(o, arg) != 0)
            return EXIT_INPUT;
        if (is_plan_option(o, arg)) {
            if (parse_plan_option(o, arg, option_value(argc, argv, &i, arg)))
                return EXIT_INPUT;
            continue;
        }
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            if (!is_option(arg, valued[k][0], valued[k][1]))
                continue;
            is_valued = true;
            if (parse_value_option(o, arg,
                                   option_value(argc, argv, &i, arg)) != 0)
                return EXIT_INPUT;
        }
        if (is_valued)
            continue;
        if (strcmp(arg, "--force") == 0)
            o->is_forced = true;
        else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)
            o->is_quiet = true;
        else if (strcmp(arg, "--resume") == 0)
            o->is_resume = true;
        else if (strcmp(arg, "--largest") == 0 &&
                 strcmp(o->command, "plan") == 0)
            o->is_largest = true;
        else if (arg[0] == '-' && arg[1] != '\0')
            return usage_error(o->command, "unknown option \"%s\"", arg);
        else if (o->file == NULL)
            o->file = arg;
        else
            return usage_error(o->command, "unexpected argument \"%s\"",
                               arg);
    }
    if (o->file == NULL)
        return usage_error(o->command, "missing the %s file",
                           strcmp(o->command, "check") == 0 ? "history"
                                                            : "scenario");
    return check_out_dir(o);
}

/*
 * Prints a problem line, naming --seed N and --replications N as the
 * user wrote them: they reach the scenario as "--set 'seed=N'".
 */
static void put_problem(const struct options *o, const char *line)
{
    const char *sets[2] = {o->seed_set, o->reps_set};
    const char *names[2] = {"--seed", "--replications"};
    char shown[2][80];
    const char *p = line;

    for (int k = 0; k < 2; k++)
        snprintf(shown[k], sizeof shown[k], "--set '%s'", sets[k]);
    while (*p != '\0') {
        int k = -1;

        for (int j = 0; j < 2 && k < 0; j++)
            if (sets[j][0] != '\0' &&
                strncmp(p, shown[j], strlen(shown[j])) == 0)
                k = j;
        if (k < 0) {
            fputc(*p++, stderr);
            continue;
        }
        fprintf(stderr, "%s %s", names[k], strchr(sets[k], '=') + 1);
        p += strlen(shown[k]);
    }
    fputc('\n', stderr);
}

/* Prints every recorded problem, one per line, and returns EXIT_INPUT. */
static int print_problems(const struct options *o, struct sim_cfg *cfg)
{
    char line[1024];

    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
        put_problem(o, sim_cfg_format(cfg, i, line, sizeof line));
    return EXIT_INPUT;
}

/* Loads the scenario; on failure prints why and sets *exit_code. */
static struct sim_scenario *load(const struct options *o, int *exit_code)
{
    struct sim_cfg *cfg = sim_cfg_new(o->file);
    struct sim_scenario *sc = NULL;
    struct sim_error err = {0};
    int rc;

    if (cfg == NULL) {
        fprintf(stderr, "distsim: out of memory\n");
        *exit_code = EXIT_RUN;
        return NULL;
    }
    rc = sim_scenario_load(cfg, o->file, o->sets, o->n_sets, kinds, N_KINDS,
                           &sc, &err);
    if (rc == SIM_EINVAL || (rc != 0 && sim_cfg_n_errors(cfg) > 0)) {
        *exit_code = print_problems(o, cfg);
    } else if (rc != 0) {
        fprintf(stderr, "distsim: %s: %s\n", o->file, err.msg);
        *exit_code = EXIT_RUN;
    }
    sim_cfg_free(cfg);
    return sc;
}

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Curves, charts and reports; says on stderr what could not be drawn. */
static int render(const struct options *o, const struct sim_scenario *sc,
                  const struct sim_summary *sum, const char *dir,
                  struct sim_error *err)
{
    struct sim_render_options ro = {
        .format = o->charts >= 0 ? o->charts : sc->plot_format,
        .parallel = o->jobs ? o->jobs : default_jobs(),
    };
    struct sim_strbuf warnings;
    int rc;

    sim_strbuf_init(&warnings);
    rc = sim_render_write(dir, sc, sum, &ro, &warnings, err);
    for (char *line = warnings.data, *nl; line != NULL && *line != '\0';
         line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        fprintf(stderr, "distsim: %.*s\n", (int)(nl - line), line);
    }
    sim_strbuf_release(&warnings);
    return rc;
}

/* Writes every output file into the directory and commits it. */
static int write_outputs(const struct options *o,
                         const struct sim_scenario *sc,
                         const struct sim_summary *sum, struct sim_error *err)
{
    struct sim_outdir od;
    char dir[4096], path[4096];
    int rc;

    if (o->out_dir != NULL)
        snprintf(dir, sizeof dir, "%s", o->out_dir);
    else
        snprintf(dir, sizeof dir, "out/%s", sc->name);
    rc = sim_outdir_begin(&od, dir, o->is_forced, err);
    if (rc == 0)
        rc = sim_summary_write_json(sum, sc, sim_outdir_path(&od,
                                    "summary.json", path, sizeof path), err);
    if (rc == 0)
        rc = sim_summary_write_tsv(sum, sim_outdir_path(&od, "metrics.tsv",
                                   path, sizeof path), err);
    if (rc == 0)
        rc = sim_summary_write_series(sum, sc, sim_outdir_path(&od,
                                      "series.tsv", path, sizeof path), err);
    if (rc == 0) {
        rc = sim_file_write(sim_outdir_path(&od, "scenario.yaml", path,
                                            sizeof path),
                            sc->text, strlen(sc->text), err);
    }
    if (rc == 0)
        rc = render(o, sc, sum, od.tmp, err);
    if (rc == 0)
        rc = sim_outdir_commit(&od, err);
    sim_outdir_release(&od);
    return rc;
}

static int report_results(const struct options *o,
                          const struct sim_scenario *sc,
                          const struct sim_batch *b)
{
    struct sim_summary sum;
    struct sim_error err = {0};
    char *table;
    int rc, n_not_met;

    rc = sim_summary_build(b, &sum, &err);
    if (rc != 0) {
        fprintf(stderr, "distsim: %s\n", err.msg);
        return EXIT_RUN;
    }
    n_not_met = sim_summary_judge(&sum, sc);
    if (n_not_met < 0) {
        sim_summary_release(&sum);
        fprintf(stderr, "distsim: out of memory\n");
        return EXIT_RUN;
    }
    if (!o->is_quiet) {
        table = sim_summary_table(&sum, sc);
        if (table != NULL)
            fputs(table, stdout);
        free(table);
    }
    rc = write_outputs(o, sc, &sum, &err);
    sim_summary_release(&sum);
    if (rc != 0) {
        fprintf(stderr, "distsim: %s\n", err.msg);
        return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
    }
    if (n_not_met > 0 && o->is_quiet)
        fprintf(stderr, "distsim: %d expectation%s missed or unsure (see "
                "summary.json)\n", n_not_met, n_not_met == 1 ? "" : "s");
    return n_not_met > 0 ? EXIT_EXPECT : 0;
}

/* The batch's progress on stderr, when it is a terminal and time passes. */
static void show_progress(void *ctx, const struct sim_batch_progress *p)
{
    struct sim_progress *view = ctx;
    char line[160];

    if (!sim_progress_update(view, p, line, sizeof line))
        return;
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
}

static int cmd_run(const struct options *o)
{
    struct sim_progress view;
    struct sim_scenario *sc;
    struct sim_batch b;
    struct sim_error err = {0};
    int exit_code = 0;
    int rc;

    sc = load(o, &exit_code);
    if (sc == NULL)
        return exit_code;
    sim_progress_start(&view, isatty(2) && !o->is_quiet);
    rc = sim_batch_run(sc, 0, sc->replications,
                       o->jobs ? o->jobs : default_jobs(), show_progress,
                       &view, &b, &err);
    if (view.is_shown)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        fprintf(stderr, "distsim: %s: %s\n", o->file, err.msg);
        sim_scenario_free(sc);
        return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
    }
    exit_code = report_results(o, sc, &b);
    sim_batch_release(&b);
    sim_scenario_free(sc);
    return exit_code;
}

/* The length of line without its " (swept value ...)" note. */
static size_t without_note(const char *line)
{
    const char *note = strstr(line, " (swept value ");

    return note != NULL ? (size_t)(note - line) : strlen(line);
}

/*
 * Prints the problems of a sweep's points; one that only repeats the one
 * before for another swept value is counted, not printed again.
 */
static void print_sweep_problems(const struct options *o,
                                 const struct sim_variant_problems *probs)
{
    size_t i = 0;

    while (i < probs->n) {
        size_t n = without_note(probs->lines[i]), same = 0;

        put_problem(o, probs->lines[i]);
        while (i + same + 1 < probs->n &&
               without_note(probs->lines[i + same + 1]) == n &&
               strncmp(probs->lines[i + same + 1], probs->lines[i], n) == 0)
            same++;
        if (same > 0)
            fprintf(stderr, "  (the same for %zu more swept value%s)\n",
                    same, same == 1 ? "" : "s");
        i += same + 1;
    }
}

/* Whether the file (known to load) has a sweep: section. */
static bool has_sweep(const char *file)
{
    struct sim_cfg *cfg = sim_cfg_new(file);
    struct sim_doc *doc = NULL;
    bool is_there;

    if (cfg != NULL)
        sim_doc_load_file(cfg, file, &doc);
    is_there = doc != NULL &&
               sim_doc_node_get(sim_doc_root(doc), "sweep") != NULL;
    sim_doc_free(doc);
    sim_cfg_free(cfg);
    return is_there;
}

/* Loads and checks every point of the sweep; 0 or an exit code. */
static int validate_sweep(const struct options *o, size_t *n_points)
{
    struct sim_variant_request rq = {
        .file = o->file, .sets = o->sets, .n_sets = o->n_sets,
        .kinds = kinds, .n_kinds = N_KINDS,
    };
    struct sim_variant_problems probs = {0};
    struct sim_sweeprun *run = NULL;
    struct sim_error err = {0};
    int rc = sim_sweeprun_load(&rq, &run, &probs, &err);

    print_sweep_problems(o, &probs);
    sim_variant_problems_release(&probs);
    if (rc != 0 && rc != SIM_EINVAL)
        fprintf(stderr, "distsim: %s: %s\n", o->file, err.msg);
    if (rc != 0)
        return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
    *n_points = sim_sweeprun_n_points(run);
    sim_sweeprun_free(run);
    return 0;
}

static int cmd_validate(const struct options *o)
{
    int exit_code = 0;
    struct sim_scenario *sc = load(o, &exit_code);
    size_t n_points = 0;
    char sweep[64] = "";

    if (sc == NULL)
        return exit_code;
    if (has_sweep(o->file))
        exit_code = validate_sweep(o, &n_points);
    if (exit_code == 0 && n_points > 0)
        snprintf(sweep, sizeof sweep, "; a sweep of %zu point%s", n_points,
                 n_points == 1 ? "" : "s");
    if (exit_code == 0)
        printf("%s: ok (scenario %s, %u replication%s%s)\n", o->file,
               sc->name, sc->replications, sc->replications == 1 ? "" : "s",
               sweep);
    sim_scenario_free(sc);
    return exit_code;
}

static int cmd_check(const struct options *o)
{
    struct history *h = NULL;
    struct lincheck_result res;
    struct sim_error err = {0};
    char *text;
    int rc;

    rc = history_load(o->file, &h, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == SIM_EINVAL || rc == SIM_EIO ? EXIT_INPUT : EXIT_RUN;
    }
    rc = lincheck_check(h, o->budget_s > 0 ? o->budget_s : DEFAULT_BUDGET_S,
                        &res, &err);
    history_free(h);
    if (rc != 0) {
        fprintf(stderr, "distsim: %s: %s\n", o->file, err.msg);
        return EXIT_RUN;
    }
    text = lincheck_result_format(&res);
    if (text != NULL)
        fputs(text, stdout);
    free(text);
    rc = res.verdict == LINCHECK_OK ? 0
         : res.verdict == LINCHECK_VIOLATION ? EXIT_EXPECT : EXIT_RUN;
    lincheck_result_release(&res);
    return rc;
}

/* Runs a sweep; under MPI (ranks), only rank 0 prints. */
static int run_sweep(const struct options *o,
                     const struct sim_sweeprun_ranks *ranks)
{
    struct sim_variant_request rq = {
        .file = o->file, .sets = o->sets, .n_sets = o->n_sets,
        .kinds = kinds, .n_kinds = N_KINDS,
    };
    struct sim_variant_problems probs = {0};
    struct sim_sweeprun_opts opts = {0};
    struct sim_progress view;
    struct sim_sweeprun *run = NULL;
    struct sim_error err = {0};
    char dir[4096], *table = NULL;
    bool is_talker = ranks == NULL || ranks->rank == 0;
    size_t n_run, n_points;
    int rc;

    rc = sim_sweeprun_load(&rq, &run, &probs, &err);
    if (is_talker)
        print_sweep_problems(o, &probs);
    sim_variant_problems_release(&probs);
    if (rc != 0) {
        if (rc != SIM_EINVAL && is_talker)
            fprintf(stderr, "distsim: %s: %s\n", o->file, err.msg);
        return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
    }
    snprintf(dir, sizeof dir, "out/%s-sweep", sim_sweeprun_name(run));
    opts.dir = o->out_dir ? o->out_dir : dir;
    opts.jobs = o->jobs ? o->jobs : default_jobs();
    opts.is_resume = o->is_resume;
    opts.is_forced = o->is_forced;
    opts.skips_charts = o->charts == SIM_PLOT_NONE;
    opts.ranks = ranks;
    opts.progress = show_progress;
    opts.progress_ctx = &view;
    n_points = sim_sweeprun_n_points(run);
    sim_progress_start(&view, isatty(2) && !o->is_quiet && is_talker);
    rc = sim_sweeprun_execute(run, &opts, &table, &n_run, &err);
    if (view.is_shown)
        fputs("\r\033[K", stderr);
    sim_sweeprun_free(run);
    if (rc == 0 && o->is_resume && n_run == n_points && is_talker)
        fprintf(stderr, "distsim: no partial results of this sweep were "
                "found beside %s: every point was run\n", opts.dir);
    if (rc != 0) {
        if (is_talker)
            fprintf(stderr, "distsim: %s\n", err.msg);
        free(table);
        return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
    }
    if (!o->is_quiet && table != NULL)
        fputs(table, stdout);
    free(table);
    return 0;
}

static pid_t sweep_pid;                 /* the process that says it */

/* Says how to go on after an interruption, then dies of the signal. */
static void on_sweep_signal(int sig)
{
    static const char hint[] = "\ndistsim: interrupted; run the same "
                               "command with --resume to finish the sweep\n";

    if (getpid() == sweep_pid && write(2, hint, sizeof hint - 1) < 0)
        sweep_pid = 0;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A sweep alone, or as one rank of an MPI job when mpirun started it. */
static int cmd_sweep(const struct options *o)
{
    struct sim_sweeprun_ranks ranks;
    struct sim_error err = {0};
    int exit_code;

    sweep_pid = getpid();
    signal(SIGINT, on_sweep_signal);
    signal(SIGTERM, on_sweep_signal);
    if (!sim_ranks_is_launched())
        return run_sweep(o, NULL);
    if (sim_ranks_start(&ranks, &err) != 0) {
        fprintf(stderr, "distsim: %s\n", err.msg);
        return EXIT_RUN;
    }
    exit_code = run_sweep(o, &ranks);
    sim_ranks_stop(&ranks);
    return exit_code;
}

static void show_point(void *ctx, const char *line)
{
    (void)ctx;
    printf("  %s\n", line);
    fflush(stdout);
}

/* Reports a plan's failure; its exit code. */
static int plan_failed(int rc, const struct sim_error *err)
{
    if (err->msg[0] != '\0')
        fprintf(stderr, "distsim: %s\n", err->msg);
    return rc == SIM_EINVAL ? EXIT_INPUT : EXIT_RUN;
}

static int cmd_plan(const struct options *o)
{
    struct sim_plan_request rq = {
        .base = {.file = o->file, .sets = o->sets, .n_sets = o->n_sets,
                 .kinds = kinds, .n_kinds = N_KINDS},
        .key = o->param, .from = o->from, .to = o->to,
        .resolution = o->resolution, .is_largest = o->is_largest,
        .max_reps = o->max_reps ? o->max_reps : SIM_PLAN_DEFAULT_MAX_REPS,
        .jobs = o->jobs ? o->jobs : default_jobs(), .dir = o->out_dir,
        .is_forced = o->is_forced, .has_charts = o->charts != SIM_PLOT_NONE,
        .is_answer_only = o->is_quiet,
        .on_point = o->is_quiet ? NULL : show_point,
    };
    struct sim_variant_problems probs = {0};
    struct sim_error err = {0};
    char *text = NULL;
    bool is_found;
    int rc;

    if (o->param == NULL || o->from == NULL || o->to == NULL)
        return usage_error(o->command, "missing %s", o->param == NULL
                           ? "--param KEY" : o->from == NULL
                           ? "--from VALUE" : "--to VALUE");
    rc = sim_plan_run(&rq, &is_found, &text, &probs, &err);
    for (size_t i = 0; i < probs.n; i++)
        put_problem(o, probs.lines[i]);
    sim_variant_problems_release(&probs);
    if (rc != 0)
        return plan_failed(rc, &err);
    fputs(text, stdout);
    free(text);
    return is_found ? 0 : EXIT_EXPECT;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct options o = {.charts = -1};
    const char *cmd = argc > 1 ? argv[1] : "";

    gsl_set_error_handler_off();
    if (strcmp(cmd, "--version") == 0 && argc > 2) {
        fprintf(stderr, "distsim: --version takes no arguments\n");
        return EXIT_INPUT;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("distsim %s (%s)\n", SIM_VERSION, sim_ranks_build());
        return 0;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    o.command = cmd;
    if (sim_ranks_is_launched() && strcmp(cmd, "sweep") != 0) {
        fprintf(stderr, "distsim %s: only sweep divides its work among "
                "MPI ranks; start this command without mpirun\n", cmd);
        return EXIT_INPUT;
    }
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "validate") == 0) {
        bool is_run = cmd[0] == 'r';

        if (wants_help(argc, argv)) {
            fputs(is_run ? usage_run : usage_validate, stdout);
            return 0;
        }
        if (parse_args(argc, argv, &o) != 0)
            return EXIT_INPUT;
        return is_run ? cmd_run(&o) : cmd_validate(&o);
    }
    if (strcmp(cmd, "sweep") == 0) {
        if (wants_help(argc, argv)) {
            fputs(usage_sweep, stdout);
            return 0;
        }
        return parse_args(argc, argv, &o) != 0 ? EXIT_INPUT : cmd_sweep(&o);
    }
    if (strcmp(cmd, "plan") == 0) {
        if (wants_help(argc, argv)) {
            fputs(usage_plan, stdout);
            return 0;
        }
        return parse_args(argc, argv, &o) != 0 ? EXIT_INPUT : cmd_plan(&o);
    }
    if (strcmp(cmd, "check") == 0) {
        if (wants_help(argc, argv)) {
            fputs(usage_check, stdout);
            return 0;
        }
        return parse_args(argc, argv, &o) != 0 ? EXIT_INPUT : cmd_check(&o);
    }
    if (argc < 2)
        fputs(usage_main, stderr);
    else
        fprintf(stderr, "distsim: unknown command \"%s\" (see distsim "
                "--help)\n", cmd);
    return EXIT_INPUT;
}
