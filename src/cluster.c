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
 * So every member of such a core is directly similar to its
 * representative, and a hub that bridges two stories can pull in only one
 * of them: the first candidate of the other story fails the majority test
 * against the first.
 *
 *   4. Attachment. A document left alone by 1-3 although it has verified
 *      pairs (a paper's rewrite of PA's second take, when the cluster
 *      formed around the first take) joins the cluster of its partners
 *      when all of its partners lie in that one cluster. Its figures are
 *      then taken against the representative (compared exactly when the
 *      pair was not verified).
 *   5. Related. Every verified pair whose two documents still end in
 *      different clusters is listed on both clusters as related: a
 *      document with a verified reprint pair is always in its partner's
 *      cluster or named as related to it.
 *
 * Why chains still cannot merge two stories: cores are built as above,
 * and two clusters never merge. Only a document that is alone can attach,
 * only to cores, and only when every one of its verified partners lies in
 * that one core: a page that carries two stories (a digest, a shared
 * comment thread or boilerplate that survived the cleaner) has partners in
 * both, so it joins neither and is listed as related to both. An attached
 * document is no anchor for another (partners are looked up in the cores
 * as they were before any attachment), so attachment is one hop, never a
 * chain. Clusters come out ordered by their smallest document index,
 * multi-member clusters first, which makes the output independent of
 * timing.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "uf.h"
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

static int add_member(outbuf *ob, size_t doc, double j, double c, double s,
                      double h)
{
    if (rp_grow(&ob->m, &ob->cap, ob->n + 1, sizeof *ob->m) < 0)
        return RP_ENOMEM;
    ob->m[ob->n].doc = doc;
    ob->m[ob->n].jaccard = j;
    ob->m[ob->n].containment = c;
    ob->m[ob->n].score = s;
    ob->m[ob->n].holds = h;
    ob->m[ob->n].partner = SIZE_MAX;
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
            rc = add_member(ob, rep, 1.0, 1.0, 1.0, 1.0);
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
            double holds = e->a_is_self ? e->sim->containment_ab : e->sim->containment_ba;
            rc = add_member(ob, d, e->sim->jaccard, cont, e->sim->score, holds);
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

static int cmp_pair2(const void *x, const void *y)
{
    const size_t *a = x, *b = y;
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Step 4: a document alone in its cluster whose verified partners all lie
 * in one cluster of two or more joins it. ob's clusters are rebuilt
 * around the moves; the representative stays first, members follow in
 * document order. @return RP_OK or an RP_E* code. */
static int attach(const ctx_t *c, size_t ndocs, outbuf *ob)
{
    int rc = RP_ENOMEM;
    size_t *of = malloc((ndocs + 1) * sizeof *of);
    size_t *to = malloc((ndocs + 1) * sizeof *to);
    rp_member *extra = NULL;
    size_t nextra = 0, capextra = 0, moved = 0;
    if (!of || !to)
        goto out;
    for (size_t i = 0; i < ob->ns; i++)
        for (size_t k = ob->start[i]; k < ob->start[i + 1]; k++)
            of[ob->m[k].doc] = i;
    for (size_t i = 0; i < ob->ns; i++) {
        to[i] = SIZE_MAX;
        if (ob->start[i + 1] - ob->start[i] != 1)
            continue;
        size_t x = ob->m[ob->start[i]].doc, target = SIZE_MAX;
        int one = 0;
        for (size_t k = c->off[x]; k < c->off[x + 1]; k++) {
            if (!c->adj[k].sim->similar)
                continue;
            size_t cl = of[c->adj[k].other];
            if (ob->start[cl + 1] - ob->start[cl] < 2 || (one && cl != target)) {
                one = -1;
                break;
            }
            target = cl;
            one = 1;
        }
        if (one != 1)
            continue;
        /* its figures against the representative */
        size_t rep = ob->m[ob->start[target]].doc;
        const adj *e = edge(c, rep, x);
        rp_sim s;
        if (e) {
            s = *e->sim;
            if (!e->a_is_self) {
                double t = s.containment_ab;
                s.containment_ab = s.containment_ba;
                s.containment_ba = t;
            }
        } else {
            if (!c->cmp)
                continue;
            rc = c->cmp(c->cmp_ctx, rep < x ? rep : x, rep < x ? x : rep, &s);
            if (rc != RP_OK)
                goto out;
            if (rep > x) {
                double t = s.containment_ab;
                s.containment_ab = s.containment_ba;
                s.containment_ba = t;
            }
        }
        /* containment_ab: the representative in x; _ba: x in it */
        if (rp_grow(&extra, &capextra, nextra + 1, sizeof *extra) < 0) {
            rc = RP_ENOMEM;
            goto out;
        }
        extra[nextra++] = (rp_member){x, s.jaccard, s.containment_ba, s.score,
                                      s.containment_ab, SIZE_MAX};
        to[i] = target;
        moved++;
    }
    if (moved) {
        /* rebuild: clusters that lost their only member disappear */
        rp_member *nm = malloc((ob->n + 1) * sizeof *nm);
        size_t *ns = malloc((ob->ns + 1) * sizeof *ns);
        if (!nm || !ns) {
            free(nm);
            free(ns);
            rc = RP_ENOMEM;
            goto out;
        }
        /* the newcomers of each target, as lists through `of` (no longer
         * needed as a map): head in `of[ndocs - 1 - ...]` would clash, so
         * sort them by target instead */
        for (size_t q = 0; q < nextra; q++)
            of[q] = to[of[extra[q].doc]];
        size_t *ord = malloc((nextra + 1) * 2 * sizeof *ord);
        if (!ord) {
            free(nm);
            free(ns);
            rc = RP_ENOMEM;
            goto out;
        }
        for (size_t q = 0; q < nextra; q++) {
            ord[2 * q] = of[q];
            ord[2 * q + 1] = q;
        }
        qsort(ord, nextra, 2 * sizeof *ord, cmp_pair2);
        size_t w = 0, nc = 0, q = 0;
        for (size_t i = 0; i < ob->ns; i++) {
            if (to[i] != SIZE_MAX)
                continue;
            ns[nc++] = w;
            size_t first = w;
            for (size_t k = ob->start[i]; k < ob->start[i + 1]; k++)
                nm[w++] = ob->m[k];
            while (q < nextra && ord[2 * q] < i)
                q++;
            for (; q < nextra && ord[2 * q] == i; q++)
                nm[w++] = extra[ord[2 * q + 1]];
            if (w - first > 2)
                qsort(nm + first + 1, w - first - 1, sizeof *nm, cmp_doc);
        }
        ns[nc] = w;
        free(ord);
        free(ob->m);
        free(ob->start);
        ob->m = nm;
        ob->start = ns;
        ob->ns = nc;
        ob->cap = ob->n + 1;
        ob->capst = nc + 1;
    }
    rc = RP_OK;
out:
    free(of);
    free(to);
    free(extra);
    return rc;
}

static int cmp_rel(const void *x, const void *y)
{
    const size_t *a = x, *b = y;   /* cluster, doc, rank of the score */
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Step 5: the related documents of each cluster of out, from the verified
 * pairs that cross clusters. @return RP_OK or RP_ENOMEM. */
static int related(size_t ndocs, const rp_pair *pairs, size_t npairs,
                   rp_clustering *out)
{
    size_t *of = malloc((ndocs + 1) * sizeof *of);
    size_t *key = NULL, nk = 0;
    out->rstart = calloc(out->n + 1, sizeof *out->rstart);
    if (!of || !out->rstart) {
        free(of);
        return RP_ENOMEM;
    }
    for (size_t i = 0; i < out->n; i++)
        for (size_t k = out->start[i]; k < out->start[i + 1]; k++)
            of[out->members[k].doc] = i;
    size_t cross = 0;
    for (size_t i = 0; i < npairs; i++)
        cross += pairs[i].sim.similar && of[pairs[i].a] != of[pairs[i].b];
    key = malloc((2 * cross + 1) * 4 * sizeof *key);
    if (!key) {
        free(of);
        return RP_ENOMEM;
    }
    for (size_t i = 0; i < npairs; i++) {
        const rp_pair *p = &pairs[i];
        if (!p->sim.similar || of[p->a] == of[p->b])
            continue;
        /* best score first within (cluster, doc): rank by 1 - score */
        size_t rank = (size_t)((1.0 - p->sim.score) * 1e9);
        size_t *k = key + 4 * nk++;
        k[0] = of[p->b]; k[1] = p->a; k[2] = rank; k[3] = i;
        k = key + 4 * nk++;
        k[0] = of[p->a]; k[1] = p->b; k[2] = rank; k[3] = i;
    }
    qsort(key, nk, 4 * sizeof *key, cmp_rel);
    size_t w = 0;
    out->related = malloc((nk + 1) * sizeof *out->related);
    if (!out->related) {
        free(of);
        free(key);
        return RP_ENOMEM;
    }
    for (size_t j = 0; j < nk; j++) {
        const size_t *k = key + 4 * j;
        if (j > 0 && k[0] == key[4 * (j - 1)] && k[1] == key[4 * (j - 1) + 1])
            continue;   /* a worse pair of the same related document */
        const rp_pair *p = &pairs[k[3]];
        int self_a = p->a == k[1];
        rp_member *m = &out->related[w++];
        m->doc = k[1];
        m->partner = self_a ? p->b : p->a;
        m->jaccard = p->sim.jaccard;
        m->containment = self_a ? p->sim.containment_ab : p->sim.containment_ba;
        m->holds = self_a ? p->sim.containment_ba : p->sim.containment_ab;
        m->score = p->sim.score;
        out->rstart[k[0] + 1]++;
    }
    for (size_t i = 0; i < out->n; i++)
        out->rstart[i + 1] += out->rstart[i];
    free(of);
    free(key);
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
    rp_uf_init(parent, ndocs);
    for (size_t i = 0; i < npairs; i++)
        if (pairs[i].sim.similar)
            rp_uf_union(parent, pairs[i].a, pairs[i].b);
    /* Roots are component minima (unions hang the larger root under the
     * smaller), so a counting sort by root lists each component's members
     * in ascending order, components in order of their smallest member. */
    for (size_t i = 0; i < ndocs; i++)
        order[rp_uf_find(parent, i) + 1]++;
    for (size_t i = 0; i < ndocs; i++)
        order[i + 1] += order[i];
    for (size_t i = 0; i < ndocs; i++)
        mem[order[rp_uf_find(parent, i)]++] = i;
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
    rc = attach(&c, ndocs, &ob);
    if (rc != RP_OK)
        goto out;

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
    rc = related(ndocs, pairs, npairs, out);
    if (rc != RP_OK)
        rp_clustering_free(out);
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
    free(c->rstart);
    free(c->related);
    memset(c, 0, sizeof *c);
}
