/* SPDX-License-Identifier: MIT */
/*
 * jsontext.h - JSON as distsim writes it: jansson's text, with every real
 * number in the fewest digits that read back as the same double (0.15,
 * not 0.14999999999999999), so files are exact and still read well.
 */
#ifndef SIM_JSONTEXT_H
#define SIM_JSONTEXT_H

#include <stddef.h>

#include <jansson.h>

#include "sim/error.h"

/* Flags of every JSON file distsim writes. */
#define SIM_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(17) | \
                        JSON_ENSURE_ASCII | JSON_ENCODE_ANY)

/* The text of value (malloc'd; the caller frees it), or NULL. */
char *sim_json_text(const json_t *value);

/* Writes root to path, replacing it. Returns 0 or SIM_EIO / SIM_ENOMEM. */
int sim_json_save(const json_t *root, const char *path,
                  struct sim_error *err);

#endif
