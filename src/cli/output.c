/*
 * output.c - escaping for JSON and for terminals, diagnostics, and the
 * JSON shapes that more than one subcommand writes (a cluster, the
 * similarity figures of a pair): one writer each, so they cannot drift.
 *
 * File names are bytes: they may hold newlines, quotes, escape sequences
 * and invalid UTF-8. JSON output must stay valid (RFC 8259) and human
 * output must never pass a raw control character to the terminal.
 */
#define _POSIX_C_SOURCE 200809L
#include "output.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

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

void diag(const char *fmt, ...)
{
    va_list ap;
    progress_end();
    fflush(stdout);
    fputs(PROG ": ", stderr);
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

void json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned char c = *s;
        if (c < 0x80) {
            switch (c) {
            case '"': fputs("\\\"", f); break;
            case '\\': fputs("\\\\", f); break;
            case '\n': fputs("\\n", f); break;
            case '\t': fputs("\\t", f); break;
            case '\r': fputs("\\r", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    fprintf(f, "\\u%04x", c);
                else
                    fputc(c, f);
            }
            s++;
            continue;
        }
        int32_t cp;
        size_t n = valid_seq(s, &cp);
        if (n == 0) {
            fputs("\xEF\xBF\xBD", f);
            s++;
        } else if (cp < 0xA0 || is_bidi_control(cp)) {
            fprintf(f, "\\u%04x", (unsigned)cp);   /* C1 controls, bidi */
            s += n;
        } else {
            fwrite(s, 1, n, f);
            s += n;
        }
    }
    fputc('"', f);
}

void json_string_html(FILE *f, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    fputc('"', f);
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            size_t j = i;
            while (j < n && s[j] >= 0x20 && s[j] < 0x7F && s[j] != '"' && s[j] != '\\' &&
                   s[j] != '<' && s[j] != '>' && s[j] != '&')
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
        } else if (cp == 0x2028 || cp == 0x2029) {
            fprintf(f, "\\u%04x", (unsigned)cp);
            i += (size_t)k;
        } else {
            fwrite(s + i, 1, (size_t)k, f);
            i += (size_t)k;
        }
    }
    fputc('"', f);
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
    static char buf[4096];
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

void json_cluster(FILE *f, size_t cluster, const rp_index_member *m, size_t n, size_t nrel)
{
    fprintf(f, "{\"cluster\": %zu, \"representative\": ", cluster);
    json_string(f, m[0].id);
    fputs(", \"members\": [", f);
    for (size_t j = 0; j < n; j++) {
        fputs(j ? ", {\"id\": " : "{\"id\": ", f);
        json_string(f, m[j].id);
        json_member(f, "jaccard", m[j].jaccard);
        json_member(f, "containment", m[j].containment);
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
            fputc('}', f);
        }
        fputc(']', f);
    }
    fputs("}\n", f);
}
