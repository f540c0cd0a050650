/*
 * cliutil.h - the CLI's own small helpers: growing an array and reading a
 * monotonic clock. The library keeps its own (src/util.h) private, so the
 * front end and the parsers it shares with the fuzz targets (jsonl.c) use
 * these instead.
 */
#ifndef RP_CLI_UTIL_H
#define RP_CLI_UTIL_H

#include <stddef.h>

/* Makes *p (an array of elem-byte items, *cap of them) hold at least need
 * items. @return 0, or -1 when out of memory (then *p and *cap are as
 * they were). */
int cli_grow(void *p, size_t *cap, size_t need, size_t elem);

/* @return seconds on a monotonic clock. */
double cli_now(void);

#endif
