/* SPDX-License-Identifier: MIT */
/*
 * doc.c - building the scenario tree from libyaml's events, applying
 * --set overrides to it and writing it back out. Every node and string of
 * a document lives in one arena freed at once; aliases are copied into
 * new nodes that share the (never modified) bytes of their texts.
 */
#include "sim/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sim/error.h"
#include "sim/suggest.h"

/* Bytes per arena chunk; a larger request gets a chunk of its own. */
#define DOC_CHUNK_BYTES ((size_t)64 << 10)
/* Longest key path kept for messages; longer ones are cut. */
#define DOC_PATH_MAX 512
/* First read size of sim_doc_load_file, doubled as needed. */
#define DOC_READ_BYTES ((size_t)64 << 10)

struct sim_doc_node {
    enum sim_doc_kind kind;
    enum sim_doc_style style;           /* as written */
    int line, col;                      /* 1-based; 0 for --set nodes */
    unsigned origin;                    /* 0: the file; k: k-th --set */
    const char *tag;                    /* explicit tag, or NULL */
    struct sim_doc_node *key;           /* a mapping value's key, or NULL */
    struct sim_doc_node *next;          /* next sibling in the parent */
    union {
        struct {
            const char *text;           /* NUL-terminated, in the arena */
            size_t len;                 /* bytes, without the NUL */
        } scalar;
        struct {
            struct sim_doc_node *first; /* children in written order */
            struct sim_doc_node *last;
            size_t n;                   /* pairs or items */
        } coll;
    };
};

struct doc_chunk {
    struct doc_chunk *next;
    size_t used, size;                  /* bytes of data in use, in all */
    max_align_t data[];                 /* size bytes */
};

struct sim_doc {
    struct doc_chunk *chunks;           /* the arena; head is filling */
    struct sim_doc_node *root;          /* a mapping once parsed */
    size_t n_nodes;                     /* against SIM_DOC_MAX_NODES */
    size_t n_text_bytes;                /* of scalars, aliases expanded */
};

/* An open collection while events arrive. */
struct doc_frame {
    struct sim_doc_node *node;          /* the mapping or list */
    struct sim_doc_node *key;           /* mapping: key awaiting a value */
    const char *anchor;                 /* name to register when closed */
};

/* One slot of the anchor table (open addressing, name NULL if free). */
struct doc_anchor {
    const char *name;                   /* in the arena */
    const struct sim_doc_node *node;
};

/* The state of turning one YAML text into a tree. */
struct doc_builder {
    struct sim_doc *doc;                /* receives nodes and the root */
    struct sim_cfg *cfg;                /* receives problems */
    unsigned origin;                    /* 0: the file; k: k-th --set */
    const char *err_path;               /* path for syntax errors, or NULL */
    const char *text;                   /* the input, for reader errors */
    size_t len;
    struct sim_doc_node *root;          /* the document's top node */
    struct doc_frame stack[SIM_DOC_MAX_DEPTH];
    int depth;                          /* frames in use */
    struct doc_anchor *anchors;         /* hash table, cap a power of 2 */
    size_t n_anchors, cap_anchors;
    int line, col;                      /* start of the current event */
    size_t n_docs;                      /* documents seen so far */
    size_t n_problems;                  /* problems recorded, all kinds */
};

/* A step of a key path: a name, or an index when name is NULL. */
struct doc_step {
    const char *name;                   /* not NUL-terminated */
    size_t len;                         /* bytes of name */
    size_t index;                       /* list index when name is NULL */
};

/* Growing output of the emitter. */
struct doc_out {
    char *buf;                          /* malloc'd, NUL-terminated */
    size_t len, cap;                    /* bytes used, allocated */
};

/* What sim_doc_emit and sim_doc_show differ in. */
struct doc_emit_opts {
    bool keep_flow;                     /* flow collections stay flow */
    bool keep_tags;                     /* write explicit tags */
    int width;                          /* preferred line width, -1: none */
};

/* ---- the arena ---- */

static void *arena_alloc(struct sim_doc *doc, size_t size, size_t align)
{
    struct doc_chunk *c = doc->chunks;
    size_t at, cap;

    if (c != NULL) {
        at = (c->used + align - 1) & ~(align - 1);
        if (at <= c->size && c->size - at >= size) {
            c->used = at + size;
            return (char *)c->data + at;
        }
    }
    cap = size > DOC_CHUNK_BYTES / 4 ? size : DOC_CHUNK_BYTES;
    c = malloc(sizeof *c + cap);
    if (c == NULL)
        return NULL;
    c->size = cap;
    c->used = size;
    /* a big one-off chunk goes behind the head, which keeps filling */
    if (cap == size && doc->chunks != NULL) {
        c->next = doc->chunks->next;
        doc->chunks->next = c;
    } else {
        c->next = doc->chunks;
        doc->chunks = c;
    }
    return c->data;
}

static char *arena_strndup(struct sim_doc *doc, const char *s, size_t len)
{
    char *copy = arena_alloc(doc, len + 1, 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

/* ---- nodes ---- */

static bool text_equals(const struct sim_doc_node *node, const char *s,
                        size_t len)
{
    return node->kind == SIM_DOC_SCALAR && node->scalar.len == len &&
           memcmp(node->scalar.text, s, len) == 0;
}

static bool is_empty_plain(const struct sim_doc_node *node)
{
    return node->kind == SIM_DOC_SCALAR && node->style == SIM_DOC_PLAIN &&
           node->tag == NULL && node->scalar.len == 0;
}

static void append_child(struct sim_doc_node *parent,
                         struct sim_doc_node *child)
{
    child->next = NULL;
    if (parent->coll.last != NULL)
        parent->coll.last->next = child;
    else
        parent->coll.first = child;
    parent->coll.last = child;
    parent->coll.n++;
}

static const char *kind_name(const struct sim_doc_node *node)
{
    switch (node->kind) {
    case SIM_DOC_MAPPING:
        return "a mapping";
    case SIM_DOC_SEQUENCE:
        return "a list";
    default:
        return "a single value";
    }
}

/* ---- problems and key paths ---- */

static void __attribute__((format(printf, 5, 6)))
report_at(struct doc_builder *b, int line, int col, const char *path,
          const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sim_cfg_verror_from(b->cfg, b->origin, line, col, path, fmt, ap);
    va_end(ap);
    b->n_problems++;
}

/* Appends ".key" (or "key" at the start) to a path of *len bytes. */
static void path_add_key(char *buf, size_t *len, const char *key)
{
    int n = snprintf(buf + *len, DOC_PATH_MAX - *len, "%s%s",
                     *len > 0 ? "." : "", key);

    *len += n < 0 ? 0 : (size_t)n;
    if (*len >= DOC_PATH_MAX)
        *len = DOC_PATH_MAX - 1;
}

static void path_add_index(char *buf, size_t *len, size_t index)
{
    int n = snprintf(buf + *len, DOC_PATH_MAX - *len, "[%zu]", index);

    *len += n < 0 ? 0 : (size_t)n;
    if (*len >= DOC_PATH_MAX)
        *len = DOC_PATH_MAX - 1;
}

/*
 * The path of the newest child of the innermost open collection: every
 * open collection's last child lies on it, because children are linked
 * to their parent as soon as they start.
 */
static void stack_path(const struct doc_builder *b, char *buf)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < b->depth; i++) {
        const struct sim_doc_node *parent = b->stack[i].node;

        if (parent->coll.last == NULL)
            break;
        if (parent->kind == SIM_DOC_MAPPING)
            path_add_key(buf, &len, parent->coll.last->key->scalar.text);
        else
            path_add_index(buf, &len, parent->coll.n - 1);
    }
}

/* ---- anchors ---- */

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;             /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static struct doc_anchor *anchor_slot(struct doc_anchor *table, size_t cap,
                                      const char *name)
{
    size_t i = hash_name(name) & (cap - 1);

    while (table[i].name != NULL && strcmp(table[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &table[i];
}

static int anchors_grow(struct doc_builder *b)
{
    size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 64;
    struct doc_anchor *table = calloc(cap, sizeof *table);

    if (table == NULL)
        return SIM_ENOMEM;
    for (size_t i = 0; i < b->cap_anchors; i++) {
        if (b->anchors[i].name != NULL)
            *anchor_slot(table, cap, b->anchors[i].name) = b->anchors[i];
    }
    free(b->anchors);
    b->anchors = table;
    b->cap_anchors = cap;
    return 0;
}

/* Defines (or redefines, as YAML allows) an anchor; name is arena-owned. */
static int anchor_define(struct doc_builder *b, const char *name,
                         const struct sim_doc_node *node)
{
    struct doc_anchor *slot;

    if (2 * (b->n_anchors + 1) > b->cap_anchors && anchors_grow(b) != 0)
        return SIM_ENOMEM;
    slot = anchor_slot(b->anchors, b->cap_anchors, name);
    if (slot->name == NULL)
        b->n_anchors++;
    slot->name = name;
    slot->node = node;
    return 0;
}

static const struct sim_doc_node *anchor_find(const struct doc_builder *b,
                                              const char *name)
{
    if (b->cap_anchors == 0)
        return NULL;
    return anchor_slot(b->anchors, b->cap_anchors, name)->node;
}

/* ---- building the tree ---- */

/* A zeroed node, counted; the caller has checked the cap. */
static struct sim_doc_node *alloc_node(struct sim_doc *doc,
                                       enum sim_doc_kind kind,
                                       unsigned origin)
{
    struct sim_doc_node *node =
        arena_alloc(doc, sizeof *node, _Alignof(struct sim_doc_node));

    if (node == NULL)
        return NULL;
    memset(node, 0, sizeof *node);
    node->kind = kind;
    node->origin = origin;
    doc->n_nodes++;
    return node;
}

/* A fresh node at the current event's position, counted against the cap. */
static int new_node(struct doc_builder *b, enum sim_doc_kind kind,
                    struct sim_doc_node **out)
{
    struct sim_doc_node *node;

    if (b->doc->n_nodes >= SIM_DOC_MAX_NODES) {
        report_at(b, b->line, b->col, b->err_path,
                  "the scenario has more than %d nodes; stopped reading "
                  "(an alias expanding too far?)", SIM_DOC_MAX_NODES);
        return SIM_EINVAL;
    }
    node = alloc_node(b->doc, kind, b->origin);
    if (node == NULL)
        return SIM_ENOMEM;
    node->line = b->line;
    node->col = b->col;
    *out = node;
    return 0;
}

/*
 * Counts len more bytes of scalar text. Aliases share their bytes in
 * memory, but every copy is written out again for libcyaml, so copies
 * count too: a small text can otherwise expand into gigabytes.
 */
static int count_text(struct doc_builder *b, size_t len)
{
    if (len > SIM_DOC_MAX_BYTES - b->doc->n_text_bytes) {
        report_at(b, b->line, b->col, b->err_path,
                  "the scenario's values come to more than %zu MiB once "
                  "aliases are expanded; stopped reading",
                  SIM_DOC_MAX_BYTES >> 20);
        return SIM_EINVAL;
    }
    b->doc->n_text_bytes += len;
    return 0;
}

/* Links a finished scalar or a just-opened collection into its parent. */
static int add_node(struct doc_builder *b, struct sim_doc_node *node)
{
    struct doc_frame *f;

    if (b->depth == 0) {
        b->root = node;
        return 0;
    }
    f = &b->stack[b->depth - 1];
    if (f->node->kind == SIM_DOC_MAPPING) {
        if (f->key == NULL) {
            if (node->kind == SIM_DOC_SCALAR) {
                f->key = node;
                return 0;
            }
            report_at(b, node->line, node->col, b->err_path,
                      "a key must be a single value, not %s",
                      kind_name(node));
            return SIM_EINVAL;
        }
        node->key = f->key;
        f->key = NULL;
        /* an absent value is shown where its key is */
        if (is_empty_plain(node)) {
            node->line = node->key->line;
            node->col = node->key->col;
        }
    }
    append_child(f->node, node);
    return 0;
}

static enum sim_doc_style scalar_style(yaml_scalar_style_t style)
{
    switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        return SIM_DOC_SINGLE_QUOTED;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return SIM_DOC_DOUBLE_QUOTED;
    case YAML_LITERAL_SCALAR_STYLE:
        return SIM_DOC_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
        return SIM_DOC_FOLDED;
    default:
        return SIM_DOC_PLAIN;
    }
}

static int on_scalar(struct doc_builder *b, const yaml_event_t *ev)
{
    struct sim_doc_node *node;
    const char *anchor = (const char *)ev->data.scalar.anchor;
    const char *tag = (const char *)ev->data.scalar.tag;
    int rc = count_text(b, ev->data.scalar.length);

    if (rc == 0)
        rc = new_node(b, SIM_DOC_SCALAR, &node);
    if (rc != 0)
        return rc;
    node->style = scalar_style(ev->data.scalar.style);
    node->scalar.len = ev->data.scalar.length;
    node->scalar.text = arena_strndup(b->doc,
                                      (const char *)ev->data.scalar.value,
                                      ev->data.scalar.length);
    if (tag != NULL)
        node->tag = arena_strndup(b->doc, tag, strlen(tag));
    if (node->scalar.text == NULL || (tag != NULL && !node->tag))
        return SIM_ENOMEM;
    if (anchor != NULL) {
        anchor = arena_strndup(b->doc, anchor, strlen(anchor));
        if (anchor == NULL || anchor_define(b, anchor, node) != 0)
            return SIM_ENOMEM;
    }
    return add_node(b, node);
}

static int on_open(struct doc_builder *b, const yaml_event_t *ev,
                   enum sim_doc_kind kind)
{
    const yaml_char_t *anchor = kind == SIM_DOC_MAPPING
                                    ? ev->data.mapping_start.anchor
                                    : ev->data.sequence_start.anchor;
    const char *tag = (const char *)(kind == SIM_DOC_MAPPING
                                         ? ev->data.mapping_start.tag
                                         : ev->data.sequence_start.tag);
    bool is_flow = kind == SIM_DOC_MAPPING
                       ? ev->data.mapping_start.style ==
                             YAML_FLOW_MAPPING_STYLE
                       : ev->data.sequence_start.style ==
                             YAML_FLOW_SEQUENCE_STYLE;
    struct sim_doc_node *node;
    struct doc_frame *f;
    int rc;

    if (b->depth == SIM_DOC_MAX_DEPTH) {
        report_at(b, b->line, b->col, b->err_path,
                  "lists and mappings are nested more than %d deep; "
                  "stopped reading", SIM_DOC_MAX_DEPTH);
        return SIM_EINVAL;
    }
    rc = new_node(b, kind, &node);
    if (rc == 0)
        rc = add_node(b, node);
    if (rc != 0)
        return rc;
    node->style = is_flow ? SIM_DOC_FLOW : SIM_DOC_BLOCK;
    if (tag != NULL &&
        (node->tag = arena_strndup(b->doc, tag, strlen(tag))) == NULL)
        return SIM_ENOMEM;
    f = &b->stack[b->depth++];
    f->node = node;
    f->key = NULL;
    f->anchor = NULL;
    if (anchor != NULL) {
        f->anchor = arena_strndup(b->doc, (const char *)anchor,
                                  strlen((const char *)anchor));
        if (f->anchor == NULL)
            return SIM_ENOMEM;
    }
    return 0;
}

static int cmp_by_key(const void *a, const void *b)
{
    const struct sim_doc_node *x = *(struct sim_doc_node *const *)a;
    const struct sim_doc_node *y = *(struct sim_doc_node *const *)b;
    size_t n = x->key->scalar.len < y->key->scalar.len ? x->key->scalar.len
                                                       : y->key->scalar.len;
    int c = memcmp(x->key->scalar.text, y->key->scalar.text, n);

    if (c != 0)
        return c;
    if (x->key->scalar.len != y->key->scalar.len)
        return x->key->scalar.len < y->key->scalar.len ? -1 : 1;
    if (x->key->line != y->key->line)
        return x->key->line < y->key->line ? -1 : 1;
    return (x->key->col > y->key->col) - (x->key->col < y->key->col);
}

/*
 * Reports every key given twice in a mapping that has just closed, at the
 * later key. Sorting keeps this O(n log n) for huge mappings.
 */
static int check_duplicates(struct doc_builder *b,
                            const struct sim_doc_node *map)
{
    struct sim_doc_node **values, *v, *first;
    char path[DOC_PATH_MAX];
    size_t n = 0, len;

    if (map->coll.n < 2)
        return 0;
    values = malloc(map->coll.n * sizeof *values);
    if (values == NULL)
        return SIM_ENOMEM;
    for (v = map->coll.first; v != NULL; v = v->next)
        values[n++] = v;
    qsort(values, n, sizeof *values, cmp_by_key);
    first = values[0];
    for (size_t i = 1; i < n; i++) {
        if (!text_equals(first->key, values[i]->key->scalar.text,
                         values[i]->key->scalar.len)) {
            first = values[i];
            continue;
        }
        stack_path(b, path);
        len = strlen(path);
        path_add_key(path, &len, values[i]->key->scalar.text);
        report_at(b, values[i]->key->line, values[i]->key->col, path,
                  "duplicate key (first given at line %d)", first->key->line);
    }
    free(values);
    return 0;
}

static int on_close(struct doc_builder *b)
{
    struct doc_frame *f = &b->stack[--b->depth];

    if (f->node->kind == SIM_DOC_MAPPING) {
        int rc = check_duplicates(b, f->node);

        if (rc != 0)
            return rc;
    }
    if (f->anchor != NULL)
        return anchor_define(b, f->anchor, f->node);
    return 0;
}

/*
 * Copies the tree at src for an alias; level counts the collections that
 * will enclose the copy. Texts are shared, nodes are not.
 */
static int copy_tree(struct doc_builder *b, const struct sim_doc_node *src,
                     int level, struct sim_doc_node **out)
{
    struct sim_doc_node *node, *child;
    int rc;

    if (src->kind != SIM_DOC_SCALAR && level >= SIM_DOC_MAX_DEPTH) {
        report_at(b, b->line, b->col, b->err_path,
                  "lists and mappings are nested more than %d deep once "
                  "aliases are expanded; stopped reading", SIM_DOC_MAX_DEPTH);
        return SIM_EINVAL;
    }
    rc = new_node(b, src->kind, &node);
    if (rc == 0 && src->kind == SIM_DOC_SCALAR)
        rc = count_text(b, src->scalar.len);
    if (rc != 0)
        return rc;
    *node = *src;
    node->key = NULL;
    node->next = NULL;
    if (src->kind == SIM_DOC_SCALAR) {
        *out = node;
        return 0;
    }
    node->coll.first = node->coll.last = NULL;
    node->coll.n = 0;
    for (const struct sim_doc_node *s = src->coll.first; s; s = s->next) {
        rc = copy_tree(b, s, level + 1, &child);
        if (rc == 0 && s->key != NULL)
            rc = copy_tree(b, s->key, level + 1, &child->key);
        if (rc != 0)
            return rc;
        append_child(node, child);
    }
    *out = node;
    return 0;
}

/* True when name anchors a collection still open, one enclosing the alias. */
static bool is_open_anchor(const struct doc_builder *b, const char *name)
{
    for (int i = 0; i < b->depth; i++)
        if (b->stack[i].anchor != NULL &&
            strcmp(b->stack[i].anchor, name) == 0)
            return true;
    return false;
}

static int on_alias(struct doc_builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const struct sim_doc_node *target = anchor_find(b, name);
    struct sim_doc_node *copy;
    int rc;

    if (target == NULL && is_open_anchor(b, name)) {
        report_at(b, b->line, b->col, b->err_path,
                  "alias \"*%s\" refers to the node that contains it (\"&%s\" "
                  "is still open here); a node cannot include itself", name,
                  name);
        return SIM_EINVAL;
    }
    if (target == NULL) {
        report_at(b, b->line, b->col, b->err_path,
                  "alias \"*%s\" has no anchor \"&%s\" before it", name,
                  name);
        return SIM_EINVAL;
    }
    rc = copy_tree(b, target, b->depth, &copy);
    if (rc != 0)
        return rc;
    copy->line = b->line;
    copy->col = b->col;
    return add_node(b, copy);
}

static int on_document(struct doc_builder *b)
{
    if (++b->n_docs == 1)
        return 0;
    report_at(b, b->line, b->col, b->err_path,
              "a scenario is one YAML document, but another one starts "
              "here");
    return SIM_EINVAL;
}

static int on_event(struct doc_builder *b, const yaml_event_t *ev)
{
    b->line = (int)ev->start_mark.line + 1;
    b->col = (int)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        return on_document(b);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_MAPPING_START_EVENT:
        return on_open(b, ev, SIM_DOC_MAPPING);
    case YAML_SEQUENCE_START_EVENT:
        return on_open(b, ev, SIM_DOC_SEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_close(b);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    default:
        return 0;
    }
}

/* Line and column (1-based) of a byte offset, for reader errors. */
static void offset_position(const struct doc_builder *b, size_t offset,
                            int *line, int *col)
{
    size_t start = 0;

    *line = 1;
    if (offset > b->len)
        offset = b->len;
    for (size_t i = 0; i < offset; i++) {
        if (b->text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    }
    *col = (int)(offset - start) + 1;
}

static int syntax_error(struct doc_builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unreadable text";
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1;

    if (p->error == YAML_MEMORY_ERROR)
        return SIM_ENOMEM;
    if (p->error == YAML_READER_ERROR) {
        offset_position(b, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            report_at(b, line, col, b->err_path,
                      "syntax error: %s (byte 0x%02x)", problem,
                      (unsigned)p->problem_value);
        else
            report_at(b, line, col, b->err_path, "syntax error: %s",
                      problem);
    } else if (p->context != NULL) {
        report_at(b, line, col, b->err_path,
                  "syntax error: %s (%s at line %d, column %d)", problem,
                  p->context, (int)p->context_mark.line + 1,
                  (int)p->context_mark.column + 1);
    } else {
        report_at(b, line, col, b->err_path, "syntax error: %s", problem);
    }
    return SIM_EINVAL;
}

/*
 * Runs libyaml over the builder's text and builds the tree into b->root
 * (NULL for a text without documents). Returns 0 when a whole tree was
 * built, possibly with problems that do not stop reading (duplicate
 * keys), or the status of the problem that stopped it.
 */
static int build_tree(struct doc_builder *b)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    bool is_done = false;
    int rc = 0;

    if (!yaml_parser_initialize(&parser))
        return SIM_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)b->text,
                                 b->len);
    while (rc == 0 && !is_done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(b, &parser);
            break;
        }
        rc = on_event(b, &ev);
        is_done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

static void builder_init(struct doc_builder *b, struct sim_doc *doc,
                         struct sim_cfg *cfg, unsigned origin)
{
    memset(b, 0, sizeof *b);
    b->doc = doc;
    b->cfg = cfg;
    b->origin = origin;
}

static int check_root(struct doc_builder *b)
{
    const struct sim_doc_node *root = b->root;

    if (root == NULL || is_empty_plain(root)) {
        report_at(b, 1, 1, NULL, "the scenario is empty");
        return SIM_EINVAL;
    }
    if (root->kind != SIM_DOC_MAPPING) {
        report_at(b, root->line, root->col, NULL,
                  "the scenario must be a mapping of keys to values, "
                  "found %s", kind_name(root));
        return SIM_EINVAL;
    }
    return 0;
}

void sim_doc_free(struct sim_doc *doc)
{
    struct doc_chunk *c, *next;

    if (doc == NULL)
        return;
    for (c = doc->chunks; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(doc);
}

int sim_doc_parse(struct sim_cfg *cfg, const char *text, size_t len,
                  struct sim_doc **out)
{
    struct doc_builder b;
    struct sim_doc *doc;
    int rc;

    *out = NULL;
    if (len > SIM_DOC_MAX_BYTES) {
        sim_cfg_error_at(cfg, 1, 1, NULL,
                         "the scenario is larger than %zu MiB; not read",
                         SIM_DOC_MAX_BYTES >> 20);
        return SIM_EINVAL;
    }
    doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        return SIM_ENOMEM;
    builder_init(&b, doc, cfg, 0);
    b.text = text;
    b.len = len;
    rc = build_tree(&b);
    if (rc == 0)
        rc = check_root(&b);
    free(b.anchors);
    if (rc != 0) {
        sim_doc_free(doc);
        return rc;
    }
    doc->root = b.root;
    *out = doc;
    return b.n_problems > 0 ? SIM_EINVAL : 0;
}

/*
 * Reads a whole stream, but never more than one byte past the size cap,
 * which is enough for the parser to refuse it. On SIM_EIO, *err is the
 * errno of the failed read.
 */
static int read_all(FILE *f, char **text, size_t *len, int *err)
{
    size_t cap = DOC_READ_BYTES, n = 0;
    char *buf = malloc(cap), *grown;

    for (;;) {
        if (buf == NULL)
            return SIM_ENOMEM;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || n > SIM_DOC_MAX_BYTES)
            break;
        cap = cap * 2 > SIM_DOC_MAX_BYTES ? SIM_DOC_MAX_BYTES + 1 : cap * 2;
        grown = realloc(buf, cap);
        if (grown == NULL)
            free(buf);
        buf = grown;
    }
    if (ferror(f)) {
        *err = errno;
        free(buf);
        return SIM_EIO;
    }
    *text = buf;
    *len = n;
    return 0;
}

int sim_doc_load_file(struct sim_cfg *cfg, const char *path,
                      struct sim_doc **out)
{
    FILE *f;
    char *text;
    size_t len;
    int rc, err = 0;

    *out = NULL;
    errno = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        sim_cfg_error_at(cfg, 0, 0, NULL, "cannot read \"%s\": %s", path,
                         strerror(errno));
        return SIM_EIO;
    }
    rc = read_all(f, &text, &len, &err);
    if (rc == SIM_EIO)
        sim_cfg_error_at(cfg, 0, 0, NULL, "cannot read \"%s\": %s", path,
                         strerror(err));
    fclose(f);
    if (rc != 0)
        return rc;
    rc = sim_doc_parse(cfg, text, len, out);
    free(text);
    return rc;
}

/* ---- key paths ---- */

/*
 * Reads the next step of a key path at *p: "name", ".name" (after the
 * first step) or "[index]". Returns 1 and fills *st, 0 at the end of the
 * path, -1 when the path is malformed.
 */
static int next_step(const char **p, bool is_first, struct doc_step *st)
{
    const char *s = *p, *start;

    if (*s == '\0')
        return 0;
    if (*s == '[') {
        st->name = NULL;
        st->index = 0;
        for (s++; *s >= '0' && *s <= '9'; s++) {
            if (st->index > (SIZE_MAX - 9) / 10)
                return -1;
            st->index = st->index * 10 + (size_t)(*s - '0');
        }
        if (*s != ']' || s[-1] == '[')
            return -1;
        *p = s + 1;
        return 1;
    }
    if (!is_first && *s++ != '.')
        return -1;
    for (start = s; *s != '\0' && *s != '.' && *s != '['; s++)
        continue;
    if (s == start)
        return -1;
    st->name = start;
    st->len = (size_t)(s - start);
    *p = s;
    return 1;
}

/*
 * True when s is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), as libyaml requires of what it writes.
 */
static bool is_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        unsigned c = *p++, n = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
        unsigned long cp = n == 0 ? c : c & (0x3fu >> n);

        if ((c >= 0x80 && c < 0xc2) || c > 0xf4)
            return false;
        for (unsigned i = 0; i < n; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (*p & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
    }
    return true;
}

static bool is_key_path(const char *path)
{
    struct doc_step st;
    int r;

    for (bool is_first = true;; is_first = false) {
        r = next_step(&path, is_first, &st);
        if (r <= 0)
            return r == 0;
    }
}

/* The value under key in map, or NULL (also when map is not a mapping). */
static struct sim_doc_node *lookup_key(const struct sim_doc_node *map,
                                       const char *key, size_t len)
{
    if (map->kind != SIM_DOC_MAPPING)
        return NULL;
    for (struct sim_doc_node *v = map->coll.first; v != NULL; v = v->next) {
        if (text_equals(v->key, key, len))
            return v;
    }
    return NULL;
}

/* The element of a list that is a mapping whose name is the given text. */
static struct sim_doc_node *lookup_named(const struct sim_doc_node *list,
                                         const char *name, size_t len)
{
    for (struct sim_doc_node *v = list->coll.first; v != NULL; v = v->next) {
        const struct sim_doc_node *n;

        n = lookup_key(v, "name", 4);
        if (n != NULL && text_equals(n, name, len))
            return v;
    }
    return NULL;
}

static struct sim_doc_node *step_into(const struct sim_doc_node *node,
                                      const struct doc_step *st)
{
    struct sim_doc_node *v;
    size_t i = 0;

    if (node->kind == SIM_DOC_MAPPING && st->name != NULL)
        return lookup_key(node, st->name, st->len);
    if (node->kind != SIM_DOC_SEQUENCE)
        return NULL;
    if (st->name != NULL)
        return lookup_named(node, st->name, st->len);
    for (v = node->coll.first; v != NULL && i < st->index; v = v->next)
        i++;
    return v;
}

int sim_doc_locate(void *ctx, const char *path, int *line, int *col)
{
    const struct sim_doc *doc = ctx;
    const struct sim_doc_node *node = doc->root;
    struct doc_step st;
    int r;

    if (path == NULL || node == NULL)
        return -1;
    for (bool is_first = true;; is_first = false) {
        r = next_step(&path, is_first, &st);
        if (r <= 0)
            break;
        node = step_into(node, &st);
        if (node == NULL)
            return -1;
    }
    if (r < 0)
        return -1;
    if (node->origin > 0)
        return (int)node->origin;
    *line = node->line;
    *col = node->col;
    return 0;
}

/* ---- --set ---- */

/* What sim_doc_set is working on, for its messages. */
struct doc_setter {
    struct sim_doc *doc;
    struct sim_cfg *cfg;
    unsigned origin;                    /* the override's number */
    char *path;                         /* the key path as typed, copied */
};

/* Records a problem at the first path_len bytes of the typed path. */
static int __attribute__((format(printf, 3, 4)))
set_fail(const struct doc_setter *s, size_t path_len, const char *fmt, ...)
{
    char path[DOC_PATH_MAX];
    va_list ap;

    snprintf(path, sizeof path, "%.*s", (int)path_len, s->path);
    va_start(ap, fmt);
    sim_cfg_verror_from(s->cfg, s->origin, 0, 0, path_len ? path : NULL,
                        fmt, ap);
    va_end(ap);
    return SIM_EINVAL;
}

/* Parses the text after '=' as YAML: a single value, a list or a mapping. */
static int set_parse_value(const struct doc_setter *s, const char *text,
                           struct sim_doc_node **out)
{
    struct doc_builder b;
    int rc;

    builder_init(&b, s->doc, s->cfg, s->origin);
    b.err_path = s->path;
    b.text = text;
    b.len = strlen(text);
    rc = build_tree(&b);
    free(b.anchors);
    if (rc != 0)
        return rc;
    if (b.root == NULL) {
        rc = new_node(&b, SIM_DOC_SCALAR, &b.root);
        if (rc != 0)
            return rc;
        b.root->style = SIM_DOC_PLAIN;
        b.root->scalar.text = "";
    }
    *out = b.root;
    return 0;
}

/* Explains why step st, ending at byte end of the path, found nothing. */
static int set_missing(const struct doc_setter *s,
                       const struct sim_doc_node *node,
                       const struct doc_step *st, size_t start, size_t end)
{
    struct sim_suggest sg;
    char word[DOC_PATH_MAX];
    const char *guess;

    if (node->kind == SIM_DOC_SCALAR)
        return set_fail(s, start, "is a single value, not a mapping or list");
    if (st->name == NULL && node->kind == SIM_DOC_MAPPING)
        return set_fail(s, start, "is a mapping, not a list");
    if (st->name == NULL)
        return set_fail(s, end, "no such element (the list has %zu)",
                        node->coll.n);
    snprintf(word, sizeof word, "%.*s", (int)st->len, st->name);
    sim_suggest_init(&sg, word);
    for (const struct sim_doc_node *v = node->coll.first; v; v = v->next) {
        const struct sim_doc_node *n =
            node->kind == SIM_DOC_MAPPING ? v->key : lookup_key(v, "name", 4);

        if (n != NULL && n->kind == SIM_DOC_SCALAR)
            sim_suggest_add(&sg, n->scalar.text);
    }
    guess = sim_suggest_result(&sg);
    if (node->kind == SIM_DOC_SEQUENCE)
        return set_fail(s, end, "no element of the list is named \"%s\"%s%s%s",
                        word, guess ? "; did you mean \"" : "",
                        guess ? guess : "", guess ? "\"?" : "");
    if (guess != NULL)
        return set_fail(s, end, "not in the scenario; did you mean \"%s\"?",
                        guess);
    return set_fail(s, end, "not in the scenario");
}

/* Adds key: value (both from the override) to a mapping. */
static int set_add_key(const struct doc_setter *s, struct sim_doc_node *map,
                       const struct doc_step *st, struct sim_doc_node *value)
{
    struct sim_doc_node *key;

    if (s->doc->n_nodes >= SIM_DOC_MAX_NODES)
        return set_fail(s, strlen(s->path), "the scenario has more than %d "
                        "nodes", SIM_DOC_MAX_NODES);
    key = alloc_node(s->doc, SIM_DOC_SCALAR, s->origin);
    if (key == NULL)
        return SIM_ENOMEM;
    key->style = SIM_DOC_PLAIN;
    key->scalar.len = st->len;
    key->scalar.text = arena_strndup(s->doc, st->name, st->len);
    if (key->scalar.text == NULL)
        return SIM_ENOMEM;
    value->key = key;
    append_child(map, value);
    return 0;
}

/* Puts value's content in place of old's, which keeps its key. */
static void set_replace(struct sim_doc_node *old,
                        const struct sim_doc_node *value)
{
    old->kind = value->kind;
    old->style = value->style;
    old->tag = value->tag;
    if (value->kind == SIM_DOC_SCALAR)
        old->scalar = value->scalar;
    else
        old->coll = value->coll;
    old->origin = value->origin;
    old->line = old->col = 0;
}

/* Whether an override's value is a written null (~ or null): remove. */
static bool is_removal(const struct sim_doc_node *value)
{
    return sim_doc_node_is_empty(value, true) && value->scalar.len > 0;
}

/* The text of an earlier --set that set node or anything under it. */
static const char *earlier_set(const struct doc_setter *s,
                               const struct sim_doc_node *node)
{
    const char *text = node->origin != s->origin
                           ? sim_cfg_override(s->cfg, node->origin)
                           : NULL;

    if (text != NULL || node->kind == SIM_DOC_SCALAR)
        return text;
    for (const struct sim_doc_node *c = node->coll.first;
         c != NULL && text == NULL; c = c->next)
        text = earlier_set(s, c);
    return text;
}

/* The last step of the path names child of node: replace or remove it. */
static int set_last(const struct doc_setter *s, struct sim_doc_node *node,
                    struct sim_doc_node *child, struct sim_doc_node *value)
{
    const char *earlier = earlier_set(s, child);

    if (is_removal(value) && node->kind != SIM_DOC_MAPPING)
        return set_fail(s, strlen(s->path), "a list element cannot be "
                        "removed; set the whole list instead");
    if (earlier != NULL)
        return set_fail(s, strlen(s->path), "already set by --set '%s'",
                        earlier);
    if (!is_removal(value)) {
        set_replace(child, value);
        return 0;
    }
    return sim_doc_remove(s->doc, node, child);
}

/* Walks the typed path and puts value at its end. */
static int set_place(const struct doc_setter *s, struct sim_doc_node *value)
{
    struct sim_doc_node *node = s->doc->root, *child;
    const char *p = s->path;
    struct doc_step st;
    size_t start;
    bool is_last;
    int r;

    for (bool is_first = true;; is_first = false) {
        start = (size_t)(p - s->path);
        r = next_step(&p, is_first, &st);
        if (r <= 0)
            break;
        is_last = *p == '\0';
        child = step_into(node, &st);
        if (child == NULL && is_last && st.name != NULL &&
            node->kind == SIM_DOC_MAPPING && !is_removal(value))
            return set_add_key(s, node, &st, value);
        /* A missing mapping on the way is created, as in limits.events. */
        if (child == NULL && !is_last && st.name != NULL && *p != '[' &&
            node->kind == SIM_DOC_MAPPING) {
            child = alloc_node(s->doc, SIM_DOC_MAPPING, s->origin);
            if (child == NULL)
                return SIM_ENOMEM;
            r = set_add_key(s, node, &st, child);
            if (r != 0)
                return r;
        }
        if (child == NULL)
            return set_missing(s, node, &st, start, (size_t)(p - s->path));
        if (is_last)
            return set_last(s, node, child, value);
        node = child;
    }
    return SIM_EINTERNAL;
}

int sim_doc_set(struct sim_doc *doc, struct sim_cfg *cfg,
                const char *assignment)
{
    struct doc_setter s = {doc, cfg, 0, NULL};
    const char *eq = strchr(assignment, '=');
    struct sim_doc_node *value;
    int rc;

    s.origin = sim_cfg_add_override(cfg, assignment);
    if (s.origin == 0)
        return SIM_ENOMEM;
    if (!is_utf8(assignment)) {
        sim_cfg_error_from(cfg, s.origin, 0, 0, NULL,
                           "not valid UTF-8 text");
        return SIM_EINVAL;
    }
    if (eq == NULL || eq == assignment) {
        sim_cfg_error_from(cfg, s.origin, 0, 0, NULL,
                           "expected key.path=value");
        return SIM_EINVAL;
    }
    s.path = strndup(assignment, (size_t)(eq - assignment));
    if (s.path == NULL)
        return SIM_ENOMEM;
    if (!is_key_path(s.path)) {
        rc = set_fail(&s, 0, "\"%s\" is not a key path like "
                      "clients[0].arrival.rate", s.path);
        free(s.path);
        return rc;
    }
    rc = set_parse_value(&s, eq + 1, &value);
    if (rc == 0)
        rc = set_place(&s, value);
    free(s.path);
    return rc;
}

/* ---- writing YAML ---- */

static int out_write(void *data, unsigned char *bytes, size_t size)
{
    struct doc_out *o = data;
    char *grown;
    size_t cap = o->cap ? o->cap : 4096;

    while (cap - o->len <= size)
        cap *= 2;
    if (cap != o->cap) {
        grown = realloc(o->buf, cap);
        if (grown == NULL)
            return 0;
        o->buf = grown;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, bytes, size);
    o->len += size;
    o->buf[o->len] = '\0';
    return 1;
}

static yaml_scalar_style_t yaml_style(enum sim_doc_style style)
{
    switch (style) {
    case SIM_DOC_SINGLE_QUOTED:
        return YAML_SINGLE_QUOTED_SCALAR_STYLE;
    case SIM_DOC_DOUBLE_QUOTED:
        return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    case SIM_DOC_LITERAL:
        return YAML_LITERAL_SCALAR_STYLE;
    case SIM_DOC_FOLDED:
        return YAML_FOLDED_SCALAR_STYLE;
    default:
        return YAML_PLAIN_SCALAR_STYLE;
    }
}

/* Emits one event; libyaml takes the event's memory in every case. */
static int emit(yaml_emitter_t *em, yaml_event_t *ev, int made)
{
    if (!made)
        return SIM_ENOMEM;
    if (!yaml_emitter_emit(em, ev))
        return em->error == YAML_MEMORY_ERROR ? SIM_ENOMEM : SIM_EINTERNAL;
    return 0;
}

static int emit_scalar(yaml_emitter_t *em, const struct sim_doc_node *node,
                       const struct doc_emit_opts *o)
{
    const char *tag = o->keep_tags ? node->tag : NULL;
    yaml_event_t ev;
    int made;

    made = yaml_scalar_event_initialize(
        &ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)node->scalar.text,
        (int)node->scalar.len, tag == NULL, tag == NULL,
        yaml_style(node->style));
    return emit(em, &ev, made);
}

static int emit_node(yaml_emitter_t *em, const struct sim_doc_node *node,
                     const struct doc_emit_opts *o)
{
    bool is_flow = o->keep_flow && node->style == SIM_DOC_FLOW;
    yaml_event_t ev;
    int rc, made;

    if (node->kind == SIM_DOC_SCALAR)
        return emit_scalar(em, node, o);
    if (node->kind == SIM_DOC_MAPPING)
        made = yaml_mapping_start_event_initialize(
            &ev, NULL, NULL, 1,
            is_flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
    else
        made = yaml_sequence_start_event_initialize(
            &ev, NULL, NULL, 1,
            is_flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    rc = emit(em, &ev, made);
    for (const struct sim_doc_node *c = node->coll.first; c; c = c->next) {
        if (rc == 0 && c->key != NULL)
            rc = emit_node(em, c->key, o);
        if (rc == 0)
            rc = emit_node(em, c, o);
    }
    if (rc != 0)
        return rc;
    if (node->kind == SIM_DOC_MAPPING)
        made = yaml_mapping_end_event_initialize(&ev);
    else
        made = yaml_sequence_end_event_initialize(&ev);
    return emit(em, &ev, made);
}

static int emit_document(yaml_emitter_t *em, const struct sim_doc *doc,
                         const struct doc_emit_opts *o)
{
    yaml_event_t ev;
    int rc;

    rc = emit(em, &ev,
              yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    if (rc == 0)
        rc = emit(em, &ev, yaml_document_start_event_initialize(
                               &ev, NULL, NULL, NULL, 1));
    if (rc == 0)
        rc = emit_node(em, doc->root, o);
    if (rc == 0)
        rc = emit(em, &ev, yaml_document_end_event_initialize(&ev, 1));
    if (rc == 0)
        rc = emit(em, &ev, yaml_stream_end_event_initialize(&ev));
    return rc;
}

static int write_yaml(const struct sim_doc *doc,
                      const struct doc_emit_opts *o, char **text,
                      size_t *len)
{
    struct doc_out out = {NULL, 0, 0};
    yaml_emitter_t em;
    int rc;

    *text = NULL;
    *len = 0;
    if (!yaml_emitter_initialize(&em))
        return SIM_ENOMEM;
    yaml_emitter_set_output(&em, out_write, &out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, o->width);
    rc = emit_document(&em, doc, o);
    if (rc == 0 && !yaml_emitter_flush(&em))
        rc = SIM_ENOMEM;
    yaml_emitter_delete(&em);
    if (rc != 0) {
        free(out.buf);
        return rc;
    }
    *text = out.buf;
    *len = out.len;
    return 0;
}

int sim_doc_emit(const struct sim_doc *doc, char **text, size_t *len)
{
    const struct doc_emit_opts o = {false, false, -1};

    return write_yaml(doc, &o, text, len);
}

int sim_doc_show(const struct sim_doc *doc, char **text, size_t *len)
{
    const struct doc_emit_opts o = {true, true, 80};

    return write_yaml(doc, &o, text, len);
}

/* ---- reading the tree ---- */

const struct sim_doc_node *sim_doc_root(const struct sim_doc *doc)
{
    return doc->root;
}

enum sim_doc_kind sim_doc_node_kind(const struct sim_doc_node *node)
{
    return node->kind;
}

enum sim_doc_style sim_doc_node_style(const struct sim_doc_node *node)
{
    return node->style;
}

void sim_doc_node_position(const struct sim_doc_node *node, int *line,
                           int *col)
{
    *line = node->line;
    *col = node->col;
}

unsigned sim_doc_node_origin(const struct sim_doc_node *node)
{
    return node->origin;
}

const char *sim_doc_node_text(const struct sim_doc_node *node, size_t *len)
{
    if (node->kind != SIM_DOC_SCALAR)
        return NULL;
    if (len != NULL)
        *len = node->scalar.len;
    return node->scalar.text;
}

const char *sim_doc_node_tag(const struct sim_doc_node *node)
{
    return node->tag;
}

bool sim_doc_node_is_plain(const struct sim_doc_node *node)
{
    return node->kind == SIM_DOC_SCALAR && node->style == SIM_DOC_PLAIN;
}

bool sim_doc_node_is_empty(const struct sim_doc_node *node, bool nulls)
{
    static const char *const null_words[] = {"~", "null", "Null", "NULL"};

    if (!sim_doc_node_is_plain(node) || node->tag != NULL)
        return false;
    if (node->scalar.len == 0)
        return true;
    for (size_t i = 0; nulls && i < 4; i++) {
        if (strcmp(node->scalar.text, null_words[i]) == 0)
            return true;
    }
    return false;
}

size_t sim_doc_node_count(const struct sim_doc_node *node)
{
    return node->kind == SIM_DOC_SCALAR ? 0 : node->coll.n;
}

const struct sim_doc_node *sim_doc_node_get(const struct sim_doc_node *node,
                                            const char *key)
{
    return lookup_key(node, key, strlen(key));
}

const struct sim_doc_node *sim_doc_node_first(
    const struct sim_doc_node *node)
{
    return node->kind == SIM_DOC_SCALAR ? NULL : node->coll.first;
}

const struct sim_doc_node *sim_doc_node_next(const struct sim_doc_node *node)
{
    return node->next;
}

const struct sim_doc_node *sim_doc_node_key(const struct sim_doc_node *node)
{
    return node->key;
}

int sim_doc_remove(struct sim_doc *doc, const struct sim_doc_node *map,
                   const struct sim_doc_node *value)
{
    struct sim_doc_node *m = (struct sim_doc_node *)map, *prev = NULL;

    (void)doc;
    if (m->kind != SIM_DOC_MAPPING)
        return SIM_EINVAL;
    for (struct sim_doc_node *v = m->coll.first; v != NULL; v = v->next) {
        if (v != value) {
            prev = v;
            continue;
        }
        if (prev == NULL)
            m->coll.first = v->next;
        else
            prev->next = v->next;
        if (m->coll.last == v)
            m->coll.last = prev;
        m->coll.n--;
        return 0;
    }
    return SIM_EINVAL;
}

/* A new plain scalar holding text, placed where `at` was written. */
static struct sim_doc_node *scalar_at(struct sim_doc *doc,
                                      const struct sim_doc_node *at,
                                      const char *text, size_t len)
{
    struct sim_doc_node *n = alloc_node(doc, SIM_DOC_SCALAR, at->origin);

    if (n == NULL)
        return NULL;
    n->style = SIM_DOC_PLAIN;
    n->line = at->line;
    n->col = at->col;
    n->scalar.text = arena_strndup(doc, text, len);
    n->scalar.len = len;
    return n->scalar.text != NULL ? n : NULL;
}

/* {KEY: k, VALUE: v} for the pair whose value is v. */
static struct sim_doc_node *pair_as_item(struct sim_doc *doc,
                                         struct sim_doc_node *v,
                                         const char *key, const char *value)
{
    struct sim_doc_node *k = v->key, *item, *name;

    item = alloc_node(doc, SIM_DOC_MAPPING, k->origin);
    name = scalar_at(doc, k, k->scalar.text, k->scalar.len);
    if (item == NULL || name == NULL)
        return NULL;
    item->line = k->line;
    item->col = k->col;
    name->key = scalar_at(doc, k, key, strlen(key));
    v->key = scalar_at(doc, k, value, strlen(value));
    if (name->key == NULL || v->key == NULL)
        return NULL;
    append_child(item, name);
    append_child(item, v);
    return item;
}

int sim_doc_map_to_list(struct sim_doc *doc, const struct sim_doc_node *map,
                        const char *key, const char *value)
{
    struct sim_doc_node *m = (struct sim_doc_node *)map, *v, *next;

    if (m->kind != SIM_DOC_MAPPING)
        return SIM_EINVAL;
    v = m->coll.first;
    m->kind = SIM_DOC_SEQUENCE;
    m->style = SIM_DOC_BLOCK;
    m->coll.first = m->coll.last = NULL;
    m->coll.n = 0;
    for (; v != NULL; v = next) {
        struct sim_doc_node *item;

        next = v->next;
        item = pair_as_item(doc, v, key, value);
        if (item == NULL)
            return SIM_ENOMEM;
        append_child(m, item);
    }
    return 0;
}

int sim_doc_list_to_text(struct sim_doc *doc, const struct sim_doc_node *list,
                         const char *sep)
{
    struct sim_doc_node *l = (struct sim_doc_node *)list;
    size_t len = 0, at = 0, n_sep = strlen(sep);
    char *text;

    if (l->kind != SIM_DOC_SEQUENCE || l->coll.n == 0)
        return SIM_EINVAL;
    for (const struct sim_doc_node *i = l->coll.first; i; i = i->next) {
        if (i->kind != SIM_DOC_SCALAR)
            return SIM_EINVAL;
        len += i->scalar.len + n_sep;
    }
    text = arena_alloc(doc, len + 1, 1);
    if (text == NULL)
        return SIM_ENOMEM;
    for (const struct sim_doc_node *i = l->coll.first; i; i = i->next) {
        if (at > 0) {
            memcpy(text + at, sep, n_sep);
            at += n_sep;
        }
        memcpy(text + at, i->scalar.text, i->scalar.len);
        at += i->scalar.len;
    }
    text[at] = '\0';
    l->kind = SIM_DOC_SCALAR;
    l->style = SIM_DOC_PLAIN;
    l->scalar.text = text;
    l->scalar.len = at;
    return 0;
}
