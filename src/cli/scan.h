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
#include "keep.h"
#include "reprint.h"

typedef struct scan_opts {
    rp_options *ro;        /* the similarity options (owned) */
    input_opts io;
    int json, pairs, stats;
    unsigned threads;
    const char *cmd;       /* "scan", "report" or "dedup": for messages and usage */
    const char *output;    /* report: -o FILE */
    int format;            /* --format (OUT_*), or OUT_HUMAN */
    unsigned long min_size;/* --min-size */
    int sort;              /* --sort: SORT_* */
    int keep;              /* --keep: KEEP_* */
    const char *date_field;/* --date-field */
    char **prefer;         /* --prefer GLOBs */
    size_t nprefer;
    char **fields;         /* --fields, split at commas (fields[0..nfields)
                              are shown; the date field may follow) */
    size_t nfields, nfields_in;
    char *fields_buf;
    int print_drop, print0;/* dedup: --print-drop, -0 */
    int choose_only;       /* dedup: the rule's choice is read with
                              keep_choose; no representative is renamed
                              (its figures are not needed) */
} scan_opts;

enum { SORT_INPUT = 0, SORT_SIZE, SORT_ID };

/* What scan_run keeps of each document besides its text: for the keep
 * rule, for dedup's output and for --fields. */
typedef struct doc_info {
    uint64_t raw;          /* input_reload ref of the record as read (dedup), 0: none */
    size_t meta;           /* offset of its field values in scan_result.meta + 1; 0: none */
} doc_info;

/* The result of scan_run: the clustered corpus and what is needed to read
 * its texts again. Owned by the caller; release with scan_result_free. */
typedef struct scan_result {
    rp_corpus *c;
    input *in;
    uint64_t *ref;         /* input ref of each document, by index */
    size_t n, cap;
    doc_info *info;        /* by index, as ref */
    keep_doc *kd;          /* by index: what the keep rule knows */
    size_t icap, kcap;
    char *meta;            /* the field values of the documents (NUL-separated) */
    size_t metalen, metacap;
    size_t skipped;        /* inputs reported and skipped */
    size_t undated;        /* scan_apply_keep: members of clusters without a date */
    double t0, t1, t2, t3; /* start, walk done, sketching done, run done */
} scan_result;

/* Parses the options of command so->cmd (set it first). For "report",
 * -o FILE is accepted and required; the options of the tables (--json,
 * --pairs, --format, --fields, --min-size, --sort) are refused by report
 * and dedup, dedup's own (--print-drop, -0) by scan and report.
 * @return 0, 1 when help was printed (exit 0), or -1 on a usage error
 *         (reported; the caller prints the short usage). The PATHs start
 *         at optind. */
int scan_parse(int argc, char **argv, scan_opts *so);

/* Starts command cmd (scan, report, dedup): zeroes *so and parses the
 * options with scan_parse. On --help or a usage error it prints what is
 * due (on an error, the short usage "reprint CMD [options] OPERANDS") and
 * frees so.
 * @return -1 when the command goes on (the PATHs start at optind; free so
 *         with scan_opts_free), else the exit code to return. */
int scan_begin(const char *cmd, const char *operands, int argc, char **argv, scan_opts *so);

/* Frees what scan_parse allocated. */
void scan_opts_free(scan_opts *so);

/* Reads, sketches and clusters the inputs paths[0..n) into r->c, then
 * names the member the --keep rule (keep.h) chooses in each cluster its
 * representative.
 * @return EXIT_OK, or EXIT_TROUBLE after reporting a fatal error. */
int scan_run(scan_opts *so, char **paths, int n, scan_result *r);

/* Fills *kd, what the --keep rule knows of the document doc made from
 * record r: its words, whether its id matches a --prefer GLOB, and with
 * --keep earliest its date (the --date-field value among r->meta, else
 * mtime_ms, a file's modification time in milliseconds; 0: none). */
void scan_keep_doc(const scan_opts *so, const record *r, const rp_doc *doc, int64_t mtime_ms,
                   keep_doc *kd);

/* Names the member the --keep rule chooses (from r->kd, by document) the
 * representative of each cluster of r->c, and counts in r->undated the
 * members of clusters that have no date. Shared by scan and dist.
 * @return 0, or -1 (reported). */
int scan_apply_keep(const scan_opts *so, scan_result *r);
/* Says, with --keep earliest, that `undated` articles in clusters have no
 * date (they count as the latest). */
void scan_note_undated(const scan_opts *so, size_t undated);

/* Gives back the text of document doc of r->c (the caller frees *text).
 * @return RP_OK or an RP_E* code (RP_ELOAD: the text cannot be had). */
int scan_text(scan_result *r, size_t doc, char **text, size_t *len);

/* @return the field values of document doc (NUL-separated), or NULL. */
const char *scan_meta(const scan_result *r, size_t doc);

/* The clusters to show, in --sort order, those under --min-size left
 * out: a malloc'd array of cluster indexes the caller frees, its length
 * in *n; NULL when out of memory (reported). */
size_t *scan_order(const scan_opts *so, const scan_result *r, size_t *n);

/* One cluster as the printers take it: m[0..n) its members, the
 * representative first, m[n..n+nrel) its related documents (`with`: the
 * member each matches); meta[j] the field values of m[j] (NUL-separated;
 * NULL: none), or meta NULL. Borrowed until the next call. */
typedef struct scan_cluster {
    const rp_index_member *m;
    size_t n, nrel;
    const char *const *meta;
    size_t index;          /* scan_source_new's: its cluster number in r->c */
} scan_cluster;

/* What the printers print: the clusters to show, in output order (after
 * --min-size and --sort), and the verified pairs in (a, b) order; from a
 * clustered corpus (scan_source_new) or from the files of dist's cluster
 * tasks, so that one printer serves both. */
typedef struct scan_source {
    void *ctx;
    size_t docs;                     /* articles */
    size_t multi, related, alone;    /* over every cluster: clusters of two or
                                        more, documents alone with related
                                        ones, documents alone */
    /* The next cluster to show (the first when restart is nonzero).
     * @return 1, 0 at the end, or -1 on an error (reported). */
    int (*cluster)(void *ctx, int restart, scan_cluster *out);
    /* The next verified pair: ids, figures, field values (or NULL).
     * @return 1, 0 at the end, or -1 on an error (reported). */
    int (*pair)(void *ctx, const char **a, const char **b, rp_sim *s, const char **meta_a,
                const char **meta_b);
} scan_source;

/* The clusters (in scan_order) and pairs of r as a scan_source; free with
 * scan_source_free. @return NULL when out of memory (reported). */
scan_source *scan_source_new(const scan_opts *so, const scan_result *r);
void scan_source_free(scan_source *src);

/* Prints src on stdout as so asks (--pairs, --json or --format, the human
 * listing); capped is rp_run_stats.capped, skipped the inputs skipped.
 * @return the exit code. */
int scan_print_source(const scan_opts *so, const scan_source *src, size_t capped,
                      size_t skipped);

/* Prints the result r of a run on stdout as so asks (--pairs, --json or
 * --format, the human listing); capped is rp_run_stats.capped. Shared by
 * scan and dist (which fills in only r->c and r->skipped).
 * @return the exit code. */
int scan_print(const scan_opts *so, const scan_result *r, size_t capped);

/* Prints the --stats lines on stderr. */
void scan_print_stats(const scan_result *r);

void scan_result_free(scan_result *r);

#endif
