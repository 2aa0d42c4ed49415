"""A format defined in the test suite (tests/toy_format.py), registered with a task of its own,
runs end to end: plan -> intermediate and target training -> evaluation -> report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from codestilts import run
from codestilts.formats import FORMATS
from codestilts.tasks import TASKS, Task
from codestilts.tasks.base import TaskData
from tests.conftest import tiny_config
from tests.toy_format import REGRESSION, NumberedText

SPLIT = {**dict.fromkeys(range(7), "train"), 7: "dev", 8: "test", 9: "test"}
"""A problem's split, by its number's last digit."""


def load_sums(_data_dir: Path) -> TaskData:
    """How many terms a sum has, written in Python and in JavaScript: 60 problems, 42/6/12."""
    data: dict[str, dict[str, list[NumberedText]]] = {lang: {"train": [], "dev": [], "test": []} for lang in ("python", "js")}
    for n in range(60):
        terms = 1 + n % 4
        expression = " + ".join(str(n + i) for i in range(terms))
        for lang, code in (("python", f"total = {expression}"), ("js", f"let total = {expression};")):
            data[lang][SPLIT[n % 10]].append(NumberedText(f"sums/{n}/{lang}", f"sums/{n}", code, float(terms)))
    return data


SUMS = Task(
    name="toy-sums",
    format=REGRESSION,
    languages=("python", "js"),
    source_language="python",
    metric=REGRESSION.metric,
    description="how many terms a sum has (a toy regression task)",
    splits_note="by problem: 7/1/2 of every 10",
    data_files=(),
    load=load_sums,
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The format and its task registered for this test only."""
    monkeypatch.setitem(FORMATS, REGRESSION.name, REGRESSION)
    monkeypatch.setattr(TASKS, "_tasks", dict(TASKS._tasks))  # what the test adds is gone after it
    TASKS.add(SUMS)


def test_a_format_defined_outside_the_package_runs_end_to_end(registered, fixture_data: Path, tmp_path: Path) -> None:
    config = tiny_config(fixture_data, intermediate=["none", "toy-sums"], targets=["toy-sums"], probes=[])
    result = run(config, out=tmp_path / "run")
    assert result.summary.ok and len(result.summary.ran) == 5  # 1 intermediate, 2 targets, 2 evaluations
    results = pd.read_csv(result.out / "results.csv")
    primary = results[results["primary"]]
    assert set(primary["target"]) == {"toy-sums"} and set(primary["metric"]) == {"within_half"}
    assert set(zip(primary["intermediate"], primary["language"])) == {(o, lang) for o in ("none", "toy-sums") for lang in ("python", "js")}
    assert primary["value"].between(0, 1).all()
    assert set(results["metric"]) == {"within_half", "mae"}
    assert "toy-sums" in (result.out / "report.md").read_text()
