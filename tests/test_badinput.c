/* SPDX-License-Identifier: MIT */
/*
 * test_badinput.c - the corpus of bad scenarios in tests/bad/. For each
 * NAME.yaml (with extra arguments from NAME.args, one per line, if there
 * is one) the program must print exactly NAME.expected on standard error,
 * nothing on standard output, exit with code 2, and, when asked to run,
 * write no output directory at all.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/check.h"
#include "tests/spawn.h"

#define CORPUS "tests/bad"
#define MAX_ARGS 32

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads NAME.args into args (after the fixed ones); returns the count. */
static size_t read_args(const char *stem, const char **args, size_t at)
{
    char path[512], line[512];
    FILE *f;

    snprintf(path, sizeof path, "%s.args", stem);
    f = fopen(path, "r");
    if (f == NULL)
        return at;
    while (at < MAX_ARGS - 1 && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        args[at++] = strdup(line);
    }
    fclose(f);
    return at;
}

static int check_one(const char *stem)
{
    const char *args[MAX_ARGS] = {"validate"};
    char file[512], expected_path[512], out_dir[] = TEST_TMP "distsim-bad-out";
    struct spawn_out o;
    char *expected;
    struct stat st;
    size_t n;
    int is_ok;

    snprintf(file, sizeof file, "%s.yaml", stem);
    snprintf(expected_path, sizeof expected_path, "%s.expected", stem);
    args[1] = file;
    n = read_args(stem, args, 2);
    expected = spawn_read_file(expected_path, NULL);
    spawn_distsim(args, &o);
    is_ok = expected != NULL && strcmp(o.err, expected) == 0 &&
            o.out[0] == '\0' && o.status == 2;
    if (!is_ok)
        printf("  %s: exit %d\n  got:\n%s  want:\n%s", file, o.status, o.err,
               expected ? expected : "(no .expected file)\n");
    spawn_release(&o);
    /* The same through run: same words, and nothing written. */
    args[0] = "run";
    args[n++] = "-o";
    args[n++] = out_dir;
    args[n] = NULL;
    spawn_distsim(args, &o);
    if (expected == NULL || strcmp(o.err, expected) != 0 || o.status != 2 ||
        stat(out_dir, &st) == 0) {
        printf("  %s: run differs from validate or wrote output\n", file);
        is_ok = 0;
    }
    spawn_release(&o);
    free(expected);
    for (size_t i = 2; i < n - 2; i++)
        free((char *)args[i]);
    return is_ok;
}

static void test_badinput__every_case_gives_its_exact_message(void)
{
    DIR *d = opendir(CORPUS);
    struct dirent *e;
    char *stems[256];
    size_t n = 0, n_bad = 0;

    CHECK(d != NULL);
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        char stem[512];

        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        snprintf(stem, sizeof stem, "%s/%.*s", CORPUS, (int)(len - 5),
                 e->d_name);
        stems[n++] = strdup(stem);
    }
    closedir(d);
    qsort(stems, n, sizeof *stems, cmp_str);
    for (size_t i = 0; i < n; i++) {
        n_bad += !check_one(stems[i]);
        free(stems[i]);
    }
    printf("  %zu bad scenarios checked\n", n);
    CHECK(n >= 20);
    CHECK_EQ_INT(n_bad, 0);
}

CHECK_MAIN(CHECK_TEST(test_badinput__every_case_gives_its_exact_message))
