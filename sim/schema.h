/* SPDX-License-Identifier: MIT */
/*
 * schema.h - checking a scenario document against a libcyaml schema
 * before libcyaml sees it, then loading it. The check is stricter than
 * libcyaml (no "5ms" in a number, no octal, no nan) and reports every
 * problem at its exact position, so a document that passes loads as the
 * user meant it.
 */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H

#include <stdbool.h>

#include <cyaml/cyaml.h>

#include "sim/cfg.h"
#include "sim/doc.h"

/*
 * Walks doc against schema (the root must be a CYAML_MAPPING) and records
 * every problem in cfg: unknown keys (with a suggestion), missing required
 * keys, a list or mapping where another kind is expected, empty values,
 * list lengths outside the schema's bounds, and scalars that are not a
 * strict decimal whole number within the field's size (INT, UINT), a
 * finite decimal number (FLOAT), exactly true or false (BOOL), one of the
 * enum's strings (ENUM, FLAGS) or of the allowed length (STRING). An empty
 * value is accepted only where the field has CYAML_FLAG_POINTER_NULL;
 * ~ and null only with CYAML_FLAG_POINTER_NULL_STR. Recursive schemas are
 * fine: the walk follows the document. Returns 0 when nothing was found,
 * SIM_EINVAL when problems were recorded.
 */
int sim_schema_check(struct sim_cfg *cfg, const struct sim_doc *doc,
                     const cyaml_schema_value_t *schema);

/*
 * Loads doc with libcyaml (CYAML_CFG_DEFAULT) into *data, which the caller
 * frees with sim_schema_free. Check the document first: this relies on
 * libcyaml alone. When libcyaml fails, what it logged is recorded as one
 * problem at the root, and so is a document that loads as nothing.
 * Returns 0, SIM_EINVAL or SIM_ENOMEM; *data is NULL on failure.
 */
/*
 * Like sim_schema_check, and then, when every problem sits in an optional
 * key or an unknown one, removes those pairs from doc and sets *is_pruned:
 * what is left can be loaded, so the caller can go on to report problems
 * of meaning too. *is_pruned is false when there was nothing to remove or
 * when a problem cannot be removed (a missing required key, a bad list
 * item, a bad required value).
 */
int sim_schema_check_prune(struct sim_cfg *cfg, struct sim_doc *doc,
                           const cyaml_schema_value_t *schema,
                           bool *is_pruned);

int sim_schema_load(struct sim_cfg *cfg, const struct sim_doc *doc,
                    const cyaml_schema_value_t *schema, void **data);

/* Frees what sim_schema_load returned; data may be NULL. */
void sim_schema_free(const cyaml_schema_value_t *schema, void *data);

#endif
