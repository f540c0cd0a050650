/*
 * bytescan.h - the byte classes the cleaner and the tokenizer look for,
 * computed 64 bytes at a time as bit masks (bit i is byte i), with AVX2
 * when the CPU has it, else SSE2 on x86-64, else a table.
 */
#ifndef RP_BYTESCAN_H
#define RP_BYTESCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct rp_bmask {
    uint64_t eol;     /* '\n' '\r': line ends */
    uint64_t blank;   /* ' ' '\t' '\n' '\v' '\f' '\r' */
    uint64_t c2, a0;  /* the bytes 0xC2 and 0xA0 (a no-break space is C2 A0) */
    uint64_t alnum;   /* ASCII letters and digits */
    uint64_t slow;    /* bytes >= 0x80 and '&': the tokenizer's slow path */
    uint64_t inl;     /* '<' ']' '@' 'h' 'H' 'w' 'W' 'f': may open inline markup */
} rp_bmask;

/* The code paths, slowest first. */
enum { RP_SCAN_SCALAR, RP_SCAN_SSE2, RP_SCAN_AVX2 };

/* Classifies s[0..n), n <= 64, into *m; bits at n and above are 0.
 * Reads no byte outside s[0..n). */
void rp_bytescan(const uint8_t *s, size_t n, rp_bmask *m);

/* Classifies the nb whole 64-byte blocks at s into m[0..nb), as nb calls
 * of rp_bytescan would, with the path's constants set up once. */
void rp_bytescan_blocks(const uint8_t *s, size_t nb, rp_bmask *m);

/* @return the path rp_bytescan uses: the best the CPU has, unless the
 * environment variable RP_SIMD (scalar, sse2 or avx2) asks for a lower
 * one, or rp_bytescan_force() chose one. */
int rp_bytescan_level(void);

/* For tests: makes rp_bytescan use path level from now on (all threads).
 * @return 0, or -1 when this CPU or build has no such path. */
int rp_bytescan_force(int level);

/* The three classes the tokenizer and the inline-markup scan read, for
 * one aligned 64-byte block of a text. */
typedef struct rp_bblock {
    uint64_t alnum, slow, inl;
} rp_bblock;

/* A window of masks over a text, reused while the reader stays inside
 * the last 64 bytes classified; or, when pre is set, read from the masks
 * of every block of the text that one earlier pass kept (pre[i >> 6] for
 * byte i), so that no byte is classified twice. A window gives only the
 * alnum, slow and inl masks. */
typedef struct rp_bwindow {
    const uint8_t *s;
    size_t len;         /* of s */
    size_t base, n;     /* the bytes s[base..base+n) are in m */
    rp_bblock m;
    const rp_bblock *pre;   /* borrowed, or NULL */
} rp_bwindow;

static inline void rp_bwindow_init(rp_bwindow *w, const uint8_t *s, size_t len)
{
    w->s = s;
    w->len = len;
    w->base = w->n = 0;
    w->m = (rp_bblock){0, 0, 0};
    w->pre = NULL;
}

/* Sets *m to the masks of the bytes from s[i] on (i < len), bit 0 being
 * byte i. The window moves in aligned steps of 64 bytes, so that readers
 * going forward classify each byte once. @return how many bytes the masks
 * cover (at least 1). */
static inline size_t rp_bwindow_at(rp_bwindow *w, size_t i, rp_bblock *m)
{
    unsigned k = (unsigned)(i & 63);
    size_t base = i - k;
    if (w->pre) {
        const rp_bblock *b = &w->pre[i >> 6];
        m->alnum = b->alnum >> k;
        m->slow = b->slow >> k;
        m->inl = b->inl >> k;
        return (w->len - base < 64 ? w->len - base : 64) - k;
    }
    if (i < w->base || i >= w->base + w->n) {
        rp_bmask full;
        w->base = base;
        w->n = w->len - base < 64 ? w->len - base : 64;
        rp_bytescan(w->s + base, w->n, &full);
        w->m.alnum = full.alnum;
        w->m.slow = full.slow;
        w->m.inl = full.inl;
    }
    m->alnum = w->m.alnum >> k;
    m->slow = w->m.slow >> k;
    m->inl = w->m.inl >> k;
    return w->n - k;
}

/* @return the number of set bits of x: the instruction where the build
 * targets it, else the bit-parallel sum inline (the SSE2 baseline has no
 * popcnt, and the compiler's fallback is a call into libgcc). */
static inline unsigned rp_popcount64(uint64_t x)
{
#if defined(__POPCNT__)
    return (unsigned)__builtin_popcountll(x);
#else
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* @return the index of the lowest set bit of x, which is not 0. */
static inline unsigned rp_ctz64(uint64_t x)
{
    return (unsigned)__builtin_ctzll(x);
}

#endif
