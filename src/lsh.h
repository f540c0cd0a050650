/*
 * lsh.h - banding of MinHash signatures into candidate pairs.
 */
#ifndef RP_LSH_H
#define RP_LSH_H

#include <stddef.h>
#include <stdint.h>

/* Buckets larger than this emit a spanning subset of their pairs (each
 * member with the bucket's first member and its neighbour), not all
 * m(m-1)/2 of them: enough to connect the group, bounded in memory. */
#define RP_LSH_BUCKET_MAX 256

/* Computes the b band keys of one K-value signature (b * r <= K) into
 * out[0..b). */
void rp_lsh_keys(const uint32_t *sig, unsigned b, unsigned r, uint32_t *out);

/* Finds candidate pairs among n documents from their band keys
 * (keys[i * b + band]): documents that share a key in some band. Pairs
 * come back as in rp_lsh_candidates. @return their number, or -1 when out
 * of memory. */
long rp_lsh_buckets(const uint32_t *keys, size_t n, unsigned b, uint64_t **pairs);

/* Finds candidate pairs among n signatures of K values each (sig[i*K..]),
 * using b bands of r rows. Pairs come back in *pairs as (a << 32 | b) with
 * a < b, sorted and each once; the caller frees them with free().
 * @return the number of pairs, or -1 when out of memory. */
long rp_lsh_candidates(const uint32_t *sig, size_t n, unsigned K,
                       unsigned b, unsigned r, uint64_t **pairs);

/* @return the probability that two sets of Jaccard s become candidates. */
double rp_lsh_prob(double s, unsigned b, unsigned r);

#endif
