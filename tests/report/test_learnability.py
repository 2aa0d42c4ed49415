"""Is a target learnt in its source language? Each option's source-language score, with its bootstrap
interval, against what a constant prediction scores on the same rows; a target its reference option
does not learn is left out of the averages over targets."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from codestilts.formats import CLASSIFICATION, GENERATION, SPAN_EXTRACTION, TOKEN_TAGGING
from codestilts.report.bootstrap import load_scores
from codestilts.report.build import write_report
from codestilts.report.learnability import not_learnt, source_scores
from tests.report.synthetic import Stage, problem_rows, write_run

OPTIONS = {"none": [], "snli": ["snli"]}
GROUPS = [f"humaneval/{n}" for n in range(40)]
LANGUAGES = ("python", "java", "go")


def rows(right: float, seed: int) -> list[dict]:
    """Defect-style rows: a share ``right`` of the problems right (both rows of a problem together),
    which ones depending on the seed."""
    return problem_rows([(n + 7 * seed) % 40 < right * 40 for n in range(40)], GROUPS, LANGUAGES)


def run(tmp_path: Path, learnt: dict[str, dict[str, float]]) -> Path:
    """``learnt``: target -> option -> the share of problems it gets right (in every language)."""
    stages = [Stage(option, target, seed, rows(right, seed)) for target, per in learnt.items() for option, right in per.items() for seed in (0, 1)]
    return write_run(tmp_path, OPTIONS, stages, {t: list(LANGUAGES) for t in learnt})


def test_a_target_at_the_level_of_a_constant_prediction_is_not_learnt_and_leaves_the_averages(tmp_path: Path) -> None:
    out = run(tmp_path, {"defect": {"none": 0.9, "snli": 0.95}, "clone": {"none": 0.5, "snli": 0.5}})
    plan = json.loads((out / "plan.json").read_text())
    scores = {(s.target, s.option): s for s in source_scores(load_scores(out, plan), plan)}
    assert scores[("defect", "none")].learnt and scores[("defect", "none")].baseline == 0.5
    assert scores[("clone", "none")].learnt is False and scores[("clone", "none")].interval.low <= 0.5
    assert set(not_learnt(list(scores.values()))) == {"clone"}
    write_report(out)
    main = pd.read_csv(out / "main.csv")
    none = main[main.option == "none"].set_index("column")["mean"]
    assert none["avg"] == pytest.approx(none["defect"])  # clone's zero-shot score is not averaged in
    table = pd.read_csv(out / "learnability.csv")
    assert len(table) == 4 and list(table[table.target == "clone"]["learnt"]) == [False, False]
    report = (out / "report.md").read_text()
    assert "`clone` is left out of the averages: `none` scores 0.500" in report


def test_the_reference_option_decides_whether_a_target_is_learnt(tmp_path: Path) -> None:
    out = run(tmp_path, {"defect": {"none": 0.9, "snli": 0.5}})
    plan = json.loads((out / "plan.json").read_text())
    scores = source_scores(load_scores(out, plan), plan)
    assert [s.learnt for s in scores if s.option == "snli"] == [False] and not_learnt(scores) == {}


@pytest.mark.parametrize(
    "fmt, rows_, metric, expected",
    [
        (CLASSIFICATION, [{"label": 1}, {"label": 1}, {"label": 0}, {"label": 1}], "accuracy", 0.75),
        (CLASSIFICATION, [{"label": 1}, {"label": 0}], "f1", None),  # F1 of a constant prediction: not told
        (TOKEN_TAGGING, [{"labels": [0, 0, 2]}, {"labels": [2, 2, 2, 1, 2]}], "accuracy", 5 / 8),
        (TOKEN_TAGGING, [{"prediction": [0]}], "accuracy", None),  # rows written before they kept their tags
        (SPAN_EXTRACTION, [{"f1": 0.3}], "f1", 0.0),
        (GENERATION, [{"pass@1": 0.2}], "pass@1", 0.0),
    ],
)
def test_what_a_constant_prediction_scores(fmt, rows_, metric, expected) -> None:
    assert fmt.constant_baseline(rows_, metric) == (pytest.approx(expected) if expected is not None else None)
