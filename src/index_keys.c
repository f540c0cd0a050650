/*
 * index_keys.c - band-key storage of the index: the LSH lookup from (band,
 * key) to the documents that have it. One row per key in use, holding the
 * row numbers of its documents as 4-byte integers, oldest first, at most
 * RP_INDEX_BUCKET_MAX. New keys go to a small table of recent ones
 * (lsh_new), merged into the big one (lsh) in key order, so that a big
 * table is not rewritten page by page (docs/index.md, "How it is stored").
 */
#define _POSIX_C_SOURCE 200809L
#include "index_int.h"

#include <string.h>

/* The lookup row of band key `key` in band `band`. */
int64_t ix_lsh_key(uint32_t key, unsigned band)
{
    return (int64_t)((uint64_t)band << 32 | key);
}

/* Reads lookup row k of table t (0: lsh, 1: lsh_new) into v, at most cap
 * row numbers. @return their count, or a negative code. */
long ix_row_get(rp_index *ix, int t, int64_t k, uint32_t *v, long cap)
{
    sqlite3_stmt *q = ix->st[t ? S_NEW_GET : S_LSH_GET];
    sqlite3_bind_int64(q, 1, k);
    int rc = sqlite3_step(q);
    long n = 0;
    if (rc == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(q, 0);
        long len = (long)(sqlite3_column_bytes(q, 0) / 4);
        for (long i = 0; b && i < len && n < cap; i++)
            v[n++] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    } else if (rc != SQLITE_DONE) {
        n = ix_db_fail(ix, rc);
    }
    sqlite3_reset(q);
    return n;
}

/* Reads the documents of band key k, oldest first: the merged lookup
 * then the recent one, at most RP_INDEX_BUCKET_MAX in all. *recent gets
 * how many of them (the last ones) come from the recent table. @return
 * the count, or a negative code. */
long ix_bucket_get(rp_index *ix, int64_t k, uint32_t *v, long *recent)
{
    long n = ix_row_get(ix, 0, k, v, RP_INDEX_BUCKET_MAX);
    if (n < 0)
        return n;
    long m = ix_row_get(ix, 1, k, v + n, RP_INDEX_BUCKET_MAX - n);
    if (m < 0)
        return m;
    if (recent)
        *recent = m;
    return n + m;
}

/* Writes lookup row k of table t with the n row numbers v (deletes it when
 * n is 0; `exists`: the row is there). */
int ix_bucket_put(rp_index *ix, int t, int64_t k, const uint32_t *v, long n, int exists)
{
    unsigned char b[4 * RP_INDEX_BUCKET_MAX];
    for (long i = 0; i < n; i++) {
        b[4 * i] = (unsigned char)v[i];
        b[4 * i + 1] = (unsigned char)(v[i] >> 8);
        b[4 * i + 2] = (unsigned char)(v[i] >> 16);
        b[4 * i + 3] = (unsigned char)(v[i] >> 24);
    }
    int del = t ? S_NEW_DEL : S_LSH_DEL, set = t ? S_NEW_SET : S_LSH_SET,
        ins = t ? S_NEW_INS : S_LSH_INS;
    if (n == 0) {
        sqlite3_bind_int64(ix->st[del], 1, k);
        return ix_step(ix, del);
    }
    if (exists) {
        sqlite3_bind_blob(ix->st[set], 1, b, (int)(4 * n), SQLITE_TRANSIENT);
        sqlite3_bind_int64(ix->st[set], 2, k);
        return ix_step(ix, set);
    }
    sqlite3_bind_int64(ix->st[ins], 1, k);
    sqlite3_bind_blob(ix->st[ins], 2, b, (int)(4 * n), SQLITE_TRANSIENT);
    return ix_step(ix, ins);
}

/* Moves the recent lookup rows into the merged ones, in key order, so
 * that each page of the big table is written once a merge rather than
 * once a document. */
int ix_merge_recent(rp_index *ix)
{
    sqlite3_stmt *q;
    uint32_t v[2 * RP_INDEX_BUCKET_MAX];
    int rc = sqlite3_prepare_v2(ix->db, "SELECT k, docs FROM lsh_new ORDER BY k", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return ix_db_fail(ix, rc);
    int code = RP_OK;
    while (code == RP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(q, 0);
        const unsigned char *b = sqlite3_column_blob(q, 1);
        long len = (long)(sqlite3_column_bytes(q, 1) / 4);
        long n = ix_row_get(ix, 0, k, v, RP_INDEX_BUCKET_MAX);
        if (n < 0) {
            code = (int)n;
            break;
        }
        int exists = n > 0;
        for (long i = 0; b && i < len && n < RP_INDEX_BUCKET_MAX; i++)
            v[n++] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        code = ix_bucket_put(ix, 0, k, v, n, exists);
    }
    if (code == RP_OK && rc != SQLITE_DONE)
        code = ix_db_fail(ix, rc);
    sqlite3_finalize(q);
    if (code == RP_OK && (rc = sqlite3_exec(ix->db, "DELETE FROM lsh_new; "
                                            "UPDATE meta SET value = 0 WHERE key = 'recent'",
                                            NULL, NULL, NULL)) != SQLITE_OK)
        code = ix_db_fail(ix, rc);
    return code;
}
