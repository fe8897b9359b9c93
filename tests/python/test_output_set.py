"""koe.check_outputs: a folder written by `koe cluster` is one run's complete set, or refused."""

import json
import subprocess

import pytest

import koe


@pytest.fixture(scope="module")
def outdir(cli, sample_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs") / "out"
    subprocess.run([str(cli), "cluster", str(sample_path), "-k", "5", "-q", "-o", str(out)],
                   check=True, capture_output=True)
    return out


def test_complete_set_returns_the_manifest(outdir):
    found = koe.check_outputs(outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert found["run_id"] == manifest["run_id"]
    assert found["koe_version"] == koe.__version__
    assert found["format_version"] == 1
    assert found["files"] == manifest["files"]
    names = [f["name"] for f in found["files"]]
    assert names[:2] == ["clusters.json", "assignments.csv"]
    assert all(len(f["xxh64"]) == 16 for f in found["files"])
    assert koe.check_outputs(str(outdir)) == found


def test_changed_file_and_missing_manifest_are_refused(outdir, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in outdir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / "assignments.csv").write_bytes(b"id,cluster\n")
    with pytest.raises(koe.InputError, match="does not match .*manifest.json") as e:
        koe.check_outputs(copy)
    assert e.value.code == "mixed_outputs"
    (copy / "manifest.json").unlink()
    with pytest.raises(koe.InputError, match="no manifest.json"):
        koe.check_outputs(copy)
    with pytest.raises(koe.KoeError, match="no such folder"):
        koe.check_outputs(tmp_path / "none")
