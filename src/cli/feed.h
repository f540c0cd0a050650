/*
 * feed.h - the one read-then-sketch path of the CLI: records from the
 * input layer (input.h) are read and sketched on threads and handed to
 * the command in input order, through the library's pipeline
 * (rp_pipeline_run). `scan` (with report and dedup) adds them to a
 * corpus, `index add` and `index query` to the index; both report the
 * inputs that give no document the same way (feed_check).
 */
#ifndef RP_CLI_FEED_H
#define RP_CLI_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "reprint.h"

/* One record on its way through the feed. */
typedef struct feed_item {
    record r;          /* id, where; its text only while it is sketched */
    rp_doc *doc;       /* the sketch (the user may take it: set it NULL) */
    int loaded;        /* input_load: 1 read, 0 skipped, -1 out of memory */
    int err;           /* rp_doc_new's code when read and doc is NULL */
    char why[256];     /* input_load's message, or "" */
    int64_t mtime_ms;  /* feed.mtime: a file's modification time in
                          milliseconds since 1970; 0 none (a stream) */
    void *extra;       /* for feed.prepared to fill; freed with free() */
} feed_item;

typedef struct feed {
    input *in;
    const rp_options *ro;    /* options of the sketches */
    unsigned threads;        /* threads that read and sketch */
    size_t batch;            /* records a batch (1: each used as soon as
                                it is sketched, for feeds) */
    int mtime;               /* set mtime_ms of the items that are files */
    /* NULL, or called on any thread with a read item's text (it->r.text,
     * it->r.len) before it is freed, once the document is sketched. */
    void (*prepared)(void *ctx, feed_item *it);
    /* Uses an item, on the caller's thread, in input order.
     * @return 0, or nonzero to stop (feed_run returns it). */
    int (*use)(void *ctx, feed_item *it);
    void *ctx;
} feed;

/* Reads, sketches and uses every record of f->in.
 * @return 0, -1 on a fatal error of the input or out of memory
 *         (reported), or the nonzero value of f->use. */
int feed_run(const feed *f);

/* feed_run for documents that use adds to corpus c and to nothing else:
 * they are made with rp_corpus_doc_new (sketches when c reads its texts
 * again to verify). */
int feed_run_corpus(const feed *f, const rp_corpus *c);

/* Reports an item as every command does: its note (-v), or why it gives
 * no document. An empty document is harmless (input_harmless: summed up
 * by input_finish); other skips are reported and counted in *skipped.
 * @return 1 when the item has a document to use, 0 when it was skipped,
 *         -1 on a fatal error (out of memory; reported). */
int feed_check(input *in, const feed_item *it, size_t *skipped);

#endif
