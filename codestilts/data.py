"""The local data folder and the readers of its files, for tasks and execution alike.

The data folder is the config's ``data_dir`` when given, else ``$CODESTILTS_DATA``; it is laid out as
``../shared/data`` is (``code/``, ``nl/``). Nothing falls back to a path beside the source tree: an
installed package has none.

Every reader opens ``.gz`` files transparently and turns what an unreadable file raises (bad UTF-8, a
truncated gzip, bad JSON) into one :class:`UserError` naming the file and, where there is one, the line.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from codestilts.errors import UserError

DATA_ENV = "CODESTILTS_DATA"
CSV_FIELD_LIMIT = 1 << 28
"""Bytes a CSV/TSV cell may hold (Python's default, 128 KiB, is less than some source files)."""
ROW_FILES = (".jsonl", ".json", ".csv", ".tsv")

Row = tuple[str, dict[str, Any]]
"""A row with where it came from (``file:line``, or ``file: record N`` in a JSON list)."""


def resolve_data_dir(configured: str | Path | None = None) -> Path | None:
    """The data folder: ``configured`` (a config's ``data_dir``) if given, else ``$CODESTILTS_DATA``, else none."""
    value = configured if configured is not None else os.environ.get(DATA_ENV)
    return Path(value).expanduser().resolve() if value else None


def require_data_dir(data_dir: Path | None, reader: str, *, hub: str | None = None) -> Path:
    """``data_dir``, which ``reader`` (``task 'snli'``, ``benchmark 'mbxp'``) needs; ``hub``: its
    Hugging Face dataset, named as the alternative."""
    if data_dir is None:
        online = f"; or, online, data_source: hf to load Hugging Face dataset {hub}" if hub else ""
        raise UserError(
            f"{reader} reads the local data folder, and none is set",
            hint=f"set {DATA_ENV}=/path/to/data or data_dir: in the config; the layout is that of ../shared/data{online}",
        )
    return data_dir


def missing_files(data_dir: Path, relative: tuple[str, ...]) -> list[Path]:
    return [data_dir / rel for rel in relative if not (data_dir / rel).is_file()]


def open_text(path: Path) -> IO[str]:
    """Open a text file, gzipped or not, as UTF-8."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn what an unreadable file raises (bad UTF-8, a truncated or corrupt gzip, a CSV field over
    the limit) into one :class:`UserError` naming the file."""
    try:
        yield
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, csv.Error) as err:
        raise UserError(f"cannot read data file: {err}", where=str(path)) from None


def _require(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"data file not found: {path}")


def read_jsonl(path: Path) -> Iterator[dict]:
    """Records of a JSON-lines file (``.gz`` or plain); a bad line is reported as file:line."""
    _require(path)
    with reading(path):
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise UserError(f"not valid JSON ({err.msg})", where=f"{path}:{number}") from None
                if not isinstance(record, dict):
                    raise UserError("expected a JSON object per line", where=f"{path}:{number}")
                yield record


def read_rows(path: Path) -> Iterator[Row]:
    """``(file:line, row)`` of a jsonl, json (a list of objects), csv or tsv file (with a header),
    gzipped or not."""
    suffixes = [s for s in path.suffixes if s != ".gz"]
    kind = suffixes[-1] if suffixes else ""
    _require(path)
    if kind == ".jsonl":
        for number, row in enumerate(read_jsonl(path), start=1):
            yield f"{path}:{number}", row  # read_jsonl skips blank lines; numbers count records
    elif kind == ".json":
        with reading(path), open_text(path) as handle:
            try:
                rows = json.load(handle)
            except json.JSONDecodeError as err:
                raise UserError(f"not valid JSON ({err.msg})", where=f"{path}:{err.lineno}") from None
        if not isinstance(rows, list):
            raise UserError("expected a JSON list of objects", where=str(path))
        for number, row in enumerate(rows, start=1):
            yield f"{path}: record {number}", row
    elif kind in (".csv", ".tsv"):
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        with reading(path), open_text(path) as handle:
            reader = csv.DictReader(handle, delimiter="\t" if kind == ".tsv" else ",")
            for row in reader:
                yield f"{path}:{reader.line_num}", row
    else:
        raise UserError(f"unknown data file type (expected {', '.join(ROW_FILES)}, optionally .gz)", where=str(path))
