"""Progress display for long work, on stderr (results go to files, never to the terminal only)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)
log = logging.getLogger("codestilts")


def setup_logging(verbose: bool = False) -> None:
    if not log.handlers:
        log.addHandler(RichHandler(console=console, show_path=False, show_time=False))
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


class _StageLogHandler(logging.FileHandler):
    """A stage's log file. A line that cannot be written for want of disk (full, read-only) raises
    its OSError in the stage, which then stops with one message naming the stage, instead of
    logging's printed traceback and a stage that runs on without its log."""

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            raise error
        super().handleError(record)


@contextmanager
def stage_log(path) -> Iterator[None]:
    """Also write codestilts' log lines to ``path`` (a stage's ``log.txt``) while inside the block."""
    handler = _StageLogHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        handler.close()


_live: Progress | None = None
"""The display in use: a grid's, which a stage's bar joins, so that one display shows both."""


def _new_progress(transient: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        disable=not sys.stderr.isatty(),
    )


@dataclass
class Bar:
    """One line of the display: ``update(completed=..., status=...)``."""

    progress: Progress
    task: TaskID

    def update(self, **fields) -> None:
        self.progress.update(self.task, **fields)


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Bar]:
    """A bar with steps, rate, elapsed time and ETA; ``status`` shows e.g. the current loss.

    Inside :func:`grid_progress` the bar is a line of the grid's display, removed when done.
    """
    global _live
    if _live is not None:
        task = _live.add_task(description, total=total, status="")
        try:
            yield Bar(_live, task)
        finally:
            _live.remove_task(task)
        return
    with _new_progress(transient=True) as progress:
        yield Bar(progress, progress.add_task(description, total=total, status=""))


@contextmanager
def grid_progress(total: int) -> Iterator[Bar]:
    """The whole run's display: one line counting stages, with each running stage's bar below."""
    global _live
    with _new_progress(transient=False) as progress:
        _live = progress
        try:
            yield Bar(progress, progress.add_task("stages", total=total, status=""))
        finally:
            _live = None
