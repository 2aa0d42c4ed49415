"""Evaluating a model head on task records, for every format: metrics and per-example predictions.

The same function scores dev splits during training (model selection) and test splits in the
evaluate stage, so both always agree on what a metric means.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from codestilts.models.heads import IGNORE
from codestilts.models.task_model import TaskModel
from codestilts.tasks.base import Format, Record, SpanExample, TaggingExample
from codestilts.training.features import Collator, Feature, collator, encode
from codestilts.training.metrics import (
    accuracy,
    classification_metrics,
    f1,
    ranks,
    retrieval_metrics,
    span_scores,
)

MAX_ANSWER_TOKENS = 64


@dataclass
class Evaluation:
    metrics: dict[str, float]
    predictions: list[dict[str, Any]] = field(default_factory=list)


def _batches(features: Sequence[Feature], collate: Collator, batch_size: int, device: torch.device) -> Iterator[dict[str, torch.Tensor]]:
    for start in range(0, len(features), batch_size):
        batch = collate(list(features[start : start + batch_size]))
        yield {k: v.to(device) for k, v in batch.items()}


@torch.no_grad()
def _logits(model: TaskModel, task: str, fmt: Format, features: Sequence[Feature], tokenizer, batch_size: int) -> list[np.ndarray]:
    device = next(model.parameters()).device
    out: list[np.ndarray] = []
    for batch in _batches(features, collator(fmt, tokenizer), batch_size, device):
        batch.pop("labels", None)
        out.extend(model(task, **batch).logits.float().cpu().numpy())
    return out


@torch.no_grad()
def _embed(model: TaskModel, task: str, features: Sequence[Feature], tokenizer, batch_size: int, side: str = "") -> np.ndarray:
    device = next(model.parameters()).device
    pad = collator(Format.RETRIEVAL, tokenizer)
    vectors = []
    for start in range(0, len(features), batch_size):
        batch = pad(list(features[start : start + batch_size]))
        ids, mask = batch[f"{side}input_ids"].to(device), batch[f"{side}attention_mask"].to(device)
        vectors.append(model.heads[task](model.encode(ids, mask), mask).cpu().numpy())
    return np.concatenate(vectors)


def _best_span(logits: np.ndarray, offsets: list[tuple[int, int] | None]) -> tuple[int, int] | None:
    """Highest start+end score over valid context spans, as characters."""
    valid = [i for i, o in enumerate(offsets) if o is not None]
    if not valid:
        return None
    starts, ends = logits[:, 0], logits[:, 1]
    best, best_score = None, -np.inf
    for i in valid:
        for j in valid:
            if j < i or j - i >= MAX_ANSWER_TOKENS:
                continue
            if starts[i] + ends[j] > best_score:
                best, best_score = (offsets[i][0], offsets[j][1]), starts[i] + ends[j]
    return best


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
) -> Evaluation:
    """Metrics of ``model``'s head ``task`` on ``records`` and one prediction row per record.

    ``features`` are ``records`` already encoded (dev sets scored at every evaluation pass them, so
    they are tokenised once); by default the records are encoded here.
    """
    model.eval()
    features = encode(records, tokenizer, max_length) if features is None else features
    base = [{"id": r.id, "group": r.group} for r in records]
    if fmt is Format.RETRIEVAL:
        documents = _embed(model, task, features, tokenizer, batch_size)
        queries = _embed(model, task, features, tokenizer, batch_size, side="query_")
        found = ranks(queries @ documents.T)
        return Evaluation(retrieval_metrics(found), [b | {"rank": int(r)} for b, r in zip(base, found, strict=True)])
    logits = _logits(model, task, fmt, features, tokenizer, batch_size)
    if fmt in (Format.CLASSIFICATION, Format.PAIR_CLASSIFICATION, Format.MULTIPLE_CHOICE):
        predicted = np.array([int(np.argmax(row)) for row in logits])
        labels = np.array([r.label for r in records])
        if fmt is Format.MULTIPLE_CHOICE:
            metrics = {"accuracy": accuracy(labels, predicted)}
        else:
            metrics = classification_metrics(labels, predicted, num_labels)
        rows = [b | {"label": int(y), "prediction": int(p)} for b, y, p in zip(base, labels, predicted, strict=True)]
        return Evaluation(metrics, rows)
    if fmt is Format.SPAN_EXTRACTION:
        return _span_evaluation(records, features, logits, base, language)
    if fmt is Format.TOKEN_TAGGING:
        return _tagging_evaluation(records, features, logits, base, num_labels)
    if fmt is Format.MLM:
        raise ValueError("MLM has no evaluation records; its dev score is the masked-token loss")
    raise ValueError(f"no evaluation for format {fmt}")


def _span_evaluation(records, features, logits, base, language: str) -> Evaluation:
    rows, ems, f1s = [], [], []
    for record, feature, row_logits, row in zip(records, features, logits, base, strict=True):
        assert isinstance(record, SpanExample)
        span = _best_span(row_logits[: len(feature["_offsets"])], feature["_offsets"])
        answer = record.context[span[0] : span[1]] if span else ""
        em, f = span_scores(answer, [record.context[s:e] for s, e in record.spans], language)
        ems.append(em)
        f1s.append(f)
        rows.append(row | {"prediction": answer, "span": list(span) if span else None, "exact_match": em, "f1": f})
    return Evaluation({"exact_match": float(np.mean(ems)), "f1": float(np.mean(f1s))}, rows)


def _tagging_evaluation(records, features, logits, base, num_labels: int) -> Evaluation:
    gold_all, predicted_all, rows = [], [], []
    for record, feature, row_logits, row in zip(records, features, logits, base, strict=True):
        assert isinstance(record, TaggingExample)
        labels = np.array(feature["labels"])
        keep = labels != IGNORE
        predicted = row_logits[: len(labels)].argmax(axis=-1)[keep]
        gold_all.append(labels[keep])
        predicted_all.append(predicted)
        rows.append(row | {"prediction": predicted.tolist(), "correct": int((predicted == labels[keep]).sum()), "tokens": int(keep.sum())})
    gold, predicted = np.concatenate(gold_all), np.concatenate(predicted_all)
    macro = float(np.mean([f1((gold == c).astype(int), (predicted == c).astype(int), 2) for c in np.unique(gold)]))
    return Evaluation({"accuracy": float(np.mean(gold == predicted)), "f1": macro}, rows)



MLM_EVAL_SEED = 1234
"""Dev MLM loss masks with this seed, so every evaluation masks the same tokens."""


@torch.no_grad()
def mlm_loss(model: TaskModel, task: str, features: Sequence[Feature], tokenizer, batch_size: int = 64) -> float:
    """Mean masked-token loss on ``features``, with a fixed masking (the RNG is restored after)."""
    model.eval()
    device = next(model.parameters()).device
    losses, weights = [], []
    with torch.random.fork_rng():
        torch.manual_seed(MLM_EVAL_SEED)
        for batch in _batches(features, collator(Format.MLM, tokenizer), batch_size, device):
            masked = int((batch["labels"] != IGNORE).sum())
            if masked:
                losses.append(model(task, **batch).loss.item() * masked)
                weights.append(masked)
    return float(sum(losses) / max(sum(weights), 1))
