/*
 * lsh.h - banding of MinHash signatures into candidate pairs.
 */
#ifndef RP_LSH_H
#define RP_LSH_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

/* Buckets larger than this emit a spanning subset of their pairs (each
 * member with the bucket's first member and its neighbour), not all
 * m(m-1)/2 of them: enough to connect the group, bounded in memory (a
 * bucket of RP_LSH_BUCKET_MAX documents makes 2.1 million pairs). Up to
 * it, 2,048 copies of one story, every pair is listed; beyond it the
 * clusters stay right but pairs are missing, and rp_lsh_ensemble counts
 * such buckets so that the caller can say so. */
#define RP_LSH_BUCKET_MAX RP_BUCKET_MAX   /* reprint.h */

/* 1-row buckets (one MinHash value shared) larger than this are left out
 * of the size-skew pass of rp_lsh_ensemble: a value shared by that many
 * documents is a stock phrase or site furniture, not a reprint. */
#define RP_LSH_SKEW_MAX 1024

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

/* Candidates for containment (LSH Ensemble, Zhu, Nargesian, Pu and
 * Miller, VLDB 2016: a containment threshold means a Jaccard threshold
 * that falls with the size ratio of the two sets, so documents are
 * partitioned by size and each partition gets its own Jaccard threshold).
 * Here the partition is the pair's size ratio rho = larger / smaller: a
 * pair whose smaller set is a share t inside the larger has Jaccard at
 * least t / (rho + 1 - t). Candidates are
 *   - the pairs that agree on one of b bands of r rows (the usual LSH,
 *     aimed at Jaccard), and
 *   - the pairs that agree on one MinHash value among the first
 *     rp_lsh_ratios() bins that their size ratio needs: bin i pairs only
 *     documents at least ratio[i] apart in size, so pairs of like sizes
 *     (where the b x r bands suffice) never meet through a single value.
 * A pair exactly at containment t is then missed with probability at most
 * 0.5%, whatever the ratio (until all K values are used: beyond a ratio of
 * about 20 at t = 0.3, rho is too large for K values to tell).
 * v holds n rows of K 16-bit MinHash values (the low bits of each value),
 * size[i] the set size of document i. keep (may be NULL) is asked about
 * each pair that only a single value proposes, before it is stored:
 * 16-bit values agree by chance for about n^2 / 2^17 pairs a value, so
 * the caller's screen is better run there than on a stored list;
 * refused (may be NULL) receives how many proposals keep turned down
 * (a pair proposed by several values counts each time). capped (may be NULL) receives the
 * number of buckets larger than RP_LSH_BUCKET_MAX (pairs then missing;
 * 1-row buckets over RP_LSH_SKEW_MAX are left out and not counted). Pairs come back as in
 * rp_lsh_candidates. @return their number, or -1 when out of memory. */
typedef int (*rp_lsh_keep_fn)(const void *ctx, size_t a, size_t b);
long rp_lsh_ensemble(const uint16_t *v, const uint32_t *size, size_t n,
                     unsigned K, unsigned b, unsigned r, double t,
                     rp_lsh_keep_fn keep, const void *keep_ctx,
                     size_t *refused, size_t *capped, uint64_t **pairs);

/* rp_lsh_ensemble with its bands and bins spread over threads threads
 * (keep must then be safe to call from several at once): the same pairs,
 * refused and capped whatever the number. */
long rp_lsh_ensemble_threads(const uint16_t *v, const uint32_t *size, size_t n,
                             unsigned K, unsigned b, unsigned r, double t,
                             rp_lsh_keep_fn keep, const void *keep_ctx,
                             unsigned threads, size_t *refused, size_t *capped,
                             uint64_t **pairs);

/* rp_lsh_ensemble restricted to the buckets of partition part of nparts
 * (each bucket, a band or 1-row bin and its key, belongs to partition
 * rp_lsh_part(band or b + bin, key, nparts)): the union over the
 * partitions is what rp_lsh_ensemble gives, and capped and refused add
 * up. For `reprint dist`, which runs the partitions as separate jobs. */
long rp_lsh_ensemble_part(const uint16_t *v, const uint32_t *size, size_t n,
                          unsigned K, unsigned b, unsigned r, double t,
                          rp_lsh_keep_fn keep, const void *keep_ctx,
                          unsigned part, unsigned nparts,
                          size_t *refused, size_t *capped, uint64_t **pairs);
/* @return the partition (0..nparts) of the bucket with this key in band
 * band (1-row bin i counts as band b + i). */
unsigned rp_lsh_part(unsigned band, uint32_t key, unsigned nparts);

/* One bucket entry, for `reprint dist`'s shuffle: document doc (of set
 * size size) has key `key` in band `band` (1-row bin i: band b + i). */
typedef struct rp_lsh_entry {
    uint32_t band, key, doc, size;
} rp_lsh_entry;

/* Fills out[0..) with one document's entries as rp_lsh_ensemble_part
 * buckets it: its b keys of r of the 16-bit values v[0..K), then its
 * value in each 1-row bin i with a finite ratio[i] (rp_lsh_ratios).
 * out holds b + K entries. @return the number filled. */
size_t rp_lsh_doc_entries(const uint16_t *v, unsigned K, unsigned b, unsigned r,
                          const double *ratio, uint32_t doc, uint32_t size,
                          rp_lsh_entry *out);

/* qsort order of entries: (band, key, doc). */
int rp_lsh_entry_cmp(const void *x, const void *y);

/* rp_lsh_ensemble_part from entries instead of values: e[0..ne) sorted
 * by (band, key, doc) and holding every entry of each bucket it touches
 * (all of a partition's, for instance); widest is the corpus's largest
 * size ratio (largest set over smallest, sizes of 0 counted as 1), which
 * gates the 1-row bins as rp_lsh_ensemble_part does. The candidates,
 * refused and capped are those of rp_lsh_ensemble_part for those buckets.
 * @return the number of pairs, or -1 when out of memory. */
long rp_lsh_entry_pairs(const rp_lsh_entry *e, size_t ne, unsigned K, unsigned b,
                        const double *ratio, double widest,
                        rp_lsh_keep_fn keep, const void *keep_ctx,
                        size_t *refused, size_t *capped, uint64_t **pairs);

/* Fills ratio[0..K) for rp_lsh_ensemble: the least size ratio at which
 * a pair also needs 1-row band i (INFINITY: none needs it), for
 * containment threshold t next to b bands of r rows.
 * @return RP_OK or RP_EINVAL. */
int rp_lsh_ratios(double t, unsigned K, unsigned b, unsigned r, double *ratio);

/* @return the probability that two sets of Jaccard s become candidates. */
double rp_lsh_prob(double s, unsigned b, unsigned r);

#endif
