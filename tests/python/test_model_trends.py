"""koe.trend: the series of a chain of models, the rows `koe trend` writes to trends.csv."""

import pathlib
import subprocess

import pytest

import koe

YEAR = pathlib.Path(__file__).resolve().parents[2] / "data" / "sample" / "year"
MONTHS = ["2026-01", "2026-02", "2026-03"]


@pytest.fixture(scope="module")
def chain(cli, tmp_path_factory):
    """A fit of 2026-01 of the year sample and refits of the next two months against it."""
    root = tmp_path_factory.mktemp("chain")
    prev = None
    paths = []
    for month in MONTHS:
        out = root / month
        args = [str(cli), "cluster", str(YEAR / f"{month}.csv"), "--seed", "1", "-q", "-o",
                str(out)]
        if prev:
            args += ["--prev", str(prev)]
        subprocess.run(args, check=True)
        prev = out / "model.koe"
        paths.append(prev)
    return paths


def test_trend_rows_are_the_cli_rows(cli, chain, tmp_path):
    out = tmp_path / "trend"
    subprocess.run([str(cli), "trend", *map(str, chain), "-o", str(out), "-q"], check=True)
    t = koe.trend(chain)
    assert t.csv == (out / "trends.csv").read_text(encoding="utf-8")
    assert t.alerts["alerts"] == koe.trend(chain).alerts["alerts"]
    # Models loaded in Python give the same rows as their files.
    assert koe.trend([koe.load(p) for p in chain]).rows == t.rows
    assert koe.check_outputs(out)["files"][-1]["name"] == "trend.html"


def test_rows_follow_each_models_clusters(chain):
    t = koe.trend(chain)
    rows = t.rows
    assert {r["period"] for r in rows} == set(MONTHS)
    for path, month in zip(chain, MONTHS):
        model = koe.load(path)
        assert model.period == month
        mine = {r["cluster"]: r for r in rows if r["period"] == month}
        for c in model.clusters:
            row = mine[str(c["id"])]
            assert row["status"] == "active"
            assert row["own"] == c["size"]
            if row["rolled_up"] == 0:
                assert row["count"] == c["size"]
        # Own counts and noise add up to the fit's kept voices.
        total = t.alerts["totals"][MONTHS.index(month)]
        assert sum(r["own"] for r in mine.values()) == total


def test_frame_has_the_csv_columns(chain):
    pytest.importorskip("pandas")
    frame = koe.trend(chain).frame()
    assert list(frame.columns) == ["period", "cluster", "count", "share", "low", "high", "status",
                                   "rolled_up", "own"]


def test_a_chain_out_of_order_is_refused(chain):
    with pytest.raises(koe.KoeError, match="fits"):
        koe.trend([chain[1], chain[0]])
    with pytest.raises(koe.KoeError):
        koe.trend([])
