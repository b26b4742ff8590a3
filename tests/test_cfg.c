/* SPDX-License-Identifier: MIT */
/*
 * test_cfg.c - how a recorded problem reads once printed: a long echoed
 * value is cut so that the reason after it always shows, control
 * characters never reach the terminal raw, and a problem with no position
 * in the file prints none.
 */
#include "sim/cfg.h"

#include <string.h>

#include "sim/error.h"
#include "tests/check.h"

/* Problem i of cfg as the program prints it. */
static const char *line_of(struct sim_cfg *cfg, size_t i)
{
    static char line[1024];

    return sim_cfg_format(cfg, i, line, sizeof line);
}

static void test_cfg__long_quoted_values_are_cut_so_the_reason_shows(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    char value[3000];
    sim_time t;

    memset(value, 'x', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    value[0] = '1';
    CHECK_EQ_INT(sim_cfg_duration(cfg, "a", value, 0, &t), SIM_EINVAL);
    sim_cfg_error_at(cfg, 2, 1, "b", "\"%s\" is wrong; \"short\" is not",
                     value);
    CHECK_EQ_STR(line_of(cfg, 0),
                 "s.yaml: a: \"1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\": "
                 "unknown unit \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" "
                 "(write it as in \"250ms\")");
    CHECK_EQ_STR(line_of(cfg, 1),
                 "s.yaml:2:1: b: \"1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                 "...\" is wrong; \"short\" is not");
    sim_cfg_free(cfg);
}

static void test_cfg__a_long_path_keeps_the_file_name(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");

    sim_cfg_error_at(cfg, 3, 7, "servers[0].service.file",
                     "cannot read \"%s\": %s", "/home/someone/projects/"
                     "capacity/2027/traces/service-times.txt",
                     "No such file or directory");
    CHECK_EQ_STR(line_of(cfg, 0),
                 "s.yaml:3:7: servers[0].service.file: cannot read "
                 "\"...s/capacity/2027/traces/service-times.txt\": "
                 "No such file or directory");
    sim_cfg_free(cfg);
}

static void test_cfg__a_cut_never_splits_a_character(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    char value[200] = "";

    /* 39 ASCII bytes, then two-byte characters across the 40th */
    memset(value, 'a', 39);
    for (int i = 0; i < 10; i++)
        strcat(value, "\xc3\xa9");
    sim_cfg_error_at(cfg, 1, 1, NULL, "\"%s\": bad", value);
    CHECK_EQ_STR(line_of(cfg, 0),
                 "s.yaml:1:1: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "\xc3\xa9...\": bad");
    sim_cfg_free(cfg);
}

static void test_cfg__control_characters_are_escaped(void)
{
    struct sim_cfg *cfg = sim_cfg_new("a\x1b[31m.yaml");
    unsigned k = sim_cfg_add_override(cfg, "title=a\x1b[31m'red'");

    sim_cfg_error_at(cfg, 1, 2, "ti\x07tle", "\"x\x1b[2J\xc2\x9b\" and "
                     "\xc2\x85 here");
    sim_cfg_error_from(cfg, k, 0, 0, "title", "bad \"\x1b\"");
    CHECK_EQ_STR(line_of(cfg, 0),
                 "a\\x1b[31m.yaml:1:2: ti\\x07tle: \"x\\x1b[2J\\u009b\" and "
                 "\\u0085 here");
    CHECK_EQ_STR(line_of(cfg, 1),
                 "--set 'title=a\\x1b[31m'\\''red'\\''': title: bad "
                 "\"\\x1b\"");
    sim_cfg_free(cfg);
}

static void test_cfg__a_problem_without_position_prints_none(void)
{
    struct sim_cfg *cfg = sim_cfg_new("gone.yaml");

    sim_cfg_error_at(cfg, 0, 0, NULL, "cannot read \"gone.yaml\"");
    sim_cfg_error_at(cfg, 0, 0, "a.b", "no place");
    CHECK_EQ_STR(line_of(cfg, 0), "gone.yaml: cannot read \"gone.yaml\"");
    CHECK_EQ_STR(line_of(cfg, 1), "gone.yaml: a.b: no place");
    sim_cfg_free(cfg);
}

static void test_cfg__echoed_quotes_do_not_end_the_value(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    char value[100];
    double r;

    memset(value, 'q', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    value[3] = '"';
    CHECK_EQ_INT(sim_cfg_rate(cfg, "r", value, 0, &r), SIM_EINVAL);
    CHECK_EQ_STR(line_of(cfg, 0),
                 "s.yaml: r: \"qqq\\\"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
                 "...\": not a number");
    sim_cfg_free(cfg);
}

CHECK_MAIN(CHECK_TEST(test_cfg__long_quoted_values_are_cut_so_the_reason_shows),
           CHECK_TEST(test_cfg__a_cut_never_splits_a_character),
           CHECK_TEST(test_cfg__a_long_path_keeps_the_file_name),
           CHECK_TEST(test_cfg__control_characters_are_escaped),
           CHECK_TEST(test_cfg__a_problem_without_position_prints_none),
           CHECK_TEST(test_cfg__echoed_quotes_do_not_end_the_value))
