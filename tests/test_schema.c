/* SPDX-License-Identifier: MIT */
/*
 * test_schema.c - the strict schema walk and the libcyaml load behind it,
 * over a small schema with every checked cyaml type, a nested mapping, a
 * list of mappings and a recursive field. Messages are compared whole,
 * positions included; a fuzz smoke test ends the file.
 */
#include "sim/schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cfg.h"
#include "sim/doc.h"
#include "sim/error.h"
#include "tests/check.h"

enum t_policy { T_ROUND_ROBIN, T_RANDOM, T_LEAST_CONNECTIONS };

enum t_feature { T_TRACE = 1, T_RETRY = 2, T_HEDGE = 4 };

struct t_queue {
    uint32_t capacity;                  /* required */
    bool drop_oldest;                   /* optional */
};

struct t_node {
    char *name;                         /* required */
    struct t_node *children;            /* optional, recursive */
    unsigned children_count;
};

struct t_server {
    char *name;                         /* 1 to 16 bytes */
    uint32_t workers;                   /* required */
    int8_t priority;                    /* -128 to 127 */
    double speed;
    bool enabled;
    enum t_policy policy;
    struct t_queue queue;               /* nested mapping */
};

struct t_root {
    char *name;
    uint64_t seed;
    float ratio;
    int64_t offset;
    struct t_server *servers;           /* 1 to 4 */
    unsigned servers_count;
    char **tags;                        /* at most 3 */
    unsigned tags_count;
    unsigned features;                  /* flags */
    uint32_t bits;                      /* bit field: low, high */
    char *note;                         /* may be empty */
    struct t_node *tree;
};

static const cyaml_strval_t policy_words[] = {
    {"round-robin", T_ROUND_ROBIN},
    {"random", T_RANDOM},
    {"least-connections", T_LEAST_CONNECTIONS},
};

static const cyaml_strval_t feature_words[] = {
    {"trace", T_TRACE}, {"retry", T_RETRY}, {"hedge", T_HEDGE},
};

static const cyaml_bitdef_t bit_defs[] = {
    {.name = "low", .offset = 0, .bits = 4},
    {.name = "high", .offset = 4, .bits = 4},
};

static const cyaml_schema_field_t queue_fields[] = {
    CYAML_FIELD_UINT("capacity", CYAML_FLAG_DEFAULT, struct t_queue,
                     capacity),
    CYAML_FIELD_BOOL("drop_oldest", CYAML_FLAG_OPTIONAL, struct t_queue,
                     drop_oldest),
    CYAML_FIELD_END,
};

/* node_fields and node_entry refer to each other: a recursive schema */
static const cyaml_schema_field_t node_fields[3];

static const cyaml_schema_value_t node_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct t_node, node_fields),
};

static const cyaml_schema_field_t node_fields[3] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct t_node, name,
                           1, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE("children", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct t_node, children, &node_entry, 0,
                         CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t server_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct t_server, name,
                           1, 16),
    CYAML_FIELD_UINT("workers", CYAML_FLAG_DEFAULT, struct t_server,
                     workers),
    CYAML_FIELD_INT("priority", CYAML_FLAG_OPTIONAL, struct t_server,
                    priority),
    CYAML_FIELD_FLOAT("speed", CYAML_FLAG_OPTIONAL, struct t_server, speed),
    CYAML_FIELD_BOOL("enabled", CYAML_FLAG_OPTIONAL, struct t_server,
                     enabled),
    CYAML_FIELD_ENUM("policy", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct t_server, policy, policy_words,
                     CYAML_ARRAY_LEN(policy_words)),
    CYAML_FIELD_MAPPING("queue", CYAML_FLAG_OPTIONAL, struct t_server, queue,
                        queue_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t server_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct t_server, server_fields),
};

static const cyaml_schema_value_t tag_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t root_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct t_root, name,
                           1, CYAML_UNLIMITED),
    CYAML_FIELD_UINT("seed", CYAML_FLAG_OPTIONAL, struct t_root, seed),
    CYAML_FIELD_FLOAT("ratio", CYAML_FLAG_OPTIONAL, struct t_root, ratio),
    CYAML_FIELD_INT("offset", CYAML_FLAG_OPTIONAL, struct t_root, offset),
    CYAML_FIELD_SEQUENCE("servers", CYAML_FLAG_POINTER, struct t_root,
                         servers, &server_entry, 1, 4),
    CYAML_FIELD_SEQUENCE("tags", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct t_root, tags, &tag_entry, 0, 3),
    CYAML_FIELD_FLAGS("features", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                      struct t_root, features, feature_words,
                      CYAML_ARRAY_LEN(feature_words)),
    CYAML_FIELD_BITFIELD("bits", CYAML_FLAG_OPTIONAL, struct t_root, bits,
                         bit_defs, CYAML_ARRAY_LEN(bit_defs)),
    CYAML_FIELD_STRING_PTR("note",
                           CYAML_FLAG_POINTER_NULL | CYAML_FLAG_OPTIONAL,
                           struct t_root, note, 0, CYAML_UNLIMITED),
    CYAML_FIELD_MAPPING_PTR("tree", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                            struct t_root, tree, node_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t root_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct t_root, root_fields),
};

/* A scenario that uses every field and passes the check. */
static const char full[] =
    "name: shop\n"
    "seed: 18446744073709551615\n"
    "ratio: 0.25\n"
    "offset: -9223372036854775808\n"
    "servers:\n"
    "  - name: app\n"
    "    workers: 8\n"
    "    priority: -128\n"
    "    speed: 1.5e3\n"
    "    enabled: true\n"
    "    policy: least-connections\n"
    "    queue: {capacity: 200, drop_oldest: true}\n"
    "  - name: \"010\"\n"
    "    workers: 4294967295\n"
    "    speed: -.5\n"
    "tags: [a, b]\n"
    "features: [trace, hedge]\n"
    "bits: {low: 3, high: 15}\n"
    "note:\n"
    "tree:\n"
    "  name: root\n"
    "  children:\n"
    "    - name: a\n"
    "      children: [{name: a1}, {name: a2, children: []}]\n"
    "    - name: b\n";

/* The smallest scenario that passes; tests add one line to it. */
#define BASE "name: x\nservers:\n  - name: a\n    workers: 1\n"

static char problems_buf[16384];

static const char *problems(struct sim_cfg *cfg)
{
    char line[600];
    size_t len = 0;

    problems_buf[0] = '\0';
    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++) {
        sim_cfg_format(cfg, i, line, sizeof line);
        len += (size_t)snprintf(problems_buf + len, sizeof problems_buf - len,
                                "%s%s", i > 0 ? "\n" : "", line);
    }
    return problems_buf;
}

/* Parses and checks text as "s.yaml"; the caller frees cfg and *doc. */
static struct sim_cfg *parse_check(const char *text, struct sim_doc **doc,
                                   int *rc)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");

    CHECK(cfg != NULL);
    CHECK_EQ_INT(sim_doc_parse(cfg, text, strlen(text), doc), 0);
    sim_cfg_set_locator(cfg, sim_doc_locate, *doc);
    *rc = sim_schema_check(cfg, *doc, &root_schema);
    return cfg;
}

/* The problems the check finds in text, which must have some. */
static const char *check_fails(const char *text)
{
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse_check(text, &doc, &rc);

    CHECK_EQ_INT(rc, SIM_EINVAL);
    problems(cfg);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
    return problems_buf;
}

static void test_schema__accepts_a_full_scenario(void)
{
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse_check(full, &doc, &rc);

    CHECK_EQ_STR(problems(cfg), "");
    CHECK_EQ_INT(rc, 0);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_schema__unknown_key_suggests_the_closest(void)
{
    CHECK_EQ_STR(check_fails("name: x\nservers:\n  - name: a\n"
                             "    wokers: 1\n"),
                 "s.yaml:3:5: servers[0]: missing required key "
                 "\"workers\"\n"
                 "s.yaml:4:5: servers[0].wokers: unknown key; did you mean "
                 "\"workers\"?");
}

static void test_schema__unknown_key_lists_the_keys(void)
{
    CHECK_EQ_STR(check_fails(BASE "    zzz: 1\n"),
                 "s.yaml:5:5: servers[0].zzz: unknown key (expected one "
                 "of: name, workers, priority, speed, enabled, policy, "
                 "queue)");
}

static void test_schema__reports_missing_required_keys(void)
{
    CHECK_EQ_STR(check_fails("seed: 1\n"),
                 "s.yaml:1:1: missing required key \"name\"\n"
                 "s.yaml:1:1: missing required key \"servers\"");
    CHECK_EQ_STR(check_fails(BASE "    queue: {drop_oldest: true}\n"),
                 "s.yaml:5:12: servers[0].queue: missing required key "
                 "\"capacity\"");
}

static void test_schema__reports_wrong_kinds(void)
{
    CHECK_EQ_STR(check_fails("name: [x]\nservers: {name: a}\ntree: 5\n"
                             "tags: [[a]]\n"),
                 "s.yaml:1:7: name: expected text, found a list\n"
                 "s.yaml:2:10: servers: expected a list, found a mapping\n"
                 "s.yaml:3:7: tree: expected a mapping, found \"5\"\n"
                 "s.yaml:4:8: tags[0]: expected text, found a list");
    CHECK_EQ_STR(check_fails("name: x\nservers:\n  - name: a\n"
                             "    workers: {a: 1}\n    policy: [x]\n"),
                 "s.yaml:4:14: servers[0].workers: expected a whole number, "
                 "found a mapping\n"
                 "s.yaml:5:13: servers[0].policy: expected one of "
                 "round-robin, random, least-connections, found a list");
}

static void test_schema__reports_empty_values(void)
{
    CHECK_EQ_STR(check_fails("name:\nservers:\nnote:\n"),
                 "s.yaml:1:1: name: has no value\n"
                 "s.yaml:2:1: servers: has no value");
    CHECK_EQ_STR(check_fails(BASE "seed: ~\nratio: null\nnote: ~\n"),
                 "s.yaml:5:7: seed: has no value\n"
                 "s.yaml:6:8: ratio: has no value");
}

static void test_schema__whole_numbers_are_strict(void)
{
    CHECK_EQ_STR(check_fails("name: x\nservers:\n"
                             "  - {name: a, workers: 5ms}\n"
                             "  - {name: b, workers: -1}\n"
                             "  - {name: c, workers: 010}\n"
                             "  - {name: d, workers: 99999999999}\n"),
                 "s.yaml:3:24: servers[0].workers: \"5ms\" is not a whole "
                 "number\n"
                 "s.yaml:4:24: servers[1].workers: \"-1\" must not be "
                 "negative\n"
                 "s.yaml:5:24: servers[2].workers: \"010\": leading zeros "
                 "are not allowed\n"
                 "s.yaml:6:24: servers[3].workers: \"99999999999\" is too "
                 "large (at most 4294967295)");
}

static void test_schema__whole_numbers_fit_their_field(void)
{
    CHECK_EQ_STR(check_fails(BASE "    priority: 128\n"
                             "offset: -9223372036854775809\n"
                             "seed: 18446744073709551616\n"),
                 "s.yaml:5:15: servers[0].priority: \"128\" is too large "
                 "(at most 127)\n"
                 "s.yaml:6:9: offset: \"-9223372036854775809\" is too small "
                 "(at least -9223372036854775808)\n"
                 "s.yaml:7:7: seed: \"18446744073709551616\" is too large "
                 "(at most 18446744073709551615)");
    CHECK_EQ_STR(check_fails(BASE "seed: +5\noffset: 0x10\n"),
                 "s.yaml:5:7: seed: \"+5\": write the number without a sign\n"
                 "s.yaml:6:9: offset: \"0x10\" is not a whole number");
}

static void test_schema__numbers_are_finite_decimals(void)
{
    CHECK_EQ_STR(check_fails("name: x\nratio: 1e39\nservers:\n"
                             "  - {name: a, workers: 1, speed: nan}\n"
                             "  - {name: b, workers: 1, speed: .inf}\n"
                             "  - {name: c, workers: 1, speed: -.INF}\n"
                             "  - {name: d, workers: 1, speed: 5ms}\n"),
                 "s.yaml:2:8: ratio: \"1e39\" is too large (at most "
                 "3.40282e+38)\n"
                 "s.yaml:4:34: servers[0].speed: \"nan\" is not a finite "
                 "number\n"
                 "s.yaml:5:34: servers[1].speed: \".inf\" is not a finite "
                 "number\n"
                 "s.yaml:6:34: servers[2].speed: \"-.INF\" is not a finite "
                 "number\n"
                 "s.yaml:7:34: servers[3].speed: \"5ms\" is not a number");
    CHECK_EQ_STR(check_fails(BASE "    speed: 0x1p3\nratio: 1.\n"
                             "offset: 1e3\n"),
                 "s.yaml:5:12: servers[0].speed: \"0x1p3\" is not a number\n"
                 "s.yaml:7:9: offset: \"1e3\" is not a whole number");
}

static void test_schema__booleans_are_true_or_false(void)
{
    CHECK_EQ_STR(check_fails(BASE "    enabled: yes\n"),
                 "s.yaml:5:14: servers[0].enabled: \"yes\" is not true or "
                 "false");
    CHECK_EQ_STR(check_fails(BASE "    enabled: True\n"),
                 "s.yaml:5:14: servers[0].enabled: \"True\" is not true or "
                 "false");
}

static void test_schema__enums_match_exactly(void)
{
    CHECK_EQ_STR(check_fails(BASE "    policy: least-conn\n"),
                 "s.yaml:5:13: servers[0].policy: \"least-conn\" is not one "
                 "of round-robin, random, least-connections; did you mean "
                 "\"least-connections\"?");
    CHECK_EQ_STR(check_fails(BASE "    policy: Random\n"),
                 "s.yaml:5:13: servers[0].policy: \"Random\" is not one of "
                 "round-robin, random, least-connections; did you mean "
                 "\"random\"?");
    CHECK_EQ_STR(check_fails(BASE "    policy: 2\n"),
                 "s.yaml:5:13: servers[0].policy: \"2\" is not one of "
                 "round-robin, random, least-connections");
}

static void test_schema__lists_keep_to_their_length(void)
{
    CHECK_EQ_STR(check_fails("name: x\nservers: [{name: a, workers: 1}, "
                             "{name: b, workers: 1}, {name: c, workers: 1}, "
                             "{name: d, workers: 1}, {name: e, workers: 1}]"
                             "\n"),
                 "s.yaml:2:10: servers: too many entries: 5 (at most 4)");
    CHECK_EQ_STR(check_fails("name: x\nservers: []\n"),
                 "s.yaml:2:10: servers: too few entries: 0 (at least 1)");
    CHECK_EQ_STR(check_fails(BASE "tags: [a, b, c, d]\n"),
                 "s.yaml:5:7: tags: too many entries: 4 (at most 3)");
}

static void test_schema__strings_keep_to_their_length(void)
{
    CHECK_EQ_STR(check_fails("name: x\nservers:\n"
                             "  - {name: \"\", workers: 1}\n"
                             "  - {name: seventeen-letters, workers: 1}\n"),
                 "s.yaml:3:12: servers[0].name: \"\" is too short (0 bytes, "
                 "at least 1)\n"
                 "s.yaml:4:12: servers[1].name: \"seventeen-letters\" is "
                 "too long (17 bytes, at most 16)");
}

static void test_schema__strings_refuse_control_characters(void)
{
    CHECK_EQ_STR(check_fails(BASE "note: \"a\\e[31m\"\n"
                             "tags: [\"x\\u009by\", \"\\u0085\", "
                             "\"tab\\tand\\nbreak\"]\n"),
                 "s.yaml:5:7: note: holds the control character 0x1b; "
                 "write plain text\n"
                 "s.yaml:6:8: tags[0]: holds the control character U+009B; "
                 "write plain text\n"
                 "s.yaml:6:20: tags[1]: holds the control character U+0085; "
                 "write plain text");
}

static void test_schema__refuses_every_tag(void)
{
    CHECK_EQ_STR(check_fails(BASE "seed: !!str 4\nnote: !!binary aGk=\n"
                             "tags: !!seq [a]\n"
                             "? !!str ratio\n: 1\n"
                             "tree: !local {name: t}\n"),
                 "s.yaml:5:7: seed: YAML tags are not accepted (found "
                 "\"!!str\"); write the value without one\n"
                 "s.yaml:6:7: note: YAML tags are not accepted (found "
                 "\"!!binary\"); write the value without one\n"
                 "s.yaml:7:7: tags: YAML tags are not accepted (found "
                 "\"!!seq\"); write the value without one\n"
                 "s.yaml:8:3: ratio: YAML tags are not accepted (found "
                 "\"!!str\"); write the value without one\n"
                 "s.yaml:10:7: tree: YAML tags are not accepted (found "
                 "\"!local\"); write the value without one");
}

static void test_schema__flags_and_bit_fields_are_checked(void)
{
    CHECK_EQ_STR(check_fails(BASE "features: [trace, hedg, {a: 1}]\n"
                             "bits: {low: 16, hgih: 1}\n"),
                 "s.yaml:5:19: features[1]: \"hedg\" is not one of trace, "
                 "retry, hedge; did you mean \"hedge\"?\n"
                 "s.yaml:5:25: features[2]: expected a word, found a "
                 "mapping\n"
                 "s.yaml:6:13: bits.low: \"16\" is too large (at most 15)\n"
                 "s.yaml:6:17: bits.hgih: unknown key; did you mean "
                 "\"high\"?");
}

static void test_schema__walks_a_recursive_schema_by_the_data(void)
{
    CHECK_EQ_STR(check_fails(BASE "tree: {name: r, children: [{name: a, "
                             "children: [{nmae: b, children: []}]}]}\n"),
                 "s.yaml:5:49: tree.children[0].children[0]: missing "
                 "required key \"name\"\n"
                 "s.yaml:5:50: tree.children[0].children[0].nmae: unknown "
                 "key; did you mean \"name\"?");
}

static void test_schema__reports_every_problem_in_line_order(void)
{
    CHECK_EQ_STR(check_fails("seed: 12abc\n"
                             "servers:\n"
                             "  - name: app\n"
                             "    workers: -4\n"
                             "    policy: rondom-robin\n"
                             "    queue:\n"
                             "      capacity: 1.5\n"
                             "      drop: yes\n"
                             "ratio: inf\n"
                             "bogus: 1\n"),
                 "s.yaml:1:1: missing required key \"name\"\n"
                 "s.yaml:1:7: seed: \"12abc\" is not a whole number\n"
                 "s.yaml:4:14: servers[0].workers: \"-4\" must not be "
                 "negative\n"
                 "s.yaml:5:13: servers[0].policy: \"rondom-robin\" is not "
                 "one of round-robin, random, least-connections; did you "
                 "mean \"round-robin\"?\n"
                 "s.yaml:7:17: servers[0].queue.capacity: \"1.5\" is not a "
                 "whole number\n"
                 "s.yaml:8:7: servers[0].queue.drop: unknown key; did you "
                 "mean \"drop_oldest\"?\n"
                 "s.yaml:9:8: ratio: \"inf\" is not a finite number\n"
                 "s.yaml:10:1: bogus: unknown key (expected one of: name, "
                 "seed, ratio, offset, servers, tags, features, bits, note, "
                 "tree)");
}

/* Parses text, applies an override, checks; returns the problems. */
static const char *set_and_check(const char *text, const char *assignment,
                                 int want_set)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_doc *doc;

    CHECK_EQ_INT(sim_doc_parse(cfg, text, strlen(text), &doc), 0);
    sim_cfg_set_locator(cfg, sim_doc_locate, doc);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, assignment), want_set);
    sim_schema_check(cfg, doc, &root_schema);
    problems(cfg);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
    return problems_buf;
}

static void test_schema__set_unknown_key_is_reported_as_the_override(void)
{
    CHECK_EQ_STR(set_and_check(BASE, "servers.a.wrkers=3", 0),
                 "--set 'servers.a.wrkers=3': servers[0].wrkers: unknown "
                 "key; did you mean \"workers\"?");
}

static void test_schema__set_bad_value_is_reported_as_the_override(void)
{
    CHECK_EQ_STR(set_and_check(BASE "    policy: random\n",
                               "servers.a.workers=5ms", 0),
                 "--set 'servers.a.workers=5ms': servers[0].workers: \"5ms\" "
                 "is not a whole number");
    CHECK_EQ_STR(set_and_check(BASE, "name=", 0),
                 "--set 'name=': name: has no value");
    CHECK_EQ_STR(set_and_check(BASE, "servers=1", 0),
                 "--set 'servers=1': servers: expected a list, found "
                 "\"1\"");
}

/* Loads text straight through libcyaml, as a program without us would. */
static struct t_root *cyaml_direct(const char *text)
{
    static const cyaml_config_t config = {
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
    };
    cyaml_data_t *data = NULL;

    CHECK_EQ_INT(cyaml_load_data((const uint8_t *)text, strlen(text),
                                 &config, &root_schema, &data, NULL),
                 CYAML_OK);
    return data;
}

static void check_same_server(const struct t_server *a,
                              const struct t_server *b)
{
    CHECK_EQ_STR(a->name, b->name);
    CHECK_EQ_INT(a->workers, b->workers);
    CHECK_EQ_INT(a->priority, b->priority);
    CHECK(a->speed == b->speed);
    CHECK_EQ_INT(a->enabled, b->enabled);
    CHECK_EQ_INT(a->policy, b->policy);
    CHECK_EQ_INT(a->queue.capacity, b->queue.capacity);
    CHECK_EQ_INT(a->queue.drop_oldest, b->queue.drop_oldest);
}

static void check_same_tree(const struct t_node *a, const struct t_node *b)
{
    CHECK_EQ_STR(a->name, b->name);
    CHECK_EQ_INT(a->children_count, b->children_count);
    for (unsigned i = 0; i < a->children_count; i++)
        check_same_tree(&a->children[i], &b->children[i]);
}

static void test_schema__load_fills_the_struct_as_libcyaml_would(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct t_root *direct = cyaml_direct(full), *ours;
    struct sim_doc *doc;
    void *data;

    CHECK_EQ_INT(sim_doc_parse(cfg, full, strlen(full), &doc), 0);
    CHECK_EQ_INT(sim_schema_load(cfg, doc, &root_schema, &data), 0);
    ours = data;
    CHECK_EQ_STR(ours->name, direct->name);
    CHECK(ours->seed == UINT64_MAX && direct->seed == UINT64_MAX);
    CHECK(ours->ratio == direct->ratio && ours->ratio == 0.25f);
    CHECK(ours->offset == INT64_MIN && direct->offset == INT64_MIN);
    CHECK_EQ_INT(ours->servers_count, 2);
    CHECK_EQ_INT(direct->servers_count, 2);
    check_same_server(&ours->servers[0], &direct->servers[0]);
    check_same_server(&ours->servers[1], &direct->servers[1]);
    CHECK_EQ_STR(ours->servers[1].name, "010");
    CHECK_EQ_INT(ours->tags_count, 2);
    CHECK_EQ_STR(ours->tags[1], direct->tags[1]);
    CHECK_EQ_INT(ours->features, T_TRACE | T_HEDGE);
    CHECK_EQ_INT(ours->features, direct->features);
    CHECK_EQ_INT(ours->bits, 0xf3);
    CHECK_EQ_INT(ours->bits, direct->bits);
    CHECK(ours->note == NULL && direct->note == NULL);
    check_same_tree(ours->tree, direct->tree);
    sim_schema_free(&root_schema, ours);
    sim_schema_free(&root_schema, direct);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_schema__load_sees_the_overrides(void)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_doc *doc;
    struct t_root *root;
    void *data;

    CHECK_EQ_INT(sim_doc_parse(cfg, BASE, strlen(BASE), &doc), 0);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers.a.workers=12"), 0);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers[0].policy=random"), 0);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "name='007'"), 0);
    CHECK_EQ_INT(sim_schema_check(cfg, doc, &root_schema), 0);
    CHECK_EQ_INT(sim_schema_load(cfg, doc, &root_schema, &data), 0);
    root = data;
    CHECK_EQ_INT(root->servers[0].workers, 12);
    CHECK_EQ_INT(root->servers[0].policy, T_RANDOM);
    CHECK_EQ_STR(root->name, "007");
    sim_schema_free(&root_schema, data);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_schema__load_routes_libcyaml_errors_to_the_root(void)
{
    const char *text = "name: x\nservers: [{name: a, workers: 1}]\nzz: 1\n";
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_doc *doc;
    void *data;

    CHECK_EQ_INT(sim_doc_parse(cfg, text, strlen(text), &doc), 0);
    CHECK_EQ_INT(sim_schema_load(cfg, doc, &root_schema, &data), SIM_EINVAL);
    CHECK(data == NULL);
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:1:1: libcyaml could not load the scenario: Invalid "
                 "key (Unexpected key: zz; Backtrace: in mapping)");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

/* xorshift64*: a fixed, portable stream for the fuzz test. */
static uint64_t fuzz_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ull;
}

/* Changes text (of *len bytes, room for cap) in one random way. */
static void fuzz_mutate(char *text, size_t *len, size_t cap, uint64_t *rng)
{
    static const char bytes[] = "{}[],:-&*!|>'\"#%@`?\n\t 0123aZ.~\\\xc3";
    size_t at = *len ? fuzz_next(rng) % *len : 0;
    size_t n = 1 + fuzz_next(rng) % 8;

    switch (fuzz_next(rng) % 4) {
    case 0:
        if (*len > 0)
            text[at] = bytes[fuzz_next(rng) % (sizeof bytes - 1)];
        break;
    case 1:
        n = n > *len - at ? *len - at : n;
        memmove(text + at, text + at + n, *len - at - n);
        *len -= n;
        break;
    case 2:
        if (*len + 1 < cap) {
            memmove(text + at + 1, text + at, *len - at);
            text[at] = bytes[fuzz_next(rng) % (sizeof bytes - 1)];
            (*len)++;
        }
        break;
    default:
        n = n > *len - at ? *len - at : n;
        if (*len + n < cap) {
            memmove(text + at + n, text + at, *len - at);
            *len += n;
        }
        break;
    }
}

/* One mutated document through parse, --set, check and load. */
static void fuzz_one(const char *text, size_t len, uint64_t *rng)
{
    static const char *const sets[] = {
        "servers.app.workers=3", "tree.name=x", "seed=\"1\"", "tags[0]=q",
    };
    struct sim_cfg *cfg = sim_cfg_new("f.yaml");
    struct sim_doc *doc;
    char line[600];
    void *data = NULL;

    CHECK(cfg != NULL);
    sim_doc_parse(cfg, text, len, &doc);
    if (doc != NULL) {
        sim_cfg_set_locator(cfg, sim_doc_locate, doc);
        sim_doc_set(doc, cfg, sets[fuzz_next(rng) % 4]);
        sim_schema_check(cfg, doc, &root_schema);
        sim_schema_load(cfg, doc, &root_schema, &data);
        sim_schema_free(&root_schema, data);
    }
    for (size_t i = 0; i < sim_cfg_n_errors(cfg); i++)
        sim_cfg_format(cfg, i, line, sizeof line);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_schema__survives_random_mutations(void)
{
    char text[2 * sizeof full];
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    size_t len;

    for (int i = 0; i < 2000; i++) {
        memcpy(text, full, sizeof full - 1);
        len = sizeof full - 1;
        for (uint64_t k = 1 + fuzz_next(&rng) % 4; k > 0; k--)
            fuzz_mutate(text, &len, sizeof text, &rng);
        fuzz_one(text, len, &rng);
    }
}

CHECK_MAIN(CHECK_TEST(test_schema__accepts_a_full_scenario),
           CHECK_TEST(test_schema__unknown_key_suggests_the_closest),
           CHECK_TEST(test_schema__unknown_key_lists_the_keys),
           CHECK_TEST(test_schema__reports_missing_required_keys),
           CHECK_TEST(test_schema__reports_wrong_kinds),
           CHECK_TEST(test_schema__reports_empty_values),
           CHECK_TEST(test_schema__whole_numbers_are_strict),
           CHECK_TEST(test_schema__whole_numbers_fit_their_field),
           CHECK_TEST(test_schema__numbers_are_finite_decimals),
           CHECK_TEST(test_schema__booleans_are_true_or_false),
           CHECK_TEST(test_schema__enums_match_exactly),
           CHECK_TEST(test_schema__lists_keep_to_their_length),
           CHECK_TEST(test_schema__strings_keep_to_their_length),
           CHECK_TEST(test_schema__strings_refuse_control_characters),
           CHECK_TEST(test_schema__refuses_every_tag),
           CHECK_TEST(test_schema__flags_and_bit_fields_are_checked),
           CHECK_TEST(test_schema__walks_a_recursive_schema_by_the_data),
           CHECK_TEST(test_schema__reports_every_problem_in_line_order),
           CHECK_TEST(test_schema__set_unknown_key_is_reported_as_the_override),
           CHECK_TEST(test_schema__set_bad_value_is_reported_as_the_override),
           CHECK_TEST(test_schema__load_fills_the_struct_as_libcyaml_would),
           CHECK_TEST(test_schema__load_sees_the_overrides),
           CHECK_TEST(test_schema__load_routes_libcyaml_errors_to_the_root),
           CHECK_TEST(test_schema__survives_random_mutations))
