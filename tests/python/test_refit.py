"""Refitting from Python: Pipeline.fit(prev=...) keeps the previous model's ids, exposes the
comparison as refit_, and writes the bytes `koe cluster --prev` writes."""

import subprocess

import pytest

import koe


@pytest.fixture(scope="module")
def first(cli, sample_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("first")
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "6", "--seed", "5", "-o",
                    str(out), "--quiet"], check=True, capture_output=True)
    return out / "model.koe"


def test_fit_with_prev_writes_the_cli_model(cli, sample_path, first, tmp_path):
    out = tmp_path / "cli"
    subprocess.run([str(cli), "cluster", str(sample_path), "--seed", "5", "--prev", str(first),
                    "-o", str(out), "--quiet"], check=True, capture_output=True)
    p = koe.Pipeline(seed=5).fit(koe.read_voices(sample_path), prev=koe.load(first))
    p.save(tmp_path / "py.koe")
    assert (tmp_path / "py.koe").read_bytes() == (out / "model.koe").read_bytes()


def test_an_unchanged_refit_keeps_every_id(sample_path, first):
    prev = koe.load(first)
    p = koe.Pipeline(seed=5).fit(koe.read_voices(sample_path), prev=prev)
    c = p.refit_
    assert c is not None
    assert sorted(c["ids"]) == sorted(x["id"] for x in prev.clusters)
    assert all(m >= 0 for m in c["match"])
    assert [c["previous_ids"][m] for m in c["match"]] == c["ids"]
    assert sum(map(sum, c["contingency"])) == int((p.labels_ >= -1).sum()) - 3  # 3 empty voices
    assert p.model.dormant == []
    assert p.model.next_id == 6
    assert set(p.labels_) <= set(c["ids"]) | {-1}
    assert all(x["status"] == "active" for x in p.model.clusters)


def test_a_fresh_fit_has_no_comparison(sample_path):
    p = koe.Pipeline(k=2, seed=5, period_name="autumn").fit(["配達が遅い", "アプリが落ちる"] * 10)
    assert p.refit_ is None
    assert p.model.period == "autumn"
    assert [x["born"] for x in p.model.clusters] == ["autumn"] * p.n_clusters_


def test_prev_must_be_a_model(sample_path):
    with pytest.raises(TypeError):
        koe.Pipeline().fit(["配達が遅い"] * 4, prev="out/model.koe")
