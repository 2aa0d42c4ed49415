"""Train and dev records that share a text with a test record: found when a run is planned, dropped
when its stages read their data.

Splits are disjoint by problem, not by content. MBPP holds the same solution under several ids
(716, 608 and 704 of its train range are, once cleaned, test problems 17, 67 and 248), masking
names makes short solutions of different problems identical, CodeXGLUE repeats methods across its
splits, and NL sets repeat sentences. A text counts as the same when it is equal after the task's
own cleaning (records hold cleaned texts) and whitespace normalisation (every run of whitespace one
space, none at either end). Texts are compared through fingerprints (a 64-bit BLAKE2b digest of
the normalised text), which a task's summary cache keeps, so a second plan loads no task.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from codestilts.errors import UserError
from codestilts.formats import Format, Record
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.sizes import TEXTS, cached_summary

Fingerprints = dict[str, dict[str, list[tuple[str, list[str]]]]]
"""language -> split -> [(record id, fingerprints of its texts)]"""
Dropped = dict[str, dict[str, dict[str, list[str]]]]
"""task name -> language -> split -> ids of the records dropped, sorted (a stage's ``dropped`` parameter)"""


def normalise(text: str) -> str:
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    """The fingerprint of ``text`` once normalised; an empty text has none (it matches nothing)."""
    normal = normalise(text)
    return hashlib.blake2b(normal.encode(), digest_size=8).hexdigest() if normal else ""


def fingerprints(data: TaskData, fmt: Format) -> Fingerprints:
    """Every record's id and the fingerprints of its texts (:meth:`Format.texts`)."""
    return {
        language: {split: [(r.id, sorted({fingerprint(t) for t in fmt.texts(r)} - {""})) for r in per.get(split, [])] for split in SPLITS}
        for language, per in data.items()
    }


def task_fingerprints(task: Task, data_dir: Path | None) -> Fingerprints:
    """The fingerprints of every record of ``task``, cached with its summaries."""
    return cached_summary(task, data_dir, TEXTS, lambda data: fingerprints(data, task.format))


@dataclass(frozen=True)
class DroppedCount:
    """How many records of one split of one language of a task share a text with a test record,
    and with which test tasks'."""

    task: str
    language: str
    split: str
    dropped: int
    records: int
    against: tuple[str, ...]

    def row(self) -> dict:
        return {
            "task": self.task, "language": self.language, "split": self.split,
            "dropped": self.dropped, "records": self.records, "against": list(self.against),
        }


class HeldOutTexts:
    """The test texts of a run (every language of every target and probe), by fingerprint, and
    the drops they cause, worked out once per (task, language, split)."""

    def __init__(self, tests: Iterable[Task], data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self._prints: dict[str, Fingerprints] = {}
        self.owners: dict[str, set[str]] = defaultdict(set)
        for task in tests:
            self._add(task, self.owners)
        self.counts: dict[tuple[str, str, str], DroppedCount] = {}
        self._dropped: dict[tuple[str, str, str], list[str]] = {}
        self._own: dict[str, dict[str, set[str]]] = {}

    def _fingerprints(self, task: Task) -> Fingerprints:
        if task.label not in self._prints:
            self._prints[task.label] = task_fingerprints(task, self.data_dir)
        return self._prints[task.label]

    def _add(self, task: Task, owners: dict[str, set[str]]) -> dict[str, set[str]]:
        label = task.label
        for per in self._fingerprints(task).values():
            for _, prints in per["test"]:
                for p in prints:
                    owners[p].add(label)
        return owners

    def dropped(self, reads: Mapping[Task, Iterable[tuple[str, str]]]) -> Dropped:
        """The ids to drop from what a stage reads: task -> (language, split) pairs. A task's
        train and dev records are checked against the run's test texts and against its own test
        split, read or not."""
        found: Dropped = {}
        for task, pairs in reads.items():
            for language, split in pairs:
                ids = self._ids(task, language, split)
                if ids:
                    found.setdefault(task.name, {}).setdefault(language, {})[split] = ids
        return found

    def _ids(self, task: Task, language: str, split: str) -> list[str]:
        key = (task.label, language, split)
        if key not in self._dropped:
            if task.label not in self._own:
                self._own[task.label] = self._add(task, defaultdict(set))
            own = self._own[task.label]
            ids, against = [], set()
            records = self._fingerprints(task).get(language, {}).get(split, [])
            for record_id, prints in records:
                hits = {owner for p in prints for owner in self.owners.get(p, set()) | own.get(p, set())}
                if hits:
                    ids.append(record_id)
                    against |= hits
            self._dropped[key] = sorted(ids)
            if ids:
                self.counts[key] = DroppedCount(task.label, language, split, len(ids), len(records), tuple(sorted(against)))
        return self._dropped[key]


def without_dropped(records: list[Record], dropped: Iterable[str], *, where: str) -> list[Record]:
    """``records`` less those whose ids ``dropped`` lists; each listed id must be there (else the
    records changed since the stage was planned)."""
    dropped = set(dropped)
    if not dropped:
        return records
    kept = [r for r in records if r.id not in dropped]
    if len(records) - len(kept) != len(dropped):
        missing = sorted(dropped - {r.id for r in records})
        raise UserError(
            f"{where}: the records to drop for sharing a text with a test record are not all there ({missing[0]} is missing)",
            hint="the task's records changed since the run was planned: plan again (codestilts plan)",
        )
    return kept
