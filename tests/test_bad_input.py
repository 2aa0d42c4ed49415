"""Bad input, generated: configs (wrong types, unknown keys, random bytes and YAML) and the data files
of a task defined in YAML (jsonl/json/csv/tsv, gzipped or not: empty, invalid UTF-8, truncated gzip,
very long lines, labels outside the label set, duplicate ids). Each gets one short line on stderr
and exit code 2, never a traceback, and nothing is written as complete."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from codestilts.cli import main
from tests.conftest import tiny_config

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MESSAGE_LIMIT = 600
"""Characters of a 'short' message: one line naming the file, key or field, what is wrong and a hint."""


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _run(config: Path, out: Path, capsys: pytest.CaptureFixture) -> str:
    """`codestilts run` on a bad input: exit 2 and one short line, nothing complete; the message."""
    capsys.readouterr()
    assert main(["run", str(config), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("codestilts: error: ") and err.count("\n") == 1, err[:2000]
    assert len(err) < MESSAGE_LIMIT, err[:2000]
    assert not list(out.rglob("COMPLETE.json"))
    return err


# --- configs ---

LEAVES = [
    ("name",), ("data_dir",), ("model",), ("model", "name"), ("model", "max_length"), ("seeds",), ("seeds", 0),
    ("intermediate",), ("intermediate", 1), ("targets",), ("targets", 0), ("probes", 0), ("source_language",),
    ("training",), ("training", "target"), ("training", "target", "max_steps"), ("training", "intermediate", "learning_rate"),
    ("probe", "layer"), ("retention", "target"),
]
"""Settings of the tiny config, each of which a mapping (or a list of mappings) cannot be."""
MAPPINGS = [(), ("model",), ("training",), ("training", "target"), ("probe",), ("pretrain",), ("retention",)]
"""Sections that an unknown key can be added to (``pretrain`` is added with the key inside)."""

wrong_values = st.one_of(
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), min_size=1, max_size=3),
    st.lists(st.dictionaries(st.text(min_size=1, max_size=5), st.none(), min_size=1, max_size=2), min_size=1, max_size=2),
)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _set(raw: dict, path: tuple, value: Any) -> None:
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[path[-1]] = value


@SETTINGS
@given(path=st.sampled_from(LEAVES), value=wrong_values)
def test_config_with_a_wrong_type(path: tuple, value: Any, fixture_data: Path, capsys) -> None:
    raw = tiny_config(fixture_data)
    _set(raw, path, value)
    with _folder() as tmp:
        (tmp / "exp.yaml").write_text(yaml.safe_dump(raw))
        err = _run(tmp / "exp.yaml", tmp / "out", capsys)
    assert f": {path[0]}" in err


@SETTINGS
@given(section=st.sampled_from(MAPPINGS), key=st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True), value=yaml_values)
def test_config_with_an_unknown_key(section: tuple, key: str, value: Any, fixture_data: Path, capsys) -> None:
    raw = tiny_config(fixture_data)
    known = raw
    for part in section:
        known = known.get(part, {})
    if key in known or (section == () and key in ("model", "pretrain", "task_files", "resources")):
        key = f"{key}_x"  # a key the section does not have in the schema either
    _set(raw, (*section, f"z{key}"), value)
    with _folder() as tmp:
        (tmp / "exp.yaml").write_text(yaml.safe_dump(raw))
        err = _run(tmp / "exp.yaml", tmp / "out", capsys)
    assert "unknown key" in err or "required key is missing" in err or "go together" in err


@SETTINGS
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode) | yaml_values.map(lambda v: yaml.safe_dump(v).encode()))
@example(content=b"")
@example(content=b"\xff\xfe\x00model: tiny")
@example(content=b"model: {name: tiny}\nseeds: [1, 2\n")
@example(content=b"a: &a [*a]\nmodel: {name: *a}\n")
@example(content=b"model: &m {name: tiny, extra: *m}\n")
@example(content=b"- model\n- tiny\n")
@example(content=b"model: {name: tiny}\n" + b"#" * 500_000 + b"\xc3\x28\n")
def test_config_file_of_random_bytes(content: bytes, capsys) -> None:
    with _folder() as tmp:
        (tmp / "exp.yaml").write_bytes(content)
        _run(tmp / "exp.yaml", tmp / "out", capsys)


@SETTINGS
@given(content=st.binary(max_size=200) | yaml_values.map(lambda v: yaml.safe_dump(v).encode()))
@example(content=b"\xc3\x28")
@example(content=b"name: t\nformat: classification\nlanguages: [python]\nlabels: [a]\ndata: &d {python: *d}\n")
def test_task_file_of_random_bytes(content: bytes, fixture_data: Path, capsys) -> None:
    with _folder() as tmp:
        (tmp / "task.yaml").write_bytes(content)
        (tmp / "exp.yaml").write_text(yaml.safe_dump(tiny_config(fixture_data, task_files=["task.yaml"])))
        err = _run(tmp / "exp.yaml", tmp / "out", capsys)
    assert "task.yaml" in err


# --- data files of a task defined in YAML ---

LABELS = ["no", "yes"]
FIELDS = ["id", "a", "b", "same"]
FORMATS = [".jsonl", ".json", ".csv", ".tsv"]
DEFECTS = ["empty", "invalid-utf8", "truncated-gzip", "long-line", "label-outside", "duplicate-id"]
names = itertools.count()


def _rows(n: int) -> list[dict]:
    return [{"id": f"p{i}", "a": f"def f{i}(x): return x + {i}", "b": f"def g(y): return y + {i % 3}", "same": LABELS[i % 2]} for i in range(n)]


def _encode(rows: list[dict], kind: str) -> bytes:
    if kind == ".jsonl":
        return "".join(json.dumps(r) + "\n" for r in rows).encode()
    if kind == ".json":
        return json.dumps(rows, indent=1).encode()
    text = io.StringIO()
    writer = csv.DictWriter(text, FIELDS, delimiter="\t" if kind == ".tsv" else ",", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


@st.composite
def bad_files(draw) -> tuple[str, bytes, str]:
    """(suffix, content, defect): a python train file with one defect."""
    kind, gz = draw(st.sampled_from(FORMATS)), draw(st.booleans())
    defect = draw(st.sampled_from([d for d in DEFECTS if gz or d != "truncated-gzip"]))
    rows = _rows(draw(st.integers(1, 12)))
    at = draw(st.integers(0, len(rows) - 1))
    if defect == "label-outside":
        rows[at]["same"] = draw(st.text(min_size=1, max_size=300).filter(lambda t: t not in LABELS and t.strip() == t and "\x00" not in t))
    elif defect == "duplicate-id":
        rows.insert(at, dict(rows[draw(st.integers(0, len(rows) - 1))]))
    content = _encode(rows, kind)
    if defect == "empty":
        content = b"" if kind != ".json" or draw(st.booleans()) else b"[]"
    elif defect == "invalid-utf8":
        cut = draw(st.integers(0, len(content)))
        content = content[:cut] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80"])) + content[cut:]
    elif defect == "long-line":
        cut = content.index(b"\n") + 1 if b"\n" in content else 0
        garbage = b"{" * draw(st.integers(10_000, 300_000))
        content = content[:cut] + garbage + b"\n" + content[cut:]
    if gz:
        content = gzip.compress(content)
        if defect == "truncated-gzip":
            content = content[: draw(st.integers(1, len(content) - 1))]
    return kind + (".gz" if gz else ""), content, defect


def _task_folder(tmp: Path, suffix: str, content: bytes) -> str:
    """A pair-classification task file whose python train file holds ``content``; its name."""
    name = f"bad-input-{next(names)}"
    data = {"python": {}, "java": {}}
    for lang, split, count in (("python", "train", 8), ("python", "dev", 4), ("python", "test", 4), ("java", "test", 4)):
        path = tmp / f"{lang}_{split}.jsonl"
        path.write_bytes(_encode(_rows(count), ".jsonl"))
        data[lang][split] = path.name
    (tmp / f"train{suffix}").write_bytes(content)
    data["python"]["train"] = f"train{suffix}"
    spec = {"name": name, "format": "pair_classification", "languages": ["python", "java"], "labels": LABELS,
            "fields": {"text_a": "a", "text_b": "b", "label": "same"}, "data": data}
    (tmp / "task.yaml").write_text(yaml.safe_dump(spec))
    return name


@SETTINGS
@given(bad=bad_files())
def test_task_data_file_with_a_defect(bad: tuple[str, bytes, str], fixture_data: Path, capsys) -> None:
    suffix, content, defect = bad
    with _folder() as tmp:
        name = _task_folder(tmp, suffix, content)
        raw = tiny_config(fixture_data, intermediate=["none"], targets=[name], probes=[], task_files=["task.yaml"])
        (tmp / "exp.yaml").write_text(yaml.safe_dump(raw))
        err = _run(tmp / "exp.yaml", tmp / "out", capsys)
    assert f"train{suffix}" in err or "data.python.train: split 'train' of language 'python' is empty" in err, defect
