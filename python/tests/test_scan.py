"""test_scan.py - reprint.scan and reprint.Corpus: the same clusters as
`reprint scan`, from paths, texts, (id, text) rows and a generator."""
import json
import os

import pytest

import reprint


def cli_clusters(cli, *args):
    return [json.loads(line) for line in cli("scan", "--json", *args).splitlines()]


def test_version(root):
    h = (root / "include" / "reprint.h").read_text()
    nums = [int(line.split()[2]) for line in h.splitlines()
            if line.startswith("#define RP_VERSION_") and line.split()[1][11:] in
            ("MAJOR", "MINOR", "PATCH")]
    assert reprint.version == "%d.%d.%d" % tuple(nums)
    assert reprint.version_number == nums[0] * 10000 + nums[1] * 100 + nums[2]


def test_scan_paths_same_as_cli(cli, root):
    os.chdir(root)
    want = [c for c in cli_clusters(cli, "corpus/") if len(c["members"]) > 1]
    got = reprint.scan([reprint_path("corpus")])
    assert len(got) == len(want) == 1
    for g, w in zip(got, want):
        assert g.representative == w["representative"]
        assert [m.id for m in g.members] == [m["id"] for m in w["members"]]
        for gm, wm in zip(g.members, w["members"]):
            assert gm.jaccard == pytest.approx(wm["jaccard"], abs=1e-4)
            assert gm.containment == pytest.approx(wm["containment"], abs=1e-4)


def reprint_path(p):
    import pathlib
    return pathlib.Path(p)


def test_members_both_containments(cli, root):
    """reverse_containment is the representative's share in the member:
    the other side of the pair that `scan --pairs` prints."""
    os.chdir(root)
    pairs = {}
    for line in cli("scan", "--pairs", "corpus/").splitlines():
        p = json.loads(line)
        pairs[(p["a"], p["b"])] = p
    (c,) = reprint.scan([reprint_path("corpus")])
    assert len(c.members) == 4
    rep = c.members[0]
    assert (rep.id, rep.score, rep.containment, rep.reverse_containment) == \
        (c.representative, 1.0, 1.0, 1.0)
    for m in c.members[1:]:
        if (m.id, rep.id) in pairs:
            p = pairs[(m.id, rep.id)]
            mine, theirs = p["containment_ab"], p["containment_ba"]
        else:
            p = pairs[(rep.id, m.id)]
            mine, theirs = p["containment_ba"], p["containment_ab"]
        assert m.containment == pytest.approx(mine, abs=1e-4)
        assert m.reverse_containment == pytest.approx(theirs, abs=1e-4)
        assert m.score == pytest.approx(p["score"], abs=1e-4)
        assert m.jaccard == pytest.approx(p["jaccard"], abs=1e-4)
        assert m.reverse_containment != m.containment


def test_rows_stream_like_files(corpus_files):
    """A list of dicts fed as a generator of (id, text) gives the same
    clusters as the files, ids taken from the rows."""
    rows = [{"id": f.stem, "text": f.read_text(encoding="utf-8")}
            for f in corpus_files]
    consumed = []

    def gen():
        for r in rows:
            consumed.append(r["id"])
            yield r["id"], r["text"]
    got = reprint.scan(gen(), threads=2)
    assert consumed == [f.stem for f in corpus_files]
    by_path = reprint.scan(corpus_files)
    assert [[m.id for m in c.members] for c in got] == \
        [[reprint_path(m.id).stem for m in c.members] for c in by_path]
    assert [[round(m.score, 12) for m in c.members] for c in got] == \
        [[round(m.score, 12) for m in c.members] for c in by_path]


def test_plain_texts_and_singletons(corpus_files):
    texts = [f.read_text(encoding="utf-8") for f in corpus_files]
    got = reprint.scan(texts, singletons=True)
    assert sorted(m.id for c in got for m in c.members) == ["0", "1", "2", "3", "4"]
    assert [len(c.members) for c in got] == [4, 1]
    assert got[1].representative == "2"


def test_bytes_are_prepared_like_files(corpus_files):
    """Raw bytes in UTF-16 with a mark, or HTML, go through the library's
    text preparation, as files do in the CLI."""
    t = corpus_files[1].read_text(encoding="utf-8")
    html = "<html><body><p>" + t.replace("\n\n", "</p><p>") + "</p></body></html>"
    got = reprint.scan([("utf8", t), ("utf16", t.encode("utf-16")),
                        ("html", html.encode())], min_shared=1)
    assert len(got) == 1
    assert sorted(m.id for m in got[0].members) == ["html", "utf16", "utf8"]
    assert all(m.jaccard > 0.9 for m in got[0].members)


def test_skipped_inputs_warn_raise_or_pass(corpus_files):
    t = corpus_files[0].read_text(encoding="utf-8")
    items = [("a", t), ("empty", "  ,. "), ("bin", b"ab\0cd"), ("a", t)]
    with pytest.warns(UserWarning) as w:
        c = reprint.Corpus()
        c.add_many(items)
    assert len(c) == 1
    assert [s[0] for s in c.skipped] == ["empty", "bin", "a"]
    assert [str(x.message) for x in w] == [
        "reprint: empty: skipped: %s" % reprint.ReprintError(-3),   # RP_ENOWORDS
        "reprint: bin: skipped: %s" % reprint.ReprintError(-8),     # RP_EBINARY
        "reprint: a: skipped: duplicate id"]
    c.close()
    with pytest.raises(reprint.ReprintError):
        reprint.scan(items, on_error="raise")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert reprint.scan(items, on_error="ignore") == []


def test_missing_file_is_skipped(tmp_path):
    with pytest.warns(UserWarning, match="nothere"):
        assert reprint.scan([tmp_path / "nothere.txt"]) == []


def test_options_change_the_result(corpus_files):
    assert len(reprint.scan(corpus_files, threshold=0.99)) == 0
    assert len(reprint.scan(corpus_files, threshold=0.7)[0].members) == 3
    with pytest.raises(ValueError):
        reprint.scan(corpus_files, treshold=0.5)
    with pytest.raises(reprint.ReprintError) as e:
        reprint.scan(corpus_files, threshold=2)
    assert e.value.code == -2


def test_corpus_incremental_and_pairs(corpus_files):
    with reprint.Corpus(threads=1) as c:
        for f in corpus_files:
            c.add(f.name, f.read_bytes())
        assert len(c) == 5
        clusters = c.run()
        assert c.stats["verified"] >= 3
        assert len(c.pairs()) == c.stats["verified"] or len(c.pairs()) >= 3
        assert clusters[0].representative == "001_092751d03b652b07.txt"
        with pytest.raises(reprint.ReprintError):
            c.add("late", "too late for this corpus")
