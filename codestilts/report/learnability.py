"""Is each target learnt in its source language at all? Zero-shot numbers mean nothing for a target
the model never learnt where it was trained: its score in the source language must clear what the
best constant prediction scores on the same test rows (:meth:`Format.constant_baseline`: the
majority label, the most frequent tag, an empty answer), with a 95% interval that excludes it.

The interval is the report's paired bootstrap over problems and seeds, on the source-language rows.
A target whose reference option (``none``, against which every delta is measured; every option
where a run has no ``none``) does not clear its baseline is reported as not learnt and left out of
the averages over targets and of their comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from codestilts.config import NONE
from codestilts.data import read_jsonl
from codestilts.formats import get_format
from codestilts.report.bootstrap import Interval, bootstrap, interval, load_scores
from codestilts.report.markdown import markdown_table
from codestilts.report.results import SCORED_KINDS
from codestilts.store import Store, read_json

COLUMNS = ["target", "intermediate", "metric", "seeds", "source_score", "ci_low", "ci_high", "constant_baseline", "learnt"]


@dataclass(frozen=True)
class SourceScore:
    """One option's score on a target in the source language, and the bar it must clear."""

    target: str
    option: str
    metric: str
    seeds: int
    interval: Interval
    baseline: float | None

    @property
    def learnt(self) -> bool | None:
        """The interval lies above the constant prediction's score; None where that score is unknown."""
        return None if self.baseline is None else self.interval.low > self.baseline


def source_scores(out: Path, plan: Mapping[str, Any]) -> list[SourceScore]:
    """Every trained target's source-language score per option, with its interval and baseline."""
    targets = {s["labels"]["task"] for s in plan["stages"] if s["kind"] in SCORED_KINDS and s["labels"].get("role") == "target"}
    scores, _ = load_scores(out, plan, in_source=True)
    replicates = bootstrap({t: s for t, s in scores.items() if t in targets})
    baselines = constant_baselines(out, plan)
    return [
        SourceScore(target, option, scores[target].metric, len(scores[target].seeds), interval(*reps.column(option)), baselines.get(target))
        for target, reps in replicates.items()
        for option in reps.options
    ]


def constant_baselines(out: Path, plan: Mapping[str, Any]) -> dict[str, float | None]:
    """Per target, the best constant prediction's score on its source-language test rows (read from
    its first complete stage: every option is scored on the same rows)."""
    store, found = Store(out), {}
    for stage in plan["stages"]:
        target = stage["labels"].get("task")
        folder = store.stage(stage["id"])
        if stage["kind"] not in SCORED_KINDS or stage["labels"].get("role") != "target" or target in found or not folder.is_complete():
            continue
        meta = read_json(folder / "metrics.json")
        rows = [r for r in read_jsonl(folder / "predictions.jsonl") if r["language"] == meta["source_language"]]
        found[target] = get_format(stage["params"]["task"]["format"]).constant_baseline(rows, meta["metric"])
    return found


def not_learnt(scores: Sequence[SourceScore]) -> dict[str, str]:
    """Targets whose reference option (``none``, or every option without it) does not clear the
    constant baseline, with why, in words."""
    found = {}
    for target in dict.fromkeys(s.target for s in scores):
        of_target = [s for s in scores if s.target == target]
        reference = [s for s in of_target if s.option == NONE] or of_target
        failing = [s for s in reference if s.learnt is False]
        if failing:
            s = failing[0]
            found[target] = (f"`{s.option}` scores {s.interval.estimate:.3f} ({s.metric}, 95% CI {s.interval.low:.3f} to "
                             f"{s.interval.high:.3f}) in the source language, not above the {s.baseline:.3f} of a constant prediction")
    return found


def learnability_frame(scores: Sequence[SourceScore]) -> pd.DataFrame:
    rows = [{"target": s.target, "intermediate": s.option, "metric": s.metric, "seeds": s.seeds, "source_score": s.interval.estimate,
             "ci_low": s.interval.low, "ci_high": s.interval.high, "constant_baseline": s.baseline, "learnt": s.learnt} for s in scores]
    return pd.DataFrame(rows, columns=COLUMNS)


def learnability_section(scores: Sequence[SourceScore], excluded: Mapping[str, str]) -> list[str]:
    """The report's section: every option's source-language score against the constant baseline."""
    if not scores:
        return []
    parts = [
        "## Learnt in the source language?", "",
        "Each target's test score in the language it was trained in, with a 95% interval (paired bootstrap over problems "
        "and seeds), against what the best constant prediction scores on the same rows (the majority label, the most "
        "frequent tag, an empty answer). Zero-shot numbers mean something only for a target learnt where it was trained. "
        "A target that `none` (the reference of every delta) does not learn is left out of the averages over targets and "
        "their comparisons. Also in `learnability.csv`.", "",
    ]
    rows = [[f"`{s.target}`", s.option, s.metric, f"{s.interval.estimate:.3f}", f"{s.interval.low:.3f} to {s.interval.high:.3f}",
             "-" if s.baseline is None else f"{s.baseline:.3f}", {True: "yes", False: "**no**", None: "unknown"}[s.learnt]] for s in scores]
    parts.append(markdown_table(["target", "intermediate", "metric", "source score", "95% CI", "constant prediction", "learnt"], rows))
    parts.append("")
    parts += [f"- `{target}` is left out of the averages: {why}." for target, why in excluded.items()]
    return parts
