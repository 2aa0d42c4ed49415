"""The report's tables as data frames, and their csv/tex/json writers (markdown: markdown.py).

The main table has one row per (intermediate option, column): the columns are the targets (the
metric averaged over the zero-shot languages, then mean and standard deviation over seeds), and
two averages over targets, with and without the retrieval (probe) targets. Each cell carries its
difference to ``none``; the best intermediate option per column is flagged, and a last row holds
the best option of each target, whose averages are the paper's "best intermediate task per target"
statistic.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from codestilts.config import NONE
from codestilts.report.bootstrap import Comparison, count_span, sentence
from codestilts.report.groups import OptionInfo, in_group_order

AVERAGE = "avg"
AVERAGE_NO_RETRIEVAL = "avg w/o retrieval"
BEST = "best per target"
MAIN_COLUMNS = ["option", "group", "column", "metric", "role", "mean", "std", "seeds", "delta", "best"]


def zero_shot_by_seed(results: pd.DataFrame) -> pd.DataFrame:
    """Per (intermediate, target, seed): the primary metric averaged over the non-source languages."""
    zero_shot = results[results["primary"] & ~results["is_source"]]
    return (
        zero_shot.groupby(["intermediate", "target", "role", "metric", "seed"], dropna=False)["value"]
        .mean()
        .reset_index()
    )


def target_order(results: pd.DataFrame) -> list[str]:
    """Trained targets first, then probes, each in the order the run lists them."""
    return list(dict.fromkeys(results.sort_values("role", ascending=False, kind="stable")["target"]))


def averaged_targets(targets: Sequence[str], roles: Mapping[str, str], excluded: Collection[str] = ()) -> dict[str, list[str]]:
    """The targets each average column averages: all, and all but retrieval; never a target left
    out for not being learnt in its source language (report/learnability.py)."""
    kept = [t for t in targets if t not in excluded]
    return {AVERAGE: kept, AVERAGE_NO_RETRIEVAL: [t for t in kept if roles[t] != "probe"]}


def main_frame(results: pd.DataFrame, options: Mapping[str, OptionInfo], excluded: Collection[str] = ()) -> pd.DataFrame:
    """The main table, tidy: one row per (option, column), options in group order, then the best row;
    the averages leave out the ``excluded`` targets."""
    per_seed = zero_shot_by_seed(results)
    targets = target_order(per_seed)
    stats = per_seed.groupby(["intermediate", "target"]).agg(mean=("value", "mean"), std=("value", "std"), seeds=("seed", "nunique"))
    roles = dict(zip(per_seed["target"], per_seed["role"], strict=False))
    metrics = dict(zip(per_seed["target"], per_seed["metric"], strict=False))
    rows: list[dict[str, Any]] = []
    for info in in_group_order(options):
        means = {}
        for target in targets:
            mean, std, seeds = stats.loc[(info.name, target)] if (info.name, target) in stats.index else (math.nan, math.nan, 0)
            means[target] = mean
            rows.append({"option": info.name, "group": info.group.value, "column": target, "metric": metrics[target],
                         "role": roles[target], "mean": mean, "std": std if seeds > 1 else math.nan, "seeds": int(seeds)})
        for column, kept in averaged_targets(targets, roles, excluded).items():
            rows.append({"option": info.name, "group": info.group.value, "column": column, "metric": "",
                         "role": "average", "mean": _mean([means[t] for t in kept]), "std": math.nan, "seeds": 0})
    frame = pd.DataFrame(rows, columns=MAIN_COLUMNS[:-2])
    baseline = frame[frame.option == NONE].set_index("column")["mean"]
    frame["delta"] = frame["mean"] - frame["column"].map(baseline) if not baseline.empty else math.nan
    frame.loc[frame.option == NONE, "delta"] = math.nan
    trained = frame[frame.option != NONE].dropna(subset=["mean"])
    frame["best"] = frame.index.isin(trained.groupby("column")["mean"].idxmax())
    return pd.concat([frame, _best_row(frame, targets, roles, excluded)], ignore_index=True)


def _mean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def _best_row(frame: pd.DataFrame, targets: list[str], roles: Mapping[str, str], excluded: Collection[str]) -> pd.DataFrame:
    """Per target, the best option's mean and delta; its averages average those (the paper's +5.4)."""
    best = frame[frame.best & (frame.role != "average")].set_index("column")
    rows = [
        {"option": BEST, "group": "", "column": t, "metric": best.loc[t, "metric"], "role": roles[t],
         "mean": best.loc[t, "mean"], "std": math.nan, "seeds": 0, "delta": best.loc[t, "delta"], "best": False}
        for t in targets if t in best.index
    ]
    for column, kept in averaged_targets(targets, roles, excluded).items():
        chosen = best[best.index.isin(kept)]
        rows.append({"option": BEST, "group": "", "column": column, "metric": "", "role": "average",
                     "mean": _mean(list(chosen["mean"])), "std": math.nan, "seeds": 0,
                     "delta": _mean(list(chosen["delta"])), "best": False})
    return pd.DataFrame(rows, columns=MAIN_COLUMNS)


def language_frame(results: pd.DataFrame, target: str, options: Sequence[str]) -> pd.DataFrame:
    """Options x languages (source first) of one target's primary metric, mean over seeds and sources."""
    of_target = results[(results.target == target) & results["primary"]]
    languages = list(dict.fromkeys(of_target.sort_values("is_source", ascending=False, kind="stable")["language"]))
    table = of_target.groupby(["intermediate", "language"])["value"].mean().unstack("language")
    return table.reindex(index=[o for o in options if o in table.index], columns=languages)


def source_matrix(results: pd.DataFrame, target: str, options: Sequence[str]) -> pd.DataFrame | None:
    """(option, source language) x evaluated language of one target, when the run has several sources."""
    of_target = results[(results.target == target) & results["primary"]]
    if of_target["source_language"].nunique() < 2:
        return None
    table = of_target.groupby(["intermediate", "source_language", "language"])["value"].mean().unstack("language")
    order = [o for o in options if o in table.index.get_level_values(0)]
    return table.reindex(order, level=0)


def layer_frame(layers: pd.DataFrame, target: str, options: Sequence[str]) -> tuple[str, pd.DataFrame, dict[str, list[int]]]:
    """One probe's primary metric; options x layers of it, averaged over the zero-shot languages,
    then over seeds and sources; and per option, the layers its stages used (``probe.layer``)."""
    of_target = layers[layers.target == target]
    zero_shot = of_target[~of_target.is_source]
    per_stage = zero_shot.groupby(["intermediate", "stage", "layer"])["value"].mean()
    table = per_stage.groupby(["intermediate", "layer"]).mean().unstack("layer")
    used = of_target[of_target.used].groupby("intermediate")["layer"].unique()
    order = [o for o in options if o in table.index]
    return of_target["metric"].iloc[0], table.reindex(index=order), {o: sorted(int(layer) for layer in used.get(o, [])) for o in order}


COMPARISON_COLUMNS = ["scope", "summary", "left", "right", "delta", "ci_low", "ci_high", "problems", "seeds", "significant", "sentence"]


def comparison_frame(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """One row per comparison; ``problems`` and ``seeds``: what its interval resampled."""
    rows = [
        {"scope": c.scope, "summary": c.summary, "left": c.left.value, "right": c.right.value,
         "delta": c.interval.estimate if c.interval else math.nan,
         "ci_low": c.interval.low if c.interval else math.nan,
         "ci_high": c.interval.high if c.interval else math.nan,
         "problems": c.problems, "seeds": count_span(n for _, n in c.seeds) if c.interval else "",
         "significant": bool(c.interval and c.interval.significant), "sentence": sentence(c)}
        for c in comparisons
    ]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def to_json(main: pd.DataFrame, languages: Mapping[str, pd.DataFrame], comparisons: pd.DataFrame, notes: Sequence[str]) -> str:
    """Every table of the report in one JSON document (NaN as null)."""
    document = {
        "main": json.loads(main.to_json(orient="records")),
        "languages": {t: json.loads(frame.to_json(orient="index")) for t, frame in languages.items()},
        "comparisons": json.loads(comparisons.to_json(orient="records")),
        "notes": list(notes),
    }
    return json.dumps(document, indent=2) + "\n"


def _tex_escape(text: str) -> str:
    return "".join({"_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#", "±": r"$\pm$"}.get(ch, ch) for ch in text)


def seeds_header(seeds: pd.Series) -> str:
    """``3 seeds`` (``2-3 seeds`` where options differ), from the cells that have a seed."""
    counts = [int(n) for n in seeds if n > 0]
    return f"{count_span(counts)} seed{'s' if max(counts) > 1 else ''}" if counts else "no seed"


def main_cells(main: pd.DataFrame) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """The main table as text: headers (metric, probe or not, seeds), and (option, group, cells)
    rows with ``**`` around bests."""
    columns = list(dict.fromkeys(main["column"]))
    of_options = main[main.option != BEST]
    headers = []
    for c in columns:
        first = of_options[of_options.column == c].iloc[0]
        probe = ", probe" if first["role"] == "probe" else ""
        seeds = seeds_header(of_options[of_options.column == c]["seeds"])
        headers.append(c if first["role"] == "average" else f"{c} ({first['metric']}{probe}, {seeds})")
    rows = []
    for option, of_option in main.groupby("option", sort=False):
        cells = of_option.set_index("column").reindex(columns)
        rows.append((str(option), str(of_option["group"].iloc[0]), [cell_text(r) for _, r in cells.iterrows()]))
    return headers, rows


def cell_text(row: pd.Series) -> str:
    """``mean ± std (delta)``; the std where there are two seeds or more, the delta where there is
    a baseline."""
    if pd.isna(row["mean"]):
        return "-"
    text = f"{row['mean']:.3f}"
    if row["seeds"] > 1:
        text += f" ± {row['std']:.3f}"
    if not pd.isna(row["delta"]):
        text += f" ({row['delta']:+.3f})"
    return f"**{text}**" if row["best"] else text


def to_tex(main: pd.DataFrame, comparisons: pd.DataFrame) -> str:
    """A booktabs main table (bests in bold) and the group comparisons, ready to \\input."""
    headers, rows = main_cells(main)
    lines = [r"\begin{tabular}{l" + "c" * len(headers) + "}", r"\toprule",
             " & ".join(["intermediate"] + [_tex_escape(h) for h in headers]) + r" \\", r"\midrule"]
    group = None
    for option, option_group, cells in rows:
        if option_group != group and group is not None:
            lines.append(r"\midrule")
        group = option_group
        texts = [_tex_escape(c.strip("*")) if not c.startswith("**") else r"\textbf{" + _tex_escape(c.strip("*")) + "}" for c in cells]
        lines.append(" & ".join([_tex_escape(option)] + texts) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    lines += [r"\begin{tabular}{llcccc}", r"\toprule", r"scope & comparison & $\Delta$ & 95\% CI & problems & seeds \\", r"\midrule"]
    for _, c in comparisons.iterrows():
        measured = not pd.isna(c["delta"])
        ci = f"{c['ci_low']:+.3f} to {c['ci_high']:+.3f}" if measured else "-"
        delta, problems, seeds = (f"{c['delta']:+.3f}", str(c["problems"]), str(c["seeds"])) if measured else ("-", "-", "-")
        lines.append(f"{_tex_escape(c['scope'])} & {c['summary']} {c['left']} $-$ {c['right']} & {delta} & {ci} & {problems} & {seeds} \\\\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)
