/*
 * distrec.c - writes and reads the records of the cluster files of
 * `reprint dist` (layout in distrec.h). The reader trusts nothing: every
 * length is checked against the record, every string must end with a NUL
 * inside it, and a field value string must hold its NUL-ended values.
 */
#include "distrec.h"

#include <stdlib.h>
#include <string.h>

#include "cliutil.h"

static int put(rp_stage_w *w, unsigned sec, size_t *len, const void *p, size_t n)
{
    *len += n;
    return !n || rp_stage_w_put(w, sec, p, n) == RP_OK ? 0 : -1;
}

static int put_u64(rp_stage_w *w, unsigned sec, size_t *len, uint64_t x)
{
    return put(w, sec, len, &x, 8);
}

static int put_f64(rp_stage_w *w, unsigned sec, size_t *len, double x)
{
    return put(w, sec, len, &x, 8);
}

int distrec_put_cluster(rp_stage_w *w, unsigned sec, size_t *len, uint64_t lo,
                        const scan_cluster *cl, const uint64_t *mlen)
{
    size_t ne = cl->n + cl->nrel;
    int bad = put_u64(w, sec, len, lo) | put_u64(w, sec, len, cl->n) |
              put_u64(w, sec, len, cl->nrel);
    for (size_t j = 0; j < ne && !bad; j++) {
        const rp_index_member *m = &cl->m[j];
        uint64_t with = UINT64_MAX, il = strlen(m->id) + 1, ml = cl->meta ? mlen[j] : 0;
        for (size_t k = 0; j >= cl->n && k < cl->n && with == UINT64_MAX; k++)
            if (cl->m[k].id == m->with)
                with = k;
        bad |= put_f64(w, sec, len, m->jaccard) | put_f64(w, sec, len, m->containment) |
               put_f64(w, sec, len, m->score) | put_f64(w, sec, len, m->holds) |
               put_u64(w, sec, len, with) | put_u64(w, sec, len, il) | put_u64(w, sec, len, ml) |
               put(w, sec, len, m->id, il) | put(w, sec, len, ml ? cl->meta[j] : NULL, ml);
    }
    return bad ? -1 : 0;
}

int distrec_put_pair(rp_stage_w *w, unsigned sec, size_t *len, uint64_t a, uint64_t b,
                     const char *ida, const char *idb, const rp_sim *s, const char *ma,
                     uint64_t fa, const char *mb, uint64_t fb)
{
    uint64_t la = strlen(ida) + 1, lb = strlen(idb) + 1;
    int bad = put_u64(w, sec, len, a) | put_u64(w, sec, len, b) |
              put_f64(w, sec, len, s->jaccard) | put_f64(w, sec, len, s->containment_ab) |
              put_f64(w, sec, len, s->containment_ba) | put_f64(w, sec, len, s->score) |
              put_u64(w, sec, len, s->shared) | put_u64(w, sec, len, la) |
              put_u64(w, sec, len, lb) | put_u64(w, sec, len, fa) | put_u64(w, sec, len, fb) |
              put(w, sec, len, ida, la) | put(w, sec, len, idb, lb) | put(w, sec, len, ma, fa) |
              put(w, sec, len, mb, fb);
    return bad ? -1 : 0;
}

void distrec_buf_free(distrec_buf *b)
{
    free(b->m);
    free(b->meta);
    memset(b, 0, sizeof *b);
}

/* A record being read. */
typedef struct rd {
    const uint8_t *at, *end;
    int bad;
} rd;

/* Reads 8 bytes into x (zero when the record ends before). */
static void rd8(rd *r, void *x)
{
    memset(x, 0, 8);
    if (r->end - r->at < 8) {
        r->bad = 1;
        return;
    }
    memcpy(x, r->at, 8);
    r->at += 8;
}

static uint64_t rd_u64(rd *r)
{
    uint64_t x;
    rd8(r, &x);
    return x;
}

static double rd_f64(rd *r)
{
    double x;
    rd8(r, &x);
    return x;
}

/* @return n bytes of the record as a string ending with a NUL that holds
 * `strings` NULs at least (n > 0), or NULL for n = 0 (or when bad). */
static const char *rd_str(rd *r, uint64_t n, size_t strings)
{
    if (!n || r->bad)
        return NULL;
    const char *p = (const char *)r->at;
    if ((uint64_t)(r->end - r->at) < n || p[n - 1] != 0) {
        r->bad = 1;
        return NULL;
    }
    size_t nul = 0;
    for (uint64_t k = 0; k < n; k++)
        nul += p[k] == 0;
    r->bad |= nul < strings;
    r->at += n;
    return p;
}

int distrec_cluster(const uint8_t *p, size_t len, size_t nfields, distrec_buf *b,
                    scan_cluster *out)
{
    rd r = {p, p + len, 0};
    uint64_t lo = rd_u64(&r), n = rd_u64(&r), nrel = rd_u64(&r);
    (void)lo;
    /* an entry takes 57 bytes at least */
    if (r.bad || n == 0 || n > len / 57 || nrel > len / 57)
        return -1;
    if (cli_grow(&b->m, &b->cap, n + nrel, sizeof *b->m) < 0 ||
        cli_grow(&b->meta, &b->mcap, n + nrel, sizeof *b->meta) < 0)
        return -2;
    for (size_t j = 0; j < n + nrel && !r.bad; j++) {
        rp_index_member *m = &b->m[j];
        m->jaccard = rd_f64(&r);
        m->containment = rd_f64(&r);
        m->score = rd_f64(&r);
        m->holds = rd_f64(&r);
        uint64_t with = rd_u64(&r), il = rd_u64(&r), ml = rd_u64(&r);
        if (r.bad || (j >= n && with >= n) || il == 0)
            return -1;
        m->id = rd_str(&r, il, 1);
        b->meta[j] = rd_str(&r, ml, nfields);
        m->with = j >= n ? b->m[with].id : NULL;
    }
    if (r.bad || r.at != r.end)
        return -1;
    *out = (scan_cluster){b->m, (size_t)n, (size_t)nrel, b->meta, 0};
    return 0;
}

int distrec_pair(const uint8_t *p, size_t len, size_t nfields, const char **a, const char **b,
                 rp_sim *s, const char **ma, const char **mb)
{
    rd r = {p, p + len, 0};
    rd_u64(&r);
    rd_u64(&r);
    s->jaccard = rd_f64(&r);
    s->containment_ab = rd_f64(&r);
    s->containment_ba = rd_f64(&r);
    s->score = rd_f64(&r);
    s->shared = (size_t)rd_u64(&r);
    s->similar = 1;
    uint64_t la = rd_u64(&r), lb = rd_u64(&r), fa = rd_u64(&r), fb = rd_u64(&r);
    if (r.bad || !la || !lb)
        return -1;
    *a = rd_str(&r, la, 1);
    *b = rd_str(&r, lb, 1);
    *ma = rd_str(&r, fa, nfields);
    *mb = rd_str(&r, fb, nfields);
    return r.bad || r.at != r.end ? -1 : 0;
}

void distrec_key(const uint8_t *p, size_t len, int pairs, uint64_t *k0, uint64_t *k1,
                 const char **id)
{
    uint64_t x[9] = {0};   /* lo, n, nrel, 4 figures, with, id length */
    memcpy(x, p, len < sizeof x ? len : sizeof x);
    *k0 = x[0];
    *k1 = x[1];
    *id = "";
    if (!pairs && len >= sizeof x + 8 && x[8] > 0 && x[8] <= len - sizeof x - 8 &&
        p[sizeof x + 8 + x[8] - 1] == 0)
        *id = (const char *)p + sizeof x + 8;
}
