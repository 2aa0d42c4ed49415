"""Tasks defined in a YAML file, without library edits (docs/tasks.md has every key with examples).

```yaml
name: my-defects
format: classification            # any format whose tasks train or probe (codestilts/formats/)
languages: [python, java]         # source first unless source_language says otherwise
labels: [correct, buggy]
fields: {text: func, label: target}   # record field -> column (or a Jinja template, a list, a per-language map)
data:                             # jsonl, json, csv, tsv (.gz or not): files, globs or lists, relative to this file
  python: {train: py_train.jsonl, dev: py_dev.jsonl, test: "py_test/*.jsonl"}
  java: {test: java_test.jsonl}
```

Everything a task file says is checked when it is read (the schema, the format's fields, every data
file), and its records when the plan is made (:func:`codestilts.tasks.loading.check_data`), so a
mistake stops ``plan``, as one :class:`UserError` naming the file, the line and the key.
"""

from __future__ import annotations

import hashlib
import reprlib
from collections.abc import Iterator
from pathlib import Path

from codestilts.data import Row
from codestilts.errors import UserError
from codestilts.formats import Record
from codestilts.formats.text import Template
from codestilts.schema import key_lines, read_yaml, validate
from codestilts.tasks.base import SPLITS, Task, TaskData, TaskOptions
from codestilts.tasks.hub import hub_rows
from codestilts.tasks.taskfile import files
from codestilts.tasks.taskfile.records import RowReader
from codestilts.tasks.taskfile.schema import HfSource, Located, TaskFile, check
from codestilts.tasks.taskfile.splits import cap, split_by_hash


def read_task_file(path: str | Path, *, where: str | None = None) -> Task:
    """The task that the YAML file ``path`` defines, validated (:meth:`Registry.load_file` registers it)."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise UserError(f"task file not found: {path}", where=where)
    text, raw = read_yaml(path)
    lines = key_lines(text)
    spec = validate(TaskFile, raw, source=str(path), lines=lines)
    at = Located(str(path), lines)
    check(spec, at)
    sources = files.sources(spec, path.parent, at) if spec.data is not None else {}
    data_files = (*map(str, files.all_files(sources)), str(path)) if sources else ()
    return Task(
        name=spec.name,
        format=spec.fmt,
        languages=tuple(spec.languages),
        source_language=spec.source_language or spec.languages[0],
        metric=spec.metric or spec.fmt.metric,
        labels=tuple(spec.labels),
        description=spec.description,
        splits_note=_splits_note(spec),
        data_files=data_files,  # the file itself too: an edit of it re-reads the records
        hf_dataset=spec.hf.id if spec.hf else None,
        load=lambda _data_dir: _load(spec, sources, at, TaskOptions()),
        load_with_options=(lambda _data_dir, options: _load(spec, sources, at, options)) if spec.clean else None,
        origin=str(path),
        definition=hashlib.sha256(text.encode()).hexdigest()[:20],
        own_source=spec.source_language is not None,
        template=Template(spec.text.prompt, spec.text.choice) if spec.text else None,
    )


def _splits_note(spec: TaskFile) -> str:
    note = "as given by the task file"
    if spec.split is not None:
        rule = spec.split.hash
        note = f"{rule.train:g}/{rule.dev:g}/{rule.test:g} by hashed {rule.by}"
    if spec.max_test_examples is not None:
        note += f"; at most {spec.max_test_examples} test records per language"
    return note


def _hf_rows(source: HfSource, split: str) -> Iterator[Row]:
    return hub_rows(source.id, source.config, split, hint="offline? export it to a jsonl file and name it under data: instead of hf:")


def _load(spec: TaskFile, sources: files.Sources, at: Located, options: TaskOptions) -> TaskData:
    if spec.hf is not None:
        rows = {spec.hf.language: {split: ((row, None) for row in _hf_rows(spec.hf, name)) for split, name in spec.hf.splits.items()}}
        missing = [lang for lang in spec.languages if lang != spec.hf.language]
        if missing:
            raise UserError(f"task {spec.name!r} lists language {missing[0]!r} but has no data for it", where=at("languages"))
    else:
        rows = {lang: {split: files.rows(source) for split, source in per.items()} for lang, per in sources.items()}
    read: dict[str, dict[str, list[Record]]] = {}
    origin: dict[int, str] = {}  # id(record) -> the row it came from (file:line)
    for lang, per in rows.items():
        reader = RowReader(spec, lang, options, at)
        read[lang] = {}
        for split, split_rows in per.items():
            records = []
            for position, ((where, row), label) in enumerate(split_rows, start=1):
                for record in reader.records(position, where, row, label):
                    origin[id(record)] = where
                    records.append(record)
            if not records:
                raise UserError(f"split {split!r} of language {lang!r} is empty", where=at("data", lang, split) if split != files.UNSPLIT else at("data"))
            read[lang][split] = records
    if spec.split is not None:
        read = split_by_hash({lang: per[files.UNSPLIT] for lang, per in read.items()}, spec.split.hash)
    data: dict[str, dict[str, list[Record]]] = {}
    for lang, per in read.items():
        data[lang] = {split: [] for split in SPLITS}
        for split, records in per.items():
            _check_unique(spec, records, lang, split, origin)
            data[lang][split] = cap(records, spec.max_test_examples) if split == "test" else records
    return data


def _check_unique(spec: TaskFile, records: list[Record], language: str, split: str, origin: dict[int, str]) -> None:
    """Two records of a split with one id are a mistake (an id names one example), and so are two
    with one group where the format pairs records by group (retrieval)."""
    for key in ["id", "group"] if spec.fmt.unique_groups else ["id"]:
        first: dict[str, str] = {}
        for record in records:
            value = getattr(record, key)
            if value in first:
                raise UserError(
                    f"two records of split {split!r} of language {language!r} have {key} {reprlib.repr(value)} (first at {first[value]})",
                    where=origin[id(record)], hint="retrieval pairs items by group: one item per group and language" if key == "group" else None,
                )
            first[value] = origin[id(record)]
