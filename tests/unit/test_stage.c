/*
 * test_stage.c - the intermediate files of reprint dist (stage.c): a file
 * written and read back gives its sections; a file cut short, damaged,
 * of another version or of another stage is refused with its reason.
 * Also the invariant the bucket stage rests on: the candidates of the LSH
 * partitions (rp_lsh_ensemble_part) together are those of the whole run.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lsh.h"
#include "stage.h"
#include "util.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_round_trip_and_damage(void **state)
{
    (void)state;
    char path[] = "/tmp/reprint-stage-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    rp_stage_w *w = rp_stage_w_new(7, 0x1234, 2, 5, 3);
    assert_non_null(w);
    uint64_t v[3] = {1, 2, 3};
    assert_int_equal(rp_stage_w_put(w, 0, "hello", 5), 0);
    assert_int_equal(rp_stage_w_put(w, 2, v, sizeof v), 0);
    assert_int_equal(rp_stage_w_put(w, 0, " world", 6), 0);
    assert_int_equal(rp_stage_w_put(w, 3, v, 1), RP_EINVAL);
    assert_int_equal(rp_stage_w_save(w, path), 0);
    rp_stage_w_free(w);
    rp_stage_w_free(NULL);

    rp_stage s;
    const char *why;
    assert_int_equal(rp_stage_load(path, 7, &s, &why), RP_OK);
    assert_int_equal(s.kind, 7);
    assert_int_equal(s.task, 2);
    assert_int_equal(s.ntasks, 5);
    assert_int_equal(s.nsec, 3);
    assert_true(s.fingerprint == 0x1234);
    size_t n;
    const char *p = rp_stage_sec(&s, 0, &n);
    assert_int_equal(n, 11);
    assert_memory_equal(p, "hello world", 11);
    rp_stage_sec(&s, 1, &n);
    assert_int_equal(n, 0);
    const uint64_t *q = rp_stage_sec(&s, 2, &n);
    assert_int_equal(n, sizeof v);
    assert_true(q[2] == 3);
    assert_null(rp_stage_sec(&s, 3, &n));
    rp_stage_clear(&s);
    assert_int_equal(rp_stage_load(path, 8, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "written by another stage");

    size_t len;
    char *b = read_all(path, &len);
    assert_int_equal(rp_stage_parse(b, len - 1, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "truncated");
    assert_int_equal(rp_stage_parse(b, 30, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "truncated");
    b[60] ^= 1;
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "damaged (checksum)");
    b[60] ^= 1;
    b[8] = 2;
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "written by another version of reprint dist");
    b[0] = 'X';
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "not a reprint dist file");
    free(b);
    unlink(path);
    assert_int_equal(rp_stage_load(path, 0, &s, &why), RP_ELOAD);
}

static int keep_all(const void *ctx, size_t a, size_t b)
{
    (void)ctx;
    return (a + b) % 3 != 0;   /* any deterministic screen */
}

static void test_partitions_union(void **state)
{
    (void)state;
    enum { N = 600, K = 64 };
    uint16_t *v = malloc(N * K * sizeof *v);
    uint32_t size[N];
    assert_non_null(v);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < N; i++) {
        size[i] = 20 + (uint32_t)(i % 7) * 60;
        for (size_t k = 0; k < K; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* few distinct values: many buckets, some large */
            v[i * K + k] = (uint16_t)(i % 5 == 0 ? k : x % 40);
        }
    }
    uint64_t *all = NULL;
    size_t refused = 0, capped = 0;
    long na = rp_lsh_ensemble(v, size, N, K, 8, 2, 0.5, keep_all, NULL, &refused, &capped, &all);
    assert_true(na > 0);
    for (unsigned np = 1; np <= 5; np += 2) {
        uint64_t *u = NULL;
        size_t nu = 0, cap = 0, rsum = 0, csum = 0;
        for (unsigned p = 0; p < np; p++) {
            uint64_t *part = NULL;
            size_t r = 0, c = 0;
            long k = rp_lsh_ensemble_part(v, size, N, K, 8, 2, 0.5, keep_all, NULL, p, np,
                                          &r, &c, &part);
            assert_true(k >= 0);
            assert_int_equal(rp_grow(&u, &cap, nu + (size_t)k + 1, sizeof *u), 0);
            memcpy(u + nu, part, (size_t)k * sizeof *u);
            nu += (size_t)k;
            rsum += r;
            csum += c;
            free(part);
        }
        rp_sort_u64(u, nu);
        nu = rp_unique_u64(u, nu);
        assert_int_equal(nu, (size_t)na);
        assert_memory_equal(u, all, nu * sizeof *u);
        assert_int_equal(rsum, refused);
        assert_int_equal(csum, capped);
        free(u);
    }
    free(all);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_damage),
        cmocka_unit_test(test_partitions_union),
    };
    return cmocka_run_group_tests_name("stage", tests, NULL, NULL);
}
