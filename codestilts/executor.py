"""Running a plan's stages in dependency order, reusing every complete stage.

The local executor runs stages one after another in this process (or, under ``accelerate launch``
/ ``torchrun``, in every process of a data-parallel group); :mod:`codestilts.ray_executor` spreads
them over a Ray cluster. Both decide what to run the same way (:func:`decide_all`), run a stage the
same way (:func:`attempt`) and drop checkpoints no stage needs the same way
(:class:`codestilts.retention.Retention`).
"""

from __future__ import annotations

import fnmatch
import shutil
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codestilts.errors import UserError, environment_error
from codestilts.parallel import process_state
from codestilts.plan import Plan, Stage
from codestilts.progress import Bar, grid_progress, log, stage_log
from codestilts.retention import Retention
from codestilts.stages import RUNNERS, StageContext
from codestilts.stages.common import RESUME
from codestilts.store import TIMING, Store, is_sealed, write_json

KEEP_ON_RESTART = (RESUME, "tb", "log.txt")
"""What a restarted stage keeps of an interrupted attempt: its checkpoint to resume from (if its
seal matches), its logs."""

TRAINED = ("pretrain", "intermediate", "target")
"""Stage kinds every process runs (data parallel training); the main process alone runs the rest."""

Decision = Literal["reuse", "run", "failed"]


@dataclass(frozen=True)
class ExecutionOptions:
    retry_failed: bool = False
    """Run stages that failed before; by default they stay failed and block their dependents."""
    force: tuple[str, ...] = ()
    """Glob patterns of stage ids to run again even though they are complete."""


@dataclass
class RunSummary:
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    """Stages not run because a stage they depend on failed."""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.blocked

    def counts(self) -> str:
        return f"{len(self.ran)} ran, {len(self.reused)} reused, {len(self.failed)} failed, {len(self.blocked)} blocked"


def decide(stage: Stage, store: Store, options: ExecutionOptions) -> Decision:
    folder = store.stage(stage.id)
    if any(fnmatch.fnmatch(stage.id, pattern) for pattern in options.force):
        return "run"
    status = folder.status()
    if status == "done":
        return "reuse"
    if status == "failed" and not options.retry_failed:
        return "failed"
    return "run"


def decide_all(plan: Plan, store: Store, options: ExecutionOptions) -> dict[str, Decision]:
    """Every stage's decision, with the reused stages that cannot serve a running stage sent back
    to run (:func:`send_back`, deep: the checksums of their checkpoints too)."""
    decisions = {stage.id: decide(stage, store, options) for stage in plan.stages}
    for stage_id, reason in send_back(plan, store, decisions, deep=True).items():
        log.warning("stage %s: %s; running it again", stage_id, reason)
    return decisions


def send_back(plan: Plan, store: Store, decisions: dict[str, Decision], *, deep: bool) -> dict[str, str]:
    """Send a reused stage that a running stage reads back to "run" (in ``decisions``) when it
    cannot serve: retention dropped its checkpoint, or (``deep``) a file of it, its checkpoint's
    checksums included, no longer matches its manifest. Returns why, by stage id: the one rule of
    both executors and of ``codestilts plan``."""
    reasons: dict[str, str] = {}
    verified: set[str] = set()
    for stage in reversed(plan.stages):  # children first: a parent sent back to "run" is seen later
        if decisions[stage.id] != "run":
            continue
        for parent in stage.parents:
            if decisions[parent] != "reuse" or parent in verified:
                continue
            folder = store.stage(parent)
            if folder.checkpoint_dropped():
                reasons[parent] = f"its checkpoint was dropped (retention) and {stage.id} reads it"
            elif deep and (wrong := folder.verify(deep=True)):
                reasons[parent] = f"{', '.join(wrong[:3])} no longer match its manifest"
            else:
                verified.add(parent)
                continue
            decisions[parent] = "run"
    return reasons


def discard_unsealed_checkpoint(folder: Path) -> None:
    """Remove a kept checkpoint whose seal is missing or does not match: a resumed run never loads a
    torn or corrupt checkpoint; the stage starts from the beginning instead."""
    if folder.is_dir() and not is_sealed(folder):
        log.warning("%s does not match its manifest; the stage starts again from the beginning", folder)
        shutil.rmtree(folder)


def run_stage(stage: Stage, store: Store, data_dir: Path | None, parent_kinds: Mapping[str, str]) -> None:
    """Run one stage into its folder; it is marked complete only after every output is written.
    ``parent_kinds``: the stage kind of each parent, by id.

    Under ``accelerate launch`` every process calls this; only the main process writes the store,
    its wall time included (:data:`TIMING`).
    """
    state = process_state()
    folder = store.stage(stage.id)
    if state.is_main_process:
        folder.begin(stage.describe(), keep=KEEP_ON_RESTART)
        discard_unsealed_checkpoint(folder / RESUME)
    state.wait_for_everyone()
    parents = {parent_kinds[p]: store.stage(p) for p in stage.parents}
    context = StageContext(stage=stage, dir=folder, parents=parents, data_dir=data_dir)
    if state.is_main_process:
        started = time.monotonic()
        with stage_log(folder / "log.txt"):
            RUNNERS[stage.kind](context)
        write_json(folder / TIMING, {"wall_seconds": round(time.monotonic() - started, 3)})
        folder.complete()
    elif stage.kind in TRAINED:
        RUNNERS[stage.kind](context)
    state.wait_for_everyone()


def attempt(stage: Stage, store: Store, data_dir: Path | None, parent_kinds: Mapping[str, str]) -> str | None:
    """Run a stage; a crash is recorded in its folder and returned (None when it succeeded).

    A :class:`UserError` (bad data, say) is recorded too, then raised: it stops the whole run. A
    full or read-only disk and exhausted memory stop the run as well, as a :class:`UserError` naming
    the stage, but are not recorded: the stage is left pending, to run once the machine is fixed.
    """
    folder = store.stage(stage.id)
    main = process_state().is_main_process
    try:
        run_stage(stage, store, data_dir, parent_kinds)
    except UserError as err:
        if main:
            folder.fail(err.render(), "")
        raise UserError(err.message, where=err.where or f"stage {stage.id}", hint=err.hint) from None
    except Exception as err:
        problem = environment_error(err, f"stage {stage.id}")
        if problem is not None:
            raise problem from None
        # any other crash is recorded and does not stop independent stages
        if main:
            folder.fail(f"{type(err).__name__}: {err}", traceback.format_exc())
        log.error("stage %s failed: %s: %s", stage.id, type(err).__name__, err)
        return f"{type(err).__name__}: {err}"
    return None


def earlier_failure(stage: Stage, store: Store) -> str:
    failure = store.stage(stage.id).failure() or {}
    return f"{failure.get('error', 'failed')} (an earlier run; --retry-failed runs it again)"


def execute(plan: Plan, store: Store, options: ExecutionOptions = ExecutionOptions()) -> RunSummary:
    """The local executor: every stage in plan order, in this process, with one display for all."""
    with grid_progress(len(plan.stages)) as bar:
        return _execute(plan, store, options, bar)


def _execute(plan: Plan, store: Store, options: ExecutionOptions, bar: Bar) -> RunSummary:
    summary = RunSummary()
    unavailable: set[str] = set()
    decisions = decide_all(plan, store, options)
    retention = Retention(plan, store, decisions)
    for index, stage in enumerate(plan.stages, start=1):
        bar.update(completed=index - 1, status=summary.counts())
        decision = decisions[stage.id]
        if decision == "reuse":
            summary.reused.append(stage.id)
        elif unavailable.intersection(stage.parents):
            summary.blocked.append(stage.id)
            unavailable.add(stage.id)
        elif decision == "failed":
            summary.failed[stage.id] = earlier_failure(stage, store)
            unavailable.add(stage.id)
        else:
            log.info("[%d/%d] %s", index, len(plan.stages), stage.id)
            error = attempt(stage, store, plan.data_dir, plan.parent_kinds(stage))
            if error is None:
                summary.ran.append(stage.id)
                retention.finished(stage.id)
            else:
                summary.failed[stage.id] = error
                unavailable.add(stage.id)
    bar.update(completed=len(plan.stages), status=summary.counts())
    return summary
