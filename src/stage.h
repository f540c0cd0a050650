/*
 * stage.h - the container of `reprint dist`'s intermediate files: one file
 * per task of a stage, made of numbered sections (a task's documents,
 * signatures, ids, line counts, candidate pairs, ...) with an offset table,
 * a versioned header and a checksum at the end.
 *
 * Layout (integers little-endian, as written by this machine):
 *   0   magic "RPSTAGE\n"          8 bytes
 *   8   version  u32 (RP_STAGE_VERSION)
 *   12  kind     u32 (which stage wrote it)
 *   16  fingerprint u64 (of the run's options: the caller's)
 *   24  task u32, ntasks u32
 *   32  nsec u32, 0 u32
 *   40  size u64 (the whole file, checksum included)
 *   48  nsec x {offset u64, length u64}
 *   ... section bytes, each section starting on a multiple of 8
 *   size-8  XXH3-64 of bytes 0 .. size-8
 * A file is written under a temporary name and renamed when complete, so
 * a reader sees a whole file or none; the size and checksum still catch a
 * file cut short or damaged later (a full disk, a copy gone wrong).
 */
#ifndef RP_STAGE_H
#define RP_STAGE_H

#include <stddef.h>
#include <stdint.h>

#define RP_STAGE_VERSION 1u
#define RP_STAGE_MAXSEC 64u

typedef struct rp_stage_w rp_stage_w;

/* @return a writer for a file of nsec sections (at most RP_STAGE_MAXSEC),
 * or NULL when out of memory or nsec is too large. */
rp_stage_w *rp_stage_w_new(uint32_t kind, uint64_t fingerprint, uint32_t task,
                           uint32_t ntasks, unsigned nsec);
/* Appends len bytes to section sec. @return 0, or RP_ENOMEM/RP_EINVAL. */
int rp_stage_w_put(rp_stage_w *w, unsigned sec, const void *p, size_t len);
/* Writes the file: to path.tmp.PID first, synced, then renamed to path.
 * @return 0, or -errno (the temporary file is removed). */
int rp_stage_w_save(rp_stage_w *w, const char *path);
void rp_stage_w_free(rp_stage_w *w);

/* A stage file read back. */
typedef struct rp_stage {
    uint8_t *buf;        /* the whole file (mapped by rp_stage_load) */
    size_t size;
    uint32_t kind, task, ntasks, nsec;
    uint64_t fingerprint;
    int owned;
} rp_stage;

/* Checks buf[0..len) as a stage file of this kind (0: any) and fills *s,
 * which borrows buf. @return RP_OK, or RP_EFORMAT with *why a static
 * reason: not a stage file, another version, truncated, damaged, another
 * kind. */
int rp_stage_parse(const void *buf, size_t len, uint32_t kind, rp_stage *s,
                   const char **why);
/* Maps and checks the file at path (read only; it must not change while
 * mapped: stage files are renamed into place, never rewritten).
 * @return RP_OK, RP_EFORMAT (*why), or RP_ELOAD when it cannot be read
 * (*why: strerror). */
int rp_stage_load(const char *path, uint32_t kind, rp_stage *s, const char **why);
/* @return section i and its length (NULL, 0 when i is out of range). */
const void *rp_stage_sec(const rp_stage *s, unsigned i, size_t *len);
/* Frees what s owns and clears it. */
void rp_stage_clear(rp_stage *s);

#endif
