/* SPDX-License-Identifier: MIT */
/*
 * test_truth.c - the ground truth of versions: numbering per (store, key),
 * the newest version at a time, and stores kept apart.
 */
#include "sim/truth.h"

#include "tests/check.h"

static void test_truth__versions_count_up_per_key(void)
{
    struct sim_truth *t = sim_truth_new();
    uint32_t db = sim_truth_store(t, "db");
    sim_time at;

    CHECK_EQ_INT(db, 1);
    CHECK_EQ_INT(sim_truth_store(t, "db"), 1);
    CHECK_EQ_INT(sim_truth_commit(t, db, 7, 100), 1);
    CHECK_EQ_INT(sim_truth_commit(t, db, 7, 200), 2);
    CHECK_EQ_INT(sim_truth_commit(t, db, 8, 200), 1);
    CHECK_EQ_INT(sim_truth_latest(t, db, 7, 99, &at), 0);
    CHECK_EQ_INT(at, SIM_TIME_NEVER);
    CHECK_EQ_INT(sim_truth_latest(t, db, 7, 100, &at), 1);
    CHECK_EQ_INT(at, 100);
    CHECK_EQ_INT(sim_truth_latest(t, db, 7, 150, NULL), 1);
    CHECK_EQ_INT(sim_truth_latest(t, db, 7, 1000, &at), 2);
    CHECK_EQ_INT(at, 200);
    CHECK_EQ_INT(sim_truth_commit_time(t, db, 7, 2), 200);
    CHECK_EQ_INT(sim_truth_commit_time(t, db, 7, 3), SIM_TIME_NEVER);
    sim_truth_free(t);
}

static void test_truth__stores_are_separate(void)
{
    struct sim_truth *t = sim_truth_new();
    uint32_t a = sim_truth_store(t, "a"), b = sim_truth_store(t, "b");

    CHECK(a != b);
    sim_truth_commit(t, a, 1, 10);
    CHECK_EQ_INT(sim_truth_latest(t, a, 1, 10, NULL), 1);
    CHECK_EQ_INT(sim_truth_latest(t, b, 1, 10, NULL), 0);
    sim_truth_free(t);
}

static void test_truth__many_keys_grow_the_table(void)
{
    struct sim_truth *t = sim_truth_new();
    uint32_t s = sim_truth_store(t, "s");

    for (uint64_t k = 0; k < 100000; k++)
        CHECK_EQ_INT(sim_truth_commit(t, s, k * 7919, (sim_time)k), 1);
    for (uint64_t k = 0; k < 100000; k += 997)
        CHECK_EQ_INT(sim_truth_latest(t, s, k * 7919, (sim_time)k, NULL), 1);
    sim_truth_free(t);
}

CHECK_MAIN(CHECK_TEST(test_truth__versions_count_up_per_key),
           CHECK_TEST(test_truth__stores_are_separate),
           CHECK_TEST(test_truth__many_keys_grow_the_table))
