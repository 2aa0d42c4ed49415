"""Progress display for long work, on stderr (results go to files, never to the terminal only)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
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


@contextmanager
def stage_log(path) -> Iterator[None]:
    """Also write codestilts' log lines to ``path`` (a stage's ``log.txt``) while inside the block."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        handler.close()


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Progress]:
    """A bar with steps, rate, elapsed time and ETA; ``fields`` show e.g. the current loss."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with bar:
        bar.add_task(description, total=total, status="")
        yield bar
