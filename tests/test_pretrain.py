"""Pretraining from scratch: a BPE code tokenizer and a small MLM encoder that later stages build on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codestilts import run
from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.models.code_tokenizer import train_code_tokenizer
from codestilts.plan import build_plan
from tests.conftest import tiny_config

CODE = ["def add(a, b):\n    return a + b\n", "int Add(int a) {\n\treturn a * 2;\n}\n", "fn mul(x: i32) -> i32 { x * 3 }\n"] * 20
PRETRAIN = {
    "vocab_size": 400,
    "architecture": {"hidden_size": 32, "num_layers": 1, "num_heads": 2, "intermediate_size": 64},
    "languages": ["python", "go"],
    "training": {"learning_rate": 1e-3, "batch_size": 8, "max_steps": 6, "eval_every": 3},
}


def test_code_tokenizer_round_trips_whitespace_and_case() -> None:
    tokenizer = train_code_tokenizer(CODE, vocab_size=400, max_length=64)
    for text in CODE[:3]:
        ids = tokenizer(text)["input_ids"]
        assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
        assert tokenizer.decode(ids, skip_special_tokens=True) == text
    assert tokenizer.mask_token_id is not None
    assert len(tokenizer) <= 400


def test_pretrain_stage_feeds_every_later_stage(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data, model={"name": "pretrain", "max_length": 48}, pretrain=PRETRAIN)
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    stages = {p.name.split("-")[0]: p for p in (tmp_path / "stages").iterdir()}
    metrics = json.loads((stages["pretrain"] / "metrics.json").read_text())
    assert metrics["vocab_size"] <= 400 and metrics["steps"] == 6
    assert metrics["dev_mlm_loss"] > 0
    plan = build_plan(parse_config(raw))
    (pretrain,) = [s for s in plan.stages if s.kind == "pretrain"]
    roots = [s for s in plan.stages if s.kind in ("intermediate", "probe", "target") and not s.parents]
    assert roots == []
    assert all(pretrain.id in s.parents for s in plan.stages if s.kind == "intermediate")
    saved = json.loads((stages["target"] / "checkpoint" / "encoder" / "config.json").read_text())
    assert saved["hidden_size"] == 32


def test_pretrain_and_model_name_go_together(fixture_data: Path) -> None:
    with pytest.raises(UserError, match="go together"):
        parse_config(tiny_config(fixture_data, pretrain=PRETRAIN))
    with pytest.raises(UserError, match="go together"):
        parse_config(tiny_config(fixture_data, model={"name": "pretrain"}))


def test_pretrain_from_a_folder_of_source_files(fixture_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    for i, text in enumerate(CODE[:30]):
        (folder / f"f{i}.py").write_text(text)
    (folder / "notes.txt").write_text("not code")
    pretrain = PRETRAIN | {"directory": str(folder), "languages": None}
    raw = tiny_config(fixture_data, model={"name": "pretrain", "max_length": 32}, pretrain=pretrain, targets=[], probes=[], intermediate=["none"])
    run(parse_config(raw), out=tmp_path / "out")
    (stage,) = (tmp_path / "out" / "stages").iterdir()
    metrics = json.loads((stage / "metrics.json").read_text())
    assert metrics["train_texts"] + metrics["dev_texts"] == 30
