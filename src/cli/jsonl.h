/*
 * jsonl.h - one line of JSON Lines input to an article record: the id and
 * the text, taken from fields the user names. Pure: no I/O, no messages,
 * so the fuzz target can drive it directly (tests/fuzz/fuzz_jsonl.c).
 */
#ifndef RP_CLI_JSONL_H
#define RP_CLI_JSONL_H

#include <stddef.h>

typedef struct jsonl jsonl;

/* @return a parser reading the id from field id_field and the text from
 * text_field (both borrowed for the parser's life), or NULL when out of
 * memory. Free with jsonl_free (NULL is a no-op). */
jsonl *jsonl_new(const char *id_field, const char *text_field);
void jsonl_free(jsonl *p);

/* Parses one line (without its newline; a trailing CR and white space are
 * allowed) with json-c. The line must be one JSON object; its id field a
 * non-empty string or an integer, its text field a non-empty string.
 * Escapes are decoded, surrogate pairs included; the text may hold any
 * bytes, NUL too (see *len).
 * @param id, text, len  on success receive the id and text, NUL-terminated
 *                       and borrowed from p until its next call or free.
 * @return NULL on success, or the reason the line was refused
 *         ("invalid JSON: ...", "not a JSON object", "missing \"id\"
 *         field", ...), borrowed like the results. */
const char *jsonl_parse(jsonl *p, const char *line, size_t n,
                        const char **id, const char **text, size_t *len);

#endif
