/* SPDX-License-Identifier: MIT */
/*
 * analytic.c - Erlang B, Erlang C and exact MVA. Erlang C is computed from
 * Erlang B (C = B / (1 - rho (1 - B))), which avoids the factorials of the
 * textbook form and stays accurate for hundreds of servers.
 */
#include "sim/analytic.h"

#include <math.h>

#define ANALYTIC_MAX_STATIONS 64

double sim_analytic_erlang_b(unsigned c, double a)
{
    double b = 1.0;

    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return b;
}

double sim_analytic_erlang_c(unsigned c, double a)
{
    double rho = a / (double)c, b;

    if (c == 0 || rho >= 1.0)
        return 1.0;
    b = sim_analytic_erlang_b(c, a);
    return b / (1.0 - rho * (1.0 - b));
}

double sim_analytic_mmc_wait(unsigned c, double lambda_per_s,
                             double service_s)
{
    double a = lambda_per_s * service_s, mu = 1.0 / service_s;

    if (c == 0 || a >= (double)c)
        return INFINITY;
    return sim_analytic_erlang_c(c, a) / ((double)c * mu - lambda_per_s);
}

int sim_analytic_mva(unsigned n_users, double think_s,
                     const double *demand_s, size_t n_stations,
                     struct sim_analytic_mva *out)
{
    double q[ANALYTIC_MAX_STATIONS] = {0}, r[ANALYTIC_MAX_STATIONS];
    double x = 0, total = 0;

    if (n_stations > ANALYTIC_MAX_STATIONS)
        return -1;
    for (size_t k = 0; k < n_stations; k++)
        if (!(demand_s[k] > 0))
            return -1;
    /* Arrival theorem: a customer arriving sees the network with n - 1. */
    for (unsigned n = 1; n <= n_users; n++) {
        total = 0;
        for (size_t k = 0; k < n_stations; k++) {
            r[k] = demand_s[k] * (1.0 + q[k]);
            total += r[k];
        }
        x = (double)n / (think_s + total);
        for (size_t k = 0; k < n_stations; k++)
            q[k] = x * r[k];
    }
    out->throughput_per_s = x;
    out->response_s = total;
    return 0;
}
