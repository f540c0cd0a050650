/*
 * test_doc.c - documents and options: the options object, rp_doc_new
 * and its errors, word and shingle counts, rp_doc_compare (the figures and
 * the rule) and rp_doc_verify against it, rp_doc_estimate, rp_strerror and
 * rp_version.
 */
#include "testutil.h"

#include <math.h>

#include "doc.h"

/* A malloc'd text of n pseudo-words from seed. */
static char *text(uint64_t seed, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    uint64_t st = seed;
    gen_words(&st, n, &buf, &len);
    return buf;
}

static void test_options(void **state)
{
    (void)state;
    rp_options o;
    memset(&o, 0xA5, sizeof o);
    rp_options_init(&o);
    assert_int_equal(o.shingle, RP_DEFAULT_SHINGLE);
    assert_int_equal(o.shingle, 3);
    assert_int_equal(o.hashes, 256);
    assert_float_equal(o.threshold, 0.5, 0);
    assert_int_equal(o.min_shared, 8);
    assert_float_equal(o.lsh_threshold, 0, 0);   /* 0: derived */
    assert_int_equal(o.bands, 0);
    assert_int_equal(o.rows, 0);
    assert_int_equal(o.keep_boilerplate, 0);
    assert_int_equal(o.exhaustive, 0);
    assert_int_equal(o.furniture_df, 5);
    assert_int_equal(rp_options_check(&o), RP_OK);

    rp_options b;
#define CHECK_OPT(field_set, want) do { \
        b = o; field_set; \
        assert_int_equal(rp_options_check(&b), want); \
    } while (0)
    CHECK_OPT(b.shingle = 0, RP_EINVAL);
    CHECK_OPT(b.shingle = 1, RP_OK);
    CHECK_OPT(b.shingle = 16, RP_OK);
    CHECK_OPT(b.shingle = 17, RP_EINVAL);
    CHECK_OPT(b.hashes = 15, RP_EINVAL);
    CHECK_OPT(b.hashes = 16, RP_OK);
    CHECK_OPT(b.hashes = 1024, RP_OK);
    CHECK_OPT(b.hashes = 1025, RP_EINVAL);
    CHECK_OPT(b.threshold = 0, RP_OK);
    CHECK_OPT(b.threshold = 1, RP_OK);
    CHECK_OPT(b.threshold = -0.01, RP_EINVAL);
    CHECK_OPT(b.threshold = 1.01, RP_EINVAL);
    CHECK_OPT(b.threshold = NAN, RP_EINVAL);
    CHECK_OPT(b.lsh_threshold = 0.3, RP_OK);
    CHECK_OPT(b.lsh_threshold = 1, RP_EINVAL);
    CHECK_OPT(b.lsh_threshold = -0.1, RP_EINVAL);
    CHECK_OPT(b.lsh_threshold = NAN, RP_EINVAL);
    CHECK_OPT((b.bands = 64, b.rows = 4), RP_OK);
    CHECK_OPT((b.bands = 64, b.rows = 5), RP_EINVAL);     /* 320 > 256 */
    CHECK_OPT((b.bands = 8, b.rows = 0), RP_EINVAL);
    CHECK_OPT((b.bands = 0, b.rows = 8), RP_EINVAL);
    CHECK_OPT((b.hashes = 16, b.bands = 16, b.rows = 1), RP_OK);
    CHECK_OPT(b.min_shared = 0, RP_OK);
#undef CHECK_OPT
    assert_int_equal(rp_options_check(NULL), RP_EINVAL);
}

static void test_doc_new_errors(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_doc *d = (rp_doc *)1;
    assert_int_equal(rp_doc_new("", 0, &o, &d), RP_ENOWORDS);
    assert_null(d);   /* the out-parameter is cleared on failure */
    assert_int_equal(rp_doc_new(" ... -- !? \n\t", 12, &o, &d), RP_ENOWORDS);
    assert_null(d);
    assert_int_equal(rp_doc_new("\xFF\xFE\x80", 3, &o, &d), RP_ENOWORDS);
    assert_null(d);
    /* only furniture: no words once cleaned, words when kept */
    static const char furn[] = "Share this article\nADVERTISEMENT\nPrint\n";
    assert_int_equal(rp_doc_new(furn, strlen(furn), &o, &d), RP_ENOWORDS);
    o.keep_boilerplate = 1;
    assert_int_equal(rp_doc_new(furn, strlen(furn), &o, &d), RP_OK);
    assert_non_null(d);
    assert_int_equal(rp_doc_words(d), 5);
    rp_doc_free(d);
    o.keep_boilerplate = 0;
    /* invalid options */
    rp_options bad = o;
    bad.shingle = 0;
    d = (rp_doc *)1;
    assert_int_equal(rp_doc_new("some words here", 15, &bad, &d), RP_EINVAL);
    assert_null(d);
    /* NULL options: the defaults */
    assert_int_equal(rp_doc_new("some words here", 15, NULL, &d), RP_OK);
    assert_non_null(d);
    assert_int_equal(rp_doc_shingles(d), 1);
    rp_doc_free(d);
#if SIZE_MAX > 0xFFFFFFFFu
    /* too big: refused before a byte is read */
    assert_int_equal(rp_doc_new("x", RP_MAX_TEXT + 1, &o, &d), RP_ETOOBIG);
    assert_null(d);
#endif
}

/* The public options object: defaults, the setter's ranges, the getter,
 * copies, and the check of the settings that depend on each other. */
static void test_options_object(void **state)
{
    (void)state;
    rp_options *o = NULL;
    assert_int_equal(rp_options_new(&o), RP_OK);
    assert_non_null(o);
    rp_options def;
    rp_options_init(&def);
    assert_memory_equal(o, &def, sizeof def);
    double v = -1;
    assert_int_equal(rp_options_get(o, RP_OPT_SHINGLE, &v), RP_OK);
    assert_true(v == RP_DEFAULT_SHINGLE);
    assert_int_equal(rp_options_get(o, RP_OPT_THRESHOLD, &v), RP_OK);
    assert_true(v == RP_DEFAULT_THRESHOLD);
    /* every option takes a value in its range and gives it back */
    static const struct { rp_option opt; double ok, lo_bad, hi_bad; } r[] = {
        {RP_OPT_SHINGLE, 5, 0, 17},
        {RP_OPT_HASHES, 128, 15, 1025},
        {RP_OPT_THRESHOLD, 0.3, -0.01, 1.01},
        {RP_OPT_LSH_THRESHOLD, 0.2, -0.1, 1},
        {RP_OPT_BANDS, 16, -1, 1025},
        {RP_OPT_ROWS, 4, -1, 1025},
        {RP_OPT_MIN_SHARED, 3, -1, 4294967296.0},
        {RP_OPT_KEEP_BOILERPLATE, 1, -1, 2},
        {RP_OPT_FURNITURE_DF, 0, -1, 4294967296.0},
        {RP_OPT_EXHAUSTIVE, 1, -1, 2},
    };
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
        double before;
        assert_int_equal(rp_options_get(o, r[i].opt, &before), RP_OK);
        assert_int_equal(rp_options_set(o, r[i].opt, r[i].lo_bad), RP_EINVAL);
        assert_int_equal(rp_options_set(o, r[i].opt, r[i].hi_bad), RP_EINVAL);
        assert_int_equal(rp_options_set(o, r[i].opt, 0.0 / 0.0), RP_EINVAL);
        assert_int_equal(rp_options_get(o, r[i].opt, &v), RP_OK);
        assert_true(v == before);   /* unchanged by a refused value */
        assert_int_equal(rp_options_set(o, r[i].opt, r[i].ok), RP_OK);
        assert_int_equal(rp_options_get(o, r[i].opt, &v), RP_OK);
        assert_true(v == r[i].ok);
    }
    /* whole-number options refuse fractions */
    assert_int_equal(rp_options_set(o, RP_OPT_SHINGLE, 2.5), RP_EINVAL);
    /* unknown options */
    assert_int_equal(rp_options_set(o, (rp_option)0, 1), RP_EINVAL);
    assert_int_equal(rp_options_get(o, (rp_option)99, &v), RP_EINVAL);
    /* 16 bands of 4 rows fit 128 hashes; 64 bands do not */
    assert_int_equal(rp_options_check(o), RP_OK);
    assert_int_equal(rp_options_set(o, RP_OPT_BANDS, 64), RP_OK);
    assert_int_equal(rp_options_check(o), RP_EINVAL);
    rp_options *copy = NULL;
    assert_int_equal(rp_options_copy(o, &copy), RP_OK);
    assert_memory_equal(copy, o, sizeof def);
    rp_options_free(o);
    assert_int_equal(rp_options_copy(NULL, &o), RP_EINVAL);
    assert_null(o);
    /* a corpus refuses options that fail the check */
    rp_corpus *c = (rp_corpus *)1;
    assert_int_equal(rp_corpus_new(copy, &c), RP_EINVAL);
    assert_null(c);
    rp_options_free(copy);
    rp_options_free(NULL);
}

static void test_counts(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_doc *d = doc_str("one two three four five six seven", &o);
    assert_int_equal(rp_doc_words(d), 7);
    assert_int_equal(rp_doc_shingles(d), 7 - o.shingle + 1);
    rp_doc_free(d);
    /* fewer words than k: one shingle */
    d = doc_str("just two", &o);
    assert_int_equal(rp_doc_words(d), 2);
    assert_int_equal(rp_doc_shingles(d), 1);
    rp_doc_free(d);
    /* repeats count once */
    o.shingle = 2;
    d = doc_str("a b a b a b a b", &o);
    assert_int_equal(rp_doc_words(d), 8);
    assert_int_equal(rp_doc_shingles(d), 2);
    rp_doc_free(d);
    /* cleaning happens before counting */
    o.shingle = 1;
    d = doc_str("By Staff Reporter\nFerries run again.\nShare\n", &o);
    assert_int_equal(rp_doc_words(d), 3);
    rp_doc_free(d);
}

static void test_compare_trimmed(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    char *full = text(1, 300);
    /* the trimmed copy: the first 120 words, cut at a word boundary */
    char *cut = xstrdup(full);
    assert_non_null(cut);
    size_t words = 0;
    for (char *p = cut; *p; p++)
        if (*p == ' ' && ++words == 120) {
            *p = 0;
            break;
        }
    rp_doc *a = doc_str(full, &o), *b = doc_str(cut, &o);
    size_t na = rp_doc_shingles(a), nb = rp_doc_shingles(b);
    assert_true(nb < na);
    rp_sim s, r;
    rp_doc_compare(a, b, &o, &s);
    /* every shingle of the cut is in the full text */
    assert_int_equal(s.shared, nb);
    assert_float_equal(s.containment_ba, 1.0, 1e-12);
    assert_float_equal(s.containment_ab, (double)nb / (double)na, 1e-12);
    assert_float_equal(s.jaccard, (double)nb / (double)na, 1e-12);
    assert_true(s.jaccard <= s.containment_ab + 1e-12);
    assert_true(s.jaccard <= s.containment_ba + 1e-12);
    /* the score is the larger containment: the cut lies in the full text */
    assert_float_equal(s.score, 1.0, 1e-12);
    assert_true(s.similar);
    /* the other way round swaps the containments only */
    rp_doc_compare(b, a, &o, &r);
    assert_float_equal(r.containment_ab, s.containment_ba, 0);
    assert_float_equal(r.containment_ba, s.containment_ab, 0);
    assert_float_equal(r.jaccard, s.jaccard, 0);
    assert_float_equal(r.score, s.score, 0);
    assert_int_equal(r.shared, s.shared);
    assert_int_equal(r.similar, s.similar);
    /* a document against itself */
    rp_doc_compare(a, a, &o, &r);
    assert_float_equal(r.jaccard, 1.0, 0);
    assert_float_equal(r.containment_ab, 1.0, 0);
    assert_int_equal(r.shared, na);
    assert_true(r.similar);
    /* unrelated texts */
    char *other = text(2, 300);
    rp_doc *c = doc_str(other, &o);
    rp_doc_compare(a, c, &o, &r);
    assert_int_equal(r.shared, 0);
    assert_float_equal(r.score, 0.0, 0);
    assert_false(r.similar);
    rp_doc_free(a);
    rp_doc_free(b);
    rp_doc_free(c);
    free(full);
    free(cut);
    free(other);
}

static void test_rule(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_sim s;
    /* Jaccard never exceeds either containment; score is the larger one */
    static const size_t counts[][3] = {
        {100, 100, 100}, {100, 50, 50}, {100, 50, 25}, {10, 1000, 8},
        {1000, 10, 9}, {7, 7, 0}, {1, 1, 1}, {30, 40, 20}};
    for (size_t i = 0; i < ARRAY_LEN(counts); i++) {
        rp_sim_from_counts(counts[i][0], counts[i][1], counts[i][2], &o, &s);
        double ca = (double)counts[i][2] / (double)counts[i][0];
        double cb = (double)counts[i][2] / (double)counts[i][1];
        assert_float_equal(s.containment_ab, ca, 1e-12);
        assert_float_equal(s.containment_ba, cb, 1e-12);
        assert_true(s.jaccard <= s.containment_ab + 1e-12);
        assert_true(s.jaccard <= s.containment_ba + 1e-12);
        double want = counts[i][2] >= o.min_shared ? (ca > cb ? ca : cb) : 0.0;
        assert_float_equal(s.score, want, 1e-12);
        assert_int_equal(s.similar, want >= o.threshold && counts[i][2] > 0);
    }
    /* fewer than min_shared shingles in common: no score */
    rp_sim_from_counts(7, 7, 7, &o, &s);
    assert_float_equal(s.score, 0.0, 0);
    assert_false(s.similar);
    o.min_shared = 7;
    rp_sim_from_counts(7, 7, 7, &o, &s);
    assert_float_equal(s.score, 1.0, 0);
    assert_true(s.similar);
    /* the threshold is inclusive */
    o.min_shared = 1;
    o.threshold = 0.25;
    rp_sim_from_counts(100, 100, 25, &o, &s);
    assert_true(s.similar);
    o.threshold = 0.2501;
    rp_sim_from_counts(100, 100, 25, &o, &s);
    assert_false(s.similar);
    /* nothing shared is never similar, even at threshold 0 */
    o.threshold = 0;
    o.min_shared = 0;
    rp_sim_from_counts(10, 10, 0, &o, &s);
    assert_false(s.similar);
    /* empty sets divide by nothing */
    rp_sim_from_counts(0, 0, 0, &o, &s);
    assert_float_equal(s.jaccard, 0.0, 0);
    assert_float_equal(s.containment_ab, 0.0, 0);
    assert_float_equal(s.containment_ba, 0.0, 0);
    assert_false(s.similar);
}

static void test_estimate(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    char *t1 = text(10, 400), *t2 = NULL;
    size_t len = 0;
    /* t2: the first half of t1's words, then 200 new ones */
    t2 = xstrdup(t1);
    assert_non_null(t2);
    size_t words = 0;
    for (char *p = t2; *p; p++)
        if (*p == ' ' && ++words == 200) {
            p[1] = 0;
            break;
        }
    len = strlen(t2);
    uint64_t st = 11;
    gen_words(&st, 200, &t2, &len);
    rp_doc *a = doc_str(t1, &o), *b = doc_str(t2, &o);
    rp_sim s;
    rp_doc_compare(a, b, &o, &s);
    assert_true(s.jaccard > 0.2 && s.jaccard < 0.5);
    double est = rp_doc_estimate(a, b), se = sqrt(s.jaccard * (1 - s.jaccard) / o.hashes);
    assert_true(fabs(est - s.jaccard) <= 4 * se);
    assert_true(rp_doc_estimate(a, a) == 1.0);
    assert_true(rp_doc_estimate(a, b) == rp_doc_estimate(b, a));
    /* signatures of different lengths cannot be compared */
    rp_options o2 = o;
    o2.hashes = 128;
    rp_doc *c = doc_str(t1, &o2);
    assert_true(rp_doc_estimate(a, c) == 0.0);
    /* options do not change the shingles, only the signature */
    assert_int_equal(rp_doc_shingles(a), rp_doc_shingles(c));
    rp_doc_free(a);
    rp_doc_free(b);
    rp_doc_free(c);
    free(t1);
    free(t2);
}

static void test_strerror(void **state)
{
    (void)state;
    static const int codes[] = {RP_OK, RP_ENOMEM, RP_EINVAL, RP_ENOWORDS,
                                RP_EDUPID, RP_ETOOBIG, RP_ESTATE, RP_ELOAD};
    const char *unknown = rp_strerror(-1000);
    assert_non_null(unknown);
    assert_non_null(rp_strerror(1));
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        const char *m = rp_strerror(codes[i]);
        assert_non_null(m);
        size_t n = strlen(m);
        assert_true(n > 0);
        /* house style: lowercase, no final period */
        assert_false(m[0] >= 'A' && m[0] <= 'Z');
        assert_true(m[n - 1] != '.');
        assert_string_not_equal(m, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(m, rp_strerror(codes[j]));
    }
    /* the codes are distinct and negative except RP_OK */
    for (size_t i = 1; i < ARRAY_LEN(codes); i++)
        assert_true(codes[i] < 0);
}

static void test_version(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", RP_VERSION_MAJOR, RP_VERSION_MINOR,
             RP_VERSION_PATCH);
    assert_string_equal(rp_version(), want);
    assert_string_equal(rp_version(), RP_VERSION_STRING);
}

/* A rebuild from the ranges the cleaner kept gives the same document as
 * cleaning again; a record that does not fit the text is refused. */
static void test_rebuild_from_kept(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    char *body = gen_text(11, 300);
    size_t blen = strlen(body);
    const char *head = "Share this article\nBy Jane Doe\n\nPARIS (AFP) - ";
    const char *tail = "\n\n<p>See <a href=\"x\">http://example.org/x</a> "
                       "and mail me@example.org</p>\nPhoto: AFP\n";
    size_t len = strlen(head) + blen + strlen(tail);
    char *text = malloc(len + 1);
    assert_non_null(text);
    snprintf(text, len + 1, "%s%s%s", head, body, tail);
    int err = -1;
    rp_doc *a = NULL;
    assert_int_equal(rp_doc_new(text, len, &o, &a), RP_OK);
    assert_non_null(a);
    assert_non_null(a->kept);
    rp_doc *b = rp_doc_rebuild(text, len, &o, NULL, NULL, a->kept, a->nkept, &err);
    assert_non_null(b);
    assert_true(a->digest == b->digest);
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->sh, b->sh, a->n * sizeof *a->sh);
    /* a rebuild is compared by its set: it has no signature */
    assert_null(b->sig);
    assert_int_equal(b->K, 0);
    assert_true(rp_doc_estimate(a, b) == 0.0);
    rp_sim sab, saa;
    rp_doc_compare(a, b, &o, &sab);
    rp_doc_compare(a, a, &o, &saa);
    assert_int_equal(sab.shared, saa.shared);
    assert_true(sab.similar);
    /* a record pointing past the end of the text */
    const uint8_t bad[] = {0x80, 0x80, 0x80, 0x01, 0x05};
    assert_null(rp_doc_rebuild(text, 10, &o, NULL, NULL, bad, sizeof bad, &err));
    assert_int_equal(err, RP_EINVAL);
    /* a record cut in the middle of a number */
    assert_null(rp_doc_rebuild(text, len, &o, NULL, NULL, bad, 2, &err));
    assert_int_equal(err, RP_EINVAL);
    /* keeping the boilerplate records nothing */
    o.keep_boilerplate = 1;
    rp_doc *c = NULL;
    assert_int_equal(rp_doc_new(text, len, &o, &c), RP_OK);
    assert_non_null(c);
    assert_null(c->kept);
    rp_doc_free(a);
    rp_doc_free(b);
    rp_doc_free(c);
    free(text);
    free(body);
}

/* rp_doc_verify agrees with rp_doc_compare on whether a pair is
 * similar, and when it is, on every figure: cuts of one text from 2 to
 * 400 words, that text with others appended, and unrelated texts, under
 * thresholds from 0.3 to 1 and min_shared from 1 to 300 (where some
 * pairs can never be similar). */
static void test_verify_as_compare(void **state)
{
    (void)state;
    enum { N = 10 };
    static const size_t cut[N] = {2, 9, 40, 120, 200, 260, 399, 400, 400, 400};
    char *base = text(21, 400);
    rp_doc *d[N + 2];
    for (size_t i = 0; i < N; i++) {
        /* the first cut[i] words of base; the last two with other words
         * after them */
        size_t len = 0;
        for (size_t w = 0; w < cut[i]; w++)
            len += strcspn(base + len, " ") + (base[len + strcspn(base + len, " ")] == ' ');
        char *other = text(100 + i, i == N - 1 ? 800 : 150);
        size_t olen = i >= N - 2 ? strlen(other) : 0;
        char *t = malloc(len + olen + 2);
        assert_non_null(t);
        memcpy(t, base, len);
        t[len] = ' ';
        memcpy(t + len + 1, other, olen);
        t[len + 1 + olen] = 0;
        assert_int_equal(rp_doc_new(t, len + 1 + olen, NULL, &d[i]), RP_OK);
        free(t);
        free(other);
    }
    for (size_t i = 0; i < 2; i++) {
        char *t = text(500 + i, 300);
        assert_int_equal(rp_doc_new(t, strlen(t), NULL, &d[N + i]), RP_OK);
        free(t);
    }
    static const double thr[] = {0.3, 0.5, 0.8, 0.99, 1.0};
    static const unsigned least[] = {1, 8, 300};
    size_t similar = 0, not_similar = 0;
    for (size_t t = 0; t < ARRAY_LEN(thr); t++)
        for (size_t m = 0; m < ARRAY_LEN(least); m++) {
            rp_options o;
            rp_options_init(&o);
            o.threshold = thr[t];
            o.min_shared = least[m];
            for (size_t i = 0; i < N + 2; i++)
                for (size_t j = 0; j < N + 2; j++) {
                    rp_sim want, got;
                    rp_doc_compare(d[i], d[j], &o, &want);
                    memset(&got, 0x5A, sizeof got);
                    rp_doc_verify(d[i], d[j], &o, &got);
                    assert_int_equal(got.similar, want.similar);
                    if (!want.similar) {
                        not_similar++;
                        continue;
                    }
                    similar++;
                    assert_int_equal(got.shared, want.shared);
                    assert_true(got.jaccard == want.jaccard);
                    assert_true(got.containment_ab == want.containment_ab);
                    assert_true(got.containment_ba == want.containment_ba);
                    assert_true(got.score == want.score);
                }
        }
    /* both kinds were met, many times */
    assert_true(similar > 100);
    assert_true(not_similar > 100);
    for (size_t i = 0; i < N + 2; i++)
        rp_doc_free(d[i]);
    free(base);
}

static void test_free_null(void **state)
{
    (void)state;
    rp_doc_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_doc_new_errors),
        cmocka_unit_test(test_options_object),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_compare_trimmed),
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_rebuild_from_kept),
        cmocka_unit_test(test_verify_as_compare),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
