/*
 * test_warc.c - the WARC record reader of the input layer (src/cli/warc.c):
 * WARC 1.0 and 1.1 records, target URIs with and without angle brackets,
 * HTTP heads removed, chunked bodies joined, content and transfer codings
 * (gzip, deflate zlib-wrapped and raw, br, several in a row) undone and
 * bounded, records that are no document
 * or no text page, the record limit, and malformed or truncated input.
 * The records are written here by hand; tests/cli/t_warc.sh reads files
 * written by wget.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <brotli/encode.h>
#include <zlib.h>

#include "warc.h"

typedef struct src {
    const char *p;
    size_t n, at, step;
} src;

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
    src *s = ctx;
    size_t k = s->n - s->at;
    if (k > n)
        k = n;
    if (k > s->step)
        k = s->step;
    memcpy(buf, s->p + s->at, k);
    s->at += k;
    return (ssize_t)k;
}

/* Appends one record to buf. */
static void add(char *buf, size_t cap, const char *ver, const char *type, const char *uri,
                const char *ctype, const char *block)
{
    size_t k = strlen(buf);
    snprintf(buf + k, cap - k, "WARC/%s\r\nWARC-Type: %s\r\n%s%s%s%s%s%sContent-Length: %zu\r\n\r\n%s\r\n\r\n",
             ver, type, uri ? "WARC-Target-URI: " : "", uri ? uri : "", uri ? "\r\n" : "",
             ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
             strlen(block), block);
}

#define HTTP "application/http; msgtype=response"

static void test_records(void **state)
{
    (void)state;
    static char buf[8192];
    buf[0] = 0;
    add(buf, sizeof buf, "1.0", "warcinfo", NULL, "application/warc-fields", "software: test\r\n");
    add(buf, sizeof buf, "1.0", "request", "<http://a.example/1>", "application/http; msgtype=request",
        "GET /1 HTTP/1.1\r\n\r\n");
    add(buf, sizeof buf, "1.0", "response", "<http://a.example/1>", HTTP,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>one page</p>");
    add(buf, sizeof buf, "1.1", "response", "http://a.example/2", HTTP,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: TEXT/PLAIN\r\n\r\n"
        "4\r\nwire\r\na;x=y\r\n copy text\r\n0\r\n\r\n");
    add(buf, sizeof buf, "1.1", "response", "http://a.example/404", HTTP,
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\ngone");
    add(buf, sizeof buf, "1.1", "response", "http://a.example/p.png", HTTP,
        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG");
    add(buf, sizeof buf, "1.1", "resource", "file:///notes.txt", "text/plain", "a resource");
    add(buf, sizeof buf, "1.1", "resource", "metadata://crawler/log.txt", "text/plain", "log");
    add(buf, sizeof buf, "1.1", "response", "http://a.example/gz", HTTP,
        "HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\nxx");
    for (size_t step = 1; step <= 65536; step *= 16) {
        src s = {buf, strlen(buf), 0, step};
        warc *w = warc_new(mem_read, &s, 1 << 20);
        assert_non_null(w);
        warc_doc d;
        const char *why;
        assert_int_equal(warc_next(w, &d, &why), WARC_OTHER);   /* warcinfo */
        assert_int_equal(d.number, 1);
        assert_int_equal(d.offset, 0);
        assert_int_equal(warc_next(w, &d, &why), WARC_OTHER);   /* request */
        assert_int_equal(warc_next(w, &d, &why), WARC_DOC);
        assert_string_equal(d.uri, "http://a.example/1");        /* brackets gone */
        assert_string_equal(d.body, "<p>one page</p>");
        assert_int_equal(d.html, 1);
        assert_int_equal(warc_next(w, &d, &why), WARC_DOC);
        assert_string_equal(d.uri, "http://a.example/2");
        assert_string_equal(d.body, "wire copy text");           /* chunks joined */
        assert_int_equal(d.len, 14);
        assert_int_equal(d.html, 0);
        assert_int_equal(warc_next(w, &d, &why), WARC_SKIP);
        assert_string_equal(why, "HTTP status 404");
        assert_int_equal(warc_next(w, &d, &why), WARC_SKIP);
        assert_string_equal(why, "not text (image/png)");
        assert_int_equal(warc_next(w, &d, &why), WARC_DOC);
        assert_string_equal(d.uri, "file:///notes.txt");
        assert_string_equal(d.body, "a resource");
        assert_int_equal(warc_next(w, &d, &why), WARC_OTHER);   /* metadata: */
        /* "xx" is no gzip stream: skipped as an error, with its reason */
        assert_int_equal(warc_next(w, &d, &why), WARC_FAILED);
        assert_non_null(strstr(why, "cannot decode the body"));
        assert_int_equal(d.number, 9);
        assert_int_equal(warc_next(w, &d, &why), WARC_END);
        assert_int_equal(warc_next(w, &d, &why), WARC_END);
        warc_free(w);
    }
}

static void test_limits(void **state)
{
    (void)state;
    static char buf[4096];
    buf[0] = 0;
    add(buf, sizeof buf, "1.1", "resource", "http://b.example/big", "text/plain",
        "more than thirty-two bytes of text in this one");
    add(buf, sizeof buf, "1.1", "resource", "http://b.example/small", "text/plain", "small");
    src s = {buf, strlen(buf), 0, 7};
    warc *w = warc_new(mem_read, &s, 32);
    warc_doc d;
    const char *why;
    assert_int_equal(warc_next(w, &d, &why), WARC_FAILED);
    assert_non_null(strstr(why, "larger than --max-bytes"));
    assert_int_equal(warc_next(w, &d, &why), WARC_DOC);      /* read on after it */
    assert_string_equal(d.body, "small");
    assert_int_equal(warc_next(w, &d, &why), WARC_END);
    warc_free(w);
}

static void expect_bad(const char *text, const char *reason)
{
    src s = {text, strlen(text), 0, 5};
    warc *w = warc_new(mem_read, &s, 1 << 20);
    warc_doc d;
    const char *why;
    int rc;
    while ((rc = warc_next(w, &d, &why)) > 0)
        ;
    assert_int_equal(rc, WARC_BAD);
    assert_non_null(strstr(why, reason));
    assert_int_equal(warc_next(w, &d, &why), WARC_END);   /* stops there */
    warc_free(w);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_bad("{\"id\": 1, \"text\": \"json\"}\n", "not a WARC record");
    expect_bad("WARC/1.1\r\nWARC-Type: resource\r\n\r\nabc", "Content-Length");
    expect_bad("WARC/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", "Content-Length");
    expect_bad("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 100\r\n\r\nshort", "truncated record");
    expect_bad("WARC/1.1\r\nWARC-Type: resource\r\nContent-Len", "truncated record head");
    expect_bad("WARC/1.1\r\nno colon on this line\r\nContent-Length: 0\r\n\r\n", "without ':'");
    /* a folded field and bare LFs are read */
    const char *lf = "WARC/1.0\nWARC-Type: resource\nWARC-Target-URI:\n <http://c.example/f>\n"
                     "Content-Length: 5\n\nhello\n\n";
    src s = {lf, strlen(lf), 0, 3};
    warc *w = warc_new(mem_read, &s, 100);
    warc_doc d;
    const char *why;
    assert_int_equal(warc_next(w, &d, &why), WARC_DOC);
    assert_string_equal(d.uri, "http://c.example/f");
    assert_string_equal(d.body, "hello");
    assert_int_equal(warc_next(w, &d, &why), WARC_END);
    warc_free(w);
}

static void test_dechunk(void **state)
{
    (void)state;
    char ok[] = "3\r\nabc\r\n0\r\n\r\n";
    size_t n = strlen(ok);
    assert_int_equal(warc_dechunk(ok, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ok, "abc");
    char bad1[] = "zz\r\nabc\r\n";
    n = strlen(bad1);
    assert_int_equal(warc_dechunk(bad1, &n), -1);
    char bad2[] = "ff\r\nshort\r\n";
    n = strlen(bad2);
    assert_int_equal(warc_dechunk(bad2, &n), -1);
    char bad3[] = "ffffffffffffffffff\r\n";
    n = strlen(bad3);
    assert_int_equal(warc_dechunk(bad3, &n), -1);
}

/* ------------------------------------------------------------------ */
/* Content and transfer codings                                        */
/* ------------------------------------------------------------------ */

/* Encodes n bytes at in with zlib's deflate (bits 31 gzip, 15 zlib, -15
 * raw) into out. @return its length. */
static size_t zencode(const char *in, size_t n, int bits, char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t k = cap - z.avail_out;
    deflateEnd(&z);
    return k;
}

static size_t brencode(const char *in, size_t n, char *out, size_t cap)
{
    size_t k = cap;
    assert_int_equal(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                           BROTLI_MODE_TEXT, n, (const uint8_t *)in, &k,
                                           (uint8_t *)out),
                     BROTLI_TRUE);
    return k;
}

/* Writes a response record whose HTTP head has the given extra fields and
 * whose body is the n bytes at body, to out. @return its length. */
static size_t response(char *out, size_t cap, const char *fields, const char *body, size_t n)
{
    char head[512];
    int h = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n%s\r\n",
                     fields);
    int k = snprintf(out, cap, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://e/\r\n"
                     "Content-Type: " HTTP "\r\nContent-Length: %zu\r\n\r\n%s",
                     (size_t)h + n, head);
    assert_true((size_t)k + n + 4 < cap);
    memcpy(out + k, body, n);
    memcpy(out + k + n, "\r\n\r\n", 4);
    return (size_t)k + n + 4;
}

/* Reads the one record of rec[0, n) with the record limit max.
 * @return warc_next's result; *text gets a copy of the body or the why. */
static int read_one(const char *rec, size_t n, size_t max, char *text, size_t cap)
{
    for (size_t step = 1; step <= 4096; step *= 64) {
        src s = {rec, n, 0, step};
        warc *w = warc_new(mem_read, &s, max);
        assert_non_null(w);
        warc_doc d;
        const char *why;
        int rc = warc_next(w, &d, &why);
        snprintf(text, cap, "%s", rc == WARC_DOC ? d.body : why);
        if (rc == WARC_DOC)
            assert_int_equal(strlen(d.body), d.len);
        assert_int_equal(warc_next(w, &d, &why), WARC_END);
        warc_free(w);
        if (step == 4096)
            return rc;
    }
    return -99;
}

static void test_codings(void **state)
{
    (void)state;
    static const char page[] = "A wire story, told once and then told again by every paper "
                               "that bought it; told again, and again, and again.";
    const size_t np = strlen(page);
    static char enc[4096], enc2[4096], rec[8192], text[4096];
    size_t n, m;
    char fields[256];
    static const struct { int bits; const char *name; } z[] = {
        {31, "gzip"}, {31, "x-gzip"}, {15, "deflate"}, {-15, "deflate"}, {15, "gzip"},
    };
    for (size_t i = 0; i < sizeof z / sizeof *z; i++) {   /* zlib's three framings */
        n = zencode(page, np, z[i].bits, enc, sizeof enc);
        snprintf(fields, sizeof fields, "Content-Encoding: %s\r\n", z[i].name);
        m = response(rec, sizeof rec, fields, enc, n);
        assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
        assert_string_equal(text, page);
    }
    n = brencode(page, np, enc, sizeof enc);
    m = response(rec, sizeof rec, "Content-Encoding: br\r\n", enc, n);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_string_equal(text, page);
    /* two gzip members one after the other are one body */
    n = zencode(page, 20, 31, enc, sizeof enc);
    n += zencode(page + 20, np - 20, 31, enc + n, sizeof enc - n);
    m = response(rec, sizeof rec, "Content-Encoding: gzip\r\n", enc, n);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_string_equal(text, page);
    /* deflate then br (undone in the other order), sent chunked */
    n = zencode(page, np, 15, enc2, sizeof enc2);
    n = brencode(enc2, n, enc, sizeof enc);
    int k = snprintf(enc2, sizeof enc2, "%zx\r\n", n - 5);
    memcpy(enc2 + k, enc, n - 5);
    k += (int)n - 5;
    k += snprintf(enc2 + k, sizeof enc2 - (size_t)k, "\r\n5;ext=1\r\n");
    memcpy(enc2 + k, enc + n - 5, 5);
    k += 5;
    k += snprintf(enc2 + k, sizeof enc2 - (size_t)k, "\r\n0\r\nTrailer: x\r\n\r\n");
    m = response(rec, sizeof rec,
                 "Content-Encoding: deflate, br\r\nTransfer-Encoding: chunked\r\n", enc2,
                 (size_t)k);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_string_equal(text, page);
    /* a transfer coding: gzip, then chunked */
    n = zencode(page, np, 31, enc, sizeof enc);
    k = snprintf(enc2, sizeof enc2, "%zx\r\n", n);
    memcpy(enc2 + k, enc, n);
    k += (int)n;
    k += snprintf(enc2 + k, sizeof enc2 - (size_t)k, "\r\n0\r\n\r\n");
    m = response(rec, sizeof rec, "Transfer-Encoding: gzip, chunked\r\n", enc2, (size_t)k);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_string_equal(text, page);
    /* identity is no coding */
    m = response(rec, sizeof rec, "Content-Encoding: identity\r\n", page, np);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_string_equal(text, page);
}

static void test_codings_bad(void **state)
{
    (void)state;
    static char big[200000], enc[8192], rec[16384], text[4096];
    memset(big, 'a', sizeof big - 1);
    size_t n, m;
    /* larger than the limit once decoded, though small as it is */
    n = zencode(big, sizeof big - 1, 31, enc, sizeof enc);
    m = response(rec, sizeof rec, "Content-Encoding: gzip\r\n", enc, n);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_int_equal(strlen(text), sizeof text - 1);   /* (the copy is cut) */
    assert_int_equal(read_one(rec, m, 199999, text, sizeof text), WARC_DOC);
    assert_int_equal(read_one(rec, m, 199998, text, sizeof text), WARC_FAILED);
    assert_string_equal(text, "larger than --max-bytes once decoded");
    n = brencode(big, sizeof big - 1, enc, sizeof enc);
    m = response(rec, sizeof rec, "Content-Encoding: br\r\n", enc, n);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_DOC);
    assert_int_equal(read_one(rec, m, 1000, text, sizeof text), WARC_FAILED);
    assert_string_equal(text, "larger than --max-bytes once decoded");
    /* truncated and corrupt bodies */
    n = zencode("some text that is cut", 21, 31, enc, sizeof enc);
    m = response(rec, sizeof rec, "Content-Encoding: gzip\r\n", enc, n - 10);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_string_equal(text, "cannot decode the body: truncated data");
    n = brencode("some text that is cut", 21, enc, sizeof enc);
    m = response(rec, sizeof rec, "Content-Encoding: br\r\n", enc, n - 3);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_non_null(strstr(text, "cannot decode the body"));
    m = response(rec, sizeof rec, "Content-Encoding: deflate\r\n", "\xff\xff\xff\xff", 4);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_non_null(strstr(text, "cannot decode the body"));
    m = response(rec, sizeof rec, "Content-Encoding: br\r\n", "\xff\xff\xff\xff", 4);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_non_null(strstr(text, "cannot decode the body: brotli"));
    m = response(rec, sizeof rec, "Transfer-Encoding: chunked\r\n", "zz\r\n", 4);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_string_equal(text, "malformed chunked HTTP body");
    /* a coding not known: no text page (harmless); too many: an error */
    m = response(rec, sizeof rec, "Content-Encoding: compress\r\n", "xx", 2);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_SKIP);
    assert_string_equal(text, "Content-Encoding compress");
    m = response(rec, sizeof rec, "Content-Encoding: gzip, gzip, gzip\r\nTransfer-Encoding: gzip, gzip\r\n",
                 "xx", 2);
    assert_int_equal(read_one(rec, m, 1 << 20, text, sizeof text), WARC_FAILED);
    assert_string_equal(text, "more than 4 content and transfer codings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_dechunk),
        cmocka_unit_test(test_codings),
        cmocka_unit_test(test_codings_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
