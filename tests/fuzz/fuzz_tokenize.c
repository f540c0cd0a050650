/*
 * fuzz_tokenize.c - fuzz target for the text parsers: the cleaner (markup,
 * furniture, datelines, comment threads) and the tokenizer (UTF-8 decoding,
 * normalization, no-space scripts), then shingling and signing.
 *
 * Checks, beyond "no crash": every token lies inside the input and tokens
 * come in order; cleaning only ever removes tokens' sources, never invents
 * bytes outside the text; rp_doc_new agrees with rp_tokenize on emptiness;
 * the fast paths of the cleaner and the tokenizer give the tokens of
 * their byte-at-a-time reference (rp_tokenizer.simple).
 * Built with libFuzzer by `make fuzz`; replay.c runs the saved corpus
 * without libFuzzer in `make check`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "normalize.h"
#include "options.h"
#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int clean = 0; clean <= 1; clean++) {
        rp_token *t = NULL;
        size_t n = 0;
        int rc = rp_tokenize((const char *)data, size, clean, &t, &n);
        CHECK(rc == RP_OK);
        for (size_t i = 0; i < n; i++) {
            CHECK(t[i].start < t[i].end);
            CHECK(t[i].end <= size);
            if (i > 0)
                CHECK(t[i].start >= t[i - 1].start);
        }
        rp_options o;
        rp_options_init(&o);
        o.keep_boilerplate = !clean;
        rp_doc *d;
        int err = rp_doc_new((const char *)data, size, &o, &d);
        CHECK((d != NULL) == (n > 0));
        CHECK(d ? err == RP_OK : err == RP_ENOWORDS);
        if (d) {
            rp_sim s;
            rp_doc_compare(d, d, &o, &s);
            CHECK(s.shared == rp_doc_shingles(d));
            CHECK(rp_doc_estimate(d, d) == 1.0);
        }
        rp_doc_free(d);
        free(t);
    }
    for (int clean = 0; clean <= 1; clean++) {
        rp_tokenizer fast, ref;
        rp_tokenizer_init(&fast, data, size);
        rp_tokenizer_init(&ref, data, size);
        ref.simple = 1;
        if (clean) {
            CHECK(rp_clean_feed(&fast) == RP_OK);
            CHECK(rp_clean_feed(&ref) == RP_OK);
        } else {
            rp_tokenizer_feed(&fast, 0, size);
            rp_tokenizer_feed(&ref, 0, size);
        }
        CHECK(fast.n == ref.n);
        for (size_t i = 0; i < fast.n; i++)
            CHECK(fast.tok[i].hash == ref.tok[i].hash && fast.tok[i].start == ref.tok[i].start &&
                  fast.tok[i].end == ref.tok[i].end);
        rp_tokenizer_free(&fast);
        rp_tokenizer_free(&ref);
    }
    return 0;
}
