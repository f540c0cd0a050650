/*
 * stage_tasks.c - the work of `reprint dist`'s stages, as library calls
 * (rp_dist_* in reprint.h): a sketch task's file from its documents, a
 * bucket task's screened candidates for one LSH partition, a verify task's
 * exact verification of the candidates of its range of documents, and the
 * cluster stage's clusters. Each is the code `rp_corpus_run` runs (LSH
 * partition, screen, verification, furniture counts, clustering), fed from
 * the stage files (stage.h) of the other tasks, so that a staged run gives
 * scan's answer for any task and partition counts.
 *
 * The CLI keeps what is not the library's: walking the inputs, reading a
 * text back, the drivers (local processes or Slurm), printing.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "doc.h"
#include "lsh.h"
#include "options.h"
#include "reprint.h"
#include "stage.h"
#include "util.h"

/* Sections of a sketch file. */
enum { SK_META, SK_ENT, SK_V16, SK_IDS, SK_DF, SK_NSEC };
typedef struct sk_ent {
    uint32_t nsh, pad;
    uint64_t digest;
} sk_ent;
typedef struct df_ent {
    uint64_t line, count;
} df_ent;

/* Sections of a bucket file and of a verify file. */
enum { BK_META, BK_CAND, BK_INDEX, BK_NSEC };
enum { VF_META, VF_PAIRS, VF_LOST, VF_NSEC };
typedef struct vf_pair {
    uint64_t a, b, shared, similar;
    double jaccard, cab, cba, score;
} vf_pair;

/* Every sketch file of the run, read and checked. */
typedef struct sketches {
    rp_stage *s;           /* ntasks files */
    uint64_t *first;       /* ntasks + 1: global number of each's first doc */
    const char **id;       /* by global number: the id, in its file */
    uint64_t skipped;
} sketches;

/* Texts read again by document number, through the caller's loader. */
typedef struct loader {
    const sketches *sk;
    const uint64_t *docs;  /* local number -> global (NULL: the same) */
    rp_dist_load_fn fn;
    void *ctx;
} loader;

struct rp_dist {
    char *work;
    rp_options o;
    uint64_t fp;
    unsigned ntasks, nparts, K, bands, rows;
    char err[PATH_MAX + 256];
    rp_dist_stats st;
    rp_stage_w *w;         /* the sketch file being filled */
    uint64_t *lines;       /* its documents' line hashes */
    size_t nl, lcap;
    uint64_t ndocs;        /* its documents */
    uint16_t *v;           /* scratch: one document's 16-bit values */
    sketches csk;          /* rp_dist_cluster's, for its corpus's loader */
    loader cld;
    char *lost;            /* after rp_dist_cluster: by document */
    uint64_t nlost_docs;
};

static void sketches_free(sketches *sk, unsigned n);

__attribute__((format(printf, 2, 3)))
static int fail(rp_dist *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
    return 0;
}

static int oom(rp_dist *d)
{
    fail(d, "out of memory");
    return RP_ENOMEM;
}

int rp_dist_new(const char *work, const rp_options *o, uint64_t fingerprint,
                unsigned ntasks, unsigned nparts, rp_dist **out)
{
    *out = NULL;
    if (!work || !o || ntasks == 0 || nparts == 0 || rp_options_check(o) != RP_OK)
        return RP_EINVAL;
    rp_dist *d = calloc(1, sizeof *d);
    if (!d || !(d->work = strdup(work))) {
        free(d);
        return RP_ENOMEM;
    }
    d->o = *o;
    d->fp = fingerprint;
    d->ntasks = ntasks;
    d->nparts = nparts;
    d->K = o->hashes;
    d->bands = o->bands;
    d->rows = o->rows;
    if (!d->bands) {
        double t = o->lsh_threshold > 0 ? o->lsh_threshold : RP_DEFAULT_LSH_THRESHOLD;
        if (rp_lsh_params(o->hashes, t, &d->bands, &d->rows) != RP_OK) {
            rp_dist_free(d);
            return RP_EINVAL;
        }
    }
    *out = d;
    return RP_OK;
}

void rp_dist_free(rp_dist *d)
{
    if (!d)
        return;
    rp_stage_w_free(d->w);
    free(d->lines);
    free(d->v);
    sketches_free(&d->csk, d->ntasks);
    free(d->lost);
    free(d->work);
    free(d);
}

const char *rp_dist_errmsg(const rp_dist *d)
{
    return d && d->err[0] ? d->err : "no error";
}

void rp_dist_stats_get(const rp_dist *d, rp_dist_stats *st)
{
    *st = d->st;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

static int path_of(const rp_dist *d, const char *name, long task, char *buf, size_t n)
{
    int k = task >= 0 ? snprintf(buf, n, "%s/%s.%ld", d->work, name, task)
                      : snprintf(buf, n, "%s/%s", d->work, name);
    return k > 0 && (size_t)k < n ? 0 : -1;
}

/* Reads and checks a stage file of this run. @return RP_OK, or an RP_E*
 * code with the message in d->err. */
static int load_file(rp_dist *d, const char *name, long task, uint32_t kind, rp_stage *s)
{
    char p[PATH_MAX];
    const char *why;
    memset(s, 0, sizeof *s);
    if (path_of(d, name, task, p, sizeof p) < 0) {
        fail(d, "%s: path too long", d->work);
        return RP_EINVAL;
    }
    int rc = rp_stage_load(p, kind, s, &why);
    if (rc == RP_ELOAD) {
        fail(d, "%s: missing: %s (has its stage run?)", p, why);
        return RP_ENOTFOUND;
    }
    if (rc != RP_OK) {
        fail(d, "%s: %s", p, why);
        return rc;
    }
    if (s->fingerprint != d->fp) {
        fail(d, "%s: written by another run (other options or task counts)", p);
        rp_stage_clear(s);
        return RP_EINCOMPAT;
    }
    return RP_OK;
}

static int save_file(rp_dist *d, rp_stage_w *w, const char *name, long task)
{
    char p[PATH_MAX];
    if (path_of(d, name, task, p, sizeof p) < 0) {
        fail(d, "%s: path too long", d->work);
        return RP_EINVAL;
    }
    int rc = rp_stage_w_save(w, p);
    if (rc != RP_OK)
        fail(d, "%s: cannot write: %s", p, strerror(errno));
    return rc;
}

/* A section as an array of elem-byte records. @return RP_OK, or
 * RP_EFORMAT when its length is not a multiple of elem. */
static int sec_array(rp_dist *d, const rp_stage *s, const char *name, long task,
                     unsigned i, size_t elem, const void **p, size_t *n)
{
    size_t len;
    *p = rp_stage_sec(s, i, &len);
    if (!*p || len % elem) {
        char f[PATH_MAX];
        path_of(d, name, task, f, sizeof f);
        fail(d, "%s: damaged (section %u)", f, i);
        return RP_EFORMAT;
    }
    *n = len / elem;
    return RP_OK;
}

static int damaged(rp_dist *d, const char *name, long task, const char *what)
{
    char f[PATH_MAX];
    path_of(d, name, task, f, sizeof f);
    fail(d, "%s: damaged (%s)", f, what);
    return RP_EFORMAT;
}

/* ------------------------------------------------------------------ */
/* Sketch                                                               */
/* ------------------------------------------------------------------ */

int rp_dist_sketch_add(rp_dist *d, const char *id, const rp_doc *doc)
{
    if (!id || !doc || doc->K != d->K)
        return RP_EINVAL;
    if (!d->w) {
        d->v = malloc(d->K * sizeof *d->v);
        if (rp_stage_w_new(RP_STAGE_SKETCH, d->fp, 0, d->ntasks, SK_NSEC, &d->w) != RP_OK ||
            !d->v)
            return oom(d);
    }
    sk_ent e = {(uint32_t)doc->n, 0, doc->digest};
    for (unsigned k = 0; k < d->K; k++)
        d->v[k] = (uint16_t)doc->sig[k];
    if (rp_stage_w_put(d->w, SK_ENT, &e, sizeof e) ||
        rp_stage_w_put(d->w, SK_V16, d->v, d->K * sizeof *d->v) ||
        rp_stage_w_put(d->w, SK_IDS, id, strlen(id) + 1) ||
        rp_grow(&d->lines, &d->lcap, d->nl + doc->nlines + 1, sizeof *d->lines) < 0)
        return oom(d);
    memcpy(d->lines + d->nl, doc->lines, doc->nlines * sizeof *d->lines);
    d->nl += doc->nlines;
    d->ndocs++;
    return RP_OK;
}

int rp_dist_sketch_save(rp_dist *d, unsigned task, uint64_t skipped)
{
    if (task >= d->ntasks)
        return RP_EINVAL;
    if (!d->w && rp_stage_w_new(RP_STAGE_SKETCH, d->fp, 0, d->ntasks, SK_NSEC, &d->w) != RP_OK)
        return oom(d);
    rp_stage_w_set_task(d->w, task);
    /* exact line document frequencies of the shard: each document's lines
     * are distinct, so a line's count is its number of documents */
    rp_sort_u64(d->lines, d->nl);
    d->st.lines = 0;
    for (size_t i = 0; i < d->nl;) {
        size_t j = i + 1;
        while (j < d->nl && d->lines[j] == d->lines[i])
            j++;
        df_ent e = {d->lines[i], j - i};
        if (rp_stage_w_put(d->w, SK_DF, &e, sizeof e))
            return oom(d);
        d->st.lines++;
        i = j;
    }
    uint64_t meta[2] = {d->ndocs, skipped};
    if (rp_stage_w_put(d->w, SK_META, meta, sizeof meta))
        return oom(d);
    d->st.docs = d->ndocs;
    d->st.skipped = skipped;
    d->ndocs = 0;
    int rc = save_file(d, d->w, "sketch", task);
    rp_stage_w_free(d->w);
    d->w = NULL;
    d->nl = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reading the sketches                                                 */
/* ------------------------------------------------------------------ */

static void sketches_free(sketches *sk, unsigned n)
{
    for (unsigned i = 0; sk->s && i < n; i++)
        rp_stage_clear(&sk->s[i]);
    free(sk->s);
    free(sk->first);
    free(sk->id);
    memset(sk, 0, sizeof *sk);
}

static int load_sketches(rp_dist *d, sketches *sk)
{
    memset(sk, 0, sizeof *sk);
    sk->s = calloc(d->ntasks, sizeof *sk->s);
    sk->first = calloc(d->ntasks + 1, sizeof *sk->first);
    if (!sk->s || !sk->first)
        return oom(d);
    for (unsigned i = 0; i < d->ntasks; i++) {
        rp_stage *s = &sk->s[i];
        int rc = load_file(d, "sketch", i, RP_STAGE_SKETCH, s);
        if (rc != RP_OK)
            return rc;
        const uint64_t *meta;
        const void *p;
        const char *ids;
        size_t n = 0, ne = 0, nv = 0, nid = 0, ndf = 0;
        if ((rc = sec_array(d, s, "sketch", i, SK_META, sizeof *meta, (const void **)&meta, &n)) ||
            (rc = sec_array(d, s, "sketch", i, SK_ENT, sizeof(sk_ent), &p, &ne)) ||
            (rc = sec_array(d, s, "sketch", i, SK_V16, sizeof(uint16_t) * d->K, &p, &nv)) ||
            (rc = sec_array(d, s, "sketch", i, SK_IDS, 1, (const void **)&ids, &nid)) ||
            (rc = sec_array(d, s, "sketch", i, SK_DF, sizeof(df_ent), &p, &ndf)))
            return rc;
        size_t nz = 0;
        for (size_t k = 0; k < nid; k++)
            nz += ids[k] == 0;
        if (n != 2 || meta[0] != ne || nv != ne || nz != ne || (nid && ids[nid - 1]))
            return damaged(d, "sketch", i, "contents");
        sk->first[i + 1] = sk->first[i] + ne;
        sk->skipped += meta[1];
    }
    if (sk->first[d->ntasks] > UINT32_MAX) {
        fail(d, "dist: %llu documents: more than this version pairs (2^32)",
             (unsigned long long)sk->first[d->ntasks]);
        return RP_ETOOBIG;
    }
    sk->id = malloc((sk->first[d->ntasks] + 1) * sizeof *sk->id);
    if (!sk->id)
        return oom(d);
    for (unsigned i = 0; i < d->ntasks; i++) {
        size_t len;
        const char *ids = rp_stage_sec(&sk->s[i], SK_IDS, &len);
        for (uint64_t k = sk->first[i]; k < sk->first[i + 1]; k++) {
            sk->id[k] = ids;
            ids += strlen(ids) + 1;
        }
    }
    d->st.docs = sk->first[d->ntasks];
    d->st.skipped = sk->skipped;
    return RP_OK;
}

static const sk_ent *sk_ents(const sketches *sk, unsigned i)
{
    size_t len;
    return rp_stage_sec(&sk->s[i], SK_ENT, &len);
}

/* Adds every shard's exact line counts to the corpus's line document
 * frequencies. */
static void add_df(const rp_dist *d, const sketches *sk, rp_corpus *c)
{
    for (unsigned i = 0; i < d->ntasks; i++) {
        size_t len;
        const df_ent *e = rp_stage_sec(&sk->s[i], SK_DF, &len);
        for (size_t k = 0; k < len / sizeof *e; k++)
            rp_corpus_df_add(c, e[k].line, e[k].count);
    }
}

/* ------------------------------------------------------------------ */
/* Bucket: LSH partition I                                              */
/* ------------------------------------------------------------------ */

typedef struct screen_ctx {
    const uint16_t *v;
    const uint32_t *size;
    unsigned K;
    double t;
} screen_ctx;

static int keep_pair(const void *ctx, size_t a, size_t b)
{
    const screen_ctx *s = ctx;
    return rp_screen_values(s->v + a * s->K, s->v + b * s->K, s->K, s->size[a],
                            s->size[b], s->t);
}

/* @return the verify task of document a among n. */
static unsigned verify_task(uint64_t a, uint64_t n, unsigned ntasks)
{
    /* task t takes [n*t/N, n*(t+1)/N): the inverse of that split */
    unsigned t = (unsigned)((a * ntasks) / (n ? n : 1));
    while (t + 1 < ntasks && (n * (t + 1)) / ntasks <= a)
        t++;
    while (t > 0 && (n * t) / ntasks > a)
        t--;
    return t;
}

int rp_dist_bucket(rp_dist *d, unsigned part)
{
    sketches sk;
    uint16_t *v = NULL;
    uint32_t *size = NULL;
    uint64_t *cand = NULL, *index = NULL;
    rp_stage_w *w = NULL;
    if (part >= d->nparts)
        return RP_EINVAL;
    int rc = load_sketches(d, &sk);
    if (rc != RP_OK)
        goto out;
    uint64_t n = sk.first[d->ntasks];
    unsigned K = d->K;
    v = malloc((n ? n : 1) * K * sizeof *v);
    size = malloc((n ? n : 1) * sizeof *size);
    index = calloc(d->ntasks + 1, sizeof *index);
    if (!v || !size || !index)
        goto oom;
    for (unsigned i = 0; i < d->ntasks; i++) {
        size_t len;
        const void *p = rp_stage_sec(&sk.s[i], SK_V16, &len);
        if (len)
            memcpy(v + sk.first[i] * K, p, len);
        const sk_ent *e = sk_ents(&sk, i);
        for (uint64_t k = sk.first[i]; k < sk.first[i + 1]; k++)
            size[k] = e[k - sk.first[i]].nsh;
    }
    screen_ctx sc = {v, size, K, d->o.threshold};
    size_t refused = 0, capped = 0;
    long nc = rp_lsh_ensemble_part(v, size, (size_t)n, K, d->bands, d->rows, d->o.threshold,
                                   keep_pair, &sc, part, d->nparts, &refused, &capped, &cand);
    if (nc < 0)
        goto oom;
    size_t m = 0;
    for (size_t i = 0; i < (size_t)nc; i++)
        if (keep_pair(&sc, (size_t)(cand[i] >> 32), (size_t)(cand[i] & 0xFFFFFFFFu)))
            cand[m++] = cand[i];
    /* offset index: where each verify task's pairs start */
    for (size_t i = 0; i < m; i++)
        index[verify_task(cand[i] >> 32, n, d->ntasks) + 1]++;
    for (unsigned t = 0; t < d->ntasks; t++)
        index[t + 1] += index[t];
    uint64_t meta[3] = {m, capped, (uint64_t)nc + refused};
    if (rp_stage_w_new(RP_STAGE_BUCKET, d->fp, part, d->nparts, BK_NSEC, &w) != RP_OK ||
        rp_stage_w_put(w, BK_META, meta, sizeof meta) ||
        rp_stage_w_put(w, BK_CAND, cand, m * sizeof *cand) ||
        rp_stage_w_put(w, BK_INDEX, index, (d->ntasks + 1) * sizeof *index))
        goto oom;
    rc = save_file(d, w, "bucket", part);
    d->st.candidates = (uint64_t)nc + refused;
    d->st.kept = m;
    d->st.capped = capped;
    goto out;
oom:
    rc = oom(d);
out:
    sketches_free(&sk, d->ntasks);
    free(v);
    free(size);
    free(cand);
    free(index);
    rp_stage_w_free(w);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Verify: the candidates of documents in range I                       */
/* ------------------------------------------------------------------ */


static int load_text(void *ctx, size_t doc, char **text, size_t *len)
{
    const loader *l = ctx;
    uint64_t g = l->docs ? l->docs[doc] : doc;
    int rc = l->fn(l->ctx, l->sk->id[g], text, len);
    return rc == RP_OK || rc == RP_ENOMEM ? rc : RP_ELOAD;
}

/* @return the position of x in the sorted v[0..n) (x is there). */
static size_t lower_bound_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Reads the candidates of verify task `task` from every bucket file into
 * *cand (sorted, each once). @return RP_OK or an RP_E* code. */
static int read_candidates(rp_dist *d, unsigned task, uint64_t n, uint64_t **cand, size_t *ncand)
{
    size_t nc = 0, ccap = 0;
    int rc = RP_OK;
    *cand = NULL;
    for (unsigned p = 0; p < d->nparts && rc == RP_OK; p++) {
        rp_stage bk;
        const uint64_t *meta, *cd, *ix;
        size_t nm = 0, ncd = 0, nix = 0;
        if ((rc = load_file(d, "bucket", p, RP_STAGE_BUCKET, &bk)) != RP_OK)
            break;
        if ((rc = sec_array(d, &bk, "bucket", p, BK_META, 8, (const void **)&meta, &nm)) ||
            (rc = sec_array(d, &bk, "bucket", p, BK_CAND, 8, (const void **)&cd, &ncd)) ||
            (rc = sec_array(d, &bk, "bucket", p, BK_INDEX, 8, (const void **)&ix, &nix))) {
            rp_stage_clear(&bk);
            break;
        }
        int mono = nix == d->ntasks + 1 && ix[0] == 0;
        for (size_t k = 1; mono && k < nix; k++)
            mono = ix[k - 1] <= ix[k];
        if (nm != 3 || meta[0] != ncd || !mono || ix[d->ntasks] != ncd) {
            rc = damaged(d, "bucket", p, "contents");
        } else {
            size_t k = (size_t)(ix[task + 1] - ix[task]);
            if (rp_grow(cand, &ccap, nc + k + 1, sizeof **cand) < 0)
                rc = oom(d);
            for (size_t i = 0; rc == RP_OK && i < k; i++) {
                uint64_t x = cd[ix[task] + i];
                if ((x >> 32) >= (x & 0xFFFFFFFFu) || (x & 0xFFFFFFFFu) >= n)
                    rc = damaged(d, "bucket", p, "pair out of range");
                else
                    (*cand)[nc++] = x;
            }
        }
        rp_stage_clear(&bk);
    }
    if (rc != RP_OK) {
        free(*cand);
        *cand = NULL;
        return rc;
    }
    rp_sort_u64(*cand, nc);
    *ncand = rp_unique_u64(*cand, nc);
    return RP_OK;
}

int rp_dist_verify(rp_dist *d, unsigned task, rp_dist_load_fn fn, void *ctx)
{
    sketches sk;
    uint64_t *cand = NULL, *docs = NULL;
    size_t nc = 0, nd = 0;
    rp_corpus *c = NULL;
    rp_stage_w *w = NULL;
    if (task >= d->ntasks || !fn)
        return RP_EINVAL;
    int rc = load_sketches(d, &sk);
    if (rc != RP_OK)
        goto out;
    uint64_t n = sk.first[d->ntasks];
    if ((rc = read_candidates(d, task, n, &cand, &nc)) != RP_OK)
        goto out;
    /* the documents of these pairs, numbered locally in global order */
    docs = malloc((2 * nc + 1) * sizeof *docs);
    if (!docs)
        goto oom;
    for (size_t i = 0; i < nc; i++) {
        docs[nd++] = cand[i] >> 32;
        docs[nd++] = cand[i] & 0xFFFFFFFFu;
    }
    rp_sort_u64(docs, nd);
    nd = rp_unique_u64(docs, nd);
    loader ld = {&sk, docs, fn, ctx};
    if (rp_corpus_new(&d->o, &c) != RP_OK || rp_corpus_set_loader(c, load_text, &ld) != RP_OK)
        goto oom;
    add_df(d, &sk, c);
    for (size_t k = 0; k < nd; k++) {
        unsigned i = 0;
        while (i + 1 < d->ntasks && sk.first[i + 1] <= docs[k])
            i++;
        const sk_ent *e = &sk_ents(&sk, i)[docs[k] - sk.first[i]];
        if (rp_corpus_add_entry(c, NULL, e->nsh, e->digest) != RP_OK)
            goto oom;
    }
    for (size_t i = 0; i < nc; i++) {
        uint64_t la = lower_bound_u64(docs, nd, cand[i] >> 32);
        uint64_t lb = lower_bound_u64(docs, nd, cand[i] & 0xFFFFFFFFu);
        cand[i] = la << 32 | lb;
    }
    if ((rc = rp_corpus_verify_pairs(c, cand, nc)) != RP_OK) {
        fail(d, "dist: verify: %s", rp_strerror(rc));
        goto out;
    }
    if (rp_stage_w_new(RP_STAGE_VERIFY, d->fp, task, d->ntasks, VF_NSEC, &w) != RP_OK)
        goto oom;
    size_t np = rp_corpus_npairs(c), nlost = 0;
    for (size_t i = 0; i < np; i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        vf_pair q = {docs[p->a], docs[p->b], p->sim.shared, (uint64_t)p->sim.similar,
                     p->sim.jaccard, p->sim.containment_ab, p->sim.containment_ba,
                     p->sim.score};
        if (rp_stage_w_put(w, VF_PAIRS, &q, sizeof q))
            goto oom;
    }
    for (size_t k = 0; k < nd; k++)
        if (rp_corpus_lost(c, k) != RP_OK) {
            if (rp_stage_w_put(w, VF_LOST, &docs[k], sizeof docs[k]))
                goto oom;
            nlost++;
        }
    uint64_t meta[2] = {np, nlost};
    if (rp_stage_w_put(w, VF_META, meta, sizeof meta))
        goto oom;
    rc = save_file(d, w, "verify", task);
    d->st.candidates = nc;
    d->st.read = nd;
    d->st.similar = np;
    d->st.lost = nlost;
    goto out;
oom:
    rc = oom(d);
out:
    sketches_free(&sk, d->ntasks);
    rp_corpus_free(c);
    rp_stage_w_free(w);
    free(cand);
    free(docs);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Cluster                                                              */
/* ------------------------------------------------------------------ */

/* Adds the capped buckets of every bucket file to d->st.capped. */
static int count_capped(rp_dist *d)
{
    d->st.capped = 0;
    for (unsigned p = 0; p < d->nparts; p++) {
        rp_stage b;
        size_t nm = 0;
        const uint64_t *meta;
        int rc = load_file(d, "bucket", p, RP_STAGE_BUCKET, &b);
        if (rc == RP_OK &&
            (rc = sec_array(d, &b, "bucket", p, BK_META, 8, (const void **)&meta, &nm)) == RP_OK &&
            nm != 3)
            rc = damaged(d, "bucket", p, "contents");
        if (rc == RP_OK)
            d->st.capped += meta[1];
        rp_stage_clear(&b);
        if (rc != RP_OK)
            return rc;
    }
    return RP_OK;
}

/* Reads every verify file's pairs, in (a, b) order, into *out, and marks
 * their lost documents in d->lost. @return RP_OK or an RP_E* code. */
static int read_verified(rp_dist *d, uint64_t n, rp_pair **out, size_t *npairs)
{
    rp_pair *pairs = NULL;
    size_t np = 0, pcap = 0;
    int rc = RP_OK;
    for (unsigned t = 0; t < d->ntasks && rc == RP_OK; t++) {
        rp_stage vf;
        const vf_pair *q;
        const uint64_t *meta, *lo;
        size_t nq = 0, nm = 0, nl = 0;
        if ((rc = load_file(d, "verify", t, RP_STAGE_VERIFY, &vf)) != RP_OK)
            break;
        if ((rc = sec_array(d, &vf, "verify", t, VF_META, 8, (const void **)&meta, &nm)) ||
            (rc = sec_array(d, &vf, "verify", t, VF_PAIRS, sizeof *q, (const void **)&q, &nq)) ||
            (rc = sec_array(d, &vf, "verify", t, VF_LOST, 8, (const void **)&lo, &nl))) {
            rp_stage_clear(&vf);
            break;
        }
        if (nm != 2 || meta[0] != nq || meta[1] != nl)
            rc = damaged(d, "verify", t, "contents");
        else if (rp_grow(&pairs, &pcap, np + nq + 1, sizeof *pairs) < 0)
            rc = oom(d);
        for (size_t i = 0; rc == RP_OK && i < nq; i++) {
            if (q[i].a >= q[i].b || q[i].b >= n ||
                (np > 0 && (pairs[np - 1].a > q[i].a ||
                            (pairs[np - 1].a == q[i].a && pairs[np - 1].b >= q[i].b)))) {
                rc = damaged(d, "verify", t, "pairs out of order");
                break;
            }
            rp_sim s = {q[i].jaccard, q[i].cab, q[i].cba, q[i].score, (size_t)q[i].shared,
                        (int)q[i].similar};
            pairs[np++] = (rp_pair){(size_t)q[i].a, (size_t)q[i].b, s};
        }
        for (size_t i = 0; rc == RP_OK && i < nl; i++)
            if (lo[i] < n)
                d->lost[lo[i]] = 1;
        rp_stage_clear(&vf);
    }
    if (rc != RP_OK) {
        free(pairs);
        return rc;
    }
    *out = pairs;
    *npairs = np;
    return RP_OK;
}

int rp_dist_cluster(rp_dist *d, rp_dist_load_fn fn, void *ctx, rp_corpus **out)
{
    sketches *sk = &d->csk;
    rp_pair *pairs = NULL;
    size_t np = 0;
    rp_corpus *c = NULL;
    *out = NULL;
    if (!fn)
        return RP_EINVAL;
    sketches_free(sk, d->ntasks);
    int rc = load_sketches(d, sk);
    if (rc != RP_OK)
        goto out;
    uint64_t n = sk->first[d->ntasks];
    free(d->lost);
    if (!(d->lost = calloc(n ? n : 1, 1)))
        goto oom;
    if ((rc = count_capped(d)) != RP_OK || (rc = read_verified(d, n, &pairs, &np)) != RP_OK)
        goto out;
    d->cld = (loader){sk, NULL, fn, ctx};
    if (rp_corpus_new(&d->o, &c) != RP_OK || rp_corpus_set_loader(c, load_text, &d->cld) != RP_OK)
        goto oom;
    add_df(d, sk, c);
    for (uint64_t g = 0; g < n; g++) {
        unsigned i = 0;
        while (sk->first[i + 1] <= g)
            i++;
        const sk_ent *e = &sk_ents(sk, i)[g - sk->first[i]];
        int a = rp_corpus_add_entry(c, sk->id[g], e->nsh, e->digest);
        if (a == RP_EDUPID) {
            fail(d, "%s: id given twice in the sketches", sk->id[g]);
            rc = RP_EDUPID;
            goto out;
        }
        if (a != RP_OK)
            goto oom;
    }
    rc = rp_corpus_cluster_pairs(c, pairs, np);
    pairs = NULL;
    if (rc != RP_OK) {
        fail(d, "dist: cluster: %s", rp_strerror(rc));
        goto out;
    }
    d->nlost_docs = n;
    d->st.lost = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (rp_corpus_lost(c, (size_t)i) != RP_OK)
            d->lost[i] = 1;
        d->st.lost += d->lost[i];
    }
    d->st.similar = np;
    *out = c;
    c = NULL;
    goto out;
oom:
    rc = oom(d);
out:
    free(pairs);
    rp_corpus_free(c);
    return rc;
}

int rp_dist_lost(const rp_dist *d, uint64_t doc)
{
    return d->lost && doc < d->nlost_docs && d->lost[doc];
}
