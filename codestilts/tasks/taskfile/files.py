"""Where a task file's rows come from: its ``data:`` entries read as files per language and split.

``data:`` takes four shapes: per language and split (``{python: {train: a.jsonl, test: b.jsonl}}``),
per split for every language (``{train: a.jsonl, test: b.jsonl}``), per language unsplit
(``{python: all.jsonl}``) and one unsplit source for every language (``all.jsonl``); the unsplit
ones need a ``split:`` rule. A source is a file or glob pattern, or a list of them, or
``{files: ..., labels: side.txt}``; in a path, ``${VAR}`` is the environment variable, ``~`` the
home folder and ``{language}`` the language; relative paths start at the task file's folder.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields as dataclass_fields
from pathlib import Path

from pydantic import ValidationError

from codestilts.data import Row, open_text, read_rows, reading
from codestilts.errors import UserError
from codestilts.languages import find
from codestilts.tasks.base import SPLITS
from codestilts.tasks.taskfile.schema import Located, SplitFiles, TaskFile, did_you_mean

UNSPLIT = "all"
"""The key of a language's rows that a ``split:`` rule divides."""
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class SplitSource:
    """The files of one language's split (or of its unsplit rows), in order, and its side label file."""

    files: tuple[Path, ...]
    labels: Path | None
    key: tuple
    """The ``data:`` key it was given under (for messages)."""


Sources = dict[str, dict[str, SplitSource]]
"""language -> split (or :data:`UNSPLIT`) -> its files."""


def sources(spec: TaskFile, folder: Path, at: Located) -> Sources:
    """Every language's files, expanded and checked to exist; the layout checked against ``split:``."""
    data = spec.data
    if isinstance(data, dict) and data and all(k in SPLITS for k in data):
        layout = {lang: (dict(data), ("data",)) for lang in spec.languages}  # per split, for every language
    elif isinstance(data, dict):
        layout = {}
        for key, value in data.items():
            language = find(key)
            if language is None or language.name not in spec.languages:
                known = list(spec.languages) + list(SPLITS)
                raise UserError(
                    f"{key!r} is neither a language of the task nor a split (expected one of {', '.join(known)})",
                    where=at("data", key), hint=did_you_mean(key, known),
                )
            layout[language.name] = (value, ("data", key))
    else:
        layout = {lang: (data, ("data",)) for lang in spec.languages}
    missing = [lang for lang in spec.languages if lang not in layout]
    if missing:
        raise UserError(f"task {spec.name!r} lists language {missing[0]!r} but has no data for it", where=at("data"))
    found: Sources = {}
    for lang, (value, key) in layout.items():
        if isinstance(value, dict) and "files" not in value:
            for split in value:
                if split not in SPLITS:
                    raise UserError(f"unknown split {split!r} (expected {', '.join(SPLITS)})", where=at(*key, split), hint=did_you_mean(split, SPLITS))
            if spec.split is not None:
                raise UserError("data given per split needs no split: rule (give one unsplit source per language, or drop split:)", where=at("split"))
            found[lang] = {split: _source(v, lang, folder, at, (*key, split)) for split, v in value.items()}
        else:
            if spec.split is None:
                raise UserError(
                    "unsplit data needs a split: rule", where=at(*key),
                    hint="split: {hash: {by: group, train: 0.6, dev: 0.1, test: 0.3}}, or name files per split: {train: ..., test: ...}",
                )
            found[lang] = {UNSPLIT: _source(value, lang, folder, at, key)}
    side = next((source for per in found.values() for source in per.values() if source.labels), None)
    if side is not None and "label" not in {f.name for f in dataclass_fields(spec.fmt.record)}:
        raise UserError(f"a {spec.format} record has no label for a side file to give", where=at(*side.key[:-1], "labels"))
    return found


def _source(value: object, language: str, folder: Path, at: Located, key: tuple) -> SplitSource:
    side = None
    if isinstance(value, dict):  # {files: ..., labels: ...}
        try:
            value = SplitFiles.model_validate(value)
        except ValidationError as err:
            first = err.errors()[0]
            raise UserError(first["msg"], where=at(*key, *first["loc"])) from None
        side = _paths(value.labels, language, folder, at, (*key, "labels"))[0] if value.labels else None
        key, value = (*key, "files"), value.files
    return SplitSource(_paths(value, language, folder, at, key), side, key)


def _paths(value: str | list[str], language: str, folder: Path, at: Located, key: tuple) -> tuple[Path, ...]:
    """The files a source names, globs expanded (sorted); none matching or a missing file is a mistake."""
    paths: list[Path] = []
    for index, pattern in enumerate([value] if isinstance(value, str) else value):
        where = at(*key) if isinstance(value, str) else at(*key, index)
        path = expand(pattern, language, folder, where)
        if _GLOB.search(str(path)):
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
            if not matches:
                raise UserError(f"no file matches {path}", where=where, hint="paths are relative to the task file's folder")
            paths += matches
        elif not path.is_file():
            raise UserError(f"data file not found: {path}", where=where, hint="paths are relative to the task file's folder")
        else:
            paths.append(path)
    return tuple(paths)


def expand(pattern: str, language: str, folder: Path, where: str) -> Path:
    """``pattern`` with ``${VAR}``, ``~`` and ``{language}`` expanded, relative to ``folder``."""

    def variable(match: re.Match) -> str:
        value = os.environ.get(match.group(1))
        if value is None:
            raise UserError(f"environment variable {match.group(1)} is not set", where=where)
        return value

    text = _VARIABLE.sub(variable, pattern).replace("{language}", language)
    return (folder / Path(text).expanduser()).resolve()


def rows(source: SplitSource) -> Iterator[tuple[Row, str | None]]:
    """Each row of the source's files in order, with its label from the side file (None without one)."""
    read = itertools.chain.from_iterable(read_rows(f) for f in source.files)
    if source.labels is None:
        yield from ((row, None) for row in read)
        return
    labels = side_labels(source.labels)
    count = 0
    for count, row in enumerate(read, start=1):
        if count > len(labels):
            raise UserError(f"{source.labels} has {len(labels)} labels, fewer than the rows", where=row[0])
        yield row, labels[count - 1]
    if count != len(labels):
        raise UserError(f"{source.labels} has {len(labels)} labels for {count} rows", where=str(source.labels))


def side_labels(path: Path) -> list[str]:
    """The labels of a side file: one per line, blank lines at the end ignored."""
    with reading(path), open_text(path) as handle:
        return [line.strip() for line in handle.read().rstrip("\n").split("\n")]


def all_files(found: Sources) -> list[Path]:
    """Every file the sources read, once, in order."""
    seen: dict[Path, None] = {}
    for per in found.values():
        for source in per.values():
            for path in (*source.files, *([source.labels] if source.labels else [])):
                seen.setdefault(path, None)
    return list(seen)
