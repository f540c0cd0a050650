# t_dedup.sh - `reprint dedup`: the input minus its near-duplicates.
#
# The done-when case of issue 14: a crawl in JSON Lines with url/body/date
# fields goes through one dedup command and keeps the same records as the
# two-jq-pass recipe (ids to drop from `scan --json`, then the crawl
# filtered by them), records passed through byte for byte, in input order.
# Then --keep, --prefer, --print-drop, -0, --stats, files, NUL input, and
# the options dedup refuses. jq computes the expected sets.

if ! command -v jq >/dev/null; then
    echo "t_dedup: skipped: jq is not installed (apt-get install jq)"
    return 0 2>/dev/null || exit 0
fi
dd=$T/dedup
mkdir -p "$dd"
python3 - "$ROOT/corpus" "$dd" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(root) if n.endswith(".txt"))
texts = [open(os.path.join(root, n), encoding="utf-8").read() for n in names]
# two copies of the corpus under other urls and dates, and a lone story
dates = ["2020-06-26T10:00:00Z", "2020-06-26T07:30:00Z", "2020-06-25T12:00:00Z",
         "2020-06-26T08:00:00Z", "2020-06-27T00:00:00Z"]
recs = []
for i, t in enumerate(texts):
    recs.append({"url": "https://a.example/%d" % i, "body": t, "date": dates[i],
                 "source": "afp" if i % 2 else "wire", "tags": ["x", i]})
for i, t in enumerate(texts):
    recs.append({"url": "https://b.example/%d" % i, "body": t + "\n\nThe talks are to resume in Paris next month, aides to both leaders said on Friday.",
                 "date": "2020-06-2%dT06:00:00Z" % (8 - i), "source": "paper"})
recs.append({"url": "https://c.example/storm", "body": "A heavy storm left thousands of homes "
             "without power in the north of the country on Monday night, officials said.",
             "date": "2020-06-20T00:00:00Z"})
with open(os.path.join(out, "crawl.jsonl"), "w", encoding="utf-8") as f:
    for n, r in enumerate(recs):
        # keys in odd order, odd spacing, escapes: the lines must pass unchanged
        line = json.dumps(r, ensure_ascii=(n % 2 == 0))
        f.write(line.replace(', "source"', ',  "source"') + "\n")
PY
crawl=$dd/crawl.jsonl
opts=(--id-field url --text-field body)

# ---------------------------------------------------------- the done-when test
check "dedup: earliest" 0 -- rp dedup "${opts[@]}" --keep earliest --date-field date - <"$crawl"
cp "$T/out" "$dd/got.jsonl"
# the recipe: scan --json carries the dates (--fields); jq keeps the
# earliest member of each cluster (ties: the first in the crawl), and the
# crawl is filtered by the ids of the others
rp scan --json "${opts[@]}" --fields date - <"$crawl" >"$dd/clusters.jsonl"
jq -r --slurpfile crawl <(jq -s . "$crawl") '
    ($crawl[0] | to_entries | map({(.value.url): .key}) | add) as $pos
    | .members | sort_by(.fields.date, $pos[.id]) | .[1:][] | .id' \
    "$dd/clusters.jsonl" >"$dd/drop.txt"
jq -c -R --rawfile drop "$dd/drop.txt" \
    '($drop | split("\n") | map(select(. != ""))) as $d
     | . as $line | fromjson | select(.url as $u | $d | index($u) | not) | $line' \
    -r "$crawl" >"$dd/want.jsonl"
if [ -s "$dd/drop.txt" ]; then ok; else bad "dedup: the recipe drops nothing: the test is empty"; fi
same "dedup: the same survivors as the two-jq-pass recipe" "$dd/got.jsonl" "$dd/want.jsonl"
# byte for byte and in input order: the output is a subsequence of the crawl's lines
if python3 - "$crawl" "$dd/got.jsonl" <<'PY'
import sys
crawl = open(sys.argv[1], "rb").read().split(b"\n")
got = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
it = iter(crawl)
assert got and all(any(g == c for c in it) for g in got)
PY
then ok; else bad "dedup: kept records are not the crawl's lines in order"; fi
n_in=$(wc -l <"$crawl")
n_drop=$(wc -l <"$dd/drop.txt")
n_out=$(wc -l <"$dd/got.jsonl")
if [ $((n_in - n_drop)) -eq "$n_out" ]; then ok; else bad "dedup: $n_in in, $n_drop dropped, $n_out out"; fi

# --print-drop lists the recipe's ids, in input order
check "dedup: --print-drop" 0 -- rp dedup "${opts[@]}" --keep earliest --date-field date --print-drop - <"$crawl"
sort "$T/out" >"$dd/drop.got"
sort "$dd/drop.txt" >"$dd/drop.want"
same "dedup: --print-drop lists what the recipe drops" "$dd/drop.got" "$dd/drop.want"

# the gzip-compressed crawl: once reprint reads .gz JSON Lines (issue 14,
# the input side), the same command on crawl.jsonl.gz keeps the same lines
gzip -c "$crawl" >"$dd/crawl.jsonl.gz"
if rp scan --json "${opts[@]}" "$dd/crawl.jsonl.gz" 2>/dev/null | grep -q '"https://c.example/storm"'; then
    check "dedup: gz" 0 -- rp dedup "${opts[@]}" --keep earliest --date-field date "$dd/crawl.jsonl.gz"
    same "dedup: gz crawl, same survivors" "$T/out" "$dd/want.jsonl"
else
    echo "t_dedup: skipped the .jsonl.gz case: this build does not read gzip JSON Lines files"
fi

# ------------------------------------------------------------------ --keep
keep_of() {  # keep_of RULE...: the kept urls, one per line
    rp dedup "${opts[@]}" "$@" - <"$crawl" | jq -r .url
}
keep_of --keep first >"$dd/first"
keep_of >"$dd/rep"
keep_of --keep longest >"$dd/longest"
rp scan --json "${opts[@]}" - <"$crawl" | jq -r .representative >"$dd/rep.scan"
sort "$dd/rep" >"$dd/rep.s"; sort "$dd/rep.scan" >"$dd/rep.scan.s"
same "dedup: representative keeps scan's representatives" "$dd/rep.s" "$dd/rep.scan.s"
rp scan --json "${opts[@]}" - <"$crawl" | jq -r '[.members[].id] | sort_by(.) | .[0]' | sort >"$dd/first.want"
# input order: a.example/N before b.example/N, and the crawl is a then b
sort "$dd/first" >"$dd/first.s"
rp scan --json "${opts[@]}" - <"$crawl" | jq -r --slurpfile crawl <(jq -s . "$crawl") '
    ($crawl[0] | to_entries | map({(.value.url): .key}) | add) as $pos
    | .members | min_by($pos[.id]) | .id' | sort >"$dd/first.want"
same "dedup: --keep first keeps the first in input order" "$dd/first.s" "$dd/first.want"
if grep -q 'b.example' "$dd/longest"; then ok; else bad "dedup: --keep longest should keep the longer b.example copies"; fi
# --prefer: the preferred source wins whatever the rule
keep_of --prefer 'https://b.example/*' >"$dd/prefer"
if grep -q 'a.example' "$dd/prefer"; then bad "dedup: --prefer b.example kept an a.example record"; else ok; fi
keep_of --prefer 'https://b.example/*' --keep first >"$dd/prefer2"
if [ "$(grep -c b.example "$dd/prefer2")" -eq "$(grep -c . "$dd/prefer2")" ] || grep -q c.example "$dd/prefer2"; then ok; else bad "dedup: --prefer with --keep first"; fi
has "dedup: --prefer keeps the lone story" "$dd/prefer2" "https://c.example/storm"

# scan --keep names the same member representative, figures against it
rp scan --json "${opts[@]}" --keep earliest --date-field date - <"$crawl" | jq -r .representative | sort >"$dd/scan.earliest"
jq -r .url "$dd/got.jsonl" | sort >"$dd/dedup.earliest"
same "scan --keep earliest names dedup's survivors" "$dd/scan.earliest" "$dd/dedup.earliest"
rp scan --json "${opts[@]}" --keep longest - <"$crawl" >"$dd/longest.json"
if jq -e -s 'map(select(.members | length > 1)) | length > 0 and all(.members[0] | .jaccard == 1 and .containment == 1)' "$dd/longest.json" >/dev/null &&
   jq -e -s '[.[].representative] | any(test("b.example"))' "$dd/longest.json" >/dev/null; then
    ok; else bad "scan --keep longest: the new representative is first with figures 1"; fi

# dates as instants, not strings: +02:00 is earlier than a later Z time
printf '%s\n' \
  '{"id": "late", "text": "one two three four five six seven eight nine ten eleven twelve thirteen", "d": "2020-01-01T08:00:00Z"}' \
  '{"id": "early", "text": "one two three four five six seven eight nine ten eleven twelve thirteen", "d": "2020-01-01T09:00:00+02:00"}' \
  '{"id": "undated", "text": "one two three four five six seven eight nine ten eleven twelve thirteen"}' \
  >"$dd/tz.jsonl"
check "dedup: time zones" 0 -- rp dedup --keep earliest --date-field d - <"$dd/tz.jsonl"
has "dedup: 09:00+02:00 is before 08:00Z" "$T/out" '"early"'
has "dedup: undated articles are noted" "$T/err" "1 article in clusters has no date in field 'd'"
printf '%s\n' \
  '{"id": "s1", "text": "one two three four five six seven eight nine ten eleven twelve thirteen", "d": 1577872800}' \
  '{"id": "s2", "text": "one two three four five six seven eight nine ten eleven twelve thirteen", "d": 1577869200}' \
  >"$dd/epoch.jsonl"
check "dedup: epoch seconds" 0 -- rp dedup --keep earliest --date-field d - <"$dd/epoch.jsonl"
has "dedup: the smaller epoch is earlier" "$T/out" '"s2"'

# ------------------------------------------------------------------ files
mkdir -p "$dd/files/wire" "$dd/files/papers"
cp corpus/001_092751d03b652b07.txt "$dd/files/papers/a.txt"
cp corpus/004_18e9ce7fe685923d.txt "$dd/files/wire/b.txt"
cp corpus/002_30e64a52b71f24ea.txt "$dd/files/papers/c.txt"
check "dedup: files" 0 -- rp dedup "$dd/files"
printf '%s\n' "$dd/files/papers/a.txt" "$dd/files/papers/c.txt" >"$dd/files.want"
same "dedup: files: the kept paths" "$T/out" "$dd/files.want"
check "dedup: --prefer a folder" 0 -- rp dedup --prefer "$dd/files/wire" --print-drop "$dd/files"
printf '%s\n' "$dd/files/papers/a.txt" >"$dd/files.drop"
same "dedup: --print-drop under --prefer" "$T/out" "$dd/files.drop"
check "dedup: -0" 0 -- rp dedup --print-drop -0 "$dd/files"
printf '%s\0' "$dd/files/wire/b.txt" >"$dd/files.nul"
same "dedup: -0 ends paths with NUL" "$T/out" "$dd/files.nul"
touch -d '2020-01-01' "$dd/files/wire/b.txt"
touch -d '2021-01-01' "$dd/files/papers/a.txt"
check "dedup: earliest file" 0 -- rp dedup --keep earliest --print-drop "$dd/files"
same "dedup: files: earliest by modification time" "$T/out" "$dd/files.drop"

# NUL-separated texts come back with their NULs
for f in corpus/001_092751d03b652b07.txt corpus/004_18e9ce7fe685923d.txt corpus/002_30e64a52b71f24ea.txt; do
    cat "$f"; printf '\0'
done >"$dd/in.nul"
check "dedup: NUL input" 0 -- rp dedup --input nul - <"$dd/in.nul"
{ cat corpus/001_092751d03b652b07.txt; printf '\0'; cat corpus/002_30e64a52b71f24ea.txt; printf '\0'; } >"$dd/want.nul"
same "dedup: NUL input minus the duplicate" "$T/out" "$dd/want.nul"

# ------------------------------------------------------------------ --stats
check "dedup: --stats" 0 -- rp dedup "${opts[@]}" --stats - <"$crawl"
nk=$(jq -s length "$dd/clusters.jsonl")
has "dedup: --stats totals" "$T/err" "reprint: dedup: 11 documents, $nk kept, $((11 - nk)) dropped"
jq -s -r 'group_by(.members | length)[] | "\(.[0].members | length) \(length)"' "$dd/clusters.jsonl" |
while read -r size count; do
    printf 'reprint: dedup: %8d %9d %9d %9d\n' "$size" "$count" "$count" $((count * (size - 1)))
done >"$dd/stats.want"
grep -E '^reprint: dedup: +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' "$T/err" >"$dd/stats.got"
same "dedup: --stats by cluster size" "$dd/stats.got" "$dd/stats.want"
hasnt "dedup: --stats leaves stdout to the records" "$T/out" "dedup:"

# skipped records are not written and make exit 1
{ cat "$crawl"; echo '{"url": "https://d.example/x"}'; echo 'not json'; } >"$dd/bad.jsonl"
check "dedup: skipped records" 1 -- rp dedup "${opts[@]}" - <"$dd/bad.jsonl"
hasnt "dedup: a skipped record is not written" "$T/out" "d.example"
hasnt "dedup: a bad line is not written" "$T/out" "not json"

# ------------------------------------------------------------------ usage
check "dedup: --json refused" 2 -- rp dedup --json corpus
has "dedup: --json is scan's" "$T/err" "dedup: --json is for 'reprint scan'"
check "scan: --print-drop refused" 2 -- rp scan --print-drop corpus
has "scan: --print-drop is dedup's" "$T/err" "scan: --print-drop is for 'reprint dedup'"
check "dedup: --date-field alone" 2 -- rp dedup --date-field date corpus
has "dedup: --date-field needs earliest" "$T/err" "--date-field goes with --keep earliest"
check "dedup: bad --keep" 2 -- rp dedup --keep oldest corpus
has "dedup: bad --keep says which" "$T/err" "--keep: expected first, longest, earliest or representative, got 'oldest'"
check "dedup: --help" 0 -- rp dedup --help
has "dedup: --help" "$T/out" "usage: reprint dedup [options] PATH..."
