/*
 * input.c - paths and standard input to a stream of article records.
 *
 * The paths are walked once, at input_open(), into a list in which "-"
 * stands for standard input; input_next() then reads one entry at a time.
 * A file is read whole (at most --max-bytes) and prepared by the library.
 * Standard input is read through a fixed 64 KiB buffer into one record
 * buffer that never grows past --max-bytes: a longer line is skipped and
 * drained without being kept. A UTF-8 byte order mark at its start is
 * dropped. With no --input the format is taken from the first bytes: "{"
 * first (after white space) is JSON Lines, a NUL byte in the first buffer
 * is NUL-separated texts, anything else one text.
 *
 * input_next_batch() cuts the stream into batches of at most --max-bytes
 * of input, counting a deferred file by its size before it is read (and
 * reading it no further), so that the memory of a batch has a bound.
 *
 * A file is looked at before it is handed out: its first bytes (magic
 * numbers) say whether it is compressed, a tar or zip archive or WARC.
 * Those, and files read as records (.jsonl, .ndjson, or any file with
 * --input), are read on this thread as streams, like standard input: one
 * stream at a time, through the same record reader, whose bytes come from
 * the descriptor or from libarchive (unpack.c). A member of an archive
 * that is WARC or JSON Lines is read as records in the same way
 * (start_member). Their records come with their text, like those of
 * standard input. With opts.defer, plain files are handed out with their
 * bytes (up to 1 MiB: read whole when looked at, one system call for
 * both) or their open descriptor (larger ones); the worker that loads one
 * (input_load) prepares its text.
 *
 * A record's ref says where its text can be found again: the index of its
 * file in the list, or (top bit set) the offset of its copy in the spool,
 * an unlinked temporary file in $TMPDIR of [8-byte length][text] entries,
 * written with pwrite and read back with pread, so that reloads from other
 * threads need no lock. Every record read from a stream is spooled.
 *
 * input_seek() reads a record again from its place (record_loc): it seeks
 * to the record's byte in a file read from its descriptor (the reader
 * keeps the offset of its buffer), or passes over the entries and records
 * before it, unreported, in a stream from libarchive; then input_next()
 * reads it as the first pass did.
 *
 * Harmless skips (empty documents, paths given twice, WARC records that
 * are no text page) are counted and summed up in one line at the end by
 * input_finish(); -v names each.
 */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"
#include "jsonl.h"
#include "output.h"
#include "reprint.h"
#include "unpack.h"
#include "warc.h"

#define CHUNK ((size_t)64 << 10)
#define SPOOL_REF ((uint64_t)1 << 63)
#define LIST_MAX 4096        /* longest path in a --files-from list */
#define PROGRESS_AFTER 1.0   /* seconds before a progress line appears */
#define PROGRESS_EVERY 0.25

/* A buffered reader of records from a file descriptor, or from the
 * current entry of an archive or compressed stream. */
typedef struct reader {
    int fd;
    unpack *up;            /* non-NULL: the bytes come from here */
    uint64_t counted;      /* bytes read from fd, for the input's count */
    char *buf;             /* CHUNK bytes; data in [start, end) */
    size_t start, end;
    uint64_t base;         /* where buf[0] is in the stream */
    uint64_t at;           /* where the current record starts */
    int eof;
    int failed;            /* a read failed (and was reported) */
    char *rec;             /* the current record, NUL-terminated */
    size_t len, cap;
    int toolong;           /* the record was longer than max: dropped */
} reader;

struct input {
    input_opts o;
    pathlist paths;        /* files in order; "-" is stdin */
    size_t next;
    size_t skipped, records, files;
    _Atomic uint64_t bytes;  /* input_load() adds from any thread */
    double t0, walk, shown;
    int progress_tty;
    int total_known;       /* no stdin: the list and its bytes are all */
    /* harmless skips, for the summary */
    size_t empty_files, empty_docs, twice, nottext;
    int nomatch;           /* the filters left no file in the folders */
    /* the stream being read: stdin, or a file read as a stream */
    int in_stream;
    int s_stdin;           /* the stream is standard input */
    char *s_name;          /* for messages: "stdin" or the path */
    char *s_id;            /* for ids: "-" or the path */
    int s_fd;              /* the file's descriptor, or -1 */
    unpack *up;            /* compressed or an archive */
    uint64_t s_prefix;     /* bytes handed to up that were counted */
    int members;           /* up is an archive: a document per member */
    uint64_t m_index;      /* entries of the archive taken so far */
    int m_pending;         /* the first member is found, not read */
    int m_got;             /* what unpack_next said of it */
    const char *m_name;
    int64_t m_size;
    int m_sub;             /* reading the records of a member (JSON Lines,
                              WARC): s_name and s_id are the member's */
    char *m_arch_name, *m_arch_id;   /* then, the archive's */
    int m_arch_stdin;
    warc *wr;              /* reading WARC records */
    input_format fmt;      /* else: records of this format */
    reader rd;
    jsonl *jp;
    unsigned long long lineno;
    FILE *spool;
    uint64_t spool_end;
    record carry;          /* taken for a batch that was full */
    int has_carry;
    /* dist's cut (input_cut): the first file from cut_from, the last up
     * to cut_to; the stream of such a piece is held (s_held): its records
     * start before s_to, its messages go to hold, and it has its own
     * JSON Lines parser (the others' is jp_whole meanwhile) */
    uint64_t cut_from, cut_to, s_to;
    input_hold_fn hold;
    void *hold_ctx;
    int s_held;
    jsonl *jp_whole;
    /* the folder of the last file next_file opened, kept open (-1: none):
     * the files of a folder are opened by name from it */
    int dir_fd;
    char *dir_path;        /* its path, dir_len bytes (not NUL-ended) */
    size_t dir_len, dir_cap;
};

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

/* Descriptors of deferred files kept open between next_file() and
 * input_load(), and how many may be (a share of the process's limit). */
static atomic_uint kept_fds;
static unsigned fd_budget;

/* @return 1 when one more descriptor may be kept open (counted), else 0. */
static int keep_fd(void)
{
    unsigned k = atomic_load(&kept_fds);
    while (k < fd_budget)
        if (atomic_compare_exchange_weak(&kept_fds, &k, k + 1))
            return 1;
    return 0;
}

static void close_kept(record *r)
{
    if (r->fd1 > 0) {
        close(r->fd1 - 1);
        atomic_fetch_sub(&kept_fds, 1);
        r->fd1 = 0;
    }
}

/* Bytes of files read whole by next_file and not yet taken by
 * input_load() or freed, on all threads: no more than READ_AHEAD_MAX. */
static _Atomic uint64_t ahead_bytes;

static void drop_got(record *r)
{
    if (r->got)
        atomic_fetch_sub(&ahead_bytes, r->ngot);
    free(r->got);
    r->got = NULL;
}

void record_free(record *r)
{
    close_kept(r);
    drop_got(r);
    free(r->id);
    free(r->text);
    free(r->where);
    free(r->meta);
    memset(r, 0, sizeof *r);
}

const char *record_where(const record *r)
{
    return r->where ? r->where : r->id;
}

/* ------------------------------------------------------------------ */
/* Standard input                                                      */
/* ------------------------------------------------------------------ */

/* Reads more into the buffer. @return bytes, 0 at the end, -1 (errno;
 * EIO for an archive's error, which unpack_error() tells). */
static ssize_t fill(reader *rd)
{
    if (rd->eof)
        return 0;
    for (;;) {
        ssize_t r;
        if (rd->up) {
            r = unpack_read(rd->up, rd->buf + rd->end, CHUNK - rd->end);
            if (r < 0)
                errno = EIO;
        } else {
            r = read(rd->fd, rd->buf + rd->end, CHUNK - rd->end);
            if (r < 0 && errno == EINTR)
                continue;
            if (r > 0)
                rd->counted += (uint64_t)r;
        }
        if (r == 0)
            rd->eof = 1;
        if (r < 0)
            rd->failed = 1;
        if (r > 0)
            rd->end += (size_t)r;
        return r;
    }
}

/* Moves the bytes the reader read from its descriptor to the count. */
static void count_bytes(input *in)
{
    in->bytes += in->rd.counted;
    in->rd.counted = 0;
}

/* @return why the current stream could not be read, after fill failed. */
static const char *read_error(const input *in)
{
    return in->rd.up && errno == EIO ? unpack_error(in->rd.up) : strerror(errno);
}

/* Reads the next record, up to delim (or to the end when delim < 0), into
 * rd->rec. A record longer than max is drained and flagged toolong; the
 * whole of a decompressed stream or archive member (delim < 0) is not
 * drained but left where it is, since nothing after it is wanted (a
 * decompression bomb is not read through).
 * @return 1 for a record, 0 at the end, -1 on a read error (errno). */
static int next_record(reader *rd, int delim, size_t max)
{
    int any = 0;
    rd->len = 0;
    rd->toolong = 0;
    rd->at = rd->base + rd->start;
    for (;;) {
        if (rd->start == rd->end) {
            rd->base += rd->end;
            rd->start = rd->end = 0;
            ssize_t r = fill(rd);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
        }
        any = 1;
        char *p = rd->buf + rd->start;
        size_t avail = rd->end - rd->start;
        char *d = delim >= 0 ? memchr(p, delim, avail) : NULL;
        size_t n = d ? (size_t)(d - p) : avail;
        if (!rd->toolong && rd->len + n > max) {
            rd->toolong = 1;
            rd->len = 0;
            if (delim < 0 && rd->up)
                break;
        }
        if (!rd->toolong && n) {
            if (cli_grow(&rd->rec, &rd->cap, rd->len + n + 1, 1) < 0) {
                errno = ENOMEM;
                return -1;
            }
            memcpy(rd->rec + rd->len, p, n);
            rd->len += n;
        }
        rd->start += n + (d != NULL);
        if (d)
            break;
    }
    if (!rd->rec && cli_grow(&rd->rec, &rd->cap, 1, 1) < 0) {
        errno = ENOMEM;
        return -1;
    }
    rd->rec[rd->len] = 0;
    return any;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
            s[i] != '\f' && s[i] != '\v')
            return 0;
    return 1;
}

/* Drops a UTF-8 byte order mark at the start of stdin: it belongs to no
 * record, and would hide the '{' of JSON Lines. @return 0, or -1 on a read
 * error. */
static int skip_bom(input *in)
{
    reader *rd = &in->rd;
    while (rd->end < 3 && !rd->eof) {
        ssize_t r = fill(rd);
        count_bytes(in);
        if (r < 0)
            return -1;
    }
    if (rd->end >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
        rd->start = 3;
    return 0;
}

/* Chooses the format of stdin from its first bytes: reads until a byte
 * that is not white space, then (unless it is '{') on to a full buffer or
 * the end, to look for a NUL. @return 0, or -1 on a read error. */
static int detect(input *in)
{
    reader *rd = &in->rd;
    size_t i = rd->start;
    for (;;) {
        while (i < rd->end && is_blank(rd->buf + i, 1))
            i++;
        if ((i < rd->end && rd->buf[i] == '{') || rd->eof || rd->end == CHUNK)
            break;
        ssize_t r = fill(rd);
        count_bytes(in);
        if (r < 0)
            return -1;
    }
    const unsigned char *u = (const unsigned char *)rd->buf;
    int bom16 = rd->end >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
    if (!bom16 && i < rd->end && rd->buf[i] == '{')
        in->fmt = INPUT_JSONL;
    else if (!bom16 && memchr(rd->buf + rd->start, 0, rd->end - rd->start))
        in->fmt = INPUT_NUL;
    else
        in->fmt = INPUT_TEXT;
    return 0;
}

static const char *format_name(input_format f)
{
    switch (f) {
    case INPUT_JSONL: return "JSON Lines";
    case INPUT_NUL: return "NUL-separated texts";
    case INPUT_TEXT: return "one text";
    case INPUT_AUTO: break;
    }
    return "auto";
}

/* Creates the spool in $TMPDIR (else /tmp), unlinked at once.
 * @return 0, or -1 (reported). */
static int open_spool(input *in)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t n = strlen(dir);
    char *tmpl = malloc(n + 32);
    if (!tmpl) {
        diag("stdin: out of memory");
        return -1;
    }
    snprintf(tmpl, n + 32, "%s%sreprint-stdin-XXXXXX", dir, n && dir[n - 1] == '/' ? "" : "/");
    int fd = mkstemp(tmpl);
    if (fd >= 0) {
        unlink(tmpl);
        in->spool = fdopen(fd, "w+b");
        if (!in->spool)
            close(fd);
    }
    free(tmpl);
    if (!in->spool) {
        diag("stdin: cannot create a temporary file in %s: %s", safe(dir), strerror(errno));
        return -1;
    }
    return 0;
}

/* @return nonzero when path names a JSON Lines file: .jsonl or .ndjson,
 * also before a compression suffix (.gz, .bz2, .xz, .zst). */
static int is_jsonl_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    static const char *const zext[] = {".gz", ".bz2", ".xz", ".zst", ".zstd", NULL};
    for (const char *const *z = zext; *z; z++) {
        size_t k = strlen(*z);
        if (n > k && strcasecmp(base + n - k, *z) == 0) {
            n -= k;
            break;
        }
    }
    static const char *const ext[] = {".jsonl", ".ndjson", NULL};
    for (const char *const *e = ext; *e; e++) {
        size_t k = strlen(*e);
        if (n > k && strncasecmp(base + n - k, *e, k) == 0)
            return 1;
    }
    return 0;
}

/* Ends the current stream: closes what it opened. */
static void end_stream(input *in)
{
    if (in->up) {
        uint64_t c = unpack_consumed(in->up);
        in->bytes += c > in->s_prefix ? c - in->s_prefix : 0;
    }
    count_bytes(in);
    unpack_close(in->up);
    in->up = NULL;
    in->rd.up = NULL;
    warc_free(in->wr);
    in->wr = NULL;
    if (in->s_fd >= 0)
        close(in->s_fd);
    in->s_fd = -1;
    free(in->s_name);
    free(in->s_id);
    in->s_name = in->s_id = NULL;
    free(in->m_arch_name);
    free(in->m_arch_id);
    in->m_arch_name = in->m_arch_id = NULL;
    in->members = in->m_pending = in->m_sub = 0;
    in->m_index = 0;
    in->in_stream = 0;
    if (in->s_held) {
        jsonl_free(in->jp);
        in->jp = in->jp_whole;
        in->jp_whole = NULL;
        in->s_held = 0;
    }
    in->s_to = UINT64_MAX;
}

/* The reader's bytes, for the WARC reader: what is buffered, then more. */
static ssize_t warc_read(void *ctx, void *buf, size_t n)
{
    input *in = ctx;
    reader *rd = &in->rd;
    if (rd->start == rd->end) {
        rd->base += rd->end;
        rd->start = rd->end = 0;
        ssize_t r = fill(rd);
        count_bytes(in);
        if (r <= 0)
            return r;
    }
    size_t k = rd->end - rd->start;
    if (k > n)
        k = n;
    memcpy(buf, rd->buf + rd->start, k);
    rd->start += k;
    return (ssize_t)k;
}

/* Reads into the reader's buffer until it holds UNPACK_SNIFF bytes or the
 * stream ends. @return 0, or -1 on a read error (errno). */
static int fill_sniff(input *in)
{
    reader *rd = &in->rd;
    while (rd->end < UNPACK_SNIFF && !rd->eof) {
        ssize_t r = fill(rd);
        count_bytes(in);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* A stream that cannot be read: reported, counted, ended. @return 0. */
static int stream_failed(input *in, const char *what, const char *why)
{
    diag("%s: %s: %s", safe(in->s_name), what, why);
    in->skipped++;
    end_stream(in);
    return 0;
}

/* Makes the JSON Lines parser when the stream is read as JSON Lines.
 * @return 0, or -1 when out of memory (reported). */
static int need_jsonl(input *in)
{
    if (in->fmt == INPUT_JSONL && !in->jp) {
        in->jp = jsonl_new(in->o.id_field ? in->o.id_field : "id",
                           in->o.text_field ? in->o.text_field : "text");
        if (!in->jp) {
            diag("%s: out of memory", safe(in->s_name));
            return -1;
        }
    }
    return 0;
}

/* Starts reading a stream: standard input (path NULL, fd 0) or the file
 * path open as fd (taken over), whose first bytes are of the given kind.
 * Decides how it is read: an archive's members, WARC records, or records
 * of a format (--input, the name, or for stdin its first bytes).
 * @return 0 (problems with the stream are reported and end it), or -1 on
 * a fatal error (reported). */
static int start_stream(input *in, const char *path, int fd, unpack_kind kind)
{
    reader *rd = &in->rd;
    in->in_stream = 1;
    in->s_stdin = path == NULL;
    in->s_fd = path ? fd : -1;
    in->s_name = strdup(path ? path : "stdin");
    in->s_id = strdup(path ? path : "-");
    in->lineno = 0;
    in->s_prefix = 0;
    rd->fd = fd;
    rd->up = NULL;
    rd->start = rd->end = 0;
    rd->base = 0;
    rd->eof = 0;
    if (!rd->buf)
        rd->buf = malloc(CHUNK);
    if (!rd->buf || !in->s_name || !in->s_id) {
        diag("%s: out of memory", path ? safe(path) : "stdin");
        return -1;
    }
    if (!path) {
        if (fill_sniff(in) < 0)
            return stream_failed(in, "cannot read", strerror(errno));
        kind = unpack_sniff(rd->buf, rd->end);
    }
    if (kind == UNPACK_COMPRESSED || kind == UNPACK_TAR || kind == UNPACK_ZIP) {
        const char *why;
        /* a file is opened from its start (nothing was read from it); stdin
         * hands over the bytes read to tell what it is */
        in->up = unpack_open(fd, rd->buf, path ? 0 : rd->end, &why);
        if (!in->up)
            return stream_failed(in, "cannot read", why);
        in->s_prefix = path ? 0 : rd->end;
        rd->start = rd->end = 0;
        rd->base = 0;
        const char *name;
        int64_t size;
        int got = unpack_next(in->up, &name, &size);
        if (got < 0)
            return stream_failed(in, "cannot read", unpack_error(in->up));
        if (got == 0) {
            end_stream(in);   /* an empty archive */
            return 0;
        }
        if (got == 2 && !name)
            return stream_failed(in, "skipped", unpack_error(in->up));
        if (name) {
            in->members = 1;
            in->m_pending = 1;
            in->m_got = got;
            in->m_name = name;
            in->m_size = size;
            if (in->o.verbose)
                diag("%s: reading the members of an archive", safe(in->s_name));
            return 0;
        }
        rd->up = in->up;
        if (fill_sniff(in) < 0)
            return stream_failed(in, "cannot read", read_error(in));
        kind = unpack_is_warc(rd->buf, rd->end) ? UNPACK_WARC : UNPACK_PLAIN;
        if (in->o.verbose)
            diag("%s: decompressing", safe(in->s_name));
    }
    if (kind == UNPACK_WARC && in->o.format == INPUT_AUTO) {
        in->wr = warc_new(warc_read, in, in->o.max_bytes);
        if (!in->wr) {
            diag("%s: out of memory", safe(in->s_name));
            return -1;
        }
        if (in->o.verbose)
            diag("%s: reading WARC records", safe(in->s_name));
        return 0;
    }
    in->fmt = in->o.format;
    if (skip_bom(in) < 0)
        return stream_failed(in, "cannot read", read_error(in));
    if (in->fmt == INPUT_AUTO && path) {
        in->fmt = is_jsonl_name(path) ? INPUT_JSONL : INPUT_TEXT;
        if (in->o.verbose)
            diag("%s: reading %s", safe(in->s_name), format_name(in->fmt));
    } else if (in->fmt == INPUT_AUTO) {
        if (detect(in) < 0)
            return stream_failed(in, "cannot read", read_error(in));
        if (in->o.verbose)
            diag("stdin: reading %s (detected)", format_name(in->fmt));
    } else if (in->o.verbose) {
        diag("%s: reading %s", safe(in->s_name), format_name(in->fmt));
    }
    return need_jsonl(in);
}

static int write_all(int fd, const void *p, size_t n, uint64_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = pwrite(fd, c, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n > 0) {
        ssize_t r = pread(fd, c, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            return -1;
        }
        c += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

/* Appends [8-byte length][bytes] to the spool. @return its ref, or 0
 * after reporting a write error. */
static uint64_t spool_put(input *in, const char *s, size_t n, const char *tail, size_t ntail)
{
    uint64_t at = in->spool_end, len = n + ntail;
    int fd = fileno(in->spool);
    if (write_all(fd, &len, sizeof len, at) < 0 || write_all(fd, s, n, at + sizeof len) < 0 ||
        write_all(fd, tail, ntail, at + sizeof len + n) < 0) {
        diag("cannot write the temporary file: %s", strerror(errno));
        return 0;
    }
    in->spool_end += sizeof len + len;
    return SPOOL_REF | at;
}

/* Says "NAME:LINE: message" of the current record of a stream, or holds
 * it (a piece of a cut file: input_cut), with the reason of a JSON Lines
 * field error. @return 0, or -1 when the holder failed. */
static int tell(input *in, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tell(input *in, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!in->s_held) {
        diag("%s:%llu: %s", safe(in->s_name), in->lineno, msg);
        return 0;
    }
    input_note n = {in->lineno, msg, reason, 0};
    return in->hold(in->hold_ctx, &n);
}

/* Ends a piece of a cut file: holds its counts of lines refused for each
 * field error, then its end (its lines). @return 0 (the stream is done),
 * or -1 when the holder failed. */
static int end_piece(input *in)
{
    size_t count;
    const char *why;
    for (size_t i = 0; in->jp && (why = jsonl_reason(in->jp, i, &count)); i++) {
        input_note n = {0, NULL, why, count};
        if (in->hold(in->hold_ctx, &n) < 0)
            return -1;
    }
    input_note e = {in->lineno, NULL, NULL, 0};
    return in->hold(in->hold_ctx, &e) < 0 ? -1 : 0;
}

/* Fills r from a record of raw text read from a stream (id and where
 * already set): prepares it with flags, spools it. @return 1 kept, 0
 * skipped (reported), -1. */
static int finish_stream_record(input *in, record *r, const char *raw, size_t n,
                                unsigned flags)
{
    const char *where = record_where(r);
    int rc = rp_text_prepare(raw, n, flags, &r->text, &r->len);
    if (rc != RP_OK) {
        if (rc == RP_ENOMEM) {
            diag("%s: out of memory", safe(where));
            return -1;
        }
        if (!(rc == RP_EBINARY && in->o.quiet_skip)) {
            if (in->s_held && tell(in, NULL, "skipped: %s", rp_strerror(rc)) < 0)
                return -1;
            if (!in->s_held)
                diag("%s: skipped: %s", safe(where), rp_strerror(rc));
            in->skipped++;
        }
        return 0;
    }
    r->size = n;
    r->ref = SPOOL_REF | in->spool_end;
    if (in->o.spool && !in->spool && open_spool(in) < 0)
        return -1;
    if (in->spool) {
        if (!spool_put(in, r->text, r->len, "", 0))
            return -1;
    } else {
        in->spool_end++;   /* a sequence number: not reloadable */
    }
    return 1;
}

/* @return the place of the record number num of the current stream or
 * member that starts at byte at of the stream. */
static record_loc here(const input *in, uint64_t num, uint64_t at)
{
    record_loc l = {in->members ? in->m_index : 0, num, in->rd.up ? INPUT_NO_OFFSET : at};
    return l;
}

/* @return a malloc'd prefix, ":" (unless the prefix is empty) and n in
 * decimal, or NULL. */
static char *numbered(const char *prefix, unsigned long long n)
{
    size_t k = strlen(prefix) + 24;
    char *s = malloc(k);
    if (s)
        snprintf(s, k, "%s%s%llu", prefix, *prefix ? ":" : "", n);
    return s;
}

/* @return a malloc'd "a:b", or NULL. */
static char *joined(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (s) {
        memcpy(s, a, na);
        s[na] = ':';
        memcpy(s + na + 1, b, nb + 1);
    }
    return s;
}

/* The records of a stream of JSON Lines, NUL-separated texts or one text.
 * @return 1 for a record, 0 when the stream is done, -1 on a fatal error. */
static int next_records(input *in, record *r)
{
    reader *rd = &in->rd;
    const char *name = safe(in->s_name);
    int delim = in->fmt == INPUT_JSONL ? '\n' : in->fmt == INPUT_NUL ? 0 : -1;
    for (;;) {
        /* (a piece of a cut file ends before the record starting at s_to) */
        int got = rd->base + rd->start >= in->s_to ? 0 : next_record(rd, delim, in->o.max_bytes);
        count_bytes(in);
        if (got < 0) {
            if (errno == ENOMEM) {
                diag("%s: out of memory", name);
                return -1;
            }
            diag("%s: cannot read: %s", name, read_error(in));
            in->skipped++;
            return 0;
        }
        if (got == 0 && in->s_held)
            return end_piece(in);
        if (got == 0 && !(in->fmt == INPUT_TEXT && in->lineno == 0)) {
            size_t count;
            const char *why;
            for (size_t i = 0; in->jp && (why = jsonl_reason(in->jp, i, &count)); i++)
                if (count > 1)
                    diag("%s: %zu lines skipped in all: %s", name, count, why);
            if (in->jp)
                jsonl_forget(in->jp);   /* the totals are the file's */
            return 0;   /* (an empty stream is still one, empty, text) */
        }
        in->lineno++;
        if (rd->toolong) {
            if (in->fmt == INPUT_TEXT)
                diag("%s: skipped: %s", name,
                     rd->up ? UNPACK_TOO_LARGE : "larger than --max-bytes");
            else if (tell(in, NULL, "skipped: %s longer than --max-bytes",
                          in->fmt == INPUT_JSONL ? "line" : "record") < 0)
                return -1;
            in->skipped++;
            if (in->fmt == INPUT_TEXT)
                return 0;
            continue;
        }
        const char *raw = rd->rec;
        size_t n = rd->len;
        if (in->fmt == INPUT_JSONL) {
            if (is_blank(raw, n))
                continue;
            const char *id;
            const char *why = jsonl_parse(in->jp, raw, n, &id, &raw, &n);
            if (why) {
                if (jsonl_repeat(in->jp) == 0 &&   /* a field error: once */
                    tell(in, jsonl_field_reason(in->jp), "%s", why) < 0)
                    return -1;
                in->skipped++;
                continue;
            }
            r->id = strdup(id);
            if (in->o.nfields) {
                const char *m = jsonl_meta(in->jp, rd->rec, rd->len, in->o.fields,
                                           in->o.nfields, &r->metalen);
                if (!m || !(r->meta = malloc(r->metalen + 1))) {
                    free(r->id);
                    r->id = NULL;
                } else {
                    memcpy(r->meta, m, r->metalen + 1);
                }
            }
        } else if (in->fmt == INPUT_NUL) {
            if (n == 0 || (rd->eof && rd->start == rd->end && is_blank(raw, n))) {
                if (n == 0) {
                    diag("%s:%llu: empty text", name, in->lineno);
                    in->skipped++;
                }
                continue;   /* white space after the last NUL is no record */
            }
            /* stdin: the record's number; a file: "PATH:N" */
            r->id = numbered(in->s_stdin ? "" : in->s_id, in->lineno);
        } else {
            r->id = strdup(in->s_id);
        }
        if (in->fmt != INPUT_TEXT)
            r->where = numbered(in->s_name, in->lineno);
        else if (in->s_stdin)
            r->where = strdup("stdin");
        if (!r->id || (!r->where && (in->fmt != INPUT_TEXT || in->s_stdin))) {
            diag("%s: out of memory", name);
            return -1;
        }
        r->loc = here(in, in->lineno, rd->at);
        if (in->o.raw) {
            /* with its terminator: a newline, a NUL (the "" string's) */
            const char *tail = in->fmt == INPUT_JSONL ? "\n" : "";
            size_t nt = in->fmt == INPUT_TEXT ? 0 : 1;
            if ((in->o.spool && !in->spool && open_spool(in) < 0) || !in->spool ||
                !(r->raw = spool_put(in, rd->rec, rd->len, tail, nt)))
                return -1;
        }
        int rc = finish_stream_record(in, r, raw, n, RP_TEXT_SNIFF_HTML);
        if (rc != 0)
            return rc;
        record_free(r);
    }
}

/* Ends the records of a member: the archive's names are back. */
static void end_member(input *in)
{
    warc_free(in->wr);
    in->wr = NULL;
    free(in->s_name);
    free(in->s_id);
    in->s_name = in->m_arch_name;
    in->s_id = in->m_arch_id;
    in->s_stdin = in->m_arch_stdin;
    in->m_arch_name = in->m_arch_id = NULL;
    in->m_sub = 0;
}

/* Starts reading the member of an archive whose id is r->id as records:
 * WARC records, or records of a format (JSON Lines for a .jsonl member).
 * s_name and s_id become the member's until end_member().
 * @return 2, 0 when it cannot be read (reported: the archive ends), or -1
 * on a fatal error (reported). */
static int start_member(input *in, record *r, input_format fmt)
{
    in->m_arch_name = in->s_name;
    in->m_arch_id = in->s_id;
    in->m_arch_stdin = in->s_stdin;
    in->s_name = joined(in->m_arch_name, r->id + strlen(in->m_arch_id) + 1);
    in->s_id = r->id;
    r->id = NULL;
    record_free(r);
    in->s_stdin = 0;
    in->m_sub = 1;
    in->lineno = 0;
    in->fmt = fmt;
    if (!in->s_name || (fmt == INPUT_AUTO && !(in->wr = warc_new(warc_read, in, in->o.max_bytes)))) {
        diag("%s: out of memory", safe(in->m_arch_name));
        return -1;
    }
    if (in->o.verbose)
        diag("%s: reading %s", safe(in->s_name), in->wr ? "WARC records" : format_name(fmt));
    if (!in->wr && skip_bom(in) < 0) {   /* a read error ends the archive */
        diag("%s: cannot read: %s", safe(in->s_name), read_error(in));
        in->skipped++;
        end_member(in);
        return 0;
    }
    return need_jsonl(in) < 0 ? -1 : 2;
}

/* The members of an archive, one document each (regular files that the
 * --include and --exclude patterns let through), or records: a member
 * that is WARC or JSON Lines is read as one (start_member).
 * @return 1 for a record, 2 for a member read as records, 0 when the
 * archive is done, -1 on a fatal error. */
static int next_member(input *in, record *r)
{
    reader *rd = &in->rd;
    for (;;) {
        const char *name;
        int64_t size;
        int got;
        if (in->m_pending) {
            in->m_pending = 0;
            in->m_index++;
            got = in->m_got;
            name = in->m_name;
            size = in->m_size;
        } else {
            got = unpack_next(in->up, &name, &size);
            if (got == 0)
                return 0;
            if (got < 0) {
                diag("%s: cannot read: %s", safe(in->s_name), unpack_error(in->up));
                in->skipped++;
                return 0;
            }
            in->m_index++;
        }
        if (got == 2) {   /* an archive inside that cannot be read */
            r->where = joined(in->s_id, name);
            if (!r->where) {
                diag("%s: out of memory", safe(in->s_name));
                return -1;
            }
            diag("%s: skipped: %s", safe(r->where), unpack_error(in->up));
            in->skipped++;
            record_free(r);
            continue;
        }
        if (!unpack_is_file(in->up))
            continue;
        /* its own name: after the last '/', or ':' of an archive inside */
        const char *base = strrchr(name, '/'), *colon = strrchr(name, ':');
        base = colon && (!base || colon > base) ? colon + 1 : base ? base + 1 : name;
        /* as in folders: hidden members (a name or folder starting with a
         * dot) only with --hidden, and the --include/--exclude patterns */
        if ((!in->o.walk.hidden && (name[0] == '.' || strstr(name, "/.") || strstr(name, ":."))) ||
            !walk_wanted(&in->o.walk, base, name))
            continue;
        r->id = joined(in->s_id, name);
        r->where = r->id ? strdup(r->id) : NULL;
        r->loc = here(in, 0, INPUT_NO_OFFSET);
        if (!r->where) {
            diag("%s: out of memory", safe(in->s_name));
            return -1;
        }
        if (size > 0 && (uint64_t)size > in->o.max_bytes) {
            diag("%s: skipped: larger than --max-bytes", safe(r->where));
            in->skipped++;
            record_free(r);
            continue;
        }
        rd->up = in->up;
        rd->start = rd->end = rd->base = 0;
        rd->eof = rd->failed = 0;
        /* WARC, or records of a format: --input, or a .jsonl name */
        input_format f = in->o.format;
        if (f == INPUT_AUTO && is_jsonl_name(name))
            f = INPUT_JSONL;
        if (f == INPUT_JSONL || f == INPUT_NUL ||
            (f == INPUT_AUTO && fill_sniff(in) == 0 && unpack_is_warc(rd->buf, rd->end)))
            return start_member(in, r, f);
        got = next_record(rd, -1, in->o.max_bytes);
        if (got < 0) {
            if (errno == ENOMEM) {
                diag("%s: out of memory", safe(r->where));
                return -1;
            }
            diag("%s: cannot read: %s", safe(r->where), read_error(in));
            in->skipped++;
            record_free(r);
            return 0;
        }
        if (rd->toolong) {
            diag("%s: skipped: %s", safe(r->where), UNPACK_TOO_LARGE);
            in->skipped++;
            record_free(r);
            continue;
        }
        int rc = finish_stream_record(in, r, rd->rec ? rd->rec : "", rd->len,
                                      is_html_name(name) ? RP_TEXT_HTML : RP_TEXT_SNIFF_HTML);
        if (rc != 0)
            return rc;
        record_free(r);
    }
}

/* The documents of a WARC file: its response and resource records that
 * hold a text page.
 * @return 1 for a record, 0 when the file is done, -1 on a fatal error. */
static int next_warc(input *in, record *r)
{
    const char *name = safe(in->s_name);
    for (;;) {
        warc_doc d;
        const char *why;
        int rc = warc_next(in->wr, &d, &why);
        if (rc != WARC_END)
            in->lineno = d.number;
        switch (rc) {
        case WARC_END:
            return 0;
        case WARC_OTHER:
            continue;
        case WARC_SKIP:
            in->nottext++;
            if (in->o.verbose)
                diag("%s:%llu: skipped: %s", name, d.number, why);
            continue;
        case WARC_FAILED:
            diag("%s:%llu: skipped: %s", name, d.number, why);
            in->skipped++;
            continue;
        case WARC_BAD:
            diag("%s:%llu: malformed WARC record (at byte %llu): %s", name, d.number,
                 (unsigned long long)d.offset, why);
            in->skipped++;
            return 0;
        case WARC_EREAD:
            diag("%s: cannot read: %s", name, read_error(in));
            in->skipped++;
            return 0;
        case WARC_DOC:
            break;
        default:
            diag("%s: out of memory", name);
            return -1;
        }
        r->where = numbered(in->s_name, d.number);
        r->id = d.uri ? strdup(d.uri) : r->where ? strdup(r->where) : NULL;
        if (!r->id || !r->where) {
            diag("%s: out of memory", name);
            return -1;
        }
        r->loc = here(in, d.number, d.offset);
        rc = finish_stream_record(in, r, d.body, d.len,
                                  d.html > 0 ? RP_TEXT_HTML : d.html < 0 ? RP_TEXT_SNIFF_HTML : 0);
        if (rc != 0)
            return rc;
        record_free(r);
    }
}

/* @return 1 for a record of the current stream, 0 when it is done (and
 * ended), -1 on a fatal error. */
static int next_stream(input *in, record *r)
{
    for (;;) {
        int got = in->members && !in->m_sub ? next_member(in, r)
                  : in->wr                  ? next_warc(in, r)
                                            : next_records(in, r);
        if (got == 2)
            continue;   /* a member read as records: its first */
        if (got == 0 && in->m_sub) {
            end_member(in);
            if (!in->rd.failed)
                continue;   /* the next member (a read error ends the archive) */
        }
        if (got == 0)
            end_stream(in);
        return got;
    }
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

int is_html_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return 0;
    static const char *const ext[] = {".html", ".htm", ".xhtml", NULL};
    for (const char *const *e = ext; *e; e++) {
        size_t k = 0;
        while ((*e)[k] && dot[k] && (dot[k] | 0x20) == (*e)[k])
            k++;
        if (!(*e)[k] && !dot[k])
            return 1;
    }
    return 0;
}

int input_read_text(const char *path, size_t max, char **text, size_t *len,
                    text_info *info, const char **why)
{
    char *buf;
    size_t n;
    int in = strcmp(path, "-") == 0;
    *text = NULL;
    *len = 0;
    if (info && (info->got || info->got_why)) {
        buf = info->got;
        n = info->ngot;
        *why = info->got_why;
    } else {
        *why = in ? read_stdin(max, &buf, &n)
             : info && info->fd1 > 0 ? read_fd(info->fd1 - 1, info->fsize, max, &buf, &n)
             : read_file(path, max, &buf, &n);
    }
    if (*why)
        return 1;
    if (unpack_sniff(buf, n) == UNPACK_COMPRESSED) {   /* a.txt.gz: its text */
        char *dec;
        size_t dn;
        int bad = unpack_memory(buf, n, max, &dec, &dn, why);
        free(buf);
        if (bad)
            return strcmp(*why, "out of memory") == 0 ? RP_ENOMEM : 1;
        buf = dec;
        n = dn;
    }
    if (info) {
        info->bytes = n;
        if (info->detail)
            info->enc = rp_text_encoding(buf, n);
    }
    unsigned flags = !in && is_html_name(path) ? RP_TEXT_HTML : RP_TEXT_SNIFF_HTML;
    if (!info || !info->detail)   /* UTF-8 becomes the text without a copy */
        return rp_text_prepare_buf(buf, n, flags, text, len);
    int rc = rp_text_prepare(buf, n, flags, text, len);
    if (rc == RP_OK)
        info->same = *len == n && memcmp(*text, buf, n) == 0;
    free(buf);
    return rc;
}

/* The most input_load() reads of a file of size bytes: no more than the
 * size the batch was counted with, nor than --max-bytes. */
static size_t load_max(const input *in, uint64_t size)
{
    return size < in->o.max_bytes ? (size_t)size : in->o.max_bytes;
}

int input_load(input *in, record *r, char *msg, size_t cap)
{
    const char *why;
    text_info ti = {0, in->o.verbose, RP_ENC_UTF8, 0, r->fd1, r->size,
                    r->got, r->ngot, r->got_why};
    if (r->got)
        atomic_fetch_sub(&ahead_bytes, r->ngot);
    r->got = NULL;   /* (input_read_text takes it) */
    r->got_why = NULL;
    msg[0] = 0;
    size_t max = load_max(in, r->size);
    int rc = input_read_text(in->paths.v[r->ref], max, &r->text, &r->len, &ti, &why);
    close_kept(r);
    atomic_fetch_add(&in->bytes, ti.bytes);
    if (rc == 1 && max < in->o.max_bytes && strcmp(why, WALK_TOO_LARGE) == 0) {
        snprintf(msg, cap, "skipped: grew while being read (from %llu bytes)",
                 (unsigned long long)r->size);
        return 0;
    }
    if (rc == 1) {
        snprintf(msg, cap, "cannot read: %s", why);
        return 0;
    }
    r->size = ti.bytes;
    if (rc == RP_ENOMEM) {
        snprintf(msg, cap, "%s", rp_strerror(rc));
        return -1;
    }
    if (rc != RP_OK) {
        if (!(rc == RP_EBINARY && in->o.quiet_skip))
            snprintf(msg, cap, "skipped: %s", rp_strerror(rc));
        return 0;
    }
    if (ti.enc != RP_ENC_UTF8)
        snprintf(msg, cap, "converted from %s", rp_encoding_name(ti.enc));
    return 1;
}

/* @return nonzero when a file of the given kind is read through libarchive
 * or as WARC, not as records of its own bytes. */
static int unpacked(input_format f, unpack_kind kind)
{
    return kind == UNPACK_COMPRESSED || kind == UNPACK_TAR || kind == UNPACK_ZIP ||
           (kind == UNPACK_WARC && f == INPUT_AUTO);
}

int input_cuttable(const input_opts *o, const char *path)
{
    if (o->format != INPUT_JSONL && !(o->format == INPUT_AUTO && is_jsonl_name(path)))
        return 0;
    struct stat st;
    unsigned char peek[UNPACK_SNIFF];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ssize_t k = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                    ? pread(fd, peek, sizeof peek, 0) : -1;
    if (fd >= 0)
        close(fd);
    return k >= 0 && !unpacked(o->format, unpack_sniff(peek, (size_t)k));
}

void input_cut(input *in, uint64_t from, uint64_t to, input_hold_fn hold, void *ctx)
{
    in->cut_from = from;
    in->cut_to = to;
    in->hold = hold;
    in->hold_ctx = ctx;
}

static int jump(input *in, uint64_t at, uint64_t num);

/* @return nonzero when file i of the list is a piece of a cut file. */
static int is_cut(const input *in, size_t i)
{
    return in->hold && ((i == 0 && in->cut_from > 0) ||
                        (i + 1 == in->paths.n && in->cut_to != UINT64_MAX));
}

/* Starts reading file i, which start_stream() opened, as a piece of a cut
 * file when it is one (input_cut): from the first record that starts at
 * or after cut_from, with its own parser. @return 0, or -1 (reported). */
static int start_piece(input *in, size_t i)
{
    if (!is_cut(in, i))
        return 0;
    if (!in->in_stream || in->up || in->wr || in->fmt != INPUT_JSONL) {
        diag("%s: changed since the list was made", safe(in->paths.v[i]));
        return -1;
    }
    in->s_held = 1;
    in->s_to = i + 1 == in->paths.n ? in->cut_to : UINT64_MAX;
    in->jp_whole = in->jp;
    in->jp = NULL;
    if (need_jsonl(in) < 0)
        return -1;
    if (i == 0 && in->cut_from > 0) {
        /* past the end of the record the cut falls in (an earlier piece's) */
        int got = jump(in, in->cut_from - 1, 1) ? next_record(&in->rd, '\n', 0) : -1;
        count_bytes(in);
        if (got < 0) {
            diag("%s: cannot read: %s", safe(in->s_name), strerror(errno));
            return -1;
        }
        in->lineno = 0;
    }
    return 0;
}

/* Opens path read-only (O_NONBLOCK: a FIFO swapped in after the walk
 * must not block the reader), by its name from its folder's descriptor,
 * kept from the file before when it was in the same folder: the kernel
 * then looks up one name, not every folder of the path again, for each
 * file of a folder. A folder that cannot be opened so, or a path without
 * one, is opened as it is. @return a descriptor, or -1 (errno). */
static int open_file(input *in, const char *path)
{
    const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path || !slash[1])
        return open(path, flags);
    size_t n = (size_t)(slash - path);
    if (in->dir_fd < 0 || n != in->dir_len || memcmp(in->dir_path, path, n) != 0) {
        if (in->dir_fd >= 0)
            close(in->dir_fd);
        in->dir_fd = -1;
        if (cli_grow(&in->dir_path, &in->dir_cap, n + 1, 1) < 0)
            return open(path, flags);
        memcpy(in->dir_path, path, n);
        in->dir_path[n] = 0;
        in->dir_len = n;
        in->dir_fd = open(in->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (in->dir_fd < 0)
            return open(path, flags);
    }
    return openat(in->dir_fd, slash + 1, flags);
}

/* Files up to READ_NOW_MAX bytes are read whole when the reader opens
 * them (a batch's bytes are counted by size either way), while no more
 * than READ_AHEAD_MAX bytes so read wait for a worker: the files of a
 * batch of news articles (2 to 3 MB) are all read ahead, and a corpus of
 * large files holds no more than that in memory before the workers. */
#define READ_NOW_MAX ((uint64_t)1 << 20)
#define READ_AHEAD_MAX ((uint64_t)8 << 20)

/* @return 1 for a record, 0 when the file was skipped or is read as a
 * stream (the caller goes on), -1 fatal. */
static int next_file(input *in, size_t i, record *r)
{
    const char *path = in->paths.v[i];
    if (in->o.verbose)
        diag("%s: reading", safe(path));
    /* Its first bytes say whether it is read as a stream; a file that
     * cannot be opened here is left to input_load(), which reports it. */
    struct stat st;
    int have_st = 0;
    int fd = open_file(in, path);
    char *got = NULL;
    size_t ngot = 0;
    const char *got_why = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        have_st = 1;
        input_format f = in->o.format;
        int records = f == INPUT_JSONL || f == INPUT_NUL || (f == INPUT_AUTO && is_jsonl_name(path));
        unpack_kind kind;
        uint64_t size = (uint64_t)st.st_size;
        if (!records && size <= READ_NOW_MAX && size <= in->o.max_bytes &&
            atomic_load(&ahead_bytes) + size <= READ_AHEAD_MAX) {
            /* A small file is read whole here, and its first bytes are
             * looked at in what was read: one system call, where a look
             * here and a read on the worker took two. input_load() gets
             * the bytes, or why they could not be read. */
            got_why = read_fd(fd, size, load_max(in, size), &got, &ngot);
        }
        if (got) {
            kind = unpack_sniff(got, ngot < UNPACK_SNIFF ? ngot : UNPACK_SNIFF);
        } else {
            unsigned char peek[UNPACK_SNIFF];
            ssize_t k = pread(fd, peek, sizeof peek, 0);
            kind = unpack_sniff(peek, k > 0 ? (size_t)k : 0);
        }
        if (unpacked(f, kind) || records) {
            free(got);
            /* (back to blocking reads, from the start: it is a regular
             * file) */
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            if (lseek(fd, 0, SEEK_SET) < 0) {
                diag("%s: cannot read: %s", safe(path), strerror(errno));
                close(fd);
                in->skipped++;
                return 0;
            }
            return start_stream(in, path, fd, kind) < 0 || start_piece(in, i) < 0 ? -1 : 0;
        }
    }
    if (is_cut(in, i)) {   /* it was JSON Lines when the list was made */
        free(got);
        if (fd >= 0)
            close(fd);
        diag("%s: changed since the list was made", safe(path));
        return -1;
    }
    r->id = strdup(path);
    if (!r->id) {
        free(got);
        if (fd >= 0)
            close(fd);
        diag("%s: out of memory", safe(path));
        return -1;
    }
    r->got = got;
    r->ngot = ngot;
    r->got_why = got_why;
    if (got)
        atomic_fetch_add(&ahead_bytes, ngot);
    r->ref = i;
    r->loc = (record_loc){0, 0, INPUT_NO_OFFSET};
    int reg_fd = have_st;   /* fd is open on a regular file */
    if (!have_st)
        have_st = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    r->size = have_st ? (uint64_t)st.st_size : 0;
    /* the file is read from this descriptor (input_load), not opened
     * again, while few enough are open; a small one was read already */
    if (reg_fd && !got && !got_why && keep_fd())
        r->fd1 = fd + 1;
    else if (fd >= 0)
        close(fd);
    if (in->o.defer)
        return 1;
    char why[256];
    int rc = input_load(in, r, why, sizeof why);
    if (why[0])
        diag("%s: %s", safe(path), why);
    if (rc == 0 && why[0])
        in->skipped++;
    return rc;
}

/* ------------------------------------------------------------------ */
/* The stream                                                          */
/* ------------------------------------------------------------------ */

static void progress_walk(void *ctx, size_t n);

/* Takes out of the list the paths met before (a folder given twice, a
 * file named and also found in a folder), counting them.
 * @return 0, or -1 when out of memory (reported). */
static int drop_twice(input *in)
{
    pathlist *p = &in->paths;
    size_t cap = 16;
    while (cap < 2 * p->n)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot);   /* index + 1, 0 empty */
    if (!slot) {
        diag("out of memory");
        return -1;
    }
    memset(slot, 0, cap * sizeof *slot);
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        uint64_t h = 1469598103934665603u;   /* FNV-1a */
        for (const unsigned char *c = (const unsigned char *)p->v[i]; *c; c++)
            h = (h ^ *c) * 1099511628211u;
        size_t j = (size_t)h & (cap - 1);
        int seen = 0;
        while (slot[j]) {
            if (strcmp(p->v[slot[j] - 1], p->v[i]) == 0) {
                seen = 1;
                break;
            }
            j = (j + 1) & (cap - 1);
        }
        if (seen && strcmp(p->v[i], "-") != 0) {
            if (in->o.verbose)
                diag("%s: given more than once, read once", safe(p->v[i]));
            in->twice++;
            free(p->v[i]);
            continue;
        }
        p->v[w] = p->v[i];
        slot[j] = w + 1;
        w++;
    }
    p->n = w;
    free(slot);
    return 0;
}

/* Adds one PATH of the command line or of --files-from to the list.
 * @return 0, or -1 on a fatal error (reported). */
static int add_path(input *in, const char *path, int *dash, size_t *dirs, size_t *dirfiles)
{
    if (strcmp(path, "-") == 0) {
        if ((*dash)++) {
            diag("-: standard input given more than once");
            return -1;
        }
        if (isatty(STDIN_FILENO)) {
            diag("stdin is a terminal");
            return -1;
        }
        in->total_known = 0;
        char *d = strdup("-");
        if (!d || pathlist_push(&in->paths, d) < 0) {
            free(d);
            diag("out of memory");
            return -1;
        }
        return 0;
    }
    size_t before = in->paths.n;
    if (walk_path(path, &in->o.walk, &in->paths, &in->skipped) < 0)
        return -1;
    in->files += in->paths.n - before;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        (*dirs)++;
        *dirfiles += in->paths.n - before;
    }
    return 0;
}

/* Adds the paths listed in the file --files-from names (one a line, or
 * NUL-separated with --null). @return 0, or -1 fatal (reported). */
static int add_list(input *in, int *dash, size_t *dirs, size_t *dirfiles)
{
    const char *list = in->o.files_from;
    int std = strcmp(list, "-") == 0;
    if (std && (*dash)++) {
        diag("-: standard input given more than once");
        return -1;
    }
    reader rd = {0};
    rd.fd = std ? STDIN_FILENO : open(list, O_RDONLY | O_CLOEXEC);
    if (rd.fd < 0) {
        diag("%s: cannot open: %s", safe(list), strerror(errno));
        return -1;
    }
    rd.buf = malloc(CHUNK);
    int rc = rd.buf ? 0 : -1;
    unsigned long long line = 0;
    while (rc == 0) {
        int got = next_record(&rd, in->o.null ? 0 : '\n', LIST_MAX);
        if (got < 0) {
            diag("%s: cannot read: %s", safe(list), strerror(errno));
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        line++;
        if (rd.toolong) {
            diag("%s:%llu: skipped: a path longer than %d bytes", safe(list), line, LIST_MAX);
            in->skipped++;
            continue;
        }
        if (!in->o.null && rd.len && rd.rec[rd.len - 1] == '\r')
            rd.rec[--rd.len] = 0;
        if (rd.len == 0)
            continue;
        if (memchr(rd.rec, 0, rd.len)) {
            diag("%s:%llu: skipped: a NUL byte in a path (use --null)", safe(list), line);
            in->skipped++;
            continue;
        }
        /* "-" in a list is a file of that name */
        rc = strcmp(rd.rec, "-") == 0 ? add_path(in, "./-", dash, dirs, dirfiles)
                                      : add_path(in, rd.rec, dash, dirs, dirfiles);
    }
    if (!rd.buf)
        diag("out of memory");
    if (!std)
        close(rd.fd);
    free(rd.buf);
    free(rd.rec);
    return rc;
}

/* Says which filters left no file in the folders walked. */
static void say_nomatch(const input *in)
{
    const walk_opts *w = &in->o.walk;
    char buf[512];
    size_t k = 0;
    const char *what = w->ninclude ? "--include" : "--exclude";
    char **v = w->ninclude ? w->include : w->exclude;
    size_t n = w->ninclude ? w->ninclude : w->nexclude;
    for (size_t i = 0; i < n && k < sizeof buf - 1; i++) {
        int m = snprintf(buf + k, sizeof buf - k, "%s%s '%s'", i ? " " : "", what, safe(v[i]));
        if (m < 0)
            break;
        k += (size_t)m;
    }
    if (w->ninclude)
        diag("no files matched %s", buf);
    else
        diag("no files left after %s", buf);
}

input *input_open(char **paths, int npaths, const input_opts *o)
{
    input *in = calloc(1, sizeof *in);
    if (!in) {
        diag("out of memory");
        return NULL;
    }
    in->o = *o;
    in->s_fd = -1;
    in->dir_fd = -1;
    in->cut_to = in->s_to = UINT64_MAX;
    /* a batch's files may stay open until they are read: at most half of
     * the descriptors the process may have (less some for everything else) */
    struct rlimit rl;
    rlim_t lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 0;
    fd_budget = lim == RLIM_INFINITY || lim > 8192 ? 4096 : lim > 128 ? (unsigned)(lim - 64) / 2 : 0;
    in->t0 = cli_now();
    in->progress_tty = isatty(STDERR_FILENO);
    if (in->o.progress < 0)
        in->o.progress = in->progress_tty;
    in->o.walk.found = progress_walk;
    in->o.walk.ctx = in;
    in->o.walk.sizes = in->o.progress;   /* the sizes serve only the progress line */
    in->total_known = 1;
    int dash = 0;
    size_t dirs = 0, dirfiles = 0;
    for (int i = 0; i < npaths; i++) {
        char *d = o->walked ? strdup(paths[i]) : NULL;
        if (o->walked && (!d || pathlist_push(&in->paths, d) < 0)) {
            free(d);
            diag("out of memory");
            goto fail;
        }
        if (!o->walked && add_path(in, paths[i], &dash, &dirs, &dirfiles) < 0)
            goto fail;
    }
    if (o->walked)
        in->files = in->paths.n;
    if (o->files_from && add_list(in, &dash, &dirs, &dirfiles) < 0)
        goto fail;
    if (drop_twice(in) < 0)
        goto fail;
    if (dirs && dirfiles == 0 && (o->walk.ninclude || o->walk.nexclude)) {
        say_nomatch(in);
        in->nomatch = 1;
    }
    in->walk = cli_now() - in->t0;
    in->shown = 0;   /* after the walk's line, the reading's at once */
    return in;
fail:
    input_close(in);
    return NULL;
}

/* @return "M:SS" or "H:MM:SS" for s seconds, in buf. */
static const char *clock_text(double s, char *buf, size_t n)
{
    unsigned long t = s > 0 && s < 1e7 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
    return buf;
}

static void progress(input *in)
{
    if (!in->o.progress)
        return;
    double now = cli_now(), t = now - in->t0;
    if (t < PROGRESS_AFTER || now - in->shown < PROGRESS_EVERY)
        return;
    in->shown = now;
    uint64_t done = atomic_load(&in->bytes);
    double mb = (double)done / 1e6;
    if (in->total_known && in->paths.bytes > 0) {
        /* every input is a file: the files and bytes to come are known */
        double total = (double)in->paths.bytes / 1e6, rt = now - in->t0 - in->walk;
        char eta[32];
        if (done > 0 && done < in->paths.bytes && rt > 0)
            clock_text(rt * (double)(in->paths.bytes - done) / (double)done, eta, sizeof eta);
        else
            snprintf(eta, sizeof eta, "-");
        progress_show(in->progress_tty,
                      "reprint: %zu/%zu files, %zu read, %zu skipped, %.1f/%.1f MB, %.1f MB/s, ETA %s",
                      in->next, in->paths.n, in->records, in->skipped, mb, total,
                      rt > 0 ? mb / rt : 0.0, eta);
        return;
    }
    progress_show(in->progress_tty, "reprint: %zu read, %zu skipped, %.1f MB, %.1f MB/s",
                  in->records, in->skipped, mb, mb / t);
}

/* The walk's progress: the files found so far. */
static void progress_walk(void *ctx, size_t n)
{
    input *in = ctx;
    if (!in->o.progress)
        return;
    double now = cli_now();
    if (now - in->t0 < PROGRESS_AFTER || now - in->shown < PROGRESS_EVERY)
        return;
    in->shown = now;
    progress_show(in->progress_tty, "reprint: walking: %zu files found", n);
}

int input_next(input *in, record *r)
{
    memset(r, 0, sizeof *r);
    if (in->has_carry) {
        *r = in->carry;
        memset(&in->carry, 0, sizeof in->carry);
        in->has_carry = 0;
        return 1;
    }
    for (;;) {
        progress(in);
        int got;
        if (in->in_stream) {
            got = next_stream(in, r);
        } else {
            if (in->next >= in->paths.n) {
                progress_end();
                return 0;
            }
            size_t i = in->next++;
            if (strcmp(in->paths.v[i], "-") == 0) {
                if (start_stream(in, NULL, STDIN_FILENO, UNPACK_PLAIN) < 0)
                    return -1;
                continue;
            }
            got = next_file(in, i, r);
        }
        if (got < 0) {
            record_free(r);
            return -1;
        }
        if (got > 0) {
            in->records++;
            return 1;
        }
        record_free(r);
    }
}

int input_next_batch(input *in, record *r, uint64_t *bytes)
{
    int got = input_next(in, r);
    if (got != 1)
        return got;
    uint64_t cost = r->text ? r->len : r->size;
    if (cost > in->o.max_bytes)
        cost = 0;   /* skipped from its size alone, never read */
    if (*bytes > 0 && *bytes + cost > in->o.max_bytes) {
        in->carry = *r;
        in->has_carry = 1;
        memset(r, 0, sizeof *r);
        return 2;
    }
    *bytes += cost;
    return 1;
}

int input_reload(input *in, uint64_t ref, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (ref & SPOOL_REF) {
        uint64_t off = ref & ~SPOOL_REF, n;
        if (!in->spool)
            return RP_ELOAD;
        int fd = fileno(in->spool);
        if (read_all(fd, &n, sizeof n, off) < 0 || n > RP_MAX_TEXT)
            return RP_ELOAD;
        char *t = malloc((size_t)n + 1);
        if (!t)
            return RP_ENOMEM;
        if (read_all(fd, t, (size_t)n, off + sizeof n) < 0) {
            free(t);
            return RP_ELOAD;
        }
        t[n] = 0;
        *text = t;
        *len = (size_t)n;
        return RP_OK;
    }
    if (ref >= in->paths.n)
        return RP_ELOAD;
    const char *why;
    int rc = input_read_text(in->paths.v[ref], in->o.max_bytes, text, len, NULL, &why);
    if (rc == 1 || (rc != RP_OK && rc != RP_ENOMEM))
        return RP_ELOAD;
    return rc;
}

void input_get_stats(const input *in, input_stats *st)
{
    st->files = in->files;
    st->records = in->records;
    st->skipped = in->skipped;
    st->bytes = atomic_load(&in->bytes);
    st->walk = in->walk;
}

size_t input_skipped(const input *in)
{
    return in->skipped;
}

int input_harmless(input *in, const record *r, int err)
{
    if (err != RP_ENOWORDS)
        return 0;
    if (r->where)
        in->empty_docs++;
    else
        in->empty_files++;
    if (in->o.verbose)
        diag("%s: skipped: no words", safe(record_where(r)));
    return 1;
}

size_t input_finish(input *in, size_t docs)
{
    char buf[512];
    size_t k = 0;
    struct { size_t n; const char *one, *many; } part[] = {
        {in->empty_files, "empty file skipped", "empty files skipped"},
        {in->empty_docs, "empty document skipped", "empty documents skipped"},
        {in->twice, "path given more than once, read once", "paths given more than once, read once"},
        {in->nottext, "WARC record skipped that is no text page",
         "WARC records skipped that are no text pages"},
    };
    for (size_t i = 0; i < sizeof part / sizeof *part; i++) {
        if (!part[i].n || k >= sizeof buf - 1)
            continue;
        int m = snprintf(buf + k, sizeof buf - k, "%s%zu %s", k ? ", " : "", part[i].n,
                         part[i].n == 1 ? part[i].one : part[i].many);
        if (m > 0)
            k += (size_t)m;
    }
    if (k && !in->o.quiet_skip)
        diag("%s%s", buf, in->o.verbose ? "" : " (-v names them)");
    if (in->nomatch)
        return 1;
    if (docs == 0) {
        diag("no documents read");
        return 1;
    }
    return 0;
}

void input_close(input *in)
{
    if (!in)
        return;
    progress_end();
    end_stream(in);
    pathlist_free(&in->paths);
    record_free(&in->carry);
    free(in->rd.buf);
    free(in->rd.rec);
    jsonl_free(in->jp);
    if (in->spool)
        fclose(in->spool);
    if (in->dir_fd >= 0)
        close(in->dir_fd);
    free(in->dir_path);
    free(in);
}

/* ------------------------------------------------------------------ */
/* Reading records again by place                                      */
/* ------------------------------------------------------------------ */

char *const *input_files(const input *in, size_t *n)
{
    *n = in->paths.n;
    return in->paths.v;
}

const char *input_path(const input *in)
{
    if (in->next == 0 || in->next > in->paths.n || strcmp(in->paths.v[in->next - 1], "-") == 0)
        return NULL;
    return in->paths.v[in->next - 1];
}

int record_loc_same(const record_loc *a, const record_loc *b)
{
    return a->member == b->member && a->num == b->num && a->at == b->at;
}

/* Passes over the records of the current stream or member up to number
 * num - 1, keeping nothing and reporting nothing. @return 1, 0 when the
 * stream ends first (or cannot be read), -1 out of memory (reported). */
static int pass_records(input *in, uint64_t num)
{
    reader *rd = &in->rd;
    int delim = in->fmt == INPUT_JSONL ? '\n' : in->fmt == INPUT_NUL ? 0 : -1;
    while (in->lineno + 1 < num) {
        if (in->wr) {
            warc_doc d;
            const char *why;
            int rc = warc_next(in->wr, &d, &why);
            if (rc == WARC_ENOMEM) {
                diag("%s: out of memory", safe(in->s_name));
                return -1;
            }
            if (rc == WARC_END || rc == WARC_BAD || rc == WARC_EREAD)
                return 0;
            in->lineno = d.number;
            continue;
        }
        int got = next_record(rd, delim, 0);   /* max 0: drained, not kept */
        count_bytes(in);
        if (got < 0 && errno == ENOMEM) {
            diag("%s: out of memory", safe(in->s_name));
            return -1;
        }
        if (got <= 0)
            return 0;
        in->lineno++;
    }
    return 1;
}

/* Moves the file being read as it is (no libarchive) to byte at, where
 * record num starts. @return 1, or 0 when it cannot seek. */
static int jump(input *in, uint64_t at, uint64_t num)
{
    reader *rd = &in->rd;
    if (lseek(rd->fd, (off_t)at, SEEK_SET) < 0)
        return 0;
    rd->start = rd->end = 0;
    rd->base = at;
    rd->eof = rd->failed = 0;
    in->lineno = num - 1;
    if (in->wr)
        warc_restart(in->wr, at, num - 1);
    return 1;
}

/* Records nearer than this are reached by reading on, farther ones (in a
 * file read as it is) by seeking to their offset. */
#define PASS_MAX 64

int input_seek(input *in, const char *path, const record_loc *loc)
{
    record_free(&in->carry);
    in->has_carry = 0;
    uint64_t member = in->members ? in->m_index : 0;
    int same = in->in_stream && !in->s_stdin && in->paths.n == 1 &&
               strcmp(in->paths.v[0], path) == 0;
    int ahead = same && (loc->member > member ||
                         (loc->member == member && loc->num > in->lineno &&
                          (member == 0 || in->m_sub)));
    if (!ahead) {
        end_stream(in);
        char *p = strdup(path);
        if (!p || (in->paths.n == 0 && pathlist_push(&in->paths, p) < 0)) {
            free(p);
            diag("%s: out of memory", safe(path));
            return -1;
        }
        if (in->paths.v[0] != p) {
            free(in->paths.v[0]);
            in->paths.v[0] = p;
        }
        in->next = 0;
        if (loc->member == 0 && loc->num == 0)
            return 1;   /* a file read whole: input_next() gives it */
        in->next = 1;
        record r = {0};
        int got = next_file(in, 0, &r);
        record_free(&r);
        if (got != 0 || !in->in_stream)
            return got < 0 ? -1 : 0;   /* now a plain file, or unreadable */
    }
    if (loc->member) {
        if (!in->members)
            return 0;
        if (in->m_sub && loc->member > in->m_index)
            end_member(in);
        if (!in->m_sub) {
            while (in->m_index + 1 < loc->member) {
                const char *name;
                int64_t size;
                if (in->m_pending)
                    in->m_pending = 0;
                else if (unpack_next(in->up, &name, &size) <= 0)
                    return 0;
                in->m_index++;
            }
            if (loc->num == 0)
                return 1;   /* the member is the document */
            record r = {0};
            int got = next_member(in, &r);
            if (got == 1) {   /* a document, not records: the caller sees it */
                in->carry = r;
                in->has_carry = 1;
                return 1;
            }
            if (got != 2)
                return got;
        }
    }
    if (!in->up && in->s_fd >= 0 && loc->at != INPUT_NO_OFFSET &&
        (!ahead || loc->num - in->lineno > PASS_MAX))
        return jump(in, loc->at, loc->num);
    return pass_records(in, loc->num);
}

int input_parse_format(const char *arg, input_format *f)
{
    static const struct { const char *name; input_format f; } fmts[] = {
        {"jsonl", INPUT_JSONL}, {"nul", INPUT_NUL}, {"text", INPUT_TEXT},
        {"auto", INPUT_AUTO}
    };
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
        if (strcmp(arg, fmts[i].name) == 0) {
            *f = fmts[i].f;
            return 0;
        }
    diag("--input: expected jsonl, nul, text or auto, got '%s'", safe(arg));
    return -1;
}
