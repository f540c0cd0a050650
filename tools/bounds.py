#!/usr/bin/env python3
"""bounds.py - how far a verbatim-overlap fingerprint can go on METER.

Issue 11 asks for METER article AUCs of 0.80 (derived vs non-derived) and
0.92 (wholly derived vs non-derived), and for METER story clusters with
B-cubed F1 >= 0.70 at precision >= 0.95, while reprints-dev keeps pair and
B-cubed F1 >= 0.99. This script measures, with the tool's own figures
(every number comes from `reprint scan` output, scored as tools/score.py
scores it), what the rule and its alternatives can reach:

  1. AUC of the containment at shingle sizes k = 1, 2, 3 (exhaustive, so
     the candidate stage plays no part), of the directional containment
     (which needs the label of which text is the wire copy), and of
     mixes of word-level (k = 1) and 3-shingle containment, each with the
     best pair F1 that score reaches on reprints-dev at any threshold and
     the hard negatives it then links;
  2. upper bounds of METER story clusters: clusters built from the
     verified pairs (their connected components), and oracles that know
     each article's story and which documents are PA copy;
  3. attachment rules for documents left alone (best directional
     containment in a cluster member, at a share tau, unambiguous by a
     ratio), on both sets;
  4. how often reprints-dev labels as negatives (`pa_same_story`) pairs
     of PA files that METER's story truth puts in one cluster.

Usage: tools/bounds.py [--quick]   (--quick skips the k = 1 run over
reprints-dev, about 90 s). Needs build/reprint (or $REPRINT) and
../shared/eval (or $EVAL_DIR); reads the sets' labels and, for item 4 only,
reprints-dev's manifest.tsv (error analysis; the tool never reads it).
Only the Python standard library is used.
"""
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import score as S  # noqa: E402

ROOT = os.path.dirname(HERE)
BIN = os.environ.get("REPRINT", os.path.join(ROOT, "build", "reprint"))
EVAL = os.environ.get("EVAL_DIR", os.path.join(ROOT, "..", "shared", "eval"))
MD = os.path.join(EVAL, "meter-dev")
RD = os.path.join(EVAL, "reprints-dev")
TMP = tempfile.mkdtemp()


def run(args, out, keep=None):
    """Runs reprint scan ARGS; writes its stdout to OUT (only the pair lines
    whose (a, b) is in keep, when given). @return OUT."""
    path = os.path.join(TMP, out)
    with open(path, "w") as f:
        p = subprocess.Popen([BIN, "scan"] + args, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        for line in p.stdout:
            if keep is not None:   # cheap: the k = 1 run lists millions
                i = line.find('"a": "') + 6
                j = line.find('"', i)
                k = line.find('"b": "', j) + 6
                pair = (line[i:j], line[k:line.find('"', k)])
                if pair not in keep and (pair[1], pair[0]) not in keep:
                    continue
            f.write(line)
        p.wait()
    return path


def containments(path, sd):
    """(a, b) with a < b -> (share of a in b, share of b in a, score)."""
    d = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if "a" not in o:
                continue
            a, b = S.doc_id(o["a"], sd), S.doc_id(o["b"], sd)
            ab, ba = o["containment_ab"], o["containment_ba"]
            if a > b:
                a, b, ab, ba = b, a, ba, ab
            d[(a, b)] = (ab, ba, o["score"])
    return d


def key(a, b):
    return (a, b) if a < b else (b, a)


def directed(d, x, y):
    """(share of x in y, share of y in x, score) from a containments map."""
    v = d.get(key(x, y))
    if v is None:
        return (0.0, 0.0, 0.0)
    return v if x < y else (v[1], v[0], v[2])


def meter_units():
    units = defaultdict(list)   # (article, story, label) -> PA files
    story_of, label_of = {}, {}
    with open(os.path.join(MD, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, lab, st = line.rstrip("\n").split("\t")[:4]
            story_of[b] = st
            if lab != "cross":
                units[(a, st, lab)].append(b)
                label_of[a] = lab
                story_of[a] = st
    return units, story_of, label_of


def meter_aucs(score_of, units):
    u = [(lab, max(score_of(a, b) for b in bs)) for (a, _, lab), bs in units.items()]
    der = [s for lab, s in u if lab != "non"]
    who = [s for lab, s in u if lab == "wholly"]
    non = [s for lab, s in u if lab == "non"]
    return S.auc(der, non), S.auc(who, non)


def reprints_best(score_of):
    """Best pair F1 over thresholds of a pair score on reprints-dev's
    labelled pairs (pairs only, no clustering) and the negatives it links."""
    rows = []
    with open(os.path.join(RD, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, lab, kind = line.rstrip("\n").split("\t")[:4]
            rows.append((score_of(a, b), lab == "1", kind))
    best = None
    for t in [x / 100.0 for x in range(5, 100)]:
        tp = sum(1 for s, y, _ in rows if y and s >= t)
        fp = sum(1 for s, y, _ in rows if not y and s >= t)
        fn = sum(1 for s, y, _ in rows if y and s < t)
        f1 = S.prf(tp, fp, fn)[2]
        if best is None or f1 > best[0]:
            best = (f1, t, fp)
    return best


def part1(quick):
    print("## 1. METER AUC (exhaustive, --threshold 0.01 --min-shared 1)\n")
    units, _, _ = meter_units()
    m = {}
    for k in (1, 2, 3):
        m[k] = containments(run(["--pairs", "--exhaustive", "-k", str(k), "-t", "0.01",
                                 "--min-shared", "1", MD + "/docs"], "m%d" % k), MD)
    print("| score | derived/non | wholly/non |")
    print("|---|---|---|")
    for k in (1, 2, 3):
        aucs = meter_aucs(lambda a, b, k=k: directed(m[k], a, b)[2], units)
        print("| containment, k = %d | %.3f | %.3f |" % ((k,) + aucs))
    aucs = meter_aucs(lambda a, b: directed(m[3], a, b)[0], units)
    print("| k = 3, share of the article in the PA file (needs the label) | %.3f | %.3f |" % aucs)
    print()
    # mixes of k = 1 and k = 3, both sets
    want = set()
    with open(os.path.join(RD, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b = line.split("\t")[:2]
            want.add((os.path.join(RD, "docs", a + ".txt"), os.path.join(RD, "docs", b + ".txt")))
    r3 = containments(run(["--pairs", "--exhaustive", "-t", "0.01", "--min-shared", "8",
                           RD + "/docs"], "r3"), RD)
    r1 = None
    if not quick:
        r1 = containments(run(["--pairs", "--exhaustive", "-k", "1", "-t", "0.01",
                               "--min-shared", "1", RD + "/docs"], "r1", keep=want), RD)

    def mix(w3, w1, how):
        def f(a, b):
            v3, v1 = w3(a, b), w1(a, b)
            if v3[2] == 0.0:
                return 0.0
            return max(how(v3[i], v1[i]) for i in (0, 1))
        return f
    mixes = [("k = 3 (shipped)", lambda x3, x1: x3),
             ("k = 1 (words)", lambda x3, x1: x1),
             ("c3^0.5 * c1^0.5", lambda x3, x1: (x3 * x1) ** 0.5),
             ("c3^0.25 * c1^0.75", lambda x3, x1: x3 ** 0.25 * x1 ** 0.75),
             ("(c3 + c1) / 2", lambda x3, x1: (x3 + x1) / 2)]
    print("| score | METER derived/non | wholly/non | reprints-dev best pair F1 (t, negatives linked) |")
    print("|---|---|---|---|")
    for name, how in mixes:
        aucs = meter_aucs(mix(lambda a, b: directed(m[3], a, b),
                              lambda a, b: directed(m[1], a, b), how), units)
        if r1 is None:
            rb = "(skipped, --quick)"
        else:
            f1, t, fp = reprints_best(mix(lambda a, b: directed(r3, a, b),
                                          lambda a, b: directed(r1, a, b), how))
            rb = "%.4f (%.2f, %d)" % (f1, t, fp)
        print("| %s | %.3f | %.3f | %s |" % (name, aucs[0], aucs[1], rb))
    # direction guessed from the corpus: the share of the less central
    # document found in the more central one, centrality as the
    # representative of a cluster is chosen (the sum, over its pairs with
    # score >= 0.5, of the share of the other document found in it)
    for name, d, sd in (("meter", m[3], MD), ("reprints", r3, RD)):
        hub = defaultdict(float)
        for (a, b), v in d.items():
            if v[2] >= 0.5:
                hub[a] += v[1]
                hub[b] += v[0]

        def f(a, b, d=d, hub=hub):
            ab, ba, sc = directed(d, a, b)
            if sc == 0.0 or hub[a] == hub[b]:
                return sc
            return ab if hub[b] > hub[a] else ba
        if name == "meter":
            aucs = meter_aucs(f, units)
        else:
            f1, t, fp = reprints_best(f)
    print("| k = 3, share of the less central text in the more central one | %.3f | %.3f |"
          " %.4f (%.2f, %d) |" % (aucs[0], aucs[1], f1, t, fp))
    print()


def meter_docs():
    docs = []
    for d, _, fs in os.walk(os.path.join(MD, "docs")):
        for fn in fs:
            if fn.endswith(".txt"):
                docs.append(S.doc_id(os.path.join(d, fn), MD))
    return sorted(docs)


def components(docs, edges):
    parent = {d: d for d in docs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in edges:
        parent[find(a)] = find(b)
    g = defaultdict(list)
    for d in docs:
        g[find(d)].append(d)
    return list(g.values())


def fmt(r):
    return "%.3f / %.3f / %.3f" % (r["story_p"], r["story_r"], r["story_f1"])


def part2():
    print("## 2. METER story clusters: B-cubed P / R / F1\n")
    units, story_of, label_of = meter_units()
    docs = meter_docs()
    shipped, _ = S.read_output(run(["--json", MD + "/docs"], "mj"), MD)
    allp = containments(run(["--pairs", "--exhaustive", "-t", "0.01", "--min-shared", "1",
                             MD + "/docs"], "ma"), MD)
    print("| clustering | P / R / F1 |")
    print("|---|---|")
    print("| shipped (`scan --json`, t = 0.5) | %s |" % fmt(S.story_bcubed(MD, shipped)))
    exact = containments(run(["--pairs", "--exhaustive", "-t", "0.2", MD + "/docs"], "me"), MD)
    for t in (0.5, 0.4, 0.3, 0.2):
        cc = components(docs, [k for k, v in exact.items() if v[2] >= t])
        print("| connected components of the exact pairs with score >= %.1f (min-shared 8) | %s |"
              % (t, fmt(S.story_bcubed(MD, cc))))
    pa = [d for d in docs if d.startswith("pa/")]
    group = {}
    for i, c in enumerate(shipped):
        for d in c:
            if d.startswith("pa/") and len(c) > 1:
                group[d] = i
    by_story = defaultdict(list)
    for d in pa:
        by_story[story_of.get(d)].append(d)

    def oracle(take, pa_group):
        """PA files grouped by pa_group; each newspaper article that take()
        accepts joins the group of its own story's PA file it overlaps
        most; the others stay alone."""
        g = defaultdict(list)
        for d in pa:
            g[pa_group.get(d, ("pa", d))].append(d)
        for a, lab in label_of.items():
            own = by_story[story_of[a]]
            best = max(own, key=lambda b: directed(allp, a, b)[0])
            if take(a, lab, directed(allp, a, best)[0]):
                g[pa_group.get(best, ("pa", best))].append(a)
            else:
                g[("alone", a)].append(a)
        return list(g.values())
    print("| oracle: every derived article with its story's PA file, PA files grouped as shipped | %s |"
          % fmt(S.story_bcubed(MD, oracle(lambda a, lab, c: lab != "non", group))))
    whole = {d: st for st, v in by_story.items() for d in v}
    print("| oracle: same, and every PA file of a story in one cluster | %s |"
          % fmt(S.story_bcubed(MD, oracle(lambda a, lab, c: lab != "non", whole))))
    for tau in (0.05, 0.1, 0.15, 0.2, 0.3):
        print("| oracle story and direction: article joins when its share in the PA file >= %.2f,"
              " PA files as shipped | %s |"
              % (tau, fmt(S.story_bcubed(MD, oracle(lambda a, lab, c, t=tau: c >= t, group)))))
    print()


def part3():
    print("## 3. Attaching documents left alone (best directional containment)\n")
    print("A document in no cluster joins the cluster of the member it is most")
    print("contained in (share >= tau, min-shared 8) when every other cluster holds")
    print("less than 1/ratio of that share of it.\n")
    sets = {}
    for name, sd, extra in (("meter-dev", MD, []), ("reprints-dev", RD, ["--pairs"])):
        cl, pairs = S.read_output(run(["--json"] + extra + [sd + "/docs"], name + "j"), sd)
        allp = containments(run(["--pairs", "-t", "0.01", sd + "/docs"], name + "a"), sd)
        sets[name] = (sd, cl, pairs, allp)
    print("| tau, ratio | meter-dev moved, story P / R / F1 | reprints-dev moved, pair F1, B-cubed F1, hard negatives linked |")
    print("|---|---|---|")
    for tau, ratio in ((None, None), (0.5, 1.0), (0.45, 1.5), (0.4, 1.5), (0.35, 1.5), (0.3, 1.5)):
        cells = []
        for name in ("meter-dev", "reprints-dev"):
            sd, cl, pairs, allp = sets[name]
            new, moved = [list(c) for c in cl], 0
            if tau is not None:
                of = {d: i for i, c in enumerate(cl) if len(c) > 1 for d in c}
                nb = defaultdict(list)
                for (a, b), v in allp.items():
                    nb[a].append((b, v[0]))
                    nb[b].append((a, v[1]))
                for x in sorted(nb):
                    if x in of:
                        continue
                    best = defaultdict(float)
                    for y, share in nb[x]:
                        if y in of:
                            best[of[y]] = max(best[of[y]], share)
                    r = sorted(best.items(), key=lambda kv: -kv[1])
                    if r and r[0][1] >= tau and (len(r) == 1 or r[1][1] * ratio <= r[0][1]):
                        new[r[0][0]].append(x)
                        moved += 1
            if name == "meter-dev":
                cells.append("%d, %s" % (moved, fmt(S.story_bcubed(sd, new))))
            else:
                res = S.score_reprints(sd, new, pairs)
                neg = sum(v["linked"] for k, v in res["kinds"].items()
                          if k not in ("reprint", "reprint_reprint") and not k.startswith("natural"))
                cells.append("%d, %.4f, %.4f, %d" % (moved, res["pair_f1"], res["bcubed_f1"], neg))
        print("| %s | %s | %s |" % ("shipped" if tau is None else "%.2f, %.1f" % (tau, ratio),
                                   cells[0], cells[1]))
    print()


def part4():
    print("## 4. Where the two sets' labels disagree\n")
    src = {}
    with open(os.path.join(RD, "manifest.tsv")) as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c[4].startswith("meter:PA/") and c[2] == "original":
                src[c[0]] = "pa/" + c[4].split("rawtexts/", 1)[1][:-4]
    _, story_of, _ = meter_units()
    n = same = 0
    with open(os.path.join(RD, "pairs.tsv")) as f:
        next(f)
        for line in f:
            a, b, _, kind = line.rstrip("\n").split("\t")[:4]
            if kind != "pa_same_story":
                continue
            n += 1
            pa, pb = src.get(a), src.get(b)
            if pa and pb and pa in story_of and story_of[pa] == story_of.get(pb):
                same += 1
    print("reprints-dev `pa_same_story` negatives: %d; of them %d pair two unedited PA"
          % (n, same))
    print("files that meter-dev also holds and its story truth puts in one cluster.\n")


def main():
    if not os.path.isdir(MD) or not os.path.isdir(RD):
        print("bounds: %s not found; nothing measured" % EVAL)
        return 0
    quick = "--quick" in sys.argv
    part1(quick)
    part2()
    part3()
    part4()
    return 0


if __name__ == "__main__":
    sys.exit(main())
