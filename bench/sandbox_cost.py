"""What one sandboxed sample costs: wall time and machine CPU time per program, one program at a
time, for the sandboxed runner, a bare ``bwrap`` with the same namespaces, and a plain subprocess.

CPU is the machine's busy time from ``/proc/stat`` (the sandbox's processes live in their own pid
namespace, so ``getrusage`` of the host's children misses them): run it on an otherwise idle
machine. Rounds alternate the three runners, so drift hits them alike.

    .venv/bin/python bench/sandbox_cost.py                 # 80 HumanEval-X Python programs, 3 rounds
    .venv/bin/python bench/sandbox_cost.py --n 40 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable

from codestilts.execution.benchmarks import build_source, load_problems
from codestilts.execution.harness import Source
from codestilts.execution.runner import run_program

PYTHON = "/usr/bin/python3"
BWRAP = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
         "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--unshare-pid", "--unshare-net",
         "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"]


def busy_seconds() -> float:
    """CPU time the whole machine has spent outside idle and iowait."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def plain(program: Source, bwrap: bool) -> None:
    folder = tempfile.mkdtemp(prefix="codestilts-bench-")
    try:
        with open(os.path.join(folder, "main.py"), "w", encoding="utf-8") as handle:
            handle.write(program.text)
        prefix = [shutil.which("bwrap") or "bwrap", *BWRAP, "--ro-bind", folder, "/work", "--chdir", "/work"] if bwrap else []
        subprocess.run([*prefix, PYTHON, "-I", "main.py"], cwd=folder, capture_output=True, timeout=30, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


RUNNERS: dict[str, Callable[[Source], object]] = {
    "sandboxed": lambda p: run_program(p, "python"),
    "bare bwrap": lambda p: plain(p, bwrap=True),
    "plain": lambda p: plain(p, bwrap=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=80, help="programs per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    problems = list(load_problems("humaneval-x", "python").values())[: args.n]
    programs = [build_source(p, p.canonical_solution) for p in problems]
    for run in RUNNERS.values():  # warm-up: page cache, the sandbox's cgroup hierarchy
        run(programs[0])
    totals = {name: [0.0, 0.0] for name in RUNNERS}
    for _ in range(args.rounds):
        for name, run in RUNNERS.items():
            busy, start = busy_seconds(), time.perf_counter()
            for program in programs:
                run(program)
            totals[name][0] += time.perf_counter() - start
            totals[name][1] += busy_seconds() - busy
    count = args.n * args.rounds
    plain_cpu = totals["plain"][1]
    print(f"{count} programs per runner, one at a time")
    print(f"{'runner':<12} {'wall ms':>8} {'cpu ms':>8} {'cpu / plain':>12}")
    for name, (wall, cpu) in totals.items():
        print(f"{name:<12} {wall / count * 1000:8.1f} {cpu / count * 1000:8.1f} {cpu / plain_cpu:12.2f}")


if __name__ == "__main__":
    main()
