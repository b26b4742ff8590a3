/* SPDX-License-Identifier: MIT */
/*
 * bench_lincheck.c - throughput of the linearizability checker on a random
 * linearizable register history of 10^5 operations over 1000 keys. Prints
 * the best of a few runs as one line, in operations checked per second.
 */
#include "models/lincheck.h"

#include <stdio.h>

#include "models/history.h"
#include "tests/gen_history.h"

#define N_RUNS 7

int main(void)
{
    struct gen_params p = {
        .seed = 11, .n_ops = 100000, .n_keys = 1000, .spread = 30,
        .p_unknown = 0.01,
    };
    struct history *h = gen_history(&p);
    double best_s = -1.0;

    for (int run = 0; run < N_RUNS; run++) {
        struct lincheck_result res;
        struct sim_error err = {0};

        if (lincheck_check(h, 60.0, &res, &err) != 0 ||
            res.verdict != LINCHECK_OK) {
            fprintf(stderr, "bench_lincheck: check failed: %s\n", err.msg);
            lincheck_result_release(&res);
            history_free(h);
            return 1;
        }
        if (best_s < 0 || res.elapsed_s < best_s)
            best_s = res.elapsed_s;
        lincheck_result_release(&res);
    }
    printf("lincheck: %.0f operations checked per second (10^5 ops, "
           "1000 keys)\n", (double)history_n_ops(h) / best_s);
    history_free(h);
    return 0;
}
