/* SPDX-License-Identifier: MIT */
/*
 * test_history.c - histories built in memory and parsed from etcd log
 * lines and kv maps, and the exact file:line:col of every parse error.
 * Tests that read the shared data skip when ../shared/data is absent.
 */
#include "models/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "tests/check.h"
#include "tests/shared.h"

/* Parses text, which must be valid; the caller frees the history. */
static struct history *parse_ok(const char *text)
{
    struct history *h = NULL;
    struct sim_error err = {0};
    int rc = history_parse("t.log", text, strlen(text), &h, &err);

    if (rc != 0)
        printf("  unexpected error: %s\n", err.msg);
    CHECK_EQ_INT(rc, 0);
    return h;
}

/* Parses text, which must be bad, and returns the error message. */
static const char *parse_bad(const char *text)
{
    static struct sim_error err;
    struct history *h = NULL;
    int rc;

    memset(&err, 0, sizeof err);
    rc = history_parse("t.log", text, strlen(text), &h, &err);
    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK(h == NULL);
    CHECK_EQ_INT(err.code, SIM_EINVAL);
    return err.msg;
}

static const char *value_of(const struct history *h, uint32_t id)
{
    return history_value_text(h, id, NULL);
}

static void test_history__parses_etcd_log_lines(void)
{
    struct history *h = parse_ok(
        "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
        "INFO  jepsen.util - 1\t:invoke\t:write\t4\n"
        "INFO  jepsen.util - 0\t:ok\t:read\tnil\n"
        "INFO  jepsen.util - 1 :ok :write 4\n"
        "INFO  jepsen.util - 2\t:invoke\t:cas\t[4 0]\n"
        "INFO  jepsen.util - 2\t:ok\t:cas\t[4 0]\n"
        "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]\n"
        "INFO  jepsen.util - 3\t:fail\t:cas\t[1 2]\n");
    const struct history_op *op;

    CHECK_EQ_INT(history_model(h), HISTORY_REGISTER);
    CHECK_EQ_INT(history_n_ops(h), 4);
    CHECK_EQ_INT(history_n_keys(h), 1);
    CHECK_EQ_STR(history_key_name(h, 0), "register");
    op = history_op(h, 0);
    CHECK_EQ_INT(op->kind, HISTORY_READ);
    CHECK_EQ_INT(op->outcome, HISTORY_OK);
    CHECK_EQ_INT(op->out, HISTORY_NIL);
    CHECK_EQ_INT(op->t_call, 1);
    CHECK_EQ_INT(op->t_return, 3);
    op = history_op(h, 1);
    CHECK_EQ_INT(op->kind, HISTORY_WRITE);
    CHECK_EQ_INT(op->process, 1);
    CHECK_EQ_STR(value_of(h, op->arg), "4");
    CHECK_EQ_INT(op->t_return, 4);
    op = history_op(h, 2);
    CHECK_EQ_INT(op->kind, HISTORY_CAS);
    CHECK_EQ_STR(value_of(h, op->arg), "4");
    CHECK_EQ_STR(value_of(h, op->arg2), "0");
    CHECK_EQ_INT(op->out, 1);
    op = history_op(h, 3);
    CHECK_EQ_INT(op->outcome, HISTORY_OK);
    CHECK_EQ_INT(op->out, 0);
    history_free(h);
}

/* The prefix up to " - " is optional: bare lines read the same. */
static void test_history__parses_bare_log_lines(void)
{
    struct history *h = parse_ok("0 :invoke :write 1\n"
                                 "1 :invoke :read nil\n"
                                 "0 :ok :write 1\n"
                                 "1 :ok :read 1\n");
    const struct history_op *op;

    CHECK_EQ_INT(history_n_ops(h), 2);
    op = history_op(h, 1);
    CHECK_EQ_INT(op->kind, HISTORY_READ);
    CHECK_EQ_INT(op->process, 1);
    CHECK_EQ_INT(op->t_call, 2);
    CHECK_EQ_INT(op->t_return, 4);
    history_free(h);
}

static void test_history__timed_out_etcd_operations(void)
{
    struct history *h = parse_ok(
        "x - 0 :invoke :write 1\n"
        "x - 1 :invoke :read nil\n"
        "x - 2 :invoke :cas [1 2]\n"
        "x - 0 :info :write :timed-out\n"
        "x - 1 :fail :read :timed-out\n"
        "x - 2 :fail :cas :timed-out\n"
        "x - 3 :invoke :write 2\n");

    CHECK_EQ_INT(history_n_ops(h), 4);
    CHECK_EQ_INT(history_op(h, 0)->outcome, HISTORY_UNKNOWN);
    CHECK(history_op(h, 0)->t_return == HISTORY_OPEN);
    CHECK_EQ_INT(history_op(h, 1)->outcome, HISTORY_FAIL);
    CHECK_EQ_INT(history_op(h, 2)->outcome, HISTORY_FAIL);
    CHECK_EQ_INT(history_op(h, 3)->outcome, HISTORY_PENDING);
    history_free(h);
}

static void test_history__parses_kv_maps(void)
{
    struct history *h = parse_ok(
        "{:process 0, :type :invoke, :f :append, :key \"k1\", "
        ":value \"x 0 0 y\"}\n"
        "{:process 1, :type :invoke, :f :get, :key \"k1\", :value nil}\n"
        "\n"
        "{:process 0, :type :ok, :f :append, :key \"k1\", "
        ":value \"x 0 0 y\"}\n"
        "{:process 1, :type :ok, :f :get, :key \"k1\", "
        ":value \"a\\\"b\", :time 12}\n"
        "{:process 2 :type :invoke :f :put :key -12 :value \"\"}\n");
    const struct history_op *op;

    CHECK_EQ_INT(history_model(h), HISTORY_KV);
    CHECK_EQ_INT(history_n_ops(h), 3);
    CHECK_EQ_INT(history_n_keys(h), 2);
    op = history_op(h, 0);
    CHECK_EQ_INT(op->kind, HISTORY_APPEND);
    CHECK_EQ_STR(value_of(h, op->arg), "x 0 0 y");
    CHECK_EQ_INT(op->t_call, 1);
    CHECK_EQ_INT(op->t_return, 4);
    op = history_op(h, 1);
    CHECK_EQ_INT(op->kind, HISTORY_GET);
    CHECK_EQ_STR(value_of(h, op->out), "a\"b");
    CHECK_EQ_INT(op->t_return, 5);
    op = history_op(h, 2);
    CHECK_EQ_INT(op->kind, HISTORY_PUT);
    CHECK_EQ_STR(history_key_name(h, op->key), "-12");
    CHECK_EQ_STR(value_of(h, op->arg), "");
    CHECK_EQ_INT(op->outcome, HISTORY_PENDING);
    history_free(h);
}

static void test_history__nemesis_lines_are_skipped(void)
{
    struct history *h = parse_ok(
        "{:process :nemesis, :type :info, :f :start, :value nil}\n"
        "{:process 0, :type :invoke, :f :put, :key \"a\", :value \"v\"}\n"
        "{:type :info, :f :stop, :process :nemesis, :value \"healed\"}\n"
        "{:process 0, :type :ok, :f :put, :key \"a\", :value \"v\"}\n");

    CHECK_EQ_INT(history_n_ops(h), 1);
    CHECK_EQ_INT(history_op(h, 0)->t_return, 4);
    history_free(h);
    h = parse_ok("a - :nemesis :info :start nil\nb - 0 :invoke :read nil\n");
    CHECK_EQ_INT(history_n_ops(h), 1);
    history_free(h);
}

static void test_history__builds_in_memory(void)
{
    struct history *h = history_new(HISTORY_REGISTER);
    struct history_op op = {.process = 7, .kind = HISTORY_WRITE};
    size_t w, r;
    uint32_t v;

    CHECK(h != NULL);
    CHECK_EQ_INT(history_key_int(h, 42, &op.key), 0);
    CHECK_EQ_INT(history_value_int(h, -5, &op.arg), 0);
    op.t_call = 100;
    CHECK_EQ_INT(history_invoke(h, &op, &w), 0);
    op.kind = HISTORY_READ;
    op.t_call = 110;
    CHECK_EQ_INT(history_invoke(h, &op, &r), 0);
    CHECK_EQ_INT(history_complete(h, w, HISTORY_UNKNOWN, 0, 0), 0);
    CHECK_EQ_INT(history_value(h, "-5", 2, &v), 0);
    CHECK_EQ_INT(v, op.arg);
    CHECK_EQ_INT(history_complete(h, r, HISTORY_OK, v, 120), 0);
    CHECK_EQ_INT(history_complete(h, r, HISTORY_OK, v, 130), SIM_EINVAL);
    CHECK_EQ_STR(history_key_name(h, history_op(h, r)->key), "42");
    CHECK_EQ_INT(history_op(h, w)->outcome, HISTORY_UNKNOWN);
    CHECK(history_op(h, w)->t_return == HISTORY_OPEN);
    CHECK_EQ_INT(history_op(h, r)->t_return, 120);
    CHECK_EQ_STR(history_outcome_name(history_op(h, r)->outcome), "ok");
    history_free(h);
}

static void test_history__rejects_bad_building_calls(void)
{
    struct history *h = history_new(HISTORY_KV);
    struct history_op op = {.kind = HISTORY_WRITE};
    size_t i;

    CHECK_EQ_INT(history_key(h, "k", 1, &op.key), 0);
    CHECK_EQ_INT(history_invoke(h, &op, &i), SIM_EINVAL);
    op.kind = HISTORY_PUT;
    op.arg = 99;
    CHECK_EQ_INT(history_invoke(h, &op, &i), SIM_EINVAL);
    CHECK_EQ_INT(history_value(h, "v", 1, &op.arg), 0);
    op.t_call = 10;
    CHECK_EQ_INT(history_invoke(h, &op, &i), 0);
    CHECK_EQ_INT(history_complete(h, i, HISTORY_OK, 0, 9), SIM_EINVAL);
    CHECK_EQ_INT(history_complete(h, i, HISTORY_PENDING, 0, 11), SIM_EINVAL);
    CHECK_EQ_INT(history_complete(h, i + 1, HISTORY_OK, 0, 11), SIM_EINVAL);
    CHECK_EQ_INT(history_complete(h, i, HISTORY_FAIL, 0, 11), 0);
    history_free(h);
}

static void test_history__reports_empty_file(void)
{
    CHECK_EQ_STR(parse_bad(""), "t.log:1:1: empty file");
    CHECK_EQ_STR(parse_bad("\n  \n\t\n"), "t.log:1:1: empty file");
    CHECK_EQ_STR(parse_bad("x - :nemesis :info :start nil\n"),
                 "t.log:1:1: no operations");
}

static void test_history__reports_unknown_type(void)
{
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :read nil\n"
                           "INFO - 0 :okay :read 3\n"),
                 "t.log:2:10: unknown type ':okay'");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :begin, :f :get, "
                           ":key \"a\", :value nil}"),
                 "t.log:1:20: unknown type ':begin'");
}

static void test_history__reports_unknown_function(void)
{
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :delete 1\n"),
                 "t.log:1:18: unknown function ':delete'");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :get nil\n"),
                 "t.log:1:18: unknown function ':get'");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :read, "
                           ":key \"a\", :value nil}"),
                 "t.log:1:32: unknown function ':read'");
}

static void test_history__reports_completion_without_invocation(void)
{
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :read nil\n"
                           "INFO - 0 :ok :read nil\n"
                           "INFO - 0 :ok :read nil\n"),
                 "t.log:3:10: completion with no open invocation for "
                 "process 0");
    CHECK_EQ_STR(parse_bad("{:process 3, :type :ok, :f :get, :key \"a\", "
                           ":value \"\"}"),
                 "t.log:1:20: completion with no open invocation for "
                 "process 3");
}

static void test_history__reports_malformed_values(void)
{
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :write 3x\n"),
                 "t.log:1:25: malformed value '3x'");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :cas [1 x]\n"),
                 "t.log:1:23: malformed value '[1 x]'");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :cas [1 2\n"),
                 "t.log:1:23: malformed value: missing ']'");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :write 99999999999999999999\n"),
                 "t.log:1:25: malformed value '99999999999999999999'");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :write [1 2]\n"),
                 "t.log:1:25: malformed value '[1 2]' for :invoke :write "
                 "(expected an integer)");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :read nil\n"
                           "INFO - 0 :ok :read :timed-out\n"),
                 "t.log:2:20: malformed value ':timed-out' for :ok :read "
                 "(expected nil or an integer)");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :put, "
                           ":key \"a\", :value \"abc}"),
                 "t.log:1:55: malformed string: no closing quote");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :put, "
                           ":key \"a\", :value [1]}"),
                 "t.log:1:55: malformed value '[1]'");
}

static void test_history__reports_mismatched_lines(void)
{
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :write 1\n"
                           "INFO - 0 :ok :write 2\n"),
                 "t.log:2:21: value '2' does not match the invocation's");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :write 1\n"
                           "INFO - 0 :ok :read 1\n"),
                 "t.log:2:14: completion ':read' does not match the open "
                 "':write' of process 0");
    CHECK_EQ_STR(parse_bad("INFO - 4 :invoke :write 1\n"
                           "INFO - 4 :invoke :write 2\n"),
                 "t.log:2:8: process 4 invokes while its operation from "
                 "line 1 is still open");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke :read nil extra\n"),
                 "t.log:1:28: unexpected text after the value");
    CHECK_EQ_STR(parse_bad("INFO 0 :invoke :read nil\n"),
                 "t.log:1:1: expected a log line 'PROCESS TYPE F VALUE', "
                 "alone or after '... - '");
    CHECK_EQ_STR(parse_bad("INFO - 0 :invoke\n"),
                 "t.log:1:17: expected PROCESS TYPE F VALUE");
}

static void test_history__reports_bad_kv_maps(void)
{
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :get, "
                           ":value nil}\n"),
                 "t.log:1:48: missing :key");
    CHECK_EQ_STR(parse_bad("{:process 0, :process 1}\n"),
                 "t.log:1:14: duplicate :process");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :get, :key \"a\","
                           " :value nil} x\n"),
                 "t.log:1:60: unexpected text after the map");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :get, :key \"a\","
                           " :value nil}\n"
                           "{:process 0, :type :ok, :f :get, :key \"b\","
                           " :value \"\"}\n"),
                 "t.log:2:39: completion key does not match the open "
                 "operation's \"a\"");
    CHECK_EQ_STR(parse_bad("{:process 0, :type :invoke, :f :put, :key \"a\","
                           " :value \"\\q\"}\n"),
                 "t.log:1:56: malformed string: bad escape");
}

static void test_history__missing_file_is_an_io_error(void)
{
    struct history *h = NULL;
    struct sim_error err = {0};

    CHECK_EQ_INT(history_load("tests/no-such-history.log", &h, &err),
                 SIM_EIO);
    CHECK(h == NULL);
    CHECK(strstr(err.msg, "tests/no-such-history.log: cannot open") ==
          err.msg);
}

static void test_history__directory_is_an_io_error_with_its_reason(void)
{
    struct history *h = NULL;
    struct sim_error err = {0};

    CHECK_EQ_INT(history_load("tests", &h, &err), SIM_EIO);
    CHECK(h == NULL);
    CHECK_EQ_STR(err.msg, "tests: cannot read: Is a directory");
}

static void test_history__endless_file_is_refused_past_the_cap(void)
{
    struct history *h = NULL;
    struct sim_error err = {0};

    CHECK_EQ_INT(history_load("/dev/zero", &h, &err), SIM_EINVAL);
    CHECK(h == NULL);
    CHECK_EQ_STR(err.msg, "/dev/zero: larger than 256 MiB; not read");
}

static void test_history__loads_every_shared_file(void)
{
    static char why[1200];
    const char *dir = shared_histories(why, sizeof why);
    char path[1600], line[512], file[256];
    size_t n_files = 0;
    FILE *list;

    if (dir == NULL)
        CHECK_SKIP(why);
    snprintf(path, sizeof path, "%s/verdicts.tsv", dir);
    list = fopen(path, "r");
    CHECK(list != NULL);
    while (fgets(line, sizeof line, list) != NULL) {
        struct history *h = NULL;
        struct sim_error err = {0};

        if (sscanf(line, "%255s", file) != 1 || strcmp(file, "file") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, file);
        if (history_load(path, &h, &err) != 0)
            printf("  %s\n", err.msg);
        CHECK(h != NULL);
        CHECK(history_n_ops(h) > 0);
        history_free(h);
        n_files++;
    }
    fclose(list);
    CHECK_EQ_INT(n_files, 56);
}

CHECK_MAIN(CHECK_TEST(test_history__parses_etcd_log_lines),
           CHECK_TEST(test_history__parses_bare_log_lines),
           CHECK_TEST(test_history__timed_out_etcd_operations),
           CHECK_TEST(test_history__parses_kv_maps),
           CHECK_TEST(test_history__nemesis_lines_are_skipped),
           CHECK_TEST(test_history__builds_in_memory),
           CHECK_TEST(test_history__rejects_bad_building_calls),
           CHECK_TEST(test_history__reports_empty_file),
           CHECK_TEST(test_history__reports_unknown_type),
           CHECK_TEST(test_history__reports_unknown_function),
           CHECK_TEST(test_history__reports_completion_without_invocation),
           CHECK_TEST(test_history__reports_malformed_values),
           CHECK_TEST(test_history__reports_mismatched_lines),
           CHECK_TEST(test_history__reports_bad_kv_maps),
           CHECK_TEST(test_history__missing_file_is_an_io_error),
           CHECK_TEST(test_history__directory_is_an_io_error_with_its_reason),
           CHECK_TEST(test_history__endless_file_is_refused_past_the_cap),
           CHECK_TEST(test_history__loads_every_shared_file))
