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

/* After jsonl_parse refused a line for a field error (a missing, empty
 * or mistyped id or text field): @return how many lines were refused for
 * the same reason before it. The first time (0) the reason names the
 * fields the line has and, when one looks meant, suggests it ("missing
 * \"id\" field (the line has \"url\", \"body\"; use --id-field url)"),
 * so that a caller can report the first and count the others. 0 after
 * any other result. */
size_t jsonl_repeat(const jsonl *p);

/* @return the reason (without its hint) jsonl_parse refused the last line
 * for when that was a field error, as jsonl_reason() gives it; else NULL. */
const char *jsonl_field_reason(const jsonl *p);

/* The field errors seen so far, i = 0, 1, ... (at most 8 reasons are
 * told apart): @return reason i without its hint, with *count the lines
 * refused for it, or NULL past the last one. */
const char *jsonl_reason(const jsonl *p, size_t i, size_t *count);

/* Forgets the field errors seen so far, at the end of a file: the next
 * file's are told and counted afresh. */
void jsonl_forget(jsonl *p);

/* The values of fields[0..k) in the object on line[0..n) (a line that
 * jsonl_parse accepted), as written: each raw JSON value followed by a
 * NUL byte, "null" for a field the line lacks.
 * @return the values (borrowed from p until the next jsonl_meta call) and
 *         their total length in *len, or NULL when out of memory. */
const char *jsonl_meta(jsonl *p, const char *line, size_t n, const char *const *fields,
                       size_t k, size_t *len);

#endif
