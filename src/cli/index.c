/*
 * index.c - `reprint index`: a persistent index for live news feeds.
 *
 *   reprint index add [--report] DB PATH...|-   add documents (and report)
 *   reprint index query DB PATH...|-            match without changing it
 *   reprint index stats DB                      counts, size, settings
 *   reprint index rm DB ID...                   remove documents
 *   reprint index export DB [--json]            clusters, as scan --json
 *
 * The library (src/index.c) does the work; this file parses options,
 * reads files, folders and JSON Lines on stdin, and prints one JSON line
 * per document for add --report and query, flushed at once so that a feed
 * piped through `add --report` gets each answer as its article arrives.
 * Exit status: 0 all inputs processed, 1 some skipped (or ids not found),
 * 2 usage error or an error of the index (reported as "reprint: DB: ...").
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "reprint.h"
#include "../pool.h"
#include "../util.h"
#include "input.h"

#define DEFAULT_MAX_BYTES ((size_t)64 << 20)
#define TITLE_MAX 200
#define SKETCH_BATCH 256

typedef struct ix_opts {
    rp_options *ro;      /* similarity options (owned; freed by cmd_index) */
    int opts_given;      /* a similarity option was given: check it */
    int sample_bits;     /* -1: stored / default */
    input_opts io;       /* paths and stdin */
    int report, json, verbose, stats;
    unsigned long batch, busy_ms;
    unsigned threads;
} ix_opts;

/* ------------------------------------------------------------------ */
/* Usage                                                                */
/* ------------------------------------------------------------------ */

static void usage_index(FILE *f)
{
    fputs("usage: reprint index COMMAND [options] DB [args]\n"
          "\n"
          "A persistent index of articles (an SQLite file DB) that answers, for\n"
          "each new article: have we seen this story, and in which cluster?\n"
          "\n"
          "commands:\n"
          "  add [--report] DB PATH...|-   add files, folders or JSON Lines on stdin\n"
          "  query DB PATH...|-            print the matches of each input, change nothing\n"
          "  stats DB                      documents, clusters, size on disk, settings\n"
          "  rm DB ID...                   remove documents\n"
          "  export DB [--json]            the clusters, in the shape of scan --json\n"
          "\n"
          "'reprint index COMMAND --help' describes a command.\n", f);
}

static void usage_sim(FILE *f)
{
    rp_options *d = sim_new();
    fprintf(f,
        "similarity (stored when the index is created, checked afterwards):\n"
        "  -t, --threshold X       score at which two articles are reprints (default %.2f)\n"
        "  -k, --shingle N         words per shingle (default %u)\n"
        "      --hashes K          MinHash signature length (default %u)\n"
        "      --bands B --rows R  LSH shape (default 32 bands of 1 row)\n"
        "      --lsh-threshold X   derive the LSH shape from this Jaccard instead\n"
        "      --min-shared N      fewest shared shingles for a pair (default %u)\n"
        "      --keep-boilerplate  do not strip markup, furniture and comments\n"
        "      --sample-bits N     keep one shingle in 2^N for verification without\n"
        "                          the text (default 3; 0 keeps them all)\n",
        sim_get(d, RP_OPT_THRESHOLD), (unsigned)sim_get(d, RP_OPT_SHINGLE), (unsigned)sim_get(d, RP_OPT_HASHES),
        (unsigned)sim_get(d, RP_OPT_MIN_SHARED));
    rp_options_free(d);
}

static void usage_input(FILE *f)
{
    fprintf(f,
        "input:\n"
        "      --hidden            read hidden files and folders too\n"
        "      --max-bytes N       skip files larger than N bytes; K, M, G suffixes\n"
        "                          (default %zu)\n"
        "  -j, --threads N         threads that read and sketch files (default: CPUs)\n"
        "      --busy-timeout MS   wait this long for another writer (default 10000)\n"
        "      --input FORMAT      stdin: jsonl, nul, text or auto (default)\n"
        "      --id-field NAME     JSON Lines: field of the id (default id)\n"
        "      --text-field NAME   JSON Lines: field of the text (default text)\n"
        "  -v, --verbose           say what is read and committed\n"
        "      --stats             print documents/s and the latency of the index\n"
        "                          per document (p50, p99) on stderr\n"
        "  -h, --help              show this help\n"
        "\n"
        "'-' reads stdin as scan does: JSON Lines (one object a line with \"id\"\n"
        "and \"text\"), NUL-separated texts or one text.\n",
        DEFAULT_MAX_BYTES);
}

static void usage_add(FILE *f)
{
    fputs("usage: reprint index add [options] DB PATH...|-\n"
          "\n"
          "Adds the documents to the index DB (created when missing). An id that is\n"
          "already indexed with the same text is left alone; with another text it is\n"
          "replaced. Each document joins the cluster of its best match whose\n"
          "representative it also matches, or starts a cluster of its own.\n"
          "\n"
          "      --report            print one JSON line per document, as query does,\n"
          "                          flushed at once (for feeds)\n"
          "      --batch N           documents per transaction (default 1000; with\n"
          "                          --report every document is committed at once)\n", f);
    usage_sim(f);
    usage_input(f);
}

static void usage_query(FILE *f)
{
    fputs("usage: reprint index query [options] DB PATH...|-\n"
          "\n"
          "Prints one JSON line per document: its id, the cluster it is in or would\n"
          "join (null: a new one) and its verified matches in the index, best first.\n"
          "Never changes the index.\n"
          "\n", f);
    usage_sim(f);
    usage_input(f);
}

static void usage_stats(FILE *f)
{
    fputs("usage: reprint index stats DB\n"
          "\n"
          "Prints the number of documents, clusters and verified pairs, the size on\n"
          "disk and the settings of the index.\n"
          "  -h, --help              show this help\n", f);
}

static void usage_rm(FILE *f)
{
    fputs("usage: reprint index rm DB ID...\n"
          "\n"
          "Removes the documents with these ids (one transaction).\n"
          "  -h, --help              show this help\n", f);
}

static void usage_export(FILE *f)
{
    fputs("usage: reprint index export DB [--json]\n"
          "\n"
          "Clusters every indexed document from the stored verified pairs, as scan\n"
          "does, and prints one JSON object per cluster in the shape of scan --json.\n"
          "      --json              JSON Lines (the default and only format)\n"
          "  -h, --help              show this help\n", f);
}

/* ------------------------------------------------------------------ */
/* Options                                                              */
/* ------------------------------------------------------------------ */

enum {
    OPT_REPORT = 256, OPT_BATCH, OPT_SAMPLE, OPT_JSON, OPT_BUSY, OPT_STATS
};

static const struct option longopts[] = {
    {"threshold", required_argument, NULL, 't'},
    {"shingle", required_argument, NULL, 'k'},
    {"hashes", required_argument, NULL, OPT_SIM_HASHES},
    {"lsh-threshold", required_argument, NULL, OPT_SIM_LSH},
    {"bands", required_argument, NULL, OPT_SIM_BANDS},
    {"rows", required_argument, NULL, OPT_SIM_ROWS},
    {"min-shared", required_argument, NULL, OPT_SIM_MINSH},
    {"keep-boilerplate", no_argument, NULL, OPT_SIM_KEEP},
    {"sample-bits", required_argument, NULL, OPT_SAMPLE},
    {"hidden", no_argument, NULL, OPT_IN_HIDDEN},
    {"max-bytes", required_argument, NULL, OPT_IN_MAXB},
    {"threads", required_argument, NULL, 'j'},
    {"busy-timeout", required_argument, NULL, OPT_BUSY},
    {"report", no_argument, NULL, OPT_REPORT},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"json", no_argument, NULL, OPT_JSON},
    {"stats", no_argument, NULL, OPT_STATS},
    {"input", required_argument, NULL, OPT_IN_INPUT},
    {"id-field", required_argument, NULL, OPT_IN_IDF},
    {"text-field", required_argument, NULL, OPT_IN_TEXTF},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

/* What each subcommand accepts, beyond -h. */
enum { A_SIM = 1, A_INPUT = 2, A_REPORT = 4, A_JSON = 8 };

/* @return 0, 1 to exit 0 (help), or -1 on a usage error. */
static int parse(const char *sub, int argc, char **argv, unsigned allow,
                 void (*help)(FILE *), ix_opts *xo)
{
    unsigned long u;
    if (!(xo->ro = sim_new()))
        return -1;
    xo->sample_bits = -1;
    xo->batch = 1000;
    xo->io.max_bytes = DEFAULT_MAX_BYTES;
    xo->io.progress = 0;
    xo->io.defer = 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    xo->threads = cpus > 0 && cpus <= 256 ? (unsigned)cpus : 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "t:k:j:vh", longopts, NULL)) != -1) {
        unsigned need = 0;
        switch (c) {
        case 't': case 'k': case OPT_SIM_HASHES: case OPT_SIM_LSH: case OPT_SIM_BANDS:
        case OPT_SIM_ROWS: case OPT_SIM_MINSH: case OPT_SIM_KEEP: case OPT_SAMPLE:
            need = A_SIM; break;
        case OPT_IN_HIDDEN: case OPT_IN_MAXB: case 'j': case 'v': case OPT_STATS:
        case OPT_IN_INPUT: case OPT_IN_IDF: case OPT_IN_TEXTF:
            need = A_INPUT; break;
        case OPT_REPORT: case OPT_BATCH: need = A_REPORT; break;
        case OPT_JSON: need = A_JSON; break;
        default: break;
        }
        if (need && !(allow & need)) {
            diag("index %s: option '%s' does not apply", sub, safe(argv[optind - 1]));
            return -1;
        }
        if (need == A_SIM && c != OPT_SAMPLE)
            xo->opts_given = 1;
        int sim = parse_sim_option(c, optarg, xo->ro);
        if (sim < 0)
            return -1;
        if (sim > 0)
            continue;
        int inp = parse_input_option(c, optarg, &xo->io);
        if (inp < 0)
            return -1;
        if (inp > 0)
            continue;
        switch (c) {
        case OPT_SAMPLE:
            if (parse_uint("--sample-bits", optarg, 0, 16, &u) < 0)
                return -1;
            xo->sample_bits = (int)u;
            break;
        case 'j':
            if (parse_uint("--threads", optarg, 1, 256, &u) < 0)
                return -1;
            xo->threads = (unsigned)u;
            break;
        case OPT_BUSY:
            if (parse_uint("--busy-timeout", optarg, 1, 3600000, &u) < 0)
                return -1;
            xo->busy_ms = u;
            break;
        case OPT_REPORT: xo->report = 1; break;
        case OPT_BATCH:
            if (parse_uint("--batch", optarg, 1, 10000000, &u) < 0)
                return -1;
            xo->batch = u;
            break;
        case OPT_JSON: xo->json = 1; break;
        case 'v': xo->verbose = 1; xo->io.verbose = 1; break;
        case OPT_STATS: xo->stats = 1; break;
        case 'h':
            help(stdout);
            return 1;
        default:
            if (optopt && optopt < 256)
                diag("index %s: unknown option '-%c'", sub, optopt);
            else
                diag("index %s: unknown option '%s'", sub, safe(argv[optind - 1]));
            return -1;
        }
    }
    if ((sim_get(xo->ro, RP_OPT_BANDS) == 0) != (sim_get(xo->ro, RP_OPT_ROWS) == 0)) {
        diag("index %s: --bands and --rows go together", sub);
        return -1;
    }
    if (rp_options_check(xo->ro) != RP_OK) {
        diag("index %s: --bands times --rows must not exceed --hashes (%u)", sub, (unsigned)sim_get(xo->ro, RP_OPT_HASHES));
        return -1;
    }
    if (optind >= argc) {
        diag("index %s: no DB given", sub);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */
/* ------------------------------------------------------------------ */

static int loader(void *ctx, const char *path, char **text, size_t *len);

/* Opens DB and reports failure. @return the index or NULL. */
static rp_index *open_index(const char *db, unsigned flags, const ix_opts *xo)
{
    rp_index *ix;
    if (rp_index_new(&ix) != RP_OK) {
        diag("%s: out of memory", safe(db));
        return NULL;
    }
    if (xo->busy_ms)
        rp_index_set_busy_timeout(ix, (int)xo->busy_ms);
    int rc = rp_index_open(ix, db, flags, xo->opts_given ? xo->ro : NULL, xo->sample_bits);
    if (rc != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        rp_index_free(ix);
        return NULL;
    }
    rp_index_set_loader(ix, loader, (void *)xo);
    return ix;
}

/* ------------------------------------------------------------------ */
/* Input: files, folders and stdin, through the input layer (input.h)   */
/* ------------------------------------------------------------------ */

/* One document to add or query. */
typedef struct item {
    record rec;      /* id, prepared text (until sketched), where */
    const char *path;/* the file to read again, or NULL (stdin) */
    char *title;     /* owned, or NULL */
    size_t size;
    rp_doc *doc;
    char why[256];   /* why the input was skipped, or "" */
    int oom;
} item;

static void item_free(item *it)
{
    record_free(&it->rec);
    free(it->title);
    rp_doc_free(it->doc);
    memset(it, 0, sizeof *it);
}

/* The first line of text with words, trimmed, at most TITLE_MAX bytes cut
 * at a character boundary. @return a malloc'd string or NULL. */
static char *title_of(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t a = i, b = e;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r' || text[a] == '#'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (b > a) {
            if (b - a > TITLE_MAX) {
                b = a + TITLE_MAX;
                while (b > a && ((unsigned char)text[b] & 0xC0) == 0x80)
                    b--;
            }
            char *t = malloc(b - a + 1);
            if (t) {
                memcpy(t, text + a, b - a);
                t[b - a] = 0;
                for (char *p = t; *p; p++)
                    if ((unsigned char)*p < 0x20)
                        *p = ' ';
            }
            return t;
        }
        i = e + 1;
    }
    return NULL;
}

typedef struct sk_batch {
    item *it;
    input *in;
    const ix_opts *xo;
} sk_batch;

/* Loads (a deferred file) and sketches one item; runs on any thread. */
static void sketch_item(void *ctx, size_t i)
{
    sk_batch *b = ctx;
    item *it = &b->it[i];
    if (!it->rec.text) {
        int got = input_load(b->in, &it->rec, it->why, sizeof it->why);
        if (got <= 0) {
            it->oom = got < 0;
            return;
        }
        /* it->why may hold a note for -v: "converted from ..." */
    }
    it->size = it->rec.len;
    int err = rp_doc_new(it->rec.text, it->rec.len, b->xo->ro, &it->doc);
    if (!it->doc) {
        if (err == RP_ENOMEM)
            it->oom = 1;
        snprintf(it->why, sizeof it->why, "skipped: %s", rp_strerror(err));
    } else {
        it->title = title_of(it->rec.text, it->rec.len);
    }
    free(it->rec.text);
    it->rec.text = NULL;
}

/* Reads a file again as the input layer first read it (for exact
 * verification): the same bytes, prepared the same way. */
static int loader(void *ctx, const char *path, char **text, size_t *len)
{
    const ix_opts *xo = ctx;
    const char *why;
    int rc = input_read_text(path, xo->io.max_bytes, text, len, NULL, &why);
    return rc == RP_OK ? RP_OK : RP_ELOAD;
}

/* ------------------------------------------------------------------ */
/* add and query                                                        */
/* ------------------------------------------------------------------ */

static void print_result(const char *id, const rp_index_result *r)
{
    fputs("{\"id\": ", stdout);
    json_string(stdout, id);
    if (r->cluster)
        printf(", \"cluster\": %lld, \"matches\": [", (long long)r->cluster);
    else
        fputs(", \"cluster\": null, \"matches\": [", stdout);
    for (size_t i = 0; i < r->n; i++) {
        const rp_index_match *m = &r->m[i];
        fputs(i ? ", {\"id\": " : "{\"id\": ", stdout);
        json_string(stdout, m->id);
        json_sim(stdout, &m->sim, 0);
        fputs("}", stdout);
    }
    fputs("]}\n", stdout);
}

typedef struct run {
    const char *db;
    rp_index *ix;
    const ix_opts *xo;
    int adding;
    size_t pending, committed, skipped;
    size_t added, replaced, unchanged;
    int fatal;
    double *lat;         /* --stats: seconds in the index per document */
    size_t nlat, caplat;
    double t0;
} run;

static int commit(run *r)
{
    if (!r->pending)
        return 0;
    int rc = rp_index_commit(r->ix);
    if (rc != RP_OK) {
        diag("%s: %s", safe(r->db), rp_index_errmsg(r->ix));
        r->fatal = 1;
        return -1;
    }
    r->committed += r->pending;
    r->pending = 0;
    if (r->xo->verbose)
        diag("%s: committed %zu documents", safe(r->db), r->committed);
    return 0;
}

/* Adds or queries one sketched item, prints its line when asked. */
static int process(run *r, item *it, const char *where)
{
    if (it->oom) {
        diag("%s: out of memory", safe(where));
        r->fatal = 1;
        return -1;
    }
    if (!it->doc) {
        if (it->why[0]) {   /* empty: skipped quietly (--quiet-skip) */
            diag("%s: %s", safe(where), it->why);
            r->skipped++;
        }
        return 0;
    }
    if (r->xo->verbose && it->why[0])
        diag("%s: %s", safe(where), it->why);
    rp_index_result res;
    int rc;
    double t = r->xo->stats ? rp_now() : 0;
    if (r->adding) {
        if (r->pending == 0 && (rc = rp_index_begin(r->ix)) != RP_OK) {
            diag("%s: %s", safe(r->db), rp_index_errmsg(r->ix));
            r->fatal = 1;
            return -1;
        }
        rc = rp_index_add(r->ix, it->rec.id, it->path, it->title, it->size, it->doc, &res);
        if (rc == RP_OK) {
            r->pending++;
            r->added += res.status == RP_INDEX_NEW;
            r->replaced += res.status == RP_INDEX_REPLACED;
            r->unchanged += res.status == RP_INDEX_UNCHANGED;
        }
    } else {
        rc = rp_index_query(r->ix, it->rec.id, it->doc, &res);
    }
    if (r->xo->stats && rp_grow(&r->lat, &r->caplat, r->nlat + 1, sizeof *r->lat) == 0)
        r->lat[r->nlat++] = rp_now() - t;
    if (rc != RP_OK) {
        diag("%s: %s", safe(r->db), rp_index_errmsg(r->ix));
        rp_index_rollback(r->ix);
        r->pending = 0;
        r->fatal = 1;
        return -1;
    }
    /* a line of add --report means "committed": commit before printing */
    if (r->adding && (r->pending >= r->xo->batch || r->xo->report) && commit(r) < 0) {
        rp_index_result_free(&res);
        return -1;
    }
    if (!r->adding || r->xo->report) {
        print_result(it->rec.id, &res);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            rp_index_result_free(&res);
            r->fatal = 2;
            return -1;
        }
    }
    rp_index_result_free(&res);
    return 0;
}

/* Input arrives in batches of up to SKETCH_BATCH records (one with
 * --report, so that each is answered as soon as it arrives), loaded and
 * sketched on the pool. While the main thread adds (or queries) one
 * batch, a helper thread reads and sketches the next, so that the index
 * and the sketching overlap. */
typedef struct feeder {
    run *r;
    pool *pl;
    input *in;
    int eof, fatal;
} feeder;

typedef struct batchbuf {
    item it[SKETCH_BATCH];
    size_t m;
} batchbuf;

/* Fills b with the next batch, read and sketched. Runs on the helper
 * thread (input_next is only ever called by one thread at a time). */
static void fill(feeder *f, batchbuf *b)
{
    const ix_opts *xo = f->r->xo;
    size_t per = xo->report ? 1 : SKETCH_BATCH;
    uint64_t bytes = 0;   /* at most --max-bytes of input a batch */
    b->m = 0;
    while (b->m < per && !f->eof) {
        item *it = &b->it[b->m];
        memset(it, 0, sizeof *it);
        int got = input_next_batch(f->in, &it->rec, &bytes);
        if (got == 2)
            break;
        if (got <= 0) {
            f->eof = 1;
            f->fatal = got < 0;
            break;
        }
        it->path = it->rec.where ? NULL : it->rec.id;
        b->m++;
    }
    sk_batch sb = {b->it, f->in, xo};
    pool_run(f->pl, b->m, sketch_item, &sb);
}

typedef struct helper {
    feeder *f;
    batchbuf *b;
} helper;

static void *helper_main(void *arg)
{
    helper *h = arg;
    fill(h->f, h->b);
    return NULL;
}

/* Processes the batches of f until the input ends or a fatal error. */
static int run_batches(feeder *f)
{
    run *r = f->r;
    batchbuf *cur = calloc(1, sizeof *cur), *nxt = calloc(1, sizeof *nxt);
    int rc = 0;
    if (!cur || !nxt) {
        free(cur);
        free(nxt);
        diag("out of memory");
        r->fatal = 1;
        return -1;
    }
    fill(f, cur);
    while (cur->m > 0) {
        pthread_t th;
        helper h = {f, nxt};
        int started = !f->eof && pthread_create(&th, NULL, helper_main, &h) == 0;
        for (size_t k = 0; k < cur->m; k++) {
            item *it = &cur->it[k];
            if (rc == 0)
                rc = process(r, it, record_where(&it->rec));
            item_free(it);
        }
        if (started)
            pthread_join(th, NULL);
        else if (rc == 0 && !f->eof)
            fill(f, nxt);
        else
            nxt->m = 0;
        batchbuf *t = cur;
        cur = nxt;
        nxt = t;
        if (rc != 0) {
            for (size_t k = 0; k < cur->m; k++)
                item_free(&cur->it[k]);
            break;
        }
    }
    if (rc == 0 && f->fatal) {
        r->fatal = 1;
        rc = -1;
    }
    free(cur);
    free(nxt);
    return rc;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* --stats: throughput of the whole run, and the time each document spent
 * in the index (rp_index_add or rp_index_query: lookup, verification,
 * writes; not reading or sketching). */
static void print_stats(run *r)
{
    double total = rp_now() - r->t0;
    size_t n = r->nlat;
    double sum = 0;
    qsort(r->lat, n, sizeof *r->lat, cmp_double);
    for (size_t i = 0; i < n; i++)
        sum += r->lat[i];
#define PCT(p) (n ? r->lat[(size_t)((double)(n - 1) * (p))] * 1e3 : 0.0)
    fprintf(stderr,
            "reprint: stats: %zu documents in %.3fs, %.0f documents/s\n"
            "reprint: stats: index time per document: mean %.3f ms, p50 %.3f ms, "
            "p99 %.3f ms, max %.3f ms\n",
            n, total, total > 0 ? (double)n / total : 0.0, n ? sum / (double)n * 1e3 : 0.0,
            PCT(0.5), PCT(0.99), PCT(1.0));
#undef PCT
}

static int cmd_add_query(int argc, char **argv, ix_opts *xo, int adding)
{
    const char *sub = adding ? "add" : "query";
    int rc = parse(sub, argc, argv, A_SIM | A_INPUT | (adding ? A_REPORT : 0),
                   adding ? usage_add : usage_query, xo);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "usage: reprint index %s [options] DB PATH...|-  (see 'reprint index %s --help')\n",
                    sub, sub);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    const char *db = argv[optind];
    if (optind + 1 >= argc) {
        diag("index %s: no PATH given", sub);
        return EXIT_TROUBLE;
    }
    run r = {db, NULL, xo, adding, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, rp_now()};
    pool *pl = NULL;
    input *in = NULL;
    int code = EXIT_OK;
    r.ix = open_index(db, adding ? RP_INDEX_WRITE | RP_INDEX_CREATE : 0, xo);
    if (!r.ix)
        goto fail;
    if (xo->opts_given == 0)
        rp_index_options(r.ix, xo->ro, NULL);   /* sketch as the index was built */
    pl = pool_new(xo->threads);
    if (!pl) {
        diag("out of memory");
        goto fail;
    }
    in = input_open(argv + optind + 1, argc - optind - 1, &xo->io);
    if (!in)
        goto fail;
    feeder f = {&r, pl, in, 0, 0};
    run_batches(&f);
    if (!r.fatal && adding)
        commit(&r);
    r.skipped += input_skipped(in);
    if (r.fatal) {
        rp_index_rollback(r.ix);
        code = r.fatal == 2 ? finish_output(EXIT_TROUBLE) : EXIT_TROUBLE;
        goto out;
    }
    if (xo->stats)
        print_stats(&r);
    if (adding && xo->verbose)
        diag("%s: %zu added, %zu replaced, %zu unchanged, %zu skipped", safe(db),
             r.added, r.replaced, r.unchanged, r.skipped);
    code = finish_output(r.skipped ? EXIT_SKIPPED : EXIT_OK);
    goto out;
fail:
    code = EXIT_TROUBLE;
out:
    input_close(in);
    pool_free(pl);
    rp_index_free(r.ix);
    free(r.lat);
    return code;
}

/* ------------------------------------------------------------------ */
/* stats, rm, export                                                    */
/* ------------------------------------------------------------------ */

static int cmd_stats(int argc, char **argv, ix_opts *xo)
{
    int rc = parse("stats", argc, argv, 0, usage_stats, xo);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint index stats DB  (see 'reprint index stats --help')\n", stderr);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    if (optind + 1 != argc) {
        diag("index stats: expected one DB");
        return EXIT_TROUBLE;
    }
    const char *db = argv[optind];
    rp_index *ix = open_index(db, 0, xo);
    if (!ix)
        return EXIT_TROUBLE;
    rp_index_stats st;
    int bits;
    if (rp_index_stats_get(ix, &st) != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        rp_index_free(ix);
        return EXIT_TROUBLE;
    }
    rp_index_options(ix, xo->ro, &bits);
    const rp_options *o = xo->ro;
    fputs("index      ", stdout);
    safe_string(stdout, db);
    printf("\ndocuments  %llu\nclusters   %llu\npairs      %llu\n",
           (unsigned long long)st.docs, (unsigned long long)st.clusters,
           (unsigned long long)st.pairs);
    printf("size       %llu bytes", (unsigned long long)st.bytes);
    if (st.docs)
        printf(" (%.0f bytes/document)", (double)st.bytes / (double)st.docs);
    printf("\nsettings   shingle %u, hashes %u, bands %u, rows %u, threshold %g, "
           "min-shared %u, %s, sample 1/%lu, normalizer %d, format %d\n",
           (unsigned)sim_get(o, RP_OPT_SHINGLE), (unsigned)sim_get(o, RP_OPT_HASHES), st.bands, st.rows,
           sim_get(o, RP_OPT_THRESHOLD), (unsigned)sim_get(o, RP_OPT_MIN_SHARED),
           sim_get(o, RP_OPT_KEEP_BOILERPLATE) ? "keep-boilerplate" : "cleaned",
           1ul << bits, RP_NORMALIZER_VERSION, RP_INDEX_FORMAT);
    rp_index_free(ix);
    return finish_output(EXIT_OK);
}

static int cmd_rm(int argc, char **argv, ix_opts *xo)
{
    int rc = parse("rm", argc, argv, 0, usage_rm, xo);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint index rm DB ID...  (see 'reprint index rm --help')\n", stderr);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    const char *db = argv[optind];
    if (optind + 1 >= argc) {
        diag("index rm: no ID given");
        return EXIT_TROUBLE;
    }
    rp_index *ix = open_index(db, RP_INDEX_WRITE, xo);
    if (!ix)
        return EXIT_TROUBLE;
    int code = EXIT_OK;
    if (rp_index_begin(ix) != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        rp_index_free(ix);
        return EXIT_TROUBLE;
    }
    for (int i = optind + 1; i < argc; i++) {
        rc = rp_index_remove(ix, argv[i]);
        if (rc == RP_ENOTFOUND) {
            char name[512];
            snprintf(name, sizeof name, "%s", safe(db));
            diag("%s: %s: no such document", name, safe(argv[i]));
            code = EXIT_SKIPPED;
        } else if (rc != RP_OK) {
            diag("%s: %s", safe(db), rp_index_errmsg(ix));
            rp_index_free(ix);   /* rolls back */
            return EXIT_TROUBLE;
        }
    }
    if (rp_index_commit(ix) != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        code = EXIT_TROUBLE;
    }
    rp_index_free(ix);
    return code;
}

static int print_cluster(void *ctx, size_t cluster, const rp_index_member *m, size_t n)
{
    (void)ctx;
    size_t nr = 0;
    while (m[n + nr].id)
        nr++;
    json_cluster(stdout, cluster, m, n, nr);
    return ferror(stdout) ? 1 : 0;
}

static int cmd_export(int argc, char **argv, ix_opts *xo)
{
    int rc = parse("export", argc, argv, A_JSON, usage_export, xo);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint index export DB [--json]  (see 'reprint index export --help')\n", stderr);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    if (optind + 1 != argc) {
        diag("index export: expected one DB");
        return EXIT_TROUBLE;
    }
    const char *db = argv[optind];
    rp_index *ix = open_index(db, 0, xo);
    if (!ix)
        return EXIT_TROUBLE;
    rc = rp_index_export(ix, print_cluster, NULL);
    int code;
    if (rc == 1)
        code = finish_output(EXIT_TROUBLE);
    else if (rc != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        code = EXIT_TROUBLE;
    } else
        code = finish_output(EXIT_OK);
    rp_index_free(ix);
    return code;
}

static int cmd_add(int argc, char **argv, ix_opts *xo) { return cmd_add_query(argc, argv, xo, 1); }
static int cmd_query(int argc, char **argv, ix_opts *xo) { return cmd_add_query(argc, argv, xo, 0); }

static const struct sub {
    const char *name;
    int (*fn)(int, char **, ix_opts *);
} subs[] = {
    {"add", cmd_add}, {"query", cmd_query}, {"stats", cmd_stats},
    {"rm", cmd_rm}, {"export", cmd_export},
};

int cmd_index(int argc, char **argv)
{
    if (argc < 2) {
        usage_index(stderr);
        return EXIT_TROUBLE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        usage_index(stdout);
        return finish_output(EXIT_OK);
    }
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (strcmp(name, subs[i].name) == 0) {
            ix_opts xo;
            memset(&xo, 0, sizeof xo);
            int rc = subs[i].fn(argc - 1, argv + 1, &xo);
            rp_options_free(xo.ro);
            return rc;
        }
    diag("index: '%s' is not a command; see 'reprint index --help'", safe(name));
    return EXIT_TROUBLE;
}
