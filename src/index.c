/*
 * index.c - a persistent index of documents on SQLite, for live feeds:
 * each new article is matched against everything indexed before it, and
 * joins a cluster, without rescanning the archive.
 *
 * Tables (format RP_INDEX_FORMAT, in PRAGMA user_version; the file is
 * marked with PRAGMA application_id 'RPIX'):
 *
 *   meta(key, value)       the settings: shingle, hashes, bands, rows,
 *                          threshold, min_shared, keep_boilerplate,
 *                          sample_bits and the normalizer version.
 *   docs(rowid, id, path, size, added, title, nsh, digest, cluster, keys,
 *        sample)           one row a document. path is NULL when the text
 *                          cannot be read again (stdin) and '' when it is
 *                          the id; cluster is NULL when the document
 *                          founded its own cluster (whose number is then
 *                          its rowid); keys holds the b band keys (4 bytes
 *                          each), sample the consistent shingle sample.
 *   lsh(k)                 the band-key lookup, one 64-bit integer a
 *                          (document, band): the band key mixed with the
 *                          band number in the high 32 bits, the rowid in
 *                          the low 32. A WITHOUT ROWID table of one
 *                          column costs about 13 bytes a row.
 *   pairs(a, b, shared, exact)  the verified pairs (a < b rowids) with
 *                          their shared shingle count; Jaccard and the
 *                          containments follow from the two set sizes.
 *
 * Verification. A candidate (a document that shares a band key with the
 * new one in the same band) is compared exactly when its text can be read
 * again through the loader and still has the digest it was indexed with,
 * as scan does. Otherwise it is estimated from the samples: the shingles
 * whose hash falls in the lowest 2^-sample_bits of the hash space, a
 * consistent sample, so the sample of the intersection is the
 * intersection of the samples (see rp_sample_estimate and README).
 *
 * Clusters. A new document joins the cluster of its best match (highest
 * score) whose representative (the cluster's founder) it also matches,
 * else founds its own. rp_index_export instead re-clusters all documents
 * from the stored pairs with rp_cluster_build, exactly as scan does, so
 * that export and scan give the same clusters on the same folder.
 *
 * Crash safety: WAL journal, synchronous=NORMAL, one transaction a batch
 * (rp_index_begin/commit). Readers never wait for the writer; writers wait
 * for each other up to the busy timeout. Any number of processes may open
 * (and create) one index at once: the schema, header and settings are
 * written in one BEGIN IMMEDIATE transaction, the header is read in one
 * read transaction, and a step that finds the file busy is retried until
 * the busy timeout. A reader that cannot make the -shm file beside the
 * index (read-only folder or medium) opens it immutable instead.
 */
#define _POSIX_C_SOURCE 200809L
#include "index.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "doc.h"
#include "lsh.h"
#include "shingle.h"
#include "util.h"

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

static const char *const sql_text[NSTMT] = {
    "SELECT rowid, nsh, digest, COALESCE(cluster, rowid) FROM docs WHERE id = ?",
    "SELECT id, path, nsh, digest, COALESCE(cluster, rowid), keys, sample "
    "FROM docs WHERE rowid = ?",
    "INSERT INTO docs(id, path, size, added, title, nsh, digest, cluster, keys, sample) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "SELECT docs FROM lsh WHERE k = ?",
    "INSERT INTO lsh(k, docs) VALUES (?, ?)",
    "DELETE FROM lsh WHERE k = ?",
    "UPDATE lsh SET docs = ? WHERE k = ?",
    "SELECT docs FROM lsh_new WHERE k = ?",
    "INSERT INTO lsh_new(k, docs) VALUES (?, ?)",
    "DELETE FROM lsh_new WHERE k = ?",
    "UPDATE lsh_new SET docs = ? WHERE k = ?",
    "UPDATE meta SET value = value + ? WHERE key = 'recent'",
    "INSERT OR REPLACE INTO pairs(a, b, shared, exact) VALUES (?, ?, ?, ?)",
    "DELETE FROM pairs WHERE a = ?",
    "DELETE FROM pairs WHERE b = ?",
    "DELETE FROM docs WHERE rowid = ?",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
};

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " path TEXT, size INTEGER, added INTEGER, title TEXT, nsh INTEGER,"
    " digest INTEGER, cluster INTEGER, keys BLOB, sample BLOB);"
    "CREATE TABLE lsh(k INTEGER PRIMARY KEY, docs BLOB NOT NULL);"
    "CREATE TABLE lsh_new(k INTEGER PRIMARY KEY, docs BLOB NOT NULL);"
    "INSERT INTO meta(key, value) VALUES ('recent', 0);"
    "CREATE TABLE pairs(a INTEGER, b INTEGER, shared INTEGER, exact INTEGER,"
    " PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE INDEX pairs_b ON pairs(b);";

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

/* ------------------------------------------------------------------ */
/* Samples                                                              */
/* ------------------------------------------------------------------ */

size_t rp_sample(const uint64_t *sh, size_t n, unsigned bits, uint32_t *out)
{
    size_t m = 0;
    unsigned drop = 64 - RP_SAMPLE_VALUE_BITS - bits;
    for (size_t i = 0; i < n; i++) {
        if (bits && sh[i] >> (64 - bits))
            break;   /* sorted: no later hash can be in the sample */
        uint32_t v = (uint32_t)((sh[i] >> drop) & ((1u << RP_SAMPLE_VALUE_BITS) - 1));
        if (m == 0 || out[m - 1] != v)
            out[m++] = v;
    }
    return m;
}

size_t rp_sample_encode(const uint32_t *v, size_t m, uint8_t *buf)
{
    size_t w = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t d = v[i] - prev;
        prev = v[i];
        while (d >= 0x80) {
            buf[w++] = (uint8_t)(d | 0x80);
            d >>= 7;
        }
        buf[w++] = (uint8_t)d;
    }
    return w;
}

size_t rp_sample_decode(const uint8_t *buf, size_t len, uint32_t *out,
                        size_t cap)
{
    size_t m = 0, i = 0;
    uint64_t prev = 0;
    while (i < len) {
        uint64_t d = 0;
        unsigned shift = 0;
        for (;;) {
            if (i >= len || shift > 28)
                return (size_t)-1;
            uint8_t b = buf[i++];
            d |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            if (!(b & 0x80))
                break;
        }
        uint64_t v = prev + d;
        if ((m > 0 && d == 0) || v >= (1u << RP_SAMPLE_VALUE_BITS) || m >= cap)
            return (size_t)-1;
        out[m++] = (uint32_t)v;
        prev = v;
    }
    return m;
}

void rp_sample_estimate(size_t na, const uint32_t *a, size_t ma,
                        size_t nb, const uint32_t *b, size_t mb,
                        const rp_options *o, rp_sim *s)
{
    size_t i = 0, j = 0, x = 0;
    while (i < ma && j < mb) {
        uint32_t p = a[i], q = b[j];
        x += p == q;
        i += p <= q;
        j += q <= p;
    }
    size_t shared = 0;
    if (ma + mb > 0) {
        double e = (double)x * (double)(na + nb) / (double)(ma + mb);
        shared = (size_t)(e + 0.5);
    }
    size_t lo = na < nb ? na : nb;
    if (shared > lo)
        shared = lo;
    rp_sim_from_counts(na, nb, shared, o, s);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Records the database's last error in ix->msg. @return the RP_E* code. */
static int db_fail(rp_index *ix, int rc)
{
    const char *m = ix->db ? sqlite3_errmsg(ix->db) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xFF) {
    case SQLITE_NOTADB: code = RP_EFORMAT; m = "not a reprint index (not a database)"; break;
    case SQLITE_CORRUPT: code = RP_EFORMAT; m = "index is damaged (database disk image is malformed)"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = RP_EBUSY; m = "index is locked by another process (database is locked)"; break;
    case SQLITE_READONLY: code = RP_EREADONLY; m = "cannot write the index: read-only"; break;
    case SQLITE_FULL: code = RP_EFULL; m = "cannot write the index: disk is full"; break;
    case SQLITE_NOMEM: code = RP_ENOMEM; m = "out of memory"; break;
    case SQLITE_CANTOPEN: {
        int e = ix->db ? sqlite3_system_errno(ix->db) : 0;
        code = RP_EDB;
        snprintf(ix->msg, sizeof ix->msg, "cannot open index: %s",
                 e ? strerror(e) : "unable to open database file");
        return code;
    }
    case SQLITE_IOERR: {
        int e = ix->db ? sqlite3_system_errno(ix->db) : 0;
        code = e == ENOSPC || e == EFBIG || e == EDQUOT ? RP_EFULL : RP_EDB;
        snprintf(ix->msg, sizeof ix->msg, "cannot %s the index: %s",
                 rc == SQLITE_IOERR_READ || rc == SQLITE_IOERR_SHORT_READ ? "read" : "write",
                 e ? strerror(e) : "disk I/O error");
        return code;
    }
    default: code = RP_EDB; break;
    }
    snprintf(ix->msg, sizeof ix->msg, "%s", m);
    return code;
}

static int fail_msg(rp_index *ix, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static int fail_msg(rp_index *ix, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ix->msg, sizeof ix->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *rp_index_errmsg(const rp_index *ix)
{
    return ix && ix->msg[0] ? ix->msg : "no error";
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */
/* ------------------------------------------------------------------ */

int rp_index_new(rp_index **out)
{
    *out = calloc(1, sizeof(rp_index));
    return *out ? RP_OK : RP_ENOMEM;
}

static void cache_clear(rp_index *ix)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        rp_doc_free(ix->cache[i].d);
        memset(&ix->cache[i], 0, sizeof ix->cache[i]);
    }
}

static void index_close(rp_index *ix)
{
    for (int i = 0; i < NSTMT; i++) {
        sqlite3_finalize(ix->st[i]);
        ix->st[i] = NULL;
    }
    if (ix->db) {
        if (ix->in_batch)
            sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(ix->db);
        ix->db = NULL;
    }
    ix->in_batch = 0;
    cache_clear(ix);
}

void rp_index_free(rp_index *ix)
{
    if (!ix)
        return;
    index_close(ix);
    free(ix);
}

/* Runs a one-value query. @return SQLITE_ROW with *out, SQLITE_DONE, or
 * an error code. */
static int query_int(rp_index *ix, const char *sql, int64_t *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(ix->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

typedef struct settings {
    rp_options o;
    unsigned bands, rows;
    int sample_bits;
    int64_t normalizer;
} settings;

static int write_meta(rp_index *ix, const settings *st)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(ix->db, "INSERT INTO meta(key, value) VALUES (?, ?)",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    struct { const char *k; double v; } kv[] = {
        {"shingle", st->o.shingle}, {"hashes", st->o.hashes},
        {"bands", st->bands}, {"rows", st->rows},
        {"threshold", st->o.threshold}, {"min_shared", st->o.min_shared},
        {"keep_boilerplate", st->o.keep_boilerplate != 0},
        {"sample_bits", st->sample_bits},
        {"normalizer", (double)st->normalizer},
        {"created", (double)time(NULL)},
    };
    for (size_t i = 0; i < sizeof kv / sizeof *kv && rc == SQLITE_OK; i++) {
        sqlite3_bind_text(s, 1, kv[i].k, -1, SQLITE_STATIC);
        if (strcmp(kv[i].k, "threshold") == 0)
            sqlite3_bind_double(s, 2, kv[i].v);
        else
            sqlite3_bind_int64(s, 2, (int64_t)kv[i].v);
        rc = sqlite3_step(s);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* Reads the settings. @return RP_OK or an RP_E* code with ix->msg set. */
static int read_meta(rp_index *ix, settings *st)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(ix->db, "SELECT key, value FROM meta", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return fail_msg(ix, RP_EFORMAT, "not a reprint index (no settings)");
    int seen = 0;
    memset(st, 0, sizeof *st);
    rp_options_init(&st->o);
    st->normalizer = -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        int64_t v = sqlite3_column_int64(s, 1);
        if (!k)
            continue;
        if (v < 0 || v > 1000000)
            v = -1;
        if (strcmp(k, "shingle") == 0) { st->o.shingle = (unsigned)v; seen |= 1; }
        else if (strcmp(k, "hashes") == 0) { st->o.hashes = (unsigned)v; seen |= 2; }
        else if (strcmp(k, "bands") == 0) { st->bands = (unsigned)v; seen |= 4; }
        else if (strcmp(k, "rows") == 0) { st->rows = (unsigned)v; seen |= 8; }
        else if (strcmp(k, "threshold") == 0) { st->o.threshold = sqlite3_column_double(s, 1); seen |= 16; }
        else if (strcmp(k, "min_shared") == 0) { st->o.min_shared = (unsigned)v; seen |= 32; }
        else if (strcmp(k, "keep_boilerplate") == 0) { st->o.keep_boilerplate = v != 0; seen |= 64; }
        else if (strcmp(k, "sample_bits") == 0) { st->sample_bits = (int)v; seen |= 128; }
        else if (strcmp(k, "normalizer") == 0) { st->normalizer = v; seen |= 256; }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_fail(ix, rc);
    st->o.bands = st->bands;
    st->o.rows = st->rows;
    st->o.furniture_df = 0;
    if (seen != 511 || rp_options_check(&st->o) != RP_OK || st->bands == 0 ||
        st->sample_bits < 0 || st->sample_bits > 16)
        return fail_msg(ix, RP_EFORMAT, "not a reprint index (bad settings)");
    return RP_OK;
}

/* The settings that options o ask for. @return RP_OK or RP_EINVAL. */
static int settings_of(const rp_options *o, int sample_bits, settings *st)
{
    memset(st, 0, sizeof *st);
    if (o)
        st->o = *o;
    else
        rp_options_init(&st->o);
    if (rp_options_check(&st->o) != RP_OK || st->o.exhaustive)
        return RP_EINVAL;
    if (st->o.bands) {
        st->bands = st->o.bands;
        st->rows = st->o.rows;
    } else if (st->o.lsh_threshold > 0) {
        if (rp_lsh_params(st->o.hashes, st->o.lsh_threshold, &st->bands, &st->rows) != RP_OK)
            return RP_EINVAL;
    } else {
        st->bands = RP_INDEX_BANDS;
        st->rows = RP_INDEX_ROWS;
        if ((unsigned long)st->bands * st->rows > st->o.hashes)
            st->bands = st->o.hashes / st->rows;
    }
    st->o.bands = st->bands;
    st->o.rows = st->rows;
    st->o.lsh_threshold = 0;
    /* corpus-level furniture needs every document's lines at once; an
     * index that grows one article at a time does without it */
    st->o.furniture_df = 0;
    st->sample_bits = sample_bits < 0 ? RP_INDEX_SAMPLE_BITS : sample_bits;
    if (st->sample_bits > 16)
        return RP_EINVAL;
    st->normalizer = RP_NORMALIZER_VERSION;
    return RP_OK;
}

/* Compares the wanted settings with the stored ones. */
static int check_settings(rp_index *ix, const settings *have, const settings *want,
                          int check_opts, int check_sample)
{
    if (have->normalizer != RP_NORMALIZER_VERSION)
        return fail_msg(ix, RP_EINCOMPAT,
                        "index built with normalizer version %lld, this reprint has %d; "
                        "build the index again", (long long)have->normalizer,
                        RP_NORMALIZER_VERSION);
#define DIFF(name, fmt, a, b) \
    if ((a) != (b)) \
        return fail_msg(ix, RP_EINCOMPAT, "index built with " name " " fmt ", not " fmt, a, b)
    if (check_opts) {
        DIFF("--shingle", "%u", have->o.shingle, want->o.shingle);
        DIFF("--hashes", "%u", have->o.hashes, want->o.hashes);
        DIFF("--bands", "%u", have->bands, want->bands);
        DIFF("--rows", "%u", have->rows, want->rows);
        DIFF("--threshold", "%g", have->o.threshold, want->o.threshold);
        DIFF("--min-shared", "%u", have->o.min_shared, want->o.min_shared);
        if (have->o.keep_boilerplate != want->o.keep_boilerplate)
            return fail_msg(ix, RP_EINCOMPAT, "index built %s --keep-boilerplate",
                            have->o.keep_boilerplate ? "with" : "without");
    }
    if (check_sample)
        DIFF("--sample-bits", "%d", have->sample_bits, want->sample_bits);
#undef DIFF
    return RP_OK;
}

static int is_busy(int rc)
{
    return (rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED;
}

/* Reads the application id, the format version and the number of schema
 * entries in one read transaction, so that they all come from the same
 * state of a file that another process may be creating.
 * @return SQLITE_OK or an SQLite error code. */
static int read_header(rp_index *ix, int64_t *app, int64_t *ver, int64_t *ntab)
{
    int rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if ((rc = query_int(ix, "PRAGMA application_id", app)) == SQLITE_ROW &&
        (rc = query_int(ix, "PRAGMA user_version", ver)) == SQLITE_ROW &&
        (rc = query_int(ix, "SELECT count(*) FROM sqlite_master", ntab)) == SQLITE_ROW)
        rc = SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(ix->db))
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Creates the tables, the header values and the settings in one write
 * transaction, unless another process has made the file something (an
 * index, or anything else) meanwhile. @return SQLITE_OK or an error. */
static int create_schema(rp_index *ix, const settings *want)
{
    int64_t app = 0, ntab = 0;
    int rc = sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if ((rc = query_int(ix, "PRAGMA application_id", &app)) == SQLITE_ROW &&
        (rc = query_int(ix, "SELECT count(*) FROM sqlite_master", &ntab)) == SQLITE_ROW)
        rc = SQLITE_OK;
    if (rc == SQLITE_OK && app == 0 && ntab == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 APP_ID, RP_INDEX_FORMAT);
        if ((rc = sqlite3_exec(ix->db, schema, NULL, NULL, NULL)) == SQLITE_OK &&
            (rc = sqlite3_exec(ix->db, sql, NULL, NULL, NULL)) == SQLITE_OK)
            rc = write_meta(ix, want);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(ix->db))
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Opens the file for reading or writing and brings its header: creates
 * the index when it is empty and creation is asked for, then (writing)
 * turns on WAL. SQLite waits for other processes through the busy timeout
 * inside each step; a step that still finds the file busy (some lock
 * upgrades are refused at once rather than waited for, to avoid deadlock)
 * is tried again until the busy timeout has passed.
 * @return SQLITE_OK with the header values, or an SQLite error code. */
static int open_header(rp_index *ix, int write, int create, const settings *want,
                       int64_t *app, int64_t *ver, int64_t *ntab)
{
    int ms = ix->busy_ms > 0 ? ix->busy_ms : BUSY_TIMEOUT_MS;
    double deadline = rp_now() + ms / 1000.0;
    for (;;) {
        int rc = read_header(ix, app, ver, ntab);
        if (rc == SQLITE_OK && *app == 0 && *ver == 0 && *ntab == 0 && write && create) {
            rc = create_schema(ix, want);
            if (rc == SQLITE_OK)
                rc = read_header(ix, app, ver, ntab);
        }
        if (rc == SQLITE_OK && write && *app == APP_ID)
            rc = sqlite3_exec(ix->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                              NULL, NULL, NULL);
        if (!is_busy(rc) || rp_now() >= deadline)
            return rc;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The folder part of path ("." when it has none), into buf. */
static void folder_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, cap, ".");
    else if (slash == path)
        snprintf(buf, cap, "/");
    else
        snprintf(buf, cap, "%.*s", (int)(slash - path), path);
}

/* Opens path read-only as an immutable file: no locks, no -shm, no -wal,
 * for an index in a folder (or on a medium) that this process cannot
 * write, where no writer can be at work either. @return an SQLite code. */
static int open_immutable(rp_index *ix, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *uri = malloc(3 * n + 32);
    if (!uri)
        return SQLITE_NOMEM;
    char *u = uri + sprintf(uri, "file:");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
            *u++ = (char)c;
        } else {
            *u++ = '%';
            *u++ = hex[c >> 4];
            *u++ = hex[c & 15];
        }
    }
    strcpy(u, "?immutable=1");
    int rc = sqlite3_open_v2(uri, &ix->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                             SQLITE_OPEN_NOMUTEX, NULL);
    free(uri);
    return rc;
}

/* @return nonzero when a read of path failed only because the files SQLite
 * keeps beside it (-shm, -wal) cannot be made: its folder or medium is
 * read-only, and there is no write-ahead log that an immutable open would
 * miss. */
static int needs_immutable(const char *path, int rc)
{
    int base = rc & 0xFF;
    if (base != SQLITE_CANTOPEN && base != SQLITE_READONLY && base != SQLITE_IOERR)
        return 0;
    char dir[1024], wal[1100];
    folder_of(path, dir, sizeof dir);
    if (access(dir, W_OK) == 0)
        return 0;
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat st;
    return stat(wal, &st) != 0 || st.st_size == 0;
}

int rp_index_open(rp_index *ix, const char *path, unsigned flags,
                  const rp_options *o, int sample_bits)
{
    int rc, code;
    settings want, have;
    if (!ix || !path)
        return RP_EINVAL;
    index_close(ix);
    ix->msg[0] = 0;
    if (settings_of(o, sample_bits, &want) != RP_OK)
        return fail_msg(ix, RP_EINVAL, "invalid options for an index");
    snprintf(ix->path, sizeof ix->path, "%s", path);
    int write = (flags & RP_INDEX_WRITE) != 0;
    int create = write && (flags & RP_INDEX_CREATE);
    int oflags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (create)
        oflags |= SQLITE_OPEN_CREATE;
    struct stat stt;
    if (stat(path, &stt) != 0) {
        /* SQLite would report a missing file late and vaguely, and a
         * folder it cannot create the file in as a missing file */
        int e = errno;
        char dir[1024];
        folder_of(path, dir, sizeof dir);
        if (!create || e != ENOENT)
            return fail_msg(ix, RP_EDB, "cannot open index: %s", strerror(e));
        if (access(dir, W_OK) != 0 && errno != ENOENT && errno != ENOTDIR)
            return fail_msg(ix, errno == EROFS || errno == EACCES || errno == EPERM
                            ? RP_EREADONLY : RP_EDB,
                            "cannot create the index: folder '%s' cannot be written: %s",
                            dir, strerror(errno));
    }
    rc = sqlite3_open_v2(path, &ix->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        code = db_fail(ix, rc);
        goto fail;
    }
    sqlite3_extended_result_codes(ix->db, 1);
    sqlite3_busy_timeout(ix->db, ix->busy_ms > 0 ? ix->busy_ms : BUSY_TIMEOUT_MS);
    if (write && sqlite3_db_readonly(ix->db, "main") == 1) {
        code = fail_msg(ix, RP_EREADONLY, "cannot write the index: read-only");
        goto fail;
    }
    int64_t app = 0, ver = 0, ntab = 0;
    rc = open_header(ix, write, create, &want, &app, &ver, &ntab);
    if (rc != SQLITE_OK && !write && needs_immutable(path, rc)) {
        sqlite3_close(ix->db);
        ix->db = NULL;
        rc = open_immutable(ix, path);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(ix->db, 1);
            rc = read_header(ix, &app, &ver, &ntab);
        }
    }
    if (rc != SQLITE_OK) {
        code = db_fail(ix, rc);
        goto fail;
    }
    if (app == 0 && ver == 0 && ntab == 0) {
        code = fail_msg(ix, RP_EFORMAT, "not a reprint index (empty)");
        goto fail;
    }
    if (app != APP_ID) {
        code = fail_msg(ix, RP_EFORMAT, "not a reprint index");
        goto fail;
    }
    if (ver > RP_INDEX_FORMAT) {
        code = fail_msg(ix, RP_EFORMAT,
                        "index format version %lld is newer than this reprint reads (%d); "
                        "upgrade reprint", (long long)ver, RP_INDEX_FORMAT);
        goto fail;
    }
    if (ver < 1) {
        code = fail_msg(ix, RP_EFORMAT, "not a reprint index (format version %lld)",
                        (long long)ver);
        goto fail;
    }
    code = read_meta(ix, &have);
    if (code == RP_OK)
        code = check_settings(ix, &have, &want, o != NULL, sample_bits >= 0);
    if (code != RP_OK)
        goto fail;
    ix->o = have.o;
    ix->bands = have.bands;
    ix->rows = have.rows;
    ix->sample_bits = have.sample_bits;
    ix->writable = write;
    sqlite3_exec(ix->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    for (int i = 0; i < NSTMT; i++) {
        rc = sqlite3_prepare_v3(ix->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &ix->st[i], NULL);
        if (rc != SQLITE_OK) {
            code = rc == SQLITE_ERROR ? fail_msg(ix, RP_EFORMAT, "not a reprint index (tables missing)")
                                      : db_fail(ix, rc);
            goto fail;
        }
    }
    return RP_OK;
fail: {
        char keep[sizeof ix->msg];
        memcpy(keep, ix->msg, sizeof keep);
        index_close(ix);
        memcpy(ix->msg, keep, sizeof keep);
        return code;
    }
}

void rp_index_set_merge_docs(rp_index *ix, size_t docs)
{
    if (ix)
        ix->merge_docs = docs;
}

void rp_index_set_busy_timeout(rp_index *ix, int ms)
{
    if (ix)
        ix->busy_ms = ms;
}

int rp_index_options(const rp_index *ix, rp_options *o, int *sample_bits)
{
    if (!ix || !ix->db)
        return RP_ESTATE;
    if (o)
        *o = ix->o;
    if (sample_bits)
        *sample_bits = ix->sample_bits;
    return RP_OK;
}

void rp_index_set_loader(rp_index *ix, rp_index_load_fn fn, void *ctx)
{
    ix->load = fn;
    ix->load_ctx = ctx;
    cache_clear(ix);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */
/* ------------------------------------------------------------------ */

static int step_done(rp_index *ix, int which)
{
    sqlite3_stmt *s = ix->st[which];
    int rc = sqlite3_step(s);
    int code = rc == SQLITE_DONE || rc == SQLITE_ROW ? RP_OK : db_fail(ix, rc);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return code;
}

static int merge_recent(rp_index *ix);

int rp_index_begin(rp_index *ix)
{
    if (!ix || !ix->db || !ix->writable || ix->in_batch)
        return RP_ESTATE;
    int rc = step_done(ix, S_BEGIN);
    if (rc == RP_OK)
        ix->in_batch = 1;
    return rc;
}

int rp_index_commit(rp_index *ix)
{
    if (!ix || !ix->db || !ix->in_batch)
        return RP_ESTATE;
    int rc = RP_OK;
    if (ix->added) {
        /* count the documents in the recent lookup; merge it when big */
        int64_t recent = 0;
        sqlite3_bind_int64(ix->st[S_NEW_ADD], 1, (int64_t)ix->added);
        rc = step_done(ix, S_NEW_ADD);
        if (rc == RP_OK) {
            int q = query_int(ix, "SELECT value FROM meta WHERE key = 'recent'", &recent);
            if (q != SQLITE_ROW && q != SQLITE_DONE)
                rc = db_fail(ix, q);
        }
        if (rc == RP_OK && recent >= (int64_t)(ix->merge_docs ? ix->merge_docs : RP_INDEX_MERGE_DOCS))
            rc = merge_recent(ix);
    }
    if (rc == RP_OK)
        rc = step_done(ix, S_COMMIT);
    if (rc != RP_OK) {
        char keep[sizeof ix->msg];
        memcpy(keep, ix->msg, sizeof keep);
        rp_index_rollback(ix);
        memcpy(ix->msg, keep, sizeof keep);
        return rc;
    }
    ix->in_batch = 0;
    ix->added = 0;
    return RP_OK;
}

void rp_index_rollback(rp_index *ix)
{
    if (!ix || !ix->db || !ix->in_batch)
        return;
    if (!sqlite3_get_autocommit(ix->db))
        step_done(ix, S_ROLLBACK);
    ix->in_batch = 0;
    ix->added = 0;
    cache_clear(ix);
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */
/* ------------------------------------------------------------------ */

/* A digest of a shingle set, to tell that a re-read text is the same. */
static uint64_t digest_of(const rp_doc *d)
{
    uint64_t h = d->n;
    for (size_t i = 0; i < d->n; i++)
        h = h * 0x9E3779B97F4A7C15ull + d->sh[i];
    return h;
}

/* The lookup row of band key `key` in band `band`. */
static int64_t lsh_key(uint32_t key, unsigned band)
{
    return (int64_t)((uint64_t)band << 32 | key);
}

/* Reads lookup row k of table t (0: lsh, 1: lsh_new) into v, at most cap
 * row numbers. @return their count, or a negative code. */
static long row_get(rp_index *ix, int t, int64_t k, uint32_t *v, long cap)
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
        n = db_fail(ix, rc);
    }
    sqlite3_reset(q);
    return n;
}

/* Reads the documents of band key k, oldest first: the merged lookup
 * then the recent one, at most RP_INDEX_BUCKET_MAX in all. *recent gets
 * how many of them (the last ones) come from the recent table. @return
 * the count, or a negative code. */
static long bucket_get(rp_index *ix, int64_t k, uint32_t *v, long *recent)
{
    long n = row_get(ix, 0, k, v, RP_INDEX_BUCKET_MAX);
    if (n < 0)
        return n;
    long m = row_get(ix, 1, k, v + n, RP_INDEX_BUCKET_MAX - n);
    if (m < 0)
        return m;
    if (recent)
        *recent = m;
    return n + m;
}

/* Writes lookup row k of table t with the n row numbers v (deletes it when
 * n is 0; `exists`: the row is there). */
static int bucket_put(rp_index *ix, int t, int64_t k, const uint32_t *v, long n, int exists)
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
        return step_done(ix, del);
    }
    if (exists) {
        sqlite3_bind_blob(ix->st[set], 1, b, (int)(4 * n), SQLITE_TRANSIENT);
        sqlite3_bind_int64(ix->st[set], 2, k);
        return step_done(ix, set);
    }
    sqlite3_bind_int64(ix->st[ins], 1, k);
    sqlite3_bind_blob(ix->st[ins], 2, b, (int)(4 * n), SQLITE_TRANSIENT);
    return step_done(ix, ins);
}

/* Moves the recent lookup rows into the merged ones, in key order, so
 * that each page of the big table is written once a merge rather than
 * once a document. */
static int merge_recent(rp_index *ix)
{
    sqlite3_stmt *q;
    uint32_t v[2 * RP_INDEX_BUCKET_MAX];
    int rc = sqlite3_prepare_v2(ix->db, "SELECT k, docs FROM lsh_new ORDER BY k", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return db_fail(ix, rc);
    int code = RP_OK;
    while (code == RP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(q, 0);
        const unsigned char *b = sqlite3_column_blob(q, 1);
        long len = (long)(sqlite3_column_bytes(q, 1) / 4);
        long n = row_get(ix, 0, k, v, RP_INDEX_BUCKET_MAX);
        if (n < 0) {
            code = (int)n;
            break;
        }
        int exists = n > 0;
        for (long i = 0; b && i < len && n < RP_INDEX_BUCKET_MAX; i++)
            v[n++] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        code = bucket_put(ix, 0, k, v, n, exists);
    }
    if (code == RP_OK && rc != SQLITE_DONE)
        code = db_fail(ix, rc);
    sqlite3_finalize(q);
    if (code == RP_OK && (rc = sqlite3_exec(ix->db, "DELETE FROM lsh_new; "
                                            "UPDATE meta SET value = 0 WHERE key = 'recent'",
                                            NULL, NULL, NULL)) != SQLITE_OK)
        code = db_fail(ix, rc);
    return code;
}

static void stored_free(stored *s)
{
    free(s->id);
    free(s->path);
    free(s->keys);
    free(s->sample);
    memset(s, 0, sizeof *s);
}

/* Reads document row into *s. @return RP_OK, RP_ENOTFOUND, RP_EFORMAT
 * (malformed row) or another RP_E* code. */
static int stored_get(rp_index *ix, int64_t row, stored *s)
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
        code = db_fail(ix, rc);
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
        code = fail_msg(ix, RP_EFORMAT, "index is damaged (document row %lld)", (long long)row);
        goto out;
    }
    s->nsh = (size_t)nsh;
    s->id = strdup(id);
    s->has_path = path != NULL;
    s->path = path ? strdup(path[0] ? path : id) : NULL;
    s->keys = malloc(kn ? kn : 1);
    /* a value takes at least one byte: the blob bounds the count */
    size_t scap = sn < s->nsh ? sn + 1 : SAMPLE_CAP(s->nsh);
    s->sample = malloc(scap * sizeof *s->sample);
    if (!s->id || (path && !s->path) || !s->keys || !s->sample) {
        code = fail_msg(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    if (kn)
        memcpy(s->keys, kb, kn);
    s->m = sb ? rp_sample_decode(sb, sn, s->sample, scap) : 0;
    if (s->m == (size_t)-1) {
        code = fail_msg(ix, RP_EFORMAT, "index is damaged (sample of row %lld)", (long long)row);
        goto out;
    }
out:
    sqlite3_reset(q);
    if (code != RP_OK)
        stored_free(s);
    return code;
}

/* @return the re-read document of stored row s (borrowed from the cache),
 * or NULL when it cannot be had unchanged. */
static const rp_doc *exact_doc(rp_index *ix, const stored *s)
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
        if (d && (d->n != s->nsh || digest_of(d) != s->digest)) {
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
    uint32_t *bucket;   /* bands x RP_INDEX_BUCKET_MAX: the lookup rows as read */
    long *nbucket;      /* per band: documents in its row, -1 not read */
    long *nrecent;      /* per band: how many of them are in lsh_new */
    uint32_t *sample;
    size_t m;
} probe;

static int probe_init(rp_index *ix, const rp_doc *d, probe *p)
{
    memset(p, 0, sizeof *p);
    p->d = d;
    if (d->K != ix->o.hashes)
        return fail_msg(ix, RP_EINVAL, "document sketched with other options");
    p->keys = malloc(ix->bands * sizeof *p->keys);
    p->sample = malloc(SAMPLE_CAP(d->n) * sizeof *p->sample);
    p->bucket = malloc((size_t)ix->bands * (RP_INDEX_BUCKET_MAX + 1) * sizeof *p->bucket);
    p->nbucket = malloc(ix->bands * sizeof *p->nbucket);
    p->nrecent = malloc(ix->bands * sizeof *p->nrecent);
    if (!p->keys || !p->sample || !p->bucket || !p->nbucket || !p->nrecent)
        return fail_msg(ix, RP_ENOMEM, "out of memory");
    rp_lsh_keys(d->sig, ix->bands, ix->rows, p->keys);
    for (unsigned b = 0; b < ix->bands; b++)
        p->nbucket[b] = -1;
    p->m = rp_sample(d->sh, d->n, (unsigned)ix->sample_bits, p->sample);
    return RP_OK;
}

static void probe_free(probe *p)
{
    free(p->bucket);
    free(p->nbucket);
    free(p->nrecent);
    free(p->keys);
    free(p->sample);
}

/* Compares the probe with stored document s: exactly when its text can be
 * re-read unchanged, else from the samples. */
static void compare(rp_index *ix, const probe *p, const stored *s, rp_sim *out, int *exact)
{
    const rp_doc *e = exact_doc(ix, s);
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

/* Collects the rowids that share a band key with the probe (sorted,
 * each once). @return the count, or a negative RP_E* code. */
static long candidates(rp_index *ix, probe *p, int64_t **out)
{
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    for (unsigned b = 0; b < ix->bands; b++) {
        uint32_t *got = p->bucket + (size_t)b * (RP_INDEX_BUCKET_MAX + 1);
        long m = bucket_get(ix, lsh_key(p->keys[b], b), got, &p->nrecent[b]);
        p->nbucket[b] = m;
        if (m < 0) {
            free(v);
            return m;
        }
        if (m > 0 && rp_grow(&v, &cap, n + (size_t)m, sizeof *v) < 0) {
            free(v);
            return fail_msg(ix, RP_ENOMEM, "out of memory");
        }
        for (long i = 0; i < m; i++)
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
    for (unsigned b = 0; b < ix->bands; b++) {
        uint32_t k;
        memcpy(&k, (const char *)s->keys + 4 * (size_t)b, 4);
        if (k == p->keys[b])
            return 1;
    }
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
 * and documents with id skip_id. Matches come best first in *mx. */
static int find_matches(rp_index *ix, probe *p, int64_t self, const char *skip_id,
                        match_x **mx, size_t *nm)
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
    for (long i = 0; i < nc; i++) {
        if (cand[i] == self)
            continue;
        stored s;
        code = stored_get(ix, cand[i], &s);
        if (code == RP_ENOTFOUND) {
            code = RP_OK;
            continue;
        }
        if (code != RP_OK)
            break;
        if ((skip_id && strcmp(s.id, skip_id) == 0) || !same_band(ix, p, &s)) {
            stored_free(&s);
            continue;
        }
        rp_sim sim;
        int exact;
        compare(ix, p, &s, &sim, &exact);
        if (sim.similar) {
            if (rp_grow(&v, &cap, n + 1, sizeof *v) < 0) {
                stored_free(&s);
                code = fail_msg(ix, RP_ENOMEM, "out of memory");
                break;
            }
            v[n].m.id = s.id;
            s.id = NULL;
            v[n].m.doc = s.row;
            v[n].m.sim = sim;
            v[n].m.exact = exact;
            v[n].cluster = s.cluster;
            n++;
        }
        stored_free(&s);
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
        for (size_t j = 0; j < n; j++)
            if (v[j].m.doc == rep)
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
        code = db_fail(ix, rc);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return code;
}

/* Deletes row and everything that points to it. */
static int remove_row(rp_index *ix, int64_t row)
{
    stored s;
    int code = stored_get(ix, row, &s);
    if (code == RP_EFORMAT) {
        /* a damaged row still goes; its lookup rows stay harmless */
        memset(&s, 0, sizeof s);
        code = RP_OK;
    }
    if (code != RP_OK)
        return code;
    for (unsigned b = 0; s.keys && b < ix->bands && code == RP_OK; b++) {
        uint32_t k, got[RP_INDEX_BUCKET_MAX];
        memcpy(&k, (const char *)s.keys + 4 * (size_t)b, 4);
        for (int t = 0; t < 2 && code == RP_OK; t++) {
            long m = row_get(ix, t, lsh_key(k, b), got, RP_INDEX_BUCKET_MAX), w = 0;
            if (m < 0) {
                code = (int)m;
                break;
            }
            for (long i = 0; i < m; i++)
                if (got[i] != (uint32_t)row)
                    got[w++] = got[i];
            if (m > 0 && w != m)
                code = bucket_put(ix, t, lsh_key(k, b), got, w, 1);
        }
    }
    stored_free(&s);
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_PAIRS_A], 1, row);
        code = step_done(ix, S_DEL_PAIRS_A);
    }
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_PAIRS_B], 1, row);
        code = step_done(ix, S_DEL_PAIRS_B);
    }
    if (code == RP_OK) {
        sqlite3_bind_int64(ix->st[S_DEL_DOC], 1, row);
        code = step_done(ix, S_DEL_DOC);
    }
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
        return fail_msg(ix, RP_ENOMEM, "out of memory");
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
    sqlite3_bind_int64(q, 7, (int64_t)digest_of(p->d));
    if (cluster)
        sqlite3_bind_int64(q, 8, cluster);
    else
        sqlite3_bind_null(q, 8);
    sqlite3_bind_blob(q, 9, p->keys, (int)(ix->bands * 4), SQLITE_STATIC);
    sqlite3_bind_blob(q, 10, sb, (int)sn, SQLITE_STATIC);
    int code = step_done(ix, S_INS_DOC);
    free(sb);
    if (code != RP_OK)
        return code;
    *row = sqlite3_last_insert_rowid(ix->db);
    if (*row <= 0 || *row > (int64_t)UINT32_MAX)
        return fail_msg(ix, RP_EDB, "index is full (row numbers above 2^32)");
    for (unsigned b = 0; b < ix->bands && code == RP_OK; b++) {
        /* a bucket full of documents takes no more: they are found
         * through their other bands */
        uint32_t *got = p->bucket + (size_t)b * (RP_INDEX_BUCKET_MAX + 1);
        int64_t k = lsh_key(p->keys[b], b);
        long recent = 0;
        long m = p->nbucket[b] >= 0 ? (recent = p->nrecent[b], p->nbucket[b])
                                     : bucket_get(ix, k, got, &recent);
        if (m < 0)
            code = (int)m;
        else if (m < RP_INDEX_BUCKET_MAX) {
            /* new entries go to the recent table, which stays small */
            got[m] = (uint32_t)*row;
            code = bucket_put(ix, 1, k, got + (m - recent), recent + 1, recent > 0);
        }
    }
    return code;
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
        return fail_msg(ix, RP_EREADONLY, "index opened read-only");
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
    if (row && (size_t)nsh == d->n && dig == digest_of(d)) {
        /* unchanged: report its matches, change nothing */
        code = find_matches(ix, &p, row, NULL, &v, &n);
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
    code = find_matches(ix, &p, 0, NULL, &v, &n);
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
        code = step_done(ix, S_INS_PAIR);
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
            code = db_fail(ix, rc);
    } else {
        own = 0;
    }
    if (code == RP_OK && id)
        code = find_id(ix, id, &row, &nsh, &dig, &cl);
    if (code == RP_OK)
        code = find_matches(ix, &p, 0, id, &v, &n);
    if (code == RP_OK) {
        int64_t join = row && (size_t)nsh == d->n && dig == digest_of(d) ? cl
                                                                           : choose_cluster(v, n);
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
        return fail_msg(ix, RP_EREADONLY, "index opened read-only");
    int own, code = auto_begin(ix, &own);
    int64_t row = 0, nsh, cl;
    uint64_t dig;
    if (code == RP_OK)
        code = find_id(ix, id, &row, &nsh, &dig, &cl);
    if (code == RP_OK && !row)
        code = fail_msg(ix, RP_ENOTFOUND, "no such document");
    if (code == RP_OK)
        code = remove_row(ix, row);
    return auto_end(ix, own, code);
}

int rp_index_stats_get(rp_index *ix, rp_index_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!ix || !ix->db)
        return RP_ESTATE;
    int64_t v;
    int rc;
    int own = sqlite3_get_autocommit(ix->db);
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return db_fail(ix, rc);
    if ((rc = query_int(ix, "SELECT count(*) FROM docs", &v)) != SQLITE_ROW)
        goto fail;
    st->docs = (uint64_t)v;
    if ((rc = query_int(ix, "SELECT count(DISTINCT COALESCE(cluster, rowid)) FROM docs", &v)) != SQLITE_ROW)
        goto fail;
    st->clusters = (uint64_t)v;
    if ((rc = query_int(ix, "SELECT count(*) FROM pairs", &v)) != SQLITE_ROW)
        goto fail;
    st->pairs = (uint64_t)v;
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    struct stat s;
    char wal[sizeof ix->path + 8];
    if (stat(ix->path, &s) == 0)
        st->bytes += (uint64_t)s.st_size;
    snprintf(wal, sizeof wal, "%s-wal", ix->path);
    if (stat(wal, &s) == 0)
        st->bytes += (uint64_t)s.st_size;
    st->bands = ix->bands;
    st->rows = ix->rows;
    return RP_OK;
fail:
    if (own)
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return db_fail(ix, rc);
}

/* ------------------------------------------------------------------ */
/* Export                                                               */
/* ------------------------------------------------------------------ */

typedef struct exp_ctx {
    rp_index *ix;
    int64_t *rows;      /* dense index -> rowid */
    char **ids;
    size_t *nsh;
    size_t n;
} exp_ctx;

static long dense_of(const exp_ctx *e, int64_t row)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->rows[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < e->n && e->rows[lo] == row ? (long)lo : -1;
}

/* Compares documents a and b (dense) for the clustering. */
static int exp_compare(void *ctx, size_t a, size_t b, rp_sim *out)
{
    exp_ctx *e = ctx;
    stored sa, sb;
    int code = stored_get(e->ix, e->rows[a], &sa);
    if (code != RP_OK)
        return code;
    code = stored_get(e->ix, e->rows[b], &sb);
    if (code != RP_OK) {
        stored_free(&sa);
        return code;
    }
    const rp_doc *da = exact_doc(e->ix, &sa);
    rp_doc *keep = NULL;
    if (da) {
        /* the next lookup may evict it from the cache */
        cslot *c = &e->ix->cache[(uint64_t)sa.row % CACHE_SLOTS];
        keep = c->d;
        c->d = NULL;
        c->state = 0;
    }
    const rp_doc *db = da ? exact_doc(e->ix, &sb) : NULL;
    if (da && db)
        rp_doc_compare(da, db, &e->ix->o, out);
    else
        rp_sample_estimate(sa.nsh, sa.sample, sa.m, sb.nsh, sb.sample, sb.m, &e->ix->o, out);
    rp_doc_free(keep);
    stored_free(&sa);
    stored_free(&sb);
    return RP_OK;
}

int rp_index_export(rp_index *ix, rp_index_export_fn fn, void *ctx)
{
    if (!ix || !ix->db || !fn)
        return RP_EINVAL;
    exp_ctx e = {ix, NULL, NULL, NULL, 0};
    rp_pair *pairs = NULL;
    size_t np = 0, cap = 0, ecap = 0;
    rp_clustering cl = {0};
    rp_index_member *mem = NULL;
    sqlite3_stmt *q = NULL;
    int code = RP_OK, rc;
    int own = sqlite3_get_autocommit(ix->db);
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return db_fail(ix, rc);
    rc = sqlite3_prepare_v2(ix->db, "SELECT rowid, id, nsh FROM docs ORDER BY rowid", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW)
            break;
        const char *id = (const char *)sqlite3_column_text(q, 1);
        size_t c1 = ecap, c2 = ecap;
        if (rp_grow(&e.rows, &ecap, e.n + 1, sizeof *e.rows) < 0 ||
            rp_grow(&e.ids, &c1, e.n + 1, sizeof *e.ids) < 0 ||
            rp_grow(&e.nsh, &c2, e.n + 1, sizeof *e.nsh) < 0) {
            code = fail_msg(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        int64_t nsh = sqlite3_column_int64(q, 2);
        if (!id || nsh < 1 || nsh > (int64_t)UINT32_MAX) {
            code = fail_msg(ix, RP_EFORMAT, "index is damaged (document row %lld)",
                            (long long)sqlite3_column_int64(q, 0));
            goto out;
        }
        e.rows[e.n] = sqlite3_column_int64(q, 0);
        e.ids[e.n] = strdup(id);
        e.nsh[e.n] = (size_t)nsh;
        if (!e.ids[e.n]) {
            code = fail_msg(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        e.n++;
    }
    if (rc != SQLITE_DONE) {
        code = db_fail(ix, rc);
        goto out;
    }
    sqlite3_finalize(q);
    rc = sqlite3_prepare_v2(ix->db, "SELECT a, b, shared FROM pairs ORDER BY a, b", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW)
            break;
        long a = dense_of(&e, sqlite3_column_int64(q, 0));
        long b = dense_of(&e, sqlite3_column_int64(q, 1));
        int64_t shared = sqlite3_column_int64(q, 2);
        if (a < 0 || b < 0 || a >= b || shared < 0)
            continue;   /* a stale or malformed pair */
        if (rp_grow(&pairs, &cap, np + 1, sizeof *pairs) < 0) {
            code = fail_msg(ix, RP_ENOMEM, "out of memory");
            goto out;
        }
        rp_pair *p = &pairs[np++];
        p->a = (size_t)a;
        p->b = (size_t)b;
        size_t sh = (size_t)shared;
        size_t lo = e.nsh[a] < e.nsh[b] ? e.nsh[a] : e.nsh[b];
        rp_sim_from_counts(e.nsh[a], e.nsh[b], sh < lo ? sh : lo, &ix->o, &p->sim);
        if (!p->sim.similar)
            np--;
    }
    if (rc != SQLITE_DONE) {
        code = db_fail(ix, rc);
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    code = rp_cluster_build(e.n, pairs, np, exp_compare, &e, &ix->o, &cl);
    if (code != RP_OK) {
        if (code == RP_ENOMEM)
            fail_msg(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    mem = malloc((e.n + 1 + (cl.rstart ? cl.rstart[cl.n] : 0)) * sizeof *mem);
    if (!mem) {
        code = fail_msg(ix, RP_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cl.n; i++) {
        size_t k = 0;
        for (size_t j = cl.start[i]; j < cl.start[i + 1]; j++, k++) {
            mem[k].id = e.ids[cl.members[j].doc];
            mem[k].jaccard = cl.members[j].jaccard;
            mem[k].containment = cl.members[j].containment;
        }
        /* then the related documents, up to an entry with no id */
        for (size_t j = cl.rstart[i], w = k; j <= cl.rstart[i + 1]; j++, w++) {
            const rp_member *r = &cl.related[j];
            int end = j == cl.rstart[i + 1];
            mem[w] = (rp_index_member){end ? NULL : e.ids[r->doc],
                                       end ? 0 : r->jaccard, end ? 0 : r->containment,
                                       end ? NULL : e.ids[r->partner],
                                       end ? 0 : r->score, end ? 0 : r->holds};
        }
        int r = fn(ctx, i + 1, mem, k);
        if (r != 0) {
            code = r;
            goto out;
        }
    }
out:
    sqlite3_finalize(q);
    if (own)
        sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    for (size_t i = 0; i < e.n; i++)
        free(e.ids[i]);
    free(e.ids);
    free(e.rows);
    free(e.nsh);
    free(pairs);
    free(mem);
    rp_clustering_free(&cl);
    return code;
}
