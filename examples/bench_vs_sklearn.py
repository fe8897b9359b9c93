#!/usr/bin/python3
"""koe.Pipeline against the MeCab + scikit-learn peer, in one process on the same texts.

    PYTHONPATH=build/bindings/python /usr/bin/python3 examples/bench_vs_sklearn.py [--texts N]

The peer is what an analyst writes in a notebook today, as benchmarks/peer/peer.py defines it:
NFKC + lower case, base forms of nouns, verbs and adjectives from MeCab's Python binding (Debian
python3-mecab), TfidfVectorizer(sublinear_tf=True, min_df=2), KMeans(n_init=1). koe runs with the
same k, seed and n_init=1. Texts: the ASDC corpus from ../shared/corpora when present, else the
bundled sample repeated with numbered variants. Prints the median time of each side over the
repeats and the ratio peer / koe; with the corpus's topic labels also the NMI of both.
"""
import argparse
import importlib.util
import pathlib
import statistics
import sys
import time
import unicodedata

import koe

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "asdc-topic-queries" / "voices.tsv"
KEEP = ("名詞", "動詞", "形容詞")


def load_texts(n):
    """Up to n texts and their topic labels (None without a labelled corpus)."""
    if CORPUS.exists():
        frame = koe.read_voices(CORPUS)
        texts, labels = list(frame["text"])[:n], list(frame["label"])[:n]
        return texts, labels, f"{CORPUS.parent.name} ({len(texts)} texts)"
    sample = list(koe.read_voices(ROOT / "data" / "sample" / "voices.csv")["text"])
    texts = [f"{t} その{i}" for i in range(n // len(sample) + 1) for t in sample][:n]
    return texts, None, f"bundled sample repeated ({len(texts)} texts)"


def peer_fit(texts, k, seed):
    import MeCab
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    # ipadic-utf8 by path, as koe reads it: MeCab's own default follows Debian's alternatives,
    # which installing unidic-mecab turns to UniDic.
    tagger = MeCab.Tagger("-d /var/lib/mecab/dic/ipadic-utf8")
    tagger.parse("")  # older SWIG bindings return empty surfaces until one parse() has run
    docs = []
    for text in texts:
        terms = []
        node = tagger.parseToNode(unicodedata.normalize("NFKC", text).lower())
        while node:
            features = node.feature.split(",")
            if features[0] in KEEP:
                terms.append(features[6] if len(features) > 6 and features[6] != "*"
                             else node.surface)
            node = node.next
        docs.append(terms)
    x = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2).fit_transform(docs)
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(x)


def koe_fit(texts, k, seed, threads):
    return koe.Pipeline(k=k, seed=seed, n_init=1, threads=threads).fit(texts).labels_


def timed(f, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", type=int, default=30000, help="number of texts (default 30000)")
    p.add_argument("-k", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=None, help="koe threads (default: all cores)")
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    missing = [m for m in ("MeCab", "sklearn") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"skipped: the peer needs {', '.join(missing)} (Debian python3-mecab, "
              "python3-sklearn)")
        return 0

    texts, truth, source = load_texts(a.texts)
    koe_s, koe_labels = timed(lambda: koe_fit(texts, a.k, a.seed, a.threads), a.repeats)
    peer_s, peer_labels = timed(lambda: peer_fit(texts, a.k, a.seed), a.repeats)
    print(f"texts: {source}; k={a.k}, seed={a.seed}, median of {a.repeats}")
    print(f"koe.Pipeline (threads={a.threads or 'all'}): {koe_s:8.3f} s")
    print(f"MeCab + scikit-learn peer:        {peer_s:8.3f} s")
    print(f"ratio peer / koe:                 {peer_s / koe_s:8.1f}x")
    if truth is not None:
        from sklearn.metrics import normalized_mutual_info_score as nmi
        print(f"NMI against the topic labels: koe {nmi(truth, koe_labels):.3f}, "
              f"peer {nmi(truth, peer_labels):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
