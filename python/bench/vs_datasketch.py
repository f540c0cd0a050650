#!/usr/bin/env python3
"""vs_datasketch.py - time the reprint bindings against datasketch's
MinHash + MinHashLSH on the same articles, and score both against the
planted reprints.

    python3 tools/bench/mkcorpus.py -n 2000 -o /tmp/c2k
    PYTHONPATH=python:/path/to/datasketch python3 python/bench/vs_datasketch.py /tmp/c2k

The corpus folder is mkcorpus.py's output (corpus.jsonl, truth.tsv).
datasketch is not packaged in Debian 12: put a checkout on PYTHONPATH (it
needs python3-numpy and python3-scipy). Without it only reprint is timed.

Both sides get the same rows from corpus.jsonl. reprint: reprint.scan()
(library defaults: 3-word shingles, 256 hashes, LSH, exact verification,
clustering). datasketch: lowercased words (\\w+), 3-word shingles, a
MinHash of num_perm 256 per article (update_batch), MinHashLSH at
threshold 0.5, then a query per article for its candidate pairs (no
verification, no clustering). Pairs are scored against truth.tsv: a pair is
right when both articles are in the same planted cluster.
"""
import argparse
import itertools
import json
import os
import re
import sys
import time


def load(folder):
    rows = [json.loads(line) for line in open(os.path.join(folder, "corpus.jsonl"),
                                              encoding="utf-8")]
    truth = {}
    for line in open(os.path.join(folder, "truth.tsv"), encoding="utf-8"):
        doc, cl = line.rstrip("\n").split("\t")
        truth[doc] = cl
    return rows, truth


def truth_pairs(truth):
    by = {}
    for d, c in truth.items():
        by.setdefault(c, []).append(d)
    return {tuple(sorted(p)) for m in by.values() if len(m) > 1
            for p in itertools.combinations(m, 2)}


def score(found, want):
    tp = len(found & want)
    p = tp / len(found) if found else 1.0
    r = tp / len(want) if want else 1.0
    return p, r


def run_reprint(rows, threads):
    import reprint
    t, c = time.perf_counter(), time.process_time()
    clusters = reprint.scan(((r["id"], r["text"]) for r in rows), threads=threads)
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    pairs = {tuple(sorted((m.id, n.id))) for c in clusters
             for m, n in itertools.combinations(c.members, 2)}
    return dt, cpu, pairs


def run_datasketch(rows, num_perm, threshold):
    from datasketch import MinHash, MinHashLSH
    word = re.compile(r"\w+")
    t, c = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = {}
    for r in rows:
        w = word.findall(r["text"].lower())
        sh = {" ".join(w[i:i + 3]).encode() for i in range(max(1, len(w) - 2))}
        m = MinHash(num_perm=num_perm)
        m.update_batch(list(sh))
        sketches[r["id"]] = m
        lsh.insert(r["id"], m)
    t_sketch = time.perf_counter() - t
    pairs = set()
    for k, m in sketches.items():
        for o in lsh.query(m):
            if o != k:
                pairs.add(tuple(sorted((k, o))))
    return time.perf_counter() - t, time.process_time() - c, t_sketch, pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--num-perm", type=int, default=256)
    ap.add_argument("--threshold", type=float, default=0.5)
    a = ap.parse_args()
    rows, truth = load(a.corpus)
    want = truth_pairs(truth)
    mb = sum(len(r["text"].encode()) for r in rows) / 1e6
    print("%d articles, %.1f MB, %d planted reprint pairs" % (len(rows), mb, len(want)))
    dt, cpu, pairs = run_reprint(rows, a.threads)
    p, r = score(pairs, want)
    print("reprint.scan (threads=%d): %.2f s (CPU %.2f s), %.0f docs/s; %d pairs, "
          "precision %.3f, recall %.3f"
          % (a.threads, dt, cpu, len(rows) / dt, len(pairs), p, r))
    try:
        import datasketch
    except ImportError:
        print("datasketch: not importable (put a checkout on PYTHONPATH)")
        return 0
    dt, cpu, ts, pairs = run_datasketch(rows, a.num_perm, a.threshold)
    p, r = score(pairs, want)
    print("datasketch MinHash(num_perm=%d)+MinHashLSH(threshold=%.2f): %.2f s (CPU %.2f s; "
          "sketch+insert %.2f s), %.0f docs/s; %d candidate pairs, precision %.3f, recall %.3f"
          % (a.num_perm, a.threshold, dt, cpu, ts, len(rows) / dt, len(pairs), p, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
