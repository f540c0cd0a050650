/*
 * test_pipeline.c - rp_pipeline_run: every item taken is worked on and
 * used exactly once, in input order, whatever the threads and the batch
 * (full batches from take's 2 included); done releases each once, also
 * after use stops the run or take fails; bad arguments are refused; and
 * with batch 1 an item is used before take is asked for the one after
 * next (a feed is never held back).
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdatomic.h>
#include <time.h>

#define MAXN 5000

typedef struct st {
    size_t n;              /* items the input holds */
    size_t taken;
    atomic_size_t used;
    int feed;              /* take waits for every earlier item to be used */
    int held_back;         /* ... and it never came (5 s) */
    size_t full_every;     /* take returns 2 every this many (0: never) */
    size_t since_full;
    size_t stop_at;        /* use returns 7 at this item (0: never) */
    size_t fail_at;        /* take fails at this item (0: never) */
    size_t *slot_item;     /* item held by each slot */
    size_t *worked;        /* item -> times worked on */
    size_t *done;          /* item -> times released */
    size_t *order;         /* the items in the order used */
    size_t max_ahead;      /* most items taken beyond the last used */
    atomic_size_t works;
} st;

static int take(void *ctx, size_t s, size_t k)
{
    st *t = ctx;
    if (k == 0)
        t->since_full = 0;
    if (t->fail_at && t->taken == t->fail_at)
        return RP_ELOAD;
    if (t->taken == t->n)
        return 0;
    if (t->feed && t->taken > 0) {
        /* a feed: the next item arrives only once the last one is answered */
        struct timespec ts = {0, 1000000};
        for (int i = 0; i < 5000 && atomic_load(&t->used) < t->taken; i++)
            nanosleep(&ts, NULL);
        t->held_back |= atomic_load(&t->used) < t->taken;
    }
    if (t->full_every && k > 0 && t->since_full == t->full_every)
        return 2;
    t->since_full++;
    t->slot_item[s] = t->taken++;
    if (t->taken - atomic_load(&t->used) > t->max_ahead)
        t->max_ahead = t->taken - atomic_load(&t->used);
    return 1;
}

static void work(void *ctx, size_t s)
{
    st *t = ctx;
    t->worked[t->slot_item[s]]++;
    atomic_fetch_add(&t->works, 1);
}

static int use(void *ctx, size_t s)
{
    st *t = ctx;
    size_t item = t->slot_item[s];
    assert_int_equal(t->worked[item], 1);
    t->order[atomic_fetch_add(&t->used, 1)] = item;
    return t->stop_at && item == t->stop_at ? 7 : 0;
}

static void done(void *ctx, size_t s)
{
    st *t = ctx;
    t->done[t->slot_item[s]]++;
}

static const rp_pipeline_steps steps = {take, work, use, done};

static void run_one(unsigned threads, size_t batch, size_t n, size_t full_every,
                    size_t stop_at, size_t fail_at)
{
    st t = {0};
    t.n = n;
    t.full_every = full_every;
    t.stop_at = stop_at;
    t.fail_at = fail_at;
    t.slot_item = calloc(3 * batch, sizeof *t.slot_item);
    t.worked = calloc(MAXN, sizeof *t.worked);
    t.done = calloc(MAXN, sizeof *t.done);
    t.order = calloc(MAXN, sizeof *t.order);
    assert_true(t.slot_item && t.worked && t.done && t.order);
    int rc = rp_pipeline_run(threads, batch, &steps, &t);
    if (stop_at)
        assert_int_equal(rc, 7);
    else if (fail_at)
        assert_int_equal(rc, RP_ELOAD);
    else
        assert_int_equal(rc, RP_OK);
    size_t want = stop_at ? stop_at + 1 : fail_at ? fail_at : n;
    assert_int_equal(t.used, want);
    for (size_t i = 0; i < t.used; i++)
        assert_int_equal(t.order[i], i);
    for (size_t i = 0; i < t.taken; i++)
        assert_int_equal(t.done[i], 1);
    for (size_t i = t.taken; i < MAXN; i++)
        assert_int_equal(t.done[i], 0);
    if (!stop_at)
        assert_int_equal(atomic_load(&t.works), t.used);
    free(t.slot_item);
    free(t.worked);
    free(t.done);
    free(t.order);
}

static void test_order(void **state)
{
    (void)state;
    static const unsigned threads[] = {1, 2, 4, 8};
    static const size_t batches[] = {1, 3, 64, 512};
    static const size_t ns[] = {0, 1, 2, 100, 4999};
    for (size_t a = 0; a < ARRAY_LEN(threads); a++)
        for (size_t b = 0; b < ARRAY_LEN(batches); b++)
            for (size_t c = 0; c < ARRAY_LEN(ns); c++) {
                run_one(threads[a], batches[b], ns[c], 0, 0, 0);
                run_one(threads[a], batches[b], ns[c], 5, 0, 0);
            }
}

static void test_stop_and_fail(void **state)
{
    (void)state;
    for (unsigned th = 1; th <= 4; th++) {
        run_one(th, 16, 1000, 0, 0, 0);
        run_one(th, 16, 1000, 0, 37, 0);    /* use stops mid-batch */
        run_one(th, 16, 1000, 0, 999, 0);   /* at the last item */
        run_one(th, 16, 1000, 0, 0, 500);   /* take fails */
        run_one(th, 1, 50, 0, 10, 0);
        run_one(th, 1, 50, 0, 0, 20);
    }
}

static void test_feed_not_held_back(void **state)
{
    (void)state;
    st t = {0};
    t.n = 200;
    t.slot_item = calloc(3, sizeof *t.slot_item);
    t.worked = calloc(MAXN, sizeof *t.worked);
    t.done = calloc(MAXN, sizeof *t.done);
    t.order = calloc(MAXN, sizeof *t.order);
    assert_int_equal(rp_pipeline_run(4, 1, &steps, &t), RP_OK);
    assert_int_equal(t.used, 200);
    /* item i is taken only once item i - 3 is used: three slots */
    assert_true(t.max_ahead <= 3);
    /* batches of one: each item is used while take waits for the next */
    memset(t.worked, 0, MAXN * sizeof *t.worked);
    t.taken = 0;
    atomic_store(&t.used, 0);
    t.feed = 1;
    t.n = 20;
    for (unsigned th = 1; th <= 4; th++) {
        memset(t.worked, 0, MAXN * sizeof *t.worked);
        t.taken = 0;
        atomic_store(&t.used, 0);
        assert_int_equal(rp_pipeline_run(th, 1, &steps, &t), RP_OK);
        assert_int_equal(t.used, 20);
        assert_false(t.held_back);
    }
    free(t.slot_item);
    free(t.worked);
    free(t.done);
    free(t.order);
}

static void test_bad_args(void **state)
{
    (void)state;
    st t = {0};
    rp_pipeline_steps no_use = {take, work, NULL, NULL};
    assert_int_equal(rp_pipeline_run(2, 8, &no_use, &t), RP_EINVAL);
    assert_int_equal(rp_pipeline_run(0, 8, &steps, &t), RP_EINVAL);
    assert_int_equal(rp_pipeline_run(2000, 8, &steps, &t), RP_EINVAL);
    assert_int_equal(rp_pipeline_run(2, 0, &steps, &t), RP_EINVAL);
    assert_int_equal(rp_pipeline_run(2, 8, NULL, &t), RP_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_stop_and_fail),
        cmocka_unit_test(test_feed_not_held_back),
        cmocka_unit_test(test_bad_args),
    };
    return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
