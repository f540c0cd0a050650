/*
 * main.c - entry point of the reprint command: dispatches to a subcommand
 * from a table, prints help and versions. Each subcommand lives in its own
 * file and owns its options and usage text.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "cli.h"
#include "input.h"
#include "opts.h"
#include "output.h"
#include "reprint.h"

static const struct cmd {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"scan", cmd_scan, "find and cluster near-duplicate articles in files and folders"},
    {"index", cmd_index, "keep a persistent index of articles and match new ones against it"},
    {"diff", cmd_diff, "show what two articles share, passage by passage"},
    {"report", cmd_report, "write the clusters as one self-contained HTML page"},
    {"dedup", cmd_dedup, "write the input minus its near-duplicates, one kept per cluster"},
    {"dist", cmd_dist, "run the scan as staged jobs (Slurm job arrays or --local)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: reprint COMMAND [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'reprint COMMAND --help' describes a command.\n"
               "  -h, --help     show this help\n"
               "      --version  show the versions of reprint, xxHash and utf8proc\n");
}

static void version(void)
{
    unsigned v = XXH_versionNumber();
    printf("reprint %s (xxHash %u.%u.%u, utf8proc %s, Unicode %s)\n",
           rp_version(), v / 10000, v / 100 % 100, v % 100,
           utf8proc_version(), utf8proc_unicode_version());
}

int finish_output(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        diag("cannot write output: %s", errno ? strerror(errno) : "write error");
        return EXIT_TROUBLE;
    }
    return code;
}

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

/* The shared similarity options: the option's code, its name in
 * messages, the library setting it changes, and the range it takes here
 * (whole numbers unless real). --keep-boilerplate takes no argument. */
static const struct sim_option {
    int code;
    const char *name;
    rp_option opt;
    double lo, hi;
    int real;
} sim_options[] = {
    {'t', "--threshold", RP_OPT_THRESHOLD, 0, 1, 1},
    {'k', "--shingle", RP_OPT_SHINGLE, 1, 16, 0},
    {OPT_SIM_HASHES, "--hashes", RP_OPT_HASHES, 16, 1024, 0},
    {OPT_SIM_LSH, "--lsh-threshold", RP_OPT_LSH_THRESHOLD, 0.01, 0.99, 1},
    {OPT_SIM_BANDS, "--bands", RP_OPT_BANDS, 1, 1024, 0},
    {OPT_SIM_ROWS, "--rows", RP_OPT_ROWS, 1, 1024, 0},
    {OPT_SIM_MINSH, "--min-shared", RP_OPT_MIN_SHARED, 1, 1000000, 0},
    {OPT_SIM_KEEP, "--keep-boilerplate", RP_OPT_KEEP_BOILERPLATE, 1, 1, 0},
    {OPT_SIM_FDF, "--furniture-df", RP_OPT_FURNITURE_DF, 0, 255, 0},
};

int parse_sim_option(int c, const char *arg, rp_options *ro)
{
    for (size_t i = 0; i < sizeof sim_options / sizeof *sim_options; i++) {
        const struct sim_option *so = &sim_options[i];
        if (so->code != c)
            continue;
        double x = so->lo;
        unsigned long u;
        if (c == OPT_SIM_KEEP)
            ;
        else if (so->real) {
            if (parse_double(so->name, arg, so->lo, so->hi, &x) < 0)
                return -1;
        } else {
            if (parse_uint(so->name, arg, (unsigned long)so->lo, (unsigned long)so->hi, &u) < 0)
                return -1;
            x = (double)u;
        }
        if (rp_options_set(ro, so->opt, x) != RP_OK) {
            diag("%s: cannot set to '%s'", so->name, safe(arg ? arg : ""));
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

int main(int argc, char **argv)
{
    int code;
    if (argc < 2) {
        usage(stderr);
        return EXIT_TROUBLE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return finish_output(EXIT_OK);
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        version();
        return finish_output(EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(name, commands[i].name) == 0) {
            code = commands[i].fn(argc - 1, argv + 1);
            return code;
        }
    const char *names[sizeof commands / sizeof *commands];
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        names[i] = commands[i].name;
    const char *s = did_you_mean(name, names, sizeof names / sizeof *names);
    if (s)
        diag("'%s' is not a command; did you mean '%s'? (see 'reprint --help')", safe(name), s);
    else
        diag("'%s' is not a command; see 'reprint --help'", safe(name));
    return EXIT_TROUBLE;
}
