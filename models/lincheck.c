/* SPDX-License-Identifier: MIT */
/*
 * lincheck.c - linearizability by Wing & Gong's search with Lowe's cache,
 * one key at a time (keys are independent, so a history is linearizable
 * exactly when each key's sub-history is).
 *
 * The invariant of the search: the list holds the call and return entries
 * of the operations not yet linearized, in time order, and the cache holds
 * every (linearized set, model state) pair ever reached, so no pair is
 * explored twice. A set is stored as the count k of required operations
 * all linearized (in invocation order) plus the bits from k to the last
 * one linearized, and the bits of the optional ones: a few words, where a
 * whole bitset would make memory grow with the square of the history.
 * All memory is sized once per history or grown by doubling; a search
 * step allocates nothing.
 */
#include "models/lincheck.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/error.h"
#include "sim/grow.h"

#define CLOCK_EVERY 4096u               /* search steps between clock reads */
#define RETURN_ENTRY (-1)               /* match[] of a return entry */
#define POLY_BASE 0x100000001b3u        /* odd multiplier of string hashes */
#define NO_STATE UINT32_MAX             /* "no prefix" for kv_lookup */
#define SORT_MOVES_PER_ITEM 8           /* insertion sort budget per item */
#define KV_KEEP_SLOTS 65536             /* kv index kept from key to key */
#define RENDER_MAX_OPS 60               /* operations listed, at most */
#define PREFETCH_AHEAD 8                /* load_key reads this far ahead */

/* What one search concluded; errors are negative sim_status values. */
enum lc_status { LC_LINEARIZABLE, LC_VIOLATION, LC_TIMEOUT };

/* One operation of the key being checked, ready for the model. */
struct lc_op {
    int64_t t_call;                     /* invocation time */
    int64_t t_return;                   /* completion, or HISTORY_OPEN */
    uint64_t piece_hash;                /* append: hash of its string */
    uint64_t piece_pow;                 /* append: POLY_BASE^length */
    uint32_t src;                       /* index in the history */
    uint32_t a;                         /* read: state it saw; write: state
                                           it sets; cas: state it expects;
                                           append: value id of the piece */
    uint32_t b;                         /* cas: state it sets */
    uint8_t kind;                       /* enum history_kind */
    bool is_optional;                   /* outcome unknown: may be left out */
    bool is_swapped;                    /* cas: known to have swapped */
    bool is_sourced;                    /* shrinking: some op of the key can
                                           produce the value it observed */
};

/* A call or a return, for sorting into the list. */
struct lc_event {
    int64_t time;
    uint32_t pos;                       /* its operation's position */
    uint32_t is_return;
};

/*
 * Where the search stands. Positions number the selected operations:
 * required ones first, in invocation order, then the optional ones.
 */
struct lc_walk {
    uint64_t hset;                      /* hash of the linearized set */
    uint32_t state;                     /* model state */
    uint32_t k;                         /* positions below k all linearized,
                                           k itself not */
    uint32_t end_req;                   /* 1 + last required one linearized */
    uint32_t end_opt;                   /* 1 + last optional one (counted
                                           from the first optional) */
    uint32_t n_done;                    /* required operations linearized */
    uint32_t depth;                     /* frames on the stack */
};

/* The way back from one linearized operation. */
struct lc_frame {
    int32_t entry;                      /* its call entry */
    struct lc_walk before;              /* the walk before it */
};

/* One visited (set, state) pair; its set words are in lc_cache.words. */
struct lc_entry {
    uint64_t hash;                      /* of the set and the state */
    size_t off;                         /* first word in lc_cache.words */
    uint32_t state;
    uint32_t k;                         /* as in lc_walk */
    uint32_t n_req;                     /* required words, from word k/64 */
    uint32_t n_opt;                     /* optional words, from the first */
};

/* The visited (set, state) pairs: entries plus an open-addressing index. */
struct lc_cache {
    struct lc_entry *entries;
    size_t n, cap;                      /* entries used, allocated */
    uint64_t *words;                    /* the entries' set words */
    size_t n_words, cap_words;          /* words used, allocated */
    uint32_t *slots;                    /* entry + 1, or 0 when empty */
    size_t n_slots, cap_slots;          /* in use (a power of two), allocated */
};

/* Distinct strings, the states of the kv model. */
struct lc_kv {
    char *text;                         /* the strings, back to back */
    size_t n_text, cap_text;            /* bytes used, allocated */
    struct lc_str *strs;                /* state id -> string */
    size_t n, cap;                      /* strings used, allocated */
    uint32_t *slots;                    /* state id + 1, or 0 when empty */
    size_t n_slots;                     /* a power of two, or 0 */
};

struct lc_str {
    uint64_t hash;                      /* polynomial hash of the text */
    size_t off;                         /* first byte in lc_kv.text */
    size_t len;                         /* length in bytes */
};

/* The two earliest invocations of operations that may write a value. */
struct lc_source {
    int64_t t_first;                    /* earliest invocation */
    int64_t t_second;                   /* the next one, or HISTORY_OPEN */
    uint32_t first;                     /* ops[] index of the earliest */
};

/* Growable text, for explanations; failures stick in is_broken. */
struct lc_text {
    char *s;
    size_t n, cap;
    bool is_broken;                     /* an allocation failed */
};

struct lc {
    const struct history *h;
    bool is_kv;                         /* the kv model, else the register */
    double deadline;                    /* on the monotonic clock, s */
    uint64_t steps;                     /* search steps so far */
    size_t *bucket_start;               /* per key: first index in bucket */
    size_t *bucket;                     /* history indices grouped by key */
    size_t max_ops;                     /* size of the largest bucket */
    struct lc_op *ops;                  /* the current key's operations */
    size_t n_ops;
    uint32_t init;                      /* the model's initial state */
    uint32_t *sel;                      /* operations (ops[] indices) the
                                           next search covers */
    size_t n_sel;
    size_t n_required;                  /* of which not optional */
    uint32_t *cur;                      /* shrinking: the set so far */
    struct lc_event *events;            /* 2 * max_ops */
    int32_t *next, *prev;               /* the list; entry 0 is its head */
    int32_t *match;                     /* call: its return entry, 0 if none;
                                           return: RETURN_ENTRY */
    uint32_t *pos_of;                   /* entry -> position (see lc_walk) */
    uint32_t *op_at;                    /* position -> ops[] index */
    int32_t *ret_of;                    /* position -> its return entry */
    uint64_t *zob;                      /* position -> random bits for hset */
    uint64_t *bits;                     /* the linearized set: required
                                           positions, then optional ones */
    uint64_t *bits_opt;                 /* where the optional ones start */
    struct lc_frame *stack;
    struct lc_cache cache;
    struct lc_kv kv;
    uint32_t *stamp;                    /* per value id: gen of the rest */
    struct lc_source *sources;          /* per value id: its earliest
                                           writers, valid when stamp is gen */
    uint32_t gen;                       /* current stamp generation */
    unsigned char *reach;               /* kv_reachable's positions */
    size_t cap_reach;
};

/* --- small tools -------------------------------------------------------- */

static double clock_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static uint64_t state_hash(uint32_t state)
{
    return mix64((uint64_t)state + 0x632be59bd9b4e019u);
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;

    while (p < n)
        p *= 2;
    return p;
}

/* Bytes the cache and the kv strings hold now. */
static size_t lc_memory(const struct lc *c)
{
    const struct lc_cache *k = &c->cache;

    return k->cap_words * 8 + k->cap * sizeof(struct lc_entry) +
           k->cap_slots * 4 +
           c->kv.cap_text + c->kv.cap * sizeof(struct lc_str) +
           c->kv.n_slots * 4;
}

/* SIM_ELIMIT when adding `extra` bytes would pass the memory cap. */
static int lc_budget(const struct lc *c, size_t extra)
{
    return lc_memory(c) + extra > LINCHECK_MEMORY_CAP ? SIM_ELIMIT : 0;
}

/* --- kv strings --------------------------------------------------------- */

static uint64_t poly_hash(const char *s, size_t len, uint64_t *pow)
{
    uint64_t h = 0, p = 1;

    for (size_t i = 0; i < len; i++) {
        h = h * POLY_BASE + (unsigned char)s[i] + 1;
        p *= POLY_BASE;
    }
    if (pow != NULL)
        *pow = p;
    return h;
}

/* Forgets every string; a large index is dropped rather than cleared. */
static void kv_reset(struct lc_kv *kv)
{
    kv->n = 0;
    kv->n_text = 0;
    if (kv->n_slots > KV_KEEP_SLOTS) {
        free(kv->slots);
        kv->slots = NULL;
        kv->n_slots = 0;
    }
    if (kv->n_slots > 0)
        memset(kv->slots, 0, kv->n_slots * sizeof *kv->slots);
}

static int kv_rehash(struct lc *c)
{
    struct lc_kv *kv = &c->kv;
    size_t n_slots = kv->n_slots ? kv->n_slots * 2 : 256;
    uint32_t *slots;
    int rc;

    if ((rc = lc_budget(c, n_slots * 4)) < 0)
        return rc;
    slots = calloc(n_slots, sizeof *slots);
    if (slots == NULL)
        return SIM_ENOMEM;
    for (size_t id = 0; id < kv->n; id++) {
        size_t i = mix64(kv->strs[id].hash) & (n_slots - 1);

        while (slots[i] != 0)
            i = (i + 1) & (n_slots - 1);
        slots[i] = (uint32_t)id + 1;
    }
    free(kv->slots);
    kv->slots = slots;
    kv->n_slots = n_slots;
    return 0;
}

/* Whether string id equals the prefix state's text followed by piece. */
static bool kv_equal(const struct lc_kv *kv, uint32_t id, uint32_t prefix,
                     const char *piece, size_t n_piece)
{
    const struct lc_str *s = &kv->strs[id];
    size_t n_pre = prefix == NO_STATE ? 0 : kv->strs[prefix].len;

    if (s->len != n_pre + n_piece)
        return false;
    if (n_pre > 0 &&
        memcmp(kv->text + s->off, kv->text + kv->strs[prefix].off, n_pre))
        return false;
    return memcmp(kv->text + s->off + n_pre, piece, n_piece) == 0;
}

/* Stores prefix + piece as a new string; it must not be there yet. */
static int kv_add(struct lc *c, uint64_t hash, uint32_t prefix,
                  const char *piece, size_t n_piece, uint32_t *id)
{
    struct lc_kv *kv = &c->kv;
    size_t n_pre = prefix == NO_STATE ? 0 : kv->strs[prefix].len;
    size_t need = kv->n_text + n_pre + n_piece;
    int rc;

    if ((rc = lc_budget(c, need > kv->cap_text ? need : 0)) < 0)
        return rc;
    if (kv->n + 1 >= NO_STATE ||
        !sim_grow((void **)&kv->strs, &kv->cap, sizeof *kv->strs, kv->n + 1) ||
        !sim_grow((void **)&kv->text, &kv->cap_text, 1, need + 1))
        return SIM_ENOMEM;
    /* Copy only now: growing the text may have moved the prefix. */
    if (n_pre > 0)
        memcpy(kv->text + kv->n_text, kv->text + kv->strs[prefix].off,
               n_pre);
    if (n_piece > 0)
        memcpy(kv->text + kv->n_text + n_pre, piece, n_piece);
    kv->strs[kv->n] = (struct lc_str){hash, kv->n_text, n_pre + n_piece};
    kv->n_text = need;
    *id = (uint32_t)kv->n++;
    return 0;
}

/* The state id of prefix's text (or "" for NO_STATE) followed by piece. */
static int kv_lookup(struct lc *c, uint64_t hash, uint32_t prefix,
                     const char *piece, size_t n_piece, uint32_t *id)
{
    struct lc_kv *kv = &c->kv;
    size_t i;
    int rc;

    if (2 * (kv->n + 1) > kv->n_slots && (rc = kv_rehash(c)) < 0)
        return rc;
    for (i = mix64(hash) & (kv->n_slots - 1); kv->slots[i] != 0;
         i = (i + 1) & (kv->n_slots - 1)) {
        uint32_t s = kv->slots[i] - 1;

        if (kv->strs[s].hash == hash &&
            kv_equal(kv, s, prefix, piece, n_piece)) {
            *id = s;
            return 0;
        }
    }
    if ((rc = kv_add(c, hash, prefix, piece, n_piece, id)) < 0)
        return rc;
    kv->slots[i] = *id + 1;
    return 0;
}

/* The kv state of a value's text; nil counts as "". */
static int kv_of_value(struct lc *c, uint32_t value, uint32_t *id)
{
    size_t len = 0;
    const char *text = value == HISTORY_NIL
                       ? "" : history_value_text(c->h, value, &len);

    return kv_lookup(c, poly_hash(text, len, NULL), NO_STATE, text, len, id);
}

static int kv_append(struct lc *c, uint32_t state, const struct lc_op *op,
                     uint32_t *next)
{
    uint64_t hash = c->kv.strs[state].hash * op->piece_pow + op->piece_hash;
    size_t len = 0;
    const char *text = op->a == HISTORY_NIL
                       ? "" : history_value_text(c->h, op->a, &len);

    return kv_lookup(c, hash, state, text, len, next);
}

/* --- the models --------------------------------------------------------- */

/*
 * Applies op to state: 1 (with *next set) when the op may take effect
 * there, 0 when its recorded result rules that out, or an error.
 */
static int model_step(struct lc *c, const struct lc_op *op, uint32_t state,
                      uint32_t *next)
{
    switch (op->kind) {
    case HISTORY_READ:
    case HISTORY_GET:
        *next = state;
        return state == op->a;
    case HISTORY_WRITE:
    case HISTORY_PUT:
        *next = op->a;
        return 1;
    case HISTORY_CAS:
        if (state == op->a) {
            *next = op->b;
            return op->is_optional || op->is_swapped;
        }
        *next = state;
        return op->is_optional || !op->is_swapped;
    case HISTORY_APPEND: {
        int rc = kv_append(c, state, op, next);

        return rc < 0 ? rc : 1;
    }
    }
    return 0;
}

/* Fills the model arguments of o from the history's op. */
static int load_args(struct lc *c, const struct history_op *op,
                     struct lc_op *o)
{
    bool is_read = op->kind == HISTORY_READ || op->kind == HISTORY_GET;
    uint32_t value = is_read ? op->out : op->arg;
    size_t len = 0;
    const char *text;

    o->b = op->arg2;
    if (!c->is_kv) {
        o->a = value;
        return 0;
    }
    if (op->kind != HISTORY_APPEND)
        return kv_of_value(c, value, &o->a);
    o->a = op->arg;
    text = op->arg == HISTORY_NIL ? "" : history_value_text(c->h, op->arg,
                                                             &len);
    o->piece_hash = poly_hash(text, len, &o->piece_pow);
    return 0;
}

/* Orders operations by invocation, then completion, then recording. */
static int op_cmp(const void *pa, const void *pb)
{
    const struct lc_op *a = pa, *b = pb;

    if (a->t_call != b->t_call)
        return a->t_call < b->t_call ? -1 : 1;
    if (a->t_return != b->t_return)
        return a->t_return < b->t_return ? -1 : 1;
    return (a->src > b->src) - (a->src < b->src);
}

/*
 * Sorts by op_cmp. Histories are recorded in nearly that order, so an
 * insertion sort usually wins; past its budget of moves, qsort finishes.
 */
static void sort_ops(struct lc_op *ops, size_t n)
{
    size_t budget = SORT_MOVES_PER_ITEM * n;

    for (size_t i = 1; i < n; i++) {
        struct lc_op x = ops[i];
        size_t j = i;

        for (; j > 0 && op_cmp(&ops[j - 1], &x) > 0 && budget > 0; j--) {
            ops[j] = ops[j - 1];
            budget--;
        }
        ops[j] = x;
        if (budget == 0) {
            qsort(ops, n, sizeof *ops, op_cmp);
            return;
        }
    }
}

/*
 * Asks the CPU to fetch the history's operations bucket[from..from + n)
 * (those that exist). A key's operations lie scattered through the
 * history, and waiting for each one would dominate the time of a check.
 */
static void prefetch_ops(const struct lc *c, size_t from, size_t n)
{
    size_t end = c->bucket_start[history_n_keys(c->h)];

    for (size_t j = from; j < from + n && j < end; j++)
        __builtin_prefetch(history_op(c->h, c->bucket[j]));
}

/*
 * Loads the operations of one key, in invocation order. Failed operations
 * and reads whose result is unknown say nothing and are left out.
 */
static int load_key(struct lc *c, uint32_t key)
{
    int rc;

    c->n_ops = 0;
    if (c->is_kv) {
        kv_reset(&c->kv);
        if ((rc = kv_of_value(c, HISTORY_NIL, &c->init)) < 0)
            return rc;
    } else {
        c->init = HISTORY_NIL;
    }
    for (size_t j = c->bucket_start[key]; j < c->bucket_start[key + 1]; j++) {
        const struct history_op *op = history_op(c->h, c->bucket[j]);

        prefetch_ops(c, j + PREFETCH_AHEAD, 1);
        bool is_open = op->outcome == HISTORY_PENDING ||
                       op->outcome == HISTORY_UNKNOWN;
        struct lc_op *o = &c->ops[c->n_ops];

        if (op->outcome == HISTORY_FAIL || (is_open && (op->kind ==
            HISTORY_READ || op->kind == HISTORY_GET)))
            continue;
        memset(o, 0, sizeof *o);
        o->t_call = op->t_call;
        o->t_return = is_open ? HISTORY_OPEN : op->t_return;
        o->src = (uint32_t)c->bucket[j];
        o->kind = op->kind;
        o->is_optional = is_open;
        o->is_swapped = op->kind == HISTORY_CAS && op->out == 1;
        if ((rc = load_args(c, op, o)) < 0)
            return rc;
        c->n_ops++;
    }
    sort_ops(c->ops, c->n_ops);
    return 0;
}

/* --- the cache of visited (set, state) pairs ---------------------------- */

/* Empties the cache for a search over n operations. */
static int cache_reset(struct lc *c, size_t n)
{
    struct lc_cache *k = &c->cache;
    size_t n_slots = pow2_at_least(n < 32 ? 64 : 2 * n);

    if (n_slots > k->cap_slots) {
        uint32_t *p = realloc(k->slots, n_slots * sizeof *p);

        if (p == NULL)
            return SIM_ENOMEM;
        k->slots = p;
        k->cap_slots = n_slots;
    }
    k->n_slots = n_slots;
    memset(k->slots, 0, n_slots * sizeof *k->slots);
    k->n = 0;
    k->n_words = 0;
    return 0;
}

/* Doubles the index and re-inserts every entry. */
static int cache_rehash(struct lc *c)
{
    struct lc_cache *k = &c->cache;
    size_t n_slots = k->n_slots * 2;
    int rc;

    if (n_slots > k->cap_slots) {
        uint32_t *p;

        if ((rc = lc_budget(c, (n_slots - k->cap_slots) * 4)) < 0)
            return rc;
        if ((p = realloc(k->slots, n_slots * sizeof *p)) == NULL)
            return SIM_ENOMEM;
        k->slots = p;
        k->cap_slots = n_slots;
    }
    k->n_slots = n_slots;
    memset(k->slots, 0, n_slots * sizeof *k->slots);
    for (size_t e = 0; e < k->n; e++) {
        size_t i = k->entries[e].hash & (n_slots - 1);

        while (k->slots[i] != 0)
            i = (i + 1) & (n_slots - 1);
        k->slots[i] = (uint32_t)e + 1;
    }
    return 0;
}

/* Makes room for one more entry of n_words words. */
static int cache_grow(struct lc *c, size_t n_words)
{
    struct lc_cache *k = &c->cache;
    size_t extra = 0;
    int rc;

    if (k->n + 1 > k->cap)
        extra += k->cap * sizeof *k->entries;
    if (k->n_words + n_words > k->cap_words)
        extra += k->cap_words * 8 + n_words * 8;
    if ((rc = lc_budget(c, extra)) < 0)
        return rc;
    if (k->n + 1 >= UINT32_MAX)
        return SIM_ELIMIT;
    /* Words for at least one more, so words is never NULL for memcpy. */
    if (!sim_grow((void **)&k->entries, &k->cap, sizeof *k->entries,
                  k->n + 1) ||
        !sim_grow((void **)&k->words, &k->cap_words, 8,
                  k->n_words + n_words + 1))
        return SIM_ENOMEM;
    return 0;
}

/* The words that store w's set: *req (n_req of them), then *opt. */
static struct lc_entry set_words(const struct lc *c, const struct lc_walk *w,
                                 const uint64_t **req, const uint64_t **opt)
{
    struct lc_entry key = {.state = w->state, .k = w->k};

    if (w->end_req > w->k)
        key.n_req = (w->end_req - 1) / 64 - w->k / 64 + 1;
    key.n_opt = w->end_opt == 0 ? 0 : (w->end_opt - 1) / 64 + 1;
    *req = c->bits + w->k / 64;
    *opt = c->bits_opt;
    return key;
}

static bool entry_is(const struct lc_cache *k, const struct lc_entry *e,
                     const struct lc_entry *key, const uint64_t *req,
                     const uint64_t *opt)
{
    const uint64_t *words = k->words + e->off;

    return e->hash == key->hash && e->state == key->state &&
           e->k == key->k && e->n_req == key->n_req &&
           e->n_opt == key->n_opt &&
           memcmp(words, req, key->n_req * 8) == 0 &&
           memcmp(words + key->n_req, opt, key->n_opt * 8) == 0;
}

/*
 * Adds the set and state of w (with c->bits up to date): 1 when the pair
 * is new, 0 when it was there already, or an error (SIM_ELIMIT at the
 * memory cap).
 */
static int cache_add(struct lc *c, const struct lc_walk *w)
{
    struct lc_cache *k = &c->cache;
    const uint64_t *req, *opt;
    struct lc_entry key = set_words(c, w, &req, &opt);
    size_t i;
    int rc;

    key.hash = w->hset ^ state_hash(w->state);
    for (i = key.hash & (k->n_slots - 1); k->slots[i] != 0;
         i = (i + 1) & (k->n_slots - 1))
        if (entry_is(k, &k->entries[k->slots[i] - 1], &key, req, opt))
            return 0;
    if ((rc = cache_grow(c, key.n_req + key.n_opt)) < 0)
        return rc;
    key.off = k->n_words;
    memcpy(k->words + k->n_words, req, key.n_req * 8);
    memcpy(k->words + k->n_words + key.n_req, opt, key.n_opt * 8);
    k->n_words += key.n_req + key.n_opt;
    k->entries[k->n] = key;
    k->slots[i] = (uint32_t)++k->n;
    if (2 * k->n > k->n_slots && (rc = cache_rehash(c)) < 0)
        return rc;
    return 1;
}

/* --- the search --------------------------------------------------------- */

/* Orders returns by time, then by position. */
static int return_cmp(const void *pa, const void *pb)
{
    const struct lc_event *a = pa, *b = pb;

    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Sorts returns by return_cmp, as sort_ops does. */
static void sort_returns(struct lc_event *ev, size_t n)
{
    size_t budget = SORT_MOVES_PER_ITEM * n;

    for (size_t i = 1; i < n; i++) {
        struct lc_event x = ev[i];
        size_t j = i;

        for (; j > 0 && return_cmp(&ev[j - 1], &x) > 0 && budget > 0; j--) {
            ev[j] = ev[j - 1];
            budget--;
        }
        ev[j] = x;
        if (budget == 0) {
            qsort(ev, n, sizeof *ev, return_cmp);
            return;
        }
    }
}

/* Appends entry e (for event ev) to the end of the list. */
static void append_entry(struct lc *c, int32_t e, const struct lc_event *ev)
{
    c->next[e - 1] = e;
    c->prev[e] = e - 1;
    c->pos_of[e] = ev->pos;
    c->match[e] = RETURN_ENTRY;
    if (ev->is_return)
        c->ret_of[ev->pos] = e;
}

/*
 * Builds the time-ordered list of calls and returns of c->sel, numbering
 * positions as lc_walk says. Calls are already in order (sel follows ops,
 * sorted by invocation); sorted returns are merged in, after calls of the
 * same instant, so operations that meet at one instant overlap.
 */
static void build_list(struct lc *c)
{
    struct lc_event *rets = c->events + c->n_sel;
    size_t n_ret = 0, i_ret = 0, n_ev = 0, i_call = 0;
    uint32_t n_req = 0, n_opt = 0;

    for (size_t p = 0; p < c->n_sel; p++)
        n_req += !c->ops[c->sel[p]].is_optional;
    for (size_t p = 0; p < c->n_sel; p++) {
        const struct lc_op *op = &c->ops[c->sel[p]];
        uint32_t pos = op->is_optional ? n_req + n_opt++ : (uint32_t)n_ret;

        c->op_at[pos] = c->sel[p];
        c->events[p] = (struct lc_event){op->t_call, pos, 0};
        c->ret_of[pos] = 0;
        if (!op->is_optional)
            rets[n_ret++] = (struct lc_event){op->t_return, pos, 1};
    }
    c->n_required = n_ret;
    c->bits_opt = c->bits + (n_req + 63) / 64;
    sort_returns(rets, n_ret);
    while (i_call < c->n_sel || i_ret < n_ret) {
        const struct lc_event *ev;

        if (i_call < c->n_sel && (i_ret == n_ret ||
                                  c->events[i_call].time <= rets[i_ret].time))
            ev = &c->events[i_call++];
        else
            ev = &rets[i_ret++];
        append_entry(c, (int32_t)++n_ev, ev);
    }
    c->next[n_ev] = 0;
    c->prev[0] = (int32_t)n_ev;
    /* Every return comes after its call, so ret_of is complete by now. */
    for (int32_t e = 1; e <= (int32_t)n_ev; e++)
        if (c->ret_of[c->pos_of[e]] != e)
            c->match[e] = c->ret_of[c->pos_of[e]];
}

static void unlink_entry(struct lc *c, int32_t e)
{
    c->next[c->prev[e]] = c->next[e];
    c->prev[c->next[e]] = c->prev[e];
}

static void relink_entry(struct lc *c, int32_t e)
{
    c->prev[c->next[e]] = e;
    c->next[c->prev[e]] = e;
}

/* Takes a call and its return out of the list. */
static void lift(struct lc *c, int32_t e)
{
    unlink_entry(c, e);
    if (c->match[e] > 0)
        unlink_entry(c, c->match[e]);
}

/* Puts them back, in the reverse order of lift. */
static void unlift(struct lc *c, int32_t e)
{
    if (c->match[e] > 0)
        relink_entry(c, c->match[e]);
    relink_entry(c, e);
}

/* The first required position from `from` on that is not linearized. */
static uint32_t next_open(const struct lc *c, uint32_t from)
{
    size_t i = from / 64, last = (c->n_required - 1) / 64;
    uint64_t free_bits;

    if (from >= c->n_required)
        return (uint32_t)c->n_required;
    free_bits = ~c->bits[i] & (~(uint64_t)0 << (from % 64));
    while (free_bits == 0 && ++i <= last)
        free_bits = ~c->bits[i];
    if (free_bits == 0)
        return (uint32_t)c->n_required;
    return (uint32_t)(i * 64 + (size_t)__builtin_ctzll(free_bits));
}

/* Marks position pos linearized in c->bits and in w. */
static void walk_add(struct lc *c, struct lc_walk *w, uint32_t pos)
{
    w->hset ^= c->zob[pos];
    if (pos >= c->n_required) {
        uint32_t q = pos - (uint32_t)c->n_required;

        c->bits_opt[q / 64] |= (uint64_t)1 << (q % 64);
        w->end_opt = q + 1 > w->end_opt ? q + 1 : w->end_opt;
        return;
    }
    c->bits[pos / 64] |= (uint64_t)1 << (pos % 64);
    w->end_req = pos + 1 > w->end_req ? pos + 1 : w->end_req;
    w->n_done++;
    if (pos == w->k)
        w->k = next_open(c, pos + 1);
}

/* Clears position pos in c->bits (the walk is restored from a frame). */
static void bits_clear(struct lc *c, uint32_t pos)
{
    if (pos >= c->n_required) {
        uint32_t q = pos - (uint32_t)c->n_required;

        c->bits_opt[q / 64] &= ~((uint64_t)1 << (q % 64));
    } else {
        c->bits[pos / 64] &= ~((uint64_t)1 << (pos % 64));
    }
}

/*
 * Tries to linearize the call at entry e next: 1 when it did (pushing a
 * frame), 0 when the model or the cache says no, or an error.
 */
static int try_call(struct lc *c, int32_t e, struct lc_walk *w)
{
    uint32_t pos = c->pos_of[e];
    const struct lc_op *op = &c->ops[c->op_at[pos]];
    struct lc_walk next = *w;
    int rc = model_step(c, op, w->state, &next.state);

    if (rc <= 0)
        return rc;
    /* An optional op that changes nothing is as good as left out. */
    if (op->is_optional && next.state == w->state)
        return 0;
    walk_add(c, &next, pos);
    rc = cache_add(c, &next);
    if (rc <= 0) {
        bits_clear(c, pos);
        return rc;
    }
    c->stack[w->depth] = (struct lc_frame){e, *w};
    next.depth++;
    *w = next;
    lift(c, e);
    return 1;
}

/* Undoes the latest linearization; returns the entry to try next. */
static int32_t backtrack(struct lc *c, struct lc_walk *w)
{
    const struct lc_frame *f = &c->stack[w->depth - 1];

    bits_clear(c, c->pos_of[f->entry]);
    *w = f->before;
    unlift(c, f->entry);
    return c->next[f->entry];
}

/*
 * Searches for a linearization of c->sel. Returns an lc_status, or
 * SIM_ELIMIT at the memory cap, or SIM_ENOMEM.
 */
static int search(struct lc *c)
{
    struct lc_walk w = {.state = c->init};
    size_t n_opt;
    int32_t e;
    int rc;

    build_list(c);
    n_opt = c->n_sel - c->n_required;
    if ((rc = cache_reset(c, c->n_sel)) < 0)
        return rc;
    memset(c->bits, 0, ((c->n_required + 63) / 64 + (n_opt + 63) / 64) *
           sizeof *c->bits);
    e = c->next[0];
    while (w.n_done < c->n_required) {
        assert(e != 0);
        if (++c->steps % CLOCK_EVERY == 0 && clock_s() > c->deadline)
            return LC_TIMEOUT;
        if (c->match[e] == RETURN_ENTRY) {
            if (w.depth == 0)
                return LC_VIOLATION;
            e = backtrack(c, &w);
            continue;
        }
        rc = try_call(c, e, &w);
        if (rc < 0)
            return rc;
        e = rc > 0 ? c->next[0] : c->next[e];
    }
    return LC_LINEARIZABLE;
}

/* --- setting up --------------------------------------------------------- */

/* Groups the history's operations by key (a counting sort). */
static int group_keys(struct lc *c)
{
    size_t n_keys = history_n_keys(c->h), n = history_n_ops(c->h);

    c->bucket_start = calloc(n_keys + 2, sizeof *c->bucket_start);
    c->bucket = malloc((n ? n : 1) * sizeof *c->bucket);
    if (c->bucket_start == NULL || c->bucket == NULL)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        c->bucket_start[history_op(c->h, i)->key + 2]++;
    for (size_t k = 0; k < n_keys; k++) {
        size_t size = c->bucket_start[k + 2];

        if (size > c->max_ops)
            c->max_ops = size;
        c->bucket_start[k + 2] += c->bucket_start[k + 1];
    }
    for (size_t i = 0; i < n; i++)
        c->bucket[c->bucket_start[history_op(c->h, i)->key + 1]++] = i;
    return 0;
}

static int lc_init(struct lc *c, const struct history *h)
{
    size_t m;

    memset(c, 0, sizeof *c);
    c->h = h;
    c->is_kv = history_model(h) == HISTORY_KV;
    if (group_keys(c) < 0)
        return SIM_ENOMEM;
    m = c->max_ops + 1;
    c->ops = malloc(m * sizeof *c->ops);
    c->sel = malloc(m * sizeof *c->sel);
    c->cur = malloc(m * sizeof *c->cur);
    c->events = malloc(2 * m * sizeof *c->events);
    c->next = malloc((2 * m + 1) * sizeof *c->next);
    c->prev = malloc((2 * m + 1) * sizeof *c->prev);
    c->match = malloc((2 * m + 1) * sizeof *c->match);
    c->pos_of = malloc((2 * m + 1) * sizeof *c->pos_of);
    c->ret_of = malloc(m * sizeof *c->ret_of);
    c->zob = malloc(m * sizeof *c->zob);
    c->bits = malloc((m / 64 + 2) * sizeof *c->bits);
    c->op_at = malloc(m * sizeof *c->op_at);
    c->stack = malloc(m * sizeof *c->stack);
    c->stamp = calloc(history_n_values(h), sizeof *c->stamp);
    c->sources = calloc(history_n_values(h), sizeof *c->sources);
    if (!c->ops || !c->sel || !c->cur || !c->events || !c->next ||
        !c->prev || !c->match || !c->pos_of || !c->ret_of || !c->zob ||
        !c->bits || !c->op_at || !c->stack || !c->stamp || !c->sources)
        return SIM_ENOMEM;
    for (size_t pos = 0; pos < m; pos++)
        c->zob[pos] = mix64(0x9e3779b97f4a7c15u * (pos + 1));
    return 0;
}

static void lc_release(struct lc *c)
{
    free(c->bucket_start);
    free(c->bucket);
    free(c->ops);
    free(c->sel);
    free(c->cur);
    free(c->events);
    free(c->next);
    free(c->prev);
    free(c->match);
    free(c->pos_of);
    free(c->ret_of);
    free(c->zob);
    free(c->bits);
    free(c->op_at);
    free(c->stack);
    free(c->cache.entries);
    free(c->cache.words);
    free(c->cache.slots);
    free(c->kv.text);
    free(c->kv.strs);
    free(c->kv.slots);
    free(c->stamp);
    free(c->sources);
    free(c->reach);
}

/* --- explanations: text ------------------------------------------------- */

static void text_printf(struct lc_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_printf(struct lc_text *t, const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->is_broken || len < 0 ||
        !sim_grow((void **)&t->s, &t->cap, 1, t->n + (size_t)len + 1)) {
        t->is_broken = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)len;
}

/* Writes text in double quotes, escaping what would confuse a reader. */
static void text_quoted(struct lc_text *t, const char *s, size_t len)
{
    text_printf(t, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\')
            text_printf(t, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            text_printf(t, "\\x%02x", ch);
        else
            text_printf(t, "%c", ch);
    }
    text_printf(t, "\"");
}

static void text_value(struct lc_text *t, const struct lc *c, uint32_t value)
{
    size_t len;
    const char *s = history_value_text(c->h, value, &len);

    if (c->is_kv && value != HISTORY_NIL)
        text_quoted(t, s, len);
    else
        text_printf(t, "%s", s);
}

/* "p2 read -> 1", "p1 cas [1 3] -> failed", "p0 append \"x\"". */
static void text_op(struct lc_text *t, const struct lc *c,
                    const struct history_op *op)
{
    text_printf(t, "p%" PRIu32 " %s ", op->process,
                history_kind_name(op->kind));
    if (op->kind == HISTORY_READ || op->kind == HISTORY_GET) {
        text_printf(t, "-> ");
        text_value(t, c, op->out);
    } else if (op->kind == HISTORY_CAS) {
        text_printf(t, "[");
        text_value(t, c, op->arg);
        text_printf(t, " ");
        text_value(t, c, op->arg2);
        text_printf(t, "] -> %s", op->out == 1 ? "ok" : "failed");
    } else {
        text_value(t, c, op->arg);
    }
}

static void text_times(struct lc_text *t, const struct history_op *op)
{
    if (op->outcome != HISTORY_OK)
        text_printf(t, "[invoked %" PRId64 ", outcome unknown]",
                    op->t_call);
    else
        text_printf(t, "[invoked %" PRId64 ", completed %" PRId64 "]",
                    op->t_call, op->t_return);
}

/* --- explanations: keeping every observed value explained ------------- */

/*
 * Shrinking must not drop the write a read depends on: the rest would be
 * "not linearizable" only because the value comes from nowhere, which
 * explains nothing. So a candidate set is kept only if it is closed: each
 * observed value that some operation of the key could produce still has
 * a possible producer in the set.
 */

/* Whether op observes a value (that something must have produced). */
static bool is_observer(const struct lc_op *op)
{
    return op->kind == HISTORY_READ || op->kind == HISTORY_GET ||
           (op->kind == HISTORY_CAS && op->is_swapped);
}

/* The state op sets (a cas, if it swaps), or NO_STATE for none or many. */
static uint32_t written_value(const struct lc_op *op)
{
    if (op->kind == HISTORY_WRITE || op->kind == HISTORY_PUT)
        return op->a;
    if (op->kind == HISTORY_CAS && (op->is_swapped || op->is_optional))
        return op->b;
    return NO_STATE;
}

/* Finds, per register value, the earliest writers among set[0..n). */
static void find_sources(struct lc *c, const uint32_t *set, size_t n)
{
    if (++c->gen == 0) {
        memset(c->stamp, 0, history_n_values(c->h) * sizeof *c->stamp);
        c->gen = 1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];
        uint32_t v = written_value(op);
        struct lc_source *src;

        if (v == NO_STATE)
            continue;
        src = &c->sources[v];
        if (c->stamp[v] != c->gen) {
            c->stamp[v] = c->gen;
            *src = (struct lc_source){HISTORY_OPEN, HISTORY_OPEN, 0};
        }
        if (op->t_call < src->t_first) {
            src->t_second = src->t_first;
            src->t_first = op->t_call;
            src->first = set[i];
        } else if (op->t_call < src->t_second) {
            src->t_second = op->t_call;
        }
    }
}

static bool has_prefix(const char *s, size_t len, size_t at, const char *p,
                       size_t n_p)
{
    return at + n_p <= len && memcmp(s + at, p, n_p) == 0;
}

/*
 * Whether the kv string `op` observed could be built from "" or a put of
 * set[0..n), followed by appends of it, using only operations invoked
 * before op completed (and each more than once: a necessary condition,
 * which is all closure needs).
 */
static bool kv_reachable(struct lc *c, const uint32_t *set, size_t n,
                         const struct lc_op *op)
{
    const struct lc_str *t = &c->kv.strs[op->a];
    const char *s = c->kv.text + t->off;

    if (!sim_grow((void **)&c->reach, &c->cap_reach, 1, t->len + 1))
        return false;
    memset(c->reach, 0, t->len + 1);
    c->reach[0] = 1;
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *w = &c->ops[set[i]];
        const struct lc_str *p = &c->kv.strs[w->a];

        if (w->kind == HISTORY_PUT && w->t_call < op->t_return &&
            has_prefix(s, t->len, 0, c->kv.text + p->off, p->len))
            c->reach[p->len] = 1;
    }
    for (size_t at = 0; at < t->len; at++) {
        for (size_t i = 0; c->reach[at] && i < n; i++) {
            const struct lc_op *w = &c->ops[set[i]];
            size_t len = 0;
            const char *q;

            if (w->kind != HISTORY_APPEND || w->a == HISTORY_NIL ||
                w->t_call >= op->t_return)
                continue;
            q = history_value_text(c->h, w->a, &len);
            if (len > 0 && has_prefix(s, t->len, at, q, len))
                c->reach[at + len] = 1;
        }
    }
    return c->reach[t->len] != 0;
}

/*
 * Whether op's observed value could come from an operation of set[0..n)
 * other than op, invoked before op completed.
 */
static bool is_explained(struct lc *c, const uint32_t *set, size_t n,
                         const struct lc_op *op)
{
    const struct lc_source *src;

    if (op->a == c->init)
        return true;
    if (c->is_kv)
        return clock_s() > c->deadline || kv_reachable(c, set, n, op);
    if (c->stamp[op->a] != c->gen)
        return false;
    src = &c->sources[op->a];
    if (&c->ops[src->first] == op)
        return src->t_second < op->t_return;
    return src->t_first < op->t_return;
}

static bool is_closed(struct lc *c, const uint32_t *set, size_t n)
{
    if (!c->is_kv)
        find_sources(c, set, n);
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];

        if (op->is_sourced && is_observer(op) &&
            !is_explained(c, set, n, op))
            return false;
    }
    return true;
}

/* Sets is_sourced on the observers of the whole key, listed in c->cur. */
static void mark_sourced(struct lc *c)
{
    for (uint32_t i = 0; i < c->n_ops; i++)
        c->cur[i] = i;
    if (!c->is_kv)
        find_sources(c, c->cur, c->n_ops);
    for (uint32_t i = 0; i < c->n_ops; i++) {
        struct lc_op *op = &c->ops[i];

        op->is_sourced = is_observer(op) &&
                         is_explained(c, c->cur, c->n_ops, op);
    }
}

/* Puts c->cur without its entries [from, from + n_drop) into c->sel. */
static void select_without(struct lc *c, size_t n_cur, size_t from,
                           size_t n_drop)
{
    c->n_sel = 0;
    for (size_t i = 0; i < n_cur; i++)
        if (i < from || i >= from + n_drop)
            c->sel[c->n_sel++] = c->cur[i];
}

/*
 * Whether c->sel, which is c->cur without [from, from + n_drop), is still
 * not linearizable and closed: 1 yes, 0 no, LC_TIMEOUT or SIM_ELIMIT
 * when undecided, SIM_ENOMEM. Dropping only unknown outcomes cannot make
 * a history linearizable, so that needs no search.
 */
static int still_fails(struct lc *c, size_t from, size_t n_drop)
{
    bool is_all_optional = true;
    int rc;

    if (!is_closed(c, c->sel, c->n_sel))
        return 0;
    for (size_t i = from; i < from + n_drop; i++)
        is_all_optional &= c->ops[c->cur[i]].is_optional;
    if (is_all_optional)
        return 1;
    rc = search(c);
    if (rc < 0 && rc != SIM_ELIMIT)
        return rc;
    return rc == LC_VIOLATION ? 1 : rc == LC_LINEARIZABLE ? 0
           : rc == LC_TIMEOUT ? LC_TIMEOUT : SIM_ELIMIT;
}

/*
 * One pass over c->cur, trying to drop each run of `chunk` operations in
 * turn. Returns how many it dropped, or SIM_ENOMEM. *is_exhaustive
 * becomes false when a candidate was not decided (time or memory).
 */
static int64_t shrink_pass(struct lc *c, size_t *n, size_t chunk,
                           bool *is_exhaustive)
{
    size_t n_dropped = 0;

    for (size_t i = 0; i < *n;) {
        size_t n_drop = *n - i < chunk ? *n - i : chunk;
        int rc = 0;

        if (n_drop < *n && clock_s() <= c->deadline) {
            select_without(c, *n, i, n_drop);
            rc = still_fails(c, i, n_drop);
        } else {
            *is_exhaustive &= n_drop == *n;
        }
        if (rc == SIM_ENOMEM)
            return rc;
        *is_exhaustive &= rc == 0 || rc == 1;
        if (rc != 1) {
            i += n_drop;
            continue;
        }
        memmove(c->cur + i, c->cur + i + n_drop,
                (*n - i - n_drop) * sizeof *c->cur);
        *n -= n_drop;
        n_dropped += n_drop;
    }
    return (int64_t)n_dropped;
}

/* Drops every unknown outcome at once, if the rest stays closed. */
static void drop_optional(struct lc *c, size_t *n)
{
    c->n_sel = 0;
    for (size_t i = 0; i < *n; i++)
        if (!c->ops[c->cur[i]].is_optional)
            c->sel[c->n_sel++] = c->cur[i];
    if (c->n_sel == *n || !is_closed(c, c->sel, c->n_sel))
        return;
    memcpy(c->cur, c->sel, c->n_sel * sizeof *c->cur);
    *n = c->n_sel;
}

/*
 * Shrinks the failing key's operations into c->cur, a closed set that is
 * still not linearizable: in halving chunks, then one operation at a time
 * until a pass drops nothing, or the budget runs out. Returns the set's
 * size, or SIM_ENOMEM.
 */
static int64_t shrink(struct lc *c, bool *is_minimal)
{
    size_t n = c->n_ops;

    mark_sourced(c);
    drop_optional(c, &n);
    for (size_t chunk = pow2_at_least(n / 2 + 1); chunk >= 1; chunk /= 2) {
        int64_t rc;

        *is_minimal = true;
        rc = shrink_pass(c, &n, chunk, is_minimal);
        if (rc < 0)
            return rc;
        if (chunk == 1 && rc > 0)
            chunk = 2;
    }
    return (int64_t)n;
}

/* --- explanations: a one-line reason ------------------------------------ */

/*
 * The reasons below are stated for the operations shown and hold whatever
 * else is among them: each names the one fact that rules out every order.
 */

#define REASON_MAX_OPS 6                /* larger sets get no reason line */

static bool precedes(const struct lc_op *a, const struct lc_op *b)
{
    return a->t_return < b->t_call;
}

/* Whether kv state v ends with the piece op appends. */
static bool kv_ends_with(const struct lc *c, uint32_t v,
                         const struct lc_op *op)
{
    const struct lc_str *t = &c->kv.strs[v];
    size_t len = 0;
    const char *q = op->a == HISTORY_NIL ? ""
                    : history_value_text(c->h, op->a, &len);

    return len <= t->len &&
           memcmp(c->kv.text + t->off + t->len - len, q, len) == 0;
}

/* Whether op, if it took effect, could leave the state v. */
static bool may_write(const struct lc *c, const struct lc_op *op, uint32_t v)
{
    if (op->kind == HISTORY_APPEND)
        return kv_ends_with(c, v, op);
    return written_value(op) == v;
}

/* Whether op surely took effect and left a state other than v. */
static bool surely_leaves_other(const struct lc *c, const struct lc_op *op,
                                uint32_t v)
{
    uint32_t w = written_value(op);

    if (op->is_optional)
        return false;
    if (op->kind == HISTORY_APPEND)
        return !kv_ends_with(c, v, op);
    return w != NO_STATE && w != v;
}

/* "the write of 3", "the append of \"x\"", "the cas from 1 to 2". */
static void text_update(struct lc_text *t, const struct lc *c,
                        const struct lc_op *op)
{
    const struct history_op *src = history_op(c->h, op->src);

    if (op->kind == HISTORY_CAS) {
        text_printf(t, "the cas from ");
        text_value(t, c, src->arg);
        text_printf(t, " to ");
        text_value(t, c, src->arg2);
        return;
    }
    text_printf(t, "the %s of ", history_kind_name(op->kind));
    text_value(t, c, src->arg);
}

/* "the read returns 3", "the cas from 3 to 4 succeeds". */
static void text_observed(struct lc_text *t, const struct lc *c,
                          const struct lc_op *op)
{
    const struct history_op *src = history_op(c->h, op->src);

    if (op->kind == HISTORY_CAS) {
        text_update(t, c, op);
        text_printf(t, " succeeds");
        return;
    }
    text_printf(t, "the %s returns ", history_kind_name(op->kind));
    text_value(t, c, src->out);
}

/*
 * Counts the operations of set other than o that may write o's value, and
 * in *n_early those invoked before o completed; *w is the last one seen.
 */
static size_t writers_of(const struct lc *c, const uint32_t *set, size_t n,
                         const struct lc_op *o, size_t *n_early,
                         const struct lc_op **w)
{
    size_t n_w = 0;

    *n_early = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];

        if (op != o && may_write(c, op, o->a)) {
            *w = op;
            n_w++;
            *n_early += op->t_call < o->t_return;
        }
    }
    return n_w;
}

/* An op of set that surely left another value between `after` and o. */
static const struct lc_op *overwriter(const struct lc *c, const uint32_t *set,
                                      size_t n, const struct lc_op *after,
                                      const struct lc_op *o)
{
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *x = &c->ops[set[i]];

        if (x != o && surely_leaves_other(c, x, o->a) && precedes(x, o) &&
            (after == NULL || precedes(after, x)))
            return x;
    }
    return NULL;
}

/*
 * Writes the reason observer o cannot be satisfied, if a simple one. A
 * value nobody shown could have written before o completed was written by
 * nobody on the key: shrinking keeps such writers when there are any.
 */
static bool observer_reason(struct lc_text *t, const struct lc *c,
                            const uint32_t *set, size_t n,
                            const struct lc_op *o)
{
    const struct lc_op *w = NULL, *x;
    size_t n_early, n_w = writers_of(c, set, n, o, &n_early, &w);
    const char *kind = history_kind_name(o->kind);

    if (o->a == c->init) {
        if (n_w > 0 || (x = overwriter(c, set, n, NULL, o)) == NULL)
            return false;
        text_printf(t, "the %s %s the initial value, but it began after ",
                    kind, o->kind == HISTORY_CAS ? "expects" : "returns");
        text_update(t, c, x);
        text_printf(t, " completed");
        return true;
    }
    if (n_early == 0 && !o->is_sourced) {
        text_observed(t, c, o);
        text_printf(t, ", but no operation on this key that began before "
                    "it completed may have written that value");
        return true;
    }
    if (n_w != 1 || !precedes(w, o) ||
        (x = overwriter(c, set, n, w, o)) == NULL)
        return false;
    text_observed(t, c, o);
    text_printf(t, ", but ");
    text_update(t, c, w);
    text_printf(t, " completed before ");
    text_update(t, c, x);
    text_printf(t, " began, and the %s began after ", kind);
    text_update(t, c, x);
    text_printf(t, " completed");
    return true;
}

/*
 * The reason a failed cas o cannot be satisfied when a write of the value
 * it expects surely came first and nothing else shown changes the value.
 */
static bool failed_cas_reason(struct lc_text *t, const struct lc *c,
                              const uint32_t *set, size_t n,
                              const struct lc_op *o)
{
    const struct lc_op *w = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];
        uint32_t v = written_value(op);

        if (op == o || v == NO_STATE)
            continue;
        if (w != NULL || v != o->a || op->is_optional || !precedes(op, o))
            return false;
        w = op;
    }
    if (w == NULL)
        return false;
    text_update(t, c, o);
    text_printf(t, " fails, but ");
    text_update(t, c, w);
    text_printf(t, " completed before it began, and no other operation "
                "shown changes the value");
    return true;
}

/* Whether op may change the value (if it took effect). */
static bool is_update(const struct lc_op *op)
{
    return op->kind == HISTORY_APPEND || written_value(op) != NO_STATE;
}

/*
 * The reason when a read o1 and a later observer o2 see different values
 * although every update shown completed before o1 began.
 */
static bool pair_reason(struct lc_text *t, const struct lc *c,
                        const uint32_t *set, size_t n,
                        const struct lc_op *o1, const struct lc_op *o2)
{
    if (o1->kind == HISTORY_CAS || o1->a == o2->a || !precedes(o1, o2))
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];

        if (op != o2 && is_update(op) && !precedes(op, o1))
            return false;
    }
    text_observed(t, c, o1);
    text_printf(t, ", then ");
    text_observed(t, c, o2);
    text_printf(t, ", but all other operations shown that change the "
                "value completed before the first of the two began");
    return true;
}

/*
 * Whether every operation of set that may write u completed before every
 * one that may write v began; *wu and *wv get one of each (or NULL), and
 * *n_u, *n_v how many there are.
 */
static bool writes_precede(const struct lc *c, const uint32_t *set,
                           size_t n, uint32_t u, uint32_t v,
                           const struct lc_op **wu, size_t *n_u,
                           const struct lc_op **wv, size_t *n_v)
{
    *wu = *wv = NULL;
    *n_u = *n_v = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *op = &c->ops[set[i]];

        if (may_write(c, op, u)) {
            *wu = op;
            (*n_u)++;
        }
        if (may_write(c, op, v)) {
            *wv = op;
            (*n_v)++;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (may_write(c, &c->ops[set[i]], u) &&
                may_write(c, &c->ops[set[j]], v) &&
                !precedes(&c->ops[set[i]], &c->ops[set[j]]))
                return false;
    return *n_v > 0;
}

/*
 * The reason when a register's value goes back in time: o1 saw v, then o2,
 * which began after o1 completed, saw u, although every write of u came
 * before every write of v (or u is the initial value).
 */
static bool inversion_reason(struct lc_text *t, const struct lc *c,
                             const uint32_t *set, size_t n,
                             const struct lc_op *o1, const struct lc_op *o2)
{
    const struct lc_op *wu, *wv;
    size_t n_u, n_v;

    if (c->is_kv || o1->a == o2->a || o1->a == c->init ||
        !precedes(o1, o2) ||
        !writes_precede(c, set, n, o2->a, o1->a, &wu, &n_u, &wv, &n_v))
        return false;
    text_observed(t, c, o1);
    text_printf(t, ", then, after it completed, ");
    text_observed(t, c, o2);
    if (o2->a == c->init && n_u == 0) {
        text_printf(t, ", but nothing shown can set the initial value "
                    "again");
    } else if (n_u == 1 && n_v == 1) {
        text_printf(t, ", but ");
        text_update(t, c, wu);
        text_printf(t, " completed before ");
        text_update(t, c, wv);
        text_printf(t, " began, and nothing else shown writes ");
        text_value(t, c, o2->a);
    } else {
        text_printf(t, ", but every operation shown that may write ");
        text_value(t, c, o2->a);
        text_printf(t, " completed before any that may write ");
        text_value(t, c, o1->a);
        text_printf(t, " began");
    }
    return true;
}

/* Tries pair_reason on every pair of observers of set. */
static bool any_pair_reason(struct lc_text *t, const struct lc *c,
                            const uint32_t *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *o1 = &c->ops[set[i]];

        for (size_t j = 0; j < n && is_observer(o1); j++) {
            const struct lc_op *o2 = &c->ops[set[j]];

            if (is_observer(o2) && (pair_reason(t, c, set, n, o1, o2) ||
                                    inversion_reason(t, c, set, n, o1, o2)))
                return true;
        }
    }
    return false;
}

/* A "reason:" line for a small set, when some observer has a plain one. */
static void simple_reason(struct lc_text *t, const struct lc *c,
                          const uint32_t *set, size_t n)
{
    struct lc_text line = {0};

    if (n > REASON_MAX_OPS)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct lc_op *o = &c->ops[set[i]];
        bool is_failed_cas = o->kind == HISTORY_CAS && !o->is_swapped;

        if (o->is_optional || (!is_observer(o) && !is_failed_cas))
            continue;
        line.n = 0;
        if (is_failed_cas ? failed_cas_reason(&line, c, set, n, o)
                          : observer_reason(&line, c, set, n, o))
            break;
    }
    if (line.n == 0)
        any_pair_reason(&line, c, set, n);
    if (line.n > 0 && !line.is_broken)
        text_printf(t, "  reason: %s\n", line.s);
    t->is_broken |= line.is_broken;
    free(line.s);
}

/* One line per operation of c->cur[0..n), with aligned times. */
static void render_ops(struct lc_text *t, const struct lc *c, size_t n)
{
    struct lc_text op = {0};
    size_t width = 0, n_shown = n < RENDER_MAX_OPS ? n : RENDER_MAX_OPS;

    for (size_t i = 0; i < n_shown; i++) {
        op.n = 0;
        text_op(&op, c, history_op(c->h, c->ops[c->cur[i]].src));
        width = op.n > width ? op.n : width;
    }
    for (size_t i = 0; i < n_shown; i++) {
        const struct history_op *src =
            history_op(c->h, c->ops[c->cur[i]].src);

        op.n = 0;
        text_op(&op, c, src);
        text_printf(t, "  %s%*s", op.is_broken ? "" : op.s,
                    (int)(width - op.n + 4), "");
        text_times(t, src);
        text_printf(t, "\n");
    }
    if (n > n_shown)
        text_printf(t, "  ... and %zu more\n", n - n_shown);
    t->is_broken |= op.is_broken;
    free(op.s);
}

static void render(struct lc_text *t, const struct lc *c, const char *key,
                   size_t n, bool is_minimal)
{
    text_printf(t, "key ");
    text_quoted(t, key, strlen(key));
    text_printf(t, n == 1 ? ": no order satisfies this operation"
                          : ": no order satisfies these %zu operations", n);
    text_printf(t, "%s:\n", is_minimal ? "" : " (not minimal: the budget "
                "ran out while shrinking)");
    render_ops(t, c, n);
    simple_reason(t, c, c->cur, n);
}

/* Fills the explanation of a violation found on the current key. */
static int explain(struct lc *c, uint32_t key, struct lincheck_result *res)
{
    double t0 = clock_s();
    struct lc_text t = {0};
    int64_t n = shrink(c, &res->is_minimal);

    if (n < 0)
        return (int)n;
    res->conflict = malloc(((size_t)n + 1) * sizeof *res->conflict);
    if (res->conflict == NULL)
        return SIM_ENOMEM;
    for (int64_t i = 0; i < n; i++)
        res->conflict[i] = c->ops[c->cur[i]].src;
    res->n_conflict = (size_t)n;
    render(&t, c, history_key_name(c->h, key), (size_t)n, res->is_minimal);
    if (t.is_broken) {
        free(t.s);
        return SIM_ENOMEM;
    }
    res->explanation = t.s;
    res->explain_s = clock_s() - t0;
    return 0;
}

/* --- checking every key ------------------------------------------------- */

struct key_size {
    size_t n;                           /* operations on the key */
    uint32_t key;
};

static int key_size_cmp(const void *pa, const void *pb)
{
    const struct key_size *a = pa, *b = pb;

    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return (a->key > b->key) - (a->key < b->key);
}

/* Checks one key: an lc_status, SIM_ELIMIT or SIM_ENOMEM. */
static int check_key(struct lc *c, uint32_t key)
{
    int rc = load_key(c, key);

    if (rc < 0)
        return rc;
    c->n_sel = c->n_ops;
    for (uint32_t i = 0; i < c->n_ops; i++)
        c->sel[i] = i;
    return search(c);
}

static int set_key(struct lincheck_result *res, const struct lc *c,
                   uint32_t key)
{
    free(res->key);
    res->key = strdup(history_key_name(c->h, key));
    return res->key == NULL ? SIM_ENOMEM : 0;
}

/*
 * Runs check_key over the keys, smallest first, filling res. A key that
 * hits the memory cap leaves the verdict unknown but the check goes on:
 * a violation elsewhere still settles it. Time running out ends it.
 */
static int check_keys(struct lc *c, const struct key_size *order,
                      size_t n_keys, struct lincheck_result *res)
{
    for (size_t i = 0; i < n_keys; i++) {
        uint32_t key = order[i].key;
        int rc;

        if (i + 1 < n_keys)
            prefetch_ops(c, c->bucket_start[order[i + 1].key],
                         PREFETCH_AHEAD);
        rc = check_key(c, key);

        if (rc == LC_LINEARIZABLE) {
            res->n_keys++;
            res->n_ops += order[i].n;
            continue;
        }
        if (rc == SIM_ENOMEM)
            return rc;
        if (rc == SIM_ELIMIT && res->verdict == LINCHECK_UNKNOWN)
            continue;
        if (set_key(res, c, key) < 0)
            return SIM_ENOMEM;
        res->verdict = rc == LC_VIOLATION ? LINCHECK_VIOLATION
                                          : LINCHECK_UNKNOWN;
        res->is_out_of_memory = rc == SIM_ELIMIT;
        if (rc == LC_VIOLATION)
            return explain(c, key, res);
        if (rc == LC_TIMEOUT)
            return 0;
    }
    return 0;
}

int lincheck_check(const struct history *h, double budget_s,
                   struct lincheck_result *res, struct sim_error *err)
{
    double t0 = clock_s();
    size_t n_keys = history_n_keys(h);
    struct key_size *order = NULL;
    struct lc c;
    int rc;

    memset(res, 0, sizeof *res);
    res->budget_s = budget_s;
    res->n_keys_total = n_keys;
    if (!(budget_s > 0))
        return sim_error_set(err, SIM_EINVAL, "time budget must be > 0 s, "
                             "not %g", budget_s);
    rc = lc_init(&c, h);
    c.deadline = t0 + budget_s;
    order = malloc((n_keys + 1) * sizeof *order);
    if (rc == 0 && order != NULL) {
        for (uint32_t k = 0; k < n_keys; k++)
            order[k] = (struct key_size){
                c.bucket_start[k + 1] - c.bucket_start[k], k};
        qsort(order, n_keys, sizeof *order, key_size_cmp);
        rc = check_keys(&c, order, n_keys, res);
    } else {
        rc = SIM_ENOMEM;
    }
    free(order);
    lc_release(&c);
    res->elapsed_s = clock_s() - t0;
    if (rc < 0)
        return sim_error_set(err, rc, "linearizability check: out of "
                             "memory");
    return 0;
}

void lincheck_result_release(struct lincheck_result *res)
{
    free(res->key);
    free(res->conflict);
    free(res->explanation);
    memset(res, 0, sizeof *res);
}

char *lincheck_result_format(const struct lincheck_result *res)
{
    struct lc_text t = {0};
    const char *key = res->key != NULL ? res->key : "";

    if (res->verdict == LINCHECK_OK) {
        text_printf(&t, "linearizable: %zu operation%s on %zu key%s checked "
                    "in %.3f s\n", res->n_ops, res->n_ops == 1 ? "" : "s",
                    res->n_keys, res->n_keys == 1 ? "" : "s",
                    res->elapsed_s);
    } else if (res->verdict == LINCHECK_VIOLATION) {
        text_printf(&t, "not linearizable: key ");
        text_quoted(&t, key, strlen(key));
        text_printf(&t, " (found in %.3f s, explained in %.3f s)\n%s",
                    res->elapsed_s - res->explain_s, res->explain_s,
                    res->explanation != NULL ? res->explanation : "");
    } else {
        text_printf(&t, "unknown: %s on key ", res->is_out_of_memory
                    ? "the search reached its memory cap"
                    : "the time budget ran out");
        text_quoted(&t, key, strlen(key));
        text_printf(&t, " (%zu of %zu keys decided in %.3f s, budget %g s)"
                    "\n", res->n_keys, res->n_keys_total, res->elapsed_s,
                    res->budget_s);
    }
    if (t.is_broken) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
