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
 * crash: the table is rebuilt from docs when the index is opened (one scan
 * of the docs table) and brought up to date when another process has
 * written since (PRAGMA data_version): rows above the last one seen are
 * added; a removal anywhere (the meta counter 'removed') or a rolled-back
 * batch of our own rebuilds it whole.
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
 * rows) when it is built; later ones are found through their other bands.
 * Two (band, key) pairs may share a tag: their documents then meet as
 * candidates, and the caller's same-band test (index_match.c) drops them.
 */
#define _POSIX_C_SOURCE 200809L
#include "index_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lsh.h"

#define EMPTY 0u
#define GONE UINT32_MAX   /* a removed entry: probing goes on past it */

static uint32_t tag_of(uint32_t key, unsigned band)
{
    uint64_t x = ((uint64_t)band << 32 | key) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

static size_t home(const keytab *t, uint32_t tag)
{
    return (size_t)(((uint64_t)tag * 0xC2B2AE3D27D4EB4Full) >> 32) & t->mask;
}

void ix_keys_free(keytab *t)
{
    free(t->e);
    free(t->nsh);
    memset(t, 0, sizeof *t);
}

/* Makes room for `more` entries. @return 0 or -1 (out of memory). */
static int reserve(keytab *t, size_t more)
{
    size_t want = t->used + more;
    if (t->e && want * 10 <= (t->mask + 1) * 7)
        return 0;
    size_t cap = 1024;
    while (cap < want * 2)
        cap *= 2;
    keyent *e = calloc(cap, sizeof *e);
    if (!e)
        return -1;
    keytab n = *t;
    n.e = e;
    n.mask = cap - 1;
    n.used = 0;
    for (size_t i = 0; t->e && i <= t->mask; i++) {
        keyent x = t->e[i];
        if (x.row == EMPTY || x.row == GONE)
            continue;
        size_t j = home(&n, x.tag);
        while (n.e[j].row != EMPTY)
            j = (j + 1) & n.mask;
        n.e[j] = x;
        n.used++;
    }
    free(t->e);
    *t = n;
    return 0;
}

/* Adds row under each of its n keys (a key already holding
 * RP_INDEX_BUCKET_MAX documents takes no more). */
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
            i = (i + 1) & t->mask;
        }
        if (have >= RP_INDEX_BUCKET_MAX)
            continue;
        if (slot == SIZE_MAX) {
            slot = i;
            t->used++;
        }
        t->e[slot] = (keyent){tag, row};
    }
}

/* Remembers the set size of row (for the containment candidates). */
static int set_nsh(keytab *t, uint32_t row, uint32_t nsh)
{
    if (row >= t->nnsh) {
        size_t cap = t->nnsh ? t->nnsh : 1024;
        while (cap <= row)
            cap *= 2;
        uint32_t *v = realloc(t->nsh, cap * sizeof *v);
        if (!v)
            return -1;
        memset(v + t->nnsh, 0, (cap - t->nnsh) * sizeof *v);
        t->nsh = v;
        t->nnsh = cap;
    }
    t->nsh[row] = nsh;
    return 0;
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

size_t ix_keys_nsh(const rp_index *ix, int64_t row)
{
    return row > 0 && (uint64_t)row < ix->keys.nnsh ? ix->keys.nsh[row] : 0;
}

int ix_keys_add(rp_index *ix, int64_t row, const uint32_t *keys, unsigned nkeys, size_t nsh)
{
    keytab *t = &ix->keys;
    if (!t->e)
        return RP_OK;   /* not built yet: the build will read this row */
    if (reserve(t, nkeys) < 0 || set_nsh(t, (uint32_t)row, (uint32_t)nsh) < 0)
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    put(t, (uint32_t)row, keys, nkeys);
    if (row > t->last)
        t->last = row;
    return RP_OK;
}

void ix_keys_remove(rp_index *ix, int64_t row, const uint32_t *keys)
{
    keytab *t = &ix->keys;
    if (!t->e || !keys)
        return;
    for (unsigned b = 0; b < ix->bands + ix->nskew; b++) {
        uint32_t tag = tag_of(keys[b], b);
        for (size_t i = home(t, tag); t->e[i].row != EMPTY; i = (i + 1) & t->mask)
            if (t->e[i].tag == tag && t->e[i].row == (uint32_t)row) {
                t->e[i].row = GONE;
                break;
            }
    }
    if ((uint64_t)row < t->nnsh)
        t->nsh[row] = 0;
}

long ix_keys_get(rp_index *ix, unsigned band, uint32_t key, uint32_t *v, long cap)
{
    const keytab *t = &ix->keys;
    long n = 0;
    if (!t->e)
        return 0;
    uint32_t tag = tag_of(key, band);
    for (size_t i = home(t, tag); t->e[i].row != EMPTY; i = (i + 1) & t->mask)
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

/* Adds the documents with rows above t->last, in row order. */
static int load_from(rp_index *ix)
{
    keytab *t = &ix->keys;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(ix->db, ix->format >= 2
                                ? "SELECT rowid, keys, nsh, skew FROM docs WHERE rowid > ? ORDER BY rowid"
                                : "SELECT rowid, keys, nsh, NULL FROM docs WHERE rowid > ? ORDER BY rowid",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return ix_db_fail(ix, rc);
    sqlite3_bind_int64(q, 1, t->last);
    int code = RP_OK;
    size_t kb = (size_t)ix->bands * 4, sb = (size_t)ix->nskew * 4;
    uint32_t *keys = malloc(kb + sb + 1);
    if (!keys)
        code = ix_fail(ix, RP_ENOMEM, "out of memory");
    while (code == RP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(q, 0);
        const void *b = sqlite3_column_blob(q, 1);
        int64_t nsh = sqlite3_column_int64(q, 2);
        if (row > t->last)
            t->last = row;
        if (!b || (size_t)sqlite3_column_bytes(q, 1) != kb || row <= 0 ||
            row >= (int64_t)UINT32_MAX || nsh < 1 || nsh > (int64_t)UINT32_MAX)
            continue;   /* a damaged row: found by nothing */
        memcpy(keys, b, kb);
        unsigned nk = ix->bands;
        const void *sk = sqlite3_column_blob(q, 3);
        if (sk && (size_t)sqlite3_column_bytes(q, 3) == sb) {
            memcpy(keys + ix->bands, sk, sb);
            nk += ix->nskew;
        }
        if (reserve(t, nk) < 0 || set_nsh(t, (uint32_t)row, (uint32_t)nsh) < 0) {
            code = ix_fail(ix, RP_ENOMEM, "out of memory");
            break;
        }
        put(t, (uint32_t)row, keys, nk);
    }
    if (code == RP_OK && rc != SQLITE_DONE)
        code = ix_db_fail(ix, rc);
    free(keys);
    sqlite3_finalize(q);
    return code;
}

int ix_keys_sync(rp_index *ix)
{
    keytab *t = &ix->keys;
    int64_t ver = 0, removed = 0;
    int rc = ix_query_int(ix, "PRAGMA data_version", &ver);
    if (rc != SQLITE_ROW)
        return ix_db_fail(ix, rc);
    if (t->e && !t->stale && ver == t->version)
        return RP_OK;   /* no other connection wrote since */
    int code = removed_count(ix, &removed);
    if (code != RP_OK)
        return code;
    if (!t->e || t->stale || removed != t->removed) {
        ix_keys_free(t);
        if (reserve(t, 0) < 0)
            return ix_fail(ix, RP_ENOMEM, "out of memory");
    }
    code = load_from(ix);
    if (code != RP_OK) {
        ix_keys_free(t);
        return code;
    }
    t->version = ver;
    t->removed = removed;
    return RP_OK;
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
