/* SPDX-License-Identifier: MIT */
/*
 * strbuf.c - the growable string. Capacity doubles, so appending n bytes
 * one at a time costs O(n) overall.
 */
#include "sim/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_strbuf_init(struct sim_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

void sim_strbuf_release(struct sim_strbuf *sb)
{
    free(sb->data);
    sim_strbuf_init(sb);
}

static bool reserve(struct sim_strbuf *sb, size_t extra)
{
    size_t cap;
    char *p;

    if (sb->is_failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    p = realloc(sb->data, cap);
    if (p == NULL) {
        sb->is_failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void sim_strbuf_add(struct sim_strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sim_strbuf_printf(struct sim_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *sim_strbuf_take(struct sim_strbuf *sb)
{
    char *s;

    if (sb->is_failed) {
        sim_strbuf_release(sb);
        return NULL;
    }
    s = sb->data ? sb->data : strdup("");
    sim_strbuf_init(sb);
    return s;
}

int sim_strbuf_save(struct sim_strbuf *sb, const char *path,
                    struct sim_error *err)
{
    bool is_failed = sb->is_failed;
    FILE *f = is_failed ? NULL : fopen(path, "w");
    bool is_ok = f != NULL &&
                 fwrite(sb->data ? sb->data : "", 1, sb->len, f) == sb->len;

    if (f != NULL && fclose(f) != 0)
        is_ok = false;
    sim_strbuf_release(sb);
    if (is_ok)
        return 0;
    return sim_error_set(err, is_failed ? SIM_ENOMEM : SIM_EIO,
                         "cannot write \"%s\"", path);
}
