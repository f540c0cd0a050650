/*
 * doc.c - one article: its tokens, shingle set, signature, and the rule
 * that decides whether two articles are reprints of one another.
 *
 * A document is built in one pass: clean (markup and page furniture out),
 * tokenize, shingle, sort, sign. The byte ranges the cleaner kept are
 * recorded (a few bytes a paragraph), so that verification can rebuild
 * the document from its text without cleaning it again. It keeps the sorted shingle hashes
 * (8 bytes a shingle) for exact verification and the K-value signature
 * (4 bytes a value) for LSH.
 */
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "doc.h"
#include "minhash.h"
#include "normalize.h"
#include "shingle.h"
#include "util.h"

/* Tokenizes text: cleaned, unless clean is 0, or by replaying the ranges
 * rec[0..nrec) a cleaned pass recorded. When keep is given, the cleaner
 * records its ranges and *keep, *nkeep get them (the caller frees; NULL
 * when none were recorded). */
static int tokenize(const char *text, size_t len, int clean,
                    const uint8_t *rec, size_t nrec, rp_token **out, size_t *n,
                    uint8_t **keep, size_t *nkeep)
{
    *out = NULL;
    *n = 0;
    if (keep) {
        *keep = NULL;
        *nkeep = 0;
    }
    if (len > RP_MAX_TEXT)
        return RP_ETOOBIG;
    rp_tokenizer t;
    rp_tokenizer_init(&t, (const uint8_t *)text, len);
    int rc;
    if (rec) {
        rc = rp_tokenizer_replay(&t, rec, nrec);
    } else if (clean) {
        t.rec_on = keep != NULL;
        rc = rp_clean_feed(&t);
    } else {
        rp_tokenizer_feed(&t, 0, len);
        rc = t.err;
    }
    if (rc == RP_OK)
        rc = t.err;
    if (rc != RP_OK) {
        rp_tokenizer_free(&t);
        return rc;
    }
    if (keep && t.rec_on) {
        *keep = t.rec;
        *nkeep = t.rec_n;
        t.rec = NULL;
    }
    *out = t.tok;
    *n = t.n;
    t.tok = NULL;
    rp_tokenizer_free(&t);
    return RP_OK;
}

int rp_tokenize(const char *text, size_t len, int clean, rp_token **out,
                size_t *n)
{
    return tokenize(text, len, clean, NULL, 0, out, n, NULL, NULL);
}

/* Line structure of a token stream: line[i] is the index of the line of
 * token i, and each line with a word gets a hash of its token hashes. */
typedef struct linemap {
    uint32_t *line;    /* per token (NULL unless asked for) */
    uint64_t *hash;    /* per line: hash of its words */
    uint32_t *first;   /* per line: its first token */
    size_t n;          /* lines with a word */
} linemap;

static void linemap_free(linemap *m)
{
    free(m->hash);   /* (the block of all three) */
}

/* Builds m; line[] only when want_line (only the furniture rule reads
 * it). *digest gets the document's digest of its token hashes, in the
 * same pass as the line hashes. */
static int linemap_build(const char *text, size_t len, const rp_token *tok,
                         size_t ntok, linemap *m, int want_line, uint64_t *digest)
{
    memset(m, 0, sizeof *m);
    /* one block: hash[ntok], first[ntok], then line[ntok] if wanted */
    m->hash = malloc(ntok * (sizeof *m->hash + sizeof *m->first +
                             (want_line ? sizeof *m->line : 0)));
    if (!m->hash)
        return RP_ENOMEM;
    m->first = (uint32_t *)(m->hash + ntok);
    m->line = want_line ? m->first + ntok : NULL;
    /* A token starts a line when a '\n' lies between the start of the
     * token before it and its own start. nl is the first '\n' at or after
     * the start of the current line's first token (or the end of the
     * text): no token before it starts a line, and it never lies before
     * a start already seen, so one comparison a token finds the next
     * line, and the text is searched once, from line to line. */
    if (ntok == 0)
        return RP_OK;
    size_t nl;
    {
        size_t st = tok[0].start;
        const char *q = st < len ? memchr(text + st, '\n', len - st) : NULL;
        nl = q ? (size_t)(q - text) : len;
    }
    m->first[m->n++] = 0;
    for (size_t i = 1; i < ntok; i++) {
        size_t st = tok[i].start;
        if (st > nl) {
            m->first[m->n++] = (uint32_t)i;
            const char *q = memchr(text + st, '\n', len - st);
            nl = q ? (size_t)(q - text) : len;
        }
    }
    uint64_t dg = *digest;
    for (size_t l = 0; l < m->n; l++) {
        size_t end = l + 1 < m->n ? m->first[l + 1] : ntok;
        uint64_t h = 0x9E3779B97F4A7C15ull ^ (end - m->first[l]);
        for (size_t i = m->first[l]; i < end; i++) {
            h = (h ^ tok[i].hash) * 0xFF51AFD7ED558CCDull;
            dg = (dg ^ tok[i].hash) * 0x9E3779B97F4A7C15ull;
        }
        m->hash[l] = h ^ (h >> 29);
        if (want_line)
            for (size_t i = m->first[l]; i < end; i++)
                m->line[i] = (uint32_t)l;
    }
    *digest = dg;
    return RP_OK;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Drops the tokens of furniture lines in place. @return the new count, or
 * (size_t)-1 when out of memory; *dropped counts the lines.
 *
 * A line is furniture when at least `cut` documents hold it and
 *   - at least RP_FURNITURE_RATIO times as many as the document's median
 *     line (lines taken alike), or
 *   - at least RP_FURNITURE_MANY documents hold it, and RP_FURNITURE_RATIO
 *     times as many as the document's own text: the line frequency found
 *     at the lowest RP_FURNITURE_OWN share of its words, lines taken
 *     rarest first.
 * The first rule misses a short brief under a long site footer: most of
 * its lines, and most of its words, are footer, so the median sits in
 * the footer and the footer never stands out. The second catches it. A
 * wire story reprinted verbatim keeps every line common and passes both.
 * A reprint with its own lead still has the wire text in all but a small
 * share of its words; but one with much text of its own (a comment thread
 * the cleaner did not recognise) looks exactly like a brief under a
 * footer, to within the numbers: the second rule then needs the shared
 * lines in RP_FURNITURE_MANY documents, which a site's footer reaches and
 * a wire story's handful of reprints in an ordinary scan does not. */
static size_t drop_furniture(rp_token *tok, size_t ntok, const linemap *m,
                             unsigned cut, rp_line_df_fn df, const void *ctx,
                             size_t *dropped)
{
    unsigned *f = malloc(m->n * sizeof *f);
    uint64_t *byf = malloc(m->n * sizeof *byf);   /* df << 32 | line */
    if (!f || !byf) {
        free(f);
        free(byf);
        return (size_t)-1;
    }
    for (size_t l = 0; l < m->n; l++) {
        f[l] = df(ctx, m->hash[l]);
        byf[l] = (uint64_t)f[l] << 32 | l;
    }
    qsort(byf, m->n, sizeof *byf, cmp_u64);
    /* the lower median line: with two lines, the smaller */
    unsigned median = (unsigned)(byf[(m->n - 1) / 2] >> 32);
    if (median == 0)
        median = 1;
    /* the frequency of the line that holds word RP_FURNITURE_OWN * ntok,
     * lines taken rarest first */
    double want = RP_FURNITURE_OWN * (double)ntok;
    unsigned own = 1;
    size_t words = 0;
    for (size_t k = 0; k < m->n; k++) {
        size_t l = (size_t)(byf[k] & 0xFFFFFFFFu);
        size_t end = l + 1 < m->n ? m->first[l + 1] : ntok;
        words += end - m->first[l];
        own = (unsigned)(byf[k] >> 32);
        if ((double)words > want)
            break;
    }
    if (own == 0)
        own = 1;
    free(byf);
#define FURNITURE(d) ((d) >= cut && ((d) >= RP_FURNITURE_RATIO * median || \
                      ((d) >= RP_FURNITURE_MANY && (d) >= RP_FURNITURE_RATIO * own)))
    size_t w = 0;
    *dropped = 0;
    for (size_t l = 0; l < m->n; l++)
        if (FURNITURE(f[l]))
            (*dropped)++;
    for (size_t i = 0; i < ntok; i++) {
        unsigned d = f[m->line[i]];
        if (!FURNITURE(d))
            tok[w++] = tok[i];
    }
#undef FURNITURE
    free(f);
    return w;
}

/* What a build keeps of the shingles: the signature without the set (a
 * sketch: see rp_doc_sketch), both, or the set without the signature (a
 * rebuild, which is only compared exactly). */
enum keep { KEEP_SIG, KEEP_BOTH, KEEP_SET };

/* Builds a document. */
static rp_doc *build(const char *text, size_t len, const rp_options *o,
                     rp_line_df_fn df, const void *df_ctx,
                     const uint8_t *rec, size_t nrec, enum keep what, int *err)
{
    int rc;
    rp_token *tok = NULL;
    size_t ntok = 0;
    rp_doc *d = NULL;
    linemap lm = {0};

    if (rp_options_check(o) != RP_OK) {
        rc = RP_EINVAL;
        goto out;
    }
    uint8_t *keep = NULL;
    size_t nkeep = 0;
    if (o->keep_boilerplate)
        rec = NULL;   /* nothing was cleaned */
    rc = tokenize(text, len, !o->keep_boilerplate, rec, nrec, &tok, &ntok,
                  rec || o->keep_boilerplate ? NULL : &keep, &nkeep);
    if (rc != RP_OK)
        goto out;
    if (ntok == 0) {
        free(keep);
        rc = RP_ENOWORDS;
        goto out;
    }
    uint64_t digest = ntok;
    int furniture = df && o->furniture_df && !o->keep_boilerplate;
    rc = linemap_build(text, len, tok, ntok, &lm, furniture, &digest);
    if (rc != RP_OK) {
        free(keep);
        goto out;
    }
    /* the document, its line hashes and its signature in one block: one
     * allocation and, on whichever thread frees it, one free */
    unsigned K = what == KEEP_SET ? 0 : o->hashes;
    d = malloc(sizeof *d + lm.n * sizeof *d->lines + K * sizeof *d->sig);
    if (!d) {
        free(keep);
        rc = RP_ENOMEM;
        goto out;
    }
    memset(d, 0, sizeof *d);
    d->packed = 1;
    d->lines = (uint64_t *)(d + 1);
    d->sig = K ? (uint32_t *)(d->lines + lm.n) : NULL;
    d->kept = keep;
    d->nkept = nkeep;
    d->words = ntok;
    d->K = K;
    d->digest = digest;
    memcpy(d->lines, lm.hash, lm.n * sizeof *d->lines);
    rp_sort_u64(d->lines, lm.n);
    d->nlines = rp_unique_u64(d->lines, lm.n);
    if (furniture) {
        size_t kept = drop_furniture(tok, ntok, &lm, o->furniture_df, df,
                                     df_ctx, &d->dropped);
        if (kept == (size_t)-1) {
            rc = RP_ENOMEM;
            goto out;
        }
        if (kept == 0) {   /* nothing but furniture: keep it all */
            d->dropped = 0;
        } else {
            ntok = kept;
        }
    }
    if (what == KEEP_SIG) {
        d->n = rp_shingle_sketch(tok, ntok, o->shingle, d->sig, d->K);
        rc = d->n == (size_t)-1 ? RP_ENOMEM : RP_OK;
        if (rc != RP_OK)
            d->n = 0;
        goto out;
    }
    size_t cap = ntok >= o->shingle ? ntok - o->shingle + 1 : 1;
    d->sh = malloc(cap * sizeof *d->sh);
    if (!d->sh) {
        rc = RP_ENOMEM;
        goto out;
    }
    d->n = rp_shingle(tok, ntok, o->shingle, d->sh);
    if (d->n < cap) {
        uint64_t *p = realloc(d->sh, d->n * sizeof *p);
        if (p)
            d->sh = p;
    }
    if (K)
        rp_minhash(d->sh, d->n, d->sig, K);
    rc = RP_OK;
out:
    free(tok);
    linemap_free(&lm);
    if (rc != RP_OK) {
        rp_doc_free(d);
        d = NULL;
    }
    if (err)
        *err = rc;
    return d;
}

rp_doc *rp_doc_build(const char *text, size_t len, const rp_options *o,
                     rp_line_df_fn df, const void *df_ctx, int *err)
{
    return build(text, len, o, df, df_ctx, NULL, 0, KEEP_BOTH, err);
}

rp_doc *rp_doc_sketch(const char *text, size_t len, const rp_options *o, int *err)
{
    return build(text, len, o, NULL, NULL, NULL, 0, KEEP_SIG, err);
}

rp_doc *rp_doc_rebuild(const char *text, size_t len, const rp_options *o,
                       rp_line_df_fn df, const void *df_ctx,
                       const uint8_t *kept, size_t nkept, int *err)
{
    return build(text, len, o, df, df_ctx, kept, nkept, KEEP_SET, err);
}

int rp_doc_new(const char *text, size_t len, const rp_options *o, rp_doc **out)
{
    rp_options def;
    int rc;
    if (!o) {
        rp_options_init(&def);
        o = &def;
    }
    *out = rp_doc_build(text, len, o, NULL, NULL, &rc);
    return rc;
}

void rp_doc_free(rp_doc *d)
{
    if (!d)
        return;
    free(d->sh);
    if (!d->packed) {
        free(d->sig);
        free(d->lines);
    }
    free(d->kept);
    free(d);
}

size_t rp_doc_shingles(const rp_doc *d)
{
    return d->n;
}

size_t rp_doc_words(const rp_doc *d)
{
    return d->words;
}

void rp_sim_from_counts(size_t na, size_t nb, size_t shared,
                        const rp_options *o, rp_sim *s)
{
    size_t uni = na + nb - shared;
    s->shared = shared;
    s->jaccard = uni ? (double)shared / (double)uni : 0.0;
    s->containment_ab = na ? (double)shared / (double)na : 0.0;
    s->containment_ba = nb ? (double)shared / (double)nb : 0.0;
    /* The rule: the larger containment, i.e. how much of the shorter text
     * lies inside the longer one. A reprint that was cut from the bottom,
     * or wrapped in a comment thread, keeps a high containment while its
     * Jaccard falls with the size difference. Jaccard can never exceed
     * it, so it needs no separate test. A pair must also share at least
     * min_shared shingles so that two short texts with one common quote
     * are not called reprints. */
    double c = s->containment_ab > s->containment_ba ? s->containment_ab
                                                     : s->containment_ba;
    s->score = shared >= o->min_shared ? c : 0.0;
    s->similar = s->score >= o->threshold && shared > 0;
}

void rp_doc_compare(const rp_doc *a, const rp_doc *b, const rp_options *o,
                    rp_sim *out)
{
    /* a sketch has no set to compare: it shares nothing */
    size_t shared = a->sh && b->sh ? rp_intersect_count(a->sh, a->n, b->sh, b->n) : 0;
    rp_sim_from_counts(a->n, b->n, shared, o, out);
}

/* @return the fewest shared shingles that make sets of na and nb
 * shingles similar under the rule (rp_sim_from_counts, which only grows
 * with the count), or SIZE_MAX when none do. */
static size_t least_shared(size_t na, size_t nb, const rp_options *o)
{
    size_t hi = na < nb ? na : nb, lo = 1;
    rp_sim s;
    rp_sim_from_counts(na, nb, hi, o, &s);
    if (hi == 0 || !s.similar)
        return SIZE_MAX;
    while (lo < hi) {   /* similar at hi; not known at lo */
        size_t mid = lo + (hi - lo) / 2;
        rp_sim_from_counts(na, nb, mid, o, &s);
        if (s.similar)
            hi = mid;
        else
            lo = mid + 1;
    }
    return hi;
}

void rp_doc_verify(const rp_doc *a, const rp_doc *b, const rp_options *o, rp_sim *out)
{
    size_t need = least_shared(a->n, b->n, o), shared = 0;
    if (a->sh && b->sh && need != SIZE_MAX)
        shared = rp_intersect_count_min(a->sh, a->n, b->sh, b->n, need);
    rp_sim_from_counts(a->n, b->n, shared, o, out);
}

double rp_doc_estimate(const rp_doc *a, const rp_doc *b)
{
    if (a->K != b->K)
        return 0.0;
    return rp_minhash_estimate(a->sig, b->sig, a->K);
}
