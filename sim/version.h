/* SPDX-License-Identifier: MIT */
/*
 * version.h - the version of distsim, printed by --version and recorded in
 * every summary.json so results can be traced to the program that made
 * them.
 */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H

#define SIM_VERSION "0.1.0"

#endif
