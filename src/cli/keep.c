/*
 * keep.c - the rule that picks the member of a cluster to keep (dedup)
 * or to name as representative (scan --keep): first, longest, earliest,
 * or the library's representative, restricted to the members under a
 * --prefer GLOB when there are any (as rmlint's tagged paths keep the
 * originals). Dates come from a JSON field or a file's modification time
 * and are compared as instants (UTC), not as strings.
 */
#define _POSIX_C_SOURCE 200809L
#include "keep.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "output.h"

int keep_parse(const char *arg, int *rule)
{
    static const char *const names[] = {"representative", "first", "longest", "earliest"};
    for (int i = 0; i < 4; i++)
        if (strcmp(arg, names[i]) == 0) {
            *rule = i;
            return 0;
        }
    diag("--keep: expected first, longest, earliest or representative, got '%s'", safe(arg));
    return -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits at *s. @return the number, or -1. */
static long digits(const char **s, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    return v;
}

static int parse_iso(const char *s, int64_t *ms)
{
    long y = digits(&s, 4), mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (y < 0)
        return -1;
    if (*s == '-') {
        s++;
        if ((mo = digits(&s, 2)) < 1 || mo > 12)
            return -1;
        if (*s == '-') {
            s++;
            if ((d = digits(&s, 2)) < 1 || d > 31)
                return -1;
        }
    }
    if ((*s == 'T' || *s == 't' || *s == ' ') && isdigit((unsigned char)s[1])) {
        s++;
        if ((h = digits(&s, 2)) < 0 || h > 24 || *s++ != ':' || (mi = digits(&s, 2)) < 0 || mi > 59)
            return -1;
        if (*s == ':') {
            s++;
            if ((sec = digits(&s, 2)) < 0 || sec > 60)
                return -1;
            if (*s == '.' || *s == ',') {
                s++;
                int k = 0;
                while (isdigit((unsigned char)*s)) {
                    if (k++ < 3)
                        frac = frac * 10 + (*s - '0');
                    s++;
                }
                if (k == 0)
                    return -1;
                for (; k < 3; k++)
                    frac *= 10;
            }
        }
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1;
            long oh = digits(&s, 2), om = 0;
            if (oh < 0 || oh > 23)
                return -1;
            if (*s == ':')
                s++;
            if (isdigit((unsigned char)*s) && ((om = digits(&s, 2)) < 0 || om > 59))
                return -1;
            off = sign * (oh * 60 + om);
        }
    }
    if (*s)
        return -1;
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec
                - off * 60;
    *ms = t * 1000 + frac;
    return 0;
}

int keep_parse_date(const char *v, int64_t *ms)
{
    if (v[0] == '"') {
        json_object *o = json_tokener_parse(v);
        int rc = -1;
        if (o && json_object_is_type(o, json_type_string))
            rc = parse_iso(json_object_get_string(o), ms);
        json_object_put(o);
        return rc;
    }
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > -1e15 && x < 1e15))
        return -1;
    *ms = (int64_t)(x > 1e11 || x < -1e11 ? x : x * 1000);
    return 0;
}

int keep_prefer(char *const *globs, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        const char *g = globs[i];
        if (fnmatch(g, id, 0) == 0)
            return 1;
        if (!strpbrk(g, "*?[")) {
            size_t k = strlen(g);
            while (k > 1 && g[k - 1] == '/')
                k--;
            if (strncmp(id, g, k) == 0 && id[k] == '/')
                return 1;
        }
    }
    return 0;
}

/* @return nonzero when document x beats document y (x comes later in
 * input order unless the rule prefers it). */
static int better(int rule, const keep_doc *x, const keep_doc *y, size_t dx, size_t dy)
{
    switch (rule) {
    case KEEP_LONGEST:
        if (x->words != y->words)
            return x->words > y->words;
        break;
    case KEEP_EARLIEST:
        if (x->has_date != y->has_date)
            return x->has_date;
        if (x->has_date && x->date != y->date)
            return x->date < y->date;
        break;
    default:
        break;
    }
    return dx < dy;
}

size_t keep_choose(int rule, const rp_corpus *c, size_t i, const keep_doc *info)
{
    size_t n = rp_cluster_size(c, i), rep = rp_cluster_representative(c, i);
    int any = 0;
    for (size_t j = 0; j < n && !any; j++)
        any = info[rp_cluster_member(c, i, j)->doc].prefer;
    if (rule == KEEP_REPRESENTATIVE && (!any || info[rep].prefer))
        return rep;
    size_t best = SIZE_MAX;
    double best_holds = -1;
    for (size_t j = 0; j < n; j++) {
        const rp_member *m = rp_cluster_member(c, i, j);
        if (any && !info[m->doc].prefer)
            continue;
        if (best == SIZE_MAX) {
            best = m->doc;
            best_holds = m->holds;
            continue;
        }
        int win = rule == KEEP_REPRESENTATIVE
                      ? (m->holds != best_holds ? m->holds > best_holds : m->doc < best)
                      : better(rule, &info[m->doc], &info[best], m->doc, best);
        if (win) {
            best = m->doc;
            best_holds = m->holds;
        }
    }
    return best;
}
