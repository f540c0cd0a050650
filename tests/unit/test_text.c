/*
 * test_text.c - encoding detection and conversion, the binary check and
 * HTML sniffing of rp_text_prepare() (src/text.c).
 */
#include "testutil.h"

/* rp_text_prepare_buf on a malloc'd copy of in[0..n) with one byte to
 * spare (its own contract). */
static int prepare_copy(const char *in, size_t n, unsigned flags, char **out, size_t *len)
{
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    memcpy(buf, in, n);
    return rp_text_prepare_buf(buf, n, flags, out, len);
}

/* Prepares in[0..n), both copied and handed over, and checks the result
 * is exactly want (a C string) each way. */
static void prepared_is(const char *in, size_t n, unsigned flags, const char *want)
{
    for (int own = 0; own < 2; own++) {
        char *out = (char *)1;
        size_t len = 99;
        assert_int_equal(own ? prepare_copy(in, n, flags, &out, &len)
                             : rp_text_prepare(in, n, flags, &out, &len), RP_OK);
        assert_non_null(out);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(out, want, len);
        assert_int_equal(out[len], 0);
        free(out);
    }
}

/* Hands in[0..n) over in a buffer of its own and checks that the text is
 * that very buffer, holding want (a C string). */
static void kept_in_place(const char *in, size_t n, const char *want)
{
    char *buf = malloc(n + 1), *out;
    size_t len;
    assert_non_null(buf);
    memcpy(buf, in, n);
    assert_int_equal(rp_text_prepare_buf(buf, n, 0, &out, &len), RP_OK);
    assert_ptr_equal(out, buf);
    assert_int_equal(len, strlen(want));
    assert_string_equal(out, want);
    free(out);
}

/* A handed-over buffer of UTF-8 is the text itself (no copy), with a mark
 * moved out in place; one that is converted or refused is freed (the
 * sanitizer and valgrind runs would see a leak). */
static void test_prepare_buf(void **state)
{
    (void)state;
    char *out;
    size_t len;
    kept_in_place("caf\xc3\xa9 ok", 8, "caf\xc3\xa9 ok");
    kept_in_place("\xef\xbb\xbfhi", 5, "hi");
    assert_int_equal(prepare_copy("caf\xe9", 4, 0, &out, &len), RP_OK);
    assert_string_equal(out, "caf\xc3\xa9");
    free(out);
    assert_int_equal(prepare_copy("<p>a</p>", 8, RP_TEXT_HTML, &out, &len), RP_OK);
    assert_string_equal(out, "a\n");
    free(out);
    assert_int_equal(prepare_copy("GIF89a\0\1", 8, 0, &out, &len), RP_EBINARY);
    assert_null(out);
    char *buf = malloc(2);
    assert_int_equal(rp_text_prepare_buf(buf, RP_MAX_TEXT + 1, 0, &out, &len), RP_ETOOBIG);
    assert_null(out);
}

static void test_detect(void **state)
{
    (void)state;
    assert_int_equal(rp_text_encoding("", 0), RP_ENC_UTF8);
    assert_int_equal(rp_text_encoding("plain ascii", 11), RP_ENC_UTF8);
    assert_int_equal(rp_text_encoding("caf\xc3\xa9", 5), RP_ENC_UTF8);
    assert_int_equal(rp_text_encoding("\xef\xbb\xbfhi", 5), RP_ENC_UTF8_BOM);
    assert_int_equal(rp_text_encoding("\xff\xfeh\0", 4), RP_ENC_UTF16LE);
    assert_int_equal(rp_text_encoding("\xfe\xff\0h", 4), RP_ENC_UTF16BE);
    assert_int_equal(rp_text_encoding("caf\xe9", 4), RP_ENC_CP1252);
    assert_int_equal(rp_text_encoding("\x93q\x94", 3), RP_ENC_CP1252);
    /* overlong, surrogate and out-of-range forms are not UTF-8 */
    assert_int_equal(rp_text_encoding("\xc0\xaf", 2), RP_ENC_CP1252);
    assert_int_equal(rp_text_encoding("\xed\xa0\x80", 3), RP_ENC_CP1252);
    assert_int_equal(rp_text_encoding("\xf4\x90\x80\x80", 4), RP_ENC_CP1252);
    /* a truncated sequence at the end */
    assert_int_equal(rp_text_encoding("ab\xe2\x80", 4), RP_ENC_CP1252);
    /* UTF-8 with one damaged byte stays UTF-8 */
    assert_int_equal(rp_text_encoding("\xc3\xa9t\xc3\xa9 \xe2\x80\x99 \xff", 12), RP_ENC_UTF8);
    assert_string_equal(rp_encoding_name(RP_ENC_CP1252), "windows-1252");
    assert_string_equal(rp_encoding_name(RP_ENC_UTF16BE), "utf-16be");
}

/* The detection rule one byte at a time, by decoding: a sequence is
 * valid when its lead byte says its length, its continuation bytes are
 * 10xxxxxx and the code point is neither overlong, a surrogate nor past
 * U+10FFFF. @return its length, or 0. */
static size_t ref_seq(const unsigned char *s, size_t n)
{
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned c = s[0];
    size_t len = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || n < len)
        return 0;
    uint32_t cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* (for texts without a byte order mark: the pieces below make none) */
static rp_encoding ref_encoding(const unsigned char *s, size_t len)
{
    size_t good = 0, bad = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = ref_seq(s + i, len - i);
        good += n != 0;
        bad += n == 0;
        i += n ? n : 1;
    }
    return bad > good ? RP_ENC_CP1252 : RP_ENC_UTF8;
}

/* The sniffer's fast paths (16 bytes of ASCII and two-byte sequences at
 * a time, 8 ASCII bytes, two-byte sequences) decide as the decoding rule
 * on random texts: runs of ASCII, runs of two-byte letters, valid
 * sequences of every length, truncated and overlong ones, lone leads and
 * stray continuation bytes, in proportions that put good and bad close
 * together, at every alignment and length. */
static void test_detect_vs_reference(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "plain words ", "\xc3\xa9", "\xc5\x9f", "\xdf\xbf", "\xe2\x80\x99",
        "\xef\xbf\xbd", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xe9", "\x93",
        "\xc0\xaf", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xff", "\x80\x80", "0123456789abcdef",
        "\xd8\xa7\xd9\x84\xd8\xb9 ", "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
        "\xce\xb1\xce\xb2", "\xc2", "\xbf", "\xe4\xb8\xad\xe6\x96\x87", "\xe0\xa4\x85",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xe2\x80\x9c", "\xe1\x80", "\xec\xbf", "\xef"};
    uint64_t rng = 15;
    unsigned char buf[600];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0, want = (size_t)sm64_below(&rng, 400);
        unsigned mix = 1 + (unsigned)sm64_below(&rng, ARRAY_LEN(pieces) - 1);
        while (n < want) {
            const char *p = pieces[sm64_below(&rng, mix + 1)];
            size_t k = strlen(p);
            memcpy(buf + n, p, k);
            n += k;
        }
        size_t cut = (size_t)sm64_below(&rng, n + 1);   /* may split a sequence */
        for (size_t off = 0; off < 3 && off <= cut; off++)
            assert_int_equal(rp_text_encoding((const char *)buf + off, cut - off),
                             ref_encoding(buf + off, cut - off));
    }
}

static void test_cp1252(void **state)
{
    (void)state;
    const char in[] = "caf\xe9 \x93quoted\x94 it\x92s \x80 5 \x85 \x96 \xa0 \xff";
    prepared_is(in, sizeof in - 1, 0,
                "caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d it\xe2\x80\x99s \xe2\x82\xac 5 "
                "\xe2\x80\xa6 \xe2\x80\x93 \xc2\xa0 \xc3\xbf");
    /* bytes Windows-1252 leaves undefined become the C1 control */
    prepared_is("\x81\x8d\x8f\x90\x9d", 5, 0, "\xc2\x81\xc2\x8d\xc2\x8f\xc2\x90\xc2\x9d");
    /* every byte value converts to valid UTF-8 */
    char all[255];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    char *out;
    size_t len;
    assert_int_equal(rp_text_prepare(all, sizeof all, 0, &out, &len), RP_OK);
    assert_int_equal(rp_text_encoding(out, len), RP_ENC_UTF8);
    assert_true(len > sizeof all);
    free(out);
}

static void test_utf8_bom(void **state)
{
    (void)state;
    prepared_is("\xef\xbb\xbf" "caf\xc3\xa9", 8, 0, "caf\xc3\xa9");
    prepared_is("\xef\xbb\xbf", 3, 0, "");
    /* after a UTF-8 mark, bad bytes are left for the tokenizer */
    prepared_is("\xef\xbb\xbf" "a\xe9", 5, 0, "a\xe9");
}

static void test_utf16(void **state)
{
    (void)state;
    /* "hé😀" : U+1F600 is the pair D83D DE00 */
    prepared_is("\xff\xfeh\0\xe9\0\x3d\xd8\x00\xde", 10, 0, "h\xc3\xa9\xf0\x9f\x98\x80");
    prepared_is("\xfe\xff\0h\0\xe9\xd8\x3d\xde\x00", 10, 0, "h\xc3\xa9\xf0\x9f\x98\x80");
    /* a lone high surrogate, a lone low one, an odd last byte */
    prepared_is("\xff\xfe\x3d\xd8h\0", 6, 0, "\xef\xbf\xbdh");
    prepared_is("\xff\xfe\x00\xdeh\0", 6, 0, "\xef\xbf\xbdh");
    prepared_is("\xff\xfeh\0x", 5, 0, "h\xef\xbf\xbd");
    prepared_is("\xff\xfe", 2, 0, "");
    /* U+0800 and U+FFFF need three bytes */
    prepared_is("\xff\xfe\x00\x08\xff\xff", 6, 0, "\xe0\xa0\x80\xef\xbf\xbf");
}

static void test_binary(void **state)
{
    (void)state;
    char *out = (char *)1;
    size_t len = 1;
    assert_int_equal(rp_text_prepare("GIF89a\0\1", 8, 0, &out, &len), RP_EBINARY);
    assert_null(out);
    assert_int_equal(len, 0);
    /* a NUL past the first 8 KiB is text */
    size_t n = 10000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    big[9000] = 0;
    assert_int_equal(rp_text_prepare(big, n, 0, &out, &len), RP_OK);
    assert_int_equal(len, n);
    free(out);
    big[100] = 0;
    assert_int_equal(rp_text_prepare(big, n, 0, &out, &len), RP_EBINARY);
    free(big);
    /* UTF-16 is full of NUL bytes but is text; an encoded U+0000 is not */
    assert_int_equal(rp_text_prepare("\xff\xfe\0\0", 4, 0, &out, &len), RP_EBINARY);
    assert_string_equal(rp_strerror(RP_EBINARY), "looks binary (NUL byte in the first 8 KiB)");
}

static void test_empty(void **state)
{
    (void)state;
    prepared_is("", 0, 0, "");
    prepared_is("", 0, RP_TEXT_HTML, "");
    char *out;
    size_t len;
    assert_int_equal(rp_text_prepare("x", RP_MAX_TEXT + 1, 0, &out, &len), RP_ETOOBIG);
}

static void test_html_flags(void **state)
{
    (void)state;
    const char page[] = "  <!DOCTYPE html><p>one &amp; <b>two</b></p><script>x()</script>";
    prepared_is(page, sizeof page - 1, 0, page);
    prepared_is(page, sizeof page - 1, RP_TEXT_SNIFF_HTML, "one & two\n");
    prepared_is(page, sizeof page - 1, RP_TEXT_HTML, "one & two\n");
    prepared_is("<HTML><body>Up</body></HTML>", 28, RP_TEXT_SNIFF_HTML, "Up\n");
    /* a text that merely mentions a tag is not sniffed as HTML */
    prepared_is("use <p> for paragraphs", 22, RP_TEXT_SNIFF_HTML, "use <p> for paragraphs");
    prepared_is("<p>tag first</p>", 16, RP_TEXT_SNIFF_HTML, "<p>tag first</p>");
    /* Windows-1252 HTML is converted once, whatever its meta says */
    const char cp[] = "<html><head><meta charset=\"utf-8\"></head><body>caf\xe9 \x93q\x94</body></html>";
    prepared_is(cp, sizeof cp - 1, RP_TEXT_HTML, "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d\n");
    /* UTF-16 HTML */
    prepared_is("\xff\xfe<\0p\0>\0h\0i\0", 12, RP_TEXT_HTML, "hi\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_prepare_buf),
        cmocka_unit_test(test_detect_vs_reference),
        cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_utf8_bom),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_html_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
