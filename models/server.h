/* SPDX-License-Identifier: MIT */
/*
 * server.h - the server model: c workers in front of a FIFO queue of
 * bounded or unbounded capacity, a service-time distribution per
 * operation, and optional probabilistic routing to further servers.
 */
#ifndef MODELS_SERVER_H
#define MODELS_SERVER_H

#include "sim/sim.h"

extern const struct sim_model_ops server_ops;

#endif
