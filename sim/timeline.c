/* SPDX-License-Identifier: MIT */
/*
 * timeline.c - pairing fault notes with their ends. A note of kind K is a
 * fault when K is a known fault word or some note is "K-end"; an end note
 * closes the open fault it names: of a matching kind, the one with the
 * same text if there is one, else the one opened first. Notes arrive in
 * time order, so windows come out ordered by their start.
 */
#include "sim/timeline.h"

#include <stdlib.h>
#include <string.h>

static const char *const fault_kinds[] = {
    "partition", "crash", "slow", "lossy", "skew", "degrade",
};

/* End words that do not spell their fault's name. */
static const char *const end_pairs[][2] = {
    {"heal", "partition"}, {"restart", "crash"}, {"restore", "slow"},
    {"restore", "lossy"}, {"restore", "degrade"}, {"recover", "crash"},
};

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* Whether end is "<kind>-end" or "<kind>_end". */
static bool is_suffixed_end(const char *end, const char *kind)
{
    size_t n = strlen(kind);

    return strncmp(end, kind, n) == 0 &&
           (strcmp(end + n, "-end") == 0 || strcmp(end + n, "_end") == 0);
}

/* Whether a note of kind end closes a fault of kind kind. */
static bool ends(const char *end, const char *kind)
{
    for (size_t i = 0; i < N_OF(end_pairs); i++)
        if (strcmp(end, end_pairs[i][0]) == 0 &&
            strcmp(kind, end_pairs[i][1]) == 0)
            return true;
    return is_suffixed_end(end, kind);
}

static bool is_end_word(const struct sim_report *rep, const char *kind)
{
    for (size_t i = 0; i < N_OF(end_pairs); i++)
        if (strcmp(kind, end_pairs[i][0]) == 0)
            return true;
    for (size_t i = 0; i < rep->n_notes; i++)
        if (strcmp(rep->notes[i].kind, kind) != 0 &&
            is_suffixed_end(kind, rep->notes[i].kind))
            return true;
    return false;
}

static bool is_fault_word(const struct sim_report *rep, const char *kind)
{
    for (size_t i = 0; i < N_OF(fault_kinds); i++)
        if (strcmp(kind, fault_kinds[i]) == 0)
            return true;
    for (size_t i = 0; i < rep->n_notes; i++)
        if (is_suffixed_end(rep->notes[i].kind, kind))
            return true;
    return false;
}

/* The open window that note closes, or NULL. */
static struct sim_timeline_window *closed_by(struct sim_timeline *t,
                                             const struct sim_note *note)
{
    struct sim_timeline_window *first = NULL;

    for (size_t i = 0; i < t->n_windows; i++) {
        struct sim_timeline_window *w = &t->windows[i];

        if (w->end_kind != NULL || !ends(note->kind, w->kind))
            continue;
        if (strcmp(w->text, note->text) == 0)
            return w;
        if (first == NULL)
            first = w;
    }
    return first;
}

/* Files one note as a fault, an end or an event. */
static void file_note(const struct sim_report *rep, const struct sim_note *n,
                      double run_end_s, struct sim_timeline *t)
{
    struct sim_timeline_window *w;

    if (is_fault_word(rep, n->kind)) {
        t->windows[t->n_windows++] = (struct sim_timeline_window){
            .start_s = n->t_s, .end_s = run_end_s, .kind = n->kind,
            .text = n->text,
        };
        return;
    }
    if (is_end_word(rep, n->kind) && (w = closed_by(t, n)) != NULL) {
        w->end_s = n->t_s;
        w->end_kind = n->kind;
        return;
    }
    t->events[t->n_events++] = n;
}

int sim_timeline_build(const struct sim_report *rep, double run_end_s,
                       struct sim_timeline *out, struct sim_error *err)
{
    size_t n = rep != NULL ? rep->n_notes : 0;

    memset(out, 0, sizeof *out);
    out->windows = calloc(n + 1, sizeof *out->windows);
    out->events = calloc(n + 1, sizeof *out->events);
    if (out->windows == NULL || out->events == NULL) {
        sim_timeline_release(out);
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        file_note(rep, &rep->notes[i], run_end_s, out);
    return 0;
}

void sim_timeline_release(struct sim_timeline *t)
{
    free(t->windows);
    free(t->events);
    memset(t, 0, sizeof *t);
}
