/*
 * shingle.h - word k-gram hashing and exact set comparison.
 */
#ifndef RP_SHINGLE_H
#define RP_SHINGLE_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

/* Hashes the k-word shingles of the n tokens into out (room for
 * max(n - k + 1, 1) values), sorts them and removes repeats. A text of
 * fewer than k words gives one shingle of all its words.
 * @return the number of distinct shingles (0 only when n == 0). */
size_t rp_shingle(const rp_token *tok, size_t n, unsigned k, uint64_t *out);

/* rp_shingle's set in no particular order: its repeats are dropped with
 * a hash table instead of a sort, for a use that needs only the set
 * (MinHash, its size). Same out room. @return the number of distinct
 * shingles. */
size_t rp_shingle_set(const rp_token *tok, size_t n, unsigned k, uint64_t *out);

/* The MinHash signature sig[0..K) of rp_shingle_set's set (rp_minhash's
 * value), without storing the set: the window hashes go through a table
 * of each thread into the signature. @return the number of distinct
 * shingles, or (size_t)-1 when out of memory. */
size_t rp_shingle_sketch(const rp_token *tok, size_t n, unsigned k,
                         uint32_t *sig, unsigned K);

/* @return the hash of the shingle made of the k token hashes h[0..k). */
uint64_t rp_shingle_hash(const uint64_t *h, unsigned k);

/* @return |a & b| for two sorted, repeat-free arrays. */
size_t rp_intersect_count(const uint64_t *a, size_t na,
                          const uint64_t *b, size_t nb);

/* rp_intersect_count for a caller that only needs to know whether the
 * count reaches need: it stops as soon as what is left of the shorter
 * array cannot bring it there. @return |a & b| when that is at least
 * need, else some count below need. */
size_t rp_intersect_count_min(const uint64_t *a, size_t na,
                              const uint64_t *b, size_t nb, size_t need);

#endif
