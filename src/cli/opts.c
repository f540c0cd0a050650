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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"
#include "output.h"

int parse_double(const char *name, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    if (errno || end == arg || *end || !(x >= lo && x <= hi)) {
        diag("%s: expected a number from %g to %g, got '%s'", name, lo, hi, safe(arg));
        return -1;
    }
    *out = x;
    return 0;
}

int parse_uint(const char *name, const char *arg, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || x < lo || x > hi) {
        diag("%s: expected a whole number from %lu to %lu, got '%s'", name, lo, hi, safe(arg));
        return -1;
    }
    *out = x;
    return 0;
}

int parse_size(const char *name, const char *arg, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(arg, &end, 10);
    unsigned long long mult = 1;
    if (!errno && end != arg && arg[0] != '-') {
        switch (*end) {
        case 'k': case 'K': mult = 1ull << 10; end++; break;
        case 'm': case 'M': mult = 1ull << 20; end++; break;
        case 'g': case 'G': mult = 1ull << 30; end++; break;
        default: break;
        }
        if (mult > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
            end += strlen(end);
    }
    if (errno || end == arg || *end || arg[0] == '-' || x > hi / mult ||
        x * mult < lo || x * mult > hi) {
        diag("%s: expected a size from %llu to %llu bytes (K, M, G for KiB, MiB, GiB), got '%s'",
             name, lo, hi, safe(arg));
        return -1;
    }
    *out = x * mult;
    return 0;
}

/* The similarity options, each defined once: its name, getopt code and
 * argument, the library setting it changes and the range it takes here
 * (whole numbers unless real), and its group. --keep-boilerplate takes no
 * argument. --furniture-df is scan's alone (OPTS_FURNITURE): the index
 * cannot use it. */
static const struct sim_option {
    const char *name;
    int code, has_arg;
    rp_option opt;
    double lo, hi;
    int real;
    unsigned group;
    int pair; /* also in OPTS_PAIR: it matters when two texts are compared */
} sim_options[] = {
    {"threshold", 't', required_argument, RP_OPT_THRESHOLD, 0, 1, 1, OPTS_SIM, 1},
    {"shingle", 'k', required_argument, RP_OPT_SHINGLE, 1, 16, 0, OPTS_SIM, 1},
    {"hashes", OPT_SIM_HASHES, required_argument, RP_OPT_HASHES, 16, 1024, 0, OPTS_SIM, 0},
    {"lsh-threshold", OPT_SIM_LSH, required_argument, RP_OPT_LSH_THRESHOLD, 0.01, 0.99, 1, OPTS_SIM, 0},
    {"bands", OPT_SIM_BANDS, required_argument, RP_OPT_BANDS, 1, 1024, 0, OPTS_SIM, 0},
    {"rows", OPT_SIM_ROWS, required_argument, RP_OPT_ROWS, 1, 1024, 0, OPTS_SIM, 0},
    {"min-shared", OPT_SIM_MINSH, required_argument, RP_OPT_MIN_SHARED, 1, 1000000, 0, OPTS_SIM, 1},
    {"keep-boilerplate", OPT_SIM_KEEP, no_argument, RP_OPT_KEEP_BOILERPLATE, 1, 1, 0, OPTS_SIM, 1},
    {"furniture-df", OPT_SIM_FDF, required_argument, RP_OPT_FURNITURE_DF, 0, 255, 0,
     OPTS_FURNITURE, 0},
};

int parse_sim_option(int c, const char *arg, rp_options *ro)
{
    for (size_t i = 0; i < sizeof sim_options / sizeof *sim_options; i++) {
        const struct sim_option *so = &sim_options[i];
        if (so->code != c)
            continue;
        char name[32];
        snprintf(name, sizeof name, "--%s", so->name);
        double x = so->lo;
        unsigned long u;
        if (so->has_arg == no_argument)
            ;
        else if (so->real) {
            if (parse_double(name, arg, so->lo, so->hi, &x) < 0)
                return -1;
        } else {
            if (parse_uint(name, arg, (unsigned long)so->lo, (unsigned long)so->hi, &u) < 0)
                return -1;
            x = (double)u;
        }
        if (rp_options_set(ro, so->opt, x) != RP_OK) {
            diag("%s: cannot set to '%s'", name, safe(arg ? arg : ""));
            return -1;
        }
        return 1;
    }
    return 0;
}

double sim_get(const rp_options *o, rp_option opt)
{
    double v = 0;
    rp_options_get(o, opt, &v);
    return v;
}

rp_options *sim_new(void)
{
    rp_options *o;
    if (rp_options_new(&o) != RP_OK)
        diag("out of memory");
    return o;
}

/* Appends a pattern to a list of --include or --exclude. @return 0, -1. */
static int add_glob(char ***v, size_t *n, const char *pat)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
        diag("out of memory");
        return -1;
    }
    nv[(*n)++] = (char *)pat;
    *v = nv;
    return 0;
}

void input_options_free(input_opts *io)
{
    free(io->walk.include);
    free(io->walk.exclude);
    io->walk.include = io->walk.exclude = NULL;
    io->walk.ninclude = io->walk.nexclude = 0;
}

int check_sim_options(const char *cmd, const rp_options *ro)
{
    if ((sim_get(ro, RP_OPT_BANDS) == 0) != (sim_get(ro, RP_OPT_ROWS) == 0)) {
        diag("%s: --bands and --rows go together", cmd);
        return -1;
    }
    if (rp_options_check(ro) != RP_OK) {
        diag("%s: --bands times --rows must not exceed --hashes (%u)", cmd,
             (unsigned)sim_get(ro, RP_OPT_HASHES));
        return -1;
    }
    return 0;
}

int parse_input_option(int c, const char *arg, input_opts *io)
{
    unsigned long long sz;
    switch (c) {
    case OPT_IN_HIDDEN:
        io->walk.hidden = 1;
        return 1;
    case OPT_IN_MAXB:
        if (parse_size("--max-bytes", arg, 1, RP_MAX_TEXT, &sz) < 0)
            return -1;
        io->max_bytes = (size_t)sz;
        return 1;
    case OPT_IN_INPUT:
        return input_parse_format(arg, &io->format) < 0 ? -1 : 1;
    case OPT_IN_IDF:
        io->id_field = arg;
        return 1;
    case OPT_IN_TEXTF:
        io->text_field = arg;
        return 1;
    case OPT_IN_INCL:
        return add_glob(&io->walk.include, &io->walk.ninclude, arg) < 0 ? -1 : 1;
    case OPT_IN_EXCL:
        return add_glob(&io->walk.exclude, &io->walk.nexclude, arg) < 0 ? -1 : 1;
    case OPT_IN_FILESFROM:
        io->files_from = arg;
        return 1;
    case OPT_IN_NULL:
        io->null = 1;
        return 1;
    case 'L':
        io->walk.follow = 1;
        return 1;
    case OPT_IN_QUIET:
        io->quiet_skip = 1;
        return 1;
    case OPT_IN_PROG:
    case OPT_IN_NOPROG:
        io->progress = c == OPT_IN_PROG;
        return 1;
    default:
        return 0;
    }
}

/* The inputs (parse_input_option). */
static const struct option input_options[] = {
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

const struct option *opts_table(struct option *out, const struct option *own,
                                unsigned groups)
{
    size_t n = 0;
    for (const struct option *o = own; o->name && n < OPTS_MAX - 1; o++)
        out[n++] = *o;
    for (size_t i = 0; i < sizeof sim_options / sizeof *sim_options && n < OPTS_MAX - 1; i++)
        if ((groups & sim_options[i].group) || ((groups & OPTS_PAIR) && sim_options[i].pair))
            out[n++] = (struct option){sim_options[i].name, sim_options[i].has_arg, NULL,
                                       sim_options[i].code};
    if (groups & OPTS_INPUT)
        for (const struct option *o = input_options; o->name && n < OPTS_MAX - 1; o++)
            out[n++] = *o;
    out[n] = (struct option){NULL, 0, NULL, 0};
    return out;
}

unsigned opts_group(int c)
{
    for (size_t i = 0; i < sizeof sim_options / sizeof *sim_options; i++)
        if (sim_options[i].code == c)
            return sim_options[i].group;
    for (const struct option *o = input_options; o->name; o++)
        if (o->val == c)
            return OPTS_INPUT;
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
