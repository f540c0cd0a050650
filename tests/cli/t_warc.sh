# t_warc.sh - WARC files (issue 14): written by wget --warc-file (a WARC
# writer that is not ours, with WARC-Target-URI in angle brackets) from a
# local python3 -m http.server on 127.0.0.1, started here on a free port
# and stopped by its pid; plain and gzip-compressed, named, in a folder and
# on stdin. One document per page, id its URI, HTTP head gone, HTML
# reduced to its text; the 404 and the image are not documents. A WARC in
# a tar in a zip. Pages sent gzip-, deflate- (zlib and raw) or br-encoded
# and chunked, by a second local server, decoded.

WA=$T/warc
if ! command -v wget >/dev/null 2>&1; then
    echo "skip: t_warc.sh needs wget (apt-get install wget)"
else
mkdir -p "$WA/site"
for f in corpus/0*.txt; do
    b=$(basename "$f" .txt)
    { echo "<!DOCTYPE html><html><head><title>$b</title></head><body><article>"
      sed 's/&/\&amp;/g; s/</\&lt;/g; s/^/<p>/' "$f"
      echo "</article></body></html>"; } >"$WA/site/$b.html"
done
{ echo "<html><body><ul>"
  for f in "$WA"/site/0*.html; do echo "<li><a href=\"$(basename "$f")\">$(basename "$f")</a>"; done
  echo '<li><a href="missing.html">gone</a></ul><img src="logo.gif"></body></html>'; } >"$WA/site/index.html"
printf 'GIF89a\1\0\1\0\0\0\0' >"$WA/site/logo.gif"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
(cd "$WA/site" && exec python3 -m http.server --bind 127.0.0.1 "$port") >"$WA/server.log" 2>&1 &
srv=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
(cd "$WA" && wget -q -r -l 1 -p -e robots=off --no-host-directories -P dl \
    --warc-file=crawl "http://127.0.0.1:$port/index.html")
(cd "$WA" && wget -q -e robots=off --warc-file=plain --no-warc-compression -O /dev/null \
    "http://127.0.0.1:$port/001_092751d03b652b07.html" "http://127.0.0.1:$port/004_18e9ce7fe685923d.html")
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
U=http://127.0.0.1:$port

if [ -s "$WA/crawl.warc.gz" ] && [ -s "$WA/plain.warc" ]; then
    ok
    if zcat "$WA/crawl.warc.gz" | grep -q "^WARC-Target-URI: <$U/"; then ok; else bad "wget writes URIs in angle brackets"; fi
    check "wget's warc.gz" 0 -- rp scan "$WA/crawl.warc.gz"
    has "one document per page" "$T/out" "6 articles: 1 cluster of reprints"
    has "id is the URI, brackets gone" "$T/out" "  representative  $U/"
    has "the story's cluster" "$T/out" "cluster 1: 4 articles"
    has "002 alone" "$T/out" "$U/002_30e64a52b71f24ea.html"
    hasnt "no 404" "$T/out" "missing.html"
    hasnt "no image" "$T/out" "logo.gif"
    hasnt "no wget metadata" "$T/out" "metadata://"
    hasnt "no request records" "$T/err" "request"
    has "harmless skips summed up" "$T/err" "WARC records skipped that are no text pages"
    check "-v names them" 0 -- rp scan -v "$WA/crawl.warc.gz"
    has "-v: 404" "$T/err" "skipped: HTTP status 404"
    has "-v: image" "$T/err" "skipped: not text (image/gif)"
    check "warc --json" 0 -- rp scan --json "$WA/crawl.warc.gz"
    json_ok "warc --json" "$T/out"
    # HTTP head removed, HTML reduced: the same figures as the pages as files
    check "pages as files" 0 -- rp scan --json "$WA/dl/001_092751d03b652b07.html" "$WA/dl/004_18e9ce7fe685923d.html"
    sed "s|$WA/dl/|$U/|g" "$T/out" >"$T/files.json"
    check "plain warc" 0 -- rp scan --json "$WA/plain.warc"
    same "warc pages = the same pages as files" "$T/out" "$T/files.json"
    check "warc on stdin" 0 -- rp scan --json - <"$WA/plain.warc"
    same "stdin warc" "$T/out" "$T/files.json"
    check "warc.gz on stdin" 0 -- rp scan - <"$WA/crawl.warc.gz"
    has "stdin warc.gz" "$T/out" "cluster 1: 4 articles"
    mkdir -p "$WA/dir" && cp "$WA/crawl.warc.gz" "$WA/dir/"
    check "warc in a folder" 0 -- rp scan "$WA/dir"
    has "folder warc" "$T/out" "cluster 1: 4 articles"
    check "--input text: a warc is one text" 0 -- rp scan --input text "$WA/plain.warc"
    has "--input text warc" "$T/out" "1 article with no reprint"
    # a record larger than --max-bytes is skipped; the next ones are read
    check "warc --max-bytes" 1 -- rp scan --max-bytes 4K "$WA/plain.warc"
    has "warc record too large" "$T/err" "$WA/plain.warc:"
    has "warc record too large (2)" "$T/err" "skipped: record larger than --max-bytes"
    has "warc: the next record read" "$T/out" "$U/001_092751d03b652b07.html"
    # a WARC 1.1 record, bare URI, written by hand, appended to wget's
    { cat "$WA/plain.warc"
      body='<html><body><p>A short note that is not news at all but has words.</p></body></html>'
      printf 'WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: urn:example:note\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' "${#body}" "$body"
      printf 'WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 99\r\n\r\ncut'; } >"$WA/mixed.warc"
    check "warc 1.1 and a truncated record" 1 -- rp scan "$WA/mixed.warc"
    has "1.1 resource read" "$T/out" "urn:example:note"
    has "truncated record reported" "$T/err" "malformed WARC record"
    has "truncated record: why" "$T/err" "truncated record"
    # a WARC inside an archive: its records, ids their URIs
    if command -v tar >/dev/null 2>&1 && command -v zip >/dev/null 2>&1; then
        cp "$WA/plain.warc" "$WA/p.warc"
        cp corpus/003_48fa41108d4c0335.txt "$WA/note.txt"
        (cd "$WA" && tar cf in.tar crawl.warc.gz && zip -q in.zip in.tar note.txt && zip -q p.zip p.warc)
        check "warc.gz inside a tar inside a zip" 0 -- rp scan -v "$WA/in.zip"
        has "nested warc: pages and the text" "$T/out" "7 articles: 1 cluster of reprints"
        has "nested warc: ids are URIs" "$T/out" "$U/001_092751d03b652b07.html"
        has "nested warc: the text member" "$T/out" "$WA/in.zip:note.txt"
        has "nested warc: read as WARC" "$T/err" "$WA/in.zip:in.tar:crawl.warc.gz: reading WARC records"
        check "warc in a zip --json" 0 -- rp scan --json "$WA/p.zip"
        same "warc in a zip = the same pages as files" "$T/out" "$T/files.json"
        check "nested warc on stdin" 0 -- rp scan - <"$WA/in.zip"
        has "nested warc on stdin" "$T/out" "7 articles: 1 cluster of reprints"
        # a malformed record ends its WARC, not the archive
        (cd "$WA" && zip -q in2.zip mixed.warc note.txt)
        # the truncated record is the last: after wget's records (eight
        # here, nine on the CI machine) come the two written by hand
        nrec=$(( $(grep -a -c $'^WARC/1\\.[01]\r$' "$WA/plain.warc") + 2 ))
        check "malformed warc inside a zip" 1 -- rp scan "$WA/in2.zip"
        has "malformed member warc: where" "$T/err" "reprint: $WA/in2.zip:mixed.warc:$nrec: malformed WARC record"
        has "malformed member warc: the next member read" "$T/out" "$WA/in2.zip:note.txt"
    fi
else
    bad "wget wrote no WARC files"; cat "$WA/server.log"
fi

# ---------------------------------------------------------------- HTTP codings
# wget keeps the body as it came over the wire: with its Content-Encoding
# (gzip, deflate zlib-wrapped or raw, br) and its chunks. The server sends
# them whatever wget accepts. br needs libbrotlienc to write the sample.
E=$WA/enc
mkdir -p "$E/site"
cp "$WA/site/001_092751d03b652b07.html" "$E/site/p.html"
codings="gzip deflate rawdeflate chunked chunked-gzip"
if cc -o "$E/brotli_enc" tests/cli/brotli_enc.c $(pkg-config --cflags --libs libbrotlienc 2>/dev/null) 2>"$E/cc.err" &&
    "$E/brotli_enc" <"$E/site/p.html" >"$E/site/p.html.br"; then
    codings="$codings br"
else
    echo "skip: t_warc.sh: br not served (no cc or libbrotlienc: $(head -1 "$E/cc.err"))"
fi
cat >"$E/server.py" <<'PY'
import http.server, os, sys, zlib
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # for chunked responses
    def log_message(self, *args):
        pass
    def do_GET(self):
        _, coding, name = self.path.split("/", 2)
        body = open(os.path.join(sys.argv[2], name), "rb").read()
        head = {"Content-Type": "text/html; charset=utf-8"}
        if coding in ("gzip", "chunked-gzip"):
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            body, head["Content-Encoding"] = z.compress(body) + z.flush(), "gzip"
        elif coding == "deflate":
            body, head["Content-Encoding"] = zlib.compress(body), "deflate"
        elif coding == "rawdeflate":
            z = zlib.compressobj(9, zlib.DEFLATED, -15)
            body, head["Content-Encoding"] = z.compress(body) + z.flush(), "deflate"
        elif coding == "br":
            body = open(os.path.join(sys.argv[2], name + ".br"), "rb").read()
            head["Content-Encoding"] = "br"
        self.send_response(200)
        for k, v in head.items():
            self.send_header(k, v)
        if coding.startswith("chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 100):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(body[i:i + 100]), body[i:i + 100]))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 "$E/server.py" "$port" "$E/site" >"$E/server.log" 2>&1 &
srv=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
EU=http://127.0.0.1:$port
urls=""
for c in $codings; do urls="$urls $EU/$c/p.html"; done
# shellcheck disable=SC2086
(cd "$E" && wget -q --warc-file=enc --no-warc-compression -O /dev/null $urls)
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
if [ -s "$E/enc.warc" ]; then
    ok
    # what wget wrote: the encoded bodies and the chunks, as sent
    if grep -aq '^Content-Encoding: deflate' "$E/enc.warc" && grep -aq '^Transfer-Encoding: chunked' "$E/enc.warc"; then
        ok
    else
        bad "wget keeps Content-Encoding and Transfer-Encoding"
    fi
    n=$(echo $codings | wc -w)
    check "HTTP codings decoded" 0 -- rp scan "$E/enc.warc"
    has "every coding read" "$T/out" "cluster 1: $n articles"
    hasnt "none skipped" "$T/err" "skipped"
    for c in $codings; do has "coding $c" "$T/out" "$EU/$c/p.html"; done
    # the same text as the page read as a file
    check "the page as a file" 0 -- rp scan --json "$E/site/p.html"
    sed "s|$E/site/p.html|$EU/gzip/p.html|g" "$T/out" >"$T/page.json"
    for c in $codings; do
        # one record at a time: cut from the file by its URI
        python3 - "$E/enc.warc" "$EU/$c/p.html" "$E/one.warc" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
recs = [b"WARC/1.0" + r for r in data.split(b"WARC/1.0")[1:]]
keep = [r for r in recs if b"WARC-Type: response" in r and b"<" + sys.argv[2].encode() + b">" in r]
open(sys.argv[3], "wb").write(b"".join(keep))
PY
        check "coding $c alone" 0 -- rp scan --json "$E/one.warc"
        sed "s|$EU/$c/p.html|$EU/gzip/p.html|g" "$T/out" >"$T/one.json"
        same "coding $c: the same text as the file" "$T/one.json" "$T/page.json"
    done
    # a body that grows past --max-bytes once decoded is skipped, the next read
    check "decoded body over --max-bytes" 1 -- rp scan --max-bytes 2K "$E/enc.warc"
    has "decoded over --max-bytes" "$T/err" "skipped: larger than --max-bytes once decoded"
    # a corrupt gzip body: skipped as an error, the next record read
    python3 - "$E/enc.warc" "$E/bad.warc" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
i = data.index(b"\x1f\x8b")
open(sys.argv[2], "wb").write(data[:i + 40] + b"\xff" * 8 + data[i + 48:])
PY
    check "corrupt gzip body" 1 -- rp scan "$E/bad.warc"
    has "corrupt body: why" "$T/err" "skipped: cannot decode the body"
    has "corrupt body: the next read" "$T/out" "$EU/deflate/p.html"
else
    bad "wget wrote no WARC file of encoded pages"; cat "$E/server.log"
fi
fi
