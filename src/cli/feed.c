/*
 * feed.c - the CLI's read-then-sketch path (see feed.h): the input
 * layer's records as the steps of the library's pipeline. take asks the
 * input for the next record of a batch (at most --max-bytes of input a
 * batch, input_next_batch); work reads a deferred file and sketches it on
 * any thread; use hands the item to the command in input order.
 */
#define _POSIX_C_SOURCE 200809L
#include "feed.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output.h"

typedef struct run {
    const feed *f;
    const rp_corpus *corpus;   /* or NULL */
    feed_item *it;
    uint64_t bytes;      /* input in the batch being taken */
    int failed;          /* the input failed (reported) */
    int stopped;         /* use's nonzero value, or 0 */
} run;

static int take(void *ctx, size_t s, size_t k)
{
    run *r = ctx;
    feed_item *it = &r->it[s];
    memset(it, 0, sizeof *it);
    if (k == 0)
        r->bytes = 0;
    int got = input_next_batch(r->f->in, &it->r, &r->bytes);
    if (got < 0) {
        r->failed = 1;
        return RP_ELOAD;
    }
    return got;
}

static void work(void *ctx, size_t s)
{
    run *r = ctx;
    feed_item *it = &r->it[s];
    it->loaded = 1;
    if (!it->r.text)
        it->loaded = input_load(r->f->in, &it->r, it->why, sizeof it->why);
    if (it->loaded != 1)
        return;
    struct stat st;
    if (r->f->mtime && !it->r.where && stat(it->r.id, &st) == 0)
        it->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    it->err = r->corpus ? rp_corpus_doc_new(r->corpus, it->r.text, it->r.len, &it->doc)
                           : rp_doc_new(it->r.text, it->r.len, r->f->ro, &it->doc);
    if (it->doc && r->f->prepared)
        r->f->prepared(r->f->ctx, it);
    free(it->r.text);   /* read again when needed */
    it->r.text = NULL;
}

static int use(void *ctx, size_t s)
{
    run *r = ctx;
    r->stopped = r->f->use(r->f->ctx, &r->it[s]);
    return r->stopped;
}

static void done(void *ctx, size_t s)
{
    run *r = ctx;
    feed_item *it = &r->it[s];
    record_free(&it->r);
    rp_doc_free(it->doc);
    free(it->extra);
    memset(it, 0, sizeof *it);
}

int feed_run(const feed *f)
{
    return feed_run_corpus(f, NULL);
}

int feed_run_corpus(const feed *f, const rp_corpus *c)
{
    static const rp_pipeline_steps steps = {take, work, use, done};
    run r = {f, c, calloc(3 * f->batch, sizeof *r.it), 0, 0, 0};
    if (!r.it) {
        diag("out of memory");
        return -1;
    }
    int rc = rp_pipeline_run(f->threads, f->batch, &steps, &r);
    free(r.it);
    if (r.stopped)
        return r.stopped;
    if (r.failed)
        return -1;
    if (rc != RP_OK) {
        diag("%s", rp_strerror(rc));   /* out of memory */
        return -1;
    }
    return 0;
}

int feed_check(input *in, const feed_item *it, size_t *skipped)
{
    const char *where = record_where(&it->r);
    if (it->why[0])
        diag("%s: %s", safe(where), it->why);
    if (it->loaded < 0)
        return -1;
    if (it->loaded == 0) {
        *skipped += it->why[0] != 0;   /* --quiet-skip: not counted */
        return 0;
    }
    if (it->doc)
        return 1;
    if (it->err == RP_ENOMEM) {
        diag("%s: out of memory", safe(where));
        return -1;
    }
    if (!input_harmless(in, &it->r, it->err)) {
        diag("%s: skipped: %s", safe(where), rp_strerror(it->err));
        (*skipped)++;
    }
    return 0;
}
