/*
 * test_lsh.c - LSH banding: the choice of bands and rows, the S-curve,
 * and the candidate pairs (exact against a naive band comparison, each
 * pair once and in order, big buckets still connected).
 */
#include "testutil.h"

#include <math.h>

#include <xxhash.h>

#include "lsh.h"

/* The equally weighted false positive and false negative areas of (b, r)
 * at threshold t, integrated independently of the library (Simpson's
 * rule, 400 intervals). */
static double lsh_error(unsigned b, unsigned r, double t)
{
    const int m = 400;
    double fp = 0, fn = 0;
    for (int i = 0; i <= m; i++) {
        double w = (i == 0 || i == m) ? 1 : (i % 2 ? 4 : 2);
        double x = t * i / m, y = t + (1 - t) * i / m;
        fp += w * (1 - pow(1 - pow(x, r), b));
        fn += w * pow(1 - pow(y, r), b);
    }
    return 0.5 * fp * t / (3.0 * m) + 0.5 * fn * (1 - t) / (3.0 * m);
}

static void test_params_shape(void **state)
{
    (void)state;
    static const unsigned Ks[] = {16, 64};
    static const double ts[] = {0.05, 0.2, 0.4, 0.6, 0.8, 0.95};
    for (size_t i = 0; i < ARRAY_LEN(Ks); i++) {
        unsigned prev_r = 0, first_r = 0;
        for (size_t j = 0; j < ARRAY_LEN(ts); j++) {
            unsigned b = 0, r = 0;
            assert_int_equal(rp_lsh_params(Ks[i], ts[j], &b, &r), RP_OK);
            assert_true(b >= 1);
            assert_true(r >= 1);
            assert_true((unsigned long)b * r <= Ks[i]);
            /* a higher threshold never takes fewer rows */
            assert_true(r >= prev_r);
            if (!first_r)
                first_r = r;
            prev_r = r;
        }
        /* and from the lowest to the highest threshold, strictly more */
        assert_true(prev_r > first_r);
    }
    /* docs/how-it-works.md: the defaults (K=256, threshold 0.1) give 117 bands of 2 rows */
    unsigned b = 0, r = 0;
    assert_int_equal(rp_lsh_params(256, 0.1, &b, &r), RP_OK);
    assert_int_equal(b, 117);
    assert_int_equal(r, 2);
}

static void test_params_optimal(void **state)
{
    (void)state;
    /* the chosen shape minimises the error among all b*r <= K (up to the
     * difference between two numerical integrations) */
    static const double ts[] = {0.1, 0.3, 0.5, 0.8};
    enum { K = 40 };
    for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
        unsigned b = 0, r = 0;
        assert_int_equal(rp_lsh_params(K, ts[i], &b, &r), RP_OK);
        double chosen = lsh_error(b, r, ts[i]), best = INFINITY;
        for (unsigned bb = 1; bb <= K; bb++)
            for (unsigned rr = 1; rr * bb <= K; rr++) {
                double e = lsh_error(bb, rr, ts[i]);
                if (e < best)
                    best = e;
            }
        assert_true(chosen <= best + 1e-4);
    }
}

static void test_params_invalid(void **state)
{
    (void)state;
    unsigned b = 0, r = 0;
    assert_int_equal(rp_lsh_params(0, 0.5, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, 0.0, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, 1.0, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, -0.2, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, 1.5, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, NAN, &b, &r), RP_EINVAL);
    assert_int_equal(rp_lsh_params(256, INFINITY, &b, &r), RP_EINVAL);
    /* the smallest valid input */
    assert_int_equal(rp_lsh_params(1, 0.5, &b, &r), RP_OK);
    assert_int_equal(b, 1);
    assert_int_equal(r, 1);
}

static void test_prob(void **state)
{
    (void)state;
    for (unsigned b = 1; b <= 128; b *= 2)
        for (unsigned r = 1; r <= 16; r++) {
            assert_float_equal(rp_lsh_prob(0, b, r), 0.0, 1e-12);
            assert_float_equal(rp_lsh_prob(1, b, r), 1.0, 1e-12);
            double prev = 0;
            for (int i = 0; i <= 20; i++) {
                double s = i / 20.0;
                double want = 1 - pow(1 - pow(s, r), b);
                double p = rp_lsh_prob(s, b, r);
                assert_float_equal(p, want, 1e-12);
                assert_true(p >= prev);   /* increasing in s */
                prev = p;
            }
        }
    assert_float_equal(rp_lsh_prob(0.5, 1, 1), 0.5, 1e-15);
    assert_float_equal(rp_lsh_prob(0.5, 2, 1), 0.75, 1e-15);
    assert_float_equal(rp_lsh_prob(0.5, 1, 2), 0.25, 1e-15);
    assert_float_equal(rp_lsh_prob(0.5, 117, 2), 1 - pow(0.75, 117), 1e-15);
}

/* Checks the contract of a candidate list: a < b < n, sorted, each once. */
static void check_pairs(const uint64_t *p, long np, size_t n)
{
    for (long i = 0; i < np; i++) {
        uint64_t a = p[i] >> 32, b = p[i] & 0xFFFFFFFFu;
        assert_true(a < b);
        assert_true(b < n);
        if (i)
            assert_true(p[i - 1] < p[i]);
    }
}

/* Does pair (i, j) agree on all r rows of some band? */
static int agree(const uint32_t *sig, unsigned K, unsigned b, unsigned r, size_t i, size_t j)
{
    for (unsigned band = 0; band < b; band++) {
        const uint32_t *x = sig + i * K + band * r, *y = sig + j * K + band * r;
        if (memcmp(x, y, r * sizeof *x) == 0)
            return 1;
    }
    return 0;
}

static void test_candidates_exact(void **state)
{
    (void)state;
    /* values from {0, 1}: many bands agree by chance; every bucket stays
     * under RP_LSH_BUCKET_MAX, so the candidates are exactly the pairs
     * that agree on some band */
    static const struct { unsigned K, b, r; size_t n; } cfg[] = {
        {16, 4, 4, 100}, {16, 2, 8, 200}, {20, 3, 6, 150}, {64, 16, 4, 120},
        {16, 16, 1, 60}};
    uint64_t rng = 23;
    for (size_t c = 0; c < ARRAY_LEN(cfg); c++) {
        unsigned K = cfg[c].K, b = cfg[c].b, r = cfg[c].r;
        size_t n = cfg[c].n;
        uint32_t *sig = malloc(n * K * sizeof *sig);
        assert_non_null(sig);
        for (size_t i = 0; i < n * K; i++)
            sig[i] = (uint32_t)(sm64(&rng) & 1) * 0x9E3779B9u;
        uint64_t *p = NULL;
        long np = rp_lsh_candidates(sig, n, K, b, r, &p);
        assert_true(np >= 0);
        check_pairs(p, np, n);
        long want = 0, k = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (agree(sig, K, b, r, i, j)) {
                    want++;
                    /* present, in (i, j) order */
                    assert_true(k < np);
                    assert_true(p[k] == ((uint64_t)i << 32 | j));
                    k++;
                }
        assert_int_equal(np, want);
        assert_true(want > 0);
        free(p);
        free(sig);
    }
}

static void test_candidates_identical_and_distinct(void **state)
{
    (void)state;
    enum { K = 32, N = 40 };
    unsigned b = 8, r = 4;
    uint32_t sig[N * K];
    uint64_t rng = 5;
    for (size_t i = 0; i < N * K; i++)
        sig[i] = (uint32_t)sm64(&rng);
    /* 3, 7, 12 and 39 are the same signature; 20 and 21 agree on one band
     * only; 30 and 31 differ in one row of every band */
    memcpy(sig + 7 * K, sig + 3 * K, K * sizeof *sig);
    memcpy(sig + 12 * K, sig + 3 * K, K * sizeof *sig);
    memcpy(sig + 39 * K, sig + 3 * K, K * sizeof *sig);
    memcpy(sig + 21 * K + 2 * r, sig + 20 * K + 2 * r, r * sizeof *sig);
    memcpy(sig + 31 * K, sig + 30 * K, K * sizeof *sig);
    for (unsigned band = 0; band < b; band++)
        sig[31 * K + band * r + band % r] ^= 1;
    uint64_t *p = NULL;
    long np = rp_lsh_candidates(sig, N, K, b, r, &p);
    check_pairs(p, np, N);
    static const uint64_t want[] = {
        3ull << 32 | 7, 3ull << 32 | 12, 3ull << 32 | 39, 7ull << 32 | 12,
        7ull << 32 | 39, 12ull << 32 | 39, 20ull << 32 | 21};
    assert_int_equal(np, ARRAY_LEN(want));
    assert_memory_equal(p, want, sizeof want);
    free(p);

    /* fewer than two signatures, or a shape that does not fit: nothing */
    p = (uint64_t *)sig;
    assert_int_equal(rp_lsh_candidates(sig, 1, K, b, r, &p), 0);
    assert_null(p);
    assert_int_equal(rp_lsh_candidates(sig, 0, K, b, r, &p), 0);
    assert_int_equal(rp_lsh_candidates(sig, N, K, 9, 4, &p), 0);
    assert_null(p);
}

static size_t find_root(size_t *parent, size_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

static void test_candidates_big_bucket(void **state)
{
    (void)state;
    /* 2,500 identical signatures (a bucket of more than RP_LSH_BUCKET_MAX)
     * among distinct ones, and a small group of 5: the big group comes
     * back as a connected set of pairs, not all 3,123,750 of them */
    enum { K = 16, N = 4000, BIG = 2500 };
    unsigned b = 8, r = 2;
    assert_true(BIG > RP_LSH_BUCKET_MAX);
    uint32_t *sig = malloc((size_t)N * K * sizeof *sig);
    assert_non_null(sig);
    uint64_t rng = 77;
    for (size_t i = 0; i < (size_t)N * K; i++)
        sig[i] = (uint32_t)sm64(&rng);
    /* the big group: documents from 100 on at gaps of 1 and 2 (so that
     * its indexes are interleaved with unrelated ones) */
    size_t members[BIG], nm = 0;
    for (size_t i = 100; nm < BIG && i < N; i += 1 + (nm % 2))
        members[nm++] = i;
    assert_int_equal(nm, BIG);
    for (size_t k = 1; k < BIG; k++)
        memcpy(sig + members[k] * K, sig + members[0] * K, K * sizeof *sig);
    /* the small group: 0..4, not in the big group */
    for (size_t i = 1; i < 5; i++)
        memcpy(sig + i * K, sig, K * sizeof *sig);

    uint64_t *p = NULL;
    long np = rp_lsh_candidates(sig, N, K, b, r, &p);
    assert_true(np > 0);
    check_pairs(p, np, N);
    /* bounded: about two pairs a member, plus the 10 of the small group */
    assert_true(np <= 2 * BIG + 10);
    size_t *parent = malloc(N * sizeof *parent);
    char *in_big = calloc(N, 1);
    assert_non_null(parent);
    assert_non_null(in_big);
    for (size_t i = 0; i < N; i++)
        parent[i] = i;
    for (size_t k = 0; k < BIG; k++)
        in_big[members[k]] = 1;
    size_t small = 0;
    for (long i = 0; i < np; i++) {
        size_t a = (size_t)(p[i] >> 32), c = (size_t)(p[i] & 0xFFFFFFFFu);
        /* never a pair across groups or with an unrelated signature */
        assert_true(in_big[a] == in_big[c]);
        if (!in_big[a]) {
            assert_true(a < 5 && c < 5);
            small++;
        }
        parent[find_root(parent, a)] = find_root(parent, c);
    }
    /* the small bucket is complete; the big one connected */
    assert_int_equal(small, 10);
    size_t root = find_root(parent, members[0]);
    for (size_t k = 1; k < BIG; k++)
        assert_true(find_root(parent, members[k]) == root);
    free(parent);
    free(in_big);
    free(p);
    free(sig);
}

static void test_ratios(void **state)
{
    (void)state;
    enum { K = 256 };
    double ratio[K];
    /* at t = 0.5 next to 117 x 2 bands: like sizes need no single value,
     * a ratio of 2 needs a few, 10 about a hundred, and the ratios rise */
    assert_int_equal(rp_lsh_ratios(0.5, K, 117, 2, ratio), RP_OK);
    assert_true(ratio[0] > 1.5 && ratio[0] < 2.5);
    for (unsigned i = 1; i < K; i++)
        assert_true(ratio[i] >= ratio[i - 1]);
    unsigned at10 = 0;
    while (at10 < K && ratio[at10] <= 10)
        at10++;
    assert_true(at10 > 60 && at10 < 160);
    /* a lower threshold needs more values, already at like sizes */
    assert_int_equal(rp_lsh_ratios(0.2, K, 117, 2, ratio), RP_OK);
    assert_float_equal(ratio[0], 1.0, 0);
    assert_int_equal(rp_lsh_ratios(1.5, K, 117, 2, ratio), RP_EINVAL);
}

static void test_ensemble_skewed_pair(void **state)
{
    (void)state;
    /* Document 0 is small, 1 is ten times larger and 2 as small as 0.
     * All three signatures are distinct except: 0 and 1 agree on bin 40,
     * 0 and 2 on bin 41. No band of 2 rows agrees anywhere. At t = 0.5
     * next to 16 bands a ratio of 10 needs bin 40, so (0, 1) is a
     * candidate; sizes 10% apart do not meet through bin 41. */
    enum { K = 64, N = 3 };
    uint16_t v[N * K];
    uint64_t rng = 99;
    for (size_t i = 0; i < N * K; i++)
        v[i] = (uint16_t)sm64(&rng);
    for (size_t k = 0; k < K; k++) {   /* no accidental agreement */
        while (v[K + k] == v[k])
            v[K + k]++;
        while (v[2 * K + k] == v[k] || v[2 * K + k] == v[K + k])
            v[2 * K + k] += 3;
    }
    v[K + 40] = v[40];
    v[2 * K + 41] = v[41];
    uint32_t size[N] = {100, 1000, 100};
    double ratio[K];
    assert_int_equal(rp_lsh_ratios(0.5, K, 16, 2, ratio), RP_OK);
    assert_true(ratio[40] <= 10 && ratio[41] > 1.1 && ratio[41] <= 10);
    uint64_t *p = NULL;
    size_t capped = 99;
    long np = rp_lsh_ensemble(v, size, N, K, 16, 2, 0.5, NULL, NULL, NULL, &capped, &p);
    assert_int_equal(np, 1);
    assert_true(p[0] == ((uint64_t)0 << 32 | 1));
    assert_int_equal(capped, 0);
    free(p);
    /* the same pair with like sizes is no candidate */
    size[1] = 105;
    np = rp_lsh_ensemble(v, size, N, K, 16, 2, 0.5, NULL, NULL, NULL, NULL, &p);
    assert_int_equal(np, 0);
    free(p);
    /* a band of 2 rows that agrees always makes a candidate */
    v[2 * K + 10] = v[10];
    v[2 * K + 11] = v[11];
    np = rp_lsh_ensemble(v, size, N, K, 16, 2, 0.5, NULL, NULL, NULL, NULL, &p);
    assert_int_equal(np, 1);
    assert_true(p[0] == ((uint64_t)0 << 32 | 2));
    free(p);
}

/* A keep function that refuses every third pair by its numbers (safe to
 * call from several threads). */
static int keep_some(const void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return (a * 7 + b) % 3 != 0;
}

/* Spread over threads, the bands and bins give the same candidates, the
 * same refused and capped counts as on one thread: random 16-bit values
 * over a small alphabet (so that buckets form, some over the cap), random
 * sizes over a wide range (so that many 1-row bins run). */
/* A band's key is the low 32 bits of XXH3_64bits_withSeed of its r
 * values, seeded with the band: the inlined lengths (r = 1 to 4) and the
 * rest (5, 8) alike. */
static void test_band_keys(void **state)
{
    (void)state;
    enum { K = 64 };
    uint16_t v[K];
    uint64_t rng = 3;
    for (unsigned k = 0; k < K; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        v[k] = (uint16_t)(rng >> 40);
    }
    double ratio[K];
    for (unsigned k = 0; k < K; k++)
        ratio[k] = INFINITY;   /* no 1-row bins: the bands only */
    const unsigned rows[] = {1, 2, 3, 4, 5, 8};
    for (size_t t = 0; t < sizeof rows / sizeof *rows; t++) {
        unsigned r = rows[t], b = K / r;
        rp_lsh_entry e[2 * K];
        size_t n = rp_lsh_doc_entries(v, K, b, r, ratio, 7, 100, e);
        assert_int_equal(n, b);
        for (unsigned band = 0; band < b; band++) {
            assert_int_equal(e[band].band, band);
            assert_int_equal(e[band].doc, 7);
            assert_int_equal(e[band].key,
                             (uint32_t)XXH3_64bits_withSeed(v + band * r, r * sizeof *v, band));
        }
    }
}

static void test_ensemble_threads_same(void **state)
{
    (void)state;
    enum { K = 64 };
    uint64_t rng = 5;
    for (int round = 0; round < 6; round++) {
        size_t n = 2 + (size_t)sm64_below(&rng, round < 3 ? 300 : 2000);
        uint16_t *v = malloc(n * K * sizeof *v);
        uint32_t *size = malloc(n * sizeof *size);
        assert_non_null(v);
        assert_non_null(size);
        unsigned alpha = 2 + (unsigned)sm64_below(&rng, 40);
        for (size_t i = 0; i < n * K; i++)
            v[i] = (uint16_t)sm64_below(&rng, alpha);
        for (size_t i = 0; i < n; i++)
            size[i] = 1 + (uint32_t)sm64_below(&rng, 5000);
        uint64_t *want = NULL;
        size_t wref = 0, wcap = 0;
        long nw = rp_lsh_ensemble(v, size, n, K, 16, 2, 0.5, keep_some, NULL, &wref, &wcap,
                                  &want);
        assert_true(nw >= 0);
        for (unsigned th = 1; th <= 4; th++) {
            uint64_t *got = NULL;
            size_t gref = 0, gcap = 0;
            long ng = rp_lsh_ensemble_threads(v, size, n, K, 16, 2, 0.5, keep_some, NULL, th,
                                              &gref, &gcap, &got);
            assert_int_equal(ng, nw);
            assert_int_equal(gref, wref);
            assert_int_equal(gcap, wcap);
            if (ng)
                assert_memory_equal(got, want, (size_t)ng * sizeof *got);
            free(got);
        }
        free(want);
        free(v);
        free(size);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_shape),
        cmocka_unit_test(test_ratios),
        cmocka_unit_test(test_ensemble_skewed_pair),
        cmocka_unit_test(test_ensemble_threads_same),
        cmocka_unit_test(test_band_keys),
        cmocka_unit_test(test_params_optimal),
        cmocka_unit_test(test_params_invalid),
        cmocka_unit_test(test_prob),
        cmocka_unit_test(test_candidates_exact),
        cmocka_unit_test(test_candidates_identical_and_distinct),
        cmocka_unit_test(test_candidates_big_bucket),
    };
    return cmocka_run_group_tests_name("lsh", tests, NULL, NULL);
}
