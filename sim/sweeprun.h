/* SPDX-License-Identifier: MIT */
/*
 * sweeprun.h - running a sweep: every point's scenario is loaded and
 * checked first, then the missing points run (their replications spread
 * over worker processes, and over MPI ranks when there are several), each
 * finished point is written into the partial output at once, and the
 * sweep's own files are made from the points read back.
 */
#ifndef SIM_SWEEPRUN_H
#define SIM_SWEEPRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/batch.h"
#include "sim/sweep.h"
#include "sim/variant.h"

struct sim_sweeprun;

/*
 * Processes that share the points between them (MPI ranks): rank 0
 * writes everything; the others send it their points. All three calls
 * return 0 or a negative status.
 */
struct sim_sweeprun_ranks {
    unsigned rank, size;
    /* Sends len bytes to rank 0, labelled tag. */
    int (*send)(void *ctx, int tag, const unsigned char *data, size_t len);
    /* On rank 0: the next message from any rank (*data malloc'd). */
    int (*recv)(void *ctx, int *tag, unsigned char **data, size_t *len);
    /* Makes len bytes of rank 0's buffer every rank's. */
    int (*bcast)(void *ctx, void *data, size_t len);
    void *ctx;
};

struct sim_sweeprun_opts {
    const char *dir;                    /* the output directory */
    unsigned jobs;                      /* worker processes per rank */
    bool is_resume;                     /* keep points already finished */
    bool is_forced;                     /* replace a directory not ours */
    bool skips_charts;                  /* --charts none: draw none */
    const struct sim_sweeprun_ranks *ranks; /* NULL: this process alone */
    sim_batch_progress_fn progress;     /* told how the points go, in a
                                           process alone; may be NULL */
    void *progress_ctx;
};

/*
 * Loads the sweep of base->file and the scenario of every point (base
 * gives the file, the user's --set and the model kinds; its extra fields
 * are unused). Every problem goes to probs. Returns 0 and sets *out,
 * SIM_EINVAL, or SIM_ENOMEM / SIM_EIO with err filled.
 */
int sim_sweeprun_load(const struct sim_variant_request *base,
                      struct sim_sweeprun **out,
                      struct sim_variant_problems *probs,
                      struct sim_error *err);

void sim_sweeprun_free(struct sim_sweeprun *run);

size_t sim_sweeprun_n_points(const struct sim_sweeprun *run);

/* The scenario's name (of its first point). */
const char *sim_sweeprun_name(const struct sim_sweeprun *run);

/*
 * Runs what is missing and writes the output directory (rank 0). On
 * rank 0, *table receives a summary for people (malloc'd; the caller
 * frees it) and *n_run the number of points computed now. Returns 0,
 * SIM_EINVAL (the directory is not ours, or its partial results belong
 * to another sweep), or another negative status, with err filled.
 */
int sim_sweeprun_execute(struct sim_sweeprun *run,
                         const struct sim_sweeprun_opts *o, char **table,
                         size_t *n_run, struct sim_error *err);

#endif
