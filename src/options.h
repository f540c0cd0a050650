/*
 * options.h - the inside of rp_options, which the library reads directly
 * (the header keeps it opaque, so that settings can be added without
 * breaking the ABI), and the measured defaults.
 */
#ifndef RP_OPTIONS_H
#define RP_OPTIONS_H

#include "reprint.h"

/* Defaults: see docs/accuracy.md for the sweep that chose them. */
#define RP_DEFAULT_SHINGLE 3
#define RP_DEFAULT_HASHES 256
#define RP_DEFAULT_THRESHOLD 0.5
#define RP_DEFAULT_MIN_SHARED 8
#define RP_DEFAULT_LSH_THRESHOLD 0.1
/* Furniture: lines found in at least this many documents (see doc.h). */
#define RP_DEFAULT_FURNITURE_DF 5

/* One field per rp_option; see include/reprint.h for their meaning. */
struct rp_options {
    unsigned shingle;
    unsigned hashes;
    double threshold;
    double lsh_threshold;
    unsigned bands, rows;
    unsigned min_shared;
    int keep_boilerplate;
    unsigned furniture_df;
    int exhaustive;
};

/* Fills *o with the defaults: the value behind rp_options_new(), for the
 * library's own copies (and the unit tests) that live inside other
 * objects or on the stack. */
void rp_options_init(rp_options *o);

#endif
