/*
 * bytescan.c - byte classes, 64 bytes at a time.
 *
 * The cleaner and the tokenizer spend their time asking, byte after byte,
 * "is this a line end, a blank, a letter, a byte the fast path cannot
 * handle?". Here those questions are answered for 64 bytes at once, as
 * one bit mask per class, so that the callers find line ends, count words
 * and skip runs of plain text with a few bit operations (popcount, count
 * trailing zeros) instead of a loop per byte.
 *
 * Three paths give identical masks: AVX2 (32 bytes a step), SSE2 (16
 * bytes a step, the x86-64 baseline) and a portable one with a table of
 * class bits. The best one the CPU has is chosen at run time, once; the
 * environment variable RP_SIMD=scalar|sse2|avx2 lowers the choice, and
 * rp_bytescan_force() lets the tests run every path on the same input.
 * rp_bytescan_blocks() classifies many blocks a call, so that a path's
 * constants are set up once for all of them.
 */
#include "bytescan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RP_HAVE_X86 1
#include <immintrin.h>
#else
#define RP_HAVE_X86 0
#endif

typedef void (*block_fn)(const uint8_t *s, rp_bmask *m);
typedef void (*blocks_fn)(const uint8_t *s, size_t nb, rp_bmask *m);

/* ------------------------------------------------------------------ */
/* Portable path                                                       */
/* ------------------------------------------------------------------ */

enum {
    K_EOL = 1, K_BLANK = 2, K_C2 = 4, K_A0 = 8, K_ALNUM = 16, K_SLOW = 32, K_INL = 64
};

static uint8_t kinds[256];

static void kinds_init(void)
{
    kinds['\n'] = K_EOL | K_BLANK;
    kinds['\r'] = K_EOL | K_BLANK;
    kinds[' '] = kinds['\t'] = kinds['\v'] = kinds['\f'] = K_BLANK;
    for (int c = '0'; c <= '9'; c++)
        kinds[c] = K_ALNUM;
    for (int c = 'a'; c <= 'z'; c++)
        kinds[c] = kinds[c - 32] = K_ALNUM;
    for (int c = 0x80; c < 256; c++)
        kinds[c] = K_SLOW;
    kinds[0xC2] |= K_C2;
    kinds[0xA0] |= K_A0;
    kinds['&'] = K_SLOW;
    const char *inl = "<]@hHwWf";
    for (const char *p = inl; *p; p++)
        kinds[(unsigned char)*p] |= K_INL;
}

static void block_scalar(const uint8_t *s, rp_bmask *m)
{
    uint64_t eol = 0, blank = 0, c2 = 0, a0 = 0, alnum = 0, slow = 0, inl = 0;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t k = kinds[s[i]], bit = (uint64_t)1 << i;
        eol |= (k & K_EOL) ? bit : 0;
        blank |= (k & K_BLANK) ? bit : 0;
        c2 |= (k & K_C2) ? bit : 0;
        a0 |= (k & K_A0) ? bit : 0;
        alnum |= (k & K_ALNUM) ? bit : 0;
        slow |= (k & K_SLOW) ? bit : 0;
        inl |= (k & K_INL) ? bit : 0;
    }
    m->eol = eol;
    m->blank = blank;
    m->c2 = c2;
    m->a0 = a0;
    m->alnum = alnum;
    m->slow = slow;
    m->inl = inl;
}

static void blocks_scalar(const uint8_t *s, size_t nb, rp_bmask *m)
{
    for (size_t b = 0; b < nb; b++)
        block_scalar(s + 64 * b, m + b);
}

#if RP_HAVE_X86
/* ------------------------------------------------------------------ */
/* SSE2: 16 bytes a step                                               */
/* ------------------------------------------------------------------ */

/* An unsigned "x <= hi" on bytes: min(x, hi) == x. */
#define LE_U8_128(x, hi) _mm_cmpeq_epi8(_mm_min_epu8((x), _mm_set1_epi8((char)(hi))), (x))
#define EQ_128(v, c) _mm_cmpeq_epi8((v), _mm_set1_epi8((char)(c)))
#define MASK_128(v) ((uint64_t)(unsigned)_mm_movemask_epi8(v))

static inline void block_sse2(const uint8_t *s, rp_bmask *m)
{
    uint64_t eol = 0, blank = 0, c2 = 0, a0 = 0, alnum = 0, slow = 0, inl = 0;
    for (unsigned k = 0; k < 64; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i e = _mm_or_si128(EQ_128(v, '\n'), EQ_128(v, '\r'));
        __m128i x = _mm_sub_epi8(v, _mm_set1_epi8(9));
        __m128i b = _mm_or_si128(LE_U8_128(x, 4), EQ_128(v, ' '));
        __m128i y = _mm_sub_epi8(lower, _mm_set1_epi8('a'));
        __m128i z = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        __m128i an = _mm_or_si128(LE_U8_128(y, 25), LE_U8_128(z, 9));
        __m128i in = _mm_or_si128(_mm_or_si128(EQ_128(v, '<'), EQ_128(v, ']')),
                                  _mm_or_si128(EQ_128(v, '@'), EQ_128(v, 'f')));
        in = _mm_or_si128(in, _mm_or_si128(EQ_128(lower, 'h'), EQ_128(lower, 'w')));
        eol |= MASK_128(e) << k;
        blank |= MASK_128(b) << k;
        c2 |= MASK_128(EQ_128(v, 0xC2)) << k;
        a0 |= MASK_128(EQ_128(v, 0xA0)) << k;
        alnum |= MASK_128(an) << k;
        slow |= (MASK_128(v) | MASK_128(EQ_128(v, '&'))) << k;
        inl |= MASK_128(in) << k;
    }
    *m = (rp_bmask){eol, blank, c2, a0, alnum, slow, inl};
}

static void blocks_sse2(const uint8_t *s, size_t nb, rp_bmask *m)
{
    for (size_t b = 0; b < nb; b++)
        block_sse2(s + 64 * b, m + b);
}

/* ------------------------------------------------------------------ */
/* AVX2: 32 bytes a step                                               */
/* ------------------------------------------------------------------ */

#define LE_U8_256(x, hi) _mm256_cmpeq_epi8(_mm256_min_epu8((x), _mm256_set1_epi8((char)(hi))), (x))
#define EQ_256(v, c) _mm256_cmpeq_epi8((v), _mm256_set1_epi8((char)(c)))
#define MASK_256(v) ((uint64_t)(uint32_t)_mm256_movemask_epi8(v))

__attribute__((target("avx2")))
static inline void block_avx2(const uint8_t *s, rp_bmask *m)
{
    uint64_t eol = 0, blank = 0, c2 = 0, a0 = 0, alnum = 0, slow = 0, inl = 0;
    for (unsigned k = 0; k < 64; k += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + k));
        __m256i lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        __m256i e = _mm256_or_si256(EQ_256(v, '\n'), EQ_256(v, '\r'));
        __m256i x = _mm256_sub_epi8(v, _mm256_set1_epi8(9));
        __m256i b = _mm256_or_si256(LE_U8_256(x, 4), EQ_256(v, ' '));
        __m256i y = _mm256_sub_epi8(lower, _mm256_set1_epi8('a'));
        __m256i z = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
        __m256i an = _mm256_or_si256(LE_U8_256(y, 25), LE_U8_256(z, 9));
        __m256i in = _mm256_or_si256(_mm256_or_si256(EQ_256(v, '<'), EQ_256(v, ']')),
                                     _mm256_or_si256(EQ_256(v, '@'), EQ_256(v, 'f')));
        in = _mm256_or_si256(in, _mm256_or_si256(EQ_256(lower, 'h'), EQ_256(lower, 'w')));
        eol |= MASK_256(e) << k;
        blank |= MASK_256(b) << k;
        c2 |= MASK_256(EQ_256(v, 0xC2)) << k;
        a0 |= MASK_256(EQ_256(v, 0xA0)) << k;
        alnum |= MASK_256(an) << k;
        slow |= (MASK_256(v) | MASK_256(EQ_256(v, '&'))) << k;
        inl |= MASK_256(in) << k;
    }
    *m = (rp_bmask){eol, blank, c2, a0, alnum, slow, inl};
}

/* Blocks in a loop, so that the constants are set up once a call. */
__attribute__((target("avx2")))
static void blocks_avx2(const uint8_t *s, size_t nb, rp_bmask *m)
{
    for (size_t b = 0; b < nb; b++)
        block_avx2(s + 64 * b, m + b);
}
#endif

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

static int best_level;
static int level;
static block_fn block = block_scalar;
static blocks_fn blocks = blocks_scalar;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* One block through the many-block function of the level (a block is
 * rare enough, at a text's end, that the call costs nothing). */
#if RP_HAVE_X86
static void one_avx2(const uint8_t *s, rp_bmask *m) { blocks_avx2(s, 1, m); }
static void one_sse2(const uint8_t *s, rp_bmask *m) { block_sse2(s, m); }
#endif

static block_fn fn_of(int lv)
{
#if RP_HAVE_X86
    if (lv == RP_SCAN_AVX2)
        return one_avx2;
    if (lv == RP_SCAN_SSE2)
        return one_sse2;
#endif
    (void)lv;
    return block_scalar;
}

static blocks_fn blocks_of(int lv)
{
#if RP_HAVE_X86
    if (lv == RP_SCAN_AVX2)
        return blocks_avx2;
    if (lv == RP_SCAN_SSE2)
        return blocks_sse2;
#endif
    (void)lv;
    return blocks_scalar;
}

static void init(void)
{
    kinds_init();
    best_level = RP_SCAN_SCALAR;
#if RP_HAVE_X86
    best_level = RP_SCAN_SSE2;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        best_level = RP_SCAN_AVX2;
#endif
    level = best_level;
    const char *env = getenv("RP_SIMD");
    if (env && strcmp(env, "scalar") == 0)
        level = RP_SCAN_SCALAR;
    else if (env && strcmp(env, "sse2") == 0 && best_level >= RP_SCAN_SSE2)
        level = RP_SCAN_SSE2;
    block = fn_of(level);
    blocks = blocks_of(level);
}

int rp_bytescan_level(void)
{
    pthread_once(&init_once, init);
    return level;
}

int rp_bytescan_force(int lv)
{
    pthread_once(&init_once, init);
    if (lv < RP_SCAN_SCALAR || lv > best_level)
        return -1;
    level = lv;
    block = fn_of(lv);
    blocks = blocks_of(lv);
    return 0;
}

void rp_bytescan_blocks(const uint8_t *s, size_t nb, rp_bmask *m)
{
    pthread_once(&init_once, init);
    blocks(s, nb, m);
}

void rp_bytescan(const uint8_t *s, size_t n, rp_bmask *m)
{
    pthread_once(&init_once, init);
    if (n >= 64) {
        block(s, m);
        return;
    }
    uint8_t buf[64] = {0};
    if (n)
        memcpy(buf, s, n);
    block(buf, m);
    uint64_t keep = ((uint64_t)1 << n) - 1;
    m->eol &= keep;
    m->blank &= keep;
    m->c2 &= keep;
    m->a0 &= keep;
    m->alnum &= keep;
    m->slow &= keep;
    m->inl &= keep;
}
