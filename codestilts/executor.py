"""Running a plan's stages in dependency order, locally, reusing every complete stage."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from codestilts.errors import UserError
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


def run_stage(stage: Stage, store: Store, data_dir: Path | None) -> None:
    """Run one stage into its folder; it is marked complete only after every output is written."""
    folder = store.stage(stage.id)
    folder.begin(stage.describe(), keep=KEEP_ON_RESTART)
    context = StageContext(stage=stage, dir=folder, parents={p: store.stage(p) for p in stage.parents}, data_dir=data_dir)
    with stage_log(folder / "log.txt"):
        RUNNERS[stage.kind](context)
    folder.complete()


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
            folder.fail(err.render(), "")
            raise UserError(err.message, where=err.where or f"stage {stage.id}", hint=err.hint) from None
        except Exception as err:  # a stage's crash is recorded and does not stop independent stages
            folder.fail(f"{type(err).__name__}: {err}", traceback.format_exc())
            log.error("stage %s failed: %s: %s", stage.id, type(err).__name__, err)
            summary.failed[stage.id] = f"{type(err).__name__}: {err}"
            unavailable.add(stage.id)
            continue
        summary.ran.append(stage.id)
    return summary
