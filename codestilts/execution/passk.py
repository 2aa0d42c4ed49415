"""The unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on
Code", eq. 1): with n samples of which c pass, pass@k = 1 - C(n-c, k) / C(n, k), computed as a
numerically stable product."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1 or k > n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def mean_pass_at_k(counts: Iterable[tuple[int, int]], ks: Sequence[int]) -> dict[str, float | None]:
    """Average pass@k over tasks given (n, c) per task. Tasks with n < k are left out of pass@k
    (its estimator needs n >= k); the value is None when no task has enough samples."""
    counts = list(counts)
    out: dict[str, float | None] = {}
    for k in ks:
        vals = [pass_at_k(n, c, k) for n, c in counts if n >= k]
        out[f"pass@{k}"] = sum(vals) / len(vals) if vals else None
    return out


def summarize(results: Iterable[dict], ks: Sequence[int]) -> dict:
    """Per-language and overall pass@k from per-sample results (dicts with task_id, language,
    verdict). sandbox_error samples are excluded from n and counted apart."""
    per_task: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    verdicts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        lang = r["language"]
        verdicts[lang][r["verdict"]] += 1
        if r["verdict"] == "sandbox_error":
            continue
        cell = per_task[(lang, r["task_id"])]
        cell[0] += 1
        cell[1] += r["verdict"] == "passed"
    summary: dict = {"languages": {}}
    for lang in sorted(verdicts):
        counts = [tuple(v) for (lg, _), v in per_task.items() if lg == lang]
        summary["languages"][lang] = {
            "tasks": len(counts),
            "samples": sum(verdicts[lang].values()),
            "verdicts": dict(sorted(verdicts[lang].items())),
            **mean_pass_at_k(counts, ks),
        }
    all_counts = [tuple(v) for v in per_task.values()]
    summary["overall"] = {
        "tasks": len(all_counts),
        "samples": sum(sum(v.values()) for v in verdicts.values()),
        "sandbox_errors": sum(v.get("sandbox_error", 0) for v in verdicts.values()),
        **mean_pass_at_k(all_counts, ks),
    }
    return summary
