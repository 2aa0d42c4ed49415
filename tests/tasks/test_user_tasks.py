"""Tasks defined in YAML alone: loading, every user mistake as one message, and a run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from codestilts import run
from codestilts.cli import main
from codestilts.errors import UserError
from codestilts.tasks import TASKS, load
from codestilts.formats import PairExample
from tests.conftest import tiny_config


def _jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path.name


def _pairs(n: int, start: int = 0) -> list[dict]:
    # every text its own: a train text equal to a test text would be dropped (docs/tasks.md)
    return [{"a": f"def f{i}(x): return x + {i}", "b": f"def g{i}(y): return y + {i % 3}", "same": ["no", "yes"][i % 2]} for i in range(start, start + n)]


def _task_file(folder: Path, name: str, **overrides) -> Path:
    spec = {
        "name": name,
        "format": "pair_classification",
        "languages": ["python", "java"],
        "labels": ["no", "yes"],
        "fields": {"text_a": "a", "text_b": "b", "label": "same"},
        "data": {
            "python": {"train": _jsonl(folder / "py_train.jsonl", _pairs(24)), "dev": _jsonl(folder / "py_dev.jsonl", _pairs(8, 100)), "test": _jsonl(folder / "py_test.jsonl", _pairs(8, 300))},
            "java": {"test": _jsonl(folder / "java_test.jsonl", _pairs(8, 200))},
        },
    }
    spec.update(overrides)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_task_file_registers_and_loads(tmp_path: Path) -> None:
    task = TASKS.load_file(_task_file(tmp_path, "user-pairs"))
    assert TASKS.get("user-pairs") is task and TASKS.load_file(tmp_path / "user-pairs.yaml") == task
    data = load(task, None)  # no data folder needed: the task file names its files
    assert [len(data["python"][s]) for s in ("train", "dev", "test")] == [24, 8, 8]
    first = data["python"]["train"][0]
    assert isinstance(first, PairExample) and first.label == 0 and first.text_a.startswith("def f0")
    assert data["java"]["test"][1].label == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"a": "x", "b": "y"}], "py_train.jsonl:1: same: missing field 'same'"),
        ([{"a": "x", "b": "y", "same": "no"}, {"a": "x", "b": "y", "same": "maybe"}], "py_train.jsonl:2: same: label 'maybe' is outside the label set"),
        ([{"a": 3, "b": "y", "same": "no"}], "py_train.jsonl:1: a: expected text"),
        ([], "split 'train' of language 'python' is empty"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path: Path, rows: list[dict], message: str) -> None:
    name = f"bad-{abs(hash(message)) % 10**8}"
    path = _task_file(tmp_path, name)
    _jsonl(tmp_path / "py_train.jsonl", rows)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(TASKS.load_file(path), None)


def test_language_without_data_and_schema_mistakes(tmp_path: Path) -> None:
    path = _task_file(tmp_path, "no-go", languages=["python", "java", "go"])
    with pytest.raises(UserError, match="lists language 'go' but has no data"):
        load(TASKS.load_file(path), None)
    with pytest.raises(UserError, match=r"unknown-key.yaml:\d+: colour: unknown key"):
        TASKS.load_file(_task_file(tmp_path, "unknown-key", colour="red"))
    with pytest.raises(UserError, match="needs labels"):
        TASKS.load_file(_task_file(tmp_path, "no-labels", labels=[]))
    with pytest.raises(UserError, match="already defined"):
        TASKS.load_file(_task_file(tmp_path, "snli"))


def test_cli_exits_2_on_a_bad_task_file(tmp_path: Path, capsys) -> None:
    path = _task_file(tmp_path, "cli-bad", labels=["no", "yes"])
    _jsonl(tmp_path / "py_train.jsonl", [{"a": "x", "b": "y", "same": "perhaps"}])
    config = tiny_config(tmp_path, intermediate=["none"], targets=["cli-bad"], probes=[], task_files=[path.name])
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    assert main(["run", str(tmp_path / "exp.yaml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "py_train.jsonl:1: same: label 'perhaps'" in err


@pytest.mark.slow
def test_task_defined_only_in_yaml_runs_end_to_end(tmp_path: Path, fixture_data: Path) -> None:
    task_file = _task_file(tmp_path, "yaml-clones")
    config = tiny_config(fixture_data, intermediate=["none", "yaml-clones"], targets=["yaml-clones"], probes=[], task_files=[str(task_file)])
    result = run(config, out=tmp_path / "run")
    assert result.summary.ok
    rows = result.results[(result.results.target == "yaml-clones") & (result.results.metric == "accuracy")]
    assert set(rows.language) == {"python", "java"} and set(rows.intermediate) == {"none", "yaml-clones"}
    assert rows.value.between(0, 1).all()
