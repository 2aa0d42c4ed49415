"""The paired bootstrap finds a known difference between groups, and none where there is none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codestilts.report.bootstrap import bootstrap, compare_groups, example_score, load_scores, sentence
from codestilts.report.groups import Group
from tests.report.synthetic import Stage, write_run

LANGUAGES = ("python", "java", "go", "rust")
OPTIONS = {"none": [], "snli": ["snli"], "clone": ["clone-mbxp"]}
TASK_LANGUAGES = {"snli": ["en"], "clone-mbxp": list(LANGUAGES)}
GROUPS = {"none": Group.NONE, "snli": Group.NL, "clone": Group.CODE}


def classification_rows(rng: np.random.Generator, p_correct: float, examples: int = 150) -> list[dict]:
    labels = rng.integers(0, 2, size=(len(LANGUAGES), examples))
    hits = rng.random(size=labels.shape) < p_correct
    return [
        {"language": lang, "id": f"{lang}/{i}", "group": str(i), "label": int(labels[li, i]), "prediction": int(labels[li, i] if hits[li, i] else 1 - labels[li, i])}
        for li, lang in enumerate(LANGUAGES) for i in range(examples)
    ]


def run_with(tmp_path: Path, accuracy: dict[str, float], same_predictions: bool = False) -> Path:
    rng = np.random.default_rng(0)
    stages = []
    for seed in (0, 1, 2):
        shared = classification_rows(rng, accuracy["none"])
        for index, (option, p) in enumerate(accuracy.items()):
            rows = shared if same_predictions else classification_rows(np.random.default_rng([seed, index]), p)
            stages.append(Stage(option, "defect", seed, rows))
    return write_run(tmp_path, OPTIONS, stages, TASK_LANGUAGES)


def comparisons(out: Path) -> dict[tuple[str, str, str], object]:
    import json

    plan = json.loads((out / "plan.json").read_text())
    scores, notes = load_scores(out, plan)
    assert notes == []
    replicates = bootstrap(scores, replicates=500)
    return {(c.summary, c.left.value, c.right.value): c for c in compare_groups("defect", replicates["defect"], GROUPS)}


def test_known_difference_is_found(tmp_path: Path) -> None:
    found = comparisons(run_with(tmp_path, {"none": 0.5, "snli": 0.5, "clone": 0.8}))
    code_vs_nl = found[("mean", "code", "nl")]
    assert code_vs_nl.interval.significant
    assert 0.22 < code_vs_nl.interval.estimate < 0.38
    assert code_vs_nl.interval.low < code_vs_nl.interval.estimate < code_vs_nl.interval.high
    assert "beats" in sentence(code_vs_nl) and "95% CI" in sentence(code_vs_nl)
    assert found[("best", "code", "none")].interval.low > 0.15


def test_no_difference_where_there_is_none(tmp_path: Path) -> None:
    found = comparisons(run_with(tmp_path, {"none": 0.6, "snli": 0.6, "clone": 0.6}))
    for comparison in found.values():
        assert not comparison.interval.significant
        assert comparison.interval.low < 0 < comparison.interval.high
    assert "no significant difference" in sentence(found[("mean", "code", "nl")])


def test_identical_predictions_give_a_zero_interval(tmp_path: Path) -> None:
    found = comparisons(run_with(tmp_path, {"none": 0.7, "snli": 0.7, "clone": 0.7}, same_predictions=True))
    interval = found[("mean", "code", "nl")].interval
    assert (interval.estimate, interval.low, interval.high) == (0.0, 0.0, 0.0)


def test_same_store_same_intervals(tmp_path: Path) -> None:
    out = run_with(tmp_path, {"none": 0.5, "snli": 0.55, "clone": 0.6})
    assert comparisons(out)[("mean", "code", "nl")].interval == comparisons(out)[("mean", "code", "nl")].interval


def test_empty_group_is_reported_not_raised(tmp_path: Path) -> None:
    found = comparisons(run_with(tmp_path, {"none": 0.5, "snli": 0.6}))
    missing = found[("mean", "code", "nl")]
    assert missing.interval is None and "no code option" in sentence(missing)
    assert found[("mean", "nl", "none")].interval is not None


@pytest.mark.parametrize(
    ("row", "metric", "expected"),
    [
        ({"rank": 1}, "acc@1", (1.0, 1.0)),
        ({"rank": 4}, "acc@1", (0.0, 1.0)),
        ({"rank": 4}, "mrr", (0.25, 1.0)),
        ({"exact_match": 0.0, "f1": 0.5}, "f1", (0.5, 1.0)),
        ({"correct": 3, "tokens": 4}, "accuracy", (3.0, 4.0)),
        ({"label": 1, "prediction": 0}, "accuracy", (0.0, 1.0)),
        ({"label": 1, "prediction": 0}, "f1", None),
    ],
)
def test_example_scores_per_metric(row: dict, metric: str, expected) -> None:
    assert example_score(row, metric) == expected
