/* SPDX-License-Identifier: MIT */
/*
 * error.h - status codes and the caller-owned error buffer every library
 * call fills on failure. Library code returns a negative status and writes
 * the reason here; only the command-line program prints.
 */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

#include <stddef.h>

enum sim_status {
    SIM_OK = 0,
    SIM_EINVAL = -1,                    /* bad input: the user's to fix */
    SIM_ENOMEM = -2,                    /* out of memory */
    SIM_EIO = -3,                       /* a file could not be read/written */
    SIM_ELIMIT = -4,                    /* a run hit an event or memory cap */
    SIM_EINTERNAL = -5,                 /* a library call failed unexpectedly */
};

struct sim_error {
    int code;                           /* an enum sim_status */
    char msg[256];                      /* lowercase, no trailing period */
};

/*
 * Records code and a printf-style message in err (which may be NULL) and
 * returns code, so callers can write `return sim_error_set(err, ...)`.
 */
int sim_error_set(struct sim_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
