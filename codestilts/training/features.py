"""Tokenising task records into model features, and batching them, for every format.

``encode`` turns records of one format into feature dicts (model inputs, labels, and for span
extraction the offsets needed to map predictions back to characters); ``collator`` pads a list of
them into a batch of tensors. Keys that start with ``_`` stay out of batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from transformers import (
    DataCollatorForLanguageModeling,
    DataCollatorForTokenClassification,
    DataCollatorWithPadding,
    PreTrainedTokenizerBase,
)

from codestilts.models.heads import IGNORE
from codestilts.tasks.base import (
    ClassificationExample,
    Format,
    MultipleChoiceExample,
    PairExample,
    Record,
    RetrievalItem,
    SpanExample,
    TaggingExample,
    TextItem,
)

Feature = dict[str, Any]
Collator = Callable[[list[Feature]], dict[str, torch.Tensor]]
MLM_PROBABILITY = 0.15


def _rows(encoded, count: int) -> list[Feature]:
    return [{key: encoded[key][i] for key in encoded} for i in range(count)]


def _span_features(records: Sequence[SpanExample], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    """Question + context; gold span mapped to tokens, or to position 0 when truncated away."""
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


def _tagging_features(records: Sequence[TaggingExample], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    encoded = tokenizer([list(r.words) for r in records], is_split_into_words=True, truncation=True, max_length=max_length)
    features = _rows(encoded, len(records))
    for index, (feature, record) in enumerate(zip(features, records, strict=True)):
        labels, previous = [], None
        for word in encoded.word_ids(index):
            labels.append(record.tags[word] if word is not None and word != previous else IGNORE)
            previous = word
        feature["labels"] = labels
    return features


def _choice_features(records: Sequence[MultipleChoiceExample], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    features = []
    for record in records:
        encoded = tokenizer([record.context] * len(record.choices), list(record.choices), truncation=True, max_length=max_length)
        features.append(dict(encoded) | {"labels": record.label})
    return features


def _retrieval_features(records: Sequence[RetrievalItem], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    features = _rows(tokenizer([r.text for r in records], truncation=True, max_length=max_length), len(records))
    if records[0].query is not None:
        queries = tokenizer([r.query or "" for r in records], truncation=True, max_length=max_length)
        for feature, query in zip(features, _rows(queries, len(records)), strict=True):
            feature.update({f"query_{key}": value for key, value in query.items() if key != "token_type_ids"})
    return features


def encode(records: Sequence[Record], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    """One feature dict per record, in order."""
    if not records:
        return []
    first = records[0]
    if isinstance(first, PairExample):
        encoded = tokenizer([r.text_a for r in records], [r.text_b for r in records], truncation=True, max_length=max_length)
        return [f | {"labels": r.label} for f, r in zip(_rows(encoded, len(records)), records, strict=True)]
    if isinstance(first, ClassificationExample):
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length)
        return [f | {"labels": r.label} for f, r in zip(_rows(encoded, len(records)), records, strict=True)]
    if isinstance(first, MultipleChoiceExample):
        return _choice_features(records, tokenizer, max_length)
    if isinstance(first, SpanExample):
        return _span_features(records, tokenizer, max_length)
    if isinstance(first, TaggingExample):
        return _tagging_features(records, tokenizer, max_length)
    if isinstance(first, RetrievalItem):
        return _retrieval_features(records, tokenizer, max_length)
    if isinstance(first, TextItem):
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length, return_special_tokens_mask=True)
        return _rows(encoded, len(records))
    raise TypeError(f"no encoding for {type(first).__name__}")


def _model_keys(feature: Feature) -> Feature:
    return {k: v for k, v in feature.items() if not k.startswith("_")}


def _pad_sides(tokenizer: PreTrainedTokenizerBase) -> Collator:
    """Retrieval pairs: the document and the query side are padded separately."""
    pad = DataCollatorWithPadding(tokenizer)

    def collate(features: list[Feature]) -> dict[str, torch.Tensor]:
        documents = pad([{k: v for k, v in f.items() if not k.startswith(("query_", "_"))} for f in features])
        if "query_input_ids" not in features[0]:
            return dict(documents)
        queries = pad([{k.removeprefix("query_"): v for k, v in f.items() if k.startswith("query_")} for f in features])
        return dict(documents) | {f"query_{k}": v for k, v in queries.items()}

    return collate


def _pad_choices(tokenizer: PreTrainedTokenizerBase) -> Collator:
    """Multiple choice: ``[B, K, L]`` inputs, every choice padded to the batch's longest."""
    pad = DataCollatorWithPadding(tokenizer)

    def collate(features: list[Feature]) -> dict[str, torch.Tensor]:
        choices = len(features[0]["input_ids"])
        keys = [k for k in features[0] if k != "labels" and not k.startswith("_")]
        flat = [{k: f[k][c] for k in keys} for f in features for c in range(choices)]
        batch = {k: v.view(len(features), choices, -1) for k, v in pad(flat).items()}
        return batch | {"labels": torch.tensor([f["labels"] for f in features])}

    return collate


def collator(fmt: Format, tokenizer: PreTrainedTokenizerBase) -> Collator:
    """The batching function for a format (MLM masks tokens at random from torch's RNG)."""
    match fmt:
        case Format.MULTIPLE_CHOICE:
            return _pad_choices(tokenizer)
        case Format.RETRIEVAL:
            return _pad_sides(tokenizer)
        case Format.TOKEN_TAGGING:
            inner: Collator = DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE)
        case Format.MLM:
            inner = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MLM_PROBABILITY)
        case _:
            inner = DataCollatorWithPadding(tokenizer)
    return lambda features: dict(inner([_model_keys(f) for f in features]))
