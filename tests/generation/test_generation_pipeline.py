"""Generation targets through config -> plan -> stages -> store -> report: a decoder pretrained by
the pipeline trains on a generation task (intermediate, with LoRA, and target), samples the test
problems, runs them in the sandbox and reports pass@1; and each mistake in ``generation:`` is one
message with exit 2 when planning."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from codestilts import run
from codestilts.config import parse_config
from codestilts.plan import build_plan
from tests.conftest import tiny_config
from tests.test_decoder_pipeline import LORA, plan_error
from tests.test_pretrain import PRETRAIN

GENERATION = {"languages": ["python", "js"], "max_problems": 3, "max_new_tokens": 12}


def generation_config(data: Path, **overrides) -> dict:
    raw = tiny_config(
        data, model={"name": "tiny-decoder", "max_length": 64}, intermediate=["none"], targets=["nl2code-mbpp-gen"], probes=[],
        generation=dict(GENERATION),
    )
    return raw | overrides


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open()]


@pytest.mark.slow
def test_a_pipeline_pretrained_decoder_generates_executes_and_reports_pass_at_1(generation_data: Path, tmp_path: Path) -> None:
    raw = generation_config(
        generation_data, model={"name": "pretrain", "family": "decoder", "max_length": 64}, pretrain=PRETRAIN,
        intermediate=["none", "nl2code-mbpp-gen", "bugloc-humanevalpack"],  # generation, and extractive QA written out, as intermediate tasks
    )
    raw["training"]["intermediate"]["lora"] = LORA
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    stages = {p.name.rsplit("-", 1)[0]: p for p in (tmp_path / "stages").iterdir()}
    for option in ("none", "nl2code-mbpp-gen"):
        slug = f"nl2code-mbpp-gen-{option}-python-s0"
        samples = read_rows(stages[f"generate-{slug}"] / "samples.jsonl")
        chosen = Counter((s["language"], s["group"].partition("/")[0]) for s in samples)
        assert chosen == {(lang, benchmark): 3 for lang in ("python", "js") for benchmark in ("mbpp", "humaneval")}  # max_problems of each
        assert all(s["prompt"] and s["decoding"]["max_new_tokens"] == 12 and s["raw"].startswith(s["completion"]) for s in samples)
        verdicts = read_rows(stages[f"execute-{slug}"] / "results.jsonl")
        assert len(verdicts) == len(samples) and all(v["verdict"] != "sandbox_error" for v in verdicts)  # each sample ran in the sandbox
        problems = read_rows(stages[f"execute-{slug}"] / "predictions.jsonl")
        assert {p["benchmark"] for p in problems} == {"mbxp", "humaneval-x"} and all(0 <= p["pass@1"] <= 1 for p in problems)
    results = pd.read_csv(result.out / "results.csv")
    primary = results[results["primary"]]
    assert set(primary["metric"]) == {"pass@1"} and set(primary["intermediate"]) == {"none", "nl2code-mbpp-gen", "bugloc-humanevalpack"}
    assert set(primary["language"]) == {"python", "js"}
    assert "pass@1:mbxp" in set(results["metric"]) and "nl2code-mbpp-gen: pass@1 per language" in (result.out / "report.md").read_text()
    comparisons = pd.read_csv(result.out / "comparisons.csv")
    code_vs_none = comparisons[(comparisons["scope"] == "`nl2code-mbpp-gen`") & (comparisons["summary"] == "mean") & (comparisons["right"] == "none")]
    (found,) = code_vs_none[code_vs_none["left"] == "code"].itertuples()
    assert found.problems == 6 and found.ci_low <= found.delta <= found.ci_high  # the js problems, resampled by problem


def test_the_generation_stages_follow_the_target_and_take_the_sampling_into_their_hash(generation_data: Path) -> None:
    plan = build_plan(parse_config(generation_config(generation_data)))
    kinds = [s.kind for s in plan.stages]
    assert kinds == ["target", "generate", "execute"]
    target, generate, execute = plan.stages
    assert generate.parents == (target.id,) and execute.parents == (generate.id,)
    assert generate.params["languages"] == ["python", "js"] and execute.params["k"] == [1]
    sampled = build_plan(parse_config(generation_config(generation_data, generation=GENERATION | {"temperature": 0.8, "samples": 10}))).stages
    assert sampled[0].id == target.id and sampled[1].id != generate.id and sampled[2].params["k"] == [1, 10]


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda raw: raw.update(model={"name": "tiny", "max_length": 64}), "an encoder cannot train on task 'nl2code-mbpp-gen'"),
        (lambda raw: raw["generation"].update(samples=5), "greedy decoding (temperature 0) gives one completion per problem"),
        (lambda raw: raw["generation"].update(k=[5]), "pass@5 needs at least 5 samples per problem"),
        (lambda raw: raw["generation"].update(max_new_tokens=64), "max_new_tokens 64 leaves no room for the prompt"),
        (lambda raw: raw["generation"].update(languages=["python", "lua"]), "task 'nl2code-mbpp-gen' has no language 'lua'"),
        (lambda raw: raw["generation"].update(tempreature=0.5), "did you mean 'temperature'?"),
    ],
)
def test_each_generation_mistake_is_one_message_when_planning(change, expected, generation_data: Path, tmp_path: Path, capsys) -> None:
    raw = generation_config(generation_data)
    change(raw)
    assert expected in plan_error(raw, tmp_path, capsys)


def test_a_decoder_trains_on_span_extraction_as_an_intermediate_task(generation_data: Path) -> None:
    raw = generation_config(generation_data, intermediate=["none", "bugloc-humanevalpack"])
    inter = next(s for s in build_plan(parse_config(raw)).stages if s.kind == "intermediate")
    assert [t["name"] for t in inter.params["tasks"]] == ["bugloc-humanevalpack"] and inter.params["model"]["family"] == "decoder"


def test_translate_train_on_a_generation_task_trains_on_the_languages_with_solutions(generation_data: Path, tmp_path: Path) -> None:
    """MBXP has solutions in some languages only (the fixture's: python and js); the others have test problems alone."""
    raw = generation_config(generation_data, intermediate=[{"name": "tt", "tasks": ["nl2code-mbpp-gen"], "translate_train": True}], targets=["defect-humanevalpack"])
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok, result.summary.failed
    inter = next(p for p in (tmp_path / "stages").iterdir() if p.name.startswith("intermediate-"))
    assert set(json.loads((inter / "metrics.json").read_text())["train_languages"]["nl2code-mbpp-gen"]) == {"python", "js"}
