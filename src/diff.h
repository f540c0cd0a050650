/*
 * diff.h - the inside of rp_diff_texts(): the paragraph map, exposed for
 * the unit tests. The public face is the Diff section of reprint.h.
 */
#ifndef RP_DIFF_H
#define RP_DIFF_H

#include <stddef.h>

#include "reprint.h"

/* Share of a paragraph's words that makes it "mostly" in another one. */
#define RP_PARA_MOST 0.9

/* Builds the paragraph map of two texts from their shared runs s[0..ns)
 * (as rp_diff_spans() gives them for na tokens of A and nb of B) and their
 * paragraphs (as rp_paragraphs() gives them, comments already set). Sets
 * the shared count of every paragraph.
 * @param out receives a malloc'd array the caller frees with free(); NULL
 *            when there is nothing to map.
 * @return RP_OK or RP_ENOMEM. */
int rp_para_map(const rp_span *s, size_t ns,
                rp_para *pa, size_t npa, size_t na,
                rp_para *pb, size_t npb, size_t nb,
                rp_para_link **out, size_t *nout);

#endif
