/*
 * minhash.c - one-permutation hashing (OPH) with optimal densification.
 *
 * Classic MinHash applies K hash functions to every shingle: O(n*K). OPH
 * (Li, Owen and Zhang, "One Permutation Hashing", NIPS 2012) hashes each
 * shingle once, uses the hash to pick one of K bins and keeps the minimum
 * per bin: O(n + K). Short documents leave bins empty; we fill each empty
 * bin with "optimal densification" (Shrivastava, "Optimal Densification
 * for Fast and Accurate Minwise Hashing", ICML 2017): empty bin j probes
 * bins in a pseudo-random order that depends only on (j, attempt), and
 * copies the first non-empty one. Because the probe order is shared by all
 * documents, two sets agree on bin j with probability equal to their
 * Jaccard similarity, and the variance is close to that of K independent
 * permutations.
 *
 * The shingle hashes are XXH3 outputs, already uniform, so the bin is
 * taken from the high 32 bits (multiply-shift onto [0, K)) and the value
 * compared is the low 32 bits.
 */
#include "minhash.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bytescan.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

static uint32_t probe(unsigned bin, unsigned attempt, unsigned K)
{
    uint64_t x = ((uint64_t)bin << 32) | attempt;
    uint64_t h = XXH3_64bits_withSeed(&x, sizeof x, 0x9E3779B97F4A7C15ull);
    return (uint32_t)(((h >> 32) * (uint64_t)K) >> 32);
}

/* probe() of the first PROBE_MEMO attempts of every bin, kept by each
 * thread for the K of its last call (value + 1; 0: not yet worked out):
 * documents empty the same few bins again and again, and a look-up is
 * cheaper than the hash. */
#define PROBE_MEMO 4
static _Thread_local uint16_t probe_memo[1024 * PROBE_MEMO];
static _Thread_local unsigned probe_memo_K;

static uint32_t probe_fast(unsigned bin, unsigned attempt, unsigned K)
{
    if (attempt > PROBE_MEMO)
        return probe(bin, attempt, K);
    if (probe_memo_K != K) {
        memset(probe_memo, 0, sizeof probe_memo);
        probe_memo_K = K;
    }
    uint16_t *e = &probe_memo[bin * PROBE_MEMO + attempt - 1];
    if (!*e)
        *e = (uint16_t)(probe(bin, attempt, K) + 1);
    return *e - 1u;
}

/* The bin of list[0..n) (the full bins) that comes first in the order of
 * a hash of (j, bin). */
static uint32_t first_full(const uint16_t *list, unsigned n, unsigned j)
{
    uint32_t best = list[0];
    uint64_t bestv = UINT64_MAX;
    for (unsigned k = 0; k < n; k++) {
        uint64_t x = ((uint64_t)j << 32) | list[k];
        uint64_t v = XXH3_64bits_withSeed(&x, sizeof x, 0xD6E8FEB86659FD93ull);
        if (v < bestv) {
            bestv = v;
            best = list[k];
        }
    }
    return best;
}

/* The full bin whose value the empty bin j takes (full: the bitmap of
 * the full bins; list[0..*nlist): the full bins, listed on first need).
 *
 * Random probes; after 64 misses (a nearly empty signature) the
 * sequence goes on through all bins in the order of a hash of (j, bin),
 * and the full bin first in that order is taken. Every document follows
 * the same sequence for j, so two sets agree on bin j exactly when the
 * first bin full in either holds a shingle of both, and that bin is
 * uniform among the full ones. (Walking on from the last probe instead
 * would favour full bins after long empty gaps: for sets of 10 to 20
 * shingles at K=1024 it doubled the error of the estimate.) */
static uint32_t source_of(const uint64_t *full, unsigned j, unsigned K,
                          uint16_t *list, unsigned *nlist)
{
    for (unsigned a = 1; a <= 64; a++) {
        uint32_t src = probe_fast(j, a, K);
        if (full[src >> 6] >> (src & 63) & 1)
            return src;
    }
    if (!*nlist)
        for (unsigned b = 0; b < K; b++)
            if (full[b >> 6] >> (b & 63) & 1)
                list[(*nlist)++] = (uint16_t)b;
    return first_full(list, *nlist, j);
}

void rp_minhash_start(uint32_t *sig, unsigned K)
{
    for (unsigned i = 0; i < K; i++)
        sig[i] = RP_MH_EMPTY;
}

void rp_minhash(const uint64_t *h, size_t n, uint32_t *sig, unsigned K)
{
    rp_minhash_start(sig, K);
    for (size_t i = 0; i < n; i++)
        rp_minhash_add(sig, K, h[i]);
    rp_minhash_finish(sig, K, n);
}

void rp_minhash_finish(uint32_t *sig, unsigned K, size_t n)
{
    if (n == 0)
        return;
    /* Densify. Filled bins are those whose value came from a shingle; the
     * copies made here must not serve as sources, so decide emptiness from
     * a snapshot bitmap rather than from sig itself. */
    uint64_t full[1024 / 64] = {0};
    unsigned i = 0, words = (K + 63) / 64, nfull = 0;
#if defined(__SSE2__)
    /* four bins a step: the bits of the bins that are not empty */
    const __m128i empty = _mm_set1_epi32(-1);
    for (; i + 4 <= K; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(sig + i));
        unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, empty))) ^ 0xFu;
        full[i >> 6] |= (uint64_t)m << (i & 63);
    }
#endif
    for (; i < K; i++)
        if (sig[i] != RP_MH_EMPTY)
            full[i >> 6] |= 1ull << (i & 63);
    for (unsigned w = 0; w < words; w++)
        nfull += rp_popcount64(full[w]);
    if (nfull == K)
        return;
    uint16_t list[1024];   /* the full bins, listed on first need */
    unsigned nlist = 0;
    /* the empty bins, in order, from the bitmap */
    for (unsigned w = 0; w < words; w++) {
        uint64_t todo = ~full[w];
        if (w == K / 64)
            todo &= (1ull << (K % 64)) - 1;   /* (only bins below K) */
        for (; todo; todo &= todo - 1) {
            unsigned j = w * 64 + rp_ctz64(todo);
            sig[j] = sig[source_of(full, j, K, list, &nlist)];
        }
    }
}

#if defined(__SSE2__)
/* The sum of the four 32-bit lanes of v. */
static unsigned lanes_sum32(__m128i v)
{
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return (unsigned)_mm_cvtsi128_si32(v);
}
#endif

unsigned rp_minhash_agree(const uint32_t *a, const uint32_t *b, unsigned K)
{
    unsigned eq = 0, i = 0;
#if defined(__SSE2__)
    /* four values a step: an equal lane is -1, subtracted from its count */
    __m128i n = _mm_setzero_si128();
    for (; i + 4 <= K; i += 4)
        n = _mm_sub_epi32(n, _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(a + i)),
                                             _mm_loadu_si128((const __m128i *)(b + i))));
    eq = lanes_sum32(n);
#endif
    for (; i < K; i++)
        eq += a[i] == b[i];
    return eq;
}

unsigned rp_minhash_agree16(const uint16_t *a, const uint16_t *b, unsigned K)
{
    unsigned eq = 0, i = 0;
#if defined(__SSE2__)
    /* eight values a step, counted in 16-bit lanes a block of at most
     * 8 * 32767 values at a time (so no lane overflows), then summed in
     * 32-bit lanes */
    __m128i total = _mm_setzero_si128();
    while (i + 8 <= K) {
        unsigned stop = K - i > 8u * 32767 ? i + 8u * 32767 : K;
        __m128i n = _mm_setzero_si128();
        for (; i + 8 <= stop; i += 8)
            n = _mm_sub_epi16(n, _mm_cmpeq_epi16(_mm_loadu_si128((const __m128i *)(a + i)),
                                                 _mm_loadu_si128((const __m128i *)(b + i))));
        total = _mm_add_epi32(total, _mm_madd_epi16(n, _mm_set1_epi16(1)));
    }
    eq = lanes_sum32(total);
#endif
    for (; i < K; i++)
        eq += a[i] == b[i];
    return eq;
}

double rp_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned K)
{
    return K ? (double)rp_minhash_agree(a, b, K) / K : 0.0;
}
