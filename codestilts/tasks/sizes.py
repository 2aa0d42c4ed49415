"""Summaries of a task's records, cached on disk: how many records each split has, per language
(``codestilts tasks``), the fingerprints of their texts (the overlap of train and test,
:mod:`codestilts.tasks.overlap`), and the digest of the records themselves (a stage's identity,
:func:`task_identity`).

A summary is a small JSON file, read without loading the records; it is kept under the same key
as the records (:mod:`codestilts.tasks.cache`), so new data or a changed loader is summarised
again. A task that cannot be keyed (the Hub) is summarised from its records at every call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codestilts.formats import records_digest
from codestilts.progress import log
from codestilts.store import read_json, write_json
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.cache import entry
from codestilts.tasks.loading import load

Sizes = dict[str, dict[str, int]]
"""language -> split -> number of records"""

SIZES, DIGEST, TEXTS = "sizes", "digest", "texts"
"""The kinds of summary a task has: its sizes, its records' digest, its texts' fingerprints (:mod:`codestilts.tasks.overlap`)."""


def cached_summary(task: Task, data_dir: Path | None, kind: str, summarise: Callable[[TaskData], Any]) -> Any:
    """``summarise`` of the task's records (JSON-able), computed once per task, data and loader code."""
    path = entry(task, data_dir, kind)
    if path is not None and path.is_file():
        return read_json(path)
    summary = summarise(load(task, data_dir))
    if path is not None:
        try:
            write_json(path, summary)
        except OSError as err:  # like the features cache: a full or read-only disk costs a recount, nothing more
            log.warning("could not cache the %s of %s in %s: %s", kind, task.name, path.parent, err)
    return summary


def task_sizes(task: Task, data_dir: Path | None) -> Sizes:
    """The number of records per language and split."""
    return cached_summary(
        task, data_dir, SIZES, lambda data: {language: {split: len(per.get(split, [])) for split in SPLITS} for language, per in data.items()}
    )


def data_digest(data: TaskData) -> str:
    """A digest of every record of a task, by language and split."""
    parts = {language: {split: records_digest(per.get(split, [])) for split in SPLITS} for language, per in data.items()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def task_identity(task: Task, data_dir: Path | None) -> dict[str, Any]:
    """What of a task enters a stage's hash: :meth:`Task.identity` and a digest of the records the
    task reads, so that new data or a loader that changes them re-runs exactly the stages that read
    the task (a change that leaves the records as they were re-runs nothing)."""
    return task.identity() | {"records": cached_summary(task, data_dir, DIGEST, data_digest)[:20]}
