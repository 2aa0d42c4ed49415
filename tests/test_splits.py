"""Splits of parallel data are made by problem: no test problem in any train split, in any language."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.tasks import get_task, load
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS, SplitRule

PARALLEL_TASKS = ["defect-humanevalpack", "xret-humaneval-x"]


def test_split_rule_is_deterministic_and_exact() -> None:
    groups = [f"p{i}" for i in range(100)]
    rule = SplitRule("salt", (("train", 0.6), ("dev", 0.1), ("test", 0.3)))
    first, second = rule.assign(groups), rule.assign(reversed(groups))
    assert first == second
    counts = {s: sum(1 for v in first.values() if v == s) for s in ("train", "dev", "test")}
    assert counts == {"train": 60, "dev": 10, "test": 30}
    assert SplitRule("other", rule.fractions).assign(groups) != first


def _groups(data, language: str, split: str) -> set[str]:
    return {r.group for r in data[language][split]}


def _check_disjoint(data) -> None:
    train = set().union(*(_groups(data, lang, "train") | _groups(data, lang, "dev") for lang in data))
    test = set().union(*(_groups(data, lang, "test") for lang in data))
    assert train and test
    assert not train & test
    reference = _groups(data, "python", "test")
    for language in data:
        assert _groups(data, language, "test") == reference, language


@pytest.mark.parametrize("name", PARALLEL_TASKS)
def test_fixture_parallel_tasks_split_by_problem(fixture_data: Path, name: str) -> None:
    _check_disjoint(load(get_task(name), fixture_data))


@pytest.mark.data
@pytest.mark.parametrize("name", PARALLEL_TASKS)
def test_real_parallel_tasks_split_by_problem(real_data: Path, name: str) -> None:
    data = load(get_task(name), real_data)
    _check_disjoint(data)
    assert len(_groups(data, "python", "test")) == round(0.3 * 164)


@pytest.mark.data
def test_all_humaneval_tasks_share_one_problem_split(real_data: Path) -> None:
    expected = HUMANEVAL_PROBLEMS.assign(f"humaneval/{n}" for n in range(164))
    for name in PARALLEL_TASKS:
        data = load(get_task(name), real_data)
        for language, splits in data.items():
            for split, records in splits.items():
                assert all(expected[r.group] == split for r in records), (name, language, split)


@pytest.mark.data
def test_snli_split_is_deterministic_and_labelled(real_data: Path) -> None:
    data = load(get_task("snli"), real_data)["en"]
    assert len(data["train"]) + len(data["dev"]) == 9842
    assert len(data["test"]) == 9824
    assert {e.label for e in data["train"]} == {0, 1, 2}
    assert not {e.id for e in data["train"]} & {e.id for e in data["dev"]}
