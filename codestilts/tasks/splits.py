"""Deterministic splits.

Parallel benchmarks are split by problem: each problem (its ``group``) goes to exactly one split,
the same in every language and for every task built on that benchmark, so a problem trained on in
Python never reaches any language's test split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SplitRule:
    """Fractions of groups per split, and a salt that fixes the (pseudo-random) order."""

    salt: str
    fractions: tuple[tuple[str, float], ...]

    def assign(self, groups: Iterable[str]) -> dict[str, str]:
        """Map each group to a split: order groups by a salted hash, then cut by the fractions."""
        ordered = sorted(set(groups), key=lambda g: hashlib.sha256(f"{self.salt}\0{g}".encode()).hexdigest())
        total = len(ordered)
        assignment: dict[str, str] = {}
        start = 0
        cumulative = 0.0
        for index, (split, fraction) in enumerate(self.fractions):
            cumulative += fraction
            end = total if index == len(self.fractions) - 1 else round(cumulative * total)
            for group in ordered[start:end]:
                assignment[group] = split
            start = end
        return assignment


HUMANEVAL_PROBLEMS = SplitRule("humaneval", (("train", 0.6), ("dev", 0.1), ("test", 0.3)))
"""One split of the 164 HumanEval problems, shared by HumanEval-X, HumanEvalPack and their tasks."""
