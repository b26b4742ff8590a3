/* SPDX-License-Identifier: MIT */
/*
 * test_queue.c - the pending-event set: (time, seq) order, cancellation,
 * the zero-delay FIFO merged with the heap, and a randomised comparison
 * against a sorted reference.
 */
#include "sim/queue.h"

#include <stdlib.h>

#include "tests/check.h"

static union sim_payload tag(uint64_t v)
{
    return (union sim_payload){.u64 = v};
}

static void test_queue__equal_times_pop_in_insertion_order(void)
{
    struct sim_queue *q = sim_queue_new();
    struct sim_event ev;

    for (uint64_t i = 0; i < 100; i++)
        sim_queue_push(q, 5, 0, 0, tag(i));
    for (uint64_t i = 0; i < 100; i++) {
        CHECK(sim_queue_pop(q, &ev));
        CHECK_EQ_INT(ev.time, 5);
        CHECK_EQ_INT(ev.payload.u64, i);
    }
    CHECK(!sim_queue_pop(q, &ev));
    sim_queue_free(q);
}

static void test_queue__pops_in_time_order(void)
{
    struct sim_queue *q = sim_queue_new();
    static const sim_time times[] = {30, 10, 20, 10, 0, 50, 40};
    static const uint64_t want[] = {4, 1, 3, 2, 0, 6, 5};
    struct sim_event ev;

    for (uint64_t i = 0; i < 7; i++)
        sim_queue_push(q, times[i], 0, 0, tag(i));
    for (int i = 0; i < 7; i++) {
        CHECK(sim_queue_pop(q, &ev));
        CHECK_EQ_INT(ev.payload.u64, want[i]);
        CHECK_EQ_INT(sim_queue_now(q), ev.time);
    }
    sim_queue_free(q);
}

static void test_queue__cancelled_event_is_skipped(void)
{
    struct sim_queue *q = sim_queue_new();
    struct sim_event ev;
    uint64_t a = sim_queue_push(q, 10, 0, 0, tag(1));
    uint64_t b = sim_queue_push(q, 20, 0, 0, tag(2));

    CHECK(a != 0 && b != 0);
    CHECK_EQ_INT(sim_queue_size(q), 2);
    CHECK(sim_queue_cancel(q, a));
    CHECK(!sim_queue_cancel(q, a));
    CHECK_EQ_INT(sim_queue_size(q), 1);
    CHECK_EQ_INT(sim_queue_peek_time(q), 20);
    CHECK(sim_queue_pop(q, &ev));
    CHECK_EQ_INT(ev.payload.u64, 2);
    CHECK_EQ_INT(ev.id, b);
    CHECK(!sim_queue_cancel(q, 0));
    CHECK(!sim_queue_cancel(q, 99));
    CHECK(!sim_queue_pop(q, &ev));
    sim_queue_free(q);
}

/* An event due now that was scheduled before goes before a new one. */
static void test_queue__zero_delay_events_keep_seq_order(void)
{
    struct sim_queue *q = sim_queue_new();
    struct sim_event ev;

    sim_queue_push(q, 10, 0, 0, tag(1));
    sim_queue_push(q, 10, 0, 0, tag(2));
    CHECK(sim_queue_pop(q, &ev));
    CHECK_EQ_INT(ev.payload.u64, 1);
    /* now == 10: this one goes through the FIFO, after event 2. */
    sim_queue_push(q, 10, 0, 0, tag(3));
    sim_queue_push(q, 11, 0, 0, tag(5));
    sim_queue_push(q, 10, 0, 0, tag(4));
    for (uint64_t want = 2; want <= 5; want++) {
        CHECK(sim_queue_pop(q, &ev));
        CHECK_EQ_INT(ev.payload.u64, want);
    }
    sim_queue_free(q);
}

static void test_queue__cancel_in_fifo(void)
{
    struct sim_queue *q = sim_queue_new();
    struct sim_event ev;
    uint64_t id;

    sim_queue_push(q, 0, 0, 0, tag(1));
    id = sim_queue_push(q, 0, 0, 0, tag(2));
    sim_queue_push(q, 0, 0, 0, tag(3));
    CHECK(sim_queue_cancel(q, id));
    CHECK(sim_queue_pop(q, &ev));
    CHECK_EQ_INT(ev.payload.u64, 1);
    CHECK(sim_queue_pop(q, &ev));
    CHECK_EQ_INT(ev.payload.u64, 3);
    CHECK(!sim_queue_pop(q, &ev));
    sim_queue_free(q);
}

struct ref_event {
    sim_time time;
    uint64_t seq;
    bool is_cancelled;
};

/*
 * Random pushes (many at equal times, many at the current time), pops and
 * cancellations, checked against a reference kept as a plain array.
 */
static void test_queue__matches_reference_under_random_use(void)
{
    enum { N = 20000 };
    struct sim_queue *q = sim_queue_new();
    struct ref_event *ref = calloc(N, sizeof *ref);
    uint64_t *ids = calloc(N, sizeof *ids);
    struct sim_event ev;
    size_t n_pushed = 0;
    uint64_t state = 12345;

    CHECK(q && ref && ids);
    while (n_pushed < N || sim_queue_size(q) > 0) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(state >> 33) % 10;

        if (r < 5 && n_pushed < N) {
            sim_time at = sim_queue_now(q) + (r == 0 ? 0 : (sim_time)(r * 3));

            ref[n_pushed] = (struct ref_event){at, n_pushed, false};
            ids[n_pushed] = sim_queue_push(q, at, 0, 0, tag(n_pushed));
            n_pushed++;
        } else if (r == 5 && n_pushed > 0) {
            size_t k = (size_t)(state >> 40) % n_pushed;

            /* Only pending events may be cancelled. */
            if (ref[k].seq == UINT64_MAX || ref[k].is_cancelled)
                continue;
            CHECK(sim_queue_cancel(q, ids[k]));
            ref[k].is_cancelled = true;
        } else if (sim_queue_size(q) > 0) {
            sim_time peek = sim_queue_peek_time(q);
            size_t best = SIZE_MAX;

            CHECK(sim_queue_pop(q, &ev));
            CHECK_EQ_INT(ev.time, peek);

            for (size_t i = 0; i < n_pushed; i++) {
                if (ref[i].is_cancelled || ref[i].seq == UINT64_MAX)
                    continue;
                if (best == SIZE_MAX || ref[i].time < ref[best].time)
                    best = i;
            }
            CHECK(best != SIZE_MAX);
            CHECK_EQ_INT(ev.payload.u64, best);
            CHECK_EQ_INT(ev.time, ref[best].time);
            ref[best].seq = UINT64_MAX;
        }
    }
    free(ref);
    free(ids);
    sim_queue_free(q);
}

CHECK_MAIN(CHECK_TEST(test_queue__equal_times_pop_in_insertion_order),
           CHECK_TEST(test_queue__pops_in_time_order),
           CHECK_TEST(test_queue__cancelled_event_is_skipped),
           CHECK_TEST(test_queue__zero_delay_events_keep_seq_order),
           CHECK_TEST(test_queue__cancel_in_fifo),
           CHECK_TEST(test_queue__matches_reference_under_random_use))
