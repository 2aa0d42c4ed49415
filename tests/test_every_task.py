"""Every built-in task loads (from the real data, or from what the package embeds) and trains or
probes, end to end, on the tiny model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from codestilts import run
from codestilts.config import parse_config
from codestilts.formats import CLASSIFICATION, GENERATION, MLM, MULTIPLE_CHOICE, PAIR_CLASSIFICATION, RETRIEVAL, SPAN_EXTRACTION, TOKEN_TAGGING
from codestilts.tasks import TASKS, load

FAST = {"learning_rate": 1e-3, "batch_size": 4, "max_steps": 2, "max_train_examples": 8, "max_eval_examples": 8}
TARGET_FORMATS = {CLASSIFICATION, PAIR_CLASSIFICATION, MULTIPLE_CHOICE, SPAN_EXTRACTION, TOKEN_TAGGING, GENERATION}
GENERATE = {"max_problems": 1, "max_new_tokens": 16}
"""A generation target: one problem of each benchmark per language, a short greedy completion, run in the sandbox."""


def _role(task, data_dir: Path) -> str:
    if task.format is MLM:
        return "mlm"
    if task.format is RETRIEVAL:
        return "probe"
    has_test = bool(load(task, data_dir)[task.source_language]["test"])
    return "target" if task.format in TARGET_FORMATS and has_test else "intermediate"


def _config(task, role: str, data_dir: Path | None) -> dict:
    config = {
        "name": task.name,
        "data_dir": str(data_dir) if data_dir else None,
        "model": {"name": "tiny", "max_length": 64},
        "source_language": task.source_language,
        "intermediate": ["none"],
        "training": {"intermediate": FAST, "target": FAST},
    }
    if task.format is GENERATION:  # written by a decoder
        config |= {"model": {"name": "tiny-decoder", "max_length": 64}, "generation": GENERATE}
    if role == "target":
        config["targets"] = [task.name]
    elif role == "probe":
        config["probes"] = [task.name]
    elif role == "intermediate":
        config["intermediate"] = [task.name]
    else:
        config.update(source_language="python", targets=["defect-humanevalpack"])
        config["intermediate"] = [{"name": "snli+mlm", "tasks": ["snli"], "mlm_rate": 0.5}]
    return config


def _runs_end_to_end(name: str, data_dir: Path | None, out: Path) -> None:
    task = next(t for t in TASKS.all() if t.name == name)
    role = _role(task, data_dir)
    result = run(parse_config(_config(task, role, data_dir)), out=out)
    assert result.summary.ok, result.summary.failed
    assert result.summary.ran
    if role in ("target", "probe"):
        frame = pd.read_csv(out / "results.csv")
        rows = frame[(frame.target == name) & frame.primary]
        assert set(rows.language) >= set(task.languages) - ({task.source_language} if role == "probe" else set())
        assert rows.value.between(0, 1).all()
    if role == "mlm":
        inter = next(p for p in (out / "stages").iterdir() if p.name.startswith("intermediate-"))
        assert '"code-mlm"' in (inter / "metrics.json").read_text()


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("name", [t.name for t in TASKS.all() if t.data_files])
def test_task_runs_end_to_end(name: str, real_data: Path, tmp_path: Path) -> None:
    _runs_end_to_end(name, real_data, tmp_path)


@pytest.mark.parametrize("name", [t.name for t in TASKS.all() if not t.data_files])
def test_embedded_task_runs_without_a_data_folder(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODESTILTS_DATA", raising=False)
    _runs_end_to_end(name, None, tmp_path)
