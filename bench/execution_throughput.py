"""Programs per second: the sandboxed runner (codestilts.execution) vs a naive runner (a thread pool
of plain subprocess calls in a temporary folder: no sandbox, no limits, pipes) on the same programs.

Programs are the benchmarks' canonical solutions with their tests (HumanEval-X for its six
languages, MBXP for the others), cycled to --n programs per language. Both runners use the same
number of workers (--jobs, default: the scheduler's default capacity, 2 per core) and the same
compile/run commands.

    .venv/bin/python bench/execution_throughput.py                  # 500 programs, every language
    .venv/bin/python bench/execution_throughput.py --n 100 --languages java kotlin
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice

from codestilts.execution.benchmarks import HX_LANGUAGES, build_source, load_problems
from codestilts.execution.runner import run_program, runner_for
from codestilts.execution.runners import RUNNERS, RunPlan
from codestilts.execution.sandbox import Limits
from codestilts.execution.scheduler import default_capacity, run_weighted


def programs_for(language: str, n: int) -> list[str]:
    """``language``: a canonical name (:mod:`codestilts.languages`)."""
    bench = "humaneval-x" if language in HX_LANGUAGES else "mbxp"
    problems = [p for p in load_problems(bench, language).values() if p.canonical_solution]
    return list(islice(cycle([build_source(p, p.canonical_solution) for p in problems]), n))


def _host_path(value: str, plan: RunPlan) -> str:
    for m in sorted(plan.mounts, key=lambda m: -len(m.dest)):  # /opt/rust-crates before /opt/rust
        value = value.replace(m.dest, m.host)
    return value


def naive_run(language: str, program: str, timeout: float) -> bool:
    """What harnesses usually do: write the files, subprocess.run each step, pipes, a timeout."""
    plan = runner_for(language).plan(program, Limits(wall_s=timeout))
    work = tempfile.mkdtemp(prefix="naive-exec-")
    try:
        for name, data in plan.files.items():
            with open(os.path.join(work, name), "wb") as fh:
                fh.write(data)
        for target, link in plan.symlinks:
            os.symlink(target, os.path.join(work, os.path.basename(link)))
        env = {k: _host_path(v, plan) for k, v in plan.env.items()}
        env["PATH"] = ":".join(_host_path(p, plan) for p in env["PATH"].split(":"))
        env["HOME"] = env["TMPDIR"] = work
        if env.get("GOCACHE", "").startswith(work) or "GOPATH" in env and "GOCACHE" not in env:
            env["GOCACHE"] = os.path.join(work, "go-build")
        for step in plan.steps:
            argv = [_host_path(a, plan) for a in step.argv]
            try:
                res = subprocess.run(argv, cwd=work, env=env, capture_output=True,
                                     timeout=step.limits.wall_s, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                return False
            if res.returncode != 0:
                return False
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_language(language: str, n: int, jobs: int, timeout: float, block: int = 25,
                   sandbox_jobs: int | None = None) -> dict:
    """Both runners on the same programs, alternating blocks of ``block`` programs (sandbox first,
    then naive first, ...) so that drift in machine speed hits both alike."""
    lang = runner_for(language)
    language = lang.name  # canonical: js for javascript, ts for typescript
    programs = programs_for(language, n)
    lang.prepare()
    limits = Limits(wall_s=timeout, cpu_s=int(timeout))

    def sandboxed(chunk):
        return run_weighted(chunk, lambda prog, slot: run_program(prog, language, limits=limits, slot=slot),
                            weight=lambda _: lang.weight, capacity=sandbox_jobs or jobs)

    def naive(chunk):
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda prog: naive_run(language, prog, timeout), chunk))

    sandboxed(programs[:4])  # warm-up (page cache, JIT caches) for both, untimed
    naive(programs[:4])
    times = {"sandbox": 0.0, "naive": 0.0}
    passed = {"sandbox": 0, "naive": 0}
    for i in range(0, n, block):
        chunk = programs[i : i + block]
        order = [("sandbox", sandboxed), ("naive", naive)]
        for name, fn in order if (i // block) % 2 == 0 else reversed(order):
            start = time.monotonic()
            out = fn(chunk)
            times[name] += time.monotonic() - start
            passed[name] += sum(o if isinstance(o, bool) else o.verdict.value == "passed" for o in out)
    return {
        "language": language, "n": n,
        "sandbox_per_s": n / times["sandbox"], "naive_per_s": n / times["naive"],
        "ratio": times["naive"] / times["sandbox"],
        "sandbox_passed": passed["sandbox"], "naive_passed": passed["naive"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="programs per language")
    ap.add_argument("--languages", nargs="*", default=None)
    ap.add_argument("--jobs", type=int, default=default_capacity())
    ap.add_argument("--sandbox-jobs", type=int, default=None,
                    help="scheduler capacity of the sandboxed runner (default: --jobs)")
    ap.add_argument("--timeout", type=float, default=20.0)
    args = ap.parse_args(argv)
    print(f"workers: naive {args.jobs}, sandboxed {args.sandbox_jobs or args.jobs}; {args.n} programs per language")
    names = args.languages or [n for n, runner in RUNNERS.items() if runner.missing() is None and n != "c"]
    print(f"{'language':12s} {'n':>5s} {'sandbox/s':>10s} {'naive/s':>10s} {'ratio':>7s} {'passed (sandbox/naive)':>24s}")
    for name in names:
        try:
            r = bench_language(name, args.n, args.jobs, args.timeout, sandbox_jobs=args.sandbox_jobs)
        except Exception as err:  # a language without data: say so and go on
            print(f"{name:12s} skipped: {err}", file=sys.stderr)
            continue
        print(f"{r['language']:12s} {r['n']:5d} {r['sandbox_per_s']:10.2f} {r['naive_per_s']:10.2f} "
              f"{r['ratio']:7.3f} {r['sandbox_passed']:>11d}/{r['naive_passed']:<11d}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
