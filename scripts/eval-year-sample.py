#!/usr/bin/env python3
"""Adjusted Rand index of koe's clusters against the planted `topic` of the year sample, for each
month and for the whole year (the twelve files joined under one header).

usage: /usr/bin/python3 scripts/eval-year-sample.py [--koe build/koe] [--seed 1]
       [--folder data/sample/year] [-- extra koe options]

Blank voices (no topic) are left out of the score. Prints one line per run with the clusters
found and the ARI at -k auto and at k = the number of topics present.
"""
import argparse
import csv
import glob
import os
import subprocess
import sys
import tempfile

from sklearn.metrics import adjusted_rand_score


def run(koe, path, k, seed, extra, work):
    out = os.path.join(work, "out")
    subprocess.run([koe, "cluster", path, "-k", str(k), "--seed", str(seed), "-q", "-o", out]
                   + extra, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "assignments.csv"), encoding="utf-8") as f:
        return {r["id"]: r["cluster"] for r in csv.DictReader(f)}


def score(koe, path, seed, extra, work):
    with open(path, encoding="utf-8", newline="") as f:
        truth = {r["id"]: r["topic"] for r in csv.DictReader(f) if r["topic"]}
    line = []
    for k in ("auto", len(set(truth.values()))):
        got = run(koe, path, k, seed, extra, work)
        ids = [i for i in truth if i in got]
        ari = adjusted_rand_score([truth[i] for i in ids], [got[i] for i in ids])
        line.append(f"k={k}: {len(set(got.values())):3d} clusters ARI {ari:.3f}")
    return f"{len(truth):5d} voices {len(set(truth.values())):3d} topics  " + "  ".join(line)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--koe", default=os.path.join(root, "build", "koe"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--folder", default=os.path.join(root, "data", "sample", "year"))
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.folder, "20??-??.csv")))
    with tempfile.TemporaryDirectory() as work:
        for path in files:
            print(os.path.basename(path)[:7], score(args.koe, path, args.seed, args.extra, work))
        year = os.path.join(work, "year.csv")
        with open(year, "wb") as out:
            for n, path in enumerate(files):
                with open(path, "rb") as f:
                    lines = f.read().split(b"\r\n", 1)
                out.write((lines[0] + b"\r\n" if n == 0 else b"") + lines[1])
        print("year   ", score(args.koe, year, args.seed, args.extra, work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
