/* SPDX-License-Identifier: MIT */
/*
 * test_route.c - the request graph checked at load: a client named as a
 * target, loops of load balancers and caches, calls that come back to
 * their caller, and loops of hand-offs with no way out, each reported
 * once and spelled out; loops that can be left pass.
 */
#include "sim/route.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/error.h"
#include "tests/check.h"

/* Components one entity each, the entity id being the index here. */
enum { C, A, B, S, T, U, DB };

static const char *const names[] = {"c", "a", "b", "s", "t", "u", "db"};

/* A graph of the components above but the database, c being a client. */
static struct sim_route *graph(void)
{
    struct sim_route *r = sim_route_new();

    CHECK(r != NULL);
    for (uint32_t id = C; id < DB; id++)
        CHECK_EQ_INT(sim_route_component(r, names[id], &id, 1, id == C), 0);
    return r;
}

static void add(struct sim_route *r, uint32_t from, enum sim_route_kind kind,
                double p, uint32_t to, const char *path)
{
    CHECK_EQ_INT(sim_route_add(r, from, kind, p, &to, 1, path), 0);
}

/* Checks r; *cfg holds the problems, each read with problem(). */
static int check(struct sim_route *r, struct sim_cfg **cfg)
{
    int rc;

    *cfg = sim_cfg_new("t.yaml");
    CHECK(*cfg != NULL);
    rc = sim_route_check(r, *cfg);
    sim_route_free(r);
    return rc;
}

/* Problem i as "path: message" (no file position without a document). */
static const char *problem(struct sim_cfg *cfg, size_t i, char *buf,
                           size_t n)
{
    const char *at = sim_cfg_format(cfg, i, buf, n);

    return at + strlen("t.yaml: ");
}

static void test_route__a_client_is_no_target(void)
{
    struct sim_route *r = graph();
    struct sim_cfg *cfg;
    char buf[512];

    add(r, C, SIM_ROUTE_SEND, 1, C, "clients[0].target");
    add(r, A, SIM_ROUTE_PASS, 1, C, "load_balancers[0].backends");
    add(r, S, SIM_ROUTE_NEXT, 0.5, C, "servers[0].next[0].to");
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 3);
    CHECK_EQ_STR(problem(cfg, 1, buf, sizeof buf),
                 "load_balancers[0].backends: \"c\" is a client; a target "
                 "must be a server, load balancer, cache or database");
    sim_cfg_free(cfg);
}

static void test_route__a_loop_of_proxies_is_spelled_once(void)
{
    struct sim_route *r = graph();
    struct sim_cfg *cfg;
    char buf[512];

    add(r, A, SIM_ROUTE_PASS, 1, B, "load_balancers[0].backends");
    add(r, B, SIM_ROUTE_PASS, 1, A, "load_balancers[1].backends");
    add(r, B, SIM_ROUTE_PASS, 1, S, "load_balancers[1].backends");
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(problem(cfg, 0, buf, sizeof buf),
                 "load_balancers[0].backends: routing loop a -> b -> a: "
                 "load balancers and caches pass requests on, so these "
                 "would go round forever");
    sim_cfg_free(cfg);
}

static void test_route__a_call_that_comes_back_is_refused(void)
{
    struct sim_route *r = graph();
    struct sim_cfg *cfg;
    char buf[512];

    /* s calls t, t hands some requests back to s through a: s waits on s. */
    add(r, S, SIM_ROUTE_CALL, 1, T, "servers[0].calls[0].to");
    add(r, T, SIM_ROUTE_NEXT, 0.1, A, "servers[1].next[0].to");
    add(r, A, SIM_ROUTE_PASS, 1, S, "load_balancers[0].backends");
    add(r, U, SIM_ROUTE_CALL, 1, U, "servers[2].calls[0].to");
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 2);
    CHECK_EQ_STR(problem(cfg, 0, buf, sizeof buf),
                 "servers[0].calls[0].to: the call comes back round: "
                 "s -> t -> a -> s; a server would wait on itself");
    CHECK_EQ_STR(problem(cfg, 1, buf, sizeof buf),
                 "servers[2].calls[0].to: the call comes back round: "
                 "u -> u; a server would wait on itself");
    sim_cfg_free(cfg);
}

static void test_route__a_loop_that_keeps_every_request_is_refused(void)
{
    struct sim_route *r = graph();
    struct sim_cfg *cfg;
    char buf[512];

    /* a passes to s, s hands all to t or a, t hands all back to s. */
    add(r, A, SIM_ROUTE_PASS, 1, S, "load_balancers[0].backends");
    add(r, S, SIM_ROUTE_NEXT, 0.5, T, "servers[0].next[0].to");
    add(r, S, SIM_ROUTE_NEXT, 0.5, A, "servers[0].next[1].to");
    add(r, T, SIM_ROUTE_NEXT, 1, S, "servers[1].next[0].to");
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(problem(cfg, 0, buf, sizeof buf),
                 "servers[0].next[0].to: requests that enter the loop "
                 "s -> t -> s never leave it: each step in it hands every "
                 "request on");
    sim_cfg_free(cfg);
}

/* Feedback that answers some requests, or leads out, is a Jackson network. */
static void test_route__loops_with_a_way_out_pass(void)
{
    struct sim_route *r = graph();
    struct sim_cfg *cfg;
    uint32_t db = DB;

    /* s answers 30%; t hands all on, but half to u, which leads out. */
    add(r, S, SIM_ROUTE_NEXT, 0.7, S, "servers[0].next[0].to");
    add(r, T, SIM_ROUTE_NEXT, 0.5, U, "servers[1].next[0].to");
    add(r, T, SIM_ROUTE_NEXT, 0.5, T, "servers[1].next[1].to");
    add(r, U, SIM_ROUTE_NEXT, 1, db, "servers[2].next[0].to");
    add(r, A, SIM_ROUTE_PASS, 1, T, "load_balancers[0].backends");
    add(r, B, SIM_ROUTE_PASS, 1, A, "load_balancers[1].backends");
    add(r, C, SIM_ROUTE_SEND, 1, A, "clients[0].target");
    CHECK_EQ_INT(check(r, &cfg), 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    sim_cfg_free(cfg);
}

/* A group of entities is one component, and one arc to it. */
static void test_route__members_of_a_group_are_one_component(void)
{
    struct sim_route *r = sim_route_new();
    uint32_t app[] = {1, 2, 3}, lb = 0;
    struct sim_cfg *cfg;
    char buf[512];

    CHECK_EQ_INT(sim_route_component(r, "lb", &lb, 1, false), 0);
    CHECK_EQ_INT(sim_route_component(r, "app", app, 3, false), 0);
    CHECK_EQ_INT(sim_route_add(r, 0, SIM_ROUTE_PASS, 1, app, 3,
                               "load_balancers[0].backends"), 0);
    CHECK_EQ_INT(sim_route_add(r, 2, SIM_ROUTE_NEXT, 1, &lb, 1,
                               "servers[0].next[0].to"), 0);
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    CHECK_EQ_STR(problem(cfg, 0, buf, sizeof buf),
                 "servers[0].next[0].to: requests that enter the loop "
                 "app -> lb -> app never leave it: each step in it hands "
                 "every request on");
    sim_cfg_free(cfg);
}

/* A chain far longer than any stack could recurse through, then a loop. */
static void test_route__a_long_loop_is_found_and_shortened(void)
{
    struct sim_route *r = sim_route_new();
    const uint32_t n = 200000;
    struct sim_cfg *cfg;
    char name[16], buf[512];
    const char *msg;

    for (uint32_t id = 0; id < n; id++) {
        snprintf(name, sizeof name, "s%u", (unsigned)id);
        CHECK_EQ_INT(sim_route_component(r, name, &id, 1, false), 0);
    }
    for (uint32_t id = 0; id < n; id++) {
        uint32_t next = (id + 1) % n;

        CHECK_EQ_INT(sim_route_add(r, id, SIM_ROUTE_NEXT, 1, &next, 1,
                                   "servers.next"), 0);
    }
    CHECK_EQ_INT(check(r, &cfg), SIM_EINVAL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 1);
    msg = problem(cfg, 0, buf, sizeof buf);
    CHECK(strstr(msg, "loop s0 -> s1 -> ") != NULL);
    CHECK(strstr(msg, " -> ... -> s0 never leave it") != NULL);
    sim_cfg_free(cfg);
}

CHECK_MAIN(CHECK_TEST(test_route__a_client_is_no_target),
           CHECK_TEST(test_route__a_loop_of_proxies_is_spelled_once),
           CHECK_TEST(test_route__a_call_that_comes_back_is_refused),
           CHECK_TEST(test_route__a_loop_that_keeps_every_request_is_refused),
           CHECK_TEST(test_route__loops_with_a_way_out_pass),
           CHECK_TEST(test_route__members_of_a_group_are_one_component),
           CHECK_TEST(test_route__a_long_loop_is_found_and_shortened))
