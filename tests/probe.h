/* SPDX-License-Identifier: MIT */
/*
 * probe.h - a test-only model kind ("probes:") whose entities send
 * numbered messages on a plan, answer what they receive, and look at other
 * entities at given times; plus helpers that load a scenario with every
 * model kind and build or run it. Each probe's records outlive nothing:
 * find the live probe by name after building, read it before sim_free.
 */
#ifndef TESTS_PROBE_H
#define TESTS_PROBE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/client.h"
#include "models/faults.h"
#include "models/network.h"
#include "models/server.h"
#include "sim/batch.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "tests/check.h"

#define PROBE_MAX 32                    /* live probes at once */
#define PROBE_MAX_LOOKS 16

enum probe_event {
    PROBE_EV_SEND = SIM_EV_USER,        /* send the next message */
    PROBE_EV_LOOK,                      /* payload.u64: entity to look at */
};

struct probe_config {
    char *name;
};

static const cyaml_schema_field_t probe_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct probe_config,
                           name, 1, 63),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t probe_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct probe_config,
                        probe_fields),
};

/* What a look at an entity saw. */
struct probe_look {
    sim_time t;                         /* when, ns */
    sim_time skew;                      /* its clock minus true time, ns */
    bool is_up;
};

struct probe {
    char name[64];
    uint32_t id;
    uint32_t to;                        /* where sends go */
    uint64_t n_to_send, n_sent;
    sim_time gap;                       /* between sends, ns */
    uint64_t *seq;                      /* numbers received, in order */
    sim_time *t_got;                    /* when each arrived, ns */
    size_t n_got, cap_got;
    uint64_t n_replies;                 /* answers to its own sends */
    sim_time t_last_reply;
    struct probe_look looks[PROBE_MAX_LOOKS];
    size_t n_looks;
};

/* The live probes; a test program runs one simulation at a time. */
static struct probe *probe_live[PROBE_MAX];

static void probe_send(struct sim *sim, struct probe *p)
{
    struct sim_req *req = sim_req_new(sim, p->id);

    CHECK(req != NULL);
    req->key = p->n_sent++;
    sim_req_call(sim, p->id, p->to, req);
    sim_req_release(sim, req);
    if (p->n_sent < p->n_to_send)
        sim_schedule(sim, p->gap, p->id, PROBE_EV_SEND,
                     (union sim_payload){.u64 = 0});
}

static void probe_receive(struct sim *sim, struct probe *p,
                          struct sim_req *req)
{
    if (p->n_got == p->cap_got) {
        p->cap_got = p->cap_got ? p->cap_got * 2 : 1024;
        p->seq = realloc(p->seq, p->cap_got * sizeof *p->seq);
        p->t_got = realloc(p->t_got, p->cap_got * sizeof *p->t_got);
        CHECK(p->seq != NULL && p->t_got != NULL);
    }
    p->seq[p->n_got] = req->key;
    p->t_got[p->n_got++] = sim_now(sim);
    req->status = SIM_REQ_OK;
    sim_req_reply(sim, p->id, req);
}

static void probe_look_at(struct sim *sim, struct probe *p, uint32_t id)
{
    struct probe_look *l = &p->looks[p->n_looks++];

    CHECK(p->n_looks <= PROBE_MAX_LOOKS);
    l->t = sim_now(sim);
    l->skew = sim_entity_clock(sim, id) - sim_now(sim);
    l->is_up = sim_entity_is_up(sim, id);
}

static void probe_handle(struct sim *sim, void *state,
                         const struct sim_event *ev)
{
    struct probe *p = state;

    if (ev->type == PROBE_EV_SEND) {
        probe_send(sim, p);
    } else if (ev->type == PROBE_EV_LOOK) {
        probe_look_at(sim, p, (uint32_t)ev->payload.u64);
    } else if (ev->type == SIM_EV_REQUEST) {
        probe_receive(sim, p, ev->payload.ptr);
    } else if (ev->type == SIM_EV_REPLY) {
        p->n_replies++;
        p->t_last_reply = sim_now(sim);
    }
}

static void probe_destroy(void *state)
{
    struct probe *p = state;

    for (size_t i = 0; i < PROBE_MAX; i++)
        if (probe_live[i] == p)
            probe_live[i] = NULL;
    free(p->seq);
    free(p->t_got);
    free(p);
}

static int probe_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                      const void *config, void **state)
{
    const struct probe_config *c = config;
    struct probe *p = calloc(1, sizeof *p);
    size_t i = 0;

    (void)cfg;
    (void)path;
    CHECK(p != NULL);
    snprintf(p->name, sizeof p->name, "%s", c->name);
    p->id = sim_entity_add(sim, p->name, probe_handle, p);
    CHECK(p->id != SIM_NO_ENTITY);
    while (i < PROBE_MAX && probe_live[i] != NULL)
        i++;
    CHECK(i < PROBE_MAX);
    probe_live[i] = p;
    *state = p;
    return 0;
}

static const struct sim_model_ops probe_ops = {
    .section = "probes",
    .kind = "probe",
    .schema = &probe_schema,
    .is_source = true,                  /* probes send requests */
    .init = probe_init,
    .destroy = probe_destroy,
};

static const struct sim_model_ops *const probe_kinds[] = {
    &client_ops, &server_ops, &probe_ops, &network_ops, &faults_ops,
};

/* The live probe of that name. */
static inline struct probe *probe_find(const char *name)
{
    for (size_t i = 0; i < PROBE_MAX; i++)
        if (probe_live[i] != NULL && strcmp(probe_live[i]->name, name) == 0)
            return probe_live[i];
    CHECK(!"probe exists");
    return NULL;
}

/* Plans n sends from probe `from` to entity `to`, the first at t0. */
static inline void probe_plan(struct sim *sim, const char *from,
                              const char *to, uint64_t n, sim_time t0,
                              sim_time gap)
{
    struct probe *p = probe_find(from);

    p->to = sim_entity_find(sim, to);
    CHECK(p->to != SIM_NO_ENTITY);
    p->n_to_send = n;
    p->gap = gap;
    sim_schedule(sim, t0, p->id, PROBE_EV_SEND, (union sim_payload){.u64 = 0});
}

/* Plans a look by probe `by` at entity `at` at time t. */
static inline void probe_plan_look(struct sim *sim, const char *by,
                                   const char *at, sim_time t)
{
    uint32_t id = sim_entity_find(sim, at);

    CHECK(id != SIM_NO_ENTITY);
    sim_schedule(sim, t, probe_find(by)->id, PROBE_EV_LOOK,
                 (union sim_payload){.u64 = id});
}

/*
 * Loads YAML text with every model kind. Returns the scenario, or NULL
 * with the problems in msg, one a line, as "line:col: path: message".
 */
static inline struct sim_scenario *probe_load(const char *yaml, char *msg,
                                              size_t n_msg)
{
    char path[] = TEST_TMP "distsim-probe-XXXXXX", line[512];
    struct sim_scenario *sc = NULL;
    struct sim_error err = {0};
    struct sim_cfg *cfg;
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    size_t len = 0, skip = strlen(path) + 1;

    CHECK(f != NULL);
    fputs(yaml, f);
    fclose(f);
    cfg = sim_cfg_new(path);
    msg[0] = '\0';
    if (sim_scenario_load(cfg, path, NULL, 0, probe_kinds,
                          sizeof probe_kinds / sizeof probe_kinds[0], &sc,
                          &err) != 0) {
        for (size_t i = 0; i < sim_cfg_n_errors(cfg) && len < n_msg; i++)
            len += (size_t)snprintf(msg + len, n_msg - len, "%s%s",
                                    i ? "\n" : "", sim_cfg_format(cfg, i,
                                    line, sizeof line) + skip);
        if (sim_cfg_n_errors(cfg) == 0)
            snprintf(msg, n_msg, "%s", err.msg);
        sc = NULL;
    }
    sim_cfg_free(cfg);
    unlink(path);
    return sc;
}

/* The problems of a scenario that must not load. */
static inline const char *probe_problems(const char *yaml, char *msg,
                                         size_t n_msg)
{
    struct sim_scenario *sc = probe_load(yaml, msg, n_msg);

    if (sc != NULL) {
        sim_scenario_free(sc);
        CHECK(!"the scenario is refused");
    }
    return msg;
}

/* Replication 0 of a scenario that must load, built and started. */
static inline struct sim *probe_build(const char *yaml,
                                      struct sim_scenario **sc)
{
    char msg[1024];
    struct sim_error err = {0};
    struct sim_cfg *cfg;
    struct sim *sim = NULL;

    *sc = probe_load(yaml, msg, sizeof msg);
    if (*sc == NULL)
        printf("  %s\n", msg);
    CHECK(*sc != NULL);
    cfg = sim_cfg_new("test");
    CHECK_EQ_INT(sim_scenario_build(*sc, cfg, 0, &sim, &err), 0);
    sim_cfg_free(cfg);
    return sim;
}

/* Every replication of a scenario that must load, and their summary. */
struct probe_run {
    struct sim_scenario *sc;
    struct sim_batch batch;
    struct sim_summary sum;
};

static inline void probe_run(const char *yaml, struct probe_run *r)
{
    char msg[1024];
    struct sim_error err = {0};

    r->sc = probe_load(yaml, msg, sizeof msg);
    if (r->sc == NULL)
        printf("  %s\n", msg);
    CHECK(r->sc != NULL);
    CHECK_EQ_INT(sim_batch_run(r->sc, 0, r->sc->replications, 1, NULL, NULL,
                               &r->batch, &err), 0);
    CHECK_EQ_INT(sim_summary_build(&r->batch, &r->sum, &err), 0);
    CHECK(r->sum.is_balanced);
}

static inline void probe_run_release(struct probe_run *r)
{
    sim_summary_release(&r->sum);
    sim_batch_release(&r->batch);
    sim_scenario_free(r->sc);
}

/* The mean over replications of a figure that must exist. */
static inline double probe_figure(const struct probe_run *r,
                                  const char *scope, const char *name)
{
    const struct sim_summary_row *row = sim_summary_find(&r->sum, scope,
                                                         name);

    if (row == NULL)
        printf("  no figure \"%s\" \"%s\"\n", scope, name);
    CHECK(row != NULL);
    return row->ci.mean;
}

#endif
