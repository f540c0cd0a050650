# t_scan.sh - scan on corpus/, usage errors, awkward inputs and output faults.

# ---------------------------------------------------------------- corpus
check "scan corpus" 0 -- rp scan corpus/
same "scan corpus" "$T/out" "$EXP/scan-corpus.out"
[ -s "$T/err" ] && bad "scan corpus: unexpected stderr" || ok

check "scan trailing slash" 0 -- rp scan corpus
same "scan corpus (no slash)" "$T/out" "$EXP/scan-corpus.out"

check "scan --json" 0 -- rp scan --json corpus/
json_ok "scan --json" "$T/out"
if python3 - "$T/out" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [o["cluster"] for o in lines] == [1, 2], lines
c1, c2 = lines
assert set(c1) == {"cluster", "representative", "members"}, c1.keys()
ids = sorted(m["id"] for m in c1["members"])
assert ids == ["corpus/000_fa3c2dd136cb4631.txt", "corpus/001_092751d03b652b07.txt",
               "corpus/003_48fa41108d4c0335.txt", "corpus/004_18e9ce7fe685923d.txt"], ids
assert c1["members"][0]["id"] == c1["representative"]
for m in c1["members"]:
    assert set(m) == {"id", "jaccard", "containment"}, m
    assert 0 < m["jaccard"] <= 1 and 0 < m["containment"] <= 1
    assert m["jaccard"] <= m["containment"] + 1e-9
assert [m["id"] for m in c2["members"]] == ["corpus/002_30e64a52b71f24ea.txt"]
EOF
then ok; else bad "scan --json: shape"; fi

check "scan --pairs" 0 -- rp scan --pairs corpus/
json_ok "scan --pairs" "$T/out"
if python3 - "$T/out" <<'EOF'
import json, sys
ps = [json.loads(l) for l in open(sys.argv[1])]
assert len(ps) == 6, len(ps)             # all pairs among the four reprints
for p in ps:
    assert set(p) == {"a", "b", "score", "jaccard", "containment_ab", "containment_ba"}, p
    assert p["a"] < p["b"]
    assert "002" not in p["a"] + p["b"]
    assert abs(p["score"] - max(p["containment_ab"], p["containment_ba"])) < 1e-3
    assert p["score"] >= 0.5
EOF
then ok; else bad "scan --pairs: shape"; fi

check "scan --pairs low threshold" 0 -- rp scan --pairs --threshold 0.02 --min-shared 1 --exhaustive corpus/
if [ "$(wc -l <"$T/out")" -ge 8 ]; then ok; else bad "low threshold ranks more pairs"; fi

check "exhaustive agrees" 0 -- rp scan --json --exhaustive corpus/
rp scan --json corpus/ >"$T/lsh.json"
same "exhaustive agrees with LSH on corpus" "$T/out" "$T/lsh.json"

check "deterministic" 0 -- rp scan --json --pairs corpus/
cp "$T/out" "$T/run1"
rp scan --json --pairs corpus/ >"$T/run2"
same "two runs give the same output" "$T/run1" "$T/run2"

check "stats on stderr" 0 -- rp scan --stats corpus/
has "stats" "$T/err" "reprint: stats:"
has "stats phases" "$T/err" "verify"

# ---------------------------------------------------------------- usage
check "no command" 2 -- rp
has "no command" "$T/err" "usage: reprint"
check "unknown command" 2 -- rp frobnicate
has "unknown command" "$T/err" "reprint: 'frobnicate' is not a command"
check "help" 0 -- rp --help
has "help" "$T/out" "scan"
check "scan help" 0 -- rp scan --help
has "scan help" "$T/out" "--threshold"
check "scan -h" 0 -- rp scan -h
check "version" 0 -- rp --version
has "version" "$T/out" "xxHash"
has "version" "$T/out" "utf8proc"
check "scan no path" 2 -- rp scan
has "scan no path" "$T/err" "no PATH given"
check "unknown option" 2 -- rp scan --bogus corpus/
has "unknown option" "$T/err" "unknown option"
check "bad threshold" 2 -- rp scan --threshold 2 corpus/
has "bad threshold" "$T/err" "--threshold"
check "bad shingle" 2 -- rp scan -k zero corpus/
check "bands without rows" 2 -- rp scan --bands 4 corpus/
check "bands x rows > hashes" 2 -- rp scan --bands 100 --rows 100 corpus/
check "-- ends options" 0 -- rp scan -- corpus/

# ---------------------------------------------------------------- inputs
D=$T/in
mkdir -p "$D"
cp corpus/*.txt "$D/"
printf '' >"$D/empty.txt"
printf '  \n\t\n' >"$D/blank.txt"
printf 'hello\n' >"$D/oneword.txt"
printf 'abc\0def' >"$D/binary.bin"
printf 'secret words here\n' >"$D/.hidden.txt"

check "mixed inputs exit 1" 1 -- rp scan "$D"
has "empty files summed up" "$T/err" "reprint: 2 empty files skipped (-v names them)"
hasnt "empty files not one line each" "$T/err" "$D/empty.txt"
has "binary file named" "$T/err" "reprint: $D/binary.bin: skipped: looks binary"
hasnt "one word is not skipped" "$T/err" "oneword"
hasnt "hidden skipped silently" "$T/err" ".hidden"
has "others still clustered" "$T/out" "cluster 1: 4 articles"
has "one word reported alone" "$T/out" "oneword.txt"
hasnt "hidden not read" "$T/out" ".hidden"
check "--hidden reads dot-files" 1 -- rp scan --hidden "$D"
has "--hidden" "$T/out" ".hidden.txt"
check "-v names empty files" 1 -- rp scan -v "$D"
has "empty file named" "$T/err" "reprint: $D/empty.txt: skipped: no words"
has "blank file named" "$T/err" "reprint: $D/blank.txt: skipped: no words"

check "missing path" 1 -- rp scan "$T/nope" corpus/
has "missing path message" "$T/err" "reprint: $T/nope: cannot open: No such file or directory"
has "missing path: rest processed" "$T/out" "cluster 1: 4 articles"

check "given twice" 0 -- rp scan corpus/000_fa3c2dd136cb4631.txt corpus/000_fa3c2dd136cb4631.txt
has "given twice" "$T/err" "reprint: 1 path given more than once, read once"
has "given twice: read once" "$T/out" "1 article with no reprint"

mkfifo "$T/fifo"
check "fifo skipped, never blocks" 1 -- timeout 10 "$BIN" scan "$T/fifo" corpus/
has "fifo message" "$T/err" "not a regular file"

if [ "$(id -u)" -ne 0 ]; then
    printf 'words words words\n' >"$D/locked.txt"
    chmod 000 "$D/locked.txt"
    check "unreadable file" 1 -- rp scan "$D/locked.txt" corpus/
    has "unreadable message" "$T/err" "Permission denied"
    rm -f "$D/locked.txt"
else
    echo "skip: unreadable-file case (running as root)"
fi

check "max-bytes" 1 -- rp scan --max-bytes 100 corpus/
has "max-bytes message" "$T/err" "file larger than --max-bytes"

# odd file names: newline, tab, quote, escape sequence, invalid UTF-8
O=$T/odd
mkdir -p "$O"
cp corpus/000_fa3c2dd136cb4631.txt "$O/$(printf 'new\nline.txt')"
cp corpus/001_092751d03b652b07.txt "$O/$(printf 'tab\tand "quote".txt')"
cp corpus/004_18e9ce7fe685923d.txt "$O/$(printf 'esc\033[31mred.txt')"
cp corpus/003_48fa41108d4c0335.txt "$O/$(printf 'bad\377byte.txt')"
check "odd names json" 0 -- rp scan --json "$O"
json_ok "odd names json" "$T/out"
check "odd names human" 0 -- rp scan "$O"
if LC_ALL=C grep -q $'\033' "$T/out"; then bad "raw escape reached the terminal"; else ok; fi
has "newline escaped" "$T/out" 'new\nline.txt'
has "escape shown" "$T/out" 'esc\x1b[31mred.txt'
has "bad byte shown" "$T/out" 'bad\xffbyte.txt'

# ---------------------------------------------------------------- output faults
if [ -w /dev/full ]; then
    rp scan corpus/ >/dev/full 2>"$T/err"
    code=$?
    if [ $code -eq 2 ]; then ok; else bad "/dev/full: exit $code, expected 2"; fi
    has "/dev/full message" "$T/err" "reprint: cannot write output"
fi
set -o pipefail
rp scan --pairs --json corpus/ 2>"$T/err" | head -1 >/dev/null
[ -s "$T/err" ] && { bad "closed pipe: stderr not quiet"; cat "$T/err"; } || ok
set +o pipefail


# ---------------------------------------------------------------- many copies
# A wire story run by 257 outlets: --pairs lists every pair, as
# --exhaustive does (a bucket of more than 256 once listed 511 of them).
python3 - "$T/copies.jsonl" <<'PY'
import json, sys
text = open("corpus/001_092751d03b652b07.txt", encoding="utf-8").read()
with open(sys.argv[1], "w") as f:
    for i in range(257):
        f.write(json.dumps({"id": "copy%03d" % i, "text": text}) + "\n")
PY
check "257 copies --pairs" 0 -- rp scan --pairs --stats --input jsonl - <"$T/copies.jsonl"
n=$(wc -l <"$T/out")
if [ "$n" -eq 32896 ]; then ok; else bad "257 copies: $n pairs listed, expected 32896"; fi
has "257 copies: no capped bucket" "$T/err" " 0 capped buckets"
hasnt "257 copies: no cap note" "$T/err" "not all of their pairs"
check "257 copies --exhaustive" 0 -- rp scan --pairs --exhaustive --input jsonl - <"$T/copies.jsonl"
n=$(wc -l <"$T/out")
if [ "$n" -eq 32896 ]; then ok; else bad "257 copies exhaustive: $n pairs"; fi

# ---------------------------------------------------------------- big copies
# Eight copies of a 10 MB text outgrow the 32 MiB verification cache:
# each copy must be rebuilt about once, not once per pair (it took 5 s and
# more, and 8 copies of 60 MB did not finish in a minute). The bound is
# relative, so a busy machine does not fail it: verification at most
# three times the reading and sketching of the same texts, plus 2 s.
if [ -n "$WRAP" ]; then
    echo "skip: 8 x 10 MB copies (under $WRAP)"
else
    B=$T/bigcopies
    mkdir -p "$B"
    python3 - "$B/c0.txt" <<'PY'
import random, sys
r = random.Random(7)
words = ["w%d" % i for i in range(50000)]
with open(sys.argv[1], "w") as f:
    n = 0
    while n < 10_000_000:
        line = " ".join(r.choice(words) for _ in range(12)) + "\n"
        f.write(line)
        n += len(line)
PY
    for i in 1 2 3 4 5 6 7; do cp "$B/c0.txt" "$B/c$i.txt"; done
    check "8 x 10 MB copies" 0 -- timeout 600 "$BIN" scan --stats --pairs "$B"
    n=$(wc -l <"$T/out")
    if [ "$n" -eq 28 ]; then ok; else bad "8 x 10 MB copies: $n pairs, expected 28"; fi
    if python3 - "$T/err" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
sk = float(re.search(r"sketch ([0-9.]+)s", s).group(1))
ve = float(re.search(r"verify ([0-9.]+)s", s).group(1))
print("    8 x 10 MB copies: sketch %.1f s, verify %.1f s" % (sk, ve))
sys.exit(0 if ve <= 3 * sk + 2 else 1)
PY
    then ok; else bad "8 x 10 MB copies: verification grew with pairs x size"; fi
    rm -rf "$B"
fi

# ---------------------------------------------------------------- related
# Two stories, each run twice, and a digest item made of the lead of each:
# it is a verified reprint of both, joins at most one story's cluster, and
# is listed as related to the other, in --json and in the human output.
R=$T/related
mkdir -p "$R"
python3 - "$R" <<'PY'
import random, sys
r = random.Random(11)
words = ["w%d" % i for i in range(20000)]
a = [r.choice(words) for _ in range(300)]
b = [r.choice(words) for _ in range(300)]
files = {"a1": a, "a2": a[:280], "b1": b, "b2": b[:280], "digest": a[:60] + b[:60]}
for name, w in files.items():
    with open("%s/%s.txt" % (sys.argv[1], name), "w") as f:
        f.write(" ".join(w) + "\n")
PY
check "related json" 0 -- rp scan --json -t 0.4 "$R"
json_ok "related json" "$T/out"
if python3 - "$T/out" <<'PY'
import json, sys
cl = [json.loads(l) for l in open(sys.argv[1])]
ids = lambda c: {m["id"].rsplit("/", 1)[-1] for m in c["members"]}
stories = [c for c in cl if len(c["members"]) > 1]
assert len(stories) == 2, cl
for c in stories:   # never both stories in one cluster
    assert not ({"a1.txt", "b1.txt"} <= ids(c)), c
rel = [(c, x) for c in cl for x in c.get("related", [])]
assert any(x["id"].endswith("digest.txt") or c["members"][0]["id"].endswith("digest.txt") or
           any(m["id"].endswith("digest.txt") for m in c["members"]) for c, x in rel), cl
for c, x in rel:
    assert set(x) == {"id", "with", "score", "containment", "holds"}, x
    assert x["score"] >= 0.4, x
PY
then ok; else bad "related json: clusters or related lists wrong"; fi
check "related human" 0 -- rp scan -t 0.4 "$R"
has "related human line" "$T/out" "  related "
hasnt "digest not alone" "$T/out" "with no reprint"
check "related report" 0 -- rp report -t 0.4 -o "$T/related.html" "$R"
has "related report: listed in the cluster's data" "$T/related.html" '"related":[{"id":'
has "related report: the digest" "$T/related.html" 'digest.txt'
