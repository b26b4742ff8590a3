/* SPDX-License-Identifier: MIT */
/*
 * client.c - where requests come from and where their response times are
 * measured: from the send to the receipt of the answer.
 *
 * An open-loop client draws the next arrival when the current one leaves,
 * so its rate never depends on the system. A closed-loop client has N
 * users; each sends one request, waits for the answer (or its timeout),
 * thinks, and sends again. A request to a group (a server with count > 1)
 * goes to a member chosen uniformly at random; put a load balancer in
 * front for anything smarter. A timed-out request is counted as failed
 * once; if its answer arrives later it is ignored.
 *
 * The books: in flight at the start of measurement + arrived = completed
 * + rejected + failed + in flight at the end, checked in tests.
 */
#include "models/client.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/consist.h"
#include "models/deadlines.h"
#include "models/keys.h"
#include "models/retry.h"
#include "models/trace.h"

#define CLIENT_MAX_USERS 10000000U
_Static_assert(CLIENT_MAX_USERS <= CONSIST_MAX_SESSIONS,
               "every session must fit a consistency entry");
/*
 * Sends by a closed loop's users at one instant beyond one each: more
 * than this many means users that think for no time are answered at once
 * again and again, and simulated time would never move on.
 */
#define CLIENT_MAX_RESENDS_AT_INSTANT 1000000U
#define CLIENT_MIN_RATE 1e-7            /* requests per second */
#define CLIENT_MAX_RATE 1e9             /* requests per second */
#define CLIENT_MIN_SPEED 1e-3           /* slowest trace replay */
#define CLIENT_MAX_SPEED 1e6            /* fastest trace replay */

enum client_event {
    CLIENT_EV_ARRIVAL = SIM_EV_USER,    /* open loop: the next request */
    CLIENT_EV_THINK,                    /* closed loop: payload.u64 user */
    CLIENT_EV_TIMEOUT,                  /* the earliest deadline is due */
    CLIENT_EV_RETRY,                    /* payload.ptr: the next attempt */
};

enum client_process {
    PROCESS_DEFAULT,                    /* absent: Poisson */
    PROCESS_POISSON,
    PROCESS_FIXED,
    PROCESS_RENEWAL,
    PROCESS_TRACE,
};

struct client_arrival_config {
    enum client_process process;
    char *rate;                         /* "800/s" */
    struct sim_dist_config *interarrival;
    char *file;                         /* trace */
    enum trace_format format;           /* trace */
    double *speed;                      /* trace: replay speed, default 1 */
    bool *spread;                       /* trace: spread same-second records */
};

struct client_mix_config {
    double *read, *write, *cas;
};

struct client_config {
    char *name;
    struct client_arrival_config *arrival;
    unsigned *users;                    /* closed loop when present */
    struct sim_dist_config *think;
    struct client_mix_config *mix;
    struct keys_config *keys;
    char *timeout;
    struct retry_config *retry;
    char *target;
    unsigned *sessions;
};

static const cyaml_strval_t process_names[] = {
    {"poisson", PROCESS_POISSON},
    {"fixed", PROCESS_FIXED},
    {"renewal", PROCESS_RENEWAL},
    {"trace", PROCESS_TRACE},
};

static const cyaml_strval_t format_names[] = {
    {"plain", TRACE_PLAIN},
    {"nasa", TRACE_NASA},
    {"azure", TRACE_AZURE},
    {"cloudphysics", TRACE_CLOUDPHYSICS},
};

static const cyaml_schema_field_t arrival_fields[] = {
    CYAML_FIELD_ENUM("process", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct client_arrival_config, process, process_names,
                     CYAML_ARRAY_LEN(process_names)),
    CYAML_FIELD_STRING_PTR("rate", CYAML_FLAG_OPTIONAL,
                           struct client_arrival_config, rate, 1, 64),
    CYAML_FIELD_MAPPING_PTR("interarrival", CYAML_FLAG_OPTIONAL,
                            struct client_arrival_config, interarrival,
                            sim_dist_fields),
    CYAML_FIELD_STRING_PTR("file", CYAML_FLAG_OPTIONAL,
                           struct client_arrival_config, file, 1, 4095),
    CYAML_FIELD_ENUM("format", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct client_arrival_config, format, format_names,
                     CYAML_ARRAY_LEN(format_names)),
    CYAML_FIELD_FLOAT_PTR("speed", CYAML_FLAG_OPTIONAL,
                          struct client_arrival_config, speed),
    CYAML_FIELD_BOOL_PTR("spread", CYAML_FLAG_OPTIONAL,
                         struct client_arrival_config, spread),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t mix_fields[] = {
    CYAML_FIELD_FLOAT_PTR("read", CYAML_FLAG_OPTIONAL,
                          struct client_mix_config, read),
    CYAML_FIELD_FLOAT_PTR("write", CYAML_FLAG_OPTIONAL,
                          struct client_mix_config, write),
    CYAML_FIELD_FLOAT_PTR("cas", CYAML_FLAG_OPTIONAL,
                          struct client_mix_config, cas),
    CYAML_FIELD_END
};

static const cyaml_schema_field_t client_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct client_config,
                           name, 1, 63),
    CYAML_FIELD_MAPPING_PTR("arrival", CYAML_FLAG_OPTIONAL,
                            struct client_config, arrival, arrival_fields),
    CYAML_FIELD_UINT_PTR("users", CYAML_FLAG_OPTIONAL, struct client_config,
                         users),
    CYAML_FIELD_MAPPING_PTR("think", CYAML_FLAG_OPTIONAL,
                            struct client_config, think, sim_dist_fields),
    CYAML_FIELD_MAPPING_PTR("mix", CYAML_FLAG_OPTIONAL, struct client_config,
                            mix, mix_fields),
    CYAML_FIELD_MAPPING_PTR("keys", CYAML_FLAG_OPTIONAL,
                            struct client_config, keys, keys_fields),
    CYAML_FIELD_STRING_PTR("timeout", CYAML_FLAG_OPTIONAL,
                           struct client_config, timeout, 1, 64),
    CYAML_FIELD_MAPPING_PTR("retry", CYAML_FLAG_OPTIONAL,
                            struct client_config, retry, retry_fields),
    CYAML_FIELD_STRING_PTR("target", CYAML_FLAG_POINTER,
                           struct client_config, target, 1, 255),
    CYAML_FIELD_UINT_PTR("sessions", CYAML_FLAG_OPTIONAL,
                         struct client_config, sessions),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t client_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct client_config,
                        client_fields),
};

/* Per-window observations, for series; never reset at the warm-up. */
struct client_windows {
    size_t n;
    uint64_t *completed;                /* answered ok */
    uint64_t *ended;                    /* answered or failed */
    uint64_t *attempts;                 /* tries sent, retries included */
    struct sim_hist **response;         /* response times, s */
};

struct client_stats {
    struct sim_tally response;          /* successful requests, s */
    struct sim_hist *response_hist;     /* s */
    struct sim_hist *op_hist[SIM_OP_N]; /* s, per operation */
    struct sim_tally wait;              /* queueing along the way, s */
    uint64_t n_arrived;                 /* requests made */
    uint64_t n_attempts;                /* tries sent, retries included */
    uint64_t *keys_seen;                /* trace: bitmap of keys requested */
    uint64_t n_completed;               /* answered ok */
    uint64_t n_rejected;                /* answered "rejected" */
    uint64_t n_failed[SIM_OUTCOME_N];   /* by reason */
    uint64_t n_ok_op[SIM_OP_N];         /* completed, by operation */
    uint64_t n_ended_op[SIM_OP_N];      /* completed or failed, by op */
    uint64_t n_in_flight_start;
};

struct client {
    char *name;
    uint32_t id;
    bool is_closed;
    unsigned users;                     /* closed loop */
    struct sim_dist *think;             /* closed loop; NULL: no thinking */
    sim_time send_instant;              /* closed loop: time of last send */
    uint64_t n_sends_at_instant;        /* closed loop: sends at that time */
    enum client_process process;        /* open loop */
    double mean_gap_s;                  /* Poisson: 1 / rate */
    sim_time fixed_gap;                 /* fixed: 1 / rate, ns */
    struct sim_dist *interarrival;      /* renewal */
    double mix_cum[SIM_OP_N];           /* cumulative operation mix */
    struct keys keys;
    sim_time timeout;                   /* 0: wait forever */
    struct retry retry;
    bool has_op[SIM_OP_N];              /* the operation can be sent */
    struct trace trace;                 /* PROCESS_TRACE */
    size_t trace_next;                  /* next record to replay */
    unsigned sessions;
    char *target_name;
    const uint32_t *targets;            /* resolved at start */
    size_t n_targets;
    uint64_t n_in_flight;
    struct deadlines deadlines;         /* of tries in flight */
    struct consist consist;             /* what answers say of freshness */
    struct client_stats st;
    struct client_windows win;
};

static void client_destroy(void *state)
{
    struct client *c = state;

    if (c == NULL)
        return;
    sim_dist_free(c->think);
    sim_dist_free(c->interarrival);
    sim_hist_free(c->st.response_hist);
    for (int op = 0; op < SIM_OP_N; op++)
        sim_hist_free(c->st.op_hist[op]);
    for (size_t w = 0; c->win.response != NULL && w < c->win.n; w++)
        sim_hist_free(c->win.response[w]);
    free(c->win.response);
    free(c->win.completed);
    free(c->win.ended);
    free(c->win.attempts);
    deadlines_release(&c->deadlines);
    consist_release(&c->consist);
    free(c->st.keys_seen);
    trace_release(&c->trace);
    free(c->target_name);
    free(c->name);
    free(c);
}

static int pick_op(const struct client *c, gsl_rng *r)
{
    double u = gsl_rng_uniform(r);

    for (int op = 0; op < SIM_OP_N - 1; op++)
        if (u < c->mix_cum[op])
            return op;
    return SIM_OP_N - 1;
}

/* Sends one attempt of a request, with its timeout. */
static void send_attempt(struct sim *sim, struct client *c,
                         struct sim_req *req)
{
    gsl_rng *r = sim_rng(sim, c->id);
    uint32_t to = c->n_targets == 1
                      ? c->targets[0]
                      : c->targets[gsl_rng_uniform_int(r, c->n_targets)];

    req->t_sent = sim_now(sim);
    c->st.n_attempts++;
    c->win.attempts[sim_window_of(sim, sim_now(sim))]++;
    if (c->timeout > 0)
        req->tag.u64 = deadlines_add(&c->deadlines, sim, req);
    sim_req_call(sim, c->id, to, req);
}

/* Creates one request on behalf of session and sends its first try. */
static void send_request(struct sim *sim, struct client *c, uint32_t session)
{
    gsl_rng *r = sim_rng(sim, c->id);
    struct sim_req *req = sim_req_new(sim, c->id);

    if (req == NULL)
        return;
    if (c->process == PROCESS_TRACE && !c->is_closed) {
        size_t i = c->trace_next - 1;

        req->op = c->trace.ops[i];
        req->key = c->trace.keys ? c->trace.keys[i] : keys_sample(&c->keys,
                                                                  r);
        if (c->trace.keys != NULL)
            c->st.keys_seen[req->key / 64] |= (uint64_t)1 << (req->key % 64);
    } else {
        req->op = (uint8_t)pick_op(c, r);
        req->key = keys_sample(&c->keys, r);
    }
    req->session = session;
    c->st.n_arrived++;
    c->n_in_flight++;
    send_attempt(sim, c, req);
}

/*
 * A gap in seconds as a sim_time; SIM_TIME_NEVER when it does not fit,
 * so that a gap too long to count comes after the end of any run instead
 * of collapsing into a flood of arrivals.
 */
static sim_time gap_of(double s)
{
    sim_time gap;

    return sim_time_from_s(s, &gap) ? gap : SIM_TIME_NEVER;
}

static sim_time next_gap(struct sim *sim, const struct client *c)
{
    gsl_rng *r = sim_rng(sim, c->id);

    switch (c->process) {
    case PROCESS_FIXED:
        return c->fixed_gap;
    case PROCESS_RENEWAL:
        return sim_dist_sample(c->interarrival, r);
    default:
        return gap_of(gsl_ran_exponential(r, c->mean_gap_s));
    }
}

/*
 * Schedules the next arrival. A trace that is over, or a gap that ends
 * beyond the last instant time can hold, schedules nothing: that arrival
 * would come after the end of the run.
 */
static void schedule_arrival(struct sim *sim, struct client *c)
{
    sim_time gap;

    if (c->process == PROCESS_TRACE) {
        if (c->trace_next >= c->trace.n)
            return;
        gap = c->trace.times[c->trace_next++] - sim_now(sim);
        if (gap < 0)
            gap = 0;
    } else {
        gap = next_gap(sim, c);
    }
    if (gap > SIM_TIME_NEVER - 1 - sim_now(sim))
        return;
    sim_post(sim, gap, c->id, CLIENT_EV_ARRIVAL,
                 (union sim_payload){.u64 = 0});
}

static void on_arrival(struct sim *sim, struct client *c)
{
    uint32_t session = 0;

    if (c->sessions > 1)
        session = (uint32_t)gsl_rng_uniform_int(sim_rng(sim, c->id),
                                                c->sessions);
    send_request(sim, c, session);
    schedule_arrival(sim, c);
}

/*
 * A closed-loop user sends after thinking; fails the run when the users
 * loop at one instant, which would otherwise never end.
 */
static void on_think_done(struct sim *sim, struct client *c, uint32_t user)
{
    if (sim_now(sim) != c->send_instant) {
        c->send_instant = sim_now(sim);
        c->n_sends_at_instant = 0;
    }
    if (++c->n_sends_at_instant >
        (uint64_t)c->users + CLIENT_MAX_RESENDS_AT_INSTANT) {
        sim_fail(sim, SIM_ELIMIT, "client \"%s\": simulated time stands "
                 "still at %.9gs: its users are answered at once and think "
                 "for no time, again and again (give \"think\" a duration, "
                 "or the requests a latency)", c->name,
                 sim_time_to_s(sim_now(sim)));
        return;
    }
    send_request(sim, c, user);
}

static void think_then_send(struct sim *sim, struct client *c,
                            uint32_t user)
{
    sim_time think = 0;

    if (c->think != NULL)
        think = sim_dist_sample(c->think, sim_rng(sim, c->id));
    sim_post(sim, think, c->id, CLIENT_EV_THINK,
                 (union sim_payload){.u64 = user});
}

/* The request is over for its client, one way or another. */
static void conclude(struct sim *sim, struct client *c, struct sim_req *req)
{
    uint32_t user = req->session;

    c->n_in_flight--;
    sim_req_release(sim, req);
    if (c->is_closed)
        think_then_send(sim, c, user);
}

/*
 * An attempt failed with reason: try again after the backoff while
 * retries remain (a new request carries the operation on; the old one is
 * let go, wherever it is), else the request fails for good.
 */
static void attempt_failed(struct sim *sim, struct client *c,
                           struct sim_req *req, int reason)
{
    struct sim_req *next;

    if (req->attempt <= c->retry.max &&
        (next = sim_req_new(sim, c->id)) != NULL) {
        next->op = req->op;
        next->key = req->key;
        next->value = req->value;
        next->session = req->session;
        next->t_created = req->t_created;
        next->attempt = (uint16_t)(req->attempt + 1);
        sim_post(sim, retry_wait(&c->retry, req->attempt,
                                     sim_rng(sim, c->id)),
                     c->id, CLIENT_EV_RETRY, (union sim_payload){.ptr = next});
        sim_req_release(sim, req);
        return;
    }
    c->win.ended[sim_window_of(sim, sim_now(sim))]++;
    c->st.n_ended_op[req->op]++;
    if (reason == SIM_FAIL_REJECTED)
        c->st.n_rejected++;
    else
        c->st.n_failed[reason]++;
    conclude(sim, c, req);
}

static void on_reply(struct sim *sim, struct client *c, struct sim_req *req)
{
    size_t w = sim_window_of(sim, sim_now(sim));
    double response;

    if (!req->is_held)
        return;
    if (c->timeout > 0)
        deadlines_clear(&c->deadlines, req->tag.u64);
    if (req->status != SIM_REQ_OK) {
        attempt_failed(sim, c, req, req->status);
        return;
    }
    /* Response time is the request's, from its first try. */
    response = sim_time_to_s(sim_now(sim) - req->t_created);
    c->win.ended[w]++;
    c->win.completed[w]++;
    c->st.n_ended_op[req->op]++;
    c->st.n_ok_op[req->op]++;
    sim_hist_add(c->win.response[w], response);
    c->st.n_completed++;
    sim_tally_add(&c->st.response, response);
    sim_hist_add(c->st.response_hist, response);
    sim_hist_add(c->st.op_hist[req->op], response);
    sim_tally_add(&c->st.wait, sim_time_to_s(req->wait_ns));
    consist_answer(&c->consist, sim, req);
    conclude(sim, c, req);
}

static void on_expired(void *ctx, struct sim *sim, struct sim_req *req)
{
    attempt_failed(sim, ctx, req, SIM_FAIL_TIMEOUT);
}

static void client_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct client *c = state;

    switch (ev->type) {
    case CLIENT_EV_ARRIVAL:
        on_arrival(sim, c);
        break;
    case CLIENT_EV_THINK:
        on_think_done(sim, c, (uint32_t)ev->payload.u64);
        break;
    case CLIENT_EV_TIMEOUT:
        deadlines_fire(&c->deadlines, sim, on_expired, c);
        break;
    case CLIENT_EV_RETRY:
        send_attempt(sim, c, ev->payload.ptr);
        break;
    case SIM_EV_REPLY:
        on_reply(sim, c, ev->payload.ptr);
        break;
    default:
        break;
    }
}

bool client_is(const struct sim *sim, uint32_t id)
{
    return sim_entity_state(sim, id, client_handle) != NULL;
}

static int build_mix(struct sim_cfg *cfg, const char *path,
                     const struct client_mix_config *m, struct client *c)
{
    const double *share[SIM_OP_N] = {NULL};
    double sum = 0.0;
    char sub[256];
    int rc = 0;

    if (m == NULL) {
        c->mix_cum[SIM_OP_READ] = c->mix_cum[SIM_OP_WRITE] = 1.0;
        c->mix_cum[SIM_OP_CAS] = 1.0;
        return 0;
    }
    share[SIM_OP_READ] = m->read;
    share[SIM_OP_WRITE] = m->write;
    share[SIM_OP_CAS] = m->cas;
    for (int op = 0; op < SIM_OP_N; op++) {
        double p = share[op] ? *share[op] : 0.0;

        snprintf(sub, sizeof sub, "%s.mix.%s", path, sim_op_name(op));
        if (!(p >= 0.0 && p <= 1.0)) {
            sim_cfg_error(cfg, sub, "%g is not a share in [0, 1]", p);
            rc = SIM_EINVAL;
        }
        sum += p;
        c->mix_cum[op] = sum;
    }
    snprintf(sub, sizeof sub, "%s.mix", path);
    if (rc == 0 && fabs(sum - 1.0) > 1e-9) {
        sim_cfg_error(cfg, sub, "the shares add up to %.6g, not 1", sum);
        rc = SIM_EINVAL;
    }
    return rc;
}

/* A trace-driven client: arrivals (and keys, if any) from a file. */
static int build_trace(struct sim_cfg *cfg, const char *path,
                       const struct client_arrival_config *a,
                       struct client *c)
{
    struct trace_options opt = {
        .format = a->format, .speed = a->speed ? *a->speed : 1.0,
        .is_spread = a->spread ? *a->spread : true,
    };
    char sub[256];
    int rc;

    snprintf(sub, sizeof sub, "%s.arrival", path);
    if (a->rate != NULL || a->interarrival != NULL) {
        sim_cfg_error(cfg, sub, "a trace gives the arrival times; remove "
                      "\"%s\"", a->rate ? "rate" : "interarrival");
        return SIM_EINVAL;
    }
    if (a->file == NULL) {
        sim_cfg_error(cfg, sub, "a trace needs \"file\"");
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.arrival.speed", path);
    if (!(opt.speed >= CLIENT_MIN_SPEED && opt.speed <= CLIENT_MAX_SPEED)) {
        sim_cfg_error(cfg, sub, "%.10g must be between 0.001 (a thousand "
                      "times slower) and 1000000", opt.speed);
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.arrival.file", path);
    rc = trace_load(cfg, sub, a->file, &opt, &c->trace);
    if (rc != 0)
        return rc;
    c->st.keys_seen = calloc(c->trace.n_keys / 64 + 1, sizeof(uint64_t));
    return c->st.keys_seen != NULL ? 0 : SIM_ENOMEM;
}

/*
 * A renewal process needs gaps that add up: a distribution whose mean is
 * 0 can only ever give 0 (every request at one instant), and one whose
 * mean is below 1ns asks for more than the 1G/s a rate may have.
 */
static int check_interarrival(struct sim_cfg *cfg, const char *path,
                              const struct sim_dist *d)
{
    double mean_s = sim_dist_mean(d);

    if (mean_s == 0)
        sim_cfg_error(cfg, path, "only ever gives 0, which sends every "
                      "request at the same instant; give it a mean of at "
                      "least 1ns");
    else if (!(mean_s >= 1e-9))
        sim_cfg_error(cfg, path, "has a mean below 1ns, more than 1G "
                      "requests per second; give it a mean of at least 1ns");
    else
        return 0;
    return SIM_EINVAL;
}

static int build_open(struct sim_cfg *cfg, const char *path,
                      const struct client_arrival_config *a,
                      struct client *c)
{
    char sub[256];
    double rate = 0;
    int rc;

    c->process = a->process == PROCESS_DEFAULT ? PROCESS_POISSON : a->process;
    if (c->process == PROCESS_TRACE)
        return build_trace(cfg, path, a, c);
    if (a->file != NULL || a->speed != NULL || a->spread != NULL ||
        a->format != TRACE_PLAIN) {
        snprintf(sub, sizeof sub, "%s.arrival", path);
        sim_cfg_error(cfg, sub, "\"file\", \"format\", \"speed\" and "
                      "\"spread\" need process: trace");
        return SIM_EINVAL;
    }
    if (c->process == PROCESS_RENEWAL) {
        snprintf(sub, sizeof sub, "%s.arrival", path);
        if (a->rate != NULL) {
            sim_cfg_error(cfg, sub, "a renewal process takes "
                          "\"interarrival\", not \"rate\"");
            return SIM_EINVAL;
        }
        if (a->interarrival == NULL) {
            sim_cfg_error(cfg, sub, "a renewal process needs "
                          "\"interarrival\"");
            return SIM_EINVAL;
        }
        snprintf(sub, sizeof sub, "%s.arrival.interarrival", path);
        rc = sim_dist_build(cfg, sub, a->interarrival, &c->interarrival);
        return rc != 0 ? rc : check_interarrival(cfg, sub, c->interarrival);
    }
    snprintf(sub, sizeof sub, "%s.arrival", path);
    if (a->interarrival != NULL) {
        sim_cfg_error(cfg, sub, "\"interarrival\" needs process: renewal");
        return SIM_EINVAL;
    }
    if (a->rate == NULL) {
        sim_cfg_error(cfg, sub, "missing \"rate\" (as in rate: 500/s)");
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.arrival.rate", path);
    if (sim_cfg_rate(cfg, sub, a->rate, 0, &rate) != 0)
        return SIM_EINVAL;
    if (!(rate >= CLIENT_MIN_RATE) || rate > CLIENT_MAX_RATE) {
        sim_cfg_error(cfg, sub, "\"%s\" must be at least 1e-7/s (one request "
                      "in 10^7 s, about 4 months) and at most 1G/s", a->rate);
        return SIM_EINVAL;
    }
    c->mean_gap_s = 1.0 / rate;
    c->fixed_gap = gap_of(c->mean_gap_s);
    if (c->fixed_gap < 1)
        c->fixed_gap = 1;
    return 0;
}

static int build_load(struct sim_cfg *cfg, const char *path,
                      const struct client_config *cc, struct client *c)
{
    char sub[256];

    c->is_closed = cc->users != NULL;
    if (c->is_closed == (cc->arrival != NULL)) {
        sim_cfg_error(cfg, path, "give either \"arrival\" (open loop) or "
                      "\"users\" (closed loop)");
        return SIM_EINVAL;
    }
    if (!c->is_closed) {
        if (cc->think != NULL) {
            snprintf(sub, sizeof sub, "%s.think", path);
            sim_cfg_error(cfg, sub, "only closed-loop clients (users:) "
                          "think");
            return SIM_EINVAL;
        }
        return build_open(cfg, path, cc->arrival, c);
    }
    c->users = *cc->users;
    snprintf(sub, sizeof sub, "%s.users", path);
    if (c->users < 1 || c->users > CLIENT_MAX_USERS) {
        sim_cfg_error(cfg, sub, "must be between 1 and %u", CLIENT_MAX_USERS);
        return SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.think", path);
    if (cc->think != NULL)
        return sim_dist_build(cfg, sub, cc->think, &c->think);
    return 0;
}

/*
 * Each user of a closed loop may have a request in flight at any time, so
 * the users of every client together must fit limits.requests. Records
 * the problem at the client whose users first pass it, and at any client
 * whose users alone do; the client itself is sound, so this never fails
 * its build.
 */
static void check_users(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, const struct client *c)
{
    uint64_t total, cap;
    char sub[256];

    if (sim_req_reserve(sim, c->users, &total, &cap) ||
        (total - c->users > cap && c->users <= cap))
        return;
    snprintf(sub, sizeof sub, "%s.users", path);
    if (total == c->users || c->users > cap)
        sim_cfg_error(cfg, sub, "%u users may have as many requests in "
                      "flight, more than limits.requests (%llu): raise "
                      "limits.requests or lower users", c->users,
                      (unsigned long long)cap);
    else
        sim_cfg_error(cfg, sub, "with the clients before it, %llu users "
                      "may have as many requests in flight, more than "
                      "limits.requests (%llu): raise limits.requests or "
                      "lower users", (unsigned long long)total,
                      (unsigned long long)cap);
}

static int build_client(struct sim_cfg *cfg, const char *path,
                        const struct client_config *cc, struct client *c)
{
    char sub[256];
    int rc = 0;

    snprintf(sub, sizeof sub, "%s.name", path);
    rc |= sim_cfg_name(cfg, sub, cc->name);
    rc |= build_load(cfg, path, cc, c);
    rc |= build_mix(cfg, path, cc->mix, c);
    if (c->process == PROCESS_TRACE && cc->mix != NULL) {
        snprintf(sub, sizeof sub, "%s.mix", path);
        sim_cfg_error(cfg, sub, "a trace gives the operations; remove "
                      "\"mix\"");
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.retry", path);
    rc |= retry_build(cfg, sub, cc->retry, &c->retry);
    snprintf(sub, sizeof sub, "%s.keys", path);
    rc |= keys_build(cfg, sub, cc->keys, &c->keys);
    snprintf(sub, sizeof sub, "%s.timeout", path);
    if (sim_cfg_duration(cfg, sub, cc->timeout, 0, &c->timeout) != 0) {
        rc = SIM_EINVAL;
    } else if (cc->timeout != NULL && c->timeout == 0) {
        sim_cfg_error(cfg, sub, "must be above 0 (leave it out to wait "
                      "forever)");
        rc = SIM_EINVAL;
    }
    c->sessions = cc->sessions ? *cc->sessions : 1;
    snprintf(sub, sizeof sub, "%s.sessions", path);
    if (c->is_closed && cc->sessions != NULL) {
        sim_cfg_error(cfg, sub, "closed-loop clients have one session per "
                      "user");
        rc = SIM_EINVAL;
    } else if (c->sessions < 1 || c->sessions > CLIENT_MAX_USERS) {
        sim_cfg_error(cfg, sub, "must be between 1 and %u", CLIENT_MAX_USERS);
        rc = SIM_EINVAL;
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

static int windows_init(struct sim *sim, struct client_windows *win)
{
    win->n = sim_n_windows(sim);
    win->completed = calloc(win->n, sizeof *win->completed);
    win->ended = calloc(win->n, sizeof *win->ended);
    win->attempts = calloc(win->n, sizeof *win->attempts);
    win->response = calloc(win->n, sizeof *win->response);
    if (win->completed == NULL || win->ended == NULL ||
        win->attempts == NULL || win->response == NULL)
        return SIM_ENOMEM;
    for (size_t w = 0; w < win->n; w++) {
        win->response[w] = sim_hist_new();
        if (win->response[w] == NULL)
            return SIM_ENOMEM;
    }
    return 0;
}

/* The operations the client can send: in its mix, or in its trace. */
static void find_ops(struct client *c)
{
    double below = 0;

    for (int op = 0; op < SIM_OP_N; op++) {
        c->has_op[op] = c->process != PROCESS_TRACE &&
                        c->mix_cum[op] > below;
        below = c->mix_cum[op];
    }
    for (size_t i = 0; c->process == PROCESS_TRACE && i < c->trace.n; i++)
        c->has_op[c->trace.ops[i]] = true;
}

static int client_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                       const void *config, void **state)
{
    const struct client_config *cc = config;
    struct client *c = calloc(1, sizeof *c);
    int rc;

    if (c == NULL)
        return SIM_ENOMEM;
    c->name = strdup(cc->name);
    c->target_name = strdup(cc->target);
    c->st.response_hist = sim_hist_new();
    for (int op = 0; op < SIM_OP_N; op++)
        if ((c->st.op_hist[op] = sim_hist_new()) == NULL)
            c->st.response_hist = NULL;
    if (c->name == NULL || c->target_name == NULL ||
        c->st.response_hist == NULL || windows_init(sim, &c->win) != 0 ||
        consist_init(&c->consist, sim) != 0) {
        client_destroy(c);
        return SIM_ENOMEM;
    }
    rc = build_client(cfg, path, cc, c);
    if (rc == 0)
        find_ops(c);
    if (rc == 0 && c->is_closed)
        check_users(sim, cfg, path, c);
    if (rc == 0) {
        c->id = sim_entity_add(sim, c->name, client_handle, c);
        deadlines_init(&c->deadlines, c->id, CLIENT_EV_TIMEOUT, c->timeout);
        if (c->id == SIM_NO_ENTITY) {
            sim_cfg_error(cfg, path, "the name \"%s\" is already taken",
                          c->name);
            rc = SIM_EINVAL;
        }
    }
    if (rc != 0) {
        client_destroy(c);
        return rc;
    }
    *state = c;
    return 0;
}

static int client_start(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, void *state)
{
    struct client *c = state;
    char sub[256];

    if (sim_route_component(sim_route(sim), c->name, &c->id, 1, true) != 0)
        return SIM_ENOMEM;
    snprintf(sub, sizeof sub, "%s.target", path);
    c->n_targets = sim_resolve(sim, cfg, sub, c->target_name, &c->targets);
    if (c->n_targets == 0)
        return SIM_EINVAL;
    if (sim_route_add(sim_route(sim), c->id, SIM_ROUTE_SEND, 1, c->targets,
                      c->n_targets, sub) != 0)
        return SIM_ENOMEM;
    if (!c->is_closed) {
        schedule_arrival(sim, c);
        return 0;
    }
    for (unsigned u = 0; u < c->users; u++)
        think_then_send(sim, c, u);
    return 0;
}

static void client_reset(struct sim *sim, void *state)
{
    struct client *c = state;

    (void)sim;
    sim_tally_init(&c->st.response);
    sim_tally_init(&c->st.wait);
    sim_hist_reset(c->st.response_hist);
    for (int op = 0; op < SIM_OP_N; op++)
        sim_hist_reset(c->st.op_hist[op]);
    c->st.n_arrived = c->st.n_completed = c->st.n_rejected = 0;
    c->st.n_attempts = 0;
    consist_reset(&c->consist);
    if (c->st.keys_seen != NULL)
        memset(c->st.keys_seen, 0,
               (c->trace.n_keys / 64 + 1) * sizeof(uint64_t));
    memset(c->st.n_failed, 0, sizeof c->st.n_failed);
    memset(c->st.n_ok_op, 0, sizeof c->st.n_ok_op);
    memset(c->st.n_ended_op, 0, sizeof c->st.n_ended_op);
    c->st.n_in_flight_start = c->n_in_flight;
}

static void report_failures(const struct client *c, const char *scope,
                            struct sim_report *rep)
{
    uint64_t total = 0;
    char name[64];

    for (int r = 0; r < SIM_OUTCOME_N; r++)
        total += c->st.n_failed[r];
    sim_report_add(rep, scope, "failed", "count", (double)total);
    for (int r = SIM_FAIL_TIMEOUT; r < SIM_OUTCOME_N; r++) {
        snprintf(name, sizeof name, "failed.%s", sim_outcome_name(r));
        sim_report_add(rep, scope, name, "count",
                       (double)c->st.n_failed[r]);
    }
}

/* Length of window w in seconds (the last may be cut by the end). */
static double window_s(const struct sim *sim, size_t w)
{
    sim_time t0 = (sim_time)w * sim_window_width(sim);
    sim_time t1 = t0 + sim_window_width(sim);

    if (t1 > sim_run_end(sim))
        t1 = sim_run_end(sim);
    return sim_time_to_s(t1 - t0);
}

static void report_series(struct sim *sim, const struct client *c,
                          const char *scope, struct sim_report *rep)
{
    static const double pct[] = {0.5, 0.99, 0.999};
    static const char *const name[] = {
        "response_time.p50", "response_time.p99", "response_time.p999",
    };
    const struct client_windows *win = &c->win;
    double *v = malloc((win->n + 1) * sizeof *v);

    if (v == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    for (size_t w = 0; w < win->n; w++)
        v[w] = (double)win->completed[w] / window_s(sim, w);
    sim_report_series(rep, scope, "throughput", "1/s", v, win->n);
    for (size_t w = 0; w < win->n; w++)
        v[w] = (double)win->attempts[w] / window_s(sim, w);
    sim_report_series(rep, scope, "attempt_rate", "1/s", v, win->n);
    for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++) {
        for (size_t w = 0; w < win->n; w++)
            v[w] = sim_hist_quantile(win->response[w], pct[k]);
        sim_report_series(rep, scope, name[k], "s", v, win->n);
    }
    for (size_t w = 0; w < win->n; w++)
        v[w] = win->ended[w] ? (double)win->completed[w] /
                               (double)win->ended[w] : NAN;
    sim_report_series(rep, scope, "availability", "ratio", v, win->n);
    free(v);
}

/*
 * Response-time CDFs on the fixed grid of levels: of every request, and of
 * each operation the client sends (when it sends more than one kind).
 */
static void report_curves(const struct client *c, const char *scope,
                          struct sim_report *rep)
{
    char name[64];
    int n_ops = 0;

    sim_curve_report_cdf(rep, scope, "response_time.cdf", "s",
                         c->st.response_hist);
    for (int op = 0; op < SIM_OP_N; op++)
        n_ops += c->has_op[op];
    for (int op = 0; op < SIM_OP_N && n_ops > 1; op++) {
        if (!c->has_op[op])
            continue;
        snprintf(name, sizeof name, "response_time.cdf.%s", sim_op_name(op));
        sim_curve_report_cdf(rep, scope, name, "s", c->st.op_hist[op]);
    }
}

static const char *const process_text[] = {
    "poisson", "poisson", "fixed", "renewal", "trace",
};

static const char *const jitter_text[] = {
    [RETRY_JITTER_DEFAULT] = "full", [RETRY_JITTER_NONE] = "none",
    [RETRY_JITTER_FULL] = "full", [RETRY_JITTER_EQUAL] = "equal",
};

/* How requests arrive: users and think time, or the open-loop process. */
static void report_arrivals(const struct client *c, const char *scope,
                            struct sim_report *rep)
{
    char buf[256];

    if (c->is_closed) {
        sim_report_setting(rep, scope, "users", "%u", c->users);
        sim_report_setting(rep, scope, "think", "%s", c->think == NULL
                           ? "none" : sim_dist_describe(c->think, buf,
                                                        sizeof buf));
        sim_report_setting(rep, scope, "sessions", "%u (one per user)",
                           c->users);
        return;
    }
    sim_report_setting(rep, scope, "arrival", "%s", process_text[c->process]);
    if (c->process == PROCESS_RENEWAL)
        sim_report_setting(rep, scope, "interarrival", "%s",
                           sim_dist_describe(c->interarrival, buf,
                                             sizeof buf));
    else if (c->process == PROCESS_TRACE)
        sim_report_setting(rep, scope, "trace records", "%zu", c->trace.n);
    else
        sim_report_setting(rep, scope, "rate", "%.6g/s", 1.0 / c->mean_gap_s);
    sim_report_setting(rep, scope, "sessions", "%u", c->sessions);
}

/* The retry policy; its backoff only matters when it retries at all. */
static void report_retry(const struct retry *r, const char *scope,
                         struct sim_report *rep)
{
    sim_report_setting(rep, scope, "retries", "%u", r->max);
    if (r->max == 0)
        return;
    sim_report_setting_duration(rep, scope, "retry backoff", r->backoff);
    sim_report_setting(rep, scope, "retry multiplier", "%.6g",
                       r->multiplier);
    sim_report_setting_duration(rep, scope, "retry max backoff",
                                r->max_backoff);
    sim_report_setting(rep, scope, "retry jitter", "%s",
                       jitter_text[r->jitter]);
}

/* The client's effective configuration, defaults included. */
static void report_settings(const struct client *c, const char *scope,
                            struct sim_report *rep)
{
    char buf[256];

    report_arrivals(c, scope, rep);
    sim_report_setting(rep, scope, "mix", "read %.4g, write %.4g, cas %.4g",
                       c->mix_cum[0], c->mix_cum[1] - c->mix_cum[0],
                       c->mix_cum[2] - c->mix_cum[1]);
    sim_report_setting(rep, scope, "keys", "%s%s",
                       keys_describe(&c->keys, buf, sizeof buf),
                       c->process == PROCESS_TRACE && c->trace.keys
                       ? " (unused: the trace gives keys)" : "");
    sim_report_setting(rep, scope, "timeout", "%s", c->timeout == 0
                       ? "none" : sim_units_format_duration(c->timeout, buf,
                                                            sizeof buf));
    report_retry(&c->retry, scope, rep);
    sim_report_setting(rep, scope, "target", "%s", c->target_name);
}

/* Keys of the trace requested in the measured period. */
static uint64_t count_keys(const struct client *c)
{
    uint64_t n = 0;

    for (size_t i = 0; i < c->trace.n_keys / 64 + 1; i++)
        n += (uint64_t)__builtin_popcountll(c->st.keys_seen[i]);
    return n;
}

static void client_report(struct sim *sim, void *state,
                          struct sim_report *rep)
{
    static const double pct[] = {0.5, 0.9, 0.99, 0.999};
    static const char *const pct_name[] = {
        "response_time.p50", "response_time.p90", "response_time.p99",
        "response_time.p999",
    };
    const struct client *c = state;
    double span = sim_time_to_s(sim_run_end(sim) - sim_warmup_end(sim));
    uint64_t ended = c->st.n_completed + c->st.n_rejected;
    char scope[96];

    for (int r = 0; r < SIM_OUTCOME_N; r++)
        ended += c->st.n_failed[r];
    snprintf(scope, sizeof scope, "client %s", c->name);
    sim_report_add(rep, scope, "throughput", "1/s",
                   (double)c->st.n_completed / span);
    sim_report_add(rep, scope, "response_time.mean", "s",
                   c->st.response.n ? c->st.response.mean : NAN);
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
        sim_report_add(rep, scope, pct_name[i], "s",
                       sim_hist_quantile(c->st.response_hist, pct[i]));
    sim_report_add(rep, scope, "response_time.max", "s",
                   c->st.response.n ? c->st.response.max : NAN);
    sim_report_add(rep, scope, "waiting_time.mean", "s",
                   c->st.wait.n ? c->st.wait.mean : NAN);
    sim_report_add(rep, scope, "availability", "ratio",
                   ended ? (double)c->st.n_completed / (double)ended : NAN);
    for (int op = 0; op < SIM_OP_N; op++) {
        char name[32];

        snprintf(name, sizeof name, "availability.%s", sim_op_name(op));
        sim_report_add(rep, scope, name, "ratio", c->st.n_ended_op[op]
                       ? (double)c->st.n_ok_op[op] /
                         (double)c->st.n_ended_op[op] : NAN);
    }
    sim_report_add(rep, scope, "arrived", "count",
                   (double)c->st.n_arrived);
    sim_report_add(rep, scope, "completed", "count",
                   (double)c->st.n_completed);
    sim_report_add(rep, scope, "rejected", "count",
                   (double)c->st.n_rejected);
    report_failures(c, scope, rep);
    sim_report_add(rep, scope, "in_flight_start", "count",
                   (double)c->st.n_in_flight_start);
    sim_report_add(rep, scope, "in_flight_end", "count",
                   (double)c->n_in_flight);
    sim_report_add(rep, scope, "attempts", "count",
                   (double)c->st.n_attempts);
    sim_report_add(rep, scope, "attempts_per_request", "1",
                   c->st.n_arrived ? (double)c->st.n_attempts /
                                     (double)c->st.n_arrived : NAN);
    if (c->st.keys_seen != NULL)
        sim_report_add(rep, scope, "distinct_keys", "count",
                       (double)count_keys(c));
    report_series(sim, c, scope, rep);
    consist_report(&c->consist, sim, scope, rep);
    report_curves(c, scope, rep);
    report_settings(c, scope, rep);
}

const struct sim_model_ops client_ops = {
    .section = "clients",
    .kind = "client",
    .schema = &client_schema,
    .is_source = true,
    .init = client_init,
    .start = client_start,
    .reset = client_reset,
    .report = client_report,
    .destroy = client_destroy,
};
