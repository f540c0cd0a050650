/*
 * index.h - the inside of the persistent index (index.c) that the unit
 * tests reach: the consistent shingle sample, its encoding, and the
 * estimator that verifies a pair from two samples.
 */
#ifndef RP_INDEX_H
#define RP_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

/* Bits kept of each sampled shingle hash. */
#define RP_SAMPLE_VALUE_BITS 24

/* Default LSH shape of a new index: 32 bands of one row (see README,
 * "Index": 32 lookup rows a document fit the size budget, and one-row
 * bands find pairs up to Jaccard 0.2 more often than scan's 117 bands of
 * two rows). */
#define RP_INDEX_BANDS 32
/* Documents a band key keeps in the lookup; later ones with the same key
 * are found through their other bands. */
#define RP_INDEX_BUCKET_MAX 256
/* New lookup rows go to a small table of recent ones, merged into the big
 * one in key order once it holds this many documents' rows. */
#define RP_INDEX_MERGE_DOCS 65536
#define RP_INDEX_ROWS 1

/* Sets the number of documents whose rows the table of recent rows holds
 * before the commit that merges it (default RP_INDEX_MERGE_DOCS), so that
 * the tests can reach the merge with a few documents. */
void rp_index_set_merge_docs(rp_index *ix, size_t docs);

/* Writes the sample of the sorted shingle hashes sh[0..n): the shingles
 * whose hash has its top `bits` bits zero, each as the next
 * RP_SAMPLE_VALUE_BITS bits, sorted and repeat-free, into out (room for n
 * values). @return the number of values. */
size_t rp_sample(const uint64_t *sh, size_t n, unsigned bits, uint32_t *out);

/* Encodes m sorted values as delta varints into buf (room for 4 * m
 * bytes). @return the bytes written. */
size_t rp_sample_encode(const uint32_t *v, size_t m, uint8_t *buf);

/* Decodes a sample of at most cap values. @return the number decoded, or
 * (size_t)-1 when the bytes are malformed (truncated varint, values out
 * of order or out of range, more than cap values). */
size_t rp_sample_decode(const uint8_t *buf, size_t len, uint32_t *out,
                        size_t cap);

/* Estimates the pair of sets of sizes na and nb from their samples a[0..ma)
 * and b[0..mb): shared = |a & b| * (na + nb) / (ma + mb), rounded, at most
 * min(na, nb); then fills *s as rp_doc_compare would. */
void rp_sample_estimate(size_t na, const uint32_t *a, size_t ma,
                        size_t nb, const uint32_t *b, size_t mb,
                        const rp_options *o, rp_sim *s);

#endif
