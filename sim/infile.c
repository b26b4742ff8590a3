/* SPDX-License-Identifier: MIT */
/*
 * infile.c - opening scenario data files safely. The file is opened
 * without blocking (a FIFO with no writer would otherwise wait forever),
 * checked with fstat on the open descriptor (so what is checked is what
 * is read), and only then turned back to blocking reads. Every file
 * opened is remembered for the life of the process, so that an output
 * directory about to be replaced can be checked against them.
 */
#define _XOPEN_SOURCE 700
#include "sim/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char **opened;                   /* resolved paths of files read */
static size_t n_opened, cap_opened;

/* Remembers name's resolved path; a path that cannot be kept is skipped. */
static void remember(const char *name)
{
    char *real = realpath(name, NULL);

    if (real == NULL)
        return;
    if (n_opened == cap_opened) {
        size_t cap = cap_opened ? cap_opened * 2 : 16;
        char **grown = realloc(opened, cap * sizeof *grown);

        if (grown == NULL) {
            free(real);
            return;
        }
        opened = grown;
        cap_opened = cap;
    }
    opened[n_opened++] = real;
}

bool sim_infile_read_under(const char *dir)
{
    size_t n = strlen(dir);

    for (size_t i = 0; i < n_opened; i++)
        if (strncmp(opened[i], dir, n) == 0 &&
            (opened[i][n] == '/' || n == 1))
            return true;
    return false;
}

/* What a file that is not regular is, for the reason given. */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

/* "1 GiB", "16 MiB" or a byte count, whichever is exact. */
static void format_cap(uint64_t bytes, char *buf, size_t n_buf)
{
    if (bytes >= (1u << 30) && bytes % (1u << 30) == 0)
        snprintf(buf, n_buf, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(buf, n_buf, "%llu MiB", (unsigned long long)(bytes >> 20));
    else
        snprintf(buf, n_buf, "%llu bytes", (unsigned long long)bytes);
}

/* Checks the open descriptor; 0, or -1 with the reason in why. */
static int check_fd(int fd, uint64_t max_bytes, uint64_t *size, char *why,
                    size_t n_why)
{
    struct stat st;
    char cap[32];
    int flags;

    if (fstat(fd, &st) != 0) {
        snprintf(why, n_why, "%s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, n_why, "not a regular file (%s)", kind_of(st.st_mode));
        return -1;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        format_cap(max_bytes, cap, sizeof cap);
        snprintf(why, n_why, "larger than %s", cap);
        return -1;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        snprintf(why, n_why, "%s", strerror(errno));
        return -1;
    }
    if (size != NULL)
        *size = (uint64_t)st.st_size;
    return 0;
}

FILE *sim_infile_open(const char *name, uint64_t max_bytes, uint64_t *size,
                      char *why, size_t n_why)
{
    int fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f;

    if (fd < 0) {
        snprintf(why, n_why, "%s", strerror(errno));
        return NULL;
    }
    if (check_fd(fd, max_bytes, size, why, n_why) != 0) {
        close(fd);
        return NULL;
    }
    f = fdopen(fd, "rb");
    if (f == NULL) {
        snprintf(why, n_why, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    remember(name);
    return f;
}
