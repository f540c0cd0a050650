/*
 * test_corpus.c - the public corpus API: construction and options, adding
 * documents (indexes, copied ids, duplicate ids, ownership on failure,
 * call order), the run (stats, verified pairs in order, exhaustive and LSH
 * agreeing), accessors out of range, and _free(NULL); compact mode (a
 * loader rebuilds the texts: same result, lost documents) and
 * corpus-level furniture.
 */
#include "testutil.h"

#include <math.h>
#include <stdatomic.h>

#include "corpus.h"
#include "doc.h"

static rp_doc *mkdoc(const char *text, const rp_options *o)
{
    return doc_str(text, o);
}

static void test_new_and_free(void **state)
{
    (void)state;
    rp_corpus_free(NULL);
    rp_doc_free(NULL);
    rp_corpus *c = corpus_new(NULL);
    assert_non_null(c);
    assert_int_equal(rp_corpus_size(c), 0);
    rp_corpus_free(c);
    rp_options o;
    rp_options_init(&o);
    o.hashes = 5;
    assert_null(corpus_new(&o));
    rp_options_init(&o);
    o.threshold = 2;
    assert_null(corpus_new(&o));
    /* the corpus keeps a copy of the options */
    rp_options_init(&o);
    o.hashes = 64;
    c = corpus_new(&o);
    assert_non_null(c);
    o.hashes = 999;
    rp_options o64;
    rp_options_init(&o64);
    o64.hashes = 64;
    assert_int_equal(corpus_add(c, "a", mkdoc("words of a text", &o64)), 0);
    rp_corpus_free(c);
}

static void test_add(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_corpus *c = corpus_new(&o);
    assert_non_null(c);
    char id[32];
    strcpy(id, "first");
    assert_int_equal(corpus_add(c, id, mkdoc("alpha beta gamma", &o)), 0);
    strcpy(id, "second");
    assert_int_equal(corpus_add(c, id, mkdoc("delta epsilon", &o)), 1);
    /* the id was copied */
    strcpy(id, "changed");
    assert_string_equal(rp_corpus_id(c, 0), "first");
    assert_string_equal(rp_corpus_id(c, 1), "second");
    assert_null(rp_corpus_id(c, 2));
    /* a duplicate id fails, and the corpus still frees the document
     * (valgrind and ASan check that it is not leaked) */
    assert_int_equal(corpus_add(c, "first", mkdoc("zeta eta", &o)), RP_EDUPID);
    assert_int_equal(rp_corpus_size(c), 2);
    /* ids differing only in case or by a suffix are different */
    assert_int_equal(corpus_add(c, "First", mkdoc("zeta eta", &o)), 2);
    assert_int_equal(corpus_add(c, "first ", mkdoc("zeta eta", &o)), 3);
    assert_int_equal(corpus_add(c, "", mkdoc("zeta eta", &o)), 4);
    assert_int_equal(corpus_add(c, "", mkdoc("zeta eta", &o)), RP_EDUPID);
    /* bad arguments: still takes ownership */
    assert_int_equal(corpus_add(c, NULL, mkdoc("theta", &o)), RP_EINVAL);
    assert_int_equal(corpus_add(c, "x", NULL), RP_EINVAL);
    /* a signature of another length */
    rp_options o2 = o;
    o2.hashes = 128;
    assert_int_equal(corpus_add(c, "y", mkdoc("theta iota", &o2)), RP_EINVAL);
    assert_int_equal(rp_corpus_size(c), 5);
    /* the index out-parameter may be NULL */
    assert_int_equal(rp_corpus_add(c, "no index", mkdoc("mu nu xi", &o), NULL), RP_OK);
    assert_int_equal(rp_corpus_size(c), 6);
    /* after the run: out of order */
    assert_int_equal(rp_corpus_run(c), RP_OK);
    assert_int_equal(corpus_add(c, "late", mkdoc("kappa lambda", &o)), RP_ESTATE);
    assert_int_equal(rp_corpus_size(c), 6);
    assert_int_equal(rp_corpus_run(c), RP_ESTATE);
    rp_corpus_free(c);
}

static void test_many_ids(void **state)
{
    (void)state;
    /* enough ids to grow the id table several times */
    rp_options o;
    rp_options_init(&o);
    o.hashes = 16;
    rp_corpus *c = corpus_new(&o);
    assert_non_null(c);
    enum { N = 300 };
    char id[32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "doc/%03d.txt", i);
        assert_int_equal(corpus_add(c, id, mkdoc("same words in every one", &o)), i);
    }
    for (int i = 0; i < N; i += 37) {
        snprintf(id, sizeof id, "doc/%03d.txt", i);
        assert_int_equal(corpus_add(c, id, mkdoc("again", &o)), RP_EDUPID);
        assert_string_equal(rp_corpus_id(c, (size_t)i), id);
    }
    assert_int_equal(rp_corpus_size(c), N);
    rp_corpus_free(c);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    rp_corpus *c = corpus_new(NULL);
    assert_non_null(c);
    assert_int_equal(rp_corpus_run(c), RP_OK);
    assert_int_equal(rp_corpus_nclusters(c), 0);
    assert_int_equal(rp_corpus_npairs(c), 0);
    assert_null(rp_corpus_pair(c, 0));
    assert_null(rp_cluster_member(c, 0, 0));
    assert_int_equal(rp_cluster_size(c, 0), 0);
    rp_corpus_free(c);

    rp_options o;
    rp_options_init(&o);
    c = corpus_new(&o);
    char *t = gen_text(1, 100);
    assert_int_equal(corpus_add(c, "only", mkdoc(t, &o)), 0);
    assert_int_equal(rp_corpus_run(c), RP_OK);
    assert_int_equal(rp_corpus_nclusters(c), 1);
    assert_int_equal(rp_cluster_size(c, 0), 1);
    assert_int_equal(rp_cluster_representative(c, 0), 0);
    const rp_member *m = rp_cluster_member(c, 0, 0);
    assert_non_null(m);
    assert_int_equal(m->doc, 0);
    assert_null(rp_cluster_member(c, 0, 1));
    assert_null(rp_cluster_member(c, 1, 0));
    assert_int_equal(rp_corpus_npairs(c), 0);
    rp_corpus_free(c);
    free(t);
}

/* The crafted set: two stories with reprints (trimmed, with a new lead,
 * cut at the top), and unrelated texts, interleaved. */
enum { NSET = 10 };
static char *set_text[NSET];
static const int set_story[NSET] = {1, 0, 2, 1, 1, 0, 2, 1, 2, 0};

static void make_set(void)
{
    char *a = gen_text(101, 300), *b = gen_text(202, 250);
    char *lead = gen_text(303, 40), *tail = gen_text(404, 30);
    int na = 0, nb = 0;
    for (int i = 0; i < NSET; i++) {
        char *t = NULL;
        size_t len = 0;
        if (set_story[i] == 0) {
            t = gen_text(1000 + (uint64_t)i, 150 + 10 * (size_t)i);
        } else {
            const char *base = set_story[i] == 1 ? a : b;
            size_t nw = set_story[i] == 1 ? 300 : 250;
            int k = set_story[i] == 1 ? na++ : nb++;
            char *s = NULL;
            switch (k) {
            case 0: s = xstrdup(base); break;                    /* original */
            case 1: s = slice_words(base, 0, nw * 2 / 3); break; /* trimmed */
            case 2:                                              /* new lead */
                cat_str(&t, &len, lead);
                cat_str(&t, &len, " ");
                s = slice_words(base, 0, nw - 20);
                break;
            default:                                             /* cut top, tail */
                s = slice_words(base, 60, nw);
                cat_str(&t, &len, s);
                free(s);
                cat_str(&t, &len, " ");
                s = xstrdup(tail);
                break;
            }
            cat_str(&t, &len, s);
            free(s);
        }
        set_text[i] = t;
    }
    free(a);
    free(b);
    free(lead);
    free(tail);
}

static void free_set(void)
{
    for (int i = 0; i < NSET; i++) {
        free(set_text[i]);
        set_text[i] = NULL;
    }
}

static rp_corpus *run_set(const rp_options *o)
{
    rp_corpus *c = corpus_new(o);
    assert_non_null(c);
    for (int i = 0; i < NSET; i++) {
        char id[32];
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(corpus_add(c, id, mkdoc(set_text[i], o)), i);
    }
    assert_int_equal(rp_corpus_run(c), RP_OK);
    return c;
}

static void test_pairs(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    make_set();
    rp_corpus *c = run_set(&o);
    size_t np = rp_corpus_npairs(c);
    /* every pair of the same story and no other: 4 + 3 reprints -> 6 + 3 */
    assert_int_equal(np, 9);
    for (size_t i = 0; i < np; i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        assert_non_null(p);
        assert_true(p->a < p->b);
        assert_true(p->b < NSET);
        if (i) {
            const rp_pair *q = rp_corpus_pair(c, i - 1);
            assert_true(q->a < p->a || (q->a == p->a && q->b < p->b));
        }
        assert_true(set_story[p->a] != 0);
        assert_int_equal(set_story[p->a], set_story[p->b]);
        assert_true(p->sim.similar);
        assert_true(p->sim.score >= o.threshold);
        /* the figures are those of rp_doc_compare */
        rp_doc *x = mkdoc(set_text[p->a], &o), *y = mkdoc(set_text[p->b], &o);
        rp_sim s;
        rp_doc_compare(x, y, &o, &s);
        assert_float_equal(p->sim.jaccard, s.jaccard, 0);
        assert_float_equal(p->sim.containment_ab, s.containment_ab, 0);
        assert_float_equal(p->sim.containment_ba, s.containment_ba, 0);
        assert_int_equal(p->sim.shared, s.shared);
        rp_doc_free(x);
        rp_doc_free(y);
    }
    assert_null(rp_corpus_pair(c, np));
    rp_run_stats st;
    rp_corpus_stats(c, &st);
    assert_int_equal(st.bands, 117);
    assert_int_equal(st.rows, 2);
    assert_int_equal(st.verified, np);
    assert_true(st.candidates >= np);
    assert_true(st.lsh >= 0 && st.verify >= 0 && st.cluster >= 0);
    rp_corpus_free(c);
    free_set();
}

/* Asserts that two runs found the same pairs and the same clusters. */
static void assert_same_result(const rp_corpus *x, const rp_corpus *y)
{
    assert_int_equal(rp_corpus_npairs(x), rp_corpus_npairs(y));
    for (size_t i = 0; i < rp_corpus_npairs(x); i++) {
        const rp_pair *p = rp_corpus_pair(x, i), *q = rp_corpus_pair(y, i);
        assert_int_equal(p->a, q->a);
        assert_int_equal(p->b, q->b);
        assert_float_equal(p->sim.score, q->sim.score, 0);
    }
    assert_int_equal(rp_corpus_nclusters(x), rp_corpus_nclusters(y));
    for (size_t i = 0; i < rp_corpus_nclusters(x); i++) {
        assert_int_equal(rp_cluster_size(x, i), rp_cluster_size(y, i));
        for (size_t j = 0; j < rp_cluster_size(x, i); j++) {
            const rp_member *m = rp_cluster_member(x, i, j), *n = rp_cluster_member(y, i, j);
            assert_int_equal(m->doc, n->doc);
            assert_float_equal(m->containment, n->containment, 0);
        }
    }
}

static void test_exhaustive_agrees_with_lsh(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    make_set();
    rp_corpus *lsh = run_set(&o);
    o.exhaustive = 1;
    rp_corpus *all = run_set(&o);
    rp_run_stats st;
    rp_corpus_stats(all, &st);
    assert_int_equal(st.candidates, NSET * (NSET - 1) / 2);
    rp_corpus_stats(lsh, &st);
    assert_true(st.candidates < NSET * (NSET - 1) / 2);
    assert_same_result(lsh, all);
    assert_int_equal(rp_corpus_npairs(all), 9);
    /* bands and rows by hand, and from an LSH threshold */
    o.exhaustive = 0;
    o.bands = 32;
    o.rows = 4;
    rp_corpus *hand = run_set(&o);
    rp_corpus_stats(hand, &st);
    assert_int_equal(st.bands, 32);
    assert_int_equal(st.rows, 4);
    assert_same_result(hand, all);
    o.bands = o.rows = 0;
    o.lsh_threshold = 0.3;
    rp_corpus *t3 = run_set(&o);
    rp_corpus_stats(t3, &st);
    unsigned b, r;
    assert_int_equal(rp_lsh_params(o.hashes, 0.3, &b, &r), RP_OK);
    assert_int_equal(st.bands, b);
    assert_int_equal(st.rows, r);
    rp_corpus_free(lsh);
    rp_corpus_free(all);
    rp_corpus_free(hand);
    rp_corpus_free(t3);
    free_set();
}

static void test_clusters_of_set(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    make_set();
    rp_corpus *c = run_set(&o);
    /* story 1 (docs 0, 3, 4, 7), story 2 (2, 6, 8), then the unrelated
     * 1, 5, 9 alone */
    assert_int_equal(rp_corpus_nclusters(c), 5);
    static const size_t want[][4] = {{0, 3, 4, 7}, {2, 6, 8}, {1}, {5}, {9}};
    static const size_t want_n[] = {4, 3, 1, 1, 1};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(rp_cluster_size(c, i), want_n[i]);
        /* members: the representative, then the others in document order */
        size_t rep = rp_cluster_representative(c, i);
        assert_int_equal(rp_cluster_member(c, i, 0)->doc, rep);
        size_t seen = 0;
        for (size_t j = 0; j < want_n[i]; j++) {
            size_t d = rp_cluster_member(c, i, j)->doc;
            for (size_t k = 0; k < want_n[i]; k++)
                seen += want[i][k] == d;
            if (j > 1)
                assert_true(rp_cluster_member(c, i, j - 1)->doc < d);
        }
        assert_int_equal(seen, want_n[i]);
    }
    /* the representative contains most of the others: the largest sum
     * of the others' containment in it (ties to the smaller index) */
    for (size_t i = 0; i < 2; i++) {
        size_t best = SIZE_MAX;
        double best_sum = -1;
        for (size_t j = 0; j < want_n[i]; j++) {
            size_t d = want[i][j];
            double sum = 0;
            for (size_t k = 0; k < rp_corpus_npairs(c); k++) {
                const rp_pair *p = rp_corpus_pair(c, k);
                if (p->a == d)
                    sum += p->sim.containment_ba;
                else if (p->b == d)
                    sum += p->sim.containment_ab;
            }
            if (sum > best_sum) {
                best_sum = sum;
                best = d;
            }
        }
        assert_int_equal(rp_cluster_representative(c, i), best);
        /* each member's figures are against the representative */
        rp_doc *r = mkdoc(set_text[best], &o);
        for (size_t j = 0; j < want_n[i]; j++) {
            const rp_member *m = rp_cluster_member(c, i, j);
            rp_doc *x = mkdoc(set_text[m->doc], &o);
            rp_sim sim;
            rp_doc_compare(x, r, &o, &sim);
            assert_float_equal(m->jaccard, sim.jaccard, 1e-12);
            assert_float_equal(m->containment, sim.containment_ab, 1e-12);
            rp_doc_free(x);
        }
        rp_doc_free(r);
    }
    /* story 1: the untouched original is the one that contains the rest */
    assert_int_equal(rp_cluster_representative(c, 0), 0);
    rp_corpus_free(c);
    free_set();
}

/* ------------------------------------------------------------------ */
/* Compact mode: the corpus keeps band keys and rebuilds texts to verify */

typedef struct texts {
    char **t;
    size_t n;
    int change;     /* index whose text comes back changed, or -1 */
    int fail;       /* index whose loader call fails, or -1 */
    atomic_size_t calls; /* the loader runs on the corpus's threads */
} texts;

static int load_text(void *ctx, size_t doc, char **text, size_t *len)
{
    texts *x = ctx;
    x->calls++;
    if (doc >= x->n || (int)doc == x->fail)
        return RP_ELOAD;
    const char *src = x->t[doc];
    if ((int)doc == x->change)
        src = "a different text altogether now, with other words in it";
    *text = xstrdup(src);
    *len = strlen(*text);
    return RP_OK;
}

/* Six stories, each with two trimmed or extended reprints, and four
 * unrelated articles: 22 texts. Caller frees with free_texts. */
static texts make_texts(void)
{
    texts x = {calloc(22, sizeof(char *)), 0, -1, -1, 0};
    assert_non_null(x.t);
    for (uint64_t s = 0; s < 6; s++) {
        char *story = gen_text(100 + s, 300);
        x.t[x.n++] = story;
        x.t[x.n++] = slice_words(story, 0, 220);
        char *longer = NULL;
        size_t len = 0;
        cat_str(&longer, &len, story);
        char *extra = gen_text(200 + s, 60);
        cat_str(&longer, &len, "\n\n");
        cat_str(&longer, &len, extra);
        free(extra);
        x.t[x.n++] = longer;
    }
    for (uint64_t s = 0; s < 4; s++)
        x.t[x.n++] = gen_text(300 + s, 250);
    return x;
}

static void free_texts(texts *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->t[i]);
    free(x->t);
}

static rp_corpus *run_texts_with(texts *x, int compact, unsigned threads, int sketch)
{
    rp_options o;
    rp_options_init(&o);
    rp_corpus *c = corpus_new(&o);
    assert_non_null(c);
    if (compact) {
        assert_int_equal(rp_corpus_set_loader(c, load_text, x), RP_OK);
        assert_int_equal(rp_corpus_set_threads(c, threads), RP_OK);
    }
    char id[32];
    for (size_t i = 0; i < x->n; i++) {
        snprintf(id, sizeof id, "t%02zu", i);
        rp_doc *d = NULL;
        if (sketch)
            assert_int_equal(rp_corpus_doc_new(c, x->t[i], strlen(x->t[i]), &d), RP_OK);
        else
            d = mkdoc(x->t[i], &o);
        assert_int_equal(corpus_add(c, id, d), (long)i);
    }
    assert_int_equal(rp_corpus_run(c), RP_OK);
    return c;
}

static rp_corpus *run_texts(texts *x, int compact, unsigned threads)
{
    return run_texts_with(x, compact, threads, 0);
}

static void test_compact_same_as_whole(void **state)
{
    (void)state;
    texts x = make_texts();
    rp_corpus *whole = run_texts(&x, 0, 1);
    assert_int_equal(x.calls, 0);
    /* the six stories are found: three members each */
    size_t multi = 0;
    for (size_t i = 0; i < rp_corpus_nclusters(whole); i++)
        multi += rp_cluster_size(whole, i) == 3;
    assert_int_equal(multi, 6);
    for (unsigned threads = 2; threads <= 3; threads++) {
        /* whole documents: the pairs compared on the pool as on one thread */
        rp_corpus *w = run_texts(&x, 0, threads);
        assert_same_result(whole, w);
        rp_corpus_free(w);
    }
    for (unsigned threads = 1; threads <= 3; threads++) {
        x.calls = 0;
        rp_corpus *compact = run_texts(&x, 1, threads);
        /* only candidates are rebuilt: not the four unrelated articles */
        assert_true(x.calls >= 18 && x.calls < x.n);
        assert_same_result(whole, compact);
        for (size_t i = 0; i < x.n; i++)
            assert_int_equal(rp_corpus_lost(compact, i), RP_OK);
        rp_corpus_free(compact);
    }
    rp_corpus_free(whole);
    free_texts(&x);
}

/* Documents made for the corpus (rp_corpus_doc_new: sketches without a
 * shingle set in compact mode) give what rp_doc_new's give, in both
 * modes; a sketch compares as sharing nothing, and a corpus without a
 * loader refuses it. */
static void test_corpus_doc_new(void **state)
{
    (void)state;
    texts x = make_texts();
    rp_corpus *whole = run_texts(&x, 0, 1);
    for (int compact = 0; compact <= 1; compact++) {
        rp_corpus *c = run_texts_with(&x, compact, 2, 1);
        assert_same_result(whole, c);
        rp_corpus_free(c);
    }
    rp_options o;
    rp_options_init(&o);
    rp_corpus *compact = corpus_new(&o), *plain = corpus_new(&o);
    assert_int_equal(rp_corpus_set_loader(compact, load_text, &x), RP_OK);
    rp_doc *sk = NULL, *full = mkdoc(x.t[0], &o);
    assert_int_equal(rp_corpus_doc_new(compact, x.t[0], strlen(x.t[0]), &sk), RP_OK);
    assert_int_equal(rp_doc_shingles(sk), rp_doc_shingles(full));
    assert_int_equal(rp_doc_words(sk), rp_doc_words(full));
    assert_float_equal(rp_doc_estimate(sk, full), 1.0, 0);   /* same signature */
    rp_sim sim;
    rp_doc_compare(sk, full, &o, &sim);
    assert_int_equal(sim.shared, 0);
    assert_false(sim.similar);
    assert_int_equal(rp_corpus_add(plain, "x", sk, NULL), RP_EINVAL);   /* freed */
    rp_doc_free(full);
    assert_int_equal(rp_corpus_doc_new(compact, NULL, 0, &sk), RP_EINVAL);
    assert_null(sk);
    rp_corpus_free(compact);
    rp_corpus_free(plain);
    rp_corpus_free(whole);
    free_texts(&x);
}

static void test_compact_lost(void **state)
{
    (void)state;
    texts x = make_texts();
    x.change = 1;   /* a reprint of story 0 changed on disk */
    x.fail = 3;     /* story 1 cannot be read again */
    rp_corpus *c = run_texts(&x, 1, 2);
    assert_int_equal(rp_corpus_lost(c, 1), RP_ELOAD);
    assert_int_equal(rp_corpus_lost(c, 3), RP_ELOAD);
    assert_int_equal(rp_corpus_lost(c, 0), RP_OK);
    assert_int_equal(rp_corpus_lost(c, 999), RP_EINVAL);
    for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        assert_true(p->a != 1 && p->b != 1 && p->a != 3 && p->b != 3);
    }
    /* the rest of story 0 (0 and 2) and of story 1 (4 and 5) still pair */
    size_t found = 0;
    for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        found += (p->a == 0 && p->b == 2) || (p->a == 4 && p->b == 5);
    }
    assert_int_equal(found, 2);
    rp_corpus_free(c);
    /* a loader can only be set on an empty corpus */
    c = corpus_new(NULL);
    rp_options o;
    rp_options_init(&o);
    assert_int_equal(corpus_add(c, "x", mkdoc("some words here", &o)), 0);
    assert_int_equal(rp_corpus_set_loader(c, load_text, &x), RP_ESTATE);
    assert_int_equal(rp_corpus_set_threads(c, 0), RP_EINVAL);
    rp_corpus_free(c);
    free_texts(&x);
}

/* Thirty short articles of different stories from one site, each ending
 * with the site's long footer, and one story reprinted verbatim by ten
 * sites: the footer must not make the thirty reprints of each other, and
 * the ten copies, whose every line is as common as the footer's, must
 * stay together. */
static void test_furniture(void **state)
{
    (void)state;
    char *footer = gen_text(999, 120);
    char *viral = gen_text(777, 200);
    texts x = {calloc(40, sizeof(char *)), 0, -1, -1, 0};
    assert_non_null(x.t);
    for (uint64_t s = 0; s < 30; s++) {
        char *t = NULL;
        size_t len = 0;
        char *body = gen_text(500 + s, 80);
        cat_str(&t, &len, body);
        cat_str(&t, &len, "\n\n");
        cat_str(&t, &len, footer);
        free(body);
        x.t[x.n++] = t;
    }
    for (int i = 0; i < 10; i++)
        x.t[x.n++] = xstrdup(viral);
    for (int df = 0; df <= 1; df++) {
        rp_options o;
        rp_options_init(&o);
        if (!df)
            o.furniture_df = 0;
        rp_corpus *c = corpus_new(&o);
        assert_int_equal(rp_corpus_set_loader(c, load_text, &x), RP_OK);
        char id[32];
        for (size_t i = 0; i < x.n; i++) {
            snprintf(id, sizeof id, "f%02zu", i);
            assert_int_equal(corpus_add(c, id, mkdoc(x.t[i], &o)), (long)i);
        }
        assert_int_equal(rp_corpus_run(c), RP_OK);
        size_t site_pairs = 0, viral_pairs = 0;
        for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
            const rp_pair *p = rp_corpus_pair(c, i);
            site_pairs += p->b < 30;
            viral_pairs += p->a >= 30;
        }
        assert_int_equal(viral_pairs, 45);
        rp_run_stats st;
        rp_corpus_stats(c, &st);
        if (df) {
            assert_int_equal(site_pairs, 0);
            assert_true(st.furniture >= 30);
        } else {
            assert_true(site_pairs > 0);   /* the footer alone links them */
            assert_int_equal(st.furniture, 0);
        }
        rp_corpus_free(c);
    }
    free(footer);
    free(viral);
    free_texts(&x);
}

/* @return a compact corpus (loader over x) of x's texts, with ids
 * PREFIX and the text's number, told to expect `reserve` documents first
 * unless 0. */
static rp_corpus *compact_corpus(texts *x, const rp_options *o, const char *prefix,
                                 size_t reserve)
{
    rp_corpus *c = corpus_new(o);
    assert_int_equal(rp_corpus_set_loader(c, load_text, x), RP_OK);
    if (reserve)
        assert_int_equal(rp_corpus_reserve(c, reserve), RP_OK);
    char id[32];
    for (size_t i = 0; i < x->n; i++) {
        snprintf(id, sizeof id, "%s%04zu", prefix, i);
        assert_int_equal(corpus_add(c, id, mkdoc(x->t[i], o)), (long)i);
    }
    return c;
}

/* @return the hash of a one-line text's line. */
static uint64_t line_hash(const char *line, const rp_options *o)
{
    rp_doc *d = mkdoc(line, o);
    assert_non_null(d);
    assert_int_equal(d->nlines, 1);
    uint64_t h = d->lines[0];
    rp_doc_free(d);
    return h;
}

/* Line document frequencies are exact and saturate at 255: a line in
 * every one of nd documents, a line in one of each 7, nown lines of each
 * document's own (so that the table grows), before and after
 * rp_corpus_run drops the lines held by one document; the corpus told to
 * expect `reserve` documents (0: not told). @return the corpus, run. */
static rp_corpus *df_exact_case(size_t nd, size_t nown, size_t reserve, texts *x)
{
    enum { MOD = 7 };
    *x = (texts){calloc(nd, sizeof(char *)), 0, -1, -1, 0};
    assert_non_null(x->t);
    char *common = gen_text(4242, 8), *sec[MOD], *own[4];
    for (int k = 0; k < MOD; k++)
        sec[k] = gen_text(4300 + (uint64_t)k, 8);
    for (size_t i = 0; i < nd; i++) {
        char *t = NULL;
        size_t len = 0;
        cat_str(&t, &len, common);
        cat_str(&t, &len, "\n");
        cat_str(&t, &len, sec[i % MOD]);
        for (size_t j = 0; j < nown; j++) {
            char *l = gen_text(100000 + i * nown + j, 8);
            cat_str(&t, &len, "\n");
            cat_str(&t, &len, l);
            if (j == 0 && i < 4)
                own[i] = l;
            else
                free(l);
        }
        x->t[x->n++] = t;
    }
    rp_options o;
    rp_options_init(&o);
    rp_corpus *c = compact_corpus(x, &o, "l", reserve);
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(rp_corpus_df(c, line_hash(common, &o)), nd < 255 ? nd : 255);
        for (size_t k = 0; k < MOD; k++)
            assert_int_equal(rp_corpus_df(c, line_hash(sec[k], &o)), (nd - k + MOD - 1) / MOD);
        for (int i = 0; i < 4; i++)
            assert_int_equal(rp_corpus_df(c, line_hash(own[i], &o)), 1);
        if (pass == 0)
            assert_int_equal(rp_corpus_run(c), RP_OK);
    }
    free(common);
    for (int k = 0; k < MOD; k++)
        free(sec[k]);
    for (int i = 0; i < 4; i++)
        free(own[i]);
    return c;
}

static void test_df_exact(void **state)
{
    (void)state;
    texts x;
    rp_corpus *c = df_exact_case(300, 60, 0, &x);   /* 18,000 lines of their own */
    rp_corpus_free(c);
    free_texts(&x);
}

/* rp_corpus_reserve is a hint: told too few, the right number or far too
 * many documents (the line tables then sized from the first 256), the
 * counts stay exact and the pairs and clusters are those of a corpus not
 * told; after the run it is refused. */
static void test_reserve(void **state)
{
    (void)state;
    texts x0;
    rp_corpus *c0 = df_exact_case(600, 12, 0, &x0);
    static const size_t told[] = {10, 600, 100000};
    for (size_t i = 0; i < sizeof told / sizeof *told; i++) {
        texts x;
        rp_corpus *c = df_exact_case(600, 12, told[i], &x);
        assert_int_equal(rp_corpus_size(c), 600);
        assert_same_result(c0, c);
        assert_int_equal(rp_corpus_reserve(c, 10), RP_ESTATE);
        rp_corpus_free(c);
        free_texts(&x);
    }
    assert_int_equal(rp_corpus_reserve(NULL, 10), RP_EINVAL);
    rp_corpus_free(c0);
    free_texts(&x0);
}

/* Words [from, to) of text t as lines of `per` words each. */
static void cat_lines(char **buf, size_t *len, const char *t, size_t from,
                      size_t to, size_t per)
{
    for (size_t w = from; w < to; w += per) {
        char *line = slice_words(t, w, w + per < to ? w + per : to);
        cat_str(buf, len, line);
        cat_str(buf, len, "\n");
        free(line);
    }
}

/* Issue 13, item 9: a thousand unrelated 100-word briefs from one site,
 * each above the site's 150-word footer in ten lines, so that most of
 * each brief's lines and words are footer; a wire story of 200 words
 * that twelve outlets ran, each under its own 40-word lead; and another
 * that twelve outlets ran above 150 words of their own in three lines (a
 * comment thread the cleaner missed: more than a quarter of each copy's
 * words, fewer than half its lines). The footer must link no two briefs;
 * each set of twelve copies must stay one cluster. */
static void test_furniture_outweighs(void **state)
{
    (void)state;
    enum { BRIEFS = 1000, COPIES = 12 };
    char *footer = gen_text(4242, 150);
    char *wire = gen_text(4343, 200), *wire2 = gen_text(4444, 200);
    texts x = {calloc(BRIEFS + 2 * COPIES, sizeof(char *)), 0, -1, -1, 0};
    assert_non_null(x.t);
    for (uint64_t s = 0; s < BRIEFS; s++) {
        char *t = NULL, *body = gen_text(10000 + s, 100);
        size_t len = 0;
        cat_lines(&t, &len, body, 0, 100, 50);
        cat_lines(&t, &len, footer, 0, 150, 15);
        free(body);
        x.t[x.n++] = t;
    }
    for (uint64_t s = 0; s < COPIES; s++) {
        char *t = NULL, *lead = gen_text(20000 + s, 40);
        size_t len = 0;
        cat_lines(&t, &len, lead, 0, 40, 40);
        cat_lines(&t, &len, wire, 0, 200, 40);
        free(lead);
        x.t[x.n++] = t;
    }
    for (uint64_t s = 0; s < COPIES; s++) {
        char *t = NULL, *own = gen_text(30000 + s, 150);
        size_t len = 0;
        cat_lines(&t, &len, wire2, 0, 200, 40);
        cat_lines(&t, &len, own, 0, 150, 50);
        free(own);
        x.t[x.n++] = t;
    }
    rp_options o;
    rp_options_init(&o);
    rp_corpus *c = compact_corpus(&x, &o, "b", 0);
    assert_int_equal(rp_corpus_run(c), RP_OK);
    size_t brief_pairs = 0, wire_pairs = 0, wire2_pairs = 0;
    for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        brief_pairs += p->a < BRIEFS || p->b < BRIEFS;
        wire_pairs += p->a >= BRIEFS && p->b < BRIEFS + COPIES;
        wire2_pairs += p->a >= BRIEFS + COPIES;
    }
    assert_int_equal(brief_pairs, 0);
    assert_int_equal(wire_pairs, COPIES * (COPIES - 1) / 2);
    assert_int_equal(wire2_pairs, COPIES * (COPIES - 1) / 2);
    size_t multi = 0;
    for (size_t i = 0; i < rp_corpus_nclusters(c); i++)
        if (rp_cluster_size(c, i) > 1) {
            multi++;
            assert_int_equal(rp_cluster_size(c, i), COPIES);
        }
    assert_int_equal(multi, 2);
    rp_corpus_free(c);
    free(footer);
    free(wire);
    free(wire2);
    free_texts(&x);
}

/* rp_cluster_set_representative: the chosen member goes first, the others
 * follow in document order with their figures taken exactly against it,
 * in whole and in compact mode alike; errors for a non-member. */
static void test_set_representative(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    make_set();
    rp_corpus *c = run_set(&o);
    assert_int_equal(rp_cluster_set_representative(c, 0, 2), RP_EINVAL);
    assert_int_equal(rp_cluster_set_representative(c, 99, 0), RP_EINVAL);
    size_t n = rp_cluster_size(c, 0), pick = rp_cluster_member(c, 0, n - 1)->doc;
    assert_int_equal(rp_cluster_set_representative(c, 0, rp_cluster_representative(c, 0)), RP_OK);
    assert_int_equal(rp_cluster_set_representative(c, 0, pick), RP_OK);
    assert_int_equal(rp_cluster_representative(c, 0), pick);
    assert_int_equal(rp_cluster_size(c, 0), n);
    rp_doc *r = mkdoc(set_text[pick], &o);
    for (size_t j = 1; j < n; j++) {
        const rp_member *m = rp_cluster_member(c, 0, j);
        if (j > 1)
            assert_true(rp_cluster_member(c, 0, j - 1)->doc < m->doc);
        rp_doc *x = mkdoc(set_text[m->doc], &o);
        rp_sim s;
        rp_doc_compare(x, r, &o, &s);
        assert_true(fabs(m->jaccard - s.jaccard) < 1e-9);
        assert_true(fabs(m->containment - s.containment_ab) < 1e-9);
        assert_true(fabs(m->holds - s.containment_ba) < 1e-9);
        rp_doc_free(x);
    }
    rp_doc_free(r);
    rp_corpus_free(c);
    free_set();
    rp_corpus *fresh = corpus_new(&o);
    assert_int_equal(rp_cluster_set_representative(fresh, 0, 0), RP_ESTATE);
    rp_corpus_free(fresh);
    /* compact mode: documents are rebuilt through the loader */
    texts x = make_texts();
    rp_corpus *whole = run_texts(&x, 0, 1), *compact = run_texts(&x, 1, 1);
    for (size_t i = 0; i < rp_corpus_nclusters(whole); i++) {
        size_t k = rp_cluster_size(whole, i);
        if (k < 2)
            continue;
        size_t d = rp_cluster_member(whole, i, k - 1)->doc;
        assert_int_equal(rp_cluster_set_representative(whole, i, d), RP_OK);
        assert_int_equal(rp_cluster_set_representative(compact, i, d), RP_OK);
    }
    assert_same_result(whole, compact);
    rp_corpus_free(whole);
    rp_corpus_free(compact);
    free_texts(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_free),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_many_ids),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_exhaustive_agrees_with_lsh),
        cmocka_unit_test(test_clusters_of_set),
        cmocka_unit_test(test_compact_same_as_whole),
        cmocka_unit_test(test_corpus_doc_new),
        cmocka_unit_test(test_compact_lost),
        cmocka_unit_test(test_furniture),
        cmocka_unit_test(test_df_exact),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_furniture_outweighs),
        cmocka_unit_test(test_set_representative),
    };
    return cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
}
