# t_formats.sh - file formats: HTML, markdown, Windows-1252, UTF-16 and
# UTF-8 with a byte order mark. Each crafted text is compared with a plain
# UTF-8 version of itself: --pairs must find them identical (jaccard 1).

F=$T/formats
mkdir -p "$F"

# pair_is NAME JACCARD: the only pair in $T/out has this jaccard
pair_is() {
    if python3 - "$T/out" "$2" <<'EOF'
import json, sys
ps = [json.loads(l) for l in open(sys.argv[1])]
assert len(ps) == 1 and abs(ps[0]["jaccard"] - float(sys.argv[2])) < 1e-9, ps
EOF
    then ok; else bad "$1"; cat "$T/out"; fi
}
PAIRS="--pairs --threshold 0 --min-shared 1 -k 1"

# ---------------------------------------------------------------- HTML
cat >"$F/page.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour title words</title>
<style>.lede { colour: navy }</style>
<script>var tracker = "scriptword"; document.write("inlinewriter");</script></head>
<body>
<nav><a href="/">Navhome</a> <a href="/world">Navworld</a></nav>
<header><div class="masthead">Mastheadword daily</div></header>
<article>
<h1>Tide   gauges
record a
   surprising rise</h1>
<p>Volunteers at the old harbour counted gulls &amp; terns on <b>Tuesday</b>
morning, and the <a href="https://example.org/linkpath">council</a> said the
numbers had doubled since spring.</p>
<p>A spokeswoman called it &ldquo;remarkable&rdquo;<br>and promised a
second survey in the autumn.</p>
<ul><li>gulls</li><li>terns</li></ul>
</article>
<aside>Sidebarword trending</aside>
<form><label>Formword</label><input name="q"></form>
<noscript>Noscriptword</noscript>
<footer>Footerword contact</footer>
<script>tracker.send("lastscript");</script>
</body></html>
EOF
cat >"$F/page.txt" <<'EOF'
Tide gauges record a surprising rise

Volunteers at the old harbour counted gulls & terns on Tuesday morning, and
the council said the numbers had doubled since spring.

A spokeswoman called it "remarkable"
and promised a second survey in the autumn.

gulls
terns
EOF
check "html" 0 -- rp scan $PAIRS --keep-boilerplate "$F/page.html" "$F/page.txt"
pair_is "html: text kept, script/nav/header/aside/form/footer dropped" 1
check "html words" 0 -- rp scan --json -k 1 --keep-boilerplate "$F/page.html"
for w in scriptword inlinewriter Navhome Mastheadword Sidebarword Formword Noscriptword Footerword lastscript linkpath title; do
    printf '%s\n' "$w" >"$F/word.txt"
    rp scan $PAIRS --keep-boilerplate "$F/page.html" "$F/word.txt" >"$T/out" 2>/dev/null
    [ -s "$T/out" ] && bad "html: '$w' should have been dropped" || ok
done

# an HTML copy of corpus/000 (markup, scripts, menus around its paragraphs)
# clusters with the other reprints
H=$T/html
mkdir -p "$H"
cp corpus/001_092751d03b652b07.txt corpus/002_30e64a52b71f24ea.txt corpus/003_48fa41108d4c0335.txt corpus/004_18e9ce7fe685923d.txt "$H/"
python3 - corpus/000_fa3c2dd136cb4631.txt "$H/000.htm" <<'EOF'
import html, sys
paras = [p for p in open(sys.argv[1]).read().split("\n\n") if p.strip()]
body = "".join("<p>%s</p>\n" % html.escape(p).replace("\n", " ") for p in paras)
page = ("<!DOCTYPE html><html><head><title>t</title><script>var s = 'share print';</script>"
        "</head><body><nav><ul><li><a href='/'>Home</a></li><li>World politics sport</li></ul></nav>"
        "<header>The Daily Example, news every day</header><article>" + body +
        "</article><aside>Most read: weather and football</aside>"
        "<footer>Copyright The Daily Example</footer></body></html>")
open(sys.argv[2], "w").write(page)
EOF
check "html copy clusters" 0 -- rp scan "$H"
has "html copy clusters" "$T/out" "cluster 1: 4 articles"
has "html copy is a member" "$T/out" "% contained  $H/000.htm"
rp scan --pairs "$H" | grep 000.htm >"$T/html.pairs"
rp scan --pairs corpus/ | grep 000_ | sed "s#corpus/000_fa3c2dd136cb4631.txt#$H/000.htm#; s#corpus/#$H/#g" >"$T/txt.pairs"
same "html copy scores like the text" "$T/html.pairs" "$T/txt.pairs"

# HTML on stdin is found by its first tag
python3 - "$F/page.html" >"$F/page.jsonl" <<'EOF'
import json, sys
print(json.dumps({"id": "html", "text": open(sys.argv[1]).read()}))
print(json.dumps({"id": "txt", "text": open(sys.argv[1].replace(".html", ".txt")).read()}))
EOF
check "html in jsonl" 0 -- rp scan $PAIRS --keep-boilerplate - <"$F/page.jsonl"
pair_is "html in jsonl is parsed" 1

# ---------------------------------------------------------------- markdown
cat >"$F/story.md" <<'EOF'
# Lanterns over the **river**

The _festival_ opened with [three hundred lanterns](https://example.org/mdtarget/page "mdtitle")
drifting past the *old mill*, organisers said.

![lantern boats](https://example.org/img/mdimage.jpg)

Visitors can read more at <https://example.org/mdautolink> or write to
mdmail@example.org before Sunday.
EOF
cat >"$F/story.txt" <<'EOF'
Lanterns over the river

The festival opened with three hundred lanterns
drifting past the old mill, organisers said.

lantern boats

Visitors can read more at or write to
before Sunday.
EOF
check "markdown" 0 -- rp scan $PAIRS "$F/story.md" "$F/story.txt"
pair_is "markdown: link targets, images, emphasis, autolinks, e-mail removed" 1

# ---------------------------------------------------------------- encodings
# the same crafted text in UTF-8 and in other encodings
printf 'The caf\xc3\xa9 owner said \xe2\x80\x9cwe\xe2\x80\x99re staying open\xe2\x80\x9d despite the storm, and the cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e sold out.\n' >"$F/utf8.txt"
# Windows-1252: e9 = é, 93/94 = curly double quotes, 92 = right single quote
printf 'The caf\xe9 owner said \x93we\x92re staying open\x94 despite the storm, and the cr\xe8me br\xfbl\xe9e sold out.\n' >"$F/cp1252.txt"
check "windows-1252" 0 -- rp scan -v $PAIRS "$F/cp1252.txt" "$F/utf8.txt"
pair_is "windows-1252 reads like UTF-8" 1
has "windows-1252 -v" "$T/err" "reprint: $F/cp1252.txt: converted from windows-1252"
printf '\xef\xbb\xbf' | cat - "$F/utf8.txt" >"$F/bom.txt"
check "utf-8 bom" 0 -- rp scan -v $PAIRS "$F/bom.txt" "$F/utf8.txt"
pair_is "utf-8 bom dropped" 1
python3 - "$F/utf8.txt" "$F" <<'EOF'
import sys
t = open(sys.argv[1], encoding="utf-8").read() + "A moon \U0001F315 rose.\n"
open(sys.argv[2] + "/utf16le.txt", "wb").write(b"\xff\xfe" + t.encode("utf-16-le"))
open(sys.argv[2] + "/utf16be.txt", "wb").write(b"\xfe\xff" + t.encode("utf-16-be"))
open(sys.argv[2] + "/utf8moon.txt", "w", encoding="utf-8").write(t)
EOF
check "utf-16le" 0 -- rp scan -v $PAIRS "$F/utf16le.txt" "$F/utf8moon.txt"
pair_is "utf-16le with bom" 1
has "utf-16le -v" "$T/err" "converted from utf-16le"
check "utf-16be" 0 -- rp scan $PAIRS "$F/utf16be.txt" "$F/utf8moon.txt"
pair_is "utf-16be with bom" 1
{ printf '<html><head><meta charset="windows-1252"></head><body><p>'; cat "$F/cp1252.txt"; printf '</p></body></html>'; } >"$F/cp1252.html"
check "windows-1252 html" 0 -- rp scan $PAIRS --keep-boilerplate "$F/cp1252.html" "$F/utf8.txt"
pair_is "windows-1252 html converted once" 1
