/*
 * fuzz_stage.c - fuzz target for the reader of reprint dist's intermediate
 * files (src/stage.c). The bytes are checked as they are, then again with
 * their checksum made right, so that the section table and the bounds
 * behind the checksum are reached too.
 *
 * Checks, beyond "no crash": a file is either refused with RP_EFORMAT and
 * a reason, or every section it hands out lies inside the file, between
 * the table and the checksum. Built with libFuzzer by `make fuzz`;
 * replay.c runs the saved corpus (tests/fuzz/corpus/stage/: files written
 * by a run on corpus/, cut and damaged copies) in `make check`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "reprint.h"
#include "stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_one(const uint8_t *buf, size_t len)
{
    rp_stage s;
    const char *why = NULL;
    int rc = rp_stage_parse(buf, len, 0, &s, &why);
    if (rc != RP_OK) {
        CHECK(rc == RP_EFORMAT && why && *why);
        return;
    }
    CHECK(s.size == len && s.nsec <= RP_STAGE_MAXSEC);
    unsigned long sum = 0;
    for (unsigned i = 0; i < s.nsec; i++) {
        size_t n;
        const uint8_t *p = rp_stage_sec(&s, i, &n);
        CHECK(p >= buf + 48 + 24 * (size_t)s.nsec + 8 && p + n <= buf + len);
        for (size_t k = 0; k < n; k++)
            sum += p[k];
        CHECK(rp_stage_check(&s, i, &why) == RP_OK || (why && *why));
    }
    size_t n;
    CHECK(rp_stage_sec(&s, s.nsec, &n) == NULL && n == 0);
    (void)sum;
    rp_stage_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one(data, size);
    if (size >= 48) {
        uint8_t *copy = malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data, size);
        uint32_t nsec;
        memcpy(&nsec, copy + 32, 4);
        uint64_t end = 48 + 24 * (uint64_t)(nsec % 65) + 8;
        if (end <= size) {
            uint64_t h = XXH3_64bits(copy, end - 8);
            memcpy(copy + end - 8, &h, 8);
            check_one(copy, size);
        }
        free(copy);
    }
    return 0;
}
