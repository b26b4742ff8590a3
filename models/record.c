/* SPDX-License-Identifier: MIT */
/*
 * record.c - a store's answers as a register history. Operations enter
 * the history when they are answered, already complete, so no state has
 * to travel with a request; the invocation time is the caller's send.
 */
#include "models/record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/history.h"
#include "models/lincheck.h"

struct record {
    struct history *h;
    uint64_t n_ops;
};

struct record *record_new(void)
{
    struct record *r = calloc(1, sizeof *r);

    if (r == NULL)
        return NULL;
    r->h = history_new(HISTORY_REGISTER);
    if (r->h == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void record_free(struct record *r)
{
    if (r == NULL)
        return;
    history_free(r->h);
    free(r);
}

/* The value id of a version: nil for 0 (never written). */
static int version_value(struct history *h, uint64_t version, uint32_t *id)
{
    if (version == 0) {
        *id = HISTORY_NIL;
        return 0;
    }
    return history_value_int(h, (int64_t)version, id);
}

int record_answer(struct record *r, struct sim *sim,
                  const struct sim_req *req)
{
    struct history_op op = {
        .t_call = req->t_sent,
        .process = req->origin,
        .kind = req->op == SIM_OP_READ ? HISTORY_READ : HISTORY_WRITE,
    };
    bool is_ok = req->status == SIM_REQ_OK;
    uint32_t value = HISTORY_NIL;
    size_t index;

    if (history_key_int(r->h, req->key, &op.key) != 0 ||
        (is_ok && version_value(r->h, req->version, &value) != 0))
        return SIM_ENOMEM;
    if (op.kind == HISTORY_WRITE)
        op.arg = value;
    if (history_invoke(r->h, &op, &index) != 0 ||
        history_complete(r->h, index, is_ok ? HISTORY_OK : HISTORY_FAIL,
                         value, sim_now(sim)) != 0)
        return SIM_ENOMEM;
    r->n_ops++;
    return 0;
}

/* Text appended to a fixed buffer; what does not fit is cut off. */
struct note_text {
    char s[480];
    size_t n;
};

static void note_add(struct note_text *t, const char *s, size_t len)
{
    if (len > sizeof t->s - 1 - t->n)
        len = sizeof t->s - 1 - t->n;
    memcpy(t->s + t->n, s, len);
    t->n += len;
    t->s[t->n] = '\0';
}

static void note_str(struct note_text *t, const char *s)
{
    note_add(t, s, strlen(s));
}

/* "[invoked 5943114345, completed 5945180218]" as "(5.943114345 s to ...)". */
static void note_times(struct note_text *t, const char *bracket)
{
    long long t_call, t_return;
    char a[48], b[48], text[128];

    if (sscanf(bracket, "[invoked %lld, completed %lld]", &t_call,
               &t_return) == 2)
        snprintf(text, sizeof text, " (%s s to %s s)",
                 sim_units_format_seconds(t_call, a, sizeof a),
                 sim_units_format_seconds(t_return, b, sizeof b));
    else if (sscanf(bracket, "[invoked %lld", &t_call) == 1)
        snprintf(text, sizeof text, " (from %s s, outcome unknown)",
                 sim_units_format_seconds(t_call, a, sizeof a));
    else
        text[0] = '\0';
    note_str(t, text);
}

/*
 * One line of the checker's explanation (its header, an operation with
 * its times in nanoseconds, "... and N more", or the reason) rewritten as
 * a part of one timeline note: operations separated by "; ", times in
 * seconds, the reason as a sentence of its own.
 */
static void note_line(struct note_text *t, const char *line, size_t len,
                      unsigned *n_ops)
{
    const char *end = line + len, *bracket = end, *times;

    /* The times are the last bracket: a cas shows its values in one. */
    while (bracket > line && bracket[-1] != '[')
        bracket--;
    bracket = bracket > line ? bracket - 1 : end;
    times = bracket;
    while (line < end && *line == ' ')
        line++;
    if (end - line > 8 && strncmp(line, "reason: ", 8) == 0) {
        note_str(t, ". Why: ");
        note_add(t, line + 8, (size_t)(end - line - 8));
        return;
    }
    note_str(t, (*n_ops)++ == 0 ? " " : "; ");
    if (end - line > 4 && strncmp(line, "... ", 4) == 0) {
        note_add(t, line + 4, (size_t)(end - line - 4));
        return;
    }
    while (bracket > line && bracket[-1] == ' ')
        bracket--;
    note_add(t, line, (size_t)(bracket - line));
    if (times < end)
        note_times(t, times);
}

/* The explanation, made one readable timeline note. */
static void note_violation(const struct lincheck_result *res,
                           struct sim *sim, const char *scope,
                           struct sim_report *rep)
{
    const char *p = res->explanation != NULL ? res->explanation : "";
    const char *nl = strchr(p, '\n');
    struct note_text t = {.n = 0};
    unsigned n_ops = 0;

    /* The header, "key "7": no order satisfies these 3 operations:". */
    note_add(&t, p, nl != NULL ? (size_t)(nl - p) : strlen(p));
    for (p = nl != NULL ? nl + 1 : ""; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        note_line(&t, p, (size_t)(nl - p), &n_ops);
        if (*nl == '\0')
            break;
    }
    note_str(&t, ".");
    sim_report_note(rep, sim_time_to_s(sim_now(sim)), "linearizability",
                    "%s: not linearizable: %s", scope, t.s);
}

void record_report(struct record *r, struct sim *sim, const char *scope,
                   struct sim_report *rep)
{
    struct lincheck_result res;
    struct sim_error err = {0};
    double verdict = NAN;

    memset(&res, 0, sizeof res);
    if (lincheck_check(r->h, RECORD_BUDGET_S, &res, &err) == 0) {
        if (res.verdict == LINCHECK_OK)
            verdict = 1.0;
        else if (res.verdict == LINCHECK_VIOLATION)
            verdict = 0.0;
        if (res.verdict == LINCHECK_VIOLATION)
            note_violation(&res, sim, scope, rep);
    }
    sim_report_add(rep, scope, "linearizable", "ratio", verdict);
    sim_report_add(rep, scope, "operations_checked", "count",
                   (double)r->n_ops);
    lincheck_result_release(&res);
}
