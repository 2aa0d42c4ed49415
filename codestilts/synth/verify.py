"""Run rendered programs against their tests through the sandboxed runners of
:mod:`codestilts.execution`: one file per language holds many programs and all their tests, so a
language costs one compilation."""

from __future__ import annotations

from collections.abc import Sequence

from codestilts import languages
from codestilts.execution.runner import ProgramOutcome, run_program, runner_for
from codestilts.execution.sandbox import Limits, bwrap_path
from codestilts.synth.generate import Program
from codestilts.synth.nodes import Function
from codestilts.synth.render.base import Check

LIMITS = Limits(wall_s=60.0, cpu_s=60)


def unavailable(language: str, mode: str = "bwrap") -> str | None:
    """Why ``language``'s programs cannot run here (no toolchain, no sandbox), or None."""
    if mode == "bwrap" and bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed (scripts/install-toolchains.sh)"
    return runner_for(language).missing()


def harness(language: str, functions: Sequence[Function], checks: Sequence[Sequence[Check]]) -> str:
    """One runnable file: function ``i`` is renamed ``f<i>`` (names repeat across programs) and
    called with each of ``checks[i]``."""
    renderer = languages.get(language, having="renderer").renderer
    named = [(f, renderer.name(f) + str(i)) for i, f in enumerate(functions)]
    return renderer.program(named, [(f, name, c) for (f, name), cs in zip(named, checks, strict=True) for c in cs])


def run_tests(language: str, programs: Sequence[Program], *, mutants: bool = False, mode: str = "bwrap", slot: int = 0) -> ProgramOutcome:
    """Every program (or, with ``mutants``, every program's mutant) against all its tests, in one
    sandboxed run; the verdict is ``passed`` only if every test passes."""
    chosen = [p for p in programs if p.mutant is not None] if mutants else list(programs)
    functions = [p.mutant if mutants else p.function for p in chosen]
    source = harness(language, functions, [p.tests for p in chosen])  # type: ignore[arg-type]
    return run_program(source, language, limits=LIMITS, mode=mode, slot=slot)
