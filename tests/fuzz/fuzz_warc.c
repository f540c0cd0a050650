/*
 * fuzz_warc.c - fuzz target for the WARC record reader of the input layer
 * (src/cli/warc.c, compiled in by the Makefile): the input is read as a
 * WARC stream from memory, handed over in pieces of varying size, with a
 * small record limit, a middle one and a large one. HTTP bodies with
 * content and transfer codings (gzip, deflate zlib-wrapped and raw, br,
 * chunked, several in a row) are decoded through zlib and libbrotlidec;
 * the corpus has each, truncated ones and small bombs.
 *
 * Checks, beyond "no crash, no hang": a document's body, as read or
 * decoded, is NUL-terminated at its length, which is at most the record
 * limit, a skip or an error
 * comes with a reason, and after the end (or an error) the reader keeps
 * saying so.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

typedef struct src {
    const uint8_t *p;
    size_t n, at, step;
} src;

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
    src *s = ctx;
    size_t k = s->n - s->at;
    if (k > n)
        k = n;
    if (k > s->step)   /* small pieces find bugs at buffer edges */
        k = s->step;
    memcpy(buf, s->p + s->at, k);
    s->at += k;
    s->step = s->step * 7 % 61 + 1;
    return (ssize_t)k;
}

static void run(const uint8_t *data, size_t size, size_t max, size_t step)
{
    src s = {data, size, 0, step};
    warc *w = warc_new(mem_read, &s, max);
    if (!w)
        return;
    for (int i = 0; i < 100000; i++) {
        warc_doc d;
        const char *why;
        int rc = warc_next(w, &d, &why);
        CHECK(why);
        if (rc == WARC_DOC) {
            CHECK(d.body && d.body[d.len] == 0 && d.len <= max);
            CHECK(!d.uri || strlen(d.uri) > 0);
            CHECK(d.html >= -1 && d.html <= 1);
        } else if (rc == WARC_SKIP || rc == WARC_FAILED || rc == WARC_BAD) {
            CHECK(*why);
        }
        if (rc == WARC_END || rc < 0) {
            CHECK(warc_next(w, &d, &why) == WARC_END);
            break;
        }
    }
    warc_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, 1 << 20, 65536);
    run(data, size, 4096, 1000);
    run(data, size, 64, 3);
    /* the chunked-body joiner on its own */
    char *b = malloc(size + 1);
    if (b) {
        memcpy(b, data, size);
        b[size] = 0;
        size_t n = size;
        if (warc_dechunk(b, &n) == 0)
            CHECK(n <= size && b[n] == 0);
        free(b);
    }
    return 0;
}
