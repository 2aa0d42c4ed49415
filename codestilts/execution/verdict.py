"""Verdicts: the same rules in every language.

In order:

1. ``sandbox_error``: the sandbox itself could not start (bubblewrap failed, the driver never
   reported ``ready``). An infrastructure fault: retried, excluded from pass@k, counted in the
   output. Once a step has started, nothing is a sandbox error: a step without a status (its
   driver killed) is the program's ``runtime_error``.
2. ``timeout``: a step hit its wall-clock limit (``timeout`` exit 124, or SIGKILL at/after the
   limit), its CPU-time limit (SIGXCPU), or the host's backstop deadline.
3. ``compile_error``: the compile step exited non-zero (including when killed for memory); for
   interpreted languages, a parse error the interpreter reports before running anything.
4. ``passed``: the run step exited 0 **and** the tests reported that they ran to their end (the
   harness's per-run secret on stdout, see :mod:`codestilts.execution.harness`). Exit code 0
   without that report is a ``runtime_error``: the program ended the run before the tests did.
5. ``failed``: the run step exited non-zero and its output shows an assertion/test failure
   (``AssertionError``, ``assertion ... failed``, the benchmarks' "test case N did not pass" family,
   testify's ``Error Trace:``; see ``languages.COMMON_FAILURE_MARKERS``).
6. ``runtime_error``: any other non-zero exit: an uncaught exception, a crash, a signal, the output
   limit (an output reached RLIMIT_FSIZE), the memory limit (RLIMIT_DATA, or the cgroup's
   out-of-memory kill).

``failed`` vs ``runtime_error`` is diagnostic only: both are "not passed" for pass@k.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from enum import Enum

from codestilts.execution.runners import Runner
from codestilts.execution.sandbox import SandboxResult, Step


class Verdict(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    SANDBOX_ERROR = "sandbox_error"

    def __str__(self) -> str:
        return self.value



_TIMEOUT_EXIT = 124
_KILLED = 128 + signal.SIGKILL
_XCPU = 128 + signal.SIGXCPU
_XFSZ = 128 + signal.SIGXFSZ


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str


def _timed_out(code: int | None, step: Step, elapsed: float) -> bool:
    if code in (_TIMEOUT_EXIT, _XCPU):
        return True
    return code == _KILLED and elapsed >= step.limits.wall_s


def judge(result: SandboxResult, steps: list[Step], language: Runner) -> Judgement:
    if result.sandbox_error:
        return Judgement(Verdict.SANDBOX_ERROR, result.sandbox_error)
    for step, outcome in zip(steps, result.steps):
        code = outcome.returncode
        if code is None:
            if result.host_killed:
                return Judgement(Verdict.TIMEOUT, f"{step.name}: killed at the host deadline")
            if outcome.started:
                return Judgement(Verdict.RUNTIME_ERROR, f"{step.name}: no exit status (the sandbox's driver was killed)")
            return Judgement(Verdict.SANDBOX_ERROR, f"{step.name}: never started")
        if _timed_out(code, step, result.wall_s):
            limit = "CPU time" if code == _XCPU else "wall-clock"
            return Judgement(Verdict.TIMEOUT, f"{step.name}: {limit} limit")
        if code == 0:
            continue
        if step.name == "compile":
            return Judgement(Verdict.COMPILE_ERROR, _first_error_line(result.compile_log) or f"exit {code}")
        output = result.stderr + "\n" + result.stdout
        if code == _XFSZ or result.output_limited:
            return Judgement(Verdict.RUNTIME_ERROR, "output limit exceeded")
        if code == _KILLED and result.extra.get("oom_kills", 0) > 0:
            return Judgement(Verdict.RUNTIME_ERROR, "memory limit exceeded (the sandbox's cgroup)")
        if language.is_syntax_error(output):
            return Judgement(Verdict.COMPILE_ERROR, _error_line(output) or f"exit {code}")
        match = language.failure_pattern().search(output)
        if match:
            return Judgement(Verdict.FAILED, _error_line(output) or _line_at(output, match.start()))
        return Judgement(Verdict.RUNTIME_ERROR, _error_line(output) or f"exit {code}")
    if not result.completed:
        if result.output_limited:
            return Judgement(Verdict.RUNTIME_ERROR, "output limit exceeded")
        return Judgement(Verdict.RUNTIME_ERROR, "exit 0 before the tests reported their end "
                         "(the program ended the run early)")
    return Judgement(Verdict.PASSED, "")


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()[:300]


_ERROR_WORDS = ("Error", "error", "Exception", "panic", "Traceback", "Aborted", "Segmentation", "Killed")


def _error_line(text: str) -> str:
    """The most telling line of an error output: the last one naming an error, else the last one."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if any(word in line for word in _ERROR_WORDS) and not line.startswith("at "):
            return line[:300]
    return lines[-1][:300] if lines else ""


def _first_error_line(text: str) -> str:
    """Compilers report the root cause first."""
    for line in text.splitlines():
        if re.search(r"\berror\b", line, re.I):
            return line.strip()[:300]
    return _error_line(text)
