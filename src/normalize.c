/*
 * normalize.c - the tokenizer: raw article bytes to normalized word tokens.
 *
 * Two copies of one wire story differ in ways a reader does not see: curly
 * or straight quotes, accents, ligatures, full-width forms, case, no-break
 * spaces, soft hyphens. Every one of those would break a shingle, so each
 * word is reduced to one canonical form before it is hashed:
 *
 *   - bytes are decoded as UTF-8 with utf8proc; an invalid byte reads as
 *     U+FFFD (a separator) and never stops the run; an HTML entity with
 *     its ';' (&eacute; &#233; &#xE9;, names from libxml2's table) reads
 *     as the character it stands for, in any text;
 *   - a word is a run of code points of general category L* or N* (marks
 *     M* continue a word); the test is by category, never by ASCII ranges;
 *     apostrophes, quotes and dashes separate words, in every typographic
 *     variant (rp_fold_punct);
 *   - soft hyphens, zero-width spaces and joiners, the word joiner, the
 *     byte order mark and the Arabic tatweel are ignored inside a word, so
 *     they cannot split one;
 *   - each word is mapped to NFKC with Unicode case folding and its marks
 *     removed (utf8proc COMPAT|CASEFOLD|STRIPMARK, then COMPOSE); the
 *     Turkish dotless i folds onto i (so "IŞIK" and "ışık" agree), and the
 *     Arabic alef maksura and teh marbuta onto yeh and heh, spelling
 *     variants that news sites use interchangeably;
 *   - a word that mixes Latin with Cyrillic or Greek letters has its
 *     lookalikes of the other scripts folded onto its main script
 *     ("pаypal" with a Cyrillic а becomes "paypal"), using Unicode's
 *     confusables data (see tools/gen_confusables.c); words in one script
 *     are never changed, so real Cyrillic and Greek text is untouched;
 *   - words of pure ASCII (most of them) take a fast path that never
 *     calls utf8proc and yields the same bytes: runs of bytes below 0x80
 *     other than '&' are read 64 bytes at a time as bit masks of letters
 *     and digits (bytescan.c), so a word is found with two bit scans and
 *     lowercased by setting bit 0x20; the whole words of a 64-byte block
 *     come from its masks of word starts and ends, and words of up to 16
 *     bytes are hashed through XXH3's short-input bodies straight from
 *     the text, lowercased in registers;
 *   - two-byte code points (Latin accents, Greek, Cyrillic, Hebrew,
 *     Arabic) are decoded inline and classified and folded through
 *     tables made once with utf8proc; only longer ones, and a word's
 *     composition, call utf8proc;
 *   - scripts written without spaces (Han, kana, Thai, Lao, Khmer,
 *     Myanmar) have no words to find, so their runs become overlapping
 *     character bigrams, the usual unit for such text.
 *
 * A token is the XXH3-64 hash of the normalized word's UTF-8 plus the byte
 * span of the word in the original text, so `reprint diff` can map shared
 * passages back to what the user wrote.
 */
#include "normalize.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/HTMLparser.h>
#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bytescan.h"
#include "threadbuf.h"
#include "util.h"

/* confusables[]: {Cyrillic or Greek letter, the Latin letter it looks
 * like}, generated at build time from Unicode's data. */
#include "confusables.h"

/* XXH3_64bits of a word: a word of up to 16 bytes (most of them) goes
 * through xxhash.h's always-inlined short-input body (0.8.x), without
 * the call and the length dispatch of XXH3_64bits; the same value. */
static inline uint64_t word_hash(const uint8_t *p, size_t len)
{
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
    if (len <= 16)
        return XXH3_len_0to16_64b(p, len, XXH3_kSecret, 0);
#endif
    return XXH3_64bits(p, len);
}

/* word_hash of the lowercased copy of the ASCII letters and digits
 * p[0..len), 1 <= len <= 16, without the copy: XXH3's bodies for 1 to 3,
 * 4 to 8 and 9 to 16 bytes (seed 0) written out over loads of the word
 * itself, each byte lowercased by bit 0x20 (a letter's case bit; a digit
 * has it already). It reads only p[0..len). Little-endian only, where a
 * load is XXH_readLE; the tokenizer's reference mode hashes the copy, and
 * the tests compare the two. */
#if defined(XXH_VERSION_NUMBER) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900 && \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LOWER_HASH 1
static inline uint64_t lower_hash(const uint8_t *p, size_t len)
{
    const uint8_t *sec = XXH3_kSecret;
    if (len > 8) {
        uint64_t lo, hi;
        memcpy(&lo, p, 8);
        memcpy(&hi, p + len - 8, 8);
        lo = (lo | 0x2020202020202020ull) ^ (XXH_readLE64(sec + 24) ^ XXH_readLE64(sec + 32));
        hi = (hi | 0x2020202020202020ull) ^ (XXH_readLE64(sec + 40) ^ XXH_readLE64(sec + 48));
        return XXH3_avalanche(len + XXH_swap64(lo) + hi + XXH3_mul128_fold64(lo, hi));
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        uint64_t v = (uint64_t)(b | 0x20202020u) + ((uint64_t)(a | 0x20202020u) << 32);
        return XXH3_rrmxmx(v ^ (XXH_readLE64(sec + 8) ^ XXH_readLE64(sec + 16)), len);
    }
    uint32_t c = (uint32_t)(p[0] | 0x20) << 16 | (uint32_t)(p[len >> 1] | 0x20) << 24 |
                 (uint32_t)(p[len - 1] | 0x20) | (uint32_t)len << 8;
    return XXH64_avalanche(c ^ (uint64_t)(XXH_readLE32(sec) ^ XXH_readLE32(sec + 4)));
}
#else
#define LOWER_HASH 0
#endif

/* ASCII letters and digits map to their lowercase byte, all else to 0. */
static uint8_t ascii_word[128];

/* Filled once, by fold_table_init under pthread_once (before it, as
 * classify_slow reads it). */
static void ascii_table_init(void)
{
    for (int c = '0'; c <= '9'; c++)
        ascii_word[c] = (uint8_t)c;
    for (int c = 'A'; c <= 'Z'; c++)
        ascii_word[c] = (uint8_t)(c - 'A' + 'a');
    for (int c = 'z'; c >= 'a'; c--)
        ascii_word[c] = (uint8_t)c;
}

int32_t rp_fold_punct(int32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201B: case 0x02BC: case 0x2032:
    case 0xFF07: case 0x0060: case 0x00B4: case 0x02B9: case 0x02BB:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2033: case 0xFF02: case 0x301D: case 0x301E:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
        return '-';
    default:
        return cp;
    }
}

int rp_is_nospace_script(int32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF)      /* Thai, Lao */
        || (cp >= 0x1000 && cp <= 0x109F)      /* Myanmar */
        || (cp >= 0x1780 && cp <= 0x17FF)      /* Khmer */
        || (cp >= 0x2E80 && cp <= 0x2FDF)      /* CJK radicals */
        || (cp >= 0x3005 && cp <= 0x3007)
        || (cp >= 0x3021 && cp <= 0x3029)
        || (cp >= 0x3031 && cp <= 0x3035)
        || (cp >= 0x3038 && cp <= 0x303C)
        || (cp >= 0x3040 && cp <= 0x30FF)      /* Hiragana, Katakana */
        || (cp >= 0x31F0 && cp <= 0x31FF)
        || (cp >= 0x3400 && cp <= 0x4DBF)      /* CJK ext A */
        || (cp >= 0x4E00 && cp <= 0x9FFF)      /* CJK unified */
        || (cp >= 0xF900 && cp <= 0xFAFF)      /* CJK compatibility */
        || (cp >= 0xFF66 && cp <= 0xFF9F)      /* half-width kana */
        || (cp >= 0x20000 && cp <= 0x3134F);   /* CJK ext B.. */
}

/* Code points skipped inside a word without ending it. */
static int is_ignorable(int32_t cp)
{
    return cp == 0x00AD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060
        || cp == 0xFEFF || cp == 0x0640 || cp == 0x034F;
}

size_t rp_utf8_next(const uint8_t *s, size_t len, int32_t *cp)
{
    /* two bytes (U+0080..U+07FF), the most common case, decoded here */
    if (len >= 2 && s[0] >= 0xC2 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80) {
        *cp = (int32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)(len < 4 ? len : 4), cp);
    if (n <= 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return (size_t)n;
}

size_t rp_entity(const uint8_t *s, size_t n, int32_t *cp)
{
    if (n < 4 || s[0] != '&')
        return 0;
    size_t i = 1;
    uint32_t v = 0;
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        i = 2 + (size_t)hex;
        size_t d0 = i;
        for (; i < n && i - d0 < 8; i++) {
            uint8_t c = s[i];
            if (c >= '0' && c <= '9')
                v = v * (hex ? 16 : 10) + (uint32_t)(c - '0');
            else if (hex && (c | 32) >= 'a' && (c | 32) <= 'f')
                v = v * 16 + (uint32_t)((c | 32) - 'a' + 10);
            else
                break;
        }
        if (i == d0 || i >= n || s[i] != ';' || v == 0 || v > 0x10FFFF ||
            (v >= 0xD800 && v <= 0xDFFF))
            return 0;
    } else {
        char name[33];
        size_t k = 0;
        while (i < n && k < 32 && (((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') ||
                                   (k > 0 && s[i] >= '0' && s[i] <= '9')))
            name[k++] = (char)s[i++];
        if (k < 2 || i >= n || s[i] != ';')
            return 0;
        name[k] = 0;
        const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
        if (!e)
            return 0;
        v = e->value;
    }
    *cp = (int32_t)v;
    return i + 1;
}

enum { C_SEP, C_WORD, C_MARK, C_IGNORE, C_NOSPACE };

static int classify_slow(int32_t cp)
{
    if (is_ignorable(cp))
        return C_IGNORE;
    cp = rp_fold_punct(cp);
    if (cp < 0x80)
        return ascii_word[cp] ? C_WORD : C_SEP;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return rp_is_nospace_script(cp) ? C_NOSPACE : C_WORD;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    default:
        return C_SEP;
    }
}

/* Folds applied after case folding: spelling variants treated as equal. */
static int32_t fold_extra(int32_t cp)
{
    switch (cp) {
    case 0x0131: return 'i';     /* dotless i */
    case 0x0649: return 0x064A;  /* alef maksura -> yeh */
    case 0x0629: return 0x0647;  /* teh marbuta -> heh */
    default: return cp;
    }
}

/* Appends the NFKC, case-folded, mark-free form of cp to buf (capacity
 * cap code points), as utf8proc gives it. @return the new length. */
static size_t fold_cp_slow(int32_t cp, int32_t *buf, size_t n, size_t cap)
{
    int32_t tmp[32];
    int bc = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(cp, tmp, 32,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
        UTF8PROC_STRIPMARK, &bc);
    if (k < 0 || k > 32) {
        tmp[0] = cp;
        k = 1;
    }
    for (utf8proc_ssize_t i = 0; i < k && n < cap; i++)
        buf[n++] = fold_extra(tmp[i]);
    return n;
}

/* The folds of the code points below FOLD_TABLE (Latin, Greek, Cyrillic,
 * Armenian, Hebrew, Arabic, ...), worked out once by fold_cp_slow: a
 * non-ASCII word of those scripts then costs a table look-up a code point
 * instead of a call into utf8proc. len 0 marks a fold longer than
 * FOLD_MAX, left to fold_cp_slow. */
#define FOLD_TABLE 0x800
#define FOLD_MAX 3

typedef struct fold_entry {
    int32_t cp[FOLD_MAX];
    uint8_t len;
} fold_entry;

static fold_entry fold_table[FOLD_TABLE];
/* classify_slow of the code points below FOLD_TABLE */
static uint8_t class_table[FOLD_TABLE];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void fold_table_init(void)
{
    ascii_table_init();
    for (int32_t c = 0; c < FOLD_TABLE; c++) {
        int32_t buf[32];
        size_t k = fold_cp_slow(c, buf, 0, 32);
        if (k > FOLD_MAX)
            continue;
        memcpy(fold_table[c].cp, buf, k * sizeof *buf);
        fold_table[c].len = (uint8_t)k;
    }
    for (int32_t c = 0; c < FOLD_TABLE; c++)
        class_table[c] = (uint8_t)classify_slow(c);
}

/* The class of cp in a word: C_WORD, C_MARK, C_IGNORE, C_NOSPACE or C_SEP. */
static int classify(int32_t cp)
{
    if (cp >= 0 && cp < FOLD_TABLE)
        return class_table[cp];
    return classify_slow(cp);
}

/* Decodes the two-byte sequence at s[i..end) (U+0080..U+07FF, the most
 * common non-ASCII case: Latin accents, Greek, Cyrillic, Arabic, Hebrew)
 * into *cp, as rp_utf8_next would. @return 2, or 0 when s[i] starts none. */
static inline size_t utf8_two(const uint8_t *s, size_t i, size_t end, int32_t *cp)
{
    if (end - i < 2)
        return 0;
    uint8_t b = s[i];
    if (b < 0xC2 || b > 0xDF || (s[i + 1] & 0xC0) != 0x80)
        return 0;
    *cp = (int32_t)(b & 0x1F) << 6 | (s[i + 1] & 0x3F);
    return 2;
}

/* fold_cp_slow, through the table when cp is in it. */
static inline size_t fold_cp(int32_t cp, int32_t *buf, size_t n, size_t cap)
{
    if (cp >= 0 && cp < FOLD_TABLE && fold_table[cp].len) {
        const fold_entry *e = &fold_table[cp];
        for (unsigned i = 0; i < e->len && n < cap; i++)
            buf[n++] = e->cp[i];
        return n;
    }
    return fold_cp_slow(cp, buf, n, cap);
}

/* Encodes cps to UTF-8 in out (capacity cap bytes), stopping before a code
 * point that would not fit. @return bytes written. */
static size_t encode(const int32_t *cps, size_t n, uint8_t *out, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t c = cps[i];
        /* one and two bytes here, as utf8proc writes them */
        if (c >= 0 && c < 0x80) {
            if (w + 1 > cap)
                break;
            out[w++] = (uint8_t)c;
            continue;
        }
        if (c >= 0x80 && c < 0x800) {
            if (w + 2 > cap)
                break;
            out[w++] = (uint8_t)(0xC0 | c >> 6);
            out[w++] = (uint8_t)(0x80 | (c & 0x3F));
            continue;
        }
        uint8_t tmp[4];
        utf8proc_ssize_t k = utf8proc_encode_char(c, tmp);
        if (k <= 0 || w + (size_t)k > cap)
            break;
        memcpy(out + w, tmp, (size_t)k);
        w += (size_t)k;
    }
    return w;
}

/* Grows the token array, or sets the sticky error. The first growth
 * makes room for a word every 7 bytes of the text, about as many as news
 * text has, so that a document grows it once or not at all. */
static int emit_grow(rp_tokenizer *t)
{
    if (t->err)
        return 0;
    size_t need = t->n + 1;
    if (t->cap == 0 && t->len / 7 > need)
        need = t->len / 7;
    if (rp_grow(&t->tok, &t->cap, need, sizeof *t->tok) < 0) {
        t->err = RP_ENOMEM;
        return 0;
    }
    return 1;
}

/* Appends a token. Once an allocation failed, n stays at cap, so the
 * fast path never runs again and nothing more is stored. */
static inline void emit(rp_tokenizer *t, uint64_t h, size_t start, size_t end)
{
    if (t->n == t->cap && !emit_grow(t))
        return;
    rp_token *k = &t->tok[t->n++];
    k->hash = h;
    k->start = (uint32_t)start;
    k->end = (uint32_t)end;
}

/* Normalizing a non-ASCII word through utf8proc costs a few hundred
 * instructions a code point, and news text repeats its words, so each
 * thread keeps the last results in a direct-mapped cache: raw bytes (by
 * their XXH3 hash) to the normalized word's hash, 16 bytes an entry (2 MiB
 * a thread, a block of threadbuf.c made on the thread's first such word
 * and touched only as far as its texts have them). The slot
 * comes from the top bits of the raw hash; its bit 1 holds whether the
 * word normalizes to anything, bit 0 is set so that 0 means empty. The
 * mapping is a function of the bytes, so a hit gives exactly what
 * normalizing gives; only a collision of two 62-bit hashes could differ. */
#define WORD_CACHE_BITS 17       /* 2^17 entries */
#define WORD_CACHE_MAXLEN 64     /* longer words are not cached */

typedef struct word_cache_entry {
    uint64_t raw;                /* hash of the raw bytes | 1, bit 1: not
                                    empty; 0 = unused slot */
    uint64_t norm;               /* hash of the normalized word */
} word_cache_entry;


enum { S_LATIN, S_CYRILLIC, S_GREEK, S_OTHER };

static int script_of(int32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp < 0x250))
        return S_LATIN;
    if (cp >= 0x400 && cp < 0x530)
        return S_CYRILLIC;
    if ((cp >= 0x370 && cp < 0x400) || (cp >= 0x1F00 && cp < 0x2000))
        return S_GREEK;
    return S_OTHER;
}

/* In a folded word that mixes Latin, Cyrillic and Greek letters, maps the
 * lookalikes from the other scripts onto the script with the most letters
 * (Latin on a tie). A word in one script is left alone. */
static void fold_mixed_script(int32_t *cps, size_t n)
{
    size_t count[4] = {0};
    for (size_t i = 0; i < n; i++)
        count[script_of(cps[i])]++;
    int scripts = (count[S_LATIN] > 0) + (count[S_CYRILLIC] > 0) + (count[S_GREEK] > 0);
    if (scripts < 2)
        return;
    int main_script = S_LATIN;
    if (count[S_CYRILLIC] > count[main_script])
        main_script = S_CYRILLIC;
    if (count[S_GREEK] > count[main_script])
        main_script = S_GREEK;
    size_t nc = sizeof confusables / sizeof confusables[0];
    for (size_t i = 0; i < n; i++) {
        int sc = script_of(cps[i]);
        if (sc == main_script || sc == S_OTHER)
            continue;
        for (size_t k = 0; k < nc; k++) {
            if (main_script == S_LATIN && confusables[k].other == cps[i]) {
                cps[i] = confusables[k].latin;
                break;
            }
            if (main_script != S_LATIN && sc == S_LATIN && confusables[k].latin == cps[i] &&
                script_of(confusables[k].other) == main_script) {
                cps[i] = confusables[k].other;
                break;
            }
        }
    }
}

/* @return nonzero and *h when the normalized word s[0..len) is not empty. */
static int normalize_word(const uint8_t *s, size_t len, uint64_t *h, int simple)
{
    int32_t cps[RP_WORD_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len && n < RP_WORD_MAX;) {
        int32_t cp;
        uint8_t b = s[i];
        size_t k;
        /* ASCII and two-byte code points are decoded here and looked up
         * in the tables (class_table knows the ignorable ones); the rest
         * as rp_utf8_next and rp_entity read them */
        if (b < 0x80 && b != '&' && !simple) {
            cp = b;
            i++;
        } else if (!simple && (k = utf8_two(s, i, len, &cp)) != 0) {
            i += k;
        } else {
            k = b == '&' ? rp_entity(s + i, len - i, &cp) : 0;
            i += k ? k : rp_utf8_next(s + i, len - i, &cp);
        }
        if ((!simple && cp >= 0 && cp < FOLD_TABLE) ? class_table[cp] == C_IGNORE : is_ignorable(cp))
            continue;
        n = fold_cp(cp, cps, n, RP_WORD_MAX);
    }
    /* Folded to ASCII ("número" to "numero"): one script, nothing to
     * compose, one byte a code point, so the steps below change nothing. */
    int32_t high = 0;
    for (size_t i = 0; i < n; i++)
        high |= cps[i];
    if (high >= 0 && high < 0x80) {
        if (n == 0)
            return 0;
        uint8_t ascii[RP_WORD_MAX];
        for (size_t i = 0; i < n; i++)
            ascii[i] = (uint8_t)cps[i];
        *h = XXH3_64bits(ascii, n);
        return 1;
    }
    fold_mixed_script(cps, n);
    /* Below U+0800 the only code points that compose with the one
     * before them are marks, which the fold removed (test_normalize
     * checks this against utf8proc's data): a word folded to those, most
     * of them (Latin, Greek, Cyrillic, Hebrew, Arabic), has nothing to
     * compose. The reference composes every word. */
    high = 0;
    for (size_t i = 0; i < n; i++)
        high |= cps[i];
    utf8proc_ssize_t m = (utf8proc_ssize_t)n;
    if (simple || high < 0 || high >= 0x800)
        m = utf8proc_normalize_utf32(cps, (utf8proc_ssize_t)n,
                                     UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (m < 0)
        m = (utf8proc_ssize_t)n;
    uint8_t bytes[RP_WORD_MAX];
    size_t out = encode(cps, (size_t)m, bytes, sizeof bytes);
    if (out == 0)
        return 0;
    *h = XXH3_64bits(bytes, out);
    return 1;
}

/* Fills in the token of the oldest pending word (see flush_slow_word):
 * its hash from the cache slot, now in cache, or from normalizing the
 * word on a miss; a word that normalizes to nothing leaves a hole
 * (start UINT32_MAX), taken out by fill_pending. */
static void fill_oldest(rp_tokenizer *t)
{
    struct rp_pending *p = &t->pend[t->pend_head];
    t->pend_head = (t->pend_head + 1) % RP_PENDING;
    t->npend--;
    word_cache_entry *e = p->slot;
    rp_token *k = &t->tok[p->tok];
    if ((e->raw | 2) != p->raw) {
        int has = normalize_word(t->s + k->start, k->end - k->start, &e->norm, 0);
        e->raw = has ? p->raw : p->raw & ~(uint64_t)2;
    }
    if (e->raw & 2) {
        k->hash = e->norm;
    } else {
        k->start = UINT32_MAX;
        t->holes++;
    }
}

/* Fills in every pending word's token and takes out the holes, so that
 * the tokens are complete when a feed returns. */
static void fill_pending(rp_tokenizer *t)
{
    while (t->npend)
        fill_oldest(t);
    if (!t->holes)
        return;
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->tok[i].start != UINT32_MAX)
            t->tok[w++] = t->tok[i];
    t->n = w;
    t->holes = 0;
}

/* Normalizes the non-ASCII word s[wstart..wend) and emits its token.
 *
 * The word cache is too large for the processor's caches, so a lookup
 * mostly waits for memory: the word's slot is prefetched and its token
 * stored now, and the hash is filled in RP_PENDING non-ASCII words later
 * (or at the end of the feed), when the slot has arrived. Tokens keep
 * their order; the hashes are the ones the lookup at once would give. */
static void flush_slow_word(rp_tokenizer *t)
{
    const uint8_t *w = t->s + t->wstart;
    size_t len = t->wend - t->wstart;
    uint64_t h = 0;
    word_cache_entry *cache = NULL;
    if (len <= WORD_CACHE_MAXLEN && !t->simple) {
        if (!t->word_cache)
            t->word_cache = rp_threadbuf(RP_TB_WORD_CACHE, sizeof *cache << WORD_CACHE_BITS);
        cache = t->word_cache;
    }
    if (!cache) {   /* (also when out of memory: the same token) */
        if (normalize_word(w, len, &h, t->simple))
            emit(t, h, t->wstart, t->wend);
        return;
    }
    uint64_t raw = word_hash(w, len) | 3;
    word_cache_entry *e = &cache[raw >> (64 - WORD_CACHE_BITS)];
    __builtin_prefetch(e);
    if (t->n == t->cap && !emit_grow(t))
        return;
    if (t->npend == RP_PENDING)
        fill_oldest(t);
    struct rp_pending *p = &t->pend[(t->pend_head + t->npend) % RP_PENDING];
    p->tok = t->n;
    p->raw = raw;
    p->slot = e;
    t->npend++;
    rp_token *k = &t->tok[t->n++];
    k->hash = 0;
    k->start = (uint32_t)t->wstart;
    k->end = (uint32_t)t->wend;
}

static void flush_word(rp_tokenizer *t)
{
    if (!t->in_word)
        return;
    if (t->word_ascii)
        emit(t, t->simple ? XXH3_64bits(t->wbuf, t->wlen) : word_hash(t->wbuf, t->wlen),
             t->wstart, t->wend);
    else
        flush_slow_word(t);
    t->in_word = 0;
}

/* Ends a run of a no-space script; a run of one character is a token. */
static void flush_run(rp_tokenizer *t, size_t end)
{
    if (t->run_len == 1) {
        int32_t cps[8];
        size_t n = fold_cp(t->prev_cp, cps, 0, 8);
        /* (room for 16 code points, as nospace_char's, though 8 fit in
         * 32 bytes: gcc -O3 warns of XXH3's reads past 32 otherwise) */
        uint8_t b[64];
        size_t len = encode(cps, n, b, sizeof b);
        if (len)
            emit(t, XXH3_64bits(b, len), t->prev_start, end);
    }
    t->run_len = 0;
}

static void nospace_char(rp_tokenizer *t, int32_t cp, size_t start, size_t end)
{
    if (t->run_len > 0) {
        int32_t cps[16];
        size_t n = fold_cp(t->prev_cp, cps, 0, 8);
        n = fold_cp(cp, cps, n, 16);
        uint8_t b[64];
        size_t len = encode(cps, n, b, sizeof b);
        emit(t, XXH3_64bits(b, len), t->prev_start, end);
    }
    t->prev_cp = cp;
    t->prev_start = start;
    t->run_len++;
}

void rp_tokenizer_init(rp_tokenizer *t, const uint8_t *s, size_t len)
{
    pthread_once(&fold_once, fold_table_init);
    memset(t, 0, sizeof *t);
    t->s = s;
    t->len = len;
    rp_bwindow_init(&t->win, s, len);
}

/* Lowercases the 8 ASCII letters and digits at src into dst (bit 0x20
 * lowercases a letter and leaves a digit alone). */
static inline void lower8(uint8_t *dst, const uint8_t *src)
{
    uint64_t v;
    memcpy(&v, src, 8);
    v |= 0x2020202020202020ull;
    memcpy(dst, &v, 8);
}

/* Appends the ASCII letters and digits s[from..to) to the current word,
 * lowercased (bit 0x20 lowercases a letter and leaves a digit alone). */
static void word_append(rp_tokenizer *t, const uint8_t *s, size_t from, size_t to)
{
    if (!t->word_ascii) {
        /* a word with non-ASCII bytes is normalized from the text */
        t->wend = to;
        return;
    }
    size_t room = RP_WORD_MAX - t->wlen, n = to - from;
    if (n > room)
        n = room;
    uint8_t *w = t->wbuf + t->wlen;
    const uint8_t *r = s + from;
    /* 8 bytes at a time, the last step past the word when the text and
     * the buffer have room: bytes past wlen are never read */
    size_t k = 0;
    while (k < n) {
        if (from + k + 8 <= t->len && t->wlen + k + 8 <= RP_WORD_MAX) {
            lower8(w + k, r + k);
            k += 8;
        } else {
            w[k] = r[k] | 0x20;
            k++;
        }
    }
    t->wlen += n;
    t->wend = to;
}

/* The hash of the whole ASCII word s[at..at+len) lowercased. */
static inline uint64_t whole_word_hash(const rp_tokenizer *t, size_t at, size_t len)
{
    const uint8_t *r = t->s + at;
#if LOWER_HASH
    if (len <= 16)
        return lower_hash(r, len);
#endif
    uint8_t buf[64 + 8];
    size_t k = 0;
    if (at + len + 8 <= t->len) {
        for (; k < len; k += 8)
            lower8(buf + k, r + k);
    } else {
        for (; k < len; k++)
            buf[k] = r[k] | 0x20;
    }
    return word_hash(buf, len);
}

/* The fast path: reads s[i..end) up to the first byte >= 0x80 or '&', 64
 * bytes at a time. Letters and digits make words, every other byte ends
 * one. A word still open at the stop stays open (the slow byte may
 * continue it). @return where it stopped. */
static size_t ascii_run(rp_tokenizer *t, size_t i, size_t end)
{
    const uint8_t *s = t->s;
    while (i < end) {
        rp_bblock m;
        size_t n = rp_bwindow_at(&t->win, i, &m);
        if (n > end - i)
            n = end - i;
        size_t lim = m.slow ? rp_ctz64(m.slow) : 64;
        if (lim > n)
            lim = n;
        uint64_t word = m.alnum;
        size_t pos = 0;
        if (t->in_word) {
            /* the word goes on to the next byte that is not alnum */
            uint64_t gap = ~word;
            size_t e = gap ? rp_ctz64(gap) : 64;
            if (e > lim)
                e = lim;
            if (e > 0)
                word_append(t, s, i, i + e);
            if (e >= lim) {
                i += lim;
                if (lim < n)
                    break;
                continue;
            }
            flush_word(t);
            pos = e;
        }
        /* The words from pos on, by their first bytes (starts) and the
         * bytes right after them (ends), both below lim: a start with an
         * end is a whole word, hashed here (whole_word_hash); a
         * start without one is a word that reaches lim and stays open
         * (the next block or slow byte may continue it). */
        uint64_t below = lim == 64 ? ~(uint64_t)0 : ((uint64_t)1 << lim) - 1;
        uint64_t starts = word & ~(word << 1) & below & ~(((uint64_t)1 << pos) - 1);
        uint64_t ends = ~word & (word << 1) & below & ~(((uint64_t)2 << pos) - 1);
        /* emit's work on locals, which the token stores cannot alias */
        rp_token *tk = t->tok;
        size_t tn = t->n, tcap = t->cap;
        for (; starts; starts &= starts - 1, ends &= ends - 1) {
            size_t w = rp_ctz64(starts);
            if (!ends) {
                t->n = tn;
                t->in_word = 1;
                t->word_ascii = 1;
                t->wstart = i + w;
                t->wlen = 0;
                word_append(t, s, i + w, i + lim);
                break;
            }
            size_t e = rp_ctz64(ends);
            uint64_t h = whole_word_hash(t, i + w, e - w);
            if (tn == tcap) {
                t->n = tn;
                if (!emit_grow(t))
                    continue;   /* (dropped, as emit drops it) */
                tk = t->tok;
                tcap = t->cap;
            }
            tk[tn].hash = h;
            tk[tn].start = (uint32_t)(i + w);
            tk[tn].end = (uint32_t)(i + e);
            tn++;
        }
        t->n = tn;
        i += lim;
        if (lim < n)
            break;
    }
    return i;
}

/* Appends v to the record as LEB128 (7 bits a byte, low first). */
static void rec_put(rp_tokenizer *t, size_t v)
{
    if (t->rec_cap - t->rec_n < 10 &&
        rp_grow(&t->rec, &t->rec_cap, t->rec_n + 10, 1) < 0) {
        t->rec_on = 0;
        return;
    }
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        t->rec[t->rec_n++] = b | (v ? 0x80 : 0);
    } while (v);
}

/* Reads one LEB128 value at rec[*i..n). @return 0 when malformed. */
static int rec_get(const uint8_t *rec, size_t n, size_t *i, size_t *v)
{
    size_t x = 0;
    for (unsigned sh = 0; *i < n && sh < 64; sh += 7) {
        uint8_t b = rec[(*i)++];
        x |= (size_t)(b & 0x7F) << sh;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

int rp_tokenizer_replay(rp_tokenizer *t, const uint8_t *rec, size_t n)
{
    size_t i = 0, at = 0;
    while (i < n) {
        size_t gap, len;
        if (!rec_get(rec, n, &i, &gap) || !rec_get(rec, n, &i, &len) ||
            gap > t->len - at || len > t->len - at - gap)
            return RP_EINVAL;
        rp_tokenizer_feed(t, at + gap, at + gap + len);
        at += gap + len;
    }
    return t->err;
}

void rp_tokenizer_feed(rp_tokenizer *t, size_t start, size_t end)
{
    const uint8_t *s = t->s;
    size_t i = start, run_end = start;
    if (end > t->len)
        end = t->len;
    if (t->rec_on) {
        if (start < t->rec_end || start > end) {
            t->rec_on = 0;
        } else {
            rec_put(t, start - t->rec_end);
            rec_put(t, end - start);
            t->rec_end = end;
        }
    }
    while (i < end) {
        uint8_t b = s[i];
        int32_t cp;
        size_t n = 0;
        /* a letter or digit starts a run of the fast path; a lone
         * separator (the space between two non-ASCII words) is cheaper
         * on the byte path below */
        if (b < 0x80 && ascii_word[b] && !t->simple) {
            if (t->run_len)
                flush_run(t, run_end);
            i = ascii_run(t, i, end);
            continue;
        }
        if (b == '&')
            n = rp_entity(s + i, end - i, &cp);   /* &eacute; &#233; */
        if (b < 0x80 && !n) {
            uint8_t l = ascii_word[b];
            if (l) {
                if (t->run_len)
                    flush_run(t, run_end);
                if (!t->in_word) {
                    t->in_word = 1;
                    t->word_ascii = 1;
                    t->wstart = i;
                    t->wlen = 0;
                }
                if (t->wlen < RP_WORD_MAX)
                    t->wbuf[t->wlen++] = l;
                t->wend = ++i;
                continue;
            }
            flush_word(t);
            if (t->run_len)
                flush_run(t, run_end);
            i++;
            continue;
        }
        int cls;
        if (!n && !t->simple && (n = utf8_two(s, i, end, &cp)) != 0) {
            cls = class_table[cp];
            if (cls == C_WORD && !t->run_len) {
                /* a word starts or goes on: take the two-byte letters,
                 * marks and ignorables that follow at once */
                if (!t->in_word) {
                    t->in_word = 1;
                    t->wstart = i;
                    t->wlen = 0;
                }
                t->word_ascii = 0;
                i += 2;
                while (utf8_two(s, i, end, &cp) && class_table[cp] != C_NOSPACE &&
                       class_table[cp] != C_SEP)
                    i += 2;
                t->wend = i;
                continue;
            }
        } else {
            if (!n)
                n = rp_utf8_next(s + i, end - i, &cp);
            cls = classify(cp);
        }
        switch (cls) {
        case C_WORD:
            if (t->run_len)
                flush_run(t, run_end);
            if (!t->in_word) {
                t->in_word = 1;
                t->wstart = i;
                t->wlen = 0;
            }
            t->word_ascii = 0;
            t->wend = i + n;
            break;
        case C_MARK:
        case C_IGNORE:
            if (t->in_word)
                t->wend = i + n;
            break;
        case C_NOSPACE:
            flush_word(t);
            nospace_char(t, cp, i, i + n);
            run_end = i + n;
            break;
        default:
            flush_word(t);
            if (t->run_len)
                flush_run(t, run_end);
            break;
        }
        i += n;
    }
    flush_word(t);
    if (t->run_len)
        flush_run(t, run_end);
    fill_pending(t);
}

void rp_tokenizer_free(rp_tokenizer *t)
{
    free(t->tok);
    t->tok = NULL;
    t->n = t->cap = 0;
    free(t->rec);
    t->rec = NULL;
    t->rec_n = t->rec_cap = 0;
}
