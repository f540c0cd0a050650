/*
 * threadbuf.c - blocks of zeroed memory kept by each thread.
 *
 * The tokenizer's word cache (2 MiB) and the shingle table of a sketch
 * (up to 256 KiB) live as long as a thread and are reused from document
 * to document. As `_Thread_local` arrays glibc would clear them for
 * every thread it starts, the reader and the LSH threads included, which
 * never use them: 576 page faults and 2.3 MB of `memset` a thread. Here
 * a block is mapped on the thread's first call, its pages zeroed by the
 * kernel as they are touched, and unmapped by a key destructor when the
 * thread ends (the main thread's stay until the process exits).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include "threadbuf.h"

#include <pthread.h>
#include <sys/mman.h>
#include "util.h"

typedef struct block {
    void *p;
    size_t size;
} block;

static _Thread_local block blocks[RP_TB_COUNT];
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_made;

static void release(void *arg)
{
    block *b = arg;
    for (unsigned i = 0; i < RP_TB_COUNT; i++) {
        if (b[i].p)
            munmap(b[i].p, b[i].size);
        b[i].p = NULL;
        b[i].size = 0;
    }
}

static void make_key(void)
{
    key_made = pthread_key_create(&key, release) == 0;
}

void *rp_threadbuf(unsigned which, size_t size)
{
    if (which >= RP_TB_COUNT || size == 0)
        return NULL;
    block *b = &blocks[which];
    if (b->size >= size)
        return b->p;
    pthread_once(&key_once, make_key);
    if (!key_made)
        return NULL;
    void *p = rp_map_huge(size);   /* the word cache: one fault, not 512 */
    if (!p)
        return NULL;
    if (pthread_setspecific(key, blocks) != 0) {
        munmap(p, size);
        return NULL;
    }
    if (b->p)
        munmap(b->p, b->size);
    b->p = p;
    b->size = size;
    return p;
}
