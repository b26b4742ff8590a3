/* SPDX-License-Identifier: MIT */
/*
 * cfg.h - the validation context of one scenario: its file name, a way to
 * find where a key path sits in the file, and the list of problems found
 * so far. Loaders and models record every problem here instead of stopping
 * at the first; the program prints them all, sorted by position, as
 * "file:line:col: key.path: message".
 */
#ifndef SIM_CFG_H
#define SIM_CFG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

struct sim_cfg;

/*
 * Finds the position of a key path such as "clients[0].arrival.rate".
 * Fills *line and *col (1-based) and returns 0; returns -1 when the path
 * is not in the document, in which case the caller tries its parent.
 * Returns k > 0 when the value there was given by the k-th --set (see
 * sim_cfg_add_override) rather than by the file; line and col are unused.
 */
typedef int (*sim_cfg_locate_fn)(void *ctx, const char *path, int *line,
                                 int *col);

/*
 * Creates a context for the scenario named file (copied). Returns NULL
 * when out of memory. Free it with sim_cfg_free.
 */
struct sim_cfg *sim_cfg_new(const char *file);

void sim_cfg_free(struct sim_cfg *cfg);

/* Installs the function that maps key paths to positions (ctx not owned). */
void sim_cfg_set_locator(struct sim_cfg *cfg, sim_cfg_locate_fn fn,
                         void *ctx);

/* The scenario's file name as given to sim_cfg_new. */
const char *sim_cfg_file(const struct sim_cfg *cfg);

/*
 * Records a problem at an exact position. path may be NULL (a syntax
 * error has none); line and col are 1-based, 0 when unknown. Every
 * recorder below keeps a message readable whatever it echoes: a quoted
 * text longer than 40 characters is cut with "...", and control
 * characters are written as escapes (\x1b, \u009b).
 */
void sim_cfg_error_at(struct sim_cfg *cfg, int line, int col,
                      const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Records a problem with the value at path, placed at that path's position
 * in the file, or at its nearest ancestor's when the key is absent.
 */
void sim_cfg_error(struct sim_cfg *cfg, const char *path, const char *fmt,
                   ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Registers a command-line override ("key.path=value", copied) and returns
 * its number k >= 1, in the order registered; 0 when out of memory.
 * Problems whose origin is k are printed as
 * "--set 'key.path=value': path: message", with no file position.
 */
unsigned sim_cfg_add_override(struct sim_cfg *cfg, const char *assignment);

/* The text of the origin-th override, or NULL when there is none. */
const char *sim_cfg_override(const struct sim_cfg *cfg, unsigned origin);

/*
 * Records a problem found in the file at line:col (origin 0, as
 * sim_cfg_error_at does) or in the value given by the origin-th override
 * (origin >= 1; line and col are then ignored). path may be NULL.
 */
void sim_cfg_error_from(struct sim_cfg *cfg, unsigned origin, int line,
                        int col, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The va_list form of sim_cfg_error_from. */
void sim_cfg_verror_from(struct sim_cfg *cfg, unsigned origin, int line,
                         int col, const char *path, const char *fmt,
                         va_list ap)
    __attribute__((format(printf, 6, 0)));

/*
 * From now on, drops problems recorded at exactly this path (copied). The
 * loader uses it for the mapping that held a key it had to remove, whose
 * later complaints ("needs sigma") would only echo the first problem.
 */
void sim_cfg_suppress(struct sim_cfg *cfg, const char *path);

/*
 * Moves the problems recorded so far against the origin-th override to a
 * place in the file (line:col), appending note to each message. A sweep
 * uses it: its values reach the scenario as overrides but were written in
 * the file.
 */
void sim_cfg_place_override(struct sim_cfg *cfg, unsigned origin, int line,
                            int col, const char *note);

/* Number of problems recorded so far. */
size_t sim_cfg_n_errors(const struct sim_cfg *cfg);

/*
 * Writes problem i as one line without a newline: "file:line:col: path:
 * message" ("file: path: message" when it has no position), or "--set
 * 'key.path=value': path: message" for a problem in an override, with
 * control characters in the file name and the override escaped. Problems
 * in the file come first, in position order, then those of each override
 * in the order registered. Returns buf.
 */
const char *sim_cfg_format(struct sim_cfg *cfg, size_t i, char *buf,
                           size_t n_buf);

/*
 * Parsers for a typed value at path. Each returns 0 and fills *out, or
 * records the problem at path and returns SIM_EINVAL. A NULL text means
 * the key is absent: they then store dflt and return 0.
 */
int sim_cfg_duration(struct sim_cfg *cfg, const char *path, const char *text,
                     sim_time dflt, sim_time *out);
int sim_cfg_rate(struct sim_cfg *cfg, const char *path, const char *text,
                 double dflt, double *out);
int sim_cfg_size(struct sim_cfg *cfg, const char *path, const char *text,
                 uint64_t dflt, uint64_t *out);
int sim_cfg_percent(struct sim_cfg *cfg, const char *path, const char *text,
                    double dflt, double *out);

/*
 * Checks a component name: 1 to 63 letters, digits, '_' or '-', starting
 * with a letter (dots are kept for instance names such as "app.2").
 * Records the problem at path and returns SIM_EINVAL, or returns 0.
 */
int sim_cfg_name(struct sim_cfg *cfg, const char *path, const char *name);

#endif
