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
from typing import Any

import pandas as pd

from codestilts.config import NONE
from codestilts.report.bootstrap import Interval, Loaded, bootstrap, interval
from codestilts.report.markdown import markdown_table
from codestilts.report.results import SCORED_KINDS

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


def source_scores(loaded: Loaded, plan: Mapping[str, Any]) -> list[SourceScore]:
    """Every trained target's source-language score per option, with its interval and baseline."""
    targets = {s["labels"]["task"] for s in plan["stages"] if s["kind"] in SCORED_KINDS and s["labels"].get("role") == "target"}
    replicates = bootstrap({t: s for t, s in loaded.source.items() if t in targets})
    return [
        SourceScore(target, option, loaded.source[target].metric, len(loaded.source[target].seeds), interval(*reps.column(option)),
                    loaded.baselines.get(target))
        for target, reps in replicates.items()
        for option in reps.options
    ]


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
