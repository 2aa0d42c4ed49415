"""Evaluating a model head on task records: metrics and per-example predictions, by the task's format.

The same function scores dev splits during training (model selection) and test splits in the
evaluate stage, so both always agree on what a metric means.
"""

from __future__ import annotations

from collections.abc import Sequence

from transformers import PreTrainedTokenizerBase

from codestilts.formats import Evaluation, Feature, Format, Record
from codestilts.hardware import autocast
from codestilts.models.task_model import TaskModel


def evaluate_records(
    model: TaskModel,
    task: str,
    fmt: Format,
    records: Sequence[Record],
    tokenizer: PreTrainedTokenizerBase,
    *,
    max_length: int,
    num_labels: int = 0,
    language: str = "",
    batch_size: int = 64,
    features: Sequence[Feature] | None = None,
    bf16: bool = False,
) -> Evaluation:
    """Metrics of ``model``'s head ``task`` on ``records`` and one prediction row per record, on the
    model's device, ``batch_size`` records at a time.

    ``features`` are ``records`` already encoded (dev sets scored at every evaluation pass them, so
    they are tokenised once); by default the records are encoded here. ``bf16``: under bf16
    autocast, as a model trained in bf16 was (dev scores during training, and its test scores).
    """
    model.eval()
    features = fmt.encode(records, tokenizer, max_length) if features is None else features
    with autocast(next(model.parameters()).device, bf16):
        return fmt.evaluate(model, task, records, features, tokenizer, batch_size=batch_size, num_labels=num_labels, language=language)
