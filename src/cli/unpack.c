/*
 * unpack.c - compressed files and archives for the input layer, through
 * libarchive (see unpack.h).
 *
 * Only the filters and formats that the input layer means to read are
 * turned on: gzip, bzip2, xz and zstd; tar and zip; and libarchive's
 * "raw" format, which gives the data of a compressed stream that is no
 * archive as one entry (it bids least, so a tar or zip inside a
 * compressed stream is still read as one). libarchive's own WARC reader is
 * not used: it lists no records whose WARC-Target-URI is written in angle
 * brackets, as wget writes it (warc.c reads WARC instead).
 *
 * Nesting. Each entry's first bytes are looked at; an entry that is itself
 * compressed or an archive (x.txt.gz or inner.tar.gz in a tar, a tar in a
 * zip) is opened as a further level, a libarchive reader whose read
 * callback reads the entry of the level above, and its entries are given
 * instead, named "inner.tar.gz:doc.txt" (a compressed entry keeps its
 * name). At most UNPACK_DEPTH levels are open, the file's own included.
 *
 * Decompression bombs. Every byte read out of an entry, at every level, is
 * counted; once the count passes UNPACK_FLOOR and UNPACK_RATIO times the
 * bytes taken from the file, reading stops with an error. So that bytes
 * libarchive would decompress to skip an entry are counted too, the rest
 * of an entry is read here (and dropped) before the next one, unless
 * libarchive can seek past it in an uncompressed file.
 *
 * Standard input is not seekable and its first bytes were already read to
 * tell what it holds, so it is given to libarchive through a callback that
 * hands over those bytes first. A file is given as its descriptor, with
 * seeks, as zip archives want.
 */
#define _POSIX_C_SOURCE 200809L
#include "unpack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define CHUNK ((size_t)64 << 10)

/* One archive or compressed stream being read: the file itself (level 0)
 * or the current entry of the level above it. */
typedef struct level {
    struct unpack *u;
    int k;                 /* its depth, from 0 */
    struct archive *a;
    struct archive_entry *e;
    char *name;            /* the current entry's name, from the file's
                              ("inner.tar.gz:doc.txt"); NULL for a stream */
    char *cbuf;            /* what the read callback hands the level below */
    unsigned char peek[UNPACK_SNIFF];   /* the entry's first bytes, read to */
    size_t npeek, peek_at;              /* tell what it is, handed over first */
    uint64_t out;          /* entry bytes read out of this level */
    int raw;               /* a compressed stream, not an archive */
    int started, eof;
} level;

struct unpack {
    level lv[UNPACK_DEPTH];
    int depth;             /* the deepest open level */
    int fd, seekable;      /* level 0's descriptor, read with seeks */
    char *prefix;          /* bytes read before the open, handed over first */
    size_t npre;
    int pre_done;
    char *scratch;         /* where entries are drained into */
    uint64_t out_closed;   /* entry bytes read out of levels now closed */
    int failed;            /* a fatal error: err says it, no more reads */
    char err[256];
};

static int has(const unsigned char *p, size_t n, size_t at, const char *m, size_t k)
{
    return n >= at + k && memcmp(p + at, m, k) == 0;
}

/* A tar header: "ustar" at 257 ended as POSIX ("ustar\0") or GNU
 * ("ustar ") write it, and the checksum at 148 (octal) equal to the sum
 * of the header's 512 bytes with that field counted as spaces (the bytes
 * as unsigned or, as some old tars summed them, signed). Text with
 * "ustar" at byte 257 ("ajustar", "Gustar") is no tar. */
static int is_tar_header(const unsigned char *p, size_t n)
{
    if (n < 512 || !has(p, n, 257, "ustar", 5) || (p[262] != '\0' && p[262] != ' '))
        return 0;
    unsigned long want = 0, sum = 0;
    long ssum = 0;
    size_t i = 148;
    while (i < 156 && p[i] == ' ')
        i++;
    size_t digits = 0;
    for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++, digits++)
        want = want * 8 + (unsigned long)(p[i] - '0');
    if (digits == 0 || (i < 156 && p[i] != '\0' && p[i] != ' '))
        return 0;
    for (size_t k = 0; k < 512; k++) {
        unsigned char c = k >= 148 && k < 156 ? ' ' : p[k];
        sum += c;
        ssum += c < 0x80 ? c : (long)c - 256;
    }
    return sum == want || (ssum >= 0 && (unsigned long)ssum == want);
}

unpack_kind unpack_sniff(const void *data, size_t n)
{
    const unsigned char *p = data;
    if (has(p, n, 0, "\x1f\x8b", 2) || has(p, n, 0, "\xfd" "7zXZ\0", 6) ||
        has(p, n, 0, "\x28\xb5\x2f\xfd", 4) ||
        (has(p, n, 0, "BZh", 3) && n > 3 && p[3] >= '1' && p[3] <= '9'))
        return UNPACK_COMPRESSED;
    if (has(p, n, 0, "PK\3\4", 4) || has(p, n, 0, "PK\5\6", 4) || has(p, n, 0, "PK\7\x08", 4))
        return UNPACK_ZIP;
    if (is_tar_header(p, n))
        return UNPACK_TAR;
    if (unpack_is_warc(p, n))
        return UNPACK_WARC;
    return UNPACK_PLAIN;
}

int unpack_is_warc(const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n'))
        i++;
    return has(p, n, i, "WARC/", 5) && n > i + 5 && p[i + 5] >= '0' && p[i + 5] <= '9';
}

/* Records a fatal error: every later call fails with it. */
static void fail(unpack *u, const char *msg)
{
    if (!u->failed)
        snprintf(u->err, sizeof u->err, "%s", msg);
    u->failed = 1;
}

/* Copies level l's error (libarchive's) to u->err. */
static void take_error(unpack *u, const level *l)
{
    const char *s = archive_error_string(l->a);
    snprintf(u->err, sizeof u->err, "%s", s && *s ? s : "unknown error");
}

/* Reads up to n bytes of level k's current entry: its peeked bytes
 * first, then libarchive's (data_read), counted against the expansion
 * bound.
 * @return bytes read, 0 at the end, -1 on an error (u->err set). */
static ssize_t data_read(unpack *u, level *l, void *buf, size_t n);

static ssize_t entry_read(unpack *u, int k, void *buf, size_t n)
{
    level *l = &u->lv[k];
    if (u->failed)
        return -1;
    size_t left = l->npeek - l->peek_at, c = left < n ? left : n;
    if (!left)
        return data_read(u, l, buf, n);
    memcpy(buf, l->peek + l->peek_at, c);
    l->peek_at += c;
    return (ssize_t)c;
}

/* entry_read() past the peeked bytes: libarchive's, counted. */
static ssize_t data_read(unpack *u, level *l, void *buf, size_t n)
{
    if (u->failed)
        return -1;
    if (l->eof || n == 0)
        return 0;
    la_ssize_t r = archive_read_data(l->a, buf, n);
    if (r < 0 || r == ARCHIVE_WARN || r == ARCHIVE_RETRY) {
        if (!u->failed)
            take_error(u, l);
        return -1;
    }
    if (r == 0) {
        l->eof = 1;
        return 0;
    }
    l->out += (uint64_t)r;
    uint64_t out = u->out_closed;
    for (int i = 0; i <= u->depth; i++)
        out += u->lv[i].out;
    uint64_t in = unpack_consumed(u), cap = UNPACK_RATIO * (in ? in : 1);
    if (out > UNPACK_FLOOR && out > cap) {
        char msg[128];
        snprintf(msg, sizeof msg, "more than %d times its size once decompressed (a "
                 "decompression bomb?)", UNPACK_RATIO);
        fail(u, msg);
        return -1;
    }
    return (ssize_t)r;
}

/* libarchive's read callback for level 0 read from a descriptor whose
 * first bytes were read already (standard input). */
static la_ssize_t read_fd_cb(struct archive *a, void *ctx, const void **out)
{
    unpack *u = ctx;
    if (!u->pre_done) {
        u->pre_done = 1;
        if (u->npre) {
            *out = u->prefix;
            return (la_ssize_t)u->npre;
        }
    }
    for (;;) {
        ssize_t r = read(u->fd, u->lv[0].cbuf, CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            archive_set_error(a, errno, "%s", strerror(errno));
            return -1;
        }
        *out = u->lv[0].cbuf;
        return r;
    }
}

/* libarchive's read callback for a level below 0: the entry above it. */
static la_ssize_t read_entry_cb(struct archive *a, void *ctx, const void **out)
{
    level *l = ctx;
    ssize_t r = entry_read(l->u, l->k - 1, l->cbuf, CHUNK);
    if (r < 0)
        archive_set_error(a, EIO, "%s", l->u->err);
    *out = l->cbuf;
    return r;
}

/* A reader with the filters and formats described at the top. */
static struct archive *new_reader(int archives)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
        archive_read_support_filter_bzip2(a) != ARCHIVE_OK ||
        archive_read_support_filter_xz(a) != ARCHIVE_OK ||
        archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
        (archives && (archive_read_support_format_tar(a) != ARCHIVE_OK ||
                      archive_read_support_format_zip(a) != ARCHIVE_OK ||
                      archive_read_support_format_empty(a) != ARCHIVE_OK)) ||
        archive_read_support_format_raw(a) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Closes the deepest level (not level 0). */
static void pop(unpack *u)
{
    level *l = &u->lv[u->depth];
    u->out_closed += l->out;
    archive_read_free(l->a);
    free(l->name);
    free(l->cbuf);
    memset(l, 0, sizeof *l);
    u->depth--;
}

/* Opens a level reading the current entry of the deepest one.
 * @return 0, or -1 with u->err set (nothing opened). */
static int push(unpack *u)
{
    level *l = &u->lv[u->depth + 1];
    memset(l, 0, sizeof *l);
    l->u = u;
    l->k = u->depth + 1;
    l->a = new_reader(1);
    l->cbuf = malloc(CHUNK);
    if (!l->a || !l->cbuf) {
        snprintf(u->err, sizeof u->err, "out of memory");
        goto fail;
    }
    if (archive_read_open(l->a, l, NULL, read_entry_cb, NULL) != ARCHIVE_OK) {
        take_error(u, l);
        goto fail;
    }
    u->depth++;
    return 0;
fail:
    if (l->a)
        archive_read_free(l->a);
    free(l->cbuf);
    memset(l, 0, sizeof *l);
    return -1;
}

unpack *unpack_open(int fd, const void *prefix, size_t n, const char **why)
{
    unpack *u = calloc(1, sizeof *u);
    *why = "out of memory";
    if (!u)
        return NULL;
    u->fd = fd;
    u->lv[0].u = u;
    u->lv[0].a = new_reader(1);
    u->scratch = malloc(CHUNK);
    if (!u->lv[0].a || !u->scratch)
        goto fail;
    int rc;
    if (n == 0) {
        u->seekable = 1;
        rc = archive_read_open_fd(u->lv[0].a, fd, CHUNK);
    } else {
        u->prefix = malloc(n);
        u->lv[0].cbuf = malloc(CHUNK);
        if (!u->prefix || !u->lv[0].cbuf)
            goto fail;
        memcpy(u->prefix, prefix, n);
        u->npre = n;
        rc = archive_read_open(u->lv[0].a, u, NULL, read_fd_cb, NULL);
    }
    if (rc != ARCHIVE_OK) {
        *why = archive_error_string(u->lv[0].a) ? "cannot open the archive" : "out of memory";
        goto fail;
    }
    return u;
fail:
    unpack_close(u);
    return NULL;
}

/* Reads the rest of level l's current entry, counted (rather than let
 * libarchive skip it unseen), unless libarchive can seek past it in the
 * file: so that the expansion bound sees every byte decompressed. */
static void drain(unpack *u, level *l)
{
    if (!l->started || !l->e || l->eof ||
        (l->k == 0 && u->seekable && archive_filter_count(l->a) <= 1))
        return;
    while (entry_read(u, l->k, u->scratch, CHUNK) > 0)
        ;
}

/* @return the name of an entry named m at the deepest level: the entry's
 * name above it, ':' and m (m alone at level 0; the name above for a
 * stream), malloc'd, or NULL (then *oom is set unless it is a stream). */
static char *entry_name(unpack *u, const char *m, int *oom)
{
    const char *above = u->depth ? u->lv[u->depth - 1].name : NULL;
    *oom = 0;
    if (!m && !above)
        return NULL;
    size_t na = above ? strlen(above) : 0, nm = m ? strlen(m) : 0;
    char *s = malloc(na + nm + 2);
    if (!s) {
        *oom = 1;
        return NULL;
    }
    snprintf(s, na + nm + 2, "%s%s%s", above ? above : "", above && m ? ":" : "", m ? m : "");
    return s;
}

int unpack_next(unpack *u, const char **name, int64_t *size)
{
    for (;;) {
        *name = NULL;
        *size = -1;
        if (u->failed)
            return -1;
        level *l = &u->lv[u->depth];
        if (l->raw && l->started) {   /* a stream has one entry */
            if (u->depth == 0)
                return 0;
            pop(u);
            continue;
        }
        drain(u, l);
        if (u->failed)
            return -1;
        int rc = archive_read_next_header(l->a, &l->e);
        if (rc == ARCHIVE_EOF && u->depth == 0)
            return 0;
        if (rc == ARCHIVE_EOF) {
            pop(u);
            continue;
        }
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            if (!u->failed)
                take_error(u, l);
            if (u->depth == 0 || u->failed)
                return -1;
            /* an archive inside: it is skipped, the one above goes on */
            pop(u);
            *name = u->lv[u->depth].name;
            return 2;
        }
        if (!l->started) {
            l->started = 1;
            l->raw = archive_format(l->a) == ARCHIVE_FORMAT_RAW;
        }
        l->npeek = l->peek_at = 0;
        l->eof = 0;
        free(l->name);
        int oom;
        const char *m = archive_entry_pathname(l->e);
        l->name = entry_name(u, l->raw ? NULL : m ? m : "", &oom);
        if (oom) {
            fail(u, "out of memory");
            return -1;
        }
        *name = l->name;
        if (!l->raw && archive_entry_size_is_set(l->e))
            *size = archive_entry_size(l->e);
        if (!unpack_is_file(u))
            return 1;
        /* its first bytes: an archive or compressed stream inside? */
        while (l->npeek < UNPACK_SNIFF) {
            ssize_t r = data_read(u, l, l->peek + l->npeek, UNPACK_SNIFF - l->npeek);
            if (r < 0) {
                l->npeek = l->peek_at = 0;
                return 1;   /* reading it will tell */
            }
            if (r == 0)
                break;
            l->npeek += (size_t)r;
        }
        unpack_kind kind = unpack_sniff(l->peek, l->npeek);
        if (kind != UNPACK_COMPRESSED && kind != UNPACK_TAR && kind != UNPACK_ZIP)
            return 1;
        if (u->depth + 1 == UNPACK_DEPTH) {
            snprintf(u->err, sizeof u->err,
                     "archives and compressed files nested more than %d deep", UNPACK_DEPTH);
            return 2;
        }
        if (push(u) < 0)
            return 2;
    }
}

int unpack_is_file(const unpack *u)
{
    const level *l = &u->lv[u->depth];
    return l->raw || (l->e && archive_entry_filetype(l->e) == AE_IFREG);
}

ssize_t unpack_read(unpack *u, void *buf, size_t n)
{
    return entry_read(u, u->depth, buf, n);
}

const char *unpack_error(const unpack *u)
{
    return u->err[0] ? u->err : "unknown error";
}

uint64_t unpack_consumed(const unpack *u)
{
    la_int64_t b = archive_filter_bytes(u->lv[0].a, -1);
    return b > 0 ? (uint64_t)b : 0;
}

void unpack_close(unpack *u)
{
    if (!u)
        return;
    while (u->depth > 0)
        pop(u);
    if (u->lv[0].a)
        archive_read_free(u->lv[0].a);
    free(u->lv[0].name);
    free(u->lv[0].cbuf);
    free(u->prefix);
    free(u->scratch);
    free(u);
}

int unpack_memory(const void *buf, size_t n, size_t max, char **out, size_t *outlen,
                  const char **why)
{
    *out = NULL;
    *outlen = 0;
    struct archive *a = new_reader(0);
    struct archive_entry *e;
    char *b = NULL;
    size_t len = 0, cap = 0;
    *why = "out of memory";
    if (!a)
        return -1;
    if (archive_read_open_memory(a, buf, n) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        *why = "cannot decompress";
        goto fail;
    }
    for (;;) {
        if (len + 1 >= cap) {
            size_t nc = cap ? cap * 2 : CHUNK;
            if (nc > max + 2)
                nc = max + 2;
            if (nc <= cap) {
                *why = UNPACK_TOO_LARGE;
                goto fail;
            }
            char *nb = realloc(b, nc);
            if (!nb) {
                *why = "out of memory";
                goto fail;
            }
            b = nb;
            cap = nc;
        }
        la_ssize_t r = archive_read_data(a, b + len, cap - 1 - len);
        if (r < 0) {
            *why = "cannot decompress: corrupt data";
            goto fail;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max) {
            *why = UNPACK_TOO_LARGE;
            goto fail;
        }
    }
    archive_read_free(a);
    b[len] = 0;
    *out = b;
    *outlen = len;
    return 0;
fail:
    archive_read_free(a);
    free(b);
    return -1;
}
