/*
 * uf.c - union-find with path halving whose roots are the sets' smallest
 * elements (see uf.h).
 */
#include "uf.h"

void rp_uf_init(size_t *parent, size_t n)
{
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
}

size_t rp_uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

size_t rp_uf_union(size_t *parent, size_t a, size_t b)
{
    size_t x = rp_uf_find(parent, a), y = rp_uf_find(parent, b);
    if (x < y)
        parent[y] = x;
    else if (y < x)
        parent[x] = y;
    return x < y ? x : y;
}
