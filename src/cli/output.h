/*
 * output.h - printers for the CLI: JSON strings, terminal-safe names and
 * diagnostics in the form "reprint: SUBJECT: message"; and the two small
 * helpers every CLI module links with (a growable array, a clock).
 */
#ifndef RP_CLI_OUTPUT_H
#define RP_CLI_OUTPUT_H

#include <stdio.h>

#include "reprint.h"

#define PROG "reprint"

/* Prints "reprint: fmt...\n" to stderr. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Draws a one-line progress report on stderr, in place of the last one
 * ("\r"; on a terminal the rest of the line is erased). diag() and
 * progress_end() take the line away first. */
void progress_show(int tty, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_end(void);

/* Writes s as a JSON string literal (quoted). Control characters (C0
 * and C1) and bidi overrides are escaped as \uXXXX; bytes that are not
 * valid UTF-8 become U+FFFD. */
void json_string(FILE *f, const char *s);

/* Writes s[0..n) as a JSON string literal that is also safe inside an
 * HTML <script> element: as json_string, and besides '<', '>', '&', NUL
 * and U+2028/U+2029 are written as \u escapes, so the text can never
 * close the element or end a JavaScript line. Each invalid byte becomes
 * one U+FFFD. */
void json_string_html(FILE *f, const char *s, size_t n);

/* Writes s for a human: printable UTF-8 as is, control characters and
 * invalid bytes as C escapes (\n, \t, \x1b), bidi overrides as \u202e,
 * so a file name can never drive the terminal. */
void safe_string(FILE *f, const char *s);

/* Writes n bytes of article text for a human: line breaks and tabs as
 * they are ("\r\n" as "\n"), printable UTF-8 as is, other control
 * characters and invalid bytes as C escapes (\x1b, \xff), bidi
 * overrides as \u202e. */
void safe_text(FILE *f, const char *s, size_t n);

/* Returns s made safe as by safe_string, in a buffer of the calling
 * thread that its next call reuses (for diagnostics). */
const char *safe(const char *s);

/* Writes a number with up to 4 decimals, JSON-compatible. */
void json_number(FILE *f, double x);

/* Writes the similarity figures of s as JSON members, each after ", ":
 * "score", "jaccard", "containment_ab", "containment_ba" (scan --pairs,
 * index add --report and query), or with "score" last when score_last is
 * nonzero (diff --json). */
void json_sim(FILE *f, const rp_sim *s, int score_last);

/* Writes one cluster as a JSON line, the shape of scan --json and index
 * export: m[0..n) are its members, the representative first, and
 * m[n..n+nrel) its related documents (as rp_index_export passes them). */
void json_cluster(FILE *f, size_t cluster, const rp_index_member *m, size_t n, size_t nrel);

/* The tables of scan: clusters (one row per member with TSV and CSV) or
 * verified pairs, in one of the formats of --format, through one writer
 * so that the formats cannot drift apart. */
enum { OUT_HUMAN = 0, OUT_JSONL, OUT_JSON, OUT_TSV, OUT_CSV };

typedef struct out_table {
    FILE *f;
    int fmt;                     /* OUT_JSONL .. OUT_CSV */
    const char *const *fields;   /* --fields: names of the carried values */
    size_t nfields;
    size_t rows;                 /* written so far (internal) */
} out_table;

/* Parses the argument of --format. @return 0, or -1 (reported). */
int out_parse_format(const char *arg, int *fmt);

/* Starts a table of clusters (pairs = 0) or of pairs: the header row of
 * TSV and CSV, the '[' of a JSON array. */
void out_begin(out_table *t, int pairs);

/* Writes one cluster: m and n, nrel as for json_cluster; meta[j] (or
 * meta NULL) the NUL-separated raw JSON values of the fields of member j
 * (NULL: none), written under "fields" in JSON, as columns in TSV and CSV
 * (a string decoded, null empty). */
void out_cluster(out_table *t, size_t cluster, const rp_index_member *m, size_t n,
                 size_t nrel, const char *const *meta);

/* Writes one verified pair of documents a and b with their figures. */
void out_pair(out_table *t, const char *a, const char *b, const rp_sim *s,
              const char *meta_a, const char *meta_b);

/* Ends the table (the ']' of a JSON array). */
void out_end(out_table *t);


#endif
