"""What a task format is: one object holding everything that differs from one format to another.

A :class:`Format` knows its record type, which roles its tasks can play (intermediate, target,
probe, pretraining), the texts of a record (for the overlap of train and test), how records become
model features and batches, the head it puts on the shared encoder and how that head's loss is
computed, how a set of records is evaluated (metrics and one prediction row per record), and how
the report scores one prediction row for its bootstrap. Everything else asks the format object:
adding a format is one module (see :mod:`codestilts.formats.classification` for the smallest) and
one line in :data:`codestilts.formats.FORMATS`.

Format modules import torch and transformers inside the methods that need them: tasks import a
format for its record type alone and do not import torch through it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn
    from transformers import PretrainedConfig, PreTrainedTokenizerBase

    from codestilts.formats.text import Family, Template
    from codestilts.models.task_model import HeadSpec, TaskModel

Role = Literal["intermediate", "target", "probe", "pretrain"]
"""What a task of the format can be in a run: an intermediate task, a target (trained in the
source language, evaluated in every language), a probe (retrieval with no training), or the
unlabelled text of pretraining and continued MLM."""
Feature = dict[str, Any]
"""A record's model inputs (and labels); keys that start with ``_`` stay out of batches."""
Collator = Callable[[list[Feature]], dict[str, Any]]
IGNORE = -100
"""The label of positions that carry none (a word's later sub-tokens, unmasked MLM tokens, padding):
losses and scores skip them."""
Score = tuple[float, float]
"""One example's (numerator, denominator) of a metric: a set's metric is sum(num) / sum(den)."""


class Record(Protocol):
    """What every record type has: its id, and the problem (``group``) it belongs to in every language."""

    id: str
    group: str


def majority_share(values: Sequence[Any]) -> float:
    """The share of the most frequent of ``values`` (not empty)."""
    return Counter(values).most_common(1)[0][1] / len(values)


def records_digest(records: Iterable[Record]) -> str:
    """A digest of the records' content (their dataclass reprs, type names included)."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(repr(record).encode())
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class TaskOutput:
    """What a task's head returns: logits, and the loss when the batch is labelled."""

    logits: torch.Tensor
    loss: torch.Tensor | None = None


@dataclass
class Evaluation:
    metrics: dict[str, float]
    predictions: list[dict[str, Any]] = field(default_factory=list)


def model_keys(feature: Feature) -> Feature:
    return {k: v for k, v in feature.items() if not k.startswith("_")}


def rows(encoded: Mapping[str, list], count: int) -> list[Feature]:
    """A tokenizer's batch output, one feature dict per input."""
    return [{key: encoded[key][i] for key in encoded} for i in range(count)]


def batches(features: Sequence[Feature], collate: Collator, batch_size: int, device: torch.device) -> Iterator[dict[str, torch.Tensor]]:
    """``features`` collated in order, ``batch_size`` at a time, on ``device``."""
    for start in range(0, len(features), batch_size):
        batch = collate(list(features[start : start + batch_size]))
        yield {k: v.to(device) for k, v in batch.items()}


def in_length_order(features: Sequence[Feature], length: Callable[[Feature], int], compute: Callable[[list[Feature]], Iterable[Any]]) -> list[Any]:
    """``compute``'s one result per feature, computed over ``features`` sorted longest first (so
    that a batch holds features of similar length and pads little) and returned in their order.

    Inference only: every result depends on its own feature alone, not on its batch companions.
    """
    order = sorted(range(len(features)), key=lambda i: -length(features[i]))
    results: list[Any] = [None] * len(features)
    for position, result in zip(order, compute([features[i] for i in order]), strict=True):
        results[position] = result
    return results


class Format:
    """A task format. Subclasses set the class attributes and implement what their format does."""

    name: ClassVar[str]
    record: ClassVar[type]
    roles: ClassVar[frozenset[Role]]
    metric: ClassVar[str] = "accuracy"
    """The primary metric of a task file that names none."""
    labelled: ClassVar[bool] = False
    """Records carry indices into the task's label set (a task file must list its labels)."""
    unique_groups: ClassVar[bool] = False
    """A language's split holds one record per group (records are paired by group across languages):
    a task file with two is refused."""
    batch_size: ClassVar[int] = 32
    """The global batch of a training stage that sets none (Phang et al. 2020: 32, 16 for QA)."""
    text_template: ClassVar[Template | None] = None
    """How a record reads as text for decoders and seq2seq models by default (a task can give its
    own); None: the format has no prompt-and-choices form."""
    text_target: ClassVar[bool] = True
    """A decoder or seq2seq model reading the format as text can also be scored on a target's test
    split (False: it trains on the format's intermediate tasks only)."""
    derived_fields: ClassVar[frozenset[str]] = frozenset()
    """Record fields a task file does not set: they keep their defaults (a generation record's
    benchmark problem and stop sequences)."""
    encoder_head: ClassVar[bool] = True
    """An encoder can train on the format's tasks (with a head); False: only a decoder or seq2seq
    model can (generation)."""

    def __repr__(self) -> str:
        return f"<format {self.name}>"

    # --- records ----------------------------------------------------------------------------

    def texts(self, record: Any) -> tuple[str, ...]:
        """Every text the record carries, each compared whole with the test texts of a run."""
        raise NotImplementedError

    def check(self, record: Any) -> tuple[str, str] | None:
        """A problem a task file's record has beyond its fields' types: (field, message), or None."""
        return None

    # --- the model families it takes ---------------------------------------------------------

    def as_text(self, family: Family, length_normalised: bool = False) -> Format | None:
        """How a decoder or seq2seq model (``family``) trains on and scores this format's tasks; None
        where it cannot (the planner refuses such a task for such a model)."""
        return None

    def dev_metric(self, task_metric: str) -> str:
        """The metric that selects a training stage's checkpoint on the dev split: the task's own,
        except where the format scores its dev split otherwise (generation)."""
        return task_metric

    def prepare(self, records: Sequence[Any], labels: Sequence[str], template: Template | None = None) -> list[Any]:
        """The records as this format reads them: a task's own records, except where the format renders
        them (:meth:`codestilts.formats.text_to_text.TextToText.prepare`)."""
        return list(records)

    # --- features and batches ---------------------------------------------------------------

    def encode(self, records: Sequence[Any], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
        """One feature dict per record, in order."""
        raise NotImplementedError

    def collator(self, tokenizer: PreTrainedTokenizerBase) -> Collator:
        """The batching function: features padded into tensors."""
        from transformers import DataCollatorWithPadding

        pad = DataCollatorWithPadding(tokenizer)
        return lambda features: dict(pad([model_keys(f) for f in features]))

    def length(self, feature: Feature) -> int:
        """The tokens a feature adds to a padded batch (length-grouped batching sorts by it)."""
        return len(feature["input_ids"])

    # --- model ------------------------------------------------------------------------------

    def head(self, spec: HeadSpec, config: PretrainedConfig) -> nn.Module:
        """A fresh head on an encoder of ``config``."""
        raise NotImplementedError

    def forward(self, model: TaskModel, head: nn.Module, batch: dict[str, torch.Tensor]) -> TaskOutput:
        """The encoder then ``head`` on ``batch``; the loss against ``labels`` when the batch has them."""
        hidden = model.encode(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
        logits = head(hidden, batch["attention_mask"]).float()
        return TaskOutput(logits, head.loss(logits, batch["labels"]) if "labels" in batch else None)

    # --- evaluation -------------------------------------------------------------------------

    def evaluate(
        self, model: TaskModel, task: str, records: Sequence[Any], features: Sequence[Feature], tokenizer: PreTrainedTokenizerBase,
        *, batch_size: int, num_labels: int, language: str,
    ) -> Evaluation:
        """Metrics of head ``task`` on ``records`` (encoded as ``features``), one prediction row per record."""
        raise ValueError(f"format {self.name} has no evaluation records")

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        """One prediction row's score for ``metric``; None where the metric does not split into examples."""
        return None

    def constant_baseline(self, rows: Sequence[Mapping[str, Any]], metric: str) -> float | None:
        """What the best constant prediction scores on these prediction rows for ``metric`` (the bar a
        trained model must clear to have learnt anything); None where the format cannot tell."""
        return None

    def logits(self, model: TaskModel, task: str, features: Sequence[Feature], tokenizer: PreTrainedTokenizerBase, batch_size: int) -> list[np.ndarray]:
        """Head ``task``'s logits for every feature, in order, computed on the model's device in
        batches of similar length."""
        import torch

        device = next(model.parameters()).device

        def compute(ordered: list[Feature]) -> Iterator[np.ndarray]:
            for batch in batches(ordered, self.collator(tokenizer), batch_size, device):
                batch.pop("labels", None)
                yield from model(task, **batch).logits.float().cpu().numpy()

        with torch.inference_mode():
            return in_length_order(features, self.length, compute)
