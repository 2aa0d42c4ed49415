"""Hand-written run folders (plan.json, metrics.json, predictions.jsonl) for fast, exact report tests."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codestilts.formats import get_format
from codestilts.store import Store, write_json, write_text


@dataclass
class Stage:
    """One evaluate (or probe) stage: its labels and its per-example rows."""

    intermediate: str
    task: str
    seed: int | None
    rows: list[dict[str, Any]]
    metric: str = "accuracy"
    source: str = "python"
    role: str = "target"
    layers: Mapping[int, Mapping[str, float]] | None = None
    """A probe's primary metric per layer and language (``layers`` in metrics.json); None: a probe
    written before probes scored every layer."""
    layer: int = 1

    @property
    def format(self) -> str:
        """Probes are retrieval; the targets here have defect-style rows (classification)."""
        return "retrieval" if self.role == "probe" else "classification"


def metrics_of(rows: Sequence[Mapping[str, Any]], fmt: str, metric: str) -> dict[str, dict[str, float]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for row in rows:
        num, den = get_format(fmt).example_score(row, metric)
        entry = sums[row["language"]]
        entry[0] += num
        entry[1] += den
        entry[2] += 1
    return {lang: {metric: num / den, "examples": count} for lang, (num, den, count) in sums.items()}


def write_run(out: Path, options: Mapping[str, Sequence[str]], stages: Sequence[Stage], task_languages: Mapping[str, Sequence[str]]) -> Path:
    """``options``: option name -> its intermediate tasks (``none``: no tasks)."""
    store = Store(out)
    planned = [
        {"kind": "intermediate", "id": f"intermediate-{name}", "params": {"tasks": [{"name": t} for t in tasks], "mlm": None, "translate_train": False},
         "parents": [], "labels": {"intermediate": name, "task": name, "seed": 0}}
        for name, tasks in options.items() if name != "none"
    ]
    for index, stage in enumerate(stages):
        stage_id = f"{'probe' if stage.role == 'probe' else 'evaluate'}-{index}"
        planned.append({"kind": "probe" if stage.role == "probe" else "evaluate", "id": stage_id, "params": {"task": {"name": stage.task, "format": stage.format}}, "parents": [],
                        "labels": {"intermediate": stage.intermediate, "task": stage.task, "seed": stage.seed, "source": stage.source, "role": stage.role}})
        folder = store.stage(stage_id)
        folder.begin({"id": stage_id})
        metrics = {"metric": stage.metric, "source_language": stage.source, "languages": metrics_of(stage.rows, stage.format, stage.metric)}
        if stage.layers is not None:
            metrics |= {"layer": stage.layer, "layers": {layer: {lang: {stage.metric: v} for lang, v in per.items()} for layer, per in stage.layers.items()}}
        write_json(folder / "metrics.json", metrics)
        write_text(folder / "predictions.jsonl", "".join(json.dumps(r) + "\n" for r in stage.rows))
        folder.complete()
    write_json(out / "plan.json", {"name": "synthetic", "model": "tiny", "source_language": "python", "intermediate": list(options),
                                   "tasks": {k: list(v) for k, v in task_languages.items()}, "stages": planned})
    return out


def problem_rows(outcomes: Sequence[bool], groups: list[str], languages: Sequence[str] = ("python", "java", "go", "rust")) -> list[dict]:
    """Defect-style rows: per problem and language a correct and a buggy solution, both right or
    both wrong as ``outcomes[problem]`` says (rows of one problem are as correlated as can be)."""
    return [
        {"language": lang, "id": f"{lang}/{group}/{kind}", "group": group, "label": label, "prediction": label if outcomes[i] else 1 - label}
        for lang in languages for i, group in enumerate(groups) for kind, label in (("correct", 0), ("buggy", 1))
    ]
