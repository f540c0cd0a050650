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

#include "cliutil.h"

#define MAX_DEPTH 64

/* Field errors are told once per reason, then counted (jsonl_repeat). */
#define MAX_REASONS 8

struct jsonl {
    json_tokener *tok;
    json_tokener *keytok;      /* decodes the keys found by raw_value() */
    json_object *obj;          /* the last line's object */
    const char *id_field, *text_field;
    char *num;                 /* the last line's integer id, as written */
    size_t numcap;
    char why[512];
    char *meta;                /* jsonl_meta's result */
    size_t metacap;
    struct reason {
        char text[96];         /* the reason without its hint */
        size_t count;
    } reason[MAX_REASONS];
    size_t nreason;
    size_t repeat;             /* jsonl_repeat of the last line */
    const char *last;          /* jsonl_field_reason of the last line */
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
    free(p->meta);
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

/* Names a field of o that could be meant instead of the missing one:
 * the first of the usual names present, else, for the text, the longest
 * string field. @return the name (borrowed from o) or NULL. */
static const char *guess(json_object *o, int text, const char *not)
{
    static const char *const ids[] = {"url", "uri", "link", "id", "doc_id", "docid", "_id",
                                      "uuid", "guid", "key", "name", NULL};
    static const char *const texts[] = {"text", "body", "content", "article", "maintext",
                                        "raw_content", "full_text", "story", "html",
                                        "description", NULL};
    for (const char *const *k = text ? texts : ids; *k; k++) {
        json_object *v;
        if (strcmp(*k, not) != 0 && json_object_object_get_ex(o, *k, &v) &&
            (json_object_is_type(v, json_type_string) ||
             (!text && json_object_is_type(v, json_type_int))))
            return *k;
    }
    if (!text)
        return NULL;
    const char *best = NULL;
    int most = 0;
    json_object_object_foreach(o, key, val) {
        if (json_object_is_type(val, json_type_string) && strcmp(key, not) != 0 &&
            json_object_get_string_len(val) > most) {
            most = json_object_get_string_len(val);
            best = key;
        }
    }
    return best;
}

/* Appends to p->why at *w, never past its end. */
static void add(jsonl *p, size_t *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(jsonl *p, size_t *w, const char *fmt, ...)
{
    if (*w >= sizeof p->why - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(p->why + *w, sizeof p->why - *w, fmt, ap);
    va_end(ap);
    if (k > 0)
        *w = *w + (size_t)k < sizeof p->why - 1 ? *w + (size_t)k : sizeof p->why - 1;
}

/* Copies up to 40 bytes of key s into out for a message: printable ASCII
 * as it is, any other byte as \xNN, so that a key cannot drive the
 * terminal. @return out. */
static const char *key_text(const char *s, char *out, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; s[i] && i < 40 && w + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            out[w++] = (char)c;
        else
            w += (size_t)snprintf(out + w, cap - w, "\\x%02x", c);
    }
    out[w] = 0;
    return out;
}

/* Refuses the line for a field error: counts the reason, and the first
 * time it is seen adds what the line has and a suggestion. */
static const char *field_error(jsonl *p, json_object *o, int text, const char *reason)
{
    size_t i = 0;
    while (i < p->nreason && strcmp(p->reason[i].text, reason) != 0)
        i++;
    if (i == p->nreason && i < MAX_REASONS) {
        snprintf(p->reason[i].text, sizeof p->reason[i].text, "%s", reason);
        p->reason[i].count = 0;
        p->nreason++;
    }
    p->repeat = i < p->nreason ? p->reason[i].count++ : 0;
    p->last = i < p->nreason ? p->reason[i].text : NULL;
    size_t w = 0;
    add(p, &w, "%s", reason);
    if (p->repeat || !json_object_is_type(o, json_type_object))
        return p->why;
    const char *g = guess(o, text, text ? p->text_field : p->id_field);
    size_t k = 0;
    add(p, &w, " (the line has");
    json_object_object_foreach(o, key, val) {
        (void)val;
        if (k++ == 8) {
            add(p, &w, ", ...");
            break;
        }
        char kb[200];
        add(p, &w, "%s \"%s\"", k > 1 ? "," : "", key_text(key, kb, sizeof kb));
    }
    if (k == 0)
        add(p, &w, " no fields");
    char kt[200];
    if (g)
        add(p, &w, "; use --%s-field %s)", text ? "text" : "id", key_text(g, kt, sizeof kt));
    else
        add(p, &w, ")");
    return p->why;
}

const char *jsonl_field_reason(const jsonl *p)
{
    return p->last;
}

size_t jsonl_repeat(const jsonl *p)
{
    return p->repeat;
}

const char *jsonl_reason(const jsonl *p, size_t i, size_t *count)
{
    if (i >= p->nreason)
        return NULL;
    *count = p->reason[i].count;
    return p->reason[i].text;
}

void jsonl_forget(jsonl *p)
{
    p->nreason = 0;
    p->repeat = 0;
    p->last = NULL;
}

const char *jsonl_meta(jsonl *p, const char *line, size_t n, const char *const *fields,
                       size_t k, size_t *len)
{
    size_t w = 0;
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < k; i++) {
        size_t at = 0, m = 0;
        const char *v = "null";
        if (raw_value(p, line, n, fields[i], &at, &m) == 0 && m > 0)
            v = line + at;
        else
            m = 4;
        if (cli_grow(&p->meta, &p->metacap, w + m + 2, 1) < 0)
            return NULL;
        memcpy(p->meta + w, v, m);
        w += m;
        p->meta[w++] = 0;
    }
    if (cli_grow(&p->meta, &p->metacap, w + 1, 1) < 0)
        return NULL;
    p->meta[w] = 0;
    *len = w;
    return p->meta;
}

const char *jsonl_parse(jsonl *p, const char *line, size_t n,
                        const char **id, const char **text, size_t *len)
{
    p->repeat = 0;
    p->last = NULL;
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
    char r[96];
    if (!json_object_object_get_ex(o, p->id_field, &v) || json_object_is_type(v, json_type_null)) {
        snprintf(r, sizeof r, "missing \"%.40s\" field", p->id_field);
        return field_error(p, o, 0, r);
    }
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int)) {
        snprintf(r, sizeof r, "\"%.40s\" field is not a string or an integer", p->id_field);
        return field_error(p, o, 0, r);
    }
    const char *s = json_object_get_string(v);
    if (!s || !*s) {
        snprintf(r, sizeof r, "empty \"%.40s\" field", p->id_field);
        return field_error(p, o, 0, r);
    }
    if (json_object_is_type(v, json_type_string) &&
        strlen(s) != (size_t)json_object_get_string_len(v))
        return why(p, "NUL character in the \"%s\" field", p->id_field);
    if (json_object_is_type(v, json_type_int)) {
        /* as written: json-c keeps integers in 64 bits, and changes a
         * larger one (to the nearest limit) */
        size_t at = 0, k = 0;
        if (raw_value(p, line, n, p->id_field, &at, &k) < 0 || k == 0)
            return why(p, "\"%s\" field cannot be read", p->id_field);
        if (cli_grow(&p->num, &p->numcap, k + 1, 1) < 0)
            return "out of memory";
        memcpy(p->num, line + at, k);
        p->num[k] = 0;
        s = p->num;
    }
    if (!json_object_object_get_ex(o, p->text_field, &v) || json_object_is_type(v, json_type_null)) {
        snprintf(r, sizeof r, "missing \"%.40s\" field", p->text_field);
        return field_error(p, o, 1, r);
    }
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(r, sizeof r, "\"%.40s\" field is not a string", p->text_field);
        return field_error(p, o, 1, r);
    }
    if (json_object_get_string_len(v) == 0)
        return "empty text";
    *id = s;
    *text = json_object_get_string(v);
    *len = (size_t)json_object_get_string_len(v);
    return NULL;
}
