/*
 * corpus.h - the steps of rp_corpus_run one at a time, for `reprint dist`,
 * which runs them as separate jobs over shards of a corpus: the screen of
 * a candidate pair, entries added from their stored sketch, line document
 * frequencies read from the caller, verification of a given list of candidates
 * and clustering of given verified pairs. Each is the code rp_corpus_run
 * itself runs, so the staged run gives the same answer.
 */
#ifndef RP_CORPUS_H
#define RP_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

/* The screen of rp_corpus_run (see corpus.c): could two documents with
 * these K 16-bit MinHash values and these set sizes reach threshold?
 * @return nonzero when the pair must be verified. */
int rp_screen_values(const uint16_t *x, const uint16_t *y, unsigned K,
                     uint32_t nsa, uint32_t nsb, double threshold);

/* Adds a document to a corpus in compact mode (a loader is set) from its
 * stored sketch: set size and digest. id may be NULL (no id check: the
 * caller numbers documents itself). @return RP_OK, RP_EDUPID, RP_ENOMEM,
 * RP_ESTATE (no loader, or after a run). */
int rp_corpus_add_entry(rp_corpus *c, const char *id, uint32_t nsh, uint64_t digest);

/* Makes verification read line document frequencies from fn(ctx, line)
 * (borrowed until the corpus is freed) instead of counting the documents
 * added: fn must give the count the corpus would have (exact, saturating
 * at 255, lines keyed by their top 56 bits), so that verification drops
 * the same furniture. Compact mode, before any document is added.
 * @return RP_OK, RP_ESTATE. */
int rp_corpus_set_df(rp_corpus *c, unsigned (*fn)(const void *ctx, uint64_t line),
                     const void *ctx);

/* @return the line document frequency the corpus's furniture rule reads
 * for this line hash (compact mode): exact, saturating at 255. */
unsigned rp_corpus_df(const rp_corpus *c, uint64_t line);

/* Verifies the candidates cand[0..nc) (a << 32 | b, a < b, sorted) as
 * rp_corpus_run does; the similar ones are then rp_corpus_pair(c, ...),
 * in the order of cand. Ends the corpus's run. @return RP_OK, RP_ENOMEM,
 * RP_ESTATE. */
int rp_corpus_verify_pairs(rp_corpus *c, const uint64_t *cand, size_t nc);

/* Clusters the corpus from the verified pairs (sorted by (a, b); the
 * corpus takes them, malloc'd, in every case) as rp_corpus_run does.
 * Ends the corpus's run. @return RP_OK, RP_ENOMEM, RP_ESTATE. */
int rp_corpus_cluster_pairs(rp_corpus *c, rp_pair *pairs, size_t np);

#endif
