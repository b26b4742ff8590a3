/* SPDX-License-Identifier: MIT */
/*
 * test_jsontext.c - JSON text with short reals: each real in the fewest
 * digits that read back as the same double, still a real; strings,
 * integers and literals untouched; random doubles survive the round trip.
 */
#include "sim/jsontext.h"

#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

/* The compact text of value, with the flags distsim writes. */
static char *text_of(json_t *value)
{
    char *text = sim_json_text(value);

    json_decref(value);
    CHECK(text != NULL);
    return text;
}

static void test_jsontext__reals_take_the_fewest_exact_digits(void)
{
    json_t *a = json_array();
    char *text;

    json_array_append_new(a, json_real(0.15));
    json_array_append_new(a, json_real(120.0));
    json_array_append_new(a, json_real(1e-300));
    json_array_append_new(a, json_real(2.0 / 3.0));
    json_array_append_new(a, json_real(-5e22));
    json_array_append_new(a, json_integer(-42));
    json_array_append_new(a, json_true());
    json_array_append_new(a, json_null());
    json_array_append_new(a, json_string("x 1.50000000000000001 \"2.5e3\""));
    text = text_of(a);
    CHECK_EQ_STR(text, "[\n  0.15,\n  120.0,\n  1e-300,\n"
                       "  0.6666666666666666,\n  -5e+22,\n  -42,\n  true,\n"
                       "  null,\n  \"x 1.50000000000000001 \\\"2.5e3\\\"\"\n]");
    free(text);
}

static void test_jsontext__random_doubles_read_back_exactly(void)
{
    unsigned long long x = 88172645463325252ULL;

    for (int i = 0; i < 100000; i++) {
        double v, back;
        char *text;
        json_t *root;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(&v, &x, sizeof v);
        if (v != v || v - v != 0)
            continue;
        text = text_of(json_real(v));
        root = json_loads(text, JSON_DECODE_ANY, NULL);
        CHECK(root != NULL && json_is_real(root));
        back = json_real_value(root);
        if (memcmp(&back, &v, sizeof v) != 0)
            printf("  %.17g came back as %.17g from %s\n", v, back, text);
        CHECK(memcmp(&back, &v, sizeof v) == 0);
        json_decref(root);
        free(text);
    }
}

CHECK_MAIN(CHECK_TEST(test_jsontext__reals_take_the_fewest_exact_digits),
           CHECK_TEST(test_jsontext__random_doubles_read_back_exactly))
