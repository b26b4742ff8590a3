/* SPDX-License-Identifier: MIT */
/*
 * test_consist.c - consistency outcomes. Reads judged against the ground
 * truth on a scripted sequence (stale, versions behind, read-your-writes
 * and monotonic-read violations, counted exactly); the same checks on
 * random traffic against a plain model that keeps every change; histories
 * recorded by a database and checked for linearizability (synchronous
 * replication with leader reads passes, follower reads under lag fail and
 * say why); and the CAP pair: one partition, a CP and an AP
 * configuration.
 */
#include "models/consist.h"

#include <math.h>
#include <string.h>

#include "models/client.h"
#include "models/db.h"
#include "models/network.h"
#include "models/faults.h"
#include "tests/run.h"

static const struct sim_model_ops *const kinds[] = {
    &client_ops, &db_ops, &network_ops, &faults_ops,
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* A scripted step: at time at, either a commit or an answer to judge. */
struct step {
    sim_time at;
    bool is_commit;                     /* else an answer */
    uint8_t op;
    uint32_t session;
    uint64_t key, version;
    sim_time sent;                      /* answers: when the read was sent */
};

struct script {
    uint32_t id, store;
    const struct step *steps;
    size_t n;
    struct consist c;
};

static void script_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct script *s = state;
    const struct step *st = &s->steps[ev->payload.u64];
    struct sim_req req = {0};

    if (st->is_commit) {
        sim_truth_commit(sim_truth(sim), s->store, st->key, sim_now(sim));
        return;
    }
    req.op = st->op;
    req.session = st->session;
    req.key = st->key;
    req.version = st->version;
    req.store = s->store;
    req.t_sent = st->sent;
    consist_answer(&s->c, sim, &req);
}

/*
 * Key 1 is written at 10 and 20 (versions 1, 2). Session 0 writes version
 * 2 itself; then reads: at 30 it gets 1 (stale by 1, and older than its
 * own write: read-your-writes broken); at 40 it gets 2 (fresh); at 50 it
 * gets 1 again (stale, and older than what it read: monotonic reads
 * broken). Session 1 reads 0 sent at 5 (not stale: nothing was written
 * yet) and 1 sent at 15 (fresh then).
 */
static void test_consist__judges_reads_exactly(void)
{
    static const struct step steps[] = {
        {.at = 10, .is_commit = true, .key = 1},
        {.at = 12, .op = SIM_OP_READ, .session = 1, .key = 1, .version = 0,
         .sent = 5},
        {.at = 18, .op = SIM_OP_READ, .session = 1, .key = 1, .version = 1,
         .sent = 15},
        {.at = 20, .is_commit = true, .key = 1},
        {.at = 21, .op = SIM_OP_WRITE, .session = 0, .key = 1, .version = 2},
        {.at = 30, .op = SIM_OP_READ, .session = 0, .key = 1, .version = 1,
         .sent = 29},
        {.at = 40, .op = SIM_OP_READ, .session = 0, .key = 1, .version = 2,
         .sent = 39},
        {.at = 50, .op = SIM_OP_READ, .session = 0, .key = 1, .version = 1,
         .sent = 49},
    };
    struct sim_params params = {.seed = 1, .duration = 1000};
    struct sim *sim = sim_new(&params, NULL);
    struct script s = {.steps = steps, .n = sizeof steps / sizeof *steps};

    s.id = sim_entity_add(sim, "script", script_handle, &s);
    s.store = sim_truth_store(sim_truth(sim), "orders");
    CHECK_EQ_INT(consist_init(&s.c, sim), 0);
    sim_start(sim, NULL);
    for (size_t i = 0; i < s.n; i++)
        sim_schedule(sim, steps[i].at, s.id, SIM_EV_USER,
                     (union sim_payload){.u64 = i});
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(s.c.st.n_reads, 5);
    CHECK_EQ_INT(s.c.st.n_stale, 2);
    CHECK_EQ_INT(s.c.st.versions_behind, 2);
    CHECK_EQ_INT(s.c.st.max_behind, 1);
    CHECK_EQ_INT(s.c.st.n_ryw, 2);
    CHECK_EQ_INT(s.c.st.n_monotonic, 1);
    consist_release(&s.c);
    sim_free(sim);
}

/*
 * Operations of one session that overlap in time do not order each other.
 * Key 1 is committed at 10 and 20 (versions 1, 2). Session 0's read sent
 * at 25 is answered at 30 with version 1: stale, but the session's own
 * write of version 2 was acknowledged only at 27, after the read began,
 * so read-your-writes holds; its read sent at 41 that sees 1 breaks it.
 * Session 1's read sent at 31 sees 2 (answered at 35); its read sent at
 * 33 sees 1 (answered at 37): stale, yet not a monotonic-read violation,
 * since the newer read was answered after it began; its read sent at 40
 * that sees 1 is one. Last, five writes of key 2 acknowledged while a
 * read of it is out are more than the steps kept: that read is counted
 * as unjudged, not guessed.
 */
static void test_consist__overlapping_operations_do_not_order(void)
{
    static const struct step steps[] = {
        {.at = 10, .is_commit = true, .key = 1},
        {.at = 20, .is_commit = true, .key = 1},
        {.at = 27, .op = SIM_OP_WRITE, .key = 1, .version = 2},
        {.at = 30, .op = SIM_OP_READ, .key = 1, .version = 1, .sent = 25},
        {.at = 35, .op = SIM_OP_READ, .session = 1, .key = 1, .version = 2,
         .sent = 31},
        {.at = 37, .op = SIM_OP_READ, .session = 1, .key = 1, .version = 1,
         .sent = 33},
        {.at = 45, .op = SIM_OP_READ, .session = 1, .key = 1, .version = 1,
         .sent = 40},
        {.at = 46, .op = SIM_OP_READ, .key = 1, .version = 1, .sent = 41},
        {.at = 51, .op = SIM_OP_WRITE, .key = 2, .version = 1},
        {.at = 52, .op = SIM_OP_WRITE, .key = 2, .version = 2},
        {.at = 53, .op = SIM_OP_WRITE, .key = 2, .version = 3},
        {.at = 54, .op = SIM_OP_WRITE, .key = 2, .version = 4},
        {.at = 55, .op = SIM_OP_WRITE, .key = 2, .version = 5},
        {.at = 60, .op = SIM_OP_READ, .key = 2, .version = 0, .sent = 50},
    };
    struct sim_params params = {.seed = 1, .duration = 1000};
    struct sim *sim = sim_new(&params, NULL);
    struct script s = {.steps = steps, .n = sizeof steps / sizeof *steps};

    s.id = sim_entity_add(sim, "script", script_handle, &s);
    s.store = sim_truth_store(sim_truth(sim), "orders");
    CHECK_EQ_INT(consist_init(&s.c, sim), 0);
    sim_start(sim, NULL);
    for (size_t i = 0; i < s.n; i++)
        sim_schedule(sim, steps[i].at, s.id, SIM_EV_USER,
                     (union sim_payload){.u64 = i});
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(s.c.st.n_reads, 6);
    CHECK_EQ_INT(s.c.st.n_stale, 4);
    CHECK_EQ_INT(s.c.st.n_ryw, 1);
    CHECK_EQ_INT(s.c.st.n_monotonic, 1);
    CHECK_EQ_INT(s.c.st.n_unjudged, 1);
    consist_release(&s.c);
    sim_free(sim);
}

/*
 * A plain model of the session checks: every change of every (session,
 * key) pair kept, and judged as documented, from the last four only.
 */
enum {
    REF_SESSIONS = 300, REF_KEYS = 40, REF_OPS = 60000, REF_KEPT = 4,
    REF_WINDOW = 6000,                  /* longest a request is out */
};

struct ref_steps {
    sim_time *t;
    uint64_t *v;
    size_t n, cap;
};

struct ref_pair {
    struct ref_steps kind[2];           /* 0: written, 1: read */
};

struct random_script {
    uint32_t id, store;
    uint64_t state;
    struct consist c;
    struct ref_pair *pairs;             /* REF_SESSIONS * REF_KEYS */
    uint64_t latest[REF_KEYS];          /* writes of each key so far */
    uint64_t n_ryw, n_monotonic, n_unjudged, n_reads;
};

static uint64_t next_random(struct random_script *s, uint64_t n)
{
    s->state = s->state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (s->state >> 33) % n;
}

static void ref_push(struct ref_steps *s, sim_time t, uint64_t v)
{
    if (s->n > 0 && v <= s->v[s->n - 1])
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->t = realloc(s->t, s->cap * sizeof *s->t);
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        CHECK(s->t != NULL && s->v != NULL);
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    s->n++;
}

/* The newest version as of t from the last steps kept; false: unknown. */
static bool ref_at(const struct ref_steps *s, sim_time t, uint64_t *v)
{
    size_t oldest = s->n > REF_KEPT ? s->n - REF_KEPT : 0;

    for (size_t i = s->n; i > oldest; i--) {
        if (s->t[i - 1] <= t) {
            *v = s->v[i - 1];
            return true;
        }
    }
    *v = 0;
    return oldest == 0;
}

static void random_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct random_script *s = state;
    struct sim_req req = {0};
    struct ref_pair *p;
    sim_time now = sim_now(sim);

    (void)ev;
    /* Skewed: low sessions and keys are hot, so some pairs change fast. */
    req.session = (uint32_t)next_random(s, 1 + next_random(s, REF_SESSIONS));
    req.key = next_random(s, 1 + next_random(s, REF_KEYS));
    req.op = next_random(s, 4) == 0 ? SIM_OP_WRITE : SIM_OP_READ;
    if (req.op == SIM_OP_WRITE)
        req.version = ++s->latest[req.key];
    else
        req.version = s->latest[req.key] -
                      next_random(s, 1 + (s->latest[req.key] < 3
                                          ? s->latest[req.key] : 3));
    req.store = s->store;
    req.t_sent = now - (sim_time)next_random(s, next_random(s, 4) == 0
                                                    ? REF_WINDOW : 20);
    p = &s->pairs[req.session * REF_KEYS + req.key];
    if (req.op == SIM_OP_READ) {
        uint64_t written, read;

        s->n_reads++;
        if (!ref_at(&p->kind[0], req.t_sent, &written) ||
            !ref_at(&p->kind[1], req.t_sent, &read)) {
            s->n_unjudged++;
        } else {
            s->n_ryw += req.version < written;
            s->n_monotonic += req.version < read;
        }
    }
    ref_push(&p->kind[req.op == SIM_OP_READ], now, req.version);
    consist_answer(&s->c, sim, &req);
}

/*
 * Random reads and writes of 12,000 (session, key) pairs, most of which
 * see several changes and some more than are kept, judged alike by the
 * client's tables (through every growth) and by the plain model.
 */
static void test_consist__session_checks_match_a_plain_model(void)
{
    struct sim_params params = {.seed = 1,
                                .duration = REF_OPS + REF_WINDOW + 1};
    struct sim *sim = sim_new(&params, NULL);
    struct random_script s = {.state = 99};
    size_t n_pairs = REF_SESSIONS * REF_KEYS;

    s.pairs = calloc(n_pairs, sizeof *s.pairs);
    CHECK(s.pairs != NULL);
    s.id = sim_entity_add(sim, "script", random_handle, &s);
    s.store = sim_truth_store(sim_truth(sim), "orders");
    CHECK_EQ_INT(consist_init(&s.c, sim), 0);
    sim_start(sim, NULL);
    for (sim_time t = REF_WINDOW; t < REF_OPS + REF_WINDOW; t++)
        sim_schedule(sim, t, s.id, SIM_EV_USER, (union sim_payload){0});
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(s.c.st.n_reads, s.n_reads);
    CHECK_EQ_INT(s.c.st.n_ryw, s.n_ryw);
    CHECK_EQ_INT(s.c.st.n_monotonic, s.n_monotonic);
    CHECK_EQ_INT(s.c.st.n_unjudged, s.n_unjudged);
    printf("  %llu reads: %llu read-your-writes and %llu monotonic-read "
           "violations, %llu unjudged\n", (unsigned long long)s.n_reads,
           (unsigned long long)s.n_ryw, (unsigned long long)s.n_monotonic,
           (unsigned long long)s.n_unjudged);
    CHECK(s.n_ryw > 100 && s.n_monotonic > 100 && s.n_unjudged > 100);
    consist_release(&s.c);
    for (size_t i = 0; i < n_pairs; i++) {
        for (int k = 0; k < 2; k++) {
            free(s.pairs[i].kind[k].t);
            free(s.pairs[i].kind[k].v);
        }
    }
    free(s.pairs);
    sim_free(sim);
}

/* A replicated store under load, with its history checked. */
static void run_store(const char *replication, const char *reads,
                      const char *faults, struct run *r)
{
    char yaml[2048];

    snprintf(yaml, sizeof yaml,
             "name: t\nseed: 3\nduration: 20s\nreplications: 2\n"
             "check: linearizability\n"
             "clients:\n  - name: c\n    arrival: {process: poisson, rate: "
             "400/s}\n    mix: {read: 0.8, write: 0.2}\n    keys: {dist: "
             "zipf, s: 1.0, count: 100}\n    sessions: 20\n    timeout: 1s\n"
             "    target: orders\n"
             "databases:\n  - name: orders\n    replicas: 3\n"
             "    replication: %s\n    reads: %s\n    apply_lag: {dist: "
             "exponential, mean: 5ms}\n    workers: 8\n    service: {dist: "
             "exponential, mean: 1ms}\n    write_timeout: 300ms\n"
             "network:\n  latency: {dist: exponential, mean: 500us}\n"
             "  zones: {east: [c, \"orders.*.0\"], west: [\"orders.*.1\", "
             "\"orders.*.2\"]}\n"
             "  links: [{between: [east, west], latency: {dist: constant, "
             "value: 10ms}}]\n%s", replication, reads, faults);
    run_yaml(yaml, kinds, N_KINDS, 2, r);
}

static void test_consist__sync_leader_reads_are_linearizable(void)
{
    struct run r;

    run_store("sync", "leader", "", &r);
    CHECK_NEAR(run_figure(&r, "database orders", "linearizable"), 1, 0);
    CHECK(run_figure(&r, "database orders", "operations_checked") > 7000);
    CHECK_NEAR(run_figure(&r, "client c", "stale_read_rate"), 0, 0);
    run_release(&r);
}

static void test_consist__lagging_follower_reads_are_not(void)
{
    const struct sim_report *first;
    bool is_explained = false;
    struct run r;

    run_store("async", "any", "", &r);
    CHECK_NEAR(run_figure(&r, "database orders", "linearizable"), 0, 0);
    CHECK(run_figure(&r, "client c", "stale_read_rate") > 0.01);
    first = &r.batch.reports[0];
    for (size_t i = 0; i < first->n_notes; i++)
        if (strcmp(first->notes[i].kind, "linearizability") == 0 &&
            strstr(first->notes[i].text, "no order satisfies") != NULL &&
            strstr(first->notes[i].text, ". Why: ") != NULL)
            is_explained = true;
    CHECK(is_explained);
    run_release(&r);
}

/*
 * The CAP pair: the same partition from 5 s to 15 s. Synchronous with
 * leader reads loses writes' availability and keeps every read fresh;
 * asynchronous with reads anywhere fails nothing and serves stale reads.
 */
static void test_consist__cap_pair(void)
{
    static const char cut[] =
        "faults:\n  - {at: 5s, partition: [east, west], heal_at: 15s}\n";
    struct run cp, ap;

    run_store("sync", "leader", cut, &cp);
    run_store("async", "any", cut, &ap);
    printf("  CP: availability %.4f, stale %.4f, linearizable %.0f\n",
           run_figure(&cp, "client c", "availability"),
           run_figure(&cp, "client c", "stale_read_rate"),
           run_figure(&cp, "database orders", "linearizable"));
    printf("  AP: availability %.4f, stale %.4f, linearizable %.0f\n",
           run_figure(&ap, "client c", "availability"),
           run_figure(&ap, "client c", "stale_read_rate"),
           run_figure(&ap, "database orders", "linearizable"));
    CHECK(run_figure(&cp, "client c", "availability.write") < 0.7);
    CHECK_NEAR(run_figure(&cp, "client c", "availability.read"), 1, 0);
    CHECK_NEAR(run_figure(&cp, "client c", "stale_read_rate"), 0, 0);
    CHECK_NEAR(run_figure(&cp, "database orders", "linearizable"), 1, 0);
    CHECK_NEAR(run_figure(&ap, "client c", "availability"), 1, 0);
    CHECK(run_figure(&ap, "client c", "stale_read_rate") > 0.05);
    CHECK_NEAR(run_figure(&ap, "database orders", "linearizable"), 0, 0);
    run_release(&cp);
    run_release(&ap);
}

CHECK_MAIN(CHECK_TEST(test_consist__judges_reads_exactly),
           CHECK_TEST(test_consist__overlapping_operations_do_not_order),
           CHECK_TEST(test_consist__session_checks_match_a_plain_model),
           CHECK_TEST(test_consist__sync_leader_reads_are_linearizable),
           CHECK_TEST(test_consist__lagging_follower_reads_are_not),
           CHECK_TEST(test_consist__cap_pair))
