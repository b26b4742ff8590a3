/* SPDX-License-Identifier: MIT */
/*
 * page.h - the run's report for people, written twice from one outline:
 * report.html (self-contained: inline style, no script, charts as files
 * beside it) and report.md (Markdown tables and chart links, for pasting
 * into documents). Both read summary.json, so they show what programs see.
 */
#ifndef SIM_PAGE_H
#define SIM_PAGE_H

#include "sim/chart.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "sim/timeline.h"

struct sim_page {
    const char *dir;                    /* holds summary.json already */
    const struct sim_scenario *sc;      /* its title and text as run */
    const struct sim_timeline *timeline;
    const struct sim_chart_set *charts; /* the drawn ones are shown */
    int format;                         /* enum sim_plot_format asked for */
};

/*
 * Writes dir/report.html and dir/report.md. Returns 0, or SIM_EIO (a file
 * could not be read or written) or SIM_ENOMEM with err filled.
 */
int sim_page_write(const struct sim_page *pg, struct sim_error *err);

#endif
