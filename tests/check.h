/* SPDX-License-Identifier: MIT */
/*
 * check.h - the assertion macros and runner shared by every test program.
 * A test is a void function; a failed CHECK prints file:line with both
 * values and ends that test only. check_main runs a list of tests in order
 * and ends with the line "N passed, N failed", exiting non-zero on failure.
 * Scratch files go under TEST_TMP (a directory of the build, made here),
 * so that suites running at once never share one.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef TEST_TMP
#define TEST_TMP "/tmp/"
#endif

struct check_test {
    const char *name;                   /* test_<module>__<behaviour> */
    void (*fn)(void);
};

#define CHECK_TEST(f) { #f, f }

extern jmp_buf check_jump;              /* where a failed check returns */
extern const char *check_skip_reason;   /* set by CHECK_SKIP */

#define CHECK_FAIL_(...)                                                  \
    do {                                                                  \
        printf("  %s:%d: ", __FILE__, __LINE__);                          \
        printf(__VA_ARGS__);                                              \
        printf("\n");                                                     \
        longjmp(check_jump, 1);                                           \
    } while (0)

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond))                                                      \
            CHECK_FAIL_("expected %s", #cond);                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                \
    do {                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);               \
        if (a_ != b_)                                                     \
            CHECK_FAIL_("%s == %s: got %lld, want %lld", #a, #b, a_, b_); \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                            \
            CHECK_FAIL_("%s == %s:\n    got  \"%s\"\n    want \"%s\"",    \
                        #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
    } while (0)

/* |a - b| <= tol, printing both values and the distance. */
#define CHECK_NEAR(a, b, tol)                                             \
    do {                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                            \
        if (!(fabs(a_ - b_) <= t_))                                       \
            CHECK_FAIL_("%s ~ %s: got %.9g, want %.9g (+-%.3g, off %.3g)",\
                        #a, #b, a_, b_, t_, fabs(a_ - b_));               \
    } while (0)

/* Ends the current test as skipped, saying why. */
#define CHECK_SKIP(reason)                                                \
    do {                                                                  \
        check_skip_reason = (reason);                                     \
        longjmp(check_jump, 2);                                           \
    } while (0)

int check_main(const struct check_test *tests, int n_tests);

/* Runs one test: 0 passed, 1 failed, 2 skipped. */
#define CHECK_RUN_ONE_                                                    \
    static int check_run_one(const struct check_test *t)                  \
    {                                                                     \
        int how = setjmp(check_jump);                                     \
        if (how != 0)                                                     \
            return how;                                                   \
        t->fn();                                                          \
        return 0;                                                         \
    }

#define CHECK_MAIN(...)                                                   \
    jmp_buf check_jump;                                                   \
    const char *check_skip_reason;                                        \
    CHECK_RUN_ONE_                                                        \
    int check_main(const struct check_test *tests, int n_tests)          \
    {                                                                     \
        int n[3] = {0, 0, 0};                                             \
        for (int i = 0; i < n_tests; i++) {                               \
            int how = check_run_one(&tests[i]);                           \
            n[how]++;                                                     \
            if (how == 0)                                                 \
                printf("ok   %s\n", tests[i].name);                       \
            else if (how == 2)                                            \
                printf("skip %s: %s\n", tests[i].name, check_skip_reason);\
            else                                                          \
                printf("FAIL %s\n", tests[i].name);                       \
            fflush(stdout);                                               \
        }                                                                 \
        if (n[2] > 0)                                                     \
            printf("%d skipped\n", n[2]);                                 \
        printf("%d passed, %d failed\n", n[0], n[1]);                     \
        return n[1] > 0;                                                  \
    }                                                                     \
    int main(void)                                                        \
    {                                                                     \
        static const struct check_test list_[] = {__VA_ARGS__};           \
        setvbuf(stdout, NULL, _IOLBF, 0);                                 \
        mkdir(TEST_TMP, 0755);                                            \
        return check_main(list_, (int)(sizeof list_ / sizeof list_[0]));  \
    }

#endif
