/*
 * cluster.h - grouping verified pairs into clusters with representatives.
 */
#ifndef RP_CLUSTER_H
#define RP_CLUSTER_H

#include <stddef.h>

#include "reprint.h"

/* Exact comparison of documents a and b, for pairs LSH did not propose.
 * @return RP_OK or a negative RP_E* code. */
typedef int (*rp_compare_fn)(void *ctx, size_t a, size_t b, rp_sim *out);

typedef struct rp_clustering {
    size_t n;          /* clusters */
    size_t *start;     /* n + 1 offsets into members */
    rp_member *members;
    size_t *rstart;    /* n + 1 offsets into related */
    rp_member *related;/* per cluster, the documents of other clusters
                          with a verified pair with one of its members,
                          in document order (partner: that member) */
} rp_clustering;

/* Clusters ndocs documents from the verified pairs (sorted by (a, b)).
 * cmp is called for member pairs that are not in pairs.
 * @return RP_OK, RP_ENOMEM, or an error from cmp. */
int rp_cluster_build(size_t ndocs, const rp_pair *pairs, size_t npairs,
                     rp_compare_fn cmp, void *ctx, const rp_options *o,
                     rp_clustering *out);

void rp_clustering_free(rp_clustering *c);

#endif
