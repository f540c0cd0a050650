/*
 * keep.h - which member of a cluster is kept: the one rule of `dedup`
 * (the document it keeps) and of `scan --keep` (the representative it
 * names), so that the two never disagree.
 */
#ifndef RP_CLI_KEEP_H
#define RP_CLI_KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

enum { KEEP_REPRESENTATIVE = 0, KEEP_FIRST, KEEP_LONGEST, KEEP_EARLIEST };

/* What the rule knows of one document. */
typedef struct keep_doc {
    int64_t date;      /* milliseconds since 1970 (UTC), when has_date */
    uint32_t words;    /* words of its prepared text */
    uint8_t has_date;
    uint8_t prefer;    /* its id matches a --prefer GLOB */
} keep_doc;

/* Parses the argument of --keep. @return 0, or -1 (reported). */
int keep_parse(const char *arg, int *rule);

/* Reads a date from a raw JSON value: a string in ISO 8601 form
 * (2020-06-26, 2020-06-26T10:05:00Z, 2020-06-26 10:05:00.250+02:00, ...)
 * or a number of seconds since 1970 (milliseconds when above 1e11).
 * @return 0 with *ms, or -1 when it is no date. */
int keep_parse_date(const char *v, int64_t *ms);

/* @return nonzero when id matches one of the GLOBs (fnmatch(3), where '*'
 * also matches '/'), or has one that names no pattern as a folder
 * prefix ("wire" and "wire/" match "wire/a.txt"). */
int keep_prefer(char *const *globs, size_t n, const char *id);

/* Chooses the member of cluster i of c to keep. Among the members whose
 * prefer is set (all of them when none is), by rule:
 *   KEEP_FIRST           the first in input order;
 *   KEEP_LONGEST         the most words;
 *   KEEP_EARLIEST        the earliest date (documents without one last);
 *   KEEP_REPRESENTATIVE  the representative, or when it is not preferred,
 *                        the member that holds most of it.
 * Ties go to the first in input order. info is indexed by document.
 * @return the document index. */
size_t keep_choose(int rule, const rp_corpus *c, size_t i, const keep_doc *info);

#endif
