"""The stage store: atomic files, completion manifest, failure records."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.store import StageDir, atomic_path, read_json, write_json


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
    """A complete stage holding a 100-byte weights file."""
    stage = StageDir(tmp_path / "s")
    stage.begin({"id": "s"})
    (stage / "weights.bin").write_bytes(b"a" * 100)
    stage.complete()
    return stage


def test_truncated_file_makes_stage_incomplete(tmp_path: Path) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "weights.bin").write_bytes(b"a" * 10)
    assert not stage.is_complete()
    assert stage.status() == "pending"


def test_corrupted_file_is_found_by_verify(tmp_path: Path) -> None:
    stage = _stage_with_weights(tmp_path)
    (stage / "weights.bin").write_bytes(b"b" * 100)
    assert stage.is_complete()  # same size: only the checksum tells
    assert stage.verify() == ["weights.bin"]


def test_failure_recorded_and_cleared_on_restart(tmp_path: Path) -> None:
    stage = StageDir(tmp_path / "s")
    stage.begin({"id": "s"})
    stage.fail("ValueError: boom", "traceback")
    assert stage.status() == "failed"
    assert stage.failure()["error"] == "ValueError: boom"
    stage.begin({"id": "s"})
    assert stage.status() == "pending"
