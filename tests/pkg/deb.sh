#!/usr/bin/env bash
# deb.sh - builds the Debian packages from a copy of this tree with
# dpkg-buildpackage, checks them with lintian (no errors), installs them
# with apt-get, runs the installed reprint, a C program built with
# pkg-config and the Python module, then removes the packages.
#
# Run by .ci/run as root on a Debian 12 machine; it needs debhelper,
# dh-python, dpkg-dev, fakeroot and lintian (and the build dependencies
# in debian/control). It refuses to run when reprint is already installed
# from elsewhere, so that it never removes what it did not install.
# Usage: tests/pkg/deb.sh [OUTDIR]   (the .deb files are left in OUTDIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
fail() { echo "deb: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    echo "deb: skipped: needs root to install the packages"
    exit 0
fi
for t in dpkg-buildpackage dh lintian apt-get; do
    command -v $t >/dev/null || fail "$t is missing (apt-get install debhelper dh-python dpkg-dev fakeroot lintian)"
done
PKGS="reprint libreprint0 libreprint-dev python3-reprint"
for p in $PKGS; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        fail "$p is already installed: remove it first"
    fi
done

ver() { sed -n "s/^#define RP_VERSION_$1 \([0-9]*\)$/\1/p" include/reprint.h; }
V=$(ver MAJOR).$(ver MINOR).$(ver PATCH)
W=$(mktemp -d)
OUT=${1:-$W}
trap 'rm -rf "$W"' EXIT

# a clean copy: no build folders, no VCS data
mkdir -p "$W/reprint-$V"
tar -c --exclude='./build' --exclude='./build-*' --exclude='./.git' \
    --exclude='./tests/fuzz/out' --exclude='__pycache__' . | tar -x -C "$W/reprint-$V"
# the CLI tests run the binary as nobody for one case: it must reach it
chmod 755 "$W"
# CI has just run `make check` on this tree: by default the package build
# skips it (DEB_BUILD_OPTIONS=nocheck); set DEB_BUILD_OPTIONS to run it.
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck parallel=2}
echo "+ DEB_BUILD_OPTIONS='$DEB_BUILD_OPTIONS' dpkg-buildpackage -us -uc -b"
(cd "$W/reprint-$V" && dpkg-buildpackage -us -uc -b >"$W/build.log" 2>&1) ||
    { tail -40 "$W/build.log"; fail "dpkg-buildpackage failed"; }
ARCH=$(dpkg --print-architecture)
CHANGES=$W/reprint_${V}_$ARCH.changes
[ -f "$CHANGES" ] || fail "no $CHANGES"
DEBS=()
for p in reprint libreprint0 libreprint-dev; do DEBS+=("$W/${p}_${V}_$ARCH.deb"); done
DEBS+=("$W/python3-reprint_${V}_all.deb")
for d in "${DEBS[@]}"; do [ -f "$d" ] || fail "not built: $d"; done

echo "+ lintian"
lintian --fail-on error --tag-display-limit 0 "$CHANGES" | tee "$W/lintian.log" || fail "lintian reports errors"
[ "$OUT" = "$W" ] || cp "${DEBS[@]}" "$W/lintian.log" "$OUT/"

echo "+ apt-get install"
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${DEBS[@]}" >"$W/apt.log" 2>&1 ||
    { tail -20 "$W/apt.log"; fail "apt-get install failed"; }
remove() { apt-get remove -y --purge $PKGS >/dev/null 2>&1 || true; }
trap 'remove; rm -rf "$W"' EXIT

echo "+ /usr/bin/reprint scan corpus/"
[ "$(command -v reprint)" = /usr/bin/reprint ] || [ -x /usr/bin/reprint ] || fail "no /usr/bin/reprint"
/usr/bin/reprint --version | grep -qF "reprint $V (" || fail "reprint --version does not say $V"
/usr/bin/reprint scan corpus/ >"$W/scan.out"
cmp -s "$W/scan.out" tests/cli/expected/scan-corpus.out ||
    { diff tests/cli/expected/scan-corpus.out "$W/scan.out" | head; fail "installed reprint: scan corpus/ differs"; }
[ -f /usr/share/man/man1/reprint.1.gz ] || fail "no man page"

echo "+ cc \$(pkg-config --cflags --libs reprint)"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
[ "$(readlink /usr/lib/"$MA"/libreprint.so.$(ver MAJOR))" = "libreprint.so.$V" ] || fail "no libreprint.so.$(ver MAJOR)"
# shellcheck disable=SC2046
cc -o "$W/prog" tests/cli/install_prog.c $(pkg-config --cflags --libs reprint)
"$W/prog" | grep -qF "libreprint $V" || fail "program built with pkg-config did not run"
# shellcheck disable=SC2046
cc -o "$W/prog_static" tests/cli/install_prog.c $(pkg-config --cflags reprint) \
    $(pkg-config --static --libs reprint | sed 's/-lreprint\b/-l:libreprint.a/')
"$W/prog_static" | grep -qF "libreprint $V" || fail "static program did not run"

echo "+ python3 -c 'import reprint'"
(cd "$W" && env -u REPRINT_LIB -u PYTHONPATH /usr/bin/python3 -c '
import pathlib, reprint, sys
assert reprint.library_path == "libreprint.so.%d" % (reprint.version_number // 10000), reprint.library_path
assert reprint.__file__.startswith("/usr/lib/python3/dist-packages/"), reprint.__file__
c = reprint.scan([pathlib.Path(sys.argv[1])])
assert len(c) == 1 and len(c[0].members) == 4, c
print("python3-reprint %s: %d cluster of %d" % (reprint.version, len(c), len(c[0].members)))
' "$ROOT/corpus") || fail "python3-reprint does not work"

echo "+ apt-get remove"
apt-get -o DPkg::Lock::Timeout=300 remove -y --purge $PKGS >"$W/apt.log" 2>&1 || { tail "$W/apt.log"; fail "apt-get remove failed"; }
[ ! -e /usr/bin/reprint ] || fail "/usr/bin/reprint left after remove"
[ ! -e "/usr/lib/$MA/libreprint.so.$V" ] || fail "libreprint left after remove"
trap 'rm -rf "$W"' EXIT
echo "deb: ok: built, lintian-clean, installed, ran and removed $PKGS $V"
