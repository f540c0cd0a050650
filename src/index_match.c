/*
 * index_match.c - matching in the index: reading a stored document back,
 * re-reading its text for exact verification (with a small cache), the
 * candidates that share a band key with a new document, verification
 * (exact, or estimated from the samples), the online cluster a document
 * joins, and rp_index_add, rp_index_query and rp_index_remove.
 */
#define _POSIX_C_SOURCE 200809L
#include "index_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsh.h"
#include "util.h"

/* A digest of a shingle set, to tell that a re-read text is the same. */
uint64_t ix_digest(const rp_doc *d)
{
    uint64_t h = d->n;
    for (size_t i = 0; i < d->n; i++)
        h = h * 0x9E3779B97F4A7C15ull + d->sh[i];
    return h;
}

void ix_stored_free(stored *s)
{
    free(s->id);
    free(s->path);
    free(s->keys);
    free(s->sample);
    memset(s, 0, sizeof *s);
}

/* Reads document row into *s. @return RP_OK, RP_ENOTFOUND, RP_EFORMAT
 * (malformed row) or another RP_E* code. */
int ix_stored_get(rp_index *ix, int64_t row, stored *s)
{
    sqlite3_stmt *q = ix->st[S_DOC_ROW];
    memset(s, 0, sizeof *s);
    sqlite3_bind_int64(q, 1, row);
    int rc = sqlite3_step(q), code = RP_OK;
    if (rc == SQLITE_DONE) {
        code = RP_ENOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        code = ix_db_fail(ix, rc);
        goto out;
    }
    s->row = row;
    const char *id = (const char *)sqlite3_column_text(q, 0);
    const char *path = (const char *)sqlite3_column_text(q, 1);
    int64_t nsh = sqlite3_column_int64(q, 2);
    s->digest = (uint64_t)sqlite3_column_int64(q, 3);
    s->cluster = sqlite3_column_int64(q, 4);
    const void *kb = sqlite3_column_blob(q, 5);
    size_t kn = (size_t)sqlite3_column_bytes(q, 5);
    const void *sb = sqlite3_column_blob(q, 6);
    size_t sn = (size_t)sqlite3_column_bytes(q, 6);
    if (!id || nsh < 1 || nsh > (int64_t)UINT32_MAX || kn != (size_t)ix->bands * 4 ||
        sn > (size_t)nsh * 4 + 8) {
        code = ix_fail(ix, RP_EFORMAT, "index is damaged (document row %lld)", (long long)row);
        goto out;
    }
    s->nsh = (size_t)nsh;
    s->id = strdup(id);
    s->has_path = path != NULL;
    s->path = path ? strdup(path[0] ? path : id) : NULL;
    s->keys = calloc((size_t)ix->bands + ix->nskew + 1, sizeof *s->keys);
    /* a value takes at least one byte: the blob bounds the count */
    size_t scap = sn < s->nsh ? sn + 1 : SAMPLE_CAP(s->nsh);
    s->sample = malloc(scap * sizeof *s->sample);
    if (!s->id || (path && !s->path) || !s->keys || !s->sample) {
        code = ix_fail(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    if (kn)
        memcpy(s->keys, kb, kn);
    const void *xb = sqlite3_column_blob(q, 7);
    if (xb && (size_t)sqlite3_column_bytes(q, 7) == (size_t)ix->nskew * 4) {
        memcpy(s->keys + ix->bands, xb, (size_t)ix->nskew * 4);
        s->has_skew = 1;
    }
    s->m = sb ? rp_sample_decode(sb, sn, s->sample, scap) : 0;
    if (s->m == (size_t)-1) {
        code = ix_fail(ix, RP_EFORMAT, "index is damaged (sample of row %lld)", (long long)row);
        goto out;
    }
out:
    sqlite3_reset(q);
    if (code != RP_OK)
        ix_stored_free(s);
    return code;
}

/* The cache of stored rows. The candidates that chance brings a new
 * document are mostly the same few documents: a band key that many
 * documents share (a common phrase as a band's least hash) keeps its
 * RP_INDEX_BUCKET_MAX oldest ones, and they come back as candidates of
 * one document after another. At 100,000 documents a document has about
 * two candidates, at a million about twenty; reading each row again from
 * SQLite was a fifth of the time of `add` at 100,000 (most are ruled
 * out unread by the screen of index_screen.c; this cache keeps the rows
 * that pass it). Rows do not change once written; the cache forgets a
 * row removed here and everything after a rollback or a removal by
 * another process (ix_keys_sync). */
int ix_stored_cached(rp_index *ix, int64_t row, const stored **out)
{
    *out = NULL;
    if (!ix->rowc && !(ix->rowc = calloc(ROW_SLOTS, sizeof *ix->rowc)))
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    stored *c = &ix->rowc[(uint64_t)row % ROW_SLOTS];
    if (c->row != row || row <= 0) {
        stored s;
        int code = ix_stored_get(ix, row, &s);
        if (code != RP_OK)
            return code;
        /* a writer meets the same rows again and again over a long
         * run; a query process meets most once, and a screen as long as
         * the index (72 bytes a row, zeroed) would cost it more than it
         * saves */
        if (ix->writable)
            ix_screen_put(ix, row, s.nsh, s.sample, s.m, s.has_path);
        ix_stored_free(c);
        *c = s;
    }
    *out = c;
    return RP_OK;
}

void ix_stored_forget(rp_index *ix, int64_t row)
{
    if (ix->rowc && ix->rowc[(uint64_t)row % ROW_SLOTS].row == row)
        ix_stored_free(&ix->rowc[(uint64_t)row % ROW_SLOTS]);
}

void ix_rows_clear(rp_index *ix)
{
    for (size_t i = 0; ix->rowc && i < ROW_SLOTS; i++)
        if (ix->rowc[i].row)
            ix_stored_free(&ix->rowc[i]);
    ix_screen_free(ix);
}

/* @return the re-read document of stored row s (borrowed from the cache),
 * or NULL when it cannot be had unchanged. */
const rp_doc *ix_exact_doc(rp_index *ix, const stored *s)
{
    if (!ix->load || !s->path)
        return NULL;
    cslot *c = &ix->cache[(uint64_t)s->row % CACHE_SLOTS];
    if (c->state != 0 && c->row == s->row)
        return c->d;
    rp_doc_free(c->d);
    memset(c, 0, sizeof *c);
    char *text = NULL;
    size_t len = 0;
    rp_doc *d = NULL;
    if (ix->load(ix->load_ctx, s->path, &text, &len) == RP_OK) {
        rp_doc_new(text, len, &ix->o, &d);
        if (d && (d->n != s->nsh || ix_digest(d) != s->digest)) {
            rp_doc_free(d);
            d = NULL;
        }
    }
    free(text);
    c->row = s->row;
    c->d = d;
    c->state = d ? 1 : -1;
    return d;
}

/* The new (or queried) document, ready for comparisons. */
typedef struct probe {
    const rp_doc *d;
    uint32_t *keys;
    uint32_t *sample;
    size_t m;
} probe;

static int probe_init(rp_index *ix, const rp_doc *d, probe *p)
{
    memset(p, 0, sizeof *p);
    p->d = d;
    if (d->K != ix->o.hashes)
        return ix_fail(ix, RP_EINVAL, "document sketched with other options");
    p->keys = malloc(((size_t)ix->bands + ix->nskew) * sizeof *p->keys);
    p->sample = malloc(SAMPLE_CAP(d->n) * sizeof *p->sample);
    if (!p->keys || !p->sample)
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    rp_lsh_keys(d->sig, ix->bands, ix->rows, p->keys);
    for (unsigned j = 0; j < ix->nskew; j++)
        p->keys[ix->bands + j] = d->sig[ix->skew_bin[j]];
    p->m = rp_sample(d->sh, d->n, (unsigned)ix->sample_bits, p->sample);
    return RP_OK;
}

static void probe_free(probe *p)
{
    free(p->keys);
    free(p->sample);
}

/* Compares the probe with stored document s: exactly when its text can be
 * re-read unchanged, else from the samples. */
static void compare(rp_index *ix, const probe *p, const stored *s, rp_sim *out, int *exact)
{
    const rp_doc *e = ix_exact_doc(ix, s);
    if (e) {
        rp_doc_compare(p->d, e, &ix->o, out);
        *exact = 1;
    } else {
        rp_sample_estimate(p->d->n, p->sample, p->m, s->nsh, s->sample, s->m, &ix->o, out);
        *exact = 0;
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Collects the rowids that share a band key with the probe, or one of its
 * containment values with a size ratio the bin asks for (sorted, each
 * once). @return the count, or a negative RP_E* code. */
static long candidates(rp_index *ix, probe *p, int64_t **out)
{
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    uint32_t got[RP_INDEX_BUCKET_MAX];
    int code = ix_keys_sync(ix);
    if (code != RP_OK)
        return code;
    ix_keys_prefetch(ix, p->keys, ix->bands + ix->nskew);
    for (unsigned b = 0; b < ix->bands + ix->nskew; b++) {
        long m = ix_keys_get(ix, b, p->keys[b], got, RP_INDEX_BUCKET_MAX);
        if (m > 0 && rp_grow(&v, &cap, n + (size_t)m, sizeof *v) < 0) {
            free(v);
            return ix_fail(ix, RP_ENOMEM, "out of memory");
        }
        for (long i = 0; i < m; i++)
            if (b < ix->bands ||
                ix_keys_skew_ok(ix, b - ix->bands, p->d->n, ix_keys_nsh(ix, got[i])))
                v[n++] = got[i];
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_i64);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || v[w - 1] != v[i])
            v[w++] = v[i];
    *out = v;
    return (long)w;
}

/* Does stored s share a band key with p in the same band? (Rules out
 * keys that met only through the mixing of bands.) */
static int same_band(const rp_index *ix, const probe *p, const stored *s)
{
    for (unsigned b = 0; b < ix->bands; b++)
        if (s->keys[b] == p->keys[b])
            return 1;
    for (unsigned j = 0; s->has_skew && j < ix->nskew; j++)
        if (s->keys[ix->bands + j] == p->keys[ix->bands + j] &&
            ix_keys_skew_ok(ix, j, p->d->n, s->nsh))
            return 1;
    return 0;
}

void rp_index_result_free(rp_index_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->m[i].id);
    free(r->m);
    memset(r, 0, sizeof *r);
}

typedef struct match_x {
    rp_index_match m;
    int64_t cluster;
} match_x;

static int cmp_match(const void *x, const void *y)
{
    const match_x *a = x, *b = y;
    if (a->m.sim.score != b->m.sim.score)
        return a->m.sim.score > b->m.sim.score ? -1 : 1;
    return (a->m.doc > b->m.doc) - (a->m.doc < b->m.doc);
}

/* Finds and verifies the matches of p, leaving out row `self` (0: none)
 * and documents with id skip_id; with `all`, keeps the candidates below
 * the threshold too. Matches come best first in *mx. */
static int find_matches(rp_index *ix, probe *p, int64_t self, const char *skip_id,
                        int all, match_x **mx, size_t *nm)
{
    int64_t *cand = NULL;
    size_t n = 0, cap = 0;
    match_x *v = NULL;
    *mx = NULL;
    *nm = 0;
    long nc = candidates(ix, p, &cand);
    if (nc < 0)
        return (int)nc;
    int code = RP_OK;
    if (!all)
        ix_screen_prefetch(ix, cand, nc);
    for (long i = 0; i < nc; i++) {
        if (cand[i] == self)
            continue;
        /* a chance candidate that cannot be similar is not read */
        if (!all && ix_screen_out(ix, cand[i], p->d->n, p->sample, p->m))
            continue;
        const stored *s;
        code = ix_stored_cached(ix, cand[i], &s);
        if (code == RP_ENOTFOUND) {
            code = RP_OK;
            continue;
        }
        if (code != RP_OK)
            break;
        if ((skip_id && strcmp(s->id, skip_id) == 0) || !same_band(ix, p, s))
            continue;
        rp_sim sim;
        int exact;
        compare(ix, p, s, &sim, &exact);
        if (sim.similar || all) {
            if (rp_grow(&v, &cap, n + 1, sizeof *v) < 0 || !(v[n].m.id = strdup(s->id))) {
                code = ix_fail(ix, RP_ENOMEM, "out of memory");
                break;
            }
            v[n].m.doc = s->row;
            v[n].m.sim = sim;
            v[n].m.exact = exact;
            v[n].cluster = s->cluster;
            n++;
        }
    }
    free(cand);
    if (code != RP_OK) {
        for (size_t i = 0; i < n; i++)
            free(v[i].m.id);
        free(v);
        return code;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_match);
    *mx = v;
    *nm = n;
    return RP_OK;
}

/* The cluster a document with these matches joins: that of its best match
 * whose representative it also matches. @return the cluster, or 0. */
static int64_t choose_cluster(const match_x *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t rep = v[i].cluster;
        for (size_t j = 0; j < n && v[i].m.sim.similar; j++)
            if (v[j].m.doc == rep && v[j].m.sim.similar)
                return rep;
    }
    return 0;
}

/* Moves the matches into res. */
static void give_result(match_x *v, size_t n, int64_t cluster, rp_index_result *res)
{
    if (!res) {
        for (size_t i = 0; i < n; i++)
            free(v[i].m.id);
        free(v);
        return;
    }
    res->cluster = cluster;
    res->n = n;
    res->m = NULL;
    if (n) {
        /* match_x starts with an rp_index_match: compact in place */
        rp_index_match *m = (rp_index_match *)(void *)v;
        for (size_t i = 0; i < n; i++)
            memmove(&m[i], &v[i].m, sizeof *m);
        res->m = m;
    } else {
        free(v);
    }
}

/* Looks up id. @return RP_OK with *row (0: absent), nsh, digest, cluster. */
static int find_id(rp_index *ix, const char *id, int64_t *row, int64_t *nsh,
                   uint64_t *dig, int64_t *cluster)
{
    sqlite3_stmt *q = ix->st[S_FIND_ID];
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), code = RP_OK;
    *row = 0;
    if (rc == SQLITE_ROW) {
        *row = sqlite3_column_int64(q, 0);
        *nsh = sqlite3_column_int64(q, 1);
        *dig = (uint64_t)sqlite3_column_int64(q, 2);
        *cluster = sqlite3_column_int64(q, 3);
    } else if (rc != SQLITE_DONE) {
        code = ix_db_fail(ix, rc);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return code;
}

/* Deletes row and everything that points to it. */
static int remove_row(rp_index *ix, int64_t row)
{
    stored s;
    int code = ix_stored_get(ix, row, &s);
    if (code == RP_EFORMAT) {
        /* a damaged row still goes; its lookup rows stay harmless */
        memset(&s, 0, sizeof s);
        code = RP_OK;
    }
    if (code != RP_OK)
        return code;
    ix_keys_remove(ix, row, s.keys);
    ix_stored_free(&s);
    code = ix_keys_note_removal(ix);
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_PAIRS_A], 1, row);
        code = ix_step(ix, S_DEL_PAIRS_A);
    }
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_PAIRS_B], 1, row);
        code = ix_step(ix, S_DEL_PAIRS_B);
    }
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_DOC], 1, row);
        code = ix_step(ix, S_DEL_DOC);
    }
    ix_stored_forget(ix, row);
    ix_screen_forget(ix, row);
    cslot *c = &ix->cache[(uint64_t)row % CACHE_SLOTS];
    if (c->row == row) {
        rp_doc_free(c->d);
        memset(c, 0, sizeof *c);
    }
    return code;
}

/* Runs fn inside a transaction of its own unless a batch is open. */
static int auto_begin(rp_index *ix, int *own)
{
    *own = 0;
    if (ix->in_batch)
        return RP_OK;
    int rc = rp_index_begin(ix);
    *own = rc == RP_OK;
    return rc;
}

static int auto_end(rp_index *ix, int own, int code)
{
    if (!own)
        return code;
    if (code == RP_OK)
        return rp_index_commit(ix);
    char keep[sizeof ix->msg];
    memcpy(keep, ix->msg, sizeof keep);
    rp_index_rollback(ix);
    memcpy(ix->msg, keep, sizeof keep);
    return code;
}

/* Inserts the probe as a new row. */
static int insert_doc(rp_index *ix, const char *id, const char *path, const char *title,
                      uint64_t size, probe *p, int64_t cluster, int64_t *row)
{
    uint8_t *sb = malloc(4 * p->m + 1);
    if (!sb)
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    size_t sn = rp_sample_encode(p->sample, p->m, sb);
    sqlite3_stmt *q = ix->st[S_INS_DOC];
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (path)
        sqlite3_bind_text(q, 2, strcmp(path, id) == 0 ? "" : path, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_int64(q, 3, (int64_t)size);
    sqlite3_bind_int64(q, 4, (int64_t)time(NULL));
    if (title)
        sqlite3_bind_text(q, 5, title, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 5);
    sqlite3_bind_int64(q, 6, (int64_t)p->d->n);
    sqlite3_bind_int64(q, 7, (int64_t)ix_digest(p->d));
    if (cluster)
        sqlite3_bind_int64(q, 8, cluster);
    else
        sqlite3_bind_null(q, 8);
    sqlite3_bind_blob(q, 9, p->keys, (int)(ix->bands * 4), SQLITE_STATIC);
    sqlite3_bind_blob(q, 10, sb, (int)sn, SQLITE_STATIC);
    sqlite3_bind_int64(q, 11, ix->date ? ix->date : (int64_t)time(NULL));
    sqlite3_bind_blob(q, 12, p->keys + ix->bands, (int)(ix->nskew * 4), SQLITE_STATIC);
    int code = ix_step(ix, S_INS_DOC);
    free(sb);
    if (code != RP_OK)
        return code;
    *row = sqlite3_last_insert_rowid(ix->db);
    if (*row <= 0 || *row >= (int64_t)UINT32_MAX)
        return ix_fail(ix, RP_EDB, "index is full (row numbers of 2^32 - 1 and above)");
    ix_screen_put(ix, *row, p->d->n, p->sample, p->m, path != NULL);
    return ix_keys_add(ix, *row, p->keys, ix->bands + ix->nskew, p->d->n);
}

int rp_index_add(rp_index *ix, const char *id, const char *path,
                 const char *title, uint64_t size, const rp_doc *d,
                 rp_index_result *res)
{
    probe p;
    match_x *v = NULL;
    size_t n = 0;
    int own = 0, code;
    if (res)
        memset(res, 0, sizeof *res);
    if (!ix || !ix->db || !id || !d)
        return RP_EINVAL;
    if (!ix->writable)
        return ix_fail(ix, RP_EREADONLY, "index opened read-only");
    code = probe_init(ix, d, &p);
    if (code != RP_OK)
        goto out;
    code = auto_begin(ix, &own);
    if (code != RP_OK)
        goto out;
    int64_t row, nsh = 0, cl = 0;
    uint64_t dig = 0;
    code = find_id(ix, id, &row, &nsh, &dig, &cl);
    if (code != RP_OK)
        goto out;
    if (row && (size_t)nsh == d->n && dig == ix_digest(d)) {
        /* unchanged: report its matches, change nothing */
        code = find_matches(ix, &p, row, NULL, 0, &v, &n);
        if (code == RP_OK) {
            give_result(v, n, cl, res);
            v = NULL;
            if (res)
                res->status = RP_INDEX_UNCHANGED;
        }
        goto out;
    }
    if (row) {
        code = remove_row(ix, row);
        if (code != RP_OK)
            goto out;
    }
    code = find_matches(ix, &p, 0, NULL, 0, &v, &n);
    if (code != RP_OK)
        goto out;
    int64_t join = choose_cluster(v, n), me = 0;
    code = insert_doc(ix, id, path, title, size, &p, join, &me);
    if (code == RP_OK)
        ix->added++;
    for (size_t i = 0; i < n && code == RP_OK; i++) {
        sqlite3_stmt *q = ix->st[S_INS_PAIR];
        int64_t a = v[i].m.doc < me ? v[i].m.doc : me, b = v[i].m.doc < me ? me : v[i].m.doc;
        sqlite3_bind_int64(q, 1, a);
        sqlite3_bind_int64(q, 2, b);
        sqlite3_bind_int64(q, 3, (int64_t)v[i].m.sim.shared);
        sqlite3_bind_int(q, 4, v[i].m.exact);
        code = ix_step(ix, S_INS_PAIR);
    }
    if (code == RP_OK) {
        give_result(v, n, join ? join : me, res);
        v = NULL;
        if (res)
            res->status = row ? RP_INDEX_REPLACED : RP_INDEX_NEW;
    }
out:
    code = auto_end(ix, own, code);
    if (v)
        give_result(v, n, 0, NULL);
    if (code != RP_OK)
        rp_index_result_free(res);
    probe_free(&p);
    return code;
}

int rp_index_query(rp_index *ix, const char *id, const rp_doc *d,
                   rp_index_result *res)
{
    return rp_index_query_top(ix, id, d, 0, res);
}

int rp_index_query_top(rp_index *ix, const char *id, const rp_doc *d, size_t top,
                       rp_index_result *res)
{
    probe p;
    match_x *v = NULL;
    size_t n = 0;
    memset(res, 0, sizeof *res);
    if (!ix || !ix->db || !d)
        return RP_EINVAL;
    int code = probe_init(ix, d, &p);
    int64_t row = 0, nsh = 0, cl = 0;
    uint64_t dig = 0;
    /* one read transaction: a consistent view while a writer commits */
    int own = sqlite3_get_autocommit(ix->db);
    if (code == RP_OK && own) {
        int rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            code = ix_db_fail(ix, rc);
    } else {
        own = 0;
    }
    if (code == RP_OK && id)
        code = find_id(ix, id, &row, &nsh, &dig, &cl);
    if (code == RP_OK)
        code = find_matches(ix, &p, 0, id, top > 0, &v, &n);
    if (code == RP_OK) {
        int64_t join = row && (size_t)nsh == d->n && dig == ix_digest(d) ? cl
                                                                           : choose_cluster(v, n);
        if (top > 0 && n > top) {
            for (size_t i = top; i < n; i++)
                free(v[i].m.id);
            n = top;
        }
        give_result(v, n, join, res);
        res->status = row ? (join == cl && (size_t)nsh == d->n ? RP_INDEX_UNCHANGED
                                                                : RP_INDEX_REPLACED)
                          : RP_INDEX_NEW;
    }
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    probe_free(&p);
    return code;
}

int rp_index_remove(rp_index *ix, const char *id)
{
    if (!ix || !ix->db || !id)
        return RP_EINVAL;
    if (!ix->writable)
        return ix_fail(ix, RP_EREADONLY, "index opened read-only");
    int own, code = auto_begin(ix, &own);
    int64_t row = 0, nsh, cl;
    uint64_t dig;
    /* with the lookup up to date, the snapshot saved at closing records
     * the removal, and the next opening need not rebuild it */
    if (code == RP_OK)
        code = ix_keys_sync(ix);
    if (code == RP_OK)
        code = find_id(ix, id, &row, &nsh, &dig, &cl);
    if (code == RP_OK && !row)
        code = ix_fail(ix, RP_ENOTFOUND, "no such document");
    if (code == RP_OK)
        code = remove_row(ix, row);
    return auto_end(ix, own, code);
}

int rp_index_prune(rp_index *ix, int64_t before, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!ix || !ix->db)
        return RP_EINVAL;
    if (!ix->writable)
        return ix_fail(ix, RP_EREADONLY, "index opened read-only");
    int64_t *rows = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *q = NULL;
    int own, code = auto_begin(ix, &own);
    if (code == RP_OK)
        code = ix_keys_sync(ix);   /* as in rp_index_remove */
    int rc = code == RP_OK ? sqlite3_prepare_v2(ix->db, "SELECT rowid FROM docs "
                                                "WHERE COALESCE(date, added) < ? ORDER BY rowid",
                                                -1, &q, NULL) : SQLITE_OK;
    if (code == RP_OK && rc != SQLITE_OK)
        code = ix_db_fail(ix, rc);
    if (code == RP_OK) {
        sqlite3_bind_int64(q, 1, before);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (rp_grow(&rows, &cap, n + 1, sizeof *rows) < 0) {
                code = ix_fail(ix, RP_ENOMEM, "out of memory");
                break;
            }
            rows[n++] = sqlite3_column_int64(q, 0);
        }
        if (code == RP_OK && rc != SQLITE_DONE)
            code = ix_db_fail(ix, rc);
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < n && code == RP_OK; i++)
        code = remove_row(ix, rows[i]);
    free(rows);
    code = auto_end(ix, own, code);
    if (code == RP_OK && removed)
        *removed = n;
    return code;
}
