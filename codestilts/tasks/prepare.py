"""Building the records of many tasks at once, over the machine's cores, before a plan or a task
listing reads them.

A plan needs every task's records digest and text fingerprints, ``codestilts tasks`` every task's
sizes; built one after another, a cold cache costs the sum of the tasks' build times. Here the
tasks not yet in the cache (:mod:`codestilts.tasks.cache`) are built in worker processes, each
caching the records and their summaries; the caller then reads them from the cache. Tasks that
read the same data files go to one worker, one after another, so that what they share (the
cleaned code of a benchmark, the generated programs) is worked out once; the largest data first. A task that fails to build in a worker (its data missing, a broken task file) is
left to the caller, which builds it again and reports the error where it always does.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from codestilts.progress import log, progress_bar
from codestilts.tasks.base import Task
from codestilts.tasks.cache import RECORDS, entry
from codestilts.tasks.loading import load
from codestilts.tasks.overlap import task_fingerprints
from codestilts.tasks.registry import TASKS
from codestilts.tasks.sizes import DIGEST, SIZES, TEXTS, task_identity, task_sizes


SUMMARISE: dict[str, Callable[[Task, Path | None], Any]] = {SIZES: task_sizes, DIGEST: task_identity, TEXTS: task_fingerprints}
"""What computes (and caches) each kind of summary."""


def to_build(tasks: Iterable[Task], data_dir: Path | None, summaries: Sequence[str]) -> list[Task]:
    """The tasks (each variant once) whose records or ``summaries`` the cache lacks but can hold."""
    missing = []
    for task in dict.fromkeys(tasks):
        paths = [entry(task, data_dir, RECORDS, ".pickle"), *(entry(task, data_dir, kind) for kind in summaries)]
        if paths[0] is not None and not all(path.is_file() for path in paths):
            missing.append(task)
    return missing


def prepare(tasks: Iterable[Task], data_dir: Path | None, summaries: Sequence[str], *, workers: int | None = None) -> None:
    """Cache the records and ``summaries`` (kinds of :data:`SUMMARISE`) of those ``tasks`` not cached
    yet, in up to ``workers`` processes (default: one per core); nothing to do when the missing
    tasks fit in one worker."""
    missing = to_build(tasks, data_dir, summaries)
    bundles = _bundles(missing, data_dir)
    workers = min(workers or os.cpu_count() or 1, len(bundles))
    if workers < 2:
        return
    log.info("building the records of %d tasks in %d processes (cached for later runs)", len(missing), workers)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a worker must not inherit a parent's threads (torch)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, progress_bar("tasks", len(missing)) as bar:
        futures = {pool.submit(build, [(task.identity(), task.origin) for task in bundle], data_dir, summaries): bundle for bundle in bundles}
        done = 0
        for future in as_completed(futures):
            for task, failure in zip(futures[future], future.result(), strict=True):
                if failure:
                    log.debug("building %s in a worker failed (%s); it is built again when read", task.label, failure)
            done += len(futures[future])
            bar.update(completed=done, status=futures[future][-1].label)
    log.info("built the records of %d tasks in %.1f s", len(missing), time.perf_counter() - started)


def _bundles(tasks: list[Task], data_dir: Path | None) -> list[list[Task]]:
    """``tasks`` grouped by the data files they read, largest data first."""
    bundles: dict[frozenset[str], list[Task]] = {}
    for task in tasks:
        bundles.setdefault(frozenset(task.data_files), []).append(task)
    root = data_dir or Path("/")

    def size(files: frozenset[str]) -> int:  # tasks without files (generated programs) count as 1 MB
        return sum((root / name).stat().st_size for name in files if (root / name).is_file()) or 1 << 20

    return [bundles[files] for files in sorted(bundles, key=size, reverse=True)]


def build(tasks: list[tuple[dict[str, Any], str | None]], data_dir: Path | None, summaries: Sequence[str]) -> list[str | None]:
    """In a worker: build each task (its identity, its task file) and cache its records and
    ``summaries``; per task None, or the error's text (the caller reports it as it would have
    without workers)."""
    return [_build_one(identity, origin, data_dir, summaries) for identity, origin in tasks]


def _build_one(identity: dict[str, Any], origin: str | None, data_dir: Path | None, summaries: Sequence[str]) -> str | None:
    try:
        if origin is not None:
            TASKS.load_file(origin)
        task = TASKS.task_for(identity)
        load(task, data_dir)
        for kind in summaries:
            SUMMARISE[kind](task, data_dir)
    except Exception as err:  # noqa: BLE001 - any failure is the caller's to report, from its own process
        return f"{type(err).__name__}: {err}"
    return None
