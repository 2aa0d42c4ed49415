"""Tasks: the registry and the built-in tasks (imported here so that they register)."""

from codestilts.tasks import (  # noqa: F401  (registers the built-in tasks)
    codexglue,
    crux,
    humaneval,
    humaneval_package,
    mbxp,
    nl,
    syntax_roles,
    synth,
    unlabelled,
)
from codestilts.tasks.base import SPLITS, Task, TaskOptions
from codestilts.tasks.registry import all_tasks, check_data, get_task, load, records, task_for

__all__ = ["SPLITS", "Task", "TaskOptions", "all_tasks", "check_data", "get_task", "load", "records", "task_for"]
