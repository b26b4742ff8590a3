/* SPDX-License-Identifier: MIT */
/*
 * ranks.h - the processes of an Open MPI job as the sweep's ranks
 * (struct sim_sweeprun_ranks). MPI starts only when Open MPI's environment
 * says mpirun started this process, so a plain distsim never pays for it.
 * A build made where pkg-config found no Open MPI has no MPI at all.
 */
#ifndef SIM_RANKS_H
#define SIM_RANKS_H

#include <stdbool.h>

#include "sim/error.h"
#include "sim/sweeprun.h"

/* Whether Open MPI's mpirun started this process (OMPI_COMM_WORLD_*). */
bool sim_ranks_is_launched(void);

/*
 * What this build has, for --version: "Open MPI 4.1.4", or a sentence
 * saying it was built without MPI. A static string.
 */
const char *sim_ranks_build(void);

/*
 * Starts MPI and fills r: this process's rank, the number of ranks, and
 * the calls that carry results to rank 0. Returns 0, or SIM_EINTERNAL
 * with err filled (MPI did not start, or this build has no MPI).
 */
int sim_ranks_start(struct sim_sweeprun_ranks *r, struct sim_error *err);

/* Ends MPI, once every rank is done with r. */
void sim_ranks_stop(struct sim_sweeprun_ranks *r);

#endif
