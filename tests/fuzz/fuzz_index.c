/*
 * fuzz_index.c - fuzz target for the index file reader: the bytes become a
 * database file, which is opened read-only as an index; then the settings,
 * the stats, a query and the export run on it.
 *
 * Checks, beyond "no crash": opening either succeeds or fails with an
 * RP_E* code and a message; a query's matches are verified (similar, score
 * within [0, 1]) and best first. Built with libFuzzer by `make fuzz`;
 * replay.c runs the saved corpus (small valid, damaged and foreign
 * databases in tests/fuzz/corpus/index/) in `make check`.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char probe_text[] =
    "Kalomi nerusa tivo bedafu goha jikuma nope quiro suteul vewa xiyo ze "
    "kalomi nerusa tivo bedafu goha jikuma nope quiro suteul vewa xiyo ze.\n";

static int count_cluster(void *ctx, size_t cluster, const rp_index_member *m, size_t n)
{
    size_t *seen = ctx;
    CHECK(cluster == *seen + 1);
    CHECK(n >= 1 && m[0].id != NULL);
    for (size_t i = 0; i < n; i++)
        CHECK(m[i].jaccard >= 0 && m[i].jaccard <= 1);
    *seen = cluster;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], aux[80];
    snprintf(path, sizeof path, "/tmp/rp-fuzz-index-%ld-XXXXXX", (long)getpid());
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);

    rp_index *ix;
    CHECK(rp_index_new(&ix) == RP_OK);
    rp_index_set_busy_timeout(ix, 100);
    int rc = rp_index_open(ix, path, 0, NULL, -1);
    if (rc != RP_OK) {
        CHECK(rc < 0);
        CHECK(rp_index_errmsg(ix)[0] != 0);
    } else {
        rp_options *o;
        int bits;
        CHECK(rp_options_new(&o) == RP_OK);
        CHECK(rp_index_options(ix, o, &bits) == RP_OK);
        CHECK(rp_options_check(o) == RP_OK);
        rp_index_stats st;
        rc = rp_index_stats_get(ix, &st);
        CHECK(rc <= 0);
        rp_doc *d;
        rp_doc_new(probe_text, sizeof probe_text - 1, o, &d);
        rp_options_free(o);
        if (d) {
            rp_index_result r;
            rc = rp_index_query(ix, "probe", d, &r);
            CHECK(rc <= 0);
            for (size_t i = 0; rc == RP_OK && i < r.n; i++) {
                CHECK(r.m[i].sim.similar);
                CHECK(r.m[i].sim.score >= 0 && r.m[i].sim.score <= 1);
                if (i > 0)
                    CHECK(r.m[i - 1].sim.score >= r.m[i].sim.score);
            }
            rp_index_result_free(&r);
            rp_doc_free(d);
        }
        size_t seen = 0;
        rc = rp_index_export(ix, count_cluster, &seen);
        CHECK(rc <= 0);
    }
    rp_index_free(ix);
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
    return 0;
}
