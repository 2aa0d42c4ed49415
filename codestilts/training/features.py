"""Tokenising task records into model features."""

from __future__ import annotations

from collections.abc import Sequence

from transformers import PreTrainedTokenizerBase

from codestilts.tasks.base import ClassificationExample, PairExample, Record, RetrievalItem

Feature = dict[str, list[int] | int]


def encode(records: Sequence[Record], tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[Feature]:
    """One feature dict per record: ``input_ids``, ``attention_mask`` (+ ``token_type_ids``) and ``labels``."""
    if not records:
        return []
    first = records[0]
    if isinstance(first, PairExample):
        encoded = tokenizer(
            [r.text_a for r in records], [r.text_b for r in records], truncation=True, max_length=max_length
        )
    elif isinstance(first, (ClassificationExample, RetrievalItem)):
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length)
    else:
        raise TypeError(f"no encoding for {type(first).__name__}")
    features = [{key: encoded[key][i] for key in encoded} for i in range(len(records))]
    if not isinstance(first, RetrievalItem):
        for feature, record in zip(features, records, strict=True):
            feature["labels"] = record.label
    return features
