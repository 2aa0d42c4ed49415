"""Every script in bench/ (the commands docs/ tells a reader to rerun) still imports and parses its
arguments against the current package. Only module-level imports are checked: an import inside a
function (train_throughput.py's worker side) runs only when the bench itself runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_bench_script_answers_help(script: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(BENCH.parent)}  # this checkout's package, as `.venv/bin/python bench/x.py` from its root
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=300, cwd=BENCH.parent, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
