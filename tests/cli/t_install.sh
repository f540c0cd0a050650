# t_install.sh - make install/uninstall with DESTDIR and PREFIX, and the
# manual page checked by a formatter.

I=$T/inst
if make -s --no-print-directory install DESTDIR="$I" PREFIX=/usr BIN="$BIN" >"$T/out" 2>"$T/err"; then ok; else bad "make install"; sed 's/^/    /' "$T/err" | head -5; fi
[ -x "$I/usr/bin/reprint" ] && ok || bad "install: no bin/reprint"
[ -f "$I/usr/share/man/man1/reprint.1" ] && ok || bad "install: no share/man/man1/reprint.1"
cmp -s "$I/usr/share/man/man1/reprint.1" src/reprint.1 && ok || bad "install: man page differs"
check "installed binary runs" 0 -- "$I/usr/bin/reprint" --version
if make -s --no-print-directory uninstall DESTDIR="$I" PREFIX=/usr >"$T/out" 2>"$T/err"; then ok; else bad "make uninstall"; fi
[ -e "$I/usr/bin/reprint" ] && bad "uninstall: bin/reprint left" || ok
[ -e "$I/usr/share/man/man1/reprint.1" ] && bad "uninstall: reprint.1 left" || ok

# the page must format without a warning
if command -v mandoc >/dev/null 2>&1; then
    mandoc -T lint -W warning src/reprint.1 >"$T/lint" 2>&1 && [ ! -s "$T/lint" ] && ok ||
        { bad "mandoc -T lint: warnings"; head -5 "$T/lint"; }
elif command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -z -ww src/reprint.1 >"$T/lint" 2>&1 && [ ! -s "$T/lint" ] && ok ||
        { bad "groff -man -ww: warnings"; head -5 "$T/lint"; }
    groff -man -Tutf8 -ww src/reprint.1 2>/dev/null | sed $'s/.\b//g' >"$T/page"
    has "man page: diff section" "$T/page" "reprint diff [options] a b"
    has "man page: exit status" "$T/page" "EXIT STATUS"
elif command -v man >/dev/null 2>&1; then
    man --warnings -l src/reprint.1 >/dev/null 2>"$T/lint" && [ ! -s "$T/lint" ] && ok ||
        { bad "man --warnings: warnings"; head -5 "$T/lint"; }
else
    echo "skip: man page lint (no mandoc, groff or man)"
fi

# every option of scan --help and diff --help is in the manual
sed 's/\\-/-/g' src/reprint.1 >"$T/man.txt"
for cmd in scan diff; do
    rp $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | while read -r opt; do
        grep -qF -- "$opt" "$T/man.txt" || echo "$cmd $opt"
    done >"$T/missing"
    [ -s "$T/missing" ] && { bad "options missing from the man page: $(tr '\n' ' ' <"$T/missing")"; } || ok
done
