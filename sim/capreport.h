/* SPDX-License-Identifier: MIT */
/*
 * capreport.h - the capacity report of a sweep: report.md and a
 * self-contained report.html (charts inlined, no external resources) with
 * the question, the answer, the headroom, the table of points, the charts,
 * and the analytic value beside the simulated one wherever the scenario
 * has the shape of a model in sim/analytic.h.
 */
#ifndef SIM_CAPREPORT_H
#define SIM_CAPREPORT_H

#include "sim/sweepout.h"

/*
 * Writes report.md and report.html into dir (charts already drawn there).
 * Returns 0 or SIM_EIO / SIM_ENOMEM with err filled.
 */
int sim_capreport_sweep(const struct sim_sweepout *s, const char *dir,
                        struct sim_error *err);

/*
 * The analytic figures for a point's settings, as text lines
 * ("server s p_wait: analytic 0.1936") into sb, or a sentence saying why
 * no model applies. Returns the number of figures found.
 */
struct sim_strbuf;
size_t sim_capreport_analytic(const struct sim_pointdir *p,
                              struct sim_strbuf *sb);

#endif
