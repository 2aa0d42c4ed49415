"""The README's quickstart config runs with no data folder: its plan, end to end on the tiny model,
down to report.md with the main table and the delta heatmap; its NL intermediate option learns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.config import load_config, parse_config
from tests.conftest import REPO

QUICKSTART = REPO / "examples" / "quickstart.yaml"
FAST = {"learning_rate": 1e-3, "batch_size": 8, "max_steps": 2, "max_train_examples": 16, "max_eval_examples": 8}


def test_quickstart_is_the_offline_study_in_miniature() -> None:
    config = load_config(QUICKSTART)
    assert config.data_dir is None and config.model.name == "minilm"
    assert len(config.intermediate) == 3 and config.targets and config.probes


def test_quickstart_runs_end_to_end_without_a_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODESTILTS_DATA", raising=False)
    raw = yaml.safe_load(QUICKSTART.read_text())
    raw["model"] = {"name": "tiny", "max_length": 64}
    raw["training"] = {"intermediate": FAST, "target": FAST}
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok, result.summary.failed

    frame = pd.read_csv(tmp_path / "results.csv")
    primary = frame[frame.primary]
    assert set(primary.intermediate) == {"none", *raw["intermediate"][1:]}
    for target in raw["targets"] + raw["probes"]:
        zero_shot = set(primary[primary.target == target].language) - {"python"}
        assert len(zero_shot) >= 5, (target, zero_shot)

    report = (tmp_path / "report.md").read_text()
    target, probe = raw["targets"][0], raw["probes"][0]
    assert f"| intermediate | {target} (accuracy, 1 seed) | {probe} (acc@1, probe, 1 seed) |" in report
    training = report.partition("## Intermediate training")[2]  # how each option trained, to judge the comparison
    assert all(f"| {option} | 0 | `{option}/" in training for option in raw["intermediate"][1:])
    assert "figures/deltas.png" in report
    assert (tmp_path / "figures" / "deltas.png").stat().st_size > 0


@pytest.mark.slow
def test_the_quickstarts_nl_option_learns_its_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the quickstart's own model and intermediate training, the NL option's dev accuracy gets
    well above chance (0.5, balanced): the code-vs-NL comparison is not against an untrained encoder."""
    monkeypatch.delenv("CODESTILTS_DATA", raising=False)
    raw = yaml.safe_load(QUICKSTART.read_text())
    nl = "synth-paraphrase"
    assert nl in raw["intermediate"]
    raw |= {"intermediate": [nl], "targets": [], "probes": []}
    run(parse_config(raw), out=tmp_path)
    (metrics,) = [json.loads(p.read_text()) for p in (tmp_path / "stages").glob("intermediate-*/metrics.json")]
    assert metrics["dev_examples"] == {nl: 60}
    assert metrics["dev_score"] >= 0.75, metrics["history"]
