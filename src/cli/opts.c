/*
 * opts.c - the options that several subcommands share, each defined once
 * (one table and one help text per group, spliced into each command's
 * own table by opts_table), and reports of bad options, with
 * suggestions. getopt_long (GNU) finds the error; this file words it the
 * way git and rg do: it names the option, tells an ambiguous abbreviation
 * from an unknown word, and proposes the nearest real option when the
 * word looks like a typo.
 */
#define _GNU_SOURCE
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"

/* The similarity rule (parse_sim_option). --furniture-df and --exhaustive
 * are scan's own: the index can use neither. */
static const struct option sim_opts[] = {
    {"threshold", required_argument, NULL, 't'},
    {"shingle", required_argument, NULL, 'k'},
    {"hashes", required_argument, NULL, OPT_SIM_HASHES},
    {"lsh-threshold", required_argument, NULL, OPT_SIM_LSH},
    {"bands", required_argument, NULL, OPT_SIM_BANDS},
    {"rows", required_argument, NULL, OPT_SIM_ROWS},
    {"min-shared", required_argument, NULL, OPT_SIM_MINSH},
    {"keep-boilerplate", no_argument, NULL, OPT_SIM_KEEP},
    {NULL, 0, NULL, 0}
};

/* The inputs (parse_input_option). */
static const struct option input_opts[] = {
    {"hidden", no_argument, NULL, OPT_IN_HIDDEN},
    {"max-bytes", required_argument, NULL, OPT_IN_MAXB},
    {"input", required_argument, NULL, OPT_IN_INPUT},
    {"id-field", required_argument, NULL, OPT_IN_IDF},
    {"text-field", required_argument, NULL, OPT_IN_TEXTF},
    {"include", required_argument, NULL, OPT_IN_INCL},
    {"exclude", required_argument, NULL, OPT_IN_EXCL},
    {"files-from", required_argument, NULL, OPT_IN_FILESFROM},
    {"null", no_argument, NULL, OPT_IN_NULL},
    {"follow", no_argument, NULL, 'L'},
    {"quiet-skip", no_argument, NULL, OPT_IN_QUIET},
    {"progress", no_argument, NULL, OPT_IN_PROG},
    {"no-progress", no_argument, NULL, OPT_IN_NOPROG},
    {NULL, 0, NULL, 0}
};

static const struct { unsigned group; const struct option *opts; } groups_[] = {
    {OPTS_SIM, sim_opts}, {OPTS_INPUT, input_opts},
};

const struct option *opts_table(struct option *out, const struct option *own,
                                unsigned groups)
{
    size_t n = 0;
    for (const struct option *o = own; o->name && n < OPTS_MAX - 1; o++)
        out[n++] = *o;
    for (size_t g = 0; g < sizeof groups_ / sizeof *groups_; g++)
        if (groups & groups_[g].group)
            for (const struct option *o = groups_[g].opts; o->name && n < OPTS_MAX - 1; o++)
                out[n++] = *o;
    out[n] = (struct option){NULL, 0, NULL, 0};
    return out;
}

unsigned opts_group(int c)
{
    for (size_t g = 0; g < sizeof groups_ / sizeof *groups_; g++)
        for (const struct option *o = groups_[g].opts; o->name; o++)
            if (o->val == c)
                return groups_[g].group;
    return 0;
}

void opts_sim_help(FILE *f, int stored)
{
    rp_options *d = sim_new();
    fprintf(f,
        "  -t, --threshold X       score at which two articles are reprints (default %.2f)\n"
        "  -k, --shingle N         words per shingle (default %u)\n"
        "      --hashes K          MinHash signature length (default %u)\n",
        sim_get(d, RP_OPT_THRESHOLD), (unsigned)sim_get(d, RP_OPT_SHINGLE),
        (unsigned)sim_get(d, RP_OPT_HASHES));
    if (stored)
        fputs("      --bands B --rows R  LSH shape (default 32 bands of 1 row)\n"
              "      --lsh-threshold X   derive the LSH shape from this Jaccard instead\n", f);
    else
        fputs("      --lsh-threshold X   Jaccard the LSH bands aim at (default 0.1)\n"
              "      --bands B --rows R  set the LSH shape by hand\n", f);
    fprintf(f,
        "      --min-shared N      fewest shared shingles for a pair (default %u)\n"
        "      --keep-boilerplate  do not strip markup, furniture and comments\n",
        (unsigned)sim_get(d, RP_OPT_MIN_SHARED));
    rp_options_free(d);
}

void opts_input_help(FILE *f)
{
    fprintf(f,
        "input:\n"
        "      --input FORMAT      read stdin (-) and files as jsonl, nul or text\n"
        "                          (default: stdin detected: '{' first is jsonl, a\n"
        "                          NUL is nul; files named .jsonl/.ndjson are jsonl)\n"
        "      --id-field NAME     jsonl: field holding the id (default id)\n"
        "      --text-field NAME   jsonl: field holding the text (default text)\n"
        "      --files-from FILE   also read the paths listed in FILE, one a line\n"
        "                          ('-': standard input)\n"
        "      --null              --files-from: the paths are NUL-separated\n"
        "      --include GLOB      in folders, read only files matching GLOB\n"
        "      --exclude GLOB      in folders, skip files and folders matching GLOB\n"
        "                          (GLOBs match the base name or the path below PATH;\n"
        "                          both options can be repeated)\n"
        "      --hidden            read hidden files and folders too\n"
        "  -L, --follow            follow symbolic links to folders\n"
        "      --quiet-skip        skip binary files silently (exit 0 for them)\n"
        "      --max-bytes N       skip files, lines and records larger than N bytes;\n"
        "                          K, M, G suffixes (default %zu)\n"
        "      --progress          show progress on stderr (default in scan, report\n"
        "                          and dedup: when stderr is a terminal and the run\n"
        "                          takes over a second)\n"
        "      --no-progress       never show progress\n",
        DEFAULT_MAX_BYTES);
}

/* Edit distance with adjacent transpositions (optimal string alignment),
 * stopping early past limit. */
static size_t distance(const char *a, const char *b, size_t limit)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return limit + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *did_you_mean(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *best = NULL, *prefix = NULL;
    size_t best_d = limit + 1, nprefix = 0;
    for (size_t i = 0; i < n; i++) {
        if (len > 0 && strncmp(cands[i], word, len) == 0) {
            prefix = cands[i];
            nprefix++;
        }
        size_t d = distance(word, cands[i], limit);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    if (best)
        return best;
    return nprefix == 1 ? prefix : NULL;
}

/* @return the long option named name[0..len), or the one it abbreviates
 * when it is the only one (as getopt_long takes it), or NULL. */
static const struct option *named(const struct option *longopts, const char *name, size_t len)
{
    const struct option *hit = NULL;
    size_t hits = 0;
    for (const struct option *o = longopts; o->name; o++)
        if (strncmp(o->name, name, len) == 0) {
            if (strlen(o->name) == len)
                return o;
            hit = o;
            hits++;
        }
    return hits == 1 ? hit : NULL;
}

void opt_error(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *arg = argv[optind - 1];
    const char *word = strncmp(arg, "--", 2) == 0 ? arg + 2 : NULL;
    size_t len = word ? strcspn(word, "=") : 0;
    const struct option *exact = word ? named(longopts, word, len) : NULL;
    /* getopt sets optopt to the short letter of a bad short option, or to
     * the value of a long option it knows (missing or extra argument) */
    int is_long = word && (optopt == 0 || optopt >= 256 || (exact && exact->val == optopt));
    if (!is_long) {
        if (c == ':')
            diag("%s: option '-%c' needs an argument", cmd, optopt);
        else
            diag("%s: unknown option '-%c'", cmd, optopt);
        return;
    }
    char name[128];
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, word, len);
    name[len] = 0;
    if (c == ':') {
        diag("%s: option '--%s' needs an argument", cmd, exact ? exact->name : safe(name));
        return;
    }
    if (exact) {
        diag("%s: option '--%s' takes no argument", cmd, exact->name);
        return;
    }
    const char *cands[128];
    size_t n = 0, nprefix = 0;
    char list[512] = "";
    for (const struct option *o = longopts; o->name && n < 128; o++) {
        cands[n++] = o->name;
        if (len > 0 && strncmp(o->name, name, len) == 0) {
            nprefix++;
            size_t k = strlen(list);
            snprintf(list + k, sizeof list - k, "%s--%s", k ? ", " : "", o->name);
        }
    }
    if (nprefix > 1) {
        diag("%s: option '--%s' is ambiguous: %s", cmd, safe(name), list);
        return;
    }
    const char *s = did_you_mean(name, cands, n);
    if (s)
        diag("%s: unknown option '--%s'; did you mean '--%s'?", cmd, safe(name), s);
    else
        diag("%s: unknown option '--%s'", cmd, safe(name));
}
