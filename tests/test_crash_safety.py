"""Crash safety: a stage whose files no longer match its manifest runs again, a resumable checkpoint
whose seal does not match is never loaded, and a grid killed with SIGKILL at many points ends, once
rerun, with the results of an uninterrupted run."""

from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.config import parse_config
from codestilts.executor import ExecutionOptions
from codestilts.stages.common import CHECKPOINT, RESUME
from codestilts.store import COMPLETE, StageDir, read_manifest
from codestilts.training import loop
from tests.conftest import REPO, kill_at, tiny_config

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


def _assert_nothing_partial_is_complete(out: Path) -> None:
    """Every stage marked complete has every file of its manifest, byte for byte; a report file
    that exists is whole."""
    for folder in sorted((out / "stages").glob("*")) if (out / "stages").is_dir() else []:
        stage = StageDir(folder)
        if (folder / COMPLETE).exists():
            assert stage.verify() == [], folder.name
            assert "metrics.json" in read_manifest(folder / COMPLETE), folder.name
    if (out / "results.csv").exists():
        assert not pd.read_csv(out / "results.csv").empty


KILLS = ("delay", "step", "checkpoint", "write", "step", "checkpoint", "write", "delay", "step", "checkpoint", "write", "report", "report")


def _kill_schedule(seed: int) -> list[tuple[str, float]]:
    """(kind, when): a kill after a random delay in seconds, or at the N-th event of a kind (see
    tests/kill_points/sitecustomize.py), each N at most the events of that kind in a whole grid
    (8 steps and 3 checkpoints in its first training stage, more than 6 store and 6 report writes);
    the report's kills come last, after every stage has run."""
    rng = random.Random(seed)
    draw = {"delay": lambda: rng.uniform(5, 20), "step": lambda: rng.randint(2, 8), "checkpoint": lambda: rng.randint(1, 3),
            "write": lambda: rng.randint(1, 6), "report": lambda: rng.randint(1, 6)}
    return [(kind, draw[kind]()) for kind in KILLS]


def _start(config: Path, out: Path, kind: str, when: float) -> subprocess.Popen:
    env = os.environ | (kill_at(kind, int(when)) if kind != "delay" else {"PYTHONPATH": str(REPO)})
    command = [sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(out)]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _run_until_killed(config: Path, out: Path, kind: str, when: float) -> tuple[int, float]:
    """Run the grid until it ends or the kill point fires; its exit status and how long it ran."""
    started = time.monotonic()
    process = _start(config, out, kind, when)
    try:
        _, stderr = process.communicate(timeout=when if kind == "delay" else 300)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate()
    assert process.returncode in (0, -signal.SIGKILL), stderr
    return process.returncode, time.monotonic() - started


@pytest.mark.slow
def test_sigkill_at_many_points_then_rerun_gives_the_uninterrupted_results(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data)
    for kind in ("intermediate", "target"):
        raw["training"][kind] |= {"max_steps": 8, "checkpoint_every": 2}
    straight = run(parse_config(raw), out=tmp_path / "straight")
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(raw))
    out = tmp_path / "killed"

    for kind, when in _kill_schedule(seed=9):
        returncode, seconds = _run_until_killed(config, out, kind, when)
        if returncode != -signal.SIGKILL:
            # The work left after the earlier kills ended before this kill point (a fast machine,
            # little work left): it must equal the uninterrupted run. The grid then starts afresh,
            # where every point is reached: a count is at most the events of a whole grid, and a
            # delay becomes half the time the rest of the grid just took, less than a whole grid takes.
            assert (out / "results.csv").read_bytes() == (straight.out / "results.csv").read_bytes()
            shutil.rmtree(out)
            when = seconds / 2 if kind == "delay" else when
            returncode, _ = _run_until_killed(config, out, kind, when)
        assert returncode == -signal.SIGKILL, f"{kind}:{when} not reached in a whole grid"
        _assert_nothing_partial_is_complete(out)

    final = subprocess.run([sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    _assert_nothing_partial_is_complete(out)
    assert (out / "results.csv").read_bytes() == (straight.out / "results.csv").read_bytes()
