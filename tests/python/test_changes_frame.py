"""A refit's lineage events from Python: the frame reads the bytes changes.json holds."""

import json

import pytest

import koe

pd = pytest.importorskip("pandas")


def test_changes_frame_is_changes_json_of_the_refit(sample_texts, tmp_path):
    first = koe.Pipeline(k=6, seed=5, threads=2).fit(sample_texts)
    first.save(tmp_path / "model.koe")
    half = sample_texts[: len(sample_texts) // 2]
    refit = koe.Pipeline(seed=5, threads=2).fit(half, prev=koe.load(tmp_path / "model.koe"))
    document = json.loads(refit.report("changes"))
    frame = refit.changes_frame()
    assert len(frame) == len(document["events"]) > 0
    assert list(frame["kind"]) == [e["kind"] for e in document["events"]]
    assert list(frame["id"]) == [e["id"] for e in document["events"]]
    assert frame.attrs["counts"] == document["counts"]
    # Every cluster of the refit is named by one event that is not "dormant".
    named = frame[frame["kind"] != "dormant"]["id"]
    assert sorted(named) == sorted(c["id"] for c in refit.model.clusters)


def test_a_fresh_fit_has_no_changes(sample_texts):
    fresh = koe.Pipeline(k=6, seed=5, threads=2).fit(sample_texts)
    with pytest.raises(koe.KoeError):
        fresh.changes_frame()
