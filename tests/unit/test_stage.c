/*
 * test_stage.c - the intermediate files of reprint dist (stage.c): a file
 * written and read back gives its sections; a file cut short, damaged,
 * of another version or of another stage is refused with its reason.
 * Also the invariant the bucket stage rests on: the candidates of the LSH
 * partitions (rp_lsh_ensemble_part) together are those of the whole run;
 * and the stages through the public API (with the lines stage's counts)
 * give rp_corpus_run's clusters.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
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

/* Makes an empty temporary file at path (a mkstemp template). */
static void make_temp(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void test_round_trip_and_damage(void **state)
{
    (void)state;
    char path[] = "/tmp/reprint-stage-XXXXXX";
    make_temp(path);
    rp_stage_w *w = NULL;
    assert_int_equal(rp_stage_w_new(7, 0x1234, 2, 5, 65, &w), RP_EINVAL);
    assert_null(w);
    assert_int_equal(rp_stage_w_new(7, 0x1234, 2, 5, 3, &w), RP_OK);
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
    /* a section's bytes: the header still checks, the section does not */
    size_t n0;
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_OK);
    char *s0 = (char *)(uintptr_t)rp_stage_sec(&s, 0, &n0);
    assert_int_equal(rp_stage_check(&s, 0, &why), RP_OK);
    s0[3] ^= 1;
    assert_int_equal(rp_stage_check(&s, 0, &why), RP_EFORMAT);
    assert_string_equal(why, "damaged (checksum)");
    assert_int_equal(rp_stage_check(&s, 2, &why), RP_OK);
    s0[3] ^= 1;
    b[8] = 1;
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "written by another version of reprint dist");
    b[0] = 'X';
    assert_int_equal(rp_stage_parse(b, len, 0, &s, &why), RP_EFORMAT);
    assert_string_equal(why, "not a reprint dist file");
    free(b);
    /* the public reader */
    rp_stage *o = NULL;
    assert_int_equal(rp_stage_open(path, 8, &o, &why), RP_EFORMAT);
    assert_null(o);
    unlink(path);
    assert_int_equal(rp_stage_load(path, 0, &s, &why), RP_ELOAD);
    assert_int_equal(rp_stage_open(path, 0, &o, &why), RP_ENOTFOUND);
    assert_null(o);
    rp_stage_close(NULL);
}

static void test_public_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/reprint-stage-XXXXXX";
    make_temp(path);
    rp_stage_w *w = NULL;
    assert_int_equal(rp_stage_w_new(RP_STAGE_PLAN, 99, 0, 1, 2, &w), RP_OK);
    assert_int_equal(rp_stage_w_put(w, 1, "abc", 3), RP_OK);
    assert_int_equal(rp_stage_w_save(w, path), RP_OK);
    rp_stage_w_free(w);
    rp_stage *s = NULL;
    const char *why;
    assert_int_equal(rp_stage_open(path, RP_STAGE_PLAN, &s, &why), RP_OK);
    assert_true(rp_stage_fingerprint(s) == 99);
    size_t n;
    assert_memory_equal(rp_stage_sec(s, 1, &n), "abc", 3);
    assert_int_equal(n, 3);
    rp_stage_close(s);
    /* a damaged section: refused whole; opened partially, found by
     * rp_stage_check_sec */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    char *b = malloc((size_t)size);
    assert_non_null(b);
    rewind(f);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    char *at = NULL;
    for (long i = 0; i + 3 <= size && !at; i++)
        if (memcmp(b + i, "abc", 3) == 0)
            at = b + i;
    assert_non_null(at);
    assert_int_equal(fseek(f, at - b, SEEK_SET), 0);
    fputc('x', f);
    fclose(f);
    free(b);
    assert_int_equal(rp_stage_open(path, RP_STAGE_PLAN, &s, &why), RP_EFORMAT);
    assert_int_equal(rp_stage_open(path, RP_STAGE_PLAN | RP_STAGE_PARTIAL, &s, &why), RP_OK);
    assert_int_equal(rp_stage_check_sec(s, 0), RP_OK);
    assert_int_equal(rp_stage_check_sec(s, 1), RP_EFORMAT);
    assert_int_equal(rp_stage_check_sec(s, 9), RP_EFORMAT);
    rp_stage_close(s);
    unlink(path);
    /* a folder that is not there: cannot write */
    assert_int_equal(rp_stage_w_new(RP_STAGE_PLAN, 99, 0, 1, 2, &w), RP_OK);
    assert_int_equal(rp_stage_w_save(w, "/nonexistent-reprint/x"), RP_EREADONLY);
    rp_stage_w_free(w);
}

/* Texts of the staged run below, by id "dN". */
static const char *const texts[] = {
    "The city council approved the new budget on Tuesday after a long debate about "
    "schools, roads and the future of the public library in the old town centre.",
    "The city council approved the new budget on Tuesday after a long debate about "
    "schools, roads and the future of the public library in the old town centre today.",
    "Heavy rain flooded several streets in the northern district overnight, and the fire "
    "brigade pumped water from basements until the early hours of the morning.",
    "Heavy rain flooded several streets in the northern district overnight, and the fire "
    "brigade pumped water from basements until the early hours of Sunday morning.",
    "A local bakery won the national bread competition with a sourdough loaf made from "
    "an old family recipe that the owners brought from their village decades ago.",
};
enum { NT = 5 };

static int load_id(void *ctx, uint64_t doc, const char *id, char **text, size_t *len)
{
    (void)ctx;
    int i = id[1] - '0';
    if (i < 0 || i >= NT || doc != (uint64_t)i)   /* d<i> is document i */
        return RP_ELOAD;
    *len = strlen(texts[i]);
    *text = malloc(*len + 1);
    if (!*text)
        return RP_ENOMEM;
    memcpy(*text, texts[i], *len + 1);
    return RP_OK;
}

/* The stages through the public API give rp_corpus_run's clusters. */
static void test_dist_matches_corpus(void **state)
{
    (void)state;
    char dir[] = "/tmp/reprint-dist-XXXXXX";
    assert_non_null(mkdtemp(dir));
    rp_options *o = NULL;
    assert_int_equal(rp_options_new(&o), RP_OK);
    assert_int_equal(rp_options_set(o, RP_OPT_SHINGLE, 2), RP_OK);
    rp_corpus *ref = NULL;
    assert_int_equal(rp_corpus_new(o, &ref), RP_OK);
    char id[8];
    for (int i = 0; i < NT; i++) {
        rp_doc *d = NULL;
        assert_int_equal(rp_doc_new(texts[i], strlen(texts[i]), o, &d), RP_OK);
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(rp_corpus_add(ref, id, d, NULL), RP_OK);
    }
    assert_int_equal(rp_corpus_run(ref), RP_OK);

    enum { N = 2, P = 3 };
    rp_dist *dist = NULL;
    assert_int_equal(rp_dist_new(dir, o, 42, N, P, &dist), RP_OK);
    assert_int_equal(rp_dist_bucket(dist, 0), RP_ENOTFOUND);
    assert_non_null(strstr(rp_dist_errmsg(dist), "sketch.0: missing"));
    for (unsigned t = 0; t < N; t++) {
        for (int i = t ? 3 : 0; i < (t ? NT : 3); i++) {
            rp_doc *d = NULL;
            assert_int_equal(rp_doc_new(texts[i], strlen(texts[i]), o, &d), RP_OK);
            snprintf(id, sizeof id, "d%d", i);
            assert_int_equal(rp_dist_sketch_add(dist, id, d), RP_OK);
            rp_doc_free(d);
        }
        assert_int_equal(rp_dist_sketch_save(dist, t, 0), RP_OK);
    }
    for (unsigned p = 0; p < P; p++)
        if (rp_dist_bucket(dist, p) != RP_OK)
            fail_msg("%s", rp_dist_errmsg(dist));
    /* verify reads the lines files */
    assert_int_equal(rp_dist_verify(dist, 0, load_id, NULL), RP_ENOTFOUND);
    assert_non_null(strstr(rp_dist_errmsg(dist), "lines.0: missing"));
    for (unsigned p = 0; p < P; p++)
        if (rp_dist_lines(dist, p) != RP_OK)
            fail_msg("%s", rp_dist_errmsg(dist));
    for (unsigned t = 0; t < N; t++)
        assert_int_equal(rp_dist_verify(dist, t, load_id, NULL), RP_OK);
    /* the components, then each cluster task: the clusters of its
     * components and of its shard's documents without pairs, the same as
     * the whole run's (multi-member clusters in scan's order) */
    assert_int_equal(rp_dist_cluster_task(dist, 0, load_id, NULL, &(rp_corpus *){NULL},
                                          &(const uint64_t *){NULL}, &(size_t){0}),
                     RP_ENOTFOUND);
    assert_non_null(strstr(rp_dist_errmsg(dist), "components: missing"));
    assert_int_equal(rp_dist_components(dist), RP_OK);
    size_t seen = 0, singles = 0;
    for (unsigned t = 0; t < N; t++) {
        rp_corpus *c = NULL;
        const uint64_t *gd = NULL;
        size_t nd = 0;
        if (rp_dist_cluster_task(dist, t, load_id, NULL, &c, &gd, &nd) != RP_OK)
            fail_msg("%s", rp_dist_errmsg(dist));
        for (size_t k = 0; k < rp_corpus_nclusters(c); k++) {
            size_t m = rp_cluster_size(c, k);
            if (m < 2) {
                singles++;
                continue;
            }
            /* find the whole run's cluster with this representative */
            size_t g = gd[rp_cluster_member(c, k, 0)->doc], kr = 0;
            while (kr < rp_corpus_nclusters(ref) && rp_cluster_member(ref, kr, 0)->doc != g)
                kr++;
            assert_true(kr < rp_corpus_nclusters(ref));
            assert_int_equal(m, rp_cluster_size(ref, kr));
            for (size_t j = 0; j < m; j++)
                assert_int_equal(gd[rp_cluster_member(c, k, j)->doc],
                                 rp_cluster_member(ref, kr, j)->doc);
            seen += m;
        }
        for (uint64_t i = 0; i < nd; i++)
            assert_false(rp_dist_lost(dist, i));
        rp_corpus_free(c);
    }
    size_t want = 0;
    for (size_t k = 0; k < rp_corpus_nclusters(ref); k++)
        want += rp_cluster_size(ref, k) >= 2 ? rp_cluster_size(ref, k) : 0;
    assert_int_equal(seen, want);
    assert_int_equal(seen + singles, NT);
    assert_int_equal(rp_corpus_nclusters(ref), 3);
    rp_dist_stats st;
    rp_dist_stats_get(dist, &st);
    assert_true(st.docs == NT);

    /* a run with another fingerprint refuses these files */
    rp_dist *other = NULL;
    assert_int_equal(rp_dist_new(dir, o, 43, N, P, &other), RP_OK);
    assert_int_equal(rp_dist_bucket(other, 0), RP_EINCOMPAT);
    assert_non_null(strstr(rp_dist_errmsg(other), "written by another run"));
    assert_int_equal(rp_dist_verify(other, N, load_id, NULL), RP_EINVAL);
    rp_dist_free(other);
    rp_dist_free(dist);
    rp_dist_free(NULL);
    rp_corpus_free(ref);
    rp_options_free(o);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
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
    /* the shuffle: the entries of a partition give its candidates */
    double ratio[K];
    assert_int_equal(rp_lsh_ratios(0.5, K, 8, 2, ratio), RP_OK);
    uint32_t smin = UINT32_MAX, smax = 0;
    for (size_t i = 0; i < N; i++) {
        smin = size[i] < smin ? size[i] : smin;
        smax = size[i] > smax ? size[i] : smax;
    }
    rp_lsh_entry *ent = malloc((size_t)N * (8 + K) * sizeof *ent), one[8 + K];
    assert_non_null(ent);
    for (unsigned np = 1; np <= 7; np += 3)
        for (unsigned p = 0; p < np; p++) {
            size_t ne = 0;
            for (size_t i = 0; i < N; i++) {
                size_t k = rp_lsh_doc_entries(v + i * K, K, 8, 2, ratio, (uint32_t)i, size[i], one);
                for (size_t q = 0; q < k; q++)
                    if (rp_lsh_part(one[q].band, one[q].key, np) == p)
                        ent[ne++] = one[q];
            }
            qsort(ent, ne, sizeof *ent, rp_lsh_entry_cmp);
            uint64_t *want = NULL, *got = NULL;
            size_t r1 = 0, c1 = 0, r2 = 0, c2 = 0;
            long k1 = rp_lsh_ensemble_part(v, size, N, K, 8, 2, 0.5, keep_all, NULL, p, np,
                                           &r1, &c1, &want);
            long k2 = rp_lsh_entry_pairs(ent, ne, K, 8, ratio, (double)smax / smin, keep_all,
                                         NULL, &r2, &c2, &got);
            assert_true(k1 >= 0);
            assert_int_equal(k1, k2);
            assert_memory_equal(want, got, (size_t)k1 * sizeof *want);
            assert_int_equal(r1, r2);
            assert_int_equal(c1, c2);
            free(want);
            free(got);
        }
    free(ent);
    free(all);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_damage),
        cmocka_unit_test(test_partitions_union),
        cmocka_unit_test(test_public_round_trip),
        cmocka_unit_test(test_dist_matches_corpus),
    };
    return cmocka_run_group_tests_name("stage", tests, NULL, NULL);
}
