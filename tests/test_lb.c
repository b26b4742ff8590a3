/* SPDX-License-Identifier: MIT */
/*
 * test_lb.c - the load balancer: each policy's choices on hand-made
 * request sequences (stub backends that log what they get), power of d
 * choices against the supermarket model, health checks and failover with
 * scheduled crashes, and every configuration error message.
 */
#include "models/lb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "models/client.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/doc.h"
#include "sim/scenario.h"
#include "sim/schema.h"
#include "sim/summary.h"
#include "tests/check.h"
#include "tests/run.h"

#define MAX_STUBS 16
#define MAX_LOG 40000
#define LB_PATH "load_balancers[0]"

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &lb_ops, &server_ops,
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Runs a scenario given as YAML text with this file's model kinds. */
static void run_text(const char *yaml, struct run *r)
{
    run_yaml(yaml, kinds, N_KINDS, 2, r);
}

/* ---- a rig: stub backends and a driver around one LB ---- */

enum rig_event {
    RIG_SEND = SIM_EV_USER,             /* driver: payload.u64 the key */
    RIG_CRASH,                          /* payload.u64 an entity id */
    RIG_RESTART,
};

struct rig;

/* A backend that logs each request and answers it, or keeps it. */
struct stub {
    struct rig *rig;
    unsigned index;
    uint32_t id;
    bool is_holding;                    /* keeps requests unanswered */
    unsigned n_got;
};

struct rig {
    struct sim *sim;
    struct sim_cfg *cfg;
    cyaml_schema_value_t top;           /* the LB's schema as a document */
    void *config;                       /* the LB's, as libcyaml loaded it */
    uint32_t driver, edge;
    struct stub stubs[MAX_STUBS];
    unsigned n_stubs;
    unsigned log[MAX_LOG];              /* stub index, in arrival order */
    uint64_t log_key[MAX_LOG];
    size_t n_log;
    unsigned n_ok, n_failed;            /* answers the driver got */
};

static void stub_handle(struct sim *sim, void *state,
                        const struct sim_event *ev)
{
    struct stub *s = state;
    struct rig *r = s->rig;
    struct sim_req *req = ev->payload.ptr;

    if (ev->type != SIM_EV_REQUEST)
        return;
    if (!req->is_probe) {
        if (r->n_log < MAX_LOG) {
            r->log[r->n_log] = s->index;
            r->log_key[r->n_log++] = req->key;
        }
        s->n_got++;
        if (s->is_holding)
            return;
    }
    req->status = SIM_REQ_OK;
    sim_req_reply(sim, s->id, req);
}

static void driver_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct rig *r = state;
    struct sim_req *req;

    switch (ev->type) {
    case RIG_SEND:
        req = sim_req_new(sim, r->driver);
        if (req == NULL)
            return;
        req->key = ev->payload.u64;
        sim_req_call(sim, r->driver, r->edge, req);
        break;
    case SIM_EV_REPLY:
        req = ev->payload.ptr;
        if (req->status == SIM_REQ_OK)
            r->n_ok++;
        else
            r->n_failed++;
        sim_req_release(sim, req);
        break;
    case RIG_CRASH:
        sim_entity_crash(sim, (uint32_t)ev->payload.u64);
        break;
    case RIG_RESTART:
        sim_entity_restart(sim, (uint32_t)ev->payload.u64);
        break;
    default:
        break;
    }
}

/* n stubs b0.. in a group "app", a driver, and the LB of yaml. */
static void rig_open(struct rig *r, const char *yaml, unsigned n,
                     sim_time duration)
{
    struct sim_params params = {.seed = 7, .duration = duration};
    uint32_t ids[MAX_STUBS];
    struct sim_doc *doc = NULL;
    const uint32_t *edge;
    void *state = NULL;

    memset(r, 0, sizeof *r);
    r->sim = sim_new(&params, NULL);
    r->cfg = sim_cfg_new("lb.yaml");
    CHECK(r->sim != NULL && r->cfg != NULL && n <= MAX_STUBS);
    for (unsigned i = 0; i < n; i++) {
        char name[16];

        snprintf(name, sizeof name, "b%u", i);
        r->stubs[i] = (struct stub){.rig = r, .index = i};
        ids[i] = r->stubs[i].id = sim_entity_add(r->sim, name, stub_handle,
                                                 &r->stubs[i]);
    }
    r->n_stubs = n;
    CHECK_EQ_INT(sim_group_add(r->sim, "app", ids, n), 0);
    r->driver = sim_entity_add(r->sim, "driver", driver_handle, r);
    CHECK_EQ_INT(sim_doc_parse(r->cfg, yaml, strlen(yaml), &doc), 0);
    r->top = *lb_ops.schema;
    r->top.flags = CYAML_FLAG_POINTER;
    CHECK_EQ_INT(sim_schema_check(r->cfg, doc, &r->top), 0);
    CHECK_EQ_INT(sim_schema_load(r->cfg, doc, &r->top, &r->config), 0);
    sim_doc_free(doc);
    CHECK_EQ_INT(lb_ops.init(r->sim, r->cfg, LB_PATH, r->config, &state), 0);
    CHECK_EQ_INT(sim_model_add(r->sim, &lb_ops, LB_PATH, state), 0);
    CHECK_EQ_INT(sim_start(r->sim, r->cfg), 0);
    CHECK_EQ_INT(sim_lookup(r->sim, "edge", &edge), 1);
    r->edge = edge[0];
}

static void rig_at(struct rig *r, sim_time at, uint32_t type, uint64_t v)
{
    sim_schedule(r->sim, at, r->driver, type, (union sim_payload){.u64 = v});
}

static void rig_close(struct rig *r)
{
    sim_free(r->sim);
    sim_schema_free(&r->top, r->config);
    sim_cfg_free(r->cfg);
}

/* ---- policies on hand-made sequences ---- */

static void test_lb__round_robin_cycles(void)
{
    struct rig r;

    rig_open(&r, "name: edge\npolicy: round-robin\nbackends: app\n", 4,
             SIM_S);
    for (uint64_t i = 0; i < 12; i++)
        rig_at(&r, (sim_time)i * SIM_MS, RIG_SEND, i);
    CHECK_EQ_INT(sim_run(r.sim, NULL), 0);
    CHECK_EQ_INT(r.n_log, 12);
    CHECK_EQ_INT(r.n_ok, 12);
    for (size_t i = 0; i < 12; i++)
        CHECK_EQ_INT(r.log[i], i % 4);
    rig_close(&r);
}

/*
 * Smooth weighted round robin repeats with a period of the total weight
 * (6 here), so the shares are exact over 600 requests and in every block
 * of 6; within a block the heavy backend never gets three in a row.
 */
static void test_lb__weighted_round_robin_gives_exact_shares(void)
{
    static const unsigned want[] = {300, 100, 100, 100};
    struct rig r;

    rig_open(&r, "name: edge\npolicy: weighted-round-robin\n"
             "backends: app\nweights: [3, 1, 1, 1]\n", 4, SIM_S);
    for (uint64_t i = 0; i < 600; i++)
        rig_at(&r, (sim_time)i * SIM_MS, RIG_SEND, i);
    CHECK_EQ_INT(sim_run(r.sim, NULL), 0);
    CHECK_EQ_INT(r.n_log, 600);
    for (unsigned b = 0; b < 4; b++)
        CHECK_EQ_INT(r.stubs[b].n_got, want[b]);
    for (size_t block = 0; block < 600; block += 6) {
        unsigned got[4] = {0};

        for (size_t i = block; i < block + 6; i++)
            got[r.log[i]]++;
        for (unsigned b = 0; b < 4; b++)
            CHECK_EQ_INT(got[b], want[b] / 100);
    }
    for (size_t i = 2; i < 600; i++)
        CHECK(!(r.log[i] == 0 && r.log[i - 1] == 0 && r.log[i - 2] == 0));
    rig_close(&r);
}

/*
 * 4000 uniform picks among 4: each count is binomial(4000, 1/4), sd
 * 27.4; 3.29 sd bounds a 99.9% interval.
 */
static void test_lb__random_spreads_evenly(void)
{
    const double n = 4000, sd = sqrt(n * 0.25 * 0.75);
    struct rig r;

    rig_open(&r, "name: edge\npolicy: random\nbackends: app\n", 4, SIM_S);
    for (uint64_t i = 0; i < 4000; i++)
        rig_at(&r, (sim_time)i * 100 * SIM_US, RIG_SEND, i);
    CHECK_EQ_INT(sim_run(r.sim, NULL), 0);
    for (unsigned b = 0; b < 4; b++)
        CHECK_NEAR(r.stubs[b].n_got, n / 4, 3.29 * sd);
    rig_close(&r);
}

/*
 * b0, b1 and b3 keep every request; b2 answers at once. Once each keeper
 * holds one request (ties go round robin), every request goes to the
 * idle b2.
 */
static void test_lb__least_connections_sends_to_the_idle_backend(void)
{
    struct rig r;

    rig_open(&r, "name: edge\npolicy: least-connections\nbackends: app\n",
             4, SIM_S);
    r.stubs[0].is_holding = r.stubs[1].is_holding = true;
    r.stubs[3].is_holding = true;
    for (uint64_t i = 0; i < 20; i++)
        rig_at(&r, (sim_time)i * SIM_MS, RIG_SEND, i);
    CHECK_EQ_INT(sim_run(r.sim, NULL), 0);
    CHECK_EQ_INT(r.stubs[0].n_got, 1);
    CHECK_EQ_INT(r.stubs[1].n_got, 1);
    CHECK_EQ_INT(r.stubs[3].n_got, 1);
    CHECK_EQ_INT(r.stubs[2].n_got, 17);
    for (size_t i = 4; i < 20; i++)
        CHECK_EQ_INT(r.log[i], 2);
    rig_close(&r);
}

/*
 * Consistent hashing over 10 backends with the default 100 vnodes: keys
 * 0..K-1 are sent twice (same backend each time), then b3 crashes, health
 * checks eject it, and the keys are sent again. Exactly the keys b3 had
 * move, and no other. Their share is b3's share of the ring: with points
 * placed like independent uniform draws it is Beta(v, (n-1)v), mean 1/n,
 * so the count moved is beta-binomial with variance
 * K p q (1 + (K-1) / (n v + 1)): ring variance plus binomial sampling.
 * The check is the 99.9% normal interval of that (3.29 sd).
 */
static void test_lb__consistent_hash_is_sticky_and_moves_one_nth(void)
{
    const size_t k = 4000;
    const double n = 10, v = 100, p = 1 / n;
    double sd = sqrt(k * p * (1 - p) * (1 + (k - 1) / (n * v + 1)));
    size_t moved = 0, had = 0;
    struct rig r;

    rig_open(&r, "name: edge\npolicy: consistent-hash\nbackends: app\n"
             "health: {interval: 100ms, timeout: 50ms, unhealthy_after: 1}"
             "\n", 10, 400 * SIM_MS);
    for (uint64_t i = 0; i < k; i++) {
        rig_at(&r, SIM_MS + (sim_time)i * SIM_US, RIG_SEND, i);
        rig_at(&r, 10 * SIM_MS + (sim_time)i * SIM_US, RIG_SEND, i);
        rig_at(&r, 300 * SIM_MS + (sim_time)i * SIM_US, RIG_SEND, i);
    }
    rig_at(&r, 20 * SIM_MS, RIG_CRASH, r.stubs[3].id);
    CHECK_EQ_INT(sim_run(r.sim, NULL), 0);
    CHECK_EQ_INT(r.n_log, 3 * k);
    for (size_t i = 0; i < k; i++) {
        CHECK_EQ_INT(r.log_key[i], i);
        CHECK_EQ_INT(r.log_key[2 * k + i], i);
        CHECK_EQ_INT(r.log[k + i], r.log[i]);
        CHECK(r.log[2 * k + i] != 3);
        had += r.log[i] == 3;
        if (r.log[2 * k + i] != r.log[i]) {
            CHECK_EQ_INT(r.log[i], 3);
            moved++;
        }
    }
    CHECK_EQ_INT(moved, had);
    printf("  moved %zu of %zu keys (%.4f; expected %.4f +- %.4f at "
           "99.9%%)\n", moved, k, moved / (double)k, p, 3.29 * sd / k);
    CHECK_NEAR(moved, k * p, 3.29 * sd);
    rig_close(&r);
}

/* ---- scenarios through the whole pipeline ---- */

/* Writes YAML text to a temporary file and loads it as a scenario. */
static struct sim_scenario *load_text(const char *yaml, struct sim_cfg **cfg)
{
    char path[] = TEST_TMP "distsim-lb-XXXXXX";
    struct sim_scenario *sc = NULL;
    struct sim_error err = {0};
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    CHECK(f != NULL);
    fputs(yaml, f);
    fclose(f);
    *cfg = sim_cfg_new(path);
    sim_scenario_load(*cfg, path, NULL, 0, kinds, N_KINDS, &sc, &err);
    unlink(path);
    return sc;
}

/* ---- power of d choices against the supermarket model ---- */

#define MF_MAX 24                       /* queue lengths tracked */

/*
 * The supermarket model with n queues, load lambda and d choices: x[i-1]
 * is the fraction of queues with at least i jobs at the mean-field fixed
 * point, s_i = lambda^((d^i - 1) / (d - 1)), cut where it drops below
 * 1e-13.
 */
struct market {
    double load;
    unsigned d;
    int k;                              /* entries of x in use */
    double x[MF_MAX];
};

static double market_x(const struct market *m, int i)
{
    return i <= 0 ? 1.0 : i > m->k ? 0.0 : m->x[i - 1];
}

static void market_init(struct market *m, double load, unsigned d)
{
    m->load = load;
    m->d = d;
    m->k = 0;
    while (m->k < MF_MAX) {
        double e = (pow(d, m->k + 1) - 1) / (d - 1);

        m->x[m->k] = pow(load, e);
        if (m->x[m->k++] < 1e-13)
            break;
    }
}

/* Drift Jacobian A, and the diagonal diffusion q, at the fixed point. */
static void market_drift(const struct market *m, gsl_matrix *a, double *q)
{
    double l = m->load, d = m->d;

    gsl_matrix_set_zero(a);
    for (int i = 1; i <= m->k; i++) {
        double xi = market_x(m, i), xp = market_x(m, i - 1);

        if (i > 1)
            gsl_matrix_set(a, i - 1, i - 2, l * d * pow(xp, d - 1));
        gsl_matrix_set(a, i - 1, i - 1, -l * d * pow(xi, d - 1) - 1);
        if (i < m->k)
            gsl_matrix_set(a, i - 1, i, 1);
        q[i - 1] = l * (pow(xp, d) - pow(xi, d)) + xi - market_x(m, i + 1);
    }
}

/* Solves A W + W A' + diag(q) = 0 for the covariance W (k x k). */
static int market_lyapunov(int k, const gsl_matrix *a, const double *q,
                           gsl_vector *w)
{
    gsl_matrix *big = gsl_matrix_calloc(k * k, k * k);
    gsl_vector *rhs = gsl_vector_calloc(k * k);
    gsl_permutation *perm = gsl_permutation_alloc(k * k);
    int sign, rc = GSL_ENOMEM;

    if (big != NULL && rhs != NULL && perm != NULL) {
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                for (int m = 0; m < k; m++) {
                    *gsl_matrix_ptr(big, i * k + j, m * k + j) +=
                        gsl_matrix_get(a, i, m);
                    *gsl_matrix_ptr(big, i * k + j, i * k + m) +=
                        gsl_matrix_get(a, j, m);
                }
                gsl_vector_set(rhs, i * k + j, i == j ? -q[i] : 0);
            }
        }
        rc = gsl_linalg_LU_decomp(big, perm, &sign);
        if (rc == 0)
            rc = gsl_linalg_LU_solve(big, perm, rhs, w);
    }
    gsl_matrix_free(big);
    gsl_vector_free(rhs);
    gsl_permutation_free(perm);
    return rc;
}

/* The 1/n term of sampling d distinct queues rather than with repeats. */
static double market_distinct(const struct market *m, double y)
{
    return -(m->d * (m->d - 1) / 2.0) * pow(y, m->d - 1) * (1 - y);
}

/*
 * The refined mean field (Gast and Van Houdt, 2017): E[x] = x* + V/n +
 * O(1/n^2) with V = -A^-1 (B:W / 2 + g), B the drift's second derivatives
 * and g the 1/n part of the drift from sampling without repeats. Returns
 * the 1/n term of the mean time in system, sum(V) / (lambda n), in
 * service times.
 */
static double market_correction(const struct market *m, unsigned n)
{
    int k = m->k;
    gsl_matrix *a = gsl_matrix_alloc(k, k);
    gsl_permutation *perm = gsl_permutation_alloc(k);
    gsl_vector *w = gsl_vector_alloc(k * k), *h = gsl_vector_alloc(k);
    gsl_vector *v = gsl_vector_alloc(k);
    double q[MF_MAX], l = m->load, d = m->d, sum = 0, wp = 0;
    int sign;

    gsl_set_error_handler_off();
    CHECK(a && perm && w && h && v);
    market_drift(m, a, q);
    CHECK_EQ_INT(market_lyapunov(k, a, q, w), 0);
    for (int i = 1; i <= k; i++) {
        double wi = gsl_vector_get(w, (i - 1) * k + (i - 1));
        double bw = 0.5 * l * d * (d - 1) *
                    (pow(market_x(m, i - 1), d - 2) * wp -
                     pow(market_x(m, i), d - 2) * wi);

        gsl_vector_set(h, i - 1, -(bw + l * (market_distinct(m,
                       market_x(m, i - 1)) - market_distinct(m,
                       market_x(m, i)))));
        wp = wi;
    }
    CHECK_EQ_INT(gsl_linalg_LU_decomp(a, perm, &sign), 0);
    CHECK_EQ_INT(gsl_linalg_LU_solve(a, perm, h, v), 0);
    for (int i = 0; i < k; i++)
        sum += gsl_vector_get(v, i);
    gsl_matrix_free(a);
    gsl_permutation_free(perm);
    gsl_vector_free(w);
    gsl_vector_free(h);
    gsl_vector_free(v);
    return sum / (l * n);
}

/*
 * A control-variate estimate (Lavenberg and Welch) of the mean of y over
 * n replications, with x a figure whose expectation mu is known: regress
 * y on x and read the fit at x = mu. Writes the estimate and the
 * half-width of its interval at level (Student's t, n - 2 degrees of
 * freedom).
 */
static void control_variate(const double *y, const double *x, size_t n,
                            double mu, double level, double *mean,
                            double *hw)
{
    double my = 0, mx = 0, sxx = 0, sxy = 0, rss = 0, beta, se;

    for (size_t i = 0; i < n; i++) {
        my += y[i] / n;
        mx += x[i] / n;
    }
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    beta = sxy / sxx;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - my - beta * (x[i] - mx);

        rss += r * r;
    }
    se = sqrt(rss / (n - 2) * (1.0 / n + (mx - mu) * (mx - mu) / sxx));
    *mean = my - beta * (mx - mu);
    *hw = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)n - 2) * se;
}

/*
 * 100 backends with exponential service (mean 1ms) behind power-of-d,
 * Poisson arrivals at 100 x load per ms, no network latency: the client's
 * mean response time is the mean time in system.
 *
 * Theory. Mean field (n -> inf): T = (1/load) sum_i s_i. For d = 1 each
 * backend is exactly M/M/1: T = 1 / (1 - load) for any n. For d = 2 a
 * finite system waits longer; the refined mean field gives the 1/n term
 * c/n (1.2% of T at load 0.9, 8.4% at 0.99, for n = 100) and leaves
 * O(1/n^2). The allowance: the simulated mean must lie within its 99%
 * interval plus c/(2n) of T + c/n, i.e. the unmodelled higher-order
 * terms may reach half the size of the first-order one.
 *
 * Estimate. Near saturation a replication's mean response time is steep
 * in its realised load, so the servers' utilisation (expectation exactly
 * the load) serves as a control variate; it removes most of the spread
 * between replications. The interval must be tight: for d = 2 narrower
 * than c/(2n), so that the test can tell the finite system from the
 * limit; for d = 1 under 3% of T. Run lengths come from pilot runs'
 * variance; the seeds are fixed.
 */
static void supermarket(unsigned d, double load, unsigned reps,
                        double warmup_s, double duration_s, uint64_t seed)
{
    const unsigned n = 100;
    double mf = 0, corr = 0, mean, hw;
    const struct sim_summary_row *y, *x;
    struct market m;
    char yaml[1024];
    struct run r;

    if (d == 1) {
        mf = 1 / (1 - load);
    } else {
        market_init(&m, load, d);
        for (int i = 0; i < m.k; i++)
            mf += m.x[i] / load;
        corr = market_correction(&m, n);
    }
    snprintf(yaml, sizeof yaml,
             "name: supermarket\nseed: %llu\nduration: %gs\nwarmup: %gs\n"
             "replications: %u\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, "
             "rate: %g/s}\n    target: edge\n"
             "load_balancers:\n  - name: edge\n    policy: power-of-d\n"
             "    d: %u\n    backends: app\n"
             "servers:\n  - name: app\n    count: %u\n    service: {dist: "
             "exponential, mean: 1ms}\n", (unsigned long long)seed,
             warmup_s + duration_s, warmup_s, reps, n * load * 1000, d, n);
    run_text(yaml, &r);
    y = sim_summary_find(&r.sum, "client c", "response_time.mean");
    x = sim_summary_find(&r.sum, "server app", "utilisation");
    CHECK(y != NULL && x != NULL);
    control_variate(y->values, x->values, r.sum.n_reps, load, 0.99, &mean,
                    &hw);
    mean *= 1e3;
    hw *= 1e3;
    printf("  d=%u load %.2f: mean field %.4f ms, with 1/n term %.4f ms; "
           "simulated %.4f +- %.4f ms (99%%; plain mean %.4f)\n", d, load,
           mf, mf + corr, mean, hw, y->ci.mean * 1e3);
    CHECK(d == 1 ? hw < 0.03 * mf : hw < corr / 2);
    CHECK(fabs(mean - (mf + corr)) <= hw + corr / 2);
    run_release(&r);
}

static void test_lb__power_of_one_is_mm1_at_load_0_9(void)
{
    supermarket(1, 0.9, 20, 1, 2, 21);
}

/*
 * M/M/1 at 0.99 relaxes over about 1/(1-sqrt(0.99))^2 = 4e4 service
 * times (40s here), and its mean needs some 1e9 requests for a tight
 * interval: a pilot of 10 x 40s after 40s of warm-up gave a standard
 * error of 1.8% (and a mean still 3% low from the warm-up), so 20 x 400s
 * after 200s should give a 99% half-width near 1.2%. That is some ten
 * minutes in release; run it with DISTSIM_SLOW_TESTS=1.
 */
static void test_lb__power_of_one_is_mm1_at_load_0_99(void)
{
    if (getenv("DISTSIM_SLOW_TESTS") == NULL)
        CHECK_SKIP("needs ~1e9 requests; set DISTSIM_SLOW_TESTS=1");
    supermarket(1, 0.99, 20, 200, 400, 22);
}

static void test_lb__power_of_two_matches_the_mean_field_at_0_9(void)
{
    supermarket(2, 0.9, 20, 0.5, 1.5, 23);
}

static void test_lb__power_of_two_matches_the_mean_field_at_0_99(void)
{
    supermarket(2, 0.99, 20, 1, 3, 24);
}

/* ---- health checks and failover, with crashes at set times ---- */

/* One replication built from a scenario, plus a chaos entity. */
struct world {
    struct sim_scenario *sc;
    struct sim *sim;
    uint32_t chaos;
    struct sim_report rep;
};

static void chaos_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    (void)state;
    if (ev->type == RIG_CRASH)
        sim_entity_crash(sim, (uint32_t)ev->payload.u64);
    else if (ev->type == RIG_RESTART)
        sim_entity_restart(sim, (uint32_t)ev->payload.u64);
}

static void world_open(struct world *w, const char *yaml)
{
    struct sim_error err = {0};
    struct sim_cfg *cfg;

    memset(w, 0, sizeof *w);
    sim_report_init(&w->rep);
    w->sc = load_text(yaml, &cfg);
    CHECK(w->sc != NULL);
    CHECK_EQ_INT(sim_scenario_build(w->sc, cfg, 0, &w->sim, &err), 0);
    sim_cfg_free(cfg);
    w->chaos = sim_entity_add(w->sim, "chaos", chaos_handle, w);
    CHECK(w->chaos != SIM_NO_ENTITY);
}

/* Crashes (type RIG_CRASH) or restarts an entity at t seconds. */
static void world_at(struct world *w, double t, uint32_t type,
                     const char *name)
{
    uint32_t id = sim_entity_find(w->sim, name);
    sim_time at;

    CHECK(id != SIM_NO_ENTITY && sim_time_from_s(t, &at));
    sim_schedule(w->sim, at, w->chaos, type, (union sim_payload){.u64 = id});
}

static void world_run(struct world *w)
{
    CHECK_EQ_INT(sim_run(w->sim, NULL), 0);
    sim_report(w->sim, &w->rep);
    CHECK_EQ_INT(w->rep.status, 0);
}

static void world_close(struct world *w)
{
    sim_report_release(&w->rep);
    sim_free(w->sim);
    sim_scenario_free(w->sc);
}

static double figure(const struct world *w, const char *scope,
                     const char *name)
{
    for (size_t i = 0; i < w->rep.n_metrics; i++)
        if (strcmp(w->rep.metrics[i].scope, scope) == 0 &&
            strcmp(w->rep.metrics[i].name, name) == 0)
            return w->rep.metrics[i].value;
    printf("  no figure \"%s\" in \"%s\"\n", name, scope);
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
    CHECK(!"series exists");
    return NULL;
}

/* The first note of a kind, or NULL. */
static const struct sim_note *note(const struct world *w, const char *kind)
{
    for (size_t i = 0; i < w->rep.n_notes; i++)
        if (strcmp(w->rep.notes[i].kind, kind) == 0)
            return &w->rep.notes[i];
    return NULL;
}

static size_t count_notes(const struct world *w, const char *kind)
{
    size_t n = 0;

    for (size_t i = 0; i < w->rep.n_notes; i++)
        n += strcmp(w->rep.notes[i].kind, kind) == 0;
    return n;
}

/* present_start + arrived = completed + rejected + dropped + present_end */
static void check_books(const struct world *w, const char *scope)
{
    CHECK_EQ_INT(figure(w, scope, "present_start") +
                 figure(w, scope, "arrived"),
                 figure(w, scope, "completed") +
                 figure(w, scope, "rejected") + figure(w, scope, "dropped") +
                 figure(w, scope, "present_end"));
}

/* Per backend: in flight at start + sent = answered + lost + at end. */
static void check_backend_books(const struct world *w, const char *backend)
{
    const char *s = "load_balancer edge";
    char k[5][96];

    snprintf(k[0], sizeof k[0], "backend.%s.in_flight_start", backend);
    snprintf(k[1], sizeof k[1], "backend.%s.sent", backend);
    snprintf(k[2], sizeof k[2], "backend.%s.answered", backend);
    snprintf(k[3], sizeof k[3], "backend.%s.lost", backend);
    snprintf(k[4], sizeof k[4], "backend.%s.in_flight_end", backend);
    CHECK_EQ_INT(figure(w, s, k[0]) + figure(w, s, k[1]),
                 figure(w, s, k[2]) + figure(w, s, k[3]) +
                 figure(w, s, k[4]));
}

#define WORLD_HEAD                                                        \
    "name: lbworld\nseed: 3\nduration: 20s\nwarmup: 1s\nwindow: 1s\n"     \
    "clients:\n  - name: c\n    arrival: {process: poisson, rate: 1k/s}\n" \
    "    timeout: 100ms\n    target: edge\n"

/*
 * app.2 crashes at 5.5s and restarts at 12.5s; probes go out every
 * second from 0. The ejection must come within interval x
 * unhealthy_after + timeout of the crash, the return within interval x
 * healthy_after of the restart; no request goes to app.2 in between.
 */
static void test_lb__health_checks_eject_and_restore(void)
{
    const char *s = "load_balancer edge";
    const struct sim_note *ej, *back;
    const struct sim_series *sent;
    struct world w;

    world_open(&w, WORLD_HEAD
               "load_balancers:\n  - name: edge\n    backends: app\n"
               "    health: {interval: 1s, timeout: 200ms, "
               "unhealthy_after: 3, healthy_after: 2}\n"
               "servers:\n  - name: app\n    count: 4\n    service: {dist: "
               "exponential, mean: 1ms}\n");
    world_at(&w, 5.5, RIG_CRASH, "app.2");
    world_at(&w, 12.5, RIG_RESTART, "app.2");
    world_run(&w);
    ej = note(&w, "ejection");
    back = note(&w, "return");
    CHECK(ej != NULL && back != NULL);
    printf("  crash 5.5s, ejected %.3fs; restart 12.5s, back %.3fs\n",
           ej->t_s, back->t_s);
    CHECK_EQ_STR(ej->text, "edge ejects app.2 after 3 failed health checks");
    CHECK_EQ_STR(back->text,
                 "edge brings back app.2 after 2 good health checks");
    CHECK(ej->t_s > 5.5 && ej->t_s <= 5.5 + 3 * 1 + 0.2);
    CHECK(back->t_s > 12.5 && back->t_s <= 12.5 + 2 * 1);
    CHECK_EQ_INT(count_notes(&w, "ejection"), 1);
    CHECK_NEAR(figure(&w, s, "backend.app.2.ejected_time"),
               back->t_s - ej->t_s, 1e-6);
    CHECK_NEAR(figure(&w, s, "backend.app.0.ejected_time"), 0, 1e-12);
    sent = series(&w, s, "backend.app.2.sent");
    for (size_t win = (size_t)ceil(ej->t_s); win < 12; win++)
        CHECK_EQ_INT(sent->values[win], 0);
    for (size_t win = (size_t)ceil(back->t_s); win < 20; win++)
        CHECK(sent->values[win] > 150);
    CHECK(figure(&w, "client c", "failed.timeout") > 0);
    check_books(&w, s);
    for (int i = 0; i < 4; i++) {
        char name[16];

        snprintf(name, sizeof name, "app.%d", i);
        check_backend_books(&w, name);
    }
    world_close(&w);
}

/*
 * Without health checks the crashed app.2 keeps its quarter of the
 * requests (round robin), and every one times out at the client: about
 * 250/s x 14.4s = 3600 (those sent in the last 0.1s end after the run).
 * The arrivals in that span are Poisson(14400), a quarter of them go to
 * app.2, so the count has sd about 30; we allow 4 sd. The LB forgets
 * them after backend_timeout (1s, swept every 250ms), so at most about
 * 1.25s worth are still in flight at the end.
 */
static void test_lb__dead_backend_without_checks_keeps_traffic(void)
{
    const char *s = "load_balancer edge";
    const struct sim_series *sent;
    struct world w;

    world_open(&w, WORLD_HEAD
               "load_balancers:\n  - name: edge\n    backends: app\n"
               "    backend_timeout: 1s\n"
               "servers:\n  - name: app\n    count: 4\n    service: {dist: "
               "exponential, mean: 1ms}\n");
    world_at(&w, 5.5, RIG_CRASH, "app.2");
    world_run(&w);
    sent = series(&w, s, "backend.app.2.sent");
    for (size_t win = 6; win < 20; win++)
        CHECK(sent->values[win] > 150);
    CHECK_NEAR(figure(&w, "client c", "failed.timeout"), 3600, 4 * 30);
    CHECK(figure(&w, s, "backend.app.2.lost") > 3000);
    CHECK(figure(&w, s, "backend.app.2.in_flight_end") < 1.25 * 250 * 1.2);
    CHECK_EQ_INT(figure(&w, s, "backend.app.1.lost"), 0);
    CHECK_EQ_INT(count_notes(&w, "ejection"), 0);
    check_books(&w, s);
    check_backend_books(&w, "app.2");
    world_close(&w);
}

/* Both backends crash at 5.5s; once ejected, requests fail at once. */
static void test_lb__no_healthy_backend_fails_with_no_backend(void)
{
    const char *s = "load_balancer edge";
    double rejected;
    struct world w;

    world_open(&w, WORLD_HEAD
               "load_balancers:\n  - name: edge\n    policy: "
               "least-connections\n    backends: app\n"
               "    health: {interval: 1s, timeout: 200ms, "
               "unhealthy_after: 2}\n"
               "servers:\n  - name: app\n    count: 2\n    service: {dist: "
               "exponential, mean: 1ms}\n");
    world_at(&w, 5.5, RIG_CRASH, "app.0");
    world_at(&w, 5.5, RIG_CRASH, "app.1");
    world_run(&w);
    rejected = figure(&w, s, "rejected");
    printf("  %.0f requests failed with no_backend\n", rejected);
    CHECK_EQ_INT(count_notes(&w, "ejection"), 2);
    CHECK(note(&w, "ejection")->t_s <= 5.5 + 2 * 1 + 0.2);
    CHECK_EQ_INT(figure(&w, "client c", "failed.no_backend"), rejected);
    /* Poisson(1000 x 12.8s): sd 113; 5 sd below the mean */
    CHECK(rejected > 12800 - 5 * 113);
    check_books(&w, s);
    world_close(&w);
}

/*
 * The active node of a pair crashes at 5.3s. Heartbeats go every 0.5s
 * from 0, so the last one heard left at 5.0s (or 5.5s never came): the
 * standby takes over failover_after after it, in [6.8s, 7.3s]. Requests
 * sent to the dead active time out; after the takeover the client is
 * served again. The old active restarts at 12.3s as the standby.
 * Meanwhile app.3 crashed at 4.2s: the active's probe of 5.0s was still
 * out when it crashed; the standby's own checks ejected app.3 at 6.5s
 * (probes of 5s and 6s unanswered after 500ms), which counts as ejected
 * time from the takeover on, when its view starts to matter.
 */
static void test_lb__standby_takes_over_after_failover_after(void)
{
    const char *s = "load_balancer edge";
    const struct sim_series *tput;
    const struct sim_note *fo;
    const uint32_t *members;
    struct world w;

    world_open(&w, WORLD_HEAD
               "load_balancers:\n  - name: edge\n    policy: round-robin\n"
               "    backends: app\n    standby: true\n"
               "    failover_after: 2s\n    health: {interval: 1s, "
               "timeout: 500ms, unhealthy_after: 2}\n"
               "servers:\n  - name: app\n    count: 4\n    service: {dist: "
               "exponential, mean: 1ms}\n");
    world_at(&w, 4.2, RIG_CRASH, "app.3");
    world_at(&w, 5.3, RIG_CRASH, "edge.active");
    world_at(&w, 12.3, RIG_RESTART, "edge.active");
    world_run(&w);
    fo = note(&w, "failover");
    CHECK(fo != NULL);
    printf("  active crashed at 5.3s, standby took over at %.3fs\n",
           fo->t_s);
    CHECK_EQ_STR(fo->text, "edge.standby takes over \"edge\" from "
                 "edge.active");
    CHECK(fo->t_s >= 5.3 + 2 - 0.5 && fo->t_s <= 5.3 + 2);
    CHECK_EQ_INT(count_notes(&w, "failover"), 1);
    CHECK_EQ_INT(figure(&w, s, "failovers"), 1);
    CHECK_NEAR(figure(&w, s, "backend.app.3.ejected_time"), 20 - fo->t_s,
               1e-6);
    CHECK_EQ_INT(sim_lookup(w.sim, "edge", &members), 1);
    CHECK_EQ_INT(members[0], sim_entity_find(w.sim, "edge.standby"));
    tput = series(&w, "client c", "throughput");
    CHECK_EQ_INT(tput->values[6], 0);
    for (size_t win = 8; win < 20; win++)
        CHECK(tput->values[win] > 850);
    /* requests sent in [5.3s, takeover) are lost: Poisson(~1700) */
    CHECK(figure(&w, "client c", "failed.timeout") > 1000);
    check_books(&w, s);
    world_close(&w);
}

/* ---- configuration errors ---- */

#define ERR_HEAD                                                          \
    "name: e\n%s"                                          \
    "clients:\n  - name: %s\n    arrival: {rate: 10/s}\n"                 \
    "    target: app\n"                                                   \
    "load_balancers:\n  - name: edge\n%s"                                 \
    "servers:\n  - name: app\n    count: 4\n"                             \
    "    service: {dist: constant, value: 1ms}\n"                         \
    "  - name: many\n    count: 200\n"                                    \
    "    service: {dist: constant, value: 1ms}\n"

/* Loads yaml and checks that one problem reads exactly "path: message". */
static void expect_text_problem(const char *yaml, const char *want)
{
    struct sim_scenario *sc;
    struct sim_cfg *cfg;
    bool is_found = false;
    char line[1024];

    sc = load_text(yaml, &cfg);
    CHECK(sc == NULL);
    for (size_t i = 0; i < sim_cfg_n_errors(cfg) && !is_found; i++) {
        const char *msg = sim_cfg_format(cfg, i, line, sizeof line);
        const char *p = strstr(msg, ": load_balancers[0]");

        is_found = p != NULL && strcmp(p + 2, want) == 0;
    }
    if (!is_found) {
        printf("  wanted: %s\n", want);
        for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
            printf("  got:    %s\n", sim_cfg_format(cfg, i, line,
                                                    sizeof line));
    }
    sim_cfg_free(cfg);
    CHECK(is_found);
}

/* The same for a scenario whose LB has the given lines (see ERR_HEAD). */
static void expect_problem(const char *top, const char *client,
                           const char *lb, const char *want)
{
    char yaml[8192];

    snprintf(yaml, sizeof yaml, ERR_HEAD, top, client, lb);
    expect_text_problem(yaml, want);
}

static void expect_lb_problem(const char *lb, const char *want)
{
    expect_problem("duration: 10s\n", "c", lb, want);
}

static void test_lb__errors_in_backends(void)
{
    char many[4096] = "    backends: app.0";

    expect_lb_problem("    backends: app, , app.1\n",
                      "load_balancers[0].backends: \"app, , app.1\" has an "
                      "empty name (separate names with commas)");
    expect_lb_problem("    backends: app, nope\n",
                      "load_balancers[0].backends: unknown component "
                      "\"nope\"");
    expect_lb_problem("    backends: app, app.1\n",
                      "load_balancers[0].backends: \"app.1\" is listed "
                      "more than once");
    expect_lb_problem("    backends: app, edge\n",
                      "load_balancers[0].backends: \"edge\" cannot be its "
                      "own backend");
    for (int i = 0; i < 256; i++)
        strcat(many, ", app.0");
    strcat(many, "\n");
    expect_lb_problem(many, "load_balancers[0].backends: lists more than "
                      "256 names (name a group instead)");
    expect_text_problem("name: e\nduration: 1s\n"
                        "clients:\n  - name: c\n    arrival: {rate: 1/s}\n"
                        "    target: edge\n"
                        "load_balancers:\n  - name: edge\n"
                        "    backends: a, b\n"
                        "servers:\n  - name: a\n    count: 5001\n"
                        "    service: {dist: constant, value: 1ms}\n"
                        "  - name: b\n    count: 5000\n"
                        "    service: {dist: constant, value: 1ms}\n",
                        "load_balancers[0].backends: names 10001 backends, "
                        "more than 10000");
    expect_problem("window: 1ms\nduration: 100s\n", "c",
                   "    backends: many\n",
                   "load_balancers[0].backends: 200 backends over 100000 "
                   "windows make more than 4194304 series values (use a "
                   "wider window)");
}

static void test_lb__errors_in_policy_keys(void)
{
    expect_lb_problem("    backends: app\n    weights: [1, 1, 1, 1]\n",
                      "load_balancers[0].weights: \"weights\" needs policy: "
                      "weighted-round-robin");
    expect_lb_problem("    backends: app\n    d: 2\n",
                      "load_balancers[0].d: \"d\" needs policy: "
                      "power-of-d");
    expect_lb_problem("    backends: app\n    vnodes: 10\n",
                      "load_balancers[0].vnodes: \"vnodes\" needs policy: "
                      "consistent-hash");
    expect_lb_problem("    policy: weighted-round-robin\n    backends: app\n",
                      "load_balancers[0].policy: weighted-round-robin needs "
                      "\"weights\", one per backend");
    expect_lb_problem("    policy: weighted-round-robin\n    backends: app\n"
                      "    weights: [3, 0, 1, 1]\n",
                      "load_balancers[0].weights[1]: must be between 1 and "
                      "1000000");
    expect_lb_problem("    policy: weighted-round-robin\n    backends: app\n"
                      "    weights: [3, 1, 1]\n",
                      "load_balancers[0].weights: has 3 weights for 4 "
                      "backends");
    expect_lb_problem("    policy: power-of-d\n    backends: app\n"
                      "    d: 0\n",
                      "load_balancers[0].d: must be between 1 and 10000");
    expect_lb_problem("    policy: power-of-d\n    backends: app\n"
                      "    d: 5\n",
                      "load_balancers[0].d: 5 is more than the 4 backends");
    expect_lb_problem("    policy: consistent-hash\n    backends: app\n"
                      "    vnodes: 10001\n",
                      "load_balancers[0].vnodes: must be between 1 and "
                      "10000");
    expect_lb_problem("    policy: consistent-hash\n    backends: many\n"
                      "    vnodes: 10000\n",
                      "load_balancers[0].vnodes: 200 backends with 10000 "
                      "vnodes each make more than 1000000 ring points");
}

static void test_lb__errors_in_health_and_pair(void)
{
    expect_lb_problem("    backends: app\n    health: {interval: 500us}\n",
                      "load_balancers[0].health.interval: \"500us\" must be "
                      "between 1ms and 1h");
    expect_lb_problem("    backends: app\n    health: {interval: 1s, "
                      "timeout: 2s}\n",
                      "load_balancers[0].health.timeout: \"2s\" is longer "
                      "than the interval (1s)");
    expect_lb_problem("    backends: app\n    health: {unhealthy_after: 0}\n",
                      "load_balancers[0].health.unhealthy_after: must be "
                      "between 1 and 1000");
    expect_lb_problem("    backends: app\n    health: {healthy_after: 1001}"
                      "\n",
                      "load_balancers[0].health.healthy_after: must be "
                      "between 1 and 1000");
    expect_lb_problem("    backends: app\n    failover_after: 2s\n",
                      "load_balancers[0].failover_after: \"failover_after\" "
                      "needs standby: true");
    expect_lb_problem("    backends: app\n    standby: true\n"
                      "    failover_after: 2h\n",
                      "load_balancers[0].failover_after: \"2h\" must be "
                      "between 1ms and 1h");
    expect_lb_problem("    backends: app\n    backend_timeout: 0.5ms\n",
                      "load_balancers[0].backend_timeout: \"0.5ms\" must be "
                      "between 1ms and 1h");
    expect_problem("duration: 10s\n", "edge", "    backends: app\n",
                   "load_balancers[0]: the name \"edge\" is already taken");
    expect_problem("duration: 10s\n", "edge",
                   "    backends: app\n    standby: true\n",
                   "load_balancers[0]: the name \"edge\" is already taken");
}

/* The tests run in this order; none depends on another. */
CHECK_MAIN(CHECK_TEST(test_lb__round_robin_cycles),
           CHECK_TEST(test_lb__weighted_round_robin_gives_exact_shares),
           CHECK_TEST(test_lb__random_spreads_evenly),
           CHECK_TEST(test_lb__least_connections_sends_to_the_idle_backend),
           CHECK_TEST(test_lb__consistent_hash_is_sticky_and_moves_one_nth),
           CHECK_TEST(test_lb__health_checks_eject_and_restore),
           CHECK_TEST(test_lb__dead_backend_without_checks_keeps_traffic),
           CHECK_TEST(test_lb__no_healthy_backend_fails_with_no_backend),
           CHECK_TEST(test_lb__standby_takes_over_after_failover_after),
           CHECK_TEST(test_lb__errors_in_backends),
           CHECK_TEST(test_lb__errors_in_policy_keys),
           CHECK_TEST(test_lb__errors_in_health_and_pair),
           CHECK_TEST(test_lb__power_of_one_is_mm1_at_load_0_9),
           CHECK_TEST(test_lb__power_of_one_is_mm1_at_load_0_99),
           CHECK_TEST(test_lb__power_of_two_matches_the_mean_field_at_0_9),
           CHECK_TEST(test_lb__power_of_two_matches_the_mean_field_at_0_99))
