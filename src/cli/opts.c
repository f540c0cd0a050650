/*
 * opts.c - reports of bad options, with suggestions. getopt_long (GNU)
 * finds the error; this file words it the way git and rg do: it names
 * the option, tells an ambiguous abbreviation from an unknown word, and
 * proposes the nearest real option when the word looks like a typo.
 */
#define _GNU_SOURCE
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"

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
