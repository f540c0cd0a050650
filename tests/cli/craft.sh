# craft.sh - sourced by t_index.sh and t_index_more.sh (not a test file of
# its own): writes the crafted folder $CRAFT once, whichever of the two
# runs first (run.sh may put them in different shards).
[ -f "$CRAFT/z3_alone.txt" ] || {
# A crafted folder: three stories with reprints (cut, re-led, edited) and
# articles alone. The words are made up, so no real text is copied.
python3 - "$CRAFT" <<'EOF'
import os, random, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rnd = random.Random(7)
syl = ["ba", "ko", "mi", "nu", "re", "sa", "ti", "vo", "lu", "pe", "ga", "do"]
vocab = ["".join(rnd.choice(syl) for _ in range(rnd.randint(2, 4))) for _ in range(3000)]
def story(n):
    return [rnd.choice(vocab) for _ in range(n)]
def text(title, words):
    lines = [" ".join(words[i:i + 12]) + "." for i in range(0, len(words), 12)]
    return title + "\n\n" + "\n".join(lines) + "\n"
files = {}
for s in range(3):
    base = story(300 + 60 * s)
    files["s%d_a_original.txt" % s] = text("Story %d" % s, base)
    files["s%d_b_cut.txt" % s] = text("Story %d, cut" % s, base[:200])
    lead = story(40)
    files["s%d_c_lead.txt" % s] = text("Story %d, new lead" % s, lead + base[:260])
    ed = base[:]
    for k in range(0, len(ed), 37):
        ed[k] = rnd.choice(vocab)
    files["s%d_d_edited.txt" % s] = text("Story %d, edited" % s, ed)
for a in range(4):
    files["z%d_alone.txt" % a] = text("Alone %d" % a, story(250))
os.makedirs(os.path.join(root, "sub"), exist_ok=True)
for name, t in files.items():
    sub = "sub/" if name.startswith("s2") else ""
    with open(os.path.join(root, sub + name), "w") as f:
        f.write(t)
EOF
}
