/* SPDX-License-Identifier: MIT */
/*
 * progress.c - the progress line. The time left assumes the simulated
 * time still to run goes at the pace of the time run so far, which holds
 * for replications of one scenario.
 */
#include "sim/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/units.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sim_progress_start(struct sim_progress *pr, bool is_enabled)
{
    const char *after;

    pr->is_enabled = is_enabled;
    pr->is_shown = false;
    pr->t_start = now_s();
    pr->t_last = 0;
    pr->after_s = SIM_PROGRESS_AFTER_S;
    after = getenv("DISTSIM_PROGRESS_AFTER");
    if (after != NULL) {
        char *end;
        double v = strtod(after, &end);

        if (*end == '\0' && v >= 0 && v < 1e6)
            pr->after_s = v;
    }
}

bool sim_progress_update(struct sim_progress *pr,
                         const struct sim_batch_progress *p, char *line,
                         size_t n)
{
    double t = now_s();

    if (!pr->is_enabled || t - pr->t_start < pr->after_s ||
        (pr->is_shown && t - pr->t_last < SIM_PROGRESS_EVERY_S))
        return false;
    pr->is_shown = true;
    pr->t_last = t;
    sim_progress_format(p, t - pr->t_start, line, n);
    return true;
}

/* Wall time for people: "45s", "3m05s", "2h10m". */
static void wall_text(double s, char *buf, size_t n)
{
    long v = lround(s);

    if (v < 60)
        snprintf(buf, n, "%lds", v);
    else if (v < 3600)
        snprintf(buf, n, "%ldm%02lds", v / 60, v % 60);
    else
        snprintf(buf, n, "%ldh%02ldm", v / 3600, v % 3600 / 60);
}

char *sim_progress_format(const struct sim_batch_progress *p,
                          double elapsed_s, char *buf, size_t n)
{
    double share = p->sim_total_s > 0 ? p->sim_s / p->sim_total_s : 0;
    char done[32], total[32], left[32];
    sim_time t = 0;

    sim_time_from_s(p->sim_s, &t);
    sim_units_format_duration(t, done, sizeof done);
    sim_time_from_s(p->sim_total_s, &t);
    sim_units_format_duration(t, total, sizeof total);
    if (share > 0)
        wall_text(elapsed_s * (1 - share) / share, left, sizeof left);
    snprintf(buf, n, "progress: %.0f%% (%u of %u %s%s done, %s of %s "
             "simulated), %s%s%s", floor(share * 100), p->n_done, p->n_reps,
             p->counts_points ? "point" : "replication",
             p->n_reps == 1 ? "" : "s", done, total,
             share > 0 ? "about " : "", share > 0 ? left : "time left "
             "unknown", share > 0 ? " left" : "");
    return buf;
}
