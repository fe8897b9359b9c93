"""koe.Pipeline: fitting on the sample, shapes and dtypes, parity with the CLI and with the C++
matrices, inputs from numpy and pandas, errors, determinism, and the GIL."""

import json
import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import koe


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


@pytest.fixture(scope="module")
def fitted(sample_texts):
    return koe.Pipeline(k=8, seed=5).fit(sample_texts)


def test_fit_gives_one_label_and_similarity_per_text(fitted, sample_texts):
    n = len(sample_texts)
    assert fitted.labels_.shape == (n,) and fitted.labels_.dtype == np.int32
    assert fitted.similarity_.shape == (n,) and fitted.similarity_.dtype == np.float32
    assert fitted.n_clusters_ == 8
    assert set(np.unique(fitted.labels_)) <= set(range(-1, 8))
    assert len(fitted.clusters_) == 8


def test_clusters_describe_their_members(fitted, sample_texts):
    labels = fitted.labels_
    for c in fitted.clusters_:
        assert set(c) == {"id", "label", "size", "share", "cohesion", "duplicates", "terms",
                          "representatives"}
        assert c["size"] == int(np.sum(labels == c["id"]))
        assert c["label"] == "・".join(t for t, _ in c["terms"][:3])
        for rep in c["representatives"]:
            assert labels[rep["index"]] == c["id"]
            assert rep["text"] == sample_texts[rep["index"]]


def test_tfidf_is_csr_aligned_with_texts_and_vocabulary(fitted, sample_texts):
    sparse = pytest.importorskip("scipy.sparse")
    m = fitted.tfidf_
    assert sparse.isspmatrix_csr(m) and m.dtype == np.float32
    assert m.shape == (len(sample_texts), len(fitted.vocabulary_))
    assert m.indices.dtype == np.int32 and m.indptr.dtype == np.int32
    names = fitted.get_feature_names_out()
    assert all(fitted.vocabulary_[t] == i for i, t in enumerate(names))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    nonzero = norms > 0
    assert np.allclose(norms[nonzero], 1.0, atol=1e-5)


def test_tfidf_equals_transform_of_the_same_texts(fitted, sample_texts):
    pytest.importorskip("scipy.sparse")
    a, b = fitted.tfidf_, fitted.transform(sample_texts)
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def test_tfidf_matches_scikit_learn_on_the_same_terms(fitted):
    pytest.importorskip("scipy.sparse")
    text = pytest.importorskip("sklearn.feature_extraction.text")
    # Rows are the texts that reached the vectorizer (not empty), terms or not: all count in idf.
    rows = np.flatnonzero(~np.isnan(fitted.similarity_))
    vec = text.TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2,
                               lowercase=False)
    expected = vec.fit_transform([fitted.terms_[i] for i in rows])
    assert list(vec.get_feature_names_out()) == list(fitted.get_feature_names_out())
    diff = fitted.tfidf_[rows] - expected
    assert abs(diff).max() < 1e-6


def test_transform_of_new_texts_uses_fitted_vocabulary(fitted):
    pytest.importorskip("scipy.sparse")
    m = fitted.transform(["配達が遅い", "未知語だけ", ""])
    assert m.shape == (3, len(fitted.vocabulary_))
    assert m[0].nnz > 0 and m[2].nnz == 0


def test_empty_texts_get_minus_one_nan_and_zero_rows(sample_texts):
    texts = list(sample_texts[:60]) + ["", "   ", None, float("nan"), "。"]
    model = koe.Pipeline(k=3, seed=1).fit(texts)
    assert list(model.labels_[-5:]) == [-1] * 5
    # "。" reaches the vectorizer with no terms (noise); the others never do (empty).
    assert [math.isnan(s) for s in model.similarity_[-5:]] == [True, True, True, True, False]
    assert model.terms_[-1] == []
    if have("scipy.sparse"):
        assert model.tfidf_.shape[0] == len(texts)
        assert model.tfidf_[-5:].nnz == 0


def test_labels_and_table_equal_the_cli(cli, sample_path, tmp_path):
    out = tmp_path / "out"
    table = subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5",
                            "-o", str(out), "-q"], check=True, capture_output=True,
                           text=True).stdout
    voices = koe.read_voices(sample_path)
    model = koe.Pipeline(k=8, seed=5).fit(voices["text"])
    scored = koe.Pipeline(k=8, seed=5).fit(voices)  # scoring reads the ratings and segments
    lines = (out / "assignments.csv").read_text(encoding="utf-8").splitlines()[1:]
    cli_labels = [int(line.split(",")[1]) for line in lines]
    assert cli_labels == model.labels_.tolist()
    assert table.startswith(model.report("table"))
    assert scored.report("candidates_table") in table
    clusters = json.loads((out / "clusters.json").read_text(encoding="utf-8"))["clusters"]
    assert [c["label"] for c in clusters] == [c["label"] for c in model.clusters_]


def test_frame_with_meta_reproduces_the_cli_assignments(cli, sample_path, tmp_path):
    pytest.importorskip("pandas")
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "auto", "--reduce", "lsa:30",
                    "--merge-factor", "2", "-o", str(out), "-q"], check=True,
                   capture_output=True)
    model = koe.Pipeline(k="auto", reduce="lsa:30", merge_factor=2).fit(
        koe.read_voices(sample_path))
    assert model.report("csv") == (out / "assignments.csv").read_text(encoding="utf-8")
    assert model.reduced_.shape == (400, 30) and model.reduced_.dtype == np.float32
    assert model.n_clusters_ == expected_automatic_k(model.k_curve_)


def expected_automatic_k(curve):
    """The k that -k auto must choose from its curve (README): the best silhouette, first on
    ties, or, when that is the largest k tried, the knee (the point farthest above the chord)."""
    assert len(curve) >= 2
    best_k, best = curve[0]
    for k, s in curve:
        if s > best:
            best_k, best = k, s
    (k0, s0), (k1, s1) = curve[0], curve[-1]
    if len(curve) >= 3 and best_k == k1:
        slope = (s1 - s0) / (k1 - k0)
        gap = 0.0
        for k, s in curve:
            if s - (s0 + slope * (k - k0)) > gap:
                gap, best_k = s - (s0 + slope * (k - k0)), k
    return best_k


def test_numpy_and_pandas_inputs_give_the_same_labels(fitted, sample_texts):
    model = koe.Pipeline(k=8, seed=5)
    assert np.array_equal(model.fit_predict(np.array(sample_texts)), fitted.labels_)
    assert np.array_equal(model.fit_predict(tuple(sample_texts)), fitted.labels_)
    pd = pytest.importorskip("pandas")
    series = pd.Series(sample_texts, index=range(1000, 1000 + len(sample_texts)))
    assert np.array_equal(model.fit_predict(series), fitted.labels_)
    assert model.assignments_frame()["id"].iloc[0] == "1000"  # the Series index names the voices
    assert fitted.report("csv").splitlines()[1].startswith("0,")  # else the position


def test_meta_from_frame_or_dict_fills_ids_and_is_carried(sample_path):
    pd = pytest.importorskip("pandas")
    voices = koe.read_voices(sample_path)
    from_frame = koe.Pipeline(k=8, seed=5).fit(voices)
    from_series = koe.Pipeline(k=8, seed=5).fit(voices["text"], meta=voices)
    meta = {"id": list(voices["id"]), "rating": pd.to_numeric(voices["rating"]).to_numpy(),
            "created_at": pd.to_datetime(voices["timestamp"])}
    from_dict = koe.Pipeline(k=8, seed=5).fit(list(voices["text"]), meta=meta)
    for model in (from_series, from_dict):
        assert np.array_equal(model.labels_, from_frame.labels_)
    rep = from_dict.clusters_[0]["representatives"][0]
    assert rep["id"] == voices["id"][rep["index"]]
    frame = from_frame.assignments_frame()
    assert list(frame.columns) == ["id", "cluster", "similarity", "status", "reason"]
    assert frame["id"].tolist() == voices["id"].tolist()
    assert frame["cluster"].tolist() == from_frame.labels_.tolist()


def test_table_from_read_voices_without_pandas_fits_alike(fitted, sample_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # read_voices then returns a dict
    table = koe.read_voices(sample_path)
    model = koe.Pipeline(k=8, seed=5).fit(table)
    assert np.array_equal(model.labels_, fitted.labels_)
    assert model.report("csv").splitlines()[1].startswith("V0001,")
    assert json.loads(model.report("json"))["input"]["path"] == str(sample_path)


def test_clusters_frame_has_one_row_per_cluster(fitted):
    pytest.importorskip("pandas")
    frame = fitted.clusters_frame()
    assert len(frame) == 8 and frame.index.name == "id"
    assert frame["size"].sum() == int(np.sum(fitted.labels_ >= 0))
    assert frame.loc[0, "label"] == fitted.clusters_[0]["label"]


def test_results_do_not_depend_on_threads(sample_texts):
    texts = [f"{t} その{i}" for i in range(3) for t in sample_texts]
    one = koe.Pipeline(k="auto", seed=3, threads=1).fit(texts)
    two = koe.Pipeline(k="auto", seed=3, threads=2).fit(texts)
    assert np.array_equal(one.labels_, two.labels_)
    assert one.similarity_.tobytes() == two.similarity_.tobytes()
    assert one.clusters_ == two.clusters_
    if have("scipy.sparse"):
        assert (one.tfidf_ != two.tfidf_).nnz == 0


def test_fit_releases_the_gil(sample_texts):
    texts = [f"{t} その{i}" for i in range(10) for t in sample_texts]
    stamps = []
    done = threading.Event()

    def count():
        n = 0
        while not done.is_set():
            n += 1
            if n % 200 == 0:
                stamps.append(time.perf_counter())

    worker = threading.Thread(target=count)
    worker.start()
    try:
        start = time.perf_counter()
        koe.Pipeline(k=8, seed=1, threads=1).fit(texts)
        end = time.perf_counter()
    finally:
        done.set()
        worker.join()
    inside = [s for s in stamps if start <= s <= end]
    # With the GIL held for the whole native run, the counter would stall for all of it.
    assert len(inside) > 10
    gaps = np.diff([start] + inside + [end])
    assert gaps.max() < 0.5 * (end - start), (gaps.max(), end - start)


def test_get_params_and_set_params_round_trip():
    model = koe.Pipeline(k=5, seed=7, reduce="lsa:50")
    params = model.get_params()
    assert params["k"] == 5 and params["seed"] == 7 and params["min_df"] == 2
    clone = koe.Pipeline(**params)
    assert clone.get_params() == params
    assert clone.set_params(k="auto", min_df=0.01) is clone
    assert clone.k == "auto" and clone.min_df == 0.01
    assert repr(model) == "Pipeline(k=5, reduce='lsa:50', seed=7)"
    with pytest.raises(ValueError, match="invalid parameter 'kk'"):
        model.set_params(kk=3)


def test_scikit_learn_clone_works():
    base = pytest.importorskip("sklearn.base")
    model = koe.Pipeline(k=4, threads=1)
    assert base.clone(model).get_params() == model.get_params()


@pytest.mark.parametrize("params, message", [
    ({"k": 0}, "k must be"),
    ({"k": "many"}, "k must be"),
    ({"reduce": "pca:3"}, "reduce must be"),
    ({"min_df": 1.5}, "above 1.0"),
    ({"min_df": "2"}, "min_df must be"),
    ({"threads": -1}, "threads must be"),
    ({"seed": -1}, "seed must be"),
    ({"n_init": 0}, "n_init"),
    ({"compounds": "all"}, "compounds"),
    ({"k_min": 5, "k_max": 3}, "k_min"),
])
def test_bad_options_raise_option_error(params, message, sample_texts):
    with pytest.raises(koe.OptionError, match=message) as info:
        koe.Pipeline(**params).fit(sample_texts)
    assert isinstance(info.value, ValueError) and info.value.code == "invalid_argument"


def test_bad_inputs_raise_clear_errors(sample_texts):
    model = koe.Pipeline(k=2)
    with pytest.raises(TypeError, match="single str"):
        model.fit("配達が遅い")
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        model.fit(["配達が遅い", 42])
    with pytest.raises(koe.InputError, match="no voice with text") as info:
        model.fit(["", None, "  "])
    assert info.value.code == "empty_corpus"
    with pytest.raises(ValueError, match="'rating' has 2 values for 3 texts"):
        model.fit(["a", "b", "c"], meta={"rating": [1, 2]})
    with pytest.raises(ValueError, match="status"):
        model.fit(["a", "b"], meta={"status": ["open", "closed"]})


def test_fitted_attributes_need_fit(sample_texts):
    model = koe.Pipeline(k=3)
    with pytest.raises(koe.NotFittedError, match="fit"):
        model.transform(["a"])
    assert not hasattr(model, "labels_") and not hasattr(model, "tfidf_")
    model.fit(sample_texts)
    with pytest.raises(koe.InputError):
        model.fit(["", ""])
    assert not hasattr(model, "labels_") and not hasattr(model, "clusters_")


def test_reports_are_the_cli_formats(fitted):
    table = fitted.report()
    assert table.splitlines()[-1].startswith("read 400 = kept 397 + empty 3")
    clusters = json.loads(fitted.report("json"))
    assert clusters["k"] == 8 and clusters["options"]["cluster"]["seed"] == 5
    with pytest.raises(koe.OptionError, match="report format"):
        fitted.report("xml")
    assert fitted.report("candidates_table").startswith("rank")


def test_scoring_outputs_equal_the_cli_files(cli, sample_path, tmp_path):
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5", "-o",
                    str(out), "-q"], check=True, capture_output=True)
    model = koe.Pipeline(k=8, seed=5).fit(koe.read_voices(sample_path))
    files = {"json": "clusters.json", "csv": "assignments.csv", "candidates": "candidates.json",
             "trace": "trace.csv", "html": "report.html"}
    for fmt, name in files.items():
        assert model.report(fmt) == (out / name).read_text(encoding="utf-8"), name
    assert model.report_html() == model.report("html")


def test_candidates_rank_every_cluster_with_scores_and_reasons(fitted):
    ranks = [c["rank"] for c in fitted.candidates_]
    assert ranks == list(range(1, 9))
    assert sorted(c["cluster"] for c in fitted.candidates_) == list(range(8))
    adoption = [c["adoption"] for c in fitted.candidates_]
    assert adoption == sorted(adoption, reverse=True)
    for c in fitted.candidates_:
        assert all(0 <= c[s] <= 1 for s in ("frequency", "impact", "difficulty", "adoption"))
        assert c["reasons"] and c["decision"] == "undecided"
        assert c["quadrant"] in {"quick_win", "big_bet", "fill_in", "reconsider"}
    pytest.importorskip("pandas")
    frame = fitted.candidates_frame()
    assert frame.index.name == "rank" and len(frame) == 8
    assert frame.loc[1, "label"] == fitted.candidates_[0]["label"]


def test_trace_has_one_row_per_text(fitted, sample_texts):
    pytest.importorskip("pandas")
    trace = fitted.trace_frame()
    assert len(trace) == len(sample_texts)
    assert trace["cluster"].tolist() == fitted.labels_.tolist()
    assert trace["cluster"].dtype == np.int32 and trace["clustered"].dtype == bool
    clustered = trace[trace["clustered"]]
    assert (clustered["rank"] >= 1).all() and (trace[~trace["clustered"]]["rank"] == 0).all()


def test_decisions_are_carried_to_matching_clusters(sample_path, tmp_path):
    voices = koe.read_voices(sample_path)
    first = koe.Pipeline(k=8, seed=5).fit(voices)
    key = first.candidates_[0]["key"]
    path = tmp_path / "decisions.csv"
    path.write_text(f"key,decision,reason,date\n{key},adopted,対応する,2026-11-05\n"
                    "存在しない+語,rejected,,2026-11-05\n", encoding="utf-8")
    # Another seed: the cluster ids may change, the key-based decision must follow.
    again = koe.Pipeline(k=8, seed=6, decisions=path).fit(voices)
    decided = [c for c in again.candidates_ if c["decision"] == "adopted"]
    assert len(decided) == 1 and decided[0]["decision_reason"] == "対応する"
    assert [d["key"] for d in again.unmatched_decisions_] == ["存在しない+語"]
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"key": [key], "decision": ["adopted"], "reason": ["対応する"],
                          "date": ["2026-11-05"]})
    from_frame = koe.Pipeline(k=8, seed=6, decisions=table).fit(voices)
    assert from_frame.candidates_ == again.candidates_
    assert from_frame.unmatched_decisions_ == []


def test_bad_scoring_config_names_key_and_line(tmp_path, sample_texts):
    config = tmp_path / "koe.toml"
    config.write_text("[adoption]\nimpact_weigth = 2.0\n", encoding="utf-8")
    with pytest.raises(koe.OptionError, match=r"koe\.toml:2: adoption\.impact_weigth") as info:
        koe.Pipeline(k=3, config=config).fit(sample_texts)
    assert info.value.code == "invalid_config"
    with pytest.raises(koe.InputError):
        koe.Pipeline(k=3, decisions=tmp_path / "missing.csv").fit(sample_texts)


def test_help_shows_parameters_and_attributes():
    doc = koe.Pipeline.__doc__
    for word in ("k :", "seed :", "labels_", "tfidf_", "Example"):
        assert word in doc
    assert "InputError" in koe.__doc__
