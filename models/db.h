/* SPDX-License-Identifier: MIT */
/*
 * db.h - the replicated, sharded database model: the "databases:" section
 * of a scenario. Callers target the database by its name; its replicas
 * are "<name>.<shard>.<replica>", grouped per shard as "<name>.<shard>".
 */
#ifndef MODELS_DB_H
#define MODELS_DB_H

#include "sim/sim.h"

extern const struct sim_model_ops db_ops;

#endif
