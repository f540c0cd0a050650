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
 * Standard input is not seekable and its first bytes were already read to
 * tell what it holds, so it is given to libarchive through a callback that
 * hands over those bytes first. A file is given as its descriptor, with
 * seeks, as zip archives want.
 */
#define _POSIX_C_SOURCE 200809L
#include "unpack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define CHUNK ((size_t)64 << 10)

struct unpack {
    struct archive *a;
    struct archive_entry *e;
    int fd;
    char *prefix;          /* bytes read before the open, handed over first */
    size_t npre;
    int pre_done;
    char *buf;             /* what the read callback reads into */
    int raw;               /* the source is a stream, not an archive */
    int started;
};

static int has(const unsigned char *p, size_t n, size_t at, const char *m, size_t k)
{
    return n >= at + k && memcmp(p + at, m, k) == 0;
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
    if (has(p, n, 257, "ustar", 5))
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

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **out)
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
        ssize_t r = read(u->fd, u->buf, CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            archive_set_error(a, errno, "%s", strerror(errno));
            return -1;
        }
        *out = u->buf;
        return r;
    }
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

unpack *unpack_open(int fd, const void *prefix, size_t n, const char **why)
{
    unpack *u = calloc(1, sizeof *u);
    *why = "out of memory";
    if (!u)
        return NULL;
    u->fd = fd;
    u->a = new_reader(1);
    if (!u->a)
        goto fail;
    int rc;
    if (n == 0) {
        rc = archive_read_open_fd(u->a, fd, CHUNK);
    } else {
        u->prefix = malloc(n);
        u->buf = malloc(CHUNK);
        if (!u->prefix || !u->buf)
            goto fail;
        memcpy(u->prefix, prefix, n);
        u->npre = n;
        rc = archive_read_open(u->a, u, NULL, read_cb, NULL);
    }
    if (rc != ARCHIVE_OK) {
        *why = archive_error_string(u->a) ? "cannot open the archive" : "out of memory";
        goto fail;
    }
    return u;
fail:
    unpack_close(u);
    return NULL;
}

int unpack_next(unpack *u, const char **name, int64_t *size)
{
    *name = NULL;
    *size = -1;
    if (u->raw && u->started)
        return 0;   /* a stream has one entry */
    int rc = archive_read_next_header(u->a, &u->e);
    if (rc == ARCHIVE_EOF)
        return 0;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
        return -1;
    if (!u->started) {
        u->started = 1;
        u->raw = archive_format(u->a) == ARCHIVE_FORMAT_RAW;
    }
    if (!u->raw) {
        *name = archive_entry_pathname(u->e);
        if (!*name)
            *name = "";
        if (archive_entry_size_is_set(u->e))
            *size = archive_entry_size(u->e);
    }
    return 1;
}

int unpack_is_file(const unpack *u)
{
    return u->raw || (u->e && archive_entry_filetype(u->e) == AE_IFREG);
}

ssize_t unpack_read(unpack *u, void *buf, size_t n)
{
    la_ssize_t r = archive_read_data(u->a, buf, n);
    if (r == ARCHIVE_WARN || r == ARCHIVE_RETRY)
        r = -1;
    return r < 0 ? -1 : (ssize_t)r;
}

const char *unpack_error(const unpack *u)
{
    const char *s = archive_error_string(u->a);
    return s && *s ? s : "unknown error";
}

uint64_t unpack_consumed(const unpack *u)
{
    la_int64_t b = archive_filter_bytes(u->a, -1);
    return b > 0 ? (uint64_t)b : 0;
}

void unpack_close(unpack *u)
{
    if (!u)
        return;
    if (u->a)
        archive_read_free(u->a);
    free(u->prefix);
    free(u->buf);
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
