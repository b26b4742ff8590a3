/* SPDX-License-Identifier: MIT */
/*
 * route.c - the request graph of a scenario and its check at load. Models
 * declare components and references as entity ids; the check folds them
 * into a graph between components, finds its strongly connected parts
 * (Tarjan, without recursion, so long chains cannot exhaust the stack) and
 * spells each bad loop once, at the reference that starts it.
 */
#include "sim/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/grow.h"

#define ROUTE_EXIT UINT32_MAX           /* an arc to what answers requests */
#define ROUTE_NONE UINT32_MAX           /* no index, no strong component */
#define ROUTE_SURE (1.0 - 1e-9)         /* hand-offs that add up to 1 */
#define ROUTE_TEXT 200                  /* bytes of a loop spelled out */

/* Which kinds of arc a search follows, as bits of enum sim_route_kind. */
#define ROUTE_FORWARDS (1u << SIM_ROUTE_PASS)
#define ROUTE_HANDOFFS (1u << SIM_ROUTE_PASS | 1u << SIM_ROUTE_NEXT)
#define ROUTE_ALL (ROUTE_HANDOFFS | 1u << SIM_ROUTE_CALL)

struct route_component {
    char *name;
    bool is_source;                     /* a client: never a target */
    double p_next;                      /* sum of hand-off probabilities */
};

/* One reference as written: from a component, of one kind, at a path. */
struct route_link {
    uint32_t from;                      /* component index */
    enum sim_route_kind kind;
    char *path;                         /* key path, for messages */
};

/* A link to one entity. */
struct route_edge {
    uint32_t link;                      /* index into links */
    uint32_t to_id;                     /* entity id */
};

struct sim_route {
    struct route_component *comps;
    size_t n_comps, cap_comps;
    uint32_t *comp_of;                  /* per entity: component + 1, or 0 */
    size_t n_comp_of, cap_comp_of;
    struct route_link *links;
    size_t n_links, cap_links;
    struct route_edge *edges;
    size_t n_edges, cap_edges;
};

/* An arc between components; to is ROUTE_EXIT for undeclared entities. */
struct arc {
    uint32_t to;
    uint32_t link;
};

/* The graph the check works on: arcs grouped by origin, in link order. */
struct graph {
    const struct sim_route *r;
    size_t n;                           /* components */
    size_t *first;                      /* n + 1 offsets into arcs */
    struct arc *arcs;
    size_t n_arcs;
    uint32_t *scc;                      /* per component: strong component */
    uint32_t *order;                    /* components as their strong
                                           components closed, sinks first */
    size_t n_order;
    size_t *scc_at;                     /* per strong component: its start
                                           in order */
    bool *is_reported;                  /* per component: in a loop shown */
    uint32_t *parent;                   /* path search: where from, or NONE */
    size_t *via;                        /* path search: by which arc */
    uint32_t *queue;                    /* path search: to visit */
    uint32_t *path;                     /* the path found, n + 2 entries */
};

/* The working memory of one strong-component search. */
struct tarjan {
    uint32_t *index, *low, *stack, *calls;
    size_t *next;                       /* per component: next arc to try */
    bool *on_stack;
    size_t n_stack, n_calls;
    uint32_t counter, n_sccs;
};

struct sim_route *sim_route_new(void)
{
    return calloc(1, sizeof(struct sim_route));
}

void sim_route_free(struct sim_route *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_comps; i++)
        free(r->comps[i].name);
    for (size_t i = 0; i < r->n_links; i++)
        free(r->links[i].path);
    free(r->comps);
    free(r->comp_of);
    free(r->links);
    free(r->edges);
    free(r);
}

int sim_route_component(struct sim_route *r, const char *name,
                        const uint32_t *ids, size_t n_ids, bool is_source)
{
    struct route_component *c;

    if (!sim_grow((void **)&r->comps, &r->cap_comps, sizeof *r->comps,
                  r->n_comps + 1))
        return SIM_ENOMEM;
    c = &r->comps[r->n_comps];
    c->name = strdup(name);
    if (c->name == NULL)
        return SIM_ENOMEM;
    c->is_source = is_source;
    c->p_next = 0;
    r->n_comps++;
    for (size_t i = 0; i < n_ids; i++) {
        size_t need = (size_t)ids[i] + 1;

        if (need > r->n_comp_of) {
            if (!sim_grow((void **)&r->comp_of, &r->cap_comp_of,
                          sizeof *r->comp_of, need))
                return SIM_ENOMEM;
            memset(r->comp_of + r->n_comp_of, 0,
                   (need - r->n_comp_of) * sizeof *r->comp_of);
            r->n_comp_of = need;
        }
        r->comp_of[ids[i]] = (uint32_t)r->n_comps;
    }
    return 0;
}

/* The component of entity id, or ROUTE_EXIT when nobody declared it. */
static uint32_t comp_of(const struct sim_route *r, uint32_t id)
{
    if (id >= r->n_comp_of || r->comp_of[id] == 0)
        return ROUTE_EXIT;
    return r->comp_of[id] - 1;
}

int sim_route_add(struct sim_route *r, uint32_t from,
                  enum sim_route_kind kind, double p, const uint32_t *to,
                  size_t n_to, const char *path)
{
    uint32_t c = comp_of(r, from);
    struct route_link *l;

    if (c == ROUTE_EXIT || n_to == 0)
        return 0;
    if (!sim_grow((void **)&r->links, &r->cap_links, sizeof *r->links,
                  r->n_links + 1) ||
        !sim_grow((void **)&r->edges, &r->cap_edges, sizeof *r->edges,
                  r->n_edges + n_to))
        return SIM_ENOMEM;
    l = &r->links[r->n_links];
    l->path = strdup(path);
    if (l->path == NULL)
        return SIM_ENOMEM;
    l->from = c;
    l->kind = kind;
    for (size_t i = 0; i < n_to; i++)
        r->edges[r->n_edges++] = (struct route_edge){
            .link = (uint32_t)r->n_links, .to_id = to[i],
        };
    r->n_links++;
    if (kind == SIM_ROUTE_NEXT)
        r->comps[c].p_next += p;
    return 0;
}

/* ---- the graph between components ------------------------------------ */

static void graph_release(struct graph *g)
{
    free(g->first);
    free(g->arcs);
    free(g->scc);
    free(g->order);
    free(g->scc_at);
    free(g->is_reported);
    free(g->parent);
    free(g->via);
    free(g->queue);
    free(g->path);
}

/* The arrays every component has an entry in (plus one or two spare). */
static bool graph_alloc(struct graph *g)
{
    size_t n = g->n + 2;

    g->first = calloc(n, sizeof *g->first);
    g->scc = malloc(n * sizeof *g->scc);
    g->order = malloc(n * sizeof *g->order);
    g->scc_at = malloc(n * sizeof *g->scc_at);
    g->is_reported = calloc(n, sizeof *g->is_reported);
    g->parent = malloc(n * sizeof *g->parent);
    g->via = malloc(n * sizeof *g->via);
    g->queue = malloc(n * sizeof *g->queue);
    g->path = malloc(n * sizeof *g->path);
    if (!g->first || !g->scc || !g->order || !g->scc_at ||
        !g->is_reported || !g->parent || !g->via || !g->queue || !g->path)
        return false;
    for (size_t v = 0; v < n; v++)
        g->parent[v] = ROUTE_NONE;
    return true;
}

static enum sim_route_kind arc_kind(const struct graph *g,
                                    const struct arc *a)
{
    return g->r->links[a->link].kind;
}

/*
 * Folds the edges into arcs between components, grouped by origin (a
 * counting sort, so each group keeps the order of the links), with
 * repeats dropped: a group of four servers is one arc.
 */
static int graph_build(const struct sim_route *r, struct graph *g)
{
    size_t *fill;

    *g = (struct graph){.r = r, .n = r->n_comps};
    g->arcs = malloc((r->n_edges + 1) * sizeof *g->arcs);
    fill = calloc(g->n + 1, sizeof *fill);
    if (!graph_alloc(g) || g->arcs == NULL || fill == NULL) {
        free(fill);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < r->n_edges; i++)
        g->first[r->links[r->edges[i].link].from + 1]++;
    for (size_t c = 0; c < g->n; c++)
        g->first[c + 1] += g->first[c];
    for (size_t i = 0; i < r->n_edges; i++) {
        const struct route_edge *e = &r->edges[i];
        uint32_t from = r->links[e->link].from;
        struct arc a = {.to = comp_of(r, e->to_id), .link = e->link};
        size_t at = g->first[from] + fill[from];

        if (fill[from] > 0 && g->arcs[at - 1].to == a.to &&
            g->arcs[at - 1].link == a.link)
            continue;
        g->arcs[at] = a;
        fill[from]++;
    }
    /* Close the gaps the repeats left; groups only move down. */
    for (size_t c = 0; c < g->n; c++) {
        size_t start = g->first[c];

        memmove(&g->arcs[g->n_arcs], &g->arcs[start],
                fill[c] * sizeof *g->arcs);
        g->first[c] = g->n_arcs;
        g->n_arcs += fill[c];
    }
    g->first[g->n] = g->n_arcs;
    free(fill);
    return 0;
}

/* Whether arc a is followed by a search over the kinds in mask. */
static bool follows(const struct graph *g, const struct arc *a,
                    unsigned mask)
{
    return a->to != ROUTE_EXIT && !g->r->comps[a->to].is_source &&
           (mask & 1u << arc_kind(g, a)) != 0;
}

/* ---- strong components ----------------------------------------------- */

static void tarjan_release(struct tarjan *t)
{
    free(t->index);
    free(t->low);
    free(t->stack);
    free(t->calls);
    free(t->next);
    free(t->on_stack);
}

static void tarjan_visit(struct tarjan *t, uint32_t v)
{
    t->index[v] = t->low[v] = t->counter++;
    t->stack[t->n_stack++] = v;
    t->on_stack[v] = true;
    t->calls[t->n_calls++] = v;
}

/* v's arcs are all seen: close its strong component if it roots one. */
static void tarjan_leave(struct tarjan *t, struct graph *g, uint32_t v)
{
    t->n_calls--;
    if (t->low[v] == t->index[v]) {
        uint32_t w;

        g->scc_at[t->n_sccs] = g->n_order;
        do {
            w = t->stack[--t->n_stack];
            t->on_stack[w] = false;
            g->scc[w] = t->n_sccs;
            g->order[g->n_order++] = w;
        } while (w != v);
        t->n_sccs++;
    }
    if (t->n_calls > 0) {
        uint32_t u = t->calls[t->n_calls - 1];

        if (t->low[v] < t->low[u])
            t->low[u] = t->low[v];
    }
}

/*
 * Numbers the strong components of the arcs in mask into g->scc, and
 * lists the components in g->order as their strong components close: a
 * strong component comes after every other one its arcs reach.
 */
static int graph_sccs(struct graph *g, unsigned mask)
{
    struct tarjan t = {0};
    size_t n = g->n + 1;

    t.index = malloc(n * sizeof *t.index);
    t.low = malloc(n * sizeof *t.low);
    t.stack = malloc(n * sizeof *t.stack);
    t.calls = malloc(n * sizeof *t.calls);
    t.next = malloc(n * sizeof *t.next);
    t.on_stack = calloc(n, sizeof *t.on_stack);
    if (!t.index || !t.low || !t.stack || !t.calls || !t.next ||
        !t.on_stack) {
        tarjan_release(&t);
        return SIM_ENOMEM;
    }
    g->n_order = 0;
    for (size_t v = 0; v < g->n; v++) {
        t.index[v] = ROUTE_NONE;
        t.next[v] = g->first[v];
    }
    for (uint32_t s = 0; s < g->n; s++) {
        if (t.index[s] != ROUTE_NONE)
            continue;
        tarjan_visit(&t, s);
        while (t.n_calls > 0) {
            uint32_t v = t.calls[t.n_calls - 1];
            const struct arc *a;

            if (t.next[v] == g->first[v + 1]) {
                tarjan_leave(&t, g, v);
                continue;
            }
            a = &g->arcs[t.next[v]++];
            if (!follows(g, a, mask))
                continue;
            if (t.index[a->to] == ROUTE_NONE)
                tarjan_visit(&t, a->to);
            else if (t.on_stack[a->to] && t.index[a->to] < t.low[v])
                t.low[v] = t.index[a->to];
        }
    }
    tarjan_release(&t);
    return 0;
}

/* Whether v lies on a loop of the arcs in mask (its own, or a longer one). */
static bool is_looped(const struct graph *g, uint32_t v, unsigned mask)
{
    for (size_t i = g->first[v]; i < g->first[v + 1]; i++) {
        const struct arc *a = &g->arcs[i];

        if (follows(g, a, mask) && g->scc[a->to] == g->scc[v])
            return true;
    }
    return false;
}

/* ---- spelling a loop ------------------------------------------------- */

/*
 * The shortest path of arcs in mask from a to b inside their strong
 * component, a and b included, into g->path (a first arc is always taken,
 * so a == b gives a loop). Returns the number of components on it, 0 when
 * there is none, with *first_arc the index of the arc that leaves a.
 */
static size_t find_path(struct graph *g, unsigned mask, uint32_t a,
                        uint32_t b, size_t *first_arc)
{
    uint32_t end = b == a ? (uint32_t)g->n : b; /* a's own slot is spare */
    size_t head = 0, tail = 0, n = 0;

    g->queue[tail++] = a;
    while (head < tail && g->parent[end] == ROUTE_NONE) {
        uint32_t v = g->queue[head++];

        for (size_t i = g->first[v]; i < g->first[v + 1]; i++) {
            const struct arc *arc = &g->arcs[i];
            uint32_t w = arc->to == b ? end : arc->to;

            if (!follows(g, arc, mask) || g->scc[arc->to] != g->scc[a] ||
                w == a || g->parent[w] != ROUTE_NONE)
                continue;
            g->parent[w] = v;
            g->via[w] = i;
            g->queue[tail++] = w;
            if (w == end)
                break;
        }
    }
    /* Walk back from b to a, writing the path from its end. */
    if (g->parent[end] != ROUTE_NONE) {
        size_t k = g->n + 1;

        g->path[k] = b;
        *first_arc = g->via[end];
        for (uint32_t v = g->parent[end]; v != a; v = g->parent[v]) {
            g->path[--k] = v;
            *first_arc = g->via[v];
        }
        g->path[--k] = a;
        n = g->n + 2 - k;
        memmove(g->path, g->path + k, n * sizeof *g->path);
    }
    for (size_t i = 0; i < tail; i++)
        g->parent[g->queue[i]] = ROUTE_NONE;
    return n;
}

/* "a -> b -> a", shortened in the middle when it would not fit. */
static void spell(const struct graph *g, const uint32_t *nodes, size_t n,
                  char *buf, size_t n_buf)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *name = g->r->comps[nodes[i]].name;
        int w;

        if (i + 1 < n && len + strlen(name) + 32 >= n_buf) {
            i = n - 2;
            name = "...";
        }
        w = snprintf(buf + len, n_buf - len, "%s%s", i ? " -> " : "", name);
        if (w < 0 || (size_t)w >= n_buf - len)
            return;
        len += (size_t)w;
    }
}

/* Marks every component of v's strong component as shown in a loop. */
static void mark_scc(struct graph *g, uint32_t v)
{
    for (size_t i = g->scc_at[g->scc[v]];
         i < g->n_order && g->scc[g->order[i]] == g->scc[v]; i++)
        g->is_reported[g->order[i]] = true;
}

/* ---- the checks ------------------------------------------------------ */

/* A client named where requests are sent. */
static int check_sources(const struct graph *g, struct sim_cfg *cfg)
{
    int rc = 0;

    for (size_t i = 0; i < g->n_arcs; i++) {
        const struct arc *a = &g->arcs[i];

        if (a->to == ROUTE_EXIT || !g->r->comps[a->to].is_source)
            continue;
        sim_cfg_error(cfg, g->r->links[a->link].path, "\"%s\" is a client; "
                      "a target must be a server, load balancer, cache or "
                      "database", g->r->comps[a->to].name);
        rc = SIM_EINVAL;
    }
    return rc;
}

/*
 * Spells the loop through v over the arcs in mask and records it with
 * why, at the reference that leaves v.
 */
static void report_loop(struct graph *g, struct sim_cfg *cfg, unsigned mask,
                        uint32_t v, const char *why)
{
    char text[ROUTE_TEXT];
    size_t first_arc = 0, n = find_path(g, mask, v, v, &first_arc);

    spell(g, g->path, n, text, sizeof text);
    sim_cfg_error(cfg, g->r->links[g->arcs[first_arc].link].path, why, text);
    mark_scc(g, v);
}

/* Loops of load balancers and caches: every request goes round. */
static int check_forward_loops(struct graph *g, struct sim_cfg *cfg)
{
    int rc = graph_sccs(g, ROUTE_FORWARDS);

    for (uint32_t v = 0; rc != SIM_ENOMEM && v < g->n; v++) {
        if (g->is_reported[v] || !is_looped(g, v, ROUTE_FORWARDS))
            continue;
        report_loop(g, cfg, ROUTE_FORWARDS, v, "routing loop %s: load "
                    "balancers and caches pass requests on, so these would "
                    "go round forever");
        rc = SIM_EINVAL;
    }
    return rc;
}

/* A call whose answer needs the caller: u -> v and back to u. */
static void report_call(struct graph *g, struct sim_cfg *cfg, uint32_t u,
                        const struct arc *call)
{
    char text[ROUTE_TEXT];
    size_t first_arc, n = 1;

    if (call->to != u)
        n = find_path(g, ROUTE_ALL, call->to, u, &first_arc);
    memmove(g->path + 1, g->path, n * sizeof *g->path);
    g->path[0] = u;
    g->path[n] = u;
    spell(g, g->path, n + 1, text, sizeof text);
    sim_cfg_error(cfg, g->r->links[call->link].path, "the call comes back "
                  "round: %s; a server would wait on itself", text);
    mark_scc(g, u);
}

/* Calls that lead back to the caller, through any kind of reference. */
static int check_call_loops(struct graph *g, struct sim_cfg *cfg)
{
    int rc = graph_sccs(g, ROUTE_ALL);

    for (uint32_t u = 0; rc != SIM_ENOMEM && u < g->n; u++) {
        for (size_t i = g->first[u]; i < g->first[u + 1]; i++) {
            const struct arc *a = &g->arcs[i];

            if (g->is_reported[u] || arc_kind(g, a) != SIM_ROUTE_CALL ||
                !follows(g, a, ROUTE_ALL) || g->scc[a->to] != g->scc[u])
                continue;
            report_call(g, cfg, u, a);
            rc = SIM_EINVAL;
        }
    }
    return rc;
}

/*
 * Whether v keeps some of the requests it receives, or hands some on to
 * what answers them: an undeclared entity, a client (reported already),
 * or a component of another strong component that can.
 */
static bool can_leave(const struct graph *g, uint32_t v, const bool *can)
{
    bool is_passing = false;

    for (size_t i = g->first[v]; i < g->first[v + 1]; i++) {
        const struct arc *a = &g->arcs[i];
        enum sim_route_kind kind = arc_kind(g, a);

        if (kind != SIM_ROUTE_PASS && kind != SIM_ROUTE_NEXT)
            continue;
        is_passing |= kind == SIM_ROUTE_PASS;
        if (a->to == ROUTE_EXIT || g->r->comps[a->to].is_source ||
            (g->scc[a->to] != g->scc[v] && can[a->to]))
            return true;
    }
    return !is_passing && g->r->comps[v].p_next < ROUTE_SURE;
}

/*
 * Which components can answer a request they receive, at once or further
 * on, given the strong components of the hand-offs. Calls do not count: a
 * call that never comes back times out. Strong components are taken sinks
 * first, so every other one an arc reaches is decided already; inside one,
 * a way out for one component is a way out for all.
 */
static bool *find_exits(const struct graph *g)
{
    bool *can = calloc(g->n + 1, sizeof *can);

    for (size_t i = 0; can != NULL && i < g->n_order;) {
        uint32_t scc = g->scc[g->order[i]];
        bool is_open = false;
        size_t j;

        for (j = i; j < g->n_order && g->scc[g->order[j]] == scc; j++)
            is_open |= can_leave(g, g->order[j], can);
        for (; i < j; i++)
            can[g->order[i]] = is_open;
    }
    return can;
}

/*
 * Where to start spelling a loop through v's strong component: at its
 * first server whose hand-offs take every request (the likely slip),
 * else at v.
 */
static uint32_t trap_start(const struct graph *g, uint32_t v)
{
    uint32_t best = ROUTE_NONE;

    for (size_t i = g->scc_at[g->scc[v]];
         i < g->n_order && g->scc[g->order[i]] == g->scc[v]; i++) {
        uint32_t w = g->order[i];

        if (g->r->comps[w].p_next >= ROUTE_SURE && w < best)
            best = w;
    }
    return best != ROUTE_NONE ? best : v;
}

/* Loops of hand-offs with no way out: requests stay in them forever. */
static int check_traps(struct graph *g, struct sim_cfg *cfg)
{
    int rc = graph_sccs(g, ROUTE_HANDOFFS);
    bool *can_exit = rc == 0 ? find_exits(g) : NULL;

    if (can_exit == NULL)
        return SIM_ENOMEM;
    for (uint32_t v = 0; v < g->n; v++) {
        if (g->is_reported[v] || can_exit[v] ||
            !is_looped(g, v, ROUTE_HANDOFFS))
            continue;
        report_loop(g, cfg, ROUTE_HANDOFFS, trap_start(g, v), "requests "
                    "that enter the "
                    "loop %s never leave it: each step in it hands every "
                    "request on");
        rc = SIM_EINVAL;
    }
    free(can_exit);
    return rc;
}

int sim_route_check(const struct sim_route *r, struct sim_cfg *cfg)
{
    struct graph g;
    int rc = graph_build(r, &g), worst = 0;
    int (*const checks[])(struct graph *, struct sim_cfg *) = {
        check_forward_loops, check_call_loops, check_traps,
    };

    if (rc == 0)
        worst = check_sources(&g, cfg);
    for (size_t i = 0; rc == 0 && i < sizeof checks / sizeof *checks; i++) {
        int c = checks[i](&g, cfg);

        if (c == SIM_ENOMEM)
            rc = c;
        else if (c != 0)
            worst = c;
    }
    graph_release(&g);
    return rc != 0 ? rc : worst;
}
