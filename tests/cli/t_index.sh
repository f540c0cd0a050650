# t_index.sh - reprint index: add/query/stats/rm/export, agreement with
# scan, the feed mode on stdin, settings checks, bad and locked databases,
# a full disk, and a SIGKILL in the middle of a large add.

IX=$T/index
mkdir -p "$IX"

# A crafted folder: three stories with reprints (cut, re-led, edited) and
# articles alone (tests/cli/craft.sh; t_index_more.sh uses it too).
CRAFT=$IX/craft
. "$ROOT/tests/cli/craft.sh"

# ---------------------------------------------------------------- help
for sub in add query stats rm export; do
    check "index $sub -h" 0 -- rp index "$sub" -h
    has "index $sub -h" "$T/out" "usage: reprint index $sub"
done
check "index -h" 0 -- rp index --help
has "index -h" "$T/out" "commands:"
check "index no command" 2 -- rp index
check "index bad command" 2 -- rp index frobnicate x.db
has "index bad command" "$T/err" "reprint: index: 'frobnicate' is not a command"
check "index add no path" 2 -- rp index add "$IX/x.db"
check "index add bad option" 2 -- rp index add --bogus "$IX/x.db" corpus/
has "index add bad option" "$T/err" "unknown option '--bogus'"
check "index stats wrong option" 2 -- rp index stats --report "$IX/x.db"
[ -e "$IX/x.db" ] && bad "usage errors create no index" || ok

# ---------------------------------------------------------------- corpus
DB=$IX/corpus.db
check "index add corpus" 0 -- rp index add "$DB" corpus/
[ -s "$T/out" ] && bad "index add prints nothing without --report" || ok
check "index export corpus" 0 -- rp index export "$DB" --json
cp "$T/out" "$IX/export.json"
json_ok "index export corpus" "$IX/export.json"
rp scan --json corpus/ >"$IX/scan.json"
same_clusters "index export = scan --json (corpus)" "$IX/export.json" "$IX/scan.json"
rp scan --json --bands 32 --rows 1 corpus/ >"$IX/scan32.json"
same_clusters "index export = scan --json, same LSH shape (corpus)" "$IX/export.json" "$IX/scan32.json"

check "index stats" 0 -- rp index stats "$DB"
has "stats docs" "$T/out" "documents  5"
has "stats clusters" "$T/out" "clusters   2"
has "stats settings" "$T/out" "shingle 3, hashes 256, bands 32, rows 1, threshold 0.5"
has "stats normalizer" "$T/out" "normalizer 2, format 2"

# re-adding the same files changes nothing
cp "$DB" "$IX/before.db"
check "index re-add unchanged" 0 -- rp index add --report "$DB" corpus/
json_ok "re-add report" "$T/out"
check "stats after re-add" 0 -- rp index stats "$DB"
has "re-add is a no-op" "$T/out" "documents  5"
rp index export "$DB" >"$IX/export2.json"
same_clusters "re-add keeps the clusters" "$IX/export2.json" "$IX/scan.json"

# query: one line per input, never changes the index
sum_before=$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)
check "index query" 0 -- rp index query "$DB" corpus/000_fa3c2dd136cb4631.txt corpus/002_30e64a52b71f24ea.txt
json_ok "index query" "$T/out"
if python3 - "$T/out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
a, b = rows
assert list(a) == ["id", "cluster", "matches"], a.keys()
assert a["id"] == "corpus/000_fa3c2dd136cb4631.txt"
assert isinstance(a["cluster"], int) and a["cluster"] > 0
ids = [m["id"] for m in a["matches"]]
assert sorted(ids) == ["corpus/001_092751d03b652b07.txt", "corpus/003_48fa41108d4c0335.txt",
                       "corpus/004_18e9ce7fe685923d.txt"], ids
scores = [m["score"] for m in a["matches"]]
assert scores == sorted(scores, reverse=True)
for m in a["matches"]:
    assert list(m) == ["id", "score", "jaccard", "containment_ab", "containment_ba"], m
    assert abs(m["score"] - max(m["containment_ab"], m["containment_ba"])) < 1e-3
    assert 0.5 <= m["score"] <= 1
assert b["matches"] == [] and isinstance(b["cluster"], int)
EOF
then ok; else bad "index query: shape"; fi
sum_after=$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)
[ "$sum_before" = "$sum_after" ] && ok || bad "index query changed the index"

# a new article that reprints a story joins its cluster
cl=$(rp index query "$DB" corpus/001_092751d03b652b07.txt | python3 -c 'import json,sys; print(json.load(sys.stdin)["cluster"])')
head -c 2500 corpus/001_092751d03b652b07.txt >"$IX/new-reprint.txt"
check "query a new reprint" 0 -- rp index query "$DB" "$IX/new-reprint.txt"
has "new reprint joins the story" "$T/out" "\"cluster\": $cl,"
printf 'Completely different words about gardening tomatoes in small pots on a sunny balcony every summer.\n' >"$IX/other.txt"
check "query an unrelated text" 0 -- rp index query "$DB" "$IX/other.txt"
has "unrelated starts no cluster" "$T/out" '"cluster": null, "matches": []'

# a changed text replaces the record
cp corpus/000_fa3c2dd136cb4631.txt "$IX/changing.txt"
rp index add "$DB" "$IX/changing.txt" 2>/dev/null
check "changed text: stats" 0 -- rp index stats "$DB"
has "changed text added" "$T/out" "documents  6"
cp "$IX/other.txt" "$IX/changing.txt"
check "changed text re-added" 0 -- rp index add --report "$DB" "$IX/changing.txt"
has "changed text: no matches any more" "$T/out" '"matches": []'
check "changed text: stats again" 0 -- rp index stats "$DB"
has "changed text replaced, not added" "$T/out" "documents  6"

# rm
check "index rm" 0 -- rp index rm "$DB" "$IX/changing.txt"
check "index rm missing" 1 -- rp index rm "$DB" no-such-id
has "index rm missing" "$T/err" "no-such-id: no such document"
check "stats after rm" 0 -- rp index stats "$DB"
has "rm removed" "$T/out" "documents  5"
check "rm a member" 0 -- rp index rm "$DB" corpus/004_18e9ce7fe685923d.txt
rp scan --json corpus/000_fa3c2dd136cb4631.txt corpus/001_092751d03b652b07.txt \
    corpus/002_30e64a52b71f24ea.txt corpus/003_48fa41108d4c0335.txt >"$IX/scan4.json"
rp index export "$DB" >"$IX/export4.json"
same_clusters "export after rm = scan of the rest" "$IX/export4.json" "$IX/scan4.json"

# ---------------------------------------------------------------- crafted folder
DB2=$IX/craft.db
check "index add crafted" 0 -- rp index add --batch 3 "$DB2" "$CRAFT"
check "index export crafted" 0 -- rp index export --json "$DB2"
cp "$T/out" "$IX/craft-export.json"
rp scan --json "$CRAFT" >"$IX/craft-scan.json"
same_clusters "index export = scan --json (crafted)" "$IX/craft-export.json" "$IX/craft-scan.json"
if python3 - "$IX/craft-export.json" <<'EOF'
import json, sys
cl = [json.loads(l) for l in open(sys.argv[1])]
multi = [c for c in cl if len(c["members"]) > 1]
assert len(multi) == 3, [len(c["members"]) for c in cl]
for c in multi:
    stories = {m["id"].split("/")[-1][:2] for m in c["members"]}
    assert len(stories) == 1 and len(c["members"]) == 4, c
assert len(cl) == 7
EOF
then ok; else bad "crafted: three stories of four, four alone"; fi
# the online clusters agree too: every story's members share one cluster
rp index query "$DB2" "$CRAFT" >"$IX/craft-q.json"
if python3 - "$IX/craft-q.json" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["id"].split("/")[-1][:2], set()).add(r["cluster"])
for k, v in by.items():
    if k.startswith("s"):
        assert len(v) == 1, (k, v)
clusters = [next(iter(v)) for k, v in by.items() if k.startswith("s")]
assert len(set(clusters)) == 3
EOF
then ok; else bad "crafted: online clusters"; fi

# ---------------------------------------------------------------- stdin feed
printf '{"id": "feed-1", "text": %s}\n' "$(python3 -c 'import json; print(json.dumps(open("corpus/001_092751d03b652b07.txt").read()))')" >"$IX/feed.jsonl"
printf '{"id": "feed-2", "title": "t", "text": %s}\n' "$(python3 -c 'import json; print(json.dumps(open("corpus/004_18e9ce7fe685923d.txt").read()))')" >>"$IX/feed.jsonl"
printf 'not json\n' >>"$IX/feed.jsonl"
printf '{"id": 3, "text": "\\u00e9t\\u00e9 words, and a few more \\ud83d\\ude00 words in a short note"}\n' >>"$IX/feed.jsonl"
DB3=$IX/feed.db
check "feed add --report" 1 -- rp index add --report "$DB3" - <"$IX/feed.jsonl"
json_ok "feed add --report" "$T/out"
has "feed: bad line named" "$T/err" "reprint: stdin:3: "
if python3 - "$T/out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == ["feed-1", "feed-2", "3"], rows
assert rows[0]["matches"] == []
assert rows[1]["cluster"] == rows[0]["cluster"]
assert [m["id"] for m in rows[1]["matches"]] == ["feed-1"]
assert rows[1]["matches"][0]["score"] > 0.8
assert rows[2]["cluster"] != rows[0]["cluster"]
EOF
then ok; else bad "feed add --report: lines"; fi
# the output comes line by line, as each record arrives
if python3 - "$BIN" "$DB3" "$IX/feed.jsonl" <<'EOF'
import subprocess, sys, json
binary, db, feed = sys.argv[1:]
lines = open(feed).read().splitlines()
p = subprocess.Popen([binary, "index", "add", "--report", db, "-"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
p.stdin.write(lines[0].replace("feed-1", "feed-1b") + "\n")
p.stdin.flush()
out = json.loads(p.stdout.readline())   # must come before stdin closes
assert out["id"] == "feed-1b" and [m["id"] for m in out["matches"]][:1] == ["feed-1"], out
p.stdin.close()
p.wait(timeout=60)
EOF
then ok; else bad "feed: one line per record, unbuffered"; fi
head -2 "$IX/feed.jsonl" >"$IX/feed.ok.jsonl"
check "feed query -" 0 -- rp index query "$DB3" - <"$IX/feed.ok.jsonl"
json_ok "feed query -" "$T/out"
check "'-' twice" 2 -- rp index query "$DB3" - - </dev/null

# ---------------------------------------------------------------- settings
check "other options refused" 2 -- rp index add -k 4 "$DB2" "$CRAFT"
has "other options refused" "$T/err" "reprint: $DB2: index built with --shingle 3, not 4"
check "other threshold refused" 2 -- rp index query -t 0.7 "$DB2" "$CRAFT"
has "other threshold refused" "$T/err" "index built with --threshold 0.5, not 0.7"
check "same options accepted" 0 -- rp index query -k 3 -t 0.5 "$DB2" "$CRAFT/z0_alone.txt"
DB4=$IX/wide.db
check "index with scan's LSH shape" 0 -- rp index add --lsh-threshold 0.1 --sample-bits 0 "$DB4" "$CRAFT"
check "stats wide" 0 -- rp index stats "$DB4"
bands=$(rp scan --stats "$CRAFT" 2>&1 >/dev/null | grep -o '[0-9]* bands x [0-9]* rows' | sed 's/ bands x /, rows /; s/ rows$//')
has "stats wide: scan's LSH shape" "$T/out" "bands $bands"
rp index export "$DB4" >"$IX/wide.json"
same_clusters "export = scan (117 x 2)" "$IX/wide.json" "$IX/craft-scan.json"
python3 - "$DB2" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update meta set value = 999 where key = 'normalizer'")
c.commit()
EOF
check "normalizer version checked" 2 -- rp index query "$DB2" "$CRAFT"
has "normalizer version checked" "$T/err" "index built with normalizer version 999, this reprint has 2"

# ---------------------------------------------------------------- bad databases
printf 'just some text\n' >"$IX/notdb"
check "not a database" 2 -- rp index stats "$IX/notdb"
has "not a database" "$T/err" "reprint: $IX/notdb: not a reprint index"
check "not a database: add" 2 -- rp index add "$IX/notdb" corpus/
has "add leaves it alone" "$IX/notdb" "just some text"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$IX/other.db"
check "another database" 2 -- rp index query "$IX/other.db" corpus/
has "another database" "$T/err" "not a reprint index"
check "missing index" 2 -- rp index stats "$IX/missing.db"
has "missing index" "$T/err" "reprint: $IX/missing.db: cannot open index: No such file or directory"
cp "$DB" "$IX/newer.db"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("pragma user_version = 9"); c.commit()' "$IX/newer.db"
check "newer format" 2 -- rp index stats "$IX/newer.db"
has "newer format" "$T/err" "index format version 9 is newer than this reprint reads (2)"
head -c 3000 "$DB" >"$IX/cut.db"
check "truncated index" 2 -- rp index stats "$IX/cut.db"
has "truncated index" "$T/err" "reprint: $IX/cut.db: "

# locked: another writer holds the lock longer than --busy-timeout; it
# holds it until the checks below are done (the file unlock), so that a
# slow run (valgrind on a loaded machine) still finds it held, and at
# most 120 s
python3 - "$DB" "$IX/locked" "$IX/unlock" <<'EOF' &
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin immediate")
open(sys.argv[2], "w").close()
for _ in range(2400):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
c.execute("rollback")
EOF
lockpid=$!
for _ in $(seq 1200); do [ -e "$IX/locked" ] && break; sleep 0.05; done   # the lock holder starts slowly on a loaded machine
check "locked index" 2 -- rp index add --busy-timeout 200 "$DB" "$IX/other.txt"
has "locked index" "$T/err" "reprint: $DB: index is locked by another process"
check "readers work while a writer holds the lock" 0 -- rp index query "$DB" corpus/000_fa3c2dd136cb4631.txt
check "stats while locked" 0 -- rp index stats "$DB"
: >"$IX/unlock"
wait $lockpid
check "nothing lost after the lock" 0 -- rp index stats "$DB"
has "nothing lost after the lock" "$T/out" "documents  4"

# read-only: as an unprivileged user (root writes anything)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    RO=$T/ro
    mkdir -p "$RO"
    cp "$DB" "$RO/ro.db"
    chmod 755 "$T" "$RO"
    chmod 644 "$RO/ro.db"
    check "read-only index" 2 -- setpriv --reuid=65534 --regid=65534 --clear-groups $WRAP "$BIN" index add "$RO/ro.db" "$IX/other.txt"
    has "read-only index" "$T/err" "cannot write the index: read-only"
    # a folder that cannot be written: readers still answer (no -shm can
    # be made there), and creating an index there says why it cannot
    chmod 555 "$RO"
    for c in stats export; do
        check "read-only folder: $c" 0 -- setpriv --reuid=65534 --regid=65534 --clear-groups $WRAP "$BIN" index $c "$RO/ro.db"
    done
    has "read-only folder: export" "$T/out" '"cluster": 1'
    check "read-only folder: query" 0 -- setpriv --reuid=65534 --regid=65534 --clear-groups $WRAP "$BIN" index query "$RO/ro.db" "$ROOT/corpus/000_fa3c2dd136cb4631.txt"
    has "read-only folder: query" "$T/out" '"matches": [{'
    check "create in a read-only folder" 2 -- setpriv --reuid=65534 --regid=65534 --clear-groups $WRAP "$BIN" index add "$RO/new.db" "$ROOT/corpus/000_fa3c2dd136cb4631.txt"
    has "create in a read-only folder" "$T/err" "reprint: $RO/new.db: cannot create the index: folder '$RO' cannot be written: Permission denied"
    chmod 755 "$RO"
    chmod 700 "$T"
fi
chmod 444 "$IX/craft.db"
if [ "$(id -u)" != 0 ]; then
    check "read-only index" 2 -- rp index add "$IX/craft.db" "$IX/other.txt"
    has "read-only index" "$T/err" "read-only"
fi
chmod 644 "$IX/craft.db"

# ---------------------------------------------------------------- big adds
python3 tools/bench/gen_feed.py 5000 --seed 3 --words 60 >"$IX/big.jsonl"

# a full disk: the batches before it stay, the message is clear
FULL=$T/full
mkdir -p "$FULL"
if mount -t tmpfs -o size=400k tmpfs "$FULL" 2>/dev/null; then
    check "full disk" 2 -- rp index add --batch 100 -v "$FULL/x.db" - <"$IX/big.jsonl"
    has "full disk" "$T/err" "reprint: $FULL/x.db: cannot write the index: disk is full"
    last=$(grep -o 'committed [0-9]*' "$T/err" | tail -1 | cut -d' ' -f2)
    check "full disk: index still opens" 0 -- rp index stats "$FULL/x.db"
    has "full disk: committed batches kept" "$T/out" "documents  ${last:-0}"
    rm -f "$FULL"/x.db*
    # add --report: a printed line means the document is committed
    check "full disk, --report" 2 -- rp index add --report "$FULL/x.db" - <"$IX/big.jsonl"
    has "full disk, --report" "$T/err" "disk is full"
    last=$(tail -1 "$T/out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
    n=$(wc -l <"$T/out")
    check "full disk, --report: index opens" 0 -- rp index export "$FULL/x.db"
    has "full disk, --report: last reported is committed" "$T/out" "\"$last\""
    check "full disk, --report: stats" 0 -- rp index stats "$FULL/x.db"
    has "full disk, --report: every reported is committed" "$T/out" "documents  $n"
    umount "$FULL"
else
    echo "note: full-disk case skipped (cannot mount a tmpfs)"
fi

# SIGKILL in the middle of an add: the index opens, passes
# integrity_check, and holds whole batches, at least those reported
DB5=$IX/kill.db
$WRAP "$BIN" index add --batch 50 -v "$DB5" - <"$IX/big.jsonl" >/dev/null 2>"$IX/kill.err" &
kpid=$!
for _ in $(seq 600); do
    [ "$(grep -c committed "$IX/kill.err")" -ge 3 ] && break
    kill -0 $kpid 2>/dev/null || break
    sleep 0.05
done
# readers work while the writer adds
check "query during add" 0 -- rp index query "$DB5" corpus/000_fa3c2dd136cb4631.txt
check "stats during add" 0 -- rp index stats "$DB5"
kill -9 $kpid 2>/dev/null
wait $kpid 2>/dev/null
last=$(grep -o 'committed [0-9]*' "$IX/kill.err" | tail -1 | cut -d' ' -f2)
if python3 - "$DB5" "${last:-0}" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("pragma integrity_check").fetchall() == [("ok",)]
n = c.execute("select count(*) from docs").fetchone()[0]
last = int(sys.argv[2])
assert n % 50 == 0 or n == 5000, n
assert last <= n <= last + 50, (n, last)
ids = [r[0] for r in c.execute("select id from docs order by rowid")]
assert ids == ["doc%08d" % i for i in range(n)], ids[:3]
# the band keys, from which the lookup is rebuilt at open, are in every row
k = c.execute("select count(*) from docs where length(keys) = 128").fetchone()[0]
assert k == n, (k, n)
EOF
then ok; else bad "SIGKILL: index holds exactly the committed batches"; fi
check "after SIGKILL: stats" 0 -- rp index stats "$DB5"
check "after SIGKILL: add resumes" 0 -- rp index add --batch 500 "$DB5" - <"$IX/big.jsonl"
check "after SIGKILL: all there" 0 -- rp index stats "$DB5"
has "after SIGKILL: all there" "$T/out" "documents  5000"

# two writers create the same new index at once: none is refused and no
# input is lost (10 rounds)
python3 tools/bench/gen_feed.py 200 >"$IX/A.jsonl"
python3 tools/bench/gen_feed.py 200 --seed 2 --start 1000 >"$IX/B.jsonl"
DB6=$IX/race.db
good=0 rounds=10
[ -n "$WRAP" ] && rounds=3   # valgrind: each round takes seconds
for _ in $(seq $rounds); do
    rm -f "$DB6" "$DB6-wal" "$DB6-shm"
    $WRAP "$BIN" index add "$DB6" - <"$IX/A.jsonl" 2>>"$IX/race.err" &
    $WRAP "$BIN" index add "$DB6" - <"$IX/B.jsonl" 2>>"$IX/race.err" &
    wait
    [ "$(sqlite3 "$DB6" 'select count(*) from docs' 2>/dev/null || echo 0)" = 400 ] && good=$((good + 1))
done
if [ "$good" = "$rounds" ]; then ok; else bad "concurrent create: 400 documents in $good of $rounds runs"; head -3 "$IX/race.err"; fi
# more writers and readers at once on a new index
rm -f "$DB6" "$DB6-wal" "$DB6-shm" "$IX/race.err"
head -50 "$IX/A.jsonl" >"$IX/A1.jsonl"; sed -n 51,100p "$IX/A.jsonl" >"$IX/A2.jsonl"
head -50 "$IX/B.jsonl" >"$IX/B1.jsonl"; sed -n 51,100p "$IX/B.jsonl" >"$IX/B2.jsonl"
for f in A1 A2 B1 B2; do
    $WRAP "$BIN" index add "$DB6" - <"$IX/$f.jsonl" 2>>"$IX/race.err" &
done
for _ in 1 2 3; do
    $WRAP "$BIN" index stats "$DB6" >/dev/null 2>>"$IX/race.rd" &
done
wait
check "four writers at once" 0 -- rp index stats "$DB6"
has "four writers at once" "$T/out" "documents  200"
if [ -s "$IX/race.err" ]; then bad "four writers at once: $(head -1 "$IX/race.err")"; else ok; fi
if grep -v -e "No such file" -e "not a reprint index (empty)" "$IX/race.rd" >/dev/null; then
    bad "readers during creation: $(head -1 "$IX/race.rd")"; else ok; fi

# --max-bytes takes the size suffixes that scan takes
check "index --max-bytes 1K" 1 -- rp index query --max-bytes 1K "$DB" "$ROOT/corpus/000_fa3c2dd136cb4631.txt"
has "index --max-bytes 1K" "$T/err" "file larger than --max-bytes"
check "index --max-bytes 64M" 0 -- rp index query --max-bytes 64M "$DB" "$ROOT/corpus/000_fa3c2dd136cb4631.txt"
