/* SPDX-License-Identifier: MIT */
/*
 * test_network.c - the network model: exact latencies by zone rule, FIFO
 * delivery per link, loss within its binomial interval, slow links, zones
 * resolved from names, groups and globs, and every configuration problem
 * it reports. Probes (tests/probe.h) send numbered messages and record
 * when they arrive.
 */
#include "models/network.h"

#include <math.h>

#include "tests/check.h"
#include "tests/probe.h"

/* Four probes: a and b in east, c in west, d in no zone. */
static const char zoned[] =
    "name: zoned\nduration: 10s\nreplications: 1\n"
    "probes: [{name: a}, {name: b}, {name: c}, {name: d}]\n"
    "network:\n"
    "  latency: {dist: constant, value: 300us}\n"
    "  zones:\n"
    "    - {name: east, members: [a, b]}\n"
    "    - {name: west, members: [c]}\n"
    "  links:\n"
    "    - {between: [east, west], latency: {dist: constant, value: 35ms}}\n"
    "    - {between: [east, east], latency: {dist: constant, "
    "value: 200us}}\n";

/* Sends one message from `from` to `to` at time 0 and runs. */
static void one_message(const char *from, const char *to, sim_time want_got,
                        sim_time want_reply)
{
    struct sim_scenario *sc;
    struct sim *sim = probe_build(zoned, &sc);
    struct sim_error err = {0};
    struct probe *p, *q;

    probe_plan(sim, from, to, 1, 0, 0);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    p = probe_find(from);
    q = probe_find(to);
    CHECK_EQ_INT(q->n_got, 1);
    CHECK_EQ_INT(q->t_got[0], want_got);
    CHECK_EQ_INT(p->n_replies, 1);
    CHECK_EQ_INT(p->t_last_reply, want_reply);
    sim_free(sim);
    sim_scenario_free(sc);
}

static void test_network__zone_rule_beats_the_default(void)
{
    one_message("a", "c", 35 * SIM_MS, 70 * SIM_MS);
    one_message("c", "b", 35 * SIM_MS, 70 * SIM_MS);
}

static void test_network__rule_within_a_zone(void)
{
    one_message("a", "b", 200 * SIM_US, 400 * SIM_US);
}

static void test_network__default_without_a_rule(void)
{
    one_message("a", "d", 300 * SIM_US, 600 * SIM_US);
    one_message("c", "c", 0, 0);
    one_message("d", "c", 300 * SIM_US, 600 * SIM_US);
}

/* 10^5 messages 10us apart, each delayed by an exponential 1ms. */
static const char random_link[] =
    "name: stream\nduration: 10s\nreplications: 1\n"
    "probes: [{name: a}, {name: b}]\n"
    "network:\n"
    "  latency: {dist: exponential, mean: 1ms}\n"
    "  ordering: %s\n";

/* Counts arrivals that came before a message sent earlier. */
static size_t overtaken(const char *ordering)
{
    char yaml[512];
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};
    struct probe *b;
    size_t n_over = 0;

    snprintf(yaml, sizeof yaml, random_link, ordering);
    sim = probe_build(yaml, &sc);
    probe_plan(sim, "a", "b", 100000, 0, 10 * SIM_US);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    b = probe_find("b");
    CHECK_EQ_INT(b->n_got, 100000);
    for (size_t i = 1; i < b->n_got; i++) {
        CHECK(b->t_got[i] >= b->t_got[i - 1]);
        n_over += b->seq[i] < b->seq[i - 1];
    }
    sim_free(sim);
    sim_scenario_free(sc);
    return n_over;
}

static void test_network__fifo_messages_never_overtake(void)
{
    CHECK_EQ_INT(overtaken("fifo"), 0);
}

static void test_network__unordered_messages_overtake(void)
{
    size_t n = overtaken("unordered");

    /*
     * Sent a hundredth of the mean latency apart, consecutive messages
     * arrive in either order about equally often; ask for a fifth.
     */
    printf("  %zu of 100000 arrivals overtook an earlier message\n", n);
    CHECK(n > 20000);
}

/*
 * Loss: n = 10^5 messages, each lost with p = 0.01. The number lost is
 * binomial; the test accepts it within mean +- 3.29 sd, the normal
 * approximation of the two-sided 99.9% interval (n p = 1000 is large).
 */
static void test_network__loss_rate_within_binomial_interval(void)
{
    const double n = 100000, p = 0.01, z = 3.2905;
    double sd = sqrt(n * p * (1 - p)), lost;
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};

    sim = probe_build("name: lossy\nduration: 10s\nreplications: 1\n"
                      "probes: [{name: a}, {name: b}]\n"
                      "network:\n  loss: 0.01\n", &sc);
    probe_plan(sim, "a", "b", (uint64_t)n, 0, 10 * SIM_US);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    lost = n - (double)probe_find("b")->n_got;
    printf("  lost %.0f of %.0f, interval %.1f +- %.1f\n", lost, n, n * p,
           z * sd);
    CHECK_NEAR(lost, n * p, z * sd);
    sim_free(sim);
    sim_scenario_free(sc);
}

/* The engine's slow-link rule multiplies the zone rule's latency. */
static void test_network__slow_link_multiplies_latency(void)
{
    struct sim_scenario *sc;
    struct sim *sim = probe_build(zoned, &sc);
    struct sim_error err = {0};
    uint32_t a = sim_entity_find(sim, "a"), c = sim_entity_find(sim, "c");

    CHECK(sim_link_degrade(sim, &a, 1, &c, 1, true, 2.5, 0.0) != 0);
    probe_plan(sim, "a", "c", 1, 0, 0);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    CHECK_EQ_INT(probe_find("c")->t_got[0], 87500 * SIM_US);
    CHECK_EQ_INT(probe_find("a")->t_last_reply, 122500 * SIM_US);
    sim_free(sim);
    sim_scenario_free(sc);
}

static void test_network__zones_resolve_names_groups_and_globs(void)
{
    struct sim_scenario *sc;
    struct sim *sim = probe_build(
        "name: globs\nduration: 1s\nreplications: 1\n"
        "servers:\n  - {name: app, count: 2, service: {dist: constant, "
        "value: 1ms}}\n"
        "probes: [{name: db.0.0}, {name: db.1.0}, {name: db.0.1}, "
        "{name: solo}]\n"
        "network:\n  zones:\n"
        "    - {name: east, members: [app, \"db.*.0\"]}\n"
        "    - {name: west, members: [solo+db.0.1]}\n", &sc);
    const char *east[] = {"app.0", "app.1", "db.0.0", "db.1.0"};
    const uint32_t *members;

    for (size_t i = 0; i < 4; i++)
        CHECK_EQ_INT(sim_entity_zone(sim, sim_entity_find(sim, east[i])), 1);
    CHECK_EQ_INT(sim_entity_zone(sim, sim_entity_find(sim, "db.0.1")), 2);
    CHECK_EQ_INT(sim_entity_zone(sim, sim_entity_find(sim, "solo")), 2);
    CHECK_EQ_INT(sim_entity_zone(sim, sim_entity_find(sim, "network")), 0);
    CHECK_EQ_INT(sim_lookup(sim, "east", &members), 4);
    CHECK_EQ_INT(sim_lookup(sim, "west", &members), 2);
    sim_free(sim);
    sim_scenario_free(sc);
}

/*
 * A client in east calls a server in west over a constant 35ms link;
 * service takes 5ms: every response takes 35 + 5 + 35 ms exactly.
 */
static void test_network__cross_zone_response_time_is_exact(void)
{
    struct probe_run r;

    probe_run("name: cross\nduration: 20s\nwarmup: 1s\nreplications: 2\n"
              "clients:\n  - {name: shoppers, arrival: {process: poisson, "
              "rate: 50/s}, target: app}\n"
              "servers:\n  - {name: app, workers: 100, service: "
              "{dist: constant, value: 5ms}}\n"
              "network:\n"
              "  latency: {dist: exponential, mean: 1ms}\n"
              "  zones: [{name: east, members: [shoppers]}, "
              "{name: west, members: [app]}]\n"
              "  links: [{between: [east, west], latency: "
              "{dist: constant, value: 35ms}}]\n", &r);
    CHECK_NEAR(probe_figure(&r, "client shoppers", "response_time.mean"),
               0.075, 1e-12);
    CHECK_NEAR(probe_figure(&r, "client shoppers", "response_time.max"),
               0.075, 1e-12);
    CHECK_NEAR(probe_figure(&r, "network east-west", "latency.mean"),
               0.035, 1e-12);
    CHECK_EQ_INT(probe_figure(&r, "network default", "messages"), 0);
    CHECK(probe_figure(&r, "network east-west", "messages") > 1000);
    probe_run_release(&r);
}

/* The network draws from its own stream: a client's draws are unchanged. */
static void test_network__leaves_other_streams_alone(void)
{
    static const char base[] =
        "name: streams\nduration: 10s\nreplications: 2\n"
        "clients:\n  - {name: c, arrival: {process: poisson, rate: 300/s}, "
        "target: s}\n"
        "servers:\n  - {name: s, workers: 50, service: {dist: exponential, "
        "mean: 1ms}}\n";
    char with_net[1024];
    struct probe_run r0, r1;

    snprintf(with_net, sizeof with_net, "%snetwork:\n  latency: {dist: "
             "exponential, mean: 2ms}\n  loss: 0.01\n", base);
    probe_run(base, &r0);
    probe_run(with_net, &r1);
    CHECK_EQ_INT(probe_figure(&r0, "client c", "arrived"),
                 probe_figure(&r1, "client c", "arrived"));
    CHECK(probe_figure(&r1, "network", "lost") > 0);
    probe_run_release(&r0);
    probe_run_release(&r1);
}

/* ---- configuration problems ------------------------------------------- */

static const char head[] =
    "name: bad\nduration: 10s\n"
    "clients:\n  - {name: shoppers, arrival: {rate: 1/s}, target: app}\n"
    "servers:\n  - {name: app, count: 2, service: {dist: constant, "
    "value: 1ms}}\n"
    "  - {name: orders, count: 2, service: {dist: constant, "
    "value: 1ms}}\n";

/* The problems of head followed by the given network section. */
static const char *problems(const char *network, char *msg, size_t n_msg)
{
    char yaml[2048];

    snprintf(yaml, sizeof yaml, "%snetwork:\n%s", head, network);
    return probe_problems(yaml, msg, n_msg);
}

static void test_network__rejects_bad_loss(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  loss: 1.5\n  zones: [{name: east, members: "
                          "[app]}]\n  links: [{between: [east, east], "
                          "loss: -0.1}]\n", msg, sizeof msg),
                 "9:9: network.loss: 1.5 is not a probability in [0, 1]\n"
                 "11:41: network.links[0].loss: -0.1 is not a probability "
                 "in [0, 1]");
}

static void test_network__rejects_bad_zone_names(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  zones:\n    - {name: east, members: [app]}\n"
                          "    - {name: east, members: [orders]}\n"
                          "    - {name: 9lives, members: [shoppers]}\n",
                          msg, sizeof msg),
                 "11:14: network.zones[1].name: zone \"east\" is already "
                 "declared as zones[0]\n"
                 "12:14: network.zones[2].name: \"9lives\" is not a valid "
                 "name (1 to 63 letters, digits, '_' or '-', starting with "
                 "a letter)");
}

static void test_network__rejects_unknown_and_repeated_links(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  zones: [{name: east, members: [app]}, "
                          "{name: west, members: [orders]}]\n"
                          "  links:\n"
                          "    - {between: [east, wset]}\n"
                          "    - {between: [east, west]}\n"
                          "    - {between: [west, east]}\n",
                          msg, sizeof msg),
                 "11:24: network.links[0].between[1]: unknown zone "
                 "\"wset\"; did you mean \"west\"?\n"
                 "13:17: network.links[2].between: a rule for \"west\" and "
                 "\"east\" is already given by links[1]");
}

static void test_network__rejects_members_that_name_nothing(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  zones:\n"
                          "    - {name: east, members: [shopers, "
                          "\"ordrs.*\", \"app+\"]}\n"
                          "    - {name: west, members: [\"zz*\"]}\n",
                          msg, sizeof msg),
                 "10:30: network.zones[0].members[0]: unknown component "
                 "\"shopers\"; did you mean \"shoppers\"?\n"
                 "10:39: network.zones[0].members[1]: \"ordrs.*\" matches "
                 "no component; did you mean \"orders.*\"?\n"
                 "10:50: network.zones[0].members[2]: \"app+\" has an empty "
                 "name\n"
                 "11:30: network.zones[1].members[0]: \"zz*\" matches no "
                 "component");
}

static void test_network__rejects_an_entity_in_two_zones(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  zones:\n"
                          "    - {name: east, members: [app, orders.0]}\n"
                          "    - {name: west, members: [\"*.0\"]}\n",
                          msg, sizeof msg),
                 "11:30: network.zones[1].members[0]: \"app.0\" is already "
                 "in zone \"east\"\n"
                 "11:30: network.zones[1].members[0]: \"orders.0\" is "
                 "already in zone \"east\"");
}

static void test_network__rejects_a_zone_named_like_a_component(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  zones: [{name: app, members: [orders]}]\n",
                          msg, sizeof msg),
                 "9:18: network.zones[0].name: zone \"app\" has the name of "
                 "a component");
}

static void test_network__rejects_a_component_named_network(void)
{
    char msg[1024];

    CHECK_EQ_STR(probe_problems("name: bad\nduration: 10s\n"
                                "servers:\n  - {name: network, service: "
                                "{dist: constant, value: 1ms}}\n"
                                "network:\n  loss: 0\n"
                                "probes:\n  - {name: p}\n", msg, sizeof msg),
                 "6:3: network: the name \"network\" is taken by another "
                 "component; the network model needs it");
}

CHECK_MAIN(CHECK_TEST(test_network__zone_rule_beats_the_default),
           CHECK_TEST(test_network__rule_within_a_zone),
           CHECK_TEST(test_network__default_without_a_rule),
           CHECK_TEST(test_network__fifo_messages_never_overtake),
           CHECK_TEST(test_network__unordered_messages_overtake),
           CHECK_TEST(test_network__loss_rate_within_binomial_interval),
           CHECK_TEST(test_network__slow_link_multiplies_latency),
           CHECK_TEST(test_network__zones_resolve_names_groups_and_globs),
           CHECK_TEST(test_network__cross_zone_response_time_is_exact),
           CHECK_TEST(test_network__leaves_other_streams_alone),
           CHECK_TEST(test_network__rejects_bad_loss),
           CHECK_TEST(test_network__rejects_bad_zone_names),
           CHECK_TEST(test_network__rejects_unknown_and_repeated_links),
           CHECK_TEST(test_network__rejects_members_that_name_nothing),
           CHECK_TEST(test_network__rejects_an_entity_in_two_zones),
           CHECK_TEST(test_network__rejects_a_zone_named_like_a_component),
           CHECK_TEST(test_network__rejects_a_component_named_network))
