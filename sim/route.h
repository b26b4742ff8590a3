/* SPDX-License-Identifier: MIT */
/*
 * route.h - the paths requests can take between the components of a
 * scenario, as the models declare them at start, checked once at load:
 * no client named as a target, no loop of proxies, no server waiting on
 * itself through calls, no loop that a request can never leave.
 */
#ifndef SIM_ROUTE_H
#define SIM_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/cfg.h"

struct sim_route;

/* How a component passes a request to the components it names. */
enum sim_route_kind {
    SIM_ROUTE_SEND,                     /* a client's requests, to a target */
    SIM_ROUTE_PASS,                     /* every request, on to one of them */
    SIM_ROUTE_NEXT,                     /* after service, with probability p */
    SIM_ROUTE_CALL,                     /* a call, waited for */
};

/* An empty graph, or NULL when out of memory. */
struct sim_route *sim_route_new(void);

void sim_route_free(struct sim_route *r);

/*
 * Declares a component: its name (copied) and its n_ids entities. A
 * source (a client) sends requests and answers none, so it may not be
 * named as a target. Entities nobody declares (a database, say) answer
 * what they receive, as far as this graph is concerned. Returns 0 or
 * SIM_ENOMEM.
 */
int sim_route_component(struct sim_route *r, const char *name,
                        const uint32_t *ids, size_t n_ids, bool is_source);

/*
 * Declares that the component of entity `from` passes requests, in the
 * way kind says, to one of the n_to entities `to`, as written at key
 * path `path` (copied; where problems with it are reported). For
 * SIM_ROUTE_NEXT, p is the probability of this hand-off; the component
 * answers with what the probabilities of its hand-offs leave. Returns 0
 * or SIM_ENOMEM.
 */
int sim_route_add(struct sim_route *r, uint32_t from,
                  enum sim_route_kind kind, double p, const uint32_t *to,
                  size_t n_to, const char *path);

/*
 * Records in cfg every problem of the graph, once each: a client named
 * as a target; a loop of components that pass every request on; a loop
 * through a call, where a server would wait on itself; a loop of
 * hand-offs that requests can never leave. Loops are spelled out in
 * component names ("a -> b -> a"). Returns 0, SIM_EINVAL when it found
 * a problem, or SIM_ENOMEM.
 */
int sim_route_check(const struct sim_route *r, struct sim_cfg *cfg);

#endif
