/* SPDX-License-Identifier: MIT */
/*
 * test_pointdir.c - a sweep point's verdict, the one word (met, missed,
 * unsure, none) that sweep.tsv and the capacity report both print.
 */
#include "sim/pointdir.h"

#include "tests/check.h"

static void test_pointdir__verdict_is_met_missed_unsure_or_none(void)
{
    struct sim_pointdir_expect e[2] = {
        {.status = SIM_EXPECT_MET}, {.status = SIM_EXPECT_UNSURE},
    };
    struct sim_pointdir p = {.expects = e, .n_expects = 2};

    CHECK_EQ_STR(sim_pointdir_verdict(&p), "unsure");
    e[1].status = SIM_EXPECT_MISSED;
    CHECK_EQ_STR(sim_pointdir_verdict(&p), "missed");
    e[1].status = SIM_EXPECT_MET;
    p.is_met = true;
    CHECK_EQ_STR(sim_pointdir_verdict(&p), "met");
    p.n_expects = 0;
    CHECK_EQ_STR(sim_pointdir_verdict(&p), "none");
}

CHECK_MAIN(CHECK_TEST(test_pointdir__verdict_is_met_missed_unsure_or_none))
