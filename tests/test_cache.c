/* SPDX-License-Identifier: MIT */
/*
 * test_cache.c - the cache model: LRU hit ratios against Che's
 * approximation through the whole pipeline, exact behaviour with constant
 * times on hand-made request scripts (timing, expiry, eviction order per
 * policy, coalescing, write strategies, crashes, tiers), and the text of
 * every configuration error.
 */
#include "models/cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/client.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/run.h"

#define LEVEL 0.99
#define MS ((sim_time)1000000)
#define US ((sim_time)1000)
#define OP_CRASH 100                    /* script steps that are faults */
#define OP_RESTART 101
#define DB_KEYS 65536                   /* keys the test database holds */

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &server_ops, &cache_ops,
};

/* Runs a scenario given as YAML text with this file's model kinds. */
static void run_text(const char *yaml, struct run *r)
{
    run_yaml(yaml, kinds, 3, 2, r);
}

/* --- the whole pipeline, as in test_theory ------------------------------ */

/* Writes text to a fresh temporary file whose name goes into path. */
static void write_temp(const char *text, char *path)
{
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* --- a hand-built world: caches, a versioned database, a script --------- */

/* One scripted request (or fault) and what became of it. */
struct step {
    sim_time at;                        /* when it is sent, ns */
    int op;                             /* enum sim_op, OP_CRASH, OP_RESTART */
    uint64_t key;
    int64_t value;
    const char *to;                     /* entity it goes to */
    bool is_answered;
    sim_time response;                  /* ns from send to answer */
    sim_time wait;                      /* ns queued, as the answer says */
    sim_time service;                   /* ns in service, likewise */
    int status;
    uint64_t version;
    uint32_t store;
    int64_t got;                        /* value answered */
};

struct probe {
    uint32_t id;
    struct step *steps;
    size_t n_steps;
};

/*
 * A database that answers after a fixed delay: writes commit a new
 * version in the ground truth, reads return the newest one.
 */
struct vdb {
    uint32_t id;
    uint32_t store;                     /* its truth store */
    sim_time delay;                     /* ns */
    sim_time jitter;                    /* request id mod 3 times this */
    uint64_t n_reads, n_writes;
    int64_t values[DB_KEYS];
};

struct world {
    struct sim *sim;
    struct sim_cfg *cfg;
    const struct sim_model_ops *ops[4];
    void *configs[4];                   /* as loaded by libcyaml */
    size_t n_parts;
    struct probe probe;
    struct vdb *db;
    struct sim_report rep;
};

static const cyaml_config_t cyaml_cfg = {
    .log_fn = NULL,
    .mem_fn = cyaml_mem,
    .log_level = CYAML_LOG_ERROR,
};

static void probe_send(struct sim *sim, struct probe *p, size_t i)
{
    struct step *s = &p->steps[i];
    uint32_t to = sim_entity_find(sim, s->to);
    struct sim_req *req;

    if (s->op == OP_CRASH || s->op == OP_RESTART) {
        if (s->op == OP_CRASH)
            sim_entity_crash(sim, to);
        else
            sim_entity_restart(sim, to);
        return;
    }
    req = sim_req_new(sim, p->id);
    req->op = (uint8_t)s->op;
    req->key = s->key;
    req->value = s->value;
    req->tag.u64 = i;
    sim_req_call(sim, p->id, to, req);
}

static void probe_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    struct probe *p = state;
    struct sim_req *req = ev->payload.ptr;
    struct step *s;

    if (ev->type == SIM_EV_USER) {
        probe_send(sim, p, ev->payload.u64);
        return;
    }
    if (ev->type != SIM_EV_REPLY)
        return;
    s = &p->steps[req->tag.u64];
    s->is_answered = true;
    s->response = sim_now(sim) - req->t_sent;
    s->wait = req->wait_ns;
    s->service = req->service_ns;
    s->status = req->status;
    s->version = req->version;
    s->store = req->store;
    s->got = req->value;
    sim_req_release(sim, req);
}

static void vdb_handle(struct sim *sim, void *state,
                       const struct sim_event *ev)
{
    struct vdb *db = state;
    struct sim_req *req = ev->payload.ptr;
    struct sim_truth *t = sim_truth(sim);

    if (ev->type == SIM_EV_REQUEST) {
        sim_schedule(sim, db->delay + (sim_time)(req->id % 3) * db->jitter,
                     db->id, SIM_EV_USER, ev->payload);
        return;
    }
    if (ev->type != SIM_EV_USER)
        return;
    if (req->op == SIM_OP_WRITE) {
        db->n_writes++;
        req->version = sim_truth_commit(t, db->store, req->key,
                                        sim_now(sim));
        db->values[req->key % DB_KEYS] = req->value;
    } else {
        db->n_reads++;
        req->version = sim_truth_latest(t, db->store, req->key,
                                        sim_now(sim), NULL);
        req->value = db->values[req->key % DB_KEYS];
    }
    req->store = db->store;
    req->status = SIM_REQ_OK;
    sim_req_reply(sim, db->id, req);
}

/* A world running for duration with a database answering after delay. */
static void world_begin(struct world *w, sim_time duration, sim_time delay)
{
    struct sim_params params = {.seed = 7, .duration = duration};

    memset(w, 0, sizeof *w);
    w->sim = sim_new(&params, NULL);
    w->cfg = sim_cfg_new("world.yaml");
    w->db = calloc(1, sizeof *w->db);
    CHECK(w->sim != NULL && w->cfg != NULL && w->db != NULL);
    w->db->delay = delay;
    w->db->store = sim_truth_store(sim_truth(w->sim), "db");
    w->db->id = sim_entity_add(w->sim, "db", vdb_handle, w->db);
    w->probe.id = sim_entity_add(w->sim, "probe", probe_handle, &w->probe);
    sim_report_init(&w->rep);
}

/* Adds one component of a kind from its YAML mapping; it must be valid. */
static void world_add(struct world *w, const struct sim_model_ops *ops,
                      const char *yaml)
{
    cyaml_schema_value_t top = *ops->schema;
    void *config = NULL, *state = NULL;
    char path[32], line[512];
    cyaml_err_t err;

    top.flags |= CYAML_FLAG_POINTER;
    err = cyaml_load_data((const uint8_t *)yaml, strlen(yaml), &cyaml_cfg,
                          &top, (cyaml_data_t **)&config, NULL);
    CHECK_EQ_STR(cyaml_strerror(err), cyaml_strerror(CYAML_OK));
    w->ops[w->n_parts] = ops;
    w->configs[w->n_parts++] = config;
    snprintf(path, sizeof path, "%s[%zu]", ops->section, w->n_parts - 1);
    if (ops->init(w->sim, w->cfg, path, config, &state) != 0)
        printf("  %s\n", sim_cfg_format(w->cfg, 0, line, sizeof line));
    CHECK_EQ_INT(sim_cfg_n_errors(w->cfg), 0);
    CHECK_EQ_INT(sim_model_add(w->sim, ops, path, state), 0);
}

/* Starts the world, schedules the script and runs it to the end. */
static void world_run(struct world *w, struct step *steps, size_t n_steps)
{
    w->probe.steps = steps;
    w->probe.n_steps = n_steps;
    CHECK_EQ_INT(sim_start(w->sim, w->cfg), 0);
    for (size_t i = 0; i < n_steps; i++)
        sim_schedule(w->sim, steps[i].at, w->probe.id, SIM_EV_USER,
                     (union sim_payload){.u64 = i});
    CHECK_EQ_INT(sim_run(w->sim, NULL), 0);
    sim_report(w->sim, &w->rep);
}

static double figure(const struct world *w, const char *scope,
                     const char *name)
{
    for (size_t i = 0; i < w->rep.n_metrics; i++)
        if (strcmp(w->rep.metrics[i].scope, scope) == 0 &&
            strcmp(w->rep.metrics[i].name, name) == 0)
            return w->rep.metrics[i].value;
    printf("  no figure \"%s\" in scope \"%s\"\n", name, scope);
    CHECK(!"figure exists");
    return NAN;
}

static const struct sim_series *series(const struct world *w,
                                       const char *scope, const char *name)
{
    for (size_t i = 0; i < w->rep.n_series; i++)
        if (strcmp(w->rep.series[i].scope, scope) == 0 &&
            strcmp(w->rep.series[i].name, name) == 0)
            return &w->rep.series[i];
    printf("  no series \"%s\" in scope \"%s\"\n", name, scope);
    CHECK(!"series exists");
    return NULL;
}

static void world_end(struct world *w)
{
    sim_report_release(&w->rep);
    sim_free(w->sim);
    for (size_t i = 0; i < w->n_parts; i++) {
        cyaml_schema_value_t top = *w->ops[i]->schema;

        top.flags |= CYAML_FLAG_POINTER;
        cyaml_free(&cyaml_cfg, &top, w->configs[i], 0);
    }
    sim_cfg_free(w->cfg);
    free(w->db);
}

static struct step read_at(sim_time at, uint64_t key, const char *to)
{
    return (struct step){.at = at, .op = SIM_OP_READ, .key = key, .to = to};
}

static struct step write_at(sim_time at, uint64_t key, int64_t value,
                            const char *to)
{
    return (struct step){.at = at, .op = SIM_OP_WRITE, .key = key,
                         .value = value, .to = to};
}

/* --- LRU against Che's approximation ------------------------------------ */

/*
 * Che's approximation for LRU under independent references: the
 * characteristic time T solves sum_i (1 - exp(-p_i T)) = C, and the hit
 * ratio is sum_i p_i (1 - exp(-p_i T)). T is found by bisection.
 */
/* Expected number of the keys held after time t: sum_i 1 - exp(-p_i t). */
static double che_fill(const double *p, int n_keys, double t)
{
    double fill = 0;

    for (int i = 0; i < n_keys; i++)
        fill += 1 - exp(-p[i] * t);
    return fill;
}

static double che_hit_ratio(double s, int n_keys, double capacity)
{
    double *p = malloc(n_keys * sizeof *p), h = 0, lo = 0, hi = 1, hit = 0;

    for (int i = 0; i < n_keys; i++)
        h += p[i] = pow(i + 1.0, -s);
    for (int i = 0; i < n_keys; i++)
        p[i] /= h;
    while (che_fill(p, n_keys, hi) < capacity)
        hi *= 2;
    for (int iter = 0; iter < 100; iter++) {
        double mid = (lo + hi) / 2;

        if (che_fill(p, n_keys, mid) < capacity)
            lo = mid;
        else
            hi = mid;
    }
    for (int i = 0; i < n_keys; i++)
        hit += p[i] * (1 - exp(-p[i] * lo));
    free(p);
    return hit;
}

/*
 * A read-only client with Zipf(0.8) popularity over 10^4 keys, an LRU
 * cache of `capacity` items and a backend answering at once. Each of the
 * 10 replications measures 50k reads after a warm-up of 20k (about eight
 * characteristic times for the larger cache). Che's approximation is not
 * exact, so one percentage point is allowed between it and the simulation;
 * the simulation's 99% interval must be narrower than that. Expected
 * half-width: a replication's standard error is at most about
 * sqrt(0.25 / 50000) = 0.22 points, times t(0.995, 9) / sqrt(10) = 1.03.
 */
static void che(int capacity)
{
    double theory = che_hit_ratio(0.8, 10000, capacity);
    const struct sim_summary_row *row;
    struct sim_ci ci;
    char yaml[1024];
    struct run r;

    snprintf(yaml, sizeof yaml,
             "name: che\nseed: 21\nduration: 700ms\nwarmup: 200ms\n"
             "replications: 10\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: 100k/s}\n    keys: {dist: zipf, s: 0.8, count: 10000}\n"
             "    target: cache\n"
             "servers:\n  - name: db\n    service: {dist: constant, "
             "value: 0s}\n"
             "caches:\n  - name: cache\n    policy: lru\n    capacity: %d\n"
             "    backend: db\n", capacity);
    run_text(yaml, &r);
    row = sim_summary_find(&r.sum, "cache cache", "hit_ratio");
    CHECK(row != NULL);
    sim_ci_compute(row->values, r.sum.n_reps, LEVEL, &ci);
    printf("  LRU, %d of 10000 keys, Zipf 0.8: Che %.4f, simulated %.4f "
           "+- %.4f (99%%)\n", capacity, theory, ci.mean, ci.half_width);
    CHECK(fabs(ci.mean - theory) <= 0.01);
    CHECK(2 * ci.half_width < 0.01);
    run_release(&r);
}

static void test_cache__lru_hit_ratio_matches_che_at_1_percent(void)
{
    che(100);
}

static void test_cache__lru_hit_ratio_matches_che_at_10_percent(void)
{
    che(1000);
}

/* --- exact behaviour with constant times ------------------------------- */

static void test_cache__hit_takes_hit_time_and_miss_adds_round_trip(void)
{
    struct step s[] = {
        read_at(0, 5, "cache"), read_at(10 * MS, 5, "cache"),
    };
    const struct sim_series *ser;
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &server_ops, "name: srv\nservice: {dist: constant, "
              "value: 2ms}\n");
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: srv\n"
              "hit_time: {dist: constant, value: 100us}\n");
    world_run(&w, s, 2);
    /* Miss: the server's 2ms, then 100us to store; hit: 100us. */
    CHECK_EQ_INT(s[0].response, 2 * MS + 100 * US);
    CHECK_EQ_INT(s[1].response, 100 * US);
    /* A plain server knows no versions: both answers carry version 0. */
    CHECK_EQ_INT(s[0].status, SIM_REQ_OK);
    CHECK_EQ_INT(s[1].version, 0);
    CHECK_EQ_INT(s[1].store, 0);
    CHECK_EQ_INT(figure(&w, "cache cache", "hits"), 1);
    CHECK_EQ_INT(figure(&w, "cache cache", "misses"), 1);
    /* One window covers the run: its hit ratio is one in two. */
    ser = series(&w, "cache cache", "hit_ratio");
    CHECK_EQ_INT(ser->n_values, 1);
    CHECK_NEAR(ser->values[0], 0.5, 1e-12);
    world_end(&w);
}

static void test_cache__ttl_expires_at_exactly_ttl(void)
{
    /* Stored at 1ms + 100us, so it expires at 1.0011s. */
    const sim_time expiry = SIM_S + MS + 100 * US;
    struct step s[] = {
        read_at(0, 5, "cache"), read_at(expiry - 1, 5, "cache"),
        read_at(expiry, 5, "cache"),
    };
    struct world w;

    world_begin(&w, 2 * SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "ttl: 1s\nhit_time: {dist: constant, value: 100us}\n"
              "workers: 2\n");
    world_run(&w, s, 3);
    CHECK_EQ_INT(s[1].response, 100 * US);
    CHECK_EQ_INT(s[2].response, MS + 100 * US);
    CHECK_EQ_INT(figure(&w, "cache cache", "expirations"), 1);
    CHECK_EQ_INT(w.db->n_reads, 2);
    world_end(&w);
}

/*
 * Reads keys[0..n) one every 10ms through a cache of `capacity` items
 * with policy, and writes the hit (H) / miss (M) pattern into out.
 */
static void pattern_of(const char *policy, int capacity,
                       const uint64_t *keys, size_t n, char *out)
{
    struct step *s = calloc(n, sizeof *s);
    char yaml[256];
    struct world w;

    world_begin(&w, (sim_time)n * 10 * MS + SIM_S, MS);
    snprintf(yaml, sizeof yaml, "name: cache\ncapacity: %d\nbackend: db\n"
             "policy: %s\nhit_time: {dist: constant, value: 1us}\n",
             capacity, policy);
    world_add(&w, &cache_ops, yaml);
    for (size_t i = 0; i < n; i++)
        s[i] = read_at((sim_time)i * 10 * MS, keys[i], "cache");
    world_run(&w, s, n);
    for (size_t i = 0; i < n; i++)
        out[i] = s[i].response == US ? 'H' : 'M';
    out[n] = '\0';
    world_end(&w);
    free(s);
}

/* The pattern of keys given as letters, through 3 places. */
static void pattern(const char *policy, const char *letters, char *out)
{
    uint64_t keys[32];
    size_t n = strlen(letters);

    for (size_t i = 0; i < n; i++)
        keys[i] = (uint64_t)letters[i];
    pattern_of(policy, 3, keys, n, out);
}

/*
 * The sequence A B C A A B, then D C E A B, into 3 places. LRU: D evicts
 * C (least recent), C evicts A, E evicts B, A evicts D, B evicts C.
 */
static void test_cache__lru_evicts_least_recently_used(void)
{
    char got[32];

    pattern("lru", "ABCAABDCEAB", got);
    CHECK_EQ_STR(got, "MMMHHHMMMMM");
}

/* LFU: A is used 3 times, B twice; D evicts C, C evicts D, E evicts C. */
static void test_cache__lfu_evicts_least_frequently_used(void)
{
    char got[32];

    pattern("lfu", "ABCAABDCEAB", got);
    CHECK_EQ_STR(got, "MMMHHHMMMHH");
}

/* A, C and D are used once: D evicts A (least recent), A evicts C. */
static void test_cache__lfu_breaks_ties_by_least_recent_use(void)
{
    char got[32];

    pattern("lfu", "ABCBDAC", got);
    CHECK_EQ_STR(got, "MMMHMMM");
}

/* FIFO ignores use: D evicts A, E evicts B, A evicts C, B evicts D. */
static void test_cache__fifo_evicts_in_insertion_order(void)
{
    char got[32];

    pattern("fifo", "ABCAABDCEAB", got);
    CHECK_EQ_STR(got, "MMMHHHMHMMM");
}

/*
 * Random eviction, in rounds on fresh keys k1..k4: read k1, k2, k3 (the
 * cache of 3 is full), then k4, which evicts one of them; reading k1, k2,
 * k3 again, the first miss names the victim. Cache-aside writes to the
 * four keys then empty the cache for the next round. Over 3000 rounds the
 * victim counts must fit the uniform law: Pearson's chi-square with 2
 * degrees of freedom stays under 13.82 with probability 99.9%.
 */
static void test_cache__random_evicts_uniformly_over_resident_keys(void)
{
    enum { ROUNDS = 3000, PER = 11 };
    static const int order[PER] = {1, 2, 3, 4, 1, 2, 3, -1, -2, -3, -4};
    struct step *s = calloc(ROUNDS * PER, sizeof *s);
    int victims[3] = {0, 0, 0};
    double chi2 = 0;
    struct world w;

    world_begin(&w, (sim_time)ROUNDS * PER * 10 * MS + SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 3\nbackend: db\n"
              "policy: random\nhit_time: {dist: constant, value: 1us}\n");
    for (int r = 0; r < ROUNDS; r++) {
        for (int j = 0; j < PER; j++) {
            sim_time at = (sim_time)(r * PER + j) * 10 * MS;
            uint64_t key = (uint64_t)(10 * r + abs(order[j]));

            s[r * PER + j] = order[j] > 0 ? read_at(at, key, "cache")
                                          : write_at(at, key, 1, "cache");
        }
    }
    world_run(&w, s, ROUNDS * PER);
    for (int r = 0; r < ROUNDS; r++) {
        int j = 4;

        while (j < 7 && s[r * PER + j].response == US)
            j++;
        CHECK(j < 7);
        victims[j - 4]++;
    }
    for (int v = 0; v < 3; v++)
        chi2 += pow(victims[v] - ROUNDS / 3.0, 2) / (ROUNDS / 3.0);
    printf("  victims k1 %d, k2 %d, k3 %d: chi-square %.2f (limit 13.82)\n",
           victims[0], victims[1], victims[2], chi2);
    CHECK(chi2 < 13.82);
    world_end(&w);
    free(s);
}

/* The high bits of a 64-bit linear congruential generator. */
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 16;
}

/*
 * A plain reference, O(capacity) per read: the victim has the oldest last
 * use (LRU), the oldest insertion (FIFO), or the fewest uses and then the
 * oldest last use (LFU).
 */
static void reference(const char *policy, int capacity, const uint64_t *keys,
                      size_t n, char *out)
{
    bool is_lru = strcmp(policy, "lru") == 0;
    bool is_fifo = strcmp(policy, "fifo") == 0;
    uint64_t held[64];
    size_t born[64], used[64], freq[64];
    int n_held = 0, v;

    for (size_t i = 0; i < n; i++) {
        int j = 0;

        while (j < n_held && held[j] != keys[i])
            j++;
        out[i] = j < n_held ? 'H' : 'M';
        if (j < n_held) {
            used[j] = i;
            freq[j]++;
            continue;
        }
        if (n_held == capacity) {
            for (v = 0, j = 1; j < n_held; j++) {
                bool is_older = is_lru ? used[j] < used[v]
                              : is_fifo ? born[j] < born[v]
                              : freq[j] < freq[v] ||
                                (freq[j] == freq[v] && used[j] < used[v]);

                v = is_older ? j : v;
            }
            n_held--;
            held[v] = held[n_held];
            born[v] = born[n_held];
            used[v] = used[n_held];
            freq[v] = freq[n_held];
        }
        held[n_held] = keys[i];
        born[n_held] = used[n_held] = i;
        freq[n_held++] = 1;
    }
    out[n] = '\0';
}

/*
 * 3000 reads of 20 keys, key k drawn with probability (2k + 1) / 400, so
 * that uses differ, through 6 places: each policy's pattern of hits and
 * misses must be the reference's, read for read.
 */
static void test_cache__policies_match_a_reference_on_a_long_run(void)
{
    enum { N = 3000 };
    static const char *const policies[] = {"lru", "lfu", "fifo"};
    uint64_t *keys = malloc(N * sizeof *keys), x = 12345;
    char *got = malloc(N + 1), *want = malloc(N + 1);
    size_t n_hits = 0;

    for (size_t i = 0; i < N; i++)
        keys[i] = (uint64_t)sqrt((double)(lcg(&x) % 400));
    for (size_t p = 0; p < 3; p++) {
        pattern_of(policies[p], 6, keys, N, got);
        reference(policies[p], 6, keys, N, want);
        n_hits = 0;
        for (size_t i = 0; i < N; i++)
            n_hits += got[i] == 'H';
        printf("  %s: %zu hits of %d, as the reference: %s\n", policies[p],
               n_hits, N, strcmp(got, want) == 0 ? "yes" : "no");
        CHECK(strcmp(got, want) == 0);
    }
    free(keys);
    free(got);
    free(want);
}

/* 10KiB holds two items of 4KiB, though 100 items are allowed. */
static void test_cache__capacity_bytes_bounds_the_items_by_size(void)
{
    struct step s[] = {
        read_at(0, 1, "cache"), read_at(10 * MS, 2, "cache"),
        read_at(20 * MS, 3, "cache"), read_at(30 * MS, 2, "cache"),
        read_at(40 * MS, 1, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 100\nbackend: db\n"
              "capacity_bytes: 10KiB\nitem_bytes: {min: 4KiB, max: 4KiB}\n"
              "hit_time: {dist: constant, value: 1us}\n");
    world_run(&w, s, 5);
    CHECK_EQ_INT(s[3].response, US);
    CHECK_EQ_INT(s[4].response, MS + US);
    CHECK_EQ_INT(figure(&w, "cache cache", "items"), 2);
    CHECK_EQ_INT(figure(&w, "cache cache", "bytes"), 8192);
    CHECK_EQ_INT(figure(&w, "cache cache", "evictions"), 2);
    world_end(&w);
}

/* N reads of one key at the same instant, with a stampede setting. */
static void simultaneous_misses(const char *stampede, int n, struct world *w,
                                struct step *s)
{
    char yaml[256];

    world_begin(w, SIM_S, 10 * MS);
    snprintf(yaml, sizeof yaml, "name: cache\ncapacity: 10\nbackend: db\n"
             "stampede: %s\nhit_time: {dist: constant, value: 100us}\n",
             stampede);
    world_add(w, &cache_ops, yaml);
    for (int i = 0; i < n; i++)
        s[i] = read_at(MS, 9, "cache");
    world_run(w, s, (size_t)n);
}

static void test_cache__coalesce_fetches_once_for_n_misses(void)
{
    struct step s[10];
    struct world w;

    simultaneous_misses("coalesce", 10, &w, s);
    CHECK_EQ_INT(w.db->n_reads, 1);
    CHECK_EQ_INT(figure(&w, "cache cache", "backend_fetches"), 1);
    CHECK_EQ_INT(figure(&w, "cache cache", "coalesced"), 9);
    CHECK_EQ_INT(figure(&w, "cache cache", "misses"), 10);
    /* One store answers all ten together. */
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(s[i].response, 10 * MS + 100 * US);
    world_end(&w);
    simultaneous_misses("none", 10, &w, s);
    CHECK_EQ_INT(w.db->n_reads, 10);
    CHECK_EQ_INT(figure(&w, "cache cache", "coalesced"), 0);
    world_end(&w);
}

/*
 * Write-behind with flush_after 1s: k1 is written at 0.1s and written back
 * at 1.1s; k2 twice and k3 once after that, so when the cache crashes at
 * 2s their three acknowledged writes were never written back.
 */
static void test_cache__write_behind_crash_loses_unflushed_writes(void)
{
    struct step s[] = {
        write_at(100 * MS, 1, 11, "cache"),
        write_at(1200 * MS, 2, 21, "cache"),
        write_at(1300 * MS, 2, 22, "cache"),
        write_at(1400 * MS, 3, 31, "cache"),
        {.at = 2 * SIM_S, .op = OP_CRASH, .to = "cache"},
        {.at = 2500 * MS, .op = OP_RESTART, .to = "cache"},
        read_at(3 * SIM_S, 1, "cache"), read_at(3100 * MS, 2, "cache"),
    };
    const struct sim_note *note;
    struct world w;

    world_begin(&w, 4 * SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "strategy: write-behind\nflush_after: 1s\n");
    world_run(&w, s, 8);
    for (int i = 0; i < 4; i++) {
        CHECK(s[i].is_answered);
        CHECK_EQ_INT(s[i].response, 0);
    }
    CHECK_EQ_INT(figure(&w, "cache cache", "lost_writes"), 3);
    CHECK_EQ_INT(figure(&w, "cache cache", "write_backs"), 1);
    CHECK_EQ_INT(w.db->n_writes, 1);
    /* After the restart the store is empty: k1 comes from the database. */
    CHECK_EQ_INT(s[6].got, 11);
    CHECK_EQ_INT(s[6].version, 1);
    CHECK_EQ_INT(s[7].got, 0);
    CHECK_EQ_INT(s[7].version, 0);
    CHECK_EQ_INT(w.rep.n_notes, 1);
    note = &w.rep.notes[0];
    CHECK_EQ_STR(note->kind, "lost_writes");
    CHECK_EQ_STR(note->text, "cache cache crashed before writing back 3 "
                 "acknowledged writes to 2 keys: they are lost");
    CHECK_NEAR(note->t_s, 2.0, 1e-12);
    world_end(&w);
}

static void test_cache__write_behind_coalesces_writes_to_a_key(void)
{
    struct step s[] = {
        write_at(100 * MS, 4, 1, "cache"), write_at(200 * MS, 4, 2, "cache"),
        write_at(300 * MS, 4, 3, "cache"), read_at(500 * MS, 4, "cache"),
        read_at(2 * SIM_S, 4, "cache"),
    };
    struct world w;

    world_begin(&w, 3 * SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "strategy: write-behind\nflush_after: 1s\n");
    world_run(&w, s, 5);
    CHECK_EQ_INT(w.db->n_writes, 1);
    CHECK_EQ_INT(w.db->values[4], 3);
    /* Before the write-back a read sees the value but no version. */
    CHECK_EQ_INT(s[3].got, 3);
    CHECK_EQ_INT(s[3].store, 0);
    /* After it, the version the database gave. */
    CHECK_EQ_INT(s[4].version, 1);
    CHECK_EQ_INT(s[4].store, w.db->store);
    CHECK_EQ_INT(figure(&w, "cache cache", "hits"), 2);
    CHECK_EQ_INT(figure(&w, "cache cache", "lost_writes"), 0);
    world_end(&w);
}

/*
 * The database is written behind the cache's back: the cache still
 * answers version 1 while version 2 is committed, a stale read anyone
 * comparing with the ground truth sees.
 */
static void test_cache__stale_hit_carries_the_cached_version(void)
{
    struct step s[] = {
        write_at(0, 8, 100, "db"), read_at(100 * MS, 8, "cache"),
        write_at(200 * MS, 8, 200, "db"), read_at(300 * MS, 8, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n");
    world_run(&w, s, 4);
    CHECK_EQ_INT(s[3].response, 0);
    CHECK_EQ_INT(s[3].got, 100);
    CHECK_EQ_INT(s[3].version, 1);
    CHECK_EQ_INT(s[3].store, w.db->store);
    CHECK_EQ_INT(sim_truth_latest(sim_truth(w.sim), w.db->store, 8,
                                  300 * MS, NULL), 2);
    world_end(&w);
}

static void test_cache__write_through_stores_the_new_version(void)
{
    struct step s[] = {
        read_at(0, 3, "cache"), write_at(100 * MS, 3, 5, "cache"),
        read_at(200 * MS, 3, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "strategy: write-through\n"
              "hit_time: {dist: constant, value: 100us}\n");
    world_run(&w, s, 3);
    /* The write waits for the database, then for the store. */
    CHECK_EQ_INT(s[1].response, MS + 100 * US);
    CHECK_EQ_INT(s[1].version, 1);
    CHECK_EQ_INT(s[2].response, 100 * US);
    CHECK_EQ_INT(s[2].version, 1);
    CHECK_EQ_INT(s[2].got, 5);
    world_end(&w);
}

static void test_cache__cache_aside_write_invalidates_the_key(void)
{
    struct step s[] = {
        read_at(0, 3, "cache"), write_at(100 * MS, 3, 5, "cache"),
        read_at(200 * MS, 3, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "hit_time: {dist: constant, value: 100us}\n");
    world_run(&w, s, 3);
    CHECK_EQ_INT(s[1].response, MS + 100 * US);
    CHECK_EQ_INT(s[2].response, MS + 100 * US);
    CHECK_EQ_INT(s[2].version, 1);
    CHECK_EQ_INT(s[2].got, 5);
    CHECK_EQ_INT(figure(&w, "cache cache", "invalidations"), 1);
    world_end(&w);
}

/*
 * ttl 1s, refresh_at 0.5: a hit at 0.4s is too young; at 0.6s it refreshes
 * in the background (the read is still a hit), once even if read again
 * while the refresh is out; the value stored at 0.601s still lives at
 * 1.2s, when it is old enough to refresh again.
 */
static void test_cache__refresh_ahead_refreshes_in_the_background(void)
{
    struct step s[] = {
        read_at(0, 6, "cache"), read_at(400 * MS, 6, "cache"),
        read_at(600 * MS, 6, "cache"), read_at(600 * MS + 500 * US, 6,
                                               "cache"),
        read_at(1200 * MS, 6, "cache"),
    };
    struct world w;

    world_begin(&w, 2 * SIM_S, MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "ttl: 1s\nstrategy: refresh-ahead\nrefresh_at: 0.5\n");
    world_run(&w, s, 5);
    for (int i = 1; i < 5; i++)
        CHECK_EQ_INT(s[i].response, 0);
    CHECK_EQ_INT(w.db->n_reads, 3);
    CHECK_EQ_INT(figure(&w, "cache cache", "refreshes"), 2);
    CHECK_EQ_INT(figure(&w, "cache cache", "misses"), 1);
    world_end(&w);
}

/*
 * Early refresh: an item whose fetch took delta = 10ms, read tau before
 * it expires, is refetched with probability exp(-tau / (delta beta)).
 * 4000 keys are read at tau = delta ln 2 (p = 1/2) and 4000 at
 * tau = delta ln 10 (p = 1/10). The refetch counts are binomial; each
 * must lie within 3.29 standard deviations (99.9%) of its mean.
 */
static void test_cache__early_refresh_probability_follows_xfetch(void)
{
    enum { N = 4000 };
    const sim_time expiry = 10 * MS + SIM_S;
    const sim_time tau[2] = {6931472, 23025851}; /* 10ms ln 2, 10ms ln 10 */
    const double p[2] = {0.5, 0.1};
    struct step *s = calloc(4 * N, sizeof *s);
    struct world w;

    world_begin(&w, 2 * SIM_S, 10 * MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10000\nbackend: db\n"
              "ttl: 1s\nstampede: early-refresh\nbeta: 1\n");
    for (int i = 0; i < 2 * N; i++) {
        s[i] = read_at(0, (uint64_t)i, "cache");
        s[2 * N + i] = read_at(expiry - tau[i / N], (uint64_t)i, "cache");
    }
    world_run(&w, s, 4 * N);
    for (int half = 0; half < 2; half++) {
        int n_early = 0;
        double sd = sqrt(N * p[half] * (1 - p[half]));

        for (int i = 0; i < N; i++)
            n_early += s[2 * N + half * N + i].response > 0;
        printf("  tau %.3fms: %d of %d refetched early, expected %.0f "
               "+- %.0f\n", tau[half] / 1e6, n_early, N, N * p[half],
               3.29 * sd);
        CHECK(fabs(n_early - N * p[half]) <= 3.29 * sd);
    }
    world_end(&w);
    free(s);
}

/*
 * Three misses at once through one cache worker to a server of two
 * workers: the third fetch queues 2ms at the server, and of the two
 * answers back at 2ms the second waits 100us to be stored.
 */
static void test_cache__a_miss_carries_the_backends_queueing(void)
{
    struct step s[] = {
        read_at(0, 1, "cache"), read_at(0, 2, "cache"),
        read_at(0, 3, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &server_ops, "name: srv\nworkers: 2\nservice: {dist: "
              "constant, value: 2ms}\n");
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: srv\n"
              "hit_time: {dist: constant, value: 100us}\n");
    world_run(&w, s, 3);
    CHECK_EQ_INT(s[0].wait, 0);
    CHECK_EQ_INT(s[1].wait, 100 * US);
    CHECK_EQ_INT(s[2].wait, 2 * MS);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(s[i].service, 2 * MS + 100 * US);
        CHECK_EQ_INT(s[i].response, s[i].wait + s[i].service);
    }
    world_end(&w);
}

/*
 * A read that joins a fetch in flight (coalesce) at 3ms takes on only the
 * last 1ms of it (service, not the 2ms the fetch queued before it came),
 * and the 100us store: what it waited, no more.
 */
static void test_cache__a_joining_read_takes_no_more_than_it_waited(void)
{
    struct step s[] = {
        read_at(0, 9, "cache"), read_at(0, 1, "cache"),
        read_at(3 * MS, 1, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &server_ops, "name: srv\nservice: {dist: constant, "
              "value: 2ms}\n");
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: srv\n"
              "stampede: coalesce\n"
              "hit_time: {dist: constant, value: 100us}\n");
    world_run(&w, s, 3);
    CHECK_EQ_INT(s[1].wait, 2 * MS);
    CHECK_EQ_INT(s[1].service, 2 * MS + 100 * US);
    CHECK_EQ_INT(s[2].response, MS + 100 * US);
    CHECK_EQ_INT(s[2].wait, 0);
    CHECK_EQ_INT(s[2].service, MS + 100 * US);
    world_end(&w);
}

/*
 * Through the whole pipeline: three reads at 0 miss and queue at a
 * one-worker server for 0, 10 and 20s; the client's waiting time is the
 * server's, 10s on average, not 0.
 */
static void test_cache__client_wait_includes_the_backends_queue(void)
{
    struct run r;

    run_text("name: t\nduration: 100s\nreplications: 1\n"
             "clients:\n  - name: c\n    arrival: {process: trace, file: "
             "three-at-once.txt}\n    timeout: 50s\n    target: cache\n"
             "caches:\n  - name: cache\n    capacity: 10\n    backend: s\n"
             "    backend_timeout: 50s\n"
             "servers:\n  - name: s\n    service: {dist: constant, value: "
             "10s}\n", &r);
    CHECK_NEAR(run_figure(&r, "server s", "waiting_time.mean"), 10, 1e-12);
    CHECK_NEAR(run_figure(&r, "client c", "waiting_time.mean"), 10, 1e-12);
    run_release(&r);
}

/* l1 (2 items) in front of l2 in front of the database. */
static void test_cache__a_cache_can_be_the_backend_of_another(void)
{
    struct step s[] = {
        read_at(0, 1, "l1"), read_at(100 * MS, 1, "l1"),
        read_at(200 * MS, 2, "l1"), read_at(300 * MS, 3, "l1"),
        read_at(400 * MS, 1, "l1"),
    };
    struct world w;

    world_begin(&w, SIM_S, MS);
    world_add(&w, &cache_ops, "name: l1\ncapacity: 2\nbackend: l2\n"
              "hit_time: {dist: constant, value: 10us}\n");
    world_add(&w, &cache_ops, "name: l2\ncapacity: 100\nbackend: db\n"
              "hit_time: {dist: constant, value: 10us}\n");
    world_run(&w, s, 5);
    /* Two misses: the database, then a store in each tier. */
    CHECK_EQ_INT(s[0].response, MS + 20 * US);
    CHECK_EQ_INT(s[1].response, 10 * US);
    /* Evicted from l1, still in l2: a hit there plus a store in l1. */
    CHECK_EQ_INT(s[4].response, 20 * US);
    CHECK_EQ_INT(figure(&w, "cache l1", "misses"), 4);
    CHECK_EQ_INT(figure(&w, "cache l2", "hits"), 1);
    CHECK_EQ_INT(figure(&w, "cache l2", "misses"), 3);
    CHECK_EQ_INT(w.db->n_reads, 3);
    world_end(&w);
}

static void test_cache__backend_timeout_fails_the_waiters(void)
{
    struct step s[] = {
        read_at(0, 1, "cache"), read_at(300 * MS, 1, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, 100 * MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n"
              "backend_timeout: 50ms\n");
    world_run(&w, s, 2);
    CHECK_EQ_INT(s[0].status, SIM_FAIL_TIMEOUT);
    CHECK_EQ_INT(s[0].response, 50 * MS);
    /* The late answer was ignored: nothing was stored. */
    CHECK_EQ_INT(s[1].status, SIM_FAIL_TIMEOUT);
    CHECK_EQ_INT(figure(&w, "cache cache", "backend_failures"), 2);
    CHECK_EQ_INT(figure(&w, "cache cache", "failed_replies"), 2);
    CHECK_EQ_INT(figure(&w, "cache cache", "items"), 0);
    world_end(&w);
}

/* A read waiting on the database when the cache crashes is dropped. */
static void test_cache__crash_drops_requests_and_empties_the_store(void)
{
    struct step s[] = {
        read_at(0, 1, "cache"), read_at(20 * MS, 2, "cache"),
        {.at = 25 * MS, .op = OP_CRASH, .to = "cache"},
        {.at = 26 * MS, .op = OP_RESTART, .to = "cache"},
        read_at(40 * MS, 1, "cache"),
    };
    struct world w;

    world_begin(&w, SIM_S, 10 * MS);
    world_add(&w, &cache_ops, "name: cache\ncapacity: 10\nbackend: db\n");
    world_run(&w, s, 5);
    CHECK(!s[1].is_answered);
    CHECK_EQ_INT(s[4].response, 10 * MS);
    CHECK_EQ_INT(figure(&w, "cache cache", "dropped"), 1);
    CHECK_EQ_INT(figure(&w, "cache cache", "items"), 1);
    CHECK_EQ_INT(figure(&w, "cache cache", "present_end"), 0);
    CHECK_EQ_INT(sim_n_dropped(w.sim, SIM_FAIL_CRASH), 1);
    world_end(&w);
}

/* Every strategy and policy under a mixed load keeps its books. */
static void test_cache__books_balance_for_every_strategy(void)
{
    static const char *const modes[] = {
        "strategy: cache-aside, policy: lru, stampede: coalesce",
        "strategy: read-through, policy: lfu, stampede: early-refresh",
        "strategy: write-through, policy: fifo",
        "strategy: write-behind, policy: random, flush_after: 50ms",
        "strategy: refresh-ahead, policy: lru, stampede: coalesce",
    };

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char yaml[1024];
        struct run r;

        snprintf(yaml, sizeof yaml,
                 "name: books\nseed: 3\nduration: 2s\nwarmup: 500ms\n"
                 "replications: 2\n"
                 "clients:\n  - name: c\n    arrival: {process: poisson, "
                 "rate: 5k/s}\n    mix: {read: 0.8, write: 0.2}\n"
                 "    keys: {dist: zipf, s: 1, count: 2000}\n"
                 "    timeout: 100ms\n    target: cache\n"
                 "servers:\n  - name: db\n    workers: 4\n    service: "
                 "{dist: exponential, mean: 500us}\n"
                 "caches:\n  - {name: cache, capacity: 200, ttl: 200ms, "
                 "backend: db, workers: 2, hit_time: {dist: exponential, "
                 "mean: 50us}, %s}\n", modes[i]);
        run_text(yaml, &r);
        CHECK(sim_summary_find(&r.sum, "cache cache", "hits")->ci.mean > 0);
        run_release(&r);
    }
}

/*
 * Random reads, writes and compare-and-sets on 50 keys, with the cache
 * crashing every 2s and restarting 1s later, and a third of the backend
 * calls timing out (the database takes 10, 15 or 20ms; the cache waits
 * 17ms), under one setting: every
 * request sent is answered, dropped or still held at the end, and the
 * cache's books say the same.
 */
static void churn(const char *settings)
{
    enum { N = 20000 };
    struct step *s = calloc(N, sizeof *s);
    uint64_t x = 99, n_answered = 0, n_requests = 0;
    char yaml[512];
    struct world w;

    world_begin(&w, 21 * SIM_S, 10 * MS);
    w.db->jitter = 5 * MS;
    snprintf(yaml, sizeof yaml, "name: cache\ncapacity: 20\nbackend: db\n"
             "ttl: 300ms\nhit_time: {dist: exponential, mean: 200us}\n"
             "workers: 2\n%s\n", settings);
    world_add(&w, &cache_ops, yaml);
    for (size_t i = 0; i < N; i++) {
        sim_time at = (sim_time)(lcg(&x) % (uint64_t)(20 * SIM_S));
        uint64_t key = lcg(&x) % 50, kind = lcg(&x) % 10;

        s[i] = read_at(at, key, "cache");
        s[i].op = kind < 7 ? SIM_OP_READ : kind < 9 ? SIM_OP_WRITE
                                                    : SIM_OP_CAS;
        if (i % 1000 == 0)
            s[i] = (struct step){.at = (sim_time)(i / 1000) * SIM_S,
                                 .op = i % 2000 ? OP_RESTART : OP_CRASH,
                                 .to = "cache"};
        n_requests += s[i].op < SIM_OP_N;
    }
    world_run(&w, s, N);
    for (size_t i = 0; i < N; i++)
        n_answered += s[i].is_answered;
    /* Requests sent while it was down never arrived. */
    CHECK(figure(&w, "cache cache", "arrived") < n_requests);
    CHECK_EQ_INT(figure(&w, "cache cache", "completed"), n_answered);
    CHECK_EQ_INT(figure(&w, "cache cache", "arrived"),
                 figure(&w, "cache cache", "completed") +
                 figure(&w, "cache cache", "dropped") +
                 figure(&w, "cache cache", "present_end"));
    CHECK(figure(&w, "cache cache", "backend_failures") > 0);
    CHECK(figure(&w, "cache cache", "hits") > 0);
    world_end(&w);
    free(s);
}

static void test_cache__churn_with_crashes_and_timeouts_keeps_books(void)
{
    static const char *const settings[] = {
        "backend_timeout: 17ms\nstampede: coalesce",
        "backend_timeout: 17ms\nstrategy: write-through\npolicy: lfu",
        "backend_timeout: 17ms\nstrategy: write-behind\nflush_after: 50ms\n"
        "policy: random",
        "backend_timeout: 17ms\nstrategy: refresh-ahead\nstampede: "
        "early-refresh\npolicy: fifo",
    };

    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        churn(settings[i]);
}

/* The teaching scenario loads with each stampede setting from --set. */
static void test_cache__stampede_scenario_loads_with_each_setting(void)
{
    static const char *const sets[] = {
        "caches[0].stampede=none", "caches[0].stampede=coalesce",
        "caches[0].stampede=early-refresh",
    };

    for (size_t i = 0; i < 3; i++) {
        const char *file = "scenarios/cache-stampede.yaml";
        struct sim_cfg *cfg = sim_cfg_new(file);
        struct sim_scenario *sc = NULL;
        struct sim_error err = {0};
        char line[512];
        int rc;

        rc = sim_scenario_load(cfg, file, &sets[i], 1, kinds, 3, &sc, &err);
        if (rc != 0)
            printf("  %s\n", sim_cfg_n_errors(cfg) ? sim_cfg_format(cfg,
                   0, line, sizeof line) : err.msg);
        sim_cfg_free(cfg);
        sim_scenario_free(sc);
        CHECK_EQ_INT(rc, 0);
    }
}

/* --- configuration errors ----------------------------------------------- */

/*
 * Loads a scenario whose caches section is `caches` (a server "db" and a
 * client of it exist) and checks that it fails with exactly the problems
 * want[0..n_want), each written "line:col: path: message".
 */
static void expect_errors(const char *caches, const char *const *want,
                          size_t n_want)
{
    char path[] = TEST_TMP "distsim-cache-XXXXXX";
    char text[2048], got[600];
    struct sim_scenario *sc = NULL;
    struct sim_error err = {0};
    struct sim_cfg *cfg;
    size_t n_got, skip;
    int rc;

    snprintf(text, sizeof text, "name: bad\nduration: 1s\nservers:\n"
             "  - name: db\n    service: {dist: constant, value: 1ms}\n"
             "caches:\n%sclients:\n  - {name: u, users: 1, target: db}\n",
             caches);
    write_temp(text, path);
    cfg = sim_cfg_new(path);
    rc = sim_scenario_load(cfg, path, NULL, 0, kinds, 3, &sc, &err);
    unlink(path);
    n_got = sim_cfg_n_errors(cfg);
    skip = strlen(path) + 1;
    for (size_t i = 0; i < n_got || i < n_want; i++) {
        sim_cfg_format(cfg, i, got, sizeof got);
        if (i < n_got && i < n_want && strcmp(got + skip, want[i]) == 0)
            continue;
        sim_cfg_free(cfg);
        CHECK_EQ_STR(i < n_got ? got + skip : "(nothing)",
                     i < n_want ? want[i] : "(nothing)");
    }
    sim_cfg_free(cfg);
    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK(sc == NULL);
}

#define EXPECT(caches, ...)                                               \
    do {                                                                  \
        static const char *const want_[] = {__VA_ARGS__};                 \
        expect_errors(caches, want_, sizeof want_ / sizeof want_[0]);     \
    } while (0)

static void test_cache__error_capacity(void)
{
    EXPECT("  - {name: c, backend: db}\n",
           "7:5: caches[0]: missing required key \"capacity\"");
    EXPECT("  - {name: c, backend: db, capacity: 0}\n",
           "7:38: caches[0].capacity: must be between 1 and 10000000 items");
    EXPECT("  - {name: c, backend: db, capacity: 1000000000000000}\n",
           "7:38: caches[0].capacity: must be between 1 and 10000000 items");
    EXPECT("  - {name: c, backend: db, capacity: 10, workers: 0}\n",
           "7:51: caches[0].workers: must be between 1 and 100000");
}

static void test_cache__error_sizes(void)
{
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 1MiB}\n",
           "7:57: caches[0].capacity_bytes: needs \"item_bytes\" (as in "
           "item_bytes: {min: 1KiB, max: 16KiB})");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 2PiB}\n",
           "7:57: caches[0].capacity_bytes: \"2PiB\": unknown unit \"PiB\" "
           "(write it as in \"64KiB\")");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: "
           "2000000GiB, item_bytes: {min: 1B, max: 1B}}\n",
           "7:57: caches[0].capacity_bytes: \"2000000GiB\" must be above 0 and "
           "at most 1PiB (2^50 bytes)");
    EXPECT("  - {name: c, backend: db, capacity: 9, "
           "item_bytes: {min: 1KiB, max: 2KiB}}\n",
           "7:53: caches[0].item_bytes: item sizes only matter with "
           "\"capacity_bytes\"");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 1MiB, "
           "item_bytes: {max: 2KiB}}\n",
           "7:75: caches[0].item_bytes: missing \"min\" (as in item_bytes: "
           "{min: 1KiB, max: 16KiB})");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 1MiB, "
           "item_bytes: {min: 0B, max: 2KiB}}\n",
           "7:81: caches[0].item_bytes.min: must be above 0");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 1MiB, "
           "item_bytes: {min: 4KiB, max: 2KiB}}\n",
           "7:75: caches[0].item_bytes: \"min\" (4KiB) is more than \"max\" "
           "(2KiB)");
    EXPECT("  - {name: c, backend: db, capacity: 9, capacity_bytes: 1MiB, "
           "item_bytes: {min: 1KiB, max: 2MiB}}\n",
           "7:92: caches[0].item_bytes.max: \"2MiB\" is more than "
           "capacity_bytes (\"1MiB\"): such an item would never fit");
}

static void test_cache__error_times(void)
{
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 0s}\n",
           "7:46: caches[0].ttl: must be above 0 (leave it out for no "
           "expiry)");
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 30}\n",
           "7:46: caches[0].ttl: \"30\": missing unit (write it as in "
           "\"250ms\")");
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 200d}\n",
           "7:46: caches[0].ttl: \"200d\": unknown unit \"d\" (write it as "
           "in \"250ms\")");
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 3000h}\n",
           "7:46: caches[0].ttl: \"3000h\" is more than the limit of "
           "10000000s (about 115 days)");
    EXPECT("  - {name: c, backend: db, capacity: 9, backend_timeout: 0s}\n",
           "7:58: caches[0].backend_timeout: must be above 0");
    EXPECT("  - {name: c, backend: db, capacity: 9, hit_time: {dist: "
           "constant}}\n",
           "7:51: caches[0].hit_time: the constant distribution needs "
           "\"value\"");
}

static void test_cache__error_strategy_keys(void)
{
    EXPECT("  - {name: c, backend: db, capacity: 9, flush_after: 1s}\n",
           "7:54: caches[0].flush_after: only strategy: write-behind uses "
           "\"flush_after\"");
    EXPECT("  - {name: c, backend: db, capacity: 9, refresh_at: 0.5}\n",
           "7:53: caches[0].refresh_at: only strategy: refresh-ahead uses "
           "\"refresh_at\"");
    EXPECT("  - {name: c, backend: db, capacity: 9, beta: 2}\n",
           "7:47: caches[0].beta: only stampede: early-refresh uses "
           "\"beta\"");
    EXPECT("  - {name: c, backend: db, capacity: 9, strategy: "
           "refresh-ahead}\n",
           "7:51: caches[0].strategy: refresh-ahead needs a \"ttl\" to "
           "refresh ahead of");
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 1s, strategy: "
           "refresh-ahead, refresh_at: 1}\n",
           "7:87: caches[0].refresh_at: 1 is not a fraction of the ttl in "
           "(0, 1)");
    EXPECT("  - {name: c, backend: db, capacity: 9, stampede: "
           "early-refresh}\n",
           "7:51: caches[0].stampede: early-refresh needs a \"ttl\" to "
           "refresh before");
    EXPECT("  - {name: c, backend: db, capacity: 9, ttl: 1s, stampede: "
           "early-refresh, beta: 0}\n",
           "7:81: caches[0].beta: 0 must be above 0 and at most 1000");
    EXPECT("  - {name: c, backend: db, capacity: 9, policy: lrc}\n",
           "7:49: caches[0].policy: \"lrc\" is not one of lru, lfu, fifo, "
           "random; did you mean \"lru\"?");
}

static void test_cache__error_names_and_backend(void)
{
    EXPECT("  - {name: c, backend: dbx, capacity: 9}\n",
           "7:24: caches[0].backend: unknown component \"dbx\"; "
           "did you mean \"db\"?");
    EXPECT("  - {name: c, backend: c, capacity: 9}\n",
           "7:24: caches[0].backend: a cache cannot be its own backend");
    EXPECT("  - {name: db, backend: c, capacity: 9}\n",
           "7:5: caches[0]: the name \"db\" is already taken");
    EXPECT("  - {name: 9c, backend: db, capacity: 9}\n",
           "7:12: caches[0].name: \"9c\" is not a valid name (1 to 63 "
           "letters, digits, '_' or '-', starting with a letter)");
    /* Every problem of an entry is reported, not just the first. */
    EXPECT("  - {name: c, backend: db, capacity: 0, ttl: 0s, workers: 0}\n",
           "7:38: caches[0].capacity: must be between 1 and 10000000 items",
           "7:46: caches[0].ttl: must be above 0 (leave it out for no "
           "expiry)",
           "7:59: caches[0].workers: must be between 1 and 100000");
}

CHECK_MAIN(CHECK_TEST(test_cache__lru_hit_ratio_matches_che_at_1_percent),
           CHECK_TEST(test_cache__lru_hit_ratio_matches_che_at_10_percent),
           CHECK_TEST(test_cache__hit_takes_hit_time_and_miss_adds_round_trip),
           CHECK_TEST(test_cache__ttl_expires_at_exactly_ttl),
           CHECK_TEST(test_cache__lru_evicts_least_recently_used),
           CHECK_TEST(test_cache__lfu_evicts_least_frequently_used),
           CHECK_TEST(test_cache__lfu_breaks_ties_by_least_recent_use),
           CHECK_TEST(test_cache__fifo_evicts_in_insertion_order),
           CHECK_TEST(test_cache__random_evicts_uniformly_over_resident_keys),
           CHECK_TEST(test_cache__policies_match_a_reference_on_a_long_run),
           CHECK_TEST(test_cache__capacity_bytes_bounds_the_items_by_size),
           CHECK_TEST(test_cache__coalesce_fetches_once_for_n_misses),
           CHECK_TEST(test_cache__write_behind_crash_loses_unflushed_writes),
           CHECK_TEST(test_cache__write_behind_coalesces_writes_to_a_key),
           CHECK_TEST(test_cache__stale_hit_carries_the_cached_version),
           CHECK_TEST(test_cache__write_through_stores_the_new_version),
           CHECK_TEST(test_cache__cache_aside_write_invalidates_the_key),
           CHECK_TEST(test_cache__refresh_ahead_refreshes_in_the_background),
           CHECK_TEST(test_cache__early_refresh_probability_follows_xfetch),
           CHECK_TEST(test_cache__a_miss_carries_the_backends_queueing),
           CHECK_TEST(test_cache__a_joining_read_takes_no_more_than_it_waited),
           CHECK_TEST(test_cache__client_wait_includes_the_backends_queue),
           CHECK_TEST(test_cache__a_cache_can_be_the_backend_of_another),
           CHECK_TEST(test_cache__backend_timeout_fails_the_waiters),
           CHECK_TEST(test_cache__crash_drops_requests_and_empties_the_store),
           CHECK_TEST(test_cache__books_balance_for_every_strategy),
           CHECK_TEST(test_cache__churn_with_crashes_and_timeouts_keeps_books),
           CHECK_TEST(test_cache__stampede_scenario_loads_with_each_setting),
           CHECK_TEST(test_cache__error_capacity),
           CHECK_TEST(test_cache__error_sizes),
           CHECK_TEST(test_cache__error_times),
           CHECK_TEST(test_cache__error_strategy_keys),
           CHECK_TEST(test_cache__error_names_and_backend))
