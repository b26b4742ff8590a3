/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c - the fault schedule: partitions (two-way, one-way, and
 * what they do to messages in flight), crashes and restarts of servers and
 * of whole zones, clock skew, the timeline, and every problem it reports.
 * Arrivals are fixed and service constant, so failures are counted exactly.
 */
#include "models/faults.h"

#include <math.h>

#include "tests/check.h"
#include "tests/probe.h"

/*
 * One request every 10ms from 10ms to 29.99s (2999 in all), served in 1ms
 * with no network delay; requests time out after 50ms.
 */
static const char steady[] =
    "name: steady\nduration: 30s\nwindow: 1s\nreplications: 1\n"
    "clients:\n  - {name: shoppers, arrival: {process: fixed, rate: 100/s}, "
    "timeout: 50ms, target: app}\n"
    "servers:\n  - {name: app, service: {dist: constant, value: 1ms}}\n"
    "faults:\n  - %s\n";

static void run_steady(const char *fault, struct probe_run *r)
{
    char yaml[1024];

    snprintf(yaml, sizeof yaml, steady, fault);
    probe_run(yaml, r);
    CHECK_EQ_INT(probe_figure(r, "client shoppers", "arrived"), 2999);
    CHECK_EQ_INT(probe_figure(r, "client shoppers", "in_flight_end"), 0);
}

/*
 * Cut from 10s to 20s: the 1000 requests sent at 10.00s .. 19.99s fail
 * (the one at 9.99s is answered at 9.991s), and the one sent at the very
 * instant of the heal, 20.00s, gets through.
 */
static void test_faults__partition_times_out_requests_for_its_duration(void)
{
    struct probe_run r;

    run_steady("{at: 10s, partition: [shoppers, app], heal_at: 20s}", &r);
    CHECK_EQ_INT(probe_figure(&r, "client shoppers", "failed.timeout"),
                 1000);
    CHECK_EQ_INT(probe_figure(&r, "client shoppers", "completed"), 1999);
    CHECK_EQ_INT(probe_figure(&r, "engine", "dropped.partition"), 1000);
    probe_run_release(&r);
}

/*
 * One way, client to server: requests vanish before reaching the server.
 * One way, server to client: requests are served, answers vanish; the one
 * sent at 9.999s is answered at 10.000s, as the cut starts, and is lost.
 */
static void test_faults__one_way_partition_cuts_one_direction(void)
{
    struct probe_run r;

    run_steady("{at: 10s, partition: [shoppers, app], one_way: true, "
               "for: 10s}", &r);
    CHECK_EQ_INT(probe_figure(&r, "client shoppers", "failed.timeout"),
                 1000);
    CHECK_EQ_INT(probe_figure(&r, "server app", "arrived"), 1999);
    probe_run_release(&r);
    run_steady("{at: 9.999s, partition: [app, shoppers], one_way: true, "
               "for: 10s}", &r);
    CHECK_EQ_INT(probe_figure(&r, "client shoppers", "failed.timeout"),
                 1000);
    CHECK_EQ_INT(probe_figure(&r, "server app", "arrived"), 2999);
    CHECK_EQ_INT(probe_figure(&r, "server app", "completed"), 2999);
    probe_run_release(&r);
}

/* Probes a (east) and b (west) 35ms apart, partitioned at 10s. */
static void test_faults__messages_in_flight_when_a_partition_starts(void)
{
    struct sim_scenario *sc;
    struct sim *sim = probe_build(
        "name: flight\nduration: 20s\nreplications: 1\n"
        "probes: [{name: a}, {name: b}]\n"
        "network:\n  zones: [{name: east, members: [a]}, "
        "{name: west, members: [b]}]\n"
        "  links: [{between: [east, west], latency: {dist: constant, "
        "value: 35ms}}]\n"
        "faults:\n  - {at: 10s, partition: [east, west], heal_at: 15s}\n",
        &sc);
    struct sim_error err = {0};

    /* Sent at 9.95s: arrives at 9.985s, its answer is on its way at 10s. */
    /* Sent at 9.97s: on its way at 10s. Sent at 15s: the link is whole. */
    probe_plan(sim, "a", "b", 2, 9950 * SIM_MS, 20 * SIM_MS);
    probe_plan(sim, "b", "a", 1, 15 * SIM_S, 0);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    CHECK_EQ_INT(probe_find("b")->n_got, 1);
    CHECK_EQ_INT(probe_find("b")->t_got[0], 9985 * SIM_MS);
    CHECK_EQ_INT(probe_find("a")->n_replies, 0);
    CHECK_EQ_INT(probe_find("a")->n_got, 1);
    CHECK_EQ_INT(probe_find("b")->n_replies, 1);
    CHECK_EQ_INT(sim_n_dropped(sim, SIM_FAIL_PARTITION), 2);
    sim_free(sim);
    sim_scenario_free(sc);
}

/* Three sides: every pair is cut, both ways; a fourth probe is spared. */
static void test_faults__partition_cuts_every_pair_of_sides(void)
{
    struct sim_scenario *sc;
    struct sim *sim = probe_build(
        "name: three\nduration: 5s\nreplications: 1\n"
        "probes: [{name: a}, {name: b}, {name: c}, {name: d}]\n"
        "faults:\n  - {at: 1s, partition: [a, b, c]}\n", &sc);
    struct sim_error err = {0};
    static const char *const from[] = {"a", "b", "c", "d"};
    static const char *const to[] = {"c", "a", "b", "a"};

    for (size_t i = 0; i < 4; i++)
        probe_plan(sim, from[i], to[i], 2, 0, 2 * SIM_S);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ_INT(probe_find(from[i])->n_replies, 1);
    CHECK_EQ_INT(probe_find("d")->n_replies, 2);
    CHECK_EQ_INT(sim_n_dropped(sim, SIM_FAIL_PARTITION), 3);
    sim_free(sim);
    sim_scenario_free(sc);
}

/* The availability of each 1s window of the client, from the summary. */
static const double *availability(const struct probe_run *r)
{
    for (size_t i = 0; i < r->sum.n_series; i++)
        if (strcmp(r->sum.series[i].scope, "client shoppers") == 0 &&
            strcmp(r->sum.series[i].name, "availability") == 0)
            return r->sum.series[i].mean;
    CHECK(!"availability series exists");
    return NULL;
}

/* The counts of app down from 10s to 20s: 1000 requests time out. */
static void check_app_down_10s(const struct probe_run *r)
{
    CHECK_EQ_INT(probe_figure(r, "client shoppers", "failed.timeout"), 1000);
    CHECK_EQ_INT(probe_figure(r, "client shoppers", "completed"), 1999);
    CHECK_EQ_INT(probe_figure(r, "engine", "dropped.node_down"), 1000);
}

/*
 * Down from 10s to 20s: the requests sent at 10.00s .. 19.99s reach a
 * crashed server and time out; windows wholly before or after are clean.
 */
static void test_faults__crash_and_restart_fail_requests_in_between(void)
{
    struct probe_run r;
    const double *avail;

    run_steady("{at: 10s, crash: app, restart_at: 20s}", &r);
    check_app_down_10s(&r);
    avail = availability(&r);
    for (int w = 0; w < 30; w++) {
        if (w < 10 || w > 20)
            CHECK_NEAR(avail[w], 1.0, 0.0);
        else if (w > 10 && w < 20)
            CHECK_NEAR(avail[w], 0.0, 0.0);
    }
    probe_run_release(&r);
}

/*
 * Crashing a zone that holds the client and its server crashes the
 * server alone: clients stand for the users, who go on sending, and the
 * run counts exactly what crashing the server by name counts.
 */
static void test_faults__crashing_a_zone_spares_its_clients(void)
{
    struct probe_run r;

    run_steady("{at: 10s, crash: east, restart_at: 20s}\n"
               "network:\n  zones: {east: [shoppers, app]}", &r);
    check_app_down_10s(&r);
    probe_run_release(&r);
}

/* Zone east holds app (two servers) and a probe; west holds the rest. */
static const char two_zones[] =
    "name: zones\nduration: 10s\nreplications: 1\n"
    "servers:\n  - {name: app, count: 2, service: {dist: constant, "
    "value: 1ms}}\n  - {name: db, service: {dist: constant, value: 1ms}}\n"
    "probes: [{name: e}, {name: w}]\n"
    "network:\n  latency: {dist: constant, value: 1ms}\n"
    "  zones: [{name: east, members: [app, e]}, "
    "{name: west, members: [db, w]}]\n"
    "faults:\n%s";

static void look_everywhere(struct sim *sim, sim_time t)
{
    static const char *const all[] = {"app.0", "app.1", "e", "db", "w"};

    for (size_t i = 0; i < 5; i++)
        probe_plan_look(sim, "w", all[i], t);
}

static void test_faults__crashing_a_zone_crashes_every_member(void)
{
    char yaml[1024];
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};
    const struct probe_look *l;

    snprintf(yaml, sizeof yaml, two_zones, "  - {at: 2s, crash: east, "
             "for: 3s}\n");
    sim = probe_build(yaml, &sc);
    look_everywhere(sim, 3 * SIM_S);
    look_everywhere(sim, 6 * SIM_S);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    l = probe_find("w")->looks;
    CHECK_EQ_INT(probe_find("w")->n_looks, 10);
    for (size_t i = 0; i < 5; i++) {
        CHECK_EQ_INT(l[i].is_up, i >= 3);
        CHECK(l[5 + i].is_up);
    }
    sim_free(sim);
    sim_scenario_free(sc);
}

/* A second crash of a node already down changes nothing until it ends. */
static void test_faults__overlapping_crashes_restart_at_the_last_end(void)
{
    char yaml[1024];
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};
    const struct probe_look *l;

    snprintf(yaml, sizeof yaml, two_zones,
             "  - {at: 1s, crash: db, restart_at: 5s}\n"
             "  - {at: 2s, crash: \"d*+w\", restart_at: 3s}\n");
    sim = probe_build(yaml, &sc);
    for (int t = 1; t <= 6; t++)
        probe_plan_look(sim, "e", "db", t * SIM_S + SIM_MS);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    l = probe_find("e")->looks;
    for (int t = 1; t <= 6; t++)
        CHECK_EQ_INT(l[t - 1].is_up, t >= 5);
    CHECK(sim_entity_is_up(sim, sim_entity_find(sim, "w")));
    sim_free(sim);
    sim_scenario_free(sc);
}

static void test_faults__skew_shows_in_the_entity_clock(void)
{
    char yaml[1024];
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};
    const struct probe_look *l;

    snprintf(yaml, sizeof yaml, two_zones,
             "  - {at: 0s, skew: \"app.*\", offset: -50ms, until: 4s}\n"
             "  - {at: 1s, skew: db, offset: +2s}\n");
    sim = probe_build(yaml, &sc);
    probe_plan_look(sim, "e", "app.1", 2 * SIM_S);
    probe_plan_look(sim, "e", "db", 2 * SIM_S);
    probe_plan_look(sim, "e", "e", 2 * SIM_S);
    probe_plan_look(sim, "e", "app.1", 5 * SIM_S);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    l = probe_find("e")->looks;
    CHECK_EQ_INT(l[0].skew, -50 * SIM_MS);
    CHECK_EQ_INT(l[1].skew, 2 * SIM_S);
    CHECK_EQ_INT(l[2].skew, 0);
    CHECK_EQ_INT(l[3].skew, 0);
    CHECK_EQ_INT(sim_entity_clock(sim, sim_entity_find(sim, "db")),
                 sim_now(sim) + 2 * SIM_S);
    sim_free(sim);
    sim_scenario_free(sc);
}

/* A slow link stretches latency; a lossy one loses about its share. */
static void test_faults__slow_and_lossy_links(void)
{
    char yaml[1024];
    struct sim_scenario *sc;
    struct sim *sim;
    struct sim_error err = {0};

    snprintf(yaml, sizeof yaml, two_zones,
             "  - {at: 1s, slow: [e, w], factor: 4, until: 2s}\n"
             "  - {at: 3s, lossy: [e, w], loss: 1, for: 1s}\n");
    sim = probe_build(yaml, &sc);
    /* e to w at 1.5s (slow, both ways) and 3.5s (lost); w to db at 3.5s */
    probe_plan(sim, "e", "w", 2, 1500 * SIM_MS, 2 * SIM_S);
    probe_plan(sim, "w", "db", 1, 3500 * SIM_MS, 0);
    CHECK_EQ_INT(sim_run(sim, &err), 0);
    CHECK_EQ_INT(probe_find("w")->n_got, 1);
    CHECK_EQ_INT(probe_find("w")->t_got[0], 1504 * SIM_MS);
    CHECK_EQ_INT(probe_find("e")->n_replies, 1);
    CHECK_EQ_INT(probe_find("e")->t_last_reply, 1508 * SIM_MS);
    CHECK_EQ_INT(sim_n_dropped(sim, SIM_FAIL_LOSS), 1);
    CHECK_EQ_INT(probe_find("w")->n_replies, 1);
    sim_free(sim);
    sim_scenario_free(sc);
}

/* Notes follow time, not the order of the list; ends included. */
static void test_faults__timeline_lists_faults_in_time_order(void)
{
    char yaml[1024];
    struct probe_run r;
    const struct sim_report *rep;
    static const struct {
        double t_s;
        const char *kind, *text;
    } want[] = {
        {1.0, "slow", "east | west x2"},
        {2.0, "partition", "app -> db+w"},
        {3.0, "crash", "w"},
        {3.0, "slow-end", "east | west x2"},
        {4.5, "heal", "app -> db+w"},
        {6.0, "skew", "e by -1ms"},
    };

    snprintf(yaml, sizeof yaml, two_zones,
             "  - {at: 6s, skew: e, offset: -1ms}\n"
             "  - {at: 3s, crash: w}\n"
             "  - {at: 2s, partition: [app, db+w], one_way: true, "
             "heal_at: 4.5s}\n"
             "  - {at: 1s, slow: [east, west], factor: 2, for: 2s}\n");
    probe_run(yaml, &r);
    rep = r.sum.first;
    CHECK_EQ_INT(rep->n_notes, 6);
    for (size_t i = 0; i < 6; i++) {
        CHECK_NEAR(rep->notes[i].t_s, want[i].t_s, 1e-12);
        CHECK_EQ_STR(rep->notes[i].kind, want[i].kind);
        CHECK_EQ_STR(rep->notes[i].text, want[i].text);
    }
    probe_run_release(&r);
}

/* ---- configuration problems ------------------------------------------- */

/* The problems of two_zones with the given fault entries. */
static const char *problems(const char *faults, char *msg, size_t n_msg)
{
    char yaml[2048];

    snprintf(yaml, sizeof yaml, two_zones, faults);
    return probe_problems(yaml, msg, n_msg);
}

static void test_faults__rejects_entries_without_one_action(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 1s}\n"
                          "  - {at: 1s, crash: db, skew: w, offset: 1ms}\n",
                          msg, sizeof msg),
                 "12:5: faults[0]: give one action: partition, crash, slow, "
                 "lossy or skew\n"
                 "13:5: faults[1]: give one action, not both \"crash\" and "
                 "\"skew\"");
}

static void test_faults__rejects_times_outside_the_run(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 10s, crash: db}\n"
                          "  - {at: 5s, crash: db, restart_at: 5s}\n"
                          "  - {at: 5s, crash: db, restart_at: 11s}\n"
                          "  - {at: 5s, crash: db, for: 6s}\n"
                          "  - {at: 5s, crash: db, for: 0s}\n"
                          "  - {at: 5, crash: db}\n",
                          msg, sizeof msg),
                 "12:10: faults[0].at: \"10s\" is not before the end of the "
                 "run (10s)\n"
                 "13:37: faults[1].restart_at: \"5s\" is not after \"at\" "
                 "(5s)\n"
                 "14:37: faults[2].restart_at: \"11s\" is after the end of "
                 "the run (10s)\n"
                 "15:30: faults[3].for: \"6s\" ends the fault at 11s, after "
                 "the end of the run (10s)\n"
                 "16:30: faults[4].for: \"0s\" must be above 0\n"
                 "17:10: faults[5].at: \"5\": missing unit (write it as in "
                 "\"250ms\")");
}

static void test_faults__rejects_ends_that_do_not_fit(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 1s, crash: db, until: 2s}\n"
                          "  - {at: 1s, partition: [e, w], heal_at: 2s, "
                          "for: 1s}\n"
                          "  - {at: 1s, skew: w, offset: 1ms, heal_at: 2s}\n",
                          msg, sizeof msg),
                 "12:32: faults[0].until: a crash fault ends with "
                 "\"restart_at\" or \"for\"\n"
                 "13:5: faults[1]: give one end, not both \"heal_at\" and "
                 "\"for\"\n"
                 "14:45: faults[2].heal_at: a skew fault ends with \"until\" "
                 "or \"for\"");
}

static void test_faults__rejects_parameters_of_another_kind(void)
{
    char msg[2048];

    CHECK_EQ_STR(problems("  - {at: 1s, slow: [e, w]}\n"
                          "  - {at: 1s, lossy: [e, w]}\n"
                          "  - {at: 1s, skew: w}\n"
                          "  - {at: 1s, crash: w, factor: 2, loss: 0.1, "
                          "offset: 1s, one_way: true}\n",
                          msg, sizeof msg),
                 "12:5: faults[0]: a slow fault needs \"factor\" (the latency "
                 "multiplier, at least 1)\n"
                 "13:5: faults[1]: a lossy fault needs \"loss\" (a "
                 "probability in [0, 1])\n"
                 "14:5: faults[2]: a skew fault needs \"offset\" (as in "
                 "offset: -50ms)\n"
                 "15:32: faults[3].factor: only a slow fault takes "
                 "\"factor\"\n"
                 "15:41: faults[3].loss: only a lossy fault takes \"loss\"\n"
                 "15:54: faults[3].offset: only a skew fault takes "
                 "\"offset\"\n"
                 "15:67: faults[3].one_way: only partitions and slow or lossy "
                 "links have a direction");
}

static void test_faults__rejects_bad_parameter_values(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 1s, slow: [e, w], factor: 0.5}\n"
                          "  - {at: 1s, slow: [e, w], factor: 1e9}\n"
                          "  - {at: 1s, lossy: [e, w], loss: 1.5}\n"
                          "  - {at: 1s, skew: w, offset: -5xs}\n"
                          "  - {at: 1s, skew: w, offset: 25h}\n",
                          msg, sizeof msg),
                 "12:36: faults[0].factor: 0.5 must be between 1 and 1000000\n"
                 "13:36: faults[1].factor: 1000000000 must be between 1 and "
                 "1000000\n"
                 "14:35: faults[2].loss: 1.5 is not a probability in [0, 1]\n"
                 "15:31: faults[3].offset: \"-5xs\": unknown unit \"xs\" "
                 "(write it as in \"250ms\")\n"
                 "16:31: faults[4].offset: \"25h\" must be within 24h either "
                 "way");
}

static void test_faults__rejects_targets_that_name_nothing(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 1s, crash: dbb}\n"
                          "  - {at: 1s, partition: [\"ap.*\", w+]}\n"
                          "  - {at: 1s, skew: faults, offset: 1ms}\n",
                          msg, sizeof msg),
                 "12:21: faults[0].crash: unknown component \"dbb\"; did you "
                 "mean \"db\"?\n"
                 "13:26: faults[1].partition[0]: \"ap.*\" matches no "
                 "component; did you mean \"app.*\"?\n"
                 "13:34: faults[1].partition[1]: \"w+\" has an empty name\n"
                 "14:20: faults[2].skew: unknown component \"faults\"");
}

static void test_faults__rejects_overlapping_sides(void)
{
    char msg[1024];

    CHECK_EQ_STR(problems("  - {at: 1s, partition: [east, west, app.1]}\n",
                          msg, sizeof msg),
                 "12:38: faults[0].partition[2]: \"app.1\" overlaps \"east\" "
                 "(both hold \"app.1\")");
}

static void test_faults__rejects_a_component_named_faults(void)
{
    char msg[1024];

    CHECK_EQ_STR(probe_problems("name: bad\nduration: 10s\n"
                                "probes: [{name: faults}]\n"
                                "faults:\n  - {at: 1s, crash: faults}\n",
                                msg, sizeof msg),
                 "5:5: faults[0]: the name \"faults\" is taken by another "
                 "component; the fault schedule needs it");
}

CHECK_MAIN(
    CHECK_TEST(test_faults__partition_times_out_requests_for_its_duration),
    CHECK_TEST(test_faults__one_way_partition_cuts_one_direction),
    CHECK_TEST(test_faults__messages_in_flight_when_a_partition_starts),
    CHECK_TEST(test_faults__partition_cuts_every_pair_of_sides),
    CHECK_TEST(test_faults__crash_and_restart_fail_requests_in_between),
    CHECK_TEST(test_faults__crashing_a_zone_crashes_every_member),
    CHECK_TEST(test_faults__crashing_a_zone_spares_its_clients),
    CHECK_TEST(test_faults__overlapping_crashes_restart_at_the_last_end),
    CHECK_TEST(test_faults__skew_shows_in_the_entity_clock),
    CHECK_TEST(test_faults__slow_and_lossy_links),
    CHECK_TEST(test_faults__timeline_lists_faults_in_time_order),
    CHECK_TEST(test_faults__rejects_entries_without_one_action),
    CHECK_TEST(test_faults__rejects_times_outside_the_run),
    CHECK_TEST(test_faults__rejects_ends_that_do_not_fit),
    CHECK_TEST(test_faults__rejects_parameters_of_another_kind),
    CHECK_TEST(test_faults__rejects_bad_parameter_values),
    CHECK_TEST(test_faults__rejects_targets_that_name_nothing),
    CHECK_TEST(test_faults__rejects_overlapping_sides),
    CHECK_TEST(test_faults__rejects_a_component_named_faults))
