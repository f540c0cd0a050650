/*
 * scan.h - the run of `reprint scan` as a reusable step: its option table
 * and parser, and the ingestion and clustering of the inputs into an
 * rp_corpus. `scan` prints the result; `report` writes it as HTML. One
 * copy of the options and of the ingestion path serves both.
 */
#ifndef RP_CLI_SCAN_H
#define RP_CLI_SCAN_H

#include <stdint.h>
#include <stdio.h>

#include "input.h"
#include "reprint.h"

typedef struct scan_opts {
    rp_options *ro;        /* the similarity options (owned) */
    input_opts io;
    int json, pairs, stats;
    unsigned threads;
    const char *cmd;       /* "scan" or "report": for messages and usage */
    const char *output;    /* report: -o FILE */
} scan_opts;

/* The result of scan_run: the clustered corpus and what is needed to read
 * its texts again. Owned by the caller; release with scan_result_free. */
typedef struct scan_result {
    rp_corpus *c;
    input *in;
    uint64_t *ref;         /* input ref of each document, by index */
    size_t n, cap;
    size_t skipped;        /* inputs reported and skipped */
    double t0, t1, t2, t3; /* start, walk done, sketching done, run done */
} scan_result;

/* Parses the options of command so->cmd (set it first). For "report",
 * -o FILE is accepted and required, --json and --pairs are refused.
 * @return 0, 1 when help was printed (exit 0), or -1 on a usage error
 *         (reported; the caller prints the short usage). The PATHs start
 *         at optind. */
int scan_parse(int argc, char **argv, scan_opts *so);

/* Frees what scan_parse allocated. */
void scan_opts_free(scan_opts *so);

/* Reads, sketches and clusters the inputs paths[0..n) into r->c.
 * @return EXIT_OK, or EXIT_TROUBLE after reporting a fatal error. */
int scan_run(scan_opts *so, char **paths, int n, scan_result *r);

/* Gives back the text of document doc of r->c (the caller frees *text).
 * @return RP_OK or an RP_E* code (RP_ELOAD: the text cannot be had). */
int scan_text(scan_result *r, size_t doc, char **text, size_t *len);

/* Prints the result of a run on stdout as so asks (--pairs, --json or
 * the human listing); capped is rp_run_stats.capped, skipped the inputs
 * reported and skipped. Shared by scan and dist. @return the exit code. */
int scan_print(const scan_opts *so, const rp_corpus *c, size_t capped, size_t skipped);

/* Prints the --stats lines on stderr. */
void scan_print_stats(const scan_result *r);

void scan_result_free(scan_result *r);

#endif
