"""test_index.py - reprint.Index over the SQLite index: add, query,
remove, stats and export, and the same clusters as `reprint index`."""
import json

import pytest

import reprint


def test_index_add_query_export_stats(tmp_path, corpus_files, cli):
    db = tmp_path / "news.idx"
    with reprint.Index(db, create=True) as ix:
        results = [ix.add(f.name, path=f) for f in corpus_files]
        assert [r.status for r in results] == ["new"] * 5
        # 004 joins the cluster that 000/001 started, matched exactly
        r4 = results[4]
        assert r4.cluster == results[1].cluster
        assert r4.matches and all(m.exact for m in r4.matches)
        st = ix.stats()
        assert st["docs"] == 5 and st["clusters"] == 2
        assert ix.add(corpus_files[0].name, path=corpus_files[0]).status == "unchanged"
        q = ix.query(corpus_files[4].read_text(encoding="utf-8"))
        assert [m.id for m in q.matches][0] == "004_18e9ce7fe685923d.txt"
        assert q.matches[0].score == pytest.approx(1.0)
        exported = ix.export()
        assert len(exported) == 1
        singles = ix.export(singletons=True)
        assert len(singles) == 2
    # the CLI reads the same index and exports the same clusters
    want = [json.loads(line) for line in
            cli("index", "export", str(db), "--json").splitlines()]
    assert [[m["id"] for m in c["members"]] for c in want] == \
        [[m.id for m in c.members] for c in exported + singles[1:]]


def test_index_texts_remove_and_errors(tmp_path, corpus_files):
    db = tmp_path / "t.idx"
    with pytest.raises(reprint.ReprintError):
        reprint.Index(db)      # missing, not created
    texts = [(f.stem, f.read_text(encoding="utf-8")) for f in corpus_files]
    with reprint.Index(db, create=True, threshold=0.6) as ix:
        out = ix.add_many(texts)
        assert len(out) == 5
        assert ix.stats()["docs"] == 5
        ix.remove(texts[0][0])
        assert ix.stats()["docs"] == 4
        with pytest.raises(reprint.ReprintError) as e:
            ix.remove("nope")
        assert e.value.code == -15
    with reprint.Index(db) as ro:     # read only
        assert ro.stats()["docs"] == 4
        with pytest.raises(reprint.ReprintError):
            ro.add("x", "some words to add to a read only index")
    with pytest.raises(reprint.ReprintError) as e:
        reprint.Index(db, write=True, shingle=4)
    assert e.value.code == -11
