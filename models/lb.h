/* SPDX-License-Identifier: MIT */
/*
 * lb.h - the load-balancer model: a proxy that picks one backend per
 * request by a policy (round robin, weighted, random, least connections,
 * power of d choices, consistent hashing), ejects backends that fail
 * health checks, and may run as an active-passive pair.
 */
#ifndef MODELS_LB_H
#define MODELS_LB_H

#include "sim/sim.h"

extern const struct sim_model_ops lb_ops;

#endif
