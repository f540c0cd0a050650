# t_index_more.sh - the index's conveniences: cluster numbers that agree
# between add --report, query and export; query --top; list and show;
# dates (--date, a file's modification time) and prune --before;
# --include/--exclude and --max-bytes with suffixes on add; the upgrade of
# a format 1 index; the inputs index add reads as scan does. Uses the
# crafted folder of t_index.sh (craft.sh), written here when t_index.sh
# ran in another shard.

IM=$T/index-more
mkdir -p "$IM"
CRAFT=$T/index/craft
. "$ROOT/tests/cli/craft.sh"

# ---------------------------------------------------------------- cluster numbers
# Added in an order where a story's first document is not the
# representative scan picks, so that add's numbers are not 1, 2, ...
DB=$IM/num.db
check "numbers: add --report" 0 -- rp index add --report "$DB" \
    "$CRAFT/z0_alone.txt" "$CRAFT/s0_b_cut.txt" "$CRAFT/z1_alone.txt" "$CRAFT/s0_a_original.txt" \
    "$CRAFT/s1_c_lead.txt" "$CRAFT/s0_d_edited.txt" "$CRAFT/s1_a_original.txt" "$CRAFT/s1_b_cut.txt" \
    "$CRAFT/s0_c_lead.txt" "$CRAFT/s1_d_edited.txt"
cp "$T/out" "$IM/report.json"
check "numbers: export" 0 -- rp index export "$DB"
cp "$T/out" "$IM/export.json"
check "numbers: query" 0 -- rp index query "$DB" "$CRAFT/s0_a_original.txt" "$CRAFT/s1_b_cut.txt" \
    "$CRAFT/z1_alone.txt"
cp "$T/out" "$IM/query.json"
if python3 - "$IM/report.json" "$IM/export.json" "$IM/query.json" <<'EOF'
import json, sys
rep = {o["id"]: o["cluster"] for o in map(json.loads, open(sys.argv[1]))}
exp = [json.loads(l) for l in open(sys.argv[2])]
qry = {o["id"]: o["cluster"] for o in map(json.loads, open(sys.argv[3]))}
assert sorted(set(rep.values())) != list(range(1, len(set(rep.values())) + 1)), "numbers are 1..n: weak test"
nums = [c["cluster"] for c in exp]
assert len(nums) == len(set(nums)), nums
seen = 0
for c in exp:
    for m in c["members"]:
        assert rep[m["id"]] == c["cluster"], (m["id"], rep[m["id"]], c["cluster"])
        seen += 1
assert seen == len(rep)
for i, n in qry.items():
    assert rep[i] == n, (i, rep[i], n)
multi = [c for c in exp if len(c["members"]) > 1]
assert len(multi) == 2, multi
EOF
then ok; else bad "cluster numbers differ between add --report, export and query"; fi

# ---------------------------------------------------------------- query --top
# a quarter of a story's lines, then an article of its own: below the
# threshold, but it shares band keys with the story
{ head -n 8 "$CRAFT/s1_a_original.txt"; tail -n +3 "$CRAFT/z2_alone.txt"; } >"$IM/partial.txt"
check "query without --top: no match" 0 -- rp index query "$DB" "$IM/partial.txt"
has "query without --top" "$T/out" '"matches": []}'
hasnt "query without --top: no similar field" "$T/out" '"similar"'
check "query --top 2: nearest below the threshold" 0 -- rp index query --top 2 "$DB" "$IM/partial.txt"
cp "$T/out" "$IM/top-alone.json"
check "query --top 3: a reprint first" 0 -- rp index query --top 3 "$DB" "$CRAFT/s0_a_original.txt"
cp "$T/out" "$IM/top-story.json"
if python3 - "$IM/top-alone.json" "$IM/top-story.json" <<'EOF'
import json, sys
a = json.loads(open(sys.argv[1]).read())
assert a["cluster"] is None, a
assert 1 <= len(a["matches"]) <= 2, a
assert all(m["similar"] is False and m["score"] < 0.5 for m in a["matches"]), a
assert all("/s1_" in m["id"] for m in a["matches"]), a
s = json.loads(open(sys.argv[2]).read())
ms = s["matches"]
assert len(ms) == 3, s
assert [m["score"] for m in ms] == sorted((m["score"] for m in ms), reverse=True), ms
assert ms[0]["similar"] is True and ms[0]["score"] >= 0.5, ms
assert all(m["similar"] == (m["score"] >= 0.5) for m in ms), ms
EOF
then ok; else bad "query --top"; sed 's/^/    /' "$IM/top-alone.json" "$IM/top-story.json" | head; fi
check "query --top 0" 2 -- rp index query --top 0 "$DB" "$CRAFT/z2_alone.txt"
check "add --top refused" 2 -- rp index add --top 3 "$DB" "$CRAFT/z2_alone.txt"
has "add --top refused" "$T/err" "option '--top' does not apply"

# ---------------------------------------------------------------- list and show
check "index list" 0 -- rp index list "$DB"
json_ok "index list" "$T/out"
[ "$(wc -l <"$T/out")" -eq 10 ] && ok || bad "index list: $(wc -l <"$T/out") lines, not 10"
head -1 "$T/out" >"$IM/first.json"
has "list: first added first" "$IM/first.json" "\"id\": \"$CRAFT/z0_alone.txt\""
has "list: title" "$IM/first.json" '"title": "Alone 0"'
check "index show" 0 -- rp index show "$DB" "$CRAFT/s0_a_original.txt"
json_ok "index show" "$T/out"
if python3 - "$T/out" "$IM/report.json" "$CRAFT/s0_a_original.txt" <<'EOF'
import json, sys
o = json.loads(open(sys.argv[1]).read())
rep = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
me = sys.argv[3]
assert o["id"] == me and o["cluster"] == rep[me]["cluster"], o
# its stored pairs: those it was matched with when added, and those added
# after it that matched it
want = {m["id"] for m in rep[me]["matches"]}
want |= {i for i, r in rep.items() if any(m["id"] == me for m in r["matches"])}
assert {m["id"] for m in o["matches"]} == want, (o["matches"], want)
assert all(0.5 <= m["score"] <= 1 for m in o["matches"]), o
EOF
then ok; else bad "index show: pairs"; fi
check "index show missing id" 1 -- rp index show "$DB" no-such-id
has "index show missing id" "$T/err" "no-such-id: no such document"
check "index list extra operand" 2 -- rp index list "$DB" extra
check "index show no id" 2 -- rp index show "$DB"

# ---------------------------------------------------------------- dates and prune
D=$IM/dated.db
check "add --date" 0 -- rp index add --date 2026-01-01 "$D" "$CRAFT/s0_a_original.txt" "$CRAFT/s1_a_original.txt"
check "add --date with time" 0 -- rp index add --date 2026-02-01T12:30:00Z "$D" "$CRAFT/s0_b_cut.txt"
mkdir -p "$IM/old"
cp "$CRAFT/z0_alone.txt" "$CRAFT/z1_alone.txt" "$IM/old/"
touch -d '2025-06-01 00:00:00 UTC' "$IM/old/z0_alone.txt" "$IM/old/z1_alone.txt"
check "add: a file's date is its mtime" 0 -- rp index add "$D" "$IM/old"
printf '{"id": "feed-1", "text": "%s"}\n' "$(tr '\n' ' ' <"$CRAFT/z2_alone.txt")" >"$IM/feed.jsonl"
check "add: stdin is dated when added" 0 -- rp index add "$D" - <"$IM/feed.jsonl"
check "list dates" 0 -- rp index list "$D"
cp "$T/out" "$IM/dates.json"
if python3 - "$IM/dates.json" <<'EOF'
import json, sys, time
d = {o["id"].rsplit("/", 1)[-1]: o for o in map(json.loads, open(sys.argv[1]))}
assert d["s0_a_original.txt"]["date"] == "2026-01-01T00:00:00Z", d
assert d["s0_b_cut.txt"]["date"] == "2026-02-01T12:30:00Z", d
assert d["z0_alone.txt"]["date"] == "2025-06-01T00:00:00Z", d
assert d["feed-1"]["date"] == d["feed-1"]["added"], d
assert d["feed-1"]["path"] is None, d
EOF
then ok; else bad "index dates"; sed 's/^/    /' "$IM/dates.json"; fi
check "prune --before" 0 -- rp index prune -v --before 2026-01-15 "$D"
has "prune --before: count" "$T/err" "4 documents removed"
check "list after prune" 0 -- rp index list "$D"
if grep -q -e s0_a_original -e z0_alone "$T/out"; then bad "prune left old documents"; else ok; fi
has "prune keeps newer" "$T/out" "s0_b_cut.txt"
has "prune keeps the feed" "$T/out" '"id": "feed-1"'
check "prune removed their pairs" 0 -- rp index show "$D" "$CRAFT/s0_b_cut.txt"
has "prune removed their pairs" "$T/out" '"matches": []'
check "prune @seconds" 0 -- rp index prune --before @1 "$D"
check "prune without --before" 2 -- rp index prune "$D"
has "prune without --before" "$T/err" "no --before DATE given"
check "prune bad date" 2 -- rp index prune --before 2026-13-01 "$D"
has "prune bad date" "$T/err" "invalid --before '2026-13-01'"
check "add bad --date" 2 -- rp index add --date yesterday "$D" "$CRAFT/z3_alone.txt"

# ---------------------------------------------------------------- add takes scan's input options
F=$IM/filters.db
check "add --include" 0 -- rp index add --include '*_alone.txt' "$F" "$CRAFT"
check "list after --include" 0 -- rp index list "$F"
[ "$(wc -l <"$T/out")" -eq 4 ] && ok || bad "add --include: $(wc -l <"$T/out") documents, not 4"
hasnt "add --include: only matching files" "$T/out" "original"
F2=$IM/filters2.db
check "add --exclude" 0 -- rp index add --exclude sub --exclude 'z*' "$F2" "$CRAFT"
check "list after --exclude" 0 -- rp index list "$F2"
[ "$(wc -l <"$T/out")" -eq 8 ] && ok || bad "add --exclude: $(wc -l <"$T/out") documents, not 8"
hasnt "add --exclude: folder" "$T/out" "/sub/"
check "add --max-bytes 10M" 0 -- rp index add --max-bytes 10M "$IM/maxb.db" "$CRAFT/z0_alone.txt"
check "add --max-bytes 1K skips" 1 -- rp index add --max-bytes 1K "$IM/maxb.db" "$CRAFT/s0_a_original.txt"
has "add --max-bytes 1K skips" "$T/err" "file larger than --max-bytes"

# ---------------------------------------------------------------- format 1
V1=$IM/v1.db
rp index add "$V1" "$CRAFT/s0_a_original.txt" "$CRAFT/s0_b_cut.txt" >/dev/null 2>&1
python3 - "$V1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
# format 1: no date, no containment values, the lookup in two tables
c.execute("alter table docs drop column date")
c.execute("alter table docs drop column skew")
c.execute("create table lsh(k integer primary key, docs blob not null)")
c.execute("create table lsh_new(k integer primary key, docs blob not null)")
c.execute("pragma user_version = 1")
c.commit()
EOF
check "format 1: list (read-only)" 0 -- rp index list "$V1"
has "format 1: dated when added" "$T/out" '"date": "'
check "format 1: add upgrades" 0 -- rp index add --date 2026-03-01 "$V1" "$CRAFT/s0_c_lead.txt"
check "format 1: upgraded" 0 -- rp index stats "$V1"
has "format 1: upgraded" "$T/out" "format 2"
has "format 1: kept its documents" "$T/out" "documents  3"
has "format 1: its pairs found after the upgrade" "$T/out" "pairs      3"
if python3 - "$V1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
t = {r[0] for r in c.execute("select name from sqlite_master where type = 'table'")}
assert "lsh" not in t and "lsh_new" not in t, t
EOF
then ok; else bad "format 1: lookup tables dropped on upgrade"; fi

# ---------------------------------------------------------------- inputs as scan reads them
# empty files, files with no words and a path given twice: one summary
# line, exit 0, as scan (issue 14); --files-from and --null as scan
HI=$IM/harmless
mkdir -p "$HI"
: >"$HI/empty.txt"
printf '  ... !!\n' >"$HI/nowords.txt"
cp "$CRAFT/z1_alone.txt" "$HI/a.txt"
check "add: harmless skips" 0 -- rp index add "$IM/harmless.db" "$HI/empty.txt" "$HI/nowords.txt" "$HI/a.txt" "$HI/a.txt"
has "add: harmless skips summed up" "$T/err" "reprint: 2 empty files skipped, 1 path given more than once, read once (-v names them)"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "add: harmless skips: one line, not $(wc -l <"$T/err")"
rp scan "$HI/empty.txt" "$HI/nowords.txt" "$HI/a.txt" "$HI/a.txt" >/dev/null 2>"$T/scan.err"
same "add: harmless skips as scan says them" "$T/err" "$T/scan.err"
check "add -v: harmless skips named" 0 -- rp index add -v "$IM/harmless.db" "$HI/empty.txt" "$HI/a.txt"
has "add -v: harmless skips named" "$T/err" "empty.txt: skipped: no words"
check "add --quiet-skip: no summary" 0 -- rp index add --quiet-skip "$IM/harmless.db" "$HI/empty.txt" "$HI/a.txt"
[ -s "$T/err" ] && bad "add --quiet-skip: $(cat "$T/err")" || ok
check "query: harmless skips" 0 -- rp index query "$IM/harmless.db" "$HI/empty.txt" "$HI/a.txt"
has "query: harmless skips summed up" "$T/err" "1 empty file skipped"
printf '%s\n' "$CRAFT/s0_a_original.txt" "$CRAFT/s0_b_cut.txt" >"$HI/list"
check "add --files-from" 0 -- rp index add --report "$IM/ff.db" --files-from "$HI/list"
[ "$(wc -l <"$T/out")" -eq 2 ] && ok || bad "add --files-from: $(wc -l <"$T/out") lines, not 2"
has "add --files-from: the listed files" "$T/out" "s0_b_cut.txt"
printf '%s\0%s\0' "$CRAFT/s0_c_lead.txt" "$HI/a.txt" >"$HI/list0"
check "add --files-from --null" 0 -- rp index add --null --files-from "$HI/list0" "$IM/ff.db"
check "list after --files-from --null" 0 -- rp index list "$IM/ff.db"
[ "$(wc -l <"$T/out")" -eq 4 ] && ok || bad "add --files-from --null: $(wc -l <"$T/out") documents, not 4"
has "add --files-from --null: the listed files" "$T/out" "s0_c_lead.txt"
check "add --files-from -: the list on stdin" 0 -- rp index add --files-from - "$IM/ff2.db" <"$HI/list"
mkdir -p "$HI/real" "$HI/tree"
cp "$CRAFT/z2_alone.txt" "$HI/real/linked.txt"
cp "$CRAFT/z3_alone.txt" "$HI/tree/own.txt"
ln -s "$HI/real" "$HI/tree/link"
check "add without -L: a linked folder is not followed" 0 -- rp index add --report "$IM/ff3.db" "$HI/tree"
hasnt "add without -L" "$T/out" "linked.txt"
check "add -L follows links" 0 -- rp index add -L --report "$IM/ff4.db" "$HI/tree"
has "add -L" "$T/out" "linked.txt"

# --date-field: each JSON Lines record's date, for prune --before
python3 - "$CRAFT" "$HI/dated.jsonl" <<'EOF'
import json, os, sys
craft, out = sys.argv[1:]
def text(name):
    return open(os.path.join(craft, name)).read()
rows = [{"url": "u1", "body": text("z0_alone.txt"), "published": "2020-01-02"},
        {"url": "u2", "body": text("z1_alone.txt"), "published": "2024-05-06T10:00:00Z"},
        {"url": "u3", "body": text("z2_alone.txt"), "published": 1600000000},
        {"url": "u4", "body": text("z3_alone.txt")}]
with open(out, "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
EOF
DF=$IM/date-field.db
check "add --date-field" 0 -- rp index add --id-field url --text-field body --date-field published --date 2025-01-01 "$DF" "$HI/dated.jsonl"
check "list after --date-field" 0 -- rp index list "$DF"
if python3 - "$T/out" <<'EOF'
import json, sys
d = {r["id"]: r["date"] for r in map(json.loads, open(sys.argv[1]))}
assert d == {"u1": "2020-01-02T00:00:00Z", "u2": "2024-05-06T10:00:00Z",
             "u3": "2020-09-13T12:26:40Z", "u4": "2025-01-01T00:00:00Z"}, d
EOF
then ok; else bad "add --date-field: the dates stored: $(cat "$T/out")"; fi
check "prune --before by --date-field" 0 -- rp index prune --before 2021-01-01 -v "$DF"
has "prune --before by --date-field" "$T/err" "2 documents removed"
check "list after prune" 0 -- rp index list "$DF"
hasnt "prune removed u1" "$T/out" '"u1"'
has "prune kept u2" "$T/out" '"u2"'
check "query refuses --date-field" 2 -- rp index query --date-field d "$DF" "$HI/dated.jsonl"
has "query refuses --date-field" "$T/err" "option '--date-field' does not apply"
