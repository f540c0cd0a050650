/*
 * page.h - the HTML page of `reprint report` and `reprint diff --html`:
 * one self-contained file (inline stylesheet and script, a Content-
 * Security-Policy that forbids every network load), with clusters written
 * as static HTML tables plus a JSON block each, from which the script
 * draws the cluster's picture and the side-by-side comparisons when the
 * cluster is opened. See docs/report.md.
 *
 * Every id and text is escaped: as HTML text in the markup, and inside the
 * JSON blocks with '<', '>', '&' and U+2028/9 as \u escapes.
 */
#ifndef RP_CLI_PAGE_H
#define RP_CLI_PAGE_H

#include <stddef.h>
#include <stdio.h>

#include "reprint.h"

/* One article of a cluster; docs[0] is the representative (or A). */
typedef struct page_doc {
    const char *id;
    const char *text;       /* NULL when it could not be read again */
    size_t len;
    double score;           /* against the representative (docs[1..]) */
    double jaccard;
    double contained;       /* share of this article in the representative */
    double holds;           /* share of the representative in this article */
    const rp_diff *diff;    /* docs[0] (A) against this one (B); NULL for
                               docs[0] or when a text is missing */
} page_doc;

/* A verified pair of a cluster, as indexes into its docs. */
typedef struct page_pair {
    size_t a, b;
    double score;
} page_pair;

/* A document of another cluster that has a verified pair with a member
 * (rp_cluster_related): shown as related, never merged. */
typedef struct page_related {
    const char *id;
    const char *with;       /* the member it matches */
    double score;           /* the pair's score */
    size_t cluster;         /* its own cluster's anchor number; 0: alone */
} page_related;

typedef struct page_cluster {
    size_t number;          /* the anchor: #cluster-NUMBER */
    const page_doc *docs;
    size_t n;
    const page_pair *pairs;
    size_t npairs;
    const page_related *related;
    size_t nrelated;
} page_cluster;

typedef struct page_info {
    const char *title;      /* the page's title (escaped when written) */
    const rp_options *o;    /* the options of the rule, shown and used */
    unsigned min_run;       /* shortest passage shown, in words */
    int diff;               /* one pair (diff --html): A and B, not a cluster */
} page_info;

/* Writes s as HTML text (also safe in a quoted attribute): & < > " '
 * escaped, control characters and invalid bytes as \xNN. */
void html_text(FILE *f, const char *s);

/* Writes the document head, the stylesheet and the page header. */
void page_begin(FILE *f, const page_info *pi);

/* Writes one cluster: a heading, the table of its members and the JSON
 * block of its texts, passages and paragraph maps.
 * @return 0, or -1 when out of memory (nothing is then half written
 *         inside a JSON block). */
int page_cluster_write(FILE *f, const page_info *pi, const page_cluster *pc);

/* Writes the list of articles with no reprint (ids[0..n), as JSON for the
 * script), the script, and closes the document. */
void page_end(FILE *f, const page_info *pi, const char *const *ids, size_t n);

#endif
