"""Deterministic splits (per-task disjointness of train and test problems is in tests/tasks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.tasks import TASKS, load
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS, SplitRule


def test_split_rule_is_deterministic_and_exact() -> None:
    groups = [f"p{i}" for i in range(100)]
    rule = SplitRule("salt", (("train", 0.6), ("dev", 0.1), ("test", 0.3)))
    first, second = rule.assign(groups), rule.assign(reversed(groups))
    assert first == second
    counts = {s: sum(1 for v in first.values() if v == s) for s in ("train", "dev", "test")}
    assert counts == {"train": 60, "dev": 10, "test": 30}
    assert SplitRule("other", rule.fractions).assign(groups) != first


def test_a_subset_of_a_known_universe_keeps_every_problem_in_its_split() -> None:
    """A task with only some HumanEval problems must not shift the others across splits."""
    full = HUMANEVAL_PROBLEMS.assign(f"humaneval/{n}" for n in range(164))
    subset = [f"humaneval/{n}" for n in range(0, 164, 3)]
    assert HUMANEVAL_PROBLEMS.assign(subset) == {g: full[g] for g in subset}
    unbounded = SplitRule(HUMANEVAL_PROBLEMS.salt, HUMANEVAL_PROBLEMS.fractions)
    assert unbounded.assign(subset) != {g: full[g] for g in subset}  # what the universe prevents
    with pytest.raises(ValueError, match="outside"):
        HUMANEVAL_PROBLEMS.assign(["humaneval/999"])


@pytest.mark.data
def test_humaneval_tasks_follow_the_shared_problem_split(real_data: Path) -> None:
    expected = HUMANEVAL_PROBLEMS.assign(f"humaneval/{n}" for n in range(164))
    for name in ("defect-humanevalpack", "xret-humaneval-x"):
        data = load(TASKS.get(name), real_data)
        assert len({r.group for r in data["python"]["test"]}) == round(0.3 * 164)
        for language, splits in data.items():
            for split, records in splits.items():
                assert all(expected[r.group] == split for r in records), (name, language, split)


@pytest.mark.data
def test_snli_split_is_deterministic_and_labelled(real_data: Path) -> None:
    data = load(TASKS.get("snli"), real_data)["en"]
    assert len(data["train"]) + len(data["dev"]) == 9842
    assert len(data["test"]) == 9824
    assert {e.label for e in data["train"]} == {0, 1, 2}
    assert not {e.id for e in data["train"]} & {e.id for e in data["dev"]}
