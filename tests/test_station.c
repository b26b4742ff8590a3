/* SPDX-License-Identifier: MIT */
/*
 * test_station.c - the queueing station on its own: FIFO order, service
 * per operation, refusal when the queue is full, a crash that empties it,
 * and books that balance. An owner entity runs the station and a source
 * entity sends requests at scripted times.
 */
#include "models/station.h"

#include <string.h>

#include "tests/check.h"

#define OWNER_DONE SIM_EV_USER
#define MAX_LOG 16

struct owner {
    uint32_t id;
    struct station st;
};

static void owner_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    struct owner *o = state;
    struct sim_req *req = ev->payload.ptr;

    switch (ev->type) {
    case SIM_EV_REQUEST:
        if (station_arrive(&o->st, sim, req) == STATION_FULL) {
            req->status = SIM_FAIL_REJECTED;
            sim_req_reply(sim, o->id, req);
        }
        break;
    case OWNER_DONE:
        station_finish(&o->st, sim, req);
        req->status = SIM_REQ_OK;
        sim_req_reply(sim, o->id, req);
        break;
    case SIM_EV_CRASH:
        station_crash(&o->st, sim, NULL, NULL);
        break;
    default:
        break;
    }
}

/* Sends a request of op (payload) when told; records the replies. */
struct source {
    uint32_t id, to;
    size_t n;
    sim_time at[MAX_LOG];
    int status[MAX_LOG];
    int op[MAX_LOG];
};

static void source_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct source *s = state;
    struct sim_req *req;

    if (ev->type == SIM_EV_USER) {
        req = sim_req_new(sim, s->id);
        req->op = (uint8_t)ev->payload.u64;
        sim_req_call(sim, s->id, s->to, req);
    } else if (ev->type == SIM_EV_REPLY && s->n < MAX_LOG) {
        req = ev->payload.ptr;
        s->at[s->n] = sim_now(sim);
        s->status[s->n] = req->status;
        s->op[s->n] = req->op;
        s->n++;
        sim_req_release(sim, req);
    }
}

struct bench {
    struct sim *sim;
    struct owner o;
    struct source src;
    struct sim_dist *service[SIM_OP_N];
};

/* Reads take 10 ns, writes and cas 25 ns. */
static void bench_init(struct bench *b, unsigned workers, uint64_t capacity)
{
    struct sim_params params = {.seed = 1, .duration = 1000};
    struct station_params sp = {.done_type = OWNER_DONE,
                                .workers = workers, .capacity = capacity};

    memset(b, 0, sizeof *b);
    b->sim = sim_new(&params, NULL);
    b->service[SIM_OP_READ] = sim_dist_constant(10);
    b->service[SIM_OP_WRITE] = sim_dist_constant(25);
    b->service[SIM_OP_CAS] = b->service[SIM_OP_WRITE];
    b->o.id = sim_entity_add(b->sim, "owner", owner_handle, &b->o);
    b->src.id = sim_entity_add(b->sim, "source", source_handle, &b->src);
    b->src.to = b->o.id;
    sp.owner = b->o.id;
    sp.service = b->service;
    CHECK_EQ_INT(station_init(&b->o.st, b->sim, &sp), 0);
    CHECK_EQ_INT(sim_start(b->sim, NULL), 0);
}

static void bench_send(struct bench *b, sim_time at, int op)
{
    sim_schedule(b->sim, at, b->src.id, SIM_EV_USER,
                 (union sim_payload){.u64 = (uint64_t)op});
}

static void bench_release(struct bench *b)
{
    station_release(&b->o.st);
    station_service_free(b->service);
    sim_free(b->sim);
}

static bool books_balance(const struct station *st)
{
    const struct station_stats *s = &st->stats;

    return s->n_present_start + s->n_arrived ==
           s->n_completed + s->n_rejected + s->n_dropped +
           station_n_present(st);
}

static void test_station__one_worker_serves_in_arrival_order(void)
{
    struct bench b;

    bench_init(&b, 1, UINT64_MAX);
    bench_send(&b, 0, SIM_OP_WRITE);
    bench_send(&b, 0, SIM_OP_READ);
    bench_send(&b, 5, SIM_OP_READ);
    CHECK_EQ_INT(sim_run(b.sim, NULL), 0);
    CHECK_EQ_INT(b.src.n, 3);
    CHECK_EQ_INT(b.src.at[0], 25);
    CHECK_EQ_INT(b.src.op[0], SIM_OP_WRITE);
    CHECK_EQ_INT(b.src.at[1], 35);
    CHECK_EQ_INT(b.src.at[2], 45);
    /* Waits of 0, 25 and 30 ns. */
    CHECK_NEAR(b.o.st.stats.wait.mean, 55e-9 / 3, 1e-18);
    CHECK_EQ_INT(b.o.st.stats.n_queued, 2);
    CHECK(books_balance(&b.o.st));
    bench_release(&b);
}

static void test_station__full_queue_refuses(void)
{
    struct bench b;

    bench_init(&b, 2, 1);
    for (int i = 0; i < 4; i++)
        bench_send(&b, 0, SIM_OP_READ);
    CHECK_EQ_INT(sim_run(b.sim, NULL), 0);
    CHECK_EQ_INT(b.src.n, 4);
    CHECK_EQ_INT(b.src.status[0], SIM_FAIL_REJECTED);
    CHECK_EQ_INT(b.src.at[0], 0);
    CHECK_EQ_INT(b.src.at[3], 20);
    CHECK_EQ_INT(b.o.st.stats.n_rejected, 1);
    CHECK_EQ_INT(b.o.st.stats.n_completed, 3);
    CHECK(books_balance(&b.o.st));
    bench_release(&b);
}

/* Crashes (payload 1) or restarts (2) the owner. */
struct crasher {
    uint32_t id, victim;
};

static void crasher_handle(struct sim *sim, void *state,
                           const struct sim_event *ev)
{
    struct crasher *c = state;

    if (ev->payload.u64 == 1)
        sim_entity_crash(sim, c->victim);
    else
        sim_entity_restart(sim, c->victim);
}

/*
 * Three reads at 0: the first is done at 10 ns; the crash at 15 ns drops
 * the second (in service) and the third (waiting). After the restart a
 * read at 60 ns is served at once.
 */
static void test_station__crash_drops_every_request_inside(void)
{
    struct bench b;
    struct crasher c = {0};

    bench_init(&b, 1, UINT64_MAX);
    c.victim = b.o.id;
    c.id = sim_entity_add(b.sim, "crasher", crasher_handle, &c);
    for (int i = 0; i < 3; i++)
        bench_send(&b, 0, SIM_OP_READ);
    bench_send(&b, 60, SIM_OP_READ);
    sim_schedule(b.sim, 15, c.id, SIM_EV_USER, (union sim_payload){.u64 = 1});
    sim_schedule(b.sim, 50, c.id, SIM_EV_USER, (union sim_payload){.u64 = 2});
    CHECK_EQ_INT(sim_run(b.sim, NULL), 0);
    CHECK_EQ_INT(b.src.n, 2);
    CHECK_EQ_INT(b.src.at[0], 10);
    CHECK_EQ_INT(b.src.at[1], 70);
    CHECK_EQ_INT(b.o.st.stats.n_dropped, 2);
    CHECK_EQ_INT(sim_n_dropped(b.sim, SIM_FAIL_CRASH), 2);
    CHECK_EQ_INT(station_n_present(&b.o.st), 0);
    CHECK(books_balance(&b.o.st));
    bench_release(&b);
}

CHECK_MAIN(CHECK_TEST(test_station__one_worker_serves_in_arrival_order),
           CHECK_TEST(test_station__full_queue_refuses),
           CHECK_TEST(test_station__crash_drops_every_request_inside))
