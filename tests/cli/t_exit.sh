# t_exit.sh - what the exit status means (issue 14): harmless skips (empty
# files, files with no words, a path given twice) are summed up in one
# line with exit 0; filters that match nothing and runs that read no
# document say so and exit 1; unreadable, binary and malformed inputs keep
# exit 1. Also --files-from (with --null and "-") and the progress line
# with a total and an ETA.

EX=$T/exit
mkdir -p "$EX/d" "$EX/none"
cp corpus/0*.txt "$EX/d/"
printf '' >"$EX/d/empty1.txt"
printf '' >"$EX/d/empty2.txt"
printf ' \n\t\n' >"$EX/d/blank.txt"

# ---------------------------------------------------------------- harmless: exit 0
check "empty files: exit 0" 0 -- rp scan "$EX/d"
has "one summary line" "$T/err" "reprint: 3 empty files skipped (-v names them)"
if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok; else bad "empty files: one line"; cat "$T/err"; fi
has "empty files: the rest scanned" "$T/out" "cluster 1: 4 articles"
check "folder given twice: exit 0" 0 -- rp scan "$EX/d" "$EX/d/" "$EX/d/empty1.txt"
has "twice: summed up" "$T/err" "reprint: 3 empty files skipped, 9 paths given more than once, read once"
has "twice: read once" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
check "-v names them" 0 -- rp scan -v "$EX/d" "$EX/d"
has "-v: empty" "$T/err" "reprint: $EX/d/empty1.txt: skipped: no words"
has "-v: twice" "$T/err" "reprint: $EX/d/000_fa3c2dd136cb4631.txt: given more than once, read once"
has "-v: summary without the hint" "$T/err" "reprint: 3 empty files skipped, 8 paths given more than once, read once"
check "--quiet-skip: no summary" 0 -- rp scan --quiet-skip "$EX/d" "$EX/d"
[ -s "$T/err" ] && bad "--quiet-skip: stderr not empty" || ok
check "--json keeps its shape" 0 -- rp scan --json "$EX/d"
json_ok "--json with empty files" "$T/out"

# ---------------------------------------------------------------- nothing read: exit 1
check "--include matching nothing" 1 -- rp scan --include '*.TXT' "$EX/d"
has "says which filter" "$T/err" "reprint: no files matched --include '*.TXT'"
has "0 articles" "$T/out" "0 articles"
check "two --include matching nothing" 1 -- rp scan --include '*.TXT' --include '*.md' "$EX/d"
has "says both" "$T/err" "reprint: no files matched --include '*.TXT' --include '*.md'"
check "--exclude leaving nothing" 1 -- rp scan --exclude '*.txt' "$EX/d"
has "--exclude says so" "$T/err" "reprint: no files left after --exclude '*.txt'"
check "--include matching in one folder" 0 -- rp scan --include '00*' "$EX/d" "$EX/none"
check "empty folder" 1 -- rp scan "$EX/none"
has "no documents" "$T/err" "reprint: no documents read"
check "only empty files" 1 -- rp scan "$EX/d/empty1.txt" "$EX/d/blank.txt"
has "only empty: summary" "$T/err" "reprint: 2 empty files skipped"
has "only empty: nothing read" "$T/err" "reprint: no documents read"

# ---------------------------------------------------------------- problems: exit 1
printf 'abc\0def' >"$EX/bin.dat"
check "binary: exit 1" 1 -- rp scan "$EX/d" "$EX/bin.dat"
has "binary named" "$T/err" "reprint: $EX/bin.dat: skipped: looks binary"
check "missing: exit 1" 1 -- rp scan "$EX/d" "$EX/nope.txt"
has "missing named" "$T/err" "reprint: $EX/nope.txt: cannot open"
printf '{"id": 1, "text": "fine words here"}\nnot json\n' >"$EX/bad.jsonl"
check "malformed: exit 1" 1 -- rp scan "$EX/bad.jsonl" "$EX/d"
has "malformed named" "$T/err" "reprint: $EX/bad.jsonl:2: invalid JSON"

# ---------------------------------------------------------------- --files-from
(cd "$EX" && printf 'd/000_fa3c2dd136cb4631.txt\n\nd/001_092751d03b652b07.txt\r\nd/004_18e9ce7fe685923d.txt\n' >list.txt)
check "--files-from" 0 -- bash -c 'cd "$1" && "$2" scan --files-from list.txt' _ "$EX" "$BIN"
has "--files-from: the paths listed" "$T/out" "cluster 1: 3 articles"
has "--files-from: ids as listed" "$T/out" "representative  d/001_092751d03b652b07.txt"
check "--files-from - with paths" 0 -- bash -c 'cd "$1" && "$2" scan --files-from - d/002_30e64a52b71f24ea.txt <list.txt' _ "$EX" "$BIN"
has "--files-from after the PATHs" "$T/out" "4 articles: 1 cluster of reprints, 1 alone"
find "$EX/d" -name '00*' -print0 >"$EX/list0"
check "--null" 0 -- rp scan --files-from "$EX/list0" --null
has "--null: all" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
check "--files-from folder" 0 -- bash -c 'echo "$1" | "$2" scan --files-from -' _ "$EX/d" "$BIN"
has "--files-from a folder" "$T/out" "5 articles"
check "--files-from and a PATH twice" 0 -- bash -c 'echo "$1" | "$2" scan --files-from - "$1"' _ "$EX/d" "$BIN"
has "--files-from: twice read once" "$T/err" "paths given more than once, read once"
check "--files-from missing" 2 -- rp scan --files-from "$EX/nolist"
has "--files-from missing: message" "$T/err" "reprint: $EX/nolist: cannot open: No such file or directory"
check "--files-from - and -" 2 -- rp scan --files-from - - <"$EX/list.txt"
has "--files-from - and -: message" "$T/err" "standard input given more than once"
printf '%s\n' "$EX/d/000_fa3c2dd136cb4631.txt" "$EX/gone.txt" >"$EX/list2"
check "--files-from: a missing path" 1 -- rp scan --files-from "$EX/list2"
has "missing listed path" "$T/err" "reprint: $EX/gone.txt: cannot open"
check "no PATH and no --files-from" 2 -- rp scan
has "no PATH" "$T/err" "no PATH given"

# ---------------------------------------------------------------- progress
# a total and an ETA when every input is a file (a timing test: not under
# $REPRINT_WRAP)
if [ -z "$WRAP" ]; then
    (printf '%s\n' "$EX/d"; sleep 1.5; printf '%s\n' "$EX/d/000_fa3c2dd136cb4631.txt" corpus) |
        rp scan --progress --files-from - >"$T/out" 2>"$T/err"
    has "progress: walking" "$T/err" "reprint: walking: "
    has "progress: a total" "$T/err" "/13 files, "
    has "progress: MB of the total" "$T/err" " MB, "
    has "progress: ETA" "$T/err" ", ETA "
    has "progress: results" "$T/out" "articles"
    (printf 'one two three\0'; sleep 1.5; printf 'four five six\0') |
        rp scan --progress --input nul - "$EX/d" >"$T/out" 2>"$T/err"
    hasnt "progress: no total with stdin" "$T/err" "ETA"
else
    echo "skip: progress timing cases (under $WRAP)"
fi
