# t_archive.sh - compressed files and archives (issue 14): gzip, bzip2, xz
# and zstd files in folders, named and on stdin, told by their first bytes;
# tar and zip archives, one document per member (ARCHIVE:MEMBER); JSON
# Lines files read as records, compressed or not; --input for files; the
# --max-bytes bound on decompressed data. Nested: compressed members,
# archives in archives (OUTER:INNER:MEMBER, four levels at most), JSON
# Lines members read as records, decompression bombs stopped. The archives
# are built here with the system's tools.

AR=$T/archive
mkdir -p "$AR"
C0=corpus/000_fa3c2dd136cb4631.txt C1=corpus/001_092751d03b652b07.txt
C2=corpus/002_30e64a52b71f24ea.txt C3=corpus/003_48fa41108d4c0335.txt
C4=corpus/004_18e9ce7fe685923d.txt
tools_ok=1
for t in gzip bzip2 xz zstd tar zip; do
    command -v $t >/dev/null 2>&1 || { echo "skip: t_archive.sh needs $t (apt-get install $t)"; tools_ok=0; }
done
if [ "$tools_ok" = 1 ]; then

# ---------------------------------------------------------------- compressed files
Z=$AR/z
mkdir -p "$Z"
gzip -c "$C0" >"$Z/000.txt.gz"
bzip2 -c "$C1" >"$Z/001.txt.bz2"
xz -c "$C2" >"$Z/002.txt.xz"
zstd -q -c "$C3" >"$Z/003.txt.zst"
cp "$C4" "$Z/004.txt"
gzip -c "$C4" >"$Z/renamed.txt"            # gzip whatever the name says
check "compressed files in a folder" 0 -- rp scan "$Z"
hasnt "no 'looks binary'" "$T/err" "looks binary"
has "gzip" "$T/out" "$Z/000.txt.gz"
has "bzip2 is the representative" "$T/out" "representative  $Z/001.txt.bz2"
has "xz" "$T/out" "$Z/002.txt.xz"
has "zstd" "$T/out" "$Z/003.txt.zst"
has "by magic, not by name" "$T/out" "$Z/renamed.txt"
has "all read" "$T/out" "6 articles: 1 cluster of reprints"
check "compressed file named" 0 -- rp scan "$Z/001.txt.bz2" "$C4"
has "named .bz2" "$T/out" "cluster 1: 2 articles"
check "compressed text on stdin" 0 -- rp scan --json - "$C1" <"$Z/000.txt.gz"
has "stdin gz: id -" "$T/out" '"id": "-"'
check "the same as plain" 0 -- rp scan --json "$C0" "$C1"
sed "s|$C0|-|g" "$T/out" >"$T/plain.json"
rp scan --json - "$C1" <"$Z/000.txt.gz" >"$T/gz.json"
same "stdin gz clusters as plain" "$T/gz.json" "$T/plain.json"

# ---------------------------------------------------------------- JSON Lines files
python3 - "$AR/crawl.jsonl" corpus/0*.txt <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for p in sys.argv[2:]:
        f.write(json.dumps({"url": "https://news.example/" + p.split("/")[-1], "body": open(p).read()}) + "\n")
PY
gzip -c "$AR/crawl.jsonl" >"$AR/crawl.jsonl.gz"
zstd -q -c "$AR/crawl.jsonl" >"$AR/crawl.ndjson.zst"
check "jsonl file" 0 -- rp scan --id-field url --text-field body "$AR/crawl.jsonl"
has "jsonl file: records" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
has "jsonl file: ids" "$T/out" "representative  https://news.example/001_092751d03b652b07.txt"
check "jsonl.gz file" 0 -- rp scan --id-field url --text-field body "$AR/crawl.jsonl.gz"
has "jsonl.gz file" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
check "ndjson.zst file" 0 -- rp scan --id-field url --text-field body "$AR/crawl.ndjson.zst"
has "ndjson.zst file" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
check "jsonl.gz on stdin" 0 -- rp scan -v --id-field url --text-field body - <"$AR/crawl.jsonl.gz"
has "stdin gz: JSON Lines inside" "$T/out" "5 articles: 1 cluster of reprints, 1 alone"
has "stdin gz: detected" "$T/err" "reading JSON Lines (detected)"
hasnt "stdin gz: not NUL" "$T/err" "NUL-separated"
cp "$AR/crawl.jsonl" "$AR/crawl.data"
check "--input applies to files" 0 -- rp scan --input jsonl --id-field url --text-field body "$AR/crawl.data"
has "--input jsonl file" "$T/out" "5 articles"
check "--input text: one article" 0 -- rp scan --input text "$AR/crawl.jsonl"
has "--input text file" "$T/out" "1 article with no reprint"
echo '{"url": "x", "body": ' >"$AR/bad.jsonl"
check "bad line in a jsonl file" 1 -- rp scan --id-field url --text-field body "$AR/bad.jsonl" "$AR/crawl.jsonl"
has "file:line" "$T/err" "reprint: $AR/bad.jsonl:1: invalid JSON"
printf 'one two three\0four five six\0' | gzip -c >"$AR/texts.nul.gz"
check "--input nul file" 0 -- rp scan --json --input nul "$AR/texts.nul.gz"
has "nul file ids" "$T/out" "\"$AR/texts.nul.gz:2\""

# ---------------------------------------------------------------- archives
P=$AR/pack
mkdir -p "$P/news/wire" "$P/news/.git"
cp "$C0" "$C1" "$P/news/"
cp "$C3" "$C4" "$P/news/wire/"
printf 'secret' >"$P/news/.git/config"
printf '' >"$P/news/empty.txt"
(cd "$P" && tar cf "$AR/news.tar" news && tar czf "$AR/news.tgz" news && tar cJf "$AR/news.tar.xz" news \
    && zip -qr "$AR/news.zip" news && tar --zstd -cf "$AR/news.tar.zst" news)
for a in news.tar news.tgz news.tar.xz news.zip news.tar.zst; do
    check "archive $a" 0 -- rp scan "$AR/$a"
    has "$a: members" "$T/out" "cluster 1: 4 articles"
    has "$a: ARCHIVE:MEMBER" "$T/out" "representative  $AR/$a:news/001_092751d03b652b07.txt"
    has "$a: in a subfolder" "$T/out" "$AR/$a:news/wire/004_18e9ce7fe685923d.txt"
    hasnt "$a: hidden members" "$T/out" ".git"
    has "$a: empty member counted" "$T/err" "reprint: 1 empty document skipped"
done
# POSIX and GNU tar headers told by their checksums; text with "ustar "
# at byte 257 (Spanish "ajustar las") is text, not a tar that cannot be
# read (it was skipped as archives nested too deep)
(cd "$P" && tar --format=posix -cf "$AR/posix.tar" news && tar --format=gnu -cf "$AR/gnu.tar" news)
for a in posix.tar gnu.tar; do
    check "$a" 0 -- rp scan "$AR/$a"
    has "$a: members" "$T/out" "cluster 1: 4 articles"
done
# a header whose checksum sums its bytes as signed, as some old tars did
# (the member's name has bytes above 0x7F, so the two sums differ)
python3 - "$AR/signed.tar" "$C1" <<'PY'
import sys, tarfile
data = open(sys.argv[2], "rb").read()
ti = tarfile.TarInfo("caf\u00e9/001.txt")
ti.size = len(data)
h = bytearray(ti.tobuf(tarfile.USTAR_FORMAT, "utf-8", "strict"))
h[148:156] = b" " * 8
signed = sum(b - 256 if b > 127 else b for b in h)
assert signed != sum(h)
h[148:156] = b"%06o\0 " % signed
pad = b"\0" * (-len(data) % 512)
open(sys.argv[1], "wb").write(bytes(h) + data + pad + b"\0" * 1024)
PY
check "tar with a signed checksum" 0 -- rp scan "$AR/signed.tar"
has "signed checksum: its member" "$T/out" "$AR/signed.tar:caf"
{ printf 'Conmemora el pueblo 216 a\303\261os de independencia con una misa. '
  printf 'La primera misa de la ma\303\261ana fue larga y el coro cant\303\263 dos himnos. '
  printf 'El gobierno anunci\303\263 que la fiesta seguir\303\241 hasta el domingo y que '
  printf 'los precios se quedar\303\241n donde est\303\241n. La comisi\303\263n queda ajustar'
  printf ' las cuentas del a\303\261o y publicar el informe antes del fin de mes. '
  printf 'Los vecinos llegaron temprano a la plaza, con banderas y flores, y la banda '
  printf 'toc\303\263 el himno nacional mientras los ni\303\261os de las escuelas desfilaban '
  printf 'frente al palacio municipal bajo un sol fuerte que no dej\303\263 de brillar.\n'; } >"$AR/ustar.txt"
if [ "$(dd if="$AR/ustar.txt" bs=1 skip=257 count=5 2>/dev/null)" = ustar ]; then ok; else bad "ustar.txt: 'ustar' at byte 257"; fi
check "text with ustar at 257" 0 -- rp scan "$AR/ustar.txt"
has "ustar text read as text" "$T/out" "1 article: 0 clusters of reprints, 1 alone"
check "archive on stdin" 0 -- rp scan - <"$AR/news.tgz"
has "stdin archive ids" "$T/out" "representative  -:news/001_092751d03b652b07.txt"
check "archive --include" 0 -- rp scan --include 'news/wire/*' "$AR/news.zip"
has "--include in archives" "$T/out" "cluster 1: 2 articles"
hasnt "--include in archives (2)" "$T/out" "news/000"
check "archive --hidden" 0 -- rp scan --hidden "$AR/news.tar"
has "--hidden members" "$T/out" "news/.git/config"
check "archive in a folder" 0 -- rp scan "$P" "$AR/news.zip"
has "folder and archive" "$T/out" "8 articles: 2 clusters of reprints"

# ---------------------------------------------------------------- nested
# members that are compressed, archives in archives: OUTER:INNER:MEMBER
N=$AR/nest
mkdir -p "$N/in/wire"
cp "$C0" "$N/in/000.txt"
gzip -c "$C1" >"$N/in/001.txt.gz"
xz -c "$C4" >"$N/in/wire/004.txt.xz"
printf 'secret' >"$N/in/.hidden.txt"
(cd "$N/in" && tar czf ../inner.tar.gz 000.txt 001.txt.gz wire .hidden.txt)
gzip -c "$AR/crawl.jsonl" >"$N/crawl.jsonl.gz"
(cd "$N" && zip -q outer.zip inner.tar.gz && tar cf mixed.tar crawl.jsonl.gz outer.zip)
check "archive in an archive" 0 -- rp scan "$N/outer.zip"
has "nested: members" "$T/out" "cluster 1: 3 articles"
has "nested: OUTER:INNER:MEMBER" "$T/out" "$N/outer.zip:inner.tar.gz:000.txt"
has "nested: a compressed member keeps its name" "$T/out" "representative  $N/outer.zip:inner.tar.gz:001.txt.gz"
has "nested: in a folder inside" "$T/out" "$N/outer.zip:inner.tar.gz:wire/004.txt.xz"
hasnt "nested: hidden members" "$T/out" ".hidden"
check "nested --hidden" 0 -- rp scan --hidden "$N/outer.zip"
has "nested --hidden" "$T/out" "$N/outer.zip:inner.tar.gz:.hidden.txt"
check "nested --include: the member's name" 0 -- rp scan --include '*.xz' --include '0*.txt' "$N/outer.zip"
has "nested --include" "$T/out" "cluster 1: 2 articles"
hasnt "nested --include (2)" "$T/out" "001.txt.gz"
check "a JSON Lines member, and a zip, in a tar" 0 -- rp scan --id-field url --text-field body "$N/mixed.tar"
has "jsonl member: records" "$T/out" "8 articles: 1 cluster of reprints"
has "jsonl member: ids from the records" "$T/out" "https://news.example/002_30e64a52b71f24ea.txt"
has "jsonl member: beside the zip's" "$T/out" "$N/mixed.tar:outer.zip:inner.tar.gz:000.txt"
check "nested on stdin" 0 -- rp scan --json --id-field url --text-field body - <"$N/mixed.tar"
has "nested on stdin: ids" "$T/out" '"-:outer.zip:inner.tar.gz:wire/004.txt.xz"'
has "nested on stdin: records" "$T/out" '"https://news.example/003_48fa41108d4c0335.txt"'
printf '{"url": "x", "body": \n' >"$N/bad.jsonl"
(cd "$N" && tar cf badline.tar bad.jsonl)
check "a bad line in a jsonl member" 1 -- rp scan --id-field url --text-field body "$N/badline.tar"
has "member:line" "$T/err" "reprint: $N/badline.tar:bad.jsonl:1: invalid JSON"
check "--input text: members are texts" 0 -- rp scan --input text "$N/mixed.tar"
has "--input text: the jsonl member is one text" "$T/out" "$N/mixed.tar:crawl.jsonl.gz"
# four levels are read, a fifth is not
echo "a short text with a few words in it" | gzip -c >"$N/d1.gz"
(cd "$N" && tar cf d2.tar d1.gz && zip -q d3.zip d2.tar && tar czf d4.tgz d3.zip && tar cf d5.tar d4.tgz && cp "$OLDPWD/$C0" 000.txt && tar rf d5.tar 000.txt)
check "four levels" 0 -- rp scan --json "$N/d4.tgz"
has "four levels: id" "$T/out" "\"$N/d4.tgz:d3.zip:d2.tar:d1.gz\""
check "five levels" 1 -- rp scan "$N/d5.tar"
has "five levels: said" "$T/err" "reprint: $N/d5.tar:d4.tgz:d3.zip:d2.tar:d1.gz: skipped: archives and compressed files nested more than 4 deep"
has "five levels: the rest read" "$T/out" "$N/d5.tar:000.txt"
# a broken archive inside is skipped; the members after it are read
printf 'PK\3\4 not a zip at all' >"$N/broken.zip"
(cd "$N" && tar cf withbroken.tar broken.zip 000.txt)
check "broken archive inside" 1 -- rp scan "$N/withbroken.tar"
has "broken inside: named" "$T/err" "reprint: $N/withbroken.tar:broken.zip: skipped:"
has "broken inside: the next read" "$T/out" "$N/withbroken.tar:000.txt"
# --max-bytes: per document, in nested members too
check "nested member over --max-bytes" 1 -- rp scan --max-bytes 1K "$N/outer.zip"
has "nested over --max-bytes" "$T/err" "$N/outer.zip:inner.tar.gz:001.txt.gz: skipped: larger than --max-bytes once decompressed"

# ---------------------------------------------------------------- bombs
# past 256 MiB, an archive may give at most 1000 times its bytes: 300 MB
# of zeros in 11 KB stops the archive with a message, exit 1
head -c 300000000 /dev/zero >"$N/zeros"
(cd "$N" && tar cf - zeros 000.txt | zstd -q -c >bomb.tar.zst && tar czf zb.tgz zeros 000.txt && rm zeros)
check "decompression bomb" 1 -- rp scan "$N/bomb.tar.zst" "$C1"
has "bomb: said" "$T/err" "reprint: $N/bomb.tar.zst: cannot read: more than 1000 times its size once decompressed (a decompression bomb?)"
has "bomb: other inputs read" "$T/out" "$C1"
# nested: ten copies of that tar.gz (300 KB each) in a zip, stored
(cd "$N" && for i in 0 1 2 3 4 5 6 7 8 9; do cp zb.tgz z$i.tgz; done && zip -q -0 bombs.zip z?.tgz && rm z?.tgz)
check "nested bomb" 1 -- rp scan "$N/bombs.zip"
has "nested bomb: said" "$T/err" "reprint: $N/bombs.zip: cannot read: more than 1000 times its size once decompressed"
# the same, under a 150 MB address-space limit: memory stays bounded
if command -v prlimit >/dev/null 2>&1 && [ -z "$WRAP" ] && ! grep -q __asan_init "$BIN" 2>/dev/null; then
    check "nested bomb under 150 MB" 1 -- timeout 60 prlimit --as=150000000 "$BIN" scan -j 1 "$N/bombs.zip"
    has "nested bomb under 150 MB: said" "$T/err" "a decompression bomb?"
fi
rm -f "$N/zb.tgz" "$N/bombs.zip"

# ---------------------------------------------------------------- bounds
# a member or stream larger than --max-bytes is skipped, never held whole
head -c 3000000 /dev/zero | tr '\0' 'a' | sed 's/a\{100\}/&\n/g' | gzip -c >"$AR/bomb.txt.gz"
check "decompressed stream over --max-bytes" 1 -- rp scan --max-bytes 100K "$AR/bomb.txt.gz" "$C0" "$C1"
has "bomb message" "$T/err" "reprint: $AR/bomb.txt.gz: skipped: larger than --max-bytes once decompressed"
has "bomb: rest read" "$T/out" "cluster 1: 2 articles"
(cd "$AR" && cp bomb.txt.gz big.gz && gunzip -f big.gz && zip -q big.zip big "$OLDPWD/$C0" && rm big)
check "member over --max-bytes" 1 -- rp scan --max-bytes 100K "$AR/big.zip"
has "member message" "$T/err" "$AR/big.zip:big: skipped: larger than --max-bytes"
if command -v prlimit >/dev/null 2>&1; then
    # 200 MB of text in 1.3 MB: read until --max-bytes, then left
    yes 'the same words again and again' | head -c 200000000 | gzip -1 -c >"$AR/words.gz"
    if [ -z "$WRAP" ] && ! grep -q __asan_init "$BIN" 2>/dev/null; then
        check "200 MB stream under a 150 MB address-space limit" 1 -- \
            timeout 60 prlimit --as=150000000 "$BIN" scan --max-bytes 1M -j 1 "$AR/words.gz" "$C0"
    else
        check "200 MB stream" 1 -- rp scan --max-bytes 1M -j 1 "$AR/words.gz" "$C0"
    fi
    has "200 MB stream skipped" "$T/err" "$AR/words.gz: skipped: larger than --max-bytes once decompressed"
fi
printf '\x1f\x8b\x08\x00garbage' >"$AR/broken.gz"
check "corrupt gzip" 1 -- rp scan "$AR/broken.gz" "$C0"
has "corrupt gzip named" "$T/err" "reprint: $AR/broken.gz:"
fi

# ---------------------------------------------------------------- diff
if [ "$tools_ok" = 1 ]; then
    check "diff reads compressed files" 0 -- rp diff "$Z/001.txt.bz2" "$C1"
    has "diff: identical" "$T/out" "near-duplicates"
fi
