"""A real grid run (tiny model) ends with the full report: every table, interval and figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from codestilts import run
from codestilts.config import parse_config
from tests.test_grid import MIX, grid


@pytest.fixture(scope="module")
def grid_run(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = grid(fixture_data, intermediate=["none", "snli", "defect-humanevalpack", MIX])
    result = run(parse_config(raw), out=tmp_path_factory.mktemp("grid"))
    assert result.summary.ok
    return result.out


def test_grid_report_has_every_part(grid_run: Path) -> None:
    report = (grid_run / "report.md").read_text()
    for part in ("*no intermediate task*", "*NL tasks*", "*code tasks*", "*mixtures*", "| best per target |",
                 "avg w/o retrieval", "## Code vs NL intermediate tasks", "## clone-humaneval-x: accuracy per language"):
        assert part in report
    comparisons = pd.read_csv(grid_run / "comparisons.csv")
    learnability = pd.read_csv(grid_run / "learnability.csv")
    assert len(learnability) == 8 and "## Learnt in the source language?" in report  # 2 trained targets x 4 options
    learnt = set(learnability[(learnability.intermediate == "none") & (learnability.learnt == True)].target)  # noqa: E712
    averages = {"the zero-shot average"} if len(learnt) >= 1 else set()  # a tiny model's targets are rarely learnt: then no average
    averages |= {"the zero-shot average without retrieval"} if len(learnt) >= 2 else set()
    assert set(comparisons.scope) == averages | {"`defect-humanevalpack`", "`clone-humaneval-x`", "`xret-humaneval-x`"}
    measured = comparisons.dropna(subset=["delta"])
    assert len(measured) == len(comparisons)
    assert ((measured.ci_low <= measured.delta + 1e-12) & (measured.delta <= measured.ci_high + 1e-12)).all()
    for name in ("deltas", "groups", "languages-defect-humanevalpack"):
        assert (grid_run / "figures" / f"{name}.png").stat().st_size > 1000
    assert {"report.tex", "report.json", "main.csv", "results.csv"} <= {p.name for p in grid_run.iterdir()}
