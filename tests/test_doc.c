/* SPDX-License-Identifier: MIT */
/*
 * test_doc.c - the scenario tree: nodes and their positions, every
 * problem the parser reports (with its exact text), the caps that stop
 * hostile input, key-path lookup, --set overrides and writing YAML back.
 */
#include "sim/doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/cfg.h"
#include "sim/error.h"
#include "tests/check.h"

static char problems_buf[16384];

/* Every problem of cfg as the program prints it, one per line. */
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

/* Parses text as the file "s.yaml"; the caller frees cfg and *doc. */
static struct sim_cfg *parse(const char *text, struct sim_doc **doc, int *rc)
{
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");

    CHECK(cfg != NULL);
    *rc = sim_doc_parse(cfg, text, strlen(text), doc);
    if (*doc != NULL)
        sim_cfg_set_locator(cfg, sim_doc_locate, *doc);
    return cfg;
}

/* Parses text that must fail, and returns its problems. */
static const char *parse_fails(const char *text)
{
    struct sim_doc *doc;
    struct sim_cfg *cfg;
    int rc;

    cfg = parse(text, &doc, &rc);
    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK(doc == NULL);
    problems(cfg);
    sim_cfg_free(cfg);
    return problems_buf;
}

static const char shop[] =
    "name: shop\n"
    "servers:\n"
    "  - name: app\n"
    "    workers: 8\n"
    "  - {name: db, tag: \"010\"}\n";

static void check_position(const struct sim_doc_node *node, int line,
                           int col)
{
    int l, c;

    CHECK(node != NULL);
    sim_doc_node_position(node, &l, &c);
    CHECK_EQ_INT(l, line);
    CHECK_EQ_INT(c, col);
}

static void test_doc__builds_nodes_with_positions(void)
{
    const struct sim_doc_node *root, *servers, *app, *db, *tag;
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse(shop, &doc, &(int){0});

    root = sim_doc_root(doc);
    CHECK_EQ_INT(sim_doc_node_kind(root), SIM_DOC_MAPPING);
    CHECK_EQ_INT(sim_doc_node_count(root), 2);
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(root, "name"), NULL),
                 "shop");
    check_position(sim_doc_node_get(root, "name"), 1, 7);
    check_position(sim_doc_node_key(sim_doc_node_first(root)), 1, 1);
    servers = sim_doc_node_get(root, "servers");
    CHECK_EQ_INT(sim_doc_node_kind(servers), SIM_DOC_SEQUENCE);
    CHECK_EQ_INT(sim_doc_node_count(servers), 2);
    check_position(servers, 3, 3);
    app = sim_doc_node_first(servers);
    CHECK(sim_doc_node_key(app) == NULL);
    check_position(app, 3, 5);
    check_position(sim_doc_node_get(app, "workers"), 4, 14);
    db = sim_doc_node_next(app);
    CHECK(sim_doc_node_next(db) == NULL);
    CHECK_EQ_INT(sim_doc_node_style(db), SIM_DOC_FLOW);
    tag = sim_doc_node_get(db, "tag");
    CHECK_EQ_STR(sim_doc_node_text(tag, NULL), "010");
    CHECK_EQ_INT(sim_doc_node_style(tag), SIM_DOC_DOUBLE_QUOTED);
    CHECK(!sim_doc_node_is_plain(tag));
    CHECK(sim_doc_node_get(db, "nope") == NULL);
    CHECK(sim_doc_node_get(tag, "x") == NULL);
    CHECK(sim_doc_node_text(db, NULL) == NULL);
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__keeps_tags_and_block_scalars(void)
{
    const struct sim_doc_node *root, *b;
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse("a: !!str 5\nb: |\n  x\n  y\n", &doc,
                                &(int){0});
    size_t len;

    root = sim_doc_root(doc);
    CHECK_EQ_STR(sim_doc_node_tag(sim_doc_node_get(root, "a")),
                 "tag:yaml.org,2002:str");
    b = sim_doc_node_get(root, "b");
    CHECK_EQ_STR(sim_doc_node_text(b, &len), "x\ny\n");
    CHECK_EQ_INT(len, 4);
    CHECK_EQ_INT(sim_doc_node_style(b), SIM_DOC_LITERAL);
    CHECK(sim_doc_node_tag(b) == NULL);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__empty_value_is_placed_at_its_key(void)
{
    const struct sim_doc_node *root, *name, *seed;
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse("name:\nseed: ~\nx: \"\"\n", &doc,
                                &(int){0});

    root = sim_doc_root(doc);
    name = sim_doc_node_get(root, "name");
    CHECK(sim_doc_node_is_empty(name, false));
    check_position(name, 1, 1);
    seed = sim_doc_node_get(root, "seed");
    CHECK(!sim_doc_node_is_empty(seed, false));
    CHECK(sim_doc_node_is_empty(seed, true));
    CHECK(!sim_doc_node_is_empty(sim_doc_node_get(root, "x"), true));
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__reports_a_bad_indent(void)
{
    CHECK_EQ_STR(parse_fails("servers:\n  workers: 1\n queue: 2\n"),
                 "s.yaml:3:2: syntax error: did not find expected key "
                 "(while parsing a block mapping at line 1, column 1)");
}

static void test_doc__reports_an_unclosed_flow_mapping(void)
{
    CHECK_EQ_STR(parse_fails("name: x\nqueue: {capacity: 1\n"),
                 "s.yaml:3:1: syntax error: did not find expected ',' or "
                 "'}' (while parsing a flow mapping at line 2, column 8)");
}

static void test_doc__reports_invalid_utf8_where_it_is(void)
{
    CHECK_EQ_STR(parse_fails("name: x\nseed: \xff\n"),
                 "s.yaml:2:7: syntax error: invalid leading UTF-8 octet "
                 "(byte 0xff)");
}

static void test_doc__reports_an_empty_file(void)
{
    CHECK_EQ_STR(parse_fails(""), "s.yaml:1:1: the scenario is empty");
    CHECK_EQ_STR(parse_fails("---\n"), "s.yaml:1:1: the scenario is empty");
}

static void test_doc__reports_a_file_of_only_comments(void)
{
    CHECK_EQ_STR(parse_fails("# nothing yet\n\n   # still nothing\n"),
                 "s.yaml:1:1: the scenario is empty");
}

static void test_doc__reports_a_second_document(void)
{
    CHECK_EQ_STR(parse_fails("name: a\n---\nname: b\n"),
                 "s.yaml:2:1: a scenario is one YAML document, but another "
                 "one starts here");
}

static void test_doc__reports_a_root_that_is_not_a_mapping(void)
{
    CHECK_EQ_STR(parse_fails("- name: a\n- name: b\n"),
                 "s.yaml:1:1: the scenario must be a mapping of keys to "
                 "values, found a list");
    CHECK_EQ_STR(parse_fails("just words\n"),
                 "s.yaml:1:1: the scenario must be a mapping of keys to "
                 "values, found a single value");
}

static void test_doc__reports_every_duplicate_key_and_goes_on(void)
{
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse("name: a\nseed: 1\nservers:\n"
                                "  - name: x\n    name: y\nseed: 2\n"
                                "seed: 3\n", &doc, &rc);

    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK(doc != NULL);
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:5:5: servers[0].name: duplicate key (first given "
                 "at line 4)\n"
                 "s.yaml:6:1: seed: duplicate key (first given at line 2)\n"
                 "s.yaml:7:1: seed: duplicate key (first given at line 2)");
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(sim_doc_root(doc),
                                                    "seed"), NULL), "1");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__reports_a_key_that_is_a_list(void)
{
    CHECK_EQ_STR(parse_fails("? [a, b]\n: 1\n"),
                 "s.yaml:1:3: a key must be a single value, not a list");
}

static void test_doc__reports_an_unknown_alias(void)
{
    CHECK_EQ_STR(parse_fails("name: x\nseed: *nope\n"),
                 "s.yaml:2:7: alias \"*nope\" has no anchor \"&nope\" "
                 "before it");
}

static void test_doc__reports_an_alias_inside_its_own_anchor(void)
{
    CHECK_EQ_STR(parse_fails("servers:\n  - &a\n    name: s\n"
                             "    calls: [*a]\n"),
                 "s.yaml:4:13: alias \"*a\" refers to the node that contains "
                 "it (\"&a\" is still open here); a node cannot include "
                 "itself");
}

static void test_doc__keeps_the_tags_of_collections(void)
{
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse("a: !!map {b: 1}\nc: !x [d]\ne: {}\n", &doc,
                                &(int){0});
    const struct sim_doc_node *root = sim_doc_root(doc);

    CHECK_EQ_STR(sim_doc_node_tag(sim_doc_node_get(root, "a")),
                 "tag:yaml.org,2002:map");
    CHECK_EQ_STR(sim_doc_node_tag(sim_doc_node_get(root, "c")), "!x");
    CHECK(sim_doc_node_tag(sim_doc_node_get(root, "e")) == NULL);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__expands_aliases_into_copies(void)
{
    const struct sim_doc_node *servers, *first, *second;
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse("base: &b {workers: 4}\nservers:\n"
                                "  - *b\n  - *b\n", &doc, &rc);

    CHECK_EQ_INT(rc, 0);
    servers = sim_doc_node_get(sim_doc_root(doc), "servers");
    first = sim_doc_node_first(servers);
    second = sim_doc_node_next(first);
    CHECK(first != second);
    /* the copy is placed at the alias, its contents where written */
    check_position(first, 3, 5);
    check_position(second, 4, 5);
    check_position(sim_doc_node_get(second, "workers"), 1, 20);
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(second, "workers"),
                                   NULL), "4");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__stops_an_alias_bomb_at_the_node_cap(void)
{
    char text[2048];
    size_t len = 0;
    clock_t start = clock();

    len += (size_t)snprintf(text, sizeof text,
                            "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "a%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            len += (size_t)snprintf(text + len, sizeof text - len,
                                    "%s*a%d", j ? ", " : "", i - 1);
        len += (size_t)snprintf(text + len, sizeof text - len, "]\n");
    }
    CHECK_EQ_STR(parse_fails(text),
                 "s.yaml:6:45: the scenario has more than 1000000 nodes; "
                 "stopped reading (an alias expanding too far?)");
    CHECK((double)(clock() - start) / CLOCKS_PER_SEC < 10.0);
}

static void test_doc__stops_aliases_that_expand_past_the_size_cap(void)
{
    size_t n_big = 100000, len = 0;
    char *text = malloc(n_big + 4096);

    CHECK(text != NULL);
    len += (size_t)sprintf(text, "big: &b ");
    memset(text + len, 'x', n_big);
    len += n_big;
    len += (size_t)sprintf(text + len, "\nmany: [");
    for (int i = 0; i < 200; i++)
        len += (size_t)sprintf(text + len, "%s*b", i ? ", " : "");
    sprintf(text + len, "]\n");
    CHECK_EQ_STR(parse_fails(text),
                 "s.yaml:2:672: the scenario's values come to more than "
                 "16 MiB once aliases are expanded; stopped reading");
    free(text);
}

/* "a: " and n nested flow lists. */
static char *nested_lists(int n)
{
    char *text = malloc((size_t)(2 * n + 8));

    CHECK(text != NULL);
    strcpy(text, "a: ");
    memset(text + 3, '[', (size_t)n);
    memset(text + 3 + n, ']', (size_t)n);
    strcpy(text + 3 + 2 * n, "\n");
    return text;
}

static void test_doc__stops_nesting_past_the_depth_cap(void)
{
    char *ok = nested_lists(SIM_DOC_MAX_DEPTH - 1);
    char *deep = nested_lists(SIM_DOC_MAX_DEPTH);
    char *very_deep = nested_lists(100000);
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse(ok, &doc, &rc);

    CHECK_EQ_INT(rc, 0);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
    CHECK_EQ_STR(parse_fails(deep),
                 "s.yaml:1:67: lists and mappings are nested more than 64 "
                 "deep; stopped reading");
    CHECK_EQ_STR(parse_fails(very_deep),
                 "s.yaml:1:67: lists and mappings are nested more than 64 "
                 "deep; stopped reading");
    free(ok);
    free(deep);
    free(very_deep);
}

static void test_doc__stops_nesting_past_the_cap_through_an_alias(void)
{
    char text[512];

    snprintf(text, sizeof text, "d: &d %.40s%.40s\nx: %.30s*d%.30s\n",
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    CHECK_EQ_STR(parse_fails(text),
                 "s.yaml:2:34: lists and mappings are nested more than 64 "
                 "deep once aliases are expanded; stopped reading");
}

static void test_doc__refuses_text_over_the_size_cap(void)
{
    size_t len = SIM_DOC_MAX_BYTES + 1;
    char *big = malloc(len);
    struct sim_cfg *cfg = sim_cfg_new("s.yaml");
    struct sim_doc *doc;

    CHECK(big != NULL);
    memset(big, ' ', len);
    CHECK_EQ_INT(sim_doc_parse(cfg, big, len, &doc), SIM_EINVAL);
    CHECK(doc == NULL);
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:1:1: the scenario is larger than 16 MiB; not read");
    free(big);
    sim_cfg_free(cfg);
}

static void test_doc__load_file_names_a_missing_file(void)
{
    struct sim_cfg *cfg = sim_cfg_new("/nonexistent/s.yaml");
    struct sim_doc *doc;

    CHECK_EQ_INT(sim_doc_load_file(cfg, "/nonexistent/s.yaml", &doc),
                 SIM_EIO);
    CHECK(doc == NULL);
    CHECK_EQ_STR(problems(cfg),
                 "/nonexistent/s.yaml: cannot read "
                 "\"/nonexistent/s.yaml\": No such file or directory");
    sim_cfg_free(cfg);
}

static void test_doc__load_file_reads_a_file(void)
{
    char path[] = TEST_TMP "test_doc_XXXXXX";
    int fd = mkstemp(path);
    struct sim_cfg *cfg = sim_cfg_new(path);
    struct sim_doc *doc;

    CHECK(fd >= 0);
    CHECK_EQ_INT(write(fd, shop, strlen(shop)), (long long)strlen(shop));
    close(fd);
    CHECK_EQ_INT(sim_doc_load_file(cfg, path, &doc), 0);
    unlink(path);
    CHECK_EQ_INT(sim_doc_node_count(sim_doc_root(doc)), 2);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__locate_finds_values_by_path(void)
{
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse(shop, &doc, &(int){0});
    int line = 0, col = 0;

    CHECK_EQ_INT(sim_doc_locate(doc, "servers[0].workers", &line, &col), 0);
    CHECK_EQ_INT(line, 4);
    CHECK_EQ_INT(col, 14);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers.db.tag", &line, &col), 0);
    CHECK_EQ_INT(line, 5);
    CHECK_EQ_INT(col, 21);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers[1]", &line, &col), 0);
    CHECK_EQ_INT(col, 5);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers[2]", &line, &col), -1);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers.web", &line, &col), -1);
    CHECK_EQ_INT(sim_doc_locate(doc, "name[0]", &line, &col), -1);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers..x", &line, &col), -1);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__cfg_errors_are_placed_through_the_locator(void)
{
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse(shop, &doc, &(int){0});

    sim_cfg_error(cfg, "servers[0].queue.capacity", "must be > 0");
    sim_cfg_error(cfg, "servers[0].workers", "must be > 0");
    sim_cfg_error(cfg, "name", "is taken");
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:1:7: name: is taken\n"
                 "s.yaml:3:5: servers[0].queue.capacity: must be > 0\n"
                 "s.yaml:4:14: servers[0].workers: must be > 0");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__emit_writes_block_yaml_keeping_quotes(void)
{
    struct sim_doc *doc, *again;
    struct sim_cfg *cfg = parse(shop, &doc, &(int){0});
    char *text;
    size_t len;

    CHECK_EQ_INT(sim_doc_emit(doc, &text, &len), 0);
    CHECK_EQ_STR(text, "name: shop\nservers:\n- name: app\n  workers: 8\n"
                       "- name: db\n  tag: \"010\"\n");
    CHECK_EQ_INT(len, strlen(text));
    CHECK_EQ_INT(sim_doc_parse(cfg, text, len, &again), 0);
    CHECK_EQ_INT(sim_doc_node_style(sim_doc_node_get(
                     sim_doc_node_next(sim_doc_node_first(sim_doc_node_get(
                         sim_doc_root(again), "servers"))), "tag")),
                 SIM_DOC_DOUBLE_QUOTED);
    free(text);
    sim_doc_free(again);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__show_keeps_flow_style_and_tags(void)
{
    struct sim_doc *doc;
    struct sim_cfg *cfg = parse("name: 'shop'\nq: {a: 1, b: [x, y]}\n"
                                "t: !!str 5\n", &doc, &(int){0});
    char *text;
    size_t len;

    CHECK_EQ_INT(sim_doc_show(doc, &text, &len), 0);
    CHECK_EQ_STR(text, "name: 'shop'\nq: {a: 1, b: [x, y]}\nt: !!str 5\n");
    free(text);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

/* Parses shop, applies one override and returns its status. */
static int set_one(const char *assignment, struct sim_cfg **cfg,
                   struct sim_doc **doc)
{
    int rc;

    *cfg = parse(shop, doc, &rc);
    CHECK_EQ_INT(rc, 0);
    return sim_doc_set(*doc, *cfg, assignment);
}

static void test_doc__set_replaces_a_value(void)
{
    const struct sim_doc_node *workers;
    struct sim_cfg *cfg;
    struct sim_doc *doc;
    int line = 0, col = 0;

    CHECK_EQ_INT(set_one("servers[0].workers=16", &cfg, &doc), 0);
    workers = sim_doc_node_get(
        sim_doc_node_first(sim_doc_node_get(sim_doc_root(doc), "servers")),
        "workers");
    CHECK_EQ_STR(sim_doc_node_text(workers, NULL), "16");
    CHECK_EQ_INT(sim_doc_node_origin(workers), 1);
    CHECK_EQ_INT(sim_doc_locate(doc, "servers[0].workers", &line, &col), 1);
    sim_cfg_error(cfg, "servers[0].workers", "must be <= 8");
    sim_cfg_error(cfg, "servers[0]", "is odd");
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:3:5: servers[0]: is odd\n"
                 "--set 'servers[0].workers=16': servers[0].workers: "
                 "must be <= 8");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__set_creates_a_missing_key(void)
{
    const struct sim_doc_node *db, *speed;
    struct sim_cfg *cfg;
    struct sim_doc *doc;
    char *text;
    size_t len;

    CHECK_EQ_INT(set_one("servers[1].speed=1.5", &cfg, &doc), 0);
    db = sim_doc_node_next(
        sim_doc_node_first(sim_doc_node_get(sim_doc_root(doc), "servers")));
    speed = sim_doc_node_get(db, "speed");
    CHECK_EQ_STR(sim_doc_node_text(speed, NULL), "1.5");
    CHECK_EQ_INT(sim_doc_node_origin(sim_doc_node_key(speed)), 1);
    CHECK_EQ_INT(sim_doc_show(doc, &text, &len), 0);
    CHECK_EQ_STR(text, "name: shop\nservers:\n- name: app\n  workers: 8\n"
                       "- {name: db, tag: \"010\", speed: 1.5}\n");
    free(text);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__set_names_a_list_element_by_its_name(void)
{
    struct sim_cfg *cfg;
    struct sim_doc *doc;
    const struct sim_doc_node *servers;

    CHECK_EQ_INT(set_one("servers.app.workers=2", &cfg, &doc), 0);
    servers = sim_doc_node_get(sim_doc_root(doc), "servers");
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(
                     sim_doc_node_first(servers), "workers"), NULL), "2");
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers.db.tag=x"), 0);
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(sim_doc_node_next(
                     sim_doc_node_first(servers)), "tag"), NULL), "x");
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__set_reads_the_value_as_yaml(void)
{
    const struct sim_doc_node *root, *name;
    struct sim_cfg *cfg;
    struct sim_doc *doc;

    CHECK_EQ_INT(set_one("name=\"010\"", &cfg, &doc), 0);
    root = sim_doc_root(doc);
    name = sim_doc_node_get(root, "name");
    CHECK_EQ_STR(sim_doc_node_text(name, NULL), "010");
    CHECK_EQ_INT(sim_doc_node_style(name), SIM_DOC_DOUBLE_QUOTED);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers.app.workers=5ms  # a "
                                      "comment"), 0);
    name = sim_doc_node_get(sim_doc_node_first(sim_doc_node_get(root,
                                                                "servers")),
                            "workers");
    CHECK_EQ_STR(sim_doc_node_text(name, NULL), "5ms");
    CHECK(sim_doc_node_is_plain(name));
    CHECK_EQ_INT(sim_doc_node_origin(name), 2);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "title="), 0);
    CHECK(sim_doc_node_is_empty(sim_doc_node_get(root, "title"), false));
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "name=x"), SIM_EINVAL);
    CHECK_EQ_STR(problems(cfg), "--set 'name=x': name: already set by --set "
                                "'name=\"010\"'");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

/* Applies a bad override to shop and returns the problems. */
static const char *set_fails(const char *assignment)
{
    struct sim_cfg *cfg;
    struct sim_doc *doc;

    CHECK_EQ_INT(set_one(assignment, &cfg, &doc), SIM_EINVAL);
    problems(cfg);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
    return problems_buf;
}

static void test_doc__set_reports_a_missing_element(void)
{
    CHECK_EQ_STR(set_fails("servers.ap.workers=2"),
                 "--set 'servers.ap.workers=2': servers.ap: no element of "
                 "the list is named \"ap\"; did you mean \"app\"?");
    CHECK_EQ_STR(set_fails("servers.web.workers=2"),
                 "--set 'servers.web.workers=2': servers.web: no element of "
                 "the list is named \"web\"");
    CHECK_EQ_STR(set_fails("servers[2].workers=2"),
                 "--set 'servers[2].workers=2': servers[2]: no such element "
                 "(the list has 2)");
    CHECK_EQ_STR(set_fails("sevrers[0].workers=2"),
                 "--set 'sevrers[0].workers=2': sevrers: not in the "
                 "scenario; did you mean \"servers\"?");
}

static void test_doc__set_by_name_skips_items_that_are_not_mappings(void)
{
    struct sim_doc *doc;
    int rc;
    struct sim_cfg *cfg = parse("tags: [a, [b], {name: c}]\n", &doc, &rc);

    CHECK_EQ_INT(sim_doc_set(doc, cfg, "tags.zz.x=1"), SIM_EINVAL);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "tags.c.x=1"), 0);
    CHECK_EQ_STR(problems(cfg),
                 "--set 'tags.zz.x=1': tags.zz: no element of the list is "
                 "named \"zz\"");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__set_takes_collections_and_removes_keys(void)
{
    const struct sim_doc_node *server, *name;
    struct sim_cfg *cfg;
    struct sim_doc *doc;

    CHECK_EQ_INT(set_one("name=[1, 2]", &cfg, &doc), 0);
    name = sim_doc_node_get(sim_doc_root(doc), "name");
    CHECK_EQ_INT(sim_doc_node_kind(name), SIM_DOC_SEQUENCE);
    CHECK_EQ_INT(sim_doc_node_origin(name), 1);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers[0].workers=~"), 0);
    server = sim_doc_node_first(sim_doc_node_get(sim_doc_root(doc),
                                                 "servers"));
    CHECK(sim_doc_node_get(server, "workers") == NULL);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "servers[0]={name: x}"), 0);
    CHECK_EQ_INT(sim_doc_node_kind(server), SIM_DOC_MAPPING);
    CHECK_EQ_STR(sim_doc_node_text(sim_doc_node_get(server, "name"), NULL),
                 "x");
    CHECK_EQ_INT(sim_cfg_n_errors(cfg), 0);
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

static void test_doc__set_reports_what_it_cannot_do(void)
{
    CHECK_EQ_STR(set_fails("name.first=3"),
                 "--set 'name.first=3': name: is a single value, not a "
                 "mapping or list");
    CHECK_EQ_STR(set_fails("servers[0]=~"),
                 "--set 'servers[0]=~': servers[0]: a list element cannot "
                 "be removed; set the whole list instead");
    CHECK_EQ_STR(set_fails("servers[0].wrokers=~"),
                 "--set 'servers[0].wrokers=~': servers[0].wrokers: not in "
                 "the scenario; did you mean \"workers\"?");
}

static void test_doc__set_reports_bad_assignments(void)
{
    CHECK_EQ_STR(set_fails("workers"),
                 "--set 'workers': expected key.path=value");
    CHECK_EQ_STR(set_fails("servers..workers=1"),
                 "--set 'servers..workers=1': \"servers..workers\" is not "
                 "a key path like clients[0].arrival.rate");
    CHECK_EQ_STR(set_fails("name=caf\xc3"),
                 "--set 'name=caf\xc3': not valid UTF-8 text");
    CHECK_EQ_STR(set_fails("name='it's"),
                 "--set 'name='\\''it'\\''s': name: syntax error: did not "
                 "find expected <document start>");
}

static void test_doc__problems_list_the_file_before_the_overrides(void)
{
    struct sim_cfg *cfg;
    struct sim_doc *doc;

    CHECK_EQ_INT(set_one("servers.x.y=1", &cfg, &doc), SIM_EINVAL);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "name=ok"), 0);
    CHECK_EQ_INT(sim_doc_set(doc, cfg, "name.x=1"), SIM_EINVAL);
    sim_cfg_error(cfg, "servers[1]", "is odd");
    CHECK_EQ_STR(problems(cfg),
                 "s.yaml:5:5: servers[1]: is odd\n"
                 "--set 'servers.x.y=1': servers.x: no element of the list "
                 "is named \"x\"\n"
                 "--set 'name.x=1': name: is a single value, not a mapping "
                 "or list");
    sim_doc_free(doc);
    sim_cfg_free(cfg);
}

CHECK_MAIN(CHECK_TEST(test_doc__builds_nodes_with_positions),
           CHECK_TEST(test_doc__keeps_tags_and_block_scalars),
           CHECK_TEST(test_doc__empty_value_is_placed_at_its_key),
           CHECK_TEST(test_doc__reports_a_bad_indent),
           CHECK_TEST(test_doc__reports_an_unclosed_flow_mapping),
           CHECK_TEST(test_doc__reports_invalid_utf8_where_it_is),
           CHECK_TEST(test_doc__reports_an_empty_file),
           CHECK_TEST(test_doc__reports_a_file_of_only_comments),
           CHECK_TEST(test_doc__reports_a_second_document),
           CHECK_TEST(test_doc__reports_a_root_that_is_not_a_mapping),
           CHECK_TEST(test_doc__reports_every_duplicate_key_and_goes_on),
           CHECK_TEST(test_doc__reports_a_key_that_is_a_list),
           CHECK_TEST(test_doc__reports_an_unknown_alias),
           CHECK_TEST(test_doc__reports_an_alias_inside_its_own_anchor),
           CHECK_TEST(test_doc__keeps_the_tags_of_collections),
           CHECK_TEST(test_doc__expands_aliases_into_copies),
           CHECK_TEST(test_doc__stops_an_alias_bomb_at_the_node_cap),
           CHECK_TEST(test_doc__stops_aliases_that_expand_past_the_size_cap),
           CHECK_TEST(test_doc__stops_nesting_past_the_depth_cap),
           CHECK_TEST(test_doc__stops_nesting_past_the_cap_through_an_alias),
           CHECK_TEST(test_doc__refuses_text_over_the_size_cap),
           CHECK_TEST(test_doc__load_file_names_a_missing_file),
           CHECK_TEST(test_doc__load_file_reads_a_file),
           CHECK_TEST(test_doc__locate_finds_values_by_path),
           CHECK_TEST(test_doc__cfg_errors_are_placed_through_the_locator),
           CHECK_TEST(test_doc__emit_writes_block_yaml_keeping_quotes),
           CHECK_TEST(test_doc__show_keeps_flow_style_and_tags),
           CHECK_TEST(test_doc__set_replaces_a_value),
           CHECK_TEST(test_doc__set_creates_a_missing_key),
           CHECK_TEST(test_doc__set_names_a_list_element_by_its_name),
           CHECK_TEST(test_doc__set_reads_the_value_as_yaml),
           CHECK_TEST(test_doc__set_reports_a_missing_element),
           CHECK_TEST(test_doc__set_by_name_skips_items_that_are_not_mappings),
           CHECK_TEST(test_doc__set_takes_collections_and_removes_keys),
           CHECK_TEST(test_doc__set_reports_what_it_cannot_do),
           CHECK_TEST(test_doc__set_reports_bad_assignments),
           CHECK_TEST(test_doc__problems_list_the_file_before_the_overrides))
