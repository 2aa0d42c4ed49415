"""`codestilts tasks` lists every built-in task; `codestilts tasks show NAME` shows sizes and two examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.cli import main
from codestilts.tasks import TASKS
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS
from tests.conftest import PROBLEMS

BUILT_IN = {
    "snli", "rte", "mrpc", "squad", "hellaswag", "commonsenseqa", "socialiqa", "cosmosqa",
    "xret-humaneval-x", "xret-mbxp", "xret-codexglue", "code-search-humaneval-x", "code-search-mbxp",
    "clone-mbxp", "clone-humaneval-x", "defect-humanevalpack", "bugloc-humanevalpack", "syntax-roles",
    "crux-mc", "nl2code-mbpp",
}


def test_every_task_of_the_study_is_registered() -> None:
    assert BUILT_IN <= {t.name for t in TASKS.all()}
    assert all(t.hf_dataset for t in TASKS.all() if t.name in BUILT_IN)


def test_show_prints_sizes_and_two_examples(fixture_data: Path, capsys) -> None:
    assert main(["tasks", "show", "defect-humanevalpack", "--data-dir", str(fixture_data)]) == 0
    out = capsys.readouterr().out
    split = HUMANEVAL_PROBLEMS.assign(f"humaneval/{n}" for n in range(PROBLEMS))
    train, dev, test = (2 * sum(1 for s in split.values() if s == name) for name in ("train", "dev", "test"))
    assert ["python", str(train), str(dev), str(test)] in [line.split() for line in out.splitlines()]  # correct + buggy
    assert out.count("example ") == 2 and "label: 1 (buggy)" in out


def test_show_unknown_task_exits_2(capsys) -> None:
    assert main(["tasks", "show", "defect-humanevalpak"]) == 2
    assert "did you mean defect-humanevalpack" in capsys.readouterr().err


@pytest.mark.data
def test_listing_loads_every_task(real_data: Path) -> None:
    from codestilts.tasks import load

    assert main(["tasks", "--data-dir", str(real_data)]) == 0
    for task in TASKS.all():
        if task.name in BUILT_IN:
            data = load(task, real_data)  # cached: what the listing counted
            assert set(task.languages) <= set(data), task.name
            assert data[task.source_language]["train"], task.name
