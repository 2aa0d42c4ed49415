"""Splits made from a task file's unsplit rows, and deterministic caps on test sets."""

from __future__ import annotations

import hashlib

from codestilts.formats import Record
from codestilts.tasks.splits import SplitRule
from codestilts.tasks.taskfile.schema import HashSplit


def split_by_hash(records: dict[str, list[Record]], rule: HashSplit) -> dict[str, dict[str, list[Record]]]:
    """Each language's records into train/dev/test by their ``rule.by`` (group or id), ordered by a
    salted hash and cut by the fractions over the union of every language's keys, so that records
    of one group are in one split in every language."""
    keys = {getattr(r, rule.by) for per in records.values() for r in per}
    fractions = tuple((split, fraction) for split, fraction in (("train", rule.train), ("dev", rule.dev), ("test", rule.test)) if fraction > 0)
    assignment = SplitRule(f"task-file/{rule.seed}", fractions).assign(keys)
    return {
        lang: {split: [r for r in per if assignment[getattr(r, rule.by)] == split] for split, _ in fractions}
        for lang, per in records.items()
    }


def cap(records: list[Record], limit: int | None) -> list[Record]:
    """At most ``limit`` records, in their order: those first in the order of a hash of their group
    (then id), so that every language keeps the same problems where it has them."""
    if limit is None or len(records) <= limit:
        return records

    kept = {id(r) for r in sorted(records, key=lambda r: (hashlib.sha256(r.group.encode()).hexdigest(), r.id))[:limit]}
    return [r for r in records if id(r) in kept]
