"""The stage store: atomic files, completion manifest, failure records."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.store import StageDir, atomic_path, is_sealed, read_json, seal, write_json


def test_atomic_path_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("killed")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_stage_complete_only_after_manifest(tmp_path: Path) -> None:
    stage = StageDir(tmp_path / "s")
    stage.begin({"id": "s"})
    write_json(stage / "metrics.json", {"a": 1})
    assert stage.status() == "pending"
    stage.complete()
    assert stage.status() == "done"
    manifest = read_json(stage / "COMPLETE.json")["files"]
    assert set(manifest) == {"stage.json", "metrics.json"}
    assert stage.verify() == []


def _stage_with_weights(tmp_path: Path) -> StageDir:
    """A complete stage holding a 100-byte weights file in its checkpoint and a 100-byte metrics file."""
    stage = StageDir(tmp_path / "s")
    stage.begin({"id": "s"})
    (stage / "checkpoint").mkdir()
    (stage / "checkpoint" / "weights.bin").write_bytes(b"a" * 100)
    (stage / "metrics.json").write_bytes(b"1" * 100)
    stage.complete()
    return stage


@pytest.mark.parametrize("name", ["checkpoint/weights.bin", "metrics.json"])
def test_truncated_or_missing_file_makes_stage_incomplete(tmp_path: Path, name: str) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / name).write_bytes(b"a" * 10)
    assert not stage.is_complete()
    assert stage.status() == "pending"
    (stage / name).unlink()
    assert stage.verify() == [name]


def test_corrupt_small_file_makes_stage_incomplete(tmp_path: Path) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "metrics.json").write_bytes(b"2" * 100)
    assert stage.status() == "pending"


def test_corrupt_weights_are_found_by_the_deep_check_only(tmp_path: Path) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "checkpoint" / "weights.bin").write_bytes(b"b" * 100)
    assert stage.is_complete()  # same size: only the checksum tells, and the status check skips it
    assert stage.verify(deep=False) == []
    assert stage.verify() == ["checkpoint/weights.bin"]


@pytest.mark.parametrize("manifest", [None, "{not json", '{"files": 3}', "[]"])
def test_missing_or_torn_manifest_is_not_complete(tmp_path: Path, manifest: str | None) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "COMPLETE.json").unlink()
    if manifest is not None:
        (stage / "COMPLETE.json").write_text(manifest)
    assert stage.status() == "pending"
    assert stage.verify() == ["COMPLETE.json"]


def test_seal_trusts_a_folder_only_while_its_files_match(tmp_path: Path) -> None:
    folder = tmp_path / "resume"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"w" * 64)
    (folder / "rng.pkl").write_bytes(b"r" * 8)
    assert not is_sealed(folder)  # written, but never sealed: a kill came before the seal
    seal(folder)
    assert is_sealed(folder)
    (folder / "model.safetensors").write_bytes(b"w" * 32)
    assert not is_sealed(folder)


def test_failure_recorded_and_cleared_on_restart(tmp_path: Path) -> None:
    stage = StageDir(tmp_path / "s")
    stage.begin({"id": "s"})
    stage.fail("ValueError: boom", "traceback")
    assert stage.status() == "failed"
    assert stage.failure()["error"] == "ValueError: boom"
    stage.begin({"id": "s"})
    assert stage.status() == "pending"
