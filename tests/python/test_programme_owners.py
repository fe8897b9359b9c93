"""owners_frame: who owns each candidate (担当), read from the writer of `koe cluster`'s
owners.csv, and the same owners in candidates.json."""

import json
import subprocess

import pytest

import koe

pd = pytest.importorskip("pandas")

COLUMNS = ["owner", "role", "cluster", "label", "rank", "adoption", "recommended", "decision",
           "stage_summary", "days_in_stage", "stuck", "matched_terms", "rule"]


@pytest.fixture(scope="module")
def fitted(sample_path):
    voices = koe.read_voices(sample_path)
    return koe.Pipeline(k=8, seed=5).fit(voices["text"], meta=voices)


def test_owners_frame_is_owners_csv(fitted):
    frame = fitted.owners_frame()
    assert list(frame.columns) == COLUMNS
    candidates = json.loads(fitted.report("candidates"))
    assert len(frame) == len(candidates)
    assert sorted(frame["rank"]) == [c["rank"] for c in candidates]
    by_rank = {c["rank"]: c for c in candidates}
    for row in frame.itertuples():
        owner = by_rank[row.rank]["owner"]
        assert row.cluster == by_rank[row.rank]["cluster"]
        assert row.owner == (owner["owner"] if owner["assigned"] else "担当未定")
        assert row.role == owner["role"]
        assert row.matched_terms == "+".join(owner["matched_terms"])
        assert row.adoption == pytest.approx(by_rank[row.rank]["scores"]["adoption"], abs=1e-4)
    # The best candidate's owner, checked by value: the bundled rules name a department for it.
    best = frame[frame["rank"] == 1].iloc[0]
    assert best["owner"] == by_rank[1]["owner"]["owner"] != ""
    assert best["rule"] == by_rank[1]["owner"]["reason"]


def test_owners_are_grouped_with_unassigned_last(fitted):
    frame = fitted.owners_frame()
    owners = list(frame["owner"])
    # Each owner's rows are together, in rank order, and the groups follow their best rank.
    seen = []
    for name in owners:
        if not seen or seen[-1] != name:
            assert name not in seen, f"{name} is split"
            seen.append(name)
    for name in seen:
        ranks = list(frame[frame["owner"] == name]["rank"])
        assert ranks == sorted(ranks)
    assigned = [n for n in seen if n != "担当未定"]
    firsts = [frame[frame["owner"] == n]["rank"].min() for n in assigned]
    assert firsts == sorted(firsts)
    if "担当未定" in seen:
        assert seen[-1] == "担当未定"


def test_owners_csv_matches_the_command(fitted, cli, sample_path, tmp_path):
    # The command writes the same file from the same writer.
    out = tmp_path / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "8", "--seed", "5", "-q", "-o",
                    str(out)], check=True, capture_output=True)
    text = (out / "owners.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert text == fitted.report("owners")
