/*
 * cluster.c - from verified pairs to clusters, without chaining.
 *
 * Connected components of the verified pairs are not clusters: a document
 * that shares background paragraphs with two different stories would link
 * them, and through such chains unrelated stories merge. So within each
 * component we grow clusters around representatives ("star" clustering):
 *
 *   1. The representative is the member that contains most of the others:
 *      the largest sum, over its verified pairs, of the share of the other
 *      document found in it. That is likely the wire original, which every
 *      reprint was cut from.
 *   2. A document joins the representative's cluster only if it is itself
 *      a verified reprint of the representative (score >= threshold), and
 *      only if it also matches at least half of the members that joined
 *      before it (of the first 16 of them; score >= threshold, compared
 *      exactly when LSH did not propose that pair). Candidates are taken
 *      best score first.
 *   3. What is left of the component is clustered again the same way.
 *
 * So every member is directly similar to its representative, and a hub
 * that bridges two stories can pull in only one of them: the first
 * candidate of the other story fails the majority test against the first.
 * Clusters come out ordered by their smallest document index, multi-member
 * clusters first, which makes the output independent of timing.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A candidate is checked against at most this many earlier members (the
 * best-scoring ones, which joined first), so a huge cluster of exact
 * copies costs O(m) comparisons per member, not O(m^2). */
#define RP_CLUSTER_PANEL 16

typedef struct adj {
    size_t other;
    const rp_sim *sim;
    int a_is_self;      /* self is pair.a */
} adj;

typedef struct cand {
    size_t doc;
    double score;
} cand;

static size_t find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static int cmp_cand(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Share of the neighbour found in self, from the pair's containments. */
static double other_in_self(const adj *e)
{
    return e->a_is_self ? e->sim->containment_ba : e->sim->containment_ab;
}

typedef struct ctx_t {
    size_t *off;         /* adjacency offsets, ndocs + 1 */
    adj *adj;
    rp_compare_fn cmp;
    void *cmp_ctx;
    const rp_options *o;
} ctx_t;

static const adj *edge(const ctx_t *c, size_t a, size_t b)
{
    for (size_t k = c->off[a]; k < c->off[a + 1]; k++)
        if (c->adj[k].other == b)
            return &c->adj[k];
    return NULL;
}

typedef struct outbuf {
    rp_member *m;
    size_t n, cap;
    size_t *start;
    size_t ns, capst;
} outbuf;

static int add_member(outbuf *ob, size_t doc, double j, double c, double s)
{
    if (rp_grow(&ob->m, &ob->cap, ob->n + 1, sizeof *ob->m) < 0)
        return RP_ENOMEM;
    ob->m[ob->n].doc = doc;
    ob->m[ob->n].jaccard = j;
    ob->m[ob->n].containment = c;
    ob->m[ob->n].score = s;
    ob->n++;
    return RP_OK;
}

static int open_cluster(outbuf *ob)
{
    if (rp_grow(&ob->start, &ob->capst, ob->ns + 2, sizeof *ob->start) < 0)
        return RP_ENOMEM;
    ob->start[ob->ns++] = ob->n;
    return RP_OK;
}

/* Is doc x compatible with member y? Uses the verified pair when there is
 * one, else compares the two exactly. Sets *err when the comparison fails. */
static int linked(const ctx_t *c, size_t x, size_t y, int *err)
{
    const adj *e = edge(c, x, y);
    if (e)
        return e->sim->similar;
    if (!c->cmp)
        return 0;
    rp_sim s;
    int rc = c->cmp(c->cmp_ctx, x < y ? x : y, x < y ? y : x, &s);
    if (rc != RP_OK) {
        *err = rc;
        return 0;
    }
    return s.similar;
}

static int cmp_doc(const void *x, const void *y)
{
    const rp_member *a = x, *b = y;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

static int cmp_key3(const void *x, const void *y)
{
    const size_t *a = x, *b = y;
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Clusters one component (members in ascending order). */
static int cluster_component(const ctx_t *c, size_t *mem, size_t m,
                             char *taken, outbuf *ob, cand *cb)
{
    size_t left = m;
    while (left > 0) {
        /* 1. representative */
        size_t rep = SIZE_MAX;
        double best = -1;
        for (size_t i = 0; i < m; i++) {
            size_t d = mem[i];
            if (taken[d])
                continue;
            double sum = 0;
            for (size_t k = c->off[d]; k < c->off[d + 1]; k++)
                if (!taken[c->adj[k].other] && c->adj[k].sim->similar)
                    sum += other_in_self(&c->adj[k]);
            if (sum > best) {
                best = sum;
                rep = d;
            }
        }
        int rc = open_cluster(ob);
        if (rc == RP_OK)
            rc = add_member(ob, rep, 1.0, 1.0, 1.0);
        if (rc != RP_OK)
            return rc;
        taken[rep] = 1;
        left--;
        size_t first = ob->n;   /* first non-representative member */
        /* 2. candidates: verified neighbours, best score first */
        size_t nc = 0;
        for (size_t k = c->off[rep]; k < c->off[rep + 1]; k++) {
            const adj *e = &c->adj[k];
            if (!taken[e->other] && e->sim->similar) {
                cb[nc].doc = e->other;
                cb[nc].score = e->sim->score;
                nc++;
            }
        }
        qsort(cb, nc, sizeof *cb, cmp_cand);
        for (size_t i = 0; i < nc; i++) {
            size_t d = cb[i].doc;
            size_t members = ob->n - first, ok = 0;
            if (members > RP_CLUSTER_PANEL)
                members = RP_CLUSTER_PANEL;
            int err = RP_OK;
            for (size_t k = first; k < first + members && err == RP_OK; k++)
                ok += (size_t)linked(c, d, ob->m[k].doc, &err);
            if (err != RP_OK)
                return err;
            if (2 * ok < members)
                continue;
            const adj *e = edge(c, rep, d);
            double cont = e->a_is_self ? e->sim->containment_ba : e->sim->containment_ab;
            rc = add_member(ob, d, e->sim->jaccard, cont, e->sim->score);
            if (rc != RP_OK)
                return rc;
            taken[d] = 1;
            left--;
        }
        /* members after the representative in document order */
        qsort(ob->m + first, ob->n - first, sizeof *ob->m, cmp_doc);
    }
    return RP_OK;
}

int rp_cluster_build(size_t ndocs, const rp_pair *pairs, size_t npairs,
                     rp_compare_fn cmp, void *cmp_ctx, const rp_options *o,
                     rp_clustering *out)
{
    int rc = RP_ENOMEM;
    ctx_t c = {0};
    size_t *parent = NULL, *order = NULL, *mem = NULL;
    char *taken = NULL;
    cand *cb = NULL;
    outbuf ob = {0};
    memset(out, 0, sizeof *out);

    c.cmp = cmp;
    c.cmp_ctx = cmp_ctx;
    c.o = o;
    c.off = calloc(ndocs + 1, sizeof *c.off);
    c.adj = malloc((2 * npairs + 1) * sizeof *c.adj);
    parent = malloc((ndocs + 1) * sizeof *parent);
    order = calloc(ndocs + 2, sizeof *order);
    mem = malloc((ndocs + 1) * sizeof *mem);
    taken = calloc(ndocs + 1, 1);
    cb = malloc((ndocs + 1) * sizeof *cb);
    if (!c.off || !c.adj || !parent || !order || !mem || !taken || !cb)
        goto out;

    /* adjacency lists (CSR), neighbours in ascending order */
    for (size_t i = 0; i < npairs; i++) {
        c.off[pairs[i].a + 1]++;
        c.off[pairs[i].b + 1]++;
    }
    for (size_t i = 0; i < ndocs; i++)
        c.off[i + 1] += c.off[i];
    size_t *fill = mem;   /* reuse as cursor */
    memcpy(fill, c.off, ndocs * sizeof *fill);
    for (size_t i = 0; i < npairs; i++) {
        const rp_pair *p = &pairs[i];
        c.adj[fill[p->a]++] = (adj){p->b, &p->sim, 1};
        c.adj[fill[p->b]++] = (adj){p->a, &p->sim, 0};
    }

    /* components of the verified pairs */
    for (size_t i = 0; i < ndocs; i++)
        parent[i] = i;
    for (size_t i = 0; i < npairs; i++) {
        if (!pairs[i].sim.similar)
            continue;
        size_t x = find(parent, pairs[i].a), y = find(parent, pairs[i].b);
        if (x != y) {
            if (x < y)
                parent[y] = x;
            else
                parent[x] = y;
        }
    }
    /* Roots are component minima (unions hang the larger root under the
     * smaller), so a counting sort by root lists each component's members
     * in ascending order, components in order of their smallest member. */
    for (size_t i = 0; i < ndocs; i++)
        order[find(parent, i) + 1]++;
    for (size_t i = 0; i < ndocs; i++)
        order[i + 1] += order[i];
    for (size_t i = 0; i < ndocs; i++)
        mem[order[find(parent, i)]++] = i;
    /* order[r] now ends root r's run */
    for (size_t r = 0, pos = 0; r < ndocs; r++) {
        if (parent[r] != r)
            continue;
        size_t m = order[r] - pos;
        rc = cluster_component(&c, mem + pos, m, taken, &ob, cb);
        if (rc != RP_OK)
            goto out;
        pos = order[r];
    }
    if (rp_grow(&ob.start, &ob.capst, ob.ns + 1, sizeof *ob.start) < 0) {
        rc = RP_ENOMEM;
        goto out;
    }
    ob.start[ob.ns] = ob.n;

    /* order: multi-member clusters first, each group by smallest member */
    {
        size_t nc = ob.ns;
        size_t *key = malloc((nc + 1) * 3 * sizeof *key);
        rp_member *nm = malloc((ob.n + 1) * sizeof *nm);
        size_t *ns = malloc((nc + 1) * sizeof *ns);
        if (!key || !nm || !ns) {
            free(key);
            free(nm);
            free(ns);
            rc = RP_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < nc; i++) {
            size_t lo = SIZE_MAX;
            for (size_t k = ob.start[i]; k < ob.start[i + 1]; k++)
                if (ob.m[k].doc < lo)
                    lo = ob.m[k].doc;
            size_t size = ob.start[i + 1] - ob.start[i];
            key[3 * i] = size > 1 ? 0 : 1;
            key[3 * i + 1] = lo;
            key[3 * i + 2] = i;
        }
        qsort(key, nc, 3 * sizeof *key, cmp_key3);
        size_t w = 0;
        for (size_t j = 0; j < nc; j++) {
            size_t i = key[3 * j + 2];
            ns[j] = w;
            for (size_t k = ob.start[i]; k < ob.start[i + 1]; k++)
                nm[w++] = ob.m[k];
        }
        ns[nc] = w;
        free(key);
        free(ob.m);
        free(ob.start);
        ob.m = nm;
        ob.start = ns;
    }
    out->n = ob.ns;
    out->start = ob.start;
    out->members = ob.m;
    ob.m = NULL;
    ob.start = NULL;
    rc = RP_OK;
out:
    free(c.off);
    free(c.adj);
    free(parent);
    free(order);
    free(mem);
    free(taken);
    free(cb);
    free(ob.m);
    free(ob.start);
    return rc;
}

void rp_clustering_free(rp_clustering *c)
{
    if (!c)
        return;
    free(c->start);
    free(c->members);
    memset(c, 0, sizeof *c);
}
