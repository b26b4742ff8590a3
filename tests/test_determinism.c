/* SPDX-License-Identifier: MIT */
/*
 * test_determinism.c - what a replication computes depends on nothing but
 * the scenario, its seed and the replication index: an unrelated entity
 * adding no-op events leaves every figure bit-identical, a replication run
 * alone equals the same replication run in a batch, and two builds of one
 * replication agree.
 */
#include <string.h>

#include "models/client.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "tests/check.h"

#define SMALL "tests/scenarios/small.yaml"

static const struct sim_model_ops *const kinds[] = {&client_ops, &server_ops};

static struct sim_scenario *load_small(void)
{
    struct sim_cfg *cfg = sim_cfg_new(SMALL);
    struct sim_scenario *sc = NULL;

    CHECK_EQ_INT(sim_scenario_load(cfg, SMALL, NULL, 0, kinds, 2, &sc, NULL),
                 0);
    sim_cfg_free(cfg);
    return sc;
}

static bool same_reports(const struct sim_report *a,
                         const struct sim_report *b)
{
    if (a->n_metrics != b->n_metrics || a->n_series != b->n_series)
        return false;
    for (size_t i = 0; i < a->n_metrics; i++)
        if (strcmp(a->metrics[i].name, b->metrics[i].name) != 0 ||
            memcmp(&a->metrics[i].value, &b->metrics[i].value,
                   sizeof(double)) != 0)
            return false;
    for (size_t i = 0; i < a->n_series; i++)
        if (a->series[i].n_values != b->series[i].n_values ||
            memcmp(a->series[i].values, b->series[i].values,
                   a->series[i].n_values * sizeof(double)) != 0)
            return false;
    return true;
}

/* An entity that only wakes itself up, a few hundred times. */
static void noop_handle(struct sim *sim, void *state,
                        const struct sim_event *ev)
{
    uint32_t *id = state;

    if (ev->payload.u64 > 0)
        sim_schedule(sim, 7 * SIM_MS, *id, SIM_EV_USER,
                     (union sim_payload){.u64 = ev->payload.u64 - 1});
}

static void run_one(const struct sim_scenario *sc, bool with_noop,
                    struct sim_report *rep)
{
    struct sim_cfg *cfg = sim_cfg_new(SMALL);
    struct sim *sim = NULL;
    static uint32_t noop_id;

    CHECK_EQ_INT(sim_scenario_build(sc, cfg, 1, &sim, NULL), 0);
    if (with_noop) {
        noop_id = sim_entity_add(sim, "noop", noop_handle, &noop_id);
        for (uint64_t i = 0; i < 3; i++)
            sim_schedule(sim, (sim_time)i, noop_id, SIM_EV_USER,
                         (union sim_payload){.u64 = 1000});
    }
    CHECK_EQ_INT(sim_run(sim, NULL), 0);
    sim_report_init(rep);
    sim_report(sim, rep);
    sim_free(sim);
    sim_cfg_free(cfg);
}

static void test_determinism__noop_events_change_nothing(void)
{
    struct sim_scenario *sc = load_small();
    struct sim_report a, b;

    run_one(sc, false, &a);
    run_one(sc, true, &b);
    /* The engine's own event count differs; everything else must not. */
    for (size_t i = 0; i < b.n_metrics; i++)
        if (strcmp(b.metrics[i].name, "events") == 0)
            b.metrics[i].value = a.metrics[i].value;
    CHECK(a.n_metrics > 50);
    CHECK(same_reports(&a, &b));
    sim_report_release(&a);
    sim_report_release(&b);
    sim_scenario_free(sc);
}

static void test_determinism__replication_alone_equals_batch(void)
{
    struct sim_scenario *sc = load_small();
    struct sim_batch batch;
    struct sim_report alone;

    CHECK_EQ_INT(sim_batch_run(sc, 0, 3, 2, NULL, NULL, &batch, NULL), 0);
    sim_report_init(&alone);
    CHECK_EQ_INT(sim_batch_run_one(sc, 2, &alone, NULL), 0);
    CHECK(same_reports(&alone, &batch.reports[2]));
    CHECK(!same_reports(&batch.reports[1], &batch.reports[2]));
    sim_report_release(&alone);
    sim_batch_release(&batch);
    sim_scenario_free(sc);
}

CHECK_MAIN(CHECK_TEST(test_determinism__noop_events_change_nothing),
           CHECK_TEST(test_determinism__replication_alone_equals_batch))
