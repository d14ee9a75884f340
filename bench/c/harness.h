/* The harness of the C benchmark programs (w1_c.c, w2_c.c), the same
 * protocol as the Rust ones (bench/src/lib.rs): `<program> <iterations>
 * [<warm-up>]` runs the warm-up iterations, then times `iterations` more and
 * prints the elapsed nanoseconds on one line; a failed check prints what
 * failed and exits with status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void fail(const char *what) {
    fprintf(stderr, "check failed: %s\n", what);
    exit(1);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Runs `iteration` as the command line says and prints the time; returns
 * main's exit status. */
static int run(int argc, char **argv, void (*iteration)(void)) {
    long long iterations = argc > 1 ? atoll(argv[1]) : 1000, warm_up = argc > 2 ? atoll(argv[2]) : 0;
    for (long long i = 0; i < warm_up; i++)
        iteration();
    long long start = now_ns();
    for (long long i = 0; i < iterations; i++)
        iteration();
    printf("%lld\n", now_ns() - start);
    return 0;
}
