/*
 * scan.c - `reprint scan`: read files and folders, cluster the reprints,
 * print clusters for people (default), or JSON Lines for machines
 * (--json: one object per cluster; --pairs: one object per verified pair).
 *
 * The library does the work; this file parses options, walks paths, reads
 * files, reports skipped inputs and formats the result. Exit status: 0 all
 * inputs processed, 1 some were skipped, 2 usage or fatal error.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "reprint.h"
#include "../pool.h"
#include "walk.h"
#include "../util.h"

#define DEFAULT_MAX_BYTES ((size_t)64 << 20)
#define BINARY_PROBE 8192

typedef struct scan_opts {
    rp_options ro;
    walk_opts wo;
    int json, pairs, stats, verbose;
    unsigned threads;
    size_t max_bytes;
} scan_opts;

static void usage(FILE *f)
{
    rp_options d;
    rp_options_init(&d);
    fprintf(f,
        "usage: reprint scan [options] PATH...\n"
        "\n"
        "Finds near-duplicate articles (reprints) among the files given and the\n"
        "files below the folders given, and prints them as clusters.\n"
        "\n"
        "output:\n"
        "      --json              one JSON object per cluster (JSON Lines)\n"
        "      --pairs             one JSON object per verified similar pair\n"
        "      --stats             print phase timings and counts on stderr\n"
        "  -v, --verbose           say what is read and skipped\n"
        "  -j, --threads N         threads that read and sketch (default: online CPUs)\n"
        "similarity:\n"
        "  -t, --threshold X       score at which two articles are reprints (default %.2f)\n"
        "  -k, --shingle N         words per shingle (default %u)\n"
        "      --hashes K          MinHash signature length (default %u)\n"
        "      --lsh-threshold X   Jaccard the LSH bands aim at (default: derived)\n"
        "      --bands B --rows R  set the LSH shape by hand\n"
        "      --min-shared N      fewest shared shingles for a pair (default %u)\n"
        "      --keep-boilerplate  do not strip markup, furniture and comments\n"
        "      --furniture-df N    a line in N or more articles (4x the article's\n"
        "                          median line) is site furniture; 0 = off (default %u)\n"
        "      --exhaustive        compare every pair instead of using LSH (slow)\n"
        "input:\n"
        "      --hidden            read hidden files and folders too\n"
        "      --max-bytes N       skip files larger than N bytes; K, M, G suffixes\n"
        "                          (default %zu)\n"
        "  -h, --help              show this help\n",
        d.threshold, d.shingle, d.hashes, d.min_shared, d.furniture_df, DEFAULT_MAX_BYTES);
}

enum {
    OPT_JSON = 256, OPT_PAIRS, OPT_STATS, OPT_HASHES, OPT_LSH, OPT_BANDS,
    OPT_ROWS, OPT_MINSH, OPT_KEEP, OPT_HIDDEN, OPT_MAXB, OPT_EXH, OPT_FDF
};

static const struct option longopts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pairs", no_argument, NULL, OPT_PAIRS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"verbose", no_argument, NULL, 'v'},
    {"threads", required_argument, NULL, 'j'},
    {"threshold", required_argument, NULL, 't'},
    {"shingle", required_argument, NULL, 'k'},
    {"hashes", required_argument, NULL, OPT_HASHES},
    {"lsh-threshold", required_argument, NULL, OPT_LSH},
    {"bands", required_argument, NULL, OPT_BANDS},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"min-shared", required_argument, NULL, OPT_MINSH},
    {"keep-boilerplate", no_argument, NULL, OPT_KEEP},
    {"furniture-df", required_argument, NULL, OPT_FDF},
    {"exhaustive", no_argument, NULL, OPT_EXH},
    {"hidden", no_argument, NULL, OPT_HIDDEN},
    {"max-bytes", required_argument, NULL, OPT_MAXB},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

/* @return 0, 1 to exit 0 (help), or -1 on a usage error. */
static int parse(int argc, char **argv, scan_opts *so)
{
    unsigned long u;
    unsigned long long sz;
    double x;
    rp_options_init(&so->ro);
    so->max_bytes = DEFAULT_MAX_BYTES;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    so->threads = cpus > 0 && cpus <= 256 ? (unsigned)cpus : 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+t:k:j:vh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: so->json = 1; break;
        case OPT_PAIRS: so->pairs = 1; break;
        case OPT_STATS: so->stats = 1; break;
        case 'v': so->verbose = 1; break;
        case 'j':
            if (parse_uint("--threads", optarg, 1, 256, &u) < 0)
                return -1;
            so->threads = (unsigned)u;
            break;
        case 't':
            if (parse_double("--threshold", optarg, 0, 1, &x) < 0)
                return -1;
            so->ro.threshold = x;
            break;
        case 'k':
            if (parse_uint("--shingle", optarg, 1, 16, &u) < 0)
                return -1;
            so->ro.shingle = (unsigned)u;
            break;
        case OPT_HASHES:
            if (parse_uint("--hashes", optarg, 16, 1024, &u) < 0)
                return -1;
            so->ro.hashes = (unsigned)u;
            break;
        case OPT_LSH:
            if (parse_double("--lsh-threshold", optarg, 0.01, 0.99, &x) < 0)
                return -1;
            so->ro.lsh_threshold = x;
            break;
        case OPT_BANDS:
            if (parse_uint("--bands", optarg, 1, 1024, &u) < 0)
                return -1;
            so->ro.bands = (unsigned)u;
            break;
        case OPT_ROWS:
            if (parse_uint("--rows", optarg, 1, 1024, &u) < 0)
                return -1;
            so->ro.rows = (unsigned)u;
            break;
        case OPT_MINSH:
            if (parse_uint("--min-shared", optarg, 1, 1000000, &u) < 0)
                return -1;
            so->ro.min_shared = (unsigned)u;
            break;
        case OPT_KEEP: so->ro.keep_boilerplate = 1; break;
        case OPT_FDF:
            if (parse_uint("--furniture-df", optarg, 0, 255, &u) < 0)
                return -1;
            so->ro.furniture_df = (unsigned)u;
            break;
        case OPT_EXH: so->ro.exhaustive = 1; break;
        case OPT_HIDDEN: so->wo.hidden = 1; break;
        case OPT_MAXB:
            if (parse_size("--max-bytes", optarg, 1, RP_MAX_TEXT, &sz) < 0)
                return -1;
            so->max_bytes = (size_t)sz;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            if (optopt && optopt < 256)
                diag("scan: unknown option '-%c'", optopt);
            else
                diag("scan: unknown option '%s'", safe(argv[optind - 1]));
            return -1;
        }
    }
    if ((so->ro.bands == 0) != (so->ro.rows == 0)) {
        diag("scan: --bands and --rows go together");
        return -1;
    }
    if (rp_options_check(&so->ro) != RP_OK) {
        diag("scan: --bands times --rows must not exceed --hashes (%u)", so->ro.hashes);
        return -1;
    }
    if (optind >= argc) {
        diag("scan: no PATH given");
        return -1;
    }
    return 0;
}

/* Documents are read and sketched a batch at a time on the thread pool,
 * then added to the corpus in input order by the main thread, so the
 * result never depends on the number of threads. */
#define BATCH 512

typedef struct slot {
    rp_doc *doc;
    char why[128];       /* why the input was skipped, or "" */
    size_t bytes;
} slot;

typedef struct batch {
    const scan_opts *so;
    char **path;
    slot *s;
} batch;

/* Reads and sketches one file into its slot; runs on any thread. */
static void sketch_one(void *ctx, size_t i)
{
    const batch *b = ctx;
    slot *sl = &b->s[i];
    char *buf;
    size_t len;
    memset(sl, 0, sizeof *sl);
    const char *why = read_file(b->path[i], b->so->max_bytes, &buf, &len);
    if (why) {
        snprintf(sl->why, sizeof sl->why, "cannot read: %s", why);
        return;
    }
    sl->bytes = len;
    if (memchr(buf, 0, len < BINARY_PROBE ? len : BINARY_PROBE)) {
        snprintf(sl->why, sizeof sl->why, "skipped: looks binary (NUL byte in the first 8 KiB)");
        free(buf);
        return;
    }
    int err;
    sl->doc = rp_doc_new(buf, len, &b->so->ro, &err);
    free(buf);
    if (!sl->doc)
        snprintf(sl->why, sizeof sl->why, "skipped: %s", rp_strerror(err));
}

/* The texts of the added documents, for the corpus to read again when it
 * verifies candidates: the path of each document, by index. */
typedef struct reload_ctx {
    const char **path;
    size_t n, cap;
    size_t max_bytes;
} reload_ctx;

static int reload(void *ctx, size_t doc, char **text, size_t *len)
{
    const reload_ctx *r = ctx;
    if (doc >= r->n)
        return RP_EINVAL;
    return read_file(r->path[doc], r->max_bytes, text, len) ? RP_ELOAD : RP_OK;
}

static void print_pairs(const rp_corpus *c)
{
    for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        fputs("{\"a\": ", stdout);
        json_string(stdout, rp_corpus_id(c, p->a));
        fputs(", \"b\": ", stdout);
        json_string(stdout, rp_corpus_id(c, p->b));
        fputs(", \"score\": ", stdout);
        json_number(stdout, p->sim.score);
        fputs(", \"jaccard\": ", stdout);
        json_number(stdout, p->sim.jaccard);
        fputs(", \"containment_ab\": ", stdout);
        json_number(stdout, p->sim.containment_ab);
        fputs(", \"containment_ba\": ", stdout);
        json_number(stdout, p->sim.containment_ba);
        fputs("}\n", stdout);
    }
}

static void print_json(const rp_corpus *c)
{
    for (size_t i = 0; i < rp_corpus_nclusters(c); i++) {
        printf("{\"cluster\": %zu, \"representative\": ", i + 1);
        json_string(stdout, rp_corpus_id(c, rp_cluster_representative(c, i)));
        fputs(", \"members\": [", stdout);
        for (size_t j = 0; j < rp_cluster_size(c, i); j++) {
            const rp_member *m = rp_cluster_member(c, i, j);
            fputs(j ? ", {\"id\": " : "{\"id\": ", stdout);
            json_string(stdout, rp_corpus_id(c, m->doc));
            fputs(", \"jaccard\": ", stdout);
            json_number(stdout, m->jaccard);
            fputs(", \"containment\": ", stdout);
            json_number(stdout, m->containment);
            fputs("}", stdout);
        }
        fputs("]}\n", stdout);
    }
}

static void print_human(const rp_corpus *c)
{
    size_t nc = rp_corpus_nclusters(c), multi = 0, alone = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t n = rp_cluster_size(c, i);
        if (n < 2) {
            alone++;
            continue;
        }
        multi++;
        printf("cluster %zu: %zu articles\n", multi, n);
        for (size_t j = 0; j < n; j++) {
            const rp_member *m = rp_cluster_member(c, i, j);
            if (j == 0) {
                fputs("  representative  ", stdout);
                safe_string(stdout, rp_corpus_id(c, m->doc));
                fputc('\n', stdout);
            } else {
                printf("  %3.0f%% contained  ", 100 * m->containment);
                safe_string(stdout, rp_corpus_id(c, m->doc));
                printf("  (jaccard %.2f)\n", m->jaccard);
            }
        }
        fputc('\n', stdout);
    }
    if (alone) {
        printf("%zu article%s with no reprint:\n", alone, alone == 1 ? "" : "s");
        for (size_t i = 0; i < nc; i++)
            if (rp_cluster_size(c, i) == 1) {
                fputs("  ", stdout);
                safe_string(stdout, rp_corpus_id(c, rp_cluster_representative(c, i)));
                fputc('\n', stdout);
            }
        fputc('\n', stdout);
    }
    printf("%zu articles: %zu cluster%s of reprints, %zu alone\n",
           rp_corpus_size(c), multi, multi == 1 ? "" : "s", alone);
}

int cmd_scan(int argc, char **argv)
{
    scan_opts so = {0};
    int rc = parse(argc, argv, &so);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint scan [options] PATH...  (see 'reprint scan --help')\n", stderr);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    int code = EXIT_OK;
    size_t skipped = 0, bytes = 0;
    pathlist files = {0};
    reload_ctx rl = {0};
    rp_corpus *c = NULL;
    pool *workers = NULL;
    slot *slots = NULL;
    double t0 = rp_now();
    for (int i = optind; i < argc; i++)
        if (walk_path(argv[i], &so.wo, &files, &skipped) < 0) {
            code = EXIT_TROUBLE;
            goto out;
        }
    c = rp_corpus_new(&so.ro);
    workers = pool_new(so.threads);
    slots = malloc(BATCH * sizeof *slots);
    if (!c || !workers || !slots || rp_corpus_set_loader(c, reload, &rl) != RP_OK ||
        rp_corpus_set_threads(c, so.threads) != RP_OK) {
        diag("out of memory");
        code = EXIT_TROUBLE;
        goto out;
    }
    rl.max_bytes = so.max_bytes;
    double t1 = rp_now();
    for (size_t base = 0; base < files.n; base += BATCH) {
        batch b = {&so, files.v + base, slots};
        size_t m = files.n - base < BATCH ? files.n - base : BATCH;
        pool_run(workers, m, sketch_one, &b);
        for (size_t k = 0; k < m; k++) {
            const char *path = files.v[base + k];
            slot *sl = &slots[k];
            if (so.verbose)
                diag("%s: read", safe(path));
            bytes += sl->bytes;
            if (!sl->doc) {
                diag("%s: %s", safe(path), sl->why);
                skipped++;
                continue;
            }
            if (rp_grow(&rl.path, &rl.cap, rl.n + 1, sizeof *rl.path) < 0) {
                for (; k < m; k++)
                    rp_doc_free(slots[k].doc);
                diag("out of memory");
                code = EXIT_TROUBLE;
                goto out;
            }
            long r = rp_corpus_add(c, path, sl->doc);
            sl->doc = NULL;
            if (r >= 0)
                rl.path[rl.n++] = path;
            if (r == RP_EDUPID) {
                diag("%s: skipped: given more than once", safe(path));
                skipped++;
            } else if (r < 0) {
                for (k++; k < m; k++)
                    rp_doc_free(slots[k].doc);
                diag("%s: %s", safe(path), rp_strerror((int)r));
                code = EXIT_TROUBLE;
                goto out;
            }
        }
    }
    double t2 = rp_now();
    int err = rp_corpus_run(c);
    if (err != RP_OK) {
        diag("scan: %s", rp_strerror(err));
        code = EXIT_TROUBLE;
        goto out;
    }
    for (size_t i = 0; i < rp_corpus_size(c); i++)
        if (rp_corpus_lost(c, i) != RP_OK) {
            diag("%s: changed or unreadable during the scan; left out of the pairs",
                 safe(rp_corpus_id(c, i)));
            skipped++;
        }
    if (so.pairs)
        print_pairs(c);
    if (so.json)
        print_json(c);
    if (!so.json && !so.pairs)
        print_human(c);
    code = finish_output(skipped ? EXIT_SKIPPED : EXIT_OK);
    if (so.stats) {
        rp_run_stats st;
        rp_corpus_stats(c, &st);
        double total = rp_now() - t0;
        size_t n = rp_corpus_size(c);
        fprintf(stderr,
                "reprint: stats: %zu files, %zu articles, %zu skipped, %.1f MB\n"
                "reprint: stats: walk %.3fs, read+normalize+sketch %.3fs, lsh %.3fs "
                "(%u bands x %u rows), verify %.3fs, cluster %.3fs, total %.3fs\n"
                "reprint: stats: %zu candidate pairs, %zu verified, %.0f docs/s, %.1f MB/s\n",
                files.n, n, skipped, bytes / 1e6, t1 - t0, t2 - t1, st.lsh,
                st.bands, st.rows, st.verify, st.cluster, total,
                st.candidates, st.verified, total > 0 ? n / total : 0.0,
                total > 0 ? bytes / 1e6 / total : 0.0);
    }
out:
    rp_corpus_free(c);
    pool_free(workers);
    free(slots);
    free(rl.path);
    pathlist_free(&files);
    return code;
}
