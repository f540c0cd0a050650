/*
 * fuzz_html.c - fuzz target for text preparation: encoding detection and
 * conversion, and HTML to text (rp_text_prepare, src/text.c
 * and src/html.c), on any bytes, read as HTML, sniffed, and as plain text.
 * rp_text_prepare_buf, on a copy handed over, must give the same bytes.
 * `make fuzz` runs it with -timeout=1 (FUZZ_TIMEOUT_html): an input that
 * takes longer is a failure, as a quadratic path would be.
 *
 * Checks, beyond "no crash": a result is NUL-terminated with the length
 * given; HTML text holds no NUL; text converted from Windows-1252 or
 * UTF-16 is valid UTF-8; plain UTF-8 input comes back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    static const unsigned flags[] = {RP_TEXT_HTML, RP_TEXT_SNIFF_HTML, 0};
    rp_encoding e = rp_text_encoding(in, size);
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        char *out = NULL;
        size_t len = 0;
        int rc = rp_text_prepare(in, size, flags[i], &out, &len);
        CHECK(rc == RP_OK || rc == RP_EBINARY);
        if (rc != RP_OK) {
            CHECK(out == NULL && len == 0);
            continue;
        }
        CHECK(out && out[len] == 0);
        char *buf = malloc(size + 1), *out2 = NULL;
        size_t len2 = 0;
        CHECK(buf);
        if (size)
            memcpy(buf, in, size);
        CHECK(rp_text_prepare_buf(buf, size, flags[i], &out2, &len2) == RP_OK);
        CHECK(len2 == len && memcmp(out2, out, len + 1) == 0);
        free(out2);
        if (flags[i] == RP_TEXT_HTML) {
            CHECK(strlen(out) == len);
            /* the text of a page is never longer than the page (+ '\n') */
            if (e == RP_ENC_UTF8)
                CHECK(len <= size + 1);
        }
        if (flags[i] == 0) {
            if (e == RP_ENC_CP1252 || e == RP_ENC_UTF16LE || e == RP_ENC_UTF16BE) {
                /* valid UTF-8 (which may start with an encoded U+FEFF) */
                rp_encoding oe = rp_text_encoding(out, len);
                CHECK(oe == RP_ENC_UTF8 || oe == RP_ENC_UTF8_BOM);
                CHECK(!memchr(out, 0, len < 8192 ? len : 8192));
            }
            if (e == RP_ENC_UTF8)
                CHECK(len == size && memcmp(out, in, len) == 0);
        }
        free(out);
    }
    return 0;
}
