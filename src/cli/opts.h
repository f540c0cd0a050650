/*
 * opts.h - what every subcommand's option parsing shares beyond the
 * option tables: the report of a bad option (unknown, ambiguous, missing
 * its argument) with a "did you mean" suggestion, and the suggestion
 * itself, which main.c also uses for a mistyped command.
 */
#ifndef RP_CLI_OPTS_H
#define RP_CLI_OPTS_H

#include <getopt.h>
#include <stddef.h>

/* @return the candidate closest to word by edit distance (a swap of two
 * neighbouring letters counts one) when it is close enough to be a typo
 * (at most 1 edit for words up to 4 letters, 2 up to 8, else 3), or the
 * only candidate word is a prefix of; NULL otherwise. */
const char *did_you_mean(const char *word, const char *const *cands, size_t n);

/* Reports the bad option that made getopt_long return c ('?' or ':';
 * the option string must start with ':' so that a missing argument
 * gives ':'), as "reprint: CMD: unknown option '--jsno'; did you mean
 * '--json'?", "... option '--th' is ambiguous: --threshold, --threads"
 * or "... option '--threshold' needs an argument". */
void opt_error(const char *cmd, int c, char **argv, const struct option *longopts);

#endif
