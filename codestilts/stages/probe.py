"""Probe stage: retrieval straight from an encoder, no training (BUCC/Tatoeba's role in the paper).

Two kinds of retrieval task:

- cross-language (items without a query, e.g. ``xret-*``): for each language X other than the
  source, the source-language test items are the queries and X's test items of the same problems
  the candidates, and the other way round;
- query -> code (items with a query, e.g. ``code-search-*``): in every language, each NL query
  ranks that language's test items.

Candidates are ranked by the cosine similarity of pooled hidden states of one layer (the paper: a
middle layer), computed in batches on the device training uses: mean-pooled for an encoder and for
a seq2seq model's encoder, the last token's for a decoder (the only one that has read the whole text).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from codestilts.errors import UserError
from codestilts.formats.text import Family
from codestilts.hardware import autocast
from codestilts.models.backbone import num_layers
from codestilts.models.heads import Pooling, pool
from codestilts.parallel import process_device
from codestilts.stages.common import StageContext, starting_encoder, task_records
from codestilts.store import atomic_path, write_json
from codestilts.formats import RETRIEVAL, Feature, RetrievalItem
from codestilts.training.cache import encode_cached
from codestilts.training.metrics import ranks, retrieval_metrics


def layer_index(layer: int | str, layers: int) -> int:
    """Index into ``hidden_states`` (0 is the embeddings, ``layers`` the last layer)."""
    if layer == "last":
        return layers
    if layer == "middle":
        return max(1, (layers + 1) // 2)
    if not 0 <= int(layer) <= layers:
        raise UserError(f"probe.layer {layer} is outside 0..{layers} for this model")
    return int(layer)


PROBE_POOLING: dict[Family, Pooling] = {"encoder": "mean", "decoder": "last", "seq2seq": "mean"}


def states_model(model: PreTrainedModel, family: Family) -> PreTrainedModel:
    """The part of ``model`` whose hidden states a probe compares: a seq2seq model's encoder, else all of it."""
    return model.get_encoder() if family == "seq2seq" else model


def embed(
    encoder: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    features: Sequence[Feature],
    *,
    layer: int,
    batch_size: int,
    side: str = "",
    bf16: bool = False,
    pooling: Pooling = "mean",
) -> np.ndarray:
    """L2-normalised pooled states of ``layer`` for each retrieval feature: its text, or with
    ``side="query_"`` its query; under bf16 autocast with ``bf16``."""
    encoder.eval()

    def vectors(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        return torch.nn.functional.normalize(pool(out.hidden_states[layer], mask, pooling).float(), dim=-1)

    with torch.inference_mode(), autocast(encoder.device, bf16):
        return RETRIEVAL.side_vectors(features, tokenizer, batch_size, encoder.device, side, vectors)


def aligned(source: list[RetrievalItem], other: list[RetrievalItem]) -> tuple[list[RetrievalItem], list[RetrievalItem]]:
    """Both sides restricted to the problems they share, in the same order."""
    by_group = {item.group: item for item in other}
    pairs = [(item, by_group[item.group]) for item in source if item.group in by_group]
    return [a for a, _ in pairs], [b for _, b in pairs]


def _directions(queries: np.ndarray, candidates: np.ndarray, both: bool) -> dict[str, np.ndarray]:
    similarity = queries @ candidates.T
    return {"s2t": ranks(similarity), "t2s": ranks(similarity.T)} if both else {"q2c": ranks(similarity)}


def _metrics(found: dict[str, np.ndarray]) -> dict[str, float]:
    per_direction = {direction: retrieval_metrics(r) for direction, r in found.items()}
    names = next(iter(per_direction.values()))
    metrics = {name: float(np.mean([m[name] for m in per_direction.values()])) for name in names}
    if len(per_direction) > 1:
        metrics |= {f"{name}.{d}": m[name] for d, m in per_direction.items() for name in m}
    return metrics


def run_probe(ctx: StageContext) -> None:
    task = ctx.task()
    model, tokenizer = starting_encoder(ctx)
    encoder = states_model(model, ctx.family).to(process_device())
    settings = ctx.params["probe"]
    layer = layer_index(settings["layer"], num_layers(encoder))
    source = ctx.params["source_language"]

    def test_split(language: str) -> tuple[list[RetrievalItem], list[Feature]]:
        items = task_records(ctx, task, language, "test")
        return items, encode_cached(task.format, items, tokenizer, ctx.params["model"]["max_length"], name=f"{task.name}/{language}/test")

    def vectors(features: list[Feature], side: str = "") -> np.ndarray:
        return embed(
            encoder, tokenizer, features, layer=layer, batch_size=settings["batch_size"], side=side, bf16=settings["bf16"],
            pooling=PROBE_POOLING[ctx.family],
        )

    source_items, source_features = test_split(source)
    with_queries = source_items[0].query is not None
    source_vectors = None if with_queries else dict(zip((i.group for i in source_items), vectors(source_features), strict=True))
    per_language: dict[str, dict[str, float]] = {}
    with atomic_path(ctx.dir / "predictions.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for language in ctx.params["languages"]:
            if language == source and not with_queries:
                continue
            items, features = test_split(language)
            if with_queries:
                found = _directions(vectors(features, "query_"), vectors(features), both=False)
            else:
                by_group = dict(zip((i.group for i in items), vectors(features), strict=True))
                items, candidates = aligned(source_items, items)
                queries = np.stack([source_vectors[i.group] for i in items])
                found = _directions(queries, np.stack([by_group[c.group] for c in candidates]), both=True)
            per_language[language] = _metrics(found) | {"examples": len(items)}
            for direction, ranked in found.items():
                for item, rank in zip(items, ranked, strict=True):
                    out.write(json.dumps({"language": language, "direction": direction, "group": item.group, "rank": int(rank)}) + "\n")
    write_json(
        ctx.dir / "metrics.json",
        {"metric": task.metric, "source_language": source, "layer": layer, "languages": per_language},
    )
