"""How well `koe assign` carries a fit over to new voices, on a labelled corpus.

usage: /usr/bin/python3 scripts/eval_assign.py [--koe build/koe] [--seeds 1 100 1000]
       [--corpus ../shared/corpora/asdc-topic-queries/voices.tsv] [--subset L1] [-k 11]
       [--held 駐車場 景色 ...] [-- extra koe assign options]

Two measurements, each over the seeds (the median is printed):
- split: fit on a random 80% (`koe cluster`, which writes model.koe), assign the other 20%
  (`koe assign --new-theme off`), and compare the NMI of those 20% against their labels with the
  NMI of the same rows in a fit on 100%.
- held-out topic: fit with one label left out, assign that label's voices together with the 20%
  of the other labels (default rule, or the extra options given), and report the share of the
  held-out voices that land in new_theme and the share of known-topic voices that do (false
  alarms).
"""
import argparse
import csv
import os
import random
import statistics
import subprocess
import tempfile

from sklearn.metrics import normalized_mutual_info_score as nmi

SUBSETS = {"L1": ("topic.L1.1turn.", 20), "L2.food": ("topic.L2.food.1turn.", 20)}


def load_subset(path, prefix, min_count):
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                if r["id"].startswith(prefix)]
    counts = {}
    for r in rows:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    return [r for r in rows if counts[r["label"]] >= min_count]


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("id\ttext\n")
        for r in rows:
            f.write(f"{r['id']}\t{r['text']}\n")


def read_assignments(out):
    with open(os.path.join(out, "assignments.csv"), encoding="utf-8") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def fit(koe, rows, k, seed, work, name):
    src, out = os.path.join(work, name + ".tsv"), os.path.join(work, name)
    write_tsv(src, rows)
    subprocess.run([koe, "cluster", src, "-k", str(k), "--seed", str(seed), "-q", "-o", out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def assign(koe, rows, model_dir, work, name, extra):
    src, out = os.path.join(work, name + ".tsv"), os.path.join(work, name)
    write_tsv(src, rows)
    subprocess.run([koe, "assign", src, "--model", os.path.join(model_dir, "model.koe"), "-q",
                    "-o", out] + extra, check=True, stdout=subprocess.DEVNULL)
    return read_assignments(out)


def split(rows, seed):
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    cut = int(0.8 * len(rows))
    return [rows[i] for i in sorted(order[:cut])], [rows[i] for i in sorted(order[cut:])]


def split_nmi(a, rows, k, seed, work):
    """NMI of the assigned 20%, of the same rows in the 100% fit, and of the 80% fit itself."""
    train, test = split(rows, seed)
    model_dir = fit(a.koe, train, k, seed, work, "train")
    got = assign(a.koe, test, model_dir, work, "test", ["--new-theme", "off"])
    own = read_assignments(model_dir)
    whole = read_assignments(fit(a.koe, rows, k, seed, work, "all"))
    labels = [r["label"] for r in test]
    assigned = nmi(labels, [int(got[r["id"]]["cluster"]) for r in test])
    in_whole = nmi(labels, [int(whole[r["id"]]["cluster"]) for r in test])
    in_own = nmi([r["label"] for r in train], [int(own[r["id"]]["cluster"]) for r in train])
    return assigned, in_whole, in_own


def held_out(a, rows, k, seed, held, work):
    train, test = split([r for r in rows if r["label"] != held], seed)
    batch = test + [r for r in rows if r["label"] == held]
    got = assign(a.koe, batch, fit(a.koe, train, k, seed, work, "held"), work, "batch", a.extra)
    new, known = [0, 0], [0, 0]
    for r in batch:
        g = got[r["id"]]
        if g["status"] in ("empty", "rejected"):
            continue
        tally = new if r["label"] == held else known
        tally[0] += g["status"] == "new_theme"
        tally[1] += 1
    return new[0] / new[1], known[0] / known[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--koe", default="build/koe")
    p.add_argument("--corpus", default="../shared/corpora/asdc-topic-queries/voices.tsv")
    p.add_argument("--subset", default="L1", choices=sorted(SUBSETS))
    p.add_argument("-k", type=int, default=0, help="clusters (default: the number of labels)")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 3, 10, 100, 1000, 1234, 10000, 77777])
    p.add_argument("--held", nargs="*", default=["駐車場", "景色", "ベッド", "子ども", "値段", "立地"])
    p.add_argument("extra", nargs=argparse.REMAINDER)
    a = p.parse_args()
    a.koe = os.path.abspath(a.koe)
    a.extra = [x for x in a.extra if x != "--"]
    rows = load_subset(a.corpus, *SUBSETS[a.subset])
    k = a.k or len({r["label"] for r in rows})
    with tempfile.TemporaryDirectory() as work:
        pairs = [split_nmi(a, rows, k, s, work) for s in a.seeds]
        for s, (x, y, z) in zip(a.seeds, pairs):
            print(f"seed {s}: NMI of the assigned 20% {x:.4f}; same rows in the 100% fit {y:.4f}; "
                  f"the 80% fit on its own rows {z:.4f}")
        print(f"split ({a.subset}, k={k}, median of {len(a.seeds)} seeds): assigned 20% "
              f"{statistics.median(x for x, _, _ in pairs):.4f}, same rows in the 100% fit "
              f"{statistics.median(y for _, y, _ in pairs):.4f}, the 80% fit on its own rows "
              f"{statistics.median(z for _, _, z in pairs):.4f}")
        for held in a.held:
            rates = [held_out(a, rows, k - 1, s, held, work) for s in a.seeds]
            print(f"held-out {held}: new_theme {statistics.median(r for r, _ in rates):.3f} of its "
                  f"voices, false alarms {statistics.median(f for _, f in rates):.3f} of the "
                  f"known-topic voices")


if __name__ == "__main__":
    main()
