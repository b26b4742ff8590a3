/* SPDX-License-Identifier: MIT */
/*
 * test_targets.c - resolving the names a scenario points at: globs, groups,
 * entity names joined by '+', the entity a model keeps for itself, and the
 * suggestions offered when nothing matches.
 */
#include "models/targets.h"

#include "tests/check.h"

static void test_targets__glob_matches_runs_of_characters(void)
{
    CHECK(targets_glob_match("orders.*.0", "orders.3.0"));
    CHECK(targets_glob_match("orders.*.0", "orders.12.0"));
    CHECK(!targets_glob_match("orders.*.0", "orders.3.1"));
    CHECK(!targets_glob_match("orders.*.0", "orders.3.0.0x"));
    CHECK(targets_glob_match("*", "anything"));
    CHECK(targets_glob_match("a*", "a"));
    CHECK(targets_glob_match("*b*c", "abxbc"));
    CHECK(!targets_glob_match("*b*c", "abxbd"));
    CHECK(targets_glob_match("app", "app"));
    CHECK(!targets_glob_match("app", "app.0"));
}

static void noop(struct sim *sim, void *state, const struct sim_event *ev)
{
    (void)sim;
    (void)state;
    (void)ev;
}

/* app.0, app.1 (group "app"), db, self: ids 0 to 3. */
static struct sim *small_world(void)
{
    struct sim_params params = {.seed = 1, .duration = SIM_S};
    struct sim_error err = {0};
    struct sim *sim = sim_new(&params, &err);
    const char *names[] = {"app.0", "app.1", "db", "self"};
    uint32_t ids[2] = {0, 1};

    CHECK(sim != NULL);
    for (uint32_t i = 0; i < 4; i++)
        CHECK_EQ_INT(sim_entity_add(sim, names[i], noop, NULL), i);
    CHECK_EQ_INT(sim_group_add(sim, "app", ids, 2), 0);
    return sim;
}

static void test_targets__pieces_join_sorted_without_repeats(void)
{
    struct sim *sim = small_world();
    struct sim_cfg *cfg = sim_cfg_new("t");
    struct targets t;

    CHECK_EQ_INT(targets_resolve(sim, cfg, "x", "db+app+app.*+*.1", 3, &t),
                 0);
    CHECK_EQ_INT(t.n, 3);
    CHECK_EQ_INT(t.ids[0], 0);
    CHECK_EQ_INT(t.ids[1], 1);
    CHECK_EQ_INT(t.ids[2], 2);
    targets_release(&t);
    CHECK_EQ_INT(targets_resolve(sim, cfg, "x", "*", 3, &t), 0);
    CHECK_EQ_INT(t.n, 3);
    targets_release(&t);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    sim_cfg_free(cfg);
    sim_free(sim);
}

static void test_targets__unknown_names_get_suggestions(void)
{
    struct sim *sim = small_world();
    struct sim_cfg *cfg = sim_cfg_new("t");
    struct targets t;
    char line[256];

    CHECK_EQ_INT(targets_resolve(sim, cfg, "a", "ap", 3, &t), SIM_EINVAL);
    CHECK_EQ_INT(targets_resolve(sim, cfg, "b", "self", 3, &t), SIM_EINVAL);
    CHECK_EQ_INT(targets_resolve(sim, cfg, "c", "apq.*", 3, &t),
                 SIM_EINVAL);
    CHECK_EQ_INT(t.n, 0);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 3);
    CHECK_EQ_STR(sim_cfg_format(cfg, 0, line, sizeof line),
                 "t: a: unknown component \"ap\"; did you mean "
                 "\"app\"?");
    CHECK_EQ_STR(sim_cfg_format(cfg, 1, line, sizeof line),
                 "t: b: unknown component \"self\"");
    CHECK_EQ_STR(sim_cfg_format(cfg, 2, line, sizeof line),
                 "t: c: \"apq.*\" matches no component; did you mean "
                 "\"app.*\"?");
    sim_cfg_free(cfg);
    sim_free(sim);
}

static void test_targets__overlap_names_a_shared_entity(void)
{
    uint32_t a_ids[] = {1, 4, 9}, b_ids[] = {2, 4}, c_ids[] = {3}, shared;
    struct targets a = {a_ids, 3}, b = {b_ids, 2}, c = {c_ids, 1};

    CHECK(targets_overlap(&a, &b, &shared));
    CHECK_EQ_INT(shared, 4);
    CHECK(!targets_overlap(&a, &c, &shared));
}

CHECK_MAIN(CHECK_TEST(test_targets__glob_matches_runs_of_characters),
           CHECK_TEST(test_targets__pieces_join_sorted_without_repeats),
           CHECK_TEST(test_targets__unknown_names_get_suggestions),
           CHECK_TEST(test_targets__overlap_names_a_shared_entity))
