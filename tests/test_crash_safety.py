"""Crash safety: a stage whose files no longer match its manifest runs again, a resumable checkpoint
whose seal does not match is never loaded, and a grid killed with SIGKILL at many points ends, once
rerun, with the results of an uninterrupted run."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from codestilts import run
from codestilts.config import parse_config
from codestilts.executor import ExecutionOptions
from codestilts.stages.common import CHECKPOINT, RESUME
from codestilts.training import loop
from tests.conftest import tiny_config

COLUMNS = ["intermediate", "target", "language", "seed", "metric", "value"]


def _stage(out: Path, prefix: str) -> Path:
    (folder,) = (out / "stages").glob(f"{prefix}-*")
    return folder


def _largest(folder: Path) -> Path:
    return max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)


def _grid(data: Path) -> dict:
    return tiny_config(data, intermediate=["none", "snli"], probes=[])


def test_damaged_checkpoint_makes_its_stage_rerun(fixture_data: Path, tmp_path: Path) -> None:
    raw = _grid(fixture_data)
    first = run(parse_config(raw), out=tmp_path)
    inter = _stage(tmp_path, "intermediate")
    weights = _largest(inter / CHECKPOINT)

    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # truncated: seen by its size
    truncated = run(parse_config(raw), out=tmp_path)
    assert truncated.summary.ran == [inter.name]

    content = bytearray(weights.read_bytes())
    content[-1] ^= 0xFF  # same size, other bytes: seen by its checksum when a child needs it
    weights.write_bytes(bytes(content))
    target = next(p for p in (tmp_path / "stages").glob("target-*-snli-*"))
    (target / "COMPLETE.json").unlink()
    corrupt = run(parse_config(raw), out=tmp_path)
    assert corrupt.summary.ran == [inter.name, target.name]
    pd.testing.assert_frame_equal(corrupt.results[COLUMNS], first.results[COLUMNS])


@pytest.fixture(scope="module")
def resumable(fixture_data: Path) -> dict:
    """A target stage that saves a resumable checkpoint every 2 of its 8 steps."""
    raw = tiny_config(fixture_data, intermediate=["none"], probes=[], model={"name": "tiny", "max_length": 48, "dropout": 0.0})
    raw["training"]["target"] |= {"max_steps": 8, "eval_every": 4, "checkpoint_every": 2}
    return raw


@pytest.fixture(scope="module")
def uninterrupted(resumable: dict, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return run(parse_config(resumable), out=tmp_path_factory.mktemp("straight")).results


@pytest.mark.parametrize("damage", [False, True])
def test_resume_only_from_a_checkpoint_that_matches_its_seal(
    resumable: dict, uninterrupted: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, damage: bool
) -> None:
    caplog.set_level(logging.INFO, logger="codestilts")  # the stage's log.txt says whether it resumed
    save = loop._save_checkpoint

    def save_then_crash(*args, **kwargs) -> None:
        save(*args, **kwargs)
        raise RuntimeError("crashed after the first checkpoint")

    monkeypatch.setattr(loop, "_save_checkpoint", save_then_crash)
    crashed = run(parse_config(resumable), out=tmp_path)
    monkeypatch.undo()
    (target_id,) = crashed.summary.failed
    resume = tmp_path / "stages" / target_id / RESUME
    assert resume.is_dir()
    if damage:
        weights = _largest(resume)
        weights.write_bytes(weights.read_bytes()[:100])

    retried = run(parse_config(resumable), out=tmp_path, options=ExecutionOptions(retry_failed=True))
    assert retried.summary.ok
    resumed = "resumed at step 2" in (tmp_path / "stages" / target_id / "log.txt").read_text()
    assert resumed is not damage
    pd.testing.assert_frame_equal(retried.results[COLUMNS], uninterrupted[COLUMNS])
