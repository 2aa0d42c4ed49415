"""A tiny run from config to report, then a rerun that reuses every stage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.api import plan, stage_status
from codestilts.cli import main
from codestilts.config import parse_config
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def finished(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("run")
    return run(parse_config(tiny_config(fixture_data)), out=out), fixture_data


def test_run_writes_tidy_results(finished) -> None:
    result, _ = finished
    assert result.summary.ok and not result.summary.reused
    frame = pd.read_csv(result.out / "results.csv")
    assert {"intermediate", "target", "language", "seed", "metric", "value"} <= set(frame.columns)
    defect = frame[(frame.target == "defect-humanevalpack") & (frame.metric == "accuracy")]
    assert set(defect.language) == {"python", "cpp", "java", "js", "go", "rust"}
    assert set(defect.intermediate) == {"none", "snli"}
    assert defect.value.between(0, 1).all()
    probe = frame[(frame.target == "xret-humaneval-x") & (frame.metric == "acc@1")]
    assert set(probe.language) == {"cpp", "java", "js", "go", "rust"}  # the source is the query side
    assert {"acc@1.s2t", "acc@1.t2s", "mrr"} <= set(frame.metric)


def test_report_has_main_and_language_tables(finished) -> None:
    result, _ = finished
    report = (result.out / "report.md").read_text()
    assert "| intermediate | defect-humanevalpack (accuracy, 1 seed) | xret-humaneval-x (acc@1, probe, 1 seed) |" in report
    assert "| none |" in report and "| snli |" in report
    assert "## defect-humanevalpack: accuracy per language" in report
    assert "python (source)" in report


def test_predictions_are_kept_per_example(finished) -> None:
    result, _ = finished
    evaluate = next(p for p in (result.out / "stages").iterdir() if p.name.startswith("evaluate-"))
    rows = pd.read_json(evaluate / "predictions.jsonl", lines=True)
    assert {"language", "id", "group", "label", "prediction"} <= set(rows.columns)
    assert rows.groupby("language").size().nunique() == 1


def test_rerun_reuses_every_stage(finished) -> None:
    result, data = finished
    config = parse_config(tiny_config(data))
    again = run(config, out=result.out)
    assert again.summary.ran == []
    assert len(again.summary.reused) == len(plan(config).stages)
    assert {status for _, status in stage_status(plan(config), result.out)} == {"done"}
    pd.testing.assert_frame_equal(again.results, result.results)


def test_new_seed_reuses_the_base_probe_and_runs_the_rest(finished, tmp_path: Path) -> None:
    result, data = finished
    config = parse_config(tiny_config(data, seeds=[0, 1]))
    again = run(config, out=result.out)
    assert len(again.summary.reused) == 7
    assert sorted(s.split("-")[0] for s in again.summary.ran) == ["evaluate", "evaluate", "intermediate", "probe", "target", "target"]


def test_plan_command_shows_done(finished, tmp_path: Path, capsys) -> None:
    result, data = finished
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(tiny_config(data)))
    assert main(["plan", str(path), "--out", str(result.out)]) == 0
    out = capsys.readouterr().out
    assert "7 stages: 7 done, 0 pending, 0 failed; 0 to run" in out


def test_same_seed_same_numbers(finished, tmp_path: Path) -> None:
    """Two runs with the same seed write byte-identical results.csv (on CPU)."""
    result, data = finished
    config = parse_config(tiny_config(data))
    fresh = run(config, out=tmp_path / "again")
    assert run(config, out=result.out).summary.ran == []  # its report again: another test added a seed
    assert (fresh.out / "results.csv").read_bytes() == (result.out / "results.csv").read_bytes()
    assert len(fresh.results) > 0
