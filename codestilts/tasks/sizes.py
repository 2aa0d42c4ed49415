"""How many records each split of a task has, per language, cached on disk.

Loading every built-in task (tree-sitter cleaning, clone rewrites, token tagging) takes many
seconds; ``codestilts tasks`` only needs the counts. They are kept in
``$CODESTILTS_CACHE/sizes`` under a digest of the task's identity, its data files (path, size,
modification time) and the source of the task loaders, so that new data or changed loaders are
counted again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from codestilts.cache_home import cache_home
from codestilts.progress import log
from codestilts.store import read_json, write_json
from codestilts.tasks.base import SPLITS, Task
from codestilts.tasks.registry import load

Sizes = dict[str, dict[str, int]]
"""language -> split -> number of records"""


@cache
def _loaders_digest() -> str:
    """A digest of the task package's source: a changed loader must be counted again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _entry(task: Task, data_dir: Path | None) -> Path | None:
    """The cache file of ``task``'s sizes; None when there is no cache or the data is not in files."""
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
    return home / "sizes" / f"{task.name}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"


def task_sizes(task: Task, data_dir: Path | None) -> Sizes:
    """The number of records per language and split, counted once per task, data and loader code."""
    entry = _entry(task, data_dir)
    if entry is not None and entry.is_file():
        return read_json(entry)
    data = load(task, data_dir)
    sizes = {language: {split: len(per.get(split, [])) for split in SPLITS} for language, per in data.items()}
    if entry is not None:
        try:
            write_json(entry, sizes)
        except OSError as err:  # like the features cache: a full or read-only disk costs a recount, nothing more
            log.warning("could not cache the sizes of %s in %s: %s", task.name, entry.parent, err)
    return sizes
