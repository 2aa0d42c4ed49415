"""Building the records of many tasks at once, over the machine's cores, before a plan or a task
listing reads them.

A plan needs every task's records digest and text fingerprints, ``codestilts tasks`` every task's
sizes; built one after another, a cold cache costs the sum of the tasks' build times. Here the
tasks not yet in the cache (:mod:`codestilts.tasks.cache`) are built by worker processes, each
caching the records and their summaries; the caller then reads them from the cache. Tasks that
read the same data files go to one worker, one after another, so that what they share (the
cleaned code of a benchmark, the generated programs) is worked out once; the largest data first.

A worker is a fresh ``python -m codestilts.tasks.prepare`` with the caller's import path, given
its tasks as JSON on stdin: it imports nothing of the caller's script (a script without a
``__main__`` guard, a notebook) and inherits none of its threads. A task that fails in a worker
(its data missing, a broken task file), or a worker that fails, is left to the caller, which
builds the task itself when it reads it and reports any error where it always does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
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


WORKER_BYTES = 4 << 20
"""The least data (a task without data files counting 1 MB) worth starting worker processes for:
below it, building in the caller costs less than starting Python and importing the registry twice."""


def prepare(tasks: Iterable[Task], data_dir: Path | None, summaries: Sequence[str], *, workers: int | None = None) -> None:
    """Cache the records and ``summaries`` (kinds of :data:`SUMMARISE`) of those ``tasks`` not cached
    yet, in up to ``workers`` processes (default: one per core, when the data comes to
    :data:`WORKER_BYTES`); nothing to do when the missing tasks fit in one worker."""
    missing = to_build(tasks, data_dir, summaries)
    bundles = _bundles(missing, data_dir)
    if workers is None and sum(size for _, size in bundles) < WORKER_BYTES:
        return
    workers = min(workers or os.cpu_count() or 1, len(bundles))
    if workers < 2:
        return
    log.info("building the records of %d tasks in %d processes (cached for later runs)", len(missing), workers)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool, progress_bar("tasks", len(missing)) as bar:
        futures = {pool.submit(_in_worker, bundle, data_dir, summaries): bundle for bundle, _ in bundles}
        done = 0
        for future in as_completed(futures):
            done += len(futures[future])
            bar.update(completed=done, status=futures[future][-1].label)
    log.info("built the records of %d tasks in %.1f s", len(missing), time.perf_counter() - started)


def _bundles(tasks: list[Task], data_dir: Path | None) -> list[tuple[list[Task], int]]:
    """``tasks`` grouped by the data files they read, with the bytes of those files; largest first."""
    bundles: dict[frozenset[str], list[Task]] = {}
    for task in tasks:
        bundles.setdefault(frozenset(task.data_files), []).append(task)
    root = data_dir or Path("/")

    def size(files: frozenset[str]) -> int:  # tasks without files (generated programs) count as 1 MB
        return sum((root / name).stat().st_size for name in files if (root / name).is_file()) or 1 << 20

    return sorted(((bundle, size(files)) for files, bundle in bundles.items()), key=lambda pair: pair[1], reverse=True)


def _in_worker(bundle: list[Task], data_dir: Path | None, summaries: Sequence[str]) -> None:
    """Build ``bundle`` in a worker process; what fails there is logged (the caller builds it again)."""
    job = {"tasks": [[task.identity(), task.origin] for task in bundle], "data_dir": data_dir and str(data_dir), "summaries": list(summaries)}
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    worker = subprocess.run(
        [sys.executable, "-m", __name__], input=json.dumps(job), capture_output=True, text=True, env=environment, check=False
    )
    if worker.returncode == 0:
        failures = json.loads(worker.stdout.splitlines()[-1])  # the last line: a loader may print
    else:
        failures = [worker.stderr.strip()[-500:] or f"exit code {worker.returncode}"] * len(bundle)
    for task, failure in zip(bundle, failures, strict=True):
        if failure:
            log.debug("building %s in a worker failed (%s); it is built again when read", task.label, failure)


def build(tasks: Sequence[tuple[dict[str, Any], str | None]], data_dir: Path | None, summaries: Sequence[str]) -> list[str | None]:
    """Build each task (its identity, its task file) and cache its records and ``summaries``; per
    task None, or the error's text."""
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


if __name__ == "__main__":
    request = json.load(sys.stdin)
    folder = Path(request["data_dir"]) if request["data_dir"] else None
    print(json.dumps(build([(identity, origin) for identity, origin in request["tasks"]], folder, request["summaries"])))
