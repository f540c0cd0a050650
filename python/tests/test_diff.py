"""test_diff.py - reprint.diff gives what `reprint diff --json` prints."""
import json

import pytest

import reprint

A = "corpus/001_092751d03b652b07.txt"
B = "corpus/004_18e9ce7fe685923d.txt"


def test_diff_same_as_cli(cli, root):
    want = json.loads(cli("diff", "--json", A, B))
    a = (root / A).read_text(encoding="utf-8")
    b = (root / B).read_text(encoding="utf-8")
    d = reprint.diff(a, b)
    for k in ("jaccard", "containment_ab", "containment_ba", "score"):
        assert getattr(d, k) == pytest.approx(want[k], abs=1e-4)
    assert d.shared_words == want["shared_words"]
    assert d.similar is want["similar"]
    assert [(s.a_start, s.a_end, s.b_start, s.b_end, s.words) for s in d.spans] == \
        [(s["a_start"], s["a_end"], s["b_start"], s["b_end"], s["words"])
         for s in want["spans"]]
    for s in d.spans:
        assert s.text == a.encode()[s.a_start:s.a_end].decode()
    assert len(d.paragraphs) == len(want["paragraphs"])
    for p, w in zip(d.paragraphs, want["paragraphs"]):
        assert p.relation == w["relation"]
        for k in ("a", "b", "words", "first", "last", "note"):
            if k in w:
                assert getattr(p, k) == w[k]


def test_diff_unrelated_and_empty():
    d = reprint.diff("The harbour bridge will close for a year of repairs.",
                     "A storm left thousands of homes without power.")
    assert not d.similar and d.spans == [] and d.shared_words == 0
    e = reprint.diff("", "")
    assert e.words_a == 0 and e.score == 0


def test_diff_min_run_and_options():
    a = "one two three four five six seven eight nine ten"
    b = "xx one two three four five six yy seven eight nine ten"
    assert [s.words for s in reprint.diff(a, b, min_run=3, shingle=3).spans] == [6, 4]
    assert [s.words for s in reprint.diff(a, b, min_run=5, shingle=3).spans] == [6]
    with pytest.raises(reprint.ReprintError):
        reprint.diff(a, b, shingle=0)
