/* SPDX-License-Identifier: MIT */
/*
 * capreport.h - the capacity report of a sweep: report.md and a
 * self-contained report.html (charts inlined, no external resources) with
 * the question, the answer, the headroom, the table of points, the charts,
 * and the analytic value beside the simulated one wherever the scenario
 * has the shape of a model in sim/analytic.h. A plan's report is built
 * from the same blocks (struct sim_capreport_doc).
 */
#ifndef SIM_CAPREPORT_H
#define SIM_CAPREPORT_H

#include <stdbool.h>

#include "sim/strbuf.h"
#include "sim/sweepout.h"

/*
 * A report written twice, as Markdown and as self-contained HTML: every
 * block call below appends the same content to both, escaped for each.
 */
struct sim_capreport_doc {
    struct sim_strbuf md;               /* becomes report.md */
    struct sim_strbuf html;             /* becomes report.html */
};

/* Starts both documents under the title "Capacity report: NAME". */
void sim_capreport_doc_init(struct sim_capreport_doc *d, const char *name);

void sim_capreport_doc_heading(struct sim_capreport_doc *d,
                               const char *text);

void sim_capreport_doc_para(struct sim_capreport_doc *d, const char *text);

/* Opens (is_start) or closes a table; rows go between. */
void sim_capreport_doc_table(struct sim_capreport_doc *d, bool is_start);

/* One table row, its cells separated by tabs in text. */
void sim_capreport_doc_row(struct sim_capreport_doc *d, const char *text,
                           bool is_head);

/*
 * A "Charts" section: the charts of s (drawn in dir), linked from the
 * Markdown and inlined as SVG in the HTML, or the note saying why not.
 */
void sim_capreport_doc_charts(struct sim_capreport_doc *d,
                              const struct sim_sweepout *s, const char *dir);

/*
 * Ends both documents, writes them as dir/report.md and dir/report.html,
 * and releases d (also on failure). Returns 0 or SIM_EIO with err.
 */
int sim_capreport_doc_save(struct sim_capreport_doc *d, const char *dir,
                           struct sim_error *err);

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
size_t sim_capreport_analytic(const struct sim_pointdir *p,
                              struct sim_strbuf *sb);

#endif
