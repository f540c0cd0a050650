/*
 * distout.c - the output of `reprint dist`: each cluster task writes its
 * clusters (in scan's output order: scan_order over its own corpus, whose
 * local numbers keep the global order) and its verified pairs as records
 * with an offset index into its file cluster.I; the output merges the
 * records of every cluster.I in scan's order (a heap over the files:
 * --sort size and id, then multi-member clusters first, each by smallest
 * document; pairs by (a, b)) and hands them to scan's own printer as a
 * scan_source, one record at a time, so that the bytes are scan's and the
 * memory holds one record of each file, never the whole output.
 */
#define _POSIX_C_SOURCE 200809L
#include "distout.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliutil.h"
#include "distrec.h"
#include "output.h"

/* @return the bytes of field values p (NULL: 0): so->nfields strings,
 * within the task's values, which end at end. */
static uint64_t meta_len(const scan_opts *so, const char *p, const char *end)
{
    const char *q = p;
    for (size_t k = 0; q && k < so->nfields && q < end; k++)
        q += strnlen(q, (size_t)(end - q)) + 1;
    return q ? (uint64_t)(q - p) : 0;
}

/* Appends offset x to section sec of w. @return 0 or -1. */
static int put_off(rp_stage_w *w, unsigned sec, uint64_t x)
{
    return rp_stage_w_put(w, sec, &x, sizeof x) == RP_OK ? 0 : -1;
}

/* Writes the clusters of sr (in scan_order) as records. @return 0 or -1. */
static int put_clusters(const scan_opts *so, const scan_result *sr, const uint64_t *gd,
                        rp_stage_w *w, uint64_t *meta)
{
    scan_source *src = scan_source_new(so, sr);
    uint64_t *mlen = NULL;
    size_t len = 0, mcap = 0;
    int bad = !src, got = 0;
    const char *mend = sr->meta ? sr->meta + sr->metalen : NULL;
    scan_cluster cl;
    if (!bad) {
        meta[CM_MULTI] = src->multi;
        meta[CM_RELATED] = src->related;
        meta[CM_ALONE] = src->alone;
        bad = put_off(w, CL_ROFF, 0);
    }
    for (int restart = 1; !bad && (got = src->cluster(src->ctx, restart, &cl)) > 0; restart = 0) {
        size_t ne = cl.n + cl.nrel, lo = SIZE_MAX;
        for (size_t j = 0; j < cl.n; j++) {
            size_t doc = rp_cluster_member(sr->c, cl.index, j)->doc;
            lo = doc < lo ? doc : lo;
        }
        if (cli_grow(&mlen, &mcap, ne, sizeof *mlen) < 0) {
            bad = 1;
            break;
        }
        for (size_t j = 0; j < ne; j++)
            mlen[j] = cl.meta && cl.meta[j] ? meta_len(so, cl.meta[j], mend) : 0;
        bad = distrec_put_cluster(w, CL_REC, &len, gd[lo], &cl, mlen) < 0 ||
              put_off(w, CL_ROFF, len) < 0;
        meta[CM_NREC]++;
    }
    if (bad && src)
        diag("out of memory");
    free(mlen);
    scan_source_free(src);
    return bad || got < 0 ? -1 : 0;
}

/* Writes the verified pairs of sr's corpus as records. @return 0 or -1. */
static int put_pairs(const scan_opts *so, const scan_result *sr, const uint64_t *gd,
                     rp_stage_w *w, uint64_t *meta)
{
    const rp_corpus *c = sr->c;
    const char *mend = sr->meta ? sr->meta + sr->metalen : NULL;
    size_t len = 0;
    int bad = put_off(w, CL_POFF, 0);
    for (size_t i = 0; i < rp_corpus_npairs(c) && !bad; i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        const char *ma = scan_meta(sr, p->a), *mb = scan_meta(sr, p->b);
        bad = distrec_put_pair(w, CL_PAIR, &len, gd[p->a], gd[p->b], rp_corpus_id(c, p->a),
                               rp_corpus_id(c, p->b), &p->sim, ma,
                               ma ? meta_len(so, ma, mend) : 0, mb,
                               mb ? meta_len(so, mb, mend) : 0) < 0 ||
              put_off(w, CL_POFF, len) < 0;
        meta[CM_NPAIR]++;
    }
    if (bad)
        diag("out of memory");
    return bad ? -1 : 0;
}

int distout_put(const scan_opts *so, const scan_result *sr, const uint64_t *gd,
                rp_stage_w *w, uint64_t *meta)
{
    if (put_clusters(so, sr, gd, w, meta) < 0 || (so->pairs && put_pairs(so, sr, gd, w, meta) < 0))
        return -1;
    return 0;
}

/* The output: the cluster tasks' files merged in scan's order, printed
 * as they are read (the records are mapped, one of each file decoded at
 * a time). */
typedef struct cursor {
    const uint8_t *rec;     /* the section */
    const uint64_t *off;    /* n + 1 offsets */
    size_t n, i;
    const uint8_t *at, *end;/* the record being read */
} cursor;

typedef struct merge {
    const scan_opts *so;
    const char *work;
    unsigned n;             /* files */
    cursor *cl, *pr;        /* ntasks each */
    unsigned *heap, nheap;
    int mode;               /* the heap holds: 1 cluster, 2 pair cursors */
    distrec_buf b;          /* the entries of the cluster handed out */
    int bad;
} merge;

/* Places cursor c on its record i. @return 1, or 0 past the last. */
static int cur_seek(cursor *c)
{
    if (c->i >= c->n)
        return 0;
    c->at = c->rec + c->off[c->i];
    c->end = c->rec + c->off[c->i + 1];
    return 1;
}

/* Compares the records under cursors x and y in output order: scan's
 * cluster order (multi-member clusters first, each by smallest document;
 * --sort size and id before it), or pairs in (a, b) order. */
static int cur_cmp(const merge *mg, unsigned x, unsigned y)
{
    int pairs = mg->mode == 2;
    const cursor *cx = pairs ? &mg->pr[x] : &mg->cl[x];
    const cursor *cy = pairs ? &mg->pr[y] : &mg->cl[y];
    uint64_t ax, bx, ay, by;
    const char *ix, *iy;
    distrec_key(cx->at, (size_t)(cx->end - cx->at), pairs, &ax, &bx, &ix);
    distrec_key(cy->at, (size_t)(cy->end - cy->at), pairs, &ay, &by, &iy);
    if (pairs)
        return ax != ay ? (ax < ay ? -1 : 1) : (bx > by) - (bx < by);
    if (mg->so->sort == SORT_SIZE && bx != by)
        return bx > by ? -1 : 1;
    if (mg->so->sort == SORT_ID) {
        int k = strcmp(ix, iy);
        if (k)
            return k;
    }
    int sx = bx < 2, sy = by < 2;
    if (sx != sy)
        return sx - sy;
    return (ax > ay) - (ax < ay);
}

static void heap_down(merge *mg, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, best = i;
        if (l < mg->nheap && cur_cmp(mg, mg->heap[l], mg->heap[best]) < 0)
            best = l;
        if (l + 1 < mg->nheap && cur_cmp(mg, mg->heap[l + 1], mg->heap[best]) < 0)
            best = l + 1;
        if (best == i)
            return;
        unsigned t = mg->heap[i];
        mg->heap[i] = mg->heap[best];
        mg->heap[best] = t;
        i = best;
    }
}

/* Starts the merge of the clusters (pairs = 0) or of the pairs. */
static void heap_start(merge *mg, int pairs)
{
    mg->mode = pairs ? 2 : 1;
    mg->nheap = 0;
    for (unsigned t = 0; t < mg->n; t++) {
        cursor *c = pairs ? &mg->pr[t] : &mg->cl[t];
        c->i = 0;
        if (cur_seek(c))
            mg->heap[mg->nheap++] = t;
    }
    for (unsigned i = mg->nheap / 2; i-- > 0;)
        heap_down(mg, i);
}

/* Copies into *out the cursor on the next record, and moves that cursor
 * on in the heap. @return 1, or 0 at the end. */
static int heap_next(merge *mg, cursor *out)
{
    if (!mg->nheap)
        return 0;
    unsigned t = mg->heap[0];
    cursor *c = mg->mode == 2 ? &mg->pr[t] : &mg->cl[t];
    *out = *c;
    c->i++;
    if (!cur_seek(c))
        mg->heap[0] = mg->heap[--mg->nheap];
    heap_down(mg, 0);
    return 1;
}

static int merge_fail(merge *mg)
{
    diag("%s/cluster.*: damaged (contents)", safe(mg->work));
    mg->bad = 1;
    return -1;
}

static int merge_cluster(void *ctx, int restart, scan_cluster *out)
{
    merge *mg = ctx;
    cursor c;
    if (restart || mg->mode != 1)
        heap_start(mg, 0);
    if (!heap_next(mg, &c))
        return 0;
    int rc = distrec_cluster(c.at, (size_t)(c.end - c.at), mg->so->nfields, &mg->b, out);
    if (rc == -2) {
        diag("out of memory");
        return -1;
    }
    return rc < 0 ? merge_fail(mg) : 1;
}

static int merge_pair(void *ctx, const char **a, const char **b, rp_sim *s, const char **ma,
                      const char **mb)
{
    merge *mg = ctx;
    cursor c;
    if (mg->mode != 2)
        heap_start(mg, 1);
    if (!heap_next(mg, &c))
        return 0;
    if (distrec_pair(c.at, (size_t)(c.end - c.at), mg->so->nfields, a, b, s, ma, mb) < 0)
        return merge_fail(mg);
    return 1;
}

/* Opens cursor c on sections rec, off of s, of n records. @return 0 or -1. */
static int cur_open(const rp_stage *s, unsigned rec, unsigned off, uint64_t n, cursor *c)
{
    size_t lr, lo;
    c->rec = rp_stage_sec(s, rec, &lr);
    c->off = rp_stage_sec(s, off, &lo);
    c->n = (size_t)n;
    if (lo != (n + 1) * 8 && !(n == 0 && lo == 0))
        return -1;
    if (n == 0)
        return 0;
    if (c->off[0] != 0 || c->off[n] != lr)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (c->off[i] > c->off[i + 1])
            return -1;
    return 0;
}

int distout_print(const scan_opts *so, rp_stage *const *s, unsigned n, const char *work)
{
    merge mg = {.so = so, .work = work, .n = n};
    scan_source src = {&mg, 0, 0, 0, 0, merge_cluster, merge_pair};
    uint64_t sum[CM_N] = {0};
    int code = EXIT_TROUBLE;
    mg.cl = calloc(n ? n : 1, sizeof *mg.cl);
    mg.pr = calloc(n ? n : 1, sizeof *mg.pr);
    mg.heap = calloc(n ? n : 1, sizeof *mg.heap);
    if (!mg.cl || !mg.pr || !mg.heap) {
        diag("out of memory");
        goto out;
    }
    for (unsigned t = 0; t < n; t++) {
        size_t ml;
        const uint64_t *meta = rp_stage_sec(s[t], CL_META, &ml);
        if (!meta || ml != sizeof sum ||
            cur_open(s[t], CL_REC, CL_ROFF, meta[CM_NREC], &mg.cl[t]) < 0 ||
            cur_open(s[t], CL_PAIR, CL_POFF, meta[CM_NPAIR], &mg.pr[t]) < 0) {
            diag("%s/cluster.%u: damaged (contents)", safe(work), t);
            goto out;
        }
        for (unsigned k = 0; k < CM_N; k++)
            sum[k] += meta[k];
    }
    src.docs = (size_t)sum[CM_DOCS];
    src.multi = (size_t)sum[CM_MULTI];
    src.related = (size_t)sum[CM_RELATED];
    src.alone = (size_t)sum[CM_ALONE];
    scan_note_undated(so, (size_t)sum[CM_UNDATED]);
    code = scan_print_source(so, &src, (size_t)sum[CM_CAPPED], (size_t)sum[CM_SKIPPED]);
    if (mg.bad)
        code = EXIT_TROUBLE;
out:
    free(mg.cl);
    free(mg.pr);
    free(mg.heap);
    distrec_buf_free(&mg.b);
    return code;
}
