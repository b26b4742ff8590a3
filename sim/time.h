/* SPDX-License-Identifier: MIT */
/*
 * time.h - simulated time: a signed 64-bit count of nanoseconds.
 * Doubles appear only in statistics; a sampled duration becomes a sim_time
 * once, through sim_time_from_s, which rounds to the nearest nanosecond.
 */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
#define SIM_TIME_NEVER INT64_MAX        /* later than any event */

/*
 * Seconds as a double, for statistics and printing: a division, so whole
 * seconds and milliseconds come out exact (120 s, not 120.00000000000001).
 */
static inline double sim_time_to_s(sim_time t)
{
    return (double)t / 1e9;
}

/*
 * Converts a duration in seconds to nanoseconds, rounding to nearest.
 * Returns false, leaving *out untouched, when s is not finite, negative,
 * or too large to represent.
 */
static inline bool sim_time_from_s(double s, sim_time *out)
{
    double ns = s * 1e9 + 0.5;

    if (!(ns >= 0.0) || !(ns < 9.2e18))
        return false;
    *out = (sim_time)ns;
    return true;
}

#endif
