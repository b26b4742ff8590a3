/* SPDX-License-Identifier: MIT */
/*
 * consist.c - judging answers against the ground truth. Session state
 * lives in one open-addressing table keyed by (store, session, key); it
 * grows with the pairs a client actually touches. Most pairs see a
 * single answer in a run, so an entry is 32 bytes and holds that one
 * step itself; a pair that sees a second one moves its steps to a record
 * of its own. t-visibility bins are logarithmic: bin 0 holds reads that
 * began less than 1us after the newest commit, then four bins per decade
 * up to 10^6 s.
 */
#include "models/consist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BINS_PER_DECADE 4
#define FIRST_EDGE_S 1e-6

/* Steps kept of a session's newest version, per kind. */
#define STEPS_KEPT 4

/* The two kinds of steps a session takes on a key. */
enum { STEP_WRITTEN, STEP_READ, N_STEP_KINDS };

/* What an entry holds besides its key. */
enum {
    FORM_EMPTY,                         /* no step yet */
    FORM_WRITTEN,                       /* one acknowledged write, inline */
    FORM_READ,                          /* one answered read, inline */
    FORM_MORE,                          /* steps in c->more[v] */
};

/*
 * The newest version a session had been answered as a function of time:
 * it became v[i] at t[i], ascending; v before t[0] is 0 unless older
 * steps were dropped (is_cut), when it is not known.
 */
struct consist_steps {
    sim_time t[STEPS_KEPT];
    uint64_t v[STEPS_KEPT];
    uint8_t n;
    bool is_cut;
};

/* Per (store, session, key): two entries share a cache line. */
struct consist_entry {
    uint64_t key;
    uint32_t store;                     /* 0: free slot */
    unsigned session : 24;
    unsigned form : 8;
    sim_time t;                         /* the inline step: v from t on */
    uint64_t v;                         /* or, for FORM_MORE, the record */
};

/* A pair's steps once it has more than one. */
struct consist_more {
    struct consist_steps steps[N_STEP_KINDS];
};

double consist_bin_start(int i)
{
    return i == 0 ? 0.0 : FIRST_EDGE_S * pow(10.0, (double)(i - 1) /
                                                   BINS_PER_DECADE);
}

static int bin_of(double t_s)
{
    int i;

    if (t_s < FIRST_EDGE_S)
        return 0;
    i = 1 + (int)floor(log10(t_s / FIRST_EDGE_S) * BINS_PER_DECADE);
    return i < CONSIST_N_BINS ? i : CONSIST_N_BINS - 1;
}

int consist_init(struct consist *c, struct sim *sim)
{
    memset(c, 0, sizeof *c);
    c->n_windows = sim_n_windows(sim);
    c->win_reads = calloc(c->n_windows + 1, sizeof *c->win_reads);
    c->win_stale = calloc(c->n_windows + 1, sizeof *c->win_stale);
    return c->win_reads && c->win_stale ? 0 : SIM_ENOMEM;
}

void consist_release(struct consist *c)
{
    free(c->table);
    free(c->more);
    free(c->win_reads);
    free(c->win_stale);
    memset(c, 0, sizeof *c);
}

static size_t slot_of(uint32_t store, uint32_t session, uint64_t key,
                      size_t cap)
{
    uint64_t h = (key ^ ((uint64_t)session << 32) ^ ((uint64_t)store << 56))
                 * 0x9e3779b97f4a7c15ULL;

    return (size_t)(h >> 24) & (cap - 1);
}

static struct consist_entry *find(struct consist *c, uint32_t store,
                                  uint32_t session, uint64_t key)
{
    size_t i = slot_of(store, session, key, c->cap);

    for (;; i = (i + 1) & (c->cap - 1)) {
        struct consist_entry *e = &c->table[i];

        if (e->store == 0 || (e->store == store && e->session == session &&
                              e->key == key))
            return e;
    }
}

static bool grow(struct consist *c)
{
    struct consist_entry *old = c->table;
    size_t old_cap = c->cap;

    c->cap = old_cap ? old_cap * 2 : 1024;
    c->table = calloc(c->cap, sizeof *c->table);
    if (c->table == NULL) {
        c->table = old;
        c->cap = old_cap;
        return false;
    }
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].store != 0)
            *find(c, old[i].store, old[i].session, old[i].key) = old[i];
    free(old);
    return true;
}

/* The session's entry for key, created empty; NULL when out of memory. */
static struct consist_entry *entry(struct consist *c, const struct sim_req *r)
{
    struct consist_entry *e;

    if (r->session >= CONSIST_MAX_SESSIONS)
        return NULL;
    if ((c->n + 1) * 2 > c->cap && !grow(c))
        return NULL;
    e = find(c, r->store, r->session, r->key);
    if (e->store == 0) {
        *e = (struct consist_entry){.key = r->key, .store = r->store,
                                    .session = r->session,
                                    .form = FORM_EMPTY};
        c->n++;
    }
    return e;
}

/* Records that the newest version became v at now, if it grew. */
static void steps_push(struct consist_steps *s, sim_time now, uint64_t v)
{
    if (s->n > 0 && v <= s->v[s->n - 1])
        return;
    if (s->n == STEPS_KEPT) {
        memmove(s->t, s->t + 1, (STEPS_KEPT - 1) * sizeof s->t[0]);
        memmove(s->v, s->v + 1, (STEPS_KEPT - 1) * sizeof s->v[0]);
        s->n--;
        s->is_cut = true;
    }
    s->t[s->n] = now;
    s->v[s->n] = v;
    s->n++;
}

/* The newest version as of time t; false when the dropped steps hold it. */
static bool steps_at(const struct consist_steps *s, sim_time t, uint64_t *v)
{
    for (int i = s->n - 1; i >= 0; i--) {
        if (s->t[i] <= t) {
            *v = s->v[i];
            return true;
        }
    }
    *v = 0;
    return !s->is_cut;
}

/*
 * Moves e's steps to a record of their own; false when out of memory,
 * with e unchanged.
 */
static bool spill(struct consist *c, struct consist_entry *e)
{
    struct consist_more *m;

    if (c->n_more == c->cap_more) {
        size_t cap = c->cap_more ? c->cap_more * 2 : 256;
        struct consist_more *more = realloc(c->more, cap * sizeof *more);

        if (more == NULL)
            return false;
        c->more = more;
        c->cap_more = cap;
    }
    m = &c->more[c->n_more];
    memset(m, 0, sizeof *m);
    if (e->form != FORM_EMPTY)
        steps_push(&m->steps[e->form - FORM_WRITTEN], e->t, e->v);
    e->form = FORM_MORE;
    e->v = c->n_more++;
    return true;
}

/* Records a step of kind on e; a no-op when out of memory. */
static void step(struct consist *c, struct consist_entry *e, int kind,
                 sim_time now, uint64_t v)
{
    unsigned form = FORM_WRITTEN + (unsigned)kind;

    if (e->form == FORM_EMPTY) {
        e->form = form;
        e->t = now;
        e->v = v;
        return;
    }
    if (e->form == form && v <= e->v)
        return;
    if (e->form != FORM_MORE && !spill(c, e))
        return;
    steps_push(&c->more[e->v].steps[kind], now, v);
}

/* The newest version of kind on e as of time t, as steps_at answers. */
static bool step_at(const struct consist *c, const struct consist_entry *e,
                    int kind, sim_time t, uint64_t *v)
{
    if (e->form == FORM_MORE)
        return steps_at(&c->more[e->v].steps[kind], t, v);
    *v = e->form == FORM_WRITTEN + (unsigned)kind && e->t <= t ? e->v : 0;
    return true;
}

/* Read-your-writes and monotonic reads for a read answered with version. */
static void judge_session(struct consist *c, const struct sim_req *r,
                          struct consist_entry *e, sim_time now)
{
    uint64_t written, read;

    if (!step_at(c, e, STEP_WRITTEN, r->t_sent, &written) ||
        !step_at(c, e, STEP_READ, r->t_sent, &read)) {
        c->st.n_unjudged++;
    } else {
        c->st.n_ryw += r->version < written;
        c->st.n_monotonic += r->version < read;
    }
    step(c, e, STEP_READ, now, r->version);
}

/* A read: stale against the truth, and against the session's history. */
static void judge_read(struct consist *c, struct sim *sim,
                       const struct sim_req *r, struct consist_entry *e)
{
    sim_time committed;
    uint64_t latest = sim_truth_latest(sim_truth(sim), r->store, r->key,
                                       r->t_sent, &committed);
    size_t w = sim_window_of(sim, sim_now(sim));

    c->st.n_reads++;
    c->win_reads[w]++;
    if (latest > 0) {
        int bin = bin_of(sim_time_to_s(r->t_sent - committed));

        c->st.vis_reads[bin]++;
        c->st.vis_fresh[bin] += r->version >= latest;
    }
    if (r->version < latest) {
        c->st.n_stale++;
        c->win_stale[w]++;
        c->st.versions_behind += latest - r->version;
        if (latest - r->version > c->st.max_behind)
            c->st.max_behind = latest - r->version;
    }
    if (e != NULL)
        judge_session(c, r, e, sim_now(sim));
}

void consist_answer(struct consist *c, struct sim *sim,
                    const struct sim_req *req)
{
    struct consist_entry *e;

    if (req->store == 0)
        return;
    e = entry(c, req);
    if (req->op == SIM_OP_READ) {
        judge_read(c, sim, req, e);
        return;
    }
    if (e != NULL)
        step(c, e, STEP_WRITTEN, sim_now(sim), req->version);
}

void consist_reset(struct consist *c)
{
    memset(&c->st, 0, sizeof c->st);
}

/*
 * t-visibility as a curve: at the middle of each bin of time since the
 * newest commit, the share of reads that saw it (NaN for empty bins).
 */
static void report_visibility(const struct consist *c, const char *scope,
                              struct sim_report *rep)
{
    double x[CONSIST_N_BINS], y[CONSIST_N_BINS];

    for (int i = 0; i < CONSIST_N_BINS; i++) {
        double lo = consist_bin_start(i), hi = consist_bin_start(i + 1);
        uint64_t n = c->st.vis_reads[i];

        x[i] = i == 0 ? hi / 2 : sqrt(lo * hi);
        y[i] = n ? (double)c->st.vis_fresh[i] / (double)n : NAN;
    }
    sim_report_curve(rep, scope, "t_visibility", "s", "ratio", x, y,
                     CONSIST_N_BINS);
}

/*
 * v, or NaN (the figure does not apply) when no read was answered with a
 * version: a client of a plain server, or one that only writes.
 */
static double if_judged(const struct consist_stats *st, double v)
{
    return st->n_reads > 0 ? v : NAN;
}

/*
 * Versions come from databases only: in a scenario without one, the
 * figures above can have no value, whatever the client does.
 */
static void report_absent(struct sim *sim, const char *scope,
                          struct sim_report *rep)
{
    static const char *const names[] = {
        "reads_checked", "stale_reads", "stale_read_rate", "staleness.mean",
        "staleness.max", "ryw_violations", "monotonic_violations",
        "session_unjudged",
    };

    if (sim_truth_n_stores(sim_truth(sim)) > 0)
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        sim_report_absent(rep, scope, names[i], "clients judge only reads "
                          "answered from a database, and this scenario has "
                          "none");
}

void consist_report(const struct consist *c, struct sim *sim,
                    const char *scope, struct sim_report *rep)
{
    const struct consist_stats *st = &c->st;
    double *v = malloc((c->n_windows + 1) * sizeof *v);

    sim_report_add(rep, scope, "reads_checked", "count",
                   (double)st->n_reads);
    sim_report_add(rep, scope, "stale_reads", "count",
                   if_judged(st, (double)st->n_stale));
    sim_report_add(rep, scope, "stale_read_rate", "ratio",
                   if_judged(st, (double)st->n_stale / (double)st->n_reads));
    sim_report_add(rep, scope, "staleness.mean", "versions",
                   st->n_stale ? (double)st->versions_behind /
                                 (double)st->n_stale : NAN);
    sim_report_add(rep, scope, "staleness.max", "versions",
                   if_judged(st, (double)st->max_behind));
    sim_report_add(rep, scope, "ryw_violations", "count",
                   if_judged(st, (double)st->n_ryw));
    sim_report_add(rep, scope, "monotonic_violations", "count",
                   if_judged(st, (double)st->n_monotonic));
    sim_report_add(rep, scope, "session_unjudged", "count",
                   if_judged(st, (double)st->n_unjudged));
    if (v == NULL) {
        rep->status = SIM_ENOMEM;
        return;
    }
    for (size_t w = 0; w < c->n_windows; w++)
        v[w] = c->win_reads[w] ? (double)c->win_stale[w] /
                                 (double)c->win_reads[w] : NAN;
    sim_report_series(rep, scope, "stale_read_rate", "ratio", v,
                      c->n_windows);
    report_visibility(c, scope, rep);
    report_absent(sim, scope, rep);
    free(v);
}
