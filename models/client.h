/* SPDX-License-Identifier: MIT */
/*
 * client.h - the client model: the load. Open loop (requests arrive by a
 * Poisson, fixed-rate or renewal process whatever the system does) or
 * closed loop (N users, each waiting for its answer, then thinking), with
 * an operation mix, key popularity, a target and a timeout.
 */
#ifndef MODELS_CLIENT_H
#define MODELS_CLIENT_H

#include "sim/sim.h"

extern const struct sim_model_ops client_ops;

#endif
