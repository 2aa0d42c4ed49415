"""Multiple choice: a context and candidate continuations or answers (HellaSwag, code output
prediction); one score per (context, choice) sequence, the highest is the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from codestilts.formats.base import Collator, Feature, TaskOutput
from codestilts.formats.classification import LabelFormat
from codestilts.formats.text import Template


@dataclass(frozen=True)
class MultipleChoiceExample:
    """A context and candidate continuations/answers; ``label`` indexes the right one."""

    id: str
    group: str
    context: str
    choices: tuple[str, ...]
    label: int


class MultipleChoice(LabelFormat):
    name = "multiple_choice"
    record = MultipleChoiceExample
    roles = frozenset({"intermediate", "target"})
    text_template = Template("{{ context }}\nAnswer:")

    def candidates(self, record: MultipleChoiceExample, labels: tuple[str, ...]) -> tuple[str, ...]:
        """A record's own choices."""
        return record.choices

    def texts(self, record: MultipleChoiceExample) -> tuple[str, ...]:
        """The choices are one text: single choices ("True", "bank") recur by design."""
        return (record.context, "\n".join(record.choices))

    def check(self, record: MultipleChoiceExample) -> tuple[str, str] | None:
        if not 0 <= record.label < len(record.choices):
            return "label", f"label {record.label} is not an index of the {len(record.choices)} choices"
        return None

    def encode(self, records: Sequence[MultipleChoiceExample], tokenizer, max_length: int) -> list[Feature]:
        features = []
        for record in records:
            encoded = tokenizer([record.context] * len(record.choices), list(record.choices), truncation=True, max_length=max_length)
            features.append(dict(encoded) | {"labels": record.label})
        return features

    def collator(self, tokenizer) -> Collator:
        """``[B, K, L]`` inputs, every choice padded to the batch's longest."""
        import torch
        from transformers import DataCollatorWithPadding

        pad = DataCollatorWithPadding(tokenizer)

        def collate(features: list[Feature]) -> dict[str, torch.Tensor]:
            choices = len(features[0]["input_ids"])
            keys = [k for k in features[0] if k != "labels" and not k.startswith("_")]
            flat = [{k: f[k][c] for k in keys} for f in features for c in range(choices)]
            batch = {k: v.view(len(features), choices, -1) for k, v in pad(flat).items()}
            return batch | {"labels": torch.tensor([f["labels"] for f in features])}

        return collate

    def length(self, feature: Feature) -> int:
        return max(map(len, feature["input_ids"]))

    def head(self, spec, config):
        from codestilts.models.heads import MultipleChoiceHead

        return MultipleChoiceHead(config.hidden_size, spec.pooling, spec.dropout)

    def forward(self, model, head, batch) -> TaskOutput:
        """The batch arrives as ``[B, K, L]``: encoded flat (``[B*K, L]``), one score per choice."""
        shape = batch["input_ids"].shape
        flat = {k: batch[k].flatten(0, 1) for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch}
        logits = head(model.encode(**flat), flat["attention_mask"]).view(shape[0], shape[1]).float()
        return TaskOutput(logits, head.loss(logits, batch["labels"]) if "labels" in batch else None)

    def metrics(self, labels: np.ndarray, predicted: np.ndarray, num_labels: int) -> dict[str, float]:
        from codestilts.training.metrics import accuracy

        return {"accuracy": accuracy(labels, predicted)}


MULTIPLE_CHOICE = MultipleChoice()
