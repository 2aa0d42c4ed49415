"""Paired bootstrap over test examples and seeds, from the per-example predictions in the store.

Every option of a run is evaluated on the same test examples, so one resample of the examples
(stratified by language: each language keeps its size) and one resample of the seeds serve every
option at once; differences between options are then paired. A target's value in a replicate is
the mean over its zero-shot languages of the per-language metric, and an average over targets is
the mean of the targets' values in the same replicate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from codestilts.report.groups import Group
from codestilts.store import Store, read_json

REPLICATES = 2000
RNG_SEED = 2005_13013
"""Fixed, so that the same store gives the same intervals (the paper's arXiv id)."""
LEVEL = 0.95


def example_score(row: Mapping[str, Any], metric: str) -> tuple[float, float] | None:
    """One example's (numerator, denominator) for ``metric``; the metric of a set of examples is
    sum(numerators) / sum(denominators). None where the metric does not split into examples."""
    if "rank" in row:
        return {"acc@1": (float(row["rank"] == 1), 1.0), "mrr": (1.0 / row["rank"], 1.0)}.get(metric)
    if metric in ("exact_match", "f1") and metric in row:
        return float(row[metric]), 1.0
    if metric == "accuracy" and "tokens" in row:
        return float(row["correct"]), float(row["tokens"])
    if metric == "accuracy" and "label" in row:
        return float(row["prediction"] == row["label"]), 1.0
    return None


def _key(source: str, row: Mapping[str, Any]) -> tuple[str, ...]:
    """Which test example a row is: probes have a direction and a problem, evaluations an id."""
    return (source, row["language"], row.get("direction", ""), str(row.get("id", row.get("group"))))


@dataclass
class TargetScores:
    """One target's per-example scores: ``numerator``/``denominator`` are (options, seeds, examples)."""

    target: str
    metric: str
    options: list[str]
    seeds: list[int]
    strata: list[np.ndarray]
    numerator: np.ndarray
    denominator: np.ndarray


@dataclass
class Replicates:
    """Option values on the full data (``point``) and in each bootstrap replicate (``samples``)."""

    options: list[str]
    point: np.ndarray
    samples: np.ndarray

    def column(self, option: str) -> tuple[float, np.ndarray]:
        i = self.options.index(option)
        return float(self.point[i]), self.samples[:, i]


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def interval(point: float, samples: np.ndarray, level: float = LEVEL) -> Interval:
    """The full-data estimate with the percentile interval of its bootstrap replicates."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Interval(point, float(low), float(high))


def _read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_scores(out: Path, plan: Mapping[str, Any]) -> tuple[dict[str, TargetScores], list[str]]:
    """Per target, the zero-shot per-example scores of every option and seed; and notes on what
    could not be used. Seeds kept are those every option has (a seedless stage, the base model's
    probe, stands for every seed); examples kept are those every option and seed has."""
    store = Store(out)
    by_target: dict[str, dict[tuple[str, int | None], dict[tuple[str, ...], tuple[float, float]]]] = {}
    metrics: dict[str, str] = {}
    unsplittable: set[str] = set()
    for stage in plan["stages"]:
        folder = store.stage(stage["id"])
        if stage["kind"] not in ("evaluate", "probe") or not folder.is_complete():
            continue
        labels, meta = stage["labels"], read_json(folder / "metrics.json")
        target, metric, source = labels["task"], meta["metric"], meta["source_language"]
        metrics[target] = metric
        scores = {}
        for row in _read_rows(folder / "predictions.jsonl"):
            if row["language"] == source:
                continue
            score = example_score(row, metric)
            if score is None:
                break
            scores[_key(source, row)] = score
        else:
            by_target.setdefault(target, {})[(labels["intermediate"], labels["seed"])] = scores
            continue
        unsplittable.add(target)
    notes = [f"`{t}`: its metric {metrics[t]} does not split into examples; no intervals for it" for t in sorted(unsplittable)]
    found = {}
    for target, runs in sorted(by_target.items()):
        scores = _align(target, metrics[target], runs)
        if scores is None:
            notes.append(f"`{target}`: no seed or example shared by every option; no intervals for it")
        else:
            found[target] = scores
    return found, notes


def _align(target: str, metric: str, runs: Mapping[tuple[str, int | None], Mapping[tuple[str, ...], tuple[float, float]]]) -> TargetScores | None:
    options = list(dict.fromkeys(option for option, _ in runs))
    seeded = [{seed for o, seed in runs if o == option and seed is not None} for option in options]
    seeds = sorted(set.intersection(*[s for s in seeded if s])) if any(seeded) else []
    if not seeds:
        return None
    cells = [[runs.get((option, seed), runs.get((option, None))) for seed in seeds] for option in options]
    complete = [i for i, row in enumerate(cells) if all(cell is not None for cell in row)]
    options = [options[i] for i in complete]
    cells = [cells[i] for i in complete]
    keys = sorted(set.intersection(*[set(cell) for row in cells for cell in row]))
    if not keys:
        return None
    values = np.array([[[cell[k] for k in keys] for cell in row] for row in cells])
    stratum = [k[:2] for k in keys]
    strata = [np.flatnonzero([s == name for s in stratum]) for name in dict.fromkeys(stratum)]
    return TargetScores(target, metric, options, seeds, strata, values[..., 0], values[..., 1])


def _values(scores: TargetScores, weights: np.ndarray) -> np.ndarray:
    """(replicates, options, seeds) target values under example ``weights`` (replicates, examples)."""
    per_stratum = []
    for index in scores.strata:
        num = weights[:, index] @ scores.numerator[..., index].reshape(-1, len(index)).T
        den = weights[:, index] @ scores.denominator[..., index].reshape(-1, len(index)).T
        with np.errstate(invalid="ignore", divide="ignore"):
            per_stratum.append(num / den)
    shape = (weights.shape[0], len(scores.options), len(scores.seeds))
    return np.nanmean(np.stack(per_stratum), axis=0).reshape(shape)


def bootstrap(targets: Mapping[str, TargetScores], replicates: int = REPLICATES, rng_seed: int = RNG_SEED) -> dict[str, Replicates]:
    """Replicates of every option's zero-shot value per target. Targets with the same seeds share
    one resample of the seeds, as their seed-s stages share seed s's intermediate checkpoint."""
    rng = np.random.default_rng(rng_seed)
    seed_draws: dict[tuple[int, ...], np.ndarray] = {}
    found = {}
    for name, scores in sorted(targets.items()):
        n = scores.numerator.shape[-1]
        weights = np.zeros((replicates, n))
        for index in scores.strata:
            weights[:, index] = rng.multinomial(len(index), np.full(len(index), 1 / len(index)), size=replicates)
        key = tuple(scores.seeds)
        if key not in seed_draws:
            seed_draws[key] = rng.integers(0, len(key), size=(replicates, len(key)))
        draws = seed_draws[key]
        values = _values(scores, weights)
        picked = np.take_along_axis(values, draws[:, None, :].repeat(len(scores.options), axis=1), axis=2)
        point = _values(scores, np.ones((1, n)))[0].mean(axis=1)
        found[name] = Replicates(scores.options, point, picked.mean(axis=2))
    return found


def averaged(replicates: Sequence[Replicates]) -> Replicates | None:
    """The mean over targets, replicate by replicate, for the options every target has."""
    if not replicates:
        return None
    options = [o for o in replicates[0].options if all(o in r.options for r in replicates)]
    columns = [[r.options.index(o) for o in options] for r in replicates]
    point = np.mean([r.point[c] for r, c in zip(replicates, columns, strict=True)], axis=0)
    samples = np.mean([r.samples[:, c] for r, c in zip(replicates, columns, strict=True)], axis=0)
    return Replicates(options, point, samples)


@dataclass(frozen=True)
class Comparison:
    """One group statistic on one scope (a target or an average over targets)."""

    scope: str
    left: Group
    right: Group
    summary: str
    """``mean`` (mean over the group's options) or ``best`` (best option of the group)."""
    interval: Interval | None
    missing: str = ""


COMPARED = ((Group.CODE, Group.NL), (Group.CODE, Group.NONE), (Group.NL, Group.NONE))
SUMMARIES = ("mean", "best")


def _summarise(reps: Replicates, members: Sequence[str], summary: str) -> tuple[float, np.ndarray]:
    """A group's value: the mean of its options, or its best option, chosen again in every replicate."""
    index = [reps.options.index(m) for m in members]
    reduce = np.mean if summary == "mean" else np.max
    return float(reduce(reps.point[index])), reduce(reps.samples[:, index], axis=1)


def compare_groups(scope: str, reps: Replicates, groups: Mapping[str, Group]) -> list[Comparison]:
    """Code vs NL, code vs none and NL vs none, as mean-of-group and best-of-group deltas."""
    members = {g: [o for o in reps.options if groups.get(o) == g] for g in Group}
    found = []
    for summary in SUMMARIES:
        for left, right in COMPARED:
            empty = [g for g in (left, right) if not members[g]]
            if empty:
                found.append(Comparison(scope, left, right, summary, None, missing=f"the run has no {empty[0].value} option"))
                continue
            left_point, left_samples = _summarise(reps, members[left], summary)
            right_point, right_samples = _summarise(reps, members[right], summary)
            found.append(Comparison(scope, left, right, summary, interval(left_point - right_point, left_samples - right_samples)))
    return found


NAMES = {Group.CODE: "code intermediate tasks", Group.NL: "NL intermediate tasks", Group.NONE: "no intermediate training"}


def sentence(comparison: Comparison) -> str:
    """The comparison in one plain sentence, "no significant difference" included."""
    what = "the best of" if comparison.summary == "best" else "the mean of"
    left, right = NAMES[comparison.left], NAMES[comparison.right]
    if comparison.interval is None:
        return f"{what.capitalize()} {left} vs {right} on {comparison.scope}: not measurable, {comparison.missing}."
    found = comparison.interval
    ci = f"95% CI {found.low:+.3f} to {found.high:+.3f}"
    if not found.significant:
        return f"{what.capitalize()} {left} vs {right} on {comparison.scope}: no significant difference ({found.estimate:+.3f}, {ci})."
    verb = "beats" if found.estimate > 0 else "trails"
    return f"{what.capitalize()} {left} {verb} {right} by {found.estimate:+.3f} ({ci}) on {comparison.scope}."
