/* SPDX-License-Identifier: MIT */
/*
 * doc.h - a scenario file as a tree of YAML nodes that remember where
 * they were written (1-based line and column), so every later check can
 * point at the exact spot. Aliases are already expanded into copies; the
 * tree is never deeper than SIM_DOC_MAX_DEPTH collections.
 */
#ifndef SIM_DOC_H
#define SIM_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/cfg.h"

/* Collections nested deeper than this are an error. */
#define SIM_DOC_MAX_DEPTH 64
/* Documents with more nodes than this (keys included) are an error. */
#define SIM_DOC_MAX_NODES 1000000
/* Texts longer than this many bytes are refused before parsing. */
#define SIM_DOC_MAX_BYTES ((size_t)16 << 20)

struct sim_doc;
struct sim_doc_node;

enum sim_doc_kind {
    SIM_DOC_SCALAR = 1,                 /* a single value, always text */
    SIM_DOC_MAPPING,                    /* ordered key: value pairs */
    SIM_DOC_SEQUENCE,                   /* a list */
};

/* How a node was written; the emitters keep it. */
enum sim_doc_style {
    SIM_DOC_PLAIN = 1,                  /* scalar without quotes */
    SIM_DOC_SINGLE_QUOTED,
    SIM_DOC_DOUBLE_QUOTED,
    SIM_DOC_LITERAL,                    /* | block */
    SIM_DOC_FOLDED,                     /* > block */
    SIM_DOC_BLOCK,                      /* indented collection */
    SIM_DOC_FLOW,                       /* collection in [ ] or { } */
};

/*
 * Parses YAML text (len bytes, need not end in NUL) into a document.
 * Every problem is recorded in cfg with its position: syntax errors, an
 * empty text, more than one document, a root that is not a mapping,
 * duplicate keys, unknown aliases and the caps above. Sets *out to the
 * document whenever a tree could be built (duplicate keys still give one),
 * else to NULL. Returns 0 when nothing was recorded, SIM_EINVAL when
 * something was, SIM_ENOMEM when out of memory. Free with sim_doc_free.
 */
int sim_doc_parse(struct sim_cfg *cfg, const char *text, size_t len,
                  struct sim_doc **out);

/*
 * Reads the file at path and parses it as sim_doc_parse does. When the
 * file cannot be read, records "cannot read "<path>": <reason>" and
 * returns SIM_EIO with *out NULL.
 */
int sim_doc_load_file(struct sim_cfg *cfg, const char *path,
                      struct sim_doc **out);

void sim_doc_free(struct sim_doc *doc);

/*
 * A sim_cfg_locate_fn over a struct sim_doc (pass the document as ctx).
 * path is "clients[0].arrival.rate"; a list element may also be named by
 * its name key ("servers.app"). Gives the position of the value, or of
 * its key when the value is empty. Returns 0, k > 0 when the value was
 * given by the k-th override, or -1 when path is not in the document.
 */
int sim_doc_locate(void *doc, const char *path, int *line, int *col);

/*
 * Applies one command-line override "key.path=value". The value is read
 * as YAML, so true, 5ms and "quoted" mean what they would in the file,
 * and must be a single value. It replaces the single value at key.path,
 * or adds the key when the mapping that should hold it exists. The
 * override is registered in cfg (sim_cfg_add_override), and nodes it
 * creates report problems as coming from it. Problems (bad syntax, no such
 * element, a mapping or list where a single value is needed) are recorded
 * in cfg; returns 0, SIM_EINVAL when a problem was recorded, or
 * SIM_ENOMEM. Keys are checked against the schema later, by
 * sim_schema_check.
 */
int sim_doc_set(struct sim_doc *doc, struct sim_cfg *cfg,
                const char *assignment);

/*
 * Writes the document as YAML text for libcyaml: block style, no tags or
 * anchors, scalars in the style they were written so that a quoted "010"
 * stays text. *text is NUL-terminated and malloc'd (the caller frees it);
 * *len excludes the NUL. Returns 0 or SIM_ENOMEM.
 */
int sim_doc_emit(const struct sim_doc *doc, char **text, size_t *len);

/*
 * Writes the document as YAML text for people ("the scenario as run"):
 * like sim_doc_emit, but collections written in flow style stay in flow
 * style and tags are kept, so it reads like the file it came from, with
 * the overrides applied.
 */
int sim_doc_show(const struct sim_doc *doc, char **text, size_t *len);

/*
 * Removes the pair whose value is `value` from the mapping `map` (both
 * nodes of doc). Returns 0, or SIM_EINVAL when value is not in map. The
 * nodes stay allocated in the document's arena until it is freed.
 */
int sim_doc_remove(struct sim_doc *doc, const struct sim_doc_node *map,
                   const struct sim_doc_node *value);

/*
 * Rewrites the mapping `map` in place into a list of mappings, one per
 * pair: {east: [a, b]} becomes [{KEY: east, VALUE: [a, b]}], with every
 * node keeping its position. For keys that are names chosen by the user,
 * which libcyaml cannot load as mapping keys. Returns 0, SIM_EINVAL when
 * map is not a mapping, or SIM_ENOMEM.
 */
int sim_doc_map_to_list(struct sim_doc *doc, const struct sim_doc_node *map,
                        const char *key, const char *value);

/*
 * Rewrites the list of single values `list` in place into one value, its
 * items joined by sep: [app, cache] with "+" becomes "app+cache". Returns
 * 0, SIM_EINVAL when list is not a list of single values, or SIM_ENOMEM.
 */
int sim_doc_list_to_text(struct sim_doc *doc, const struct sim_doc_node *list,
                         const char *sep);

/* The root node: always a mapping. */
const struct sim_doc_node *sim_doc_root(const struct sim_doc *doc);

enum sim_doc_kind sim_doc_node_kind(const struct sim_doc_node *node);

enum sim_doc_style sim_doc_node_style(const struct sim_doc_node *node);

/* Where the node was written (1-based); 0, 0 for a node from --set. */
void sim_doc_node_position(const struct sim_doc_node *node, int *line,
                           int *col);

/* 0 when the node comes from the file, k when from the k-th override. */
unsigned sim_doc_node_origin(const struct sim_doc_node *node);

/*
 * A scalar's text (NUL-terminated; *len, if not NULL, receives its length
 * in bytes, which may count embedded NULs). NULL for a collection.
 */
const char *sim_doc_node_text(const struct sim_doc_node *node, size_t *len);

/*
 * A node's explicit tag ("tag:yaml.org,2002:str", "!local"), or NULL.
 * Only scalars' tags are written back by sim_doc_show.
 */
const char *sim_doc_node_tag(const struct sim_doc_node *node);

/* True for a scalar written without quotes or block indicator. */
bool sim_doc_node_is_plain(const struct sim_doc_node *node);

/*
 * True when the node holds no value: an empty plain scalar ("key:" with
 * nothing after it) or, if nulls is true, also a plain ~, null, Null or
 * NULL.
 */
bool sim_doc_node_is_empty(const struct sim_doc_node *node, bool nulls);

/* Number of pairs of a mapping or items of a list; 0 for a scalar. */
size_t sim_doc_node_count(const struct sim_doc_node *node);

/*
 * The value under key in a mapping (the first one if the key is given
 * twice), or NULL when absent or when node is not a mapping.
 */
const struct sim_doc_node *sim_doc_node_get(const struct sim_doc_node *node,
                                            const char *key);

/*
 * Iteration: the first value of a mapping or item of a list, then each
 * next one in the order written; NULL at the end. For a mapping value,
 * sim_doc_node_key gives its key (a scalar node); for a list item, NULL.
 */
const struct sim_doc_node *sim_doc_node_first(
    const struct sim_doc_node *node);
const struct sim_doc_node *sim_doc_node_next(const struct sim_doc_node *node);
const struct sim_doc_node *sim_doc_node_key(const struct sim_doc_node *node);

#endif
