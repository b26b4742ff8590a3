/* SPDX-License-Identifier: MIT */
/*
 * units.h - strict parsing of the quantities users type: durations
 * ("250us"), rates ("2k/s"), sizes ("64KiB"), percentages ("99.5%") and
 * plain decimal numbers. The whole text must be consumed; a unit is never
 * guessed. On failure the functions write a short reason into why (for
 * example "missing unit") and return SIM_EINVAL; the caller adds the key.
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

/*
 * A plain decimal number: optional sign, digits, optional fraction and
 * exponent. Rejects "nan", "inf", hex, leading zeros ("010") and trailing
 * text. Returns 0, or SIM_EINVAL with the reason in why.
 */
int sim_units_number(const char *text, double *out, char *why, size_t n_why);

/*
 * A duration: a non-negative number and one of ns, us, ms, s, m (minutes),
 * min, h. Rounds to the nearest nanosecond; a non-zero value below 1 ns,
 * and one too large for int64 nanoseconds, are errors.
 */
int sim_units_duration(const char *text, sim_time *out, char *why,
                       size_t n_why);

/*
 * A rate: a non-negative number, an optional k, M or G multiplier, a slash
 * and a period (s, ms, us, min, m or h), as in "500/s", "2k/s", "30/min".
 * *per_s receives events per second.
 */
int sim_units_rate(const char *text, double *per_s, char *why, size_t n_why);

/* A size: a non-negative whole number of B, kB, MB, GB, KiB, MiB or GiB. */
int sim_units_size(const char *text, uint64_t *bytes, char *why,
                   size_t n_why);

/* A percentage "99.5%" as a fraction (0.995); the % sign is required. */
int sim_units_percent(const char *text, double *fraction, char *why,
                      size_t n_why);

/*
 * Writes t as a short human duration ("12.5ms", "3s", "250ns") into buf
 * and returns buf. Used for tables, never parsed back.
 */
char *sim_units_format_duration(sim_time t, char *buf, size_t n_buf);

/*
 * Writes t in seconds, exactly: up to 9 decimals with trailing zeros
 * trimmed, one kept ("40.0", "58.5", "85.500482216"), into buf and
 * returns buf. For times on a timeline, in text and in JSON.
 */
char *sim_units_format_seconds(sim_time t, char *buf, size_t n_buf);

/*
 * Writes a size exactly, in the largest unit that divides it ("64MiB",
 * "1500B", "2GB"), into buf and returns buf; sim_units_size reads it back.
 */
char *sim_units_format_size(uint64_t bytes, char *buf, size_t n_buf);

#endif
