"""What a task is: a name, a canonical format, languages, splits, a metric and a loader.

Every task produces records of one canonical format (see :class:`Format`). The loader returns
``{language: {split: [records]}}``; splits are ``train``, ``dev`` and ``test``. Records of parallel
benchmarks carry a ``group``: the problem they belong to, the same in every language, so that splits
and retrieval pairs are made by problem and never leak across languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Format(StrEnum):
    CLASSIFICATION = "classification"
    PAIR_CLASSIFICATION = "pair_classification"
    MULTIPLE_CHOICE = "multiple_choice"
    SPAN_EXTRACTION = "span_extraction"
    TOKEN_TAGGING = "token_tagging"
    RETRIEVAL = "retrieval"
    GENERATION = "generation"
    MLM = "mlm"


SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class ClassificationExample:
    """A single text with one label (defect detection)."""

    id: str
    group: str
    text: str
    label: int


@dataclass(frozen=True)
class PairExample:
    """Two texts with one label (NLI, paraphrase, clone detection)."""

    id: str
    group: str
    text_a: str
    text_b: str
    label: int


@dataclass(frozen=True)
class RetrievalItem:
    """One side of a retrieval pair: items of the same ``group`` in two languages match."""

    id: str
    group: str
    text: str


Record = ClassificationExample | PairExample | RetrievalItem
TaskData = Mapping[str, Mapping[str, list[Record]]]
Loader = Callable[[Path], TaskData]


@dataclass(frozen=True)
class Task:
    """A registered task. ``load`` reads the local data folder (laid out like ``../shared/data``)."""

    name: str
    format: Format
    languages: tuple[str, ...]
    source_language: str
    metric: str
    description: str
    splits_note: str
    data_files: tuple[str, ...]
    load: Loader = field(repr=False, compare=False)
    labels: tuple[str, ...] = ()
    hf_dataset: str | None = None
    version: str = "1"

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def identity(self) -> dict[str, str]:
        """What of the task enters a stage hash: a changed loader bumps ``version``."""
        return {"name": self.name, "format": self.format.value, "version": self.version}
