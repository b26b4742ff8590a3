/* SPDX-License-Identifier: MIT */
/*
 * test_units.c - strict parsing of durations, rates, sizes, percentages
 * and numbers: what is accepted, what it means, and the reason given for
 * everything that is refused.
 */
#include "sim/units.h"

#include "tests/check.h"

static const char *duration_why(const char *text)
{
    static char why[160];
    sim_time t;

    why[0] = '\0';
    if (sim_units_duration(text, &t, why, sizeof why) == 0)
        return "ok";
    return why;
}

static void test_units__durations_in_every_unit(void)
{
    static const struct {
        const char *text;
        sim_time ns;
    } cases[] = {
        {"250ns", 250}, {"250us", 250000}, {"5ms", 5000000},
        {"1.5s", 1500000000}, {"2m", 120 * SIM_S}, {"2min", 120 * SIM_S},
        {"1h", 3600 * SIM_S}, {"0s", 0}, {"0.5ns", 1}, {"1e3ms", SIM_S},
        {"\xc2\xb5s", -1},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_time t = -7;
        char why[160];
        int rc = sim_units_duration(cases[i].text, &t, why, sizeof why);

        if (cases[i].ns < 0) {
            CHECK(rc != 0);
            continue;
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(t, cases[i].ns);
    }
}

static void test_units__bad_durations_say_why(void)
{
    CHECK_EQ_STR(duration_why("5"), "missing unit (write it as in \"250ms\")");
    CHECK_EQ_STR(duration_why("5xs"),
                 "unknown unit \"xs\" (write it as in \"250ms\")");
    CHECK_EQ_STR(duration_why("-1s"), "must not be negative");
    CHECK_EQ_STR(duration_why("nan"), "not a number");
    CHECK_EQ_STR(duration_why("infs"), "not a number");
    CHECK_EQ_STR(duration_why("0x10s"),
                 "unknown unit \"x10s\" (write it as in \"250ms\")");
    CHECK_EQ_STR(duration_why("010ms"), "not a number");
    CHECK_EQ_STR(duration_why("0.1ns"), "below the 1ns resolution of time");
    CHECK_EQ_STR(duration_why("1e300h"), "too large");
    CHECK_EQ_STR(duration_why("1e12h"), "too large (at most 292 years)");
    CHECK_EQ_STR(duration_why(""), "not a number");
    CHECK_EQ_STR(duration_why("5 ms"),
                 "unknown unit \" ms\" (write it as in \"250ms\")");
    CHECK_EQ_STR(duration_why(".5s"), "not a number");
}

static void test_units__rates_with_prefix_and_period(void)
{
    double r = 0;
    char why[160];

    CHECK_EQ_INT(sim_units_rate("500/s", &r, why, sizeof why), 0);
    CHECK_NEAR(r, 500, 0);
    CHECK_EQ_INT(sim_units_rate("2k/s", &r, why, sizeof why), 0);
    CHECK_NEAR(r, 2000, 0);
    CHECK_EQ_INT(sim_units_rate("30/min", &r, why, sizeof why), 0);
    CHECK_NEAR(r, 0.5, 1e-15);
    CHECK_EQ_INT(sim_units_rate("1.5M/h", &r, why, sizeof why), 0);
    CHECK_NEAR(r, 1.5e6 / 3600, 1e-9);
    CHECK(sim_units_rate("500", &r, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "missing period (write a rate as in \"500/s\" or "
                      "\"2k/s\")");
    CHECK(sim_units_rate("5/week", &r, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "unknown period (use /s, /ms, /min or /h)");
    CHECK(sim_units_rate("-5/s", &r, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "must not be negative");
}

static void test_units__sizes_and_percentages(void)
{
    uint64_t b = 0;
    double f = 0;
    char why[160];

    CHECK_EQ_INT(sim_units_size("64KiB", &b, why, sizeof why), 0);
    CHECK_EQ_INT(b, 65536);
    CHECK_EQ_INT(sim_units_size("2MB", &b, why, sizeof why), 0);
    CHECK_EQ_INT(b, 2000000);
    CHECK(sim_units_size("1.5B", &b, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "not a whole number of bytes");
    CHECK_EQ_INT(sim_units_percent("99.5%", &f, why, sizeof why), 0);
    CHECK_NEAR(f, 0.995, 1e-15);
    CHECK(sim_units_percent("0.995", &f, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "missing % sign (write e.g. \"99.5%\")");
}

static void test_units__numbers_are_strict(void)
{
    double v = 0;
    char why[160];

    CHECK_EQ_INT(sim_units_number("-2.5e-3", &v, why, sizeof why), 0);
    CHECK_NEAR(v, -2.5e-3, 0);
    CHECK(sim_units_number("12abc", &v, why, sizeof why) != 0);
    CHECK(sim_units_number("nan", &v, why, sizeof why) != 0);
    CHECK(sim_units_number("0x1p3", &v, why, sizeof why) != 0);
    CHECK(sim_units_number("1e999", &v, why, sizeof why) != 0);
    CHECK_EQ_STR(why, "too large");
}

static const char *rate_why(const char *text)
{
    static char why[160];
    double r;

    why[0] = '\0';
    if (sim_units_rate(text, &r, why, sizeof why) == 0)
        return "ok";
    return why;
}

static void test_units__malformed_numbers_say_so(void)
{
    static const char *const texts[] = {
        "1,000/s", "1_000/s", "1k5/s", "1.5.2/s", "1000,5/s",
    };
    static const char want[] = "malformed number (write digits with at "
                               "most one '.', no separators, as in \"1000\" "
                               "or \"1.5\")";

    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        CHECK_EQ_STR(rate_why(texts[i]), want);
    CHECK_EQ_STR(duration_why("1,5ms"), want);
    CHECK_EQ_STR(duration_why("1_000ms"), want);
    CHECK_EQ_STR(rate_why("5ms"), "missing period (write a rate as in "
                                  "\"500/s\" or \"2k/s\")");
    /* A period is there: what is wrong is what stands before it. */
    CHECK_EQ_STR(rate_why("1m/s"), "unknown multiplier before the period "
                                   "(k, M or G, as in \"2k/s\", right after "
                                   "the number)");
    CHECK(strncmp(rate_why("1K/s"), "unknown multiplier", 18) == 0);
}

static void test_units__a_unit_alone_asks_for_its_number(void)
{
    CHECK_EQ_STR(duration_why("ms"),
                 "a unit without a number (write it as in \"1ms\")");
    CHECK_EQ_STR(duration_why("h"),
                 "a unit without a number (write it as in \"1h\")");
    CHECK_EQ_STR(duration_why("fast"), "not a number");
}

static void test_units__numbers_of_many_digits_are_too_large(void)
{
    char text[512];
    double v;

    memset(text, '9', 400);
    strcpy(text + 400, "ms");
    CHECK_EQ_STR(duration_why(text), "too large");
    strcpy(text + 400, "/s");
    CHECK_EQ_STR(rate_why(text), "too large");
    text[400] = '\0';
    CHECK(sim_units_number(text, &v, NULL, 0) != 0);
    /* a long but small number is still read exactly */
    memset(text, '0', 200);
    memcpy(text, "0.", 2);
    strcpy(text + 200, "5s");
    CHECK_EQ_STR(duration_why(text), "below the 1ns resolution of time");
}

static void test_units__negative_zero_reads_as_zero(void)
{
    double r = -1;
    sim_time t = -1;

    CHECK_EQ_INT(sim_units_rate("-0/s", &r, NULL, 0), 0);
    CHECK(r == 0 && !signbit(r));
    CHECK_EQ_INT(sim_units_duration("-0ms", &t, NULL, 0), 0);
    CHECK_EQ_INT(t, 0);
    CHECK_EQ_STR(rate_why("-0.5/s"), "must not be negative");
}

static void test_units__format_duration_picks_a_unit(void)
{
    char buf[32];

    CHECK_EQ_STR(sim_units_format_duration(250, buf, sizeof buf), "250ns");
    CHECK_EQ_STR(sim_units_format_duration(1500, buf, sizeof buf), "1.5us");
    CHECK_EQ_STR(sim_units_format_duration(5 * SIM_MS, buf, sizeof buf),
                 "5ms");
    CHECK_EQ_STR(sim_units_format_duration(120 * SIM_S, buf, sizeof buf),
                 "120s");
    CHECK_EQ_STR(sim_units_format_duration(4020 * SIM_S, buf, sizeof buf),
                 "67min");
    CHECK_EQ_STR(sim_units_format_duration(86400 * SIM_S, buf, sizeof buf),
                 "24h");
}

/* Timeline times: the exact nanoseconds, no binary noise, no padding. */
static void test_units__format_seconds_is_exact_and_trimmed(void)
{
    char buf[48];

    CHECK_EQ_STR(sim_units_format_seconds(60 * SIM_S, buf, sizeof buf),
                 "60.0");
    CHECK_EQ_STR(sim_units_format_seconds(58500 * SIM_MS, buf, sizeof buf),
                 "58.5");
    CHECK_EQ_STR(sim_units_format_seconds(85500482216LL, buf, sizeof buf),
                 "85.500482216");
    CHECK_EQ_STR(sim_units_format_seconds(1, buf, sizeof buf),
                 "0.000000001");
    CHECK_EQ_STR(sim_units_format_seconds(0, buf, sizeof buf), "0.0");
}

/* A size in the largest unit that divides it, read back to the byte. */
static void test_units__format_size_is_exact_and_reads_back(void)
{
    static const uint64_t sizes[] = {
        1, 1500, 2000, 1024, 65536, 3 * 1048576ULL, 1073741824ULL,
        2000000000ULL, 1025,
    };
    static const char *const text[] = {
        "1B", "1500B", "2kB", "1KiB", "64KiB", "3MiB", "1GiB", "2GB",
        "1025B",
    };
    char buf[32];
    uint64_t back;

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        CHECK_EQ_STR(sim_units_format_size(sizes[i], buf, sizeof buf),
                     text[i]);
        CHECK_EQ_INT(sim_units_size(buf, &back, NULL, 0), 0);
        CHECK_EQ_INT(back, sizes[i]);
    }
}

CHECK_MAIN(CHECK_TEST(test_units__durations_in_every_unit),
           CHECK_TEST(test_units__bad_durations_say_why),
           CHECK_TEST(test_units__rates_with_prefix_and_period),
           CHECK_TEST(test_units__sizes_and_percentages),
           CHECK_TEST(test_units__numbers_are_strict),
           CHECK_TEST(test_units__malformed_numbers_say_so),
           CHECK_TEST(test_units__a_unit_alone_asks_for_its_number),
           CHECK_TEST(test_units__numbers_of_many_digits_are_too_large),
           CHECK_TEST(test_units__negative_zero_reads_as_zero),
           CHECK_TEST(test_units__format_duration_picks_a_unit),
           CHECK_TEST(test_units__format_seconds_is_exact_and_trimmed),
           CHECK_TEST(test_units__format_size_is_exact_and_reads_back))
