"""Execute one program in one language: plan it (a fresh harness secret for every attempt), run it
in the sandbox, judge it; retry infrastructure faults (sandbox_error) a couple of times."""

from __future__ import annotations

import time
from dataclasses import dataclass

from codestilts.execution.harness import Source
from codestilts.execution.languages import get_language
from codestilts.execution.sandbox import Limits, run_sandboxed
from codestilts.execution.verdict import Verdict, judge


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str
    wall_s: float
    stdout: str
    stderr: str
    compile_log: str
    attempts: int
    leftovers: int
    usage: dict  # the sandbox cgroup's memory_peak (bytes) and oom_kills, where there is one


def execute(
    program: Source | str,
    language: str,
    *,
    limits: Limits | None = None,
    slot: int = 0,
    mode: str = "bwrap",
    retries: int = 2,
) -> Outcome:
    """Run ``program`` (a :class:`Source`: the program, then its tests; a plain string is trusted
    test code as a whole) and judge it."""
    lang = get_language(language)
    attempt = 0
    while True:
        attempt += 1
        plan = lang.plan(program, limits or Limits())
        start = time.monotonic()
        result = run_sandboxed(plan.steps, plan.files, env=plan.env, mounts=plan.mounts,
                               symlinks=plan.symlinks, slot=slot, mode=mode, harnessed=plan.harnessed)
        judgement = judge(result, plan.steps, lang)
        if judgement.verdict != Verdict.SANDBOX_ERROR or attempt > retries:
            return Outcome(judgement.verdict, judgement.reason, time.monotonic() - start,
                           result.stdout, result.stderr, result.compile_log, attempt, result.leftovers,
                           result.extra)
        time.sleep(0.05 * attempt)
