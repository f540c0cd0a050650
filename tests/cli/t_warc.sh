# t_warc.sh - WARC files (issue 14): written by wget --warc-file (a WARC
# writer that is not ours, with WARC-Target-URI in angle brackets) from a
# local python3 -m http.server on 127.0.0.1, started here on a free port
# and stopped by its pid; plain and gzip-compressed, named, in a folder and
# on stdin. One document per page, id its URI, HTTP head gone, HTML
# reduced to its text; the 404 and the image are not documents.

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
else
    bad "wget wrote no WARC files"; cat "$WA/server.log"
fi
fi
