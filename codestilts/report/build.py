"""One run's report, from its store alone: tables in every asked format, the group comparison with
its bootstrap intervals, and the figures (with the markdown report)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from codestilts.errors import UserError
from codestilts.report import bootstrap, markdown, tables
from codestilts.report.groups import option_groups
from codestilts.report.intermediate import intermediate_section
from codestilts.report.learnability import SourceScore, learnability_frame, learnability_section, not_learnt, source_scores
from codestilts.report.results import PLAN_FILE, collect, probe_layers, stage_times
from codestilts.store import read_json, write_text

FORMATS = ("md", "csv", "tex", "json")


def parse_formats(text: str) -> tuple[str, ...]:
    """``md,csv`` -> ("md", "csv"); an unknown format is a user error."""
    asked = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise UserError(f"unknown report format {', '.join(unknown) or repr(text)}", hint=f"expected a comma-separated subset of {','.join(FORMATS)}")
    return asked


@dataclass
class Report:
    results: pd.DataFrame
    main: pd.DataFrame
    comparisons: pd.DataFrame
    notes: list[str]
    learnability: list[SourceScore]
    """Every trained target's source-language score per option, against a constant prediction."""
    not_learnt: dict[str, str]
    """Targets left out of the averages, with why."""


AVERAGE_SCOPES = {tables.AVERAGE: "the zero-shot average", tables.AVERAGE_NO_RETRIEVAL: "the zero-shot average without retrieval"}


def group_comparisons(
    loaded: bootstrap.Loaded, groups: dict, targets: list[str], roles: dict[str, str], excluded: Collection[str] = ()
) -> pd.DataFrame:
    """Code vs NL (and each vs none) on the zero-shot averages (without the ``excluded`` targets),
    then per target."""
    replicates = bootstrap.bootstrap(loaded.zero_shot)
    scopes = {}
    for column, kept in tables.averaged_targets(targets, roles, excluded).items():
        scope = AVERAGE_SCOPES[column]
        found = bootstrap.averaged([replicates[t] for t in kept if t in replicates])
        if found is not None and len(kept) > 1:
            scopes[scope] = found
    scopes |= {f"`{t}`": replicates[t] for t in targets if t in replicates}
    comparisons = [c for scope, reps in scopes.items() for c in bootstrap.compare_groups(scope, reps, groups)]
    return tables.comparison_frame(comparisons)


def build(out: Path) -> tuple[Report, dict, dict]:
    results = collect(out)
    plan = read_json(out / PLAN_FILE)
    options = option_groups(plan)
    loaded = bootstrap.load_scores(out, plan)
    scores = source_scores(loaded, plan)
    excluded = not_learnt(scores)
    main = tables.main_frame(results, options, excluded) if not results.empty else pd.DataFrame(columns=tables.MAIN_COLUMNS)
    targets = tables.target_order(results)
    roles = dict(zip(results["target"], results["role"], strict=False))
    comparisons = group_comparisons(loaded, {o.name: o.group for o in options.values()}, targets, roles, excluded)
    return Report(results, main, comparisons, loaded.notes, scores, excluded), plan, options


DROPPED_COLUMNS = ["task", "language", "split", "dropped", "records", "against"]


def dropped_frame(rows: list[dict]) -> pd.DataFrame:
    """plan.json's dropped train/dev records as a table; ``against`` joined with spaces."""
    return pd.DataFrame([r | {"against": " ".join(r["against"])} for r in rows], columns=DROPPED_COLUMNS)


def write_report(out: Path, formats: Collection[str] = FORMATS) -> pd.DataFrame:
    """The report files of the run in ``out``; returns the tidy results table."""
    report, plan, options = build(out)
    results = report.results
    order = [o.name for o in options.values()]
    languages = {}
    for target in tables.target_order(results):
        of_target = results[(results.target == target) & results.primary]
        languages[target] = (of_target["metric"].iloc[0], set(of_target[of_target.is_source]["language"]),
                             tables.language_frame(results, target, order))
    if "csv" in formats:
        tidy = results.sort_values(["role", "target", "intermediate", "seed", "language", "metric"], ascending=[False, True, True, True, True, True])
        write_text(out / "results.csv", tidy.to_csv(index=False))
        write_text(out / "main.csv", report.main.to_csv(index=False))
        write_text(out / "comparisons.csv", report.comparisons.to_csv(index=False))
        write_text(out / "stages.csv", stage_times(out).to_csv(index=False))
        write_text(out / "learnability.csv", learnability_frame(report.learnability).to_csv(index=False))
        if "dropped" in plan:
            write_text(out / "dropped.csv", dropped_frame(plan["dropped"]).to_csv(index=False))
    if "json" in formats:
        frames = {t: frame for t, (_, _, frame) in languages.items()}
        write_text(out / "report.json", tables.to_json(report.main, frames, report.comparisons, report.notes))
    if "tex" in formats and not report.main.empty:
        write_text(out / "report.tex", tables.to_tex(report.main, report.comparisons))
    if "md" in formats:
        from codestilts.report.figures import write_figures

        layers = probe_layers(out)
        per_layer = {t: tables.layer_frame(layers, t, order) for t in dict.fromkeys(layers["target"])}
        per_layer = {t: found for t, found in per_layer.items() if not found[1].empty}  # a probe with zero-shot languages
        figures = {} if report.main.empty else write_figures(
            out, report.main, report.comparisons, {t: (metric, frame) for t, (metric, _, frame) in languages.items()}, per_layer
        )
        matrices = {t: m for t in languages if (m := tables.source_matrix(results, t, order)) is not None}
        notes = [
            f"model: `{plan['model']}`; source language: `{plan['source_language']}`",
            "targets are trained in the source language and evaluated zero-shot in every other language; "
            "probes rank other-language solutions for source-language queries (and back) without training",
        ]
        write_text(out / "report.md", markdown.render(
            title=f"codestilts: {plan['name']}", notes=notes, main=report.main, comparisons=report.comparisons,
            comparison_notes=report.notes, languages=languages, matrices=matrices, figures=figures, layers=per_layer, dropped=plan.get("dropped"),
            intermediate=intermediate_section(out, plan), learnability=learnability_section(report.learnability, report.not_learnt),
        ))
    return results
