/*
 * cliutil.c - the CLI's own small helpers (see cliutil.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "cliutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

int cli_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    void **pp = p, *np;
    if (need <= *cap)
        return 0;
    size_t ncap = need + need / 2 + 16;
    if (ncap < need || ncap > SIZE_MAX / elem || !(np = realloc(*pp, ncap * elem)))
        return -1;
    *pp = np;
    *cap = ncap;
    return 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
