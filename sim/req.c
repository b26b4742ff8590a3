/* SPDX-License-Identifier: MIT */
/*
 * req.c - names of operations and outcomes, as they appear in reports.
 * The order of each table follows its enum in req.h.
 */
#include "sim/req.h"

static const char *const op_names[SIM_OP_N] = {"read", "write", "cas"};

static const char *const outcome_names[SIM_OUTCOME_N] = {
    "ok", "rejected", "timeout", "node_down", "crash", "partition", "loss",
    "no_backend", "no_quorum", "conflict",
};

const char *sim_op_name(int op)
{
    return op >= 0 && op < SIM_OP_N ? op_names[op] : "unknown";
}

const char *sim_outcome_name(int outcome)
{
    return outcome >= 0 && outcome < SIM_OUTCOME_N ? outcome_names[outcome]
                                                   : "unknown";
}
