"""koe.changes: the lineage events of a refit comparison, as changes.json holds them."""

import pytest

import koe


def comparison():
    # Previous 1 continues, 2 splits into 2 and 7; 8 is a new theme.
    return {
        "previous_period": "2026-09", "period": "2026-10",
        "previous_ids": [1, 2], "previous_dormant": [False, False],
        "previous_share": [0.5, 0.5],
        "ids": [1, 2, 7, 8], "share": [0.4, 0.3, 0.2, 0.1],
        "similarity": [[0.9, 0.1], [0.1, 0.8], [0.1, 0.5], [0.1, 0.1]],
        "match": [0, 1, -1, -1],
        "contingency": [[100, 0, 0, 0, 0], [0, 60, 40, 0, 0], [0, 0, 0, 30, 0]],
    }


def test_events_come_back_as_changes_json_holds_them():
    out = koe.changes(comparison(), {2: "食事", 7: "朝食"})
    assert out["format_version"] == 1
    assert (out["previous_period"], out["period"]) == ("2026-09", "2026-10")
    kinds = [(e["kind"], e["id"], e["parents"], e["children"]) for e in out["events"]]
    assert kinds == [("continued", 1, [], []), ("born", 7, [2], []), ("born", 8, [], []),
                     ("split", 2, [], [2, 7])]
    assert out["events"][1]["label"] == "朝食"
    assert out["events"][2]["label"] is None
    assert out["counts"]["split"] == 1


def test_thresholds_are_keywords():
    # 40 of 100 voices is below a part share of one half.
    out = koe.changes(comparison(), min_part_share=0.5)
    assert [e["kind"] for e in out["events"]] == ["continued", "continued", "born", "born"]


def test_thresholds_left_out_are_the_library_defaults():
    # The part takes 40 of 2's 100 voices (default part share 0.25) at similarity 0.5 (default
    # part similarity 0.4): a split with the defaults.
    c = comparison()
    assert koe.changes(c) == koe.changes(c, min_similarity=0.3, min_part_share=0.25,
                                         min_voices=5, min_part_similarity=0.4)
    assert koe.changes(c)["counts"]["split"] == 1


def test_a_part_unlike_its_parent_is_a_new_theme():
    out = koe.changes(comparison(), min_part_similarity=0.6)
    assert [e["kind"] for e in out["events"]] == ["continued", "continued", "born", "born"]
    assert out["events"][2]["parents"] == []


def test_a_malformed_comparison_is_refused():
    bad = comparison()
    bad["match"] = [0, 0, -1, -1]
    with pytest.raises(koe.KoeError):
        koe.changes(bad)
