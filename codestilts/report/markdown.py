"""report.md: the main table (intermediate options x targets, zero-shot averages) and per-language
tables, computed from the tidy results table."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from codestilts.config import NONE


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _mean_std(values: pd.Series) -> tuple[float, float]:
    values = values.dropna()
    if values.empty:
        return math.nan, math.nan
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def zero_shot_by_seed(results: pd.DataFrame) -> pd.DataFrame:
    """Per (intermediate, target, seed): the primary metric averaged over the non-source languages."""
    zero_shot = results[results["primary"] & ~results["is_source"]]
    return (
        zero_shot.groupby(["intermediate", "target", "role", "metric", "seed"], dropna=False)["value"]
        .mean()
        .reset_index()
    )


def _cell(mean: float, std: float, delta: float | None) -> str:
    if math.isnan(mean):
        return "-"
    text = f"{mean:.3f} ± {std:.3f}"
    if delta is not None and not math.isnan(delta):
        text += f" ({delta:+.3f})"
    return text


def main_table(results: pd.DataFrame, options: Sequence[str]) -> str:
    per_seed = zero_shot_by_seed(results)
    targets = list(dict.fromkeys(per_seed.sort_values("role", ascending=False)["target"]))
    roles = dict(zip(per_seed["target"], per_seed["role"], strict=False))
    metrics = dict(zip(per_seed["target"], per_seed["metric"], strict=False))
    stats = {
        (option, target): _mean_std(per_seed[(per_seed.intermediate == option) & (per_seed.target == target)]["value"])
        for option in options
        for target in targets
    }
    headers = ["intermediate"] + [f"{t} ({metrics[t]}{', probe' if roles[t] == 'probe' else ''})" for t in targets]
    headers += ["avg", "avg w/o retrieval"]
    rows = []
    for option in options:
        cells, means, non_retrieval = [], [], []
        for target in targets:
            mean, std = stats[(option, target)]
            baseline = stats.get((NONE, target), (math.nan, math.nan))[0] if option != NONE and NONE in options else None
            cells.append(_cell(mean, std, None if baseline is None else mean - baseline))
            means.append(mean)
            if roles[target] != "probe":
                non_retrieval.append(mean)
        cells += [_fmt(_nanmean(means)), _fmt(_nanmean(non_retrieval))]
        rows.append([option, *cells])
    return markdown_table(headers, rows)


def _nanmean(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def _fmt(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f}"


def language_table(results: pd.DataFrame, target: str, options: Sequence[str]) -> str:
    rows_of_target = results[(results.target == target) & results["primary"]]
    languages = list(dict.fromkeys(rows_of_target.sort_values("is_source", ascending=False)["language"]))
    sources = set(rows_of_target[rows_of_target.is_source]["language"])
    headers = ["intermediate"] + [f"{lang}{' (source)' if lang in sources else ''}" for lang in languages]
    rows = []
    for option in options:
        of_option = rows_of_target[rows_of_target.intermediate == option]
        rows.append([option] + [_fmt(_mean_std(of_option[of_option.language == lang]["value"])[0]) for lang in languages])
    return markdown_table(headers, rows)


def render(results: pd.DataFrame, *, title: str, options: Sequence[str], notes: Sequence[str] = ()) -> str:
    parts = [f"# {title}", ""]
    parts += [f"- {note}" for note in notes]
    if results.empty:
        parts += ["", "No completed evaluation yet."]
        return "\n".join(parts) + "\n"
    parts += [
        "",
        "## Zero-shot transfer (average over the non-source languages)",
        "",
        "Mean ± standard deviation over seeds; in brackets the difference to `none` (no intermediate training).",
        "",
        main_table(results, options),
    ]
    for target in dict.fromkeys(results["target"]):
        metric = results[(results.target == target) & results["primary"]]["metric"].iloc[0]
        parts += ["", f"## {target}: {metric} per language", "", language_table(results, target, options)]
    return "\n".join(parts) + "\n"
