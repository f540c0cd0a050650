/*
 * jsonl.c - the JSON Lines record parser of `reprint scan --input jsonl`.
 *
 * Parsing is json-c's (json_tokener); this file only checks the shape of
 * the record and phrases the reasons for refusing a line. One tokener is
 * reused for every line, and the object of the last line is kept until
 * the next call, so the id and text handed out need no copies.
 */
#define _POSIX_C_SOURCE 200809L
#include "jsonl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "../util.h"

#define MAX_DEPTH 64

struct jsonl {
    json_tokener *tok;
    json_tokener *keytok;      /* decodes the keys found by raw_value() */
    json_object *obj;          /* the last line's object */
    const char *id_field, *text_field;
    char *num;                 /* the last line's integer id, as written */
    size_t numcap;
    char why[160];
};

jsonl *jsonl_new(const char *id_field, const char *text_field)
{
    jsonl *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->tok = json_tokener_new_ex(MAX_DEPTH);
    if (!p->tok) {
        free(p);
        return NULL;
    }
    json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT);
    p->keytok = json_tokener_new_ex(1);
    if (!p->keytok) {
        json_tokener_free(p->tok);
        free(p);
        return NULL;
    }
    p->id_field = id_field;
    p->text_field = text_field;
    return p;
}

void jsonl_free(jsonl *p)
{
    if (!p)
        return;
    json_object_put(p->obj);
    json_tokener_free(p->tok);
    json_tokener_free(p->keytok);
    free(p->num);
    free(p);
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* @return the index just after the JSON value that starts at s[i] (the
 * line is valid JSON: json-c has parsed it), or n. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;   /* past the closing quote */
            if (depth == 0)
                return i < n ? i : n;
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;   /* the end of the object the value is in */
            i++;
            if (--depth == 0)
                return i;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            return i;
        } else {
            i++;
        }
    }
    return n;
}

/* Finds the text of the value of the top-level key in the object on the
 * line, as written (the last one when the key repeats, as json-c keeps).
 * @return 0 with *at and *len, or -1. */
static int raw_value(jsonl *p, const char *s, size_t n, const char *key,
                     size_t *at, size_t *len)
{
    int found = -1;
    size_t i = skip_ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return -1;
    i++;
    for (;;) {
        i = skip_ws(s, n, i);
        if (i >= n || s[i] != '"')
            return found;
        size_t k0 = i, k1 = skip_value(s, n, i);
        i = skip_ws(s, n, k1);
        if (i >= n || s[i] != ':')
            return found;
        size_t v0 = skip_ws(s, n, i + 1), v1 = skip_value(s, n, v0);
        json_tokener_reset(p->keytok);
        json_object *k = json_tokener_parse_ex(p->keytok, s + k0, (int)(k1 - k0));
        if (k && json_object_is_type(k, json_type_string) &&
            strcmp(json_object_get_string(k), key) == 0) {
            *at = v0;
            *len = v1 - v0;
            found = 0;
        }
        json_object_put(k);
        i = skip_ws(s, n, v1);
        if (i >= n || s[i] != ',')
            return found;
        i++;
    }
}

static const char *why(jsonl *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *why(jsonl *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    return p->why;
}

const char *jsonl_parse(jsonl *p, const char *line, size_t n,
                        const char **id, const char **text, size_t *len)
{
    *id = *text = NULL;
    *len = 0;
    json_object_put(p->obj);
    p->obj = NULL;
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    if (n > 0x7FFFFFF0u)
        return "invalid JSON: line too long";
    if (memchr(line, 0, n))
        return "invalid JSON: NUL byte in the line";
    json_tokener_reset(p->tok);
    json_object *o = json_tokener_parse_ex(p->tok, line, (int)n);
    enum json_tokener_error e = json_tokener_get_error(p->tok);
    if (e == json_tokener_continue) {
        /* a bare number or an unfinished value: the line ends here */
        o = json_tokener_parse_ex(p->tok, "", 1);
        e = json_tokener_get_error(p->tok);
    } else if (e == json_tokener_success && json_tokener_get_parse_end(p->tok) < n) {
        json_object_put(o);
        return "invalid JSON: text after the object";
    }
    if (e != json_tokener_success || !o) {
        json_object_put(o);
        return why(p, "invalid JSON: %s", json_tokener_error_desc(e));
    }
    p->obj = o;
    if (!json_object_is_type(o, json_type_object))
        return "not a JSON object";
    json_object *v;
    if (!json_object_object_get_ex(o, p->id_field, &v) || json_object_is_type(v, json_type_null))
        return why(p, "missing \"%s\" field", p->id_field);
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int))
        return why(p, "\"%s\" field is not a string or an integer", p->id_field);
    const char *s = json_object_get_string(v);
    if (!s || !*s)
        return why(p, "empty \"%s\" field", p->id_field);
    if (json_object_is_type(v, json_type_string) &&
        strlen(s) != (size_t)json_object_get_string_len(v))
        return why(p, "NUL character in the \"%s\" field", p->id_field);
    if (json_object_is_type(v, json_type_int)) {
        /* as written: json-c keeps integers in 64 bits, and changes a
         * larger one (to the nearest limit) */
        size_t at = 0, k = 0;
        if (raw_value(p, line, n, p->id_field, &at, &k) < 0 || k == 0)
            return why(p, "\"%s\" field cannot be read", p->id_field);
        if (rp_grow(&p->num, &p->numcap, k + 1, 1) < 0)
            return "out of memory";
        memcpy(p->num, line + at, k);
        p->num[k] = 0;
        s = p->num;
    }
    if (!json_object_object_get_ex(o, p->text_field, &v) || json_object_is_type(v, json_type_null))
        return why(p, "missing \"%s\" field", p->text_field);
    if (!json_object_is_type(v, json_type_string))
        return why(p, "\"%s\" field is not a string", p->text_field);
    if (json_object_get_string_len(v) == 0)
        return "empty text";
    *id = s;
    *text = json_object_get_string(v);
    *len = (size_t)json_object_get_string_len(v);
    return NULL;
}
