/*
 * test_diff.c - unit tests of src/diff.c: shared runs between two token
 * streams, paragraphs, the paragraph map, and rp_diff_texts() on crafted
 * texts. Most cases build token streams by hand (word ids as hashes, token
 * i at bytes 10i .. 10i+4) so every expected run can be worked out on
 * paper.
 */
#include "testutil.h"

#include "diff.h"

/* Builds n tokens from word ids: hash from the id, token i at bytes
 * [10i, 10i + 4). */
static rp_token *mk(const unsigned *ids, size_t n)
{
    rp_token *t = calloc(n ? n : 1, sizeof *t);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        t[i].hash = 0x9E3779B97F4A7C15ull * (ids[i] + 1);
        t[i].start = (uint32_t)(10 * i);
        t[i].end = (uint32_t)(10 * i + 4);
    }
    return t;
}

/* Appends ids from .. to-1 to v at *n. */
static void range(unsigned *v, size_t *n, unsigned from, unsigned to)
{
    for (unsigned x = from; x < to; x++)
        v[(*n)++] = x;
}

static size_t spans_of(const unsigned *a, size_t na, const unsigned *b,
                       size_t nb, unsigned k, rp_span **out)
{
    rp_token *ta = mk(a, na), *tb = mk(b, nb);
    size_t n = 99;
    assert_int_equal(rp_diff_spans(ta, na, tb, nb, k, out, &n), RP_OK);
    free(ta);
    free(tb);
    return n;
}

static void test_identical(void **state)
{
    (void)state;
    unsigned a[30];
    size_t na = 0;
    range(a, &na, 0, 30);
    rp_span *s;
    assert_int_equal(spans_of(a, na, a, na, 5, &s), 1);
    assert_int_equal(s[0].a, 0);
    assert_int_equal(s[0].b, 0);
    assert_int_equal(s[0].words, 30);
    assert_int_equal(s[0].a_start, 0);
    assert_int_equal(s[0].a_end, 294);
    assert_int_equal(s[0].b_end, 294);
    assert_int_equal(s[0].moved, 0);
    free(s);
}

static void test_disjoint(void **state)
{
    (void)state;
    unsigned a[30], b[30];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 30);
    range(b, &nb, 100, 130);
    rp_span *s = (rp_span *)1;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 0);
    assert_null(s);
}

static void test_contained(void **state)
{
    (void)state;
    unsigned a[20], b[40];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 20);
    range(b, &nb, 100, 105);
    range(b, &nb, 0, 20);
    range(b, &nb, 200, 210);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 1);
    assert_int_equal(s[0].a, 0);
    assert_int_equal(s[0].b, 5);
    assert_int_equal(s[0].words, 20);
    assert_int_equal(s[0].b_start, 50);
    assert_int_equal(s[0].b_end, 244);
    free(s);
    /* and the other way round */
    assert_int_equal(spans_of(b, nb, a, na, 5, &s), 1);
    assert_int_equal(s[0].a, 5);
    assert_int_equal(s[0].b, 0);
    assert_int_equal(s[0].words, 20);
    free(s);
}

static void test_reordered(void **state)
{
    (void)state;
    unsigned a[30], b[30];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 10);      /* P1 */
    range(a, &na, 10, 30);     /* P2, longer */
    range(b, &nb, 10, 30);
    range(b, &nb, 0, 10);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 2);
    assert_int_equal(s[0].a, 0);
    assert_int_equal(s[0].b, 20);
    assert_int_equal(s[0].words, 10);
    assert_int_equal(s[1].a, 10);
    assert_int_equal(s[1].b, 0);
    assert_int_equal(s[1].words, 20);
    /* the heavier run keeps its place; the lighter one moved */
    assert_int_equal(s[0].moved, 1);
    assert_int_equal(s[1].moved, 0);
    free(s);
}

static void test_short_runs_ignored(void **state)
{
    (void)state;
    unsigned a[20], b[20];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 4);
    range(a, &na, 50, 60);
    range(b, &nb, 70, 75);
    range(b, &nb, 0, 4);
    range(b, &nb, 60, 70);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 0);
    assert_int_equal(spans_of(a, na, b, nb, 4, &s), 1);
    assert_int_equal(s[0].words, 4);
    assert_int_equal(s[0].b, 5);
    free(s);
}

static void test_k_larger_than_texts(void **state)
{
    (void)state;
    unsigned a[3] = {1, 2, 3};
    rp_span *s;
    assert_int_equal(spans_of(a, 3, a, 3, 5, &s), 0);
    assert_int_equal(spans_of(a, 3, a, 3, 3, &s), 1);
    free(s);
    rp_token *t = mk(a, 3);
    size_t n;
    assert_int_equal(rp_diff_spans(t, 3, t, 3, 0, &s, &n), RP_EINVAL);
    assert_int_equal(rp_diff_spans(NULL, 0, NULL, 0, 5, &s, &n), RP_OK);
    assert_int_equal(n, 0);
    free(t);
}

/* A repeated passage in A finds only one copy in B: B's words are used
 * once. A repeated passage in B gives the earliest copy. */
static void test_no_reuse(void **state)
{
    (void)state;
    unsigned a[30], b[30];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 10);
    a[na++] = 500;
    range(a, &na, 0, 10);
    range(b, &nb, 0, 10);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 1);
    assert_int_equal(s[0].a, 0);
    assert_int_equal(s[0].words, 10);
    free(s);
    assert_int_equal(spans_of(b, nb, a, na, 5, &s), 1);
    assert_int_equal(s[0].b, 0);
    free(s);
}

/* A short early match (a caption quoting the article) must not take B's
 * words from the long run further on. */
static void test_longest_first(void **state)
{
    (void)state;
    unsigned a[60], b[30];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 6);
    range(a, &na, 100, 105);
    range(a, &na, 0, 30);
    range(b, &nb, 0, 30);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 1);
    assert_int_equal(s[0].a, 11);
    assert_int_equal(s[0].b, 0);
    assert_int_equal(s[0].words, 30);
    free(s);
}

/* A match whose B words are partly claimed by a longer one keeps its free
 * pieces of k words or more. */
static void test_split_piece(void **state)
{
    (void)state;
    unsigned a[60], b[40];
    size_t na = 0, nb = 0;
    range(a, &na, 0, 20);
    a[na++] = 999;
    range(a, &na, 10, 40);
    range(b, &nb, 0, 40);
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), 2);
    assert_int_equal(s[0].a, 0);
    assert_int_equal(s[0].b, 0);
    assert_int_equal(s[0].words, 10);
    assert_int_equal(s[1].a, 21);
    assert_int_equal(s[1].b, 10);
    assert_int_equal(s[1].words, 30);
    free(s);
}

/* Text repeated far more often than the tries per window still matches
 * in full: spent copies in B are dropped from the table. */
static void test_many_repeats(void **state)
{
    (void)state;
    enum { REP = 500 };
    static unsigned a[6 * REP], b[6 * REP];
    size_t na = 0, nb = 0;
    for (unsigned r = 0; r < REP; r++) {
        range(a, &na, 0, 5);
        a[na++] = 100;
        range(b, &nb, 0, 5);
        b[nb++] = 200;
    }
    rp_span *s;
    assert_int_equal(spans_of(a, na, b, nb, 5, &s), REP);
    for (size_t i = 0; i < REP; i++) {
        assert_int_equal(s[i].a, 6 * i);
        assert_int_equal(s[i].words, 5);
    }
    free(s);
}

/* Byte offsets point at the words as written in each text. */
static void test_offsets_real_text(void **state)
{
    (void)state;
    const char *A = "Alpha beta, gamma delta epsilon!\n\nZeta eta theta iota kappa.";
    const char *B = "Some opening words here. ALPHA beta gamma \xE2\x80\x94 delta "
                    "epsilon zeta eta theta iota kappa and more";
    rp_token *ta, *tb;
    size_t na = tok_str(A, 0, &ta), nb = tok_str(B, 0, &tb), n;
    rp_span *s;
    assert_int_equal(rp_diff_spans(ta, na, tb, nb, 5, &s, &n), RP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].words, 10);
    assert_int_equal(s[0].a_start, 0);
    assert_int_equal(s[0].a_end, strlen(A) - 1);
    assert_memory_equal(B + s[0].b_start, "ALPHA", 5);
    assert_memory_equal(B + s[0].b_end - 5, "kappa", 5);
    assert_int_equal(s[0].b_end, strstr(B, " and more") - B);
    free(s);
    free(ta);
    free(tb);
}

static void test_paragraphs(void **state)
{
    (void)state;
    const char *t = "one two\nthree\n\n\nfour five\n  \r\nsix";
    rp_token *tok;
    size_t n = tok_str(t, 0, &tok), np;
    rp_para *p;
    assert_int_equal(rp_paragraphs(t, strlen(t), tok, n, &p, &np), RP_OK);
    assert_int_equal(np, 3);
    assert_int_equal(p[0].start, 0);
    assert_int_equal(p[0].end, 13);
    assert_int_equal(p[0].tok, 0);
    assert_int_equal(p[0].ntok, 3);
    assert_int_equal(p[1].tok, 3);
    assert_int_equal(p[1].ntok, 2);
    assert_int_equal(p[2].tok, 5);
    assert_int_equal(p[2].ntok, 1);
    assert_memory_equal(t + p[2].start, "six", 3);
    free(p);
    free(tok);

    /* no blank line at all: every line is a paragraph */
    const char *u = "one two\r\nthree four\nfive";
    n = tok_str(u, 0, &tok);
    assert_int_equal(rp_paragraphs(u, strlen(u), tok, n, &p, &np), RP_OK);
    assert_int_equal(np, 3);
    assert_int_equal(p[0].end, 7);
    assert_int_equal(p[1].ntok, 2);
    free(p);
    free(tok);

    assert_int_equal(rp_paragraphs("\n \n", 3, NULL, 0, &p, &np), RP_OK);
    assert_int_equal(np, 0);
    assert_null(p);
}

static rp_para para(size_t tok, size_t ntok)
{
    rp_para p = {0};
    p.tok = tok;
    p.ntok = ntok;
    return p;
}

static void test_para_map_relations(void **state)
{
    (void)state;
    /* A: 10 + 20 tokens; B: one paragraph of 30 holding both */
    rp_para pa[2] = {para(0, 10), para(10, 20)}, pb[1] = {para(0, 30)};
    rp_span s = {0};
    s.words = 30;
    rp_para_link *l;
    size_t n;
    assert_int_equal(rp_para_map(&s, 1, pa, 2, 30, pb, 1, 30, &l, &n), RP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].rel, RP_PARA_INSIDE);
    assert_int_equal(l[0].a, 0);
    assert_int_equal(l[0].b, 0);
    assert_int_equal(l[0].words, 10);
    assert_true(l[0].a_share == 1.0);
    assert_true(l[0].b_share > 0.33 && l[0].b_share < 0.34);
    assert_int_equal(l[1].rel, RP_PARA_INSIDE);
    assert_int_equal(pb[0].shared, 30);
    free(l);
    /* the other way round */
    assert_int_equal(rp_para_map(&s, 1, pb, 1, 30, pa, 2, 30, &l, &n), RP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].rel, RP_PARA_HOLDS);
    assert_int_equal(l[1].b, 1);
    free(l);

    /* half of each: overlap; same: equal */
    rp_para qa[3] = {para(0, 10), para(10, 10), para(20, 0)};
    rp_para qb[4] = {para(0, 10), para(10, 10), para(20, 5), para(25, 5)};
    qb[3].comments = 1;
    rp_span t[2] = {{0}, {0}};
    t[0].a = 0, t[0].b = 0, t[0].words = 5;
    t[1].a = 10, t[1].b = 10, t[1].words = 10;
    assert_int_equal(rp_para_map(t, 2, qa, 3, 20, qb, 4, 30, &l, &n), RP_OK);
    assert_int_equal(n, 5);
    assert_int_equal(l[0].rel, RP_PARA_OVERLAP);
    assert_true(l[0].a_share == 0.5 && l[0].b_share == 0.5);
    assert_int_equal(l[1].rel, RP_PARA_SAME);
    assert_int_equal(l[1].a, 1);
    assert_int_equal(l[1].b, 1);
    assert_int_equal(l[2].rel, RP_PARA_ONLY_A);        /* A¶3: no words */
    assert_int_equal(l[2].first, 2);
    assert_int_equal(l[2].note, RP_NOTE_FURNITURE);
    assert_int_equal(l[3].rel, RP_PARA_ONLY_B);        /* B¶3: plain */
    assert_int_equal(l[3].first, 2);
    assert_int_equal(l[3].last, 2);
    assert_int_equal(l[3].note, RP_NOTE_NONE);
    assert_int_equal(l[4].rel, RP_PARA_ONLY_B);        /* B¶4: comments */
    assert_int_equal(l[4].first, 3);
    assert_int_equal(l[4].note, RP_NOTE_COMMENTS);
    free(l);
}

/* Our own prose: three paragraphs of an imaginary report. */
#define P1 "The harbour council voted on Tuesday to rebuild the old stone " \
           "pier before the winter storms arrive along the northern coast."
#define P2 "Engineers said the work would take eleven weeks and close the " \
           "ferry landing to visitors for most of that time."
#define P3 "Fishing crews welcomed the decision but asked the council to " \
           "keep one berth open for boats landing their morning catch."

static const char *TEXT_A = P1 "\n\n" P2 "\n\n" P3 "\n";
static const char *TEXT_B =
    "Pier to be rebuilt\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\n"
    "2 Comments\n\n"
    "  Marlow Finch \xC2\xB7 3 hours ago\n"
    "  About time, that pier has been falling apart for years.\n\n"
    "  Ada Quill \xC2\xB7 2 hours ago\n"
    "  Eleven weeks sounds optimistic to me.\n";

static void test_clean_thread(void **state)
{
    (void)state;
    size_t at = 0;
    assert_int_equal(rp_clean_thread(TEXT_B, strlen(TEXT_B), &at), RP_OK);
    assert_int_equal(at, strstr(TEXT_B, "2 Comments") - TEXT_B);
    assert_int_equal(rp_clean_thread(TEXT_A, strlen(TEXT_A), &at), RP_OK);
    assert_int_equal(at, strlen(TEXT_A));
    assert_int_equal(rp_clean_thread("", 0, &at), RP_OK);
    assert_int_equal(at, 0);
}

static void test_diff_texts(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_diff d;
    assert_int_equal(rp_diff_texts(TEXT_A, strlen(TEXT_A), TEXT_B, strlen(TEXT_B), &o, 0, &d), RP_OK);
    /* the figures are those of rp_doc_compare */
    int err;
    rp_doc *da = doc_new(TEXT_A, strlen(TEXT_A), &o, &err);
    rp_doc *db = doc_new(TEXT_B, strlen(TEXT_B), &o, &err);
    assert_non_null(da);
    assert_non_null(db);
    rp_sim sim;
    rp_doc_compare(da, db, &o, &sim);
    assert_true(sim.jaccard == d.sim.jaccard);
    assert_true(sim.score == d.sim.score);
    assert_int_equal(sim.shared, d.sim.shared);
    assert_int_equal(d.sim.similar, 1);
    rp_doc_free(da);
    rp_doc_free(db);
    /* the comments are cleaned away, so all of A is one run in B */
    assert_int_equal(d.nspans, 1);
    assert_int_equal(d.shared_words, d.words_a);
    assert_int_equal(d.spans[0].a_start, 0);
    assert_int_equal(d.spans[0].b_start, strstr(TEXT_B, "The harbour") - TEXT_B);
    assert_int_equal(d.thread_b, strstr(TEXT_B, "2 Comments") - TEXT_B);
    assert_int_equal(d.nparas_a, 3);
    assert_int_equal(d.nparas_b, 7);
    /* A¶1-3 = B¶2-4; B¶1 only in B; B¶5-7 only in B (comments) */
    assert_int_equal(d.nlinks, 5);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(d.links[i].rel, RP_PARA_SAME);
        assert_int_equal(d.links[i].a, i);
        assert_int_equal(d.links[i].b, i + 1);
        assert_true(d.links[i].a_share == 1.0 && d.links[i].b_share == 1.0);
    }
    assert_int_equal(d.links[3].rel, RP_PARA_ONLY_B);
    assert_int_equal(d.links[3].first, 0);
    assert_int_equal(d.links[3].note, RP_NOTE_NONE);
    assert_int_equal(d.links[4].rel, RP_PARA_ONLY_B);
    assert_int_equal(d.links[4].first, 4);
    assert_int_equal(d.links[4].last, 6);
    assert_int_equal(d.links[4].note, RP_NOTE_COMMENTS);
    rp_diff_clear(&d);
    assert_null(d.spans);

    /* kept boilerplate: the comments have words, still labelled */
    o.keep_boilerplate = 1;
    assert_int_equal(rp_diff_texts(TEXT_A, strlen(TEXT_A), TEXT_B, strlen(TEXT_B), &o, 0, &d), RP_OK);
    assert_true(d.words_b > d.words_a + 20);
    assert_int_equal(d.links[d.nlinks - 1].note, RP_NOTE_COMMENTS);
    rp_diff_clear(&d);
}

static void test_diff_texts_edges(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_diff d;
    /* a text without words shares nothing and is no error */
    assert_int_equal(rp_diff_texts("", 0, TEXT_A, strlen(TEXT_A), &o, 0, &d), RP_OK);
    assert_int_equal(d.words_a, 0);
    assert_int_equal(d.nspans, 0);
    assert_int_equal(d.sim.similar, 0);
    assert_int_equal(d.nlinks, 1);
    assert_int_equal(d.links[0].rel, RP_PARA_ONLY_B);
    assert_int_equal(d.links[0].last, 2);
    rp_diff_clear(&d);
    /* bad options */
    o.shingle = 0;
    assert_int_equal(rp_diff_texts("a", 1, "a", 1, &o, 0, &d), RP_EINVAL);
    assert_null(d.spans);
    rp_diff_clear(&d);
    rp_diff_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_disjoint),
        cmocka_unit_test(test_contained),
        cmocka_unit_test(test_reordered),
        cmocka_unit_test(test_short_runs_ignored),
        cmocka_unit_test(test_k_larger_than_texts),
        cmocka_unit_test(test_no_reuse),
        cmocka_unit_test(test_longest_first),
        cmocka_unit_test(test_split_piece),
        cmocka_unit_test(test_many_repeats),
        cmocka_unit_test(test_offsets_real_text),
        cmocka_unit_test(test_paragraphs),
        cmocka_unit_test(test_para_map_relations),
        cmocka_unit_test(test_clean_thread),
        cmocka_unit_test(test_diff_texts),
        cmocka_unit_test(test_diff_texts_edges),
    };
    return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
