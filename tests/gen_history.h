/* SPDX-License-Identifier: MIT */
/*
 * gen_history.h - random histories that are linearizable by construction,
 * shared by test_lincheck and bench_lincheck. Each key runs a real
 * sequential execution; every operation's interval is then stretched
 * around its point in that execution, so intervals overlap but always
 * contain the moment the operation took effect.
 */
#ifndef TESTS_GEN_HISTORY_H
#define TESTS_GEN_HISTORY_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/history.h"

struct gen_params {
    unsigned long seed;                 /* for gsl_rng_mt19937 */
    size_t n_ops;                       /* operations in all */
    size_t n_keys;                      /* keys, picked uniformly */
    int64_t spread;                     /* max stretch on each side, in
                                           units of 1/10 operation */
    double p_unknown;                   /* chance an update times out */
    bool is_kv;                         /* kv strings, else a register */
};

/* One key's current value: a value id, or a kv string. */
struct gen_key {
    uint32_t value;                     /* register: current value id */
    char *text;                         /* kv: current string */
    size_t len, cap;
    int64_t n_done;                     /* operations run on the key */
};

static void gen_key_append(struct gen_key *k, const char *s, size_t n)
{
    if (k->len + n + 1 > k->cap) {
        k->cap = 2 * (k->len + n + 1);
        k->text = realloc(k->text, k->cap);
    }
    memcpy(k->text + k->len, s, n);
    k->len += n;
}

/* Picks a register operation on k and its result; fills op and out. */
static void gen_register_op(struct history *h, gsl_rng *r, struct gen_key *k,
                            struct history_op *op, uint32_t *out)
{
    double u = gsl_rng_uniform(r);
    uint32_t v;

    history_value_int(h, (int64_t)gsl_rng_uniform_int(r, 5), &v);
    *out = 1;
    if (u < 0.4) {
        op->kind = HISTORY_READ;
        *out = k->value;
    } else if (u < 0.75) {
        op->kind = HISTORY_WRITE;
        op->arg = v;
    } else {
        op->kind = HISTORY_CAS;
        op->arg = gsl_rng_uniform(r) < 0.5 ? k->value : v;
        history_value_int(h, (int64_t)gsl_rng_uniform_int(r, 5), &op->arg2);
        *out = op->arg == k->value;
    }
}

/* Applies a register update that took effect. */
static void gen_register_apply(struct gen_key *k, const struct history_op *op)
{
    if (op->kind == HISTORY_WRITE)
        k->value = op->arg;
    else if (op->kind == HISTORY_CAS && op->arg == k->value)
        k->value = op->arg2;
}

/* Picks a kv operation on k and its result; piece strings are unique. */
static void gen_kv_op(struct history *h, gsl_rng *r, struct gen_key *k,
                      struct history_op *op, uint32_t *out, size_t i)
{
    double u = gsl_rng_uniform(r);
    char piece[32];
    int n = snprintf(piece, sizeof piece, "x%zu ", i);

    *out = 0;
    if (u < 0.4) {
        op->kind = HISTORY_GET;
        history_value(h, k->len ? k->text : "", k->len, out);
    } else if (u < 0.55) {
        op->kind = HISTORY_PUT;
        history_value(h, piece, (size_t)n, &op->arg);
    } else {
        op->kind = HISTORY_APPEND;
        history_value(h, piece, (size_t)n, &op->arg);
    }
}

/* Applies a kv update that took effect. */
static void gen_kv_apply(struct history *h, struct gen_key *k,
                         const struct history_op *op)
{
    size_t len;
    const char *s = history_value_text(h, op->arg, &len);

    if (op->kind == HISTORY_PUT)
        k->len = 0;
    if (op->kind != HISTORY_GET)
        gen_key_append(k, s, len);
}

/*
 * Records op (with its result out), which takes effect at time `at` if
 * it does at all: an update may time out, and then it took effect or not
 * at random. Returns whether it did.
 */
static bool gen_record(struct history *h, gsl_rng *r,
                       const struct gen_params *p, struct history_op *op,
                       uint32_t out, int64_t at)
{
    bool is_read = op->kind == HISTORY_READ || op->kind == HISTORY_GET;
    unsigned long n = (unsigned long)p->spread + 1;
    int64_t before = (int64_t)gsl_rng_uniform_int(r, n);
    int64_t after = (int64_t)gsl_rng_uniform_int(r, n);
    size_t index;

    op->t_call = at - before;
    history_invoke(h, op, &index);
    if (!is_read && gsl_rng_uniform(r) < p->p_unknown) {
        history_complete(h, index, HISTORY_UNKNOWN, 0, 0);
        return gsl_rng_uniform(r) < 0.5;
    }
    history_complete(h, index, HISTORY_OK, out, at + after);
    return true;
}

/* A new random linearizable history; the caller frees it. */
static struct history *gen_history(const struct gen_params *p)
{
    struct history *h = history_new(p->is_kv ? HISTORY_KV : HISTORY_REGISTER);
    struct gen_key *keys = calloc(p->n_keys, sizeof *keys);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(r, p->seed);
    for (size_t i = 0; i < p->n_ops; i++) {
        size_t key = gsl_rng_uniform_int(r, (unsigned long)p->n_keys);
        struct gen_key *k = &keys[key];
        struct history_op op = {.process = (uint32_t)(i % 64)};
        uint32_t out;

        history_key_int(h, key, &op.key);
        if (p->is_kv)
            gen_kv_op(h, r, k, &op, &out, i);
        else
            gen_register_op(h, r, k, &op, &out);
        if (!gen_record(h, r, p, &op, out, 10 * k->n_done++ + 5))
            continue;
        if (p->is_kv)
            gen_kv_apply(h, k, &op);
        else
            gen_register_apply(k, &op);
    }
    for (size_t key = 0; key < p->n_keys; key++)
        free(keys[key].text);
    free(keys);
    gsl_rng_free(r);
    return h;
}

#endif
