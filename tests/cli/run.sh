#!/usr/bin/env bash
# run.sh - end-to-end tests of the reprint command line.
#
# Runs the built binary ($REPRINT, default build/reprint) on corpus/ and on
# small files crafted in a temporary folder, and checks stdout, stderr and
# the exit code of each case. The cases live in t_*.sh beside this script,
# one file per area, run in name order; lib.sh holds the checks they share.
# Expected outputs worth reading live in expected/. $REPRINT_WRAP (e.g.
# valgrind) prefixes every run of the binary. Ends with the line
# "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/cli/lib.sh
for t in tests/cli/t_*.sh; do
    cd "$ROOT" || exit 2
    . "$t"
done
cd "$ROOT" || exit 2
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
