/* SPDX-License-Identifier: MIT */
/*
 * faults.h - the fault schedule: partitions, crashes, slow or lossy links
 * and clock skew, each applied at a time and ended at another. It is the
 * scenario's "faults:" list; every entry acts through one shared entity,
 * so the timeline of what happened is kept in time order.
 */
#ifndef MODELS_FAULTS_H
#define MODELS_FAULTS_H

#include "sim/sim.h"

extern const struct sim_model_ops faults_ops;

#endif
