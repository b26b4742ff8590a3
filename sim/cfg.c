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

static void add_problem(struct sim_cfg *cfg, unsigned origin, int line,
                        int col, const char *path, const char *fmt,
                        va_list ap)
{
    struct cfg_problem *p;
    char msg[512];

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
    vsnprintf(msg, sizeof msg, fmt, ap);
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
 * Writes "--set 'text': " into buf (n_buf > 0), quoted so that it could
 * be pasted back into a shell: each ' becomes '\''. Returns the length.
 */
static size_t format_override(const char *text, char *buf, size_t n_buf)
{
    size_t len = 0;

    buf[0] = '\0';
    append(buf, n_buf, &len, "--set '", 7);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\'')
            append(buf, n_buf, &len, "'\\''", 4);
        else
            append(buf, n_buf, &len, p, 1);
    }
    append(buf, n_buf, &len, "': ", 3);
    return len;
}

const char *sim_cfg_format(struct sim_cfg *cfg, size_t i, char *buf,
                           size_t n_buf)
{
    const struct cfg_problem *p;
    size_t at;

    if (!cfg->is_sorted) {
        qsort(cfg->problems, cfg->n_problems, sizeof *cfg->problems,
              cmp_problem);
        cfg->is_sorted = true;
    }
    if (i >= cfg->n_problems) {
        snprintf(buf, n_buf, "%s", "");
        return buf;
    }
    p = &cfg->problems[i];
    if (p->origin > 0 && p->origin <= cfg->n_overrides && n_buf > 0) {
        at = format_override(cfg->overrides[p->origin - 1], buf, n_buf);
        if (p->path != NULL)
            snprintf(buf + at, n_buf - at, "%s: %s", p->path, p->msg);
        else
            snprintf(buf + at, n_buf - at, "%s", p->msg);
    } else if (p->path != NULL)
        snprintf(buf, n_buf, "%s:%d:%d: %s: %s", cfg->file, p->line, p->col,
                 p->path, p->msg);
    else
        snprintf(buf, n_buf, "%s:%d:%d: %s", cfg->file, p->line, p->col,
                 p->msg);
    return buf;
}

int sim_cfg_duration(struct sim_cfg *cfg, const char *path, const char *text,
                     sim_time dflt, sim_time *out)
{
    char why[160];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_duration(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", text, why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_rate(struct sim_cfg *cfg, const char *path, const char *text,
                 double dflt, double *out)
{
    char why[160];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_rate(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", text, why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_size(struct sim_cfg *cfg, const char *path, const char *text,
                 uint64_t dflt, uint64_t *out)
{
    char why[160];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_size(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", text, why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_percent(struct sim_cfg *cfg, const char *path, const char *text,
                    double dflt, double *out)
{
    char why[160];

    if (text == NULL) {
        *out = dflt;
        return 0;
    }
    if (sim_units_percent(text, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", text, why);
        return SIM_EINVAL;
    }
    return 0;
}

int sim_cfg_name(struct sim_cfg *cfg, const char *path, const char *name)
{
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
                  name ? name : "");
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
