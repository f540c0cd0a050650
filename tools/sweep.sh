#!/usr/bin/env bash
# sweep.sh - the sweep behind the defaults, on both dev sets at once, with
# the pipeline as shipped (LSH and screen, no --exhaustive): for shingle
# size k x threshold t, reprints-dev pair F1 / B-cubed F1 and meter-dev
# story-cluster B-cubed F1 (precision), from the same `scan --json
# --pairs` output that `make eval` scores; then, per k, the METER AUCs
# (derived vs non, wholly vs non) of the ranking `--pairs --threshold 0.01
# --min-shared 1`. Prints markdown tables (docs/accuracy.md holds them).
# Skips with a message when the eval sets are missing.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${REPRINT:-build/reprint}
EVAL=${EVAL_DIR:-../shared/eval}
R=$EVAL/reprints-dev
M=$EVAL/meter-dev
KS=${SWEEP_K:-3 4 5}
TS=${SWEEP_T:-0.3 0.4 0.5 0.6}
if [ ! -d "$R" ] || [ ! -d "$M" ]; then
    echo "sweep: $EVAL not found; nothing to sweep"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
field() {  # field KEY FILE: a number from score.py --json
    python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[2]))[sys.argv[1]])' "$1" "$2"
}
echo "reprints-dev pair F1 / B-cubed F1; meter-dev story-cluster B-cubed F1 (P):"
echo
printf '| k |'; for t in $TS; do printf ' t=%s |' "$t"; done; echo
printf '|---|'; for t in $TS; do printf -- '---|'; done; echo
for k in $KS; do
    printf '| %s |' "$k"
    for t in $TS; do
        "$BIN" scan --json --pairs -k "$k" -t "$t" "$R/docs" >"$T/r.json" 2>/dev/null
        python3 tools/score.py "$R" "$T/r.json" --json >"$T/rs.json"
        "$BIN" scan --json -k "$k" -t "$t" "$M/docs" >"$T/m.json" 2>/dev/null
        python3 tools/score.py "$M" "$T/m.json" --json >"$T/ms.json"
        printf ' %s / %s; %s (%s) |' "$(field pair_f1 "$T/rs.json")" "$(field bcubed_f1 "$T/rs.json")" \
            "$(field story_f1 "$T/ms.json")" "$(field story_p "$T/ms.json")"
    done
    echo
done
echo
echo "meter-dev AUC of the shipped ranking, derived vs non / wholly vs non:"
echo
echo "| k | AUC |"
echo "|---|---|"
for k in $KS; do
    "$BIN" scan --pairs -k "$k" --threshold 0.01 --min-shared 1 "$M/docs" >"$T/a.json" 2>/dev/null
    python3 tools/score.py "$M" "$T/a.json" --json >"$T/as.json"
    echo "| $k | $(field auc_derived_vs_non "$T/as.json") / $(field auc_wholly_vs_non "$T/as.json") |"
done
