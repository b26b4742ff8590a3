/* SPDX-License-Identifier: MIT */
/*
 * test_lincheck.c - the linearizability checker: one small history per
 * rule of the models, explanations, the time budget, random histories that
 * are linearizable by construction, and the verdicts of the shared data
 * (skipped when ../shared/data is absent).
 */
#include "models/lincheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/history.h"
#include "sim/error.h"
#include "tests/check.h"
#include "tests/shared.h"
#include "tests/gen_history.h"

/* Parses a history written in either file format; it must be valid. */
static struct history *parse(const char *text)
{
    struct history *h = NULL;
    struct sim_error err = {0};
    int rc = history_parse("t.log", text, strlen(text), &h, &err);

    if (rc != 0)
        printf("  unexpected error: %s\n", err.msg);
    CHECK_EQ_INT(rc, 0);
    return h;
}

/* Checks a history given as text with a generous budget. */
static int verdict_of(const char *text)
{
    struct history *h = parse(text);
    struct lincheck_result res;
    struct sim_error err = {0};
    int verdict;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, &err), 0);
    verdict = res.verdict;
    lincheck_result_release(&res);
    history_free(h);
    return verdict;
}

static void test_lincheck__concurrent_write_and_read_in_either_order(void)
{
    CHECK_EQ_INT(verdict_of("a - 0 :invoke :write 1\n"
                            "a - 1 :invoke :read nil\n"
                            "a - 1 :ok :read nil\n"
                            "a - 0 :ok :write 1\n"), LINCHECK_OK);
    CHECK_EQ_INT(verdict_of("a - 0 :invoke :write 1\n"
                            "a - 1 :invoke :read nil\n"
                            "a - 1 :ok :read 1\n"
                            "a - 0 :ok :write 1\n"), LINCHECK_OK);
    CHECK_EQ_INT(verdict_of("a - 1 :invoke :read nil\n"
                            "a - 0 :invoke :write 1\n"
                            "a - 0 :ok :write 1\n"
                            "a - 1 :ok :read nil\n"), LINCHECK_OK);
}

static void test_lincheck__stale_read_after_a_write_is_a_violation(void)
{
    CHECK_EQ_INT(verdict_of("a - 0 :invoke :write 1\n"
                            "a - 0 :ok :write 1\n"
                            "a - 1 :invoke :read nil\n"
                            "a - 1 :ok :read nil\n"), LINCHECK_VIOLATION);
    CHECK_EQ_INT(verdict_of("a - 0 :invoke :write 1\n"
                            "a - 0 :ok :write 1\n"
                            "a - 0 :invoke :write 2\n"
                            "a - 0 :ok :write 2\n"
                            "a - 1 :invoke :read nil\n"
                            "a - 1 :ok :read 1\n"), LINCHECK_VIOLATION);
}

static void test_lincheck__cas_success_and_failure(void)
{
    const char *set1 = "a - 0 :invoke :write 1\na - 0 :ok :write 1\n";
    char text[512];

    snprintf(text, sizeof text, "%sa - 1 :invoke :cas [1 2]\n"
             "a - 1 :ok :cas [1 2]\na - 2 :invoke :read nil\n"
             "a - 2 :ok :read 2\n", set1);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_OK);
    snprintf(text, sizeof text, "%sa - 1 :invoke :cas [3 2]\n"
             "a - 1 :fail :cas [3 2]\na - 2 :invoke :read nil\n"
             "a - 2 :ok :read 1\n", set1);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_OK);
    snprintf(text, sizeof text, "%sa - 1 :invoke :cas [1 2]\n"
             "a - 1 :fail :cas [1 2]\n", set1);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_VIOLATION);
    snprintf(text, sizeof text, "%sa - 1 :invoke :cas [3 2]\n"
             "a - 1 :ok :cas [3 2]\n", set1);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_VIOLATION);
    snprintf(text, sizeof text, "%sa - 1 :invoke :cas [1 2]\n"
             "a - 1 :ok :cas [1 2]\na - 2 :invoke :read nil\n"
             "a - 2 :ok :read 1\n", set1);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_VIOLATION);
}

static void test_lincheck__unknown_write_may_have_happened(void)
{
    const char *lost = "a - 0 :invoke :write 1\n"
                       "a - 0 :info :write :timed-out\n";
    char text[512];

    snprintf(text, sizeof text, "%sa - 1 :invoke :read nil\n"
             "a - 1 :ok :read 1\n", lost);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_OK);
    snprintf(text, sizeof text, "%sa - 1 :invoke :read nil\n"
             "a - 1 :ok :read nil\n", lost);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_OK);
    /* Once seen, it happened: a later read cannot miss it. */
    snprintf(text, sizeof text, "%sa - 1 :invoke :read nil\n"
             "a - 1 :ok :read 1\na - 2 :invoke :read nil\n"
             "a - 2 :ok :read nil\n", lost);
    CHECK_EQ_INT(verdict_of(text), LINCHECK_VIOLATION);
    /* It cannot take effect before it was invoked. */
    CHECK_EQ_INT(verdict_of("a - 1 :invoke :read nil\n"
                            "a - 1 :ok :read 1\n"
                            "a - 0 :invoke :write 1\n"
                            "a - 0 :info :write :timed-out\n"),
                 LINCHECK_VIOLATION);
}

static void test_lincheck__failed_timed_out_read_is_ignored(void)
{
    CHECK_EQ_INT(verdict_of("a - 0 :invoke :write 1\n"
                            "a - 0 :ok :write 1\n"
                            "a - 1 :invoke :read nil\n"
                            "a - 1 :fail :read :timed-out\n"
                            "a - 2 :invoke :read nil\n"
                            "a - 2 :info :read :timed-out\n"
                            "a - 3 :invoke :write 2\n"
                            "a - 3 :fail :write 2\n"
                            "a - 4 :invoke :read nil\n"
                            "a - 4 :ok :read 1\n"), LINCHECK_OK);
}

/* A kv history of two appends, concurrent or one after the other. */
static int kv_verdict(bool is_concurrent, const char *got)
{
    char text[1024];

    snprintf(text, sizeof text,
             "{:process 0, :type :invoke, :f :append, :key \"k\", "
             ":value \"a\"}\n%s"
             "{:process 1, :type :invoke, :f :append, :key \"k\", "
             ":value \"b\"}\n%s"
             "{:process 2, :type :invoke, :f :get, :key \"k\", :value nil}\n"
             "{:process 2, :type :ok, :f :get, :key \"k\", :value \"%s\"}\n",
             is_concurrent ? "" : "{:process 0, :type :ok, :f :append, "
             ":key \"k\", :value \"a\"}\n",
             is_concurrent ? "{:process 0, :type :ok, :f :append, "
             ":key \"k\", :value \"a\"}\n{:process 1, :type :ok, :f :append, "
             ":key \"k\", :value \"b\"}\n" : "{:process 1, :type :ok, "
             ":f :append, :key \"k\", :value \"b\"}\n", got);
    return verdict_of(text);
}

static void test_lincheck__kv_append_order(void)
{
    CHECK_EQ_INT(kv_verdict(true, "ab"), LINCHECK_OK);
    CHECK_EQ_INT(kv_verdict(true, "ba"), LINCHECK_OK);
    CHECK_EQ_INT(kv_verdict(false, "ab"), LINCHECK_OK);
    CHECK_EQ_INT(kv_verdict(false, "ba"), LINCHECK_VIOLATION);
    CHECK_EQ_INT(kv_verdict(true, "a"), LINCHECK_VIOLATION);
    CHECK_EQ_INT(kv_verdict(true, "aab"), LINCHECK_VIOLATION);
}

static void test_lincheck__keys_are_independent(void)
{
    const char *text =
        "{:process 0, :type :invoke, :f :put, :key \"a\", :value \"1\"}\n"
        "{:process 0, :type :ok, :f :put, :key \"a\", :value \"1\"}\n"
        "{:process 1, :type :invoke, :f :get, :key \"b\", :value nil}\n"
        "{:process 1, :type :ok, :f :get, :key \"b\", :value \"\"}\n"
        "{:process 1, :type :invoke, :f :get, :key \"a\", :value nil}\n"
        "{:process 1, :type :ok, :f :get, :key \"a\", :value \"\"}\n";
    struct history *h = parse(text);
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK_EQ_STR(res.key, "a");
    CHECK_EQ_INT(res.n_keys_total, 2);
    CHECK_EQ_INT(res.n_keys, 1);
    CHECK_EQ_INT(res.n_conflict, 2);
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__explanation_names_the_conflicting_ops(void)
{
    struct history *h = parse("a - 3 :invoke :read nil\n"
                              "a - 3 :ok :read nil\n"
                              "a - 1 :invoke :write 1\n"
                              "a - 1 :ok :write 1\n"
                              "a - 2 :invoke :write 3\n"
                              "a - 4 :invoke :read nil\n"
                              "a - 2 :ok :write 3\n"
                              "a - 4 :ok :read 3\n"
                              "a - 0 :invoke :read nil\n"
                              "a - 0 :ok :read 1\n"
                              "a - 4 :invoke :write 2\n"
                              "a - 4 :ok :write 2\n");
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK_EQ_INT(res.n_conflict, 3);
    CHECK(res.is_minimal);
    CHECK_EQ_STR(res.explanation,
                 "key \"register\": no order satisfies these 3 operations:\n"
                 "  p1 write 1      [invoked 3, completed 4]\n"
                 "  p2 write 3      [invoked 5, completed 7]\n"
                 "  p0 read -> 1    [invoked 9, completed 10]\n"
                 "  reason: the read returns 1, but the write of 1 completed"
                 " before the write of 3 began, and the read began after the"
                 " write of 3 completed\n");
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__explanation_keeps_the_write_a_read_needs(void)
{
    struct history *h = parse("a - 0 :invoke :write 1\n"
                              "a - 0 :ok :write 1\n"
                              "a - 1 :invoke :read nil\n"
                              "a - 1 :ok :read 1\n"
                              "a - 1 :invoke :read nil\n"
                              "a - 1 :ok :read 7\n");
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK_EQ_STR(res.explanation,
                 "key \"register\": no order satisfies this operation:\n"
                 "  p1 read -> 7    [invoked 5, completed 6]\n"
                 "  reason: the read returns 7, but no operation on this key"
                 " that began before it completed may have written that"
                 " value\n");
    lincheck_result_release(&res);
    history_free(h);
    h = parse("a - 0 :invoke :write 1\n"
              "a - 0 :ok :write 1\n"
              "a - 1 :invoke :read nil\n"
              "a - 1 :ok :read 1\n"
              "a - 2 :invoke :read nil\n"
              "a - 2 :ok :read nil\n");
    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.n_conflict, 2);
    CHECK_EQ_INT(res.conflict[0], 0);
    CHECK_EQ_INT(res.conflict[1], 2);
    CHECK(strstr(res.explanation, "reason: the read returns the initial "
                 "value, but it began after the write of 1 completed\n"));
    lincheck_result_release(&res);
    history_free(h);
}

/* A value that goes back in time, with the write still open or unsure. */
static void test_lincheck__explanation_of_a_value_going_back(void)
{
    struct history *h = parse("0 :invoke :write 1\n"
                              "1 :invoke :read nil\n"
                              "1 :ok :read 1\n"
                              "2 :invoke :read nil\n"
                              "2 :ok :read nil\n"
                              "0 :ok :write 1\n");
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK(strstr(res.explanation, "  reason: the read returns 1, then, after "
                 "it completed, the read returns nil, but nothing shown can "
                 "set the initial value again\n") != NULL);
    lincheck_result_release(&res);
    history_free(h);
    h = parse("0 :invoke :write 1\n"
              "0 :ok :write 1\n"
              "2 :invoke :write 3\n"
              "2 :info :write 3\n"
              "0 :invoke :read nil\n"
              "0 :ok :read 3\n"
              "0 :invoke :read nil\n"
              "0 :ok :read 1\n");
    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK(strstr(res.explanation, "  reason: the read returns 3, then, after "
                 "it completed, the read returns 1, but the write of 1 "
                 "completed before the write of 3 began, and nothing else "
                 "shown writes 1\n") != NULL);
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__explanation_of_a_lost_append(void)
{
    struct history *h = parse(
        "{:process 0, :type :invoke, :f :append, :key \"k\", :value \"a\"}\n"
        "{:process 0, :type :ok, :f :append, :key \"k\", :value \"a\"}\n"
        "{:process 1, :type :invoke, :f :get, :key \"k\", :value nil}\n"
        "{:process 1, :type :ok, :f :get, :key \"k\", :value \"a\"}\n"
        "{:process 0, :type :invoke, :f :append, :key \"k\", :value \"b\"}\n"
        "{:process 0, :type :ok, :f :append, :key \"k\", :value \"b\"}\n"
        "{:process 1, :type :invoke, :f :get, :key \"k\", :value nil}\n"
        "{:process 1, :type :ok, :f :get, :key \"k\", :value \"a\"}\n");
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK_EQ_STR(res.explanation,
                 "key \"k\": no order satisfies these 3 operations:\n"
                 "  p0 append \"a\"    [invoked 1, completed 2]\n"
                 "  p0 append \"b\"    [invoked 5, completed 6]\n"
                 "  p1 get -> \"a\"    [invoked 7, completed 8]\n"
                 "  reason: the get returns \"a\", but the append of \"a\""
                 " completed before the append of \"b\" began, and the get"
                 " began after the append of \"b\" completed\n");
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__explanation_shows_a_needed_unknown_write(void)
{
    struct history *h = parse("a - 0 :invoke :write 1\n"
                              "a - 0 :info :write :timed-out\n"
                              "a - 1 :invoke :read nil\n"
                              "a - 1 :ok :read 1\n"
                              "a - 2 :invoke :read nil\n"
                              "a - 2 :ok :read nil\n");
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_VIOLATION);
    CHECK_EQ_STR(res.explanation,
                 "key \"register\": no order satisfies these 3 operations:\n"
                 "  p0 write 1        [invoked 1, outcome unknown]\n"
                 "  p1 read -> 1      [invoked 3, completed 4]\n"
                 "  p2 read -> nil    [invoked 5, completed 6]\n"
                 "  reason: the read returns 1, then, after it completed, "
                 "the read returns nil, but nothing shown can set the "
                 "initial value again\n");
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__format_gives_a_verdict_line(void)
{
    struct history *h = parse("a - 0 :invoke :write 1\n"
                              "a - 0 :ok :write 1\n");
    struct lincheck_result res;
    char *text;

    CHECK_EQ_INT(lincheck_check(h, 1.0, &res, NULL), 0);
    text = lincheck_result_format(&res);
    CHECK(text != NULL);
    CHECK(strncmp(text, "linearizable: 1 operation on 1 key checked in ",
                  46) == 0);
    free(text);
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__rejects_a_bad_budget(void)
{
    struct history *h = parse("a - 0 :invoke :write 1\n");
    struct lincheck_result res;
    struct sim_error err = {0};

    CHECK_EQ_INT(lincheck_check(h, 0.0, &res, &err), SIM_EINVAL);
    CHECK_EQ_STR(err.msg, "time budget must be > 0 s, not 0");
    lincheck_result_release(&res);
    history_free(h);
}

/*
 * n concurrent writes of 0..n-1, then two reads, one after the other, of
 * 0 and of 1: impossible, but only after trying every order of writes.
 */
static struct history *hard_history(int n)
{
    struct history *h = history_new(HISTORY_REGISTER);
    struct history_op op = {.kind = HISTORY_WRITE};
    uint32_t v;

    history_key(h, "x", 1, &op.key);
    for (int i = 0; i < n; i++) {
        op.process = (uint32_t)i;
        op.t_call = i;
        history_value_int(h, i, &op.arg);
        history_invoke(h, &op, NULL);
    }
    for (int i = 0; i < n; i++)
        history_complete(h, (size_t)i, HISTORY_OK, 0, n + i);
    op.kind = HISTORY_READ;
    for (int i = 0; i < 2; i++) {
        op.t_call = 2 * n + 2 * i;
        history_invoke(h, &op, NULL);
        history_value_int(h, i, &v);
        history_complete(h, (size_t)(n + i), HISTORY_OK, v, op.t_call + 1);
    }
    return h;
}

static void test_lincheck__budget_gives_unknown_on_a_hard_history(void)
{
    struct history *h = hard_history(40);
    struct lincheck_result res;
    char *text;

    CHECK_EQ_INT(lincheck_check(h, 0.2, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_UNKNOWN);
    CHECK_EQ_STR(res.key, "x");
    CHECK(res.elapsed_s < 1.0);
    text = lincheck_result_format(&res);
    CHECK(strncmp(text, "unknown: ", 9) == 0);
    printf("  %s", text);
    free(text);
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__random_sequential_runs_are_linearizable(void)
{
    for (unsigned long seed = 1; seed <= 40; seed++) {
        struct gen_params p = {
            .seed = seed, .n_ops = 400, .n_keys = 3, .spread = 40,
            .p_unknown = 0.05, .is_kv = seed % 2 == 0,
        };
        struct history *h = gen_history(&p);
        struct lincheck_result res;

        CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
        if (res.verdict != LINCHECK_OK)
            printf("  seed %lu: %s", seed, res.explanation
                   ? res.explanation : "unknown\n");
        CHECK_EQ_INT(res.verdict, LINCHECK_OK);
        CHECK_EQ_INT(res.n_keys, 3);
        lincheck_result_release(&res);
        history_free(h);
    }
}

static void test_lincheck__large_history_within_budget(void)
{
    struct gen_params p = {
        .seed = 7, .n_ops = 100000, .n_keys = 1000, .spread = 30,
        .p_unknown = 0.01,
    };
    struct history *h = gen_history(&p);
    struct lincheck_result res;

    CHECK_EQ_INT(history_n_ops(h), 100000);
    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_OK);
    CHECK_EQ_INT(res.n_ops, 100000);
    CHECK_EQ_INT(res.n_keys, 1000);
    printf("  10^5 operations on 1000 keys: %.3f s\n", res.elapsed_s);
    CHECK(res.elapsed_s < 10.0);
    lincheck_result_release(&res);
    history_free(h);
}

static void test_lincheck__long_single_key_within_budget(void)
{
    struct gen_params p = {
        .seed = 5, .n_ops = 100000, .n_keys = 1, .spread = 30,
        .p_unknown = 0.01,
    };
    struct history *h = gen_history(&p);
    struct lincheck_result res;

    CHECK_EQ_INT(lincheck_check(h, 10.0, &res, NULL), 0);
    CHECK_EQ_INT(res.verdict, LINCHECK_OK);
    printf("  10^5 operations on 1 key: %.3f s\n", res.elapsed_s);
    lincheck_result_release(&res);
    history_free(h);
}

/* --- a brute-force reference for tiny histories ------------------------ */

#define BF_MAX_OPS 7                    /* ops of a tiny history */

/* A model state as text: a register's value ("nil", "1") or a kv string. */
struct bf_state {
    char text[64];
};

static void bf_value(const struct history *h, uint32_t v, bool is_kv,
                     char *out)
{
    snprintf(out, 64, "%s", v == HISTORY_NIL && is_kv ? ""
             : history_value_text(h, v, NULL));
}

/* Applies op to st; false when its recorded result rules that out. */
static bool bf_step(const struct history *h, const struct history_op *op,
                    struct bf_state *st)
{
    bool is_kv = history_model(h) == HISTORY_KV, is_open =
        op->outcome != HISTORY_OK;
    char a[64], b[64];

    bf_value(h, op->arg, is_kv, a);
    bf_value(h, op->kind == HISTORY_CAS ? op->arg2 : op->out, is_kv, b);
    switch (op->kind) {
    case HISTORY_READ:
    case HISTORY_GET:
        return strcmp(st->text, b) == 0;
    case HISTORY_CAS:
        if (strcmp(st->text, a) != 0)
            return is_open || op->out == 0;
        if (!is_open && op->out == 0)
            return false;
        snprintf(st->text, sizeof st->text, "%s", b);
        return true;
    case HISTORY_APPEND:
        strncat(st->text, a, sizeof st->text - strlen(st->text) - 1);
        return true;
    default:
        snprintf(st->text, sizeof st->text, "%s", a);
        return true;
    }
}

/* Whether op i may come next, given the ops placed so far (a bit mask). */
static bool bf_may_go(const struct history *h, const size_t *idx, size_t n,
                      unsigned placed, size_t i)
{
    const struct history_op *op = history_op(h, idx[i]);

    for (size_t j = 0; j < n; j++) {
        const struct history_op *other = history_op(h, idx[j]);

        if (j != i && !(placed & (1u << j)) &&
            other->outcome == HISTORY_OK && other->t_return < op->t_call)
            return false;
    }
    return true;
}

/* Tries every order of idx[0..n) that respects real time. */
static bool bf_search(const struct history *h, const size_t *idx, size_t n,
                      unsigned placed, struct bf_state st)
{
    bool is_done = true;

    for (size_t i = 0; i < n; i++)
        if (!(placed & (1u << i)) &&
            history_op(h, idx[i])->outcome == HISTORY_OK)
            is_done = false;
    if (is_done)
        return true;
    for (size_t i = 0; i < n; i++) {
        struct bf_state next = st;

        if ((placed & (1u << i)) || !bf_may_go(h, idx, n, placed, i) ||
            !bf_step(h, history_op(h, idx[i]), &next))
            continue;
        if (bf_search(h, idx, n, placed | 1u << i, next))
            return true;
    }
    return false;
}

/* The reference verdict on the ops idx[0..n) that say something. */
static int bf_verdict(const struct history *h, const size_t *all, size_t n)
{
    struct bf_state st = {{0}};
    size_t idx[BF_MAX_OPS], n_idx = 0;

    for (size_t i = 0; i < n; i++) {
        const struct history_op *op = history_op(h, all[i]);
        bool is_read = op->kind == HISTORY_READ || op->kind == HISTORY_GET;

        if (op->outcome != HISTORY_FAIL &&
            (op->outcome == HISTORY_OK || !is_read))
            idx[n_idx++] = all[i];
    }
    if (history_model(h) == HISTORY_REGISTER)
        snprintf(st.text, sizeof st.text, "nil");
    return bf_search(h, idx, n_idx, 0, st) ? LINCHECK_OK
                                           : LINCHECK_VIOLATION;
}

/* A random value id: "1" or "2" (or nil) in a register, else a string. */
static uint32_t tiny_value(struct history *h, gsl_rng *r, bool is_kv,
                           bool is_result)
{
    static const char *const strings[] = {"a", "b", "", "ab", "ba"};
    const char *s = strings[gsl_rng_uniform_int(r, is_result ? 5 : 2)];
    uint32_t v = HISTORY_NIL;

    if (is_kv)
        history_value(h, s, strlen(s), &v);
    else if (!is_result || gsl_rng_uniform(r) < 0.7)
        history_value_int(h, 1 + (int64_t)gsl_rng_uniform_int(r, 2), &v);
    return v;
}

/* A random tiny history on one key, linearizable or not. */
static struct history *tiny_history(gsl_rng *r, bool is_kv)
{
    struct history *h = history_new(is_kv ? HISTORY_KV : HISTORY_REGISTER);
    size_t n = 1 + gsl_rng_uniform_int(r, BF_MAX_OPS);

    for (size_t i = 0; i < n; i++) {
        struct history_op op = {.process = (uint32_t)i};
        int outcome = HISTORY_OK;
        uint32_t out = 0;
        size_t index;

        history_key(h, "k", 1, &op.key);
        op.kind = (uint8_t)(gsl_rng_uniform_int(r, 3) +
                            (is_kv ? HISTORY_GET : HISTORY_READ));
        op.t_call = (int64_t)gsl_rng_uniform_int(r, 10);
        op.arg = tiny_value(h, r, is_kv, false);
        op.arg2 = tiny_value(h, r, is_kv, false);
        history_invoke(h, &op, &index);
        if (op.kind == HISTORY_READ || op.kind == HISTORY_GET) {
            out = tiny_value(h, r, is_kv, true);
            if (gsl_rng_uniform(r) < 0.1)
                outcome = HISTORY_FAIL;
        } else {
            out = op.kind == HISTORY_CAS && gsl_rng_uniform(r) < 0.5;
            if (gsl_rng_uniform(r) < 0.2)
                outcome = HISTORY_UNKNOWN;
        }
        history_complete(h, index, outcome, out,
                         op.t_call + (int64_t)gsl_rng_uniform_int(r, 5));
    }
    return h;
}

static void test_lincheck__agrees_with_brute_force_on_tiny_histories(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t n_seen[2] = {0, 0};

    gsl_rng_set(r, 2024);
    for (int i = 0; i < 4000; i++) {
        struct history *h = tiny_history(r, i % 2 == 1);
        size_t all[BF_MAX_OPS];
        struct lincheck_result res;
        int want;

        for (size_t k = 0; k < history_n_ops(h); k++)
            all[k] = k;
        want = bf_verdict(h, all, history_n_ops(h));
        CHECK_EQ_INT(lincheck_check(h, 5.0, &res, NULL), 0);
        CHECK_EQ_INT(res.verdict, want);
        n_seen[want == LINCHECK_VIOLATION]++;
        /* The operations shown must fail on their own. */
        if (want == LINCHECK_VIOLATION)
            CHECK_EQ_INT(bf_verdict(h, res.conflict, res.n_conflict),
                         LINCHECK_VIOLATION);
        lincheck_result_release(&res);
        history_free(h);
    }
    gsl_rng_free(r);
    printf("  %zu linearizable, %zu not\n", n_seen[0], n_seen[1]);
    CHECK(n_seen[0] > 1000 && n_seen[1] > 1000);
}

/* Checks one listed file; returns its verdict, and its time in *secs. */
static int check_file(const char *dir, const char *file, double *secs)
{
    char path[1600];
    struct history *h = NULL;
    struct lincheck_result res;
    struct sim_error err = {0};
    int verdict;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (history_load(path, &h, &err) != 0)
        printf("  %s\n", err.msg);
    CHECK(h != NULL);
    CHECK_EQ_INT(lincheck_check(h, 60.0, &res, &err), 0);
    verdict = res.verdict;
    *secs = res.elapsed_s;
    lincheck_result_release(&res);
    history_free(h);
    return verdict;
}

static void test_lincheck__shared_histories_get_their_verdicts(void)
{
    static char why[1200];
    const char *dir = shared_histories(why, sizeof why);
    char path[1200], line[512], file[256], want[64], slowest[256] = "";
    double max_s = -1.0, total_s = 0.0;
    size_t n_files = 0;
    FILE *list;

    if (dir == NULL)
        CHECK_SKIP(why);
    snprintf(path, sizeof path, "%s/verdicts.tsv", dir);
    list = fopen(path, "r");
    CHECK(list != NULL);
    while (fgets(line, sizeof line, list) != NULL) {
        const char *tab = strrchr(line, '\t');
        double secs;
        int verdict;

        if (sscanf(line, "%255s", file) != 1 || tab == NULL ||
            sscanf(tab + 1, "%63s", want) != 1 || strcmp(file, "file") == 0)
            continue;
        verdict = check_file(dir, file, &secs);
        if (verdict != (strcmp(want, "linearizable") == 0
                        ? LINCHECK_OK : LINCHECK_VIOLATION))
            printf("  %s: got verdict %d, want %s\n", file, verdict, want);
        CHECK_EQ_INT(verdict, strcmp(want, "linearizable") == 0
                     ? LINCHECK_OK : LINCHECK_VIOLATION);
        total_s += secs;
        if (secs > max_s) {
            max_s = secs;
            snprintf(slowest, sizeof slowest, "%s", file);
        }
        n_files++;
    }
    fclose(list);
    CHECK_EQ_INT(n_files, 56);
    printf("  %zu files in %.3f s; slowest %s in %.3f s\n", n_files, total_s,
           slowest, max_s);
}

CHECK_MAIN(CHECK_TEST(test_lincheck__concurrent_write_and_read_in_either_order),
           CHECK_TEST(test_lincheck__stale_read_after_a_write_is_a_violation),
           CHECK_TEST(test_lincheck__cas_success_and_failure),
           CHECK_TEST(test_lincheck__unknown_write_may_have_happened),
           CHECK_TEST(test_lincheck__failed_timed_out_read_is_ignored),
           CHECK_TEST(test_lincheck__kv_append_order),
           CHECK_TEST(test_lincheck__keys_are_independent),
           CHECK_TEST(test_lincheck__explanation_names_the_conflicting_ops),
           CHECK_TEST(test_lincheck__explanation_keeps_the_write_a_read_needs),
           CHECK_TEST(test_lincheck__explanation_of_a_value_going_back),
           CHECK_TEST(test_lincheck__explanation_of_a_lost_append),
           CHECK_TEST(test_lincheck__explanation_shows_a_needed_unknown_write),
           CHECK_TEST(test_lincheck__format_gives_a_verdict_line),
           CHECK_TEST(test_lincheck__rejects_a_bad_budget),
           CHECK_TEST(test_lincheck__budget_gives_unknown_on_a_hard_history),
           CHECK_TEST(test_lincheck__random_sequential_runs_are_linearizable),
           CHECK_TEST(test_lincheck__large_history_within_budget),
           CHECK_TEST(test_lincheck__long_single_key_within_budget),
           CHECK_TEST(test_lincheck__agrees_with_brute_force_on_tiny_histories),
           CHECK_TEST(test_lincheck__shared_histories_get_their_verdicts))
