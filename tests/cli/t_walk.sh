# t_walk.sh - the folder walk: --include/--exclude, -L and folder loops,
# hidden entries, binary files and --quiet-skip.

WK=$T/walk
mkdir -p "$WK/a/deep" "$WK/b" "$WK/.dot"
cp corpus/000_fa3c2dd136cb4631.txt "$WK/a/000.txt"
cp corpus/001_092751d03b652b07.txt "$WK/a/deep/001.md"
cp corpus/003_48fa41108d4c0335.txt "$WK/b/003.txt"
cp corpus/004_18e9ce7fe685923d.txt "$WK/b/004.txt"
cp corpus/002_30e64a52b71f24ea.txt "$WK/.dot/002.txt"

# ---------------------------------------------------------------- order
check "walk order" 0 -- rp scan --json "$WK"
if python3 - "$T/out" "$WK" <<'EOF'
import json, sys
ids = [m["id"] for l in open(sys.argv[1]) for m in json.loads(l)["members"]]
w = sys.argv[2]
assert sorted(ids) == [w + "/a/000.txt", w + "/a/deep/001.md", w + "/b/003.txt", w + "/b/004.txt"], ids
EOF
then ok; else bad "walk reads every file once, hidden ones not"; cat "$T/out"; fi
check "--hidden" 0 -- rp scan --hidden "$WK"
has "--hidden reads dot-folders" "$T/out" "$WK/.dot/002.txt"

# ---------------------------------------------------------------- filters
check "--include base name" 0 -- rp scan --include '*.txt' "$WK"
hasnt "--include *.txt drops .md" "$T/out" "001.md"
has "--include *.txt keeps .txt" "$T/out" "$WK/b/004.txt"
check "--include repeated" 0 -- rp scan --include '*.md' --include '000*' "$WK"
has "--include repeated (1)" "$T/out" "001.md"
has "--include repeated (2)" "$T/out" "000.txt"
hasnt "--include repeated (3)" "$T/out" "003.txt"
check "--include relative path" 0 -- rp scan --include 'b/*' "$WK"
has "--include b/*" "$T/out" "$WK/b/003.txt"
hasnt "--include b/* (relative path, not base name)" "$T/out" "000.txt"
check "--include no match in subfolder" 0 -- rp scan --include 'a/*' --include 'b/*' "$WK"
hasnt "FNM_PATHNAME: a/* does not reach a/deep/" "$T/out" "001.md"
check "--exclude base name" 0 -- rp scan --exclude '00[34].txt' "$WK"
hasnt "--exclude" "$T/out" "003.txt"
has "--exclude keeps others" "$T/out" "000.txt"
check "--exclude folder" 0 -- rp scan --exclude deep "$WK"
hasnt "--exclude prunes a folder" "$T/out" "001.md"
check "--exclude relative path" 0 -- rp scan --exclude 'a/deep' "$WK/"
hasnt "--exclude a/deep" "$T/out" "001.md"
check "named files always read" 0 -- rp scan --include '*.none' "$WK/a/000.txt" "$WK/b/003.txt"
has "named files always read" "$T/out" "2 articles"

# ---------------------------------------------------------------- links
L=$T/links
mkdir -p "$L/top/sub"
cp corpus/000_fa3c2dd136cb4631.txt "$L/top/sub/000.txt"
cp corpus/004_18e9ce7fe685923d.txt "$L/004.txt"
ln -s ../.. "$L/top/sub/up"              # a loop back to $L
ln -s "$WK/b" "$L/top/linked"            # a link to a folder elsewhere
check "links to folders not followed" 0 -- rp scan "$L"
hasnt "no -L: link not followed" "$T/out" "linked"
hasnt "no -L: no loop met" "$T/err" "loop"
check "-L follows, reports the loop" 1 -- rp scan -L "$L"
has "-L follows links" "$T/out" "$L/top/linked/003.txt"
has "-L loop message" "$T/err" "reprint: $L/top/sub/up: skipped: folder loop"
if [ "$(grep -c loop "$T/err")" -eq 1 ]; then ok; else bad "one loop message"; cat "$T/err"; fi
check "--follow" 1 -- rp scan --follow "$L"
ln -s nowhere "$L/dangling"
check "broken link" 1 -- rp scan "$L"
has "broken link" "$T/err" "$L/dangling: broken symbolic link"
rm "$L/dangling"

# ---------------------------------------------------------------- binary
BN=$T/bin
mkdir -p "$BN"
cp corpus/000_fa3c2dd136cb4631.txt corpus/001_092751d03b652b07.txt "$BN/"
printf 'GIF89a\0\0\1\2' >"$BN/image.gif"
check "binary reported" 1 -- rp scan "$BN"
has "binary message" "$T/err" "reprint: $BN/image.gif: skipped: looks binary (NUL byte in the first 8 KiB)"
check "--quiet-skip" 0 -- rp scan --quiet-skip "$BN"
[ -s "$T/err" ] && bad "--quiet-skip: unexpected stderr" || ok
has "--quiet-skip still scans" "$T/out" "cluster 1: 2 articles"
printf '' >"$BN/empty.txt"
check "empty files are harmless: --quiet-skip exits 0" 0 -- rp scan --quiet-skip "$BN"
[ -s "$T/err" ] && bad "--quiet-skip: no summary line either" || ok
check "empty and binary" 1 -- rp scan "$BN"
has "empty summed up" "$T/err" "reprint: 1 empty file skipped"
has "binary still reported" "$T/err" "image.gif: skipped: looks binary"

# ---------------------------------------------------------------- swaps
# a folder swapped with a link to a folder outside the tree, over and over,
# while scans run: without -L the walk never enters the link (it opens
# each folder with O_NOFOLLOW from its parent and checks it is the one
# it looked at), so no file outside the tree is ever listed
SW=$T/swap
mkdir -p "$SW/tree/sub" "$SW/outside"
printf 'words inside the tree\n' >"$SW/tree/sub/inside.txt"
printf 'words of a secret outside the tree\n' >"$SW/outside/secret.txt"
ln -s "$SW/outside" "$SW/tree/link"
if [ -z "$WRAP" ] && python3 -c 'import ctypes; ctypes.CDLL(None).renameat2' 2>/dev/null; then
    python3 - "$SW/tree/sub" "$SW/tree/link" 3 <<'EOF' &
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b = sys.argv[1].encode(), sys.argv[2].encode()
end = time.time() + float(sys.argv[3])
while time.time() < end:
    for _ in range(500):
        if libc.renameat2(-100, a, -100, b, 2) != 0:   # RENAME_EXCHANGE
            sys.exit("renameat2 failed: errno %d" % ctypes.get_errno())
EOF
    swp=$!
    runs=0 leaks=0
    while kill -0 $swp 2>/dev/null; do
        runs=$((runs + 1))
        "$BIN" scan "$SW/tree" >"$T/out" 2>&1
        grep -q secret "$T/out" && leaks=$((leaks + 1))
    done
    wait $swp || bad "swap: the swapping helper failed"
    if [ "$leaks" = 0 ]; then ok; else bad "swap: a link was followed without -L in $leaks of $runs scans"; fi
else
    echo "note: folder-swap case skipped (under $WRAP, or no renameat2)"
fi
