"""The tidy results table: one row per (stage, language, metric), read from the store alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from codestilts.errors import UserError
from codestilts.store import TIMING, Store, read_json

PLAN_FILE = "plan.json"
SCORED_KINDS = ("evaluate", "probe", "execute")
"""The stage kinds whose ``metrics.json`` and ``predictions.jsonl`` hold test scores."""
COLUMNS = [
    "intermediate",
    "target",
    "role",
    "source_language",
    "language",
    "is_source",
    "seed",
    "metric",
    "primary",
    "value",
    "stage",
]


def collect(out: Path) -> pd.DataFrame:
    """Rows for every complete evaluate and probe stage of the run in ``out``."""
    plan_path = out / PLAN_FILE
    if not plan_path.is_file():
        raise UserError(f"{out} is not a codestilts run folder (no {PLAN_FILE})")
    store = Store(out)
    rows = []
    for stage in read_json(plan_path)["stages"]:
        if stage["kind"] not in SCORED_KINDS:
            continue
        folder = store.stage(stage["id"])
        if not folder.is_complete():
            continue
        metrics = read_json(folder / "metrics.json")
        labels = stage["labels"]
        for language, values in metrics["languages"].items():
            for metric, value in values.items():
                if metric == "examples":
                    continue
                rows.append(
                    {
                        "intermediate": labels["intermediate"],
                        "target": labels["task"],
                        "role": labels["role"],
                        "source_language": metrics["source_language"],
                        "language": language,
                        "is_source": language == metrics["source_language"],
                        "seed": labels["seed"],
                        "metric": metric,
                        "primary": metric == metrics["metric"],
                        "value": value,
                        "stage": stage["id"],
                    }
                )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"seed": "Int64"})


STAGE_COLUMNS = ["stage", "kind", "task", "intermediate", "seed", "wall_seconds"]


def stage_times(out: Path) -> pd.DataFrame:
    """The wall time of every complete stage of the run in ``out`` (``stages.csv``), in plan order;
    a stage written before stages recorded their time has none."""
    store = Store(out)
    rows = []
    for stage in read_json(out / PLAN_FILE)["stages"]:
        folder = store.stage(stage["id"])
        if not folder.is_complete():
            continue
        labels = stage["labels"]
        timing = folder / TIMING
        rows.append({
            "stage": stage["id"], "kind": stage["kind"], "task": labels.get("task"), "intermediate": labels.get("intermediate"),
            "seed": labels.get("seed"), "wall_seconds": read_json(timing)["wall_seconds"] if timing.is_file() else None,
        })
    return pd.DataFrame(rows, columns=STAGE_COLUMNS).astype({"seed": "Int64"})
