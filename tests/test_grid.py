"""Grids: plan counts, reuse across seeds and sources, failed stages, forced reruns, kill and
resume of a whole grid, and the Ray executor."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.config import parse_config
from codestilts.executor import ExecutionOptions
from codestilts.plan import build_plan
from codestilts.stages import RUNNERS
from tests.conftest import REPO, tiny_config

MIX = {"name": "mix", "tasks": ["snli", "defect-humanevalpack"], "sampler": "uniform"}


def grid(data: Path, **overrides) -> dict:
    fast = {"learning_rate": 1e-3, "batch_size": 8, "max_steps": 2, "max_train_examples": 16, "max_eval_examples": 8}
    raw = tiny_config(
        data,
        seeds=[0, 1],
        intermediate=["none", "snli", MIX],
        targets=["defect-humanevalpack", "clone-humaneval-x"],
        probes=["xret-humaneval-x"],
        training={"intermediate": fast, "target": dict(fast)},
    )
    raw.update(overrides)
    return raw


def kinds(raw: dict) -> Counter:
    return Counter(s.kind for s in build_plan(parse_config(raw)).stages)


def test_plan_counts_for_options_targets_seeds(fixture_data: Path) -> None:
    # 2 trained options x 2 seeds; 3 options x 2 targets x 2 seeds; probes: 2 x 2 + the base model once
    assert kinds(grid(fixture_data)) == Counter({"intermediate": 4, "target": 12, "evaluate": 12, "probe": 5})


def test_intermediate_trained_once_when_asked(fixture_data: Path) -> None:
    counts = kinds(grid(fixture_data, seed_intermediate=False))
    assert counts["intermediate"] == 2 and counts["target"] == 12 and counts["probe"] == 3


def test_source_language_grid(fixture_data: Path) -> None:
    raw = grid(fixture_data, source_language=["python", "java"], seeds=[0])
    plan = build_plan(parse_config(raw))
    counts = Counter(s.kind for s in plan.stages)
    assert counts == Counter({"intermediate": 2, "target": 12, "evaluate": 12, "probe": 6})
    assert {s.params["source_language"] for s in plan.stages if s.kind == "target"} == {"python", "java"}


def test_span_targets_default_to_batch_16(fixture_data: Path) -> None:
    raw = tiny_config(fixture_data, targets=["bugloc-humanevalpack", "defect-humanevalpack"], probes=[], intermediate=["none"])
    raw["training"]["target"].pop("batch_size")
    sizes = {s.labels["task"]: s.params["train"]["batch_size"] for s in build_plan(parse_config(raw)).stages if s.kind == "target"}
    assert sizes == {"bugloc-humanevalpack": 16, "defect-humanevalpack": 32}


def test_failed_stage_is_kept_until_retried(fixture_data: Path, tmp_path: Path, monkeypatch) -> None:
    raw = tiny_config(fixture_data, intermediate=["none"])

    def broken(ctx) -> None:
        raise RuntimeError("probe exploded")

    monkeypatch.setitem(RUNNERS, "probe", broken)
    first = run(parse_config(raw), out=tmp_path)
    (failed,) = first.summary.failed
    assert failed.startswith("probe-") and "probe exploded" in first.summary.failed[failed]
    assert len(first.summary.ran) == 2  # the target and its evaluation do not depend on the probe
    monkeypatch.undo()
    again = run(parse_config(raw), out=tmp_path)
    assert again.summary.ran == [] and "--retry-failed" in again.summary.failed[failed]
    retried = run(parse_config(raw), out=tmp_path, options=ExecutionOptions(retry_failed=True))
    assert retried.summary.ran == [failed] and retried.summary.ok


def test_force_reruns_matching_stages_only(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data, intermediate=["none"])
    run(parse_config(raw), out=tmp_path)
    forced = run(parse_config(raw), out=tmp_path, options=ExecutionOptions(force=("evaluate-*",)))
    assert [s.split("-")[0] for s in forced.summary.ran] == ["evaluate"]
    assert len(forced.summary.reused) == 2


@pytest.mark.slow
def test_killed_grid_reruns_only_missing_stages(fixture_data: Path, tmp_path: Path) -> None:
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(grid(fixture_data)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(out)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    done: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None and len(done) < 8:
        done = list(out.glob("stages/*/COMPLETE.json"))
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    complete_before = len(list(out.glob("stages/*/COMPLETE.json")))
    assert 8 <= complete_before < 33
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"{33 - complete_before} stages ran, {complete_before} reused" in result.stderr + result.stdout


@pytest.mark.slow
def test_ray_executor_matches_local(fixture_data: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    raw = grid(fixture_data)
    local = run(parse_config(raw), out=tmp_path / "local")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        distributed = run(parse_config(raw), out=tmp_path / "ray", executor="ray")
    finally:
        ray.shutdown()
    assert distributed.summary.ok and len(distributed.summary.ran) == 33
    columns = ["intermediate", "target", "language", "seed", "metric", "value"]
    pd.testing.assert_frame_equal(distributed.results[columns], local.results[columns])
