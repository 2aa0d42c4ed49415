"""Token tagging: one tag per word (syntactic roles of code tokens, the POS analogue); a tag goes to
a word's first sub-token, scored by token accuracy and macro F1 over the tags present."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codestilts.formats.base import IGNORE, Collator, Evaluation, Feature, Format, Score, majority_share, model_keys, rows


@dataclass(frozen=True)
class TaggingExample:
    """Pre-split words (code tokens) with one tag index each; a tag goes to a word's first sub-token."""

    id: str
    group: str
    words: tuple[str, ...]
    tags: tuple[int, ...]


class TokenTagging(Format):
    name = "token_tagging"
    record = TaggingExample
    roles = frozenset({"intermediate", "target"})
    labelled = True

    def texts(self, record: TaggingExample) -> tuple[str, ...]:
        return (" ".join(record.words),)

    def check(self, record: TaggingExample) -> tuple[str, str] | None:
        return ("tags", "words and tags differ in length") if len(record.tags) != len(record.words) else None

    def encode(self, records: Sequence[TaggingExample], tokenizer, max_length: int) -> list[Feature]:
        if not records:
            return []
        encoded = tokenizer([list(r.words) for r in records], is_split_into_words=True, truncation=True, max_length=max_length)
        features = rows(encoded, len(records))
        for index, (feature, record) in enumerate(zip(features, records, strict=True)):
            labels, previous = [], None
            for word in encoded.word_ids(index):
                labels.append(record.tags[word] if word is not None and word != previous else IGNORE)
                previous = word
            feature["labels"] = labels
        return features

    def collator(self, tokenizer) -> Collator:
        from transformers import DataCollatorForTokenClassification

        pad = DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE)
        return lambda features: dict(pad([model_keys(f) for f in features]))

    def head(self, spec, config):
        from codestilts.models.heads import TaggingHead

        return TaggingHead(config.hidden_size, spec.num_labels, spec.dropout)

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        from codestilts.training.metrics import f1

        gold_all, predicted_all, rows_ = [], [], []
        for record, feature, row_logits in zip(records, features, self.logits(model, task, features, tokenizer, batch_size), strict=True):
            labels = np.array(feature["labels"])
            keep = labels != IGNORE
            predicted = row_logits[: len(labels)].argmax(axis=-1)[keep]
            gold_all.append(labels[keep])
            predicted_all.append(predicted)
            correct = int((predicted == labels[keep]).sum())
            rows_.append({"id": record.id, "group": record.group, "prediction": predicted.tolist(), "labels": labels[keep].tolist(),
                          "correct": correct, "tokens": int(keep.sum())})
        gold, predicted = np.concatenate(gold_all), np.concatenate(predicted_all)
        macro = float(np.mean([f1((gold == c).astype(int), (predicted == c).astype(int), 2) for c in np.unique(gold)]))
        return Evaluation({"accuracy": float(np.mean(gold == predicted)), "f1": macro}, rows_)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        return (float(row["correct"]), float(row["tokens"])) if metric == "accuracy" else None

    def constant_baseline(self, rows, metric: str) -> float | None:
        """Accuracy of tagging every token with the most frequent tag (rows written before they kept
        their gold tags: None)."""
        if metric != "accuracy" or not rows or any("labels" not in row for row in rows):
            return None
        return majority_share([tag for row in rows for tag in row["labels"]])


TOKEN_TAGGING = TokenTagging()
