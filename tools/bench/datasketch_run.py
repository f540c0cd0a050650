#!/usr/bin/env python3
"""datasketch_run.py - the datasketch baseline of `make bench`.

Reads a list of file names on stdin and does with the public datasketch
library what `reprint scan` does: for every file, a MinHash of 128
permutations over its 5-word shingles (words split on white space,
lowercased), inserted into a MinHashLSH at threshold 0.5; then every file
is queried and the candidate pairs are counted. bench.py times this
script with the same harness as the other tools. It needs datasketch's
source tree on PYTHONPATH and Debian's python3-numpy and python3-scipy.
"""

import sys

from datasketch import MinHash, MinHashLSH

PERMS = 128
SHINGLE = 5
THRESHOLD = 0.5


def shingles(text):
    words = text.lower().split()
    if len(words) < SHINGLE:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i:i + SHINGLE]).encode("utf-8")
            for i in range(len(words) - SHINGLE + 1)]


def main():
    names = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMS)
    sigs = {}
    with lsh.insertion_session() as session:
        for name in names:
            with open(name, encoding="utf-8", errors="replace") as fh:
                sh = shingles(fh.read())
            m = MinHash(num_perm=PERMS)
            if sh:
                m.update_batch(sh)
            sigs[name] = m
            session.insert(name, m)
    pairs = 0
    for name, m in sigs.items():
        pairs += sum(1 for other in lsh.query(m) if other > name)
    print("datasketch: %d files, %d candidate pairs" % (len(names), pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
