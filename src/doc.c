/*
 * doc.c - one article: its tokens, shingle set, signature, and the rule
 * that decides whether two articles are reprints of one another.
 *
 * A document is built in one pass: clean (markup and page furniture out),
 * tokenize, shingle, sort, sign. It keeps the sorted shingle hashes
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

const char *rp_strerror(int code)
{
    switch (code) {
    case RP_OK: return "success";
    case RP_ENOMEM: return "out of memory";
    case RP_EINVAL: return "invalid argument";
    case RP_ENOWORDS: return "no words";
    case RP_EDUPID: return "duplicate id";
    case RP_ETOOBIG: return "text too large";
    case RP_ESTATE: return "operation out of order";
    case RP_ELOAD: return "cannot load the document again";
    case RP_EDB: return "database error";
    case RP_EFORMAT: return "not a reprint index";
    case RP_EINCOMPAT: return "index built with other options";
    case RP_EBUSY: return "index is locked by another process";
    case RP_EREADONLY: return "index is read-only";
    case RP_EFULL: return "disk is full";
    case RP_ENOTFOUND: return "no such document";
    default: return "unknown error";
    }
}

const char *rp_version(void)
{
    return RP_VERSION_STRING;
}

void rp_options_init(rp_options *o)
{
    memset(o, 0, sizeof *o);
    o->shingle = RP_DEFAULT_SHINGLE;
    o->hashes = RP_DEFAULT_HASHES;
    o->threshold = RP_DEFAULT_THRESHOLD;
    o->lsh_threshold = 0;
    o->min_shared = RP_DEFAULT_MIN_SHARED;
}

int rp_options_check(const rp_options *o)
{
    if (!o || o->shingle < 1 || o->shingle > 16)
        return RP_EINVAL;
    if (o->hashes < 16 || o->hashes > 1024)
        return RP_EINVAL;
    if (!(o->threshold >= 0 && o->threshold <= 1))
        return RP_EINVAL;
    if (!(o->lsh_threshold >= 0 && o->lsh_threshold < 1))
        return RP_EINVAL;
    if ((o->bands == 0) != (o->rows == 0))
        return RP_EINVAL;
    if (o->bands && (unsigned long)o->bands * o->rows > o->hashes)
        return RP_EINVAL;
    return RP_OK;
}

int rp_tokenize(const char *text, size_t len, int clean, rp_token **out,
                size_t *n)
{
    *out = NULL;
    *n = 0;
    if (len > RP_MAX_TEXT)
        return RP_ETOOBIG;
    rp_tokenizer t;
    rp_tokenizer_init(&t, (const uint8_t *)text, len);
    int rc = clean ? rp_clean_feed(&t) : (rp_tokenizer_feed(&t, 0, len), t.err);
    if (rc == RP_OK)
        rc = t.err;
    if (rc != RP_OK) {
        rp_tokenizer_free(&t);
        return rc;
    }
    *out = t.tok;
    *n = t.n;
    return RP_OK;
}

rp_doc *rp_doc_new(const char *text, size_t len, const rp_options *o, int *err)
{
    int rc;
    rp_token *tok = NULL;
    size_t ntok = 0;
    rp_doc *d = NULL;

    if (rp_options_check(o) != RP_OK) {
        rc = RP_EINVAL;
        goto out;
    }
    rc = rp_tokenize(text, len, !o->keep_boilerplate, &tok, &ntok);
    if (rc != RP_OK)
        goto out;
    if (ntok == 0) {
        rc = RP_ENOWORDS;
        goto out;
    }
    d = calloc(1, sizeof *d);
    if (!d) {
        rc = RP_ENOMEM;
        goto out;
    }
    d->words = ntok;
    d->K = o->hashes;
    size_t cap = ntok >= o->shingle ? ntok - o->shingle + 1 : 1;
    d->sh = malloc(cap * sizeof *d->sh);
    d->sig = malloc(o->hashes * sizeof *d->sig);
    if (!d->sh || !d->sig) {
        rc = RP_ENOMEM;
        goto out;
    }
    d->n = rp_shingle(tok, ntok, o->shingle, d->sh);
    if (d->n < cap) {
        uint64_t *p = realloc(d->sh, d->n * sizeof *p);
        if (p)
            d->sh = p;
    }
    rp_minhash(d->sh, d->n, d->sig, d->K);
    rc = RP_OK;
out:
    free(tok);
    if (rc != RP_OK) {
        rp_doc_free(d);
        d = NULL;
    }
    if (err)
        *err = rc;
    return d;
}

void rp_doc_free(rp_doc *d)
{
    if (!d)
        return;
    free(d->sh);
    free(d->sig);
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
    size_t shared = rp_intersect_count(a->sh, a->n, b->sh, b->n);
    rp_sim_from_counts(a->n, b->n, shared, o, out);
}

double rp_doc_estimate(const rp_doc *a, const rp_doc *b)
{
    if (a->K != b->K)
        return 0.0;
    return rp_minhash_estimate(a->sig, b->sig, a->K);
}
