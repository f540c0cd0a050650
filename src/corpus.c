/*
 * corpus.c - a set of documents, and the scan that clusters them.
 *
 * rp_corpus_run() is the pipeline after sketching:
 *   LSH      signatures are banded into candidate pairs (lsh.c);
 *   verify   each candidate is compared exactly on the two shingle sets,
 *            and only pairs whose score reaches the threshold are kept:
 *            the tool never reports a pair that only LSH thought similar;
 *   cluster  verified pairs become clusters with representatives
 *            (cluster.c).
 *
 * Memory: a document costs its sorted shingle hashes (8 bytes a shingle,
 * about one shingle a word) plus its signature (4 bytes a hash value) and
 * its id. The candidate list costs 8 bytes a candidate pair.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "cluster.h"
#include "doc.h"
#include "lsh.h"
#include "minhash.h"
#include "shingle.h"
#include "util.h"

struct rp_corpus {
    rp_options o;
    struct entry {
        rp_doc *doc;
        char *id;
    } *e;
    size_t n, cap;
    /* open-addressing set of ids: slot holds index + 1, 0 = empty */
    size_t *idx;
    size_t idx_cap;
    int ran;
    rp_pair *pairs;
    size_t npairs;
    rp_clustering cl;
    rp_run_stats stats;
};

rp_corpus *rp_corpus_new(const rp_options *o)
{
    rp_options def;
    if (!o) {
        rp_options_init(&def);
        o = &def;
    }
    if (rp_options_check(o) != RP_OK)
        return NULL;
    rp_corpus *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->o = *o;
    return c;
}

void rp_corpus_free(rp_corpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        rp_doc_free(c->e[i].doc);
        free(c->e[i].id);
    }
    free(c->e);
    free(c->idx);
    free(c->pairs);
    rp_clustering_free(&c->cl);
    free(c);
}

static size_t id_slot(const rp_corpus *c, const char *id, int *found)
{
    size_t mask = c->idx_cap - 1;
    size_t h = (size_t)XXH3_64bits(id, strlen(id)) & mask;
    for (;;) {
        size_t v = c->idx[h];
        if (v == 0) {
            *found = 0;
            return h;
        }
        if (strcmp(c->e[v - 1].id, id) == 0) {
            *found = 1;
            return h;
        }
        h = (h + 1) & mask;
    }
}

static int id_rehash(rp_corpus *c)
{
    size_t ncap = c->idx_cap ? c->idx_cap * 2 : 64;
    size_t *old = c->idx, ocap = c->idx_cap;
    c->idx = calloc(ncap, sizeof *c->idx);
    if (!c->idx) {
        c->idx = old;
        return RP_ENOMEM;
    }
    c->idx_cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i]) {
            int f;
            c->idx[id_slot(c, c->e[old[i] - 1].id, &f)] = old[i];
        }
    free(old);
    return RP_OK;
}

long rp_corpus_add(rp_corpus *c, const char *id, rp_doc *d)
{
    int rc = RP_OK, found;
    char *copy = NULL;
    if (!c || !id || !d) {
        rc = RP_EINVAL;
        goto fail;
    }
    if (c->ran) {
        rc = RP_ESTATE;
        goto fail;
    }
    if (d->K != c->o.hashes) {
        rc = RP_EINVAL;
        goto fail;
    }
    if ((c->n + 1) * 2 > c->idx_cap && id_rehash(c) != RP_OK) {
        rc = RP_ENOMEM;
        goto fail;
    }
    size_t slot = id_slot(c, id, &found);
    if (found) {
        rc = RP_EDUPID;
        goto fail;
    }
    copy = strdup(id);
    if (!copy || rp_grow(&c->e, &c->cap, c->n + 1, sizeof *c->e) < 0) {
        rc = RP_ENOMEM;
        goto fail;
    }
    c->e[c->n].doc = d;
    c->e[c->n].id = copy;
    c->idx[slot] = c->n + 1;
    return (long)c->n++;
fail:
    free(copy);
    rp_doc_free(d);
    return rc;
}

static int compare_cb(void *ctx, size_t a, size_t b, rp_sim *out)
{
    const rp_corpus *c = ctx;
    rp_doc_compare(c->e[a].doc, c->e[b].doc, &c->o, out);
    return RP_OK;
}

/* Every pair, for --exhaustive. @return the count or -1. */
static long all_pairs(size_t n, uint64_t **out)
{
    size_t m = n * (n - (n > 0)) / 2;
    *out = malloc((m ? m : 1) * sizeof **out);
    if (!*out || n > UINT32_MAX)
        return -1;
    size_t k = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            (*out)[k++] = (uint64_t)a << 32 | b;
    return (long)k;
}

int rp_corpus_run(rp_corpus *c)
{
    if (c->ran)
        return RP_ESTATE;
    c->ran = 1;
    const rp_options *o = &c->o;
    unsigned b = o->bands, r = o->rows;
    if (!b) {
        double t = o->lsh_threshold > 0 ? o->lsh_threshold : RP_DEFAULT_LSH_THRESHOLD;
        if (rp_lsh_params(o->hashes, t, &b, &r) != RP_OK)
            return RP_EINVAL;
    }
    c->stats.bands = b;
    c->stats.rows = r;

    double t0 = rp_now();
    unsigned K = o->hashes;
    uint32_t *sig = malloc((c->n ? c->n : 1) * (size_t)K * sizeof *sig);
    if (!sig)
        return RP_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        memcpy(sig + i * K, c->e[i].doc->sig, K * sizeof *sig);
    uint64_t *cand = NULL;
    long nc = o->exhaustive ? all_pairs(c->n, &cand)
                            : rp_lsh_candidates(sig, c->n, K, b, r, &cand);
    free(sig);
    if (nc < 0)
        return RP_ENOMEM;
    c->stats.candidates = (size_t)nc;
    double t1 = rp_now();

    size_t cap = 0;
    for (long i = 0; i < nc; i++) {
        size_t a = (size_t)(cand[i] >> 32), bb = (size_t)(cand[i] & 0xFFFFFFFFu);
        rp_sim s;
        rp_doc_compare(c->e[a].doc, c->e[bb].doc, o, &s);
        if (!s.similar)
            continue;
        if (rp_grow(&c->pairs, &cap, c->npairs + 1, sizeof *c->pairs) < 0) {
            free(cand);
            return RP_ENOMEM;
        }
        c->pairs[c->npairs++] = (rp_pair){a, bb, s};
    }
    free(cand);
    c->stats.verified = c->npairs;
    double t2 = rp_now();

    int rc = rp_cluster_build(c->n, c->pairs, c->npairs, compare_cb, c, o, &c->cl);
    double t3 = rp_now();
    c->stats.lsh = t1 - t0;
    c->stats.verify = t2 - t1;
    c->stats.cluster = t3 - t2;
    return rc;
}

void rp_corpus_stats(const rp_corpus *c, rp_run_stats *out)
{
    *out = c->stats;
}

size_t rp_corpus_size(const rp_corpus *c)
{
    return c->n;
}

const char *rp_corpus_id(const rp_corpus *c, size_t i)
{
    return i < c->n ? c->e[i].id : NULL;
}

size_t rp_corpus_npairs(const rp_corpus *c)
{
    return c->npairs;
}

const rp_pair *rp_corpus_pair(const rp_corpus *c, size_t i)
{
    return i < c->npairs ? &c->pairs[i] : NULL;
}

size_t rp_corpus_nclusters(const rp_corpus *c)
{
    return c->cl.n;
}

size_t rp_cluster_size(const rp_corpus *c, size_t i)
{
    return i < c->cl.n ? c->cl.start[i + 1] - c->cl.start[i] : 0;
}

size_t rp_cluster_representative(const rp_corpus *c, size_t i)
{
    return c->cl.members[c->cl.start[i]].doc;
}

const rp_member *rp_cluster_member(const rp_corpus *c, size_t i, size_t j)
{
    if (i >= c->cl.n || j >= rp_cluster_size(c, i))
        return NULL;
    return &c->cl.members[c->cl.start[i] + j];
}
