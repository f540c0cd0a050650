/*
 * util.c - growable arrays, a hint for huge pages, a monotonic clock and a radix sort for 64-bit
 * keys. The sort is the hot spot of shingle-set building and LSH banding,
 * so it gets a linear-time LSD radix sort above a small size.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

int rp_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    void **pp = p;
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *np = realloc(*pp, ncap * elem);
    if (!np)
        return -1;
    *pp = np;
    *cap = ncap;
    return 0;
}

void rp_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)RP_HUGE_PAGE;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(huge - 1);
    if (p && e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *rp_map_huge(size_t n)
{
    const size_t huge = RP_HUGE_PAGE;
    if (n == 0 || n > SIZE_MAX - 2 * huge)
        return NULL;
    n = (n + 4095) & ~(size_t)4095;
    size_t span = n >= huge ? n + huge : n;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (span == n)
        return p;
    /* keep the n bytes from the first huge page boundary on */
    char *a = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (p + span > a + n)
        munmap(a + n, (size_t)(p + span - (a + n)));
    rp_advise_huge(a, n);
    return a;
}

double rp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void insertion_sort(uint64_t *k, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = k[i];
        size_t j = i;
        while (j > 0 && k[j - 1] > v) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
}

/* One most-significant-digit pass on the top bits, sized so that a bucket
 * holds about two keys, then an insertion sort that only has to fix order
 * inside the buckets: about 3n steps, for the few hundred to few thousand
 * uniform hashes of one document's shingle set. Keys that are not
 * uniform go to lsd_sort(from): see there. */
static void lsd_sort(uint64_t *keys, uint64_t *tmp, size_t n, int from);

/* The most keys msd_sort is given (its callers' stack buffer), and so the
 * most top bits it takes: 2^11 buckets for 4,096 keys, 16 KiB of counts
 * on the stack. */
#define MSD_MAX 4096
#define MSD_BITS 11

static void msd_sort(uint64_t *keys, uint64_t *tmp, size_t n, int from)
{
    unsigned bits = 1;
    while (bits < MSD_BITS && ((size_t)1 << (bits + 1)) < n)
        bits++;
    size_t nb = (size_t)1 << bits, count[(1u << MSD_BITS) + 1];
    memset(count, 0, (nb + 1) * sizeof *count);
    unsigned shift = 64 - bits;
    for (size_t i = 0; i < n; i++)
        count[(keys[i] >> shift) + 1]++;
    /* Keys that are not uniform in their top bits (packed pairs of small
     * indexes, say) would make the insertion sort quadratic. */
    for (size_t b = 1; b <= nb; b++)
        if (count[b] > 32) {
            lsd_sort(keys, tmp, n, from);
            return;
        }
    for (size_t b = 0; b < nb; b++)
        count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++)
        tmp[count[keys[i] >> shift]++] = keys[i];
    insertion_sort(tmp, n);
    memcpy(keys, tmp, n * sizeof *keys);
}

/* LSD radix sort on bytes from..7, a stable pass of 8 bits each (from 0:
 * a full sort); passes where every key has the same byte are skipped.
 * For large arrays whatever their distribution. */
static void lsd_sort(uint64_t *keys, uint64_t *tmp, size_t n, int from)
{
    size_t count[8][256];
    memset(count[from], 0, (size_t)(8 - from) * sizeof count[0]);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = keys[i];
        for (int b = from; b < 8; b++)
            count[b][(v >> (8 * b)) & 0xFF]++;
    }
    uint64_t *src = keys, *dst = tmp;
    for (int b = from; b < 8; b++) {
        size_t *c = count[b];
        if (c[(src[0] >> (8 * b)) & 0xFF] == n)
            continue;
        size_t sum = 0;
        for (int i = 0; i < 256; i++) {
            size_t t = c[i];
            c[i] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t v = src[i];
            dst[c[(v >> (8 * b)) & 0xFF]++] = v;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

void rp_sort_u64(uint64_t *keys, size_t n)
{
    if (n < 32) {
        insertion_sort(keys, n);
        return;
    }
    uint64_t stack[MSD_MAX];
    uint64_t *tmp = n <= MSD_MAX ? stack : malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(keys, n, sizeof *keys, cmp_u64);
        return;
    }
    if (n <= MSD_MAX)
        msd_sort(keys, tmp, n, 0);
    else
        lsd_sort(keys, tmp, n, 0);
    if (tmp != stack)
        free(tmp);
}

/* LSD radix sort on the high 32 bits in three stable passes of 11 bits
 * (where the four 8-bit passes of lsd_sort took a third more time on
 * hundreds of thousands of keys); passes where every key has the same
 * digit are skipped. */
static void lsd_hi32(uint64_t *keys, uint64_t *tmp, size_t n)
{
    enum { BITS = 11, DIGITS = 1 << BITS };
    size_t count[3][DIGITS];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)(keys[i] >> 32);
        count[0][v & (DIGITS - 1)]++;
        count[1][(v >> BITS) & (DIGITS - 1)]++;
        count[2][v >> 2 * BITS]++;
    }
    uint64_t *src = keys, *dst = tmp;
    for (unsigned p = 0; p < 3; p++) {
        size_t *c = count[p];
        unsigned shift = 32 + p * BITS;
        if (c[(src[0] >> shift) & (DIGITS - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < DIGITS; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t v = src[i];
            dst[c[(v >> shift) & (DIGITS - 1)]++] = v;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

void rp_sort_hi32(uint64_t *keys, size_t n)
{
    if (n < 32) {
        insertion_sort(keys, n);   /* (exact on any input) */
        return;
    }
    uint64_t stack[MSD_MAX];
    uint64_t *tmp = n <= MSD_MAX ? stack : malloc(n * sizeof *tmp);
    if (!tmp) {
        rp_sort_u64(keys, n);
        return;
    }
    /* Uniform keys of a few thousand: the MSD pass and an insertion sort
     * (exact on any input). Else LSD passes on the high half: each pass
     * is stable, so keys whose high halves tie keep their input order,
     * which is the order of their low halves. */
    if (n <= MSD_MAX)
        msd_sort(keys, tmp, n, 4);
    else
        lsd_hi32(keys, tmp, n);
    if (tmp != stack)
        free(tmp);
}

size_t rp_unique_u64(uint64_t *keys, size_t n)
{
    if (n == 0)
        return 0;
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (keys[i] != keys[w - 1])
            keys[w++] = keys[i];
    return w;
}

size_t rp_dedup_u64(uint64_t *keys, size_t n)
{
    /* open addressing on the top bits, at most half full; 0 marks a free
     * slot, so the key 0 is tracked aside */
    unsigned bits = 4;
    while (bits < 48 && ((size_t)1 << bits) < 2 * n)
        bits++;
    size_t mask = ((size_t)1 << bits) - 1;
    if (n < 2)
        return n;
    uint64_t *t = calloc(mask + 1, sizeof *t);
    if (!t)
        return (size_t)-1;
    size_t w = 0;
    int zero = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = keys[i];
        if (x == 0) {
            if (!zero)
                keys[w++] = 0;
            zero = 1;
            continue;
        }
        size_t s = (size_t)(x >> (64 - bits));
        while (t[s] && t[s] != x)
            s = (s + 1) & mask;
        if (!t[s]) {
            t[s] = x;
            keys[w++] = x;   /* (w <= i: in place) */
        }
    }
    free(t);
    return w;
}

size_t rp_utf8_put(char *o, uint32_t cp)
{
    unsigned char *u = (unsigned char *)o;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (unsigned char)(0xF0 | cp >> 18);
    u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
