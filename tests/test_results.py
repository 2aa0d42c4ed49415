"""The committed study (results/study-cpu, an archive of the run docs/results.md describes): its
report rebuilds byte for byte from what is committed, and its config is the one in examples/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codestilts import hardware
from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.plan import build_plan
from codestilts.report.results import PLAN_FILE
from codestilts.schema import read_yaml
from codestilts.store import read_json
from tests.conftest import REPO, report_files

STUDY = REPO / "results" / "study-cpu"


@pytest.mark.slow
def test_committed_study_report_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    copy = tmp_path / "study-cpu"
    shutil.copytree(STUDY, copy)
    committed = report_files(STUDY)
    assert {"report.md", "results.csv", "main.csv", "comparisons.csv", "learnability.csv"} <= set(committed)
    assert main(["report", str(copy)]) == 0
    assert report_files(copy) == committed


@pytest.mark.slow
def test_committed_study_is_the_example_configs_plan(real_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    committed = read_json(STUDY / PLAN_FILE)["stages"]
    trained = next(s for s in committed if "train" in s["params"])
    ran_in_bf16 = trained["params"]["train"]["bf16"]  # bf16: auto, decided by the machine it ran on
    monkeypatch.setattr(hardware, "fast_bf16", lambda: ran_in_bf16)
    _, raw = read_yaml(REPO / "examples" / "study-cpu.yaml")
    planned = build_plan(parse_config(raw | {"data_dir": str(real_data)}))
    assert [s.id for s in planned.stages] == [s["id"] for s in committed]


def _tables_of(markdown: str) -> list[str]:
    """The markdown tables of a text: runs of lines that start with ``|``."""
    blocks, current = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    return blocks


def test_every_table_of_docs_results_is_the_committed_reports() -> None:
    report = (STUDY / "report.md").read_text()
    tables = _tables_of((REPO / "docs" / "results.md").read_text())
    assert tables
    assert [t.splitlines()[0] for t in tables if t not in report] == []
