/*
 * pool.h - a fixed pool of threads that runs a function over an index
 * range (see pool.c).
 */
#ifndef RP_POOL_H
#define RP_POOL_H

#include <stddef.h>

typedef struct pool pool;

/* Starts threads - 1 workers (the caller of pool_run is the last one).
 * Workers that cannot be started are done without.
 * @return the pool, or NULL when out of memory. Free with pool_free. */
pool *pool_new(unsigned threads);

/* @return the number of threads that run a job, the caller included. */
unsigned pool_threads(const pool *p);

/* Calls fn(ctx, i) for every i in [0, n) on the pool's threads and the
 * caller's, and returns when every call has returned. fn must be safe to
 * run concurrently for different i. */
void pool_run(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

/* pool_run in two halves: pool_start hands the job to the workers and
 * returns at once; pool_wait makes the caller a worker too until every
 * call of the job has returned. One job at a time: each pool_start needs
 * its pool_wait before the next. */
void pool_start(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);
void pool_wait(pool *p);

/* Stops and joins the workers. NULL is a no-op. */
void pool_free(pool *p);

#endif
