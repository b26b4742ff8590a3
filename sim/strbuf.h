/* SPDX-License-Identifier: MIT */
/*
 * strbuf.h - a growable, always NUL-terminated string, for building text
 * (tables, reports, file contents) in library code that must not print.
 * After an allocation failure it stays failed and ignores further appends.
 */
#ifndef SIM_STRBUF_H
#define SIM_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"

struct sim_strbuf {
    char *data;                         /* NUL-terminated; NULL when empty */
    size_t len, cap;
    bool is_failed;                     /* an allocation failed */
};

void sim_strbuf_init(struct sim_strbuf *sb);
void sim_strbuf_release(struct sim_strbuf *sb);

/* Appends formatted text. */
void sim_strbuf_printf(struct sim_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends n bytes of s. */
void sim_strbuf_add(struct sim_strbuf *sb, const char *s, size_t n);

/*
 * Hands the text to the caller (who frees it) and empties sb. Returns
 * NULL after an allocation failure; an empty string when nothing was
 * added.
 */
char *sim_strbuf_take(struct sim_strbuf *sb);

/*
 * Writes the text to the file at path, replacing it, and releases sb.
 * Returns 0, or SIM_ENOMEM (an earlier allocation failed) or SIM_EIO with
 * err filled.
 */
/*
 * Writes len bytes of text to path, replacing it. Returns 0, or SIM_EIO
 * with err saying why ("No space left on device").
 */
int sim_file_write(const char *path, const char *text, size_t len,
                   struct sim_error *err);

int sim_strbuf_save(struct sim_strbuf *sb, const char *path,
                    struct sim_error *err);

#endif
