#!/usr/bin/env bash
# eval.sh - `make eval`: run reprint with its default settings on the
# labelled sets in ../shared/eval and print the accuracy table. Also checks
# that the seeds in corpus/ group exactly as corpus/.expected says, and
# measures the recall LSH loses against exhaustive comparison.
# Exits 0 without scoring when ../shared/eval is missing.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${REPRINT:-build/reprint}
EVAL=${EVAL_DIR:-../shared/eval}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# seeds: exact grouping
"$BIN" scan --json corpus/ >"$T/seeds.json" || exit 2
python3 - "$T/seeds.json" corpus/.expected <<'PY' || exit 1
import json, os, sys
got = sorted(sorted(os.path.basename(m["id"]) for m in json.loads(l)["members"])
             for l in open(sys.argv[1]))
want = sorted(sorted(l.split()) for l in open(sys.argv[2])
              if l.strip() and not l.startswith("#"))
print("seeds (corpus/): grouping %s" % ("exact" if got == want else "WRONG: %s" % got))
sys.exit(0 if got == want else 1)
PY

if [ ! -d "$EVAL/reprints-dev" ] || [ ! -d "$EVAL/meter-dev" ]; then
    echo "eval: $EVAL not found; skipping the labelled sets (nothing scored)"
    exit 0
fi

echo "reprints-dev (default settings):"
"$BIN" scan --json --pairs "$EVAL/reprints-dev/docs" >"$T/r.json" 2>"$T/r.err"
python3 tools/score.py "$EVAL/reprints-dev" "$T/r.json" | sed 's/^/  /'
"$BIN" scan --pairs --exhaustive "$EVAL/reprints-dev/docs" >"$T/rx.json" 2>/dev/null
lsh=$(grep -c '"a"' "$T/r.json")
all=$(grep -c '"a"' "$T/rx.json")
echo "  LSH recall vs exhaustive comparison: $lsh of $all verified pairs found" \
     "($(python3 -c "print('%.2f%% lost' % (100.0 * ($all - $lsh) / max($all, 1)))"))"

# METER: decisions from the default run; the AUC ranks every pair by its
# score, so a second, exhaustive run lists all pairs that share any shingle
# (pairs under the default threshold rank but do not link).
thr=$("$BIN" scan --help | sed -n 's/.*--threshold X.*(default \([0-9.]*\)).*/\1/p')
echo "meter-dev (default settings, threshold $thr):"
"$BIN" scan --json "$EVAL/meter-dev/docs" >"$T/m.json" 2>/dev/null
"$BIN" scan --pairs --exhaustive --threshold 0 --min-shared 1 "$EVAL/meter-dev/docs" >>"$T/m.json" 2>/dev/null
python3 tools/score.py "$EVAL/meter-dev" "$T/m.json" --link-min="$thr" | sed 's/^/  /'
