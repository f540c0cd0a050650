/*
 * test_index.c - the persistent index: the shingle sample and its
 * encoding, the estimator, and rp_index_* on a temporary file (add, query,
 * replace, remove, export, settings checks, concurrent creation, bad
 * files).
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doc.h"
#include "index.h"

static uint64_t rng = 42;

static uint64_t next(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* n random sorted distinct hashes */
static uint64_t *random_set(size_t n)
{
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = next();
    qsort(v, n, sizeof *v, cmp_u64);
    return v;
}

static void test_sample_roundtrip(void **state)
{
    (void)state;
    uint64_t *sh = random_set(5000);
    uint32_t *v = malloc(5001 * sizeof *v), *w = malloc(5001 * sizeof *w);
    uint8_t *buf = malloc(4 * 5001);
    for (unsigned bits = 0; bits <= 6; bits += 3) {
        size_t m = rp_sample(sh, 5000, bits, v);
        /* about n / 2^bits values, sorted and distinct */
        double want = 5000.0 / (1u << bits);
        assert_true(fabs((double)m - want) < 6 * sqrt(want) + 5);
        for (size_t i = 1; i < m; i++)
            assert_true(v[i - 1] < v[i]);
        size_t len = rp_sample_encode(v, m, buf);
        assert_true(len <= 4 * m);
        assert_int_equal(rp_sample_decode(buf, len, w, 5001), m);
        assert_memory_equal(v, w, m * sizeof *v);
        if (m > 2) {
            /* a cut varint, too small a buffer */
            buf[len - 1] |= 0x80;
            assert_int_equal(rp_sample_decode(buf, len, w, 5001), (size_t)-1);
            assert_int_equal(rp_sample_decode(buf, len - 1, w, 1), (size_t)-1);
        }
    }
    /* a repeated value (zero delta) and a value out of range are refused */
    uint8_t rep[] = {5, 0};
    assert_int_equal(rp_sample_decode(rep, 2, w, 10), (size_t)-1);
    uint8_t big[] = {0xFF, 0xFF, 0xFF, 0x7F};
    assert_int_equal(rp_sample_decode(big, 4, w, 10), (size_t)-1);
    assert_int_equal(rp_sample_decode(buf, 0, w, 10), 0);
    free(sh);
    free(v);
    free(w);
    free(buf);
}

/* Sets A (na) and B (nb) sharing s hashes; the estimate from 1/8 samples
 * is unbiased and close (the error figure in docs/index.md comes from here). */
static void test_estimator(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    const size_t na = 600, nb = 900, s = 360;   /* containment of A: 0.6 */
    double sum = 0, sum2 = 0;
    const int trials = 400;
    uint64_t *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b);
    uint32_t *sa = malloc((na + 1) * sizeof *sa), *sb = malloc((nb + 1) * sizeof *sb);
    for (int t = 0; t < trials; t++) {
        for (size_t i = 0; i < na; i++)
            a[i] = next();
        for (size_t i = 0; i < nb; i++)
            b[i] = i < s ? a[i] : next();
        qsort(a, na, sizeof *a, cmp_u64);
        qsort(b, nb, sizeof *b, cmp_u64);
        size_t ma = rp_sample(a, na, RP_INDEX_SAMPLE_BITS, sa);
        size_t mb = rp_sample(b, nb, RP_INDEX_SAMPLE_BITS, sb);
        rp_sim sim;
        rp_sample_estimate(na, sa, ma, nb, sb, mb, &o, &sim);
        double e = sim.containment_ab - 0.6;
        sum += e;
        sum2 += e * e;
    }
    double mean = sum / trials, sd = sqrt(sum2 / trials - mean * mean);
    assert_true(fabs(mean) < 0.01);
    assert_true(sd < 0.07);
    /* all shingles kept: exact */
    size_t ma = rp_sample(a, na, 0, sa), mb = rp_sample(b, nb, 0, sb);
    rp_sim sim;
    rp_sample_estimate(na, sa, ma, nb, sb, mb, &o, &sim);
    assert_true(fabs(sim.containment_ab - 0.6) < 0.01);
    /* identical and disjoint */
    rp_sample_estimate(na, sa, ma, na, sa, ma, &o, &sim);
    assert_int_equal(sim.shared, na);
    rp_sample_estimate(na, sa, 0, nb, sb, 0, &o, &sim);
    assert_int_equal(sim.shared, 0);
    assert_false(sim.similar);
    free(a);
    free(b);
    free(sa);
    free(sb);
}

/* ------------------------------------------------------------------ */

/* A text of n made-up words, from word w0 on (stories share word runs). */
static char *text_of(unsigned w0, unsigned n, unsigned salt)
{
    static const char *syl[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo"};
    char *t = malloc((size_t)n * 16 + 1);
    size_t w = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned x = (w0 + i) * 2654435761u ^ (i % 97 == 96 ? salt : 0);
        for (int k = 0; k < 4; k++, x >>= 3)
            w += (size_t)sprintf(t + w, "%s", syl[x & 7]);
        t[w++] = i % 12 == 11 ? '\n' : ' ';
    }
    t[w] = 0;
    return t;
}

static rp_doc *doc_of(const char *text, const rp_options *o)
{
    int err;
    rp_doc *d = doc_new(text, strlen(text), o, &err);
    assert_non_null(d);
    return d;
}

static char dbpath[64];

static int setup_db(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/rp-test-index-%ld.db", (long)getpid());
    return 0;
}

static int teardown_db(void **state)
{
    (void)state;
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-keys", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-keys.tmp", dbpath);
    unlink(p);
    return 0;
}

static int count_cb(void *ctx, size_t cluster, const rp_index_member *m, size_t n)
{
    size_t *sizes = ctx;
    assert_true(cluster >= 1 && cluster <= 8);
    assert_true(n >= 1);
    assert_true(m[0].jaccard == 1.0);
    sizes[cluster - 1] = n;
    return 0;
}

static void test_index_roundtrip(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_index *ix = index_new();
    assert_non_null(ix);
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, NULL, -1), RP_OK);
    rp_options got;
    memset(&got, 0, sizeof got);
    int bits = -1;
    assert_int_equal(rp_index_options(ix, &got, &bits), RP_OK);
    assert_int_equal(got.bands, RP_INDEX_BANDS);
    assert_int_equal(bits, RP_INDEX_SAMPLE_BITS);

    /* story A: original, a cut, a copy with a few words changed; B alone */
    char *a = text_of(0, 400, 0), *a_cut = text_of(0, 250, 0), *a_ed = text_of(0, 400, 77);
    char *b = text_of(100000, 300, 0);
    rp_doc *da = doc_of(a, &o), *dc = doc_of(a_cut, &o), *de = doc_of(a_ed, &o), *db = doc_of(b, &o);
    rp_index_result r;
    assert_int_equal(rp_index_begin(ix), RP_OK);
    assert_int_equal(rp_index_add(ix, "a", NULL, "A", strlen(a), da, &r), RP_OK);
    assert_int_equal(r.status, RP_INDEX_NEW);
    assert_int_equal(r.n, 0);
    int64_t ca = r.cluster;
    assert_true(ca > 0);
    rp_index_result_free(&r);
    assert_int_equal(rp_index_add(ix, "b", NULL, NULL, strlen(b), db, &r), RP_OK);
    assert_true(r.cluster != ca);
    rp_index_result_free(&r);
    assert_int_equal(rp_index_add(ix, "a-cut", NULL, NULL, 1, dc, &r), RP_OK);
    assert_int_equal(r.cluster, ca);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].id, "a");
    assert_false(r.m[0].exact);
    /* the cut is contained in the original: containment_ab near 1 */
    assert_true(r.m[0].sim.containment_ab > 0.8);
    rp_index_result_free(&r);
    assert_int_equal(rp_index_commit(ix), RP_OK);
    /* outside a batch: commits at once */
    assert_int_equal(rp_index_add(ix, "a-ed", NULL, NULL, 1, de, &r), RP_OK);
    assert_int_equal(r.cluster, ca);
    assert_int_equal(r.n, 2);
    rp_index_result_free(&r);
    /* unchanged: a no-op */
    assert_int_equal(rp_index_add(ix, "a", NULL, NULL, 1, da, &r), RP_OK);
    assert_int_equal(r.status, RP_INDEX_UNCHANGED);
    assert_int_equal(r.cluster, ca);
    assert_int_equal(r.n, 2);
    rp_index_result_free(&r);

    rp_index_stats st;
    assert_int_equal(rp_index_stats_get(ix, &st), RP_OK);
    assert_int_equal(st.docs, 4);
    assert_int_equal(st.clusters, 2);
    assert_int_equal(st.pairs, 3);
    assert_true(st.bytes > 0);

    /* query: the queried id is left out of its own matches */
    assert_int_equal(rp_index_query(ix, "a", da, &r), RP_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.cluster, ca);
    rp_index_result_free(&r);
    assert_int_equal(rp_index_query(ix, "new", db, &r), RP_OK);
    assert_int_equal(r.n, 1);
    rp_index_result_free(&r);

    size_t sizes[8] = {0};
    assert_int_equal(rp_index_export(ix, count_cb, sizes), RP_OK);
    assert_int_equal(sizes[0], 3);
    assert_int_equal(sizes[1], 1);

    /* replace b by a copy of story A */
    assert_int_equal(rp_index_add(ix, "b", NULL, NULL, 1, dc, &r), RP_OK);
    assert_int_equal(r.status, RP_INDEX_REPLACED);
    assert_int_equal(r.cluster, ca);
    rp_index_result_free(&r);
    assert_int_equal(rp_index_remove(ix, "a-ed"), RP_OK);
    assert_int_equal(rp_index_remove(ix, "a-ed"), RP_ENOTFOUND);
    assert_int_equal(rp_index_stats_get(ix, &st), RP_OK);
    assert_int_equal(st.docs, 3);
    assert_int_equal(st.pairs, 3);
    rp_index_free(ix);

    /* reopening: stored options, checked when given */
    ix = index_new();
    assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, -1), RP_OK);
    assert_int_equal(rp_index_add(ix, "x", NULL, NULL, 1, da, &r), RP_EREADONLY);
    rp_options k4 = o;
    k4.shingle = o.shingle + 1;
    assert_int_equal(rp_index_open(ix, dbpath, 0, &k4, -1), RP_EINCOMPAT);
    assert_non_null(strstr(rp_index_errmsg(ix), "index built with --shingle"));
    assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, 5), RP_EINCOMPAT);
    rp_options same = o;
    same.bands = RP_INDEX_BANDS;
    same.rows = RP_INDEX_ROWS;
    assert_int_equal(rp_index_open(ix, dbpath, 0, &same, RP_INDEX_SAMPLE_BITS), RP_OK);
    rp_index_free(ix);

    rp_doc_free(da);
    rp_doc_free(dc);
    rp_doc_free(de);
    rp_doc_free(db);
    free(a);
    free(a_cut);
    free(a_ed);
    free(b);
}

/* Matches across many small batches, and removal. */
static void test_index_merge(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    rp_index *ix = index_new();
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, NULL, -1), RP_OK);
    char *t[6];
    rp_doc *d[6];
    for (int i = 0; i < 6; i++) {
        /* stories of two articles: i and i ^ 1 share their first 300 words */
        t[i] = text_of((unsigned)(i / 2) * 50000u, 300 + 20 * (unsigned)(i % 2), 0);
        d[i] = doc_of(t[i], &o);
    }
    rp_index_result r;
    char id[16];
    for (int i = 0; i < 6; i += 2) {
        assert_int_equal(rp_index_begin(ix), RP_OK);
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(rp_index_add(ix, id, NULL, NULL, 1, d[i], NULL), RP_OK);
        assert_int_equal(rp_index_commit(ix), RP_OK);   /* merges every time */
    }
    for (int i = 1; i < 6; i += 2) {
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(rp_index_add(ix, id, NULL, NULL, 1, d[i], &r), RP_OK);
        assert_int_equal(r.n, 1);   /* its partner, from the merged table */
        rp_index_result_free(&r);
    }
    /* d5 is still in the recent table (one document since the merge);
     * remove it and d0 (merged) */
    assert_int_equal(rp_index_remove(ix, "d5"), RP_OK);
    assert_int_equal(rp_index_remove(ix, "d0"), RP_OK);
    assert_int_equal(rp_index_query(ix, "q", d[4], &r), RP_OK);
    assert_int_equal(r.n, 1);   /* d4 itself; d5 is gone */
    assert_string_equal(r.m[0].id, "d4");
    rp_index_result_free(&r);
    assert_int_equal(rp_index_query(ix, "q", d[1], &r), RP_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].id, "d1");
    rp_index_result_free(&r);
    rp_index_free(ix);
    for (int i = 0; i < 6; i++) {
        rp_doc_free(d[i]);
        free(t[i]);
    }
}

/* Writers that create the same new index at once: each one's document is
 * kept, none is refused as locked or as "not a reprint index" (10 rounds
 * of 4 processes). */
static void test_index_concurrent_create(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    for (int round = 0; round < 10; round++) {
        teardown_db(NULL);
        pid_t kids[4];
        for (int k = 0; k < 4; k++) {
            kids[k] = fork();
            assert_true(kids[k] >= 0);
            if (kids[k] == 0) {
                char *t = text_of(70000u * (unsigned)(k + 1), 80, 0);
                int err;
                rp_doc *d = doc_new(t, strlen(t), &o, &err);
                rp_index *ix = index_new();
                char id[16];
                snprintf(id, sizeof id, "w%d", k);
                int rc = d && ix ? rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE,
                                                 NULL, -1) : RP_ENOMEM;
                if (rc == RP_OK)
                    rc = rp_index_add(ix, id, NULL, NULL, 1, d, NULL);
                if (rc != RP_OK)
                    fprintf(stderr, "writer %d: %s\n", k, rp_index_errmsg(ix));
                rp_index_free(ix);
                rp_doc_free(d);
                free(t);
                _exit(rc == RP_OK ? 0 : 1);
            }
        }
        for (int k = 0; k < 4; k++) {
            int st;
            assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
            assert_true(WIFEXITED(st));
            assert_int_equal(WEXITSTATUS(st), 0);
        }
        rp_index *ix = index_new();
        rp_index_stats ist;
        assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, -1), RP_OK);
        assert_int_equal(rp_index_stats_get(ix, &ist), RP_OK);
        assert_int_equal(ist.docs, 4);
        rp_index_free(ix);
    }
}

static void test_index_bad_files(void **state)
{
    (void)state;
    rp_index *ix = index_new();
    FILE *f = fopen(dbpath, "w");
    assert_non_null(f);
    fputs("this is not a database, only some text that is long enough\n", f);
    fclose(f);
    assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, -1), RP_EFORMAT);
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, NULL, -1),
                     RP_EFORMAT);
    unlink(dbpath);
    assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, -1), RP_EDB);
    assert_non_null(strstr(rp_index_errmsg(ix), "cannot open index"));
    rp_options bad;
    rp_options_init(&bad);
    bad.exhaustive = 1;
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, &bad, -1),
                     RP_EINVAL);
    assert_int_equal(rp_index_begin(ix), RP_ESTATE);
    rp_index_free(ix);
    rp_index_free(NULL);
    rp_index_result_free(NULL);
    assert_string_equal(rp_strerror(RP_EFORMAT), "not a reprint index");
    assert_string_equal(rp_strerror(RP_EINCOMPAT), "index built with other options");
    assert_string_equal(rp_strerror(RP_EFULL), "disk is full");
}

/* The band-key lookup lives in memory, rebuilt from the file: a second
 * handle on the same file sees what the first adds after it was built
 * (catch-up by row), what it removes and replaces (rebuild), and nothing
 * of a batch rolled back. */
/* A writer w, open (creating the index), and a handle r not yet open. */
static void two_handles(rp_options *o, rp_index **w, rp_index **r)
{
    rp_options_init(o);
    assert_int_equal(rp_index_new(w), RP_OK);
    assert_int_equal(rp_index_new(r), RP_OK);
    assert_int_equal(rp_index_open(*w, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, NULL, -1), RP_OK);
}

static void test_index_two_handles(void **state)
{
    (void)state;
    rp_options o;
    rp_index *w, *r;
    two_handles(&o, &w, &r);
    char *a = text_of(0, 400, 0), *a_cut = text_of(0, 250, 0), *b = text_of(100000, 300, 0);
    char *b_cut = text_of(100000, 200, 0);
    rp_doc *da = doc_of(a, &o), *dc = doc_of(a_cut, &o), *db = doc_of(b, &o);
    rp_doc *dbc = doc_of(b_cut, &o);
    rp_index_result res;
    assert_int_equal(rp_index_add(w, "a", NULL, NULL, 1, da, NULL), RP_OK);
    assert_int_equal(rp_index_open(r, dbpath, 0, NULL, -1), RP_OK);
    assert_int_equal(rp_index_query(r, "q", dc, &res), RP_OK);   /* builds r's lookup */
    assert_int_equal(res.n, 1);
    rp_index_result_free(&res);
    /* added by the other handle after r built its lookup */
    assert_int_equal(rp_index_add(w, "b", NULL, NULL, 1, db, NULL), RP_OK);
    assert_int_equal(rp_index_query(r, "q", dbc, &res), RP_OK);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.m[0].id, "b");
    rp_index_result_free(&res);
    /* removed by the other handle */
    assert_int_equal(rp_index_remove(w, "b"), RP_OK);
    assert_int_equal(rp_index_query(r, "q", dbc, &res), RP_OK);
    assert_int_equal(res.n, 0);
    rp_index_result_free(&res);
    /* a rolled-back batch leaves nothing behind in the writer's lookup */
    assert_int_equal(rp_index_begin(w), RP_OK);
    assert_int_equal(rp_index_add(w, "b2", NULL, NULL, 1, db, NULL), RP_OK);
    rp_index_rollback(w);
    assert_int_equal(rp_index_query(w, "q", dbc, &res), RP_OK);
    assert_int_equal(res.n, 0);
    rp_index_result_free(&res);
    /* replaced under the same id by another story */
    assert_int_equal(rp_index_add(w, "a", NULL, NULL, 1, db, NULL), RP_OK);
    assert_int_equal(rp_index_query(r, "q", dc, &res), RP_OK);
    assert_int_equal(res.n, 0);
    rp_index_result_free(&res);
    assert_int_equal(rp_index_query(r, "q", dbc, &res), RP_OK);
    assert_int_equal(res.n, 1);
    rp_index_result_free(&res);
    rp_index_free(r);
    rp_index_free(w);
    rp_doc_free(da);
    rp_doc_free(dc);
    rp_doc_free(db);
    rp_doc_free(dbc);
    free(a);
    free(a_cut);
    free(b);
    free(b_cut);
}

/* Queries d in ix: one match, with this id. @return its row. */
static int64_t one_match(rp_index *ix, const rp_doc *d, const char *id)
{
    rp_index_result res;
    assert_int_equal(rp_index_query(ix, "q", d, &res), RP_OK);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.m[0].id, id);
    int64_t row = res.m[0].doc;
    rp_index_result_free(&res);
    return row;
}

/* The cache of stored rows and the screen (index_match.c,
 * index_screen.c) never answer with a row that is gone: a row number
 * given again after another handle removed the highest row, or after a
 * rolled-back batch, names the new document. */
static void test_index_row_cache(void **state)
{
    (void)state;
    rp_options o;
    rp_index *w, *r;
    two_handles(&o, &w, &r);
    /* one story, whole and cut: "b" takes row 1, the highest */
    char *b = text_of(100000, 300, 0), *b_cut = text_of(100000, 200, 0);
    rp_doc *db = doc_of(b, &o), *dbc = doc_of(b_cut, &o);
    assert_int_equal(rp_index_add(w, "b", NULL, NULL, 1, db, NULL), RP_OK);
    assert_int_equal(rp_index_open(r, dbpath, 0, NULL, -1), RP_OK);
    int64_t row_b = one_match(r, dbc, "b");   /* r reads the row */
    /* the other handle removes it and adds the story again under another
     * id: SQLite gives it the same row number */
    assert_int_equal(rp_index_remove(w, "b"), RP_OK);
    assert_int_equal(rp_index_add(w, "c", NULL, NULL, 1, db, NULL), RP_OK);
    assert_int_equal(one_match(r, dbc, "c"), row_b);
    /* a batch that is rolled back after its row was read */
    assert_int_equal(rp_index_begin(w), RP_OK);
    assert_int_equal(rp_index_remove(w, "c"), RP_OK);
    assert_int_equal(rp_index_add(w, "d", NULL, NULL, 1, db, NULL), RP_OK);
    one_match(w, dbc, "d");
    rp_index_rollback(w);
    one_match(w, dbc, "c");
    assert_int_equal(rp_index_remove(w, "c"), RP_OK);
    assert_int_equal(rp_index_add(w, "e", NULL, NULL, 1, db, NULL), RP_OK);
    one_match(w, dbc, "e");
    rp_index_free(r);
    rp_index_free(w);
    rp_doc_free(db);
    rp_doc_free(dbc);
    free(b);
    free(b_cut);
}

/* The snapshot of the lookup (index_snap.c): written when a writer closes
 * the index, read at the next opening; removals and the reuse of the
 * highest row number after it; a damaged one is ignored. */
static int64_t query_one(rp_index *ix, const rp_doc *d, size_t *n, char *first, size_t cap)
{
    rp_index_result r;
    assert_int_equal(rp_index_query(ix, "q", d, &r), RP_OK);
    *n = r.n;
    snprintf(first, cap, "%s", r.n ? r.m[0].id : "");
    int64_t c = r.cluster;
    rp_index_result_free(&r);
    return c;
}

static void test_index_snapshot(void **state)
{
    (void)state;
    rp_options o;
    rp_options_init(&o);
    enum { N = 40 };
    rp_doc *d[N];
    char id[16], keys[80], first[32];
    snprintf(keys, sizeof keys, "%s-keys", dbpath);
    for (unsigned i = 0; i < N; i++) {
        char *t = text_of(i * 100, 100, 0);   /* no word in common */
        d[i] = doc_of(t, &o);
        free(t);
    }
    char *t = text_of(5 * 100, 100, 77);
    rp_doc *near5 = doc_of(t, &o);
    free(t);
    rp_index *ix = index_new();
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE | RP_INDEX_CREATE, NULL, -1), RP_OK);
    assert_int_equal(rp_index_begin(ix), RP_OK);
    for (unsigned i = 0; i < N - 1; i++) {
        snprintf(id, sizeof id, "d%u", i);
        assert_int_equal(rp_index_add(ix, id, NULL, NULL, 1, d[i], NULL), RP_OK);
    }
    assert_int_equal(rp_index_commit(ix), RP_OK);
    rp_index_free(ix);   /* closing writes the snapshot */
    struct stat st;
    assert_int_equal(stat(keys, &st), 0);
    off_t size = st.st_size;

    /* read back: the same matches; a removal hides a row of the snapshot */
    ix = index_new();
    assert_int_equal(rp_index_open(ix, dbpath, RP_INDEX_WRITE, NULL, -1), RP_OK);
    size_t n;
    assert_int_equal(query_one(ix, near5, &n, first, sizeof first), 6);
    assert_int_equal(n, 1);
    assert_string_equal(first, "d5");
    assert_int_equal(rp_index_remove(ix, "d5"), RP_OK);
    assert_int_equal(query_one(ix, near5, &n, first, sizeof first), 0);
    assert_int_equal(n, 0);
    /* the highest row removed, its number taken again by another story */
    assert_int_equal(rp_index_remove(ix, "d38"), RP_OK);
    assert_int_equal(rp_index_add(ix, "d39", NULL, NULL, 1, d[39], NULL), RP_OK);
    assert_int_equal(query_one(ix, d[38], &n, first, sizeof first), 0);
    assert_int_equal(n, 0);
    assert_int_equal(query_one(ix, d[39], &n, first, sizeof first), 39);
    assert_int_equal(n, 1);
    assert_string_equal(first, "d39");
    rp_index_free(ix);

    /* the next opening trusts the new snapshot, or rebuilds: the same */
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1) {
            assert_int_equal(truncate(keys, size / 2), 0);
        } else if (pass == 2) {
            FILE *f = fopen(keys, "r+b");
            assert_non_null(f);
            fseek(f, 40, SEEK_SET);   /* in the header: the last row */
            fputc(0x7f, f);
            fclose(f);
        }
        ix = index_new();
        assert_int_equal(rp_index_open(ix, dbpath, 0, NULL, -1), RP_OK);
        assert_int_equal(query_one(ix, near5, &n, first, sizeof first), 0);
        assert_int_equal(query_one(ix, d[39], &n, first, sizeof first), 39);
        assert_string_equal(first, "d39");
        assert_int_equal(query_one(ix, d[38], &n, first, sizeof first), 0);
        assert_int_equal(query_one(ix, d[7], &n, first, sizeof first), 8);
        assert_string_equal(first, "d7");
        rp_index_free(ix);
    }
    for (unsigned i = 0; i < N; i++)
        rp_doc_free(d[i]);
    rp_doc_free(near5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_roundtrip),
        cmocka_unit_test(test_estimator),
        cmocka_unit_test_setup_teardown(test_index_roundtrip, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_merge, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_concurrent_create, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_bad_files, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_two_handles, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_snapshot, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_index_row_cache, setup_db, teardown_db),
    };
    return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
