/*
 * opts.h - what every subcommand's option parsing shares: the options
 * that scan, report, dedup and index take alike (the similarity rule, the
 * inputs), each defined once in a table that opts_table splices into a
 * command's own, with one help text per group; the report of a bad
 * option (unknown, ambiguous, missing its argument) with a "did you mean"
 * suggestion, and the suggestion itself, which main.c also uses for a
 * mistyped command.
 */
#ifndef RP_CLI_OPTS_H
#define RP_CLI_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* The groups of shared options (parsed by parse_sim_option and
 * parse_input_option, cli.h):
 *   OPTS_SIM    -t/--threshold, -k/--shingle, --hashes, --lsh-threshold,
 *               --bands, --rows, --min-shared, --keep-boilerplate
 *   OPTS_INPUT  --input, --id-field, --text-field, --files-from, --null,
 *               --include, --exclude, --hidden, -L/--follow, --quiet-skip,
 *               --max-bytes, --progress, --no-progress */
/*   OPTS_PAIR   the similarity options that matter when two texts are
 *               compared (diff): -t, -k, --min-shared, --keep-boilerplate */
enum { OPTS_SIM = 1, OPTS_INPUT = 2, OPTS_FURNITURE = 4 /* --furniture-df */, OPTS_PAIR = 8 };

/* The most entries a table built by opts_table has. */
#define OPTS_MAX 64

/* Builds a command's option table in out (OPTS_MAX entries): the options
 * of own (ended by an entry with a NULL name), then those of each group
 * in groups, then the end entry. @return out. */
const struct option *opts_table(struct option *out, const struct option *own,
                                unsigned groups);

/* @return the group (OPTS_*) that option code c belongs to, or 0. */
unsigned opts_group(int c);

/* Prints the help of the similarity options (after a heading the command
 * prints). stored: the index's wording (the LSH shape it defaults to). */
void opts_sim_help(FILE *f, int stored);

/* Prints the "input:" section of the help: every OPTS_INPUT option. */
void opts_input_help(FILE *f);

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
