/* SPDX-License-Identifier: MIT */
/*
 * outdir.c - atomic output directories. The temporary directory is a
 * hidden sibling of the target (same file system, so rename works); an
 * existing result is swapped out with renameat2(RENAME_EXCHANGE) and then
 * deleted, so at every instant the target path holds a whole result.
 * Temporary directories of runs that were killed are removed by the next
 * run to the same target.
 */
#define _GNU_SOURCE
#include "sim/outdir.h"

#include "sim/infile.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* mkdir -p of path. */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        buf[i] = path[i];
    }
    return 0;
}

static bool is_distsim_output(const char *dir)
{
    char *marker = path_join(dir, SIM_OUTDIR_MARKER);
    struct stat st;
    bool is_ours = marker != NULL && stat(marker, &st) == 0;

    free(marker);
    return is_ours;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int sim_outdir_remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Removes in dir the temporary directories ".<base>.tmp-PID" left by runs
 * that were killed: those whose process no longer exists.
 */
static void remove_stale(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char prefix[512];
    size_t n;

    if (d == NULL)
        return;
    n = (size_t)snprintf(prefix, sizeof prefix, ".%s.tmp-", base);
    while ((e = readdir(d)) != NULL) {
        char *end, *path;
        long pid;

        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        errno = 0;
        pid = strtol(e->d_name + n, &end, 10);
        if (errno != 0 || *end != '\0' || end == e->d_name + n || pid <= 0 ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        path = path_join(dir, e->d_name);
        if (path != NULL)
            sim_outdir_remove_tree(path);
        free(path);
    }
    closedir(d);
}

/* Creates the hidden temporary sibling of od->final. */
static int make_tmp(struct sim_outdir *od, struct sim_error *err)
{
    char *copy1 = strdup(od->final), *copy2 = strdup(od->final), *parent;
    char name[512];
    int rc = 0;

    if (copy1 == NULL || copy2 == NULL) {
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(name, sizeof name, ".%s.tmp-%ld", basename(copy1),
             (long)getpid());
    parent = dirname(copy2);
    remove_stale(parent, basename(copy1));
    od->tmp = path_join(parent, name);
    if (od->tmp == NULL) {
        rc = sim_error_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    sim_outdir_remove_tree(od->tmp);
    if (make_dirs(od->tmp) != 0)
        rc = sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s",
                           od->tmp, strerror(errno));
done:
    free(copy1);
    free(copy2);
    return rc;
}

/* Whether the directory real (a resolved path) is path or holds it. */
static bool holds_real(const char *real, const char *path)
{
    char *other = path != NULL ? realpath(path, NULL) : NULL;
    size_t n = strlen(real);
    bool is_held = other != NULL && strncmp(other, real, n) == 0 &&
                   (other[n] == '\0' || other[n] == '/' || n == 1);

    free(other);
    return is_held;
}

bool sim_outdir_holds(const char *dir, const char *path)
{
    char *real = realpath(dir, NULL);
    bool is_held = real != NULL && holds_real(real, path);

    free(real);
    return is_held;
}

/*
 * What is never replaced, whether an earlier output or asked to with
 * --force: anything but a directory (a file, a device, a link), and a
 * directory holding the working directory, the home directory or a file
 * the scenario reads. Returns 0 or SIM_EINVAL.
 */
static int check_replaceable(const char *dir, const struct stat *st,
                             struct sim_error *err)
{
    char *real, cwd[4096];
    int rc = 0;

    if (!S_ISDIR(st->st_mode))
        return sim_error_set(err, SIM_EINVAL, "\"%s\" exists and is not a "
                             "directory; distsim replaces only directories",
                             dir);
    real = realpath(dir, NULL);
    if (real == NULL)
        return sim_error_set(err, SIM_EIO, "cannot resolve \"%s\": %s", dir,
                             strerror(errno));
    if (holds_real(real, getcwd(cwd, sizeof cwd)) ||
        holds_real(real, getenv("HOME")))
        rc = sim_error_set(err, SIM_EINVAL, "\"%s\" holds the working or "
                           "the home directory; even --force will not "
                           "replace it", dir);
    else if (sim_infile_read_under(real))
        rc = sim_error_set(err, SIM_EINVAL, "\"%s\" holds a file the "
                           "scenario reads; even --force will not replace "
                           "it", dir);
    free(real);
    return rc;
}

int sim_outdir_begin(struct sim_outdir *od, const char *dir, bool force,
                     struct sim_error *err)
{
    struct stat st;

    memset(od, 0, sizeof *od);
    if (dir[0] == '\0')
        return sim_error_set(err, SIM_EINVAL, "the output directory name "
                             "is empty");
    od->final = strdup(dir);
    if (od->final == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    if (lstat(dir, &st) == 0) {
        if (!force && (!S_ISDIR(st.st_mode) || !is_distsim_output(dir)))
            return sim_error_set(err, SIM_EINVAL, "\"%s\" exists and is "
                                 "not a distsim output (use --force to "
                                 "replace it)", dir);
        if (check_replaceable(dir, &st, err) != 0)
            return err->code;
    }
    return make_tmp(od, err);
}

int sim_outdir_begin_kept(struct sim_outdir *od, const char *dir, bool force,
                          bool is_resume, struct sim_error *err)
{
    char *copy1, *copy2, name[512];
    int rc = sim_outdir_begin(od, dir, force, err);

    if (rc != 0)
        return rc;
    sim_outdir_remove_tree(od->tmp);
    free(od->tmp);
    od->tmp = NULL;
    od->is_kept = true;
    copy1 = strdup(dir);
    copy2 = strdup(dir);
    if (copy1 != NULL && copy2 != NULL) {
        snprintf(name, sizeof name, ".%s.partial", basename(copy1));
        od->tmp = path_join(dirname(copy2), name);
    }
    free(copy1);
    free(copy2);
    if (od->tmp == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    if (!is_resume)
        sim_outdir_remove_tree(od->tmp);
    if (make_dirs(od->tmp) != 0)
        return sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s",
                             od->tmp, strerror(errno));
    return 0;
}

const char *sim_outdir_path(const struct sim_outdir *od, const char *name,
                            char *buf, size_t n_buf)
{
    snprintf(buf, n_buf, "%s/%s", od->tmp, name);
    return buf;
}

static int write_marker(const struct sim_outdir *od)
{
    char path[4096];
    int fd;

    sim_outdir_path(od, SIM_OUTDIR_MARKER, path, sizeof path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    return close(fd);
}

int sim_outdir_commit(struct sim_outdir *od, struct sim_error *err)
{
    struct stat st;

    if (write_marker(od) != 0)
        return sim_error_set(err, SIM_EIO, "cannot write in \"%s\": %s",
                             od->tmp, strerror(errno));
    if (lstat(od->final, &st) != 0) {
        if (rename(od->tmp, od->final) != 0)
            return sim_error_set(err, SIM_EIO, "cannot create \"%s\": %s",
                                 od->final, strerror(errno));
        od->is_committed = true;
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return sim_error_set(err, SIM_EIO, "cannot replace \"%s\": it is "
                             "no longer a directory", od->final);
    /* After the exchange, tmp names the old result. */
    if (renameat2(AT_FDCWD, od->tmp, AT_FDCWD, od->final,
                  RENAME_EXCHANGE) != 0)
        return sim_error_set(err, SIM_EIO, "cannot replace \"%s\": %s",
                             od->final, strerror(errno));
    od->is_committed = true;
    sim_outdir_remove_tree(od->tmp);
    return 0;
}

void sim_outdir_release(struct sim_outdir *od)
{
    if (od->tmp != NULL && !od->is_committed && !od->is_kept)
        sim_outdir_remove_tree(od->tmp);
    free(od->tmp);
    free(od->final);
    memset(od, 0, sizeof *od);
}
