/*
 * warc.h - a reader of WARC files (ISO 28500, WARC 1.0 and 1.1), the
 * format web crawlers archive what they fetched in: one document per
 * "response" or "resource" record, with its target URI and its payload
 * (the HTTP head removed, a chunked body joined, and its content and
 * transfer codings gzip, deflate (zlib-wrapped or raw) and br undone,
 * through zlib and libbrotlidec, to at most max bytes).
 *
 * Pure: it reads through a callback and prints nothing, so the fuzz
 * target (tests/fuzz/fuzz_warc.c) drives it from memory and the input
 * layer from a file, standard input or a decompressed stream. Memory is
 * bounded by the largest record kept (at most max bytes), two decoded
 * bodies of at most max bytes each, and 128 KiB.
 */
#ifndef RP_CLI_WARC_H
#define RP_CLI_WARC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to n bytes into buf. @return bytes read, 0 at the end, -1 on
 * an error. */
typedef ssize_t (*warc_read_fn)(void *ctx, void *buf, size_t n);

/* A document: strings borrowed from the reader until its next call. */
typedef struct warc_doc {
    const char *uri;        /* WARC-Target-URI, angle brackets removed, or
                               NULL when the record has none */
    char *body;             /* the payload, NUL-terminated */
    size_t len;             /* its bytes */
    int html;               /* 1 HTML, 0 plain text, -1 not said (sniff) */
    unsigned long long number;  /* the record's number in the file, from 1 */
    uint64_t offset;        /* where the record starts in the stream */
} warc_doc;

/* What warc_next() found. */
enum {
    WARC_END = 0,     /* no more records */
    WARC_DOC = 1,     /* a document, in *d */
    WARC_SKIP = 2,    /* a response or resource that is no text page
                         (an image, HTTP status 404, a Content-Encoding
                         not known, ...): why says what */
    WARC_OTHER = 3,   /* a record of another type (request, metadata,
                         warcinfo, revisit, ...): no document */
    WARC_FAILED = 4,  /* a response or resource that cannot be read, skipped:
                         larger than max (as it is or once decoded), or a
                         body that cannot be decoded; why says what */
    WARC_BAD = -1,    /* not WARC, or a malformed or truncated record: why
                         says what; reading stops there */
    WARC_EREAD = -2,  /* the callback failed */
    WARC_ENOMEM = -3  /* out of memory */
};

typedef struct warc warc;

/* @return a reader pulling bytes from fn(ctx, ...), keeping records of at
 * most max bytes, or NULL when out of memory. Free with warc_free. */
warc *warc_new(warc_read_fn fn, void *ctx, size_t max);
void warc_free(warc *w);

/* Reads the next record. d->number and d->offset are set for every
 * result but WARC_END.
 * @param why  receives a reason (borrowed like d's strings) for
 *             WARC_SKIP, WARC_FAILED and WARC_BAD, else ""
 * @return one of the WARC_* values above. After WARC_BAD, WARC_EREAD or
 *         WARC_ENOMEM every call returns WARC_END. */
int warc_next(warc *w, warc_doc *d, const char **why);

/* Goes on reading from byte pos of the stream, where record number + 1
 * starts, after the caller has moved its source there (to read a record
 * again from its offset, warc_doc.offset): drops what is buffered and
 * clears the end of the stream. */
void warc_restart(warc *w, uint64_t pos, unsigned long long number);

/* Joins a body sent with "Transfer-Encoding: chunked" in place.
 * @return 0 and the joined length in *n, or -1 when it is malformed. */
int warc_dechunk(char *body, size_t *n);

#endif
