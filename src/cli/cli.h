/*
 * cli.h - the subcommands of the reprint front end and its exit codes.
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdio.h>

#include "reprint.h"

enum {
    EXIT_OK = 0,       /* success */
    EXIT_SKIPPED = 1,  /* some inputs were skipped (scan); not similar (diff) */
    EXIT_TROUBLE = 2   /* usage error, or a fatal error such as a failed write */
};

int cmd_scan(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_dedup(int argc, char **argv);
int cmd_dist(int argc, char **argv);

/* Shared passages shorter than this many words are counted in the figures
 * of diff and report but not shown: at a small shingle size, stock phrases
 * ("the prime minister said") would bury the passages that matter. */
#define DIFF_MIN_RUN 5

/* Flushes stdout and reports a failed write. @return the exit code to use:
 * code, or EXIT_TROUBLE when the output could not be written. */
int finish_output(int code);

/* The options of the similarity rule that scan, index and diff share:
 * -t, -k, and these long-option codes (above any command's own codes). */
enum {
    OPT_SIM_HASHES = 1024, OPT_SIM_LSH, OPT_SIM_BANDS, OPT_SIM_ROWS,
    OPT_SIM_MINSH, OPT_SIM_KEEP, OPT_SIM_FDF
};

/* Applies option c, with its argument arg, to *ro when c is one of the
 * shared similarity options. @return 1 when it was, 0 when c is not one
 * of them, -1 on a bad argument (reported). */
int parse_sim_option(int c, const char *arg, rp_options *ro);

/* @return the value of setting opt of o (0 when o is NULL). */
double sim_get(const rp_options *o, rp_option opt);

/* @return new options holding the library's defaults, or NULL (reported)
 * when out of memory. */
rp_options *sim_new(void);

/* The input options that scan and index share, as long-option codes:
 * --hidden, --max-bytes (K, M, G suffixes), --input, --id-field,
 * --text-field, --include, --exclude, --files-from, --null, --quiet-skip,
 * --progress, --no-progress; and -L (--follow). */
enum {
    OPT_IN_HIDDEN = 1100, OPT_IN_MAXB, OPT_IN_INPUT, OPT_IN_IDF, OPT_IN_TEXTF,
    OPT_IN_INCL, OPT_IN_EXCL, OPT_IN_FILESFROM, OPT_IN_NULL, OPT_IN_QUIET,
    OPT_IN_PROG, OPT_IN_NOPROG
};

/* The default of --max-bytes: the largest file, line or record read. */
#define DEFAULT_MAX_BYTES ((size_t)64 << 20)

/* Applies option c, with its argument arg, to *io (input.h) when c is one
 * of the shared input options. @return 1 when it was, 0 when c is not one
 * of them, -1 on a bad argument (reported). */
struct input_opts;
int parse_input_option(int c, const char *arg, struct input_opts *io);

/* Frees what parse_input_option allocated in *io (the pattern lists). */
void input_options_free(struct input_opts *io);

/* Checks the similarity options of command cmd once all are parsed:
 * --bands and --rows go together and fit in --hashes. @return 0, or -1
 * (reported). */
int check_sim_options(const char *cmd, const rp_options *ro);

/* Parses a number for option name; reports and returns -1 when invalid. */
int parse_double(const char *name, const char *arg, double lo, double hi, double *out);
/* Parses a byte count with an optional K, M or G suffix (KiB, MiB, GiB). */
int parse_size(const char *name, const char *arg, unsigned long long lo, unsigned long long hi, unsigned long long *out);
int parse_uint(const char *name, const char *arg, unsigned long lo, unsigned long hi, unsigned long *out);

#endif
