/*
 * shingle.c - word k-grams ("shingles") as a sorted set of 64-bit hashes.
 *
 * Each token already carries the XXH3 hash of its normalized word, so a
 * shingle is hashed from the k word hashes (XXH3 over k*8 bytes) instead of
 * re-reading k words of text. The set is kept as a sorted, repeat-free
 * array: 8 bytes a shingle, compared exactly by a linear merge. Where
 * only the set is needed (its MinHash and size: the first pass of a
 * corpus that reads its texts again to verify), a hash table drops the
 * repeats without the sort (rp_dedup_u64), and rp_shingle_sketch goes
 * further: each window hash goes from the hash straight into a table
 * kept by the thread and, when new, into the MinHash signature, so the
 * set is neither stored nor read a second time.
 */
#include "shingle.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "minhash.h"
#include "options.h"
#include "threadbuf.h"
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

/* The hash of the 3-word shingle (a, b, c): XXH3_64bits of the 24 bytes
 * a, b, c as they lie in memory, written out for that one length (the
 * body of XXH3_len_17to128_64b at len 24 with seed 0: two 16-byte mixes
 * at offsets 0 and 8, the avalanche), from registers, so that a window
 * needs no copy of its word hashes. Little-endian only, where the bytes
 * of a uint64_t read back as the value; test_shingle compares it with
 * rp_shingle_hash. */
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900 && \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HASH3 1
static inline uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    const uint8_t *sec = XXH3_kSecret;
    uint64_t acc = 24 * XXH_PRIME64_1;
    acc += XXH3_mul128_fold64(a ^ XXH_readLE64(sec), b ^ XXH_readLE64(sec + 8));
    acc += XXH3_mul128_fold64(b ^ XXH_readLE64(sec + 16), c ^ XXH_readLE64(sec + 24));
    return XXH3_avalanche(acc);
}
#else
#define HASH3 0
#endif

/* Sets of up to SKETCH_SLOTS / 2 windows are found in a table of each
 * thread (a block of threadbuf.c), reused from document to document: a
 * slot is in use when its generation is the document's, so a document
 * starts on an empty table without clearing it. 16 bytes a slot, 256 KiB
 * a thread at most, touched only as far as the largest document needs. */
#define SKETCH_BITS 14
#define SKETCH_SLOTS ((size_t)1 << SKETCH_BITS)

typedef struct sketch_slot {
    uint64_t key;
    uint64_t gen;
} sketch_slot;

static _Thread_local uint64_t sketch_gen;

/* Where the window hashes go: out[] (set 0) or, set 1, the table of the
 * distinct ones, each new one into the signature sig[0..K). */
typedef struct sink {
    uint64_t *out;
    size_t m;            /* hashes stored (set 0), distinct ones (set 1) */
    sketch_slot *t;
    size_t mask;
    unsigned shift;
    uint64_t gen;
    uint32_t *sig;
    unsigned K;
} sink;

static inline void put(sink *o, int set, uint64_t h)
{
    if (!set) {
        o->out[o->m++] = h;
        return;
    }
    /* open addressing on the top bits */
    size_t s = (size_t)(h >> o->shift);
    while (o->t[s].gen == o->gen) {
        if (o->t[s].key == h)
            return;
        s = (s + 1) & o->mask;
    }
    o->t[s].gen = o->gen;
    o->t[s].key = h;
    o->m++;
    rp_minhash_add(o->sig, o->K, h);
}

/* The window hashes of tok[0..n) for k words (n >= k) into o. Three words
 * (the default) go through hash3, any k through a small ring that is
 * kept contiguous by writing each hash twice. It is inlined with k and
 * set constants. */
static inline void windows(const rp_token *tok, size_t n, unsigned k, sink *to, int set)
{
    /* a local copy, which the stores into the table and the signature
     * cannot alias: its fields stay in registers */
    sink o = *to;
#if HASH3
    if (k == 3) {
        uint64_t a = tok[0].hash, b = tok[1].hash;
        for (size_t i = 2; i < n; i++) {
            uint64_t c = tok[i].hash;
            put(&o, set, hash3(a, b, c));
            a = b;
            b = c;
        }
        to->m = o.m;
        return;
    }
#endif
    uint64_t ring[2 * 16];
    unsigned slot = 0;   /* i % k, without a division */
    for (size_t i = 0; i < n; i++) {
        ring[slot] = ring[slot + k] = tok[i].hash;
        if (++slot == k)
            slot = 0;
        if (i + 1 >= k)
            put(&o, set, HASH_INLINE(ring + slot, (size_t)k * sizeof *ring));
    }
    to->m = o.m;
}

static void windows_default(const rp_token *tok, size_t n, sink *o)
{
    windows(tok, n, RP_DEFAULT_SHINGLE, o, 0);
}

static void windows_any(const rp_token *tok, size_t n, unsigned k, sink *o)
{
    windows(tok, n, k, o, 0);
}

static void windows_default_set(const rp_token *tok, size_t n, sink *o)
{
    windows(tok, n, RP_DEFAULT_SHINGLE, o, 1);
}

static void windows_any_set(const rp_token *tok, size_t n, unsigned k, sink *o)
{
    windows(tok, n, k, o, 1);
}

/* The hash of the one shingle of a text of 0 < n < k words. */
static uint64_t short_text(const rp_token *tok, size_t n)
{
    uint64_t h[16];
    for (size_t i = 0; i < n; i++)
        h[i] = tok[i].hash;
    return rp_shingle_hash(h, (unsigned)n);
}

/* The window hashes of the n tokens into out, repeats and all.
 * @return their number. */
static size_t all_windows(const rp_token *tok, size_t n, unsigned k, uint64_t *out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        out[0] = short_text(tok, n);
        return 1;
    }
    sink o = {.out = out};
    if (k == RP_DEFAULT_SHINGLE)
        windows_default(tok, n, &o);
    else
        windows_any(tok, n, k, &o);
    return o.m;
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

size_t rp_shingle_sketch(const rp_token *tok, size_t n, unsigned k,
                         uint32_t *sig, unsigned K)
{
    size_t m = n == 0 ? 0 : n < k ? 1 : n - k + 1;
    /* at most half full, as rp_dedup_u64 */
    unsigned bits = 4;
    while (((size_t)1 << bits) < 2 * m)
        bits++;
    sketch_slot *table = NULL;
    if (n >= k && bits <= SKETCH_BITS)
        table = rp_threadbuf(RP_TB_SKETCH, SKETCH_SLOTS * sizeof *table);
    if (n >= k && !table) {
        /* too large for the table (or no memory for one): the set, then
         * its signature */
        uint64_t *h = malloc(m * sizeof *h);
        if (!h)
            return (size_t)-1;
        size_t d = rp_shingle_set(tok, n, k, h);
        rp_minhash(h, d, sig, K);
        free(h);
        return d;
    }
    rp_minhash_start(sig, K);
    if (n == 0)
        return 0;
    if (n < k) {
        rp_minhash_add(sig, K, short_text(tok, n));
        rp_minhash_finish(sig, K, 1);
        return 1;
    }
    sink o = {.t = table, .mask = ((size_t)1 << bits) - 1,
              .shift = 64 - bits, .gen = ++sketch_gen, .sig = sig, .K = K};
    if (k == RP_DEFAULT_SHINGLE)
        windows_default_set(tok, n, &o);
    else
        windows_any_set(tok, n, k, &o);
    rp_minhash_finish(sig, K, o.m);
    return o.m;
}

size_t rp_intersect_count_min(const uint64_t *a, size_t na,
                              const uint64_t *b, size_t nb, size_t need)
{
    size_t i = 0, j = 0, c = 0;
    for (;;) {
        /* steps of the merge up to 64 on in either array, then the test:
         * the shorter rest bounds how many more can be shared */
        size_t ia = na - i > 64 ? i + 64 : na, jb = nb - j > 64 ? j + 64 : nb;
        while (i < ia && j < jb) {
            uint64_t x = a[i], y = b[j];
            c += x == y;
            i += x <= y;
            j += y <= x;
        }
        if (i == na || j == nb)
            return c;
        size_t ra = na - i, rb = nb - j;
        if (c + (ra < rb ? ra : rb) < need)
            return c;
    }
}

size_t rp_intersect_count(const uint64_t *a, size_t na,
                          const uint64_t *b, size_t nb)
{
    return rp_intersect_count_min(a, na, b, nb, 0);   /* (never stops early) */
}
