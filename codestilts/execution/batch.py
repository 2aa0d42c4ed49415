"""Many programs through the sandbox at once: the one engine behind ``codestilts exec-eval`` and the
``execute`` stage. Each program is judged on its own (:func:`codestilts.execution.runner.run_program`);
the scheduler runs as many at once as the machine's capacity allows, heavy compilers counting double."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codestilts.errors import UserError
from codestilts.execution import cgroup
from codestilts.execution.benchmarks import KNOWN_DEFECTS, build_source, load_problems
from codestilts.execution.harness import Source
from codestilts.execution.runner import run_program, runner_for
from codestilts.execution.runners import Runner
from codestilts.execution.sandbox import Limits
from codestilts.execution.scheduler import default_capacity, run_weighted


@dataclass(frozen=True)
class Job:
    """One program to judge: what its result row starts with (task_id, language, ...), the program
    and its tests, and the language's runner."""

    row: dict
    source: Source
    runner: Runner


def run_jobs(jobs: Sequence[Job], *, capacity: int | None = None, timeout: float = 10.0, mode: str = "bwrap",
             retries: int = 2, progress: bool = True, label: str = "exec-eval",
             sink: Callable[[dict], None] | None = None) -> list[dict]:
    """Every job's result row, in order: its ``row`` with ``verdict``, ``reason``, ``wall_s``,
    ``attempts``, ``leftovers`` and the cgroup's usage. A language whose toolchain is missing gives
    ``sandbox_error`` rows (pass@k leaves them out) without running anything. ``sink`` gets each
    row as it finishes (a partial file survives an interruption)."""
    runners = {job.runner.name: job.runner for job in jobs}
    missing = {name: runner.missing() for name, runner in runners.items()}  # why a language cannot run here, once per language
    for name, runner in runners.items():
        if missing[name] is None:
            runner.prepare()
    limits = Limits(wall_s=timeout, cpu_s=max(1, int(timeout)))
    capacity = capacity or default_capacity()
    if mode == "none" or cgroup.hierarchy() is None:
        capacity = memory_bound_capacity(capacity, [job.runner for job in jobs], progress)
    done = [0]
    lock = threading.Lock()
    start = time.monotonic()

    def run_one(job: Job, slot: int) -> dict:
        reason = missing[job.runner.name]
        if reason:
            return {**job.row, "verdict": "sandbox_error", "reason": f"language unavailable: {reason}", "wall_s": 0.0, "attempts": 0}
        o = run_program(job.source, job.runner.name, limits=limits, slot=slot, mode=mode, retries=retries)
        result = {**job.row, "verdict": o.verdict.value, "reason": o.reason, "wall_s": round(o.wall_s, 3),
                  "attempts": o.attempts, "leftovers": o.leftovers, **o.usage}
        defect = KNOWN_DEFECTS.get((job.row.get("benchmark"), job.row.get("task_id")))
        return {**result, "known_defect": defect} if defect else result

    def on_done(i: int, r: dict) -> None:
        with lock:
            done[0] += 1
            n = done[0]
            if sink is not None:
                sink(r)
        if progress and (n % 50 == 0 or n == len(jobs)):
            rate = n / max(time.monotonic() - start, 1e-9)
            print(f"{label}: {n}/{len(jobs)} ({rate:.1f} programs/s)", file=sys.stderr)

    return run_weighted(list(jobs), run_one, weight=lambda job: job.runner.weight, capacity=capacity, on_done=on_done)


def evaluate_samples(samples: list[dict], *, natural_language: str = "English", jobs: int | None = None,
                     timeout: float = 10.0, mode: str = "bwrap", retries: int = 2,
                     progress: bool = True, sink=None) -> list[dict]:
    """Run every sample (dicts with task_id, language, benchmark, completion) against its
    benchmark problem's tests; return result dicts."""
    planned = []
    for s in samples:
        problem = load_problems(s["benchmark"], s["language"], natural_language).get(s["task_id"])
        if problem is None:
            raise UserError(f"task_id {s['task_id']!r} not in {s['benchmark']} ({s['language']})", where=s.get("where"))
        runner = runner_for(s["language"])
        row = {"task_id": s["task_id"], "language": runner.name, "benchmark": s["benchmark"]}
        planned.append(Job(row, build_source(problem, s["completion"]), runner))
    return run_jobs(planned, capacity=jobs, timeout=timeout, mode=mode, retries=retries, progress=progress, sink=sink)


def memory_bound_capacity(capacity: int, languages: list, warn: bool = True) -> int:
    """Without sandbox cgroups a sample's memory is bounded per process only (RLIMIT_DATA): run no
    more samples at once than the host's available memory holds at the largest language's limit."""
    largest = max((lang.memory_mb for lang in languages), default=1024) + cgroup.HEADROOM_MB
    with open("/proc/meminfo") as fh:
        available_mb = next(int(line.split()[1]) for line in fh if line.startswith("MemAvailable:")) // 1024
    allowed = max(1, min(capacity, available_mb // largest))
    if warn:
        why = cgroup.unavailable_reason() or "--sandbox none"
        print(f"exec-eval: no per-sample memory cgroup ({why}): a sample's shared memory and children are "
              f"not bounded as a whole; running at most {allowed} at once ({available_mb} MiB available, "
              f"{largest} MiB per sample)", file=sys.stderr)
    return allowed
