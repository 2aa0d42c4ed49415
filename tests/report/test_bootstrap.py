"""The paired bootstrap finds a known difference between groups, and none where there is none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codestilts.formats import get_format
from codestilts.languages import is_natural
from codestilts.report.bootstrap import bootstrap, compare_groups, interval, load_scores, row_key, sentence, unit_of
from codestilts.report.groups import Group
from codestilts.tasks import TASKS, load
from tests.report.synthetic import Stage, problem_rows, write_run

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
    loaded = load_scores(out, plan)
    assert loaded.notes == []
    replicates = bootstrap(loaded.zero_shot, replicates=500)
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
    ("fmt", "row", "metric", "expected"),
    [
        ("retrieval", {"rank": 1}, "acc@1", (1.0, 1.0)),
        ("retrieval", {"rank": 4}, "acc@1", (0.0, 1.0)),
        ("retrieval", {"rank": 4}, "mrr", (0.25, 1.0)),
        ("span_extraction", {"exact_match": 0.0, "f1": 0.5}, "f1", (0.5, 1.0)),
        ("token_tagging", {"correct": 3, "tokens": 4}, "accuracy", (3.0, 4.0)),
        ("classification", {"label": 1, "prediction": 0}, "accuracy", (0.0, 1.0)),
        ("multiple_choice", {"label": 2, "prediction": 2}, "accuracy", (1.0, 1.0)),
        ("classification", {"label": 1, "prediction": 0}, "f1", None),
    ],
)
def test_example_scores_per_metric(fmt: str, row: dict, metric: str, expected) -> None:
    assert get_format(fmt).example_score(row, metric) == expected


def replicates_of(out: Path, replicates: int = 2000) -> dict:
    import json

    return bootstrap(load_scores(out, json.loads((out / "plan.json").read_text())).zero_shot, replicates=replicates)


def test_rows_of_one_problem_are_drawn_together(tmp_path: Path) -> None:
    """40 problems, each with 2 identical rows in each of 3 zero-shot languages: the spread of the
    target value is that of a mean over 40 problems (sd 0.079 at p = 0.5), not over 240 rows (0.032)."""
    outcomes = np.random.default_rng(1).random(40) < 0.5
    rows = problem_rows(outcomes, [f"humaneval/{i}" for i in range(40)])
    out = write_run(tmp_path, {"none": []}, [Stage("none", "defect", 0, rows)], TASK_LANGUAGES)
    reps = replicates_of(out)["defect"]
    point, samples = reps.column("none")
    assert point == pytest.approx(outcomes.mean())
    expected = np.sqrt(outcomes.mean() * (1 - outcomes.mean()) / 40)
    assert 0.85 * expected < samples.std() < 1.15 * expected
    assert len(reps.units) == 40


def test_one_draw_of_problems_serves_every_target_of_a_benchmark(tmp_path: Path) -> None:
    """Targets on the same HumanEval problems move together replicate by replicate; MBPP's problem
    12 is not HumanEval's problem 12, nor is a task file's group "12" another task file's."""
    outcomes = np.random.default_rng(2).random(30) < 0.6
    named = {
        "defect": [f"humaneval/{i}" for i in range(30)], "bugloc": [f"humaneval/{i}" for i in range(30)],
        "mbxp": [f"mbpp/{i}" for i in range(30)], "mine": [str(i) for i in range(30)], "yours": [str(i) for i in range(30)],
    }
    stages = [Stage("none", target, 0, problem_rows(outcomes, groups)) for target, groups in named.items()]
    reps = replicates_of(write_run(tmp_path, {"none": []}, stages, TASK_LANGUAGES), replicates=300)
    samples = {target: r.column("none")[1] for target, r in reps.items()}
    assert np.array_equal(samples["defect"], samples["bugloc"])
    for other in ("mbxp", "mine"):
        assert np.corrcoef(samples["defect"], samples[other])[0, 1] < 0.3
    assert np.corrcoef(samples["mine"], samples["yours"])[0, 1] < 0.3
    assert reps["defect"].units == reps["bugloc"].units and not reps["defect"].units & reps["mbxp"].units


@pytest.mark.parametrize(
    ("task", "row", "expected"),
    [
        ("defect-humanevalpack", {"language": "go", "id": "Go/12/buggy", "group": "humaneval/12"}, (("benchmark", "humaneval"), "12")),
        ("xret-mbxp", {"language": "go", "direction": "s2t", "group": "mbpp/12"}, (("benchmark", "mbpp"), "12")),
        ("my-task", {"language": "go", "id": "a", "group": "12"}, (("task", "my-task"), "12")),
        ("my-task", {"language": "go", "id": "a", "group": "AC/DC"}, (("task", "my-task"), "AC/DC")),
        ("old-run", {"language": "go", "id": "Go/12"}, (("rows", "old-run", "python", "go"), "/Go/12")),
    ],
)
def test_unit_of_a_row(task: str, row: dict, expected: tuple) -> None:
    assert unit_of(task, row_key("python", row), row) == expected


def test_rows_without_group_are_their_own_units_and_say_so(tmp_path: Path) -> None:
    import json

    rows = [{k: v for k, v in row.items() if k != "group"} for row in problem_rows(np.ones(5, bool), [f"humaneval/{i}" for i in range(5)])]
    out = write_run(tmp_path, {"none": []}, [Stage("none", "defect", 0, rows)], TASK_LANGUAGES)
    loaded = load_scores(out, json.loads((out / "plan.json").read_text()))
    assert len(loaded.zero_shot["defect"].units) == len(rows) - 10  # every zero-shot row (the Python ones excluded)
    assert any("`defect`: its predictions carry no `group`" in n for n in loaded.notes)


def test_best_of_group_is_chosen_again_in_every_replicate(tmp_path: Path) -> None:
    """Two code options of equal accuracy: each is the best in some replicates, and best-of-group
    is their maximum replicate by replicate, not the replicates of the full-data winner."""
    rng = np.random.default_rng(3)
    options = {"none": [], "clone": ["clone-mbxp"], "xret": ["xret-mbxp"]}
    stages = [Stage(o, "defect", 0, problem_rows(rng.random(60) < p, [f"mbpp/{i}" for i in range(60)])) for o, p in (("none", 0.5), ("clone", 0.7), ("xret", 0.7))]
    reps = replicates_of(write_run(tmp_path, options, stages, {"clone-mbxp": list(LANGUAGES), "xret-mbxp": list(LANGUAGES)}))["defect"]
    clone, xret, none = (reps.column(o) for o in ("clone", "xret", "none"))
    assert (clone[1] > xret[1]).any() and (xret[1] > clone[1]).any()
    found = {c.summary: c.interval for c in compare_groups("defect", reps, {"none": Group.NONE, "clone": Group.CODE, "xret": Group.CODE})
             if (c.left, c.right) == (Group.CODE, Group.NONE)}
    best = np.maximum(clone[1], xret[1]) - none[1]
    assert found["best"] == interval(max(clone[0], xret[0]) - none[0], best)
    assert found["mean"] == interval((clone[0] + xret[0]) / 2 - none[0], (clone[1] + xret[1]) / 2 - none[1])


def _code_tasks(with_data: bool) -> list[str]:
    return [t.name for t in TASKS.all() if bool(t.data_files) == with_data and not is_natural(t.languages)]


def _pools(name: str, data_dir: Path | None) -> set[tuple[str, ...]]:
    records = [r for splits in load(TASKS.get(name), data_dir).values() for split in splits.values() for r in split]
    return {unit_of(name, row_key("python", {"language": "go", "id": r.id}), {"group": r.group})[0] for r in records}


@pytest.mark.parametrize("name", _code_tasks(with_data=False))
def test_embedded_code_tasks_name_their_problems_by_benchmark(name: str) -> None:
    """Their problems are shared with every other task of the benchmark (SHARED_BENCHMARKS)."""
    assert {pool[0] for pool in _pools(name, None)} == {"benchmark"}


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("name", _code_tasks(with_data=True))
def test_code_tasks_name_their_problems_by_benchmark(name: str, real_data: Path) -> None:
    assert {pool[0] for pool in _pools(name, real_data)} == {"benchmark"}
