# t_dist.sh - reprint dist: the staged run gives what scan gives, byte for
# byte (human, --json, --pairs) for several task and partition counts, on
# corpus/, on records inside files (JSON Lines, WARC, archives), with
# --keep, --prefer and --fields, on a crafted bucket of 300 copies and on
# a 2,000-document bench corpus (needs ../shared); ids given twice across
# files and plan tasks; relaunch after a failed task runs only that task; a damaged, cut, foreign or missing
# intermediate file stops a stage with "reprint: PATH: ..." and exit 2.

DW=$T/dist
mkdir -p "$DW"

# damage_sec FILE OUT SECTION: flips a byte in the middle of a section
# of a stage file (the table: 24-byte entries from byte 48)
damage_sec() {
    python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off, n, _ = struct.unpack_from("<QQQ", b, 48 + 24 * int(sys.argv[3]))
b[off + n // 2] ^= 0x55
open(sys.argv[2], "wb").write(b)
PY
}
# same_as_scan NAME N P ARGS...: dist run --local with N tasks and P parts
# prints what scan prints, with the same exit code
same_as_scan() {
    local name=$1 n=$2 p=$3
    shift 3
    $WRAP "$BIN" scan "$@" >"$DW/scan.out" 2>/dev/null
    local sc=$?
    rm -rf "$DW/w"
    "$BIN" dist run --local --tasks "$n" --parts "$p" --work "$DW/w" "$@" >"$DW/dist.out" 2>"$DW/dist.err"
    local dc=$?
    if [ "$sc" -ne "$dc" ]; then
        bad "$name: dist exit $dc, scan exit $sc"
        sed 's/^/    stderr: /' "$DW/dist.err" | head -5
        return
    fi
    ok
    same "$name" "$DW/dist.out" "$DW/scan.out"
}

for mode in "" --json --pairs; do
    same_as_scan "corpus ${mode:-human} N=1 P=1" 1 1 $mode corpus
    same_as_scan "corpus ${mode:-human} N=3 P=2" 3 2 $mode corpus
    same_as_scan "corpus ${mode:-human} N=4 P=5" 4 5 $mode corpus
done
same_as_scan "corpus --json N=3 P=7 -t 0.3 -k 4" 3 7 --json -t 0.3 -k 4 corpus
same_as_scan "corpus --pairs N=4 P=3 --bands 16 --rows 4" 4 3 --pairs --bands 16 --rows 4 corpus
same_as_scan "corpus --json N=3 P=2 --keep-boilerplate" 3 2 --json --keep-boilerplate corpus
# the output orders and filters, merged from the cluster tasks' files
for n in 1 3 4; do
    same_as_scan "corpus --sort size N=$n" "$n" 2 --sort size corpus
    same_as_scan "corpus --json --sort id N=$n" "$n" 3 --json --sort id corpus
    same_as_scan "corpus --min-size 3 N=$n" "$n" 1 --min-size 3 corpus
    same_as_scan "corpus --pairs --json --format tsv N=$n" "$n" 2 --pairs --json --format tsv corpus
done

# more tasks than files, and skipped inputs (exit 1 in both)
mkdir -p "$DW/few"
cp corpus/000_*.txt corpus/001_*.txt "$DW/few/"
printf 'bin\0ary' >"$DW/few/zz_binary.txt"
: >"$DW/few/zz_empty.txt"
same_as_scan "skipped inputs, N=4 > files" 4 2 --json "$DW/few"
same_as_scan "a file given twice" 3 3 --json corpus/000_fa3c2dd136cb4631.txt corpus
# nothing to read: filters that leave no file, and files without a word
# (exit 1 in both, as scan)
same_as_scan "--include matches nothing" 2 2 --json --include '*.nomatch' corpus
for n in 1 3 4; do
    same_as_scan "--include matches nothing N=$n" "$n" 3 --pairs --include '*.nomatch' corpus
done
has "--include matches nothing: said" "$DW/dist.err" "no files matched --include"
mkdir -p "$DW/nowords"
: >"$DW/nowords/a.txt"
printf '  \n\n' >"$DW/nowords/b.txt"
same_as_scan "no file has a word" 2 1 "$DW/nowords"
has "no file has a word: said" "$DW/dist.err" "no documents read"
# a compressed file among plain ones is read as a stream, with its text
# (the sketch once took the text of the file before it)
mkdir -p "$DW/gz"
cp corpus/000_*.txt "$DW/gz/a.txt"
cp corpus/002_*.txt "$DW/gz/b.txt"
gzip -c corpus/001_*.txt >"$DW/gz/c.txt.gz"
cp corpus/003_*.txt "$DW/gz/d.txt"
same_as_scan "a gzip file among plain ones, --pairs N=1" 1 1 --pairs "$DW/gz"
same_as_scan "a gzip file among plain ones, --json N=2" 2 3 --json "$DW/gz"

# Records inside files: JSON Lines (a blank and a malformed line, an id
# given twice), WARC (plain, and gzip record by record; a resource record
# without a URI, whose id is FILE:NUMBER), a tar.gz of files and of a JSON
# Lines member, a zip holding a WARC; crafted stories with near-copies
# and shorter copies. Each document is read again from its place in its
# file (record, archive entry, byte offset) by the sketch, verify and
# cluster tasks.
REC=$DW/rec
python3 - "$REC" <<'PY'
import gzip, io, json, os, random, sys, tarfile, zipfile
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rnd = random.Random(5)
syl = ["ba", "ko", "mi", "nu", "re", "sa", "ti", "vo", "lu", "pe", "ga", "do", "fe", "zi"]
vocab = ["".join(rnd.choice(syl) for _ in range(rnd.randint(2, 4))) for _ in range(3000)]
def text(words):
    return "\n".join(" ".join(words[i:i + 12]) + "." for i in range(0, len(words), 12)) + "\n"
texts = []
for s in range(24):
    base = [rnd.choice(vocab) for _ in range(rnd.randint(120, 260))]
    texts.append(("s%02d" % s, text(base)))
    for c in range(s % 4):
        w = base[:]
        for _ in range(rnd.randint(0, 4)):
            w[rnd.randrange(len(w))] = rnd.choice(vocab)
        if c == 2:
            w = w[: len(w) * 2 // 3]
        texts.append(("s%02dc%d" % (s, c), text(w)))
rnd.shuffle(texts)
def line(i, name, t):
    d = {"id": name, "text": t, "source": "wire" if i % 3 == 0 else "paper%d" % (i % 5)}
    if i % 6:
        d["date"] = "2020-01-%02dT10:00:00Z" % (1 + (i * 7) % 28)
    return json.dumps(d) + "\n"
half = len(texts) // 2
with open(os.path.join(root, "a.jsonl"), "w") as f:
    for i, (n, t) in enumerate(texts[:half]):
        f.write(line(i, n, t))
        if i == 3:
            f.write("\n{not json\n")
with open(os.path.join(root, "b.jsonl"), "w") as f:
    for i, (n, t) in enumerate(texts[half:], half):
        f.write(line(i, n, t))
    f.write(line(0, texts[0][0], texts[5][1]))
def rec(typ, body, uri=None):
    h = "WARC/1.0\r\nWARC-Type: %s\r\n" % typ
    if uri:
        h += "WARC-Target-URI: <%s>\r\n" % uri
    h += ("Content-Type: application/http; msgtype=response\r\n" if typ == "response"
          else "Content-Type: text/plain\r\n")
    h += "Content-Length: %d\r\n\r\n" % len(body)
    return h.encode() + body + b"\r\n\r\n"
out, gz = io.BytesIO(), io.BytesIO()
for i, (n, t) in enumerate(texts):
    http = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + t).encode()
    parts = [rec("request", b"GET / HTTP/1.1\r\n\r\n", "http://x/%s" % n)]
    parts.append(rec("resource", t.encode()) if i % 7 == 3 else rec("response", http, "http://x/%s" % n))
    for p in parts:
        out.write(p)
        gz.write(gzip.compress(p, mtime=0))
open(os.path.join(root, "c.warc"), "wb").write(out.getvalue())
open(os.path.join(root, "d.warc.gz"), "wb").write(gz.getvalue())
with tarfile.open(os.path.join(root, "e.tar.gz"), "w:gz") as tf:
    for n, t in texts[:20]:
        b = t.encode()
        ti = tarfile.TarInfo("docs/%s.txt" % n)
        ti.size = len(b)
        tf.addfile(ti, io.BytesIO(b))
    b = open(os.path.join(root, "b.jsonl"), "rb").read()
    ti = tarfile.TarInfo("more/b.jsonl")
    ti.size = len(b)
    tf.addfile(ti, io.BytesIO(b))
with zipfile.ZipFile(os.path.join(root, "f.zip"), "w") as zf:
    zf.writestr("crawl.warc", out.getvalue())
    for n, t in texts[20:30]:
        zf.writestr("z/%s.txt" % n, t)
PY
J="$REC/a.jsonl $REC/b.jsonl"
for np in "1 1" "1 3" "3 2" "3 5" "4 4" "4 7"; do
    set -- $np
    same_as_scan "jsonl --json N=$1 P=$2" "$1" "$2" --json $J
    case $np in
    "1 3"|"3 5"|"4 4") same_as_scan "warc --pairs N=$1 P=$2" "$1" "$2" --pairs "$REC/c.warc" ;;
    *) same_as_scan "all kinds human N=$1 P=$2" "$1" "$2" "$REC" ;;
    esac
done
for n in 1 3 4; do
    same_as_scan "warc.gz --json N=$n P=3" "$n" 3 --json "$REC/d.warc.gz"
    same_as_scan "tar.gz and zip --pairs N=$n P=2" "$n" 2 --pairs "$REC/e.tar.gz" "$REC/f.zip"
    # the options that choose a representative and carry fields
    same_as_scan "--keep longest N=$n" "$n" 2 --json --keep longest $J
    same_as_scan "--keep earliest --date-field N=$n" "$n" 3 --json --keep earliest --date-field date $J
    same_as_scan "--keep earliest (files: mtime) N=$n" "$n" 2 --keep earliest "$REC" corpus
    same_as_scan "--fields --json N=$n" "$n" 4 --json --fields source,date $J
    same_as_scan "--fields --pairs N=$n" "$n" 1 --pairs --fields source "$REC"
    same_as_scan "--prefer N=$n" "$n" 3 --prefer 'http://x/s1*' --prefer wire "$REC"
    same_as_scan "--keep first --prefer --format csv N=$n" "$n" 5 --keep first --prefer '*c1' \
        --format csv --fields source "$REC"
done
# an id given twice: the later one is skipped, unless the earlier one
# gives no document (no words), as in scan
python3 - "$DW/dup.jsonl" <<'PY'
import json, sys
t = "the quick brown fox jumps over the lazy dog near the river bank today and tomorrow " * 6
rows = [("x", "!!! ??? ..."), ("y", t), ("x", t + " extra words here"), ("y", t), ("z", t + " more")]
open(sys.argv[1], "w").write("".join(json.dumps({"id": i, "text": x}) + "\n" for i, x in rows))
PY
same_as_scan "ids given twice N=2" 2 2 --json "$DW/dup.jsonl"
same_as_scan "ids given twice N=3" 3 1 --pairs "$DW/dup.jsonl"
# ids given twice across files and plan tasks: holders without words (an
# empty text, only punctuation) twice before one with words; an id held
# by a document of another file, and one given three times; a file given
# twice; each file small so that N plan tasks each take some
python3 - "$DW/dups" "$REC/a.jsonl" <<'PY'
import json, os, random, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rnd = random.Random(7)
stories = []
for l in open(sys.argv[2]):
    try:
        stories.append(json.loads(l)["text"].split())
    except ValueError:
        pass
vocab = sorted({w for s in stories for w in s})
def t(s, k=0):
    w = stories[s][:]
    for _ in range(k):
        w[rnd.randrange(len(w))] = rnd.choice(vocab)
    return " ".join(w) + "\n"
files = [
    [("a", ""), ("b", t(0)), ("c", t(1)), ("d", "... !!!")],
    [("a", "?? !!"), ("e", t(2)), ("b", t(0, 2)), ("f", t(3))],
    [("a", t(4)), ("d", t(5)), ("g", t(0, 1)), ("b", t(6))],
    [("a", t(4, 3)), ("h", t(1, 2)), ("d", t(5, 1)), ("i", t(7))],
    [("j", t(8)), ("k", t(8, 1)), ("c", t(9)), ("l", t(2, 1))],
]
for i, rows in enumerate(files):
    with open(os.path.join(root, "f%d.jsonl" % i), "w") as f:
        f.write("".join(json.dumps({"id": k, "text": x}) + "\n" for k, x in rows))
PY
for np in "1 1" "1 4" "3 1" "3 2" "3 5" "4 3" "4 7"; do
    set -- $np
    same_as_scan "ids given twice across files --json N=$1 P=$2" "$1" "$2" --json "$DW/dups"
    same_as_scan "ids given twice across files --pairs N=$1 P=$2" "$1" "$2" --pairs "$DW/dups/f2.jsonl" "$DW/dups"
done
has "ids given twice: said" "$DW/dist.err" "skipped: duplicate id 'b'"
# plans_have_docs NAME N ARGS...: with N plan tasks, every one has
# documents (plan.I's section 1: count, skipped, files)
plans_have_docs() {
    local name=$1 n=$2
    shift 2
    rm -rf "$DW/w"
    "$BIN" dist run --local --tasks "$n" --parts 2 --work "$DW/w" "$@" >/dev/null 2>&1
    if python3 - "$DW/w" "$n" <<'PY'
import struct, sys
for t in range(int(sys.argv[2])):
    b = open("%s/plan.%d" % (sys.argv[1], t), "rb").read()
    off, = struct.unpack_from("<Q", b, 48 + 24)
    docs, = struct.unpack_from("<Q", b, off)
    if docs == 0:
        sys.exit("plan.%d: no documents" % t)
PY
    then ok; else bad "$name: a plan task without documents"; fi
}
# the plan tasks take slices of the files by bytes: with 5 files of
# about the same size and N = 4, every plan task has documents
plans_have_docs "plan tasks" 4 --json "$DW/dups"
# One JSON Lines file cut over several plan tasks: the list cuts it by
# bytes, each plan task reads from the first record that starts in its
# cut and numbers its lines from there; the ids stage adds the lines of
# the cuts before (prefix sums). Stdout, exit code and the messages (in
# any order: the tasks run apart) are scan's.
# same_as_scan_err NAME N P ARGS...: same_as_scan, and the same messages
# (scan -j1: with threads, scan's message on an id given twice sometimes
# names the file instead of the id: safe() of another thread)
same_as_scan_err() {
    local name=$1
    same_as_scan "$@"
    "$BIN" scan -j1 "${@:4}" 2>&1 >/dev/null | sort >"$DW/scan.err.s"
    grep -v '^reprint: dist: ' "$DW/dist.err" | sort >"$DW/dist.err.s"
    same "$name: messages" "$DW/dist.err.s" "$DW/scan.err.s"
}
CUT=$DW/cut
python3 - "$CUT" "$REC" <<'PY'
import json, os, sys
root, rec = sys.argv[1], sys.argv[2]
os.makedirs(root, exist_ok=True)
stories = []   # the stories and near-copies of the JSON Lines files above
for name in ("a.jsonl", "b.jsonl"):
    for l in open(os.path.join(rec, name)):
        try:
            stories.append(json.loads(l)["text"])
        except ValueError:
            pass
def text(i):
    return stories[i % len(stories)]
out = []
for i in range(120):
    t = text(i * 7)
    if i == 50:
        t = t * 40                                  # a record longer than a cut
    line = json.dumps({"id": "d%03d" % i, "text": t})
    if i % 17 == 3:
        out.append("")                              # blank line
    if i % 23 == 5:
        out.append("{not json")                     # malformed
    if i % 19 == 7:
        out.append(json.dumps({"text": "no id"}))   # no id field
    if i % 29 == 9:
        out.append(json.dumps({"id": "x%d" % i}))   # no text field
    if i % 13 == 0:
        line += "\r"                                # CRLF
    if i == 77:                                     # an id given twice
        line = json.dumps({"id": "d010", "text": text(70)})
    out.append(line)
# a byte order mark, no newline after the last line
open(os.path.join(root, "mix.jsonl"), "w").write("\ufeff" + "\n".join(out))
# three records, for more tasks than records
open(os.path.join(root, "three.jsonl"), "w").write(
    "".join(json.dumps({"id": "t%d" % i, "text": text(i)}) + "\n" for i in range(3)))
# N = 2 cuts at byte (size + 4096) / 2 - 4096 (the list's FILE_COST):
# a file where that byte is a newline, and one where it starts a line
rows = [json.dumps({"id": "n%d" % i, "text": text(i)}) for i in range(40)]
done = set()
for pad in range(4000):
    data = (json.dumps({"id": "pad", "text": "x " * pad + "y"}) + "\n" + "\n".join(rows) + "\n").encode()
    cut = (len(data) + 4096) // 2 - 4096
    kind = "onnl" if data[cut] == 10 else "start" if data[cut - 1] == 10 else None
    if kind and kind not in done:
        done.add(kind)
        open(os.path.join(root, "%s.jsonl" % kind), "wb").write(data)
        open(os.path.join(root, "%s.cut" % kind), "w").write("%d\n" % cut)
    if len(done) == 2:
        break
PY
for np in "1 1" "3 2" "4 5" "7 3"; do
    set -- $np
    same_as_scan_err "cut file --json N=$1 P=$2" "$1" "$2" --json "$CUT/mix.jsonl"
    same_as_scan_err "cut file --pairs N=$1 P=$2" "$1" "$2" --pairs "$CUT/mix.jsonl"
done
same_as_scan_err "cut file, human N=4 P=2" 4 2 "$CUT/mix.jsonl"
same_as_scan_err "cut file, a line over --max-bytes N=7 P=2" 7 2 --json --max-bytes 20000 "$CUT/mix.jsonl"
same_as_scan_err "cut file, --keep longest --fields N=4 P=3" 4 3 --json --keep longest --fields id "$CUT/mix.jsonl"
same_as_scan_err "more tasks than records N=7 P=2" 7 2 --json "$CUT/three.jsonl"
for k in onnl start; do
    same_as_scan_err "cut on a newline ($k) N=2 P=2" 2 2 --json "$CUT/$k.jsonl"
    # the list cut the file at that byte (LS_CUTAT, section 6)
    if python3 - "$DW/w/list" "$(cat "$CUT/$k.cut")" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off, n, _ = struct.unpack_from("<QQQ", b, 48 + 24 * 6)
cut = struct.unpack_from("<3Q", b, off)
sys.exit(0 if cut == (0, int(sys.argv[2]), 0) else "cuts %s" % (cut,))
PY
    then ok; else bad "cut on a newline ($k): not cut there"; fi
done
# cut files among loose files, whole and compressed JSON Lines files
# (stdout and exit code)
mkdir -p "$CUT/mixed"
cp corpus/00*.txt "$CUT/mixed/"
cp "$CUT/mix.jsonl" "$CUT/mixed/m.jsonl"
head -n 5 "$REC/a.jsonl" >"$CUT/mixed/a.jsonl"
gzip -c "$CUT/three.jsonl" >"$CUT/mixed/z.jsonl.gz"
for np in "1 2" "3 1" "4 3" "7 5"; do
    set -- $np
    same_as_scan "cut file among others --json N=$1 P=$2" "$1" "$2" --json "$CUT/mixed"
done
# every plan task of one file cut four ways has documents
plans_have_docs "cut file" 4 --json "$CUT/mix.jsonl"
# a failed plan task of a cut file, relaunched alone
W=$DW/cut-relaunch
"$BIN" scan --json "$CUT/mix.jsonl" >"$DW/scan.cut" 2>/dev/null
check "cut file: failed plan task" 2 -- env REPRINT_DIST_FAIL=plan.1 "$BIN" dist run --local --tasks 3 --work "$W" --json "$CUT/mix.jsonl"
check "cut file: relaunch" 1 -- "$BIN" dist run --local --tasks 3 --work "$W" --json --progress "$CUT/mix.jsonl"
same "cut file: relaunch, same bytes" "$T/out" "$DW/scan.cut"
has "cut file: relaunch, only the failed task" "$T/err" "dist: plan: 1 task run, 2 done before"
# damaged: the held messages of a plan task (section 6), read by ids
# task 0; the lines before each cut in an ids file (section 5)
for t in 1 2; do
    if [ "$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(); print(struct.unpack_from("<Q", b, 48 + 24 * 6 + 8)[0])' "$W/plan.$t")" -gt 0 ]; then
        break
    fi
done
cp "$W/plan.$t" "$DW/plan.good"
damage_sec "$DW/plan.good" "$W/plan.$t" 6
check "cut file: damaged messages" 2 -- "$BIN" dist ids --work "$W" --task 0
has "cut file: damaged messages: message" "$T/err" "reprint: $W/plan.$t: damaged (checksum)"
cp "$DW/plan.good" "$W/plan.$t"
cp "$W/ids.0" "$DW/ids.good"
damage_sec "$DW/ids.good" "$W/ids.0" 5
check "cut file: damaged line bases" 2 -- "$BIN" dist sketch --work "$W" --task 1
has "cut file: damaged line bases: message" "$T/err" "reprint: $W/ids.0: damaged (checksum)"
cp "$DW/ids.good" "$W/ids.0"
# a cut file that is no longer JSON Lines when its plan task runs
W=$DW/cut-changed
cp "$CUT/mix.jsonl" "$DW/cc.jsonl"
check "cut file changed: list" 2 -- env REPRINT_DIST_FAIL=plan.0 "$BIN" dist run --local --tasks 3 --work "$W" --json "$DW/cc.jsonl"
gzip -c "$CUT/mix.jsonl" >"$DW/cc.jsonl"
check "cut file changed: plan stops" 2 -- "$BIN" dist run --local --tasks 3 --work "$W" --json "$DW/cc.jsonl"
has "cut file changed: message" "$T/err" "cc.jsonl: changed since the list was made"
# the 2,000 first documents of the 20,000-document bench corpus as one
# JSON Lines file (taken at test time, never kept)
B2KJ=${REPRINT_BENCH2K_JSONL:-/work/bench-cache/n20000-s1/corpus.jsonl}
if [ -z "$WRAP" ] && [ ! -f "$B2KJ" ] && [ -d ../shared ] &&
    python3 tools/bench/mkcorpus.py -n 2000 -s 1 -q -o "$DW/b2kj" >/dev/null 2>&1; then
    B2KJ=$DW/b2kj/corpus.jsonl
fi
if [ -z "$WRAP" ] && [ -f "$B2KJ" ]; then
    head -n 2000 "$B2KJ" >"$DW/b2k.jsonl"
    for np in "1 2" "3 4" "4 2" "7 5"; do
        set -- $np
        same_as_scan "bench 2000 as one JSON Lines file --json N=$1 P=$2" "$1" "$2" --json "$DW/b2k.jsonl"
    done
    same_as_scan "bench 2000 as one JSON Lines file --pairs N=4 P=3" 4 3 --pairs "$DW/b2k.jsonl"
    rm -f "$DW/b2k.jsonl"
else
    echo "skip: dist on the bench corpus as one JSON Lines file (needs ../shared or the bench cache; not under a wrapper)"
fi

# a document whose file changed after the plan is reported and skipped
W=$DW/changed
cp "$REC/a.jsonl" "$DW/ch.jsonl"
check "changed: a sketch task fails on purpose" 2 -- env REPRINT_DIST_FAIL=sketch.0 "$BIN" dist run --local --tasks 2 --work "$W" --json "$DW/ch.jsonl"
head -n 5 "$REC/a.jsonl" >"$DW/ch.jsonl"
check "changed: the relaunch skips what is gone" 1 -- "$BIN" dist run --local --tasks 2 --work "$W" --json "$DW/ch.jsonl"
has "changed: message" "$T/err" "ch.jsonl: skipped: changed since the plan was made"

# A crafted bucket of 300 near-copies of one story (more than 256
# documents share every band key) beside 40 articles alone.
BIG=$DW/big
python3 - "$BIG" <<'PY'
import os, random, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rnd = random.Random(11)
syl = ["ba", "ko", "mi", "nu", "re", "sa", "ti", "vo", "lu", "pe", "ga", "do", "fe", "zi"]
vocab = ["".join(rnd.choice(syl) for _ in range(rnd.randint(2, 4))) for _ in range(4000)]
base = [rnd.choice(vocab) for _ in range(220)]
def text(words):
    return "\n".join(" ".join(words[i:i + 11]) + "." for i in range(0, len(words), 11)) + "\n"
for i in range(300):
    w = base[:]
    if i % 3 == 1:
        w[rnd.randrange(len(w))] = rnd.choice(vocab)
    with open(os.path.join(root, "c%03d.txt" % i), "w") as f:
        f.write(text(w))
for i in range(40):
    with open(os.path.join(root, "z%02d.txt" % i), "w") as f:
        f.write(text([rnd.choice(vocab) for _ in range(200)]))
PY
same_as_scan "bucket of 300, --json N=3 P=2" 3 2 --json "$BIG"
same_as_scan "bucket of 300, --pairs N=4 P=3" 4 3 --pairs "$BIG"
same_as_scan "bucket of 300, human N=1 P=5" 1 5 "$BIG"
same_as_scan "bucket of 300, --json --sort id N=3 P=7" 3 7 --json --sort id "$BIG"
# the one big component is clustered by one cluster task alone (the
# components file's index by task: section 3, N + 1 offsets)
if python3 - "$DW/w/components" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off, n, _ = struct.unpack_from("<QQQ", b, 48 + 24 * 3)
t = struct.unpack_from("<%dQ" % (n // 8), b, off)
sizes = sorted(t[i + 1] - t[i] for i in range(len(t) - 1))
if sizes[-1] < 300 or sum(sizes) != sizes[-1]:
    sys.exit("documents by cluster task: %s" % (sizes,))
PY
then ok; else bad "bucket of 300: the component is not in one cluster task"; fi
same_as_scan "bucket of 300, --pairs N=4 P=3" 4 3 --pairs "$BIG"
# the one big component is verified pair by pair by every verify task
if python3 - "$DW/w" 4 <<'PY'
import struct, sys
for t in range(int(sys.argv[2])):
    b = open("%s/verify.%d" % (sys.argv[1], t), "rb").read()
    off, = struct.unpack_from("<Q", b, 48)
    pairs, = struct.unpack_from("<Q", b, off)
    if pairs == 0:
        sys.exit("verify.%d: no pairs" % t)
PY
then ok; else bad "bucket of 300: a verify task without pairs of the component"; fi

# A 2,000-document bench corpus (tools/bench/mkcorpus.py, from ../shared).
BENCH2K=${REPRINT_BENCH2K:-}
if [ -z "$BENCH2K" ] && [ -d ../shared ] && [ -z "$WRAP" ]; then
    if python3 tools/bench/mkcorpus.py -n 2000 -s 1 -q --no-jsonl -o "$DW/b2k" >/dev/null 2>&1; then
        BENCH2K=$DW/b2k/docs
    fi
fi
if [ -n "$BENCH2K" ] && [ -d "$BENCH2K" ]; then
    same_as_scan "bench 2000 --json N=3 P=4" 3 4 --json "$BENCH2K"
    same_as_scan "bench 2000 --pairs N=4 P=2" 4 2 --pairs "$BENCH2K"
    same_as_scan "bench 2000 human N=1 P=3" 1 3 "$BENCH2K"
    same_as_scan "bench 2000 --json --sort size N=4 P=5" 4 5 --json --sort size "$BENCH2K"
else
    echo "skip: dist on a 2,000-document bench corpus (needs ../shared; not under a wrapper)"
fi

# Relaunch: a verify task fails on purpose; the cluster stage does not
# run; the same command then runs only that task and ends identical.
W=$DW/relaunch
"$BIN" scan --json corpus >"$DW/scan.json"
check "failed task: exit 2" 2 -- env REPRINT_DIST_FAIL=verify.1 "$BIN" dist run --local --tasks 3 --work "$W" --json corpus
has "failed task: says so" "$T/err" "verify: 1 task failed; run the same command again"
if [ -e "$W/done/verify.0" ] && [ -e "$W/done/verify.2" ] && [ ! -e "$W/done/verify.1" ] &&
   [ ! -e "$W/done/components.0" ] && [ ! -e "$W/done/cluster.0" ]; then ok; else bad "failed task: markers"; ls "$W/done"; fi
check "relaunch" 0 -- "$BIN" dist run --local --tasks 3 --work "$W" --json --progress corpus
same "relaunch: same bytes" "$T/out" "$DW/scan.json"
has "relaunch: only the failed task" "$T/err" "dist: verify: 1 task run, 2 done before"
has "relaunch: earlier stages skipped" "$T/err" "dist: sketch: 0 tasks run, 3 done before"
# a failed lines task: bucket does not run; a relaunch runs only it
W2=$DW/relaunch-lines
check "failed lines task: exit 2" 2 -- env REPRINT_DIST_FAIL=lines.1 "$BIN" dist run --local --tasks 3 --parts 2 --work "$W2" --json corpus
if [ -e "$W2/done/lines.0" ] && [ ! -e "$W2/done/lines.1" ] && [ ! -e "$W2/done/bucket.0" ] &&
   [ ! -e "$W2/done/bucket.1" ]; then ok; else bad "failed lines task: markers"; ls "$W2/done"; fi
check "lines relaunch" 0 -- "$BIN" dist run --local --tasks 3 --parts 2 --work "$W2" --json --progress corpus
same "lines relaunch: same bytes" "$T/out" "$DW/scan.json"
has "lines relaunch: only the failed task" "$T/err" "dist: lines: 1 task run, 1 done before"
# a failed cluster task: nothing is printed; a relaunch runs only it
W3=$DW/relaunch-cluster
check "failed cluster task: exit 2" 2 -- env REPRINT_DIST_FAIL=cluster.2 "$BIN" dist run --local --tasks 4 --parts 3 --work "$W3" --json corpus
if [ ! -s "$T/out" ] && [ -e "$W3/done/cluster.0" ] && [ ! -e "$W3/done/cluster.2" ]; then ok
else bad "failed cluster task: markers or output"; ls "$W3/done"; fi
check "dist output before the cluster tasks are done" 2 -- "$BIN" dist output --work "$W3"
has "dist output before: message" "$T/err" "$W3/cluster.2: missing"
check "cluster relaunch" 0 -- "$BIN" dist run --local --tasks 4 --parts 3 --work "$W3" --json --progress corpus
same "cluster relaunch: same bytes" "$T/out" "$DW/scan.json"
has "cluster relaunch: only the failed task" "$T/err" "dist: cluster: 1 task run, 3 done before"
has "cluster relaunch: components not again" "$T/err" "dist: components: 0 tasks run, 1 done before"
# a damaged components or cluster file stops the task or the output
cp "$W3/components" "$DW/components.good"
damage_sec "$DW/components.good" "$W3/components" 3
check "damaged components index" 2 -- "$BIN" dist cluster --work "$W3" --task 1
has "damaged components index: message" "$T/err" "reprint: $W3/components: damaged (checksum)"
cp "$DW/components.good" "$W3/components"
cp "$W3/cluster.1" "$DW/cluster.1.good"
damage_sec "$DW/cluster.1.good" "$W3/cluster.1" 1
check "damaged cluster file" 2 -- "$BIN" dist output --work "$W3"
has "damaged cluster file: message" "$T/err" "reprint: $W3/cluster.1: damaged (checksum)"
if [ ! -s "$T/out" ]; then ok; else bad "damaged cluster file: printed something"; fi
python3 - "$DW/cluster.1.good" "$W3/cluster.1" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[8] = 3
open(sys.argv[2], "wb").write(b)
PY
check "cluster file of version 3" 2 -- "$BIN" dist output --work "$W3"
has "cluster file of version 3: message" "$T/err" "reprint: $W3/cluster.1: written by another version of reprint dist"
cp "$DW/cluster.1.good" "$W3/cluster.1"
check "repaired: dist output" 0 -- "$BIN" dist output --work "$W3"
same "repaired: same bytes" "$T/out" "$DW/scan.json"
# a failed plan task, then a failed ids task: the stages after them do
# not run; each relaunch runs only the failed task
W3=$DW/relaunch-plan
check "failed plan task: exit 2" 2 -- env REPRINT_DIST_FAIL=plan.2 "$BIN" dist run --local --tasks 3 --parts 2 --work "$W3" --json corpus
if [ -e "$W3/done/list.0" ] && [ -e "$W3/done/plan.0" ] && [ ! -e "$W3/done/plan.2" ] &&
   [ ! -e "$W3/done/ids.0" ]; then ok; else bad "failed plan task: markers"; ls "$W3/done"; fi
check "failed ids task: exit 2" 2 -- env REPRINT_DIST_FAIL=ids.1 "$BIN" dist run --local --tasks 3 --parts 2 --work "$W3" --json --progress corpus
has "plan relaunch: only the failed task" "$T/err" "dist: plan: 1 task run, 2 done before"
if [ -e "$W3/done/ids.0" ] && [ ! -e "$W3/done/ids.1" ] && [ ! -e "$W3/done/sketch.0" ]; then ok
else bad "failed ids task: markers"; ls "$W3/done"; fi
check "ids relaunch" 0 -- "$BIN" dist run --local --tasks 3 --parts 2 --work "$W3" --json --progress corpus
same "ids relaunch: same bytes" "$T/out" "$DW/scan.json"
has "ids relaunch: only the failed task" "$T/err" "dist: ids: 1 task run, 1 done before"
has "ids relaunch: list not run again" "$T/err" "dist: list: 0 tasks run, 1 done before"
check "another run in the same folder" 2 -- "$BIN" dist run --local --tasks 2 --work "$W" --json corpus
has "another run: message" "$T/err" "the work folder holds another run"
check "dist output" 0 -- "$BIN" dist output --work "$W"
same "dist output: same bytes" "$T/out" "$DW/scan.json"

# Damaged intermediate files: each stops the next stage with exit 2.
cp "$W/sketch.1" "$DW/sketch.1.good"
head -c 100 "$DW/sketch.1.good" >"$W/sketch.1"
check "truncated shard" 2 -- "$BIN" dist bucket --work "$W" --task 0
has "truncated shard: message" "$T/err" "reprint: $W/sketch.1: truncated"
# one_stops STAGE MESSAGE: of the stage's 3 tasks, exactly one (the one
# whose slice is damaged) stops with exit 2, saying MESSAGE
one_stops() {
    local stopped=0
    for p in 0 1 2; do
        "$BIN" dist "$1" --work "$W" --task $p >/dev/null 2>"$DW/one.err"
        if [ $? -eq 2 ] && grep -qF "$2" "$DW/one.err"; then
            stopped=$((stopped + 1))
        fi
    done
    if [ "$stopped" -eq 1 ]; then ok; else bad "$2: $stopped $1 tasks stopped, expected 1"; fi
}
# one_task_stops STAGE WHAT: the same, for a damaged slice of sketch.1
one_task_stops() {
    one_stops "$1" "sketch.1: damaged (checksum of a partition's $2)"
}
# the line counts (section 5): the lines task whose slice it is stops
damage_sec "$DW/sketch.1.good" "$W/sketch.1" 5
one_task_stops lines "line counts"
# a lines file, which verify and cluster read whole
cp "$DW/sketch.1.good" "$W/sketch.1"
cp "$W/lines.2" "$DW/lines.2.good"
damage_sec "$DW/lines.2.good" "$W/lines.2" 1
check "damaged lines file" 2 -- "$BIN" dist verify --work "$W" --task 0
has "damaged lines file: message" "$T/err" "reprint: $W/lines.2: damaged (checksum)"
rm -f "$W/lines.2"
check "missing lines file" 2 -- "$BIN" dist cluster --work "$W" --task 0
has "missing lines file: message" "$T/err" "reprint: $W/lines.2: missing"
cp "$DW/lines.2.good" "$W/lines.2"
# the band keys (section 6): the bucket task whose slice it is stops
damage_sec "$DW/sketch.1.good" "$W/sketch.1" 6
one_task_stops bucket "band keys"
# the header (the section table)
python3 - "$DW/sketch.1.good" "$W/sketch.1" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[60] ^= 0x55
open(sys.argv[2], "wb").write(b)
PY
check "damaged header" 2 -- "$BIN" dist cluster --work "$W" --task 1
has "damaged header: message" "$T/err" "reprint: $W/sketch.1: damaged (checksum)"
python3 - "$DW/sketch.1.good" "$W/sketch.1" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[8] = 99
open(sys.argv[2], "wb").write(b)
PY
check "other version" 2 -- "$BIN" dist cluster --work "$W" --task 2
has "other version: message" "$T/err" "reprint: $W/sketch.1: written by another version of reprint dist"
rm -f "$W/sketch.1"
check "missing shard" 2 -- "$BIN" dist bucket --work "$W" --task 1
has "missing shard: message" "$T/err" "reprint: $W/sketch.1: missing"
cp "$W/plan.0" "$W/sketch.1"
check "file of another stage" 2 -- "$BIN" dist bucket --work "$W" --task 1
has "another stage: message" "$T/err" "reprint: $W/sketch.1: written by another stage"
cp "$DW/sketch.1.good" "$W/sketch.1"
check "repaired: a stage task runs" 0 -- "$BIN" dist bucket --work "$W" --task 1
# a plan task's paths (section 0), which every task that reads its
# documents checks whole
cp "$W/plan.0" "$DW/plan.good"
damage_sec "$DW/plan.good" "$W/plan.0" 0
check "damaged plan" 2 -- "$BIN" dist sketch --work "$W" --task 0
has "damaged plan: message" "$T/err" "reprint: $W/plan.0: damaged (checksum)"
cp "$DW/plan.good" "$W/plan.0"
# the id hashes of a plan task (section 3), read by slice: the ids task
# whose slice it is stops
cp "$W/plan.1" "$DW/plan.good"
damage_sec "$DW/plan.good" "$W/plan.1" 3
one_stops ids "plan.1: damaged (checksum)"
cp "$DW/plan.good" "$W/plan.1"
# the list's paths (section 1), read by slice by the plan tasks
cp "$W/list" "$DW/list.good"
damage_sec "$DW/list.good" "$W/list" 1
one_stops plan "list: damaged (checksum)"
cp "$DW/list.good" "$W/list"
# the ids files' skipped documents (section 2), read by slice by sketch
cp "$W/ids.0" "$DW/ids.good"
python3 - "$DW/ids.good" "$W/ids.0" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[b.index(b"RPSTAGE") + 8] = 3   # version 3: before the plan was split
open(sys.argv[2], "wb").write(b)
PY
check "ids file of version 3" 2 -- "$BIN" dist sketch --work "$W" --task 0
has "ids file of version 3: message" "$T/err" "reprint: $W/ids.0: written by another version of reprint dist"
cp "$DW/ids.good" "$W/ids.0"
check "task out of range" 2 -- "$BIN" dist verify --work "$W" --task 3
has "task out of range: message" "$T/err" "task 3 out of range"
check "no work folder" 2 -- "$BIN" dist sketch --work "$DW/nowhere" --task 0
has "no work folder: message" "$T/err" "is the work folder on a filesystem this node shares?"

# --clean removes the intermediates; usage errors
check "--clean" 0 -- "$BIN" dist run --local --tasks 2 --work "$DW/cl" --clean --json corpus
same "--clean: same bytes" "$T/out" "$DW/scan.json"
if [ ! -e "$DW/cl" ]; then ok; else bad "--clean left $(ls "$DW/cl")"; fi
check "stdin refused" 2 -- "$BIN" dist run --local --tasks 2 --work "$DW/si" - <corpus/000_fa3c2dd136cb4631.txt
has "stdin refused: message" "$T/err" "standard input cannot be shared"
check "no --tasks" 2 -- "$BIN" dist run --local --work "$DW/x" corpus
check "both drivers" 2 -- "$BIN" dist run --local --slurm --tasks 2 --work "$DW/x" corpus
check "unknown stage" 2 -- "$BIN" dist frobnicate --work "$DW/x"
check "dist --help" 0 -- "$BIN" dist --help
has "dist --help: usage" "$T/out" "usage: reprint dist run"
