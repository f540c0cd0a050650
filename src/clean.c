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
 */
#include "clean.h"

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
} line;

/* ------------------------------------------------------------------ */
/* Line keys                                                           */
/* ------------------------------------------------------------------ */

/* Builds a key: ASCII lowercased, markup and punctuation runs turned into
 * one space, non-ASCII bytes kept (so UTF-8 cues still match). */
static void make_key(const uint8_t *s, line *l)
{
    size_t w = 0;
    int space = 1;
    for (size_t i = l->start; i < l->end && w + 1 < KEY_MAX; i++) {
        uint8_t c = s[i];
        if (c >= 0x80 || a_alnum(c) || c == ':' || c == '@' || c == '/' || c == '(' || c == ')') {
            l->key[w++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            space = 0;
        } else if (!space) {
            l->key[w++] = ' ';
            space = 1;
        }
    }
    while (w > 0 && l->key[w - 1] == ' ')
        w--;
    l->key[w] = 0;
}

/* Byte classes for measure(): 1 a space, 2 the lead byte of a no-break
 * space (C2 A0), 0 anything else. */
static const uint8_t space_class[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\f'] = 1, ['\v'] = 1, [0xC2] = 2
};

static void measure(const uint8_t *s, line *l)
{
    unsigned words = 0, indent = 0;
    size_t i = l->start, end = l->end;
    /* leading blanks: the indent (a tab counts 4) */
    for (; i < end; i++) {
        uint8_t c = s[i];
        if (c == ' ')
            indent++;
        else if (c == '\t')
            indent += 4;
        else if (space_class[c] == 1)
            indent++;
        else if (c == 0xC2 && i + 1 < end && s[i + 1] == 0xA0) {
            indent++;
            i++;
        } else
            break;
    }
    /* words: runs of non-space bytes */
    int in = 0;
    for (; i < end; i++) {
        unsigned k = space_class[s[i]];
        int sp = k == 1;
        if (k == 2 && i + 1 < end && s[i + 1] == 0xA0) {
            sp = 1;
            i++;
        }
        words += !sp & !in;
        in = !sp;
    }
    l->words = words;
    l->indent = indent;
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

/* A filter of the first two bytes of a list's phrases: bit (b0 << 8 | b1)
 * is set when some phrase starts with b0 b1. */
typedef struct bigrams {
    uint64_t bits[65536 / 64];
} bigrams;

static void bigrams_init(bigrams *f, const char *const *list)
{
    memset(f, 0, sizeof *f);
    for (; *list; list++) {
        const unsigned char *p = (const unsigned char *)*list;
        unsigned v = (unsigned)p[0] << 8 | p[1];
        f->bits[v >> 6] |= 1ull << (v & 63);
    }
}

/* Does key contain any of the phrases of list (all at least two bytes
 * long)? One pass over the key; only where the filter f of the list
 * matches the next two bytes are the phrases compared. */
static int has_any(const char *key, const char *const *list, const bigrams *f)
{
    for (const unsigned char *k = (const unsigned char *)key; k[0] && k[1]; k++) {
        unsigned v = (unsigned)k[0] << 8 | k[1];
        if (!(f->bits[v >> 6] >> (v & 63) & 1))
            continue;
        for (const char *const *p = list; *p; p++)
            if (starts((const char *)k, *p))
                return 1;
    }
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

static bigrams credit_f, newsletter_f;
static pthread_once_t filters_once = PTHREAD_ONCE_INIT;

static void filters_init(void)
{
    bigrams_init(&credit_f, credit_marks);
    bigrams_init(&newsletter_f, newsletter_marks);
}

static int is_furniture(const line *l)
{
    const char *k = l->key;
    if (!*k)
        return 0;
    if (l->words <= SHORT_LINE && all_ui_words(k))
        return 1;
    if (l->words <= 30 && starts_any(k, cue_starts))
        return 1;
    if (l->words <= 40 && has_any(k, credit_marks, &credit_f))
        return 1;
    if (l->words <= 30 && has_any(k, newsletter_marks, &newsletter_f))
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

/* Length of a dateline at s[i..end) ("PARIS (AFP) - "), or 0. */
static size_t dateline(const uint8_t *s, size_t i, size_t end)
{
    size_t lim = end - i < 100 ? end : i + 100;
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
            words++;
        }
        if (words == 1 && c < 0x80 && a_alpha(c)) {
            letters++;
            if (a_lower(c))
                caps = 0;
        }
    }
    return 0;
}

static int is_url_start(const uint8_t *s, size_t i, size_t end)
{
    static const char *const pre[] = {"http://", "https://", "www.", "ftp://", NULL};
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

/* Bytes that may open inline markup: '<' ']' '@', and the first
 * letters of URL prefixes (http, www, ftp). */
static int inline_special(uint8_t c)
{
    switch (c) {
    case '<': case ']': case '@':
    case 'h': case 'H': case 'w': case 'W': case 'f':
        return 1;
    default:
        return 0;
    }
}

/* Feeds s[start..end) to the tokenizer without its inline markup. */
static void feed_inline(rp_tokenizer *t, size_t start, size_t end)
{
    const uint8_t *s = t->s;
    size_t run = start, i = start;
    while (i < end) {
        uint8_t c = s[i];
        size_t skip_to = 0;
        if (!inline_special(c)) {
            i++;
            continue;
        }
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
                   (i == start || !a_alnum(s[i - 1])) && is_url_start(s, i, end)) {
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

/* Lines are read one at a time and never stored: the cleaner's memory
 * does not grow with the text. A line ends at LF, CR LF or a lone CR
 * (old Mac files). */
typedef struct lines {
    const uint8_t *s;
    size_t len, pos;
    int done;
    unsigned before;    /* words before the current line */
} lines;

static void lines_init(lines *it, const uint8_t *s, size_t len)
{
    it->s = s;
    it->len = len;
    it->pos = 0;
    it->done = 0;
    it->before = 0;
}

/* Reads the next line into *l, measured and (when short) keyed, and sets
 * *before to the number of words before it. @return 0 at the end. */
static int next_line(lines *it, line *l, unsigned *before)
{
    if (it->done)
        return 0;
    const uint8_t *s = it->s;
    size_t i = it->pos, len = it->len;
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    l->start = it->pos;
    l->end = i;
    if (i >= len)
        it->done = 1;
    else
        it->pos = i + (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n' ? 2 : 1);
    measure(s, l);
    /* no rule looks at a long paragraph's key */
    if (l->words > 0 && l->words <= KEY_WORDS)
        make_key(s, l);
    else
        l->key[0] = 0;
    *before = it->before;
    it->before += l->words;
    return 1;
}

/* Returns the byte offset of the first line of a trailing comment thread
 * in s[0..len), or SIZE_MAX. Two passes over the lines: the first counts
 * them and finds the first heading; the second finds the earliest line
 * from which at least 60% of the non-blank lines (and 3 or more) look like
 * a thread, the line itself included. */
static size_t thread_start(const uint8_t *s, size_t len)
{
    lines it;
    line l;
    unsigned before;
    size_t head = SIZE_MAX, nonblank = 0, thread = 0;
    lines_init(&it, s, len);
    while (next_line(&it, &l, &before)) {
        if (l.words == 0)
            continue;
        nonblank++;
        thread += (size_t)is_thread_line(s, &l);
        if (head == SIZE_MAX && before >= MIN_ARTICLE && is_comment_head(&l))
            head = l.start;
    }
    size_t seen = 0, seen_thread = 0;
    lines_init(&it, s, len);
    while (next_line(&it, &l, &before) && l.start < head) {
        if (l.words == 0)
            continue;
        int t = is_thread_line(s, &l);
        size_t rest = nonblank - seen, rest_thread = thread - seen_thread;
        if (t && rest_thread >= 3 && rest_thread * 5 >= rest * 3 && before >= MIN_ARTICLE)
            return l.start;
        seen++;
        seen_thread += (size_t)t;
    }
    return head;
}

int rp_clean_thread(const char *text, size_t len, size_t *start)
{
    *start = len;
    if (len > RP_MAX_TEXT)
        return RP_ETOOBIG;
    pthread_once(&filters_once, filters_init);
    size_t cut = thread_start((const uint8_t *)text, len);
    if (cut != SIZE_MAX)
        *start = cut;
    return RP_OK;
}

int rp_clean_feed(rp_tokenizer *t)
{
    pthread_once(&filters_once, filters_init);
    const uint8_t *s = t->s;
    size_t cut = thread_start(s, t->len);
    lines it;
    line ln, *l = &ln;
    unsigned before;
    int para_start = 1;
    lines_init(&it, s, t->len);
    while (next_line(&it, l, &before) && l->start < cut) {
        if (l->words == 0) {
            para_start = 1;
            continue;
        }
        if (is_furniture(l) || is_byline(l))
            continue;
        size_t st = l->start;
        while (st < l->end && (s[st] == ' ' || s[st] == '\t'))
            st++;
        if (para_start) {
            /* markup before a dateline: "<p>", "**", "# " */
            size_t m = st;
            while (m < l->end && (s[m] == '#' || s[m] == '*' || s[m] == ' '))
                m++;
            if (m < l->end && s[m] == '<') {
                while (m < l->end && s[m] != '>')
                    m++;
                if (m < l->end)
                    m++;
            }
            st = m + dateline(s, m, l->end);
        }
        para_start = 0;
        feed_inline(t, st, l->end);
        /* a line end ends a word, never a shingle: shingles run on */
    }
    return t->err;
}
