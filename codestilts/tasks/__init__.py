"""Tasks: the registry of every task by name (:data:`TASKS`), and reading a task's records."""

from codestilts.tasks.base import SPLITS, Task, TaskOptions
from codestilts.tasks.loading import check_data, load, records
from codestilts.tasks.registry import TASKS, Registry
from codestilts.tasks.sizes import task_identity

__all__ = ["SPLITS", "TASKS", "Registry", "Task", "TaskOptions", "check_data", "load", "records", "task_identity"]
