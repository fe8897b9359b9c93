"""Reading what runs leave behind: a refit's lineage events (changes.json, docs/continuity.md),
the series of a chain of models (`koe trend`, docs/trends.md) and the check of an output folder
(docs/outputs.md)."""

from __future__ import annotations

import json
import os

from . import _koe, _trends
from ._trends import _pandas


def changes(comparison: dict, labels: dict | None = None, *, min_similarity: float | None = None,
            min_part_share: float | None = None, min_voices: int | None = None,
            min_part_similarity: float | None = None) -> dict:
    """The lineage events of a refit comparison, as ``changes.json`` holds them.

    ``comparison`` holds the fields of ``koe::refit_comparison`` (koe/lineage.hpp):
    ``previous_period``, ``period``, ``previous_ids``, ``previous_dormant``, ``previous_share``,
    ``ids``, ``share``, ``similarity`` (one row per new cluster), ``match`` and ``contingency``
    (previous ids + 1 rows of new ids + 1 counts). ``labels`` maps stable ids to labels. The
    thresholds are those of koe.toml's ``[lineage]`` table (None: its default); the rules are in
    docs/continuity.md. Returns the parsed JSON: ``events`` is a list of dicts (kind, id, label,
    parents, children, similarity, share_before, share_after), ready for a DataFrame.
    """
    text = _koe.changes_json(comparison, {int(k): str(v) for k, v in (labels or {}).items()},
                             min_similarity, min_part_share, min_voices, min_part_similarity)
    return json.loads(text)


def check_outputs(dir: str | os.PathLike) -> dict:
    """Checks that ``dir`` holds the complete output set of one ``koe cluster`` run.

    Returns what its ``manifest.json`` lists (``format_version``, ``koe_version``, ``run_id``,
    ``files``: ``name``, ``size``, ``xxh64``) once every file has the listed size and checksum.
    Raises :class:`InputError` (code ``mixed_outputs``) when the folder has no manifest (the run
    did not finish), a malformed one, a listed file missing, or a file of another run.

    Example::

        koe.check_outputs("out")["run_id"]   # '3f9c0a...' (16 hex digits)
    """
    return _koe.check_outputs(os.fspath(dir))


_CHANGE_COLUMNS = ["kind", "id", "label", "parents", "children", "similarity", "share_before",
                   "share_after"]


def changes_frame(json_text):
    """changes.json's events as a pandas DataFrame, one row per event (ordered by kind, then
    id), the periods and the counts per kind in ``attrs``.

    Columns: kind (continued, born, split, merged, dormant, returned), id (stable cluster id),
    label, parents and children (lists of ids), similarity (centroid cosine with the matched or
    main parent cluster), share_before, share_after.
    """
    pd = _pandas("changes_frame()")
    document = json.loads(json_text)
    frame = pd.DataFrame([{name: e[name] for name in _CHANGE_COLUMNS} for e in document["events"]],
                         columns=_CHANGE_COLUMNS)
    frame.attrs.update({name: document[name] for name in document if name != "events"})
    return frame


class Trend:
    """The series of a chain of models (:func:`trend`): what ``koe trend`` writes.

    ``csv`` is the text of its trends.csv, ``rows`` the same rows as dicts (period, cluster,
    count, share, low, high, status, rolled_up, own; numbers as numbers), ``alerts`` its alerts.json
    parsed. :meth:`frame` gives the rows as a pandas DataFrame.
    """

    __slots__ = ("csv", "rows", "alerts")

    def __init__(self, csv_text, alerts_text):
        self.csv = csv_text
        self.rows = _trends.chain_rows(csv_text)
        self.alerts = json.loads(alerts_text)

    def frame(self):
        """The rows as a pandas DataFrame (``period`` and ``cluster`` as text)."""
        return _trends.trends_frame(self.csv)


def trend(models, *, config: str | os.PathLike | None = None) -> Trend:
    """Series of each cluster's share across a chain of models, oldest first, as ``koe trend``.

    ``models`` is a list of :class:`Model` objects or model file paths (each a refit of the one
    before, ``koe cluster --prev``); ``config`` a koe.toml whose ``[alerts]`` settings the alert
    test uses. One row per stable cluster id (then ``noise``) and fit; a merged cluster's or a
    split part's fits before it existed hold its parents' sum (``rolled_up`` 1). See
    docs/trends.md "Across models: koe trend".

    Example::

        t = koe.trend(["jan/model.koe", "feb/model.koe", "mar/model.koe"])
        t.rows[0]   # {'period': '2026-01', 'cluster': '0', 'count': 41, ...}
    """
    items = [m._native if hasattr(m, "_native") else os.fspath(m) for m in models]
    csv_text, alerts_text = _koe.model_trends(items, None if config is None else os.fspath(config))
    return Trend(csv_text, alerts_text)
