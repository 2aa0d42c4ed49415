"""What a task's records depend on, and the disk cache that keeps them between processes.

Building a task's records can take seconds (tree-sitter cleaning, clone rewrites, token tagging,
generated programs run once), and every process that reads a task (``codestilts tasks``, ``plan``,
each stage) would build them again. Records and their summaries (:mod:`codestilts.tasks.sizes`) are
kept in ``$CODESTILTS_CACHE/<kind>`` under a key of everything that decides them:

- the task's identity (name, format, options, data source, the digest of its task file);
- its data files (a task file's own among them): path, size and modification time;
- the installed versions of the packages whose files it reads (:attr:`Task.packages`);
- the source of the code that reads and cleans records (:data:`LOADER_SOURCES`), the versions of
  the tree-sitter grammars it parses with, and the Python version (generated programs are run).

A task that reads the Hub (``data_source: hf``, a task file's ``hf:``), or whose data file is
missing, is not cached. The records cache holds
one entry per task variant: writing one removes that variant's entries of older keys. Entries are
pickles: the cache is the user's own folder, trusted like the run folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from codestilts.cache_home import cache_home
from codestilts.languages import LANGUAGES
from codestilts.progress import log
from codestilts.tasks.base import Task, TaskData

FileStat = tuple[str, int, int]
"""A data file's path, size and modification time (ns): what tells a changed file from the one read before."""

LOADER_SOURCES = ("tasks", "formats", "synth", "data.py", "languages.py", "schema.py")
"""The parts of the package that decide a task's records besides its data files."""

RECORDS = "records"
"""The cache folder of the records themselves."""


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
def loaders_digest() -> str:
    """A digest of the loaders' source, the grammars they parse with and the Python that runs them."""
    grammars = sorted({lang.grammar.module for lang in LANGUAGES if lang.grammar is not None})
    return json.dumps(
        [source_digest(Path(__file__).parents[1]), [f"{module} {installed(module)}" for module in grammars], sys.version]
    )


@cache
def installed(distribution: str) -> str:
    """The installed version of ``distribution`` (a grammar module's name will do), or ``absent``;
    looked up once per process (every cache key of a task that reads a package asks for it)."""
    try:
        return version(distribution.replace("_", "-"))
    except PackageNotFoundError:
        return "absent"


def file_stats(task: Task, root: Path) -> tuple[FileStat, ...] | None:
    """The state of every data file of ``task`` under ``root``; None when one is missing or the
    task reads the Hub."""
    if task.source != "local":
        return None
    stats = []
    for name in task.data_files:
        path = root / name  # a task file's paths are absolute: root does not change them
        if not path.is_file():
            return None
        stat = path.stat()
        stats.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


def cache_key(task: Task, data_dir: Path | None) -> str | None:
    """The key of ``task``'s records read from ``data_dir``; None when they cannot be keyed (the Hub,
    a missing data file). A built-in task without data files (generated programs, an installed
    package) is keyed by its code and packages."""
    files = file_stats(task, data_dir or Path("/"))
    if files is None or (task.origin is not None and not files):
        return None  # a task file without data files reads the Hub
    packages = [f"{name} {installed(name)}" for name in task.packages]
    key = json.dumps([task.identity(), files, packages, loaders_digest()], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def entry(task: Task, data_dir: Path | None, kind: str, suffix: str = ".json") -> Path | None:
    """The cache file of ``task``'s ``kind``; None when caching is off or the records cannot be keyed."""
    home = cache_home()
    key = cache_key(task, data_dir) if home is not None else None
    return None if key is None else home / kind / f"{_file_name(task)}-{key}{suffix}"


def _file_name(task: Task) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", task.label)


def cached_records(task: Task, data_dir: Path | None) -> TaskData | None:
    """``task``'s records from the cache; None when they are not there (or not readable)."""
    path = entry(task, data_dir, RECORDS, ".pickle")
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as err:  # a torn or outdated entry is built again
        log.warning("could not read the cached records of %s from %s: %s", task.label, path, err)
        return None


def keep_records(task: Task, data_dir: Path | None, data: TaskData) -> None:
    """Cache ``task``'s records, replacing the entries of the same task variant under older keys."""
    path = entry(task, data_dir, RECORDS, ".pickle")
    if path is None:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        for older in path.parent.glob(f"{_file_name(task)}-*.pickle"):
            if older != path and re.fullmatch(rf"{re.escape(_file_name(task))}-[0-9a-f]{{20}}\.pickle", older.name):
                older.unlink(missing_ok=True)
    except OSError as err:  # like the features cache: a full or read-only disk costs a rebuild, nothing more
        partial.unlink(missing_ok=True)
        log.warning("could not cache the records of %s in %s: %s", task.label, path.parent, err)
