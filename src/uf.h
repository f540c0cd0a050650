/*
 * uf.h - union-find (disjoint sets) over the elements 0..n-1, in an array
 * the caller owns. The clustering (cluster.c) and the ordering of
 * candidates by component (corpus.c) both need it, so it is written once.
 *
 * A union hangs the larger root under the smaller, so every set's root is
 * its smallest element: callers rely on that to list components in order
 * of their smallest member, the same whatever order the unions come in.
 */
#ifndef RP_UF_H
#define RP_UF_H

#include <stddef.h>

/* Makes each of parent[0..n) a set of its own. */
void rp_uf_init(size_t *parent, size_t n);

/* @return the root of x's set: its smallest element. Halves the path it
 * walks, so later finds are shorter. */
size_t rp_uf_find(size_t *parent, size_t x);

/* Joins the sets of a and b (nothing when they are one already).
 * @return the root of the joined set. */
size_t rp_uf_union(size_t *parent, size_t a, size_t b);

#endif
