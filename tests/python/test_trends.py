"""trends_frame and alerts_frame: the figures of `koe cluster`'s trends.csv and alerts.json, read
from the same writers, and the period option."""

import json
import subprocess

import pytest

import koe

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def voices(sample_path):
    return koe.read_voices(sample_path)


@pytest.fixture(scope="module")
def fitted(voices):
    return koe.Pipeline(k=8, seed=5).fit(voices["text"], meta=voices)


def test_trends_frame_is_trends_csv(fitted):
    frame = fitted.trends_frame()
    assert list(frame.columns) == ["period", "cluster", "count", "share", "low", "high"]
    assert list(frame["period"].unique()) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    # Every period's series add up to the period's voices, and all to the texts kept.
    clusters = json.loads(fitted.report("json"))
    totals = clusters["trends"]["totals"]
    assert list(frame.groupby("period", sort=True)["count"].sum()) == totals
    assert sum(totals) + clusters["trends"]["untimed"] == clusters["input"]["kept"]
    assert set(frame["cluster"]) == {str(c["id"]) for c in clusters["clusters"]} | {"noise"}
    assert (frame["low"] <= frame["share"]).all() and (frame["share"] <= frame["high"]).all()
    for c in clusters["clusters"]:
        rows = frame[frame["cluster"] == str(c["id"])]
        assert list(rows["count"]) == [p["count"] for p in c["trend"]]


def test_alerts_frame_is_alerts_json(fitted):
    frame = fitted.alerts_frame()
    document = json.loads(fitted.report("alerts"))
    assert len(frame) == len(document["alerts"])
    assert frame.attrs["period"] == "month"
    assert frame.attrs["alpha"] == 0.01
    for row, alert in zip(frame.itertuples(), document["alerts"]):
        assert row.count == alert["latest"]["count"]
        assert row.p == alert["p"] and row.p < frame.attrs["alpha"]
        assert row.reason == alert["reason"]


def test_period_option_and_cli_agree(voices, sample_path, cli, tmp_path):
    model = koe.Pipeline(k=8, seed=5, period="quarter").fit(voices["text"], meta=voices)
    assert model.get_params()["period"] == "quarter"
    assert set(model.trends_frame()["period"]) == {"2026-Q3", "2026-Q4"}
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5", "--period",
                    "quarter", "-q", "-o", str(out)], check=True, capture_output=True)
    assert (out / "trends.csv").read_text(encoding="utf-8") == model.report("trends")
    assert (out / "alerts.json").read_text(encoding="utf-8") == model.report("alerts")


def test_bad_period_is_refused(voices):
    with pytest.raises(koe.KoeError, match="period"):
        koe.Pipeline(k=8, period="fortnight").fit(voices["text"], meta=voices)


def test_no_time_gives_empty_frames(sample_texts):
    model = koe.Pipeline(k=4, seed=1).fit(sample_texts)
    assert model.trends_frame().empty
    assert model.alerts_frame().empty
