/*
 * test_shingle.c - word k-gram hashing: the output is the sorted,
 * repeat-free set of window hashes (rp_shingle_set: the same set, unsorted;
 * rp_shingle_sketch: its size and rp_minhash's signature of it, for every
 * k, through the table of the thread and past it);
 * texts shorter than k give one shingle;
 * order matters; and the merge count agrees with a naive count.
 */
#include "testutil.h"

#include "minhash.h"
#include "shingle.h"
#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Tokens with the given word hashes (offsets are not used here). */
static rp_token *tokens(const uint64_t *h, size_t n)
{
    rp_token *t = calloc(n ? n : 1, sizeof *t);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        t[i].hash = h[i];
        t[i].start = (uint32_t)i;
        t[i].end = (uint32_t)i + 1;
    }
    return t;
}

/* The shingle set the naive way: hash every window, qsort, drop repeats. */
static size_t naive_shingles(const uint64_t *h, size_t n, unsigned k, uint64_t *out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        out[0] = rp_shingle_hash(h, (unsigned)n);
        return 1;
    }
    size_t m = 0;
    for (size_t i = 0; i + k <= n; i++)
        out[m++] = rp_shingle_hash(h + i, k);
    qsort(out, m, sizeof *out, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < m; i++)
        if (w == 0 || out[i] != out[w - 1])
            out[w++] = out[i];
    return w;
}

/* Shingles of the words of a C string. */
static size_t text_shingles(const char *s, unsigned k, uint64_t *out)
{
    rp_token *t = NULL;
    size_t n = tok_str(s, 0, &t);
    size_t m = rp_shingle(t, n, k, out);
    free(t);
    return m;
}

static void test_matches_naive(void **state)
{
    (void)state;
    /* every k from 1 to 16, random lengths, words from a small vocabulary
     * so that windows repeat */
    uint64_t rng = 3;
    uint64_t h[400], got[400], want[400];
    for (unsigned k = 1; k <= 16; k++) {
        for (int round = 0; round < 20; round++) {
            size_t n = (size_t)sm64_below(&rng, ARRAY_LEN(h));
            uint64_t vocab = 1 + sm64_below(&rng, 6);
            for (size_t i = 0; i < n; i++)
                h[i] = sm64_mix(sm64_below(&rng, vocab));
            rp_token *t = tokens(h, n);
            size_t m = rp_shingle(t, n, k, got);
            size_t w = naive_shingles(h, n, k, want);
            assert_int_equal(m, w);
            if (m)
                assert_memory_equal(got, want, m * sizeof *got);
            /* sorted, strictly: no repeats */
            for (size_t i = 1; i < m; i++)
                assert_true(got[i - 1] < got[i]);
            assert_true(n == 0 ? m == 0 : m >= 1);
            /* rp_shingle_set: the same set, in another order */
            assert_int_equal(rp_shingle_set(t, n, k, got), m);
            qsort(got, m, sizeof *got, cmp_u64);
            if (m)
                assert_memory_equal(got, want, m * sizeof *got);
            /* rp_shingle_sketch: its size and signature, at a K that
             * changes from round to round */
            static const unsigned Ks[] = {16, 256, 1024, 256};
            unsigned K = Ks[round % 4];
            uint32_t sig[1024], ref[1024];
            rp_minhash(want, w, ref, K);
            assert_int_equal(rp_shingle_sketch(t, n, k, sig, K), w);
            assert_memory_equal(sig, ref, K * sizeof *sig);
            free(t);
        }
    }
}

/* n tokens of words drawn from a vocabulary of vocab, from seed. */
static rp_token *random_tokens(size_t n, uint64_t seed, uint64_t vocab)
{
    uint64_t *h = malloc(n * sizeof *h);
    assert_non_null(h);
    for (size_t i = 0; i < n; i++)
        h[i] = sm64_mix(sm64_below(&seed, vocab));
    rp_token *t = tokens(h, n);
    free(h);
    return t;
}

/* A set too large for rp_shingle_set's table (sorted instead): the same
 * set as rp_shingle's. */
static void test_set_large(void **state)
{
    (void)state;
    enum { N = 70000 };
    uint64_t *got = malloc(N * sizeof *got), *want = malloc(N * sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    rp_token *t = random_tokens(N, 17, 30000);
    size_t m = rp_shingle_set(t, N, 3, got);
    assert_int_equal(m, rp_shingle(t, N, 3, want));
    qsort(got, m, sizeof *got, cmp_u64);
    assert_memory_equal(got, want, m * sizeof *got);
    free(t);
    free(got);
    free(want);
}

/* rp_shingle_sketch at the edge of its table (8,192 windows), one past
 * it and far past it (the set is then made and signed): the size and
 * signature of the set as rp_shingle gives it, and the same again on the
 * table left behind by a larger document. */
static void test_sketch_sizes(void **state)
{
    (void)state;
    enum { N = 70000, K = 256 };
    uint64_t *want = malloc(N * sizeof *want);
    assert_non_null(want);
    rp_token *t = random_tokens(N, 29, 40000);
    static const size_t sizes[] = {8194, 8195, N, 8194, 3, 2, 1, 0, 5000};
    for (size_t r = 0; r < ARRAY_LEN(sizes); r++) {
        size_t n = sizes[r];
        uint32_t sig[K], ref[K];
        size_t m = rp_shingle(t, n, 3, want);
        rp_minhash(want, m, ref, K);
        assert_int_equal(rp_shingle_sketch(t, n, 3, sig, K), m);
        assert_memory_equal(sig, ref, sizeof sig);
    }
    free(t);
    free(want);
}

static void test_repeats_removed(void **state)
{
    (void)state;
    uint64_t out[16];
    /* "a b c" three times: windows abc bca cab abc bca cab abc */
    assert_int_equal(text_shingles("a b c a b c a b c", 3, out), 3);
    assert_int_equal(text_shingles("a a a a a a a a", 3, out), 1);
    assert_int_equal(text_shingles("a a a a a a a a", 1, out), 1);
    assert_int_equal(text_shingles("one two three four five six seven", 5, out), 3);
    assert_int_equal(text_shingles("one two three four five six seven", 1, out), 7);
    /* case and punctuation do not make new shingles */
    assert_int_equal(text_shingles("The cat. THE CAT! the, cat", 2, out), 2);
}

static void test_short_text(void **state)
{
    (void)state;
    uint64_t h[4] = {11, 22, 33, 44}, out[8];
    rp_token *t = tokens(h, 4);
    /* fewer than k words: one shingle of all of them */
    assert_int_equal(rp_shingle(t, 2, 5, out), 1);
    assert_true(out[0] == rp_shingle_hash(h, 2));
    assert_int_equal(rp_shingle(t, 4, 16, out), 1);
    assert_true(out[0] == rp_shingle_hash(h, 4));
    assert_int_equal(rp_shingle(t, 1, 5, out), 1);
    assert_true(out[0] == rp_shingle_hash(h, 1));
    /* exactly k words: also one shingle, the same as the short rule */
    assert_int_equal(rp_shingle(t, 4, 4, out), 1);
    assert_true(out[0] == rp_shingle_hash(h, 4));
    /* no words: nothing */
    assert_int_equal(rp_shingle(t, 0, 5, out), 0);
    free(t);
    /* different short texts differ */
    uint64_t a, b;
    assert_int_equal(text_shingles("breaking news", 5, &a), 1);
    assert_int_equal(text_shingles("news breaking", 5, &b), 1);
    assert_true(a != b);
}

static void test_order_sensitive(void **state)
{
    (void)state;
    uint64_t a[8], b[8];
    size_t na = text_shingles("alpha beta gamma delta", 3, a);
    size_t nb = text_shingles("delta gamma beta alpha", 3, b);
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    assert_int_equal(rp_intersect_count(a, na, b, nb), 0);
    /* a swap of two words changes every window that holds just one */
    nb = text_shingles("alpha gamma beta delta", 3, b);
    assert_int_equal(rp_intersect_count(a, na, b, nb), 0);
    nb = text_shingles("alpha beta gamma delta", 3, b);
    assert_int_equal(rp_intersect_count(a, na, b, nb), 2);
    /* k = 1 is a bag of words: order no longer matters */
    na = text_shingles("alpha beta gamma delta", 1, a);
    nb = text_shingles("delta gamma beta alpha", 1, b);
    assert_int_equal(na, 4);
    assert_int_equal(nb, 4);
    assert_memory_equal(a, b, 4 * sizeof *a);
    /* the window hash depends on the order of its word hashes */
    uint64_t h1[2] = {1, 2}, h2[2] = {2, 1};
    assert_true(rp_shingle_hash(h1, 2) != rp_shingle_hash(h2, 2));
    assert_true(rp_shingle_hash(h1, 1) != rp_shingle_hash(h1, 2));
}

static size_t naive_intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t c = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (a[i] == b[j]) {
                c++;
                break;
            }
    return c;
}

/* n distinct sorted values below range (range > 2n keeps this quick). */
static size_t random_set(uint64_t *rng, uint64_t *out, size_t n, uint64_t range, uint64_t base)
{
    for (size_t i = 0; i < n; i++)
        out[i] = base + sm64_below(rng, range);
    rp_sort_u64(out, n);
    return rp_unique_u64(out, n);
}

static void test_intersect_vs_naive(void **state)
{
    (void)state;
    uint64_t rng = 17;
    uint64_t a[600], b[600];
    for (int round = 0; round < 300; round++) {
        size_t na = (size_t)sm64_below(&rng, ARRAY_LEN(a) + 1);
        size_t nb = (size_t)sm64_below(&rng, ARRAY_LEN(b) + 1);
        /* a small range makes large overlaps; values near the top of the
         * range of uint64_t check the comparisons at the extremes */
        uint64_t range = 1 + sm64_below(&rng, 2000);
        uint64_t base = round % 3 == 0 ? UINT64_MAX - range : round % 3 == 1 ? 0 : sm64(&rng) >> 1;
        na = random_set(&rng, a, na, range, base);
        nb = random_set(&rng, b, nb, range, base);
        size_t want = naive_intersect(a, na, b, nb);
        assert_int_equal(rp_intersect_count(a, na, b, nb), want);
        assert_int_equal(rp_intersect_count(b, nb, a, na), want);
        assert_int_equal(rp_intersect_count(a, na, a, na), na);
        /* the bounded count: exact when it reaches need, else below it,
         * for needs around the answer and at the ends */
        size_t needs[] = {0, 1, want ? want - 1 : 0, want, want + 1, want + 70,
                          na < nb ? na : nb, (size_t)sm64_below(&rng, 601)};
        for (size_t k = 0; k < ARRAY_LEN(needs); k++) {
            size_t got = rp_intersect_count_min(a, na, b, nb, needs[k]);
            if (want >= needs[k])
                assert_int_equal(got, want);
            else
                assert_true(got < needs[k] && got <= want);
            got = rp_intersect_count_min(b, nb, a, na, needs[k]);
            assert_true(want >= needs[k] ? got == want : got < needs[k] && got <= want);
        }
    }
    assert_int_equal(rp_intersect_count(NULL, 0, a, 5), 0);
    assert_int_equal(rp_intersect_count(a, 5, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_naive),
        cmocka_unit_test(test_set_large),
        cmocka_unit_test(test_sketch_sizes),
        cmocka_unit_test(test_repeats_removed),
        cmocka_unit_test(test_short_text),
        cmocka_unit_test(test_order_sensitive),
        cmocka_unit_test(test_intersect_vs_naive),
    };
    return cmocka_run_group_tests_name("shingle", tests, NULL, NULL);
}
