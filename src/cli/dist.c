/*
 * dist.c - `reprint dist`: the scan as staged jobs over a shared work
 * folder, for corpora larger than one machine, run by Slurm job arrays
 * (or on this machine with --local). Every stage is a plain run of
 * `reprint dist STAGE --work DIR --task I`; its tasks write one file each
 * (stage.h: versioned header, section offsets, checksum) under a
 * temporary name, rename it, then leave a marker in DIR/done, so that a
 * relaunch runs only the tasks without one. The stages, in order:
 *
 *   list     1 task   walks the PATHs as scan does: the files in input
 *                     order with their sizes, in N slices of even bytes
 *   plan     N tasks  slice I of the files: each document's place in its
 *                     file, and its id's hash, by id partition
 *   ids      P tasks  id partition I: the ids given twice (scan's rule,
 *                     the holders read again), the documents skipped
 *   sketch   N tasks  file shard I: sketches (set size, digest, 16-bit
 *                     MinHash values), ids, exact line counts of the shard
 *   bucket   P tasks  LSH partition I: the buckets of band keys and 1-row
 *                     bins that hash to I (rp_lsh_ensemble_part), screened;
 *                     candidates with an offset index by verify task
 *   verify   N tasks  candidates whose first document is in range I:
 *                     texts read again, verified exactly
 *   components 1 task the connected components of the verified pairs
 *                     (union-find over the documents with pairs), dealt
 *                     to the cluster tasks
 *   cluster  N tasks  clusters its components (and shard I's documents
 *                     without pairs) and writes its part of the output,
 *                     in output order, with an offset index
 *   output            (`dist output`, and `dist run` at its end) merges
 *                     the cluster files in scan's order and prints them
 *                     as they are read, through scan's own printer
 *
 * Document numbers are global and dense, in input order: shard I's
 * documents follow those of shards 0 .. I-1. Every rule (sketch, line
 * document frequency, LSH, screen, verify, cluster, output) is the
 * library's own or scan's, so the output is byte-identical to `reprint
 * scan` with the same options, for any N and P. See docs/dist.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "cli.h"
#include "cliutil.h"
#include "distout.h"
#include "feed.h"
#include "input.h"
#include "output.h"
#include "reprint.h"
#include "keep.h"
#include "scan.h"
enum { S_LIST, S_PLAN, S_IDS, S_SKETCH, S_LINES, S_BUCKET, S_VERIFY, S_COMPONENTS, S_CLUSTER, NSTAGES };
static const char *const stage_name[NSTAGES] = {"list",   "plan",   "ids",        "sketch", "lines",
                                                "bucket", "verify", "components", "cluster"};

#define MAX_TASKS 100000u

/* One run: its work folder, its options and task counts. */
typedef struct run {
    const char *work;
    scan_opts so;
    char **argv;          /* "dist", scan options, PATHs (from the config) */
    int argc, npaths;
    char **paths;
    unsigned ntasks, nparts;
    uint64_t fp;          /* fingerprint of the config */
    rp_stage *cfg;
    rp_dist *d;           /* the library's side of the stages */
    struct docs *docs;    /* verify, cluster: the documents read again */
    int progress;
} run;

/* Reports the library's reason for a failed stage call. @return -1. */
static int dist_fail(const run *r)
{
    diag("%s", safe(rp_dist_errmsg(r->d)));
    return -1;
}

static void usage(FILE *f)
{
    fputs("usage: reprint dist run (--local | --slurm) --tasks N --work DIR [--parts P]\n"
          "                        [--wait] [--clean] [scan options] PATH...\n"
          "       reprint dist STAGE --work DIR [--task I]\n"
          "       reprint dist output --work DIR\n"
          "       reprint dist clean --work DIR\n"
          "\n"
          "Runs the scan as staged jobs over a shared work folder, and prints exactly\n"
          "what 'reprint scan [scan options] PATH...' prints.\n"
          "\n"
          "run:\n"
          "      --local             run every task on this machine (-j at a time)\n"
          "      --slurm             submit the stages with sbatch --array, chained\n"
          "                          with --dependency=afterok; print the job ids\n"
          "      --tasks N           tasks of the plan, sketch, verify and cluster stages\n"
          "      --parts P           tasks of the ids, lines and bucket stages (default N)\n"
          "      --work DIR          the work folder, shared by all nodes\n"
          "      --wait              with --slurm: wait for the jobs, print the result\n"
          "      --clean             remove the intermediate files after the result\n"
          "      --sbatch ARGS       extra sbatch arguments (split at spaces)\n"
          "stages:\n"
          "      --task I            the task to run (default $SLURM_ARRAY_TASK_ID)\n"
          "STAGE is list, plan, ids, sketch, lines, bucket, verify, components or\n"
          "cluster. A relaunch of the same run skips the tasks that finished. output\n"
          "merges the cluster tasks' files and prints the result.\n"
          "  -h, --help              show this help\n", f);
}

static int fail_usage(void)
{
    fputs("usage: reprint dist run (--local | --slurm) --tasks N --work DIR [scan options] PATH...\n"
          "  (see 'reprint dist --help')\n", stderr);
    return EXIT_TROUBLE;
}

/* ------------------------------------------------------------------ */
/* Paths and files                                                      */
/* ------------------------------------------------------------------ */

static char *path_of(const run *r, const char *name, long task)
{
    size_t n = strlen(r->work) + strlen(name) + 40;
    char *p = malloc(n);
    if (!p)
        return NULL;
    if (task >= 0)
        snprintf(p, n, "%s/%s.%ld", r->work, name, task);
    else
        snprintf(p, n, "%s/%s", r->work, name);
    return p;
}

static int marker_path(const run *r, int stage, unsigned task, char *buf, size_t n)
{
    return (size_t)snprintf(buf, n, "%s/done/%s.%u", r->work, stage_name[stage], task) < n ? 0 : -1;
}

static int is_done(const run *r, int stage, unsigned task)
{
    char p[PATH_MAX];
    return marker_path(r, stage, task, p, sizeof p) == 0 && access(p, F_OK) == 0;
}

static int mark_done(const run *r, int stage, unsigned task)
{
    char p[PATH_MAX];
    if (marker_path(r, stage, task, p, sizeof p) < 0)
        return -1;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        diag("%s: cannot write: %s", safe(p), strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* Reads and checks a stage file of this run. @return 0, or -1 (reported
 * as "reprint: PATH: ..."). */
static int load_file(const run *r, const char *name, uint32_t kind, rp_stage **s)
{
    char *p = path_of(r, name, -1);
    const char *why;
    if (!p) {
        diag("out of memory");
        return -1;
    }
    int rc = rp_stage_open(p, kind, s, &why);
    if (rc == RP_ENOTFOUND || rc == RP_ELOAD)
        diag("%s: missing: %s (has its stage run?)", safe(p), why);
    else if (rc != RP_OK)
        diag("%s: %s", safe(p), why);
    else if (rp_stage_fingerprint(*s) != r->fp) {
        diag("%s: written by another run (other options or task counts)", safe(p));
        rp_stage_close(*s);
        *s = NULL;
        rc = RP_EFORMAT;
    }
    free(p);
    return rc == RP_OK ? 0 : -1;
}

static int save_file(const run *r, rp_stage_w *w, const char *name)
{
    char *p = path_of(r, name, -1);
    if (!p) {
        diag("out of memory");
        return -1;
    }
    int rc = rp_stage_w_save(w, p);
    if (rc != RP_OK)
        diag("%s: cannot write: %s", safe(p), strerror(errno));
    free(p);
    return rc != RP_OK ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The config: the run's scan options and PATHs, N and P                 */
/* ------------------------------------------------------------------ */

static uint64_t config_fp(const void *args, size_t alen, unsigned n, unsigned p)
{
    uint32_t np[2] = {n, p};
    return XXH3_64bits_withSeed(args, alen, XXH3_64bits(np, sizeof np));
}

/* Parses the scan options of argv[0..argc) (argv[0] is "dist") into
 * r->so. @return 0 or -1 (reported). */
static int parse_scan(run *r, int argc, char **argv)
{
    r->so.cmd = "dist";
    int rc = scan_parse(argc, argv, &r->so);
    if (rc > 0) {
        diag("dist: --help is not a scan option here");
        return -1;
    }
    if (rc < 0)
        return -1;
    if (sim_get(r->so.ro, RP_OPT_EXHAUSTIVE)) {
        diag("dist: --exhaustive is for 'reprint scan'");
        return -1;
    }
    r->paths = argv + optind;
    r->npaths = argc - optind;
    for (int i = 0; i < r->npaths; i++)
        if (strcmp(r->paths[i], "-") == 0) {
            diag("dist: standard input cannot be shared with the tasks; save it to a file");
            return -1;
        }
    return 0;
}

/* Loads DIR/config into r (options, PATHs, N, P). @return 0 or -1. */
static int load_config(run *r)
{
    char *p = path_of(r, "config", -1);
    const char *why;
    if (!p) {
        diag("out of memory");
        return -1;
    }
    int rc = rp_stage_open(p, RP_STAGE_CONFIG, &r->cfg, &why);
    if (rc == RP_ENOTFOUND || rc == RP_ELOAD) {
        diag("%s: missing: %s (is the work folder on a filesystem this node shares?)",
             safe(p), why);
        free(p);
        return -1;
    }
    if (rc != RP_OK) {
        diag("%s: %s", safe(p), why);
        free(p);
        return -1;
    }
    size_t alen, nlen;
    const char *args = rp_stage_sec(r->cfg, 0, &alen);
    const uint32_t *np = rp_stage_sec(r->cfg, 1, &nlen);
    if (!args || !np || nlen != 2 * sizeof *np || alen == 0 || args[alen - 1] != 0 ||
        np[0] == 0 || np[0] > MAX_TASKS || np[1] == 0 || np[1] > MAX_TASKS) {
        diag("%s: damaged (contents)", safe(p));
        free(p);
        return -1;
    }
    free(p);
    r->ntasks = np[0];
    r->nparts = np[1];
    r->fp = config_fp(args, alen, r->ntasks, r->nparts);
    int argc = 0;
    for (size_t i = 0; i < alen; i++)
        argc += args[i] == 0;
    r->argv = calloc((size_t)argc + 1, sizeof *r->argv);
    if (!r->argv) {
        diag("out of memory");
        return -1;
    }
    for (size_t i = 0, k = 0; i < alen; i += strlen(args + i) + 1)
        r->argv[k++] = (char *)(uintptr_t)(args + i);
    r->argc = argc;
    if (parse_scan(r, argc, r->argv) < 0)
        return -1;
    rc = rp_dist_new(r->work, r->so.ro, r->fp, r->ntasks, r->nparts, &r->d);
    if (rc != RP_OK)
        diag("dist: %s", rp_strerror(rc));
    return rc == RP_OK ? 0 : -1;
}

/* Writes DIR/config for argv[0..argc), or checks that the one there is
 * the same run. @return 0 or -1 (reported). */
static int write_config(run *r, int argc, char **argv)
{
    rp_stage_w *w = NULL;
    char *args = NULL;
    size_t alen = 0;
    int rc = -1;
    for (int i = 0; i < argc; i++)
        alen += strlen(argv[i]) + 1;
    args = malloc(alen ? alen : 1);
    if (!args)
        goto oom;
    for (int i = 0, o = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(args + o, argv[i], n);
        o += (int)n;
    }
    uint32_t np[2] = {r->ntasks, r->nparts};
    uint64_t fp = config_fp(args, alen, r->ntasks, r->nparts);
    char *p = path_of(r, "config", -1);
    if (!p)
        goto oom;
    if (access(p, F_OK) == 0) {
        rp_stage *s = NULL;
        const char *why;
        int lr = rp_stage_open(p, RP_STAGE_CONFIG, &s, &why);
        size_t l0, l1;
        const void *a0 = lr == RP_OK ? rp_stage_sec(s, 0, &l0) : NULL;
        const void *a1 = lr == RP_OK ? rp_stage_sec(s, 1, &l1) : NULL;
        int same = a0 && a1 && l0 == alen && memcmp(a0, args, alen) == 0 &&
                   l1 == sizeof np && memcmp(a1, np, sizeof np) == 0;
        rp_stage_close(s);
        if (!same)
            diag("%s: the work folder holds another run (other options, PATHs or task "
                 "counts); run 'reprint dist clean --work %s' or use another folder",
                 safe(r->work), safe(r->work));
        free(p);
        free(args);
        return same ? 0 : -1;
    }
    if (rp_stage_w_new(RP_STAGE_CONFIG, fp, 0, 1, 2, &w) != RP_OK || rp_stage_w_put(w, 0, args, alen) || rp_stage_w_put(w, 1, np, sizeof np)) {
        free(p);
        goto oom;
    }
    rc = rp_stage_w_save(w, p);
    if (rc != RP_OK)
        diag("%s: cannot write: %s", safe(p), strerror(errno));
    free(p);
    rc = rc != RP_OK ? -1 : 0;
    goto out;
oom:
    diag("out of memory");
out:
    rp_stage_w_free(w);
    free(args);
    return rc;
}

static int make_dirs(const run *r)
{
    const char *sub[] = {"", "/done", "/log"};
    for (int i = 0; i < 3; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", r->work, sub[i]);
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            diag("%s: cannot create: %s", safe(p), strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Slices of a section, each with its checksum                          */
/* ------------------------------------------------------------------ */

/* Puts n items of size bytes into section sec of w, cut into nslices
 * slices at off (nslices + 1 offsets, in items), with the offsets in
 * section osec and one XXH3-64 a slice in section csec, so that a task
 * reads and checks its own slice only. @return 0, or -1 out of memory. */
static int put_slices(rp_stage_w *w, unsigned sec, unsigned osec, unsigned csec,
                      const void *data, size_t size, const uint64_t *off, unsigned nslices)
{
    if (!data)
        data = "";   /* no items */
    uint64_t *sum = malloc((nslices ? nslices : 1) * sizeof *sum);
    if (!sum)
        return -1;
    for (unsigned i = 0; i < nslices; i++)
        sum[i] = XXH3_64bits((const char *)data + off[i] * size, (off[i + 1] - off[i]) * size);
    int bad = rp_stage_w_put(w, sec, data, off[nslices] * size) ||
              rp_stage_w_put(w, osec, off, (nslices + 1) * sizeof *off) ||
              rp_stage_w_put(w, csec, sum, nslices * sizeof *sum);
    free(sum);
    return bad ? -1 : 0;
}

/* Saves w as DIR/STEM.TASK. @return 0 or -1 (reported). */
static int save_task(const run *r, rp_stage_w *w, const char *stem, unsigned task)
{
    char name[32];
    snprintf(name, sizeof name, "%s.%u", stem, task);
    return save_file(r, w, name);
}

/* Slice i of the nslices of section sec of s (written by put_slices):
 * its offsets and checksums checked whole, then the slice itself.
 * @return the slice, *n its items; NULL when damaged (reported as
 * "reprint: DIR/NAME: damaged (...)"). */
static const void *slice_of(const run *r, const char *name, const rp_stage *s, unsigned sec,
                            unsigned osec, unsigned csec, size_t size, unsigned i,
                            unsigned nslices, uint64_t *n)
{
    size_t ol, cl, dl;
    const uint64_t *off = rp_stage_sec(s, osec, &ol), *sum = rp_stage_sec(s, csec, &cl);
    const char *d = rp_stage_sec(s, sec, &dl);
    if (rp_stage_check_sec(s, osec) != RP_OK || rp_stage_check_sec(s, csec) != RP_OK) {
        diag("%s/%s: damaged (checksum)", safe(r->work), name);
        return NULL;
    }
    if (!off || !sum || !d || ol != (nslices + 1) * sizeof *off || cl != nslices * sizeof *sum ||
        off[i] > off[i + 1] || off[i + 1] > dl / size) {
        diag("%s/%s: damaged (contents)", safe(r->work), name);
        return NULL;
    }
    const char *p = d + off[i] * size;
    *n = off[i + 1] - off[i];
    if (XXH3_64bits(p, *n * size) != sum[i]) {
        diag("%s/%s: damaged (checksum)", safe(r->work), name);
        return NULL;
    }
    return p;
}

/* ------------------------------------------------------------------ */
/* Stage list: the files, in input order                                */
/* ------------------------------------------------------------------ */

/* The list (one task): the walk alone (scan's, through input_open: the
 * folders, --include, --exclude, --files-from, paths given twice), the
 * files in input order with their sizes, cut into N slices of about the
 * same bytes, one a plan task. A slice starts at a file (its index in
 * LS_SPLIT), or inside a JSON Lines file read as it is, at a byte
 * (LS_CUTAT, 0 for a file's start): that plan task reads from the first
 * record that starts there or after, and the one before it reads the
 * records that start before it. Each plan task's paths are its own (a
 * cut file's in both). */
enum { LS_META, LS_PATHS, LS_POFF, LS_PSUM, LS_SIZES, LS_SPLIT, LS_CUTAT, LS_NSEC };

/* What a file costs a plan task besides its bytes (opening it). */
#define FILE_COST 4096u

static int stage_list(run *r)
{
    input_opts io = r->so.io;
    io.defer = 1;
    io.spool = 0;
    io.progress = 0;
    input *in = input_open(r->paths, r->npaths, &io);
    rp_stage_w *w = NULL;
    uint64_t *size = NULL, *poff = NULL, *split = NULL, *cutat = NULL, *boff = NULL;
    char *paths = NULL;
    size_t n = 0, plen = 0, cuts = 0;
    int rc = -1;
    if (!in)
        return -1;
    char *const *v = input_files(in, &n);
    if (!(size = malloc((n + 1) * sizeof *size)) || !(poff = malloc((n + 1) * sizeof *poff)) ||
        !(split = malloc((r->ntasks + 1) * sizeof *split)) ||
        !(cutat = calloc(r->ntasks + 1, sizeof *cutat)))
        goto oom;
    uint64_t total = 0;
    poff[0] = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        size[i] = stat(v[i], &st) == 0 ? (uint64_t)st.st_size : 0;
        total += size[i] + FILE_COST;
        poff[i + 1] = poff[i] + strlen(v[i]) + 1;
    }
    /* plan task t starts at byte total t / N of the whole, where a file
     * is FILE_COST (opening it), then its bytes: there, in a file that
     * can be cut (at its start, in its opening), else at the first file
     * that starts there or after */
    uint64_t at = 0;
    size_t f = 0, tried = SIZE_MAX;
    int cuttable = 0;
    for (unsigned t = 0; t <= r->ntasks; t++) {
        uint64_t bound = t == r->ntasks ? UINT64_MAX
                                        : total / r->ntasks * t + total % r->ntasks * t / r->ntasks;
        while (f < n && at + size[f] + FILE_COST <= bound)
            at += size[f++] + FILE_COST;
        split[t] = f + (f < n && bound > at);
        if (f < n && bound > at) {
            if (tried != f) {
                tried = f;
                cuttable = input_cuttable(&io, v[f]);
            }
            if (cuttable) {   /* (at its start when the bound is in its opening) */
                split[t] = f;
                cutat[t] = bound > at + FILE_COST ? bound - at - FILE_COST : 0;
                cuts += cutat[t] > 0;
            }
        }
    }
    /* each task's paths: its files, and the one it ends inside */
    if (!(boff = malloc((r->ntasks + 1) * sizeof *boff)))
        goto oom;
    boff[0] = 0;
    for (unsigned t = 0; t < r->ntasks; t++)
        boff[t + 1] = boff[t] + poff[split[t + 1] + (cutat[t + 1] > 0)] - poff[split[t]];
    if (!(paths = malloc(boff[r->ntasks] ? boff[r->ntasks] : 1)))
        goto oom;
    for (unsigned t = 0; t < r->ntasks; t++)
        for (size_t i = split[t], o = boff[t]; i < split[t + 1] + (cutat[t + 1] > 0); i++) {
            memcpy(paths + o, v[i], poff[i + 1] - poff[i]);
            o += poff[i + 1] - poff[i];
        }
    plen = boff[r->ntasks];
    /* as scan: filters that left no file count as a skipped input */
    size_t nomatch = input_finish(in, 1);
    uint64_t meta[4] = {n, input_skipped(in) + nomatch, nomatch, total};
    int bad = rp_stage_w_new(RP_STAGE_PLAN, r->fp, 0, 1, LS_NSEC, &w) != RP_OK ||
              rp_stage_w_put(w, LS_META, meta, sizeof meta) ||
              put_slices(w, LS_PATHS, LS_POFF, LS_PSUM, paths, 1, boff, r->ntasks) < 0 ||
              rp_stage_w_put(w, LS_SIZES, size, n * sizeof *size) ||
              rp_stage_w_put(w, LS_SPLIT, split, (r->ntasks + 1) * sizeof *split) ||
              rp_stage_w_put(w, LS_CUTAT, cutat, (r->ntasks + 1) * sizeof *cutat);
    if (bad)
        goto oom;
    rc = save_file(r, w, "list");
    if (rc == 0 && r->progress)
        diag("dist: list: %zu files, %.1f MB, %zu plan tasks starting inside a file", n,
             (double)(total - n * (uint64_t)FILE_COST) / 1e6, cuts);
    goto out;
oom:
    diag("out of memory");
out:
    (void)plen;
    free(size);
    free(poff);
    free(split);
    free(cutat);
    free(boff);
    free(paths);
    rp_stage_w_free(w);
    input_close(in);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Stage plan: the documents of a slice of the files                   */
/* ------------------------------------------------------------------ */

/* Plan task I reads the records of its slice of the list (scan's input
 * layer) and notes each document's place (record_loc: archive entry,
 * record number, byte offset), so that any task on any node reads it
 * again through the input layer (input_seek), as scan reads it; and the
 * 64-bit hash of each id, sorted, by id partition (P), for the ids
 * stage.
 *
 * A slice that starts inside a file (input_cut) numbers that file's
 * lines from its cut: the ids stage adds the lines of the cuts before it
 * (prefix sums of each task's PM_CONT, as the documents' numbers are) to
 * the places (PM_REL) and to the messages a cut file's records gave,
 * which the plan task holds in PL_NOTES instead of printing. */
enum { PL_PATHS, PL_META, PL_DOCS, PL_IDS, PL_IOFF, PL_ISUM, PL_NOTES, PL_NSEC };

/* PL_META: documents, skipped inputs, files with documents; whether the
 * slice starts inside a file, and whether its first file with documents
 * is that one (its lines numbered from the cut); whether the slice is one
 * piece of one file that starts inside it and ends inside it; the lines
 * of the piece it ends inside (counted from that piece's start). */
enum { PM_DOCS, PM_SKIPPED, PM_FILES, PM_FROM, PM_REL, PM_ONE, PM_CONT, PM_N };

/* A held note of PL_NOTES, followed by the path, the reason and the
 * message (plen, rlen, mlen bytes): a message of line `line` (counted
 * from the cut when rel) with mlen > 0, else the lines refused for a
 * field error's reason in the piece (count). */
typedef struct plan_note {
    uint64_t line, count;
    uint32_t rel, plen, rlen, mlen;
} plan_note;

typedef struct plan_doc {
    uint64_t file;      /* index of its path in PL_PATHS */
    record_loc loc;
} plan_doc;

/* An id's hash and its document (the plan task's number, then the
 * global one in the ids stage). */
typedef struct id_ent {
    uint64_t hash, doc;
} id_ent;

static int id_cmp(const void *a, const void *b)
{
    const id_ent *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* @return the id partition of hash h among p: by its top bits, so that
 * the partitions are slices of the hashes in order. */
static unsigned id_part(uint64_t h, unsigned p)
{
    return (unsigned)(((h >> 32) * p) >> 32);
}

/* A sketch task's documents ("docs.I", a file of the CLI beside the
 * library's "sketch.I"): per document its plan entry, and what scan
 * keeps of it besides the sketch: what the --keep rule knows and the
 * --fields values. */
enum { DS_META, DS_PLAN, DS_KEEP, DS_FOFF, DS_FIELDS, DS_TOFF, DS_TEXT, DS_NSEC };

/* The input the tasks read documents again through, by place. */
static input *reread_input(const run *r)
{
    input_opts io = r->so.io;
    io.defer = 1;
    io.spool = 0;
    io.progress = 0;
    io.files_from = NULL;
    return input_open(NULL, 0, &io);
}

/* Reads the document at loc in file path again into it (its text
 * loaded). @return 1, 0 when it is no longer there as the plan saw it
 * (it->why says why; it->r.id is NULL when it is gone) or cannot be
 * loaded, -1 fatal (reported). */
static int reread_at(input *in, const char *path, const record_loc *loc, feed_item *it)
{
    memset(it, 0, sizeof *it);
    int got = input_seek(in, path, loc);
    if (got > 0)
        got = input_next(in, &it->r);
    if (got < 0)
        return -1;
    if (got == 0 || !record_loc_same(&it->r.loc, loc)) {
        record_free(&it->r);
        snprintf(it->why, sizeof it->why, "changed since the plan was made");
        return 0;
    }
    it->loaded = it->r.text ? 1 : input_load(in, &it->r, it->why, sizeof it->why);
    return it->loaded;
}

/* Opens list (partially: its small sections checked) for the plan
 * tasks and the cluster. @return 0 or -1 (reported). */
static int list_open(const run *r, rp_stage **s, const uint64_t **meta)
{
    size_t ml;
    if (load_file(r, "list", RP_STAGE_PLAN | RP_STAGE_PARTIAL, s) < 0)
        return -1;
    if (rp_stage_check_sec(*s, LS_META) != RP_OK || rp_stage_check_sec(*s, LS_SPLIT) != RP_OK ||
        rp_stage_check_sec(*s, LS_CUTAT) != RP_OK) {
        diag("%s/list: damaged (checksum)", safe(r->work));
        return -1;
    }
    *meta = rp_stage_sec(*s, LS_META, &ml);
    if (ml != 4 * sizeof **meta) {
        diag("%s/list: damaged (contents)", safe(r->work));
        return -1;
    }
    return 0;
}

/* What the plan task holds of its cut files' records (input_cut). */
typedef struct plan_hold {
    input *in;
    rp_stage_w *w;
    const char *first;   /* the file it starts inside, or NULL */
    const char *last;    /* the file it ends inside, or NULL */
    uint64_t cont;       /* the lines of the last one's piece */
    int ended;           /* pieces ended (1 or 2) */
} plan_hold;

static int plan_hold_note(void *ctx, const input_note *n)
{
    plan_hold *h = ctx;
    const char *path = input_path(h->in);
    if (!n->msg && !n->reason) {   /* the end of a piece */
        h->ended++;
        if (h->last && strcmp(path, h->last) == 0)
            h->cont = n->line;
        return 0;
    }
    const char *reason = n->reason ? n->reason : "", *msg = n->msg ? n->msg : "";
    plan_note pn = {n->line, n->count, h->first && strcmp(path, h->first) == 0,
                    (uint32_t)strlen(path), (uint32_t)strlen(reason), (uint32_t)strlen(msg)};
    if (rp_stage_w_put(h->w, PL_NOTES, &pn, sizeof pn) ||
        rp_stage_w_put(h->w, PL_NOTES, path, pn.plen) ||
        rp_stage_w_put(h->w, PL_NOTES, reason, pn.rlen) ||
        rp_stage_w_put(h->w, PL_NOTES, msg, pn.mlen)) {
        diag("out of memory");
        return -1;
    }
    return 0;
}

static int stage_plan(run *r, unsigned task)
{
    rp_stage *ls = NULL;
    input *in = NULL;
    rp_stage_w *w = NULL;
    char **v = NULL;
    id_ent *ids = NULL;
    uint64_t *ioff = NULL, nk = 0, nfiles = 0, nb = 0;
    size_t icap = 0, sl;
    const char *last = NULL;
    const uint64_t *meta;
    int rc = -1;
    if (list_open(r, &ls, &meta) < 0)
        goto out;
    size_t cl;
    const uint64_t *split = rp_stage_sec(ls, LS_SPLIT, &sl), *cutat = rp_stage_sec(ls, LS_CUTAT, &cl);
    const char *p = slice_of(r, "list", ls, LS_PATHS, LS_POFF, LS_PSUM, 1, task, r->ntasks, &nb);
    if (!p)
        goto out;
    /* files split[task] .. split[task + 1] - 1, from byte cutat[task] of
     * the first, and the file of split[task + 1] up to its cutat */
    uint64_t nf = UINT64_MAX, from = 0, to = UINT64_MAX;
    if (sl == (r->ntasks + 1) * sizeof *split && cl == sl && split[task] <= split[task + 1]) {
        from = cutat[task];
        to = cutat[task + 1] ? cutat[task + 1] : UINT64_MAX;
        nf = split[task + 1] - split[task] + (to != UINT64_MAX);
        if ((from && !nf) || (nf == 1 && from && to != UINT64_MAX && from > to))
            nf = UINT64_MAX;
    }
    size_t cnt = 0;
    for (uint64_t i = 0; i < nb; i++)
        cnt += p[i] == 0;
    if (cnt != nf || (nb && p[nb - 1] != 0)) {
        diag("%s/list: damaged (contents)", safe(r->work));
        goto out;
    }
    if (!(v = malloc((cnt ? cnt : 1) * sizeof *v)))
        goto oom;
    for (size_t i = 0, k = 0; i < nb; i += strlen(p + i) + 1)
        v[k++] = (char *)(uintptr_t)(p + i);
    input_opts io = r->so.io;
    io.defer = 1;
    io.spool = 0;
    io.progress = 0;
    io.files_from = NULL;
    io.walked = 1;
    if (!(in = input_open(v, (int)cnt, &io)))
        goto out;
    if (rp_stage_w_new(RP_STAGE_PLAN, r->fp, task, r->ntasks, PL_NSEC, &w) != RP_OK)
        goto oom;
    plan_hold hold = {in, w, from ? v[0] : NULL, to != UINT64_MAX ? v[cnt - 1] : NULL, 0, 0};
    int rel = 0;
    if (from || to != UINT64_MAX)
        input_cut(in, from, to, plan_hold_note, &hold);
    for (;;) {
        record rec = {0};
        int got = input_next(in, &rec);
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        const char *path = input_path(in);
        if (!last || strcmp(last, path) != 0) {
            if (rp_stage_w_put(w, PL_PATHS, path, strlen(path) + 1)) {
                record_free(&rec);
                goto oom;
            }
            last = path;   /* borrowed from in, which keeps it */
            rel = rel || (nfiles == 0 && hold.first && strcmp(path, hold.first) == 0);
            nfiles++;
        }
        plan_doc pd = {nfiles - 1, rec.loc};
        id_ent e = {XXH3_64bits(rec.id, strlen(rec.id)), nk++};
        record_free(&rec);
        if (rp_stage_w_put(w, PL_DOCS, &pd, sizeof pd) ||
            cli_grow(&ids, &icap, nk, sizeof *ids) < 0)
            goto oom;
        ids[nk - 1] = e;
    }
    if (nk)
        qsort(ids, nk, sizeof *ids, id_cmp);
    if (!(ioff = malloc((r->nparts + 1) * sizeof *ioff)))
        goto oom;
    for (uint64_t i = 0, q = 0; q <= r->nparts; q++) {
        while (q < r->nparts && i < nk && id_part(ids[i].hash, r->nparts) < q)
            i++;
        ioff[q] = q == r->nparts ? nk : i;
    }
    /* every piece of a cut file was read to its end (its lines are known) */
    if (hold.ended < (hold.first != NULL) + (hold.last != NULL) - (hold.first && hold.last && cnt == 1)) {
        diag("%s: changed since the list was made", safe(hold.first ? hold.first : hold.last));
        goto out;
    }
    uint64_t pm[PM_N] = {nk, input_skipped(in) + input_finish(in, 1), nfiles, from > 0, rel,
                         from && to != UINT64_MAX && cnt == 1, hold.cont};
    if (rp_stage_w_put(w, PL_META, pm, sizeof pm) ||
        put_slices(w, PL_IDS, PL_IOFF, PL_ISUM, ids, sizeof *ids, ioff, r->nparts) < 0)
        goto oom;
    rc = save_task(r, w, "plan", task);
    if (rc == 0 && r->progress)
        diag("dist: plan %u/%u: %llu files, %llu documents", task + 1, r->ntasks,
             (unsigned long long)nfiles, (unsigned long long)nk);
    goto out;
oom:
    diag("out of memory");
out:
    free(v);
    free(ids);
    free(ioff);
    rp_stage_w_free(w);
    input_close(in);
    rp_stage_close(ls);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The plan, read back                                                  */
/* ------------------------------------------------------------------ */

/* One plan task's file. */
typedef struct plan {
    rp_stage *s;
    char **paths;           /* nfiles, pointing into s */
    const plan_doc *docs;   /* ndocs */
    uint64_t nfiles, ndocs, skipped;
    int rel;                /* file 0's lines are numbered from a cut */
} plan;

static void plan_close(plan *p)
{
    free(p->paths);
    rp_stage_close(p->s);
    memset(p, 0, sizeof *p);
}

/* Loads and checks DIR/plan.J. @return 0 or -1 (reported). */
static int plan_load(const run *r, unsigned j, plan *pl)
{
    size_t len, ml, dl;
    char name[32];
    snprintf(name, sizeof name, "plan.%u", j);
    memset(pl, 0, sizeof *pl);
    /* the documents' places are read one by one (bounds-checked), the
     * ids by slice (checksummed), the rest is checked whole */
    if (load_file(r, name, RP_STAGE_PLAN | RP_STAGE_PARTIAL, &pl->s) < 0)
        return -1;
    if (rp_stage_check_sec(pl->s, PL_PATHS) != RP_OK || rp_stage_check_sec(pl->s, PL_META) != RP_OK) {
        diag("%s/%s: damaged (checksum)", safe(r->work), name);
        plan_close(pl);
        return -1;
    }
    const char *p = rp_stage_sec(pl->s, PL_PATHS, &len);
    const uint64_t *meta = rp_stage_sec(pl->s, PL_META, &ml);
    pl->docs = rp_stage_sec(pl->s, PL_DOCS, &dl);
    size_t cnt = 0;
    for (size_t i = 0; p && i < len; i++)
        cnt += p[i] == 0;
    int ok = meta && ml == PM_N * sizeof *meta && (!len || p[len - 1] == 0) &&
             cnt == meta[PM_FILES] && dl == meta[PM_DOCS] * sizeof *pl->docs;
    if (!ok) {
        diag("%s/%s: damaged (contents)", safe(r->work), name);
        plan_close(pl);
        return -1;
    }
    if (!(pl->paths = malloc((cnt ? cnt : 1) * sizeof *pl->paths))) {
        diag("out of memory");
        plan_close(pl);
        return -1;
    }
    for (size_t i = 0, k = 0; i < len; i += strlen(p + i) + 1)
        pl->paths[k++] = (char *)(uintptr_t)(p + i);
    pl->ndocs = meta[PM_DOCS];
    pl->skipped = meta[PM_SKIPPED];
    pl->nfiles = cnt;
    pl->rel = meta[PM_REL] != 0;
    return 0;
}

/* Every plan task's file, opened when first needed, and the global
 * numbers of their documents (plan.J's follow those of plan.0 ..
 * plan.J-1): plan number g is document g - first[J] of plan.J; and the
 * lines before the cut each starts at (lbase[J], 0 for none). */
typedef struct plan_set {
    plan *pl;               /* ntasks; pl[j].s NULL: not open yet */
    uint64_t *first;        /* ntasks + 1 */
    uint64_t *lbase;        /* ntasks */
} plan_set;

static void plan_set_close(plan_set *ps, unsigned n)
{
    for (unsigned j = 0; ps->pl && j < n; j++)
        plan_close(&ps->pl[j]);
    free(ps->pl);
    free(ps->first);
    free(ps->lbase);
    memset(ps, 0, sizeof *ps);
}

static int plan_set_init(const run *r, plan_set *ps)
{
    memset(ps, 0, sizeof *ps);
    if (!(ps->pl = calloc(r->ntasks, sizeof *ps->pl)) ||
        !(ps->first = calloc(r->ntasks + 1, sizeof *ps->first)) ||
        !(ps->lbase = calloc(r->ntasks, sizeof *ps->lbase))) {
        diag("out of memory");
        return -1;
    }
    return 0;
}

/* @return plan.J, loaded when needed (NULL: reported). */
static plan *plan_get(const run *r, plan_set *ps, unsigned j)
{
    plan *p = &ps->pl[j];
    if (!p->s) {
        if (plan_load(r, j, p) < 0)
            return NULL;
        if (p->ndocs != ps->first[j + 1] - ps->first[j]) {
            diag("%s/plan.%u: does not match the ids stage's counts", safe(r->work), j);
            plan_close(p);
            return NULL;
        }
    }
    return p;
}

/* @return the task of n whose numbers, from first[task] (n + 1 prefix
 * sums), hold g. */
static unsigned task_of(const uint64_t *first, unsigned n, uint64_t g)
{
    unsigned lo = 0, hi = n;
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (first[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Reads plan document g again into it (its text loaded). @return as
 * reread_at; *pd its place (its line counted from the file's start),
 * *path its file. */
static int reread(const run *r, input *in, plan_set *ps, uint64_t g, feed_item *it,
                  plan_doc *pd, const char **path)
{
    unsigned lo = task_of(ps->first, r->ntasks, g);
    memset(it, 0, sizeof *it);
    plan *p = g < ps->first[r->ntasks] ? plan_get(r, ps, lo) : NULL;
    if (!p)
        return -1;
    *pd = p->docs[g - ps->first[lo]];
    if (pd->file >= p->nfiles) {
        diag("%s/plan.%u: damaged (document %llu: file out of range)", safe(r->work), lo,
             (unsigned long long)(g - ps->first[lo]));
        return -1;
    }
    if (pd->file == 0 && p->rel)
        pd->loc.num += ps->lbase[lo];
    *path = p->paths[pd->file];
    return reread_at(in, *path, &pd->loc, it);
}

/* ------------------------------------------------------------------ */
/* Stage ids: the ids given twice, by id partition                      */
/* ------------------------------------------------------------------ */

/* Ids task I gathers partition I of every plan task's sorted id hashes
 * and applies scan's rule to each id given more than once, in input
 * order: a document whose id an earlier document holds is skipped,
 * unless that holder gives no document (no words, unreadable: scan knows
 * it only once it has sketched it, so the task reads that one again);
 * then the later one takes the id. Equal hashes are read again and
 * their ids compared, so that two ids that share a hash stay apart. It
 * writes the documents skipped (global plan numbers, sorted, with an
 * offset index by sketch task), and every plan task's count. */
enum { ID_META, ID_FIRST, ID_SKIP, ID_SOFF, ID_SSUM, ID_LBASE, ID_NSEC };

/* The messages the plan tasks held of their cut files' records, printed
 * by ids task 0 with the lines before each cut added, as scan says them:
 * a JSON Lines field error's reason once a file, and at the file's end
 * the lines refused for each reason given more than once (jsonl.h). */
#define NOTE_REASONS 8
typedef struct notes_out {
    char *path;
    char *reason[NOTE_REASONS];
    uint64_t count[NOTE_REASONS];
    size_t nreason;
} notes_out;

static void notes_flush(notes_out *o)
{
    for (size_t i = 0; i < o->nreason; i++) {
        if (o->count[i] > 1)
            diag("%s: %llu lines skipped in all: %s", safe(o->path),
                 (unsigned long long)o->count[i], o->reason[i]);
        free(o->reason[i]);
    }
    free(o->path);
    memset(o, 0, sizeof *o);
}

/* Prints the notes of plan file f (NAME), whose cut starts after lbase
 * lines. @return 0, or -1 (reported). */
static int notes_print(const run *r, const char *name, const rp_stage *f, uint64_t lbase,
                       notes_out *o)
{
    size_t len;
    const char *p = rp_stage_sec(f, PL_NOTES, &len);
    if (rp_stage_check_sec(f, PL_NOTES) != RP_OK) {
        diag("%s/%s: damaged (checksum)", safe(r->work), name);
        return -1;
    }
    for (size_t at = 0; at < len;) {
        plan_note pn;
        if (len - at < sizeof pn)
            break;
        memcpy(&pn, p + at, sizeof pn);
        at += sizeof pn;
        if (len - at < (uint64_t)pn.plen + pn.rlen + pn.mlen || !pn.plen || (!pn.rlen && !pn.mlen))
            break;
        const char *path = p + at, *reason = path + pn.plen, *msg = reason + pn.rlen;
        at += (size_t)pn.plen + pn.rlen + pn.mlen;
        if (!o->path || strlen(o->path) != pn.plen || memcmp(o->path, path, pn.plen) != 0) {
            notes_flush(o);
            if (!(o->path = strndup(path, pn.plen))) {
                diag("out of memory");
                return -1;
            }
        }
        size_t i = 0;
        while (i < o->nreason &&
               !(strlen(o->reason[i]) == pn.rlen && memcmp(o->reason[i], reason, pn.rlen) == 0))
            i++;
        int seen = i < o->nreason;
        if (pn.rlen && !seen && i < NOTE_REASONS) {
            if (!(o->reason[i] = strndup(reason, pn.rlen))) {
                diag("out of memory");
                return -1;
            }
            o->count[i] = 0;
            o->nreason++;
        }
        if (pn.mlen && !(pn.rlen && seen))
            diag("%s:%llu: %.*s", safe(o->path), (unsigned long long)(pn.line + (pn.rel ? lbase : 0)),
                 (int)pn.mlen, msg);
        if (!pn.mlen && i < o->nreason)
            o->count[i] += pn.count;
        if (at == len)
            return 0;
    }
    if (len == 0)
        return 0;
    diag("%s/%s: damaged (contents)", safe(r->work), name);
    return -1;
}

/* The document that holds an id so far within one hash: its id, where
 * it is, and whether it is known to give a document. */
typedef struct holder {
    char *id;           /* owned */
    const char *path;   /* borrowed from the plan */
    record_loc loc;
    int sure;
} holder;

/* @return 1 when the holder of an id gives a document (as scan would add
 * it to the corpus), 0 when it does not, -1 fatal (reported). */
static int holder_sure(const run *r, input *in, holder *h)
{
    if (h->sure)
        return 1;
    feed_item it;
    int got = reread_at(in, h->path, &h->loc, &it);
    if (got > 0) {
        rp_doc *d = NULL;
        int err = rp_doc_new(it.r.text, it.r.len, r->so.ro, &d);
        h->sure = d != NULL;
        rp_doc_free(d);
        got = err == RP_ENOMEM ? -1 : h->sure;
        if (got < 0)
            diag("out of memory");
    }
    record_free(&it.r);
    return got;
}

/* Reports a document skipped for an id seen before, as scan does. */
static void say_twice(const record *rec)
{
    if (rec->where)
        diag("%s: skipped: duplicate id '%s'", rec->where, safe(rec->id));
    else
        diag("%s: skipped: given more than once", safe(rec->id));
}

/* Applies scan's rule to the documents e[0..n) of one id hash (in input
 * order), appending those skipped to *skip. @return the number skipped,
 * or -1 (reported). */
static long long ids_resolve(const run *r, input *in, plan_set *ps, const id_ent *e, size_t n,
                             uint64_t **skip, size_t *ns, size_t *scap)
{
    holder *h = calloc(n, sizeof *h);
    size_t nh = 0;
    long long dups = 0;
    if (!h) {
        diag("out of memory");
        return -1;
    }
    for (size_t i = 0; i < n && dups >= 0; i++) {
        feed_item it;
        plan_doc pd;
        const char *path;
        int got = reread(r, in, ps, e[i].doc, &it, &pd, &path);
        if (got < 0) {
            dups = -1;
        } else if (it.r.id) {   /* (gone: the sketch reports it) */
            size_t k = 0;
            while (k < nh && strcmp(h[k].id, it.r.id) != 0)
                k++;
            int seen = k < nh ? holder_sure(r, in, &h[k]) : 0;
            if (seen > 0) {
                say_twice(&it.r);
                dups++;
                if (cli_grow(skip, scap, *ns + 1, sizeof **skip) < 0) {
                    diag("out of memory");
                    dups = -1;
                } else {
                    (*skip)[(*ns)++] = e[i].doc;
                }
            } else if (seen < 0) {
                dups = -1;
            } else {   /* a new id, or its holder gives no document */
                if (k == nh) {
                    h[nh].id = it.r.id;
                    it.r.id = NULL;
                    nh++;
                }
                h[k].path = path;
                h[k].loc = pd.loc;
                h[k].sure = 0;
            }
        }
        record_free(&it.r);
    }
    for (size_t k = 0; k < nh; k++)
        free(h[k].id);
    free(h);
    return dups;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int stage_ids(run *r, unsigned part)
{
    plan_set ps;
    id_ent *e = NULL;
    uint64_t *skip = NULL, *soff = NULL, plan_skipped = 0, ne = 0;
    size_t ecap = 0, ns = 0, scap = 0;
    long long dups = 0;
    input *in = NULL;
    rp_stage_w *w = NULL;
    notes_out notes = {0};
    const uint64_t *prev = NULL;
    uint64_t prevm[PM_N];
    int rc = -1;
    if (plan_set_init(r, &ps) < 0)
        return -1;
    for (unsigned j = 0; j < r->ntasks; j++) {
        rp_stage *f = NULL;
        char name[32];
        uint64_t n = 0;
        size_t ml;
        snprintf(name, sizeof name, "plan.%u", j);
        /* its counts and its slice of the id hashes only: the places are
         * read (plan_get) only for ids given twice */
        if (load_file(r, name, RP_STAGE_PLAN | RP_STAGE_PARTIAL, &f) < 0)
            goto out;
        const uint64_t *m = rp_stage_sec(f, PL_META, &ml);
        const id_ent *s = NULL;
        if (rp_stage_check_sec(f, PL_META) != RP_OK || ml != PM_N * sizeof *m ||
            (m[PM_FROM] && !prev))
            diag("%s/%s: damaged (counts)", safe(r->work), name);
        else
            s = slice_of(r, name, f, PL_IDS, PL_IOFF, PL_ISUM, sizeof *s, part, r->nparts, &n);
        if (s) {
            /* the lines before its cut: the piece before it, and when that
             * piece is all of its task, the lines before that one's */
            ps.lbase[j] = m[PM_FROM] ? prev[PM_CONT] + (prev[PM_ONE] ? ps.lbase[j - 1] : 0) : 0;
            memcpy(prevm, m, sizeof prevm);
            prev = prevm;
            if (part == 0 && notes_print(r, name, f, ps.lbase[j], &notes) < 0)
                s = NULL;
        }
        int bad = !s || cli_grow(&e, &ecap, ne + n + 1, sizeof *e) < 0;
        if (s && bad)
            diag("out of memory");
        for (uint64_t i = 0; !bad && i < n; i++) {
            if (s[i].doc >= m[PM_DOCS] || id_part(s[i].hash, r->nparts) != part) {
                diag("%s/%s: damaged (contents)", safe(r->work), name);
                bad = 1;
                break;
            }
            e[ne++] = (id_ent){s[i].hash, ps.first[j] + s[i].doc};
        }
        if (!bad) {
            ps.first[j + 1] = ps.first[j] + m[PM_DOCS];
            plan_skipped += m[PM_SKIPPED];
        }
        rp_stage_close(f);
        if (bad)
            goto out;
    }
    notes_flush(&notes);
    if (ne)
        qsort(e, ne, sizeof *e, id_cmp);
    for (uint64_t i = 0, k; i < ne; i = k) {
        for (k = i + 1; k < ne && e[k].hash == e[i].hash;)
            k++;
        if (k - i < 2)
            continue;
        if (!in && !(in = reread_input(r)))
            goto out;
        long long d = ids_resolve(r, in, &ps, e + i, k - i, &skip, &ns, &scap);
        if (d < 0)
            goto out;
        dups += d;
    }
    if (ns)
        qsort(skip, ns, sizeof *skip, cmp_u64);
    uint64_t nd = ps.first[r->ntasks];
    if (!(soff = malloc((r->ntasks + 1) * sizeof *soff)))
        goto oom;
    for (size_t t = 0, i = 0; t <= r->ntasks; t++) {
        uint64_t lo = t == r->ntasks ? UINT64_MAX : nd * t / r->ntasks;
        while (i < ns && skip[i] < lo)
            i++;
        soff[t] = t == r->ntasks ? ns : i;
    }
    uint64_t meta[3] = {(uint64_t)dups, plan_skipped, nd};
    if (rp_stage_w_new(RP_STAGE_PLAN, r->fp, part, r->nparts, ID_NSEC, &w) != RP_OK ||
        rp_stage_w_put(w, ID_META, meta, sizeof meta) ||
        rp_stage_w_put(w, ID_FIRST, ps.first, (r->ntasks + 1) * sizeof *ps.first) ||
        put_slices(w, ID_SKIP, ID_SOFF, ID_SSUM, skip, sizeof *skip, soff, r->ntasks) < 0 ||
        rp_stage_w_put(w, ID_LBASE, ps.lbase, r->ntasks * sizeof *ps.lbase))
        goto oom;
    rc = save_task(r, w, "ids", part);
    if (rc == 0 && r->progress)
        diag("dist: ids %u/%u: %llu ids, %lld given again and skipped", part + 1, r->nparts,
             (unsigned long long)ne, dups);
    goto out;
oom:
    diag("out of memory");
out:
    notes_flush(&notes);
    free(e);
    free(skip);
    free(soff);
    rp_stage_w_free(w);
    input_close(in);
    plan_set_close(&ps, r->ntasks);
    return rc;
}

/* Opens ids.Q partially, its small sections checked (and *first the
 * same as ids.0's when given). @return 0 or -1 (reported). */
static int ids_open(const run *r, unsigned q, rp_stage **s, const uint64_t **meta,
                    const uint64_t **first)
{
    char name[32];
    size_t ml, fl;
    snprintf(name, sizeof name, "ids.%u", q);
    if (load_file(r, name, RP_STAGE_PLAN | RP_STAGE_PARTIAL, s) < 0)
        return -1;
    int bad = rp_stage_check_sec(*s, ID_META) != RP_OK || rp_stage_check_sec(*s, ID_FIRST) != RP_OK;
    const uint64_t *m = rp_stage_sec(*s, ID_META, &ml), *f = rp_stage_sec(*s, ID_FIRST, &fl);
    bad = bad || ml != 3 * sizeof *m || fl != (r->ntasks + 1) * sizeof *f || f[0] != 0 ||
          f[r->ntasks] != m[2] || (*first && memcmp(*first, f, fl) != 0);
    for (unsigned j = 0; !bad && j < r->ntasks; j++)
        bad = f[j] > f[j + 1];
    if (bad) {
        diag("%s/%s: damaged, or of another ids task's plan", safe(r->work), name);
        return -1;
    }
    *meta = m;
    *first = f;
    return 0;
}

/* Opens the plan for the later stages: every plan task's count from
 * ids.0 (the plan files themselves when first needed), and with slice
 * >= 0 the documents of sketch task slice that the ids stage skipped
 * (sorted, malloc'd into *skip, *ns of them). @return 0 or -1
 * (reported; plan_set_close frees what was opened). */
static int plan_set_open(const run *r, plan_set *ps, long slice, uint64_t **skip, size_t *ns)
{
    size_t scap = 0;
    const uint64_t *first0 = NULL;
    rp_stage *s0 = NULL;
    int rc = -1;
    *skip = NULL;
    *ns = 0;
    if (plan_set_init(r, ps) < 0)
        return -1;
    for (unsigned q = 0; q < (slice >= 0 ? r->nparts : 1); q++) {
        rp_stage *s = NULL;
        const uint64_t *meta, *first = first0;
        char name[32];
        uint64_t n = 0;
        snprintf(name, sizeof name, "ids.%u", q);
        if (ids_open(r, q, &s, &meta, &first) < 0) {
            rp_stage_close(s);
            goto out;
        }
        const uint64_t *sk = slice >= 0 ? slice_of(r, name, s, ID_SKIP, ID_SOFF, ID_SSUM, 8,
                                                   (unsigned)slice, r->ntasks, &n)
                                        : first;
        if (sk && n && cli_grow(skip, &scap, *ns + n, sizeof **skip) < 0) {
            diag("out of memory");
            sk = NULL;
        }
        if (sk && n)
            memcpy(*skip + *ns, sk, n * sizeof *sk);
        *ns += n;
        if (q == 0) {
            s0 = s;
            first0 = first;
        } else {
            rp_stage_close(s);
        }
        if (!sk)
            goto out;
    }
    memcpy(ps->first, first0, (r->ntasks + 1) * sizeof *first0);
    size_t bl;
    const uint64_t *lb = rp_stage_sec(s0, ID_LBASE, &bl);
    if (rp_stage_check_sec(s0, ID_LBASE) != RP_OK || bl != r->ntasks * sizeof *lb) {
        diag("%s/ids.0: damaged (checksum)", safe(r->work));
        goto out;
    }
    memcpy(ps->lbase, lb, bl);
    if (*ns)
        qsort(*skip, *ns, sizeof **skip, cmp_u64);
    rc = 0;
out:
    rp_stage_close(s0);
    return rc;
}

/* The inputs skipped before the sketch (the list's, the plan tasks',
 * the ids given twice), and whether the filters left no file.
 * @return 0 or -1 (reported). */
static int plan_totals(const run *r, uint64_t *skipped, uint64_t *nomatch)
{
    rp_stage *ls = NULL, *s0 = NULL;
    const uint64_t *lm, *first = NULL;
    int rc = list_open(r, &ls, &lm);
    if (rc == 0) {
        *skipped = lm[1];
        *nomatch = lm[2];
    }
    for (unsigned q = 0; rc == 0 && q < r->nparts; q++) {
        rp_stage *s = NULL;
        const uint64_t *meta;
        rc = ids_open(r, q, &s, &meta, &first);
        if (rc == 0)
            *skipped += meta[0] + (q == 0 ? meta[1] : 0);
        if (q == 0 && rc == 0)
            s0 = s;
        else
            rp_stage_close(s);
    }
    rp_stage_close(s0);
    rp_stage_close(ls);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Stage sketch: shard I of the documents                               */
/* ------------------------------------------------------------------ */

/* What a sketch task keeps of its documents for docs.I. */
typedef struct shard_docs {
    uint64_t *plan;
    keep_doc *kd;
    uint64_t *foff;        /* n + 1 offsets into fields (equal: none) */
    char *fields;
    uint64_t *toff;        /* n + 1 offsets into text (equal: not kept) */
    char *text;
    size_t n, pcap, kcap, ocap, flen, fcap, tocap, tlen, tcap;
} shard_docs;

static int shard_add(const run *r, shard_docs *sd, uint64_t k, const feed_item *it)
{
    int keep = r->so.keep != KEEP_REPRESENTATIVE || r->so.nprefer, fields = r->so.nfields_in > 0;
    if (cli_grow(&sd->plan, &sd->pcap, sd->n + 1, sizeof *sd->plan) < 0 ||
        (keep && cli_grow(&sd->kd, &sd->kcap, sd->n + 1, sizeof *sd->kd) < 0) ||
        (fields && cli_grow(&sd->foff, &sd->ocap, sd->n + 2, sizeof *sd->foff) < 0))
        return -1;
    if (keep)
        scan_keep_doc(&r->so, &it->r, it->doc, it->mtime_ms, &sd->kd[sd->n]);
    /* a document inside a compressed file or an archive, which cannot be
     * sought: its text, so that the verification reads it without
     * decompressing its file up to it for every document */
    const record_loc *l = &it->r.loc;
    int keept = l->at == INPUT_NO_OFFSET && (l->member || l->num > 1);
    if (cli_grow(&sd->toff, &sd->tocap, sd->n + 2, sizeof *sd->toff) < 0 ||
        (keept && cli_grow(&sd->text, &sd->tcap, sd->tlen + it->r.len, 1) < 0))
        return -1;
    sd->toff[sd->n] = sd->tlen;
    if (keept) {
        memcpy(sd->text + sd->tlen, it->r.text, it->r.len);
        sd->tlen += it->r.len;
    }
    sd->toff[sd->n + 1] = sd->tlen;
    if (!fields) {
        sd->plan[sd->n++] = k;
        return 0;
    }
    sd->foff[sd->n] = sd->flen;
    if (it->r.meta) {
        size_t m = it->r.metalen + 1;   /* with scan's NUL after the values */
        if (cli_grow(&sd->fields, &sd->fcap, sd->flen + m, 1) < 0)
            return -1;
        memcpy(sd->fields + sd->flen, it->r.meta, m);
        sd->flen += m;
    }
    sd->foff[sd->n + 1] = sd->flen;
    sd->plan[sd->n++] = k;
    return 0;
}

static int shard_save(const run *r, const shard_docs *sd, unsigned task)
{
    rp_stage_w *w = NULL;
    uint64_t meta[1] = {sd->n};
    uint64_t zero = 0;
    char name[32];
    snprintf(name, sizeof name, "docs.%u", task);
    int bad = rp_stage_w_new(RP_STAGE_PLAN, r->fp, task, r->ntasks, DS_NSEC, &w) != RP_OK ||
              rp_stage_w_put(w, DS_META, meta, sizeof meta) ||
              rp_stage_w_put(w, DS_PLAN, sd->plan, sd->n * sizeof *sd->plan) ||
              (sd->kd && rp_stage_w_put(w, DS_KEEP, sd->kd, sd->n * sizeof *sd->kd)) ||
              (r->so.nfields_in && rp_stage_w_put(w, DS_FOFF, sd->n ? sd->foff : &zero,
                                                  (sd->n + 1) * sizeof *sd->foff)) ||
              rp_stage_w_put(w, DS_FIELDS, sd->fields, sd->flen) ||
              (sd->tlen && rp_stage_w_put(w, DS_TOFF, sd->toff, (sd->n + 1) * sizeof *sd->toff)) ||
              rp_stage_w_put(w, DS_TEXT, sd->text, sd->tlen);
    int rc = -1;
    if (bad)
        diag("out of memory");
    else
        rc = save_file(r, w, name);
    rp_stage_w_free(w);
    return rc;
}

static void shard_free(shard_docs *sd)
{
    free(sd->plan);
    free(sd->kd);
    free(sd->foff);
    free(sd->fields);
    free(sd->toff);
    free(sd->text);
}

static int stage_sketch(run *r, unsigned task)
{
    plan_set ps;
    shard_docs sd = {0};
    size_t skipped = 0, ns = 0, si = 0;
    uint64_t *skip = NULL;
    input *in = NULL;
    int rc = -1;
    if (plan_set_open(r, &ps, task, &skip, &ns) < 0)
        goto out;
    uint64_t nd = ps.first[r->ntasks];
    uint64_t lo = nd * task / r->ntasks, hi = nd * (task + 1) / r->ntasks;
    if (!(in = reread_input(r)))
        goto out;
    for (uint64_t k = lo; k < hi; k++) {
        /* an id given twice (the ids stage) */
        while (si < ns && skip[si] < k)
            si++;
        if (si < ns && skip[si] == k)
            continue;
        feed_item it;
        plan_doc pd;
        const char *path;
        int got = reread(r, in, &ps, k, &it, &pd, &path);
        if (got < 0) {
            record_free(&it.r);
            goto out;
        }
        if (got > 0) {
            struct stat st;
            /* a file: its modification time, as scan's feed takes it */
            if (r->so.keep == KEEP_EARLIEST && !it.r.where && stat(it.r.id, &st) == 0)
                it.mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
            it.err = rp_doc_new(it.r.text, it.r.len, r->so.ro, &it.doc);
        }
        if (got == 0 && !it.r.id) {   /* no longer there */
            diag("%s: skipped: %s", safe(path), it.why);
            skipped++;
            continue;
        }
        int use = feed_check(in, &it, &skipped);
        int err = use > 0 ? rp_dist_sketch_add(r->d, it.r.id, it.doc) : RP_OK;
        if (use > 0 && err == RP_OK && shard_add(r, &sd, k, &it) < 0) {
            diag("out of memory");
            use = -1;
        }
        rp_doc_free(it.doc);
        record_free(&it.r);
        if (use < 0)
            goto out;
        if (err != RP_OK) {
            dist_fail(r);
            goto out;
        }
    }
    skipped += input_skipped(in);
    if (shard_save(r, &sd, task) < 0)
        goto out;
    if (rp_dist_sketch_save(r->d, task, skipped) != RP_OK) {
        dist_fail(r);
        goto out;
    }
    rc = 0;
    if (r->progress) {
        rp_dist_stats st;
        rp_dist_stats_get(r->d, &st);
        diag("dist: sketch %u/%u: %llu inputs, %llu documents, %llu lines", task + 1,
             r->ntasks, (unsigned long long)(hi - lo), (unsigned long long)st.docs,
             (unsigned long long)st.lines);
    }
out:
    input_close(in);
    shard_free(&sd);
    free(skip);
    plan_set_close(&ps, r->ntasks);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Documents read again (verify, cluster)                               */
/* ------------------------------------------------------------------ */

/* Every sketch task's docs.I, and the plan: global document number to
 * plan entry, keep facts and field values. */
typedef struct docs {
    plan_set ps;
    rp_stage **s;           /* ntasks */
    uint64_t *first;        /* ntasks + 1 */
    input *in;
} docs;

static void docs_close(docs *ds, unsigned n)
{
    for (unsigned t = 0; ds->s && t < n; t++)
        rp_stage_close(ds->s[t]);
    free(ds->s);
    free(ds->first);
    input_close(ds->in);
    plan_set_close(&ds->ps, n);
    memset(ds, 0, sizeof *ds);
}

/* @return section sec of docs.T, checked to hold n items of size each
 * (NULL when it does not: reported). */
static const void *docs_sec(const run *r, const docs *ds, unsigned t, unsigned sec, size_t size,
                            uint64_t n)
{
    size_t len;
    const void *p = rp_stage_sec(ds->s[t], sec, &len);
    if (!p || len != n * size) {
        diag("%s/docs.%u: damaged (contents)", safe(r->work), t);
        return NULL;
    }
    return p;
}

static int docs_open(run *r, docs *ds)
{
    uint64_t *skip;
    size_t ns;
    memset(ds, 0, sizeof *ds);
    if (plan_set_open(r, &ds->ps, -1, &skip, &ns) < 0)
        return -1;
    if (!(ds->s = calloc(r->ntasks, sizeof *ds->s)) ||
        !(ds->first = calloc(r->ntasks + 1, sizeof *ds->first)) || !(ds->in = reread_input(r))) {
        diag("out of memory");
        return -1;
    }
    for (unsigned t = 0; t < r->ntasks; t++) {
        char name[32];
        snprintf(name, sizeof name, "docs.%u", t);
        /* read by document (bounds-checked); the cluster stage, which
         * reads them all, checks every section */
        if (load_file(r, name, RP_STAGE_PLAN | RP_STAGE_PARTIAL, &ds->s[t]) < 0)
            return -1;
        if (rp_stage_check_sec(ds->s[t], DS_META) != RP_OK) {
            diag("%s/%s: damaged (checksum)", safe(r->work), name);
            return -1;
        }
        const uint64_t *meta = docs_sec(r, ds, t, DS_META, 8, 1);
        if (!meta || !docs_sec(r, ds, t, DS_PLAN, 8, meta[0]))
            return -1;
        ds->first[t + 1] = ds->first[t] + meta[0];
    }
    return 0;
}

/* @return the shard that holds global document g (< first[ntasks]). */
static unsigned docs_shard(const run *r, const docs *ds, uint64_t g)
{
    return task_of(ds->first, r->ntasks, g);
}

/* Reads document g again, as the sketch stage read it (the library's
 * loader). */
static int load_text(void *ctx, uint64_t g, const char *id, char **text, size_t *len)
{
    run *r = ctx;
    docs *ds = r->docs;
    if (g >= ds->first[r->ntasks])
        return RP_ELOAD;
    unsigned t = docs_shard(r, ds, g);
    size_t pn;
    const uint64_t *pk = rp_stage_sec(ds->s[t], DS_PLAN, &pn);
    uint64_t k = pk[g - ds->first[t]];
    if (k >= ds->ps.first[r->ntasks])
        return RP_ELOAD;
    uint64_t i = g - ds->first[t], m = ds->first[t + 1] - ds->first[t];
    size_t ol, tl;
    const uint64_t *to = rp_stage_sec(ds->s[t], DS_TOFF, &ol);
    const char *tx = rp_stage_sec(ds->s[t], DS_TEXT, &tl);
    if (to && ol == (m + 1) * sizeof *to && to[i + 1] > to[i]) {   /* kept by the sketch */
        if (to[i + 1] > tl)
            return RP_ELOAD;
        size_t n = (size_t)(to[i + 1] - to[i]);
        if (!(*text = malloc(n + 1)))
            return RP_ENOMEM;
        memcpy(*text, tx + to[i], n);
        (*text)[n] = 0;
        *len = n;
        return RP_OK;
    }
    feed_item it;
    plan_doc pd;
    const char *path;
    int got = reread(r, ds->in, &ds->ps, k, &it, &pd, &path);
    if (got > 0 && strcmp(it.r.id, id) != 0)
        got = 0;
    if (got > 0) {
        *text = it.r.text;
        *len = it.r.len;
        it.r.text = NULL;
    }
    record_free(&it.r);
    return got > 0 ? RP_OK : got < 0 ? RP_ENOMEM : RP_ELOAD;
}

/* ------------------------------------------------------------------ */
/* Stages lines, bucket and verify                                      */
/* ------------------------------------------------------------------ */

static int stage_lines(run *r, unsigned part)
{
    if (rp_dist_lines(r->d, part) != RP_OK)
        return dist_fail(r);
    if (r->progress) {
        rp_dist_stats st;
        rp_dist_stats_get(r->d, &st);
        diag("dist: lines %u/%u: %llu documents, %llu distinct lines, %llu in 2 or more",
             part + 1, r->nparts, (unsigned long long)st.docs, (unsigned long long)st.lines,
             (unsigned long long)st.kept);
    }
    return 0;
}

static int stage_bucket(run *r, unsigned part)
{
    if (rp_dist_bucket(r->d, part) != RP_OK)
        return dist_fail(r);
    if (r->progress) {
        rp_dist_stats st;
        rp_dist_stats_get(r->d, &st);
        diag("dist: bucket %u/%u: %llu documents, %llu candidates, %llu kept", part + 1,
             r->nparts, (unsigned long long)st.docs, (unsigned long long)st.candidates,
             (unsigned long long)st.kept);
    }
    return 0;
}

static int stage_verify(run *r, unsigned task)
{
    docs ds;
    int rc = -1;
    r->docs = &ds;
    if (docs_open(r, &ds) < 0)
        goto out;
    if (rp_dist_verify(r->d, task, load_text, r) != RP_OK) {
        dist_fail(r);
        goto out;
    }
    rc = 0;
    if (r->progress) {
        rp_dist_stats st;
        rp_dist_stats_get(r->d, &st);
        diag("dist: verify %u/%u: %llu candidates, %llu documents read again, %llu similar",
             task + 1, r->ntasks, (unsigned long long)st.candidates,
             (unsigned long long)st.read, (unsigned long long)st.similar);
    }
out:
    docs_close(&ds, r->ntasks);
    r->docs = NULL;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Stages components and cluster; the output                            */
/* ------------------------------------------------------------------ */

static int stage_components(run *r)
{
    if (rp_dist_components(r->d) != RP_OK)
        return dist_fail(r);
    if (r->progress) {
        rp_dist_stats st;
        rp_dist_stats_get(r->d, &st);
        diag("dist: components: %llu pairs, %llu documents with pairs, %llu components",
             (unsigned long long)st.similar, (unsigned long long)st.read,
             (unsigned long long)st.kept);
    }
    return 0;
}

/* Fills sr's keep facts and field values of the task's documents (local
 * number i is global docs[i]) from the docs.I files, as scan's add_one
 * fills them, and applies the --keep rule. @return 0 or -1. */
static int docs_result(run *r, const docs *ds, scan_result *sr, const uint64_t *gd, size_t nd)
{
    int keep = r->so.keep != KEEP_REPRESENTATIVE || r->so.nprefer;
    sr->n = nd;
    if (!keep && !r->so.nfields_in)
        return 0;
    if ((keep && !(sr->kd = malloc((nd ? nd : 1) * sizeof *sr->kd))) ||
        !(sr->info = calloc(nd ? nd : 1, sizeof *sr->info))) {
        diag("out of memory");
        return -1;
    }
    for (size_t i = 0; i < nd; i++) {
        unsigned t = docs_shard(r, ds, gd[i]);
        uint64_t m = ds->first[t + 1] - ds->first[t], k = gd[i] - ds->first[t];
        if (keep) {
            const keep_doc *kd = docs_sec(r, ds, t, DS_KEEP, sizeof *kd, m);
            if (!kd)
                return -1;
            sr->kd[i] = kd[k];
        }
        if (!r->so.nfields_in)
            continue;
        const uint64_t *fo = docs_sec(r, ds, t, DS_FOFF, 8, m + 1);
        size_t flen;
        const char *f = rp_stage_sec(ds->s[t], DS_FIELDS, &flen);
        if (!fo)
            return -1;
        if (fo[k] > fo[k + 1] || fo[k + 1] > flen) {
            diag("%s/docs.%u: damaged (contents)", safe(r->work), t);
            return -1;
        }
        size_t len = (size_t)(fo[k + 1] - fo[k]);
        if (!len)
            continue;
        if (cli_grow(&sr->meta, &sr->metacap, sr->metalen + len + 1, 1) < 0) {
            diag("out of memory");
            return -1;
        }
        memcpy(sr->meta + sr->metalen, f + fo[k], len);
        sr->info[i].meta = sr->metalen + 1;
        sr->metalen += len;
    }
    return scan_apply_keep(&r->so, sr);
}

static int stage_cluster(run *r, unsigned task)
{
    docs ds;
    rp_corpus *c = NULL;
    rp_stage_w *w = NULL;
    scan_result sr = {0};
    const uint64_t *gd = NULL;
    size_t nd = 0;
    uint64_t meta[CM_N] = {0};
    int rc = -1;
    r->docs = &ds;
    if (docs_open(r, &ds) < 0)
        goto out;
    if (rp_dist_cluster_task(r->d, task, load_text, r, &c, &gd, &nd) != RP_OK) {
        dist_fail(r);
        goto out;
    }
    rp_dist_stats st;
    rp_dist_stats_get(r->d, &st);
    if (st.docs != ds.first[r->ntasks]) {
        diag("%s/docs.*: do not match the sketches", safe(r->work));
        goto out;
    }
    /* the run's counts go with task 0's file */
    if (task == 0) {
        uint64_t skipped = 0, nomatch = 0;
        if (plan_totals(r, &skipped, &nomatch) < 0)
            goto out;
        meta[CM_DOCS] = st.docs;
        meta[CM_SKIPPED] = skipped + st.skipped;
        meta[CM_CAPPED] = st.capped;
        if (st.docs == 0 && !nomatch) {   /* as scan's input_finish */
            diag("no documents read");
            meta[CM_SKIPPED]++;
        }
    }
    for (size_t i = 0; i < nd; i++)
        if (rp_dist_lost(r->d, i)) {
            diag("%s: changed or unreadable during the scan; left out of the pairs",
                 safe(rp_corpus_id(c, i)));
            meta[CM_SKIPPED]++;
        }
    sr.c = c;
    if (docs_result(r, &ds, &sr, gd, nd) < 0)
        goto out;
    meta[CM_UNDATED] = sr.undated;
    if (rp_stage_w_new(RP_STAGE_CLUSTER, r->fp, task, r->ntasks, CL_NSEC, &w) != RP_OK) {
        diag("out of memory");
        goto out;
    }
    if (distout_put(&r->so, &sr, gd, w, meta) < 0)
        goto out;
    if (rp_stage_w_put(w, CL_META, meta, sizeof meta) != RP_OK) {
        diag("out of memory");
        goto out;
    }
    char name[32];
    snprintf(name, sizeof name, "cluster.%u", task);
    rc = save_file(r, w, name);
    if (rc == 0 && r->progress)
        diag("dist: cluster %u/%u: %zu documents, %llu verified pairs, %zu clusters", task + 1,
             r->ntasks, nd, (unsigned long long)st.similar, rp_corpus_nclusters(c));
out:
    free(sr.kd);
    free(sr.info);
    free(sr.meta);
    rp_corpus_free(c);
    docs_close(&ds, r->ntasks);
    r->docs = NULL;
    rp_stage_w_free(w);
    return rc;
}

/* Prints the output: every cluster task's file, merged. @return its exit
 * code, or EXIT_TROUBLE. */
static int print_result(const run *r)
{
    rp_stage **s = calloc(r->ntasks, sizeof *s);
    int code = EXIT_TROUBLE;
    if (!s) {
        diag("out of memory");
        return code;
    }
    unsigned t = 0;
    for (; t < r->ntasks; t++) {
        char name[32];
        snprintf(name, sizeof name, "cluster.%u", t);
        if (load_file(r, name, RP_STAGE_CLUSTER, &s[t]) < 0)
            break;
    }
    if (t == r->ntasks)
        code = distout_print(&r->so, s, r->ntasks, r->work);
    for (t = 0; t < r->ntasks; t++)
        rp_stage_close(s[t]);
    free(s);
    return code;
}
/* ------------------------------------------------------------------ */
/* Running stages                                                       */
/* ------------------------------------------------------------------ */

static unsigned stage_tasks(const run *r, int stage)
{
    switch (stage) {
    case S_PLAN:
    case S_SKETCH:
    case S_VERIFY:
    case S_CLUSTER: return r->ntasks;
    case S_IDS:
    case S_LINES:
    case S_BUCKET: return r->nparts;
    default: return 1;
    }
}

/* A task that fails on purpose, for the tests of relaunch:
 * REPRINT_DIST_FAIL=STAGE.TASK. */
static int fail_on_purpose(int stage, unsigned task)
{
    const char *f = getenv("REPRINT_DIST_FAIL");
    char want[64];
    snprintf(want, sizeof want, "%s.%u", stage_name[stage], task);
    return f && strcmp(f, want) == 0;
}

/* Runs task `task` of stage in this process. @return an exit code. */
static int run_task(run *r, int stage, unsigned task)
{
    if (task >= stage_tasks(r, stage)) {
        diag("dist: %s: task %u out of range (the stage has %u)", stage_name[stage], task,
             stage_tasks(r, stage));
        return EXIT_TROUBLE;
    }
    if (fail_on_purpose(stage, task)) {
        diag("dist: %s task %u: failing on purpose (REPRINT_DIST_FAIL)", stage_name[stage], task);
        return EXIT_TROUBLE;
    }
    int rc;
    switch (stage) {
    case S_LIST: rc = stage_list(r); break;
    case S_PLAN: rc = stage_plan(r, task); break;
    case S_IDS: rc = stage_ids(r, task); break;
    case S_SKETCH: rc = stage_sketch(r, task); break;
    case S_LINES: rc = stage_lines(r, task); break;
    case S_BUCKET: rc = stage_bucket(r, task); break;
    case S_VERIFY: rc = stage_verify(r, task); break;
    case S_COMPONENTS: rc = stage_components(r); break;
    default: rc = stage_cluster(r, task); break;
    }
    if (rc == 0)
        rc = mark_done(r, stage, task);
    return rc == 0 ? EXIT_OK : EXIT_TROUBLE;
}

static void run_free(run *r)
{
    scan_opts_free(&r->so);
    free(r->argv);
    rp_dist_free(r->d);
    rp_stage_close(r->cfg);
}

/* Path of this program, for the tasks. */
static int self_exe(char *buf, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0) {
        diag("dist: cannot find this program: %s", strerror(errno));
        return -1;
    }
    buf[k] = 0;
    return 0;
}

/* Runs the tasks of every stage still to do on this machine, `jobs` at a
 * time, each as its own process. @return 0, or -1 (reported). */
static int run_local(run *r, unsigned jobs)
{
    char exe[PATH_MAX];
    if (self_exe(exe, sizeof exe) < 0)
        return -1;
    for (int st = 0; st < NSTAGES; st++) {
        unsigned nt = stage_tasks(r, st), next = 0, running = 0, failed = 0, ran = 0;
        double t0 = cli_now();
        while (next < nt || running > 0) {
            while (next < nt && running < jobs) {
                unsigned t = next++;
                if (is_done(r, st, t))
                    continue;
                pid_t pid = fork();
                if (pid < 0) {
                    diag("dist: cannot start a task: %s", strerror(errno));
                    failed++;
                    continue;
                }
                if (pid == 0) {
                    char ts[32];
                    snprintf(ts, sizeof ts, "%u", t);
                    char *av[] = {exe, "dist", (char *)(uintptr_t)stage_name[st], "--work",
                                  (char *)(uintptr_t)r->work, "--task", ts, NULL};
                    execv(exe, av);
                    _exit(127);
                }
                running++;
                ran++;
            }
            if (running == 0)
                break;
            int status;
            pid_t w = wait(&status);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            running--;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                failed++;
        }
        if (failed) {
            diag("dist: %s: %u task%s failed; run the same command again to run only the "
                 "tasks left", stage_name[st], failed, failed == 1 ? "" : "s");
            return -1;
        }
        if (r->progress)
            diag("dist: %s: %u task%s run, %u done before, %.2fs", stage_name[st], ran,
                 ran == 1 ? "" : "s", nt - ran, cli_now() - t0);
    }
    return 0;
}

/* Splits s at spaces into av (appended). @return 0 or -1. */
static int split_args(const char *s, char ***av, size_t *n, size_t *cap)
{
    char *copy = strdup(s ? s : "");
    if (!copy)
        return -1;
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
        if (cli_grow(av, cap, *n + 2, sizeof **av) < 0)
            return -1;
        (*av)[(*n)++] = strdup(tok);
    }
    free(copy);
    return 0;
}

/* Runs argv with stdout captured into out (at most n bytes). @return the
 * exit status, or -1. */
static int capture(char *const *argv, char *out, size_t n)
{
    int fd[2];
    if (pipe(fd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t got = 0;
    for (;;) {
        ssize_t k = read(fd[0], out + got, n - 1 - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
        if (got == n - 1)
            break;
    }
    out[got] = 0;
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Submits the stages still to do as Slurm job arrays chained with
 * afterok; prints their ids. ids receives the ids, comma-separated.
 * @return 0 or -1. */
static int run_slurm(run *r, const char *extra, int wait, char *ids, size_t idlen)
{
    char exe[PATH_MAX], prev[256] = "";
    if (self_exe(exe, sizeof exe) < 0)
        return -1;
    ids[0] = 0;
    for (int st = 0; st < NSTAGES; st++) {
        unsigned nt = stage_tasks(r, st);
        char *list = malloc((size_t)nt * 12 + 2);
        size_t ll = 0;
        if (!list)
            return -1;
        list[0] = 0;
        for (unsigned t = 0; t < nt; t++)
            if (!is_done(r, st, t))
                ll += (size_t)sprintf(list + ll, "%s%u", ll ? "," : "", t);
        if (ll == 0) {
            free(list);
            continue;
        }
        char **av = NULL;
        size_t n = 0, cap = 0;
        char dep[300], out[PATH_MAX], name[64], wrap[2 * PATH_MAX + 64];
        char *arrs = malloc(ll + 16);
        if (!arrs) {
            free(list);
            return -1;
        }
        snprintf(arrs, ll + 16, "--array=%s", list);
        snprintf(name, sizeof name, "--job-name=reprint-%s", stage_name[st]);
        snprintf(out, sizeof out, "--output=%s/log/%s_%%a.out", r->work, stage_name[st]);
        snprintf(wrap, sizeof wrap, "exec '%s' dist %s --work '%s'", exe, stage_name[st],
                 r->work);
        int bad = split_args("sbatch --parsable --cpus-per-task=1 --kill-on-invalid-dep=yes",
                             &av, &n, &cap) < 0 || split_args(extra, &av, &n, &cap) < 0 ||
                  cli_grow(&av, &cap, n + 8, sizeof *av) < 0;
        if (!bad) {
            av[n++] = strdup(arrs);
            av[n++] = strdup(name);
            av[n++] = strdup(out);
            if (prev[0]) {
                snprintf(dep, sizeof dep, "--dependency=afterok:%s", prev);
                av[n++] = strdup(dep);
            }
            av[n++] = strdup("--wrap");
            av[n++] = strdup(wrap);
            av[n] = NULL;
        }
        free(arrs);
        char got[256];
        int rc = bad ? -1 : capture(av, got, sizeof got);
        for (size_t i = 0; i < n; i++)
            free(av[i]);
        free(av);
        got[strcspn(got, ";\n")] = 0;
        if (rc != 0 || !got[0] || strspn(got, "0123456789") != strlen(got)) {
            free(list);
            diag("dist: sbatch failed for stage %s (exit %d)", stage_name[st], rc);
            return -1;
        }
        snprintf(prev, sizeof prev, "%s", got);
        /* the ids on stdout, or on stderr when the result follows there */
        if (wait)
            diag("dist: %s: job %s, tasks %s", stage_name[st], got, list);
        else
            printf("%s %s\n", stage_name[st], got);
        free(list);
        size_t il = strlen(ids);
        snprintf(ids + il, idlen - il, "%s%s", il ? "," : "", got);
    }
    return fflush(stdout) == 0 ? 0 : -1;
}

/* Waits until none of the jobs is in squeue. @return 0 or -1. */
static int wait_slurm(const char *ids)
{
    if (!ids[0])
        return 0;
    for (;;) {
        char out[4096];
        char *av[] = {"squeue", "-h", "-o", "%i", "-j", (char *)(uintptr_t)ids, NULL};
        int rc = capture(av, out, sizeof out);
        if (rc < 0 || rc == 127) {
            diag("dist: squeue failed");
            return -1;
        }
        if (rc == 0 && out[strspn(out, " \n")] == 0)
            return 0;
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* @return nonzero when every task of stage has its marker. */
static int stage_done(const run *r, int stage)
{
    for (unsigned t = 0; t < stage_tasks(r, stage); t++)
        if (!is_done(r, stage, t))
            return 0;
    return 1;
}

/* Says which stage stopped the run (after a wait). */
static void report_missing(const run *r)
{
    for (int st = 0; st < NSTAGES; st++) {
        unsigned nt = stage_tasks(r, st), miss = 0;
        for (unsigned t = 0; t < nt; t++)
            miss += !is_done(r, st, t);
        if (miss) {
            diag("dist: %s: %u of %u task%s did not finish (see %s/log); run the same "
                 "command again to run only the tasks left", stage_name[st], miss, nt,
                 nt == 1 ? "" : "s", safe(r->work));
            return;
        }
    }
}

/* Removes the work folder's files (only those dist writes). */
static int clean_work(const char *work)
{
    DIR *d;
    const char *sub[] = {"done", "log", ""};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s%s%s", work, sub[i][0] ? "/" : "", sub[i]);
        if (!(d = opendir(dir)))
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            const char *n = e->d_name;
            int ours = i < 2 ? n[0] != '.' :
                       strcmp(n, "config") == 0 || strcmp(n, "list") == 0 ||
                       strncmp(n, "plan.", 5) == 0 || strncmp(n, "ids.", 4) == 0 ||
                       strncmp(n, "list.tmp.", 9) == 0 || strncmp(n, "components", 10) == 0 ||
                       strncmp(n, "cluster.", 8) == 0 ||
                       strcmp(n, "result") == 0 || strncmp(n, "sketch.", 7) == 0 ||
                       strncmp(n, "lines.", 6) == 0 || strncmp(n, "bucket.", 7) == 0 ||
                       strncmp(n, "verify.", 7) == 0 || strncmp(n, "docs.", 5) == 0 ||
                       strncmp(n, "config.tmp.", 11) == 0 ||
                       strncmp(n, "result.tmp.", 11) == 0;
            if (!ours)
                continue;
            char p[2 * PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, n);
            if (unlink(p) < 0) {
                diag("%s: cannot remove: %s", safe(p), strerror(errno));
                rc = -1;
            }
        }
        closedir(d);
        if (i < 2)
            rmdir(dir);
    }
    if (rmdir(work) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
        rc = -1;
    return rc;
}

/* Warns when the work folder is on a filesystem local to this machine
 * while the tasks may run elsewhere. */
static void check_shared(const char *work)
{
    struct statfs sf;
    if (statfs(work, &sf) == 0 && (sf.f_type == 0x01021994 /* tmpfs */ ||
                                   sf.f_type == 0x858458f6 /* ramfs */))
        diag("dist: note: %s is on a filesystem local to this machine (tmpfs); Slurm "
             "tasks on other nodes cannot see it", safe(work));
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int parse_count(const char *name, const char *arg, unsigned *out)
{
    unsigned long u;
    if (parse_uint(name, arg, 1, MAX_TASKS, &u) < 0)
        return -1;
    *out = (unsigned)u;
    return 0;
}

/* Drops from the scan options those that change only how a run shows
 * its progress or how many threads it uses, not its answer, so that a
 * relaunch with or without them is the same run. The rest are kept as
 * given (scan_parse has checked them). @return the new argc. */
static int run_identity(int argc, char **argv)
{
    int w = 1, i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == 0)
            break;
        if (strcmp(a, "--progress") == 0 || strcmp(a, "--no-progress") == 0 ||
            strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0 || strcmp(a, "--stats") == 0 ||
            strncmp(a, "--threads=", 10) == 0 || (strncmp(a, "-j", 2) == 0 && a[2]))
            continue;
        if (strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) {
            i++;
            continue;
        }
        argv[w++] = argv[i];
    }
    for (; i < argc; i++)
        argv[w++] = argv[i];
    argv[w] = NULL;
    return w;
}

static int cmd_run(int argc, char **argv)
{
    run r = {0};
    int local = 0, slurm = 0, wait = 0, clean = 0, code = EXIT_TROUBLE, i = 1;
    const char *extra = NULL;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--local") == 0)
            local = 1;
        else if (strcmp(a, "--slurm") == 0)
            slurm = 1;
        else if (strcmp(a, "--wait") == 0)
            wait = 1;
        else if (strcmp(a, "--clean") == 0)
            clean = 1;
        else if (i + 1 < argc && strcmp(a, "--tasks") == 0) {
            if (parse_count("--tasks", argv[++i], &r.ntasks) < 0)
                return fail_usage();
        } else if (i + 1 < argc && strcmp(a, "--parts") == 0) {
            if (parse_count("--parts", argv[++i], &r.nparts) < 0)
                return fail_usage();
        } else if (i + 1 < argc && strcmp(a, "--work") == 0)
            r.work = argv[++i];
        else if (i + 1 < argc && strcmp(a, "--sbatch") == 0)
            extra = argv[++i];
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return finish_output(EXIT_OK);
        } else
            break;
    }
    if (local == slurm) {
        diag("dist run: give one of --local and --slurm");
        return fail_usage();
    }
    if (!r.ntasks || !r.work) {
        diag("dist run: --tasks and --work are required");
        return fail_usage();
    }
    if (!r.nparts)
        r.nparts = r.ntasks;
    /* the scan options and PATHs, as argv for scan_parse: "dist" first */
    char **sargv = malloc((size_t)(argc - i + 2) * sizeof *sargv);
    if (!sargv) {
        diag("out of memory");
        return EXIT_TROUBLE;
    }
    sargv[0] = "dist";
    for (int k = i; k < argc; k++)
        sargv[k - i + 1] = argv[k];
    int sargc = argc - i + 1;
    sargv[sargc] = NULL;
    if (parse_scan(&r, sargc, sargv) < 0) {
        free(sargv);
        scan_opts_free(&r.so);
        return fail_usage();
    }
    r.progress = r.so.io.progress > 0 || (r.so.io.progress < 0 && isatty(STDERR_FILENO));
    unsigned jobs = r.so.threads;
    scan_opts_free(&r.so);
    memset(&r.so, 0, sizeof r.so);
    /* PATHs become absolute only through the tasks' working folder: they
     * run in this one (sbatch keeps it) */
    sargc = run_identity(sargc, sargv);
    if (make_dirs(&r) < 0 || write_config(&r, sargc, sargv) < 0) {
        free(sargv);
        return EXIT_TROUBLE;
    }
    free(sargv);
    int progress = r.progress;
    if (load_config(&r) < 0)
        goto out;
    r.progress = progress;
    if (local) {
        if (run_local(&r, jobs) < 0)
            goto out;
        code = print_result(&r);
    } else {
        char ids[4096];
        check_shared(r.work);
        if (run_slurm(&r, extra, wait, ids, sizeof ids) < 0)
            goto out;
        if (!wait) {
            code = EXIT_OK;
            goto out;
        }
        if (wait_slurm(ids) < 0)
            goto out;
        if (!stage_done(&r, S_CLUSTER)) {
            report_missing(&r);
            goto out;
        }
        code = print_result(&r);
    }
    if (clean && code != EXIT_TROUBLE && clean_work(r.work) < 0)
        code = EXIT_TROUBLE;
out:
    run_free(&r);
    return code;
}

int cmd_dist(int argc, char **argv)
{
    if (argc < 2) {
        diag("dist: no stage given");
        return fail_usage();
    }
    const char *what = argv[1];
    if (strcmp(what, "-h") == 0 || strcmp(what, "--help") == 0) {
        usage(stdout);
        return finish_output(EXIT_OK);
    }
    if (strcmp(what, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    int stage = -1;
    for (int s = 0; s < NSTAGES; s++)
        if (strcmp(what, stage_name[s]) == 0)
            stage = s;
    int output = strcmp(what, "output") == 0, clean = strcmp(what, "clean") == 0;
    if (stage < 0 && !output && !clean) {
        diag("dist: unknown stage '%s'", safe(what));
        return fail_usage();
    }
    run r = {0};
    const char *task = getenv("SLURM_ARRAY_TASK_ID"), *count = NULL;
    for (int i = 2; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--work") == 0)
            r.work = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--task") == 0)
            task = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--tasks") == 0)
            count = argv[++i];
        else {
            diag("dist %s: unknown option '%s'", what, safe(argv[i]));
            return fail_usage();
        }
    }
    if (!r.work) {
        diag("dist %s: --work is required", what);
        return fail_usage();
    }
    if (clean)
        return clean_work(r.work) < 0 ? EXIT_TROUBLE : EXIT_OK;
    int code = EXIT_TROUBLE;
    if (load_config(&r) < 0)
        goto out;
    r.progress = getenv("SLURM_JOB_ID") != NULL;
    if (output) {
        code = print_result(&r);
        goto out;
    }
    unsigned long t = 0;
    if (task && parse_uint("--task", task, 0, MAX_TASKS, &t) < 0)
        goto out;
    if (!task && stage_tasks(&r, stage) > 1) {
        diag("dist %s: no --task given and no SLURM_ARRAY_TASK_ID", what);
        goto out;
    }
    unsigned long c = 0;
    if (count && (parse_uint("--tasks", count, 1, MAX_TASKS, &c) < 0 ||
                  c != stage_tasks(&r, stage))) {
        if (c)
            diag("dist %s: --tasks %lu, but the run has %u tasks in this stage", what, c,
                 stage_tasks(&r, stage));
        goto out;
    }
    code = run_task(&r, stage, (unsigned)t);
out:
    run_free(&r);
    return code;
}
