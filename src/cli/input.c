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
 * A record's ref says where its text can be found again: the index of its
 * file in the list, or (top bit set) the offset of its copy in the spool,
 * an unlinked temporary file in $TMPDIR of [8-byte length][text] entries,
 * written with pwrite and read back with pread, so that reloads from other
 * threads need no lock.
 */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonl.h"
#include "output.h"
#include "reprint.h"
#include "../util.h"

#define CHUNK ((size_t)64 << 10)
#define STDIN_REF ((uint64_t)1 << 63)
#define PROGRESS_AFTER 1.0   /* seconds before a progress line appears */
#define PROGRESS_EVERY 0.25

/* A buffered reader of records from a file descriptor. */
typedef struct reader {
    int fd;
    char *buf;             /* CHUNK bytes; data in [start, end) */
    size_t start, end;
    int eof;
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
    /* stdin */
    int in_stdin;          /* reading records from stdin now */
    int stdin_done;
    input_format fmt;
    reader rd;
    jsonl *jp;
    unsigned long long lineno;
    FILE *spool;
    uint64_t spool_end;
    record carry;          /* taken for a batch that was full */
    int has_carry;
};

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

void record_free(record *r)
{
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

/* Reads more into an empty buffer. @return bytes, 0 at the end, -1. */
static ssize_t fill(reader *rd)
{
    if (rd->eof)
        return 0;
    for (;;) {
        ssize_t r = read(rd->fd, rd->buf + rd->end, CHUNK - rd->end);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            rd->eof = 1;
        if (r > 0)
            rd->end += (size_t)r;
        return r;
    }
}

/* Reads the next record, up to delim (or to the end when delim < 0), into
 * rd->rec. A record longer than max is drained and flagged toolong.
 * @return 1 for a record, 0 at the end, -1 on a read error (errno). */
static int next_record(reader *rd, int delim, size_t max, uint64_t *bytes)
{
    int any = 0;
    rd->len = 0;
    rd->toolong = 0;
    for (;;) {
        if (rd->start == rd->end) {
            rd->start = rd->end = 0;
            ssize_t r = fill(rd);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
            *bytes += (uint64_t)r;
        }
        any = 1;
        char *p = rd->buf + rd->start;
        size_t avail = rd->end - rd->start;
        char *d = delim >= 0 ? memchr(p, delim, avail) : NULL;
        size_t n = d ? (size_t)(d - p) : avail;
        if (!rd->toolong && rd->len + n > max) {
            rd->toolong = 1;
            rd->len = 0;
        }
        if (!rd->toolong && n) {
            if (rp_grow(&rd->rec, &rd->cap, rd->len + n + 1, 1) < 0) {
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
    if (!rd->rec && rp_grow(&rd->rec, &rd->cap, 1, 1) < 0) {
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
        if (r < 0)
            return -1;
        in->bytes += (uint64_t)r;
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
        if (r < 0)
            return -1;
        in->bytes += (uint64_t)r;
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

static int start_stdin(input *in)
{
    reader *rd = &in->rd;
    rd->fd = STDIN_FILENO;
    rd->buf = malloc(CHUNK);
    if (!rd->buf) {
        diag("stdin: out of memory");
        return -1;
    }
    in->in_stdin = 1;
    in->fmt = in->o.format;
    if (skip_bom(in) < 0) {
        diag("stdin: cannot read: %s", strerror(errno));
        in->skipped++;
        in->in_stdin = 0;
        return 0;
    }
    if (in->fmt == INPUT_AUTO) {
        if (detect(in) < 0) {
            diag("stdin: cannot read: %s", strerror(errno));
            in->skipped++;
            in->in_stdin = 0;
            return 0;
        }
        if (in->o.verbose)
            diag("stdin: reading %s (detected)", format_name(in->fmt));
    } else if (in->o.verbose) {
        diag("stdin: reading %s", format_name(in->fmt));
    }
    if (in->fmt == INPUT_JSONL) {
        in->jp = jsonl_new(in->o.id_field ? in->o.id_field : "id",
                           in->o.text_field ? in->o.text_field : "text");
        if (!in->jp) {
            diag("stdin: out of memory");
            return -1;
        }
    }
    if (in->o.spool && open_spool(in) < 0)
        return -1;
    return 0;
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
        diag("stdin: cannot write the temporary file: %s", strerror(errno));
        return 0;
    }
    in->spool_end += sizeof len + len;
    return STDIN_REF | at;
}

/* Fills r from a stdin record of raw text (id and where already set):
 * prepares it, spools it. @return 1 kept, 0 skipped (reported), -1. */
static int finish_stdin_record(input *in, record *r, const char *raw, size_t n)
{
    int rc = rp_text_prepare(raw, n, RP_TEXT_SNIFF_HTML, &r->text, &r->len);
    if (rc != RP_OK) {
        if (rc == RP_ENOMEM) {
            diag("%s: out of memory", r->where);
            return -1;
        }
        if (!(rc == RP_EBINARY && in->o.quiet_skip)) {
            diag("%s: skipped: %s", r->where, rp_strerror(rc));
            in->skipped++;
        }
        return 0;
    }
    r->size = n;
    r->ref = STDIN_REF | in->spool_end;
    if (in->spool) {
        if (!spool_put(in, r->text, r->len, "", 0))
            return -1;
    } else {
        in->spool_end++;   /* a sequence number: not reloadable */
    }
    return 1;
}

/* @return a malloc'd prefix followed by n in decimal, or NULL. */
static char *numbered(const char *prefix, unsigned long long n)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%s%llu", prefix, n);
    return strdup(buf);
}

/* @return 1 for a record, 0 when stdin is done, -1 on a fatal error. */
static int next_stdin(input *in, record *r)
{
    reader *rd = &in->rd;
    int delim = in->fmt == INPUT_JSONL ? '\n' : in->fmt == INPUT_NUL ? 0 : -1;
    for (;;) {
        uint64_t bytes = 0;
        int got = next_record(rd, delim, in->o.max_bytes, &bytes);
        in->bytes += bytes;
        if (got < 0) {
            if (errno == ENOMEM) {
                diag("stdin: out of memory");
                return -1;
            }
            diag("stdin: cannot read: %s", strerror(errno));
            in->skipped++;
            return 0;
        }
        if (got == 0 && !(in->fmt == INPUT_TEXT && in->lineno == 0)) {
            size_t count;
            const char *why;
            for (size_t i = 0; in->jp && (why = jsonl_reason(in->jp, i, &count)); i++)
                if (count > 1)
                    diag("stdin: %zu lines skipped in all: %s", count, why);
            return 0;   /* (empty stdin is still one, empty, text) */
        }
        in->lineno++;
        if (rd->toolong) {
            if (in->fmt == INPUT_TEXT)
                diag("stdin: skipped: larger than --max-bytes");
            else
                diag("stdin:%llu: skipped: %s longer than --max-bytes", in->lineno,
                     in->fmt == INPUT_JSONL ? "line" : "record");
            in->skipped++;
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
                if (jsonl_repeat(in->jp) == 0)   /* a field error: once */
                    diag("stdin:%llu: %s", in->lineno, why);
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
                    diag("stdin:%llu: empty text", in->lineno);
                    in->skipped++;
                }
                continue;   /* white space after the last NUL is no record */
            }
            r->id = numbered("", in->lineno);
        } else {
            r->id = strdup("-");
        }
        r->where = in->fmt == INPUT_TEXT ? strdup("stdin") : numbered("stdin:", in->lineno);
        if (!r->id || !r->where) {
            diag("stdin: out of memory");
            return -1;
        }
        if (in->o.raw && in->spool) {
            /* with its terminator: a newline, a NUL (the "" string's) */
            const char *tail = in->fmt == INPUT_JSONL ? "\n" : "";
            size_t nt = in->fmt == INPUT_TEXT ? 0 : 1;
            if (!(r->raw = spool_put(in, rd->rec, rd->len, tail, nt)))
                return -1;
        }
        int rc = finish_stdin_record(in, r, raw, n);
        if (rc != 0)
            return rc;
        record_free(r);
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
    *why = in ? read_stdin(max, &buf, &n) : read_file(path, max, &buf, &n);
    if (*why)
        return 1;
    if (info) {
        info->bytes = n;
        if (info->detail)
            info->enc = rp_text_encoding(buf, n);
    }
    int rc = rp_text_prepare(buf, n, !in && is_html_name(path) ? RP_TEXT_HTML
                                                                : RP_TEXT_SNIFF_HTML,
                             text, len);
    if (rc == RP_OK && info && info->detail)
        info->same = *len == n && memcmp(*text, buf, n) == 0;
    free(buf);
    return rc;
}

int input_load(input *in, record *r, char *msg, size_t cap)
{
    const char *why;
    text_info ti = {0, in->o.verbose, RP_ENC_UTF8, 0};
    msg[0] = 0;
    /* no more than the size the batch was counted with */
    size_t max = r->size < in->o.max_bytes ? (size_t)r->size : in->o.max_bytes;
    int rc = input_read_text(in->paths.v[r->ref], max, &r->text, &r->len, &ti, &why);
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

/* @return 1 for a record, 0 when the file was skipped, -1 fatal. */
static int next_file(input *in, size_t i, record *r)
{
    const char *path = in->paths.v[i];
    if (in->o.verbose)
        diag("%s: reading", safe(path));
    r->id = strdup(path);
    if (!r->id) {
        diag("%s: out of memory", safe(path));
        return -1;
    }
    r->ref = i;
    struct stat st;
    r->size = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
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

input *input_open(char **paths, int npaths, const input_opts *o)
{
    input *in = calloc(1, sizeof *in);
    if (!in) {
        diag("out of memory");
        return NULL;
    }
    in->o = *o;
    in->t0 = rp_now();
    in->progress_tty = isatty(STDERR_FILENO);
    if (in->o.progress < 0)
        in->o.progress = in->progress_tty;
    int dash = 0;
    for (int i = 0; i < npaths; i++) {
        if (strcmp(paths[i], "-") == 0) {
            if (dash++) {
                diag("-: standard input given more than once");
                goto fail;
            }
            if (isatty(STDIN_FILENO)) {
                diag("stdin is a terminal");
                goto fail;
            }
            char *d = strdup("-");
            if (!d || pathlist_push(&in->paths, d) < 0) {
                free(d);
                diag("out of memory");
                goto fail;
            }
            continue;
        }
        size_t before = in->paths.n;
        if (walk_path(paths[i], &in->o.walk, &in->paths, &in->skipped) < 0)
            goto fail;
        in->files += in->paths.n - before;
    }
    in->walk = rp_now() - in->t0;
    return in;
fail:
    input_close(in);
    return NULL;
}

static void progress(input *in)
{
    if (!in->o.progress)
        return;
    double now = rp_now(), t = now - in->t0;
    if (t < PROGRESS_AFTER || now - in->shown < PROGRESS_EVERY)
        return;
    in->shown = now;
    double mb = (double)atomic_load(&in->bytes) / 1e6;
    progress_show(in->progress_tty, "reprint: %zu read, %zu skipped, %.1f MB, %.1f MB/s",
                  in->records, in->skipped, mb, mb / t);
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
        if (in->in_stdin) {
            got = next_stdin(in, r);
            if (got == 0)
                in->in_stdin = 0;
        } else {
            if (in->next >= in->paths.n) {
                progress_end();
                return 0;
            }
            size_t i = in->next++;
            if (strcmp(in->paths.v[i], "-") == 0) {
                if (start_stdin(in) < 0)
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
    if (ref & STDIN_REF) {
        uint64_t off = ref & ~STDIN_REF, n;
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

void input_close(input *in)
{
    if (!in)
        return;
    progress_end();
    pathlist_free(&in->paths);
    record_free(&in->carry);
    free(in->rd.buf);
    free(in->rd.rec);
    jsonl_free(in->jp);
    if (in->spool)
        fclose(in->spool);
    free(in);
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
