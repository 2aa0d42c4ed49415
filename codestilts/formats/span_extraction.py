"""Span extraction: the character span of a context that answers a question (SQuAD, bug
localisation); start and end logits per token, scored by exact match and token F1."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codestilts.formats.base import Evaluation, Feature, Format, Score, TaskOutput

MAX_ANSWER_TOKENS = 64


@dataclass(frozen=True)
class SpanExample:
    """Extractive QA: character spans ``[start, end)`` of ``context`` that answer ``question``.

    Several gold spans are allowed (SQuAD has up to three annotators); training uses the first.
    """

    id: str
    group: str
    question: str
    context: str
    spans: tuple[tuple[int, int], ...]


def best_span(logits: np.ndarray, offsets: list[tuple[int, int] | None]) -> tuple[int, int] | None:
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


class SpanExtraction(Format):
    name = "span_extraction"
    record = SpanExample
    roles = frozenset({"intermediate", "target"})
    metric = "f1"
    batch_size = 16
    text_target = False

    def as_text(self, family, length_normalised: bool = False) -> Format | None:
        """For a decoder or seq2seq model: the answer written after the context and the question
        (an intermediate task; as a target its answers would have to be decoded and scored, which
        the evaluate stage does not do)."""
        from codestilts.formats.generation import SpanText

        return None if family == "encoder" else SpanText(family)

    def texts(self, record: SpanExample) -> tuple[str, ...]:
        return (record.question, record.context)

    def encode(self, records: Sequence[SpanExample], tokenizer, max_length: int) -> list[Feature]:
        """Question + context; gold span mapped to tokens, or to position 0 when truncated away;
        ``_offsets`` maps tokens back to characters of the context."""
        features = []
        for record in records:
            pair = (record.question, record.context) if record.question else (record.context,)
            # longest_first cuts the context of a short question (SQuAD) and both halves of a long one
            encoded = tokenizer(*pair, truncation="longest_first", max_length=max_length, return_offsets_mapping=True)
            in_context = 1 if record.question else 0
            sequence_ids = encoded.sequence_ids()
            offsets = [
                list(span) if sequence_ids[i] == in_context else None for i, span in enumerate(encoded.pop("offset_mapping"))
            ]
            start_char, end_char = record.spans[0]
            start = next((i for i, o in enumerate(offsets) if o and o[0] <= start_char < o[1]), None)
            end = next((i for i, o in enumerate(offsets) if o and o[0] < end_char <= o[1]), None)
            if start is None or end is None or end < start:
                start = end = 0
            features.append(dict(encoded) | {"start_positions": start, "end_positions": end, "_offsets": offsets})
        return features

    def head(self, spec, config):
        from codestilts.models.heads import SpanHead

        return SpanHead(config.hidden_size)

    def forward(self, model, head, batch) -> TaskOutput:
        hidden = model.encode(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
        logits = head(hidden, batch["attention_mask"]).float()
        labelled = "start_positions" in batch
        return TaskOutput(logits, head.loss(logits, batch["start_positions"], batch["end_positions"]) if labelled else None)

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        from codestilts.training.metrics import span_scores

        rows, ems, f1s = [], [], []
        for record, feature, row_logits in zip(records, features, self.logits(model, task, features, tokenizer, batch_size), strict=True):
            span = best_span(row_logits[: len(feature["_offsets"])], feature["_offsets"])
            answer = record.context[span[0] : span[1]] if span else ""
            em, f = span_scores(answer, [record.context[s:e] for s, e in record.spans], language)
            ems.append(em)
            f1s.append(f)
            rows.append({"id": record.id, "group": record.group, "prediction": answer, "span": list(span) if span else None, "exact_match": em, "f1": f})
        return Evaluation({"exact_match": float(np.mean(ems)), "f1": float(np.mean(f1s))}, rows)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        return (float(row[metric]), 1.0) if metric in ("exact_match", "f1") and metric in row else None

    def constant_baseline(self, rows, metric: str) -> float | None:
        """An empty answer matches no gold answer: 0."""
        return 0.0 if metric in ("exact_match", "f1") else None


SPAN_EXTRACTION = SpanExtraction()
