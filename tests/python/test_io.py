"""koe.read_voices: the C++ reader seen from Python (frames, encodings, errors)."""

import sys

import pytest

import koe


def test_reads_sample_into_frame_with_bookkeeping_and_meta(sample_path):
    pd = pytest.importorskip("pandas")
    frame = koe.read_voices(sample_path)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 400
    assert list(frame.columns[:5]) == ["id", "text", "status", "reason", "timestamp"]
    assert list(frame.columns[-2:]) == ["record", "line"]
    assert {"rating", "segment", "contributor"} <= set(frame.columns)
    first = frame.iloc[0]
    assert (first["id"], first["text"], first["status"]) == ("V0001", "配達が遅い", "kept")
    assert first["timestamp"] == "2026-07-02"
    assert (first["record"], first["line"]) == (1, 2)
    assert frame["record"].dtype == "int64"
    assert set(frame["status"]) <= {"kept", "empty"}
    assert frame.attrs == {"source": str(sample_path), "encoding": "utf-8"}


def test_returns_dict_of_columns_without_pandas(sample_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    columns = koe.read_voices(sample_path)
    assert isinstance(columns, dict)
    assert columns["text"][0] == "配達が遅い"
    assert len(columns["id"]) == len(columns["line"]) == 400
    assert columns["_attrs"]["encoding"] == "utf-8"


def test_decodes_shift_jis(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("id,text\n1,配達が遅い\n2,ｱﾌﾟﾘが重い\n".encode("cp932"))
    columns = koe.read_voices(path, encoding="shift_jis")
    assert list(columns["text"]) == ["配達が遅い", "ｱﾌﾟﾘが重い"]


def test_reads_jsonl_and_text_formats(tmp_path):
    jsonl = tmp_path / "v.jsonl"
    jsonl.write_text('{"id": "a", "text": "届かない", "rating": 1}\n', encoding="utf-8")
    assert list(koe.read_voices(jsonl)["text"]) == ["届かない"]
    plain = tmp_path / "v.dat"
    plain.write_text("一行目\n二行目\n", encoding="utf-8")
    assert list(koe.read_voices(plain, format="text")["text"]) == ["一行目", "二行目"]


def test_malformed_record_raises_input_error_naming_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,text,rating\n1,良い,5\n2,悪い,3,extra\n", encoding="utf-8")
    with pytest.raises(koe.InputError, match=r"bad\.csv:3: record has 4 fields") as info:
        koe.read_voices(path)
    assert info.value.code == "malformed_record"
    assert isinstance(info.value, ValueError) and isinstance(info.value, koe.KoeError)


def test_skip_keeps_bad_record_as_rejected_with_reason(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,良い\n2,\"壊れた\n", encoding="utf-8")
    columns = koe.read_voices(path, on_error="skip")
    assert list(columns["status"]) == ["kept", "rejected"]
    assert list(columns["reason"])[1].startswith("line 3: ")


def test_invalid_encoding_is_input_error(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"id,text\n1,caf\xe9\n")
    with pytest.raises(koe.InputError, match=r"latin\.csv:2") as info:
        koe.read_voices(path)
    assert info.value.code == "invalid_encoding"


def test_missing_file_and_column_are_input_errors(tmp_path, sample_path):
    with pytest.raises(koe.InputError) as info:
        koe.read_voices(tmp_path / "nope.csv")
    assert info.value.code == "io_failure"
    with pytest.raises(koe.InputError, match="body") as info:
        koe.read_voices(sample_path, text_column="body")
    assert info.value.code == "missing_column"


def test_bad_options_are_option_errors(sample_path):
    with pytest.raises(koe.OptionError, match="latin-1"):
        koe.read_voices(sample_path, encoding="latin-1")
    with pytest.raises(ValueError, match="format"):
        koe.read_voices(sample_path, format="xml")
    with pytest.raises(ValueError, match="on_error"):
        koe.read_voices(sample_path, on_error="ignore")


def test_meta_column_clashing_with_bookkeeping_gets_prefix(tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text("text,status\n遅い,open\n", encoding="utf-8")
    columns = koe.read_voices(path)
    assert list(columns["status"]) == ["kept"]
    assert list(columns["meta_status"]) == ["open"]
