"""koe.Model.predict, predict_frame, transform and tfidf: new voices into a loaded model's clusters
and space with no refit, equal to what `koe assign` writes."""

import csv
import subprocess
import threading

import numpy as np
import pytest

import koe


def _fit(cli, sample_path, out, *extra):
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "3", "-o", str(out),
                    "--quiet", *extra], check=True, capture_output=True)
    return out / "model.koe"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """New voices: some near the sample's themes, one on a theme it never saw, an empty one and
    one with no term any model knows."""
    path = tmp_path_factory.mktemp("batch") / "new.csv"
    rows = [("n1", "アプリがすぐ落ちるので困っています"), ("n2", "配達が遅れて届かない"),
            ("n3", "量が少ない、もう少し多くしてほしい"), ("n4", "駐車場の料金が高すぎる"),
            ("n5", ""), ("n6", "ｚｚｚｑｑｑ"), ("n7", "ログインできない、パスワードを忘れた")]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows(rows)
    return path, rows


def _cli_assign(cli, model, batch_path, out, *extra):
    subprocess.run([str(cli), "assign", str(batch_path), "--model", str(model), "-o", str(out),
                    "--quiet", *extra], check=True, capture_output=True)
    with open(out / "assignments.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("new_theme", ["auto", "off", "0.3"])
def test_predict_frame_equals_koe_assign(cli, sample_path, batch, tmp_path, new_theme):
    model_path = _fit(cli, sample_path, tmp_path / "fit")
    batch_path, rows = batch
    expected = _cli_assign(cli, model_path, batch_path, tmp_path / "assign", "--new-theme",
                           new_theme)
    m = koe.load(model_path)
    option = float(new_theme) if new_theme[0].isdigit() else new_theme
    frame = m.predict_frame([text for _, text in rows], new_theme=option)
    assert len(frame) == len(expected) == len(rows)
    for got, want in zip(frame.itertuples(), expected):
        assert str(got.cluster) == want["cluster"], (got, want)
        assert got.status == want["status"], (got, want)
        assert got.reason == want["reason"], (got, want)
        if want["similarity"]:
            assert f"{got.similarity:.4f}" == want["similarity"], (got, want)
    ids = m.predict([text for _, text in rows], new_theme=option)
    assert ids.dtype == np.int32
    assert ids.tolist() == frame["cluster"].tolist()
    # Every voice that is not clustered has -1, and the empty voice is said to be empty.
    assert all((i == -1) == (s != "clustered") for i, s in zip(ids, frame["status"]))
    assert frame["status"][4] == "empty"


def test_predict_on_the_training_voices_gives_the_fit_labels(sample_path, tmp_path):
    voices = koe.read_voices(sample_path)
    fitted = koe.Pipeline(k=8, seed=3).fit(voices)
    fitted.save(tmp_path / "model.koe")
    ids = koe.load(tmp_path / "model.koe").predict(voices["text"], new_theme="off")
    assert ids.tolist() == fitted.labels_.tolist()


def test_a_table_gives_its_ids_and_a_missing_text_column_is_an_error(cli, sample_path, tmp_path):
    pd = pytest.importorskip("pandas")
    m = koe.load(_fit(cli, sample_path, tmp_path / "fit"))
    frame = m.predict_frame(pd.DataFrame({"id": ["a", "b"], "text": ["アプリが落ちる", ""]}))
    assert frame["id"].tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="no 'text' column"):
        m.predict(pd.DataFrame({"comment": ["アプリが落ちる"]}))


def test_bad_new_theme_options_are_option_errors(cli, sample_path, tmp_path):
    m = koe.load(_fit(cli, sample_path, tmp_path / "fit"))
    with pytest.raises(koe.OptionError):
        m.predict(["アプリが落ちる"], new_theme="sometimes")
    with pytest.raises(koe.OptionError):
        m.predict(["アプリが落ちる"], new_theme=1.5)
    with pytest.raises(koe.OptionError):
        m.predict(["アプリが落ちる"], new_theme_percentile=101)


def test_transform_without_lsa_is_the_tfidf_of_the_fit(sample_path, tmp_path):
    voices = koe.read_voices(sample_path)
    fitted = koe.Pipeline(k=8, seed=3).fit(voices)
    fitted.save(tmp_path / "model.koe")
    m = koe.load(tmp_path / "model.koe")
    texts = voices["text"][:50]
    rows = m.transform(texts)
    assert (rows != m.tfidf(texts)).nnz == 0
    assert (rows != fitted.transform(texts)).nnz == 0
    assert rows.shape == (50, len(m.vocabulary))


def test_transform_with_lsa_lands_each_voice_nearest_its_predicted_cluster(cli, sample_path,
                                                                            tmp_path):
    m = koe.load(_fit(cli, sample_path, tmp_path / "fit", "--reduce", "lsa:20"))
    voices = koe.read_voices(sample_path)["text"][:120]
    x = m.transform(voices)
    assert isinstance(x, np.ndarray) and x.dtype == np.float32
    assert x.shape == (120, m.centroids.shape[1]) == (120, 20)
    norms = np.linalg.norm(x, axis=1)
    assert np.all((np.abs(norms - 1) < 1e-4) | (norms == 0))
    ids = m.predict(voices, new_theme="off")
    nearest = np.argmax(x @ m.centroids.T, axis=1)
    ids_of_rows = np.array([c["id"] for c in m.clusters])[nearest]
    kept = (ids >= 0) & (norms > 0)
    assert kept.sum() > 100
    assert np.array_equal(ids[kept], ids_of_rows[kept])


def test_predict_from_several_threads_gives_the_same_answer(cli, sample_path, batch, tmp_path):
    m = koe.load(_fit(cli, sample_path, tmp_path / "fit"))
    texts = [text for _, text in batch[1]] * 20
    want = m.predict(texts)
    got = [None] * 4

    def work(i):
        got[i] = m.predict(texts)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g in got:
        assert np.array_equal(g, want)
