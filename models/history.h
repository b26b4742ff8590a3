/* SPDX-License-Identifier: MIT */
/*
 * history.h - a recorded history of operations on keys, built in memory
 * (the simulator's database records one) or read from a Jepsen-style file.
 * Keys and values are interned: an operation names them by small ids, and
 * equal text always gets the same id.
 */
#ifndef MODELS_HISTORY_H
#define MODELS_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"

/* The value id of nil, the etcd register's initial (absent) value. */
#define HISTORY_NIL 0u

/* A t_return meaning "never completed": the operation is open to the end. */
#define HISTORY_OPEN INT64_MAX

/*
 * What the keys of a history are. A register (etcd) starts nil; a kv
 * string register starts "". Keys are independent in both.
 */
enum history_model {
    HISTORY_REGISTER,                   /* read, write, cas */
    HISTORY_KV                          /* get, put, append */
};

enum history_kind {
    HISTORY_READ,                       /* out: the value it returned */
    HISTORY_WRITE,                      /* arg: the value it sets */
    HISTORY_CAS,                        /* sets arg2 if the value is arg */
    HISTORY_GET,                        /* out: the string it returned */
    HISTORY_PUT,                        /* arg: the string it sets */
    HISTORY_APPEND                      /* arg: the string it appends */
};

/*
 * How an operation ended. A cas whose comparison failed did complete with
 * a known result: it is HISTORY_OK with out = 0 and constrains the value
 * at its linearization point. HISTORY_FAIL is for operations that surely
 * had no effect and say nothing (a read that timed out, a rejected
 * write); the checker ignores them.
 */
enum history_outcome {
    HISTORY_PENDING,                    /* invoked, not completed yet */
    HISTORY_OK,                         /* took effect; output known */
    HISTORY_FAIL,                       /* had no effect, constrains nothing */
    HISTORY_UNKNOWN                     /* may or may not have taken effect */
};

/*
 * One operation. Callers may read every field. Times are in any unit;
 * only their order matters. An operation with a pending or unknown
 * outcome stays open to the end of the history (t_return HISTORY_OPEN).
 */
struct history_op {
    int64_t t_call;                     /* invocation time */
    int64_t t_return;                   /* completion time, or HISTORY_OPEN */
    uint32_t process;                   /* the client process that issued it */
    uint32_t key;                       /* key id */
    uint32_t arg;                       /* value id: written, appended, or
                                           the value a cas expects */
    uint32_t arg2;                      /* cas: value id it sets */
    uint32_t out;                       /* read/get: value id returned;
                                           cas: 1 swapped, 0 compare failed */
    uint8_t kind;                       /* enum history_kind */
    uint8_t outcome;                    /* enum history_outcome */
};

/* Opaque: operations, plus the tables of key and value texts. */
struct history;

/* A new, empty history of the given model, or NULL when out of memory. */
struct history *history_new(enum history_model model);

/* Frees h and everything it holds; NULL is allowed. */
void history_free(struct history *h);

/*
 * Reads a history file (format detected: etcd log lines or kv maps, see
 * history_parse). On success returns 0 and sets *out, which the caller
 * frees with history_free. Returns SIM_EIO when the file cannot be read,
 * SIM_EINVAL for bad input, SIM_ENOMEM; err says "path:line:col: what".
 */
int history_load(const char *path, struct history **out,
                 struct sim_error *err);

/*
 * Parses the history in text[0..len), naming it `name` in messages. The
 * format is told by the first non-blank line: one that starts with '{'
 * holds one EDN map per line
 *     {:process 0, :type :invoke, :f :append, :key "k", :value "x"}
 * (a kv history); any other holds Jepsen etcd log lines, whatever prefix
 * then a lone "-", then PROCESS TYPE F VALUE (a register history, with one
 * key named "register"). Times are line numbers. Lines whose process is
 * :nemesis are skipped. Invocations never completed stay open (pending).
 * Returns as history_load does.
 */
int history_parse(const char *name, const char *text, size_t len,
                  struct history **out, struct sim_error *err);

/*
 * Interns a key or a value given as text (len bytes, no NUL inside) or as
 * an integer (stored as its decimal text), setting *id. Returns 0 or
 * SIM_ENOMEM.
 */
int history_key(struct history *h, const char *text, size_t len,
                uint32_t *id);
int history_key_int(struct history *h, uint64_t key, uint32_t *id);
int history_value(struct history *h, const char *text, size_t len,
                  uint32_t *id);
int history_value_int(struct history *h, int64_t value, uint32_t *id);

/*
 * Records an invocation. From op it takes t_call, process, kind, key, arg
 * and arg2 (the rest is ignored); the new operation is pending, and
 * *index (which may be NULL) names it for history_complete. Returns 0,
 * SIM_EINVAL when the kind belongs to the other model or an id is not
 * interned, or SIM_ENOMEM.
 */
int history_invoke(struct history *h, const struct history_op *op,
                   size_t *index);

/*
 * Completes the pending operation `index` with outcome HISTORY_OK,
 * HISTORY_FAIL or HISTORY_UNKNOWN at time t_return (ignored for unknown:
 * the operation stays open). out is the value id a read or get returned,
 * or 1/0 for a cas that swapped or found another value; it is ignored
 * otherwise. Returns 0, or SIM_EINVAL when the operation is not pending,
 * t_return is before t_call, or out is not an interned value.
 */
int history_complete(struct history *h, size_t index, int outcome,
                     uint32_t out, int64_t t_return);

/* The model h was created with. */
enum history_model history_model(const struct history *h);

/*
 * Operations in the order they were recorded; index < history_n_ops. The
 * pointer stays valid until the next history_invoke.
 */
size_t history_n_ops(const struct history *h);
const struct history_op *history_op(const struct history *h, size_t index);

/* Ids below these counts are interned keys and values (nil included). */
size_t history_n_keys(const struct history *h);
size_t history_n_values(const struct history *h);

/*
 * The text of a key or value id, NUL-terminated and owned by h; *len
 * (which may be NULL) gets its length. The text of HISTORY_NIL is "nil".
 * The pointer stays valid until h is freed or another text is interned.
 */
const char *history_key_name(const struct history *h, uint32_t key);
const char *history_value_text(const struct history *h, uint32_t value,
                               size_t *len);

/* Lowercase names: "read", "cas", "append"; "ok", "unknown". */
const char *history_kind_name(int kind);
const char *history_outcome_name(int outcome);

#endif
