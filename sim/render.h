/* SPDX-License-Identifier: MIT */
/*
 * render.h - the outputs people read, written after the files programs
 * read: curves.tsv, the charts in charts/, and report.html and report.md.
 */
#ifndef SIM_RENDER_H
#define SIM_RENDER_H

#include "sim/scenario.h"
#include "sim/strbuf.h"
#include "sim/summary.h"

struct sim_render_options {
    int format;                         /* enum sim_plot_format */
    unsigned parallel;                  /* gnuplot processes at once */
};

/*
 * Writes curves.tsv, charts/ and the reports into dir, which already
 * holds summary.json and scenario.yaml. What could not be drawn (gnuplot
 * missing, a chart gnuplot failed on) is told in warnings, one line each,
 * and everything else is still written. Returns 0, or SIM_EIO or
 * SIM_ENOMEM with err filled.
 */
int sim_render_write(const char *dir, const struct sim_scenario *sc,
                     const struct sim_summary *s,
                     const struct sim_render_options *o,
                     struct sim_strbuf *warnings, struct sim_error *err);

#endif
