/*
 * pool.c - a small fixed pool of threads for per-document work: reading
 * and sketching in the CLI, rebuilding shingle sets in verification,
 * the bands of LSH.
 *
 * pool_run(p, n, fn, ctx) calls fn(ctx, i) once for every i in [0, n),
 * spread over the workers and the calling thread, and returns when all
 * calls are done. pool_start and pool_wait split it in two, so that the
 * caller can prepare the next job while the workers run this one. Indexes are handed out one at a time from a shared
 * counter, so a slow document never holds up the others. Which thread ran
 * which index is not fixed, so fn must write only to slot i of its output:
 * the caller then consumes the slots in order, and the result does not
 * depend on the number of threads or on timing.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    pthread_t *tid;
    unsigned nworkers;
    unsigned long gen;       /* bumped for every job */
    int quit;
    /* the current job */
    void (*fn)(void *, size_t);
    void *ctx;
    size_t n;
    atomic_size_t next;
    unsigned busy;           /* workers still inside the job */
};

/* Runs indexes of the current job until none is left. */
static void drain(pool *p)
{
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->n)
            return;
        p->fn(p->ctx, i);
    }
}

static void *worker(void *arg)
{
    pool *p = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->gen == seen)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        drain(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

pool *pool_new(unsigned threads)
{
    pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->next, 0);
    unsigned want = threads > 1 ? threads - 1 : 0;
    p->tid = calloc(want ? want : 1, sizeof *p->tid);
    if (!p->tid) {
        pool_free(p);
        return NULL;
    }
    /* A worker that cannot be started only costs speed. */
    while (p->nworkers < want &&
           pthread_create(&p->tid[p->nworkers], NULL, worker, p) == 0)
        p->nworkers++;
    return p;
}

unsigned pool_threads(const pool *p)
{
    return p->nworkers + 1;
}

void pool_start(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    atomic_store(&p->next, 0);
    p->busy = n ? p->nworkers : 0;
    if (n)
        p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
}

void pool_wait(pool *p)
{
    if (p->n)
        drain(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->mu);
    p->n = 0;
    pthread_mutex_unlock(&p->mu);
}

void pool_run(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pool_start(p, n, fn, ctx);
    pool_wait(p);
}

void pool_free(pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nworkers; i++)
        pthread_join(p->tid[i], NULL);
    free(p->tid);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
