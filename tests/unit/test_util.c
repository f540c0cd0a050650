/*
 * test_util.c - growable arrays (including size overflow), the radix sort
 * against qsort on every size class it has (insertion sort, qsort, radix),
 * removal of repeats, the clock, and mappings for huge pages.
 */
#define _DEFAULT_SOURCE /* munmap */
#include "testutil.h"

#include <sys/mman.h>

#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_grow(void **state)
{
    (void)state;
    int *p = NULL;
    size_t cap = 0;
    assert_int_equal(rp_grow(&p, &cap, 1, sizeof *p), 0);
    assert_non_null(p);
    assert_true(cap >= 1);
    size_t first = cap;
    /* no growth needed: nothing moves */
    int *same = p;
    assert_int_equal(rp_grow(&p, &cap, first, sizeof *p), 0);
    assert_ptr_equal(p, same);
    assert_int_equal(cap, first);
    assert_int_equal(rp_grow(&p, &cap, 0, sizeof *p), 0);
    assert_int_equal(cap, first);
    /* growth keeps the contents and reaches at least need */
    for (int i = 0; i < (int)first; i++)
        p[i] = i * 7;
    assert_int_equal(rp_grow(&p, &cap, 1000, sizeof *p), 0);
    assert_true(cap >= 1000);
    for (int i = 0; i < (int)first; i++)
        assert_int_equal(p[i], i * 7);
    p[999] = 1;   /* writable (ASan, valgrind) */
    free(p);

    /* a capacity that is not a power of two */
    char *c = malloc(5);
    assert_non_null(c);
    cap = 5;
    assert_int_equal(rp_grow(&c, &cap, 6, 1), 0);
    assert_true(cap >= 6);
    c[cap - 1] = 0;
    free(c);
}

static void test_grow_overflow(void **state)
{
    (void)state;
    /* Every case here must be refused by the overflow checks before any
     * allocation is tried, and must leave *p and *cap alone. */
    char *p = malloc(16);
    assert_non_null(p);
    char *orig = p;
    size_t cap = 16;
    /* the doubling itself would overflow */
    assert_int_equal(rp_grow(&p, &cap, SIZE_MAX, 1), -1);
    assert_ptr_equal(p, orig);
    assert_int_equal(cap, 16);
    assert_int_equal(rp_grow(&p, &cap, SIZE_MAX / 2 + 2, 1), -1);
    assert_ptr_equal(p, orig);
    assert_int_equal(cap, 16);
    /* the byte count (capacity * elem) would overflow */
    assert_int_equal(rp_grow(&p, &cap, SIZE_MAX / 16 + 1, 16), -1);
    assert_int_equal(rp_grow(&p, &cap, SIZE_MAX / 8 + 1, 8), -1);
    assert_int_equal(rp_grow(&p, &cap, 17, SIZE_MAX / 4), -1);
    assert_int_equal(rp_grow(&p, &cap, 32, SIZE_MAX / 31), -1);
    assert_ptr_equal(p, orig);
    assert_int_equal(cap, 16);
    /* a capacity already beyond half the address space cannot double */
    size_t huge = SIZE_MAX / 2 + 1;
    assert_int_equal(rp_grow(&p, &huge, SIZE_MAX, 1), -1);
    assert_int_equal(huge, SIZE_MAX / 2 + 1);
    assert_ptr_equal(p, orig);
    /* still usable afterwards */
    assert_int_equal(rp_grow(&p, &cap, 100, 1), 0);
    assert_true(cap >= 100);
    free(p);
}

/* Sorts a copy of keys with rp_sort_u64 and with qsort and compares. */
static void check_sort(const uint64_t *keys, size_t n)
{
    uint64_t *a = malloc((n ? n : 1) * sizeof *a);
    uint64_t *b = malloc((n ? n : 1) * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    if (n) {
        memcpy(a, keys, n * sizeof *a);
        memcpy(b, keys, n * sizeof *b);
    }
    rp_sort_u64(a, n);
    qsort(b, n, sizeof *b, cmp_u64);
    if (n)
        assert_memory_equal(a, b, n * sizeof *a);
    free(a);
    free(b);
}

static void test_sort_vs_qsort(void **state)
{
    (void)state;
    /* sizes around each switch (32: insertion, 256: qsort, then radix) */
    static const size_t sizes[] = {0, 1, 2, 3, 31, 32, 33, 255, 256, 257,
                                   1000, 4096, 100000};
    uint64_t rng = 1;
    uint64_t *k = malloc(100000 * sizeof *k);
    assert_non_null(k);
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
        size_t n = sizes[s];
        for (int kind = 0; kind < 7; kind++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t r = sm64(&rng);
                switch (kind) {
                case 0: k[i] = r; break;                          /* uniform */
                case 1: k[i] = r % 16; break;                     /* many repeats */
                case 2: k[i] = r & 0xFF00FF0000FF00FFull; break;  /* constant bytes */
                case 3: k[i] = (uint64_t)(n - i); break;          /* descending */
                case 4: k[i] = 0xDEADBEEFull; break;              /* all equal */
                case 5: k[i] = r | 0x8000000000000000ull; break;  /* high bit */
                default: k[i] = i % 2 ? UINT64_MAX - r % 3 : r % 3; break;
                }
            }
            check_sort(k, n);
        }
    }
    free(k);
}

/* rp_sort_hi32 on (k << 32 | i) pairs, i ascending, gives what
 * rp_sort_u64 gives: random band keys, 16-bit values, few keys, one key,
 * keys in the top bits only, sizes around its switch to radix (256) and a band of a large corpus. */
static void test_sort_hi32(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 255, 256, 257, 1000, 4097, 20000, 70000};
    uint64_t rng = 7;
    uint64_t *a = malloc(70000 * sizeof *a), *b = malloc(70000 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
        size_t n = sizes[s];
        for (int kind = 0; kind < 6; kind++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t r = sm64(&rng);
                /* (kind 5: the top bits only, so the radix's first passes
                 * have one digit) */
                uint64_t key = kind == 0 ? (uint32_t)r : kind == 1 ? r & 0xFFFF
                             : kind == 2 ? r % 5 : kind == 3 ? 42
                             : kind == 4 ? (uint32_t)r | 0x80000000u : (r & 0x3FF) << 22;
                /* indexes ascend, with gaps (a filtered list) */
                uint64_t idx = kind == 4 ? 3 * i + 1 : i;
                a[i] = b[i] = key << 32 | idx;
            }
            rp_sort_hi32(a, n);
            rp_sort_u64(b, n);
            if (n)
                assert_memory_equal(a, b, n * sizeof *a);
        }
    }
    free(a);
    free(b);
}

static void test_unique(void **state)
{
    (void)state;
    assert_int_equal(rp_unique_u64(NULL, 0), 0);
    uint64_t one[] = {5};
    assert_int_equal(rp_unique_u64(one, 1), 1);
    uint64_t same[] = {3, 3, 3, 3};
    assert_int_equal(rp_unique_u64(same, 4), 1);
    assert_true(same[0] == 3);
    uint64_t mix[] = {0, 0, 1, 2, 2, 2, 7, UINT64_MAX, UINT64_MAX};
    uint64_t want[] = {0, 1, 2, 7, UINT64_MAX};
    assert_int_equal(rp_unique_u64(mix, ARRAY_LEN(mix)), ARRAY_LEN(want));
    assert_memory_equal(mix, want, sizeof want);

    /* random sorted arrays with repeats against a naive count */
    uint64_t rng = 99;
    uint64_t k[3000];
    for (int round = 0; round < 50; round++) {
        size_t n = (size_t)sm64_below(&rng, ARRAY_LEN(k) + 1);
        uint64_t range = 1 + sm64_below(&rng, 2 * n + 1);
        for (size_t i = 0; i < n; i++)
            k[i] = sm64_below(&rng, range);
        rp_sort_u64(k, n);
        size_t distinct = n ? 1 : 0;
        for (size_t i = 1; i < n; i++)
            distinct += k[i] != k[i - 1];
        size_t m = rp_unique_u64(k, n);
        assert_int_equal(m, distinct);
        for (size_t i = 1; i < m; i++)
            assert_true(k[i - 1] < k[i]);
    }
}

/* rp_dedup_u64 keeps the first of each key in order: against a naive
 * scan, on uniform keys, few distinct keys, keys sharing their top bits
 * (long probes) and the key 0 (the table's free mark). */
static void test_dedup(void **state)
{
    (void)state;
    uint64_t rng = 21;
    uint64_t k[2000], want[2000];
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)sm64_below(&rng, ARRAY_LEN(k) + 1);
        int kind = round % 4;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = sm64(&rng);
            k[i] = kind == 0 ? r : kind == 1 ? sm64_mix(r % 7)
                 : kind == 2 ? (r % 50) : (r % 3 == 0 ? 0 : (0xABCull << 52) | (r % 40));
        }
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < w && want[j] != k[i])
                j++;
            if (j == w)
                want[w++] = k[i];
        }
        size_t m = rp_dedup_u64(k, n);
        assert_int_equal(m, w);
        if (m)
            assert_memory_equal(k, want, m * sizeof *k);
    }
}

static void test_clock(void **state)
{
    (void)state;
    double a = rp_now(), b = rp_now();
    assert_true(a > 0);
    assert_true(b >= a);
}

/* rp_map_huge: zeroed, writable, from a huge page boundary when 2 MiB or
 * more, and each page-aligned part can be unmapped on its own. */
static void test_map_huge(void **state)
{
    (void)state;
    size_t sizes[] = {1, 4096, 100000, RP_HUGE_PAGE, 3 * RP_HUGE_PAGE + 8192};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        unsigned char *p = rp_map_huge(n);
        assert_non_null(p);
        if (n >= RP_HUGE_PAGE)
            assert_int_equal((uintptr_t)p % RP_HUGE_PAGE, 0);
        for (size_t i = 0; i < n; i += 4093)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n);
        assert_int_equal(p[n - 1], 0xAB);
        size_t whole = (n + 4095) & ~(size_t)4095;
        if (whole > 4096) {   /* a part, then the rest */
            assert_int_equal(munmap(p, 4096), 0);
            assert_int_equal(munmap(p + 4096, whole - 4096), 0);
        } else {
            assert_int_equal(munmap(p, whole), 0);
        }
    }
    assert_null(rp_map_huge(0));
    assert_null(rp_map_huge(SIZE_MAX));
    rp_advise_huge(NULL, 0);   /* harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_grow_overflow),
        cmocka_unit_test(test_sort_vs_qsort),
        cmocka_unit_test(test_sort_hi32),
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_map_huge),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
