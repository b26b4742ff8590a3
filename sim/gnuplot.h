/* SPDX-License-Identifier: MIT */
/*
 * gnuplot.h - running gnuplot on the chart scripts: finding the program
 * and the scripts, and running one process per chart, with fork and exec
 * (never a shell), in the output directory, with fixed arguments.
 */
#ifndef SIM_GNUPLOT_H
#define SIM_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"

#define SIM_GNUPLOT_MAX_ARGS 12

/* One run of a chart script. */
struct sim_gnuplot_job {
    const char *script;                 /* absolute path of the .gp file */
    const char *args[SIM_GNUPLOT_MAX_ARGS + 1]; /* its ARG1.., NULL-ended */
    int status;                         /* exit code; 127: not started */
    char message[256];                  /* gnuplot's first error line */
};

/* Whether an executable gnuplot is on PATH. */
bool sim_gnuplot_is_installed(void);

/*
 * The directory of the chart scripts, as an absolute path: $DISTSIM_PLOTS
 * when set; else plots/ two levels above the program (a program run as
 * build/<variant>/distsim of some tree); else plots/ of the tree it was
 * built in (a program copied elsewhere). Returns 0, or SIM_EIO with err
 * naming the places that have no scripts.
 */
int sim_gnuplot_scripts(char *buf, size_t n, struct sim_error *err);

/*
 * Runs `gnuplot -d -c SCRIPT ARGS` for each job with dir as the working
 * directory, at most parallel at a time, its standard input and output on
 * /dev/null. Fills each job's status and message. Returns 0, or SIM_EIO
 * when a process could not be started.
 */
int sim_gnuplot_run(const char *dir, struct sim_gnuplot_job *jobs, size_t n,
                    unsigned parallel, struct sim_error *err);

#endif
