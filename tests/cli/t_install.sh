# t_install.sh - make install/uninstall with DESTDIR and PREFIX; a program
# built against the installed library with pkg-config, shared and static;
# the shared library's exported symbols; and the manual page checked by a
# formatter.

# $REPRINT_MAKE (set by `make cli`) names the build being tested, so that
# install does not build another one; $REPRINT_SANFLAGS are its sanitizers.
# shellcheck disable=SC2086
mk() { make -s --no-print-directory "$@" ${REPRINT_MAKE:-}; }
I=$T/inst
LIBD=/usr/lib/x86_64-test
if mk install DESTDIR="$I" PREFIX=/usr LIBDIR=$LIBD BIN="$BIN" >"$T/out" 2>"$T/err"; then ok; else bad "make install"; sed 's/^/    /' "$T/err" | head -5; fi
[ -x "$I/usr/bin/reprint" ] && ok || bad "install: no bin/reprint"
[ -f "$I/usr/share/man/man1/reprint.1" ] && ok || bad "install: no share/man/man1/reprint.1"
cmp -s "$I/usr/share/man/man1/reprint.1" src/reprint.1 && ok || bad "install: man page differs"
cmp -s "$I/usr/share/bash-completion/completions/reprint" completions/reprint.bash && ok || bad "install: no bash completion"
cmp -s "$I/usr/share/zsh/site-functions/_reprint" completions/_reprint && ok || bad "install: no zsh completion"
check "installed binary runs" 0 -- "$I/usr/bin/reprint" --version

# the library: the real file, the SONAME link, the link to build with, the
# archive, the header and the .pc, with the version of include/reprint.h
ver() { sed -n "s/^#define RP_VERSION_$1 \([0-9]*\)$/\1/p" include/reprint.h; }
V=$(ver MAJOR).$(ver MINOR).$(ver PATCH)
VN=$(( $(ver MAJOR) * 10000 + $(ver MINOR) * 100 + $(ver PATCH) ))
L=$I$LIBD
[ -f "$L/libreprint.so.$V" ] && [ ! -L "$L/libreprint.so.$V" ] && ok || bad "install: no libreprint.so.$V"
[ "$(readlink "$L/libreprint.so.$(ver MAJOR)")" = "libreprint.so.$V" ] && ok || bad "install: libreprint.so.$(ver MAJOR) is not a link to libreprint.so.$V"
[ "$(readlink "$L/libreprint.so")" = "libreprint.so.$(ver MAJOR)" ] && ok || bad "install: libreprint.so is not a link to the SONAME"
readelf -d "$L/libreprint.so.$V" >"$T/dyn" 2>&1
has "SONAME" "$T/dyn" "Library soname: [libreprint.so.$(ver MAJOR)]"
[ -f "$L/libreprint.a" ] && ok || bad "install: no libreprint.a"
cmp -s "$I/usr/include/reprint.h" include/reprint.h && ok || bad "install: reprint.h differs"
has "reprint.pc: version" "$L/pkgconfig/reprint.pc" "Version: $V"
has "reprint.pc: libdir below prefix" "$L/pkgconfig/reprint.pc" 'libdir=${prefix}/lib/x86_64-test'
"$I/usr/bin/reprint" --version >"$T/ver" 2>&1
has "reprint --version" "$T/ver" "reprint $V (xxHash "
# the version is set in reprint.h; the Debian changelog and CHANGELOG.md
# must name it as their latest release
dv=$(sed -n '1s/^reprint (\([^)]*\)).*/\1/p' debian/changelog)
[ "$dv" = "$V" ] && ok || bad "debian/changelog says '$dv', include/reprint.h $V"
cv=$(sed -n 's/^## \[\{0,1\}\([0-9][0-9.]*\)\]\{0,1\}.*/\1/p' CHANGELOG.md | head -1)
[ "$cv" = "$V" ] && ok || bad "CHANGELOG.md's latest release is '$cv', include/reprint.h says $V"

# the shared library exports every function of reprint.h and nothing else
nm -D --defined-only "$L/libreprint.so.$V" | awk '{print $3}' | sort >"$T/syms"
grep -v '^rp_' "$T/syms" >"$T/bad_syms"
[ -s "$T/syms" ] && [ ! -s "$T/bad_syms" ] && ok || bad "exported symbols not rp_*: $(tr '\n' ' ' <"$T/bad_syms")"
grep -E '^[a-z].*[^a-z0-9_]rp_[a-z0-9_]+\(' include/reprint.h >"$T/decl"
grep -v '^RP_API ' "$T/decl" >"$T/nomacro"
[ ! -s "$T/nomacro" ] && ok || bad "reprint.h: declared without RP_API: $(head -3 "$T/nomacro")"
sed -n 's/^RP_API [^(]*[^a-z0-9_]\(rp_[a-z0-9_]*\)(.*/\1/p' include/reprint.h | sort >"$T/api"
comm -23 "$T/api" "$T/syms" >"$T/unexported"
[ -s "$T/api" ] && [ ! -s "$T/unexported" ] && ok || bad "declared in reprint.h, not exported: $(tr '\n' ' ' <"$T/unexported")"

# a program built against the installed copy with pkg-config, shared and
# static, the .pc relocated into DESTDIR with --define-variable
PC="env PKG_CONFIG_PATH=$L/pkgconfig pkg-config --define-variable=prefix=$I/usr"
CCX=${CC:-cc}
if $PC --exists reprint; then
    ok
    # shellcheck disable=SC2046
    if $CCX ${REPRINT_SANFLAGS:-} -o "$T/prog_shared" tests/cli/install_prog.c $($PC --cflags --libs reprint) 2>"$T/err"; then ok; else bad "cc with pkg-config --cflags --libs reprint"; head -5 "$T/err"; fi
    check "shared program runs" 0 -- env LD_LIBRARY_PATH="$L" "$T/prog_shared"
    has "shared program output" "$T/out" "libreprint $V ($VN): 2 clusters, the first of 2"
    LD_LIBRARY_PATH="$L" ldd "$T/prog_shared" >"$T/ldd" 2>&1
    has "shared program uses the installed copy" "$T/ldd" "$L/libreprint.so.$(ver MAJOR)"
    # static: the archive by its file name (-l:), its dependencies from
    # Requires.private and Libs.private
    # shellcheck disable=SC2046
    if $CCX ${REPRINT_SANFLAGS:-} -o "$T/prog_static" tests/cli/install_prog.c $($PC --cflags reprint) \
        $($PC --static --libs reprint | sed 's/-lreprint\b/-l:libreprint.a/') 2>"$T/err"; then ok; else bad "cc with pkg-config --static --libs reprint"; head -5 "$T/err"; fi
    readelf -d "$T/prog_static" >"$T/dyn" 2>&1
    hasnt "static program needs no libreprint.so" "$T/dyn" "libreprint"
    check "static program runs" 0 -- "$T/prog_static"
    has "static program output" "$T/out" "libreprint $V ($VN): 2 clusters, the first of 2"
else
    bad "pkg-config does not find the installed reprint.pc"
fi

if mk uninstall DESTDIR="$I" PREFIX=/usr LIBDIR=$LIBD >"$T/out" 2>"$T/err"; then ok; else bad "make uninstall"; fi
[ -e "$I/usr/bin/reprint" ] && bad "uninstall: bin/reprint left" || ok
[ -e "$I/usr/share/man/man1/reprint.1" ] && bad "uninstall: reprint.1 left" || ok
left=$(find "$I" ! -type d | head -5)
[ -z "$left" ] && ok || bad "uninstall left files: $left"

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

# every option of scan --help, diff --help and dedup --help is in the manual
sed 's/\\-/-/g' src/reprint.1 >"$T/man.txt"
for cmd in scan diff dedup; do
    rp $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | while read -r opt; do
        grep -qF -- "$opt" "$T/man.txt" || echo "$cmd $opt"
    done >"$T/missing"
    [ -s "$T/missing" ] && { bad "options missing from the man page: $(tr '\n' ' ' <"$T/missing")"; } || ok
done
