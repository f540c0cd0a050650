/*
 * shingle.c - word k-grams ("shingles") as a sorted set of 64-bit hashes.
 *
 * Each token already carries the XXH3 hash of its normalized word, so a
 * shingle is hashed from the k word hashes (XXH3 over k*8 bytes) instead of
 * re-reading k words of text. The set is kept as a sorted, repeat-free
 * array: 8 bytes a shingle, compared exactly by a linear merge.
 */
#include "shingle.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util.h"

uint64_t rp_shingle_hash(const uint64_t *h, unsigned k)
{
    return XXH3_64bits(h, (size_t)k * sizeof *h);
}

size_t rp_shingle(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    if (n == 0)
        return 0;
    /* Gather a window of k word hashes at a time into a small ring that is
     * kept contiguous by writing each hash twice. */
    uint64_t ring[2 * 16];
    if (n < k) {
        for (size_t i = 0; i < n; i++)
            ring[i] = tok[i].hash;
        out[0] = rp_shingle_hash(ring, (unsigned)n);
        return 1;
    }
    size_t m = 0;
    unsigned slot = 0;   /* i % k, without a division */
    for (size_t i = 0; i < n; i++) {
        ring[slot] = ring[slot + k] = tok[i].hash;
        if (++slot == k)
            slot = 0;
        if (i + 1 >= k)
            out[m++] = rp_shingle_hash(ring + slot, k);
    }
    rp_sort_u64(out, m);
    return rp_unique_u64(out, m);
}

size_t rp_intersect_count(const uint64_t *a, size_t na,
                          const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        c += x == y;
        i += x <= y;
        j += y <= x;
    }
    return c;
}
