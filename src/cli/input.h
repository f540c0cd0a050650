/*
 * input.h - the input layer of `reprint scan`: turns the command line's
 * paths (files, folders, and "-" for standard input) into a stream of
 * article records, each with its id and its prepared UTF-8 text.
 *
 * Files are found by walk.c (sorted, deterministic), read, and prepared by
 * the library (rp_text_prepare: encoding detection and conversion, HTML to
 * text). Standard input is read as a stream of records (JSON Lines, NUL-
 * separated texts, or one text) and never held whole: memory stays bounded
 * by the largest record (at most --max-bytes), whatever the size of the
 * stream. Every input that is skipped is reported on stderr as
 * "reprint: WHERE: reason" and counted.
 *
 * Files and standard input that are compressed (gzip, bzip2, xz, zstd) or
 * archives (tar, zip) are read through libarchive (unpack.c), told by
 * their first bytes: one document per member of an archive, with id
 * ARCHIVE:MEMBER. WARC files (warc.c) give one document per response or
 * resource record, with id its WARC-Target-URI. A file named .jsonl or
 * .ndjson (or with --input, any file) is read as records, as standard
 * input is. All of these are read as streams, like standard input.
 *
 * Two passes: input_reload() gives back the same prepared text of a record
 * seen earlier, from its ref. Files are read again from their path; stdin
 * records are spooled to an unlinked temporary file when opts.spool is set.
 * Every record of a file also carries its place in it (record_loc: the
 * archive entry, the record number, the byte offset), from which
 * input_seek() finds it again in another process or on another machine,
 * through the same readers (`dist`).
 *
 * Threads: input_next() and input_close() belong to one thread. Once
 * input_open() has returned, input_load() and input_reload() may run in
 * any number of threads at once, also while input_next() runs, until
 * input_close().
 */
#ifndef RP_CLI_INPUT_H
#define RP_CLI_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"
#include "walk.h"

typedef enum input_format {
    INPUT_AUTO = 0,  /* detect from the first bytes of stdin */
    INPUT_JSONL,     /* one JSON object per line */
    INPUT_NUL,       /* texts separated by NUL bytes; ids 1, 2, ... */
    INPUT_TEXT       /* all of stdin is one text; id "-" */
} input_format;

typedef struct input_opts {
    walk_opts walk;          /* --hidden, -L, --include, --exclude */
    input_format format;     /* how stdin is read (--input) */
    const char *id_field;    /* JSON Lines: field of the id (NULL: "id") */
    const char *text_field;  /* JSON Lines: field of the text (NULL: "text") */
    size_t max_bytes;        /* largest file, line or record read */
    int verbose;             /* say what is read and detected */
    int quiet_skip;          /* binary inputs are skipped silently, uncounted */
    int progress;            /* <0: when stderr is a terminal; 0 off; >0 on */
    int spool;               /* keep stdin records for input_reload() */
    int defer;               /* file records come without their text: the
                                caller loads it with input_load(), on any
                                thread */
    const char *files_from;  /* also read the paths listed in this file
                                ("-": standard input), one a line */
    int null;                /* the list is NUL-separated (--null) */
    int raw;                 /* with spool: also spool each stdin record as
                                it was read, with its terminator (newline,
                                NUL), for `dedup` to write back (r.raw) */
    const char *const *fields; /* JSON Lines: fields whose values records */
    size_t nfields;          /* carry as written (r.meta; --fields) */
    int walked;              /* the paths are files a walk found before
                                (dist's list): taken as they are, in
                                order, not walked again */
} input_opts;

/* Where a record of a file is found again (input_seek), on any machine
 * that sees the file: which entry of an archive, which record of a
 * stream, and where that record starts in the file. */
typedef struct record_loc {
    uint64_t member;  /* the archive's entry (1, 2, ... counting every
                         entry libarchive gives), or 0: not in an archive */
    uint64_t num;     /* the record's line (JSON Lines), number (NUL
                         input, WARC) or 1 (a stream read as one text) in
                         its file or member; 0 for a file, or a member,
                         that is one document */
    uint64_t at;      /* the byte where the record starts in the file,
                         when the file is read as it is (not through
                         libarchive), else INPUT_NO_OFFSET */
} record_loc;

#define INPUT_NO_OFFSET UINT64_MAX

/* One article. All strings are malloc'd and owned by the record. */
typedef struct record {
    char *id;       /* document id: the file's path, the JSON id field, the
                       record number of NUL input, or "-" for one text */
    char *text;     /* prepared UTF-8 text, NUL-terminated (NULL for a
                       deferred file until input_load()) */
    size_t len;     /* bytes of text */
    uint64_t ref;   /* where input_reload() finds the text again */
    uint64_t size;  /* bytes of input: a deferred file's size when it was
                       given (input_load() reads no more than that), the
                       bytes read once loaded, a stdin record's length */
    char *where;    /* for messages: "stdin:LINE" (JSON Lines), "stdin:N"
                       (NUL input), "stdin" (one text); NULL for a file,
                       whose id is its path */
    uint64_t raw;   /* opts.raw: input_reload() ref of the record as read;
                       0 for none (a file) */
    char *meta;     /* JSON Lines with opts.fields: the values of the
                       fields as written, each ended by a NUL ("null" for
                       a missing one); NULL otherwise */
    size_t metalen; /* bytes of meta */
    record_loc loc; /* where it is in its file (input_path) */
    int fd1;        /* a deferred file still open from the walk of the
                       list (its first bytes were looked at): descriptor
                       plus one, for input_load() to read without opening
                       the path again; 0 for none. record_free closes it */
    char *got;      /* a deferred file read whole when it was looked at
                       (a small one): its bytes for input_load(), or NULL
                       and got_why says why it could not be read; both
                       NULL for none */
    size_t ngot;
    const char *got_why;
} record;

typedef struct input input;

/* Walks paths in order (folders in byte order of their entries; "-" is
 * standard input, at its place among the paths). Problems with single
 * paths are reported and counted as skipped, not fatal.
 * @return the input, or NULL after reporting a fatal error: out of
 *         memory, "-" given twice, or stdin is a terminal. */
input *input_open(char **paths, int npaths, const input_opts *o);

/* Gives the next record in *r (the caller frees it with record_free).
 * Inputs that cannot be used (unreadable, binary, malformed line, too
 * large, ...) are reported and skipped inside.
 * @return 1 for a record, 0 at the end, -1 on a fatal error (reported). */
int input_next(input *in, record *r);

/* Like input_next(), for a batch of records that together hold at most
 * --max-bytes of input (a file counts its size, a stdin record its text),
 * so that the memory a batch takes while it is read and sketched has a
 * bound whatever the sizes of the files. *bytes holds the batch's bytes so
 * far (0 for a new batch) and grows by the record's. A record that would
 * take a batch that is not empty past the limit is kept for the next call.
 * @return 1 for a record, 2 when the batch is full (no record given), 0
 *         at the end, -1 on a fatal error (reported). */
int input_next_batch(input *in, record *r, uint64_t *bytes);

/* Loads the text of a record that input_next() gave without one (a file,
 * with opts.defer): reads and prepares the file. Prints nothing, so that
 * it can run on any thread, like input_reload(); the caller reports.
 * @param why  receives a message for "reprint: PATH: message", or "" for
 *             none: why the file was skipped ("cannot read: ...",
 *             "skipped: looks binary ..."), or with opts.verbose a note on
 *             a loaded file ("converted from windows-1252").
 * @return 1 loaded (r->text and r->len set), 0 skipped (the caller counts
 *         it as skipped when why is not empty; --quiet-skip leaves it
 *         empty), -1 out of memory (why says so). */
int input_load(input *in, record *r, char *why, size_t n);

/* What input_read_text() tells besides the text. */
typedef struct text_info {
    uint64_t bytes;      /* out: bytes read */
    int detail;          /* in: also set enc and same (more passes over
                            the bytes) */
    rp_encoding enc;     /* out: the encoding detected */
    int same;            /* out: the text is the bytes read, unchanged */
    int fd1;             /* in: the source is the regular file open as
                            descriptor fd1 - 1, fsize bytes when looked
                            at: read from there (not closed); 0: open path */
    uint64_t fsize;
    char *got;           /* in: the source's bytes, read already (taken:
                            freed here), or NULL and got_why a reason;
                            both NULL: read it */
    size_t ngot;
    const char *got_why;
} text_info;

/* Reads one source whole and prepares its text (rp_text_prepare), the way
 * every subcommand reads a file: path "-" is standard input, a name ending
 * in .html, .htm or .xhtml is HTML, anything else is sniffed for HTML. A
 * gzip, bzip2, xz or zstd source is decompressed first (refused when it
 * holds more than max bytes: *why says so).
 * Prints nothing, so that it can run on any thread.
 * @param max   refuse a source larger than this (WALK_TOO_LARGE)
 * @param text  receives a malloc'd, NUL-terminated text the caller frees
 *              (NULL on failure); *len its length
 * @param info  NULL, or receives what is described at text_info
 * @param why   receives a static reason when the source cannot be read
 * @return RP_OK, an RP_E* code of rp_text_prepare (RP_EBINARY, ...), or 1
 *         when the source could not be read (*why says why). */
int input_read_text(const char *path, size_t max, char **text, size_t *len,
                    text_info *info, const char **why);

/* @return the files the walk found, in input order (after paths given
 * twice were dropped), borrowed until input_close(); *n their count. */
char *const *input_files(const input *in, size_t *n);

/* @return the path of the file the last record of input_next() came from
 * (borrowed until the next call), or NULL for standard input. */
const char *input_path(const input *in);

/* Makes the next input_next() give the record found at loc in the file
 * path (an input opened with no paths, for reading records again by
 * locator, as `dist` does on other machines). Records of the same file
 * are read forward from where the last one ended, or from loc->at when
 * that is far or behind; the file is opened again only when needed. What
 * lies between is passed over without being reported or counted. The
 * caller compares the record it gets with what it expects (r->loc, id):
 * a file that changed gives another one, or none.
 * @return 1 positioned, 0 when the file no longer holds that record (or
 *         cannot be read: reported), -1 on a fatal error (reported). */
int input_seek(input *in, const char *path, const record_loc *loc);

/* What a piece of a cut file (input_cut) says of its records, held for
 * the caller instead of printed: a message, a count of lines refused for
 * a JSON Lines field error, or the end of the piece. */
typedef struct input_note {
    uint64_t line;       /* the record's line, counted from the piece's
                            start; at the end: the lines of the piece */
    const char *msg;     /* what follows "PATH:LINE: " (NULL: a count, or
                            the end) */
    const char *reason;  /* a JSON Lines field error's reason, told once a
                            file (jsonl_repeat), with msg or with count;
                            NULL otherwise (and at the end) */
    uint64_t count;      /* with reason and no msg: the piece's lines
                            refused for it */
} input_note;

/* @return 0, or -1 on a fatal error (reported): input_next() fails. */
typedef int (*input_hold_fn)(void *ctx, const input_note *n);

/* Cuts the list of an input opened with opts.walked for one of dist's
 * plan tasks, before the first input_next(): its first file is read from
 * the first record that starts at or after byte from (0: from its start),
 * its last file (the same one, when there is one) up to the records that
 * start before byte to (UINT64_MAX: to its end); a record that starts
 * before to is read whole. Such a piece is read with its own JSON Lines
 * parser, its lines counted from its start, and what it would print of
 * its records goes to hold. Only a file that input_cuttable() accepted
 * can be cut: one that is something else by then is reported ("changed
 * since the list was made") and fails input_next(). */
void input_cut(input *in, uint64_t from, uint64_t to, input_hold_fn hold, void *ctx);

/* @return nonzero when the file path is read as JSON Lines records from
 * its own bytes (not compressed, not an archive or WARC), so that a task
 * can start at any record of it (input_cut). */
int input_cuttable(const input_opts *o, const char *path);

/* @return nonzero when a and b are the same place. */
int record_loc_same(const record_loc *a, const record_loc *b);

/* Frees what r owns and clears it; a cleared record is a no-op. */
void record_free(record *r);

/* @return r->where, or r->id when the record is a file. */
const char *record_where(const record *r);

/* Gives back the prepared text of the earlier record with this ref, the
 * same bytes input_next() gave (unless a file changed in between). Prints
 * nothing, so that it can run in worker threads: the caller reports.
 * @param text  receives a malloc'd, NUL-terminated text the caller frees
 *              (NULL on failure); *len its length.
 * @return RP_OK, RP_ENOMEM, or RP_ELOAD when the text cannot be had again
 *         (file gone or unreadable, stdin not spooled, read error). */
int input_reload(input *in, uint64_t ref, char **text, size_t *len);

/* Notes that the document of record r was refused by the library with
 * err. An empty document (RP_ENOWORDS: an empty file, or one with no
 * words) is harmless: it is counted for the summary of input_finish()
 * (and named with -v) instead of being reported.
 * @return 1 when it was, 0 when the caller reports and counts it. */
int input_harmless(input *in, const record *r, int err);

/* Ends a run that made docs documents from the input: prints the one
 * summary line of the harmless skips (empty files, paths given more than
 * once, WARC records that are no text page; not with --quiet-skip), and
 * says so when no document was read at all.
 * @return the problems to count as skipped: 1 when no document was read
 *         or --include/--exclude left no file in the folders, else 0. */
size_t input_finish(input *in, size_t docs);

/* Counts so far. */
typedef struct input_stats {
    size_t files;      /* files found by the walk */
    size_t records;    /* records given by input_next() */
    size_t skipped;    /* inputs reported and skipped */
    uint64_t bytes;    /* bytes read from files and stdin */
    double walk;       /* seconds spent walking the paths */
} input_stats;
void input_get_stats(const input *in, input_stats *st);

/* @return the number of inputs skipped so far (each one reported). */
size_t input_skipped(const input *in);

/* Ends the progress line, closes stdin's spool and frees in (NULL: no-op). */
void input_close(input *in);

/* Parses the argument of --input (jsonl, nul, text, auto) into *f.
 * @return 0, or -1 when it is none of them (reported). */
int input_parse_format(const char *arg, input_format *f);

/* @return nonzero when path names an HTML file (.html, .htm, .xhtml). */
int is_html_name(const char *path);

#endif
