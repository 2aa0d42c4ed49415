"""Task sizes for `codestilts tasks` are counted once and read back, until the data changes."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from codestilts.tasks import TASKS, loading, sizes
from codestilts.tasks.sizes import task_sizes
from tests.conftest import build_fixture_data


def forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("loaded although the sizes were cached")

    monkeypatch.setattr(sizes, "load", refuse)


def test_sizes_are_counted_once_then_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESTILTS_CACHE", str(tmp_path / "cache"))
    data = build_fixture_data(tmp_path / "data", problems=12)
    task = TASKS.get("xret-humaneval-x")
    counted = task_sizes(task, data)
    loaded = loading.load(task, data)
    assert counted == {lang: {split: len(per[split]) for split in per} for lang, per in loaded.items()}
    with monkeypatch.context() as patch:
        forbid_loading(patch)
        assert task_sizes(task, data) == counted


def test_changed_data_is_counted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESTILTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loading, "_LOADED", {})
    data = build_fixture_data(tmp_path / "data", problems=12)
    task = TASKS.get("snli")
    before = task_sizes(task, data)
    shutil.rmtree(data)
    build_fixture_data(data, problems=12)
    snli_test = data / "nl/snli_esnli/snli_test.derived.jsonl.gz"
    snli_test.write_bytes(b"")  # an empty test split, written later than the entry
    os.utime(snli_test, ns=(snli_test.stat().st_atime_ns, snli_test.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(loading, "_LOADED", {})
    assert before["en"]["test"] > 0 and task_sizes(task, data)["en"]["test"] == 0


def test_without_a_cache_sizes_are_counted_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESTILTS_CACHE", "off")
    data = build_fixture_data(tmp_path / "data", problems=12)
    task_sizes(TASKS.get("snli"), data)
    forbid_loading(monkeypatch)
    with pytest.raises(AssertionError, match="loaded although"):
        task_sizes(TASKS.get("snli"), data)


def test_a_cache_that_cannot_be_written_only_costs_a_recount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A full or read-only cache folder: the sizes are still counted and returned, with a warning."""
    monkeypatch.setenv("CODESTILTS_CACHE", str(tmp_path / "cache"))  # empty: the sizes must be written
    data = build_fixture_data(tmp_path / "data", problems=12)
    attempted: list[Path] = []

    def refuse(path: Path, obj) -> None:
        attempted.append(path)
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(sizes, "write_json", refuse)
    with caplog.at_level(logging.WARNING, logger="codestilts"):
        counted = sizes.task_sizes(TASKS.get("defect-humanevalpack"), data)
    assert sum(counted["python"].values()) == 2 * 12  # a correct and a buggy solution per problem
    (entry,) = attempted
    assert entry.parent == tmp_path / "cache" / "sizes"
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "could not cache the sizes of defect-humanevalpack" in warning.getMessage()
    assert "No space left on device" in warning.getMessage()
