"""Scoring completions per problem, then per language: pass@k (the unbiased estimator over a
problem's samples whose run was judged) where the problem has tests, exact match with the reference
where it has none."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from codestilts.execution.passk import pass_at_k
from codestilts.formats.generation import GenerationExample

EXCLUDED = "sandbox_error"
"""A run the sandbox could not judge (an infrastructure fault, a missing toolchain): not a sample of pass@k."""


def matches(completion: str, reference: str) -> bool:
    """Exact match, up to the whitespace around the answer."""
    return completion.strip() == reference.strip()


def problem_row(record: GenerationExample, language: str, verdicts: Sequence[str], completions: Sequence[str], ks: Sequence[int]) -> dict:
    """One problem's prediction row: its samples' verdicts counted and its pass@k (a problem with
    tests), or its samples' exact matches (one without)."""
    row: dict = {"language": language, "id": record.id, "group": record.group}
    if record.problem is None:
        matched = sum(matches(c, record.target) for c in completions)
        return row | {"samples": len(completions), "matched": matched, "exact_match": matched / len(completions) if completions else None}
    judged = [v for v in verdicts if v != EXCLUDED]
    n, c = len(judged), judged.count("passed")
    row |= {"benchmark": record.problem.benchmark, "samples": n, "passed": c, "sandbox_errors": len(verdicts) - n}
    return row | {f"pass@{k}": pass_at_k(n, c, k) for k in ks if k <= n}


def language_metrics(rows: Sequence[dict], ks: Sequence[int]) -> dict[str, float]:
    """A language's metrics: each pass@k and exact match averaged over the problems that have it,
    pass@k per benchmark too (``pass@1:mbxp``) where the language's problems come from several."""
    metrics: dict[str, float] = {}
    names = [f"pass@{k}" for k in ks] + ["exact_match"]
    benchmarks = sorted({r["benchmark"] for r in rows if "benchmark" in r})
    for name in names:
        values = [r[name] for r in rows if r.get(name) is not None]
        if values:
            metrics[name] = float(np.mean(values))
        for benchmark in benchmarks if len(benchmarks) > 1 else ():
            values = [r[name] for r in rows if r.get("benchmark") == benchmark and r.get(name) is not None]
            if values:
                metrics[f"{name}:{benchmark}"] = float(np.mean(values))
    return metrics
