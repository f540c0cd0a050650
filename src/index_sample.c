/*
 * index_sample.c - the consistent shingle sample that the index keeps of
 * each document, to verify a pair without re-reading its texts: the
 * shingles whose hash has its top bits zero, so that the sample of A & B is
 * the intersection of the samples; stored as delta varints; and the
 * estimate of the shared count from two samples (docs/index.md,
 * "Verification").
 */
#include "index_int.h"

#include "doc.h"

size_t rp_sample(const uint64_t *sh, size_t n, unsigned bits, uint32_t *out)
{
    size_t m = 0;
    unsigned drop = 64 - RP_SAMPLE_VALUE_BITS - bits;
    for (size_t i = 0; i < n; i++) {
        if (bits && sh[i] >> (64 - bits))
            break;   /* sorted: no later hash can be in the sample */
        uint32_t v = (uint32_t)((sh[i] >> drop) & ((1u << RP_SAMPLE_VALUE_BITS) - 1));
        if (m == 0 || out[m - 1] != v)
            out[m++] = v;
    }
    return m;
}

size_t rp_sample_encode(const uint32_t *v, size_t m, uint8_t *buf)
{
    size_t w = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t d = v[i] - prev;
        prev = v[i];
        while (d >= 0x80) {
            buf[w++] = (uint8_t)(d | 0x80);
            d >>= 7;
        }
        buf[w++] = (uint8_t)d;
    }
    return w;
}

size_t rp_sample_decode(const uint8_t *buf, size_t len, uint32_t *out,
                        size_t cap)
{
    size_t m = 0, i = 0;
    uint64_t prev = 0;
    while (i < len) {
        uint64_t d = 0;
        unsigned shift = 0;
        for (;;) {
            if (i >= len || shift > 28)
                return (size_t)-1;
            uint8_t b = buf[i++];
            d |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            if (!(b & 0x80))
                break;
        }
        uint64_t v = prev + d;
        if ((m > 0 && d == 0) || v >= (1u << RP_SAMPLE_VALUE_BITS) || m >= cap)
            return (size_t)-1;
        out[m++] = (uint32_t)v;
        prev = v;
    }
    return m;
}

void rp_sample_estimate(size_t na, const uint32_t *a, size_t ma,
                        size_t nb, const uint32_t *b, size_t mb,
                        const rp_options *o, rp_sim *s)
{
    size_t i = 0, j = 0, x = 0;
    while (i < ma && j < mb) {
        uint32_t p = a[i], q = b[j];
        x += p == q;
        i += p <= q;
        j += q <= p;
    }
    ix_sample_sim(na, ma, nb, mb, x, o, s);
}

void ix_sample_sim(size_t na, size_t ma, size_t nb, size_t mb, size_t x,
                   const rp_options *o, rp_sim *s)
{
    /* every step grows with x, so a bound on x bounds the result
     * (index_screen.c) */
    size_t shared = 0;
    if (ma + mb > 0) {
        double e = (double)x * (double)(na + nb) / (double)(ma + mb);
        shared = (size_t)(e + 0.5);
    }
    size_t lo = na < nb ? na : nb;
    if (shared > lo)
        shared = lo;
    rp_sim_from_counts(na, nb, shared, o, s);
}
