/* SPDX-License-Identifier: MIT */
/*
 * sweepdoc.h - the capacity report of a sweep, report.md and report.html:
 * the question the sweep asks (phrased for what it varies: an offered
 * load, a number such as workers, named designs, zipped or gridded
 * combinations), the answer, the headroom, the analytic values, the table
 * of points and the charts.
 */
#ifndef SIM_SWEEPDOC_H
#define SIM_SWEEPDOC_H

#include "sim/error.h"
#include "sim/sweepout.h"

/*
 * Writes report.md and report.html into dir (charts already drawn there,
 * s analysed by sim_sweepout_analyse). Returns 0 or SIM_EIO / SIM_ENOMEM
 * with err filled.
 */
int sim_sweepdoc_write(const struct sim_sweepout *s, const char *dir,
                       struct sim_error *err);

#endif
