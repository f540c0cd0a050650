/*
 * fuzz_jsonl.c - fuzz target for the JSON Lines record parser of `scan -`
 * (src/cli/jsonl.c, compiled in by the Makefile): the input is cut into
 * lines as the stdin reader cuts it, and each line parsed with the default
 * field names and with others.
 *
 * Checks, beyond "no crash": a line is either refused with a reason or
 * gives a non-empty id without NUL bytes and a non-empty text whose length
 * is right and which is NUL-terminated; the values of --fields taken from
 * an accepted line are one NUL-ended, non-empty value per field, each a
 * JSON value json-c parses again; a field error is told in full once,
 * and jsonl_field_reason gives its reason, one of jsonl_reason's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void parse_lines(jsonl *p, const char *s, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(s, '\n', n);
        size_t len = nl ? (size_t)(nl - s) : n;
        const char *id, *text;
        size_t tlen;
        const char *why = jsonl_parse(p, s, len, &id, &text, &tlen);
        const char *reason = jsonl_field_reason(p);
        if (why) {
            CHECK(*why);
            CHECK(!id && !text && tlen == 0);
            /* a field error: its reason starts what is told, and is one
             * of the reasons counted */
            if (reason) {
                size_t k = strlen(reason), c = 0, i = 0;
                const char *r;
                CHECK(strncmp(why, reason, k) == 0);
                while ((r = jsonl_reason(p, i++, &c)) && r != reason)
                    ;
                CHECK(r == reason && c > 0);
            }
        } else {
            CHECK(!reason);
            CHECK(id && *id && text);
            CHECK(tlen > 0 && text[tlen] == 0);
            static const char *const fields[] = {"id", "title", "date", "text", ""};
            size_t mlen;
            const char *m = jsonl_meta(p, s, len, fields, 5, &mlen);
            CHECK(m);
            const char *v = m;
            for (int i = 0; i < 5; i++) {
                size_t k = strlen(v);
                CHECK(k > 0 && (size_t)(v + k - m) < mlen);
                json_object *o = json_tokener_parse(v);
                CHECK(o || strcmp(v, "null") == 0);
                json_object_put(o);
                v += k + 1;
            }
            CHECK((size_t)(v - m) == mlen);
        }
        if (!nl)
            break;
        s = nl + 1;
        n -= len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsonl *p = jsonl_new("id", "text");
    jsonl *q = jsonl_new("url", "body");
    CHECK(p && q);
    parse_lines(p, (const char *)data, size);
    parse_lines(q, (const char *)data, size);
    jsonl_free(p);
    jsonl_free(q);
    return 0;
}
