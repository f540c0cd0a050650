/*
 * test_cluster.c - from verified pairs to clusters: the representative,
 * the order of clusters and members, the anti-chaining rule (a document
 * sharing background with two stories must not merge them), comparisons
 * asked of the caller and their errors. rp_cluster_build is driven with
 * crafted pairs; the anti-chaining case also runs end to end through the
 * public corpus API on crafted texts.
 */
#include "testutil.h"

#include "cluster.h"
#include "doc.h"

/* Shingle sets described by counts: sizes and pairwise intersections. */
enum { MAXD = 64 };
typedef struct world {
    size_t n;
    size_t size[MAXD];
    size_t shared[MAXD][MAXD];
    rp_options o;
    unsigned calls;      /* comparisons asked through the callback */
    int fail;            /* nonzero: the callback fails */
} world;

static void world_init(world *w, size_t n)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    rp_options_init(&w->o);
}

static void set_shared(world *w, size_t a, size_t b, size_t s)
{
    w->shared[a][b] = w->shared[b][a] = s;
}

static int world_cmp(void *ctx, size_t a, size_t b, rp_sim *out)
{
    world *w = ctx;
    assert_true(a < b);
    assert_true(b < w->n);
    w->calls++;
    if (w->fail)
        return RP_ENOMEM;
    rp_sim_from_counts(w->size[a], w->size[b], w->shared[a][b], &w->o, out);
    return RP_OK;
}

/* The verified pairs of w (those the rule calls similar), in (a, b)
 * order, leaving out the pairs listed in skip (as LSH might). */
static size_t world_pairs(const world *w, rp_pair *out, const size_t (*skip)[2], size_t nskip)
{
    size_t m = 0;
    for (size_t a = 0; a < w->n; a++)
        for (size_t b = a + 1; b < w->n; b++) {
            int skipped = 0;
            for (size_t k = 0; k < nskip; k++)
                skipped |= skip[k][0] == a && skip[k][1] == b;
            if (skipped)
                continue;
            rp_sim s;
            rp_sim_from_counts(w->size[a], w->size[b], w->shared[a][b], &w->o, &s);
            if (s.similar)
                out[m++] = (rp_pair){a, b, s};
        }
    return m;
}

static size_t csize(const rp_clustering *c, size_t i)
{
    return c->start[i + 1] - c->start[i];
}

static size_t cdoc(const rp_clustering *c, size_t i, size_t j)
{
    return c->members[c->start[i] + j].doc;
}

/* Checks what holds for every clustering: each document exactly once,
 * multi-member clusters first, each group by its smallest document, and
 * the members after the representative in document order. */
static void check_shape(const rp_clustering *c, size_t ndocs)
{
    char *seen = calloc(ndocs + 1, 1);
    assert_non_null(seen);
    assert_int_equal(c->start[0], 0);
    size_t total = 0, prev_min = 0;
    int prev_multi = 1;
    for (size_t i = 0; i < c->n; i++) {
        size_t m = csize(c, i), lo = SIZE_MAX;
        assert_true(m >= 1);
        for (size_t j = 0; j < m; j++) {
            size_t d = cdoc(c, i, j);
            assert_true(d < ndocs);
            assert_false(seen[d]);
            seen[d] = 1;
            if (d < lo)
                lo = d;
            if (j > 1)
                assert_true(cdoc(c, i, j - 1) < d);
        }
        /* the representative's own figures */
        assert_float_equal(c->members[c->start[i]].containment, 1.0, 0);
        int multi = m > 1;
        assert_true(prev_multi || !multi);
        if (i > 0 && multi == prev_multi)
            assert_true(lo > prev_min);
        prev_multi = multi;
        prev_min = lo;
        total += m;
    }
    assert_int_equal(total, ndocs);
    free(seen);
}

/* ------------------------------------------------------------------ */

static void test_no_docs_no_pairs(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(0, NULL, 0, NULL, NULL, &o, &c), RP_OK);
    assert_int_equal(c.n, 0);
    rp_clustering_free(&c);
    /* no pairs: every document alone, in order */
    assert_int_equal(rp_cluster_build(5, NULL, 0, NULL, NULL, &o, &c), RP_OK);
    assert_int_equal(c.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(csize(&c, i), 1);
        assert_int_equal(cdoc(&c, i, 0), i);
    }
    check_shape(&c, 5);
    rp_clustering_free(&c);
    rp_clustering_free(&c);   /* twice: the first left it empty */
    rp_clustering_free(NULL);
}

static void test_representative_contains_others(void **state)
{
    (void)state;
    /* doc 3 is the wire original: 0, 1, 2 and 4 are cut from it (each
     * wholly inside it) and overlap one another less */
    world w;
    world_init(&w, 5);
    w.size[3] = 400;
    w.size[0] = 200;
    w.size[1] = 300;
    w.size[2] = 250;
    w.size[4] = 150;
    for (size_t i = 0; i < 5; i++)
        if (i != 3)
            set_shared(&w, i, 3, w.size[i]);
    set_shared(&w, 0, 1, 150);
    set_shared(&w, 0, 2, 120);
    set_shared(&w, 1, 2, 200);
    set_shared(&w, 0, 4, 100);
    set_shared(&w, 1, 4, 120);
    set_shared(&w, 2, 4, 100);
    rp_pair pairs[16];
    size_t np = world_pairs(&w, pairs, NULL, 0);
    assert_int_equal(np, 10);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(5, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_shape(&c, 5);
    assert_int_equal(c.n, 1);
    assert_int_equal(cdoc(&c, 0, 0), 3);
    static const size_t order[] = {3, 0, 1, 2, 4};
    for (size_t j = 0; j < 5; j++)
        assert_int_equal(cdoc(&c, 0, j), order[j]);
    /* members carry their figures against the representative */
    for (size_t j = 1; j < 5; j++) {
        const rp_member *m = &c.members[j];
        rp_sim s;
        rp_sim_from_counts(w.size[m->doc], w.size[3], w.shared[m->doc][3], &w.o, &s);
        assert_float_equal(m->containment, 1.0, 1e-12);
        assert_float_equal(m->jaccard, s.jaccard, 1e-12);
        assert_float_equal(m->score, s.score, 1e-12);
    }
    /* every pair was verified: no comparison was asked for */
    assert_int_equal(w.calls, 0);
    rp_clustering_free(&c);
}

/* A1 = 0, B1 = 1, C = 2, A2 = 3, B2 = 4, and 5 unrelated: C shares
 * background paragraphs with both stories. */
static void hub_world(world *w)
{
    world_init(w, 6);
    w->size[0] = w->size[3] = 100;   /* story A */
    w->size[1] = w->size[4] = 100;   /* story B */
    w->size[2] = 130;                /* the hub */
    w->size[5] = 80;
    set_shared(w, 0, 3, 90);
    set_shared(w, 1, 4, 90);
    /* 60 of each story's shingles are background the hub carries */
    set_shared(w, 2, 0, 60);
    set_shared(w, 2, 3, 60);
    set_shared(w, 2, 1, 60);
    set_shared(w, 2, 4, 60);
}

static void check_hub(const rp_clustering *c)
{
    check_shape(c, 6);
    static const int story[6] = {'A', 'B', 0, 'A', 'B', 0};
    int where[6];
    for (size_t i = 0; i < c->n; i++) {
        int has_a = 0, has_b = 0;
        for (size_t j = 0; j < csize(c, i); j++) {
            size_t d = cdoc(c, i, j);
            where[d] = (int)i;
            has_a |= story[d] == 'A';
            has_b |= story[d] == 'B';
        }
        /* the point: no cluster holds both stories */
        assert_false(has_a && has_b);
    }
    /* and each story stays together */
    assert_int_equal(where[0], where[3]);
    assert_int_equal(where[1], where[4]);
    assert_int_not_equal(where[0], where[1]);
}

static void test_hub_does_not_chain(void **state)
{
    (void)state;
    world w;
    hub_world(&w);
    rp_pair pairs[16];
    size_t np = world_pairs(&w, pairs, NULL, 0);
    /* the hub is a verified reprint of all four: one component */
    assert_int_equal(np, 6);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(6, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_hub(&c);
    /* the hub contains most of the others, so it leads; it takes story A
     * (first by document), then B forms its own cluster */
    assert_int_equal(c.n, 3);
    static const size_t c0[] = {2, 0, 3}, c1[] = {1, 4};
    assert_int_equal(csize(&c, 0), 3);
    for (size_t j = 0; j < 3; j++)
        assert_int_equal(cdoc(&c, 0, j), c0[j]);
    assert_int_equal(csize(&c, 1), 2);
    for (size_t j = 0; j < 2; j++)
        assert_int_equal(cdoc(&c, 1, j), c1[j]);
    assert_int_equal(cdoc(&c, 2, 0), 5);
    /* A-B pairs were not verified, so they were asked for */
    assert_true(w.calls > 0);
    /* the hub's verified pairs with story B cross clusters: B's members
     * are related to the hub's cluster, the hub to B's */
    assert_int_equal(c.rstart[1] - c.rstart[0], 2);
    assert_int_equal(c.related[c.rstart[0]].doc, 1);
    assert_int_equal(c.related[c.rstart[0]].partner, 2);
    assert_int_equal(c.related[c.rstart[0] + 1].doc, 4);
    assert_int_equal(c.rstart[2] - c.rstart[1], 1);
    assert_int_equal(c.related[c.rstart[1]].doc, 2);
    assert_int_equal(c.rstart[3] - c.rstart[2], 0);
    rp_clustering_free(&c);

    /* without a callback, a missing pair counts as not similar */
    assert_int_equal(rp_cluster_build(6, pairs, np, NULL, NULL, &w.o, &c), RP_OK);
    check_hub(&c);
    rp_clustering_free(&c);
}

/* Every verified pair is inside one cluster or listed as related on the
 * cluster of each side. */
static void check_covered(const rp_clustering *c, const rp_pair *pairs, size_t np)
{
    for (size_t k = 0; k < np; k++) {
        size_t ca = SIZE_MAX, cb = SIZE_MAX;
        for (size_t i = 0; i < c->n; i++)
            for (size_t j = 0; j < csize(c, i); j++) {
                if (cdoc(c, i, j) == pairs[k].a)
                    ca = i;
                if (cdoc(c, i, j) == pairs[k].b)
                    cb = i;
            }
        if (ca == cb)
            continue;
        int in_a = 0, in_b = 0;
        for (size_t j = c->rstart[ca]; j < c->rstart[ca + 1]; j++)
            in_a |= c->related[j].doc == pairs[k].b;
        for (size_t j = c->rstart[cb]; j < c->rstart[cb + 1]; j++)
            in_b |= c->related[j].doc == pairs[k].a;
        assert_true(in_a && in_b);
    }
}

static void test_attach_second_take(void **state)
{
    (void)state;
    /* PA's first take (0) and second take (1, which repeats most of the
     * first), a paper's copy of the first take (2), and a paper's rewrite
     * of the new part of the second take (3), which shares nothing with
     * the first take: the majority test keeps 3 out of the core, and
     * attachment brings it in, since its only partner is in that core */
    world w;
    world_init(&w, 5);
    w.size[0] = 200;
    w.size[1] = 250;
    w.size[2] = 100;
    w.size[3] = 80;
    w.size[4] = 90;
    set_shared(&w, 0, 1, 150);
    set_shared(&w, 0, 2, 80);
    set_shared(&w, 1, 2, 60);
    set_shared(&w, 1, 3, 60);
    rp_pair pairs[16];
    size_t np = world_pairs(&w, pairs, NULL, 0);
    assert_int_equal(np, 4);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(5, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_shape(&c, 5);
    assert_int_equal(c.n, 2);
    assert_int_equal(csize(&c, 0), 4);
    assert_int_equal(cdoc(&c, 0, 0), 1);   /* the second take leads */
    /* 3's figures are against the representative: 60 of its 80 */
    for (size_t j = 0; j < 4; j++)
        if (cdoc(&c, 0, j) == 3) {
            assert_float_equal(c.members[c.start[0] + j].containment, 0.75, 1e-9);
            assert_float_equal(c.members[c.start[0] + j].holds, 60.0 / 250, 1e-9);
        }
    assert_int_equal(c.rstart[c.n], 0);
    check_covered(&c, pairs, np);
    rp_clustering_free(&c);
}

static void test_lone_bridge_not_attached(void **state)
{
    (void)state;
    /* stories A (0, 1) and B (2, 3), and a short brief (4) that is
     * mostly inside both A's 0 and B's 2 (a digest item): it is a
     * verified reprint of each, so it must join neither cluster (that
     * would put A's brief in B's story or the reverse) and be listed as
     * related to both */
    world w;
    world_init(&w, 5);
    w.size[0] = w.size[1] = w.size[2] = w.size[3] = 100;
    w.size[4] = 20;
    set_shared(&w, 0, 1, 90);
    set_shared(&w, 2, 3, 90);
    set_shared(&w, 4, 0, 12);
    set_shared(&w, 4, 2, 12);
    rp_pair pairs[16];
    size_t np = world_pairs(&w, pairs, NULL, 0);
    assert_int_equal(np, 4);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(5, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_shape(&c, 5);
    assert_int_equal(c.n, 3);
    assert_int_equal(csize(&c, 0), 2);
    assert_int_equal(csize(&c, 1), 2);
    assert_int_equal(cdoc(&c, 2, 0), 4);
    /* related: 4 on A and on B, A's 0 and B's 2 on the brief's own */
    assert_int_equal(c.rstart[1] - c.rstart[0], 1);
    assert_int_equal(c.related[c.rstart[0]].doc, 4);
    assert_int_equal(c.related[c.rstart[0]].partner, 0);
    assert_float_equal(c.related[c.rstart[0]].containment, 0.6, 1e-9);
    assert_int_equal(c.rstart[2] - c.rstart[1], 1);
    assert_int_equal(c.related[c.rstart[1]].doc, 4);
    assert_int_equal(c.rstart[3] - c.rstart[2], 2);
    check_covered(&c, pairs, np);
    rp_clustering_free(&c);
}

static void test_missing_pair_compared(void **state)
{
    (void)state;
    /* three copies of one story; LSH missed the pair (1, 2): the
     * callback is asked and confirms it, so all three join */
    world w;
    world_init(&w, 3);
    w.size[0] = 200;
    w.size[1] = 180;
    w.size[2] = 170;
    set_shared(&w, 0, 1, 180);
    set_shared(&w, 0, 2, 170);
    set_shared(&w, 1, 2, 160);
    static const size_t skip[][2] = {{1, 2}};
    rp_pair pairs[4];
    size_t np = world_pairs(&w, pairs, skip, 1);
    assert_int_equal(np, 2);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(3, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_shape(&c, 3);
    assert_int_equal(c.n, 1);
    assert_int_equal(csize(&c, 0), 3);
    assert_int_equal(w.calls, 1);
    rp_clustering_free(&c);

    /* the callback's error comes back, and nothing is left allocated */
    w.fail = 1;
    assert_int_equal(rp_cluster_build(3, pairs, np, world_cmp, &w, &w.o, &c), RP_ENOMEM);
    assert_int_equal(c.n, 0);
    rp_clustering_free(&c);
}

static void test_big_cluster_and_order(void **state)
{
    (void)state;
    /* 40 copies of one story (from doc 10 on, skipping every fourth),
     * 3 copies of another with the smallest index 1, the rest alone */
    world w;
    world_init(&w, MAXD);
    size_t story_a[40], na = 0;
    for (size_t i = 10; na < 40; i++)
        if (i % 4 != 1)
            story_a[na++] = i;
    assert_true(story_a[39] < MAXD);
    for (size_t i = 0; i < MAXD; i++)
        w.size[i] = 100 + i;
    for (size_t i = 0; i < na; i++)
        for (size_t j = i + 1; j < na; j++)
            set_shared(&w, story_a[i], story_a[j], 90);
    static const size_t story_b[] = {1, 5, 13};
    set_shared(&w, 1, 5, 95);
    set_shared(&w, 1, 13, 95);
    set_shared(&w, 5, 13, 95);
    rp_pair *pairs = malloc(MAXD * MAXD * sizeof *pairs);
    assert_non_null(pairs);
    size_t np = world_pairs(&w, pairs, NULL, 0);
    assert_int_equal(np, 40 * 39 / 2 + 3);
    rp_clustering c;
    assert_int_equal(rp_cluster_build(MAXD, pairs, np, world_cmp, &w, &w.o, &c), RP_OK);
    check_shape(&c, MAXD);
    /* story B first (smallest document 1), then story A, then the others
     * one by one in document order */
    assert_int_equal(c.n, 2 + MAXD - 43);
    assert_int_equal(csize(&c, 0), 3);
    for (size_t j = 0; j < 3; j++) {
        int found = 0;
        for (size_t k = 0; k < 3; k++)
            found |= cdoc(&c, 0, j) == story_b[k];
        assert_true(found);
    }
    assert_int_equal(csize(&c, 1), 40);
    size_t prev = 0;
    for (size_t i = 2; i < c.n; i++) {
        assert_int_equal(csize(&c, i), 1);
        assert_true(cdoc(&c, i, 0) > prev || i == 2);
        prev = cdoc(&c, i, 0);
    }
    /* the same input gives the same output, member for member */
    rp_clustering d;
    assert_int_equal(rp_cluster_build(MAXD, pairs, np, world_cmp, &w, &w.o, &d), RP_OK);
    assert_int_equal(c.n, d.n);
    assert_memory_equal(c.start, d.start, (c.n + 1) * sizeof *c.start);
    for (size_t k = 0; k < c.start[c.n]; k++)
        assert_int_equal(c.members[k].doc, d.members[k].doc);
    rp_clustering_free(&c);
    rp_clustering_free(&d);
    free(pairs);
}

/* ------------------------------------------------------------------ */
/* End to end                                                          */
/* ------------------------------------------------------------------ */

static void test_hub_end_to_end(void **state)
{
    (void)state;
    /* Story A: its own 60 words, then 100 words of background P. Story
     * B: its own 60, then background Q. The hub C: P, Q and 10 words of
     * its own. A2 and B2 are reprints (their last sentence cut). */
    char *a_own = gen_text(1, 60), *b_own = gen_text(2, 60);
    char *p = gen_text(3, 100), *q = gen_text(4, 100), *c_own = gen_text(5, 10);
    char *texts[6] = {NULL};
    size_t len[6] = {0};
    cat_str(&texts[0], &len[0], a_own);      /* 0: A */
    cat_str(&texts[0], &len[0], "\n\n");
    cat_str(&texts[0], &len[0], p);
    cat_str(&texts[1], &len[1], b_own);      /* 1: B */
    cat_str(&texts[1], &len[1], "\n\n");
    cat_str(&texts[1], &len[1], q);
    cat_str(&texts[2], &len[2], p);          /* 2: the hub */
    cat_str(&texts[2], &len[2], "\n\n");
    cat_str(&texts[2], &len[2], q);
    cat_str(&texts[2], &len[2], "\n\n");
    cat_str(&texts[2], &len[2], c_own);
    texts[3] = slice_words(texts[0], 0, 150); /* 3: A reprint */
    texts[4] = slice_words(texts[1], 0, 150); /* 4: B reprint */
    texts[5] = gen_text(6, 120);              /* 5: unrelated */
    for (int exhaustive = 0; exhaustive <= 1; exhaustive++) {
        rp_options o;
        rp_options_init(&o);
        o.exhaustive = exhaustive;
        rp_corpus *c = corpus_new(&o);
        assert_non_null(c);
        for (int i = 0; i < 6; i++) {
            char id[8];
            snprintf(id, sizeof id, "%d", i);
            assert_int_equal(corpus_add(c, id, doc_str(texts[i], &o)), i);
        }
        assert_int_equal(rp_corpus_run(c), RP_OK);
        /* the hub is a verified reprint of all four, so the verified
         * pairs connect both stories */
        size_t hub_pairs = 0;
        for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
            const rp_pair *pr = rp_corpus_pair(c, i);
            hub_pairs += pr->a == 2 || pr->b == 2;
        }
        assert_int_equal(hub_pairs, 4);
        static const int story[6] = {'A', 'B', 0, 'A', 'B', 0};
        int where[6] = {-1, -1, -1, -1, -1, -1};
        for (size_t i = 0; i < rp_corpus_nclusters(c); i++) {
            int has_a = 0, has_b = 0;
            for (size_t j = 0; j < rp_cluster_size(c, i); j++) {
                size_t d = rp_cluster_member(c, i, j)->doc;
                where[d] = (int)i;
                has_a |= story[d] == 'A';
                has_b |= story[d] == 'B';
            }
            assert_false(has_a && has_b);
        }
        assert_int_equal(where[0], where[3]);
        assert_int_equal(where[1], where[4]);
        assert_int_not_equal(where[0], where[1]);
        /* clusters of two or more first, by smallest document */
        assert_int_equal(rp_corpus_nclusters(c), 3);
        assert_int_equal(rp_cluster_size(c, 2), 1);
        assert_int_equal(rp_cluster_member(c, 2, 0)->doc, 5);
        assert_int_equal(where[0], 0);
        rp_corpus_free(c);
    }
    for (int i = 0; i < 6; i++)
        free(texts[i]);
    free(a_own);
    free(b_own);
    free(p);
    free(q);
    free(c_own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_docs_no_pairs),
        cmocka_unit_test(test_representative_contains_others),
        cmocka_unit_test(test_hub_does_not_chain),
        cmocka_unit_test(test_attach_second_take),
        cmocka_unit_test(test_lone_bridge_not_attached),
        cmocka_unit_test(test_missing_pair_compared),
        cmocka_unit_test(test_big_cluster_and_order),
        cmocka_unit_test(test_hub_end_to_end),
    };
    return cmocka_run_group_tests_name("cluster", tests, NULL, NULL);
}
