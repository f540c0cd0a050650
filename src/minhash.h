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

/* @return the fraction of the K bins where a and b agree, an unbiased
 * estimate of the Jaccard similarity of the two sets. */
double rp_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned K);

#endif
