"""test_layout.py - the ctypes structs of reprint._lib have the sizes and
field offsets of the C structs in include/reprint.h (compiled here)."""
import ctypes
import shutil
import subprocess

import pytest

from reprint import _lib

STRUCTS = {
    "rp_sim": _lib.Sim, "rp_pair": _lib.Pair,
    "rp_member": _lib.Member, "rp_run_stats": _lib.RunStats,
    "rp_token": _lib.Token, "rp_span": _lib.Span, "rp_para": _lib.Para,
    "rp_para_link": _lib.ParaLink, "rp_diff": _lib.Diff,
    "rp_index_match": _lib.IndexMatch, "rp_index_result": _lib.IndexResult,
    "rp_index_stats": _lib.IndexStats, "rp_index_member": _lib.IndexMember,
}


def test_struct_layout(tmp_path, root):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        pytest.skip("no C compiler")
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "reprint.h"',
             'int main(void) {']
    for cname, py in STRUCTS.items():
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for f in py._fields_:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                         % (cname, f[0], cname, f[0]))
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-I", str(root / "include"), "-o", str(exe), str(src)],
                   check=True)
    got = dict(l.split() for l in subprocess.run(
        [str(exe)], check=True, capture_output=True, text=True).stdout.splitlines())
    for cname, py in STRUCTS.items():
        assert int(got[cname]) == ctypes.sizeof(py), cname
        for f in py._fields_:
            assert int(got["%s.%s" % (cname, f[0])]) == getattr(py, f[0]).offset, \
                "%s.%s" % (cname, f[0])


def test_every_function_declared_exists():
    for name in _lib._PROTOS:
        assert getattr(_lib.lib, name)
