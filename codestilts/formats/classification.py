"""Classification: one text, one label (defect detection). Also the label-predicting formats'
shared evaluation (:class:`LabelFormat`: pair classification and multiple choice reuse it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codestilts.formats.base import Evaluation, Feature, Format, Score, majority_share, rows
from codestilts.formats.text import Family, Template


@dataclass(frozen=True)
class ClassificationExample:
    """A single text with one label (defect detection)."""

    id: str
    group: str
    text: str
    label: int


class LabelFormat(Format):
    """Formats whose head predicts one label per record: accuracy (and F1 where there are label
    names), the predicted label per record. As text (decoders, seq2seq), each candidate (a label
    name, or a multiple-choice record's choice) is a continuation of the record's prompt."""

    def candidates(self, record: Any, labels: tuple[str, ...]) -> tuple[str, ...]:
        """The continuations a record's prompt is scored with: the task's label names."""
        return tuple(labels)

    def as_text(self, family: Family, length_normalised: bool = False) -> Format | None:
        from codestilts.formats.text_to_text import TextToText

        return TextToText(self, family, length_normalised) if self.text_template is not None and family != "encoder" else None

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        logits = self.logits(model, task, features, tokenizer, batch_size)
        predicted = np.array([int(np.argmax(row)) for row in logits])
        labels = np.array([r.label for r in records])
        rows_ = [
            {"id": r.id, "group": r.group, "label": int(y), "prediction": int(p)}
            for r, y, p in zip(records, labels, predicted, strict=True)
        ]
        return Evaluation(self.metrics(labels, predicted, num_labels), rows_)

    def metrics(self, labels: np.ndarray, predicted: np.ndarray, num_labels: int) -> dict[str, float]:
        from codestilts.training.metrics import classification_metrics

        return classification_metrics(labels, predicted, num_labels)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        return (float(row["prediction"] == row["label"]), 1.0) if metric == "accuracy" else None

    def constant_baseline(self, rows: Sequence[Mapping[str, Any]], metric: str) -> float | None:
        """Accuracy of always predicting the rows' most frequent label (a multiple-choice record's
        most frequent right position)."""
        return majority_share([row["label"] for row in rows]) if metric == "accuracy" and rows else None

    def head(self, spec, config):
        from codestilts.models.heads import SequenceClassificationHead

        return SequenceClassificationHead(config.hidden_size, spec.num_labels, spec.pooling, spec.dropout)


class Classification(LabelFormat):
    name = "classification"
    record = ClassificationExample
    roles = frozenset({"intermediate", "target"})
    labelled = True
    text_template = Template("{{ text }}\nAnswer:")

    def texts(self, record: ClassificationExample) -> tuple[str, ...]:
        return (record.text,)

    def encode(self, records: Sequence[ClassificationExample], tokenizer, max_length: int) -> list[Feature]:
        if not records:
            return []
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length)
        return [f | {"labels": r.label} for f, r in zip(rows(encoded, len(records)), records, strict=True)]


CLASSIFICATION = Classification()
