/* SPDX-License-Identifier: MIT */
/*
 * schema.c - the strict schema walk and the libcyaml load behind it. The
 * walk reads cyaml_schema_value_t fields directly and follows the
 * document, never the schema, so recursive schemas end where the data
 * ends. A problem is reported at the node it is about.
 */
#include "sim/schema.h"

#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/error.h"
#include "sim/suggest.h"

/* Longest key path kept for messages; longer ones are cut. */
#define SCHEMA_PATH_MAX 512
/* Longest scalar quoted in a message; longer ones end in "...". */
#define SCHEMA_SHOW_MAX 40
/* Room for a list of allowed words in a message. */
#define SCHEMA_LIST_MAX 320
/* Room for what libcyaml logs during one load. */
#define SCHEMA_LOG_MAX 400

/* A pair to remove after the walk: the value, and its mapping. */
struct schema_cut {
    const struct sim_doc_node *map;
    const struct sim_doc_node *value;
    size_t parent_len;                  /* length of the mapping's path */
    char path[SCHEMA_PATH_MAX];         /* the pair's key path */
};

/* The state of one walk. */
struct schema_walk {
    struct sim_cfg *cfg;
    char path[SCHEMA_PATH_MAX];         /* "servers[0].queue", "" at root */
    size_t len;                         /* bytes of path in use */
    size_t n_problems;                  /* recorded by this walk */
    struct schema_cut *cuts;            /* pairs whose problems prune away */
    size_t n_cuts, cap_cuts;
    size_t n_cut_problems;              /* problems inside those pairs */
    bool is_stuck;                      /* a problem no pruning can fix */
};

/* What libcyaml logged, joined into one line. */
struct schema_log {
    char text[SCHEMA_LOG_MAX];
    size_t len;
};

/* ---- messages ---- */

static void __attribute__((format(printf, 3, 4)))
report(struct schema_walk *w, const struct sim_doc_node *node,
       const char *fmt, ...)
{
    int line, col;
    va_list ap;

    sim_doc_node_position(node, &line, &col);
    va_start(ap, fmt);
    sim_cfg_verror_from(w->cfg, sim_doc_node_origin(node), line, col,
                        w->len > 0 ? w->path : NULL, fmt, ap);
    va_end(ap);
    w->n_problems++;
}

/* Appends ".key" (or "key" at the root); returns the length to restore. */
static size_t push_key(struct schema_walk *w, const char *key)
{
    size_t old = w->len;
    int n = snprintf(w->path + w->len, SCHEMA_PATH_MAX - w->len, "%s%s",
                     w->len > 0 ? "." : "", key);

    w->len += n < 0 ? 0 : (size_t)n;
    if (w->len >= SCHEMA_PATH_MAX)
        w->len = SCHEMA_PATH_MAX - 1;
    return old;
}

static size_t push_index(struct schema_walk *w, size_t index)
{
    size_t old = w->len;
    int n = snprintf(w->path + w->len, SCHEMA_PATH_MAX - w->len, "[%zu]",
                     index);

    w->len += n < 0 ? 0 : (size_t)n;
    if (w->len >= SCHEMA_PATH_MAX)
        w->len = SCHEMA_PATH_MAX - 1;
    return old;
}

static void pop(struct schema_walk *w, size_t old)
{
    w->len = old;
    w->path[old] = '\0';
}

/*
 * Writes a scalar as it would read in a message: in double quotes, with
 * quotes, backslashes and control bytes escaped, cut after at most
 * SCHEMA_SHOW_MAX bytes (never inside a UTF-8 sequence). buf must hold
 * 4 * SCHEMA_SHOW_MAX + 8 bytes.
 */
static const char *show(const struct sim_doc_node *node, char *buf)
{
    size_t len, at = 0, cut;
    const char *text = sim_doc_node_text(node, &len);

    cut = len;
    if (len > SCHEMA_SHOW_MAX) {
        cut = SCHEMA_SHOW_MAX;
        while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
            cut--;
    }
    buf[at++] = '"';
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '"' || c == '\\')
            at += (size_t)sprintf(buf + at, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            at += (size_t)sprintf(buf + at, "\\x%02x", c);
        else
            buf[at++] = (char)c;
    }
    if (cut < len)
        at += (size_t)sprintf(buf + at, "...");
    buf[at++] = '"';
    buf[at] = '\0';
    return buf;
}

/* Joins words into buf as "a, b, c", cut to fit. */
static void join_words(char *buf, const char *word, size_t *len)
{
    int n = snprintf(buf + *len, SCHEMA_LIST_MAX - *len, "%s%s",
                     *len > 0 ? ", " : "", word);

    *len += n < 0 ? 0 : (size_t)n;
    if (*len >= SCHEMA_LIST_MAX)
        *len = SCHEMA_LIST_MAX - 1;
}

static const char *enum_list(const cyaml_schema_value_t *sv, char *buf)
{
    size_t len = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < sv->enumeration.count; i++)
        join_words(buf, sv->enumeration.strings[i].str, &len);
    return buf;
}

/*
 * What a value of this schema type is called in "expected ...". ENUM
 * and FLAGS entries list their words in buf (SCHEMA_LIST_MAX bytes).
 */
static const char *expected_kind(const cyaml_schema_value_t *sv, char *buf)
{
    switch (sv->type) {
    case CYAML_INT:
    case CYAML_UINT:
        return "a whole number";
    case CYAML_FLOAT:
        return "a number";
    case CYAML_BOOL:
        return "true or false";
    case CYAML_ENUM:
        memcpy(buf, "one of ", 8);
        enum_list(sv, buf + 7);
        return buf;
    case CYAML_STRING:
        return "text";
    case CYAML_MAPPING:
    case CYAML_BITFIELD:
        return "a mapping";
    default:
        return "a list";
    }
}

static void wrong_kind(struct schema_walk *w, const struct sim_doc_node *node,
                       const cyaml_schema_value_t *sv)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8], list[SCHEMA_LIST_MAX + 8];
    enum sim_doc_kind kind = sim_doc_node_kind(node);

    report(w, node, "expected %s, found %s", expected_kind(sv, list),
           kind == SIM_DOC_MAPPING    ? "a mapping"
           : kind == SIM_DOC_SEQUENCE ? "a list"
                                      : show(node, buf));
}

static bool words_equal(const char *a, const char *b, size_t len_b,
                        enum cyaml_flag flags)
{
    if (strlen(a) != len_b)
        return false;
    if (flags & CYAML_FLAG_CASE_INSENSITIVE)
        return strncasecmp(a, b, len_b) == 0;
    return memcmp(a, b, len_b) == 0;
}

/* ---- scalars ---- */

/* True when text is exactly [+-]?[0-9]+; fills the sign and the digits. */
static bool scan_whole(const char *text, size_t len, char *sign,
                       const char **digits, size_t *n_digits)
{
    size_t i = 0;

    *sign = text[0] == '-' || text[0] == '+' ? text[0] : '\0';
    if (*sign != '\0')
        i++;
    *digits = text + i;
    *n_digits = len - i;
    if (*n_digits == 0)
        return false;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
    }
    return true;
}

/* The digits as a number, or false when above limit. */
static bool digits_value(const char *digits, size_t n, uint64_t limit,
                         uint64_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)(digits[i] - '0');

        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* The largest value of an INT or UINT field, from its size in bytes. */
static uint64_t whole_max(const cyaml_schema_value_t *sv)
{
    unsigned bits = sv->data_size >= 1 && sv->data_size <= 8
                        ? (unsigned)sv->data_size * 8
                        : 64;

    if (sv->type == CYAML_INT)
        return UINT64_MAX >> (65 - bits);
    return UINT64_MAX >> (64 - bits);
}

/*
 * Checks a strict decimal whole number no larger than max and, when
 * is_signed, no smaller than -(max + 1).
 */
static void check_whole(struct schema_walk *w,
                        const struct sim_doc_node *node, bool is_signed,
                        uint64_t max)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8], sign;
    const char *text, *digits;
    size_t len, n;
    uint64_t v;

    text = sim_doc_node_text(node, &len);
    if (!scan_whole(text, len, &sign, &digits, &n))
        report(w, node, "%s is not a whole number", show(node, buf));
    else if (!is_signed && sign == '-')
        report(w, node, "%s must not be negative", show(node, buf));
    else if (!is_signed && sign == '+')
        report(w, node, "%s: write the number without a sign",
               show(node, buf));
    else if (n > 1 && digits[0] == '0')
        report(w, node, "%s: leading zeros are not allowed", show(node, buf));
    else if (sign != '-' && !digits_value(digits, n, max, &v))
        report(w, node, "%s is too large (at most %llu)", show(node, buf),
               (unsigned long long)max);
    else if (sign == '-' && !digits_value(digits, n, max + 1, &v))
        report(w, node, "%s is too small (at least -%llu)", show(node, buf),
               (unsigned long long)max + 1);
}

/*
 * True when text is a strict decimal number: [+-]? then digits with an
 * optional fraction (or a fraction alone), then an optional exponent.
 */
static bool scan_decimal(const char *s, size_t len)
{
    size_t i = 0, n_int = 0, n_frac = 0, n_exp = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        n_int++;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            n_frac++;
    }
    if (n_int + n_frac == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            n_exp++;
        if (n_exp == 0)
            return false;
    }
    return i == len;
}

/* True for the spellings of nan and infinity, signed or with a dot. */
static bool is_non_finite(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.')
        s++;
    return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
           strcasecmp(s, "infinity") == 0;
}

static void check_float(struct schema_walk *w,
                        const struct sim_doc_node *node,
                        const cyaml_schema_value_t *sv)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8];
    double max = sv->data_size == sizeof(float) ? FLT_MAX : DBL_MAX;
    size_t len;
    const char *text = sim_doc_node_text(node, &len);
    double v;

    if (strlen(text) == len && is_non_finite(text)) {
        report(w, node, "%s is not a finite number", show(node, buf));
        return;
    }
    if (!scan_decimal(text, len)) {
        report(w, node, "%s is not a number", show(node, buf));
        return;
    }
    v = strtod(text, NULL);
    if (!(v >= -max && v <= max))
        report(w, node, "%s is too large (at most %g)", show(node, buf), max);
}

static void check_bool(struct schema_walk *w,
                       const struct sim_doc_node *node)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8];
    size_t len;
    const char *text = sim_doc_node_text(node, &len);

    if (!words_equal("true", text, len, CYAML_FLAG_DEFAULT) &&
        !words_equal("false", text, len, CYAML_FLAG_DEFAULT))
        report(w, node, "%s is not true or false", show(node, buf));
}

/* Checks one word against an enum's strings, as ENUM and FLAGS need. */
static void check_word(struct schema_walk *w, const struct sim_doc_node *node,
                       const cyaml_schema_value_t *sv)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8], list[SCHEMA_LIST_MAX];
    struct sim_suggest sg;
    const char *guess;
    size_t len;
    const char *text = sim_doc_node_text(node, &len);

    for (uint32_t i = 0; i < sv->enumeration.count; i++) {
        if (words_equal(sv->enumeration.strings[i].str, text, len,
                        sv->flags))
            return;
    }
    sim_suggest_init(&sg, text);
    for (uint32_t i = 0; i < sv->enumeration.count; i++)
        sim_suggest_add(&sg, sv->enumeration.strings[i].str);
    guess = sim_suggest_result(&sg);
    report(w, node, "%s is not one of %s%s%s%s", show(node, buf),
           enum_list(sv, list), guess ? "; did you mean \"" : "",
           guess ? guess : "", guess ? "\"?" : "");
}

/*
 * The first control character in text, as a code point, or 0: C0 bytes
 * but tab and line feed, DEL, and C1 (U+0080..U+009F, two bytes in UTF-8).
 * libyaml refuses them written raw, but not written as escapes ("\e",
 * "\u009b"); either way they would reach reports and terminals.
 */
static unsigned control_in(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];

        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            return c;
        if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
            (unsigned char)text[i + 1] <= 0x9f)
            return (unsigned char)text[i + 1];
    }
    return 0;
}

static void check_string(struct schema_walk *w,
                         const struct sim_doc_node *node,
                         const cyaml_schema_value_t *sv)
{
    char buf[4 * SCHEMA_SHOW_MAX + 8];
    size_t len;
    const char *text = sim_doc_node_text(node, &len);
    unsigned c = control_in(text, len);

    if (c != 0)
        report(w, node, c < 0x80 ? "holds the control character 0x%02x; "
               "write plain text" : "holds the control character U+%04X; "
               "write plain text", c);
    else if (len < sv->string.min)
        report(w, node, "%s is too short (%zu bytes, at least %u)",
               show(node, buf), len, (unsigned)sv->string.min);
    else if (sv->string.max != CYAML_UNLIMITED && len > sv->string.max)
        report(w, node, "%s is too long (%zu bytes, at most %u)",
               show(node, buf), len, (unsigned)sv->string.max);
}

/*
 * Reports an explicit YAML tag ("!!str 4", "!!map {...}"), true if there
 * is one. Values are read by the key they sit under, never by a tag, so
 * a tag could only be ignored or contradict the key: neither is honest.
 */
static bool has_tag(struct schema_walk *w, const struct sim_doc_node *node)
{
    static const char core[] = "tag:yaml.org,2002:";
    const char *tag = sim_doc_node_tag(node);

    if (tag == NULL)
        return false;
    if (strncmp(tag, core, sizeof core - 1) == 0)
        report(w, node, "YAML tags are not accepted (found \"!!%s\"); "
               "write the value without one", tag + sizeof core - 1);
    else
        report(w, node, "YAML tags are not accepted (found \"%s\"); "
               "write the value without one", tag);
    return true;
}

/* ---- collections ---- */

/* The walk is mutually recursive: collections check their children. */
static void check_value(struct schema_walk *w,
                        const struct sim_doc_node *node,
                        const cyaml_schema_value_t *sv);

static const cyaml_schema_field_t *find_field(
    const cyaml_schema_field_t *fields, const char *key, size_t len,
    enum cyaml_flag flags)
{
    for (; fields->key != NULL; fields++) {
        if (words_equal(fields->key, key, len, flags))
            return fields;
    }
    return NULL;
}

static bool has_key(const struct sim_doc_node *map, const char *key,
                    enum cyaml_flag flags)
{
    const struct sim_doc_node *v;
    const char *text;
    size_t len;

    for (v = sim_doc_node_first(map); v != NULL; v = sim_doc_node_next(v)) {
        text = sim_doc_node_text(sim_doc_node_key(v), &len);
        if (words_equal(key, text, len, flags))
            return true;
    }
    return false;
}

static void unknown_key(struct schema_walk *w, const struct sim_doc_node *key,
                        const cyaml_schema_field_t *fields)
{
    char list[SCHEMA_LIST_MAX];
    struct sim_suggest sg;
    const char *guess;
    size_t len = 0;

    /* YAML 1.1 merge keys are read as a key like any other. */
    if (strcmp(sim_doc_node_text(key, NULL), "<<") == 0) {
        report(w, key, "merge keys (<<) are not accepted; write the keys "
               "out (an alias such as *name may stand for a whole value)");
        return;
    }
    sim_suggest_init(&sg, sim_doc_node_text(key, NULL));
    for (const cyaml_schema_field_t *f = fields; f->key != NULL; f++)
        sim_suggest_add(&sg, f->key);
    guess = sim_suggest_result(&sg);
    if (guess != NULL) {
        report(w, key, "unknown key; did you mean \"%s\"?", guess);
        return;
    }
    list[0] = '\0';
    for (const cyaml_schema_field_t *f = fields; f->key != NULL; f++)
        join_words(list, f->key, &len);
    report(w, key, "unknown key (expected one of: %s)", list);
}

/*
 * Notes that the pair (map, value) had problems: it can be pruned when its
 * key is unknown or optional; otherwise nothing can rescue the document.
 */
static void note_bad_pair(struct schema_walk *w,
                          const struct sim_doc_node *map,
                          const struct sim_doc_node *value, bool is_optional,
                          size_t n_problems, size_t parent_len)
{
    w->n_cut_problems += n_problems;
    if (!is_optional) {
        w->is_stuck = true;
        return;
    }
    if (w->n_cuts == w->cap_cuts) {
        size_t cap = w->cap_cuts ? w->cap_cuts * 2 : 16;
        struct schema_cut *grown = realloc(w->cuts, cap * sizeof *grown);

        if (grown == NULL) {
            w->is_stuck = true;
            return;
        }
        w->cuts = grown;
        w->cap_cuts = cap;
    }
    w->cuts[w->n_cuts].map = map;
    w->cuts[w->n_cuts].value = value;
    w->cuts[w->n_cuts].parent_len = parent_len;
    memcpy(w->cuts[w->n_cuts].path, w->path, w->len + 1);
    w->n_cuts++;
}

static void check_mapping(struct schema_walk *w,
                          const struct sim_doc_node *node,
                          const cyaml_schema_value_t *sv)
{
    const cyaml_schema_field_t *fields = sv->mapping.fields, *f;
    const struct sim_doc_node *v, *key;
    const char *text;
    size_t len, old;

    for (v = sim_doc_node_first(node); v != NULL; v = sim_doc_node_next(v)) {
        size_t before = w->n_problems, cut_before = w->n_cut_problems;
        bool was_stuck = w->is_stuck, is_tagged;

        key = sim_doc_node_key(v);
        text = sim_doc_node_text(key, &len);
        f = find_field(fields, text, len, sv->flags);
        old = push_key(w, text);
        is_tagged = has_tag(w, key);
        if (!is_tagged && f == NULL)
            unknown_key(w, key, fields);
        else if (!is_tagged)
            check_value(w, v, &f->value);
        /* Problems not already inside pruned pairs belong to this pair. */
        if (w->n_problems - before > w->n_cut_problems - cut_before &&
            (was_stuck || !w->is_stuck)) {
            if (f != NULL && sim_doc_node_kind(v) == SIM_DOC_SEQUENCE)
                w->is_stuck = true;
            else
                note_bad_pair(w, node, v, f == NULL ||
                              (f->value.flags & CYAML_FLAG_OPTIONAL),
                              w->n_problems - before, old);
        }
        pop(w, old);
    }
    for (f = fields; f->key != NULL; f++) {
        if (!(f->value.flags & CYAML_FLAG_OPTIONAL) &&
            !has_key(node, f->key, sv->flags)) {
            report(w, node, "missing required key \"%s\"", f->key);
            w->is_stuck = true;
        }
    }
}

/* Reports an unknown bit-field name, suggesting or listing the names. */
static void unknown_bit(struct schema_walk *w, const struct sim_doc_node *key,
                        const cyaml_schema_value_t *sv)
{
    char list[SCHEMA_LIST_MAX];
    struct sim_suggest sg;
    const char *guess;
    size_t len = 0;

    sim_suggest_init(&sg, sim_doc_node_text(key, NULL));
    for (uint32_t i = 0; i < sv->bitfield.count; i++)
        sim_suggest_add(&sg, sv->bitfield.bitdefs[i].name);
    guess = sim_suggest_result(&sg);
    if (guess != NULL) {
        report(w, key, "unknown key; did you mean \"%s\"?", guess);
        return;
    }
    list[0] = '\0';
    for (uint32_t i = 0; i < sv->bitfield.count; i++)
        join_words(list, sv->bitfield.bitdefs[i].name, &len);
    report(w, key, "unknown key (expected one of: %s)", list);
}

/* A mapping of bit-field names to unsigned values that fit their bits. */
static void check_bitfield(struct schema_walk *w,
                           const struct sim_doc_node *node,
                           const cyaml_schema_value_t *sv)
{
    const struct sim_doc_node *v, *key;
    const cyaml_bitdef_t *def;
    const char *text;
    size_t len, old;
    uint32_t i;

    for (v = sim_doc_node_first(node); v != NULL; v = sim_doc_node_next(v)) {
        key = sim_doc_node_key(v);
        text = sim_doc_node_text(key, &len);
        old = push_key(w, text);
        for (i = 0; i < sv->bitfield.count; i++) {
            if (words_equal(sv->bitfield.bitdefs[i].name, text, len,
                            sv->flags))
                break;
        }
        def = i < sv->bitfield.count ? &sv->bitfield.bitdefs[i] : NULL;
        if (def == NULL)
            unknown_bit(w, key, sv);
        else if (sim_doc_node_kind(v) != SIM_DOC_SCALAR ||
                 sim_doc_node_is_empty(v, true))
            report(w, v, "expected a whole number");
        else
            check_whole(w, v, false,
                        def->bits >= 64 ? UINT64_MAX
                                        : (UINT64_C(1) << def->bits) - 1);
        pop(w, old);
    }
}

static void check_length(struct schema_walk *w,
                         const struct sim_doc_node *node,
                         const cyaml_schema_value_t *sv)
{
    size_t n = sim_doc_node_count(node);
    uint32_t min = sv->sequence.min, max = sv->sequence.max;

    if (sv->type == CYAML_SEQUENCE_FIXED && n != min)
        report(w, node, "must have exactly %u entries, found %zu",
               (unsigned)min, n);
    else if (n < min)
        report(w, node, "too few entries: %zu (at least %u)", n,
               (unsigned)min);
    else if (max != CYAML_UNLIMITED && n > max)
        report(w, node, "too many entries: %zu (at most %u)", n,
               (unsigned)max);
}

/* A list; FLAGS is a list of enum words, the others have an entry schema. */
static void check_sequence(struct schema_walk *w,
                           const struct sim_doc_node *node,
                           const cyaml_schema_value_t *sv)
{
    const struct sim_doc_node *v;
    size_t i = 0, old;

    if (sv->type != CYAML_FLAGS)
        check_length(w, node, sv);
    for (v = sim_doc_node_first(node); v != NULL; v = sim_doc_node_next(v)) {
        old = push_index(w, i++);
        if (sv->type != CYAML_FLAGS)
            check_value(w, v, sv->sequence.entry);
        else if (sim_doc_node_kind(v) == SIM_DOC_SCALAR)
            check_word(w, v, sv);
        else
            report(w, v, "expected a word, found %s",
                   sim_doc_node_kind(v) == SIM_DOC_MAPPING ? "a mapping"
                                                           : "a list");
        pop(w, old);
    }
}

static void check_scalar(struct schema_walk *w,
                         const struct sim_doc_node *node,
                         const cyaml_schema_value_t *sv)
{
    switch (sv->type) {
    case CYAML_INT:
    case CYAML_UINT:
        check_whole(w, node, sv->type == CYAML_INT, whole_max(sv));
        break;
    case CYAML_FLOAT:
        check_float(w, node, sv);
        break;
    case CYAML_BOOL:
        check_bool(w, node);
        break;
    case CYAML_ENUM:
        check_word(w, node, sv);
        break;
    case CYAML_STRING:
        check_string(w, node, sv);
        break;
    default:
        break;
    }
}

static bool has_flags(const cyaml_schema_value_t *sv, enum cyaml_flag flags)
{
    return ((unsigned)sv->flags & (unsigned)flags) == (unsigned)flags;
}

static void check_value(struct schema_walk *w,
                        const struct sim_doc_node *node,
                        const cyaml_schema_value_t *sv)
{
    enum sim_doc_kind kind = sim_doc_node_kind(node);
    bool is_map = sv->type == CYAML_MAPPING || sv->type == CYAML_BITFIELD;
    bool is_list = sv->type == CYAML_SEQUENCE ||
                   sv->type == CYAML_SEQUENCE_FIXED ||
                   sv->type == CYAML_FLAGS;

    if (sv->type == CYAML_IGNORE || has_tag(w, node))
        return;
    if (sim_doc_node_is_empty(node, false)) {
        if (!has_flags(sv, CYAML_FLAG_POINTER_NULL))
            report(w, node, "has no value");
        return;
    }
    /* where only an empty value is null, libcyaml reads ~ as text */
    if (sim_doc_node_is_empty(node, true) &&
        !has_flags(sv, CYAML_FLAG_POINTER_NULL)) {
        report(w, node, "has no value");
        return;
    }
    if (sim_doc_node_is_empty(node, true) &&
        has_flags(sv, CYAML_FLAG_POINTER_NULL_STR))
        return;
    if ((is_map && kind != SIM_DOC_MAPPING) ||
        (is_list && kind != SIM_DOC_SEQUENCE) ||
        (!is_map && !is_list && kind != SIM_DOC_SCALAR))
        wrong_kind(w, node, sv);
    else if (sv->type == CYAML_MAPPING)
        check_mapping(w, node, sv);
    else if (sv->type == CYAML_BITFIELD)
        check_bitfield(w, node, sv);
    else if (is_list)
        check_sequence(w, node, sv);
    else
        check_scalar(w, node, sv);
}

int sim_schema_check(struct sim_cfg *cfg, const struct sim_doc *doc,
                     const cyaml_schema_value_t *schema)
{
    struct schema_walk w = {.cfg = cfg};

    check_value(&w, sim_doc_root(doc), schema);
    free(w.cuts);
    return w.n_problems > 0 ? SIM_EINVAL : 0;
}

int sim_schema_check_prune(struct sim_cfg *cfg, struct sim_doc *doc,
                           const cyaml_schema_value_t *schema,
                           bool *is_pruned)
{
    struct schema_walk w = {.cfg = cfg};

    check_value(&w, sim_doc_root(doc), schema);
    *is_pruned = w.n_problems > 0 && !w.is_stuck;
    /* Innermost pairs were noted first; remove outer ones first. */
    for (size_t i = w.n_cuts; *is_pruned && i-- > 0;) {
        sim_doc_remove(doc, w.cuts[i].map, w.cuts[i].value);
        w.cuts[i].path[w.cuts[i].parent_len] = '\0';
        sim_cfg_suppress(cfg, w.cuts[i].path);
    }
    free(w.cuts);
    return w.n_problems > 0 ? SIM_EINVAL : 0;
}

/* ---- loading with libcyaml ---- */

/* Appends n bytes to the log, cut to fit. */
static void log_append(struct schema_log *log, const char *text, size_t n)
{
    if (n > sizeof log->text - 1 - log->len)
        n = sizeof log->text - 1 - log->len;
    memcpy(log->text + log->len, text, n);
    log->len += n;
    log->text[log->len] = '\0';
}

/*
 * Collects libcyaml's log lines into one: "Load: " prefixes go, and so do
 * the "(line: N, column: M)" notes, which count lines of the text we
 * emitted, not of the user's file. Lines are joined by "; ".
 */
static void log_into(cyaml_log_t level, void *ctx, const char *fmt,
                     va_list args)
{
    struct schema_log *log = ctx;
    char line[SCHEMA_LOG_MAX], *p = line, *note;
    const char *sep;
    size_t n;

    (void)level;
    vsnprintf(line, sizeof line, fmt, args);
    while (*p == ' ')
        p++;
    if (strncmp(p, "Load: ", 6) == 0)
        p += 6;
    n = strcspn(p, "\n");
    note = strstr(p, " (line: ");
    if (note != NULL && (size_t)(note - p) < n)
        n = (size_t)(note - p);
    if (n == 0)
        return;
    if (log->len > 0) {
        sep = log->text[log->len - 1] == ':' ? " " : "; ";
        log_append(log, sep, strlen(sep));
    }
    log_append(log, p, n);
}

static void __attribute__((format(printf, 3, 4)))
report_root(struct sim_cfg *cfg, const struct sim_doc *doc,
            const char *fmt, ...)
{
    const struct sim_doc_node *root = sim_doc_root(doc);
    int line, col;
    va_list ap;

    sim_doc_node_position(root, &line, &col);
    va_start(ap, fmt);
    sim_cfg_verror_from(cfg, 0, line, col, NULL, fmt, ap);
    va_end(ap);
}

int sim_schema_load(struct sim_cfg *cfg, const struct sim_doc *doc,
                    const cyaml_schema_value_t *schema, void **data)
{
    struct schema_log log = {{0}, 0};
    const cyaml_config_t config = {
        .log_fn = log_into,
        .log_ctx = &log,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_WARNING,
        .flags = CYAML_CFG_DEFAULT,
    };
    cyaml_data_t *loaded = NULL;
    cyaml_err_t err;
    char *text;
    size_t len;
    int rc;

    *data = NULL;
    rc = sim_doc_emit(doc, &text, &len);
    if (rc != 0)
        return rc;
    err = cyaml_load_data((const uint8_t *)text, len, &config, schema,
                          &loaded, NULL);
    free(text);
    if (err != CYAML_OK) {
        report_root(cfg, doc, "libcyaml could not load the scenario: %s%s%s%s",
                    cyaml_strerror(err), log.len ? " (" : "", log.text,
                    log.len ? ")" : "");
        return err == CYAML_ERR_OOM ? SIM_ENOMEM : SIM_EINVAL;
    }
    if (loaded == NULL) {
        report_root(cfg, doc, "the scenario sets nothing");
        return SIM_EINVAL;
    }
    *data = loaded;
    return 0;
}

void sim_schema_free(const cyaml_schema_value_t *schema, void *data)
{
    const cyaml_config_t config = {
        .log_fn = NULL,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };

    if (data != NULL)
        cyaml_free(&config, schema, data, 0);
}
