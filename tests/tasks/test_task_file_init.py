"""`codestilts tasks init NAME --format F` writes a commented task file and example data that load
as they are, for every format a task file can name, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.cli import main
from codestilts.formats import FORMATS
from codestilts.tasks import SPLITS, TASKS, load
from codestilts.tasks.taskfile.schema import definable


@pytest.mark.parametrize("fmt", definable())
def test_the_skeleton_loads(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    name = f"init-{fmt.replace('_', '-')}"
    assert main(["tasks", "init", name, "--format", fmt, "--dir", str(tmp_path)]) == 0
    text = (tmp_path / f"{name}.yaml").read_text()
    assert f"format: {fmt}\n" in text and text.count("#") >= 5  # commented
    data = load(TASKS.load_file(tmp_path / f"{name}.yaml"), None)
    assert all(data["python"][split] for split in SPLITS)
    assert main(["tasks", "init", name, "--format", fmt, "--dir", str(tmp_path)]) == 2  # never overwrites
    assert "exists; not overwritten" in capsys.readouterr().err


@pytest.mark.parametrize(("fmt", "message"), [("mlm", "cannot be defined in a task file"), ("clasification", "did you mean 'classification'?")])
def test_a_format_no_task_file_takes(fmt: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["tasks", "init", "x", "--format", fmt, "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"expected one of {', '.join(definable())}" in err and not list(tmp_path.iterdir())


@pytest.mark.parametrize("fmt", [f for f in definable() if FORMATS[f].text_template is not None])
def test_the_skeletons_text_line_uncommented_is_the_formats_default(fmt: str, tmp_path: Path) -> None:
    name = f"init-text-{fmt.replace('_', '-')}"
    assert main(["tasks", "init", name, "--format", fmt, "--dir", str(tmp_path)]) == 0
    path = tmp_path / f"{name}.yaml"
    path.write_text(path.read_text().replace("# text: ", "text: "))
    assert TASKS.load_file(path).template == FORMATS[fmt].text_template
