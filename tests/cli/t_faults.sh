# t_faults.sh - the bad-input matrix: broken encodings, files that cannot
# be read, paths that are not files, huge and many inputs. Each case checks
# the documented outcome and that the other inputs are still processed.
# The heavy cases (200 MB, 100,000 files) are skipped under $REPRINT_WRAP
# (valgrind), where they would take many minutes.

F=$T/faults
mkdir -p "$F"

# ------------------------------------------------------------ invalid UTF-8
# overlong encodings, UTF-16 surrogates, lone continuation bytes, a
# sequence cut off at the end of the file: read as U+FFFD, never fatal
cp corpus/000_fa3c2dd136cb4631.txt "$F/bad-utf8.txt"
printf 'overlong \xc0\xaf and \xe0\x80\xaf, surrogate \xed\xa0\x80, lone \x80\xbf, cut \xe2\x82' >>"$F/bad-utf8.txt"
cp corpus/001_092751d03b652b07.txt corpus/002_30e64a52b71f24ea.txt "$F/"
check "invalid utf-8 processed" 0 -- rp scan "$F"
has "invalid utf-8 still clusters" "$T/out" "cluster 1: 2 articles"
has "invalid utf-8 file named" "$T/out" "bad-utf8.txt"
[ -s "$T/err" ] && bad "invalid utf-8: unexpected message" || ok
rm -f "$F"/*

# --------------------------------------------- a file that cannot be read
# As root every file is readable, so the binary runs as nobody for this.
printf 'words of a private article that nobody may read\n' >"$F/locked.txt"
chmod 000 "$F/locked.txt"
cp corpus/000_fa3c2dd136cb4631.txt "$F/open.txt"
chmod 755 "$T" "$F"
if [ "$(id -u)" -ne 0 ]; then
    check "mode 000" 1 -- rp scan "$F"
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN"; then
    check "mode 000" 1 -- setpriv --reuid=65534 --regid=65534 --clear-groups $WRAP "$BIN" scan "$F"
else
    check "mode 000" 1 -- false
    echo "skip: mode-000 case (cannot drop root privileges here)"
fi
has "mode 000 message" "$T/err" "reprint: $F/locked.txt: cannot read: Permission denied"
has "mode 000: rest processed" "$T/out" "open.txt"
rm -f "$F/locked.txt" "$F/open.txt"

# ------------------------------------ paths that are not files: never block
if python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$F/sock" 2>/dev/null; then
    check "socket skipped" 1 -- timeout 20 $WRAP "$BIN" scan "$F/sock" corpus/
    has "socket message" "$T/err" "reprint: $F/sock: "
    has "socket message says why" "$T/err" "not a regular file"
    has "socket: rest processed" "$T/out" "cluster 1: 4 articles"
fi
check "device skipped" 1 -- timeout 20 $WRAP "$BIN" scan /dev/zero corpus/
has "device message" "$T/err" "reprint: /dev/zero: "
has "device: rest processed" "$T/out" "cluster 1: 4 articles"
rm -f "$F/sock"

# ------------------------------------------------------ larger than --max-bytes
# skipped from its size alone: the 100 MB file is never read, so the run
# stays far below 100 MB of memory
truncate -s 100M "$F/huge.txt"
cp corpus/000_fa3c2dd136cb4631.txt "$F/small.txt"
if [ -z "$WRAP" ] && [ -x /usr/bin/time ]; then
    check "over --max-bytes" 1 -- /usr/bin/time -f 'maxrss %M' "$BIN" scan --max-bytes 10M "$F"
    rss=$(sed -n 's/^maxrss //p' "$T/err")
    if [ -n "$rss" ] && [ "$rss" -lt 65536 ]; then ok; else bad "over --max-bytes: peak RSS ${rss:-?} KB, file was loaded"; fi
else
    check "over --max-bytes" 1 -- rp scan --max-bytes 10M "$F"
fi
has "over --max-bytes message" "$T/err" "reprint: $F/huge.txt: cannot read: file larger than --max-bytes"
has "over --max-bytes: rest processed" "$T/out" "small.txt"
check "default --max-bytes is 64 MiB" 1 -- rp scan "$F"
has "default --max-bytes" "$T/err" "huge.txt: cannot read: file larger than --max-bytes"
rm -f "$F/huge.txt" "$F/small.txt"

if [ -n "$WRAP" ]; then
    echo "skip: 200 MB line and 100,000-file folder under $WRAP"
    return 0 2>/dev/null || exit 0
fi

# ------------------------------------------------------- a 200 MB single line
python3 - "$F/line.txt" <<'EOF'
import sys
words = b" ".join(b"w%d" % (i % 5000) for i in range(5000)) + b" "
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < 200_000_000:
        f.write(words)
        n += len(words)
EOF
cp corpus/000_fa3c2dd136cb4631.txt corpus/001_092751d03b652b07.txt "$F/"
check "200 MB single line" 0 -- timeout 300 "$BIN" scan --max-bytes 300M "$F"
has "200 MB line processed" "$T/out" "line.txt"
has "200 MB: others clustered" "$T/out" "cluster 1: 2 articles"
rm -f "$F"/*

# --------------------------------------------------- 100,000 files in a folder
python3 - "$F/many" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d)
for i in range(100_000):
    with open(os.path.join(d, "%06d.txt" % i), "w") as f:
        # words of their own, so the walk and not verification is tested
        f.write(" ".join("w%x" % ((i * 2654435761 + j * 40503) % 4294967291) for j in range(8)) + "\n")
EOF
check "100,000 files" 0 -- timeout 600 "$BIN" scan --json "$F/many"
n=$(wc -l <"$T/out")
if [ "$n" -eq 100000 ]; then ok; else bad "100,000 files: $n clusters listed"; fi
head -1 "$T/out" | grep -q '"id": "'"$F"'/many/000000.txt"' && ok || bad "100,000 files: not in name order"
rm -rf "$F/many"

# ----------------------------------- index: the snapshot of the lookup
# The file beside an index (<index>-keys) is a cache of its band-key
# lookup, checked before it is trusted: with a stale, torn, damaged or
# foreign one, or one from before a removal, export and query give what
# they give with none (the lookup rebuilt from the docs table). An add
# killed at any point, during a checkpoint too, leaves whole batches.
X=$F/ix
mkdir -p "$X"
python3 tools/bench/gen_feed.py 5000 --seed 5 --words 60 >"$X/feed.jsonl"
head -4500 "$X/feed.jsonl" >"$X/a.jsonl"
tail -500 "$X/feed.jsonl" >"$X/b.jsonl"
python3 - "$X/feed.jsonl" >"$X/q.jsonl" <<'PY'
import json, sys
for i, line in enumerate(open(sys.argv[1])):
    if i % 25 == 0:
        o = json.loads(line)
        o["id"] = "q-" + o["id"]
        print(json.dumps(o))
PY
# snap_same NAME DB: export and query of DB as they are, and of a copy of
# DB without its snapshot, are the same
snap_same() {
    rm -f "$X/ref.db" "$X/ref.db-keys"
    cp "$2" "$X/ref.db"
    rp index export "$X/ref.db" >"$X/ref.exp" 2>/dev/null
    rp index query "$X/ref.db" - <"$X/q.jsonl" >"$X/ref.q" 2>/dev/null
    check "$1: export" 0 -- rp index export "$2" && same "$1: export" "$T/out" "$X/ref.exp"
    check "$1: query" 0 -- rp index query "$2" - <"$X/q.jsonl" && same "$1: query" "$T/out" "$X/ref.q"
}
check "snapshot: add" 0 -- rp index add --batch 500 "$X/i.db" - <"$X/a.jsonl"
[ -s "$X/i.db-keys" ] && ok || bad "snapshot: no i.db-keys after add"
snap_same "snapshot: valid" "$X/i.db"
cp "$X/i.db-keys" "$X/old-keys"
check "snapshot: add more" 0 -- rp index add --batch 100 "$X/i.db" - <"$X/b.jsonl"
cmp -s "$X/i.db-keys" "$X/old-keys" && bad "snapshot: not written again after 500 more" || ok
snap_same "snapshot: new" "$X/i.db"
cp "$X/old-keys" "$X/i.db-keys"
snap_same "snapshot: stale (rows since read from the table)" "$X/i.db"
half=$(($(stat -c %s "$X/old-keys") / 2))
cp "$X/old-keys" "$X/i.db-keys"
truncate -s "$half" "$X/i.db-keys"
snap_same "snapshot: torn" "$X/i.db"
cp "$X/old-keys" "$X/i.db-keys"
printf 'X' | dd of="$X/i.db-keys" bs=1 seek="$half" conv=notrunc 2>/dev/null
snap_same "snapshot: one byte changed" "$X/i.db"
rp index add --batch 500 "$X/other.db" - <"$X/b.jsonl" >/dev/null 2>&1
cp "$X/other.db-keys" "$X/i.db-keys"
snap_same "snapshot: of another index" "$X/i.db"
cmp -s "$X/other.db-keys" "$X/i.db-keys" && ok || bad "snapshot: a reader wrote the snapshot"
cp "$X/i.db" "$X/j.db"
rp index add "$X/j.db" - <"$X/q.jsonl" >/dev/null 2>&1
cp "$X/j.db-keys" "$X/keep-keys"
check "snapshot: rm" 0 -- rp index rm "$X/j.db" q-doc00000025
cp "$X/keep-keys" "$X/j.db-keys"
snap_same "snapshot: from before a removal" "$X/j.db"
printf 'garbage' >"$X/j.db-keys.tmp"
rm -f "$X/j.db-keys"
check "snapshot: left-over temporary file" 0 -- rp index add "$X/j.db" - <"$X/b.jsonl"
[ -s "$X/j.db-keys" ] && [ ! -e "$X/j.db-keys.tmp" ] && ok || bad "snapshot: not written over a left-over temporary file"
snap_same "snapshot: after a left-over temporary file" "$X/j.db"

# killed at several points of an add that checkpoints on the way (after
# 4,096 documents): whole batches, the same results as without the
# snapshot, and the add resumes to the index an add without a kill makes
rp index add --batch 50 "$X/whole.db" - <"$X/feed.jsonl" >/dev/null 2>&1
rp index export "$X/whole.db" >"$X/whole.exp"
for at in 0.3 1 2 4 8; do
    rm -f "$X"/k.db*
    $WRAP "$BIN" index add --batch 50 "$X/k.db" - <"$X/feed.jsonl" >/dev/null 2>&1 &
    kpid=$!
    # the times count from the making of the index (slow under a wrapper)
    for _ in $(seq 1200); do
        [ -s "$X/k.db" ] && break
        kill -0 $kpid 2>/dev/null || break
        sleep 0.05
    done
    sleep "$at"
    kill -9 $kpid 2>/dev/null
    wait $kpid 2>/dev/null
    if python3 - "$X/k.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("pragma integrity_check").fetchall() == [("ok",)]
n = c.execute("select count(*) from docs").fetchone()[0]
assert n % 50 == 0 or n == 5000, n
ids = [r[0] for r in c.execute("select id from docs order by rowid")]
assert ids == ["doc%08d" % i for i in range(n)], ids[:3]
PY
    then ok; else bad "snapshot: killed after ${at}s: batches not whole"; fi
    snap_same "snapshot: killed after ${at}s" "$X/k.db"
done
check "snapshot: add resumes" 0 -- rp index add --batch 50 "$X/k.db" - <"$X/feed.jsonl"
check "snapshot: resumed export" 0 -- rp index export "$X/k.db"
same "snapshot: resumed = not killed" "$T/out" "$X/whole.exp"
rm -rf "$X"
