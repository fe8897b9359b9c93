#!/usr/bin/python3
"""koe in a notebook: cluster customer voices and look at the result, cell by cell.

Run it as a script from the repository root after building (scripts/build.sh):

    PYTHONPATH=build/bindings/python /usr/bin/python3 examples/notebook.py

or open it in Jupyter / VS Code, which read the `# %%` markers as cells.
"""

# %% Read the voices with koe's reader: CSV, TSV, JSON Lines or text; UTF-8, Shift_JIS, EUC-JP.
import pathlib

import koe

ROOT = pathlib.Path(__file__).resolve().parents[1]
voices = koe.read_voices(ROOT / "data" / "sample" / "voices.csv")  # a pandas DataFrame
print(voices.head())
print(voices["status"].value_counts().to_dict())

# %% Check what the tokenizer makes of a voice before clustering.
print(koe.tokenize("ログイン画面が使えない"))  # ['ログイン', '画面', 'ログイン画面', '使えない']

# %% Fit: the text column is clustered, the other columns travel along as metadata.
model = koe.Pipeline(k=8, seed=5).fit(voices)
print(model)
print(model.report())  # the table `koe cluster` prints

# %% One row per cluster: label, size, distinctive terms, representative voices.
clusters = model.clusters_frame()
print(clusters[["label", "size", "share", "cohesion"]])

# %% Where each voice went: a label per voice (-1 = noise or empty), next to the input.
voices["cluster"] = model.labels_
voices["similarity"] = model.similarity_
print(voices[["id", "text", "cluster", "similarity"]].head(10))

# %% Which segment complains about what.
print(voices[voices.cluster >= 0].groupby(["cluster", "segment"]).size().unstack(fill_value=0))

# %% The TF-IDF matrix (scipy CSR) and the vocabulary, for your own models.
print(model.tfidf_.shape, len(model.vocabulary_))
new = model.transform(["配達がいつも遅い", "アプリが落ちる"])
print(new.shape, new.nnz)

# %% Choose k automatically and reduce with LSA first; the silhouette curve shows the choice.
auto = koe.Pipeline(k="auto", reduce="lsa:50", merge_factor=2, seed=5).fit(voices)
print("chosen k:", auto.n_clusters_)
print(auto.k_curve_)

# %% Errors carry the file and line, and are ValueErrors you can catch.
try:
    koe.read_voices(ROOT / "data" / "sample" / "voices.csv", text_column="comment")
except koe.InputError as e:
    print(type(e).__name__, e.code, e)
