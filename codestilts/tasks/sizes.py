"""Summaries of a task's records, cached on disk: how many records each split has, per language
(``codestilts tasks``), the fingerprints of their texts (the overlap of train and test,
:mod:`codestilts.tasks.overlap`), and the digest of the records themselves (a stage's identity,
:func:`task_identity`).

Loading every built-in task (tree-sitter cleaning, clone rewrites, token tagging) takes many
seconds; these only need a summary. Summaries are kept in ``$CODESTILTS_CACHE/<kind>`` under a
digest of the task's name, options and source, its data files (path, size, modification time), the
source of the code that reads and cleans records (:data:`LOADER_SOURCES`) and the versions of the
tree-sitter grammars, so that new data or a changed loader is summarised again. A task without
data files (generated programs, an installed package, the Hub) is summarised from its records at
every call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from codestilts.cache_home import cache_home
from codestilts.progress import log
from codestilts.formats import records_digest
from codestilts.languages import LANGUAGES
from codestilts.store import read_json, write_json
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.loading import file_stats, load

Sizes = dict[str, dict[str, int]]
"""language -> split -> number of records"""


LOADER_SOURCES = ("tasks", "formats", "synth", "data.py", "languages.py", "schema.py")
"""The parts of the package that decide a task's records besides its data files."""


def source_digest(package: Path) -> str:
    """A digest of the :data:`LOADER_SOURCES` of the package folder ``package``."""
    digest = hashlib.sha256()
    for name in LOADER_SOURCES:
        path = package / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(f"{file.relative_to(package)}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


@cache
def _loaders_digest() -> str:
    """A digest of the loaders' source and of the grammars they parse with: a changed loader must be summarised again."""
    grammars = sorted({lang.grammar.module for lang in LANGUAGES if lang.grammar is not None})
    return json.dumps([source_digest(Path(__file__).parents[1]), [f"{module} {_installed(module)}" for module in grammars]])


def _installed(module: str) -> str:
    """The installed version of the distribution that ships ``module`` (a grammar), or ``absent``."""
    try:
        return version(module.replace("_", "-"))
    except PackageNotFoundError:
        return "absent"


def _entry(task: Task, data_dir: Path | None, kind: str) -> Path | None:
    """The cache file of ``task``'s summary ``kind``; None when there is no cache or the data is not in files."""
    home = cache_home()
    files = file_stats(task, data_dir or Path("/"))
    if home is None or not files:
        return None  # no data files (or one missing: loading will say which)
    key = json.dumps([task.identity(), files, _loaders_digest()], sort_keys=True)
    return home / kind / f"{task.name}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"


def cached_summary(task: Task, data_dir: Path | None, kind: str, summarise: Callable[[TaskData], Any]) -> Any:
    """``summarise`` of the task's records (JSON-able), computed once per task, data and loader code."""
    entry = _entry(task, data_dir, kind)
    if entry is not None and entry.is_file():
        return read_json(entry)
    summary = summarise(load(task, data_dir))
    if entry is not None:
        try:
            write_json(entry, summary)
        except OSError as err:  # like the features cache: a full or read-only disk costs a recount, nothing more
            log.warning("could not cache the %s of %s in %s: %s", kind, task.name, entry.parent, err)
    return summary


def task_sizes(task: Task, data_dir: Path | None) -> Sizes:
    """The number of records per language and split."""
    return cached_summary(
        task, data_dir, "sizes", lambda data: {language: {split: len(per.get(split, [])) for split in SPLITS} for language, per in data.items()}
    )


def data_digest(data: TaskData) -> str:
    """A digest of every record of a task, by language and split."""
    parts = {language: {split: records_digest(per.get(split, [])) for split in SPLITS} for language, per in data.items()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def task_identity(task: Task, data_dir: Path | None) -> dict[str, Any]:
    """What of a task enters a stage's hash: :meth:`Task.identity` and a digest of the records the
    task reads, so that new data or a loader that changes them re-runs exactly the stages that read
    the task (a change that leaves the records as they were re-runs nothing)."""
    return task.identity() | {"records": cached_summary(task, data_dir, "records", data_digest)[:20]}
