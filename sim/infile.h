/* SPDX-License-Identifier: MIT */
/*
 * infile.h - opening the data files a scenario names (traces, files of
 * values). Only a regular file no larger than a cap is opened, and opening
 * never blocks: a FIFO, a device such as /dev/zero or a directory is
 * refused with a reason instead of hanging or reading without end.
 */
#ifndef SIM_INFILE_H
#define SIM_INFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Opens name for reading in binary mode when it is a regular file of at
 * most max_bytes; its size goes to *size (may be NULL). Returns the
 * stream (the caller closes it), or NULL with the reason in why, such as
 * "not a regular file (a directory)" or "larger than 1 GiB".
 */
FILE *sim_infile_open(const char *name, uint64_t max_bytes, uint64_t *size,
                      char *why, size_t n_why);

/*
 * Whether a file opened by sim_infile_open in this process lies inside
 * dir (a resolved path, as realpath gives).
 */
bool sim_infile_read_under(const char *dir);

#endif
