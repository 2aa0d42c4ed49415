"""The report's figures (matplotlib, Agg backend), each written as PNG and SVG into <run>/figures/."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from codestilts.config import NONE  # noqa: E402
from codestilts.report.tables import BEST  # noqa: E402
from codestilts.store import atomic_path  # noqa: E402

FIGURES = "figures"
DPI = 100
FORMATS = ("png", "svg")


REPRODUCIBLE = {"svg.hashsalt": "codestilts"}
"""SVG ids from a fixed salt (and no date below): the same figure is the same bytes on every rebuild."""


def _save(figure: Figure, out: Path, name: str) -> str:
    """Both formats, atomically; the PNG's path relative to the run folder."""
    for fmt in FORMATS:
        with atomic_path(out / FIGURES / f"{name}.{fmt}") as tmp, matplotlib.rc_context(REPRODUCIBLE):
            figure.savefig(tmp, format=fmt, dpi=DPI, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(figure)
    return f"{FIGURES}/{name}.png"


def _slug(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", target)


def delta_heatmap(main: pd.DataFrame) -> Figure | None:
    """Intermediate options x columns, coloured by the difference to ``none`` (red: worse)."""
    deltas = main[(main.option != NONE) & (main.option != BEST)].pivot_table(index="option", columns="column", values="delta", sort=False, dropna=False)
    if deltas.empty or deltas.isna().all().all():
        return None
    limit = float(np.nanmax(np.abs(deltas.to_numpy()))) or 1.0
    figure, axes = plt.subplots(figsize=(1.2 + 1.1 * deltas.shape[1], 1 + 0.45 * deltas.shape[0]))
    image = axes.imshow(deltas.to_numpy(dtype=float), cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    axes.set_xticks(range(deltas.shape[1]), deltas.columns, rotation=35, ha="right")
    axes.set_yticks(range(deltas.shape[0]), deltas.index)
    for (i, j), value in np.ndenumerate(deltas.to_numpy(dtype=float)):
        if not np.isnan(value):
            axes.text(j, i, f"{value:+.3f}", ha="center", va="center", fontsize=8)
    figure.colorbar(image, ax=axes, label="delta vs none")
    axes.set_title("Zero-shot delta against no intermediate training")
    return figure


def group_bars(comparisons: pd.DataFrame) -> Figure | None:
    """The group comparisons of the first scope (the average over targets) with their intervals."""
    measured = comparisons.dropna(subset=["delta"])
    if measured.empty:
        return None
    measured = measured[measured.scope == measured.scope.iloc[0]]
    labels = [f"{r.summary}: {r.left} - {r.right}" for r in measured.itertuples()]
    errors = np.array([measured.delta - measured.ci_low, measured.ci_high - measured.delta])
    figure, axes = plt.subplots(figsize=(7, 0.6 + 0.5 * len(labels)))
    colours = ["tab:green" if d > 0 else "tab:red" for d in measured.delta]
    axes.barh(range(len(labels)), measured.delta, xerr=errors, color=colours, capsize=4)
    axes.set_yticks(range(len(labels)), labels)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.invert_yaxis()
    axes.set_xlabel(f"delta on {measured.scope.iloc[0]} (95% CI, paired bootstrap)")
    axes.set_title("Code vs NL intermediate tasks")
    return figure


def language_lines(target: str, metric: str, frame: pd.DataFrame) -> Figure:
    """One line per option across the target's languages."""
    figure, axes = plt.subplots(figsize=(1.5 + 0.8 * frame.shape[1], 4))
    for option, values in frame.iterrows():
        axes.plot(range(frame.shape[1]), values.to_numpy(dtype=float), marker="o", label=str(option),
                  linestyle="--" if option == NONE else "-")
    axes.set_xticks(range(frame.shape[1]), frame.columns)
    axes.set_ylabel(metric)
    axes.set_title(f"{target}: {metric} per language")
    axes.legend(fontsize=8, loc="best")
    return figure


def layer_lines(target: str, metric: str, frame: pd.DataFrame, used: Mapping[str, Sequence[int]]) -> Figure:
    """One line per option across a probe's layers (options x layers), each option's used layers ringed."""
    layers = [int(layer) for layer in frame.columns]
    figure, axes = plt.subplots(figsize=(2.5 + 0.5 * len(layers), 4))
    for option, values in frame.iterrows():
        (line,) = axes.plot(layers, values.to_numpy(dtype=float), marker="o", label=str(option), linestyle="--" if option == NONE else "-")
        chosen = list(used.get(str(option), []))
        axes.plot(chosen, values.reindex(chosen).to_numpy(dtype=float), marker="o", markersize=14, fillstyle="none", linestyle="none", color=line.get_color())
    axes.set_xticks(layers)
    axes.set_xlabel("layer (0: the embeddings)")
    axes.set_ylabel(f"{metric}, zero-shot average")
    axes.set_title(f"{target}: {metric} per layer (ringed: the layer used)")
    axes.legend(fontsize=8, loc="best")
    return figure


def write_figures(
    out: Path,
    main: pd.DataFrame,
    comparisons: pd.DataFrame,
    languages: Mapping[str, tuple[str, pd.DataFrame]],
    layers: Mapping[str, tuple[str, pd.DataFrame, Mapping[str, Sequence[int]]]],
) -> dict[str, str]:
    """Every figure the data allows; caption -> PNG path relative to ``out``. ``layers``: per probe
    that scored every layer, its metric, options x layers and each option's used layers."""
    written = {}
    heatmap = delta_heatmap(main)
    if heatmap is not None:
        written["Deltas against none, intermediate option x target"] = _save(heatmap, out, "deltas")
    bars = group_bars(comparisons)
    if bars is not None:
        written["Code vs NL group deltas with 95% intervals"] = _save(bars, out, "groups")
    for target, (metric, frame) in languages.items():
        written[f"{target}: {metric} per language"] = _save(language_lines(target, metric, frame), out, f"languages-{_slug(target)}")
    for target, (metric, frame, used) in layers.items():
        written[f"{target}: {metric} per layer"] = _save(layer_lines(target, metric, frame, used), out, f"layers-{_slug(target)}")
    return written
