#!/usr/bin/python3
"""The Python peer: the MeCab + scikit-learn pipeline an analyst writes today, timed per stage.

    /usr/bin/python3 benchmarks/peer/peer.py voices.csv -k 30 --seed 1 --labels labels.csv

Reads the `text` column of a CSV file, normalizes it (NFKC, lower case), keeps the base forms of
nouns, verbs and adjectives from MeCab (Debian python3-mecab), builds TF-IDF rows with
scikit-learn's TfidfVectorizer(sublinear_tf=True, min_df=2) and clusters them with
KMeans(n_init=1). Prints the time of each stage; writes `id,cluster` per voice with --labels and
the timings as JSON with --json. Threads of KMeans follow OMP_NUM_THREADS; the rest is serial.
"""
import argparse
import csv
import json
import sys
import time
import unicodedata

import MeCab
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

KEEP = ("名詞", "動詞", "形容詞")


def read_voices(path, text_column, id_column):
    ids, texts = [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if text_column not in (reader.fieldnames or []):
            sys.exit(f"peer: {path} has no column '{text_column}'")
        has_id = id_column in reader.fieldnames
        for n, row in enumerate(reader, 1):
            ids.append(row[id_column] if has_id else str(n))
            texts.append(unicodedata.normalize("NFKC", row[text_column]).lower())
    return ids, texts


def tokenize(tagger, text):
    """Base forms of nouns, verbs and adjectives, walking MeCab's nodes one by one."""
    terms = []
    node = tagger.parseToNode(text)
    while node:
        features = node.feature.split(",")
        if features[0] in KEEP:
            base = features[6] if len(features) > 6 and features[6] != "*" else node.surface
            terms.append(base)
        node = node.next
    return terms


def identity(terms):
    return terms


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input")
    p.add_argument("-k", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--text-column", default="text")
    p.add_argument("--id-column", default="id")
    p.add_argument("--labels", help="write id,cluster per voice to this file")
    p.add_argument("--json", help="write the stage timings as JSON to this file")
    a = p.parse_args()

    timings = {}
    t = time.perf_counter()
    ids, texts = read_voices(a.input, a.text_column, a.id_column)
    timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    # ipadic-utf8 by path, as koe reads it: MeCab's own default follows Debian's alternatives,
    # which installing unidic-mecab turns to UniDic.
    tagger = MeCab.Tagger("-d /var/lib/mecab/dic/ipadic-utf8")
    # Older SWIG bindings return empty surfaces from the first parseToNode; one parse() first
    # initializes the tagger.
    tagger.parse("")
    docs = [tokenize(tagger, s) for s in texts]
    timings["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer=identity, sublinear_tf=True, min_df=2)
    x = vectorizer.fit_transform(docs)
    timings["vectorize"] = time.perf_counter() - t

    t = time.perf_counter()
    km = KMeans(n_clusters=a.k, n_init=1, random_state=a.seed)
    labels = km.fit_predict(x)
    timings["cluster"] = time.perf_counter() - t
    timings["iterations"] = int(km.n_iter_)
    timings["per_iteration"] = timings["cluster"] / max(1, km.n_iter_)
    timings["vocabulary"] = len(vectorizer.vocabulary_)
    timings["nonzeros"] = int(x.nnz)

    if a.labels:
        with open(a.labels, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "cluster"])
            w.writerows(zip(ids, labels.tolist()))
    for stage in ("read", "tokenize", "vectorize", "cluster", "per_iteration"):
        print(f"peer: {stage} {timings[stage]:.3f} s", file=sys.stderr)
    print(f"peer: {timings['iterations']} iterations, vocabulary {timings['vocabulary']}, "
          f"{timings['nonzeros']} nonzeros", file=sys.stderr)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(timings, f)


if __name__ == "__main__":
    main()
