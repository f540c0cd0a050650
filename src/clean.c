/*
 * clean.c - keep the article, drop the page around it.
 *
 * Outlets wrap one wire story in different furniture: markdown or HTML,
 * share buttons, "ADVERTISEMENT", "Related article:" links, newsletter
 * prompts, copyright lines, photo captions with credits, datelines,
 * bylines and reader-comment threads. None of it is evidence that two
 * texts are the same article, and a comment thread can even quote another
 * article. The cleaner works line by line and feeds the tokenizer only the
 * byte ranges it keeps, so token offsets still point into the original.
 *
 * The rules, each general rather than one site's strings:
 *  1. Inline markup is skipped: HTML tags, markdown link and image
 *     targets "](...)", autolinks <...>, bare URLs and e-mail addresses.
 *     Their visible text (a link's words) is kept. HTML entities are text:
 *     the tokenizer decodes them (pr&eacute;sident is président).
 *  2. A line is page furniture, and dropped whole, when it is short and
 *     made only of interface words (share, print, tweet, ...), when it is
 *     a short line starting with a navigation or credit cue ("Related",
 *     "Read more", "See also", "Photo:", "Copyright", "©", "Original
 *     url"), or a short line that names a newsletter or a photo credit.
 *     The cue words are given in the languages of our data (en, de, es,
 *     fr, tr, ar) and are easy to extend.
 *  3. A byline is a line of at most eight words that starts with "By"
 *     (or Von, Por, Par, Door, Di) or names only staff or agencies.
 *  4. A dateline, "PARIS (AFP) -" or "LONDON, June 5 (Reuters) --", is cut
 *     from the start of a paragraph: at most eight words, then a dash,
 *     where the words hold a parenthesised source or start in capitals.
 *  5. A reader-comment thread is cut from where it starts to the end of the
 *     text. It starts at a heading line ("3 comments", "Comments (2)",
 *     "Leave a reply", "Kommentare", ...) or where the text takes the shape
 *     of a thread: from some line on, most lines are indented, bulleted,
 *     numbered or quoted, or are short "name · time" headers. A cut needs
 *     at least 30 words of article before it, so a "Comments" button at
 *     the top of a page never empties the article. rp_clean_thread()
 *     reports where this rule finds a thread without cleaning, for
 *     `reprint diff` to label the comments.
 *
 * Speed. The text is read once for its line structure: one pass, 64
 * bytes at a time (bytescan.c), finds the line ends and counts each
 * line's words with bit masks, and gathers the features every rule needs
 * (indent, key, thread shape). The rules are then decided on those
 * records, never by reading a line again; the comment-thread rule runs
 * over the records, and only the kept lines go on to the tokenizer, whose
 * inline-markup scan also skips 64 bytes at a time to the next byte that
 * may open markup. The line pass keeps the masks those later readers use
 * (24 bytes a block), so no byte is classified twice. A line's key is
 * made in one loop over at most KEY_MAX bytes; the phrase filter reads
 * it 8 positions a step; datelines and URLs are turned away by a test of
 * a paragraph's first word and of 4 bytes before their byte loops run.
 */
#include "clean.h"
#include "bytescan.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 160     /* bytes of a line's lowercased key */
#define SHORT_LINE 12   /* words: furniture lines are at most this long */
#define MIN_ARTICLE 30  /* words before a comment cut */
#define KEY_WORDS 40    /* longest line any line rule looks at */

/* ASCII character tests, free of the locale and of function calls. */
static int a_digit(int c) { return c >= '0' && c <= '9'; }
static int a_lower(int c) { return c >= 'a' && c <= 'z'; }
static int a_alpha(int c) { return a_lower(c | 32); }
static int a_alnum(int c) { return a_digit(c) || a_alpha(c); }
static int a_tolower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

typedef struct line {
    size_t start, end;  /* the line without its terminator */
    unsigned words;     /* rough word count: runs of non-space bytes */
    unsigned indent;    /* leading spaces (a tab counts 4) */
    char key[KEY_MAX];  /* lowercased, punctuation-collapsed prefix */
    size_t klen;        /* of key */
    int simple;         /* the tokenizer's simple mode (has_any) */
} line;

/* ------------------------------------------------------------------ */
/* Line keys                                                           */
/* ------------------------------------------------------------------ */

/* key_byte[c]: the byte a key keeps for c (ASCII lowercased), or 0 for
 * the markup and punctuation that become one space. Non-ASCII bytes are
 * kept, so UTF-8 cues still match. */
static uint8_t key_byte[256];

static void key_table_init(void)
{
    for (int c = 0; c < 256; c++)
        if (c >= 0x80 || a_alnum(c) || c == ':' || c == '@' || c == '/' || c == '(' || c == ')')
            key_byte[c] = (uint8_t)a_tolower(c);
}

/* Builds a line's key: its bytes through key_byte, a run of dropped bytes
 * as one space, no space at either end. */
static void make_key(const uint8_t *s, line *l)
{
    char *key = l->key;     /* a local: key's stores may not alias l */
    size_t w = 0, i = l->start, end = l->end;
    int space = 1;
    /* w <= i - start: up to KEY_MAX - 1 bytes no byte can fill the key */
    size_t free_end = end - i < KEY_MAX - 1 ? end : i + KEY_MAX - 1;
    for (;; i++) {
        if (i >= free_end && (i >= end || w + 1 >= KEY_MAX))
            break;
        uint8_t k = key_byte[s[i]];
        if (k) {
            key[w++] = (char)k;
            space = 0;
        } else if (!space) {
            key[w++] = ' ';
            space = 1;
        }
    }
    while (w > 0 && key[w - 1] == ' ')
        w--;
    key[w] = 0;
    l->klen = w;
}

/* The indent of a line: its leading blanks, a tab counting 4 and a
 * no-break space (C2 A0) 1. */
static unsigned indent_of(const uint8_t *s, size_t i, size_t end)
{
    unsigned indent = 0;
    for (; i < end; i++) {
        uint8_t c = s[i];
        if (c == ' ' || c == '\r' || c == '\f' || c == '\v')
            indent++;
        else if (c == '\t')
            indent += 4;
        else if (c == 0xC2 && i + 1 < end && s[i + 1] == 0xA0) {
            indent++;
            i++;
        } else
            break;
    }
    return indent;
}

static int starts(const char *key, const char *p)
{
    while (*p)
        if (*key++ != *p++)
            return 0;
    return 1;
}

static int has(const char *key, const char *p)
{
    return strstr(key, p) != NULL;
}

static int starts_any(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (starts(key, *list))
            return 1;
    return 0;
}

/* A filter of the first two bytes of two lists' phrases: pair[v] is 1
 * when some phrase starts with the two bytes read as the 16-bit v (in
 * the machine's byte order: a key is read two bytes at a time); and for
 * a hash of those two bytes, which phrases of each list (bit i for
 * phrase i, at most 64) may start there, so that a hit compares only
 * those. */
#define BIGRAM_SLOTS 256

typedef struct bigrams {
    uint8_t pair[65536];
    uint64_t which[2][BIGRAM_SLOTS];
} bigrams;

static unsigned bigram_slot(unsigned v)
{
    return (v * 0x9E37u >> 8) & (BIGRAM_SLOTS - 1);
}

static unsigned pair_at(const unsigned char *k)
{
    uint16_t v;
    memcpy(&v, k, 2);
    return v;
}

static void bigrams_add(bigrams *f, int li, const char *const *list)
{
    for (unsigned i = 0; list[i]; i++) {
        const unsigned char *p = (const unsigned char *)list[i];
        unsigned v = (unsigned)p[0] << 8 | p[1];
        f->pair[pair_at(p)] = 1;
        f->which[li][bigram_slot(v)] |= 1ull << i;
    }
}

/* Does a phrase of list a, or when b is not NULL of list b, start at k? */
static int phrase_at(const unsigned char *k, const char *const *a, const char *const *b,
                     const bigrams *f)
{
    unsigned slot = bigram_slot((unsigned)k[0] << 8 | k[1]);
    for (uint64_t w = f->which[0][slot]; w; w &= w - 1)
        if (starts((const char *)k, a[rp_ctz64(w)]))
            return 1;
    if (b)
        for (uint64_t w = f->which[1][slot]; w; w &= w - 1)
            if (starts((const char *)k, b[rp_ctz64(w)]))
                return 1;
    return 0;
}

/* Does key (len bytes, no NUL inside) contain any phrase of list a, or
 * when b is not NULL of list b (phrases at least two bytes long; a and b
 * as given to bigrams_add as lists 0 and 1)? One pass over the key, 8
 * positions a step (the filter's bytes OR-ed, one look-up a position);
 * only where the filter f matches the next two bytes are the phrases
 * that may start there compared. simple: a position at a time (the
 * tokenizer's simple mode, the reference). */
static int has_any(const char *key, size_t len, const char *const *a,
                   const char *const *b, const bigrams *f, int simple)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t p = 0;
    for (; !simple && p + 9 <= len; p += 8) {
        const unsigned char *q = k + p;
        unsigned hit = f->pair[pair_at(q)] | f->pair[pair_at(q + 1)] |
                       f->pair[pair_at(q + 2)] | f->pair[pair_at(q + 3)] |
                       f->pair[pair_at(q + 4)] | f->pair[pair_at(q + 5)] |
                       f->pair[pair_at(q + 6)] | f->pair[pair_at(q + 7)];
        if (hit)
            for (unsigned j = 0; j < 8; j++)
                if (f->pair[pair_at(k + p + j)] && phrase_at(k + p + j, a, b, f))
                    return 1;
    }
    for (; p + 1 < len; p++)
        if (f->pair[pair_at(k + p)] && phrase_at(k + p, a, b, f))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Furniture                                                           */
/* ------------------------------------------------------------------ */

/* Words of page interfaces; a short line of nothing else is furniture. */
static const char *const ui_words[] = {
    "share", "shares", "this", "article", "story", "print", "email", "e",
    "mail", "tweet", "facebook", "twitter", "whatsapp", "linkedin",
    "pinterest", "reddit", "telegram", "messenger", "copy", "link", "close",
    "button", "advertisement", "advertising", "ad", "ads", "sponsored",
    "content", "save", "follow", "us", "on", "subscribe", "comments",
    "comment", "listen", "to", "min", "read", "x", "more", "menu", "home",
    "next", "previous", "top", "back", "the", "and", "a", "of",
    /* de */ "teilen", "weiterleiten", "tweeten", "drucken", "anzeige",
    "werbung", "kommentare", "merken", "artikel",
    /* es */ "compartir", "imprimir", "publicidad", "patrocinado",
    "contenido", "comentarios", "anuncio",
    /* fr */ "partager", "imprimer", "publicité", "commentaires",
    /* tr */ "paylaş", "yazdır", "reklam", "yorumlar", "yorum",
    NULL
};

static int is_ui_word(const char *w, size_t n)
{
    for (const char *const *p = ui_words; *p; p++)
        if (strlen(*p) == n && memcmp(*p, w, n) == 0)
            return 1;
    /* numbers (share counts, "3 min read") count as interface words */
    for (size_t i = 0; i < n; i++)
        if (!a_digit((unsigned char)w[i]))
            return 0;
    return 1;
}

static int all_ui_words(const char *key)
{
    int any = 0;
    while (*key) {
        while (*key == ' ' || *key == ':' || *key == '(' || *key == ')' || *key == '/')
            key++;
        const char *w = key;
        while (*key && *key != ' ' && *key != ':' && *key != '(' && *key != ')' && *key != '/')
            key++;
        if (key == w)
            continue;
        if (!is_ui_word(w, (size_t)(key - w)))
            return 0;
        any = 1;
    }
    return any;
}

static const char *const cue_starts[] = {
    "related", "read more", "read also", "also read", "see also", "more:",
    "recommended", "watch:", "video:", "listen:", "original url",
    "source url", "url:", "photo:", "photos:", "image:", "picture:",
    "credit:", "photograph:", "(photo", "foto:", "bild:", "fotoğraf:",
    "copyright", "(c) ", "©", "all rights reserved", "sign up",
    "subscribe", "get our", "follow us", "click here",
    /* de */ "lesen sie auch", "mehr zum thema", "auch interessant",
    /* es */ "lee también", "lea también", "leer más", "te puede interesar",
    "relacionado",
    /* fr */ "lire aussi", "à lire aussi", "voir aussi", "lire la suite",
    /* tr */ "ayrıca oku", "ilginizi çekebilir", "ilgili haber",
    /* ar */ "اقرأ أيضا", "اقرأ أيضاً", "شاهد أيضا",
    NULL
};

static const char *const credit_marks[] = {
    "photo:", "photo/", "photo)", "photo by", "photos:", "foto:", "bild:",
    "credit:", "getty images", "/getty", "shutterstock", "reuters/",
    "ap photo", "afp photo", "/afp", "/ afp", "epa/", "epa efe", "dpa/",
    "image:", "picture:", "fotoğraf:", "photo credit", "(photo", "(foto",
    NULL
};

static const char *const newsletter_marks[] = {
    "newsletter", "sign up", "subscribe", "inbox", "bülten", "abonnieren",
    "suscríbete", "abonnez", NULL
};

/* has_any names a list's phrases by a bit of a 64-bit word */
_Static_assert(sizeof credit_marks / sizeof *credit_marks <= 65, "credit_marks: at most 64");
_Static_assert(sizeof newsletter_marks / sizeof *newsletter_marks <= 65, "newsletter_marks: at most 64");

/* cue_first[c]: some phrase of cue_starts starts with the byte c */
static uint8_t cue_first[256];

/* the bigram filter of credit_marks and newsletter_marks together */
static bigrams marks_f;
static pthread_once_t filters_once = PTHREAD_ONCE_INIT;

static void filters_init(void)
{
    key_table_init();
    for (const char *const *p = cue_starts; *p; p++)
        cue_first[(unsigned char)**p] = 1;
    bigrams_add(&marks_f, 0, credit_marks);
    bigrams_add(&marks_f, 1, newsletter_marks);
}

static int is_furniture(const line *l)
{
    const char *k = l->key;
    if (!*k)
        return 0;
    if (l->words <= SHORT_LINE && all_ui_words(k))
        return 1;
    if (l->words <= 30 && cue_first[(unsigned char)k[0]] && starts_any(k, cue_starts))
        return 1;
    /* a photo credit (up to 40 words) or a newsletter (up to 30) */
    if (l->words <= 40 &&
        has_any(k, l->klen, credit_marks, l->words <= 30 ? newsletter_marks : NULL, &marks_f,
                l->simple))
        return 1;
    if (l->words <= 15 && (has(k, "all rights reserved") || has(k, "©")))
        return 1;
    return 0;
}

static int is_byline(const line *l)
{
    static const char *const by[] = {"by ", "von ", "por ", "par ", "door ", "di ", NULL};
    static const char *const staff[] = {"staff", "reporter", "correspondent",
        "agencies", "redacción", "redaktion", "rédaction", "newsroom", "desk", NULL};
    if (l->words == 0 || l->words > 8)
        return 0;
    if (starts_any(l->key, by))
        return 1;
    if (l->words > 4)
        return 0;
    for (const char *const *p = staff; *p; p++)
        if (has(l->key, *p))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Comment threads                                                     */
/* ------------------------------------------------------------------ */

static const char *const comment_heads[] = {
    "comments", "comment", "reader comments", "readers comments",
    "leave a comment", "leave a reply", "post a comment", "add a comment",
    "enter comments here", "join the discussion", "join the conversation",
    "show comments", "view comments", "discussion", "responses", "replies",
    "kommentare", "kommentar", "leserkommentare", "comentarios",
    "comentários", "commentaires", "réactions", "yorumlar", "yorum yap",
    "التعليقات", "تعليقات", NULL
};

/* A heading that opens a comment thread: one of the phrases above, with
 * at most a count around it ("3 comments", "Comments (2)"). */
static int is_comment_head(const line *l)
{
    if (l->words == 0 || l->words > 5)
        return 0;
    char buf[KEY_MAX];
    size_t w = 0;
    for (const char *k = l->key; *k; k++)
        if (!a_digit((unsigned char)*k) && *k != '(' && *k != ')' && *k != ':')
            buf[w++] = *k;
    buf[w] = 0;
    char *b = buf, *e = buf + w;
    while (*b == ' ')
        b++;
    while (e > b && e[-1] == ' ')
        *--e = 0;
    for (const char *const *p = comment_heads; *p; p++)
        if (strcmp(b, *p) == 0)
            return 1;
    return 0;
}

/* A line shaped like part of a thread: indented, a bullet, a number, a
 * quote, or a short "name · time" header. */
static int is_thread_line(const uint8_t *s, const line *l)
{
    if (l->indent >= 2)
        return 1;
    size_t i = l->start;
    while (i < l->end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= l->end)
        return 0;
    uint8_t c = s[i];
    if (c == '>' || c == '*' || c == '-' || c == '+')
        return 1;
    if (c == 0xE2 && i + 2 < l->end && s[i + 1] == 0x80 && s[i + 2] == 0xA2)
        return 1;   /* • */
    if (a_digit(c)) {
        while (i < l->end && a_digit(s[i]))
            i++;
        if (i + 1 < l->end && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
            return 1;
    }
    if (l->words <= 8) {
        /* "name · 17 hours ago", "name | yesterday" */
        for (size_t j = l->start; j + 1 < l->end; j++)
            if ((s[j] == 0xC2 && s[j + 1] == 0xB7) || s[j] == '|')
                return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Inline markup and datelines                                         */
/* ------------------------------------------------------------------ */

/* Length of a dateline at s[i..end) ("PARIS (AFP) - "), or 0; simple:
 * without the first test (the tokenizer's simple mode). */
static size_t dateline(const uint8_t *s, size_t i, size_t end, int simple)
{
    size_t lim = end - i < 100 ? end : i + 100;
    /* A dateline's first word is in capitals (two letters or more), or a
     * '(' comes before its dash: a paragraph whose first word is not and
     * that has no '(' in reach (most of them) is none. The loop below
     * decides the same; this only skips it. */
    if (!simple) {
        size_t j = i;
        while (j < lim && s[j] == ' ')
            j++;
        int up = 1, nl = 0;
        for (; j < lim && s[j] != ' '; j++)
            if (s[j] < 0x80 && a_alpha(s[j])) {
                nl++;
                up &= !a_lower(s[j]);
            }
        if (!(up && nl >= 2) && !memchr(s + i, '(', lim - i))
            return 0;
    }
    unsigned words = 0;
    int paren = 0, caps = 1, inword = 0, letters = 0;
    for (size_t j = i; j < lim; j++) {
        uint8_t c = s[j];
        if (c == '-' || (c == 0xE2 && j + 2 < end && s[j + 1] == 0x80 &&
                         (s[j + 2] == 0x93 || s[j + 2] == 0x94))) {
            /* a dash with a space before it ends the dateline */
            if (j == i || s[j - 1] != ' ' || words == 0 || words > 8)
                return 0;
            if (!paren && !(caps && letters >= 2))
                return 0;
            size_t k = j + (c == '-' ? 1 : 3);
            while (k < end && s[k] == '-')
                k++;
            if (k >= end || s[k] != ' ')
                return 0;
            return k - i;
        }
        if (c == '(')
            paren = 1;
        if (c == ' ') {
            inword = 0;
            continue;
        }
        if (!inword) {
            inword = 1;
            if (++words > 8)
                return 0;   /* a dash further on could not end a dateline */
        }
        if (words == 1 && c < 0x80 && a_alpha(c)) {
            letters++;
            if (a_lower(c))
                caps = 0;
        }
    }
    return 0;
}

static int is_url_start(const uint8_t *s, size_t i, size_t end, int simple)
{
    static const char *const pre[] = {"http://", "https://", "www.", "ftp://", NULL};
    /* Every prefix starts with "http", "www." or "ftp:", and a byte that
     * lowercases to one of those bytes is that byte with bit 0x20 set:
     * one 4-byte compare turns away all other words (not in the
     * tokenizer's simple mode, the reference). */
    if (!simple) {
        if (end - i < 4)
            return 0;
        uint32_t v, http, www, ftp;
        memcpy(&v, s + i, 4);
        v |= 0x20202020u;
        memcpy(&http, "http", 4);
        memcpy(&www, "www.", 4);
        memcpy(&ftp, "ftp:", 4);
        if (v != http && v != www && v != ftp)
            return 0;
    }
    for (const char *const *p = pre; *p; p++) {
        size_t n = strlen(*p);
        size_t k = 0;
        while (k < n && i + k < end && a_tolower(s[i + k]) == (*p)[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static size_t skip_nonspace(const uint8_t *s, size_t i, size_t end)
{
    while (i < end && s[i] != ' ' && s[i] != '\t' && s[i] != '"' && s[i] != '<' && s[i] != ')')
        i++;
    return i;
}

/* @return the first position p in [i, end) of a byte that may open inline
 * markup ('<' ']' '@', or the h, w or f of "http", "www.", "ftp://" at
 * the start of a word: p == start or no ASCII letter or digit before it),
 * or end. Reads 64 bytes at a time. */
static size_t next_inline(rp_bwindow *w, size_t i, size_t start, size_t end)
{
    const uint8_t *s = w->s;
    while (i < end) {
        rp_bblock m;
        size_t n = rp_bwindow_at(w, i, &m);
        uint64_t before = i > start && a_alnum(s[i - 1]);
        uint64_t prev_alnum = (m.alnum << 1) | before;
        uint64_t cand = (m.inl & ~m.alnum) | (m.inl & m.alnum & ~prev_alnum);
        if (cand) {
            size_t p = i + rp_ctz64(cand);
            return p < end ? p : end;
        }
        i += n;
    }
    return end;
}

/* Feeds s[start..end) to the tokenizer without its inline markup. */
static void feed_inline(rp_tokenizer *t, rp_bwindow *w, size_t start, size_t end)
{
    const uint8_t *s = t->s;
    size_t run = start, i = start;
    while ((i = next_inline(w, i, start, end)) < end) {
        uint8_t c = s[i];
        size_t skip_to = 0;
        if (c == '<') {
            /* an HTML tag or an autolink: up to the closing '>' */
            size_t j = i + 1;
            while (j < end && j - i < 400 && s[j] != '>' && s[j] != '<')
                j++;
            if (j < end && s[j] == '>' && j > i + 1 &&
                (a_alpha(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!'))
                skip_to = j + 1;
        } else if (c == ']' && i + 1 < end && s[i + 1] == '(') {
            size_t j = i + 2;
            while (j < end && s[j] != ')' && j - i < 2048)
                j++;
            if (j < end && s[j] == ')')
                skip_to = j + 1;
        } else if ((c == 'h' || c == 'H' || c == 'w' || c == 'W' || c == 'f') &&
                   (i == start || !a_alnum(s[i - 1])) && is_url_start(s, i, end, t->simple)) {
            skip_to = skip_nonspace(s, i, end);
        } else if (c == '@' && i > start && a_alnum(s[i - 1])) {
            /* an e-mail address: back up over its local part */
            size_t b = i;
            while (b > run && (a_alnum(s[b - 1]) || s[b - 1] == '.' || s[b - 1] == '_' || s[b - 1] == '-'))
                b--;
            if (b < i) {
                if (b > run)
                    rp_tokenizer_feed(t, run, b);
                run = i;   /* the local part s[b..i) is never fed */
                skip_to = skip_nonspace(s, i, end);
            }
        }
        if (skip_to) {
            if (i > run)
                rp_tokenizer_feed(t, run, i);
            i = run = skip_to;
        } else {
            i++;
        }
    }
    if (end > run)
        rp_tokenizer_feed(t, run, end);
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */
/* ------------------------------------------------------------------ */

/* A line with words, as the one pass over the text found it, and what
 * the line rules decided about it. Blank lines are not kept: a line
 * after one has F_PARA. */
enum { F_THREAD = 1, F_DROP = 2, F_PARA = 4 };

typedef struct lrec {
    uint32_t start, end;
    uint32_t before;    /* words before the line */
    uint32_t flags;
} lrec;

typedef struct lineset {
    lrec *r;
    size_t n, cap;
    size_t head;        /* first comment heading (byte offset) or SIZE_MAX */
    size_t thread;      /* lines shaped like a thread */
    int simple;         /* the tokenizer's simple mode */
    int err;
} lineset;

/* Records the line s[start..end) of `words` words (before of them before
 * it), with the features and rule decisions of its line. */
static void add_line(lineset *ls, const uint8_t *s, size_t start, size_t end,
                     unsigned words, unsigned before, int para)
{
    line l;
    l.start = start;
    l.end = end;
    l.words = words;
    l.indent = indent_of(s, start, end);
    /* no rule looks at a long paragraph's key */
    if (words <= KEY_WORDS)
        make_key(s, &l);
    else {
        l.key[0] = 0;
        l.klen = 0;
    }
    l.simple = ls->simple;
    unsigned flags = para ? F_PARA : 0;
    if (is_thread_line(s, &l)) {
        flags |= F_THREAD;
        ls->thread++;
    }
    if (is_furniture(&l) || is_byline(&l))
        flags |= F_DROP;
    if (ls->head == SIZE_MAX && before >= MIN_ARTICLE && is_comment_head(&l))
        ls->head = start;
    if (rp_grow(&ls->r, &ls->cap, ls->n + 1, sizeof *ls->r) < 0) {
        ls->err = RP_ENOMEM;
        return;
    }
    ls->r[ls->n++] = (lrec){(uint32_t)start, (uint32_t)end, before, flags};
}

/* The one pass over s[0..len): finds the lines (ending at LF, CR LF or a
 * lone CR, as old Mac files do) and their words (runs of bytes other
 * than blanks and no-break spaces), 64 bytes at a time, and records each
 * line with words. When pre is given (room for a block per 64 bytes),
 * the tokenizer's masks of each block are kept there for the later
 * readers. @return RP_OK or RP_ENOMEM. */
static int scan_lines(const uint8_t *s, size_t len, lineset *ls, rp_bblock *pre,
                      int simple)
{
    memset(ls, 0, sizeof *ls);
    ls->simple = simple;
    ls->head = SIZE_MAX;
    size_t line_start = 0;
    unsigned words = 0, before = 0;
    int para = 1;
    uint64_t prev_word = 0, prev_c2 = 0;   /* of the byte before the block */
    enum { CHUNK = 16 };            /* blocks classified a call */
    rp_bmask chunk[CHUNK];
    for (size_t base = 0; base < len && !ls->err; base += 64) {
        size_t n = len - base < 64 ? len - base : 64;
        size_t bi = (base >> 6) % CHUNK;
        if (bi == 0) {
            size_t full = (len - base) / 64;
            if (full > CHUNK)
                full = CHUNK;
            if (full)
                rp_bytescan_blocks(s + base, full, chunk);
            if (full < CHUNK && base + 64 * full < len)
                rp_bytescan(s + base + 64 * full, len - base - 64 * full, &chunk[full]);
        }
        rp_bmask m = chunk[bi];
        if (pre)
            pre[base >> 6] = (rp_bblock){m.alnum, m.slow, m.inl};
        uint64_t next_a0 = base + 64 < len && s[base + 64] == 0xA0;
        uint64_t nbsp = (m.c2 & ((m.a0 >> 1) | (next_a0 << 63))) |
                        (m.a0 & ((m.c2 << 1) | prev_c2));
        uint64_t valid = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        uint64_t word = ~(m.blank | nbsp) & valid;
        uint64_t starts = word & ~((word << 1) | prev_word);
        prev_word = word >> 63;
        prev_c2 = m.c2 >> 63;
        for (uint64_t eol = m.eol; eol; eol &= eol - 1) {
            unsigned b = rp_ctz64(eol);
            size_t p = base + b;
            if (p < line_start)
                continue;   /* the LF of a CR LF */
            uint64_t below = ((uint64_t)1 << b) - 1;
            words += rp_popcount64(starts & below);
            starts &= ~below;
            if (words) {
                add_line(ls, s, line_start, p, words, before, para);
                before += words;
                para = 0;
            } else {
                para = 1;
            }
            words = 0;
            line_start = p + (s[p] == '\r' && p + 1 < len && s[p + 1] == '\n' ? 2 : 1);
        }
        words += rp_popcount64(starts);
    }
    if (words && !ls->err)
        add_line(ls, s, line_start, len, words, before, para);
    return ls->err;
}

/* Returns the byte offset of the first line of a trailing comment thread,
 * or SIZE_MAX: the first heading, or the earliest line from which at
 * least 60% of the lines with words (and 3 or more) look like a thread,
 * the line itself included, whichever comes first. */
static size_t thread_start(const lineset *ls)
{
    size_t seen = 0, seen_thread = 0;
    for (size_t k = 0; k < ls->n && ls->r[k].start < ls->head; k++) {
        const lrec *l = &ls->r[k];
        int t = (l->flags & F_THREAD) != 0;
        size_t rest = ls->n - seen, rest_thread = ls->thread - seen_thread;
        if (t && rest_thread >= 3 && rest_thread * 5 >= rest * 3 && l->before >= MIN_ARTICLE)
            return l->start;
        seen++;
        seen_thread += (size_t)t;
    }
    return ls->head;
}

int rp_clean_thread(const char *text, size_t len, size_t *start)
{
    *start = len;
    if (len > RP_MAX_TEXT)
        return RP_ETOOBIG;
    pthread_once(&filters_once, filters_init);
    lineset ls;
    int rc = scan_lines((const uint8_t *)text, len, &ls, NULL, 0);
    if (rc == RP_OK) {
        size_t cut = thread_start(&ls);
        if (cut != SIZE_MAX)
            *start = cut;
    }
    free(ls.r);
    return rc;
}

int rp_clean_feed(rp_tokenizer *t)
{
    pthread_once(&filters_once, filters_init);
    const uint8_t *s = t->s;
    lineset ls;
    /* the byte classes of the line pass, kept for the inline scan and the
     * tokenizer (24 bytes a 64-byte block) */
    rp_bblock *pre = malloc((t->len / 64 + 1) * sizeof *pre);
    if (!pre)
        return RP_ENOMEM;
    if (scan_lines(s, t->len, &ls, pre, t->simple) != RP_OK) {
        free(ls.r);
        free(pre);
        return RP_ENOMEM;
    }
    size_t cut = thread_start(&ls);
    rp_bwindow win;     /* the inline scan's own, ahead of the tokenizer's */
    rp_bwindow_init(&win, s, t->len);
    win.pre = pre;
    t->win.pre = pre;
    int para_start = 1;
    for (size_t k = 0; k < ls.n && ls.r[k].start < cut; k++) {
        const lrec *l = &ls.r[k];
        if (l->flags & F_PARA)
            para_start = 1;
        if (l->flags & F_DROP)
            continue;
        size_t st = l->start, end = l->end;
        while (st < end && (s[st] == ' ' || s[st] == '\t'))
            st++;
        if (para_start) {
            /* markup before a dateline: "<p>", "**", "# " */
            size_t m = st;
            while (m < end && (s[m] == '#' || s[m] == '*' || s[m] == ' '))
                m++;
            if (m < end && s[m] == '<') {
                while (m < end && s[m] != '>')
                    m++;
                if (m < end)
                    m++;
            }
            st = m + dateline(s, m, end, t->simple);
        }
        para_start = 0;
        feed_inline(t, &win, st, end);
        /* a line end ends a word, never a shingle: shingles run on */
    }
    t->win.pre = NULL;
    free(pre);
    free(ls.r);
    return t->err;
}
