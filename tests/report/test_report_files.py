"""The report of a hand-computed run: markdown tables, other formats, figures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest

from codestilts.api import write_report
from codestilts.cli import main
from tests.report.fixture import DEFECT_LANGUAGES, MAIN_TABLE, write_fixture


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write_fixture(tmp_path_factory.mktemp("fixture"))
    write_report(out)
    return out


def test_main_table_matches_hand_computation(reported: Path) -> None:
    assert MAIN_TABLE in (reported / "report.md").read_text()


def test_language_table_matches_hand_computation(reported: Path) -> None:
    report = (reported / "report.md").read_text()
    assert "## defect: accuracy per language\n\n" + DEFECT_LANGUAGES in report


def test_report_answers_code_vs_nl(reported: Path) -> None:
    report = (reported / "report.md").read_text()
    assert "## Code vs NL intermediate tasks" in report
    comparisons = pd.read_csv(reported / "comparisons.csv")
    code_vs_nl = comparisons[(comparisons.scope == "the zero-shot average") & (comparisons.summary == "mean") & (comparisons.left == "code") & (comparisons.right == "nl")].iloc[0]
    assert code_vs_nl.delta == pytest.approx(0.9375 - 0.625)
    assert code_vs_nl.ci_low <= code_vs_nl.delta <= code_vs_nl.ci_high
    assert f"- {code_vs_nl.sentence}" in report


def test_json_and_tex_hold_the_main_table(reported: Path) -> None:
    document = json.loads((reported / "report.json").read_text())
    best = [row for row in document["main"] if row["best"]]
    assert {(row["option"], row["column"]) for row in best} == {("clone", c) for c in ("defect", "xret", "avg", "avg w/o retrieval")}
    assert document["languages"]["defect"]["snli"]["go"] == pytest.approx(0.5)
    tex = (reported / "report.tex").read_text()
    assert r"\textbf{0.875 $\pm$ 0.177 (+0.250)}" in tex and "avg w/o retrieval" in tex


def test_figures_are_rendered(reported: Path) -> None:
    report = (reported / "report.md").read_text()
    for name in ("deltas", "groups", "languages-defect", "languages-xret"):
        png = reported / "figures" / f"{name}.png"
        assert f"](figures/{name}.png)" in report
        pixels = matplotlib.image.imread(png)
        height, width = pixels.shape[:2]
        assert 150 <= height <= 1500 and 250 <= width <= 1500
        assert pixels[..., :3].std() > 0.01  # something is drawn, not a blank canvas
        assert (reported / "figures" / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_cli_writes_the_asked_formats(tmp_path: Path, capsys) -> None:
    out = write_fixture(tmp_path / "run")
    assert main(["report", str(out), "--format", "tex"]) == 0
    assert (out / "report.tex").is_file() and not (out / "report.md").exists()


@pytest.mark.parametrize("argv", [["report", "{missing}"], ["report", "{run}", "--format", "md,pdf"], ["report"]])
def test_cli_user_errors_exit_2(tmp_path: Path, capsys, argv: list[str]) -> None:
    run = write_fixture(tmp_path / "run")
    filled = [a.format(missing=tmp_path / "nothing", run=run) for a in argv]
    assert main(filled) == 2
    error = capsys.readouterr().err
    assert error.startswith("codestilts: error:") and error.count("\n") == 1


def test_compare_two_runs(tmp_path: Path, capsys) -> None:
    first, second = write_fixture(tmp_path / "a"), write_fixture(tmp_path / "b")
    assert main(["report", "--compare", str(first), str(second)]) == 0
    printed = capsys.readouterr().out
    assert "| clone | defect | 0.875 | 0.875 | +0.000 |" in printed
