"""The Ray executor: every stage that must run becomes a Ray task, with the CPUs and GPUs the
config's ``resources:`` gives its kind, started once the stages it depends on have finished.

Stages exchange nothing but folders in the store, so on a cluster the output folder must be on
storage every node shares (NFS, a mounted bucket); each node needs codestilts installed and the
data folder at the same path. The driver drops the checkpoints retention lets go as the stages'
results come in (in plan order: a checkpoint goes at the latest once its last child's result is in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codestilts.config import ResourceConfig
from codestilts.errors import UserError
from codestilts.executor import (
    ExecutionOptions,
    RunSummary,
    attempt,
    decide_all,
    earlier_failure,
)
from codestilts.plan import Plan, Stage
from codestilts.retention import Retention
from codestilts.store import Store

StageOutcome = tuple[str, str]
"""("ok" | "failed" | "blocked" | "user_error", message)."""


def _run_remote(
    described: dict[str, Any], parent_kinds: dict[str, str], out: str, data_dir: str | None, task_files: list[str], *parents: StageOutcome
) -> StageOutcome:
    """Body of one Ray task: run a stage unless a stage it depends on did not succeed."""
    if any(outcome[0] != "ok" for outcome in parents):
        return ("blocked", "")
    from codestilts.progress import setup_logging
    from codestilts.tasks import TASKS

    setup_logging()
    for path in task_files:
        TASKS.load_file(path)
    stage = Stage(
        kind=described["kind"],
        id=described["id"],
        params=described["params"],
        parents=tuple(described["parents"]),
        labels=described["labels"],
    )
    try:
        error = attempt(stage, Store(Path(out)), Path(data_dir) if data_dir else None, parent_kinds)
    except UserError as err:
        return ("user_error", err.render())
    return ("ok", "") if error is None else ("failed", error)


def execute_on_ray(plan: Plan, store: Store, options: ExecutionOptions, address: str | None = None) -> RunSummary:
    try:
        import ray
    except ImportError:
        raise UserError("the Ray executor needs Ray", hint="pip install 'codestilts[ray]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=True)
        except ConnectionError as err:
            raise UserError(f"cannot reach the Ray cluster at {address}: {err}") from None
    remote = ray.remote(_run_remote)
    resources: dict[str, ResourceConfig] = plan.config.resources
    summary = RunSummary()
    pending: dict[str, Any] = {}
    decisions = decide_all(plan, store, options)
    retention = Retention(plan, store, decisions)
    for stage in plan.stages:
        decision = decisions[stage.id]
        if decision == "reuse":
            summary.reused.append(stage.id)
            pending[stage.id] = ("ok", "")
        elif decision == "failed":
            summary.failed[stage.id] = earlier_failure(stage, store)
            pending[stage.id] = ("failed", summary.failed[stage.id])
        else:
            need = resources.get(stage.kind, ResourceConfig())
            pending[stage.id] = remote.options(num_cpus=need.cpus, num_gpus=need.gpus, max_retries=0).remote(
                stage.describe(),
                plan.parent_kinds(stage),
                str(store.out),
                str(plan.data_dir) if plan.data_dir else None,
                list(plan.config.task_files),
                *[pending[p] for p in stage.parents],
            )
    user_errors = []
    for stage in plan.stages:
        ref = pending[stage.id]
        if isinstance(ref, tuple):
            continue
        status, message = ray.get(ref)
        if status == "ok":
            summary.ran.append(stage.id)
            retention.finished(stage.id)
        elif status == "blocked":
            summary.blocked.append(stage.id)
        else:
            summary.failed[stage.id] = message
            if status == "user_error":
                user_errors.append(message)
    if user_errors:
        raise UserError(user_errors[0])
    return summary
