/* SPDX-License-Identifier: MIT */
/*
 * ranks.c - the sweep's ranks over MPI_COMM_WORLD, with MPI's errors
 * returned rather than fatal. Results travel as byte messages whose tag
 * says what they are; only rank 0 receives, from any rank, taking each
 * message's size from a probe first. Without SIM_HAVE_MPI (set by the
 * build when pkg-config finds Open MPI) only the environment check exists.
 */
#include "sim/ranks.h"

#include <limits.h>
#include <stdlib.h>

#ifdef SIM_HAVE_MPI
#include <mpi.h>
#endif

bool sim_ranks_is_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL &&
           getenv("OMPI_COMM_WORLD_RANK") != NULL;
}

#ifdef SIM_HAVE_MPI

#define RANKS_STR2(x) #x
#define RANKS_STR(x) RANKS_STR2(x)

const char *sim_ranks_build(void)
{
    return "Open MPI " RANKS_STR(OMPI_MAJOR_VERSION) "."
           RANKS_STR(OMPI_MINOR_VERSION) "." RANKS_STR(OMPI_RELEASE_VERSION);
}

static int ranks_send(void *ctx, int tag, const unsigned char *data,
                      size_t len)
{
    (void)ctx;
    if (len > INT_MAX || tag < 0)
        return SIM_EINTERNAL;
    return MPI_Send(data, (int)len, MPI_BYTE, 0, tag, MPI_COMM_WORLD) ==
           MPI_SUCCESS ? 0 : SIM_EINTERNAL;
}

static int ranks_recv(void *ctx, int *tag, unsigned char **data,
                      size_t *len)
{
    MPI_Status st;
    int n;

    (void)ctx;
    *data = NULL;
    if (MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st) !=
        MPI_SUCCESS || MPI_Get_count(&st, MPI_BYTE, &n) != MPI_SUCCESS ||
        n < 0)
        return SIM_EINTERNAL;
    *data = malloc((size_t)n + 1);
    if (*data == NULL)
        return SIM_ENOMEM;
    if (MPI_Recv(*data, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
        free(*data);
        *data = NULL;
        return SIM_EINTERNAL;
    }
    *tag = st.MPI_TAG;
    *len = (size_t)n;
    return 0;
}

static int ranks_bcast(void *ctx, void *data, size_t len)
{
    (void)ctx;
    if (len > INT_MAX)
        return SIM_EINTERNAL;
    return MPI_Bcast(data, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD) ==
           MPI_SUCCESS ? 0 : SIM_EINTERNAL;
}

int sim_ranks_start(struct sim_sweeprun_ranks *r, struct sim_error *err)
{
    int rank, size;

    if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
        return sim_error_set(err, SIM_EINTERNAL, "MPI did not start");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, &size) != MPI_SUCCESS) {
        MPI_Finalize();
        return sim_error_set(err, SIM_EINTERNAL, "MPI gave no rank");
    }
    *r = (struct sim_sweeprun_ranks){
        .rank = (unsigned)rank, .size = (unsigned)size, .send = ranks_send,
        .recv = ranks_recv, .bcast = ranks_bcast, .ctx = NULL,
    };
    return 0;
}

void sim_ranks_stop(struct sim_sweeprun_ranks *r)
{
    (void)r;
    MPI_Finalize();
}

#else

const char *sim_ranks_build(void)
{
    return "built without MPI: pkg-config found no ompi-c";
}

int sim_ranks_start(struct sim_sweeprun_ranks *r, struct sim_error *err)
{
    (void)r;
    return sim_error_set(err, SIM_EINTERNAL, "mpirun started this process, "
                         "but this distsim was %s; run it without mpirun",
                         sim_ranks_build());
}

void sim_ranks_stop(struct sim_sweeprun_ranks *r)
{
    (void)r;
}

#endif
