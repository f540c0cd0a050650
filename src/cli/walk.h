/*
 * walk.h - turning the command line's paths into a sorted list of files,
 * and reading one file safely.
 */
#ifndef RP_CLI_WALK_H
#define RP_CLI_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef struct walk_opts {
    int hidden;        /* descend into and read dot-files */
    int follow;        /* follow symbolic links to folders (-L) */
    /* fnmatch(3) patterns, each tried on an entry's base name and on its
     * path relative to the PATH argument (FNM_PATHNAME there). Files found
     * in folders are read only when they match an include pattern (if any
     * is given) and no exclude pattern; a folder matching an exclude
     * pattern is not entered. Files named on the command line are always
     * read. */
    char **include;
    size_t ninclude;
    char **exclude;
    size_t nexclude;
    /* NULL, or called with ctx and the number of files in the list each
     * time the walk adds one (for a progress line) */
    void (*found)(void *ctx, size_t n);
    void *ctx;
    /* 1: every entry is looked at (fstatat) for pathlist.bytes; 0: a
     * regular file that its folder entry says is one is not (no system
     * call; it adds nothing to bytes) */
    int sizes;
} walk_opts;

typedef struct pathlist {
    char **v;
    size_t n, cap;
    unsigned long long bytes;   /* walk_path: the sizes of the files added */
} pathlist;

/* @return nonzero when a file found in a folder, or a member of an
 * archive, with base name name and path rel below the PATH argument (or in
 * the archive) is to be read by the --include and --exclude patterns. */
int walk_wanted(const walk_opts *o, const char *name, const char *rel);

/* Appends the files under path to out: path itself when it is a file, or
 * every regular file below it, each folder's entries in byte order. What
 * cannot be read, and a folder loop (a folder that is also one of its own
 * ancestors, by device and inode), is reported on stderr and counted in
 * *skipped.
 * @return 0, or -1 when out of memory (reported). */
int walk_path(const char *path, const walk_opts *o, pathlist *out,
              size_t *skipped);

/* Appends s (taken over) to p. @return 0, or -1 when out of memory (s is
 * then still the caller's). */
int pathlist_push(pathlist *p, char *s);
void pathlist_free(pathlist *p);

/* Reads the file at path into *buf (malloc'd, NUL-terminated, caller
 * frees) and *len. Refuses non-regular files and files over max bytes
 * (the reason is then WALK_TOO_LARGE), and never holds more than max + 2
 * bytes for the file.
 * @return NULL on success, or a static reason for the message. */
#define WALK_TOO_LARGE "file larger than --max-bytes"
const char *read_file(const char *path, size_t max, char **buf, size_t *len);

/* As read_file, from a regular file already open as fd (left open) whose
 * size was size bytes when it was looked at: one read when the file still
 * has that size (a short read at that size is its end), no path look-up
 * and no stat. */
const char *read_fd(int fd, uint64_t size, size_t max, char **buf, size_t *len);

/* Reads standard input to its end into *buf (malloc'd, NUL-terminated,
 * caller frees) and *len, refusing more than max bytes.
 * @return NULL on success, or a static reason for the message. */
const char *read_stdin(size_t max, char **buf, size_t *len);

#endif
