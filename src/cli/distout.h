/*
 * distout.h - the files of `reprint dist`'s cluster tasks and the output
 * merged from them (see distout.c and docs/dist.md).
 */
#ifndef RP_CLI_DISTOUT_H
#define RP_CLI_DISTOUT_H

#include <stdint.h>

#include "reprint.h"
#include "scan.h"

/* Sections of a cluster task's file cluster.I: META {clusters of two or
 * more, documents alone with related ones, documents alone, documents,
 * inputs skipped, capped buckets, members without a date, records,
 * pairs}; REC its clusters to show, in output order, each a record (below)
 * and ROFF their offsets (records + 1); PAIR (with --pairs) its verified
 * pairs in (a, b) order, and POFF their offsets.
 *
 * A cluster record, all integers u64: its smallest document (global), n
 * members, nrel related; per entry (members, the representative first,
 * then related) jaccard, containment, score and holds (doubles), the
 * entry its related document matches (or ~0), the length of its id and of
 * its field values (with their NULs), then the id and the values. A pair
 * record: a, b (global), jaccard, containment ab and ba, score (doubles),
 * shared, the lengths of the ids and values of a and b, then those four. */
enum { CL_META, CL_REC, CL_ROFF, CL_PAIR, CL_POFF, CL_NSEC };
enum { CM_MULTI, CM_RELATED, CM_ALONE, CM_DOCS, CM_SKIPPED, CM_CAPPED, CM_UNDATED, CM_NREC,
       CM_NPAIR, CM_N };

/* Writes into w the clusters of sr to show (in scan_order) and, with
 * --pairs, its verified pairs, as records; gd maps sr's local document
 * numbers to global ones. Fills meta[CM_MULTI..CM_ALONE], [CM_NREC] and
 * [CM_NPAIR]. @return 0, or -1 out of memory (reported). */
int distout_put(const scan_opts *so, const scan_result *sr, const uint64_t *gd,
                rp_stage_w *w, uint64_t *meta);

/* Prints on stdout what scan prints, merged from the n cluster files
 * s[0..n) (opened and checked) of the run in folder work.
 * @return the run's exit code, or EXIT_TROUBLE (reported). */
int distout_print(const scan_opts *so, rp_stage *const *s, unsigned n, const char *work);

#endif
