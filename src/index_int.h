/*
 * index_int.h - what the modules of the persistent index share, and no
 * one else sees: the handle, its prepared statements, a stored document
 * as read back, and the helpers each module gives the others.
 *
 *   index.c         the schema, opening, settings, errors, transactions,
 *                   stats
 *   index_sample.c  the consistent shingle sample and its encoding
 *   index_keys.c    band-key storage: the LSH lookup tables
 *   index_match.c   stored documents, candidates, verification, add,
 *                   query, remove
 *   index_export.c  export: re-clustering the stored pairs as scan does
 */
#ifndef RP_INDEX_INT_H
#define RP_INDEX_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "index.h"
#include "doc.h"

#define APP_ID 0x52504958            /* 'RPIX' */
#define BUSY_TIMEOUT_MS 10000
#define CACHE_SLOTS 64               /* re-read documents kept */
#define SAMPLE_CAP(n) ((n) + 1)

enum {
    S_FIND_ID, S_DOC_ROW, S_INS_DOC,
    S_LSH_GET, S_LSH_INS, S_LSH_DEL, S_LSH_SET,   /* main lookup, then recent */
    S_NEW_GET, S_NEW_INS, S_NEW_DEL, S_NEW_SET, S_NEW_ADD,
    S_INS_PAIR, S_DEL_PAIRS_A, S_DEL_PAIRS_B, S_DEL_DOC, S_BEGIN, S_COMMIT,
    S_ROLLBACK, NSTMT
};

/* A document re-read for exact verification. */
typedef struct cslot {
    int64_t row;
    rp_doc *d;      /* NULL: could not be had (state < 0) */
    int state;      /* 0 empty, 1 loaded, -1 failed */
} cslot;

/* A stored document as read for verification. */
typedef struct stored {
    int64_t row, cluster;
    char *id;
    int has_path;
    char *path;     /* the file to re-read, or NULL */
    size_t nsh;
    uint64_t digest;
    uint32_t *keys; /* bands */
    uint32_t *sample;
    size_t m;
} stored;

struct rp_index {
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
    rp_options o;
    unsigned bands, rows;
    int sample_bits;
    int format;            /* the file's format version (1: no dates) */
    int64_t date;          /* rp_index_set_date; 0: the time of adding */
    int writable, in_batch;
    int busy_ms;
    size_t added;          /* documents added in the open batch */
    size_t merge_docs;     /* 0: RP_INDEX_MERGE_DOCS */
    char path[1024];
    char msg[512];
    rp_index_load_fn load;
    void *load_ctx;
    cslot cache[CACHE_SLOTS];
};

/* Records the database's last error rc in ix->msg. @return the RP_E*
 * code. */
int ix_db_fail(rp_index *ix, int rc);

/* Sets ix->msg from fmt. @return code. */
int ix_fail(rp_index *ix, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Steps prepared statement `which` once, resets it and clears its
 * bindings. @return RP_OK or an RP_E* code. */
int ix_step(rp_index *ix, int which);

/* Runs a one-value query. @return SQLITE_ROW with *out, SQLITE_DONE, or
 * an SQLite error code. */
int ix_query_int(rp_index *ix, const char *sql, int64_t *out);

/* Empties the cache of re-read documents. */
void ix_cache_clear(rp_index *ix);

/* index_keys.c: the lookup row of band key `key` in band `band`. */
int64_t ix_lsh_key(uint32_t key, unsigned band);

/* Reads lookup row k of table t (0: lsh, 1: lsh_new) into v, at most cap
 * row numbers. @return their count, or a negative code. */
long ix_row_get(rp_index *ix, int t, int64_t k, uint32_t *v, long cap);

/* Reads the documents of band key k, oldest first: the merged lookup then
 * the recent one, at most RP_INDEX_BUCKET_MAX in all. *recent gets how many
 * of them (the last ones) come from the recent table. @return the count,
 * or a negative code. */
long ix_bucket_get(rp_index *ix, int64_t k, uint32_t *v, long *recent);

/* Writes lookup row k of table t with the n row numbers v (deletes it when
 * n is 0; `exists`: the row is there). */
int ix_bucket_put(rp_index *ix, int t, int64_t k, const uint32_t *v, long n, int exists);

/* Moves the recent lookup rows into the merged ones, in key order. */
int ix_merge_recent(rp_index *ix);

/* index_match.c: a digest of a shingle set, to tell that a re-read text
 * is the same. */
uint64_t ix_digest(const rp_doc *d);

/* Reads document row into *s (free with ix_stored_free). @return RP_OK,
 * RP_ENOTFOUND, RP_EFORMAT (malformed row) or another RP_E* code. */
int ix_stored_get(rp_index *ix, int64_t row, stored *s);
void ix_stored_free(stored *s);

/* @return the re-read document of stored row s (borrowed from the cache),
 * or NULL when it cannot be had unchanged. */
const rp_doc *ix_exact_doc(rp_index *ix, const stored *s);

#endif
