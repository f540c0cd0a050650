/*
 * test_input.c - the input layer of `reprint scan` (src/cli/input.c): the
 * record stream from folders and from stdin, and input_reload(), which a
 * second pass uses to get the same prepared text back, and input_seek(),
 * which finds a record again from its place in its file. Links the CLI
 * objects it needs (see the Makefile). Standard input is replaced by
 * files with dup2. The layer's messages about the bad records fed to it
 * appear on stderr, as expected.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"

static char dir[64];

static void write_file(const char *name, const char *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* Makes data the process's standard input. */
static void set_stdin(const char *data, size_t n)
{
    write_file("stdin", data, n);
    char path[256];
    snprintf(path, sizeof path, "%s/stdin", dir);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/rp-input-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    fprintf(stderr, "(test_input: the 'reprint:' messages below are expected)\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static input_opts defaults(void)
{
    input_opts o;
    memset(&o, 0, sizeof o);
    o.max_bytes = 1 << 20;
    return o;
}

/* Reads every record; checks each reloads to the same bytes. @return the
 * number of records; ids joined by ',' into ids. */
static size_t drain(input *in, char *ids, size_t cap, int reloadable)
{
    record r;
    size_t n = 0;
    ids[0] = 0;
    int got;
    while ((got = input_next(in, &r)) > 0) {
        n++;
        if (ids[0])
            strncat(ids, ",", cap - strlen(ids) - 1);
        strncat(ids, r.id, cap - strlen(ids) - 1);
        assert_int_equal(strlen(r.text), r.len);
        char *t;
        size_t len;
        int rc = input_reload(in, r.ref, &t, &len);
        if (reloadable) {
            assert_int_equal(rc, RP_OK);
            assert_int_equal(len, r.len);
            assert_memory_equal(t, r.text, len);
            free(t);
        } else {
            assert_int_equal(rc, RP_ELOAD);
            assert_null(t);
        }
        record_free(&r);
    }
    assert_int_equal(got, 0);
    return n;
}

static void test_files(void **state)
{
    (void)state;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);
    write_file("sub/b.txt", "bee words", 9);
    write_file("sub/a.html", "<p>ay <script>no</script>words</p>", 34);
    write_file("sub/c.txt", "caf\xe9", 4);
    write_file("sub/d.bin", "x\0y", 3);
    write_file("sub/.e.txt", "hidden", 6);
    input_opts o = defaults();
    char *paths[] = {sub};
    input *in = input_open(paths, 1, &o);
    assert_non_null(in);
    char ids[1024], want[1024];
    assert_int_equal(drain(in, ids, sizeof ids, 1), 3);
    snprintf(want, sizeof want, "%s/a.html,%s/b.txt,%s/c.txt", sub, sub, sub);
    assert_string_equal(ids, want);
    assert_int_equal(input_skipped(in), 1);   /* d.bin */
    input_stats st;
    input_get_stats(in, &st);
    assert_int_equal(st.files, 4);
    assert_int_equal(st.records, 3);
    assert_int_equal(st.bytes, 9 + 34 + 4 + 3);
    input_close(in);

    /* the prepared text: HTML reduced, Windows-1252 converted */
    o.quiet_skip = 1;
    in = input_open(paths, 1, &o);
    record r;
    assert_int_equal(input_next(in, &r), 1);
    assert_string_equal(r.text, "ay words\n");
    assert_null(r.where);
    assert_string_equal(record_where(&r), r.id);
    record_free(&r);
    record_free(&r);   /* a cleared record frees nothing */
    assert_int_equal(input_next(in, &r), 1);
    record_free(&r);
    assert_int_equal(input_next(in, &r), 1);
    assert_string_equal(r.text, "caf\xc3\xa9");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 0);
    assert_int_equal(input_skipped(in), 0);   /* --quiet-skip */
    assert_int_equal(input_reload(in, 99, &r.text, &r.len), RP_ELOAD);
    input_close(in);
    input_close(NULL);
}

/* With defer, file records come without text; input_load reads them, and
 * says why a file is skipped instead of printing it. */
static void test_defer(void **state)
{
    (void)state;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/defer", dir);
    mkdir(sub, 0700);
    write_file("defer/a.txt", "caf\xe9 words", 10);
    write_file("defer/b.bin", "x\0y", 3);
    input_opts o = defaults();
    o.defer = 1;
    o.verbose = 1;
    char *paths[] = {sub};
    input *in = input_open(paths, 1, &o);
    assert_non_null(in);
    record r;
    char why[256];
    assert_int_equal(input_next(in, &r), 1);
    assert_null(r.text);
    assert_int_equal(input_load(in, &r, why, sizeof why), 1);
    assert_string_equal(r.text, "caf\xc3\xa9 words");
    assert_string_equal(why, "converted from windows-1252");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 1);
    assert_int_equal(input_load(in, &r, why, sizeof why), 0);
    assert_null(r.text);
    assert_string_equal(why, "skipped: looks binary (NUL byte in the first 8 KiB)");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 0);
    assert_int_equal(input_skipped(in), 0);   /* the caller counts */
    input_stats st;
    input_get_stats(in, &st);
    assert_int_equal(st.bytes, 13);
    input_close(in);
    o.quiet_skip = 1;
    in = input_open(paths, 1, &o);
    assert_int_equal(input_next(in, &r), 1);
    record_free(&r);
    assert_int_equal(input_next(in, &r), 1);
    assert_int_equal(input_load(in, &r, why, sizeof why), 0);
    assert_string_equal(why, "");   /* skipped silently */
    record_free(&r);
    input_close(in);
}

static const char jsonl_in[] =
    "{\"id\": \"one\", \"text\": \"first \\u00e9 text\"}\n"
    "\n"
    "not json\n"
    "{\"id\": \"two\", \"text\": \"<html><p>second</p></html>\"}\r\n"
    "{\"id\": \"three\", \"text\": \"" /* 40 bytes of text: too long below */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n"
    "{\"id\": \"four\", \"text\": \"last\"}";

static void test_stdin_jsonl(void **state)
{
    (void)state;
    input_opts o = defaults();
    o.spool = 1;
    o.max_bytes = 60;
    char *paths[] = {"-"};
    char ids[256];
    set_stdin(jsonl_in, sizeof jsonl_in - 1);
    input *in = input_open(paths, 1, &o);
    assert_non_null(in);
    record r;
    assert_int_equal(input_next(in, &r), 1);
    assert_string_equal(r.id, "one");
    assert_string_equal(r.where, "stdin:1");
    assert_string_equal(r.text, "first \xc3\xa9 text");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 1);
    assert_string_equal(r.id, "two");
    assert_string_equal(r.where, "stdin:4");
    assert_string_equal(r.text, "second\n");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 1);
    assert_string_equal(r.where, "stdin:6");
    record_free(&r);
    assert_int_equal(input_next(in, &r), 0);
    assert_int_equal(input_skipped(in), 2);   /* not json, too long */
    input_close(in);

    /* every record reloads from the spool; without it, none does */
    set_stdin(jsonl_in, sizeof jsonl_in - 1);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 3);
    assert_string_equal(ids, "one,two,four");
    input_close(in);
    o.spool = 0;
    set_stdin(jsonl_in, sizeof jsonl_in - 1);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 0), 3);
    input_close(in);
}

static void test_stdin_formats(void **state)
{
    (void)state;
    input_opts o = defaults();
    o.spool = 1;
    char *paths[] = {"-"};
    char ids[256];
    set_stdin("a b\0c d\0\0e f", 12);
    input *in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 3);
    assert_string_equal(ids, "1,2,4");   /* record 3 is empty */
    assert_int_equal(input_skipped(in), 1);
    input_close(in);

    set_stdin("  just {one} text\n", 18);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 1);
    assert_string_equal(ids, "-");
    input_close(in);

    /* forced formats */
    o.format = INPUT_TEXT;
    set_stdin("{\"id\": 1}\n", 10);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 1);
    input_close(in);
    o.format = INPUT_NUL;
    set_stdin("one\ntwo\n", 8);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 1);
    input_close(in);
    o.format = INPUT_JSONL;
    o.id_field = "url";
    o.text_field = "body";
    static const char fields[] = "{\"url\": \"u\", \"body\": \"b\"}\n{\"id\": \"x\", \"text\": \"t\"}\n";
    set_stdin(fields, sizeof fields - 1);
    in = input_open(paths, 1, &o);
    assert_int_equal(drain(in, ids, sizeof ids, 1), 1);
    assert_string_equal(ids, "u");
    assert_int_equal(input_skipped(in), 1);
    input_close(in);
}

static void test_stdin_large(void **state)
{
    (void)state;
    /* many records, one of them over the limit, through a small buffer */
    size_t n = 3000, cap = n * 64 + 200000;
    char *data = malloc(cap), *w = data;
    assert_non_null(data);
    for (size_t i = 0; i < n; i++) {
        w += sprintf(w, "{\"id\": %zu, \"text\": \"word%zu\"}\n", i, i);
        if (i == 1000) {
            w += sprintf(w, "{\"id\": \"big\", \"text\": \"");
            memset(w, 'x', 150000);
            w += 150000;
            w += sprintf(w, "\"}\n");
        }
    }
    set_stdin(data, (size_t)(w - data));
    free(data);
    input_opts o = defaults();
    o.max_bytes = 100000;
    char *paths[] = {"-"};
    input *in = input_open(paths, 1, &o);
    record r;
    size_t got = 0;
    while (input_next(in, &r) > 0) {
        char want[32];
        snprintf(want, sizeof want, "%zu", got);
        assert_string_equal(r.id, want);
        got++;
        record_free(&r);
    }
    assert_int_equal(got, n);
    assert_int_equal(input_skipped(in), 1);
    input_close(in);
}

/* Batches hold at most --max-bytes of input, counted from the files'
 * sizes before they are read; a record that does not fit waits for the
 * next batch; a file that grew after it was counted is not read. */
static void test_batch(void **state)
{
    (void)state;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/batch", dir);
    mkdir(sub, 0700);
    char big[201];
    memset(big, 'w', 200);
    big[59] = ' ';
    big[200] = 0;
    write_file("batch/a.txt", big, 60);
    write_file("batch/b.txt", big, 60);
    write_file("batch/c.txt", big, 30);
    write_file("batch/d.txt", big, 200);   /* over --max-bytes: costs nothing */
    input_opts o = defaults();
    o.defer = 1;
    o.max_bytes = 100;
    char *paths[] = {sub};
    input *in = input_open(paths, 1, &o);
    assert_non_null(in);
    record r;
    uint64_t bytes = 0;
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    assert_true(strstr(r.id, "a.txt") != NULL);
    assert_int_equal(r.size, 60);
    record_free(&r);
    assert_int_equal(input_next_batch(in, &r, &bytes), 2);   /* b waits */
    assert_null(r.id);
    assert_int_equal(bytes, 60);
    bytes = 0;
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    assert_true(strstr(r.id, "b.txt") != NULL);
    record_free(&r);
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    assert_true(strstr(r.id, "c.txt") != NULL);
    /* c grows after it was counted: a small file is read whole when it
     * is looked at, so its record has the 30 bytes counted, not 40 */
    char why[256];
    write_file("batch/c.txt", big, 40);
    assert_int_equal(input_load(in, &r, why, sizeof why), 1);
    assert_int_equal(r.len, 30);
    assert_string_equal(why, "");
    record_free(&r);
    assert_int_equal(bytes, 90);
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    assert_true(strstr(r.id, "d.txt") != NULL);
    assert_int_equal(bytes, 90);
    assert_int_equal(input_load(in, &r, why, sizeof why), 0);
    assert_string_equal(why, "cannot read: file larger than --max-bytes");
    record_free(&r);
    assert_int_equal(input_next_batch(in, &r, &bytes), 0);
    input_close(in);

    /* a file of exactly --max-bytes is read */
    write_file("batch/c.txt", big, 30);
    o.max_bytes = 60;
    in = input_open(paths, 1, &o);
    assert_int_equal(input_next(in, &r), 1);
    assert_int_equal(input_load(in, &r, why, sizeof why), 1);
    assert_int_equal(r.size, 60);
    record_free(&r);
    /* a batch still pending at close is freed */
    bytes = 0;
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    record_free(&r);
    assert_int_equal(input_next_batch(in, &r, &bytes), 2);
    input_close(in);

    /* A file over 1 MiB is read by the worker, from the descriptor kept
     * open: growing after it was counted, it is not read past its size. */
    size_t nbig = (3u << 20) / 2;
    char *huge = malloc(nbig + 100);
    assert_non_null(huge);
    memset(huge, 'w', nbig + 100);
    for (size_t k = 50; k < nbig + 100; k += 50)
        huge[k] = ' ';
    snprintf(sub, sizeof sub, "%s/huge", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file("huge/h.txt", huge, nbig);
    char *hpaths[] = {sub};
    o.max_bytes = 4u << 20;
    in = input_open(hpaths, 1, &o);
    assert_non_null(in);
    bytes = 0;
    assert_int_equal(input_next_batch(in, &r, &bytes), 1);
    assert_int_equal(r.size, nbig);
    write_file("huge/h.txt", huge, nbig + 100);
    assert_int_equal(input_load(in, &r, why, sizeof why), 0);
    char want[128];
    snprintf(want, sizeof want, "skipped: grew while being read (from %zu bytes)", nbig);
    assert_string_equal(why, want);
    record_free(&r);
    /* and one that stays its size is read whole */
    assert_int_equal(input_next_batch(in, &r, &bytes), 0);
    input_close(in);
    write_file("huge/h.txt", huge, nbig);
    in = input_open(hpaths, 1, &o);
    assert_int_equal(input_next(in, &r), 1);
    assert_int_equal(input_load(in, &r, why, sizeof why), 1);
    assert_int_equal(r.len, nbig);
    record_free(&r);
    input_close(in);

    /* Files read ahead and not yet loaded stay under 8 MiB: of twenty
     * files of 1 MiB taken at once, the first eight come with their
     * bytes, the rest with their descriptor; all load the same. */
    snprintf(sub, sizeof sub, "%s/ahead", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    for (int k = 0; k < 20; k++) {
        char name[64];
        snprintf(name, sizeof name, "ahead/%02d.txt", k);
        huge[0] = (char)('a' + k);
        write_file(name, huge, (size_t)1 << 20);
    }
    o.max_bytes = 64u << 20;
    char *apaths[] = {sub};
    in = input_open(apaths, 1, &o);
    assert_non_null(in);
    record ra[20];
    bytes = 0;
    for (int k = 0; k < 20; k++) {
        assert_int_equal(input_next_batch(in, &ra[k], &bytes), 1);
        if (k < 8)
            assert_non_null(ra[k].got);
        else
            assert_true(!ra[k].got && ra[k].fd1 > 0);
    }
    for (int k = 0; k < 20; k++) {
        assert_int_equal(input_load(in, &ra[k], why, sizeof why), 1);
        assert_int_equal(ra[k].len, (size_t)1 << 20);
        assert_int_equal(ra[k].text[0], 'a' + k);
        record_free(&ra[k]);
    }
    assert_int_equal(input_next_batch(in, &r, &bytes), 0);
    input_close(in);
    free(huge);
}

/* A UTF-8 byte order mark before JSON Lines; integer ids as written. */
static void test_stdin_bom_ids(void **state)
{
    (void)state;
    static const char in_bom[] =
        "\xef\xbb\xbf{\"id\": 123456789012345678901234567890, \"text\": \"one two\"}\n"
        "{\"text\": \"three\", \"x\": {\"id\": 1, \"y\": [\"}\", 2]}, \"\\u0069d\" : -0 }\n"
        "{\"id\": 18446744073709551616, \"text\": \"four\"}\n";
    input_opts o = defaults();
    char *paths[] = {"-"};
    char ids[256];
    for (int f = 0; f < 2; f++) {
        o.format = f ? INPUT_JSONL : INPUT_AUTO;
        set_stdin(in_bom, sizeof in_bom - 1);
        input *in = input_open(paths, 1, &o);
        assert_non_null(in);
        assert_int_equal(drain(in, ids, sizeof ids, 0), 3);
        assert_string_equal(ids, "123456789012345678901234567890,-0,18446744073709551616");
        assert_int_equal(input_skipped(in), 0);
        input_close(in);
    }
}

/* Compressed files, archives, JSON Lines files and WARC, read as streams:
 * one record per member, line or page, each spooled and reloadable. */
static void test_streams(void **state)
{
    (void)state;
    char sub[128], cmd[512];
    snprintf(sub, sizeof sub, "%s/streams", dir);
    mkdir(sub, 0700);
    write_file("streams/a.txt", "alpha words", 11);
    write_file("m1.txt", "member one", 10);
    write_file("m2.html", "<p>member <b>two</b></p>", 24);
    write_file("streams/c.jsonl", "{\"id\": \"j1\", \"text\": \"line one\"}\n"
                                  "{\"id\": \"j2\", \"text\": \"line two\"}\n", 66);
    static const char warc_text[] =
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <http://x.example/p>\r\n"
        "Content-Type: application/http; msgtype=response\r\nContent-Length: 61\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>a web page</p>\r\n\r\n";
    write_file("streams/d.warc", warc_text, sizeof warc_text - 1);
    snprintf(cmd, sizeof cmd, "cd '%s' && gzip streams/a.txt && tar cf streams/b.tar m1.txt m2.html", dir);
    assert_int_equal(system(cmd), 0);
    input_opts o = defaults();
    o.spool = 1;
    char *paths[] = {sub, sub};   /* the folder twice: read once */
    input *in = input_open(paths, 2, &o);
    assert_non_null(in);
    char ids[1024], want[1024];
    assert_int_equal(drain(in, ids, sizeof ids, 1), 6);
    snprintf(want, sizeof want, "%s/a.txt.gz,%s/b.tar:m1.txt,%s/b.tar:m2.html,j1,j2,http://x.example/p",
             sub, sub, sub);
    assert_string_equal(ids, want);
    assert_int_equal(input_skipped(in), 0);
    record r = {0};
    r.id = "x";
    assert_int_equal(input_harmless(in, &r, RP_ENOWORDS), 1);
    assert_int_equal(input_harmless(in, &r, RP_EBINARY), 0);
    assert_int_equal(input_finish(in, 6), 0);   /* prints the summary */
    input_close(in);

    /* the texts: decompressed, HTML reduced, HTTP head gone */
    in = input_open(paths, 1, &o);
    const char *texts[] = {"alpha words", "member one", "member two\n", "line one",
                           "line two", "a web page\n"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(input_next(in, &r), 1);
        assert_string_equal(r.text, texts[i]);
        record_free(&r);
    }
    assert_int_equal(input_next(in, &r), 0);
    assert_int_equal(input_finish(in, 0), 1);   /* no document: a problem */
    input_close(in);
}

/* input_seek: every record of JSON Lines (plain and gzip), WARC, and a
 * tar.gz holding JSON Lines and files is found again from its place, in
 * input order, backwards and by strides, with the same id and text; a
 * file cut short gives no record, or another one. */
typedef struct seen {
    char *path, *id, *text;
    record_loc loc;
} seen;

static void seek_check(input *in, const seen *s)
{
    record r;
    assert_int_equal(input_seek(in, s->path, &s->loc), 1);
    assert_int_equal(input_next(in, &r), 1);
    assert_true(record_loc_same(&r.loc, &s->loc));
    assert_string_equal(r.id, s->id);
    char why[256];
    if (!r.text)
        assert_int_equal(input_load(in, &r, why, sizeof why), 1);
    assert_string_equal(r.text, s->text);
    record_free(&r);
}

static void test_seek(void **state)
{
    (void)state;
    char sub[128], cmd[512], path[256];
    snprintf(sub, sizeof sub, "%s/seek", dir);
    mkdir(sub, 0700);
    FILE *f;
    snprintf(path, sizeof path, "%s/j.jsonl", sub);
    assert_non_null(f = fopen(path, "w"));
    for (int i = 0; i < 300; i++) {
        fprintf(f, "{\"id\": \"j%d\", \"text\": \"line %d of the file\"}\n", i, i);
        if (i == 50)
            fputs("{broken\n", f);
        if (i == 100)
            fputs("\n", f);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/w.warc", sub);
    assert_non_null(f = fopen(path, "w"));
    for (int i = 0; i < 150; i++) {
        char body[64];
        int n = snprintf(body, sizeof body, "page %d of the crawl", i);
        if (i % 5 == 0)
            fputs("WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 2\r\n\r\nGE\r\n\r\n", f);
        fprintf(f, "WARC/1.0\r\nWARC-Type: resource\r\n");
        if (i % 4)
            fprintf(f, "WARC-Target-URI: http://x.example/%d\r\n", i);
        fprintf(f, "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n", n, body);
    }
    fclose(f);
    write_file("m1.txt", "member one", 10);
    static const char mj[] = "{\"id\": \"t1\", \"text\": \"member line one\"}\n"
                             "{\"id\": \"t2\", \"text\": \"member line two\"}\n";
    write_file("m.jsonl", mj, sizeof mj - 1);
    write_file("m2.txt", "member two", 10);
    snprintf(cmd, sizeof cmd, "cd '%s' && head -n 120 seek/j.jsonl | sed 's/\"j/\"z/' | gzip > seek/z.jsonl.gz"
             " && tar czf seek/t.tar.gz m1.txt m.jsonl m2.txt", dir);
    assert_int_equal(system(cmd), 0);

    input_opts o = defaults();
    o.defer = 1;
    char *paths[] = {sub};
    input *in = input_open(paths, 1, &o);
    assert_non_null(in);
    seen *v = NULL;
    size_t n = 0;
    record r;
    while (input_next(in, &r) > 0) {
        assert_non_null(v = realloc(v, (n + 1) * sizeof *v));
        char why[256];
        if (!r.text)
            assert_int_equal(input_load(in, &r, why, sizeof why), 1);
        v[n] = (seen){strdup(input_path(in)), strdup(r.id), strdup(r.text), r.loc};
        n++;
        record_free(&r);
    }
    input_close(in);
    assert_int_equal(n, 300 + 150 + 118 + 4);

    in = input_open(NULL, 0, &o);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        seek_check(in, &v[i]);
    for (size_t i = n; i-- > 0;)
        seek_check(in, &v[i]);
    for (size_t s = 0; s < 7; s++)
        for (size_t i = s; i < n; i += 7 + s * 13)
            seek_check(in, &v[i]);
    /* cut short: the later records are gone */
    snprintf(cmd, sizeof cmd, "cd '%s' && head -n 20 seek/j.jsonl > x && mv x seek/j.jsonl", dir);
    assert_int_equal(system(cmd), 0);
    const seen *late = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, "j250") == 0)
            late = &v[i];
    assert_non_null(late);
    int got = input_seek(in, late->path, &late->loc);
    if (got == 1) {
        got = input_next(in, &r);
        assert_true(got == 0 || !record_loc_same(&r.loc, &late->loc));
        record_free(&r);
    }
    seek_check(in, &v[5]);   /* the first records are still there */
    input_close(in);
    for (size_t i = 0; i < n; i++) {
        free(v[i].path);
        free(v[i].id);
        free(v[i].text);
    }
    free(v);
}

static void test_twice(void **state)
{
    (void)state;
    input_opts o = defaults();
    char *paths[] = {"-", "-"};
    set_stdin("x", 1);
    assert_null(input_open(paths, 2, &o));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_defer),
        cmocka_unit_test(test_stdin_jsonl),
        cmocka_unit_test(test_stdin_formats),
        cmocka_unit_test(test_stdin_large),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_stdin_bom_ids),
        cmocka_unit_test(test_twice),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_seek),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
