"""Frames of the trend outputs, read from the files' own writers: trends.csv and alerts.json
(docs/trends.md)."""

import csv
import io
import json


def _pandas(what):
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{what} needs pandas (Debian: apt install python3-pandas)") from None
    return pandas


def trends_frame(csv_text):
    """trends.csv as a pandas DataFrame: one row per series and period, oldest first.

    Columns: period ("2026-10", "2026-W40", "2026-Q4"), cluster (the cluster id as text,
    "noise", "new_theme"), count, share (of the period's texts), low, high (Wilson 95%
    interval). No rows when no text has a time (``meta``'s created_at or timestamp column).
    """
    pd = _pandas("trends_frame()")
    return pd.read_csv(io.StringIO(csv_text), dtype={"period": str, "cluster": str},
                       keep_default_na=False)


_ALERT_COLUMNS = ["cluster", "label", "period", "baseline_from", "baseline_to", "count", "total",
                  "share", "baseline_count", "baseline_total", "baseline_share", "z", "p",
                  "reason"]


def alerts_frame(json_text):
    """alerts.json's alerts as a pandas DataFrame, the test's settings (period, alpha,
    min_count, baseline_periods, untimed, ...) in ``attrs``.

    Columns: cluster, label, period, baseline_from, baseline_to (the previous periods pooled),
    count, total, share (the latest period), baseline_count, baseline_total, baseline_share,
    z, p (one-sided), reason.
    """
    pd = _pandas("alerts_frame()")
    document = json.loads(json_text)
    rows = []
    for a in document["alerts"]:
        row = {name: a[name] for name in ("cluster", "label", "period", "baseline_from",
                                          "baseline_to", "z", "p", "reason")}
        for name in ("count", "total", "share"):
            row[name] = a["latest"][name]
            row["baseline_" + name] = a["baseline"][name]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_ALERT_COLUMNS)
    frame.attrs.update({k: v for k, v in document.items() if k != "alerts"})
    return frame


_CHAIN_NUMBERS = {"count": int, "share": float, "low": float, "high": float, "rolled_up": int, "own": int}


def chain_rows(csv_text):
    """The rows of ``koe trend``'s trends.csv as dicts, numbers converted, in file order."""
    rows = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        rows.append({k: _CHAIN_NUMBERS[k](v) if k in _CHAIN_NUMBERS else v
                     for k, v in row.items()})
    return rows
