#!/usr/bin/env bash
# run.sh - end-to-end tests of the reprint command line.
#
# Runs the built binary ($REPRINT, default build/reprint) on corpus/ and on
# small files crafted in a temporary folder, and checks stdout, stderr and
# the exit code of each case. The cases live in t_*.sh beside this script,
# one file per area, run in name order; lib.sh holds the checks they share.
# Expected outputs worth reading live in expected/. $REPRINT_WRAP (e.g.
# valgrind) prefixes every run of the binary. Ends with the line
# "N passed, N failed". Arguments name the areas to run (e.g. `run.sh
# hostile memory` runs t_hostile.sh and t_memory.sh); none runs them all.
#
# $CLI_JOBS (default: the number of CPUs, at most 4) runs the test files in
# that many shards at once, largest files first, each shard in its own
# scratch folder; the shards' logs are printed in order, then the sum. This
# keeps `make valgrind` and the sanitizer run within CI's time.
set -u
cd "$(dirname "$0")/../.." || exit 2
if [ $# -gt 0 ]; then
    files=()
    for a in "$@"; do files+=("tests/cli/t_$a.sh"); done
else
    files=(tests/cli/t_*.sh)
fi
jobs=${CLI_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -gt "${#files[@]}" ] && jobs=${#files[@]}
if [ "$jobs" -gt 1 ]; then
    logs=$(mktemp -d)
    trap 'rm -rf "$logs"' EXIT
    # Longest-processing-time first: each group, biggest first, goes to the
    # shard with the fewest bytes so far.
    declare -a load names
    for ((j = 0; j < jobs; j++)); do load[j]=0; names[j]=""; done
    # Files that share a prefix (t_index.sh, t_index_more.sh) form one
    # group and run in one shard, in name order: later ones may reuse
    # what earlier ones built.
    while read -r size f; do
        best=0
        for ((j = 1; j < jobs; j++)); do
            [ "${load[j]}" -lt "${load[best]}" ] && best=$j
        done
        load[best]=$((load[best] + size))
        names[best]="${names[best]} $f"
    done < <(for f in "${files[@]}"; do
                 [ -f "$f" ] || { echo "run.sh: $f: no such test file" >&2; exit 2; }
                 a=${f#tests/cli/t_}; echo "${a%%[_.]*} $(wc -c <"$f") ${a%.sh}"
             done | awk '{ size[$1] += $2; m[$1] = m[$1] (m[$1] == "" ? "" : ",") $3 }
                         END { for (g in size) print size[g], m[g] }' | sort -rn)
    pids=()
    for ((j = 0; j < jobs; j++)); do
        if [ -z "${names[j]}" ]; then echo "cli: 0 passed, 0 failed" >"$logs/$j"; continue; fi
        # shellcheck disable=SC2086
        CLI_JOBS=1 bash "$0" ${names[j]//,/ } >"$logs/$j" 2>&1 &
        pids[j]=$!
    done
    for ((j = 0; j < jobs; j++)); do [ -n "${pids[j]:-}" ] && wait "${pids[j]}"; done
    tp=0 tf=0
    for ((j = 0; j < jobs; j++)); do
        grep -v '^cli: [0-9]* passed, [0-9]* failed$' "$logs/$j"
        line=$(grep '^cli: [0-9]* passed, [0-9]* failed$' "$logs/$j" | tail -1)
        if [ -z "$line" ]; then
            echo "FAIL: shard$j (${names[j]}) ended without a summary"; tf=$((tf + 1)); continue
        fi
        set -- $line
        tp=$((tp + $2)) tf=$((tf + $4))
    done
    echo "cli: $tp passed, $tf failed"
    [ "$tf" -eq 0 ]
    exit
fi
. tests/cli/lib.sh
for t in "${files[@]}"; do
    [ -f "$t" ] || { echo "run.sh: $t: no such test file" >&2; exit 2; }
    cd "$ROOT" || exit 2
    . "$t"
done
cd "$ROOT" || exit 2
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
