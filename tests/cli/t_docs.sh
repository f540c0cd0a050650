# t_docs.sh - the documentation agrees with the program.
#
# 1. For each command, every long option its --help lists is an option the
#    manual (src/reprint.1) lists for it, and the other way round. An
#    option of the manual is a tag of a .TP paragraph in the command's .SS
#    section; an option of --help is one on an option line (indented less
#    than the descriptions). Where the manual says a command takes the
#    options of another ("every option of scan except ..."), the test
#    checks that sentence is there and applies it.
# 2. Every README example with shown output prints what the README shows:
#    a block between <!-- example: CMD --> and <!-- /example --> is the
#    whole standard output of CMD run from the top of the tree; a block
#    between <!-- example-session --> and <!-- /example-session --> is a
#    shell session whose "$ " lines are run, in a scratch folder holding
#    the feed.jsonl the README describes, with `reprint` the built binary.

docs_cmds=(scan diff report dedup "dist run" "index add" "index query" "index stats" "index rm" "index export"
           "index prune" "index list" "index show")

# docs_help_opts CMD...: the long options of `reprint CMD --help`, sorted
docs_help_opts() {
    rp "$@" --help 2>&1 | python3 -c '
import re, sys
opts = set()
for line in sys.stdin:
    m = re.match(r" {2,8}(?:-[A-Za-z0-9], )?(--\S.*)", line.rstrip("\n"))
    if m:
        spec = re.split(r"\s{2,}", m.group(1))[0]
        opts.update(re.findall(r"--[a-z][a-z0-9-]*", spec))
print("\n".join(sorted(opts)))'
}

# docs_man_opts CMD: the long options the manual lists for CMD, sorted
docs_man_opts() {
    python3 - "$ROOT/src/reprint.1" "$1" <<'PY'
import re, sys
man = open(sys.argv[1], encoding="utf-8").read().split("\n")
cmd = sys.argv[2]

def section(cmd):
    """The lines of the .SS section whose heading names CMD."""
    out, inside = [], False
    for line in man:
        if line.startswith((".SS", ".SH")):
            head = line[3:].strip().strip('"').replace("\\-", "-").split()
            words = head[1:1 + len(cmd.split())]
            inside = line.startswith(".SS") and head[:1] == ["reprint"] and \
                words == cmd.split()
            continue
        if inside:
            out.append(line)
    return out

def tags(lines):
    opts = set()
    for i, line in enumerate(lines[:-1]):
        if line == ".TP":
            opts.update(re.findall(r"--[a-z][a-z0-9-]*", lines[i + 1].replace("\\-", "-")))
    return opts

def text(lines):
    return re.sub(r"\s+", " ", " ".join(l for l in lines if not l.startswith(".\\\"")).replace("\\-", "-"))

# "takes the options of X except A and B" / "every option of X except A and B"
tables = {"--json", "--pairs", "--format", "--fields", "--min-size", "--sort"}
inherit = {"report": ("scan", "it takes every option of .B scan except .BR --json , .BR --pairs , "
                      ".BR --format , .BR --fields , .B --min-size and .BR --sort )", tables),
           "dedup": ("scan", "it takes every option of .B scan except .BR --json , .BR --pairs , "
                     ".BR --format , .BR --fields , .B --min-size and .BR --sort ),", tables),
           "index query": ("index add", "Takes the options of .B index add except .BR --report , .BR --batch , .B --date and .BR --date-field .",
                           {"--report", "--batch", "--date", "--date-field"})}
lines = section(cmd)
if not lines:
    sys.exit("no section for %s in the manual" % cmd)
opts = tags(lines)
if cmd in inherit:
    base, sentence, minus = inherit[cmd]
    if sentence not in text(lines):
        sys.exit("the manual's section of %s no longer says: %s" % (cmd, sentence))
    opts |= tags(section(base)) - minus
print("\n".join(sorted(opts)))
PY
}

for c in "${docs_cmds[@]}"; do
    # shellcheck disable=SC2086
    docs_help_opts $c >"$T/help.opts"
    if [ ! -s "$T/help.opts" ]; then bad "docs: $c --help lists no long option"; continue; fi
    if ! docs_man_opts "$c" >"$T/man.opts" 2>"$T/man.err"; then
        bad "docs: $(cat "$T/man.err")"; continue
    fi
    missing=$(LC_ALL=C comm -23 "$T/help.opts" "$T/man.opts" | tr '\n' ' ')
    extra=$(LC_ALL=C comm -13 "$T/help.opts" "$T/man.opts" | tr '\n' ' ')
    if [ -z "$missing" ]; then ok; else bad "docs: reprint $c --help has options the manual lacks: $missing"; fi
    if [ -z "$extra" ]; then ok; else bad "docs: the manual lists options reprint $c --help lacks: $extra"; fi
done

# the manual's heading of each command section names a tested command
while IFS= read -r head; do
    found=0
    for c in "${docs_cmds[@]}" "index command"; do
        case "$head" in "reprint $c "* | "reprint $c") found=1 ;; esac
    done
    if [ $found -eq 1 ]; then ok; else bad "docs: the manual section '$head' is not checked by t_docs.sh"; fi
done < <(sed -n 's/^\.SS "\(reprint [^"]*\)"$/\1/p' src/reprint.1 | sed 's/\\-/-/g')

# ---------------------------------------------------------------- README examples
python3 - README.md "$T/ex" <<'PY'
import os, re, sys
readme = open(sys.argv[1], encoding="utf-8").read()
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
for m in re.finditer(r"<!-- example: (.*?) -->\n```[a-z]*\n(.*?)```\n<!-- /example -->", readme, re.S):
    n += 1
    open(f"{out}/{n}.cmd", "w").write(m.group(1) + "\n")
    open(f"{out}/{n}.want", "w").write(m.group(2))
s = 0
for m in re.finditer(r"<!-- example-session -->\n```[a-z]*\n(.*?)```\n<!-- /example-session -->", readme, re.S):
    s += 1
    open(f"{out}/session{s}", "w").write(m.group(1))
open(f"{out}/count", "w").write(f"{n} {s}\n")
PY
read -r docs_n docs_s <"$T/ex/count"
if [ "$docs_n" -ge 1 ]; then ok; else bad "docs: README has no <!-- example: --> block"; fi
if [ "$docs_s" -ge 1 ]; then ok; else bad "docs: README has no <!-- example-session --> block"; fi
if grep -qx 'build/reprint scan corpus/' "$T/ex"/*.cmd 2>/dev/null; then ok; else bad "docs: the README's scan corpus/ output is not marked as an example"; fi

for ((i = 1; i <= docs_n; i++)); do
    cmd=$(cat "$T/ex/$i.cmd")
    case $cmd in
    build/reprint\ *) ;;
    *) bad "docs: README example '$cmd' does not run build/reprint"; continue ;;
    esac
    # shellcheck disable=SC2086
    rp ${cmd#build/reprint } >"$T/ex/$i.got" 2>"$T/ex/$i.err"
    same "docs: README example '$cmd'" "$T/ex/$i.got" "$T/ex/$i.want"
done

# the sessions: feed.jsonl is corpus/ as {"id": "wire-N", "text": ...}
mkdir -p "$T/sess/bin"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$WRAP" "$BIN" >"$T/sess/bin/reprint"
chmod +x "$T/sess/bin/reprint"
python3 - "$ROOT/corpus" "$T/sess/feed.jsonl" <<'PY'
import json, os, sys
names = sorted(n for n in os.listdir(sys.argv[1]) if n.endswith(".txt"))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for i, n in enumerate(names, 1):
        text = open(os.path.join(sys.argv[1], n), encoding="utf-8").read()
        f.write(json.dumps({"id": f"wire-{i}", "text": text}) + "\n")
PY
for ((i = 1; i <= docs_s; i++)); do
    rm -f "$T/sess/"*.db "$T/sess/"*.db-*
    : >"$T/sess/got"
    : >"$T/sess/want"
    while IFS= read -r line; do
        case $line in
        '$ '*)
            printf '%s\n' "$line" >>"$T/sess/got"
            (cd "$T/sess" && PATH="$T/sess/bin:$PATH" sh -c "${line#\$ }") >>"$T/sess/got" 2>"$T/sess/err"
            ;;
        esac
        printf '%s\n' "$line" >>"$T/sess/want"
    done <"$T/ex/session$i"
    same "docs: README session $i" "$T/sess/got" "$T/sess/want"
done
