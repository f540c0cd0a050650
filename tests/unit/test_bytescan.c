/*
 * test_bytescan.c - the byte classes of bytescan.c, and the cleaner and
 * tokenizer built on them, give the same answers on every code path.
 *
 * Each path the CPU has (table, SSE2, AVX2) is forced in turn with
 * rp_bytescan_force(): the masks must equal a byte-by-byte reference on
 * random blocks of every length, and random texts (words, UTF-8, broken
 * UTF-8, NUL, CR, CR LF, no-break spaces, entities, markup, URLs, lines
 * longer than a block) must give identical tokens, with and without the
 * cleaner, and the same comment-thread cut.
 */
#include "testutil.h"

#include "bytescan.h"
#include "clean.h"
#include "normalize.h"

/* The classes, one byte at a time, as bytescan.h defines them. */
static void reference(const uint8_t *s, size_t n, rp_bmask *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        uint64_t bit = (uint64_t)1 << i;
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (c == '\n' || c == '\r')
            m->eol |= bit;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
            m->blank |= bit;
        if (c == 0xC2)
            m->c2 |= bit;
        if (c == 0xA0)
            m->a0 |= bit;
        if (alpha || (c >= '0' && c <= '9'))
            m->alnum |= bit;
        if (c >= 0x80 || c == '&')
            m->slow |= bit;
        if (c && strchr("<]@hHwWf", c))
            m->inl |= bit;
    }
}

static int levels[3], nlevels;

static int setup(void **state)
{
    (void)state;
    nlevels = 0;
    for (int lv = RP_SCAN_SCALAR; lv <= RP_SCAN_AVX2; lv++)
        if (rp_bytescan_force(lv) == 0)
            levels[nlevels++] = lv;
    return nlevels >= 1 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rp_bytescan_force(levels[nlevels - 1]);
    return 0;
}

static void assert_masks_equal(const rp_bmask *a, const rp_bmask *b)
{
    assert_true(a->eol == b->eol);
    assert_true(a->blank == b->blank);
    assert_true(a->c2 == b->c2);
    assert_true(a->a0 == b->a0);
    assert_true(a->alnum == b->alnum);
    assert_true(a->slow == b->slow);
    assert_true(a->inl == b->inl);
}

/* rp_popcount64 (bit-parallel where the build has no popcnt) counts the
 * bits one at a time would. */
static void test_popcount(void **state)
{
    (void)state;
    uint64_t rng = 5;
    for (int i = 0; i < 10000; i++) {
        uint64_t x = sm64(&rng);
        if (i % 3 == 1)
            x &= sm64(&rng);       /* sparse */
        if (i % 3 == 2)
            x |= sm64(&rng);       /* dense */
        if (i < 2)
            x = i ? ~(uint64_t)0 : 0;
        unsigned n = 0;
        for (int b = 0; b < 64; b++)
            n += (unsigned)(x >> b & 1);
        assert_int_equal(rp_popcount64(x), n);
    }
}

static void test_masks_every_byte(void **state)
{
    (void)state;
    uint8_t all[256];
    for (int c = 0; c < 256; c++)
        all[c] = (uint8_t)c;
    for (int k = 0; k < nlevels; k++) {
        assert_int_equal(rp_bytescan_force(levels[k]), 0);
        assert_int_equal(rp_bytescan_level(), levels[k]);
        for (size_t off = 0; off < 256; off += 64) {
            rp_bmask got, want;
            rp_bytescan(all + off, 64, &got);
            reference(all + off, 64, &want);
            assert_masks_equal(&got, &want);
        }
    }
}

static void test_masks_random_lengths(void **state)
{
    (void)state;
    uint64_t rng = 42;
    uint8_t buf[64];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(sm64(&rng) % 65);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)sm64(&rng);
        rp_bmask want;
        reference(buf, n, &want);
        for (int k = 0; k < nlevels; k++) {
            rp_bmask got;
            rp_bytescan_force(levels[k]);
            rp_bytescan(buf, n, &got);
            assert_masks_equal(&got, &want);
        }
    }
}

static void test_many_blocks_equal_one_at_a_time(void **state)
{
    (void)state;
    /* rp_bytescan_blocks gives each block what rp_bytescan gives it */
    enum { NB = 21 };
    uint64_t rng = 5;
    uint8_t *buf = malloc(64 * NB);
    assert_non_null(buf);
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < 64 * NB; i++)
            buf[i] = (uint8_t)sm64(&rng);
        size_t nb = (size_t)sm64_below(&rng, NB + 1);
        for (int k = 0; k < nlevels; k++) {
            rp_bytescan_force(levels[k]);
            rp_bmask many[NB];
            rp_bytescan_blocks(buf, nb, many);
            for (size_t b = 0; b < nb; b++) {
                rp_bmask one;
                reference(buf + 64 * b, 64, &one);
                assert_masks_equal(&many[b], &one);
            }
        }
    }
    free(buf);
}

static void test_unknown_level(void **state)
{
    (void)state;
    assert_int_equal(rp_bytescan_force(-1), -1);
    assert_int_equal(rp_bytescan_force(RP_SCAN_AVX2 + 1), -1);
}

/* ------------------------------------------------------------------ */
/* The same tokens from every path                                     */
/* ------------------------------------------------------------------ */

static const char *const pieces[] = {
    "hello", "World", "G7", "2024", " ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n",
    "\r", "\xC2\xA0", "\xC2", "\xA0", "\xC2\xC2\xA0", "", "&amp;", "&eacute;",
    "&#233;", "&x", "&", "<p>", "</p>", "<a href=\"x\">", "<", ">", "](http://x.y/z)",
    "[link", "http://a.b/c", "https://example.org/x?y", "www.x.org", "ftp://h/f",
    "wHat", "fish", "Hi", "a@b.c", "x.y@host.org", "@", "]", "Straße", "café",
    "naïve", "İstanbul", "ışık", "日本語", "กรุงเทพ", "\xE2\x80\x94", "\xE2\x80\x99",
    "\xFF", "\xC3", "\xE2\x80", "\xF0\x9F\x98\x80", "Photo: AFP", "By Jane Doe",
    "PARIS (AFP) - ", "3 comments", "  > ", "* ", "1. ", "Share", "Tweet",
    "Related:", "\xC2\xB7", "|", "\xEF\xBB\xBF", "\xC2\xAD", "pаypal",
};

static size_t random_text(uint64_t *rng, char *buf, size_t cap)
{
    size_t n = 0;
    size_t want = (size_t)(sm64(rng) % (cap / 2));
    while (n < want) {
        uint64_t r = sm64(rng);
        if (r % 16 == 0) {
            buf[n++] = (char)(r >> 8);   /* any byte, NUL included */
            continue;
        }
        if (r % 97 == 1) {
            /* a long line: one word repeated across several blocks */
            size_t reps = 20 + (size_t)((r >> 8) % 60);
            for (size_t k = 0; k < reps && n + 6 <= cap; k++) {
                memcpy(buf + n, "word ", 5);
                n += 5;
            }
            continue;
        }
        const char *p = pieces[(r >> 8) % ARRAY_LEN(pieces)];
        size_t len = strlen(p);
        if (n + len > cap)
            break;
        memcpy(buf + n, p, len);
        n += len;
    }
    return n;
}

static void tokens_of(const char *text, size_t len, int clean, rp_token **t, size_t *n)
{
    assert_int_equal(rp_tokenize(text, len, clean, t, n), RP_OK);
}

static void test_same_tokens_every_path(void **state)
{
    (void)state;
    enum { CAP = 4096 };
    char *buf = malloc(CAP);
    assert_non_null(buf);
    uint64_t rng = 7;
    for (int round = 0; round < 600; round++) {
        size_t len = random_text(&rng, buf, CAP);
        for (int clean = 0; clean <= 1; clean++) {
            rp_token *want = NULL;
            size_t nwant = 0;
            rp_bytescan_force(levels[0]);
            tokens_of(buf, len, clean, &want, &nwant);
            for (int k = 1; k < nlevels; k++) {
                rp_token *got = NULL;
                size_t ngot = 0;
                rp_bytescan_force(levels[k]);
                tokens_of(buf, len, clean, &got, &ngot);
                assert_int_equal(ngot, nwant);
                for (size_t i = 0; i < ngot; i++) {
                    assert_true(got[i].hash == want[i].hash);
                    assert_int_equal(got[i].start, want[i].start);
                    assert_int_equal(got[i].end, want[i].end);
                }
                free(got);
            }
            free(want);
        }
        size_t cut0 = 0;
        rp_bytescan_force(levels[0]);
        assert_int_equal(rp_clean_thread(buf, len, &cut0), RP_OK);
        for (int k = 1; k < nlevels; k++) {
            size_t cut = 0;
            rp_bytescan_force(levels[k]);
            assert_int_equal(rp_clean_thread(buf, len, &cut), RP_OK);
            assert_int_equal(cut, cut0);
        }
    }
    free(buf);
}

/* Words that cross a 64-byte block, and a slow byte at every offset. */
/* A window over the masks one pass kept gives what a window that
 * classifies as it goes gives, at every position of texts of every
 * length around the block size. */
static void test_window_over_kept_masks(void **state)
{
    (void)state;
    uint64_t rng = 7;
    uint8_t buf[300];
    for (size_t len = 1; len <= sizeof buf; len += 13) {
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)sm64(&rng);
        rp_bblock pre[sizeof buf / 64 + 1];
        for (size_t b = 0; b < len; b += 64) {
            rp_bmask m;
            rp_bytescan(buf + b, len - b < 64 ? len - b : 64, &m);
            pre[b / 64] = (rp_bblock){m.alnum, m.slow, m.inl};
        }
        rp_bwindow live, kept;
        rp_bwindow_init(&live, buf, len);
        rp_bwindow_init(&kept, buf, len);
        kept.pre = pre;
        for (size_t i = 0; i < len; i++) {
            rp_bblock a, b;
            size_t na = rp_bwindow_at(&live, i, &a);
            size_t nb = rp_bwindow_at(&kept, i, &b);
            assert_int_equal(na, nb);
            assert_true(a.alnum == b.alnum && a.slow == b.slow && a.inl == b.inl);
        }
    }
}

/* Lines for the cleaner's rules, in capitals and not, so that the line
 * keys, the dateline and URL quick tests are all reached, and keys are
 * cut at their length limit. */
static const char *const lines[] = {
    "PHOTO: Getty Images", "Photo/AFP", "(Photo by JANE DOE)", "REUTERS/Someone",
    "Sign up for our NEWSLETTER", "Subscribe", "ALL RIGHTS RESERVED \xC2\xA9 2024",
    "\xC2\xA9 Outlet", "Related: more", "READ MORE", "Lesen Sie auch", "Lire aussi",
    "Fotoğraf: AA", "İLGİLİ HABER", "اقرأ أيضا", "By JOHN SMITH", "Von Anna",
    "Staff Reporter", "3 Comments", "COMMENTS (2)", "Leave a Reply", "Share Tweet Email",
    "12 shares", "PARIS (AFP) - ", "LONDON, June 5 (Reuters) -- ", "Madrid \xE2\x80\x94 ",
    "Cerca (de) - ", "NEW YORK - ", "LA - ", "Ab - ", "aB - ", "http://x.y/z", "HTTP://X.Y", "Www.Site.org",
    "ftp://a/b", "FTP:", "who what where from", "<p>", "**", "# ", "> quoted",
    "  indented", "* bullet", "1. item", "name \xC2\xB7 2 hours ago", "a | b",
    "The quick brown fox jumps over the lazy dog,", "\xC3\x89TAT \xC3\xA9t\xC3\xA9",
    "ŞİMDİ", "Straße", ",,, ;;; ---", "A.B.C.", "x@y.org", "[link](http://x)",
    "LongWordLongWordLongWordLongWordLongWordLongWord",
};

static void test_cleaner_fast_paths_equal_simple(void **state)
{
    (void)state;
    /* Random texts of the lines above, the pieces of random_text and
     * random bytes: the cleaner over the fast paths (the quick dateline
     * and URL tests, the tokenizer's fast paths) gives the tokens of its
     * reference, at every level. */
    enum { CAP = 6000 };
    char *buf = malloc(CAP);
    assert_non_null(buf);
    /* a credit mark ending on each side of the key's length limit, after
     * words, runs of punctuation or capitals that end in a block or not */
    for (size_t pre = 130; pre < 175; pre++) {
        for (int style = 0; style < 3; style++) {
            size_t len = 0;
            while (len < pre) {
                const char *w = style == 0 ? "Abcdefg " : style == 1 ? "ab, -- " : "WORD\xC3\x89 ";
                size_t wl = strlen(w);
                memcpy(buf + len, w, wl);
                len += wl;
            }
            len = pre;
            const char *tail = "Photo: X\nThe article, at last.\n";
            memcpy(buf + len, tail, strlen(tail));
            len += strlen(tail);
            rp_tokenizer ref, t;
            rp_tokenizer_init(&ref, (const uint8_t *)buf, len);
            ref.simple = 1;
            assert_int_equal(rp_clean_feed(&ref), RP_OK);
            rp_tokenizer_init(&t, (const uint8_t *)buf, len);
            assert_int_equal(rp_clean_feed(&t), RP_OK);
            assert_int_equal(t.n, ref.n);
            for (size_t i = 0; i < t.n; i++)
                assert_true(t.tok[i].hash == ref.tok[i].hash);
            rp_tokenizer_free(&t);
            rp_tokenizer_free(&ref);
        }
    }
    uint64_t rng = 99;
    for (int round = 0; round < 500; round++) {
        size_t len = 0, want = (size_t)(sm64(&rng) % (CAP - 200));
        while (len < want) {
            uint64_t r = sm64(&rng);
            const char *p;
            if (r % 11 == 0) {
                buf[len++] = (char)(r >> 8);
                continue;
            }
            if (r % 5 == 0)
                p = (r >> 8) % 3 ? "\n" : (r >> 8) % 2 ? "\n\n" : "\r\n";
            else if (r % 2)
                p = lines[(r >> 8) % ARRAY_LEN(lines)];
            else
                p = pieces[(r >> 8) % ARRAY_LEN(pieces)];
            size_t pl = strlen(p);
            memcpy(buf + len, p, pl);
            len += pl;
            if (r % 3 == 0)
                buf[len++] = ' ';
        }
        rp_tokenizer ref;
        rp_tokenizer_init(&ref, (const uint8_t *)buf, len);
        ref.simple = 1;
        assert_int_equal(rp_clean_feed(&ref), RP_OK);
        for (int k = 0; k < nlevels; k++) {
            rp_bytescan_force(levels[k]);
            rp_tokenizer t;
            rp_tokenizer_init(&t, (const uint8_t *)buf, len);
            assert_int_equal(rp_clean_feed(&t), RP_OK);
            assert_int_equal(t.n, ref.n);
            for (size_t i = 0; i < t.n; i++) {
                assert_true(t.tok[i].hash == ref.tok[i].hash);
                assert_int_equal(t.tok[i].start, ref.tok[i].start);
                assert_int_equal(t.tok[i].end, ref.tok[i].end);
            }
            rp_tokenizer_free(&t);
        }
        rp_tokenizer_free(&ref);
    }
    free(buf);
}

static void test_block_edges(void **state)
{
    (void)state;
    char buf[300];
    for (size_t at = 50; at < 140; at++) {
        memset(buf, 'a', sizeof buf);
        for (size_t i = 0; i < sizeof buf; i += 7)
            buf[i] = ' ';
        memcpy(buf + at, "\xC3\xA9", 2);          /* é inside a word */
        memcpy(buf + (at * 3) % 280, "\xC2\xA0", 2); /* a no-break space */
        buf[(at * 5) % 290] = '\n';
        rp_token *want = NULL, *got = NULL;
        size_t nwant = 0, ngot = 0;
        rp_bytescan_force(levels[0]);
        tokens_of(buf, sizeof buf, 1, &want, &nwant);
        for (int k = 1; k < nlevels; k++) {
            rp_bytescan_force(levels[k]);
            tokens_of(buf, sizeof buf, 1, &got, &ngot);
            assert_int_equal(ngot, nwant);
            assert_memory_equal(got, want, ngot * sizeof *got);
            free(got);
        }
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_popcount),
        cmocka_unit_test(test_masks_every_byte),
        cmocka_unit_test(test_masks_random_lengths),
        cmocka_unit_test(test_many_blocks_equal_one_at_a_time),
        cmocka_unit_test(test_unknown_level),
        cmocka_unit_test(test_same_tokens_every_path),
        cmocka_unit_test(test_block_edges),
        cmocka_unit_test(test_cleaner_fast_paths_equal_simple),
        cmocka_unit_test(test_window_over_kept_masks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
