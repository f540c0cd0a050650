/*
 * test_clean.c - markup and page-furniture removal, through the public
 * rp_tokenize(..., clean = 1, ...) against clean = 0.
 *
 * Each case wraps prose of our own in furniture and checks two things:
 * the furniture's words are gone (and were there without cleaning), and
 * the prose is all kept. Where the furniture is whole lines the check is
 * exact: the cleaned tokens of the page are the tokens of the prose
 * alone, and every token still points at its own bytes in the page.
 * The texts are invented for these tests; rare made-up words ("zzq...",
 * "Quillfeather") mark what must disappear.
 */
#include "testutil.h"

/* Prose: three paragraphs about an invented ferry. */
#define P1 "The harbour ferry between Kelvport and Marrow Island will resume " \
           "its winter timetable next Monday, the regional transport board " \
           "announced on Tuesday."
#define P2 "Engineers spent six weeks replacing the worn propeller shafts on " \
           "both vessels after a routine inspection found hairline cracks in " \
           "the summer."
#define P3 "Commuters welcomed the news, although several complained that " \
           "fares would rise by four percent from January to cover the " \
           "repair bill."
#define PROSE P1 "\n\n" P2 "\n\n" P3 "\n"

static size_t count_word(const char *text, int clean, const char *word)
{
    rp_token *t = NULL;
    size_t n = tok_str(text, clean, &t), c = 0;
    uint64_t h = word_hash(word);
    for (size_t i = 0; i < n; i++)
        c += t[i].hash == h;
    free(t);
    return c;
}

/* Asserts each word is in text without cleaning and gone with it. */
static void assert_removed(const char *text, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!text_has_word(text, 0, words[i]))
            print_error("'%s' is not in the uncleaned text\n", words[i]);
        assert_true(text_has_word(text, 0, words[i]));
        if (text_has_word(text, 1, words[i]))
            print_error("'%s' survived cleaning\n", words[i]);
        assert_false(text_has_word(text, 1, words[i]));
    }
}

/* Asserts each word survives cleaning. */
static void assert_kept(const char *text, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!text_has_word(text, 1, words[i]))
            print_error("'%s' was removed by cleaning\n", words[i]);
        assert_true(text_has_word(text, 1, words[i]));
    }
}

/* Asserts that cleaning page leaves exactly the tokens of prose (read
 * uncleaned), and that every token points into page at bytes that
 * tokenize to the same hash. */
static void assert_clean_is(const char *page, const char *prose)
{
    rp_token *tp = NULL, *tw = NULL;
    size_t np = tok_str(page, 1, &tp), nw = tok_str(prose, 0, &tw);
    if (np != nw)
        print_error("cleaned page: %zu tokens, prose: %zu\n", np, nw);
    assert_int_equal(np, nw);
    for (size_t i = 0; i < np; i++) {
        if (tp[i].hash != tw[i].hash)
            print_error("token %zu differs: page has '%.*s'\n", i,
                        (int)(tp[i].end - tp[i].start), page + tp[i].start);
        assert_true(tp[i].hash == tw[i].hash);
        rp_token *one = NULL;
        size_t m = 0;
        assert_true(tp[i].end <= strlen(page));
        assert_int_equal(rp_tokenize(page + tp[i].start, tp[i].end - tp[i].start,
                                     0, &one, &m), RP_OK);
        assert_int_equal(m, 1);
        assert_true(one[0].hash == tp[i].hash);
        free(one);
    }
    free(tp);
    free(tw);
}

/* ------------------------------------------------------------------ */

static const char page_lines[] =
    "By Marta Quillfeather\n"
    "\n"
    "KELVPORT (Reuters) - " P1 "\n"
    "\n"
    "Share this article\n"
    "Share on Facebook   Share on Twitter   Print   Email\n"
    "ADVERTISEMENT\n"
    "\n"
    P2 "\n"
    "\n"
    "Related article: Zzqcouncil approves a new pier budget\n"
    "Photo: Jonas Brightwater/Getty Images\n"
    "\n"
    P3 "\n"
    "\n"
    "\xC2\xA9 2026 Northfield Gazette. All rights reserved.\n"
    "Sign up for our Zzqletter newsletter\n"
    "\n"
    "12 comments\n"
    "\n"
    "Tidewalker \xC2\xB7 3 hours ago\n"
    "About time they fixed those boats, zzqsaid everyone.\n"
    "\n"
    "Gullwing \xC2\xB7 2 hours ago\n"
    "Four percent is outrageous for a twenty minute crossing.\n";

static void test_furniture_lines_exact(void **state)
{
    (void)state;
    assert_clean_is(page_lines, PROSE);
    static const char *const gone[] = {
        "quillfeather", "kelvport" /* dateline; also in P1, see below */,
        "reuters", "facebook", "twitter", "print", "advertisement",
        "zzqcouncil", "brightwater", "getty", "northfield", "reserved",
        "zzqletter", "comments", "tidewalker", "zzqsaid", "gullwing",
        "outrageous"};
    for (size_t i = 0; i < ARRAY_LEN(gone); i++) {
        if (strcmp(gone[i], "kelvport") == 0) {
            /* P1 names Kelvport once; the dateline did once more */
            assert_int_equal(count_word(page_lines, 0, "kelvport"), 2);
            assert_int_equal(count_word(page_lines, 1, "kelvport"), 1);
            continue;
        }
        assert_removed(page_lines, &gone[i], 1);
    }
    /* not cleaning keeps everything */
    assert_true(tok_count(page_lines) > tok_count(PROSE) + 40);
}

static void test_crlf_and_indent(void **state)
{
    (void)state;
    /* the same page with CRLF line ends */
    size_t n = strlen(page_lines), w = 0;
    char *crlf = malloc(2 * n + 1);
    assert_non_null(crlf);
    for (size_t i = 0; i < n; i++) {
        if (page_lines[i] == '\n')
            crlf[w++] = '\r';
        crlf[w++] = page_lines[i];
    }
    crlf[w] = 0;
    assert_clean_is(crlf, PROSE);
    free(crlf);
}

static void test_html(void **state)
{
    (void)state;
    static const char page[] =
        "<div class=\"zzqstory\"><p>The <b>harbour</b> ferry&nbsp;resumed "
        "<a href=\"https://example.com/zzqlink\">its service</a> on Monday.</p>\n"
        "<p>Tickets cost &pound;4 &amp; children travel free, the "
        "<em>board</em>&#8217;s chair said.<br/></p>\n"
        "<!-- zzqcomment --><img src=\"zzqpic.jpg\" alt=\"\"></div>\n";
    static const char prose[] =
        "The harbour ferry resumed its service on Monday. "
        "Tickets cost 4 children travel free, the board s chair said.";
    assert_clean_is(page, prose);
    static const char *const gone[] = {"div", "zzqstory", "href", "zzqlink",
        "em", "br", "zzqcomment", "img", "zzqpic", "jpg"};
    assert_removed(page, gone, ARRAY_LEN(gone));
    /* entities are decoded by the tokenizer, cleaned or not: their names
     * are never words (issue 13) */
    static const char *const names[] = {"nbsp", "pound", "amp", "8217"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        assert_false(text_has_word(page, 0, names[i]));
        assert_false(text_has_word(page, 1, names[i]));
    }
    /* a '<' that opens no tag is text, not markup */
    assert_clean_is("Prices rose 3 < 4 percent and x<y held.",
                    "Prices rose 3 4 percent and x y held.");
}

static void test_markdown(void **state)
{
    (void)state;
    static const char page[] =
        "# Ferry returns to Marrow Island\n"
        "\n"
        "The [transport board](https://example.org/zzqboard \"title\") said the "
        "**repairs** were _finished_ early, and *most* crossings ran on time.\n"
        "\n"
        "![A ferry at the pier](https://img.example.org/zzqpic.jpg)\n"
        "\n"
        "The full report is at https://www.example.net/zzqreport/2026?x=1 and "
        "questions go to press.office@zzqmail.example.com before Friday.\n";
    static const char *const gone[] = {"zzqboard", "title", "zzqpic", "jpg",
        "zzqreport", "www", "net", "zzqmail", "office", "https"};
    assert_removed(page, gone, ARRAY_LEN(gone));
    static const char *const kept[] = {"ferry", "returns", "marrow", "transport",
        "board", "said", "repairs", "finished", "most", "crossings", "pier",
        "report", "questions", "friday"};
    assert_kept(page, kept, ARRAY_LEN(kept));
    /* emphasis marks are punctuation: the words read as without them */
    assert_clean_is("The **repairs** were _finished_ early.",
                    "The repairs were finished early.");
    assert_clean_is("The [board](http://example.org/a/b) met.", "The board met.");
}

static void test_interface_words_only_when_alone(void **state)
{
    (void)state;
    /* a short line of interface words is furniture; the same words in a
     * sentence are prose */
    static const char page[] =
        P1 "\n"
        "Share\n"
        "Tweet\n"
        "Shares in the ferry operator rose after it agreed to share the "
        "repair costs and print a new timetable for the island.\n"
        "Print this story\n"
        "Advertisement\n"
        "3 min read\n"
        P2 "\n";
    assert_int_equal(count_word(page, 0, "share"), 2);
    assert_int_equal(count_word(page, 1, "share"), 1);
    assert_int_equal(count_word(page, 0, "print"), 2);
    assert_int_equal(count_word(page, 1, "print"), 1);
    static const char *const gone[] = {"tweet", "advertisement", "min"};
    assert_removed(page, gone, ARRAY_LEN(gone));
    static const char *const kept[] = {"shares", "operator", "timetable", "engineers"};
    assert_kept(page, kept, ARRAY_LEN(kept));
}

static void test_cue_lines(void **state)
{
    (void)state;
    static const char page[] =
        P1 "\n"
        "Related: Zzqone pier works delayed again\n"
        "Read more: Zzqtwo island school reopens\n"
        "See also: Zzqthree ferry fares explained\n"
        "Copyright 2026 Zzqfour Media Group\n"
        "(c) Zzqfive News Agency\n"
        "Picture: Zzqsix Harbour Authority\n"
        "Original URL: zzqseven\n"
        P2 "\n";
    static const char *const gone[] = {"zzqone", "zzqtwo", "zzqthree",
        "zzqfour", "zzqfive", "zzqsix", "zzqseven"};
    assert_removed(page, gone, ARRAY_LEN(gone));
    assert_clean_is(page, P1 " " P2);
    /* a sentence that merely starts with a cue word is prose when long */
    static const char long_related[] =
        "Related problems with the propeller shafts had been reported on two "
        "other ferries built by the same yard, according to maintenance "
        "records seen by reporters, and inspectors now want every vessel of "
        "that class checked before the winter storms arrive in the strait.\n";
    assert_clean_is(long_related, long_related);
}

static void test_datelines(void **state)
{
    (void)state;
    struct { const char *page, *prose; } cases[] = {
        {"PARIS (AFP) - Ministers met on Monday.", "Ministers met on Monday."},
        {"LONDON, June 5 (Reuters) -- Ministers met on Monday.", "Ministers met on Monday."},
        {"BERLIN \xE2\x80\x93 Ministers met on Monday.", "Ministers met on Monday."},
        {"Washington (AP) \xE2\x80\x94 Ministers met on Monday.", "Ministers met on Monday."},
        {"<p>ROME (ANSA) - Ministers met on Monday.</p>", "Ministers met on Monday."},
        {"**MADRID (EFE)** - Ministers met on Monday.", "Ministers met on Monday."},
        {"## LISBON (Lusa) - Ministers met on Monday.", "Ministers met on Monday."},
        /* a paragraph after a blank line starts afresh */
        {"Ministers met on Monday.\n\nOSLO (NTB) - They agreed.",
         "Ministers met on Monday. They agreed."},
        /* not datelines: lowercase lead, a dash without a space before it,
         * no dash, too many words before the dash */
        {"The mayor - who was elected in May - said no.",
         "The mayor - who was elected in May - said no."},
        {"Officials said - as expected - that talks failed.",
         "Officials said - as expected - that talks failed."},
        {"COVID-19 cases rose in March.", "COVID-19 cases rose in March."},
        {"PARIS is calm tonight.", "PARIS is calm tonight."},
        {"THE NORTH SEA FERRY LINE AND ITS TWO OLD BOATS ARE GONE - "
         "sold for scrap.",
         "THE NORTH SEA FERRY LINE AND ITS TWO OLD BOATS ARE GONE - "
         "sold for scrap."},
        /* only at the start of a paragraph, not on a following line */
        {"Ministers met on Monday.\nOSLO (NTB) - They agreed.",
         "Ministers met on Monday. OSLO NTB They agreed."},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        assert_clean_is(cases[i].page, cases[i].prose);
}

static void test_bylines(void **state)
{
    (void)state;
    struct { const char *page, *prose; } cases[] = {
        {"By Staff Reporter\n" P1, P1},
        {"By Marta Quillfeather and Ode Lindqvist\n" P1, P1},
        {"BY MARTA QUILLFEATHER\n" P1, P1},
        {"Reuters staff\n" P1, P1},
        {"Von Anna Zzqschmidt\n" P1, P1},
        {P1 "\nBy Marta Quillfeather, Transport Correspondent\n", P1},
        /* a sentence starting with "By" is prose */
        {"By the end of the week the operator expects every crossing to "
         "run on time again.\n" P1,
         "By the end of the week the operator expects every crossing to "
         "run on time again. " P1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        assert_clean_is(cases[i].page, cases[i].prose);
}

static void test_comment_thread_by_heading(void **state)
{
    (void)state;
    static const char *const heads[] = {
        "3 comments", "Comments (2)", "Comments", "Leave a reply",
        "Join the discussion", "Reader comments", "Kommentare",
        "12 Comentarios", "Yorumlar"};
    for (size_t i = 0; i < ARRAY_LEN(heads); i++) {
        char *page = NULL;
        size_t len = 0;
        cat_str(&page, &len, PROSE "\n");
        cat_str(&page, &len, heads[i]);
        cat_str(&page, &len, "\n\nZzqreader wrote a long reply about the ferry "
                             "fares and how the board never listens to anyone.\n"
                             "Another zzqvoice agreed with every single word.\n");
        assert_clean_is(page, PROSE);
        static const char *const gone[] = {"zzqreader", "zzqvoice"};
        assert_removed(page, gone, ARRAY_LEN(gone));
        free(page);
    }
}

static void test_comment_thread_by_shape(void **state)
{
    (void)state;
    /* no heading: from some line on, most lines are quoted, indented,
     * bulleted, numbered or "name · time" headers */
    static const char page[] =
        PROSE "\n"
        "Tidewalker \xC2\xB7 3 hours ago\n"
        "> Zzqquoted the board's own promise from last spring about fares\n"
        "  Zzqindented reply agreeing that the crossing is far too dear now\n"
        "- Zzqbullet remark on the winter timetable and its early sailings\n"
        "Gullwing | yesterday\n"
        "1. Zzqnumbered point about the propeller shafts and their cracks\n";
    assert_clean_is(page, PROSE);
    static const char *const gone[] = {"tidewalker", "zzqquoted", "zzqindented",
        "zzqbullet", "gullwing", "zzqnumbered"};
    assert_removed(page, gone, ARRAY_LEN(gone));
}

static void test_comment_cut_needs_article(void **state)
{
    (void)state;
    /* a "Comments" heading before 30 words of article cuts nothing */
    static const char top[] =
        "5 comments\n"
        "\n"
        P1 "\n\n" P2 "\n";
    assert_clean_is(top, P1 " " P2);
    /* a list in the middle of an article, followed by more prose, is not
     * a thread */
    static const char list[] =
        P1 "\n\n"
        "The board listed three changes:\n"
        "- earlier first sailings on weekdays\n"
        "- a later last sailing on Fridays\n"
        "- a new stop at the north pier\n"
        "\n"
        P2 "\n\n" P3 "\n";
    assert_clean_is(list, list);
}

static void test_only_furniture(void **state)
{
    (void)state;
    rp_token *t = NULL;
    assert_int_equal(tok_str("Share this article\nADVERTISEMENT\nPrint\n"
                             "By Staff Reporter\n", 1, &t), 0);
    assert_null(t);
    assert_true(tok_str("Share this article\nADVERTISEMENT\n", 0, &t) > 0);
    free(t);
    assert_int_equal(tok_str("", 1, &t), 0);
    assert_int_equal(tok_str("\n\n\n", 1, &t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_furniture_lines_exact),
        cmocka_unit_test(test_crlf_and_indent),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_interface_words_only_when_alone),
        cmocka_unit_test(test_cue_lines),
        cmocka_unit_test(test_datelines),
        cmocka_unit_test(test_bylines),
        cmocka_unit_test(test_comment_thread_by_heading),
        cmocka_unit_test(test_comment_thread_by_shape),
        cmocka_unit_test(test_comment_cut_needs_article),
        cmocka_unit_test(test_only_furniture),
    };
    return cmocka_run_group_tests_name("clean", tests, NULL, NULL);
}
