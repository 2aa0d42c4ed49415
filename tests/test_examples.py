"""Every config in examples/ is valid and plans on the real data: a mistyped key, an unknown task or
a setting that a task refuses (a span target for a decoder, translate_train of a one-language task)
fails here, not on a GPU machine hours into a run. Configs naming a Hugging Face model that cannot be
downloaded here are planned with the tiny model of the same family in its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.config import PRETRAIN, load_config, parse_config
from codestilts.plan import build_plan
from codestilts.schema import read_yaml
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
LOCAL_MODELS = {"minilm", "tiny", "tiny-decoder", "tiny-seq2seq", PRETRAIN}
STAND_IN = {None: "tiny", "encoder": "tiny", "decoder": "tiny-decoder", "seq2seq": "tiny-seq2seq"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_config_is_valid(path: Path) -> None:
    config = load_config(path)
    assert config.name == path.stem


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_config_plans_on_the_real_data(path: Path, real_data: Path) -> None:
    _, raw = read_yaml(path)
    model = raw["model"]
    if model["name"] not in LOCAL_MODELS:
        model["name"] = STAND_IN[model.get("family")]
        for kind in raw.get("training", {}).values():  # the stand-in's layers have other names: peft's defaults
            (kind.get("lora") or {}).pop("target_modules", None)
    raw["data_dir"] = str(real_data)
    raw.setdefault("generation", {})["sandbox"] = "none"  # planned only: nothing runs, with or without bubblewrap
    plan = build_plan(parse_config(raw, source=str(path)))
    targets = [s for s in plan.stages if s.kind == "target"]
    assert {s.labels["task"] for s in targets} == set(raw["targets"])
    assert {s.labels["seed"] for s in targets} == (set(raw["seeds"]) if targets else set())
