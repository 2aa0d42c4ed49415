"""Reading a task's records: from the local data folder, a task file's own files or the Hub, once per
process, and through the disk cache of records (:mod:`codestilts.tasks.cache`) across processes."""

from __future__ import annotations

from pathlib import Path

from codestilts.data import missing_files, require_data_dir
from codestilts.errors import UserError
from codestilts.formats import Record
from codestilts.tasks.base import SPLITS, Task, TaskData, TaskOptions
from codestilts.tasks.cache import FileStat, cached_records, file_stats, keep_records

_LOADED: dict[tuple[str, TaskOptions, str, str | None, Path, tuple[FileStat, ...] | None], TaskData] = {}


def _root(task: Task, data_dir: Path | None) -> Path:
    """The data folder, required only by tasks with files in it (a task file's paths are absolute)."""
    own_files = bool(task.data_files) and all(Path(f).is_absolute() for f in task.data_files)
    if task.source == "hf" or own_files or (not task.data_files and data_dir is None):
        return data_dir or Path("/")
    return require_data_dir(data_dir, f"task {task.name!r}", hub=task.hf_dataset if task.load_from_hub else None)


def check_data(task: Task, data_dir: Path | None, *, where: str | None = None) -> None:
    """Fail early, naming the file, when the data a task needs is not in the data folder."""
    _check_files(task, _root(task, data_dir), where)
    if task.data_files and all(Path(f).is_absolute() for f in task.data_files):
        load(task, data_dir)  # a task file's own data: every record is checked before any stage runs


def _check_files(task: Task, root: Path, where: str | None = None) -> None:
    missing = [] if task.source == "hf" else missing_files(root, task.data_files)
    if missing:
        if task.load_from_hub is not None:
            online = f"; or, online, data_source: hf to load Hugging Face dataset {task.hf_dataset}"
        else:
            online = f"; online it is Hugging Face dataset {task.hf_dataset}" if task.hf_dataset else ""
        raise UserError(
            f"task {task.name!r} needs {missing[0]}, which does not exist",
            where=where,
            hint=f"fetch that file and put it there (the data folder is {root}, laid out as ../shared/data){online}",
        )


def load(task: Task, data_dir: Path | None) -> TaskData:
    """All records of a task, read once per process (again when a data file has changed)."""
    root = _root(task, data_dir)
    key = (task.name, task.options, task.source, task.origin, root, file_stats(task, root))
    if key not in _LOADED:
        _check_files(task, root)
        data = cached_records(task, data_dir)
        if data is None:
            data = task.read(root)
            keep_records(task, data_dir, data)
        _LOADED[key] = data
    return _LOADED[key]


def records(task: Task, data_dir: Path | None, language: str, split: str) -> list[Record]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    data = load(task, data_dir)
    if language not in data:
        raise UserError(f"task {task.name!r} has no data for language {language!r}")
    return data[language].get(split, [])
