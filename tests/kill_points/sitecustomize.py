"""Test-only: SIGKILL this process at a chosen point of a run (tests/test_crash_safety.py).

Put this folder first on PYTHONPATH and set ``CODESTILTS_KILL_AT=KIND:N``: the process kills itself
with SIGKILL at the N-th event of that kind, counted from its start:

- ``step``: an optimizer step (mid-training);
- ``checkpoint``: a resumable checkpoint's best weights, half written;
- ``write``: any atomic file write of the store, half written, before its rename;
- ``report``: an atomic write of the report (results.csv, report.md, figures, ...), half written;
- ``drop``: a checkpoint that retention drops, half its files removed (its manifest already says
  it is dropped); a drop that only removes the leftovers of an earlier one is not counted.

Nothing here is imported by the library; without the variable this module does nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

KIND, _, COUNT = os.environ.get("CODESTILTS_KILL_AT", "").partition(":")
seen = 0


def _reached(*kinds: str) -> bool:
    """Count one event (of any of ``kinds``); True at the chosen one."""
    global seen
    if KIND not in kinds:
        return False
    seen += 1
    return seen == int(COUNT)


def _die(torn: Path | None = None) -> None:
    """SIGKILL this process, after cutting ``torn`` to half its size (a write the kill interrupted)."""
    if torn is not None:
        with torn.open("r+b") as handle:
            handle.truncate(torn.stat().st_size // 2)
    os.kill(os.getpid(), signal.SIGKILL)


def _install() -> None:
    from codestilts import store
    from codestilts.training import loop, sampling

    real_atomic_path, real_save_file, real_draw = store.atomic_path, loop.save_file, sampling.TaskSampler.draw
    real_drop = store.StageDir.drop_checkpoint

    @contextmanager
    def atomic_path(path: Path):
        with real_atomic_path(path) as tmp:
            yield tmp
            in_report = "stages" not in path.parts and path.name != "plan.json"
            if _reached("write", *(["report"] if in_report else [])):
                _die(tmp)

    def save_file(tensors, filename, *args, **kwargs):
        real_save_file(tensors, filename, *args, **kwargs)
        if _reached("checkpoint"):
            _die(Path(filename))

    def draw(self) -> int:
        if _reached("step"):
            _die()
        return real_draw(self)

    def remove_half_then_die(path: Path, *args, **kwargs) -> None:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file())
        for file in files[: len(files) // 2]:
            file.unlink()
        _die()

    def drop_checkpoint(self) -> None:
        if not self.checkpoint_dropped() and _reached("drop"):
            shutil.rmtree = remove_half_then_die
        real_drop(self)

    store.atomic_path, loop.save_file, sampling.TaskSampler.draw = atomic_path, save_file, draw
    store.StageDir.drop_checkpoint = drop_checkpoint


if KIND:
    _install()
