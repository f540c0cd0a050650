/*
 * report.c - `reprint report -o FILE PATH...`: the clusters of a scan as one
 * self-contained HTML page for people who will never run a command.
 *
 * The scan is `reprint scan`'s own run (scan.c: the same options, input
 * layer and clustering); this file orders the clusters largest first,
 * writes the overview (figures, a chart of cluster sizes, an index), then
 * for each cluster reads its texts again, compares each member with the
 * representative (rp_diff_texts, as `reprint diff` does) and hands the
 * result to the page writer (page.c). One cluster's texts and diffs are in
 * memory at a time. Exit status as for scan: 0, 1 some inputs skipped,
 * 2 usage or fatal error (the partial file is then removed).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"
#include "output.h"
#include "page.h"
#include "reprint.h"
#include "scan.h"

#define CHART_BARS 24
/* Rows of the overview's index: a long table is slow to lay out, and every
 * cluster has its own heading below anyway. */
#define INDEX_ROWS 100

typedef struct order {
    size_t idx, size;
} order;

/* Largest first; among equals, the order of the clusters' numbers. */
static int by_size(const void *x, const void *y)
{
    const order *a = x, *b = y;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The share of the representative in a member, from the member's Jaccard
 * J and containment m in the representative: 1/J = 1/m + 1/h - 1. */
static double holds(const rp_member *m)
{
    if (m->jaccard <= 0 || m->containment <= 0)
        return 0;
    double inv = 1 / m->jaccard - 1 / m->containment + 1;
    return inv > 0 ? (1 / inv > 1 ? 1 : 1 / inv) : 1;
}

/* A bar chart of how many clusters have each size (o is sorted largest
 * first). Sizes beyond the CHART_BARS-th distinct one share the last bar. */
static void chart(FILE *f, const order *o, size_t m)
{
    size_t size[CHART_BARS], count[CHART_BARS], nb = 0, max = 0;
    /* distinct sizes, smallest first */
    for (size_t i = m; i-- > 0;) {
        if (nb && size[nb - 1] == o[i].size) {
            count[nb - 1]++;
        } else if (nb < CHART_BARS) {
            size[nb] = o[i].size;
            count[nb++] = 1;
        } else {
            count[nb - 1]++;
        }
    }
    int open_end = nb == CHART_BARS && o[0].size > size[nb - 1];
    for (size_t i = 0; i < nb; i++)
        if (count[i] > max)
            max = count[i];
    const int bw = 34, h = 110, top = 22, left = 10;
    int w = left * 2 + (int)nb * bw;
    if (w < 240)
        w = 240;
    fprintf(f, "<figure>\n<svg role=\"img\" aria-labelledby=\"chart-t\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\"><title id=\"chart-t\">Clusters by number of articles:",
            w, top + h + 40, w, top + h + 40);
    for (size_t i = 0; i < nb; i++)
        fprintf(f, "%s %zu%s articles, %zu cluster%s", i ? ";" : "", size[i],
                open_end && i == nb - 1 ? " or more" : "", count[i], count[i] == 1 ? "" : "s");
    fputs("</title>\n", f);
    for (size_t i = 0; i < nb; i++) {
        int bh = max ? (int)((double)h * (double)count[i] / (double)max + 0.5) : 0;
        if (bh < 2)
            bh = 2;
        int x = left + (int)i * bw;
        fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu</text>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu%s</text>\n",
                x + 3, top + h - bh, bw - 6, bh, x + bw / 2, top + h - bh - 5, count[i],
                x + bw / 2, top + h + 16, size[i], open_end && i == nb - 1 ? "+" : "");
    }
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
               "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">articles in the cluster</text></svg>\n"
               "<figcaption>Clusters by size: how many clusters (bar) have each number of "
               "articles (below).</figcaption>\n</figure>\n",
            left, top + h, w - left, top + h, w / 2, top + h + 34);
}

static void figure(FILE *f, const char *what, size_t n)
{
    fprintf(f, "<div><dt>%s</dt><dd>%zu</dd></div>", what, n);
}

/* Reads the texts of cluster ci, compares each member with the
 * representative and writes the cluster. @return 0, or -1 when out of
 * memory (reported). */
static int write_cluster(FILE *f, const page_info *pi, scan_result *r, size_t ci,
                         const size_t *clu, const page_pair *pairs, size_t npairs,
                         size_t *skipped)
{
    const rp_corpus *c = r->c;
    size_t n = rp_cluster_size(c, ci), nrel = rp_cluster_nrelated(c, ci);
    page_doc *docs = calloc(n, sizeof *docs);
    char **texts = calloc(n, sizeof *texts);
    rp_diff *diffs = calloc(n, sizeof *diffs);
    page_related *rel = calloc(nrel + 1, sizeof *rel);
    int rc = -1;
    if (!docs || !texts || !diffs || !rel)
        goto out;
    for (size_t j = 0; j < nrel; j++) {
        const rp_member *m = rp_cluster_related(c, ci, j);
        size_t other = clu[m->doc];
        rel[j] = (page_related){rp_corpus_id(c, m->doc), rp_corpus_id(c, m->partner), m->score,
                                rp_cluster_size(c, other) >= 2 ? other + 1 : 0};
    }
    for (size_t j = 0; j < n; j++) {
        const rp_member *m = rp_cluster_member(c, ci, j);
        page_doc *d = &docs[j];
        d->id = rp_corpus_id(c, m->doc);
        d->score = m->score;
        d->jaccard = m->jaccard;
        d->contained = m->containment;
        d->holds = holds(m);
        int err = scan_text(r, m->doc, &texts[j], &d->len);
        if (err == RP_ENOMEM)
            goto out;
        if (err != RP_OK) {
            diag("%s: cannot read again for the report: %s", safe(d->id), rp_strerror(err));
            (*skipped)++;
            texts[j] = NULL;
        }
        d->text = texts[j];
    }
    for (size_t j = 1; j < n; j++) {
        if (!texts[0] || !texts[j])
            continue;
        int err = rp_diff_texts(texts[0], docs[0].len, texts[j], docs[j].len, pi->o,
                                pi->min_run, &diffs[j]);
        if (err == RP_ENOMEM)
            goto out;
        if (err == RP_OK)
            docs[j].diff = &diffs[j];
        else
            diag("%s: not compared: %s", safe(docs[j].id), rp_strerror(err));
    }
    page_cluster pc = {ci + 1, docs, n, pairs, npairs, rel, nrel};
    rc = page_cluster_write(f, pi, &pc);
out:
    if (rc < 0)
        diag("report: out of memory");
    for (size_t j = 0; j < n; j++) {
        if (texts)
            free(texts[j]);
        if (diffs)
            rp_diff_clear(&diffs[j]);
    }
    free(docs);
    free(texts);
    free(diffs);
    free(rel);
    return rc;
}

/* Writes the whole page. @return 0, or -1 on a fatal error (reported). */
static int write_report(FILE *f, const scan_opts *so, scan_result *r)
{
    const rp_corpus *c = r->c;
    size_t nd = rp_corpus_size(c), nc = rp_corpus_nclusters(c), m = 0, in_clusters = 0;
    order *o = malloc((nc + 1) * sizeof *o);
    size_t *clu = malloc((nd + 1) * sizeof *clu), *pos = malloc((nd + 1) * sizeof *pos);
    size_t *start = calloc(nc + 2, sizeof *start);
    page_pair *pairs = NULL;
    const char **alone = malloc((nc + 1) * sizeof *alone);
    size_t nalone = 0;
    int rc = -1;
    if (!o || !clu || !pos || !start || !alone)
        goto oom;
    for (size_t i = 0; i < nc; i++) {
        size_t n = rp_cluster_size(c, i);
        for (size_t j = 0; j < n; j++) {
            size_t d = rp_cluster_member(c, i, j)->doc;
            clu[d] = i;
            pos[d] = j;
        }
        if (n >= 2) {
            o[m].idx = i;
            o[m++].size = n;
            in_clusters += n;
        } else {
            alone[nalone++] = rp_corpus_id(c, rp_cluster_representative(c, i));
        }
    }
    qsort(o, m, sizeof *o, by_size);
    /* the verified pairs of each cluster, grouped by cluster */
    size_t np = rp_corpus_npairs(c);
    for (size_t i = 0; i < np; i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        if (clu[p->a] == clu[p->b])
            start[clu[p->a] + 1]++;
    }
    for (size_t i = 0; i < nc; i++)
        start[i + 1] += start[i];
    pairs = malloc((start[nc] + 1) * sizeof *pairs);
    if (!pairs)
        goto oom;
    {
        size_t *fill = calloc(nc + 1, sizeof *fill);
        if (!fill)
            goto oom;
        for (size_t i = 0; i < np; i++) {
            const rp_pair *p = rp_corpus_pair(c, i);
            size_t k = clu[p->a];
            if (k != clu[p->b])
                continue;
            page_pair *q = &pairs[start[k] + fill[k]++];
            q->a = pos[p->a] < pos[p->b] ? pos[p->a] : pos[p->b];
            q->b = pos[p->a] < pos[p->b] ? pos[p->b] : pos[p->a];
            q->score = p->sim.score;
        }
        free(fill);
    }

    char title[160];
    snprintf(title, sizeof title, "Reprint report: %zu article%s, %zu cluster%s of reprints",
             nd, nd == 1 ? "" : "s", m, m == 1 ? "" : "s");
    page_info pi = {title, so->ro, DIFF_MIN_RUN, 0};
    page_begin(f, &pi);
    fputs("<main id=\"main\">\n<section class=\"overview\" id=\"overview\" aria-labelledby=\"h-ov\">"
          "<h2 id=\"h-ov\">Overview</h2>\n<dl class=\"figs\">", f);
    figure(f, "Articles", nd);
    figure(f, "Clusters of reprints", m);
    figure(f, "Articles in clusters", in_clusters);
    figure(f, "Articles alone", nalone);
    if (r->skipped)
        figure(f, "Inputs skipped", r->skipped);
    fputs("</dl>\n", f);
    if (m) {
        fputs("<div class=\"charts\">\n", f);
        chart(f, o, m);
        fputs("<div class=\"index\"><table id=\"index\"><caption>", f);
        if (m > INDEX_ROWS)
            fprintf(f, "The %d largest clusters of %zu (all of them follow below)", INDEX_ROWS, m);
        else
            fputs("Clusters, largest first", f);
        fputs("</caption>\n"
              "<thead><tr><th scope=\"col\">Cluster</th><th scope=\"col\">Representative</th>"
              "<th scope=\"col\">Articles</th><th scope=\"col\">Lowest score</th></tr></thead>\n<tbody>\n", f);
        for (size_t k = 0; k < m && k < INDEX_ROWS; k++) {
            size_t i = o[k].idx;
            double low = 1;
            for (size_t j = 1; j < o[k].size; j++) {
                double s = rp_cluster_member(c, i, j)->score;
                low = s < low ? s : low;
            }
            fprintf(f, "<tr id=\"row-%zu\"><td><a href=\"#cluster-%zu\">%zu</a></td><td class=\"id\">",
                    i + 1, i + 1, i + 1);
            html_text(f, rp_corpus_id(c, rp_cluster_representative(c, i)));
            fprintf(f, "</td><td>%zu</td><td>%.2f</td></tr>\n", o[k].size, low);
        }
        fputs("</tbody></table></div>\n</div>\n", f);
    } else {
        fputs("<p>No article has a reprint among the others.</p>\n", f);
    }
    fputs("</section>\n", f);
    for (size_t k = 0; k < m; k++) {
        size_t i = o[k].idx;
        if (write_cluster(f, &pi, r, i, clu, pairs + start[i], start[i + 1] - start[i], &r->skipped) < 0)
            goto out;
    }
    fprintf(f, "<section class=\"alone\" id=\"alone\" aria-labelledby=\"h-alone\"><h2 id=\"h-alone\">"
               "Articles with no reprint <span class=\"count\">%zu</span></h2>\n", nalone);
    if (nalone > 200)
        fprintf(f, "<p>A search lists those that match. <button type=\"button\" id=\"alone-all\">"
                   "Show all %zu</button></p>\n<ul id=\"alone-list\"></ul>\n", nalone);
    else {
        fputs("<ul id=\"alone-list\">", f);
        for (size_t i = 0; i < nalone; i++) {
            fputs("<li>", f);
            html_text(f, alone[i]);
            fputs("</li>", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n</main>\n<footer>Made by reprint " RP_VERSION_STRING
          " (reprint report). The texts are those the scan compared: HTML reduced to its "
          "text, other encodings converted to UTF-8.</footer>\n", f);
    page_end(f, &pi, nalone > 200 ? alone : NULL, nalone > 200 ? nalone : 0);
    rc = 0;
    goto out;
oom:
    diag("report: out of memory");
out:
    free(o);
    free(clu);
    free(pos);
    free(start);
    free(pairs);
    free(alone);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    scan_opts so;
    int rc = scan_begin("report", "-o FILE PATH...", argc, argv, &so);
    if (rc >= 0)
        return rc;
    const char *path = so.output;
    int to_stdout = strcmp(path, "-") == 0;
    scan_result r;
    int code = scan_run(&so, argv + optind, argc - optind, &r);
    FILE *f = NULL;
    if (code != EXIT_OK)
        goto out;
    double t0 = cli_now();
    f = to_stdout ? stdout : fopen(path, "w");
    if (!f) {
        diag("%s: cannot write: %s", safe(path), strerror(errno));
        code = EXIT_TROUBLE;
        goto out;
    }
    if (write_report(f, &so, &r) < 0) {
        code = EXIT_TROUBLE;
    } else if (to_stdout) {
        code = finish_output(r.skipped ? EXIT_SKIPPED : EXIT_OK);
    } else {
        int bad = fflush(f) != 0 || ferror(f);
        int err = errno;
        if (fclose(f) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        f = NULL;
        if (bad) {
            diag("%s: cannot write: %s", safe(path), err ? strerror(err) : "write error");
            code = EXIT_TROUBLE;
        } else {
            code = r.skipped ? EXIT_SKIPPED : EXIT_OK;
        }
    }
    if (code == EXIT_TROUBLE && !to_stdout)
        unlink(path);
    if (so.stats && code != EXIT_TROUBLE) {
        scan_print_stats(&r);
        fprintf(stderr, "reprint: stats: report %.3fs\n", cli_now() - t0);
    }
out:
    if (f && !to_stdout)
        fclose(f);
    scan_result_free(&r);
    scan_opts_free(&so);
    return code;
}
