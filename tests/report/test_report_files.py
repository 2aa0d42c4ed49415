"""The report of a hand-computed run: markdown tables, other formats, figures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from codestilts.api import write_report
from codestilts.cli import main
from tests.report.fixture import DEFECT_LANGUAGES, MAIN_TABLE, write_fixture
from tests.report.synthetic import Stage, problem_rows, write_run


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


OPTIONS = {"none": [], "snli": ["snli"], "clone": ["clone-mbxp"]}
TASK_LANGUAGES = {"snli": ["en"], "clone-mbxp": ["python", "java", "go", "rust"]}
PROBLEMS = [f"humaneval/{i}" for i in range(30)]


def _outcomes(*key: int, p: float) -> np.ndarray:
    return np.random.default_rng(key).random(len(PROBLEMS)) < p


def _reported(out: Path, stages: list[Stage]) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    write_run(out, OPTIONS, stages, TASK_LANGUAGES)
    write_report(out)
    return (out / "report.md").read_text(), pd.read_csv(out / "main.csv"), pd.read_csv(out / "comparisons.csv")


def test_two_source_languages_are_both_in_the_intervals(tmp_path: Path) -> None:
    """Python- and Java-trained stages of every option and seed: the comparisons' estimates are
    the main table's differences (both sources), and every interval counts problems, not rows."""
    accuracy = {"none": 0.5, "snli": 0.55, "clone": 0.6}
    stages = [
        Stage(option, "defect", seed, problem_rows(_outcomes(seed, index, len(source), p=p + (0.3 if source == "java" else 0)), PROBLEMS), source=source)
        for seed in (0, 1) for index, (option, p) in enumerate(accuracy.items()) for source in ("python", "java")
    ]
    _, main, comparisons = _reported(tmp_path, stages)
    means = main[main.column == "defect"].set_index("option")["mean"]
    found = comparisons[(comparisons.scope == "`defect`") & (comparisons.summary == "mean")].set_index(["left", "right"])
    assert found.loc[("code", "nl"), "delta"] == pytest.approx(means["clone"] - means["snli"])
    assert found.loc[("code", "none"), "delta"] == pytest.approx(means["clone"] - means["none"])
    assert (found["problems"] == len(PROBLEMS)).all() and (found["seeds"].astype(str) == "2").all()


def test_one_seed_prints_no_spread_and_says_what_the_interval_covers(tmp_path: Path) -> None:
    stages = [Stage(option, "defect", 0, problem_rows(_outcomes(index, p=p), PROBLEMS)) for index, (option, p) in enumerate({"none": 0.8, "snli": 0.3, "clone": 0.9}.items())]  # none learns defect: it stays in the averages
    stages += [Stage(option, "xret", None if option == "none" else 0, [{"language": "go", "direction": "s2t", "group": g, "rank": 1} for g in PROBLEMS],
                     metric="acc@1", role="probe") for option in OPTIONS]
    report, main, comparisons = _reported(tmp_path, stages)
    table = [line for line in report.split("## Learnt in the source language?")[0].splitlines() if line.startswith("|")]
    assert len(table) == 9 and not any("±" in line for line in table)
    assert "| intermediate | defect (accuracy, 1 seed) | xret (acc@1, probe, 1 seed) |" in report
    assert main.set_index(["option", "column"]).loc[[("clone", "defect"), ("none", "xret")], "seeds"].tolist() == [1, 0]
    code_vs_nl = comparisons[(comparisons.scope == "the zero-shot average") & (comparisons.summary == "mean") & (comparisons.left == "code") & (comparisons.right == "nl")].iloc[0]
    assert code_vs_nl.significant and code_vs_nl.problems == len(PROBLEMS)
    assert "one seed: the interval covers test-problem variation only" in code_vs_nl.sentence
    assert f"- {code_vs_nl.sentence}" in report


def test_the_headline_is_the_mean_of_group_comparison(reported: Path) -> None:
    report = (reported / "report.md").read_text()
    section = report.split("## Code vs NL intermediate tasks")[1].split("\n| scope |")[0]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3 and all(b.startswith("- The mean of") for b in bullets)
    assert "| the zero-shot average | best | code - nl |" in report


def test_readme_lists_the_columns_of_results_csv(reported: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = next(line for line in readme.splitlines() if line.strip().startswith("results.csv")).split("tidy:", 1)[1]
    assert [c.strip() for c in listed.split(",")] == list(pd.read_csv(reported / "results.csv").columns)


XRET_LAYERS = {
    # (option, seed): (used layer, {layer: {language: acc@1}}); python is the source (a query -> code probe scores it too)
    ("none", None): (1, {0: {"python": 0.0, "java": 0.2, "go": 0.4}, 1: {"python": 0.0, "java": 0.5, "go": 0.7}, 2: {"python": 0.0, "java": 0.6, "go": 0.6}}),
    ("snli", 0): (2, {0: {"java": 0.1, "go": 0.3}, 1: {"java": 0.4, "go": 0.6}, 2: {"java": 0.8, "go": 1.0}}),
    ("snli", 1): (1, {0: {"java": 0.3, "go": 0.3}, 1: {"java": 0.6, "go": 0.6}, 2: {"java": 0.5, "go": 0.7}}),
}
"""Zero-shot averages by hand: none 0.3, 0.6, 0.6 (layer 1 used); snli seed 0: 0.2, 0.5, 0.9 (layer
2), seed 1: 0.3, 0.6, 0.6 (layer 1), mean 0.25, 0.55, 0.75. clone's probes are written as before
probes scored every layer."""
LAYER_TABLE = """\
| intermediate | 0 | 1 | 2 |
|---|---|---|---|
| none | 0.300 | **0.600** | 0.600 |
| snli | 0.250 | **0.550** | **0.750** |"""


def test_probes_that_scored_every_layer_get_a_layer_table_and_figure(tmp_path: Path) -> None:
    rows = [{"language": "java", "direction": "s2t", "group": "0", "rank": 1}]
    stages = [Stage(o, "xret", s, rows, metric="acc@1", role="probe", layer=used, layers=layers) for (o, s), (used, layers) in XRET_LAYERS.items()]
    stages += [Stage("clone", "xret", s, rows, metric="acc@1", role="probe") for s in (0, 1)]
    report, _, _ = _reported(tmp_path, stages)
    assert "### xret: acc@1 per layer\n" in report and LAYER_TABLE in report
    assert "](figures/layers-xret.png)" in report
    pixels = matplotlib.image.imread(tmp_path / "figures" / "layers-xret.png")
    assert pixels[..., :3].std() > 0.01


def test_the_layer_figure_rings_each_options_used_layers(tmp_path: Path) -> None:
    from codestilts.report.figures import layer_lines

    frame = pd.DataFrame([[0.3, 0.6, 0.6], [0.25, 0.55, 0.75]], index=["none", "snli"], columns=[0, 1, 2])
    axes = layer_lines("xret", "acc@1", frame, {"none": [1], "snli": [1, 2]}).axes[0]
    lines = [(list(line.get_xdata()), list(line.get_ydata())) for line in axes.lines]
    assert lines == [([0, 1, 2], [0.3, 0.6, 0.6]), ([1], [0.6]), ([0, 1, 2], [0.25, 0.55, 0.75]), ([1, 2], [0.55, 0.75])]


def test_probes_written_before_every_layer_was_scored_still_report(reported: Path) -> None:
    report = (reported / "report.md").read_text()
    assert "## xret: acc@1 per language" in report and "per layer" not in report
    assert not list((reported / "figures").glob("layers-*"))
