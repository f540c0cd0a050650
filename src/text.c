/*
 * text.c - from the bytes of a file to UTF-8 article text.
 *
 * News archives are not all UTF-8. Old collections (METER, for one) are
 * Latin-1 or Windows-1252, some exports are UTF-16 with a byte order mark,
 * and many UTF-8 files start with a mark the tokenizer would read as a
 * character. This module detects the encoding, converts to UTF-8, refuses
 * what looks binary, and hands HTML to html.c for its text.
 *
 * Detection without a mark: valid UTF-8 is UTF-8. Text with invalid
 * sequences is Windows-1252 when it has fewer valid multi-byte sequences
 * than invalid bytes: an accented letter in Latin-1 is a lone byte >= 0x80
 * and almost never forms a valid UTF-8 sequence by chance, while a UTF-8
 * file with a few damaged bytes still has many good sequences (those stray
 * bytes are then read as U+FFFD by the tokenizer, as before).
 */
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bytescan.h"
#include "reprint.h"
#include "util.h"

#define BINARY_PROBE 8192

/* Windows-1252 0x80-0x9F. The five bytes it leaves undefined (81, 8D, 8F,
 * 90, 9D) map to the C1 control of the same value, as Latin-1 does. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

/* Length of the valid UTF-8 sequence at s[0..n) (no overlongs, no
 * surrogates, at most U+10FFFF), or 0 when it is invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

rp_encoding rp_text_encoding(const char *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return RP_ENC_UTF8_BOM;
    if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE)
        return RP_ENC_UTF16LE;
    if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF)
        return RP_ENC_UTF16BE;
    size_t good = 0, bad = 0;
    size_t simd_at = 0;   /* (after a block the fast path refused) */
    for (size_t i = 0; i < len;) {
#if defined(__SSE2__)
        /* 16 bytes at a time while they are ASCII and well-formed
         * two-byte sequences (news text in Latin, Greek, Cyrillic,
         * Hebrew and Arabic scripts): every lead byte C2..DF followed by
         * a continuation byte 80..BF and every continuation byte after a
         * lead. A lead in the last byte waits for the next step; any
         * other byte sends that block to the byte loop below. */
        size_t i0 = i;
        while (i >= simd_at && i + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            unsigned high = (unsigned)_mm_movemask_epi8(v);
            if (!high) {
                i += 16;
                continue;
            }
            /* signed bytes: 80..BF are -128..-65, C2..DF are -62..-33 */
            unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
            unsigned lead = (unsigned)_mm_movemask_epi8(
                _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-63)),
                              _mm_cmplt_epi8(v, _mm_set1_epi8(-32))));
            unsigned whole = lead & 0x7FFF;   /* leads with their pair here */
            if ((cont | lead) != high || cont != whole << 1) {
                simd_at = i + 16;
                break;
            }
            good += rp_popcount64(whole);
            i += lead & 0x8000 ? 15 : 16;
        }
        if (i != i0)
            continue;
#endif
        if (s[i] < 0x80) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* skip ASCII 8 bytes at a time, and to the first byte >= 0x80
             * of a word at once (its lowest high bit) */
            uint64_t v, hi = 0;
            while (i + 8 <= len && (memcpy(&v, s + i, 8), !(hi = v & 0x8080808080808080ull)))
                i += 8;
            if (hi) {
                i += (size_t)__builtin_ctzll(hi) >> 3;
                continue;
            }
#endif
            while (i < len && s[i] < 0x80)
                i++;
            continue;
        }
        /* the common case first: two bytes (U+0080 to U+07FF) */
        if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
            good++;
            i += 2;
            continue;
        }
        size_t n = utf8_seq(s + i, len - i);
        if (n) {
            good++;
            i += n;
        } else {
            bad++;
            i++;
        }
    }
    return bad > good ? RP_ENC_CP1252 : RP_ENC_UTF8;
}

const char *rp_encoding_name(rp_encoding e)
{
    switch (e) {
    case RP_ENC_UTF8: return "utf-8";
    case RP_ENC_UTF8_BOM: return "utf-8 with bom";
    case RP_ENC_UTF16LE: return "utf-16le";
    case RP_ENC_UTF16BE: return "utf-16be";
    case RP_ENC_CP1252: return "windows-1252";
    }
    return "unknown";
}

/* Every byte becomes at most 3 bytes of UTF-8. */
static char *from_cp1252(const unsigned char *s, size_t len, size_t *outlen)
{
    char *o = malloc(len * 3 + 1), *w = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        w += rp_utf8_put(w, c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c);
    }
    *w = 0;
    *outlen = (size_t)(w - o);
    return o;
}

/* s[0..len) is UTF-16 after its mark. A code unit (2 bytes) becomes at
 * most 3 bytes, a surrogate pair (4 bytes) 4. Lone surrogates and an odd
 * last byte become U+FFFD. */
static char *from_utf16(const unsigned char *s, size_t len, int be,
                        size_t *outlen)
{
    char *o = malloc(len / 2 * 3 + 4), *w = o;
    if (!o)
        return NULL;
    size_t i = 0;
    while (i + 1 < len) {
        uint32_t u = be ? (uint32_t)s[i] << 8 | s[i + 1] : (uint32_t)s[i + 1] << 8 | s[i];
        i += 2;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len) {
            uint32_t v = be ? (uint32_t)s[i] << 8 | s[i + 1] : (uint32_t)s[i + 1] << 8 | s[i];
            if (v >= 0xDC00 && v <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
                i += 2;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        w += rp_utf8_put(w, u);
    }
    if (i < len)
        w += rp_utf8_put(w, 0xFFFD);
    *w = 0;
    *outlen = (size_t)(w - o);
    return o;
}

static char *copy(const char *s, size_t len, size_t *outlen)
{
    char *o = malloc(len + 1);
    if (!o)
        return NULL;
    memcpy(o, s, len);
    o[len] = 0;
    *outlen = len;
    return o;
}

/* Is s[0..len) HTML by its first tag? */
static int looks_html(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f'))
        i++;
    static const char *const heads[] = {"<!doctype html", "<html", NULL};
    for (const char *const *h = heads; *h; h++) {
        size_t n = strlen(*h), k = 0;
        while (k < n && i + k < len && (s[i + k] | 0x20) == ((*h)[k] | 0x20))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* Both ways in: own is in itself, malloc'd with room for a NUL after len
 * bytes, when the caller handed it over (rp_text_prepare_buf), else NULL.
 * UTF-8 then stays where it is (a mark is moved out in place) instead of
 * being copied; own is freed whenever it is not the result. */
static int prepare(const char *in, char *own, size_t len, unsigned flags, char **out,
                   size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    char *u = NULL;
    size_t ulen = 0;
    *out = NULL;
    *outlen = 0;
    if (len > RP_MAX_TEXT) {
        free(own);
        return RP_ETOOBIG;
    }
    rp_encoding e = rp_text_encoding(in, len);
    if (e != RP_ENC_UTF16LE && e != RP_ENC_UTF16BE &&
        memchr(in, 0, len < BINARY_PROBE ? len : BINARY_PROBE)) {
        free(own);
        return RP_EBINARY;
    }
    if (own && (e == RP_ENC_UTF8 || e == RP_ENC_UTF8_BOM)) {
        size_t skip = e == RP_ENC_UTF8_BOM ? 3 : 0;
        memmove(own, own + skip, len - skip);
        own[len - skip] = 0;
        u = own;
        ulen = len - skip;
        own = NULL;
    }
    else
        switch (e) {
        case RP_ENC_UTF8: u = copy(in, len, &ulen); break;
        case RP_ENC_UTF8_BOM: u = copy(in + 3, len - 3, &ulen); break;
        case RP_ENC_UTF16LE: u = from_utf16(s + 2, len - 2, 0, &ulen); break;
        case RP_ENC_UTF16BE: u = from_utf16(s + 2, len - 2, 1, &ulen); break;
        case RP_ENC_CP1252: u = from_cp1252(s, len, &ulen); break;
        }
    free(own);   /* converted from (NULL when it became u) */
    if (!u)
        return RP_ENOMEM;
    if ((e == RP_ENC_UTF16LE || e == RP_ENC_UTF16BE) &&
        memchr(u, 0, ulen < BINARY_PROBE ? ulen : BINARY_PROBE)) {
        free(u);
        return RP_EBINARY;
    }
    if ((flags & RP_TEXT_HTML) ||
        ((flags & RP_TEXT_SNIFF_HTML) && looks_html(u, ulen))) {
        int rc = rp_html_text(u, ulen, out, outlen);
        free(u);
        return rc;
    }
    if (ulen > RP_MAX_TEXT) {
        free(u);
        return RP_ETOOBIG;
    }
    *out = u;
    *outlen = ulen;
    return RP_OK;
}

int rp_text_prepare(const char *in, size_t len, unsigned flags, char **out,
                    size_t *outlen)
{
    return prepare(in, NULL, len, flags, out, outlen);
}

int rp_text_prepare_buf(char *buf, size_t len, unsigned flags, char **out,
                        size_t *outlen)
{
    return prepare(buf, buf, len, flags, out, outlen);
}
