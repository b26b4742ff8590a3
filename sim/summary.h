/* SPDX-License-Identifier: MIT */
/*
 * summary.h - replications merged into figures with confidence intervals,
 * and the three ways they are written: a table for people, summary.json
 * and metrics.tsv for programs. Every writer is deterministic: the same
 * replications give the same bytes.
 */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim/batch.h"
#include "sim/curve.h"
#include "sim/expect.h"
#include "sim/scenario.h"
#include "sim/stats.h"

/* One figure across replications. Strings borrow from the batch. */
struct sim_summary_row {
    const char *scope;
    const char *name;
    const char *unit;
    struct sim_ci ci;                   /* 95% interval over replications */
    const double *values;               /* one per replication, owned */
};

/* One series across replications: per window, a mean and interval. */
struct sim_summary_series {
    const char *scope;
    const char *name;
    const char *unit;
    size_t n_values;
    double *mean;                       /* per window; NaN when undefined */
    double *half_width;                 /* 95%, NaN with < 2 values */
};

struct sim_summary {
    struct sim_summary_row *rows;
    size_t n_rows;
    struct sim_summary_series *series;
    size_t n_series;
    struct sim_curve_summary *curves;   /* merged point by point */
    size_t n_curves;
    const struct sim_report *first;     /* replication 0, for its notes */
    struct sim_expect_result *expects;  /* judged expectations */
    size_t n_expects;
    unsigned n_reps;
    bool is_balanced;                   /* every book balances */
    size_t *index;                      /* 1 + row, by hash of (scope,
                                           name); 0 free; NULL: rows are
                                           searched in order */
    size_t index_mask;                  /* slots in index, less one */
};

/*
 * Merges b (which must outlive s). Returns 0, SIM_ENOMEM, or
 * SIM_EINTERNAL when replications disagree on their figures.
 */
int sim_summary_build(const struct sim_batch *b, struct sim_summary *s,
                      struct sim_error *err);

void sim_summary_release(struct sim_summary *s);

/*
 * Judges every expectation of sc against s, keeping the results in s.
 * Returns the number not met (missed or unsure), or SIM_ENOMEM.
 */
int sim_summary_judge(struct sim_summary *s, const struct sim_scenario *sc);

/*
 * The row for (scope, name), or NULL; the first one if there are several.
 * A summary made by sim_summary_build finds it through a hash index, in
 * constant time; one filled by hand, in a pass over its rows.
 */
const struct sim_summary_row *sim_summary_find(const struct sim_summary *s,
                                               const char *scope,
                                               const char *name);

/*
 * The table for people, as one malloc'd string the caller frees, or NULL
 * when out of memory.
 */
char *sim_summary_table(const struct sim_summary *s,
                        const struct sim_scenario *sc);

/* "response_time.p999" -> "response time p99.9", into buf. */
void sim_summary_display_name(const char *name, char *buf, size_t n);

/*
 * A figure for people: mean in a unit that suits its size ("12.3 ms",
 * "n/a" when NaN) into value, and the half-width hw of its interval in the
 * same unit and decimals ("0.41"; empty when hw is NaN) into half. The
 * decimals show two significant digits of hw (none for an exact whole
 * number), or four of the mean without an interval.
 */
void sim_summary_format(double mean, double hw, const char *unit,
                        char *value, size_t n_value, char *half,
                        size_t n_half);

/* A figure as text for people. */
struct sim_summary_text {
    char value[64];                     /* "12.3 ms", "n/a" */
    char half[48];                      /* "0.41"; empty without interval */
};

/*
 * As sim_summary_format, for the figure called name: a percentile
 * ("response_time.p99") also keeps to three significant digits, the
 * resolution of the histogram it was read from.
 */
void sim_summary_format_figure(const char *name, const char *unit,
                               double mean, double hw,
                               struct sim_summary_text *out);

/*
 * Whether the table and the reports show a figure: one that applies (a
 * figure that does not is NaN) and is not a count, except the counts that
 * say what went wrong with the data (lost writes, conflicts, failovers,
 * session-guarantee violations and reads left unjudged).
 */
bool sim_summary_is_shown(const char *name, const char *unit, double mean);

/* The books of one scope, summed over replications. */
struct sim_summary_books {
    double start, arrived;              /* present at the start, arrivals */
    double completed, rejected, lost;   /* outcomes */
    double end;                         /* present at the end */
    const char *lost_name;              /* "failed" or "dropped" */
};

/*
 * The books as the table says them, "3 present + 90 arrived = 88
 * completed + ... (balanced)", into buf.
 */
void sim_summary_books_text(const struct sim_summary_books *b, char *buf,
                            size_t n);

/* Writes summary.json / metrics.tsv at path. SIM_EIO with err on failure. */
int sim_summary_write_json(const struct sim_summary *s,
                           const struct sim_scenario *sc, const char *path,
                           struct sim_error *err);
int sim_summary_write_tsv(const struct sim_summary *s, const char *path,
                          struct sim_error *err);

/*
 * Writes series.tsv at path: one line per series and window, with the
 * window's bounds from sc. SIM_EIO with err on failure.
 */
int sim_summary_write_series(const struct sim_summary *s,
                             const struct sim_scenario *sc, const char *path,
                             struct sim_error *err);

#endif
