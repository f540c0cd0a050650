# t_memory.sh - the memory bound of a scan (docs/limits.md): peak RSS
# stays under 48 MiB + 1 KiB a document + 8 x --max-bytes, however large
# and however many the files, because a batch of files holds at most
# --max-bytes of input, counted from the files' sizes before they are read.
#
# The case of the issue is 8 different 60 MB files at the default
# --max-bytes (64 MiB), at -j1, -j2 and -j8; it takes minutes, so by
# default the same case runs scaled down by 30 (8 files of 2 MB with
# --max-bytes 2M). REPRINT_MEMTEST_MB=60 runs it at full size. Skipped
# under $REPRINT_WRAP and sanitizers (they change the RSS) and without
# GNU time.

MEM=$T/memory
mb=${REPRINT_MEMTEST_MB:-2}
if [ -n "$WRAP" ]; then
    echo "note: memory bound skipped under $WRAP"
elif grep -qa -e __asan_init -e __ubsan_handle -e __tsan_init "$BIN"; then
    echo "note: memory bound skipped (sanitizer build)"
elif ! /usr/bin/time -f %M true >/dev/null 2>&1; then
    echo "note: memory bound skipped (no GNU time in /usr/bin/time)"
else
    mkdir -p "$MEM/in"
    # 8 files with no word in common (each its own letter before the word
    # numbers), so that no pair is verified: only reading and sketching
    python3 - "$MEM/base.txt" "$mb" <<'EOF'
import random, sys
r = random.Random(5)
words = ["w%d" % i for i in range(60000)]
lines = [" ".join(r.choice(words) for _ in range(12)) + ".\n" for _ in range(40000)]
size = int(sys.argv[2]) * 1000 * 1000
out, n = [], 0
while n < size:
    r.shuffle(lines)
    s = "".join(lines)
    out.append(s)
    n += len(s)
open(sys.argv[1], "w").write("".join(out)[:size])
EOF
    for l in a b c d e f g h; do tr w "$l" <"$MEM/base.txt" >"$MEM/in/$l.txt"; done
    rm -f "$MEM/base.txt"
    # files of mb million bytes fit --max-bytes of mb MiB (60: the default)
    mib=$mb
    [ "$mb" = 60 ] && mib=64
    maxb=${mib}M
    limit=$(( (48 + 8 * mib) * 1024 + 8 ))   # KiB: 48 MiB + 8 x --max-bytes + 8 documents
    for j in 1 2 8; do
        if /usr/bin/time -o "$MEM/rss" -f %M "$BIN" scan -j $j --max-bytes "$maxb" "$MEM/in" >"$T/out" 2>"$T/err"; then
            ok
        else
            bad "memory -j$j: scan failed"; head -3 "$T/err"
        fi
        has "memory -j$j: all read" "$T/out" "8 articles: 0 clusters"
        rss=$(tail -1 "$MEM/rss")
        [ -n "${REPRINT_MEMTEST_SHOW:-}" ] && echo "note: -j$j peak RSS $rss KiB, bound $limit KiB"
        if [ "$rss" -le "$limit" ]; then ok; else
            bad "memory -j$j: peak RSS $rss KiB over the bound $limit KiB (8 files of $mb MB, --max-bytes $maxb)"
        fi
    done
    rm -rf "$MEM"
fi
