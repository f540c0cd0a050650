/*
 * lsh.c - LSH banding: which pairs of signatures deserve a look.
 *
 * The K-value signature is cut into b bands of r rows. Two documents become
 * candidates when all r values of some band agree, which happens with
 * probability 1 - (1 - s^r)^b for Jaccard s: an S-curve whose threshold is
 * set by (b, r). rp_lsh_params picks (b, r) for a target threshold t the way
 * datasketch does, minimising the equally weighted areas of false positives
 * (the curve below t) and false negatives (one minus the curve above t).
 *
 * Each band key is the XXH3 hash of its r values seeded with the band
 * number, cut to 32 bits: a corpus keeps only these b keys of a document
 * (4b bytes), not its signature. Bucketing is done one band at a time by
 * sorting (band key, document) pairs packed into 64-bit words, so memory
 * is O(n) per band and the output order never depends on hashing or
 * timing; rp_lsh_ensemble_threads runs the bands on several threads, each
 * with its own pairs, merged and sorted at the end. Two documents whose keys collide by chance (about n^2 / 2^33
 * pairs a band) only cost a verification.
 *
 * rp_lsh_ensemble adds candidates for containment after LSH Ensemble (Zhu,
 * Nargesian, Pu and Miller, VLDB 2016): a short text that is mostly inside
 * a long one has a low Jaccard however much of it was copied, so single
 * MinHash values also propose pairs, each value only for pairs whose set
 * sizes are far enough apart to need it (see lsh.h). It works on 16-bit
 * cuts of the values (512 bytes a document at K = 256, from which the
 * band keys are hashed one band at a time); 16-bit values that agree by
 * chance (n^2 / 2^17 pairs a value) are left to the screen.
 */
#include "lsh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "pool.h"
#include "reprint.h"
#include "util.h"

double rp_lsh_prob(double s, unsigned b, unsigned r)
{
    return 1.0 - pow(1.0 - pow(s, (double)r), (double)b);
}

#define LSH_STEPS 200   /* trapezoid steps on each side of t */

int rp_lsh_params(unsigned hashes, double t, unsigned *bands, unsigned *rows)
{
    if (hashes < 1 || !(t > 0 && t < 1))
        return RP_EINVAL;
    /* Grid points: [0, t] for the false positives (the curve itself) and
     * [t, 1] for the false negatives (one minus it), LSH_STEPS + 1 each.
     * For each r, q = 1 - s^r at every point, and the curve of b bands is
     * 1 - q^b: stepping b up multiplies by q, so the whole search costs a
     * few multiplications per (b, r) and point, and no pow(). */
    enum { N = 2 * (LSH_STEPS + 1) };
    double s[N], sr[N], q[N], qb[N], w[N];
    for (int i = 0; i <= LSH_STEPS; i++) {
        double edge = (i == 0 || i == LSH_STEPS) ? 0.5 : 1.0;
        s[i] = t * i / LSH_STEPS;
        w[i] = edge * t / LSH_STEPS;
        s[LSH_STEPS + 1 + i] = t + (1 - t) * i / LSH_STEPS;
        w[LSH_STEPS + 1 + i] = edge * (1 - t) / LSH_STEPS;
    }
    for (int i = 0; i < N; i++)
        sr[i] = 1.0;
    double best = INFINITY;
    for (unsigned r = 1; r <= hashes; r++) {
        for (int i = 0; i < N; i++) {
            sr[i] *= s[i];
            q[i] = 1.0 - sr[i];
            qb[i] = 1.0;
        }
        for (unsigned b = 1; b <= hashes / r; b++) {
            double fp = 0, fn = 0;
            for (int i = 0; i <= LSH_STEPS; i++) {
                qb[i] *= q[i];
                fp += w[i] * (1.0 - qb[i]);
            }
            for (int i = LSH_STEPS + 1; i < N; i++) {
                qb[i] *= q[i];
                fn += w[i] * qb[i];
            }
            double err = 0.5 * fp + 0.5 * fn;
            if (err < best) {
                best = err;
                *bands = b;
                *rows = r;
            }
        }
    }
    return RP_OK;
}

typedef struct pairvec {
    uint64_t *v;
    size_t n, cap;
} pairvec;

static int push(pairvec *p, uint64_t a, uint64_t b)
{
    if (rp_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v) < 0)
        return -1;
    p->v[p->n++] = a << 32 | b;
    return 0;
}

/* Emits the pairs of one bucket of m documents (ascending). */
static int bucket(pairvec *p, const uint64_t *keys, size_t m, uint64_t mask)
{
    if (m <= RP_LSH_BUCKET_MAX) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = i + 1; j < m; j++)
                if (push(p, keys[i] & mask, keys[j] & mask) < 0)
                    return -1;
        return 0;
    }
    for (size_t j = 1; j < m; j++) {
        if (push(p, keys[0] & mask, keys[j] & mask) < 0)
            return -1;
        if (j > 1 && push(p, keys[j - 1] & mask, keys[j] & mask) < 0)
            return -1;
    }
    return 0;
}

static void dedup(pairvec *p)
{
    rp_sort_u64(p->v, p->n);
    p->n = rp_unique_u64(p->v, p->n);
}

/* Hands the pairs found over: sorted, each once. @return their number. */
static long hand_over(pairvec *p, size_t nref, size_t *refused, uint64_t **pairs)
{
    dedup(p);
    if (refused)
        *refused = nref;
    *pairs = p->v;
    return (long)p->n;
}

void rp_lsh_keys(const uint32_t *sig, unsigned b, unsigned r, uint32_t *out)
{
    for (unsigned band = 0; band < b; band++)
        out[band] = (uint32_t)XXH3_64bits_withSeed(sig + (size_t)band * r,
                                                   r * sizeof *sig, band);
}

long rp_lsh_buckets(const uint32_t *keys, size_t n, unsigned b, uint64_t **pairs)
{
    pairvec p = {0};
    *pairs = NULL;
    if (n < 2 || b == 0)
        return 0;
    if (n > UINT32_MAX)
        return -1;
    const uint64_t mask = 0xFFFFFFFFu;
    uint64_t *bk = malloc(n * sizeof *bk);
    if (!bk)
        return -1;
    size_t last_dedup = 0;
    for (unsigned band = 0; band < b; band++) {
        for (size_t i = 0; i < n; i++)
            bk[i] = (uint64_t)keys[i * b + band] << 32 | i;
        rp_sort_hi32(bk, n);   /* the documents ascend already */
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && (bk[j] >> 32) == (bk[i] >> 32))
                j++;
            if (j - i > 1 && bucket(&p, bk + i, j - i, mask) < 0)
                goto oom;
            i = j;
        }
        /* keep repeats from piling up across bands */
        if (p.n > 2 * last_dedup + (1u << 16)) {
            dedup(&p);
            last_dedup = p.n;
        }
    }
    free(bk);
    dedup(&p);
    *pairs = p.v;
    return (long)p.n;
oom:
    free(bk);
    free(p.v);
    return -1;
}

long rp_lsh_candidates(const uint32_t *sig, size_t n, unsigned K,
                       unsigned b, unsigned r, uint64_t **pairs)
{
    *pairs = NULL;
    if (n < 2 || b == 0 || r == 0 || (unsigned long)b * r > K)
        return 0;
    uint32_t *keys = malloc(n * (size_t)b * sizeof *keys);
    if (!keys)
        return -1;
    for (size_t i = 0; i < n; i++)
        rp_lsh_keys(sig + i * K, b, r, keys + i * b);
    long np = rp_lsh_buckets(keys, n, b, pairs);
    free(keys);
    return np;
}

/* ------------------------------------------------------------------ */
/* Candidates for containment: size-aware banding                        */
/* ------------------------------------------------------------------ */

/* Miss probability aimed at for a pair exactly at the threshold. */
#define ENS_MISS 0.005

/* @return the 1-row bands a pair of size ratio rho (>= 1) needs on top of
 * the b x r bands so that a pair whose containment is t is missed with
 * probability at most ENS_MISS. Its Jaccard is at least
 * t / (rho + 1 - t) (the smaller set s holds t*s shared shingles, the
 * union is s + rho*s - t*s). */
static unsigned ens_bands(double t, double rho, unsigned K, unsigned b,
                          unsigned r)
{
    double j = t / (rho + 1 - t);
    if (j >= 1)
        return 0;
    if (j <= 0)
        return K;
    double miss = b && r ? pow(1 - pow(j, r), b) : 1.0;
    if (miss <= ENS_MISS)
        return 0;
    double need = ceil(log(ENS_MISS / miss) / log(1 - j));
    return need >= K ? K : (unsigned)need;
}

int rp_lsh_ratios(double t, unsigned K, unsigned b, unsigned r, double *ratio)
{
    if (K < 1 || !(t >= 0 && t <= 1))
        return RP_EINVAL;
    /* ens_bands grows with rho: for each band i, search the smallest rho
     * that needs more than i bands (bisection on a log scale) */
    const double hi = 1e6;
    for (unsigned i = 0; i < K; i++) {
        if (ens_bands(t, hi, K, b, r) <= i) {
            ratio[i] = INFINITY;
            continue;
        }
        if (ens_bands(t, 1.0, K, b, r) > i) {
            ratio[i] = 1.0;
            continue;
        }
        double lo = 0, up = log(hi);   /* log rho: lo fails, up passes */
        for (int it = 0; it < 48; it++) {
            double mid = 0.5 * (lo + up);
            if (ens_bands(t, exp(mid), K, b, r) > i)
                up = mid;
            else
                lo = mid;
        }
        ratio[i] = exp(up);
    }
    return RP_OK;
}

/* XXH3_64bits_withSeed as xxhash.h itself defines it, through its
 * always-inlined body (0.8.x), so that a band of a constant size compiles
 * to that one length's code without the call; the same value (shingle.c
 * does the same for its windows). */
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
#define HASH_SEED_INLINE(p, len, seed) \
    XXH3_64bits_internal(p, len, seed, XXH3_kSecret, sizeof(XXH3_kSecret), \
                         XXH3_hashLong_64b_withSeed)
#else
#define HASH_SEED_INLINE(p, len, seed) XXH3_64bits_withSeed(p, len, seed)
#endif

static inline uint32_t band_key16(const uint16_t *v, unsigned r, unsigned band)
{
    switch (r) {   /* the rows rp_lsh_params chooses, at a constant length */
    case 1:
        return (uint32_t)HASH_SEED_INLINE(v, 1 * sizeof *v, band);
    case 2:
        return (uint32_t)HASH_SEED_INLINE(v, 2 * sizeof *v, band);
    case 3:
        return (uint32_t)HASH_SEED_INLINE(v, 3 * sizeof *v, band);
    case 4:
        return (uint32_t)HASH_SEED_INLINE(v, 4 * sizeof *v, band);
    default:
        return (uint32_t)XXH3_64bits_withSeed(v, r * sizeof *v, band);
    }
}

/* A member of a 1-row bucket as one number: its set size above its
 * document, so that sorting the numbers orders the members by size, then
 * by document. */
static inline uint64_t by_size(uint32_t size, uint32_t doc)
{
    return (uint64_t)size << 32 | doc;
}

/* Emits the pairs of a 1-row bucket (members m[0..k), by_size numbers,
 * which it sorts) whose larger size is at least rho times the smaller,
 * and that keep accepts. */
static int skew_bucket(pairvec *p, uint64_t *m, size_t k, double rho,
                       rp_lsh_keep_fn keep, const void *ctx, size_t *refused)
{
    rp_sort_u64(m, k);
    size_t j = 0;
    for (size_t i = 0; i < k; i++) {
        if (j <= i)
            j = i + 1;
        while (j < k && (double)(uint32_t)(m[j] >> 32) < rho * (uint32_t)(m[i] >> 32))
            j++;
        for (size_t q = j; q < k; q++) {
            uint64_t a = (uint32_t)m[i], b = (uint32_t)m[q];
            if (a > b) {
                uint64_t t = a;
                a = b;
                b = t;
            }
            if (keep && !keep(ctx, (size_t)a, (size_t)b)) {
                (*refused)++;
                continue;
            }
            if (push(p, a, b) < 0)
                return -1;
        }
    }
    return 0;
}

long rp_lsh_ensemble(const uint16_t *v, const uint32_t *size, size_t n,
                     unsigned K, unsigned b, unsigned r, double t,
                     rp_lsh_keep_fn keep, const void *keep_ctx,
                     size_t *refused, size_t *capped, uint64_t **pairs)
{
    return rp_lsh_ensemble_threads(v, size, n, K, b, r, t, keep, keep_ctx, 1,
                                   refused, capped, pairs);
}

unsigned rp_lsh_part(unsigned band, uint32_t key, unsigned nparts)
{
    uint64_t h = ((uint64_t)band << 32 | key) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (unsigned)(((h & 0xFFFFFFFFu) * nparts) >> 32);
}

/* The run of rp_lsh_ensemble_part: its units (the b bands, then the
 * 1-row bins that can pair anything) are done a round at a time, one per
 * slot, on a pool; each slot's pairs are deduplicated and added to the
 * whole. The pairs found, the refused and the capped do not depend on
 * which thread ran which unit, since the whole is sorted at the end. */
typedef struct ens_slot {
    uint64_t *bk;          /* n keys */
    uint64_t *m;           /* a 1-row bucket's members (by_size) */
    size_t mcap;
    pairvec p;
    size_t nref, capped;
    int oom;
} ens_slot;

typedef struct ens {
    const uint16_t *v;
    const uint32_t *size;
    size_t n;
    unsigned K, b, r, part, nparts;
    const double *ratio;
    rp_lsh_keep_fn keep;
    const void *keep_ctx;
    size_t first;          /* the unit of slot 0 in this round */
    ens_slot *slot;
} ens;

/* Band `band`: documents whose r values of the band agree. */
static int ens_band(const ens *e, ens_slot *sl, unsigned band)
{
    uint64_t *bk = sl->bk;
    size_t n = e->n;
    for (size_t i = 0; i < n; i++)
        bk[i] = (uint64_t)band_key16(e->v + i * e->K + (size_t)band * e->r, e->r, band) << 32 | i;
    rp_sort_hi32(bk, n);   /* the documents ascend already */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && (bk[j] >> 32) == (bk[i] >> 32))
            j++;
        if (e->nparts > 1 && rp_lsh_part(band, (uint32_t)(bk[i] >> 32), e->nparts) != e->part) {
            i = j;
            continue;
        }
        if (j - i > RP_LSH_BUCKET_MAX)
            sl->capped++;
        if (j - i > 1 && bucket(&sl->p, bk + i, j - i, 0xFFFFFFFFu) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* 1-row bin `bin`: pairs only documents whose sizes differ by ratio[bin]
 * or more. */
static int ens_bin(const ens *e, ens_slot *sl, unsigned bin)
{
    uint64_t *bk = sl->bk;
    size_t n = e->n;
    for (size_t i = 0; i < n; i++)
        bk[i] = (uint64_t)e->v[i * e->K + bin] << 32 | i;
    rp_sort_hi32(bk, n);   /* the documents ascend already */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && (bk[j] >> 32) == (bk[i] >> 32))
            j++;
        size_t k = j - i;
        if (e->nparts > 1 && rp_lsh_part(e->b + bin, (uint32_t)(bk[i] >> 32), e->nparts) != e->part)
            k = 0;
        if (k > 1 && k <= RP_LSH_SKEW_MAX) {
            if (rp_grow(&sl->m, &sl->mcap, k, sizeof *sl->m) < 0)
                return -1;
            for (size_t q = 0; q < k; q++) {
                uint32_t d = (uint32_t)(bk[i + q] & 0xFFFFFFFFu);
                sl->m[q] = by_size(e->size[d], d);
            }
            if (skew_bucket(&sl->p, sl->m, k, e->ratio[bin], e->keep, e->keep_ctx,
                            &sl->nref) < 0)
                return -1;
        }
        i = j;
    }
    return 0;
}

static void ens_unit(void *ctx, size_t k)
{
    const ens *e = ctx;
    ens_slot *sl = &e->slot[k];
    size_t u = e->first + k;
    int rc = u < e->b ? ens_band(e, sl, (unsigned)u) : ens_bin(e, sl, (unsigned)(u - e->b));
    if (rc < 0)
        sl->oom = 1;
    else
        dedup(&sl->p);
}

static long ensemble(const uint16_t *v, const uint32_t *size, size_t n,
                     unsigned K, unsigned b, unsigned r, double t,
                     rp_lsh_keep_fn keep, const void *keep_ctx,
                     unsigned part, unsigned nparts, unsigned threads,
                     size_t *refused, size_t *capped, uint64_t **pairs)
{
    size_t nref = 0, ncap = 0, last_dedup = 0;
    pairvec p = {0};
    double *ratio = NULL;
    pool *pl = NULL;
    unsigned nslots = threads > 1 ? threads : 1;
    ens_slot *slot = NULL;
    *pairs = NULL;
    if (capped)
        *capped = 0;
    if (n < 2)
        return 0;
    if (n > UINT32_MAX || (unsigned long)b * r > K)
        return -1;
    ratio = malloc(K * sizeof *ratio);
    slot = calloc(nslots, sizeof *slot);
    if (!ratio || !slot || rp_lsh_ratios(t, K, b, r, ratio) != RP_OK)
        goto oom;
    for (unsigned s = 0; s < nslots; s++)
        if (!(slot[s].bk = malloc(n * sizeof *slot[s].bk)))
            goto oom;
    if (nslots > 1 && !(pl = pool_new(nslots)))
        goto oom;
    /* no 1-row bin beyond the corpus's own size ratio can pair anything */
    uint32_t smin = UINT32_MAX, smax = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t z = size[i] ? size[i] : 1;
        smin = z < smin ? z : smin;
        smax = z > smax ? z : smax;
    }
    double widest = (double)smax / smin;
    unsigned nbins = 0;
    while (nbins < K && ratio[nbins] <= widest)
        nbins++;
    size_t units = (size_t)b + nbins;
    ens e = {v, size, n, K, b, r, part, nparts, ratio, keep, keep_ctx, 0, slot};
    for (e.first = 0; e.first < units; e.first += nslots) {
        size_t m = units - e.first < nslots ? units - e.first : nslots;
        if (pl)
            pool_run(pl, m, ens_unit, &e);
        else
            for (size_t k = 0; k < m; k++)
                ens_unit(&e, k);
        for (size_t k = 0; k < m; k++) {
            ens_slot *sl = &slot[k];
            if (sl->oom || rp_grow(&p.v, &p.cap, p.n + sl->p.n, sizeof *p.v) < 0)
                goto oom;
            if (sl->p.n)
                memcpy(p.v + p.n, sl->p.v, sl->p.n * sizeof *p.v);
            p.n += sl->p.n;
            sl->p.n = 0;
            nref += sl->nref;
            ncap += sl->capped;
            sl->nref = sl->capped = 0;
        }
        if (p.n > 2 * last_dedup + (1u << 16)) {
            dedup(&p);
            last_dedup = p.n;
        }
    }
    if (capped)
        *capped = ncap;
    pool_free(pl);
    for (unsigned s = 0; s < nslots; s++) {
        free(slot[s].bk);
        free(slot[s].m);
        free(slot[s].p.v);
    }
    free(slot);
    free(ratio);
    return hand_over(&p, nref, refused, pairs);
oom:
    pool_free(pl);
    for (unsigned s = 0; slot && s < nslots; s++) {
        free(slot[s].bk);
        free(slot[s].m);
        free(slot[s].p.v);
    }
    free(slot);
    free(ratio);
    free(p.v);
    return -1;
}

long rp_lsh_ensemble_part(const uint16_t *v, const uint32_t *size, size_t n,
                          unsigned K, unsigned b, unsigned r, double t,
                          rp_lsh_keep_fn keep, const void *keep_ctx,
                          unsigned part, unsigned nparts,
                          size_t *refused, size_t *capped, uint64_t **pairs)
{
    return ensemble(v, size, n, K, b, r, t, keep, keep_ctx, part, nparts, 1,
                    refused, capped, pairs);
}

long rp_lsh_ensemble_threads(const uint16_t *v, const uint32_t *size, size_t n,
                             unsigned K, unsigned b, unsigned r, double t,
                             rp_lsh_keep_fn keep, const void *keep_ctx,
                             unsigned threads, size_t *refused, size_t *capped,
                             uint64_t **pairs)
{
    return ensemble(v, size, n, K, b, r, t, keep, keep_ctx, 0, 1, threads,
                    refused, capped, pairs);
}

/* ------------------------------------------------------------------ */
/* The same buckets from entries, for `reprint dist`'s shuffle           */
/* ------------------------------------------------------------------ */

size_t rp_lsh_doc_entries(const uint16_t *v, unsigned K, unsigned b, unsigned r,
                          const double *ratio, uint32_t doc, uint32_t size,
                          rp_lsh_entry *out)
{
    size_t n = 0;
    for (unsigned band = 0; band < b; band++)
        out[n++] = (rp_lsh_entry){band, band_key16(v + (size_t)band * r, r, band), doc, size};
    for (unsigned bin = 0; bin < K && ratio[bin] < INFINITY; bin++)
        out[n++] = (rp_lsh_entry){b + bin, v[bin], doc, size};
    return n;
}

int rp_lsh_entry_cmp(const void *x, const void *y)
{
    const rp_lsh_entry *a = x, *b = y;
    if (a->band != b->band)
        return a->band < b->band ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

long rp_lsh_entry_pairs(const rp_lsh_entry *e, size_t ne, unsigned K, unsigned b,
                        const double *ratio, double widest,
                        rp_lsh_keep_fn keep, const void *keep_ctx,
                        size_t *refused, size_t *capped, uint64_t **pairs)
{
    size_t nref = 0, last_dedup = 0;
    pairvec p = {0};
    uint64_t *bk = NULL;
    uint64_t *m = NULL;
    size_t bcap = 0, mcap = 0;
    *pairs = NULL;
    if (capped)
        *capped = 0;
    for (size_t i = 0; i < ne;) {
        size_t j = i + 1;
        while (j < ne && e[j].band == e[i].band && e[j].key == e[i].key)
            j++;
        size_t k = j - i;
        unsigned band = e[i].band;
        if (band < b) {
            if (k > RP_LSH_BUCKET_MAX && capped)
                (*capped)++;
            if (k > 1) {
                if (rp_grow(&bk, &bcap, k, sizeof *bk) < 0)
                    goto oom;
                for (size_t q = 0; q < k; q++)
                    bk[q] = e[i + q].doc;
                if (bucket(&p, bk, k, 0xFFFFFFFFu) < 0)
                    goto oom;
            }
        } else if (band - b < K && ratio[band - b] <= widest && k > 1 &&
                   k <= RP_LSH_SKEW_MAX) {
            if (rp_grow(&m, &mcap, k, sizeof *m) < 0)
                goto oom;
            for (size_t q = 0; q < k; q++)
                m[q] = by_size(e[i + q].size, e[i + q].doc);
            if (skew_bucket(&p, m, k, ratio[band - b], keep, keep_ctx, &nref) < 0)
                goto oom;
        }
        if (p.n > 2 * last_dedup + (1u << 16)) {
            dedup(&p);
            last_dedup = p.n;
        }
        i = j;
    }
    free(bk);
    free(m);
    return hand_over(&p, nref, refused, pairs);
oom:
    free(bk);
    free(m);
    free(p.v);
    return -1;
}
