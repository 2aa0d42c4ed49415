"""Retrieval: items of one problem in two languages match (cross-language retrieval), or an NL query
matches its code (code search). Trained with InfoNCE over in-batch negatives, scored by the rank of
the right candidate (accuracy@1, MRR)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codestilts.formats.base import Collator, Evaluation, Feature, Format, Score, TaskOutput, batches, in_length_order, rows


@dataclass(frozen=True)
class RetrievalItem:
    """One side of a retrieval pair: items of the same ``group`` in two languages match.

    A retrieval task trainable as an intermediate task (NL -> code search) pairs ``query`` with
    ``text`` within one language; probes across languages use ``text`` alone.
    """

    id: str
    group: str
    text: str
    query: str | None = None


class Retrieval(Format):
    name = "retrieval"
    record = RetrievalItem
    roles = frozenset({"intermediate", "probe"})
    metric = "acc@1"
    unique_groups = True

    def texts(self, record: RetrievalItem) -> tuple[str, ...]:
        return (record.text,) if record.query is None else (record.text, record.query)

    def encode(self, records: Sequence[RetrievalItem], tokenizer, max_length: int) -> list[Feature]:
        """The text's inputs, and the query's as ``query_*`` where items have queries."""
        if not records:
            return []
        features = rows(tokenizer([r.text for r in records], truncation=True, max_length=max_length), len(records))
        if records[0].query is not None:
            queries = tokenizer([r.query or "" for r in records], truncation=True, max_length=max_length)
            for feature, query in zip(features, rows(queries, len(records)), strict=True):
                feature.update({f"query_{key}": value for key, value in query.items() if key != "token_type_ids"})
        return features

    def collator(self, tokenizer) -> Collator:
        """The text and the query side are padded separately."""
        from transformers import DataCollatorWithPadding

        pad = DataCollatorWithPadding(tokenizer)

        def collate(features: list[Feature]) -> dict[str, Any]:
            documents = pad([{k: v for k, v in f.items() if not k.startswith(("query_", "_"))} for f in features])
            if "query_input_ids" not in features[0]:
                return dict(documents)
            queries = pad([{k.removeprefix("query_"): v for k, v in f.items() if k.startswith("query_")} for f in features])
            return dict(documents) | {f"query_{k}": v for k, v in queries.items()}

        return collate

    def length(self, feature: Feature) -> int:
        """Both sides: they are padded separately, each adds its tokens to the batch."""
        return len(feature["input_ids"]) + len(feature.get("query_input_ids") or ())

    def head(self, spec, config):
        from codestilts.models.heads import ContrastiveHead

        return ContrastiveHead("mean")

    def forward(self, model, head, batch) -> TaskOutput:
        queries = head(model.encode(batch["query_input_ids"], batch["query_attention_mask"]), batch["query_attention_mask"])
        documents = head(model.encode(batch["input_ids"], batch["attention_mask"]), batch["attention_mask"])
        return TaskOutput(queries @ documents.T, head.loss(queries, documents))

    def embed(self, model, task: str, features: Sequence[Feature], tokenizer, batch_size: int, side: str = "") -> np.ndarray:
        """Head ``task``'s vectors of every feature's text, or with ``side="query_"`` its query."""
        import torch

        device = next(model.parameters()).device
        with torch.inference_mode():
            return self.side_vectors(
                features, tokenizer, batch_size, device, side, lambda ids, mask: model.heads[task](model.encode(ids, mask), mask).float()
            )

    def side_vectors(self, features: Sequence[Feature], tokenizer, batch_size: int, device, side: str, vectors: Callable[[Any, Any], Any]) -> np.ndarray:
        """One row per feature of ``vectors(input_ids, attention_mask)`` over one side of
        ``features`` (the text, or with ``side="query_"`` the query), in their order, computed on
        ``device`` ``batch_size`` at a time in batches of similar length."""

        def compute(ordered: list[Feature]) -> Iterator[np.ndarray]:
            for batch in batches(ordered, self.collator(tokenizer), batch_size, device):
                yield from vectors(batch[f"{side}input_ids"], batch[f"{side}attention_mask"]).cpu().numpy()

        return np.stack(in_length_order(features, lambda f: len(f[f"{side}input_ids"]), compute))

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        """Each query ranks every text of ``records`` (the right one is its own item's)."""
        from codestilts.training.metrics import ranks, retrieval_metrics

        documents = self.embed(model, task, features, tokenizer, batch_size)
        queries = self.embed(model, task, features, tokenizer, batch_size, side="query_")
        found = ranks(queries @ documents.T)
        rows_ = [{"id": r.id, "group": r.group, "rank": int(k)} for r, k in zip(records, found, strict=True)]
        return Evaluation(retrieval_metrics(found), rows_)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        return {"acc@1": (float(row["rank"] == 1), 1.0), "mrr": (1.0 / row["rank"], 1.0)}.get(metric)


RETRIEVAL = Retrieval()
