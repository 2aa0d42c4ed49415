"""The tidy results table: one row per (stage, language, metric), read from the store alone."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import pandas as pd

from codestilts.errors import UserError
from codestilts.store import TIMING, StageDir, Store, read_json

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


def complete_stages(out: Path, kinds: Collection[str] | None = None) -> Iterator[tuple[dict, StageDir]]:
    """plan.json's entry and the folder of every complete stage (of ``kinds``, default: all) of the
    run in ``out``, in plan order."""
    store = Store(out)
    for stage in read_json(out / PLAN_FILE)["stages"]:
        folder = store.stage(stage["id"])
        if (kinds is None or stage["kind"] in kinds) and folder.is_complete():
            yield stage, folder


def collect(out: Path) -> pd.DataFrame:
    """Rows for every complete evaluate and probe stage of the run in ``out``."""
    if not (out / PLAN_FILE).is_file():
        raise UserError(f"{out} is not a codestilts run folder (no {PLAN_FILE})")
    rows = []
    for stage, folder in complete_stages(out, SCORED_KINDS):
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
    rows = []
    for stage, folder in complete_stages(out):
        labels = stage["labels"]
        timing = folder / TIMING
        rows.append({
            "stage": stage["id"], "kind": stage["kind"], "task": labels.get("task"), "intermediate": labels.get("intermediate"),
            "seed": labels.get("seed"), "wall_seconds": read_json(timing)["wall_seconds"] if timing.is_file() else None,
        })
    return pd.DataFrame(rows, columns=STAGE_COLUMNS).astype({"seed": "Int64"})


LAYER_COLUMNS = ["intermediate", "target", "seed", "stage", "layer", "used", "language", "is_source", "metric", "value"]


def probe_layers(out: Path) -> pd.DataFrame:
    """The primary metric of every complete probe stage at every layer (``layers`` in its
    ``metrics.json``), one row per (stage, layer, language); ``used``: the layer of its main-table
    scores. A probe written before probes scored every layer has no rows."""
    rows = []
    for stage, folder in complete_stages(out, ("probe",)):
        metrics = read_json(folder / "metrics.json")
        labels = stage["labels"]
        for layer, languages in metrics.get("layers", {}).items():
            for language, values in languages.items():
                rows.append({
                    "intermediate": labels["intermediate"], "target": labels["task"], "seed": labels["seed"], "stage": stage["id"],
                    "layer": int(layer), "used": int(layer) == metrics["layer"], "language": language,
                    "is_source": language == metrics["source_language"], "metric": metrics["metric"], "value": values[metrics["metric"]],
                })
    return pd.DataFrame(rows, columns=LAYER_COLUMNS).astype({"seed": "Int64"})
