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
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/cli/lib.sh
if [ $# -gt 0 ]; then
    files=()
    for a in "$@"; do files+=("tests/cli/t_$a.sh"); done
else
    files=(tests/cli/t_*.sh)
fi
for t in "${files[@]}"; do
    [ -f "$t" ] || { echo "run.sh: $t: no such test file" >&2; exit 2; }
    cd "$ROOT" || exit 2
    . "$t"
done
cd "$ROOT" || exit 2
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
