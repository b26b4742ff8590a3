/* SPDX-License-Identifier: MIT */
/*
 * network.c - how long a message takes from one entity to another, and
 * whether it arrives at all.
 *
 * Each message draws a latency from the most specific rule: a link rule
 * between the two entities' zones, else the default. A slow-link fault
 * multiplies it (sim_link_state); the rule's loss probability may drop it
 * (the engine applies fault losses itself). A message within one entity
 * costs nothing and is never lost. With ordering fifo, a message is never
 * delivered before an earlier one on the same ordered pair of entities:
 * it waits behind it (head-of-line blocking, as on one TCP connection).
 * Simplifications: no bandwidth or message size, so latency does not
 * grow with load; links have no queue of their own; an entity in no zone
 * uses the default rule. All draws come from the "network" entity's own
 * random stream, so adding a network leaves every other stream as it was.
 * The network holds no requests, so crashes do not concern it; messages
 * in flight to a crashed entity are dropped by the engine on arrival.
 */
#include "models/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/targets.h"
#include "sim/suggest.h"

#define NETWORK_MAX_ZONES 256
#define NETWORK_MAX_MEMBERS 100000      /* names listed in one zone */
#define NETWORK_MAX_LINKS 10000
#define NETWORK_NO_KEY UINT64_MAX       /* empty slot of the FIFO table */

enum network_ordering {
    ORDER_DEFAULT,                      /* absent: fifo */
    ORDER_FIFO,
    ORDER_UNORDERED,
};

struct network_zone_config {
    char *name;                         /* zone name */
    char **members;                     /* names, groups or globs */
    unsigned members_count;             /* entries in members */
};

struct network_link_config {
    char **between;                     /* two zone names */
    unsigned between_count;             /* always 2 */
    struct sim_dist_config *latency;    /* absent: the default latency */
    double *loss;                       /* absent: the default loss */
};

struct network_config {
    struct sim_dist_config *latency;    /* absent: 0 (instant) */
    double *loss;                       /* absent: 0 */
    enum network_ordering ordering;     /* fifo (default) or unordered */
    struct network_zone_config *zones;  /* in order of declaration */
    unsigned zones_count;               /* entries in zones */
    struct network_link_config *links;  /* rules between zones */
    unsigned links_count;               /* entries in links */
};

static const cyaml_strval_t ordering_names[] = {
    {"fifo", ORDER_FIFO},
    {"unordered", ORDER_UNORDERED},
};

static const cyaml_schema_value_t name_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 255),
};

static const cyaml_schema_field_t zone_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER,
                           struct network_zone_config, name, 1, 63),
    CYAML_FIELD_SEQUENCE("members", CYAML_FLAG_POINTER,
                         struct network_zone_config, members, &name_entry,
                         1, NETWORK_MAX_MEMBERS),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t zone_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct network_zone_config,
                        zone_fields),
};

static const cyaml_schema_field_t link_fields[] = {
    CYAML_FIELD_SEQUENCE("between", CYAML_FLAG_POINTER,
                         struct network_link_config, between, &name_entry,
                         2, 2),
    CYAML_FIELD_MAPPING_PTR("latency", CYAML_FLAG_OPTIONAL,
                            struct network_link_config, latency,
                            sim_dist_fields),
    CYAML_FIELD_FLOAT_PTR("loss", CYAML_FLAG_OPTIONAL,
                          struct network_link_config, loss),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t link_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct network_link_config,
                        link_fields),
};

static const cyaml_schema_field_t network_fields[] = {
    CYAML_FIELD_MAPPING_PTR("latency", CYAML_FLAG_OPTIONAL,
                            struct network_config, latency, sim_dist_fields),
    CYAML_FIELD_FLOAT_PTR("loss", CYAML_FLAG_OPTIONAL, struct network_config,
                          loss),
    CYAML_FIELD_ENUM("ordering", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
                     struct network_config, ordering, ordering_names,
                     CYAML_ARRAY_LEN(ordering_names)),
    CYAML_FIELD_SEQUENCE("zones", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct network_config, zones, &zone_entry, 1,
                         NETWORK_MAX_ZONES),
    CYAML_FIELD_SEQUENCE("links", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                         struct network_config, links, &link_entry, 1,
                         NETWORK_MAX_LINKS),
    CYAML_FIELD_END
};

static const cyaml_schema_value_t network_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct network_config,
                        network_fields),
};

/* A latency and loss rule, with what it saw in the measured period. */
struct rule {
    char label[132];                    /* "default", "east-west" */
    size_t zones[2];                    /* 1-based; 0, 0 for the default */
    struct sim_dist *latency;           /* owned, unless is_shared */
    bool is_shared;                     /* latency is the default's */
    double loss;                        /* probability a message is lost */
    uint64_t n_messages;                /* sent under this rule */
    uint64_t n_lost;                    /* lost by the rule's loss */
    struct sim_tally delay;             /* delivered messages, s */
};

/* A zone as declared; its members are resolved at start. */
struct zone {
    char *name;                         /* zone name, also its group name */
    char **members;                     /* names, groups or globs */
    unsigned n_members;                 /* entries in members */
};

/* Where the previous message on an ordered pair will be delivered. */
struct fifo_slot {
    uint64_t key;                       /* from << 32 | to, or NO_KEY */
    sim_time last;                      /* its delivery time, ns */
};

struct network {
    uint32_t id;                        /* the "network" entity */
    struct zone *zones;                 /* n_zones of them */
    struct rule *rules;                 /* [0] is the default rule */
    size_t n_rules;                     /* 1 + the number of links */
    uint32_t *rule_of;                  /* (n_zones + 1)^2, by zone pair */
    size_t n_zones;                     /* zones declared */
    bool is_fifo;                       /* ordering: fifo */
    struct fifo_slot *slots;            /* open addressing, power of 2 */
    size_t n_slots, cap_slots;
    uint64_t n_local;                   /* messages within one entity */
};

static void zone_release(struct zone *zone)
{
    for (unsigned m = 0; zone->members != NULL && m < zone->n_members; m++)
        free(zone->members[m]);
    free(zone->members);
    free(zone->name);
}

static void network_destroy(void *state)
{
    struct network *net = state;

    if (net == NULL)
        return;
    for (size_t i = 0; net->rules != NULL && i < net->n_rules; i++)
        if (!net->rules[i].is_shared)
            sim_dist_free(net->rules[i].latency);
    for (size_t z = 0; net->zones != NULL && z < net->n_zones; z++)
        zone_release(&net->zones[z]);
    free(net->zones);
    free(net->rules);
    free(net->rule_of);
    free(net->slots);
    free(net);
}

/* ---- delivery ---------------------------------------------------------- */

static size_t slot_index(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static struct fifo_slot *slot_find(struct fifo_slot *slots, size_t cap,
                                   uint64_t key)
{
    size_t i = slot_index(key, cap);

    while (slots[i].key != key && slots[i].key != NETWORK_NO_KEY)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Doubles the FIFO table; false when out of memory. */
static bool slots_grow(struct network *net)
{
    size_t cap = net->cap_slots ? net->cap_slots * 2 : 1024;
    struct fifo_slot *slots = malloc(cap * sizeof *slots);

    if (slots == NULL)
        return false;
    for (size_t i = 0; i < cap; i++)
        slots[i].key = NETWORK_NO_KEY;
    for (size_t i = 0; i < net->cap_slots; i++)
        if (net->slots[i].key != NETWORK_NO_KEY)
            *slot_find(slots, cap, net->slots[i].key) = net->slots[i];
    free(net->slots);
    net->slots = slots;
    net->cap_slots = cap;
    return true;
}

/* The delivery time of a message: no earlier than the previous one's. */
static sim_time fifo_deliver(struct sim *sim, struct network *net,
                             uint32_t from, uint32_t to, sim_time at)
{
    uint64_t key = (uint64_t)from << 32 | to;
    struct fifo_slot *s;

    if ((net->n_slots + 1) * 2 > net->cap_slots && !slots_grow(net)) {
        sim_fail(sim, SIM_ENOMEM, "out of memory for the network's links");
        return at;
    }
    s = slot_find(net->slots, net->cap_slots, key);
    if (s->key == NETWORK_NO_KEY) {
        s->key = key;
        net->n_slots++;
    } else if (s->last > at) {
        at = s->last;
    }
    s->last = at;
    return at;
}

static struct rule *pick_rule(const struct sim *sim,
                              const struct network *net, uint32_t from,
                              uint32_t to)
{
    size_t zf = sim_entity_zone(sim, from), zt = sim_entity_zone(sim, to);

    if (zf > net->n_zones || zt > net->n_zones)
        return &net->rules[0];
    return &net->rules[net->rule_of[zf * (net->n_zones + 1) + zt]];
}

/* A latency stretched by the slow-link faults in force, rounded once. */
static sim_time stretch(const struct sim *sim, uint32_t from, uint32_t to,
                        sim_time latency)
{
    double factor, loss, ns;

    sim_link_state(sim, from, to, &factor, &loss);
    if (factor == 1.0)
        return latency;
    ns = (double)latency * factor + 0.5;
    return ns < (double)SIM_DIST_CAP ? (sim_time)ns : SIM_DIST_CAP;
}

/*
 * The engine's transport: within one entity a message is free; otherwise
 * the rule of the two zones decides loss, then latency, which a slow link
 * stretches and FIFO order may extend. Loss is drawn first, so a lost
 * message costs one draw and leaves no trace on its link.
 */
static bool network_transport(void *ctx, struct sim *sim, uint32_t from,
                              uint32_t to, const struct sim_req *req,
                              sim_time *delay, int *reason)
{
    struct network *net = ctx;
    struct rule *r;
    gsl_rng *rng = sim_rng(sim, net->id);
    sim_time latency, now = sim_now(sim);

    (void)req;
    if (from == to) {
        net->n_local++;
        *delay = 0;
        return true;
    }
    r = pick_rule(sim, net, from, to);
    r->n_messages++;
    if (r->loss > 0 && gsl_rng_uniform(rng) < r->loss) {
        r->n_lost++;
        *reason = SIM_FAIL_LOSS;
        return false;
    }
    latency = stretch(sim, from, to, sim_dist_sample(r->latency, rng));
    if (net->is_fifo)
        latency = fifo_deliver(sim, net, from, to, now + latency) - now;
    sim_tally_add(&r->delay, sim_time_to_s(latency));
    *delay = latency;
    return true;
}

/* The "network" entity exists for its random stream; it gets no events. */
static void network_handle(struct sim *sim, void *state,
                           const struct sim_event *ev)
{
    (void)sim;
    (void)state;
    (void)ev;
}

/* ---- configuration ----------------------------------------------------- */

static int check_loss(struct sim_cfg *cfg, const char *path,
                      const double *loss, double dflt, double *out)
{
    *out = loss != NULL ? *loss : dflt;
    if (*out >= 0.0 && *out <= 1.0)
        return 0;
    sim_cfg_error(cfg, path, "%.10g is not a probability in [0, 1]", *out);
    return SIM_EINVAL;
}

/* Zone names: valid, and each declared once. */
static int check_zones(struct sim_cfg *cfg, const char *path,
                       const struct network_config *c)
{
    char sub[160];
    int rc = 0;

    for (unsigned i = 0; i < c->zones_count; i++) {
        snprintf(sub, sizeof sub, "%s.zones[%u].name", path, i);
        if (sim_cfg_name(cfg, sub, c->zones[i].name) != 0) {
            rc = SIM_EINVAL;
            continue;
        }
        for (unsigned k = 0; k < i; k++) {
            if (strcmp(c->zones[k].name, c->zones[i].name) != 0)
                continue;
            sim_cfg_error(cfg, sub, "zone \"%s\" is already declared as "
                          "zones[%u]", c->zones[i].name, k);
            rc = SIM_EINVAL;
            break;
        }
    }
    return rc;
}

/* The 1-based number of a declared zone, or 0 after recording why not. */
static size_t zone_number(struct sim_cfg *cfg, const char *path,
                          const struct network_config *c, const char *name)
{
    const char *names[NETWORK_MAX_ZONES];
    const char *guess;

    for (unsigned i = 0; i < c->zones_count; i++) {
        if (strcmp(c->zones[i].name, name) == 0)
            return i + 1;
        names[i] = c->zones[i].name;
    }
    guess = sim_suggest_closest(name, names, c->zones_count);
    sim_cfg_error(cfg, path, "unknown zone \"%s\"%s%s%s", name,
                  guess ? "; did you mean \"" : "", guess ? guess : "",
                  guess ? "\"?" : "");
    return 0;
}

/* Enters rule k between its two zones, both ways, unless one is there. */
static int enter_rule(struct sim_cfg *cfg, const char *path,
                      struct network *net, size_t k)
{
    const size_t *z = net->rules[k].zones, side = net->n_zones + 1;
    uint32_t had = net->rule_of[z[0] * side + z[1]];

    if (had != 0) {
        sim_cfg_error(cfg, path, "a rule for \"%s\" and \"%s\" is already "
                      "given by links[%u]", net->zones[z[0] - 1].name,
                      net->zones[z[1] - 1].name, had - 1);
        return SIM_EINVAL;
    }
    net->rule_of[z[0] * side + z[1]] = (uint32_t)k;
    net->rule_of[z[1] * side + z[0]] = (uint32_t)k;
    return 0;
}

/* Fills rule k (>= 1) from link k - 1 and enters it in the zone table. */
static int build_link(struct sim_cfg *cfg, const char *path,
                      const struct network_config *c, struct network *net,
                      size_t k)
{
    const struct network_link_config *l = &c->links[k - 1];
    struct rule *r = &net->rules[k];
    char sub[160];
    int rc = 0;

    for (int j = 0; j < 2; j++) {
        snprintf(sub, sizeof sub, "%s.links[%zu].between[%d]", path, k - 1,
                 j);
        r->zones[j] = zone_number(cfg, sub, c, l->between[j]);
        rc |= r->zones[j] == 0 ? SIM_EINVAL : 0;
    }
    snprintf(sub, sizeof sub, "%s.links[%zu].loss", path, k - 1);
    rc |= check_loss(cfg, sub, l->loss, net->rules[0].loss, &r->loss);
    snprintf(sub, sizeof sub, "%s.links[%zu].latency", path, k - 1);
    r->is_shared = l->latency == NULL;
    r->latency = net->rules[0].latency;
    if (!r->is_shared && sim_dist_build(cfg, sub, l->latency,
                                        &r->latency) != 0) {
        r->is_shared = true;
        rc = SIM_EINVAL;
    }
    if (rc != 0)
        return SIM_EINVAL;
    snprintf(r->label, sizeof r->label, "%s-%s", l->between[0],
             l->between[1]);
    snprintf(sub, sizeof sub, "%s.links[%zu].between", path, k - 1);
    for (size_t j = 1; j < k; j++) {
        if (strcmp(net->rules[j].label, r->label) != 0)
            continue;
        sim_cfg_error(cfg, sub, "its figures would be named \"network %s\", "
                      "as those of links[%zu] are: rename a zone",
                      r->label, j - 1);
        return SIM_EINVAL;
    }
    return enter_rule(cfg, sub, net, k);
}

/* The default rule, then one per link. */
static int build_rules(struct sim_cfg *cfg, const char *path,
                       const struct network_config *c, struct network *net)
{
    struct rule *dflt = &net->rules[0];
    char sub[160];
    int rc = 0;

    snprintf(dflt->label, sizeof dflt->label, "default");
    snprintf(sub, sizeof sub, "%s.loss", path);
    rc |= check_loss(cfg, sub, c->loss, 0.0, &dflt->loss);
    snprintf(sub, sizeof sub, "%s.latency", path);
    if (c->latency != NULL)
        rc |= sim_dist_build(cfg, sub, c->latency, &dflt->latency);
    else if ((dflt->latency = sim_dist_constant(0)) == NULL)
        return SIM_ENOMEM;
    net->n_rules = 1;
    for (size_t k = 1; k <= c->links_count; k++, net->n_rules++)
        rc |= build_link(cfg, path, c, net, k);
    return rc != 0 ? SIM_EINVAL : 0;
}

/* Copies the zones, so that nothing refers to the loaded configuration. */
static int copy_zones(const struct network_config *c, struct network *net)
{
    net->zones = calloc(c->zones_count + 1, sizeof *net->zones);
    if (net->zones == NULL)
        return SIM_ENOMEM;
    net->n_zones = c->zones_count;
    for (size_t z = 0; z < net->n_zones; z++) {
        const struct network_zone_config *zc = &c->zones[z];
        struct zone *zone = &net->zones[z];

        zone->name = strdup(zc->name);
        zone->members = calloc(zc->members_count, sizeof *zone->members);
        if (zone->name == NULL || zone->members == NULL)
            return SIM_ENOMEM;
        for (; zone->n_members < zc->members_count; zone->n_members++) {
            zone->members[zone->n_members] =
                strdup(zc->members[zone->n_members]);
            if (zone->members[zone->n_members] == NULL)
                return SIM_ENOMEM;
        }
    }
    return 0;
}

static int network_init(struct sim *sim, struct sim_cfg *cfg,
                        const char *path, const void *config, void **state)
{
    const struct network_config *c = config;
    struct network *net = calloc(1, sizeof *net);
    size_t side = c->zones_count + 1;
    int rc;

    if (net == NULL)
        return SIM_ENOMEM;
    net->is_fifo = c->ordering != ORDER_UNORDERED;
    net->rules = calloc(c->links_count + 1, sizeof *net->rules);
    net->rule_of = calloc(side * side, sizeof *net->rule_of);
    if (net->rules == NULL || net->rule_of == NULL ||
        copy_zones(c, net) != 0) {
        network_destroy(net);
        return SIM_ENOMEM;
    }
    rc = check_zones(cfg, path, c);
    if (rc == 0)
        rc = build_rules(cfg, path, c, net);
    if (rc == 0) {
        net->id = sim_entity_add(sim, "network", network_handle, net);
        if (net->id == SIM_NO_ENTITY) {
            sim_cfg_error(cfg, path, "the name \"network\" is taken by "
                          "another component; the network model needs it");
            rc = SIM_EINVAL;
        }
    }
    /* Faults may name the zones: they are known, only not built. */
    for (unsigned z = 0; rc == SIM_EINVAL && z < c->zones_count; z++)
        if (sim_name_unbuilt(sim, c->zones[z].name) != 0)
            rc = SIM_ENOMEM;
    if (rc != 0) {
        network_destroy(net);
        return rc;
    }
    sim_set_transport(sim, network_transport, net);
    *state = net;
    return 0;
}

/* ---- zones ------------------------------------------------------------- */

/* The state of resolving every zone at start. */
struct zoning {
    struct sim *sim;
    struct sim_cfg *cfg;
    const char *path;                   /* "network" */
    const struct network *net;
    uint32_t *zone_of;                  /* per entity: 1-based zone, or 0 */
    struct targets ids;                 /* members of the current zone */
};

/* Adds the entities of t to zone z (0-based) unless in another zone. */
static int enter_zone(struct zoning *zg, const char *path, size_t z,
                      const struct targets *t)
{
    int rc = 0;

    for (size_t i = 0; i < t->n; i++) {
        uint32_t id = t->ids[i], had = zg->zone_of[id];

        if (had == 0) {
            zg->zone_of[id] = (uint32_t)z + 1;
            zg->ids.ids[zg->ids.n++] = id;
        } else if (had != z + 1) {
            sim_cfg_error(zg->cfg, path, "\"%s\" is already in zone \"%s\"",
                          sim_entity_name(zg->sim, id),
                          zg->net->zones[had - 1].name);
            rc = SIM_EINVAL;
        }
    }
    return rc;
}

/* Resolves the members of zone z (0-based) into zg->ids. */
static int zone_members(struct zoning *zg, size_t z)
{
    const struct zone *zone = &zg->net->zones[z];
    char sub[160];
    int rc = 0;

    zg->ids.n = 0;
    for (unsigned m = 0; m < zone->n_members; m++) {
        struct targets t;
        int r;

        snprintf(sub, sizeof sub, "%s.zones[%zu].members[%u]", zg->path, z,
                 m);
        r = targets_resolve(zg->sim, zg->cfg, sub, zone->members[m],
                            zg->net->id, &t);
        if (r == SIM_ENOMEM)
            return r;
        rc |= r | enter_zone(zg, sub, z, &t);
        targets_release(&t);
    }
    return rc;
}

/* Registers zone z (0-based) as a group of the members just resolved. */
static int add_zone_group(struct zoning *zg, size_t z)
{
    const char *name = zg->net->zones[z].name;
    char sub[160];
    int rc = sim_group_add(zg->sim, name, zg->ids.ids, zg->ids.n);

    if (rc == SIM_EINVAL) {
        snprintf(sub, sizeof sub, "%s.zones[%zu].name", zg->path, z);
        sim_cfg_error(zg->cfg, sub, "zone \"%s\" has the name of a "
                      "component", name);
    }
    return rc;
}

/*
 * Zone members resolve once every entity exists; each zone becomes a
 * group (so faults can name it) and each member learns its zone.
 */
static int network_start(struct sim *sim, struct sim_cfg *cfg,
                         const char *path, void *state)
{
    size_t n = sim_n_entities(sim);
    struct zoning zg = {
        .sim = sim, .cfg = cfg, .path = path, .net = state,
        .zone_of = calloc(n + 1, sizeof *zg.zone_of),
        .ids = {.ids = malloc((n + 1) * sizeof *zg.ids.ids)},
    };
    int rc = zg.zone_of && zg.ids.ids ? 0 : SIM_ENOMEM;

    /*
     * A zone becomes a group even when some of its members are wrong, so
     * that faults naming it are checked against what it does hold.
     */
    for (size_t z = 0; z < zg.net->n_zones && rc != SIM_ENOMEM; z++) {
        int r = zone_members(&zg, z);

        if (r != SIM_ENOMEM) {
            int added = add_zone_group(&zg, z);

            r = added == SIM_ENOMEM ? added : r | added;
        }
        rc = r == SIM_ENOMEM ? r : rc | r;
    }
    for (uint32_t id = 0; rc == 0 && id < n; id++)
        sim_entity_set_zone(sim, id, zg.zone_of[id]);
    free(zg.zone_of);
    free(zg.ids.ids);
    return rc == 0 || rc == SIM_ENOMEM ? rc : SIM_EINVAL;
}

/* ---- figures ----------------------------------------------------------- */

static void network_reset(struct sim *sim, void *state)
{
    struct network *net = state;

    (void)sim;
    net->n_local = 0;
    for (size_t i = 0; i < net->n_rules; i++) {
        net->rules[i].n_messages = net->rules[i].n_lost = 0;
        sim_tally_init(&net->rules[i].delay);
    }
}

static void report_rule(struct sim_report *rep, const char *scope,
                        uint64_t n_messages, uint64_t n_lost,
                        const struct sim_tally *delay)
{
    sim_report_add(rep, scope, "messages", "count", (double)n_messages);
    sim_report_add(rep, scope, "lost", "count", (double)n_lost);
    sim_report_add(rep, scope, "latency.mean", "s",
                   delay->n ? delay->mean : NAN);
}

/* Zone z (0-based): its members as written, and how many entities. */
static void report_zone(struct sim *sim, const struct network *net,
                        size_t z, struct sim_report *rep)
{
    const struct zone *zone = &net->zones[z];
    struct sim_report_list members;
    size_t n = 0, n_entities = sim_n_entities(sim);
    char key[96];

    for (uint32_t id = 0; id < n_entities; id++)
        n += sim_entity_zone(sim, id) == z + 1;
    sim_report_list_init(&members);
    for (unsigned m = 0; m < zone->n_members; m++)
        sim_report_list_add(&members, "%s", zone->members[m]);
    snprintf(key, sizeof key, "zone %s", zone->name);
    sim_report_setting(rep, "network", key, "%s%s (%zu %s)", members.text,
                       members.n_left_out > 0 ? " and more" : "", n,
                       n == 1 ? "entity" : "entities");
}

/* The default rule, ordering, the zones, then each link's rule. */
static void report_settings(struct sim *sim, const struct network *net,
                            struct sim_report *rep)
{
    char buf[256], key[160];

    sim_report_setting(rep, "network", "latency", "%s",
                       sim_dist_describe(net->rules[0].latency, buf,
                                         sizeof buf));
    sim_report_setting(rep, "network", "loss", "%.6g", net->rules[0].loss);
    sim_report_setting(rep, "network", "ordering", "%s",
                       net->is_fifo ? "fifo" : "unordered");
    for (size_t z = 0; z < net->n_zones; z++)
        report_zone(sim, net, z, rep);
    for (size_t i = 1; i < net->n_rules; i++) {
        const struct rule *r = &net->rules[i];

        snprintf(key, sizeof key, "latency %s", r->label);
        sim_report_setting(rep, "network", key, "%s",
                           sim_dist_describe(r->latency, buf, sizeof buf));
        snprintf(key, sizeof key, "loss %s", r->label);
        sim_report_setting(rep, "network", key, "%.6g", r->loss);
    }
}

/*
 * Totals under "network" (messages between entities, and those within
 * one, which cost nothing), then each rule under "network <label>".
 */
static void network_report(struct sim *sim, void *state,
                           struct sim_report *rep)
{
    const struct network *net = state;
    struct sim_tally all;
    uint64_t n_messages = 0, n_lost = 0;
    char scope[160];

    sim_tally_init(&all);
    for (size_t i = 0; i < net->n_rules; i++) {
        n_messages += net->rules[i].n_messages;
        n_lost += net->rules[i].n_lost;
        sim_tally_merge(&all, &net->rules[i].delay);
    }
    report_rule(rep, "network", n_messages, n_lost, &all);
    sim_report_add(rep, "network", "local", "count", (double)net->n_local);
    for (size_t i = 0; i < net->n_rules; i++) {
        snprintf(scope, sizeof scope, "network %s", net->rules[i].label);
        report_rule(rep, scope, net->rules[i].n_messages,
                    net->rules[i].n_lost, &net->rules[i].delay);
    }
    report_settings(sim, net, rep);
}

const struct sim_model_ops network_ops = {
    .section = "network",
    .kind = "network",
    .schema = &network_schema,
    .is_single = true,
    .init = network_init,
    .start = network_start,
    .reset = network_reset,
    .report = network_report,
    .destroy = network_destroy,
};
