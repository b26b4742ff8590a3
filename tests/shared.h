/* SPDX-License-Identifier: MIT */
/*
 * shared.h - where tests find the histories of ../shared/data (or of
 * $DISTSIM_SHARED/data), so that those that need them can skip, saying
 * why, when they are absent.
 */
#ifndef TESTS_SHARED_H
#define TESTS_SHARED_H

#include <stdio.h>
#include <stdlib.h>

/* The shared histories folder, or NULL (with a reason in why) if absent. */
static inline const char *shared_histories(char *why, size_t n_why)
{
    static char dir[1024];
    const char *root = getenv("DISTSIM_SHARED");
    char path[1100];
    FILE *f;

    snprintf(dir, sizeof dir, "%s/data/histories",
             root != NULL && *root != '\0' ? root : "../shared");
    snprintf(path, sizeof path, "%s/verdicts.tsv", dir);
    snprintf(why, n_why, "../shared/data absent: no %s", path);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    fclose(f);
    return dir;
}

#endif
