/*
 * warc.c - the WARC record reader of the input layer (see warc.h).
 *
 * A WARC file is a sequence of records (ISO 28500:2017, section 5):
 *
 *     WARC/1.1 CRLF                     version line (1.0 and 1.1 alike)
 *     Name: value CRLF ...              named fields; a line that starts
 *                                       with a space or tab continues the
 *                                       field before it
 *     CRLF
 *     block of Content-Length bytes
 *     CRLF CRLF
 *
 * A "response" record's block is the HTTP response as received (status
 * line, headers, body); a "resource" record's block is the resource
 * itself, its type in the record's Content-Type. WARC 1.0 writes
 * WARC-Target-URI in angle brackets (its grammar says "<" uri ">"), as
 * wget still does; WARC 1.1 writes it bare. Both are read. Lines ending in
 * a bare LF are taken too, and blank lines between records are skipped.
 *
 * The reader keeps one record's head (at most HEAD_MAX bytes) and, for a
 * response or resource record of at most max bytes, its block. A larger
 * block, or the block of any other record, is read through and dropped
 * without being kept.
 */
#define _POSIX_C_SOURCE 200809L
#include "warc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>

#define CHUNK ((size_t)64 << 10)
#define HEAD_MAX ((size_t)64 << 10)
#define CODINGS_MAX 4       /* content and transfer codings undone, at most */

struct warc {
    warc_read_fn fn;
    void *ctx;
    size_t max;
    char *buf;              /* CHUNK bytes; data in [start, end) */
    size_t start, end;
    int eof, done;
    uint64_t pos;           /* bytes of the stream consumed */
    uint64_t rec_start;     /* where the current record starts */
    char *head;             /* the record's head, NUL-terminated */
    size_t hlen;
    char *block;            /* the record's block, NUL-terminated */
    size_t bcap;
    char *dec[2];           /* a decoded body, and the one before it */
    size_t dcap[2];
    unsigned long long number;
    char why[200];
};

warc *warc_new(warc_read_fn fn, void *ctx, size_t max)
{
    warc *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->buf = malloc(CHUNK);
    w->head = malloc(HEAD_MAX + 1);
    if (!w->buf || !w->head) {
        warc_free(w);
        return NULL;
    }
    w->fn = fn;
    w->ctx = ctx;
    w->max = max < SIZE_MAX / 2 ? max : SIZE_MAX / 2;
    return w;
}

void warc_free(warc *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w->head);
    free(w->block);
    free(w->dec[0]);
    free(w->dec[1]);
    free(w);
}

/* Refills the empty buffer. @return bytes, 0 at the end, -1 on an error. */
static ssize_t fill(warc *w)
{
    if (w->eof)
        return 0;
    w->start = w->end = 0;
    ssize_t r = w->fn(w->ctx, w->buf, CHUNK);
    if (r < 0)
        return -1;
    if (r == 0)
        w->eof = 1;
    w->end = (size_t)r;
    return r;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* @return nonzero when the n bytes at s equal the NUL-terminated word,
 * ignoring ASCII case. */
static int same_word(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (n != k)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return 0;
    return 1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* A field of a head: [name, name + nlen) and [value, value + vlen). */
typedef struct field {
    const char *name, *value;
    size_t nlen, vlen;
} field;

/* Gives the next field of the head text at *p (lines ending in LF or
 * CRLF, up to end) in *f, its value trimmed; a continuation line is part
 * of the value (which then holds the line break).
 * @return 1 for a field, 0 at the end, -1 for a line without a colon. */
static int next_field(const char **p, const char *end, field *f)
{
    const char *s = *p;
    while (s < end && (*s == '\r' || *s == '\n'))
        s++;
    if (s >= end)
        return 0;
    const char *e = s;
    for (;;) {   /* the end of the field: a line break not followed by SP/HT */
        const char *nl = memchr(e, '\n', (size_t)(end - e));
        if (!nl) {
            e = end;
            break;
        }
        e = nl + 1;
        if (e >= end || !is_space(*e))
            break;
    }
    *p = e;
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon)
        return -1;
    f->name = s;
    f->nlen = (size_t)(colon - s);
    while (f->nlen && is_space(s[f->nlen - 1]))
        f->nlen--;
    const char *v = colon + 1, *ve = e;
    while (v < ve && (is_space(*v) || *v == '\r' || *v == '\n'))
        v++;
    while (ve > v && (is_space(ve[-1]) || ve[-1] == '\r' || ve[-1] == '\n'))
        ve--;
    f->value = v;
    f->vlen = (size_t)(ve - v);
    return 1;
}

/* @return the media type of a Content-Type value (before ';', trimmed)
 * in *len, from s. */
static const char *media_type(const char *s, size_t n, size_t *len)
{
    size_t k = 0;
    while (k < n && s[k] != ';')
        k++;
    while (k && is_space(s[k - 1]))
        k--;
    *len = k;
    return s;
}

/* Parses an unsigned decimal. @return 0, or -1 when it is not one. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int warc_dechunk(char *body, size_t *n)
{
    size_t in = 0, out = 0, len = *n;
    for (;;) {
        uint64_t size = 0;
        size_t digits = 0;
        while (in < len) {
            char c = body[in];
            int d = c >= '0' && c <= '9' ? c - '0' : lower((unsigned char)c) >= 'a' &&
                    lower((unsigned char)c) <= 'f' ? lower((unsigned char)c) - 'a' + 10 : -1;
            if (d < 0)
                break;
            if (size > (UINT64_MAX >> 4))
                return -1;
            size = size * 16 + (uint64_t)d;
            digits++;
            in++;
        }
        if (digits == 0)
            return -1;
        const char *nl = memchr(body + in, '\n', len - in);   /* extensions */
        if (!nl)
            return -1;
        in = (size_t)(nl - body) + 1;
        if (size == 0)
            break;   /* trailers, if any, are dropped */
        if (size > len - in)
            return -1;
        memmove(body + out, body + in, (size_t)size);
        out += (size_t)size;
        in += (size_t)size;
        if (in < len && body[in] == '\r')
            in++;
        if (in < len && body[in] == '\n')
            in++;
    }
    body[out] = 0;
    *n = out;
    return 0;
}

/* Reads the head of the next record into w->head (up to and without the
 * blank line that ends it). @return 1, 0 at the end of the stream, or a
 * WARC_* error (w->why set for WARC_BAD). */
static int read_head(warc *w)
{
    /* blank lines between records */
    for (;;) {
        if (w->start == w->end) {
            ssize_t r = fill(w);
            if (r < 0)
                return WARC_EREAD;
            if (r == 0)
                return 0;
        }
        char c = w->buf[w->start];
        if (c != '\r' && c != '\n')
            break;
        w->start++;
        w->pos++;
    }
    w->rec_start = w->pos;
    w->hlen = 0;
    int nl = 0;   /* line breaks in a row, CRs not counted */
    for (;;) {
        if (w->start == w->end) {
            ssize_t r = fill(w);
            if (r < 0)
                return WARC_EREAD;
            if (r == 0) {
                if (w->hlen < 5 || memcmp(w->head, "WARC/", 5) != 0)
                    snprintf(w->why, sizeof w->why, "not a WARC record (no WARC/1.x line)");
                else
                    snprintf(w->why, sizeof w->why, "truncated record head");
                return WARC_BAD;
            }
        }
        char c = w->buf[w->start++];
        w->pos++;
        if (c == '\n') {
            if (++nl == 2)
                break;
        } else if (c != '\r') {
            nl = 0;
        }
        if (w->hlen == HEAD_MAX) {
            snprintf(w->why, sizeof w->why, "record head longer than %zu KiB", HEAD_MAX >> 10);
            return WARC_BAD;
        }
        w->head[w->hlen++] = c;
    }
    w->head[w->hlen] = 0;
    return 1;
}

/* Reads n bytes of the block into w->block when keep, else drops them.
 * @return 1, or a WARC_* error. */
static int read_block(warc *w, uint64_t n, int keep)
{
    if (keep) {
        if ((size_t)n + 1 > w->bcap) {
            char *b = realloc(w->block, (size_t)n + 1);
            if (!b)
                return WARC_ENOMEM;
            w->block = b;
            w->bcap = (size_t)n + 1;
        }
    }
    uint64_t got = 0;
    while (got < n) {
        if (w->start == w->end) {
            ssize_t r = fill(w);
            if (r < 0)
                return WARC_EREAD;
            if (r == 0) {
                snprintf(w->why, sizeof w->why, "truncated record: %llu of %llu bytes",
                         (unsigned long long)got, (unsigned long long)n);
                return WARC_BAD;
            }
        }
        size_t k = w->end - w->start;
        if (k > n - got)
            k = (size_t)(n - got);
        if (keep)
            memcpy(w->block + got, w->buf + w->start, k);
        w->start += k;
        w->pos += k;
        got += k;
    }
    if (keep)
        w->block[n] = 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* HTTP content and transfer codings                                   */
/* ------------------------------------------------------------------ */

/* A decoded body being written: at most max bytes, plus its NUL. */
typedef struct sink {
    char **p;
    size_t *cap;
    size_t len, max;
} sink;

#define TOO_LARGE "larger than --max-bytes once decoded"

/* Makes room for more output in o. @return 0, or a WARC_* error (w->why
 * set for WARC_FAILED) when the output would pass max. */
static int sink_grow(warc *w, sink *o)
{
    if (*o->cap > o->max + 1) {
        snprintf(w->why, sizeof w->why, TOO_LARGE);
        return WARC_FAILED;
    }
    size_t nc = *o->cap < CHUNK ? CHUNK : *o->cap * 2;
    if (nc > o->max + 2 || nc < *o->cap)
        nc = o->max + 2;
    char *b = realloc(*o->p, nc);
    if (!b)
        return WARC_ENOMEM;
    *o->p = b;
    *o->cap = nc;
    return 0;
}

/* @return bytes free for a decoder in o (its NUL kept aside), at most
 * UINT_MAX, growing o first when it is full; 0 with *rc set on an error. */
static size_t sink_room(warc *w, sink *o, int *rc)
{
    if (o->len + 1 >= *o->cap && (*rc = sink_grow(w, o)) != 0)
        return 0;
    size_t k = *o->cap - 1 - o->len;
    return k > UINT_MAX ? UINT_MAX : k;
}

/* Inflates the n bytes at in into o: a zlib stream (bits 15), a gzip
 * stream or several one after the other (bits 31), or raw deflate (bits
 * -15). @return 0, or a WARC_* error (w->why set). */
static int inflate_body(warc *w, const char *in, size_t n, int bits, sink *o)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, bits) != Z_OK)
        return WARC_ENOMEM;
    int rc = 0;
    size_t left = n;
    z.next_in = (Bytef *)in;
    for (;;) {
        size_t room = sink_room(w, o, &rc);
        if (rc)
            break;
        if (z.avail_in == 0) {
            z.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
            left -= z.avail_in;
        }
        z.next_out = (Bytef *)*o->p + o->len;
        z.avail_out = (uInt)room;
        int zr = inflate(&z, Z_NO_FLUSH);
        o->len += room - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (bits > 15 && (z.avail_in || left) && z.next_in[0] == 0x1f &&
                inflateReset(&z) == Z_OK)
                continue;   /* the next gzip member */
            break;           /* (what follows the stream is dropped) */
        }
        if (zr == Z_MEM_ERROR) {
            rc = WARC_ENOMEM;
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(w->why, sizeof w->why, "cannot decode the body: %s",
                     z.msg ? z.msg : "corrupt data");
            rc = WARC_FAILED;
            break;
        }
        if (z.avail_out && z.avail_in == 0 && left == 0) {
            snprintf(w->why, sizeof w->why, "cannot decode the body: truncated data");
            rc = WARC_FAILED;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* Decodes the n bytes of brotli at in into o. @return 0, or a WARC_*
 * error (w->why set). */
static int unbrotli(warc *w, const char *in, size_t n, sink *o)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return WARC_ENOMEM;
    const uint8_t *next_in = (const uint8_t *)in;
    size_t avail_in = n;
    int rc = 0;
    for (;;) {
        size_t room = sink_room(w, o, &rc);
        if (rc)
            break;
        uint8_t *next_out = (uint8_t *)*o->p + o->len;
        size_t avail_out = room;
        BrotliDecoderResult r =
            BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
        o->len += room - avail_out;
        if (r == BROTLI_DECODER_RESULT_SUCCESS)
            break;
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
            if (avail_out && (rc = sink_grow(w, o)) != 0)
                break;
            continue;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            snprintf(w->why, sizeof w->why, "cannot decode the body: truncated data");
        } else {
            BrotliDecoderErrorCode e = BrotliDecoderGetErrorCode(s);
            if (e == BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES ||
                (e <= BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS && e >= BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2)) {
                rc = WARC_ENOMEM;
                break;
            }
            snprintf(w->why, sizeof w->why, "cannot decode the body: brotli: %s",
                     BrotliDecoderErrorString(e));
        }
        rc = WARC_FAILED;
        break;
    }
    BrotliDecoderDestroyInstance(s);
    return rc;
}

/* A coding named in a Content-Encoding or Transfer-Encoding list. */
typedef struct coding {
    const char *s;
    size_t n;
} coding;

/* Adds the codings of a list value ("gzip, chunked") to c[*k], leaving
 * out identity and chunked (undone first, before the others: *chunked is
 * set). @return 0, or -1 when there are more than CODINGS_MAX. */
static int add_codings(const char *v, size_t vlen, coding *c, size_t *k, int *chunked)
{
    const char *end = v + vlen;
    while (v < end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *e = comma ? comma : end, *t = e;
        const char *semi = memchr(v, ';', (size_t)(e - v));   /* parameters */
        if (semi)
            t = semi;
        while (v < t && (is_space(*v) || *v == '\r' || *v == '\n'))
            v++;
        while (t > v && (is_space(t[-1]) || t[-1] == '\r' || t[-1] == '\n'))
            t--;
        if (same_word(v, (size_t)(t - v), "chunked")) {
            *chunked = 1;
        } else if (t > v && !same_word(v, (size_t)(t - v), "identity")) {
            if (*k == CODINGS_MAX)
                return -1;
            c[(*k)++] = (coding){v, (size_t)(t - v)};
        }
        v = comma ? comma + 1 : end;
    }
    return 0;
}

/* Undoes the codings c[0, k) (applied in that order) on d->body and
 * d->len, into w->dec. @return WARC_DOC, WARC_SKIP for a coding that is
 * not known, or a WARC_* error (w->why set). */
static int decode_body(warc *w, const coding *c, size_t k, warc_doc *d)
{
    for (size_t i = k; i-- > 0;) {
        int slot = d->body == w->dec[0];   /* the buffer not being read */
        sink o = {&w->dec[slot], &w->dcap[slot], 0, w->max};
        const char *s = c[i].s;
        size_t n = c[i].n;
        const unsigned char *b = (const unsigned char *)d->body;
        int rc;
        if (same_word(s, n, "gzip") || same_word(s, n, "x-gzip")) {
            rc = inflate_body(w, d->body, d->len, 15 + 32, &o);   /* (or zlib) */
        } else if (same_word(s, n, "deflate")) {
            /* RFC 9110 says zlib-wrapped; some servers send it raw */
            int zlib = d->len >= 2 && (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 &&
                       (b[0] * 256u + b[1]) % 31 == 0;
            rc = inflate_body(w, d->body, d->len, zlib ? 15 : -15, &o);
        } else if (same_word(s, n, "br")) {
            rc = unbrotli(w, d->body, d->len, &o);
        } else {
            snprintf(w->why, sizeof w->why, "Content-Encoding %.*s", (int)(n < 40 ? n : 40), s);
            for (char *p = w->why; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                    *p = '?';
            return WARC_SKIP;
        }
        if (rc)
            return rc;
        if (o.len > w->max) {
            snprintf(w->why, sizeof w->why, TOO_LARGE);
            return WARC_FAILED;
        }
        w->dec[slot][o.len] = 0;
        d->body = w->dec[slot];
        d->len = o.len;
    }
    return WARC_DOC;
}

/* Splits the HTTP response in w->block[0, n) into its payload (d->body,
 * d->len: de-chunked, its content and transfer codings undone) and its
 * type. @return WARC_DOC, WARC_SKIP or a WARC_* error. */
static int http_payload(warc *w, size_t n, warc_doc *d, const char **ctype, size_t *clen)
{
    char *b = w->block;
    if (n < 12 || memcmp(b, "HTTP/", 5) != 0) {
        snprintf(w->why, sizeof w->why, "not an HTTP response");
        return WARC_SKIP;
    }
    const char *sp = memchr(b, ' ', n < 64 ? n : 64);
    if (!sp || (size_t)(sp - b) + 4 > n || sp[1] < '0' || sp[1] > '9' || sp[2] < '0' ||
        sp[2] > '9' || sp[3] < '0' || sp[3] > '9') {
        snprintf(w->why, sizeof w->why, "malformed HTTP status line");
        return WARC_SKIP;
    }
    if (sp[1] != '2') {
        snprintf(w->why, sizeof w->why, "HTTP status %.3s", sp + 1);
        return WARC_SKIP;
    }
    /* the head ends at the first empty line */
    size_t i = 0, end = 0;
    for (const char *p = b; (p = memchr(p, '\n', n - (size_t)(p - b))) != NULL; p++) {
        size_t at = (size_t)(p - b) + 1;
        if (at < n && b[at] == '\n') {
            i = at + 1;
            end = at;
            break;
        }
        if (at + 1 < n && b[at] == '\r' && b[at + 1] == '\n') {
            i = at + 2;
            end = at;
            break;
        }
    }
    if (!i) {
        snprintf(w->why, sizeof w->why, "HTTP head without its end");
        return WARC_SKIP;
    }
    const char *line = memchr(b, '\n', end);
    const char *p = line ? line + 1 : b + end;
    field f;
    int chunked = 0, r;
    /* content codings, then transfer codings: applied in that order */
    coding ce[CODINGS_MAX], te[CODINGS_MAX];
    size_t nce = 0, nte = 0;
    *ctype = NULL;
    *clen = 0;
    while ((r = next_field(&p, b + end, &f)) != 0) {
        if (r < 0)
            continue;
        int many = 0;
        if (same_word(f.name, f.nlen, "Content-Type")) {
            *ctype = f.value;
            *clen = f.vlen;
        } else if (same_word(f.name, f.nlen, "Transfer-Encoding")) {
            many = add_codings(f.value, f.vlen, te, &nte, &chunked);
        } else if (same_word(f.name, f.nlen, "Content-Encoding")) {
            int no = 0;
            many = add_codings(f.value, f.vlen, ce, &nce, &no);
        }
        if (many || nce + nte > CODINGS_MAX) {
            snprintf(w->why, sizeof w->why, "more than %d content and transfer codings",
                     CODINGS_MAX);
            return WARC_FAILED;
        }
    }
    d->body = b + i;
    d->len = n - i;
    if (chunked && warc_dechunk(d->body, &d->len) < 0) {
        snprintf(w->why, sizeof w->why, "malformed chunked HTTP body");
        return WARC_FAILED;
    }
    memcpy(ce + nce, te, nte * sizeof *te);
    return decode_body(w, ce, nce + nte, d);
}

/* Sets d->html from a Content-Type (NULL: none).
 * @return WARC_DOC, or WARC_SKIP for a type that is no text page. */
static int classify(warc *w, const char *ctype, size_t clen, warc_doc *d)
{
    if (!ctype || clen == 0) {
        d->html = -1;
        return WARC_DOC;
    }
    size_t k;
    const char *m = media_type(ctype, clen, &k);
    if (same_word(m, k, "text/html") || same_word(m, k, "application/xhtml+xml")) {
        d->html = 1;
        return WARC_DOC;
    }
    if (same_word(m, k, "text/plain")) {
        d->html = 0;
        return WARC_DOC;
    }
    snprintf(w->why, sizeof w->why, "not text (%.*s)", (int)(k < 60 ? k : 60), m);
    for (char *s = w->why; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
    return WARC_SKIP;
}

void warc_restart(warc *w, uint64_t pos, unsigned long long number)
{
    w->start = w->end = 0;
    w->eof = w->done = 0;
    w->pos = pos;
    w->number = number;
}

int warc_next(warc *w, warc_doc *d, const char **why)
{
    memset(d, 0, sizeof *d);
    w->why[0] = 0;
    *why = w->why;
    if (w->done)
        return WARC_END;
    int rc = read_head(w);
    if (rc == 0) {
        w->done = 1;
        return WARC_END;
    }
    d->number = ++w->number;
    d->offset = w->rec_start;
    if (rc < 0)
        goto fail;
    /* the version line */
    const char *h = w->head, *hend = w->head + w->hlen;
    const char *eol = memchr(h, '\n', w->hlen);
    size_t vl = eol ? (size_t)(eol - h) : w->hlen;
    while (vl && h[vl - 1] == '\r')
        vl--;
    size_t dig = 5;
    while (dig < vl && h[dig] >= '0' && h[dig] <= '9')
        dig++;
    if (vl < 8 || memcmp(h, "WARC/", 5) != 0 || dig == 5 || dig >= vl || h[dig] != '.') {
        snprintf(w->why, sizeof w->why, "not a WARC record (no WARC/1.x line)");
        rc = WARC_BAD;
        goto fail;
    }
    const char *type = NULL, *uri = NULL, *ctype = NULL, *length = NULL;
    size_t tlen = 0, ulen = 0, clen = 0, llen = 0;
    int segmented = 0;
    const char *p = eol ? eol + 1 : hend;
    field f;
    int r;
    while ((r = next_field(&p, hend, &f)) != 0) {
        if (r < 0) {
            snprintf(w->why, sizeof w->why, "malformed record head (a line without ':')");
            rc = WARC_BAD;
            goto fail;
        }
        if (same_word(f.name, f.nlen, "WARC-Type"))
            type = f.value, tlen = f.vlen;
        else if (same_word(f.name, f.nlen, "WARC-Target-URI"))
            uri = f.value, ulen = f.vlen;
        else if (same_word(f.name, f.nlen, "Content-Type"))
            ctype = f.value, clen = f.vlen;
        else if (same_word(f.name, f.nlen, "Content-Length"))
            length = f.value, llen = f.vlen;
        else if (same_word(f.name, f.nlen, "WARC-Segment-Number"))
            segmented = 1;
    }
    uint64_t n;
    if (!length || parse_u64(length, llen, &n) < 0) {
        snprintf(w->why, sizeof w->why, "record without a valid Content-Length");
        rc = WARC_BAD;
        goto fail;
    }
    int response = type && same_word(type, tlen, "response");
    int resource = type && same_word(type, tlen, "resource");
    int wanted = (response || resource) && !segmented;
    int keep = wanted && n <= w->max && n < SIZE_MAX;
    rc = read_block(w, n, keep);
    if (rc < 0)
        goto fail;
    if (!wanted)
        return WARC_OTHER;
    if (!keep) {
        snprintf(w->why, sizeof w->why, "record larger than --max-bytes (%llu bytes)",
                 (unsigned long long)n);
        return WARC_FAILED;
    }
    if (uri) {   /* WARC 1.0 writes it as <uri> */
        if (ulen >= 2 && uri[0] == '<' && uri[ulen - 1] == '>') {
            uri++;
            ulen -= 2;
        }
        ((char *)uri)[ulen] = 0;   /* inside the head: ends the value */
        d->uri = *uri ? uri : NULL;
        /* what the crawler says about its crawl (wget's metadata://
         * resources: its arguments, its log) is no document */
        if (ulen >= 9 && same_word(uri, 9, "metadata:"))
            return WARC_OTHER;
    }
    if (response) {
        size_t ml;
        const char *mt = ctype ? media_type(ctype, clen, &ml) : NULL;
        if (mt && same_word(mt, ml, "application/http")) {
            rc = http_payload(w, (size_t)n, d, &ctype, &clen);
            if (rc == WARC_ENOMEM)
                goto fail;
            if (rc != WARC_DOC)
                return rc;
            return classify(w, ctype, clen, d);
        }
    }
    d->body = w->block;
    d->len = (size_t)n;
    return classify(w, ctype, clen, d);
fail:
    w->done = 1;
    return rc;
}
