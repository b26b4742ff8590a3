/* SPDX-License-Identifier: MIT */
/*
 * network.h - the network model: latency and loss for every message
 * between two entities, by zone, with per-link FIFO delivery. It is the
 * scenario's single "network:" mapping and installs itself as the
 * engine's transport.
 */
#ifndef MODELS_NETWORK_H
#define MODELS_NETWORK_H

#include "sim/sim.h"

extern const struct sim_model_ops network_ops;

#endif
