/*
 * corpus.c - a set of documents, and the scan that clusters them.
 *
 * rp_corpus_run() is the pipeline after sketching:
 *   LSH      each document's band keys are bucketed into candidate pairs
 *            (lsh.c);
 *   verify   each candidate is compared exactly on the two shingle sets,
 *            and only pairs whose score reaches the threshold are kept:
 *            the tool never reports a pair that only LSH thought similar;
 *   cluster  verified pairs become clusters with representatives
 *            (cluster.c).
 *
 * Memory. By default a corpus keeps every document whole: its sorted
 * shingle hashes (8 bytes a shingle, about one a word) and signature.
 * With a loader (rp_corpus_set_loader) it keeps only what LSH needs: the
 * b band keys (4 bytes each), the set sizes and a digest of the set, and
 * the id; that is about 4b + 48 bytes and the id, 600 bytes a document at
 * the defaults. Verification then asks the loader for the texts of the
 * candidate documents again and rebuilds their shingle sets, in order of
 * candidate component, so that the documents of one group are loaded
 * together (from the byte ranges the cleaner kept the first time, a few
 * bytes a paragraph kept with the entry, so the text is not cleaned
 * again); the rebuilt sets live in a cache of at most RP_VERIFY_CACHE
 * bytes, oldest out first. A document evicted while some of its pairs are
 * still to be verified is written to a spill file (its sorted shingle
 * hashes, unlinked at once, in $TMPDIR or /tmp) and read back from there
 * when it is needed again: a copy of a 60 MB text is then rebuilt once,
 * not once per pair, so verification stays linear in the documents' size
 * when they outgrow the cache (without the file, it falls back to
 * rebuilding). A document whose text comes back different
 * (its digest changed) or not at all is marked lost: none of its pairs is
 * verified, and rp_corpus_lost() says so.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "cluster.h"
#include "corpus.h"
#include "doc.h"
#include "lsh.h"
#include "minhash.h"
#include "pool.h"
#include "shingle.h"
#include "uf.h"
#include "util.h"

/* Bytes of rebuilt shingle sets kept during verification (compact mode). */
#define RP_VERIFY_CACHE ((size_t)32 << 20)

/* Line document frequencies, for corpus-level furniture (compact mode):
 * exact, saturating at 255. A hash table of 8-byte slots, each the top 56
 * bits of a line's 64-bit hash and an 8-bit count (0: empty), split into
 * DF_SUBS tables by the hash's mixed top bits so that a table growing
 * holds two copies of 1/DF_SUBS of the counts, not of all of them. A
 * table grows by half when it is DF_LOAD_NUM / DF_LOAD_DEN full (linear
 * probing), so it stays 8/15 to 4/5 full: 10 to 15 bytes a distinct line.
 * The tables are mapped, not malloc'd, so that the pages of the tables
 * outgrown, and of the whole table once df_seal has dropped the lines
 * held by one document, go back to the system at once rather than stay in
 * the heap under the LSH and verification that follow. Two lines that
 * share their top 56 bits share a count: among 10^10 distinct lines about
 * 10^20 / 2^57 = 690 pairs do (2.7 pairs share all 64 bits of the line
 * hash itself), and each only adds the two counts, almost always 1 + 1
 * (see docs/dist.md). */
#define DF_SUBS_BITS 6
#define DF_SUBS (1u << DF_SUBS_BITS)
#define DF_PAGE 512 /* slots: 4 KiB, tables are multiples of it */
#define DF_LOAD_NUM 4
#define DF_LOAD_DEN 5
#define DF_MAX_SLOTS ((size_t)1 << 32)

typedef struct df_table {
    uint64_t *slot;        /* (hash & ~0xFF) | count, or 0 */
    size_t cap;            /* slots, a multiple of DF_PAGE (0: none yet) */
    size_t n;              /* slots in use */
} df_table;

static void df_free(df_table *t);

struct rp_corpus {
    rp_options o;
    unsigned bands, rows;
    struct entry {
        rp_doc *doc;       /* whole document, or NULL in compact mode */
        char *id;
        uint64_t digest;   /* of the token stream (compact mode) */
        uint8_t *kept;     /* the cleaner's kept ranges (compact mode), to
                              rebuild without cleaning again; or NULL */
        size_t nkept;
        uint32_t nsh;      /* shingles */
        int lost;          /* RP_OK, or why the loader failed */
    } *e;
    size_t n, cap;
    uint16_t *v16;         /* n * hashes: the low 16 bits of each MinHash
                              value, for LSH and the screen */
    size_t v16_cap;
    size_t capped;         /* LSH buckets over their cap */
    /* open-addressing set of ids: slot holds index + 1, 0 = empty */
    size_t *idx;
    size_t idx_cap;
    int ran;
    rp_pair *pairs;
    size_t npairs;
    rp_clustering cl;
    rp_run_stats stats;
    /* compact mode */
    rp_load_fn load;
    void *load_ctx;
    size_t expect;         /* rp_corpus_reserve's documents, or 0 */
    unsigned threads;
    df_table *df;          /* DF_SUBS tables: the line counts */
    rp_line_df_fn df_fn;   /* or the caller's counts (rp_corpus_set_df) */
    const void *df_ctx;
    size_t furniture;      /* lines dropped as furniture in verification */
    rp_doc **cache;        /* n slots: the rebuilt documents */
    size_t *fifo, fifo_head, fifo_n, cache_bytes;
    int fail;              /* sticky RP_ENOMEM from the cache */
    uint32_t *left;        /* verify: pairs still to compare, per document */
    int spill_fd;          /* spill file: 0 not tried, > 0 open, -1 none */
    uint64_t *spill_at;    /* per document: offset + 1 in it, 0 = not there */
    uint32_t *spill_n;     /* per document: its shingles there */
    uint64_t spill_end;
};

int rp_corpus_new(const rp_options *o, rp_corpus **out)
{
    rp_options def;
    *out = NULL;
    if (!o) {
        rp_options_init(&def);
        o = &def;
    }
    if (rp_options_check(o) != RP_OK)
        return RP_EINVAL;
    unsigned b = o->bands, r = o->rows;
    if (!b) {
        double t = o->lsh_threshold > 0 ? o->lsh_threshold : RP_DEFAULT_LSH_THRESHOLD;
        if (rp_lsh_params(o->hashes, t, &b, &r) != RP_OK)
            return RP_EINVAL;
    }
    rp_corpus *c = calloc(1, sizeof *c);
    if (!c)
        return RP_ENOMEM;
    c->o = *o;
    c->bands = b;
    c->rows = r;
    *out = c;
    return RP_OK;
}

void rp_corpus_free(rp_corpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        rp_doc_free(c->e[i].doc);
        free(c->e[i].kept);
        free(c->e[i].id);
    }
    free(c->e);
    free(c->v16);
    free(c->idx);
    if (c->cache)
        for (size_t i = 0; i < c->n; i++)
            rp_doc_free(c->cache[i]);
    free(c->cache);
    free(c->fifo);
    free(c->left);
    free(c->spill_at);
    free(c->spill_n);
    if (c->spill_fd > 0)
        close(c->spill_fd);
    if (c->df)
        for (unsigned t = 0; t < DF_SUBS; t++)
            df_free(&c->df[t]);
    free(c->df);
    free(c->pairs);
    rp_clustering_free(&c->cl);
    free(c);
}

static size_t id_slot(const rp_corpus *c, const char *id, int *found)
{
    size_t mask = c->idx_cap - 1;
    size_t h = (size_t)XXH3_64bits(id, strlen(id)) & mask;
    for (;;) {
        size_t v = c->idx[h];
        if (v == 0) {
            *found = 0;
            return h;
        }
        if (strcmp(c->e[v - 1].id, id) == 0) {
            *found = 1;
            return h;
        }
        h = (h + 1) & mask;
    }
}

/* Rehashes the ids into at least twice the slots, and at least want. */
static int id_rehash(rp_corpus *c, size_t want)
{
    size_t ncap = c->idx_cap ? c->idx_cap * 2 : 64;
    while (ncap < want)
        ncap *= 2;
    size_t *old = c->idx, ocap = c->idx_cap;
    c->idx = calloc(ncap, sizeof *c->idx);
    if (!c->idx) {
        c->idx = old;
        return RP_ENOMEM;
    }
    c->idx_cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i]) {
            int f;
            c->idx[id_slot(c, c->e[old[i] - 1].id, &f)] = old[i];
        }
    free(old);
    return RP_OK;
}

/* The mixed 56-bit key of a line: its table in the top DF_SUBS_BITS bits,
 * its first slot there from the next 32. */
static uint64_t df_mix(uint64_t line)
{
    return (line >> 8) * 0x9E3779B97F4A7C15ull;
}

/* @return the slot of line's key in t: the one holding it, or the empty
 * one where it goes. */
static size_t df_find(const df_table *t, uint64_t line)
{
    size_t i = (size_t)((((df_mix(line) << DF_SUBS_BITS) >> 32) * t->cap) >> 32);
    uint64_t key = line & ~(uint64_t)0xFF;
    for (;;) {
        uint64_t v = t->slot[i];
        if (v == 0 || (v & ~(uint64_t)0xFF) == key)
            return i;
        if (++i == t->cap)
            i = 0;
    }
}

/* @return the slots a table needs to hold n lines at most 4/5 full. */
static size_t df_cap_for(size_t n)
{
    size_t want = n / DF_LOAD_NUM * DF_LOAD_DEN + DF_LOAD_DEN;
    return (want + DF_PAGE - 1) / DF_PAGE * DF_PAGE;
}

/* Makes a table of cap zeroed slots holding t's lines of at least `least`
 * documents in place of t: at mem (cap zeroed slots of a mapping, which t
 * then owns), or mapped anew when mem is NULL. @return RP_OK or RP_ENOMEM
 * (t unchanged). */
static int df_rebuild(df_table *t, size_t cap, unsigned least, uint64_t *mem)
{
    if (cap > DF_MAX_SLOTS || cap > SIZE_MAX / sizeof(uint64_t))
        return RP_ENOMEM;
    void *p = mem;
    if (!p && (p = mmap(NULL, cap * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        return RP_ENOMEM;
    df_table g = {p, cap, 0};
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i] && (t->slot[i] & 0xFF) >= least) {
            g.slot[df_find(&g, t->slot[i])] = t->slot[i];
            g.n++;
        }
    df_free(t);
    *t = g;
    return RP_OK;
}

static void df_free(df_table *t)
{
    if (t->cap)
        munmap(t->slot, t->cap * sizeof(uint64_t));
    memset(t, 0, sizeof *t);
}

/* Counts one more document holding line, saturating at 255.
 * @return RP_OK or RP_ENOMEM. */
static int df_put(rp_corpus *c, uint64_t line)
{
    df_table *t = &c->df[df_mix(line) >> (64 - DF_SUBS_BITS)];
    if ((t->n + 1) * DF_LOAD_DEN > t->cap * DF_LOAD_NUM &&
        df_rebuild(t, (t->cap + t->cap / 2 + DF_PAGE) / DF_PAGE * DF_PAGE, 1, NULL) != RP_OK)
        return RP_ENOMEM;
    uint64_t *v = &t->slot[df_find(t, line)];
    if (*v == 0) {
        *v = line & ~(uint64_t)0xFF;
        t->n++;
    }
    if ((*v & 0xFF) < UINT8_MAX)
        (*v)++;
    return RP_OK;
}

static int df_count(rp_corpus *c, const rp_doc *d)
{
    for (size_t i = 0; i < d->nlines; i++)
        if (df_put(c, d->lines[i]) != RP_OK)
            return RP_ENOMEM;
    return RP_OK;
}

/* Documents counted before the tables are sized for rp_corpus_reserve's
 * number: enough to see the lines an article has. */
#define DF_SAMPLE_DOCS 256

/* Lines a document is presized for at most (df_presize). */
#define DF_PRESIZE_LINES 32

/* After DF_SAMPLE_DOCS documents of the expected ones: sizes each table
 * for its lines so far times expected / counted, in one rebuild, where
 * growing by halves would copy each table about ten times into new pages
 * (on the bench corpus the first 256 articles foretell the lines of
 * 20,000 within 2%; where later documents have more lines, the tables go
 * on growing from there). At most DF_PRESIZE_LINES lines a document are
 * foreseen, so a few long documents first cannot size a table far past
 * the memory bound. The new tables share one mapping marked for huge
 * pages (4 MiB on the bench corpus: two page faults instead of 900; each
 * table is still unmapped on its own when it grows or is sealed). Out of
 * memory leaves the tables to grow as before. */
static void df_presize(rp_corpus *c)
{
    if (!c->df || c->n != DF_SAMPLE_DOCS || c->expect <= 2 * DF_SAMPLE_DOCS)
        return;
    size_t lines = 0;
    for (unsigned k = 0; k < DF_SUBS; k++)
        lines += c->df[k].n;
    double scale = (double)c->expect / DF_SAMPLE_DOCS;
    if ((double)lines * scale > (double)c->expect * DF_PRESIZE_LINES)
        scale = (double)c->expect * DF_PRESIZE_LINES / (double)(lines ? lines : 1);
    size_t cap[DF_SUBS], total = 0;
    for (unsigned k = 0; k < DF_SUBS; k++) {
        cap[k] = df_cap_for((size_t)((double)c->df[k].n * scale));
        if (cap[k] > DF_MAX_SLOTS)
            return;
        if (cap[k] > c->df[k].cap)
            total += cap[k];
    }
    /* the mapping in whole huge pages (a partly used one gets none): the
     * slack goes to the tables in proportion, as room to grow into */
    size_t whole = total * sizeof(uint64_t) >= RP_HUGE_PAGE
                   ? (total * sizeof(uint64_t) + RP_HUGE_PAGE - 1) / RP_HUGE_PAGE * RP_HUGE_PAGE
                     / sizeof(uint64_t) : total;
    size_t used = 0, last = DF_SUBS;
    for (unsigned k = 0; k < DF_SUBS && whole > total; k++)
        if (cap[k] > c->df[k].cap) {
            cap[k] += (size_t)((double)(whole - total) * (double)cap[k] / (double)total)
                      / DF_PAGE * DF_PAGE;
            used += cap[k];
            last = k;
        }
    if (last < DF_SUBS)
        cap[last] += whole - used;   /* a multiple of DF_PAGE: whole and used are */
    if (whole > total)
        total = whole;
    uint64_t *mem = total ? rp_map_huge(total * sizeof *mem) : NULL, *at = mem;
    for (unsigned k = 0; k < DF_SUBS; k++) {
        df_table *t = &c->df[k];
        if (cap[k] <= t->cap)
            continue;
        if (df_rebuild(t, cap[k], 1, at) != RP_OK)
            return;
        if (at)
            at += cap[k];
    }
}

int rp_corpus_reserve(rp_corpus *c, size_t n)
{
    if (!c)
        return RP_EINVAL;
    if (c->ran)
        return RP_ESTATE;
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    c->expect = n;
    size_t ecap = c->cap, vcap = c->v16_cap;
    if (rp_grow(&c->e, &ecap, n, sizeof *c->e) < 0 ||
        rp_grow(&c->v16, &vcap, n * (size_t)c->o.hashes, sizeof *c->v16) < 0)
        return RP_ENOMEM;
    c->cap = ecap;
    c->v16_cap = vcap;
    if (c->idx_cap < 2 * n && id_rehash(c, 2 * n) != RP_OK)
        return RP_ENOMEM;
    return RP_OK;
}

/* Once every document is counted: drops the lines held by one document
 * (most of them: a story's own lines), so that the table is small while
 * LSH and verification run. A table that cannot be rebuilt smaller (out
 * of memory) stays whole, which gives the same counts. */
static void df_seal(rp_corpus *c)
{
    for (unsigned k = 0; c->df && k < DF_SUBS; k++) {
        df_table *t = &c->df[k];
        size_t m = 0;
        for (size_t i = 0; i < t->cap; i++)
            m += (t->slot[i] & 0xFF) >= 2;
        if (t->cap && df_cap_for(m) < t->cap)
            df_rebuild(t, df_cap_for(m), 2, NULL);
    }
}

/* @return the number of documents counted with line (exact, up to 255):
 * a line the table does not hold was held by one document, the one whose
 * line it is (df_seal drops those; every document rebuilt was counted). */
static unsigned df_lookup(const void *ctx, uint64_t line)
{
    const rp_corpus *c = ctx;
    if (c->df_fn)
        return c->df_fn(c->df_ctx, line);
    if (!c->df)
        return 1;
    const df_table *t = &c->df[df_mix(line) >> (64 - DF_SUBS_BITS)];
    uint64_t v = t->cap ? t->slot[df_find(t, line)] : 0;
    return v ? (unsigned)(v & 0xFF) : 1;
}

unsigned rp_corpus_df(const rp_corpus *c, uint64_t line)
{
    return df_lookup(c, line);
}

int rp_corpus_set_loader(rp_corpus *c, rp_load_fn fn, void *ctx)
{
    if (!c || c->n > 0 || c->ran)
        return RP_ESTATE;
    if (!c->df) {
        c->df = calloc(DF_SUBS, sizeof *c->df);
        if (!c->df)
            return RP_ENOMEM;
    }
    c->load = fn;
    c->load_ctx = ctx;
    return RP_OK;
}

int rp_corpus_doc_new(const rp_corpus *c, const char *text, size_t len, rp_doc **out)
{
    int rc = RP_EINVAL;
    *out = NULL;
    if (c && text)
        *out = c->load ? rp_doc_sketch(text, len, &c->o, &rc)
                       : rp_doc_build(text, len, &c->o, NULL, NULL, &rc);
    return rc;
}

int rp_corpus_add(rp_corpus *c, const char *id, rp_doc *d, size_t *index)
{
    int rc = RP_OK, found;
    char *copy = NULL;
    if (!c || !id || !d) {
        rc = RP_EINVAL;
        goto fail;
    }
    if (c->ran) {
        rc = RP_ESTATE;
        goto fail;
    }
    if (d->K != c->o.hashes || (!d->sh && d->n && !c->load)) {   /* (a sketch) */
        rc = RP_EINVAL;
        goto fail;
    }
    if ((c->n + 1) * 2 > c->idx_cap && id_rehash(c, 0) != RP_OK) {
        rc = RP_ENOMEM;
        goto fail;
    }
    size_t slot = id_slot(c, id, &found);
    if (found) {
        rc = RP_EDUPID;
        goto fail;
    }
    copy = strdup(id);
    if (!copy || rp_grow(&c->e, &c->cap, c->n + 1, sizeof *c->e) < 0 ||
        rp_grow(&c->v16, &c->v16_cap, (c->n + 1) * c->o.hashes, sizeof *c->v16) < 0) {
        rc = RP_ENOMEM;
        goto fail;
    }
    /* out of memory here leaves some of d's lines counted: the corpus
     * can no longer give scan's answer, and the caller stops */
    if (c->load && df_count(c, d) != RP_OK) {
        rc = RP_ENOMEM;
        goto fail;
    }
    struct entry *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    e->id = copy;
    e->nsh = (uint32_t)d->n;
    e->digest = d->digest;
    uint16_t *m = c->v16 + c->n * (size_t)c->o.hashes;
    for (unsigned k = 0; k < c->o.hashes; k++)
        m[k] = (uint16_t)d->sig[k];
    /* the kept ranges serve only a rebuild (compact mode) */
    if (c->load) {
        e->kept = d->kept;
        e->nkept = d->nkept;
    } else {
        free(d->kept);
    }
    d->kept = NULL;
    if (c->load)
        rp_doc_free(d);
    else
        e->doc = d;
    c->idx[slot] = c->n + 1;
    if (index)
        *index = c->n;
    c->n++;
    df_presize(c);
    return RP_OK;
fail:
    free(copy);
    rp_doc_free(d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Documents during verification                                        */
/* ------------------------------------------------------------------ */

/* Writes document i's shingle set to the spill file (opened on first
 * use). Failing is harmless: the document is then rebuilt instead. */
static void spill(rp_corpus *c, size_t i, const rp_doc *d)
{
    if (c->spill_fd == 0) {
        const char *dir = getenv("TMPDIR");
        char path[4096];
        c->spill_fd = -1;
        if (!dir || !*dir)
            dir = "/tmp";
        if ((size_t)snprintf(path, sizeof path, "%s/reprint-spill-XXXXXX", dir) >= sizeof path)
            return;
        int fd = mkstemp(path);
        if (fd < 0)
            return;
        unlink(path);
        c->spill_at = calloc(c->n, sizeof *c->spill_at);
        c->spill_n = calloc(c->n, sizeof *c->spill_n);
        if (!c->spill_at || !c->spill_n) {
            close(fd);
            return;
        }
        c->spill_fd = fd;
    }
    if (c->spill_fd < 0 || c->spill_at[i] || d->n == 0 || d->n > UINT32_MAX)
        return;
    const char *p = (const char *)d->sh;
    size_t len = d->n * sizeof *d->sh, done = 0;
    while (done < len) {
        ssize_t w = pwrite(c->spill_fd, p + done, len - done,
                           (off_t)(c->spill_end + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;   /* disk full: this one is rebuilt when needed */
        done += (size_t)w;
    }
    c->spill_at[i] = c->spill_end + 1;
    c->spill_n[i] = (uint32_t)d->n;
    c->spill_end += len;
}

/* @return document i read back from the spill file, or NULL. */
static rp_doc *unspill(const rp_corpus *c, size_t i)
{
    rp_doc *d = calloc(1, sizeof *d);
    size_t len = (size_t)c->spill_n[i] * sizeof(uint64_t), done = 0;
    if (!d || !(d->sh = malloc(len))) {
        free(d);
        return NULL;
    }
    d->n = c->spill_n[i];
    d->K = c->o.hashes;
    while (done < len) {
        ssize_t r = pread(c->spill_fd, (char *)d->sh + done, len - done,
                          (off_t)(c->spill_at[i] - 1 + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rp_doc_free(d);
            return NULL;
        }
        done += (size_t)r;
    }
    return d;
}

static int spilled(const rp_corpus *c, size_t i)
{
    return c->spill_at && c->spill_at[i];
}

static void cache_evict(rp_corpus *c, size_t keep)
{
    /* the newest document always stays: it is the one just asked for */
    while (c->cache_bytes > RP_VERIFY_CACHE && c->fifo_n > 1) {
        size_t i = c->fifo[c->fifo_head];
        if (i == keep)
            break;
        c->fifo_head = (c->fifo_head + 1) % c->n;
        c->fifo_n--;
        if (!c->cache[i])
            continue;   /* dropped when its last pair was verified */
        c->cache_bytes -= c->cache[i]->n * sizeof(uint64_t);
        if (c->left && c->left[i] > 0)
            spill(c, i, c->cache[i]);
        rp_doc_free(c->cache[i]);
        c->cache[i] = NULL;
    }
}

/* @return document i with its shingle set, rebuilt through the loader in
 * compact mode; NULL when it is lost (or memory ran out: c->fail). The
 * document `keep` is never evicted to make room. */
static int rebuild(const rp_corpus *c, size_t i, rp_doc **out);
static void cache_put(rp_corpus *c, size_t i, rp_doc *d, int rc, size_t keep);

static const rp_doc *get_doc(rp_corpus *c, size_t i, size_t keep)
{
    struct entry *e = &c->e[i];
    if (e->doc)
        return e->doc;
    if (e->lost)
        return NULL;
    if (c->cache[i])
        return c->cache[i];
    rp_doc *d = spilled(c, i) ? unspill(c, i) : NULL;
    int rc = RP_OK;
    if (!d)
        rc = rebuild(c, i, &d);
    cache_put(c, i, d, rc, i == keep ? SIZE_MAX : keep);
    return c->cache[i];
}

/* Rebuilds document i from the loader's text: @return RP_OK and *out, or
 * a negative code. Runs on any thread. */
static int rebuild(const rp_corpus *c, size_t i, rp_doc **out)
{
    const struct entry *e = &c->e[i];
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = c->load(c->load_ctx, i, &text, &len);
    if (rc == RP_OK) {
        rp_doc *d = rp_doc_rebuild(text, len, &c->o, df_lookup, c, e->kept,
                                   e->nkept, &rc);
        if (d && d->digest != e->digest) {
            rp_doc_free(d);
            d = NULL;
            rc = RP_ELOAD;
        }
        *out = d;
    }
    free(text);
    /* no words, or kept ranges that do not fit: the text changed */
    if (rc == RP_ENOWORDS || rc == RP_EINVAL)
        rc = RP_ELOAD;
    return rc;
}

/* Puts a rebuilt document (or its failure) into the cache. */
static void cache_put(rp_corpus *c, size_t i, rp_doc *d, int rc, size_t keep)
{
    if (!d) {
        if (rc == RP_ENOMEM)
            c->fail = RP_ENOMEM;
        else
            c->e[i].lost = rc == RP_OK ? RP_ELOAD : rc;
        return;
    }
    c->cache[i] = d;
    c->furniture += d->dropped;
    c->fifo[(c->fifo_head + c->fifo_n++) % c->n] = i;
    c->cache_bytes += d->n * sizeof(uint64_t);
    cache_evict(c, keep);
}

/* Documents to rebuild in parallel, one slot each. */
typedef struct preload {
    rp_corpus *c;
    size_t *doc;
    rp_doc **d;
    int *rc;
} preload;

static void preload_one(void *ctx, size_t k)
{
    preload *p = ctx;
    p->rc[k] = rebuild(p->c, p->doc[k], &p->d[k]);
}

/* At most this many documents, and a quarter of the cache, are rebuilt
 * in one parallel round ahead of the pairs that need them. */
#define PRELOAD_DOCS 256

/* Compares documents a and b exactly; a lost document matches nothing.
 * verifying: only whether they are similar matters (rp_doc_verify). */
static int compare_docs(rp_corpus *c, size_t a, size_t b, int verifying, rp_sim *out)
{
    const rp_doc *da = get_doc(c, a, SIZE_MAX);
    const rp_doc *db = da ? get_doc(c, b, a) : NULL;
    if (c->fail)
        return c->fail;
    if (!da || !db) {
        memset(out, 0, sizeof *out);
        return RP_OK;
    }
    (verifying ? rp_doc_verify : rp_doc_compare)(da, db, &c->o, out);
    return RP_OK;
}

static int compare_cb(void *ctx, size_t a, size_t b, rp_sim *out)
{
    return compare_docs(ctx, a, b, 0, out);
}

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

/* Every pair, for --exhaustive. @return the count or -1. */
static long all_pairs(size_t n, uint64_t **out)
{
    size_t m = n * (n - (n > 0)) / 2;
    *out = malloc((m ? m : 1) * sizeof **out);
    if (!*out || n > UINT32_MAX)
        return -1;
    size_t k = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            (*out)[k++] = (uint64_t)a << 32 | b;
    return (long)k;
}

/* Reorders the candidates (a << 32 | b, sorted) so that the pairs of one
 * connected component come together, components in order of their
 * smallest document, each component's pairs in (a, b) order. Then a
 * component's documents are loaded once and stay in the cache while its
 * pairs are verified. @return RP_OK or RP_ENOMEM. */
static int order_by_component(uint64_t *cand, size_t nc, size_t n)
{
    size_t *parent = malloc((n ? n : 1) * sizeof *parent);
    uint64_t *key = malloc((nc ? nc : 1) * sizeof *key);
    uint64_t *tmp = malloc((nc ? nc : 1) * sizeof *tmp);
    if (!parent || !key || !tmp) {
        free(parent);
        free(key);
        free(tmp);
        return RP_ENOMEM;
    }
    rp_uf_init(parent, n);
    for (size_t i = 0; i < nc; i++)
        rp_uf_union(parent, (size_t)(cand[i] >> 32), (size_t)(cand[i] & 0xFFFFFFFFu));
    /* root (the component's smallest document) in the high half, the
     * pair's position in the low half: a stable sort by component */
    for (size_t i = 0; i < nc; i++)
        key[i] = (uint64_t)rp_uf_find(parent, (size_t)(cand[i] >> 32)) << 32 | i;
    rp_sort_hi32(key, nc);
    for (size_t i = 0; i < nc; i++)
        tmp[i] = cand[key[i] & 0xFFFFFFFFu];
    if (nc)
        memcpy(cand, tmp, nc * sizeof *cand);
    free(parent);
    free(key);
    free(tmp);
    return RP_OK;
}

static int cmp_pair(const void *x, const void *y)
{
    const rp_pair *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* Rebuilds, on the pool, the documents of the pairs from cand[from] on
 * that are not in the cache yet, up to PRELOAD_DOCS of them or a quarter
 * of the cache. @return the index of the first pair not covered. */
static size_t preload_round(rp_corpus *c, pool *pl, const uint64_t *cand,
                            size_t from, size_t nc, preload *p, char *queued)
{
    size_t m = 0, bytes = 0, i = from;
    for (; i < nc; i++) {
        size_t ab[2] = {(size_t)(cand[i] >> 32), (size_t)(cand[i] & 0xFFFFFFFFu)};
        size_t need = 0;
        for (int k = 0; k < 2; k++)
            need += !c->e[ab[k]].doc && !c->e[ab[k]].lost && !c->cache[ab[k]] &&
                    !queued[ab[k]] && !spilled(c, ab[k]);
        if (m > 0 && (m + need > PRELOAD_DOCS || bytes > RP_VERIFY_CACHE / 4))
            break;
        for (int k = 0; k < 2; k++) {
            size_t d = ab[k];
            if (c->e[d].doc || c->e[d].lost || c->cache[d] || queued[d] || spilled(c, d))
                continue;
            queued[d] = 1;
            p->doc[m++] = d;
            bytes += c->e[d].nsh * sizeof(uint64_t);
        }
    }
    pool_run(pl, m, preload_one, p);
    for (size_t k = 0; k < m; k++) {
        queued[p->doc[k]] = 0;
        cache_put(c, p->doc[k], p->d[k], p->rc[k], SIZE_MAX);
    }
    return i;
}

/* Counts one pair of document i verified. Once none is left and none of
 * its pairs was similar, clustering will not compare it again, so its
 * rebuilt set leaves the cache at once (its place in the FIFO is then
 * passed over), and the heap memory it held serves the next rebuilds
 * instead of new pages. */
static void drop_done(rp_corpus *c, size_t i, const char *paired)
{
    if (--c->left[i] > 0 || paired[i] || !c->cache[i])
        return;
    c->cache_bytes -= c->cache[i]->n * sizeof(uint64_t);
    rp_doc_free(c->cache[i]);
    c->cache[i] = NULL;
}

/* Pairs compared at once on the pool (compare_round). */
#define COMPARE_PAIRS 4096

/* The comparisons of a round, one slot each: those of documents already
 * at hand, made on the pool. */
typedef struct compares {
    const rp_corpus *c;
    const uint64_t *cand;  /* the round's pairs */
    char *ready;           /* 1: both documents at hand, sim[k] is made */
    rp_sim *sim;
} compares;

/* @return document i when it is at hand without a rebuild (whole, or in
 * the cache), else NULL. */
static const rp_doc *at_hand(const rp_corpus *c, size_t i)
{
    const struct entry *e = &c->e[i];
    return e->doc ? e->doc : !e->lost && c->cache ? c->cache[i] : NULL;
}

static void compare_one(void *ctx, size_t k)
{
    const compares *w = ctx;
    if (w->ready[k])
        rp_doc_verify(at_hand(w->c, (size_t)(w->cand[k] >> 32)),
                      at_hand(w->c, (size_t)(w->cand[k] & 0xFFFFFFFFu)), &w->c->o,
                      &w->sim[k]);
}

/* Compares on the pool the pairs cand[0..m) whose two documents are at
 * hand. Nothing is rebuilt, evicted or freed meanwhile, so each result is
 * the one compare_docs would give in its turn; the others are left to
 * compare_docs (w->ready[k] == 0). */
static void compare_round(const rp_corpus *c, pool *pl, const uint64_t *cand, size_t m,
                          compares *w)
{
    w->c = c;
    w->cand = cand;
    for (size_t k = 0; k < m; k++)
        w->ready[k] = at_hand(c, (size_t)(cand[k] >> 32)) &&
                      at_hand(c, (size_t)(cand[k] & 0xFFFFFFFFu));
    pool_run(pl, m, compare_one, w);
}

/* Verifies the candidate pairs, keeping those that are similar. In compact
 * mode the documents are rebuilt a round at a time on c->threads threads,
 * ahead of the pairs that compare them; the pairs whose documents are at
 * hand are then compared on those threads too, COMPARE_PAIRS at a time,
 * and taken in order. */
static int verify(rp_corpus *c, const uint64_t *cand, size_t nc)
{
    int rc = RP_ENOMEM;
    size_t cap = 0, upto = 0, wfrom = 0, wto = 0;
    pool *pl = pool_new(c->threads ? c->threads : 1);
    preload p = {c, NULL, NULL, NULL};
    compares w = {c, NULL, malloc(COMPARE_PAIRS), malloc(COMPARE_PAIRS * sizeof *w.sim)};
    char *queued = NULL, *paired = NULL;
    if (!pl || !w.ready || !w.sim)
        goto out;
    if (c->load) {
        p.doc = malloc(PRELOAD_DOCS * sizeof *p.doc);
        p.d = malloc(PRELOAD_DOCS * sizeof *p.d);
        p.rc = malloc(PRELOAD_DOCS * sizeof *p.rc);
        queued = calloc(c->n ? c->n : 1, 1);
        paired = calloc(c->n ? c->n : 1, 1);
        c->left = calloc(c->n ? c->n : 1, sizeof *c->left);
        if (!p.doc || !p.d || !p.rc || !queued || !paired || !c->left)
            goto out;
        for (size_t i = 0; i < nc; i++) {
            c->left[cand[i] >> 32]++;
            c->left[cand[i] & 0xFFFFFFFFu]++;
        }
    }
    for (size_t i = 0; i < nc; i++) {
        if (c->load && i == upto)
            upto = preload_round(c, pl, cand, i, nc, &p, queued);
        if (i == wto) {
            size_t end = c->load ? upto : nc;
            wfrom = i;
            wto = end - i < COMPARE_PAIRS ? end : i + COMPARE_PAIRS;
            compare_round(c, pl, cand + i, wto - i, &w);
        }
        size_t a = (size_t)(cand[i] >> 32), bb = (size_t)(cand[i] & 0xFFFFFFFFu);
        rp_sim s;
        if (w.ready[i - wfrom]) {
            s = w.sim[i - wfrom];
        } else {
            rc = compare_docs(c, a, bb, 1, &s);
            if (rc != RP_OK)
                goto out;
        }
        if (c->left) {
            if (s.similar)
                paired[a] = paired[bb] = 1;
            drop_done(c, a, paired);
            drop_done(c, bb, paired);
        }
        if (!s.similar)
            continue;
        if (rp_grow(&c->pairs, &cap, c->npairs + 1, sizeof *c->pairs) < 0) {
            rc = RP_ENOMEM;
            goto out;
        }
        c->pairs[c->npairs++] = (rp_pair){a, bb, s};
    }
    rc = c->fail ? c->fail : RP_OK;
out:
    pool_free(pl);
    free(p.doc);
    free(p.d);
    free(p.rc);
    free(w.ready);
    free(w.sim);
    free(queued);
    free(paired);
    free(c->left);
    c->left = NULL;
    return rc;
}

/* The screen: could documents a and b reach the threshold at all? From
 * their 16-bit MinHash values (b-bit MinHash, Li and König, WWW 2010)
 * the share of agreeing values E estimates J + (1 - J) / 2^16, so J is
 * estimated, and bounded above at four standard errors; with the two set
 * sizes that bounds the containment. A pair whose bound stays under half
 * the threshold (half, because corpus-level furniture removed in
 * verification can raise a containment) is no candidate: LSH proposed it
 * on a band or two that agree by chance, as unrelated articles on one
 * topic do. Nothing is accepted here; every pair that passes is verified
 * exactly. @return nonzero when the pair must be verified. */
static int screen(const rp_corpus *c, size_t a, size_t b)
{
    unsigned K = c->o.hashes;
    return rp_screen_values(c->v16 + a * K, c->v16 + b * K, K, c->e[a].nsh,
                            c->e[b].nsh, c->o.threshold);
}

int rp_screen_values(const uint16_t *x, const uint16_t *y, unsigned K,
                     uint32_t nsa, uint32_t nsb, double threshold)
{
    unsigned eq = rp_minhash_agree16(x, y, K);
    const double chance = 1.0 / 65536;
    double e = (double)eq / K, j = (e - chance) / (1.0 - chance);
    if (j < 0)
        j = 0;
    double var = (j > 1.0 / K ? j : 1.0 / K) * (1 - j) / K;
    double up = j + 4 * sqrt(var) + 1.0 / K;
    if (up >= 1)
        return 1;
    double na = nsa, nb = nsb, lo = na < nb ? na : nb;
    double cont = up * (na + nb) / ((1 + up) * lo);
    return cont >= threshold / 2;
}

static int screen_cb(const void *ctx, size_t a, size_t b)
{
    return screen(ctx, a, b);
}

/* Keeps the candidates that pass the screen. @return their number. */
static size_t screen_all(const rp_corpus *c, uint64_t *cand, size_t nc)
{
    size_t w = 0;
    for (size_t i = 0; i < nc; i++)
        if (screen(c, (size_t)(cand[i] >> 32), (size_t)(cand[i] & 0xFFFFFFFFu)))
            cand[w++] = cand[i];
    return w;
}

int rp_corpus_set_threads(rp_corpus *c, unsigned n)
{
    if (!c || n == 0 || n > 256)
        return RP_EINVAL;
    c->threads = n;
    return RP_OK;
}

int rp_corpus_run(rp_corpus *c)
{
    if (c->ran)
        return RP_ESTATE;
    c->ran = 1;
    const rp_options *o = &c->o;
    c->stats.bands = c->bands;
    c->stats.rows = c->rows;
    df_seal(c);
    if (c->load && c->n > 0) {
        c->cache = calloc(c->n, sizeof *c->cache);
        c->fifo = malloc(c->n * sizeof *c->fifo);
        if (!c->cache || !c->fifo)
            return RP_ENOMEM;
    }

    double t0 = rp_now();
    uint64_t *cand = NULL;
    size_t refused = 0;
    long nc;
    if (o->exhaustive)
        nc = all_pairs(c->n, &cand);
    else {
        uint32_t *size = malloc((c->n ? c->n : 1) * sizeof *size);
        if (!size)
            return RP_ENOMEM;
        for (size_t i = 0; i < c->n; i++)
            size[i] = c->e[i].nsh;
        nc = rp_lsh_ensemble_threads(c->v16, size, c->n, o->hashes, c->bands, c->rows,
                                     o->threshold, screen_cb, c, c->threads ? c->threads : 1,
                                     &refused, &c->capped, &cand);
        free(size);
    }
    if (nc < 0)
        return RP_ENOMEM;
    c->stats.capped = c->capped;
    c->stats.candidates = (size_t)nc + refused;
    if (!o->exhaustive)
        nc = (long)screen_all(c, cand, (size_t)nc);
    free(c->v16);
    c->v16 = NULL;
    c->stats.screened = c->stats.candidates - (size_t)nc;
    if (c->load && order_by_component(cand, (size_t)nc, c->n) != RP_OK) {
        free(cand);
        return RP_ENOMEM;
    }
    double t1 = rp_now();

    int rc = verify(c, cand, (size_t)nc);
    free(cand);
    if (rc != RP_OK)
        return rc;
    if (c->load && c->npairs > 1)
        qsort(c->pairs, c->npairs, sizeof *c->pairs, cmp_pair);
    c->stats.verified = c->npairs;
    double t2 = rp_now();

    rc = rp_cluster_build(c->n, c->pairs, c->npairs, compare_cb, c, o, &c->cl);
    if (c->cache) {
        for (size_t i = 0; i < c->n; i++) {
            rp_doc_free(c->cache[i]);
            c->cache[i] = NULL;
        }
        c->fifo_n = 0;
        c->cache_bytes = 0;
    }
    double t3 = rp_now();
    c->stats.lsh = t1 - t0;
    c->stats.verify = t2 - t1;
    c->stats.cluster = t3 - t2;
    c->stats.furniture = c->furniture;
    /* c->df stays: rp_cluster_set_representative may rebuild documents */
    return rc;
}

int rp_corpus_lost(const rp_corpus *c, size_t i)
{
    return i < c->n ? c->e[i].lost : RP_EINVAL;
}

void rp_corpus_stats(const rp_corpus *c, rp_run_stats *out)
{
    *out = c->stats;
}

size_t rp_corpus_size(const rp_corpus *c)
{
    return c->n;
}

const char *rp_corpus_id(const rp_corpus *c, size_t i)
{
    return i < c->n ? c->e[i].id : NULL;
}

size_t rp_corpus_npairs(const rp_corpus *c)
{
    return c->npairs;
}

const rp_pair *rp_corpus_pair(const rp_corpus *c, size_t i)
{
    return i < c->npairs ? &c->pairs[i] : NULL;
}

size_t rp_corpus_nclusters(const rp_corpus *c)
{
    return c->cl.n;
}

size_t rp_cluster_size(const rp_corpus *c, size_t i)
{
    return i < c->cl.n ? c->cl.start[i + 1] - c->cl.start[i] : 0;
}

size_t rp_cluster_representative(const rp_corpus *c, size_t i)
{
    return c->cl.members[c->cl.start[i]].doc;
}

size_t rp_cluster_nrelated(const rp_corpus *c, size_t i)
{
    return i < c->cl.n && c->cl.rstart ? c->cl.rstart[i + 1] - c->cl.rstart[i] : 0;
}

const rp_member *rp_cluster_related(const rp_corpus *c, size_t i, size_t j)
{
    if (j >= rp_cluster_nrelated(c, i))
        return NULL;
    return &c->cl.related[c->cl.rstart[i] + j];
}

const rp_member *rp_cluster_member(const rp_corpus *c, size_t i, size_t j)
{
    if (i >= c->cl.n || j >= rp_cluster_size(c, i))
        return NULL;
    return &c->cl.members[c->cl.start[i] + j];
}

/* The verified pair of documents a < b, or NULL. */
static const rp_pair *find_pair(const rp_corpus *c, size_t a, size_t b)
{
    size_t lo = 0, hi = c->npairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rp_pair *p = &c->pairs[mid];
        if (p->a < a || (p->a == a && p->b < b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->npairs && c->pairs[lo].a == a && c->pairs[lo].b == b ? &c->pairs[lo] : NULL;
}

int rp_cluster_set_representative(rp_corpus *c, size_t i, size_t doc)
{
    if (!c->ran)
        return RP_ESTATE;
    if (i >= c->cl.n)
        return RP_EINVAL;
    rp_member *m = &c->cl.members[c->cl.start[i]];
    size_t n = c->cl.start[i + 1] - c->cl.start[i], j = 0;
    while (j < n && m[j].doc != doc)
        j++;
    if (j == n)
        return RP_EINVAL;
    if (j == 0)
        return RP_OK;
    rp_member *nm = malloc(n * sizeof *nm);
    if (!nm)
        return RP_ENOMEM;
    nm[0] = (rp_member){doc, 1.0, 1.0, 1.0, 1.0, SIZE_MAX};
    size_t w = 1;
    for (size_t k = 0; k < n; k++) {
        if (k == j)
            continue;
        size_t x = m[k].doc, a = x < doc ? x : doc, b = x < doc ? doc : x;
        const rp_pair *p = find_pair(c, a, b);
        rp_sim s;
        if (p) {
            s = p->sim;
        } else {
            int rc = compare_docs(c, a, b, 0, &s);
            if (rc != RP_OK) {
                free(nm);
                return rc;
            }
        }
        /* containment_ab is a in b: the member's share in doc is x in doc */
        double x_in_doc = x == a ? s.containment_ab : s.containment_ba;
        double doc_in_x = x == a ? s.containment_ba : s.containment_ab;
        nm[w++] = (rp_member){x, s.jaccard, x_in_doc, s.score, doc_in_x, SIZE_MAX};
    }
    /* the others in document order, as rp_cluster_member promises */
    for (size_t k = 2; k < n; k++)
        for (size_t q = k; q > 1 && nm[q - 1].doc > nm[q].doc; q--) {
            rp_member t = nm[q];
            nm[q] = nm[q - 1];
            nm[q - 1] = t;
        }
    memcpy(m, nm, n * sizeof *nm);
    free(nm);
    return RP_OK;
}

/* ------------------------------------------------------------------ */
/* Steps of the run one at a time, for reprint dist (corpus.h)          */
/* ------------------------------------------------------------------ */

int rp_corpus_add_entry(rp_corpus *c, const char *id, uint32_t nsh, uint64_t digest)
{
    if (!c || !c->load || c->ran)
        return RP_ESTATE;
    char *copy = NULL;
    if (id) {
        int found;
        if ((c->n + 1) * 2 > c->idx_cap && id_rehash(c, 0) != RP_OK)
            return RP_ENOMEM;
        size_t slot = id_slot(c, id, &found);
        if (found)
            return RP_EDUPID;
        if (!(copy = strdup(id)))
            return RP_ENOMEM;
        c->idx[slot] = c->n + 1;
    }
    if (rp_grow(&c->e, &c->cap, c->n + 1, sizeof *c->e) < 0) {
        free(copy);
        return RP_ENOMEM;
    }
    c->e[c->n] = (struct entry){.id = copy, .digest = digest, .nsh = nsh, .lost = RP_OK};
    c->n++;
    return RP_OK;
}

int rp_corpus_set_df(rp_corpus *c, unsigned (*fn)(const void *ctx, uint64_t line),
                     const void *ctx)
{
    if (!c || !c->load || c->n > 0 || c->ran)
        return RP_ESTATE;
    c->df_fn = fn;
    c->df_ctx = ctx;
    return RP_OK;
}

/* Sets up the cache of rebuilt documents (compact mode). */
static int prepare_cache(rp_corpus *c)
{
    if (c->load && c->n > 0 && !c->cache) {
        c->cache = calloc(c->n, sizeof *c->cache);
        c->fifo = malloc(c->n * sizeof *c->fifo);
        if (!c->cache || !c->fifo)
            return RP_ENOMEM;
    }
    return RP_OK;
}

int rp_corpus_verify_pairs(rp_corpus *c, const uint64_t *cand, size_t nc)
{
    if (!c || c->ran)
        return RP_ESTATE;
    c->ran = 1;
    int rc = prepare_cache(c);
    if (rc == RP_OK)
        rc = verify(c, cand, nc);
    c->stats.verified = c->npairs;
    c->stats.furniture = c->furniture;
    return rc;
}

int rp_corpus_cluster_pairs(rp_corpus *c, rp_pair *pairs, size_t np)
{
    if (!c || c->ran) {
        free(pairs);
        return RP_ESTATE;
    }
    c->ran = 1;
    c->pairs = pairs;
    c->npairs = np;
    c->stats.verified = np;
    int rc = prepare_cache(c);
    if (rc == RP_OK)
        rc = rp_cluster_build(c->n, c->pairs, c->npairs, compare_cb, c, &c->o, &c->cl);
    return rc;
}
