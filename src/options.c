/*
 * options.c - the settings of the rule behind an opaque handle: defaults,
 * one setter and one getter keyed by rp_option, and the check of the
 * settings that depend on each other. A setter that validates each value
 * on its own lets a caller report the bad option by name; the check of
 * the whole runs again wherever options are taken (doc, corpus, index).
 */
#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rp_options_init(rp_options *o)
{
    memset(o, 0, sizeof *o);
    o->shingle = RP_DEFAULT_SHINGLE;
    o->hashes = RP_DEFAULT_HASHES;
    o->threshold = RP_DEFAULT_THRESHOLD;
    o->lsh_threshold = 0;
    o->min_shared = RP_DEFAULT_MIN_SHARED;
    o->furniture_df = RP_DEFAULT_FURNITURE_DF;
}

int rp_options_new(rp_options **out)
{
    *out = malloc(sizeof **out);
    if (!*out)
        return RP_ENOMEM;
    rp_options_init(*out);
    return RP_OK;
}

int rp_options_copy(const rp_options *src, rp_options **out)
{
    *out = NULL;
    if (!src)
        return RP_EINVAL;
    *out = malloc(sizeof **out);
    if (!*out)
        return RP_ENOMEM;
    **out = *src;
    return RP_OK;
}

void rp_options_free(rp_options *o)
{
    free(o);
}

/* @return nonzero when v is a whole number in [lo, hi]. */
static int whole(double v, double lo, double hi)
{
    return v >= lo && v <= hi && floor(v) == v;
}

int rp_options_set(rp_options *o, rp_option opt, double v)
{
    if (!o || isnan(v))
        return RP_EINVAL;
    switch (opt) {
    case RP_OPT_SHINGLE:
        if (!whole(v, 1, 16)) return RP_EINVAL;
        o->shingle = (unsigned)v;
        return RP_OK;
    case RP_OPT_HASHES:
        if (!whole(v, 16, 1024)) return RP_EINVAL;
        o->hashes = (unsigned)v;
        return RP_OK;
    case RP_OPT_THRESHOLD:
        if (!(v >= 0 && v <= 1)) return RP_EINVAL;
        o->threshold = v;
        return RP_OK;
    case RP_OPT_LSH_THRESHOLD:
        if (!(v >= 0 && v < 1)) return RP_EINVAL;
        o->lsh_threshold = v;
        return RP_OK;
    case RP_OPT_BANDS:
        if (!whole(v, 0, 1024)) return RP_EINVAL;
        o->bands = (unsigned)v;
        return RP_OK;
    case RP_OPT_ROWS:
        if (!whole(v, 0, 1024)) return RP_EINVAL;
        o->rows = (unsigned)v;
        return RP_OK;
    case RP_OPT_MIN_SHARED:
        if (!whole(v, 0, 4294967295.0)) return RP_EINVAL;
        o->min_shared = (unsigned)v;
        return RP_OK;
    case RP_OPT_KEEP_BOILERPLATE:
        if (!whole(v, 0, 1)) return RP_EINVAL;
        o->keep_boilerplate = (int)v;
        return RP_OK;
    case RP_OPT_FURNITURE_DF:
        if (!whole(v, 0, 4294967295.0)) return RP_EINVAL;
        o->furniture_df = (unsigned)v;
        return RP_OK;
    case RP_OPT_EXHAUSTIVE:
        if (!whole(v, 0, 1)) return RP_EINVAL;
        o->exhaustive = (int)v;
        return RP_OK;
    }
    return RP_EINVAL;
}

int rp_options_get(const rp_options *o, rp_option opt, double *v)
{
    if (!o)
        return RP_EINVAL;
    switch (opt) {
    case RP_OPT_SHINGLE: *v = o->shingle; return RP_OK;
    case RP_OPT_HASHES: *v = o->hashes; return RP_OK;
    case RP_OPT_THRESHOLD: *v = o->threshold; return RP_OK;
    case RP_OPT_LSH_THRESHOLD: *v = o->lsh_threshold; return RP_OK;
    case RP_OPT_BANDS: *v = o->bands; return RP_OK;
    case RP_OPT_ROWS: *v = o->rows; return RP_OK;
    case RP_OPT_MIN_SHARED: *v = o->min_shared; return RP_OK;
    case RP_OPT_KEEP_BOILERPLATE: *v = o->keep_boilerplate; return RP_OK;
    case RP_OPT_FURNITURE_DF: *v = o->furniture_df; return RP_OK;
    case RP_OPT_EXHAUSTIVE: *v = o->exhaustive; return RP_OK;
    }
    return RP_EINVAL;
}

int rp_options_check(const rp_options *o)
{
    if (!o || o->shingle < 1 || o->shingle > 16)
        return RP_EINVAL;
    if (o->hashes < 16 || o->hashes > 1024)
        return RP_EINVAL;
    if (!(o->threshold >= 0 && o->threshold <= 1))
        return RP_EINVAL;
    if (!(o->lsh_threshold >= 0 && o->lsh_threshold < 1))
        return RP_EINVAL;
    if ((o->bands == 0) != (o->rows == 0))
        return RP_EINVAL;
    if (o->bands && (unsigned long)o->bands * o->rows > o->hashes)
        return RP_EINVAL;
    return RP_OK;
}

