/* SPDX-License-Identifier: MIT */
/*
 * test_infile.c - opening the data files a scenario names: a regular file
 * opens with its size; a directory, a device, a FIFO without a writer and
 * a file over the cap are refused at once, each with its reason.
 */
#include "sim/infile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"

/* A fresh path under /tmp for this test (the caller removes it). */
static void temp_path(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, TEST_TMP "test_infile_%ld_%s", (long)getpid(), what);
}

static const char *why_not(const char *name, uint64_t max_bytes)
{
    static char why[160];
    FILE *f = sim_infile_open(name, max_bytes, NULL, why, sizeof why);

    if (f != NULL) {
        fclose(f);
        return "opened";
    }
    return why;
}

static void test_infile__a_regular_file_opens_with_its_size(void)
{
    char path[128], why[160], text[16] = "";
    uint64_t size = 0;
    FILE *f;

    temp_path(path, sizeof path, "regular");
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("1ms\n2ms\n", f);
    fclose(f);
    f = sim_infile_open(path, 8, &size, why, sizeof why);
    CHECK(f != NULL);
    CHECK_EQ_INT(size, 8);
    CHECK(fgets(text, sizeof text, f) != NULL);
    CHECK_EQ_STR(text, "1ms\n");
    fclose(f);
    CHECK_EQ_STR(why_not(path, 7), "larger than 7 bytes");
    unlink(path);
}

static void test_infile__what_is_not_a_regular_file_is_refused(void)
{
    CHECK_EQ_STR(why_not("/tmp", 1 << 20),
                 "not a regular file (a directory)");
    CHECK_EQ_STR(why_not("/dev/zero", (uint64_t)1 << 30),
                 "not a regular file (a device)");
    CHECK_EQ_STR(why_not("/nonexistent/values.txt", 1 << 20),
                 "No such file or directory");
}

static void test_infile__a_fifo_without_a_writer_is_refused_at_once(void)
{
    char path[128];

    temp_path(path, sizeof path, "fifo");
    unlink(path);
    CHECK_EQ_INT(mkfifo(path, 0600), 0);
    /* a blocking open would wait here forever for a writer */
    alarm(10);
    CHECK_EQ_STR(why_not(path, 1 << 20), "not a regular file (a FIFO)");
    alarm(0);
    unlink(path);
}

static void test_infile__caps_are_named_in_round_units(void)
{
    char path[128];
    FILE *f;

    temp_path(path, sizeof path, "big");
    f = fopen(path, "w");
    CHECK(f != NULL);
    CHECK_EQ_INT(ftruncate(fileno(f), ((off_t)1 << 20) + 1), 0);
    fclose(f);
    CHECK_EQ_STR(why_not(path, 1 << 20), "larger than 1 MiB");
    CHECK_EQ_STR(why_not(path, ((uint64_t)1 << 20) + 1), "opened");
    unlink(path);
}

CHECK_MAIN(CHECK_TEST(test_infile__a_regular_file_opens_with_its_size),
           CHECK_TEST(test_infile__what_is_not_a_regular_file_is_refused),
           CHECK_TEST(test_infile__a_fifo_without_a_writer_is_refused_at_once),
           CHECK_TEST(test_infile__caps_are_named_in_round_units))
