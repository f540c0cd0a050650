/*
 * reprint.h - public API of libreprint, a near-duplicate detector for news
 * articles.
 *
 * The library turns article text into word shingles, sketches each article
 * with a one-permutation MinHash signature, finds candidate pairs with LSH
 * banding, verifies every candidate exactly against the two shingle sets and
 * groups the verified pairs into clusters with a representative.
 *
 * It knows nothing of argv, stdout or exit codes: every function returns a
 * value or an RP_E* code (negative), and rp_strerror() gives its text.
 * Types are opaque; each _new has a matching _free that accepts NULL. The
 * results of rp_diff_texts() are plain structs the caller owns.
 * Nothing here is thread-safe on a shared object, but rp_doc_new() may run
 * concurrently on different inputs with the same options.
 */
#ifndef REPRINT_H
#define REPRINT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version: set here and nowhere else (the Makefile, reprint.pc and the
 * Debian changelog check read these three lines). The SONAME follows MAJOR:
 * libreprint.so.MAJOR. */
#define RP_VERSION_MAJOR 0
#define RP_VERSION_MINOR 1
#define RP_VERSION_PATCH 0
#define RP_VERSION_NUMBER \
    (RP_VERSION_MAJOR * 10000 + RP_VERSION_MINOR * 100 + RP_VERSION_PATCH)
#define RP_STR_(x) #x
#define RP_XSTR_(x) RP_STR_(x)
#define RP_VERSION_STRING RP_XSTR_(RP_VERSION_MAJOR) "." \
    RP_XSTR_(RP_VERSION_MINOR) "." RP_XSTR_(RP_VERSION_PATCH)

/* RP_API marks what the shared library exports; the library is built with
 * -fvisibility=hidden, so everything else in it stays private. */
#ifndef RP_API
#if defined(__GNUC__) && __GNUC__ >= 4
#define RP_API __attribute__((visibility("default")))
#else
#define RP_API
#endif
#endif

/* Error model. Every call that can fail returns an int: RP_OK (0) or one
 * of the negative codes below, which rp_strerror() describes, and gives
 * its result through an out-parameter (set to NULL or 0 on failure).
 * Calls that cannot fail (accessors of a valid object, the _free calls,
 * which accept NULL) return their value directly. */
enum {
    RP_OK = 0,
    RP_ENOMEM = -1,    /* out of memory */
    RP_EINVAL = -2,    /* invalid argument or option */
    RP_ENOWORDS = -3,  /* the text has no words */
    RP_EDUPID = -4,    /* a document with this id was already added */
    RP_ETOOBIG = -5,   /* the text is larger than the library accepts */
    RP_ESTATE = -6,    /* call out of order (e.g. add after run) */
    RP_ELOAD = -7,     /* the document loader failed to give a text back */
    RP_EBINARY = -8,   /* the bytes look binary (a NUL in the first 8 KiB) */
    RP_EDB = -9,       /* the index database failed (rp_index_errmsg says how) */
    RP_EFORMAT = -10,  /* the file is not a reprint index, or its format is
                          newer than this library reads */
    RP_EINCOMPAT = -11,/* the index was built with other options */
    RP_EBUSY = -12,    /* the index is locked by another writer */
    RP_EREADONLY = -13,/* the index cannot be written */
    RP_EFULL = -14,    /* the disk is full */
    RP_ENOTFOUND = -15 /* no document with this id */
};

/* @return a static, lowercase description of an RP_E* code. */
RP_API const char *rp_strerror(int code);

/* @return the library version, "MAJOR.MINOR.PATCH" (static). */
RP_API const char *rp_version(void);

/* @return the version of the library that runs, as a number:
 * MAJOR * 10000 + MINOR * 100 + PATCH (compare with RP_VERSION_NUMBER, the
 * version the caller was compiled against). */
RP_API unsigned rp_version_number(void);

/* Version of the text normalization (cleaner, tokenizer, shingles). It
 * changes whenever the same text may give other shingles; an index built
 * under another version must be rebuilt. */
#define RP_NORMALIZER_VERSION 2

/* Largest text rp_doc_new() accepts, in bytes (offsets are 32-bit). */
#define RP_MAX_TEXT ((size_t)0xFFFFFFF0u)

/* -------------------------------------------------------------------------
 * Text preparation: the bytes of a file or record to UTF-8 article text
 * ---------------------------------------------------------------------- */

/* Encodings rp_text_encoding() tells apart. */
typedef enum rp_encoding {
    RP_ENC_UTF8 = 0,   /* UTF-8 (or ASCII), no byte order mark */
    RP_ENC_UTF8_BOM,   /* UTF-8 starting with the mark EF BB BF */
    RP_ENC_UTF16LE,    /* UTF-16 little-endian, starting with FF FE */
    RP_ENC_UTF16BE,    /* UTF-16 big-endian, starting with FE FF */
    RP_ENC_CP1252      /* not UTF-8: read as Windows-1252 (Latin-1 plus
                          printable characters in 0x80-0x9F) */
} rp_encoding;

/* Guesses the encoding of in[0..len). A byte order mark decides. Without
 * one the text is UTF-8 unless it has invalid sequences and fewer valid
 * multi-byte sequences than invalid bytes; then it is Windows-1252 (old
 * archives are Latin-1 or Windows-1252, and their accented letters almost
 * never form valid UTF-8 by chance). UTF-16 needs its mark.
 * @return the encoding; never fails. */
RP_API rp_encoding rp_text_encoding(const char *in, size_t len);

/* @return a static name for e: "utf-8", "utf-8 with bom", "utf-16le",
 * "utf-16be" or "windows-1252". */
RP_API const char *rp_encoding_name(rp_encoding e);

/* Flags of rp_text_prepare(). */
#define RP_TEXT_HTML 1u        /* the input is HTML: keep only its text */
#define RP_TEXT_SNIFF_HTML 2u  /* HTML when it starts (after white space)
                                  with "<!doctype html" or "<html" */

/* Turns the bytes of one article into UTF-8 text for rp_doc_new(): the
 * encoding is detected as by rp_text_encoding() and converted (a UTF-8
 * mark is dropped; UTF-16 and Windows-1252 become UTF-8), then HTML (see
 * the flags) is reduced to its text by rp_html_text(). Input with a NUL
 * byte in its first 8 KiB (after UTF-16 decoding) is refused as binary.
 * Safe to call from several threads at once.
 * @param out     receives a malloc'd, NUL-terminated text the caller
 *                frees with free(); NULL on failure. It may be empty.
 * @param outlen  receives its length in bytes (without the NUL).
 * @return RP_OK, RP_EBINARY, RP_ENOMEM, or RP_ETOOBIG (len > RP_MAX_TEXT,
 *         or HTML larger than 2 GiB). */
RP_API int rp_text_prepare(const char *in, size_t len, unsigned flags, char **out,
                    size_t *outlen);

/* As rp_text_prepare(), taking over buf: malloc'd, holding the len bytes
 * of one article and room for at least one byte more. Text that needs no
 * conversion (UTF-8, not HTML) is not copied: *out is then buf itself,
 * NUL-terminated (a UTF-8 mark moved out in place). In every other case,
 * failures included, buf is freed before the call returns. */
RP_API int rp_text_prepare_buf(char *buf, size_t len, unsigned flags, char **out,
                               size_t *outlen);

/* Extracts the text of an HTML document given in UTF-8 (any bytes are
 * accepted; one pass recovers from every error as HTML parsers do, in
 * time linear in len, at any depth of nesting, never touching the
 * network; the text is at most len + 1 bytes). The contents of head, script, style, noscript,
 * template, nav, header, footer, aside, form, iframe, svg, button, select
 * and textarea are dropped. Block elements (p, div, h1-h6, article,
 * section, blockquote, ul, table, ...) end a paragraph (a blank line);
 * br, li, tr, dt and dd end a line; other white space collapses to one
 * space except inside pre. Entities are decoded.
 * @param out, outlen  as for rp_text_prepare(); the caller frees *out.
 * @return RP_OK, RP_ENOMEM or RP_ETOOBIG (len > INT_MAX). */
RP_API int rp_html_text(const char *html, size_t len, char **out, size_t *outlen);

/* -------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------- */

/* The settings of the rule, as an opaque object (so that settings can be
 * added without changing the ABI): create it with rp_options_new(), which
 * fills in the measured defaults (docs/accuracy.md), change what you need
 * with rp_options_set(), and hand it to rp_doc_new(), rp_corpus_new() or
 * rp_index_open(), which copy what they need. */
typedef struct rp_options rp_options;

typedef enum rp_option {
    RP_OPT_SHINGLE = 1,       /* words per shingle (k), 1..16; default 3 */
    RP_OPT_HASHES,            /* MinHash signature length (K), 16..1024;
                                 default 256 */
    RP_OPT_THRESHOLD,         /* score at or above which two texts are
                                 reprints, 0..1; default 0.5 */
    RP_OPT_LSH_THRESHOLD,     /* Jaccard the LSH bands aim at, 0..1
                                 (exclusive); 0 = derived (default) */
    RP_OPT_BANDS,             /* LSH shape: bands and rows, 0..1024 each;   */
    RP_OPT_ROWS,              /* both 0 (default) = chosen from the LSH
                                 threshold; else bands * rows <= hashes */
    RP_OPT_MIN_SHARED,        /* fewest shared shingles for a verified pair,
                                 0..2^32-1; default 8 */
    RP_OPT_KEEP_BOILERPLATE,  /* 1: do not strip markup and furniture; 0
                                 (default): strip them */
    RP_OPT_FURNITURE_DF,      /* a line found in at least this many documents
                                 of a corpus (and standing out from the
                                 document's own lines, see docs/how-it-works.md)
                                 is furniture; 0 = off; default 5. Needs a
                                 loader (rp_corpus_set_loader) */
    RP_OPT_EXHAUSTIVE         /* 1: compare every pair, no LSH (slow;
                                 measures what LSH misses); default 0 */
} rp_option;

/* Creates options holding the defaults.
 * @return RP_OK or RP_ENOMEM (then *out is NULL). Free with
 *         rp_options_free(). */
RP_API int rp_options_new(rp_options **out);
/* Copies src into a new object. @return RP_OK, RP_EINVAL or RP_ENOMEM. */
RP_API int rp_options_copy(const rp_options *src, rp_options **out);
RP_API void rp_options_free(rp_options *o);

/* Sets one option. Whole-number options take whole numbers.
 * @return RP_OK, or RP_EINVAL (and o unchanged) when opt is unknown or
 *         value out of its range. Settings that depend on each other
 *         (bands, rows and hashes) are checked by rp_options_check(). */
RP_API int rp_options_set(rp_options *o, rp_option opt, double value);

/* Reads one option. @return RP_OK, or RP_EINVAL when opt is unknown. */
RP_API int rp_options_get(const rp_options *o, rp_option opt, double *value);

/* @return RP_OK when *o is usable as a whole, RP_EINVAL otherwise. */
RP_API int rp_options_check(const rp_options *o);

/* Chooses LSH bands (*b) and rows (*r) with b*r <= hashes that minimise the
 * equally weighted integrals of false positives below and false negatives
 * above threshold t on the S-curve 1-(1-s^r)^b.
 * @return RP_OK, or RP_EINVAL when hashes or t is out of range. */
RP_API int rp_lsh_params(unsigned hashes, double t, unsigned *b, unsigned *r);

/* -------------------------------------------------------------------------
 * Tokens: the normalized word stream of one text
 * ---------------------------------------------------------------------- */

/* One normalized word (or character bigram in scripts written without
 * spaces). start/end are byte offsets of the word in the original text. */
typedef struct rp_token {
    uint64_t hash;     /* XXH3-64 of the normalized word's UTF-8 */
    uint32_t start;
    uint32_t end;
} rp_token;

/* Tokenizes text (any bytes; invalid UTF-8 is read as U+FFFD).
 * When clean is nonzero, markup and page furniture are skipped first.
 * @param out  receives a malloc'd array the caller frees with free();
 *             NULL when there are no tokens.
 * @param n    receives the number of tokens.
 * @return RP_OK, RP_ENOMEM or RP_ETOOBIG. */
RP_API int rp_tokenize(const char *text, size_t len, int clean,
                rp_token **out, size_t *n);

/* Finds where the cleaner sees a trailing reader-comment thread in text
 * (the rule rp_tokenize() uses with clean set to cut it off), whether or
 * not the text is then cleaned.
 * @param start receives the byte offset of the thread's first line, or
 *              len when the text has no comment thread.
 * @return RP_OK, RP_ENOMEM or RP_ETOOBIG. */
RP_API int rp_clean_thread(const char *text, size_t len, size_t *start);

/* -------------------------------------------------------------------------
 * Documents: the shingle set and signature of one text
 * ---------------------------------------------------------------------- */

typedef struct rp_doc rp_doc;

/* Builds the shingle set and MinHash signature of text under options o
 * (NULL: defaults).
 * @param out receives a document the caller frees with rp_doc_free(), or
 *            NULL on failure.
 * @return RP_OK, RP_ENOMEM, RP_ENOWORDS (no words), RP_ETOOBIG or
 *         RP_EINVAL. */
RP_API int rp_doc_new(const char *text, size_t len, const rp_options *o,
                      rp_doc **out);
RP_API void rp_doc_free(rp_doc *d);

/* @return the number of distinct shingles in d. */
RP_API size_t rp_doc_shingles(const rp_doc *d);
/* @return the number of words (tokens) in d. */
RP_API size_t rp_doc_words(const rp_doc *d);

/* Exact similarity of two shingle sets, and the decision of the rule. */
typedef struct rp_sim {
    double jaccard;        /* |A&B| / |A|B| */
    double containment_ab; /* |A&B| / |A|: how much of A is in B */
    double containment_ba; /* |A&B| / |B| */
    double score;          /* the similarity the rule decides on */
    size_t shared;         /* |A&B| */
    int similar;           /* nonzero: score >= threshold (a reprint) */
} rp_sim;

/* Compares a and b exactly under the rule of options o. */
RP_API void rp_doc_compare(const rp_doc *a, const rp_doc *b, const rp_options *o,
                    rp_sim *out);

/* Estimates Jaccard from the two MinHash signatures alone. */
RP_API double rp_doc_estimate(const rp_doc *a, const rp_doc *b);

/* -------------------------------------------------------------------------
 * Corpus: many documents, their verified pairs and clusters
 * ---------------------------------------------------------------------- */

typedef struct rp_corpus rp_corpus;

/* Creates an empty corpus using a copy of o (NULL: defaults).
 * @param out receives the corpus (free it with rp_corpus_free), or NULL.
 * @return RP_OK, RP_EINVAL (o is not usable) or RP_ENOMEM. */
RP_API int rp_corpus_new(const rp_options *o, rp_corpus **out);
RP_API void rp_corpus_free(rp_corpus *c);

/* Adds a document under id (copied). The corpus takes ownership of d in
 * every case, also on failure.
 * @param index receives the document's index (0, 1, ... in the order of
 *              the calls) when not NULL.
 * @return RP_OK, RP_EDUPID, RP_ENOMEM, RP_EINVAL or RP_ESTATE (after
 *         rp_corpus_run). */
RP_API int rp_corpus_add(rp_corpus *c, const char *id, rp_doc *d,
                         size_t *index);

/* rp_doc_new for a document that will be added to c and to nothing else
 * (same options as c). When c reads its texts again to verify
 * (rp_corpus_set_loader), the document is a sketch: it keeps no shingle
 * set, which saves sorting it; a sketch compares as sharing nothing with
 * any document, and a corpus without a loader refuses it. Safe to call
 * on several threads at once, as long as nothing changes c meanwhile.
 * @return as rp_doc_new. */
RP_API int rp_corpus_doc_new(const rp_corpus *c, const char *text, size_t len,
                             rp_doc **out);

/* Gives back the text of document doc (its index) for verification: the
 * same bytes that were sketched for it. On success sets *text to a
 * malloc'd buffer, which the corpus frees, and *len, and returns RP_OK;
 * otherwise returns a negative code (RP_ELOAD, RP_ENOMEM). */
typedef int (*rp_load_fn)(void *ctx, size_t doc, char **text, size_t *len);

/* Puts the corpus in compact mode: from now on rp_corpus_add keeps only a
 * document's LSH band keys, set sizes and digest (about 4 * bands + 48
 * bytes and its id) and frees the rest, and rp_corpus_run calls fn to
 * rebuild the shingle sets of candidate documents when it verifies them.
 * fn is called from rp_corpus_run's thread, or with rp_corpus_set_threads
 * from several threads at once for different documents, so it must then
 * be thread-safe. Results are the same as without a loader.
 * @return RP_OK, or RP_ESTATE when documents were already added. */
RP_API int rp_corpus_set_loader(rp_corpus *c, rp_load_fn fn, void *ctx);

/* Tells the corpus that about n documents are coming (optional: a hint;
 * the corpus still grows past it, and the results never depend on it).
 * Their arrays are then sized once instead of doubling into new memory,
 * and in compact mode, once the first documents are in, the line table
 * is sized for the lines that many documents would hold at the same rate
 * (at most 32 a document), instead of growing there by halves through
 * copies. The memory that n reserves is only used as
 * documents arrive.
 * @return RP_OK, RP_ENOMEM, or RP_ESTATE after rp_corpus_run. */
RP_API int rp_corpus_reserve(rp_corpus *c, size_t n);

/* Lets rp_corpus_run rebuild documents for verification on n threads
 * (compact mode; default 1). The result does not depend on n.
 * @return RP_OK, or RP_EINVAL when n is 0 or over 256. */
RP_API int rp_corpus_set_threads(rp_corpus *c, unsigned n);

/* Finds candidates with LSH, verifies them and clusters the documents.
 * @return RP_OK or RP_ENOMEM. */
RP_API int rp_corpus_run(rp_corpus *c);

/* The most documents one LSH bucket pairs with each other: a larger
 * bucket of near-identical documents still clusters them all, but lists
 * only some of their pairs (rp_run_stats.capped counts such buckets). */
#define RP_BUCKET_MAX 2048

/* Time in seconds spent in each phase of rp_corpus_run. */
typedef struct rp_run_stats {
    double lsh, verify, cluster;
    size_t candidates;   /* distinct candidate pairs from LSH (pairs that
                            only single MinHash values propose count once
                            a value when the screen turns them down) */
    size_t screened;     /* of them, ruled out by their one-byte MinHash
                            values before exact verification */
    size_t verified;     /* pairs whose score reached the threshold */
    size_t furniture;    /* lines left out as corpus-level furniture (compact
                            mode: counted over the documents verified) */
    unsigned bands, rows;
    size_t capped;       /* LSH buckets too large to list all their pairs
                            (more than RP_BUCKET_MAX near-identical
                            documents):
                            when nonzero, some verified pairs are missing
                            (the clusters are still complete) */
} rp_run_stats;
RP_API void rp_corpus_stats(const rp_corpus *c, rp_run_stats *out);

/* After rp_corpus_run in compact mode: @return RP_OK, or why document i
 * could not be verified (RP_ELOAD: the loader failed, or the text it gave
 * back is not the one sketched). Such a document is in no pair. */
RP_API int rp_corpus_lost(const rp_corpus *c, size_t i);

/* @return the number of documents added. */
RP_API size_t rp_corpus_size(const rp_corpus *c);
/* @return the id of document i (borrowed; valid until rp_corpus_free). */
RP_API const char *rp_corpus_id(const rp_corpus *c, size_t i);

/* A verified pair; a < b are document indexes. */
typedef struct rp_pair {
    size_t a, b;
    rp_sim sim;
} rp_pair;

/* @return the number of verified pairs, after rp_corpus_run. They are
 * ordered by (a, b). */
RP_API size_t rp_corpus_npairs(const rp_corpus *c);
/* @return verified pair i (borrowed). */
RP_API const rp_pair *rp_corpus_pair(const rp_corpus *c, size_t i);

/* One member of a cluster, with its similarity to the representative. */
typedef struct rp_member {
    size_t doc;
    double jaccard;      /* with the representative */
    double containment;  /* share of this member found in the representative */
    double score;        /* the rule's score against the representative */
    double holds;        /* share of the representative found in this member */
    size_t partner;      /* rp_cluster_related: the member of the cluster it
                            has its best verified pair with, which the
                            figures above are against; SIZE_MAX otherwise */
} rp_member;

/* @return the number of clusters after rp_corpus_run, singletons included.
 * Clusters with two or more members come first, each group ordered by its
 * smallest document index, so the order never depends on timing. */
RP_API size_t rp_corpus_nclusters(const rp_corpus *c);
/* @return the number of members of cluster i. */
RP_API size_t rp_cluster_size(const rp_corpus *c, size_t i);
/* @return the representative's document index of cluster i. */
RP_API size_t rp_cluster_representative(const rp_corpus *c, size_t i);
/* @return member j of cluster i (borrowed). The representative is first;
 * the others follow in document order. */
RP_API const rp_member *rp_cluster_member(const rp_corpus *c, size_t i, size_t j);

/* Makes member doc (a document index) the representative of cluster i,
 * for a caller that chooses by a rule of its own (the earliest, the
 * longest, one from a preferred source). The other members' figures are
 * taken again against it: from the verified pair when there is one, else
 * by comparing the two exactly (through the loader in compact mode). The
 * members do not change, nor do the related documents.
 * @return RP_OK, RP_EINVAL (no such cluster, or doc is not a member of
 *         it), RP_ESTATE (before rp_corpus_run), RP_ENOMEM. */
RP_API int rp_cluster_set_representative(rp_corpus *c, size_t i, size_t doc);

/* @return the number of documents related to cluster i: documents of
 * other clusters that have a verified pair with one of its members (a
 * verified reprint that the clustering kept out, so that two stories are
 * never merged through it). */
RP_API size_t rp_cluster_nrelated(const rp_corpus *c, size_t i);
/* @return related document j of cluster i (borrowed), in document order;
 * its figures are against m->partner. */
RP_API const rp_member *rp_cluster_related(const rp_corpus *c, size_t i, size_t j);

/* -------------------------------------------------------------------------
 * Pipeline: reading, sketching and using many inputs on threads
 *
 * The loop that every caller of rp_doc_new over a large input writes: take
 * inputs in order, read and sketch them on all threads, use the results in
 * input order. rp_pipeline_run() overlaps the three: while the caller's
 * thread uses one batch, the threads sketch the next and a reader thread
 * takes the one after. The items live in the caller's slots; the steps
 * name them by index.
 * ---------------------------------------------------------------------- */

/* The steps of a pipeline. The caller keeps 3 * batch slots of its own
 * (an array of its items); each step gets ctx and a slot number s in
 * [0, 3 * batch). */
typedef struct rp_pipeline_steps {
    /* Takes the next input into slot s; k is its place in the batch (0: a
     * new batch starts). Runs on one thread at a time, in input order,
     * but not always on the caller's thread.
     * @return 1 taken, 2 the batch is full (nothing taken; the input is
     *         taken again by the next batch's first call), 0 the input
     *         has ended, or a negative RP_E* code: the input failed (the
     *         items taken so far are still worked on and used). */
    int (*take)(void *ctx, size_t s, size_t k);
    /* Works on slot s (reads, sketches). Runs on any thread, at the same
     * time as other work calls, take and use, so it may touch only slot s
     * and what is safe to share. */
    void (*work)(void *ctx, size_t s);
    /* Uses slot s on the caller's thread, in input order.
     * @return 0 to go on, nonzero to stop the run (returned). */
    int (*use)(void *ctx, size_t s);
    /* NULL, or releases what slot s holds. Called once for every item
     * taken: after its use, or instead of it when the run stops. */
    void (*done)(void *ctx, size_t s);
} rp_pipeline_steps;

/* Runs the steps over the whole input: take, work and use every item,
 * batch items at a time, on threads threads (the caller's, and 1 to 1024;
 * with 1 the steps run one after the other on the caller's thread). Items
 * are used in input order, so the result does not depend on threads or
 * timing. With batch 1 each item is used as soon as it is worked on,
 * never held back while take waits for the next (for feeds).
 * @return RP_OK, RP_EINVAL (a step missing, batch 0, threads out of
 *         range), RP_ENOMEM, take's negative code (after the items taken
 *         before it were used) or use's nonzero value. */
RP_API int rp_pipeline_run(unsigned threads, size_t batch, const rp_pipeline_steps *st,
                           void *ctx);

/* -------------------------------------------------------------------------
 * Diff: the passages two texts share, and how their paragraphs map
 * ---------------------------------------------------------------------- */

/* A run of words shared by two token streams: tokens a .. a+words-1 of A
 * have the same hashes as tokens b .. b+words-1 of B. The byte ranges come
 * from the tokens: a_start is the start of A's first token of the run,
 * a_end the end of its last one, so text + a_start .. text + a_end is the
 * passage as written, punctuation between its words included. */
typedef struct rp_span {
    size_t a, b;               /* first token of the run in A and in B */
    size_t words;              /* tokens in the run (>= k) */
    uint32_t a_start, a_end;   /* bytes of the run in text A */
    uint32_t b_start, b_end;   /* bytes of the run in text B */
    int moved;                 /* nonzero: not on the longest chain of runs
                                  that keeps the same order in A and in B
                                  (the passage was moved) */
} rp_span;

/* Finds the maximal runs of at least k words that A and B share. A's
 * windows of k tokens are looked up in a hash table of B's windows; a hit
 * is extended as far as the tokens agree and the longest extension wins
 * (the earliest in B on a tie); the walk over A then jumps past it. These
 * matches claim B's tokens longest first (a match whose B tokens are partly
 * taken keeps its free pieces of k or more), then the tokens of A left
 * over are matched greedily, left to right, against what is left of B.
 * Runs never overlap in A or in B. Expected time O(na + nb): each window
 * tries at most 64 copies of itself in B.
 * @param out  receives a malloc'd array, in the order of A, that the
 *             caller frees with free(); NULL when there is no run.
 * @param n    receives the number of runs.
 * @return RP_OK, RP_ENOMEM, or RP_EINVAL when k is 0 or above 1024. */
RP_API int rp_diff_spans(const rp_token *a, size_t na, const rp_token *b, size_t nb,
                  unsigned k, rp_span **out, size_t *n);

/* A paragraph: a block of lines between blank lines, or a single line when
 * the text has no blank line at all. */
typedef struct rp_para {
    uint32_t start, end;  /* bytes: start of its first line, end of its last
                             (line break excluded) */
    size_t tok, ntok;     /* its tokens: tok .. tok+ntok-1 */
    size_t shared;        /* how many of them are in shared runs */
    int comments;         /* nonzero: in the trailing reader-comment thread
                             (see rp_clean_thread) */
} rp_para;

/* Splits text into paragraphs and gives each its tokens (tok, n: the
 * tokens of this text, in order). shared and comments are left 0.
 * @param out receives a malloc'd array the caller frees with free(); NULL
 *            when the text has no paragraph (only blank lines).
 * @return RP_OK, RP_ENOMEM or RP_ETOOBIG. */
RP_API int rp_paragraphs(const char *text, size_t len, const rp_token *tok,
                  size_t n, rp_para **out, size_t *np);

/* How a paragraph of A relates to one of B. The shares are the shared
 * words between the two over the words of each; "most" means 90%. */
enum {
    RP_PARA_SAME = 0,   /* A¶ = B¶: most of each is in the other */
    RP_PARA_INSIDE,     /* A¶ ⊂ B¶: most of A¶ is in B¶, not the reverse */
    RP_PARA_HOLDS,      /* A¶ ⊃ B¶: most of B¶ is in A¶, not the reverse */
    RP_PARA_OVERLAP,    /* A¶ ~ B¶: they share a passage */
    RP_PARA_ONLY_A,     /* A¶first..last share no word with B */
    RP_PARA_ONLY_B      /* B¶first..last share no word with A */
};

/* Why a range of unshared paragraphs is there, when it can be told. */
enum {
    RP_NOTE_NONE = 0,
    RP_NOTE_COMMENTS,   /* in the reader-comment thread */
    RP_NOTE_FURNITURE   /* no words left after cleaning (or none at all) */
};

/* One line of the paragraph map. Paragraph numbers are indexes into the
 * rp_diff paragraph arrays (0-based). */
typedef struct rp_para_link {
    int rel;              /* RP_PARA_* */
    size_t a, b;          /* SAME..OVERLAP: the two paragraphs */
    size_t words;         /* SAME..OVERLAP: shared words between them */
    double a_share;       /* words / words of A¶a */
    double b_share;       /* words / words of B¶b */
    size_t first, last;   /* ONLY_A, ONLY_B: the range on that side */
    int note;             /* ONLY_A, ONLY_B: RP_NOTE_* */
} rp_para_link;           /* fields a kind does not use are 0 or SIZE_MAX */

/* Everything `reprint diff` reports about two texts. A plain struct the
 * caller owns: fill it with rp_diff_texts(), release its arrays with
 * rp_diff_clear(). */
typedef struct rp_diff {
    rp_sim sim;             /* exactly what rp_doc_compare() gives */
    rp_token *tok_a, *tok_b;    /* the tokens of each text (what the runs
                                   and paragraphs index) */
    size_t words_a, words_b;    /* their numbers */
    size_t shared_words;    /* words in shared runs (the same in A and B) */
    rp_span *spans;         /* shared runs, in the order of A */
    size_t nspans;
    rp_para *paras_a, *paras_b;
    size_t nparas_a, nparas_b;
    rp_para_link *links;    /* the paragraph map: the links and unshared
                               ranges of A in A's order, then the unshared
                               ranges of B in B's order */
    size_t nlinks;
    size_t thread_a, thread_b;  /* rp_clean_thread() of each text */
} rp_diff;

/* Compares text A with text B under options o (shingle, threshold,
 * min_shared, keep_boilerplate are used): the figures of rp_doc_compare(),
 * the shared runs of at least max(min_run, o->shingle) words, and the
 * paragraph map.
 * A text with no words is not an error: it shares nothing.
 * @param out is overwritten; on failure it holds no memory.
 * @return RP_OK, RP_ENOMEM, RP_EINVAL (bad options) or RP_ETOOBIG. */
RP_API int rp_diff_texts(const char *a, size_t alen, const char *b, size_t blen,
                  const rp_options *o, unsigned min_run, rp_diff *out);

/* Frees the arrays of d and zeroes it. d may be NULL or already clear. */
RP_API void rp_diff_clear(rp_diff *d);

/* -------------------------------------------------------------------------
 * Index: a persistent, incremental store of documents (SQLite)
 *
 * An index keeps, for each document, its id, path, size, time added,
 * title, shingle count and digest, its LSH band keys, a consistent sample
 * of its shingle set, the verified pairs it is in and the cluster it
 * joined. New documents are matched against it as they arrive; see README,
 * "Index". One rp_index belongs to one thread; several processes may use
 * one index file at once (one writer, many readers).
 * ---------------------------------------------------------------------- */

/* Version of the index file format (PRAGMA user_version). */
#define RP_INDEX_FORMAT 2

/* Shingles sampled for verification without the text: those whose hash
 * falls in the lowest 2^-bits of the hash space (default 3, one in 8). */
#define RP_INDEX_SAMPLE_BITS 3

typedef struct rp_index rp_index;

/* rp_index_open flags */
#define RP_INDEX_WRITE  1u   /* open for writing (default: read only) */
#define RP_INDEX_CREATE 2u   /* create the index when missing (with WRITE) */

/* Creates a closed index handle.
 * @param out receives the handle (free it with rp_index_free), or NULL.
 * @return RP_OK or RP_ENOMEM. */
RP_API int rp_index_new(rp_index **out);

/* Closes the index (if open) and frees ix. */
RP_API void rp_index_free(rp_index *ix);

/* Opens the index at path. When the index is created, o (NULL: defaults)
 * and sample_bits (0..16; -1: RP_INDEX_SAMPLE_BITS) become its settings.
 * When it exists, o (if not NULL) and sample_bits (if >= 0) must match
 * the stored settings; NULL and -1 accept them.
 * @return RP_OK, or RP_EFORMAT (not an index, newer format), RP_EINCOMPAT
 *         (other options or normalizer version), RP_EBUSY, RP_EREADONLY,
 *         RP_EFULL, RP_EDB, RP_EINVAL, RP_ENOMEM. rp_index_errmsg() then
 *         says what went wrong. */
RP_API int rp_index_open(rp_index *ix, const char *path, unsigned flags,
                  const rp_options *o, int sample_bits);

/* @return a lowercase description of the last failure on ix, for
 * messages (borrowed; valid until the next call on ix). */
RP_API const char *rp_index_errmsg(const rp_index *ix);

/* Sets how long a writer waits for another writer's lock before it fails
 * with RP_EBUSY (default 10000 ms); takes effect at the next open. */
RP_API void rp_index_set_busy_timeout(rp_index *ix, int ms);

/* Copies the index's stored options into o (made by rp_options_new). @return RP_OK or RP_ESTATE
 * when ix is not open. */
RP_API int rp_index_options(const rp_index *ix, rp_options *o, int *sample_bits);

/* Reads a text again for exact verification: the callback receives the
 * stored path of a document and gives back the text in a malloc'd buffer
 * (*text, which the index frees, and *len), or a negative code when it
 * cannot. Without a loader, or when the text changed since it was added
 * (its digest differs), the index estimates from the stored sample. */
typedef int (*rp_index_load_fn)(void *ctx, const char *path, char **text,
                                size_t *len);
RP_API void rp_index_set_loader(rp_index *ix, rp_index_load_fn fn, void *ctx);

/* Starts and ends a batch: the documents added between them are committed
 * together (crash safe). rp_index_add outside a batch commits at once.
 * @return RP_OK or an RP_E* code as for rp_index_open. */
RP_API int rp_index_begin(rp_index *ix);
RP_API int rp_index_commit(rp_index *ix);
/* Drops the batch's changes. */
RP_API void rp_index_rollback(rp_index *ix);

/* A verified match of a document in the index. */
typedef struct rp_index_match {
    char *id;         /* the indexed document's id */
    int64_t doc;      /* its row number */
    rp_sim sim;       /* a: the new document, b: the indexed one */
    int exact;        /* nonzero: compared on the texts; zero: estimated
                         from the samples */
} rp_index_match;

/* What rp_index_add and rp_index_query found for one document. */
typedef struct rp_index_result {
    enum { RP_INDEX_NEW, RP_INDEX_UNCHANGED, RP_INDEX_REPLACED } status;
    int64_t cluster;  /* the cluster joined (or, for a query, the one it is
                         in or would join); 0: it would start a new one */
    size_t n;         /* verified matches, best score first */
    rp_index_match *m;
} rp_index_result;

/* Frees what r holds and clears it; a cleared result is a no-op. */
RP_API void rp_index_result_free(rp_index_result *r);

/* Adds document d (not taken over) under id. path is where the text can
 * be read again (NULL: nowhere, e.g. stdin), title its first line (NULL:
 * none), size its length in bytes. An id already indexed with the same
 * shingle set is left as it is; with another set it is replaced. The
 * document joins the cluster of its best match whose representative it
 * also matches, else starts a cluster of its own. When res is not NULL it
 * receives the matches and the cluster (free with rp_index_result_free).
 * @return RP_OK or an RP_E* code. */
RP_API int rp_index_add(rp_index *ix, const char *id, const char *path,
                 const char *title, uint64_t size, const rp_doc *d,
                 rp_index_result *res);

/* Finds the verified matches of d in the index without changing it. A
 * document indexed under the same id is left out of the matches.
 * @return RP_OK or an RP_E* code. */
RP_API int rp_index_query(rp_index *ix, const char *id, const rp_doc *d,
                   rp_index_result *res);

/* As rp_index_query, but res lists the `top` candidates (documents that
 * share a band key with d) with the highest scores, whether or not they
 * reach the threshold (m[i].sim.similar tells); res->cluster is chosen
 * from the similar ones only. top 0 is rp_index_query. */
RP_API int rp_index_query_top(rp_index *ix, const char *id, const rp_doc *d,
                              size_t top, rp_index_result *res);

/* Sets the date (Unix seconds, UTC) stored with the documents added from
 * now on, e.g. their publication date; 0 (the default): the time each is
 * added. rp_index_prune goes by it. */
RP_API void rp_index_set_date(rp_index *ix, int64_t date);

/* Removes every document dated before `before` (Unix seconds), with its
 * pairs, in one transaction (or the open batch). *removed (if not NULL)
 * gets how many. @return RP_OK or an RP_E* code. */
RP_API int rp_index_prune(rp_index *ix, int64_t before, size_t *removed);

/* One indexed document as rp_index_list gives it (borrowed for the call). */
typedef struct rp_index_doc {
    int64_t row;         /* row number: the order documents were added */
    const char *id;
    const char *path;    /* where its text is read again; NULL: nowhere */
    const char *title;   /* NULL: none */
    uint64_t size;       /* bytes of input */
    int64_t added;       /* when it was added (Unix seconds) */
    int64_t date;        /* its date (rp_index_set_date; else added) */
    int64_t cluster;     /* the cluster it joined when added */
    size_t shingles;
} rp_index_doc;

typedef int (*rp_index_doc_fn)(void *ctx, const rp_index_doc *doc);

/* Passes each indexed document to fn in the order they were added, or
 * only the one with this id (id not NULL). A nonzero return of fn stops
 * and is returned. @return RP_OK, fn's value, RP_ENOTFOUND (no such id)
 * or an RP_E* code. */
RP_API int rp_index_list(rp_index *ix, const char *id, rp_index_doc_fn fn, void *ctx);

/* The stored verified pairs of document id, best score first, in res
 * (a: that document, b: the other; free with rp_index_result_free;
 * res->cluster is its cluster). @return RP_OK, RP_ENOTFOUND or an RP_E*
 * code. */
RP_API int rp_index_pairs(rp_index *ix, const char *id, rp_index_result *res);

/* Removes the document with this id.
 * @return RP_OK, RP_ENOTFOUND or an RP_E* code. */
RP_API int rp_index_remove(rp_index *ix, const char *id);

typedef struct rp_index_stats {
    uint64_t docs;      /* documents */
    uint64_t clusters;  /* distinct clusters, singletons included */
    uint64_t pairs;     /* verified pairs stored */
    uint64_t bytes;     /* size on disk: database file and its WAL */
    unsigned bands, rows;
} rp_index_stats;

/* @return RP_OK or an RP_E* code. */
RP_API int rp_index_stats_get(rp_index *ix, rp_index_stats *st);

/* One member of an exported cluster (borrowed for the callback). */
typedef struct rp_index_member {
    const char *id;
    double jaccard;      /* with the representative */
    double containment;  /* share of this member in the representative */
    const char *with;    /* related entries only: the member they match */
    double score, holds; /* related entries only: the pair's score, and
                            the share of `with` found in this document */
} rp_index_member;

/* Called once per cluster, in the order of rp_corpus_nclusters (the
 * representative is m[0]). cluster is the index's number for it, the one
 * rp_index_add gave most of its members (see rp_index_export). After the n members,
 * m[n], m[n + 1], ... up to an entry whose id is NULL are the cluster's
 * related documents (rp_cluster_related; none when m[n].id is NULL).
 * A nonzero return stops the export and is returned by rp_index_export. */
typedef int (*rp_index_export_fn)(void *ctx, size_t cluster,
                                  const rp_index_member *m, size_t n);

/* Clusters the indexed documents from their stored verified pairs exactly
 * as rp_corpus_run does (documents in the order they were added) and
 * passes each cluster to fn. A cluster is numbered as rp_index_add
 * numbered most of its members (the smaller number on a tie); when that
 * number is taken by an earlier cluster (the re-clustering split what
 * adding had joined), by its representative's row number. @return RP_OK, fn's nonzero value, or an
 * RP_E* code. */
RP_API int rp_index_export(rp_index *ix, rp_index_export_fn fn, void *ctx);

/* ------------------------------------------------------------------ */
/* Staged runs over a shared work folder (`reprint dist`)               */
/* ------------------------------------------------------------------ */

/* A corpus too large for one machine is scanned as stages whose tasks
 * run apart (Slurm array tasks, or processes) and meet through files in a
 * work folder that every node mounts. Each task writes one stage file:
 * numbered sections behind a versioned header with an offset table and a
 * checksum, written under a temporary name and renamed when complete.
 * rp_dist_* run the stages' work with the library's own rules (the
 * sketch, line document frequencies, LSH, screen, verification,
 * clustering), so that a staged run gives what rp_corpus_run gives; the
 * caller walks the inputs, reads texts again and schedules the tasks.
 * See docs/dist.md. */

/* The kinds of stage file. */
enum {
    RP_STAGE_CONFIG = 1, /* the caller's: the run's options and paths */
    RP_STAGE_PLAN,       /* the caller's: the inputs, in order (list, plan, ids) */
    RP_STAGE_SKETCH,     /* rp_dist_sketch_save */
    RP_STAGE_BUCKET,     /* rp_dist_bucket */
    RP_STAGE_VERIFY,     /* rp_dist_verify */
    RP_STAGE_RESULT,     /* (no longer written: the output of version 3) */
    RP_STAGE_LINES,      /* rp_dist_lines */
    RP_STAGE_COMPONENTS, /* rp_dist_components */
    RP_STAGE_CLUSTER     /* the caller's: a cluster task's part of the output */
};

/* A stage file being written (sections filled in any order). */
typedef struct rp_stage_w rp_stage_w;

/* Starts a stage file of nsec sections (at most 64) of this kind, for
 * task `task` of ntasks; fingerprint identifies the run (a file of
 * another run is refused by its readers). *out: free with
 * rp_stage_w_free. @return RP_OK, RP_EINVAL or RP_ENOMEM. */
RP_API int rp_stage_w_new(uint32_t kind, uint64_t fingerprint, uint32_t task,
                          uint32_t ntasks, unsigned nsec, rp_stage_w **out);
/* Appends len bytes to section sec. @return RP_OK, RP_EINVAL, RP_ENOMEM. */
RP_API int rp_stage_w_put(rp_stage_w *w, unsigned sec, const void *p, size_t len);
/* Writes the file to path (to path.tmp.PID first, synced, then renamed).
 * @return RP_OK, RP_ENOMEM, RP_EFULL (disk full) or RP_EREADONLY (it
 * cannot be written); errno then tells the system's reason. */
RP_API int rp_stage_w_save(rp_stage_w *w, const char *path);
RP_API void rp_stage_w_free(rp_stage_w *w);

/* A stage file read back (mapped read-only). */
typedef struct rp_stage rp_stage;

/* Opens and checks the stage file at path, of this kind (0: any): its
 * header, section table and every section's checksum.
 * @return RP_OK (*out: close with rp_stage_close), RP_ENOTFOUND or
 * RP_ELOAD (it cannot be read; *why: the system's reason) or RP_EFORMAT
 * (*why: not a stage file, written by another version, truncated,
 * damaged, written by another stage). *why is static. */
RP_API int rp_stage_open(const char *path, uint32_t kind, rp_stage **out, const char **why);
/* Or'd into the kind given to rp_stage_open: check the header, the
 * section table and the size only, not the sections' checksums, for a
 * reader that takes a small part of a large file; it checks the sections
 * it reads whole with rp_stage_check_sec, and bounds-checks the rest. */
#define RP_STAGE_PARTIAL 0x80000000u
/* @return RP_OK when section i of s matches its checksum, else
 * RP_EFORMAT. */
RP_API int rp_stage_check_sec(const rp_stage *s, unsigned i);
RP_API void rp_stage_close(rp_stage *s);
/* @return the fingerprint the file was written with. */
RP_API uint64_t rp_stage_fingerprint(const rp_stage *s);
/* @return section i (borrowed until rp_stage_close) and its length in
 * *len; NULL and 0 when there is no section i. Sections start on a
 * multiple of 8 bytes. */
RP_API const void *rp_stage_sec(const rp_stage *s, unsigned i, size_t *len);

/* The stages of one run: its work folder, options and task counts. */
typedef struct rp_dist rp_dist;

/* Opens the run in folder work (which must exist): o the similarity
 * options (copied), fingerprint the run's (every file of the run carries
 * it), ntasks the tasks of the sketch and verify stages, nparts those of
 * the bucket stage. *out: free with rp_dist_free.
 * @return RP_OK, RP_EINVAL or RP_ENOMEM. */
RP_API int rp_dist_new(const char *work, const rp_options *o, uint64_t fingerprint,
                       unsigned ntasks, unsigned nparts, rp_dist **out);
RP_API void rp_dist_free(rp_dist *d);
/* @return what the last failed call of d found, as "PATH: reason" (for
 * instance "W/sketch.1: truncated"); borrowed until the next call. */
RP_API const char *rp_dist_errmsg(const rp_dist *d);

/* Figures of the last stage call of d. */
typedef struct rp_dist_stats {
    uint64_t docs;        /* documents of the task (sketch) or the run */
    uint64_t skipped;     /* inputs the sketch tasks skipped */
    uint64_t lines;       /* distinct lines (sketch; lines: of the partition) */
    uint64_t candidates;  /* proposals (bucket), candidates (verify) */
    uint64_t kept;        /* candidates kept by the screen (bucket); lines held
                             by 2 documents or more (lines) */
    uint64_t capped;      /* buckets over RP_LSH_BUCKET_MAX (bucket, cluster) */
    uint64_t read;        /* documents read again (verify) */
    uint64_t similar;     /* verified similar pairs (verify, cluster) */
    uint64_t lost;        /* documents that could not be read again */
} rp_dist_stats;
RP_API void rp_dist_stats_get(const rp_dist *d, rp_dist_stats *st);

/* Sketch stage. Adds a document of this task's shard (in input order;
 * doc is not kept). @return RP_OK, RP_EINVAL (built with other options)
 * or RP_ENOMEM. */
RP_API int rp_dist_sketch_add(rp_dist *d, const char *id, const rp_doc *doc);
/* Writes WORK/sketch.TASK from the documents added since the last save:
 * per document its set size, digest, 16-bit MinHash values and id, and
 * the shard's exact line document counts by line partition (for
 * rp_dist_lines); skipped is the number of the
 * shard's inputs that were skipped. @return RP_OK or an RP_E* code
 * (rp_dist_errmsg says why). */
RP_API int rp_dist_sketch_save(rp_dist *d, unsigned task, uint64_t skipped);

/* Lines stage: the exact line document frequencies of line partition part
 * (one of nparts), summed over every sketch file and saturating at 255 as
 * scan counts them, into WORK/lines.PART; only lines held by two documents
 * or more are written (a line missing was held by one). The verify and
 * cluster stages read every lines file. @return as rp_dist_bucket. */
RP_API int rp_dist_lines(rp_dist *d, unsigned part);

/* Bucket stage: from every sketch file, the candidate pairs of the LSH
 * buckets of partition part that pass the screen, with an index by
 * verify task, into WORK/bucket.PART. @return RP_OK or an RP_E* code
 * (RP_ENOTFOUND: a file is missing, RP_EFORMAT: damaged, cut short or of
 * another version, RP_EINCOMPAT: of another run; rp_dist_errmsg). */
RP_API int rp_dist_bucket(rp_dist *d, unsigned part);

/* Gives back the prepared text of document doc (its global number), whose
 * id is id (the same text it was sketched from), malloc'd into *text and
 * *len. @return RP_OK, RP_ENOMEM, or any other code when it cannot. */
typedef int (*rp_dist_load_fn)(void *ctx, uint64_t doc, const char *id, char **text,
                               size_t *len);

/* Verify stage: the candidates whose first document falls in task's
 * range, read from every bucket file, verified exactly (texts read again
 * through fn) into WORK/verify.TASK. @return as rp_dist_bucket. */
RP_API int rp_dist_verify(rp_dist *d, unsigned task, rp_dist_load_fn fn, void *ctx);

/* Components stage (one task): the connected components of the verified
 * pairs of every verify file (union-find over the documents that have
 * pairs only), dealt to the ntasks cluster tasks (components in order of
 * their smallest document, task after task, each taking components until
 * it holds an even share of documents and pairs; a component of a share
 * or more fills a task alone), into
 * WORK/components, with the documents the verify tasks could not read
 * again and the count of capped buckets. @return as rp_dist_bucket. */
RP_API int rp_dist_components(rp_dist *d);

/* Cluster stage, task `task`: a corpus of the documents of the components
 * dealt to it and of the documents of sketch shard `task` that have no
 * verified pair (each alone), numbered locally in global order, clustered
 * as rp_corpus_run clusters them (clusters are independent across
 * components, so each is the one a whole run gives). *docs (borrowed
 * from d until its next call) maps its local numbers to global ones, *nd
 * of them. *out: free with rp_corpus_free before d (it reads texts
 * through fn, with d's ids, while it lives). rp_dist_stats_get then
 * gives the run's documents (docs), the inputs the sketches skipped
 * (skipped), the capped buckets (capped), the task's documents (read) and
 * pairs (similar). @return as rp_dist_bucket. */
RP_API int rp_dist_cluster_task(rp_dist *d, unsigned task, rp_dist_load_fn fn, void *ctx,
                                rp_corpus **out, const uint64_t **docs, size_t *nd);
/* After rp_dist_cluster_task: @return nonzero when its document doc (a
 * local number) could not be read again (or changed) in the verify or
 * cluster stage, so that its pairs are missing. */
RP_API int rp_dist_lost(const rp_dist *d, uint64_t doc);

#ifdef __cplusplus
}
#endif
#endif /* REPRINT_H */
