/* SPDX-License-Identifier: MIT */
/*
 * render.c - the order of the readable outputs: curves, then the fault
 * timeline, the charts' data and images, and last the reports, which show
 * the charts that were drawn and say why others were not.
 */
#include "sim/render.h"

#include <stdio.h>

#include "sim/chart.h"
#include "sim/gnuplot.h"
#include "sim/page.h"
#include "sim/timeline.h"

/* Draws the charts of set, or says in warnings why it cannot. */
static int draw(const char *dir, const struct sim_render_options *o,
                struct sim_chart_set *set, struct sim_strbuf *warnings,
                struct sim_error *err)
{
    char scripts[4096];
    struct sim_error why = {0};

    if (set->n == 0)
        return 0;
    if (!sim_gnuplot_is_installed()) {
        sim_strbuf_printf(warnings, "gnuplot is not installed (install "
                          "gnuplot-nox): no charts drawn\n");
        return 0;
    }
    if (sim_gnuplot_scripts(scripts, sizeof scripts, &why) != 0) {
        sim_strbuf_printf(warnings, "%s: no charts drawn\n", why.msg);
        return 0;
    }
    return sim_chart_draw(dir, scripts, o->parallel, set, warnings, err);
}

int sim_render_write(const char *dir, const struct sim_scenario *sc,
                     const struct sim_summary *s,
                     const struct sim_render_options *o,
                     struct sim_strbuf *warnings, struct sim_error *err)
{
    struct sim_chart_set set = {0};
    struct sim_timeline tl;
    struct sim_page page = {
        .dir = dir, .sc = sc, .timeline = &tl, .charts = &set,
        .format = o->format,
    };
    char path[4200];
    int rc;

    snprintf(path, sizeof path, "%s/curves.tsv", dir);
    rc = sim_curve_write_tsv(s->curves, s->n_curves, path, err);
    if (rc == 0)
        rc = sim_timeline_build(s->first, sim_time_to_s(sc->duration), &tl,
                                err);
    if (rc != 0)
        return rc;
    if (o->format != SIM_PLOT_NONE)
        rc = sim_chart_prepare(dir, sc, s, &tl, o->format, &set, err);
    if (rc == 0)
        rc = draw(dir, o, &set, warnings, err);
    if (rc == 0)
        rc = sim_page_write(&page, err);
    sim_chart_release(&set);
    sim_timeline_release(&tl);
    return rc;
}
