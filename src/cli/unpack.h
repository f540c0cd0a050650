/*
 * unpack.h - compressed files and archives for the input layer, through
 * libarchive: gzip, bzip2, xz and zstd streams, and tar and zip archives.
 *
 * What a source holds is told from its first bytes (its magic numbers),
 * never from its name. An opened source is a list of entries: one for a
 * stream (compressed or not), whose name is NULL, or one per member of a
 * tar or zip archive (compressed or not). Each entry's data is read in
 * pieces, so that nothing is ever held whole here: the caller decides
 * how much of an entry it keeps.
 *
 * An entry that is itself compressed or an archive is opened in turn, to
 * UNPACK_DEPTH levels, and its entries are given instead, named from the
 * file's: "inner.tar.gz:doc.txt". The bytes read out of entries, at all
 * levels, are bounded: past UNPACK_FLOOR and UNPACK_RATIO times the bytes
 * of the file, reading fails (a decompression bomb).
 */
#ifndef RP_CLI_UNPACK_H
#define RP_CLI_UNPACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What the first bytes of a source say it is. */
typedef enum unpack_kind {
    UNPACK_PLAIN = 0,    /* none of the below */
    UNPACK_COMPRESSED,   /* gzip, bzip2, xz or zstd */
    UNPACK_TAR,          /* a POSIX or GNU tar archive */
    UNPACK_ZIP,          /* a zip archive */
    UNPACK_WARC          /* an uncompressed WARC file ("WARC/1.") */
} unpack_kind;

/* Archives and compressed streams one inside the other, at most (the
 * file's own counted): a.tar > b.zip > c.tar.gz > d.txt.gz is 4. */
#define UNPACK_DEPTH 4

/* The bound on the bytes read out of a file's entries: UNPACK_RATIO times
 * the bytes taken from the file, once past UNPACK_FLOOR. */
#define UNPACK_RATIO 1000
#define UNPACK_FLOOR ((uint64_t)256 << 20)

/* The first bytes needed to tell every kind (tar's magic is at 257). */
#define UNPACK_SNIFF 512

/* @return the kind of source whose first n bytes are p. */
unpack_kind unpack_sniff(const void *p, size_t n);

/* @return nonzero when the first n bytes of p start a WARC record. */
int unpack_is_warc(const void *p, size_t n);

typedef struct unpack unpack;

/* Opens the source open as fd (borrowed: the caller closes it after
 * unpack_close), whose first n bytes were already read from it into
 * prefix (copied; n may be 0 when nothing was read, and then a regular
 * file is read with seeks, as zip archives want).
 * @return the source, or NULL with *why set (a static reason). */
unpack *unpack_open(int fd, const void *prefix, size_t n, const char **why);

/* Goes to the next entry, going into the entries that are compressed or
 * archives.
 * @param name  receives the member's name (borrowed until the next call),
 *              "inner.tar.gz:doc.txt" for a member of a member, or NULL
 *              for the data of a stream that is no archive
 * @param size  receives the member's size, or -1 when it is not known
 * @return 1 for an entry, 0 at the end, -1 on an error (unpack_error; no
 *         more entries: a broken file, or a decompression bomb), or 2 for
 *         an entry that is skipped (*name; unpack_error says why: an
 *         archive inside that cannot be read, or nested too deep), after
 *         which the next entries can be read. */
int unpack_next(unpack *u, const char **name, int64_t *size);

/* @return nonzero when the entry just given is a regular file (a folder,
 * link or device in an archive is no document). */
int unpack_is_file(const unpack *u);

/* Reads up to n bytes of the current entry's data into buf.
 * @return bytes read, 0 at the end of the entry, -1 on an error. */
ssize_t unpack_read(unpack *u, void *buf, size_t n);

/* @return the text of the last error (or skip). */
const char *unpack_error(const unpack *u);

/* @return the bytes taken from the source so far (compressed bytes). */
uint64_t unpack_consumed(const unpack *u);

/* Frees u (NULL: no-op); the descriptor stays open. */
void unpack_close(unpack *u);

/* Decompresses the n bytes at buf, a single compressed stream, into a
 * malloc'd, NUL-terminated *out and *outlen, refusing more than max bytes
 * of output (then *why is "larger than --max-bytes once decompressed").
 * @return 0, or -1 with *why set (a static reason). */
int unpack_memory(const void *buf, size_t n, size_t max, char **out, size_t *outlen,
                  const char **why);

#define UNPACK_TOO_LARGE "larger than --max-bytes once decompressed"

#endif
