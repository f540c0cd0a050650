/*
 * stage_tasks.c - the work of `reprint dist`'s stages, as library calls
 * (rp_dist_* in reprint.h): a sketch task's file from its documents, a
 * bucket task's screened candidates for one LSH partition, a verify task's
 * exact verification of the candidates of its range of documents, the
 * connected components of the verified pairs dealt to the cluster tasks,
 * and a cluster task's clusters. Each is the code `rp_corpus_run` runs (LSH
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
#include <xxhash.h>

#include "corpus.h"
#include "doc.h"
#include "lsh.h"
#include "options.h"
#include "reprint.h"
#include "stage.h"
#include "uf.h"
#include "util.h"

/* Sections of a sketch file: META {documents, skipped, smallest and
 * largest set size}; per document ENT, V16 (K values), IDOFF (where its id
 * starts in IDS); the shard's exact line counts DF (line counts, below),
 * sorted, and DIDX: P + 1 offsets in DF, one slice a line partition, then
 * P checksums of the slices; its band keys and 1-row values KEYS
 * (rp_lsh_entry, document numbers local to the shard), sorted by
 * (partition, band, key, document), and KIDX: P + 1 offsets in KEYS, one
 * slice a partition, then P XXH3-64 checksums of the slices. */
enum { SK_META, SK_ENT, SK_V16, SK_IDS, SK_IDOFF, SK_DF, SK_KEYS, SK_KIDX, SK_DIDX, SK_NSEC };
typedef struct sk_ent {
    uint32_t nsh, pad;
    uint64_t digest;
} sk_ent;

/* A line count, as the sketch and lines files hold it and as scan's table
 * (corpus.c) keys it: the top 56 bits of the line's 64-bit hash, and in
 * the low 8 bits its number of documents, saturating at 255. Lines that
 * share their top 56 bits share a count, in scan as here. A line's
 * partition (the lines task that sums it) is taken from its top 32 bits,
 * so that a sorted run of counts falls into partitions in order. */
#define LC_KEY(x) ((x) & ~(uint64_t)0xFF)
#define LC_COUNT(x) ((unsigned)((x) & 0xFF))

static unsigned line_part(uint64_t line, unsigned nparts)
{
    return (unsigned)(((line >> 32) * nparts) >> 32);
}

/* Sums sorted line counts v[0..n) of the same key, saturating at 255, in
 * place. @return the counts left. */
static size_t lc_merge(uint64_t *v, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && LC_KEY(v[w - 1]) == LC_KEY(v[i])) {
            unsigned s = LC_COUNT(v[w - 1]) + LC_COUNT(v[i]);
            v[w - 1] = LC_KEY(v[i]) | (s < UINT8_MAX ? s : UINT8_MAX);
        } else {
            v[w++] = v[i];
        }
    }
    return w;
}

/* Sections of a lines file: META {lines held by 2 documents or more,
 * distinct lines of the partition, counts read}; TAB the line counts of
 * the partition's lines held by 2 documents or more, sorted. */
enum { LN_META, LN_TAB, LN_NSEC };

/* Sections of a bucket file and of a verify file. */
enum { BK_META, BK_CAND, BK_INDEX, BK_NSEC };
enum { VF_META, VF_PAIRS, VF_LOST, VF_NSEC };
typedef struct vf_pair {
    uint64_t a, b, shared, similar;
    double jaccard, cab, cba, score;
} vf_pair;

/* One sketch file, opened: its sections, mapped (a task touches only
 * the pages it reads). */
typedef struct shard {
    rp_stage s;
    const sk_ent *ent;
    const uint16_t *v16;
    const char *ids;
    size_t idlen;
    const uint64_t *idoff;
    const uint64_t *df;
    size_t ndf;
    const uint64_t *didx;
    const rp_lsh_entry *keys;
    size_t nkeys;
    const uint64_t *kidx;
} shard;

/* Every sketch file of the run, opened and checked (header, table and
 * section sizes; a section's checksum when a stage reads it whole). */
typedef struct sketches {
    shard *sh;             /* ntasks files */
    uint64_t *first;       /* ntasks + 1: global number of each's first doc */
    uint64_t skipped;
    uint32_t smin, smax;   /* set sizes over the run (0 counted as 1) */
} sketches;

/* A sketch task's band key, with its partition. */
typedef struct part_entry {
    uint32_t part;
    rp_lsh_entry e;
} part_entry;

/* The lines files of the run, opened: partition p's counts. */
typedef struct line_tabs {
    rp_stage *s;           /* nparts files */
    const uint64_t **tab;
    size_t *n;
    unsigned nparts;
} line_tabs;

/* Texts read again by document number, through the caller's loader. */
typedef struct loader {
    const rp_dist *d;
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
    uint32_t smin, smax;   /* their set sizes (0 counted as 1) */
    part_entry *pe;        /* their band keys and 1-row values */
    size_t npe, pecap;
    rp_lsh_entry *de;      /* scratch: one document's */
    double *ratio;         /* rp_lsh_ratios of the run */
    uint16_t *v;           /* scratch: one document's 16-bit values */
    sketches csk;          /* rp_dist_cluster_task's, for its corpus's loader */
    line_tabs clt;         /* and its line counts */
    loader cld;
    char *lost;            /* after rp_dist_cluster_task: by local document */
    uint64_t nlost_docs;
    uint64_t *cdocs;       /* its documents, local number -> global */
    size_t ncdocs;
};

static void sketches_free(sketches *sk, unsigned n);
static void line_tabs_free(line_tabs *lt);

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
    d->ratio = malloc(d->K * sizeof *d->ratio);
    if (!d->ratio) {
        rp_dist_free(d);
        return RP_ENOMEM;
    }
    if (rp_lsh_ratios(o->threshold, d->K, d->bands, d->rows, d->ratio) != RP_OK) {
        rp_dist_free(d);
        return RP_EINVAL;
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
    free(d->pe);
    free(d->de);
    free(d->ratio);
    free(d->v);
    sketches_free(&d->csk, d->ntasks);
    line_tabs_free(&d->clt);
    free(d->lost);
    free(d->cdocs);
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
    if (d->ndocs >= UINT32_MAX)
        return RP_ETOOBIG;
    if (!d->v && !(d->v = malloc(d->K * sizeof *d->v)))
        return oom(d);
    if (!d->de && !(d->de = malloc((d->bands + d->K) * sizeof *d->de)))
        return oom(d);
    if (!d->w) {
        if (rp_stage_w_new(RP_STAGE_SKETCH, d->fp, 0, d->ntasks, SK_NSEC, &d->w) != RP_OK)
            return oom(d);
        d->smin = UINT32_MAX;
        d->smax = 0;
    }
    sk_ent e = {(uint32_t)doc->n, 0, doc->digest};
    for (unsigned k = 0; k < d->K; k++)
        d->v[k] = (uint16_t)doc->sig[k];
    size_t ids_len;
    rp_stage_w_len(d->w, SK_IDS, &ids_len);
    uint64_t off = ids_len;
    size_t ne = rp_lsh_doc_entries(d->v, d->K, d->bands, d->rows, d->ratio,
                                   (uint32_t)d->ndocs, e.nsh, d->de);
    if (rp_stage_w_put(d->w, SK_ENT, &e, sizeof e) ||
        rp_stage_w_put(d->w, SK_V16, d->v, d->K * sizeof *d->v) ||
        rp_stage_w_put(d->w, SK_IDS, id, strlen(id) + 1) ||
        rp_stage_w_put(d->w, SK_IDOFF, &off, sizeof off) ||
        rp_grow(&d->lines, &d->lcap, d->nl + doc->nlines + 1, sizeof *d->lines) < 0 ||
        rp_grow(&d->pe, &d->pecap, d->npe + ne, sizeof *d->pe) < 0)
        return oom(d);
    memcpy(d->lines + d->nl, doc->lines, doc->nlines * sizeof *d->lines);
    d->nl += doc->nlines;
    for (size_t k = 0; k < ne; k++)
        d->pe[d->npe++] = (part_entry){rp_lsh_part(d->de[k].band, d->de[k].key, d->nparts),
                                       d->de[k]};
    uint32_t z = e.nsh ? e.nsh : 1;
    d->smin = z < d->smin ? z : d->smin;
    d->smax = z > d->smax ? z : d->smax;
    d->ndocs++;
    return RP_OK;
}

static int cmp_part_entry(const void *x, const void *y)
{
    const part_entry *a = x, *b = y;
    if (a->part != b->part)
        return a->part < b->part ? -1 : 1;
    return rp_lsh_entry_cmp(&a->e, &b->e);
}

/* Writes the shard's band keys into KEYS, sorted by partition, and their
 * index KIDX. @return RP_OK or RP_ENOMEM. */
static int put_keys(rp_dist *d)
{
    size_t P = d->nparts;
    uint64_t *kidx = calloc(2 * P + 1, sizeof *kidx);
    if (!kidx)
        return RP_ENOMEM;
    if (d->npe)
        qsort(d->pe, d->npe, sizeof *d->pe, cmp_part_entry);
    /* entries move down in place: an rp_lsh_entry is smaller than its
     * part_entry */
    rp_lsh_entry *e = (rp_lsh_entry *)(void *)d->pe;
    for (size_t i = 0; i < d->npe; i++) {
        kidx[d->pe[i].part + 1]++;
        rp_lsh_entry x = d->pe[i].e;
        e[i] = x;
    }
    for (size_t p = 0; p < P; p++)
        kidx[p + 1] += kidx[p];
    for (size_t p = 0; p < P; p++)
        kidx[P + 1 + p] = d->npe ? XXH3_64bits(e + kidx[p], (kidx[p + 1] - kidx[p]) * sizeof *e)
                                 : XXH3_64bits("", 0);
    int rc = rp_stage_w_put(d->w, SK_KEYS, e, d->npe * sizeof *e) ||
             rp_stage_w_put(d->w, SK_KIDX, kidx, (2 * P + 1) * sizeof *kidx) ? RP_ENOMEM : RP_OK;
    free(kidx);
    d->npe = 0;
    return rc;
}

/* Writes the shard's sorted line counts v[0..n) into DF and their index
 * by line partition DIDX. @return RP_OK or RP_ENOMEM. */
static int put_line_counts(rp_dist *d, const uint64_t *v, size_t n)
{
    size_t P = d->nparts;
    uint64_t *didx = calloc(2 * P + 1, sizeof *didx);
    if (!didx)
        return RP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        didx[line_part(v[i], d->nparts) + 1]++;
    for (size_t p = 0; p < P; p++)
        didx[p + 1] += didx[p];
    for (size_t p = 0; p < P; p++)
        didx[P + 1 + p] = XXH3_64bits(n ? v + didx[p] : (const void *)"",
                                      (didx[p + 1] - didx[p]) * sizeof *v);
    int rc = rp_stage_w_put(d->w, SK_DF, v, n * sizeof *v) ||
             rp_stage_w_put(d->w, SK_DIDX, didx, (2 * P + 1) * sizeof *didx) ? RP_ENOMEM : RP_OK;
    free(didx);
    return rc;
}

int rp_dist_sketch_save(rp_dist *d, unsigned task, uint64_t skipped)
{
    if (task >= d->ntasks)
        return RP_EINVAL;
    if (!d->w) {
        if (rp_stage_w_new(RP_STAGE_SKETCH, d->fp, 0, d->ntasks, SK_NSEC, &d->w) != RP_OK)
            return oom(d);
        d->smin = UINT32_MAX;
        d->smax = 0;
    }
    rp_stage_w_set_task(d->w, task);
    /* exact line document frequencies of the shard: each document's lines
     * are distinct, so a line's count is its number of documents */
    for (size_t i = 0; i < d->nl; i++)
        d->lines[i] = LC_KEY(d->lines[i]) | 1;
    rp_sort_u64(d->lines, d->nl);
    d->st.lines = lc_merge(d->lines, d->nl);
    if (put_line_counts(d, d->lines, (size_t)d->st.lines) != RP_OK)
        return oom(d);
    uint64_t meta[4] = {d->ndocs, skipped, d->smin, d->smax};
    if (rp_stage_w_put(d->w, SK_META, meta, sizeof meta) || put_keys(d) != RP_OK)
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
    for (unsigned i = 0; sk->sh && i < n; i++)
        rp_stage_clear(&sk->sh[i].s);
    free(sk->sh);
    free(sk->first);
    memset(sk, 0, sizeof *sk);
}

/* Checks section i of shard t's file whole (its checksum). */
static int check_sec(rp_dist *d, const sketches *sk, unsigned t, unsigned i)
{
    const char *why;
    if (rp_stage_check(&sk->sh[t].s, i, &why) != RP_OK) {
        char f[PATH_MAX];
        path_of(d, "sketch", t, f, sizeof f);
        fail(d, "%s: %s", f, why);
        return RP_EFORMAT;
    }
    return RP_OK;
}

/* Opens every sketch file: their headers, tables and section sizes are
 * checked, not the sections' bytes (see check_sec). */
static int load_sketches(rp_dist *d, sketches *sk)
{
    memset(sk, 0, sizeof *sk);
    sk->sh = calloc(d->ntasks, sizeof *sk->sh);
    sk->first = calloc(d->ntasks + 1, sizeof *sk->first);
    if (!sk->sh || !sk->first)
        return oom(d);
    sk->smin = UINT32_MAX;
    for (unsigned i = 0; i < d->ntasks; i++) {
        shard *h = &sk->sh[i];
        rp_stage *s = &h->s;
        int rc = load_file(d, "sketch", i, RP_STAGE_SKETCH, s);
        if (rc != RP_OK)
            return rc;
        const uint64_t *meta;
        const void *p;
        size_t n = 0, ne = 0, nv = 0, nio = 0, nk = 0, nx = 0, ndx = 0;
        if ((rc = sec_array(d, s, "sketch", i, SK_META, sizeof *meta, (const void **)&meta, &n)) ||
            (rc = sec_array(d, s, "sketch", i, SK_ENT, sizeof(sk_ent), &p, &ne)) ||
            (rc = sec_array(d, s, "sketch", i, SK_V16, sizeof(uint16_t) * d->K, &p, &nv)) ||
            (rc = sec_array(d, s, "sketch", i, SK_IDS, 1, &p, &h->idlen)) ||
            (rc = sec_array(d, s, "sketch", i, SK_IDOFF, 8, &p, &nio)) ||
            (rc = sec_array(d, s, "sketch", i, SK_DF, 8, &p, &h->ndf)) ||
            (rc = sec_array(d, s, "sketch", i, SK_DIDX, 8, &p, &ndx)) ||
            (rc = sec_array(d, s, "sketch", i, SK_KEYS, sizeof(rp_lsh_entry), &p, &nk)) ||
            (rc = sec_array(d, s, "sketch", i, SK_KIDX, 8, &p, &nx)) ||
            (rc = check_sec(d, sk, i, SK_META)) || (rc = check_sec(d, sk, i, SK_KIDX)) ||
            (rc = check_sec(d, sk, i, SK_DIDX)))
            return rc;
        size_t len;
        h->ent = rp_stage_sec(s, SK_ENT, &len);
        h->v16 = rp_stage_sec(s, SK_V16, &len);
        h->ids = rp_stage_sec(s, SK_IDS, &len);
        h->idoff = rp_stage_sec(s, SK_IDOFF, &len);
        h->df = rp_stage_sec(s, SK_DF, &len);
        h->keys = rp_stage_sec(s, SK_KEYS, &len);
        h->nkeys = nk;
        h->kidx = rp_stage_sec(s, SK_KIDX, &len);
        h->didx = rp_stage_sec(s, SK_DIDX, &len);
        int ok = n == 4 && meta[0] == ne && nv == ne && nio == ne &&
                 (ne == 0 || (h->idlen && h->ids[h->idlen - 1] == 0)) &&
                 nx == 2 * (size_t)d->nparts + 1 && h->kidx[0] == 0 &&
                 h->kidx[d->nparts] == nk && ndx == nx && h->didx[0] == 0 &&
                 h->didx[d->nparts] == h->ndf;
        for (unsigned q = 0; ok && q < d->nparts; q++)
            ok = h->kidx[q] <= h->kidx[q + 1] && h->didx[q] <= h->didx[q + 1];
        if (!ok)
            return damaged(d, "sketch", i, "contents");
        sk->first[i + 1] = sk->first[i] + ne;
        sk->skipped += meta[1];
        if (ne) {
            sk->smin = meta[2] < sk->smin ? (uint32_t)meta[2] : sk->smin;
            sk->smax = meta[3] > sk->smax ? (uint32_t)meta[3] : sk->smax;
        }
    }
    if (sk->first[d->ntasks] > UINT32_MAX) {
        fail(d, "dist: %llu documents: more than this version pairs (2^32)",
             (unsigned long long)sk->first[d->ntasks]);
        return RP_ETOOBIG;
    }
    d->st.docs = sk->first[d->ntasks];
    d->st.skipped = sk->skipped;
    return RP_OK;
}

/* @return the shard of global document g. */
static unsigned shard_of(const rp_dist *d, const sketches *sk, uint64_t g)
{
    unsigned lo = 0, hi = d->ntasks;   /* first[lo] <= g < first[hi] */
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (sk->first[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static const sk_ent *sk_entry(const rp_dist *d, const sketches *sk, uint64_t g)
{
    unsigned t = shard_of(d, sk, g);
    return &sk->sh[t].ent[g - sk->first[t]];
}

static const uint16_t *sk_values(const rp_dist *d, const sketches *sk, uint64_t g)
{
    unsigned t = shard_of(d, sk, g);
    return sk->sh[t].v16 + (g - sk->first[t]) * d->K;
}

/* @return the id of global document g, or NULL when its offset is out of
 * its file's bounds. */
static const char *sk_id(const rp_dist *d, const sketches *sk, uint64_t g)
{
    unsigned t = shard_of(d, sk, g);
    const shard *h = &sk->sh[t];
    uint64_t o = h->idoff[g - sk->first[t]];
    return o < h->idlen ? h->ids + o : NULL;
}

/* ------------------------------------------------------------------ */
/* Lines: the line counts of line partition I                           */
/* ------------------------------------------------------------------ */

int rp_dist_lines(rp_dist *d, unsigned part)
{
    sketches sk;
    uint64_t *v = NULL;
    rp_stage_w *w = NULL;
    if (part >= d->nparts)
        return RP_EINVAL;
    int rc = load_sketches(d, &sk);
    if (rc != RP_OK)
        goto out;
    size_t n = 0;
    for (unsigned i = 0; i < d->ntasks; i++)
        n += (size_t)(sk.sh[i].didx[part + 1] - sk.sh[i].didx[part]);
    if (!(v = malloc((n ? n : 1) * sizeof *v)))
        goto oom;
    n = 0;
    for (unsigned i = 0; i < d->ntasks; i++) {
        const shard *h = &sk.sh[i];
        size_t lo = (size_t)h->didx[part], k = (size_t)(h->didx[part + 1] - lo);
        int bad = XXH3_64bits(k ? (const void *)(h->df + lo) : "", k * sizeof *v) !=
                  h->didx[d->nparts + 1 + part];
        for (size_t q = 0; !bad && q < k; q++)
            bad = line_part(h->df[lo + q], d->nparts) != part;
        if (bad) {
            rc = damaged(d, "sketch", i, "checksum of a partition's line counts");
            goto out;
        }
        memcpy(v + n, h->df + lo, k * sizeof *v);
        n += k;
    }
    rp_sort_u64(v, n);
    size_t nd = lc_merge(v, n), m = 0;
    /* a line left out was held by one document: the one asking */
    for (size_t i = 0; i < nd; i++)
        if (LC_COUNT(v[i]) >= 2)
            v[m++] = v[i];
    uint64_t meta[3] = {m, nd, n};
    if (rp_stage_w_new(RP_STAGE_LINES, d->fp, part, d->nparts, LN_NSEC, &w) != RP_OK ||
        rp_stage_w_put(w, LN_META, meta, sizeof meta) ||
        rp_stage_w_put(w, LN_TAB, v, m * sizeof *v))
        goto oom;
    rc = save_file(d, w, "lines", part);
    d->st.lines = nd;
    d->st.kept = m;
    goto out;
oom:
    rc = oom(d);
out:
    sketches_free(&sk, d->ntasks);
    free(v);
    rp_stage_w_free(w);
    return rc;
}

static void line_tabs_free(line_tabs *lt)
{
    for (unsigned p = 0; lt->s && p < lt->nparts; p++)
        rp_stage_clear(&lt->s[p]);
    free(lt->s);
    free(lt->tab);
    free(lt->n);
    memset(lt, 0, sizeof *lt);
}

/* Opens every lines file, checked whole (they are small: the lines held
 * by two documents or more). @return RP_OK or an RP_E* code. */
static int load_line_tabs(rp_dist *d, line_tabs *lt)
{
    memset(lt, 0, sizeof *lt);
    lt->s = calloc(d->nparts, sizeof *lt->s);
    lt->tab = calloc(d->nparts, sizeof *lt->tab);
    lt->n = calloc(d->nparts, sizeof *lt->n);
    if (!lt->s || !lt->tab || !lt->n)
        return oom(d);
    lt->nparts = d->nparts;
    for (unsigned p = 0; p < d->nparts; p++) {
        const uint64_t *meta;
        const void *t;
        const char *why;
        size_t nm = 0;
        int rc = load_file(d, "lines", p, RP_STAGE_LINES, &lt->s[p]);
        if (rc == RP_OK && ((rc = rp_stage_check(&lt->s[p], LN_META, &why)) != RP_OK ||
                            (rc = rp_stage_check(&lt->s[p], LN_TAB, &why)) != RP_OK)) {
            char f[PATH_MAX];
            path_of(d, "lines", p, f, sizeof f);
            fail(d, "%s: %s", f, why);
        }
        if (rc == RP_OK &&
            ((rc = sec_array(d, &lt->s[p], "lines", p, LN_META, 8, (const void **)&meta, &nm)) ||
             (rc = sec_array(d, &lt->s[p], "lines", p, LN_TAB, 8, &t, &lt->n[p]))))
            return rc;
        if (rc != RP_OK)
            return rc;
        if (nm != 3 || meta[0] != lt->n[p])
            return damaged(d, "lines", p, "contents");
        lt->tab[p] = t;
    }
    return RP_OK;
}

/* The run's line document frequencies, as scan's table gives them
 * (rp_corpus_set_df): a line absent from its partition's file was held by
 * one document only. */
static unsigned line_count(const void *ctx, uint64_t line)
{
    const line_tabs *lt = ctx;
    unsigned p = line_part(line, lt->nparts);
    const uint64_t *t = lt->tab[p];
    uint64_t key = LC_KEY(line);
    size_t lo = 0, hi = lt->n[p];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (LC_KEY(t[mid]) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < lt->n[p] && LC_KEY(t[lo]) == key ? LC_COUNT(t[lo]) : 1;
}

/* ------------------------------------------------------------------ */
/* Bucket: LSH partition I                                              */
/* ------------------------------------------------------------------ */

typedef struct screen_ctx {
    const rp_dist *d;
    const sketches *sk;
} screen_ctx;

/* The screen, on the sketch files' values read by document. */
static int keep_pair(const void *ctx, size_t a, size_t b)
{
    const screen_ctx *s = ctx;
    const rp_dist *d = s->d;
    return rp_screen_values(sk_values(d, s->sk, a), sk_values(d, s->sk, b), d->K,
                            sk_entry(d, s->sk, a)->nsh, sk_entry(d, s->sk, b)->nsh,
                            d->o.threshold);
}

/* Reads partition part's slice of every sketch file's band keys, with
 * global document numbers, sorted by (band, key, document).
 * @return RP_OK or an RP_E* code. */
static int read_partition(rp_dist *d, const sketches *sk, unsigned part, rp_lsh_entry **out,
                          size_t *nout)
{
    size_t n = 0;
    for (unsigned i = 0; i < d->ntasks; i++)
        n += (size_t)(sk->sh[i].kidx[part + 1] - sk->sh[i].kidx[part]);
    rp_lsh_entry *e = malloc((n ? n : 1) * sizeof *e);
    if (!e)
        return oom(d);
    n = 0;
    for (unsigned i = 0; i < d->ntasks; i++) {
        const shard *h = &sk->sh[i];
        size_t lo = (size_t)h->kidx[part], k = (size_t)(h->kidx[part + 1] - lo);
        uint64_t docs = sk->first[i + 1] - sk->first[i];
        int bad = XXH3_64bits(h->keys + lo, k * sizeof *e) != h->kidx[d->nparts + 1 + part];
        for (size_t q = 0; !bad && q < k; q++) {
            e[n] = h->keys[lo + q];
            bad = e[n].doc >= docs || e[n].band >= d->bands + d->K;
            e[n++].doc += (uint32_t)sk->first[i];
        }
        if (bad) {
            free(e);
            return damaged(d, "sketch", i, "checksum of a partition's band keys");
        }
    }
    qsort(e, n, sizeof *e, rp_lsh_entry_cmp);
    *out = e;
    *nout = n;
    return RP_OK;
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
    rp_lsh_entry *e = NULL;
    size_t ne = 0;
    uint64_t *cand = NULL, *index = NULL;
    rp_stage_w *w = NULL;
    if (part >= d->nparts)
        return RP_EINVAL;
    int rc = load_sketches(d, &sk);
    if (rc != RP_OK || (rc = read_partition(d, &sk, part, &e, &ne)) != RP_OK)
        goto out;
    uint64_t n = sk.first[d->ntasks];
    index = calloc(d->ntasks + 1, sizeof *index);
    if (!index)
        goto oom;
    screen_ctx sc = {d, &sk};
    size_t refused = 0, capped = 0;
    double widest = n ? (double)sk.smax / sk.smin : 1;
    long nc = n < 2 ? 0 : rp_lsh_entry_pairs(e, ne, d->K, d->bands, d->ratio, widest,
                                             keep_pair, &sc, &refused, &capped, &cand);
    if (nc < 0)
        goto oom;
    free(e);
    e = NULL;
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
    d->st.read = ne;
    goto out;
oom:
    rc = oom(d);
out:
    sketches_free(&sk, d->ntasks);
    free(e);
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
    const char *id = sk_id(l->d, l->sk, g);
    if (!id)
        return RP_ELOAD;
    int rc = l->fn(l->ctx, g, id, text, len);
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
    line_tabs lt = {0};
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
    loader ld = {d, &sk, docs, fn, ctx};
    if ((rc = load_line_tabs(d, &lt)) != RP_OK)
        goto out;
    if (rp_corpus_new(&d->o, &c) != RP_OK || rp_corpus_set_loader(c, load_text, &ld) != RP_OK ||
        rp_corpus_set_df(c, line_count, &lt) != RP_OK)
        goto oom;
    for (size_t k = 0; k < nd; k++) {
        const sk_ent *e = sk_entry(d, &sk, docs[k]);
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
    line_tabs_free(&lt);
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

/* Sections of the components file: META {documents with pairs, pairs,
 * components, documents of the run, capped buckets, inputs the sketches
 * skipped}; DOCS the documents with a verified pair, sorted; BYTASK the
 * same sorted by (cluster task, document), and TIDX its N + 1 offsets, one
 * slice a cluster task; LOST the documents a verify task could not read
 * again, sorted. */
enum { CP_META, CP_DOCS, CP_BYTASK, CP_TIDX, CP_LOST, CP_NSEC };

/* The verify files, opened as they are needed (header, table and sizes
 * checked; their pairs read by document and bounds-checked, or whole and
 * checksummed by the components task). */
typedef struct verified {
    rp_stage *s;           /* ntasks */
    const vf_pair **q;
    size_t *nq;
    const uint64_t **lost;
    size_t *nlost;
    unsigned ntasks;
} verified;

static void verified_free(verified *v)
{
    for (unsigned t = 0; v->s && t < v->ntasks; t++)
        rp_stage_clear(&v->s[t]);
    free(v->s);
    free(v->q);
    free(v->nq);
    free(v->lost);
    free(v->nlost);
    memset(v, 0, sizeof *v);
}

/* Opens verify file t (once); whole: its sections' checksums too.
 * @return RP_OK or an RP_E* code. */
static int verified_open(rp_dist *d, verified *v, unsigned t, int whole)
{
    if (!v->s) {
        v->ntasks = d->ntasks;
        v->s = calloc(d->ntasks, sizeof *v->s);
        v->q = calloc(d->ntasks, sizeof *v->q);
        v->nq = calloc(d->ntasks, sizeof *v->nq);
        v->lost = calloc(d->ntasks, sizeof *v->lost);
        v->nlost = calloc(d->ntasks, sizeof *v->nlost);
        if (!v->s || !v->q || !v->nq || !v->lost || !v->nlost)
            return oom(d);
    }
    if (v->s[t].buf)
        return RP_OK;
    rp_stage *s = &v->s[t];
    const uint64_t *meta;
    const char *why;
    size_t nm = 0;
    int rc = load_file(d, "verify", t, RP_STAGE_VERIFY, s);
    for (unsigned i = 0; rc == RP_OK && i < VF_NSEC; i++)
        if ((whole || i == VF_META) && rp_stage_check(s, i, &why) != RP_OK)
            rc = damaged(d, "verify", t, "checksum");
    if (rc == RP_OK &&
        ((rc = sec_array(d, s, "verify", t, VF_META, 8, (const void **)&meta, &nm)) ||
         (rc = sec_array(d, s, "verify", t, VF_PAIRS, sizeof(vf_pair), (const void **)&v->q[t],
                         &v->nq[t])) ||
         (rc = sec_array(d, s, "verify", t, VF_LOST, 8, (const void **)&v->lost[t],
                         &v->nlost[t]))) == RP_OK &&
        (nm != 2 || meta[0] != v->nq[t] || meta[1] != v->nlost[t]))
        rc = damaged(d, "verify", t, "contents");
    if (rc != RP_OK)
        rp_stage_clear(s);
    return rc;
}

/* Checks that the pairs of verify file t are in (a, b) order, with a in
 * the file's range of the n documents and a < b < n. */
static int verified_check(rp_dist *d, const verified *v, unsigned t, uint64_t n)
{
    const vf_pair *q = v->q[t];
    uint64_t lo = n * t / d->ntasks, hi = n * (t + 1) / d->ntasks;
    for (size_t i = 0; i < v->nq[t]; i++)
        if (q[i].a < lo || q[i].a >= hi || q[i].a >= q[i].b || q[i].b >= n ||
            (i > 0 && (q[i - 1].a > q[i].a || (q[i - 1].a == q[i].a && q[i - 1].b >= q[i].b))))
            return damaged(d, "verify", t, "pairs out of order");
    return RP_OK;
}

/* The deal of components to cluster tasks: components in order of their
 * smallest document, each weighing its documents and pairs, put into
 * task after task, a task taking components until it holds an even share
 * or more; a component of a share or more starts a task of its own and
 * fills it. The last task takes what is left. @return the task of the
 * component of weight w, given the weight *load already in task *t. */
static unsigned deal(uint64_t w, uint64_t share, unsigned ntasks, unsigned *t, uint64_t *load)
{
    if (*load > 0 && (*load >= share || w >= share) && *t + 1 < ntasks) {
        (*t)++;
        *load = 0;
    }
    *load += w;
    return *t;
}

int rp_dist_components(rp_dist *d)
{
    sketches sk;
    verified v = {0};
    uint64_t *docs = NULL, *lost = NULL, *bytask = NULL, *tidx = NULL;
    size_t *parent = NULL;
    uint64_t *weight = NULL;
    uint32_t *task = NULL;
    size_t nd = 0, dcap = 0, nl = 0, lcap = 0, np = 0, ncomp = 0;
    rp_stage_w *w = NULL;
    int rc = load_sketches(d, &sk);
    if (rc != RP_OK)
        goto out;
    uint64_t n = sk.first[d->ntasks];
    /* the documents with pairs, and the lost ones */
    for (unsigned t = 0; t < d->ntasks; t++) {
        if ((rc = verified_open(d, &v, t, 1)) != RP_OK || (rc = verified_check(d, &v, t, n)))
            goto out;
        if (rp_grow(&docs, &dcap, nd + 2 * v.nq[t] + 1, sizeof *docs) < 0 ||
            rp_grow(&lost, &lcap, nl + v.nlost[t] + 1, sizeof *lost) < 0)
            goto oom;
        for (size_t i = 0; i < v.nq[t]; i++) {
            docs[nd++] = v.q[t][i].a;
            docs[nd++] = v.q[t][i].b;
        }
        for (size_t i = 0; i < v.nlost[t]; i++)
            if (v.lost[t][i] < n)
                lost[nl++] = v.lost[t][i];
        np += v.nq[t];
        rp_stage_clear(&v.s[t]);
    }
    rp_sort_u64(docs, nd);
    nd = rp_unique_u64(docs, nd);
    rp_sort_u64(lost, nl);
    nl = rp_unique_u64(lost, nl);
    /* components of the verified pairs (all similar), roots their
     * smallest documents; a component weighs its documents and pairs */
    parent = malloc((nd + 1) * sizeof *parent);
    weight = calloc(nd + 1, sizeof *weight);
    task = malloc((nd + 1) * sizeof *task);
    if (!parent || !weight || !task)
        goto oom;
    rp_uf_init(parent, nd);
    for (unsigned t = 0; t < d->ntasks; t++) {
        if ((rc = verified_open(d, &v, t, 0)) != RP_OK)
            goto out;
        for (size_t i = 0; i < v.nq[t]; i++) {
            size_t a = lower_bound_u64(docs, nd, v.q[t][i].a);
            rp_uf_union(parent, a, lower_bound_u64(docs, nd, v.q[t][i].b));
            weight[a]++;
        }
        rp_stage_clear(&v.s[t]);
    }
    for (size_t i = 0; i < nd; i++) {
        size_t r = rp_uf_find(parent, i);
        weight[r] += 1 + (r != i ? weight[i] : 0);
        ncomp += r == i;
    }
    uint64_t share = (nd + np + d->ntasks - 1) / d->ntasks, load = 0;
    unsigned cur = 0;
    for (size_t i = 0; i < nd; i++)   /* a root comes before its members */
        task[i] = parent[i] == i ? deal(weight[i], share, d->ntasks, &cur, &load)
                                 : task[rp_uf_find(parent, i)];
    /* by task, in document order within each */
    bytask = malloc((nd + 1) * sizeof *bytask);
    tidx = calloc(d->ntasks + 1, sizeof *tidx);
    if (!bytask || !tidx)
        goto oom;
    for (size_t i = 0; i < nd; i++)
        tidx[task[i] + 1]++;
    for (unsigned t = 0; t < d->ntasks; t++)
        tidx[t + 1] += tidx[t];
    for (size_t i = 0; i < nd; i++)
        bytask[tidx[task[i]]++] = docs[i];
    memmove(tidx + 1, tidx, d->ntasks * sizeof *tidx);
    tidx[0] = 0;
    if ((rc = count_capped(d)) != RP_OK)
        goto out;
    uint64_t meta[6] = {nd, np, ncomp, n, d->st.capped, sk.skipped};
    if (rp_stage_w_new(RP_STAGE_COMPONENTS, d->fp, 0, 1, CP_NSEC, &w) != RP_OK ||
        rp_stage_w_put(w, CP_META, meta, sizeof meta) ||
        rp_stage_w_put(w, CP_DOCS, docs, nd * sizeof *docs) ||
        rp_stage_w_put(w, CP_BYTASK, bytask, nd * sizeof *bytask) ||
        rp_stage_w_put(w, CP_TIDX, tidx, (d->ntasks + 1) * sizeof *tidx) ||
        rp_stage_w_put(w, CP_LOST, lost, nl * sizeof *lost))
        goto oom;
    rc = save_file(d, w, "components", -1);
    d->st.docs = n;
    d->st.read = nd;
    d->st.similar = np;
    d->st.kept = ncomp;
    d->st.lost = nl;
    goto out;
oom:
    rc = oom(d);
out:
    sketches_free(&sk, d->ntasks);
    verified_free(&v);
    rp_stage_w_free(w);
    free(docs);
    free(lost);
    free(bytask);
    free(tidx);
    free(parent);
    free(weight);
    free(task);
    return rc;
}

/* The components file, opened partially: its small sections checked
 * whole, the rest bounds-checked as read. */
static int load_components(rp_dist *d, rp_stage *s, const uint64_t **meta, const uint64_t **docs,
                           size_t *nd, const uint64_t **bytask, const uint64_t **tidx,
                           const uint64_t **lost, size_t *nl)
{
    size_t nm = 0, nb = 0, nt = 0;
    const char *why;
    int rc = load_file(d, "components", -1, RP_STAGE_COMPONENTS, s);
    if (rc != RP_OK)
        return rc;
    if (rp_stage_check(s, CP_META, &why) != RP_OK || rp_stage_check(s, CP_TIDX, &why) != RP_OK)
        return damaged(d, "components", -1, "checksum");
    if ((rc = sec_array(d, s, "components", -1, CP_META, 8, (const void **)meta, &nm)) ||
        (rc = sec_array(d, s, "components", -1, CP_DOCS, 8, (const void **)docs, nd)) ||
        (rc = sec_array(d, s, "components", -1, CP_BYTASK, 8, (const void **)bytask, &nb)) ||
        (rc = sec_array(d, s, "components", -1, CP_TIDX, 8, (const void **)tidx, &nt)) ||
        (rc = sec_array(d, s, "components", -1, CP_LOST, 8, (const void **)lost, nl)))
        return rc;
    int ok = nm == 6 && (*meta)[0] == *nd && nb == *nd && nt == d->ntasks + 1 &&
             (*tidx)[0] == 0 && (*tidx)[d->ntasks] == *nd;
    for (unsigned t = 0; ok && t < d->ntasks; t++)
        ok = (*tidx)[t] <= (*tidx)[t + 1];
    return ok ? RP_OK : damaged(d, "components", -1, "contents");
}

/* Appends the verified pairs whose first document is a (in verify file
 * of a's range) to *pairs, numbered locally in docs[0..nd). */
static int pairs_of(rp_dist *d, verified *v, uint64_t n, const uint64_t *docs, size_t nd,
                    uint64_t a, rp_pair **pairs, size_t *np, size_t *cap)
{
    unsigned t = verify_task(a, n, d->ntasks);
    int rc = verified_open(d, v, t, 0);
    if (rc != RP_OK)
        return rc;
    const vf_pair *q = v->q[t];
    size_t lo = 0, hi = v->nq[t];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q[mid].a < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t la = lower_bound_u64(docs, nd, a);
    for (size_t i = lo; i < v->nq[t] && q[i].a == a; i++) {
        size_t lb = lower_bound_u64(docs, nd, q[i].b);
        if (lb >= nd || docs[lb] != q[i].b || lb <= la ||
            (*np > 0 && (*pairs)[*np - 1].a == la && (*pairs)[*np - 1].b >= lb))
            return damaged(d, "verify", t, "pairs out of order");
        if (rp_grow(pairs, cap, *np + 1, sizeof **pairs) < 0)
            return oom(d);
        rp_sim s = {q[i].jaccard, q[i].cab, q[i].cba, q[i].score, (size_t)q[i].shared,
                    (int)q[i].similar};
        (*pairs)[(*np)++] = (rp_pair){la, lb, s};
    }
    return RP_OK;
}

int rp_dist_cluster_task(rp_dist *d, unsigned task, rp_dist_load_fn fn, void *ctx,
                         rp_corpus **out, const uint64_t **docs_out, size_t *ndocs)
{
    sketches *sk = &d->csk;
    verified v = {0};
    rp_stage cs = {0};
    rp_pair *pairs = NULL;
    size_t np = 0, pcap = 0, nd = 0;
    rp_corpus *c = NULL;
    const uint64_t *meta = NULL, *cdocs = NULL, *bytask = NULL, *tidx = NULL, *lost = NULL;
    size_t ncd = 0, nl = 0;
    *out = NULL;
    if (task >= d->ntasks || !fn)
        return RP_EINVAL;
    sketches_free(sk, d->ntasks);
    line_tabs_free(&d->clt);
    free(d->cdocs);
    d->cdocs = NULL;
    int rc = load_sketches(d, sk);
    if (rc != RP_OK || (rc = load_components(d, &cs, &meta, &cdocs, &ncd, &bytask, &tidx, &lost,
                                             &nl)) != RP_OK)
        goto out;
    uint64_t n = sk->first[d->ntasks];
    if (meta[3] != n) {
        rc = damaged(d, "components", -1, "another count of documents");
        goto out;
    }
    /* its documents: those of its components, and those of shard `task`
     * that have no pair (each alone in its cluster), in global order */
    uint64_t f0 = sk->first[task], f1 = sk->first[task + 1];
    size_t k0 = lower_bound_u64(cdocs, ncd, f0), k1 = lower_bound_u64(cdocs, ncd, f1);
    size_t mine = (size_t)(tidx[task + 1] - tidx[task]);
    const uint64_t *my = bytask + tidx[task];
    if (!(d->cdocs = malloc((mine + (f1 - f0) + 1) * sizeof *d->cdocs)))
        goto oom;
    size_t i = 0, kc = k0;
    for (uint64_t g = f0;;) {
        while (g < f1 && kc < k1 && cdocs[kc] == g) {   /* has pairs: not alone */
            g++;
            kc++;
        }
        uint64_t x = i < mine ? my[i] : UINT64_MAX;
        if (g >= f1 && i >= mine)
            break;
        if (g < f1 && g < x) {
            d->cdocs[nd++] = g++;
            continue;
        }
        if (x >= n || (nd > 0 && d->cdocs[nd - 1] >= x)) {
            rc = damaged(d, "components", -1, "documents out of order");
            goto out;
        }
        d->cdocs[nd++] = x;
        i++;
    }
    d->ncdocs = nd;
    for (size_t k = 0; k < mine; k++)
        if ((rc = pairs_of(d, &v, n, d->cdocs, nd, my[k], &pairs, &np, &pcap)) != RP_OK)
            goto out;
    d->cld = (loader){d, sk, d->cdocs, fn, ctx};
    if ((rc = load_line_tabs(d, &d->clt)) != RP_OK)
        goto out;
    if (rp_corpus_new(&d->o, &c) != RP_OK || rp_corpus_set_loader(c, load_text, &d->cld) != RP_OK ||
        rp_corpus_set_df(c, line_count, &d->clt) != RP_OK)
        goto oom;
    for (size_t k = 0; k < nd; k++) {
        const sk_ent *e = sk_entry(d, sk, d->cdocs[k]);
        const char *id = sk_id(d, sk, d->cdocs[k]);
        if (!id) {
            rc = damaged(d, "sketch", shard_of(d, sk, d->cdocs[k]), "id offsets");
            goto out;
        }
        int a = rp_corpus_add_entry(c, id, e->nsh, e->digest);
        if (a == RP_EDUPID) {
            fail(d, "%s: id given twice in the sketches", id);
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
    free(d->lost);
    if (!(d->lost = calloc(nd ? nd : 1, 1)))
        goto oom;
    d->nlost_docs = nd;
    d->st.lost = 0;
    for (size_t k = 0; k < nd; k++) {
        size_t at = lower_bound_u64(lost, nl, d->cdocs[k]);
        d->lost[k] = rp_corpus_lost(c, k) != RP_OK || (at < nl && lost[at] == d->cdocs[k]);
        d->st.lost += d->lost[k];
    }
    d->st.docs = n;
    d->st.read = nd;
    d->st.similar = np;
    d->st.capped = meta[4];
    d->st.skipped = meta[5];
    *out = c;
    *docs_out = d->cdocs;
    *ndocs = nd;
    c = NULL;
    goto out;
oom:
    rc = oom(d);
out:
    free(pairs);
    rp_corpus_free(c);
    verified_free(&v);
    rp_stage_clear(&cs);
    return rc;
}

int rp_dist_lost(const rp_dist *d, uint64_t doc)
{
    return d->lost && doc < d->nlost_docs && d->lost[doc];
}
