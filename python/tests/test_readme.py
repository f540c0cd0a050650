"""test_readme.py - the Python example of README.md prints what the
README shows."""
import contextlib
import io
import re


def block(text, name):
    m = re.search(r"<!-- %s -->\n```[a-z]*\n(.*?)```\n<!-- /%s -->" % (name, name),
                  text, re.S)
    assert m, name
    return m.group(1)


def test_readme_example(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    code, want = block(readme, "python-example"), block(readme, "python-output")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == want
