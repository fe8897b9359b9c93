"""Options are written once, in the library: the command line and Python offer the same ones."""

import ast
import csv
import inspect
import pathlib
import re
import subprocess

import koe
from koe import _koe

STUB = pathlib.Path(koe.__file__).with_name("__init__.pyi")
# Arguments of `koe cluster` that are not options of the job itself.
# --prev is the model a refit starts from; Python passes it to fit(prev=...), not as an option.
CLI_ONLY = {"--help", "--quiet", "--output", "--stats", "--prev"}


def _cli_options(cli, command):
    help_text = subprocess.run([str(cli), command, "--help"], check=True, capture_output=True,
                               text=True).stdout
    return set(re.findall(r"^\s+(?:-\w,)?(--?[\w-]+)", help_text, re.MULTILINE))


def _keywords(function):
    return {n for n in inspect.signature(function).parameters if n not in ("self", "path")}


def test_the_cli_and_python_offer_the_same_options(cli):
    by_cli = {o["cli"]: o["name"] for o in _koe.options()}
    cluster = _cli_options(cli, "cluster") - CLI_ONLY
    assert cluster <= set(by_cli), cluster - set(by_cli)
    python = set(koe.Pipeline().get_params()) | _keywords(koe.read_voices)
    assert {by_cli[c] for c in cluster} == python
    assert set(koe.Pipeline().get_params()) == _keywords(koe.Pipeline.__init__)
    tokenize = _cli_options(cli, "tokenize") - CLI_ONLY - {"--normalized", "--rejects"}
    text = {o["name"] for o in _koe.options() if o["scope"] == "text"}
    assert {by_cli[c] for c in tokenize} == text | _keywords(koe.read_voices)


def test_defaults_are_the_librarys():
    defaults = {o["name"]: o["default"] for o in _koe.options()}
    params = koe.Pipeline().get_params()
    assert params == {name: defaults[name] for name in params}
    assert params["seed_sample"] == 100000 and params["tol"] == 1e-4
    assert params["k"] == "auto" and params["threads"] is None


def test_the_stub_lists_the_same_parameters():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    pipeline = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Pipeline")
    init = next(n for n in pipeline.body if isinstance(n, ast.FunctionDef)
                and n.name == "__init__")
    stub = [a.arg for a in init.args.args + init.args.kwonlyargs if a.arg != "self"]
    assert stub == list(koe.Pipeline().get_params())
    reader = next(n for n in tree.body if isinstance(n, ast.FunctionDef)
                  and n.name == "read_voices")
    stub = [a.arg for a in reader.args.args + reader.args.kwonlyargs if a.arg != "path"]
    assert stub == [n for n in inspect.signature(koe.read_voices).parameters if n != "path"]


def test_created_at_wins_over_timestamp_as_in_the_reader(tmp_path):
    rows = [{"id": str(i), "text": text, "created_at": f"2024-01-{i + 1:02d}",
             "timestamp": f"2023-06-{i + 1:02d}"}
            for i, text in enumerate(["配達が遅い", "配達が遅すぎる", "アプリが重い", "アプリが落ちる"])]
    path = tmp_path / "voices.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    read = koe.read_voices(path)
    assert list(read["timestamp"]) == [r["created_at"] for r in rows]
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    model = koe.Pipeline(k=2, min_df=1).fit(columns)
    assert model._model.input()["timestamp"] == [r["created_at"] for r in rows]
    assert koe.Pipeline(k=2, min_df=1).fit(read)._model.input()["timestamp"] == \
        model._model.input()["timestamp"]
