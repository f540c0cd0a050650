/*
 * page.c - writes the HTML page of `reprint report` and `reprint diff
 * --html` (see page.h and docs/report.md).
 *
 * What works without the script is static HTML: the overview, its index of
 * the clusters, and a heading and the representative of each cluster.
 * Everything else (the members and their figures, the texts, their shared
 * passages and paragraph maps, the pairs) goes into one <script
 * type="application/json"> block per cluster, which the page's script
 * parses and draws only when the cluster is opened: the browser never
 * lays out what nobody looks at, and a report of 20,000 articles opens
 * as fast as its index.
 *
 * Offsets in the JSON blocks are in UTF-16 code units, as JavaScript
 * strings count them, converted from the library's byte offsets with the
 * same reading of the bytes as json_string_html (an invalid byte is one
 * U+FFFD). The stylesheet and script are the hand-written files
 * src/cli/report.css and src/cli/report.js, embedded at build time
 * (tools/embed.py), with their SHA-256 for the Content-Security-Policy.
 */
#define _POSIX_C_SOURCE 200809L
#include "page.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cli.h"
#include "output.h"
#include "page_assets.h"

void html_text(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned char c = *s;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    fprintf(f, "\\x%02x", c);
                else
                    fputc(c, f);
            }
            s++;
            continue;
        }
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)strnlen((const char *)s, 4), &cp);
        if (k <= 0 || (cp >= 0x80 && cp < 0xA0)) {
            fprintf(f, "\\x%02x", c);
            s++;
        } else {
            fwrite(s, 1, (size_t)k, f);
            s += k;
        }
    }
}

static void put_lines(FILE *f, const char *const *lines)
{
    for (; *lines; lines++)
        fputs(*lines, f);
}

void page_begin(FILE *f, const page_info *pi)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src '" REPORT_JS_SHA256 "'; style-src '" REPORT_CSS_SHA256 "'; "
          "img-src data:; base-uri 'none'; form-action 'none'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"reprint " RP_VERSION_STRING "\">\n<title>", f);
    html_text(f, pi->title);
    fputs("</title>\n<style>", f);
    put_lines(f, report_css);
    fputs("</style>\n</head>\n<body>\n"
          "<a class=\"skip\" href=\"#main\">Skip to the clusters</a>\n<header>\n<h1>", f);
    html_text(f, pi->title);
    unsigned shingle = (unsigned)sim_get(pi->o, RP_OPT_SHINGLE);
    fprintf(f, "</h1>\n<p class=\"rule\">reprint " RP_VERSION_STRING ": reprints score at "
               "least %.2f; shingles of %u words; passages of at least %u words shown.</p>\n",
            sim_get(pi->o, RP_OPT_THRESHOLD), shingle,
            pi->min_run > shingle ? pi->min_run : shingle);
    if (!pi->diff)
        fputs("<form class=\"search\" role=\"search\" id=\"search\">"
              "<label for=\"q\">Search ids and texts</label> "
              "<input type=\"search\" id=\"q\" autocomplete=\"off\" "
              "placeholder=\"an id, a name, a phrase\" aria-describedby=\"qhelp\"> "
              "<span id=\"qhelp\" class=\"help\">keys: / search, j and k next and previous "
              "cluster, Esc clear</span> "
              "<output id=\"qinfo\" aria-live=\"polite\"></output></form>\n", f);
    fputs("</header>\n", f);
}

/* UTF-16 offsets of the bytes of s[0..n): map[i] for each i in 0..n. */
static uint32_t *u16_map(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    uint32_t *map = malloc((n + 1) * sizeof *map);
    if (!map)
        return NULL;
    uint32_t u = 0;
    size_t i = 0;
    while (i < n) {
        int32_t cp = 0;
        utf8proc_ssize_t k = 1;
        if (s[i] >= 0x80) {
            k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i < 4 ? n - i : 4), &cp);
            if (k <= 0)
                k = 1;
        }
        for (utf8proc_ssize_t j = 0; j < k; j++)
            map[i + (size_t)j] = u;
        u += cp >= 0x10000 ? 2 : 1;
        i += (size_t)k;
    }
    map[n] = u;
    return map;
}

static uint32_t at(const uint32_t *map, size_t len, size_t off)
{
    return map[off < len ? off : len];
}

static void json_paras(FILE *f, const rp_para *p, size_t np, const uint32_t *map, size_t len)
{
    fputs("[", f);
    for (size_t i = 0; i < np; i++)
        fprintf(f, "%s[%u,%u,%d]", i ? "," : "", (unsigned)at(map, len, p[i].start),
                (unsigned)at(map, len, p[i].end), p[i].comments ? 1 : 0);
    fputs("]", f);
}

/* The comparison of docs[0] (A) with d (B): figures, passages, map. */
static void json_cmp(FILE *f, const page_doc *d, const uint32_t *ma, size_t la,
                     const uint32_t *mb, size_t lb)
{
    const rp_diff *x = d->diff;
    fputs("{\"sim\":[", f);
    json_number(f, x->sim.score);
    fputc(',', f);
    json_number(f, x->sim.jaccard);
    fputc(',', f);
    json_number(f, x->sim.containment_ab);
    fputc(',', f);
    json_number(f, x->sim.containment_ba);
    fprintf(f, "],\"similar\":%d,\"shared\":%zu,\"shingles\":%zu,\"words\":[%zu,%zu],\"spans\":[",
            x->sim.similar ? 1 : 0, x->shared_words, x->sim.shared, x->words_a, x->words_b);
    for (size_t i = 0; i < x->nspans; i++) {
        const rp_span *s = &x->spans[i];
        fprintf(f, "%s[%u,%u,%u,%u,%d,%zu]", i ? "," : "", (unsigned)at(ma, la, s->a_start),
                (unsigned)at(ma, la, s->a_end), (unsigned)at(mb, lb, s->b_start),
                (unsigned)at(mb, lb, s->b_end), s->moved ? 1 : 0, s->words);
    }
    fputs("],\"map\":[", f);
    for (size_t i = 0; i < x->nlinks; i++) {
        const rp_para_link *l = &x->links[i];
        fputs(i ? ",[" : "[", f);
        if (l->rel == RP_PARA_ONLY_A || l->rel == RP_PARA_ONLY_B) {
            fprintf(f, "%d,%zu,%zu,%d]", l->rel, l->first, l->last, l->note);
        } else {
            fprintf(f, "%d,%zu,%zu,", l->rel, l->a, l->b);
            json_number(f, l->a_share);
            fputc(',', f);
            json_number(f, l->b_share);
            fputc(']', f);
        }
    }
    fputs("]}", f);
}

int page_cluster_write(FILE *f, const page_info *pi, const page_cluster *pc)
{
    size_t n = pc->n, num = pc->number;
    uint32_t **maps = calloc(n, sizeof *maps);
    if (!maps)
        return -1;
    int rc = -1;
    for (size_t i = 0; i < n; i++)
        if (pc->docs[i].text && !(maps[i] = u16_map(pc->docs[i].text, pc->docs[i].len)))
            goto out;

    fprintf(f, "<section class=\"cluster\" id=\"cluster-%zu\" data-n=\"%zu\" "
               "aria-labelledby=\"h-cluster-%zu\">\n<h2 id=\"h-cluster-%zu\">"
               "<a href=\"#cluster-%zu\">", num, n, num, num, num);
    if (pi->diff)
        fputs("A and B", f);
    else
        fprintf(f, "Cluster %zu</a> <span class=\"count\">%zu articles</span>", num, n);
    fputs(pi->diff ? "</a></h2>\n" : "</h2>\n", f);
    fputs("<p class=\"summary\">", f);
    fputs(pi->diff ? "A: " : "Representative: ", f);
    fputs("<span class=\"id\">", f);
    html_text(f, pc->docs[0].id);
    fputs("</span>", f);
    if (pi->diff) {
        fputs("<br>B: <span class=\"id\">", f);
        html_text(f, n > 1 ? pc->docs[1].id : "");
        fputs("</span>", f);
    }
    fputs("</p>\n", f);
    fprintf(f, "<div class=\"detail\" id=\"detail-%zu\"><button type=\"button\" class=\"open\" "
               "data-cluster=\"%zu\" aria-expanded=\"false\">Compare the texts side by side"
               "</button></div>\n", num, num);

    fprintf(f, "<script type=\"application/json\" id=\"data-%zu\">{\"docs\":[", num);
    for (size_t i = 0; i < n; i++) {
        const page_doc *d = &pc->docs[i];
        fputs(i ? ",{\"id\":" : "{\"id\":", f);
        json_string_html(f, d->id, strlen(d->id));
        fputs(",\"fig\":[", f);
        json_number(f, d->score);
        fputc(',', f);
        json_number(f, d->jaccard);
        fputc(',', f);
        json_number(f, d->contained);
        fputc(',', f);
        json_number(f, d->holds);
        fputc(']', f);
        fputs(",\"text\":", f);
        if (d->text)
            json_string_html(f, d->text, d->len);
        else
            fputs("null", f);
        /* paragraphs: the representative's from any of its diffs */
        const rp_diff *x = i ? d->diff : NULL;
        for (size_t j = 1; i == 0 && j < n && !x; j++)
            x = pc->docs[j].diff;
        if (x && maps[i]) {
            fputs(",\"paras\":", f);
            if (i == 0)
                json_paras(f, x->paras_a, x->nparas_a, maps[0], d->len);
            else
                json_paras(f, x->paras_b, x->nparas_b, maps[i], d->len);
        }
        fputs("}", f);
    }
    fputs("],\"cmp\":[", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", f);
        if (i && pc->docs[i].diff && maps[0] && maps[i])
            json_cmp(f, &pc->docs[i], maps[0], pc->docs[0].len, maps[i], pc->docs[i].len);
        else
            fputs("null", f);
    }
    fputs("],\"pairs\":[", f);
    for (size_t i = 0; i < pc->npairs; i++) {
        fprintf(f, "%s[%zu,%zu,", i ? "," : "", pc->pairs[i].a, pc->pairs[i].b);
        json_number(f, pc->pairs[i].score);
        fputc(']', f);
    }
    fputs("],\"related\":[", f);
    for (size_t i = 0; i < pc->nrelated; i++) {
        const page_related *x = &pc->related[i];
        fputs(i ? ",{\"id\":" : "{\"id\":", f);
        json_string_html(f, x->id, strlen(x->id));
        fputs(",\"with\":", f);
        json_string_html(f, x->with, strlen(x->with));
        fputs(",\"score\":", f);
        json_number(f, x->score);
        if (x->cluster)
            fprintf(f, ",\"cluster\":%zu", x->cluster);
        fputc('}', f);
    }
    fputs("]}</script>\n</section>\n", f);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(maps[i]);
    free(maps);
    return rc;
}

void page_end(FILE *f, const page_info *pi, const char *const *ids, size_t n)
{
    fputs("<script type=\"application/json\" id=\"meta\">{\"mode\":", f);
    fputs(pi->diff ? "\"diff\"" : "\"report\"", f);
    fputs(",\"threshold\":", f);
    json_number(f, sim_get(pi->o, RP_OPT_THRESHOLD));
    fprintf(f, ",\"shingle\":%u,\"alone\":[", (unsigned)sim_get(pi->o, RP_OPT_SHINGLE));
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        json_string_html(f, ids[i], strlen(ids[i]));
    }
    fputs("]}</script>\n<script>", f);
    put_lines(f, report_js);
    fputs("</script>\n</body>\n</html>\n", f);
}
