/*
 * index_int.h - what the modules of the persistent index share, and no
 * one else sees: the handle, its prepared statements, a stored document
 * as read back, and the helpers each module gives the others.
 *
 *   index.c         the schema, opening, settings, errors, transactions,
 *                   stats
 *   index_sample.c  the consistent shingle sample and its encoding
 *   index_keys.c    band-key storage: the LSH lookup in memory
 *   index_snap.c    its snapshot file beside the index
 *   index_match.c   stored documents, candidates, verification, add,
 *                   query, remove
 *   index_screen.c  the screen that rules out chance candidates unread
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
#define ROW_SLOTS 65536              /* stored rows kept for verification */
#define SAMPLE_CAP(n) ((n) + 1)

enum {
    S_FIND_ID, S_DOC_ROW, S_INS_DOC,
    S_INS_PAIR, S_DEL_PAIRS_A, S_DEL_PAIRS_B, S_DEL_DOC, S_BEGIN, S_COMMIT,
    S_ROLLBACK, NSTMT
};

/* The in-memory band-key lookup (index_keys.c): a base of sorted
 * entries for the rows up to blast (read from the snapshot file of
 * index_snap.c, or built from the docs table) and a hash table, the
 * delta, for the rows added since. */
typedef struct keyent {
    uint32_t tag;   /* the key mixed with its band */
    uint32_t row;   /* 0: empty; UINT32_MAX: removed */
} keyent;

typedef struct keytab {
    int built;          /* 0: build at the next sync */
    /* the base: entries tag << 32 | row (0: an empty slot) for rows
     * 1..blast, laid out by ix_slot_place: sorted, each at or after its
     * home slot, so that a tag's entries follow its home slot */
    const uint64_t *base;
    size_t nslots, nhome;  /* slots; home slots (ix_slot_homes) */
    const uint32_t *bnsh;  /* set size by row (0: none), rows 0..blast */
    int64_t blast;
    size_t brows;          /* rows in the base */
    void *mem;             /* the snapshot as read (ix_big_alloc) */
    size_t maplen;         /* or, nonzero, mapped (mmap) of this length */
    uint64_t *own_base;    /* or the base built here (ix_big_alloc) */
    uint32_t *own_nsh;
    int rebuilt;           /* the base was built here, in no snapshot */
    uint8_t *gone;         /* base rows removed since (a bit a row) */
    int saved;             /* the base and delta are all in the snapshot */
    /* the delta: an open-addressing hash table, rows above blast */
    keyent *e;             /* top + 1 entries (not always a power of 2) */
    size_t top, used;      /* the last slot; entries taken, removed ones
                            * included */
    uint32_t *nsh;         /* set size by row (0: none), nnsh of them */
    size_t nnsh;
    size_t drows;          /* rows added to the delta */
    int64_t last;       /* the highest row read */
    int64_t version;    /* PRAGMA data_version when last brought up to date */
    int64_t removed;    /* the meta counter 'removed' then */
    int stale;          /* rebuild at the next sync (a rollback) */
} keytab;

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
    uint32_t *keys; /* bands, then nskew containment values */
    int has_skew;   /* the row has its containment values (format 2) */
    uint32_t *sample;
    size_t m;
} stored;

/* What the screen (index_screen.c) keeps of a row: 72 bytes. */
typedef struct ixscreen {
    uint32_t nsh;       /* set size; 0: not known, or not screened */
    uint32_t m;         /* sample values */
    uint64_t f[8];      /* a 512-bit Bloom filter of them */
} ixscreen;

struct rp_index {
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
    rp_options o;
    unsigned bands, rows;
    int sample_bits;
    unsigned nskew;        /* containment bins kept (index_keys.c) */
    unsigned skew_bin[RP_INDEX_SKEW_BINS];
    double skew_ratio[RP_INDEX_SKEW_BINS];
    int format;            /* the file's format version (1: no dates) */
    int64_t date;          /* rp_index_set_date; 0: the time of adding */
    int writable, in_batch;
    int batch_synced;      /* the lookup was brought up to date in this batch */
    int bulk;              /* this process has added enough for a checkpoint */
    int busy_ms;
    size_t added;          /* documents added in the open batch */
    keytab keys;           /* the band-key lookup */
    char path[1024];
    char msg[512];
    rp_index_load_fn load;
    void *load_ctx;
    cslot cache[CACHE_SLOTS];
    stored *rowc;          /* ROW_SLOTS stored rows, by row (NULL: none yet) */
    ixscreen *scr;         /* the screen, by row (index_screen.c) */
    size_t nscr;
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

/* Empties the caches of re-read documents and of stored rows. */
void ix_cache_clear(rp_index *ix);

/* index_keys.c: chooses the containment bins of ix (after its settings
 * are known). @return RP_OK or RP_ENOMEM. */
int ix_keys_bins(rp_index *ix);

/* index_keys.c: brings the band-key lookup up to date with the file
 * (built at the first call; call it inside the transaction of each add,
 * query or removal). @return RP_OK or an RP_E* code. */
int ix_keys_sync(rp_index *ix);

/* Adds document row with its lookup keys (ix->bands band keys, then
 * ix->nskew containment values when nkeys says so) and set size to the
 * lookup. @return RP_OK or RP_ENOMEM. */
int ix_keys_add(rp_index *ix, int64_t row, const uint32_t *keys, unsigned nkeys, size_t nsh);

/* @return nonzero when a document of nsh shingles may be a containment
 * candidate of one of `other` shingles through bin j. */
int ix_keys_skew_ok(const rp_index *ix, unsigned j, size_t nsh, size_t other);

/* @return the set size of row as the lookup knows it (0: unknown). */
size_t ix_keys_nsh(const rp_index *ix, int64_t row);

/* Removes document row (with these ix->bands + ix->nskew lookup keys;
 * NULL: unknown) from the lookup. */
void ix_keys_remove(rp_index *ix, int64_t row, const uint32_t *keys);

/* Records a removal in the file (meta 'removed'), so that other processes
 * rebuild their lookup. @return RP_OK or an RP_E* code. */
int ix_keys_note_removal(rp_index *ix);

/* Reads the documents of band key `key` in band `band` into v (at most
 * cap; the lookup holds at most RP_INDEX_BUCKET_MAX a key). @return their
 * count. */
long ix_keys_get(rp_index *ix, unsigned band, uint32_t key, uint32_t *v, long cap);

/* Starts loading the memory that looking up keys[0..n) (band b: keys[b])
 * will read. */
void ix_keys_prefetch(const rp_index *ix, const uint32_t *keys, unsigned n);

/* Frees the lookup. */
void ix_keys_free(keytab *t);

/* Allocates n bytes for a large table read at random, in huge pages when
 * the system gives them (one TLB entry for 2 MiB instead of 4 KiB: a
 * lookup at a million documents then misses the cache once, not the TLB
 * too). @return the memory (free with free()), or NULL. */
void *ix_big_alloc(size_t n);

/* As ix_big_alloc, zeroed (calloc: fresh pages are not written twice).
 * Free with free(). */
void *ix_big_zalloc(size_t n);

/* The first empty slot of t's delta (or its last slot): read round from
 * there, the delta's entries come in about tag order. */
size_t ix_delta_start(const keytab *t);

/* @return the set size of row in t (0: not there). */
size_t ix_keys_row_nsh(const keytab *t, int64_t row);

/* The base's layout: n sorted entries go to slots of which the first
 * ix_slot_homes(n) are home slots (a tag's home is tag * homes / 2^32).
 * Fed the entries in order, ix_slot_place gives each the first free slot
 * at or after its home; the slots in between stay empty (0); the base
 * ends at max(homes, the last slot given + 1). */
typedef struct slotw {
    size_t pos, homes;
} slotw;
size_t ix_slot_homes(size_t n);
size_t ix_slot_place(slotw *w, uint64_t entry);

/* Saves the lookup to its snapshot file when enough has been added since
 * the last one (`closing`: the index is being closed, which lowers the
 * bar). Call it outside any transaction, when the lookup holds only
 * committed rows. Failing to save changes nothing. */
void ix_keys_checkpoint(rp_index *ix, int closing);

/* index_snap.c: the snapshot of the lookup, "<index>-keys". */

/* Maps the snapshot into t's base when it is valid for the file as it is
 * now (inside a read or write transaction; `removed` is the meta counter).
 * @return 1 when loaded, 0 when there is none or it is not to be trusted
 * (the caller then builds the lookup from the docs table). */
int ix_snap_load(rp_index *ix, keytab *t, int64_t removed);

/* Writes the rows of t (base less its removed rows, and delta) as the new
 * snapshot, and reads it back as t's base, emptying the delta. @return RP_OK, or
 * an RP_E* code (nothing changed, the snapshot file is left as it was). */
int ix_snap_save(rp_index *ix, keytab *t);

/* Frees t's base. */
void ix_base_free(keytab *t);

/* index_sample.c: the estimate of rp_sample_estimate from x, the number
 * of values the samples share (ma and mb values of sets of na and nb). */
void ix_sample_sim(size_t na, size_t ma, size_t nb, size_t mb, size_t x,
                   const rp_options *o, rp_sim *s);

/* index_screen.c: remembers row's set size and sample (not screened when
 * has_path: verified from its text). Out of memory, it is not
 * remembered. */
void ix_screen_put(rp_index *ix, int64_t row, size_t nsh, const uint32_t *sample, size_t m,
                   int has_path);

/* @return 1 when stored row `row` cannot be similar to a document of na
 * shingles with sample a[0..ma) as verified from the samples (without
 * reading it), 0 when it may be or is not known. */
int ix_screen_out(const rp_index *ix, int64_t row, size_t na, const uint32_t *a, size_t ma);

/* Starts loading what ix_screen_out will read of rows[0..n). */
void ix_screen_prefetch(const rp_index *ix, const int64_t *rows, long n);

/* Forgets row; frees the screen. */
void ix_screen_forget(rp_index *ix, int64_t row);
void ix_screen_free(rp_index *ix);

/* index_match.c: a digest of a shingle set, to tell that a re-read text
 * is the same. */
uint64_t ix_digest(const rp_doc *d);

/* Reads document row into *s (free with ix_stored_free). @return RP_OK,
 * RP_ENOTFOUND, RP_EFORMAT (malformed row) or another RP_E* code. */
int ix_stored_get(rp_index *ix, int64_t row, stored *s);
void ix_stored_free(stored *s);

/* Reads document row as ix_stored_get does, through the cache of stored
 * rows: *out is borrowed until the next call. @return as ix_stored_get. */
int ix_stored_cached(rp_index *ix, int64_t row, const stored **out);

/* Drops row from the cache of stored rows (removed). */
void ix_stored_forget(rp_index *ix, int64_t row);

/* Empties the cache of stored rows (a rollback, or another process wrote:
 * a row number may now name another document). */
void ix_rows_clear(rp_index *ix);

/* @return the re-read document of stored row s (borrowed from the cache),
 * or NULL when it cannot be had unchanged. */
const rp_doc *ix_exact_doc(rp_index *ix, const stored *s);

#endif
