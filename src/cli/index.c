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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"
#include "feed.h"
#include "input.h"
#include "keep.h"
#include "opts.h"
#include "output.h"
#include "reprint.h"

#define TITLE_MAX 200
#define SKETCH_BATCH 256

typedef struct ix_opts {
    rp_options *ro;      /* similarity options (owned; freed by cmd_index) */
    int opts_given;      /* a similarity option was given: check it */
    int sample_bits;     /* -1: stored / default */
    input_opts io;       /* paths and stdin */
    int report, json, verbose, stats;
    unsigned long top;   /* query --top N; 0: matches only */
    int64_t date;        /* add --date, prune --before; 0: none */
    const char *date_field; /* add --date-field */
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
          "  prune --before DATE DB        remove the documents dated before DATE\n"
          "  list DB                       one JSON line per document\n"
          "  show DB ID                    a document and its verified pairs\n"
          "  export DB [--json]            the clusters, in the shape of scan --json\n"
          "\n"
          "'reprint index COMMAND --help' describes a command.\n", f);
}

static void usage_sim(FILE *f)
{
    fputs("similarity (stored when the index is created, checked afterwards):\n", f);
    opts_sim_help(f, 1);
    fputs("      --sample-bits N     keep one shingle in 2^N for verification without\n"
          "                          the text (default 3; 0 keeps them all)\n", f);
}

static void usage_input(FILE *f)
{
    opts_input_help(f);
    fputs("  -j, --threads N         threads that read and sketch files (default: CPUs)\n"
          "      --busy-timeout MS   wait this long for another writer (default 10000)\n"
          "  -v, --verbose           say what is read and committed\n"
          "      --stats             print documents/s and the latency of the index\n"
          "                          per document (p50, p99) on stderr\n"
          "  -h, --help              show this help\n"
          "\n"
          "'-' reads stdin as scan does: JSON Lines (one object a line with \"id\"\n"
          "and \"text\"), NUL-separated texts or one text.\n", f);
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
          "                          --report every document is committed at once)\n"
          "      --date DATE         the date stored with every document (YYYY-MM-DD,\n"
          "                          YYYY-MM-DDTHH:MM[:SS][Z] or @SECONDS, UTC; default:\n"
          "                          a file's modification time, else the time added)\n"
          "      --date-field NAME   jsonl: the field holding each record's date (ISO\n"
          "                          8601 or seconds), stored for prune --before; a\n"
          "                          record without one gets the date as above\n", f);
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
          "\n"
          "      --top N             list the N candidates (documents sharing an LSH\n"
          "                          band key) with the highest scores, also below\n"
          "                          the threshold, each with \"similar\": true|false\n", f);
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

static void usage_prune(FILE *f)
{
    fputs("usage: reprint index prune --before DATE DB\n"
          "\n"
          "Removes the documents dated before DATE (one transaction), for a rolling\n"
          "window of news. A document's date is add --date, else its file's\n"
          "modification time, else the time it was added.\n"
          "      --before DATE       YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] or @SECONDS (UTC)\n"
          "  -v, --verbose           say how many were removed\n"
          "  -h, --help              show this help\n", f);
}

static void usage_list(FILE *f)
{
    fputs("usage: reprint index list DB\n"
          "\n"
          "Prints one JSON line per document, in the order they were added: id,\n"
          "cluster, date, added, size, shingles, title and path.\n"
          "  -h, --help              show this help\n", f);
}

static void usage_show(FILE *f)
{
    fputs("usage: reprint index show DB ID\n"
          "\n"
          "Prints the document with this id as index list does, with its stored\n"
          "verified pairs as \"matches\", best first.\n"
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
/* Dates                                                                */
/* ------------------------------------------------------------------ */

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Parses a date for option name: YYYY-MM-DD, optionally followed by
 * THH:MM or THH:MM:SS and Z (all UTC), or @SECONDS since 1970.
 * @return 0, or -1 (reported). */
static int parse_date(const char *name, const char *arg, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = -1;
    if (arg[0] == '@') {
        char *end;
        long long v = strtoll(arg + 1, &end, 10);
        if (end != arg + 1 && !*end && v > 0) {
            *out = v;
            return 0;
        }
    } else if (arg[0] >= '0' && arg[0] <= '9' &&
               sscanf(arg, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n > 0) {
        const char *p = arg + n;
        if (*p == 'T') {
            n = -1;
            if (sscanf(p, "T%2d:%2d%n", &h, &mi, &n) == 2 && n > 0) {
                p += n;
                n = -1;
                if (*p == ':')
                    p = sscanf(p, ":%2d%n", &sec, &n) == 1 && n > 0 ? p + n : "?";
                if (*p == 'Z')
                    p++;
            } else {
                p = "?";
            }
        }
        if (!*p && y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
            h >= 0 && h < 24 && mi >= 0 && mi < 60 && sec >= 0 && sec < 61) {
            *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
            return 0;
        }
    }
    diag("invalid %s '%s' (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] or @SECONDS)",
         name, safe(arg));
    return -1;
}

/* Prints t (Unix seconds) as a JSON string in ISO 8601, UTC. */
static void json_date(FILE *f, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, sizeof buf, "@%lld", (long long)t);
    fprintf(f, "\"%s\"", buf);
}

/* ------------------------------------------------------------------ */
/* Options                                                              */
/* ------------------------------------------------------------------ */

enum {
    OPT_REPORT = 256, OPT_BATCH, OPT_SAMPLE, OPT_JSON, OPT_BUSY, OPT_STATS, OPT_TOP,
    OPT_DATE, OPT_BEFORE, OPT_DATEF
};

/* index's own options; opts_table adds the shared ones (OPTS_SIM, OPTS_INPUT). */
static const struct option own_opts[] = {
    {"sample-bits", required_argument, NULL, OPT_SAMPLE},
    {"threads", required_argument, NULL, 'j'},
    {"busy-timeout", required_argument, NULL, OPT_BUSY},
    {"report", no_argument, NULL, OPT_REPORT},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"json", no_argument, NULL, OPT_JSON},
    {"stats", no_argument, NULL, OPT_STATS},
    {"top", required_argument, NULL, OPT_TOP},
    {"date", required_argument, NULL, OPT_DATE},
    {"date-field", required_argument, NULL, OPT_DATEF},
    {"before", required_argument, NULL, OPT_BEFORE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

/* What each subcommand accepts, beyond -h. */
enum { A_SIM = 1, A_INPUT = 2, A_REPORT = 4, A_JSON = 8, A_TOP = 16, A_DATE = 32,
       A_BEFORE = 64 };

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
    struct option buf[OPTS_MAX];
    const struct option *longopts = opts_table(buf, own_opts, OPTS_SIM | OPTS_INPUT);
    optind = 1;
    opterr = 0;
    int c;
    int li = -1;
    while ((c = getopt_long(argc, argv, ":t:k:j:vhL", longopts, &li)) != -1) {
        unsigned need = 0;
        switch (opts_group(c)) {
        case OPTS_SIM: need = A_SIM; break;
        case OPTS_INPUT: need = A_INPUT; break;
        default: break;
        }
        switch (c) {
        case OPT_SAMPLE: need = A_SIM; break;
        case 'j': case 'v': case OPT_STATS: need = A_INPUT; break;
        case OPT_REPORT: case OPT_BATCH: need = A_REPORT; break;
        case OPT_DATEF: need = A_DATE; break;
        case OPT_JSON: need = A_JSON; break;
        case OPT_TOP: need = A_TOP; break;
        case OPT_DATE: need = A_DATE; break;
        case OPT_BEFORE: need = A_BEFORE; break;
        default: break;
        }
        if (c == 'v' && (allow & A_BEFORE))
            need = A_BEFORE;
        if (need && !(allow & need)) {
            char name[64];
            if (li >= 0)
                snprintf(name, sizeof name, "--%s", longopts[li].name);
            else
                snprintf(name, sizeof name, "-%c", c);
            diag("index %s: option '%s' does not apply", sub, name);
            return -1;
        }
        li = -1;
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
        case OPT_TOP:
            if (parse_uint("--top", optarg, 1, 10000, &u) < 0)
                return -1;
            xo->top = u;
            break;
        case OPT_DATEF: xo->date_field = optarg; break;
        case OPT_DATE:
        case OPT_BEFORE:
            if (parse_date(c == OPT_DATE ? "--date" : "--before", optarg, &xo->date) < 0)
                return -1;
            break;
        case 'v': xo->verbose = 1; xo->io.verbose = 1; break;
        case OPT_STATS: xo->stats = 1; break;
        case 'h':
            help(stdout);
            return 1;
        default: {
            char cmd[32];
            snprintf(cmd, sizeof cmd, "index %s", sub);
            opt_error(cmd, c, argv, longopts);
            return -1;
        }
        }
    }
    char cmd[32];
    snprintf(cmd, sizeof cmd, "index %s", sub);
    if (check_sim_options(cmd, xo->ro) < 0)
        return -1;
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

/* The feed's hook: the title of a sketched document, from its text. */
static void take_title(void *ctx, feed_item *it)
{
    (void)ctx;
    it->extra = title_of(it->r.text, it->r.len);
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

static void print_result(const char *id, const rp_index_result *r, int similar)
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
        if (similar)
            fputs(m->sim.similar ? ", \"similar\": true" : ", \"similar\": false", stdout);
        fputs("}", stdout);
    }
    fputs("]}\n", stdout);
}

typedef struct run {
    const char *db;
    rp_index *ix;
    const ix_opts *xo;
    input *in;
    int adding;
    size_t docs;         /* documents read from the input */
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

/* @return the date to store with item it: its --date-field value, else
 * --date, else a file's modification time; 0: the time it is added. */
static int64_t date_of(const ix_opts *xo, const feed_item *it)
{
    int64_t ms;
    if (it->r.meta && keep_parse_date(it->r.meta, &ms) == 0)
        return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    if (xo->date)
        return xo->date;
    return it->mtime_ms / 1000;
}

/* Adds or queries one sketched item (the feed's use), prints its line
 * when asked. @return 0, or -1 on a fatal error (reported). */
static int process(void *ctx, feed_item *it)
{
    run *r = ctx;
    int ok = feed_check(r->in, it, &r->skipped);
    if (ok <= 0) {
        r->fatal = ok < 0;
        return ok;
    }
    r->docs++;
    const char *path = it->r.where ? NULL : it->r.id;
    rp_index_result res;
    int rc;
    double t = r->xo->stats ? cli_now() : 0;
    if (r->adding) {
        if (r->pending == 0 && (rc = rp_index_begin(r->ix)) != RP_OK) {
            diag("%s: %s", safe(r->db), rp_index_errmsg(r->ix));
            r->fatal = 1;
            return -1;
        }
        rp_index_set_date(r->ix, date_of(r->xo, it));
        rc = rp_index_add(r->ix, it->r.id, path, it->extra, it->r.len, it->doc, &res);
        if (rc == RP_OK) {
            r->pending++;
            r->added += res.status == RP_INDEX_NEW;
            r->replaced += res.status == RP_INDEX_REPLACED;
            r->unchanged += res.status == RP_INDEX_UNCHANGED;
        }
    } else {
        rc = rp_index_query_top(r->ix, it->r.id, it->doc, r->xo->top, &res);
    }
    if (r->xo->stats && r->nlat == r->caplat) {
        size_t cap = r->caplat ? 2 * r->caplat : 1024;
        double *nl = realloc(r->lat, cap * sizeof *nl);
        if (nl) {
            r->lat = nl;
            r->caplat = cap;
        }
    }
    if (r->xo->stats && r->nlat < r->caplat)
        r->lat[r->nlat++] = cli_now() - t;
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
        print_result(it->r.id, &res, r->xo->top > 0);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            rp_index_result_free(&res);
            r->fatal = 2;
            return -1;
        }
    }
    rp_index_result_free(&res);
    return 0;
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
    double total = cli_now() - r->t0;
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
    int rc = parse(sub, argc, argv, A_SIM | A_INPUT | (adding ? A_REPORT | A_DATE : A_TOP),
                   adding ? usage_add : usage_query, xo);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "usage: reprint index %s [options] DB PATH...|-  (see 'reprint index %s --help')\n",
                    sub, sub);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    const char *db = argv[optind];
    if (optind + 1 >= argc && !xo->io.files_from) {
        diag("index %s: no PATH given", sub);
        return EXIT_TROUBLE;
    }
    if (xo->date_field) {   /* each record carries its date field's value */
        xo->io.fields = &xo->date_field;
        xo->io.nfields = 1;
    }
    run r = {db, NULL, xo, NULL, adding, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, cli_now()};
    input *in = NULL;
    int code = EXIT_OK;
    r.ix = open_index(db, adding ? RP_INDEX_WRITE | RP_INDEX_CREATE : 0, xo);
    if (!r.ix)
        goto fail;
    if (xo->opts_given == 0)
        rp_index_options(r.ix, xo->ro, NULL);   /* sketch as the index was built */
    in = r.in = input_open(argv + optind + 1, argc - optind - 1, &xo->io);
    if (!in)
        goto fail;
    /* Input arrives in batches of up to SKETCH_BATCH records (one with
     * --report, so that each is answered as soon as it arrives), read and
     * sketched on xo->threads threads while this one adds (or queries) the
     * batch before (feed.h). */
    feed f = {in, xo->ro, xo->threads, xo->report ? 1 : SKETCH_BATCH, 1, take_title,
              process, &r};
    if (feed_run(&f) != 0 && !r.fatal)
        r.fatal = 1;
    if (!r.fatal && adding)
        commit(&r);
    r.skipped += input_skipped(in) + (r.fatal ? 0 : input_finish(in, r.docs));
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
    int bits = 0;
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

/* Prints one document as a JSON object, without its closing brace. */
static void print_doc(const rp_index_doc *d)
{
    fputs("{\"id\": ", stdout);
    json_string(stdout, d->id);
    printf(", \"cluster\": %lld, \"date\": ", (long long)d->cluster);
    json_date(stdout, d->date);
    fputs(", \"added\": ", stdout);
    json_date(stdout, d->added);
    printf(", \"size\": %llu, \"shingles\": %zu, \"title\": ",
           (unsigned long long)d->size, d->shingles);
    if (d->title)
        json_string(stdout, d->title);
    else
        fputs("null", stdout);
    fputs(", \"path\": ", stdout);
    if (d->path)
        json_string(stdout, d->path);
    else
        fputs("null", stdout);
}

static int list_one(void *ctx, const rp_index_doc *d)
{
    (void)ctx;
    print_doc(d);
    fputs("}\n", stdout);
    return ferror(stdout) ? 1 : 0;
}

/* Parses the options of a command that takes DB and `want` more operands
 * (-1: one or more) and opens DB. @return the index, or NULL with *code
 * set (help printed, or a reported error). */
static rp_index *open_for(const char *sub, int argc, char **argv, unsigned allow,
                          void (*help)(FILE *), const char *usage_line, int want,
                          unsigned flags, ix_opts *xo, int *code)
{
    int rc = parse(sub, argc, argv, allow, help, xo);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "usage: reprint index %s  (see 'reprint index %s --help')\n",
                    usage_line, sub);
        *code = rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
        return NULL;
    }
    int have = argc - optind - 1;
    if (want >= 0 ? have != want : have < 1) {
        diag("index %s: expected %s", sub, usage_line);
        *code = EXIT_TROUBLE;
        return NULL;
    }
    rp_index *ix = open_index(argv[optind], flags, xo);
    if (!ix)
        *code = EXIT_TROUBLE;
    return ix;
}

static int cmd_list(int argc, char **argv, ix_opts *xo)
{
    int code = EXIT_OK;
    rp_index *ix = open_for("list", argc, argv, 0, usage_list, "DB", 0, 0, xo, &code);
    if (!ix)
        return code;
    int rc = rp_index_list(ix, NULL, list_one, NULL);
    if (rc == 1)
        code = finish_output(EXIT_TROUBLE);
    else if (rc != RP_OK) {
        diag("%s: %s", safe(argv[optind]), rp_index_errmsg(ix));
        code = EXIT_TROUBLE;
    } else
        code = finish_output(EXIT_OK);
    rp_index_free(ix);
    return code;
}

static int show_one(void *ctx, const rp_index_doc *d)
{
    const rp_index_result *pairs = ctx;
    print_doc(d);
    fputs(", \"matches\": [", stdout);
    for (size_t i = 0; i < pairs->n; i++) {
        fputs(i ? ", {\"id\": " : "{\"id\": ", stdout);
        json_string(stdout, pairs->m[i].id);
        json_sim(stdout, &pairs->m[i].sim, 0);
        fputs("}", stdout);
    }
    fputs("]}\n", stdout);
    return ferror(stdout) ? 1 : 0;
}

static int cmd_show(int argc, char **argv, ix_opts *xo)
{
    int code = EXIT_OK;
    rp_index *ix = open_for("show", argc, argv, 0, usage_show, "DB ID", 1, 0, xo, &code);
    if (!ix)
        return code;
    const char *db = argv[optind], *id = argv[optind + 1];
    rp_index_result pairs;
    int rc = rp_index_pairs(ix, id, &pairs);
    if (rc == RP_OK)
        rc = rp_index_list(ix, id, show_one, &pairs);
    if (rc == RP_ENOTFOUND) {
        char name[512];
        snprintf(name, sizeof name, "%s", safe(db));
        diag("%s: %s: no such document", name, safe(id));
        code = EXIT_SKIPPED;
    } else if (rc == 1) {
        code = finish_output(EXIT_TROUBLE);
    } else if (rc != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        code = EXIT_TROUBLE;
    } else {
        code = finish_output(EXIT_OK);
    }
    rp_index_result_free(&pairs);
    rp_index_free(ix);
    return code;
}

static int cmd_prune(int argc, char **argv, ix_opts *xo)
{
    int code = EXIT_OK;
    rp_index *ix = open_for("prune", argc, argv, A_BEFORE, usage_prune, "--before DATE DB", 0,
                            RP_INDEX_WRITE, xo, &code);
    if (!ix)
        return code;
    const char *db = argv[optind];
    size_t removed = 0;
    if (!xo->date) {
        diag("index prune: no --before DATE given");
        code = EXIT_TROUBLE;
    } else if (rp_index_prune(ix, xo->date, &removed) != RP_OK) {
        diag("%s: %s", safe(db), rp_index_errmsg(ix));
        code = EXIT_TROUBLE;
    } else if (xo->verbose) {
        diag("%s: %zu documents removed", safe(db), removed);
    }
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
    {"rm", cmd_rm}, {"export", cmd_export}, {"prune", cmd_prune},
    {"list", cmd_list}, {"show", cmd_show},
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
            input_options_free(&xo.io);
            return rc;
        }
    const char *names[sizeof subs / sizeof *subs];
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        names[i] = subs[i].name;
    const char *s = did_you_mean(name, names, sizeof names / sizeof *names);
    if (s)
        diag("index: '%s' is not a command; did you mean '%s'? (see 'reprint index --help')",
             safe(name), s);
    else
        diag("index: '%s' is not a command; see 'reprint index --help'", safe(name));
    return EXIT_TROUBLE;
}
