/*
 * scan.c - `reprint scan`: read files and folders, cluster the reprints,
 * print clusters for people (default), or JSON Lines for machines
 * (--json: one object per cluster; --pairs: one object per verified pair).
 *
 * The library does the work; this file parses options, takes records from
 * the input layer (input.c: files, folders and stdin), reports what cannot
 * be added and formats the result. Exit status: 0 all inputs processed,
 * 1 some were skipped, 2 usage or fatal error.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "output.h"
#include "reprint.h"
#include "scan.h"
#include "../lsh.h"
#include "../pool.h"
#include "../util.h"

#define DEFAULT_MAX_BYTES ((size_t)64 << 20)

static void usage(FILE *f, const char *cmd)
{
    rp_options *d = sim_new();
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
              "      --stats             print phase timings and counts on stderr\n", f);
    fprintf(f,
        "  -v, --verbose           say what is read and skipped\n"
        "  -j, --threads N         threads that read, sketch and verify (default: online CPUs)\n"
        "similarity:\n"
        "  -t, --threshold X       score at which two articles are reprints (default %.2f)\n"
        "  -k, --shingle N         words per shingle (default %u)\n"
        "      --hashes K          MinHash signature length (default %u)\n"
        "      --lsh-threshold X   Jaccard the LSH bands aim at (default 0.1)\n"
        "      --bands B --rows R  set the LSH shape by hand\n"
        "      --min-shared N      fewest shared shingles for a pair (default %u)\n"
        "      --keep-boilerplate  do not strip markup, furniture and comments\n"
        "      --furniture-df N    a line in N or more articles (4x the article's\n"
        "                          median line) is site furniture; 0 = off (default %u)\n"
        "      --exhaustive        compare every pair instead of using LSH (slow)\n"
        "input:\n"
        "      --input FORMAT      read stdin (-) as jsonl, nul or text (default:\n"
        "                          detected: '{' first is jsonl, a NUL is nul)\n"
        "      --id-field NAME     jsonl: field holding the id (default id)\n"
        "      --text-field NAME   jsonl: field holding the text (default text)\n"
        "      --include GLOB      in folders, read only files matching GLOB\n"
        "      --exclude GLOB      in folders, skip files and folders matching GLOB\n"
        "                          (GLOBs match the base name or the path below PATH;\n"
        "                          both options can be repeated)\n"
        "      --hidden            read hidden files and folders too\n"
        "  -L, --follow            follow symbolic links to folders\n"
        "      --quiet-skip        skip binary files silently (exit 0 for them)\n"
        "      --max-bytes N       skip files, lines and records larger than N bytes;\n"
        "                          K, M, G suffixes (default %zu)\n"
        "      --progress          show progress on stderr (default: when stderr is\n"
        "                          a terminal and the scan runs over a second)\n"
        "      --no-progress       never show progress\n"
        "  -h, --help              show this help\n"
        "\n"
        "Files ending in .html or .htm are read as HTML. Text that is not UTF-8 is\n"
        "read as Windows-1252; UTF-16 needs a byte order mark.\n",
        sim_get(d, RP_OPT_THRESHOLD), (unsigned)sim_get(d, RP_OPT_SHINGLE), (unsigned)sim_get(d, RP_OPT_HASHES),
        (unsigned)sim_get(d, RP_OPT_MIN_SHARED), (unsigned)sim_get(d, RP_OPT_FURNITURE_DF), DEFAULT_MAX_BYTES);
    rp_options_free(d);
}

enum {
    OPT_JSON = 256, OPT_PAIRS, OPT_STATS, OPT_EXH,
    OPT_INCL, OPT_EXCL, OPT_QUIET, OPT_PROG,
    OPT_NOPROG
};

static const struct option longopts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pairs", no_argument, NULL, OPT_PAIRS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"verbose", no_argument, NULL, 'v'},
    {"threads", required_argument, NULL, 'j'},
    {"threshold", required_argument, NULL, 't'},
    {"shingle", required_argument, NULL, 'k'},
    {"hashes", required_argument, NULL, OPT_SIM_HASHES},
    {"lsh-threshold", required_argument, NULL, OPT_SIM_LSH},
    {"bands", required_argument, NULL, OPT_SIM_BANDS},
    {"rows", required_argument, NULL, OPT_SIM_ROWS},
    {"min-shared", required_argument, NULL, OPT_SIM_MINSH},
    {"keep-boilerplate", no_argument, NULL, OPT_SIM_KEEP},
    {"furniture-df", required_argument, NULL, OPT_SIM_FDF},
    {"exhaustive", no_argument, NULL, OPT_EXH},
    {"hidden", no_argument, NULL, OPT_IN_HIDDEN},
    {"max-bytes", required_argument, NULL, OPT_IN_MAXB},
    {"input", required_argument, NULL, OPT_IN_INPUT},
    {"id-field", required_argument, NULL, OPT_IN_IDF},
    {"text-field", required_argument, NULL, OPT_IN_TEXTF},
    {"include", required_argument, NULL, OPT_INCL},
    {"exclude", required_argument, NULL, OPT_EXCL},
    {"follow", no_argument, NULL, 'L'},
    {"quiet-skip", no_argument, NULL, OPT_QUIET},
    {"progress", no_argument, NULL, OPT_PROG},
    {"no-progress", no_argument, NULL, OPT_NOPROG},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

/* Appends a pattern to a list of --include or --exclude. @return 0, -1. */
static int add_glob(char ***v, size_t *n, char *pat)
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

int scan_parse(int argc, char **argv, scan_opts *so)
{
    const char *cmd = so->cmd;
    int report = strcmp(cmd, "report") == 0;
    unsigned long u;
    if (!(so->ro = sim_new()))
        return -1;
    so->io.max_bytes = DEFAULT_MAX_BYTES;
    so->io.progress = -1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    so->threads = cpus > 0 && cpus <= 256 ? (unsigned)cpus : 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+t:k:j:o:vhL", longopts, NULL)) != -1) {
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
        switch (c) {
        case OPT_JSON:
        case OPT_PAIRS:
            if (report) {
                diag("report: %s is for 'reprint scan'", c == OPT_JSON ? "--json" : "--pairs");
                return -1;
            }
            if (c == OPT_JSON)
                so->json = 1;
            else
                so->pairs = 1;
            break;
        case 'o':
            if (!report) {
                diag("scan: unknown option '-o'");
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
        case OPT_INCL:
            if (add_glob(&so->io.walk.include, &so->io.walk.ninclude, optarg) < 0)
                return -1;
            break;
        case OPT_EXCL:
            if (add_glob(&so->io.walk.exclude, &so->io.walk.nexclude, optarg) < 0)
                return -1;
            break;
        case 'L': so->io.walk.follow = 1; break;
        case OPT_QUIET: so->io.quiet_skip = 1; break;
        case OPT_PROG: so->io.progress = 1; break;
        case OPT_NOPROG: so->io.progress = 0; break;
        case 'h':
            usage(stdout, cmd);
            return 1;
        default:
            if (optopt && optopt < 256)
                diag("%s: unknown option '-%c'", cmd, optopt);
            else
                diag("%s: unknown option '%s'", cmd, safe(argv[optind - 1]));
            return -1;
        }
    }
    if ((sim_get(so->ro, RP_OPT_BANDS) == 0) != (sim_get(so->ro, RP_OPT_ROWS) == 0)) {
        diag("%s: --bands and --rows go together", cmd);
        return -1;
    }
    if (rp_options_check(so->ro) != RP_OK) {
        diag("%s: --bands times --rows must not exceed --hashes (%u)", cmd, (unsigned)sim_get(so->ro, RP_OPT_HASHES));
        return -1;
    }
    if (report && !so->output) {
        diag("report: no output file given (-o FILE)");
        return -1;
    }
    if (optind >= argc) {
        diag("%s: no PATH given", cmd);
        return -1;
    }
    return 0;
}

void scan_opts_free(scan_opts *so)
{
    free(so->io.walk.include);
    free(so->io.walk.exclude);
    so->io.walk.include = so->io.walk.exclude = NULL;
    rp_options_free(so->ro);
    so->ro = NULL;
}

/* Records are taken from the input a batch at a time (at most BATCH
 * records, and at most --max-bytes of input counted by the files' sizes
 * before they are read: see input_next_batch), their files read and
 * sketched on the thread pool, then added to the corpus in input order by
 * the main thread, so the result never depends on the number of threads. */
#define BATCH 512

typedef struct slot {
    record r;
    rp_doc *doc;
    int loaded;          /* input_load: 1 loaded, 0 skipped, -1 no memory */
    char why[256];       /* input_load's message, or "" */
    int err;             /* rp_doc_new's error when doc is NULL */
} slot;

typedef struct batch {
    const scan_opts *so;
    input *in;
    slot *s;
} batch;

/* Takes up to BATCH records (and --max-bytes of input) from the input
 * into s[0..*m). @return 1 when the input may have more, 0 at its end, -1
 * on a fatal error (reported). */
static int fill_batch(input *in, slot *s, size_t *m)
{
    uint64_t bytes = 0;
    int got = 1;
    for (*m = 0; *m < BATCH; (*m)++) {
        got = input_next_batch(in, &s[*m].r, &bytes);
        if (got != 1)
            break;
    }
    return got == 2 ? 1 : got;
}

/* Reads (if still to be read) and sketches one record; runs on any thread. */
static void sketch_one(void *ctx, size_t i)
{
    const batch *b = ctx;
    slot *sl = &b->s[i];
    sl->loaded = 1;
    sl->why[0] = 0;
    sl->doc = NULL;
    if (!sl->r.text)
        sl->loaded = input_load(b->in, &sl->r, sl->why, sizeof sl->why);
    if (sl->loaded == 1) {
        sl->err = rp_doc_new(sl->r.text, sl->r.len, b->so->ro, &sl->doc);
        free(sl->r.text);   /* the loader reads it again when needed */
        sl->r.text = NULL;
    }
}

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

static void print_pairs(const rp_corpus *c)
{
    for (size_t i = 0; i < rp_corpus_npairs(c); i++) {
        const rp_pair *p = rp_corpus_pair(c, i);
        fputs("{\"a\": ", stdout);
        json_string(stdout, rp_corpus_id(c, p->a));
        fputs(", \"b\": ", stdout);
        json_string(stdout, rp_corpus_id(c, p->b));
        json_sim(stdout, &p->sim, 0);
        fputs("}\n", stdout);
    }
}

/* One JSON line per cluster (json_cluster), its members and related
 * documents named by id. @return 0, or -1 out of memory (reported). */
static int print_json(const rp_corpus *c)
{
    rp_index_member *m = NULL;
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < rp_corpus_nclusters(c); i++) {
        size_t n = rp_cluster_size(c, i), nr = rp_cluster_nrelated(c, i);
        if (rp_grow(&m, &cap, n + nr, sizeof *m) < 0) {
            diag("out of memory");
            rc = -1;
            break;
        }
        for (size_t j = 0; j < n + nr; j++) {
            const rp_member *x = j < n ? rp_cluster_member(c, i, j)
                                       : rp_cluster_related(c, i, j - n);
            m[j] = (rp_index_member){rp_corpus_id(c, x->doc), x->jaccard, x->containment,
                                     j < n ? NULL : rp_corpus_id(c, x->partner),
                                     x->score, x->holds};
        }
        json_cluster(stdout, i + 1, m, n, nr);
    }
    free(m);
    return rc;
}

static void print_human(const rp_corpus *c)
{
    size_t nc = rp_corpus_nclusters(c), multi = 0, alone = 0, related = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t n = rp_cluster_size(c, i);
        if (n < 2) {
            /* a document with a verified pair is listed as related to
             * its partner's cluster, not as alone */
            if (rp_cluster_nrelated(c, i))
                related++;
            else
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
                printf("  (holds %.0f%%, jaccard %.2f)\n", 100 * m->holds, m->jaccard);
            }
        }
        for (size_t j = 0; j < rp_cluster_nrelated(c, i); j++) {
            const rp_member *m = rp_cluster_related(c, i, j);
            printf("  related %3.0f%%  ", 100 * m->containment);
            safe_string(stdout, rp_corpus_id(c, m->doc));
            fputs("  (in ", stdout);
            safe_string(stdout, rp_corpus_id(c, m->partner));
            printf(", holds %.0f%%)\n", 100 * m->holds);
        }
        fputc('\n', stdout);
    }
    if (alone) {
        printf("%zu article%s with no reprint:\n", alone, alone == 1 ? "" : "s");
        for (size_t i = 0; i < nc; i++)
            if (rp_cluster_size(c, i) == 1 && rp_cluster_nrelated(c, i) == 0) {
                fputs("  ", stdout);
                safe_string(stdout, rp_corpus_id(c, rp_cluster_representative(c, i)));
                fputc('\n', stdout);
            }
        fputc('\n', stdout);
    }
    printf("%zu articles: %zu cluster%s of reprints, ", rp_corpus_size(c), multi,
           multi == 1 ? "" : "s");
    if (related)
        printf("%zu related, ", related);
    printf("%zu alone\n", alone);
}

/* Adds the sketched record of slot sl to the corpus, or reports why not.
 * @return 0, or -1 on a fatal error (reported). */
static int add_one(rp_corpus *c, scan_result *rl, slot *sl, size_t *skipped)
{
    const char *where = record_where(&sl->r);
    if (sl->why[0])
        diag("%s: %s", safe(where), sl->why);
    if (sl->loaded < 0)
        return -1;
    if (sl->loaded == 0) {
        *skipped += sl->why[0] != 0;
        return 0;
    }
    if (!sl->doc) {
        diag("%s: skipped: %s", safe(where), rp_strerror(sl->err));
        (*skipped)++;
        return 0;
    }
    if (rp_grow(&rl->ref, &rl->cap, rl->n + 1, sizeof *rl->ref) < 0) {
        diag("out of memory");
        return -1;
    }
    int k = rp_corpus_add(c, sl->r.id, sl->doc, NULL);
    sl->doc = NULL;
    if (k == RP_OK) {
        rl->ref[rl->n++] = sl->r.ref;
    } else if (k == RP_EDUPID) {
        if (sl->r.where)
            diag("%s: skipped: duplicate id '%s'", sl->r.where, safe(sl->r.id));
        else
            diag("%s: skipped: given more than once", safe(sl->r.id));
        (*skipped)++;
    } else {
        diag("%s: %s", safe(where), rp_strerror((int)k));
        return -1;
    }
    return 0;
}

int scan_run(scan_opts *so, char **paths, int npaths, scan_result *r)
{
    int code = EXIT_OK;
    pool *workers = NULL;
    slot *slots = NULL;
    memset(r, 0, sizeof *r);
    r->t0 = rp_now();
    /* files are read on the workers; stdin records are kept in a spool
     * for the verification to read again */
    so->io.defer = 1;
    so->io.spool = 1;
    r->in = input_open(paths, npaths, &so->io);
    if (!r->in) {
        code = EXIT_TROUBLE;
        goto out;
    }
    rp_corpus_new(so->ro, &r->c);
    workers = pool_new(so->threads);
    slots = calloc(2 * BATCH, sizeof *slots);
    if (!r->c || !workers || !slots || rp_corpus_set_loader(r->c, reload, r) != RP_OK ||
        rp_corpus_set_threads(r->c, so->threads) != RP_OK) {
        diag("out of memory");
        code = EXIT_TROUBLE;
        goto out;
    }
    r->t1 = rp_now();
    /* Two batches: while the pool sketches one, this thread takes the
     * next one's records from the input (for standard input, parsing and
     * spooling them), then joins the pool; the sketched batch is added in
     * input order. */
    {
        slot *cur = slots, *nxt = slots + BATCH;
        size_t mc = 0, mn = 0;
        int got = fill_batch(r->in, cur, &mc);
        for (;;) {
            if (got < 0) {
                code = EXIT_TROUBLE;
                goto out;
            }
            batch b = {so, r->in, cur};
            pool_start(workers, mc, sketch_one, &b);
            int more = got > 0 ? fill_batch(r->in, nxt, &mn) : 0;
            pool_wait(workers);
            for (size_t k = 0; k < mc; k++)
                if (add_one(r->c, r, &cur[k], &r->skipped) < 0) {
                    code = EXIT_TROUBLE;
                    goto out;
                }
            for (size_t k = 0; k < mc; k++)
                record_free(&cur[k].r);
            if (more < 0) {
                code = EXIT_TROUBLE;
                goto out;
            }
            if (got == 0 || mn == 0)
                break;
            slot *t = cur;
            cur = nxt;
            nxt = t;
            mc = mn;
            mn = 0;
            got = more;
        }
    }
    r->skipped += input_skipped(r->in);
    r->t2 = rp_now();
    int err = rp_corpus_run(r->c);
    if (err != RP_OK) {
        diag("%s: %s", so->cmd, rp_strerror(err));
        code = EXIT_TROUBLE;
        goto out;
    }
    for (size_t i = 0; i < rp_corpus_size(r->c); i++)
        if (rp_corpus_lost(r->c, i) != RP_OK) {
            diag("%s: changed or unreadable during the scan; left out of the pairs",
                 safe(rp_corpus_id(r->c, i)));
            r->skipped++;
        }
    r->t3 = rp_now();
out:
    for (size_t k = 0; slots && k < 2 * BATCH; k++) {
        rp_doc_free(slots[k].doc);
        record_free(&slots[k].r);
    }
    pool_free(workers);
    free(slots);
    return code;
}

int scan_print(const scan_opts *so, const rp_corpus *c, size_t capped, size_t skipped)
{
    if (so->pairs) {
        if (capped)
            diag("note: %zu LSH bucket%s held more than %d near-identical articles; "
                 "their clusters are complete, but not all of their pairs are listed",
                 capped, capped == 1 ? "" : "s", RP_LSH_BUCKET_MAX);
        print_pairs(c);
    }
    int bad = so->json && print_json(c) < 0;
    if (!so->json && !so->pairs)
        print_human(c);
    return bad ? EXIT_TROUBLE : finish_output(skipped ? EXIT_SKIPPED : EXIT_OK);
}

void scan_print_stats(const scan_result *r)
{
    rp_run_stats st;
    input_stats is;
    rp_corpus_stats(r->c, &st);
    input_get_stats(r->in, &is);
    double total = rp_now() - r->t0;
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
    input_close(r->in);
    memset(r, 0, sizeof *r);
}

int cmd_scan(int argc, char **argv)
{
    scan_opts so = {0};
    so.cmd = "scan";
    int rc = scan_parse(argc, argv, &so);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint scan [options] PATH...  (see 'reprint scan --help')\n", stderr);
        scan_opts_free(&so);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    scan_result r;
    int code = scan_run(&so, argv + optind, argc - optind, &r);
    if (code == EXIT_OK) {
        rp_run_stats st;
        rp_corpus_stats(r.c, &st);
        code = scan_print(&so, r.c, st.capped, r.skipped);
        if (so.stats)
            scan_print_stats(&r);
    }
    scan_result_free(&r);
    scan_opts_free(&so);
    return code;
}
