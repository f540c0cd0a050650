#!/usr/bin/env python3
"""score.py - score reprint's output against a labelled set in ../shared/eval.

Reads the tool's JSON Lines (`scan --json` clusters and/or `--pairs` pairs)
and the set's truth files, and prints the metrics described in
../shared/eval/README.md:

  reprints sets: pair precision/recall/F1 over the labelled pairs,
                 B-cubed precision/recall/F1 and the adjusted Rand index
                 against truth.tsv, ROC-AUC of the score, per-kind rates;
  meter sets:    per (article, story) unit: recall on wholly and partially
                 derived, false-positive rate on non-derived and cross-story
                 units, and the AUC of derived vs non-derived.

Usage: score.py SET_DIR OUTPUT.jsonl [--json] [--link-min=X]

--link-min=X: listed pairs scoring below X count for the AUC only, not as
links, so one run with a low --threshold gives both the ranking and the
decisions at threshold X.
Only the Python standard library is used.
"""
import json
import os
import sys
from collections import defaultdict


def doc_id(path, set_dir):
    """Turns a path printed by the tool into the set's doc id."""
    p = path
    docs = os.path.join(set_dir, "docs")
    for prefix in (os.path.abspath(docs) + "/", docs.rstrip("/") + "/"):
        if p.startswith(prefix):
            p = p[len(prefix):]
            break
    else:
        i = p.find("docs/")
        if i >= 0:
            p = p[i + 5:]
    if p.endswith(".txt"):
        p = p[:-4]
    return p


LINK_MIN = 0.0   # listed pairs scoring below this rank, but do not link


def read_output(path, set_dir):
    """Returns (clusters: list of lists of ids, pairs: dict (a,b)->score)."""
    clusters, pairs = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            if "members" in o:
                ids = [doc_id(m["id"] if isinstance(m, dict) else m, set_dir)
                       for m in o["members"]]
                clusters.append(ids)
            elif "a" in o and "b" in o:
                a, b = doc_id(o["a"], set_dir), doc_id(o["b"], set_dir)
                key = (a, b) if a < b else (b, a)
                pairs[key] = max(pairs.get(key, 0.0), float(o.get("score", 1.0)))
    return clusters, pairs


class Predicted:
    """Same-cluster lookup and scores for pairs, from clusters and pairs."""

    def __init__(self, clusters, pairs):
        self.cluster_of = {}
        for i, c in enumerate(clusters):
            if len(c) > 1:
                for d in c:
                    self.cluster_of[d] = i
        self.pairs = pairs
        self.best = max(pairs.values()) if pairs else 1.0

    def linked(self, a, b):
        key = (a, b) if a < b else (b, a)
        if self.pairs.get(key, -1.0) >= LINK_MIN:
            return True
        ca = self.cluster_of.get(a)
        return ca is not None and ca == self.cluster_of.get(b)

    def score(self, a, b):
        key = (a, b) if a < b else (b, a)
        if key in self.pairs:
            return self.pairs[key]
        ca = self.cluster_of.get(a)
        if ca is not None and ca == self.cluster_of.get(b):
            return self.best
        return 0.0


def components(docs, clusters, pairs):
    """Predicted clusters: connected components of clusters and pairs."""
    parent = {d: d for d in docs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb

    for c in clusters:
        for d in c[1:]:
            union(c[0], d)
    for (a, b), s in pairs.items():
        if s >= LINK_MIN:
            union(a, b)
    return {d: find(d) for d in docs}


def auc(pos, neg):
    """ROC-AUC by the rank-sum formula, ties counted half."""
    if not pos or not neg:
        return float("nan")
    allv = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i, n = 0.0, 0, len(allv)
    while i < n:
        j = i
        while j < n and allv[j][0] == allv[i][0]:
            j += 1
        r = (i + j + 1) / 2.0
        rank_sum += r * sum(1 for k in range(i, j) if allv[k][1])
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg))


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def comb2(n):
    return n * (n - 1) / 2.0


def score_reprints(set_dir, clusters, pairs):
    truth = {}
    with open(os.path.join(set_dir, "truth.tsv")) as f:
        next(f)
        for line in f:
            d, c = line.rstrip("\n").split("\t")[:2]
            truth[d] = c
    pred = Predicted(clusters, pairs)
    res = {}
    tp = fp = fn = 0
    kinds = defaultdict(lambda: [0, 0])
    pos_s, neg_s = [], []
    with open(os.path.join(set_dir, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, label, kind = line.rstrip("\n").split("\t")[:4]
            y = pred.linked(a, b)
            s = pred.score(a, b)
            kinds[kind][0] += 1
            kinds[kind][1] += int(y)
            if label == "1":
                pos_s.append(s)
                tp += y
                fn += not y
            else:
                neg_s.append(s)
                fp += y
    res["pair_p"], res["pair_r"], res["pair_f1"] = prf(tp, fp, fn)
    res["auc"] = auc(pos_s, neg_s)
    res["kinds"] = {k: {"n": v[0], "linked": v[1]} for k, v in sorted(kinds.items())}

    comp = components(truth.keys(), clusters, pairs)
    pred_members = defaultdict(set)
    true_members = defaultdict(set)
    for d, c in comp.items():
        pred_members[c].add(d)
    for d, c in truth.items():
        true_members[c].add(d)
    bp = br = 0.0
    for d in truth:
        pm, tm = pred_members[comp[d]], true_members[truth[d]]
        inter = len(pm & tm)
        bp += inter / len(pm)
        br += inter / len(tm)
    n = len(truth)
    bp, br = bp / n, br / n
    res["bcubed_p"], res["bcubed_r"] = bp, br
    res["bcubed_f1"] = 2 * bp * br / (bp + br) if bp + br else 0.0

    # adjusted Rand index from the contingency table
    cont = defaultdict(int)
    for d in truth:
        cont[(truth[d], comp[d])] += 1
    sum_ij = sum(comb2(v) for v in cont.values())
    sum_a = sum(comb2(len(v)) for v in true_members.values())
    sum_b = sum(comb2(len(v)) for v in pred_members.values())
    total = comb2(n)
    expected = sum_a * sum_b / total if total else 0.0
    maxidx = (sum_a + sum_b) / 2.0
    res["ari"] = (sum_ij - expected) / (maxidx - expected) if maxidx != expected else 1.0
    # all-pairs precision/recall against truth
    tp_all = sum_ij
    res["allpairs_p"] = tp_all / sum_b if sum_b else 0.0
    res["allpairs_r"] = tp_all / sum_a if sum_a else 0.0
    return res


def score_meter(set_dir, clusters, pairs):
    pred = Predicted(clusters, pairs)
    units = {}  # (article, story) -> [label, linked, best score]
    with open(os.path.join(set_dir, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, label, story = line.rstrip("\n").split("\t")[:4]
            key = (a, story)
            u = units.setdefault(key, [label, False, 0.0])
            u[1] = u[1] or pred.linked(a, b)
            u[2] = max(u[2], pred.score(a, b))
    by = defaultdict(list)
    for (label, linked, s) in units.values():
        by[label].append((linked, s))
    res = {}
    for label in ("wholly", "partially", "non", "cross"):
        v = by.get(label, [])
        res["n_" + label] = len(v)
        res["linked_" + label] = (sum(1 for x in v if x[0]) / len(v)) if v else 0.0
    derived = [s for lab in ("wholly", "partially") for (_, s) in by.get(lab, [])]
    non = [s for (_, s) in by.get("non", [])]
    cross = [s for (_, s) in by.get("cross", [])]
    res["auc_derived_vs_non"] = auc(derived, non)
    res["auc_derived_vs_non_cross"] = auc(derived, non + cross)
    res["auc_wholly_vs_non"] = auc([s for (_, s) in by.get("wholly", [])], non)
    tp = sum(1 for lab in ("wholly", "partially") for (l, _) in by.get(lab, []) if l)
    fp = sum(1 for (l, _) in by.get("non", []) if l)
    fn = len(derived) - tp
    res["p"], res["r"], res["f1"] = prf(tp, fp, fn)
    res.update(story_bcubed(set_dir, clusters))
    return res


def story_bcubed(set_dir, clusters):
    """B-cubed of the output's clusters against METER stories: the truth
    cluster of a story is its PA files plus the articles labelled wholly
    or partially derived from it; a non-derived article stands alone, as
    does every document the output puts in no cluster."""
    story_of = {}
    with open(os.path.join(set_dir, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, label, story = line.rstrip("\n").split("\t")[:4]
            story_of["pa:" + b] = story
            story_of[b] = story
            if label in ("wholly", "partially"):
                story_of[a] = story
            elif label == "non":
                story_of.setdefault(a, None)
    docs = []
    for d, _, fs in os.walk(os.path.join(set_dir, "docs")):
        for fn in fs:
            if fn.endswith(".txt"):
                docs.append(doc_id(os.path.join(d, fn), set_dir))
    truth = {d: (story_of.get(d) or ("alone", d)) for d in docs}
    pred = {d: ("alone", d) for d in docs}
    for i, c in enumerate(clusters):
        if len(c) > 1:
            for d in c:
                if d in pred:
                    pred[d] = i
    tm, pm = defaultdict(set), defaultdict(set)
    for d in docs:
        tm[truth[d]].add(d)
        pm[pred[d]].add(d)
    bp = br = 0.0
    for d in docs:
        inter = len(tm[truth[d]] & pm[pred[d]])
        bp += inter / len(pm[pred[d]])
        br += inter / len(tm[truth[d]])
    n = max(len(docs), 1)
    bp, br = bp / n, br / n
    return {"story_p": bp, "story_r": br,
            "story_f1": 2 * bp * br / (bp + br) if bp + br else 0.0}


def main():
    global LINK_MIN
    for a in sys.argv[1:]:
        if a.startswith("--link-min="):
            LINK_MIN = float(a.split("=", 1)[1])
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.stderr.write("usage: score.py SET_DIR OUTPUT.jsonl [--json]\n")
        return 2
    set_dir, out = args
    clusters, pairs = read_output(out, set_dir)
    if os.path.exists(os.path.join(set_dir, "truth.tsv")):
        res = score_reprints(set_dir, clusters, pairs)
        res["set"] = "reprints"
    else:
        res = score_meter(set_dir, clusters, pairs)
        res["set"] = "meter"
    if "--json" in sys.argv:
        print(json.dumps(res))
        return 0
    if res["set"] == "reprints":
        print("pair P %.3f  R %.3f  F1 %.3f | B-cubed P %.3f  R %.3f  F1 %.3f | ARI %.3f | AUC %.3f"
              % (res["pair_p"], res["pair_r"], res["pair_f1"], res["bcubed_p"],
                 res["bcubed_r"], res["bcubed_f1"], res["ari"], res["auc"]))
        for k, v in res["kinds"].items():
            print("  %-22s n %5d  linked %5d  (%.3f)" % (k, v["n"], v["linked"],
                                                         v["linked"] / v["n"]))
    else:
        print("recall wholly %.3f  partially %.3f | FPR non %.3f  cross %.3f | "
              "AUC derived/non %.3f  (derived/non+cross %.3f, wholly/non %.3f)"
              % (res["linked_wholly"], res["linked_partially"], res["linked_non"],
                 res["linked_cross"], res["auc_derived_vs_non"],
                 res["auc_derived_vs_non_cross"], res["auc_wholly_vs_non"]))
        print("story clusters: B-cubed P %.3f  R %.3f  F1 %.3f"
              % (res["story_p"], res["story_r"], res["story_f1"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
