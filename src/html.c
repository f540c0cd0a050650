/*
 * html.c - the text of an HTML page, laid out in lines and paragraphs.
 *
 * Saved news pages carry far more than the article: scripts, styles,
 * menus, headers and footers, side boxes, forms. We read the page in one
 * pass, drop the contents of elements that are never article text, and
 * write the rest out as plain text in which block elements end paragraphs
 * and line-level elements end lines. The cleaner (clean.c) then works on
 * that text exactly as on a plain or markdown file: its rules are line
 * rules, so the layout matters.
 *
 * Why not a full HTML parser: we need only the text, and a page is
 * untrusted input. libxml2's tree parser (used here before) costs time
 * quadratic in the attributes of one tag and in the depth of unclosed
 * elements, builds a node of ~120 bytes for every 3-byte tag, and stops
 * at 256 levels of nesting, losing the rest of the page. This scanner
 * reads each byte a bounded number of times, skips attributes without
 * storing them, keeps a fixed-size stack of open elements (deeper ones
 * keep their text, only their structure is ignored), and writes at most
 * one byte of text for each byte of input. libxml2 still provides the
 * table of named entities (htmlEntityLookup).
 *
 * The rules follow the HTML parsers' recovery where it matters for text:
 * elements are closed by their end tag or by the end tag of an element
 * around them; p, li, dt, dd, td, th, tr and option close an open one of
 * their own kind; anything but head content closes an open head; script
 * and style hold raw text up to their end tag; void elements and "/>"
 * have no content; a "<" that starts no tag is text.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "reprint.h"
#include "util.h"

/* Open elements deeper than this are not tracked: their text is kept and
 * only their structure (a dropped subtree, pre) is not seen. */
#define STACK_MAX 4096
#define NAME_MAX_LEN 16   /* longest tag name in the table below */

enum {
    DROP = 1,      /* never article text: the subtree is dropped */
    PARA = 2,      /* ends a paragraph before and after */
    LINE = 4,      /* ends a line before and after */
    CELL = 8,      /* separated by a space */
    VOID = 16,     /* has no content and no end tag */
    RAW = 32,      /* raw text up to its end tag (script, style) */
    SELF = 64,     /* closed by the start of a sibling (see closes()) */
    HEADC = 128,   /* may appear in head without closing it */
    PRE = 256,     /* white space kept */
    CLOSEP = 512,  /* a start tag closes an open p */
};

typedef struct tag {
    const char *name;
    unsigned flags;
} tag;

/* Id 0 is every element not in this table: not tracked, no effect. */
static const tag tags[] = {
    {"", 0},
    /* dropped */
    {"head", DROP | CLOSEP}, {"script", DROP | RAW | HEADC}, {"style", DROP | RAW | HEADC},
    {"noscript", DROP | HEADC}, {"template", DROP | HEADC}, {"title", DROP | HEADC | CLOSEP},
    {"nav", DROP}, {"header", DROP}, {"footer", DROP}, {"aside", DROP},
    {"form", DROP | CLOSEP}, {"iframe", DROP}, {"svg", DROP}, {"button", DROP},
    {"select", DROP}, {"textarea", DROP}, {"object", DROP}, {"canvas", DROP},
    {"embed", DROP | VOID},
    /* paragraphs */
    {"p", PARA | SELF | CLOSEP}, {"div", PARA | CLOSEP}, {"article", PARA}, {"section", PARA},
    {"main", PARA}, {"h1", PARA | CLOSEP}, {"h2", PARA | CLOSEP}, {"h3", PARA | CLOSEP}, {"h4", PARA | CLOSEP},
    {"h5", PARA | CLOSEP}, {"h6", PARA | CLOSEP}, {"blockquote", PARA | CLOSEP}, {"pre", PARA | PRE | CLOSEP},
    {"ul", PARA | CLOSEP}, {"ol", PARA | CLOSEP}, {"dl", PARA | CLOSEP}, {"table", PARA | CLOSEP},
    {"figure", PARA}, {"figcaption", PARA}, {"hr", PARA | VOID | CLOSEP},
    {"address", PARA | CLOSEP}, {"details", PARA}, {"summary", PARA},
    {"fieldset", PARA | CLOSEP}, {"body", PARA | CLOSEP}, {"center", PARA | CLOSEP}, {"hgroup", PARA},
    /* lines */
    {"br", LINE | VOID}, {"li", LINE | SELF | CLOSEP}, {"tr", LINE | SELF | CLOSEP},
    {"dt", LINE | SELF | CLOSEP}, {"dd", LINE | SELF | CLOSEP}, {"caption", LINE | CLOSEP},
    {"legend", LINE},
    /* cells */
    {"td", CELL | SELF | CLOSEP}, {"th", CELL | SELF | CLOSEP},
    /* structure only */
    {"html", 0}, {"option", SELF},
    {"meta", VOID | HEADC}, {"link", VOID | HEADC}, {"base", VOID | HEADC},
    {"area", VOID}, {"basefont", VOID}, {"col", VOID | CLOSEP}, {"frame", VOID},
    {"img", VOID}, {"input", VOID}, {"isindex", VOID}, {"param", VOID},
    {"source", VOID}, {"track", VOID}, {"wbr", VOID}, {"keygen", VOID},
    /* they close an open p, as in libxml2 */
    {"colgroup", CLOSEP}, {"dir", CLOSEP}, {"frameset", CLOSEP}, {"listing", CLOSEP}, {"menu", CLOSEP}, {"tbody", CLOSEP}, {"tfoot", CLOSEP}, {"xmp", CLOSEP},
};
#define NTAGS (sizeof tags / sizeof tags[0])
/* ids of the tags the rules name (their index in tags[]) */
enum { T_HEAD = 1, T_P = 20, T_PRE = 32, T_BODY = 44, T_HTML = 56 };

static unsigned tag_id(const char *name)
{
    for (unsigned i = 1; i < NTAGS; i++)
        if (strcmp(tags[i].name, name) == 0)
            return i;
    return 0;
}

typedef struct out {
    char *s;
    size_t n, cap;
    int err;
} out;

typedef struct state {
    out o;
    uint16_t stack[STACK_MAX];
    size_t depth;
    size_t drop_at;             /* stack index of the dropped root, or SIZE_MAX */
    int body;                   /* a body is open, given or implied */
    unsigned open[NTAGS];       /* open elements of each kind */
    size_t quote_at[2];         /* next '"' and '\'' at or after a search, or len */
    size_t quote_from[2];       /* where that search started (+1; 0 = none) */
} state;

static void put(out *o, const char *s, size_t n)
{
    if (o->err)
        return;
    if (rp_grow(&o->s, &o->cap, o->n + n + 1, 1) < 0) {
        o->err = RP_ENOMEM;
        return;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
}

/* Ends the current line (want = 1) or paragraph (want = 2): trailing
 * spaces go, and newlines are added up to want. Nothing at the start. */
static void brk(out *o, int want)
{
    while (o->n > 0 && o->s[o->n - 1] == ' ')
        o->n--;
    if (o->n == 0)
        return;
    int have = 0;
    while (have < want && (size_t)have < o->n && o->s[o->n - 1 - (size_t)have] == '\n')
        have++;
    for (; have < want; have++)
        put(o, "\n", 1);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Appends t[0..n) with white space runs collapsed to one space (none at
 * the start of a line), or inside pre verbatim but for line ends: CR LF
 * and a lone CR become LF. */
static void text(out *o, const char *t, size_t n, int pre)
{
    if (pre) {
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && t[j] != '\r')
                j++;
            put(o, t + i, j - i);
            if (j < n) {
                put(o, "\n", 1);
                j += j + 1 < n && t[j + 1] == '\n' ? 2 : 1;
            }
            i = j;
        }
        return;
    }
    size_t i = 0;
    while (i < n) {
        if (is_space((unsigned char)t[i])) {
            while (i < n && is_space((unsigned char)t[i]))
                i++;
            if (o->n > 0 && o->s[o->n - 1] != ' ' && o->s[o->n - 1] != '\n')
                put(o, " ", 1);
        }
        size_t w = i;
        while (w < n && !is_space((unsigned char)t[w]))
            w++;
        put(o, t + i, w - i);
        i = w;
    }
}

static int dropping(const state *st)
{
    return st->drop_at != SIZE_MAX;
}

static void pop_to(state *st, unsigned id);
static void start_tag(state *st, unsigned id, int selfclose);

/* Text: written unless it is in a dropped element. Text that is not
 * white space directly in head closes the head, as in HTML parsers. */
static void emit_text(state *st, const char *t, size_t n)
{
    if (dropping(st) && st->stack[st->drop_at] == T_HEAD &&
        st->depth == st->drop_at + 1) {
        size_t i = 0;
        while (i < n && is_space((unsigned char)t[i]))
            i++;
        if (i < n)
            pop_to(st, T_HEAD);
    }
    if (dropping(st))
        return;
    if (!st->body && (st->depth == 0 || st->stack[st->depth - 1] == T_HTML)) {
        /* text outside body opens an implied body and paragraph */
        size_t i = 0;
        while (i < n && is_space((unsigned char)t[i]))
            i++;
        if (i == n)
            return;
        st->body = 1;
        start_tag(st, T_P, 0);
    }
    text(&st->o, t, n, st->open[T_PRE] > 0);
}

/* Closes the innermost open element. */
static void pop(state *st)
{
    unsigned id = st->stack[--st->depth];
    st->open[id]--;
    if (id == T_BODY)
        st->body = 0;
    if (dropping(st)) {
        if (st->depth == st->drop_at)
            st->drop_at = SIZE_MAX;   /* the dropped root makes no break */
        return;
    }
    unsigned f = tags[id].flags;
    if (f & PARA)
        brk(&st->o, 2);
    else if (f & LINE)
        brk(&st->o, 1);
}

/* Closes elements up to and including the innermost open one of kind id. */
static void pop_to(state *st, unsigned id)
{
    if (!st->open[id])
        return;
    while (st->depth > 0) {
        unsigned top = st->stack[st->depth - 1];
        pop(st);
        if (top == id)
            break;
    }
}

/* Does a start tag of kind id close an open element of kind top? These
 * are the pairs of libxml2's table that concern the elements we track. */
static int closes(unsigned top, unsigned id)
{
    static const char *const pairs[][2] = {
        {"li", "li"}, {"td", "td"}, {"td", "th"}, {"td", "tr"}, {"th", "td"},
        {"th", "th"}, {"th", "tr"}, {"tr", "tr"}, {"dd", "dt"}, {"dt", "dd"},
        {"dt", "dl"}, {"option", "option"},
    };
    if (top == T_P)
        return (tags[id].flags & CLOSEP) != 0;
    if (!(tags[top].flags & SELF))
        return 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(tags[top].name, pairs[i][0]) == 0 && strcmp(tags[id].name, pairs[i][1]) == 0)
            return 1;
    return 0;
}

static void start_tag(state *st, unsigned id, int selfclose)
{
    unsigned f = tags[id].flags;
    if (id != T_HTML && id != T_HEAD && !(f & HEADC))
        st->body = 1;   /* libxml2 implies a body here */
    if (id == 0)
        return;
    /* anything but head content closes an open head */
    if (dropping(st) && st->stack[st->drop_at] == T_HEAD && !(f & HEADC))
        pop_to(st, T_HEAD);
    while (st->depth > 0 && closes(st->stack[st->depth - 1], id))
        pop(st);
    if (!dropping(st)) {
        if (f & DROP) {
            if (f & VOID || selfclose || st->depth >= STACK_MAX)
                return;
        } else if (f & PARA) {
            brk(&st->o, 2);
        } else if (f & LINE) {
            brk(&st->o, 1);
        } else if ((f & CELL) && st->o.n > 0 && st->o.s[st->o.n - 1] != '\n' &&
                   st->o.s[st->o.n - 1] != ' ') {
            put(&st->o, " ", 1);
        }
    }
    if ((f & VOID) || selfclose) {
        if (!dropping(st) && (f & (PARA | LINE)))
            brk(&st->o, f & PARA ? 2 : 1);
        return;
    }
    if (st->depth >= STACK_MAX)
        return;
    if ((f & DROP) && !dropping(st))
        st->drop_at = st->depth;
    st->stack[st->depth++] = (uint16_t)id;
    st->open[id]++;
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */
/* ------------------------------------------------------------------ */

static int a_alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static int a_alnum(unsigned char c) { return a_alpha(c) || (c >= '0' && c <= '9'); }
static int name_char(unsigned char c)
{
    return a_alnum(c) || c == ':' || c == '_' || c == '.' || c == '-';
}

/* Reads a tag name at s[i..n) into buf (lowercased; "" when longer than
 * NAME_MAX_LEN). @return the index after it. */
static size_t read_name(const char *s, size_t i, size_t n, char *buf)
{
    size_t k = 0, j = i;
    while (j < n && name_char((unsigned char)s[j])) {
        if (k < NAME_MAX_LEN)
            buf[k] = (char)(s[j] | (a_alpha((unsigned char)s[j]) ? 32 : 0));
        k++;
        j++;
    }
    buf[k <= NAME_MAX_LEN ? k : 0] = 0;
    return j;
}

/* Index of the first q ('"' or '\'') at or after i, or n. Searches are
 * remembered, so that many unmatched quotes cost one pass. */
static size_t find_quote(state *st, const char *s, size_t i, size_t n, char q)
{
    int k = q == '\'';
    if (st->quote_from[k] && st->quote_from[k] - 1 <= i && st->quote_at[k] >= i)
        return st->quote_at[k];
    const char *p = memchr(s + i, q, n - i);
    st->quote_from[k] = i + 1;
    st->quote_at[k] = p ? (size_t)(p - s) : n;
    return st->quote_at[k];
}

/* Skips the attributes of a start tag from s[i]: quoted values may hold
 * '>'. Sets *selfclose on "/>". @return the index after the tag. */
static size_t skip_attrs(state *st, const char *s, size_t i, size_t n, int *selfclose)
{
    *selfclose = 0;
    while (i < n) {
        char c = s[i];
        if (c == '>')
            return i + 1;
        if (c == '/' && i + 1 < n && s[i + 1] == '>') {
            *selfclose = 1;
            return i + 2;
        }
        if (c == '=') {
            i++;
            while (i < n && is_space((unsigned char)s[i]))
                i++;
            if (i < n && (s[i] == '"' || s[i] == '\'')) {
                size_t e = find_quote(st, s, i + 1, n, s[i]);
                if (e == n) {
                    /* unmatched: the tag ends at the next '>' */
                    const char *g = memchr(s + i, '>', n - i);
                    return g ? (size_t)(g - s) + 1 : n;
                }
                i = e + 1;
            } else {
                while (i < n && !is_space((unsigned char)s[i]) && s[i] != '>')
                    i++;
            }
            continue;
        }
        i++;
    }
    return n;
}

/* Index after the next '>' at or after i, or n. */
static size_t past_gt(const char *s, size_t i, size_t n)
{
    const char *g = i < n ? memchr(s + i, '>', n - i) : NULL;
    return g ? (size_t)(g - s) + 1 : n;
}

/* Index of the end tag "</name" (any case, then no name character) at or
 * after i, or n. */
static size_t find_end_tag(const char *s, size_t i, size_t n, const char *name)
{
    size_t len = strlen(name);
    while (i < n) {
        const char *p = memchr(s + i, '<', n - i);
        if (!p)
            return n;
        size_t j = (size_t)(p - s);
        if (j + 2 + len <= n && s[j + 1] == '/') {
            size_t k = 0;
            while (k < len && (s[j + 2 + k] | 32) == name[k])
                k++;
            if (k == len && (j + 2 + len == n || !name_char((unsigned char)s[j + 2 + len])))
                return j;
        }
        i = j + 1;
    }
    return n;
}

static int is_xml_char(unsigned long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* An entity at s[i] == '&': decoded into buf (*blen bytes; 0 when it
 * stands for nothing, as "&#0;" does). @return the index after it, or i
 * when s[i] starts no entity (then '&' is text). */
static size_t entity(const char *s, size_t i, size_t n, char *buf, size_t *blen)
{
    size_t j = i + 1;
    *blen = 0;
    if (j < n && s[j] == '#') {
        /* a character reference, as libxml2 reads it: the ';' may be
         * missing, and an invalid value stands for nothing */
        unsigned long v = 0;
        j++;
        int hex = j < n && (s[j] == 'x' || s[j] == 'X');
        j += (size_t)hex;
        for (; j < n; j++) {
            unsigned char c = (unsigned char)s[j];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && (c | 32) >= 'a' && (c | 32) <= 'f')
                d = (c | 32) - 'a' + 10;
            else
                break;
            v = v * (hex ? 16 : 10) + d;
            if (v > 0x110000)
                v = 0x110000;
        }
        if (j < n && s[j] == ';')
            j++;
        if (is_xml_char(v))
            *blen = rp_utf8_put(buf, (uint32_t)v);
        return j;
    }
    char name[33];
    size_t k = 0;
    while (j < n && a_alnum((unsigned char)s[j]) && k < 32)
        name[k++] = s[j++];
    if (k == 0 || k == 32 || j >= n || s[j] != ';')
        return i;
    name[k] = 0;
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
    if (!e)
        return i;
    *blen = rp_utf8_put(buf, e->value);
    return j + 1;
}

static void scan(state *st, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    char name[NAME_MAX_LEN + 1];
    while (i < n) {
        char c = s[i];
        if (c != '<' && c != '&') {
            if (c == 0) {   /* a NUL is never text */
                emit_text(st, s + run, i - run);
                run = i + 1;
            }
            i++;
            continue;
        }
        if (c == '&') {
            char buf[8];
            size_t blen;
            size_t e = entity(s, i, n, buf, &blen);
            if (e == i) {
                i++;
                continue;
            }
            emit_text(st, s + run, i - run);
            if (blen)
                emit_text(st, buf, blen);
            i = run = e;
            continue;
        }
        /* c == '<' */
        size_t j = i + 1;
        if (j >= n) {
            emit_text(st, s + run, i - run);
            i = run = n;   /* a '<' that ends the page is dropped */
            continue;
        }
        if (s[j] == '!' || s[j] == '?') {
            size_t e;
            if (s[j] == '!' && j + 2 < n && s[j + 1] == '-' && s[j + 2] == '-') {
                /* a comment, up to "-->" */
                e = j + 3;
                for (;;) {
                    const char *g = e < n ? memchr(s + e, '>', n - e) : NULL;
                    if (!g) {
                        e = n;
                        break;
                    }
                    size_t k = (size_t)(g - s);
                    if (k >= j + 5 && s[k - 1] == '-' && s[k - 2] == '-') {
                        e = k + 1;
                        break;
                    }
                    e = k + 1;
                }
            } else {
                e = past_gt(s, j, n);
            }
            emit_text(st, s + run, i - run);
            i = run = e;
            continue;
        }
        int end = s[j] == '/';
        j += (size_t)end;
        if (j >= n || !a_alpha((unsigned char)s[j])) {
            i++;   /* not a tag: '<' is text */
            continue;
        }
        emit_text(st, s + run, i - run);
        j = read_name(s, j, n, name);
        unsigned id = name[0] ? tag_id(name) : 0;
        if (end) {
            i = run = past_gt(s, j, n);
            if (id)
                pop_to(st, id);
            continue;
        }
        int selfclose;
        i = run = skip_attrs(st, s, j, n, &selfclose);
        start_tag(st, id, selfclose);
        if ((tags[id].flags & RAW) && !selfclose)
            i = run = find_end_tag(s, i, n, name);
    }
    emit_text(st, s + run, n - run);
    while (st->depth > 0)
        pop(st);
}

int rp_html_text(const char *html, size_t len, char **outp, size_t *outlen)
{
    *outp = NULL;
    *outlen = 0;
    if (len > INT_MAX)
        return RP_ETOOBIG;
    state *st = calloc(1, sizeof *st);
    if (!st)
        return RP_ENOMEM;
    st->drop_at = SIZE_MAX;
    /* the text is never longer than the page (a tag or an entity writes
     * fewer bytes than it takes), plus the final newline */
    st->o.s = malloc(len + 2);
    if (!st->o.s) {
        free(st);
        return RP_ENOMEM;
    }
    st->o.cap = len + 2;
    scan(st, html, len);
    out o = st->o;
    free(st);
    while (o.n > 0 && (o.s[o.n - 1] == '\n' || o.s[o.n - 1] == ' '))
        o.n--;
    if (o.n > 0)
        put(&o, "\n", 1);
    put(&o, "", 0);   /* room for the terminator */
    if (o.err) {
        free(o.s);
        return o.err;
    }
    o.s[o.n] = 0;
    *outp = o.s;
    *outlen = o.n;
    return RP_OK;
}
