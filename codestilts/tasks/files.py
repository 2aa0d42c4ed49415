"""Finding and reading task data files in the local data folder."""

from __future__ import annotations

import csv
import gzip
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codestilts.errors import UserError

DATA_ENV = "CODESTILTS_DATA"


def resolve_data_dir(configured: str | Path | None) -> Path | None:
    """The data folder: the config's ``data_dir`` if given, else ``$CODESTILTS_DATA``, else none."""
    value = configured if configured is not None else os.environ.get(DATA_ENV)
    return Path(value).expanduser().resolve() if value else None


def require_data_dir(data_dir: Path | None, task: str, *, hub: str | None = None) -> Path:
    """``data_dir``, which ``task`` needs; ``hub``: its Hugging Face dataset, named as the alternative."""
    if data_dir is None:
        online = f"; or, online, data_source: hf to load Hugging Face dataset {hub}" if hub else ""
        raise UserError(
            f"task {task!r} reads the local data folder, and none is set",
            hint=f"set {DATA_ENV}=/path/to/data or data_dir: in the config; the layout is that of ../shared/data{online}",
        )
    return data_dir


def missing_files(data_dir: Path, relative: tuple[str, ...]) -> list[Path]:
    return [data_dir / rel for rel in relative if not (data_dir / rel).is_file()]


def open_text(path: Path):
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


def read_jsonl(path: Path) -> Iterator[dict]:
    """Records of a JSON-lines file (``.gz`` or plain); a bad line is reported as file:line."""
    if not path.is_file():
        raise UserError(f"data file not found: {path}")
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
