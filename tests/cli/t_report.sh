# t_report.sh - report and diff --html: the page's structure and escaping
# checked on the file, then rendered by a real browser (Debian's chromium,
# headless; skipped with a message when it is missing): clusters and
# members drawn, shared passages marked, hostile names and texts shown as
# text, and the page complete with every network request sent to a dead
# proxy.

R=$T/report
mkdir -p "$R"
C001=corpus/001_092751d03b652b07.txt
C004=corpus/004_18e9ce7fe685923d.txt

# dom.py FILE CHECKS...: parses an HTML file (the page, or a DOM dumped by
# the browser) with the standard library and runs python CHECKS on it:
# E is the list of elements (tag, attrs dict, classes, text inside, path
# of ancestors), find(tag, cls=None, within=None) selects from it.
cat >"$T/dom.py" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
class El:
    def __init__(s, tag, attrs, parent):
        s.tag, s.attrs, s.parent, s.parts = tag, dict(attrs), parent, []
        s.cls = set((s.attrs.get("class") or "").split())
    @property
    def text(s):
        return "".join(p if isinstance(p, str) else p.text for p in s.parts)
    def inside(s, o):
        p = s.parent
        while p is not None and p is not o:
            p = p.parent
        return p is o
class P(HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True)
        s.root = El("#root", [], None); s.stack = [s.root]; s.all = []
    def handle_starttag(s, tag, attrs):
        e = El(tag, attrs, s.stack[-1]); s.stack[-1].parts.append(e); s.all.append(e)
        if tag not in VOID: s.stack.append(e)
    def handle_startendtag(s, tag, attrs):
        e = El(tag, attrs, s.stack[-1]); s.stack[-1].parts.append(e); s.all.append(e)
    def handle_endtag(s, tag):
        for i in range(len(s.stack) - 1, 0, -1):
            if s.stack[i].tag == tag:
                del s.stack[i:]; break
    def handle_data(s, d):
        s.stack[-1].parts.append(d)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); E = p.all
def find(tag=None, cls=None, within=None, id=None):
    return [e for e in E if (tag is None or e.tag == tag) and (cls is None or cls in e.cls)
            and (id is None or e.attrs.get("id") == id) and (within is None or e.inside(within))]
def one(**k):
    r = find(**k); assert len(r) == 1, (k, len(r)); return r[0]
def no_injected():
    # nothing from the hostile names and texts became an element
    assert not find("img"), "an img element"
    assert not any(k.startswith("on") for e in E for k in e.attrs), "an on* attribute"
    assert not any(e.tag == "script" and e.attrs.get("type") != "application/json" and "src" in e.attrs for e in E)
    js = [e for e in find("script") if e.attrs.get("type") != "application/json"]
    assert len(js) == 1, "%d scripts" % len(js)
exec(sys.argv[2])
PY
dom() {  # dom NAME FILE CHECKS
    if python3 "$T/dom.py" "$2" "$3" 2>"$T/domerr"; then ok; else bad "$1"; tail -4 "$T/domerr" | sed 's/^/    /'; fi
}

# ---------------------------------------------------------------- options
check "report --help" 0 -- rp report --help
has "report --help" "$T/out" "usage: reprint report [options] -o FILE PATH..."
has "report --help: scan's options" "$T/out" "--furniture-df N"
check "report: no -o" 2 -- rp report corpus/
has "report: no -o" "$T/err" "reprint: report: no output file given (-o FILE)"
check "report --json" 2 -- rp report --json -o "$R/x.html" corpus/
has "report --json" "$T/err" "reprint: report: --json is for 'reprint scan'"
check "report: no PATH" 2 -- rp report -o "$R/x.html"
check "scan -o" 2 -- rp scan -o "$R/x.html" corpus/
check "help lists report" 0 -- rp --help
has "help lists report" "$T/out" "report"
check "report: unwritable" 2 -- rp report -o "$R/no/such/dir/r.html" corpus/
has "report: unwritable" "$T/err" "reprint: $R/no/such/dir/r.html: cannot write: No such file or directory"
[ -e "$R/x.html" ] && bad "report: file written on a usage error" || ok

# ---------------------------------------------------------------- corpus
check "report corpus/" 0 -- rp report -o "$R/corpus.html" corpus/
[ -s "$T/out" ] && bad "report corpus/: stdout not empty" || ok
check "report -o -" 0 -- rp report -o - corpus/
cmp -s "$T/out" "$R/corpus.html" && ok || bad "report -o -: differs from the file"
F=$R/corpus.html
has "report: CSP" "$F" "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-"
hasnt "report: no external resource" "$F" " src="
hasnt "report: no link element" "$F" "<link"
dom "report corpus/: structure" "$F" '
secs = find("section", "cluster")
assert [s.attrs["id"] for s in secs] == ["cluster-1"], [s.attrs["id"] for s in secs]
assert one(tag="p", cls="summary", within=secs[0]).text == "Representative: corpus/001_092751d03b652b07.txt"
assert "002_30e64a52b71f24ea.txt" in one(tag="section", id="alone").text
import json
d = json.loads(one(tag="script", id="data-1").text)
ids = [x["id"] for x in d["docs"]]
assert ids == ["corpus/001_092751d03b652b07.txt", "corpus/000_fa3c2dd136cb4631.txt",
               "corpus/003_48fa41108d4c0335.txt", "corpus/004_18e9ce7fe685923d.txt"], ids
assert [x["fig"][0] for x in d["docs"][1:]] == [0.7736, 0.6117, 0.9872], d["docs"][1]["fig"]
c = d["cmp"][3]
assert c["similar"] == 1 and c["sim"][0] == 0.9872 and c["shared"] == 396, c["sim"]
assert [s[5] for s in c["spans"]] == [7, 100, 289]
t = d["docs"][0]["text"]
s = c["spans"][0]
assert t[s[0]:s[1]] == "Macron \u0027Confident\u0027 of Progress in Russia Ties", t[s[0]:s[1]]
assert c["map"][-1] == [5, 16, 24, 1], c["map"][-3:]
assert not [v for e in E for v in e.attrs.values() if v and "//" in v], "a URL in an attribute"
one(tag="svg")
'

# the same texts by standard input, as JSON Lines
python3 - corpus >"$R/corpus.jsonl" <<'PY'
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    print(json.dumps({"id": f[:3], "text": open(os.path.join(sys.argv[1], f), encoding="utf-8").read()}))
PY
check "report from stdin" 0 -- rp report -o "$R/stdin.html" - <"$R/corpus.jsonl"
dom "report from stdin" "$R/stdin.html" '
import json
d = json.loads(one(tag="script", id="data-1").text)
assert [x["id"] for x in d["docs"]] == ["001", "000", "003", "004"]
assert all(x["text"] for x in d["docs"])
'

check "report: nothing similar" 0 -- rp report -o "$R/none.html" corpus/002_30e64a52b71f24ea.txt "$C001"
has "report: nothing similar" "$R/none.html" "No article has a reprint among the others."
dom "report: nothing similar" "$R/none.html" 'assert not find("section", "cluster")'

# ---------------------------------------------------------------- hostile
H=$R/hostile
mkdir -p "$H"
EVIL='"><svg onload=alert(1)>.txt'
{
    cat "$C001"
    printf '\n\nA reader wrote </script><script>alert(2)</script> and <img src=x onerror=alert(3)> here.\n'
    printf 'Line and paragraph separators \xe2\x80\xa8 and \xe2\x80\xa9 and <!-- a comment --> end.\n'
} >"$H/$EVIL"
cp "$H/$EVIL" "$H/copy <b>bold.txt"
printf '\n\nAnother </script> close.\n' >>"$H/copy <b>bold.txt"
check "report: hostile names and texts" 0 -- rp report -o "$R/hostile.html" "$H"
hasnt "hostile: raw svg" "$R/hostile.html" "<svg onload"
hasnt "hostile: raw img" "$R/hostile.html" "<img"
hasnt "hostile: raw script" "$R/hostile.html" "<script>alert"
hasnt "hostile: raw b" "$R/hostile.html" "<b>bold"
has "hostile: escaped in JSON" "$R/hostile.html" '\u003c/script\u003e\u003cscript\u003ealert(2)\u003c/script\u003e'
has "hostile: U+2028 escaped" "$R/hostile.html" 'separators \u2028 and \u2029 and \u003c!-- a comment --\u003e end'
has "hostile: escaped in HTML" "$R/hostile.html" '/copy &lt;b&gt;bold.txt'
dom "hostile: file" "$R/hostile.html" '
no_injected()
assert not find("b") and not find("svg", within=one(tag="table", id="index"))
import json
d = json.loads(one(tag="script", id="data-1").text)
ids = sorted(x["id"] for x in d["docs"])
assert ids[0].endswith("/\"><svg onload=alert(1)>.txt") and ids[1].endswith("/copy <b>bold.txt"), ids
assert "</script><script>alert(2)</script>" in d["docs"][0]["text"]
assert "\u2028" in d["docs"][0]["text"] and "\u2029" in d["docs"][1]["text"]
'

# ---------------------------------------------------------------- diff --html
check "diff --html" 0 -- rp diff --html "$C001" "$C004"
cp "$T/out" "$R/diff.html"
dom "diff --html" "$R/diff.html" '
import json
assert len(find("section", "cluster")) == 1
d = json.loads(one(tag="script", id="data-1").text)
assert d["cmp"][1]["sim"][0] == 0.9872 and len(d["pairs"]) == 1
'
check "diff --html, hostile names" 0 -- rp diff --html "$H/$EVIL" "$H/copy <b>bold.txt"
has "diff --html, hostile name escaped" "$T/out" '&quot;&gt;&lt;svg onload=alert(1)&gt;.txt'
hasnt "diff --html, hostile name raw" "$T/out" '<svg onload'
# a moved paragraph
P1="The harbour council voted on Tuesday to rebuild the old stone pier before the winter storms arrive."
P2="Engineers said the work would take eleven weeks and close the ferry landing to visitors."
P3="Fishing crews asked the council to keep one berth open for boats landing their catch."
printf '%s\n\n%s\n\n%s\n' "$P1" "$P2" "$P3" >"$R/a.txt"
printf '%s\n\n%s\n\n%s\n' "$P3" "$P1" "$P2" >"$R/moved.txt"
check "diff --html, moved" 0 -- rp diff --html "$R/a.txt" "$R/moved.txt"
cp "$T/out" "$R/moved.html"
check "diff --html, not similar" 1 -- rp diff --html "$C001" corpus/002_30e64a52b71f24ea.txt
check "diff --json --html" 2 -- rp diff --json --html "$C001" "$C004"

# ---------------------------------------------------------------- browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "skip: report in a browser (no chromium; apt-get install chromium)"
else
    # a port nothing listens on: any request through the proxy fails
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    browse() {  # browse OUT URL [more flags]: the DOM after the scripts ran
        local out=$1 url=$2
        shift 2
        local prof
        prof=$(mktemp -d "$T/chrome.XXXXXX")
        timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
            --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
            --proxy-server="127.0.0.1:$PORT" --virtual-time-budget=5000 "$@" "$url" \
            >"$out" 2>"$T/chrome.err"
    }
    browse "$R/corpus.dom" "file://$R/corpus.html#cluster-1" --dump-dom
    dom "browser: corpus/ report" "$R/corpus.dom" '
sec = one(tag="section", id="cluster-1")
assert len(find("section", "cluster")) == 1
rows = find("tr", within=one(tag="table", cls="members", within=sec))[1:]
assert [r.parts[1].text for r in rows] == ["corpus/001_092751d03b652b07.txt", "corpus/000_fa3c2dd136cb4631.txt",
    "corpus/003_48fa41108d4c0335.txt", "corpus/004_18e9ce7fe685923d.txt"], [r.text for r in rows]
assert rows[0].parts[0].text == "R" and "representative" in rows[0].text
assert [[c.text for c in r.parts[2:]] for r in rows[1:]] == [
    ["0.77", "72%", "77%", "0.60"], ["0.61", "61%", "47%", "0.36"], ["0.99", "99%", "96%", "0.95"]], rows[1].text
cmps = find("details", "cmp", within=sec)
assert [c.attrs["id"] for c in cmps] == ["cluster-1-m1", "cluster-1-m2", "cluster-1-m3"], cmps
heads = [one(tag="h3", within=c).text for c in cmps]
for h, n in zip(heads, ["000_fa3c2dd136cb4631", "003_48fa41108d4c0335", "004_18e9ce7fe685923d"]):
    assert n in h, h
for c in cmps:
    sides = find("div", "side", within=c)
    assert len(sides) == 2
    assert "corpus/001_092751d03b652b07.txt" in one(tag="h4", within=sides[0]).text
    assert find("mark", "shared", within=sides[0]) and find("mark", "shared", within=sides[1])
m = [x.text for x in find("mark", "shared", within=cmps[2])]
assert "Macron \u0027Confident\u0027 of Progress in Russia Ties" in m, m[:3]
b = find("div", "side", within=cmps[2])[1]
assert len(find("p", "comments", within=b)) == 9 and len(find("p", "furniture", within=b)) == 1
links = [a.attrs["href"] for a in find("a", within=one(tag="ul", cls="map", within=cmps[2]))]
assert "#cluster-1-m3-a1" in links and "#cluster-1-m3-b17" in links, links[:4]
for h in links:
    one(id=h[1:])
assert one(tag="svg", within=sec) and len(find("line", "edge", within=sec)) == 6
no_injected()
'
    browse "$R/hostile.dom" "file://$R/hostile.html" --dump-dom
    dom "browser: hostile names and texts stay text" "$R/hostile.dom" '
no_injected()
assert not [e for e in find("b") if "bold" in e.text]
assert len(find("svg")) == 1, len(find("svg"))   # the size chart (no graph for a pair)
sides = find("div", "side")
txt = "".join(s.text for s in sides)
assert "</script><script>alert(2)</script>" in txt and "<img src=x onerror=alert(3)>" in txt
assert any("\"><svg onload=alert(1)>.txt" in h.text for h in find("h4"))
'
    browse "$R/diff.dom" "file://$R/diff.html" --dump-dom
    dom "browser: diff --html" "$R/diff.dom" '
c = one(tag="details", cls="cmp")
assert len(find("mark", "shared", within=c)) >= 6
assert "near-duplicates" in one(tag="p", cls="nums").text
'
    browse "$R/moved.dom" "file://$R/moved.html" --dump-dom
    dom "browser: moved passage marked" "$R/moved.dom" '
sides = find("div", "side")
assert [m.text for m in find("mark", "moved", within=sides[0])] == ["Fishing crews asked the council to keep one berth open for boats landing their catch"]
assert [m.text for m in find("mark", "moved", within=sides[1])] == ["Fishing crews asked the council to keep one berth open for boats landing their catch"]
assert len(find("mark", "shared", within=sides[0])) == 2
'
    # a search given in the address: by text, then by id
    browse "$R/search.dom" "file://$R/hostile.html#search=onerror%3Dalert" --dump-dom
    dom "browser: search by text" "$R/search.dom" '''assert "match" in one(tag="output", id="qinfo").text'''

    dom "browser: search by text" "$R/search.dom" 'assert "hidden" not in one(tag="section", cls="cluster").cls'
    browse "$R/search.dom" "file://$R/corpus.html#search=no%20such%20words%20anywhere" --dump-dom
    dom "browser: search, no match" "$R/search.dom" '
assert "hidden" in one(tag="section", cls="cluster").cls
assert one(tag="output", id="qinfo").text.startswith("0 clusters")
'
    browse "$R/search.dom" "file://$R/corpus.html#search=002_30e" --dump-dom
    dom "browser: search by id" "$R/search.dom" '
assert "hidden" in one(tag="section", cls="cluster").cls
assert one(tag="output", id="qinfo").text == "0 clusters and 1 article with no reprint match"
'
    browse "$R/shot.out" "file://$R/corpus.html" --screenshot="$R/shot.png" --window-size=1200,900
    if [ -s "$R/shot.png" ] && python3 -c 'import sys; sys.exit(open(sys.argv[1], "rb").read(8) != b"\x89PNG\r\n\x1a\n")' "$R/shot.png"; then ok; else bad "browser: no screenshot"; fi
fi
