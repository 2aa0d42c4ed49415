"""Built-in code tasks: splits by problem (train and test problems disjoint in every language),
no answer leaks, balanced clone pairs, bug spans, multiple-choice distractors."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.tasks import Format, all_tasks, get_task, load
from codestilts.tasks.code_pairs import rewrite
from codestilts.tasks.humaneval import bug_span

PARALLEL = [t.name for t in all_tasks() if len(t.languages) > 1 and t.name not in ("xret-codexglue", "code-mlm")]
FIXTURE_TASKS = ["defect-humanevalpack", "bugloc-humanevalpack", "xret-humaneval-x", "code-search-humaneval-x", "clone-humaneval-x"]


def _groups(data, split: str) -> set[str]:
    return {r.group for per in data.values() for r in per[split]}


def _check_disjoint(data) -> None:
    seen = _groups(data, "train") | _groups(data, "dev")
    test = _groups(data, "test")
    assert seen and test and not seen & test
    for language, splits in data.items():
        assert not {r.group for r in splits["train"]} & {r.group for r in splits["test"]}, language


@pytest.mark.parametrize("name", FIXTURE_TASKS)
def test_fixture_tasks_split_by_problem(fixture_data: Path, name: str) -> None:
    _check_disjoint(load(get_task(name), fixture_data))


@pytest.mark.data
@pytest.mark.parametrize("name", PARALLEL)
def test_real_parallel_tasks_split_by_problem(real_data: Path, name: str) -> None:
    _check_disjoint(load(get_task(name), real_data))


@pytest.mark.data
def test_unlabelled_code_never_holds_a_test_problem(real_data: Path) -> None:
    test_problems = _groups(load(get_task("xret-humaneval-x"), real_data), "test")
    mlm = load(get_task("code-mlm"), real_data)
    assert _groups(mlm, "train") and not (_groups(mlm, "train") | _groups(mlm, "dev")) & test_problems
    assert _groups(mlm, "test") == set()


@pytest.mark.data
def test_one_problem_split_across_tasks_of_a_benchmark(real_data: Path) -> None:
    for family in (["xret-mbxp", "code-search-mbxp", "clone-mbxp", "nl2code-mbpp", "syntax-roles"], ["xret-humaneval-x", "clone-humaneval-x", "bugloc-humanevalpack", "syntax-roles"]):
        where: dict[str, str] = {}
        for name in family:
            for splits in load(get_task(name), real_data).values():
                for split, records in splits.items():
                    for r in records:
                        assert where.setdefault(r.group, split) == split, (name, r.group)


@pytest.mark.data
def test_mbxp_uses_official_mbpp_ids(real_data: Path) -> None:
    data = load(get_task("xret-mbxp"), real_data)
    ids = {split: {int(r.group.split("/")[1]) for r in data["python"][split]} for split in ("train", "dev", "test")}
    assert ids["test"] == set(range(11, 511)) and ids["dev"] == set(range(511, 601))
    assert ids["train"] == set(range(1, 11)) | set(range(601, 975))
    assert len(data) == 9


@pytest.mark.data
@pytest.mark.parametrize("name", ["xret-humaneval-x", "xret-mbxp", "code-search-mbxp", "clone-mbxp", "xret-codexglue"])
def test_no_function_names_or_comments_leak(real_data: Path, name: str) -> None:
    import re

    data = load(get_task(name), real_data)
    checked = masked = 0
    for language, splits in data.items():
        for r in splits["test"][:40]:
            text = r.text if hasattr(r, "text") else r.text_a
            masked += "func" in text
            assert not re.search(r'"""|/\*\*|^\s*//|^\s*#\s', text, re.M), (language, r.id, text)
            checked += 1
    # a bare C# constructor outside its class does not parse as one: CodeXGLUE keeps a few names
    assert checked and masked / checked >= 0.95


@pytest.mark.data
def test_clone_pairs_balanced_and_distinct(real_data: Path) -> None:
    for name in ("clone-mbxp", "clone-humaneval-x"):
        for language, splits in load(get_task(name), real_data).items():
            labels = [r.label for r in splits["train"]]
            assert labels.count(0) == labels.count(1) > 0, (name, language)
            assert all(r.text_a != r.text_b for r in splits["train"])


def test_rewrite_renames_bound_names_only() -> None:
    code = "def func(nums):\n    total = 0\n    for n in nums:\n        total += n.real\n    return len(nums) + total\n"
    out = rewrite(code, "python")
    assert "nums" not in out and "total" not in out and ".real" in out and "len(" in out
    compile(out, "<rewrite>", "exec")


def test_bug_span_marks_the_change() -> None:
    correct, buggy = "return a + b\n", "return a - b\n"
    start, end = bug_span(correct, buggy)
    assert buggy[start:end] == "-"
    start, end = bug_span("x = abs(d)\nreturn x\n", "x = d\nreturn x\n")
    assert "d" in "x = d\nreturn x\n"[start:end]


@pytest.mark.data
def test_crux_mc_choices(real_data: Path) -> None:
    task = get_task("crux-mc")
    assert task.format is Format.MULTIPLE_CHOICE and len(task.languages) == 19
    data = load(task, real_data)
    for language in ("python", "java", "bash"):
        for example in data[language]["test"][:50]:
            assert len(set(example.choices)) == 4 and "????" in example.context
    assert len({e.label for e in data["python"]["train"]}) == 4
