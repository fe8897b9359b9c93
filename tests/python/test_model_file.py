"""The model file from Python: koe.load reads what `koe cluster` writes, Pipeline.save writes the
same bytes for the same fit, a loaded model saves to the same bytes, and damage raises."""

import copy
import pickle
import subprocess

import numpy as np
import pytest

import koe


@pytest.fixture(scope="module")
def cli_model(cli, sample_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "6", "--seed", "5", "-o",
                    str(out), "--quiet"], check=True, capture_output=True)
    return out / "model.koe"


@pytest.fixture(scope="module")
def fitted(sample_path):
    return koe.Pipeline(k=6, seed=5).fit(koe.read_voices(sample_path))


def test_the_cli_model_loads_with_what_the_fit_learned(cli_model, fitted):
    m = koe.load(cli_model)
    assert isinstance(m, koe.Model)
    assert m.k == 6 == fitted.n_clusters_
    assert m.format == 2
    assert m.koe_version == koe.__version__
    assert m.vocabulary == list(fitted.get_feature_names_out())
    assert m.idf.dtype == np.float32 and m.idf.shape == (len(m.vocabulary),)
    assert m.centroids.dtype == np.float32 and m.centroids.shape == (6, len(m.vocabulary))
    np.testing.assert_allclose(np.linalg.norm(m.centroids, axis=1), 1.0, rtol=1e-4)
    assert [c["label"] for c in m.clusters] == [c["label"] for c in fitted.clusters_]
    assert [c["size"] for c in m.clusters] == [c["size"] for c in fitted.clusters_]
    first = m.clusters[0]
    assert set(first) == {"id", "label", "key_terms", "size", "cohesion", "born", "status"}
    assert first["key_terms"][0] == fitted.clusters_[0]["terms"][0][0]
    assert m.dictionary == fitted.dictionary_


def test_pipeline_save_writes_the_bytes_the_cli_writes(cli_model, fitted, tmp_path):
    fitted.save(tmp_path / "python.koe")
    assert (tmp_path / "python.koe").read_bytes() == cli_model.read_bytes()
    fitted.model.save(tmp_path / "model.koe")
    assert (tmp_path / "model.koe").read_bytes() == cli_model.read_bytes()


def test_load_then_save_gives_the_same_bytes(cli_model, tmp_path):
    koe.load(cli_model).save(tmp_path / "again.koe")
    assert (tmp_path / "again.koe").read_bytes() == cli_model.read_bytes()


def test_a_damaged_file_raises(cli_model, tmp_path):
    data = bytearray(cli_model.read_bytes())
    data[len(data) // 2] ^= 0x40
    (tmp_path / "damaged.koe").write_bytes(bytes(data))
    with pytest.raises(koe.InputError, match=r"damaged\.koe: checksum mismatch") as e:
        koe.load(tmp_path / "damaged.koe")
    assert e.value.code == "invalid_model"
    (tmp_path / "short.koe").write_bytes(bytes(data[:100]))
    with pytest.raises(koe.InputError, match=r"short\.koe: truncated"):
        koe.load(tmp_path / "short.koe")
    (tmp_path / "other.koe").write_bytes(b"id,text\n1,hello\n")
    with pytest.raises(koe.InputError, match=r"other\.koe: not a koe model file"):
        koe.load(tmp_path / "other.koe")


def test_a_missing_file_raises_an_io_failure(tmp_path):
    with pytest.raises(koe.InputError, match="missing.koe") as e:
        koe.load(tmp_path / "missing.koe")
    assert e.value.code == "io_failure"


def test_the_model_is_read_only_and_never_pickled(fitted):
    m = fitted.model
    with pytest.raises(AttributeError):
        m.k = 3
    with pytest.raises(ValueError):
        m.centroids[0, 0] = 1.0
    vocabulary = m.vocabulary
    vocabulary.append("extra")
    assert "extra" not in m.vocabulary
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(m)
    assert copy.deepcopy(m) is m
    with pytest.raises(TypeError):
        koe.Model(None)


def test_saving_before_a_fit_raises(tmp_path):
    p = koe.Pipeline(k=3)
    with pytest.raises(koe.NotFittedError):
        p.save(tmp_path / "m.koe")
    with pytest.raises(koe.NotFittedError):
        _ = p.model
    assert not (tmp_path / "m.koe").exists()


def test_an_lsa_fit_keeps_its_centroids_in_the_reduced_space(sample_path, tmp_path):
    p = koe.Pipeline(k=4, reduce=20, seed=3).fit(koe.read_voices(sample_path))
    p.save(tmp_path / "lsa.koe")
    m = koe.load(tmp_path / "lsa.koe")
    assert m.centroids.shape == (4, 20)
    np.testing.assert_array_equal(m.centroids, p.model.centroids)
