/*
 * dedup.c - `reprint dedup`: the input minus its near-duplicates. It reads
 * and clusters exactly as `scan` does (scan_parse, scan_run: one option
 * table, one ingestion path), keeps one document per cluster (the one the
 * --keep rule names, keep_choose in keep.c, which scan --keep also
 * follows) and writes the kept documents in input
 * order: a record of standard input as it was read, byte for byte (the
 * input layer spools it, so memory stays bounded whatever the size of the
 * stream), a file as its path. --print-drop lists the others instead, as
 * jdupes -f does, and -0 ends each path with NUL. Anchors: datatrove's
 * MinhashDedupFilter, text-dedup's output dataset, jdupes, rmlint.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"
#include "keep.h"
#include "output.h"
#include "scan.h"

/* Writes a document's id, ended by a newline or (-0) a NUL. */
static void put_id(const scan_opts *so, const char *id)
{
    fputs(id, stdout);
    fputc(so->print0 ? '\0' : '\n', stdout);
}

/* --stats: per cluster size, the clusters, kept and dropped documents. */
static int print_counts(const scan_result *r)
{
    size_t nc = rp_corpus_nclusters(r->c), max = 1;
    for (size_t i = 0; i < nc; i++)
        if (rp_cluster_size(r->c, i) > max)
            max = rp_cluster_size(r->c, i);
    size_t *by = calloc(max + 1, sizeof *by);
    if (!by) {
        diag("out of memory");
        return -1;
    }
    for (size_t i = 0; i < nc; i++)
        by[rp_cluster_size(r->c, i)]++;
    size_t n = rp_corpus_size(r->c);
    fprintf(stderr, "reprint: dedup: %zu documents, %zu kept, %zu dropped\n", n, nc, n - nc);
    fprintf(stderr, "reprint: dedup: %8s %9s %9s %9s\n", "size", "clusters", "kept", "dropped");
    for (size_t k = 1; k <= max; k++)
        if (by[k])
            fprintf(stderr, "reprint: dedup: %8zu %9zu %9zu %9zu\n", k, by[k], by[k],
                    by[k] * (k - 1));
    free(by);
    return 0;
}

/* Writes the kept documents (or, with --print-drop, the others) in input
 * order. @return 0, or -1 (reported). */
static int write_output(const scan_opts *so, scan_result *r)
{
    size_t n = rp_corpus_size(r->c);
    unsigned char *kept = calloc(n ? n : 1, 1);
    if (!kept) {
        diag("out of memory");
        return -1;
    }
    for (size_t i = 0; i < rp_corpus_nclusters(r->c); i++)
        kept[keep_choose(so->keep, r->c, i, r->kd)] = 1;
    int rc = 0;
    for (size_t d = 0; d < n && rc == 0 && !ferror(stdout); d++) {
        if (so->print_drop) {
            if (!kept[d])
                put_id(so, rp_corpus_id(r->c, d));
            continue;
        }
        if (!kept[d])
            continue;
        if (!r->info[d].raw) {
            put_id(so, rp_corpus_id(r->c, d));
            continue;
        }
        char *raw;
        size_t len;
        int err = input_reload(r->in, r->info[d].raw, &raw, &len);
        if (err != RP_OK) {
            diag("%s: cannot read the record again: %s", safe(rp_corpus_id(r->c, d)),
                 rp_strerror(err));
            rc = -1;
            break;
        }
        fwrite(raw, 1, len, stdout);
        free(raw);
    }
    free(kept);
    return rc;
}

int cmd_dedup(int argc, char **argv)
{
    scan_opts so;
    int rc = scan_begin("dedup", "PATH...", argc, argv, &so);
    if (rc >= 0)
        return rc;
    so.io.raw = 1;
    so.choose_only = 1;
    scan_result r;
    int code = scan_run(&so, argv + optind, argc - optind, &r);
    if (code == EXIT_OK) {
        int bad = write_output(&so, &r) < 0;
        code = bad ? EXIT_TROUBLE : finish_output(r.skipped ? EXIT_SKIPPED : EXIT_OK);
        if (so.stats && print_counts(&r) == 0)
            scan_print_stats(&r);
    }
    scan_result_free(&r);
    scan_opts_free(&so);
    return code;
}
