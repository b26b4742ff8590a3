/* SPDX-License-Identifier: MIT */
/*
 * bench_engine.c - events per second of the engine on the classic hold
 * model (pop the earliest event, schedule one a random time later, so the
 * pending set keeps its size), beside a minimal binary-heap loop compiled
 * here as the reference. Both draw their delays from the same table of
 * exponential variates, so the comparison is of the event machinery only.
 * Each figure is the best of three runs, measured in this same process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "sim/rng.h"
#include "sim/sim.h"

#define N_DELAYS (1 << 20)              /* table of delays, a power of 2 */
#define TARGET_RATIO 0.70

static sim_time delays[N_DELAYS];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The reference: a plain binary min-heap of (time, seq, payload). */
struct ref_node {
    sim_time time;
    uint64_t seq;
    uint64_t payload;
};

static struct ref_node *ref_heap;
static size_t ref_n;

static int ref_less(const struct ref_node *a, const struct ref_node *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void ref_push(struct ref_node n)
{
    size_t i = ref_n++;

    while (i > 0 && ref_less(&n, &ref_heap[(i - 1) / 2])) {
        ref_heap[i] = ref_heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    ref_heap[i] = n;
}

static struct ref_node ref_pop(void)
{
    struct ref_node top = ref_heap[0], last = ref_heap[--ref_n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= ref_n)
            break;
        if (c + 1 < ref_n && ref_less(&ref_heap[c + 1], &ref_heap[c]))
            c++;
        if (!ref_less(&ref_heap[c], &last))
            break;
        ref_heap[i] = ref_heap[c];
        i = c;
    }
    ref_heap[i] = last;
    return top;
}

static double run_reference(size_t pending, uint64_t n_events)
{
    uint64_t seq = 0, k = 0, sum = 0;
    double t0;

    ref_heap = malloc((pending + 1) * sizeof *ref_heap);
    ref_n = 0;
    for (size_t i = 0; i < pending; i++)
        ref_push((struct ref_node){delays[k++ & (N_DELAYS - 1)], seq++, i});
    t0 = now_s();
    for (uint64_t e = 0; e < n_events; e++) {
        struct ref_node n = ref_pop();

        sum += n.payload;
        n.time += delays[k++ & (N_DELAYS - 1)];
        n.seq = seq++;
        ref_push(n);
    }
    t0 = now_s() - t0;
    free(ref_heap);
    if (sum == 42)
        printf("%s", "");
    return (double)n_events / t0;
}

/* The engine: one entity whose handler reschedules each event it gets. */
struct hold {
    uint32_t id;
    uint64_t n_left;
    uint64_t k;
    uint64_t sum;
};

static void hold_handle(struct sim *sim, void *state,
                        const struct sim_event *ev)
{
    struct hold *h = state;

    h->sum += ev->payload.u64;
    if (--h->n_left == 0) {
        sim_stop(sim);
        return;
    }
    sim_schedule(sim, delays[h->k++ & (N_DELAYS - 1)], h->id, SIM_EV_USER,
                 ev->payload);
}

static double run_engine(size_t pending, uint64_t n_events)
{
    struct sim_params params = {.seed = 1, .duration = SIM_TIME_NEVER - 1};
    struct sim *sim = sim_new(&params, NULL);
    struct hold h = {.n_left = n_events};
    double t0;

    h.id = sim_entity_add(sim, "hold", hold_handle, &h);
    sim_start(sim, NULL);
    for (size_t i = 0; i < pending; i++)
        sim_schedule(sim, delays[h.k++ & (N_DELAYS - 1)], h.id, SIM_EV_USER,
                     (union sim_payload){.u64 = i});
    t0 = now_s();
    sim_run(sim, NULL);
    t0 = now_s() - t0;
    sim_free(sim);
    return (double)n_events / t0;
}

int main(void)
{
    static const size_t sizes[] = {1000, 100000, 1000000};
    gsl_rng *r = sim_rng_new(1, 0, "bench");
    int n_missed = 0;

    for (size_t i = 0; i < N_DELAYS; i++)
        sim_time_from_s(gsl_ran_exponential(r, 1e-3), &delays[i]);
    gsl_rng_free(r);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n_events = 10000000;
        double best_ref = 0, best_sim = 0, ratio;

        for (int rep = 0; rep < 3; rep++) {
            double a = run_reference(sizes[s], n_events);
            double b = run_engine(sizes[s], n_events);

            best_ref = a > best_ref ? a : best_ref;
            best_sim = b > best_sim ? b : best_sim;
        }
        ratio = best_sim / best_ref;
        n_missed += ratio < TARGET_RATIO;
        printf("engine hold model, %7zu pending: %6.2f M events/s; "
               "reference binary heap %6.2f M events/s; %3.0f%% of "
               "reference (target >= %.0f%%) %s\n", sizes[s], best_sim / 1e6,
               best_ref / 1e6, 100 * ratio, 100 * TARGET_RATIO,
               ratio >= TARGET_RATIO ? "met" : "MISSED");
    }
    return n_missed > 0;
}
