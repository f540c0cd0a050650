/*
 * threadbuf.h - blocks of zeroed memory kept by each thread: made on the
 * thread's first use, freed when the thread ends.
 */
#ifndef RP_THREADBUF_H
#define RP_THREADBUF_H

#include <stddef.h>

/* The blocks there are, one of each a thread. */
enum {
    RP_TB_WORD_CACHE,   /* normalize.c: normalized words by their bytes */
    RP_TB_SKETCH,       /* shingle.c: the table of a document's shingles */
    RP_TB_COUNT
};

/* @return the calling thread's block `which`, at least size bytes: the
 * block kept from before when it is large enough, else a new zeroed one
 * (what the old one held is gone). Pages are mapped on first touch, so
 * a thread pays only for what it uses. NULL when out of memory. */
void *rp_threadbuf(unsigned which, size_t size);

#endif
