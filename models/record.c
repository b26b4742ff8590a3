/* SPDX-License-Identifier: MIT */
/*
 * record.c - a store's answers as a register history. Operations enter
 * the history when they are answered, already complete, so no state has
 * to travel with a request; the invocation time is the caller's send.
 */
#include "models/record.h"

#include <math.h>
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

/* The explanation's lines, joined for one timeline note. */
static void note_violation(const struct lincheck_result *res,
                           struct sim *sim, const char *scope,
                           struct sim_report *rep)
{
    char text[480];
    size_t n = 0;

    for (const char *p = res->explanation; p != NULL && *p &&
         n + 2 < sizeof text; p++)
        text[n++] = *p == '\n' ? ';' : *p;
    text[n] = '\0';
    sim_report_note(rep, sim_time_to_s(sim_now(sim)), "linearizability",
                    "%s: not linearizable: %s", scope, text);
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
