/*
 * diff.c - what two articles share, passage by passage.
 *
 * rp_doc_compare() says how much two texts share; this module says where.
 * It finds the maximal runs of normalized words the two token streams have
 * in common (at least k words, the shingle size, so that every run is made
 * of shared shingles), maps them back to byte ranges through the tokens'
 * offsets, and relates the paragraphs of one text to those of the other:
 * "A¶3 = B¶2", "A¶7 ⊂ B¶5", "B¶9-14 only in B (reader comments)".
 *
 * Runs are found as in a greedy string tiling: B's windows of k word
 * hashes go into an open-addressing table (each slot heads a chain of the
 * window's positions in B), A is walked from the start, each window of A
 * is looked up, every copy in B is extended as far as the words agree, and
 * the longest extension is taken as a match; the walk then jumps past it.
 * The matches then claim B's words longest first, so that a short early
 * match (a photo caption that quotes the article) cannot take the words
 * of a long one; the unmatched words of A finally try what is left of B.
 * Runs are disjoint in both texts. Among the runs, the heaviest chain that keeps the same order
 * in both texts (a weighted longest increasing subsequence) stays in
 * place; the others are marked moved, which is what a reader needs to lay
 * the two texts out side by side.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "shingle.h"
#include "util.h"

#define MAX_TRIES 64     /* copies of one window tried in B */
#define NONE ((size_t)-1)

/* ------------------------------------------------------------------ */
/* Shared runs                                                         */
/* ------------------------------------------------------------------ */

typedef struct table {
    uint64_t *key;    /* window hash of each slot */
    size_t *head;     /* first position in B + 1; 0 = empty slot;
                         SPENT = a key whose positions are all used */
    size_t mask;
} table;

#define SPENT ((size_t)-1)

/* @return the first position in the chain of slot s, or NONE. */
static size_t chain(const table *t, size_t s)
{
    return t->head[s] == 0 || t->head[s] == SPENT ? NONE : t->head[s] - 1;
}

static size_t slot_of(const table *t, uint64_t h)
{
    size_t i = (size_t)(h ^ (h >> 29)) & t->mask;
    while (t->head[i] && t->key[i] != h)
        i = (i + 1) & t->mask;
    return i;
}

/* Marks as moved every run off the heaviest chain whose B order matches
 * its A order. Runs are disjoint in B, so ordering by b is strict. A
 * Fenwick tree over the runs' ranks in B gives the best chain ending below
 * a rank in O(log n). @return RP_OK or RP_ENOMEM. */
static int mark_moved(rp_span *s, size_t n)
{
    if (n < 2)
        return RP_OK;
    int rc = RP_ENOMEM;
    size_t *byb = malloc(n * sizeof *byb), *rank = malloc(n * sizeof *rank);
    size_t *prev = malloc(n * sizeof *prev), *fidx = malloc((n + 1) * sizeof *fidx);
    size_t *best = malloc(n * sizeof *best), *fval = calloc(n + 1, sizeof *fval);
    if (!byb || !rank || !prev || !fidx || !best || !fval)
        goto out;
    /* the runs in B's order: a bottom-up merge sort of their indexes by
     * s[].b, with rank as scratch (no qsort: it has no context pointer) */
    for (size_t i = 0; i < n; i++)
        byb[i] = i;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                rank[k++] = s[byb[i]].b <= s[byb[j]].b ? byb[i++] : byb[j++];
            while (i < mid)
                rank[k++] = byb[i++];
            while (j < hi)
                rank[k++] = byb[j++];
        }
        memcpy(byb, rank, n * sizeof *byb);
    }
    for (size_t r = 0; r < n; r++)
        rank[byb[r]] = r + 1;                  /* 1-based for the tree */
    for (size_t i = 0; i <= n; i++)
        fidx[i] = NONE;
    size_t top = 0;
    for (size_t i = 0; i < n; i++) {
        size_t v = 0, from = NONE;
        for (size_t r = rank[i] - 1; r > 0; r -= r & (0 - r))
            if (fval[r] > v) {
                v = fval[r];
                from = fidx[r];
            }
        best[i] = v + s[i].words;
        prev[i] = from;
        for (size_t r = rank[i]; r <= n; r += r & (0 - r))
            if (best[i] > fval[r]) {
                fval[r] = best[i];
                fidx[r] = i;
            }
        if (best[i] > best[top])
            top = i;
    }
    for (size_t i = 0; i < n; i++)
        s[i].moved = 1;
    for (size_t i = top; i != NONE; i = prev[i])
        s[i].moved = 0;
    rc = RP_OK;
out:
    free(byb);
    free(rank);
    free(prev);
    free(fidx);
    free(best);
    free(fval);
    return rc;
}

typedef struct finder {
    const uint64_t *ha, *hb;   /* the word hashes of A and B */
    size_t na, nb;
    unsigned k;
    table t;
    size_t *next;              /* next position in B with the same window */
} finder;

/* The longest run starting at A's token i: tries each copy in B of A's
 * window at i and extends it while the words agree and, when given, the
 * tokens are not yet in a run (useda, usedb). @return its length (0 when
 * the window is not in B); *bj receives where it starts in B. */
static size_t longest(finder *f, size_t i, const unsigned char *useda,
                      const unsigned char *usedb, size_t *bj)
{
    size_t s = slot_of(&f->t, rp_shingle_hash(f->ha + i, f->k));
    size_t best = 0, tries = 0;
    /* A word of B in a run stays there, so a window starting on one can
     * never start a run again: drop such windows from the chain's head,
     * or text repeated many times would spend every try on them. */
    size_t j;
    while (usedb && (j = chain(&f->t, s)) != NONE && usedb[j])
        f->t.head[s] = f->next[j] == NONE ? SPENT : f->next[j] + 1;
    for (j = chain(&f->t, s);
         j != NONE && tries < MAX_TRIES; j = f->next[j], tries++) {
        size_t l = 0;
        while (i + l < f->na && j + l < f->nb && f->ha[i + l] == f->hb[j + l] &&
               !(useda && useda[i + l]) && !(usedb && usedb[j + l]))
            l++;
        if (l > best) {
            best = l;
            *bj = j;
        }
    }
    return best;
}

static int push(rp_span **v, size_t *cap, size_t *n, size_t a, size_t b,
                size_t words)
{
    if (rp_grow(v, cap, *n + 1, sizeof **v) < 0)
        return -1;
    rp_span *r = &(*v)[(*n)++];
    memset(r, 0, sizeof *r);
    r->a = a;
    r->b = b;
    r->words = words;
    return 0;
}

static int by_length(const void *x, const void *y)
{
    const rp_span *p = x, *q = y;
    if (p->words != q->words)
        return p->words > q->words ? -1 : 1;
    return p->a < q->a ? -1 : p->a > q->a;
}

static int by_a(const void *x, const void *y)
{
    const rp_span *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

int rp_diff_spans(const rp_token *a, size_t na, const rp_token *b, size_t nb,
                  unsigned k, rp_span **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (k == 0 || k > 1024)
        return RP_EINVAL;
    if (na < k || nb < k)
        return RP_OK;
    int rc = RP_ENOMEM;
    size_t nw = nb - k + 1, ccap = 0, nc = 0, cap = 0, ns = 0;
    finder f = {0};
    rp_span *cand = NULL, *sp = NULL;
    uint64_t *ha = malloc(na * sizeof *ha), *hb = malloc(nb * sizeof *hb);
    unsigned char *useda = calloc(na, 1), *usedb = calloc(nb, 1);
    size_t size = 16;
    while (size < 2 * nw)
        size *= 2;
    f.ha = ha;
    f.hb = hb;
    f.na = na;
    f.nb = nb;
    f.k = k;
    f.t.mask = size - 1;
    f.t.key = malloc(size * sizeof *f.t.key);
    f.t.head = calloc(size, sizeof *f.t.head);
    f.next = malloc(nw * sizeof *f.next);
    if (!ha || !hb || !useda || !usedb || !f.t.key || !f.t.head || !f.next)
        goto out;
    for (size_t i = 0; i < na; i++)
        ha[i] = a[i].hash;
    for (size_t j = 0; j < nb; j++)
        hb[j] = b[j].hash;
    /* from the end, so each chain lists B's positions in increasing order */
    for (size_t j = nw; j-- > 0;) {
        uint64_t h = rp_shingle_hash(hb + j, k);
        size_t s = slot_of(&f.t, h);
        f.next[j] = chain(&f.t, s);
        f.t.key[s] = h;
        f.t.head[s] = j + 1;
    }
    /* 1. Maximal matches from the start of A, B's words not yet claimed:
     * a short early match (a photo caption) must not take B's words from
     * a longer one further on. */
    for (size_t i = 0; i + k <= na;) {
        size_t bj = 0, l = longest(&f, i, NULL, NULL, &bj);
        if (l < k) {
            i++;
            continue;
        }
        if (push(&cand, &ccap, &nc, i, bj, l) < 0)
            goto out;
        i += l;
    }
    /* 2. Longest first, each claims the words of B still free; what is
     * left of a match keeps its pieces of k words or more. */
    if (nc)
        qsort(cand, nc, sizeof *cand, by_length);
    for (size_t c = 0; c < nc; c++) {
        size_t t = 0, L = cand[c].words;
        while (t < L) {
            while (t < L && usedb[cand[c].b + t])
                t++;
            size_t u = t;
            while (u < L && !usedb[cand[c].b + u])
                u++;
            if (u - t >= k) {
                if (push(&sp, &cap, &ns, cand[c].a + t, cand[c].b + t, u - t) < 0)
                    goto out;
                memset(useda + cand[c].a + t, 1, u - t);
                memset(usedb + cand[c].b + t, 1, u - t);
            }
            t = u;
        }
    }
    /* 3. The words of A still unmatched try what is left of B. */
    for (size_t i = 0; i + k <= na;) {
        size_t bj = 0, l = useda[i] ? 0 : longest(&f, i, useda, usedb, &bj);
        if (l < k) {
            i++;
            continue;
        }
        if (push(&sp, &cap, &ns, i, bj, l) < 0)
            goto out;
        memset(useda + i, 1, l);
        memset(usedb + bj, 1, l);
        i += l;
    }
    if (ns)
        qsort(sp, ns, sizeof *sp, by_a);
    for (size_t i = 0; i < ns; i++) {
        rp_span *r = &sp[i];
        r->a_start = a[r->a].start;
        r->a_end = a[r->a + r->words - 1].end;
        r->b_start = b[r->b].start;
        r->b_end = b[r->b + r->words - 1].end;
    }
    if (mark_moved(sp, ns) != RP_OK)
        goto out;
    *out = sp;
    *n = ns;
    sp = NULL;
    rc = RP_OK;
out:
    free(cand);
    free(sp);
    free(ha);
    free(hb);
    free(useda);
    free(usedb);
    free(f.t.key);
    free(f.t.head);
    free(f.next);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Paragraphs                                                          */
/* ------------------------------------------------------------------ */

static int blank(const char *s, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return 0;
    return 1;
}

/* @return the end of the line that starts at p: its LF, CR LF or lone
 * CR, or len. */
static size_t line_end(const char *s, size_t len, size_t p)
{
    while (p < len && s[p] != '\n' && s[p] != '\r')
        p++;
    return p;
}

/* @return the start of the line after the one that ends at e < len. */
static size_t line_next(const char *s, size_t len, size_t e)
{
    return e + (s[e] == '\r' && e + 1 < len && s[e + 1] == '\n' ? 2 : 1);
}

int rp_paragraphs(const char *text, size_t len, const rp_token *tok,
                  size_t n, rp_para **out, size_t *np)
{
    *out = NULL;
    *np = 0;
    if (len > RP_MAX_TEXT)
        return RP_ETOOBIG;
    /* Does a blank line separate two non-blank ones anywhere? */
    int seen = 0, gap = 0, blocks = 0;
    for (size_t p = 0; p <= len;) {
        size_t e = line_end(text, len, p);
        if (blank(text, p, e)) {
            gap = seen;
        } else {
            if (gap)
                blocks = 1;
            seen = 1;
            gap = 0;
        }
        if (e >= len)
            break;
        p = line_next(text, len, e);
    }
    rp_para *v = NULL;
    size_t cap = 0, m = 0, ti = 0;
    int open = 0;
    for (size_t p = 0; p <= len;) {
        size_t e = line_end(text, len, p);
        size_t le = e;
        if (blank(text, p, e)) {
            open = 0;
        } else if (open && blocks) {
            v[m - 1].end = (uint32_t)le;
        } else {
            if (rp_grow(&v, &cap, m + 1, sizeof *v) < 0) {
                free(v);
                return RP_ENOMEM;
            }
            v[m].start = (uint32_t)p;
            v[m].end = (uint32_t)le;
            m++;
            open = 1;
        }
        if (e >= len)
            break;
        p = line_next(text, len, e);
    }
    for (size_t i = 0; i < m; i++) {
        while (ti < n && tok[ti].start < v[i].start)
            ti++;
        v[i].tok = ti;
        while (ti < n && tok[ti].start < v[i].end)
            ti++;
        v[i].ntok = ti - v[i].tok;
        v[i].shared = 0;
        v[i].comments = 0;
    }
    *out = v;
    *np = m;
    return RP_OK;
}

/* ------------------------------------------------------------------ */
/* Paragraph map                                                       */
/* ------------------------------------------------------------------ */

static int cmp_link(const void *x, const void *y)
{
    const rp_para_link *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return 0;
}

/* @return an array mapping each of n tokens to its paragraph, or NULL. */
static size_t *para_of(const rp_para *p, size_t np, size_t n)
{
    size_t *m = malloc((n ? n : 1) * sizeof *m);
    if (!m)
        return NULL;
    for (size_t t = 0; t < n; t++)
        m[t] = NONE;
    for (size_t i = 0; i < np; i++)
        for (size_t t = p[i].tok; t < p[i].tok + p[i].ntok && t < n; t++)
            m[t] = i;
    return m;
}

static int note_of(const rp_para *p)
{
    if (p->comments)
        return RP_NOTE_COMMENTS;
    return p->ntok == 0 ? RP_NOTE_FURNITURE : RP_NOTE_NONE;
}

static double share(size_t w, size_t of)
{
    return of ? (double)w / (double)of : 0.0;
}

/* Appends the ranges of unshared paragraphs p[from..to) would start at
 * `from` (one range at most: it stops at the first shared paragraph or a
 * change of note). @return the index after the range. */
static size_t only_range(const rp_para *p, size_t np, size_t from, int rel,
                         rp_para_link *l)
{
    size_t i = from;
    int note = note_of(&p[from]);
    while (i + 1 < np && p[i + 1].shared == 0 && note_of(&p[i + 1]) == note)
        i++;
    memset(l, 0, sizeof *l);
    l->rel = rel;
    l->first = from;
    l->last = i;
    l->note = note;
    l->a = l->b = NONE;
    return i + 1;
}

int rp_para_map(const rp_span *s, size_t ns,
                rp_para *pa, size_t npa, size_t na,
                rp_para *pb, size_t npb, size_t nb,
                rp_para_link **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    int rc = RP_ENOMEM;
    rp_para_link *pairs = NULL, *res = NULL;
    size_t np = 0, pcap = 0, nr = 0, rcap = 0;
    size_t *ma = para_of(pa, npa, na), *mb = para_of(pb, npb, nb);
    if (!ma || !mb)
        goto out;
    for (size_t i = 0; i < npa; i++)
        pa[i].shared = 0;
    for (size_t j = 0; j < npb; j++)
        pb[j].shared = 0;
    /* shared words of each pair of paragraphs, run-length first */
    for (size_t i = 0; i < ns; i++)
        for (size_t t = 0; t < s[i].words; t++) {
            size_t x = s[i].a + t < na ? ma[s[i].a + t] : NONE;
            size_t y = s[i].b + t < nb ? mb[s[i].b + t] : NONE;
            if (x == NONE || y == NONE)
                continue;
            pa[x].shared++;
            pb[y].shared++;
            if (np && pairs[np - 1].a == x && pairs[np - 1].b == y) {
                pairs[np - 1].words++;
                continue;
            }
            if (rp_grow(&pairs, &pcap, np + 1, sizeof *pairs) < 0)
                goto out;
            memset(&pairs[np], 0, sizeof *pairs);
            pairs[np].a = x;
            pairs[np].b = y;
            pairs[np].words = 1;
            np++;
        }
    if (np)
        qsort(pairs, np, sizeof *pairs, cmp_link);
    size_t m = 0;
    for (size_t i = 0; i < np; i++) {
        if (m && pairs[m - 1].a == pairs[i].a && pairs[m - 1].b == pairs[i].b)
            pairs[m - 1].words += pairs[i].words;
        else
            pairs[m++] = pairs[i];
    }
    np = m;
    for (size_t i = 0; i < np; i++) {
        rp_para_link *l = &pairs[i];
        l->a_share = share(l->words, pa[l->a].ntok);
        l->b_share = share(l->words, pb[l->b].ntok);
        int ia = l->a_share >= RP_PARA_MOST, ib = l->b_share >= RP_PARA_MOST;
        l->rel = ia && ib ? RP_PARA_SAME : ia ? RP_PARA_INSIDE
               : ib ? RP_PARA_HOLDS : RP_PARA_OVERLAP;
        l->first = l->last = NONE;
        l->note = RP_NOTE_NONE;
    }
    /* A's order: links of each shared paragraph, ranges of unshared ones */
    if (rp_grow(&res, &rcap, np + npa + npb + 1, sizeof *res) < 0)
        goto out;
    size_t k = 0;
    for (size_t i = 0; i < npa;) {
        if (pa[i].shared == 0) {
            i = only_range(pa, npa, i, RP_PARA_ONLY_A, &res[nr++]);
            continue;
        }
        while (k < np && pairs[k].a == i)
            res[nr++] = pairs[k++];
        i++;
    }
    for (size_t j = 0; j < npb;) {
        if (pb[j].shared == 0)
            j = only_range(pb, npb, j, RP_PARA_ONLY_B, &res[nr++]);
        else
            j++;
    }
    if (nr == 0) {
        free(res);
        res = NULL;
    }
    *out = res;
    *nout = nr;
    res = NULL;
    rc = RP_OK;
out:
    free(res);
    free(pairs);
    free(ma);
    free(mb);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Two texts                                                           */
/* ------------------------------------------------------------------ */

/* The sorted shingle set of n tokens: *sh malloc'd (NULL when n == 0). */
static int shingles(const rp_token *t, size_t n, unsigned k, uint64_t **sh,
                    size_t *nsh)
{
    *sh = NULL;
    *nsh = 0;
    if (n == 0)
        return RP_OK;
    *sh = malloc((n >= k ? n - k + 1 : 1) * sizeof **sh);
    if (!*sh)
        return RP_ENOMEM;
    *nsh = rp_shingle(t, n, k, *sh);
    return RP_OK;
}

static void mark_comments(rp_para *p, size_t np, size_t thread, size_t len)
{
    for (size_t i = 0; i < np; i++)
        p[i].comments = thread < len && p[i].start >= thread;
}

int rp_diff_texts(const char *a, size_t alen, const char *b, size_t blen,
                  const rp_options *o, unsigned min_run, rp_diff *out)
{
    memset(out, 0, sizeof *out);
    if (rp_options_check(o) != RP_OK)
        return RP_EINVAL;
    if (alen > RP_MAX_TEXT || blen > RP_MAX_TEXT)
        return RP_ETOOBIG;
    rp_token *ta = NULL, *tb = NULL;
    uint64_t *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0, nsa = 0, nsb = 0;
    int clean = !o->keep_boilerplate;
    int rc = rp_tokenize(a, alen, clean, &ta, &na);
    if (rc == RP_OK)
        rc = rp_tokenize(b, blen, clean, &tb, &nb);
    if (rc == RP_OK)
        rc = shingles(ta, na, o->shingle, &sa, &nsa);
    if (rc == RP_OK)
        rc = shingles(tb, nb, o->shingle, &sb, &nsb);
    if (rc != RP_OK)
        goto out;
    rp_sim_from_counts(nsa, nsb, rp_intersect_count(sa, nsa, sb, nsb), o,
                       &out->sim);
    out->tok_a = ta;
    out->tok_b = tb;
    out->words_a = na;
    out->words_b = nb;
    ta = tb = NULL;
    rc = rp_diff_spans(out->tok_a, na, out->tok_b, nb,
                       min_run > o->shingle ? min_run : o->shingle, &out->spans,
                       &out->nspans);
    if (rc != RP_OK)
        goto out;
    for (size_t i = 0; i < out->nspans; i++)
        out->shared_words += out->spans[i].words;
    if ((rc = rp_clean_thread(a, alen, &out->thread_a)) != RP_OK ||
        (rc = rp_clean_thread(b, blen, &out->thread_b)) != RP_OK ||
        (rc = rp_paragraphs(a, alen, out->tok_a, na, &out->paras_a, &out->nparas_a)) != RP_OK ||
        (rc = rp_paragraphs(b, blen, out->tok_b, nb, &out->paras_b, &out->nparas_b)) != RP_OK)
        goto out;
    mark_comments(out->paras_a, out->nparas_a, out->thread_a, alen);
    mark_comments(out->paras_b, out->nparas_b, out->thread_b, blen);
    rc = rp_para_map(out->spans, out->nspans, out->paras_a, out->nparas_a, na,
                     out->paras_b, out->nparas_b, nb, &out->links, &out->nlinks);
out:
    free(ta);
    free(tb);
    free(sa);
    free(sb);
    if (rc != RP_OK)
        rp_diff_clear(out);
    return rc;
}

void rp_diff_clear(rp_diff *d)
{
    if (!d)
        return;
    free(d->tok_a);
    free(d->tok_b);
    free(d->spans);
    free(d->paras_a);
    free(d->paras_b);
    free(d->links);
    memset(d, 0, sizeof *d);
}
