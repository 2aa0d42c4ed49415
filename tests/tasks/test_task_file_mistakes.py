"""Every task-file mistake of issue 16 stops `codestilts plan` (not `run`) with one line naming the
file, the line, the key, what was expected and, where one fits, the closest right name; exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from codestilts.cli import main
from codestilts.tasks.taskfile.schema import definable
from tests.conftest import REPO, tiny_config
from tests.tasks.taskfile_fixtures import write_jsonl

ROWS = [{"code": f"def f{i}(x): return x + {i}", "doc": f"add {i}", "problem": f"p{i}"} for i in range(6)]


def _plan(tmp_path: Path, capsys: pytest.CaptureFixture, **changes) -> tuple[int, str, str]:
    """Plan an experiment probing a retrieval task file with ``changes``; the exit code, stderr and the file."""
    write_jsonl(tmp_path / "items.jsonl", ROWS)
    name = f"mistake-{tmp_path.name}"[:60]
    spec = {
        "name": name, "format": "retrieval", "languages": ["python", "java"],
        "fields": {"text": "code", "query": "doc", "group": "problem"},
        "data": {"python": {"test": "items.jsonl"}, "java": {"test": "items.jsonl"}},
    }
    spec.update(changes)
    spec = {k: v for k, v in spec.items() if v is not None}
    (tmp_path / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    config = tiny_config(tmp_path, intermediate=["none"], targets=[], probes=[name], task_files=["task.yaml"])
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    code = main(["plan", str(tmp_path / "exp.yaml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err  # one line, no traceback
    return code, err, str(tmp_path / "task.yaml")


def _line_of(path: str, key: str) -> int:
    return next(i for i, line in enumerate(Path(path).read_text().splitlines(), start=1) if re.match(rf"\s*{key}:", line))


def test_the_valid_file_plans(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _plan(tmp_path, capsys)[0] == 0


def test_a_misspelt_optional_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, fields={"text": "code", "query": "docs", "group": "problem"})
    assert code == 2
    assert f"items.jsonl:1: docs: missing field 'docs' (named by {path}:{_line_of(path, 'query')}: fields.query;" in err
    assert err.endswith("(did you mean 'doc'?)")


def test_an_unknown_key_in_fields(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, fields={"text": "code", "qurey": "doc"})
    assert code == 2
    assert f"{path}:{_line_of(path, 'qurey')}: fields.qurey: unknown field 'qurey' for a retrieval record (expected one of id, group, text, query)" in err
    assert err.endswith("(did you mean 'query'?)")


def test_field_for_fields(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, fields=None, field={"text": "code"})
    assert code == 2 and err.endswith(f"{path}:{_line_of(path, 'field')}: field: unknown key (did you mean 'fields'?)")


def test_a_missing_data_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, data={"python": {"test": "items.jsonl"}, "java": {"test": "java_items.jsonl"}})
    assert code == 2
    line = next(i for i, text in enumerate(Path(path).read_text().splitlines(), start=1) if "java_items.jsonl" in text)
    assert f"{path}:{line}: data.java.test: data file not found: {tmp_path / 'java_items.jsonl'}" in err
    assert err.endswith("(paths are relative to the task file's folder)") and "data folder" not in err


def test_a_wrong_format_name(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, format="retreival")
    assert code == 2
    assert f"{path}:{_line_of(path, 'format')}: format: format 'retreival' is unknown (expected one of {', '.join(definable())})" in err
    assert err.endswith("(did you mean 'retrieval'?)")


def test_a_generation_record_takes_no_field_a_task_file_cannot_give(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, _ = _plan(tmp_path, capsys, format="generation", fields={"prompt": "doc", "target": "code", "problem": "code"})
    assert code == 2 and "unknown field 'problem' for a generation record (expected one of id, group, prompt, target)" in err
    listed = re.search(r"`format:` is one of (.*)\.", (REPO / "docs" / "tasks.md").read_text()).group(1)
    assert re.findall(r"`(\w+)`", listed) == definable()  # the docs offer exactly what a task file takes


def test_duplicate_retrieval_groups(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, _ = _plan(tmp_path, capsys, fields={"text": "code", "query": "doc", "group": "{{ problem[:1] }}"})
    assert code == 2 and "two records of split 'test' of language 'python' have group 'p'" in err
    assert "one item per group and language" in err


def test_a_template_naming_no_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, fields={"text": "code", "query": "Task: {{ dco }}"})
    assert code == 2
    assert f"items.jsonl:1: 'dco' is undefined in the template at {path}:{_line_of(path, 'query')}: fields.query" in err
    assert err.endswith("(did you mean 'doc'?)")


def test_an_unknown_split(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, data={"python": {"tset": "items.jsonl"}, "java": {"test": "items.jsonl"}})
    assert code == 2 and f"{path}:{_line_of(path, 'tset')}: data.python.tset: unknown split 'tset'" in err
    assert err.endswith("(did you mean 'test'?)")


def test_unsplit_data_without_a_split_rule(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, _ = _plan(tmp_path, capsys, data="items.jsonl")
    assert code == 2 and "data: unsplit data needs a split: rule" in err


def test_split_fractions_must_add_up(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, data="items.jsonl", split={"hash": {"train": 0.5, "test": 0.4}})
    assert code == 2 and f"{path}:{_line_of(path, '  hash')}: split.hash: split fractions add up to 0.9, not 1" in err


def test_labels_for_a_format_without_labels(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, err, path = _plan(tmp_path, capsys, label_map={0: "a"})
    assert code == 2 and f"{path}:{_line_of(path, 'label_map')}: label_map: a retrieval record has no label" in err
