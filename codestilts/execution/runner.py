"""Execute one program in one language: plan it (a fresh harness secret for every attempt), run it
in the sandbox, judge it; retry infrastructure faults (sandbox_error) a couple of times."""

from __future__ import annotations

import time
from dataclasses import dataclass

from codestilts import languages
from codestilts.execution.harness import Source
from codestilts.execution.runners import Runner
from codestilts.execution.sandbox import Limits, run_sandboxed
from codestilts.execution.verdict import Verdict, judge


def runner_for(language: str, *, where: str | None = None) -> Runner:
    """The runner of ``language`` (any name or alias :mod:`codestilts.languages` knows); a language
    without one is a :class:`UserError` naming those with one."""
    return languages.get(language, where=where, having="runner").runner


@dataclass(frozen=True)
class ProgramOutcome:
    verdict: Verdict
    reason: str
    wall_s: float
    stdout: str
    stderr: str
    compile_log: str
    attempts: int
    leftovers: int
    usage: dict  # the sandbox cgroup's memory_peak (bytes) and oom_kills, where there is one


def run_program(
    program: Source | str,
    language: str,
    *,
    limits: Limits | None = None,
    slot: int = 0,
    mode: str = "bwrap",
    retries: int = 2,
) -> ProgramOutcome:
    """Run ``program`` (a :class:`Source`: the program, then its tests; a plain string is trusted
    test code as a whole) and judge it."""
    lang = runner_for(language)
    attempt = 0
    while True:
        attempt += 1
        plan = lang.plan(program, limits or Limits())
        start = time.monotonic()
        result = run_sandboxed(plan.steps, plan.files, env=plan.env, mounts=plan.mounts,
                               symlinks=plan.symlinks, slot=slot, mode=mode, harnessed=plan.harnessed)
        judgement = judge(result, plan.steps, lang)
        if judgement.verdict != Verdict.SANDBOX_ERROR or attempt > retries:
            return ProgramOutcome(judgement.verdict, judgement.reason, time.monotonic() - start,
                           result.stdout, result.stderr, result.compile_log, attempt, result.leftovers,
                           result.extra)
        time.sleep(0.05 * attempt)
