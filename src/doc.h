/*
 * doc.h - the inside of rp_doc, shared by the corpus and the tests, and
 * the measured defaults of the options.
 */
#ifndef RP_DOC_H
#define RP_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

/* Defaults: see README, "Accuracy", for the sweep that chose them. */
#define RP_DEFAULT_SHINGLE 5
#define RP_DEFAULT_HASHES 256
#define RP_DEFAULT_THRESHOLD 0.5
#define RP_DEFAULT_MIN_SHARED 8
#define RP_DEFAULT_LSH_THRESHOLD 0.1

struct rp_doc {
    uint64_t *sh;     /* sorted, repeat-free shingle hashes */
    size_t n;         /* number of shingles */
    size_t words;     /* number of tokens */
    uint32_t *sig;    /* MinHash signature, K values */
    unsigned K;
};

/* Fills s from the set sizes and their intersection, under the rule. */
void rp_sim_from_counts(size_t na, size_t nb, size_t shared,
                        const rp_options *o, rp_sim *s);

#endif
