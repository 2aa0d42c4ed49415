"""How the intermediate stages trained: each task's source-language dev score at every evaluation.

A comparison of intermediate options means little for an option that learned nothing: its dev
score stayed at chance, and its encoder is the base model's, changed by noise. The report shows
these scores next to the transfer results so that a reader can tell.
"""

from __future__ import annotations

from pathlib import Path

from codestilts.report.markdown import markdown_table
from codestilts.store import Store, read_json

NOT_A_TASK = frozenset({"step", "loss", "score"})
"""Keys of a dev history entry that are not a task's metric."""


def intermediate_dev(out: Path, plan: dict) -> list[list[str]]:
    """One row per task of every complete intermediate stage: option, seed, task metric, dev
    examples, the dev score at each evaluation, and the score of the weights kept."""
    store = Store(out)
    rows = []
    for stage in plan["stages"]:
        folder = store.stage(stage["id"])
        if stage["kind"] != "intermediate" or not folder.is_complete():
            continue
        metrics = read_json(folder / "metrics.json")
        history, kept = metrics["history"], metrics["best_step"]
        for key in [k for k in history[0] if k not in NOT_A_TASK] if history else []:
            curve = ", ".join(f"{h['step']}: {h[key]:.3f}" for h in history)
            at_kept = next(h[key] for h in history if h["step"] == kept)
            task = key.split("/")[0]
            rows.append([stage["labels"]["intermediate"], str(stage["labels"]["seed"]), f"`{key}`",
                         str(metrics["dev_examples"][task]), curve, f"{at_kept:.3f} (step {kept})"])
    return rows


def intermediate_section(out: Path, plan: dict) -> list[str]:
    """The report's section on intermediate training; nothing when no intermediate stage is complete."""
    rows = intermediate_dev(out, plan)
    if not rows:
        return []
    return [
        "## Intermediate training", "",
        "Each intermediate task's score on its source-language dev split at every evaluation (step: score), "
        "and the score of the weights the stage kept (its best mean dev score). An option whose dev score "
        "stays at chance learned nothing from its task.", "",
        markdown_table(["intermediate", "seed", "task/metric", "dev examples", "dev score by step", "kept"], rows),
    ]
