/* SPDX-License-Identifier: MIT */
/*
 * trace.h - request streams read from files, for trace-driven clients:
 * arrival times relative to the first record, and the key and operation of
 * each request when the format has them. Keys are numbered 0, 1, 2 in
 * order of first appearance, so a trace always maps to the same keys.
 */
#ifndef MODELS_TRACE_H
#define MODELS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

enum trace_format {
    TRACE_PLAIN,                        /* "time_s key [read|write]" */
    TRACE_NASA,                         /* NASA HTTP log, tab-separated */
    TRACE_AZURE,                        /* Azure LLM inference, CSV */
    TRACE_CLOUDPHYSICS,                 /* block I/O, CSV */
};

/* At most this many records are read; a longer trace is an error. */
#define TRACE_MAX_RECORDS 10000000

struct trace {
    sim_time *times;                    /* arrival of record i, ns */
    uint64_t *keys;                     /* key of record i, or NULL */
    uint8_t *ops;                       /* enum sim_op of record i */
    size_t n;                           /* records */
    size_t n_keys;                      /* distinct keys */
};

/* How to read a trace file. */
struct trace_options {
    enum trace_format format;
    double speed;                       /* 2: replay twice as fast */
    bool is_spread;                     /* spread same-second records */
};

/*
 * Reads file (relative paths start from the scenario's directory) into t.
 * Problems (unreadable file, a bad line as "file:line: ...", times going
 * back, no record, too many) are recorded at path. Returns 0, SIM_EINVAL
 * or SIM_ENOMEM; release t with trace_release in every case.
 */
int trace_load(struct sim_cfg *cfg, const char *path, const char *file,
               const struct trace_options *opt, struct trace *t);

void trace_release(struct trace *t);

#endif
