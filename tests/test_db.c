/* SPDX-License-Identifier: MIT */
/*
 * test_db.c - the replicated, sharded database. Exact cases run the model
 * with constant times on a hand-made network and scripted callers (a
 * "tester" entity) and faults (a "faults" entity calling the engine), so
 * every time and version can be predicted; statistical cases compare with
 * theory inside 99.9% intervals; the last tests check every message.
 */
#include "models/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "models/client.h"
#include "models/db_shard.h"
#include "models/faults.h"
#include "models/keys.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/run.h"

#define Z_999 3.2905                    /* two-sided 99.9% normal quantile */
#define MAX_STEPS 8192
#define MAX_LINKS 16
#define MAX_FAULTS 16

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &server_ops, &db_ops,
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* --- loading YAML ------------------------------------------------------- */

/*
 * Writes yaml to a temporary file and loads it; cfg keeps the problems. A
 * scenario needs a client: one without gets an idle one, which thinks for
 * longer than any run here, so the test entities alone drive the database.
 */
static int load_text(const char *yaml, struct sim_cfg **cfg,
                     struct sim_scenario **sc)
{
    char path[] = TEST_TMP "distsim-db-XXXXXX";
    struct sim_error err = {0};
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc;

    CHECK(f != NULL);
    fputs(yaml, f);
    if (strstr(yaml, "clients:") == NULL)
        fputs("clients:\n  - {name: idle, users: 1, target: orders,\n"
              "     think: {dist: constant, value: 1h}}\n", f);
    fclose(f);
    *cfg = sim_cfg_new(path);
    *sc = NULL;
    rc = sim_scenario_load(*cfg, path, NULL, 0, kinds, N_KINDS, sc, &err);
    unlink(path);
    return rc;
}

/* --- a scripted run: the model plus test entities ------------------------ */

/* FAULT_HEAL heals every cut made so far. */
enum fault_kind { FAULT_CUT, FAULT_HEAL, FAULT_CRASH, FAULT_RESTART };

struct fault {
    sim_time at;
    enum fault_kind kind;
    const char *a, *b;                  /* entity or group names */
};

/* Calls the engine's fault functions at scripted times. */
struct faults {
    uint32_t id;
    struct fault list[MAX_FAULTS];
    size_t n;
    uint64_t cuts[MAX_FAULTS];          /* handles of the cuts made */
    size_t n_cuts;
};

static void faults_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct faults *fs = state;
    const struct fault *f = &fs->list[ev->payload.u64];
    const uint32_t *a = NULL, *b;
    size_t n_a = f->a != NULL ? sim_lookup(sim, f->a, &a) : 0, n_b;

    switch (f->kind) {
    case FAULT_CUT:
        n_b = sim_lookup(sim, f->b, &b);
        fs->cuts[fs->n_cuts++] = sim_cut_add(sim, a, n_a, b, n_b, false);
        break;
    case FAULT_HEAL:
        for (size_t i = 0; i < fs->n_cuts; i++)
            sim_cut_heal(sim, fs->cuts[i]);
        break;
    case FAULT_CRASH:
        for (size_t i = 0; i < n_a; i++)
            sim_entity_crash(sim, a[i]);
        break;
    case FAULT_RESTART:
        for (size_t i = 0; i < n_a; i++)
            sim_entity_restart(sim, a[i]);
        break;
    }
}

/* One request a tester sends, and what came back. */
struct step {
    sim_time at;                        /* when it is sent */
    int op;
    uint64_t key;
    bool is_followed;                   /* a write then read at once */
    /* filled by the run */
    bool is_done;
    int status;
    uint64_t version;
    sim_time replied;
    sim_time wait;                      /* the answer's wait_ns */
    sim_time service;                   /* the answer's service_ns */
    uint64_t latest_at_send;            /* truth when it was sent */
    uint64_t latest_at_reply;           /* truth when it was answered */
    uint64_t read_version;              /* the follow-up read's answer */
    uint64_t read_latest;               /* truth when that read was sent */
    bool is_read_done;
};

/* A scripted caller: sends its steps to the database and records. */
struct tester {
    uint32_t id;
    uint32_t target;
    uint32_t store;
    struct step *steps;
    size_t n;
};

static void tester_send(struct sim *sim, struct tester *t, size_t i,
                        int op)
{
    struct sim_req *req = sim_req_new(sim, t->id);
    struct step *s = &t->steps[i];
    uint64_t latest = sim_truth_latest(sim_truth(sim), t->store, s->key,
                                       sim_now(sim), NULL);

    CHECK(req != NULL);
    req->op = (uint8_t)op;
    req->key = s->key;
    req->tag.u64 = i << 1 | (op == SIM_OP_READ && s->op != SIM_OP_READ);
    if (req->tag.u64 & 1)
        s->read_latest = latest;
    else
        s->latest_at_send = latest;
    sim_req_call(sim, t->id, t->target, req);
}

static void tester_reply(struct sim *sim, struct tester *t,
                         struct sim_req *req)
{
    struct step *s = &t->steps[req->tag.u64 >> 1];

    if (req->tag.u64 & 1) {
        s->read_version = req->version;
        s->is_read_done = true;
    } else {
        s->is_done = true;
        s->latest_at_reply = sim_truth_latest(sim_truth(sim), t->store,
                                              s->key, sim_now(sim), NULL);
        s->status = req->status;
        s->version = req->version;
        s->replied = sim_now(sim);
        s->wait = req->wait_ns;
        s->service = req->service_ns;
        if (s->is_followed && req->status == SIM_REQ_OK)
            tester_send(sim, t, req->tag.u64 >> 1, SIM_OP_READ);
    }
    sim_req_release(sim, req);
}

static void tester_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct tester *t = state;

    if (ev->type == SIM_EV_USER)
        tester_send(sim, t, ev->payload.u64, t->steps[ev->payload.u64].op);
    else if (ev->type == SIM_EV_REPLY)
        tester_reply(sim, t, ev->payload.ptr);
}

/* A network of constant delays: per pair of names, else none. */
struct link {
    const char *a, *b;
    sim_time delay;                     /* both ways */
};

struct net {
    struct link links[MAX_LINKS];
    size_t n;
    uint32_t ids[MAX_LINKS][2];         /* resolved */
};

static bool net_route(void *ctx, struct sim *sim, uint32_t from, uint32_t to,
                      const struct sim_req *req, sim_time *delay, int *reason)
{
    const struct net *net = ctx;

    (void)sim;
    (void)req;
    (void)reason;
    *delay = 0;
    for (size_t i = 0; i < net->n; i++)
        if ((net->ids[i][0] == from && net->ids[i][1] == to) ||
            (net->ids[i][0] == to && net->ids[i][1] == from))
            *delay = net->links[i].delay;
    return true;
}

/* Everything a scripted run needs. */
struct rig {
    struct sim_cfg *cfg;
    struct sim_scenario *sc;
    struct sim *sim;
    struct tester testers[2];
    struct faults faults;
    struct net net;
    struct sim_report rep;
};

/* Loads the database from yaml and builds replication 0 of it. */
static void rig_init(struct rig *g, const char *yaml)
{
    struct sim_error err = {0};
    char line[512];

    memset(g, 0, sizeof *g);
    if (load_text(yaml, &g->cfg, &g->sc) != 0) {
        printf("  %s\n", sim_cfg_n_errors(g->cfg)
                             ? sim_cfg_format(g->cfg, 0, line, sizeof line)
                             : "load failed");
        CHECK(!"scenario loads");
    }
    CHECK_EQ_INT(sim_scenario_build(g->sc, g->cfg, 0, &g->sim, &err), 0);
    for (int i = 0; i < 2; i++) {
        struct tester *t = &g->testers[i];
        t->id = sim_entity_add(g->sim, i == 0 ? "tester0" : "tester1",
                               tester_handle, t);
        t->target = sim_entity_find(g->sim, "orders");
        t->store = sim_truth_store(sim_truth(g->sim), "orders");
        t->steps = calloc(MAX_STEPS, sizeof *t->steps);
        CHECK(t->steps != NULL);
    }
    g->faults.id = sim_entity_add(g->sim, "faults", faults_handle,
                                  &g->faults);
}

static void rig_step(struct rig *g, int who, sim_time at, int op,
                     uint64_t key, bool is_followed)
{
    struct tester *t = &g->testers[who];
    struct step *s = &t->steps[t->n];

    CHECK(t->n < MAX_STEPS);
    s->at = at;
    s->op = op;
    s->key = key;
    s->is_followed = is_followed;
    sim_schedule(g->sim, at, t->id, SIM_EV_USER,
                 (union sim_payload){.u64 = t->n});
    t->n++;
}

static void rig_fault(struct rig *g, sim_time at, enum fault_kind kind,
                      const char *a, const char *b)
{
    struct faults *fs = &g->faults;

    CHECK(fs->n < MAX_FAULTS);
    fs->list[fs->n] = (struct fault){.at = at, .kind = kind, .a = a, .b = b};
    sim_schedule(g->sim, at, fs->id, SIM_EV_USER,
                 (union sim_payload){.u64 = fs->n});
    fs->n++;
}

static void rig_link(struct rig *g, const char *a, const char *b,
                     sim_time delay)
{
    struct net *net = &g->net;

    CHECK(net->n < MAX_LINKS);
    net->links[net->n] = (struct link){.a = a, .b = b, .delay = delay};
    net->ids[net->n][0] = sim_entity_find(g->sim, a);
    net->ids[net->n][1] = sim_entity_find(g->sim, b);
    CHECK(net->ids[net->n][0] != SIM_NO_ENTITY);
    CHECK(net->ids[net->n][1] != SIM_NO_ENTITY);
    net->n++;
}

static void rig_zone(struct rig *g, const char *name, uint32_t zone)
{
    uint32_t id = sim_entity_find(g->sim, name);

    CHECK(id != SIM_NO_ENTITY);
    sim_entity_set_zone(g->sim, id, zone);
}

static void rig_run(struct rig *g)
{
    struct sim_error err = {0};

    sim_set_transport(g->sim, net_route, &g->net);
    CHECK_EQ_INT(sim_run(g->sim, &err), 0);
    sim_report_init(&g->rep);
    sim_report(g->sim, &g->rep);
    CHECK_EQ_INT(g->rep.status, 0);
}

static double rig_figure(const struct rig *g, const char *scope,
                         const char *name)
{
    for (size_t i = 0; i < g->rep.n_metrics; i++)
        if (strcmp(g->rep.metrics[i].scope, scope) == 0 &&
            strcmp(g->rep.metrics[i].name, name) == 0)
            return g->rep.metrics[i].value;
    printf("  no figure \"%s\" in scope \"%s\"\n", name, scope);
    CHECK(!"figure exists");
    return NAN;
}

static void rig_release(struct rig *g)
{
    sim_report_release(&g->rep);
    sim_free(g->sim);
    sim_scenario_free(g->sc);
    sim_cfg_free(g->cfg);
    for (int i = 0; i < 2; i++)
        free(g->testers[i].steps);
}

/* Whether the books of a scope with "arrived" balance. */
static bool balances(const struct rig *g, const char *scope)
{
    double in = rig_figure(g, scope, "present_start") +
                rig_figure(g, scope, "arrived");
    double out = rig_figure(g, scope, "completed") +
                 rig_figure(g, scope, "rejected") +
                 rig_figure(g, scope, "dropped") +
                 rig_figure(g, scope, "present_end");

    return in == out;
}

/* --- exact cases with constant times ------------------------------------ */

/*
 * One shard of three replicas; service 1 ms, apply_lag 2 ms. The leader
 * is 1 ms from orders.0.1 and 5 ms from orders.0.2; every other hop
 * takes no time. Series have windows of the given width.
 */
static void windowed_rig(struct rig *g, const char *replication,
                         const char *window)
{
    char yaml[1024];

    snprintf(yaml, sizeof yaml,
             "name: exact\nduration: 1s\nreplications: 1\nwindow: %s\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: %s\n"
             "    apply_lag: {dist: constant, value: 2ms}\n"
             "    reads: nearest\n"
             "    service: {dist: constant, value: 1ms}\n", window,
             replication);
    rig_init(g, yaml);
    rig_link(g, "orders.0.0", "orders.0.1", 1 * SIM_MS);
    rig_link(g, "orders.0.0", "orders.0.2", 5 * SIM_MS);
}

/* The same with windows of 10 ms. */
static void exact_rig(struct rig *g, const char *replication)
{
    windowed_rig(g, replication, "10ms");
}

/*
 * A write sent at 10 ms is served by the leader until 11 ms, reaches the
 * followers at 12 and 16 ms, is applied at 14 and 18 ms, and their acks
 * are back at 15 and 23 ms.
 */
static void test_db__sync_write_is_acked_after_the_slowest_replica(void)
{
    struct rig g;
    const struct step *s;

    exact_rig(&g, "sync");
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_run(&g);
    s = &g.testers[0].steps[0];
    CHECK(s->is_done);
    CHECK_EQ_INT(s->status, SIM_REQ_OK);
    CHECK_EQ_INT(s->version, 1);
    CHECK_EQ_INT(s->replied, 23 * SIM_MS);
    CHECK_NEAR(rig_figure(&g, "database orders", "replication_lag.mean"),
               0, 0);
    rig_release(&g);
}

static void test_db__semi_sync_waits_for_the_fastest_follower(void)
{
    struct rig g;
    const struct step *s;

    exact_rig(&g, "semi-sync\n    acks: 1");
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_run(&g);
    s = &g.testers[0].steps[0];
    CHECK_EQ_INT(s->status, SIM_REQ_OK);
    CHECK_EQ_INT(s->replied, 15 * SIM_MS);
    rig_release(&g);
}

/*
 * Async acknowledges after the leader's service (11 ms). A read sent then
 * to orders.0.2 (the tester's zone) is served at 12 ms, before the write
 * arrives there (16 ms): it returns version 0, stale. At 30 ms it has it.
 */
static void test_db__async_acks_at_once_and_followers_lag(void)
{
    struct rig g;
    const struct step *s;

    exact_rig(&g, "async");
    rig_zone(&g, "tester0", 7);
    rig_zone(&g, "orders.0.2", 7);
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, true);
    rig_step(&g, 0, 30 * SIM_MS, SIM_OP_READ, 42, false);
    rig_run(&g);
    s = &g.testers[0].steps[0];
    CHECK_EQ_INT(s->status, SIM_REQ_OK);
    CHECK_EQ_INT(s->replied, 11 * SIM_MS);
    CHECK(s->is_read_done);
    CHECK_EQ_INT(s->read_latest, 1);
    CHECK_EQ_INT(s->read_version, 0);
    CHECK_EQ_INT(g.testers[0].steps[1].version, 1);
    /* Lag: 14 - 11 ms on orders.0.1, 18 - 11 ms on orders.0.2. */
    CHECK_NEAR(rig_figure(&g, "database orders", "replication_lag.mean"),
               0.005, 1e-12);
    CHECK(balances(&g, "database orders"));
    CHECK(balances(&g, "database orders.0.0"));
    rig_release(&g);
}

/* Window w of the series name of scope, or NaN (checked) when absent. */
static double rig_window(const struct rig *g, const char *scope,
                         const char *name, size_t w)
{
    for (size_t i = 0; i < g->rep.n_series; i++) {
        const struct sim_series *ser = &g->rep.series[i];

        if (strcmp(ser->scope, scope) == 0 && strcmp(ser->name, name) == 0)
            return w < ser->n_values ? ser->values[w] : NAN;
    }
    printf("  no series \"%s\" in scope \"%s\"\n", name, scope);
    CHECK(!"series exists");
    return NAN;
}

/*
 * The lag series is the time-average of how long the oldest entry a
 * follower lacks has waited. The write logged at 11 ms is applied at
 * 14 ms on orders.0.1 and at 18 ms on orders.0.2: lags rising from 0 to
 * 3 and 7 ms, whose integrals (4.5 and 24.5 ms^2) averaged over the
 * first 100 ms window and the two followers give 0.145 ms.
 */
static void test_db__lag_series_averages_the_oldest_unapplied_entry(void)
{
    struct rig g;

    windowed_rig(&g, "async", "100ms");
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_run(&g);
    CHECK_NEAR(rig_window(&g, "database orders.0", "replication_lag", 0),
               29e-6 / 2 / 0.1, 1e-12);
    CHECK_NEAR(rig_window(&g, "database orders.0", "replication_lag", 1),
               0, 0);
    rig_release(&g);
}

/*
 * orders.0.2 is cut off from 100 ms to the end; the write logged at
 * 211 ms never reaches it, while orders.0.1 applies it at 214 ms. Its
 * lag, t - 211 ms, keeps growing although nothing is applied: the window
 * [300, 400) ms averages (0.139 + 0) / 2 s, and each later window 50 ms
 * more.
 */
static void test_db__lag_of_a_cut_off_follower_keeps_growing(void)
{
    struct rig g;
    double prev = 0;

    windowed_rig(&g, "async", "100ms");
    rig_fault(&g, 100 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_step(&g, 0, 210 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_run(&g);
    for (size_t w = 3; w < 10; w++) {
        double lag = rig_window(&g, "database orders.0", "replication_lag",
                                w);

        CHECK_NEAR(lag, (0.1 * (double)w - 0.211 + 0.05) / 2, 1e-9);
        CHECK(lag > prev);
        prev = lag;
    }
    rig_release(&g);
}

/* Quorum replicas follow no log: there is no lag series to draw. */
static void test_db__quorum_has_no_lag_series(void)
{
    struct rig g;

    exact_rig(&g, "quorum\n    quorum: {n: 3, w: 2, r: 2}");
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_run(&g);
    for (size_t i = 0; i < g.rep.n_series; i++)
        CHECK(strcmp(g.rep.series[i].name, "replication_lag") != 0);
    rig_release(&g);
}

/*
 * The same stale read, with the history checked: the violation becomes
 * one timeline note that reads as a sentence, times in seconds.
 */
static void test_db__a_linearizability_violation_reads_well(void)
{
    struct rig g;

    rig_init(&g, "name: exact\nduration: 1s\nreplications: 1\n"
             "check: linearizability\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: async\n"
             "    apply_lag: {dist: constant, value: 2ms}\n"
             "    reads: nearest\n"
             "    service: {dist: constant, value: 1ms}\n");
    rig_link(&g, "orders.0.0", "orders.0.2", 5 * SIM_MS);
    rig_zone(&g, "tester0", 7);
    rig_zone(&g, "orders.0.2", 7);
    rig_step(&g, 0, 10 * SIM_MS, SIM_OP_WRITE, 42, false);
    rig_step(&g, 0, 12 * SIM_MS, SIM_OP_READ, 42, false);
    rig_run(&g);
    CHECK_EQ_INT(g.rep.n_notes, 1);
    CHECK_EQ_STR(g.rep.notes[0].kind, "linearizability");
    CHECK_EQ_STR(g.rep.notes[0].text, "database orders: not linearizable: "
                 "key \"42\": no order satisfies these 2 operations: p5 "
                 "write 1 (0.01 s to 0.011 s); p5 read -> nil (0.012 s to "
                 "0.013 s). Why: the read returns the initial value, but it "
                 "began after the write of 1 completed.");
    rig_release(&g);
}

/* --- failover ----------------------------------------------------------- */

/*
 * Async, three replicas, failover after 500 ms of silence. A write every
 * 2 ms (keys 0..19) from 0 to 1498 ms; at 1000 ms the leader is cut off
 * from its followers (not from the front door), at 1500 ms it crashes.
 * Writes acknowledged from 1000 ms on never left it: 250 of them.
 */
static void test_db__failover_under_async_loses_acked_writes(void)
{
    struct rig g;
    const struct tester *t;
    uint64_t newest[20] = {0}, tally = 0;

    rig_init(&g, "name: failover\nduration: 4s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: async\n    workers: 4\n"
             "    apply_lag: {dist: constant, value: 1ms}\n"
             "    failover: {detect_after: 500ms}\n"
             "    service: {dist: constant, value: 100us}\n");
    for (int k = 0; k < 750; k++)
        rig_step(&g, 0, 2 * k * SIM_MS, SIM_OP_WRITE, (uint64_t)k % 20,
                 false);
    for (int k = 0; k < 20; k++)
        rig_step(&g, 0, 3 * SIM_S, SIM_OP_READ, (uint64_t)k, false);
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.1");
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_fault(&g, 1500 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_run(&g);
    t = &g.testers[0];
    for (size_t i = 0; i < 750; i++) {
        CHECK_EQ_INT(t->steps[i].status, SIM_REQ_OK);
        newest[t->steps[i].key] = t->steps[i].version;
    }
    /* The independent tally: acked versions the new leader does not serve. */
    for (size_t i = 750; i < t->n; i++) {
        CHECK(t->steps[i].is_done);
        CHECK_EQ_INT(t->steps[i].status, SIM_REQ_OK);
        tally += newest[t->steps[i].key] - t->steps[i].version;
    }
    printf("  lost writes: model %.0f, tally %llu, expected 250\n",
           rig_figure(&g, "database orders", "lost_writes"),
           (unsigned long long)tally);
    CHECK_EQ_INT(tally, 250);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "lost_writes"), 250);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "failovers"), 1);
    /* Down at 1500 ms, last heard at 1375: replaced at the 2000 ms round. */
    CHECK_NEAR(rig_figure(&g, "database orders", "unavailable_time"), 0.5,
               1e-9);
    CHECK_EQ_INT(g.rep.n_notes, 2);
    CHECK_EQ_STR(g.rep.notes[0].kind, "leader lost");
    CHECK_EQ_STR(g.rep.notes[1].text, "orders.0: orders.0.1 leads, lacking "
                                      "250 acknowledged writes");
    rig_release(&g);
}

/* Without failover a leader's crash lasts until its restart. */
static void test_db__a_leader_crash_counts_as_unavailable(void)
{
    struct rig g;

    rig_init(&g, "name: down\nduration: 1s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 2\n"
             "    service: {dist: constant, value: 1ms}\n");
    rig_fault(&g, 100 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_fault(&g, 300 * SIM_MS, FAULT_RESTART, "orders.0.0", NULL);
    rig_fault(&g, 900 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_run(&g);
    CHECK_NEAR(rig_figure(&g, "database orders", "unavailable_time"), 0.3,
               1e-12);
    CHECK_NEAR(rig_figure(&g, "database orders.0", "unavailable_time"), 0.3,
               1e-12);
    rig_release(&g);
}

/*
 * The fault schedule restarts the crashed leader at 3 s, the instant of a
 * heartbeat round, so it rejoins at 3 s too: the timeline says the restart
 * first, then the rejoin it allowed.
 */
static void test_db__a_restart_precedes_the_rejoin_it_allows(void)
{
    static const struct sim_model_ops *const with_faults[] = {
        &db_ops, &faults_ops,
    };
    static const char *const want[][2] = {
        {"crash", "orders.0.0"},
        {"leader lost", "orders.0: leader orders.0.0 silent"},
        {"leader elected", "orders.0: orders.0.1 leads, lacking 0 "
                           "acknowledged writes"},
        {"restart", "orders.0.0"},
        {"rejoined", "orders.0.0 follows again, 0 writes restored"},
    };
    const struct sim_report *rep;
    struct run r;

    run_yaml("name: rejoin\nduration: 5s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 2\n"
             "    failover: {detect_after: 1s}\n"
             "    service: {dist: constant, value: 1ms}\n"
             "faults:\n  - {at: 1s, crash: orders.0.0, restart_at: 3s}\n",
             with_faults, 2, 1, &r);
    rep = r.sum.first;
    CHECK_EQ_INT(rep->n_notes, 5);
    for (size_t i = 0; i < 5; i++) {
        CHECK_EQ_STR(rep->notes[i].kind, want[i][0]);
        CHECK_EQ_STR(rep->notes[i].text, want[i][1]);
    }
    CHECK_NEAR(rep->notes[3].t_s, 3.0, 0);
    CHECK_NEAR(rep->notes[4].t_s, 3.0, 0);
    run_release(&r);
}

/*
 * The same with lost: keep, and the old leader back at 3.5 s: the 250
 * writes were set aside. Keys 0..9 (13 of them each) are written again
 * at 3.2 s and cannot take theirs back; keys 10..19 (12 each) can.
 */
static void test_db__failover_with_keep_merges_orphans_on_rejoin(void)
{
    struct rig g;
    const struct tester *t;

    rig_init(&g, "name: keep\nduration: 5s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: async\n    workers: 4\n"
             "    failover: {detect_after: 500ms, lost: keep}\n"
             "    service: {dist: constant, value: 100us}\n");
    for (int k = 0; k < 750; k++)
        rig_step(&g, 0, 2 * k * SIM_MS, SIM_OP_WRITE, (uint64_t)k % 20,
                 false);
    for (int k = 0; k < 10; k++)
        rig_step(&g, 0, 3200 * SIM_MS, SIM_OP_WRITE, (uint64_t)k, false);
    for (int k = 0; k < 20; k++)
        rig_step(&g, 0, 4500 * SIM_MS, SIM_OP_READ, (uint64_t)k, false);
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.1");
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_fault(&g, 1500 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_fault(&g, 3500 * SIM_MS, FAULT_RESTART, "orders.0.0", NULL);
    rig_run(&g);
    t = &g.testers[0];
    CHECK_EQ_INT(rig_figure(&g, "database orders", "orphaned_writes"), 250);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "restored_writes"), 120);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "lost_writes"), 130);
    /* Reads at 4.5 s see the newest acknowledged versions again. */
    for (size_t i = 760; i < t->n; i++) {
        CHECK_EQ_INT(t->steps[i].status, SIM_REQ_OK);
        CHECK_EQ_INT(t->steps[i].version, t->steps[i].latest_at_send);
        CHECK_EQ_INT(t->steps[i].version, t->steps[i].key < 10 ? 39 : 37);
    }
    rig_release(&g);
}

/*
 * The new leader may be behind a follower it could not hear at the
 * election. Writes every 2 ms (keys 0..19); orders.0.1 is cut from the
 * leader at 1 s, orders.0.2 from everyone at 1.2 s, the leader crashes
 * at 1.5 s, and orders.0.1 is elected at 2 s. After
 * the heal at 2.5 s orders.0.2 still serves writes the new leader lacks
 * (read at 2.7 s) until the leader's snapshot (sent again at 3 s, applied
 * 1 ms later) makes it an exact copy (read at 3.5 s).
 */
static void test_db__a_follower_ahead_of_the_new_leader_is_resynced(void)
{
    struct rig g;
    const struct tester *near, *far;
    int n_ahead = 0;

    rig_init(&g, "name: resync\nduration: 4s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: async\n    workers: 4\n    reads: nearest\n"
             "    apply_lag: {dist: constant, value: 1ms}\n"
             "    failover: {detect_after: 500ms}\n"
             "    service: {dist: constant, value: 100us}\n");
    rig_zone(&g, "tester0", 3);
    rig_zone(&g, "orders.0.2", 3);
    for (int k = 0; k < 750; k++)
        rig_step(&g, 1, 2 * k * SIM_MS, SIM_OP_WRITE, (uint64_t)k % 20,
                 false);
    for (int k = 0; k < 20; k++) {
        rig_step(&g, 0, 2700 * SIM_MS, SIM_OP_READ, (uint64_t)k, false);
        rig_step(&g, 0, 3500 * SIM_MS, SIM_OP_READ, (uint64_t)k, false);
        rig_step(&g, 1, 3500 * SIM_MS, SIM_OP_READ, (uint64_t)k, false);
    }
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.1");
    rig_fault(&g, 1200 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_fault(&g, 1200 * SIM_MS, FAULT_CUT, "orders.0.1", "orders.0.2");
    rig_fault(&g, 1200 * SIM_MS, FAULT_CUT, "orders", "orders.0.2");
    rig_fault(&g, 1500 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_fault(&g, 2500 * SIM_MS, FAULT_HEAL, NULL, NULL);
    rig_run(&g);
    near = &g.testers[0];
    far = &g.testers[1];
    CHECK_EQ_STR(g.rep.notes[1].text, "orders.0: orders.0.1 leads, lacking "
                                      "250 acknowledged writes");
    for (int k = 0; k < 20; k++) {
        const struct step *before = &near->steps[2 * k];
        const struct step *after = &near->steps[2 * k + 1];
        const struct step *leader = &far->steps[750 + k];

        CHECK_EQ_INT(leader->status, SIM_REQ_OK);
        CHECK_EQ_INT(after->version, leader->version);
        n_ahead += before->version > leader->version;
    }
    /* Writes from 1 s to 1.2 s reached orders.0.2: 100, on every key. */
    CHECK_EQ_INT(n_ahead, 20);
    CHECK(balances(&g, "database orders"));
    CHECK(balances(&g, "database orders.0.2"));
    rig_release(&g);
}

/*
 * The old leader rejoins after writes it alone held were lost, so it needs
 * the new leader's snapshot; a write every 2 ms goes on throughout. As in
 * the test above, orders.0.0 is cut from its followers from 1 s to 2.5 s
 * and crashes at 1.5 s; orders.0.1 is elected at 2 s lacking 255 writes
 * (the last 5 before the cut were still on their way), and orders.0.0,
 * 10 ms from both, restarts and rejoins at 3 s. Once it has the snapshot
 * it must follow the log like any follower: an entry reaches it after
 * 10 ms and is applied 1 ms later, so its oldest unapplied entry has
 * waited 9 to 11 ms, 10 on average; orders.0.2, next to the new leader,
 * lacks each entry for 1 ms of every 2, 0.25 ms on average. Every window
 * from 4 s on averages the two: 5.125 ms.
 */
static void test_db__a_rejoined_leader_catches_up_after_its_snapshot(void)
{
    struct rig g;

    rig_init(&g, "name: rejoin\nduration: 6s\nreplications: 1\n"
             "window: 100ms\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: async\n    workers: 4\n"
             "    apply_lag: {dist: constant, value: 1ms}\n"
             "    failover: {detect_after: 500ms}\n"
             "    service: {dist: constant, value: 100us}\n");
    rig_link(&g, "orders.0.0", "orders.0.1", 10 * SIM_MS);
    rig_link(&g, "orders.0.0", "orders.0.2", 10 * SIM_MS);
    for (int k = 0; k < 3000; k++)
        rig_step(&g, 0, 2 * k * SIM_MS, SIM_OP_WRITE, (uint64_t)k % 20,
                 false);
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.1");
    rig_fault(&g, 1000 * SIM_MS, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_fault(&g, 1500 * SIM_MS, FAULT_CRASH, "orders.0.0", NULL);
    rig_fault(&g, 2500 * SIM_MS, FAULT_HEAL, NULL, NULL);
    rig_fault(&g, 3000 * SIM_MS, FAULT_RESTART, "orders.0.0", NULL);
    rig_run(&g);
    CHECK_EQ_STR(g.rep.notes[1].text, "orders.0: orders.0.1 leads, lacking "
                                      "255 acknowledged writes");
    for (size_t w = 40; w < 60; w++)
        CHECK_NEAR(rig_window(&g, "database orders.0", "replication_lag", w),
                   5.125e-3, 1e-9);
    rig_release(&g);
}

/* --- faults at random --------------------------------------------------- */

static uint64_t lcg_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/*
 * Crashes, restarts and cuts at random (a fixed sequence), and a crash
 * of the front door, while callers read and write: whatever happens, no
 * read returns a version not yet acknowledged, every write answered ok
 * got a version, and every book balances.
 */
static void chaos(const char *label, const char *config)
{
    static const char *const names[] = {
        "orders.0.0", "orders.0.1", "orders.0.2", "orders.1.0",
        "orders.1.1", "orders.1.2",
    };
    char yaml[1024], scope[64];
    uint64_t x = 12345;
    struct rig g;
    const struct tester *t;

    snprintf(yaml, sizeof yaml,
             "name: chaos\nduration: 5s\nreplications: 1\n"
             "databases:\n  - name: orders\n    shards: 2\n"
             "    replicas: 3\n%s    workers: 2\n    write_timeout: 100ms\n"
             "    queue: {capacity: 20}\n"
             "    apply_lag: {dist: exponential, mean: 2ms}\n"
             "    service: {dist: exponential, mean: 200us}\n", config);
    rig_init(&g, yaml);
    rig_link(&g, "orders.0.0", "orders.0.1", 3 * SIM_MS);
    rig_link(&g, "orders.1.2", "orders.1.0", 7 * SIM_MS);
    for (int k = 0; k < 8000; k++)
        rig_step(&g, k % 2, k * 500 * SIM_US,
                 lcg_next(&x) % 3 ? SIM_OP_READ : SIM_OP_WRITE,
                 lcg_next(&x) % 50, false);
    for (int k = 0; k < 12; k++) {
        const char *a = names[lcg_next(&x) % 6], *b = names[lcg_next(&x) % 6];
        sim_time at = (sim_time)(k + 1) * 300 * SIM_MS;

        if (k % 3 == 0)
            rig_fault(&g, at, FAULT_CUT, a, b);
        else
            rig_fault(&g, at, k % 3 == 1 ? FAULT_CRASH : FAULT_RESTART,
                      k % 3 == 1 ? a : "orders.0", NULL);
    }
    rig_fault(&g, 2050 * SIM_MS, FAULT_CRASH, "orders", NULL);
    rig_fault(&g, 2200 * SIM_MS, FAULT_RESTART, "orders", NULL);
    rig_fault(&g, 4 * SIM_S, FAULT_RESTART, "orders.1", NULL);
    rig_run(&g);
    for (int w = 0; w < 2; w++) {
        t = &g.testers[w];
        for (size_t i = 0; i < t->n; i++) {
            const struct step *s = &t->steps[i];

            if (!s->is_done || s->status != SIM_REQ_OK)
                continue;
            CHECK(s->version <= s->latest_at_reply);
            if (s->op == SIM_OP_WRITE)
                CHECK(s->version >= 1);
        }
    }
    printf("  %-12s failed %4.0f, lost writes %3.0f, failovers %.0f\n",
           label,
           rig_figure(&g, "database orders", "failed"),
           rig_figure(&g, "database orders", "lost_writes"),
           rig_figure(&g, "database orders", "failovers"));
    CHECK(balances(&g, "database orders"));
    for (int i = 0; i < 6; i++) {
        snprintf(scope, sizeof scope, "database %s", names[i]);
        CHECK(balances(&g, scope));
    }
    rig_release(&g);
}

static void test_db__random_faults_keep_the_invariants(void)
{
    chaos("async", "    replication: async\n    reads: any\n"
          "    failover: {detect_after: 200ms}\n");
    chaos("sync", "    replication: sync\n"
          "    failover: {detect_after: 200ms, lost: keep}\n");
    chaos("semi-sync", "    replication: semi-sync\n    reads: nearest\n"
          "    failover: {detect_after: 200ms, elect: any}\n");
    chaos("quorum", "    replication: quorum\n"
          "    quorum: {w: 2, r: 2, read_repair: true}\n");
    chaos("multi-leader", "    replication: multi-leader\n"
          "    reads: any\n");
}

/* --- a partition, two configurations ------------------------------------ */

struct partition_outcome {
    unsigned n_reads, n_stale;          /* reads sent during the cut */
    unsigned n_failed_writes;           /* over the whole run */
    unsigned n_failed_reads;
};

/*
 * The leader is cut off from both followers from 1 s to 2 s. A write and
 * a read every millisecond on keys 0..9; a read is stale when it returns
 * a version older than the newest acknowledged when it was sent.
 */
static void partition_run(const char *config, struct partition_outcome *o)
{
    char yaml[1024];
    struct rig g;
    const struct tester *t;

    snprintf(yaml, sizeof yaml,
             "name: partition\nduration: 3s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n%s"
             "    workers: 8\n    write_timeout: 200ms\n"
             "    apply_lag: {dist: constant, value: 1ms}\n"
             "    service: {dist: constant, value: 100us}\n", config);
    rig_init(&g, yaml);
    for (int k = 0; k < 2900; k++) {
        rig_step(&g, 0, k * SIM_MS, SIM_OP_WRITE, (uint64_t)k % 10, false);
        rig_step(&g, 0, k * SIM_MS + 500 * SIM_US, SIM_OP_READ,
                 (uint64_t)k % 10, false);
    }
    rig_fault(&g, 1 * SIM_S, FAULT_CUT, "orders.0.0", "orders.0.1");
    rig_fault(&g, 1 * SIM_S, FAULT_CUT, "orders.0.0", "orders.0.2");
    rig_fault(&g, 2 * SIM_S, FAULT_HEAL, NULL, NULL);
    rig_run(&g);
    memset(o, 0, sizeof *o);
    t = &g.testers[0];
    for (size_t i = 0; i < t->n; i++) {
        const struct step *s = &t->steps[i];
        bool is_read = s->op == SIM_OP_READ;

        CHECK(s->is_done);
        if (s->status != SIM_REQ_OK && !is_read)
            CHECK_EQ_INT(s->status, SIM_FAIL_NO_QUORUM);
        o->n_failed_writes += !is_read && s->status != SIM_REQ_OK;
        o->n_failed_reads += is_read && s->status != SIM_REQ_OK;
        if (!is_read || s->at < SIM_S || s->at >= 2 * SIM_S)
            continue;
        o->n_reads++;
        o->n_stale += s->version < s->latest_at_send;
    }
    rig_release(&g);
}

static void test_db__partition_async_is_stale_but_available(void)
{
    struct partition_outcome o;

    partition_run("    replication: async\n    reads: any\n", &o);
    printf("  async: %u of %u reads stale, %u writes failed\n", o.n_stale,
           o.n_reads, o.n_failed_writes);
    CHECK(o.n_stale > o.n_reads / 2);
    CHECK_EQ_INT(o.n_failed_writes, 0);
    CHECK_EQ_INT(o.n_failed_reads, 0);
}

/*
 * A write sent at k ms waits for acks until k + 200.1 ms. The one sent at
 * 999 ms is applied by the followers at 1000.1 ms, when their acks are
 * already cut. A message sent at the very instant of the heal gets
 * through, so the leader's resend leaves at its 2.0 s tick and the acks
 * are back at 2001 ms: writes from 1801 ms on make it. 802 writes fail,
 * all with no_quorum, and reads from the leader are never stale.
 */
static void test_db__partition_sync_fails_writes_but_stays_fresh(void)
{
    struct partition_outcome o;

    partition_run("    replication: sync\n    reads: leader\n", &o);
    printf("  sync: %u of %u reads stale, %u writes failed\n", o.n_stale,
           o.n_reads, o.n_failed_writes);
    CHECK_EQ_INT(o.n_stale, 0);
    CHECK_EQ_INT(o.n_failed_writes, 802);
    CHECK_EQ_INT(o.n_failed_reads, 0);
}

/* --- last-writer-wins under clock skew ----------------------------------- */

/*
 * Multi-leader, two replicas 30 ms apart, each with a tester in its zone;
 * orders.0.1's clock is 50 ms behind. Writes are stamped with the
 * accepting clock at the end of their 100 us service:
 *   key 7:  A at 100 ms (stamp 100.1), B at 120 ms (70.1): B's is lost;
 *   key 8:  A at 200 ms, B at 300 ms (250.1): B's wins, nothing lost;
 *   key 9:  B at 400 ms (350.1), A at 420 ms (420.1): A's wins;
 *   key 11: A at 600 ms (600.1), B at 620 and 640 ms: both of B's lost.
 * A write reaches the other replica 31 ms later (30 ms + 1 ms apply), so
 * B at 120 ms, A at 420 ms and B at 620 ms had not seen the other side's
 * write: 3 conflicts; 3 writes lost.
 */
static void test_db__lww_with_clock_skew_loses_writes(void)
{
    static const struct { int who; int ms; uint64_t key; } script[] = {
        {0, 100, 7}, {1, 120, 7}, {0, 200, 8}, {1, 300, 8},
        {1, 400, 9}, {0, 420, 9}, {0, 600, 11}, {1, 620, 11},
        {1, 640, 11},
    };
    struct rig g;
    size_t n = sizeof script / sizeof script[0];

    rig_init(&g, "name: lww\nduration: 3s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 2\n"
             "    replication: multi-leader\n"
             "    apply_lag: {dist: constant, value: 1ms}\n"
             "    service: {dist: constant, value: 100us}\n");
    rig_link(&g, "orders.0.0", "orders.0.1", 30 * SIM_MS);
    rig_zone(&g, "tester0", 1);
    rig_zone(&g, "orders.0.0", 1);
    rig_zone(&g, "tester1", 2);
    rig_zone(&g, "orders.0.1", 2);
    sim_entity_set_clock_offset(g.sim, sim_entity_find(g.sim, "orders.0.1"),
                                -50 * SIM_MS);
    for (size_t i = 0; i < n; i++)
        rig_step(&g, script[i].who, script[i].ms * SIM_MS, SIM_OP_WRITE,
                 script[i].key, false);
    for (int who = 0; who < 2; who++) {
        rig_step(&g, who, 2 * SIM_S, SIM_OP_READ, 7, false);
        rig_step(&g, who, 2 * SIM_S, SIM_OP_READ, 11, false);
    }
    rig_run(&g);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "lost_writes"), 3);
    CHECK_EQ_INT(rig_figure(&g, "database orders", "conflicts"), 3);
    /* Both replicas settled on A's writes: version 1 of keys 7 and 11. */
    for (int who = 0; who < 2; who++) {
        const struct tester *t = &g.testers[who];
        const struct step *r7 = &t->steps[t->n - 2], *r11 = &t->steps[t->n - 1];

        CHECK_EQ_INT(r7->version, 1);
        CHECK_EQ_INT(r7->latest_at_send, 2);
        CHECK_EQ_INT(r11->version, 1);
        CHECK_EQ_INT(r11->latest_at_send, 3);
    }
    rig_release(&g);
}

/* --- quorums ------------------------------------------------------------ */

static double choose(int n, int k)
{
    double c = 1;

    if (k < 0 || k > n)
        return 0;
    for (int i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

/*
 * n = 3. Each trial writes a fresh key and, the moment the write is
 * acknowledged, reads it. Every replica applies its part apply_lag after
 * its service, with apply_lag uniform on [1 ms, 100 s]: the first w to
 * apply are a uniformly random set, the others apply seconds later (the
 * chance that one does within the microseconds the read takes is below
 * 1e-6). The read asks all three and takes the first r answers, which
 * come at one instant from a fixed r of them (the order they were asked
 * in), so it misses the write exactly when those r all lie outside the
 * random w: probability C(n-w, r) / C(n, r), which is 0 when r + w > n.
 * 2000 trials per pair; the miss rate must lie within
 * z * sqrt(p (1 - p) / 2000) of p, z the 99.9% normal quantile.
 */
static void quorum_case(int r, int w, int n_trials)
{
    char yaml[1024];
    struct rig g;
    const struct tester *t;
    double p = choose(3 - w, r) / choose(3, r), half, rate;
    int misses = 0;

    snprintf(yaml, sizeof yaml,
             "name: quorum\nduration: 200s\nreplications: 1\nseed: 7\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: quorum\n    quorum: {n: 3, w: %d, r: %d}\n"
             "    workers: 16\n    write_timeout: 1h\n"
             "    apply_lag: {dist: uniform, min: 1ms, max: 100s}\n"
             "    service: {dist: constant, value: 1us}\n", w, r);
    rig_init(&g, yaml);
    for (int k = 0; k < n_trials; k++)
        rig_step(&g, 0, k * SIM_MS, SIM_OP_WRITE, (uint64_t)k, true);
    rig_run(&g);
    t = &g.testers[0];
    for (size_t i = 0; i < t->n; i++) {
        CHECK_EQ_INT(t->steps[i].status, SIM_REQ_OK);
        CHECK(t->steps[i].is_read_done);
        misses += t->steps[i].read_version < t->steps[i].version;
    }
    rate = (double)misses / n_trials;
    half = Z_999 * sqrt(p * (1 - p) / n_trials);
    printf("  r=%d w=%d: missed %.4f, theory %.4f +- %.4f\n", r, w, rate, p,
           half);
    if (p == 0)
        CHECK_EQ_INT(misses, 0);
    else
        CHECK_NEAR(rate, p, half);
    rig_release(&g);
}

static void test_db__quorum_reads_miss_writes_as_theory_says(void)
{
    for (int r = 1; r <= 3; r++)
        for (int w = 1; w <= 3; w++)
            quorum_case(r, w, 2000);
}

/*
 * n = 3, r = w = 2: a read or write every millisecond for a second, while
 * orders.0.2 is down from 300 ms to 700 ms. Every operation goes to all
 * three replicas and needs two answers, so every one succeeds; and every
 * replica up serves every operation, the one beyond the quorum too.
 */
static void test_db__quorum_survives_one_crashed_replica_of_three(void)
{
    struct rig g;
    const struct tester *t;

    rig_init(&g, "name: quorum\nduration: 2s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: quorum\n    quorum: {n: 3, w: 2, r: 2}\n"
             "    apply_lag: {dist: exponential, mean: 1ms}\n"
             "    service: {dist: constant, value: 100us}\n");
    for (int k = 0; k < 1000; k++)
        rig_step(&g, 0, k * SIM_MS, k % 2 ? SIM_OP_READ : SIM_OP_WRITE,
                 (uint64_t)k % 7, false);
    rig_fault(&g, 300 * SIM_MS, FAULT_CRASH, "orders.0.2", NULL);
    rig_fault(&g, 700 * SIM_MS, FAULT_RESTART, "orders.0.2", NULL);
    rig_run(&g);
    t = &g.testers[0];
    for (size_t i = 0; i < t->n; i++) {
        CHECK(t->steps[i].is_done);
        CHECK_EQ_INT(t->steps[i].status, SIM_REQ_OK);
    }
    CHECK_EQ_INT(rig_figure(&g, "database orders", "failed"), 0);
    CHECK_EQ_INT(rig_figure(&g, "database orders.0.0", "completed"), 1000);
    CHECK_EQ_INT(rig_figure(&g, "database orders.0.1", "completed"), 1000);
    CHECK_EQ_INT(rig_figure(&g, "database orders.0.2", "completed"), 600);
    rig_release(&g);
}

/*
 * Three quorum reads (r = 2) at 0 ms; each replica has one worker and
 * 1 ms of service; orders.0.1 is 1 ms from the front door, orders.0.2
 * 5 ms. At both near replicas the k-th read waits k - 1 ms; the second
 * answer, from orders.0.1 at 3, 4 and 5 ms, decides: its wait is the
 * caller's (0, 1 and 2 ms), not the sum over replicas.
 */
static void test_db__a_quorum_read_waits_as_its_deciding_answer(void)
{
    struct rig g;
    const struct tester *t;

    rig_init(&g, "name: quorum\nduration: 1s\nreplications: 1\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: quorum\n    quorum: {n: 3, w: 2, r: 2}\n"
             "    service: {dist: constant, value: 1ms}\n");
    rig_link(&g, "orders", "orders.0.1", SIM_MS);
    rig_link(&g, "orders", "orders.0.2", 5 * SIM_MS);
    for (int k = 0; k < 3; k++)
        rig_step(&g, 0, 0, SIM_OP_READ, (uint64_t)k, false);
    rig_run(&g);
    t = &g.testers[0];
    for (int k = 0; k < 3; k++) {
        CHECK_EQ_INT(t->steps[k].status, SIM_REQ_OK);
        CHECK_EQ_INT(t->steps[k].replied, (3 + k) * SIM_MS);
        CHECK_EQ_INT(t->steps[k].wait, k * SIM_MS);
        CHECK_EQ_INT(t->steps[k].service, SIM_MS);
    }
    rig_release(&g);
}

/* --- sharding ----------------------------------------------------------- */

/*
 * Keys 0..99999 over 8 shards by hash: the counts' chi-square statistic
 * must stay below the 99.9% quantile of chi-square with 7 degrees of
 * freedom. Range placement is exact.
 */
static void test_db__hash_spreads_keys_evenly(void)
{
    struct db_shard_map m;
    uint64_t count[8] = {0};
    const double n_keys = 100000, expect = n_keys / 8;
    double chi2 = 0, limit = gsl_cdf_chisq_Pinv(0.999, 7);

    CHECK_EQ_INT(db_shard_map_init(&m, DB_SHARD_HASH, 8, 0, 0, 0), 0);
    for (uint64_t k = 0; k < (uint64_t)n_keys; k++)
        count[db_shard_of(&m, k)]++;
    for (int s = 0; s < 8; s++)
        chi2 += (count[s] - expect) * (count[s] - expect) / expect;
    printf("  chi-square %.2f, 99.9%% limit %.2f\n", chi2, limit);
    CHECK(chi2 < limit);
    db_shard_map_release(&m);
    CHECK_EQ_INT(db_shard_map_init(&m, DB_SHARD_RANGE, 3, 1000, 0, 0), 0);
    CHECK_EQ_INT(db_shard_of(&m, 333), 0);
    CHECK_EQ_INT(db_shard_of(&m, 334), 1);
    CHECK_EQ_INT(db_shard_of(&m, 999), 2);
    CHECK_EQ_INT(db_shard_of(&m, 123456), 2);
    db_shard_map_release(&m);
}

/*
 * Going from 4 to 5 shards on a ring of 64 points per shard, a key moves
 * only to the new shard, and the share of keys that move has expectation
 * 1/5 (the new shard's share of the ring). Over 20 rings (20 salts) the
 * mean share must lie in the 99.9% Student-t interval around 1/5 made
 * from their own spread; hash placement, for contrast, moves 4/5.
 */
static void test_db__consistent_hashing_moves_a_fifth_of_keys(void)
{
    const int n_rings = 20, n_keys = 20000;
    double share[20], sum = 0, var = 0, half, mean;

    for (int i = 0; i < n_rings; i++) {
        struct db_shard_map four, five;
        int moved = 0;

        CHECK_EQ_INT(db_shard_map_init(&four, DB_SHARD_RING, 4, 0, 64,
                                       db_shard_mix((uint64_t)i + 1)), 0);
        CHECK_EQ_INT(db_shard_map_init(&five, DB_SHARD_RING, 5, 0, 64,
                                       db_shard_mix((uint64_t)i + 1)), 0);
        for (uint64_t k = 0; k < (uint64_t)n_keys; k++) {
            unsigned a = db_shard_of(&four, k), b = db_shard_of(&five, k);

            if (a != b)
                CHECK_EQ_INT(b, 4);
            moved += a != b;
        }
        share[i] = (double)moved / n_keys;
        sum += share[i];
        db_shard_map_release(&four);
        db_shard_map_release(&five);
    }
    mean = sum / n_rings;
    for (int i = 0; i < n_rings; i++)
        var += (share[i] - mean) * (share[i] - mean) / (n_rings - 1);
    half = gsl_cdf_tdist_Pinv(0.9995, n_rings - 1) * sqrt(var / n_rings);
    printf("  moved %.4f of keys, expected 0.2000 +- %.4f\n", mean, half);
    CHECK_NEAR(mean, 0.2, half);
}

/*
 * A real client with Zipf keys (s = 1.2 over 1000 keys) on 4 hash shards:
 * the shard holding key 0 must be the busiest, and take its expected
 * share (the sum of its keys' probabilities) within a 99.9% binomial
 * interval over all requests of the 5 replications.
 */
static void test_db__a_hot_key_makes_its_shard_hot(void)
{
    struct sim_cfg *cfg;
    struct sim_scenario *sc;
    struct sim_batch batch;
    struct sim_summary sum;
    struct sim_error err = {0};
    struct keys_config kc = {.dist = KEYS_ZIPF};
    unsigned long long count = 1000;
    double s_exp = 1.2, total = 0, per[4] = {0}, p = 0, half;
    struct db_shard_map m;
    struct keys keys;
    unsigned hot;

    CHECK_EQ_INT(load_text("name: hot\nduration: 10s\nreplications: 5\n"
                           "clients:\n  - name: c\n    arrival: {process: "
                           "poisson, rate: 2k/s}\n    mix: {read: 0.9, "
                           "write: 0.1}\n    keys: {dist: zipf, s: 1.2, "
                           "count: 1000}\n    target: orders\n"
                           "databases:\n  - name: orders\n    shards: 4\n"
                           "    workers: 8\n    service: {dist: "
                           "exponential, mean: 1ms}\n", &cfg, &sc), 0);
    CHECK_EQ_INT(sim_batch_run(sc, 0, sc->replications, 2, NULL, NULL,
                               &batch, &err), 0);
    CHECK_EQ_INT(sim_summary_build(&batch, &sum, &err), 0);
    CHECK(sum.is_balanced);
    for (int s = 0; s < 4; s++) {
        char scope[64];
        const struct sim_summary_row *rr, *rw;

        snprintf(scope, sizeof scope, "database orders.%d", s);
        rr = sim_summary_find(&sum, scope, "reads");
        rw = sim_summary_find(&sum, scope, "writes");
        CHECK(rr != NULL && rw != NULL);
        for (unsigned i = 0; i < sum.n_reps; i++)
            per[s] += rr->values[i] + rw->values[i];
        total += per[s];
    }
    kc.count = &count;
    kc.s = &s_exp;
    CHECK_EQ_INT(keys_build(cfg, "keys", &kc, &keys), 0);
    CHECK_EQ_INT(db_shard_map_init(&m, DB_SHARD_HASH, 4, 0, 0, 0), 0);
    hot = db_shard_of(&m, 0);
    for (uint64_t k = 0; k < count; k++)
        if (db_shard_of(&m, k) == hot)
            p += keys_pmf(&keys, k);
    half = Z_999 * sqrt(p * (1 - p) / total);
    printf("  hot shard %u: %.4f of requests, expected %.4f +- %.4f\n", hot,
           per[hot] / total, p, half);
    CHECK_NEAR(per[hot] / total, p, half);
    for (int s = 0; s < 4; s++)
        CHECK(per[s] <= per[hot]);
    db_shard_map_release(&m);
    sim_summary_release(&sum);
    sim_batch_release(&batch);
    sim_scenario_free(sc);
    sim_cfg_free(cfg);
}

/* --- configuration errors ----------------------------------------------- */

#define SERVICE "    service: {dist: constant, value: 1ms}\n"

/*
 * Loads a scenario whose only database has body (after "name: orders")
 * and checks that the one problem found reads "path: message".
 */
static void expect_problem(const char *body, const char *expected)
{
    char yaml[2048], line[512];
    struct sim_cfg *cfg;
    struct sim_scenario *sc;
    const char *rest;
    int colons = 0;

    snprintf(yaml, sizeof yaml, "name: bad\nduration: 1s\n"
             "databases:\n  - name: orders\n%s", body);
    CHECK(load_text(yaml, &cfg, &sc) != 0);
    CHECK(sc == NULL);
    if (sim_cfg_n_errors(cfg) != 1) {
        for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
            printf("  %s\n", sim_cfg_format(cfg, i, line, sizeof line));
        CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    }
    sim_cfg_format(cfg, 0, line, sizeof line);
    for (rest = line; *rest != '\0' && colons < 3; rest++)
        colons += *rest == ':';
    CHECK_EQ_STR(rest + 1, expected);
    sim_cfg_free(cfg);
}

static void test_db__sizes_are_checked(void)
{
    expect_problem("    shards: 0\n" SERVICE,
                   "databases[0].shards: must be between 1 and 1024");
    expect_problem("    shards: 1025\n" SERVICE,
                   "databases[0].shards: must be between 1 and 1024");
    expect_problem("    replicas: 17\n" SERVICE,
                   "databases[0].replicas: must be between 1 and 16");
    expect_problem("    shards: 1000\n    replicas: 5\n" SERVICE,
                   "databases[0].shards: 1000 shards of 5 replicas make "
                   "5000 replicas in all, more than 4096");
    expect_problem("    workers: 0\n" SERVICE,
                   "databases[0].workers: must be between 1 and 100000");
    expect_problem("    queue: {capacity: 1000000000}\n" SERVICE,
                   "databases[0].queue.capacity: must be between 0 and "
                   "100000000");
}

static void test_db__sharding_keys_are_checked(void)
{
    expect_problem("    vnodes: 8\n" SERVICE,
                   "databases[0].vnodes: only sharding: consistent-hash "
                   "uses \"vnodes\"");
    expect_problem("    sharding: consistent-hash\n    vnodes: 0\n" SERVICE,
                   "databases[0].vnodes: must be between 1 and 1024");
    expect_problem("    sharding: hash\n    key_space: 10\n" SERVICE,
                   "databases[0].key_space: only sharding: range uses "
                   "\"key_space\"");
    expect_problem("    sharding: range\n    key_space: 0\n" SERVICE,
                   "databases[0].key_space: must be between 1 and "
                   "1000000000000");
}

static void test_db__replication_keys_are_checked(void)
{
    expect_problem("    replicas: 3\n    acks: 1\n" SERVICE,
                   "databases[0].acks: only replication: semi-sync uses "
                   "\"acks\"");
    expect_problem("    replicas: 3\n    replication: semi-sync\n"
                   "    acks: 3\n" SERVICE,
                   "databases[0].acks: must be between 1 and 2");
    expect_problem("    replication: semi-sync\n" SERVICE,
                   "databases[0].replication: semi-sync needs at least 2 "
                   "replicas");
    expect_problem("    replicas: 3\n    quorum: {w: 2}\n" SERVICE,
                   "databases[0].quorum: only replication: quorum uses "
                   "\"quorum\"");
    expect_problem("    replicas: 3\n    replication: quorum\n"
                   "    quorum: {n: 5}\n" SERVICE,
                   "databases[0].quorum.n: must equal replicas (3)");
    expect_problem("    replicas: 3\n    replication: quorum\n"
                   "    quorum: {w: 4}\n" SERVICE,
                   "databases[0].quorum.w: must be between 1 and 3");
    expect_problem("    replicas: 3\n    replication: quorum\n"
                   "    quorum: {r: 0}\n" SERVICE,
                   "databases[0].quorum.r: must be between 1 and 3");
}

static void test_db__read_and_write_policies_are_checked(void)
{
    expect_problem("    reads: quorum\n" SERVICE,
                   "databases[0].reads: reads: quorum needs replication: "
                   "quorum");
    expect_problem("    replication: quorum\n    reads: leader\n" SERVICE,
                   "databases[0].reads: replication: quorum has no leader; "
                   "read from a quorum, any or the nearest replica");
    expect_problem("    writes: quorum\n" SERVICE,
                   "databases[0].writes: writes: quorum needs replication: "
                   "quorum");
    expect_problem("    replication: quorum\n    writes: leader\n" SERVICE,
                   "databases[0].writes: replication: quorum has no leader; "
                   "writes go to a quorum");
}

static void test_db__failover_and_timing_are_checked(void)
{
    expect_problem("    replicas: 3\n    replication: quorum\n"
                   "    failover: {detect_after: 1s}\n" SERVICE,
                   "databases[0].failover: failover needs a leader "
                   "(replication: async, sync or semi-sync)");
    expect_problem("    failover: {detect_after: 1s}\n" SERVICE,
                   "databases[0].failover: failover needs at least 2 "
                   "replicas");
    expect_problem("    replicas: 2\n    failover: {detect_after: 0s}\n"
                   SERVICE,
                   "databases[0].failover.detect_after: \"0s\" must be at "
                   "least 1ms and at most 1h");
    expect_problem("    replicas: 2\n    failover: {detect_after: 2h}\n"
                   SERVICE,
                   "databases[0].failover.detect_after: \"2h\" must be at "
                   "least 1ms and at most 1h");
    expect_problem("    write_timeout: 0s\n" SERVICE,
                   "databases[0].write_timeout: \"0s\" must be above 0 and "
                   "at most 1h");
    expect_problem("    write_timeout: 61m\n" SERVICE,
                   "databases[0].write_timeout: \"61m\" must be above 0 and "
                   "at most 1h");
}

static void test_db__names_and_service_are_checked(void)
{
    expect_problem("    replicas: 2\n",
                   "databases[0]: missing \"service\" (or a service_per_op "
                   "entry for read)");
    expect_problem(SERVICE "  - name: orders\n" SERVICE,
                   "databases[1]: the name \"orders\" is already taken");
    expect_problem(SERVICE "  - name: orders.0\n" SERVICE,
                   "databases[1].name: \"orders.0\" is not a valid name (1 "
                   "to 63 letters, digits, '_' or '-', starting with a "
                   "letter)");
}

CHECK_MAIN(CHECK_TEST(test_db__sync_write_is_acked_after_the_slowest_replica),
           CHECK_TEST(test_db__semi_sync_waits_for_the_fastest_follower),
           CHECK_TEST(test_db__async_acks_at_once_and_followers_lag),
           CHECK_TEST(test_db__a_linearizability_violation_reads_well),
           CHECK_TEST(test_db__failover_under_async_loses_acked_writes),
           CHECK_TEST(test_db__a_leader_crash_counts_as_unavailable),
           CHECK_TEST(test_db__a_restart_precedes_the_rejoin_it_allows),
           CHECK_TEST(test_db__failover_with_keep_merges_orphans_on_rejoin),
           CHECK_TEST(test_db__a_follower_ahead_of_the_new_leader_is_resynced),
           CHECK_TEST(test_db__a_rejoined_leader_catches_up_after_its_snapshot),
           CHECK_TEST(test_db__random_faults_keep_the_invariants),
           CHECK_TEST(test_db__lag_series_averages_the_oldest_unapplied_entry),
           CHECK_TEST(test_db__lag_of_a_cut_off_follower_keeps_growing),
           CHECK_TEST(test_db__quorum_has_no_lag_series),
           CHECK_TEST(test_db__partition_async_is_stale_but_available),
           CHECK_TEST(test_db__partition_sync_fails_writes_but_stays_fresh),
           CHECK_TEST(test_db__lww_with_clock_skew_loses_writes),
           CHECK_TEST(test_db__quorum_reads_miss_writes_as_theory_says),
           CHECK_TEST(test_db__quorum_survives_one_crashed_replica_of_three),
           CHECK_TEST(test_db__a_quorum_read_waits_as_its_deciding_answer),
           CHECK_TEST(test_db__hash_spreads_keys_evenly),
           CHECK_TEST(test_db__consistent_hashing_moves_a_fifth_of_keys),
           CHECK_TEST(test_db__a_hot_key_makes_its_shard_hot),
           CHECK_TEST(test_db__sizes_are_checked),
           CHECK_TEST(test_db__sharding_keys_are_checked),
           CHECK_TEST(test_db__replication_keys_are_checked),
           CHECK_TEST(test_db__read_and_write_policies_are_checked),
           CHECK_TEST(test_db__failover_and_timing_are_checked),
           CHECK_TEST(test_db__names_and_service_are_checked))
