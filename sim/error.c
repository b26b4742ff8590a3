/* SPDX-License-Identifier: MIT */
/*
 * error.c - filling a caller's error buffer. Messages are truncated, never
 * overflowed, to the buffer's fixed size.
 */
#include "sim/error.h"

#include <stdarg.h>
#include <stdio.h>

int sim_error_set(struct sim_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}
