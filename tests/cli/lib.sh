# lib.sh - shared setup and checks for the CLI tests; sourced by run.sh.
# Sets ROOT, BIN, WRAP, EXP and a scratch folder T, and defines rp (runs the
# binary under $REPRINT_WRAP), check, has, hasnt, same, same_clusters and
# json_ok.
ROOT=$PWD
BIN=${REPRINT:-build/reprint}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
WRAP=${REPRINT_WRAP:-}
EXP=$ROOT/tests/cli/expected
T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0

rp() { $WRAP "$BIN" "$@"; }

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# check NAME EXPECTED_CODE -- CMD...: runs CMD with stdout/stderr captured in
# $T/out and $T/err and checks its exit code.
check() {
    local name=$1 want=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$name: exit $got, expected $want"
        sed 's/^/    stderr: /' "$T/err" | head -5
        return 1
    fi
    ok
}
has() {  # has NAME FILE TEXT: FILE contains TEXT
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $(basename "$2")"; sed 's/^/    /' "$2" | head -5; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then bad "$1: '$3' unexpectedly in $(basename "$2")"; else ok; fi
}
same() {  # same NAME FILE EXPECTED_FILE
    if cmp -s "$2" "$3"; then ok; else bad "$1: output differs from $3"; diff "$3" "$2" | head -10; fi
}
# same_clusters NAME FILE EXPECTED: the same clusters, members and order
# as scan --json; only the numbers differ (the index numbers a cluster as
# add --report did, scan 1, 2, ...; t_index_more.sh checks the numbers);
# used by t_index.sh and t_index_skew.sh)
same_clusters() {
    sed -E 's/^\{"cluster": [0-9]+, /{/' "$2" >"$2.nonum"
    sed -E 's/^\{"cluster": [0-9]+, /{/' "$3" >"$3.nonum"
    same "$1" "$2.nonum" "$3.nonum"
}

json_ok() {  # every line of FILE is a JSON object
    if python3 -c '
import json, sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    o = json.loads(l)
    assert isinstance(o, dict), n
' "$2" 2>"$T/jerr"; then ok; else bad "$1: invalid JSON Lines"; head -3 "$T/jerr"; fi
}

