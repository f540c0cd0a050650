/*
 * stage.h - the container of `reprint dist`'s intermediate files: one file
 * per task of a stage, made of numbered sections (a task's documents,
 * signatures, ids, line counts, band keys by partition, candidate pairs,
 * ...) with an offset table and a versioned header.
 *
 * Layout (integers little-endian, as written by this machine):
 *   0   magic "RPSTAGE\n"          8 bytes
 *   8   version  u32 (RP_STAGE_VERSION)
 *   12  kind     u32 (which stage wrote it)
 *   16  fingerprint u64 (of the run's options: the caller's)
 *   24  task u32, ntasks u32
 *   32  nsec u32, 0 u32
 *   40  size u64 (the whole file)
 *   48  nsec x {offset u64, length u64, XXH3-64 of the section's bytes}
 *   ... XXH3-64 of bytes 0 .. here (the header and the table)
 *   ... section bytes, each section starting on a multiple of 8
 * A file is written under a temporary name and renamed when complete, so
 * a reader sees a whole file or none; the size and checksums still catch
 * a file cut short or damaged later (a full disk, a copy gone wrong).
 * Opening a file checks the header and the table only, so that a task
 * reads only the sections, or the parts of sections, it needs (a bucket
 * task its partition's slice of each sketch file, a verify task the
 * documents it verifies): rp_stage_check then checks a section read
 * whole, and a section read in parts carries its own checksums (the
 * sketch's band keys have one per partition).
 */
#ifndef RP_STAGE_H
#define RP_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "reprint.h"

#define RP_STAGE_VERSION 6u
#define RP_STAGE_MAXSEC 64u

/* The writer (rp_stage_w_new ... rp_stage_w_free) and rp_stage_open,
 * rp_stage_close, rp_stage_fingerprint and rp_stage_sec are public: see
 * include/reprint.h. What follows is for the library and its tests. */

/* *len: the bytes in section sec so far. */
void rp_stage_w_len(const rp_stage_w *w, unsigned sec, size_t *len);
/* Sets the task number written in the header. */
void rp_stage_w_set_task(rp_stage_w *w, uint32_t task);

/* A stage file read back. */
struct rp_stage {
    uint8_t *buf;        /* the whole file (mapped by rp_stage_load) */
    size_t size;
    uint32_t kind, task, ntasks, nsec;
    uint64_t fingerprint;
    int owned;
};

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
/* Checks the checksum of section i. @return RP_OK, or RP_EFORMAT with
 * *why "damaged (checksum)". */
int rp_stage_check(const rp_stage *s, unsigned i, const char **why);
/* Frees what s owns and clears it. */
void rp_stage_clear(rp_stage *s);

#endif
