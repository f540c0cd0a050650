#!/usr/bin/env python3
"""mkcorpus.py - build a deterministic benchmark corpus for `reprint scan`.

The corpus is made of N articles of about 600 words (300-1200) put together
from paragraphs of real news in ../shared (the labelled eval sets and the
raw news data; they are read, never copied into the repository). About 10%
of the documents are planted reprints of another document of the corpus,
in clusters of 2-8, made with the edits a republishing outlet makes: cut
from the bottom, a middle paragraph dropped, an own lead paragraph, ~2% of
the words changed, straight <-> curly quotes, share buttons, a copyright
line, an outlet footer, and sometimes a reader-comment thread made of
sentences from other articles.

Every other document is a distinct article: its paragraphs are drawn at
random from different source articles, and a paragraph is used verbatim
only the first time it is drawn. Each later use replaces one word in four
(at a random phase) with a word drawn from the same language's text, so
every window of 4 or more words of a reused paragraph is broken and two
unrelated documents share no 5-word shingle by accident.

Output, in OUT (or a new temporary folder, printed on stdout):
  docs/NNN/NNNNNNN.txt   the articles, at most 1000 per subfolder
  corpus.jsonl           the same articles, {"id": "NNN/NNNNNNN", "text": ...}
  truth.tsv              doc_id<TAB>cluster_id for every doc (a planted
                         cluster is pNNNNNN; a doc with no reprint is
                         alone in its own sNNNNNNN cluster)
  params.json            the parameters and the generator's SHA-256
The doc id is the path under docs/ without ".txt". The same parameters
give a byte-identical corpus. Standard library only.
"""

import argparse
import hashlib
import json
import math
import os
import random
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
VERSION = 1

# ---------------------------------------------------------------- sources

WORD_RE = re.compile(r"\w+")
ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
BAD_PARA_RE = re.compile(
    r"https?:|www\.|<[a-z/]|&[a-z]+;|\[|\]\(|@|\||©|^#|^\*\*|^>|"
    r"subscribe|newsletter|sign up|click here|copyright|all rights reserved|"
    r"comments|cookie|privacy policy|advertisement|our journalism|newsdesk|"
    r"read more|related article",
    re.I)
STOPWORDS = {
    "en": "the and of to in is that was for on with he said it as by at".split(),
    "es": "el la de que en los las del se por un una para con es".split(),
    "de": "der die und das den ist nicht mit sich auf für von ein eine dem".split(),
    "fr": "le la les de des et est une un pour dans que qui sur au".split(),
    "tr": "ve bir bu da de için ile olarak çok daha gibi olan ama en".split(),
}
STOPSETS = {k: set(v) for k, v in STOPWORDS.items()}


def source_files(shared):
    """Yield the source text files under SHARED, in a fixed order."""
    roots = [
        os.path.join(shared, "eval", "reprints-dev", "docs"),
        os.path.join(shared, "eval", "meter-dev", "docs"),
        os.path.join(shared, "data", "newsdata"),
    ]
    for root in roots:
        if not os.path.isdir(root):
            continue
        found = []
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in files:
                if f.endswith(".txt") and f.lower() not in ("readme.txt", "provenance.txt"):
                    found.append(os.path.join(d, f))
        found.sort()
        for p in found:
            yield p


def read_text(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x19", "'")
    text = text.replace("\u00a0", " ").replace("``", '"').replace("''", '"')
    return text


def split_paragraphs(text):
    """Paragraphs of a source text, each as one line of single-spaced words."""
    if "<\n" in text:                      # METER PA wire copy: '<' ends a paragraph
        text = text.replace("<\n", "\n\n")
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in block.split("\n")]
        lines = [l for l in lines if l and not re.fullmatch(r"[-=_*\s]+", l)]
        if lines:
            out.append(" ".join(" ".join(lines).split()))
    return out


def language(text):
    if len(ARABIC_RE.findall(text[:4000])) > 50:
        return "ar"
    words = [w.lower() for w in WORD_RE.findall(text[:6000])]
    best, score = "en", -1
    for lang, stops in STOPSETS.items():
        s = sum(1 for w in words if w in stops)
        if s > score:
            best, score = lang, s
    return best


class Pool:
    """Distinct paragraphs and headlines of one language, and its words."""

    def __init__(self):
        self.paras = []        # list of lists of tokens
        self.heads = []        # list of lists of tokens
        self.vocab = []        # word cores, with repeats (frequency-weighted)


def load_pools(shared, log):
    pools = {}
    seen = set()
    seen_heads = set()
    nfiles = 0
    for path in source_files(shared):
        text = read_text(path)
        paras = split_paragraphs(text)
        if len(paras) < 2:
            continue
        nfiles += 1
        lang = language(text)
        pool = pools.setdefault(lang, Pool())
        head = paras[0]
        hw = head.split()
        if 3 <= len(hw) <= 16 and not BAD_PARA_RE.search(head):
            key = " ".join(WORD_RE.findall(head.lower()))
            if key not in seen_heads:
                seen_heads.add(key)
                pool.heads.append(hw)
        for p in paras[1:]:
            toks = p.split()
            if not 15 <= len(toks) <= 220 or BAD_PARA_RE.search(p):
                continue
            if sum(1 for c in p if c.isupper()) > 0.3 * len(p):
                continue
            words = WORD_RE.findall(p.lower())
            grams = [" ".join(words[i:i + 6]) for i in range(len(words) - 5)]
            if not grams:
                continue
            dup = sum(1 for g in grams if g in seen)
            if dup > 0.2 * len(grams):
                continue
            seen.update(grams)
            pool.paras.append(toks)
            for t in toks:
                core = t.strip(".,;:!?\"'()“”‘’«»-–—")
                if core and core.isalpha():
                    pool.vocab.append(core.lower() if not core.isupper() else core)
    pools = {k: v for k, v in pools.items() if len(v.paras) >= 50 and len(v.heads) >= 10}
    log("sources: %d files; %s" % (nfiles, ", ".join(
        "%s %d paragraphs" % (k, len(v.paras)) for k, v in sorted(pools.items()))))
    return pools

# ---------------------------------------------------------------- text edits

TRAIL = ".,;:!?\"”’)»"


def perturb(tokens, rng, vocab, period=4):
    """A copy of TOKENS with one word in PERIOD replaced, at a random phase."""
    out = list(tokens)
    n = len(out)
    off = rng.randrange(period)
    picks = rng.choices(vocab, k=(n - off + period - 1) // period)
    for j, i in enumerate(range(off, n, period)):
        w = out[i]
        r = picks[j]
        if w[:1].isupper() and r[:1].islower():
            r = r[:1].upper() + r[1:]
        if w[-1:] in TRAIL and r[-1:] not in TRAIL:
            r += w[-1]
        out[i] = r
    return out


def edit_words(tokens, rng, vocab, rate):
    """A copy of TOKENS with about RATE of the words replaced."""
    out = list(tokens)
    k = max(1, int(round(len(out) * rate))) if out else 0
    for i in rng.sample(range(len(out)), min(k, len(out))):
        r = rng.choice(vocab)
        if out[i][-1:] in TRAIL:
            r += out[i][-1]
        out[i] = r
    return out


def curly(text):
    text = re.sub(r'(^|[\s(\[])"', "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[])'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


STRAIGHT = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})

# Outlet furniture, written for this generator.
OUTLET_A = ["Capital", "Northern", "Evening", "Daily", "Coastal", "Valley", "Metro",
            "County", "Harbour", "Midland", "Western", "Riverside", "Lakeland", "Border"]
OUTLET_B = ["Chronicle", "Herald", "Post", "Courier", "Gazette", "Times", "Observer",
            "Express", "Record", "Star", "Ledger", "Sentinel"]
FOOTER_SENTENCES = [
    "{o} is part of a group of regional titles owned by its staff and readers.",
    "We publish agency copy alongside the work of our own reporters, edited for length.",
    "Support local reporting by taking out a digital subscription from as little as a pound a week.",
    "To report an error or to send us a story, write to the desk at {d}.",
    "Reader comments are checked by a moderator before they appear on the site.",
    "Our pages are free to read thanks to the advertisers and members who fund them.",
    "Photographs and video on this page may not be reused without the permission of {o}.",
    "You can follow {o} on social media for the latest headlines from the region.",
    "Opinions expressed in the comments are those of the readers and not of {o}.",
    "{o} complies with the code of practice of the independent press standards body.",
]
SHARE_LINES = [
    "Share this article: Facebook · Twitter · WhatsApp · Email",
    "Share  |  Tweet  |  Email  |  Print",
    "Facebook Twitter LinkedIn Email",
    "SHARE THIS STORY",
]
USERS = ["mike_r", "Jo Hart", "anon1977", "PeteInLeeds", "clara.v", "truthseeker",
         "Old Reader", "sam k", "NorthernLass", "dg_1984", "Ahmet Y.", "lucia m"]


def outlets():
    out = []
    for a in OUTLET_A:
        for b in OUTLET_B:
            name = "%s %s" % (a, b)
            h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
            sents = []
            for k in range(5):
                s = FOOTER_SENTENCES[(h >> (4 * k)) % len(FOOTER_SENTENCES)]
                if s not in sents:
                    sents.append(s)
            dom = "news@%s.example" % name.replace(" ", "").lower()
            footer = " ".join(s.format(o=name, d=dom) for s in sents)
            out.append((name, footer, SHARE_LINES[h % len(SHARE_LINES)]))
    return out

# ---------------------------------------------------------------- generator


class Gen:
    def __init__(self, pools, seed):
        self.rng = random.Random(seed)
        self.pools = pools
        self.langs = sorted(pools)
        self.lang_w = [sum(len(p) for p in pools[l].paras) for l in self.langs]
        self.used = {l: bytearray(len(pools[l].paras)) for l in self.langs}
        self.used_h = {l: bytearray(len(pools[l].heads)) for l in self.langs}
        self.outlets = outlets()

    def para(self, lang, heads=False):
        pool = self.pools[lang]
        lst, used = (pool.heads, self.used_h[lang]) if heads else (pool.paras, self.used[lang])
        i = self.rng.randrange(len(lst))
        if not used[i]:
            used[i] = 1
            return list(lst[i])
        return perturb(lst[i], self.rng, pool.vocab)

    def article(self):
        """(lang, headline tokens, [paragraph tokens]) of a fresh article."""
        rng = self.rng
        lang = rng.choices(self.langs, weights=self.lang_w)[0]
        target = int(min(1200, max(300, rng.lognormvariate(math.log(600), 0.35))))
        head = self.para(lang, heads=True)
        paras, n = [], len(head)
        while n < target:
            p = self.para(lang)
            if n + len(p) > 1200:
                p = p[:max(15, 1200 - n)]
            paras.append(p)
            n += len(p)
        return lang, head, paras

    def reprint(self, art):
        """The text of an outlet's reprint of ART."""
        rng = self.rng
        lang, head, paras = art
        vocab = self.pools[lang].vocab
        paras = list(paras)
        if rng.random() < 0.30:                       # rewritten headline
            head = edit_words(head, rng, vocab, 0.3)
        if rng.random() < 0.45 and len(paras) > 3:    # cut from the bottom
            total = sum(len(p) for p in paras)
            keep = max(3, int(len(paras) * rng.uniform(0.4, 0.9)))
            while keep < len(paras) and sum(len(p) for p in paras[:keep]) < 0.5 * total:
                keep += 1
            paras = paras[:keep]
        if rng.random() < 0.25 and len(paras) > 4:    # drop a middle paragraph
            del paras[rng.randrange(2, len(paras) - 1)]
        if rng.random() < 0.20:                       # the outlet's own lead
            paras.insert(0, self.para(lang))
        if rng.random() < 0.50:                       # ~2% of the words edited
            paras = [edit_words(p, rng, vocab, 0.02) for p in paras]
        body = [" ".join(head)] + [" ".join(p) for p in paras]
        text = "\n\n".join(body)
        if rng.random() < 0.35:                       # straight <-> curly quotes
            text = text.translate(STRAIGHT) if "\u201c" in text else curly(text)
        if rng.random() < 0.50:                       # outlet boilerplate
            name, footer, share = rng.choice(self.outlets)
            lines = text.split("\n\n")
            lines.insert(1, share)
            text = "\n\n".join(lines) + "\n\n%s\n\n\u00a9 %d %s. All rights reserved." % (
                footer, rng.randrange(2019, 2027), name)
        if rng.random() < 0.15:                       # reader-comment thread
            k = rng.randrange(2, 7)
            thread = ["%d comments" % k]
            for _ in range(k):
                other = self.para(rng.choice(self.langs) if rng.random() < 0.1 else lang)
                sents = re.split(r"(?<=[.!?])\s+", " ".join(other))
                s = rng.randrange(len(sents))
                thread.append("%s · %dh ago" % (rng.choice(USERS), rng.randrange(1, 48)))
                thread.append("  " + " ".join(sents[s:s + rng.randrange(1, 3)]))
            text += "\n\n" + "\n".join(thread)
        return text + "\n"


def render(art):
    _, head, paras = art
    return "\n\n".join([" ".join(head)] + [" ".join(p) for p in paras]) + "\n"


def plan(n, rng, share=0.10):
    """Cluster sizes, such that about SHARE*N docs are reprints."""
    sizes, reprints, members = [], 0, 0
    weights = [40, 22, 14, 9, 7, 5, 3]                # sizes 2..8
    while reprints < share * n:
        s = min(rng.choices(range(2, 9), weights=weights)[0], n - members)
        if s < 2:
            break
        sizes.append(s)
        reprints += s - 1
        members += s
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--docs", type=int, default=20000, help="number of documents (default 20000)")
    ap.add_argument("-s", "--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-o", "--out", help="output folder (default: a new temporary folder)")
    ap.add_argument("--shared", default=DEFAULT_SHARED, help="the shared data folder (default %(default)s)")
    ap.add_argument("--no-jsonl", action="store_true", help="do not write corpus.jsonl")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    log = (lambda m: None) if a.quiet else (lambda m: print("mkcorpus: " + m, file=sys.stderr))
    if a.docs < 2:
        ap.error("--docs must be at least 2")
    t0 = time.time()
    pools = load_pools(a.shared, log)
    if not pools:
        print("mkcorpus: %s: no source articles found" % a.shared, file=sys.stderr)
        return 2
    out = a.out or tempfile.mkdtemp(prefix="reprint-bench-")
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)

    gen = Gen(pools, a.seed)
    rng = gen.rng
    sizes = plan(a.docs, rng)
    # slots: -1 = a document with no reprint, else (cluster, member); member 0 is the original
    slots = [(c, m) for c, s in enumerate(sizes) for m in range(s)]
    slots += [(-1, 0)] * (a.docs - len(slots))
    rng.shuffle(slots)
    originals = [gen.article() for _ in sizes]

    jl = None if a.no_jsonl else open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8", newline="\n")
    truth = open(os.path.join(out, "truth.tsv"), "w", encoding="utf-8", newline="\n")
    truth.write("doc_id\tcluster_id\n")
    nbytes = 0
    for i, (c, m) in enumerate(slots):
        if i % 1000 == 0:
            os.makedirs(os.path.join(out, "docs", "%03d" % (i // 1000)), exist_ok=True)
        doc_id = "%03d/%07d" % (i // 1000, i)
        if c < 0:
            text = render(gen.article())
            cid = "s%07d" % i
        else:
            text = render(originals[c]) if m == 0 else gen.reprint(originals[c])
            cid = "p%06d" % c
        data = text.encode("utf-8")
        nbytes += len(data)
        with open(os.path.join(out, "docs", doc_id + ".txt"), "wb") as fh:
            fh.write(data)
        if jl:
            jl.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
        truth.write("%s\t%s\n" % (doc_id, cid))
    truth.close()
    if jl:
        jl.close()
    with open(__file__, "rb") as fh:
        gen_sha = hashlib.sha256(fh.read()).hexdigest()
    params = {"version": VERSION, "docs": a.docs, "seed": a.seed, "jsonl": not a.no_jsonl,
              "generator_sha256": gen_sha, "clusters": len(sizes),
              "reprints": sum(s - 1 for s in sizes), "bytes": nbytes}
    with open(os.path.join(out, "params.json"), "w") as fh:
        json.dump(params, fh, indent=1, sort_keys=True)
        fh.write("\n")
    log("%d docs (%d planted clusters, %d reprints), %.1f MB in %s, %.1fs" % (
        a.docs, len(sizes), params["reprints"], nbytes / 1e6, out, time.time() - t0))
    if not a.out:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
