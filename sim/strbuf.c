/* SPDX-License-Identifier: MIT */
/*
 * strbuf.c - the growable string. Capacity doubles, so appending n bytes
 * one at a time costs O(n) overall.
 */
#include "sim/strbuf.h"

#include <errno.h>
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

int sim_file_write(const char *path, const char *text, size_t len,
                   struct sim_error *err)
{
    FILE *f = fopen(path, "w");
    bool is_ok;
    int why = errno;

    if (f == NULL)
        return sim_error_set(err, SIM_EIO, "cannot write \"%s\": %s", path,
                             strerror(why));
    is_ok = fwrite(text, 1, len, f) == len;
    why = errno;
    if (fclose(f) != 0 && is_ok) {
        is_ok = false;
        why = errno;
    }
    if (is_ok)
        return 0;
    return sim_error_set(err, SIM_EIO, "cannot write \"%s\": %s", path,
                         strerror(why));
}

int sim_strbuf_save(struct sim_strbuf *sb, const char *path,
                    struct sim_error *err)
{
    int rc;

    if (sb->is_failed) {
        sim_strbuf_release(sb);
        return sim_error_set(err, SIM_ENOMEM, "out of memory writing "
                             "\"%s\"", path);
    }
    rc = sim_file_write(path, sb->data ? sb->data : "", sb->len, err);
    sim_strbuf_release(sb);
    return rc;
}
