/*
 * html.c - the text of an HTML page, laid out in lines and paragraphs.
 *
 * Saved news pages carry far more than the article: scripts, styles,
 * menus, headers and footers, side boxes, forms. libxml2's HTML parser
 * (recovering from any error, never fetching anything) gives us the tree;
 * we walk it without recursion, drop the subtrees of elements that are
 * never article text, and write the rest out as plain text in which block
 * elements end paragraphs and line-level elements end lines. The cleaner
 * (clean.c) then works on that text exactly as on a plain or markdown
 * file: its rules are line rules, so the layout matters.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#if !defined(__STDC_NO_THREADS__)
#include <threads.h>
#endif

#include "reprint.h"
#include "util.h"

typedef struct out {
    char *s;
    size_t n, cap;
    int err;
} out;

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

/* Appends text with white space runs collapsed to one space (none at the
 * start of a line), or verbatim inside pre. */
static void text(out *o, const char *t, int pre)
{
    if (pre) {
        put(o, t, strlen(t));
        return;
    }
    while (*t) {
        size_t sp = strspn(t, " \t\n\r\f\v");
        if (sp) {
            if (o->n > 0 && o->s[o->n - 1] != ' ' && o->s[o->n - 1] != '\n')
                put(o, " ", 1);
            t += sp;
        }
        size_t w = strcspn(t, " \t\n\r\f\v");
        put(o, t, w);
        t += w;
    }
}

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

/* Never article text: the whole subtree is dropped. */
static const char *const dropped[] = {
    "head", "script", "style", "noscript", "template", "nav", "header",
    "footer", "aside", "form", "iframe", "svg", "button", "select",
    "textarea", "object", "embed", "canvas", NULL
};

/* End a paragraph before and after. */
static const char *const paragraphs[] = {
    "p", "div", "article", "section", "main", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "ul", "ol", "dl", "table", "figure",
    "figcaption", "hr", "address", "details", "summary", "fieldset",
    "body", "center", "hgroup", NULL
};

/* End a line before and after. */
static const char *const lines[] = {
    "br", "li", "tr", "dt", "dd", "caption", "legend", NULL
};

/* Cells are separated by a space. */
static const char *const cells[] = {"td", "th", NULL};

/* The break an element makes around itself: 0, 1 (line) or 2. */
static int breaks(const char *name)
{
    if (in_list(name, paragraphs))
        return 2;
    if (in_list(name, lines))
        return 1;
    return 0;
}

static void enter(out *o, const xmlNode *n, int *pre)
{
    const char *name = (const char *)n->name;
    int b = breaks(name);
    if (b)
        brk(o, b);
    else if (in_list(name, cells) && o->n > 0 && o->s[o->n - 1] != '\n' && o->s[o->n - 1] != ' ')
        put(o, " ", 1);
    if (strcmp(name, "pre") == 0)
        (*pre)++;
}

static void leave(out *o, const xmlNode *n, int *pre)
{
    const char *name = (const char *)n->name;
    int b = breaks(name);
    if (b)
        brk(o, b);
    if (strcmp(name, "pre") == 0 && *pre > 0)
        (*pre)--;
}

static void walk(out *o, xmlNode *root)
{
    int pre = 0;
    xmlNode *n = root;
    while (n) {
        int down = 0;
        if (n->type == XML_ELEMENT_NODE && n->name) {
            if (!in_list((const char *)n->name, dropped)) {
                enter(o, n, &pre);
                down = n->children != NULL;
                if (!down)
                    leave(o, n, &pre);
            }
        } else if (n->type == XML_TEXT_NODE && n->content) {
            text(o, (const char *)n->content, pre);
        }
        if (down) {
            n = n->children;
            continue;
        }
        /* next sibling, or climb, closing the elements we leave */
        while (n && !n->next) {
            n = n->parent;
            if (!n || n->type != XML_ELEMENT_NODE)
                return;
            leave(o, n, &pre);
            if (n == root)
                return;
        }
        if (n == root)
            return;
        n = n->next;
    }
}

#if !defined(__STDC_NO_THREADS__)
static once_flag init_once = ONCE_FLAG_INIT;
#endif

int rp_html_text(const char *html, size_t len, char **outp, size_t *outlen)
{
    *outp = NULL;
    *outlen = 0;
    if (len > INT_MAX)
        return RP_ETOOBIG;
    /* libxml2 must be set up once before threads use it */
#if !defined(__STDC_NO_THREADS__)
    call_once(&init_once, xmlInitParser);
#else
    xmlInitParser();
#endif
    out o = {0};
    htmlDocPtr doc = NULL;
    if (len > 0)
        doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                             HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (doc) {
        for (xmlNode *n = doc->children; n; n = n->next)
            if (n->type == XML_ELEMENT_NODE)
                walk(&o, n);
        xmlFreeDoc(doc);
    }
    while (o.n > 0 && (o.s[o.n - 1] == '\n' || o.s[o.n - 1] == ' '))
        o.n--;
    if (o.n > 0)
        put(&o, "\n", 1);
    put(&o, "", 0);   /* room for the terminator */
    if (o.err) {
        free(o.s);
        return o.err;
    }
    if (!o.s) {
        o.s = malloc(1);
        if (!o.s)
            return RP_ENOMEM;
    }
    o.s[o.n] = 0;
    *outp = o.s;
    *outlen = o.n;
    return RP_OK;
}
