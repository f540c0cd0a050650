/*
 * test_warc.c - the WARC record reader of the input layer (src/cli/warc.c):
 * WARC 1.0 and 1.1 records, target URIs with and without angle brackets,
 * HTTP heads removed, chunked bodies joined, records that are no document
 * or no text page, the record limit, and malformed or truncated input.
 * The records are written here by hand; tests/cli/t_warc.sh reads files
 * written by wget.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

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
        assert_null(d.encoding);
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
        assert_int_equal(warc_next(w, &d, &why), WARC_DOC);
        assert_string_equal(d.encoding, "gzip");
        assert_int_equal(d.html, -1);
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
    assert_int_equal(warc_next(w, &d, &why), WARC_TOOBIG);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_dechunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
