"""Running a plan's stages in dependency order, locally, reusing every complete stage."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from codestilts.errors import UserError
from codestilts.parallel import process_state
from codestilts.plan import Plan, Stage
from codestilts.progress import log, stage_log
from codestilts.stages import RUNNERS, StageContext
from codestilts.stages.common import RESUME

KEEP_ON_RESTART = (RESUME, "tb", "log.txt")
"""What a restarted stage keeps of an interrupted attempt: its checkpoint to resume from, its logs."""
from codestilts.store import Store


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


TRAINED = ("pretrain", "intermediate", "target")
"""Stage kinds every process runs (data parallel training); the main process alone runs the rest."""


def run_stage(stage: Stage, store: Store, data_dir: Path | None) -> None:
    """Run one stage into its folder; it is marked complete only after every output is written.

    Under ``accelerate launch`` every process calls this; only the main process writes the store.
    """
    state = process_state()
    folder = store.stage(stage.id)
    if state.is_main_process:
        folder.begin(stage.describe(), keep=KEEP_ON_RESTART)
    state.wait_for_everyone()
    context = StageContext(stage=stage, dir=folder, parents={p: store.stage(p) for p in stage.parents}, data_dir=data_dir)
    if state.is_main_process:
        with stage_log(folder / "log.txt"):
            RUNNERS[stage.kind](context)
        folder.complete()
    elif stage.kind in TRAINED:
        RUNNERS[stage.kind](context)
    state.wait_for_everyone()


def execute(plan: Plan, store: Store) -> RunSummary:
    summary = RunSummary()
    unavailable: set[str] = set()
    for index, stage in enumerate(plan.stages, start=1):
        folder = store.stage(stage.id)
        if folder.is_complete():
            summary.reused.append(stage.id)
            continue
        if unavailable.intersection(stage.parents):
            summary.blocked.append(stage.id)
            unavailable.add(stage.id)
            continue
        log.info("[%d/%d] %s", index, len(plan.stages), stage.id)
        try:
            run_stage(stage, store, plan.data_dir)
        except UserError as err:
            if process_state().is_main_process:
                folder.fail(err.render(), "")
            raise UserError(err.message, where=err.where or f"stage {stage.id}", hint=err.hint) from None
        except Exception as err:  # a stage's crash is recorded and does not stop independent stages
            if process_state().is_main_process:
                folder.fail(f"{type(err).__name__}: {err}", traceback.format_exc())
            log.error("stage %s failed: %s: %s", stage.id, type(err).__name__, err)
            summary.failed[stage.id] = f"{type(err).__name__}: {err}"
            unavailable.add(stage.id)
            continue
        summary.ran.append(stage.id)
    return summary
