"""Building the records of many tasks at once, over the machine's cores, before a plan or a task
listing reads them.

A plan needs every task's records digest and text fingerprints, ``codestilts tasks`` every task's
sizes; built one after another, a cold cache costs the sum of the tasks' build times. Here the
tasks not yet in the cache (:mod:`codestilts.tasks.cache`) are built in worker processes, the
slowest first, each worker caching the records and their summaries; the caller then reads them
from the cache. A task that fails to build in a worker (its data missing, a broken task file) is
left to the caller, which builds it again and reports the error where it always does.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from codestilts.progress import log, progress_bar
from codestilts.tasks.base import Task
from codestilts.tasks.cache import RECORDS, entry
from codestilts.tasks.loading import load
from codestilts.tasks.overlap import task_fingerprints
from codestilts.tasks.registry import TASKS
from codestilts.tasks.sizes import SUMMARIES, task_identity, task_sizes


def to_build(tasks: Iterable[Task], data_dir: Path | None) -> list[Task]:
    """The tasks (each variant once) whose records or summaries the cache lacks but can hold."""
    missing = []
    for task in dict.fromkeys(tasks):
        paths = [entry(task, data_dir, RECORDS, ".pickle"), *(entry(task, data_dir, kind) for kind in SUMMARIES)]
        if paths[0] is not None and not all(path.is_file() for path in paths):
            missing.append(task)
    return missing


def prepare(tasks: Iterable[Task], data_dir: Path | None, *, workers: int | None = None) -> None:
    """Cache the records and summaries of ``tasks`` that are not cached yet, in up to ``workers``
    processes (default: one per core); nothing to do when at most one task is missing."""
    missing = to_build(tasks, data_dir)
    workers = min(workers or os.cpu_count() or 1, len(missing))
    if workers < 2:
        return
    missing.sort(key=lambda task: _weight(task, data_dir), reverse=True)
    log.info("building the records of %d tasks in %d processes (cached for later runs)", len(missing), workers)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a worker must not inherit a parent's threads (torch)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, progress_bar("tasks", len(missing)) as bar:
        futures = {pool.submit(build, task.identity(), task.origin, data_dir): task for task in missing}
        for done, future in enumerate(as_completed(futures), start=1):
            failure = future.result()
            if failure:
                log.debug("building %s in a worker failed (%s); it is built again when read", futures[future].label, failure)
            bar.update(completed=done, status=futures[future].label)
    log.info("built the records of %d tasks in %.1f s", len(missing), time.perf_counter() - started)


def _weight(task: Task, data_dir: Path | None) -> int:
    """A guess at the time a task takes to build: the bytes of its data files (no file: 1 MB)."""
    root = data_dir or Path("/")
    return sum((root / name).stat().st_size for name in task.data_files if (root / name).is_file()) or 1 << 20


def build(identity: dict[str, Any], origin: str | None, data_dir: Path | None) -> str | None:
    """In a worker: build the task ``identity`` names and cache its records and summaries; the
    error's text when that fails (the caller reports it as it would have without workers)."""
    try:
        if origin is not None:
            TASKS.load_file(origin)
        task = TASKS.task_for(identity)
        load(task, data_dir)
        task_sizes(task, data_dir)
        task_identity(task, data_dir)
        task_fingerprints(task, data_dir)
    except Exception as err:  # noqa: BLE001 - any failure is the caller's to report, from its own process
        return f"{type(err).__name__}: {err}"
    return None
