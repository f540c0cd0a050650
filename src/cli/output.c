/*
 * output.c - escaping for JSON and for terminals, diagnostics, and the
 * JSON shapes that more than one subcommand writes (a cluster, the
 * similarity figures of a pair): one writer each, so they cannot drift.
 *
 * File names are bytes: they may hold newlines, quotes, escape sequences
 * and invalid UTF-8. JSON output must stay valid (RFC 8259) and human
 * output must never pass a raw control character to the terminal.
 *
 * At the end, the CLI's own growable array and clock, so that no CLI
 * module needs the library's private util.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "output.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include <json.h>

static int progress_on, progress_tty;

void progress_end(void)
{
    if (progress_on)
        fputs(progress_tty ? "\r\033[K" : "\n", stderr);
    progress_on = 0;
}

void progress_show(int tty, const char *fmt, ...)
{
    va_list ap;
    progress_tty = tty;
    progress_on = 1;
    fputc('\r', stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (tty)
        fputs("\033[K", stderr);
    fflush(stderr);
}

/* A message is written whole, in one write to the unbuffered stderr, so
 * that those of several runs sharing one log do not interleave; only a
 * message longer than the buffer goes out in pieces. */
void diag(const char *fmt, ...)
{
    static const char prefix[] = PROG ": ";
    char buf[2048];
    size_t p = sizeof prefix - 1;
    va_list ap;
    progress_end();
    fflush(stdout);
    memcpy(buf, prefix, p);
    va_start(ap, fmt);
    int n = vsnprintf(buf + p, sizeof buf - p - 1, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof buf - p - 1) {
        buf[p + (size_t)n] = '\n';
        fwrite(buf, 1, p + (size_t)n + 1, stderr);
        return;
    }
    fputs(prefix, stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069):
 * they reorder what follows on a terminal, so "txt.exe" can be shown
 * as "exe.txt". */
static int is_bidi_control(int32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t valid_seq(const unsigned char *s, int32_t *cp)
{
    size_t len = strnlen((const char *)s, 4);
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)len, cp);
    return n > 0 ? (size_t)n : 0;
}

/* The one JSON string writer: s[0..n) quoted, with the escapes json_string
 * and json_string_html document. They differ only in what is escaped:
 * JSON_HTML also escapes '<', '>', '&' and U+2028/U+2029, writes every
 * other ASCII control character (\b, \f included) as \u00XX and leaves C1
 * controls and bidi overrides as they are (the page shows them as text);
 * without it, \b and \f have their short escapes and C1 controls and
 * bidi overrides are escaped, so that a name cannot drive a terminal. */
enum { JSON_HTML = 1 };

static void json_write(FILE *f, const char *str, size_t n, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)str;
    int html = flags & JSON_HTML;
    size_t i = 0;
    fputc('"', f);
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            size_t j = i;
            while (j < n && s[j] >= 0x20 && s[j] < 0x7F && s[j] != '"' && s[j] != '\\' &&
                   !(html && (s[j] == '<' || s[j] == '>' || s[j] == '&')))
                j++;
            if (j > i) {
                fwrite(s + i, 1, j - i, f);
                i = j;
                continue;
            }
            switch (c) {
            case '"': fputs("\\\"", f); break;
            case '\\': fputs("\\\\", f); break;
            case '\n': fputs("\\n", f); break;
            case '\t': fputs("\\t", f); break;
            case '\r': fputs("\\r", f); break;
            case '\b': fputs(html ? "\\u0008" : "\\b", f); break;
            case '\f': fputs(html ? "\\u000c" : "\\f", f); break;
            default: fprintf(f, "\\u%04x", c);
            }
            i++;
            continue;
        }
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i < 4 ? n - i : 4), &cp);
        if (k <= 0) {
            fputs("\xEF\xBF\xBD", f);
            i++;
        } else if (html ? cp == 0x2028 || cp == 0x2029 : cp < 0xA0 || is_bidi_control(cp)) {
            fprintf(f, "\\u%04x", (unsigned)cp);
            i += (size_t)k;
        } else {
            fwrite(s + i, 1, (size_t)k, f);
            i += (size_t)k;
        }
    }
    fputc('"', f);
}

void json_string(FILE *f, const char *s)
{
    json_write(f, s, strlen(s), 0);
}

void json_string_html(FILE *f, const char *s, size_t n)
{
    json_write(f, s, n, JSON_HTML);
}

static size_t safe_into(char *out, size_t cap, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t w = 0;
#define PUT(...) do { int k_ = snprintf(out + w, cap - w, __VA_ARGS__); \
        if (k_ < 0 || (size_t)k_ >= cap - w) { out[w] = 0; return w; } w += (size_t)k_; } while (0)
    while (*s) {
        unsigned char c = *s;
        int32_t cp;
        size_t n;
        if (c == '\n') PUT("\\n");
        else if (c == '\t') PUT("\\t");
        else if (c == '\r') PUT("\\r");
        else if (c == '\\') PUT("\\\\");
        else if (c < 0x20 || c == 0x7F) PUT("\\x%02x", c);
        else if (c < 0x80) {
            if (w + 1 >= cap) { out[w] = 0; return w; }
            out[w++] = (char)c;
            out[w] = 0;
        }
        else if ((n = valid_seq(s, &cp)) == 0 ||
                 (cp >= 0x80 && cp < 0xA0) ||
                 utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) PUT("\\x%02x", c);
        else if (is_bidi_control(cp)) {
            PUT("\\u%04x", (unsigned)cp);
            s += n;
            continue;
        }
        else {
            PUT("%.*s", (int)n, (const char *)s);
            s += n;
            continue;
        }
        s++;
    }
#undef PUT
    return w;
}

void safe_string(FILE *f, const char *s)
{
    static char buf[16384];
    if (strlen(s) * 4 + 1 < sizeof buf) {
        safe_into(buf, sizeof buf, s);
        fputs(buf, f);
        return;
    }
    /* very long names: escape piecewise */
    char piece[1024];
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t n = len - i < sizeof piece - 1 ? len - i : sizeof piece - 1;
        memcpy(piece, s + i, n);
        piece[n] = 0;
        safe_into(buf, sizeof buf, piece);
        fputs(buf, f);
        i += n;
    }
}

void safe_text(FILE *f, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7F)) {
            size_t j = i + 1;
            while (j < n && ((s[j] >= 0x20 && s[j] < 0x7F) || s[j] == '\n' || s[j] == '\t'))
                j++;
            fwrite(s + i, 1, j - i, f);
            i = j;
            continue;
        }
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
            i++;
            continue;
        }
        if (c < 0x80) {
            fprintf(f, "\\x%02x", c);
            i++;
            continue;
        }
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i < 4 ? n - i : 4), &cp);
        if (k <= 0 || (cp >= 0x80 && cp < 0xA0) || utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) {
            fprintf(f, "\\x%02x", c);
            i++;
            continue;
        }
        if (is_bidi_control(cp)) {
            fprintf(f, "\\u%04x", (unsigned)cp);
            i += (size_t)k;
            continue;
        }
        fwrite(s + i, 1, (size_t)k, f);
        i += (size_t)k;
    }
}

const char *safe(const char *s)
{
    static _Thread_local char buf[4096];   /* one a thread: readers report too */
    safe_into(buf, sizeof buf, s);
    return buf;
}

void json_number(FILE *f, double x)
{
    if (!(x == x) || x < 0)
        x = 0;
    char buf[32];
    snprintf(buf, sizeof buf, "%.4f", x);
    /* trim trailing zeros: 0.5000 -> 0.5, 1.0000 -> 1 */
    char *e = buf + strlen(buf);
    while (e > buf && e[-1] == '0')
        e--;
    if (e > buf && e[-1] == '.')
        e--;
    *e = 0;
    fputs(buf, f);
}

/* Writes `, "name": x`. */
static void json_member(FILE *f, const char *name, double x)
{
    fprintf(f, ", \"%s\": ", name);
    json_number(f, x);
}

void json_sim(FILE *f, const rp_sim *s, int score_last)
{
    if (!score_last)
        json_member(f, "score", s->score);
    json_member(f, "jaccard", s->jaccard);
    json_member(f, "containment_ab", s->containment_ab);
    json_member(f, "containment_ba", s->containment_ba);
    if (score_last)
        json_member(f, "score", s->score);
}

/* Writes `, "fields": {"a": V, ...}` for the NUL-separated raw values
 * meta (nothing when meta is NULL). */
static void json_fields(FILE *f, const char *key, const out_table *t, const char *meta)
{
    if (!meta || !t || !t->nfields)
        return;
    fprintf(f, ", \"%s\": {", key);
    for (size_t i = 0; i < t->nfields; i++) {
        if (i)
            fputs(", ", f);
        json_string(f, t->fields[i]);
        fputs(": ", f);
        fputs(meta, f);
        meta += strlen(meta) + 1;
    }
    fputc('}', f);
}

static void json_cluster_meta(FILE *f, const out_table *t, size_t cluster,
                              const rp_index_member *m, size_t n, size_t nrel,
                              const char *const *meta)
{
    fprintf(f, "{\"cluster\": %zu, \"representative\": ", cluster);
    json_string(f, m[0].id);
    fputs(", \"members\": [", f);
    for (size_t j = 0; j < n; j++) {
        fputs(j ? ", {\"id\": " : "{\"id\": ", f);
        json_string(f, m[j].id);
        json_member(f, "jaccard", m[j].jaccard);
        json_member(f, "containment", m[j].containment);
        json_fields(f, "fields", t, meta ? meta[j] : NULL);
        fputc('}', f);
    }
    fputc(']', f);
    if (nrel) {
        fputs(", \"related\": [", f);
        for (size_t j = 0; j < nrel; j++) {
            const rp_index_member *r = &m[n + j];
            fputs(j ? ", {\"id\": " : "{\"id\": ", f);
            json_string(f, r->id);
            fputs(", \"with\": ", f);
            json_string(f, r->with);
            json_member(f, "score", r->score);
            json_member(f, "containment", r->containment);
            json_member(f, "holds", r->holds);
            json_fields(f, "fields", t, meta ? meta[n + j] : NULL);
            fputc('}', f);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void json_cluster(FILE *f, size_t cluster, const rp_index_member *m, size_t n, size_t nrel)
{
    json_cluster_meta(f, NULL, cluster, m, n, nrel, NULL);
    fputc('\n', f);
}

/* ------------------------------------------------------------------ */
/* Tables: clusters and pairs as JSON Lines, one JSON array, TSV, CSV  */
/* ------------------------------------------------------------------ */

int out_parse_format(const char *arg, int *fmt)
{
    static const char *const names[] = {"jsonl", "json", "tsv", "csv"};
    for (int i = 0; i < 4; i++)
        if (strcmp(arg, names[i]) == 0) {
            *fmt = OUT_JSONL + i;
            return 0;
        }
    diag("--format: expected json, jsonl, tsv or csv, got '%s'", safe(arg));
    return -1;
}

/* One cell of TSV (tab, newline, CR and backslash escaped as \t \n \r
 * \\) or CSV (RFC 4180: quoted when it holds a comma, a quote, a line
 * break or spaces at an end; quotes doubled). */
static void cell(const out_table *t, const char *s, size_t n, int first)
{
    FILE *f = t->f;
    if (!first)
        fputc(t->fmt == OUT_CSV ? ',' : '\t', f);
    if (t->fmt == OUT_TSV) {
        for (size_t i = 0; i < n; i++)
            switch (s[i]) {
            case '\t': fputs("\\t", f); break;
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\\': fputs("\\\\", f); break;
            default: fputc(s[i], f);
            }
        return;
    }
    int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void cell_str(const out_table *t, const char *s, int first)
{
    cell(t, s ? s : "", s ? strlen(s) : 0, first);
}

static void cell_num(const out_table *t, double x)
{
    char buf[32];
    if (!(x == x) || x < 0)
        x = 0;
    snprintf(buf, sizeof buf, "%.4f", x);
    char *e = buf + strlen(buf);
    while (e > buf && e[-1] == '0')
        e--;
    if (e > buf && e[-1] == '.')
        e--;
    *e = 0;
    cell_str(t, buf, 0);
}

/* A raw JSON value as a cell: a string decoded, null empty, anything else
 * (numbers, objects, arrays) as written. */
static void cell_json(const out_table *t, const char *v)
{
    if (strcmp(v, "null") == 0) {
        cell(t, "", 0, 0);
        return;
    }
    if (v[0] != '"') {
        cell_str(t, v, 0);
        return;
    }
    json_object *o = json_tokener_parse(v);
    if (o && json_object_is_type(o, json_type_string))
        cell(t, json_object_get_string(o), (size_t)json_object_get_string_len(o), 0);
    else
        cell_str(t, v, 0);
    json_object_put(o);
}

static void cells_meta(const out_table *t, const char *meta)
{
    for (size_t i = 0; i < t->nfields; i++) {
        cell_json(t, meta ? meta : "null");
        if (meta)
            meta += strlen(meta) + 1;
    }
}

static void header(const out_table *t, const char *const *cols, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        cell_str(t, cols[i], i == 0);
    for (int side = 0; side < (prefix ? 2 : 1); side++)
        for (size_t i = 0; i < t->nfields; i++) {
            char name[256];
            snprintf(name, sizeof name, "%s%s", prefix ? (side ? "b_" : "a_") : "", t->fields[i]);
            cell_str(t, name, 0);
        }
    fputc('\n', t->f);
}

void out_begin(out_table *t, int pairs)
{
    static const char *const ccols[] = {"cluster", "role", "id", "jaccard", "containment",
                                        "score", "holds", "with"};
    static const char *const pcols[] = {"a", "b", "score", "jaccard", "containment_ab",
                                        "containment_ba"};
    t->rows = 0;
    if (t->fmt == OUT_JSON)
        fputc('[', t->f);
    else if (t->fmt == OUT_TSV || t->fmt == OUT_CSV) {
        if (pairs)
            header(t, pcols, 6, "");
        else
            header(t, ccols, 8, NULL);
    }
}

/* Starts a JSON value: "," between the elements of an array. */
static void json_next(out_table *t)
{
    if (t->fmt == OUT_JSON)
        fputs(t->rows ? ",\n" : "\n", t->f);
    t->rows++;
}

void out_cluster(out_table *t, size_t cluster, const rp_index_member *m, size_t n, size_t nrel,
                 const char *const *meta)
{
    if (t->fmt == OUT_JSONL || t->fmt == OUT_JSON) {
        json_next(t);
        json_cluster_meta(t->f, t, cluster, m, n, nrel, meta);
        if (t->fmt == OUT_JSONL)
            fputc('\n', t->f);
        return;
    }
    char num[32];
    snprintf(num, sizeof num, "%zu", cluster);
    for (size_t j = 0; j < n + nrel; j++) {
        cell_str(t, num, 1);
        cell_str(t, j == 0 ? "representative" : j < n ? "member" : "related", 0);
        cell_str(t, m[j].id, 0);
        cell_num(t, m[j].jaccard);
        cell_num(t, m[j].containment);
        cell_num(t, m[j].score);
        cell_num(t, m[j].holds);
        cell_str(t, j < n ? "" : m[j].with, 0);
        cells_meta(t, meta ? meta[j] : NULL);
        fputc('\n', t->f);
    }
}

void out_pair(out_table *t, const char *a, const char *b, const rp_sim *s,
              const char *meta_a, const char *meta_b)
{
    if (t->fmt == OUT_JSONL || t->fmt == OUT_JSON) {
        json_next(t);
        fputs("{\"a\": ", t->f);
        json_string(t->f, a);
        fputs(", \"b\": ", t->f);
        json_string(t->f, b);
        json_sim(t->f, s, 0);
        json_fields(t->f, "a_fields", t, meta_a);
        json_fields(t->f, "b_fields", t, meta_b);
        fputc('}', t->f);
        if (t->fmt == OUT_JSONL)
            fputc('\n', t->f);
        return;
    }
    cell_str(t, a, 1);
    cell_str(t, b, 0);
    cell_num(t, s->score);
    cell_num(t, s->jaccard);
    cell_num(t, s->containment_ab);
    cell_num(t, s->containment_ba);
    cells_meta(t, meta_a);
    cells_meta(t, meta_b);
    fputc('\n', t->f);
}

void out_end(out_table *t)
{
    if (t->fmt == OUT_JSON)
        fputs(t->rows ? "\n]\n" : "]\n", t->f);
}
