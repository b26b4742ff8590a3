/* SPDX-License-Identifier: MIT */
/*
 * faults.c - the fault schedule. Each list entry is one fault with a start
 * ("at") and an optional end; without an end it lasts to the end of the
 * run. Every entry schedules its start and end on one shared "faults"
 * entity, created by the first entry, which applies them through the
 * engine and writes the timeline as they happen.
 *
 * What a fault does to requests in flight is the engine's rule: a
 * partition drops every message sent across it and every message in
 * flight across it when it starts (reason "partition"); a crashed entity
 * loses what it holds (its model drops it, reason "crash") and messages
 * reaching it while down are dropped ("node_down"); a lossy link drops
 * messages as they are sent ("loss"); a slow link stretches the latency of
 * messages sent while it lasts, not of those already on their way.
 * Crashing an entity that is already down changes nothing; an entity hit
 * by overlapping crash faults comes back when the last of them ends.
 * Clients stand for the users and are left out of every crash. A
 * skew sets the entity's clock offset and its end sets it back to 0, so
 * overlapping skews of one entity do not add up.
 */
#include "models/faults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/client.h"
#include "models/targets.h"

#define FAULTS_MAX_SIDES 16
#define FAULTS_MAX_FACTOR 1e6
#define FAULTS_MAX_OFFSET ((sim_time)24 * 3600 * SIM_S)
#define FAULTS_TEXT 256                 /* bytes of a timeline text */

enum faults_event {
    FAULTS_EV_APPLY = SIM_EV_USER,      /* payload.ptr: struct fault */
    FAULTS_EV_END,                      /* payload.ptr: struct fault */
};

enum fault_kind {
    FAULT_PARTITION,
    FAULT_CRASH,
    FAULT_SLOW,
    FAULT_LOSSY,
    FAULT_SKEW,
    FAULT_KINDS
};

/* Per kind: its key, the timeline word of its end, its absolute end key. */
static const char *const kind_key[FAULT_KINDS] = {
    "partition", "crash", "slow", "lossy", "skew",
};
static const char *const end_word[FAULT_KINDS] = {
    "heal", "restart", "slow-end", "lossy-end", "skew-end",
};
static const char *const end_key[FAULT_KINDS] = {
    "heal_at", "restart_at", "until", "until", "until",
};

struct faults_config {
    char *at;                           /* start, a duration from 0 */
    char **partition;                   /* sides */
    unsigned partition_count;           /* entries in partition */
    char *crash;                        /* target */
    char **slow;                        /* sides */
    unsigned slow_count;                /* entries in slow */
    char **lossy;                       /* sides */
    unsigned lossy_count;               /* entries in lossy */
    char *skew;                         /* target */
    bool *one_way;                      /* first side to the others only */
    double *factor;                     /* slow: latency multiplier */
    double *loss;                       /* lossy: probability */
    char *offset;                       /* skew: "-50ms" */
    char *heal_at;                      /* partition: absolute end */
    char *restart_at;                   /* crash: absolute end */
    char *until;                        /* slow, lossy, skew: absolute end */
    char *span;                         /* "for": end relative to "at" */
};

static const cyaml_schema_value_t side_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 255),
};

#define FAULTS_STR(key, member)                                           \
    CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_OPTIONAL, struct faults_config, \
                           member, 1, 255)
#define FAULTS_SIDES(key, member)                                         \
    CYAML_FIELD_SEQUENCE(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,   \
                         struct faults_config, member, &side_entry, 2,    \
                         FAULTS_MAX_SIDES)

static const cyaml_schema_field_t faults_fields[] = {
    CYAML_FIELD_STRING_PTR("at", CYAML_FLAG_POINTER, struct faults_config,
                           at, 1, 64),
    FAULTS_SIDES("partition", partition),
    FAULTS_STR("crash", crash),
    FAULTS_SIDES("slow", slow),
    FAULTS_SIDES("lossy", lossy),
    FAULTS_STR("skew", skew),
    CYAML_FIELD_BOOL_PTR("one_way", CYAML_FLAG_OPTIONAL,
                         struct faults_config, one_way),
    CYAML_FIELD_FLOAT_PTR("factor", CYAML_FLAG_OPTIONAL,
                          struct faults_config, factor),
    CYAML_FIELD_FLOAT_PTR("loss", CYAML_FLAG_OPTIONAL, struct faults_config,
                          loss),
    FAULTS_STR("offset", offset),
    FAULTS_STR("heal_at", heal_at),
    FAULTS_STR("restart_at", restart_at),
    FAULTS_STR("until", until),
    FAULTS_STR("for", span),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t faults_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct faults_config,
                        faults_fields),
};

/* One fault as scheduled; sides are resolved at start. */
struct fault {
    enum fault_kind kind;
    sim_time at;                        /* applied, ns */
    sim_time end;                       /* ended, ns; NEVER: lasts */
    char **sides;                       /* targets as written */
    size_t n_sides;                     /* 1 for crash and skew */
    struct targets *resolved;           /* one per side */
    bool is_one_way;                    /* first side to the others only */
    double factor;                      /* slow: latency multiplier */
    double loss;                        /* lossy: probability */
    sim_time offset;                    /* skew, ns */
    uint64_t *handles;                  /* cuts or degradations in force */
    size_t n_handles;
    char text[FAULTS_TEXT];             /* what and whom, for the timeline */
};

/* One line of the timeline. */
struct faults_note {
    sim_time t;                         /* ns */
    const char *kind;                   /* static string */
    const struct fault *fault;          /* its text */
};

/* What every entry shares: the entity, crash holds and the timeline. */
struct faults_schedule {
    uint32_t id;                        /* the "faults" entity */
    uint32_t *n_holds;                  /* per entity: crashes in force */
    size_t n_entities;                  /* entries of n_holds */
    struct faults_note *notes;          /* the timeline, in time order */
    size_t n_notes, cap_notes;
    size_t n_entries;                   /* list entries that joined */
};

/* One list entry. The first one made owns the shared schedule. */
struct faults {
    struct fault f;                     /* this entry's fault */
    struct faults_schedule *sched;      /* shared by every entry */
    bool is_owner;                      /* this entry frees sched */
    size_t number;                      /* 1-based place in the list */
};

static void fault_release(struct fault *f)
{
    for (size_t i = 0; f->sides != NULL && i < f->n_sides; i++)
        free(f->sides[i]);
    for (size_t i = 0; f->resolved != NULL && i < f->n_sides; i++)
        targets_release(&f->resolved[i]);
    free(f->sides);
    free(f->resolved);
    free(f->handles);
}

static void faults_destroy(void *state)
{
    struct faults *fs = state;

    if (fs == NULL)
        return;
    fault_release(&fs->f);
    if (fs->is_owner && fs->sched != NULL) {
        free(fs->sched->n_holds);
        free(fs->sched->notes);
        free(fs->sched);
    }
    free(fs);
}

/* ---- applying ---------------------------------------------------------- */

static void note(struct sim *sim, struct faults_schedule *s,
                 const struct fault *f, const char *kind)
{
    if (s->n_notes == s->cap_notes) {
        size_t cap = s->cap_notes ? s->cap_notes * 2 : 16;
        struct faults_note *p = realloc(s->notes, cap * sizeof *p);

        if (p == NULL) {
            sim_fail(sim, SIM_ENOMEM, "out of memory for the fault timeline");
            return;
        }
        s->notes = p;
        s->cap_notes = cap;
    }
    s->notes[s->n_notes++] = (struct faults_note){
        .t = sim_now(sim), .kind = kind, .fault = f,
    };
}

/* Cuts or degrades every pair of sides: i to j for i < j (and back). */
static void apply_links(struct sim *sim, struct fault *f)
{
    const struct targets *r = f->resolved;

    f->n_handles = 0;
    for (size_t i = 0; i < f->n_sides; i++) {
        for (size_t j = i + 1; j < f->n_sides; j++) {
            uint64_t h;

            if (f->kind == FAULT_PARTITION)
                h = sim_cut_add(sim, r[i].ids, r[i].n, r[j].ids, r[j].n,
                                f->is_one_way);
            else
                h = sim_link_degrade(sim, r[i].ids, r[i].n, r[j].ids,
                                     r[j].n, f->is_one_way, f->factor,
                                     f->loss);
            if (h == 0)
                sim_fail(sim, SIM_ENOMEM, "out of memory for a fault");
            f->handles[f->n_handles++] = h;
        }
    }
}

static void apply(struct sim *sim, struct faults_schedule *s,
                  struct fault *f)
{
    const struct targets *t = &f->resolved[0];

    switch (f->kind) {
    case FAULT_CRASH:
        for (size_t i = 0; i < t->n; i++)
            if (s->n_holds[t->ids[i]]++ == 0)
                sim_entity_crash(sim, t->ids[i]);
        break;
    case FAULT_SKEW:
        for (size_t i = 0; i < t->n; i++)
            sim_entity_set_clock_offset(sim, t->ids[i], f->offset);
        break;
    default:
        apply_links(sim, f);
        break;
    }
    note(sim, s, f, kind_key[f->kind]);
}

static void end(struct sim *sim, struct faults_schedule *s, struct fault *f)
{
    const struct targets *t = &f->resolved[0];

    for (size_t i = 0; f->kind == FAULT_CRASH && i < t->n; i++)
        if (--s->n_holds[t->ids[i]] == 0)
            sim_entity_restart(sim, t->ids[i]);
    for (size_t i = 0; f->kind == FAULT_SKEW && i < t->n; i++)
        sim_entity_set_clock_offset(sim, t->ids[i], 0);
    for (size_t i = 0; i < f->n_handles; i++) {
        if (f->kind == FAULT_PARTITION)
            sim_cut_heal(sim, f->handles[i]);
        else
            sim_link_restore(sim, f->handles[i]);
    }
    f->n_handles = 0;
    note(sim, s, f, end_word[f->kind]);
}

static void faults_handle(struct sim *sim, void *state,
                          const struct sim_event *ev)
{
    struct faults_schedule *s = state;

    switch (ev->type) {
    case FAULTS_EV_APPLY:
        apply(sim, s, ev->payload.ptr);
        break;
    case FAULTS_EV_END:
        end(sim, s, ev->payload.ptr);
        break;
    default:
        break;
    }
}

/* ---- configuration ----------------------------------------------------- */

/* What the checks of one list entry share. */
struct faults_check {
    struct sim *sim;
    struct sim_cfg *cfg;
    const char *path;                   /* "faults[2]" */
    const struct faults_config *c;
    struct fault *f;                    /* being filled */
};

/* The sides of the entry's one action; records a missing or extra one. */
static int pick_action(const struct faults_check *ck, char *const **sides,
                       size_t *n_sides)
{
    const struct faults_config *c = ck->c;
    char *const *list[FAULT_KINDS] = {c->partition, &c->crash, c->slow,
                                      c->lossy, &c->skew};
    const size_t count[FAULT_KINDS] = {c->partition_count, c->crash != NULL,
                                       c->slow_count, c->lossy_count,
                                       c->skew != NULL};
    int first = -1;

    for (int k = 0; k < FAULT_KINDS; k++) {
        if (count[k] == 0)
            continue;
        if (first >= 0) {
            sim_cfg_error(ck->cfg, ck->path, "give one action, not both "
                          "\"%s\" and \"%s\"", kind_key[first], kind_key[k]);
            return SIM_EINVAL;
        }
        first = k;
    }
    if (first < 0) {
        sim_cfg_error(ck->cfg, ck->path, "give one action: partition, "
                      "crash, slow, lossy or skew");
        return SIM_EINVAL;
    }
    ck->f->kind = (enum fault_kind)first;
    *sides = list[first];
    *n_sides = count[first];
    return 0;
}

static int copy_sides(char *const *sides, size_t n, struct fault *f)
{
    f->sides = calloc(n, sizeof *f->sides);
    f->resolved = calloc(n, sizeof *f->resolved);
    if (f->sides == NULL || f->resolved == NULL)
        return SIM_ENOMEM;
    for (; f->n_sides < n; f->n_sides++) {
        f->sides[f->n_sides] = strdup(sides[f->n_sides]);
        if (f->sides[f->n_sides] == NULL)
            return SIM_ENOMEM;
    }
    f->handles = calloc(n * (n - 1) / 2 + 1, sizeof *f->handles);
    return f->handles != NULL ? 0 : SIM_ENOMEM;
}

/* The start time: a duration from 0, before the end of the run. */
static int check_at(const struct faults_check *ck)
{
    sim_time run_end = sim_run_end(ck->sim);
    char sub[160], buf[32];

    snprintf(sub, sizeof sub, "%s.at", ck->path);
    if (sim_cfg_duration(ck->cfg, sub, ck->c->at, 0, &ck->f->at) != 0)
        return SIM_EINVAL;
    /* No end (0): the duration is wrong, and reported as such already. */
    if (ck->f->at < run_end || run_end <= 0)
        return 0;
    sim_cfg_error(ck->cfg, sub, "\"%s\" is not before the end of the run "
                  "(%s)", ck->c->at,
                  sim_units_format_duration(run_end, buf, sizeof buf));
    return SIM_EINVAL;
}

/* Which end key was given (index into keys), -1 for none, -2 for two. */
static int which_end(const struct faults_check *ck, const char **text)
{
    const struct faults_config *c = ck->c;
    const char *keys[] = {"heal_at", "restart_at", "until", "for"};
    const char *given[] = {c->heal_at, c->restart_at, c->until, c->span};
    int found = -1;

    for (int i = 0; i < 4; i++) {
        if (given[i] == NULL)
            continue;
        if (found >= 0) {
            sim_cfg_error(ck->cfg, ck->path, "give one end, not both "
                          "\"%s\" and \"%s\"", keys[found], keys[i]);
            return -2;
        }
        found = i;
        *text = given[i];
    }
    return found;
}

/* The end (text, at key path sub) comes after the start, within the run. */
static int check_end_time(const struct faults_check *ck, const char *sub,
                          const char *text, bool is_for)
{
    const struct fault *f = ck->f;
    char a[32], b[32];

    sim_units_format_duration(sim_run_end(ck->sim), b, sizeof b);
    if (!is_for && f->end <= f->at) {
        sim_cfg_error(ck->cfg, sub, "\"%s\" is not after \"at\" (%s)", text,
                      sim_units_format_duration(f->at, a, sizeof a));
        return SIM_EINVAL;
    }
    if (f->end <= sim_run_end(ck->sim) || sim_run_end(ck->sim) <= 0)
        return 0;
    if (is_for)
        sim_cfg_error(ck->cfg, sub, "\"%s\" ends the fault at %s, after the "
                      "end of the run (%s)", text,
                      sim_units_format_duration(f->end, a, sizeof a), b);
    else
        sim_cfg_error(ck->cfg, sub, "\"%s\" is after the end of the run "
                      "(%s)", text, b);
    return SIM_EINVAL;
}

/* The end: absolute (by the kind's own key) or relative ("for"). */
static int check_end(const struct faults_check *ck)
{
    const char *keys[] = {"heal_at", "restart_at", "until", "for"};
    const char *text = NULL;
    int k = which_end(ck, &text);
    struct fault *f = ck->f;
    sim_time value;
    char sub[160];

    f->end = SIM_TIME_NEVER;
    if (k < 0)
        return k == -1 ? 0 : SIM_EINVAL;
    snprintf(sub, sizeof sub, "%s.%s", ck->path, keys[k]);
    if (k < 3 && strcmp(keys[k], end_key[f->kind]) != 0) {
        sim_cfg_error(ck->cfg, sub, "a %s fault ends with \"%s\" or "
                      "\"for\"", kind_key[f->kind], end_key[f->kind]);
        return SIM_EINVAL;
    }
    if (sim_cfg_duration(ck->cfg, sub, text, 0, &value) != 0)
        return SIM_EINVAL;
    if (k == 3 && value == 0) {
        sim_cfg_error(ck->cfg, sub, "\"%s\" must be above 0", text);
        return SIM_EINVAL;
    }
    f->end = value;
    if (k == 3)
        f->end = value < SIM_TIME_NEVER - f->at ? f->at + value
                                                : SIM_TIME_NEVER - 1;
    return check_end_time(ck, sub, text, k == 3);
}

/* A key given to a kind of fault that does not take it, or missing. */
static int check_owned(const struct faults_check *ck, const char *key,
                       bool is_given, enum fault_kind owner,
                       const char *hint)
{
    bool is_wanted = ck->f->kind == owner;
    char sub[160];

    snprintf(sub, sizeof sub, "%s.%s", ck->path, key);
    if (is_given && !is_wanted) {
        sim_cfg_error(ck->cfg, sub, "only a %s fault takes \"%s\"",
                      kind_key[owner], key);
        return SIM_EINVAL;
    }
    if (!is_given && is_wanted) {
        sim_cfg_error(ck->cfg, ck->path, "a %s fault needs \"%s\" (%s)",
                      kind_key[owner], key, hint);
        return SIM_EINVAL;
    }
    return 0;
}

/* A signed duration: "-50ms", "+2s" or "2s". */
static int parse_offset(struct sim_cfg *cfg, const char *path,
                        const char *text, sim_time *out)
{
    bool is_negative = text[0] == '-';
    const char *rest = text + (text[0] == '-' || text[0] == '+');
    char why[160];

    if (sim_units_duration(rest, out, why, sizeof why) != 0) {
        sim_cfg_error(cfg, path, "\"%s\": %s", text, why);
        return SIM_EINVAL;
    }
    if (*out > FAULTS_MAX_OFFSET) {
        sim_cfg_error(cfg, path, "\"%s\" must be within 24h either way",
                      text);
        return SIM_EINVAL;
    }
    if (is_negative)
        *out = -*out;
    return 0;
}

/* The values of factor, loss and offset, where given. */
static int check_values(const struct faults_check *ck)
{
    const struct faults_config *c = ck->c;
    struct fault *f = ck->f;
    char sub[160];
    int rc = 0;

    f->factor = c->factor != NULL ? *c->factor : 1.0;
    f->loss = c->loss != NULL ? *c->loss : 0.0;
    snprintf(sub, sizeof sub, "%s.factor", ck->path);
    if (c->factor != NULL && !(f->factor >= 1 &&
                               f->factor <= FAULTS_MAX_FACTOR)) {
        sim_cfg_error(ck->cfg, sub, "%.10g must be between 1 and %.10g",
                      f->factor, FAULTS_MAX_FACTOR);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.loss", ck->path);
    if (c->loss != NULL && !(f->loss >= 0 && f->loss <= 1)) {
        sim_cfg_error(ck->cfg, sub, "%.10g is not a probability in [0, 1]",
                      f->loss);
        rc = SIM_EINVAL;
    }
    snprintf(sub, sizeof sub, "%s.offset", ck->path);
    if (c->offset != NULL && parse_offset(ck->cfg, sub, c->offset,
                                          &f->offset) != 0)
        rc = SIM_EINVAL;
    return rc;
}

/* factor, loss, offset and one_way: each only where its kind takes it. */
static int check_params(const struct faults_check *ck)
{
    const struct faults_config *c = ck->c;
    enum fault_kind kind = ck->f->kind;
    char sub[160];
    int rc = 0;

    rc |= check_owned(ck, "factor", c->factor != NULL, FAULT_SLOW,
                      "the latency multiplier, at least 1");
    rc |= check_owned(ck, "loss", c->loss != NULL, FAULT_LOSSY,
                      "a probability in [0, 1]");
    rc |= check_owned(ck, "offset", c->offset != NULL, FAULT_SKEW,
                      "as in offset: -50ms");
    snprintf(sub, sizeof sub, "%s.one_way", ck->path);
    if (c->one_way != NULL && (kind == FAULT_CRASH || kind == FAULT_SKEW)) {
        sim_cfg_error(ck->cfg, sub, "only partitions and slow or lossy "
                      "links have a direction");
        rc = SIM_EINVAL;
    }
    ck->f->is_one_way = c->one_way != NULL && *c->one_way;
    rc |= check_values(ck);
    return rc != 0 ? SIM_EINVAL : 0;
}

/* "east | west", "app -> orders", "east | west x10", "app.0 by -50ms". */
static void describe(const struct faults_config *c, struct fault *f)
{
    size_t len = 0;

    f->text[0] = '\0';
    for (size_t i = 0; i < f->n_sides && len < sizeof f->text; i++) {
        int n = snprintf(f->text + len, sizeof f->text - len, "%s%s",
                         i == 0 ? "" : f->is_one_way ? " -> " : " | ",
                         f->sides[i]);

        len += n > 0 ? (size_t)n : 0;
    }
    if (len >= sizeof f->text)
        return;
    if (f->kind == FAULT_SLOW)
        snprintf(f->text + len, sizeof f->text - len, " x%g", f->factor);
    else if (f->kind == FAULT_LOSSY)
        snprintf(f->text + len, sizeof f->text - len, " loss %g", f->loss);
    else if (f->kind == FAULT_SKEW)
        snprintf(f->text + len, sizeof f->text - len, " by %s", c->offset);
}

static int build_fault(const struct faults_check *ck)
{
    char *const *sides = NULL;
    size_t n_sides = 0;
    int rc = check_at(ck);

    if (pick_action(ck, &sides, &n_sides) != 0)
        return SIM_EINVAL;
    rc |= check_end(ck);
    rc |= check_params(ck);
    if (rc != 0)
        return SIM_EINVAL;
    rc = copy_sides(sides, n_sides, ck->f);
    if (rc == 0)
        describe(ck->c, ck->f);
    return rc;
}

/* Creates the shared "faults" entity, or joins the one an entry made. */
static int join_schedule(struct sim *sim, struct sim_cfg *cfg,
                         const char *path, struct faults *fs)
{
    uint32_t id = sim_entity_find(sim, "faults");

    if (id != SIM_NO_ENTITY) {
        fs->sched = sim_entity_state(sim, id, faults_handle);
        if (fs->sched != NULL) {
            fs->number = ++fs->sched->n_entries;
            return 0;
        }
        sim_cfg_error(cfg, path, "the name \"faults\" is taken by another "
                      "component; the fault schedule needs it");
        return SIM_EINVAL;
    }
    fs->sched = calloc(1, sizeof *fs->sched);
    if (fs->sched == NULL)
        return SIM_ENOMEM;
    fs->is_owner = true;
    fs->number = ++fs->sched->n_entries;
    fs->sched->id = sim_entity_add(sim, "faults", faults_handle, fs->sched);
    return fs->sched->id != SIM_NO_ENTITY ? 0 : SIM_ENOMEM;
}

static int faults_init(struct sim *sim, struct sim_cfg *cfg, const char *path,
                       const void *config, void **state)
{
    struct faults *fs = calloc(1, sizeof *fs);
    struct faults_check ck;
    int rc;

    if (fs == NULL)
        return SIM_ENOMEM;
    ck = (struct faults_check){sim, cfg, path, config, &fs->f};
    rc = build_fault(&ck);
    if (rc == 0)
        rc = join_schedule(sim, cfg, path, fs);
    if (rc != 0) {
        faults_destroy(fs);
        return rc;
    }
    *state = fs;
    return 0;
}

/* ---- start ------------------------------------------------------------- */

/*
 * Drops the clients from a crash's targets: they stand for the users. A
 * target of clients alone is a problem.
 */
static int drop_clients(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, const char *side,
                        struct targets *t)
{
    size_t n = 0;

    for (size_t i = 0; i < t->n; i++)
        if (!client_is(sim, t->ids[i]))
            t->ids[n++] = t->ids[i];
    if (n > 0 || t->n == 0) {
        t->n = n;
        return 0;
    }
    sim_cfg_error(cfg, path, "\"%s\" holds only clients, which stand for "
                  "the users and do not crash; crash what serves them",
                  side);
    return SIM_EINVAL;
}

/* Resolves every side; sides may not share an entity. */
static int resolve_sides(struct sim *sim, struct sim_cfg *cfg,
                         const char *path, struct faults *fs)
{
    struct fault *f = &fs->f;
    bool is_list = f->kind != FAULT_CRASH && f->kind != FAULT_SKEW;
    char sub[160];
    uint32_t shared;
    int rc = 0;

    for (size_t i = 0; i < f->n_sides; i++) {
        int r;

        if (is_list)
            snprintf(sub, sizeof sub, "%s.%s[%zu]", path, kind_key[f->kind],
                     i);
        else
            snprintf(sub, sizeof sub, "%s.%s", path, kind_key[f->kind]);
        r = targets_resolve(sim, cfg, sub, f->sides[i], fs->sched->id,
                            &f->resolved[i]);
        if (r == SIM_ENOMEM)
            return r;
        if (r == 0 && f->kind == FAULT_CRASH)
            r = drop_clients(sim, cfg, sub, f->sides[i], &f->resolved[i]);
        rc |= r;
        for (size_t j = 0; r == 0 && j < i; j++) {
            if (!targets_overlap(&f->resolved[j], &f->resolved[i], &shared))
                continue;
            sim_cfg_error(cfg, sub, "\"%s\" overlaps \"%s\" (both hold "
                          "\"%s\")", f->sides[i], f->sides[j],
                          sim_entity_name(sim, shared));
            rc = SIM_EINVAL;
        }
    }
    return rc != 0 ? SIM_EINVAL : 0;
}

/*
 * Resolves the entry's targets and schedules it. A problem is recorded and
 * the entry stays unscheduled, but 0 is returned so that the entries after
 * it are checked too; the scenario is refused since cfg holds a problem.
 */
static int faults_start(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, void *state)
{
    struct faults *fs = state;
    struct faults_schedule *s = fs->sched;
    union sim_payload p = {.ptr = &fs->f};
    int rc;

    if (fs->is_owner) {
        s->n_entities = sim_n_entities(sim);
        s->n_holds = calloc(s->n_entities, sizeof *s->n_holds);
        if (s->n_holds == NULL)
            return SIM_ENOMEM;
    }
    rc = resolve_sides(sim, cfg, path, fs);
    if (rc != 0)
        return rc == SIM_ENOMEM ? rc : 0;
    sim_schedule(sim, fs->f.at - sim_now(sim), s->id, FAULTS_EV_APPLY, p);
    if (fs->f.end != SIM_TIME_NEVER)
        sim_schedule(sim, fs->f.end - sim_now(sim), s->id, FAULTS_EV_END, p);
    return 0;
}

/* "fault 2": "crash orders.0.0 at 55s, restart at 85s", as scheduled. */
static void report_setting(const struct faults *fs, struct sim_report *rep)
{
    static const char *const end_text[FAULT_KINDS] = {
        "heal at", "restart at", "until", "until", "until",
    };
    const struct fault *f = &fs->f;
    char key[32], at[64], end[64];

    snprintf(key, sizeof key, "fault %zu", fs->number);
    sim_units_format_duration(f->at, at, sizeof at);
    if (f->end == SIM_TIME_NEVER)
        snprintf(end, sizeof end, "to the end of the run");
    else
        sim_units_format_duration(f->end, end, sizeof end);
    sim_report_setting(rep, "fault schedule", key, "%s %s at %s, %s%s%s",
                       kind_key[f->kind], f->text, at,
                       f->end == SIM_TIME_NEVER ? "" : end_text[f->kind],
                       f->end == SIM_TIME_NEVER ? "" : " ", end);
}

/*
 * Each entry reports itself as scheduled; the owner (the first entry)
 * also reports the whole timeline, in the order it happened.
 */
static void faults_report(struct sim *sim, void *state,
                          struct sim_report *rep)
{
    const struct faults *fs = state;
    const struct faults_schedule *s = fs->sched;

    (void)sim;
    report_setting(fs, rep);
    if (!fs->is_owner)
        return;
    for (size_t i = 0; i < s->n_notes; i++)
        sim_report_fault(rep, sim_time_to_s(s->notes[i].t), s->notes[i].kind,
                         "%s", s->notes[i].fault->text);
}

const struct sim_model_ops faults_ops = {
    .section = "faults",
    .kind = "fault",
    .schema = &faults_schema,
    .init = faults_init,
    .start = faults_start,
    .report = faults_report,
    .destroy = faults_destroy,
};
