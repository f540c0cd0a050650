/*
 * test_alloc.c - allocation failures: every allocation the library makes
 * is failed in turn, and each time the library must report RP_ENOMEM (or
 * NULL from a constructor), free what it holds and never crash.
 *
 * The test binary is linked with -Wl,--wrap for malloc, calloc, realloc
 * and strdup (see the Makefile), so the library's calls land in the
 * __wrap_ functions below, which fail the allocation numbered fail_at and
 * pass all others to the real allocator. ASan and valgrind, which run
 * these tests too, check that nothing leaks on the error paths.
 */
#include "testutil.h"

#include "doc.h"

static long fail_at = -1;   /* allocation to fail, or -1 */
static long calls;          /* allocations so far */
static int failed;          /* an allocation was failed */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static int should_fail(void)
{
    if (fail_at >= 0 && calls++ == fail_at) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

static void arm(long at)
{
    fail_at = at;
    calls = 0;
    failed = 0;
}

/* ------------------------------------------------------------------ */

static const char *const texts[] = {
    ("PARIS (AFP) - The minister said on Monday that talks on the new "
    "treaty would resume next week in Geneva, after months of delay.\n\n"
    "Negotiators from both sides met briefly on Sunday evening.\n\n"
    "Share this article\n\n3 comments\n  great news\n  about time\n  agreed"),
    ("The minister said on Monday that talks on the new treaty would "
    "resume next week in Geneva, after months of delay. Negotiators from "
    "both sides met briefly on Sunday evening, officials said."),
    ("A storm flooded the old harbour overnight and closed the coastal "
    "road; no one was hurt, the mayor's office said on Tuesday morning."),
    "Café société: ÉTÉ à Paris — «le ministre» a parlé; 東京で会議 İstanbul",
};

static int load(void *ctx, size_t doc, char **text, size_t *len)
{
    (void)ctx;
    if (doc >= ARRAY_LEN(texts))
        return RP_ELOAD;
    /* the loader's own copy: plain malloc, failed like the library's */
    size_t n = strlen(texts[doc]);
    char *t = malloc(n + 1);
    if (!t)
        return RP_ENOMEM;
    memcpy(t, texts[doc], n + 1);
    *text = t;
    *len = n;
    return RP_OK;
}

/* One whole run; @return RP_OK or the first error, which must be an
 * out-of-memory report. */
static int run_once(int compact)
{
    rp_options o;
    rp_options_init(&o);
    rp_corpus *c = corpus_new(&o);
    if (!c)
        return RP_ENOMEM;
    int rc = RP_OK;
    if (compact && (rc = rp_corpus_set_loader(c, load, NULL)) != RP_OK)
        goto out;
    if (compact && (rc = rp_corpus_set_threads(c, 2)) != RP_OK)
        goto out;
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        int err = 12345;
        rp_doc *d = doc_new(texts[i], strlen(texts[i]), &o, &err);
        if (!d) {
            assert_int_equal(err, RP_ENOMEM);
            rc = err;
            goto out;
        }
        char id[8] = {'d', (char)('0' + i), 0};
        long r = corpus_add(c, id, d);
        if (r < 0) {
            rc = (int)r;
            goto out;
        }
    }
    rc = rp_corpus_run(c);
    if (rc == RP_OK) {
        /* the reprint pair 0-1 is found whatever failed before */
        assert_int_equal(rp_corpus_npairs(c), 1);
        assert_true(rp_corpus_nclusters(c) >= 3);
    }
out:
    rp_corpus_free(c);
    return rc;
}

static void sweep(int compact)
{
    long at = 0;
    for (;; at++) {
        arm(at);
        int rc = run_once(compact);
        int did_fail = failed;
        arm(-1);
        if (!did_fail) {
            assert_int_equal(rc, RP_OK);
            break;
        }
        /* a failed allocation is reported as such, or absorbed by a
         * fallback (a sort's scratch buffer): never another error */
        assert_true(rc == RP_OK || rc == RP_ENOMEM);
    }
    /* enough allocation sites were exercised to mean something */
    assert_true(at > 20);
}

static void test_whole_documents(void **state)
{
    (void)state;
    sweep(0);
}

static void test_compact_mode(void **state)
{
    (void)state;
    sweep(1);
}

static void test_tokenize(void **state)
{
    (void)state;
    for (long at = 0;; at++) {
        arm(at);
        rp_token *t = NULL;
        size_t n = 99;
        int rc = rp_tokenize(texts[0], strlen(texts[0]), 1, &t, &n);
        int did_fail = failed;
        arm(-1);
        free(t);
        if (!did_fail) {
            assert_int_equal(rc, RP_OK);
            break;
        }
        assert_int_equal(rc, RP_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_whole_documents),
        cmocka_unit_test(test_compact_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
