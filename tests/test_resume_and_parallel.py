"""A stage killed with SIGKILL mid-training (at a chosen optimizer step, not after a delay) resumes
from its last checkpoint and ends with the numbers of an uninterrupted run; a 2-process
data-parallel run has the 1-process loss curve."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, kill_at, tiny_config

pytestmark = pytest.mark.slow


def _config(data: Path, tmp_path: Path, **train) -> Path:
    raw = tiny_config(data, intermediate=["none"], probes=[], model={"name": "tiny", "max_length": 48, "dropout": 0.0})
    raw["training"]["target"] = {"learning_rate": 1e-3, "batch_size": 8, "max_steps": 40, "eval_every": 10} | train
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "codestilts.cli", *args]


def _target_metrics(out: Path) -> dict:
    (folder,) = [p for p in (out / "stages").iterdir() if p.name.startswith("target-")]
    return json.loads((folder / "metrics.json").read_text())


def test_sigkill_midway_then_resume_matches_uninterrupted(fixture_data: Path, tmp_path: Path) -> None:
    config = _config(fixture_data, tmp_path, checkpoint_every=4)
    straight = tmp_path / "straight"
    subprocess.run(_cli("run", str(config), "--out", str(straight)), check=True, capture_output=True, cwd=REPO)

    # SIGKILL at the 23rd optimizer step, whatever the machine's speed: after the checkpoint of step 20
    killed = tmp_path / "killed"
    hooked = os.environ | kill_at("step", 23)
    first_try = subprocess.run(_cli("run", str(config), "--out", str(killed)), cwd=REPO, env=hooked, capture_output=True, text=True)
    assert first_try.returncode == -signal.SIGKILL, first_try.stderr
    (stage,) = (killed / "stages").glob("target-*")
    assert (stage / "resume").is_dir() and not (stage / "COMPLETE.json").exists()

    again = subprocess.run(_cli("run", str(config), "--out", str(killed)), capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 0, again.stderr
    assert "resumed at step 20 of 40" in (stage / "log.txt").read_text()
    assert not (stage / "resume").exists()
    first, second = _target_metrics(straight), _target_metrics(killed)
    assert second["train_loss"] == first["train_loss"]
    assert second["history"] == first["history"]
    columns = ["intermediate", "target", "language", "metric", "value"]
    pd.testing.assert_frame_equal(pd.read_csv(killed / "results.csv")[columns], pd.read_csv(straight / "results.csv")[columns])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_follow_the_single_process_loss_curve(fixture_data: Path, tmp_path: Path) -> None:
    # fp32: in bf16 (the default on a machine with fast bf16) a different order of sums moves the loss by more than 1e-4
    config = _config(fixture_data, tmp_path, max_steps=12, eval_every=4, learning_rate=1e-4, bf16=False)
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    subprocess.run(_cli("run", str(config), "--out", str(single)), check=True, capture_output=True, cwd=REPO)
    launcher = Path(sys.executable).with_name("accelerate")
    command = [
        str(launcher), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port()),
        "-m", "codestilts.cli", "run", str(config), "--out", str(parallel),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=os.environ | {"OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    one, two = np.array(_target_metrics(single)["train_loss"]), np.array(_target_metrics(parallel)["train_loss"])
    assert len(one) == len(two) == 12
    # same weights, global batches and LR schedule: only the order of float sums differs
    np.testing.assert_allclose(two, one, atol=1e-4)
    assert (parallel / "results.csv").is_file()
