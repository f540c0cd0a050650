/*
 * doc.h - the inside of rp_doc, shared by the corpus and the tests, and
 * the furniture rule.
 */
#ifndef RP_DOC_H
#define RP_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "reprint.h"

/* Corpus-level furniture: a line of text that recurs in at least
 * furniture_df documents (default RP_DEFAULT_FURNITURE_DF), and in at least
 * RP_FURNITURE_RATIO times as
 * many as the document's median line or (RP_FURNITURE_MANY) own text, is page furniture (a
 * site's footer, a standard disclaimer), not story text: a wire story
 * reprinted verbatim many times has all its lines recurring alike, so its
 * own text is as common as they are and none of them stands out. */
#define RP_FURNITURE_RATIO 4
/* ... or, for a line found in at least RP_FURNITURE_MANY documents, than
 * the line at this share of the document's words, counted from its rarest
 * line up: the frequency of the document's own text, so that a footer
 * longer than the article stands out too (see drop_furniture in doc.c). */
#define RP_FURNITURE_OWN 0.25
#define RP_FURNITURE_MANY 50

/* @return how many documents of the corpus hold the line with this hash
 * (exact, saturating at 255; lines sharing the top 56 bits of their hash
 * count together). */
typedef unsigned (*rp_line_df_fn)(const void *ctx, uint64_t line);

struct rp_doc {
    uint64_t *sh;     /* sorted, repeat-free shingle hashes; NULL in a
                         sketch (rp_doc_sketch) */
    size_t n;         /* number of shingles */
    size_t words;     /* number of tokens */
    uint32_t *sig;    /* MinHash signature, K values */
    unsigned K;
    uint64_t *lines;  /* sorted, repeat-free hashes of the text's lines */
    size_t nlines;
    uint64_t digest;  /* of the token stream, before furniture removal */
    size_t dropped;   /* lines dropped as corpus-level furniture */
    uint8_t *kept;    /* the ranges the cleaner fed the tokenizer, as
                         rp_tokenizer_replay() takes them, or NULL */
    size_t nkept;
    int packed;       /* lines and sig lie in d's own block (build), not
                         in blocks of their own */
};

/* rp_doc_new, and when df is given, tokens of the lines that df shows to
 * be corpus-level furniture are left out before shingling. */
rp_doc *rp_doc_build(const char *text, size_t len, const rp_options *o,
                     rp_line_df_fn df, const void *df_ctx, int *err);

/* rp_doc_build without df, keeping no shingle set (sh NULL; n still
 * counts the shingles): what a corpus that reads its texts again to
 * verify keeps of a document, without the sort of its set. */
rp_doc *rp_doc_sketch(const char *text, size_t len, const rp_options *o, int *err);

/* rp_doc_build from the ranges kept[0..nkept) that d->kept of an earlier
 * build of the same text recorded: the same document, without cleaning
 * the text again, and without its signature (sig NULL, K 0): a rebuilt
 * document is compared exactly, by its set. */
rp_doc *rp_doc_rebuild(const char *text, size_t len, const rp_options *o,
                       rp_line_df_fn df, const void *df_ctx,
                       const uint8_t *kept, size_t nkept, int *err);

/* Fills s from the set sizes and their intersection, under the rule. */
void rp_sim_from_counts(size_t na, size_t nb, size_t shared,
                        const rp_options *o, rp_sim *s);

/* rp_doc_compare for verification, which keeps only similar pairs: the
 * same *out when a and b are similar; else out->similar is 0 and the
 * other figures may fall short (the intersection stops once the rest of
 * the sets cannot make the pair similar). */
void rp_doc_verify(const rp_doc *a, const rp_doc *b, const rp_options *o, rp_sim *out);

#endif
