/*
 * fuzz_distrec.c - fuzz target for the reader of the records of `reprint
 * dist`'s cluster files (src/cli/distrec.c, compiled in by the Makefile),
 * which the output decodes one at a time while it merges the files. The
 * first byte chooses the number of --fields values; the rest is read as a
 * cluster record and as a pair record.
 *
 * Checks, beyond "no crash": a record is either refused or every string
 * it gives (ids, field values) lies inside the input and ends with a NUL
 * there, a field value string holds its values, a related entry names one
 * of the members, and the sort key's id is the representative's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "distrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void inside(const uint8_t *p, size_t len, const char *s, size_t strings)
{
    if (!s)
        return;
    CHECK((const uint8_t *)s >= p && (const uint8_t *)s < p + len);
    const char *q = s;
    for (size_t k = 0; k < strings; k++) {
        size_t room = len - (size_t)((const uint8_t *)q - p);
        const char *nul = memchr(q, 0, room);
        CHECK(nul);
        q = nul + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nfields = data[0] % 3;
    const uint8_t *p = data + 1;
    size_t len = size - 1;
    /* a copy of its own size, so that a read past the record is caught */
    uint8_t *rec = malloc(len ? len : 1);
    if (!rec)
        return 0;
    memcpy(rec, p, len);
    distrec_buf b = {0};
    scan_cluster cl;
    if (distrec_cluster(rec, len, nfields, &b, &cl) == 0) {
        CHECK(cl.n >= 1);
        for (size_t j = 0; j < cl.n + cl.nrel; j++) {
            inside(rec, len, cl.m[j].id, 1);
            inside(rec, len, cl.meta[j], nfields);
            if (j >= cl.n) {
                int found = 0;
                for (size_t k = 0; k < cl.n; k++)
                    found |= cl.m[j].with == cl.m[k].id;
                CHECK(found);
            } else {
                CHECK(!cl.m[j].with);
            }
        }
        uint64_t k0, k1;
        const char *id;
        distrec_key(rec, len, 0, &k0, &k1, &id);
        CHECK(k1 == cl.n && strcmp(id, cl.m[0].id) == 0);
    }
    distrec_buf_free(&b);
    const char *a, *bb, *ma, *mb;
    rp_sim s;
    if (distrec_pair(rec, len, nfields, &a, &bb, &s, &ma, &mb) == 0) {
        inside(rec, len, a, 1);
        inside(rec, len, bb, 1);
        inside(rec, len, ma, nfields);
        inside(rec, len, mb, nfields);
    }
    uint64_t k0, k1;
    const char *id;
    distrec_key(rec, len, 1, &k0, &k1, &id);
    free(rec);
    return 0;
}
