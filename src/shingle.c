/*
 * shingle.c - word k-grams ("shingles") as a sorted set of 64-bit hashes.
 *
 * Each token already carries the XXH3 hash of its normalized word, so a
 * shingle is hashed from the k word hashes (XXH3 over k*8 bytes) instead of
 * re-reading k words of text. The set is kept as a sorted, repeat-free
 * array: 8 bytes a shingle, compared exactly by a linear merge. Where
 * only the set is needed (its MinHash and size: the first pass of a
 * corpus that reads its texts again to verify), a hash table drops the
 * repeats without the sort (rp_dedup_u64).
 */
#include "shingle.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "options.h"
#include "util.h"

/* XXH3_64bits as xxhash.h itself defines it, through its always-inlined
 * body (0.8.x), so that a window of a constant size compiles without the
 * length dispatch and the call; the same value as XXH3_64bits. */
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
#define HASH_INLINE(p, len) \
    XXH3_64bits_internal(p, len, 0, XXH3_kSecret, sizeof(XXH3_kSecret), \
                         XXH3_hashLong_64b_default)
#else
#define HASH_INLINE(p, len) XXH3_64bits(p, len)
#endif

uint64_t rp_shingle_hash(const uint64_t *h, unsigned k)
{
    return XXH3_64bits(h, (size_t)k * sizeof *h);
}

/* The window hashes of tok[0..n) for k words (n >= k), gathered in a
 * small ring that is kept contiguous by writing each hash twice. It is
 * inlined once with k a constant (the default k: the hash of a fixed-size
 * input compiles to a few multiplications) and once for any k. */
static inline size_t windows(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    uint64_t ring[2 * 16];
    size_t m = 0;
    unsigned slot = 0;   /* i % k, without a division */
    for (size_t i = 0; i < n; i++) {
        ring[slot] = ring[slot + k] = tok[i].hash;
        if (++slot == k)
            slot = 0;
        if (i + 1 >= k)
            out[m++] = HASH_INLINE(ring + slot, (size_t)k * sizeof *ring);
    }
    return m;
}

static size_t windows_default(const rp_token *tok, size_t n, uint64_t *out)
{
    return windows(tok, n, RP_DEFAULT_SHINGLE, out);
}

static size_t windows_any(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    return windows(tok, n, k, out);
}

/* The window hashes of the n tokens into out, repeats and all.
 * @return their number. */
static size_t all_windows(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        uint64_t h[16];
        for (size_t i = 0; i < n; i++)
            h[i] = tok[i].hash;
        out[0] = rp_shingle_hash(h, (unsigned)n);
        return 1;
    }
    return k == RP_DEFAULT_SHINGLE ? windows_default(tok, n, out)
                                   : windows_any(tok, n, k, out);
}

size_t rp_shingle(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    size_t m = all_windows(tok, n, k, out);
    rp_sort_u64(out, m);
    return rp_unique_u64(out, m);
}

/* Sets larger than this are sorted instead: the table would take 16 to
 * 32 bytes a shingle where the sort takes 8. */
#define SET_TABLE_MAX 65536

size_t rp_shingle_set(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    size_t m = all_windows(tok, n, k, out);
    size_t w = m <= SET_TABLE_MAX ? rp_dedup_u64(out, m) : (size_t)-1;
    if (w != (size_t)-1)
        return w;
    rp_sort_u64(out, m);   /* (the same set) */
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
