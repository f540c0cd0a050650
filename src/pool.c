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
 *
 * The threads are started by pool_thread_start (also the pipeline's
 * reader) on stacks mapped here, whose top 2 MiB, where the C library
 * puts and clears a thread's static thread-local storage, is one huge
 * page. That saved 512 faults a thread while the normalizer's word cache
 * was thread-local; it is now a threadbuf block (mapped in huge pages on
 * first use), and what is left of thread-local storage is small, so on
 * the bench corpus these stacks and the C library's own now measure the
 * same (docs/performance.md).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "pool.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util.h"

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    pool_thread *tid;
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

/* The stack of a thread started here: the C library's default size (the
 * stack limit, 8 MiB on Debian), of which the thread-local storage takes
 * its share at the top as in the C library's own stacks, and a guard page
 * at the bottom. */
static size_t stack_size(void)
{
    pthread_attr_t a;
    size_t n = 0;
    if (pthread_attr_init(&a) == 0) {
        if (pthread_attr_getstacksize(&a, &n) != 0)
            n = 0;
        pthread_attr_destroy(&a);
    }
    if (n < 2 * RP_HUGE_PAGE + (size_t)PTHREAD_STACK_MIN)
        n = 2 * RP_HUGE_PAGE + (size_t)PTHREAD_STACK_MIN;
    return (n + RP_HUGE_PAGE - 1) & ~(RP_HUGE_PAGE - 1);
}

int pool_thread_start(pool_thread *t, void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    t->stack = NULL;
    t->size = 0;
    size_t n = stack_size();
    char *m = rp_map_huge(n);
    if (m && pthread_attr_init(&a) == 0) {
        /* only the top huge page, where the thread-local storage goes:
         * the stack below it grows a small page at a time as before */
#ifdef MADV_NOHUGEPAGE
        madvise(m, n - RP_HUGE_PAGE, MADV_NOHUGEPAGE);
#endif
        mprotect(m, 4096, PROT_NONE);   /* the guard page */
        int rc = pthread_attr_setstack(&a, m + 4096, n - 4096);
        if (rc == 0)
            rc = pthread_create(&t->tid, &a, fn, arg);
        pthread_attr_destroy(&a);
        if (rc == 0) {
            t->stack = m;
            t->size = n;
            return 0;
        }
    }
    if (m)
        munmap(m, n);
    return pthread_create(&t->tid, NULL, fn, arg);
}

void pool_thread_join(pool_thread *t)
{
    pthread_join(t->tid, NULL);
    if (t->stack)
        munmap(t->stack, t->size);
    t->stack = NULL;
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
           pool_thread_start(&p->tid[p->nworkers], worker, p) == 0)
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
        pool_thread_join(&p->tid[i]);
    free(p->tid);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
