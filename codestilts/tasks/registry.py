"""The task registry: every task a run can name, by name.

:data:`TASKS` holds the built-in tasks (each task module lists its own in a ``TASKS`` tuple, read
here: importing a task module registers nothing), the tasks of YAML task files once loaded
(:meth:`Registry.load_file`), and the named mixtures (:mod:`codestilts.tasks.mixtures`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from codestilts.errors import UserError
from codestilts.tasks import code_generation, codexglue, crux, humaneval, humaneval_package, mbxp, nl, syntax_roles, synth, unlabelled
from codestilts.tasks.base import Task, TaskOptions
from codestilts.tasks.mixtures import MIXTURES
from codestilts.tasks.taskfile import read_task_file

BUILT_IN = (nl, humaneval, humaneval_package, mbxp, code_generation, crux, codexglue, syntax_roles, unlabelled, synth)
"""The modules whose ``TASKS`` are built in."""


class Registry:
    """Tasks by name, and named mixtures of them."""

    def __init__(self, tasks: Iterable[Task] = (), mixtures: Mapping[str, tuple[str, ...]] | None = None):
        self._tasks: dict[str, Task] = {}
        self.mixtures = dict(mixtures or {})
        for task in tasks:
            self.add(task)

    def add(self, task: Task) -> Task:
        """Register ``task``; a name is registered once, except by the task file that defined it,
        which may be loaded again (its new definition replaces the old)."""
        existing = self._tasks.get(task.name)
        if existing is not None and (existing.origin is None or existing.origin != task.origin):
            where = "built in" if existing.origin is None else f"by {existing.origin}"
            raise UserError(f"task {task.name!r} is already defined ({where})", where=task.origin)
        self._tasks[task.name] = task
        return task

    def load_file(self, path: str | Path, *, where: str | None = None) -> Task:
        """Read, validate and register the task that the YAML file ``path`` defines."""
        return self.add(read_task_file(path, where=where))

    def get(self, name: str, *, where: str | None = None) -> Task:
        """The task called ``name``; an unknown name is a user error with the closest known names."""
        try:
            return self._tasks[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._tasks, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "run `codestilts tasks` for the list"
            raise UserError(f"unknown task {name!r}", where=where, hint=hint) from None

    def all(self) -> list[Task]:
        return sorted(self._tasks.values(), key=lambda t: t.name)

    def task_for(self, identity: Mapping[str, Any]) -> Task:
        """The task a stage's ``identity`` (see :meth:`Task.identity`) names, with its options."""
        task = self.get(identity["name"]).with_options(TaskOptions(**identity.get("options", {})))
        return task.from_source(identity.get("source", "local"))

    def mixture(self, name: str) -> tuple[str, ...] | None:
        """The registered members of the mixture ``name``; None when ``name`` is no mixture."""
        if name not in self.mixtures:
            return None
        return tuple(t for t in self.mixtures[name] if t in self._tasks)


TASKS = Registry((task for module in BUILT_IN for task in module.TASKS), MIXTURES)
