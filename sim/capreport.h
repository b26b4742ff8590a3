/* SPDX-License-Identifier: MIT */
/*
 * capreport.h - the blocks capacity reports are built of (sweeps in
 * sim/sweepdoc.h, plans in sim/planout.h): report.md and a self-contained
 * report.html (charts inlined, no external resources) written together;
 * figures in the units and digits of the run report; margins to the
 * thresholds; the analytic value beside the simulated one wherever the
 * scenario has the shape of a model in sim/analytic.h.
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
 * A figure for people, as the run report writes it: the mean in a unit
 * that suits its size, then the half-width of its 95% interval with the
 * decimals that half-width justifies ("4.66 ± 0.14 ms", "29.6 ± 0.6 %",
 * "2430 ± 19 /s"); without an interval (hw NaN) four significant digits,
 * "n/a" for a NaN mean. name is the figure's name (a percentile keeps to
 * three significant digits) and may be NULL; unit its unit ("s", "1/s",
 * "ratio", ...). Writes into buf and returns it.
 */
const char *sim_capreport_figure(const char *name, const char *unit,
                                 double mean, double hw, char *buf,
                                 size_t n_buf);

/*
 * A single value in the same style, trailing zeros dropped: a threshold
 * or a margin ("8 ms", "50 %"). Returns buf.
 */
const char *sim_capreport_value(const char *unit, double v, char *buf,
                                size_t n_buf);

/* The unit of an expectation's figure at point p ("1" when unknown). */
const char *sim_capreport_expect_unit(const struct sim_pointdir *p,
                                      const struct sim_pointdir_expect *e);

/*
 * The margin of an expectation: the distance from its threshold to the
 * far end of the 95% interval (threshold minus upper end for < and <=,
 * lower end minus threshold for > and >=), in the figure's unit; positive
 * when the whole interval has room to spare. A missing half-width counts
 * as zero.
 */
double sim_capreport_margin(const struct sim_pointdir_expect *e);

/* The margin as a share of |threshold|; NaN when the threshold is 0. */
double sim_capreport_margin_ratio(const struct sim_pointdir_expect *e);

/*
 * A table of every expectation's margin at the points rows[0..n_rows) of
 * s, each point named by its values; preceded by a sentence saying what a
 * margin is.
 */
void sim_capreport_doc_margins(struct sim_capreport_doc *d,
                               const struct sim_sweepout *s,
                               const size_t *rows, size_t n_rows);

/*
 * The analytic figures beside the simulated ones at the points rows of s:
 * a table (point, model, figure, analytic, simulated with its interval,
 * whether the analytic value lies inside the interval) for the points a
 * model describes, and a sentence for those it does not, saying why.
 */
void sim_capreport_doc_analytic(struct sim_capreport_doc *d,
                                const struct sim_sweepout *s,
                                const size_t *rows, size_t n_rows);

#endif
