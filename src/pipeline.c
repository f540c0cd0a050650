/*
 * pipeline.c - the read-then-sketch pipeline that `reprint scan` and
 * `reprint index` share (rp_pipeline_run, see reprint.h).
 *
 * Inputs arrive in batches. Three things overlap: a reader thread takes
 * the next batch from the input (take, one item at a time, in order); the
 * thread pool works on the batch before it (work: reading a file,
 * sketching, on every thread at once); and the caller's thread uses the
 * batch before that one (use, in input order), then joins the pool while
 * it waits for the next. Three batches of slots rotate through the three
 * stages. The caller uses a batch as soon as it is worked on, and the
 * reader never holds a finished batch back while it waits for input, so
 * a feed with batches of one item gets each answer as its item arrives.
 *
 * Items are used in input order whatever the number of threads or the
 * timing, so the results never depend on them. With one thread, or when
 * the reader thread cannot be started, the stages run one after the
 * other on the caller's thread.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"
#include "reprint.h"

#define NBUF 3

typedef struct run run;

/* The pool's job: one batch, its slots from base on. */
typedef struct job {
    run *r;
    size_t base;
} job;

struct run {
    const rp_pipeline_steps *st;
    void *ctx;
    size_t batch;
    pool *p;
    job jobs[NBUF];
    size_t n[NBUF];          /* items taken into each buffer */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t started;          /* batches handed to the pool */
    size_t waited;           /* batches the pool has finished (pool idle
                                when waited == started) */
    size_t used;             /* batches used and released */
    int end;                 /* the reader is done: no batch after started */
    int err;                 /* take's error, or 0 */
    int stop;                /* use stopped the run */
};

/* Under the lock: counts one more in *count (if not NULL), sets *flag (if
 * not NULL), and wakes the other thread. */
static void post(run *r, size_t *count, int *flag)
{
    pthread_mutex_lock(&r->mu);
    if (count)
        (*count)++;
    if (flag)
        *flag = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void work_one(void *ctx, size_t i)
{
    const job *j = ctx;
    j->r->st->work(j->r->ctx, j->base + i);
}

static void release(const run *r, size_t base, size_t n)
{
    if (r->st->done)
        for (size_t k = 0; k < n; k++)
            r->st->done(r->ctx, base + k);
}

/* Takes up to a batch of items into buffer b. @return the number taken;
 * *more is 1 when the input may have more, else 0 (*err: take's error). */
static size_t fill(run *r, size_t b, int *more, int *err)
{
    size_t base = b * r->batch, k = 0;
    int rc = 1;
    while (k < r->batch) {
        rc = r->st->take(r->ctx, base + k, k);
        if (rc != 1)
            break;
        k++;
    }
    *more = rc == 1 || (rc == 2 && k > 0);
    *err = rc < 0 ? rc : 0;
    return k;
}

static void *reader(void *arg)
{
    run *r = arg;
    for (size_t i = 0;; i++) {
        size_t b = i % NBUF;
        pthread_mutex_lock(&r->mu);
        while (!r->stop && i - r->used >= NBUF)
            pthread_cond_wait(&r->cv, &r->mu);
        int stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        int more, err;
        size_t k = fill(r, b, &more, &err);
        pthread_mutex_lock(&r->mu);
        while (!r->stop && k && r->waited < r->started)
            pthread_cond_wait(&r->cv, &r->mu);   /* one job on the pool at a time */
        if (r->stop) {
            pthread_mutex_unlock(&r->mu);
            release(r, b * r->batch, k);
            break;
        }
        if (k) {
            r->n[b] = k;
            r->jobs[b] = (job){r, b * r->batch};
            pool_start(r->p, k, work_one, &r->jobs[b]);
            r->started++;
        }
        if (!more) {
            r->end = 1;
            r->err = err;
        }
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        if (!more)
            break;
    }
    post(r, NULL, &r->end);
    return NULL;
}

/* Uses the items base..base+n in order. @return 0, or use's nonzero value
 * (the rest of the batch is released unused). */
static int use_batch(run *r, size_t base, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        if (rc == 0)
            rc = r->st->use(r->ctx, base + k);
        if (r->st->done)
            r->st->done(r->ctx, base + k);
    }
    return rc;
}

/* The stages one after the other on this thread. */
static int run_serial(run *r)
{
    for (;;) {
        int more, err;
        size_t k = fill(r, 0, &more, &err);
        r->jobs[0] = (job){r, 0};
        pool_run(r->p, k, work_one, &r->jobs[0]);
        int rc = use_batch(r, 0, k);
        if (rc)
            return rc;
        if (!more)
            return err;
    }
}

static int run_threaded(run *r, pthread_t th)
{
    int rc = 0;
    for (size_t i = 0;; i++) {
        size_t b = i % NBUF;
        pthread_mutex_lock(&r->mu);
        while (r->started <= i && !r->end)
            pthread_cond_wait(&r->cv, &r->mu);
        int have = r->started > i;
        pthread_mutex_unlock(&r->mu);
        if (!have)
            break;
        pool_wait(r->p);   /* this thread works on the batch too */
        post(r, &r->waited, NULL);
        rc = use_batch(r, b * r->batch, r->n[b]);
        post(r, &r->used, rc ? &r->stop : NULL);
        if (rc)
            break;
    }
    pthread_join(th, NULL);
    /* after a stop: the batches the reader handed on that were not used */
    for (size_t i = r->used; i < r->started; i++) {
        if (i == r->waited) {
            pool_wait(r->p);
            r->waited++;
        }
        release(r, (i % NBUF) * r->batch, r->n[i % NBUF]);
    }
    return rc ? rc : r->err;
}

int rp_pipeline_run(unsigned threads, size_t batch, const rp_pipeline_steps *st, void *ctx)
{
    if (!st || !st->take || !st->work || !st->use || batch == 0 || threads == 0 ||
        threads > 1024)
        return RP_EINVAL;
    run r = {0};
    r.st = st;
    r.ctx = ctx;
    r.batch = batch;
    r.p = pool_new(threads);
    if (!r.p)
        return RP_ENOMEM;
    int rc;
    pthread_t th;
    if (threads > 1 && pthread_mutex_init(&r.mu, NULL) == 0) {
        if (pthread_cond_init(&r.cv, NULL) == 0) {
            if (pthread_create(&th, NULL, reader, &r) == 0)
                rc = run_threaded(&r, th);
            else
                rc = run_serial(&r);
            pthread_cond_destroy(&r.cv);
        } else {
            rc = run_serial(&r);
        }
        pthread_mutex_destroy(&r.mu);
    } else {
        rc = run_serial(&r);
    }
    pool_free(r.p);
    return rc;
}
