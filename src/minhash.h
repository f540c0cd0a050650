/*
 * minhash.h - one-permutation MinHash signatures with optimal
 * densification, and Jaccard estimation from them.
 */
#ifndef RP_MINHASH_H
#define RP_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/* Value of a bin that no shingle fell into (only for empty sets). */
#define RP_MH_EMPTY UINT32_MAX

/* Computes the K-value signature of the n shingle hashes h (any order,
 * repeats allowed) into sig[0..K). O(n + K) expected time. */
void rp_minhash(const uint64_t *h, size_t n, uint32_t *sig, unsigned K);

/* rp_minhash in three steps, for a caller that makes the hashes one at a
 * time (shingle.c): rp_minhash_start empties sig[0..K), rp_minhash_add
 * takes one hash (repeats change nothing), rp_minhash_finish densifies
 * (n: how many were added; none leaves the signature empty). The same
 * signature as rp_minhash over the same hashes. */
void rp_minhash_start(uint32_t *sig, unsigned K);

static inline void rp_minhash_add(uint32_t *sig, unsigned K, uint64_t h)
{
    /* the bin from the high 32 bits (multiply-shift onto [0, K)), the
     * value from the low 32 bits, kept below RP_MH_EMPTY */
    uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)K) >> 32);
    uint32_t v = (uint32_t)h;
    v -= v == RP_MH_EMPTY;
    if (v < sig[bin])
        sig[bin] = v;
}

void rp_minhash_finish(uint32_t *sig, unsigned K, size_t n);

/* @return the fraction of the K bins where a and b agree, an unbiased
 * estimate of the Jaccard similarity of the two sets. */
double rp_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned K);

/* @return how many of a[0..K) and b[0..K) are equal, value by value:
 * signatures, and their low 16 bits (the b-bit values LSH and the
 * screen use). SSE2 where the compiler has it. */
unsigned rp_minhash_agree(const uint32_t *a, const uint32_t *b, unsigned K);
unsigned rp_minhash_agree16(const uint16_t *a, const uint16_t *b, unsigned K);

#endif
