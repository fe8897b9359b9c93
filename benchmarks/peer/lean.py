#!/usr/bin/python3
"""The lean peer: the fastest plain MeCab + scikit-learn script a Python analyst writes, timed.

    /usr/bin/python3 benchmarks/peer/lean.py voices.txt -k 30 --seed 1 --labels labels.csv

Where peer.py walks MeCab's nodes one Python object at a time, this script asks MeCab for its
whole text output once per voice (Tagger.parse) and splits the string. It reads plain lines, one
voice per line (a .csv input is read through its `text` column instead), does no Unicode
normalization, keeps the base forms of nouns, verbs and adjectives but drops the nouns that carry
no topic (非自立, 数, 代名詞, 接尾), joins them with spaces and hands them to
TfidfVectorizer(tokenizer=str.split, min_df=2, sublinear_tf=True) and KMeans(n_init=1). Same
command line as peer.py; ids are the line numbers (the CSV's `id` column for a .csv). Prints the
time of each stage and the peak RSS; --json writes them, --labels writes `id,cluster`.
"""
import argparse
import csv
import json
import resource
import sys
import time

import MeCab
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

KEEP = frozenset(("名詞", "動詞", "形容詞"))
DROP_NOUNS = frozenset(("非自立", "数", "代名詞", "接尾"))


def read_voices(path, text_column, id_column):
    if not path.endswith(".csv"):
        with open(path, encoding="utf-8") as f:
            texts = f.read().splitlines()
        return [str(n) for n in range(1, len(texts) + 1)], texts
    ids, texts = [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if text_column not in (reader.fieldnames or []):
            sys.exit(f"lean: {path} has no column '{text_column}'")
        has_id = id_column in reader.fieldnames
        for n, row in enumerate(reader, 1):
            ids.append(row[id_column] if has_id else str(n))
            texts.append(row[text_column])
    return ids, texts


def terms_of(parsed):
    """Space-joined base forms from MeCab's text output ("surface\\tPOS,sub,...,base,...")."""
    out = []
    for line in parsed.split("\n"):
        surface, _, feature = line.partition("\t")
        if not feature:
            continue  # EOS and the empty last line
        f = feature.split(",", 7)
        if f[0] not in KEEP or (f[0] == "名詞" and f[1] in DROP_NOUNS):
            continue
        out.append(f[6] if len(f) > 6 and f[6] != "*" else surface)
    return " ".join(out)


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
    # ipadic-utf8 by path: MeCab's default follows Debian's alternatives (UniDic once installed).
    parse = MeCab.Tagger("-d /var/lib/mecab/dic/ipadic-utf8").parse
    docs = [terms_of(parse(s)) for s in texts]
    timings["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    vectorizer = TfidfVectorizer(tokenizer=str.split, token_pattern=None, min_df=2,
                                 sublinear_tf=True)
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
    # Linux reports ru_maxrss in kilobytes.
    timings["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for stage in ("read", "tokenize", "vectorize", "cluster", "per_iteration"):
        print(f"lean: {stage} {timings[stage]:.3f} s", file=sys.stderr)
    print(f"lean: {timings['iterations']} iterations, vocabulary {timings['vocabulary']}, "
          f"{timings['nonzeros']} nonzeros, peak RSS {timings['peak_rss'] / 2**20:.0f} MiB",
          file=sys.stderr)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(timings, f)


if __name__ == "__main__":
    main()
