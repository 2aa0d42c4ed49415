"""Task preparation (building every task's records) against an earlier commit, side by side.

Both sides run the same commands in fresh processes, with a fresh cache folder each round:

- cold listing: ``codestilts tasks`` with an empty ``$CODESTILTS_CACHE`` (every built-in task is
  built: the first listing, and the first plan's task preparation);
- warm listing: ``codestilts tasks`` again, with the cache the cold listing left;
- a later process: a new process that reads the records of ``--tasks`` (as a stage, a resumed run
  or a Ray worker does), after the listing.

The anchor is a git commit (default: main before the records cache, parallel building and the
faster cleaning and tagging), checked out into a temporary worktree of this repository. Rounds
alternate which side goes first. Printed: the median seconds of each side and anchor/current.

    .venv/bin/python bench/task_preparation.py                        # needs $CODESTILTS_DATA
    .venv/bin/python bench/task_preparation.py --anchor HEAD~3 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = "import sys; from codestilts.data import resolve_data_dir; from codestilts.tasks import TASKS, load\n" \
    "for name in sys.argv[1:]: load(TASKS.get(name), resolve_data_dir(None))"


def timed(command: list[str], env: dict[str, str], source: Path) -> float:
    """Seconds ``command`` takes, run in ``source`` (``-m`` and ``-c`` import from the working folder)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=source, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def one_round(source: Path, data_dir: str, tasks: list[str]) -> dict[str, float]:
    """The three timings of the code in ``source``, with a fresh cache folder."""
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"PYTHONPATH": str(source), "CODESTILTS_CACHE": cache, "CODESTILTS_DATA": data_dir}
        check = subprocess.run([sys.executable, "-c", "import codestilts; print(codestilts.__file__)"], env=env, cwd=source, capture_output=True, text=True)
        assert check.stdout.startswith(str(source)), f"{source} imports codestilts from {check.stdout.strip()}"
        listing = [sys.executable, "-m", "codestilts.cli", "tasks"]
        return {
            "cold listing": timed(listing, env, source),
            "warm listing": timed(listing, env, source),
            "a later process": timed([sys.executable, "-c", LOAD, *tasks], env, source),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor", default="891d90e", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tasks", default="syntax-roles,clone-mbxp,xret-codexglue", help="what the later process reads")
    parser.add_argument("--data-dir", default=os.environ.get("CODESTILTS_DATA"))
    args = parser.parse_args()
    if not args.data_dir:
        parser.error("set CODESTILTS_DATA or --data-dir: the real data folder")
    tasks = args.tasks.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        anchor = Path(scratch) / "anchor"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(anchor), args.anchor], check=True, capture_output=True)
        try:
            sides = {"anchor": anchor, "current": ROOT}
            runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
            print(f"{os.cpu_count()} CPUs; anchor {args.anchor}; later process reads {', '.join(tasks)}")
            for round_ in range(args.rounds):
                order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
                for side in order:
                    runs[side].append(one_round(sides[side], args.data_dir, tasks))
                    timings = "  ".join(f"{k} {v:6.2f} s" for k, v in runs[side][-1].items())
                    print(f"round {round_} {side:8s} {timings}  load {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(anchor)], check=False, capture_output=True)
    for measure in runs["current"][0]:
        before = statistics.median(r[measure] for r in runs["anchor"])
        after = statistics.median(r[measure] for r in runs["current"])
        print(f"{measure:16s} anchor {before:6.2f} s  current {after:6.2f} s  anchor/current {before / after:5.2f}x")


if __name__ == "__main__":
    main()
