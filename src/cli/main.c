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
