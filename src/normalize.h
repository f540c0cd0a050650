/*
 * normalize.h - the tokenizer's internal interface: byte ranges of a text
 * in, normalized word tokens out. rp_tokenize() in reprint.h is the public
 * face; the cleaner feeds it only the ranges it keeps.
 */
#ifndef RP_NORMALIZE_H
#define RP_NORMALIZE_H

#include "reprint.h"
#include "bytescan.h"

#include <stddef.h>
#include <stdint.h>

/* Longest normalized word kept, in bytes; longer runs are hashed on their
 * first RP_WORD_MAX bytes so that a 200 MB "word" costs no memory. */
#define RP_WORD_MAX 256

/* Non-ASCII words looked up in the word cache at once (see pend). */
#define RP_PENDING 16

typedef struct rp_tokenizer {
    const uint8_t *s;        /* the whole text (borrowed) */
    size_t len;
    rp_token *tok;           /* output (owned until taken) */
    size_t n, cap;
    /* the word being read */
    int in_word, word_ascii;
    size_t wstart, wend, wlen;
    uint8_t wbuf[RP_WORD_MAX];
    /* the run of a script written without spaces (CJK, Thai, ...) */
    int32_t prev_cp;
    size_t prev_start, run_len;
    int err;                 /* sticky RP_ENOMEM */
    int simple;              /* for tests: read every byte on the general
                                path (no 64-byte ASCII runs, no inline
                                two-byte decoding, no word cache), and
                                the cleaner without its quick dateline
                                and URL tests: the reference
                                the fast paths must equal */
    rp_bwindow win;          /* byte classes of the text around the reader */
    void *word_cache;        /* the thread's word cache (threadbuf.c),
                                fetched on the first non-ASCII word */
    /* non-ASCII words whose cache slot is being fetched: their tokens
     * are stored, their hashes filled in RP_PENDING words later or at
     * the end of the feed (normalize.c, flush_slow_word) */
    struct rp_pending {
        size_t tok;          /* index in tok[] */
        uint64_t raw;        /* the cache's key of the word's bytes */
        void *slot;
    } pend[RP_PENDING];
    unsigned npend, pend_head;
    size_t holes;            /* tokens of words that normalized to nothing,
                                to be taken out at the end of the feed */
    /* when rec_on: the ranges fed so far, as LEB128 pairs (gap since the
     * last range's end, length), so that a second pass can feed the same
     * ranges without cleaning again; rec_on drops to 0 if they go back */
    int rec_on;
    uint8_t *rec;            /* owned until taken */
    size_t rec_n, rec_cap, rec_end;
} rp_tokenizer;

/* Starts a tokenizer over s[0..len). */
void rp_tokenizer_init(rp_tokenizer *t, const uint8_t *s, size_t len);

/* Tokenizes s[start..end); a range boundary ends the current word. */
void rp_tokenizer_feed(rp_tokenizer *t, size_t start, size_t end);

/* Feeds t the ranges recorded by an earlier tokenizer over the same text
 * (rec[0..n) as left in its rec): the same tokens, without the cleaner.
 * @return RP_OK, or RP_EINVAL when rec is malformed or out of the text. */
int rp_tokenizer_replay(rp_tokenizer *t, const uint8_t *rec, size_t n);

/* Releases the token array and the record (if not taken). */
void rp_tokenizer_free(rp_tokenizer *t);

/* Maps the typographic variants of the apostrophe (' ’ ‘ ʼ ‛ ′ ＇ `),
 * the double quote (" “ ” „ ‟ « » ″ ＂) and the dash (- ‐ ‑ ‒ – — ― −)
 * to ASCII ', " and -. Any other code point is returned unchanged. */
int32_t rp_fold_punct(int32_t cp);

/* @return nonzero when cp belongs to a script written without spaces
 * between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar). */
int rp_is_nospace_script(int32_t cp);

/* Decodes one code point of s[0..len); an invalid or truncated sequence
 * gives U+FFFD and a length of 1. @return the number of bytes read (>=1). */
size_t rp_utf8_next(const uint8_t *s, size_t len, int32_t *cp);

/* Decodes the HTML character reference at s[0..n) ("&eacute;", "&#233;",
 * "&#xE9;": a name from libxml2's HTML table or a valid code point, then
 * ';'). @return its length in bytes and *cp, or 0 when s starts none. */
size_t rp_entity(const uint8_t *s, size_t n, int32_t *cp);

#endif
