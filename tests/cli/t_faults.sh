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
