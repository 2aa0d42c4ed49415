"""Which family each intermediate option belongs to, read from plan.json.

The report groups options as the paper's tables do: the no-intermediate baseline, single NL tasks,
single code tasks, mixtures of several tasks, and the study's two baselines (continued MLM and
translated intermediate data). The code-versus-NL comparison uses the single-task groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from codestilts.config import NONE
from codestilts.errors import UserError
from codestilts.languages import is_natural


class Group(StrEnum):
    NONE = "none"
    NL = "nl"
    CODE = "code"
    MIXTURE = "mixture"
    BASELINE = "baseline"


GROUP_TITLES = {
    Group.NONE: "no intermediate task",
    Group.NL: "NL tasks",
    Group.CODE: "code tasks",
    Group.MIXTURE: "mixtures",
    Group.BASELINE: "baselines",
}


@dataclass(frozen=True)
class OptionInfo:
    name: str
    group: Group
    tasks: tuple[str, ...]


def registry_languages(task: str) -> tuple[str, ...] | None:
    """A task's languages from the task registry (for runs whose plan.json predates ``tasks``)."""
    from codestilts.tasks import TASKS

    try:
        return TASKS.get(task).languages
    except UserError:
        return None


def _group(tasks: tuple[str, ...], params: Mapping[str, Any], languages: Callable[[str], tuple[str, ...] | None]) -> Group:
    if params.get("mlm") or params.get("translate_train"):
        return Group.BASELINE
    if len(tasks) != 1:
        return Group.MIXTURE
    known = languages(tasks[0])
    return Group.NL if known is not None and is_natural(known) else Group.CODE


def option_groups(plan: Mapping[str, Any]) -> dict[str, OptionInfo]:
    """Every intermediate option of the run, in the config's order, with its group.

    A task's languages come from plan.json's ``tasks`` map (task name -> languages), else from the
    registry; a task known to neither counts as code.
    """
    recorded: Mapping[str, list[str]] = plan.get("tasks", {})

    def languages(task: str) -> tuple[str, ...] | None:
        return tuple(recorded[task]) if task in recorded else registry_languages(task)

    params_of = {
        stage["labels"]["intermediate"]: stage["params"] for stage in plan["stages"] if stage["kind"] == "intermediate"
    }
    options = {}
    for name in plan["intermediate"]:
        if name == NONE:
            options[name] = OptionInfo(name, Group.NONE, ())
            continue
        params = params_of.get(name, {"tasks": []})
        tasks = tuple(t["name"] for t in params["tasks"])
        options[name] = OptionInfo(name, _group(tasks, params, languages), tasks)
    return options


def in_group_order(options: Mapping[str, OptionInfo]) -> list[OptionInfo]:
    """Options sorted by group (none, NL, code, mixtures, baselines), config order within a group."""
    order = list(Group)
    return sorted(options.values(), key=lambda o: order.index(o.group))
