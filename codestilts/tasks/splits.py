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
    universe: tuple[str, ...] = ()
    """Every group of the benchmark, when known: the cut is then made over all of them, so a task
    that has only some problems places each exactly where every other task does."""

    def assign(self, groups: Iterable[str]) -> dict[str, str]:
        """Map each group to a split: order groups by a salted hash, then cut by the fractions."""
        wanted = set(groups)
        if self.universe:
            unknown = wanted.difference(self.universe)
            if unknown:
                raise ValueError(f"groups outside the {self.salt} split: {sorted(unknown)[:3]}")
            return {g: split for g, split in self._cut(self.universe).items() if g in wanted}
        return self._cut(wanted)

    def _cut(self, groups: Iterable[str]) -> dict[str, str]:
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


HUMANEVAL_PROBLEMS = SplitRule(
    "humaneval", (("train", 0.6), ("dev", 0.1), ("test", 0.3)), universe=tuple(f"humaneval/{n}" for n in range(164))
)
"""One split of the 164 HumanEval problems, shared by HumanEval-X, HumanEvalPack and their tasks."""


@dataclass(frozen=True)
class IdRangeSplit:
    """A benchmark's official split by numeric problem id: ``group`` is ``"<prefix>/<id>"``."""

    ranges: tuple[tuple[str, int, int], ...]
    """``(split, first, last)``, inclusive; ids outside every range go to ``default``."""
    default: str

    def assign(self, groups: Iterable[str]) -> dict[str, str]:
        assignment: dict[str, str] = {}
        for group in set(groups):
            number = int(group.rsplit("/", 1)[1])
            assignment[group] = next((s for s, lo, hi in self.ranges if lo <= number <= hi), self.default)
        return assignment


MBPP_PROBLEMS = IdRangeSplit((("test", 11, 510), ("dev", 511, 600)), default="train")
"""MBPP's official ids: test 11-510, validation 511-600, train 601-974 plus the few-shot prompts 1-10;
shared by MBPP and every MBXP language and every task built on them."""
