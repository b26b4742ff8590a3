/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - the sweep: section of a scenario: parameters (key paths as
 * --set takes them), each over a list of values or a range, combined as a
 * full grid or zipped. A loaded sweep is a table of points; point i gives
 * every parameter one value, always as text that --set accepts.
 */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/cfg.h"
#include "sim/doc.h"

/* Most points a sweep may have. */
#define SIM_SWEEP_MAX_POINTS 10000

enum sim_sweep_combine {
    SIM_SWEEP_GRID,                     /* every combination */
    SIM_SWEEP_ZIP,                      /* i-th value of every parameter */
};

/* One swept parameter. Everything is owned by the sweep. */
struct sim_sweep_param {
    char *key;                          /* "clients[0].arrival.rate" */
    char **values;                      /* as --set takes them: "200/s" */
    double *numbers;                    /* number part; NaN: not a number */
    int *lines, *cols;                  /* where each value was written */
    bool *is_quoted;                    /* written in quotes: stays text */
    size_t n_values;
    char unit[16];                      /* shared unit ("/s", "ms", "") */
    bool is_numeric;                    /* every value is number + unit */
    int line, col;                      /* where the key was written */
};

struct sim_sweep {
    enum sim_sweep_combine combine;
    struct sim_sweep_param *params;
    size_t n_params;
    size_t n_points;
};

/*
 * Reads the sweep: section of the scenario file at path, recording every
 * problem in cfg with its position (a file without the section is one).
 * Returns 0 and sets *out (free with sim_sweep_free), SIM_EINVAL, or
 * SIM_ENOMEM / SIM_EIO.
 */
int sim_sweep_load(struct sim_cfg *cfg, const char *path,
                   struct sim_sweep **out);

/* As sim_sweep_load, from the sweep: node of a parsed document. */
int sim_sweep_parse(struct sim_cfg *cfg, const struct sim_doc_node *node,
                    struct sim_sweep **out);

void sim_sweep_free(struct sim_sweep *sw);

/* Index into params[param].values of the value at point. */
size_t sim_sweep_value_index(const struct sim_sweep *sw, size_t point,
                             size_t param);

/*
 * "key=value" of param at point, into buf; returns buf. A value written in
 * quotes is quoted again, so --set reads it as the same text ("~" stays a
 * tilde, "%d" text). n_buf of 2 * (strlen(key) + strlen(value)) + 4 always
 * suffices.
 */
const char *sim_sweep_assignment(const struct sim_sweep *sw, size_t point,
                                 size_t param, char *buf, size_t n_buf);

/*
 * Splits a quantity as a user types it ("200/s", "1.5ms", "8", "99.5%")
 * into its plain decimal number and the unit text after it (at most
 * n_unit - 1 bytes, possibly empty). *is_whole says the number was written
 * without a fraction or exponent. Returns 0, or SIM_EINVAL with a reason
 * in why.
 */
int sim_sweep_quantity(const char *text, double *number, char *unit,
                       size_t n_unit, bool *is_whole, char *why,
                       size_t n_why);

/*
 * Writes number and unit back as a quantity: whole numbers without a
 * fraction, others with up to 10 significant digits. Returns buf.
 */
const char *sim_sweep_format(double number, const char *unit, bool is_whole,
                             char *buf, size_t n_buf);

#endif
