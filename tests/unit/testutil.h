/*
 * testutil.h - helpers shared by the unit tests in tests/unit/.
 *
 * Every test file includes this first: it pulls in cmocka (and the headers
 * cmocka needs before it), the public API, and a few small helpers:
 *   - a deterministic PRNG (splitmix64), so every random test is the same
 *     run after run and a failure can be reproduced;
 *   - tokenizing a C string and looking words up in the token stream;
 *   - a generator of pseudo-words (syllable strings), for documents whose
 *     shingles are distinct without copying anybody's prose.
 * Everything is static inline so a test file that does not use a helper
 * gets no unused-function warning.
 */
#ifndef RP_TESTUTIL_H
#define RP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"   /* the inside of rp_options, for options on the stack */
#include "reprint.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Deterministic randomness                                            */
/* ------------------------------------------------------------------ */

/* splitmix64 (Steele, Lea and Flood 2014): one 64-bit state, full period,
 * good enough for test data. The output function is a bijection of the
 * state, so consecutive states give distinct values. */
static inline uint64_t sm64_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t sm64(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ull;
    return sm64_mix(*state);
}

/* @return a value in [0, n) (n > 0); the modulo bias is negligible here. */
static inline uint64_t sm64_below(uint64_t *state, uint64_t n)
{
    return sm64(state) % n;
}

/* @return a double in [0, 1). */
static inline double sm64_unit(uint64_t *state)
{
    return (double)(sm64(state) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */
/* ------------------------------------------------------------------ */

/* Tokenizes the C string s; asserts success. @return the token count;
 * *out is malloc'd (or NULL), the caller frees it. */
static inline size_t tok_str(const char *s, int clean, rp_token **out)
{
    size_t n = 0;
    assert_int_equal(rp_tokenize(s, strlen(s), clean, out, &n), RP_OK);
    assert_true(n == 0 || *out != NULL);
    return n;
}

/* @return the number of tokens of s (without cleaning). */
static inline size_t tok_count(const char *s)
{
    rp_token *t = NULL;
    size_t n = tok_str(s, 0, &t);
    free(t);
    return n;
}

/* @return the hash of s, which must tokenize (uncleaned) to one token. */
static inline uint64_t word_hash(const char *s)
{
    rp_token *t = NULL;
    size_t n = tok_str(s, 0, &t);
    if (n != 1)
        print_error("'%s' gives %zu tokens, not 1\n", s, n);
    assert_int_equal(n, 1);
    uint64_t h = t[0].hash;
    free(t);
    return h;
}

/* @return nonzero when the hash of word occurs among tokens t[0..n). */
static inline int has_hash(const rp_token *t, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].hash == h)
            return 1;
    return 0;
}

/* @return nonzero when tokenizing text (cleaned or not) yields word. */
static inline int text_has_word(const char *text, int clean, const char *word)
{
    rp_token *t = NULL;
    size_t n = tok_str(text, clean, &t);
    int r = has_hash(t, n, word_hash(word));
    free(t);
    return r;
}

/* Asserts that the token hashes of a and b (uncleaned) are the same
 * sequence. */
static inline void assert_same_tokens(const char *a, const char *b)
{
    rp_token *ta = NULL, *tb = NULL;
    size_t na = tok_str(a, 0, &ta), nb = tok_str(b, 0, &tb);
    if (na != nb)
        print_error("'%s': %zu tokens, '%s': %zu tokens\n", a, na, b, nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        if (ta[i].hash != tb[i].hash)
            print_error("'%s' and '%s' differ at token %zu\n", a, b, i);
        assert_true(ta[i].hash == tb[i].hash);
    }
    free(ta);
    free(tb);
}

/* ------------------------------------------------------------------ */
/* Pseudo-text                                                         */
/* ------------------------------------------------------------------ */

/* Appends n pseudo-words of 2 to 4 syllables ("tavor", "kemilu", ...),
 * separated by spaces, to the growing string *buf (length *len); a full
 * stop closes every twelfth word. There are over a million such words, so
 * texts from different seeds share no 5-word shingle in practice. */
static inline void gen_words(uint64_t *state, size_t n, char **buf, size_t *len)
{
    static const char cons[] = "bdfgklmnprstvz";
    static const char vow[] = "aeiou";
    size_t need = *len + n * 14 + 2;
    char *p = realloc(*buf, need);
    assert_non_null(p);
    *buf = p;
    size_t w = *len;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && p[w - 1] != ' ' && p[w - 1] != '\n')
            p[w++] = ' ';
        unsigned syl = 2 + (unsigned)sm64_below(state, 3);
        for (unsigned s = 0; s < syl; s++) {
            p[w++] = cons[sm64_below(state, sizeof cons - 1)];
            p[w++] = vow[sm64_below(state, sizeof vow - 1)];
            if (sm64_below(state, 4) == 0)
                p[w++] = cons[sm64_below(state, sizeof cons - 1)];
        }
        if (i % 12 == 11)
            p[w++] = '.';
    }
    p[w] = 0;
    *len = w;
}

/* @return a malloc'd text of n pseudo-words from seed. */
static inline char *gen_text(uint64_t seed, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    uint64_t st = seed;
    gen_words(&st, n, &buf, &len);
    return buf;
}

/* @return a malloc'd copy of words [from, to) of s, a text of words
 * separated by single spaces (as gen_words writes them). */
static inline char *slice_words(const char *s, size_t from, size_t to)
{
    size_t w = 0, i = 0, b = 0, e = 0;
    int have_b = from == 0;
    for (; s[i]; i++) {
        if (s[i] != ' ')
            continue;
        w++;
        if (w == from) {
            b = i + 1;
            have_b = 1;
        }
        if (w == to)
            break;
    }
    e = i;
    assert_true(have_b && b <= e);
    char *p = malloc(e - b + 1);
    assert_non_null(p);
    memcpy(p, s + b, e - b);
    p[e - b] = 0;
    return p;
}

/* Appends the C string s to *buf. */
static inline void cat_str(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    char *p = realloc(*buf, *len + n + 1);
    assert_non_null(p);
    memcpy(p + *len, s, n + 1);
    *buf = p;
    *len += n;
}

/* @return a malloc'd copy of s (strdup is not C11). */
static inline char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* rp_doc_new as an expression: @return the document or NULL, with the
 * code in *err when err is not NULL. */
static inline rp_doc *doc_new(const char *text, size_t len, const rp_options *o, int *err)
{
    rp_doc *d = (rp_doc *)1;
    int rc = rp_doc_new(text, len, o, &d);
    if (rc != RP_OK)
        assert_null(d);   /* the out-parameter is cleared on failure */
    if (err)
        *err = rc;
    return d;
}

/* Builds a document from the C string text under o; asserts success. */
static inline rp_doc *doc_str(const char *text, const rp_options *o)
{
    int err = 12345;
    rp_doc *d = doc_new(text, strlen(text), o, &err);
    assert_int_equal(err, RP_OK);
    assert_non_null(d);
    return d;
}

/* rp_corpus_new as an expression: @return the corpus or NULL. */
static inline rp_corpus *corpus_new(const rp_options *o)
{
    rp_corpus *c = (rp_corpus *)1;
    if (rp_corpus_new(o, &c) != RP_OK) {
        assert_null(c);
        return NULL;
    }
    return c;
}

/* rp_corpus_add as an expression: @return the new document's index, or
 * the (negative) error code. */
static inline long corpus_add(rp_corpus *c, const char *id, rp_doc *d)
{
    size_t i = (size_t)-1;
    int rc = rp_corpus_add(c, id, d, &i);
    return rc == RP_OK ? (long)i : rc;
}

/* rp_index_new as an expression; asserts success. */
static inline rp_index *index_new(void)
{
    rp_index *ix = NULL;
    assert_int_equal(rp_index_new(&ix), RP_OK);
    assert_non_null(ix);
    return ix;
}

#endif
