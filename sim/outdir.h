/* SPDX-License-Identifier: MIT */
/*
 * outdir.h - an output directory written atomically. Files go into a
 * hidden temporary sibling; committing swaps it into place in one rename,
 * so a crash or Ctrl-C never leaves a half-written result that looks
 * whole. Replacing a directory that is not a distsim output needs force.
 */
#ifndef SIM_OUTDIR_H
#define SIM_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"

#define SIM_OUTDIR_MARKER ".distsim-output"

struct sim_outdir {
    char *final;                        /* where the result will live */
    char *tmp;                          /* where it is being written */
    bool is_committed;
    bool is_kept;                       /* tmp holds work to resume */
};

/*
 * Prepares to write dir: checks that dir is absent, or is a distsim
 * output, or force is set; creates the temporary sibling. Returns 0,
 * SIM_EINVAL (dir exists and is not ours), or SIM_EIO.
 */
int sim_outdir_begin(struct sim_outdir *od, const char *dir, bool force,
                     struct sim_error *err);

/*
 * As sim_outdir_begin, for work that may be resumed: the temporary
 * directory has a fixed name (".<name>.partial" beside dir), is kept by
 * sim_outdir_release when not committed, and is emptied first unless
 * is_resume. Returns 0, SIM_EINVAL or SIM_EIO.
 */
int sim_outdir_begin_kept(struct sim_outdir *od, const char *dir, bool force,
                          bool is_resume, struct sim_error *err);

/* The path of file name inside the temporary directory, into buf. */
const char *sim_outdir_path(const struct sim_outdir *od, const char *name,
                            char *buf, size_t n_buf);

/*
 * Writes the marker and moves the result into place, replacing what was
 * there. Returns 0 or SIM_EIO.
 */
int sim_outdir_commit(struct sim_outdir *od, struct sim_error *err);

/* Removes the temporary directory if not committed; frees od's strings. */
void sim_outdir_release(struct sim_outdir *od);

/*
 * Whether the directory dir is path or holds it, both resolved (links
 * followed); false when either does not exist.
 */
bool sim_outdir_holds(const char *dir, const char *path);

/*
 * Removes a directory tree (no symlinks followed). Returns 0 or -1; used
 * also to clean scratch directories.
 */
int sim_outdir_remove_tree(const char *path);

#endif
