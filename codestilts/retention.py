"""Checkpoint retention: a trained stage's ``checkpoint/`` goes once no stage of the plan needs it.

The config's ``retention:`` says which trained stage kinds drop theirs. A stage's checkpoint is read
only by its children in the plan, so it is dropped once the stage and every child of it have
finished in this run (or were complete and reused), and never while a child is pending, running,
failed or blocked. The store keeps the stage complete, with its metrics and logs, and records the
drop (:meth:`codestilts.store.StageDir.drop_checkpoint`); a later run that needs the checkpoint
runs the stage again first (:func:`codestilts.executor.send_back`). Both executors use
:class:`Retention`.
"""

from __future__ import annotations

from collections.abc import Mapping

from codestilts.parallel import process_state
from codestilts.plan import Plan
from codestilts.progress import log
from codestilts.store import CHECKPOINT, Store


class Retention:
    """Drops checkpoints as stages finish; ``decisions``: the executor's, whose reused stages have
    finished already. Only the main process of a data-parallel run writes the store, so only it
    drops."""

    def __init__(self, plan: Plan, store: Store, decisions: Mapping[str, str]):
        self._store = store
        self._dropping = {s.id for s in plan.stages if plan.config.retention.drops(s.kind)}
        self._parents: Mapping[str, tuple[str, ...]] = {s.id: s.parents for s in plan.stages}
        self._children: dict[str, list[str]] = {s.id: [] for s in plan.stages}
        for stage in plan.stages:
            for parent in stage.parents:
                self._children[parent].append(stage.id)
        self._finished = {stage_id for stage_id, decision in decisions.items() if decision == "reuse"}
        for stage_id in list(self._finished):
            self._release(stage_id)

    def finished(self, stage_id: str) -> None:
        """``stage_id`` has run and is complete: its checkpoint, and its parents', may go now."""
        self._finished.add(stage_id)
        for candidate in (stage_id, *self._parents[stage_id]):
            self._release(candidate)

    def _release(self, stage_id: str) -> None:
        if stage_id not in self._dropping or stage_id not in self._finished or not process_state().is_main_process:
            return
        if not all(child in self._finished for child in self._children[stage_id]):
            return
        folder = self._store.stage(stage_id)
        if (folder / CHECKPOINT).exists():
            folder.drop_checkpoint()
            log.info("stage %s: checkpoint dropped (retention); every stage that reads it is complete", stage_id)
