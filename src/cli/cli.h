/*
 * cli.h - the subcommands of the reprint front end and its exit codes.
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdio.h>

enum {
    EXIT_OK = 0,       /* success */
    EXIT_SKIPPED = 1,  /* some inputs were skipped (scan); not similar (diff) */
    EXIT_TROUBLE = 2   /* usage error, or a fatal error such as a failed write */
};

int cmd_scan(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* Flushes stdout and reports a failed write. @return the exit code to use:
 * code, or EXIT_TROUBLE when the output could not be written. */
int finish_output(int code);

/* Parses a number for option name; reports and returns -1 when invalid. */
int parse_double(const char *name, const char *arg, double lo, double hi, double *out);
/* Parses a byte count with an optional K, M or G suffix (KiB, MiB, GiB). */
int parse_size(const char *name, const char *arg, unsigned long long lo, unsigned long long hi, unsigned long long *out);
int parse_uint(const char *name, const char *arg, unsigned long lo, unsigned long hi, unsigned long *out);

#endif
