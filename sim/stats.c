/* SPDX-License-Identifier: MIT */
/*
 * stats.c - tallies, histograms, time-weighted averages and intervals.
 *
 * The histogram indexes a positive double by its binary exponent and the
 * top 7 bits of its mantissa, read straight from the IEEE-754 bits, so
 * recording costs no logarithm. Octave blocks are allocated on first use:
 * a histogram of latencies in nanoseconds touches a handful of them.
 */
#include "sim/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim/error.h"

#define HIST_MIN_EXP (-40)              /* 2^-40, about 1e-12 */
#define HIST_N_OCT 96                   /* octaves 2^-40 .. 2^56 */
#define HIST_SUB_BITS 7                 /* log2(SIM_HIST_SUB) */

struct sim_hist {
    uint64_t *octaves[HIST_N_OCT];      /* SIM_HIST_SUB counts each, lazy */
    uint64_t n;                         /* all observations */
    uint64_t n_zero;                    /* observations equal to 0 */
    double min, max;                    /* exact extremes */
};

void sim_tally_init(struct sim_tally *t)
{
    memset(t, 0, sizeof *t);
}

void sim_tally_add(struct sim_tally *t, double x)
{
    double delta = x - t->mean;

    t->n++;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (t->n == 1 || x < t->min)
        t->min = x;
    if (t->n == 1 || x > t->max)
        t->max = x;
}

void sim_tally_merge(struct sim_tally *dst, const struct sim_tally *src)
{
    double n, delta;

    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    n = (double)(dst->n + src->n);
    delta = src->mean - dst->mean;
    dst->m2 += src->m2 + delta * delta * (double)dst->n * (double)src->n / n;
    dst->mean += delta * (double)src->n / n;
    dst->n += src->n;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

double sim_tally_var(const struct sim_tally *t)
{
    return t->n < 2 ? 0.0 : t->m2 / (double)(t->n - 1);
}

struct sim_hist *sim_hist_new(void)
{
    return calloc(1, sizeof(struct sim_hist));
}

void sim_hist_free(struct sim_hist *h)
{
    if (h == NULL)
        return;
    for (int i = 0; i < HIST_N_OCT; i++)
        free(h->octaves[i]);
    free(h);
}

/* Octave and sub-bucket of a positive, finite x, clamped to the range. */
static void hist_index(double x, int *oct, int *sub)
{
    uint64_t bits;
    int e;

    memcpy(&bits, &x, sizeof bits);
    e = (int)((bits >> 52) & 0x7ff) - 1023 - HIST_MIN_EXP;
    if (e < 0) {
        *oct = 0;
        *sub = 0;
    } else if (e >= HIST_N_OCT) {
        *oct = HIST_N_OCT - 1;
        *sub = SIM_HIST_SUB - 1;
    } else {
        *oct = e;
        *sub = (int)((bits >> (52 - HIST_SUB_BITS)) & (SIM_HIST_SUB - 1));
    }
}

static double bucket_low(int oct, int sub)
{
    return ldexp(1.0 + (double)sub / SIM_HIST_SUB, oct + HIST_MIN_EXP);
}

static int hist_count_into(struct sim_hist *h, int oct, int sub, uint64_t c)
{
    if (h->octaves[oct] == NULL) {
        h->octaves[oct] = calloc(SIM_HIST_SUB, sizeof(uint64_t));
        if (h->octaves[oct] == NULL)
            return SIM_ENOMEM;
    }
    h->octaves[oct][sub] += c;
    return 0;
}

static void hist_extremes(struct sim_hist *h, double lo, double hi)
{
    if (h->n == 0 || lo < h->min)
        h->min = lo;
    if (h->n == 0 || hi > h->max)
        h->max = hi;
}

int sim_hist_add(struct sim_hist *h, double x)
{
    int oct, sub;

    if (isnan(x))
        return 0;
    if (x <= 0) {
        hist_extremes(h, 0.0, 0.0);
        h->n_zero++;
        h->n++;
        return 0;
    }
    hist_index(x, &oct, &sub);
    if (hist_count_into(h, oct, sub, 1) != 0)
        return SIM_ENOMEM;
    hist_extremes(h, x, x);
    h->n++;
    return 0;
}

void sim_hist_reset(struct sim_hist *h)
{
    for (int i = 0; i < HIST_N_OCT; i++)
        if (h->octaves[i] != NULL)
            memset(h->octaves[i], 0, SIM_HIST_SUB * sizeof(uint64_t));
    h->n = h->n_zero = 0;
    h->min = h->max = 0.0;
}

uint64_t sim_hist_count(const struct sim_hist *h)
{
    return h->n;
}

double sim_hist_min(const struct sim_hist *h)
{
    return h->min;
}

double sim_hist_max(const struct sim_hist *h)
{
    return h->max;
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

double sim_hist_quantile(const struct sim_hist *h, double p)
{
    uint64_t rank, cum;

    if (h->n == 0 || isnan(p))
        return NAN;
    p = clamp(p, 0.0, 1.0);
    /* The p-quantile is the value of rank ceil(p n), 1-based. */
    rank = (uint64_t)ceil(p * (double)h->n);
    if (rank < 1)
        rank = 1;
    if (rank > h->n)
        rank = h->n;
    cum = h->n_zero;
    if (rank <= cum || rank == 1)
        return h->min;
    if (rank == h->n)
        return h->max;
    for (int o = 0; o < HIST_N_OCT; o++) {
        const uint64_t *c = h->octaves[o];

        if (c == NULL)
            continue;
        for (int s = 0; s < SIM_HIST_SUB; s++) {
            double lo, hi, frac;

            if (c[s] == 0 || cum + c[s] < rank) {
                cum += c[s];
                continue;
            }
            lo = bucket_low(o, s);
            hi = bucket_low(o, s + 1);
            frac = ((double)(rank - cum) - 0.5) / (double)c[s];
            return clamp(lo + (hi - lo) * frac, h->min, h->max);
        }
    }
    return h->max;
}

int sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
    if (src->n == 0)
        return 0;
    for (int o = 0; o < HIST_N_OCT; o++) {
        if (src->octaves[o] == NULL)
            continue;
        for (int s = 0; s < SIM_HIST_SUB; s++)
            if (src->octaves[o][s] != 0 &&
                hist_count_into(dst, o, s, src->octaves[o][s]) != 0)
                return SIM_ENOMEM;
    }
    hist_extremes(dst, src->min, src->max);
    dst->n_zero += src->n_zero;
    dst->n += src->n;
    return 0;
}

double sim_hist_cdf(const struct sim_hist *h, double x)
{
    uint64_t below;

    if (h->n == 0 || x < h->min)
        return 0.0;
    if (x >= h->max)
        return 1.0;
    below = h->n_zero;
    for (int o = 0; o < HIST_N_OCT; o++) {
        const uint64_t *c = h->octaves[o];

        if (c == NULL)
            continue;
        for (int s = 0; s < SIM_HIST_SUB; s++) {
            double lo = bucket_low(o, s), hi = bucket_low(o, s + 1);

            if (x >= hi) {
                below += c[s];
                continue;
            }
            if (x > lo)
                return ((double)below + (double)c[s] * (x - lo) / (hi - lo))
                       / (double)h->n;
            return (double)below / (double)h->n;
        }
    }
    return 1.0;
}

void sim_twa_init(struct sim_twa *w, sim_time now, double value)
{
    w->t_start = w->t_last = now;
    w->value = value;
    w->area = 0.0;
    w->max = value;
}

void sim_twa_set(struct sim_twa *w, sim_time now, double value)
{
    w->area += w->value * (double)(now - w->t_last);
    w->t_last = now;
    w->value = value;
    if (value > w->max)
        w->max = value;
}

void sim_twa_reset(struct sim_twa *w, sim_time now)
{
    sim_twa_init(w, now, w->value);
}

double sim_twa_mean(const struct sim_twa *w, sim_time now)
{
    double span = (double)(now - w->t_start);
    double area = w->area + w->value * (double)(now - w->t_last);

    return span > 0 ? area / span : w->value;
}

int sim_wtwa_init(struct sim_wtwa *w, size_t n, sim_time width,
                  sim_time now, double value)
{
    w->area = calloc(n ? n : 1, sizeof *w->area);
    w->n = n;
    w->width = width;
    w->t_last = now;
    w->value = value;
    return w->area != NULL ? 0 : SIM_ENOMEM;
}

void sim_wtwa_release(struct sim_wtwa *w)
{
    free(w->area);
    w->area = NULL;
}

/* Adds value over [t0, t1) to the windows that interval crosses. */
static void wtwa_spread(double *area, size_t n, sim_time width, sim_time t0,
                        sim_time t1, double value)
{
    while (t0 < t1 && value != 0) {
        size_t i = (size_t)(t0 / width);
        sim_time end = (sim_time)(i + 1) * width;

        if (i >= n)
            return;
        if (end > t1)
            end = t1;
        area[i] += value * (double)(end - t0);
        t0 = end;
    }
}

void sim_wtwa_set(struct sim_wtwa *w, sim_time now, double value)
{
    wtwa_spread(w->area, w->n, w->width, w->t_last, now, w->value);
    w->t_last = now;
    w->value = value;
}

void sim_wtwa_means(const struct sim_wtwa *w, sim_time now, double *out)
{
    for (size_t i = 0; i < w->n; i++) {
        sim_time t0 = (sim_time)i * w->width, t1 = t0 + w->width;
        double area = w->area[i];

        if (t0 >= now) {
            out[i] = NAN;
            continue;
        }
        if (t1 > now)
            t1 = now;
        /* The part since the last change is not in area yet. */
        if (w->t_last < t1)
            area += w->value * (double)(t1 - (w->t_last > t0 ? w->t_last
                                                             : t0));
        out[i] = area / (double)(t1 - t0);
    }
}

int sim_ci_compute(const double *x, size_t n, double level,
                   struct sim_ci *out)
{
    struct sim_tally t;

    if (!(level > 0.0 && level < 1.0))
        return SIM_EINVAL;
    sim_tally_init(&t);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            sim_tally_add(&t, x[i]);
    out->n = (size_t)t.n;
    out->mean = t.n > 0 ? t.mean : NAN;
    out->sd = t.n > 0 ? sqrt(sim_tally_var(&t)) : NAN;
    out->half_width = NAN;
    if (t.n >= 2)
        out->half_width = gsl_cdf_tdist_Pinv(0.5 + level / 2.0,
                                             (double)(t.n - 1)) *
                          out->sd / sqrt((double)t.n);
    return 0;
}
