"""Clustering quality of koe against labelled corpora, side by side with the common peer
pipeline (MeCab tokens -> scikit-learn TfidfVectorizer -> KMeans).

usage: /usr/bin/python3 scripts/eval_quality.py [--koe build/koe] [--seeds 0 1 2] [--peer]
       [--corpus ../shared/corpora/asdc-topic-queries/voices.tsv] [-- extra koe options]

Reports NMI and ARI (median over seeds) for each subset at k = number of labels and -k auto.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

SUBSETS = {
    # name: (id prefix, minimum texts per label to keep the label)
    "L1": ("topic.L1.1turn.", 20),
    "L2.food": ("topic.L2.food.1turn.", 20),
}


def load_subset(path, prefix, min_count):
    rows = []
    with open(path, encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        for r in reader:
            if r["id"].startswith(prefix):
                rows.append(r)
    counts = {}
    for r in rows:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    return [r for r in rows if counts[r["label"]] >= min_count]


def run_koe(koe, rows, k, seed, extra, workdir):
    src = os.path.join(workdir, "in.tsv")
    with open(src, "w", encoding="utf-8") as f:
        f.write("id\ttext\n")
        for r in rows:
            f.write(f"{r['id']}\t{r['text']}\n")
    out = os.path.join(workdir, "out")
    cmd = [koe, "cluster", src, "-k", str(k), "--seed", str(seed), "-q", "-o", out] + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "assignments.csv"), encoding="utf-8") as f:
        labels = [int(r["cluster"]) for r in csv.DictReader(f)]
    return labels


def peer_labels(rows, k, seed, cache):
    import MeCab
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    if "tokens" not in cache:
        # ipadic-utf8 by path, as koe reads it: MeCab's own default follows Debian's alternatives,
        # which installing unidic-mecab turns to UniDic.
        tagger = MeCab.Tagger("-d /var/lib/mecab/dic/ipadic-utf8")
        docs = []
        for r in rows:
            terms = []
            node = tagger.parseToNode(r["text"])
            while node:
                feat = node.feature.split(",")
                if feat[0] in ("名詞", "動詞", "形容詞"):
                    terms.append(feat[6] if len(feat) > 6 and feat[6] != "*" else node.surface)
                node = node.next
            docs.append(terms)
        cache["tokens"] = docs
    x = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2).fit_transform(cache["tokens"])
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(x).tolist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--koe", default="build/koe")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                     "corpora", "asdc-topic-queries", "voices.tsv"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--peer", action="store_true", help="also run the peer pipeline")
    ap.add_argument("--auto", action="store_true", help="also run koe with -k auto")
    ap.add_argument("--subsets", nargs="+", default=list(SUBSETS))
    ap.add_argument("extra", nargs="*", help="extra koe cluster options (after --)")
    a = ap.parse_args()
    if not os.path.exists(a.corpus):
        print(f"skip: {a.corpus} not found")
        return 0
    for name in a.subsets:
        prefix, min_count = SUBSETS[name]
        rows = load_subset(a.corpus, prefix, min_count)
        truth = [r["label"] for r in rows]
        k = len(set(truth))
        runs = [("koe k=%d" % k, k, "koe")]
        if a.auto:
            runs.append(("koe k=auto", "auto", "koe"))
        if a.peer:
            runs.append(("peer k=%d" % k, k, "peer"))
        cache = {}
        for label, kk, who in runs:
            nmi, ari, ks = [], [], []
            for seed in a.seeds:
                with tempfile.TemporaryDirectory() as d:
                    if who == "koe":
                        pred = run_koe(a.koe, rows, kk, seed, a.extra, d)
                    else:
                        pred = peer_labels(rows, kk, seed, cache)
                nmi.append(normalized_mutual_info_score(truth, pred))
                ari.append(adjusted_rand_score(truth, pred))
                ks.append(len(set(p for p in pred if p >= 0)))
            print(f"{name:8s} n={len(rows):5d} {label:12s} NMI {statistics.median(nmi):.3f} "
                  f"ARI {statistics.median(ari):.3f}  (k found {statistics.median(ks):g}; "
                  f"NMI per seed {' '.join(f'{x:.3f}' for x in nmi)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
