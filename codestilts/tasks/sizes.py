"""Summaries of a task's records, cached on disk: how many records each split has, per language
(``codestilts tasks``), and the fingerprints of their texts (the overlap of train and test,
:mod:`codestilts.tasks.overlap`).

Loading every built-in task (tree-sitter cleaning, clone rewrites, token tagging) takes many
seconds; these only need a summary. Summaries are kept in ``$CODESTILTS_CACHE/<kind>`` under a
digest of the task's identity, its data files (path, size, modification time) and the source of
the task loaders, so that new data or changed loaders are summarised again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from codestilts.cache_home import cache_home
from codestilts.progress import log
from codestilts.store import read_json, write_json
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.loading import load

Sizes = dict[str, dict[str, int]]
"""language -> split -> number of records"""


@cache
def _loaders_digest() -> str:
    """A digest of the task package's source: a changed loader must be counted again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _entry(task: Task, data_dir: Path | None, kind: str) -> Path | None:
    """The cache file of ``task``'s summary ``kind``; None when there is no cache or the data is not in files."""
    home = cache_home()
    if home is None or task.source != "local" or not task.data_files:
        return None
    files = []
    for name in task.data_files:
        path = Path(name) if Path(name).is_absolute() or data_dir is None else data_dir / name
        if not path.is_file():
            return None  # loading will say which file is missing
        stat = path.stat()
        files.append([str(path), stat.st_size, stat.st_mtime_ns])
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
