/*
 * test_threadbuf.c - blocks kept by each thread: zeroed when made, the
 * same block again while it is large enough, a new zeroed one when a
 * larger one is asked for, one block a thread, and no block for a size
 * of 0 or an unknown kind.
 */
#include "testutil.h"

#include <pthread.h>

#include "threadbuf.h"

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_same_and_grown(void **state)
{
    (void)state;
    unsigned char *a = rp_threadbuf(RP_TB_SKETCH, 10000);
    assert_non_null(a);
    assert_true(all_zero(a, 10000));
    memset(a, 0xAB, 10000);
    /* large enough: the same block, as it was left */
    assert_ptr_equal(rp_threadbuf(RP_TB_SKETCH, 5000), a);
    assert_ptr_equal(rp_threadbuf(RP_TB_SKETCH, 10000), a);
    assert_int_equal(a[9999], 0xAB);
    /* larger: a new block, zeroed */
    unsigned char *b = rp_threadbuf(RP_TB_SKETCH, 300000);
    assert_non_null(b);
    assert_true(all_zero(b, 300000));
    /* the kinds are separate blocks */
    unsigned char *c = rp_threadbuf(RP_TB_WORD_CACHE, 4096);
    assert_non_null(c);
    assert_true(c != b);
    assert_null(rp_threadbuf(RP_TB_COUNT, 16));
    assert_null(rp_threadbuf(RP_TB_SKETCH, 0));
}

static void *other_thread(void *arg)
{
    unsigned char *mine = rp_threadbuf(RP_TB_SKETCH, 4096);
    if (mine && all_zero(mine, 4096)) {
        memset(mine, 1, 4096);
        *(unsigned char **)arg = mine;
    }
    return NULL;   /* the block is released as the thread ends */
}

static void test_one_a_thread(void **state)
{
    (void)state;
    unsigned char *here = rp_threadbuf(RP_TB_SKETCH, 4096);
    assert_non_null(here);
    here[0] = 7;
    for (int i = 0; i < 20; i++) {
        unsigned char *there = NULL;
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, other_thread, &there), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_non_null(there);   /* its own block, zeroed */
        assert_true(there != here);
    }
    assert_int_equal(here[0], 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_and_grown),
        cmocka_unit_test(test_one_a_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
