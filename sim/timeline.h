/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - the notes of a run read as fault windows: each fault note
 * (partition, crash, slow, ...) paired with the note that ends it (heal,
 * restart, restore, ...), and every other note an instant event. Charts
 * shade the windows; the report lists both.
 */
#ifndef SIM_TIMELINE_H
#define SIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"
#include "sim/report.h"

/* A fault from its note to its end. Strings borrow from the report. */
struct sim_timeline_window {
    double start_s;                     /* simulated time, s */
    double end_s;                       /* the end note's, or the run's end */
    const char *kind;                   /* "partition" */
    const char *end_kind;               /* "heal", or NULL: never ended */
    const char *text;                   /* what and whom */
};

/* The windows and the instant events of a report, in time order. */
struct sim_timeline {
    struct sim_timeline_window *windows;
    size_t n_windows;
    const struct sim_note **events;     /* notes that are neither */
    size_t n_events;
};

/*
 * Reads the notes of rep (NULL: none); a fault never ended lasts to
 * run_end_s. Returns 0 or SIM_ENOMEM with err filled.
 */
int sim_timeline_build(const struct sim_report *rep, double run_end_s,
                       struct sim_timeline *out, struct sim_error *err);

void sim_timeline_release(struct sim_timeline *t);

#endif
