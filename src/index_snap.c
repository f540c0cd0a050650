/*
 * index_snap.c - the snapshot of the band-key lookup, a file beside the
 * index ("<index>-keys"), so that opening an index of a million documents
 * reads the lookup instead of rebuilding it from the docs table (23 s).
 *
 * The snapshot is a cache, never a source of truth: SQLite stays the
 * durable log, and a snapshot that does not match the file exactly is
 * ignored and the lookup rebuilt. It is written after a commit (so it
 * holds committed rows only) to "<index>-keys.tmp", under an flock of
 * that file (one writer at a time; a process that finds it locked skips
 * its checkpoint), then renamed over the old one. It is not synced: a
 * torn or lost file after a power cut fails its checks. It is trusted only
 * when
 *   - its header (magic, byte order, version, the index's bands and
 *     containment bins) is sound and checksummed, the file has the size
 *     the header gives, and its body has the checksum the header gives;
 *   - the index's meta values 'removed' (the count of removals) and
 *     'created' are those it was written with;
 *   - a fingerprint of 16 rows spread over 1..last (each row's number, id
 *     and shingle digest, or its absence) is the same, so that a snapshot
 *     of another index at the same path, or of rows that a crash rolled
 *     back and that were written again differently, is not taken;
 * The rows above its last one are then read from the docs table
 * (index_keys.c).
 *
 * Layout (native byte order, checked by the header's endian mark):
 *   header   struct snaphdr
 *   nsh      uint32 set size by row, rows 0..last (0: none), padded to 8
 *   slots    uint64 (tag << 32 | row, 0: empty), `slots` of them: the n
 *            entries sorted, each at or after its home slot
 *            (ix_slot_place, with ix_slot_homes(n) home slots), so that a
 *            lookup reads one place
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* flock */
#include "index_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "util.h"

#define SNAP_MAGIC "RPKEYS\r\n"
#define SNAP_VERSION 2
#define SNAP_ENDIAN 0x01020304u
#define FINGER_ROWS 16
#define WBUF (1u << 20)

typedef struct snaphdr {
    char magic[8];
    uint32_t endian, version;
    uint32_t bands, nskew;
    int64_t last, removed, created;
    uint64_t finger;    /* of FINGER_ROWS rows of docs */
    uint64_t n;         /* entries */
    uint64_t homes, slots;
    uint64_t rows;      /* rows in it */
    uint64_t body_sum;  /* XXH3 of the rest of the file */
    uint64_t head_sum;  /* XXH3 of the header before this field */
} snaphdr;

static void snap_path(const rp_index *ix, char *buf, size_t cap, const char *tail)
{
    snprintf(buf, cap, "%s-keys%s", ix->path, tail);
}

static size_t nsh_bytes(int64_t last)
{
    return (((size_t)last + 1) * 4 + 7) & ~(size_t)7;
}

static size_t snap_size(const snaphdr *h)
{
    return sizeof *h + nsh_bytes(h->last) + h->slots * 8;
}

/* Reads the meta value of key (0 when absent). */
static int meta_int(rp_index *ix, const char *key, int64_t *out)
{
    char sql[96];
    *out = 0;
    snprintf(sql, sizeof sql, "SELECT value FROM meta WHERE key = '%s'", key);
    int rc = ix_query_int(ix, sql, out);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RP_OK : ix_db_fail(ix, rc);
}

/* The fingerprint of rows spread over 1..last: each one's number, id and
 * digest, or its absence. @return RP_OK or an RP_E* code. */
static int fingerprint(rp_index *ix, int64_t last, uint64_t *out)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return ix_fail(ix, RP_ENOMEM, "out of memory");
    XXH3_64bits_reset(st);
    int code = RP_OK;
    for (int k = 0; k < FINGER_ROWS && last > 0; k++) {
        int64_t row = 1 + (last - 1) * k / (FINGER_ROWS - 1);
        sqlite3_stmt *q = ix->st[S_DOC_ROW];
        sqlite3_bind_int64(q, 1, row);
        int rc = sqlite3_step(q);
        uint64_t v[3] = {(uint64_t)row, 0, 0};
        if (rc == SQLITE_ROW) {
            const void *id = sqlite3_column_blob(q, 0);
            v[1] = XXH3_64bits(id, (size_t)sqlite3_column_bytes(q, 0)) | 1;
            v[2] = (uint64_t)sqlite3_column_int64(q, 3);
        } else if (rc != SQLITE_DONE) {
            code = ix_db_fail(ix, rc);
        }
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        if (code != RP_OK)
            break;
        XXH3_64bits_update(st, v, sizeof v);
    }
    *out = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return code;
}

static uint64_t head_sum(const snaphdr *h)
{
    return XXH3_64bits(h, offsetof(snaphdr, head_sum));
}

/* Reads the file's meta values and fingerprint as of now into h. */
static int file_marks(rp_index *ix, int64_t last, int64_t *removed, int64_t *created,
                      uint64_t *finger)
{
    int code = meta_int(ix, "removed", removed);
    if (code == RP_OK)
        code = meta_int(ix, "created", created);
    if (code == RP_OK)
        code = fingerprint(ix, last, finger);
    return code;
}

/* Reads the n bytes of fd into memory from ix_big_alloc, or, when
 * *maplen is nonzero, maps them (setting *maplen to 0 when it cannot).
 * @return the memory, or NULL. */
static uint8_t *read_all(int fd, size_t n, size_t *maplen)
{
    if (*maplen) {
        void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED)
            return m;
        *maplen = 0;
    }
    uint8_t *p = ix_big_alloc(n);
    size_t off = 0;
    while (p && off < n) {
        ssize_t k = pread(fd, p + off, n - off, (off_t)off);
        if (k <= 0) {
            free(p);
            return NULL;
        }
        off += (size_t)k;
    }
    return p;
}

int ix_snap_load(rp_index *ix, keytab *t, int64_t removed)
{
    char path[sizeof ix->path + 16];
    snap_path(ix, path, sizeof path, "");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    snaphdr h;
    int ok = fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof h &&
             pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
             memcmp(h.magic, SNAP_MAGIC, 8) == 0 && h.endian == SNAP_ENDIAN &&
             h.version == SNAP_VERSION && h.head_sum == head_sum(&h) &&
             h.bands == ix->bands && h.nskew == ix->nskew && h.homes == ix_slot_homes(h.n) &&
             h.slots >= h.homes && h.slots <= h.homes + h.n &&
             h.last >= 0 && h.last < (int64_t)UINT32_MAX && h.n < UINT32_MAX &&
             h.removed == removed && snap_size(&h) == (size_t)st.st_size;
    int64_t rm = 0, created = 0;
    uint64_t finger = 0;
    ok = ok && file_marks(ix, h.last, &rm, &created, &finger) == RP_OK &&
         rm == h.removed && created == h.created && finger == h.finger;
    /* a reader maps the file: it looks up a few keys a document, and
     * copying the table into fresh memory (zeroed by the kernel first)
     * cost a query run at a million documents more than its queries; a
     * writer copies it into huge pages, where its millions of lookups
     * miss the TLB less. The file is never written in place: a new
     * snapshot is a new file renamed over it. */
    size_t maplen = ix->writable ? 0 : (size_t)st.st_size;
    uint8_t *p = ok ? read_all(fd, (size_t)st.st_size, &maplen) : NULL;
    close(fd);
    ix->msg[0] = 0;   /* a failed check is no error */
    if (!p)
        return 0;
    size_t body = (size_t)st.st_size - sizeof h;
    const uint32_t *nsh = (const uint32_t *)(const void *)(p + sizeof h);
    ok = XXH3_64bits(p + sizeof h, body) == h.body_sum;
    if (!ok) {
        if (maplen)
            munmap(p, maplen);
        else
            free(p);
        return 0;
    }
    t->mem = p;
    t->maplen = maplen;
    t->base = (const uint64_t *)(const void *)(p + sizeof h + nsh_bytes(h.last));
    t->nslots = h.slots;
    t->nhome = h.homes;
    t->bnsh = nsh;
    t->blast = h.last;
    t->brows = h.rows;
    t->last = h.last;
    t->saved = 1;
    return 1;
}

/* Writes the n bytes at p to fd. @return 0, or -1. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Sorts v[0..n) when it is nearly sorted already, each value a few places
 * from its own. @return 0, or -1 when that took too many moves (v is then
 * some order of its values). */
static int sort_near(uint64_t *v, size_t n)
{
    size_t budget = 16 * n + 4096;
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--) {
            v[j] = v[j - 1];
            if (--budget == 0) {
                v[j - 1] = x;
                return -1;
            }
        }
        v[j] = x;
    }
    return 0;
}

/* The delta's entries as (tag << 32 | row), sorted, into *out. The
 * delta's home slots follow the tags' order (index_keys.c), so read from
 * just after an empty slot round the table, its entries come nearly
 * sorted: only those a run of probes pushed past others' homes are out
 * of place, by a few slots. @return their count, or (size_t)-1 when out
 * of memory. */
static size_t delta_sorted(const keytab *t, uint64_t **out)
{
    size_t n = 0, cap = t->e ? t->top + 1 : 0, start = ix_delta_start(t);
    *out = NULL;
    for (size_t i = 0; i < cap; i++)
        n += t->e[i].row != 0 && t->e[i].row != UINT32_MAX;
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return (size_t)-1;
    n = 0;
    for (size_t k = 0; k < cap; k++) {
        const keyent *x = &t->e[start + k < cap ? start + k : start + k - cap];
        if (x->row != 0 && x->row != UINT32_MAX)
            v[n++] = (uint64_t)x->tag << 32 | x->row;
    }
    if (sort_near(v, n) < 0)
        rp_sort_u64(v, n);
    *out = v;
    return n;
}

/* Is base entry x's row there and not removed since? */
static int live(const keytab *t, uint64_t x)
{
    uint32_t row = (uint32_t)x;
    if (!t->gone)
        return x != 0;   /* no base row removed: all its entries stand */
    return x != 0 && ix_keys_row_nsh(t, row) != 0 && row <= t->blast &&
           !(t->gone[row >> 3] >> (row & 7) & 1);
}

/* The entries of base and delta in order, each once. */
typedef struct merge {
    const keytab *t;
    const uint64_t *d;
    size_t nd, i, j;
} merge;

/* @return the next entry, or 0 at the end. */
static uint64_t merge_next(merge *m)
{
    const keytab *t = m->t;
    while (m->i < t->nslots && !live(t, t->base[m->i]))
        m->i++;
    if (m->i < t->nslots && (m->j >= m->nd || t->base[m->i] < m->d[m->j]))
        return t->base[m->i++];
    return m->j < m->nd ? m->d[m->j++] : 0;
}

/* Opens and locks the temporary file, empty. @return its descriptor, or
 * -1 (another process is writing one, or it cannot be made). */
static int open_tmp(const char *tmp, const char *db)
{
    /* readable by whom the index is readable */
    struct stat d;
    mode_t mode = stat(db, &d) == 0 ? (d.st_mode & 0666) : 0600;
    int fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    struct stat a, b;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &a) != 0 || stat(tmp, &b) != 0 ||
        a.st_ino != b.st_ino || a.st_dev != b.st_dev || ftruncate(fd, 0) != 0) {
        close(fd);   /* renamed away meanwhile, or someone else's */
        return -1;
    }
    return fd;
}

int ix_snap_save(rp_index *ix, keytab *t)
{
    char path[sizeof ix->path + 16], tmp[sizeof ix->path + 16];
    snap_path(ix, path, sizeof path, "");
    snap_path(ix, tmp, sizeof tmp, ".tmp");
    snaphdr h;
    memset(&h, 0, sizeof h);
    /* the highest row there: SQLite numbers the next row after it */
    int64_t last = t->last;
    while (last > 0 && !ix_keys_row_nsh(t, last))
        last--;
    int64_t removed = 0, created = 0;
    uint64_t finger = 0;
    int own = sqlite3_get_autocommit(ix->db);
    if (!own || sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return RP_ESTATE;
    int code = file_marks(ix, last, &removed, &created, &finger);
    sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
    if (code != RP_OK || removed != t->removed) {
        ix->msg[0] = 0;
        return RP_ESTATE;   /* removed elsewhere: this lookup is out of date */
    }
    uint64_t *d = NULL;
    size_t nd = delta_sorted(t, &d);
    if (nd == (size_t)-1)
        return RP_ENOMEM;
    /* the delta's hash table is in d now: free it before the new base is
     * made (its set sizes, t->nsh, are still read) */
    free(t->e);
    t->e = NULL;
    t->top = t->used = 0;
    size_t nb = 0, rows = 0;
    for (size_t i = 0; i < t->nslots; i++)
        nb += (size_t)live(t, t->base[i]);
    for (int64_t r = 1; r <= last; r++)
        rows += ix_keys_row_nsh(t, r) != 0;
    memcpy(h.magic, SNAP_MAGIC, 8);
    h.endian = SNAP_ENDIAN;
    h.version = SNAP_VERSION;
    h.bands = ix->bands;
    h.nskew = ix->nskew;
    h.n = nb + nd;
    h.homes = ix_slot_homes(h.n);
    h.last = last;
    h.removed = removed;
    h.created = created;
    h.finger = finger;
    h.rows = rows;
    /* the new base is made in memory, in the file's layout, and kept as
     * the base whether or not the file can be written: merged here, it
     * need not be read back. The entries take at most homes + n slots
     * (ix_slot_place): room for that is reserved, and the pages past the
     * slots taken are never touched */
    h.slots = h.homes + h.n;
    uint8_t *p = ix_big_alloc(snap_size(&h));
    if (!p) {
        free(d);
        t->stale = 1;   /* the delta is gone: rebuild at the next sync */
        return RP_ENOMEM;
    }
    uint32_t *nsh = (uint32_t *)(void *)(p + sizeof h);
    for (int64_t r = 0; r <= last; r++)
        nsh[r] = (uint32_t)ix_keys_row_nsh(t, r);
    if ((last + 1) % 2)
        nsh[last + 1] = 0;
    uint64_t *slots = (uint64_t *)(void *)(p + sizeof h + nsh_bytes(last));
    size_t k = 0;
    merge mg = {t, d, nd, 0, 0};
    slotw sw = {0, h.homes};
    uint64_t x;
    while ((x = merge_next(&mg)) != 0) {
        for (size_t at = ix_slot_place(&sw, x); k < at; k++)
            slots[k] = 0;
        slots[k++] = x;
    }
    h.slots = k > h.homes ? k : h.homes;
    for (; k < h.slots; k++)
        slots[k] = 0;
    free(d);
    size_t len = snap_size(&h);
    h.body_sum = XXH3_64bits(p + sizeof h, len - sizeof h);
    h.head_sum = head_sum(&h);
    memcpy(p, &h, sizeof h);
    int fd = open_tmp(tmp, ix->path);
    code = RP_EDB;
    if (fd >= 0) {
        if (write_all(fd, p, len) == 0 && rename(tmp, path) == 0)
            code = RP_OK;
        else
            unlink(tmp);
        close(fd);
    }
    /* the merged table becomes the base; the delta is in it */
    int64_t version = t->version;
    int64_t rm = t->removed;
    ix_keys_free(t);
    t->built = 1;
    t->mem = p;
    t->base = slots;
    t->nslots = h.slots;
    t->nhome = h.homes;
    t->bnsh = nsh;
    t->blast = last;
    t->brows = rows;
    t->last = last;
    t->version = version;
    t->removed = rm;
    t->saved = code == RP_OK;
    return code;
}
