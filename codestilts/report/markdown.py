"""report.md: the main table, the code-versus-NL answer, per-language tables and the figures."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from codestilts.report.groups import GROUP_TITLES, Group
from codestilts.report.tables import main_cells


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.3f}"


def main_table(main: pd.DataFrame) -> str:
    """Options grouped under a title row per group; the best option per column in bold."""
    headers, rows = main_cells(main)
    lines, group = [], None
    for option, option_group, cells in rows:
        if option_group and option_group != group:
            lines.append([f"*{GROUP_TITLES[Group(option_group)]}*"] + [""] * len(cells))
        group = option_group
        lines.append([option, *cells])
    return markdown_table(["intermediate", *headers], lines)


def frame_table(frame: pd.DataFrame, sources: set[str] = frozenset(), bold: Collection[tuple[Any, Any]] = frozenset()) -> str:
    """A numeric frame (index: row labels) as a markdown table; source languages marked, the
    (row, column) cells of ``bold`` in bold."""
    headers = [" / ".join(frame.index.names) if frame.index.nlevels > 1 else "intermediate"]
    headers += [f"{c}{' (source)' if c in sources else ''}" for c in frame.columns]
    rows = [[" / ".join(map(str, label)) if isinstance(label, tuple) else str(label)]
            + [f"**{_fmt(v)}**" if (label, column) in bold else _fmt(v) for column, v in zip(frame.columns, values, strict=True)]
            for label, values in zip(frame.index, frame.to_numpy(), strict=True)]
    return markdown_table(headers, rows)


def layer_section(target: str, metric: str, frame: pd.DataFrame, used: Mapping[str, Sequence[int]]) -> list[str]:
    """A probe's zero-shot average at every layer, per option; the layers its stages used in bold."""
    return ["", f"### {target}: {metric} per layer", "",
            "The average over the zero-shot languages, mean over seeds, at every hidden layer (0: the embeddings); "
            "in bold the layer each option's stages report in the tables above (`probe.layer`; with `dev`, "
            "each stage chose its own; docs/report.md).", "",
            frame_table(frame, bold={(option, layer) for option, layers in used.items() for layer in layers})]


def comparison_section(comparisons: pd.DataFrame, notes: Sequence[str]) -> list[str]:
    parts = ["## Code vs NL intermediate tasks", "",
             "Deltas of the zero-shot metric with 95% confidence intervals from a paired bootstrap over "
             "test problems and seeds (see docs/report.md): *problems* and *seeds* say how many of each the "
             "interval resampled. *mean*: the mean over a group's options, the primary comparison; *best*: "
             "the group's best option, chosen again in every replicate (biased upward: the best of noisy "
             "estimates overstates the best true value).", ""]
    if comparisons.empty:
        return parts + ["No per-example predictions to compare.", ""] + [f"- {n}" for n in notes]
    headline = comparisons[(comparisons.scope == comparisons.scope.iloc[0]) & (comparisons.summary == "mean")]
    parts += [f"- {s}" for s in headline["sentence"]] + [""]
    rows = [[c.scope, c.summary, f"{c.left} - {c.right}", "-" if pd.isna(c.delta) else f"{c.delta:+.3f}",
             "-" if pd.isna(c.delta) else f"{c.ci_low:+.3f} to {c.ci_high:+.3f}",
             "-" if pd.isna(c.delta) else str(c.problems), c.seeds or "-", "yes" if c.significant else "no"]
            for c in comparisons.itertuples()]
    parts.append(markdown_table(["scope", "summary", "comparison", "delta", "95% CI", "problems", "seeds", "significant"], rows))
    return parts + [""] + [f"- {n}" for n in notes]


def dropped_section(dropped: Sequence[Mapping]) -> list[str]:
    """The train and dev records the run's stages dropped for sharing a text with a test record."""
    parts = ["## Train and dev records dropped", "",
             "Records of a train or dev split that the stages did not use: one of their texts equals, after the task's "
             "cleaning and whitespace normalisation, a test text of a target or probe of this run or of the task's own "
             "test split (docs/tasks.md). Also in `dropped.csv`.", ""]
    if not dropped:
        return parts + ["None: no train or dev text equals a test text.", ""]
    rows = [[d["task"], d["language"], d["split"], str(d["dropped"]), str(d["records"]), ", ".join(d["against"])] for d in dropped]
    return parts + [markdown_table(["task", "language", "split", "dropped", "of", "equal to a test text of"], rows), ""]


def render(
    *,
    title: str,
    notes: Sequence[str],
    main: pd.DataFrame,
    comparisons: pd.DataFrame,
    comparison_notes: Sequence[str],
    languages: Mapping[str, tuple[str, set[str], pd.DataFrame]],
    matrices: Mapping[str, pd.DataFrame],
    figures: Mapping[str, str],
    layers: Mapping[str, tuple[str, pd.DataFrame, Mapping[str, Sequence[int]]]],
    dropped: Sequence[Mapping] | None = None,
    intermediate: Sequence[str] = (),
    learnability: Sequence[str] = (),
) -> str:
    """The whole report; ``languages``: target -> (metric, source languages, options x languages);
    ``layers``: probe -> (metric, options x layers, each option's used layers), for probes that scored every layer;
    ``figures``: caption -> PNG path relative to the run folder; ``dropped``: plan.json's rows of
    dropped train/dev records (None for a run planned before records were dropped); ``intermediate``:
    the lines of the intermediate-training section; ``learnability``: those of the section on
    source-language scores against a constant prediction."""
    parts = [f"# {title}", ""] + [f"- {note}" for note in notes]
    if main.empty:
        return "\n".join(parts + ["", "No completed evaluation yet."]) + "\n"
    parts += [
        "", "## Zero-shot transfer (average over the non-source languages)", "",
        "Mean ± standard deviation over seeds (each column's header says how many; no ± for a single seed, "
        "nor for the base model's probe, which has no training and no seed); "
        "in brackets the difference to `none` (no intermediate training); "
        "in bold the best intermediate option per column. The last row holds each target's best option; "
        "its averages are the average of those bests.", "",
        main_table(main), "",
    ]
    parts += [*learnability, ""] if learnability else []
    parts += comparison_section(comparisons, comparison_notes)
    for target, (metric, sources, frame) in languages.items():
        parts += ["", f"## {target}: {metric} per language", "", frame_table(frame, sources)]
        if target in matrices:
            parts += ["", f"### {target}: source x target language", "", frame_table(matrices[target])]
        if target in layers:
            parts += layer_section(target, *layers[target])
    if dropped is not None:
        parts += ["", *dropped_section(dropped)]
    if intermediate:
        parts += ["", *intermediate]
    if figures:
        parts += ["", "## Figures", ""]
        for caption, path in figures.items():
            parts += [f"![{caption}]({path})", ""]
    return "\n".join(parts) + "\n"
