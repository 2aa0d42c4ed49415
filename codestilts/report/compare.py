"""Two runs side by side: the zero-shot mean of every (option, target) both have, and B minus A."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from codestilts.errors import UserError
from codestilts.report.markdown import markdown_table
from codestilts.report.results import collect
from codestilts.report.tables import zero_shot_by_seed


def zero_shot_means(out: Path) -> pd.Series:
    """(intermediate, target) -> the zero-shot average, mean over seeds."""
    return zero_shot_by_seed(collect(out)).groupby(["intermediate", "target"], sort=False)["value"].mean()


def compare_runs(run_a: Path, run_b: Path) -> str:
    """A markdown table of the (option, target) pairs both runs have: A, B and B - A."""
    a, b = zero_shot_means(run_a), zero_shot_means(run_b)
    shared = [key for key in a.index if key in b.index]
    if not shared:
        raise UserError(f"{run_a} and {run_b} share no completed (intermediate option, target) pair")
    rows = [[option, target, f"{a[(option, target)]:.3f}", f"{b[(option, target)]:.3f}", f"{b[(option, target)] - a[(option, target)]:+.3f}"]
            for option, target in shared]
    title = f"# A = {run_a.name}, B = {run_b.name}: zero-shot averages (mean over seeds)\n\n"
    return title + markdown_table(["intermediate", "target", "A", "B", "B - A"], rows) + "\n"
