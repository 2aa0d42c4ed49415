"""The stage store: atomic files, completion manifest, failure records."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts import store
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


def test_a_dropped_checkpoint_leaves_the_stage_complete_and_still_checked(tmp_path: Path) -> None:
    stage = _stage_with_weights(tmp_path)
    assert not stage.checkpoint_dropped()
    stage.drop_checkpoint()
    assert not (stage / "checkpoint").exists()
    assert stage.checkpoint_dropped() and stage.status() == "done" and stage.verify() == []
    manifest = read_json(stage / "COMPLETE.json")
    assert set(manifest["files"]) == {"stage.json", "metrics.json"} and manifest["dropped"] == ["checkpoint"]
    (stage / "metrics.json").write_bytes(b"2" * 100)  # the files kept are checked as before
    assert stage.status() == "pending"


def test_a_kill_before_the_manifest_is_replaced_keeps_the_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage = _stage_with_weights(tmp_path)

    def killed(*args) -> None:
        raise KeyboardInterrupt  # the new manifest is written but never renamed into place

    monkeypatch.setattr(store.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        stage.drop_checkpoint()
    monkeypatch.undo()
    assert stage.verify(deep=True) == [] and not stage.checkpoint_dropped()
    assert (stage / "checkpoint" / "weights.bin").read_bytes() == b"a" * 100


def test_a_kill_while_the_files_go_leaves_a_complete_stage_without_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "checkpoint" / "config.json").write_text("{}")
    stage.complete()

    def half_removed(path: Path) -> None:
        (path / "config.json").unlink()
        raise KeyboardInterrupt

    monkeypatch.setattr(store.shutil, "rmtree", half_removed)
    with pytest.raises(KeyboardInterrupt):
        stage.drop_checkpoint()
    monkeypatch.undo()
    assert stage.status() == "done" and stage.verify(deep=True) == [] and stage.checkpoint_dropped()
    assert (stage / "checkpoint" / "weights.bin").exists()  # left over: no manifest lists it, no stage reads it
    stage.drop_checkpoint()
    assert not (stage / "checkpoint").exists() and stage.status() == "done"
