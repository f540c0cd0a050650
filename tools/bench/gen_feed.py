#!/usr/bin/env python3
"""gen_feed.py - synthetic news feed for the index benchmark.

Writes N JSON Lines records {"id", "title", "text"} to stdout: articles of
300-700 words drawn from a Zipf-like vocabulary of made-up words, and a
share of reprints (an earlier article cut, re-led, lightly edited). No
real text is used. Deterministic for a given --seed.

usage: gen_feed.py N [--seed S] [--reprints 0.1] [--start K] [--words W]
"""
import argparse
import json
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reprints", type=float, default=0.1)
    ap.add_argument("--start", type=int, default=0, help="first record number")
    ap.add_argument("--words", type=int, default=500, help="mean words an article")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go",
            "ha", "ji", "ku", "ma", "no", "pe", "qui", "ro", "su", "te", "ul", "ve",
            "wa", "xi", "yo", "ze"]
    vocab = []
    seen = set()
    while len(vocab) < 50000:
        w = "".join(rnd.choice(syll) for _ in range(rnd.randint(1, 4)))
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    # Zipf-like weights: cumulative for fast choice
    cum = []
    t = 0.0
    for i in range(len(vocab)):
        t += 1.0 / (i + 10)
        cum.append(t)
    recent = []
    out = sys.stdout
    for i in range(a.start, a.start + a.n):
        if recent and rnd.random() < a.reprints:
            src = rnd.choice(recent)
            words = src[:]
            cut = rnd.randint(len(words) // 2, len(words))
            words = words[:cut]
            for _ in range(rnd.randint(0, 5)):
                words[rnd.randrange(len(words))] = rnd.choice(vocab)
            words = rnd.choices(vocab, cum_weights=cum, k=rnd.randint(0, 40)) + words
        else:
            words = rnd.choices(vocab, cum_weights=cum, k=rnd.randint(a.words * 3 // 5, a.words * 7 // 5))
        recent.append(words)
        if len(recent) > 2000:
            recent.pop(rnd.randrange(len(recent)))
        sents = []
        j = 0
        while j < len(words):
            k = rnd.randint(8, 25)
            s = " ".join(words[j:j + k])
            sents.append(s[:1].upper() + s[1:] + ".")
            j += k
        title = " ".join(words[:8]).capitalize()
        text = title + "\n\n" + " ".join(sents) + "\n"
        out.write(json.dumps({"id": "doc%08d" % i, "title": title, "text": text}) + "\n")


if __name__ == "__main__":
    main()
