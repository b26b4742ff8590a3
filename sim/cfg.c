/* SPDX-License-Identifier: MIT */
/*
 * cfg.c - collecting scenario problems with their positions. Problems are
 * kept in the order found and sorted by (line, col, order found) only when
 * read back, so the listing is stable and reads top to bottom.
 */
#include "sim/cfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/units.h"

struct cfg_problem {
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
    for (size_t i = 0; i < cfg->n_problems; i++) {
        free(cfg->problems[i].path);
        free(cfg->problems[i].msg);
    }
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

static void add_problem(struct sim_cfg *cfg, int line, int col,
                        const char *path, const char *fmt, va_list ap)
{
    struct cfg_problem *p;
    char msg[512];

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
    add_problem(cfg, line, col, path, fmt, ap);
    va_end(ap);
}

/*
 * Finds the position of path, walking up to the nearest ancestor that is
 * present: "a.b[2].c" tries "a.b[2].c", "a.b[2]", "a.b", "a".
 */
static void locate(struct sim_cfg *cfg, const char *path, int *line,
                   int *col)
{
    char buf[512];
    size_t len;

    *line = *col = 0;
    if (cfg->locate == NULL || path == NULL)
        return;
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        if (cfg->locate(cfg->locate_ctx, buf, line, col) == 0)
            return;
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
    int line, col;
    va_list ap;

    locate(cfg, path, &line, &col);
    va_start(ap, fmt);
    add_problem(cfg, line, col, path, fmt, ap);
    va_end(ap);
}

size_t sim_cfg_n_errors(const struct sim_cfg *cfg)
{
    return cfg->n_problems;
}

static int cmp_problem(const void *a, const void *b)
{
    const struct cfg_problem *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

const char *sim_cfg_format(struct sim_cfg *cfg, size_t i, char *buf,
                           size_t n_buf)
{
    const struct cfg_problem *p;

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
    if (p->path != NULL)
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
