"""Pair classification: two texts, one label (NLI, paraphrase, clone detection)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codestilts.formats.base import Feature, rows
from codestilts.formats.classification import LabelFormat
from codestilts.formats.text import Template


@dataclass(frozen=True)
class PairExample:
    """Two texts with one label (NLI, paraphrase, clone detection)."""

    id: str
    group: str
    text_a: str
    text_b: str
    label: int


class PairClassification(LabelFormat):
    name = "pair_classification"
    record = PairExample
    roles = frozenset({"intermediate", "target"})
    labelled = True
    text_template = Template("{{ text_a }}\n{{ text_b }}\nAnswer:")

    def texts(self, record: PairExample) -> tuple[str, ...]:
        return (record.text_a, record.text_b)

    def encode(self, records: Sequence[PairExample], tokenizer, max_length: int) -> list[Feature]:
        if not records:
            return []
        encoded = tokenizer([r.text_a for r in records], [r.text_b for r in records], truncation=True, max_length=max_length)
        return [f | {"labels": r.label} for f, r in zip(rows(encoded, len(records)), records, strict=True)]


PAIR_CLASSIFICATION = PairClassification()
