/*
 * test_minhash.c - one-permutation MinHash with optimal densification.
 *
 * The property test: over many random pairs of sets whose Jaccard
 * similarity J spreads over [0, 1] and whose sizes range from 10 to 5000
 * elements, the estimate from K-value signatures must be as accurate as K
 * independent permutations promise: the mean absolute error may not exceed
 * the mean of the standard errors sqrt(J(1-J)/K), and the mean signed error
 * (bias) must be within four standard errors of its own mean. For a
 * normally distributed error, E|err| = 0.80 sigma, so the first bound has
 * about 20% headroom for an estimator as good as classic MinHash, and no
 * slack is added: one with 1.6 times that variance (0.8 * sqrt(1.6) > 1)
 * fails it. The sparse case (a set of 10 in 256 bins, 246 of them
 * densified) is in the mix on purpose.
 *
 * Set elements are splitmix64 outputs of a global counter, a bijection,
 * so they are distinct and the exact Jaccard is known from the counts.
 */
#include "testutil.h"

#include <math.h>
#include <xxhash.h>

#include "minhash.h"

typedef struct figures {
    double mean_abs, bound, bias, bias_bound, max_abs;
    size_t pairs;
} figures;

/* log-uniform integer in [lo, hi] */
static size_t log_uniform(uint64_t *rng, size_t lo, size_t hi)
{
    double x = exp(log((double)lo) + sm64_unit(rng) * (log((double)hi + 1) - log((double)lo)));
    size_t v = (size_t)x;
    return v < lo ? lo : v > hi ? hi : v;
}

/* Runs npairs random pairs of sets of smin..smax elements (smax <= 5000)
 * with signatures of K values. */
static void property_run(unsigned K, size_t npairs, size_t smin, size_t smax,
                         uint64_t seed, figures *f)
{
    uint64_t rng = seed, counter = seed << 40;
    uint64_t *a = malloc(5000 * sizeof *a), *b = malloc(5000 * sizeof *b);
    uint32_t *sa = malloc(K * sizeof *sa), *sb = malloc(K * sizeof *sb);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(sa);
    assert_non_null(sb);
    double sum_abs = 0, sum_se = 0, sum_err = 0, sum_var = 0, max_abs = 0;
    for (size_t p = 0; p < npairs; p++) {
        /* target Jaccard: stratified over [0, 1] so every part of the
         * range is covered, with the exact ends 0 and 1 included */
        double jt = npairs > 1 ? (double)p / (double)(npairs - 1) : 0.5;
        size_t na = log_uniform(&rng, smin, smax);
        /* |B| within what J allows: J <= min/max */
        size_t lo = (size_t)ceil(jt * (double)na), hi = smax;
        if (jt > 0 && (double)na / jt < (double)smax)
            hi = (size_t)floor((double)na / jt);
        if (lo < smin)
            lo = smin;
        if (hi < lo)
            hi = lo;
        size_t nb = log_uniform(&rng, lo, hi);
        /* shared count c from J = c / (na + nb - c) */
        double cd = jt * (double)(na + nb) / (1 + jt);
        size_t c = (size_t)llround(cd);
        if (c > na)
            c = na;
        if (c > nb)
            c = nb;
        for (size_t i = 0; i < c; i++)
            a[i] = b[i] = sm64_mix(counter++);
        for (size_t i = c; i < na; i++)
            a[i] = sm64_mix(counter++);
        for (size_t i = c; i < nb; i++)
            b[i] = sm64_mix(counter++);
        double J = (double)c / (double)(na + nb - c);
        rp_minhash(a, na, sa, K);
        rp_minhash(b, nb, sb, K);
        double est = rp_minhash_estimate(sa, sb, K);
        double err = est - J;
        sum_abs += fabs(err);
        sum_err += err;
        sum_se += sqrt(J * (1 - J) / K);
        sum_var += J * (1 - J) / K;
        if (fabs(err) > max_abs)
            max_abs = fabs(err);
    }
    f->pairs = npairs;
    f->mean_abs = sum_abs / (double)npairs;
    f->bound = sum_se / (double)npairs;
    f->bias = sum_err / (double)npairs;
    /* the mean of npairs independent errors of variance J(1-J)/K has
     * variance sum_var / npairs^2: allow four of its standard deviations */
    f->bias_bound = 4 * sqrt(sum_var) / (double)npairs;
    f->max_abs = max_abs;
    free(a);
    free(b);
    free(sa);
    free(sb);
}

static void check_property(unsigned K, size_t npairs, size_t smin, size_t smax,
                           uint64_t seed)
{
    figures f;
    property_run(K, npairs, smin, smax, seed, &f);
    print_message("K=%u, %zu pairs of %zu..%zu: mean |err| %.5f <= bound %.5f (ratio %.3f); "
                  "bias %+.5f (|bias| <= %.5f); max |err| %.4f\n",
                  K, f.pairs, smin, smax, f.mean_abs, f.bound, f.mean_abs / f.bound,
                  f.bias, f.bias_bound, f.max_abs);
    assert_true(f.mean_abs <= f.bound);
    assert_true(fabs(f.bias) <= f.bias_bound);
}

static void test_property_k256(void **state)
{
    (void)state;
    check_property(256, 1000, 10, 5000, 1);
    check_property(256, 1000, 10, 5000, 2);
}

static void test_property_other_k(void **state)
{
    (void)state;
    check_property(16, 1000, 10, 5000, 3);
    check_property(64, 1000, 10, 5000, 4);
    check_property(1024, 500, 10, 5000, 5);
}

/* Short texts leave most bins empty, so nearly every bin is densified.
 * The same bound must hold for them alone: at K=1024 a set of 10..200
 * shingles fills a few percent of the bins. Densification that does not
 * pick a uniformly random full bin fails this (a fallback that walked on
 * from the last probe gave 1.2 times the bound here, and 0.91 without). */
static void test_property_short_texts(void **state)
{
    (void)state;
    check_property(1024, 1000, 10, 200, 6);
}

static void test_identical_and_disjoint(void **state)
{
    (void)state;
    enum { K = 256 };
    uint64_t rng = 11;
    uint64_t a[3000], b[3002];
    uint32_t sa[K], sb[K];
    static const size_t sizes[] = {1, 2, 10, 100, 255, 256, 257, 3000};
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
        size_t n = sizes[s];
        for (size_t i = 0; i < n; i++)
            a[i] = sm64(&rng);
        /* the same set in another order, with repeats: same signature */
        for (size_t i = 0; i < n; i++)
            b[i] = a[n - 1 - i];
        size_t nb = n;
        if (n > 1) {
            b[nb++] = a[0];
            b[nb++] = a[n / 2];
        }
        rp_minhash(a, n, sa, K);
        rp_minhash(b, nb, sb, K);
        assert_memory_equal(sa, sb, sizeof sa);
        assert_true(rp_minhash_estimate(sa, sb, K) == 1.0);
        /* no bin is left empty once the set has an element */
        for (unsigned i = 0; i < K; i++)
            assert_true(sa[i] != RP_MH_EMPTY);
        /* every value comes from an element (its low 32 bits) */
        for (unsigned i = 0; i < K; i++) {
            int found = 0;
            for (size_t j = 0; j < n && !found; j++)
                found = sa[i] == (uint32_t)a[j];
            assert_true(found);
        }
        /* a disjoint set of the same size: ~0 (only a 32-bit value
         * collision could make a bin agree) */
        for (size_t i = 0; i < n; i++)
            b[i] = sm64(&rng);
        rp_minhash(b, n, sb, K);
        assert_true(rp_minhash_estimate(sa, sb, K) <= 2.0 / K);
    }
}

static void test_empty_set(void **state)
{
    (void)state;
    enum { K = 64 };
    uint32_t e[K], s[K];
    uint64_t one = 0x123456789ABCDEFull;
    rp_minhash(NULL, 0, e, K);
    for (unsigned i = 0; i < K; i++)
        assert_true(e[i] == RP_MH_EMPTY);
    rp_minhash(&one, 1, s, K);
    /* one element fills every bin with its value */
    for (unsigned i = 0; i < K; i++)
        assert_true(s[i] == (uint32_t)one);
    /* an empty set shares nothing with a non-empty one */
    assert_true(rp_minhash_estimate(e, s, K) == 0.0);
    assert_true(rp_minhash_estimate(s, e, K) == 0.0);
    /* K = 0 estimates nothing */
    assert_true(rp_minhash_estimate(e, s, 0) == 0.0);
    /* an element whose value is the empty marker is still an element */
    uint64_t marker = 0xABCD0000FFFFFFFFull;
    rp_minhash(&marker, 1, s, K);
    for (unsigned i = 0; i < K; i++)
        assert_true(s[i] != RP_MH_EMPTY);
    assert_true(rp_minhash_estimate(e, s, K) == 0.0);
}

/* The densification as minhash.c's comment states it, written out again
 * without its memo of probes: bin j empty takes the first full bin of
 * the probes XXH3(j << 32 | a, seed 0x9E37...) for a = 1..64, else the
 * full bin first in the order of XXH3(j << 32 | bin, seed 0xD6E8...). */
static void reference_minhash(const uint64_t *h, size_t n, uint32_t *sig, unsigned K)
{
    uint32_t raw[1024];
    for (unsigned i = 0; i < K; i++)
        raw[i] = RP_MH_EMPTY;
    for (size_t i = 0; i < n; i++) {
        uint32_t bin = (uint32_t)(((h[i] >> 32) * (uint64_t)K) >> 32);
        uint32_t v = (uint32_t)h[i] == RP_MH_EMPTY ? RP_MH_EMPTY - 1 : (uint32_t)h[i];
        if (v < raw[bin])
            raw[bin] = v;
    }
    for (unsigned j = 0; j < K; j++) {
        sig[j] = raw[j];
        if (raw[j] != RP_MH_EMPTY || n == 0)
            continue;
        int hit = 0;
        for (unsigned a = 1; a <= 64 && !hit; a++) {
            uint64_t x = ((uint64_t)j << 32) | a;
            uint64_t p = XXH3_64bits_withSeed(&x, sizeof x, 0x9E3779B97F4A7C15ull);
            uint32_t src = (uint32_t)(((p >> 32) * (uint64_t)K) >> 32);
            if (raw[src] != RP_MH_EMPTY) {
                sig[j] = raw[src];
                hit = 1;
            }
        }
        uint64_t best = UINT64_MAX;
        for (unsigned b = 0; b < K && !hit; b++) {
            if (raw[b] == RP_MH_EMPTY)
                continue;
            uint64_t x = ((uint64_t)j << 32) | b;
            uint64_t v = XXH3_64bits_withSeed(&x, sizeof x, 0xD6E8FEB86659FD93ull);
            if (v < best) {
                best = v;
                sig[j] = raw[b];
            }
        }
    }
}

/* The signature equals the reference for sets from 1 to 2,000 elements
 * (every densification path: few probes, many, the ordered fall-back)
 * at K values that change between calls (the memo of probes follows
 * K), and rp_minhash_start/add/finish with repeats gives it too. */
static void test_matches_reference(void **state)
{
    (void)state;
    static const unsigned Ks[] = {256, 16, 1024, 256, 64, 100, 17, 256};
    uint64_t rng = 41, h[2000];
    uint32_t got[1024], want[1024];
    for (int round = 0; round < 120; round++) {
        unsigned K = Ks[round % ARRAY_LEN(Ks)];
        size_t n = log_uniform(&rng, 1, ARRAY_LEN(h));
        for (size_t i = 0; i < n; i++)
            h[i] = sm64(&rng);
        rp_minhash(h, n, got, K);
        reference_minhash(h, n, want, K);
        assert_memory_equal(got, want, K * sizeof *got);
        rp_minhash_start(got, K);
        for (size_t i = 0; i < n; i++) {
            rp_minhash_add(got, K, h[i]);
            rp_minhash_add(got, K, h[i / 2]);
        }
        rp_minhash_finish(got, K, n);
        assert_memory_equal(got, want, K * sizeof *got);
    }
}

static void test_subset_estimate(void **state)
{
    (void)state;
    /* B is the first half of A: J = 0.5; the estimate from K = 1024 bins
     * must be within 4 standard errors (0.0625) */
    enum { K = 1024, N = 4000 };
    uint64_t *a = malloc(N * sizeof *a);
    uint32_t *sa = malloc(K * sizeof *sa), *sb = malloc(K * sizeof *sb);
    assert_non_null(a);
    assert_non_null(sa);
    assert_non_null(sb);
    uint64_t rng = 5;
    for (size_t i = 0; i < N; i++)
        a[i] = sm64(&rng);
    rp_minhash(a, N, sa, K);
    rp_minhash(a, N / 2, sb, K);
    double est = rp_minhash_estimate(sa, sb, K);
    assert_true(fabs(est - 0.5) <= 4 * sqrt(0.25 / K));
    free(a);
    free(sa);
    free(sb);
}

/* The agreement counts against a plain loop: every length from 0 to 300
 * (the vector steps and every tail), at agreement rates from none to all,
 * and one length past the 16-bit lanes' block of 8 * 32767 values. The
 * values are drawn from a few, so that many agree by chance too. */
static void test_agree_counts(void **state)
{
    (void)state;
    enum { BIG = 8 * 32767 * 2 + 13 };
    uint32_t *a = malloc(BIG * sizeof *a), *b = malloc(BIG * sizeof *b);
    uint16_t *a16 = malloc(BIG * sizeof *a16), *b16 = malloc(BIG * sizeof *b16);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(a16);
    assert_non_null(b16);
    uint64_t rng = 11;
    for (unsigned K = 0; K <= 300; K++) {
        for (unsigned rate = 0; rate <= 4; rate++) {   /* b copies a at rate/4 */
            unsigned want = 0;
            for (unsigned i = 0; i < K; i++) {
                uint64_t r = sm64(&rng);
                a[i] = (uint32_t)(r % 3) << (r & 16);   /* 0, 1, 2, 65536, 131072 */
                b[i] = (r >> 8) % 4 < rate ? a[i] : (uint32_t)(r >> 20) % 3;
                a16[i] = (uint16_t)a[i];
                b16[i] = (uint16_t)b[i];
                want += a[i] == b[i];
            }
            assert_int_equal(rp_minhash_agree(a, b, K), want);
            unsigned want16 = 0;
            for (unsigned i = 0; i < K; i++)
                want16 += a16[i] == b16[i];
            assert_int_equal(rp_minhash_agree16(a16, b16, K), want16);
            if (K > 0)
                assert_true(fabs(rp_minhash_estimate(a, b, K) - (double)want / K) < 1e-12);
        }
    }
    /* all equal, past the 16-bit lanes' block: no count wraps */
    memset(a16, 7, BIG * sizeof *a16);
    memcpy(b16, a16, BIG * sizeof *b16);
    assert_int_equal(rp_minhash_agree16(a16, b16, BIG), BIG);
    b16[BIG - 1] ^= 1;
    b16[0] ^= 1;
    assert_int_equal(rp_minhash_agree16(a16, b16, BIG), BIG - 2);
    free(a);
    free(b);
    free(a16);
    free(b16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_k256),
        cmocka_unit_test(test_property_other_k),
        cmocka_unit_test(test_property_short_texts),
        cmocka_unit_test(test_identical_and_disjoint),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_subset_estimate),
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_agree_counts),
    };
    return cmocka_run_group_tests_name("minhash", tests, NULL, NULL);
}
