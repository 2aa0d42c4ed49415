"""Shared helpers for the execution tests (imported as a module: tests/ has no package): skip rules
and a one-call runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codestilts.data import resolve_data_dir
from codestilts.execution.runner import run_program, runner_for
from codestilts.execution.sandbox import Limits, bwrap_path, slot_processes

DATA = resolve_data_dir() or Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""The real data folder: CODESTILTS_DATA, else ../shared/data beside the repository (conftest.py sets
CODESTILTS_DATA to it for these tests)."""
TEST_SLOT = 7  # uid 60007 when run as root: apart from the slots a parallel exec-eval uses


def bwrap_works() -> str | None:
    """None when bubblewrap can create a sandbox here, else why not."""
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed (scripts/install-toolchains.sh)"
    from codestilts.execution.sandbox import Step, run_sandboxed

    res = run_sandboxed([Step("run", ("true",), Limits(wall_s=10))], {}, env={"PATH": "/usr/bin:/bin"})
    return f"bubblewrap cannot create a sandbox here: {res.sandbox_error}" if res.sandbox_error else None


_BWRAP_REASON = bwrap_works()
needs_bwrap = pytest.mark.skipif(_BWRAP_REASON is not None, reason=_BWRAP_REASON or "")


def needs_language(name: str):
    reason = runner_for(name).missing()
    return pytest.mark.skipif(reason is not None, reason=f"{name}: {reason}")


def needs_tool(tool: str):
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} not installed")


def needs_data(*parts: str):
    path = DATA.joinpath("code", *parts)
    return pytest.mark.skipif(not path.exists(), reason=f"data folder absent: {path} (set CODESTILTS_DATA)")


def run(language: str, program, timeout: float = 5.0, slot: int = TEST_SLOT, limits_memory_mb: int = 1024, **kw):
    """``program``: a Source (program + tests) or a string of trusted test code."""
    limits = Limits(wall_s=timeout, cpu_s=max(1, int(timeout)), memory_mb=limits_memory_mb)
    return run_program(program, language, limits=limits, slot=slot, **kw)


def processes_with_marker(marker: str) -> list[int]:
    """Host processes whose command line or environment mentions ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        for name in ("cmdline", "environ"):
            try:
                with open(f"/proc/{entry}/{name}", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(entry))
                        break
            except OSError:
                continue
    return found


def assert_nothing_left(marker: str | None = None, slot: int = TEST_SLOT) -> None:
    assert slot_processes(slot) == []
    if marker:
        assert processes_with_marker(marker) == []
