/* SPDX-License-Identifier: MIT */
/*
 * shape.c - matching reported settings to an analytic model. Settings are
 * text ("exponential(mean 1ms)", "3000/s"), read back with the strict unit
 * parsers; any setting the models leave out (a timeout, retries, a
 * network, a cache, a bounded queue other than none) means no model.
 */
#include "sim/shape.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/analytic.h"
#include "sim/units.h"

#define SHAPE_MAX_STATIONS 16

static const char *setting(const struct sim_report *rep, const char *scope,
                           const char *key)
{
    for (size_t i = 0; i < rep->n_settings; i++)
        if (strcmp(rep->settings[i].scope, scope) == 0 &&
            strcmp(rep->settings[i].key, key) == 0)
            return rep->settings[i].value;
    return NULL;
}

/* A whole-number setting, 0 when absent. */
static unsigned setting_count(const struct sim_report *rep,
                              const char *scope, const char *key)
{
    const char *v = setting(rep, scope, key);

    return v == NULL ? 0 : (unsigned)strtoul(v, NULL, 10);
}

/* The mean of "exponential(mean X)" in seconds, or -1. */
static double exp_mean(const char *text)
{
    char inner[64];
    sim_time t;
    char why[128];
    size_t n;

    if (text == NULL || strncmp(text, "exponential(mean ", 17) != 0)
        return -1;
    snprintf(inner, sizeof inner, "%s", text + 17);
    n = strlen(inner);
    if (n == 0 || inner[n - 1] != ')')
        return -1;
    inner[n - 1] = '\0';
    if (sim_units_duration(inner, &t, why, sizeof why) != 0 || t <= 0)
        return -1;
    return sim_time_to_s(t);
}

/* Exponential service, the same for every operation: its mean, or -1. */
static double service_mean(const struct sim_report *rep, const char *scope)
{
    const char *r = setting(rep, scope, "service (read)");
    const char *w = setting(rep, scope, "service (write)");
    const char *c = setting(rep, scope, "service (cas)");

    if (r == NULL || w == NULL || c == NULL || strcmp(r, w) != 0 ||
        strcmp(r, c) != 0)
        return -1;
    return exp_mean(r);
}

/* Counts the client and server scopes; false when another kind exists. */
static bool scopes(const struct sim_report *rep, const char **client,
                   size_t *n_clients, const char **servers, size_t *n_srv,
                   struct sim_shape *out)
{
    *n_clients = *n_srv = 0;
    for (size_t i = 0; i < rep->n_settings; i++) {
        const char *s = rep->settings[i].scope;
        bool is_new = i == 0 || strcmp(s, rep->settings[i - 1].scope) != 0;

        if (!is_new)
            continue;
        if (strncmp(s, "client ", 7) == 0) {
            *client = s;
            (*n_clients)++;
        } else if (strncmp(s, "server ", 7) == 0 &&
                   *n_srv < SHAPE_MAX_STATIONS) {
            servers[(*n_srv)++] = s;
        } else {
            char kind[32];
            size_t n = strcspn(s, " ");

            /* "load_balancer edge" reads "a load balancer edge" */
            snprintf(kind, sizeof kind, "%.*s", (int)n, s);
            for (char *c = kind; *c != '\0'; c++)
                *c = *c == '_' ? ' ' : *c;
            snprintf(out->why, sizeof out->why, "the scenario has a %s%s, "
                     "which no analytic model here includes", kind, s + n);
            return false;
        }
    }
    if (*n_clients != 1 || *n_srv == 0) {
        snprintf(out->why, sizeof out->why, "the models need exactly one "
                 "client and at least one server");
        return false;
    }
    return true;
}

static bool is_plain_client(const struct sim_report *rep, const char *c)
{
    const char *t = setting(rep, c, "timeout");
    const char *r = setting(rep, c, "retries");

    return t != NULL && strcmp(t, "none") == 0 && r != NULL &&
           strcmp(r, "0") == 0;
}

static void add_fig(struct sim_shape *out, const char *scope,
                    const char *name, double v)
{
    struct sim_shape_figure *f = &out->figs[out->n_figs++];

    snprintf(f->scope, sizeof f->scope, "%s", scope);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->value = v;
}

/*
 * M/M/c offered c or more erlangs: the queue grows without bound, so the
 * figures are their limits (every arrival waits, for ever longer).
 */
static void unstable(struct sim_shape *out, const char *client,
                     const char *server, unsigned c, double a)
{
    snprintf(out->why, sizeof out->why, "the offered load (%.4g erlangs) "
             "is at least the %u servers: no steady state", a, c);
    snprintf(out->model, sizeof out->model, "M/M/%u (Erlang C), %.4g "
             "erlangs offered: unstable", c, a);
    add_fig(out, server, "p_wait", 1);
    add_fig(out, server, "waiting_time.mean", INFINITY);
    add_fig(out, server, "utilisation", 1);
    add_fig(out, client, "response_time.mean", INFINITY);
    out->is_unstable = true;
}

/* Open: Poisson arrivals at one group of c exponential workers. */
static void match_open(const struct sim_report *rep, const char *client,
                       const char *server, struct sim_shape *out)
{
    const char *rate = setting(rep, client, "rate");
    const char *cap = setting(rep, server, "queue capacity");
    unsigned count = setting_count(rep, server, "count");
    unsigned c = setting_count(rep, server, "workers");
    double lambda, s = service_mean(rep, server), a;
    char why[128];

    if (rate == NULL || sim_units_rate(rate, &lambda, why, sizeof why) != 0
        || s <= 0 || count < 1 || c < 1 || cap == NULL ||
        setting(rep, server, "next 1") != NULL) {
        snprintf(out->why, sizeof out->why, "arrivals are not Poisson into "
                 "one group of exponential servers");
        return;
    }
    /* A group of count instances picked at random: each gets lambda/count. */
    lambda /= count;
    a = lambda * s;
    if (strcmp(cap, "0") == 0) {
        snprintf(out->model, sizeof out->model, "M/M/%u/%u loss system "
                 "(Erlang B), %.4g erlangs offered", c, c, a);
        add_fig(out, server, "p_reject", sim_analytic_erlang_b(c, a));
        return;
    }
    if (strcmp(cap, "unbounded") != 0) {
        snprintf(out->why, sizeof out->why, "a bounded queue is not among "
                 "the models");
        return;
    }
    if (a >= c) {
        unstable(out, client, server, c, a);
        return;
    }
    snprintf(out->model, sizeof out->model, "M/M/%u (Erlang C), %.4g "
             "erlangs offered, mean service %.4g ms", c, a, 1e3 * s);
    add_fig(out, server, "p_wait", sim_analytic_erlang_c(c, a));
    add_fig(out, server, "waiting_time.mean",
            sim_analytic_mmc_wait(c, lambda, s));
    add_fig(out, server, "utilisation", a / c);
    add_fig(out, client, "response_time.mean",
            sim_analytic_mmc_wait(c, lambda, s) + s);
}

/* Visits per request to each station, following the routes. */
static bool visits(const struct sim_report *rep, const char *const *srv,
                   size_t n, const char *target, double *v)
{
    for (size_t k = 0; k < n; k++)
        v[k] = strcmp(srv[k] + 7, target) == 0;
    for (size_t k = 0; k < n; k++) {
        const char *nx = setting(rep, srv[k], "next 1");
        char to[64];
        double p;

        if (nx == NULL)
            continue;
        if (setting(rep, srv[k], "next 2") != NULL ||
            sscanf(nx, "%63s with probability %lf", to, &p) != 2 || p != 1)
            return false;
        for (size_t j = 0; j < n; j++)
            if (strcmp(srv[j] + 7, to) == 0 && j > k)
                v[j] += v[k];
    }
    return true;
}

/* Closed: users cycling through single-server exponential stations. */
static void match_closed(const struct sim_report *rep, const char *client,
                         const char *const *srv, size_t n,
                         struct sim_shape *out)
{
    unsigned users = setting_count(rep, client, "users");
    const char *think = setting(rep, client, "think");
    double z = think && strcmp(think, "none") == 0 ? 0 : exp_mean(think);
    double d[SHAPE_MAX_STATIONS], v[SHAPE_MAX_STATIONS];
    struct sim_analytic_mva mva;
    const char *target = setting(rep, client, "target");

    for (size_t k = 0; k < n; k++) {
        const char *cap = setting(rep, srv[k], "queue capacity");
        const char *cnt = setting(rep, srv[k], "count");
        const char *wk = setting(rep, srv[k], "workers");

        d[k] = service_mean(rep, srv[k]);
        if (d[k] <= 0 || !cap || strcmp(cap, "unbounded") != 0 || !cnt ||
            strcmp(cnt, "1") != 0 || !wk || strcmp(wk, "1") != 0) {
            snprintf(out->why, sizeof out->why, "MVA here needs single "
                     "exponential servers with unbounded queues");
            return;
        }
    }
    if (z < 0 || target == NULL || !visits(rep, srv, n, target, v) ||
        users < 1) {
        snprintf(out->why, sizeof out->why, "MVA here needs exponential "
                 "think time and a fixed path through the stations");
        return;
    }
    for (size_t k = 0; k < n; k++)
        d[k] *= v[k];
    if (sim_analytic_mva(users, z, d, n, &mva) != 0) {
        snprintf(out->why, sizeof out->why, "a station is never visited");
        return;
    }
    snprintf(out->model, sizeof out->model, "closed network, %u users, "
             "think %.4g s, %zu station%s (exact MVA)", users, z, n,
             n == 1 ? "" : "s");
    add_fig(out, client, "throughput", mva.throughput_per_s);
    add_fig(out, client, "response_time.mean", mva.response_s);
}

void sim_shape_match(const struct sim_report *rep, struct sim_shape *out)
{
    const char *client = NULL, *servers[SHAPE_MAX_STATIONS];
    size_t n_clients, n_servers;

    memset(out, 0, sizeof *out);
    if (!scopes(rep, &client, &n_clients, servers, &n_servers, out))
        return;
    if (!is_plain_client(rep, client)) {
        snprintf(out->why, sizeof out->why, "the client has a timeout or "
                 "retries, which the models leave out");
        return;
    }
    if (setting(rep, client, "users") != NULL) {
        match_closed(rep, client, servers, n_servers, out);
        return;
    }
    if (n_servers != 1 || setting(rep, client, "arrival") == NULL ||
        strcmp(setting(rep, client, "arrival"), "poisson") != 0) {
        snprintf(out->why, sizeof out->why, "the open models need Poisson "
                 "arrivals into a single group of servers");
        return;
    }
    match_open(rep, client, servers[0], out);
}
