/*
 * distrec.h - the records of `reprint dist`'s cluster files (cluster.I):
 * one cluster to show, or one verified pair, with the ids and field values
 * it prints, written by the cluster tasks and read back by the output.
 * Kept apart from distout.c so that the reader is fuzzed on its own
 * (tests/fuzz/fuzz_distrec.c).
 *
 * A cluster record, all integers u64 little-endian as written by this
 * machine: its smallest document (global number), n members, nrel
 * related; per entry (members, the representative first, then related)
 * jaccard, containment, score and holds (doubles), the member a related
 * entry matches (its index, or ~0), the length of its id and of its field
 * values (each with its NULs; 0: none), then the id and the values. A
 * pair record: a, b (global), jaccard, containment ab and ba, score
 * (doubles), shared words, the lengths of the ids and values of a and b,
 * then those four.
 */
#ifndef RP_CLI_DISTREC_H
#define RP_CLI_DISTREC_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"
#include "scan.h"

/* Appends to section sec of w (whose length *len grows with it) the
 * record of cluster cl whose smallest document is lo; mlen[j]: the bytes
 * of cl->meta[j] (0 without). @return 0, or -1 out of memory. */
int distrec_put_cluster(rp_stage_w *w, unsigned sec, size_t *len, uint64_t lo,
                        const scan_cluster *cl, const uint64_t *mlen);

/* Appends the record of pair (a, b) with its ids, figures and field
 * values (ma: fa bytes, mb: fb bytes). @return 0, or -1 out of memory. */
int distrec_put_pair(rp_stage_w *w, unsigned sec, size_t *len, uint64_t a, uint64_t b,
                     const char *ida, const char *idb, const rp_sim *s, const char *ma,
                     uint64_t fa, const char *mb, uint64_t fb);

/* Room for the entries of a decoded cluster; zero it first, free with
 * distrec_buf_free. */
typedef struct distrec_buf {
    rp_index_member *m;
    const char **meta;
    size_t cap, mcap;
} distrec_buf;
void distrec_buf_free(distrec_buf *b);

/* Decodes the cluster record p[0..len) into *out (borrowing p and b),
 * each field value string holding nfields NUL-ended values.
 * @return 0, -1 when it is not a whole record, -2 out of memory. */
int distrec_cluster(const uint8_t *p, size_t len, size_t nfields, distrec_buf *b,
                    scan_cluster *out);

/* Decodes the pair record p[0..len) (strings borrowed from p).
 * @return 0, or -1 when it is not a whole record. */
int distrec_pair(const uint8_t *p, size_t len, size_t nfields, const char **a, const char **b,
                 rp_sim *s, const char **ma, const char **mb);

/* The sort keys of record p[0..len): a cluster's smallest document (*k0),
 * its size (*k1) and its representative's id (*id; "" when the record is
 * cut), or a pair's a and b. */
void distrec_key(const uint8_t *p, size_t len, int pairs, uint64_t *k0, uint64_t *k1,
                 const char **id);

#endif
