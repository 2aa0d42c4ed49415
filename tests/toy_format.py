"""A toy format, defined outside the package: regression, one number per text. The whole of
adding a format is this module and its registration (tests/test_toy_format.py): a record type,
a :class:`Format` with its encoding, head, loss, evaluation and per-example score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from codestilts.formats import Evaluation, Feature, Format
from codestilts.formats.base import Score, rows
from codestilts.models.heads import pool


@dataclass(frozen=True)
class NumberedText:
    """A text and the number a model should read from it."""

    id: str
    group: str
    text: str
    value: float


class RegressionHead(nn.Module):
    """The first token's state -> one number; mean squared error."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.out = nn.Linear(hidden_size, 1)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.out(pool(hidden, attention_mask, "cls")).squeeze(-1)

    def loss(self, predicted: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(predicted, labels.float())


class Regression(Format):
    name = "toy-regression"
    record = NumberedText
    roles = frozenset({"intermediate", "target"})
    metric = "within_half"

    def texts(self, record: NumberedText) -> tuple[str, ...]:
        return (record.text,)

    def encode(self, records: Sequence[NumberedText], tokenizer, max_length: int) -> list[Feature]:
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length)
        return [f | {"labels": r.value} for f, r in zip(rows(encoded, len(records)), records, strict=True)]

    def head(self, spec, config) -> nn.Module:
        return RegressionHead(config.hidden_size)

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        predicted = np.array([float(p) for p in self.logits(model, task, features, tokenizer, batch_size)])
        values = np.array([r.value for r in records])
        predictions = [
            {"id": r.id, "group": r.group, "value": r.value, "prediction": float(p)} for r, p in zip(records, predicted, strict=True)
        ]
        errors = np.abs(predicted - values)
        return Evaluation({"within_half": float(np.mean(errors < 0.5)), "mae": float(np.mean(errors))}, predictions)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        error = abs(row["prediction"] - row["value"])
        return {"within_half": (float(error < 0.5), 1.0), "mae": (error, 1.0)}.get(metric)


REGRESSION = Regression()
