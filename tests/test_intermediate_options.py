"""Intermediate options beyond one task: mixtures, continued MLM (baseline i), translate-train (ii)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codestilts import run
from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.plan import build_plan
from codestilts.tasks.mixtures import MIXTURES
from tests.conftest import tiny_config

MIX = {"name": "mix", "tasks": ["snli", "defect-humanevalpack"], "sampler": "temperature", "temperature": 2.0, "mlm_rate": 0.25}


def _intermediate_metrics(out: Path, option: str = "") -> dict:
    folder = next(p for p in sorted((out / "stages").iterdir()) if p.name.startswith(f"intermediate-{option}"))
    return json.loads((folder / "metrics.json").read_text())


def test_mixture_with_mlm_trains_every_source(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data, intermediate=["none", MIX], probes=[])
    raw["training"]["intermediate"]["max_steps"] = 12
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    metrics = _intermediate_metrics(tmp_path)
    assert set(metrics["train_examples"]) == {"snli", "defect-humanevalpack", "code-mlm"}
    assert metrics["sampling"]["code-mlm"] == pytest.approx(0.25)
    assert sum(metrics["task_steps"].values()) == 12
    assert {"snli/accuracy", "defect-humanevalpack/accuracy", "score"} <= set(metrics["history"][-1])
    assert set(result.results.intermediate) == {"none", "mix"}


def test_translate_train_uses_every_language(fixture_data: Path, tmp_path: Path) -> None:
    option = {"name": "defect-tt", "tasks": ["defect-humanevalpack"], "translate_train": True}
    raw = tiny_config(fixture_data, intermediate=[option, "defect-humanevalpack"], probes=[], targets=[])
    run(parse_config(raw), out=tmp_path)
    translated, plain = (_intermediate_metrics(tmp_path, name) for name in ("defect-tt", "defect-humanevalpack"))
    cap = raw["training"]["intermediate"]["max_train_examples"]
    # 40 fixture problems, 60% train, 2 examples each: 48 per language, more than the cap in Python
    # alone, so only the languages drawn tell translate-train from plain training
    assert sum(plain["train_languages"]["defect-humanevalpack"].values()) == cap
    assert set(plain["train_languages"]["defect-humanevalpack"]) == {"python"}
    assert sum(translated["train_languages"]["defect-humanevalpack"].values()) == cap
    assert set(translated["train_languages"]["defect-humanevalpack"]) == {"python", "cpp", "java", "js", "go", "rust"}


def test_translate_train_rejects_single_language_tasks(fixture_data: Path) -> None:
    raw = tiny_config(fixture_data, intermediate=[{"name": "x", "tasks": ["snli"], "translate_train": True}])
    with pytest.raises(UserError, match="translate_train needs parallel tasks"):
        build_plan(parse_config(raw))


@pytest.mark.data
@pytest.mark.parametrize("name", sorted(MIXTURES))
def test_named_mixtures_expand_to_their_tasks(real_data: Path, name: str) -> None:
    plan = build_plan(parse_config(tiny_config(real_data, intermediate=[name], targets=[], probes=[])))
    (inter,) = [s for s in plan.stages if s.kind == "intermediate"]
    assert [t["name"] for t in inter.params["tasks"]] == list(MIXTURES[name])
