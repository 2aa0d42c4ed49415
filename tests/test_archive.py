"""`codestilts archive RUN DEST` copies a run without its checkpoints, and `codestilts report DEST`
rebuilds the same tables and figures from the copy, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.api import run
from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.report.results import complete_stages
from tests.conftest import report_files, tiny_config


@pytest.fixture(scope="module")
def archived(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("run") / "run"
    run(parse_config(tiny_config(fixture_data)), out=out)
    dest = out.parent / "archive"
    assert main(["archive", str(out), str(dest)]) == 0
    return out, dest


def test_archive_holds_every_complete_stage_without_checkpoints(archived) -> None:
    out, dest = archived
    assert list(out.glob("stages/*/checkpoint"))
    assert not list(dest.glob("stages/*/checkpoint"))
    assert [s["id"] for s, _ in complete_stages(dest)] == [s["id"] for s, _ in complete_stages(out)]


def test_report_from_the_archive_is_byte_identical(archived) -> None:
    out, dest = archived
    before = report_files(out)
    assert "report.md" in before and "results.csv" in before
    assert main(["report", str(dest)]) == 0
    assert report_files(dest) == before


def test_archive_refuses_an_existing_folder_and_a_non_run(archived, tmp_path: Path, capsys) -> None:
    out, dest = archived
    assert main(["archive", str(out), str(dest)]) == 2
    assert main(["archive", str(tmp_path), str(tmp_path / "new")]) == 2
    assert "not a codestilts run folder" in capsys.readouterr().err
