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

/* @return the path rp_bytescan uses: the best the CPU has, unless the
 * environment variable RP_SIMD (scalar, sse2 or avx2) asks for a lower
 * one, or rp_bytescan_force() chose one. */
int rp_bytescan_level(void);

/* For tests: makes rp_bytescan use path level from now on (all threads).
 * @return 0, or -1 when this CPU or build has no such path. */
int rp_bytescan_force(int level);

/* @return the number of set bits of x. */
static inline unsigned rp_popcount64(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

/* @return the index of the lowest set bit of x, which is not 0. */
static inline unsigned rp_ctz64(uint64_t x)
{
    return (unsigned)__builtin_ctzll(x);
}

#endif
