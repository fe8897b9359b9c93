"""kpis_frame: the three KPIs per period of a fit, read from the same writer as kpis.csv, with
missing signals as missing values (never 0)."""

import csv
import io
import math
import subprocess

import pytest

import koe

pd = pytest.importorskip("pandas")

_THEMES = ["配達が遅い", "解約方法がわからない", "アプリが落ちる"]


def _voices():
    """Three themes over three months; contributors u1..u6 come back, ratings 1..5."""
    rows = []
    for month in (1, 2, 3):
        for day in range(1, 10):
            theme = _THEMES[day % 3]
            rows.append({"text": f"{theme}{'です' * (day % 2)}",
                         "contributor": f"u{(day + month) % 6 + 1}",
                         "rating": str((day + month) % 5 + 1),
                         "created_at": f"2026-0{month}-{day:02d}"})
    return pd.DataFrame(rows)


def _cells(text):
    return list(csv.reader(io.StringIO(text)))


def _same(value, cell):
    if cell == "":
        return pd.isna(value)
    return not pd.isna(value) and math.isclose(float(value), float(cell), abs_tol=1e-9)


@pytest.fixture(scope="module")
def fitted():
    voices = _voices()
    decisions = pd.DataFrame([{"key": "", "cluster": 0, "decision": "adopted", "reason": "対応する",
                               "date": "2026-02-05"}])
    return koe.Pipeline(k=3, seed=1, decisions=decisions).fit(voices["text"], meta=voices)


def test_kpis_frame_is_kpis_csv(fitted):
    frame = fitted.kpis_frame()
    cells = _cells(fitted.report("kpis"))
    header, rows = cells[0], cells[1:]
    assert list(frame.columns) == header
    assert header[:3] == ["period", "voices", "contributors"] and header[-1] == "notes"
    assert list(frame["period"]) == ["2026-01", "2026-02", "2026-03", "all"]
    assert len(frame) == len(rows)
    for (_, got), want in zip(frame.iterrows(), rows):
        assert got["period"] == want[0] and got["notes"] == want[-1]
        for name, cell in zip(header[1:-1], want[1:-1]):
            assert _same(got[name], cell), (want[0], name, got[name], cell)
    everything = frame.iloc[-1]
    assert everything["voices"] == 27
    assert everything["contributors"] == 6
    assert everything["rating_n"] == 27
    assert frame["voices"].iloc[:-1].sum() == 27
    # One cluster of three is adopted: a third of the clusters in every month.
    assert (frame["adopted_clusters"] == 1).all()
    assert frame["cluster_adoption_rate"].iloc[0] == pytest.approx(1 / 3)
    assert frame["heard_n"].iloc[0] == 0  # nobody heard before the adoption date


def test_missing_columns_are_missing_not_zero():
    voices = _voices()[["text", "created_at"]]
    frame = koe.Pipeline(k=3, seed=1).fit(voices["text"], meta=voices).kpis_frame()
    assert frame["contributors"].isna().all()
    assert frame["rating_mean"].isna().all() and frame["rating_n"].isna().all()
    assert frame["voices"].notna().all()
    assert all("投稿者の列がないため参加の指標は出せません" in n for n in frame["notes"])
    assert all("評価の列がないため" in n for n in frame["notes"])


def test_cli_writes_the_same_kpis(sample_path, cli, tmp_path):
    voices = koe.read_voices(sample_path)
    model = koe.Pipeline(k=8, seed=5).fit(voices["text"], meta=voices)
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5", "-q", "-o",
                    str(out)], check=True, capture_output=True)
    assert (out / "kpis.csv").read_text(encoding="utf-8") == model.report("kpis")
    assert list(model.kpis_frame()["period"]) == ["2026-07", "2026-08", "2026-09", "2026-10",
                                                  "all"]
