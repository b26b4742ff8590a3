/* SPDX-License-Identifier: MIT */
/*
 * stats.h - the observations a model keeps: a tally (exact count, min,
 * max, mean and variance by Welford's method), a log-bucketed histogram
 * for percentiles, a time-weighted average, and the Student-t confidence
 * interval over replications. Resetting any of them forgets observations
 * only; what they observe (a queue, a server) keeps its state.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

/* Exact summary of a stream of values. Fields are readable. */
struct sim_tally {
    uint64_t n;                         /* observations */
    double mean;                        /* running mean */
    double m2;                          /* sum of squared deviations */
    double min, max;                    /* exact extremes; 0 when n == 0 */
};

void sim_tally_init(struct sim_tally *t);
void sim_tally_add(struct sim_tally *t, double x);

/* Adds every observation summarised by src to dst (Chan et al.). */
void sim_tally_merge(struct sim_tally *dst, const struct sim_tally *src);

/* Sample variance (n - 1 denominator); 0 when n < 2. */
double sim_tally_var(const struct sim_tally *t);

/*
 * Sub-buckets per power of two. Each bucket spans 1/128 of its lower edge,
 * so a percentile is within 0.8% of the sample percentile.
 */
#define SIM_HIST_SUB 128

/*
 * A histogram of non-negative values. Zero has its own bucket; positive
 * values between 2^-40 (1e-12) and 2^56 (7e16) fall in log buckets
 * (values outside are clamped to the edge buckets, while min and max stay
 * exact). The lowest and highest ranks report the exact min and max.
 */
struct sim_hist;

/* An empty histogram, or NULL when out of memory. */
struct sim_hist *sim_hist_new(void);

void sim_hist_free(struct sim_hist *h);

/*
 * Records x (negative values count as 0; NaN is ignored). Returns 0, or
 * SIM_ENOMEM when a bucket block could not be allocated (x is then lost).
 */
int sim_hist_add(struct sim_hist *h, double x);

/* Forgets every observation, keeping allocated buckets. */
void sim_hist_reset(struct sim_hist *h);

uint64_t sim_hist_count(const struct sim_hist *h);
double sim_hist_min(const struct sim_hist *h);
double sim_hist_max(const struct sim_hist *h);

/*
 * The p-quantile, 0 <= p <= 1: interpolated within its bucket, clamped to
 * the exact min and max, and non-decreasing in p. NaN when empty.
 */
double sim_hist_quantile(const struct sim_hist *h, double p);

/* Adds every observation of src to dst. Returns 0 or SIM_ENOMEM. */
int sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);

/*
 * Fraction of observations <= x, exact at bucket edges and interpolated
 * inside a bucket. 0 when empty.
 */
double sim_hist_cdf(const struct sim_hist *h, double x);

/* Time-weighted average of a piecewise-constant value. */
struct sim_twa {
    sim_time t_start;                   /* start of observation, ns */
    sim_time t_last;                    /* last change, ns */
    double value;                       /* current value */
    double area;                        /* integral since t_start, value*ns */
    double max;                         /* largest value seen */
};

void sim_twa_init(struct sim_twa *w, sim_time now, double value);

/* The value changes to value at time now (>= the last change). */
void sim_twa_set(struct sim_twa *w, sim_time now, double value);

/* Restarts the average at now, keeping the current value. */
void sim_twa_reset(struct sim_twa *w, sim_time now);

/* Average over [t_start, now]; the current value if no time has passed. */
double sim_twa_mean(const struct sim_twa *w, sim_time now);

/*
 * A time-weighted average per window: the run is cut into n windows of
 * width ns, and the area under a piecewise-constant value is spread over
 * the windows it crosses. Never reset at the warm-up: series cover the
 * whole run.
 */
struct sim_wtwa {
    double *area;                       /* per window, value * ns */
    size_t n;                           /* windows */
    sim_time width;                     /* ns */
    sim_time t_last;                    /* last change, ns */
    double value;                       /* current value */
};

/* Returns 0 or SIM_ENOMEM. */
int sim_wtwa_init(struct sim_wtwa *w, size_t n, sim_time width,
                  sim_time now, double value);
void sim_wtwa_release(struct sim_wtwa *w);
void sim_wtwa_set(struct sim_wtwa *w, sim_time now, double value);

/*
 * Writes the average of each window into out (n values), closing the
 * area at now; windows that end after now average over their part before
 * it, and windows starting at or after now are NaN.
 */
void sim_wtwa_means(const struct sim_wtwa *w, sim_time now, double *out);

/* A confidence interval for the mean of independent replications. */
struct sim_ci {
    size_t n;                           /* replications */
    double mean;
    double sd;                          /* sample standard deviation; NaN
                                           when n is 0, 0 when n is 1 */
    double half_width;                  /* NaN when n < 2 */
};

/*
 * The two-sided interval at level (0.95 for 95%) from Student's t with
 * n - 1 degrees of freedom. NaN values are skipped. Returns 0, or
 * SIM_EINVAL when level is outside (0, 1).
 */
int sim_ci_compute(const double *x, size_t n, double level,
                   struct sim_ci *out);

#endif
