/* SPDX-License-Identifier: MIT */
/*
 * history.c - operation histories: interned keys and values, the building
 * API, and parsers for Jepsen etcd log lines and kv EDN maps. A completion
 * always pairs with the latest pending invocation of its process; a parse
 * either yields a whole history or none, with the first problem located.
 */
#include "models/history.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/grow.h"
#include "sim/hash.h"

#define PROCESS_MAX (1u << 20)          /* highest process number accepted */
#define HISTORY_MAX_BYTES (256 << 20)   /* the largest history file read */
#define SHOW_MAX 40                     /* bytes of a token quoted in errors */
#define ETCD_KEY "register"             /* the one key of an etcd log */

/* A table of distinct strings; an id indexes `entries`. */
struct strtab {
    char *text;                         /* every string, NUL-terminated */
    size_t n_text, cap_text;            /* bytes used and allocated */
    struct strtab_entry *entries;
    size_t n_entries, cap_entries;
    uint32_t *slots;                    /* open addressing: id + 1, 0 empty */
    size_t n_slots;                     /* a power of two, or 0 */
};

struct strtab_entry {
    size_t off;                         /* start of the string in text */
    size_t len;                         /* its length in bytes */
    uint64_t hash;
};

struct history {
    enum history_model model;
    struct history_op *ops;
    size_t n_ops, cap_ops;
    struct strtab keys;
    struct strtab values;               /* id 0 is HISTORY_NIL */
};

/* --- string tables ------------------------------------------------------ */

static void strtab_release(struct strtab *t)
{
    free(t->text);
    free(t->entries);
    free(t->slots);
}

/* Doubles the slot array and re-inserts every entry. */
static bool strtab_rehash(struct strtab *t)
{
    size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = calloc(n_slots, sizeof *slots);

    if (slots == NULL)
        return false;
    for (size_t id = 0; id < t->n_entries; id++) {
        size_t i = t->entries[id].hash & (n_slots - 1);

        while (slots[i] != 0)
            i = (i + 1) & (n_slots - 1);
        slots[i] = (uint32_t)id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return true;
}

/* Appends a string without looking for an equal one; returns its id. */
static int strtab_add(struct strtab *t, const char *s, size_t len,
                      uint64_t hash, uint32_t *id)
{
    struct strtab_entry *e;

    if (t->n_entries >= UINT32_MAX - 1 ||
        !sim_grow((void **)&t->entries, &t->cap_entries, sizeof *e,
                  t->n_entries + 1) ||
        !sim_grow((void **)&t->text, &t->cap_text, 1, t->n_text + len + 1))
        return SIM_ENOMEM;
    e = &t->entries[t->n_entries];
    e->off = t->n_text;
    e->len = len;
    e->hash = hash;
    if (len > 0)
        memcpy(t->text + t->n_text, s, len);
    t->text[t->n_text + len] = '\0';
    t->n_text += len + 1;
    *id = (uint32_t)t->n_entries++;
    return 0;
}

/*
 * Sets *id to the id of s, adding it when new. The index is kept at most
 * half full, so probes are short and always end at an empty slot.
 */
static int strtab_intern(struct strtab *t, const char *s, size_t len,
                         uint32_t *id)
{
    uint64_t hash = sim_hash_bytes(s, len);
    size_t i;

    if (2 * (t->n_entries + 1) > t->n_slots && !strtab_rehash(t))
        return SIM_ENOMEM;
    for (i = hash & (t->n_slots - 1); t->slots[i] != 0;
         i = (i + 1) & (t->n_slots - 1)) {
        const struct strtab_entry *e = &t->entries[t->slots[i] - 1];

        if (e->hash == hash && e->len == len &&
            memcmp(t->text + e->off, s, len) == 0) {
            *id = t->slots[i] - 1;
            return 0;
        }
    }
    if (strtab_add(t, s, len, hash, id) < 0)
        return SIM_ENOMEM;
    t->slots[i] = *id + 1;
    return 0;
}

/* --- building ----------------------------------------------------------- */

struct history *history_new(enum history_model model)
{
    struct history *h = calloc(1, sizeof *h);
    uint32_t nil;

    if (h == NULL)
        return NULL;
    h->model = model;
    /* The nil entry is kept out of the slots, so no text interns to it. */
    if (strtab_add(&h->values, "nil", 3, 0, &nil) < 0) {
        history_free(h);
        return NULL;
    }
    return h;
}

void history_free(struct history *h)
{
    if (h == NULL)
        return;
    strtab_release(&h->keys);
    strtab_release(&h->values);
    free(h->ops);
    free(h);
}

int history_key(struct history *h, const char *text, size_t len,
                uint32_t *id)
{
    return strtab_intern(&h->keys, text, len, id);
}

int history_key_int(struct history *h, uint64_t key, uint32_t *id)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%" PRIu64, key);

    return strtab_intern(&h->keys, buf, (size_t)len, id);
}

int history_value(struct history *h, const char *text, size_t len,
                  uint32_t *id)
{
    return strtab_intern(&h->values, text, len, id);
}

int history_value_int(struct history *h, int64_t value, uint32_t *id)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%" PRId64, value);

    return strtab_intern(&h->values, buf, (size_t)len, id);
}

/* Whether an operation of this kind belongs to the model. */
static bool kind_fits(enum history_model model, int kind)
{
    if (model == HISTORY_REGISTER)
        return kind >= HISTORY_READ && kind <= HISTORY_CAS;
    return kind >= HISTORY_GET && kind <= HISTORY_APPEND;
}

/* Arguments a kind does not use are stored as nil, so equal ops compare. */
int history_invoke(struct history *h, const struct history_op *op,
                   size_t *index)
{
    struct history_op *o;
    bool has_arg = op->kind != HISTORY_READ && op->kind != HISTORY_GET;

    if (!kind_fits(h->model, op->kind) || op->key >= h->keys.n_entries ||
        (has_arg && op->arg >= h->values.n_entries) ||
        (op->kind == HISTORY_CAS && op->arg2 >= h->values.n_entries))
        return SIM_EINVAL;
    if (!sim_grow((void **)&h->ops, &h->cap_ops, sizeof *o, h->n_ops + 1))
        return SIM_ENOMEM;
    o = &h->ops[h->n_ops];
    memset(o, 0, sizeof *o);
    o->t_call = op->t_call;
    o->t_return = HISTORY_OPEN;
    o->process = op->process;
    o->key = op->key;
    o->arg = has_arg ? op->arg : HISTORY_NIL;
    o->arg2 = op->kind == HISTORY_CAS ? op->arg2 : HISTORY_NIL;
    o->out = HISTORY_NIL;
    o->kind = op->kind;
    o->outcome = HISTORY_PENDING;
    if (index != NULL)
        *index = h->n_ops;
    h->n_ops++;
    return 0;
}

/* Whether out is a valid result for a completed op of this kind. */
static bool out_fits(const struct history *h, int kind, uint32_t out)
{
    if (kind == HISTORY_CAS)
        return out <= 1;
    if (kind == HISTORY_READ || kind == HISTORY_GET)
        return out < h->values.n_entries;
    return true;
}

/*
 * An unknown outcome keeps t_return at HISTORY_OPEN: the operation may
 * take effect at any time after its invocation, to the end.
 */
int history_complete(struct history *h, size_t index, int outcome,
                     uint32_t out, int64_t t_return)
{
    struct history_op *o;

    if (index >= h->n_ops || h->ops[index].outcome != HISTORY_PENDING)
        return SIM_EINVAL;
    o = &h->ops[index];
    if (outcome == HISTORY_UNKNOWN) {
        o->outcome = HISTORY_UNKNOWN;
        return 0;
    }
    if ((outcome != HISTORY_OK && outcome != HISTORY_FAIL) ||
        t_return < o->t_call ||
        (outcome == HISTORY_OK && !out_fits(h, o->kind, out)))
        return SIM_EINVAL;
    o->outcome = (uint8_t)outcome;
    o->t_return = t_return;
    o->out = outcome == HISTORY_OK && o->kind != HISTORY_WRITE &&
             o->kind != HISTORY_PUT && o->kind != HISTORY_APPEND ? out : 0;
    return 0;
}

/* --- reading ------------------------------------------------------------ */

enum history_model history_model(const struct history *h)
{
    return h->model;
}

size_t history_n_ops(const struct history *h)
{
    return h->n_ops;
}

const struct history_op *history_op(const struct history *h, size_t index)
{
    return &h->ops[index];
}

size_t history_n_keys(const struct history *h)
{
    return h->keys.n_entries;
}

size_t history_n_values(const struct history *h)
{
    return h->values.n_entries;
}

const char *history_key_name(const struct history *h, uint32_t key)
{
    return h->keys.text + h->keys.entries[key].off;
}

const char *history_value_text(const struct history *h, uint32_t value,
                               size_t *len)
{
    const struct strtab_entry *e = &h->values.entries[value];

    if (len != NULL)
        *len = e->len;
    return h->values.text + e->off;
}

const char *history_kind_name(int kind)
{
    static const char *const names[] = {
        "read", "write", "cas", "get", "put", "append",
    };

    if (kind < 0 || kind > HISTORY_APPEND)
        return "?";
    return names[kind];
}

const char *history_outcome_name(int outcome)
{
    static const char *const names[] = {"pending", "ok", "fail", "unknown"};

    if (outcome < 0 || outcome > HISTORY_UNKNOWN)
        return "?";
    return names[outcome];
}

/* --- parsing: lines, tokens, errors ------------------------------------- */

/*
 * Both formats hold one event per line, so the parser works a line at a
 * time: it reads the line's fields into a parse_event (pointing into the
 * text, for messages), checks the value's shape against the line's type
 * and function, then applies the event. An invocation opens an operation
 * for its process; a completion must find that process's open operation
 * and repeat its function, key and argument. The line number is the
 * event's time, which keeps the file's order, the only order Jepsen
 * guarantees. The first problem ends the parse.
 */

/* What one line of a file says, whatever its format. */
enum parse_type { TYPE_INVOKE, TYPE_OK, TYPE_FAIL, TYPE_INFO };

/* The shape of a value as written; masks combine these bits. */
enum parse_tag {
    TAG_NIL = 1,                        /* nil */
    TAG_INT = 2,                        /* an integer */
    TAG_PAIR = 4,                       /* [from to] */
    TAG_STR = 8,                        /* "a string" */
    TAG_TIMEOUT = 16                    /* :timed-out */
};

struct parse_event {
    int64_t process;                    /* -1 for the nemesis */
    int type;                           /* enum parse_type */
    int kind;                           /* enum history_kind */
    uint32_t key;                       /* key id */
    int tag;                            /* enum parse_tag of the value */
    uint32_t value, value2;             /* value ids (value2: pair's 2nd) */
    const char *at_process, *at_type;   /* token starts, for messages */
    const char *at_f, *at_key, *at_value;
    size_t len_type, len_f, len_value;  /* token lengths */
};

struct parser {
    const char *name;                   /* file name for messages */
    const char *line, *eol;             /* the current line */
    uint32_t n_line;                    /* its 1-based number */
    struct history *h;
    uint32_t *open;                     /* per process: pending op + 1 */
    size_t n_open;                      /* entries in open */
    char *scratch;                      /* decoded string literals */
    size_t cap_scratch;
    struct sim_error *err;
};

/* Records "name:line:col: message" for the token at `at`; SIM_EINVAL. */
static int parse_fail(struct parser *ps, const char *at, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static int parse_fail(struct parser *ps, const char *at, const char *fmt,
                      ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Quoted input may hold control bytes: keep them off the terminal. */
    for (char *p = msg; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return sim_error_set(ps->err, SIM_EINVAL, "%s:%" PRIu32 ":%zu: %s",
                         ps->name, ps->n_line, (size_t)(at - ps->line) + 1,
                         msg);
}

/* How much of a token of this length to quote in a message. */
static int show_len(size_t len)
{
    return (int)(len < SHOW_MAX ? len : SHOW_MAX);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

/* The end of the whitespace-delimited word at p. */
static const char *word_end(const char *p, const char *end)
{
    while (p < end && !is_space(*p))
        p++;
    return p;
}

static bool word_is(const char *p, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(p, word, len) == 0;
}

/* Index of the word in a NULL-terminated list, or -1. */
static int word_find(const char *p, size_t len, const char *const *list)
{
    for (int i = 0; list[i] != NULL; i++)
        if (word_is(p, len, list[i]))
            return i;
    return -1;
}

/* Strict decimal integer: optional '-', digits, no overflow. */
static bool parse_int(const char *p, size_t len, int64_t *out)
{
    size_t i = (len > 0 && p[0] == '-');
    uint64_t v = 0, limit = i ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

    if (i == len)
        return false;
    for (; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');

        if (d > 9 || v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = p[0] == '-' ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Reads the TYPE keyword of a line into an enum parse_type. */
static int parse_type_word(struct parser *ps, const char *p, size_t len,
                           int *type)
{
    static const char *const types[] = {
        ":invoke", ":ok", ":fail", ":info", NULL,
    };

    *type = word_find(p, len, types);
    if (*type < 0)
        return parse_fail(ps, p, "unknown type '%.*s'", show_len(len), p);
    return 0;
}

/*
 * Reads the F keyword into an enum history_kind: the model is fixed by
 * the file's format, so :get in an etcd log is as unknown as :delete.
 */
static int parse_f_word(struct parser *ps, const char *p, size_t len,
                        int *kind)
{
    static const char *const fs[] = {
        ":read", ":write", ":cas", ":get", ":put", ":append", NULL,
    };
    int k = word_find(p, len, fs);

    if (k < 0 || !kind_fits(ps->h->model, k))
        return parse_fail(ps, p, "unknown function '%.*s'",
                          show_len(len), p);
    *kind = k;
    return 0;
}

/* --- parsing: etcd log lines -------------------------------------------- */

/* A register value: nil, an integer, [from to], or :timed-out. */
static int etcd_value(struct parser *ps, struct parse_event *ev)
{
    const char *p = ev->at_value, *end = p + ev->len_value;
    int64_t a, b;

    if (word_is(p, ev->len_value, "nil")) {
        ev->tag = TAG_NIL;
        return 0;
    }
    if (word_is(p, ev->len_value, ":timed-out")) {
        ev->tag = TAG_TIMEOUT;
        return 0;
    }
    if (parse_int(p, ev->len_value, &a)) {
        ev->tag = TAG_INT;
        return history_value_int(ps->h, a, &ev->value);
    }
    if (p[0] == '[' && end[-1] == ']') {
        const char *q = skip_space(p + 1, end - 1), *q_end;

        q_end = word_end(q, end - 1);
        if (parse_int(q, (size_t)(q_end - q), &a)) {
            q = skip_space(q_end, end - 1);
            q_end = word_end(q, end - 1);
            if (q_end == end - 1 && parse_int(q, (size_t)(q_end - q), &b)) {
                ev->tag = TAG_PAIR;
                if (history_value_int(ps->h, a, &ev->value) < 0)
                    return SIM_ENOMEM;
                return history_value_int(ps->h, b, &ev->value2);
            }
        }
    }
    return parse_fail(ps, p, "malformed value '%.*s'",
                      show_len(ev->len_value), p);
}

/* Finds the lone "-" that ends the log prefix; returns what follows. */
static const char *etcd_skip_prefix(const char *p, const char *end)
{
    for (p = skip_space(p, end); p < end; p = skip_space(p, end)) {
        const char *w = word_end(p, end);

        if (w - p == 1 && *p == '-')
            return w;
        p = w;
    }
    return NULL;
}

/* The next field of an etcd line; a bracketed value may hold spaces. */
static int etcd_field(struct parser *ps, const char **p, const char **start,
                      size_t *len)
{
    const char *q = skip_space(*p, ps->eol), *q_end;

    if (q == ps->eol)
        return parse_fail(ps, q, "expected PROCESS TYPE F VALUE");
    if (*q == '[') {
        q_end = memchr(q, ']', (size_t)(ps->eol - q));
        if (q_end == NULL)
            return parse_fail(ps, q, "malformed value: missing ']'");
        q_end++;
    } else {
        q_end = word_end(q, ps->eol);
    }
    *start = q;
    *len = (size_t)(q_end - q);
    *p = q_end;
    return 0;
}

/* A process number, or :nemesis (stored as -1: the line is skipped). */
static int etcd_process(struct parser *ps, const char *p, size_t len,
                        struct parse_event *ev)
{
    if (word_is(p, len, ":nemesis")) {
        ev->process = -1;
        return 0;
    }
    if (!parse_int(p, len, &ev->process) || ev->process < 0)
        return parse_fail(ps, p, "malformed process '%.*s'",
                          show_len(len), p);
    return 0;
}

/*
 * Parses one Jepsen log line, "PROCESS TYPE F VALUE" after an optional
 * "... - " prefix (as Jepsen's own logs have), into ev. The register has
 * no key in these logs: every line gets the key ETCD_KEY.
 */
static int etcd_line(struct parser *ps, struct parse_event *ev)
{
    const char *p = etcd_skip_prefix(ps->line, ps->eol), *tok;
    size_t len;
    int rc;

    if (p == NULL) {
        p = skip_space(ps->line, ps->eol);
        if (p == ps->eol || !(isdigit((unsigned char)*p) || *p == ':'))
            return parse_fail(ps, p, "expected a log line 'PROCESS TYPE F "
                              "VALUE', alone or after '... - '");
    }
    if ((rc = etcd_field(ps, &p, &ev->at_process, &len)) < 0 ||
        (rc = etcd_process(ps, ev->at_process, len, ev)) < 0)
        return rc;
    if (ev->process < 0)
        return 0;
    if ((rc = etcd_field(ps, &p, &ev->at_type, &len)) < 0 ||
        (rc = parse_type_word(ps, ev->at_type, len, &ev->type)) < 0)
        return rc;
    if ((rc = etcd_field(ps, &p, &ev->at_f, &len)) < 0 ||
        (rc = parse_f_word(ps, ev->at_f, len, &ev->kind)) < 0)
        return rc;
    if ((rc = etcd_field(ps, &p, &ev->at_value, &ev->len_value)) < 0 ||
        (rc = etcd_value(ps, ev)) < 0)
        return rc;
    tok = skip_space(p, ps->eol);
    if (tok != ps->eol)
        return parse_fail(ps, tok, "unexpected text after the value");
    ev->key = 0;
    ev->at_key = ev->at_f;
    return history_key(ps->h, ETCD_KEY, strlen(ETCD_KEY), &ev->key);
}

/* --- parsing: kv EDN maps ----------------------------------------------- */

enum edn_tok { EDN_END, EDN_OPEN, EDN_CLOSE, EDN_KEYWORD, EDN_STRING,
               EDN_INT, EDN_NIL, EDN_BAD };

struct edn_token {
    int type;                           /* enum edn_tok */
    const char *at;                     /* first byte in the line */
    size_t len;                         /* raw length in the line */
    int64_t i;                          /* EDN_INT: its value */
    size_t n_str;                       /* EDN_STRING: decoded length */
};

/* In EDN, commas are whitespace. */
static bool edn_space(char c)
{
    return is_space(c) || c == ',';
}

/* Characters that end a bare word (a keyword, number or symbol). */
static bool edn_delim(char c)
{
    return edn_space(c) || c == '{' || c == '}' || c == '"';
}

/* Decodes the string literal at p into ps->scratch; sets the token. */
static int edn_string(struct parser *ps, const char *p, struct edn_token *t)
{
    const char *q = p + 1;
    size_t n = 0;

    for (; q < ps->eol && *q != '"'; q++) {
        char c = *q;

        if (c == '\\') {
            static const char from[] = "\"\\ntr", to[] = "\"\\\n\t\r";
            const char *e = ++q < ps->eol ? strchr(from, *q) : NULL;

            if (e == NULL || *q == '\0')
                return parse_fail(ps, q - 1, "malformed string: bad escape");
            c = to[e - from];
        }
        if (!sim_grow((void **)&ps->scratch, &ps->cap_scratch, 1, n + 1))
            return SIM_ENOMEM;
        ps->scratch[n++] = c;
    }
    if (q == ps->eol)
        return parse_fail(ps, p, "malformed string: no closing quote");
    t->type = EDN_STRING;
    t->len = (size_t)(q + 1 - p);
    t->n_str = n;
    return 0;
}

/* Reads the token at *p and moves *p past it. */
static int edn_next(struct parser *ps, const char **p, struct edn_token *t)
{
    const char *q = *p, *w;
    int rc = 0;

    while (q < ps->eol && edn_space(*q))
        q++;
    memset(t, 0, sizeof *t);
    t->at = q;
    if (q == ps->eol) {
        t->type = EDN_END;
    } else if (*q == '{' || *q == '}') {
        t->type = *q == '{' ? EDN_OPEN : EDN_CLOSE;
        t->len = 1;
    } else if (*q == '"') {
        rc = edn_string(ps, q, t);
    } else {
        for (w = q; w < ps->eol && !edn_delim(*w); w++)
            continue;
        t->len = (size_t)(w - q);
        if (*q == ':' && t->len > 1)
            t->type = EDN_KEYWORD;
        else if (word_is(q, t->len, "nil"))
            t->type = EDN_NIL;
        else
            t->type = parse_int(q, t->len, &t->i) ? EDN_INT : EDN_BAD;
    }
    *p = q + t->len;
    return rc;
}

/* Reports the token t where a value was expected. */
static int edn_bad_value(struct parser *ps, const struct edn_token *t)
{
    if (t->type == EDN_END)
        return parse_fail(ps, t->at, "malformed map: missing '}'");
    return parse_fail(ps, t->at, "malformed value '%.*s'",
                      show_len(t->len), t->at);
}

/* The :process field: a number, or :nemesis (the line is skipped). */
static int kv_process(struct parser *ps, const struct edn_token *t,
                      struct parse_event *ev)
{
    ev->at_process = t->at;
    if (t->type == EDN_KEYWORD && word_is(t->at, t->len, ":nemesis")) {
        ev->process = -1;
        return 0;
    }
    if (t->type != EDN_INT || t->i < 0)
        return parse_fail(ps, t->at, "malformed process '%.*s'",
                          show_len(t->len), t->at);
    ev->process = t->i;
    return 0;
}

/* The :key field: a string, or an integer kept as its decimal text. */
static int kv_key(struct parser *ps, const struct edn_token *t,
                  struct parse_event *ev)
{
    ev->at_key = t->at;
    if (t->type == EDN_STRING)
        return history_key(ps->h, ps->scratch, t->n_str, &ev->key);
    if (t->type == EDN_INT) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%" PRId64, t->i);

        return history_key(ps->h, buf, (size_t)len, &ev->key);
    }
    return edn_bad_value(ps, t);
}

/*
 * The :value field. Its shape is only recorded here; check_shape decides
 * later whether it suits the line's type and function.
 */
static int kv_value(struct parser *ps, const struct edn_token *t,
                    struct parse_event *ev)
{
    ev->at_value = t->at;
    ev->len_value = t->len;
    if (t->type == EDN_NIL) {
        ev->tag = TAG_NIL;
        return 0;
    }
    if (t->type == EDN_KEYWORD && word_is(t->at, t->len, ":timed-out")) {
        ev->tag = TAG_TIMEOUT;
        return 0;
    }
    if (t->type == EDN_STRING) {
        ev->tag = TAG_STR;
        return history_value(ps->h, ps->scratch, t->n_str, &ev->value);
    }
    if (t->type == EDN_INT) {
        ev->tag = TAG_INT;
        return history_value_int(ps->h, t->i, &ev->value);
    }
    return edn_bad_value(ps, t);
}

/* Index of a map field we read, or -1 for one we skip. */
static int kv_field_index(const struct edn_token *t)
{
    static const char *const fields[] = {
        ":process", ":type", ":f", ":key", ":value", NULL,
    };

    return word_find(t->at, t->len, fields);
}

/* Stores the value token t of field number `field` (-1: ignored). */
static int kv_field(struct parser *ps, int field, const struct edn_token *t,
                    struct parse_event *ev)
{
    if (t->type == EDN_END || t->type == EDN_CLOSE || t->type == EDN_OPEN ||
        t->type == EDN_BAD)
        return edn_bad_value(ps, t);
    switch (field) {
    case 0:
        return kv_process(ps, t, ev);
    case 1:
    case 2:
        /* Checked once the map is read: a nemesis line has other words. */
        if (t->type != EDN_KEYWORD)
            return edn_bad_value(ps, t);
        *(field == 1 ? &ev->at_type : &ev->at_f) = t->at;
        *(field == 1 ? &ev->len_type : &ev->len_f) = t->len;
        return 0;
    case 3:
        return kv_key(ps, t, ev);
    case 4:
        return kv_value(ps, t, ev);
    }
    return 0;
}

/*
 * Checks the fields a map must have (its closing brace is at `at`) and the
 * words of :type and :f, unless the line belongs to the nemesis.
 */
static int kv_finish(struct parser *ps, const char *at, unsigned seen,
                     struct parse_event *ev)
{
    static const char *const names[] = {
        ":process", ":type", ":f", ":key", ":value",
    };
    int rc;

    if (ev->process < 0 && (seen & 1))
        return 0;
    for (int i = 0; i < 5; i++)
        if (!(seen & (1u << i)))
            return parse_fail(ps, at, "missing %s", names[i]);
    if ((rc = parse_type_word(ps, ev->at_type, ev->len_type,
                              &ev->type)) < 0)
        return rc;
    return parse_f_word(ps, ev->at_f, ev->len_f, &ev->kind);
}

/*
 * Parses one line holding one EDN map into ev. Fields may come in any
 * order and unknown ones (:time, :index) are skipped, as Jepsen writes
 * them; each known field may appear once.
 */
static int kv_line(struct parser *ps, struct parse_event *ev)
{
    const char *p = ps->line, *close;
    struct edn_token t;
    unsigned seen = 0;
    int rc;

    if ((rc = edn_next(ps, &p, &t)) < 0)
        return rc;
    if (t.type != EDN_OPEN)
        return parse_fail(ps, t.at, "expected a map '{:process ...}'");
    for (;;) {
        int field;

        if ((rc = edn_next(ps, &p, &t)) < 0)
            return rc;
        if (t.type == EDN_CLOSE)
            break;
        if (t.type != EDN_KEYWORD)
            return t.type == EDN_END ? edn_bad_value(ps, &t)
                   : parse_fail(ps, t.at, "expected a keyword");
        field = kv_field_index(&t);
        if (field >= 0 && (seen & (1u << field)))
            return parse_fail(ps, t.at, "duplicate %.*s", (int)t.len, t.at);
        if (field >= 0)
            seen |= 1u << field;
        if ((rc = edn_next(ps, &p, &t)) < 0 ||
            (rc = kv_field(ps, field, &t, ev)) < 0)
            return rc;
    }
    close = t.at;
    if ((rc = edn_next(ps, &p, &t)) < 0)
        return rc;
    if (t.type != EDN_END)
        return parse_fail(ps, t.at, "unexpected text after the map");
    return kv_finish(ps, close, seen, ev);
}

/* --- parsing: events into operations ------------------------------------ */

/* The value shapes a line of this kind and type may carry. */
static int allowed_tags(int kind, int type)
{
    bool is_update = kind != HISTORY_READ && kind != HISTORY_GET;
    int arg = kind == HISTORY_WRITE ? TAG_INT
              : kind == HISTORY_CAS ? TAG_PAIR : TAG_STR;

    if (type == TYPE_INVOKE)
        return is_update ? arg : TAG_NIL;
    if (type == TYPE_OK && !is_update)
        return kind == HISTORY_READ ? TAG_NIL | TAG_INT : TAG_STR;
    if (type == TYPE_OK)
        return arg;
    if (!is_update)
        return TAG_NIL | TAG_INT | TAG_STR | TAG_TIMEOUT;
    return arg | TAG_NIL | TAG_TIMEOUT;
}

/* Writes the shapes in a tag mask as words: "nil or an integer". */
static void describe_tags(int tags, char *buf, size_t size)
{
    static const char *const names[] = {
        "nil", "an integer", "[from to]", "a string", ":timed-out",
    };
    size_t n = 0;

    buf[0] = '\0';
    for (int i = 0; i < 5; i++) {
        if (!(tags & (1 << i)))
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " or " : "",
                              names[i]);
        if (n >= size)
            return;
    }
}

/* Checks that the value's shape suits the line's type and function. */
static int check_shape(struct parser *ps, const struct parse_event *ev)
{
    static const char *const types[] = {"invoke", "ok", "fail", "info"};
    int tags = allowed_tags(ev->kind, ev->type);
    char want[80];

    if (ev->tag & tags)
        return 0;
    describe_tags(tags, want, sizeof want);
    return parse_fail(ps, ev->at_value,
                      "malformed value '%.*s' for :%s :%s (expected %s)",
                      show_len(ev->len_value), ev->at_value,
                      types[ev->type], history_kind_name(ev->kind), want);
}

/*
 * Points *slot at the pending-operation entry of ev's process, growing
 * the table as needed. Process numbers are bounded so that a typo such
 * as 10000000000 cannot make it allocate gigabytes.
 */
static int open_slot(struct parser *ps, const struct parse_event *ev,
                     uint32_t **slot)
{
    size_t need = (size_t)ev->process + 1;

    if (ev->process >= PROCESS_MAX)
        return parse_fail(ps, ev->at_process,
                          "process number %" PRId64 " is too large",
                          ev->process);
    if (need > ps->n_open) {
        size_t cap = ps->n_open;

        if (!sim_grow((void **)&ps->open, &cap, sizeof *ps->open, need))
            return SIM_ENOMEM;
        memset(ps->open + ps->n_open, 0,
               (cap - ps->n_open) * sizeof *ps->open);
        ps->n_open = cap;
    }
    *slot = &ps->open[ev->process];
    return 0;
}

/* Records an invocation; the line number is its time. */
static int apply_invoke(struct parser *ps, const struct parse_event *ev,
                        uint32_t *slot)
{
    struct history_op op = {0};
    size_t index;
    int rc;

    if (*slot != 0)
        return parse_fail(ps, ev->at_process,
                          "process %" PRId64 " invokes while its operation "
                          "from line %" PRId64 " is still open", ev->process,
                          ps->h->ops[*slot - 1].t_call);
    op.t_call = ps->n_line;
    op.process = (uint32_t)ev->process;
    op.kind = (uint8_t)ev->kind;
    op.key = ev->key;
    op.arg = ev->value;
    op.arg2 = ev->value2;
    if ((rc = history_invoke(ps->h, &op, &index)) < 0)
        return rc;
    *slot = (uint32_t)index + 1;
    return 0;
}

/* A completion must repeat its invocation's function, key and argument. */
static int check_match(struct parser *ps, const struct parse_event *ev,
                       const struct history_op *op)
{
    bool is_update = op->kind != HISTORY_READ && op->kind != HISTORY_GET;

    if (ev->kind != op->kind)
        return parse_fail(ps, ev->at_f, "completion ':%s' does not match "
                          "the open ':%s' of process %" PRId64,
                          history_kind_name(ev->kind),
                          history_kind_name(op->kind), ev->process);
    if (ev->key != op->key)
        return parse_fail(ps, ev->at_key, "completion key does not match "
                          "the open operation's \"%s\"",
                          history_key_name(ps->h, op->key));
    if (is_update && (ev->tag & (TAG_INT | TAG_PAIR | TAG_STR)) &&
        (ev->value != op->arg ||
         (op->kind == HISTORY_CAS && ev->value2 != op->arg2)))
        return parse_fail(ps, ev->at_value, "value '%.*s' does not match "
                          "the invocation's",
                          show_len(ev->len_value), ev->at_value);
    return 0;
}

/* Maps a completion line to an outcome and output (see history.h). */
static void completion_outcome(const struct parse_event *ev, int *outcome,
                               uint32_t *out)
{
    bool is_read = ev->kind == HISTORY_READ || ev->kind == HISTORY_GET;

    *out = 0;
    if (ev->type == TYPE_OK) {
        *outcome = HISTORY_OK;
        *out = is_read ? (ev->tag == TAG_NIL ? HISTORY_NIL : ev->value) : 1;
    } else if (ev->type == TYPE_FAIL && ev->kind == HISTORY_CAS &&
               ev->tag == TAG_PAIR) {
        *outcome = HISTORY_OK;          /* the comparison failed */
    } else if (ev->type == TYPE_FAIL || is_read) {
        *outcome = HISTORY_FAIL;
    } else {
        *outcome = HISTORY_UNKNOWN;
    }
}

/* Completes the pending operation of ev's process. */
static int apply_completion(struct parser *ps, const struct parse_event *ev,
                            uint32_t *slot)
{
    int outcome, rc;
    uint32_t out;

    if (*slot == 0)
        return parse_fail(ps, ev->at_type, "completion with no open "
                          "invocation for process %" PRId64, ev->process);
    if ((rc = check_match(ps, ev, &ps->h->ops[*slot - 1])) < 0)
        return rc;
    completion_outcome(ev, &outcome, &out);
    rc = history_complete(ps->h, *slot - 1, outcome, out, ps->n_line);
    *slot = 0;
    return rc;
}

/* Turns one parsed line into a history operation, or skips it. */
static int apply_event(struct parser *ps, const struct parse_event *ev)
{
    uint32_t *slot = NULL;
    int rc;

    if (ev->process < 0)
        return 0;
    if ((rc = check_shape(ps, ev)) < 0 || (rc = open_slot(ps, ev, &slot)) < 0)
        return rc;
    if (ev->type == TYPE_INVOKE)
        return apply_invoke(ps, ev, slot);
    return apply_completion(ps, ev, slot);
}

/* --- parsing: the file -------------------------------------------------- */

/* Moves to the next line; false at the end of the text. */
static bool next_line(struct parser *ps, const char *end)
{
    const char *p = ps->eol == NULL ? ps->line : ps->eol + 1;

    if (p > end || (ps->eol != NULL && ps->eol == end))
        return false;
    ps->line = p;
    ps->eol = memchr(p, '\n', (size_t)(end - p));
    if (ps->eol == NULL)
        ps->eol = end;
    ps->n_line++;
    return true;
}

static bool line_is_blank(const struct parser *ps)
{
    return skip_space(ps->line, ps->eol) == ps->eol;
}

/*
 * Parses from the current line (the first non-blank one) to the end,
 * stopping at the first problem.
 */
static int parse_lines(struct parser *ps, const char *end, bool is_kv)
{
    do {
        struct parse_event ev = {0};
        int rc;

        if (line_is_blank(ps))
            continue;
        rc = is_kv ? kv_line(ps, &ev) : etcd_line(ps, &ev);
        if (rc < 0 || (rc = apply_event(ps, &ev)) < 0)
            return rc;
    } while (next_line(ps, end));
    if (ps->h->n_ops == 0)
        return sim_error_set(ps->err, SIM_EINVAL, "%s:1:1: no operations",
                             ps->name);
    return 0;
}

int history_parse(const char *name, const char *text, size_t len,
                  struct history **out, struct sim_error *err)
{
    struct parser ps = {.name = name, .line = text, .err = err};
    const char *end = text + len;
    bool is_kv;
    int rc;

    *out = NULL;
    while (next_line(&ps, end) && line_is_blank(&ps))
        continue;
    if (ps.eol == NULL || line_is_blank(&ps))
        return sim_error_set(err, SIM_EINVAL, "%s:1:1: empty file", name);
    is_kv = *skip_space(ps.line, ps.eol) == '{';
    ps.h = history_new(is_kv ? HISTORY_KV : HISTORY_REGISTER);
    if (ps.h == NULL)
        return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", name);
    rc = parse_lines(&ps, end, is_kv);
    free(ps.open);
    free(ps.scratch);
    if (rc == SIM_ENOMEM)
        sim_error_set(err, rc, "%s: out of memory", name);
    if (rc < 0) {
        history_free(ps.h);
        return rc;
    }
    *out = ps.h;
    return 0;
}

/*
 * Reads the whole stream into *text (*len bytes), but never more than one
 * byte past HISTORY_MAX_BYTES, so that /dev/zero or an endless pipe is
 * refused rather than read until memory runs out.
 */
static int read_all(const char *path, FILE *f, char **text, size_t *len,
                    struct sim_error *err)
{
    size_t cap = 0, n;

    *text = NULL;
    *len = 0;
    do {
        if (!sim_grow((void **)text, &cap, 1, *len + 65536))
            return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
        n = fread(*text + *len, 1, cap - *len, f);
        *len += n;
    } while (n > 0 && *len <= HISTORY_MAX_BYTES);
    if (ferror(f))
        return sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path,
                             strerror(errno));
    if (*len > HISTORY_MAX_BYTES)
        return sim_error_set(err, SIM_EINVAL, "%s: larger than %d MiB; not "
                             "read", path, HISTORY_MAX_BYTES >> 20);
    return 0;
}

int history_load(const char *path, struct history **out,
                 struct sim_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len;
    int rc;

    *out = NULL;
    if (f == NULL)
        return sim_error_set(err, SIM_EIO, "%s: cannot open: %s", path,
                             strerror(errno));
    errno = 0;
    rc = read_all(path, f, &text, &len, err);
    if (rc == 0)
        rc = history_parse(path, text, len, out, err);
    fclose(f);
    free(text);
    return rc;
}
