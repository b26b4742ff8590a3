/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the progress line of a long run: how much simulated time
 * is done over all replications, how many replications finished, and the
 * wall time left at the pace so far. Shown only on a terminal, and only
 * once a run has taken more than a second.
 */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/batch.h"

#define SIM_PROGRESS_AFTER_S 1.0        /* quiet for runs shorter than this */
#define SIM_PROGRESS_EVERY_S 0.2        /* at most this often */

struct sim_progress {
    bool is_enabled;                    /* the output is a terminal */
    bool is_shown;                      /* a line was handed out */
    double t_start;                     /* monotonic wall time, s */
    double t_last;                      /* of the last line */
    double after_s;                     /* quiet until this much time */
};

/*
 * Starts the clock; a disabled display never hands out a line. Lines
 * start after SIM_PROGRESS_AFTER_S, or after the seconds given by the
 * environment variable DISTSIM_PROGRESS_AFTER when it is set.
 */
void sim_progress_start(struct sim_progress *pr, bool is_enabled);

/*
 * Whether a line is due now (enabled, past its start delay, and
 * SIM_PROGRESS_EVERY_S since the last); if so, fills line with it.
 */
bool sim_progress_update(struct sim_progress *pr,
                         const struct sim_batch_progress *p, char *line,
                         size_t n);

/*
 * The line for p after elapsed_s seconds of wall time, into buf:
 * "progress: 42% (2 of 5 replications done, 126s of 300s simulated),
 * about 14s left".
 */
char *sim_progress_format(const struct sim_batch_progress *p,
                          double elapsed_s, char *buf, size_t n);

#endif
