"""Writes scikit-learn's TF-IDF of pre-tokenized documents, for koe's parity test.

usage: sklearn_tfidf.py DOCS OUT SUBLINEAR SMOOTH MIN_DF
DOCS: one document per line, terms separated by tabs.
OUT: the vocabulary (tab separated) on the first line, then "row col value" per nonzero.
"""
import sys

from sklearn.feature_extraction.text import TfidfVectorizer


def main() -> None:
    docs_path, out_path, sublinear, smooth, min_df = sys.argv[1:6]
    with open(docs_path, encoding="utf-8") as f:
        docs = [line.rstrip("\n").split("\t") if line.strip("\n") else [] for line in f]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=sublinear == "1",
                          smooth_idf=smooth == "1", min_df=int(min_df), lowercase=False)
    x = vec.fit_transform(docs).tocoo()
    vocab = vec.get_feature_names_out()
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\t".join(vocab) + "\n")
        for r, c, v in zip(x.row, x.col, x.data):
            f.write(f"{r} {c} {v:.9f}\n")


if __name__ == "__main__":
    main()
