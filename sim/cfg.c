/* SPDX-License-Identifier: MIT */
/*
 * cfg.c - collecting scenario problems with their positions. Problems are
 * kept in the order found and sorted by (origin, line, col, order found)
 * only when read back, so the listing is stable and reads top to bottom:
 * the file first, then each --set override in the order given.
 */
#include "sim/cfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/units.h"

/* Longest quoted text a message keeps; longer ones end in "...". */
#define CFG_SHOW_MAX 40
/* Room for a message once tidied. */
#define CFG_MSG_MAX 1024

struct cfg_problem {
    unsigned origin;                    /* 0: the file; k: k-th override */
    int line, col;                      /* 1-based; 0 when unknown */
    size_t order;                       /* insertion index, for stability */
    char *path;                         /* key path or NULL */
    char *msg;
};

struct sim_cfg {
    char *file;                         /* scenario file name */
    sim_cfg_locate_fn locate;           /* path -> position, may be NULL */
    void *locate_ctx;
    struct cfg_problem *problems;
    size_t n_problems, cap_problems;
    bool is_sorted;
    char **overrides;                   /* "key.path=value" texts, copied */
    size_t n_overrides;
    char **suppressed;                  /* paths whose problems are dropped */
    size_t n_suppressed;
};

struct sim_cfg *sim_cfg_new(const char *file)
{
    struct sim_cfg *cfg = calloc(1, sizeof *cfg);

    if (cfg == NULL)
        return NULL;
    cfg->file = strdup(file ? file : "<scenario>");
    if (cfg->file == NULL) {
        free(cfg);
        return NULL;
    }
    cfg->is_sorted = true;
    return cfg;
}

void sim_cfg_free(struct sim_cfg *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n_suppressed; i++)
        free(cfg->suppressed[i]);
    free(cfg->suppressed);
    for (size_t i = 0; i < cfg->n_problems; i++) {
        free(cfg->problems[i].path);
        free(cfg->problems[i].msg);
    }
    for (size_t i = 0; i < cfg->n_overrides; i++)
        free(cfg->overrides[i]);
    free(cfg->overrides);
    free(cfg->problems);
    free(cfg->file);
    free(cfg);
}

void sim_cfg_set_locator(struct sim_cfg *cfg, sim_cfg_locate_fn fn,
                         void *ctx)
{
    cfg->locate = fn;
    cfg->locate_ctx = ctx;
}

const char *sim_cfg_file(const struct sim_cfg *cfg)
{
    return cfg->file;
}

/* Appends n bytes of text to buf (n_buf bytes, *len used), truncating. */
static void append(char *buf, size_t n_buf, size_t *len, const char *text,
                   size_t n)
{
    if (*len + n >= n_buf)
        n = n_buf - 1 - *len;
    memcpy(buf + *len, text, n);
    *len += n;
    buf[*len] = '\0';
}

/*
 * Bytes in the character at s: a UTF-8 sequence, or one of the escapes
 * messages use ("\x1b", "\u0085", "\""), counted as one character.
 */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = 1;

    if (c == '\\' && s[1] == 'x' && s[2] != '\0' && s[3] != '\0')
        return 4;
    if (c == '\\' && s[1] == 'u' && strnlen(s + 2, 4) == 4)
        return 6;
    if (c == '\\' && s[1] != '\0')
        return 2;
    if (c >= 0xc0)
        while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n++;
    return n;
}

/*
 * Appends n bytes of text, writing control characters as escapes: C0
 * bytes and DEL as \x1b, C1 characters (U+0080..U+009F, two bytes in
 * UTF-8) as \u009b. A terminal then shows them as text, never obeys them.
 */
static void append_escaped(char *buf, size_t n_buf, size_t *len,
                           const char *text, size_t n)
{
    char esc[8];

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            append(buf, n_buf, len, esc, 4);
        } else if (c == 0xc2 && i + 1 < n &&
                   (unsigned char)text[i + 1] >= 0x80 &&
                   (unsigned char)text[i + 1] <= 0x9f) {
            snprintf(esc, sizeof esc, "\\u%04x",
                     (unsigned char)text[++i]);
            append(buf, n_buf, len, esc, 6);
        } else {
            append(buf, n_buf, len, text + i, 1);
        }
    }
}

/* Where the last CFG_SHOW_MAX characters of s..end begin. */
static const char *tail_start(const char *s, const char *end, size_t n_chars)
{
    const char *p = s;

    for (size_t skip = n_chars - CFG_SHOW_MAX; skip > 0; skip--)
        p += char_len(p);
    return p < end ? p : end;
}

/*
 * Copies a quoted text that starts at s (just past its opening quote),
 * cut to CFG_SHOW_MAX characters with "...", and returns where the
 * message goes on. A value keeps its start; a file path (a text holding
 * '/') keeps its end, where the file's own name is. A quote that never
 * closes is copied whole.
 */
static const char *tidy_quoted(const char *s, char *out, size_t n_out,
                               size_t *len)
{
    const char *p = s, *cut = NULL;
    size_t n_chars = 0;

    while (*p != '\0' && *p != '"') {
        if (n_chars++ == CFG_SHOW_MAX)
            cut = p;
        p += char_len(p);
    }
    if (*p == '\0' || cut == NULL) {
        append_escaped(out, n_out, len, s, (size_t)(p - s));
    } else if (memchr(s, '/', (size_t)(p - s)) != NULL) {
        const char *tail = tail_start(s, p, n_chars);

        append(out, n_out, len, "...", 3);
        append_escaped(out, n_out, len, tail, (size_t)(p - tail));
    } else {
        append_escaped(out, n_out, len, s, (size_t)(cut - s));
        append(out, n_out, len, "...", 3);
    }
    return p;
}

/*
 * A message as stored: every quoted text (a value echoed back) at most
 * CFG_SHOW_MAX characters, so the reason after it always shows, and
 * control characters escaped.
 */
static void tidy(const char *raw, char *out, size_t n_out)
{
    size_t len = 0;

    out[0] = '\0';
    for (const char *p = raw; *p != '\0';) {
        size_t n = strcspn(p, "\"");

        append_escaped(out, n_out, &len, p, n);
        p += n;
        if (*p == '"') {
            append(out, n_out, &len, "\"", 1);
            p = tidy_quoted(p + 1, out, n_out, &len);
            if (*p == '"')
                append(out, n_out, &len, p++, 1);
        }
    }
}

static void add_problem(struct sim_cfg *cfg, unsigned origin, int line,
                        int col, const char *path, const char *fmt,
                        va_list ap)
{
    struct cfg_problem *p;
    char msg[CFG_MSG_MAX], *raw;
    va_list ap2;
    int n;

    for (size_t i = 0; path != NULL && i < cfg->n_suppressed; i++)
        if (strcmp(cfg->suppressed[i], path) == 0)
            return;
    if (cfg->n_problems == cfg->cap_problems) {
        size_t cap = cfg->cap_problems ? cfg->cap_problems * 2 : 16;
        struct cfg_problem *grown = realloc(cfg->problems, cap * sizeof *p);

        if (grown == NULL)
            return;
        cfg->problems = grown;
        cfg->cap_problems = cap;
    }
    /* Formatted whole, so that tidying sees where every quote ends. */
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    raw = malloc(n < 0 ? 1 : (size_t)n + 1);
    if (raw == NULL)
        return;
    vsnprintf(raw, (size_t)n + 1, fmt, ap);
    tidy(raw, msg, sizeof msg);
    free(raw);
    p = &cfg->problems[cfg->n_problems];
    p->origin = origin;
    p->line = line;
    p->col = col;
    p->order = cfg->n_problems;
    p->path = path ? strdup(path) : NULL;
    p->msg = strdup(msg);
    if (p->msg == NULL || (path != NULL && p->path == NULL)) {
        free(p->path);
        free(p->msg);
        return;
    }
    cfg->n_problems++;
    cfg->is_sorted = false;
}

void sim_cfg_error_at(struct sim_cfg *cfg, int line, int col,
                      const char *path, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_problem(cfg, 0, line, col, path, fmt, ap);
    va_end(ap);
}

unsigned sim_cfg_add_override(struct sim_cfg *cfg, const char *assignment)
{
    size_t n = cfg->n_overrides + 1;
    char **grown = realloc(cfg->overrides, n * sizeof *grown);
    char *copy;

    if (grown == NULL)
        return 0;
    cfg->overrides = grown;
    copy = strdup(assignment);
    if (copy == NULL)
        return 0;
    grown[cfg->n_overrides++] = copy;
    return (unsigned)cfg->n_overrides;
}

const char *sim_cfg_override(const struct sim_cfg *cfg, unsigned origin)
{
    if (origin == 0 || origin > cfg->n_overrides)
        return NULL;
    return cfg->overrides[origin - 1];
}

void sim_cfg_verror_from(struct sim_cfg *cfg, unsigned origin, int line,
                         int col, const char *path, const char *fmt,
                         va_list ap)
{
    if (origin > 0)
        line = col = 0;
    add_problem(cfg, origin, line, col, path, fmt, ap);
}

void sim_cfg_error_from(struct sim_cfg *cfg, unsigned origin, int line,
                        int col, const char *path, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sim_cfg_verror_from(cfg, origin, line, col, path, fmt, ap);
    va_end(ap);
}

/*
 * Finds the position of path, walking up to the nearest ancestor that is
 * present: "a.b[2].c" tries "a.b[2].c", "a.b[2]", "a.b", "a". Sets
 * *origin to the override that gave the value, 0 for the file.
 */
static void locate(struct sim_cfg *cfg, const char *path, unsigned *origin,
                   int *line, int *col)
{
    char buf[512];
    size_t len;
    int rc;

    *origin = 0;
    *line = *col = 0;
    if (cfg->locate == NULL || path == NULL)
        return;
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        rc = cfg->locate(cfg->locate_ctx, buf, line, col);
        if (rc >= 0) {
            *origin = (unsigned)rc;
            return;
        }
        len = strlen(buf);
        while (len > 0 && buf[len - 1] != '.' && buf[len - 1] != '[')
            len--;
        if (len == 0)
            break;
        buf[len - 1] = '\0';
    }
    *line = *col = 0;
}

void sim_cfg_error(struct sim_cfg *cfg, const char *path, const char *fmt,
                   ...)
{
    unsigned origin;
    int line, col;
    va_list ap;

    locate(cfg, path, &origin, &line, &col);
    va_start(ap, fmt);
    sim_cfg_verror_from(cfg, origin, line, col, path, fmt, ap);
    va_end(ap);
}

void sim_cfg_place_override(struct sim_cfg *cfg, unsigned origin, int line,
                            int col, const char *note)
{
    for (size_t i = 0; i < cfg->n_problems; i++) {
        struct cfg_problem *p = &cfg->problems[i];
        size_t n;
        char *msg;

        if (p->origin != origin)
            continue;
        n = strlen(p->msg) + strlen(note) + 2;
        msg = malloc(n);
        if (msg == NULL)
            continue;
        snprintf(msg, n, "%s %s", p->msg, note);
        free(p->msg);
        p->msg = msg;
        p->origin = 0;
        p->line = line;
        p->col = col;
        cfg->is_sorted = false;
    }
}

size_t sim_cfg_n_errors(const struct sim_cfg *cfg)
{
    return cfg->n_problems;
}

static int cmp_problem(const void *a, const void *b)
{
    const struct cfg_problem *x = a, *y = b;

    if (x->origin != y->origin)
        return x->origin < y->origin ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Appends "--set 'text': " to buf, quoted so that it could be pasted back
 * into a shell (each ' becomes '\''), with control characters escaped.
 */
static void format_override(const char *text, char *buf, size_t n_buf,
                            size_t *len)
{
    append(buf, n_buf, len, "--set '", 7);
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "'");

        append_escaped(buf, n_buf, len, p, n);
        p += n;
        if (*p == '\'') {
            append(buf, n_buf, len, "'\\''", 4);
            p++;
        }
    }
    append(buf, n_buf, len, "': ", 3);
}

/*
 * Appends "file:line:col: " to buf, or "file: " when the problem has no
 * position (a file that cannot be read), with the name's control
 * characters escaped.
 */
static void format_place(const struct sim_cfg *cfg,
                         const struct cfg_problem *p, char *buf,
                         size_t n_buf, size_t *len)
{
    char pos[32];

    append_escaped(buf, n_buf, len, cfg->file, strlen(cfg->file));
    if (p->line > 0) {
        snprintf(pos, sizeof pos, ":%d:%d", p->line, p->col);
        append(buf, n_buf, len, pos, strlen(pos));
    }
    append(buf, n_buf, len, ": ", 2);
}

const char *sim_cfg_format(struct sim_cfg *cfg, size_t i, char *buf,
                           size_t n_buf)
{
    const struct cfg_problem *p;
    size_t len = 0;

    if (n_buf == 0)
        return buf;
    buf[0] = '\0';
    if (!cfg->is_sorted) {
        qsort(cfg->problems, cfg->n_problems, sizeof *cfg->problems,
              cmp_problem);
        cfg->is_sorted = true;
    }
    if (i >= cfg->n_problems)
        return buf;
    p = &cfg->problems[i];
    if (p->origin > 0 && p->origin <= cfg->n_overrides)
        format_override(cfg->overrides[p->origin - 1], buf, n_buf, &len);
    else
        format_place(cfg, p, buf, n_buf, &len);
    if (p->path != NULL) {
        append_escaped(buf, n_buf, &len, p->path, strlen(p->path));
        append(buf, n_buf, &len, ": ", 2);
    }
    append(buf, n_buf, &len, p->msg, strlen(p->msg));
    return buf;
}

/*
 * A value as echoed in a message, without its quotes: quotes and
 * backslashes escaped, cut after CFG_SHOW_MAX bytes with "...". buf holds
 * 2 * CFG_SHOW_MAX + 4 bytes.
 */
static const char *show(const char *text, char *buf)
{
    size_t len = 0, i = 0;

    buf[0] = '\0';
    for (; text[i] != '\0' && i < CFG_SHOW_MAX; i++) {
        if (text[i] == '"' || text[i] == '\\')
            buf[len++] = '\\';
        buf[len++] = text[i];
    }
    /* never cut inside a UTF-8 sequence */
    while (i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80) {
        i--;
        len--;
    }
    if (text[i] != '\0') {
        memcpy(buf + len, "...", 3);
        len += 3;
    }
    buf[len] = '\0';
    return buf;
}

int sim_cfg_duration(struct sim_cfg *cfg, const char *path, const char *text,
                     sim_time dflt, sim_time *out)
{
    char why[160], buf[2 * CFG_SHOW_MAX + 4];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_duration(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", show(text, buf), why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_rate(struct sim_cfg *cfg, const char *path, const char *text,
                 double dflt, double *out)
{
    char why[160], buf[2 * CFG_SHOW_MAX + 4];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_rate(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", show(text, buf), why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_size(struct sim_cfg *cfg, const char *path, const char *text,
                 uint64_t dflt, uint64_t *out)
{
    char why[160], buf[2 * CFG_SHOW_MAX + 4];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_size(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", show(text, buf), why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_percent(struct sim_cfg *cfg, const char *path, const char *text,
                    double dflt, double *out)
{
    char why[160], buf[2 * CFG_SHOW_MAX + 4];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_percent(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", show(text, buf), why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_name(struct sim_cfg *cfg, const char *path, const char *name)
{
    char buf[2 * CFG_SHOW_MAX + 4];
    size_t len = name ? strlen(name) : 0;
    bool is_ok = len > 0 && len < 64 &&
                 ((name[0] >= 'a' && name[0] <= 'z') ||
                  (name[0] >= 'A' && name[0] <= 'Z'));

    for (size_t i = 0; is_ok && i < len; i++) {
        char c = name[i];

        is_ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    if (is_ok)
        return 0;
    sim_cfg_error(cfg, path, "\"%s\" is not a valid name (1 to 63 letters, "
                  "digits, '_' or '-', starting with a letter)",
                  show(name ? name : "", buf));
    return SIM_EINVAL;
}

void sim_cfg_suppress(struct sim_cfg *cfg, const char *path)
{
    char **grown = realloc(cfg->suppressed,
                           (cfg->n_suppressed + 1) * sizeof *grown);

    if (grown == NULL)
        return;
    cfg->suppressed = grown;
    cfg->suppressed[cfg->n_suppressed] = strdup(path);
    if (cfg->suppressed[cfg->n_suppressed] != NULL)
        cfg->n_suppressed++;
}
