#!/usr/bin/env bash
# index_bench.sh - throughput and latency of `reprint index` on a synthetic
# feed (tools/bench/gen_feed.py: made-up words, 10% reprints).
#
#   N=1000000 BATCHES=10 tools/bench/index_bench.sh      (default N=100000)
#
# Measures: `index add` of N documents from JSON Lines on stdin, in BATCHES
# runs of N/BATCHES documents into one index (default 1), so that opening
# an index that holds documents counts: for each run, documents per second
# (whole run: parsing, sketching, index), its wall and CPU seconds and peak
# memory, and the mean time a document spends in the index; the size on
# disk per document; the time to open the index and answer one query
# (opening, the band-key lookup, one query); and `index query` of Q=2000
# documents against the N (half copies of indexed articles under new ids,
# half unseen), the time each spends in the index (lookup, verification;
# not reading or sketching), p50 and p99. The feed is cached in $WORK
# (default build/bench), the index made in $DBDIR (default $WORK).
set -eu
cd "$(dirname "$0")/../.."
N=${N:-100000}
Q=${Q:-2000}
BATCHES=${BATCHES:-1}
BIN=${REPRINT:-build/reprint}
WORK=${WORK:-build/bench}
DBDIR=${DBDIR:-$WORK}
mkdir -p "$WORK" "$DBDIR"
FEED=$WORK/feed-$N.jsonl
QUERY=$WORK/query-$N-$Q.jsonl
DB=$DBDIR/index-$N.db
if [ ! -s "$FEED" ]; then
    echo "generating $N documents..." >&2
    python3 tools/bench/gen_feed.py "$N" --seed 1 >"$FEED.tmp" && mv "$FEED.tmp" "$FEED"
fi
if [ ! -s "$QUERY" ]; then
    python3 - "$FEED" "$Q" "$N" >"$QUERY.tmp" <<'PY'
import json, random, subprocess, sys
feed, q, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(2)
pick = set(rnd.sample(range(n), q // 2))
for i, line in enumerate(open(feed)):
    if i in pick:
        o = json.loads(line)
        o["id"] = "q-" + o["id"]
        print(json.dumps(o))
fresh = subprocess.run([sys.executable, "tools/bench/gen_feed.py", str(q - q // 2), "--seed", "99",
                        "--start", str(10**8)], capture_output=True, text=True, check=True).stdout
sys.stdout.write(fresh)
PY
    mv "$QUERY.tmp" "$QUERY"
fi
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-keys"
# timed LABEL CMD...: runs CMD (stdin as given), prints its wall and CPU
# seconds and peak memory after its own --stats lines
timed() {
    local label=$1 t
    shift
    t=$(mktemp)
    /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" 2>&1 >/dev/null | sed 's/^reprint: stats: /  /'
    read -r wall usr sys rss <"$t"
    rm -f "$t"
    awk -v l="$label" -v w="$wall" -v u="$usr" -v s="$sys" -v m="$rss" \
        'BEGIN { printf "  %s: wall %.2f s, CPU %.2f s (user %.2f, sys %.2f), peak RSS %.0f MiB\n", l, w, u + s, u, s, m / 1024 }'
}
per=$(( (N + BATCHES - 1) / BATCHES ))
echo "== index add: $N documents in $BATCHES run(s) of $per" >&2
for ((b = 0; b < BATCHES; b++)); do
    tail -n +$((b * per + 1)) "$FEED" | head -n "$per" >"$DBDIR/part.jsonl"
    timed "run $((b + 1))" "$BIN" index add --stats "$DB" - <"$DBDIR/part.jsonl"
done
rm -f "$DBDIR/part.jsonl"
"$BIN" index stats "$DB" | sed 's/^/  /'
echo "== open and query one document" >&2
head -1 "$QUERY" >"$DBDIR/one.jsonl"
timed "open + 1 query" "$BIN" index query --stats "$DB" - <"$DBDIR/one.jsonl"
rm -f "$DBDIR/one.jsonl"
echo "== index query: $Q documents against $N" >&2
timed "query run" "$BIN" index query --stats "$DB" - <"$QUERY"
"$BIN" index query "$DB" - <"$QUERY" >"$DBDIR/query.out"
hits=$(grep -vc '"matches": \[\]' "$DBDIR/query.out" || true)
echo "  $hits of $Q queries found a match"
