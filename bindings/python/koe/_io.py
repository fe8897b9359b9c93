"""koe's reader from Python: a voice file as a DataFrame, with every record accounted for."""

from __future__ import annotations

import os

from . import _koe


def read_voices(path, format=None, **options):
    """Reads a voice file with koe's reader (CSV, TSV, JSON Lines, text; UTF-8, Shift_JIS, EUC-JP).

    Parameters
    ----------
    path : str or os.PathLike
    format : {"csv", "tsv", "jsonl", "text"} or None
        None picks it from the extension.
    text_column, id_column, time_column : str, optional
        A header name or a 1-based index written as digits; defaults as in ``koe cluster``
        (text; id; created_at or timestamp).
    encoding : {"utf-8", "shift_jis", "cp932", "euc-jp", "auto"}
    on_error : {"fail", "skip"}
        "fail" raises :class:`InputError` ("FILE:LINE: what is wrong") at the first bad record;
        "skip" keeps it with status "rejected" and the reason.
    max_voice_bytes : int
        Longer voices are truncated (with a reason); 0 = no limit.

    Returns
    -------
    pandas.DataFrame, or a dict of lists when pandas is not installed
        Columns id, text, status (kept, empty, rejected), reason, timestamp, then the file's other
        columns as text (a name that clashes with these gets a ``meta_`` prefix), then record and
        line (1-based record number and physical line). ``attrs`` (or the dict's ``"_attrs"``)
        hold ``source`` and ``encoding``.
    """
    from . import _RESERVED, _check_names, _option_names  # the package's, once it is loaded

    _check_names(options, _option_names("read"))
    c = _koe.read_corpus(os.fspath(path), {"format": format, **options})

    columns = {name: c[name] for name in ("id", "text", "status", "reason", "timestamp")}
    for name, values in zip(c["meta_columns"], c["meta"]):
        while name in columns or name in _RESERVED:
            name = "meta_" + name
        columns[name] = values
    columns["record"] = c["record"]
    columns["line"] = c["line"]
    attrs = {"source": c["source"], "encoding": c["encoding"]}
    try:
        import pandas as pd
    except ImportError:
        columns["_attrs"] = attrs
        return columns
    frame = pd.DataFrame(columns)
    frame.attrs.update(attrs)
    return frame
