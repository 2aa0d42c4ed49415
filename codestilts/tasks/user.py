"""Tasks defined in a YAML file, without library edits.

```yaml
name: my-defects
format: classification            # any format but mlm (codestilts/formats/)
languages: [python, java]         # source first unless source_language says otherwise
labels: [correct, buggy]          # classification, pair_classification, token_tagging
fields: {text: func, label: target}   # record field -> column of the data
data:                             # local files (jsonl, json, csv, tsv; .gz or not), relative to this YAML
  python: {train: py_train.jsonl, dev: py_dev.jsonl, test: py_test.jsonl}
  java: {test: java_test.jsonl}
# or, instead of data, a Hugging Face dataset (downloaded only because the file asks for it):
# hf: {id: org/name, config: null, language: python, splits: {train: train, dev: validation, test: test}}
```

A record with a missing or bad field is reported as ``file:line: field``; an unreadable file (bad
UTF-8, a truncated gzip), an empty split, a label outside the label set, two records of a split with
one id and a listed language without data are each one :class:`UserError`.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from codestilts.errors import UserError
from codestilts.schema import LanguageName, Strict, key_lines, read_yaml, validate
from codestilts.data import Row, read_rows
from codestilts.formats import FORMATS, Format, Record, Role
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.hub import hub_rows

DEFINABLE: frozenset[Role] = frozenset({"intermediate", "target", "probe"})
"""A task file defines a task of a format whose tasks train or are evaluated (not pretraining text)."""
SPAN_FIELDS = ("answer_start", "answer_text")
"""A span task gives the answer as its start character and its text instead of ``spans``."""


class HfSource(Strict):
    id: str
    config: str | None = None
    language: LanguageName
    splits: dict[str, str] = Field(description="our split (train/dev/test) -> the dataset's split name")


class TaskFile(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    format: str
    languages: list[LanguageName] = Field(min_length=1)
    source_language: LanguageName | None = None
    metric: str | None = None
    description: str = ""
    labels: list[str] = []
    fields: dict[str, str] = {}
    data: dict[LanguageName, dict[str, str]] | None = None
    hf: HfSource | None = None

    @property
    def fmt(self) -> Format:
        return FORMATS[self.format]

    @field_validator("format")
    @classmethod
    def _known(cls, name: str) -> str:
        definable = [f.name for f in FORMATS.values() if f.roles & DEFINABLE]
        if name not in definable:
            what = "cannot be defined in a task file" if name in FORMATS else "is unknown"
            raise ValueError(f"format {name!r} {what} (expected one of {', '.join(definable)})")
        return name

    @model_validator(mode="after")
    def _consistent(self) -> TaskFile:
        if (self.data is None) == (self.hf is None):
            raise ValueError("give exactly one of data (local files) and hf (a Hugging Face dataset)")
        if self.fmt.labelled and not self.labels:
            raise ValueError(f"a {self.format} task needs labels")
        for split in [s for per in (self.data or {}).values() for s in per] + list(self.hf.splits if self.hf else []):
            if split not in SPLITS:
                raise ValueError(f"unknown split {split!r} (expected {', '.join(SPLITS)})")
        if self.source_language is not None and self.source_language not in self.languages:
            raise ValueError(f"source_language {self.source_language!r} is not among languages")
        return self


def read_task_file(path: str | Path, *, where: str | None = None) -> Task:
    """The task that the YAML file ``path`` defines, validated (:meth:`Registry.load_file` registers it)."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise UserError(f"task file not found: {path}", where=where)
    text, raw = read_yaml(path)
    spec = validate(TaskFile, raw, source=str(path), lines=key_lines(text))
    files = tuple(str((path.parent / f).resolve()) for per in (spec.data or {}).values() for f in per.values())
    return Task(
        name=spec.name,
        format=spec.fmt,
        languages=tuple(spec.languages),
        source_language=spec.source_language or spec.languages[0],
        metric=spec.metric or spec.fmt.metric,
        labels=tuple(spec.labels),
        description=spec.description,
        splits_note="as given by the task file",
        data_files=files,
        hf_dataset=spec.hf.id if spec.hf else None,
        load=lambda _data_dir: _load(spec, path),
        origin=str(path),
    )


def _hf_rows(source: HfSource, split: str) -> Iterator[Row]:
    return hub_rows(source.id, source.config, split, hint="offline? export it to a jsonl file and name it under data: instead of hf:")


def _load(spec: TaskFile, path: Path) -> TaskData:
    if spec.hf is not None:
        sources = {spec.hf.language: {split: _hf_rows(spec.hf, name) for split, name in spec.hf.splits.items()}}
    else:
        sources = {lang: {split: read_rows((path.parent / f).resolve()) for split, f in per.items()} for lang, per in (spec.data or {}).items()}
    missing = [lang for lang in spec.languages if lang not in sources]
    if missing:
        raise UserError(f"task {spec.name!r} lists language {missing[0]!r} but has no data for it", where=f"{path}: data")
    data: dict[str, dict[str, list]] = {}
    for lang, splits in sources.items():
        data[lang] = {split: [] for split in SPLITS}
        for split, rows in splits.items():
            records = _records(spec, rows)
            if not records:
                raise UserError(f"split {split!r} of language {lang!r} is empty", where=f"{path}: data.{lang}.{split}")
            data[lang][split] = records
    return data


def _records(spec: TaskFile, rows: Iterator[Row]) -> list[Record]:
    """The records of one split; two with the same id are a user error (an id names one example)."""
    records: list[Record] = []
    first: dict[str, str] = {}
    for where, row in rows:
        record = _record(spec, where, row)
        if record.id in first:
            raise UserError(f"duplicate id {reprlib.repr(record.id)} (first at {first[record.id]})", where=where)
        first[record.id] = where
        records.append(record)
    return records


def _record(spec: TaskFile, where: str, row: Any) -> Record:
    if not isinstance(row, dict):
        raise UserError("expected an object (a mapping of fields)", where=where)
    record_type = spec.fmt.record

    def get(name: str, default: Any = KeyError) -> Any:
        column = spec.fields.get(name, name)
        if column in row and row[column] is not None:
            return row[column]
        if default is KeyError:
            raise UserError(f"missing field {column!r} (the task's {name})", where=f"{where}: {column}")
        return default

    values: dict[str, Any] = {}
    for f in dataclass_fields(record_type):
        column = spec.fields.get(f.name, f.name)
        try:
            if f.name == "id":
                values["id"] = str(get("id", where.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]))
            elif f.name == "group":
                values["group"] = str(get("group", values["id"]))
            elif f.name == "label":
                values["label"] = _label(spec, get("label"), where, column)
            elif f.name == "tags":
                values["tags"] = tuple(_label(spec, t, where, column) for t in _as_list(get("tags"), where, column))
            elif f.name in ("choices", "words"):
                values[f.name] = tuple(str(v) for v in _as_list(get(f.name), where, column))
            elif f.name == "spans":
                start, text = int(get(SPAN_FIELDS[0])), str(get(SPAN_FIELDS[1]))
                values["spans"] = ((start, start + len(text)),)
            elif f.name == "query":
                values["query"] = get("query", None)
            else:
                value = get(f.name)
                if not isinstance(value, str):
                    raise UserError(f"expected text, got {type(value).__name__}", where=f"{where}: {column}")
                values[f.name] = value
        except (TypeError, ValueError):
            raise UserError(f"bad value for {f.name}", where=f"{where}: {column}") from None
    record = record_type(**values)
    problem = spec.fmt.check(record)
    if problem is not None:
        field, message = problem
        raise UserError(message, where=f"{where}: {spec.fields.get(field, field)}")
    return record


def _as_list(value: Any, where: str, column: str) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)  # csv/tsv cells hold lists as JSON
        except json.JSONDecodeError:
            raise UserError("expected a list", where=f"{where}: {column}") from None
    if not isinstance(value, list):
        raise UserError("expected a list", where=f"{where}: {column}")
    return value


def _label(spec: TaskFile, value: Any, where: str, column: str) -> int:
    """A label by name (or its index written as text for numbered label sets); a format without a
    label set (multiple choice) labels by index."""
    if not spec.fmt.labelled:
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise UserError(f"expected a choice index, got {reprlib.repr(value)}", where=f"{where}: {column}")
        return int(value)
    if str(value) in spec.labels:
        return spec.labels.index(str(value))
    raise UserError(f"label {reprlib.repr(value)} is outside the label set ({', '.join(spec.labels)})", where=f"{where}: {column}")
