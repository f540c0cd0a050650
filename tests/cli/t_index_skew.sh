# t_index_skew.sh - the index's containment candidates (LSH Ensemble, as
# scan's): short articles that are mostly a passage of a long one, at a
# size ratio of about 2.8. Indexed with one band of one row, the band
# finds such a pair (Jaccard about 0.18) with probability 0.18, so without
# the containment values of the index about one pair in five would be
# found; every one must be, and `index export` must give the clusters of
# `scan --json` with the same shape.

IS=$T/index-skew
mkdir -p "$IS/feed"
python3 - "$IS/feed" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(11)
syl = ["ka", "lo", "mu", "ne", "ri", "sa", "to", "vi", "za", "pe", "go", "du"]
vocab = ["".join(rnd.choice(syl) for _ in range(rnd.randint(2, 4))) for _ in range(5000)]
def text(title, words):
    lines = [" ".join(words[i:i + 12]) + "." for i in range(0, len(words), 12)]
    return title + "\n\n" + "\n".join(lines) + "\n"
for s in range(5):
    long_ = [rnd.choice(vocab) for _ in range(560)]
    at = rnd.randint(0, 560 - 120)
    short = long_[at:at + 120] + [rnd.choice(vocab) for _ in range(80)]
    with open(os.path.join(root, "s%d_long.txt" % s), "w") as f:
        f.write(text("Long %d" % s, long_))
    with open(os.path.join(root, "s%d_short.txt" % s), "w") as f:
        f.write(text("Short %d" % s, short))
EOF
DBS=$IS/skew.db
check "skew: index add, 1 band of 1 row" 0 -- rp index add --bands 1 --rows 1 "$DBS" "$IS/feed"
check "skew: export" 0 -- rp index export "$DBS"
cp "$T/out" "$IS/export.json"
check "skew: scan --json, 1 band of 1 row" 0 -- rp scan --json --bands 1 --rows 1 "$IS/feed"
cp "$T/out" "$IS/scan.json"
same_clusters "skew: index export = scan --json" "$IS/export.json" "$IS/scan.json"
check "skew: scan --pairs" 0 -- rp scan --pairs --bands 1 --rows 1 "$IS/feed"
cp "$T/out" "$IS/pairs.json"
if python3 - "$IS/export.json" "$IS/pairs.json" <<'EOF'
import json, sys
cl = [json.loads(l) for l in open(sys.argv[1])]
multi = sorted(sorted(m["id"].rsplit("/", 1)[1] for m in c["members"]) for c in cl if len(c["members"]) > 1)
want = [["s%d_long.txt" % s, "s%d_short.txt" % s] for s in range(5)]
assert multi == want, multi
pairs = [json.loads(l) for l in open(sys.argv[2])]
assert len(pairs) == 5, pairs
# a low Jaccard, a high containment: what the bands alone miss
assert all(p["jaccard"] < 0.25 and p["score"] >= 0.5 for p in pairs), pairs
EOF
then ok; else bad "skew: every short article with its long one"; sed 's/^/    /' "$IS/export.json" | head; fi
