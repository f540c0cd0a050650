#!/usr/bin/env bash
# index_bench.sh - throughput and latency of `reprint index` on a synthetic
# feed (tools/bench/gen_feed.py: made-up words, 10% reprints).
#
#   N=1000000 tools/bench/index_bench.sh      (default N=100000)
#
# Measures: `index add` of N documents from JSON Lines on stdin (documents
# per second, whole run: parsing, sketching, index); the size on disk per
# document; and `index query` of Q=2000 documents against the N (half
# copies of indexed articles under new ids, half unseen), the time each
# spends in the index (lookup, verification; not reading or sketching),
# p50 and p99. The feed is cached in $WORK (default build/bench).
set -eu
cd "$(dirname "$0")/../.."
N=${N:-100000}
Q=${Q:-2000}
BIN=${REPRINT:-build/reprint}
WORK=${WORK:-build/bench}
mkdir -p "$WORK"
FEED=$WORK/feed-$N.jsonl
QUERY=$WORK/query-$N-$Q.jsonl
DB=$WORK/index-$N.db
if [ ! -s "$FEED" ]; then
    echo "generating $N documents..." >&2
    python3 tools/bench/gen_feed.py "$N" --seed 1 >"$FEED.tmp" && mv "$FEED.tmp" "$FEED"
fi
if [ ! -s "$QUERY" ]; then
    python3 - "$FEED" "$Q" "$N" >"$QUERY" <<'PY'
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
fi
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== index add: $N documents" >&2
"$BIN" index add --stats "$DB" - <"$FEED" 2>&1 >/dev/null | sed 's/^reprint: stats: /  /'
"$BIN" index stats "$DB" | sed 's/^/  /'
echo "== index query: $Q documents against $N" >&2
"$BIN" index query --stats "$DB" - <"$QUERY" 2>&1 >"$WORK/query.out" | sed 's/^reprint: stats: /  /'
hits=$(grep -vc '"matches": \[\]' "$WORK/query.out" || true)
echo "  $hits of $Q queries found a match"
