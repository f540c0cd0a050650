/*
 * test_normalize.c - the tokenizer: UTF-8 decoding, word boundaries by
 * Unicode category, normalization (NFKC, case folding, marks, typographic
 * punctuation, Turkish and Arabic folds), bigrams for scripts written
 * without spaces, invalid input, byte offsets, the ASCII fast path and the
 * word length cap.
 *
 * A token's hash is documented as XXH3-64 of the normalized word's UTF-8,
 * so most checks state the normalized form outright: assert_norm("Straße",
 * "strasse") fails if either the folding or the hashing changes.
 */
#include "testutil.h"

#include <utf8proc.h>
#include <xxhash.h>

#include "normalize.h"

static uint64_t xxh(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

/* Asserts that text is one token whose normalized form is expected. */
static void assert_norm(const char *text, const char *expected)
{
    uint64_t h = word_hash(text);
    if (h != xxh(expected))
        print_error("'%s' does not normalize to '%s'\n", text, expected);
    assert_true(h == xxh(expected));
}

/* ------------------------------------------------------------------ */

/* What lets normalize.c skip composing a word folded to code points below
 * U+0800: none of them but the marks (general category M, removed by the
 * fold) comes after the first code point in the canonical decomposition
 * of any character, so none can compose with the code point before it;
 * and every one that is not a mark is a starter (combining class 0), so
 * none lets a later one compose across it. Checked over all of Unicode
 * with the utf8proc the build links. */
static void test_no_composition_below_0800(void **state)
{
    (void)state;
    for (int32_t c = 0; c < 0x110000; c++) {
        utf8proc_int32_t d[32];
        int bc = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(c, d, 32, UTF8PROC_DECOMPOSE, &bc);
        assert_true(k >= 1 && k <= 32);
        for (utf8proc_ssize_t i = 1; i < k; i++) {
            if (d[i] >= 0x800)
                continue;
            utf8proc_category_t cat = utf8proc_category(d[i]);
            if (cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
                cat != UTF8PROC_CATEGORY_ME)
                fail_msg("U+%04X decomposes with U+%04X after its first code point",
                         (unsigned)c, (unsigned)d[i]);
        }
    }
    for (int32_t c = 0; c < 0x800; c++) {
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
            cat != UTF8PROC_CATEGORY_ME)
            assert_int_equal(utf8proc_get_property(c)->combining_class, 0);
    }
}

static void test_ascii_words(void **state)
{
    (void)state;
    assert_norm("hello", "hello");
    assert_norm("HeLLo", "hello");
    assert_norm("2024", "2024");
    assert_norm("G7", "g7");
    assert_int_equal(tok_count(""), 0);
    assert_int_equal(tok_count("  ,.;:!? \t\n\r "), 0);
    assert_int_equal(tok_count("hello,world"), 2);
    assert_int_equal(tok_count("e-mail"), 2);
    assert_int_equal(tok_count("snake_case"), 2);
    /* an embedded NUL is a separator, not the end of the text */
    rp_token *t = NULL;
    size_t n = 0;
    assert_int_equal(rp_tokenize("abc\0def", 7, 0, &t, &n), RP_OK);
    assert_int_equal(n, 2);
    assert_true(t[1].hash == xxh("def"));
    free(t);
    /* no tokens: NULL array */
    t = (rp_token *)&n;
    assert_int_equal(rp_tokenize("...", 3, 0, &t, &n), RP_OK);
    assert_int_equal(n, 0);
    assert_null(t);
}

static void test_nfkc(void **state)
{
    (void)state;
    assert_norm("\xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C", "full"); /* ｆｕｌｌ */
    assert_norm("ＦＵＬＬ", "full");
    assert_norm("ﬁnance", "finance");   /* U+FB01 ligature */
    assert_norm("eﬀort", "effort");     /* U+FB00 */
    assert_norm("２０２４", "2024");     /* fullwidth digits */
    assert_norm("x²", "x2");            /* superscript two, No */
    assert_norm("Ⅻ", "xii");            /* roman numeral, Nl */
    /* composed and decomposed spellings agree (then lose their marks) */
    assert_norm("\xC3\xA9t\xC3\xA9", "ete");
    assert_norm("e\xCC\x81te\xCC\x81", "ete");
}

static void test_case_folding(void **state)
{
    (void)state;
    assert_norm("STRASSE", "strasse");
    assert_norm("Straße", "strasse");
    assert_norm("ΣΟΦΙΑ", "σοφια");
    assert_norm("σοφίας", "σοφιασ");    /* final sigma folds to sigma */
    assert_norm("ПРИВЕТ", "привет");
    assert_norm("Привет", "привет");
    assert_norm("ǅ", "dz");            /* titlecase digraph (Lt): NFKC "Dž" */
}

static void test_accents(void **state)
{
    (void)state;
    assert_norm("café", "cafe");
    assert_norm("CAFÉ", "cafe");
    assert_norm("naïve", "naive");
    assert_norm("Ångström", "angstrom");
    assert_norm("Dvořák", "dvorak");
    assert_norm("São", "sao");
    assert_norm("cafe\xCC\x81", "cafe");           /* combining acute */
    assert_norm("c\xCC\xA7" "a", "ca");            /* combining cedilla */
    /* stacked marks on one letter */
    assert_norm("a\xCC\x81\xCC\x88\xCC\xA3" "b", "ab");
}

static void test_punct_fold_table(void **state)
{
    (void)state;
    static const int32_t apos[] = {'\'', 0x2018, 0x2019, 0x201B, 0x02BC,
                                   0x2032, 0xFF07, 0x0060};
    static const int32_t quot[] = {'"', 0x201C, 0x201D, 0x201E, 0x201F,
                                   0x00AB, 0x00BB, 0x2033, 0xFF02};
    static const int32_t dash[] = {'-', 0x2010, 0x2011, 0x2012, 0x2013,
                                   0x2014, 0x2015, 0x2212};
    for (size_t i = 0; i < ARRAY_LEN(apos); i++)
        assert_int_equal(rp_fold_punct(apos[i]), '\'');
    for (size_t i = 0; i < ARRAY_LEN(quot); i++)
        assert_int_equal(rp_fold_punct(quot[i]), '"');
    for (size_t i = 0; i < ARRAY_LEN(dash); i++)
        assert_int_equal(rp_fold_punct(dash[i]), '-');
    static const int32_t same[] = {'a', 'Z', '0', ' ', '.', 0xE9, 0x05D0, 0x4E00};
    for (size_t i = 0; i < ARRAY_LEN(same); i++)
        assert_int_equal(rp_fold_punct(same[i]), same[i]);
}

static void test_punct_variants_hash_equal(void **state)
{
    (void)state;
    /* apostrophes: U+02BC is a letter (Lm) to Unicode, so without the fold
     * "donʼt" would be one word and differ from "don't" */
    const char *apos[] = {"don’t stop", "don‘t stop", "donʼt stop", "don‛t stop",
                          "don＇t stop", "don`t stop"};
    for (size_t i = 0; i < ARRAY_LEN(apos); i++)
        assert_same_tokens("don't stop", apos[i]);
    const char *quot[] = {"he said “no deal” today", "he said ”no deal“ today",
                          "he said «no deal» today", "he said „no deal‟ today",
                          "he said ＂no deal＂ today"};
    for (size_t i = 0; i < ARRAY_LEN(quot); i++)
        assert_same_tokens("he said \"no deal\" today", quot[i]);
    const char *dash[] = {"a well–known case", "a well—known case",
                          "a well‐known case", "a well‑known case",
                          "a well−known case", "a well―known case"};
    for (size_t i = 0; i < ARRAY_LEN(dash); i++)
        assert_same_tokens("a well-known case", dash[i]);
    assert_int_equal(tok_count("donʼt"), 2);
}

static void test_scripts_by_category(void **state)
{
    (void)state;
    /* letters of several scripts make words; spaces and punctuation of
     * those scripts separate them */
    assert_int_equal(tok_count("مرحبا بالعالم"), 2);          /* Arabic */
    assert_int_equal(tok_count("مرحبا، عالم؟ نعم"), 3);       /* Arabic comma, question mark */
    assert_int_equal(tok_count("Привет, мир!"), 2);           /* Cyrillic */
    assert_int_equal(tok_count("Καλημέρα κόσμε"), 2);          /* Greek */
    assert_int_equal(tok_count("नमस्ते दुनिया"), 2);             /* Devanagari, with Mc/Mn signs */
    assert_int_equal(tok_count("שלום עולם"), 2);              /* Hebrew */
    assert_int_equal(tok_count("٢٠٢٤ ١٢٣"), 2);              /* Arabic-Indic digits, Nd */
    assert_int_equal(tok_count("१२३"), 1);                    /* Devanagari digits */
    assert_int_equal(tok_count("a\xC2\xA0" "b"), 2);          /* no-break space */
    assert_int_equal(tok_count("a\xE2\x80\x83" "b"), 2);      /* em space */
    assert_int_equal(tok_count("a\xE2\x80\xA6" "b"), 2);      /* ellipsis */
    assert_int_equal(tok_count("a\xC2\xA7" "b"), 2);          /* section sign */
    assert_int_equal(tok_count("1\xE2\x82\xAC"), 1);          /* 1€: the sign is no word */
    /* Greek accents stripped, Cyrillic folded */
    assert_norm("Καλημέρα", "καλημερα");
    assert_norm("ЁЛКА", "елка");
    /* Devanagari keeps its consonants; signs (marks) are stripped */
    assert_true(word_hash("नमस्ते") == word_hash("नमसत"));
}

static void test_turkish_i(void **state)
{
    (void)state;
    /* docs/how-it-works.md: the dotless i folds onto i, so "IŞIK" and "ışık" agree; the
     * dotted capital İ folds to i + U+0307 and loses the dot with the
     * other marks. All four forms of the letter meet at "i". */
    assert_norm("İ", "i");
    assert_norm("ı", "i");
    assert_norm("I", "i");
    assert_norm("i", "i");
    assert_norm("IŞIK", "isik");
    assert_norm("ışık", "isik");
    assert_norm("İstanbul", "istanbul");
    assert_norm("ıstanbul", "istanbul");
    assert_norm("DİYARBAKIR", "diyarbakir");
    assert_true(word_hash("Işık") == word_hash("ISIK"));
}

static void test_arabic_folds(void **state)
{
    (void)state;
    /* teh marbuta -> heh, alef maksura -> yeh */
    assert_true(word_hash("مدرسة") == word_hash("مدرسه"));
    assert_true(word_hash("على") == word_hash("علي"));
    assert_norm("ة", "ه");
    assert_norm("ى", "ي");
    /* harakat (marks) are stripped, tatweel is ignored inside a word */
    assert_true(word_hash("مُدَرِّسَة") == word_hash("مدرسه"));
    assert_true(word_hash("عـــلي") == word_hash("علي"));
    /* the folds do not merge letters that differ */
    assert_true(word_hash("علم") != word_hash("عالم"));
    assert_true(word_hash("ب") != word_hash("ت"));
}

static void test_ignorables(void **state)
{
    (void)state;
    assert_norm("co\xC2\xAD" "operate", "cooperate");        /* soft hyphen */
    assert_norm("co\xE2\x80\x8D" "operate", "cooperate");    /* ZWJ */
    assert_norm("co\xE2\x80\x8C" "operate", "cooperate");    /* ZWNJ */
    assert_norm("co\xE2\x81\xA0" "operate", "cooperate");    /* word joiner */
    assert_norm("co\xEF\xBB\xBF" "operate", "cooperate");    /* BOM */
    /* a zero-width space inside a word is an evasion, not a separator
     * (issue 13): it is ignored too */
    assert_norm("co\xE2\x80\x8B" "operate", "cooperate");
    assert_int_equal(tok_count("co\xE2\x80\x8B" "operate"), 1);
    assert_int_equal(tok_count("one \xE2\x80\x8B two"), 2);
}

static void test_entities_decoded(void **state)
{
    (void)state;
    /* HTML entities in plain text read as their characters (issue 13) */
    assert_int_equal(word_hash("pr&eacute;sident"), word_hash("pr\xC3\xA9sident"));
    assert_int_equal(word_hash("r&#233;publique"), word_hash("r\xC3\xA9publique"));
    assert_int_equal(word_hash("caf&#xE9;"), word_hash("caf\xC3\xA9"));
    assert_int_equal(tok_count("pr&eacute;sident"), 1);
    /* separators stay separators; no ';', unknown names and invalid code
     * points are not entities */
    assert_int_equal(tok_count("salt&amp;pepper"), 2);
    assert_int_equal(tok_count("a&nbsp;b"), 2);
    assert_int_equal(tok_count("pr&eacutesident"), 2);
    assert_int_equal(tok_count("x&bogus;y"), 3);
    assert_int_equal(tok_count("x&#0;y"), 3);
    assert_int_equal(tok_count("x&#xD800;y"), 3);
    /* the token spans the entity's bytes */
    rp_token *t;
    assert_int_equal(tok_str("la pr&eacute;sidente", 0, &t), 2);
    assert_int_equal(t[1].start, 3);
    assert_int_equal(t[1].end, 20);
    free(t);
}

static void test_mixed_script_lookalikes(void **state)
{
    (void)state;
    /* Cyrillic а, е, о, р, с in Latin words fold to Latin */
    assert_norm("p\xD0\xB0ypal", "paypal");
    assert_norm("\xD1\x81\xD0\xBEmputer", "computer");
    assert_norm("PR\xD0\x95SIDENT", "president");            /* capital Е */
    /* Greek ο in a Latin word */
    assert_norm("g\xCE\xBF\xCE\xBFgle", "google");
    /* a Latin o in a Cyrillic word folds to Cyrillic: "мoсква" = "москва" */
    assert_int_equal(word_hash("\xD0\xBCo\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"),
                     word_hash("\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"));
    /* words in one script are never folded: Cyrillic "сор" is not "cop",
     * Greek "ορα" is not "opa" */
    assert_true(word_hash("\xD1\x81\xD0\xBE\xD1\x80") != word_hash("cop"));
    assert_true(word_hash("\xCE\xBF\xCF\x81\xCE\xB1") != word_hash("opa"));
}

static void test_nospace_bigrams(void **state)
{
    (void)state;
    rp_token *t = NULL;
    size_t n = tok_str("日本語", 0, &t);
    /* overlapping bigrams 日本, 本語, each spanning its two characters */
    assert_int_equal(n, 2);
    assert_true(t[0].hash == xxh("日本"));
    assert_true(t[1].hash == xxh("本語"));
    assert_int_equal(t[0].start, 0);
    assert_int_equal(t[0].end, 6);
    assert_int_equal(t[1].start, 3);
    assert_int_equal(t[1].end, 9);
    free(t);

    /* a run of one character is a token of its own */
    assert_norm("日", "日");
    /* a run of n characters gives n - 1 bigrams */
    assert_int_equal(tok_count("東京都庁舎"), 4);
    assert_int_equal(tok_count("日本 語"), 2);           /* 日本 + 語 */
    assert_int_equal(tok_count("日本。東京"), 2);         /* ideographic full stop */
    /* Latin next to Han: the word ends, the run begins */
    n = tok_str("abc日本def", 0, &t);
    assert_int_equal(n, 3);
    assert_true(t[0].hash == xxh("abc"));
    assert_true(t[1].hash == xxh("日本"));
    assert_true(t[2].hash == xxh("def"));
    assert_int_equal(t[2].start, 9);
    free(t);
    /* kana; half-width katakana normalizes to the full-width bigram */
    assert_norm("ひら", "ひら");
    assert_true(word_hash("ｶﾀ") == word_hash("カタ"));
    /* Thai: consonants make bigrams; vowel signs (marks) do not */
    assert_int_equal(tok_count("กขค"), 2);
    assert_int_equal(tok_count("สวัสดี"), 3);
    /* Thai bigrams agree with and without the marks */
    assert_same_tokens("สวัสดี", "สวสด");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    struct {
        const char *text;
        size_t len;
        const char *first, *last;   /* the words around the bad bytes */
    } cases[] = {
        {"abc\xC0\xAF" "def", 8, "abc", "def"},            /* overlong '/' */
        {"abc\xE0\x80\xAF" "def", 9, "abc", "def"},        /* overlong, 3 bytes */
        {"abc\xF0\x80\x80\xAF" "def", 10, "abc", "def"},   /* overlong, 4 bytes */
        {"abc\xED\xA0\x80" "def", 9, "abc", "def"},        /* UTF-16 surrogate */
        {"abc\xED\xBF\xBF" "def", 9, "abc", "def"},        /* low surrogate */
        {"abc\x80\x80" "def", 8, "abc", "def"},            /* lone continuations */
        {"abc\xBF" "def", 7, "abc", "def"},
        {"abc\xFF\xFE" "def", 8, "abc", "def"},            /* never valid */
        {"abc\xF4\x90\x80\x80" "def", 10, "abc", "def"},   /* above U+10FFFF */
        {"abc\xE2\x82" "def", 8, "abc", "def"},            /* truncated inside */
        {"abc\xC3", 4, "abc", "abc"},                      /* truncated at end */
        {"abc\xE2\x82", 5, "abc", "abc"},
        {"abc\xF0\x9F\x98", 6, "abc", "abc"},
        {"\x80" "abc", 4, "abc", "abc"},                   /* continuation first */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        rp_token *t = NULL;
        size_t n = 0;
        assert_int_equal(rp_tokenize(cases[i].text, cases[i].len, 0, &t, &n), RP_OK);
        size_t want = strcmp(cases[i].first, cases[i].last) ? 2 : 1;
        if (n != want)
            print_error("case %zu: %zu tokens\n", i, n);
        assert_int_equal(n, want);
        assert_true(t[0].hash == xxh(cases[i].first));
        assert_true(t[n - 1].hash == xxh(cases[i].last));
        /* the bad bytes never belong to a word */
        for (size_t j = 0; j < n; j++)
            for (uint32_t k = t[j].start; k < t[j].end; k++)
                assert_true((unsigned char)cases[i].text[k] < 0x80);
        free(t);
    }
    /* a bad byte just before a good multi-byte letter does not eat it:
     * Latin-1 "é" then UTF-8 "té" */
    assert_norm("\xE9t\xC3\xA9", "te");
    /* the decoder itself: U+FFFD and one byte consumed */
    int32_t cp = 0;
    assert_int_equal(rp_utf8_next((const uint8_t *)"\xC0\xAF", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(rp_utf8_next((const uint8_t *)"\xE2\x82", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(rp_utf8_next((const uint8_t *)"\xE2\x82\xAC", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(rp_utf8_next((const uint8_t *)"\xF0\x9F\x98\x80xyz", 7, &cp), 4);
    assert_int_equal(cp, 0x1F600);
}

static void test_invalid_utf8_random(void **state)
{
    (void)state;
    /* random bytes: never an error, every token inside the text and in
     * order, and the words between the garbage are still found */
    uint64_t rng = 7;
    char buf[600];
    for (int round = 0; round < 300; round++) {
        size_t len = 0;
        while (len < sizeof buf - 16) {
            if (sm64_below(&rng, 3) == 0) {
                memcpy(buf + len, " word ", 6);
                len += 6;
            } else {
                buf[len++] = (char)sm64(&rng);
            }
        }
        rp_token *t = NULL;
        size_t n = 0;
        assert_int_equal(rp_tokenize(buf, len, 0, &t, &n), RP_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(t[i].start < t[i].end);
            assert_true(t[i].end <= len);
            if (i)
                assert_true(t[i].start > t[i - 1].start);
        }
        assert_true(has_hash(t, n, xxh("word")));
        free(t);
    }
}

static void test_offsets(void **state)
{
    (void)state;
    const char *s = "  Héllo, wörld! cafe\xCC\x81 x\xC2\xAD" "y 日本";
    rp_token *t = NULL;
    size_t n = tok_str(s, 0, &t);
    assert_int_equal(n, 5);
    static const char *const words[] = {"Héllo", "wörld", "cafe\xCC\x81",
                                        "x\u00ADy", "日本"};
    static const char *const norm[] = {"hello", "world", "cafe", "xy", "日本"};
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        assert_int_equal(t[i].end - t[i].start, wl);
        assert_memory_equal(s + t[i].start, words[i], wl);
        assert_true(t[i].hash == xxh(norm[i]));
    }
    assert_int_equal(t[0].start, 2);
    free(t);

    /* re-tokenizing a token's own bytes gives the same hash */
    const char *u = "Über 40 Länder, «ſtraße» — und Ǆemal ﬁnal.";
    n = tok_str(u, 0, &t);
    assert_true(n >= 7);
    for (size_t i = 0; i < n; i++) {
        rp_token *one = NULL;
        size_t m = 0;
        assert_int_equal(rp_tokenize(u + t[i].start, t[i].end - t[i].start, 0,
                                     &one, &m), RP_OK);
        assert_int_equal(m, 1);
        assert_true(one[0].hash == t[i].hash);
        free(one);
    }
    free(t);
}

/* Builds the ASCII word of length len from the PRNG into w. */
static void random_ascii_word(uint64_t *rng, char *w, size_t len)
{
    static const char alnum[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (size_t i = 0; i < len; i++)
        w[i] = alnum[sm64_below(rng, sizeof alnum - 1)];
    w[len] = 0;
}

static void test_ascii_fast_path_equals_slow_path(void **state)
{
    (void)state;
    /* A pure-ASCII word takes the table path; the same word with one
     * combining mark, soft hyphen or joiner inside (all removed by the
     * normalization) takes the utf8proc path. Both must give the bytes of
     * the lowercased word. */
    static const char *const inserts[] = {
        "\xCC\x81",     /* U+0301 combining acute */
        "\xCC\x88",     /* U+0308 combining diaeresis */
        "\xC2\xAD",     /* soft hyphen */
        "\xE2\x80\x8D", /* ZWJ */
    };
    uint64_t rng = 42;
    char w[40], lower[40], slow[48];
    for (int i = 0; i < 400; i++) {
        size_t len = 1 + (size_t)sm64_below(&rng, 30);
        random_ascii_word(&rng, w, len);
        for (size_t k = 0; k <= len; k++)
            lower[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] - 'A' + 'a' : w[k]);
        size_t at = 1 + (size_t)sm64_below(&rng, len);
        const char *ins = inserts[sm64_below(&rng, ARRAY_LEN(inserts))];
        size_t il = strlen(ins);
        memcpy(slow, w, at);
        memcpy(slow + at, ins, il);
        memcpy(slow + at + il, w + at, len - at + 1);
        uint64_t hf = word_hash(w), hs = word_hash(slow);
        assert_true(hf == xxh(lower));
        if (hf != hs)
            print_error("fast '%s' != slow '%s'\n", w, slow);
        assert_true(hf == hs);
    }
    /* and words that are not ASCII at all but normalize to ASCII */
    assert_true(word_hash("Resume") == word_hash("Résumé"));
    assert_true(word_hash("HELLO") == word_hash("ＨＥＬＬＯ"));
    assert_true(word_hash("office") == word_hash("oﬃce"));
}

/* Pieces of hostile text for the fast paths: ASCII words of every length
 * around the 8-byte copies and 16-byte hash, two-byte letters, marks and
 * ignorables (Latin, Turkish, Greek, Cyrillic, Arabic with tatweel and
 * hamza, Hebrew), invalid and truncated sequences, overlongs, entities,
 * three- and four-byte code points and no-space scripts. */
static const char *const hostile[] = {
    "a", "Zz", "abc", "WORD", "hello", "Straße", "ABCDEFGH", "abcdefghi",
    "0123456789abcdef", "abcdefghijklmnopq", "x9", " ", " ", "  ", "\n", ",", ".",
    "-", "'", "&", "&amp;", "&eacute;", "&#305;", "&#x130;", "&nosuch;",
    "\xC3\xA9", "\xC3\x89", "\xC4\xB1", "\xC4\xB0", "\xC5\x9F", "\xCC\x81",
    "\xC2\xAD", "\xC2\xA0", "\xC2\xB7", "\xCE\xA3", "\xCF\x82", "\xD0\xB0",
    "\xD0\x90", "\xD8\xA7", "\xD9\x84", "\xD8\xA3", "\xD9\x80", "\xD9\x94",
    "\xD8\xA9", "\xD9\x89", "\xD7\x90", "\xDF\xBF", "\xC2", "\xDF", "\x80",
    "\xBF", "\xC0\x80", "\xC1\xBF", "\xC2\xC2", "\xE2\x80\x99", "\xE2\x80\x8D",
    "\xE2\x80", "\xEF\xBC\xA8", "\xE6\x97\xA5", "\xE0\xB8\x81", "\xF0\x9F\x98\x80",
    "\xF0\x9F", "\xFF", "\xFE", "\xED\xA0\x80", "\xEF\xAC\x83",
};

/* Tokens of s[0..len) fed as the ranges cut at cuts[0..ncuts) (a range
 * boundary ends a word), on the fast or the simple path. */
static size_t feed_ranges(const uint8_t *s, size_t len, const size_t *cuts, size_t ncuts,
                          int simple, rp_token **out)
{
    rp_tokenizer t;
    rp_tokenizer_init(&t, s, len);
    t.simple = simple;
    size_t at = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t to = k < ncuts ? cuts[k] : len;
        rp_tokenizer_feed(&t, at, to);
        at = to;
    }
    assert_int_equal(t.err, RP_OK);
    *out = t.tok;
    size_t n = t.n;
    t.tok = NULL;
    rp_tokenizer_free(&t);
    return n;
}

/* The same tokens, hash and place, in the same order. */
static void assert_tokens_equal(const rp_token *got, size_t ngot, const rp_token *want,
                               size_t nwant)
{
    assert_int_equal(ngot, nwant);
    for (size_t i = 0; i < ngot; i++) {
        assert_true(got[i].hash == want[i].hash);
        assert_int_equal(got[i].start, want[i].start);
        assert_int_equal(got[i].end, want[i].end);
    }
}

static void test_fast_paths_equal_simple_path(void **state)
{
    (void)state;
    /* Random texts of the pieces above and of random bytes, fed whole and
     * in random ranges: the 64-byte ASCII runs, the inline two-byte
     * decoding, the word cache and the inlined hash must give exactly the
     * tokens of the byte-at-a-time path, at every byte-scan level. */
    enum { CAP = 3000 };
    uint8_t *buf = malloc(CAP);
    assert_non_null(buf);
    int levels[3], nlevels = 0;
    for (int lv = RP_SCAN_SCALAR; lv <= RP_SCAN_AVX2; lv++)
        if (rp_bytescan_force(lv) == 0)
            levels[nlevels++] = lv;
    uint64_t rng = 15;
    for (int round = 0; round < 800; round++) {
        size_t len = 0, want = (size_t)sm64_below(&rng, CAP - 40);
        while (len < want) {
            uint64_t r = sm64(&rng);
            if (r % 8 == 0) {
                buf[len++] = (uint8_t)(r >> 8);
                continue;
            }
            const char *p = hostile[(r >> 8) % ARRAY_LEN(hostile)];
            size_t pl = strlen(p);
            memcpy(buf + len, p, pl);
            len += pl;
        }
        size_t cuts[8], ncuts = round % 2 ? 1 + (size_t)sm64_below(&rng, 7) : 0;
        for (size_t k = 0; k < ncuts; k++)
            cuts[k] = len ? (size_t)sm64_below(&rng, len + 1) : 0;
        for (size_t a = 1; a < ncuts; a++)   /* ascending */
            for (size_t b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
                size_t x = cuts[b];
                cuts[b] = cuts[b - 1];
                cuts[b - 1] = x;
            }
        rp_token *want_t = NULL;
        size_t nwant = feed_ranges(buf, len, cuts, ncuts, 1, &want_t);
        for (int k = 0; k < nlevels; k++) {
            rp_bytescan_force(levels[k]);
            rp_token *got = NULL;
            size_t ngot = feed_ranges(buf, len, cuts, ncuts, 0, &got);
            assert_tokens_equal(got, ngot, want_t, nwant);
            free(got);
        }
        free(want_t);
    }
    rp_bytescan_force(levels[nlevels - 1]);
    free(buf);
}

/* Appends the UTF-8 of cp to b at *n. */
static void put_utf8(uint8_t *b, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        b[(*n)++] = (uint8_t)cp;
    } else if (cp < 0x800) {
        b[(*n)++] = (uint8_t)(0xC0 | cp >> 6);
        b[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        b[(*n)++] = (uint8_t)(0xE0 | cp >> 12);
        b[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else {
        b[(*n)++] = (uint8_t)(0xF0 | cp >> 18);
        b[(*n)++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    }
}

static void test_every_code_point_fast_equals_simple(void **state)
{
    (void)state;
    /* Code points as words of their own, after a letter and before one,
     * 150 of them a text: many more non-ASCII words than the tokenizer
     * looks up in its word cache at once (RP_PENDING), so that filled-in
     * tokens, words that normalize to nothing and the end of a feed all
     * meet. Every one below U+3400 (the alphabets), then a sample. */
    enum { PER = 150 };
    uint8_t *buf = malloc(PER * 16);
    assert_non_null(buf);
    uint32_t cp = 0x80;
    while (cp <= 0x10FFFF) {
        size_t len = 0;
        for (int k = 0; k < PER && cp <= 0x10FFFF; k++) {
            if (cp < 0xD800 || cp > 0xDFFF) {
                static const char *forms[] = {"", "a", "", "\xC3\xA9"};
                const char *pre = forms[k % 4];
                memcpy(buf + len, pre, strlen(pre));
                len += strlen(pre);
                put_utf8(buf, &len, cp);
                if (k % 3 == 0)
                    buf[len++] = 'b';
                buf[len++] = ' ';
            }
            cp += cp < 0x3400 ? 1 : 61;
        }
        rp_token *want = NULL, *got = NULL;
        size_t nwant = feed_ranges(buf, len, NULL, 0, 1, &want);
        size_t ngot = feed_ranges(buf, len, NULL, 0, 0, &got);
        assert_tokens_equal(got, ngot, want, nwant);
        free(want);
        free(got);
    }
    free(buf);
}

static void test_long_words_capped(void **state)
{
    (void)state;
    enum { LONG = 3 * RP_WORD_MAX };
    char *a = malloc(LONG + 2), *b = malloc(LONG + 2);
    assert_non_null(a);
    assert_non_null(b);
    memset(a, 'a', LONG);
    a[LONG] = 0;
    /* hashed on the first RP_WORD_MAX bytes; the span is the whole run */
    rp_token *t = NULL;
    size_t n = tok_str(a, 0, &t);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].start, 0);
    assert_int_equal(t[0].end, LONG);
    assert_true(t[0].hash == XXH3_64bits(a, RP_WORD_MAX));
    free(t);
    /* so two long words differing only after the cap agree */
    memcpy(b, a, LONG + 1);
    b[LONG - 1] = 'b';
    assert_true(word_hash(a) == word_hash(b));
    b[RP_WORD_MAX - 1] = 'b';
    assert_true(word_hash(a) != word_hash(b));

    /* the slow path caps at the same place: "é" + a...a normalizes to
     * "e" + a...a and must hash like the ASCII word "e" + a...a */
    memcpy(b, "\xC3\xA9", 2);
    memset(b + 2, 'a', LONG - 2);
    b[LONG] = 0;
    a[0] = 'e';
    assert_true(word_hash(a) == word_hash(b));
    /* a long word of two-byte letters keeps whole letters only */
    char *c = malloc(2 * LONG + 1);
    assert_non_null(c);
    for (size_t i = 0; i < LONG; i++)
        memcpy(c + 2 * i, "\xD0\xB6", 2);     /* ж */
    c[2 * LONG] = 0;
    n = tok_str(c, 0, &t);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].end, 2 * LONG);
    assert_true(t[0].hash == XXH3_64bits(c, RP_WORD_MAX));
    free(t);
    free(a);
    free(b);
    free(c);

    /* a 4 MB word costs no more than one token */
    size_t big = (size_t)4 << 20;
    char *d = malloc(big);
    assert_non_null(d);
    for (size_t i = 0; i < big; i++)
        d[i] = (char)('a' + i % 26);
    assert_int_equal(rp_tokenize(d, big, 0, &t, &n), RP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].end, big);
    free(t);
    free(d);
}

static void test_too_big(void **state)
{
    (void)state;
#if SIZE_MAX > 0xFFFFFFFFu
    /* the length is refused before a byte is read */
    rp_token dummy, *t = &dummy;
    size_t n = 99;
    assert_int_equal(rp_tokenize("x", RP_MAX_TEXT + 1, 0, &t, &n), RP_ETOOBIG);
    assert_null(t);
    assert_int_equal(n, 0);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_composition_below_0800),
        cmocka_unit_test(test_ascii_words),
        cmocka_unit_test(test_nfkc),
        cmocka_unit_test(test_case_folding),
        cmocka_unit_test(test_accents),
        cmocka_unit_test(test_punct_fold_table),
        cmocka_unit_test(test_punct_variants_hash_equal),
        cmocka_unit_test(test_scripts_by_category),
        cmocka_unit_test(test_turkish_i),
        cmocka_unit_test(test_arabic_folds),
        cmocka_unit_test(test_ignorables),
        cmocka_unit_test(test_mixed_script_lookalikes),
        cmocka_unit_test(test_entities_decoded),
        cmocka_unit_test(test_nospace_bigrams),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_invalid_utf8_random),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_ascii_fast_path_equals_slow_path),
        cmocka_unit_test(test_fast_paths_equal_simple_path),
        cmocka_unit_test(test_every_code_point_fast_equals_simple),
        cmocka_unit_test(test_long_words_capped),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
