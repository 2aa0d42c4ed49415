"""Paired cluster bootstrap over test problems and seeds, from the per-example predictions in the store.

The independent unit is the problem, not the prediction row: a problem has several rows (both
solutions of defect detection, both directions of a probe, every language, every target of the
same benchmark), and rows of one problem succeed or fail together. A replicate draws problems with
replacement, once, and weights every row by how often its problem was drawn, for every option,
seed, source language, language, direction and target alike: differences between options are
paired. Seeds are drawn once per replicate as well. A target's value in a replicate is the mean
over its (source, zero-shot language) strata of the per-stratum metric, and an average over
targets is the mean of the targets' values in the same replicate.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from codestilts.data import read_jsonl
from codestilts.formats import Format, get_format
from codestilts.report.groups import Group
from codestilts.report.results import SCORED_KINDS
from codestilts.store import Store, read_json

REPLICATES = 2000
RNG_SEED = 2005_13013
"""Fixed, so that the same store gives the same intervals (the paper's arXiv id)."""
LEVEL = 0.95

SHARED_BENCHMARKS = frozenset({"humaneval", "mbpp", "crux", "synth", "codexglue"})
"""Benchmarks whose loaders name a record's group ``<benchmark>/<problem>`` (tasks/humaneval.py and
humaneval_package.py, mbxp.py, crux.py, codexglue.py, synth/generate.py): one problem in every
task, language and direction that uses it. Any other group is a problem of its own task only."""

Unit = tuple[tuple[str, ...], str]
"""A resampled unit: (pool, name). A replicate draws each pool's units among themselves; units of
different pools (benchmarks, tasks) are different units even when their names are equal."""

RowKey = tuple[str, str, str, str]
"""Which test example a row is: (source, language, direction, id); probes name it by its group."""


def row_key(source: str, row: Mapping[str, Any]) -> RowKey:
    return (source, row["language"], row.get("direction", ""), str(row.get("id", row.get("group"))))


def unit_of(task: str, key: RowKey, row: Mapping[str, Any]) -> Unit:
    """The problem a row belongs to: ``humaneval/12`` is the same unit in every task, ``mbpp/12``
    another one; a group of any other form is a unit of ``task`` alone. A row without a group
    (predictions written before rows carried one) is its own unit, drawn within its language."""
    group = row.get("group")
    if group is None:
        return ("rows", task, *key[:2]), f"{key[2]}/{key[3]}"
    benchmark, slash, problem = str(group).partition("/")
    if slash and benchmark in SHARED_BENCHMARKS:
        return ("benchmark", benchmark), problem
    return ("task", task), str(group)


Run = tuple[str, str, int | None]
"""An evaluate or probe stage of one target: (intermediate option, source language, seed)."""
Scored = dict[RowKey, tuple[Unit, float, float]]


@dataclass
class TargetScores:
    """One target's scores, summed per unit: ``numerator``/``denominator`` are (options, seeds,
    strata, units), a stratum being a (source, language) pair and ``units`` the target's units."""

    target: str
    metric: str
    options: list[str]
    seeds: list[int]
    strata: list[tuple[str, str]]
    units: list[Unit]
    numerator: np.ndarray
    denominator: np.ndarray


@dataclass
class Replicates:
    """Option values on the full data (``point``) and in each bootstrap replicate (``samples``);
    ``units``: the problems resampled; ``seeds``: per target, how many seeds were resampled."""

    options: list[str]
    point: np.ndarray
    samples: np.ndarray
    units: frozenset[Unit] = frozenset()
    seeds: dict[str, int] = field(default_factory=dict)

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


def _scored(target: str, source: str, fmt: Format, metric: str, rows: Iterable[Mapping[str, Any]]) -> tuple[Scored, Scored] | None:
    """A stage's rows by example, zero-shot and source-language apart, with their unit and score
    (the sum of their format's per-example scores is the metric, :meth:`Format.example_score`);
    None if the metric does not split into examples."""
    zero_shot: Scored = {}
    in_source: Scored = {}
    for row in rows:
        score = fmt.example_score(row, metric)
        if score is None:
            return None
        key = row_key(source, row)
        (in_source if row["language"] == source else zero_shot)[key] = (unit_of(target, key, row), *score)
    return zero_shot, in_source


@dataclass
class Loaded:
    """What the report's intervals read from the store, each predictions file read once."""

    zero_shot: dict[str, TargetScores]
    """Per target, the zero-shot per-example scores of every option, source language and seed."""
    source: dict[str, TargetScores]
    """The same, of the source-language rows (is each target learnt where it was trained?)."""
    baselines: dict[str, float | None]
    """Per target, what a constant prediction scores on its source-language rows
    (:meth:`Format.constant_baseline`, on its first complete stage: every option has the same rows)."""
    notes: list[str]
    """What could not be used for the zero-shot intervals."""


def load_scores(out: Path, plan: Mapping[str, Any]) -> Loaded:
    """Every complete evaluate, probe and execute stage's per-example scores, by target. Seeds kept
    are those every option has (a seedless stage, the base model's probe, stands for every seed);
    examples kept are those every option and seed has."""
    store = Store(out)
    by_target: dict[str, dict[Run, tuple[Scored, Scored]]] = {}
    metrics: dict[str, str] = {}
    baselines: dict[str, float | None] = {}
    unsplittable: set[str] = set()
    for stage in plan["stages"]:
        folder = store.stage(stage["id"])
        if stage["kind"] not in SCORED_KINDS or not folder.is_complete():
            continue
        labels, meta = stage["labels"], read_json(folder / "metrics.json")
        target, metric, source = labels["task"], meta["metric"], meta["source_language"]
        metrics[target] = metric
        fmt = get_format(stage["params"]["task"]["format"])
        rows = list(read_jsonl(folder / "predictions.jsonl"))
        if target not in baselines:
            baselines[target] = fmt.constant_baseline([r for r in rows if r["language"] == source], metric)
        scored = _scored(target, source, fmt, metric, rows)
        if scored is None:
            unsplittable.add(target)
        else:
            by_target.setdefault(target, {})[(labels["intermediate"], source, labels["seed"])] = scored
    notes = [f"`{t}`: its metric {metrics[t]} does not split into examples; no intervals for it" for t in sorted(unsplittable)]
    zero_shot = _aligned_targets({t: {run: sides[0] for run, sides in runs.items()} for t, runs in by_target.items()}, metrics, notes)
    source = _aligned_targets({t: {run: sides[1] for run, sides in runs.items()} for t, runs in by_target.items()}, metrics, [])
    return Loaded(zero_shot, source, baselines, notes)


def _aligned_targets(by_target: Mapping[str, Mapping[Run, Scored]], metrics: Mapping[str, str], notes: list[str]) -> dict[str, TargetScores]:
    """Each target's runs aligned on shared seeds and examples; what cannot be is said in ``notes``."""
    found = {}
    for target, runs in sorted(by_target.items()):
        scores = _align(target, metrics[target], runs)
        if scores is None:
            notes.append(f"`{target}`: no seed or example shared by every option; no intervals for it")
            continue
        found[target] = scores
        if any(pool[0] == "rows" for pool, _ in scores.units):
            notes.append(f"`{target}`: its predictions carry no `group` (an older run), so each row is resampled as a "
                         "problem of its own: rows of one problem are not drawn together, so its intervals may be too narrow")
    return found


def _align(target: str, metric: str, runs: Mapping[Run, Scored]) -> TargetScores | None:
    options = list(dict.fromkeys(option for option, _, _ in runs))
    sources = sorted({source for _, source, _ in runs})
    seeded = [{seed for o, _, seed in runs if o == option and seed is not None} for option in options]
    seeds = sorted(set.intersection(*[s for s in seeded if s])) if any(seeded) else []
    if not seeds:
        return None

    def cell(option: str, seed: int) -> Scored | None:
        """Every source language's rows of one option and seed (a seedless stage serves every seed)."""
        found = [runs.get((option, s, seed), runs.get((option, s, None))) for s in sources]
        if all(part is None for part in found):
            return None
        return {k: v for part in found if part is not None for k, v in part.items()}

    cells = [[cell(option, seed) for seed in seeds] for option in options]
    complete = [i for i, row in enumerate(cells) if all(c is not None for c in row)]
    options = [options[i] for i in complete]
    cells = [cells[i] for i in complete]
    keys = sorted(set.intersection(*[set(c) for row in cells for c in row]))
    if not keys:
        return None
    return _per_unit(target, metric, options, seeds, cells, keys)


def _per_unit(target: str, metric: str, options: list[str], seeds: list[int], cells: list[list[Scored]], keys: list[RowKey]) -> TargetScores:
    """The scores of ``keys`` in every (option, seed) cell, summed per (stratum, unit)."""
    unit = {k: cells[0][0][k][0] for k in keys}
    strata = list(dict.fromkeys(k[:2] for k in keys))
    units = sorted(set(unit.values()))
    stratum_index, unit_index = {s: i for i, s in enumerate(strata)}, {u: i for i, u in enumerate(units)}
    bucket = np.array([stratum_index[k[:2]] * len(units) + unit_index[unit[k]] for k in keys])
    shape = (len(options), len(seeds), len(strata), len(units))
    sums = []
    for part in (1, 2):  # numerator, denominator
        values = np.array([[[c[k][part] for k in keys] for c in row] for row in cells]).reshape(-1, len(keys))
        summed = np.zeros((len(strata) * len(units), values.shape[0]))
        np.add.at(summed, bucket, values.T)
        sums.append(summed.T.reshape(shape))
    return TargetScores(target, metric, options, seeds, strata, units, sums[0], sums[1])


def _values(scores: TargetScores, weights: np.ndarray) -> np.ndarray:
    """(replicates, options, seeds) target values under unit ``weights`` (replicates, units): per
    stratum the weighted sum of numerators over that of denominators, then the mean over strata
    (a stratum none of whose units was drawn is left out of that replicate's mean)."""
    options, seeds, strata, units = scores.numerator.shape
    num = weights @ scores.numerator.reshape(-1, units).T
    den = weights @ scores.denominator.reshape(-1, units).T
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean((num / den).reshape(-1, options, seeds, strata), axis=3)


def problem_draws(units: Iterable[Unit], replicates: int, rng: np.random.Generator) -> dict[Unit, np.ndarray]:
    """How often each unit is drawn in each replicate: each pool (a benchmark, or a task) draws as
    many units as it has, with replacement, among its own units."""
    pools: dict[tuple[str, ...], list[Unit]] = defaultdict(list)
    for unit in sorted(set(units)):
        pools[unit[0]].append(unit)
    counts = {}
    for members in pools.values():
        drawn = rng.multinomial(len(members), np.full(len(members), 1 / len(members)), size=replicates)
        counts |= {unit: drawn[:, i] for i, unit in enumerate(members)}
    return counts


def bootstrap(targets: Mapping[str, TargetScores], replicates: int = REPLICATES, rng_seed: int = RNG_SEED) -> dict[str, Replicates]:
    """Replicates of every option's zero-shot value per target. One draw of the problems serves
    every target; targets with the same seeds share one draw of the seeds, as their seed-s stages
    share seed s's intermediate checkpoint."""
    rng = np.random.default_rng(rng_seed)
    counts = problem_draws((u for scores in targets.values() for u in scores.units), replicates, rng)
    seed_draws: dict[tuple[int, ...], np.ndarray] = {}
    found = {}
    for name, scores in sorted(targets.items()):
        key = tuple(scores.seeds)
        if key not in seed_draws:
            seed_draws[key] = rng.integers(0, len(key), size=(replicates, len(key)))
        draws = seed_draws[key]
        values = _values(scores, np.stack([counts[u] for u in scores.units], axis=1).astype(float))
        picked = np.take_along_axis(values, draws[:, None, :].repeat(len(scores.options), axis=1), axis=2)
        point = _values(scores, np.ones((1, len(scores.units))))[0].mean(axis=1)
        found[name] = Replicates(scores.options, point, picked.mean(axis=2), frozenset(scores.units), {name: len(scores.seeds)})
    return found


def averaged(replicates: Sequence[Replicates]) -> Replicates | None:
    """The mean over targets, replicate by replicate, for the options every target has."""
    if not replicates:
        return None
    options = [o for o in replicates[0].options if all(o in r.options for r in replicates)]
    columns = [[r.options.index(o) for o in options] for r in replicates]
    point = np.mean([r.point[c] for r, c in zip(replicates, columns, strict=True)], axis=0)
    samples = np.mean([r.samples[:, c] for r, c in zip(replicates, columns, strict=True)], axis=0)
    units = frozenset().union(*(r.units for r in replicates))
    return Replicates(options, point, samples, units, {t: n for r in replicates for t, n in r.seeds.items()})


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
    problems: int = 0
    """How many units (problems) the interval resampled."""
    seeds: tuple[tuple[str, int], ...] = ()
    """Per target of the scope, how many seeds the interval resampled."""


COMPARED = ((Group.CODE, Group.NL), (Group.CODE, Group.NONE), (Group.NL, Group.NONE))
SUMMARIES = ("mean", "best")
"""``mean`` first: it is the primary comparison (see docs/report.md on what ``best`` can claim)."""


def _summarise(reps: Replicates, members: Sequence[str], summary: str) -> tuple[float, np.ndarray]:
    """A group's value: the mean of its options, or its best option, chosen again in every replicate."""
    index = [reps.options.index(m) for m in members]
    reduce = np.mean if summary == "mean" else np.max
    return float(reduce(reps.point[index])), reduce(reps.samples[:, index], axis=1)


def compare_groups(scope: str, reps: Replicates, groups: Mapping[str, Group]) -> list[Comparison]:
    """Code vs NL, code vs none and NL vs none, as mean-of-group and best-of-group deltas."""
    members = {g: [o for o in reps.options if groups.get(o) == g] for g in Group}
    counted = {"problems": len(reps.units), "seeds": tuple(sorted(reps.seeds.items()))}
    found = []
    for summary in SUMMARIES:
        for left, right in COMPARED:
            empty = [g for g in (left, right) if not members[g]]
            if empty:
                found.append(Comparison(scope, left, right, summary, None, missing=f"the run has no {empty[0].value} option"))
                continue
            left_point, left_samples = _summarise(reps, members[left], summary)
            right_point, right_samples = _summarise(reps, members[right], summary)
            found.append(Comparison(scope, left, right, summary, interval(left_point - right_point, left_samples - right_samples), **counted))
    return found


NAMES = {Group.CODE: "code intermediate tasks", Group.NL: "NL intermediate tasks", Group.NONE: "no intermediate training"}


def count_span(counts: Iterable[int]) -> str:
    """``3``, or ``1-3`` where the counts differ."""
    found = sorted(counts)
    return str(found[0]) if found[0] == found[-1] else f"{found[0]}-{found[-1]}"


def seeds_text(seeds: Mapping[str, int]) -> str:
    """How many seeds an interval resampled, and what it covers where there was only one."""
    single = [t for t, n in seeds.items() if n == 1]
    if single and len(single) == len(seeds):
        return "one seed: the interval covers test-problem variation only, not training randomness"
    text = f"{count_span(n for n in seeds.values() if n > 1)} seeds"
    if single:
        text += f"; one seed for {', '.join(f'`{t}`' for t in single)}, whose part covers test-problem variation only"
    return text


def sentence(comparison: Comparison) -> str:
    """The comparison in one plain sentence, "no significant difference" included, with what the
    interval resampled."""
    what = "the best of" if comparison.summary == "best" else "the mean of"
    left, right = NAMES[comparison.left], NAMES[comparison.right]
    if comparison.interval is None:
        return f"{what.capitalize()} {left} vs {right} on {comparison.scope}: not measurable, {comparison.missing}."
    found = comparison.interval
    ci = f"95% CI {found.low:+.3f} to {found.high:+.3f}; {comparison.problems} problems, {seeds_text(dict(comparison.seeds))}"
    if not found.significant:
        return f"{what.capitalize()} {left} vs {right} on {comparison.scope}: no significant difference ({found.estimate:+.3f}, {ci})."
    verb = "beats" if found.estimate > 0 else "trails"
    return f"{what.capitalize()} {left} {verb} {right} by {found.estimate:+.3f} ({ci}) on {comparison.scope}."
