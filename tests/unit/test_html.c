/*
 * test_html.c - the text of HTML pages (rp_html_text, src/html.c): what is
 * dropped, how blocks and lines are laid out, white space, entities, and
 * pages that are broken or pathological.
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "testutil.h"
#include "util.h"

static void text_is(const char *html, const char *want)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(rp_html_text(html, strlen(html), &out, &len), RP_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_string_equal(out, want);
    free(out);
}

static void test_dropped(void **state)
{
    (void)state;
    text_is("<html><head><title>T</title><style>p{}</style>"
            "<script>var a = 1;</script></head><body>"
            "<nav>menu</nav><header>mast</header><p>kept</p>"
            "<aside>side</aside><noscript>js</noscript><template>tpl</template>"
            "<form>field<input></form><footer>foot</footer>"
            "<iframe>frame</iframe><button>press</button>"
            "<script>late()</script></body></html>",
            "kept\n");
    /* dropped elements nested deep in the article */
    text_is("<article><p>a <span>b <script>no</script>c</span></p>"
            "<div><nav><p>no</p></nav>d</div></article>",
            "a b c\n\nd\n");
    /* comments are not text */
    text_is("<p>x<!-- hidden -->y</p>", "xy\n");
}

static void test_layout(void **state)
{
    (void)state;
    text_is("<h1>Title</h1><p>one</p><p>two</p>", "Title\n\none\n\ntwo\n");
    text_is("<p>line<br>break<br/>again</p>", "line\nbreak\nagain\n");
    text_is("<ul><li>a</li><li>b</li></ul><p>c</p>", "a\nb\n\nc\n");
    text_is("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>",
            "a b\nc d\n");
    text_is("<div><div><p>nested</p></div></div>text after", "nested\n\ntext after\n");
    text_is("<section><h2>S</h2>loose text<blockquote>q</blockquote></section>",
            "S\n\nloose text\n\nq\n");
    /* inline elements join their text */
    text_is("<p>un<b>bro</b><i>ken</i> <a href='x'>word</a></p>", "unbroken word\n");
}

static void test_whitespace(void **state)
{
    (void)state;
    text_is("<p>  many \n\t spaces\r\n here  </p>", "many spaces here\n");
    text_is("<p>a</p>   \n\n   <p>b</p>", "a\n\nb\n");
    text_is("<pre>  keep\n    this</pre>", "  keep\n    this\n");
    text_is("<p>x</p><pre>a  b</pre><p>y   z</p>", "x\n\na  b\n\ny z\n");
    text_is("", "");
    text_is("   ", "");
    text_is("<p></p><div> </div>", "");
}

static void test_entities(void **state)
{
    (void)state;
    text_is("<p>caf&eacute; &amp; &lt;tag&gt; &#8220;q&#x201D; &nbsp;x</p>",
            "caf\xc3\xa9 & <tag> \xe2\x80\x9cq\xe2\x80\x9d \xc2\xa0x\n");
    text_is("<p>\xf0\x9f\x98\x80 &#x1F600;</p>", "\xf0\x9f\x98\x80 \xf0\x9f\x98\x80\n");
}

static void test_broken(void **state)
{
    (void)state;
    text_is("<p>unclosed <b>bold <p>next", "unclosed bold\n\nnext\n");
    text_is("no tags at all", "no tags at all\n");
    text_is("</p></div>stray closers", "stray closers\n");
    char *out;
    size_t len;
    /* stray angle brackets: how they are recovered is libxml2's choice */
    assert_int_equal(rp_html_text("<<>><p>><</p>", 13, &out, &len), RP_OK);
    assert_non_null(strstr(out, "><"));
    free(out);
    /* invalid UTF-8 and control bytes: no failure */
    const char bad[] = "<p>\xff\xfe bad \x01 bytes \xc3</p>";
    assert_int_equal(rp_html_text(bad, sizeof bad - 1, &out, &len), RP_OK);
    free(out);
    assert_int_equal(rp_html_text("x", (size_t)1 << 31, &out, &len), RP_ETOOBIG);
    assert_null(out);
}

static void test_deep(void **state)
{
    (void)state;
    /* deep nesting: the walk has no recursion to overflow */
    size_t depth = 20000, n = 0;
    char *s = malloc(depth * 11 + 16);
    assert_non_null(s);
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, "<div><b>");
    n += (size_t)sprintf(s + n, "deep");
    char *out;
    size_t len;
    assert_int_equal(rp_html_text(s, n, &out, &len), RP_OK);
    free(out);
    free(s);
}

static void test_deep_keeps_text(void **state)
{
    (void)state;
    /* more than 256 levels: the text after them is kept (libxml2's tree
     * stopped there and lost the rest of the page) */
    size_t depth = 1000, n = 0;
    char *s = malloc(depth * 12 + 64);
    assert_non_null(s);
    n += (size_t)sprintf(s + n, "<html><body>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, i % 2 ? "<span>" : "<div>");
    n += (size_t)sprintf(s + n, "deep words");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, i % 2 ? "</div>" : "</span>");
    n += (size_t)sprintf(s + n, "<p>after</p></body></html>");
    char *out;
    size_t len;
    assert_int_equal(rp_html_text(s, n, &out, &len), RP_OK);
    assert_string_equal(out, "deep words\n\nafter\n");
    free(out);
    free(s);
}

static void test_recovery(void **state)
{
    (void)state;
    /* text before any tag, and implied closes */
    text_is("lead<li>item", "lead\n\nitem\n");
    text_is("<p>a<form>f</form>b", "a\n\nb\n");
    text_is("<dl><dt>t<dd>d<dt>u</dl>", "t\nd\nu\n");
    text_is("<table><tr><td>a<td>b<tr><td>c</table>", "a b\nc\n");
    /* a dropped element closed by the end of its parent */
    text_is("<div><nav>menu</div>after", "after\n");
    /* head without its end tag ends where the body starts */
    text_is("<html><head><title>t</title><p>body text", "body text\n");
    /* quoted attribute values may hold '>'; unmatched quotes end at '>' */
    text_is("<p title='a>b' class=\"c>d\">x</p>", "x\n");
    text_is("<p title='oops>x</p><p>y", "x\n\ny\n");
    /* raw text of script ends only at its end tag */
    text_is("<p>a<script>if (a<b) document.write('</p>')</script>b</p>", "ab\n");
    /* entities: unknown ones and ones without ';' stay text */
    text_is("<p>&bogus; &eacute &amp;x &#0; &#x110000; &#233</p>",
            "&bogus; &eacute &x \xc3\xa9\n");
    /* a NUL byte is never text */
    char *o;
    size_t ol;
    assert_int_equal(rp_html_text("<p>a\0b</p>", 10, &o, &ol), RP_OK);
    assert_int_equal(ol, strlen(o));
    assert_string_equal(o, "ab\n");
    free(o);
    /* CR line ends in pre */
    text_is("<pre>a\rb\r\nc</pre>", "a\nb\nc\n");
}

/* Hostile pages of about `size` bytes, of each kind. */
static char *hostile(int kind, size_t size, size_t *len)
{
    static const char *const unit[] = {
        "a1=\"1\" ",                         /* attributes of one tag */
        "<div>",                               /* deep nesting */
        "<b><i>x<p>word",                      /* unclosed tags */
        "<!-- c -- x <p> --><p>a",             /* comments */
        "&eacute;&#233;&#x00e9;&bogus;&amp&",  /* entities */
        "<div></span></b>",                    /* deep, unmatched end tags */
        "<p a='x>",                            /* unmatched quotes */
    };
    const char *head = kind == 0 ? "<html><body><p " : "<html><body>";
    char *s = malloc(size + 64);
    assert_non_null(s);
    size_t n = strlen(head), u = strlen(unit[kind]);
    memcpy(s, head, n);
    while (n + u < size) {
        memcpy(s + n, unit[kind], u);
        n += u;
    }
    n += (size_t)sprintf(s + n, ">w</p></body></html>");
    *len = n;
    return s;
}

/* CPU time of this thread: unlike the wall clock, it does not count the
 * time the thread waits for a core on a loaded machine. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double ns_per_byte(const char *s, size_t n, int runs)
{
    double best = 1e30;
    for (int r = 0; r < runs; r++) {
        char *out;
        size_t len;
        double t0 = cpu_now();
        assert_int_equal(rp_html_text(s, n, &out, &len), RP_OK);
        double t = cpu_now() - t0;
        free(out);
        if (t < best)
            best = t;
    }
    return best * 1e9 / (double)n;
}

static void test_linear_time(void **state)
{
    (void)state;
    /* a property: the time per byte of any kind of hostile page stays
     * flat from 1 MB to 32 MB. A quadratic cost would make it 32 times
     * larger; a factor of 8 leaves room for caches and a noisy machine.
     * Timed in thread CPU time, best of several runs. */
    for (int kind = 0; kind < 7; kind++) {
        size_t n1, n32;
        char *s1 = hostile(kind, (size_t)1 << 20, &n1);
        char *s32 = hostile(kind, (size_t)32 << 20, &n32);
        double a = ns_per_byte(s1, n1, 5), b = ns_per_byte(s32, n32, 3);
        printf("# html kind %d: %.2f ns/byte at 1 MB, %.2f at 32 MB\n", kind, a, b);
        /* below 2 ns/byte the 1 MB figure is mostly timer noise */
        assert_true(b <= 8 * (a > 2 ? a : 2));
        free(s1);
        free(s32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_deep),
        cmocka_unit_test(test_deep_keeps_text),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
