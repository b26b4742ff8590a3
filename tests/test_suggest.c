/* SPDX-License-Identifier: MIT */
/*
 * test_suggest.c - the "did you mean" search: the distance itself, the
 * length-based acceptance limit, the prefix rule and the order of ties.
 */
#include "sim/suggest.h"

#include <stdint.h>

#include "tests/check.h"

static void test_suggest__distance_counts_edits(void)
{
    CHECK_EQ_INT(sim_suggest_distance("", ""), 0);
    CHECK_EQ_INT(sim_suggest_distance("abc", "abc"), 0);
    CHECK_EQ_INT(sim_suggest_distance("", "abc"), 3);
    CHECK_EQ_INT(sim_suggest_distance("wokers", "workers"), 1);
    CHECK_EQ_INT(sim_suggest_distance("workerss", "workers"), 1);
    CHECK_EQ_INT(sim_suggest_distance("wprkers", "workers"), 1);
    CHECK_EQ_INT(sim_suggest_distance("kitten", "sitting"), 3);
}

static void test_suggest__distance_counts_a_swap_as_one(void)
{
    CHECK_EQ_INT(sim_suggest_distance("wrokers", "workers"), 1);
    CHECK_EQ_INT(sim_suggest_distance("ab", "ba"), 1);
    CHECK_EQ_INT(sim_suggest_distance("abcd", "badc"), 2);
}

static void test_suggest__distance_ignores_ascii_case(void)
{
    CHECK_EQ_INT(sim_suggest_distance("LRU", "lru"), 0);
    CHECK_EQ_INT(sim_suggest_distance("Workers", "wokers"), 1);
}

static void test_suggest__distance_refuses_long_words(void)
{
    char long_word[SIM_SUGGEST_MAX_LEN + 2];

    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    CHECK(sim_suggest_distance(long_word, "a") == SIZE_MAX);
    long_word[SIM_SUGGEST_MAX_LEN] = '\0';
    CHECK_EQ_INT(sim_suggest_distance(long_word, long_word), 0);
}

static void test_suggest__closest_finds_the_typo(void)
{
    static const char *const keys[] = {"name", "workers", "queue",
                                       "service"};

    CHECK_EQ_STR(sim_suggest_closest("wokers", keys, 4), "workers");
    CHECK_EQ_STR(sim_suggest_closest("srevice", keys, 4), "service");
    CHECK_EQ_STR(sim_suggest_closest("nmae", keys, 4), "name");
}

static void test_suggest__closest_accepts_one_edit_in_short_words(void)
{
    static const char *const names[] = {"app", "db", "cache"};

    CHECK_EQ_STR(sim_suggest_closest("ap", names, 3), "app");
    CHECK_EQ_STR(sim_suggest_closest("d", names, 3), "db");
    CHECK(sim_suggest_closest("xy", names, 3) == NULL);
}

static void test_suggest__closest_rejects_distant_words(void)
{
    static const char *const keys[] = {"abcxyz", "seed", "duration"};

    /* 6 letters allow 2 edits; "abcxyz" is 3 away */
    CHECK(sim_suggest_closest("abcdef", keys, 3) == NULL);
    CHECK(sim_suggest_closest("zzzz", keys, 3) == NULL);
    CHECK(sim_suggest_closest("anything", keys, 0) == NULL);
}

static void test_suggest__closest_completes_a_unique_prefix(void)
{
    static const char *const policies[] = {"round-robin", "random",
                                           "least-connections", "p2c"};
    static const char *const two[] = {"least-latency", "least-connections"};

    CHECK_EQ_STR(sim_suggest_closest("least-conn", policies, 4),
                 "least-connections");
    CHECK(sim_suggest_closest("least-", two, 2) == NULL);
    /* two letters are too few to guess from */
    CHECK(sim_suggest_closest("ro", policies, 4) == NULL);
}

static void test_suggest__ties_go_to_the_first_candidate(void)
{
    static const char *const ab[] = {"cat", "cap"};
    static const char *const ba[] = {"cap", "cat"};

    CHECK_EQ_STR(sim_suggest_closest("ca", ab, 2), "cat");
    CHECK_EQ_STR(sim_suggest_closest("ca", ba, 2), "cap");
}

static void test_suggest__incremental_search_matches_one_call(void)
{
    struct sim_suggest s;

    sim_suggest_init(&s, "capacty");
    CHECK(sim_suggest_result(&s) == NULL);
    sim_suggest_add(&s, "policy");
    sim_suggest_add(&s, "capacity");
    sim_suggest_add(&s, "ttl");
    CHECK_EQ_STR(sim_suggest_result(&s), "capacity");
}

CHECK_MAIN(CHECK_TEST(test_suggest__distance_counts_edits),
           CHECK_TEST(test_suggest__distance_counts_a_swap_as_one),
           CHECK_TEST(test_suggest__distance_ignores_ascii_case),
           CHECK_TEST(test_suggest__distance_refuses_long_words),
           CHECK_TEST(test_suggest__closest_finds_the_typo),
           CHECK_TEST(test_suggest__closest_accepts_one_edit_in_short_words),
           CHECK_TEST(test_suggest__closest_rejects_distant_words),
           CHECK_TEST(test_suggest__closest_completes_a_unique_prefix),
           CHECK_TEST(test_suggest__ties_go_to_the_first_candidate),
           CHECK_TEST(test_suggest__incremental_search_matches_one_call))
