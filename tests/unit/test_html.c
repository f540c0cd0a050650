/*
 * test_html.c - the text of HTML pages (rp_html_text, src/html.c): what is
 * dropped, how blocks and lines are laid out, white space, entities, and
 * pages that are broken or pathological.
 */
#include "testutil.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
