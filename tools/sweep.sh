#!/usr/bin/env bash
# sweep.sh - the sweep behind the defaults: pair F1 / B-cubed F1 on
# ../shared/eval/reprints-dev for shingle size k x threshold t, with and
# without corpus-level furniture removal, from the same `scan --json
# --pairs` output that `make eval` scores. Prints a markdown table per
# furniture setting. Skips with a message when the eval set is missing.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${REPRINT:-build/reprint}
SET=${EVAL_DIR:-../shared/eval}/reprints-dev
KS=${SWEEP_K:-3 4 5 6}
TS=${SWEEP_T:-0.3 0.4 0.5 0.6}
if [ ! -d "$SET" ]; then
    echo "sweep: $SET not found; nothing to sweep"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for df in 5 0; do
    echo
    echo "furniture-df $df (pair F1 / B-cubed F1):"
    echo
    printf '| shingle k |'; for t in $TS; do printf ' t=%s |' "$t"; done; echo
    printf '|---|'; for t in $TS; do printf -- '---|'; done; echo
    for k in $KS; do
        printf '| %s |' "$k"
        for t in $TS; do
            "$BIN" scan --json --pairs -k "$k" -t "$t" --furniture-df "$df" "$SET/docs" >"$T/o.json" 2>/dev/null
            python3 tools/score.py "$SET" "$T/o.json" >"$T/s.txt"
            printf ' %s |' "$(sed -n 's/.*pair P [0-9.]*  R [0-9.]*  F1 \([0-9.]*\) | B-cubed P [0-9.]*  R [0-9.]*  F1 \([0-9.]*\).*/\1 \/ \2/p' "$T/s.txt" | head -1)"
        done
        echo
    done
done
