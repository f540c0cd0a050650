/*
 * diff.c - `reprint diff A B`: what two articles share, for people (the
 * figures, a paragraph map and the two texts interleaved with the shared
 * passages marked) or for machines (--json: one object).
 *
 * The library finds the shared runs and the paragraph map (rp_diff_texts);
 * this file reads the two inputs, decides on colour and lays the result
 * out. The text layout walks A; at each shared run that keeps its order in
 * B it first shows what A and B have of their own before it, so the two
 * versions of every changed passage sit next to each other. Runs that
 * moved are shown where they stand in each text.
 *
 * Human output has one shape; colour (--color, NO_COLOR) only adds escape
 * sequences around the markers. Exit status follows cmp(1): 0 the texts
 * are near-duplicates, 1 they are not, 2 trouble.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "cli.h"
#include "input.h"
#include "opts.h"
#include "output.h"
#include "page.h"
#include "reprint.h"

#define NONE_POS ((size_t)-1)

#define DEFAULT_MIN_RUN DIFF_MIN_RUN

typedef struct diff_opts {
    rp_options *ro;     /* the similarity options (owned) */
    unsigned min_run;   /* shortest passage shown, in words */
    int verbose;
    int json;
    int html;           /* --html: one self-contained HTML page */
    int brief;          /* -q, --brief: the verdict only */
    int color;          /* resolved: nonzero to colour */
} diff_opts;

static void usage(FILE *f)
{
    rp_options *d = sim_new();
    fprintf(f,
        "usage: reprint diff [options] A B\n"
        "\n"
        "Compares two articles: how much of each is in the other, whether they\n"
        "are near-duplicates, which paragraphs match, and the passages they\n"
        "share. A or B may be '-' for standard input.\n"
        "\n"
        "output:\n"
        "      --json              one JSON object instead of the report\n"
        "      --html              one self-contained HTML page, side by side\n"
        "      --color[=WHEN]      colour the passages: auto (default), always, never\n"
        "  -q, --brief             print only the verdict, as diff -q does\n"
        "similarity:\n"
        "  -t, --threshold X       score at which two articles are reprints (default %.2f)\n"
        "  -k, --shingle N         words per shingle (default %u)\n"
        "      --min-run N         shortest shared passage shown, in words; never\n"
        "                          under the shingle size (default %u)\n"
        "      --min-shared N      fewest shared shingles for a reprint (default %u)\n"
        "      --keep-boilerplate  do not strip markup, furniture and comments\n"
        "  -v, --verbose           say when a text is converted (HTML, encoding)\n"
        "  -h, --help              show this help\n"
        "\n"
        "Passages: [= shared =]  [-A only in A -]  [+B only in B +]  [~ shared, moved ~]\n"
        "Exit status: 0 near-duplicates, 1 not, 2 trouble.\n",
        sim_get(d, RP_OPT_THRESHOLD), (unsigned)sim_get(d, RP_OPT_SHINGLE), DEFAULT_MIN_RUN,
        (unsigned)sim_get(d, RP_OPT_MIN_SHARED));
    rp_options_free(d);
}

enum { OPT_JSON = 256, OPT_COLOR, OPT_MINRUN, OPT_HTML };

/* diff's own options; opts_table adds the similarity options that
 * matter for a pair (OPTS_PAIR). */
static const struct option own_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"html", no_argument, NULL, OPT_HTML},
    {"brief", no_argument, NULL, 'q'},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"colour", optional_argument, NULL, OPT_COLOR},
    {"min-run", required_argument, NULL, OPT_MINRUN},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

static int want_color(const char *when)
{
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if ((no && *no) || (term && strcmp(term, "dumb") == 0))
        return 0;
    return isatty(STDOUT_FILENO);
}

/* @return 0, 1 to exit 0 (help), or -1 on a usage error. */
static int parse(int argc, char **argv, diff_opts *o)
{
    unsigned long u;
    const char *when = "auto";
    if (!(o->ro = sim_new()))
        return -1;
    o->min_run = DEFAULT_MIN_RUN;
    optind = 1;
    opterr = 0;
    int c;
    struct option buf[OPTS_MAX];
    const struct option *longopts = opts_table(buf, own_options, OPTS_PAIR);
    while ((c = getopt_long(argc, argv, ":t:k:vhq", longopts, NULL)) != -1) {
        int sim = parse_sim_option(c, optarg, o->ro);
        if (sim < 0)
            return -1;
        if (sim > 0)
            continue;
        switch (c) {
        case OPT_JSON: o->json = 1; break;
        case OPT_HTML: o->html = 1; break;
        case 'q': o->brief = 1; break;
        case OPT_COLOR:
            when = optarg ? optarg : "always";
            if (strcmp(when, "auto") && strcmp(when, "always") && strcmp(when, "never")) {
                diag("diff: --color: expected auto, always or never, got '%s'", safe(when));
                return -1;
            }
            break;
        case 'v': o->verbose = 1; break;
        case OPT_MINRUN:
            if (parse_uint("--min-run", optarg, 1, 1000, &u) < 0)
                return -1;
            o->min_run = (unsigned)u;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            opt_error("diff", c, argv, longopts);
            return -1;
        }
    }
    if (o->json + o->html + o->brief > 1) {
        diag("diff: --json, --html and --brief exclude each other");
        return -1;
    }
    if (argc - optind != 2) {
        diag("diff: expected two files, A and B");
        return -1;
    }
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        diag("diff: only one of A and B can be '-' (standard input)");
        return -1;
    }
    o->color = want_color(when);
    return 0;
}

/* Reads path ('-': standard input) as a text: plain UTF-8 as it is, so
 * that byte offsets are those of the file; HTML reduced to its text and
 * other encodings converted to UTF-8 (offsets then refer to that text, as
 * -v says). @return 0, or -1 (reported). */
static int load(const char *path, int verbose, char **buf, size_t *len)
{
    int in = strcmp(path, "-") == 0;
    if (in && isatty(STDIN_FILENO)) {
        diag("stdin is a terminal");
        return -1;
    }
    const char *why;
    text_info ti = {.detail = verbose, .enc = RP_ENC_UTF8, .same = 1};
    int rc = input_read_text(path, RP_MAX_TEXT, buf, len, &ti, &why);
    if (rc == 1) {
        diag("%s: cannot read: %s", safe(path), why);
        return -1;
    }
    if (rc != RP_OK) {
        diag("%s: %s", safe(path), rp_strerror(rc));
        return -1;
    }
    if (verbose && !ti.same)
        diag("%s: read as %s%s; offsets refer to the text as converted", safe(path),
             rp_encoding_name(ti.enc), !in && is_html_name(path) ? " HTML" : "");
    return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static const char *rel_name(int rel)
{
    switch (rel) {
    case RP_PARA_SAME: return "same";
    case RP_PARA_INSIDE: return "inside";
    case RP_PARA_HOLDS: return "holds";
    case RP_PARA_OVERLAP: return "overlap";
    case RP_PARA_ONLY_A: return "only_a";
    default: return "only_b";
    }
}

static const char *note_name(int note)
{
    switch (note) {
    case RP_NOTE_COMMENTS: return "comments";
    case RP_NOTE_FURNITURE: return "furniture";
    default: return "";
    }
}

static void print_json(const char *pa, const char *pb, const rp_diff *d,
                       const rp_options *o)
{
    FILE *f = stdout;
    fputs("{\"a\": ", f);
    json_string(f, pa);
    fputs(", \"b\": ", f);
    json_string(f, pb);
    json_sim(f, &d->sim, 1);
    fprintf(f, ", \"shared_words\": %zu, \"similar\": %s, \"threshold\": ",
            d->shared_words, d->sim.similar ? "true" : "false");
    json_number(f, sim_get(o, RP_OPT_THRESHOLD));
    fputs(", \"spans\": [", f);
    for (size_t i = 0; i < d->nspans; i++) {
        const rp_span *s = &d->spans[i];
        fprintf(f, "%s{\"a_start\": %u, \"a_end\": %u, \"b_start\": %u, \"b_end\": %u, \"words\": %zu}",
                i ? ", " : "", (unsigned)s->a_start, (unsigned)s->a_end,
                (unsigned)s->b_start, (unsigned)s->b_end, s->words);
    }
    fputs("], \"paragraphs\": [", f);
    for (size_t i = 0; i < d->nlinks; i++) {
        const rp_para_link *l = &d->links[i];
        fprintf(f, "%s{\"relation\": \"%s\", ", i ? ", " : "", rel_name(l->rel));
        if (l->rel == RP_PARA_ONLY_A || l->rel == RP_PARA_ONLY_B) {
            fprintf(f, "\"first\": %zu, \"last\": %zu, \"note\": \"%s\"}",
                    l->first + 1, l->last + 1, note_name(l->note));
        } else {
            fprintf(f, "\"a\": %zu, \"b\": %zu, \"words\": %zu, \"a_share\": ",
                    l->a + 1, l->b + 1, l->words);
            json_number(f, l->a_share);
            fputs(", \"b_share\": ", f);
            json_number(f, l->b_share);
            fputs("}", f);
        }
    }
    fputs("]}\n", f);
}

/* ------------------------------------------------------------------ */
/* Report                                                              */
/* ------------------------------------------------------------------ */

/* A percentage that says 100 only when it is whole. */
static int pct(double x)
{
    if (x >= 1)
        return 100;
    int p = (int)(x * 100 + 0.5);
    return p > 99 ? 99 : p;
}

static void print_range(char side, size_t first, size_t last)
{
    if (first == last)
        printf("%c¶%zu", side, first + 1);
    else
        printf("%c¶%zu-%zu", side, first + 1, last + 1);
}

static void print_map(const rp_diff *d)
{
    if (d->nlinks == 0)
        return;
    puts("paragraphs");
    for (size_t i = 0; i < d->nlinks; i++) {
        const rp_para_link *l = &d->links[i];
        fputs("  ", stdout);
        switch (l->rel) {
        case RP_PARA_SAME:
            printf("A¶%zu = B¶%zu (%d%%)\n", l->a + 1, l->b + 1,
                   pct(l->a_share < l->b_share ? l->a_share : l->b_share));
            break;
        case RP_PARA_INSIDE:
            printf("A¶%zu ⊂ B¶%zu (%d%% of B¶%zu)\n", l->a + 1, l->b + 1,
                   pct(l->b_share), l->b + 1);
            break;
        case RP_PARA_HOLDS:
            printf("A¶%zu ⊃ B¶%zu (%d%% of A¶%zu)\n", l->a + 1, l->b + 1,
                   pct(l->a_share), l->a + 1);
            break;
        case RP_PARA_OVERLAP:
            printf("A¶%zu ~ B¶%zu (%d%% of A¶%zu, %d%% of B¶%zu)\n", l->a + 1,
                   l->b + 1, pct(l->a_share), l->a + 1, pct(l->b_share), l->b + 1);
            break;
        default: {
            char side = l->rel == RP_PARA_ONLY_A ? 'A' : 'B';
            print_range(side, l->first, l->last);
            printf(" only in %c", side);
            if (l->note == RP_NOTE_COMMENTS)
                fputs(" (reader comments)", stdout);
            else if (l->note == RP_NOTE_FURNITURE)
                fputs(" (page furniture)", stdout);
            fputc('\n', stdout);
        }
        }
    }
    fputc('\n', stdout);
}

/* The marks around each kind of passage, and their colours. */
enum { SHARED, ONLY_A, ONLY_B, MOVED };
static const char *const mark_open[] = {"[= ", "[-A ", "[+B ", "[~ "};
static const char *const mark_close[] = {" =]", " -]", " +]", " ~]"};
static const char *const mark_color[] = {"\033[36m", "\033[31m", "\033[32m", "\033[33m"};
#define RESET "\033[0m"

typedef struct layout {
    const char *a, *b;
    size_t alen, blen;
    int color;
    int last;              /* last byte written, for spacing */
    const rp_token *ta, *tb;
    const rp_span *spans;
    size_t *moved;         /* indexes of moved runs, in B's order */
    size_t nmoved, mi;
} layout;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void put(layout *L, const char *s, size_t n)
{
    if (n == 0)
        return;
    safe_text(stdout, s, n);
    L->last = (unsigned char)s[n - 1];
}

static void put_marked(layout *L, int kind, const char *s, size_t n)
{
    /* B's text and moved runs are inserted into A's: keep them apart */
    if ((kind == ONLY_B || kind == MOVED) && L->last && !is_space((unsigned char)L->last))
        fputc(' ', stdout);
    if (L->color)
        fputs(mark_color[kind], stdout);
    fputs(mark_open[kind], stdout);
    safe_text(stdout, s, n);
    fputs(mark_close[kind], stdout);
    if (L->color)
        fputs(RESET, stdout);
    L->last = ']';
}

static int is_wordy(const char *s, size_t i, size_t q, size_t *len)
{
    unsigned char c = (unsigned char)s[i];
    *len = 1;
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(q - i < 4 ? q - i : 4), &cp);
    if (k <= 0)
        return 0;
    *len = (size_t)k;
    utf8proc_category_t cat = utf8proc_category(cp);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

/* Narrows s[*p..*q) to the whitespace-separated chunks from the first to
 * the last that holds a letter or a digit ("Original url:" in ".\n\n
 * Original url:"). @return nonzero when there is such a chunk. */
static int core(const char *s, size_t *p, size_t *q)
{
    size_t first = NONE_POS, last = 0, len;
    for (size_t i = *p; i < *q; i += len)
        if (is_wordy(s, i, *q, &len)) {
            if (first == NONE_POS)
                first = i;
            last = i + len;
        }
    if (first == NONE_POS)
        return 0;
    while (first > *p && !is_space((unsigned char)s[first - 1]))
        first--;
    while (last < *q && !is_space((unsigned char)s[last]))
        last++;
    *p = first;
    *q = last;
    return 1;
}

static int wordy_gap(const char *s, size_t p, size_t q)
{
    return p < q && core(s, &p, &q);
}

static void show_gap(layout *L, size_t p, size_t q, int with_b, size_t bp, size_t bq);

/* Shows run s as kind (SHARED or MOVED), from A's text, or for side 1 from
 * B's. A run's bytes may hold text the cleaner skipped between two of its
 * words ("Related article: ..."): that text is shown as its text's own. */
static void show_run(layout *L, const rp_span *s, int kind, int side)
{
    const char *txt = side ? L->b : L->a;
    const rp_token *t = side ? L->tb + s->b : L->ta + s->a;
    const rp_token *o = side ? L->ta + s->a : L->tb + s->b;
    size_t seg = t[0].start;
    for (size_t i = 0; i + 1 < s->words; i++) {
        int mine = wordy_gap(txt, t[i].end, t[i + 1].start);
        int theirs = kind == SHARED && wordy_gap(L->b, o[i].end, o[i + 1].start);
        if (!mine && !theirs)
            continue;
        put_marked(L, kind, txt + seg, t[i].end - seg);
        if (side) {
            size_t p = t[i].end, q = t[i + 1].start;
            core(txt, &p, &q);
            put(L, txt + t[i].end, p - t[i].end);
            put_marked(L, ONLY_B, txt + p, q - p);
            put(L, txt + q, t[i + 1].start - q);
        } else {
            show_gap(L, t[i].end, t[i + 1].start, theirs, o[i].end, o[i + 1].start);
        }
        seg = t[i + 1].start;
    }
    put_marked(L, kind, txt + seg, t[s->words - 1].end - seg);
}

/* Shows B's text in [p, q): its own words as ONLY_B, moved runs as MOVED. */
static void show_b(layout *L, size_t p, size_t q)
{
    while (p < q) {
        size_t stop = q;
        const rp_span *m = NULL;
        if (L->mi < L->nmoved && L->spans[L->moved[L->mi]].b_start < q) {
            m = &L->spans[L->moved[L->mi]];
            stop = m->b_start > p ? m->b_start : p;
        }
        size_t cp = p, cq = stop;
        if (core(L->b, &cp, &cq))
            put_marked(L, ONLY_B, L->b + cp, cq - cp);
        if (!m)
            break;
        show_run(L, m, MOVED, 1);
        p = m->b_end > stop ? m->b_end : stop;
        L->mi++;
    }
}

/* Shows A's text in [p, q) (A's own words marked) and B's in [bp, bq). */
static void show_gap(layout *L, size_t p, size_t q, int with_b, size_t bp, size_t bq)
{
    size_t cp = p, cq = q;
    if (core(L->a, &cp, &cq)) {
        put(L, L->a + p, cp - p);
        put_marked(L, ONLY_A, L->a + cp, cq - cp);
    } else {
        /* no words of its own: B's go after A's punctuation */
        cq = q;
        while (cq > p && is_space((unsigned char)L->a[cq - 1]))
            cq--;
        put(L, L->a + p, cq - p);
    }
    if (with_b)
        show_b(L, bp, bq);
    put(L, L->a + cq, q - cq);
}

static void print_text(layout *L, const rp_diff *d)
{
    for (int k = SHARED; k <= MOVED; k++) {
        if (L->color)
            fputs(mark_color[k], stdout);
        printf("%s%s%s", mark_open[k],
               k == SHARED ? "shared" : k == ONLY_A ? "only in A" : k == ONLY_B ? "only in B" : "moved",
               mark_close[k]);
        if (L->color)
            fputs(RESET, stdout);
        fputs(k == MOVED ? "\n\n" : "  ", stdout);
    }
    L->last = '\n';
    size_t ap = 0, bp = 0;
    for (size_t i = 0; i < d->nspans; i++) {
        const rp_span *s = &d->spans[i];
        if (s->moved) {
            show_gap(L, ap, s->a_start, 0, 0, 0);
            show_run(L, s, MOVED, 0);
        } else {
            show_gap(L, ap, s->a_start, 1, bp, s->b_start);
            show_run(L, s, SHARED, 0);
            bp = s->b_end;
        }
        ap = s->a_end;
    }
    show_gap(L, ap, L->alen, 1, bp, L->blen);
    if (L->last != '\n')
        fputc('\n', stdout);
}

/* Sorts the indexes of the moved runs by their place in B (insertion sort:
 * moved runs are few). */
static void sort_moved(const rp_span *s, size_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        size_t x = v[i], j = i;
        while (j > 0 && s[v[j - 1]].b_start > s[x].b_start) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int print_human(const char *pa, const char *pb, const char *a, size_t alen,
                       const char *b, size_t blen, const rp_diff *d, const diff_opts *o)
{
    const rp_sim *s = &d->sim;
    fputs("A  ", stdout);
    safe_string(stdout, pa);
    printf("  (%zu words)\nB  ", d->words_a);
    safe_string(stdout, pb);
    printf("  (%zu words)\n\n", d->words_b);
    printf("jaccard       %.2f (shingles of %u words)\n", s->jaccard, (unsigned)sim_get(o->ro, RP_OPT_SHINGLE));
    printf("containment   %d%% of A is in B, %d%% of B is in A\n",
           pct(s->containment_ab), pct(s->containment_ba));
    printf("shared words  %zu in %zu passage%s\n", d->shared_words, d->nspans,
           d->nspans == 1 ? "" : "s");
    printf("verdict       %s: score %.2f, threshold %.2f",
           s->similar ? "near-duplicates" : "not near-duplicates", s->score,
           sim_get(o->ro, RP_OPT_THRESHOLD));
    if (!s->similar && s->shared > 0 && s->shared < sim_get(o->ro, RP_OPT_MIN_SHARED))
        printf(" (%zu shared shingle%s, fewer than --min-shared %u)", s->shared,
               s->shared == 1 ? "" : "s", (unsigned)sim_get(o->ro, RP_OPT_MIN_SHARED));
    fputs("\n\n", stdout);
    if (d->nspans == 0) {
        /* nothing to mark: the two texts in full would only bury that */
        unsigned k = (unsigned)sim_get(o->ro, RP_OPT_SHINGLE);
        printf("A and B share no passage of %u words or more; the texts are not shown.\n",
               o->min_run > k ? o->min_run : k);
        return 0;
    }
    print_map(d);

    layout L = {a, b, alen, blen, o->color, 0, d->tok_a, d->tok_b, d->spans,
                NULL, 0, 0};
    if (d->nspans) {
        L.moved = malloc(d->nspans * sizeof *L.moved);
        if (!L.moved) {
            diag("diff: out of memory");
            return -1;
        }
        for (size_t i = 0; i < d->nspans; i++)
            if (d->spans[i].moved)
                L.moved[L.nmoved++] = i;
        sort_moved(d->spans, L.moved, L.nmoved);
    }
    print_text(&L, d);
    free(L.moved);
    return 0;
}

/* --html: the report's page with the one pair, A as the representative. */
static int print_html(const char *pa, const char *pb, const char *a, size_t alen,
                      const char *b, size_t blen, const rp_diff *d, const diff_opts *o)
{
    const rp_sim *s = &d->sim;
    double share = s->containment_ba;   /* B in A, as a member in its representative */
    page_doc docs[2] = {
        {pa, a, alen, 0, 0, 0, 0, NULL},
        {pb, b, blen, s->score, s->jaccard, share, s->containment_ab, d},
    };
    page_pair pair = {0, 1, s->score};
    page_cluster pc = {1, docs, 2, &pair, s->similar ? 1 : 0, NULL, 0};
    page_info pi = {"reprint diff: A and B", o->ro, o->min_run, 1};
    page_begin(stdout, &pi);
    fputs("<main id=\"main\">\n", stdout);
    if (page_cluster_write(stdout, &pi, &pc) < 0) {
        diag("diff: out of memory");
        return -1;
    }
    fputs("</main>\n", stdout);
    page_end(stdout, &pi, NULL, 0);
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    diff_opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc != 0) {
        if (rc < 0)
            fputs("usage: reprint diff [options] A B  (see 'reprint diff --help')\n", stderr);
        rp_options_free(o.ro);
        return rc > 0 ? finish_output(EXIT_OK) : EXIT_TROUBLE;
    }
    const char *pa = argv[optind], *pb = argv[optind + 1];
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    rp_diff d = {0};
    int code = EXIT_TROUBLE;
    if (load(pa, o.verbose, &a, &alen) < 0 || load(pb, o.verbose, &b, &blen) < 0)
        goto out;
    int err = rp_diff_texts(a, alen, b, blen, o.ro, o.min_run, &d);
    if (err != RP_OK) {
        diag("diff: %s", rp_strerror(err));
        goto out;
    }
    if (o.brief) {
        fputs(d.sim.similar ? "near-duplicates: " : "not near-duplicates: ", stdout);
        safe_string(stdout, pa);
        fputs(" and ", stdout);
        safe_string(stdout, pb);
        printf(" (score %.2f, threshold %.2f)\n", d.sim.score, sim_get(o.ro, RP_OPT_THRESHOLD));
    } else if (o.json)
        print_json(pa, pb, &d, o.ro);
    else if (o.html ? print_html(pa, pb, a, alen, b, blen, &d, &o) < 0
                    : print_human(pa, pb, a, alen, b, blen, &d, &o) < 0)
        goto out;
    code = finish_output(d.sim.similar ? EXIT_OK : EXIT_SKIPPED);
out:
    rp_diff_clear(&d);
    rp_options_free(o.ro);
    free(a);
    free(b);
    return code;
}
