/*
 * index.c - a persistent index of documents on SQLite, for live feeds:
 * each new article is matched against everything indexed before it, and
 * joins a cluster, without rescanning the archive.
 *
 * This file holds the schema, opening and its settings, errors,
 * transactions and stats. The sample encoding (index_sample.c), band-key
 * storage (index_keys.c), matching (index_match.c) and export
 * (index_export.c) are modules of their own; index_int.h is what they
 * share.
 *
 * Tables (format RP_INDEX_FORMAT, in PRAGMA user_version; the file is
 * marked with PRAGMA application_id 'RPIX'):
 *
 *   meta(key, value)       the settings: shingle, hashes, bands, rows,
 *                          threshold, min_shared, keep_boilerplate,
 *                          sample_bits and the normalizer version.
 *   docs(rowid, id, path, size, added, title, nsh, digest, cluster, keys,
 *        sample, date)     one row a document. path is NULL when the text
 *                          cannot be read again (stdin) and '' when it is
 *                          the id; cluster is NULL when the document
 *                          founded its own cluster (whose number is then
 *                          its rowid); keys holds the b band keys (4 bytes
 *                          each), sample the consistent shingle sample,
 *                          date its date (Unix seconds; NULL: added).
 *                          The band-key lookup is built in memory from
 *                          the keys (index_keys.c) and saved beside the
 *                          index, in "<index>-keys", a checked cache
 *                          (index_snap.c); format 1 also kept it in
 *                          tables lsh and lsh_new, dropped on upgrade.
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
#include "index_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lsh.h"
#include "util.h"

static const char *const sql_text[NSTMT] = {
    "SELECT rowid, nsh, digest, COALESCE(cluster, rowid) FROM docs WHERE id = ?",
    "SELECT id, path, nsh, digest, COALESCE(cluster, rowid), keys, sample, skew "
    "FROM docs WHERE rowid = ?",
    "INSERT INTO docs(id, path, size, added, title, nsh, digest, cluster, keys, sample, date, "
    "skew) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    " digest INTEGER, cluster INTEGER, keys BLOB, sample BLOB, date INTEGER,"
    " skew BLOB);"
    "INSERT INTO meta(key, value) VALUES ('removed', 0);"
    "CREATE TABLE pairs(a INTEGER, b INTEGER, shared INTEGER, exact INTEGER,"
    " PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE INDEX pairs_b ON pairs(b);";

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Records the database's last error in ix->msg. @return the RP_E* code. */
int ix_db_fail(rp_index *ix, int rc)
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

int ix_fail(rp_index *ix, int code, const char *fmt, ...)
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

void ix_cache_clear(rp_index *ix)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        rp_doc_free(ix->cache[i].d);
        memset(&ix->cache[i], 0, sizeof ix->cache[i]);
    }
    ix_rows_clear(ix);
}

static void index_close(rp_index *ix)
{
    if (ix->db && !ix->in_batch)
        ix_keys_checkpoint(ix, 1);
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
    ix_cache_clear(ix);
    free(ix->rowc);
    ix->rowc = NULL;
    ix_keys_free(&ix->keys);
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
int ix_query_int(rp_index *ix, const char *sql, int64_t *out)
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
        return ix_fail(ix, RP_EFORMAT, "not a reprint index (no settings)");
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
        return ix_db_fail(ix, rc);
    st->o.bands = st->bands;
    st->o.rows = st->rows;
    st->o.furniture_df = 0;
    if (seen != 511 || rp_options_check(&st->o) != RP_OK || st->bands == 0 ||
        st->sample_bits < 0 || st->sample_bits > 16)
        return ix_fail(ix, RP_EFORMAT, "not a reprint index (bad settings)");
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
        return ix_fail(ix, RP_EINCOMPAT,
                        "index built with normalizer version %lld, this reprint has %d; "
                        "build the index again", (long long)have->normalizer,
                        RP_NORMALIZER_VERSION);
#define DIFF(name, fmt, a, b) \
    if ((a) != (b)) \
        return ix_fail(ix, RP_EINCOMPAT, "index built with " name " " fmt ", not " fmt, a, b)
    if (check_opts) {
        DIFF("--shingle", "%u", have->o.shingle, want->o.shingle);
        DIFF("--hashes", "%u", have->o.hashes, want->o.hashes);
        DIFF("--bands", "%u", have->bands, want->bands);
        DIFF("--rows", "%u", have->rows, want->rows);
        DIFF("--threshold", "%g", have->o.threshold, want->o.threshold);
        DIFF("--min-shared", "%u", have->o.min_shared, want->o.min_shared);
        if (have->o.keep_boilerplate != want->o.keep_boilerplate)
            return ix_fail(ix, RP_EINCOMPAT, "index built %s --keep-boilerplate",
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
    if ((rc = ix_query_int(ix, "PRAGMA application_id", app)) == SQLITE_ROW &&
        (rc = ix_query_int(ix, "PRAGMA user_version", ver)) == SQLITE_ROW &&
        (rc = ix_query_int(ix, "SELECT count(*) FROM sqlite_master", ntab)) == SQLITE_ROW)
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
    if ((rc = ix_query_int(ix, "PRAGMA application_id", &app)) == SQLITE_ROW &&
        (rc = ix_query_int(ix, "SELECT count(*) FROM sqlite_master", &ntab)) == SQLITE_ROW)
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

/* Brings an index of format `from` to RP_INDEX_FORMAT in one write
 * transaction (another writer may have done it meanwhile). Format 1 had
 * no publication date: its documents are dated when they were added.
 * @return an SQLite code. */
static int upgrade(rp_index *ix, int64_t from)
{
    int64_t ver = from;
    int rc = sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = ix_query_int(ix, "PRAGMA user_version", &ver);
    rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
    if (rc == SQLITE_OK && ver == 1) {
        char sql[256];
        snprintf(sql, sizeof sql, "ALTER TABLE docs ADD COLUMN date INTEGER;"
                 "ALTER TABLE docs ADD COLUMN skew BLOB;"
                 "DROP TABLE IF EXISTS lsh; DROP TABLE IF EXISTS lsh_new;"
                 "PRAGMA user_version=%d", RP_INDEX_FORMAT);
        rc = sqlite3_exec(ix->db, sql, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(ix->db))
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
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
        return ix_fail(ix, RP_EINVAL, "invalid options for an index");
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
            return ix_fail(ix, RP_EDB, "cannot open index: %s", strerror(e));
        if (access(dir, W_OK) != 0 && errno != ENOENT && errno != ENOTDIR)
            return ix_fail(ix, errno == EROFS || errno == EACCES || errno == EPERM
                            ? RP_EREADONLY : RP_EDB,
                            "cannot create the index: folder '%s' cannot be written: %s",
                            dir, strerror(errno));
    }
    rc = sqlite3_open_v2(path, &ix->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        code = ix_db_fail(ix, rc);
        goto fail;
    }
    sqlite3_extended_result_codes(ix->db, 1);
    sqlite3_busy_timeout(ix->db, ix->busy_ms > 0 ? ix->busy_ms : BUSY_TIMEOUT_MS);
    if (write && sqlite3_db_readonly(ix->db, "main") == 1) {
        code = ix_fail(ix, RP_EREADONLY, "cannot write the index: read-only");
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
        code = ix_db_fail(ix, rc);
        goto fail;
    }
    if (app == 0 && ver == 0 && ntab == 0) {
        code = ix_fail(ix, RP_EFORMAT, "not a reprint index (empty)");
        goto fail;
    }
    if (app != APP_ID) {
        code = ix_fail(ix, RP_EFORMAT, "not a reprint index");
        goto fail;
    }
    if (ver > RP_INDEX_FORMAT) {
        code = ix_fail(ix, RP_EFORMAT,
                        "index format version %lld is newer than this reprint reads (%d); "
                        "upgrade reprint", (long long)ver, RP_INDEX_FORMAT);
        goto fail;
    }
    if (ver < 1) {
        code = ix_fail(ix, RP_EFORMAT, "not a reprint index (format version %lld)",
                        (long long)ver);
        goto fail;
    }
    if (ver < RP_INDEX_FORMAT && write) {
        rc = upgrade(ix, ver);
        if (rc != SQLITE_OK) {
            code = ix_db_fail(ix, rc);
            goto fail;
        }
        ver = RP_INDEX_FORMAT;
    }
    ix->format = (int)ver;
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
    if (ix_keys_bins(ix) != RP_OK) {
        code = ix_fail(ix, RP_ENOMEM, "out of memory");
        goto fail;
    }
    sqlite3_exec(ix->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    for (int i = 0; i < NSTMT; i++) {
        if (i == S_INS_DOC && ix->format < 2)
            continue;   /* read-only open of a format 1 index: never added to */
        const char *sql = sql_text[i];
        if (i == S_DOC_ROW && ix->format < 2)
            sql = "SELECT id, path, nsh, digest, COALESCE(cluster, rowid), keys, sample, NULL "
                  "FROM docs WHERE rowid = ?";
        rc = sqlite3_prepare_v3(ix->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &ix->st[i], NULL);
        if (rc != SQLITE_OK) {
            code = rc == SQLITE_ERROR ? ix_fail(ix, RP_EFORMAT, "not a reprint index (tables missing)")
                                      : ix_db_fail(ix, rc);
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

void rp_index_set_date(rp_index *ix, int64_t date)
{
    if (ix)
        ix->date = date;
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
    ix_cache_clear(ix);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */
/* ------------------------------------------------------------------ */

int ix_step(rp_index *ix, int which)
{
    sqlite3_stmt *s = ix->st[which];
    int rc = sqlite3_step(s);
    int code = rc == SQLITE_DONE || rc == SQLITE_ROW ? RP_OK : ix_db_fail(ix, rc);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return code;
}

int rp_index_begin(rp_index *ix)
{
    if (!ix || !ix->db || !ix->writable || ix->in_batch)
        return RP_ESTATE;
    int rc = ix_step(ix, S_BEGIN);
    ix->batch_synced = 0;
    if (rc == RP_OK)
        ix->in_batch = 1;
    return rc;
}

int rp_index_commit(rp_index *ix)
{
    if (!ix || !ix->db || !ix->in_batch)
        return RP_ESTATE;
    int rc = ix_step(ix, S_COMMIT);
    if (rc != RP_OK) {
        char keep[sizeof ix->msg];
        memcpy(keep, ix->msg, sizeof keep);
        rp_index_rollback(ix);
        memcpy(ix->msg, keep, sizeof keep);
        return rc;
    }
    ix->in_batch = 0;
    ix->added = 0;
    ix_keys_checkpoint(ix, 0);
    return RP_OK;
}

void rp_index_rollback(rp_index *ix)
{
    if (!ix || !ix->db || !ix->in_batch)
        return;
    if (!sqlite3_get_autocommit(ix->db))
        ix_step(ix, S_ROLLBACK);
    ix->in_batch = 0;
    ix->added = 0;
    ix->keys.stale = 1;   /* it holds what was rolled back */
    ix_cache_clear(ix);
}
int rp_index_stats_get(rp_index *ix, rp_index_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!ix || !ix->db)
        return RP_ESTATE;
    int64_t v = 0;
    int rc;
    int own = sqlite3_get_autocommit(ix->db);
    if (own && (rc = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
        return ix_db_fail(ix, rc);
    if ((rc = ix_query_int(ix, "SELECT count(*) FROM docs", &v)) != SQLITE_ROW)
        goto fail;
    st->docs = (uint64_t)v;
    if ((rc = ix_query_int(ix, "SELECT count(DISTINCT COALESCE(cluster, rowid)) FROM docs", &v)) != SQLITE_ROW)
        goto fail;
    st->clusters = (uint64_t)v;
    if ((rc = ix_query_int(ix, "SELECT count(*) FROM pairs", &v)) != SQLITE_ROW)
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
    snprintf(wal, sizeof wal, "%s-keys", ix->path);
    if (stat(wal, &s) == 0)
        st->bytes += (uint64_t)s.st_size;
    st->bands = ix->bands;
    st->rows = ix->rows;
    return RP_OK;
fail:
    if (own)
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return ix_db_fail(ix, rc);
}
