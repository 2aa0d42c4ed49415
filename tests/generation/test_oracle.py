"""The generate and execute stages, with a test double for the model that answers each problem with
its canonical solution (followed by text past the language's first stop sequence, which must be
cut), give every language the verdicts ``codestilts exec-eval --reference canonical`` gives: the
prompts, stop sequences and test assembly are right, whatever a model writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from codestilts.config import parse_config
from codestilts.data import read_jsonl
from codestilts.execution import benchmarks
from codestilts.execution.batch import evaluate_samples
from codestilts.execution.benchmarks import KNOWN_DEFECTS
from codestilts.executor import run_stage
from codestilts.generation import decoding
from codestilts.generation.decoding import Decoding
from codestilts.plan import build_plan
from codestilts.store import Store, read_json
from codestilts.tasks import TASKS, records

pytestmark = [pytest.mark.data, pytest.mark.slow]
PROBLEMS = 4
"""Test problems of each benchmark per language (the same problems in every language that has them)."""
JUNK = "junk that runs nothing: a model going on after its answer"


class Oracle:
    """Completes a prompt with its problem's canonical solution, then a stop sequence and more text."""

    def __init__(self, answers: dict[str, str]):
        self.answers = answers

    def complete(self, prompts: Sequence[str], stops: Sequence[str], setting: Decoding, label: str) -> list[list[str]]:
        return [[self.answers.get(p, "") + stops[0] + JUNK] * setting.samples for p in prompts]


def test_output_prediction_is_scored_by_exact_match_in_every_language(real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = TASKS.get("crux-output-gen")
    answers = {r.prompt: r.target for lang in task.languages for r in records(task, real_data, lang, "test")}
    monkeypatch.setattr(decoding, "load_generator", lambda *args: Oracle(answers))
    config = parse_config({"data_dir": str(real_data), "model": {"name": "tiny-decoder", "max_length": 512}, "targets": ["crux-output-gen"],
                           "generation": {"max_problems": PROBLEMS}})
    plan = build_plan(config)
    store = Store(tmp_path)
    for stage in plan.stages[1:]:
        run_stage(stage, store, plan.data_dir, plan.parent_kinds(stage))
    metrics = read_json(store.stage(plan.stages[-1].id) / "metrics.json")
    assert metrics["metric"] == "exact_match" and set(metrics["languages"]) == set(task.languages)
    assert all(m == {"exact_match": 1.0, "examples": PROBLEMS} for m in metrics["languages"].values())


@pytest.fixture
def oracle(real_data: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    task = TASKS.get("nl2code-mbpp-gen")
    answers = {r.prompt: r.problem.canonical_solution for lang in task.languages for r in records(task, real_data, lang, "test") if r.problem.canonical_solution}
    monkeypatch.setattr(decoding, "load_generator", lambda *args: Oracle(answers))
    monkeypatch.setenv("CODESTILTS_DATA", str(real_data))  # where exec-eval reads the benchmarks
    benchmarks.load_problems.cache_clear()
    return answers


def test_the_oracle_passes_exactly_what_exec_eval_reference_canonical_passes(oracle, real_data: Path, tmp_path: Path) -> None:
    config = parse_config({
        "data_dir": str(real_data), "model": {"name": "tiny-decoder", "max_length": 512}, "targets": ["nl2code-mbpp-gen"],
        "generation": {"max_problems": PROBLEMS, "timeout": 20},
    })
    plan = build_plan(config)
    store = Store(tmp_path)
    for stage in plan.stages:
        if stage.kind in ("generate", "execute"):
            run_stage(stage, store, plan.data_dir, plan.parent_kinds(stage))
    execute = next(s for s in plan.stages if s.kind == "execute")
    rows = list(read_jsonl(store.stage(execute.id) / "predictions.jsonl"))
    samples = list(read_jsonl(store.stage(plan.stages[-2].id) / "samples.jsonl"))
    assert samples and all(JUNK not in s["completion"] and JUNK in s["raw"] for s in samples)

    answered = {(s["language"], s["id"]) for s in samples if s["completion"].strip()}  # the problems with a canonical solution
    solved = [r for r in rows if (r["language"], r["id"]) in answered]
    reference = evaluate_samples(
        [{"task_id": r["id"], "language": r["language"], "benchmark": r["benchmark"], "completion": _canonical(r)} for r in solved],
        timeout=20, progress=False,
    )
    expected = {(r["language"], r["task_id"]): r["verdict"] == "passed" for r in reference}
    found = {(r["language"], r["id"]): r["passed"] == 1 for r in solved}
    defects = {(lang, task_id) for lang, task_id in found if any(t == task_id for _, t in KNOWN_DEFECTS)}
    assert {k: v for k, v in found.items() if k not in defects} == {k: v for k, v in expected.items() if k not in defects}

    metrics = read_json(store.stage(execute.id) / "metrics.json")["languages"]
    languages = {lang for lang, _ in found}
    assert languages >= {"python", "cpp", "java", "js", "ts", "go", "rust", "csharp", "php", "ruby", "kotlin"}  # every language with solutions
    for language in languages:
        passed = [v for (lang, _), v in found.items() if lang == language]
        unsolved = sum(1 for r in rows if r["language"] == language) - len(passed)
        assert metrics[language]["pass@1"] == pytest.approx(sum(passed) / (len(passed) + unsolved)), language


def _canonical(row: dict) -> str:
    return benchmarks.load_problems(row["benchmark"], row["language"])[row["id"]].canonical_solution
