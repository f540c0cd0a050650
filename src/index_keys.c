/*
 * index_keys.c - band-key storage of the index: the LSH lookup from (band,
 * key) to the documents that have it, held in memory and rebuilt from the
 * docs table, which is its durable log.
 *
 * Each document row stores its band keys (docs.keys), so the lookup need
 * not be a table of its own: written to SQLite, it cost one B-tree update
 * per band per document (about 65 B-tree operations a document in all),
 * which capped `index add` at 2,600 documents/s at a million documents.
 * Here it is an open-addressing hash table of (tag, row) entries, 8 bytes
 * each, tag = the key mixed with its band; a lookup is one probe run, an
 * insert one more entry. SQLite stays the only thing that must survive a
 * crash.
 *
 * At a million documents a rebuild of that table at every opening cost
 * 23 s, so the lookup has two parts. The base holds the rows up to some
 * row `blast` as (tag << 32 | row) entries, sorted, each in the first
 * free slot at or after its home slot (ix_slot_place), so that a lookup
 * reads one place: it is read from the snapshot file that index_snap.c
 * writes beside the index (checked before it is trusted), or, when there
 * is none to trust, built from one scan of the docs table and one radix
 * sort, in huge pages (ix_big_alloc). The delta is the hash table above, for
 * the rows added since: the rows above the snapshot's are read from the
 * docs table at opening, and the rows this process adds go in as they are
 * added. When the delta has grown to CHECKPOINT_GROW times the base (and
 * when a writer closes the index after adding enough), both are merged
 * into a new base and written as a new snapshot (ix_keys_checkpoint).
 *
 * The lookup is brought up to date when another process has written since
 * (PRAGMA data_version): rows above the last one seen are added; a removal
 * by another process (the meta counter 'removed') or a rolled-back batch
 * of our own rebuilds it whole (from the snapshot when it is still valid,
 * else from the docs table). A removal of our own marks a base row gone in
 * a bitmap, or a delta entry removed.
 *
 * Containment candidates follow scan (rp_lsh_ensemble in lsh.c, after LSH
 * Ensemble, Zhu, Nargesian, Pu and Miller, VLDB 2016): besides its bands,
 * a document is entered under RP_INDEX_SKEW_BINS single MinHash values
 * (bins), the first ones after those its bands already use, and bin j
 * pairs only documents whose set sizes differ by rp_lsh_ratios()'s ratio
 * for it or more: a short article inside a long one has a Jaccard far
 * below its containment, too low for the bands. Scan uses every bin up to
 * the corpus's widest size ratio; the index keeps a fixed number, so it
 * reaches size ratios up to that of its last bin (about 8.8 at threshold
 * 0.5 with 32 bands of one row) and finds wider pairs by the bands only.
 * The values are kept whole (32 bits): scan's 16-bit values meet by chance
 * and need its screen, which needs the whole signature.
 *
 * A key keeps at most RP_INDEX_BUCKET_MAX documents, the oldest (lowest
 * rows) when it is built (the first ones of the sorted base), and takes no
 * more while base and delta together hold that many; later ones are found
 * through their other bands.
 * Two (band, key) pairs may share a tag: their documents then meet as
 * candidates, and the caller's same-band test (index_match.c) drops them.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE */
#include "index_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lsh.h"
#include "util.h"

#define EMPTY 0u
#define GONE UINT32_MAX   /* a removed entry: probing goes on past it */
/* The delta is saved as a new snapshot once it holds this many rows and
 * CHECKPOINT_GROW times as many as the base: each snapshot sorts, merges
 * and writes the whole table, so a long run writes about
 * 1 + 1 / CHECKPOINT_GROW times its final size in snapshots before the
 * one at closing (at 1, twice: a quarter of the adding thread's time at
 * a million documents). */
#define CHECKPOINT_MIN 4096
#define CHECKPOINT_GROW 3

static uint32_t tag_of(uint32_t key, unsigned band)
{
    uint64_t x = ((uint64_t)band << 32 | key) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

/* The delta's home slot of tag: its top bits (tags are mixed already),
 * so that the table holds its entries nearly in tag order and a snapshot
 * reads them out sorted in one pass (ix_delta_sorted). */
static size_t home(const keytab *t, uint32_t tag)
{
    return (size_t)(((uint64_t)tag * (t->top + 1)) >> 32);
}

/* The rows the delta takes before the next snapshot. */
static size_t checkpoint_bar(const keytab *t)
{
    size_t bar = t->brows * CHECKPOINT_GROW;
    return bar > CHECKPOINT_MIN ? bar : CHECKPOINT_MIN;
}

void ix_base_free(keytab *t)
{
    if (t->maplen)
        munmap(t->mem, t->maplen);
    else
        free(t->mem);
    t->maplen = 0;
    free(t->own_base);
    free(t->own_nsh);
    free(t->gone);
    t->mem = NULL;
    t->own_base = NULL;
    t->rebuilt = 0;
    t->own_nsh = NULL;
    t->gone = NULL;
    t->base = NULL;
    t->bnsh = NULL;
    t->nslots = t->nhome = t->brows = 0;
    t->blast = 0;
}

void *ix_big_alloc(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    if (n < huge)
        return malloc(n ? n : 1);
    void *p = NULL;
    if (posix_memalign(&p, huge, (n + huge - 1) / huge * huge) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, (n + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
    return p;
}

void *ix_big_zalloc(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    /* calloc takes a large block straight from the system, zeroed, and
     * does not write it again: a page is zeroed once, when first touched */
    uint8_t *p = calloc(1, n ? n : 1);
#ifdef MADV_HUGEPAGE
    if (p && n >= 2 * huge) {
        uintptr_t a = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
        uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(huge - 1);
        if (e > a)
            madvise((void *)a, e - a, MADV_HUGEPAGE);
    }
#endif
    return p;
}

/* Empties the delta. */
static void delta_free(keytab *t)
{
    free(t->e);
    free(t->nsh);
    t->e = NULL;
    t->nsh = NULL;
    t->top = t->used = t->nnsh = t->drows = 0;
}

void ix_keys_free(keytab *t)
{
    ix_base_free(t);
    delta_free(t);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* The base                                                             */
/* ------------------------------------------------------------------ */

size_t ix_slot_homes(size_t n)
{
    return n + n / 4 + 64;   /* a load of at most 0.8 */
}

static size_t slot_home(uint32_t tag, size_t homes)
{
    return (size_t)(((uint64_t)tag * homes) >> 32);
}

size_t ix_slot_place(slotw *w, uint64_t entry)
{
    size_t h = slot_home((uint32_t)(entry >> 32), w->homes);
    if (w->pos < h)
        w->pos = h;
    return w->pos++;
}

/* Is base row `row` there and not removed since? */
static int base_live(const keytab *t, uint64_t row)
{
    return row <= (uint64_t)t->blast && t->bnsh[row] != 0 &&
           !(t->gone && (t->gone[row >> 3] >> (row & 7) & 1));
}

/* @return the slot of the first entry of tag in the base, if it has any:
 * its entries are those from there on that have its tag. Entries of
 * lower tags pushed past their home slots come before it; no empty slot
 * does (ix_slot_place). */
static size_t base_find(const keytab *t, uint32_t tag)
{
    if (!t->base)
        return 0;
    size_t i = slot_home(tag, t->nhome);
    while (i < t->nslots && t->base[i] && (uint32_t)(t->base[i] >> 32) < tag)
        i++;
    return i;
}

/* Is slot i of the base an entry of tag? */
static int base_is(const keytab *t, size_t i, uint32_t tag)
{
    return t->base && i < t->nslots && t->base[i] && (uint32_t)(t->base[i] >> 32) == tag;
}

/* ------------------------------------------------------------------ */
/* The delta                                                            */
/* ------------------------------------------------------------------ */

/* The slot after slot i of the delta (top + 1 slots, not always a power
 * of two). */
static size_t next_slot(const keytab *t, size_t i)
{
    return i == t->top ? 0 : i + 1;
}

size_t ix_delta_start(const keytab *t)
{
    size_t i = 0;
    while (t->e && i < t->top && t->e[i].row != EMPTY)
        i++;
    return i;
}

/* Makes room for `more` entries: by doubling, or, `exact`, for those at
 * the highest load (0.7; a long run sizes the delta for all the rows it
 * takes before the next snapshot at once). @return 0 or -1 (out of
 * memory). */
static int reserve(keytab *t, size_t more, int exact)
{
    size_t want = t->used + more;
    if (t->e && want * 10 <= (t->top + 1) * 7)
        return 0;
    size_t cap = 1024;
    if (exact && want / 7 * 10 + 10 > cap)
        cap = want / 7 * 10 + 10;
    while (cap < want * 2 && !exact)
        cap *= 2;
    if (cap > (size_t)1 << 32)
        return -1;   /* home() takes at most 2^32 slots */
    keyent *e = ix_big_zalloc(cap * sizeof *e);
    if (!e)
        return -1;
    keytab n = *t;
    n.e = e;
    n.top = cap - 1;
    n.used = 0;
    /* read round from an empty slot, the entries come in about tag order
     * and go to the new table's slots in about that order too */
    size_t start = ix_delta_start(t);
    for (size_t k = 0; t->e && k <= t->top; k++) {
        size_t at = start + k;
        keyent x = t->e[at > t->top ? at - t->top - 1 : at];
        if (x.row == EMPTY || x.row == GONE)
            continue;
        size_t j = home(&n, x.tag);
        while (n.e[j].row != EMPTY)
            j = next_slot(&n, j);
        n.e[j] = x;
        n.used++;
    }
    free(t->e);
    *t = n;
    return 0;
}

/* Adds row under each of its n keys (a key already holding
 * RP_INDEX_BUCKET_MAX documents in base and delta takes no more). */
static void put(keytab *t, uint32_t row, const uint32_t *keys, unsigned n)
{
    for (unsigned b = 0; b < n; b++) {
        uint32_t tag = tag_of(keys[b], b);
        size_t i = home(t, tag), slot = SIZE_MAX;
        unsigned have = 0;
        while (t->e[i].row != EMPTY) {
            if (t->e[i].row == GONE) {
                if (slot == SIZE_MAX)
                    slot = i;
            } else if (t->e[i].tag == tag) {
                have++;
            }
            i = next_slot(t, i);
        }
        for (size_t k = base_find(t, tag); base_is(t, k, tag); k++)
            have += (unsigned)base_live(t, (uint32_t)t->base[k]);
        if (have >= RP_INDEX_BUCKET_MAX)
            continue;
        if (slot == SIZE_MAX) {
            slot = i;
            t->used++;
        }
        t->e[slot] = (keyent){tag, row};
    }
}

/* Sets (*v)[row] = val, growing *v (of *nv values) with zeros.
 * @return 0 or -1 (out of memory). */
static int nsh_put(uint32_t **v, size_t *nv, uint32_t row, uint32_t val)
{
    if (row >= *nv) {
        size_t cap = *nv ? *nv : 1024;
        while (cap <= row)
            cap *= 2;
        uint32_t *w = realloc(*v, cap * sizeof *w);
        if (!w)
            return -1;
        memset(w + *nv, 0, (cap - *nv) * sizeof *w);
        *v = w;
        *nv = cap;
    }
    (*v)[row] = val;
    return 0;
}

/* Remembers the set size of delta row `row` (for the containment
 * candidates). */
static int set_nsh(keytab *t, uint32_t row, uint32_t nsh)
{
    return nsh_put(&t->nsh, &t->nnsh, row, nsh);
}

int ix_keys_bins(rp_index *ix)
{
    unsigned K = ix->o.hashes;
    double *ratio = malloc(K * sizeof *ratio);
    ix->nskew = 0;
    if (!ratio)
        return RP_ENOMEM;
    if (rp_lsh_ratios(ix->o.threshold, K, ix->bands, ix->rows, ratio) == RP_OK)
        for (unsigned i = 0; i < K && ix->nskew < RP_INDEX_SKEW_BINS; i++) {
            if ((ix->rows == 1 && i < ix->bands) || !isfinite(ratio[i]))
                continue;   /* a band already, or no pair needs it */
            ix->skew_bin[ix->nskew] = i;
            ix->skew_ratio[ix->nskew++] = ratio[i];
        }
    free(ratio);
    return RP_OK;
}

int ix_keys_skew_ok(const rp_index *ix, unsigned j, size_t nsh, size_t other)
{
    double lo = (double)(nsh < other ? nsh : other), hi = (double)(nsh < other ? other : nsh);
    return lo > 0 && hi >= ix->skew_ratio[j] * lo;
}

size_t ix_keys_row_nsh(const keytab *t, int64_t row)
{
    if (row <= 0)
        return 0;
    if (row <= t->blast && base_live(t, (uint64_t)row))
        return t->bnsh[row];
    return (uint64_t)row < t->nnsh ? t->nsh[row] : 0;
}

size_t ix_keys_nsh(const rp_index *ix, int64_t row)
{
    return ix_keys_row_nsh(&ix->keys, row);
}

int ix_keys_add(rp_index *ix, int64_t row, const uint32_t *keys, unsigned nkeys, size_t nsh)
{
    keytab *t = &ix->keys;
    if (!t->built)
        return RP_OK;   /* not built yet: the build will read this row */
    /* in a long run (one that has reached a checkpoint), the delta will
     * grow to the checkpoint's bar before the next one: size it for that
     * at once rather than by doublings, each a rehash of the whole table
     * into new memory (with a sixteenth more for the rest of the batch
     * in which it reaches the bar: the checkpoint waits for its commit) */
    size_t more = nkeys;
    if (ix->bulk && t->drows == 0)
        more = (checkpoint_bar(t) + checkpoint_bar(t) / 16) * nkeys;
    if (reserve(t, more, more > nkeys) < 0 || set_nsh(t, (uint32_t)row, (uint32_t)nsh) < 0)
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    put(t, (uint32_t)row, keys, nkeys);
    t->drows++;
    t->saved = 0;
    if (row > t->last)
        t->last = row;
    return RP_OK;
}

void ix_keys_remove(rp_index *ix, int64_t row, const uint32_t *keys)
{
    keytab *t = &ix->keys;
    if (!t->built || row <= 0)
        return;
    t->saved = 0;
    if (base_live(t, (uint64_t)row)) {
        if (!t->gone && !(t->gone = calloc((size_t)t->blast / 8 + 1, 1))) {
            t->stale = 1;   /* no room to mark it: rebuild */
            return;
        }
        t->gone[row >> 3] |= (uint8_t)(1u << (row & 7));
    }
    for (unsigned b = 0; keys && t->e && b < ix->bands + ix->nskew; b++) {
        uint32_t tag = tag_of(keys[b], b);
        for (size_t i = home(t, tag); t->e[i].row != EMPTY; i = next_slot(t, i))
            if (t->e[i].tag == tag && t->e[i].row == (uint32_t)row) {
                t->e[i].row = GONE;
                break;
            }
    }
    if ((uint64_t)row < t->nnsh)
        t->nsh[row] = 0;
    /* SQLite gives the next row the highest one plus one: the rows read
     * from the file must start above the highest left */
    while (t->last > 0 && !ix_keys_row_nsh(t, t->last))
        t->last--;
}

void ix_keys_prefetch(const rp_index *ix, const uint32_t *keys, unsigned n)
{
    const keytab *t = &ix->keys;
    if (!t->built)
        return;
    /* the misses of one document's keys overlap instead of following
     * one another */
    for (unsigned b = 0; b < n; b++) {
        uint32_t tag = tag_of(keys[b], b);
        if (t->base)
            __builtin_prefetch(&t->base[slot_home(tag, t->nhome)]);
        if (t->e)
            __builtin_prefetch(&t->e[home(t, tag)]);
    }
}

long ix_keys_get(rp_index *ix, unsigned band, uint32_t key, uint32_t *v, long cap)
{
    const keytab *t = &ix->keys;
    long n = 0;
    if (!t->built)
        return 0;
    uint32_t tag = tag_of(key, band);
    for (size_t k = base_find(t, tag); base_is(t, k, tag) && n < cap; k++)
        if (base_live(t, (uint32_t)t->base[k]))
            v[n++] = (uint32_t)t->base[k];
    for (size_t i = t->e ? home(t, tag) : 0; t->e && t->e[i].row != EMPTY; i = next_slot(t, i))
        if (t->e[i].tag == tag && t->e[i].row != GONE && n < cap)
            v[n++] = t->e[i].row;
    return n;
}

/* Reads the meta counter of removals. */
static int removed_count(rp_index *ix, int64_t *out)
{
    *out = 0;
    int rc = ix_query_int(ix, "SELECT value FROM meta WHERE key = 'removed'", out);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RP_OK : ix_db_fail(ix, rc);
}

/* The rows of docs above `after`, in row order, one at a time. */
typedef struct rowscan {
    sqlite3_stmt *q;
    uint32_t *keys;
    int64_t row, nsh;
    unsigned nk;
} rowscan;

static int scan_open(rp_index *ix, rowscan *r, int64_t after)
{
    memset(r, 0, sizeof *r);
    int rc = sqlite3_prepare_v2(ix->db, ix->format >= 2
                                ? "SELECT rowid, keys, nsh, skew FROM docs WHERE rowid > ? ORDER BY rowid"
                                : "SELECT rowid, keys, nsh, NULL FROM docs WHERE rowid > ? ORDER BY rowid",
                                -1, &r->q, NULL);
    if (rc != SQLITE_OK)
        return ix_db_fail(ix, rc);
    sqlite3_bind_int64(r->q, 1, after);
    r->keys = malloc(((size_t)ix->bands + ix->nskew) * 4 + 1);
    return r->keys ? RP_OK : ix_fail(ix, RP_ENOMEM, "out of memory");
}

/* Reads the next sound row into r (a damaged row is found by nothing and
 * skipped). @return 1, 0 at the end, or a negative RP_E* code. */
static int scan_next(rp_index *ix, rowscan *r, int64_t *last)
{
    size_t kb = (size_t)ix->bands * 4, sb = (size_t)ix->nskew * 4;
    int rc;
    while ((rc = sqlite3_step(r->q)) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(r->q, 0);
        const void *b = sqlite3_column_blob(r->q, 1);
        int64_t nsh = sqlite3_column_int64(r->q, 2);
        if (row > *last)
            *last = row;
        if (!b || (size_t)sqlite3_column_bytes(r->q, 1) != kb || row <= 0 ||
            row >= (int64_t)UINT32_MAX || nsh < 1 || nsh > (int64_t)UINT32_MAX)
            continue;
        memcpy(r->keys, b, kb);
        r->nk = ix->bands;
        const void *sk = sqlite3_column_blob(r->q, 3);
        if (sk && (size_t)sqlite3_column_bytes(r->q, 3) == sb) {
            memcpy(r->keys + ix->bands, sk, sb);
            r->nk += ix->nskew;
        }
        r->row = row;
        r->nsh = nsh;
        return 1;
    }
    return rc == SQLITE_DONE ? 0 : ix_db_fail(ix, rc);
}

static void scan_close(rowscan *r)
{
    sqlite3_finalize(r->q);
    free(r->keys);
}

/* Adds the documents with rows above t->last to the delta, in row order. */
static int load_from(rp_index *ix)
{
    keytab *t = &ix->keys;
    rowscan r;
    int code = scan_open(ix, &r, t->last), got;
    while (code == RP_OK && (got = scan_next(ix, &r, &t->last)) != 0) {
        if (got < 0) {
            code = got;
            break;
        }
        if (reserve(t, r.nk, 0) < 0 || set_nsh(t, (uint32_t)r.row, (uint32_t)r.nsh) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            break;
        }
        put(t, (uint32_t)r.row, r.keys, r.nk);
        t->drows++;
        t->saved = 0;
    }
    scan_close(&r);
    return code;
}

/* Builds the base from every row of docs: all entries, sorted, each tag
 * keeping its RP_INDEX_BUCKET_MAX lowest rows. */
static int build_base(rp_index *ix)
{
    keytab *t = &ix->keys;
    rowscan r;
    uint64_t *v = NULL;
    uint32_t *nsh = NULL;
    size_t n = 0, cap = 0, nn = 0, rows = 0;
    int64_t last = 0;
    int code = scan_open(ix, &r, 0), got;
    while (code == RP_OK && (got = scan_next(ix, &r, &last)) != 0) {
        if (got < 0) {
            code = got;
            break;
        }
        if (rp_grow(&v, &cap, n + r.nk, sizeof *v) < 0 ||
            nsh_put(&nsh, &nn, (uint32_t)r.row, (uint32_t)r.nsh) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            break;
        }
        for (unsigned b = 0; b < r.nk; b++)
            v[n++] = (uint64_t)tag_of(r.keys[b], b) << 32 | (uint64_t)r.row;
        rows++;
    }
    scan_close(&r);
    if (code == RP_OK && (size_t)last >= nn && nsh_put(&nsh, &nn, (uint32_t)last, 0) < 0)
        code = ix_fail(ix, RP_ENOMEM, "out of memory");   /* rows 0..last */
    uint64_t *slots = NULL;
    size_t w = 0, run = 0, len = 0;
    if (code == RP_OK) {
        rp_sort_u64(v, n);
        for (size_t i = 0; i < n; i++) {
            run = i > 0 && v[i] >> 32 == v[i - 1] >> 32 ? run + 1 : 0;
            if (run < RP_INDEX_BUCKET_MAX)
                v[w++] = v[i];
        }
        slotw sw = {0, ix_slot_homes(w)};
        for (size_t i = 0; i < w; i++)
            len = ix_slot_place(&sw, v[i]) + 1;
        if (len < sw.homes)
            len = sw.homes;
        if ((slots = ix_big_zalloc(len * sizeof *slots)) == NULL)
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
    }
    if (code != RP_OK) {
        free(v);
        free(nsh);
        return code;
    }
    slotw sw = {0, ix_slot_homes(w)};
    for (size_t i = 0; i < w; i++)
        slots[ix_slot_place(&sw, v[i])] = v[i];
    free(v);
    t->own_base = slots;
    t->own_nsh = nsh;
    t->base = slots;
    t->nslots = len;
    t->nhome = sw.homes;
    t->bnsh = nsh;
    t->blast = last;
    t->brows = rows;
    t->last = last;
    t->saved = 0;
    t->rebuilt = 1;
    return RP_OK;
}

int ix_keys_sync(rp_index *ix)
{
    keytab *t = &ix->keys;
    int64_t ver = 0, removed = 0;
    /* a batch holds the write lock from its BEGIN IMMEDIATE: once brought
     * up to date in it, no other process can have written since */
    if (ix->in_batch && ix->batch_synced && t->built && !t->stale)
        return RP_OK;
    int rc = ix_query_int(ix, "PRAGMA data_version", &ver);
    if (rc != SQLITE_ROW)
        return ix_db_fail(ix, rc);
    if (t->built && !t->stale && ver == t->version)
        return RP_OK;   /* no other connection wrote since */
    int code = removed_count(ix, &removed);
    if (code != RP_OK)
        return code;
    if (!t->built || t->stale || removed != t->removed) {
        /* rows are only ever added, except by a removal (which counts in
         * 'removed'): only then may a row number name another document */
        ix_rows_clear(ix);
        ix_keys_free(t);
        if (!ix_snap_load(ix, t, removed))
            code = build_base(ix);
        if (code == RP_OK && reserve(t, 0, 0) < 0)
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
        t->built = 1;
    }
    if (code == RP_OK)
        code = load_from(ix);
    if (code != RP_OK) {
        ix_keys_free(t);
        return code;
    }
    t->version = ver;
    t->removed = removed;
    ix->batch_synced = ix->in_batch;
    return RP_OK;
}

void ix_keys_checkpoint(rp_index *ix, int closing)
{
    keytab *t = &ix->keys;
    if (!ix->db || !ix->writable || ix->in_batch || !t->built || t->stale || t->saved)
        return;
    size_t bar = checkpoint_bar(t);
    if (t->drows >= bar && !closing)
        ix->bulk = 1;
    if (t->rebuilt || t->drows >= bar ||
        (closing && (t->gone || t->drows * 16 >= t->brows)))
        ix_snap_save(ix, t);
}

int ix_keys_note_removal(rp_index *ix)
{
    int rc = sqlite3_exec(ix->db, "INSERT INTO meta(key, value) VALUES ('removed', 1) "
                          "ON CONFLICT(key) DO UPDATE SET value = value + 1", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return ix_db_fail(ix, rc);
    ix->keys.removed++;
    return RP_OK;
}
