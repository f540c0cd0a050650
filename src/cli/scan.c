/*
 * scan.c - `reprint scan`: read files and folders, cluster the reprints,
 * print clusters for people (default), or JSON Lines for machines
 * (--json: one object per cluster; --pairs: one object per verified pair).
 *
 * The library does the work; this file parses options, takes records from
 * the input layer (input.c: files, folders and stdin), reports what cannot
 * be added and formats the result. Exit status: 0 all inputs processed,
 * 1 some were skipped, 2 usage or fatal error. `report` and `dedup` run
 * the same option table and the same ingestion (scan_parse, scan_run).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include <getopt.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"
#include "feed.h"
#include "input.h"
#include "keep.h"
#include "opts.h"
#include "output.h"
#include "reprint.h"
#include "scan.h"


static void usage(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "report") == 0)
        fputs("usage: reprint report [options] -o FILE PATH...\n"
              "\n"
              "Finds near-duplicate articles (reprints) as 'reprint scan' does and\n"
              "writes the clusters as one self-contained HTML page: an overview, and\n"
              "for each cluster its members, a picture of its pairs and each member\n"
              "side by side with the representative, shared passages marked.\n"
              "\n"
              "output:\n"
              "  -o, --output FILE       write the page to FILE ('-': standard output)\n"
              "      --stats             print phase timings and counts on stderr\n", f);
    else if (strcmp(cmd, "dedup") == 0)
        fputs("usage: reprint dedup [options] PATH...\n"
              "\n"
              "Finds near-duplicate articles as 'reprint scan' does and writes the\n"
              "input minus the duplicates, one document kept per cluster, in input\n"
              "order: a JSON Lines record as its line, unchanged; a NUL-separated\n"
              "text with its NUL; a file as its path on a line.\n"
              "\n"
              "output:\n"
              "      --print-drop        list the ids (paths) of the documents to drop\n"
              "  -0, --print0            end each listed path with NUL, not a newline\n"
              "      --stats             kept and dropped counts by cluster size, and\n"
              "                          phase timings, on stderr\n", f);
    else
        fputs("usage: reprint scan [options] PATH...\n"
              "\n"
              "Finds near-duplicate articles (reprints) among the files given, the\n"
              "files below the folders given and the records on standard input (-),\n"
              "and prints them as clusters.\n"
              "\n"
              "output:\n"
              "      --json              one JSON object per cluster (JSON Lines)\n"
              "      --pairs             one JSON object per verified similar pair\n"
              "      --format FORMAT     jsonl (as --json), json (one array), tsv or csv\n"
              "                          (a header row, one row per member or pair)\n"
              "      --fields LIST       jsonl: carry the fields a,b,... of each record\n"
              "                          into the output, as written\n"
              "      --min-size N        leave out clusters of fewer than N articles\n"
              "                          (default 1: singletons are listed)\n"
              "      --sort ORDER        order clusters by input (default), size or id\n"
              "      --stats             print phase timings and counts on stderr\n", f);
    fputs("choosing (the document dedup keeps, the representative scan names):\n"
          "      --keep RULE         representative (default), first, longest or\n"
          "                          earliest\n"
          "      --date-field NAME   jsonl: field holding the date for --keep earliest\n"
          "                          (ISO 8601 or seconds; files: modification time)\n"
          "      --prefer GLOB       keep a document whose id or path matches GLOB\n"
          "                          (can be repeated)\n", f);
    fputs("  -v, --verbose           say what is read and skipped\n"
          "  -j, --threads N         threads that read, sketch and verify (default: online CPUs)\n"
          "similarity:\n", f);
    opts_sim_help(f, 0);
    rp_options *d = sim_new();
    fprintf(f,
        "      --furniture-df N    a line in N or more articles (4x the article's\n"
        "                          median line) is site furniture; 0 = off (default %u)\n"
        "      --exhaustive        compare every pair instead of using LSH (slow)\n",
        (unsigned)sim_get(d, RP_OPT_FURNITURE_DF));
    rp_options_free(d);
    opts_input_help(f);
    fputs("  -h, --help              show this help\n"
          "\n"
          "Files ending in .html or .htm are read as HTML. Text that is not UTF-8 is\n"
          "read as Windows-1252; UTF-16 needs a byte order mark. gzip, bzip2, xz and\n"
          "zstd files are decompressed, tar and zip archives give one article per\n"
          "member (ARCHIVE:MEMBER), WARC files one per response or resource record.\n", f);
}

enum {
    OPT_JSON = 256, OPT_PAIRS, OPT_STATS, OPT_EXH, OPT_FORMAT, OPT_FIELDS, OPT_MINSIZE,
    OPT_SORT, OPT_KEEP, OPT_DATEF, OPT_PREFER, OPT_PDROP
};

/* scan's own options; opts_table adds the shared ones (OPTS_SIM,
 * OPTS_FURNITURE, OPTS_INPUT). */
static const struct option own_opts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pairs", no_argument, NULL, OPT_PAIRS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"verbose", no_argument, NULL, 'v'},
    {"threads", required_argument, NULL, 'j'},
    {"exhaustive", no_argument, NULL, OPT_EXH},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"fields", required_argument, NULL, OPT_FIELDS},
    {"min-size", required_argument, NULL, OPT_MINSIZE},
    {"sort", required_argument, NULL, OPT_SORT},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"date-field", required_argument, NULL, OPT_DATEF},
    {"prefer", required_argument, NULL, OPT_PREFER},
    {"print-drop", no_argument, NULL, OPT_PDROP},
    {"print0", no_argument, NULL, '0'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

/* Appends s (owned from now on) to a list of strings. @return 0, -1. */
static int push_str(char ***v, size_t *n, char *pat)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
        diag("out of memory");
        return -1;
    }
    nv[(*n)++] = pat;
    *v = nv;
    return 0;
}

/* The options of the tables (scan only) and of dedup's output. */
static int table_option(int c)
{
    return c == OPT_JSON || c == OPT_PAIRS || c == OPT_FORMAT || c == OPT_FIELDS ||
           c == OPT_MINSIZE || c == OPT_SORT;
}

/* Splits a --fields LIST into so->fields. @return 0, -1 (reported). */
static int add_fields(scan_opts *so, const char *list)
{
    for (const char *p = list;;) {
        size_t k = strcspn(p, ",");
        if (k == 0) {
            diag("--fields: empty field name in '%s'", safe(list));
            return -1;
        }
        char *name = strndup(p, k);
        if (!name || push_str(&so->fields, &so->nfields, name) < 0) {
            free(name);
            diag("out of memory");
            return -1;
        }
        if (!p[k])
            return 0;
        p += k + 1;
    }
}

int scan_parse(int argc, char **argv, scan_opts *so)
{
    const char *cmd = so->cmd;
    int report = strcmp(cmd, "report") == 0, dedup = strcmp(cmd, "dedup") == 0;
    int format_set = 0;
    unsigned long u;
    if (!(so->ro = sim_new()))
        return -1;
    so->io.max_bytes = DEFAULT_MAX_BYTES;
    so->io.progress = -1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    so->threads = cpus > 0 && cpus <= 256 ? (unsigned)cpus : 1;
    struct option buf[OPTS_MAX];
    const struct option *longopts = opts_table(buf, own_opts, OPTS_SIM | OPTS_FURNITURE | OPTS_INPUT);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":t:k:j:o:vhL0", longopts, NULL)) != -1) {
        int sim = parse_sim_option(c, optarg, so->ro);
        if (sim < 0)
            return -1;
        if (sim > 0)
            continue;
        int inp = parse_input_option(c, optarg, &so->io);
        if (inp < 0)
            return -1;
        if (inp > 0)
            continue;
        if ((report || dedup) && table_option(c)) {
            const char *name = "";
            for (const struct option *o = longopts; o->name; o++)
                if (o->val == c)
                    name = o->name;
            diag("%s: --%s is for 'reprint scan'", cmd, name);
            return -1;
        }
        if (!dedup && (c == OPT_PDROP || c == '0')) {
            diag("%s: %s is for 'reprint dedup'", cmd, c == '0' ? "-0 (--print0)" : "--print-drop");
            return -1;
        }
        switch (c) {
        case OPT_JSON: so->json = 1; break;
        case OPT_PAIRS: so->pairs = 1; break;
        case OPT_FORMAT:
            if (out_parse_format(optarg, &so->format) < 0)
                return -1;
            format_set = 1;
            break;
        case OPT_FIELDS:
            if (add_fields(so, optarg) < 0)
                return -1;
            break;
        case OPT_MINSIZE:
            if (parse_uint("--min-size", optarg, 1, 1000000000, &so->min_size) < 0)
                return -1;
            break;
        case OPT_SORT:
            if (strcmp(optarg, "input") == 0)
                so->sort = SORT_INPUT;
            else if (strcmp(optarg, "size") == 0)
                so->sort = SORT_SIZE;
            else if (strcmp(optarg, "id") == 0)
                so->sort = SORT_ID;
            else {
                diag("--sort: expected input, size or id, got '%s'", safe(optarg));
                return -1;
            }
            break;
        case OPT_KEEP:
            if (keep_parse(optarg, &so->keep) < 0)
                return -1;
            break;
        case OPT_DATEF: so->date_field = optarg; break;
        case OPT_PREFER:
            if (push_str(&so->prefer, &so->nprefer, optarg) < 0)
                return -1;
            break;
        case OPT_PDROP: so->print_drop = 1; break;
        case '0': so->print0 = 1; break;
        case 'o':
            if (!report) {
                diag("%s: unknown option '-o'", cmd);
                return -1;
            }
            so->output = optarg;
            break;
        case OPT_STATS: so->stats = 1; break;
        case 'v': so->io.verbose = 1; break;
        case 'j':
            if (parse_uint("--threads", optarg, 1, 256, &u) < 0)
                return -1;
            so->threads = (unsigned)u;
            break;
        case OPT_EXH: rp_options_set(so->ro, RP_OPT_EXHAUSTIVE, 1); break;
        case 'h':
            usage(stdout, cmd);
            return 1;
        default:
            opt_error(cmd, c, argv, longopts);
            return -1;
        }
    }
    if (check_sim_options(cmd, so->ro) < 0)
        return -1;
    if (so->date_field && so->keep != KEEP_EARLIEST) {
        diag("%s: --date-field goes with --keep earliest", cmd);
        return -1;
    }
    if (so->json && format_set && so->format != OUT_JSONL) {
        diag("%s: --json and --format exclude each other", cmd);
        return -1;
    }
    if (so->json)
        so->format = OUT_JSONL;
    else if (format_set && !so->pairs)
        so->json = 1;   /* the clusters, in that format */
    else if (so->pairs && !format_set)
        so->format = OUT_JSONL;
    if (so->json && so->pairs && so->format != OUT_JSONL) {
        diag("%s: --format %s writes one table: the clusters, or --pairs", cmd,
             so->format == OUT_JSON ? "json" : so->format == OUT_TSV ? "tsv" : "csv");
        return -1;
    }
    if (!so->min_size)
        so->min_size = 1;
    /* the fields read from each record: those shown, then the date */
    so->nfields_in = so->nfields;
    if (so->date_field) {
        size_t i = 0;
        while (i < so->nfields && strcmp(so->fields[i], so->date_field) != 0)
            i++;
        if (i == so->nfields) {
            char *d = strdup(so->date_field);
            if (!d || push_str(&so->fields, &so->nfields_in, d) < 0) {
                free(d);
                return -1;
            }
        }
    }
    so->io.fields = (const char *const *)so->fields;
    so->io.nfields = so->nfields_in;
    if (report && !so->output) {
        diag("report: no output file given (-o FILE)");
        return -1;
    }
    if (optind >= argc && !so->io.files_from) {
        diag("%s: no PATH given", cmd);
        return -1;
    }
    return 0;
}

void scan_opts_free(scan_opts *so)
{
    input_options_free(&so->io);
    size_t n = so->nfields_in > so->nfields ? so->nfields_in : so->nfields;
    for (size_t i = 0; i < n; i++)
        free(so->fields[i]);
    free(so->fields);
    free(so->prefer);
    so->fields = NULL;
    so->prefer = NULL;
    so->nfields = so->nfields_in = so->nprefer = 0;
    rp_options_free(so->ro);
    so->ro = NULL;
}

/* Records are taken from the input a batch at a time (at most BATCH
 * records, and at most --max-bytes of input counted by the files' sizes
 * before they are read: see input_next_batch), their files read and
 * sketched on the threads, then added to the corpus in input order by the
 * main thread (feed.h), so the result never depends on the number of
 * threads. */
#define BATCH 512

/* The texts of the added documents, for the corpus to read again when it
 * verifies candidates (and for the report): the input's ref of each
 * document, by index, in the scan_result. */
static int reload(void *ctx, size_t doc, char **text, size_t *len)
{
    const scan_result *r = ctx;
    if (doc >= r->n)
        return RP_EINVAL;
    return input_reload(r->in, r->ref[doc], text, len);
}

int scan_text(scan_result *r, size_t doc, char **text, size_t *len)
{
    return reload(r, doc, text, len);
}

const char *scan_meta(const scan_result *r, size_t doc)
{
    return doc < r->n && r->info && r->info[doc].meta ? r->meta + r->info[doc].meta - 1 : NULL;
}

/* For scan_order's qsort: the clusters of the result being sorted. */
static const rp_corpus *sort_c;
static int sort_rule;

static int cmp_cluster(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    if (sort_rule == SORT_SIZE) {
        size_t na = rp_cluster_size(sort_c, a), nb = rp_cluster_size(sort_c, b);
        if (na != nb)
            return na > nb ? -1 : 1;
    } else if (sort_rule == SORT_ID) {
        int k = strcmp(rp_corpus_id(sort_c, rp_cluster_representative(sort_c, a)),
                       rp_corpus_id(sort_c, rp_cluster_representative(sort_c, b)));
        if (k)
            return k;
    }
    return (a > b) - (a < b);
}

size_t *scan_order(const scan_opts *so, const scan_result *r, size_t *n)
{
    size_t nc = rp_corpus_nclusters(r->c);
    size_t *v = malloc((nc ? nc : 1) * sizeof *v);
    *n = 0;
    if (!v) {
        diag("out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nc; i++)
        if (rp_cluster_size(r->c, i) >= so->min_size)
            v[(*n)++] = i;
    if (so->sort != SORT_INPUT) {
        sort_c = r->c;
        sort_rule = so->sort;
        qsort(v, *n, sizeof *v, cmp_cluster);
    }
    return v;
}

static void print_pairs(const scan_opts *so, const scan_source *src)
{
    out_table t = {stdout, so->format, (const char *const *)so->fields, so->nfields, 0};
    const char *a, *b, *ma, *mb;
    rp_sim s;
    out_begin(&t, 1);
    while (src->pair(src->ctx, &a, &b, &s, &ma, &mb) > 0)
        out_pair(&t, a, b, &s, ma, mb);
    out_end(&t);
}

/* One object (or rows) per cluster, its members and related documents
 * named by id. @return 0, or -1 (reported). */
static int print_json(const scan_opts *so, const scan_source *src)
{
    out_table t = {stdout, so->format, (const char *const *)so->fields, so->nfields, 0};
    scan_cluster cl;
    size_t q = 0;
    int got;
    out_begin(&t, 0);
    for (int restart = 1; (got = src->cluster(src->ctx, restart, &cl)) > 0; restart = 0)
        out_cluster(&t, ++q, cl.m, cl.n, cl.nrel, so->nfields ? cl.meta : NULL);
    out_end(&t);
    return got < 0 ? -1 : 0;
}

/* @return 0, or -1 (reported). */
static int print_human(const scan_opts *so, const scan_source *src)
{
    size_t multi = src->multi, alone = src->alone, related = src->related, shown = 0;
    scan_cluster cl;
    int got;
    for (int restart = 1; (got = src->cluster(src->ctx, restart, &cl)) > 0; restart = 0) {
        size_t n = cl.n;
        if (n < 2)
            continue;
        printf("cluster %zu: %zu articles\n", ++shown, n);
        for (size_t j = 0; j < n; j++) {
            const rp_index_member *m = &cl.m[j];
            if (j == 0) {
                fputs("  representative  ", stdout);
                safe_string(stdout, m->id);
                fputc('\n', stdout);
            } else {
                printf("  %3.0f%% contained  ", 100 * m->containment);
                safe_string(stdout, m->id);
                printf("  (holds %.0f%%, jaccard %.2f)\n", 100 * m->holds, m->jaccard);
            }
        }
        for (size_t j = 0; j < cl.nrel; j++) {
            const rp_index_member *m = &cl.m[n + j];
            printf("  related %3.0f%%  ", 100 * m->containment);
            safe_string(stdout, m->id);
            fputs("  (in ", stdout);
            safe_string(stdout, m->with);
            printf(", holds %.0f%%)\n", 100 * m->holds);
        }
        fputc('\n', stdout);
    }
    if (got < 0)
        return -1;
    if (alone && so->min_size <= 1) {
        printf("%zu article%s with no reprint:\n", alone, alone == 1 ? "" : "s");
        for (int restart = 1; (got = src->cluster(src->ctx, restart, &cl)) > 0; restart = 0) {
            if (cl.n == 1 && cl.nrel == 0) {
                fputs("  ", stdout);
                safe_string(stdout, cl.m[0].id);
                fputc('\n', stdout);
            }
        }
        if (got < 0)
            return -1;
        fputc('\n', stdout);
    }
    printf("%zu article%s: %zu cluster%s of reprints", src->docs, src->docs == 1 ? "" : "s",
           multi, multi == 1 ? "" : "s");
    if (shown < multi)
        printf(" (%zu shown: --min-size %lu)", shown, so->min_size);
    fputs(", ", stdout);
    if (related)
        printf("%zu related, ", related);
    printf("%zu alone\n", alone);
    return 0;
}

int scan_print_source(const scan_opts *so, const scan_source *src, size_t capped,
                      size_t skipped)
{
    if (so->pairs) {
        if (capped)
            diag("note: %zu LSH bucket%s held more than %d near-identical articles; "
                 "their clusters are complete, but not all of their pairs are listed",
                 capped, capped == 1 ? "" : "s", RP_BUCKET_MAX);
        print_pairs(so, src);
    }
    int bad = so->json && print_json(so, src) < 0;
    if (!so->json && !so->pairs)
        bad = print_human(so, src) < 0;
    return bad ? EXIT_TROUBLE : finish_output(skipped ? EXIT_SKIPPED : EXIT_OK);
}

/* The clusters and pairs of a clustered corpus, as a scan_source. */
typedef struct corpus_source {
    const scan_opts *so;
    const scan_result *r;
    size_t *order, no, q, p;
    rp_index_member *m;
    const char **meta;
    size_t cap, mcap;
} corpus_source;

static int corpus_cluster(void *ctx, int restart, scan_cluster *out)
{
    corpus_source *cs = ctx;
    const rp_corpus *c = cs->r->c;
    if (restart)
        cs->q = 0;
    if (cs->q >= cs->no)
        return 0;
    size_t i = cs->order[cs->q++];
    size_t n = rp_cluster_size(c, i), nr = rp_cluster_nrelated(c, i);
    if (cli_grow(&cs->m, &cs->cap, n + nr, sizeof *cs->m) < 0 ||
        cli_grow(&cs->meta, &cs->mcap, n + nr, sizeof *cs->meta) < 0) {
        diag("out of memory");
        return -1;
    }
    for (size_t j = 0; j < n + nr; j++) {
        const rp_member *x = j < n ? rp_cluster_member(c, i, j) : rp_cluster_related(c, i, j - n);
        cs->m[j] = (rp_index_member){rp_corpus_id(c, x->doc), x->jaccard, x->containment,
                                     j < n ? NULL : rp_corpus_id(c, x->partner), x->score,
                                     x->holds};
        cs->meta[j] = scan_meta(cs->r, x->doc);
    }
    *out = (scan_cluster){cs->m, n, nr, cs->meta, i};
    return 1;
}

static int corpus_pair(void *ctx, const char **a, const char **b, rp_sim *s, const char **ma,
                       const char **mb)
{
    corpus_source *cs = ctx;
    const rp_corpus *c = cs->r->c;
    if (cs->p >= rp_corpus_npairs(c))
        return 0;
    const rp_pair *p = rp_corpus_pair(c, cs->p++);
    *a = rp_corpus_id(c, p->a);
    *b = rp_corpus_id(c, p->b);
    *s = p->sim;
    *ma = scan_meta(cs->r, p->a);
    *mb = scan_meta(cs->r, p->b);
    return 1;
}

scan_source *scan_source_new(const scan_opts *so, const scan_result *r)
{
    corpus_source *cs = calloc(1, sizeof *cs);
    scan_source *src = calloc(1, sizeof *src);
    if (!cs || !src) {
        diag("out of memory");
        free(cs);
        free(src);
        return NULL;
    }
    cs->so = so;
    cs->r = r;
    if (!(cs->order = scan_order(so, r, &cs->no))) {
        free(cs);
        free(src);
        return NULL;
    }
    const rp_corpus *c = r->c;
    for (size_t i = 0; i < rp_corpus_nclusters(c); i++) {
        if (rp_cluster_size(c, i) >= 2)
            src->multi++;
        /* a document with a verified pair is listed as related to its
         * partner's cluster, not as alone */
        else if (rp_cluster_nrelated(c, i))
            src->related++;
        else
            src->alone++;
    }
    src->docs = rp_corpus_size(c);
    src->ctx = cs;
    src->cluster = corpus_cluster;
    src->pair = corpus_pair;
    return src;
}

void scan_source_free(scan_source *src)
{
    if (!src)
        return;
    corpus_source *cs = src->ctx;
    free(cs->order);
    free(cs->m);
    free(cs->meta);
    free(cs);
    free(src);
}

/* What scan_run's feed uses. */
typedef struct scan_feed {
    const scan_opts *so;
    scan_result *r;
} scan_feed;

void scan_keep_doc(const scan_opts *so, const record *r, const rp_doc *doc, int64_t mtime_ms,
                   keep_doc *kd)
{
    memset(kd, 0, sizeof *kd);
    size_t words = rp_doc_words(doc);
    kd->words = words > UINT32_MAX ? UINT32_MAX : (uint32_t)words;
    kd->prefer = so->nprefer && keep_prefer(so->prefer, so->nprefer, r->id);
    if (so->keep != KEEP_EARLIEST)
        return;
    if (r->meta) {
        if (so->date_field) {
            /* the date is the value of its field among the values */
            const char *v = r->meta;
            for (size_t i = 0; i < so->nfields_in && strcmp(so->fields[i], so->date_field); i++)
                v += strlen(v) + 1;
            kd->has_date = keep_parse_date(v, &kd->date) == 0;
        }
    } else if (mtime_ms) {
        kd->date = mtime_ms;   /* a file: its modification time */
        kd->has_date = 1;
    }
}

/* Adds the sketched record it to the corpus, or reports why not.
 * @return 0, or -1 on a fatal error (reported). */
static int add_one(void *ctx, feed_item *it)
{
    const scan_feed *sf = ctx;
    const scan_opts *so = sf->so;
    scan_result *rl = sf->r;
    int ok = feed_check(rl->in, it, &rl->skipped);
    if (ok <= 0)
        return ok;
    if (cli_grow(&rl->ref, &rl->cap, rl->n + 1, sizeof *rl->ref) < 0 ||
        cli_grow(&rl->info, &rl->icap, rl->n + 1, sizeof *rl->info) < 0 ||
        cli_grow(&rl->kd, &rl->kcap, rl->n + 1, sizeof *rl->kd) < 0) {
        diag("out of memory");
        return -1;
    }
    doc_info di = {it->r.raw, 0};
    keep_doc kd;
    scan_keep_doc(so, &it->r, it->doc, it->mtime_ms, &kd);
    if (it->r.meta) {
        if (cli_grow(&rl->meta, &rl->metacap, rl->metalen + it->r.metalen + 1, 1) < 0) {
            diag("out of memory");
            return -1;
        }
        di.meta = rl->metalen + 1;
        memcpy(rl->meta + rl->metalen, it->r.meta, it->r.metalen + 1);
        rl->metalen += it->r.metalen + 1;
    }
    int k = rp_corpus_add(rl->c, it->r.id, it->doc, NULL);
    it->doc = NULL;
    if (k == RP_OK) {
        rl->info[rl->n] = di;
        rl->kd[rl->n] = kd;
        rl->ref[rl->n++] = it->r.ref;
    } else if (k == RP_EDUPID) {
        if (it->r.where)
            diag("%s: skipped: duplicate id '%s'", it->r.where, safe(it->r.id));
        else
            diag("%s: skipped: given more than once", safe(it->r.id));
        rl->skipped++;
    } else {
        diag("%s: %s", safe(record_where(&it->r)), rp_strerror((int)k));
        return -1;
    }
    return 0;
}

int scan_apply_keep(const scan_opts *so, scan_result *r)
{
    if (so->keep == KEEP_REPRESENTATIVE && !so->nprefer)
        return 0;
    size_t undated = 0;
    for (size_t i = 0; i < rp_corpus_nclusters(r->c); i++) {
        size_t n = rp_cluster_size(r->c, i);
        if (n < 2)
            continue;
        for (size_t j = 0; j < n; j++)
            undated += !r->kd[rp_cluster_member(r->c, i, j)->doc].has_date;
        if (so->choose_only)
            continue;
        size_t d = keep_choose(so->keep, r->c, i, r->kd);
        int err = rp_cluster_set_representative(r->c, i, d);
        if (err != RP_OK) {
            diag("%s: %s", so->cmd, rp_strerror(err));
            return -1;
        }
    }
    r->undated = undated;
    return 0;
}

void scan_note_undated(const scan_opts *so, size_t undated)
{
    if (so->keep == KEEP_EARLIEST && undated)
        diag("note: %zu article%s in clusters %s no date%s%s%s; they count as the latest",
             undated, undated == 1 ? "" : "s", undated == 1 ? "has" : "have",
             so->date_field ? " in field '" : "", so->date_field ? safe(so->date_field) : "",
             so->date_field ? "'" : "");
}

/* The C library's memory policy for a scan. Each batch of documents is
 * allocated and freed again on every thread, and glibc by default gives
 * the freed top of each heap back to the system (above 128 KiB) and maps
 * large blocks one by one, raising those limits only as it meets larger
 * frees; every page given back is a page fault when the next batch takes
 * it again (about 30 us each on a virtual machine, against 2 us for a
 * system call). So: freed memory below 64 MiB kept for reuse, and only
 * blocks of 32 MiB or more (texts near --max-bytes) mapped on their own.
 * On the 20,000-article bench corpus that is 4,000 fewer page faults.
 * Up to -j ARENA_THREADS, a heap for each thread that allocates (the
 * reader, the workers, the main thread): with one heap for all, they
 * waited on its lock (futex calls 3% of a scan's time at -j2), and a
 * bench scan took 0.93 s and 1.65 CPU s against 0.83 and 1.50 with a
 * heap a thread, for 2,500 more page faults and 3 MB more at the peak.
 * Above that, one heap: each heap keeps up to 64 MiB of freed memory, so
 * at -j8 with texts of 2 MB a heap a thread (or even 3) took the peak
 * from 46 MB to 78 MB, past the bound of t_memory.sh.
 *
 * Even so each page of the heap faults once, when it is first touched:
 * 8,000 faults for the 33 MB a scan of the bench corpus holds at its
 * peak. So the first HEAP_HUGE bytes of the heap are taken from the
 * system at once (one block, freed again at once: nothing is touched)
 * and marked for transparent huge pages, which the heap then fills with
 * one fault per 2 MiB. Pages never touched cost nothing; a touched one
 * is resident whole, so the peak can grow by up to 2 MiB a page the heap
 * only partly uses (t_memory.sh holds it to its bound). A heap that
 * grows past HEAP_HUGE goes on in small pages. */
#define HEAP_HUGE ((size_t)48 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

static void *heap_below;   /* see memory_policy: kept, never touched */

#define ARENA_THREADS 2

static void memory_policy(unsigned threads)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD) && defined(M_ARENA_MAX)
    mallopt(M_ARENA_MAX, threads <= ARENA_THREADS ? (int)threads + 2 : 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#if defined(MADV_HUGEPAGE) && defined(M_MMAP_MAX)
    static int done;
    if (done++)
        return;
    mallopt(M_MMAP_MAX, 0);   /* this block from the heap, not mapped */
    char *p = malloc(HEAP_HUGE);
    mallopt(M_MMAP_MAX, 65536);   /* glibc's default */
    if (!p)
        return;
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + HEAP_HUGE) & ~(HUGE_PAGE - 1);
    if (e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE);
    size_t lead = (size_t)(a - (uintptr_t)p);
    free(p);
    /* the heap below the first huge page boundary stays in small pages:
     * a block that fills it (glibc puts it where p was, a chunk of a - p
     * bytes with its 8-byte header) makes the allocations that follow
     * start in huge pages */
    if (lead >= 64)
        heap_below = malloc(lead - 8);
#endif
#endif
}

int scan_run(scan_opts *so, char **paths, int npaths, scan_result *r)
{
    memory_policy(so->threads);
    memset(r, 0, sizeof *r);
    r->t0 = cli_now();
    /* files are read on the threads; stdin records are kept in a spool
     * for the verification to read again */
    so->io.defer = 1;
    so->io.spool = 1;
    r->in = input_open(paths, npaths, &so->io);
    if (!r->in)
        return EXIT_TROUBLE;
    rp_corpus_new(so->ro, &r->c);
    if (!r->c || rp_corpus_set_loader(r->c, reload, r) != RP_OK ||
        rp_corpus_set_threads(r->c, so->threads) != RP_OK) {
        diag("out of memory");
        return EXIT_TROUBLE;
    }
    /* a folder's files: as many documents (a hint; none for stdin) */
    input_stats ist;
    input_get_stats(r->in, &ist);
    if (ist.files) {   /* (failing is harmless: they grow as they go) */
        rp_corpus_reserve(r->c, ist.files);
        cli_grow(&r->ref, &r->cap, ist.files, sizeof *r->ref);
        cli_grow(&r->info, &r->icap, ist.files, sizeof *r->info);
        cli_grow(&r->kd, &r->kcap, ist.files, sizeof *r->kd);
    }
    r->t1 = cli_now();
    scan_feed sf = {so, r};
    feed f = {r->in, so->ro, so->threads, BATCH, so->keep == KEEP_EARLIEST, NULL,
              add_one, &sf};
    if (feed_run_corpus(&f, r->c) != 0)
        return EXIT_TROUBLE;
    r->skipped += input_skipped(r->in) + input_finish(r->in, rp_corpus_size(r->c));
    r->t2 = cli_now();
    int err = rp_corpus_run(r->c);
    if (err != RP_OK) {
        diag("%s: %s", so->cmd, rp_strerror(err));
        return EXIT_TROUBLE;
    }
    for (size_t i = 0; i < rp_corpus_size(r->c); i++)
        if (rp_corpus_lost(r->c, i) != RP_OK) {
            diag("%s: changed or unreadable during the scan; left out of the pairs",
                 safe(rp_corpus_id(r->c, i)));
            r->skipped++;
        }
    if (scan_apply_keep(so, r) < 0)
        return EXIT_TROUBLE;
    scan_note_undated(so, r->undated);
    r->t3 = cli_now();
    return EXIT_OK;
}

int scan_print(const scan_opts *so, const scan_result *r, size_t capped)
{
    scan_source *src = scan_source_new(so, r);
    if (!src)
        return EXIT_TROUBLE;
    int code = scan_print_source(so, src, capped, r->skipped);
    scan_source_free(src);
    return code;
}

void scan_print_stats(const scan_result *r)
{
    rp_run_stats st;
    input_stats is;
    rp_corpus_stats(r->c, &st);
    input_get_stats(r->in, &is);
    double total = cli_now() - r->t0;
    size_t n = rp_corpus_size(r->c);
    double mb = (double)is.bytes / 1e6;
    fprintf(stderr,
            "reprint: stats: %zu files, %zu articles, %zu skipped, %.1f MB\n"
            "reprint: stats: walk %.3fs, read+normalize+sketch %.3fs, lsh %.3fs "
            "(%u bands x %u rows), verify %.3fs, cluster %.3fs, total %.3fs\n"
            "reprint: stats: %zu candidate pairs, %zu screened out, %zu verified similar, "
            "%zu furniture lines, %zu capped buckets, %.0f docs/s, %.1f MB/s\n",
            is.files, n, r->skipped, mb, r->t1 - r->t0, r->t2 - r->t1, st.lsh,
            st.bands, st.rows, st.verify, st.cluster, total,
            st.candidates, st.screened, st.verified, st.furniture, st.capped,
            total > 0 ? n / total : 0.0,
            total > 0 ? mb / total : 0.0);
}

void scan_result_free(scan_result *r)
{
    rp_corpus_free(r->c);
    free(r->ref);
    free(r->info);
    free(r->kd);
    free(r->meta);
    input_close(r->in);
    memset(r, 0, sizeof *r);
}

int scan_begin(const char *cmd, const char *operands, int argc, char **argv, scan_opts *so)
{
    memset(so, 0, sizeof *so);
    so->cmd = cmd;
    int rc = scan_parse(argc, argv, so);
    if (rc == 0)
        return -1;
    if (rc < 0)
        fprintf(stderr, "usage: reprint %s [options] %s  (see 'reprint %s --help')\n", cmd,
                operands, cmd);
    scan_opts_free(so);
    return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
}

int cmd_scan(int argc, char **argv)
{
    scan_opts so;
    int rc = scan_begin("scan", "PATH...", argc, argv, &so);
    if (rc >= 0)
        return rc;
    scan_result r;
    int code = scan_run(&so, argv + optind, argc - optind, &r);
    if (code == EXIT_OK) {
        rp_run_stats st;
        rp_corpus_stats(r.c, &st);
        code = scan_print(&so, &r, st.capped);
        if (so.stats)
            scan_print_stats(&r);
    }
    scan_result_free(&r);
    scan_opts_free(&so);
    return code;
}
