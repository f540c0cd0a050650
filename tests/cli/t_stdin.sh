# t_stdin.sh - scan reading articles from standard input: JSON Lines, NUL-
# separated texts and one text, detection, malformed records, ids.

S=$T/stdin
mkdir -p "$S"

# corpus/ as JSON Lines: ids are the file numbers, one record per line
python3 - "$S/corpus.jsonl" <<'EOF'
import json, glob, sys
with open(sys.argv[1], "w") as f:
    for p in sorted(glob.glob("corpus/*.txt")):
        f.write(json.dumps({"id": p.split("/")[-1][:3], "text": open(p).read()}) + "\n")
EOF

# ---------------------------------------------------------------- jsonl
check "jsonl" 0 -- rp scan --input jsonl - <"$S/corpus.jsonl"
has "jsonl clusters" "$T/out" "cluster 1: 4 articles"
has "jsonl ids" "$T/out" "representative  001"
has "jsonl alone" "$T/out" "  002"
[ -s "$T/err" ] && bad "jsonl: unexpected stderr" || ok

check "jsonl detected" 0 -- rp scan -v --json - <"$S/corpus.jsonl"
has "jsonl detected -v" "$T/err" "reprint: stdin: reading JSON Lines (detected)"
json_ok "jsonl --json" "$T/out"
rp scan --json corpus/ | sed 's#corpus/\(...\)_[0-9a-f]*\.txt#\1#g' >"$T/files.json"
same "jsonl gives the clusters of the files" "$T/out" "$T/files.json"

# other field names, and CRLF line ends
python3 - "$S/fields.jsonl" <<'EOF'
import json, glob, sys
with open(sys.argv[1], "w", newline="") as f:
    for p in sorted(glob.glob("corpus/*.txt")):
        f.write(json.dumps({"url": "https://example.org/" + p[-12:-4], "id": 1,
                            "body": open(p).read()}) + "\r\n")
EOF
check "--id-field --text-field" 0 -- rp scan --id-field url --text-field body - <"$S/fields.jsonl"
has "--id-field" "$T/out" "https://example.org/"
has "--text-field" "$T/out" "cluster 1: 4 articles"
check "default fields missing" 1 -- rp scan --input jsonl --text-field nope - <"$S/fields.jsonl"
has "missing text field named" "$T/err" 'reprint: stdin:1: missing "nope" field'

# escapes and a non-BMP character (surrogate pair) decode to UTF-8
W='one two three four five six seven eight nine ten eleven twelve'
printf '{"id": "a", "text": "caf\\u00e9 \\ud83d\\ude00 %s"}\n{"id": "b", "text": "caf\\u00e9 \\ud83d\\ude00\\n%s"}\n' "$W" "$W" >"$S/esc.jsonl"
printf '{"id": "c", "text": "café 😀 %s"}\n' "$W" >>"$S/esc.jsonl"
check "escapes" 0 -- rp scan --pairs --min-shared 1 - <"$S/esc.jsonl"
if python3 - "$T/out" <<'EOF'
import json, sys
ps = {(p["a"], p["b"]): p["jaccard"] for p in map(json.loads, open(sys.argv[1]))}
assert ps == {("a", "b"): 1, ("a", "c"): 1, ("b", "c"): 1}, ps
EOF
then ok; else bad "escaped and raw UTF-8 give the same words"; cat "$T/out"; fi

# integer ids and ids that need escaping on output
printf '{"id": 7, "text": "%s"}\n{"id": "tab\\there", "text": "%s"}\n' "$W" "$W" >"$S/ids.jsonl"
check "integer id" 0 -- rp scan --json --min-shared 1 - <"$S/ids.jsonl"
has "integer id" "$T/out" '"id": "7"'
has "escaped id" "$T/out" '"tab\there"'

# ---------------------------------------------------------------- malformed
{
    head -2 "$S/corpus.jsonl"                        # 1, 2
    echo                                             # 3 blank: ignored
    echo 'not json at all'                           # 4
    echo '{"id": "x", "text": "unterminated'         # 5
    echo '["an", "array"]'                           # 6
    echo '{"text": "no id here"}'                    # 7
    echo '{"id": "y"}'                               # 8
    echo '{"id": "z", "text": 42}'                   # 9
    echo '{"id": "e", "text": ""}'                   # 10
    echo '{"id": "000", "text": "a duplicate id"}'   # 11
    echo '{"id": "w", "text": "fine"} trailing'      # 12
    echo '{"id": {"x": 1}, "text": "object id"}'     # 13
    tail -n +3 "$S/corpus.jsonl"                     # 14, 15, 16
} >"$S/bad.jsonl"
check "malformed lines" 1 -- rp scan - <"$S/bad.jsonl"
has "line 4" "$T/err" "reprint: stdin:4: invalid JSON"
has "line 5" "$T/err" "reprint: stdin:5: invalid JSON"
has "line 6" "$T/err" "reprint: stdin:6: not a JSON object"
has "line 7" "$T/err" 'reprint: stdin:7: missing "id" field'
has "line 8" "$T/err" 'reprint: stdin:8: missing "text" field'
has "line 9" "$T/err" 'reprint: stdin:9: "text" field is not a string'
has "line 10" "$T/err" "reprint: stdin:10: empty text"
has "line 11" "$T/err" "reprint: stdin:11: skipped: duplicate id '000'"
has "line 12" "$T/err" "reprint: stdin:12: invalid JSON"
has "line 13" "$T/err" 'reprint: stdin:13: "id" field is not a string or an integer'
hasnt "blank line ignored" "$T/err" "stdin:3:"
if [ "$(wc -l <"$T/err")" -eq 10 ]; then ok; else bad "one message per bad line"; cat "$T/err"; fi
has "others still processed" "$T/out" "cluster 1: 4 articles"
has "others still processed" "$T/out" "5 articles"

# a line longer than --max-bytes is skipped, the next ones are read
{
    python3 -c 'import json; print(json.dumps({"id": "big", "text": "word " * 5000}))'
    cat "$S/corpus.jsonl"
} >"$S/long.jsonl"
check "long line" 1 -- rp scan --max-bytes 20000 - <"$S/long.jsonl"
has "long line message" "$T/err" "reprint: stdin:1: skipped: line longer than --max-bytes"
has "long line: rest read" "$T/out" "cluster 1: 4 articles"

# ---------------------------------------------------------------- nul
for f in corpus/*.txt; do cat "$f"; printf '\0'; done >"$S/corpus.nul"
check "nul" 0 -- rp scan --input nul - <"$S/corpus.nul"
has "nul ids are record numbers" "$T/out" "representative  2"
has "nul alone" "$T/out" "  3"
check "nul detected" 0 -- rp scan -v - <"$S/corpus.nul"
has "nul detected -v" "$T/err" "reprint: stdin: reading NUL-separated texts (detected)"
printf 'one two three\0\0four five six\0  \n' >"$S/empty.nul"
check "nul empty record" 1 -- rp scan - <"$S/empty.nul"
has "nul empty record" "$T/err" "reprint: stdin:2: empty text"
has "nul numbering goes on" "$T/out" "  3"
if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok; else bad "trailing white space is no record"; cat "$T/err"; fi

# ---------------------------------------------------------------- text
check "text" 0 -- rp scan -v - corpus/ <corpus/000_fa3c2dd136cb4631.txt
has "text detected -v" "$T/err" "reprint: stdin: reading one text (detected)"
has "text id is -" "$T/out" "  100% contained  corpus/000_fa3c2dd136cb4631.txt"
check "--input text" 0 -- rp scan --input text - <"$S/corpus.jsonl"
has "--input text: one article" "$T/out" "1 article with no reprint"
check "text too large" 1 -- rp scan --max-bytes 1000 - <corpus/000_fa3c2dd136cb4631.txt
has "text too large" "$T/err" "reprint: stdin: skipped: larger than --max-bytes"
check "empty stdin" 1 -- rp scan - </dev/null
has "empty stdin" "$T/err" "reprint: 1 empty document skipped"
has "empty stdin: nothing read" "$T/err" "reprint: no documents read"
check "empty stdin -v" 1 -- rp scan -v - </dev/null
has "empty stdin -v" "$T/err" "reprint: stdin: skipped: no words"

# ---------------------------------------------------------------- mixing
head -2 "$S/corpus.jsonl" >"$S/two.jsonl"
check "paths around -" 0 -- rp scan --json corpus/002_30e64a52b71f24ea.txt - corpus/003_48fa41108d4c0335.txt <"$S/two.jsonl"
if python3 - "$T/out" <<'EOF'
import json, sys
cs = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(m["id"] for c in cs for m in c["members"])
assert ids == ["000", "001", "corpus/002_30e64a52b71f24ea.txt", "corpus/003_48fa41108d4c0335.txt"], ids
assert len(cs[0]["members"]) == 3, cs[0]
EOF
then ok; else bad "mixing - with paths"; cat "$T/out"; fi
printf '{"id": "corpus/000_fa3c2dd136cb4631.txt", "text": "%s"}\n' "$W" >"$S/clash.jsonl"
check "stdin id clashes with a file" 1 -- rp scan corpus/ - <"$S/clash.jsonl"
has "clash named" "$T/err" "reprint: stdin:1: skipped: duplicate id 'corpus/000_fa3c2dd136cb4631.txt'"
check "- twice" 2 -- rp scan - - <"$S/two.jsonl"
has "- twice" "$T/err" "standard input given more than once"
check "bad --input" 2 -- rp scan --input xml - <"$S/two.jsonl"
has "bad --input" "$T/err" "--input: expected jsonl, nul, text or auto"

# ---------------------------------------------------------------- terminal
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$BIN scan -" /dev/null </dev/null >"$T/out" 2>&1
    code=$?
    if [ $code -eq 2 ]; then ok; else bad "terminal: exit $code, expected 2"; fi
    has "terminal refused" "$T/out" "reprint: stdin is a terminal"
else
    echo "skip: stdin-is-a-terminal case (no script(1))"
fi

# ---------------------------------------------------------------- progress
# the line appears once the scan has run for a second (a timing test: not
# under $REPRINT_WRAP, whose start-up alone can take that long)
if [ -z "$WRAP" ]; then
    (printf 'one two three\0'; sleep 1.5; printf 'four five six\0') |
        rp scan --progress --input nul - >"$T/out" 2>"$T/err"
    has "--progress" "$T/err" " read, 0 skipped, "
    has "--progress MB/s" "$T/err" "MB/s"
    has "--progress: results still on stdout" "$T/out" "2 articles"
    (printf 'one two three\0'; sleep 1.5; printf 'four five six\0') |
        rp scan --no-progress --input nul - >"$T/out" 2>"$T/err"
    [ -s "$T/err" ] && bad "--no-progress: unexpected stderr" || ok
else
    echo "skip: --progress timing cases (under $WRAP)"
fi

# ---------------------------------------------------------------- BOM
# a UTF-8 byte order mark before JSON Lines is no part of the first record
printf '\xef\xbb\xbf{"id":"a","text":"one two"}\n{"id":"b","text":"three four"}\n' >"$S/bom.jsonl"
check "BOM before JSON Lines" 0 -- rp scan --json - <"$S/bom.jsonl"
has "BOM: first record" "$T/out" '"representative": "a"'
has "BOM: second record" "$T/out" '"representative": "b"'
check "BOM, --input jsonl" 0 -- rp scan --input jsonl --json - <"$S/bom.jsonl"
has "BOM, --input jsonl" "$T/out" '"representative": "b"'
check "BOM: index add" 0 -- rp index add "$S/bom.db" - <"$S/bom.jsonl"
check "BOM: index holds both" 0 -- rp index stats "$S/bom.db"
has "BOM: index holds both" "$T/out" "documents  2"

# ---------------------------------------------------------------- big ids
# integer ids are kept as written, beyond 64 bits too
printf '{"id":123456789012345678901234567890,"text":"one two"}\n{"id":123456789012345678901234567891,"text":"three four"}\n{"id":-0,"text":"five six"}\n' >"$S/bigid.jsonl"
check "ids beyond 64 bits" 0 -- rp scan --json - <"$S/bigid.jsonl"
has "big id 1" "$T/out" '"id": "123456789012345678901234567890"'
has "big id 2" "$T/out" '"id": "123456789012345678901234567891"'
has "-0 as written" "$T/out" '"id": "-0"'

# ---------------------------------------------------------------- TMPDIR
# the spool of stdin goes to $TMPDIR (valgrind needs a $TMPDIR of its own:
# under $REPRINT_WRAP it wraps env, which runs reprint unwrapped)
check "TMPDIR honoured" 2 -- $WRAP env TMPDIR="$S/none" "$BIN" scan - <"$S/two.jsonl"
has "TMPDIR honoured" "$T/err" "reprint: stdin: cannot create a temporary file in $S/none: No such file or directory"
mkdir -p "$S/tmp"
check "TMPDIR used" 0 -- env TMPDIR="$S/tmp" $WRAP "$BIN" scan - <"$S/two.jsonl"
# a /tmp too small for the spool does not matter when TMPDIR has room
SMALL=$S/small
mkdir -p "$SMALL"
if mount -t tmpfs -o size=64k tmpfs "$SMALL" 2>/dev/null; then
    python3 tools/bench/gen_feed.py 300 >"$S/feed.jsonl"
    check "small TMPDIR: no space" 2 -- env TMPDIR="$SMALL" $WRAP "$BIN" scan - <"$S/feed.jsonl"
    has "small TMPDIR: no space" "$T/err" "cannot write the temporary file: No space left on device"
    check "roomy TMPDIR" 0 -- env TMPDIR="$S/tmp" $WRAP "$BIN" scan - <"$S/feed.jsonl"
    umount "$SMALL"
else
    echo "note: small-TMPDIR case skipped (cannot mount a tmpfs)"
fi
