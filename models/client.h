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

/*
 * Whether entity id is a client. Clients stand for the users, outside
 * the system under test: faults do not crash them.
 */
bool client_is(const struct sim *sim, uint32_t id);

#endif
