"""A benchmark problem: what a completion continues and the tests that judge it (read by
:mod:`codestilts.execution.benchmarks`, kept by generation tasks' records)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    benchmark: str
    task_id: str
    language: str  # canonical codestilts language name
    prompt: str
    test: str
    entry_point: str = ""
    canonical_solution: str | None = None
    buggy_solution: str | None = None
    declaration: str = ""
    test_setup: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
