# t_diff.sh - diff on the seed articles and on crafted files: text and JSON
# output, exit codes, standard input, colour, awkward inputs.

C001=corpus/001_092751d03b652b07.txt
C004=corpus/004_18e9ce7fe685923d.txt
C000=corpus/000_fa3c2dd136cb4631.txt
C002=corpus/002_30e64a52b71f24ea.txt

# ---------------------------------------------------------------- seeds
# 004 is 001 plus a reader-comment thread
check "diff 001 004" 0 -- rp diff "$C001" "$C004"
same "diff 001 004" "$T/out" "$EXP/diff-001-004.out"
[ -s "$T/err" ] && bad "diff 001 004: unexpected stderr" || ok
has "diff 001 004 verdict" "$T/out" "verdict       near-duplicates: score 0.99, threshold 0.50"
has "diff 001 004 comments" "$T/out" "B¶17-25 only in B (reader comments)"
has "diff 001 004 one-word edit" "$T/out" "[-A discomfited -] [+B discomforted +]"

# 000 and 002 share only short phrases and one short quotation
check "diff 000 002" 1 -- rp diff "$C000" "$C002"
same "diff 000 002" "$T/out" "$EXP/diff-000-002.out"
has "diff 000 002 verdict" "$T/out" "not near-duplicates"
has "diff 000 002 quotation" "$T/out" "[= on many of these subjects. We will support your proposals in =]"

check "diff --json 001 004" 0 -- rp diff --json "$C001" "$C004"
json_ok "diff --json 001 004" "$T/out"
if python3 - "$T/out" "$C001" "$C004" <<'PY'
import json, re, sys
o = json.loads(open(sys.argv[1]).read())
A, B = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
assert list(o) == ["a", "b", "jaccard", "containment_ab", "containment_ba", "score",
                   "shared_words", "similar", "threshold", "spans", "paragraphs"], list(o)
assert o["a"] == sys.argv[2] and o["b"] == sys.argv[3]
assert o["similar"] is True and o["threshold"] == 0.5
assert o["score"] == max(o["containment_ab"], o["containment_ba"]) == 0.9872, o["score"]
assert o["jaccard"] == 0.9484 and o["containment_ab"] == 0.9602, o
assert o["shared_words"] == 396 == sum(s["words"] for s in o["spans"])
assert [s["words"] for s in o["spans"]] == [7, 100, 289], o["spans"]
words = lambda b: re.findall(r"\w+", b.decode().lower())
for s in o["spans"]:
    assert set(s) == {"a_start", "a_end", "b_start", "b_end", "words"}
    wa, wb = words(A[s["a_start"]:s["a_end"]]), words(B[s["b_start"]:s["b_end"]])
    assert wa[0] == wb[0] and wa[-1] == wb[-1], (wa[:3], wb[:3])
assert A[o["spans"][0]["a_start"]:o["spans"][0]["a_end"]] == b"Macron 'Confident' of Progress in Russia Ties"
p = o["paragraphs"]
assert p[0] == {"relation": "same", "a": 1, "b": 1, "words": 7, "a_share": 1, "b_share": 1}, p[0]
assert p[-1] == {"relation": "only_b", "first": 17, "last": 25, "note": "comments"}, p[-1]
assert p[-2] == {"relation": "only_b", "first": 16, "last": 16, "note": "furniture"}, p[-2]
assert sum(1 for e in p if e["relation"] == "same") == 15
PY
then ok; else bad "diff --json 001 004: content"; fi

check "diff --json 000 002" 1 -- rp diff --json "$C000" "$C002"
json_ok "diff --json 000 002" "$T/out"
if python3 - "$T/out" "$C000" "$C002" <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).read())
A, B = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
assert o["similar"] is False and o["score"] == 0.1207, o["score"]
assert [(s["a_start"], s["a_end"], s["b_start"], s["b_end"], s["words"]) for s in o["spans"]] == [
    (58, 119, 106, 167, 9), (171, 216, 601, 647, 6), (418, 453, 675, 710, 7),
    (1669, 1701, 1905, 1937, 5), (1774, 1834, 2065, 2125, 11)], o["spans"]
q = o["spans"][-1]
assert A[q["a_start"]:q["a_end"]] == B[q["b_start"]:q["b_end"]] == \
    b"on many of these subjects. We will support your proposals in"
assert not any(e["relation"] in ("same", "inside", "holds") for e in o["paragraphs"])
PY
then ok; else bad "diff --json 000 002: content"; fi

# ---------------------------------------------------------------- stdin
rp diff --json "$C001" "$C004" >"$T/files.json"
check "diff - as A" 0 -- rp diff --json - "$C004" <"$C001"
sed 's/^{"a": "-"/{"a": "'"${C001//\//\\/}"'"/' "$T/out" >"$T/stdin.json"
same "diff - as A: same result" "$T/stdin.json" "$T/files.json"
check "diff - as B" 0 -- rp diff --json "$C001" - <"$C004"
has "diff - as B: named -" "$T/out" '"b": "-"'
check "diff - as A, text" 0 -- rp diff - "$C004" <"$C001"
has "diff - as A, text" "$T/out" "A  -  (418 words)"
check "diff - -" 2 -- rp diff - -
has "diff - -" "$T/err" "reprint: diff: only one of A and B can be '-'"

# ---------------------------------------------------------------- colour
check "diff --color=always" 0 -- rp diff --color=always "$C001" "$C004"
if LC_ALL=C grep -q $'\033\\[' "$T/out"; then ok; else bad "--color=always: no escape sequences"; fi
sed $'s/\033\\[[0-9;]*m//g' "$T/out" >"$T/stripped"
same "colour only adds escapes" "$T/stripped" "$EXP/diff-001-004.out"
for args in "--color=never" "--color=auto" ""; do
    check "diff $args to a pipe" 0 -- rp diff $args "$C001" "$C004"
    if LC_ALL=C grep -q $'\033' "$T/out"; then bad "diff $args: escape sequence in a pipe"; else ok; fi
done
if command -v script >/dev/null 2>&1; then
    # a terminal: auto colours, unless NO_COLOR is set or --color=never
    script -qec "$WRAP $BIN diff $C001 $C004" /dev/null >"$T/tty" 2>&1 </dev/null
    if LC_ALL=C grep -q $'\033\\[3' "$T/tty"; then ok; else bad "auto on a terminal: no colour"; fi
    NO_COLOR=1 script -qec "$WRAP $BIN diff $C001 $C004" /dev/null >"$T/tty" 2>&1 </dev/null
    if LC_ALL=C grep -q $'\033\\[3' "$T/tty"; then bad "NO_COLOR on a terminal: colour"; else ok; fi
    script -qec "$WRAP $BIN diff --color=never $C001 $C004" /dev/null >"$T/tty" 2>&1 </dev/null
    if LC_ALL=C grep -q $'\033\\[3' "$T/tty"; then bad "--color=never on a terminal: colour"; else ok; fi
else
    echo "skip: colour on a terminal (no script(1))"
fi
check "diff --color=bogus" 2 -- rp diff --color=bogus "$C001" "$C004"
has "diff --color=bogus" "$T/err" "--color: expected auto, always or never"

# ---------------------------------------------------------------- crafted
D=$T/diff
mkdir -p "$D"
P1="The harbour council voted on Tuesday to rebuild the old stone pier before the winter storms arrive."
P2="Engineers said the work would take eleven weeks and close the ferry landing to visitors."
P3="Fishing crews asked the council to keep one berth open for boats landing their catch."
printf '%s\n\n%s\n\n%s\n' "$P1" "$P2" "$P3" >"$D/a.txt"
printf '%s\n\n%s\n\n%s\n' "$P3" "$P1" "$P2" >"$D/moved.txt"
printf 'Pier news\n\n%s\n\n%s\n' "$P1" "$P2" >"$D/cut.txt"
printf 'Nothing at all in common with the harbour story, only words about a garden party.\n' >"$D/other.txt"
printf '%s\n\n\033[31mred alert\033[0m and a bell \a in %s\n' "$P1" "$P2" >"$D/ctrl.txt"
printf 'abc\0def' >"$D/binary.bin"

check "identical files" 0 -- rp diff "$D/a.txt" "$D/a.txt"
has "identical: map" "$T/out" "A¶2 = B¶2 (100%)"
has "identical: figures" "$T/out" "100% of A is in B, 100% of B is in A"
check "moved paragraph" 0 -- rp diff "$D/a.txt" "$D/moved.txt"
has "moved: map" "$T/out" "A¶3 = B¶1 (100%)"
has "moved: marked" "$T/out" "[~ Fishing crews asked the council to keep one berth open for boats landing their catch ~]"
check "cut article" 0 -- rp diff "$D/a.txt" "$D/cut.txt"
has "cut: only in A" "$T/out" "A¶3 only in A"
has "cut: only in B" "$T/out" "B¶1 only in B"
check "unrelated" 1 -- rp diff "$D/a.txt" "$D/other.txt"
has "unrelated: nothing shared" "$T/out" "shared words  0 in 0 passages"
check "-t and --min-shared" 0 -- rp diff -t 0.01 --min-shared 1 "$C000" "$C002"
check "-k 8" 1 -- rp diff --json -k 8 "$C000" "$C002"
has "-k 8: only the quotation" "$T/out" '"spans": [{"a_start": 58, "a_end": 119, "b_start": 106, "b_end": 167, "words": 9}, {"a_start": 1774'
check "--keep-boilerplate" 0 -- rp diff --keep-boilerplate "$C001" "$C004"
has "--keep-boilerplate: comments still labelled" "$T/out" "only in B (reader comments)"
check "control characters" 0 -- rp diff "$D/a.txt" "$D/ctrl.txt"
if LC_ALL=C grep -q $'[\033\a]' "$T/out"; then bad "raw control character reached the terminal"; else ok; fi
has "control characters shown" "$T/out" '\x1b[31mred alert\x1b[0m and a bell \x07 in'

# ---------------------------------------------------------------- trouble
check "missing file" 2 -- rp diff "$T/nope" "$C001"
has "missing file message" "$T/err" "reprint: $T/nope: cannot read: No such file or directory"
[ -s "$T/out" ] && bad "missing file: stdout not empty" || ok
check "missing B" 2 -- rp diff "$C001" "$T/nope"
check "folder" 2 -- rp diff corpus "$C001"
has "folder message" "$T/err" "reprint: corpus: cannot read: not a regular file"
check "binary" 2 -- rp diff "$D/binary.bin" "$C001"
has "binary message" "$T/err" "looks binary"
if [ "$(id -u)" -ne 0 ]; then
    cp "$D/a.txt" "$D/locked.txt"
    chmod 000 "$D/locked.txt"
    check "unreadable file" 2 -- rp diff "$D/locked.txt" "$C001"
    has "unreadable message" "$T/err" "reprint: $D/locked.txt: cannot read: Permission denied"
else
    echo "skip: diff unreadable-file case (running as root)"
fi
check "path through a file" 2 -- rp diff "$C001/x" "$C004"
has "path through a file" "$T/err" "reprint: $C001/x: cannot read: Not a directory"
check "one file" 2 -- rp diff "$C001"
has "one file" "$T/err" "reprint: diff: expected two files, A and B"
check "three files" 2 -- rp diff "$C001" "$C001" "$C001"
check "unknown option" 2 -- rp diff --bogus "$C001" "$C004"
has "unknown option" "$T/err" "reprint: diff: unknown option '--bogus'"
check "bad threshold" 2 -- rp diff -t 7 "$C001" "$C004"
check "diff -h" 0 -- rp diff -h
has "diff -h" "$T/out" "usage: reprint diff [options] A B"
has "diff -h: markers" "$T/out" "[-A only in A -]"
[ -s "$T/err" ] && bad "diff -h: stderr" || ok
check "diff --help" 0 -- rp diff --help
check "help lists diff" 0 -- rp --help
has "help lists diff" "$T/out" "diff"
if [ -w /dev/full ]; then
    rp diff "$C001" "$C004" >/dev/full 2>"$T/err"
    code=$?
    if [ $code -eq 2 ]; then ok; else bad "diff >/dev/full: exit $code, expected 2"; fi
    has "diff /dev/full message" "$T/err" "reprint: cannot write output"
fi

# ---------------------------------------------------------------- docs
# every line of the diff excerpts of README (001 and 004) and of
# docs/how-it-works.md (000 and 002) is a line of the real output
if python3 - README.md docs/how-it-works.md "$EXP/diff-001-004.out" "$EXP/diff-000-002.out" <<'PY'
import re, sys
readme = open(sys.argv[1], encoding="utf-8").read()
part = readme[readme.index("### Comparing two articles"):readme.index("### A report to forward")]
how = open(sys.argv[2], encoding="utf-8").read()
part2 = how[how.index("## Diff: passages"):]
blocks = [b for p in (part, part2)
          for b in re.findall(r"```\n(.*?)```", p, re.S) if b.startswith("A  corpus/")]
assert len(blocks) == 2, len(blocks)
for block, exp in zip(blocks, sys.argv[3:]):
    real = set(open(exp, encoding="utf-8").read().split("\n"))
    for line in block.rstrip("\n").split("\n"):
        assert line.strip() == "..." or line in real, (exp, line)
PY
then ok; else bad "the diff excerpts of README and docs/how-it-works.md differ from the real output"; fi

# ---------------------------------------------------------------- formats
# HTML is reduced to its text and Latin-1 converted, as scan does; plain
# UTF-8 keeps the file's own byte offsets
D2=$T/diff-formats
mkdir -p "$D2"
{ printf '<html><head><title>t</title><script>var x = 1;</script></head><body>\n'
  printf '<nav>Home | World | Sport</nav>\n'
  sed 's/^/<p>/; s/$/<\/p>/' corpus/003_48fa41108d4c0335.txt
  printf '<footer>Copyright site</footer></body></html>\n'; } >"$D2/003.html"
check "diff html" 0 -- rp diff -v "$D2/003.html" corpus/003_48fa41108d4c0335.txt
has "diff html converted" "$T/err" "003.html: read as utf-8 HTML"
has "diff html same text" "$T/out" "100% of A is in B"
hasnt "diff html: no script" "$T/out" "var x"
printf 'Le caf\xe9 cr\xe8me et la cr\xe8me br\xfbl\xe9e sont servis au d\xe9jeuner tous les jours \xe0 midi, dit le chef du restaurant.\n' >"$D2/latin1.txt"
printf 'Le café crème et la crème brûlée sont servis au déjeuner tous les jours à midi, dit le chef du restaurant.\n' >"$D2/utf8.txt"
check "diff latin-1" 0 -- rp diff -v "$D2/latin1.txt" "$D2/utf8.txt"
has "diff latin-1 converted" "$T/err" "latin1.txt: read as windows-1252"
has "diff latin-1 same" "$T/out" "100% of A is in B, 100% of B is in A"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$BIN diff - $C000" /dev/null </dev/null >"$T/out" 2>&1
    code=$?
    if [ $code -eq 2 ]; then ok; else bad "diff terminal: exit $code, expected 2"; fi
    has "diff terminal refused" "$T/out" "reprint: stdin is a terminal"
fi
