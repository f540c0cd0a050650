/*
 * test_uf.c - union-find: every set's root is its smallest element, in
 * whatever order the unions come, and a union within one set changes
 * nothing.
 */
#include "testutil.h"

#include "uf.h"

static void test_roots_are_minima(void **state)
{
    (void)state;
    size_t p[10];
    rp_uf_init(p, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(rp_uf_find(p, i), i);
    /* {2, 5, 7, 9} joined from the top down, {1, 3} and {4, 8} */
    assert_int_equal(rp_uf_union(p, 9, 7), 7);
    assert_int_equal(rp_uf_union(p, 7, 5), 5);
    assert_int_equal(rp_uf_union(p, 9, 2), 2);
    assert_int_equal(rp_uf_union(p, 3, 1), 1);
    assert_int_equal(rp_uf_union(p, 8, 4), 4);
    /* already one set: the same root, nothing moves */
    assert_int_equal(rp_uf_union(p, 5, 9), 2);
    static const size_t root[10] = {0, 1, 2, 1, 4, 2, 6, 2, 4, 2};
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(rp_uf_find(p, i), root[i]);
    /* joining two sets keeps the smaller minimum */
    assert_int_equal(rp_uf_union(p, 8, 9), 2);
    assert_int_equal(rp_uf_find(p, 4), 2);
    assert_int_equal(rp_uf_find(p, 8), 2);
    assert_int_equal(rp_uf_find(p, 1), 1);
}

static void test_long_chain(void **state)
{
    (void)state;
    enum { N = 100000 };
    size_t *p = malloc(N * sizeof *p);
    assert_non_null(p);
    rp_uf_init(p, N);
    /* a chain built from the top: each union puts a new minimum on top */
    for (size_t i = N - 1; i > 0; i--)
        rp_uf_union(p, i, i - 1);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(rp_uf_find(p, i), 0);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots_are_minima),
        cmocka_unit_test(test_long_chain),
    };
    return cmocka_run_group_tests_name("uf", tests, NULL, NULL);
}
