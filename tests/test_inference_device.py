"""Evaluate and probe stages compute on the device training uses (Accelerate's), not where the
checkpoint was loaded (the CPU)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from codestilts.config import parse_config
from codestilts.executor import execute
from codestilts.formats import Evaluation
from codestilts.parallel import process_device
from codestilts.plan import build_plan
from codestilts.stages import evaluate, probe
from codestilts.store import Store
from tests.conftest import tiny_config


def test_the_process_device_is_accelerates() -> None:
    from accelerate import PartialState

    assert process_device() == PartialState().device


def test_evaluate_and_probe_stages_move_their_model_to_the_process_device(fixture_data: Path, tmp_path: Path, monkeypatch) -> None:
    """Pretend the process computes on another device (``meta``): the model each stage computes
    with must be there. (The computation itself is replaced: meta tensors hold no values.)"""
    elsewhere = torch.device("meta")
    seen: dict[str, set[torch.device]] = {"evaluate": set(), "probe": set()}

    def evaluated(model, task, fmt, records, *args, **kwargs) -> Evaluation:
        seen["evaluate"].add(next(model.parameters()).device)
        return Evaluation({"accuracy": 0.0}, [])

    def embedded(encoder, tokenizer, features, **kwargs) -> np.ndarray:
        seen["probe"].add(encoder.device)
        return np.ones((len(features), 3, 4), dtype=np.float32)  # features x layers x hidden

    for module in (evaluate, probe):
        monkeypatch.setattr(module, "process_device", lambda: elsewhere)
    monkeypatch.setattr(evaluate, "evaluate_records", evaluated)
    monkeypatch.setattr(probe, "embed", embedded)
    plan = build_plan(parse_config(tiny_config(fixture_data, intermediate=["none"])))
    summary = execute(plan, Store(tmp_path / "run"))
    assert not summary.failed
    assert seen == {"evaluate": {elsewhere}, "probe": {elsewhere}}
