# t_habits.sh - the command-line habits of issue 14: options after
# operands and `--` in every command, "did you mean", a JSON field error
# told once with a hint, --format json|jsonl|tsv|csv, --fields, --min-size,
# --sort, and diff -q and its word on a pair that shares nothing.

hb=$T/habits
mkdir -p "$hb"
A=corpus/001_092751d03b652b07.txt
B=corpus/004_18e9ce7fe685923d.txt

# ------------------------------------------------- options after operands, --
check "habits: scan PATH --json" 0 -- rp scan corpus/ --json
cp "$T/out" "$hb/after.json"
rp scan --json corpus/ >"$hb/before.json"
same "habits: scan PATH --json = scan --json PATH" "$hb/after.json" "$hb/before.json"
check "habits: scan PATH -t 0.9" 0 -- rp scan corpus/ -t 0.9 --json
if [ "$(jq -s 'map(select(.members | length > 1)) | length' "$T/out")" != \
     "$(jq -s 'map(select(.members | length > 1)) | length' "$hb/before.json")" ] ||
   ! cmp -s "$T/out" "$hb/before.json"; then ok; else bad "habits: -t after the path was ignored"; fi
check "habits: report PATH -o FILE" 0 -- rp report corpus/ -o "$hb/r.html"
check "habits: dedup PATH --print-drop" 0 -- rp dedup corpus/ --print-drop
has "habits: dedup PATH --print-drop" "$T/out" "corpus/004_18e9ce7fe685923d.txt"
check "habits: diff A B --json" 0 -- rp diff "$A" "$B" --json
has "habits: diff A B --json" "$T/out" '"jaccard"'
check "habits: index add DB PATH --report" 0 -- rp index add "$hb/i.db" corpus/ --report
has "habits: index add DB PATH --report" "$T/out" '"cluster"' 
# -- ends the options: a file named like an option
cp "$A" "$hb/--json"
check "habits: -- ends options" 0 -- rp scan --json -- "$hb/--json" "$B"
has "habits: a path after -- is a path" "$T/out" "$hb/--json"

# ------------------------------------------------------------ did you mean
check "habits: --jsno" 2 -- rp scan --jsno corpus/
has "habits: --jsno" "$T/err" "reprint: scan: unknown option '--jsno'; did you mean '--json'?"
check "habits: --treshold" 2 -- rp scan corpus/ --treshold 0.3
has "habits: --treshold" "$T/err" "did you mean '--threshold'?"
check "habits: ambiguous" 2 -- rp scan --th 0.3 corpus/
has "habits: ambiguous" "$T/err" "option '--th' is ambiguous: --threads, --threshold"
check "habits: missing argument" 2 -- rp scan corpus/ --threshold
has "habits: missing argument" "$T/err" "scan: option '--threshold' needs an argument"
check "habits: extra argument" 2 -- rp scan corpus/ --json=yes
has "habits: extra argument" "$T/err" "scan: option '--json' takes no argument"
check "habits: diff --brif" 2 -- rp diff --brif "$A" "$B"
has "habits: diff --brif" "$T/err" "did you mean '--brief'?"
check "habits: dedup --kep" 2 -- rp dedup --kep first corpus/
has "habits: dedup --kep" "$T/err" "did you mean '--keep'?"
check "habits: index add --reprot" 2 -- rp index add --reprot "$hb/i.db" corpus/
has "habits: index add --reprot" "$T/err" "did you mean '--report'?"
check "habits: sacn" 2 -- rp sacn corpus/
has "habits: sacn" "$T/err" "reprint: 'sacn' is not a command; did you mean 'scan'?"
check "habits: nothing near" 2 -- rp frobnicate
hasnt "habits: no wild guess" "$T/err" "did you mean"

# ------------------------------------------- a JSON field error, once
for i in 1 2 3 4 5; do
    printf '{"url": "u%d", "body": "some words here and there", "date": "2020"}\n' "$i"
done >"$hb/wrong.jsonl"
check "habits: wrong field" 1 -- rp scan - <"$hb/wrong.jsonl"
has "habits: the first bad line" "$T/err" 'reprint: stdin:1: missing "id" field (the line has "url", "body", "date"; use --id-field url)'
has "habits: then counted" "$T/err" 'reprint: stdin: 5 lines skipped in all: missing "id" field'
if [ "$(grep -c 'missing "id"' "$T/err")" -eq 2 ]; then ok; else bad "habits: the field error is repeated"; cat "$T/err"; fi
# each file's field errors are its own: told once, then its own total
mkdir -p "$hb/files"
for f in a b; do
    printf '{"id": "%s1", "text": "some words here and there"}\n{"id": "%s2"}\n{"id": "%s3"}\n' "$f" "$f" "$f" >"$hb/files/$f.jsonl"
done
check "habits: field errors of two files" 1 -- rp scan "$hb/files"
has "habits: the second file's first bad line" "$T/err" "reprint: $hb/files/b.jsonl:2: missing \"text\" field"
has "habits: the second file's own total" "$T/err" "reprint: $hb/files/b.jsonl: 2 lines skipped in all: missing \"text\" field"
hasnt "habits: no running total" "$T/err" "4 lines skipped"
check "habits: wrong text field" 1 -- rp scan --id-field url - <"$hb/wrong.jsonl"
has "habits: text hint" "$T/err" 'missing "text" field (the line has "url", "body", "date"; use --text-field body)'

# ---------------------------------------------------------------- --format
check "habits: --format jsonl" 0 -- rp scan --format jsonl corpus/
same "habits: --format jsonl is --json" "$T/out" "$hb/before.json"
check "habits: --format json" 0 -- rp scan --format json corpus/
if jq -e 'type == "array" and length == 2 and .[0].cluster == 1' "$T/out" >/dev/null; then ok; else bad "habits: --format json is one array"; fi
jq -c '.[]' "$T/out" >"$hb/array.jsonl"
jq -c . "$hb/before.json" >"$hb/before.c.jsonl"
same "habits: --format json holds the JSON Lines objects" "$hb/array.jsonl" "$hb/before.c.jsonl"
check "habits: --format csv" 0 -- rp scan --format csv corpus/
head -1 "$T/out" >"$hb/head"
echo "cluster,role,id,jaccard,containment,score,holds,with" >"$hb/head.want"
same "habits: csv header" "$hb/head" "$hb/head.want"
if [ "$(wc -l <"$T/out")" -eq 6 ]; then ok; else bad "habits: csv: a row per member"; fi
check "habits: --format tsv --pairs" 0 -- rp scan --pairs --format tsv corpus/
head -1 "$T/out" >"$hb/head"
printf 'a\tb\tscore\tjaccard\tcontainment_ab\tcontainment_ba\n' >"$hb/head.want"
same "habits: tsv pairs header" "$hb/head" "$hb/head.want"
rp scan --pairs corpus/ | wc -l >"$hb/npairs"
tail -n +2 "$T/out" | wc -l >"$hb/nrows"
same "habits: a row per pair" "$hb/nrows" "$hb/npairs"
check "habits: one table" 2 -- rp scan --json --pairs --format csv corpus/
has "habits: one table" "$T/err" "--json and --format exclude each other"
check "habits: bad format" 2 -- rp scan --format xml corpus/
has "habits: bad format" "$T/err" "--format: expected json, jsonl, tsv or csv, got 'xml'"

# CSV quoting (RFC 4180) and TSV escapes, with --fields
printf '%s\n' \
  '{"id": "a,\"1\"", "text": "one two three four five six seven eight nine ten eleven twelve", "title": "Hello, \"world\"\nline two", "n": 3, "tags": ["x", "y"]}' \
  '{"id": "b\tc", "text": "one two three four five six seven eight nine ten eleven twelve", "title": "tab\there"}' \
  >"$hb/quote.jsonl"
check "habits: csv quoting" 0 -- rp scan --format csv --fields title,n,tags,missing - <"$hb/quote.jsonl"
python3 - "$T/out" <<'PY' && ok || bad "habits: csv does not read back"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["cluster", "role", "id", "jaccard", "containment", "score", "holds", "with",
                   "title", "n", "tags", "missing"], rows[0]
byid = {r[2]: r for r in rows[1:]}
assert byid['a,"1"'][8] == 'Hello, "world"\nline two', byid
assert byid['a,"1"'][9] == "3" and byid['a,"1"'][10] == '["x", "y"]' and byid['a,"1"'][11] == ""
assert byid["b\tc"][8] == "tab\there"
PY
check "habits: tsv escapes" 0 -- rp scan --format tsv --fields title - <"$hb/quote.jsonl"
has "habits: tsv escapes tabs" "$T/out" 'b\tc'
has "habits: tsv escapes newlines" "$T/out" 'Hello, "world"\nline two'
if awk -F'\t' 'NF != 9 { exit 1 }' "$T/out"; then ok; else bad "habits: tsv: every row has 9 cells"; fi

# --fields in --json and --pairs: raw values, per member
check "habits: --fields json" 0 -- rp scan --json --fields title,n - <"$hb/quote.jsonl"
if jq -e '.members | map(.fields) | any(.title == "Hello, \"world\"\nline two" and .n == 3)' "$T/out" >/dev/null &&
   jq -e '.members | map(.fields) | any(.title == "tab\there" and .n == null)' "$T/out" >/dev/null; then ok; else bad "habits: --fields in --json"; cat "$T/out"; fi
check "habits: --fields pairs" 0 -- rp scan --pairs --fields n - <"$hb/quote.jsonl"
if jq -e '.a_fields.n == 3 and .b_fields.n == null' "$T/out" >/dev/null; then ok; else bad "habits: --fields in --pairs"; cat "$T/out"; fi
# a raw value passes as written: 1.50 stays 1.50, escapes stay escapes
printf '{"id": "x", "text": "one two three", "p": 1.50, "s": "caf\\u00e9"}\n' >"$hb/raw.jsonl"
check "habits: --fields raw" 0 -- rp scan --json --fields p,s - <"$hb/raw.jsonl"
has "habits: --fields as written" "$T/out" '"fields": {"p": 1.50, "s": "caf\u00e9"}'

# ------------------------------------------------------- --min-size, --sort
check "habits: --min-size 2 json" 0 -- rp scan --json --min-size 2 corpus/
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok; else bad "habits: --min-size 2 leaves out the singleton"; fi
check "habits: --min-size 2 human" 0 -- rp scan --min-size 2 corpus/
hasnt "habits: --min-size folds singletons" "$T/out" "with no reprint"
has "habits: --min-size counts them" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
check "habits: --min-size 5" 0 -- rp scan --min-size 5 corpus/
has "habits: --min-size hides small clusters" "$T/out" "1 cluster of reprints (0 shown: --min-size 5)"
check "habits: --min-size 0" 2 -- rp scan --min-size 0 corpus/
check "habits: --sort id" 0 -- rp scan --json --sort id corpus/
jq -r .representative "$T/out" >"$hb/ids"
LC_ALL=C sort "$hb/ids" >"$hb/ids.sorted"
same "habits: --sort id" "$hb/ids" "$hb/ids.sorted"
if jq -s -e '.[0].cluster == 1 and .[1].cluster == 2' "$T/out" >/dev/null; then ok; else bad "habits: clusters numbered in output order"; fi
mkdir -p "$hb/s"
cp corpus/002_30e64a52b71f24ea.txt "$hb/s/a.txt"
cp corpus/001_092751d03b652b07.txt "$hb/s/b.txt"
cp corpus/004_18e9ce7fe685923d.txt "$hb/s/c.txt"
check "habits: --sort size" 0 -- rp scan --json --sort size "$hb/s"
if jq -s -e 'map(.members | length) == [2, 1]' "$T/out" >/dev/null; then ok; else bad "habits: --sort size"; fi
check "habits: --sort input" 0 -- rp scan --json --sort input --min-size 1 "$hb/s"
check "habits: bad --sort" 2 -- rp scan --sort date corpus/

# ---------------------------------------------------------------- diff
check "habits: diff -q" 0 -- rp diff -q "$A" "$B"
printf 'near-duplicates: %s and %s (score 0.99, threshold 0.50)\n' "$A" "$B" >"$hb/q.want"
same "habits: diff -q prints the verdict only" "$T/out" "$hb/q.want"
check "habits: diff --brief, not similar" 1 -- rp diff --brief corpus/000_fa3c2dd136cb4631.txt corpus/002_30e64a52b71f24ea.txt
has "habits: diff --brief, not" "$T/out" "not near-duplicates: "
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok; else bad "habits: diff --brief is one line"; fi
printf 'Alpha beta gamma delta epsilon zeta eta theta iota kappa.\n' >"$hb/x1"
printf 'One two three four five six seven eight nine ten.\n' >"$hb/x2"
check "habits: diff, nothing shared" 1 -- rp diff "$hb/x1" "$hb/x2"
has "habits: diff says nothing is shared" "$T/out" "A and B share no passage of 5 words or more; the texts are not shown."
has "habits: diff still prints the figures" "$T/out" "verdict       not near-duplicates"
hasnt "habits: diff does not print the texts" "$T/out" "Alpha beta"
check "habits: diff -q --json" 2 -- rp diff -q --json "$A" "$B"

# report takes --keep (the same rule as scan and dedup), not the tables
check "habits: report --keep" 0 -- rp report --keep longest -o "$hb/k.html" corpus/
check "habits: report --format" 2 -- rp report --format csv -o "$hb/k.html" corpus/
has "habits: report --format is scan's" "$T/err" "report: --format is for 'reprint scan'"
check "habits: pairs csv with fields" 0 -- rp scan --pairs --format csv --fields n - <"$hb/quote.jsonl"
has "habits: pairs csv field columns" "$T/out" "a,b,score,jaccard,containment_ab,containment_ba,a_n,b_n"

# the fields named in the hint are escaped: a key cannot drive the terminal
printf '{"a\\u001b[31mb": 1, "body": "x y z"}\n' >"$hb/esc.jsonl"
check "habits: escaped key" 1 -- rp scan - <"$hb/esc.jsonl"
has "habits: key escaped in the hint" "$T/err" 'missing "id" field (the line has "a\x1b[31mb", "body")'
if grep -q $'\033' "$T/err"; then bad "habits: an escape byte reached stderr"; else ok; fi
check "habits: index ad" 2 -- rp index ad "$hb/i.db" corpus/
has "habits: index ad" "$T/err" "reprint: index: 'ad' is not a command; did you mean 'add'?"
