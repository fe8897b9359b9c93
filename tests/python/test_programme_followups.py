"""followups_frame: the next contact per contributor, read from the same writer as `koe cluster`'s
followups.csv."""

import subprocess

import pytest

import koe

pd = pytest.importorskip("pandas")

COLUMNS = ["contributor", "voices", "cluster", "label", "stage", "stage_since", "last_contact",
           "next_contact", "due", "draft", "other_clusters"]


@pytest.fixture(scope="module")
def decisions(tmp_path_factory):
    path = tmp_path_factory.mktemp("followups") / "decisions.csv"
    path.write_text("key,cluster,decision,date\n,0,adopted,2026-07-20\n,1,pending,2026-07-25\n",
                    encoding="utf-8")
    return path


def test_followups_frame_is_followups_csv(sample_path, decisions, cli, tmp_path):
    voices = koe.read_voices(sample_path)
    model = koe.Pipeline(k=8, seed=5, decisions=str(decisions), as_of="2026-09-01").fit(
        voices["text"], meta=voices)
    frame = model.followups_frame()
    assert list(frame.columns) == COLUMNS
    assert len(frame) > 0
    assert frame["contributor"].is_unique
    assert set(frame["cluster"]) <= {0, 1}
    assert set(frame["stage"]) <= {"adopted", "pending"}
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5",
                    "--decisions", str(decisions), "--as-of", "2026-09-01", "-q", "-o", str(out)],
                   check=True, capture_output=True)
    text = (out / "followups.csv").read_text(encoding="utf-8")
    assert text == model.report("followups")
    from_file = pd.read_csv(out / "followups.csv", dtype=str, keep_default_na=False)
    from_file["cluster"] = from_file["cluster"].astype("int64")
    pd.testing.assert_frame_equal(frame, from_file)
