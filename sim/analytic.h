/* SPDX-License-Identifier: MIT */
/*
 * analytic.h - closed-form queueing results used beside simulated ones:
 * Erlang B (blocking of c servers without a queue), Erlang C (probability
 * of waiting in M/M/c), the M/M/c mean wait, and exact Mean Value Analysis
 * of a closed network of single-server stations with a think time.
 */
#ifndef SIM_ANALYTIC_H
#define SIM_ANALYTIC_H

#include <stddef.h>

/*
 * Erlang B: the probability that an arrival finds all c servers busy when
 * a erlangs are offered (a = arrival rate x mean service time), by the
 * recursion B(k) = a B(k-1) / (k + a B(k-1)), stable for any c.
 */
double sim_analytic_erlang_b(unsigned c, double a);

/*
 * Erlang C: the probability that an arrival waits in M/M/c with a erlangs
 * offered; 1 when a >= c (the queue grows without bound).
 */
double sim_analytic_erlang_c(unsigned c, double a);

/*
 * Mean time waiting in the queue of M/M/c, in seconds, for arrival rate
 * lambda_per_s and mean service time service_s; INFINITY when unstable.
 */
double sim_analytic_mmc_wait(unsigned c, double lambda_per_s,
                             double service_s);

/* What exact MVA gives for a population. */
struct sim_analytic_mva {
    double throughput_per_s;            /* requests completed per second */
    double response_s;                  /* time through the stations */
};

/*
 * Exact MVA of n_users customers who think think_s seconds between
 * requests and visit n_stations single-server FCFS stations with
 * exponential service, demand_s[k] being the total service per request at
 * station k (visits x mean service). Returns 0, or -1 when a demand is not
 * positive or there are more than 64 stations.
 */
int sim_analytic_mva(unsigned n_users, double think_s,
                     const double *demand_s, size_t n_stations,
                     struct sim_analytic_mva *out);

#endif
