/* SPDX-License-Identifier: MIT */
/*
 * test_sim.c - the engine through its public API: event order, the end
 * and warm-up markers, cancellation, entity names and groups, random
 * streams, requests travelling and coming back, the transport hook,
 * crashes, and what the loader relies on to report every problem.
 */
#include "sim/sim.h"

#include <string.h>

#include "tests/check.h"

#define MAX_LOG 64

/* A recording entity: remembers what it received and when. */
struct probe {
    uint32_t id;
    size_t n;
    sim_time times[MAX_LOG];
    uint32_t types[MAX_LOG];
    uint64_t values[MAX_LOG];
};

static void probe_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    struct probe *p = state;

    (void)sim;
    if (p->n < MAX_LOG) {
        p->times[p->n] = ev->time;
        p->types[p->n] = ev->type;
        p->values[p->n] = ev->payload.u64;
        p->n++;
    }
}

static struct sim *new_sim(sim_time duration, sim_time warmup)
{
    struct sim_params params = {.seed = 1, .duration = duration,
                                .warmup = warmup};

    return sim_new(&params, NULL);
}

static union sim_payload val(uint64_t v)
{
    return (union sim_payload){.u64 = v};
}

static void test_sim__equal_times_run_in_scheduling_order(void)
{
    struct sim *sim = new_sim(100, 0);
    struct probe p = {0};

    p.id = sim_entity_add(sim, "p", probe_handle, &p);
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    for (uint64_t i = 0; i < 10; i++)
        sim_schedule(sim, 7, p.id, SIM_EV_USER, val(i));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(p.n, 10);
    for (uint64_t i = 0; i < 10; i++) {
        CHECK_EQ_INT(p.values[i], i);
        CHECK_EQ_INT(p.times[i], 7);
    }
    sim_free(sim);
}

static void test_sim__nothing_runs_at_or_after_the_end(void)
{
    struct sim *sim = new_sim(100, 0);
    struct probe p = {0};

    p.id = sim_entity_add(sim, "p", probe_handle, &p);
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_schedule(sim, 99, p.id, SIM_EV_USER, val(1));
    sim_schedule(sim, 100, p.id, SIM_EV_USER, val(2));
    sim_schedule(sim, 150, p.id, SIM_EV_USER, val(3));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_INT(p.values[0], 1);
    CHECK_EQ_INT(sim_now(sim), 100);
    sim_free(sim);
}

static void test_sim__cancelled_event_never_runs(void)
{
    struct sim *sim = new_sim(100, 0);
    struct probe p = {0};
    uint64_t id;

    p.id = sim_entity_add(sim, "p", probe_handle, &p);
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    id = sim_schedule(sim, 5, p.id, SIM_EV_USER, val(1));
    sim_schedule(sim, 6, p.id, SIM_EV_USER, val(2));
    CHECK(sim_cancel(sim, id));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_INT(p.values[0], 2);
    sim_free(sim);
}

static void test_sim__names_groups_and_lookup(void)
{
    struct sim *sim = new_sim(100, 0);
    struct probe a = {0}, b = {0};
    const uint32_t *members;
    uint32_t ids[2];

    ids[0] = sim_entity_add(sim, "app.0", probe_handle, &a);
    ids[1] = sim_entity_add(sim, "app.1", probe_handle, &b);
    CHECK_EQ_INT(sim_entity_add(sim, "app.0", probe_handle, &a),
                 SIM_NO_ENTITY);
    CHECK_EQ_INT(sim_group_add(sim, "app", ids, 2), 0);
    CHECK(sim_group_add(sim, "app", ids, 2) != 0);
    CHECK_EQ_INT(sim_lookup(sim, "app", &members), 2);
    CHECK_EQ_INT(members[1], ids[1]);
    CHECK_EQ_INT(sim_lookup(sim, "app.1", &members), 1);
    CHECK_EQ_INT(members[0], ids[1]);
    CHECK_EQ_INT(sim_lookup(sim, "nope", &members), 0);
    CHECK_EQ_INT(sim_entity_find(sim, "app"), SIM_NO_ENTITY);
    CHECK_EQ_STR(sim_entity_name(sim, ids[0]), "app.0");
    sim_free(sim);
}

/* Streams depend on the name and replication, never on creation order. */
static void test_sim__random_streams_follow_names(void)
{
    struct sim *s1 = new_sim(100, 0), *s2 = new_sim(100, 0);
    struct probe p = {0};
    uint32_t a1, b1, a2, b2;

    a1 = sim_entity_add(s1, "a", probe_handle, &p);
    b1 = sim_entity_add(s1, "b", probe_handle, &p);
    b2 = sim_entity_add(s2, "b", probe_handle, &p);
    a2 = sim_entity_add(s2, "a", probe_handle, &p);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(gsl_rng_get(sim_rng(s1, a1)),
                     gsl_rng_get(sim_rng(s2, a2)));
        CHECK_EQ_INT(gsl_rng_get(sim_rng(s1, b1)),
                     gsl_rng_get(sim_rng(s2, b2)));
    }
    CHECK(gsl_rng_get(sim_rng(s1, a1)) != gsl_rng_get(sim_rng(s1, b1)));
    sim_free(s1);
    sim_free(s2);
}

/* An echo server: answers every request after 10 ns. */
struct echo {
    uint32_t id;
    size_t n_served;
};

static void echo_handle(struct sim *sim, void *state,
                        const struct sim_event *ev)
{
    struct echo *e = state;

    if (ev->type == SIM_EV_REQUEST)
        sim_schedule(sim, 10, e->id, SIM_EV_USER, ev->payload);
    if (ev->type == SIM_EV_USER) {
        e->n_served++;
        sim_req_reply(sim, e->id, ev->payload.ptr);
    }
}

/* A caller: sends on its first event and records the reply. */
struct caller {
    uint32_t id, to, via;
    sim_time replied_at;
    size_t n_replies;
    uint64_t req_id;
};

static void caller_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct caller *c = state;
    struct sim_req *req;

    if (ev->type == SIM_EV_USER) {
        req = sim_req_new(sim, c->id);
        c->req_id = req->id;
        sim_req_call(sim, c->id, c->via != SIM_NO_ENTITY ? c->via : c->to,
                     req);
    } else if (ev->type == SIM_EV_REPLY) {
        req = ev->payload.ptr;
        if (req->origin != c->id) {
            sim_req_reply(sim, c->id, req);
            return;
        }
        c->replied_at = sim_now(sim);
        c->n_replies++;
        sim_req_release(sim, req);
    } else if (ev->type == SIM_EV_REQUEST) {
        /* As a proxy: pass the request on, keeping the reply path. */
        sim_req_call(sim, c->id, c->to, ev->payload.ptr);
    }
}

static void test_sim__request_goes_and_comes_back(void)
{
    struct sim *sim = new_sim(1000, 0);
    struct echo e = {0};
    struct caller c = {.via = SIM_NO_ENTITY};

    e.id = sim_entity_add(sim, "echo", echo_handle, &e);
    c.id = sim_entity_add(sim, "caller", caller_handle, &c);
    c.to = e.id;
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_schedule(sim, 5, c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(e.n_served, 1);
    CHECK_EQ_INT(c.n_replies, 1);
    CHECK_EQ_INT(c.replied_at, 15);
    sim_free(sim);
}

/* Replies retrace the reply path through a proxy. */
static void test_sim__reply_retraces_the_path(void)
{
    struct sim *sim = new_sim(1000, 0);
    struct echo e = {0};
    struct caller c = {0}, proxy = {.via = SIM_NO_ENTITY};

    e.id = sim_entity_add(sim, "echo", echo_handle, &e);
    proxy.id = sim_entity_add(sim, "proxy", caller_handle, &proxy);
    c.id = sim_entity_add(sim, "caller", caller_handle, &c);
    proxy.to = e.id;
    c.via = proxy.id;
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_schedule(sim, 5, c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(c.n_replies, 1);
    CHECK_EQ_INT(proxy.n_replies, 0);
    CHECK_EQ_INT(c.replied_at, 15);
    sim_free(sim);
}

struct lossy {
    sim_time delay;
    bool is_dropping;
};

static bool lossy_route(void *ctx, struct sim *sim, uint32_t from,
                        uint32_t to, const struct sim_req *req,
                        sim_time *delay, int *reason)
{
    struct lossy *l = ctx;

    (void)sim;
    (void)from;
    (void)to;
    (void)req;
    *delay = l->delay;
    *reason = SIM_FAIL_PARTITION;
    return !l->is_dropping;
}

static void test_sim__transport_delays_and_drops(void)
{
    struct sim *sim = new_sim(1000, 0);
    struct echo e = {0};
    struct caller c = {.via = SIM_NO_ENTITY};
    struct lossy net = {.delay = 100};

    e.id = sim_entity_add(sim, "echo", echo_handle, &e);
    c.id = sim_entity_add(sim, "caller", caller_handle, &c);
    c.to = e.id;
    sim_set_transport(sim, lossy_route, &net);
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_schedule(sim, 5, c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(c.replied_at, 5 + 100 + 10 + 100);
    sim_free(sim);

    sim = new_sim(1000, 0);
    memset(&e, 0, sizeof e);
    memset(&c, 0, sizeof c);
    c.via = SIM_NO_ENTITY;
    net.is_dropping = true;
    e.id = sim_entity_add(sim, "echo", echo_handle, &e);
    c.id = sim_entity_add(sim, "caller", caller_handle, &c);
    c.to = e.id;
    sim_set_transport(sim, lossy_route, &net);
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_schedule(sim, 5, c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(e.n_served, 0);
    CHECK_EQ_INT(c.n_replies, 0);
    CHECK_EQ_INT(sim_n_dropped(sim, SIM_FAIL_PARTITION), 1);
    sim_free(sim);
}

static void test_sim__crashed_entity_loses_requests_and_timers(void)
{
    struct sim *sim = new_sim(1000, 0);
    struct echo e = {0};
    struct caller c = {.via = SIM_NO_ENTITY};
    struct probe p = {0};

    e.id = sim_entity_add(sim, "echo", echo_handle, &e);
    c.id = sim_entity_add(sim, "caller", caller_handle, &c);
    p.id = sim_entity_add(sim, "p", probe_handle, &p);
    c.to = e.id;
    CHECK_EQ_INT(sim_start(sim, NULL), 0);
    sim_entity_crash(sim, e.id);
    sim_entity_crash(sim, p.id);
    CHECK(!sim_entity_is_up(sim, e.id));
    sim_schedule(sim, 5, c.id, SIM_EV_USER, val(0));
    sim_schedule(sim, 5, p.id, SIM_EV_USER, val(9));
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    CHECK_EQ_INT(e.n_served, 0);
    CHECK_EQ_INT(sim_n_dropped(sim, SIM_FAIL_NODE_DOWN), 1);
    /* The probe saw its own crash, and nothing after. */
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_INT(p.types[0], SIM_EV_CRASH);
    sim_entity_restart(sim, p.id);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_INT(p.types[1], SIM_EV_RESTART);
    sim_free(sim);
}

static void test_sim__request_cap_stops_the_run(void)
{
    struct sim_params params = {.seed = 1, .duration = 1000,
                                .max_requests = 2};
    struct sim *sim = sim_new(&params, NULL);
    struct sim_error err = {0};
    struct probe p = {0};

    p.id = sim_entity_add(sim, "p", probe_handle, &p);
    CHECK(sim_req_new(sim, p.id) != NULL);
    CHECK(sim_req_new(sim, p.id) != NULL);
    CHECK(sim_req_new(sim, p.id) == NULL);
    CHECK_EQ_INT(sim_run(sim, &err), SIM_ELIMIT);
    CHECK_EQ_STR(err.msg, "more than 2 requests in flight at 0s: the system "
                          "is overloaded (raise limits.requests if "
                          "intended)");
    sim_free(sim);
}

/* Starts a caller at time `at` that calls echo across a 100 ns network. */
struct cut_case {
    struct sim *sim;
    struct echo e;
    struct caller c;
    struct lossy net;
};

static void cut_case_init(struct cut_case *k)
{
    memset(k, 0, sizeof *k);
    k->sim = new_sim(10000, 0);
    k->net.delay = 100;
    k->c.via = SIM_NO_ENTITY;
    k->e.id = sim_entity_add(k->sim, "echo", echo_handle, &k->e);
    k->c.id = sim_entity_add(k->sim, "caller", caller_handle, &k->c);
    k->c.to = k->e.id;
    sim_set_transport(k->sim, lossy_route, &k->net);
    sim_start(k->sim, NULL);
}

/* A probe entity whose events add or heal a cut at given times. */
struct cutter {
    uint32_t id, a, b;
    bool is_one_way;
    uint64_t handle;
};

static void cutter_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct cutter *k = state;

    if (ev->payload.u64 == 1)
        k->handle = sim_cut_add(sim, &k->a, 1, &k->b, 1, k->is_one_way);
    else
        sim_cut_heal(sim, k->handle);
}

static void test_sim__partition_drops_messages_across_it(void)
{
    struct cut_case k;
    struct cutter cut = {0};

    cut_case_init(&k);
    cut.a = k.c.id;
    cut.b = k.e.id;
    cut.id = sim_entity_add(k.sim, "cutter", cutter_handle, &cut);
    /* Request leaves at 5, would arrive at 105; the cut starts at 50. */
    sim_schedule(k.sim, 5, k.c.id, SIM_EV_USER, val(0));
    sim_schedule(k.sim, 50, cut.id, SIM_EV_USER, val(1));
    sim_schedule(k.sim, 1000, cut.id, SIM_EV_USER, val(2));
    /* After healing, a new request gets through. */
    sim_schedule(k.sim, 2000, k.c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(k.sim, NULL), 0);
    CHECK_EQ_INT(sim_n_dropped(k.sim, SIM_FAIL_PARTITION), 1);
    CHECK_EQ_INT(k.e.n_served, 1);
    CHECK_EQ_INT(k.c.n_replies, 1);
    CHECK_EQ_INT(k.c.replied_at, 2000 + 210);
    sim_free(k.sim);
}

static void test_sim__one_way_partition_cuts_one_direction(void)
{
    struct cut_case k;
    struct cutter cut = {.is_one_way = true};

    cut_case_init(&k);
    /* Echo cannot reach caller: the request arrives, the reply is lost. */
    cut.a = k.e.id;
    cut.b = k.c.id;
    cut.id = sim_entity_add(k.sim, "cutter", cutter_handle, &cut);
    sim_schedule(k.sim, 1, cut.id, SIM_EV_USER, val(1));
    sim_schedule(k.sim, 5, k.c.id, SIM_EV_USER, val(0));
    CHECK_EQ_INT(sim_run(k.sim, NULL), 0);
    CHECK_EQ_INT(k.e.n_served, 1);
    CHECK_EQ_INT(k.c.n_replies, 0);
    CHECK_EQ_INT(sim_n_dropped(k.sim, SIM_FAIL_PARTITION), 1);
    sim_free(k.sim);
}

static void test_sim__degraded_link_state_combines_rules(void)
{
    struct sim *sim = new_sim(100, 0);
    struct probe p = {0};
    uint32_t a, b;
    double factor, loss;
    uint64_t h1, h2;

    a = sim_entity_add(sim, "a", probe_handle, &p);
    b = sim_entity_add(sim, "b", probe_handle, &p);
    h1 = sim_link_degrade(sim, &a, 1, &b, 1, false, 3.0, 0.5);
    h2 = sim_link_degrade(sim, &a, 1, &b, 1, true, 2.0, 0.5);
    sim_link_state(sim, a, b, &factor, &loss);
    CHECK_NEAR(factor, 6.0, 0);
    CHECK_NEAR(loss, 0.75, 1e-15);
    sim_link_state(sim, b, a, &factor, &loss);
    CHECK_NEAR(factor, 3.0, 0);
    sim_link_restore(sim, h1);
    sim_link_restore(sim, h2);
    sim_link_state(sim, a, b, &factor, &loss);
    CHECK_NEAR(factor, 1.0, 0);
    CHECK_NEAR(loss, 0.0, 0);
    sim_entity_set_clock_offset(sim, a, -5 * SIM_MS);
    CHECK_EQ_INT(sim_entity_clock(sim, a), -5 * SIM_MS);
    CHECK_EQ_INT(sim_entity_clock(sim, b), 0);
    sim_free(sim);
}

/* A model whose start fails for instance "bad" and counts every call. */
static int n_started;

static int counting_start(struct sim *sim, struct sim_cfg *cfg,
                          const char *path, void *state)
{
    (void)sim;
    (void)cfg;
    (void)state;
    n_started++;
    return strcmp(path, "bad") == 0 ? SIM_EINVAL : 0;
}

static void test_sim__start_goes_on_after_a_failure(void)
{
    static const struct sim_model_ops ops = {
        .section = "things", .kind = "thing", .start = counting_start,
    };
    struct sim *sim = new_sim(100, 0);

    n_started = 0;
    CHECK_EQ_INT(sim_model_add(sim, &ops, "good", NULL), 0);
    CHECK_EQ_INT(sim_model_add(sim, &ops, "bad", NULL), 0);
    CHECK_EQ_INT(sim_model_add(sim, &ops, "later", NULL), 0);
    CHECK_EQ_INT(sim_start(sim, NULL), SIM_EINVAL);
    CHECK_EQ_INT(n_started, 3);
    sim_free(sim);
}

/* References to a component that could not be built are not judged. */
static void test_sim__names_of_unbuilt_components_are_not_reported(void)
{
    struct sim *sim = new_sim(100, 0);
    struct sim_cfg *cfg = sim_cfg_new("t.yaml");
    const uint32_t *members;

    CHECK_EQ_INT(sim_name_unbuilt(sim, "app"), 0);
    CHECK(sim_name_is_unbuilt(sim, "app"));
    CHECK(sim_name_is_unbuilt(sim, "app.2"));
    CHECK(sim_name_is_unbuilt(sim, "ap*"));
    CHECK(sim_name_is_unbuilt(sim, "app.*.0"));
    CHECK(!sim_name_is_unbuilt(sim, "apps"));
    CHECK(!sim_name_is_unbuilt(sim, "apps.*"));
    CHECK(!sim_name_is_unbuilt(sim, "db*"));
    CHECK_EQ_INT(sim_resolve(sim, cfg, "x", "app.1", &members), 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    CHECK_EQ_INT(sim_resolve(sim, cfg, "x", "db", &members), 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    sim_cfg_free(cfg);
    sim_free(sim);
}

static void test_sim__reservations_add_up_against_the_request_cap(void)
{
    struct sim_params params = {.seed = 1, .duration = 100,
                                .max_requests = 10};
    struct sim *sim = sim_new(&params, NULL);
    uint64_t total, cap;

    CHECK(sim_req_reserve(sim, 6, &total, &cap));
    CHECK(sim_req_reserve(sim, 4, &total, &cap));
    CHECK(!sim_req_reserve(sim, 1, &total, &cap));
    CHECK_EQ_INT(total, 11);
    CHECK_EQ_INT(cap, 10);
    sim_free(sim);
}

CHECK_MAIN(CHECK_TEST(test_sim__equal_times_run_in_scheduling_order),
           CHECK_TEST(test_sim__nothing_runs_at_or_after_the_end),
           CHECK_TEST(test_sim__cancelled_event_never_runs),
           CHECK_TEST(test_sim__names_groups_and_lookup),
           CHECK_TEST(test_sim__random_streams_follow_names),
           CHECK_TEST(test_sim__request_goes_and_comes_back),
           CHECK_TEST(test_sim__reply_retraces_the_path),
           CHECK_TEST(test_sim__transport_delays_and_drops),
           CHECK_TEST(test_sim__crashed_entity_loses_requests_and_timers),
           CHECK_TEST(test_sim__request_cap_stops_the_run),
           CHECK_TEST(test_sim__partition_drops_messages_across_it),
           CHECK_TEST(test_sim__one_way_partition_cuts_one_direction),
           CHECK_TEST(test_sim__degraded_link_state_combines_rules),
           CHECK_TEST(test_sim__start_goes_on_after_a_failure),
           CHECK_TEST(test_sim__names_of_unbuilt_components_are_not_reported),
           CHECK_TEST(test_sim__reservations_add_up_against_the_request_cap))
